// `npx spotcheck reap`: what every other clean-up path missed. A run that was killed with its
// runner (no ledger, no state), a destroy that failed at 3 a.m., a reader's own go at the
// tutorial: whatever carries the run tag `spotcheck:run` and is older than the limit, whatever
// carries the tutorial's fixed names and is that old, and run locks that old, goes — in
// dependency order, one line per resource. A run whose lock is held and young is left alone.
//
// Finding: support/reap-find.ts; choosing: support/reap-select.ts; removing: support/reap-remove.ts.
// Offline this is rehearsed against the sandbox's moto (test/integration/aws/reap.test.ts); what
// only AWS can show (the tagging index lagging deletions, ENIs released minutes after a cluster)
// is handled from AWS's documentation, cited where it is handled.

import { createInterface } from 'node:readline/promises'
import { UsageError, messageOf } from '../lib/errors.ts'
import { parseArgs } from 'node:util'
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts'
import { awsClients, type AwsClients } from './aws-clients.ts'
import { extraClients, type ExtraClients } from './aws-extra-clients.ts'
import { findLeftovers, findLocks } from './reap-find.ts'
import { removeAll, removeLock } from './reap-remove.ts'
import { formatDuration, parseDuration, select, type Selection } from './reap-select.ts'

const USAGE = `Usage: spotcheck reap [--older-than 4h] [--dry-run] [--region R] [--yes]

Removes what spotcheck runs left in the account of the current credentials: resources tagged
spotcheck:run older than the limit (by the run id's time, else their creation time), resources
with the tutorial's fixed names (cluster spot-and-karpenter, stacks fis-spot-and-karpenter and
EKSKarpenterCloud9, queue karpenter-spot-and-karpenter, its rules, Karpenter's instances, launch
templates and instance profiles, the log group /aws/eks/spot-and-karpenter/cluster, …) that old,
and stale run locks (/spotcheck/lock/<region>/…). A run whose lock is younger than the limit is
left alone, and so are the fixed names while it holds the lock.

Options:
  --older-than D  only what is at least this old (default 4h; e.g. 90m, 1h30m, 2d; 0: everything,
                  including what has no known age)
  --dry-run       list what would go, and what stays and why; remove nothing
  --region R      the region (default $AWS_REGION / $AWS_DEFAULT_REGION); IAM is global
  --yes           do not ask before removing (needed when not on a terminal)

Exit status: 0 when everything selected is gone, 1 when something could not be removed, 2 on
bad usage or a refusal.
`

export interface ReapOptions {
  olderThanMs: number
  dryRun: boolean
  yes: boolean
  region: string
  now?: Date
  /** Per-resource limit for retries and waits (real ms). */
  timeoutMs?: number
  intervalMs?: number
  log: (line: string) => void
  /** Asks the user; resolves true to go ahead. */
  confirm?: (question: string) => Promise<boolean>
}

/** The account, shown as elsewhere in spotcheck's output: never whole (the last four digits tell accounts apart). */
export function maskedAccount(account: string): string {
  return /^\d{12}$/.test(account) ? `********${account.slice(8)}` : '(unknown)'
}

export async function reapCli(argv: string[], log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'older-than': { type: 'string' },
      'dry-run': { type: 'boolean' },
      region: { type: 'string' },
      yes: { type: 'boolean', short: 'y' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    process.stderr.write(USAGE)
    return 0
  }
  if (positionals.length > 0) throw new UsageError(`spotcheck reap takes no arguments, got "${positionals.join(' ')}" (see spotcheck reap --help)`)
  let olderThanMs: number
  try {
    olderThanMs = parseDuration(values['older-than'] ?? '4h')
  } catch (error) {
    throw new UsageError(messageOf(error))
  }
  const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION
  if (!region) throw new UsageError('no region: pass --region R or set AWS_REGION')
  return reap({
    olderThanMs,
    dryRun: Boolean(values['dry-run']),
    yes: Boolean(values.yes),
    region,
    log,
    confirm: process.stdin.isTTY ? ask : undefined,
    timeoutMs: process.env.SPOTCHECK_REAP_TIMEOUT_MS ? Number(process.env.SPOTCHECK_REAP_TIMEOUT_MS) : undefined,
    intervalMs: process.env.AWS_ENDPOINT_URL ? 500 : undefined,
  })
}

async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim())
  } finally {
    rl.close()
  }
}

export async function reap(options: ReapOptions): Promise<number> {
  const env: Record<string, string | undefined> = { ...process.env, AWS_REGION: options.region }
  const aws = awsClients(env)
  try {
    const extra = extraClients(aws)
    const account = (await aws.sts.send(new GetCallerIdentityCommand({}))).Account ?? ''
    const optIn = process.env.SPOTCHECK_AWS_ACCOUNT?.trim()
    if (optIn && optIn !== account) {
      options.log(`spotcheck reap: refusing: SPOTCHECK_AWS_ACCOUNT names ${maskedAccount(optIn)}, but the credentials are for ${maskedAccount(account)}`)
      return 2
    }
    const where = env.AWS_ENDPOINT_URL ? ` at ${env.AWS_ENDPOINT_URL} (not AWS: a sandbox)` : ''
    options.log(
      `spotcheck reap: account ${maskedAccount(account)}, region ${options.region}${where}; older than ${formatDuration(options.olderThanMs)}${options.dryRun ? '; dry run' : ''}`,
    )
    const selection = await survey(aws, extra, options)
    print(selection, options)
    const todo = selection.reap.length + selection.staleLocks.length
    if (todo === 0) {
      options.log('nothing to remove')
      return 0
    }
    if (options.dryRun) return 0
    if (!options.yes) {
      if (!options.confirm) {
        options.log('spotcheck reap: not on a terminal: pass --yes to remove these (or --dry-run to only list)')
        return 2
      }
      if (!(await options.confirm(`Remove ${todo} resource(s) from account ${maskedAccount(account)}?`))) {
        options.log('nothing removed')
        return 2
      }
    }
    const ctx = { aws, extra, log: options.log, timeoutMs: options.timeoutMs, intervalMs: options.intervalMs }
    const results = await removeAll(selection.reap, ctx)
    const failed = results.filter((r) => r.outcome === 'failed')
    // A stale lock goes last, and only when its leftovers went: while the tutorial's fixed names
    // are still taken, a new run must not start (it would collide with them).
    for (const lock of selection.staleLocks) {
      if (failed.length > 0) {
        options.log(`kept    run lock ${lock.name}: ${failed.length} resource(s) could not be removed; a new run would collide with them`)
        continue
      }
      try {
        options.log(`${(await removeLock(lock, ctx)) === 'gone' ? 'gone   ' : 'removed'} run lock ${lock.name} (run ${lock.runId ?? 'unknown'})`)
      } catch (error) {
        options.log(`FAILED  run lock ${lock.name}: ${messageOf(error)}`)
        failed.push({ leftover: { kind: 'unsupported', id: lock.name, label: lock.name }, outcome: 'failed' })
      }
    }
    options.log(
      failed.length === 0
        ? `done: ${todo} removed or already gone`
        : `done: ${failed.length} could not be removed (above); run spotcheck reap again, or remove them by hand`,
    )
    return failed.length === 0 ? 0 : 1
  } finally {
    aws.destroy()
  }
}

/** What the account holds and what of it goes: no changes made. */
export async function survey(aws: AwsClients, extra: ExtraClients, options: Pick<ReapOptions, 'olderThanMs' | 'now' | 'region' | 'log'>): Promise<Selection> {
  const [leftovers, locks] = [await findLeftovers(aws, extra, { log: options.log }), await findLocks(extra, options.region)]
  return select(leftovers, locks, { now: options.now ?? new Date(), olderThanMs: options.olderThanMs })
}

function print(selection: Selection, options: Pick<ReapOptions, 'dryRun' | 'log'>): void {
  const verb = options.dryRun ? 'would remove' : 'to remove'
  for (const lock of selection.heldLocks)
    options.log(
      `held    run lock ${lock.name}: run ${lock.runId ?? '(unknown)'}${lock.host ? ` on ${lock.host}` : ''} since ${lock.startedAt?.toISOString() ?? '(unknown)'}`,
    )
  for (const k of selection.keep) options.log(`keep    ${k.leftover.label}: ${k.why}`)
  for (const r of selection.reap) options.log(`${verb}  ${r.leftover.label}: ${r.why}`)
  for (const lock of selection.staleLocks)
    options.log(`${verb}  run lock ${lock.name}: run ${lock.runId ?? '(unknown)'} since ${lock.startedAt?.toISOString() ?? '(unknown)'}`)
}
