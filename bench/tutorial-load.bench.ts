// The whole tutorial on the sandbox twice: on a quiet machine, then with busy loops pinning every
// core (as a loaded CI machine is). The claim under test: the tutorial-time durations (NodeClaim → node Ready,
// interruption warning → replacement Ready, workload deletion → consolidation) stay within 10 %,
// because the sandbox's clock slows down with the machine; and the wall time of everything but
// Terraform's and CloudFormation's own commands. Figures come from each run's timings.json
// (support/timings.ts), parsed by bench/load-figures.ts.

import { execa, type ResultPromise } from 'execa'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../lib/paths.ts'
import type { BenchResult } from './run.ts'
import { figuresOf, loadMarkdown, parseTimings, type LoadFigures } from './load-figures.ts'

async function tutorial(label: string): Promise<LoadFigures> {
  const home = mkdtempSync(join(tmpdir(), `bench-load-${label}-`))
  const env = {
    ...process.env,
    SPOTCHECK_HOME: home,
    SPOTCHECK_ALLURE_RESULTS: join(home, 'allure-results'),
    SPOTCHECK_REPORT_DIR: join(home, 'allure-report'),
    FORCE_COLOR: '0',
  }
  try {
    const start = performance.now()
    const r = await execa(process.execPath, [join(projectRoot, 'bin', 'spotcheck.ts'), 'tutorial'], { cwd: projectRoot, env, reject: false, all: true })
    const total = performance.now() - start
    if (r.exitCode !== 0) throw new Error(`the tutorial failed on the sandbox (${label}):\n${r.all.slice(-3000)}`)
    const id = readFileSync(join(home, 'runs', 'latest'), 'utf8').trim()
    const file = join(home, 'runs', id, 'timings.json')
    if (!existsSync(file)) throw new Error(`${label}: the run wrote no ${file}`)
    return figuresOf(parseTimings(readFileSync(file, 'utf8'), file), total)
  } finally {
    await execa(process.execPath, [join(projectRoot, 'bin', 'spotcheck.ts'), 'sandbox', 'down', '--all'], { env, reject: false })
    rmSync(home, { recursive: true, force: true })
  }
}

export default async function bench(): Promise<BenchResult> {
  const quiet = await tutorial('quiet')
  // One busy loop per core, each its own process, stopped by its own pid when the run is done.
  const loops: ResultPromise[] = Array.from({ length: cpus().length }, () => execa(process.execPath, ['-e', 'for (;;) {}'], { reject: false }))
  let loaded: LoadFigures
  try {
    loaded = await tutorial('loaded')
  } finally {
    for (const loop of loops) loop.kill('SIGKILL')
    await Promise.all(loops)
  }
  return {
    id: 'tutorial-load',
    title: 'The whole tutorial on the sandbox, quiet and with every core pinned by busy loops',
    markdown: loadMarkdown(quiet, loaded, loops.length),
  }
}
