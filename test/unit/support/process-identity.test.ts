// `spotcheck cleanup` signals only process groups that are still the killed run's.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { groupStatus, parseProcessFile, processLine, processStartTime } from '../../../support/process-identity.ts'

describe('process identity', () => {
  it('records a group with its leader start time, and reads old pid-only lines', () => {
    const line = processLine(process.pid)
    assert.match(line, new RegExp(`^${process.pid} \\S+\\n$`))
    assert.deepEqual(parseProcessFile(`12\n${line}12 ticks:5\n`), [
      { pgid: 12, start: 'ticks:5' },
      { pgid: process.pid, start: processStartTime(process.pid) },
    ])
  })

  it("a live group whose leader started when recorded is ours; same id, other start: someone else's", async () => {
    const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' })
    try {
      const pgid = child.pid!
      await new Promise((r) => setTimeout(r, 100))
      const start = processStartTime(pgid)!
      assert.equal(groupStatus({ pgid, start }), 'ours')
      assert.equal(groupStatus({ pgid, start: 'ticks:1' }), 'reused', 'an id recycled by another process is left alone')
      assert.equal(groupStatus({ pgid }), 'reused', 'a pid-only record cannot prove the leader is ours')
      assert.equal(
        groupStatus({ pgid, start }, () => undefined),
        'ours',
        'a group whose leader exited is still ours',
      )
    } finally {
      process.kill(-child.pid!, 'SIGKILL')
    }
    await new Promise((r) => setTimeout(r, 200))
    assert.equal(groupStatus({ pgid: child.pid! }), 'gone')
  })
})
