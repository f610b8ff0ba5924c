// Kill tests on the aws path (the procedure and what it asserts: kill-aws.ts): a rehearsal killed
// during Step 2's terraform apply.
import { it } from 'node:test'
import { describeKill, killRunnerAndClean } from './kill-aws.ts'

describeKill('in Step 2', () => {
  it("during Step 2's terraform apply", async () => {
    await killRunnerAndClean('@cluster', 'during terraform apply', (l) => l.entries.some((e) => e.kind === 'terraform'), 20_000)
  })
})
