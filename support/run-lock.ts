// One run per account and region. The tutorial's names are fixed (cluster spot-and-karpenter,
// stack fis-spot-and-karpenter, queue karpenter-spot-and-karpenter, its IAM roles), so two runs in
// one account and region would adopt, and then delete, each other's resources.
//
// The lock is an SSM parameter, /spotcheck/lock/<region>/spot-and-karpenter, created with
// Overwrite: false: SSM refuses a second PutParameter of an existing name with
// ParameterAlreadyExists, atomically ("PutParameter", https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html).
// Its value says who holds it: {runId, host, startedAt}. Taken right after the opt-in, released
// when the run finished its clean-up; a killed run's lock is released by
// `npx spotcheck cleanup --run <id>`, and one older than the stale limit by `npx spotcheck reap`.
// Only rehearsed here: moto's PutParameter answers as SSM does; no machine of this project reaches AWS.

import { hostname } from 'node:os'
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm'
import { sdkConfig } from './remote-state.ts'

export function ssmClient(env: Record<string, string | undefined>): SSMClient {
  return new SSMClient(sdkConfig(env))
}

/** A lock older than this is a killed run's: reported with how to remove it. */
export const STALE_LOCK_MS = 4 * 60 * 60_000

export function lockParameterName(region: string): string {
  return `/spotcheck/lock/${region}/spot-and-karpenter`
}

export interface LockHolder {
  runId: string
  host: string
  startedAt: string
}

export class RunLockHeldError extends Error {
  readonly holder: LockHolder
  readonly stale: boolean

  constructor(holder: LockHolder, stale: boolean, message: string) {
    super(message)
    this.holder = holder
    this.stale = stale
  }
}

function errorName(error: unknown): string {
  return (error as { name?: string }).name ?? ''
}

/** Who holds the lock of `region`, if anyone (an unreadable value counts as held by "unknown"). */
export async function readRunLock(ssm: SSMClient, region: string): Promise<LockHolder | undefined> {
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: lockParameterName(region) }))
    try {
      const v = JSON.parse(out.Parameter?.Value ?? '') as Partial<LockHolder>
      return {
        runId: String(v.runId ?? 'unknown'),
        host: String(v.host ?? 'unknown'),
        startedAt: String(v.startedAt ?? out.Parameter?.LastModifiedDate?.toISOString() ?? ''),
      }
    } catch {
      return { runId: 'unknown', host: 'unknown', startedAt: out.Parameter?.LastModifiedDate?.toISOString() ?? '' }
    }
  } catch (error) {
    if (errorName(error) === 'ParameterNotFound') return undefined
    throw error
  }
}

export function isStale(holder: LockHolder, now = Date.now(), staleMs = STALE_LOCK_MS): boolean {
  const t = Date.parse(holder.startedAt)
  return Number.isNaN(t) || now - t > staleMs
}

function heldMessage(holder: LockHolder, region: string, account: string, stale: boolean, now: number): string {
  const minutes = Math.round((now - Date.parse(holder.startedAt)) / 60_000)
  const who = `run ${holder.runId} on ${holder.host}, since ${holder.startedAt}${Number.isNaN(minutes) ? '' : ` (${minutes} min ago)`}`
  const head = `Refusing to run: another spotcheck run holds account ${account}, region ${region} (the SSM parameter ${lockParameterName(region)}): ${who}. Two runs in one account and region would share the tutorial's fixed names (cluster spot-and-karpenter, stack fis-spot-and-karpenter) and delete each other's resources.`
  if (stale) {
    return `${head} The lock is older than ${STALE_LOCK_MS / 3_600_000} h: that run was killed. Clean up after it with \`npx spotcheck cleanup --run ${holder.runId}\` (it releases the lock), or remove every stale lock and what such runs left with \`npx spotcheck reap\`.`
  }
  return `${head} Wait for it to finish, or run in another region. If it was killed, \`npx spotcheck cleanup --run ${holder.runId}\` releases the lock.`
}

export class RunLock {
  private readonly ssm: SSMClient
  readonly region: string
  readonly holder: LockHolder

  constructor(ssm: SSMClient, region: string, holder: LockHolder) {
    this.ssm = ssm
    this.region = region
    this.holder = holder
  }

  /** Deletes the lock if it is still this run's; never another run's. */
  async release(): Promise<'released' | 'not held' | 'held by another run'> {
    try {
      return await releaseRunLock(this.ssm, this.region, this.holder.runId)
    } finally {
      this.ssm.destroy()
    }
  }
}

export async function acquireRunLock(ssm: SSMClient, options: { region: string; account: string; runId: string; now?: Date; host?: string }): Promise<RunLock> {
  const now = options.now ?? new Date()
  const holder: LockHolder = { runId: options.runId, host: options.host ?? hostname(), startedAt: now.toISOString() }
  try {
    await ssm.send(
      new PutParameterCommand({
        Name: lockParameterName(options.region),
        Value: JSON.stringify(holder),
        Type: 'String',
        Overwrite: false,
        Description: 'spotcheck: the run that holds this account and region (removed when it ends; npx spotcheck reap removes stale ones)',
      }),
    )
    return new RunLock(ssm, options.region, holder)
  } catch (error) {
    if (errorName(error) !== 'ParameterAlreadyExists') throw error
    const held = (await readRunLock(ssm, options.region)) ?? { runId: 'unknown', host: 'unknown', startedAt: '' }
    const stale = isStale(held, now.getTime())
    throw new RunLockHeldError(held, stale, heldMessage(held, options.region, options.account, stale, now.getTime()))
  }
}

/** Releases the lock of `region` if `runId` holds it (`spotcheck cleanup --run` after a kill). */
export async function releaseRunLock(ssm: SSMClient, region: string, runId: string): Promise<'released' | 'not held' | 'held by another run'> {
  const held = await readRunLock(ssm, region)
  if (!held) return 'not held'
  if (held.runId !== runId) return 'held by another run'
  try {
    await ssm.send(new DeleteParameterCommand({ Name: lockParameterName(region) }))
  } catch (error) {
    if (errorName(error) !== 'ParameterNotFound') throw error
  }
  return 'released'
}
