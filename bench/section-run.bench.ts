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

async function cucumber(home: string, args: string[], extra: Record<string, string> = {}): Promise<{ seconds: number; progress: string }> {
  const env = { ...process.env, SPOTCHECK_HOME: home, SPOTCHECK_ALLURE_RESULTS: join(home, 'allure-results'), FORCE_COLOR: '0', ...extra }
  const start = performance.now()
  const r = await execa(process.execPath, [CUCUMBER, ...args, '--format', `message:${join(home, 'messages.ndjson')}`], {
    cwd: projectRoot,
    env,
    reject: false,
    all: true,
  })
  const seconds = (performance.now() - start) / 1000
  if (r.exitCode !== 0) throw new Error(`cucumber-js ${args.join(' ')} failed:\n${r.all.slice(-3000)}`)
  const runs = join(home, 'runs')
  const latest = readFileSync(join(runs, 'latest'), 'utf8').trim()
  return { seconds, progress: readFileSync(join(runs, latest, 'progress.log'), 'utf8') }
}

export default async function bench(): Promise<BenchResult> {
  const home = mkdtempSync(join(tmpdir(), 'bench-section-'))
  try {
    const full = await cucumber(home, [])
    const snapshots = readdirSync(join(home, 'snapshots')).sort()
    const saves = [...full.progress.matchAll(/is saved as snapshot \S+ \((\d+\.\d) s\)/g)].map((m) => Number(m[1]))
    const restored = await cucumber(home, ['--tags', '@spot-interruption'])
    const restore = /Restored snapshot (\S+) instead of following (\d+) earlier scenario\(s\) \((\d+\.\d) s\)/.exec(restored.progress)
    if (!restore) throw new Error(`the section run restored no snapshot:\n${restored.progress.slice(-2000)}`)
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
        '| | wall |',
        '|---|---:|',
        `| **from the snapshot after Step 5** (restore: ${restore[2]} earlier scenarios in ${restore[3]} s) | **${f(restored.seconds)}** |`,
        `| replayed from nothing (\`SPOTCHECK_SNAPSHOTS=0\`, as \`spotcheck tutorial --no-snapshots\`) | ${f(replayed.seconds)} |`,
        `| the whole run that saved the snapshots | ${f(full.seconds)} |`,
        '',
        `The whole run saved ${snapshots.length} snapshots (${snapshots.join(', ')}), ${saves.map((s) => `${s} s`).join(', ')} each.`,
      ].join('\n'),
    }
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
}
