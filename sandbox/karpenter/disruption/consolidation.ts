// Consolidation and the other disruption methods of Karpenter v0.32.1, as pure decisions over a
// cluster snapshot. Sources: core@v0.32.1:pkg/controllers/disruption/{controller.go, types.go
// (Command), helpers.go (simulateScheduling, filterByPrice, worstLaunchPrice),
// consolidation.go, emptynodeconsolidation.go, multinodeconsolidation.go,
// singlenodeconsolidation.go, validation.go, emptiness.go, expiration.go, drift.go}.
//
// What the controller keeps doing itself: the 10 s polling, waiting out the 15 s validation TTL
// before calling `validateCommand` on a fresh snapshot, tainting, launching replacements (with
// `replacementNodeClaims`), waiting for them to initialize, and deleting the candidates.

import type { Pod } from '../../k8s/types.ts'
import { parseDisruptionDuration, type NodeClaim } from '../api.ts'
import { LABEL_CAPACITY_TYPE, LABEL_ZONE, CAPACITY_TYPE_ON_DEMAND, CAPACITY_TYPE_SPOT } from '../labels.ts'
import * as log from '../logger.ts'
import { toNodeClaim } from '../provisioning.ts'
import { Requirement, type Requirements } from '../requirements.ts'
import { instanceTypeList, type PlannedNodeClaim } from '../scheduling/nodeclaim.ts'
import { isProvisionable, validatePod } from '../scheduling/pods.ts'
import { allNonPendingPodsScheduled, nonPendingPodSchedulingErrors, schedule, type SchedulingResults } from '../scheduling/scheduler.ts'
import type { InstanceType, Offering } from '../instance-types.ts'
import {
  consolidationShouldDisrupt,
  getCandidates,
  offeringOf,
  sortAndFilterCandidates,
  filterCandidates,
  reschedulablePods,
  type Candidate,
  type DisruptionEvent,
  type DisruptionSnapshot,
} from './candidates.ts'

/** consolidation.go `consolidationTTL`: validation waits this long after computing a command. */
export const CONSOLIDATION_TTL_MS = 15_000
/** controller.go `pollingPeriod`. */
export const DISRUPTION_POLLING_PERIOD_MS = 10_000
/** multinodeconsolidation.go: at most 100 candidates are considered at once. */
const MAX_MULTI_NODE_CANDIDATES = 100

type DisruptionMethod = 'expiration' | 'drift' | 'emptiness' | 'consolidation'
type ConsolidationType = 'empty' | 'multi' | 'single' | ''
export type Action = 'no-op' | 'delete' | 'replace'

export interface Command {
  candidates: Candidate[]
  replacements: PlannedNodeClaim[]
}

const NO_OP: Command = { candidates: [], replacements: [] }

export function action(cmd: Command): Action {
  if (cmd.candidates.length > 0 && cmd.replacements.length > 0) return 'replace'
  if (cmd.candidates.length > 0) return 'delete'
  return 'no-op'
}

/**
 * `Command.String()`: `delete, terminating 1 candidates ip-…/c6a.large/spot`, or for a replace
 * `… and replacing with on-demand node from types a, b, c, d, e and N other(s)`.
 */
export function commandString(cmd: Command): string {
  let s = `${action(cmd)}, terminating ${cmd.candidates.length} candidates `
  s += cmd.candidates.map((c) => `${c.name}/${c.instanceType.name}/${c.capacityType}`).join(', ')
  if (cmd.replacements.length === 0) return s
  let od = 0
  let spot = 0
  for (const r of cmd.replacements) {
    const ct = r.requirements.get(LABEL_CAPACITY_TYPE)
    if (ct.has(CAPACITY_TYPE_ON_DEMAND)) od++
    if (ct.has(CAPACITY_TYPE_SPOT)) spot++
  }
  const types = instanceTypeList(cmd.replacements[0].instanceTypeOptions.map((t) => t.name))
  if (cmd.replacements.length > 1) return `${s} and replacing with ${spot} spot and ${od} on-demand, from types ${types}`
  const ct = cmd.replacements[0].requirements.get(LABEL_CAPACITY_TYPE)
  const desc = ct.len() === 1 ? `${ct.valueList()[0]} node` : 'node'
  return `${s} and replacing with ${desc} from types ${types}`
}

/** The `disrupting via <method> <command>` INFO line. */
function disruptingLog(method: DisruptionMethod, cmd: Command): log.LogEntry {
  return log.disrupting(method, commandString(cmd))
}

/** The replacement NodeClaims to create for a replace command (the controller names or generates them). */
export function replacementNodeClaims(cmd: Command, snapshot: Pick<DisruptionSnapshot, 'rng'>, takenNames?: ReadonlySet<string>): NodeClaim[] {
  const taken = new Set(takenNames ?? [])
  return cmd.replacements.map((r) => {
    const nc = toNodeClaim(r, { rng: snapshot.rng, takenNames: taken })
    taken.add(nc.metadata.name!)
    return nc
  })
}

// ---- simulation ----

export class CandidateDeletingError extends Error {
  override name = 'CandidateDeletingError'
}

/**
 * helpers.go `simulateScheduling`: schedule the pending pods, the candidates' pods and the pods of
 * deleting nodes onto the rest of the cluster; a placement on a node that is not initialized and
 * Ready counts as a failure.
 */
export function simulateScheduling(snapshot: DisruptionSnapshot, candidates: readonly Candidate[]): SchedulingResults {
  const names = new Set(candidates.map((c) => c.name))
  const deleting = snapshot.stateNodes.filter((n) => n.markedForDeletion)
  if (deleting.some((n) => names.has(n.name))) throw new CandidateDeletingError('candidate is deleting')
  const active = snapshot.stateNodes.filter((n) => !n.markedForDeletion && !names.has(n.name))
  const pending = snapshot.pendingPods.filter((p) => isProvisionable(p) && validatePod(p) === undefined)
  const pods: Pod[] = [...pending]
  for (const c of candidates) pods.push(...c.pods)
  for (const n of deleting) pods.push(...reschedulablePods(n.pods))
  const results = schedule({
    pods,
    nodePools: snapshot.nodePools,
    instanceTypes: snapshot.instanceTypes,
    stateNodes: active,
    daemonSetPods: snapshot.daemonSetPods,
    cluster: snapshot.cluster,
    rng: snapshot.rng,
    simulationMode: true,
    line: snapshot.line,
  })
  for (const n of results.existingNodes) {
    if (n.initialized && n.state.ready) continue
    for (const p of n.pods) results.podErrors.set(p.original, `would schedule against a non-initialized node ${n.name}`)
  }
  return results
}

/** helpers.go `worstLaunchPrice`: the dearest Spot offering in allowed zones when Spot is allowed, else On-Demand. */
function worstLaunchPrice(offerings: readonly Offering[], reqs: Requirements): number {
  const ct = reqs.get(LABEL_CAPACITY_TYPE)
  const zones = reqs.get(LABEL_ZONE)
  for (const type of [CAPACITY_TYPE_SPOT, CAPACITY_TYPE_ON_DEMAND]) {
    if (!ct.has(type)) continue
    const prices = offerings.filter((o) => o.capacityType === type && zones.has(o.zone)).map((o) => o.price)
    if (prices.length > 0) return Math.max(...prices)
  }
  return Number.MAX_VALUE
}

/** helpers.go `filterByPrice`: types whose worst launch price is strictly below `price`. */
function filterByPrice(options: readonly InstanceType[], reqs: Requirements, price: number): InstanceType[] {
  return options.filter(
    (it) =>
      worstLaunchPrice(
        it.offerings.filter((o) => o.available),
        reqs,
      ) < price,
  )
}

interface ConsolidationResult {
  command: Command
  events: DisruptionEvent[]
}

/** consolidation.go `computeConsolidation`: delete, replace with one strictly cheaper node, or nothing. */
function computeConsolidation(snapshot: DisruptionSnapshot, candidates: readonly Candidate[]): ConsolidationResult {
  const events: DisruptionEvent[] = []
  const unconsolidatable = (message: string): void => {
    if (candidates.length === 1)
      events.push({ node: candidates[0].name, nodeClaim: candidates[0].stateNode.nodeClaim?.metadata.name, reason: 'Unconsolidatable', message })
  }
  let results: SchedulingResults
  try {
    results = simulateScheduling(snapshot, candidates)
  } catch (e) {
    if (e instanceof CandidateDeletingError) return { command: NO_OP, events }
    throw e
  }
  if (!allNonPendingPodsScheduled(results)) {
    unconsolidatable(nonPendingPodSchedulingErrors(results))
    return { command: NO_OP, events }
  }
  if (results.newNodeClaims.length === 0) return { command: { candidates: [...candidates], replacements: [] }, events }
  if (results.newNodeClaims.length !== 1) {
    unconsolidatable(`Can't remove without creating ${results.newNodeClaims.length} candidates`)
    return { command: NO_OP, events }
  }
  let price = 0
  for (const c of candidates) {
    const o = offeringOf(c)
    if (!o) throw new Error(`getting offering price from candidate node, unable to determine offering for ${c.instanceType.name}/${c.capacityType}/${c.zone}`)
    price += o.price
  }
  const replacement = results.newNodeClaims[0]
  const allSpot = candidates.every((c) => c.capacityType === CAPACITY_TYPE_SPOT)
  if (snapshot.line === 'v1' && allSpot && replacement.requirements.get(LABEL_CAPACITY_TYPE).has(CAPACITY_TYPE_SPOT))
    return spotToSpot(snapshot, candidates, replacement, price, unconsolidatable, events)
  replacement.instanceTypeOptions = filterByPrice(replacement.instanceTypeOptions, replacement.requirements, price)
  if (replacement.instanceTypeOptions.length === 0) {
    unconsolidatable("Can't replace with a cheaper node")
    return { command: NO_OP, events }
  }
  const ct = replacement.requirements.get(LABEL_CAPACITY_TYPE)
  if (allSpot && ct.has(CAPACITY_TYPE_SPOT)) {
    unconsolidatable("Can't replace a spot node with a spot node")
    return { command: NO_OP, events }
  }
  // OD → [OD, spot]: prices were filtered assuming Spot launches, so only Spot may launch.
  if (ct.has(CAPACITY_TYPE_SPOT) && ct.has(CAPACITY_TYPE_ON_DEMAND))
    replacement.requirements.add(Requirement.of(LABEL_CAPACITY_TYPE, 'In', [CAPACITY_TYPE_SPOT]))
  return { command: { candidates: [...candidates], replacements: [replacement] }, events }
}

/** consolidation.go (1.x): at least this many cheaper spot types before a spot node is replaced with spot. */
const MIN_INSTANCE_TYPES_FOR_SPOT_TO_SPOT = 15

/**
 * core@v1.9.1 consolidation.go `computeSpotToSpotConsolidation`: behind the SpotToSpotConsolidation
 * gate, a spot replacement must come from strictly cheaper spot types; a single candidate needs at
 * least 15 of them and is launched from the 15 cheapest (so it is not replaced by a slightly
 * cheaper type that gets interrupted as often).
 */
function spotToSpot(
  snapshot: DisruptionSnapshot,
  candidates: readonly Candidate[],
  replacement: PlannedNodeClaim,
  price: number,
  unconsolidatable: (message: string) => void,
  events: DisruptionEvent[],
): ConsolidationResult {
  if (!snapshot.spotToSpotConsolidation) {
    unconsolidatable("SpotToSpotConsolidation is disabled, can't replace a spot node with a spot node")
    return { command: NO_OP, events }
  }
  replacement.requirements.add(Requirement.of(LABEL_CAPACITY_TYPE, 'In', [CAPACITY_TYPE_SPOT]))
  const cheapest = (it: InstanceType) =>
    worstLaunchPrice(
      it.offerings.filter((o) => o.available),
      replacement.requirements,
    )
  const options = filterByPrice(replacement.instanceTypeOptions, replacement.requirements, price)
    .map((it, i) => ({ it, i, p: cheapest(it) }))
    .sort((a, b) => a.p - b.p || a.i - b.i)
    .map((x) => x.it)
  if (options.length === 0) {
    unconsolidatable("Can't replace with a cheaper node")
    return { command: NO_OP, events }
  }
  replacement.instanceTypeOptions = options
  if (candidates.length > 1) return { command: { candidates: [...candidates], replacements: [replacement] }, events }
  if (options.length < MIN_INSTANCE_TYPES_FOR_SPOT_TO_SPOT) {
    unconsolidatable(
      `SpotToSpotConsolidation requires ${MIN_INSTANCE_TYPES_FOR_SPOT_TO_SPOT} cheaper instance type options than the current candidate to consolidate, got ${options.length}`,
    )
    return { command: NO_OP, events }
  }
  replacement.instanceTypeOptions = options.slice(0, MIN_INSTANCE_TYPES_FOR_SPOT_TO_SPOT)
  return { command: { candidates: [...candidates], replacements: [replacement] }, events }
}

// ---- the consolidation methods ----

/** Per-method memo of "nothing to do since cluster state X" (consolidation.go isConsolidated). */
export interface ConsolidationMemo {
  empty?: number
  multi?: number
  single?: number
}

export interface MethodResult {
  command: Command
  events: DisruptionEvent[]
  /** True when the method found nothing and recorded the consolidation state. */
  markConsolidated: boolean
  /** Commands computed here must be re-validated after CONSOLIDATION_TTL_MS before execution. */
  needsValidation: boolean
  logs: log.LogEntry[]
}

function result(command: Command, extra: Partial<MethodResult> = {}): MethodResult {
  return { command, events: [], markConsolidated: false, needsValidation: false, logs: [], ...extra }
}

/** emptynodeconsolidation.go: every empty candidate, in one command (validated after 15 s). */
function emptyNodeConsolidation(snapshot: DisruptionSnapshot, candidates: readonly Candidate[]): MethodResult {
  const events: DisruptionEvent[] = []
  const sorted = sortAndFilterCandidates(candidates, snapshot, events)
  const empty = sorted.filter((c) => c.pods.length === 0)
  if (empty.length === 0) return result(NO_OP, { events, markConsolidated: true })
  return result({ candidates: empty, replacements: [] }, { events, needsValidation: true })
}

/** emptynodeconsolidation.go validation: the candidates are still empty and not nominated. */
export function validateEmptyNodeConsolidation(
  cmd: Command,
  later: DisruptionSnapshot,
  shouldDisrupt: (c: Candidate, events: DisruptionEvent[]) => boolean = consolidationShouldDisrupt,
): { valid: boolean; logs: log.LogEntry[] } {
  const current = getCandidates(later, shouldDisrupt)
  const names = new Set(cmd.candidates.map((c) => c.name))
  for (const c of current) {
    if (!names.has(c.name)) continue
    if (c.pods.length !== 0 || c.stateNode.nominated) return { valid: false, logs: [log.abandoningConsolidation('empty node', commandString(cmd))] }
  }
  return { valid: true, logs: [] }
}

/** multinodeconsolidation.go `filterOutSameType`: a replacement must beat the cheapest candidate of the same type. */
function filterOutSameType(replacement: PlannedNodeClaim, candidates: readonly Candidate[]): InstanceType[] {
  const existing = new Set<string>()
  const prices = new Map<string, number>()
  for (const c of candidates) {
    existing.add(c.instanceType.name)
    const o = offeringOf(c)
    if (!o) continue
    const p = prices.get(c.instanceType.name) ?? Number.MAX_VALUE
    if (o.price < p) prices.set(c.instanceType.name, o.price)
  }
  let max = Number.MAX_VALUE
  for (const it of replacement.instanceTypeOptions) {
    if (existing.has(it.name)) {
      const p = prices.get(it.name) ?? 0
      if (p < max) max = p
    }
  }
  return filterByPrice(replacement.instanceTypeOptions, replacement.requirements, max)
}

/**
 * multinodeconsolidation.go: binary search for the longest prefix (≤ 100, cheapest to disrupt
 * first) that can be deleted or replaced by one cheaper node. (No 1-minute timeout: the
 * simulation is fast enough to finish.)
 */
export function multiNodeConsolidation(snapshot: DisruptionSnapshot, candidates: readonly Candidate[]): MethodResult {
  const events: DisruptionEvent[] = []
  const sorted = sortAndFilterCandidates(candidates, snapshot, events)
  let max = Math.min(sorted.length, MAX_MULTI_NODE_CANDIDATES)
  if (sorted.length < 2) return result(NO_OP, { events, markConsolidated: true })
  let min = 1
  if (sorted.length <= max) max = sorted.length - 1
  let last: Command = NO_OP
  while (min <= max) {
    const mid = Math.floor((min + max) / 2)
    const batch = sorted.slice(0, mid + 1)
    const { command } = computeConsolidation(snapshot, batch)
    let validReplace = false
    if (action(command) === 'replace') {
      command.replacements[0].instanceTypeOptions = filterOutSameType(command.replacements[0], batch)
      validReplace = command.replacements[0].instanceTypeOptions.length > 0
    }
    if (validReplace || action(command) === 'delete') {
      last = command
      min = mid + 1
    } else {
      max = mid - 1
    }
  }
  if (action(last) === 'no-op') return result(NO_OP, { events, markConsolidated: true })
  return result(last, { events, needsValidation: true })
}

/** singlenodeconsolidation.go: the first candidate (cheapest to disrupt) that can be deleted or replaced. */
export function singleNodeConsolidation(snapshot: DisruptionSnapshot, candidates: readonly Candidate[]): MethodResult {
  const events: DisruptionEvent[] = []
  const sorted = sortAndFilterCandidates(candidates, snapshot, events)
  for (const c of sorted) {
    const r = computeConsolidation(snapshot, [c])
    events.push(...r.events)
    if (action(r.command) === 'no-op') continue
    return result(r.command, { events, needsValidation: true })
  }
  return result(NO_OP, { events, markConsolidated: true })
}

/** validation.go `ShouldDisrupt` (no events). */
function validationShouldDisrupt(c: Candidate): boolean {
  if (c.stateNode.annotations['karpenter.sh/do-not-consolidate'] === 'true') return false
  return (c.nodePool.spec.disruption?.consolidationPolicy ?? 'WhenUnderutilized') === 'WhenUnderutilized'
}

/**
 * validation.go `IsValid` for multi- and single-node commands, on a snapshot taken after the
 * 15 s TTL: same candidates, none nominated, and a fresh simulation yields the same shape (no
 * new node for a delete; exactly one, whose types include the command's, for a replace).
 */
export function validateCommand(
  cmd: Command,
  later: DisruptionSnapshot,
  kind: 'multi-node' | 'single-node',
  shouldDisrupt: (c: Candidate) => boolean = validationShouldDisrupt,
): { valid: boolean; logs: log.LogEntry[] } {
  const abandon = { valid: false, logs: [log.abandoningConsolidation(kind, commandString(cmd))] }
  const names = new Set(cmd.candidates.map((c) => c.name))
  const current = getCandidates(later, (c) => shouldDisrupt(c)).filter((c) => names.has(c.name))
  const valid = filterCandidates(current, later)
  if (valid.length !== cmd.candidates.length) return abandon
  if (valid.some((c) => c.stateNode.nominated)) return abandon
  if (valid.length === 0) return abandon
  let results: SchedulingResults
  try {
    results = simulateScheduling(later, valid)
  } catch (e) {
    if (e instanceof CandidateDeletingError) return abandon
    throw e
  }
  if (!allNonPendingPodsScheduled(results)) return abandon
  if (results.newNodeClaims.length === 0) return cmd.replacements.length === 0 ? { valid: true, logs: [] } : abandon
  if (results.newNodeClaims.length > 1 || cmd.replacements.length === 0) return abandon
  const allowed = new Set(results.newNodeClaims[0].instanceTypeOptions.map((t) => t.name))
  if (!cmd.replacements[0].instanceTypeOptions.every((t) => allowed.has(t.name))) return abandon
  return { valid: true, logs: [] }
}

// ---- expiration, drift, emptiness ----

function conditionTrue(c: Candidate, type: string): { lastTransitionTime?: string } | undefined {
  return c.stateNode.nodeClaim?.status?.conditions?.find((x) => x.type === type && x.status === 'True')
}

function byConditionTime(type: string): (a: Candidate, b: Candidate) => number {
  return (a, b) => Date.parse(conditionTrue(a, type)?.lastTransitionTime ?? '') - Date.parse(conditionTrue(b, type)?.lastTransitionTime ?? '')
}

/**
 * expiration.go / drift.go: all empty candidates at once; otherwise the oldest whose pods all
 * reschedule, with the replacements the simulation asks for (launched before draining).
 */
function expireOrDrift(snapshot: DisruptionSnapshot, candidates: readonly Candidate[], type: 'Expired' | 'Drifted'): MethodResult {
  const events: DisruptionEvent[] = []
  const sorted = filterCandidates(candidates, snapshot, events).sort(byConditionTime(type))
  const empty = sorted.filter((c) => c.pods.length === 0)
  if (empty.length > 0) return result({ candidates: empty, replacements: [] }, { events })
  const logs: log.LogEntry[] = []
  for (const c of sorted) {
    let results: SchedulingResults
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
    if (type === 'Expired') {
      // NillableDuration.String() is time.Duration's: "168h0m0s"
      const ttl = parseDisruptionDuration(sorted[0].nodePool.spec.disruption?.expireAfter, '720h')
      logs.push(log.triggeringExpiration(ttl === undefined ? 'Never' : log.goDuration(ttl)))
    }
    return result({ candidates: [c], replacements: results.newNodeClaims }, { events, logs })
  }
  return result(NO_OP, { events, logs })
}

function expiration(snapshot: DisruptionSnapshot, candidates: readonly Candidate[]): MethodResult {
  return expireOrDrift(snapshot, candidates, 'Expired')
}

function drift(snapshot: DisruptionSnapshot, candidates: readonly Candidate[]): MethodResult {
  return expireOrDrift(snapshot, candidates, 'Drifted')
}

/** emptiness.go (WhenEmpty): delete the empty candidates, no validation. */
function emptiness(_snapshot: DisruptionSnapshot, candidates: readonly Candidate[]): MethodResult {
  const empty = candidates.filter((c) => !c.stateNode.nodeClaim?.metadata.deletionTimestamp && c.pods.length === 0)
  return result({ candidates: empty, replacements: [] })
}

function shouldExpire(c: Candidate): boolean {
  return parseDisruptionDuration(c.nodePool.spec.disruption?.expireAfter, '720h') !== undefined && !!conditionTrue(c, 'Expired')
}

function shouldEmpty(c: Candidate, now: number): boolean {
  const d = c.nodePool.spec.disruption ?? {}
  const after = d.consolidateAfter === undefined ? undefined : parseDisruptionDuration(d.consolidateAfter, undefined)
  if (after === undefined || d.consolidationPolicy !== 'WhenEmpty') return false
  const cond = conditionTrue(c, 'Empty')
  if (!cond) return false
  return now >= Date.parse(cond.lastTransitionTime ?? '') + after
}

export interface DisruptionDecision {
  method: DisruptionMethod
  consolidationType: ConsolidationType
  command: Command
  needsValidation: boolean
  /** The `disrupting via …` line to log when executing (after validation, if needed). */
  log: log.LogEntry
  /** Other lines the computation produced (`triggering termination for expired node after TTL`, …). */
  logs: log.LogEntry[]
}

export interface DisruptionRound {
  decision?: DisruptionDecision
  events: DisruptionEvent[]
  /** The memo to keep for the next round (consolidation types that found nothing). */
  memo: ConsolidationMemo
}

/**
 * controller.go `Reconcile`: try Expiration → Drift → Emptiness → empty-node, multi-node and
 * single-node consolidation; the first method with a command wins. `consolidationState` is the
 * cluster's consolidation state (a timestamp that changes with pods and nodes, and at least every
 * 5 minutes); a consolidation type that found nothing at the same state is skipped.
 */
export function computeDisruption(snapshot: DisruptionSnapshot, memo: ConsolidationMemo = {}, consolidationState?: number): DisruptionRound {
  const events: DisruptionEvent[] = []
  const next: ConsolidationMemo = { ...memo }
  const decide = (method: DisruptionMethod, type: ConsolidationType, r: MethodResult): DisruptionRound | undefined => {
    events.push(...r.events)
    if (action(r.command) === 'no-op') return undefined
    return {
      decision: {
        method,
        consolidationType: type,
        command: r.command,
        needsValidation: r.needsValidation,
        log: disruptingLog(method, r.command),
        logs: r.logs,
      },
      events,
      memo: next,
    }
  }
  const run = (
    method: DisruptionMethod,
    type: ConsolidationType,
    filter: (c: Candidate, ev: DisruptionEvent[]) => boolean,
    fn: (s: DisruptionSnapshot, c: readonly Candidate[]) => MethodResult,
  ): DisruptionRound | undefined => {
    const candidates = getCandidates(snapshot, filter, events)
    if (candidates.length === 0) return undefined
    if (type !== '' && consolidationState !== undefined && next[type] === consolidationState) return undefined
    const r = fn(snapshot, candidates)
    if (type !== '' && r.markConsolidated && consolidationState !== undefined) next[type] = consolidationState
    return decide(method, type, r)
  }
  return (
    run('expiration', '', (c) => shouldExpire(c), expiration) ??
    (snapshot.driftEnabled ? run('drift', '', (c) => !!conditionTrue(c, 'Drifted'), drift) : undefined) ??
    run('emptiness', '', (c) => shouldEmpty(c, snapshot.now), emptiness) ??
    run('consolidation', 'empty', consolidationShouldDisrupt, emptyNodeConsolidation) ??
    run('consolidation', 'multi', consolidationShouldDisrupt, multiNodeConsolidation) ??
    run('consolidation', 'single', consolidationShouldDisrupt, singleNodeConsolidation) ?? { events, memo: next }
  )
}

// ---- NodeClaim status conditions set by the nodeclaim.disruption controller ----

/**
 * nodeclaim/disruption/emptiness.go: whether the NodeClaim should carry `Empty=True` (WhenEmpty
 * with consolidateAfter, initialized, not nominated, no reschedulable pods).
 */
export function emptyCondition(input: {
  consolidationPolicy?: string
  consolidateAfter?: string
  initialized: boolean
  hasNode: boolean
  nominated: boolean
  reschedulablePods: number
}): boolean {
  if (input.consolidationPolicy !== 'WhenEmpty' || input.consolidateAfter === undefined || input.consolidateAfter === 'Never') return false
  if (!input.initialized || !input.hasNode || input.nominated) return false
  return input.reschedulablePods === 0
}

/**
 * nodeclaim/disruption/expiration.go: expired when now ≥ min(NodeClaim, Node creation) +
 * expireAfter; also when to look again.
 */
export function expiredCondition(input: { expireAfter?: string; nodeClaimCreated: string; nodeCreated?: string; now: number }): {
  expired: boolean
  requeueAfterMs?: number
} {
  const ttl = parseDisruptionDuration(input.expireAfter, '720h')
  if (ttl === undefined) return { expired: false }
  const nc = Date.parse(input.nodeClaimCreated)
  const n = input.nodeCreated ? Date.parse(input.nodeCreated) : Number.POSITIVE_INFINITY
  const expiry = Math.min(nc, n) + ttl
  if (input.now < expiry) return { expired: false, requeueAfterMs: expiry - input.now }
  return { expired: true }
}
