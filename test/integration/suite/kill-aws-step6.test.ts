// Kill tests on the aws path (the procedure and what it asserts: kill-aws.ts): a rehearsal killed
// in Step 6, once the FIS stack is deployed and the event observer runs.
import { it } from 'node:test'
import { describeKill, killRunnerAndClean } from './kill-aws.ts'

describeKill('in Step 6', () => {
  it('in Step 6, after the FIS stack', async () => {
    await killRunnerAndClean('@spot-interruption', 'after the FIS stack was deployed', (l) => l.entries.some((e) => e.kind === 'event-observer'), 1_000)
  })
})
