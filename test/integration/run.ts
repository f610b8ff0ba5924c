// `npm run test:integration`: the integration test files, two at a time, the longest first.
//
// Most of an integration test's wall time is waiting: the aws provider's fixed timers under
// Terraform, the sandbox's tutorial clock, a kubectl watch. Two files side by side roughly halve
// the suite on a 2-core machine; each file keeps its own SPOTCHECK_HOME, sandboxes on free ports
// and its own report directories, so they do not meet. The sandbox's tutorial clock runs at 1x
// while its simulation is busy (sandbox/clock.ts), so a file that shares the cores takes longer but
// keeps the tutorial's deadlines. The longest files start first so that both lanes end together
// (figures from a clean-clone .ci/run; a file missing from the list runs after them, in name order).
//
// Arguments are passed to `node --test` (e.g. --test-name-pattern).

import { spawnSync } from 'node:child_process'
import { globSync } from 'node:fs'
import { dirname, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = relative(process.cwd(), here) || '.'

/** Files over two minutes, longest first (seconds measured alone: 520, 303, 282, 227, 220, 192, 177, 147). */
const LONGEST_FIRST = [
  'suite/kill-aws.test.ts',
  'cluster/karpenter.test.ts',
  'suite/section-snapshots.test.ts',
  'suite/rehearsal.test.ts',
  'cluster/tutorial.test.ts',
  'sandbox/snapshot.test.ts',
  'cluster/leader.test.ts',
  'suite/kill.test.ts',
]

const all = globSync('**/*.test.ts', { cwd: here }).sort()
const missing = LONGEST_FIRST.filter((f) => !all.includes(f))
if (missing.length > 0) {
  process.stderr.write(`test/integration/run.ts: no such test file: ${missing.join(', ')} (update LONGEST_FIRST)\n`)
  process.exit(2)
}
const files = [...LONGEST_FIRST, ...all.filter((f) => !LONGEST_FIRST.includes(f))].map((f) => `${root}/${f}`)
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...process.argv.slice(2), ...files], { stdio: 'inherit' })
process.exit(r.status ?? 1)
