// `npm start` as a reader runs it: `spotcheck drift`, the tutorial's three runs on the sandbox (as
// written on its own date, as written today, the current edition today), then DRIFT.md and the
// report — side by side (the default from 2 cores, as `npm start` and `npm test` run it) and one after
// another (`--sequential`).
// Each measured in a home of its own, with each run's wall time from drift/drift.json.

import { execa } from 'execa'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../lib/paths.ts'
import type { BenchResult } from './run.ts'

interface DriftJson {
  ok: boolean
  runs: { title: string; durationSeconds: number; outcome: { ok: boolean; reason: string } }[]
}

async function measure(args: string[]): Promise<{ total: number; drift: DriftJson }> {
  const home = mkdtempSync(join(tmpdir(), 'bench-drift-'))
  const env = {
    ...process.env,
    SPOTCHECK_HOME: home,
    SPOTCHECK_DRIFT_DIR: join(home, 'drift'),
    SPOTCHECK_ALLURE_RESULTS: join(home, 'allure-results'),
    SPOTCHECK_REPORT_DIR: join(home, 'allure-report'),
    FORCE_COLOR: '0',
  }
  const start = performance.now()
  const r = await execa(process.execPath, [join(projectRoot, 'bin', 'spotcheck.ts'), 'drift', ...args], { cwd: projectRoot, env, reject: false, all: true })
  const total = (performance.now() - start) / 1000
  try {
    if (r.exitCode !== 0) throw new Error(`spotcheck drift ${args.join(' ')} was not as expected:\n${r.all.slice(-3000)}`)
    return { total, drift: JSON.parse(readFileSync(join(home, 'drift', 'drift.json'), 'utf8')) as DriftJson }
  } finally {
    await execa(process.execPath, [join(projectRoot, 'bin', 'spotcheck.ts'), 'sandbox', 'down', '--all'], { env, reject: false })
    rmSync(home, { recursive: true, force: true })
  }
}

export default async function bench(): Promise<BenchResult> {
  const side = await measure([])
  const seq = await measure(['--sequential'])
  const rows = side.drift.runs.map((run, i) => `| ${run.title} | ${run.durationSeconds} s | ${seq.drift.runs[i]?.durationSeconds ?? '–'} s |`)
  const markdown = [
    '| | side by side (`npm start`, `npm test`) | one after another (`--sequential`) |',
    '|---|---:|---:|',
    `| **\`spotcheck drift\`**, the three runs, DRIFT.md and the report | **${side.total.toFixed(1)} s** | **${seq.total.toFixed(1)} s** |`,
    ...rows,
    '',
    "Each run brings up a sandbox of its own; most of a run is the aws provider's fixed waits in Step 2",
    'and Step 8 (see the sandbox benchmark), which overlap when the runs go side by side. The run as',
    'written today stops at the preflight and creates nothing. Side by side, the two full runs share',
    'the two cores, so their Karpenter phases take longer in wall time than one after another.',
  ].join('\n')
  return { id: 'drift-sandbox', title: 'The drift on the sandbox (`npm start`)', markdown }
}
