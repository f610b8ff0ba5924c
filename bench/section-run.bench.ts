// One section on its own — `npx cucumber-js --tags @spot-interruption`, as an author who edits
// Step 6 runs it — after one whole run has saved its section snapshots: restored from the
// snapshot after Step 5, and replayed from nothing (SPOTCHECK_SNAPSHOTS=0, as --no-snapshots).
// Each is one cucumber-js process, timed wall-clock from its start to its exit.

import { execa } from 'execa'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../lib/paths.ts'
import type { BenchResult } from './run.ts'

const CUCUMBER = join(projectRoot, 'node_modules', '@cucumber', 'cucumber', 'bin', 'cucumber.js')

interface Timed {
  seconds: number
  progress: string
  /** From the process's start to the first scenario's start: cucumber-js, the sandbox's start. */
  startS: number
  /** From the first scenario's start to the last one's end (the restore or replay is in the first). */
  scenariosS: number
}

/** Runs of the section from the snapshot; the table shows the median. */
const SECTION_RUNS = 3

const ms = (t: { seconds: number; nanos: number }) => t.seconds * 1000 + t.nanos / 1e6

/** First start and last finish of the run's test cases, from Cucumber's messages (epoch ms). */
function scenarioSpan(ndjson: string): { first: number; last: number } {
  let first = Infinity
  let last = 0
  for (const line of ndjson.split('\n').filter(Boolean)) {
    const m = JSON.parse(line) as {
      testCaseStarted?: { timestamp: { seconds: number; nanos: number } }
      testCaseFinished?: { timestamp: { seconds: number; nanos: number } }
    }
    if (m.testCaseStarted) first = Math.min(first, ms(m.testCaseStarted.timestamp))
    if (m.testCaseFinished) last = Math.max(last, ms(m.testCaseFinished.timestamp))
  }
  return { first, last }
}

async function cucumber(home: string, args: string[], extra: Record<string, string> = {}): Promise<Timed> {
  const env = { ...process.env, SPOTCHECK_HOME: home, SPOTCHECK_ALLURE_RESULTS: join(home, 'allure-results'), FORCE_COLOR: '0', ...extra }
  const start = performance.now()
  const startedAt = Date.now()
  const messages = join(home, 'messages.ndjson')
  const r = await execa(process.execPath, [CUCUMBER, ...args, '--format', `message:${messages}`], {
    cwd: projectRoot,
    env,
    reject: false,
    all: true,
  })
  const seconds = (performance.now() - start) / 1000
  if (r.exitCode !== 0) throw new Error(`cucumber-js ${args.join(' ')} failed:\n${r.all.slice(-3000)}`)
  const runs = join(home, 'runs')
  const latest = readFileSync(join(runs, 'latest'), 'utf8').trim()
  const span = scenarioSpan(readFileSync(messages, 'utf8'))
  return {
    seconds,
    progress: readFileSync(join(runs, latest, 'progress.log'), 'utf8'),
    startS: (span.first - startedAt) / 1000,
    scenariosS: (span.last - span.first) / 1000,
  }
}

export default async function bench(): Promise<BenchResult> {
  const home = mkdtempSync(join(tmpdir(), 'bench-section-'))
  try {
    const full = await cucumber(home, [])
    const snapshots = readdirSync(join(home, 'snapshots')).sort()
    const saves = [...full.progress.matchAll(/is saved as snapshot \S+ \((\d+\.\d) s\)/g)].map((m) => Number(m[1]))
    // The section run three times: the machine's noise is a few seconds either way.
    const runs: { timed: Timed; restore: RegExpExecArray }[] = []
    for (let i = 0; i < SECTION_RUNS; i++) {
      const timed = await cucumber(home, ['--tags', '@spot-interruption'])
      const restore = /Restored snapshot (\S+) instead of following (\d+) earlier scenario\(s\) \((\d+\.\d) s\)/.exec(timed.progress)
      if (!restore) throw new Error(`the section run restored no snapshot:\n${timed.progress.slice(-2000)}`)
      runs.push({ timed, restore })
    }
    const sorted = [...runs].sort((a, b) => a.timed.seconds - b.timed.seconds)
    const { timed: restored, restore } = sorted[Math.floor(sorted.length / 2)]
    const replayed = await cucumber(home, ['--tags', '@spot-interruption'], { SPOTCHECK_SNAPSHOTS: '0' })
    if (/Restored snapshot/.test(replayed.progress)) throw new Error('SPOTCHECK_SNAPSHOTS=0 restored a snapshot')
    const f = (s: number) => `${s.toFixed(1)} s`
    return {
      id: 'section-run',
      title: 'One section on its own: `npx cucumber-js --tags @spot-interruption` from a snapshot, and replayed',
      markdown: [
        'After one whole run (`npx cucumber-js`, which saved a snapshot after each section), Step 6 alone, each a whole',
        'cucumber-js process from start to exit (the sandbox started and stopped, the section, its report files):',
        '',
        '| | wall | start (cucumber-js, sandbox up) | scenarios | of which restore | stop (sandbox down, reports) |',
        '|---|---:|---:|---:|---:|---:|',
        `| **from the snapshot after Step 5** (${restore[2]} earlier scenarios restored; the median of ${SECTION_RUNS} runs: ${runs.map((r) => f(r.timed.seconds)).join(', ')}) | **${f(restored.seconds)}** | ${f(restored.startS)} | ${f(restored.scenariosS)} | ${restore[3]} s | ${f(restored.seconds - restored.startS - restored.scenariosS)} |`,
        `| replayed from nothing (\`SPOTCHECK_SNAPSHOTS=0\`, as \`spotcheck tutorial --no-snapshots\`) | ${f(replayed.seconds)} | ${f(replayed.startS)} | ${f(replayed.scenariosS)} | – | ${f(replayed.seconds - replayed.startS - replayed.scenariosS)} |`,
        `| the whole run that saved the snapshots | ${f(full.seconds)} | ${f(full.startS)} | ${f(full.scenariosS)} | – | ${f(full.seconds - full.startS - full.scenariosS)} |`,
        '',
        `The whole run saved ${snapshots.length} snapshots (${snapshots.join(', ')}), ${saves.map((s) => `${s} s`).join(', ')} each.`,
        '',
        "Step 6's own scenarios are most of what is left: the FIS experiment, the two-minute Spot notice and the replacement",
        'node run in tutorial time (×20), as in a whole run, and the real aws CLI and kubectl (each kubectl command runs',
        '`aws eks get-token`). The restore is moto loading its state and the cluster and the Karpenter twin restarting; the',
        'restarted Karpenter reads the instance types, offerings and Spot prices from moto again, as upstream does after a',
        "restart, beside the section's first commands. The rest is cucumber-js and the sandbox's own start and stop, the",
        'same with or without a snapshot.',
      ].join('\n'),
    }
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
}
