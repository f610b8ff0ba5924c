// The aws target runs only in the account the user named, and says why not otherwise.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { OptInError, checkAwsOptIn, sandboxNameFor, targetRef } from '../../../support/target.ts'

describe('the aws target opt-in', () => {
  it('goes ahead when the opt-in names the account STS reports', () => {
    assert.doesNotThrow(() => checkAwsOptIn('123456789012', '123456789012'))
    assert.doesNotThrow(() => checkAwsOptIn(' 123456789012 ', '123456789012'))
  })

  it('refuses without an opt-in, saying how to give one', () => {
    assert.throws(
      () => checkAwsOptIn(undefined, '123456789012'),
      (e: Error) => e instanceof OptInError && /billable/.test(e.message) && /SPOTCHECK_AWS_ACCOUNT=<account ID>/.test(e.message),
    )
  })

  it('refuses an opt-in for another account, naming both', () => {
    assert.throws(() => checkAwsOptIn('111111111111', '222222222222'), /opt-in names account 111111111111, but your credentials are for account 222222222222/)
  })

  it('refuses an opt-in that is not an account ID', () => {
    assert.throws(() => checkAwsOptIn('yes', '123456789012'), /must be a 12-digit AWS account ID, got "yes"/)
    assert.throws(() => checkAwsOptIn('12345678901', '12345678901'), /12-digit/)
  })
})

describe('target references in the ledger', () => {
  it('name a sandbox of its own per run, and the aws region', () => {
    assert.deepEqual(targetRef({ target: 'sandbox' }, '20261125-ab12', '/h'), {
      name: 'sandbox',
      sandbox: 'run-20261125-ab12',
      home: '/h',
      region: 'eu-west-2',
    })
    assert.deepEqual(targetRef({ target: 'aws', region: 'us-west-2' }, 'x', '/h'), { name: 'aws', region: 'us-west-2' })
    assert.match(sandboxNameFor('20261125143342-0F4C'), /^[a-z0-9-]{1,40}$/)
  })

  it('refuses an aws run with no region', () => {
    const saved = { a: process.env.AWS_REGION, b: process.env.AWS_DEFAULT_REGION }
    delete process.env.AWS_REGION
    delete process.env.AWS_DEFAULT_REGION
    try {
      assert.throws(() => targetRef({ target: 'aws' }, 'x', '/h'), /needs a region: set AWS_REGION/)
    } finally {
      if (saved.a) process.env.AWS_REGION = saved.a
      if (saved.b) process.env.AWS_DEFAULT_REGION = saved.b
    }
  })
})
