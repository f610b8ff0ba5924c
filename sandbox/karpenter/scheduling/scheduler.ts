// The provisioning simulation of Karpenter v0.32.1 as one pure function.
// Sources: core@v0.32.1:pkg/controllers/provisioning/{provisioner.go (NewScheduler,
// getDaemonSetPods), scheduling/scheduler.go (Solve, add, limits, daemon overhead)}.
//
// Per pod, in first-fit-decreasing order: existing and in-flight nodes (initialized first, then
// by name), then the NodeClaims planned so far (fewest pods first), then a new NodeClaim from the
// first NodePool (by weight) that accepts it. A pod that fits nowhere has one soft constraint
// relaxed and goes to the back of the queue; the loop ends when a full pass makes no progress.

import { Quantity } from '../../k8s/quantity.ts'
import { maxResources, parseResourceList, requestsForPods, resourcesString, subtract, type ResourceList } from '../../k8s/resources.ts'
import { karpenterTolerationErrors } from '../../k8s/taints.ts'
import type { DaemonSet, Pod, Taint } from '../../k8s/types.ts'
import type { NodePool } from '../api.ts'
import { instanceTypesFor, type InstanceType, type InstanceTypesByNodePool } from '../instance-types.ts'
import { ALLOW_UNDEFINED_WELL_KNOWN, Requirements } from '../requirements.ts'
import type { Rng } from '../rng.ts'
import type { StateNode } from '../state.ts'
import { ExistingNode } from './existing-node.ts'
import type { KarpenterLine } from '../version.ts'
import { FilterCache, hasCompatibleInstanceType, nodeClaimTemplate, PlannedNodeClaim, type NodeClaimTemplate } from './nodeclaim.ts'
import { isOwnedByDaemonSet, isProvisionable, SchedPod } from './pods.ts'
import { Queue, relax } from './preferences.ts'
import { Topology, type TopologyCluster } from './topology.ts'

export interface SchedulingInput {
  /** Pods to place: the provisionable pending pods plus the pods of nodes being deleted. */
  pods: readonly Pod[]
  /** NodePools (deleting and invalid ones already dropped by the caller). */
  nodePools: readonly NodePool[]
  /** Each NodePool's instance types (`GetInstanceTypes`), by NodePool name. */
  instanceTypes: InstanceTypesByNodePool
  /** Active (not deleting) nodes and in-flight NodeClaims. */
  stateNodes?: readonly StateNode[]
  /** One pod per DaemonSet (`daemonSetPods()`), for the overhead of new and existing nodes. */
  daemonSetPods?: readonly Pod[]
  /** Bound pods and node labels, for topology counts. */
  cluster?: TopologyCluster
  rng: Rng
  /** Consolidation's mode: no limit DEBUG lines (and the caller records no nominations). */
  simulationMode?: boolean
  /**
   * The Karpenter line whose scheduler this is (default v0.32); 'v1' turns on the 1.9 differences,
   * among them the topology's matchLabelKeys and node inclusion policies (topology.ts).
   */
  line?: KarpenterLine
}

interface LimitsDebug {
  nodePool: string
  excluded: number
  total: number
}

export interface SchedulingResults {
  newNodeClaims: PlannedNodeClaim[]
  /** Existing/in-flight nodes, with the pods nominated to them (`pods` may be empty). */
  existingNodes: ExistingNode[]
  /** Why each unscheduled pod failed (Karpenter's reason text). */
  podErrors: Map<Pod, string>
  /** All input pods in queue (FFD) order: what `found provisionable pod(s)` lists. */
  podsInQueueOrder: Pod[]
  /** `N out of M instance types were excluded because they would breach limits` occurrences. */
  limits: LimitsDebug[]
  /** DEBUG `relaxing soft constraints for pod since it previously failed to schedule, …`. */
  relaxations: { pod: Pod; reason: string }[]
  /** The DaemonSet overhead per NodePool (what every new NodeClaim starts with). */
  daemonOverhead: Map<string, ResourceList>
}

/**
 * provisioner.go `getDaemonSetPods`: per DaemonSet, its newest pod in the cluster or else a pod
 * built from its template; the template's required node affinity replaces the pod's (the
 * DaemonSet controller pins real pods to their node with matchFields).
 */
export function daemonSetPods(daemonSets: readonly DaemonSet[], clusterPods: readonly Pod[]): Pod[] {
  return daemonSets.map((ds) => {
    const owned = clusterPods
      .filter(
        (p) =>
          isOwnedByDaemonSet(p) &&
          (p.metadata.ownerReferences ?? []).some(
            (o) => (ds.metadata.uid && o.uid === ds.metadata.uid) || (o.kind === 'DaemonSet' && o.name === ds.metadata.name),
          ) &&
          p.metadata.namespace === ds.metadata.namespace,
      )
      .sort((a, b) => Date.parse(b.metadata.creationTimestamp ?? '0') - Date.parse(a.metadata.creationTimestamp ?? '0'))
    const base: Pod = owned[0]
      ? structuredClone(owned[0])
      : { metadata: { namespace: ds.metadata.namespace, labels: ds.spec.template.metadata?.labels }, spec: structuredClone(ds.spec.template.spec) }
    const required = ds.spec.template.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
    if (required) {
      base.spec.affinity ??= {}
      base.spec.affinity.nodeAffinity ??= {}
      base.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = structuredClone(required)
    }
    return base
  })
}

/** NodePools in the order the scheduler tries them: weight descending (then name, for stability). */
function orderByWeight(nodePools: readonly NodePool[]): NodePool[] {
  return [...nodePools].sort(
    (a, b) =>
      (b.spec.weight ?? 0) - (a.spec.weight ?? 0) ||
      ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0),
  )
}

const typesFor = instanceTypesFor

/** Per instance-type list and NodePool template: the domains it contributes (they only change with either). */
const domainCache = new WeakMap<readonly InstanceType[], Map<string, Map<string, Set<string>>>>()

function poolDomains(np: NodePool, types: readonly InstanceType[]): Map<string, Set<string>> {
  const sig = JSON.stringify([np.spec.template.spec.requirements ?? [], np.spec.template.metadata?.labels ?? {}])
  let byPool = domainCache.get(types)
  if (!byPool) domainCache.set(types, (byPool = new Map<string, Map<string, Set<string>>>()))
  const cached = byPool.get(sig)
  if (cached) return cached
  const out = new Map<string, Set<string>>()
  const insert = (key: string, values: Iterable<string>): void => {
    let set = out.get(key)
    if (!set) out.set(key, (set = new Set()))
    for (const v of values) set.add(v)
  }
  const base = Requirements.fromNodeSelector(np.spec.template.spec.requirements)
  base.add(...Requirements.fromLabels(np.spec.template.metadata?.labels).values())
  for (const it of types) {
    // Intersecting with the NodePool keeps e.g. an instance type's zones from widening the universe.
    for (const req of it.requirements.values()) {
      const pool = base.map.get(req.key)
      insert(req.key, (pool ? req.intersection(pool) : req).values)
    }
    for (const [key, req] of base.map) if (!it.requirements.has(key)) insert(key, req.values)
  }
  for (const req of base.values()) if (req.operator() === 'In') insert(req.key, req.values)
  if (byPool.size > 64) byPool.clear()
  byPool.set(sig, out)
  return out
}

/**
 * The topology domain universe (provisioner.go NewScheduler): per key, the values of every
 * instance type's requirements intersected with its NodePool's, plus the NodePools' `In` values.
 */
function buildDomains(nodePools: readonly NodePool[], instanceTypes: SchedulingInput['instanceTypes']): Map<string, Set<string>> {
  const domains = new Map<string, Set<string>>()
  for (const np of nodePools) {
    for (const [key, values] of poolDomains(np, typesFor(instanceTypes, np.metadata.name ?? ''))) {
      const set = domains.get(key)
      if (!set) domains.set(key, new Set(values))
      else for (const v of values) set.add(v)
    }
  }
  return domains
}

/**
 * core@v1.9.1 topology.go `buildDomainGroups` (taints only): per key and domain, the taint sets of
 * the NodePools offering it; a NodePool without taints makes the domain always eligible.
 */
function buildDomainTaints(nodePools: readonly NodePool[], instanceTypes: SchedulingInput['instanceTypes']): Map<string, Map<string, Taint[][]>> {
  const out = new Map<string, Map<string, Taint[][]>>()
  for (const np of nodePools) {
    const taints = np.spec.template.spec.taints ?? []
    for (const [key, values] of poolDomains(np, typesFor(instanceTypes, np.metadata.name ?? ''))) {
      let byDomain = out.get(key)
      if (!byDomain) out.set(key, (byDomain = new Map<string, Taint[][]>()))
      for (const d of values) {
        const sets = byDomain.get(d)
        if (!sets || taints.length === 0) byDomain.set(d, [taints])
        else if (sets[0].length > 0) sets.push(taints)
      }
    }
  }
  return out
}

/** scheduler.go `getDaemonOverhead`: DaemonSets that tolerate the template and fit its requirements. */
function daemonOverhead(templates: readonly NodeClaimTemplate[], dsPods: readonly Pod[]): Map<NodeClaimTemplate, ResourceList> {
  const out = new Map<NodeClaimTemplate, ResourceList>()
  for (const t of templates) {
    const daemons = dsPods.filter(
      (p) => karpenterTolerationErrors(t.taints, p).length === 0 && t.requirements.isCompatible(Requirements.forPod(p), ALLOW_UNDEFINED_WELL_KNOWN),
    )
    out.set(t, requestsForPods(...daemons))
  }
  return out
}

/** scheduler.go `filterByRemainingResources`: types whose capacity fits under the remaining limits. */
function filterByRemainingResources(types: readonly InstanceType[], remaining: ResourceList): InstanceType[] {
  const names = Object.keys(remaining)
  if (names.length === 0) return [...types]
  return types.filter((it) => names.every((n) => (it.capacity[n] ?? Quantity.ZERO).cmp(remaining[n]) <= 0))
}

/** scheduler.go `subtractMax`: pessimistically assume the largest candidate launches. */
function subtractMax(remaining: ResourceList, types: readonly InstanceType[]): ResourceList {
  // Without limits there is nothing to subtract from (and the max over hundreds of types is not free).
  if (types.length === 0 || Object.keys(remaining).length === 0) return remaining
  const max = maxResources(...types.map((t) => t.capacity))
  const out: ResourceList = {}
  for (const k of Object.keys(remaining)) out[k] = remaining[k].sub(max[k] ?? Quantity.ZERO)
  return out
}

/** Runs one scheduling simulation (`Provisioner.Schedule` / `Scheduler.Solve`). */
export function schedule(input: SchedulingInput): SchedulingResults {
  const pools = orderByWeight(input.nodePools)
  let templates = pools.map(nodeClaimTemplate)
  // 1.9 (scheduler.go NewScheduler): a NodePool whose requirements leave no instance type with an
  // available offering is skipped for the whole round.
  if (input.line === 'v1') templates = templates.filter((t) => hasCompatibleInstanceType(typesFor(input.instanceTypes, t.nodePoolName), t.requirements))
  const rng = input.rng
  const sched = input.pods.map((p) => new SchedPod(p))
  const domains = buildDomains(pools, input.instanceTypes)
  const cluster: TopologyCluster = input.cluster ?? { pods: [], nodes: [] }
  const topology = new Topology(
    domains,
    sched,
    cluster,
    rng,
    input.line === 'v1' ? { v1: true, domainTaints: buildDomainTaints(pools, input.instanceTypes) } : {},
  )
  const dsPods = input.daemonSetPods ?? []
  const overhead = daemonOverhead(templates, dsPods)
  const cache = new FilterCache()
  const toleratePreferNoSchedule = pools.some((np) => (np.spec.template.spec.taints ?? []).some((t) => t.effect === 'PreferNoSchedule'))

  // Limits: what is left of each NodePool's budget after its existing nodes.
  const remaining = new Map<string, ResourceList>()
  for (const np of pools) remaining.set(np.metadata.name ?? '', parseResourceList(np.spec.limits))

  const existingNodes: ExistingNode[] = []
  for (const sn of input.stateNodes ?? []) {
    const nodeReqs = Requirements.fromLabels(sn.labels)
    const daemons = dsPods.filter((p) => karpenterTolerationErrors(sn.taints, p).length === 0 && nodeReqs.isCompatible(Requirements.forPod(p)))
    existingNodes.push(new ExistingNode(sn, topology, requestsForPods(...daemons)))
    if (sn.nodePool && remaining.has(sn.nodePool)) remaining.set(sn.nodePool, subtract(remaining.get(sn.nodePool)!, sn.capacity))
  }
  // Initialized nodes first (consolidation must not count on nodes still coming up), then by name.
  existingNodes.sort((a, b) => {
    if (a.initialized !== b.initialized) return a.initialized ? -1 : 1
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
  })

  const newNodeClaims: PlannedNodeClaim[] = []
  const limits: LimitsDebug[] = []
  const relaxations: { pod: Pod; reason: string }[] = []

  const add = (p: SchedPod): string | undefined => {
    for (const node of existingNodes) if (node.add(p) === undefined) return undefined
    // Fewest pods first (stable, where Go's sort.Slice is not).
    newNodeClaims.sort((a, b) => a.pods.length - b.pods.length)
    for (const nc of newNodeClaims) if (nc.add(p) === undefined) return undefined
    if (input.line === 'v1' && templates.length === 0) return 'nodepool requirements filtered out all available instance types'
    const errs: string[] = []
    for (const t of templates) {
      const all = typesFor(input.instanceTypes, t.nodePoolName)
      const budget = remaining.get(t.nodePoolName) ?? {}
      const types = filterByRemainingResources(all, budget)
      if (types.length === 0) {
        errs.push(`all available instance types exceed limits for nodepool: ${JSON.stringify(t.nodePoolName)}`)
        continue
      }
      if (types.length !== all.length && !input.simulationMode)
        limits.push({ nodePool: t.nodePoolName, excluded: all.length - types.length, total: all.length })
      const dsOverhead = overhead.get(t)!
      const nc = new PlannedNodeClaim(t, topology, dsOverhead, types, cache)
      const err = nc.add(p)
      if (err !== undefined) {
        errs.push(`incompatible with nodepool ${JSON.stringify(t.nodePoolName)}, daemonset overhead=${resourcesString(dsOverhead)}, ${err()}`)
        continue
      }
      newNodeClaims.push(nc)
      remaining.set(t.nodePoolName, subtractMax(budget, nc.instanceTypeOptions))
      return undefined
    }
    return errs.join('; ')
  }

  const errors = new Map<SchedPod, string | undefined>()
  const queue = new Queue(sched)
  const podsInQueueOrder = queue.pods.map((p) => p.original)
  for (let p = queue.pop(); p; p = queue.pop()) {
    const err = add(p)
    errors.set(p, err)
    if (err === undefined) continue
    const reason = relax(p, toleratePreferNoSchedule)
    queue.push(p, reason !== undefined)
    if (reason !== undefined) {
      relaxations.push({ pod: p.original, reason })
      topology.update(p.pod)
    }
  }
  for (const nc of newNodeClaims) nc.finalize()

  const podErrors = new Map<Pod, string>()
  for (const [p, err] of errors) if (err !== undefined) podErrors.set(p.original, err)
  return {
    newNodeClaims,
    existingNodes,
    podErrors,
    podsInQueueOrder,
    limits,
    relaxations,
    daemonOverhead: new Map(templates.map((t) => [t.nodePoolName, overhead.get(t)!])),
  }
}

/** `Results.AllNonPendingPodsScheduled`: every pod that was not already pending found a place. */
export function allNonPendingPodsScheduled(results: SchedulingResults): boolean {
  for (const pod of results.podErrors.keys()) if (!isProvisionable(pod)) return false
  return true
}

/** `Results.NonPendingPodSchedulingErrors`: the message consolidation events carry. */
export function nonPendingPodSchedulingErrors(results: SchedulingResults): string {
  const errs = [...results.podErrors].filter(([pod]) => !isProvisionable(pod))
  if (errs.length === 0) return 'No Pod Scheduling Errors'
  let msg = 'not all pods would schedule, '
  let n = 0
  for (const [pod, err] of errs) {
    msg += `${pod.metadata.namespace}/${pod.metadata.name} => ${err} `
    n++
    if (n >= 5) {
      msg += ` and ${errs.length - 5} other(s)`
      break
    }
  }
  return msg
}
