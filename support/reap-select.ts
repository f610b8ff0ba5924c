// What `spotcheck reap` removes, decided without touching AWS: given what the account holds
// (support/reap-find.ts) and the run locks, which leftovers go and which stay, and why.
//
// A leftover is the reaper's if it is old enough: its run's id says when the run started
// (20261206050734-e4bb → 2026-12-06T05:07:34Z), otherwise its creation time. The tutorial's
// fixed names (cluster spot-and-karpenter, …) are used by one run at a time per account and
// region — the run lock says which — so while a young lock is held they are left alone, and so
// is everything tagged with the lock holder's run.

export type Kind =
  | 'ec2-instance'
  | 'eks-nodegroup'
  | 'eks-cluster'
  | 'cloudformation-stack'
  | 'launch-template'
  | 'nat-gateway'
  | 'elastic-ip'
  | 'network-interface'
  | 'internet-gateway'
  | 'subnet'
  | 'route-table'
  | 'security-group'
  | 'network-acl'
  | 'vpc'
  | 'sqs-queue'
  | 'events-rule'
  | 'fis-template'
  | 'log-group'
  | 'kms-key'
  | 'iam-instance-profile'
  | 'iam-role'
  | 'iam-policy'
  | 'iam-oidc-provider'
  | 'unsupported'

/** The order removal goes in: what uses a thing before the thing (instances before the cluster's VPC, roles last). */
export const REMOVAL_ORDER: readonly Kind[] = [
  'ec2-instance',
  'eks-nodegroup',
  'eks-cluster',
  'cloudformation-stack',
  'launch-template',
  'nat-gateway',
  'elastic-ip',
  'network-interface',
  'internet-gateway',
  'subnet',
  'route-table',
  'security-group',
  'network-acl',
  'vpc',
  'sqs-queue',
  'events-rule',
  'fis-template',
  'log-group',
  'kms-key',
  'iam-instance-profile',
  'iam-role',
  'iam-policy',
  'iam-oidc-provider',
  'unsupported',
]

export interface Leftover {
  kind: Kind
  /** What the delete call takes (instance id, queue URL, role name, stack name, ARN…). */
  id: string
  /** For the reader: "EC2 instance i-0abc (spot-and-karpenter)". */
  label: string
  /** The value of its `spotcheck:run` tag, if it has one. */
  runId?: string
  /** The tutorial's fixed name it carries (untagged leftovers are found by these). */
  fixedName?: string
  createdAt?: Date
  /** EC2 things inside a VPC: they go when the VPC goes. */
  vpcId?: string
  /** Nothing can use it any more (an EventBridge rule whose queue is gone): its age does not matter. */
  orphan?: boolean
  /**
   * Kind-specific details the removal needs (cluster of a node group, an ENI's attachment, …);
   * `onlyWithVpc`: untagged and unnamed, found only because it sits in a VPC — it goes if that VPC goes.
   */
  extra?: Record<string, string>
}

export interface RunLock {
  /** The SSM parameter name, /spotcheck/lock/<region>/spot-and-karpenter. */
  name: string
  runId?: string
  host?: string
  startedAt?: Date
}

export interface Selection {
  reap: { leftover: Leftover; why: string }[]
  keep: { leftover: Leftover; why: string }[]
  /** Locks older than the limit: removed once everything else went. */
  staleLocks: RunLock[]
  /** Locks younger than the limit: their run is left alone. */
  heldLocks: RunLock[]
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** "4h", "90m", "1h30m", "2d", "0" → milliseconds; throws naming what is accepted. */
export function parseDuration(text: string, what = '--older-than'): number {
  const t = text.trim()
  if (t === '0') return 0
  if (!/^(\d+(\.\d+)?[smhd])+$/.test(t)) throw new Error(`${what} "${text}": expected a duration such as 4h, 90m, 1h30m, 2d or 0`)
  let ms = 0
  for (const [, n, unit] of t.matchAll(/(\d+(?:\.\d+)?)([smhd])/g)) ms += Number(n) * UNITS[unit]
  return ms
}

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)}m`
  if (ms < 2 * 86_400_000) return `${(ms / 3_600_000).toFixed(1).replace(/\.0$/, '')}h`
  return `${Math.round(ms / 86_400_000)}d`
}

/** When the run started, from its id (support/run.ts newRunId: UTC yyyymmddHHMMSS-xxxx); undefined for anything else. */
export function runIdTime(runId: string | undefined): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})-[0-9a-f]{4}$/.exec(runId ?? '')
  if (!m) return undefined
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]))
  // Date.UTC rolls month 13 over into January: such an id was not made by newRunId.
  return d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3] && d.getUTCHours() === +m[4] ? d : undefined
}

/** The lock's value, `{runId, host, startedAt}` as support/run-lock writes it; what cannot be read stays undefined. */
export function parseLock(name: string, value: string | undefined, lastModified?: Date): RunLock {
  let parsed: { runId?: unknown; host?: unknown; startedAt?: unknown } = {}
  try {
    parsed = JSON.parse(value ?? '') as typeof parsed
  } catch {
    // A lock someone wrote by hand: its age is the parameter's.
  }
  const started = typeof parsed.startedAt === 'string' ? new Date(parsed.startedAt) : undefined
  return {
    name,
    runId: typeof parsed.runId === 'string' ? parsed.runId : undefined,
    host: typeof parsed.host === 'string' ? parsed.host : undefined,
    startedAt: started && !Number.isNaN(started.getTime()) ? started : (lastModified ?? runIdTime(typeof parsed.runId === 'string' ? parsed.runId : undefined)),
  }
}

export function select(leftovers: Leftover[], locks: RunLock[], options: { now: Date; olderThanMs: number }): Selection {
  const { now, olderThanMs } = options
  const old = (at: Date | undefined) => (at ? now.getTime() - at.getTime() >= olderThanMs : olderThanMs === 0)
  const heldLocks = locks.filter((l) => !old(l.startedAt))
  const staleLocks = locks.filter((l) => old(l.startedAt))
  const heldRuns = new Map(heldLocks.filter((l) => l.runId).map((l) => [l.runId!, l]))
  const limit = formatDuration(olderThanMs)

  const decide = (l: Leftover): { reap: boolean; why: string; locked?: boolean } => {
    if (l.extra?.onlyWithVpc && !l.runId && !l.fixedName) return { reap: false, why: 'in a VPC that stays' }
    if (l.runId && heldRuns.has(l.runId)) {
      const lock = heldRuns.get(l.runId)!
      return { reap: false, locked: true, why: `run ${l.runId} holds the lock ${lock.name}${lock.host ? ` (on ${lock.host})` : ''}, younger than ${limit}` }
    }
    if (!l.runId && l.fixedName && heldLocks.length > 0) {
      return {
        reap: false,
        locked: true,
        why: `the tutorial's fixed name "${l.fixedName}" may be in use: ${heldLocks.map((h) => `run ${h.runId ?? '(unknown)'}`).join(', ')} holds the lock, younger than ${limit}`,
      }
    }
    if (l.orphan) return { reap: true, why: 'orphaned (what it served is gone)' }
    const fromRun = runIdTime(l.runId)
    const at = fromRun ?? l.createdAt
    const what = l.runId ? `run ${l.runId}` : `fixed name "${l.fixedName}"`
    if (!at) {
      return olderThanMs === 0
        ? { reap: true, why: `${what}, age unknown (--older-than 0)` }
        : { reap: false, why: `${what}: age unknown (no run id time, no creation time); --older-than 0 removes it` }
    }
    const age = formatDuration(Math.max(0, now.getTime() - at.getTime()))
    const source = fromRun ? 'started' : 'created'
    return old(at) ? { reap: true, why: `${what}, ${source} ${age} ago` } : { reap: false, why: `${what}, ${source} ${age} ago: younger than ${limit}` }
  }

  const decided = leftovers.map((leftover) => ({ leftover, ...decide(leftover) }))
  // A VPC that goes takes everything in it: its instances, ENIs, subnets, gateways and groups
  // must go first, whoever made them.
  const goingVpcs = new Map(decided.filter((d) => d.reap && d.leftover.kind === 'vpc').map((d) => [d.leftover.id, d.leftover]))
  const selection: Selection = { reap: [], keep: [], staleLocks, heldLocks }
  for (const d of decided) {
    if (!d.reap && !d.locked && d.leftover.vpcId && d.leftover.kind !== 'vpc' && goingVpcs.has(d.leftover.vpcId)) {
      const vpc = goingVpcs.get(d.leftover.vpcId)!
      selection.reap.push({ leftover: d.leftover, why: `inside ${vpc.label}, which goes` })
    } else if (d.leftover.extra?.onlyWithVpc) {
      // Untagged and unnamed: found only because it sits in a VPC; it matters only if that VPC goes.
      continue
    } else (d.reap ? selection.reap : selection.keep).push({ leftover: d.leftover, why: d.why })
  }
  const rank = (k: Kind) => REMOVAL_ORDER.indexOf(k)
  selection.reap.sort((a, b) => rank(a.leftover.kind) - rank(b.leftover.kind))
  return selection
}
