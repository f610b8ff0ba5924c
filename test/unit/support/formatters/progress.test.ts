// spotcheck's progress formatter, fed a recorded run: fixture/run.ndjson is cucumber-js's messages
// of the fixture features (fixture/features: a section that passes with a wait, one whose
// scenario fails, one skipped), recorded with
//   cd test/unit/support/formatters/fixture && npx cucumber-js --import steps.mjs --format message:run.ndjson
import { describe, it } from 'node:test'
/* eslint-disable no-control-regex -- the terminal's escape sequences are what these tests check */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Envelope } from '@cucumber/messages'
import { ProgressView, formatWall, summaryTable, type ViewOptions } from '../../../../support/formatters/progress-view.ts'
import { colours, destination } from '../../../../support/formatters/progress.ts'
import { onProgress, publishProgress } from '../../../../support/formatters/channel.ts'

const RECORDED: Envelope[] = readFileSync(join(import.meta.dirname, 'fixture', 'run.ndjson'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Envelope)

/** A view writing into a string, on a clock the test moves. */
function view(options: Partial<ViewOptions> = {}) {
  let out = ''
  let now = 1_000_000
  const v = new ProgressView({ write: (t) => (out += t), now: () => now, ...options })
  return {
    v,
    output: () => out,
    lines: () => out.split('\n'),
    clear: () => (out = ''),
    advance: (ms: number) => (now += ms),
  }
}

/** Feeds the recorded run up to (not including) the first envelope for which `stop` is true. */
/** A view inside the recorded run's first step, with nothing printed yet. */
function inAStep(options: Partial<ViewOptions> = {}) {
  const t = view(options)
  feedUntil(t.v, (e) => Boolean(e.testStepStarted))
  t.v.update(RECORDED.find((e) => e.testStepStarted)!)
  t.clear()
  return t
}

function feedUntil(v: ProgressView, stop: (e: Envelope) => boolean): number {
  const i = RECORDED.findIndex(stop)
  for (const e of RECORDED.slice(0, i)) v.update(e)
  return i
}

describe('the progress formatter, fed a recorded run', () => {
  it('prints each section and scenario as it starts, and each section with its result and wall time', () => {
    const t = view()
    for (const e of RECORDED) t.v.update(e)
    const lines = t.lines()
    const at = (text: string) => lines.indexOf(text)
    assert.ok(at('▶ Section one') >= 0, t.output())
    assert.ok(at('  • A scenario that waits') > at('▶ Section one'))
    assert.ok(at('  • Another scenario') > at('  • A scenario that waits'))
    assert.match(lines.find((l) => l.startsWith('✓ Section one'))!, /^✓ Section one: passed in \d+\.\d s$/)
    assert.ok(lines.findIndex((l) => l.startsWith('✓ Section one')) < at('▶ Section two'), 'a section ends before the next starts')
    assert.match(t.output(), /^✗ Section two: failed in \d+\.\d s$/m)
    assert.match(t.output(), /^- Section three: skipped in \d+\.\d s$/m)
    // No dots, no Cucumber summary: a few lines per section.
    assert.doesNotMatch(t.output(), /^\.+$/m)
  })

  it('shows a failed scenario’s failing step, with the first line of its message, as it fails', () => {
    const t = view()
    for (const e of RECORDED) t.v.update(e)
    const lines = t.lines()
    const failing = lines.indexOf('    ✗ Then "a step that fails": expected 3 nodes, saw 2')
    assert.ok(failing > lines.indexOf('  • A scenario that fails'), t.output())
    assert.ok(failing < lines.findIndex((l) => l.startsWith('✗ Section two')))
    assert.doesNotMatch(t.output(), /second line of the message/)
  })

  it('ends with a table of sections × status × wall time, the failing step under a failed section', () => {
    const t = view()
    for (const e of RECORDED) t.v.update(e)
    const table = t.lines().slice(t.lines().indexOf('Summary'))
    assert.match(table[1], /^ {2}section +status +wall time$/)
    assert.match(table[2], /^ {2}Section one +✓ passed +\d+\.\d s$/)
    assert.match(table[3], /^ {2}Section two +✗ failed +\d+\.\d s$/)
    assert.equal(table[4], '      A scenario that fails — Then "a step that fails": expected 3 nodes, saw 2')
    assert.match(table[5], /^ {2}Section three +- skipped +\d+\.\d s$/)
    assert.match(table[6], /^ {2}the whole run \(with set-up and clean-up\) +✗ failed +\d+\.\d s$/)
    // The columns line up.
    assert.equal(table[2].indexOf('passed'), table[1].indexOf('status'))
    assert.equal(table[2].length, table[1].length)
  })

  it('gives its rows to a caller (spotcheck drift), in the order of the files', () => {
    const v = new ProgressView({ write: () => {}, summary: false })
    for (const e of RECORDED) v.update(e)
    const rows = v.rows()
    assert.deepEqual(
      rows.map((r) => [r.tag, r.name, r.status, r.scenarios]),
      [
        ['@first', 'Section one', 'passed', 2],
        ['@second', 'Section two', 'failed', 1],
        ['@third', 'Section three', 'skipped', 1],
      ],
    )
    assert.deepEqual(rows[1].failure, { scenario: 'A scenario that fails', step: 'Then "a step that fails"', message: 'expected 3 nodes, saw 2' })
    assert.ok(rows.every((r) => r.wallMs >= 0))
  })

  it('a run cut short: the sections not reached are "not run", the one under way "running"', () => {
    const v = new ProgressView({ write: () => {} })
    // Up to Section two's scenario starting (the third scenario of the run), not its end.
    const third = RECORDED.filter((e) => e.testCaseStarted)[2]
    for (const e of RECORDED.slice(0, RECORDED.indexOf(third) + 1)) v.update(e)
    assert.deepEqual(
      v.rows().map((r) => r.status),
      ['passed', 'running', 'not run'],
    )
  })

  it('summary: false leaves the table out', () => {
    const t = view({ summary: false })
    for (const e of RECORDED) t.v.update(e)
    assert.doesNotMatch(t.output(), /Summary/)
    assert.match(t.output(), /^✗ Section two: failed/m)
  })
})

describe("the run's progress lines, not on a terminal (CI, a log)", () => {
  it('prints a note as a line of its own, indented inside a section', () => {
    const t = view()
    t.v.note('run 1: target sandbox')
    feedUntil(t.v, (e) => Boolean(e.testStepStarted))
    t.v.note('a note from the run')
    assert.match(t.output(), /^spotcheck: run 1: target sandbox$/m)
    assert.match(t.output(), /^ {4}spotcheck: a note from the run$/m)
  })

  it('a wait is not a line each time: one heartbeat line per 30 s with its subject and the step’s elapsed time', () => {
    const t = inAStep()
    t.v.note('… Karpenter launches a node: 0 NodeClaims (5 s of 2 min)')
    t.advance(10_000)
    t.v.tick()
    assert.equal(t.output(), '', 'nothing before 30 s')
    t.v.note('… Karpenter launches a node: 1 NodeClaim, not Ready (45 s of 2 min)')
    t.advance(20_000)
    t.v.tick()
    assert.equal(t.output(), '    … [30 s] Karpenter launches a node: 1 NodeClaim, not Ready (45 s of 2 min)\n')
    t.advance(20_000)
    t.v.tick()
    assert.equal(t.output().split('\n').length, 2, 'no second line within 30 s of the first')
    t.advance(10_000)
    t.v.tick()
    assert.match(t.output(), /\[1 min\] Karpenter launches a node/)
  })

  it('a long step with no wait of its own: the heartbeat names the step; a long command’s output is its activity', () => {
    const t = inAStep()
    t.advance(30_000)
    t.v.tick()
    assert.equal(t.output(), '    … [30 s] Given "a step that waits"\n')
    t.v.note('  module.eks.aws_eks_cluster.this[0]: Still creating... [1m0s elapsed]')
    t.advance(30_000)
    t.v.tick()
    assert.match(t.output(), /\[1 min\] module\.eks\.aws_eks_cluster\.this\[0\]: Still creating\.\.\. \[1m0s elapsed\]\n$/)
  })

  it('the sandbox coming up in BeforeAll is the hook’s activity, not a line every 5 s', () => {
    const t = view()
    const ts = { seconds: 1, nanos: 0 }
    t.v.update({ hook: { id: 'h1', name: 'spotcheck: start the target', type: 'BEFORE_TEST_RUN', sourceReference: {} } } as unknown as Envelope)
    t.v.update({ testRunHookStarted: { id: 'r1', testRunStartedId: 'x', hookId: 'h1', timestamp: ts } })
    t.v.note('sandbox "run-1": starting (region eu-west-2, time scale ×20, AWS as of 2024-01-29)…')
    for (const n of [5, 10, 15, 20, 25, 30]) t.v.note(`sandbox "run-1": still starting (${n}s)…`)
    t.advance(30_000)
    t.v.tick()
    assert.equal(
      t.output(),
      'spotcheck: sandbox "run-1": starting (region eu-west-2, time scale ×20, AWS as of 2024-01-29)…\n… [30 s] sandbox "run-1": still starting (30s)…\n',
    )
  })

  it('a watch that retries by itself is activity too, not a line', () => {
    const t = inAStep()
    t.v.note('(recorder) watch pods: The operation was aborted due to timeout (retrying quietly)')
    assert.equal(t.output(), '')
  })

  it('a step prints at most 6 notes; the rest are folded into one line when it ends', () => {
    const t = view()
    feedUntil(t.v, (e) => Boolean(e.testStepFinished))
    t.clear()
    for (let i = 1; i <= 11; i++) t.v.note(`cleanup: deleting launch template lt-${i}`)
    t.v.update(RECORDED.find((e) => e.testStepFinished)!)
    assert.deepEqual(t.lines().filter(Boolean), [
      ...[1, 2, 3, 4, 5, 6].map((i) => `    spotcheck: cleanup: deleting launch template lt-${i}`),
      "    spotcheck: … and 5 more line(s) (every line: progress.log in the run's directory)",
    ])
  })

  it('no heartbeat and no status line between steps', () => {
    const t = view()
    for (const e of RECORDED) t.v.update(e)
    t.clear()
    t.advance(120_000)
    t.v.tick()
    assert.equal(t.output(), '')
  })
})

describe('on a terminal', () => {
  it('a wait is one status line redrawn in place; a printed line clears it first and it comes back', () => {
    const t = inAStep({ live: true, columns: () => 80 })
    t.v.note('… the fixture is ready: not yet (5 s of 2 min)')
    t.advance(3_000)
    t.v.tick()
    assert.equal(
      t.output(),
      '\r\x1b[2K    … [0.0 s] the fixture is ready: not yet (5 s of 2 min)\r\x1b[2K    … [3.0 s] the fixture is ready: not yet (5 s of 2 min)',
    )
    assert.ok(!t.output().includes('\n'), 'no new line for a wait')
    t.clear()
    t.v.note('a note from the run')
    assert.equal(t.output(), '\r\x1b[2K    spotcheck: a note from the run\n\r\x1b[2K    … [3.0 s] the fixture is ready: not yet (5 s of 2 min)')
  })

  it('the status line fits the terminal’s width', () => {
    const t = inAStep({ live: true, columns: () => 40 })
    t.v.note(`… ${'a very long subject '.repeat(10)}(5 s of 2 min)`)
    const shown = t.output().split('\r\x1b[2K').pop()!
    assert.equal([...shown].length, 39)
    assert.ok(shown.endsWith('…'))
  })

  it('the end of the run clears the status line before the table', () => {
    const t = view({ live: true })
    for (const e of RECORDED) t.v.update(e)
    const out = t.output()
    assert.ok(out.includes('\r\x1b[2K'), 'status lines were drawn')
    // Whatever status line was last drawn is cleared before a printed line: after the last clear,
    // only whole lines follow, down to the table's end.
    const rest = out.slice(out.lastIndexOf('\r\x1b[2K') + '\r\x1b[2K'.length)
    assert.doesNotMatch(rest, /^ *… \[/m, 'no status line left standing')
    assert.ok(rest.includes('Summary') && rest.endsWith('\n'))
  })

  it('colours the result marks only on a terminal, and never with NO_COLOR or FORCE_COLOR=0', () => {
    const t = view({ live: true, color: true })
    for (const e of RECORDED) t.v.update(e)
    assert.match(t.output(), /\x1b\[32m✓\x1b\[39m Section one: passed/)
    const plain = view({ live: false, color: true })
    for (const e of RECORDED) plain.v.update(e)
    assert.doesNotMatch(plain.output(), /\x1b/)
    assert.equal(colours({ isTTY: true }, {}), true)
    assert.equal(colours({ isTTY: true }, { NO_COLOR: '1' }), false)
    assert.equal(colours({ isTTY: true }, { FORCE_COLOR: '0' }), false)
    assert.equal(colours({ isTTY: false }, {}), false)
  })
})

describe('where it writes', () => {
  const stdout = { isTTY: true } as unknown as NodeJS.WriteStream
  const pipe = { isTTY: false } as unknown as NodeJS.WriteStream
  const stderr = {} as NodeJS.WriteStream
  const file = {} as NodeJS.WriteStream
  it('stdout when stdout is a terminal; stderr when it is not; its own file when given one', () => {
    assert.equal(destination(stdout, stdout, stderr), stdout)
    assert.equal(destination(pipe, pipe, stderr), stderr)
    assert.equal(destination(file, pipe, stderr), file)
  })
})

describe('a hook of the run that fails (BeforeAll, AfterAll)', () => {
  it('is shown as it fails and under the table', () => {
    const t = view()
    const ts = { seconds: 1, nanos: 0 }
    t.v.update({ hook: { id: 'h1', name: 'spotcheck: start the target', type: 'BEFORE_TEST_RUN', sourceReference: {} } } as unknown as Envelope)
    t.v.update({ testRunStarted: { timestamp: ts } })
    t.v.update({ testRunHookStarted: { id: 'r1', testRunStartedId: 'x', hookId: 'h1', timestamp: ts } })
    t.v.update({
      testRunHookFinished: {
        testRunHookStartedId: 'r1',
        timestamp: ts,
        result: { status: 'FAILED', message: 'the sandbox did not start\nstack', duration: { seconds: 0, nanos: 0 } },
      },
    } as unknown as Envelope)
    t.v.update({ testRunFinished: { timestamp: { seconds: 3, nanos: 0 }, success: false } })
    assert.match(t.output(), /^✗ BeforeAll hook "spotcheck: start the target" failed: the sandbox did not start$/m)
    const table = t.output().slice(t.output().indexOf('Summary'))
    assert.match(table, /✗ BeforeAll hook "spotcheck: start the target": the sandbox did not start/)
    assert.match(table, /the whole run \(with set-up and clean-up\) +✗ failed +2\.0 s/)
  })
})

describe('the table of several runs (spotcheck drift)', () => {
  it('has a run column', () => {
    const lines = summaryTable([
      { run: 'as-written-2024-01-29', uri: 'a', tag: '@a', name: 'Prerequisites', status: 'passed', wallMs: 12_000, scenarios: 3 },
      {
        run: 'current-2026-12-06',
        uri: 'a',
        tag: '@a',
        name: 'Prerequisites',
        status: 'failed',
        wallMs: 200_000,
        scenarios: 3,
        failure: { scenario: 'Preflight', step: 'Then "x"', message: 'drift' },
      },
    ])
    assert.match(lines[1], /^ {2}run +section +status +wall time$/)
    assert.match(lines[2], /^ {2}as-written-2024-01-29 +Prerequisites +✓ passed +12 s$/)
    assert.match(lines[3], /^ {2}current-2026-12-06 +Prerequisites +✗ failed +3 min 20 s$/)
    assert.equal(lines[4], '      Preflight — Then "x": drift')
  })
})

describe('wall times', () => {
  it('reads as a person says them', () => {
    assert.equal(formatWall(420), '0.4 s')
    assert.equal(formatWall(12_400), '12 s')
    assert.equal(formatWall(185_000), '3 min 5 s')
    assert.equal(formatWall(120_000), '2 min')
    assert.equal(formatWall(3_720_000), '1 h 2 min')
  })
})

describe("the run's progress channel", () => {
  it('goes to stderr as "spotcheck: …" when no formatter listens, and only to the formatter when one does', () => {
    const fallback: string[] = []
    publishProgress('alone', (t) => fallback.push(t))
    assert.deepEqual(fallback, ['spotcheck: alone\n'])
    const heard: string[] = []
    const stop = onProgress((l) => heard.push(l))
    publishProgress('heard', (t) => fallback.push(t))
    stop()
    publishProgress('alone again', (t) => fallback.push(t))
    assert.deepEqual(heard, ['heard'])
    assert.deepEqual(fallback, ['spotcheck: alone\n', 'spotcheck: alone again\n'])
  })
})
