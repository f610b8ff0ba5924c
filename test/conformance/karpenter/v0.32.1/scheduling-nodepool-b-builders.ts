// Builders for scheduling-nodepool-b.test.ts: the slice of Karpenter's envtest world that the
// second half of core@v0.32.1 pkg/controllers/provisioning/scheduling/nodepool_test.go uses,
// over the twin's pure logic.
//
// - Pods as pkg/test/pods.go `UnschedulablePod` builds them (one container, the PodScheduled
//   Unschedulable condition the provisioner looks for).
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
  requests?: RawResourceList
  limits?: RawResourceList
  initRequests?: RawResourceList
  /** What the API server's RuntimeClass admission writes into spec.overhead. */
  overhead?: RawResourceList
  topologySpreadConstraints?: TopologySpreadConstraint[]
  /** Owned by this DaemonSet. */
  daemonSet?: DaemonSet
}

let podSeq = 0

export function unschedulablePod(o: PodOptions = {}): Pod {
  const n = ++podSeq
  const pod: Pod = {
    metadata: { name: `pod-${n}`, namespace: 'default', uid: `pod-uid-${n}`, labels: o.labels },
    spec: {
      nodeSelector: o.nodeSelector,
      containers: [{ name: 'app', resources: { requests: o.requests, limits: o.limits } }],
      topologySpreadConstraints: o.topologySpreadConstraints,
    },
    status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] },
  }
  if (o.initRequests) pod.spec.initContainers = [{ name: 'init', resources: { requests: o.initRequests } }]
  if (o.overhead) pod.spec.overhead = o.overhead
  const nodeAffinity = {
    requiredDuringSchedulingIgnoredDuringExecution: o.nodeRequirements && { nodeSelectorTerms: [{ matchExpressions: o.nodeRequirements }] },
    preferredDuringSchedulingIgnoredDuringExecution: o.nodePreferences && [{ weight: 1, preference: { matchExpressions: o.nodePreferences } }],
  }
  if (o.nodeRequirements || o.nodePreferences || o.podRequirements) {
    pod.spec.affinity = {
      nodeAffinity: o.nodeRequirements || o.nodePreferences ? nodeAffinity : undefined,
      podAffinity: o.podRequirements && { requiredDuringSchedulingIgnoredDuringExecution: o.podRequirements },
    }
  }
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
  const n = ++podSeq
  const template = unschedulablePod(o)
  return { metadata: { name: `daemonset-${n}`, namespace: 'default', uid: `ds-uid-${n}` }, spec: { template: { spec: template.spec } } }
}

// ---- NodePools, NodeClaims, Nodes ----

/** The suite's NodePool: `karpenter.sh/capacity-type In [spot on-demand]` unless given others. */
export function nodePool(requirements?: NodeSelectorRequirement[], extra: Partial<NodePool['spec']['template']['spec']> = {}): NodePool {
  return {
    metadata: { name: 'default', uid: 'nodepool-uid' },
    spec: {
      template: {
        spec: {
          requirements: requirements ?? [{ key: LABEL_CAPACITY_TYPE, operator: 'In', values: ['spot', 'on-demand'] }],
          nodeClassRef: { name: 'default' },
          ...extra,
        },
      },
    },
  }
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

  /** `ExpectNotScheduled`. */
  expectNotScheduled(pod: Pod): void {
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

// ---- TEMP instance types (replaced by fake.ts) ----
import { Quantity } from '../../../../sandbox/k8s/quantity.ts'
import { subtract } from '../../../../sandbox/k8s/resources.ts'
import { LABEL_ARCH, LABEL_INSTANCE_TYPE, LABEL_OS, WELL_KNOWN_LABELS } from '../../../../sandbox/karpenter/labels.ts'
import type { Offering } from '../../../../sandbox/karpenter/instance-types.ts'

export const LABEL_SIZE = 'size'
export const LABEL_EXOTIC = 'special'
export const GPU_A = 'fake.com/vendor-a'
export const GPU_B = 'fake.com/vendor-b'
for (const k of [LABEL_SIZE, LABEL_EXOTIC, 'integer']) (WELL_KNOWN_LABELS as Set<string>).add(k)

function price(r: Record<string, Quantity>): number {
  let p = 0
  for (const [k, v] of Object.entries(r)) {
    if (k === 'cpu') p += 0.1 * v.toNumber()
    else if (k === 'memory') p += (0.1 * v.toNumber()) / 1e9
    else if (k === GPU_A || k === GPU_B) p += 1
  }
  return p
}

export function fakeInstanceType(o: { name: string; resources?: RawResourceList; offerings?: Offering[]; arch?: string; oses?: string[] }): InstanceType {
  const capacity = parseResourceList({ cpu: '4', memory: '4Gi', pods: '5', ...(o.resources ?? {}) })
  const pr = price(capacity)
  const offerings = o.offerings ?? [
    { capacityType: 'spot', zone: 'test-zone-1', price: pr, available: true },
    { capacityType: 'spot', zone: 'test-zone-2', price: pr, available: true },
    { capacityType: 'on-demand', zone: 'test-zone-1', price: pr, available: true },
    { capacityType: 'on-demand', zone: 'test-zone-2', price: pr, available: true },
    { capacityType: 'on-demand', zone: 'test-zone-3', price: pr, available: true },
  ]
  const large = capacity.cpu.cmp(Quantity.parse('4')) > 0 && capacity.memory.cmp(Quantity.parse('8Gi')) > 0
  const reqs = new Requirements(
    Requirement.of(LABEL_INSTANCE_TYPE, 'In', [o.name]),
    Requirement.of(LABEL_ARCH, 'In', [o.arch ?? 'amd64']),
    Requirement.of(LABEL_OS, 'In', o.oses ?? ['linux', 'windows', 'darwin']),
    Requirement.of(
      LABEL_ZONE,
      'In',
      offerings.filter((x) => x.available).map((x) => x.zone),
    ),
    Requirement.of(
      LABEL_CAPACITY_TYPE,
      'In',
      offerings.filter((x) => x.available).map((x) => x.capacityType),
    ),
    Requirement.of(LABEL_SIZE, 'In', [large ? 'large' : 'small']),
    large ? Requirement.of(LABEL_EXOTIC, 'In', ['optional']) : Requirement.of(LABEL_EXOTIC, 'DoesNotExist'),
    Requirement.of('integer', 'In', [String(Number(capacity.cpu.value()))]),
  )
  const kubeReserved = parseResourceList({ cpu: '100m', memory: '10Mi' })
  return {
    name: o.name,
    requirements: reqs,
    offerings,
    capacity,
    overhead: { kubeReserved, systemReserved: {}, evictionThreshold: {} },
    allocatable: subtract(capacity, kubeReserved),
  }
}

export function defaultInstanceTypes(): InstanceType[] {
  return [
    fakeInstanceType({ name: 'default-instance-type' }),
    fakeInstanceType({ name: 'small-instance-type', resources: { cpu: '2', memory: '2Gi' } }),
    fakeInstanceType({ name: 'gpu-vendor-instance-type', resources: { [GPU_A]: '2' } }),
    fakeInstanceType({ name: 'gpu-vendor-b-instance-type', resources: { [GPU_B]: '2' } }),
    fakeInstanceType({ name: 'arm-instance-type', arch: 'arm64', oses: ['ios', 'linux', 'windows', 'darwin'], resources: { cpu: '16', memory: '128Gi' } }),
    fakeInstanceType({ name: 'single-pod-instance-type', resources: { pods: '1' } }),
  ]
}

export function instanceTypes(n: number): InstanceType[] {
  return Array.from({ length: n }, (_, i) =>
    fakeInstanceType({ name: `fake-it-${i}`, resources: { cpu: `${i + 1}`, memory: `${(i + 1) * 2}Gi`, pods: `${(i + 1) * 10}` } }),
  )
}
