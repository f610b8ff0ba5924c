// Simulated time for the sandbox.
//
// The sandbox replays what takes minutes on AWS (a node booting, a two-minute Spot notice,
// consolidation's 15 s validation) in seconds. Every component reads durations through one
// Clock: a duration written in tutorial time ("40 s from NodeClaim to initialized node") is
// waited for `duration / scale` of real time.
//
// Timestamps stay real (`now()` is the wall clock): kubectl computes ages and `describe`
// event times from them on the client side, and a clock running ahead of the wall clock would
// show negative ages there. Elapsed tutorial time is therefore `elapsed real time × scale`.

export interface ClockOptions {
  /** How many times faster than real time the sandbox runs. 1 = real time. */
  scale: number
}

export class Clock {
  readonly scale: number
  /** When this clock started: tutorial time and wall-clock time coincide there. */
  readonly epochMs: number

  constructor(options: ClockOptions) {
    if (!(options.scale > 0) || !Number.isFinite(options.scale)) {
      throw new RangeError(`time scale must be a positive number, got ${options.scale}`)
    }
    this.scale = options.scale
    this.epochMs = Date.now()
  }

  /**
   * The tutorial-time instant of a wall-clock instant (default: now), in epoch ms: time since
   * the clock started runs `scale` times faster. Logic that compares timestamps with durations
   * written in tutorial time ("expireAfter: 168h", a 3-minute cache) works on these instants.
   */
  simulated(at: number | Date | string = Date.now()): number {
    const t = typeof at === 'number' ? at : new Date(at).getTime()
    return this.epochMs + (t - this.epochMs) * this.scale
  }

  /** The wall clock. */
  now(): Date {
    return new Date()
  }

  nowMs(): number {
    return Date.now()
  }

  /** Real milliseconds that `simulatedMs` of tutorial time take. */
  toReal(simulatedMs: number): number {
    return simulatedMs / this.scale
  }

  /** Tutorial milliseconds that `realMs` of wall-clock time represent. */
  toSimulated(realMs: number): number {
    return realMs * this.scale
  }

  /** Tutorial time elapsed since `since` (a timestamp taken from this clock). */
  simulatedSince(since: Date | number | string): number {
    const t = typeof since === 'number' ? since : new Date(since).getTime()
    return (this.nowMs() - t) * this.scale
  }

  /** Wait `simulatedMs` of tutorial time. Rejects with the signal's reason if aborted. */
  sleep(simulatedMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error)
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }, this.toReal(simulatedMs))
      const onAbort = () => {
        clearTimeout(timer)
        reject(signal!.reason as Error)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  setTimeout(fn: () => void, simulatedMs: number): NodeJS.Timeout {
    return setTimeout(fn, this.toReal(simulatedMs))
  }

  setInterval(fn: () => void, simulatedMs: number): NodeJS.Timeout {
    return setInterval(fn, this.toReal(simulatedMs))
  }
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
