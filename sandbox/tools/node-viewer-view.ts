// What the sandbox's eks-node-viewer draws, drawn as the real one draws it: the lines of
// awslabs/eks-node-viewer v0.7.4's View() (pkg/model/uimodel.go: writeClusterSummary,
// writeNodeInfo; columns by pkg/text/colortabwriter.go), and the bytes Bubble Tea's standard
// renderer writes for each frame in the alternate screen (bubbletea v1.3 standard_renderer.go:
// flush, enterAltScreen). support/node-viewer-screen.ts reads both the real tool and this.

export interface ViewNode {
  name: string
  instanceType: string
  /** Hourly price; undefined when unknown (the real tool then omits "/$…"). */
  price?: number
  capacity: 'spot' | 'on-demand'
  ready: boolean
  cordoned: boolean
  deleting: boolean
  /** Millicores requested by the pods on the node, and allocatable. */
  requested: number
  allocatable: number
  pods: number
}

export interface ViewCluster {
  nodes: ViewNode[]
  pods: { total: number; pending: number; running: number; bound: number }
}

const BAR_WIDTH = 40 // bubbles/progress defaultWidth

/** bubbles/progress ViewAs: a gradient of full cells, empty cells, then " %3.0f%%" when shown. */
function progress(share: number, showPercentage: boolean): string {
  const text = showPercentage ? ` ${String(Math.round(Math.max(0, Math.min(1, share)) * 100)).padStart(3)}%` : ''
  const total = Math.max(0, BAR_WIDTH - text.length)
  const full = Math.max(0, Math.min(total, Math.round(total * share)))
  // One colour per full cell, red to green (the style's gradient), grey empty cells.
  const cells = Array.from({ length: full }, (_, i) => `\x1b[38;5;${196 - Math.round((i / Math.max(1, total - 1)) * 150)}m█\x1b[0m`)
  return `${cells.join('')}${'\x1b[38;5;241m░\x1b[0m'.repeat(total - full)}${text}`
}

const SGR = new RegExp(`${'\x1b'}\\[[0-9;]*m`, 'g')

/** Width as colortabwriter counts it: SGR sequences are not counted. */
function visible(cell: string): number {
  return [...cell.replace(SGR, '')].length
}

/** colortabwriter: each cell padded to its column's width plus one; empty columns collapse. */
function tabulate(rows: string[][]): string[] {
  const widths: number[] = []
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visible(cell))))
  return rows.map((row) => row.map((cell, i) => (widths[i] === 0 ? '' : cell + ' '.repeat(widths[i] + 1 - visible(cell)))).join(''))
}

const en = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
const cpu = (milli: number) => (milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`)

/** The frame's text: View() of eks-node-viewer v0.7.4 with the default flags (--resources cpu). */
export function view(cluster: ViewCluster): string {
  const requested = cluster.nodes.reduce((s, n) => s + n.requested, 0)
  const allocatable = cluster.nodes.reduce((s, n) => s + n.allocatable, 0)
  const hourly = cluster.nodes.reduce((s, n) => s + (n.price ?? 0), 0)
  const pct = allocatable > 0 ? (100 * requested) / allocatable : 0
  const summary = tabulate([
    [
      `${en(cluster.nodes.length)} nodes`,
      `(${cpu(requested).padStart(10)}/${cpu(allocatable)})`,
      `${pct.toFixed(1)}%`,
      'cpu',
      progress(pct / 100, false),
      `$${en(hourly, 3)}/hour | $${en((hourly * 365 * 24) / 12, 3)}/month`,
    ],
  ])
  const p = cluster.pods
  const out = [...summary, `${en(p.total)} pods (${en(p.pending)} pending ${en(p.running)} running ${en(p.bound)} bound)`]
  if (cluster.nodes.length === 0) return [...out, '', 'Waiting for update or no nodes found...', '•', '←/→ page • q: quit', ''].join('\n')
  const rows = cluster.nodes.map((n) => {
    const share = n.allocatable > 0 ? n.requested / n.allocatable : 0
    return [
      n.name,
      'cpu',
      progress(share, true),
      `(${n.pods} pods)`,
      `${n.instanceType}${n.price === undefined ? '' : `/$${n.price.toFixed(4)}`}`,
      n.capacity === 'spot' ? 'Spot' : 'On-Demand',
      n.cordoned && n.deleting ? 'Cordoned/Deleting' : n.deleting ? 'Deleting' : n.cordoned ? 'Cordoned' : '-',
      n.ready ? 'Ready' : 'NotReady/0s',
      '', // --extra-labels defaults to "": one empty column, which the tab writer collapses
    ]
  })
  return [...out, '', ...tabulate(rows), '\x1b[38;5;252m•\x1b[0m', '\x1b[38;5;241m←/→ page • q: quit\x1b[0m', ''].join('\n')
}

/** Bubble Tea's standard renderer in the alternate screen: what it writes to the terminal. */
export class AltScreenRenderer {
  private last: string[] = []
  private lastRender = ''

  /** tea.Program start: hide the cursor, enter the alternate screen, bracketed paste on. */
  start(): string {
    return '\x1b[?25l\x1b[?1049h\x1b[2J\x1b[H\x1b[?25l\x1b[?2004h'
  }

  /** A frame, or '' when the view did not change (flush writes nothing then). */
  frame(text: string): string {
    if (text === this.lastRender) return ''
    const lines = text.split('\n')
    let out = '\x1b[H'
    lines.forEach((line, i) => {
      if (this.last[i] === line) {
        if (i < lines.length - 1) out += '\n'
        return
      }
      if (i === 0 && this.lastRender === '') out += '\r'
      out += `${line}\x1b[K`
      if (i < lines.length - 1) out += '\r\n'
    })
    if (this.last.length > lines.length) out += '\x1b[J'
    out += `\x1b[${lines.length}H`
    this.last = lines
    this.lastRender = text
    return out
  }

  /** tea.Program exit: bracketed paste off, leave the alternate screen, show the cursor. */
  stop(): string {
    return '\x1b[?2004l\x1b[?1049l\x1b[?25l\x1b[?25h'
  }
}
