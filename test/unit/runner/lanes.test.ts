import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { countsOf, Lanes, unittestCounts, type Job } from '../../../test/runner/lanes.ts'
import { isAlive } from '../../../sandbox/state.ts'

/** A job that appends "start <name>" and "end <name>" to `log` around a sleep of `ms`. */
function sleeper(log: string, name: string, expect: number, ms = 150): Job {
  const script = `const fs=require('node:fs');fs.appendFileSync(${JSON.stringify(log)},'start ${name}\\n');setTimeout(()=>fs.appendFileSync(${JSON.stringify(log)},'end ${name}\\n'),${ms})`
  return { name, expect, argv: [process.execPath, '-e', script] }
}

describe('the lanes of npm test (test/runner/lanes.ts)', () => {
  it('starts the longest expected jobs first and never runs more than its lanes at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spotcheck-lanes-'))
    try {
      const log = join(dir, 'log')
      const jobs = [sleeper(log, 'a', 1), sleeper(log, 'b', 40), sleeper(log, 'c', 5), sleeper(log, 'd', 300), sleeper(log, 'e', 20)]
      const order: string[] = []
      const lanes = new Lanes({ lanes: 2, cwd: dir, started: (job) => order.push(job.name) })
      let most = 0
      const watch = setInterval(() => (most = Math.max(most, lanes.running().length)), 5)
      const outcomes = await lanes.run(jobs).finally(() => clearInterval(watch))
      assert.deepEqual(
        outcomes.map((o) => o.exitCode),
        [0, 0, 0, 0, 0],
      )
      const events = readFileSync(log, 'utf8').trim().split('\n')
      assert.deepEqual(order, ['d', 'b', 'e', 'c', 'a'])
      // Two at once, never three: what the lanes say, and what the jobs wrote (on a busy machine a
      // job may end before the next one's node has started, so the log can show fewer).
      assert.equal(most, 2)
      let now = 0
      let logged = 0
      for (const e of events) {
        now += e.startsWith('start') ? 1 : -1
        logged = Math.max(logged, now)
      }
      assert.ok(logged <= 2, `${logged} jobs ran at once`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("hands over each job's output whole, its exit status, node:test's counts and unittest's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spotcheck-lanes-'))
    try {
      const tap = [
        { name: 'passes', expect: 1, argv: [process.execPath, '-e', "console.log('TAP version 13\\n# tests 3\\n# pass 3\\n# fail 0')"] },
        { name: 'fails', expect: 2, argv: [process.execPath, '-e', "console.log('# tests 2\\n# pass 1\\n# fail 1');console.error('why');process.exit(3)"] },
        // unittest writes its closing lines to stderr.
        { name: 'python', expect: 3, argv: [process.execPath, '-e', "console.error('Ran 4 tests in 0.1s\\n\\nOK (skipped=1)')"] },
      ]
      const ended: string[] = []
      const outcomes = await new Lanes({ lanes: 2, cwd: dir, ended: (o, done) => ended.push(`${done} ${o.job.name}`) }).run(tap)
      const byName = new Map(outcomes.map((o) => [o.job.name, o]))
      assert.equal(byName.get('passes')?.exitCode, 0)
      assert.deepEqual(byName.get('passes')?.counts, { tests: 3, pass: 3, fail: 0 })
      assert.equal(byName.get('fails')?.exitCode, 3)
      assert.deepEqual(byName.get('fails')?.counts, { tests: 2, pass: 1, fail: 1 })
      assert.match(byName.get('fails')?.output ?? '', /# fail 1\nwhy/)
      assert.equal(byName.get('fails')?.unittest, undefined)
      assert.deepEqual(byName.get('python')?.counts, {})
      assert.deepEqual(byName.get('python')?.unittest, { tests: 4, pass: 3, fail: 0, skipped: 1 })
      assert.deepEqual(ended.map((e) => e.split(' ')[0]).sort(), ['1', '2', '3'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('sums the counts of an output that has several runs (the Node 24 job: its unit tests, then more)', () => {
    assert.deepEqual(countsOf('# tests 2\n# pass 2\nlater\n# tests 5\n# pass 4\n# skipped 1\n'), { tests: 7, pass: 6, skipped: 1 })
    // The spec reporter's form (Node 24's default, wherever the output goes).
    assert.deepEqual(countsOf('ℹ tests 3\nℹ pass 2\nℹ fail 1\n'), { tests: 3, pass: 2, fail: 1 })
  })

  it("reads Python unittest's closing lines (the python job), failures and errors as failed", () => {
    assert.deepEqual(unittestCounts('....\n----\nRan 121 tests in 35.991s\n\nOK\n'), { tests: 121, pass: 121, fail: 0, skipped: 0 })
    assert.deepEqual(unittestCounts('Ran 10 tests in 1.0s\n\nOK (skipped=2)\n'), { tests: 10, pass: 8, fail: 0, skipped: 2 })
    assert.deepEqual(unittestCounts('FAIL: test_x\nRan 10 tests in 1.0s\n\nFAILED (failures=1, errors=2, skipped=1)\n'), {
      tests: 10,
      pass: 6,
      fail: 3,
      skipped: 1,
    })
    assert.equal(unittestCounts('# tests 2\n# pass 2\nOK\n'), undefined, 'no unittest run in the output')
  })

  it("stop() ends the running jobs' process groups and starts no other job", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spotcheck-lanes-'))
    try {
      const pidFile = join(dir, 'grandchild')
      // The job starts a grandchild (as a test starts a sandbox) and waits for it.
      const script = `const {spawn}=require('node:child_process');const c=spawn('sleep',['60'],{stdio:'ignore'});require('node:fs').writeFileSync(${JSON.stringify(pidFile)},String(c.pid));c.on('exit',()=>{})`
      const log = join(dir, 'log')
      const lanes = new Lanes({ lanes: 1, cwd: dir })
      const run = lanes.run([{ name: 'long', expect: 100, argv: [process.execPath, '-e', script] }, sleeper(log, 'next', 1)])
      for (let i = 0; i < 100 && lanes.running().length === 0; i++) await new Promise((r) => setTimeout(r, 20))
      for (let i = 0; i < 250; i++) {
        try {
          readFileSync(pidFile, 'utf8')
          break
        } catch {
          await new Promise((r) => setTimeout(r, 20))
        }
      }
      const grandchild = Number(readFileSync(pidFile, 'utf8'))
      lanes.stop()
      const outcomes = await run
      assert.equal(lanes.stopped, true)
      assert.deepEqual(
        outcomes.map((o) => [o.job.name, o.signal]),
        [['long', 'SIGTERM']],
      )
      for (let i = 0; i < 100 && isAlive(grandchild); i++) await new Promise((r) => setTimeout(r, 20))
      assert.equal(isAlive(grandchild), false, 'the job’s grandchild was stopped with it')
      assert.throws(() => readFileSync(log), 'the queued job never started')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
