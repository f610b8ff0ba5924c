import { it } from 'node:test'
import assert from 'node:assert/strict'
import { UsageError, messageOf } from '../../../lib/errors.ts'
import { sleep } from '../../../lib/sleep.ts'

it("messageOf gives an Error's message, and anything else thrown as text", () => {
  assert.equal(messageOf(new UsageError('no region')), 'no region')
  assert.equal(messageOf('a thrown string'), 'a thrown string')
  assert.equal(messageOf(undefined), 'undefined')
})

it('a UsageError is an Error with its message', () => {
  const e = new UsageError('bad')
  assert.ok(e instanceof Error)
  assert.equal(e.message, 'bad')
})

it('sleep resolves after the time given, not before', async () => {
  const start = performance.now()
  await sleep(30)
  assert.ok(performance.now() - start >= 25, `resolved after ${performance.now() - start} ms`)
})
