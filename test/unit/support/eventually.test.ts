// Waiting in tutorial time: deadlines scale with the target, a grace covers the observer, and a
// failure says what was last seen.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { eventually, formatTutorialTime, parseTutorialDuration } from '../../../support/eventually.ts'

/** A fake clock: sleeping advances it, so tests take no real time. */
function fakeClock() {
  let t = 0
  return { now: () => t, sleep: async (ms: number) => void (t += ms), advance: (ms: number) => void (t += ms) }
}

describe('eventually', () => {
  it('returns the value and the tutorial time it took', async () => {
    const c = fakeClock()
    let calls = 0
    const out = await eventually('pods Running', async () => ({ ok: ++calls === 3, seen: `${calls} checks`, value: 'done' }), { withinMs: 60_000, timeScale: 20, graceMs: 0, intervalMs: 100, now: c.now, sleep: c.sleep })
    assert.equal(out.value, 'done')
    assert.equal(out.tookMs, 200 * 20)
  })

  it('gives up after the tutorial deadline divided by the scale, plus the grace, naming what it last saw', async () => {
    const c = fakeClock()
    await assert.rejects(
      eventually('10 pods Running', async () => ({ ok: false, seen: '7 of 10 Running' }), { withinMs: 60_000, timeScale: 20, graceMs: 1_000, intervalMs: 500, now: c.now, sleep: c.sleep }),
      (e: Error) => {
        assert.equal(e.name, 'AssertionError')
        assert.match(e.message, /10 pods Running: not within 1 min/)
        assert.match(e.message, /Last seen: 7 of 10 Running/)
        return true
      },
    )
    assert.ok(c.now() >= 4_000 && c.now() <= 4_500, `gave up at ${c.now()} real ms (expected 3 s + 1 s grace)`)
  })

  it('treats a probe that throws as not yet, and reports its message', async () => {
    const c = fakeClock()
    let n = 0
    const out = await eventually(
      'API answers',
      async () => {
        if (++n < 3) throw new Error('connect ECONNREFUSED')
        return { ok: true, seen: 'answered' }
      },
      { withinMs: 10_000, timeScale: 1, graceMs: 0, intervalMs: 100, now: c.now, sleep: c.sleep },
    )
    assert.equal(out.seen, 'answered')
    await assert.rejects(
      eventually('API answers', async () => Promise.reject(new Error('connect ECONNREFUSED')), { withinMs: 1_000, timeScale: 1, graceMs: 0, intervalMs: 100, now: c.now, sleep: c.sleep }),
      /Last seen: connect ECONNREFUSED/,
    )
  })

  it('reports progress while it waits', async () => {
    const c = fakeClock()
    const lines: string[] = []
    await assert.rejects(
      eventually('node Ready', async () => ({ ok: false, seen: 'NotReady' }), { withinMs: 30_000, timeScale: 1, graceMs: 0, intervalMs: 1_000, progressEveryMs: 10_000, progress: (l) => lines.push(l), now: c.now, sleep: c.sleep }),
    )
    assert.ok(lines.length >= 2, `${lines.length} progress lines`)
    assert.match(lines[0], /node Ready: NotReady \(\d+ s of 30 s\)/)
  })
})

describe('tutorial durations', () => {
  it('parses the units the features use and formats times for readers', () => {
    assert.equal(parseTutorialDuration(1, 'minute'), 60_000)
    assert.equal(parseTutorialDuration(2, 'minutes'), 120_000)
    assert.equal(parseTutorialDuration(30, 'seconds'), 30_000)
    assert.throws(() => parseTutorialDuration(1, 'fortnight'), /unknown time unit "fortnight"/)
    assert.equal(formatTutorialTime(45_000), '45 s')
    assert.equal(formatTutorialTime(120_000), '2 min')
    assert.equal(formatTutorialTime(90_000), '1 min 30 s')
  })
})
