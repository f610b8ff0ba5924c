// What eks-node-viewer shows: its screen, read from what it wrote to its terminal.
//
// eks-node-viewer (github.com/awslabs/eks-node-viewer) is a Bubble Tea program in the alternate
// screen (cmd/eks-node-viewer/main.go: tea.NewProgram(m, tea.WithAltScreen())). It does not print
// lines one after another: Bubble Tea's standard renderer (bubbletea v1.3 standard_renderer.go,
// flush()) starts each frame with the cursor home (ESC[H), writes each line that changed followed
// by "erase to the end of the line" (ESC[K) and CR LF, moves down over the lines that did not
// change (a bare LF), erases below (ESC[J) when the frame is shorter than the last, and ends with
// the cursor on the frame's last row (ESC[<rows>H). So the text of a frame is not in the output as
// a block: this replays the output on a small terminal model, up to the end of the last complete
// frame, and reads the screen. Colours (SGR), cursor visibility, bracketed paste and OSC queries
// (lipgloss asks the terminal for its background colour) change nothing on the screen.
//
// The screen is eks-node-viewer's View() (pkg/model/uimodel.go), columns aligned by its own tab
// writer (pkg/text/colortabwriter.go, cells padded with spaces):
//   5 nodes (  125500m/127330m) 98.6% cpu ████████████░ $5.324/hour | $3,886.520/month
//   515 pods (0 pending 515 running 515 bound)
//
//   ip-192-168-132-238.us-west-2.compute.internal cpu ██████████░░ 100% (130 pods) c6a.8xlarge/$1.2240 On-Demand - Ready
//   •
//   ←/→ page • q: quit
// (v0.7.4, the release `go install …@latest` installs, writes "(130 pods)"; its main branch since
// writes "(130/234 pods)" and "On-Demand/Auto" for EKS Auto Mode nodes: both are read.)

export interface NodeViewerHeader {
  nodes: number
  /** The resource the first summary line is about (`cpu` unless --resources says otherwise). */
  resource: string
  used: string
  allocatable: string
  percent: number
  /** Absent with --disable-pricing. */
  hourly?: number
  monthly?: number
}

export interface NodeViewerNode {
  name: string
  resource: string
  /** The share of the node's allocatable the pods request, as drawn (0–100). */
  percent: number
  pods: number
  maxPods?: number
  instanceType: string
  /** Hourly price; absent when eks-node-viewer has none for the node. */
  price?: number
  capacity: 'On-Demand' | 'Spot' | 'Fargate' | '-'
  status: string
  ready: boolean
  /** The line as the screen shows it. */
  line: string
}

export interface NodeViewerScreen {
  /** The screen's rows, trailing blanks removed. */
  lines: string[]
  header?: NodeViewerHeader
  pods?: string
  nodes: NodeViewerNode[]
}

const ESC = '\x1b'

/**
 * The output up to the end of its last complete frame: nothing while the first frame is being
 * written; all of it when it is plain text (no escape sequence at all).
 */
export function completeFrames(output: string): string {
  // A frame ends with the cursor moved to a row of its own, column unset: ESC[<rows>H.
  let end = -1
  for (const m of output.matchAll(new RegExp(`${ESC}\\[\\d+H`, 'g'))) end = m.index + m[0].length
  if (end >= 0) return output.slice(0, end)
  return output.includes(ESC) ? '' : output
}

/** Replays terminal output on a screen of unlimited size and returns its rows. */
export function replayScreen(output: string): string[] {
  let rows: string[][] = [[]]
  let row = 0
  let col = 0
  const put = (ch: string) => {
    while (rows.length <= row) rows.push([])
    const line = rows[row]
    while (line.length < col) line.push(' ')
    line[col] = ch
    col++
  }
  const eraseLine = (from: number, to: number) => {
    const line = rows[row]
    if (!line) return
    for (let i = from; i < Math.min(to, line.length); i++) line[i] = ' '
  }
  let i = 0
  const chars = [...output]
  while (i < chars.length) {
    const ch = chars[i]
    if (ch === ESC) {
      const next = chars[i + 1]
      if (next === '[') {
        // CSI: parameters, intermediates, one final byte.
        let j = i + 2
        while (j < chars.length && !/[@-~]/.test(chars[j])) j++
        if (j >= chars.length) break // cut off mid-sequence
        const params = chars.slice(i + 2, j).join('')
        const final = chars[j]
        const nums = params
          .replace(/^[?>=<]/, '')
          .split(';')
          .map((p) => (p === '' ? undefined : Number(p)))
        const n = (k: number, dflt: number) => nums[k] ?? dflt
        const privateMode = params.startsWith('?')
        switch (final) {
          case 'H':
          case 'f':
            row = n(0, 1) - 1
            col = n(1, 1) - 1
            break
          case 'A':
            row = Math.max(0, row - n(0, 1))
            break
          case 'B':
            row += n(0, 1)
            break
          case 'C':
            col += n(0, 1)
            break
          case 'D':
            col = Math.max(0, col - n(0, 1))
            break
          case 'G':
            col = n(0, 1) - 1
            break
          case 'J': {
            const mode = n(0, 0)
            if (mode === 2 || mode === 3) rows = [[]]
            else if (mode === 0) {
              eraseLine(col, Infinity)
              rows.length = Math.min(rows.length, row + 1)
            } else {
              for (let r = 0; r < row && r < rows.length; r++) rows[r] = []
              eraseLine(0, col + 1)
            }
            break
          }
          case 'K': {
            const mode = n(0, 0)
            if (mode === 0) eraseLine(col, Infinity)
            else if (mode === 1) eraseLine(0, col + 1)
            else eraseLine(0, Infinity)
            break
          }
          case 'h':
            // Entering the alternate screen: a clear screen of its own.
            if (privateMode && [1049, 1047, 47].includes(n(0, 0))) {
              rows = [[]]
              row = 0
              col = 0
            }
            break
          default:
          // SGR (m), modes (l), cursor reports (n) and the rest: nothing drawn.
        }
        i = j + 1
        continue
      }
      if (next === ']' || next === 'P' || next === '_' || next === '^') {
        // OSC / DCS / APC / PM: up to BEL or ST (ESC \).
        let j = i + 2
        while (j < chars.length && chars[j] !== '\x07' && !(chars[j] === ESC && chars[j + 1] === '\\')) j++
        i = j < chars.length && chars[j] === ESC ? j + 2 : j + 1
        continue
      }
      // A two- or three-byte escape (ESC ( B, ESC 7, ESC =): nothing drawn.
      i += next === '(' || next === ')' ? 3 : 2
      continue
    }
    if (ch === '\r') col = 0
    else if (ch === '\n') row++
    else if (ch === '\b') col = Math.max(0, col - 1)
    else if (ch === '\t') col = (Math.floor(col / 8) + 1) * 8
    else if (ch >= ' ' || ch > '\x7f') put(ch)
    i++
  }
  const lines = rows.map((r) => r.join('').trimEnd())
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  return lines
}

const NUMBER = String.raw`[\d,]+(?:\.\d+)?`
const num = (s: string) => Number(s.replace(/,/g, ''))
const BAR = '[█░▏▎▍▌▋▊▉ ]*'

const HEADER = new RegExp(String.raw`^(${NUMBER}) nodes\s+\(\s*(\S+)/(\S+)\)\s+(${NUMBER})%\s+(\S+)\s+${BAR}(?:\$(${NUMBER})/hour \| \$(${NUMBER})/month)?\s*$`)
const NODE = new RegExp(
  String.raw`^(\S+)\s+(\S+)\s+${BAR}?\s*(\d+)%\s+\(\s*(\d+)(?:/(\d+))? pods\)\s+(\S+?)(?:/\$(${NUMBER}))?\s+(On-Demand|Spot|Fargate|-)(?:/Auto)?\s+(Cordoned/Deleting|Deleting|Cordoned|-)\s+(Ready|NotReady(?:/\S+)?)(?:\s.*)?$`,
)

/** Reads eks-node-viewer's screen: the cluster summary, the pods line, one entry per node line. */
export function parseNodeViewerScreen(lines: string[]): NodeViewerScreen {
  const screen: NodeViewerScreen = { lines, nodes: [] }
  for (const line of lines) {
    const h = HEADER.exec(line)
    if (h && !screen.header) {
      screen.header = {
        nodes: num(h[1]),
        used: h[2],
        allocatable: h[3],
        percent: num(h[4]),
        resource: h[5],
        hourly: h[6] ? num(h[6]) : undefined,
        monthly: h[7] ? num(h[7]) : undefined,
      }
      continue
    }
    if (/^[\d,]+ pods \(/.test(line) && !screen.pods) {
      screen.pods = line
      continue
    }
    const m = NODE.exec(line)
    if (m) {
      screen.nodes.push({
        name: m[1],
        resource: m[2],
        percent: Number(m[3]),
        pods: Number(m[4]),
        maxPods: m[5] ? Number(m[5]) : undefined,
        instanceType: m[6],
        price: m[7] ? num(m[7]) : undefined,
        capacity: m[8] as NodeViewerNode['capacity'],
        status: m[9],
        ready: m[10] === 'Ready',
        line,
      })
    }
  }
  return screen
}

/** The screen after the last complete frame eks-node-viewer drew. */
export function nodeViewerScreen(output: string): NodeViewerScreen {
  return parseNodeViewerScreen(replayScreen(completeFrames(output)))
}
