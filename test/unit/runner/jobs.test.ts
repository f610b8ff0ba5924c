// npm test's jobs and defaults: how many jobs at once, what every job's environment shares, and
// that every job has the expected seconds the lanes order them by.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { projectRoot } from '../../../lib/paths.ts'
import { defaultLanes, sharedEnvironment, suiteJobs } from '../../runner/jobs.ts'

describe('npm test defaults', () => {
  it('runs one job more than the cores, so a job waiting on a timer leaves no core idle', () => {
    assert.equal(defaultLanes(2), 3)
    assert.equal(defaultLanes(1), 2)
  })

  it("gives the Go programs a lazier collector (GOGC=400), and keeps the caller's own GOGC", () => {
    assert.equal(sharedEnvironment({}, '/scratch').GOGC, '400')
    assert.equal(sharedEnvironment({ GOGC: '100' }, '/scratch').GOGC, '100')
  })

  it("shares one Node compile cache among the jobs, in the run's scratch directory, and keeps the caller's own", () => {
    assert.equal(sharedEnvironment({}, '/scratch').NODE_COMPILE_CACHE, join('/scratch', 'node-compile-cache'))
    assert.equal(sharedEnvironment({ NODE_COMPILE_CACHE: '/mine' }, '/scratch').NODE_COMPILE_CACHE, '/mine')
  })

  it('gives every job expected seconds, measured or not, so that the longest-first order holds', () => {
    const jobs = suiteJobs(projectRoot, process.execPath)
    const unordered = jobs.filter((j) => !Number.isFinite(j.expect) || j.expect <= 0).map((j) => `${j.name}: ${j.expect}`)
    assert.deepEqual(unordered, [])
    assert.ok(
      jobs.some((j) => j.name === 'conformance'),
      'the conformance job, under 31 s and so not in EXPECTED, is still a job',
    )
  })
})
