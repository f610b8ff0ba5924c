import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Clock, formatGoDuration, parseGoDuration } from '../../../sandbox/clock.ts'

describe('Clock', () => {
  it('waits scaled real time for tutorial durations', async () => {
    const clock = new Clock({ scale: 100 })
    const start = Date.now()
    await clock.sleep(5_000) // 5 s of tutorial time = 50 ms real
    const real = Date.now() - start
    assert.ok(real >= 45 && real < 1_000, `slept ${real} ms`)
  })

  it('reports elapsed tutorial time', () => {
    const clock = new Clock({ scale: 20 })
    const since = Date.now() - 1_000
    const sim = clock.simulatedSince(since)
    assert.ok(sim >= 20_000 && sim < 21_000, `got ${sim}`)
  })

  it('rejects a non-positive scale', () => {
    assert.throws(() => new Clock({ scale: 0 }), /positive/)
  })

  it('aborts a sleep', async () => {
    const clock = new Clock({ scale: 1 })
    const ac = new AbortController()
    const p = clock.sleep(60_000, ac.signal)
    ac.abort(new Error('stop'))
    await assert.rejects(p, /stop/)
  })
})

describe('Go durations', () => {
  it('parses the forms Karpenter uses', () => {
    assert.equal(parseGoDuration('168h'), 168 * 3_600_000)
    assert.equal(parseGoDuration('1m30s'), 90_000)
    assert.equal(parseGoDuration('500ms'), 500)
    assert.equal(parseGoDuration('0'), 0)
    assert.throws(() => parseGoDuration('7d'), /invalid duration/)
    assert.throws(() => parseGoDuration(''), /invalid duration/)
  })

  it('formats like time.Duration.String()', () => {
    assert.equal(formatGoDuration(180_000), '3m0s')
    assert.equal(formatGoDuration(13.084497), '13.084497ms')
    assert.equal(formatGoDuration(18.833162), '18.833162ms')
    assert.equal(formatGoDuration(3_600_000 + 61_500), '1h1m1.5s')
  })
})

describe('Clock.simulated', () => {
  it('maps wall-clock instants to tutorial time that runs scale times faster', () => {
    const clock = new Clock({ scale: 20 })
    const a = clock.epochMs + 1_000
    assert.equal(clock.simulated(a), clock.epochMs + 20_000)
    assert.equal(clock.simulated(new Date(a).toISOString()), clock.epochMs + 20_000)
    assert.equal(clock.simulated(clock.epochMs), clock.epochMs)
  })
})
