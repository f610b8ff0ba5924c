// The fixture of kubernetes-sigs/karpenter@v1.9.1 pkg/controllers/provisioning/scheduling/suite_test.go
// as the 1.x twin sees it: a small in-memory cluster (v1 NodePools, Nodes with their v1 NodeClaims,
// pods, DaemonSets) and one provisioning round at a time, the way the suite's `ExpectProvisioned`
// drives it (pkg/test/expectations/expectations.go): the pending pods plus the pods of deleting
// nodes are scheduled by the twin's scheduler over NodePools read through v1/adapter.ts; each new
// NodeClaim is built by v1/nodeclaim.ts and launched the way the fake cloud provider's `Create`
// does (pkg/cloudprovider/fake/cloudprovider.go: the cheapest compatible instance type, its
// single-valued labels and the first compatible offering's zone and capacity type), and its Node
// joins registered but not initialized (`ExpectNodeClaimDeployed`); the pods passed in are bound.

import assert from 'node:assert/strict'
import { parseResourceList, toStringMap, withoutZeros, fits, type ResourceList } from '../../../../sandbox/k8s/resources.ts'
import type { DaemonSet, NodeSelectorRequirement, Pod, PodAffinityTerm, Taint, TopologySpreadConstraint } from '../../../../sandbox/k8s/types.ts'
import type { Node } from '../../../../sandbox/k8s/types.ts'
import { labelSelectorMatcher } from '../../../../sandbox/k8s/label-selector.ts'
import type { InstanceType } from '../../../../sandbox/karpenter/instance-types.ts'
import { LABEL_CAPACITY_TYPE, LABEL_HOSTNAME, LABEL_INITIALIZED, LABEL_REGISTERED, LABEL_ZONE } from '../../../../sandbox/karpenter/labels.ts'
import { ALLOW_UNDEFINED_WELL_KNOWN, Requirements } from '../../../../sandbox/karpenter/requirements.ts'
import { seededRng } from '../../../../sandbox/karpenter/rng.ts'
import { daemonSetPods, schedule, type SchedulingResults } from '../../../../sandbox/karpenter/scheduling/scheduler.ts'
import { buildStateNode, type StateNode } from '../../../../sandbox/karpenter/state.ts'
import { internalNodeClaim, internalNodePool } from '../../../../sandbox/karpenter/v1/adapter.ts'
import type { NodeClaimV1, NodePoolV1 } from '../../../../sandbox/karpenter/v1/api.ts'
import { isProvisionable } from '../../../../sandbox/karpenter/scheduling/pods.ts'
import { toNodeClaimV1 } from '../../../../sandbox/karpenter/v1/nodeclaim.ts'
import { nodePoolV1, testNodeClassRef } from './objects.ts'
import { currentlyReschedulablePods, type PodDisruptionBudgetV1 } from '../../../../sandbox/karpenter/v1/reschedulable.ts'

type Req = NodeSelectorRequirement

// ---- NodePools ----

/** The suite's NodePool: `test.NodePool` plus the capacity-type requirement its BeforeEach sets. */
export function nodePool(
  o: { name?: string; requirements?: Req[]; labels?: Record<string, string>; taints?: Taint[]; startupTaints?: Taint[]; ready?: boolean } = {},
): NodePoolV1 {
  const name = o.name ?? 'default'
  return nodePoolV1({
    metadata: { name, uid: `uid-${name}` },
    spec: {
      template: {
        metadata: o.labels ? { labels: o.labels } : undefined,
        spec: {
          requirements: o.requirements ?? [{ key: LABEL_CAPACITY_TYPE, operator: 'In', values: ['spot', 'on-demand', 'reserved'] }],
          nodeClassRef: testNodeClassRef(),
          taints: o.taints,
          startupTaints: o.startupTaints,
        },
      },
    },
    status: (o.ready === false
      ? { conditions: [{ type: 'Ready', status: 'False', reason: 'NodePoolNotReady', message: 'Node Pool Not Ready' }] }
      : undefined) as NodePoolV1['status'],
  })
}

// ---- pods (pkg/test/pods.go) ----

export interface PodOptions {
  name?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  nodeSelector?: Record<string, string>
  nodeRequirements?: Req[]
  nodePreferences?: Req[]
  podRequirements?: PodAffinityTerm[]
  requests?: Record<string, string>
  limits?: Record<string, string>
  initRequests?: Record<string, string>
  overhead?: Record<string, string>
  tolerations?: Pod['spec']['tolerations']
  topologySpreadConstraints?: TopologySpreadConstraint[]
  ownerReferences?: NonNullable<Pod['metadata']['ownerReferences']>
  affinity?: NonNullable<Pod['spec']['affinity']>
}

let podSeq = 0

/** `test.UnschedulablePod`: a pending pod the kube-scheduler marked Unschedulable. */
export function unschedulablePod(o: PodOptions = {}): Pod {
  const name = o.name ?? `pod-${String(++podSeq).padStart(5, '0')}`
  const affinity: NonNullable<Pod['spec']['affinity']> = { ...(o.affinity ?? {}) }
  if (o.nodeRequirements || o.nodePreferences) {
    affinity.nodeAffinity = {}
    if (o.nodeRequirements)
      affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: [{ matchExpressions: o.nodeRequirements }] }
    if (o.nodePreferences)
      affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution = [{ weight: 1, preference: { matchExpressions: o.nodePreferences } }]
  }
  if (o.podRequirements) affinity.podAffinity = { requiredDuringSchedulingIgnoredDuringExecution: o.podRequirements }
  const resources = o.requests || o.limits ? { requests: o.requests, limits: o.limits } : undefined
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: o.labels, annotations: o.annotations, ownerReferences: o.ownerReferences },
    spec: {
      containers: [{ name: 'app', resources }],
      initContainers: o.initRequests ? [{ name: 'init', resources: { requests: o.initRequests } }] : undefined,
      nodeSelector: o.nodeSelector,
      affinity: Object.keys(affinity).length > 0 ? affinity : undefined,
      tolerations: o.tolerations,
      topologySpreadConstraints: o.topologySpreadConstraints,
      overhead: o.overhead,
    },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] },
  }
}

export function unschedulablePods(n: number, o: PodOptions = {}): Pod[] {
  return Array.from({ length: n }, () => unschedulablePod(o))
}

/** `test.DaemonSet`: its template pod requests and constraints. */
export function daemonSet(name: string, o: PodOptions = {}): DaemonSet {
  const p = unschedulablePod(o)
  return {
    metadata: { name, namespace: 'default', uid: `uid-ds-${name}` },
    spec: { selector: { matchLabels: { ds: name } }, template: { metadata: { labels: { ds: name } }, spec: p.spec } },
  }
}

export function ownedBy(kind: string, name: string): NonNullable<Pod['metadata']['ownerReferences']> {
  return [{ apiVersion: 'apps/v1', kind, name, uid: `uid-${kind}-${name}`, controller: true, blockOwnerDeletion: true }]
}

// ---- the cluster ----

export interface ClusterNode {
  /** None while the NodeClaim is in flight (launched, not registered). */
  node?: Node
  /** The NodeClaim a Karpenter node was launched from (none for a node Karpenter does not own). */
  nodeClaim?: NodeClaimV1
  markedForDeletion?: boolean
}

let nodeSeq = 0

export class Cluster {
  nodePools: NodePoolV1[] = [nodePool()]
  /** `cloudProvider.InstanceTypes`; `instanceTypesForNodePool` wins for the NodePools it names. */
  instanceTypes: InstanceType[]
  instanceTypesForNodePool: Record<string, InstanceType[]> = {}
  daemonSets: DaemonSet[] = []
  /** PodDisruptionBudgets (`test.PodDisruptionBudget`). */
  pdbs: PodDisruptionBudgetV1[] = []
  nodes: ClusterNode[] = []
  /** Every pod applied to the API server (bound or not). */
  pods: Pod[] = []
  /** The NodeClaims passed to the fake cloud provider's Create, in order. */
  createCalls: NodeClaimV1[] = []
  results: SchedulingResults | undefined
  readonly rng = seededRng(20261206)

  constructor(instanceTypes: InstanceType[]) {
    this.instanceTypes = instanceTypes
  }

  typesFor(pool: string): InstanceType[] {
    return this.instanceTypesForNodePool[pool] ?? this.instanceTypes
  }

  apply(...pods: Pod[]): void {
    for (const p of pods) if (!this.pods.includes(p)) this.pods.push(p)
  }

  delete(pod: Pod): void {
    this.pods = this.pods.filter((p) => p !== pod)
  }

  /** `ExpectEvicted` on a pod that stays (a deletion timestamp, the pod still exists). */
  evict(pod: Pod): void {
    pod.metadata.deletionTimestamp = '2026-12-06T00:00:00Z'
  }

  boundTo(n: ClusterNode): Pod[] {
    const name = n.node?.metadata.name
    return name ? this.pods.filter((p) => p.spec.nodeName === name) : []
  }

  bind(pod: Pod, n: ClusterNode): void {
    this.apply(pod)
    pod.spec.nodeName = n.node?.metadata.name
  }

  /** The Nodes (not the NodeClaims still in flight). */
  get nodeList(): Node[] {
    return this.nodes.flatMap((n) => (n.node ? [n.node] : []))
  }

  /** The cluster state's view of each node (statenode.go). */
  stateNodes(): StateNode[] {
    return this.nodes.map((n) =>
      buildStateNode({
        line: 'v1',
        node: n.node,
        nodeClaim: n.nodeClaim && internalNodeClaim(n.nodeClaim, undefined),
        pods: this.boundTo(n),
        markedForDeletion: n.markedForDeletion,
      }),
    )
  }

  /** `ExpectProvisioned`: schedule the pending pods, launch the new NodeClaims, bind the given pods. */
  provision(...pods: Pod[]): SchedulingResults {
    return this.#round(pods, true)
  }

  /** `ExpectProvisionedNoBinding`: the same round, no pod gets bound. */
  provisionNoBinding(...pods: Pod[]): SchedulingResults {
    return this.#round(pods, false)
  }

  #round(pods: Pod[], bind: boolean): SchedulingResults {
    this.apply(...pods)
    const pending = this.pods.filter((p) => !p.metadata.deletionTimestamp && isProvisionable(p))
    // provisioning.ts takes these with line 'v1' (v1/reschedulable.ts).
    const deleting = this.nodes.filter((n) => n.markedForDeletion).flatMap((n) => currentlyReschedulablePods(this.boundTo(n), this.pdbs))
    // provisioner.go: only Ready NodePools that are not being deleted take part.
    const pools = this.nodePools.filter((np) => !(np.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'False'))
    const instanceTypes = Object.fromEntries(pools.map((np) => [np.metadata.name ?? '', this.typesFor(np.metadata.name ?? '')]))
    const stateNodes = this.stateNodes().filter((n) => !n.markedForDeletion)
    const r = schedule({
      pods: [...pending, ...deleting],
      nodePools: pools.map((np) => internalNodePool(np, undefined)),
      instanceTypes,
      stateNodes,
      daemonSetPods: daemonSetPods(this.daemonSets, this.pods),
      cluster: {
        pods: this.pods.filter((p) => p.spec.nodeName),
        nodes: this.nodeList.map((n) => ({ name: n.metadata.name ?? '', labels: n.metadata.labels ?? {} })),
      },
      rng: this.rng,
      line: 'v1',
    })
    this.results = r
    const toBind = new Set(pods)
    for (const planned of r.newNodeClaims) {
      const pool = pools.find((np) => np.metadata.name === planned.nodePoolName)
      assert.ok(pool)
      const nc = toNodeClaimV1(planned, pool, { rng: this.rng })
      const n = this.launch(nc)
      if (!n) continue
      if (bind) for (const p of planned.podList()) if (toBind.has(p)) this.bind(p, n)
    }
    for (const e of r.existingNodes) {
      const n = this.nodes.find((x) => x.node?.metadata.name === e.name || x.nodeClaim?.metadata.name === e.name)
      assert.ok(n)
      if (bind) for (const p of e.podList()) if (toBind.has(p)) this.bind(p, n)
    }
    return r
  }

  /** The fake cloud provider's `Create` and `ExpectNodeClaimDeployed`: a registered, uninitialized Node. */
  launch(nc: NodeClaimV1, o: { withNode: boolean } = { withNode: true }): ClusterNode | undefined {
    this.createCalls.push(nc)
    const reqs = Requirements.fromNodeSelector(nc.spec.requirements)
    const requests = parseResourceList(nc.spec.resources?.requests)
    const pool = nc.metadata.labels?.['karpenter.sh/nodepool'] ?? ''
    const offeringsOf = (it: InstanceType) =>
      it.offerings.filter(
        (o) =>
          o.available &&
          (!reqs.has(LABEL_ZONE) || reqs.get(LABEL_ZONE).has(o.zone)) &&
          (!reqs.has(LABEL_CAPACITY_TYPE) || reqs.get(LABEL_CAPACITY_TYPE).has(o.capacityType)),
      )
    const candidates = this.typesFor(pool)
      .filter((it) => reqs.isCompatible(it.requirements, ALLOW_UNDEFINED_WELL_KNOWN) && offeringsOf(it).length > 0 && fits(requests, it.allocatable))
      .sort((a, b) => Math.min(...offeringsOf(a).map((o) => o.price)) - Math.min(...offeringsOf(b).map((o) => o.price)))
    const it = candidates[0]
    if (!it) return undefined
    const labels: Record<string, string> = {}
    for (const r of it.requirements.values()) if (r.operator() === 'In') labels[r.key] = r.valueList()[0]
    const offering = offeringsOf(it)[0]
    labels[LABEL_ZONE] = offering.zone
    labels[LABEL_CAPACITY_TYPE] = offering.capacityType
    Object.assign(labels, nc.metadata.labels)
    const name = `node-${String(++nodeSeq).padStart(5, '0')}`
    const capacity = toStringMap(withoutZeros(it.capacity))
    const allocatable = toStringMap(withoutZeros(it.allocatable))
    const launched: NodeClaimV1 = {
      ...nc,
      metadata: { ...nc.metadata, name: nc.metadata.name ?? `nodeclaim-${name}`, labels },
      status: { providerID: `fake:///${name}`, nodeName: o.withNode ? name : undefined, capacity, allocatable },
    }
    if (!o.withNode) {
      const inFlight: ClusterNode = { nodeClaim: launched }
      this.nodes.push(inFlight)
      return inFlight
    }
    const node: Node = {
      metadata: { name, labels: { ...labels, [LABEL_HOSTNAME]: name, [LABEL_REGISTERED]: 'true' }, annotations: nc.metadata.annotations },
      spec: { providerID: `fake:///${name}`, taints: [...(nc.spec.taints ?? []), ...(nc.spec.startupTaints ?? [])] },
      status: { capacity, allocatable, conditions: [{ type: 'Ready', status: 'True' }] },
    }
    const cn: ClusterNode = { node, nodeClaim: launched }
    this.nodes.push(cn)
    return cn
  }

  /** `test.Node` (+ `ExpectMakeNodesInitialized`): a Node Karpenter does not own. */
  addNode(o: { labels?: Record<string, string>; allocatable: Record<string, string>; taints?: Taint[] }): ClusterNode {
    const name = `node-${String(++nodeSeq).padStart(5, '0')}`
    const node: Node = {
      metadata: { name, labels: { [LABEL_HOSTNAME]: name, ...(o.labels ?? {}) } },
      spec: { providerID: `fake:///${name}`, taints: o.taints },
      status: { capacity: o.allocatable, allocatable: o.allocatable, conditions: [{ type: 'Ready', status: 'True' }] },
    }
    const cn: ClusterNode = { node }
    this.nodes.push(cn)
    return cn
  }

  /** `test.NodeClaimAndNode` (+ `ExpectMakeNodeClaimsInitialized`/`ExpectMakeNodesInitialized` when `initialized`). */
  addNodeClaimAndNode(o: { labels?: Record<string, string>; allocatable: Record<string, string>; initialized?: boolean; registered?: boolean }): ClusterNode {
    const name = `node-${String(++nodeSeq).padStart(5, '0')}`
    const labels = { ...(o.labels ?? {}) }
    const nodeLabels: Record<string, string> = { ...labels, [LABEL_HOSTNAME]: name }
    if (o.registered !== false) nodeLabels[LABEL_REGISTERED] = 'true'
    if (o.initialized) nodeLabels[LABEL_INITIALIZED] = 'true'
    const nodeClaim: NodeClaimV1 = {
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodeClaim',
      metadata: { name: `nodeclaim-${name}`, labels },
      spec: { requirements: [], nodeClassRef: testNodeClassRef() },
      status: { providerID: `fake:///${name}`, nodeName: name, capacity: o.allocatable, allocatable: o.allocatable },
    }
    const node: Node = {
      metadata: { name, labels: nodeLabels },
      spec: { providerID: `fake:///${name}` },
      status: { capacity: o.allocatable, allocatable: o.allocatable, conditions: [{ type: 'Ready', status: 'True' }] },
    }
    const cn: ClusterNode = { node, nodeClaim }
    this.nodes.push(cn)
    return cn
  }

  /** `ExpectMakeNodesInitialized` + `ExpectMakeNodeClaimsInitialized`. */
  initialize(n: ClusterNode): void {
    assert.ok(n.node)
    n.node.metadata.labels = { ...(n.node.metadata.labels ?? {}), [LABEL_INITIALIZED]: 'true' }
  }

  nodeOf(pod: Pod): ClusterNode | undefined {
    return pod.spec.nodeName ? this.nodes.find((n) => n.node?.metadata.name === pod.spec.nodeName) : undefined
  }

  /** `ExpectScheduled`: the pod is bound; its Node. */
  scheduled(pod: Pod): Node {
    const n = this.nodeOf(pod)?.node
    assert.ok(n, `pod ${pod.metadata.name} is not scheduled (${this.results?.podErrors.get(pod) ?? 'no error recorded'})`)
    return n
  }

  /** `ExpectNotScheduled`. */
  notScheduled(pod: Pod): void {
    assert.equal(pod.spec.nodeName, undefined, `pod ${pod.metadata.name} was scheduled to ${pod.spec.nodeName}`)
  }

  /** `ExpectSkew`: matching bound pods per domain of the constraint's key. */
  skew(tsc: TopologySpreadConstraint): number[] {
    const m = labelSelectorMatcher(tsc.labelSelector)
    const counts = new Map<string, number>()
    for (const p of this.pods) {
      const n = this.nodeOf(p)
      if (!n || !m.matches(p.metadata.labels ?? {})) continue
      const d = n.node?.metadata.labels?.[tsc.topologyKey]
      if (d !== undefined) counts.set(d, (counts.get(d) ?? 0) + 1)
    }
    return [...counts.values()].sort((a, b) => a - b)
  }
}

/** `test.NodeClaim` owned by a NodePool: no requirements, what the fake Create makes of it. */
export function bareNodeClaim(pool: string, name: string): NodeClaimV1 {
  return {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodeClaim',
    metadata: { name, labels: { 'karpenter.sh/nodepool': pool } },
    spec: { requirements: [], nodeClassRef: testNodeClassRef() },
  }
}

/** The labels of the pod's Node. */
export function labelsOf(node: Node): Record<string, string> {
  return node.metadata.labels ?? {}
}

export function cpuOf(list: ResourceList): number {
  return list.cpu ? Number(list.cpu.milliValue()) / 1000 : 0
}
