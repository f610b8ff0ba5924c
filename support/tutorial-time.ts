// The run's tutorial clock: when things happened, in the time the tutorial talks about.
//
// The sandbox keeps its own tutorial time (a discrete-event clock that runs `scale ×` faster than
// real time while the simulation is idle and slows down while it is busy or lagging), so the
// test process must not measure the sandbox with its own `Date.now()`: a second of lag on a
// loaded machine would become 20 s of "Karpenter's" time. Instead it asks the sandbox:
//   - `GET <controlUrl>/v1/clock` → the tutorial instant now;
//   - `GET <controlUrl>/v1/clusters/<name>/tutorial-times?afterRv=<n>` → the tutorial instant at
//     which each resourceVersion of the cluster's API server was written (pages of ≤ 5000);
// so a watch event (which carries its object's resourceVersion) has the tutorial instant of the
// write that produced it, however late the test process received it. Karpenter's log lines and
// moto's EventBridge events carry the tutorial instant themselves (their `time` field).
//
// On AWS, tutorial time is wall time: `now()` is `Date.now()` and an observation's instant is
// when the run saw it.

import { fetch } from 'undici'
import { messageOf } from '../lib/errors.ts'

export interface ClockReading {
  tutorialMs: number
  wallMs: number
  scale: number
  epochMs: number
}

/** What a tutorial instant is resolved from: when the run saw it (wall ms) and the object's resourceVersion. */
export interface Observed {
  at: number
  rv?: string
}

export interface TutorialTime {
  /** Where the instants come from, for the report: "the sandbox's clock" or "the wall clock". */
  readonly source: string
  /** Nominal tutorial ms per real ms (the sandbox's configured scale; 1 on AWS). */
  readonly scale: number
  /** The tutorial instant now (epoch ms). */
  now(): Promise<number>
  /** Reads what `of` needs for every observation made so far (the sandbox's journal, new pages only). */
  sync(): Promise<void>
  /** The tutorial instant of an observation (after `sync`); undefined when it cannot be known. */
  of(observed: Observed): number | undefined
  /**
   * The tutorial instant of a time the target stamped itself (a Karpenter line's `time`, an
   * EventBridge event's `time`): itself, except on a sandbox without a tutorial clock (below).
   */
  stamped(ms: number): number
}

/** AWS: tutorial time is wall time, and an observation's instant is when it was seen. */
export class WallTutorialTime implements TutorialTime {
  readonly source = 'the wall clock (AWS runs in real time)'
  readonly scale = 1
  private readonly clock: () => number

  constructor(clock: () => number = Date.now) {
    this.clock = clock
  }

  now(): Promise<number> {
    return Promise.resolve(this.clock())
  }

  sync(): Promise<void> {
    return Promise.resolve()
  }

  of(observed: Observed): number {
    return observed.at
  }

  stamped(ms: number): number {
    return ms
  }
}

export interface SandboxTutorialTimeOptions {
  /** The daemon's control endpoint (`state.controlUrl`). */
  controlUrl: string
  /** The cluster whose API server writes are looked up (the tutorial's `spot-and-karpenter`). */
  cluster: string
  /** The sandbox's configured scale: used only to place an observation the journal does not hold. */
  scale: number
  /** Injected for tests. */
  fetchJson?: (url: string) => Promise<unknown>
  wallNow?: () => number
}

/** The sandbox: its daemon's clock and its API server's journal of resourceVersion → tutorial instant. */
export class SandboxTutorialTime implements TutorialTime {
  readonly source = "the sandbox's clock (GET /v1/clock; watch events by their resourceVersion)"
  readonly scale: number
  private readonly controlUrl: string
  private readonly cluster: string
  private readonly fetchJson: (url: string) => Promise<unknown>
  private readonly wallNow: () => number
  private readonly journal = new Map<number, number>()
  private lastRv = 0
  /** Readings of the clock (wall, tutorial), ascending: to place an observation with no resourceVersion. */
  private readonly readings: { wallMs: number; tutorialMs: number }[] = []
  private syncing?: Promise<void>
  /**
   * A sandbox whose daemon has no tutorial clock yet (no /v1/clock: 404) stamps everything with
   * the wall clock and runs its timers at `scale ×`: tutorial time is then estimated as wall time
   * × scale from a common origin, for every instant alike (observations and stamps).
   */
  private legacyOrigin?: number

  constructor(options: SandboxTutorialTimeOptions) {
    this.controlUrl = options.controlUrl.replace(/\/+$/, '')
    this.cluster = options.cluster
    this.scale = options.scale > 0 ? options.scale : 1
    this.fetchJson = options.fetchJson ?? getJson
    this.wallNow = options.wallNow ?? Date.now
  }

  /** True once the daemon answered that it has no tutorial clock. */
  get legacy(): boolean {
    return this.legacyOrigin !== undefined
  }

  private fromWall(wallMs: number): number {
    const origin = this.legacyOrigin!
    return origin + (wallMs - origin) * this.scale
  }

  stamped(ms: number): number {
    return this.legacy ? this.fromWall(ms) : ms
  }

  async now(): Promise<number> {
    if (this.legacy) return this.fromWall(this.wallNow())
    const url = `${this.controlUrl}/v1/clock`
    let body: Partial<ClockReading>
    try {
      body = (await this.fetchJson(url)) as Partial<ClockReading>
    } catch (error) {
      if (!/HTTP 404\b/.test(messageOf(error))) throw error
      // An older daemon: no tutorial clock. The origin is the run's start, as near as we know it.
      this.legacyOrigin = this.wallNow()
      return this.fromWall(this.wallNow())
    }
    if (typeof body?.tutorialMs !== 'number' || typeof body.wallMs !== 'number')
      throw new Error(`${url}: expected {"tutorialMs": <number>, "wallMs": <number>, …}, got ${JSON.stringify(body)}`)
    this.remember(body.wallMs, body.tutorialMs)
    return body.tutorialMs
  }

  /** Fetches the journal's pages after the last resourceVersion read; one fetch at a time. */
  sync(): Promise<void> {
    this.syncing ??= this.fetchPages().finally(() => (this.syncing = undefined))
    return this.syncing
  }

  private async fetchPages(): Promise<void> {
    // One clock reading per sync: an observation outside the journal is placed between readings.
    await this.now().catch(() => undefined)
    if (this.legacy) return
    for (let page = 0; page < 10_000; page++) {
      const url = `${this.controlUrl}/v1/clusters/${encodeURIComponent(this.cluster)}/tutorial-times?afterRv=${this.lastRv}`
      const body = (await this.fetchJson(url)) as { entries?: unknown; more?: unknown }
      if (!Array.isArray(body?.entries)) throw new Error(`${url}: expected {"entries": [[rv, tutorialMs], …]}, got ${JSON.stringify(body).slice(0, 200)}`)
      for (const [i, entry] of (body.entries as unknown[]).entries()) {
        if (!Array.isArray(entry) || typeof entry[0] !== 'number' || typeof entry[1] !== 'number')
          throw new Error(`${url}: entries[${i}] is ${JSON.stringify(entry)}, not [rv, tutorialMs]`)
        this.journal.set(entry[0], entry[1])
        this.lastRv = Math.max(this.lastRv, entry[0])
      }
      if (body.more !== true || body.entries.length === 0) return
    }
  }

  of(observed: Observed): number | undefined {
    if (this.legacy) return this.fromWall(observed.at)
    const rv = observed.rv !== undefined && /^\d+$/.test(observed.rv) ? Number(observed.rv) : undefined
    const exact = rv !== undefined ? this.journal.get(rv) : undefined
    if (exact !== undefined) return exact
    return this.estimate(observed.at)
  }

  /**
   * An observation the journal cannot place (no resourceVersion): between the clock readings
   * around its wall time, linearly; beyond them at the nominal scale. An upper bound of the
   * instant (the run saw it then), never earlier than the thing happened.
   */
  private estimate(wallMs: number): number | undefined {
    const r = this.readings
    if (r.length === 0) return undefined
    let i = r.findIndex((x) => x.wallMs >= wallMs)
    if (i === -1) i = r.length
    const before = r[i - 1]
    const after = r[i]
    if (before && after) {
      const span = after.wallMs - before.wallMs
      return span <= 0 ? before.tutorialMs : before.tutorialMs + ((wallMs - before.wallMs) / span) * (after.tutorialMs - before.tutorialMs)
    }
    if (before) return before.tutorialMs + (wallMs - before.wallMs) * this.scale
    return after.tutorialMs - (after.wallMs - wallMs) * this.scale
  }

  private remember(wallMs: number, tutorialMs: number): void {
    const last = this.readings.at(-1)
    if (last && last.wallMs > wallMs) return
    this.readings.push({ wallMs, tutorialMs })
    if (this.readings.length > 100_000) this.readings.splice(0, this.readings.length - 50_000)
  }

  /** How many resourceVersions the journal holds (for tests and the report). */
  get size(): number {
    return this.journal.size
  }
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) })
  const text = await res.text()
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${text.slice(0, 200)}`)
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new Error(`GET ${url}: not JSON: ${text.slice(0, 200)}`)
  }
}

/** A whole-second AWS event `time` ("2024-01-29T08:47:28Z") as epoch ms; NaN when it is not a time. */
export function eventTimeMs(time: unknown): number {
  return typeof time === 'string' ? Date.parse(time) : NaN
}

/** The tutorial instant a Karpenter JSON log line carries in its `time` field (ISO 8601), if any. */
export function logTimeMs(fields: Record<string, unknown> | undefined): number | undefined {
  const t = fields?.time
  if (typeof t === 'number' && Number.isFinite(t)) return t > 1e12 ? t : t * 1000 // zap's epoch seconds, if configured so
  if (typeof t !== 'string') return undefined
  const ms = Date.parse(t)
  return Number.isNaN(ms) ? undefined : ms
}

/** The run's tutorial clock for a target: the sandbox's (also a rehearsal's account) or the wall clock. */
export function tutorialTimeFor(target: { controlUrl?: string; timeScale: number }, cluster: string): TutorialTime {
  return target.controlUrl ? new SandboxTutorialTime({ controlUrl: target.controlUrl, cluster, scale: target.timeScale }) : new WallTutorialTime()
}

/**
 * A timestamp as the aws CLI prints it: ISO 8601 (CLI v2's default `cli_timestamp_format`), or
 * epoch seconds (CLI v1's default, and v2 with `cli_timestamp_format = none`). Epoch ms, or NaN.
 */
export function awsCliTimestamp(value: string | number | undefined): number {
  if (typeof value === 'number') return value * 1000
  if (typeof value !== 'string') return Number.NaN
  return /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) * 1000 : Date.parse(value)
}
