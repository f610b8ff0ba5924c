// The test fixture of kubernetes-sigs/karpenter v1.9.1's scheduling suites, for the 1.x twin:
// a fake API server + cluster state that keeps NodePools, Nodes and Pods, and a provisioning round
// that does what the upstream `ExpectProvisioned` does (pkg/test/expectations/expectations.go):
// schedule the pending provisionable pods (`Provisioner.Schedule` → the twin's `schedule`, over
// NodePools converted by sandbox/karpenter/v1/adapter.ts), launch every new NodeClaim through the
// fake cloud provider's `Create` (pkg/cloudprovider/fake/cloudprovider.go: the cheapest compatible
// instance type, its first compatible offering, labels from both and from the NodeClaim), make the
// Node join (registered, not initialized, no hostname label), and bind the pods passed in.
// Pod builders follow pkg/test/pods.go (`Pod`, `UnschedulablePod`, with the pod options fake.ts's
// `unschedulablePod` lacks); `skew` is `ExpectSkew`. Instance types come from ../fake.ts.

import { parseResourceList, type ResourceList } from '../../../../sandbox/k8s/resources.ts'
import type {
  LabelSelector,
  Node,
  NodeSelectorRequirement,
  Pod,
  PodAffinityTerm,
  Taint,
  Toleration,
  TopologySpreadConstraint,
} from '../../../../sandbox/k8s/types.ts'
import { orderByPrice, type InstanceType, type Offering } from '../../../../sandbox/karpenter/instance-types.ts'
import { LABEL_CAPACITY_TYPE, LABEL_HOSTNAME, LABEL_REGISTERED, LABEL_ZONE } from '../../../../sandbox/karpenter/labels.ts'
import type { Requirements } from '../../../../sandbox/karpenter/requirements.ts'
import { seededRng, type Rng } from '../../../../sandbox/karpenter/rng.ts'
import { schedule, type SchedulingResults } from '../../../../sandbox/karpenter/scheduling/scheduler.ts'
import { isProvisionable, isTerminal, isTerminating } from '../../../../sandbox/karpenter/scheduling/pods.ts'
import { buildStateNode } from '../../../../sandbox/karpenter/state.ts'
import type { NodePoolV1 } from '../../../../sandbox/karpenter/v1/api.ts'
import { internalNodePool } from '../../../../sandbox/karpenter/v1/adapter.ts'
import { labelSelectorMatcher } from '../../../../sandbox/k8s/label-selector.ts'
import type { NodePoolOptions } from '../v0.32.1/objects.ts'
import { nodePoolV1, testNodeClassRef } from './objects.ts'

type WeightedPodAffinityTerm = NonNullable<
  NonNullable<NonNullable<Pod['spec']['affinity']>['podAffinity']>['preferredDuringSchedulingIgnoredDuringExecution']
>[number]

/** scheduling.MaxInstanceTypes: the instance types a NodeClaim lists. */
const MAX_INSTANCE_TYPES = 60

let seq = 0
const nextName = (prefix: string): string => `${prefix}-${String(++seq).padStart(5, '0')}`

// ---- NodePools (pkg/test/nodepool.go) ----

export function nodePool(o: NodePoolOptions = {}): NodePoolV1 {
  return nodePoolV1({
    metadata: { name: o.name ?? nextName('nodepool') },
    spec: {
      template: {
        metadata: { labels: o.labels },
        spec: {
          requirements: o.requirements ?? [],
          taints: o.taints,
          startupTaints: o.startupTaints,
          nodeClassRef: testNodeClassRef(),
        },
      },
      limits: o.limits,
      weight: o.weight,
    },
  })
}

// ---- Pods (pkg/test/pods.go) ----

export interface PodOptions {
  name?: string
  namespace?: string
  labels?: Record<string, string>
  deletionTimestamp?: string
  creationTimestamp?: string
  nodeName?: string
  phase?: string
  requests?: Record<string, string>
  nodeSelector?: Record<string, string>
  nodeRequirements?: NodeSelectorRequirement[]
  nodePreferences?: NodeSelectorRequirement[]
  podRequirements?: PodAffinityTerm[]
  podPreferences?: WeightedPodAffinityTerm[]
  podAntiRequirements?: PodAffinityTerm[]
  podAntiPreferences?: WeightedPodAffinityTerm[]
  tsc?: TopologySpreadConstraint[]
  tolerations?: Toleration[]
  hostPorts?: number[]
  unschedulable?: boolean
}

/** `test.Pod`: bound when `nodeName` is set, otherwise pending but not marked unschedulable. */
export function pod(o: PodOptions = {}): Pod {
  const name = o.name ?? nextName('pod')
  const affinity: NonNullable<Pod['spec']['affinity']> = {}
  if (o.nodeRequirements || o.nodePreferences) {
    affinity.nodeAffinity = {
      requiredDuringSchedulingIgnoredDuringExecution: o.nodeRequirements ? { nodeSelectorTerms: [{ matchExpressions: o.nodeRequirements }] } : undefined,
      preferredDuringSchedulingIgnoredDuringExecution: o.nodePreferences ? [{ weight: 1, preference: { matchExpressions: o.nodePreferences } }] : undefined,
    }
  }
  if (o.podRequirements || o.podPreferences)
    affinity.podAffinity = {
      requiredDuringSchedulingIgnoredDuringExecution: o.podRequirements,
      preferredDuringSchedulingIgnoredDuringExecution: o.podPreferences,
    }
  if (o.podAntiRequirements || o.podAntiPreferences)
    affinity.podAntiAffinity = {
      requiredDuringSchedulingIgnoredDuringExecution: o.podAntiRequirements,
      preferredDuringSchedulingIgnoredDuringExecution: o.podAntiPreferences,
    }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `uid-${name}`,
      labels: o.labels,
      deletionTimestamp: o.deletionTimestamp,
      creationTimestamp: o.creationTimestamp ?? new Date(Date.UTC(2026, 0, 1, 0, 0, 0, seq)).toISOString(),
    },
    spec: {
      nodeName: o.nodeName,
      nodeSelector: o.nodeSelector,
      affinity: Object.keys(affinity).length > 0 ? affinity : undefined,
      topologySpreadConstraints: o.tsc,
      tolerations: o.tolerations,
      containers: [
        {
          name: 'app',
          image: 'public.ecr.aws/eks-distro/kubernetes/pause:3.2',
          resources: o.requests ? { requests: o.requests } : {},
          ports: o.hostPorts?.map((p) => ({ hostPort: p, containerPort: 80, protocol: 'TCP' })),
        },
      ],
    },
    status: {
      phase: o.phase,
      conditions: o.unschedulable ? [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] : undefined,
    },
  }
}

/** `test.UnschedulablePod`: pending, with PodScheduled=False/Unschedulable. */
export function unschedulablePod(o: PodOptions = {}): Pod {
  return pod({ ...o, unschedulable: true })
}

export function unschedulablePods(o: PodOptions, n: number): Pod[] {
  return Array.from({ length: n }, () => unschedulablePod(o))
}

// ---- the fake cluster ----

export interface FakeNode {
  node: Node
  instanceType?: InstanceType
}

export class FakeCluster {
  /** `cloudProvider.InstanceTypes`. */
  instanceTypes: InstanceType[]
  /** `cloudProvider.InstanceTypesForNodePool`. */
  readonly instanceTypesForNodePool = new Map<string, InstanceType[]>()
  readonly nodes: FakeNode[] = []
  pods: Pod[] = []
  readonly namespaces: { name: string; labels?: Record<string, string> }[] = [{ name: 'default' }]
  readonly rng: Rng
  /**
   * `cloudProvider.CreateCalls`, as the instance types each NodeClaim allows (`supportedInstanceTypes`):
   * `NodeClaimTemplate.ToNodeClaim` keeps the cheapest `MaxInstanceTypes` (60) of its options.
   */
  readonly createCalls: InstanceType[][] = []
  lastResults: SchedulingResults | undefined

  constructor(instanceTypes: InstanceType[], seed = 1) {
    this.instanceTypes = instanceTypes
    this.rng = seededRng(seed)
  }

  apply(...pods: Pod[]): void {
    for (const p of pods) {
      this.pods = this.pods.filter((q) => !(q.metadata.name === p.metadata.name && q.metadata.namespace === p.metadata.namespace))
      this.pods.push(p)
    }
  }

  delete(p: Pod): void {
    this.pods = this.pods.filter((q) => q !== p)
  }

  /** A Node that is not Karpenter's (`test.Node` + the node state controller). */
  addNode(
    o: { name?: string; labels?: Record<string, string>; taints?: Taint[]; capacity?: Record<string, string>; allocatable?: Record<string, string> } = {},
  ): Node {
    const name = o.name ?? nextName('node')
    const node: Node = {
      metadata: { name, labels: o.labels ?? {} },
      spec: { taints: o.taints },
      status: { capacity: o.capacity ?? {}, allocatable: o.allocatable ?? o.capacity ?? {}, conditions: [{ type: 'Ready', status: 'True' }] },
    }
    this.nodes.push({ node })
    return node
  }

  typesFor(np: NodePoolV1): InstanceType[] {
    return this.instanceTypesForNodePool.get(np.metadata.name ?? '') ?? this.instanceTypes
  }

  /** `ExpectProvisioned`: one provisioning round, then launch and bind. */
  provision(nodePools: readonly NodePoolV1[], ...pods: Pod[]): SchedulingResults {
    this.apply(...pods)
    const pools = nodePools.map((np) => internalNodePool(np, undefined))
    const instanceTypes: Record<string, InstanceType[]> = {}
    for (const np of nodePools) instanceTypes[np.metadata.name ?? ''] = this.typesFor(np)
    const live = this.pods.filter((p) => !isTerminal(p))
    const stateNodes = this.nodes
      .filter((n) => !n.node.metadata.deletionTimestamp)
      .map((n) => buildStateNode({ node: n.node, pods: live.filter((p) => p.spec.nodeName === n.node.metadata.name) }))
    const results = schedule({
      pods: this.pods.filter((p) => isProvisionable(p)),
      nodePools: pools.filter((np) => (instanceTypes[np.metadata.name ?? ''] ?? []).length > 0),
      instanceTypes,
      stateNodes,
      cluster: {
        pods: this.pods,
        nodes: this.nodes.map((n) => ({ name: n.node.metadata.name ?? '', labels: n.node.metadata.labels ?? {}, taints: n.node.spec?.taints })),
        namespaces: this.namespaces,
      },
      rng: this.rng,
      line: 'v1',
    })
    this.lastResults = results
    const passed = new Set(pods)
    for (const nc of results.newNodeClaims) {
      const supported = orderByPrice(nc.instanceTypeOptions, nc.requirements).slice(0, MAX_INSTANCE_TYPES)
      this.createCalls.push(supported)
      const node = this.create(nc.template.labels, nc.requirements, nc.requests, supported, nc.template.taints)
      if (!node) continue
      for (const p of nc.podList()) if (passed.has(p)) p.spec.nodeName = node.metadata.name
    }
    for (const en of results.existingNodes) for (const p of en.podList()) if (passed.has(p)) p.spec.nodeName = en.name
    return results
  }

  /** fake `CloudProvider.Create` + `ExpectNodeClaimDeployed`: the Node the NodeClaim becomes. */
  private create(
    templateLabels: Record<string, string>,
    reqs: Requirements,
    requests: ResourceList,
    options: readonly InstanceType[],
    taints: Taint[],
  ): Node | undefined {
    const fitsAll = (it: InstanceType): boolean =>
      Object.entries(requests).every(([k, q]) => q.cmp(it.allocatable[k] ?? parseResourceList({ [k]: '0' })[k]) <= 0)
    const compatible = (o: Offering): boolean =>
      o.available &&
      (!reqs.has(LABEL_ZONE) || reqs.get(LABEL_ZONE).has(o.zone)) &&
      (!reqs.has(LABEL_CAPACITY_TYPE) || reqs.get(LABEL_CAPACITY_TYPE).has(o.capacityType))
    const candidates = options.filter((it) => it.requirements.intersectsOk(reqs) && it.offerings.some(compatible) && fitsAll(it))
    const cheapest = (it: InstanceType): number => Math.min(...it.offerings.filter(compatible).map((o) => o.price))
    candidates.sort((a, b) => cheapest(a) - cheapest(b))
    const it = candidates[0]
    if (!it) return undefined
    const labels: Record<string, string> = {}
    for (const r of it.requirements.values()) if (r.operator() === 'In') labels[r.key] = [...r.values].sort()[0]
    const offering = it.offerings.find(compatible)
    if (offering) {
      labels[LABEL_ZONE] = offering.zone
      labels[LABEL_CAPACITY_TYPE] = offering.capacityType
    }
    // NodeClaimTemplate.ToNodeClaim: the template labels plus the requirements' labels (not restricted, not hostname).
    const claimLabels: Record<string, string> = { ...templateLabels }
    for (const [k, v] of Object.entries(reqs.labels(this.rng))) if (k !== LABEL_HOSTNAME) claimLabels[k] = v
    const name = nextName('nodeclaim')
    const node: Node = {
      metadata: { name, labels: { ...labels, ...claimLabels, [LABEL_REGISTERED]: 'true' } },
      spec: { taints, providerID: `fake:///${name}` },
      status: {
        capacity: Object.fromEntries(Object.entries(it.capacity).map(([k, q]) => [k, q.toString()])),
        allocatable: Object.fromEntries(Object.entries(it.allocatable).map(([k, q]) => [k, q.toString()])),
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    }
    this.nodes.push({ node, instanceType: it })
    return node
  }

  /** The Node a pod is bound to (`ExpectScheduled`), or throws. */
  nodeOf(p: Pod): Node {
    const n = this.nodes.find((x) => x.node.metadata.name === p.spec.nodeName)
    if (!p.spec.nodeName || !n) throw new Error(`pod ${p.metadata.name} is not scheduled${this.reason(p)}`)
    return n.node
  }

  scheduled(p: Pod): boolean {
    return !!p.spec.nodeName && this.nodes.some((x) => x.node.metadata.name === p.spec.nodeName)
  }

  private reason(p: Pod): string {
    const err = this.lastResults?.podErrors.get(p)
    return err ? `: ${err}` : ''
  }

  /** `ExpectSkew`: the pods the constraint selects (namespace, selector), counted per domain of their node. */
  skew(constraint: { topologyKey: string; labelSelector?: LabelSelector | null }, namespace = 'default'): number[] {
    const matcher = constraint.labelSelector ? labelSelectorMatcher(constraint.labelSelector) : { matches: () => true }
    const counts = new Map<string, number>()
    for (const p of this.pods) {
      if ((p.metadata.namespace ?? 'default') !== namespace || !matcher.matches(p.metadata.labels ?? {})) continue
      if (!p.spec.nodeName || isTerminal(p) || isTerminating(p)) continue
      const n = this.nodes.find((x) => x.node.metadata.name === p.spec.nodeName)
      if (!n) continue
      const domain = constraint.topologyKey === LABEL_HOSTNAME ? n.node.metadata.name : n.node.metadata.labels?.[constraint.topologyKey]
      if (domain === undefined) continue
      counts.set(domain, (counts.get(domain) ?? 0) + 1)
    }
    return [...counts.values()].sort((a, b) => a - b)
  }
}

/** `ConsistOf(...)` on counts: the same multiset. */
export function sorted(...counts: number[]): number[] {
  return [...counts].sort((a, b) => a - b)
}
