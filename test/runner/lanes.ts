// Runs jobs a few at a time, the longest expected first (longest processing time first, the
// classic list-scheduling rule: the long jobs start early, the short ones fill the lanes at the
// end, and the lanes end close together). A job's output is kept and handed over whole when it
// ends, so two jobs' lines never interleave; node:test's closing counts are read from it.

import { execa, type ResultPromise } from 'execa'

export interface Job {
  name: string
  /** The command and its arguments. */
  argv: string[]
  /** Expected seconds: only the order depends on it. */
  expect: number
  /** Variables over this process's environment. */
  env?: Record<string, string>
}

export type Counts = Partial<Record<'tests' | 'pass' | 'fail' | 'skipped' | 'todo' | 'cancelled', number>>

export interface Outcome {
  job: Job
  /** 0 when the job passed. */
  exitCode: number | undefined
  signal: string | undefined
  seconds: number
  output: string
  /** node:test's closing counts (`# tests 12`, `ℹ tests 12` …), summed when the output has several. */
  counts: Counts
  /** Python unittest's counts, when the output has a unittest run's closing lines (the python job). */
  unittest?: Counts
}

export interface LaneOptions {
  lanes: number
  cwd: string
  /** Called as each job starts, in the order they start. */
  started?: (job: Job) => void
  /** Called as each job ends, in the order they end. */
  ended?: (outcome: Outcome, done: number) => void
}

// TAP's closing comments (`# tests 12`), or the spec reporter's (`ℹ tests 12`, Node 24's default).
const COUNT = /^(?:#|ℹ) (tests|pass|fail|skipped|todo|cancelled) (\d+)$/gm

export function countsOf(output: string): Counts {
  const counts: Counts = {}
  for (const m of output.matchAll(COUNT)) {
    const key = m[1] as keyof Counts
    counts[key] = (counts[key] ?? 0) + Number(m[2])
  }
  return counts
}

// Python unittest's closing lines: `Ran 121 tests in 35.991s`, then `OK`, `OK (skipped=2)` or
// `FAILED (failures=1, errors=2, skipped=1)`.
const UNITTEST_RAN = /^Ran (\d+) tests? in /m
const UNITTEST_VERDICT = /^(OK|FAILED)(?: \(([^)]*)\))?$/m

/** Python unittest's counts, in node:test's terms (failures and errors fail), or undefined. */
export function unittestCounts(output: string): Counts | undefined {
  const ran = UNITTEST_RAN.exec(output)
  const verdict = UNITTEST_VERDICT.exec(output.slice(ran?.index ?? 0))
  if (!ran || !verdict) return undefined
  const detail = Object.fromEntries(
    (verdict[2] ?? '')
      .split(',')
      .map((part) => part.trim().split('='))
      .filter((kv) => kv.length === 2)
      .map(([k, v]) => [k, Number(v)]),
  ) as Record<string, number>
  const tests = Number(ran[1])
  const fail = (detail.failures ?? 0) + (detail.errors ?? 0) + (detail['unexpected successes'] ?? 0)
  const skipped = (detail.skipped ?? 0) + (detail['expected failures'] ?? 0)
  return { tests, pass: tests - fail - skipped, fail, skipped }
}

export class Lanes {
  readonly #running = new Map<Job, { child: ResultPromise; since: number }>()
  readonly #options: LaneOptions
  #stopped = false

  constructor(options: LaneOptions) {
    this.#options = options
  }

  /** The jobs running now, and for how many seconds. */
  running(): { job: Job; seconds: number }[] {
    return [...this.#running].map(([job, r]) => ({ job, seconds: Math.round((Date.now() - r.since) / 1000) }))
  }

  /** Runs the jobs, the longest expected first, until all have ended or stop() was called. */
  async run(jobs: Job[]): Promise<Outcome[]> {
    const queue = [...jobs].sort((a, b) => b.expect - a.expect)
    const outcomes: Outcome[] = []
    const lane = async () => {
      for (let job = queue.shift(); job && !this.#stopped; job = queue.shift()) {
        const outcome = await this.#run(job)
        outcomes.push(outcome)
        this.#options.ended?.(outcome, outcomes.length)
      }
    }
    await Promise.all(Array.from({ length: Math.min(this.#options.lanes, queue.length) }, lane))
    return outcomes
  }

  /** Starts no further job and sends SIGTERM to every running job's process group. */
  stop(): void {
    this.#stopped = true
    for (const { child } of this.#running.values()) child.kill('SIGTERM')
  }

  get stopped(): boolean {
    return this.#stopped
  }

  async #run(job: Job): Promise<Outcome> {
    const since = Date.now()
    const child = execa(job.argv[0], job.argv.slice(1), {
      cwd: this.#options.cwd,
      env: job.env,
      all: true,
      reject: false,
      stdin: 'ignore',
      // Its own process group: stop() reaches the job's children (a test's sandboxes, kubectl).
      killDescendants: true,
      forceKillAfterDelay: 60_000,
      maxBuffer: 256 * 1024 * 1024,
    })
    this.#running.set(job, { child, since })
    this.#options.started?.(job)
    const r = await child
    this.#running.delete(job)
    const output = r.all ?? ''
    return {
      job,
      exitCode: r.exitCode,
      signal: r.signal,
      seconds: Math.round((Date.now() - since) / 1000),
      output,
      counts: countsOf(output),
      unittest: unittestCounts(output),
    }
  }
}
