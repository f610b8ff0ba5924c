// The jobs of `npm test`: each is the npm script or `node --test` command a developer runs on its
// own, with the seconds it took when the others shared the cores (only their order depends on it).

import { globSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join, relative } from 'node:path'
import type { Job } from './lanes.ts'

export const GROUPS = ['lint', 'unit', 'python', 'conformance', 'node24', 'integration', 'features'] as const
export type Group = (typeof GROUPS)[number]

export interface SuiteJob extends Job {
  group: Group
}

/**
 * Seconds each job took in `npm test` on the 2-core machine, three at a time (a run at 7db4136; the
 * benchmark in docs/benchmarks.md is a later one), the longest first. A job not listed (each under
 * 31 s) counts UNMEASURED: it starts after the long ones, which is where a new file belongs until
 * it is measured.
 */
const EXPECTED: Record<string, number> = {
  features: 280,
  'integration/suite/section-snapshots.test.ts': 256,
  'integration/suite/kill.test.ts': 232,
  'integration/suite/rehearsal.test.ts': 212,
  'integration/suite/kill-aws-step6.test.ts': 202,
  'integration/suite/kill-aws-step4.test.ts': 187,
  unit: 171,
  'integration/sandbox/tutorial-aws.test.ts': 169,
  'integration/sandbox/snapshot.test.ts': 117,
  lint: 100,
  'integration/cluster/karpenter.test.ts': 89,
  'integration/suite/kill-aws-step2.test.ts': 72,
  python: 69,
  'integration/kube/kubectl.test.ts': 67,
  node24: 67,
  'integration/cluster/drift.test.ts': 64,
  'integration/aws/undo-scope.test.ts': 62,
  'integration/report/report-screens.test.ts': 48,
  'integration/cluster/leader.test.ts': 45,
  'integration/cluster/tutorial.test.ts': 43,
  'integration/cluster/karpenter-v1.test.ts': 40,
  'integration/suite/redaction.test.ts': 36,
  'integration/cluster/karpenter-v1-drift.test.ts': 35,
  'integration/sandbox/cli.test.ts': 32,
  'integration/aws/fis.test.ts': 31,
}

/** The seconds a job not in EXPECTED counts. */
const UNMEASURED = 30

const npm = (script: string): string[] => ['npm', 'run', '--silent', script]

/** Every job of the suite, in name order (the lanes order them). */
export function suiteJobs(projectRoot: string, node: string): SuiteJob[] {
  const integration = globSync('test/integration/**/*.test.ts', { cwd: projectRoot })
    .sort()
    .map((file): SuiteJob => {
      const name = relative('test', file)
      return {
        name,
        group: 'integration',
        argv: [node, '--import', './test/setup/python-path.ts', '--test', '--test-reporter=tap', file],
        expect: EXPECTED[name] ?? UNMEASURED,
      }
    })
  const job = (group: Group, argv: string[]): SuiteJob => ({ name: group, group, argv, expect: EXPECTED[group] ?? UNMEASURED })
  return [
    job('lint', npm('lint')),
    job('unit', npm('test:unit')),
    // The moto extension's own tests (sandbox/aws/tests): one Python, so one run, not one per Node.
    job('python', npm('test:python')),
    job('conformance', npm('conformance')),
    // The unit test files in one process (--experimental-test-isolation=none, the flag both Node 22
    // and 24 take): half the time of a process per file, ~110 s instead of ~190 s. The Node 22 run
    // (unit) keeps a process per file, so a file that passes only beside the others still fails there.
    job('node24', npm('test:node24')),
    ...integration,
    // The report check reads what the drift runs wrote: one job, in that order.
    job('features', ['bash', '-c', 'npm run --silent test:features && npm run --silent test:report']),
  ]
}

/** The names of EXPECTED that match no job (a renamed or removed file). */
export function staleExpectations(jobs: SuiteJob[]): string[] {
  const names = new Set(jobs.map((j) => j.name))
  return Object.keys(EXPECTED).filter((n) => !names.has(n))
}

/**
 * How many jobs run at once unless told: one more than the cores. Much of an integration file's
 * time is waiting on timers, so one job per core left a third of the CPU idle (2 cores: 1515 s of
 * CPU in 1125 s of wall, 67 %); one more filled it (1501 s in 891 s, 84 %).
 */
export function defaultLanes(cores = availableParallelism()): number {
  return cores + 1
}

/**
 * What every job's environment gets besides its own directories.
 *
 * GOGC for the Go programs the tests run: terraform decodes the aws provider's whole schema
 * (hundreds of MB, short-lived) on every command that starts the provider, and the provider builds
 * it, so at Go's default of 100 a good part of their CPU is garbage collection. At 400 a
 * Terraform-heavy file (integration/sandbox/tutorial-aws.test.ts) took 56.5 s of CPU instead of
 * 63.9 s, with ~10 % more memory at the peak.
 *
 * NODE_COMPILE_CACHE (Node's module compile cache, nodejs.org/api/module.html#module-compile-cache)
 * in the run's scratch directory: the suite starts hundreds of Node processes (test files,
 * cucumber-js runs, sandbox daemons, spotcheck commands), each compiling the same modules — the
 * AWS SDK's clients, client-node, the project's own TypeScript once its types are stripped. With
 * the cache one process compiles a module and the later ones load V8's code for it: a cucumber-js
 * start took 1.95 s of CPU instead of 2.4, loading the sandbox's cluster host 0.79 s instead of 1.0.
 * Entries are keyed by the source's hash and checked when read, so the jobs can share it.
 *
 * A value the caller already set is kept for either.
 */
export function sharedEnvironment(parent: NodeJS.ProcessEnv, scratch: string): Record<string, string> {
  return { GOGC: parent.GOGC ?? '400', NODE_COMPILE_CACHE: parent.NODE_COMPILE_CACHE ?? join(scratch, 'node-compile-cache') }
}

/** What one run gives all its jobs: its scratch directory, cache, owner pid and shared variables. */
interface RunContext {
  scratch: string
  cache: string
  owner: string
  shared: Record<string, string>
}

/**
 * The environment of the run's job number `index` (test/run.ts says why each directory). Every job
 * gets a TMPDIR of its own under the scratch directory (Node's os.tmpdir(), Python's tempfile and
 * Go's os.TempDir read it), so what its tests leave there goes with the run; every job but the
 * features also gets its own spotcheck home and report directories. The caller makes TMPDIR.
 */
export function jobEnvironment(job: SuiteJob, index: number, run: RunContext): Record<string, string> & { TMPDIR: string } {
  const own = join(run.scratch, String(index))
  const common = { ...run.shared, TMPDIR: join(own, 'tmp'), SPOTCHECK_CACHE_DIR: run.cache, SPOTCHECK_SANDBOX_OWNER: run.owner }
  if (job.group === 'features') return common
  return {
    ...common,
    SPOTCHECK_HOME: join(own, 'home'),
    SPOTCHECK_ALLURE_RESULTS: join(own, 'allure-results'),
    SPOTCHECK_REPORTS_DIR: join(own, 'reports'),
    SPOTCHECK_REPORT_DIR: join(own, 'allure-report'),
    SPOTCHECK_TEST_SNAPSHOTS: join(run.scratch, 'step2-snapshots'),
  }
}
