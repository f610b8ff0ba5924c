// The objects the v0.32.1 scheduling suites build, as kubernetes-sigs/karpenter@v0.32.1 pkg/test
// builds them (pods.go `Pod`/`UnschedulablePod(s)`, nodepool.go `NodePool`, nodes.go `Node`,
// nodeclaim.go `NodeClaim`, daemonsets.go `DaemonSet`), in the twin's types. Like upstream's
// `ObjectMeta`, every object carries the `testing/cluster: unspecified` discovery label; names are
// sequential where upstream's are random (uids zero-padded so that their order is creation order).

import type {
  DaemonSet,
  Node,
  NodeSelectorRequirement,
  Pod,
  PodAffinityTerm,
  RawResourceList,
  Taint,
  Toleration,
  TopologySpreadConstraint,
} from '../../../../sandbox/k8s/types.ts'
import type { NodeClaim, NodePool } from '../../../../sandbox/karpenter/api.ts'

export type { PodAffinityTerm }

const DISCOVERY = { 'testing/cluster': 'unspecified' }
const CREATED = '2023-11-01T00:00:00Z'

type WeightedTerm = { weight: number; podAffinityTerm: PodAffinityTerm }

/** upstream `test.PodOptions` (the fields the scheduling suites use). */
export interface PodOptions {
  name?: string
  namespace?: string
  labels?: Record<string, string>
  /** Container requests and limits, e.g. `{ cpu: '1' }`. */
  requests?: Record<string, string>
  limits?: Record<string, string>
  /** `InitResourceRequirements`: an init container with these requests. */
  initRequests?: RawResourceList
  /** What the API server's RuntimeClass admission writes into `spec.overhead`. */
  overhead?: RawResourceList
  nodeSelector?: Record<string, string>
  /** Required node affinity, one term. */
  nodeRequirements?: NodeSelectorRequirement[]
  /** Preferred node affinity, one term of weight 1. */
  nodePreferences?: NodeSelectorRequirement[]
  podRequirements?: PodAffinityTerm[]
  podPreferences?: WeightedTerm[]
  podAntiRequirements?: PodAffinityTerm[]
  podAntiPreferences?: WeightedTerm[]
  topologySpreadConstraints?: TopologySpreadConstraint[]
  tolerations?: Toleration[]
  nodeName?: string
  phase?: 'Failed' | 'Succeeded'
  /** Has a deletion timestamp (terminating). */
  deleting?: boolean
  /** Owned by this DaemonSet. */
  daemonSet?: DaemonSet
}

let podSeq = 0

/** upstream `test.Pod`: namespace `default`, one container with the requests and limits given. */
export function pod(o: PodOptions = {}, unschedulable = false): Pod {
  const seq = String(++podSeq).padStart(5, '0')
  const affinity: NonNullable<Pod['spec']['affinity']> = {}
  if (o.nodeRequirements || o.nodePreferences)
    affinity.nodeAffinity = {
      requiredDuringSchedulingIgnoredDuringExecution: o.nodeRequirements && { nodeSelectorTerms: [{ matchExpressions: o.nodeRequirements }] },
      preferredDuringSchedulingIgnoredDuringExecution: o.nodePreferences && [{ weight: 1, preference: { matchExpressions: o.nodePreferences } }],
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
  const p: Pod = {
    metadata: {
      name: o.name ?? `pod-${seq}`,
      namespace: o.namespace ?? 'default',
      uid: `uid-${seq}`,
      labels: { ...DISCOVERY, ...o.labels },
      creationTimestamp: CREATED,
      deletionTimestamp: o.deleting ? '2023-11-01T00:00:10Z' : undefined,
    },
    spec: {
      nodeName: o.nodeName,
      nodeSelector: o.nodeSelector,
      affinity: Object.keys(affinity).length > 0 ? affinity : undefined,
      topologySpreadConstraints: o.topologySpreadConstraints,
      tolerations: o.tolerations,
      containers: [{ name: 'app', image: 'public.ecr.aws/eks-distro/kubernetes/pause:3.2', resources: { requests: o.requests, limits: o.limits } }],
    },
    status: {
      phase: o.phase,
      conditions: unschedulable ? [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] : undefined,
    },
  }
  if (o.initRequests) p.spec.initContainers = [{ name: 'init', resources: { requests: o.initRequests } }]
  if (o.overhead) p.spec.overhead = o.overhead
  if (o.daemonSet) {
    const ds = o.daemonSet.metadata
    p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.name ?? '', uid: ds.uid, controller: true, blockOwnerDeletion: true }]
  }
  return p
}

/** upstream `test.UnschedulablePod`: the kube-scheduler marked it Unschedulable, so the provisioner picks it up. */
export function unschedulablePod(o: PodOptions = {}): Pod {
  return pod(o, true)
}

/** upstream `test.UnschedulablePods(options, n)`. */
export function unschedulablePods(o: PodOptions, count: number): Pod[] {
  return Array.from({ length: count }, () => unschedulablePod(o))
}

/** upstream `test.DaemonSet`: its pod template built from the options. */
export function daemonSet(o: PodOptions): DaemonSet {
  const template = unschedulablePod(o)
  const name = `daemonset-${template.metadata.name}`
  return { metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { template: { spec: template.spec } } }
}

/** A topology spread constraint: `DoNotSchedule` unless told otherwise. */
export function spread(
  topologyKey: string,
  maxSkew: number,
  matchLabels?: Record<string, string>,
  extra: Partial<TopologySpreadConstraint> = {},
): TopologySpreadConstraint {
  return { topologyKey, maxSkew, whenUnsatisfiable: 'DoNotSchedule', labelSelector: matchLabels ? { matchLabels } : undefined, ...extra }
}

export interface NodePoolOptions {
  name?: string
  requirements?: NodeSelectorRequirement[]
  /** Template labels (on top of the discovery label). */
  labels?: Record<string, string>
  taints?: Taint[]
  startupTaints?: Taint[]
  /** Defaults to `cpu: 2000`, as upstream. */
  limits?: Record<string, string>
  weight?: number
}

let poolSeq = 0

/** upstream `test.NodePool`: no requirements, a 2000-CPU limit, the default node class reference. */
export function nodePool(o: NodePoolOptions = {}): NodePool {
  const name = o.name ?? `nodepool-${++poolSeq}`
  return {
    apiVersion: 'karpenter.sh/v1beta1',
    kind: 'NodePool',
    metadata: { name, uid: `uid-${name}`, labels: { ...DISCOVERY } },
    spec: {
      weight: o.weight,
      limits: o.limits ?? { cpu: '2000' },
      template: {
        metadata: { labels: { ...DISCOVERY, ...o.labels } },
        spec: { requirements: o.requirements ?? [], taints: o.taints, startupTaints: o.startupTaints, nodeClassRef: { name: 'default' } },
      },
    },
  }
}

let nodeSeq = 0

export interface NodeOptions {
  name?: string
  labels?: Record<string, string>
  /** Allocatable, and capacity too (upstream: capacity defaults to allocatable). */
  allocatable?: RawResourceList
}

/** upstream `test.Node`: a Ready node. */
export function node(o: NodeOptions = {}): Node {
  return {
    metadata: { name: o.name ?? `node-${++nodeSeq}`, labels: { ...DISCOVERY, ...o.labels } },
    spec: {},
    status: { capacity: o.allocatable, allocatable: o.allocatable, conditions: [{ type: 'Ready', status: 'True' }] },
  }
}

/** upstream `test.NodeClaim`: no requirements, the default node class reference, a provider ID. */
export function nodeClaim(name: string, labels: Record<string, string> = {}, status: NodeClaim['status'] = {}): NodeClaim {
  return {
    metadata: { name, labels: { ...DISCOVERY, ...labels } },
    spec: { requirements: [], nodeClassRef: { name: 'default' } },
    status: { providerID: `fake:///${name}`, ...status },
  }
}
