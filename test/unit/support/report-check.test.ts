// The report check knows, by value, what must never be published: on a real account the run
// records no sandbox credentials, so the opted-in account and the shell's credentials stand in.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findLeaks, knownSecrets } from '../../../support/report-check.ts'

describe('report check: knownSecrets', () => {
  it("takes the opted-in account and the shell's AWS credentials when the run recorded none (a real account)", () => {
    const env = { SPOTCHECK_AWS_ACCOUNT: '111122223333', AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEEXAMPLE12', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ' }
    const known = knownSecrets({ secrets: [] }, env)
    assert.equal(known.accountId, '111122223333')
    assert.deepEqual(known.secrets.sort(), [env.AWS_ACCESS_KEY_ID, env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN].sort())
  })

  it("keeps what the run recorded, and leaves short values (moto's \"testing\") and a malformed opt-in to the patterns", () => {
    const known = knownSecrets({ secrets: ['recorded-secret-value'], accountId: '123456789012' }, { SPOTCHECK_AWS_ACCOUNT: '111122223333', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' })
    assert.deepEqual(known, { secrets: ['recorded-secret-value'], accountId: '123456789012' })
    assert.equal(knownSecrets({ secrets: [] }, { SPOTCHECK_AWS_ACCOUNT: 'abc' }).accountId, undefined)
  })

  it('finds the real account ID in a report file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spotcheck-report-check-'))
    try {
      writeFileSync(join(dir, 'a.json'), '{"arn":"arn:aws:iam::111122223333:role/x"}')
      const leaks = findLeaks([dir], knownSecrets({ secrets: [] }, { SPOTCHECK_AWS_ACCOUNT: '111122223333' }))
      assert.deepEqual(leaks.map((l) => l.what), ['the account ID 111122223333'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
