// Disruption in Karpenter 1.9, as pure decisions. What changed from v0.32 and lives here:
//   - budgets (core pkg/apis/v1/nodepool.go GetAllowedDisruptionsByReason, Budget.GetAllowedDisruptions:
//     percentages round up; default `nodes: 10%`; a budget with schedule+duration counts only while
//     active) and their per-NodePool mapping (pkg/controllers/disruption/helpers.go
//     BuildDisruptionBudgetMapping: initialized managed nodes count, NotReady or deleting ones use budget);
//   - the `Consolidatable` condition gating every consolidation on `consolidateAfter`
//     (pkg/controllers/nodeclaim/disruption/consolidation.go), from the last pod event or initialization;
//   - the methods and their order (controller.go NewMethods): Emptiness (both policies),
//     Drift (drift.go), multi-node then single-node consolidation (WhenEmptyOrUnderutilized only);
//   - drift reasons (nodeclaim/disruption/drift.go; aws pkg/cloudprovider/drift.go);
//   - forceful expiry (nodeclaim/expiration/controller.go: the NodeClaim is deleted, no simulation);
//   - the command's text and its `disrupting node(s)` fields (types.go String, LogValues).
// The scheduling simulation, candidate building and the consolidation search are v0.32's
// (disruption/candidates.ts, consolidation.ts), called with the v1 filters.

import { parseGoDuration } from '../../runtime/clock.ts'
import {
  filterCandidates,
  getCandidates,
  offeringOf,
  sortAndFilterCandidates,
  type Candidate,
  type DisruptionEvent,
  type DisruptionSnapshot,
} from '../disruption/candidates.ts'
import {
  action,
  CandidateDeletingError,
  multiNodeConsolidation,
  simulateScheduling,
  singleNodeConsolidation,
  validateCommand,
  type Command,
} from '../disruption/consolidation.ts'
import { LABEL_CAPACITY_TYPE, LABEL_INSTANCE_TYPE, LABEL_ZONE, CAPACITY_TYPE_SPOT, CAPACITY_TYPE_ON_DEMAND } from '../labels.ts'
import { Requirements } from '../requirements.ts'
import { instanceTypeList } from '../scheduling/nodeclaim.ts'
import { allNonPendingPodsScheduled } from '../scheduling/scheduler.ts'
import type { StateNode } from '../state.ts'
import type { BudgetV1, EC2NodeClassV1, NodeClaimV1, NodePoolV1 } from './api.ts'
import { ANNOTATION_NODECLASS_HASH, ANNOTATION_NODECLASS_HASH_VERSION, ANNOTATION_NODEPOOL_HASH_VERSION } from './api.ts'
import { ANNOTATION_NODEPOOL_HASH } from '../labels.ts'
import type { DisruptedNode } from './logger.ts'

export type DisruptionReason = 'Empty' | 'Drifted' | 'Underutilized'

const DEFAULT_BUDGETS: readonly BudgetV1[] = [{ nodes: '10%' }]

// ---- budgets ----

/** `intstr.GetScaledValueFromIntOrPercent(nodes, total, roundUp=true)`; throws on a malformed value. */
function scaledNodes(nodes: string, total: number): number {
  if (/^\d+$/.test(nodes)) return Number(nodes)
  const m = /^(\d+)%$/.exec(nodes)
  if (!m) throw new Error(`invalid value for IntOrString: invalid value "${nodes}": budget nodes must be an integer or a percentage such as "10%"`)
  return Math.ceil((Number(m[1]) * total) / 100)
}

/** A 5-field cron schedule (robfig/cron ParseStandard, UTC) or a descriptor (@daily, …). */
function cronMatches(schedule: string, at: Date): boolean {
  const aliases: Record<string, string> = {
    '@yearly': '0 0 1 1 *',
    '@annually': '0 0 1 1 *',
    '@monthly': '0 0 1 * *',
    '@weekly': '0 0 * * 0',
    '@daily': '0 0 * * *',
    '@midnight': '0 0 * * *',
    '@hourly': '0 * * * *',
  }
  if (schedule.trim().startsWith('@') && !aliases[schedule.trim()])
    throw new Error(`invalid cron "${schedule}": unrecognized descriptor (accepted: ${Object.keys(aliases).join(', ')})`)
  const names: Record<string, string> = {
    SUN: '0',
    MON: '1',
    TUE: '2',
    WED: '3',
    THU: '4',
    FRI: '5',
    SAT: '6',
    JAN: '1',
    FEB: '2',
    MAR: '3',
    APR: '4',
    MAY: '5',
    JUN: '6',
    JUL: '7',
    AUG: '8',
    SEP: '9',
    OCT: '10',
    NOV: '11',
    DEC: '12',
  }
  const fields = (aliases[schedule.trim()] ?? schedule)
    .trim()
    .toUpperCase()
    .replace(/[A-Z]{3}/g, (n) => names[n] ?? n)
    .split(/\s+/)
  if (fields.length !== 5)
    throw new Error(`invalid cron "${schedule}": expected 5 fields (minute hour day-of-month month day-of-week) or a descriptor such as @daily`)
  const values = [at.getUTCMinutes(), at.getUTCHours(), at.getUTCDate(), at.getUTCMonth() + 1, at.getUTCDay()]
  const ranges: [number, number][] = [
    [0, 59],
    [0, 23],
    [1, 31],
    [1, 12],
    [0, 6],
  ]
  const match = (field: string, value: number, [lo, hi]: [number, number]) =>
    field.split(',').some((part) => {
      const [range, stepText] = part.split('/')
      const step = stepText ? Number(stepText) : 1
      let [from, to] = [lo, hi]
      if (range !== '*') {
        const [a, b] = range.split('-').map(Number)
        from = a
        to = b ?? (stepText ? hi : a)
      }
      return value >= from && value <= to && (value - from) % step === 0
    })
  const dom = fields[2]
  const dow = fields[4]
  const domOk = match(dom, values[2], ranges[2])
  const dowOk = match(dow, values[4] === 7 ? 0 : values[4], ranges[4])
  // Vixie cron: when both day fields are restricted, either may match.
  const dayOk = dom !== '*' && dow !== '*' ? domOk || dowOk : domOk && dowOk
  return match(fields[0], values[0], ranges[0]) && match(fields[1], values[1], ranges[1]) && match(fields[3], values[3], ranges[3]) && dayOk
}

/** `Budget.IsActive`: no schedule → always; else the schedule fired within the last `duration`. */
export function budgetActive(b: BudgetV1, nowMs: number): boolean {
  if (!b.schedule && !b.duration) return true
  const durationMs = b.duration ? parseGoDuration(b.duration) : 0
  // schedule.Next(now − duration) ≤ now: some minute in (now − duration, now] matches.
  const start = Math.floor((nowMs - durationMs) / 60_000) * 60_000 + 60_000
  for (let t = start; t <= nowMs; t += 60_000) if (cronMatches(b.schedule ?? '* * * * *', new Date(t))) return true
  return false
}

/** Go's math.MaxInt32: "no limit" from an inactive budget. */
export const MAX_INT32 = 2 ** 31 - 1

/** `Budget.GetAllowedDisruptions`: MaxInt32 while inactive; 0 for an invalid schedule or nodes value. */
export function budgetAllows(b: BudgetV1, numNodes: number, nowMs: number): number {
  try {
    return budgetActive(b, nowMs) ? scaledNodes(b.nodes, numNodes) : MAX_INT32
  } catch {
    return 0
  }
}

/** `NodePool.MustGetAllowedDisruptions`: the tightest budget that applies to `reason` (a budget without reasons applies to all). */
export function allowedDisruptions(nodePool: Pick<NodePoolV1, 'spec'>, numNodes: number, reason: DisruptionReason, nowMs: number): number {
  let allowed = MAX_INT32
  for (const b of nodePool.spec.disruption?.budgets ?? DEFAULT_BUDGETS) {
    const value = budgetAllows(b, numNodes, nowMs)
    if (!b.reasons || b.reasons.includes(reason)) allowed = Math.min(allowed, value)
  }
  return allowed
}

/** helpers.go `BuildDisruptionBudgetMapping`: how many more nodes each NodePool may disrupt now. */
export function budgetMapping(
  nodePools: readonly NodePoolV1[],
  stateNodes: readonly StateNode[],
  reason: DisruptionReason,
  nowMs: number,
): Map<string, number> {
  const count = new Map<string, number>()
  const disrupting = new Map<string, number>()
  for (const sn of stateNodes) {
    if (!sn.managed || !sn.initialized || !sn.nodePool) continue
    if (sn.nodeClaim?.status?.conditions?.some((c) => c.type === 'InstanceTerminating' && c.status === 'True')) continue
    count.set(sn.nodePool, (count.get(sn.nodePool) ?? 0) + 1)
    if (!sn.ready || sn.markedForDeletion) disrupting.set(sn.nodePool, (disrupting.get(sn.nodePool) ?? 0) + 1)
  }
  const out = new Map<string, number>()
  for (const np of nodePools) {
    const name = np.metadata.name ?? ''
    out.set(name, Math.max(allowedDisruptions(np, count.get(name) ?? 0, reason, nowMs) - (disrupting.get(name) ?? 0), 0))
  }
  return out
}

/** Candidates in order, at most the budget of each NodePool (the methods decrement the mapping as they pick). */
export function withinBudgets(candidates: readonly Candidate[], budgets: ReadonlyMap<string, number>): { allowed: Candidate[]; constrained: boolean } {
  const left = new Map(budgets)
  const allowed: Candidate[] = []
  let constrained = false
  for (const c of candidates) {
    const pool = c.nodePool.metadata.name ?? ''
    if ((left.get(pool) ?? 0) === 0) {
      constrained = true
      continue
    }
    allowed.push(c)
    left.set(pool, (left.get(pool) ?? 0) - 1)
  }
  return { allowed, constrained }
}

// ---- NodeClaim conditions (nodeclaim.disruption, nodeclaim.expiration) ----

/** `consolidateAfter`: milliseconds, or undefined for "Never" (consolidation disabled). */
export function consolidateAfterMs(nodePool: Pick<NodePoolV1, 'spec'>): number | undefined {
  const v = nodePool.spec.disruption?.consolidateAfter ?? '0s'
  return v === 'Never' ? undefined : parseGoDuration(v)
}

/**
 * consolidation.go: whether the NodeClaim is `Consolidatable`, and when to look again. Counts from
 * the last pod event on its node, or from initialization when there was none.
 */
export function consolidatable(input: { consolidateAfterMs: number | undefined; initializedAt?: string; lastPodEventTime?: string; nowMs: number }): {
  consolidatable: boolean
  requeueAfterMs?: number
} {
  if (input.consolidateAfterMs === undefined || !input.initializedAt) return { consolidatable: false }
  const from = Date.parse(input.lastPodEventTime || input.initializedAt)
  const at = from + input.consolidateAfterMs
  if (input.nowMs < at) return { consolidatable: false, requeueAfterMs: at - input.nowMs }
  return { consolidatable: true }
}

/** nodeclaim/expiration: the NodeClaim is deleted once `expireAfter` has passed since it was created. */
export function expiry(input: { expireAfter?: string; createdMs: number; nowMs: number }): { expired: boolean; requeueAfterMs?: number } {
  const v = input.expireAfter ?? '720h'
  if (v === 'Never') return { expired: false }
  const at = input.createdMs + parseGoDuration(v)
  return input.nowMs >= at ? { expired: true } : { expired: false, requeueAfterMs: at - input.nowMs }
}

/**
 * drift.go `instanceTypeNotFound` (core@v1.9.1): the NodeClaim's instance type is gone from the
 * cloud provider's list, or none of its offerings (available or not) is compatible with the
 * NodeClaim's zone and capacity-type labels. Reserved capacity is not modelled.
 */
export function instanceTypeNotFound(
  instanceTypes: readonly { name: string; offerings: readonly { zone: string; capacityType: string }[] }[],
  nodeClaim: Pick<NodeClaimV1, 'metadata'>,
): 'InstanceTypeNotFound' | undefined {
  const labels = nodeClaim.metadata.labels ?? {}
  const it = instanceTypes.find((t) => t.name === labels[LABEL_INSTANCE_TYPE])
  if (!it) return 'InstanceTypeNotFound'
  // Offerings.HasCompatible with AllowUndefinedWellKnownLabels: a label the NodeClaim lacks allows any value.
  const zone = labels[LABEL_ZONE]
  const capacityType = labels[LABEL_CAPACITY_TYPE]
  const compatible = it.offerings.some((o) => (zone === undefined || o.zone === zone) && (capacityType === undefined || o.capacityType === capacityType))
  return compatible ? undefined : 'InstanceTypeNotFound'
}

/** drift.go: instance-type drift is checked only once the NodeClaim is an hour old. */
export const INSTANCE_TYPE_DRIFT_AFTER_MS = 3_600_000

/**
 * Why a NodeClaim drifted, or undefined: core drift.go `isDrifted` (NodePoolDrifted: the template
 * hash changed — requirements are not hashed; RequirementsDrifted: its labels no longer satisfy the
 * NodePool's requirements; InstanceTypeNotFound, when `instanceTypes` is given: the caller passes
 * them once the NodeClaim is an hour old) then the AWS provider's cloudprovider/drift.go
 * `isNodeClassDrifted` (NodeClassDrift: the EC2NodeClass hash changed — selector terms are not
 * hashed; AMIDrift: its image is no longer one the EC2NodeClass resolves for its type, e.g. a newer
 * AMI behind `al2023@latest`; SecurityGroupDrift; SubnetDrift: its subnet is no longer one the
 * EC2NodeClass's subnet selector finds). Without an EC2NodeClass the cloud provider finds no drift
 * (IsDrifted: NotFound → "").
 */
export function driftReason(input: {
  nodeClaim: NodeClaimV1
  nodePool: NodePoolV1
  nodeClass?: EC2NodeClassV1
  /** Requirements of the NodeClaim's instance type (for the AMI's architecture/variant match). */
  instanceTypeRequirements?: Requirements
  /** The cloud provider's instance types, for InstanceTypeNotFound (omit before the first hour). */
  instanceTypes?: Parameters<typeof instanceTypeNotFound>[0]
  /** The instance's subnet and security groups (DescribeInstances). */
  instance?: { subnetId?: string; securityGroupIds?: string[] }
}): string | undefined {
  const { nodeClaim, nodePool, nodeClass } = input
  const a = nodeClaim.metadata.annotations ?? {}
  const p = nodePool.metadata.annotations ?? {}
  if (
    p[ANNOTATION_NODEPOOL_HASH] !== undefined &&
    a[ANNOTATION_NODEPOOL_HASH] !== undefined &&
    p[ANNOTATION_NODEPOOL_HASH_VERSION] !== undefined &&
    p[ANNOTATION_NODEPOOL_HASH_VERSION] === a[ANNOTATION_NODEPOOL_HASH_VERSION] &&
    p[ANNOTATION_NODEPOOL_HASH] !== a[ANNOTATION_NODEPOOL_HASH]
  )
    return 'NodePoolDrifted'
  const poolReqs = Requirements.fromNodeSelector(nodePool.spec.template.spec.requirements ?? [])
  if (!Requirements.fromLabels(nodeClaim.metadata.labels ?? {}).isCompatible(poolReqs)) return 'RequirementsDrifted'
  if (input.instanceTypes) {
    const r = instanceTypeNotFound(input.instanceTypes, nodeClaim)
    if (r) return r
  }
  if (!nodeClass) return undefined
  const c = nodeClass.metadata.annotations ?? {}
  if (
    c[ANNOTATION_NODECLASS_HASH] !== undefined &&
    a[ANNOTATION_NODECLASS_HASH] !== undefined &&
    c[ANNOTATION_NODECLASS_HASH_VERSION] !== undefined &&
    c[ANNOTATION_NODECLASS_HASH_VERSION] === a[ANNOTATION_NODECLASS_HASH_VERSION] &&
    c[ANNOTATION_NODECLASS_HASH] !== a[ANNOTATION_NODECLASS_HASH]
  )
    return 'NodeClassDrift'
  const amis = nodeClass.status?.amis ?? []
  const image = nodeClaim.status?.imageID
  if (amis.length > 0 && image) {
    const reqs = input.instanceTypeRequirements
    const mapped = reqs ? amis.find((ami) => reqs.isCompatible(Requirements.fromNodeSelector(ami.requirements))) : amis.find((ami) => ami.id === image)
    if (!mapped || mapped.id !== image) return 'AMIDrift'
  }
  const sgs = new Set((nodeClass.status?.securityGroups ?? []).map((g) => g.id))
  const have = new Set(input.instance?.securityGroupIds ?? [])
  if (input.instance?.securityGroupIds && sgs.size > 0 && (sgs.size !== have.size || [...sgs].some((g) => !have.has(g)))) return 'SecurityGroupDrift'
  const subnets = nodeClass.status?.subnets ?? []
  if (input.instance?.subnetId && subnets.length > 0 && !subnets.some((s) => s.id === input.instance!.subnetId)) return 'SubnetDrift'
  return undefined
}

/**
 * drift.go `Drift.Reconcile` without the I/O: the `Drifted` condition's reason a NodeClaim should
 * carry, or undefined to clear it. A NodeClaim that is not Launched carries none; without its
 * NodePool the controller does not get that far (controller.go: NotFound), nor does this.
 */
export function driftedCondition(input: Omit<Parameters<typeof driftReason>[0], 'nodePool'> & { nodePool?: NodePoolV1 }): string | undefined {
  const { nodePool } = input
  if (!nodePool) return undefined
  const launched = (input.nodeClaim.status?.conditions ?? []).some((x) => x.type === 'Launched' && x.status === 'True')
  return launched ? driftReason({ ...input, nodePool }) : undefined
}

// ---- the methods ----

const conditionTrue = (c: Candidate, type: string) => (c.stateNode.nodeClaim?.status?.conditions ?? []).find((x) => x.type === type && x.status === 'True')

function unconsolidatable(events: DisruptionEvent[], c: Candidate, message: string): void {
  events.push({ node: c.name, nodeClaim: c.stateNode.nodeClaim?.metadata.name, reason: 'Unconsolidatable', message })
}

/** emptiness.go `ShouldDisrupt`: consolidation enabled, no reschedulable pods, Consolidatable. */
export function emptinessShouldDisrupt(v1Pools: ReadonlyMap<string, NodePoolV1>): (c: Candidate, events: DisruptionEvent[]) => boolean {
  return (c, events) => {
    const np = v1Pools.get(c.nodePool.metadata.name ?? '')
    if (!np || consolidateAfterMs(np) === undefined) {
      unconsolidatable(events, c, `NodePool "${c.nodePool.metadata.name}" has consolidation disabled`)
      return false
    }
    return c.pods.length === 0 && !!conditionTrue(c, 'Consolidatable')
  }
}

/** consolidation.go `ShouldDisrupt`: WhenEmptyOrUnderutilized, consolidation enabled, Consolidatable. */
export function consolidationShouldDisruptV1(v1Pools: ReadonlyMap<string, NodePoolV1>): (c: Candidate, events: DisruptionEvent[]) => boolean {
  return (c, events) => {
    const np = v1Pools.get(c.nodePool.metadata.name ?? '')
    if (!np || consolidateAfterMs(np) === undefined) {
      unconsolidatable(events, c, `NodePool "${c.nodePool.metadata.name}" has consolidation disabled`)
      return false
    }
    if ((np.spec.disruption?.consolidationPolicy ?? 'WhenEmptyOrUnderutilized') !== 'WhenEmptyOrUnderutilized') {
      unconsolidatable(events, c, `NodePool "${c.nodePool.metadata.name}" has non-empty consolidation disabled`)
      return false
    }
    return !!conditionTrue(c, 'Consolidatable')
  }
}

export interface V1Decision {
  reason: DisruptionReason
  /** "empty" | "multi" | "single" | "" (drift): consolidation commands are validated after 15 s. */
  consolidationType: 'empty' | 'multi' | 'single' | ''
  command: Command
}

export interface V1Round {
  decision?: V1Decision
  events: DisruptionEvent[]
  /** Per consolidation type: "nothing to do at this cluster state" (isConsolidated). */
  memo: { empty?: number; multi?: number; single?: number }
}

/**
 * controller.go `Reconcile` for one pass: Emptiness → Drift → multi-node → single-node; the first
 * method with a command wins. Budgets are built per method's reason.
 */
export function computeDisruptionV1(
  snapshot: DisruptionSnapshot,
  v1Pools: ReadonlyMap<string, NodePoolV1>,
  memo: V1Round['memo'] = {},
  consolidationState?: number,
): V1Round {
  snapshot = { ...snapshot, line: 'v1' }
  const events: DisruptionEvent[] = []
  const next = { ...memo }
  const pools = [...v1Pools.values()]
  const budgets = (reason: DisruptionReason) => budgetMapping(pools, snapshot.stateNodes, reason, snapshot.now)
  const decide = (reason: DisruptionReason, type: V1Decision['consolidationType'], command: Command): V1Round | undefined =>
    action(command) === 'no-op' ? undefined : { decision: { reason, consolidationType: type, command }, events, memo: next }
  const skip = (type: 'empty' | 'multi' | 'single') => consolidationState !== undefined && next[type] === consolidationState
  const mark = (type: 'empty' | 'multi' | 'single') => {
    if (consolidationState !== undefined) next[type] = consolidationState
  }

  // Emptiness: every empty consolidatable candidate the budgets allow, in one command.
  const empty = getCandidates(snapshot, emptinessShouldDisrupt(v1Pools), events)
  if (empty.length > 0 && !skip('empty')) {
    const sorted = sortAndFilterCandidates(empty, snapshot, events)
    const { allowed, constrained } = withinBudgets(sorted, budgets('Empty'))
    if (allowed.length === 0 && !constrained) mark('empty')
    const d = decide('Empty', 'empty', { candidates: allowed, replacements: [] })
    if (d) return d
  }

  // Drift: the oldest drifted candidate (empty ones first) whose pods all fit elsewhere.
  const drifted = getCandidates(snapshot, (c) => !!conditionTrue(c, 'Drifted'), events).sort(
    (a, b) => Date.parse(conditionTrue(a, 'Drifted')?.lastTransitionTime ?? '') - Date.parse(conditionTrue(b, 'Drifted')?.lastTransitionTime ?? ''),
  )
  if (drifted.length > 0) {
    const left = new Map(budgets('Drifted'))
    for (const c of [...drifted.filter((x) => x.pods.length === 0), ...drifted.filter((x) => x.pods.length > 0)]) {
      const pool = c.nodePool.metadata.name ?? ''
      if ((left.get(pool) ?? 0) === 0) continue
      let results
      try {
        results = simulateScheduling(snapshot, [c])
      } catch (e) {
        if (e instanceof CandidateDeletingError) continue
        throw e
      }
      if (!allNonPendingPodsScheduled(results)) {
        events.push({
          node: c.name,
          nodeClaim: c.stateNode.nodeClaim?.metadata.name,
          reason: 'DisruptionBlocked',
          message: 'Scheduling simulation failed to schedule all pods',
        })
        continue
      }
      return decide('Drifted', '', { candidates: [c], replacements: results.newNodeClaims })!
    }
  }

  // Consolidation (WhenEmptyOrUnderutilized).
  const candidates = getCandidates(snapshot, consolidationShouldDisruptV1(v1Pools), events)
  if (candidates.length > 0) {
    const sorted = sortAndFilterCandidates(candidates, snapshot, events)
    const { allowed, constrained } = withinBudgets(sorted, budgets('Underutilized'))
    if (!skip('multi')) {
      const r = multiNodeConsolidation(snapshot, allowed)
      events.push(...r.events)
      if (r.markConsolidated && !constrained) mark('multi')
      const d = decide('Underutilized', 'multi', r.command)
      if (d) return d
    }
    if (!skip('single')) {
      const r = singleNodeConsolidation(snapshot, allowed)
      events.push(...r.events)
      if (r.markConsolidated && !constrained) mark('single')
      const d = decide('Underutilized', 'single', r.command)
      if (d) return d
    }
  }
  return { events, memo: next }
}

/**
 * core@v1.9.1 validation.go, after the 15 s wait, on a fresh snapshot. Emptiness keeps the
 * candidates that are still empty candidates, not nominated and within the Empty budgets (none
 * left: invalid). Multi- and single-node consolidation need every candidate still a candidate, none
 * nominated, all within the Underutilized budgets, and the same simulation outcome (validateCommand).
 */
export function validateV1(decision: V1Decision, later: DisruptionSnapshot, v1Pools: ReadonlyMap<string, NodePoolV1>): { valid: boolean; command: Command } {
  const snapshot: DisruptionSnapshot = { ...later, line: 'v1' }
  const cmd = decision.command
  const invalid = { valid: false, command: cmd }
  const names = new Set(cmd.candidates.map((c) => c.name))
  const empty = decision.consolidationType === 'empty'
  const filter = empty ? emptinessShouldDisrupt(v1Pools) : consolidationShouldDisruptV1(v1Pools)
  const current = filterCandidates(
    getCandidates(snapshot, filter).filter((c) => names.has(c.name)),
    snapshot,
  )
  if (current.length === 0 || (!empty && current.length !== names.size)) return invalid
  const left = budgetMapping([...v1Pools.values()], snapshot.stateNodes, empty ? 'Empty' : 'Underutilized', snapshot.now)
  const kept = current.filter((c) => {
    const pool = c.nodePool.metadata.name ?? ''
    if (c.stateNode.nominated || (left.get(pool) ?? 0) === 0) return false
    left.set(pool, (left.get(pool) ?? 0) - 1)
    return true
  })
  if (kept.length === 0 || (!empty && kept.length !== names.size)) return invalid
  if (empty) {
    const keep = new Set(kept.map((c) => c.name))
    return { valid: true, command: { candidates: cmd.candidates.filter((c) => keep.has(c.name)), replacements: [] } }
  }
  const check = validateCommand(cmd, snapshot, decision.consolidationType === 'multi' ? 'multi-node' : 'single-node', (c) => filter(c, []))
  return { valid: check.valid, command: cmd }
}

// ---- the command as 1.9 logs it ----

/** `Command.EstimatedSavings`: the candidates' offering prices minus each replacement's cheapest offering. */
function estimatedSavings(cmd: Command): number {
  const source = cmd.candidates.reduce((s, c) => s + (offeringOf(c)?.price ?? 0), 0)
  const dest = cmd.replacements.reduce((s, r) => {
    const offerings = r.instanceTypeOptions[0]?.offerings ?? []
    return s + (offerings.length > 0 ? Math.min(...offerings.map((o) => o.price)) : 0)
  }, 0)
  return source - dest
}

/** types.go `Command.String()` with Method and ID set. */
export function commandText(reason: DisruptionReason, id: string, cmd: Command): string {
  const sources = cmd.candidates.map((c) => c.name).join(', ')
  const decision = action(cmd)
  const savings = `(savings: $${estimatedSavings(cmd).toFixed(2)})`
  if (cmd.replacements.length > 0)
    return `${reason}/${id}: ${decision}: [${sources}] -> [${cmd.replacements.length} ${cmd.replacements.length === 1 ? 'replacement' : 'replacements'}] ${savings}`
  return `${reason}/${id}: ${decision}: [${sources}] ${savings}`
}

/** types.go `LogValues`: the disrupted nodes and replacements of a command. */
export function logValues(cmd: Command): {
  decision: string
  podCount: number
  disrupted: DisruptedNode[]
  replacements: { capacityType: string; instanceTypes?: string }[]
} {
  return {
    decision: action(cmd),
    podCount: cmd.candidates.reduce((s, c) => s + c.pods.length, 0),
    disrupted: cmd.candidates.map((c) => ({
      node: c.stateNode.node?.metadata.name ?? c.name,
      nodeClaim: c.stateNode.nodeClaim?.metadata.name ?? '',
      instanceType: c.stateNode.labels[LABEL_INSTANCE_TYPE] ?? c.instanceType.name,
      capacityType: c.stateNode.labels[LABEL_CAPACITY_TYPE] ?? c.capacityType,
    })),
    replacements: cmd.replacements.map((r) => {
      const ct = r.requirements.get(LABEL_CAPACITY_TYPE)
      const capacityType = ct.has(CAPACITY_TYPE_SPOT) ? CAPACITY_TYPE_SPOT : CAPACITY_TYPE_ON_DEMAND
      return cmd.replacements.length === 1 ? { capacityType, instanceTypes: instanceTypeList(r.instanceTypeOptions.map((t) => t.name)) } : { capacityType }
    }),
  }
}
