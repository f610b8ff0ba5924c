// "Within 2 minutes, all pods are Running": waiting in the tutorial's time.
//
// The tutorial's claims carry their own deadlines ("wait one minute and you should see…"). A
// step gives that deadline in tutorial time; the target says how fast its time runs (the sandbox
// runs 20× faster, AWS 1×). The real deadline adds a fixed grace for the observer itself — our
// own kubectl and SDK calls take real time that no target can scale away — so a slow CI machine
// does not fail a claim the system under test met. While it waits it reports progress; when it
// gives up it says what it last saw, and how long it waited.

import { AssertionError } from 'node:assert'

export interface Attempt<T> {
  ok: boolean
  /** What the probe saw, in a reader's words: shown in progress and in the failure. */
  seen: string
  value?: T
}

export interface EventuallyOptions {
  /** The tutorial's deadline, in tutorial milliseconds. */
  withinMs: number
  /** How many tutorial milliseconds pass per real millisecond on this target. */
  timeScale: number
  /** Real milliseconds added to the deadline for the observer's own work. */
  graceMs?: number
  /** Real milliseconds between probes. */
  intervalMs?: number
  /** Called about every `progressEveryMs` real milliseconds while waiting. */
  progress?: (line: string) => void
  progressEveryMs?: number
  /** Injected for tests. */
  now?: () => number
  sleep?: (ms: number) => Promise<void>
}

export interface Outcome<T> {
  value: T
  /** Tutorial time it took, in milliseconds. */
  tookMs: number
  seen: string
}

export const DEFAULT_GRACE_MS = 15_000

/** Probes until it succeeds, or fails with an AssertionError naming what it last saw. */
export async function eventually<T>(what: string, probe: () => Promise<Attempt<T>>, options: EventuallyOptions): Promise<Outcome<T>> {
  const now = options.now ?? (() => Date.now())
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const scale = options.timeScale > 0 ? options.timeScale : 1
  const realLimit = options.withinMs / scale + (options.graceMs ?? DEFAULT_GRACE_MS)
  const interval = options.intervalMs ?? Math.max(100, Math.min(2_000, options.withinMs / scale / 20))
  const progressEvery = options.progressEveryMs ?? 5_000
  const start = now()
  let lastProgress = start
  let seen: string
  let attempts = 0
  for (;;) {
    attempts++
    try {
      const attempt = await probe()
      seen = attempt.seen
      if (attempt.ok) return { value: attempt.value as T, tookMs: (now() - start) * scale, seen }
    } catch (error) {
      // An assertion inside the probe is "not yet"; anything else (a bug, a refused request) too,
      // but it is what we last saw.
      seen = error instanceof Error ? error.message : String(error)
    }
    const elapsed = now() - start
    if (elapsed >= realLimit) {
      throw new AssertionError({
        message: `${what}: not within ${formatTutorialTime(options.withinMs)} (waited ${formatTutorialTime(elapsed * scale)} of tutorial time, ${attempts} checks). Last seen: ${seen}`,
      })
    }
    if (options.progress && now() - lastProgress >= progressEvery) {
      lastProgress = now()
      options.progress(`… ${what}: ${seen} (${formatTutorialTime(elapsed * scale)} of ${formatTutorialTime(options.withinMs)})`)
    }
    await sleep(Math.min(interval, Math.max(0, realLimit - elapsed)))
  }
}

/** "45 s", "2 min", "1 min 30 s" */
export function formatTutorialTime(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  const rest = s % 60
  return rest === 0 ? `${m} min` : `${m} min ${rest} s`
}

/** "1 minute", "2 minutes", "30 seconds" as the features write them → milliseconds. */
export function parseTutorialDuration(amount: number, unit: string): number {
  if (/^seconds?$/.test(unit)) return amount * 1000
  if (/^minutes?$/.test(unit)) return amount * 60_000
  if (/^hours?$/.test(unit)) return amount * 3_600_000
  throw new Error(`unknown time unit "${unit}" (seconds, minutes or hours)`)
}
