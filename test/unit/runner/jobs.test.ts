// npm test's jobs and defaults: how many jobs at once, what every job's environment shares, and
// that every job has the expected seconds the lanes order them by.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { projectRoot } from '../../../lib/paths.ts'
import { defaultLanes, jobEnvironment, sharedEnvironment, suiteJobs } from '../../runner/jobs.ts'

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

  it('gives every job a TMPDIR of its own under the scratch directory, and all but the features their own home', () => {
    const run = { scratch: '/scratch', cache: '/cache', owner: '42', shared: { GOGC: '400' } }
    const jobs = suiteJobs(projectRoot, process.execPath)
    const envs = jobs.map((j, i) => ({ job: j, env: jobEnvironment(j, i, run) }))
    const tmps = envs.map((e) => e.env.TMPDIR)
    assert.equal(new Set(tmps).size, jobs.length, 'one TMPDIR per job')
    for (const { job, env } of envs) {
      assert.ok(env.TMPDIR.startsWith('/scratch/'), `${job.name}: TMPDIR ${env.TMPDIR}`)
      assert.equal(env.GOGC, '400')
      assert.equal(env.SPOTCHECK_SANDBOX_OWNER, '42')
      assert.equal(env.SPOTCHECK_CACHE_DIR, '/cache')
      if (job.group === 'features') assert.equal(env.SPOTCHECK_HOME, undefined, "the drift runs write the project's own directories")
      else assert.ok(env.SPOTCHECK_HOME?.startsWith('/scratch/'), `${job.name}: SPOTCHECK_HOME ${env.SPOTCHECK_HOME}`)
    }
  })
})
