// Tutorial time for the sandbox: a discrete-event clock.
//
// The sandbox replays what takes minutes on AWS (a node booting, a two-minute Spot notice,
// consolidation's 15 s validation) in seconds. Every component waits through one Clock, in
// tutorial milliseconds, and the Clock keeps its own tutorial time T (epoch ms, equal to the
// wall clock when it starts) and a queue of timers:
//
// - Timers fire in due order at exactly their due T: while a callback runs, T is held at its
//   due instant, and T never passes a pending timer before that timer has fired.
// - A driver, woken by real timers (at most `tickMs` apart), advances T from real time:
//   `scale ×` the real time elapsed while the simulation is idle, `1 ×` while it is busy
//   (`busy(promise)`: the daemon's own calls to moto, moto's timer callbacks), and each step's
//   real delta is capped (`capMs`), so an event-loop stall of seconds adds at most
//   `capMs × scale` of tutorial time. Durations measured in T therefore do not depend on how
//   loaded the machine is; T never runs ahead of `real elapsed × scale`.
// - Timestamps stay wall time (`now()`): kubectl computes ages and `describe` event times from
//   them on the client side, and a clock running ahead of the wall clock would show negative
//   ages there. `simulated(wallInstant)` maps a wall instant the daemon stamped back into T
//   through the recorded (wall, T) history, for logic that compares timestamps with durations
//   written in tutorial time ("expireAfter: 168h", a 3-minute cache).
//
// Real-time plumbing (HTTP retries, watch keep-alives, waiting for a port) uses Node's timers
// directly; anything that stands for a duration of the simulated world goes through here.

/** Where the driver reads real time and how it is woken: injectable, so tests can stall it. */
export interface RealTime {
  /** The wall clock, epoch ms (the history maps these instants to tutorial time). */
  now(): number
  /** Calls `fn` after `ms` real milliseconds (`0` = as soon as pending I/O has run); returns a cancel. */
  wake(fn: () => void, ms: number, keepAlive: boolean): () => void
}

const systemRealTime: RealTime = {
  now: () => Date.now(),
  wake(fn, ms, keepAlive) {
    if (ms <= 0) {
      const handle = setImmediate(fn)
      if (!keepAlive) handle.unref()
      return () => clearImmediate(handle)
    }
    const handle = setTimeout(fn, ms)
    if (!keepAlive) handle.unref()
    return () => clearTimeout(handle)
  },
}

export interface ClockOptions {
  /** How many times faster than real time the sandbox runs while idle. 1 = real time. */
  scale: number
  /** The most real time one driver step counts (a longer stall counts as this much). Default 100 ms. */
  capMs?: number
  /** The longest real interval between driver steps while the clock runs. Default 50 ms. */
  tickMs?: number
  /** Real time source and wake-ups (default: Date.now and Node's timers). */
  real?: RealTime
}

/** A timer of the clock; cancel it with `clock.clear(handle)`. */
export class ClockTimer {
  /** Tutorial instant (epoch ms) at which it fires next. */
  due: number
  readonly seq: number
  readonly fn: () => void
  readonly intervalMs: number | undefined
  cancelled = false
  /** Whether a pending timer keeps the process alive (as Node's timers do until `unref()`). */
  private refed = true
  private readonly owner: Clock

  constructor(owner: Clock, due: number, seq: number, fn: () => void, intervalMs: number | undefined) {
    this.owner = owner
    this.due = due
    this.seq = seq
    this.fn = fn
    this.intervalMs = intervalMs
  }

  unref(): this {
    if (this.refed) {
      this.refed = false
      this.owner.refChanged(this, -1)
    }
    return this
  }

  ref(): this {
    if (!this.refed) {
      this.refed = true
      this.owner.refChanged(this, +1)
    }
    return this
  }

  hasRef(): boolean {
    return this.refed
  }
}

/** At most this many (wall, T) points are kept; older ones are thinned out. */
const HISTORY_LIMIT = 100_000

export class Clock {
  readonly scale: number
  /** When this clock started: tutorial time and wall-clock time coincide there. */
  readonly epochMs: number
  readonly capMs: number
  readonly tickMs: number
  private readonly real: RealTime
  private t: number
  private lastReal: number
  private inFlight = 0
  private seq = 0
  private readonly heap: ClockTimer[] = []
  private live = 0
  private liveRefed = 0
  private firing = false
  private closed = false
  /** Holds in force (`hold()`): T does not move and no timer fires while any is. */
  private holds = 0
  private readonly idleWaiters: (() => void)[] = []
  private cancelWake: (() => void) | undefined
  private wakeKeepsAlive = false
  /** When (real ms) the armed wake-up comes. */
  private wakeAt = 0
  /** (wall, T) points, ascending in both; consecutive points with the same slope are merged. */
  private walls: number[] = []
  private tutorials: number[] = []

  constructor(options: ClockOptions) {
    if (!(options.scale > 0) || !Number.isFinite(options.scale)) {
      throw new RangeError(`time scale must be a positive number, got ${options.scale}`)
    }
    this.scale = options.scale
    this.capMs = options.capMs ?? 100
    this.tickMs = options.tickMs ?? 50
    this.real = options.real ?? systemRealTime
    this.epochMs = this.real.now()
    this.t = this.epochMs
    this.lastReal = this.epochMs
    this.walls.push(this.epochMs)
    this.tutorials.push(this.epochMs)
    this.schedule()
  }

  /** Tutorial time T, epoch ms. */
  tutorialNow(): number {
    this.advance()
    if (this.dueNow()) this.schedule() // a timer is due: fire it as soon as this caller yields
    return this.t
  }

  /**
   * The tutorial instant of a wall instant this process stamped (default: now): the recorded
   * (wall, T) history, interpolated. Before the clock started, wall and tutorial time coincide.
   */
  simulated(at?: number | Date | string): number {
    if (at === undefined) return this.tutorialNow()
    const wall = typeof at === 'number' ? at : new Date(at).getTime()
    const now = this.tutorialNow()
    const walls = this.walls
    const n = walls.length
    if (wall >= walls[n - 1]) return now
    if (wall <= walls[0]) return this.tutorials[0] - (walls[0] - wall)
    let lo = 0
    let hi = n - 1 // walls[lo] <= wall < walls[hi]
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1
      if (walls[mid] <= wall) lo = mid
      else hi = mid
    }
    const span = walls[hi] - walls[lo]
    const f = span > 0 ? (wall - walls[lo]) / span : 0
    return this.tutorials[lo] + f * (this.tutorials[hi] - this.tutorials[lo])
  }

  /** The wall clock (object timestamps: kubectl computes ages from them). */
  now(): Date {
    return new Date(this.real.now())
  }

  nowMs(): number {
    return this.real.now()
  }

  /** Tutorial time elapsed since a wall instant this process stamped. */
  simulatedSince(since: Date | number | string): number {
    return this.tutorialNow() - this.simulated(since)
  }

  /**
   * Counts `work` as busy while it is in flight: tutorial time then runs at 1×, not `scale`×. Pass
   * a function to count its synchronous start too.
   */
  busy<T>(work: Promise<T> | (() => Promise<T>)): Promise<T> {
    this.advance() // what passed before the work started passed at the idle rate
    this.inFlight++
    let running: Promise<T>
    try {
      running = typeof work === 'function' ? work() : work
    } catch (error) {
      running = Promise.reject(error instanceof Error ? error : new Error(String(error)))
    }
    return running.finally(() => {
      this.advance()
      this.inFlight--
      if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake()
    })
  }

  /** Resolves once nothing counts as busy (a snapshot waits for the daemon's AWS calls to end). */
  whenIdle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /**
   * Stops T where it is until the returned release is called: no timer fires meanwhile, so what
   * a snapshot saves is one instant of the simulation. Real time spent held is not counted later.
   */
  hold(): () => void {
    this.advance()
    this.holds++
    let released = false
    return () => {
      if (released) return
      released = true
      this.holds--
      if (this.holds === 0) {
        this.lastReal = this.real.now() // the held interval never happened in tutorial time
        this.schedule()
      }
    }
  }

  /** The (wall, T) history `simulated()` interpolates, for a snapshot. */
  history(): { wallMs: number[]; tutorialMs: number[] } {
    this.advance()
    return { wallMs: [...this.walls], tutorialMs: [...this.tutorials] }
  }

  /**
   * Continues from a snapshot's instant: T becomes `tutorialMs` (it may go back), the saved
   * (wall, T) history replaces this clock's (so wall stamps of the saved objects still map to the
   * tutorial instants they had, and the time between the save and now maps to the saved T), and
   * every pending timer keeps the delay it had left.
   */
  restoreTutorial(tutorialMs: number, history?: { wallMs: number[]; tutorialMs: number[] }): void {
    this.advance()
    const delta = tutorialMs - this.t
    for (const timer of this.heap) timer.due += delta
    this.t = tutorialMs
    const real = this.real.now()
    this.lastReal = real
    const walls: number[] = []
    const tutorials: number[] = []
    for (let i = 0; i < (history?.wallMs.length ?? 0); i++) {
      const wall = history!.wallMs[i]
      const t = Math.min(history!.tutorialMs[i], tutorialMs)
      if (wall >= real || (walls.length > 0 && wall <= walls[walls.length - 1])) continue
      walls.push(wall)
      tutorials.push(t)
    }
    walls.push(real)
    tutorials.push(tutorialMs)
    this.walls = walls
    this.tutorials = tutorials
    this.schedule()
  }

  /** Whether anything counts as busy right now. */
  get isBusy(): boolean {
    return this.inFlight > 0
  }

  /** Wait `ms` of tutorial time. Rejects with the signal's reason if aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error)
      const onAbort = () => {
        this.clear(timer)
        reject(signal!.reason as Error)
      }
      const timer = this.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** Calls `fn` once `ms` of tutorial time have passed (at exactly T = now + ms). */
  setTimeout(fn: () => void, ms: number): ClockTimer {
    return this.add(fn, ms, undefined)
  }

  /** Calls `fn` every `ms` of tutorial time. */
  setInterval(fn: () => void, ms: number): ClockTimer {
    return this.add(fn, ms, Math.max(1, ms))
  }

  /** Cancels a timer of this clock (undefined and already-fired timers are fine). */
  clear(timer: ClockTimer | undefined): void {
    if (!timer || timer.cancelled) return
    timer.cancelled = true
    this.live--
    if (timer.hasRef()) this.liveRefed--
    this.schedule()
  }

  /** Stops the driver and drops every timer (the daemon is stopping). */
  close(): void {
    this.closed = true
    this.cancelWake?.()
    this.cancelWake = undefined
    for (const timer of this.heap) timer.cancelled = true
    this.heap.length = 0
    this.live = 0
    this.liveRefed = 0
  }

  /** How many timers are pending (for tests and diagnostics). */
  get pending(): number {
    return this.live
  }

  /** @internal ClockTimer's ref()/unref(). */
  refChanged(timer: ClockTimer, delta: number): void {
    if (timer.cancelled) return // fired or cleared: no longer counted
    this.liveRefed += delta
    this.schedule()
  }

  private add(fn: () => void, ms: number, intervalMs: number | undefined): ClockTimer {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0
    const timer = new ClockTimer(this, this.tutorialNow() + delay, this.seq++, fn, intervalMs)
    if (this.closed) {
      timer.cancelled = true
      return timer
    }
    this.push(timer)
    this.live++
    this.liveRefed++
    this.schedule()
    return timer
  }

  /** Moves T on from real time, never past the next pending timer. */
  private advance(): void {
    if (this.firing || this.closed) return // T is held while a callback runs
    if (this.holds > 0) return // a snapshot is being taken
    const real = this.real.now()
    if (real <= this.lastReal) {
      this.lastReal = Math.min(this.lastReal, real) // a wall clock stepped back counts from here
      return
    }
    const rate = this.inFlight > 0 ? 1 : this.scale
    const target = this.t + Math.min(real - this.lastReal, this.capMs) * rate
    const next = this.peek()
    if (next && next.due < target) {
      // Stop at the timer; the real time not yet spent counts in the next step (after it fired).
      this.lastReal = real - (target - next.due) / rate
      this.t = Math.max(this.t, next.due)
    } else {
      this.lastReal = real
      this.t = target
    }
    this.record(real, this.t)
  }

  private dueNow(): boolean {
    const next = this.peek()
    return next !== undefined && next.due <= this.t
  }

  /** Fires the timers due at T, in due order, with T held at each one's due instant. */
  private fireDue(): boolean {
    const horizon = this.seq // timers set by these callbacks wait for the next step
    let fired = false
    for (let next = this.peek(); next && next.due <= this.t; next = this.peek()) {
      if (next.seq >= horizon && next.intervalMs === undefined) break
      this.pop()
      this.t = Math.max(this.t, next.due)
      if (next.intervalMs !== undefined) {
        next.due += next.intervalMs
        this.push(next)
      } else {
        this.live--
        if (next.hasRef()) this.liveRefed--
        next.cancelled = true // fired: clear() is a no-op from now on
      }
      fired = true
      this.firing = true
      try {
        next.fn()
      } catch (error) {
        queueMicrotask(() => {
          throw error // as Node reports a throwing timer callback
        })
      } finally {
        this.firing = false
      }
      if (next.intervalMs !== undefined && next.seq >= horizon) break
    }
    return fired
  }

  private tick(): void {
    this.cancelWake = undefined
    if (this.closed || this.holds > 0) return // hold()'s release re-arms the driver
    this.advance()
    this.fireDue()
    this.schedule()
  }

  /** (Re)arms the driver's real wake-up: at once when a timer is due, else before the next one. */
  private schedule(): void {
    if (this.closed || this.firing || this.holds > 0) return
    const next = this.peek()
    const rate = this.inFlight > 0 ? 1 : this.scale
    const ms = next && next.due <= this.t ? 0 : Math.min(this.tickMs, next ? Math.max(1, (next.due - this.t) / rate) : this.tickMs)
    const keepAlive = this.liveRefed > 0
    const at = this.real.now() + ms
    if (this.cancelWake) {
      // Keep a wake-up that comes soon enough; re-arm when it must come sooner or hold the process.
      if (this.wakeAt <= at && keepAlive === this.wakeKeepsAlive) return
      this.cancelWake()
    }
    this.wakeKeepsAlive = keepAlive
    this.wakeAt = at
    this.cancelWake = this.real.wake(() => this.tick(), ms, keepAlive)
  }

  private record(wall: number, t: number): void {
    const walls = this.walls
    const tutorials = this.tutorials
    const n = walls.length
    if (wall === walls[n - 1]) {
      tutorials[n - 1] = t
      return
    }
    // Drop the middle point when it lies on the line from its predecessor to the new point.
    if (n >= 2) {
      const slopeBefore = (tutorials[n - 1] - tutorials[n - 2]) / (walls[n - 1] - walls[n - 2])
      const slopeAfter = (t - tutorials[n - 1]) / (wall - walls[n - 1])
      if (Math.abs(slopeBefore - slopeAfter) < 1e-9) {
        walls[n - 1] = wall
        tutorials[n - 1] = t
        return
      }
    }
    walls.push(wall)
    tutorials.push(t)
    if (walls.length > HISTORY_LIMIT) {
      // Thin the older half: stamps that old are rarely asked about, and interpolation stays monotonic.
      const keep = (_: number, i: number) => i >= HISTORY_LIMIT / 2 || i % 2 === 0
      this.walls = walls.filter(keep)
      this.tutorials = tutorials.filter(keep)
    }
  }

  // ---- a binary min-heap on (due, seq) ----

  private peek(): ClockTimer | undefined {
    while (this.heap.length > 0 && this.heap[0].cancelled) this.pop()
    return this.heap[0]
  }

  private push(timer: ClockTimer): void {
    const heap = this.heap
    heap.push(timer)
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(heap[i], heap[parent])) break
      ;[heap[i], heap[parent]] = [heap[parent], heap[i]]
      i = parent
    }
  }

  private pop(): ClockTimer | undefined {
    const heap = this.heap
    const top = heap[0]
    const last = heap.pop()
    if (heap.length > 0 && last) {
      heap[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < heap.length && before(heap[l], heap[m])) m = l
        if (r < heap.length && before(heap[r], heap[m])) m = r
        if (m === i) break
        ;[heap[i], heap[m]] = [heap[m], heap[i]]
        i = m
      }
    }
    return top
  }
}

function before(a: ClockTimer, b: ClockTimer): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq)
}

/** Parses a Go/Kubernetes duration ("168h", "1m30s", "500ms", "15s") into milliseconds. */
export function parseGoDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
  if (text === '0') return 0
  let total = 0
  let matched = 0
  re.lastIndex = 0
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * unit[m[2]]
    matched = re.lastIndex
  }
  if (matched !== text.length || text.length === 0) throw new SyntaxError(`invalid duration "${text}"`)
  return total
}

/** Formats milliseconds the way Go's time.Duration.String() does ("3m0s", "13.084497ms"). */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s'
  const neg = ms < 0
  let rest = Math.abs(ms)
  let out: string
  if (rest < 1000) {
    if (rest < 1e-3) out = `${trim(rest * 1e6)}ns`
    else if (rest < 1) out = `${trim(rest * 1e3)}µs`
    else out = `${trim(rest)}ms`
  } else {
    const h = Math.floor(rest / 3_600_000)
    rest -= h * 3_600_000
    const m = Math.floor(rest / 60_000)
    rest -= m * 60_000
    const s = `${trim(rest / 1000)}s`
    out = h > 0 ? `${h}h${m}m${s}` : m > 0 ? `${m}m${s}` : s
  }
  return neg ? `-${out}` : out
}

function trim(n: number): string {
  return String(Number(n.toFixed(9)))
}
