// A real-time source for sandbox/runtime/clock.ts that tests drive by hand: no real time passes, and the
// driver's wake-ups run only when the test moves real time on (or stalls it).

import type { RealTime } from '../../../sandbox/runtime/clock.ts'

export class FakeRealTime implements RealTime {
  wall: number
  private wakes: { at: number; fn: () => void; seq: number }[] = []
  private seq = 0
  /** Every wake-up delay the clock asked for (the driver's pacing). */
  readonly asked: number[] = []

  constructor(start = Date.parse('2024-01-29T10:00:00Z')) {
    this.wall = start
  }

  now(): number {
    return this.wall
  }

  wake(fn: () => void, ms: number): () => void {
    this.asked.push(ms)
    const entry = { at: this.wall + Math.max(0, ms), fn, seq: this.seq++ }
    this.wakes.push(entry)
    return () => {
      this.wakes = this.wakes.filter((w) => w !== entry)
    }
  }

  /** Lets `ms` of real time pass smoothly: every wake-up runs on time. */
  async pass(ms: number): Promise<void> {
    const end = this.wall + ms
    for (;;) {
      const next = this.nextWake()
      if (!next || next.at > end) break
      this.wakes = this.wakes.filter((w) => w !== next)
      this.wall = Math.max(this.wall, next.at)
      next.fn()
      await flush() // the callbacks' promise continuations run, as between real timers
    }
    this.wall = end
  }

  /** The event loop is blocked for `ms`: real time passes, and the wake-ups run late. */
  async stall(ms: number): Promise<void> {
    this.wall += ms
    await this.pass(0)
  }

  private nextWake() {
    return this.wakes.reduce<(typeof this.wakes)[number] | undefined>((a, w) => (!a || w.at < a.at || (w.at === a.at && w.seq < a.seq) ? w : a), undefined)
  }
}

export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve()
}
