// The test environment the v0.32.1 scheduling suites (nodepool_topology_test.go,
// nodepool_instance_selection_test.go) run in, rebuilt around the twin: what
// kubernetes-sigs/karpenter@v0.32.1 pkg/test (PodOptions, NodePool builder) and
// pkg/test/expectations (ExpectProvisioned, ExpectSkew, ExpectScheduled) do against envtest.
//
// `ProvisioningEnv.provision(...pods)` is `ExpectProvisioned`: every provisionable pod stored so far
// (not only the ones passed) goes through one provisioning round of the twin; each planned NodeClaim
// is "launched" by the fake cloud provider (cloudprovider/fake Create: the cheapest compatible
// instance type, labels from its single values and its first matching offering) and joins as a
// registered, uninitialised Node; the pods passed in are bound where the round put them. The
// instance types themselves come from ../fake.ts.

import { fits, parseResourceList, toStringMap } from '../../../../sandbox/k8s/resources.ts'
import type { LabelSelector, NodeSelectorRequirement, Pod, Taint, Toleration, TopologySpreadConstraint } from '../../../../sandbox/k8s/types.ts'
import type { Node } from '../../../../sandbox/k8s/types.ts'
import type { NodeClaim, NodePool } from '../../../../sandbox/karpenter/api.ts'
import { offeringsMatching, type InstanceType } from '../../../../sandbox/karpenter/instance-types.ts'
import { LABEL_CAPACITY_TYPE, LABEL_HOSTNAME, LABEL_REGISTERED, LABEL_ZONE, WELL_KNOWN_LABELS } from '../../../../sandbox/karpenter/labels.ts'
import { provisioningRound } from '../../../../sandbox/karpenter/provisioning.ts'
import { Requirement, Requirements } from '../../../../sandbox/karpenter/requirements.ts'
import { seededRng, type Rng } from '../../../../sandbox/karpenter/rng.ts'
import { isTerminal, isTerminating } from '../../../../sandbox/karpenter/scheduling/pods.ts'
import type { SchedulingResults } from '../../../../sandbox/karpenter/scheduling/scheduler.ts'
import { buildStateNode } from '../../../../sandbox/karpenter/state.ts'
import { labelSelectorMatcher } from '../../../../sandbox/k8s/label-selector.ts'
import '../fake.ts'

/** Well-known labels, the fake provider's `size`, `special` and `integer` included (fake.ts registers them). */
const WELL_KNOWN: { allowUndefined: ReadonlySet<string> } = { allowUndefined: WELL_KNOWN_LABELS }

/** What the API server's TaintNodesByCondition admission adds to every Node it creates. */
const NOT_READY: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }

// ---- objects (pkg/test) ----

export interface PodOptions {
  name?: string
  namespace?: string
  labels?: Record<string, string>
  requests?: Record<string, string>
  nodeSelector?: Record<string, string>
  /** A required node affinity with one term. */
  nodeRequirements?: NodeSelectorRequirement[]
  /** A preferred node affinity term of weight 1. */
  nodePreferences?: NodeSelectorRequirement[]
  podRequirements?: PodAffinityTerm[]
  podPreferences?: { weight: number; podAffinityTerm: PodAffinityTerm }[]
  podAntiRequirements?: PodAffinityTerm[]
  podAntiPreferences?: { weight: number; podAffinityTerm: PodAffinityTerm }[]
  tsc?: TopologySpreadConstraint[]
  tolerations?: Toleration[]
  nodeName?: string
  phase?: 'Failed' | 'Succeeded'
  deleting?: boolean
}

export interface PodAffinityTerm {
  labelSelector?: LabelSelector
  namespaces?: string[]
  namespaceSelector?: LabelSelector
  topologyKey: string
}

let podSeq = 0

/** `test.Pod`: namespace `default`, one container with the requests given. */
export function pod(o: PodOptions = {}, unschedulable = false): Pod {
  const n = ++podSeq
  const affinity: NonNullable<Pod['spec']['affinity']> = {}
  if (o.nodeRequirements || o.nodePreferences) {
    affinity.nodeAffinity = {}
    if (o.nodeRequirements)
      affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: [{ matchExpressions: o.nodeRequirements }] }
    if (o.nodePreferences)
      affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution = [{ weight: 1, preference: { matchExpressions: o.nodePreferences } }]
  }
  if (o.podRequirements?.length || o.podPreferences?.length)
    affinity.podAffinity = {
      requiredDuringSchedulingIgnoredDuringExecution: o.podRequirements,
      preferredDuringSchedulingIgnoredDuringExecution: o.podPreferences,
    }
  if (o.podAntiRequirements?.length || o.podAntiPreferences?.length)
    affinity.podAntiAffinity = {
      requiredDuringSchedulingIgnoredDuringExecution: o.podAntiRequirements,
      preferredDuringSchedulingIgnoredDuringExecution: o.podAntiPreferences,
    }
  return {
    metadata: {
      name: o.name ?? `pod-${String(n).padStart(5, '0')}`,
      namespace: o.namespace ?? 'default',
      uid: `uid-${String(n).padStart(5, '0')}`,
      labels: { 'testing/cluster': 'unspecified', ...o.labels },
      creationTimestamp: '2023-11-01T00:00:00Z',
      deletionTimestamp: o.deleting ? '2023-11-01T00:00:10Z' : undefined,
    },
    spec: {
      nodeName: o.nodeName,
      nodeSelector: o.nodeSelector,
      affinity: Object.keys(affinity).length > 0 ? affinity : undefined,
      topologySpreadConstraints: o.tsc,
      tolerations: o.tolerations,
      containers: [{ name: 'c', image: 'pause', resources: o.requests ? { requests: o.requests } : {} }],
    },
    status: {
      phase: o.phase,
      conditions: unschedulable ? [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] : undefined,
    },
  }
}

/** `test.UnschedulablePod`: marked Unschedulable by kube-scheduler, so the provisioner picks it up. */
export function unschedulablePod(o: PodOptions = {}): Pod {
  return pod(o, true)
}

export function unschedulablePods(o: PodOptions, count: number): Pod[] {
  return Array.from({ length: count }, () => unschedulablePod(o))
}

export interface NodePoolOptions {
  name?: string
  requirements?: NodeSelectorRequirement[]
  labels?: Record<string, string>
  taints?: Taint[]
  startupTaints?: Taint[]
  limits?: Record<string, string>
  weight?: number
}

let poolSeq = 0

/** `test.NodePool`. */
export function nodePool(o: NodePoolOptions = {}): NodePool {
  const name = o.name ?? `nodepool-${++poolSeq}`
  return {
    apiVersion: 'karpenter.sh/v1beta1',
    kind: 'NodePool',
    metadata: { name, uid: `uid-${name}` },
    spec: {
      weight: o.weight,
      limits: o.limits ?? { cpu: '2000' },
      template: {
        metadata: { labels: { 'testing/cluster': 'unspecified', ...o.labels } },
        spec: {
          requirements: o.requirements ?? [],
          taints: o.taints,
          startupTaints: o.startupTaints,
          nodeClassRef: { name: 'default' },
        },
      },
    },
  }
}

/** A tiny spread constraint constructor: `DoNotSchedule` unless told. */
export function spread(
  topologyKey: string,
  maxSkew: number,
  matchLabels?: Record<string, string>,
  extra: Partial<TopologySpreadConstraint> = {},
): TopologySpreadConstraint {
  return {
    topologyKey,
    maxSkew,
    whenUnsatisfiable: 'DoNotSchedule',
    labelSelector: matchLabels ? { matchLabels } : undefined,
    ...extra,
  }
}

// ---- the environment (expectations) ----

interface Launched {
  node: Node
  nodeClaim: NodeClaim
  instanceType: InstanceType
}

export class ProvisioningEnv {
  nodePools: NodePool[] = []
  instanceTypes: InstanceType[]
  readonly nodes: Launched[] = []
  /** Nodes created directly by a test (test.Node), not by the provider. */
  readonly plainNodes: Node[] = []
  readonly pods: Pod[] = []
  readonly namespaces: { name: string; labels?: Record<string, string> }[] = []
  /** `cloudProvider.CreateCalls`: the NodeClaims launched, in order. */
  readonly createCalls: NodeClaim[] = []
  readonly rng: Rng
  #nodeSeq = 0

  constructor(instanceTypes: InstanceType[], seed: number | string = 1) {
    this.instanceTypes = instanceTypes
    this.rng = seededRng(seed)
  }

  /** `ExpectApplied` of NodePools: replaces those of the same name. */
  applyNodePools(...pools: NodePool[]): void {
    for (const np of pools) {
      const i = this.nodePools.findIndex((p) => p.metadata.name === np.metadata.name)
      if (i >= 0) this.nodePools[i] = structuredClone(np)
      else this.nodePools.push(structuredClone(np))
    }
  }

  /** `test.Node` applied and reconciled into cluster state. */
  addNode(labels: Record<string, string>, name = `node-${++this.#nodeSeq}`): Node {
    const n: Node = {
      metadata: { name, labels: { 'testing/cluster': 'unspecified', ...labels } },
      spec: { taints: [NOT_READY] },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    }
    this.plainNodes.push(n)
    return n
  }

  allNodes(): Node[] {
    return [...this.nodes.map((l) => l.node), ...this.plainNodes]
  }

  /** `ExpectApplied` of pods (stored once). */
  apply(...pods: Pod[]): void {
    for (const p of pods) if (!this.pods.includes(p)) this.pods.push(p)
  }

  /** `ExpectDeleted`. */
  delete(...pods: Pod[]): void {
    for (const p of pods) {
      const i = this.pods.indexOf(p)
      if (i >= 0) this.pods.splice(i, 1)
    }
  }

  /** `ExpectDeleteAllUnscheduledPods`. */
  deleteAllUnscheduled(): void {
    this.delete(...this.pods.filter((p) => !p.spec.nodeName))
  }

  /** `ExpectProvisioned`: one round over every pending pod; binds only the pods passed in. */
  provision(...pods: Pod[]): SchedulingResults {
    this.apply(...pods)
    const passed = new Set(pods)
    const stateNodes = [
      ...this.nodes.map((l) => buildStateNode({ node: l.node, nodeClaim: l.nodeClaim, pods: this.podsOn(l.node) })),
      ...this.plainNodes.map((n) => buildStateNode({ node: n, pods: this.podsOn(n) })),
    ]
    const instanceTypes: Record<string, InstanceType[]> = {}
    for (const np of this.nodePools) instanceTypes[np.metadata.name ?? ''] = this.instanceTypes
    const round = provisioningRound({
      pendingPods: this.pods.filter((p) => !p.spec.nodeName),
      nodePools: this.nodePools,
      instanceTypes,
      stateNodes,
      cluster: {
        pods: this.pods,
        nodes: this.allNodes().map((n) => ({ name: n.metadata.name ?? '', labels: n.metadata.labels ?? {} })),
        namespaces: this.namespaces,
      },
      rng: this.rng,
    })
    round.results.newNodeClaims.forEach((planned, i) => {
      const launched = this.launch(round.nodeClaims[i])
      if (!launched) return
      for (const p of planned.podList()) if (passed.has(p)) p.spec.nodeName = launched.node.metadata.name
    })
    for (const { pod: p, node } of round.nominations) if (passed.has(p)) p.spec.nodeName = node.name
    return round.results
  }

  /** fake.CloudProvider.Create + ExpectNodeClaimDeployed: the Node that joins for a NodeClaim. */
  private launch(nc: NodeClaim): Launched | undefined {
    this.createCalls.push(nc)
    const reqs = Requirements.fromNodeSelector(nc.spec.requirements)
    const requests = parseResourceList(nc.spec.resources?.requests)
    const price = (it: InstanceType): number =>
      Math.min(
        ...offeringsMatching(
          it.offerings.filter((o) => o.available),
          reqs,
        ).map((o) => o.price),
      )
    const candidates = this.instanceTypes
      .filter(
        (it) =>
          reqs.isCompatible(it.requirements, WELL_KNOWN) &&
          offeringsMatching(
            it.offerings.filter((o) => o.available),
            reqs,
          ).length > 0 &&
          fits(requests, it.allocatable),
      )
      .sort((a, b) => price(a) - price(b))
    const it = candidates[0]
    if (!it) return undefined
    const labels: Record<string, string> = {}
    for (const r of it.requirements.values()) if (r.operator() === 'In') labels[r.key] = [...r.values].sort()[0]
    for (const o of it.offerings) {
      if (!o.available) continue
      const offer = new Requirements(Requirement.of(LABEL_ZONE, 'In', [o.zone]), Requirement.of(LABEL_CAPACITY_TYPE, 'In', [o.capacityType]))
      if (reqs.isCompatible(offer, WELL_KNOWN)) {
        labels[LABEL_ZONE] = o.zone
        labels[LABEL_CAPACITY_TYPE] = o.capacityType
        break
      }
    }
    // PopulateNodeClaimDetails: provider labels < single-value requirement labels < the NodeClaim's own.
    const all = { ...labels, ...reqs.labels(this.rng), ...(nc.metadata.labels ?? {}), [LABEL_REGISTERED]: 'true' }
    const name = `node-${++this.#nodeSeq}`
    const capacity = toStringMap(it.capacity)
    const allocatable = toStringMap(it.allocatable)
    const nodeClaim: NodeClaim = {
      ...nc,
      metadata: { ...nc.metadata, labels: all },
      status: { nodeName: name, providerID: `fake:///${name}`, capacity, allocatable },
    }
    const node: Node = {
      metadata: { name, labels: all },
      spec: { providerID: `fake:///${name}`, taints: [...(nc.spec.taints ?? []), ...(nc.spec.startupTaints ?? []), NOT_READY] },
      status: { capacity, allocatable, conditions: [{ type: 'Ready', status: 'True' }] },
    }
    const launched = { node, nodeClaim, instanceType: it }
    this.nodes.push(launched)
    return launched
  }

  private podsOn(n: Node): Pod[] {
    return this.pods.filter((p) => p.spec.nodeName === n.metadata.name)
  }

  /** `ExpectScheduled`: the node the pod is bound to (fails when it is not bound). */
  scheduled(p: Pod): Node {
    const n = this.allNodes().find((x) => x.metadata.name === p.spec.nodeName)
    if (!p.spec.nodeName || !n) throw new Error(`expected pod ${p.metadata.name} to be scheduled`)
    return n
  }

  /**
   * `ExpectSkew`: pods (in `namespace`, or all when empty) matching the constraint's selector that
   * count for topology, per domain of the key on their node (hostname = node name), as a sorted list.
   */
  skew(namespace: string, constraint: { topologyKey: string; labelSelector?: LabelSelector | null }): number[] {
    const counts = this.skewMap(namespace, constraint)
    return [...counts.values()].sort((a, b) => a - b)
  }

  private skewMap(namespace: string, constraint: { topologyKey: string; labelSelector?: LabelSelector | null }): Map<string, number> {
    const match = constraint.labelSelector ? labelSelectorMatcher(constraint.labelSelector) : { matches: () => true }
    const counts = new Map<string, number>()
    for (const p of this.pods) {
      if (namespace && (p.metadata.namespace ?? 'default') !== namespace) continue
      if (!match.matches(p.metadata.labels ?? {})) continue
      if (!p.spec.nodeName || isTerminal(p) || isTerminating(p)) continue
      const n = this.allNodes().find((x) => x.metadata.name === p.spec.nodeName)
      if (!n) continue
      const domain = constraint.topologyKey === LABEL_HOSTNAME ? n.metadata.name : n.metadata.labels?.[constraint.topologyKey]
      if (domain === undefined) continue
      counts.set(domain, (counts.get(domain) ?? 0) + 1)
    }
    return counts
  }

  /** The suite's `ExpectMaxSkew` (hostname, zone and capacity type only, as upstream). */
  maxSkew(namespace: string, constraint: { topologyKey: string; labelSelector?: LabelSelector | null }): number {
    const values = this.skew(namespace, constraint)
    if (values.length === 0) return Number.MIN_SAFE_INTEGER - Number.MAX_SAFE_INTEGER
    return values[values.length - 1] - values[0]
  }

  /** The node's labels by node name (pods' `spec.nodeName`). */
  nodeLabels(p: Pod): Record<string, string> {
    return this.scheduled(p).metadata.labels ?? {}
  }
}
