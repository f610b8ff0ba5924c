// The simulated cluster the v0.32.1 scheduling suites run against: what upstream's envtest API
// server, cluster state, fake cloud provider and pkg/test/expectations do for a case
// (kubernetes-sigs/karpenter@v0.32.1), over the twin's pure logic in sandbox/karpenter/.
//
// `Cluster.provision(...pods)` is `ExpectProvisioned`: one provisioning round of the twin over
// every pending pod stored so far (not only those passed); each NodeClaim it creates goes through
// `deploy` (`ExpectNodeClaimDeployed`: the fake provider's `Create`, `PopulateNodeClaimDetails`, and
// a linked Node that registers with the API server's not-ready taint); then the pods passed are
// bound where the round put them, on new and on existing nodes alike.
//
// Where upstream leaves things to chance, the choices here: the cheapest instance type's ties keep
// the catalogue order; a multi-valued `In` label takes the first value listed (Go takes map
// order); a Node is named apart from its NodeClaim (`node-N`, where upstream draws a random name)
// and the provider ID follows the NodeClaim's name; the Rng behind generated names and
// `Requirements.Labels()` is seeded 1.

import assert from 'node:assert/strict'
import { fits, parseResourceList, toStringMap, withoutZeros } from '../../../../sandbox/k8s/resources.ts'
import { TAINT_NODE_NOT_READY } from '../../../../sandbox/k8s/taints.ts'
import type { DaemonSet, LabelSelector, Node, Pod, Taint } from '../../../../sandbox/k8s/types.ts'
import type { NodeClaim, NodePool } from '../../../../sandbox/karpenter/api.ts'
import { offeringsMatching, type InstanceType } from '../../../../sandbox/karpenter/instance-types.ts'
import { LABEL_CAPACITY_TYPE, LABEL_HOSTNAME, LABEL_INITIALIZED, LABEL_REGISTERED, LABEL_ZONE } from '../../../../sandbox/karpenter/labels.ts'
import { nodeClaimRequirements } from '../../../../sandbox/karpenter/launch.ts'
import { provisioningRound, type ProvisioningRound } from '../../../../sandbox/karpenter/provisioning.ts'
import { ALLOW_UNDEFINED_WELL_KNOWN, Requirement, Requirements } from '../../../../sandbox/karpenter/requirements.ts'
import { seededRng, type Rng } from '../../../../sandbox/karpenter/rng.ts'
import { isTerminal, isTerminating } from '../../../../sandbox/karpenter/scheduling/pods.ts'
import { daemonSetPods } from '../../../../sandbox/karpenter/scheduling/scheduler.ts'
import { buildStateNode, type StateNode } from '../../../../sandbox/karpenter/state.ts'
import { labelSelectorMatcher } from '../../../../sandbox/k8s/label-selector.ts'
import { defaultInstanceTypes } from '../fake.ts'
import { node as testNode } from './objects.ts'

/** What the API server's TaintNodesByCondition admission adds to a Node it creates. */
const NOT_READY: Taint = { key: TAINT_NODE_NOT_READY, effect: 'NoSchedule' }

/**
 * The fake `CloudProvider.Create` (pkg/cloudprovider/fake/cloudprovider.go): of the instance types
 * compatible with the NodeClaim's requirements, with an available offering they allow and room for
 * its requests, the cheapest. Upstream's `sort.Slice` is an insertion sort on lists this short,
 * so ties keep the catalogue order, as the stable sort here does. The NodeClaim it returns carries
 * the type's `In` labels (the first value each), the zone and capacity type of the first available
 * offering the requirements allow, the NodeClaim's own labels on top, and the type's non-zero
 * capacity and allocatable. Upstream fails the case (an index out of range) when no type is left.
 */
export function fakeCreate(nodeClaim: NodeClaim, instanceTypes: readonly InstanceType[]): NodeClaim {
  const reqs = nodeClaimRequirements(nodeClaim)
  const requests = parseResourceList(nodeClaim.spec.resources?.requests)
  const allowed = (it: InstanceType) => offeringsMatching(it.offerings, reqs).filter((o) => o.available)
  const cheapest = (it: InstanceType) => Math.min(...allowed(it).map((o) => o.price))
  const [chosen] = instanceTypes
    .filter((it) => reqs.isCompatible(it.requirements, ALLOW_UNDEFINED_WELL_KNOWN) && allowed(it).length > 0 && fits(requests, it.allocatable))
    .sort((a, b) => cheapest(a) - cheapest(b))
  if (!chosen) throw new Error(`fake cloud provider: no instance type for NodeClaim ${nodeClaim.metadata.name}`)
  const labels: Record<string, string> = {}
  for (const req of chosen.requirements.values()) if (req.operator() === 'In') labels[req.key] = req.valueList()[0]
  const offering = chosen.offerings.find(
    (o) =>
      o.available &&
      reqs.isCompatible(
        new Requirements(Requirement.of(LABEL_ZONE, 'In', [o.zone]), Requirement.of(LABEL_CAPACITY_TYPE, 'In', [o.capacityType])),
        ALLOW_UNDEFINED_WELL_KNOWN,
      ),
  )
  if (offering) Object.assign(labels, { [LABEL_ZONE]: offering.zone, [LABEL_CAPACITY_TYPE]: offering.capacityType })
  return {
    ...nodeClaim,
    metadata: { name: nodeClaim.metadata.name, labels: { ...labels, ...nodeClaim.metadata.labels }, annotations: nodeClaim.metadata.annotations },
    status: {
      providerID: `fake:///${nodeClaim.metadata.name}`,
      capacity: toStringMap(withoutZeros(chosen.capacity)),
      allocatable: toStringMap(withoutZeros(chosen.allocatable)),
    },
  }
}

/**
 * nodeclaim/lifecycle/launch.go `PopulateNodeClaimDetails`: the launched NodeClaim's labels are the
 * provider's, under a label per requirement that resolves to a value (`Requirements.Labels()`), under
 * the NodeClaim's own; provider ID, capacity and allocatable come from the provider.
 */
export function populateNodeClaimDetails(nodeClaim: NodeClaim, retrieved: NodeClaim, rng: Rng): NodeClaim {
  return {
    ...nodeClaim,
    metadata: {
      ...nodeClaim.metadata,
      labels: { ...retrieved.metadata.labels, ...nodeClaimRequirements(nodeClaim).labels(rng), ...nodeClaim.metadata.labels },
      annotations: { ...nodeClaim.metadata.annotations, ...retrieved.metadata.annotations },
    },
    status: {
      ...nodeClaim.status,
      providerID: retrieved.status?.providerID,
      capacity: retrieved.status?.capacity,
      allocatable: retrieved.status?.allocatable,
    },
  }
}

/** A node of the cluster: a Node, its NodeClaim, or both (a NodeClaim without a Node is in flight). */
export interface ClusterNode {
  node?: Node
  nodeClaim?: NodeClaim
}

/** `ExpectApplied` of a Node: the API server's admission adds the not-ready taint on create. */
function admitted(n: Node): Node {
  const taints = n.spec?.taints ?? []
  if (!taints.some((t) => t.key === NOT_READY.key)) n.spec = { ...n.spec, taints: [...taints, NOT_READY] }
  return n
}

type SkewConstraint = { topologyKey: string; labelSelector?: LabelSelector | null }

export class Cluster {
  /** `ExpectApplied` NodePools (`applyNodePools` stores copies, as the API server does). */
  nodePools: NodePool[] = []
  /** What the fake provider's `GetInstanceTypes` returns for every NodePool. */
  instanceTypes: InstanceType[]
  daemonSets: DaemonSet[] = []
  readonly nodes: ClusterNode[] = []
  /** Every pod in the API server, bound or not. */
  readonly pods: Pod[] = []
  readonly namespaces: { name: string; labels?: Record<string, string> }[] = []
  /** The fake provider's `CreateCalls`: the NodeClaims passed to `Create`, in order. */
  readonly createCalls: NodeClaim[] = []
  readonly rng: Rng = seededRng(1)
  lastRound: ProvisioningRound | undefined
  readonly #names = new Set<string>()

  constructor(instanceTypes: InstanceType[] = defaultInstanceTypes(), ...nodePools: NodePool[]) {
    this.instanceTypes = instanceTypes
    this.applyNodePools(...nodePools)
  }

  /** `ExpectApplied` of NodePools: replaces those of the same name. */
  applyNodePools(...pools: NodePool[]): void {
    for (const np of pools) {
      const i = this.nodePools.findIndex((p) => p.metadata.name === np.metadata.name)
      if (i >= 0) this.nodePools[i] = structuredClone(np)
      else this.nodePools.push(structuredClone(np))
    }
  }

  /** `ExpectApplied` of pods (each stored once). */
  apply(...pods: Pod[]): void {
    for (const p of pods) if (!this.pods.includes(p)) this.pods.push(p)
  }

  /** `ExpectApplied` of a Node (and its NodeClaim) the case made itself. */
  applyNode(entry: ClusterNode): ClusterNode {
    const out: ClusterNode = { nodeClaim: entry.nodeClaim, node: entry.node && admitted(entry.node) }
    this.#names.add(nameOf(out))
    this.nodes.push(out)
    return out
  }

  /** `ExpectDeleted` of pods. */
  deletePods(...pods: Pod[]): void {
    for (const p of pods) if (this.pods.includes(p)) this.pods.splice(this.pods.indexOf(p), 1)
  }

  /** `ExpectDeleteAllUnscheduledPods`. */
  deleteAllUnscheduled(): void {
    this.deletePods(...this.pods.filter((p) => !p.spec.nodeName))
  }

  /** `ExpectDeleted` of a Node and its NodeClaim (no finalizers: gone at once). */
  deleteNode(node: Node): void {
    this.nodes.splice(this.nodes.indexOf(this.#entry(node)), 1)
  }

  #entry(node: Node): ClusterNode {
    const n = this.nodes.find((x) => x.node === node)
    assert.ok(n, `node ${node.metadata.name} exists`)
    return n
  }

  /** `ExpectNodes`: the Nodes in the API server. */
  nodeList(): Node[] {
    return this.nodes.flatMap((n) => (n.node ? [n.node] : []))
  }

  /** Cluster state's view of every node, with the pods bound to it. */
  stateNodes(): StateNode[] {
    return this.nodes.map((n) => buildStateNode({ ...n, pods: this.pods.filter((p) => p.spec.nodeName === nameOf(n)) }))
  }

  /** `ExpectProvisioned`: provision, then bind the pods passed where the round put them. */
  provision(...pods: Pod[]): ProvisioningRound {
    const { round, bindings } = this.#provision(pods)
    for (const [p, node] of bindings) if (pods.includes(p)) this.bind(p, node)
    return round
  }

  /** `ExpectProvisionedNoBinding`: a round over every pending pod, its NodeClaims deployed. */
  provisionNoBinding(...pods: Pod[]): ProvisioningRound {
    return this.#provision(pods).round
  }

  #provision(pods: Pod[]): { round: ProvisioningRound; bindings: [Pod, Node | undefined][] } {
    this.apply(...pods)
    const stateNodes = this.stateNodes()
    const round = provisioningRound({
      pendingPods: this.pods.filter((p) => !p.spec.nodeName),
      nodePools: this.nodePools,
      instanceTypes: Object.fromEntries(this.nodePools.map((np) => [np.metadata.name ?? '', this.instanceTypes])),
      stateNodes,
      daemonSetPods: daemonSetPods(this.daemonSets, this.pods),
      cluster: {
        pods: this.pods,
        nodes: this.nodeList().map((n) => ({ name: n.metadata.name ?? '', labels: n.metadata.labels ?? {} })),
        namespaces: this.namespaces,
      },
      rng: this.rng,
      takenNames: this.#names,
    })
    this.lastRound = round
    const bindings: [Pod, Node | undefined][] = []
    round.results.newNodeClaims.forEach((planned, i) => {
      const { node } = this.deploy(round.nodeClaims[i])
      for (const p of planned.podList()) bindings.push([p, node])
    })
    for (const { pod, node } of round.nominations) bindings.push([pod, node.node])
    return { round, bindings }
  }

  /**
   * `ExpectNodeClaimDeployed` (`withNode`) or `ExpectNodeClaimDeployedNoNode`: the fake `Create`,
   * `PopulateNodeClaimDetails`, Launched (and Registered); with a Node, `test.NodeClaimLinkedNode`
   * (the NodeClaim's labels, taints + startup taints, capacity, allocatable and provider ID; a name
   * of its own) labelled registered.
   */
  deploy(nc: NodeClaim, withNode = true): ClusterNode {
    this.createCalls.push(nc)
    const launched = populateNodeClaimDetails(nc, fakeCreate(nc, this.instanceTypes), this.rng)
    const conditions = withNode ? ['Launched', 'Registered'] : ['Launched']
    launched.status = { ...launched.status, conditions: conditions.map((type) => ({ type, status: 'True' })) }
    this.#names.add(launched.metadata.name ?? '')
    const entry: ClusterNode = { nodeClaim: launched }
    if (withNode) {
      const n = testNode({ labels: { ...launched.metadata.labels, [LABEL_REGISTERED]: 'true' }, allocatable: launched.status.allocatable })
      n.spec = { providerID: launched.status.providerID, taints: [...(nc.spec.taints ?? []), ...(nc.spec.startupTaints ?? [])] }
      n.status = { ...n.status, capacity: launched.status.capacity }
      entry.node = admitted(n)
    }
    this.nodes.push(entry)
    return entry
  }

  /** `ExpectMakeNodesInitialized` + `ExpectMakeNodeClaimsInitialized` of a node (given as its Node or its entry). */
  markInitialized(of: ClusterNode | Node): void {
    const entry = 'metadata' in of ? this.#entry(of) : of
    if (entry.node) entry.node.metadata.labels = { ...entry.node.metadata.labels, [LABEL_REGISTERED]: 'true', [LABEL_INITIALIZED]: 'true' }
    if (entry.nodeClaim)
      entry.nodeClaim.status = { ...entry.nodeClaim.status, conditions: ['Launched', 'Registered', 'Initialized'].map((type) => ({ type, status: 'True' })) }
  }

  /** `ExpectManualBinding` (upstream would fail on a binding to a NodeClaim that has no Node). */
  bind(pod: Pod, node: Node | undefined): void {
    assert.ok(node, `${pod.metadata.name} bound to a node that has no Node`)
    this.apply(pod)
    pod.spec.nodeName = node.metadata.name
  }

  /** `ExpectScheduled`: the pod is bound; its Node. */
  expectScheduled(pod: Pod): Node {
    const n = this.nodeList().find((x) => x.metadata.name === pod.spec.nodeName)
    assert.ok(pod.spec.nodeName && n, `expected ${pod.metadata.name} to be scheduled (${this.schedulingError(pod) ?? 'no scheduling error'})`)
    return n
  }

  /** `ExpectNotScheduled`: the pod is bound to no node. */
  expectNotScheduled(pod: Pod): void {
    assert.equal(pod.spec.nodeName, undefined, `expected ${pod.metadata.name} not to be scheduled`)
  }

  /** The error the last round gave the pod, if it failed to schedule. */
  schedulingError(pod: Pod): string | undefined {
    return this.lastRound?.results.podErrors.get(pod)
  }

  /**
   * `ExpectSkew`: the pods (of `namespace`, or all when empty) the constraint's selector matches and
   * topology counts, per domain of its key on their Node (the Node's name for hostname), sorted.
   */
  skew(namespace: string, constraint: SkewConstraint): number[] {
    const match = constraint.labelSelector ? labelSelectorMatcher(constraint.labelSelector) : { matches: () => true }
    const counts = new Map<string, number>()
    for (const p of this.pods) {
      if (namespace && (p.metadata.namespace ?? 'default') !== namespace) continue
      if (!match.matches(p.metadata.labels ?? {}) || !p.spec.nodeName || isTerminal(p) || isTerminating(p)) continue
      const n = this.nodeList().find((x) => x.metadata.name === p.spec.nodeName)
      const domain = constraint.topologyKey === LABEL_HOSTNAME ? n?.metadata.name : n?.metadata.labels?.[constraint.topologyKey]
      if (domain !== undefined) counts.set(domain, (counts.get(domain) ?? 0) + 1)
    }
    return [...counts.values()].sort((a, b) => a - b)
  }

  /** The topology suite's `ExpectMaxSkew`: the largest count minus the smallest. */
  maxSkew(namespace: string, constraint: SkewConstraint): number {
    const values = this.skew(namespace, constraint)
    if (values.length === 0) return Number.MIN_SAFE_INTEGER - Number.MAX_SAFE_INTEGER
    return values[values.length - 1] - values[0]
  }
}

function nameOf(n: ClusterNode): string {
  return n.node?.metadata.name ?? n.nodeClaim?.metadata.name ?? ''
}
