// Kill tests on the aws path (the procedure and what it asserts: kill-aws.ts): a rehearsal killed
// in Step 4, once the workload's Deployment is applied.
import { it } from 'node:test'
import { describeKill, killRunnerAndClean } from './kill-aws.ts'

describeKill('in Step 4', () => {
  it('in Step 4, after the workload', async () => {
    await killRunnerAndClean(
      '@spot-workload',
      'after the workload was applied',
      (l) => l.entries.some((e) => e.kind === 'kubernetes' && e.objects.some((o) => o.kind === 'Deployment')),
      3_000,
    )
  })
})
