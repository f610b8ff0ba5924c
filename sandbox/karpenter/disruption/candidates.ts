// Disruption candidates: which nodes a disruption method may act on, and in which order.
// Sources: core@v0.32.1:pkg/controllers/disruption/{types.go (NewCandidate), helpers.go
// (filterCandidates, disruption cost, GetCandidates), pdblimits.go, consolidation.go
// (ShouldDisrupt, sortAndFilterCandidates)}.

import { labelSelectorMatcher } from '../../k8s/label-selector.ts'
import type { LabelSelector, Pod } from '../../k8s/types.ts'
import { parseDisruptionDuration, type NodePool } from '../api.ts'
import { instanceTypesFor, type InstanceType, type InstanceTypesByNodePool, type Offering } from '../instance-types.ts'
import {
  ANNOTATION_DO_NOT_CONSOLIDATE,
  ANNOTATION_DO_NOT_DISRUPT,
  ANNOTATION_POD_DELETION_COST,
  LABEL_CAPACITY_TYPE,
  LABEL_INSTANCE_TYPE,
  LABEL_ZONE,
} from '../labels.ts'
import type { Rng } from '../rng.ts'
import { hasDoNotDisrupt, isOwnedByNode, isTerminal, isTerminating, podKey, reschedulablePods, reschedulablePodsV1 } from '../scheduling/pods.ts'

export { reschedulablePods }
import type { TopologyCluster } from '../scheduling/topology.ts'
import type { StateNode } from '../state.ts'
import type { KarpenterLine } from '../version.ts'

interface PodDisruptionBudget {
  metadata: { namespace?: string; name?: string }
  spec: { selector?: LabelSelector | null; unhealthyPodEvictionPolicy?: string }
  status?: { disruptionsAllowed?: number }
}

/** What disruption reads about the cluster at one instant. */
export interface DisruptionSnapshot {
  /** Epoch ms (the controller's clock, in tutorial time). */
  now: number
  nodePools: readonly NodePool[]
  /** Each NodePool's instance types, by NodePool name. */
  instanceTypes: InstanceTypesByNodePool
  /** Every node and NodeClaim (including deleting ones), with their bound pods and nomination. */
  stateNodes: readonly StateNode[]
  /** Pods waiting to be scheduled (any; the provisionable ones are used). */
  pendingPods: readonly Pod[]
  daemonSetPods: readonly Pod[]
  cluster: TopologyCluster
  pdbs?: readonly PodDisruptionBudget[]
  rng: Rng
  /** `FEATURE_GATES=Drift=true` (off by default in v0.32.1). */
  driftEnabled?: boolean
  /**
   * The line (default v0.32). 'v1': the simulations run the 1.x scheduler (`SchedulingInput.line`), and the 1.x candidate rules apply (core@v1.9.1 state/statenode.go ValidateNodeDisruptable,
   * pkg/utils/pod IsReschedulable): only `karpenter.sh/do-not-disrupt: "true"` blocks a node, and
   * terminating StatefulSet pods still count as the node's pods.
   */
  line?: KarpenterLine
  /** 1.x `FEATURE_GATES=SpotToSpotConsolidation=true` (alpha, off by default). */
  spotToSpotConsolidation?: boolean
}

export interface Candidate {
  stateNode: StateNode
  /** `Name()`: the node name. */
  name: string
  instanceType: InstanceType
  nodePool: NodePool
  zone: string
  capacityType: string
  /** Pods that would need rescheduling (not DaemonSet, static, terminal or terminating). */
  pods: Pod[]
  disruptionCost: number
}

/** An event Karpenter would publish while selecting candidates (`DisruptionBlocked`, `Unconsolidatable`). */
export interface DisruptionEvent {
  node: string
  nodeClaim?: string
  reason: 'DisruptionBlocked' | 'Unconsolidatable'
  message: string
}

function typesFor(snapshot: DisruptionSnapshot, name: string): readonly InstanceType[] | undefined {
  const list = instanceTypesFor(snapshot.instanceTypes, name)
  return list.length > 0 ? list : undefined
}

/** `GetPodEvictionCost`: 1, + deletion cost / 2^27, + priority / 2^25, clamped to [-10, 10]. */
export function podEvictionCost(pod: Pod): number {
  let cost = 1
  const dc = pod.metadata.annotations?.[ANNOTATION_POD_DELETION_COST]
  if (dc !== undefined) {
    const v = Number.parseFloat(dc)
    if (Number.isFinite(v)) cost += v / 2 ** 27
  }
  if (pod.spec.priority !== undefined) cost += pod.spec.priority / 2 ** 25
  return Math.min(10, Math.max(-10, cost))
}

/** `lifetimeRemaining`: the fraction of `expireAfter` left, 1 without expiry. */
export function lifetimeRemaining(nodePool: NodePool, createdMs: number, now: number): number {
  const expire = parseDisruptionDuration(nodePool.spec.disruption?.expireAfter, '720h')
  if (expire === undefined) return 1
  const ageS = (now - createdMs) / 1000
  const totalS = expire / 1000
  return Math.min(1, Math.max(0, (totalS - ageS) / totalS))
}

/** `NewCandidate`: a candidate, or the reason (and maybe an event) it is not one. */
function newCandidate(sn: StateNode, snapshot: DisruptionSnapshot): { candidate?: Candidate; reason?: string; event?: DisruptionEvent } {
  const ev = (message: string): DisruptionEvent => ({
    node: sn.node?.metadata.name ?? sn.name,
    nodeClaim: sn.nodeClaim?.metadata.name,
    reason: 'DisruptionBlocked',
    message,
  })
  if (!sn.node || !sn.nodeClaim) return { reason: "state node doesn't contain both a node and a nodeclaim" }
  if (sn.markedForDeletion) return { reason: 'state node is marked for deletion' }
  if (!sn.initialized) return { reason: "state node isn't initialized" }
  if (snapshot.line === 'v1' ? sn.annotations[ANNOTATION_DO_NOT_DISRUPT] === 'true' : ANNOTATION_DO_NOT_DISRUPT in sn.annotations) {
    const m = `Disruption is blocked with the "${ANNOTATION_DO_NOT_DISRUPT}" annotation`
    return { reason: `disruption is blocked through the "${ANNOTATION_DO_NOT_DISRUPT}" annotation`, event: ev(m) }
  }
  for (const label of [LABEL_CAPACITY_TYPE, LABEL_ZONE]) {
    if (!(label in sn.labels)) return { reason: `state node doesn't have required label "${label}"`, event: ev(`Required label "${label}" doesn't exist`) }
  }
  if (!sn.nodePool) return { reason: "state node doesn't have the Karpenter owner label" }
  const nodePool = snapshot.nodePools.find((np) => np.metadata.name === sn.nodePool)
  const types = typesFor(snapshot, sn.nodePool)
  if (!nodePool || !types)
    return { reason: `nodepool "${sn.nodePool}" can't be resolved for state node`, event: ev(`Owning nodepool "${sn.nodePool}" not found`) }
  const itName = sn.labels[LABEL_INSTANCE_TYPE]
  const instanceType = types.find((t) => t.name === itName)
  if (!instanceType) return { reason: `instance type '${itName}' can't be resolved`, event: ev(`Instance type "${itName}" not found`) }
  if (sn.nominated) return { reason: 'state node is nominated for a pending pod', event: ev('Nominated for a pending pod') }
  const pods = snapshot.line === 'v1' ? reschedulablePodsV1(sn.pods) : reschedulablePods(sn.pods)
  const created = Date.parse(sn.node.metadata.creationTimestamp ?? '') || snapshot.now
  const cost = pods.reduce((s, p) => s + podEvictionCost(p), 0) * lifetimeRemaining(nodePool, created, snapshot.now)
  return {
    candidate: {
      stateNode: sn,
      name: sn.name,
      instanceType,
      nodePool,
      zone: sn.labels[LABEL_ZONE],
      capacityType: sn.labels[LABEL_CAPACITY_TYPE],
      pods,
      disruptionCost: cost,
    },
  }
}

export type CandidateFilter = (c: Candidate, events: DisruptionEvent[]) => boolean

/** `GetCandidates`: the state nodes that are candidates and pass the method's filter. */
export function getCandidates(snapshot: DisruptionSnapshot, shouldDisrupt: CandidateFilter, events: DisruptionEvent[] = []): Candidate[] {
  const out: Candidate[] = []
  for (const sn of snapshot.stateNodes) {
    const r = newCandidate(sn, snapshot)
    if (r.event) events.push(r.event)
    if (r.candidate && shouldDisrupt(r.candidate, events)) out.push(r.candidate)
  }
  return out
}

/** `PDBLimits.CanEvictPods`: the blocking PDB (`ns/name`), or undefined when every pod can be evicted. */
function blockingPdb(pods: readonly Pod[], pdbs: readonly PodDisruptionBudget[] | undefined): string | undefined {
  for (const pod of pods) {
    for (const pdb of pdbs ?? []) {
      if ((pdb.metadata.namespace ?? 'default') !== (pod.metadata.namespace ?? 'default')) continue
      if (!labelSelectorMatcher(pdb.spec.selector).matches(pod.metadata.labels ?? {})) continue
      const unhealthy =
        pdb.spec.unhealthyPodEvictionPolicy === 'AlwaysAllow' && (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'False')
      if (!unhealthy && (pdb.status?.disruptionsAllowed ?? 0) === 0) return `${pdb.metadata.namespace ?? 'default'}/${pdb.metadata.name ?? ''}`
    }
  }
  return undefined
}

/** `filterCandidates`: drop deleting nodes, nodes whose pods a PDB protects, and do-not-disrupt pods. */
export function filterCandidates(candidates: readonly Candidate[], snapshot: DisruptionSnapshot, events: DisruptionEvent[] = []): Candidate[] {
  return candidates.filter((c) => {
    const ev = (message: string): void =>
      void events.push({ node: c.name, nodeClaim: c.stateNode.nodeClaim?.metadata.name, reason: 'DisruptionBlocked', message })
    if (c.stateNode.node?.metadata.deletionTimestamp) {
      ev('Node in the process of deletion')
      return false
    }
    const pdb = blockingPdb(c.pods, snapshot.pdbs)
    if (pdb) {
      ev(`PDB "${pdb}" prevents pod evictions`)
      return false
    }
    const dnd = c.pods.find((p) => !isTerminating(p) && !isTerminal(p) && !isOwnedByNode(p) && hasDoNotDisrupt(p))
    if (dnd) {
      ev(`Pod "${podKey(dnd)}" has do not evict annotation`)
      return false
    }
    return true
  })
}

/** Consolidation's `ShouldDisrupt`: not opted out, and the NodePool consolidates when underutilized. */
export function consolidationShouldDisrupt(c: Candidate, events: DisruptionEvent[]): boolean {
  if (c.stateNode.annotations[ANNOTATION_DO_NOT_CONSOLIDATE] === 'true') {
    events.push({
      node: c.name,
      nodeClaim: c.stateNode.nodeClaim?.metadata.name,
      reason: 'Unconsolidatable',
      message: `${ANNOTATION_DO_NOT_CONSOLIDATE} annotation exists`,
    })
    return false
  }
  const d = c.nodePool.spec.disruption ?? {}
  if ((d.consolidationPolicy ?? 'WhenUnderutilized') !== 'WhenUnderutilized' || d.consolidateAfter === 'Never') {
    events.push({
      node: c.name,
      nodeClaim: c.stateNode.nodeClaim?.metadata.name,
      reason: 'Unconsolidatable',
      message: `NodePool "${c.nodePool.metadata.name}" has consolidation disabled`,
    })
    return false
  }
  return true
}

/** `sortAndFilterCandidates`: filtered, cheapest disruption first (ties by name, for stability). */
export function sortAndFilterCandidates(candidates: readonly Candidate[], snapshot: DisruptionSnapshot, events: DisruptionEvent[] = []): Candidate[] {
  return filterCandidates(candidates, snapshot, events).sort((a, b) => a.disruptionCost - b.disruptionCost || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/** `Offerings.Get(capacityType, zone)` (available or not). */
export function offeringOf(c: Candidate): Offering | undefined {
  return c.instanceType.offerings.find((o) => o.capacityType === c.capacityType && o.zone === c.zone)
}
