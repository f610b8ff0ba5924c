// "Within 2 minutes, all pods are Running": waiting in the tutorial's time.
//
// The tutorial's claims carry their own deadlines ("wait one minute and you should see…"). A
// step gives that deadline in tutorial time, and the deadline is counted on the target's own
// clock (support/tutorial-time.ts): the sandbox's tutorial clock, which slows down when the
// machine is busy, or the wall clock on AWS. Without a clock, tutorial time is estimated as
// real time × the target's scale. Once the tutorial deadline has passed, a fixed real grace
// still covers the observer itself — our own kubectl and SDK calls take real time that no target
// can scale away — so a slow CI machine does not fail a claim the system under test met. While it
// waits it reports progress; when it gives up it says what it last saw, and how long it waited.

import { AssertionError } from 'node:assert'
import { sleep as wallSleep } from '../lib/sleep.ts'

export interface Attempt<T> {
  ok: boolean
  /** What the probe saw, in a reader's words: shown in progress and in the failure. */
  seen: string
  value?: T
}

export interface EventuallyOptions {
  /** The tutorial's deadline, in tutorial milliseconds. */
  withinMs: number
  /** How many tutorial milliseconds pass per real millisecond on this target (nominally). */
  timeScale: number
  /**
   * The target's tutorial clock (epoch ms): the deadline is counted on it. A clock that cannot be
   * read is estimated from its last reading at the nominal scale. Default: real time × timeScale.
   */
  tutorialNow?: () => Promise<number>
  /**
   * Real milliseconds after which it gives up even if the tutorial clock says otherwise (a clock
   * that stopped). Default: the deadline at 1× (the sandbox's clock never runs slower than real
   * time for long) plus the grace, and never less than the deadline at the nominal scale plus the grace.
   */
  backstopMs?: number
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
  const sleep = options.sleep ?? wallSleep
  const scale = options.timeScale > 0 ? options.timeScale : 1
  const grace = options.graceMs ?? DEFAULT_GRACE_MS
  const backstop = options.backstopMs ?? (options.tutorialNow ? Math.max(options.withinMs, options.withinMs / scale) + grace : options.withinMs / scale + grace)
  const interval = options.intervalMs ?? Math.max(100, Math.min(2_000, options.withinMs / scale / 20))
  const progressEvery = options.progressEveryMs ?? 5_000
  const clock = tutorialClock(options.tutorialNow, now, scale)
  const start = now()
  const tutorialStart = await clock()
  let lastProgress = start
  /** Real time at which the tutorial deadline was seen passed: the grace counts from there. */
  let deadlinePassedAt: number | undefined
  let seen: string
  let attempts = 0
  for (;;) {
    attempts++
    try {
      const attempt = await probe()
      seen = attempt.seen
      if (attempt.ok) return { value: attempt.value as T, tookMs: (await clock()) - tutorialStart, seen }
    } catch (error) {
      // An assertion inside the probe is "not yet"; anything else (a bug, a refused request) too,
      // but it is what we last saw.
      seen = error instanceof Error ? error.message : String(error)
    }
    const tutorialElapsed = (await clock()) - tutorialStart
    const realElapsed = now() - start
    if (tutorialElapsed >= options.withinMs) deadlinePassedAt ??= now()
    const graceLeft = deadlinePassedAt === undefined ? Infinity : grace - (now() - deadlinePassedAt)
    if (graceLeft <= 0 || realElapsed >= backstop) {
      throw new AssertionError({
        message: `${what}: not within ${formatTutorialTime(options.withinMs)} (waited ${formatTutorialTime(tutorialElapsed)} of tutorial time, ${formatTutorialTime(realElapsed)} of real time, ${attempts} checks). Last seen: ${seen}`,
      })
    }
    if (options.progress && now() - lastProgress >= progressEvery) {
      lastProgress = now()
      options.progress(`… ${what}: ${seen} (${formatTutorialTime(tutorialElapsed)} of ${formatTutorialTime(options.withinMs)})`)
    }
    await sleep(Math.max(0, Math.min(interval, graceLeft, backstop - realElapsed)))
  }
}

/**
 * The tutorial clock eventually reads: the target's, or real time × scale. A reading that fails
 * (the daemon busy or gone) is estimated from the last good one at the nominal scale, so a probe
 * still ends by its backstop.
 */
function tutorialClock(read: (() => Promise<number>) | undefined, now: () => number, scale: number): () => Promise<number> {
  if (!read) return () => Promise.resolve(now() * scale)
  let last: { real: number; tutorial: number } | undefined
  // A clock that cannot be read at the start is not read at all: its instants and the estimate's
  // would not be comparable.
  let unreadable = false
  return async () => {
    if (unreadable) return now() * scale
    try {
      const tutorial = await read()
      last = { real: now(), tutorial }
      return tutorial
    } catch {
      if (last) return last.tutorial + (now() - last.real) * scale
      unreadable = true
      return now() * scale
    }
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
