// Builders for the 1.x twin's disruption conformance suites (kubernetes-sigs/karpenter@v1.9.1
// pkg/controllers/disruption/*_test.go): NodePools, NodeClaim+Node pairs as cluster state sees them
// once initialized (ExpectMakeNodesAndNodeClaimsInitializedAndStateUpdated), pods, and one pass of
// the disruption controller (`computeDisruptionV1`, with the "nop validator" upstream's suite uses).
// The instance types are the fake cloud provider's (test/conformance/karpenter/fake.ts).

import type { Node, NodeSelectorRequirement, Pod, Taint } from '../../../../sandbox/k8s/types.ts'
import type { NodeClaim } from '../../../../sandbox/karpenter/api.ts'
import type { DisruptionSnapshot } from '../../../../sandbox/karpenter/disruption/candidates.ts'
import type { InstanceType } from '../../../../sandbox/karpenter/instance-types.ts'
import { seededRng } from '../../../../sandbox/karpenter/rng.ts'
import { buildStateNode, type StateNode } from '../../../../sandbox/karpenter/state.ts'
import { internalNodePool } from '../../../../sandbox/karpenter/v1/adapter.ts'
import type { BudgetV1, NodePoolV1 } from '../../../../sandbox/karpenter/v1/api.ts'
import type { Command } from '../../../../sandbox/karpenter/disruption/consolidation.ts'
import { computeDisruptionV1, validateV1, type V1Round } from '../../../../sandbox/karpenter/v1/disruption.ts'
import { instanceTypesAssorted } from '../fake.ts'
import { nodePoolV1 } from './objects.ts'

export const NOW = Date.parse('2026-12-06T12:00:00Z')
export const LABEL_NODEPOOL = 'karpenter.sh/nodepool'
export const LABEL_CT = 'karpenter.sh/capacity-type'
export const LABEL_ZONE = 'topology.kubernetes.io/zone'
export const LABEL_IT = 'node.kubernetes.io/instance-type'
export const DO_NOT_DISRUPT = 'karpenter.sh/do-not-disrupt'

// ---- instance types (suite_test.go BeforeEach) ----

export const INSTANCE_TYPES = instanceTypesAssorted()
const cheapest = (it: InstanceType) => Math.min(...it.offerings.filter((o) => o.available).map((o) => o.price))
const byPrice = (ct: string) =>
  INSTANCE_TYPES.filter((it) => it.offerings.some((o) => o.available && o.capacityType === ct))
    .map((it, i) => ({ it, i }))
    .sort((a, b) => cheapest(a.it) - cheapest(b.it) || a.i - b.i)
    .map((x) => x.it)
export const onDemandInstances = byPrice('on-demand')
export const spotInstances = byPrice('spot')
export const leastExpensiveInstance = onDemandInstances[0]
export const mostExpensiveInstance = onDemandInstances[onDemandInstances.length - 1]
export const leastExpensiveSpotInstance = spotInstances[0]
export const mostExpensiveSpotInstance = spotInstances[spotInstances.length - 1]

// ---- NodePools ----

export interface PoolOptions {
  name?: string
  consolidationPolicy?: 'WhenEmpty' | 'WhenEmptyOrUnderutilized'
  consolidateAfter?: string
  budgets?: BudgetV1[]
  requirements?: NodeSelectorRequirement[]
  taints?: Taint[]
  expireAfter?: string
  terminationGracePeriod?: string
}

/** `test.NodePool(...)`: no requirements, the fake NodeClass. */
export function nodePool(o: PoolOptions = {}): NodePoolV1 {
  const name = o.name ?? 'default'
  return nodePoolV1({
    metadata: { name, uid: `uid-${name}` },
    spec: {
      template: {
        spec: {
          requirements: o.requirements ?? [],
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
          taints: o.taints,
          expireAfter: o.expireAfter ?? 'Never',
          ...(o.terminationGracePeriod ? { terminationGracePeriod: o.terminationGracePeriod } : {}),
        },
      },
      disruption: {
        consolidationPolicy: o.consolidationPolicy ?? 'WhenEmptyOrUnderutilized',
        consolidateAfter: o.consolidateAfter ?? '0s',
        budgets: o.budgets ?? [{ nodes: '100%' }],
      },
    },
  })
}

// ---- NodeClaims and Nodes ----

export interface NodeOptions {
  pool?: string
  instanceType?: InstanceType
  /** Defaults to the instance type's first offering. */
  capacityType?: string
  zone?: string
  allocatable?: Record<string, string>
  consolidatable?: boolean | 'False'
  drifted?: boolean
  annotations?: Record<string, string>
  labels?: Record<string, string>
  pods?: Pod[]
  initialized?: boolean
  ready?: boolean
  nominated?: boolean
  markedForDeletion?: boolean
  deleting?: boolean
  createdAt?: string
}

let seq = 0
/** `test.NodeClaimAndNode` made initialized and known to cluster state, its pods bound. */
export function stateNode(o: NodeOptions = {}): StateNode {
  const it = o.instanceType ?? mostExpensiveInstance
  const offering = it.offerings[0]
  const name = `node-${++seq}`
  const created = o.createdAt ?? new Date(NOW - 3_600_000).toISOString()
  const labels: Record<string, string> = {
    [LABEL_NODEPOOL]: o.pool ?? 'default',
    [LABEL_IT]: it.name,
    [LABEL_CT]: o.capacityType ?? offering.capacityType,
    [LABEL_ZONE]: o.zone ?? offering.zone,
    'kubernetes.io/hostname': name,
    'karpenter.sh/registered': 'true',
    ...(o.initialized === false ? {} : { 'karpenter.sh/initialized': 'true' }),
    ...o.labels,
  }
  const allocatable = o.allocatable ?? { cpu: '32', pods: '100' }
  const conditions = [
    ...(o.consolidatable === false
      ? []
      : [{ type: 'Consolidatable', status: o.consolidatable === 'False' ? 'False' : 'True', lastTransitionTime: new Date(NOW - 60_000).toISOString() }]),
    ...(o.drifted ? [{ type: 'Drifted', status: 'True', reason: 'NodePoolDrifted', lastTransitionTime: new Date(NOW - 60_000).toISOString() }] : []),
  ]
  const providerID = `fake:///${name}`
  const node: Node = {
    metadata: {
      name,
      labels,
      annotations: o.annotations,
      creationTimestamp: created,
      ...(o.deleting ? { deletionTimestamp: new Date(NOW).toISOString() } : {}),
    },
    spec: { providerID },
    status: { capacity: allocatable, allocatable, conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  }
  const claim: NodeClaim = {
    metadata: { name: `nodeclaim-${seq}`, labels, annotations: o.annotations, creationTimestamp: created },
    spec: {},
    status: { providerID, nodeName: name, allocatable, capacity: allocatable, conditions },
  }
  return buildStateNode({
    node,
    nodeClaim: claim,
    pods: (o.pods ?? []).map((p) => ({ ...p, spec: { ...p.spec, nodeName: name } })),
    nominated: o.nominated,
    markedForDeletion: o.markedForDeletion,
  })
}

// ---- pods ----

export interface PodOptions {
  name?: string
  namespace?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  requests?: Record<string, string>
  owner?: 'ReplicaSet' | 'DaemonSet' | 'StatefulSet' | 'Node'
  terminating?: boolean
  /** Pending and marked unschedulable by kube-scheduler (`test.UnschedulablePod`). */
  unschedulable?: boolean
  nodeSelector?: Record<string, string>
  spec?: Partial<Pod['spec']>
}

let podSeq = 0
/** `test.Pod(...)`. */
export function pod(o: PodOptions = {}): Pod {
  const name = o.name ?? `pod-${++podSeq}`
  const apiVersion = o.owner === 'Node' ? 'v1' : 'apps/v1'
  return {
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `uid-${name}`,
      labels: o.labels,
      annotations: o.annotations,
      creationTimestamp: new Date(NOW - 600_000).toISOString(),
      ...(o.owner ? { ownerReferences: [{ apiVersion, kind: o.owner, name: `${o.owner.toLowerCase()}-1`, uid: 'owner-uid', controller: true }] } : {}),
      ...(o.terminating ? { deletionTimestamp: new Date(NOW).toISOString() } : {}),
    },
    spec: {
      containers: [{ name: 'c', image: 'pause', resources: o.requests ? { requests: o.requests } : {} }],
      ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
      ...o.spec,
    },
    status: o.unschedulable
      ? { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] }
      : { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  }
}

export const pods = (n: number, o: PodOptions = {}): Pod[] => Array.from({ length: n }, () => pod(o))

// ---- one disruption pass ----

export interface World {
  pools: NodePoolV1[]
  nodes: StateNode[]
  pending?: Pod[]
  pdbs?: DisruptionSnapshot['pdbs']
  instanceTypes?: InstanceType[] | Record<string, InstanceType[]>
  now?: number
  /** The SpotToSpotConsolidation feature gate (upstream's consolidation suite turns it on). */
  spotToSpot?: boolean
}

export function snapshotOf(w: World): { snapshot: DisruptionSnapshot; v1Pools: Map<string, NodePoolV1> } {
  const names = w.pools.map((p) => p.metadata.name ?? '')
  const types = w.instanceTypes ?? INSTANCE_TYPES
  const instanceTypes = Array.isArray(types) ? Object.fromEntries(names.map((n) => [n, types])) : types
  const boundPods = w.nodes.flatMap((n) => n.pods)
  return {
    snapshot: {
      now: w.now ?? NOW,
      nodePools: w.pools.map((p) => internalNodePool(p, undefined)),
      instanceTypes,
      stateNodes: w.nodes,
      pendingPods: w.pending ?? [],
      daemonSetPods: [],
      cluster: {
        pods: [...boundPods, ...(w.pending ?? [])],
        nodes: w.nodes.map((n) => ({ name: n.name, labels: n.labels })),
        namespaces: [{ name: 'default' }],
      },
      pdbs: w.pdbs,
      rng: seededRng(1),
      line: 'v1',
      spotToSpotConsolidation: w.spotToSpot ?? true,
    },
    v1Pools: new Map(w.pools.map((p) => [p.metadata.name ?? '', p])),
  }
}

/** `ExpectSingletonReconciled(disruptionController)`: the command queued, if any. */
export function disrupt(w: World): V1Round {
  const { snapshot, v1Pools } = snapshotOf(w)
  return computeDisruptionV1(snapshot, v1Pools)
}

/** Names of the nodes a pass would disrupt ([] when no command). */
export function disrupted(w: World): string[] {
  return (disrupt(w).decision?.command.candidates ?? []).map((c) => c.name)
}

/** Candidates marked for deletion, as the orchestration queue leaves them until their NodeClaims are gone. */
function markDisrupting(nodes: readonly StateNode[], names: ReadonlySet<string>): StateNode[] {
  return nodes.map((n) => (names.has(n.name) ? { ...n, markedForDeletion: true } : n))
}

/** `n` passes of the controller, each command's candidates left disrupting; the names disrupted in all. */
export function passes(w: World, n: number): string[] {
  let nodes = w.nodes
  const all: string[] = []
  for (let i = 0; i < n; i++) {
    const names = (disrupt({ ...w, nodes }).decision?.command.candidates ?? []).map((c) => c.name)
    all.push(...names)
    nodes = markDisrupting(nodes, new Set(names))
  }
  return all
}

/** The replacement's instance type names (first replacement). */
export function replacementTypes(r: V1Round): string[] {
  return (r.decision?.command.replacements[0]?.instanceTypeOptions ?? []).map((t) => t.name)
}

/** Unconsolidatable events of a pass (the twin publishes one per node; upstream one each on Node and NodeClaim). */
export function unconsolidatable(r: V1Round): number {
  return r.events.filter((e) => e.reason === 'Unconsolidatable').length
}

/**
 * The real validator (NewMethodsWithRealValidator): the command computed on `w` is re-checked on
 * `later`, the cluster after the 15 s wait, as the twin's disruption controller does (execute).
 * Returns the command that would run, or undefined when it is abandoned.
 */
export function afterTTL(w: World, later: World): Command | undefined {
  const d = disrupt(w).decision
  if (!d) return undefined
  if (d.consolidationType === '') return d.command
  const { snapshot, v1Pools } = snapshotOf(later)
  const check = validateV1(d, snapshot, v1Pools)
  return check.valid ? check.command : undefined
}
