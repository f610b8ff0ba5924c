// The jobs of `npm test`: each is the npm script or `node --test` command a developer runs on its
// own, with the seconds it took when the others shared the cores (only their order depends on it).

import { globSync } from 'node:fs'
import { relative } from 'node:path'
import type { Job } from './lanes.ts'

export const GROUPS = ['lint', 'unit', 'conformance', 'node24', 'integration', 'features'] as const
export type Group = (typeof GROUPS)[number]

export interface SuiteJob extends Job {
  group: Group
}

/**
 * Seconds each job took in `npm test` on the 2-core machine (docs/benchmarks.md). An integration
 * file not listed counts 30 s: it starts after the long ones, which is where a new file belongs
 * until it is measured.
 */
const EXPECTED: Record<string, number> = {
  lint: 90,
  unit: 200,
  conformance: 30,
  node24: 220,
  features: 420,
  'integration/suite/kill-aws.test.ts': 450,
  'integration/suite/section-snapshots.test.ts': 205,
  'integration/sandbox/tutorial-aws.test.ts': 200,
  'integration/suite/rehearsal.test.ts': 185,
  'integration/sandbox/snapshot.test.ts': 180,
  'integration/suite/kill.test.ts': 150,
  'integration/cluster/karpenter.test.ts': 115,
  'integration/kube/kubectl.test.ts': 100,
  'integration/cluster/drift.test.ts': 80,
  'integration/cluster/tutorial.test.ts': 60,
  'integration/cluster/leader.test.ts': 55,
  'integration/cluster/karpenter-v1.test.ts': 45,
  'integration/cluster/karpenter-v1-drift.test.ts': 40,
  'integration/suite/redaction.test.ts': 37,
  'integration/aws/undo-scope.test.ts': 33,
  'integration/sandbox/as-of.test.ts': 30,
  'integration/aws/fis.test.ts': 30,
}

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
        expect: EXPECTED[name] ?? 30,
      }
    })
  const job = (group: Group, argv: string[]): SuiteJob => ({ name: group, group, argv, expect: EXPECTED[group] })
  return [
    job('lint', npm('lint')),
    job('unit', npm('test:unit')),
    job('conformance', npm('conformance')),
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
