// How Run.finish ends a run is the target's cleanup policy, not its name: a disposable target
// ('dispose') is stopped and nothing is unwound entry by entry or audited (an unwind or the audit
// would call AWS, which this target has none of).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Run } from '../../../support/run.ts'
import type { TargetSession } from '../../../support/target.ts'

describe('Run.finish', () => {
  it("follows the target's cleanup policy: 'dispose' stops the target and unwinds nothing", async () => {
    const home = mkdtempSync(join(tmpdir(), 'spotcheck-finish-'))
    try {
      const run = new Run({ target: 'sandbox' }, home)
      let stopped = 0
      // Named 'aws' on purpose: were finish to branch on the name, it would unwind and audit.
      run.target = {
        name: 'aws',
        rehearsal: false,
        region: 'eu-west-2',
        env: {},
        timeScale: 1,
        accountId: '123456789012',
        cloud9: { offered: false, reason: '' },
        facts: {},
        cleanup: 'dispose',
        stop: async () => void stopped++,
      } as unknown as TargetSession
      const report = await run.finish('passed')
      assert.equal(report, undefined, 'no unwind report: nothing was unwound')
      assert.equal(stopped, 1, 'the target was stopped once')
    } finally {
      rmSync(home, { recursive: true, force: true })
    }
  })
})
