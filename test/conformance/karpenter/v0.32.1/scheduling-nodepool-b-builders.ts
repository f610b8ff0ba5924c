// Builders for scheduling-nodepool-b.test.ts: the slice of Karpenter's envtest world that the
// second half of core@v0.32.1 pkg/controllers/provisioning/scheduling/nodepool_test.go uses,
// over the twin's pure logic.
//
// - Pods with the suite's PodOptions (node selector/affinity, pod affinity, init containers,
//   RuntimeClass overhead, DaemonSet owner) on top of ../fake.ts `unschedulablePod`; the suite's
//   NodePool on top of ../fake.ts `nodePool`; Nodes and NodeClaims as pkg/test builds them.
// - `FakeCluster`: the API server + cluster state + fake cloud provider of the suite.
//   `provision` is `ExpectProvisioned` (a provisioning round over every pending pod, each new
//   NodeClaim launched by the fake provider's `Create` — the cheapest compatible instance type,
//   its `In` labels and the first matching offering — then `PopulateNodeClaimDetails`, a Node
//   linked to it (registered, not initialized) and the passed pods bound);
//   `provisionNoBinding` is `ExpectProvisionedNoBinding`.

import assert from 'node:assert/strict'
import { fits, parseResourceList, toStringMap } from '../../../../sandbox/k8s/resources.ts'
import type {
  DaemonSet,
  Node,
  NodeSelectorRequirement,
  Pod,
  PodAffinityTerm,
  RawResourceList,
  Taint,
  TopologySpreadConstraint,
} from '../../../../sandbox/k8s/types.ts'
import type { NodeClaim, NodePool } from '../../../../sandbox/karpenter/api.ts'
import { offeringsMatching, orderByPrice, type InstanceType } from '../../../../sandbox/karpenter/instance-types.ts'
import { LABEL_CAPACITY_TYPE, LABEL_INITIALIZED, LABEL_REGISTERED, LABEL_ZONE } from '../../../../sandbox/karpenter/labels.ts'
import { provisioningRound, type ProvisioningRound } from '../../../../sandbox/karpenter/provisioning.ts'
import { ALLOW_UNDEFINED_WELL_KNOWN, Requirement, Requirements } from '../../../../sandbox/karpenter/requirements.ts'
import { nodePool as fakeNodePool, unschedulablePod as fakePod } from '../fake.ts'
import { seededRng } from '../../../../sandbox/karpenter/rng.ts'
import { daemonSetPods } from '../../../../sandbox/karpenter/scheduling/scheduler.ts'
import { buildStateNode, type StateNode } from '../../../../sandbox/karpenter/state.ts'

// ---- pods (pkg/test/pods.go) ----

export interface PodOptions {
  labels?: Record<string, string>
  nodeSelector?: Record<string, string>
  /** Required node affinity, one term. */
  nodeRequirements?: NodeSelectorRequirement[]
  /** Preferred node affinity, one term of weight 1. */
  nodePreferences?: NodeSelectorRequirement[]
  /** Required pod affinity terms. */
  podRequirements?: PodAffinityTerm[]
  requests?: Record<string, string>
  limits?: Record<string, string>
  initRequests?: RawResourceList
  /** What the API server's RuntimeClass admission writes into spec.overhead. */
  overhead?: RawResourceList
  topologySpreadConstraints?: TopologySpreadConstraint[]
  /** Owned by this DaemonSet. */
  daemonSet?: DaemonSet
}

/** `test.UnschedulablePod` with the suite's PodOptions. */
export function unschedulablePod(o: PodOptions = {}): Pod {
  const spec: Partial<Pod['spec']> = { nodeSelector: o.nodeSelector, topologySpreadConstraints: o.topologySpreadConstraints }
  if (o.initRequests) spec.initContainers = [{ name: 'init', resources: { requests: o.initRequests } }]
  if (o.overhead) spec.overhead = o.overhead
  if (o.nodeRequirements || o.nodePreferences || o.podRequirements) {
    const nodeAffinity = {
      requiredDuringSchedulingIgnoredDuringExecution: o.nodeRequirements && { nodeSelectorTerms: [{ matchExpressions: o.nodeRequirements }] },
      preferredDuringSchedulingIgnoredDuringExecution: o.nodePreferences && [{ weight: 1, preference: { matchExpressions: o.nodePreferences } }],
    }
    spec.affinity = {
      nodeAffinity: o.nodeRequirements || o.nodePreferences ? nodeAffinity : undefined,
      podAffinity: o.podRequirements && { requiredDuringSchedulingIgnoredDuringExecution: o.podRequirements },
    }
  }
  const pod = fakePod({ labels: o.labels, requests: o.requests, limits: o.limits, spec })
  if (o.daemonSet) {
    pod.metadata.ownerReferences = [
      {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        name: o.daemonSet.metadata.name ?? '',
        uid: o.daemonSet.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]
  }
  return pod
}

export function unschedulablePods(count: number, o: PodOptions = {}): Pod[] {
  return Array.from({ length: count }, () => unschedulablePod(o))
}

/** `test.DaemonSet`: its template is a pod built from the options. */
export function daemonSet(o: PodOptions): DaemonSet {
  const template = unschedulablePod(o)
  const name = `daemonset-${template.metadata.name}`
  return { metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { template: { spec: template.spec } } }
}

// ---- NodePools, NodeClaims, Nodes ----

/** The suite's NodePool: `karpenter.sh/capacity-type In [spot on-demand]` unless given others. */
export function nodePool(requirements?: NodeSelectorRequirement[], extra: Partial<NodePool['spec']['template']['spec']> = {}): NodePool {
  return fakeNodePool('default', { requirements: requirements ?? [{ key: LABEL_CAPACITY_TYPE, operator: 'In', values: ['spot', 'on-demand'] }], ...extra })
}

/** `test.Node`: a Ready node (unowned unless its labels say otherwise). */
export function node(name: string, allocatable: RawResourceList, labels: Record<string, string> = {}): Node {
  return {
    metadata: { name, labels },
    spec: {},
    status: { capacity: allocatable, allocatable, conditions: [{ type: 'Ready', status: 'True' }] },
  }
}

/** `test.NodeClaim`: a bare NodeClaim (no requirements), with the given labels and status. */
export function nodeClaim(name: string, labels: Record<string, string> = {}, status: NodeClaim['status'] = {}): NodeClaim {
  return {
    metadata: { name, labels },
    spec: { requirements: [], nodeClassRef: { name: 'default' } },
    status: { providerID: `fake:///${name}`, ...status },
  }
}

/** `test.NodeClaimLinkedNode`: labels, capacity and allocatable of the NodeClaim; taints + startup taints. */
export function linkedNode(nc: NodeClaim): Node {
  const taints: Taint[] = [...(nc.spec.taints ?? []), ...(nc.spec.startupTaints ?? [])]
  return {
    metadata: { name: nc.metadata.name, labels: { ...(nc.metadata.labels ?? {}) } },
    spec: { providerID: nc.status?.providerID, taints },
    status: { capacity: nc.status?.capacity, allocatable: nc.status?.allocatable, conditions: [{ type: 'Ready', status: 'True' }] },
  }
}

/** The API server's TaintNodesByCondition admission: a Node is created with the not-ready taint. */
function admitted(n: Node): Node {
  const taints = n.spec?.taints ?? []
  if (taints.some((t) => t.key === NOT_READY.key)) return n
  return { ...n, spec: { ...n.spec, taints: [...taints, NOT_READY] } }
}
const NOT_READY: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }

/** `ExpectMakeNodesInitialized` + `ExpectMakeNodeClaimsInitialized`. */
export function markInitialized(entry: ClusterNode): void {
  if (entry.node) entry.node.metadata.labels = { ...(entry.node.metadata.labels ?? {}), [LABEL_REGISTERED]: 'true', [LABEL_INITIALIZED]: 'true' }
  if (entry.nodeClaim)
    entry.nodeClaim.status = {
      ...entry.nodeClaim.status,
      conditions: ['Launched', 'Registered', 'Initialized'].map((type) => ({ type, status: 'True' })),
    }
}

// ---- the cluster ----

/** A Node and/or its NodeClaim, and the pods bound to it. */
export interface ClusterNode {
  name: string
  node?: Node
  nodeClaim?: NodeClaim
  pods: Pod[]
}

export class FakeCluster {
  nodePools: NodePool[] = []
  instanceTypes: InstanceType[]
  daemonSets: DaemonSet[] = []
  readonly nodes: ClusterNode[] = []
  /** Every pod in the API server (bound or not). */
  readonly pods: Pod[] = []
  /** The NodeClaims passed to the cloud provider's `Create`. */
  readonly createCalls: NodeClaim[] = []
  readonly rng = seededRng(15)
  readonly #names = new Set<string>()
  lastRound: ProvisioningRound | undefined

  constructor(instanceTypes: InstanceType[], ...nodePools: NodePool[]) {
    this.instanceTypes = instanceTypes
    this.nodePools = nodePools
  }

  stateNodes(): StateNode[] {
    return this.nodes.map((n) => buildStateNode({ node: n.node, nodeClaim: n.nodeClaim, pods: n.pods }))
  }

  /** `ExpectProvisioned`: schedule every pending pod, launch the NodeClaims, bind the given pods. */
  provision(...pods: Pod[]): ProvisioningRound {
    return this.#provision(pods, true)
  }

  /** `ExpectProvisionedNoBinding`. */
  provisionNoBinding(...pods: Pod[]): ProvisioningRound {
    return this.#provision(pods, false)
  }

  #provision(pods: Pod[], bind: boolean): ProvisioningRound {
    for (const p of pods) if (!this.pods.includes(p)) this.pods.push(p)
    const stateNodes = this.stateNodes()
    const round = provisioningRound({
      pendingPods: this.pods.filter((p) => !p.spec.nodeName),
      nodePools: this.nodePools,
      instanceTypes: Object.fromEntries(this.nodePools.map((np) => [np.metadata.name ?? '', this.instanceTypes])),
      stateNodes,
      daemonSetPods: daemonSetPods(this.daemonSets, this.pods),
      cluster: { pods: this.pods.filter((p) => p.spec.nodeName), nodes: stateNodes.map((n) => ({ name: n.name, labels: n.labels })) },
      rng: this.rng,
      takenNames: this.#names,
    })
    this.lastRound = round
    const bindings: [Pod, string][] = []
    round.results.newNodeClaims.forEach((planned, i) => {
      const launched = this.deploy(round.nodeClaims[i])
      if (launched) for (const p of planned.podList()) bindings.push([p, launched.name])
    })
    for (const { pod, node } of round.nominations) bindings.push([pod, node.name])
    if (bind) for (const [p, name] of bindings) if (pods.includes(p)) this.bind(p, name)
    return round
  }

  /** `ExpectNodeClaimDeployed` (or `…NoNode`): the fake `Create`, `PopulateNodeClaimDetails`, a linked Node. */
  deploy(nc: NodeClaim, withNode = true): ClusterNode | undefined {
    this.createCalls.push(nc)
    const reqs = Requirements.fromNodeSelector(nc.spec.requirements)
    const requests = parseResourceList(nc.spec.resources?.requests)
    const candidates = this.instanceTypes.filter(
      (it) =>
        reqs.isCompatible(it.requirements, ALLOW_UNDEFINED_WELL_KNOWN) &&
        offeringsMatching(
          it.offerings.filter((o) => o.available),
          reqs,
        ).length > 0 &&
        fits(requests, it.allocatable),
    )
    const it = orderByPrice(candidates, reqs)[0]
    if (!it) return undefined
    const resolved: Record<string, string> = {}
    for (const r of it.requirements.values()) if (r.operator() === 'In') resolved[r.key] = r.valueList()[0]
    const offering = it.offerings.find(
      (o) =>
        o.available &&
        reqs.isCompatible(
          new Requirements(Requirement.of(LABEL_ZONE, 'In', [o.zone]), Requirement.of(LABEL_CAPACITY_TYPE, 'In', [o.capacityType])),
          ALLOW_UNDEFINED_WELL_KNOWN,
        ),
    )
    if (offering) Object.assign(resolved, { [LABEL_ZONE]: offering.zone, [LABEL_CAPACITY_TYPE]: offering.capacityType })
    const name = nc.metadata.name ?? `nodeclaim-${this.#names.size}`
    this.#names.add(name)
    const nonZero = (list: typeof it.capacity) => toStringMap(Object.fromEntries(Object.entries(list).filter(([, q]) => !q.isZero())))
    const launched: NodeClaim = {
      ...nc,
      metadata: { ...nc.metadata, name, labels: { ...resolved, ...reqs.labels(this.rng), ...(nc.metadata.labels ?? {}) } },
      status: {
        ...nc.status,
        providerID: `fake:///${name}`,
        capacity: nonZero(it.capacity),
        allocatable: nonZero(it.allocatable),
        conditions: [{ type: 'Launched', status: 'True' }],
      },
    }
    const entry: ClusterNode = { name, nodeClaim: launched, pods: [] }
    if (withNode) {
      entry.node = admitted(linkedNode(launched))
      entry.node.metadata.labels = { ...entry.node.metadata.labels, [LABEL_REGISTERED]: 'true' }
    }
    this.nodes.push(entry)
    return entry
  }

  /** `ExpectApplied` of a Node (and NodeClaim) made by the test itself. */
  add(entry: Omit<ClusterNode, 'name' | 'pods'>): ClusterNode {
    const name = entry.node?.metadata.name ?? entry.nodeClaim?.metadata.name ?? ''
    this.#names.add(name)
    const out: ClusterNode = { name, pods: [], ...entry, node: entry.node && admitted(entry.node) }
    this.nodes.push(out)
    return out
  }

  /** `ExpectManualBinding`. */
  bind(pod: Pod, nodeName: string): void {
    if (!this.pods.includes(pod)) this.pods.push(pod)
    pod.spec.nodeName = nodeName
    this.get(nodeName).pods.push(pod)
  }

  /** `ExpectDeleted` of a pod. */
  deletePod(pod: Pod): void {
    this.pods.splice(this.pods.indexOf(pod), 1)
    for (const n of this.nodes) n.pods = n.pods.filter((p) => p !== pod)
  }

  /** `ExpectDeleted` of a Node and its NodeClaim (no finalizers: gone at once). */
  deleteNode(name: string): void {
    this.nodes.splice(
      this.nodes.findIndex((n) => n.name === name),
      1,
    )
  }

  /** The Node object of a cluster node (asserted to exist). */
  nodeOf(n: ClusterNode): Node {
    assert.ok(n.node, `${n.name} has a Node`)
    return n.node
  }

  get(name: string): ClusterNode {
    const n = this.nodes.find((x) => x.name === name)
    assert.ok(n, `node ${name} exists`)
    return n
  }

  /** Nodes registered with the API server (in-flight NodeClaims without a Node excluded). */
  nodeList(): ClusterNode[] {
    return this.nodes.filter((n) => n.node)
  }

  /** `ExpectScheduled`: the pod is bound; its node. */
  expectScheduled(pod: Pod): ClusterNode {
    assert.ok(pod.spec.nodeName, `expected ${pod.metadata.name} to be scheduled (${this.lastRound?.results.podErrors.get(pod) ?? 'no error'})`)
    return this.get(pod.spec.nodeName)
  }

  /** `ExpectNotScheduled` after a round that tried the pod: not bound, and the round has its scheduling error. */
  expectNotScheduled(pod: Pod): void {
    this.expectUnbound(pod)
    assert.ok(this.lastRound?.results.podErrors.has(pod), `expected a scheduling error for ${pod.metadata.name}`)
  }

  /** `ExpectNotScheduled` where nothing failed: the pod is only left unbound (no NodePool, or no binding). */
  expectUnbound(pod: Pod): void {
    assert.equal(pod.spec.nodeName, undefined, `expected ${pod.metadata.name} not to be scheduled`)
  }

  /** The labels of a pod's node (the Node's, else the NodeClaim's). */
  labelsOf(n: ClusterNode): Record<string, string> {
    return n.node?.metadata.labels ?? n.nodeClaim?.metadata.labels ?? {}
  }

  /** `ExpectSkew`: bound pods with these labels per topology domain (node name for hostname), sorted. */
  skew(topologyKey: string, labels: Record<string, string>): number[] {
    const counts = new Map<string, number>()
    for (const n of this.nodeList()) {
      const domain = topologyKey === 'kubernetes.io/hostname' ? n.name : this.labelsOf(n)[topologyKey]
      if (domain === undefined) continue
      const matching = n.pods.filter((p) => Object.entries(labels).every(([k, v]) => p.metadata.labels?.[k] === v)).length
      if (matching > 0) counts.set(domain, (counts.get(domain) ?? 0) + matching)
    }
    return [...counts.values()].sort((a, b) => a - b)
  }
}
