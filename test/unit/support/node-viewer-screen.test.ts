// eks-node-viewer's screen, read from what it writes to its terminal: frames recorded in the real
// tool's format (awslabs/eks-node-viewer pkg/model/uimodel.go View(), Bubble Tea v1.3's
// standard_renderer.go flush() in the alternate screen), the sandbox's stand-in drawing the same,
// and the stand-in's wrapper giving the real tool a terminal (audit A4).
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { completeFrames, nodeViewerScreen, replayScreen } from '../../../support/node-viewer-screen.ts'
import { Terminal } from '../../../support/shell.ts'
import { AltScreenRenderer, view, type ViewNode } from '../../../sandbox/tools/node-viewer-view.ts'
import { projectRoot } from '../../../lib/paths.ts'

const red = (s: string) => `\x1b[38;2;255;0;0m${s}\x1b[0m`
const bar = (full: number, empty: number, pct = '') => `${red('█').repeat(full)}${'\x1b[38;2;96;96;96m░\x1b[0m'.repeat(empty)}${pct}`

// As eks-node-viewer v0.7.4 writes it on a 200-column terminal with the default flags: start-up
// (hide cursor, alternate screen, bracketed paste, lipgloss's background-colour query), a first
// frame, then a second in which only the summary and one node changed (the others are skipped with
// a bare LF), then a third cut off mid-way (the output read while it was being written).
const startup = '\x1b[?25l\x1b[?1049h\x1b[2J\x1b[H\x1b[?25l\x1b[?2004h\x1b]11;?\x07\x1b[6n'
const frame1 = [
  '\x1b[H\r3 nodes (     2690m/5790m) 46.5% cpu ' + bar(19, 21) + ' $0.257/hour | $187.610/month \x1b[K\r\n',
  '17 pods (0 pending 17 running 17 bound)\x1b[K\r\n',
  '\x1b[K\r\n',
  'ip-10-0-37-226.eu-west-2.compute.internal cpu ' + bar(27, 9, ' 75%') + ' (11 pods) c5a.xlarge/$0.0623  Spot      - Ready \x1b[K\r\n',
  'ip-10-0-3-94.eu-west-2.compute.internal   cpu ' + bar(5, 31, ' 14%') + ' (3 pods)  m5.large/$0.1110    On-Demand - Ready \x1b[K\r\n',
  'ip-10-0-22-18.eu-west-2.compute.internal  cpu ' + bar(5, 31, ' 14%') + ' (3 pods)  m5.large/$0.1110    On-Demand - Ready \x1b[K\r\n',
  '\x1b[38;5;252m•\x1b[0m\x1b[K\r\n',
  '\x1b[38;5;241m←/→ page • q: quit\x1b[0m\x1b[K\r\n',
  '\x1b[K\x1b[9H',
].join('')
const frame2 = [
  '\x1b[H3 nodes (     1720m/5790m) 29.7% cpu ' + bar(12, 28) + ' $0.257/hour | $187.610/month \x1b[K\r\n',
  '10 pods (0 pending 10 running 10 bound)\x1b[K\r\n',
  '\n',
  'ip-10-0-37-226.eu-west-2.compute.internal cpu ' + bar(9, 27, ' 25%') + ' (4 pods)  c5a.xlarge/$0.0623  Spot      Cordoned Ready \x1b[K\r\n',
  '\n\n\n\n',
  '\x1b[9H',
].join('')
const frame3 = '\x1b[H2 nodes (      520m/3860m) 13.5% cpu ' + bar(5, 35) + ' $0.2'

describe("eks-node-viewer's screen", () => {
  it('is the screen after the last complete frame: skipped lines kept, colours and queries gone, a cut-off frame ignored', () => {
    const screen = nodeViewerScreen(startup + frame1 + frame2 + frame3)
    assert.equal(screen.header?.nodes, 3)
    assert.deepEqual(screen.header, { nodes: 3, used: '1720m', allocatable: '5790m', percent: 29.7, resource: 'cpu', hourly: 0.257, monthly: 187.61 })
    assert.equal(screen.pods, '10 pods (0 pending 10 running 10 bound)')
    assert.deepEqual(
      screen.nodes.map((n) => [n.name, n.instanceType, n.price, n.percent, n.pods, n.capacity, n.status, n.ready]),
      [
        ['ip-10-0-37-226.eu-west-2.compute.internal', 'c5a.xlarge', 0.0623, 25, 4, 'Spot', 'Cordoned', true],
        ['ip-10-0-3-94.eu-west-2.compute.internal', 'm5.large', 0.111, 14, 3, 'On-Demand', '-', true],
        ['ip-10-0-22-18.eu-west-2.compute.internal', 'm5.large', 0.111, 14, 3, 'On-Demand', '-', true],
      ],
    )
    assert.equal(screen.lines.at(-1), '←/→ page • q: quit')
    assert.ok(!screen.lines.some((l) => l.includes('\x1b')), 'no escape sequence left on the screen')
  })

  it('before the first frame is complete, shows nothing', () => {
    const screen = nodeViewerScreen(startup + frame1.slice(0, 120))
    assert.equal(screen.header, undefined)
    assert.deepEqual(screen.nodes, [])
    assert.equal(completeFrames('plain text'), 'plain text')
  })

  it("reads the main branch's format too: (pods/max pods), Auto Mode, no price, a node not ready, thousands with commas", () => {
    const screen = nodeViewerScreen(
      '\x1b[H1,204 nodes (  125,500m/127,330m) 98.6% cpu ' +
        bar(40, 0) +
        ' $5,324.000/hour | $3,886,520.000/month \x1b[K\r\n' +
        'i-0abc cpu ' +
        bar(35, 1, '100%') +
        ' (130/234 pods) c6a.8xlarge/$1.2240 On-Demand/Auto Cordoned/Deleting NotReady/3m \x1b[K\r\n' +
        'fargate-ip-10-0-1-1 cpu ' +
        bar(0, 36, '  0%') +
        ' (1/1 pods) fargate Fargate - Ready\x1b[K\x1b[3H',
    )
    assert.deepEqual([screen.header?.nodes, screen.header?.hourly, screen.header?.monthly], [1204, 5324, 3886520])
    assert.deepEqual(
      screen.nodes.map((n) => [n.name, n.pods, n.maxPods, n.instanceType, n.price, n.capacity, n.status, n.ready]),
      [
        ['i-0abc', 130, 234, 'c6a.8xlarge', 1.224, 'On-Demand', 'Cordoned/Deleting', false],
        ['fargate-ip-10-0-1-1', 1, 1, 'fargate', undefined, 'Fargate', '-', true],
      ],
    )
  })

  it('replays cursor moves and erases as a terminal does', () => {
    assert.deepEqual(replayScreen('abc\r\ndef\x1b[1;2Hx\x1b[K\x1b[3;1Hz'), ['ax', 'def', 'z'])
    assert.deepEqual(replayScreen('one\r\ntwo\r\nthree\x1b[2;1H\x1b[J'), ['one'])
    assert.deepEqual(replayScreen('old\x1b[?1049h\x1b[Hnew'), ['new'])
  })
})

describe("the sandbox's eks-node-viewer draws what the real one draws", () => {
  const node = (name: string, over: Partial<ViewNode> = {}): ViewNode => ({
    name,
    instanceType: 'm5.large',
    price: 0.111,
    capacity: 'on-demand',
    ready: true,
    cordoned: false,
    deleting: false,
    requested: 270,
    allocatable: 1930,
    pods: 3,
    ...over,
  })

  it('frame by frame, with unchanged lines skipped, read back by the same reader', () => {
    const r = new AltScreenRenderer()
    const pods = { total: 17, pending: 0, running: 17, bound: 17 }
    const spot = node('ip-10-0-37-226.eu-west-2.compute.internal', {
      instanceType: 'c5a.xlarge',
      price: 0.0623,
      capacity: 'spot',
      requested: 2150,
      allocatable: 3920,
      pods: 11,
    })
    const first = r.frame(view({ nodes: [spot, node('ip-10-0-3-94.eu-west-2.compute.internal')], pods }))
    const second = r.frame(view({ nodes: [{ ...spot, cordoned: true }, node('ip-10-0-3-94.eu-west-2.compute.internal')], pods }))
    assert.equal(
      r.frame(view({ nodes: [{ ...spot, cordoned: true }, node('ip-10-0-3-94.eu-west-2.compute.internal')], pods })),
      '',
      'no change, nothing written',
    )
    assert.ok(second.split('\x1b[K').length < first.split('\x1b[K').length, 'the second frame rewrites only what changed')
    const screen = nodeViewerScreen(r.start() + first + second + r.stop())
    assert.deepEqual(screen.header && [screen.header.nodes, screen.header.used, screen.header.allocatable, screen.header.percent, screen.header.hourly], [
      2,
      '2420m',
      '5850m',
      41.4,
      0.173,
    ])
    assert.deepEqual(
      screen.nodes.map((n) => [n.name, n.instanceType, n.price, n.percent, n.pods, n.capacity, n.status]),
      [
        ['ip-10-0-37-226.eu-west-2.compute.internal', 'c5a.xlarge', 0.0623, 55, 11, 'Spot', 'Cordoned'],
        ['ip-10-0-3-94.eu-west-2.compute.internal', 'm5.large', 0.111, 14, 3, 'On-Demand', '-'],
      ],
    )
  })
})

describe('bin/stand-ins/eks-node-viewer on a real account', () => {
  const bin = mkdtempSync(join(tmpdir(), 'env-bin-'))
  const terminal = new Terminal({
    cwd: mkdtempSync(join(tmpdir(), 'env-')),
    env: { PATH: `${join(projectRoot, 'bin', 'stand-ins')}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: tmpdir(), SPOTCHECK_TARGET: 'aws' },
  })
  after(() => terminal.close())

  it('without the real tool: exit 127, saying how to install it', async () => {
    const r = await terminal.run('eks-node-viewer || echo "exit $?"')
    // The message is on stderr and `exit 127` on stdout: the terminal may show them in either order.
    assert.match(
      r.output,
      /eks-node-viewer: not installed[\s\S]*brew install eks-node-viewer[\s\S]*go install github\.com\/awslabs\/eks-node-viewer\/cmd\/eks-node-viewer@latest/,
    )
    assert.match(r.output, /^exit 127$/m)
  })

  it('gives the real tool a terminal of 200×50, though spotcheck runs it with no terminal at all', async () => {
    // A stand-in for the real binary: it draws only when its input and output are terminals, as
    // Bubble Tea needs, and tells the terminal's size.
    writeFileSync(
      join(bin, 'eks-node-viewer'),
      '#!/usr/bin/env bash\n[[ -t 0 && -t 1 ]] || { echo "no terminal" >&2; exit 1; }\nprintf "\\033[?1049h\\033[H%s nodes\\033[K\\r\\n\\033[2H" "$(stty size)"\nsleep 30\n',
    )
    chmodSync(join(bin, 'eks-node-viewer'), 0o755)
    const command = terminal.start(`PATH="$PATH:${bin}" eks-node-viewer`)
    const deadline = Date.now() + 10_000
    while (!command.output.includes('\x1b[2H') && command.running && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    const result = await command.stop()
    assert.deepEqual(replayScreen(completeFrames(result.output)), ['50 200 nodes'], result.output)
  })
})
