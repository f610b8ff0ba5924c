// `npm test`: every check of the project, as jobs run side by side (one more than the cores), the longest first.
//
//   node test/run.ts                      # everything (npm test)
//   node test/run.ts integration          # only the integration test files (npm run test:integration)
//   node test/run.ts lint unit --lanes 1  # some groups, one job at a time
//
// Groups (test/runner/jobs.ts): lint, unit, python (the moto extension's tests), conformance,
// node24 (the unit tests and a feature smoke on Node 24), integration (one job per test file),
// features (the drift runs on the sandbox, then the report check of what they wrote).
//
// Why side by side: most of an integration file's time is waiting — the aws provider's fixed
// timers under Terraform, the sandbox's tutorial clock — while lint and the unit tests are all CPU.
// One after another, the cores idle through the waits. The sandbox's tutorial clock runs slower
// while its simulation is busy (sandbox/clock.ts), so a job that shares the cores takes longer but
// keeps the tutorial's deadlines. By default one job more than cores run at once, the Go programs
// get a lazier garbage collector, and every Node process of the run shares one compile cache in the
// scratch directory (test/runner/jobs.ts: defaultLanes, sharedEnvironment).
//
// Every job but the features gets a scratch SPOTCHECK_HOME and report directories of its own, so
// that nothing a test runs writes the project's .spotcheck/, allure-results/ or reports/ while the
// drift runs write theirs beside it. Every job, the features too, gets a scratch TMPDIR: a test's
// temporary directories (one run of the suite used to leave ~47 in /tmp) go when the run ends.
// All jobs share one SPOTCHECK_CACHE_DIR (the project's .spotcheck/cache unless set): moto's EC2
// catalogue answers, the same for every sandbox, are computed once instead of once per sandbox. They also share SPOTCHECK_TEST_SNAPSHOTS: the
// cluster tests' Step 2, made by the first file that needs it and restored from a sandbox
// snapshot by the others (test/integration/cluster/step2-snapshot.ts), once per run.
//
// A job's output is printed whole when it ends; a line every minute says which jobs are running.
// The summary gives each job's time and result, node:test's counts and unittest's (the python
// job); the exit status is 1 when a job failed. Ctrl-C (or SIGTERM) stops every job's process
// group, so the tests' after hooks run.
// The sandboxes' daemons have process groups of their own; every one a job starts names this
// process its owner (SPOTCHECK_SANDBOX_OWNER) and stops by itself once it is gone, however this
// run ends (sandbox/daemon.ts).

import './setup/python-path.ts'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { cacheDir, projectRoot } from '../lib/paths.ts'
import { defaultLanes, GROUPS, jobEnvironment, sharedEnvironment, staleExpectations, suiteJobs, type SuiteJob } from './runner/jobs.ts'
import { Lanes, type Outcome } from './runner/lanes.ts'

function usage(message: string): never {
  process.stderr.write(`test/run.ts: ${message}\nusage: node test/run.ts [${GROUPS.join('|')} …] [--lanes N]\n`)
  process.exit(2)
}

const { values, positionals } = (() => {
  try {
    return parseArgs({ options: { lanes: { type: 'string' } }, allowPositionals: true })
  } catch (error) {
    return usage((error as Error).message)
  }
})()
const unknown = positionals.filter((g) => !(GROUPS as readonly string[]).includes(g))
if (unknown.length > 0) usage(`no such group: ${unknown.join(', ')}`)
const lanesText = values.lanes ?? process.env.SPOTCHECK_TEST_LANES
const lanes = lanesText === undefined ? defaultLanes() : Number(lanesText)
if (!Number.isInteger(lanes) || lanes < 1) usage(`--lanes (or SPOTCHECK_TEST_LANES) must be a whole number of at least 1, not "${lanesText}"`)

const all = suiteJobs(projectRoot, process.execPath)
const stale = staleExpectations(all)
if (stale.length > 0) usage(`test/runner/jobs.ts expects jobs that do not exist: ${stale.join(', ')}`)

// Scratch directories, made now and removed at the end (after the jobs, whatever they did).
const scratch = mkdtempSync(join(tmpdir(), 'spotcheck-test-'))
const sharedCache = cacheDir()
// Every sandbox a job starts stops when this process is gone (sandbox/daemon.ts), however it ends.
const owner = String(process.pid)
const shared = sharedEnvironment(process.env, scratch)
const selected = all
  .filter((j) => positionals.length === 0 || positionals.includes(j.group))
  .map((j, i): SuiteJob => {
    const env = jobEnvironment(j, i, { scratch, cache: sharedCache, owner, shared })
    mkdirSync(env.TMPDIR, { recursive: true })
    return { ...j, env }
  })

const started = Date.now()
const elapsed = () => Math.round((Date.now() - started) / 1000)
const runner = new Lanes({
  lanes,
  cwd: projectRoot,
  ended: (o: Outcome, done: number) => {
    const verdict = o.exitCode === 0 ? 'ok' : `FAILED (${o.signal ?? `exit ${o.exitCode}`})`
    process.stdout.write(`\n━━ ${o.job.name}: ${verdict}, ${o.seconds} s (${done}/${selected.length} done, ${elapsed()} s in) ━━\n${o.output}\n`)
  },
})
const stop = (signal: NodeJS.Signals) => {
  if (runner.stopped) return
  process.stdout.write(
    `\ntest/run.ts: ${signal}: stopping ${
      runner
        .running()
        .map((r) => r.job.name)
        .join(', ') || 'nothing'
    }\n`,
  )
  runner.stop()
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)

process.stdout.write(`test/run.ts: ${selected.length} jobs, ${lanes} at a time, the longest first\n`)
const heartbeat = setInterval(() => {
  process.stdout.write(
    `… ${elapsed()} s: running ${runner
      .running()
      .map((r) => `${r.job.name} (${r.seconds} s)`)
      .join(', ')}\n`,
  )
}, 60_000)
let outcomes: Outcome[]
try {
  outcomes = await runner.run(selected)
} finally {
  clearInterval(heartbeat)
  rmSync(scratch, { recursive: true, force: true })
}

const failed = outcomes.filter((o) => o.exitCode !== 0)
const total = (k: keyof Outcome['counts']) => outcomes.reduce((n, o) => n + (o.counts[k] ?? 0), 0)
process.stdout.write(`\n━━ summary: ${outcomes.length} of ${selected.length} jobs in ${elapsed()} s, ${lanes} at a time ━━\n`)
// The python job's counts come from unittest's own closing lines; a node:test job's are its own.
const unittestOf = (o: Outcome) => (o.counts.tests === undefined ? o.unittest : undefined)
const unittest = outcomes.map(unittestOf).filter((c) => c !== undefined)
for (const o of [...outcomes].sort((a, b) => b.seconds - a.seconds)) {
  const c = unittestOf(o) ?? o.counts
  const counts = c?.tests === undefined ? '' : `  ${c.pass ?? 0}/${c.tests} passed`
  process.stdout.write(`${o.exitCode === 0 ? 'ok    ' : 'FAILED'} ${String(o.seconds).padStart(5)} s  ${o.job.name}${counts}\n`)
}
process.stdout.write(
  `node:test: ${total('tests')} tests, ${total('pass')} passed, ${total('fail')} failed, ${total('skipped')} skipped, ${total('todo')} todo, ${total('cancelled')} cancelled\n`,
)
if (unittest.length > 0) {
  const sum = (k: keyof Outcome['counts']) => unittest.reduce((n, c) => n + (c[k] ?? 0), 0)
  process.stdout.write(`unittest: ${sum('tests')} tests, ${sum('pass')} passed, ${sum('fail')} failed, ${sum('skipped')} skipped\n`)
}
if (runner.stopped) process.stdout.write(`stopped: ${selected.length - outcomes.length} jobs not run\n`)
if (failed.length > 0) process.stdout.write(`failed: ${failed.map((o) => o.job.name).join(', ')}\n`)
process.exitCode = failed.length > 0 || runner.stopped ? 1 : 0
