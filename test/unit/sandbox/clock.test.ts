import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Clock, formatGoDuration, parseGoDuration } from '../../../sandbox/runtime/clock.ts'
import { FakeRealTime, flush } from './fake-real-time.ts'

const SCALE = 20

function fakeClock(options: { scale?: number; capMs?: number } = {}) {
  const real = new FakeRealTime()
  const clock = new Clock({ scale: options.scale ?? SCALE, capMs: options.capMs ?? 100, tickMs: 50, real })
  return { real, clock, t0: clock.tutorialNow() }
}

describe('Clock: tutorial time', () => {
  it('starts at the wall clock and runs scale times faster while idle', async () => {
    const { real, clock, t0 } = fakeClock()
    assert.equal(t0, real.now())
    await real.pass(1_000)
    assert.equal(clock.tutorialNow() - t0, 20_000)
    assert.equal(clock.nowMs(), t0 + 1_000) // object timestamps stay wall
  })

  it('fires timers in due order at exactly their due tutorial instant', async () => {
    const { real, clock, t0 } = fakeClock()
    const fired: [string, number][] = []
    clock.setTimeout(() => fired.push(['c', clock.tutorialNow() - t0]), 36_000)
    clock.setTimeout(() => fired.push(['a', clock.tutorialNow() - t0]), 1_234)
    clock.setTimeout(() => fired.push(['b', clock.tutorialNow() - t0]), 25_000)
    clock.setTimeout(() => fired.push(['b2', clock.tutorialNow() - t0]), 25_000) // same instant: in the order set
    await real.pass(3_000)
    assert.deepEqual(fired, [
      ['a', 1_234],
      ['b', 25_000],
      ['b2', 25_000],
      ['c', 36_000],
    ])
  })

  it('never lets tutorial time pass a pending timer before it fired', async () => {
    const { real, clock, t0 } = fakeClock()
    let fired = false
    clock.setTimeout(() => (fired = true), 500)
    // Read T as often as anyone may: between the driver's wake-ups, and after a long stall.
    real.wall += 40
    assert.ok(clock.tutorialNow() - t0 <= 500)
    real.wall += 4_000
    assert.equal(clock.tutorialNow() - t0, 500, 'held at the due instant until the timer fires')
    assert.equal(fired, false)
    await real.pass(0)
    assert.equal(fired, true)
  })

  it('adds at most cap × scale of tutorial time for a 5-second stall of the event loop', async () => {
    const { real, clock, t0 } = fakeClock({ capMs: 100 })
    await real.pass(50) // the driver is running
    const before = clock.tutorialNow()
    assert.equal(before - t0, 1_000)
    await real.stall(5_000)
    assert.equal(clock.tutorialNow() - before, 100 * SCALE)
  })

  it('a stall across a due timer still counts at most cap × scale in all', async () => {
    const { real, clock, t0 } = fakeClock({ capMs: 100 })
    let firedAt = 0
    clock.setTimeout(() => (firedAt = clock.tutorialNow() - t0), 1_500)
    await real.pass(50) // T = 1000
    await real.stall(5_000) // worth 2000 of T: 500 before the timer, 1500 after it
    assert.equal(firedAt, 1_500)
    assert.equal(clock.tutorialNow() - t0, 3_000)
  })

  it('runs at 1× while busy, and at the scale again afterwards', async () => {
    const { real, clock, t0 } = fakeClock()
    let finish!: () => void
    const work = clock.busy(new Promise<void>((resolve) => (finish = resolve)))
    assert.equal(clock.isBusy, true)
    await real.pass(1_000)
    assert.equal(clock.tutorialNow() - t0, 1_000)
    finish()
    await work
    assert.equal(clock.isBusy, false)
    await real.pass(1_000)
    assert.equal(clock.tutorialNow() - t0, 1_000 + 20_000)
  })

  it('maps wall instants it stamped back to tutorial time through its history', async () => {
    const { real, clock, t0 } = fakeClock()
    const stamps: { wall: number; tutorial: number }[] = []
    const stamp = () => stamps.push({ wall: clock.nowMs(), tutorial: clock.tutorialNow() })
    await real.pass(500)
    stamp()
    let finish!: () => void
    const work = clock.busy(new Promise<void>((resolve) => (finish = resolve)))
    await real.pass(700)
    stamp()
    finish()
    await work
    await real.stall(3_000)
    stamp()
    await real.pass(250)
    stamp()
    for (const s of stamps) assert.equal(clock.simulated(s.wall), s.tutorial, `wall +${s.wall - t0}`)
    assert.equal(clock.simulated(new Date(stamps[1].wall).toISOString()), stamps[1].tutorial)
    // Between two stamps: interpolated, monotonic.
    const mid = clock.simulated((stamps[0].wall + stamps[1].wall) / 2)
    assert.ok(mid > stamps[0].tutorial && mid < stamps[1].tutorial)
    // Before the clock started, wall and tutorial time coincide.
    assert.equal(clock.simulated(t0 - 60_000), t0 - 60_000)
    assert.equal(clock.simulated(), clock.tutorialNow())
    assert.equal(clock.simulatedSince(stamps[0].wall), clock.tutorialNow() - stamps[0].tutorial)
  })

  it('keeps its history compact while the rate does not change', async () => {
    const { real, clock } = fakeClock()
    await real.pass(60_000) // 1200 driver steps at the same rate
    assert.ok((clock as unknown as { walls: number[] }).walls.length <= 3)
  })

  it('cancels timers and intervals through the clock', async () => {
    const { real, clock } = fakeClock()
    let calls = 0
    const once = clock.setTimeout(() => calls++, 1_000)
    const every = clock.setInterval(() => calls++, 1_000)
    clock.clear(once)
    await real.pass(160) // T +3200: the interval fired 3 times
    assert.equal(calls, 3)
    clock.clear(every)
    await real.pass(1_000)
    assert.equal(calls, 3)
    assert.equal(clock.pending, 0)
    clock.clear(undefined)
    clock.clear(once) // twice is fine
  })

  it('fires an interval at every multiple of its period', async () => {
    const { real, clock, t0 } = fakeClock()
    const at: number[] = []
    clock.setInterval(() => at.push(clock.tutorialNow() - t0), 700)
    await real.stall(2_000)
    await real.pass(200)
    assert.deepEqual(at.slice(0, 5), [700, 1_400, 2_100, 2_800, 3_500])
  })

  it('sleeps in tutorial time, and an abort rejects the sleep with its reason', async () => {
    const { real, clock, t0 } = fakeClock()
    let woke = 0
    const slept = clock.sleep(10_000).then(() => (woke = clock.tutorialNow() - t0))
    const ac = new AbortController()
    const aborted = clock.sleep(60_000, ac.signal)
    await real.pass(600)
    await slept
    assert.equal(woke, 10_000)
    ac.abort(new Error('stop'))
    await assert.rejects(aborted, /stop/)
    assert.equal(clock.pending, 0)
    await assert.rejects(clock.sleep(1, AbortSignal.abort(new Error('early'))), /early/)
  })

  it('wakes the driver no later than the next due timer needs, and at least every tick', async () => {
    const { real, clock } = fakeClock()
    clock.setTimeout(() => undefined, 200) // 10 ms real at ×20
    assert.ok(real.asked.at(-1)! <= 10)
    await real.pass(20)
    await real.pass(500)
    assert.ok(Math.max(...real.asked.slice(-5)) <= 50)
  })

  it('holds T at the due instant while a callback runs, and a timer set there fires after it', async () => {
    const { real, clock, t0 } = fakeClock()
    const seen: number[] = []
    clock.setTimeout(() => {
      real.wall += 30 // the callback takes real time
      seen.push(clock.tutorialNow() - t0)
      clock.setTimeout(() => seen.push(clock.tutorialNow() - t0), 0)
    }, 400)
    await real.pass(100)
    await flush()
    assert.deepEqual(seen, [400, 400])
  })

  it('rejects a non-positive scale', () => {
    assert.throws(() => new Clock({ scale: 0 }), /positive/)
  })

  it('stops its driver on close', async () => {
    const { real, clock } = fakeClock()
    let fired = false
    clock.setTimeout(() => (fired = true), 100)
    clock.close()
    await real.pass(1_000)
    assert.equal(fired, false)
  })

  it('runs on real time by default (a short sleep ends)', async () => {
    const clock = new Clock({ scale: 100 })
    await clock.sleep(1_000) // ~10 ms real
    assert.ok(clock.tutorialNow() - clock.epochMs >= 1_000)
    clock.close()
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
