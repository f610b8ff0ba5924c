// The days spotcheck reasons about: the tutorial's, today's, and the one a user asks for.
import { isCalendarDate } from './table.ts'

/** The day the tutorial's files were last changed (its repository's commit d01e89d, 2024-01-29). */
export const TUTORIAL_DATE = '2024-01-29'

/** Today in UTC, YYYY-MM-DD. SPOTCHECK_TODAY overrides it, so tests can live on a fixed day. */
export function today(env: NodeJS.ProcessEnv = process.env): string {
  const fixed = env.SPOTCHECK_TODAY
  if (fixed !== undefined && fixed !== '') {
    if (!isCalendarDate(fixed)) throw new Error(`SPOTCHECK_TODAY=${JSON.stringify(fixed)} is not a calendar date; write YYYY-MM-DD, e.g. 2026-12-06`)
    return fixed
  }
  return new Date().toISOString().slice(0, 10)
}

/** A bad date given by a user (an --as-of, a world parameter); the message says what is accepted. */
export class AsOfError extends Error {
  override name = 'AsOfError'
}

/**
 * Checks a date a user asked for: YYYY-MM-DD, a real calendar day, and not after today (the
 * platform of a future day is not known) unless `allowFuture`.
 */
export function parseAsOf(value: string, options: { allowFuture?: boolean; today?: string; name?: string } = {}): string {
  const name = options.name ?? 'as-of date'
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value))
    throw new AsOfError(`${name} ${JSON.stringify(value)} is not a date; write YYYY-MM-DD, e.g. ${TUTORIAL_DATE}`)
  if (!isCalendarDate(value))
    throw new AsOfError(`${name} ${JSON.stringify(value)} is not a day of the calendar; write a real YYYY-MM-DD date, e.g. ${TUTORIAL_DATE}`)
  const now = options.today ?? today()
  if (!options.allowFuture && value > now) throw new AsOfError(`${name} ${value} is in the future (today is ${now}); give a YYYY-MM-DD date on or before today`)
  return value
}
