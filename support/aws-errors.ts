// How spotcheck reads AWS errors when it removes things: "not found" means gone (a delete that
// raced another, a resource the tagging index still lists), and a few errors mean "not yet"
// (AWS is eventually consistent: a subnet stays "in use" for a while after its ENIs went).

import { sleep } from '../lib/sleep.ts'

/** The error's name, code and message, for matching. */
export function errorText(error: unknown): string {
  const e = error as { name?: string; Code?: string; code?: string; message?: string }
  return [e?.name, e?.Code, e?.code, e?.message].filter(Boolean).join(' ')
}

/**
 * NotFound in any of the spellings the services use: EC2 `Invalid…ID.NotFound`/`….NotFound`,
 * IAM `NoSuchEntity`, SQS `NonExistentQueue`/`QueueDoesNotExist`, EKS/Events/FIS/Logs
 * `ResourceNotFoundException`, KMS `NotFoundException`, SSM `ParameterNotFound`,
 * CloudFormation's "Stack with id … does not exist".
 */
export function isNotFound(error: unknown): boolean {
  return /NotFound|NoSuchEntity|NonExistentQueue|QueueDoesNotExist|does not exist|InvalidLaunchTemplateName\.NotFoundException/.test(errorText(error))
}

/**
 * Errors that a retry a little later may not have: dependencies still being released
 * (EC2 `DependencyViolation`, IAM `DeleteConflict`, EKS `ResourceInUseException`, an EIP still
 * associated, a NAT gateway still deleting), and throttling.
 */
export function isTransient(error: unknown): boolean {
  return /DependencyViolation|DeleteConflict|ResourceInUse|InUse|IncorrectState|InvalidState|ConcurrentModification|Throttl|RequestLimitExceeded|TooManyRequests|has dependencies|currently in use|still in use|ServiceUnavailable/i.test(
    errorText(error),
  )
}

export interface RetryOptions {
  /** How long to keep trying (real ms). */
  timeoutMs: number
  intervalMs?: number
  log?: (line: string) => void
}

/**
 * Runs `action` until it succeeds, retrying transient errors until `timeoutMs`. NotFound ends it
 * as done ('gone'); any other error is thrown at once.
 */
export async function removing(what: string, action: () => Promise<unknown>, options: RetryOptions): Promise<'removed' | 'gone'> {
  const deadline = Date.now() + options.timeoutMs
  let interval = options.intervalMs ?? 2_000
  let announced = 0
  for (;;) {
    try {
      await action()
      return 'removed'
    } catch (error) {
      if (isNotFound(error)) return 'gone'
      if (!isTransient(error) || Date.now() + interval > deadline) throw error
      if (Date.now() - announced > 15_000) {
        announced = Date.now()
        options.log?.(`${what}: ${errorText(error).split('\n')[0]} — retrying (AWS releases dependencies with a delay)`)
      }
    }
    await sleep(interval)
    interval = Math.min(interval * 2, 15_000)
  }
}

/** The call's answer, or `fallback` when what it asks about does not exist (any other error is thrown). */
export async function unlessGone<T, F = undefined>(call: Promise<T>, fallback?: F): Promise<T | F> {
  try {
    return await call
  } catch (error) {
    if (isNotFound(error)) return fallback as F
    throw error
  }
}
