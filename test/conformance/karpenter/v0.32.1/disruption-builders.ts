// Builders for the ported disruption suites of kubernetes-sigs/karpenter v0.32.1
// (pkg/controllers/disruption/nodeclaim_{consolidation,emptiness,expiration}_test.go).
//
// What they stand for: the suite's envtest world reduced to one `DisruptionSnapshot` of the twin.
// A NodeClaim and its Node (`test.NodeClaimAndNode`) made initialized and Ready
// (`ExpectMakeNodesAndNodeClaimsInitializedAndStateUpdated`) become one `StateNode`; pods bound with
// `ExpectManualBinding` are that state node's pods; the fake cloud provider's instance types
// (`fakeInstanceType`, `instanceTypesAssorted` of ../fake.ts) are the NodePools' instance types; the
// fake clock is `now`. A reconcile of the disruption controller is one `computeDisruption` on the
// snapshot, and — for the commands that wait out the 15 s validation TTL — `validateCommand` /
// `validateEmptyNodeConsolidation` on the snapshot taken after the wait.

import type { Node, Pod } from '../../../../sandbox/k8s/types.ts'
import type { Condition, NodeClaim, NodePool } from '../../../../sandbox/karpenter/api.ts'
import type { DisruptionEvent, DisruptionSnapshot } from '../../../../sandbox/karpenter/disruption/candidates.ts'
import {
  computeDisruption,
  validateCommand,
  validateEmptyNodeConsolidation,
  type ConsolidationMemo,
  type DisruptionDecision,
} from '../../../../sandbox/karpenter/disruption/consolidation.ts'
import type { InstanceType, Offering } from '../../../../sandbox/karpenter/instance-types.ts'
import { seededRng } from '../../../../sandbox/karpenter/rng.ts'
import { buildStateNode, type StateNode } from '../../../../sandbox/karpenter/state.ts'
import { nodePool as baseNodePool, unschedulablePod as baseUnschedulablePod } from './objects.ts'

// ---- the fake cloud provider's instance types (test/conformance/karpenter/fake.ts) ----

/** The suite's `onDemandInstances` sorted by cheapest price: [least expensive, most expensive] (first of ties). */
export function cheapestAndDearestOnDemand(types: readonly InstanceType[]): { least: InstanceType; most: InstanceType } {
  const cheapest = (t: InstanceType): number => Math.min(...t.offerings.filter((o) => o.available).map((o) => o.price))
  const od = types.filter((t) => t.offerings.some((o) => o.available && o.capacityType === 'on-demand'))
  const sorted = [...od].sort((a, b) => cheapest(a) - cheapest(b))
  const top = cheapest(sorted[sorted.length - 1])
  return { least: sorted[0], most: sorted.find((t) => cheapest(t) === top) ?? sorted[sorted.length - 1] }
}

// ---- cluster objects ----

export const NODEPOOL = 'default'
export const T0 = Date.parse('2024-01-01T00:00:00Z')

/** `test.NodePool` with the given disruption block (the CRD defaults expireAfter to 720h). */
export function nodePool(
  disruption: NonNullable<NodePool['spec']['disruption']>,
  name = NODEPOOL,
  requirements: NodePool['spec']['template']['spec']['requirements'] = [],
): NodePool {
  const np = baseNodePool({ name, requirements })
  np.spec.disruption = { expireAfter: '720h', ...disruption }
  return np
}

export interface NodeOptions {
  instanceType: InstanceType
  /** The offering the node runs on (defaults to the type's first). */
  offering?: Offering
  allocatable?: Record<string, string>
  nodePool?: string
  annotations?: Record<string, string>
  labels?: Record<string, string>
  conditions?: Condition[]
  pods?: Pod[]
  /** Creation time (epoch ms). */
  created?: number
  /** Left as created: not registered/initialized nor Ready. */
  uninitialized?: boolean
  markedForDeletion?: boolean
  nominated?: boolean
}

let seq = 0

/** `test.NodeClaimAndNode` + `ExpectMakeNodesAndNodeClaimsInitializedAndStateUpdated` + `ExpectManualBinding`. */
export function stateNode(o: NodeOptions): StateNode {
  const n = ++seq
  const offering = o.offering ?? o.instanceType.offerings[0]
  const name = `node-${n}`
  const labels: Record<string, string> = {
    'karpenter.sh/nodepool': o.nodePool ?? NODEPOOL,
    'node.kubernetes.io/instance-type': o.instanceType.name,
    'karpenter.sh/capacity-type': offering.capacityType,
    'topology.kubernetes.io/zone': offering.zone,
    'kubernetes.io/hostname': name,
    ...o.labels,
  }
  if (!o.uninitialized) Object.assign(labels, { 'karpenter.sh/registered': 'true', 'karpenter.sh/initialized': 'true' })
  const created = new Date(o.created ?? T0).toISOString()
  const allocatable = o.allocatable ?? { cpu: '32' }
  const node: Node = {
    metadata: { name, labels, annotations: o.annotations, creationTimestamp: created },
    spec: { providerID: `fake:///${n}` },
    status: { allocatable, capacity: allocatable, conditions: o.uninitialized ? [] : [{ type: 'Ready', status: 'True' }] },
  }
  const nodeClaim: NodeClaim = {
    metadata: { name: `nodeclaim-${n}`, labels, annotations: o.annotations, creationTimestamp: created },
    spec: {},
    status: { providerID: `fake:///${n}`, nodeName: name, allocatable, conditions: o.conditions },
  }
  const pods = (o.pods ?? []).map((p) => ({ ...p, spec: { ...p.spec, nodeName: name }, status: { ...p.status, phase: 'Running' } }))
  return buildStateNode({ node, nodeClaim, pods, markedForDeletion: o.markedForDeletion, nominated: o.nominated })
}

/** The same NodeClaim and Node after more pods were bound to it (`ExpectManualBinding` during a wait). */
export function withMorePods(sn: StateNode, more: Pod[]): StateNode {
  const bound = more.map((p) => ({ ...p, spec: { ...p.spec, nodeName: sn.name }, status: { ...p.status, phase: 'Running' } }))
  return buildStateNode({ node: sn.node, nodeClaim: sn.nodeClaim, pods: [...sn.pods, ...bound] })
}

/** An unmanaged node (`test.Node`): not a disruption candidate, but capacity for the simulation. */
export function unmanagedNode(allocatable: Record<string, string>): StateNode {
  const name = `unmanaged-${++seq}`
  const node: Node = {
    metadata: { name, labels: { 'kubernetes.io/hostname': name }, creationTimestamp: new Date(T0).toISOString() },
    spec: { providerID: `fake:///${name}` },
    status: { allocatable, capacity: allocatable, conditions: [{ type: 'Ready', status: 'True' }] },
  }
  return buildStateNode({ node })
}

export interface PodOptions {
  labels?: Record<string, string>
  annotations?: Record<string, string>
  requests?: Record<string, string>
  /** Owned by a ReplicaSet (the suites' `rs`); false: a standalone pod. */
  owned?: boolean
  nodeSelector?: Record<string, string>
  spec?: Partial<Pod['spec']>
  /** Pod Ready=False (unhealthy, for AlwaysAllow PDBs). */
  unready?: boolean
}

/** `test.Pod`: namespace default, one container with the given requests. */
export function pod(o: PodOptions = {}): Pod {
  const n = ++seq
  return {
    metadata: {
      name: `pod-${n}`,
      namespace: 'default',
      uid: `pod-uid-${n}`,
      labels: o.labels,
      annotations: o.annotations,
      ownerReferences: o.owned === false ? undefined : [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', controller: true }],
    },
    spec: {
      nodeSelector: o.nodeSelector,
      containers: [{ name: 'c', image: 'pause', resources: o.requests ? { requests: o.requests } : {} }],
      ...o.spec,
    },
    status: o.unready ? { conditions: [{ type: 'Ready', status: 'False' }] } : {},
  }
}

export const pods = (count: number, o: PodOptions = {}): Pod[] => Array.from({ length: count }, () => pod(o))

/** `test.UnschedulablePod` (objects.ts) with the options of `pod`. */
export function unschedulablePod(o: { requests?: Record<string, string>; labels?: Record<string, string>; nodeSelector?: Record<string, string> } = {}): Pod {
  return baseUnschedulablePod(o)
}

/** `test.PodDisruptionBudget` over pods with `labels`, with disruptionsAllowed 0. */
export function pdb(labels: Record<string, string>, o: { namespace?: string; unhealthyPodEvictionPolicy?: string } = {}) {
  return {
    metadata: { namespace: o.namespace ?? 'default', name: `pdb-${++seq}` },
    spec: { selector: { matchLabels: labels }, unhealthyPodEvictionPolicy: o.unhealthyPodEvictionPolicy },
    status: { disruptionsAllowed: 0 },
  }
}

// ---- the snapshot and the reconcile ----

export interface World {
  nodePools: NodePool[]
  instanceTypes: InstanceType[] | Record<string, InstanceType[]>
  stateNodes: StateNode[]
  pendingPods?: Pod[]
  pdbs?: DisruptionSnapshot['pdbs']
  now?: number
}

export function snapshot(w: World): DisruptionSnapshot {
  const instanceTypes = Array.isArray(w.instanceTypes)
    ? Object.fromEntries(w.nodePools.map((np) => [np.metadata.name ?? '', w.instanceTypes as InstanceType[]]))
    : w.instanceTypes
  return {
    now: w.now ?? T0 + 10 * 60_000,
    nodePools: w.nodePools,
    instanceTypes,
    stateNodes: w.stateNodes,
    pendingPods: w.pendingPods ?? [],
    daemonSetPods: [],
    cluster: {
      pods: w.stateNodes.flatMap((n) => n.pods),
      nodes: w.stateNodes.filter((n) => n.node).map((n) => ({ name: n.name, labels: n.labels })),
    },
    pdbs: w.pdbs,
    rng: seededRng(1),
  }
}

/** What one reconcile of the disruption controller does to the cluster. */
export interface Outcome {
  /** Every command computed, in order (an abandoned one is followed by the next method's). */
  decisions: DisruptionDecision[]
  /** The command executed, if any. */
  executed?: DisruptionDecision
  /** Names of the state nodes the executed command deletes. */
  deleted: string[]
  /** Replacement NodeClaims the executed command launches. */
  launched: number
  events: DisruptionEvent[]
}

const STATE = 1

/**
 * One reconcile (controller.go `Reconcile`): compute a command; one that needs validation is
 * re-validated on `later` (the world after the 15 s wait; the same world when not given) and,
 * when no longer valid, the controller goes on to the next consolidation method, on the later
 * world (the consolidation memo marks the abandoned method, so it is not computed again).
 */
export function reconcile(w: World, later?: World): Outcome {
  const after = later ? snapshot(later) : undefined
  let s = snapshot(w)
  let memo: ConsolidationMemo = {}
  const decisions: DisruptionDecision[] = []
  const events: DisruptionEvent[] = []
  for (;;) {
    const round = computeDisruption(s, memo, STATE)
    events.push(...round.events)
    const d = round.decision
    if (!d) return { decisions, deleted: [], launched: 0, events }
    decisions.push(d)
    if (d.needsValidation) {
      const v = after ?? s
      const valid =
        d.consolidationType === 'empty'
          ? validateEmptyNodeConsolidation(d.command, v).valid
          : validateCommand(d.command, v, d.consolidationType === 'multi' ? 'multi-node' : 'single-node').valid
      if (!valid) {
        if (d.consolidationType === '') return { decisions, deleted: [], launched: 0, events }
        memo = { ...round.memo, [d.consolidationType]: STATE }
        s = v
        continue
      }
    }
    return { decisions, executed: d, deleted: d.command.candidates.map((c) => c.name), launched: d.command.replacements.length, events }
  }
}
