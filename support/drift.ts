// `npx spotcheck drift`: has the tutorial drifted from the platform, and what fixes it? Three runs
// of cucumber-js on the sandbox, one after the other, each with its own results and reports
// (drift/runs/<run>/):
//   1. the tutorial as written, as of its own date (2024-01-29)  — must pass;
//   2. the tutorial as written, as of today                       — must fail at the preflight,
//      with every drift cause, and create nothing (later sections skipped);
//   3. the current edition, as of today                          — must pass.
// Then drift/drift.json and drift/DRIFT.md, one Allure report of the three runs with the drift
// matrix (allure-results/, then allure-report/ unless --no-report), and an exit code saying
// whether the runs behaved as expected.
//
// Ctrl-C: each run is started in a process group of its own, so the terminal's SIGINT reaches
// only spotcheck, which forwards it once to the run: the run unwinds as on a Ctrl-C of its own
// (a second Ctrl-C forwards a second, which makes the run stop cleaning up, as it does alone);
// no further run starts, and what ran is still written.

import { availableParallelism } from 'node:os'
import { UsageError, messageOf } from '../lib/errors.ts'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { TUTORIAL_DATE, loadPlatformTable, today as todayOf } from '../platform/index.ts'
import { projectRoot } from '../lib/paths.ts'
import { lineRelay } from '../lib/line-relay.ts'
import { combineAllureResults } from './drift-allure.ts'
import { editViews } from './drift-edits.ts'
import type { Envelope } from '@cucumber/messages'
import { readRunMessages, type RunMessages } from './drift-messages.ts'
import { checkExpectation, driftHtml, driftMarkdown, driftRuns, driftSummary, type DriftRunResult, type DriftRunSpec } from './drift-report.ts'
import { resolveEdition } from './editions/edition.ts'
import { ProgressView, summaryTable } from './formatters/progress-view.ts'
import { Redactor } from './redact.ts'
import { generateReport, RESULTS_DIR } from './tutorial-cli.ts'

export const DRIFT_DIR = resolve(projectRoot, process.env.SPOTCHECK_DRIFT_DIR ?? 'drift')

const USAGE = `Usage: spotcheck drift [--no-report] [--side-by-side | --sequential] [-- cucumber-js args]

Runs the tutorial three times on the sandbox — as written on its own date (${TUTORIAL_DATE}), as
written today, and the current edition today — and writes drift/drift.json, drift/DRIFT.md and
the report of the three runs. Exit code 0 when the first run passes, the second fails at the
preflight only, and the third passes. The runs go side by side, each on a sandbox of its own
(most of a run is Terraform waiting on AWS's timers) when the machine has 2 or more cores, one
after another on one; --side-by-side and --sequential choose.
Arguments after -- go to each cucumber-js run (e.g. -- --tags @prerequisites).`

type Log = (line: string) => void

export async function driftCli(argv: string[], log: Log = (l) => process.stderr.write(`${l}\n`)): Promise<number> {
  const dash = argv.indexOf('--')
  const own = dash < 0 ? argv : argv.slice(0, dash)
  const cucumberArgs = dash < 0 ? [] : argv.slice(dash + 1)
  let values: { 'no-report'?: boolean; sequential?: boolean; 'side-by-side'?: boolean; help?: boolean }
  try {
    values = parseArgs({
      args: own,
      options: {
        'no-report': { type: 'boolean' },
        sequential: { type: 'boolean' },
        'side-by-side': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values
  } catch (error) {
    throw new UsageError(`${messageOf(error)}\n\n${USAGE}`)
  }
  if (values.help) {
    log(USAGE)
    return 0
  }
  const together = sideBySide(values, availableParallelism())
  if (!together.yes) log(`spotcheck drift: the runs go one after another (${together.why})`)
  const today = todayOf()
  const specs = driftRuns(today, TUTORIAL_DATE)
  // The edits first: if one no longer fits the tutorial, say so before three runs.
  const current = resolveEdition({ target: 'sandbox', edition: 'current', asOf: today })
  const edits = editViews(current.edits, current.view, loadPlatformTable())

  rmSync(join(DRIFT_DIR, 'runs'), { recursive: true, force: true })
  mkdirSync(join(DRIFT_DIR, 'runs'), { recursive: true })
  const stop = new Stopper(log)
  const results: DriftRunResult[] = []
  const one = async (spec: DriftRunSpec, i: number, label: string): Promise<DriftRunResult | undefined> => {
    if (stop.requested) return undefined
    const say: Log = (line) => log(`${label}${line}`)
    say(`spotcheck drift: ${i + 1}/${specs.length} ${spec.title} — ${spec.expect === 'pass' ? 'must pass' : 'must fail at the preflight, creating nothing'}`)
    const result = await runOne(spec, cucumberArgs, stop, say)
    const outcome = checkExpectation(result)
    say(`  ${outcome.ok ? '✓' : '✗'} ${outcome.reason} (${Math.round(result.durationMs / 1000)} s)`)
    return result
  }
  try {
    if (!together.yes) {
      for (const [i, spec] of specs.entries()) {
        const result = await one(spec, i, '')
        if (result) results.push(result)
      }
    } else {
      // Side by side, each line prefixed with its run's name; the results keep the runs' order.
      const all = await Promise.all(specs.map((spec, i) => one(spec, i, `[${spec.name}] `)))
      for (const result of all) if (result) results.push(result)
    }
  } finally {
    stop.dispose()
  }
  // One table of the runs' sections (each run's own progress left its table out: runConfig).
  log(['', ...runsTable(results)].join('\n'))

  // Failure messages in it come redacted from the runs; redacted again here with the shell's own
  // secrets (support/redact.ts), for drift.json, DRIFT.md and the report alike.
  const redactor = new Redactor(process.env)
  const drift = JSON.parse(
    redactor.redact(JSON.stringify(driftSummary(results, { generated: new Date().toISOString(), today, tutorialDate: TUTORIAL_DATE, edits }))),
  ) as ReturnType<typeof driftSummary>
  const markdown = driftMarkdown(drift)
  writeFileSync(join(DRIFT_DIR, 'drift.json'), JSON.stringify(drift, null, 2) + '\n')
  writeFileSync(join(DRIFT_DIR, 'DRIFT.md'), markdown)
  combineAllureResults(
    results.map((r) => ({ spec: r.spec, resultsDir: join(r.dir, 'allure-results') })),
    RESULTS_DIR,
    { value: drift, markdown, html: driftHtml(drift) },
  )
  log(`\nThe drift: ${rel(join(DRIFT_DIR, 'DRIFT.md'))} (for a pull request on the tutorial) and ${rel(join(DRIFT_DIR, 'drift.json'))}`)
  if (!values['no-report']) await generateReport(log)

  if (stop.requested) {
    log(`spotcheck drift: interrupted after ${results.length} of ${specs.length} run(s)`)
    return 130
  }
  const missed = drift.runs.filter((r) => !r.outcome.ok)
  if (missed.length > 0 || results.length < specs.length) {
    log(`spotcheck drift: not as expected — ${missed.map((r) => `${r.title}: ${r.outcome.reason}`).join('; ') || 'a run did not happen'}`)
    return 1
  }
  log('spotcheck drift: as expected — the tutorial as written passed on its own date and fails today at the preflight; the current edition passes today')
  return 0
}

const rel = (p: string) => relative(process.cwd(), p) || p

/**
 * Whether the three runs go side by side. Most of a run is Terraform waiting on the aws
 * provider's fixed timers, which overlap. Each sandbox's tutorial clock is a discrete-event clock
 * (sandbox/clock.ts) that runs at 1x while its simulation is busy, so a sandbox that shares its
 * cores takes longer in wall time but still meets the tutorial's deadlines (the two-minute Spot
 * notice): side by side from 2 cores (measured: bench/drift.bench.ts, docs/benchmarks.md); on one
 * core the two full runs would take as long side by side as one after another.
 */
export function sideBySide(options: { sequential?: boolean; 'side-by-side'?: boolean }, cores: number): { yes: boolean; why: string } {
  if (options.sequential && options['side-by-side']) throw new UsageError(`--sequential and --side-by-side exclude each other\n\n${USAGE}`)
  if (options.sequential) return { yes: false, why: '--sequential' }
  if (options['side-by-side']) return { yes: true, why: '--side-by-side' }
  return cores >= 2 ? { yes: true, why: `${cores} cores` } : { yes: false, why: `${cores} core: nothing to share; --side-by-side to insist` }
}

/** Ctrl-C and SIGTERM: forwarded to the running children; no further run starts. */
class Stopper {
  requested = false
  readonly children = new Set<{ kill(signal: NodeJS.Signals): boolean }>()
  private readonly handlers: [NodeJS.Signals, () => void][]

  constructor(log: Log) {
    this.handlers = (['SIGINT', 'SIGTERM'] as const).map((signal) => {
      const handler = () => {
        if (!this.requested) log(`spotcheck drift: ${signal}: stopping the run (it cleans up; ${signal} again to stop its clean-up); no further run starts`)
        this.requested = true
        for (const child of this.children) child.kill(signal)
      }
      process.on(signal, handler)
      return [signal, handler]
    })
  }

  dispose(): void {
    for (const [signal, handler] of this.handlers) process.off(signal, handler)
  }
}

/** The cucumber-js configuration of one run: the project's default profile, its outputs in the run's directory. */
export function runConfig(spec: DriftRunSpec, dir: string): string {
  const base = pathToFileURL(join(projectRoot, 'cucumber.js')).href
  return `// Written by spotcheck drift for the run "${spec.name}".
import base from ${JSON.stringify(base)}
const dir = ${JSON.stringify(dir)}
export default {
  ...base,
  format: base.format.map((f) => (Array.isArray(f) ? [f[0], dir + '/reports/' + f[1].split('/').pop()] : f)),
  formatOptions: { ...base.formatOptions, resultsDir: dir + '/allure-results', spotcheckProgress: { summary: false } },
  worldParameters: { ...base.worldParameters, target: 'sandbox', edition: ${JSON.stringify(spec.edition)}, asOf: ${JSON.stringify(spec.asOf)} },
}
`
}

async function runOne(spec: DriftRunSpec, cucumberArgs: string[], stop: Stopper, log: Log): Promise<DriftRunResult> {
  const dir = join(DRIFT_DIR, 'runs', spec.name)
  mkdirSync(join(dir, 'reports'), { recursive: true })
  writeFileSync(join(dir, 'cucumber.js'), runConfig(spec, dir))
  const messagesFile = join(dir, 'reports', 'messages.ndjson')
  const output = openSync(join(dir, 'output.log'), 'w')
  const started = Date.now()
  const cucumber = join(projectRoot, 'node_modules', '@cucumber', 'cucumber', 'bin', 'cucumber.js')
  const child = spawn(process.execPath, [cucumber, '--config', relative(projectRoot, join(dir, 'cucumber.js')), ...cucumberArgs], {
    cwd: projectRoot,
    env: { ...process.env, SPOTCHECK_ALLURE_RESULTS: join(dir, 'allure-results') },
    // stderr: the run's progress (support/formatters/progress.ts writes there when stdout is not a
    // terminal), shown line by line and kept in output.log beside stdout.
    stdio: ['ignore', output, 'pipe'],
    detached: true, // a process group of its own: the terminal's Ctrl-C reaches it only through us
  })
  stop.children.add(child)
  log(`  cucumber-js pid ${child.pid}; its output: ${rel(join(dir, 'output.log'))}`)
  const relay = lineRelay((line) => log(`  ${line}`))
  child.stderr?.on('data', (chunk: Buffer) => {
    writeSync(output, chunk)
    relay.push(chunk)
  })
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.on('exit', (code, signal) => done({ code, signal }))
    child.on('error', () => done({ code: null, signal: null }))
  })
  // The last of its stderr may still be in the pipe; not 'close', which a process the run left
  // holding the pipe would keep away.
  if (child.stderr && !child.stderr.readableEnded) await Promise.race([once(child.stderr, 'end'), new Promise((r) => setTimeout(r, 2_000).unref())])
  relay.flush()
  stop.children.delete(child)
  closeSync(output)
  const messages = read(messagesFile)
  return { spec, target: 'sandbox', exitCode: exit.code ?? undefined, interrupted: stop.requested, durationMs: Date.now() - started, messages, dir }
}

function read(file: string): RunMessages {
  return readRunMessages(existsSync(file) ? readFileSync(file, 'utf8') : '')
}

/** Run × section × status × wall time, from each run's messages (the progress formatter's own rows). */
export function runsTable(results: Pick<DriftRunResult, 'spec' | 'dir'>[]): string[] {
  const rows = results.flatMap((r) => {
    const file = join(r.dir, 'reports', 'messages.ndjson')
    const view = new ProgressView({ write: () => {}, summary: false })
    for (const line of existsSync(file) ? readFileSync(file, 'utf8').split('\n') : []) {
      if (!line.trim()) continue
      try {
        view.update(JSON.parse(line) as Envelope)
      } catch {
        // a last line cut short by a kill
      }
    }
    return view.rows().map((row) => ({ ...row, run: r.spec.name }))
  })
  return summaryTable(rows)
}
