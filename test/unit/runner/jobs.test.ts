// npm test's defaults: how many jobs at once, and what every job's environment shares.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { defaultLanes, sharedEnvironment } from '../../runner/jobs.ts'

describe('npm test defaults', () => {
  it('runs one job more than the cores, so a job waiting on a timer leaves no core idle', () => {
    assert.equal(defaultLanes(2), 3)
    assert.equal(defaultLanes(1), 2)
  })

  it("gives the Go programs a lazier collector (GOGC=400), and keeps the caller's own GOGC", () => {
    assert.deepEqual(sharedEnvironment({}), { GOGC: '400' })
    assert.deepEqual(sharedEnvironment({ GOGC: '100' }), { GOGC: '100' })
  })
})
