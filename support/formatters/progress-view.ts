// What a person watching a run reads: each section (feature) and scenario as it starts, what a
// long step is waiting for and for how long, each section's result and wall time, and at the end
// a table of sections × status × wall time with the failing step of a failed section. Fed
// Cucumber's messages (update) and the run's progress lines (note); time passes through tick().
// No I/O of its own: support/formatters/progress.ts wires it to cucumber-js and the terminal,
// and spotcheck drift reads a run's sections back from its messages.ndjson with it.
//
// On a terminal (live) a wait is one status line, redrawn in place; elsewhere (CI, a log file) a
// running step prints at most one line per heartbeat (30 s), so a log stays a few lines per section.

import type { Envelope, TestStepResult, Timestamp } from '@cucumber/messages'

export type SectionStatus = 'passed' | 'failed' | 'skipped' | 'running' | 'not run'

export interface Failure {
  scenario: string
  /** `Then "the replacement node is Ready"`, or `After hook "…"`. */
  step: string
  /** The first line of Cucumber's message. */
  message: string
}

export interface SectionRow {
  uri: string
  /** The feature's first tag without a value (`@cluster`). */
  tag: string
  name: string
  status: SectionStatus
  /** From its first scenario's start to its last one's end, in Cucumber's timestamps. */
  wallMs: number
  scenarios: number
  failure?: Failure
}

export interface ViewOptions {
  write: (text: string) => void
  /** A terminal: one status line redrawn in place. */
  live?: boolean
  /** ANSI colours for the result marks (only ever on a terminal). */
  color?: boolean
  columns?: () => number
  now?: () => number
  /** The table at the end of the run (spotcheck drift prints one table of its runs instead). */
  summary?: boolean
  /** Not a terminal: a running step prints at most one line this often. */
  heartbeatMs?: number
}

export const HEARTBEAT_MS = 30_000

// Cucumber's order of severity: a test case takes its worst step's status.
const SEVERITY = ['UNKNOWN', 'PASSED', 'SKIPPED', 'PENDING', 'UNDEFINED', 'AMBIGUOUS', 'FAILED']
const BAD = new Set(['FAILED', 'UNDEFINED', 'AMBIGUOUS', 'PENDING'])

const MARK: Record<SectionStatus, string> = { passed: '✓', failed: '✗', skipped: '-', running: '…', 'not run': '·' }
const COLOUR: Partial<Record<SectionStatus, string>> = { passed: '32', failed: '31', skipped: '33' }

interface Section {
  uri: string
  tag: string
  name: string
  expected: number
  finished: number
  startedAt?: number
  endedAt?: number
  statuses: string[]
  failure?: Failure
}

interface Running {
  /** What runs: a step's text or a hook's name. */
  what: string
  since: number
  /** The latest wait or command output line since it started. */
  activity?: string
  /** Notes printed while it ran, and those folded into the status line beyond NOTES_PER_STEP. */
  notes: number
  folded: number
}

/** A step or hook prints at most this many notes (a clean-up deleting twenty things is one line then). */
export const NOTES_PER_STEP = 6

export class ProgressView {
  private readonly write: (text: string) => void
  private readonly live: boolean
  private readonly color: boolean
  private readonly columns: () => number
  private readonly now: () => number
  private readonly summary: boolean
  private readonly heartbeatMs: number

  private readonly sections = new Map<string, Section>()
  private readonly features = new Map<string, { tag: string; name: string }>()
  private readonly keywords = new Map<string, string>() // gherkin step id → keyword
  private readonly pickles = new Map<string, { uri: string; name: string; steps: Map<string, string> }>()
  private readonly hooks = new Map<string, { name: string; type?: string }>()
  private readonly cases = new Map<string, { pickleId: string; steps: Map<string, { pickleStepId?: string; hookId?: string }> }>()
  private readonly attempts = new Map<string, { testCaseId: string; statuses: string[]; failure?: Omit<Failure, 'scenario'> }>()
  private readonly runHooks = new Map<string, string>() // testRunHookStarted id → hook id
  private readonly hookFailures: Failure[] = []
  private current?: Section
  private running?: Running
  private lastPrinted: number
  private liveShown = false
  private runStartedAt?: number
  private runEndedAt?: number
  private runSuccess?: boolean

  constructor(options: ViewOptions) {
    this.write = options.write
    this.live = options.live ?? false
    this.color = (options.color ?? false) && this.live
    this.columns = options.columns ?? (() => 100)
    this.now = options.now ?? (() => Date.now())
    this.summary = options.summary ?? true
    this.heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS
    this.lastPrinted = this.now()
  }

  /** One of Cucumber's messages. */
  update(e: Envelope): void {
    if (e.gherkinDocument?.feature) {
      const f = e.gherkinDocument.feature
      this.features.set(e.gherkinDocument.uri ?? '', { name: f.name, tag: f.tags.map((t) => t.name).find((t) => !t.includes('=')) ?? '' })
      const steps = (children: typeof f.children): void => {
        for (const c of children) {
          for (const s of [...(c.background?.steps ?? []), ...(c.scenario?.steps ?? [])]) this.keywords.set(s.id, s.keyword.trim())
          if (c.rule) steps(c.rule.children)
        }
      }
      steps(f.children)
    } else if (e.pickle) {
      const p = e.pickle
      this.pickles.set(p.id, {
        uri: p.uri,
        name: p.name,
        steps: new Map(p.steps.map((s) => [s.id, `${this.keywords.get(s.astNodeIds[0]) ?? ''} "${s.text}"`.trim()])),
      })
    } else if (e.hook) {
      this.hooks.set(e.hook.id, { name: e.hook.name ?? e.hook.tagExpression ?? '', type: e.hook.type })
    } else if (e.testRunStarted) {
      this.runStartedAt = ms(e.testRunStarted.timestamp)
    } else if (e.testCase) {
      const tc = e.testCase
      this.cases.set(tc.id, { pickleId: tc.pickleId, steps: new Map(tc.testSteps.map((s) => [s.id, { pickleStepId: s.pickleStepId, hookId: s.hookId }])) })
      const uri = this.pickles.get(tc.pickleId)?.uri ?? ''
      this.section(uri).expected++
    } else if (e.testRunHookStarted) {
      this.runHooks.set(e.testRunHookStarted.id, e.testRunHookStarted.hookId)
      this.start(this.hookName(e.testRunHookStarted.hookId))
    } else if (e.testRunHookFinished) {
      const f = e.testRunHookFinished
      this.stop()
      if (BAD.has(String(f.result.status))) {
        const failure = { scenario: '', step: this.hookName(this.runHooks.get(f.testRunHookStartedId) ?? ''), message: firstLine(f.result) }
        this.hookFailures.push(failure)
        this.print(`${this.mark('failed')} ${failure.step} failed: ${failure.message}`)
      }
    } else if (e.testCaseStarted) {
      this.caseStarted(e.testCaseStarted.id, e.testCaseStarted.testCaseId, ms(e.testCaseStarted.timestamp), e.testCaseStarted.attempt)
    } else if (e.testStepStarted) {
      this.start(this.stepText(e.testStepStarted.testCaseStartedId, e.testStepStarted.testStepId))
    } else if (e.testStepFinished) {
      this.stop()
      const a = this.attempts.get(e.testStepFinished.testCaseStartedId)
      const r = e.testStepFinished.testStepResult
      if (!a) return
      a.statuses.push(String(r.status))
      if (BAD.has(String(r.status)) && !a.failure)
        a.failure = { step: this.stepText(e.testStepFinished.testCaseStartedId, e.testStepFinished.testStepId), message: firstLine(r) }
    } else if (e.testCaseFinished) {
      this.caseFinished(e.testCaseFinished.testCaseStartedId, ms(e.testCaseFinished.timestamp), e.testCaseFinished.willBeRetried)
    } else if (e.testRunFinished) {
      this.runEndedAt = ms(e.testRunFinished.timestamp)
      this.runSuccess = e.testRunFinished.success
      this.running = undefined
      this.end()
    }
  }

  /** One of the run's progress lines (support/formatters/channel.ts). */
  note(line: string): void {
    // A wait ("… what: seen (45 s of 2 min)", support/eventually.ts), a long command's latest
    // output (indented, support/world.ts), the sandbox coming up ("…: still starting (15s)…") or a
    // watch that retries by itself ("(recorder) watch pods: … (retrying quietly)", support/
    // recorders.ts): what the running step or hook is doing, not a line of its own (the report's
    // run log keeps every line: Run.notes).
    if (this.running && (isActivity(line) || this.running.notes >= NOTES_PER_STEP)) {
      if (!isActivity(line)) this.running.folded++
      this.running.activity = line.trim().replace(/^… /, '')
      if (this.live) this.drawLive()
      return
    }
    if (this.running) this.running.notes++
    this.print(`${this.current ? '    ' : ''}spotcheck: ${line}`)
  }

  /** Time passes: redraws the status line, or prints a heartbeat for a long step. */
  tick(): void {
    if (!this.running) return
    if (this.live) {
      this.drawLive()
      return
    }
    const now = this.now()
    if (now - this.running.since >= this.heartbeatMs && now - this.lastPrinted >= this.heartbeatMs)
      this.print(`${this.current ? '    ' : ''}${this.liveText()}`)
  }

  /** Clears the status line (the run ended, or was cut short). */
  finish(): void {
    this.clearLive()
  }

  /** The sections in the order of their files, as far as the run has got. */
  rows(): SectionRow[] {
    return [...this.sections.values()]
      .filter((s) => s.expected > 0)
      .sort((a, b) => a.uri.localeCompare(b.uri))
      .map((s) => ({
        uri: s.uri,
        tag: s.tag,
        name: s.name,
        status: sectionStatus(s),
        wallMs: s.startedAt !== undefined ? (s.endedAt ?? s.startedAt) - s.startedAt : 0,
        scenarios: s.expected,
        ...(s.failure ? { failure: s.failure } : {}),
      }))
  }

  /** The run's own failures outside any scenario (a BeforeAll or AfterAll hook). */
  runHookFailures(): Failure[] {
    return [...this.hookFailures]
  }

  /** From testRunStarted to testRunFinished: set-up and clean-up included. */
  totalMs(): number | undefined {
    return this.runStartedAt !== undefined && this.runEndedAt !== undefined ? this.runEndedAt - this.runStartedAt : undefined
  }

  private section(uri: string): Section {
    let s = this.sections.get(uri)
    if (!s) {
      const f = this.features.get(uri)
      s = { uri, tag: f?.tag ?? '', name: f?.name ?? uri, expected: 0, finished: 0, statuses: [] }
      this.sections.set(uri, s)
    }
    return s
  }

  private caseStarted(id: string, testCaseId: string, at: number, attempt: number): void {
    this.attempts.set(id, { testCaseId, statuses: [] })
    const pickle = this.pickles.get(this.cases.get(testCaseId)?.pickleId ?? '')
    const section = this.section(pickle?.uri ?? '')
    if (section !== this.current) {
      this.current = section
      if (section.startedAt === undefined) this.print(`▶ ${section.name}`)
    }
    section.startedAt ??= at
    this.print(`  • ${pickle?.name ?? testCaseId}${attempt > 0 ? ` (attempt ${attempt + 1})` : ''}`)
  }

  private caseFinished(startedId: string, at: number, willBeRetried: boolean): void {
    const a = this.attempts.get(startedId)
    const pickle = this.pickles.get(this.cases.get(a?.testCaseId ?? '')?.pickleId ?? '')
    if (!a || !pickle) return
    const section = this.section(pickle.uri)
    section.endedAt = at
    const status = a.statuses.reduce((w, x) => (SEVERITY.indexOf(x) > SEVERITY.indexOf(w) ? x : w), 'UNKNOWN')
    if (a.failure) this.print(`    ${this.mark('failed')} ${a.failure.step}: ${a.failure.message}`)
    if (willBeRetried) {
      this.print(`    ↻ ${pickle.name}: ${status.toLowerCase()}, retrying`)
      return
    }
    section.statuses.push(status === 'UNKNOWN' ? 'PASSED' : status)
    if (a.failure && !section.failure) section.failure = { scenario: pickle.name, ...a.failure }
    section.finished++
    if (section.finished === section.expected) {
      const status = sectionStatus(section)
      this.print(`${this.mark(status)} ${section.name}: ${status} in ${formatWall((section.endedAt ?? at) - (section.startedAt ?? at))}`)
      if (this.current === section) this.current = undefined
    }
  }

  private end(): void {
    this.clearLive()
    if (!this.summary) return
    const rows = this.rows()
    const lines = summaryTable(
      rows.map((r) => ({ ...r, run: '' })),
      { color: this.color, hookFailures: this.hookFailures, totalMs: this.totalMs(), success: this.runSuccess },
    )
    this.print(['', ...lines].join('\n'))
  }

  private hookName(hookId: string): string {
    const h = this.hooks.get(hookId)
    const kind =
      h?.type === 'BEFORE_TEST_RUN'
        ? 'BeforeAll'
        : h?.type === 'AFTER_TEST_RUN'
          ? 'AfterAll'
          : h?.type === 'AFTER_TEST_CASE'
            ? 'After'
            : h?.type === 'BEFORE_TEST_CASE'
              ? 'Before'
              : 'hook'
    return h?.name ? `${kind} hook "${h.name}"` : `${kind} hook`
  }

  private stepText(testCaseStartedId: string, testStepId: string): string {
    const a = this.attempts.get(testCaseStartedId)
    const tc = this.cases.get(a?.testCaseId ?? '')
    const step = tc?.steps.get(testStepId)
    if (step?.hookId) return this.hookName(step.hookId)
    return this.pickles.get(tc?.pickleId ?? '')?.steps.get(step?.pickleStepId ?? '') ?? 'a step'
  }

  private start(what: string): void {
    this.running = { what, since: this.now(), notes: 0, folded: 0 }
    if (this.live) this.drawLive()
  }

  private stop(): void {
    const folded = this.running?.folded ?? 0
    this.running = undefined
    if (folded > 0) this.print(`${this.current ? '    ' : ''}spotcheck: … and ${folded} more line(s) (every line: progress.log in the run's directory)`)
  }

  private liveText(): string {
    const r = this.running!
    return `… [${formatWall(this.now() - r.since)}] ${r.activity ?? r.what}`
  }

  private print(text: string): void {
    this.clearLive()
    this.write(`${text}\n`)
    this.lastPrinted = this.now()
    if (this.live && this.running) this.drawLive()
  }

  private drawLive(): void {
    if (!this.running) return
    const width = Math.max(20, this.columns() - 1)
    const text = `${this.current ? '    ' : ''}${this.liveText()}`
    this.write(`\r\x1b[2K${this.color ? '\x1b[2m' : ''}${text.length > width ? `${text.slice(0, width - 1)}…` : text}${this.color ? '\x1b[22m' : ''}`)
    this.liveShown = true
  }

  private clearLive(): void {
    if (!this.liveShown) return
    this.write('\r\x1b[2K')
    this.liveShown = false
  }

  private mark(status: SectionStatus): string {
    return paint(MARK[status], status, this.color)
  }
}

export function isActivity(line: string): boolean {
  return line.startsWith('… ') || /^\s/.test(line) || /: still [a-z ]+\(\d+s\)…?$/.test(line) || line.endsWith('(retrying quietly)')
}

function sectionStatus(s: Section): SectionStatus {
  if (s.statuses.some((x) => BAD.has(x))) return 'failed'
  if (s.finished < s.expected) return s.startedAt === undefined ? 'not run' : 'running'
  if (s.statuses.every((x) => x === 'SKIPPED')) return 'skipped'
  return 'passed'
}

function paint(text: string, status: SectionStatus, color: boolean): string {
  const c = COLOUR[status]
  return color && c ? `\x1b[${c}m${text}\x1b[39m` : text
}

function ms(t: Timestamp): number {
  return t.seconds * 1000 + Math.round(t.nanos / 1e6)
}

function firstLine(r: TestStepResult): string {
  const text = r.exception?.message ?? r.message ?? ''
  const line = text.split('\n').find((l) => l.trim()) ?? String(r.status).toLowerCase()
  return line.length > 200 ? `${line.slice(0, 199)}…` : line
}

/** "0.4 s", "12 s", "3 min 5 s", "1 h 2 min" */
export function formatWall(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)} s`
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`
  return `${Math.floor(m / 60)} h ${m % 60} min`
}

// Section names are up to ~80 characters ("Step 2: Create an EKS cluster with Karpenter using EKS
// Blueprints for Terraform"): clipped in the table so that a row fits a terminal.
const NAME_WIDTH = 56

function clip(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text
}

export interface TableOptions {
  color?: boolean
  hookFailures?: Failure[]
  totalMs?: number
  success?: boolean
}

/**
 * Sections × status × wall time, a failed section's failing step under it. With a run column
 * when the rows come from several runs (spotcheck drift).
 */
export function summaryTable(rows: (SectionRow & { run: string })[], options: TableOptions = {}): string[] {
  const withRun = rows.some((r) => r.run)
  const head = [...(withRun ? ['run'] : []), 'section', 'status', 'wall time']
  const body = rows.map((r) => [...(withRun ? [r.run] : []), clip(r.name, NAME_WIDTH), r.status, formatWall(r.wallMs)])
  const total =
    options.totalMs !== undefined
      ? [...(withRun ? [''] : []), 'the whole run (with set-up and clean-up)', options.success === false ? 'failed' : 'passed', formatWall(options.totalMs)]
      : undefined
  const all = [head, ...body, ...(total ? [total] : [])]
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i].length)))
  const statusAt = withRun ? 2 : 1
  const line = (cells: string[], status?: SectionStatus) =>
    '  ' +
    cells
      .map((c, i) => {
        const padded = i === cells.length - 1 ? c.padStart(widths[i]) : c.padEnd(widths[i])
        return i === statusAt && status ? `${paint(MARK[status], status, options.color ?? false)} ${padded}` : i === statusAt ? `  ${padded}` : padded
      })
      .join('  ')
  const out = ['Summary', line(head)]
  for (const [i, r] of rows.entries()) {
    out.push(line(body[i], r.status))
    if (r.failure) out.push(`      ${r.failure.scenario} — ${r.failure.step}: ${r.failure.message}`)
  }
  for (const f of options.hookFailures ?? []) out.push(`  ${paint(MARK.failed, 'failed', options.color ?? false)} ${f.step}: ${f.message}`)
  if (total) out.push(line(total, options.success === false ? 'failed' : 'passed'))
  return out
}
