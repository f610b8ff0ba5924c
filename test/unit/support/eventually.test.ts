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
    const out = await eventually('pods Running', async () => ({ ok: ++calls === 3, seen: `${calls} checks`, value: 'done' }), {
      withinMs: 60_000,
      timeScale: 20,
      graceMs: 0,
      intervalMs: 100,
      now: c.now,
      sleep: c.sleep,
    })
    assert.equal(out.value, 'done')
    assert.equal(out.tookMs, 200 * 20)
  })

  it('gives up after the tutorial deadline divided by the scale, plus the grace, naming what it last saw', async () => {
    const c = fakeClock()
    await assert.rejects(
      eventually('10 pods Running', async () => ({ ok: false, seen: '7 of 10 Running' }), {
        withinMs: 60_000,
        timeScale: 20,
        graceMs: 1_000,
        intervalMs: 500,
        now: c.now,
        sleep: c.sleep,
      }),
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
      eventually('API answers', async () => Promise.reject(new Error('connect ECONNREFUSED')), {
        withinMs: 1_000,
        timeScale: 1,
        graceMs: 0,
        intervalMs: 100,
        now: c.now,
        sleep: c.sleep,
      }),
      /Last seen: connect ECONNREFUSED/,
    )
  })

  it('reports progress while it waits', async () => {
    const c = fakeClock()
    const lines: string[] = []
    await assert.rejects(
      eventually('node Ready', async () => ({ ok: false, seen: 'NotReady' }), {
        withinMs: 30_000,
        timeScale: 1,
        graceMs: 0,
        intervalMs: 1_000,
        progressEveryMs: 10_000,
        progress: (l) => lines.push(l),
        now: c.now,
        sleep: c.sleep,
      }),
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

describe("eventually on the target's tutorial clock", () => {
  /** A tutorial clock that runs `rate` tutorial ms per real ms of the fake wall clock. */
  function tutorialClockAt(c: ReturnType<typeof fakeClock>, rate: number, epoch = 1_700_000_000_000) {
    return async () => epoch + c.now() * rate
  }

  it("counts the deadline in the clock's tutorial time: a clock slowed by load waits longer in real time", async () => {
    const c = fakeClock()
    // Nominal scale 20, but the busy sandbox's clock runs only 5× (1 real s = 5 tutorial s).
    await assert.rejects(
      eventually('replacement Ready', async () => ({ ok: false, seen: 'NotReady' }), {
        withinMs: 60_000,
        timeScale: 20,
        graceMs: 1_000,
        intervalMs: 500,
        tutorialNow: tutorialClockAt(c, 5),
        now: c.now,
        sleep: c.sleep,
      }),
      /replacement Ready: not within 1 min \(waited 1 min 5 s of tutorial time, 13 s of real time/,
    )
    // 60 s of tutorial time at 5× = 12 s real, plus 1 s of grace: not the 3 s + 1 s that wall × 20 would allow.
    assert.equal(c.now(), 13_000)
  })

  it('reports the tutorial time a success took, from the clock', async () => {
    const c = fakeClock()
    let calls = 0
    const out = await eventually('pods Running', async () => ({ ok: ++calls === 3, seen: 'ok' }), {
      withinMs: 60_000,
      timeScale: 20,
      graceMs: 0,
      intervalMs: 100,
      tutorialNow: tutorialClockAt(c, 7),
      now: c.now,
      sleep: c.sleep,
    })
    assert.equal(out.tookMs, 200 * 7)
  })

  it('gives up at its real backstop when the clock stops', async () => {
    const c = fakeClock()
    await assert.rejects(
      eventually('x', async () => ({ ok: false, seen: 'no' }), {
        withinMs: 10_000,
        timeScale: 20,
        graceMs: 1_000,
        intervalMs: 500,
        tutorialNow: async () => 42,
        now: c.now,
        sleep: c.sleep,
      }),
      /waited 0 s of tutorial time, 11 s of real time/,
    )
    assert.equal(c.now(), 11_000)
  })

  it('estimates from the last reading when the clock fails, and uses real time × scale when it never answered', async () => {
    const c = fakeClock()
    let reads = 0
    const flaky = async () => {
      if (++reads > 2) throw new Error('ECONNREFUSED')
      return 1_000_000 + c.now() * 10
    }
    await assert.rejects(
      eventually('y', async () => ({ ok: false, seen: 'no' }), {
        withinMs: 20_000,
        timeScale: 10,
        graceMs: 0,
        intervalMs: 500,
        tutorialNow: flaky,
        now: c.now,
        sleep: c.sleep,
      }),
    )
    assert.equal(c.now(), 2_000)
    const d = fakeClock()
    await assert.rejects(
      eventually('z', async () => ({ ok: false, seen: 'no' }), {
        withinMs: 20_000,
        timeScale: 10,
        graceMs: 0,
        intervalMs: 500,
        tutorialNow: () => Promise.reject(new Error('404')),
        now: d.now,
        sleep: d.sleep,
      }),
    )
    assert.equal(d.now(), 2_000)
  })
})
