// Karpenter's cluster-state view of one node: a Node, its NodeClaim, or both (an in-flight
// NodeClaim has no Node yet). Which object's labels, taints and resources count depends on
// whether the node registered and initialized (core@v0.32.1:pkg/controllers/state/statenode.go).
// The controller builds one StateNode per node/NodeClaim and hands the list to the scheduler
// and to disruption.

import { parseResourceList, requestsForPods, merge, subtract, type ResourceList } from '../k8s/resources.ts'
import { matchTaint, TAINT_EXTERNAL_CLOUD_PROVIDER, TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE } from '../k8s/taints.ts'
import type { Node, Pod, Taint } from '../k8s/types.ts'
import type { NodeClaim } from './api.ts'
import type { KarpenterLine } from './version.ts'
import { DISRUPTION_NO_SCHEDULE_TAINT, LABEL_HOSTNAME, LABEL_INITIALIZED, LABEL_NODEPOOL, LABEL_REGISTERED } from './labels.ts'
import { hostPortsOf, isOwnedByDaemonSet, isTerminal, podKey, type HostPort } from './scheduling/pods.ts'

/** Taints that come and go during a node's life and never block Karpenter's scheduling. */
export const KNOWN_EPHEMERAL_TAINTS: Taint[] = [
  { key: TAINT_NODE_NOT_READY, effect: 'NoSchedule' },
  { key: TAINT_NODE_UNREACHABLE, effect: 'NoSchedule' },
  { key: TAINT_EXTERNAL_CLOUD_PROVIDER, effect: 'NoSchedule', value: 'true' },
]

export interface StateNode {
  /** The Node name once registered (or initialized), else the NodeClaim name. */
  name: string
  hostname: string
  providerID: string
  labels: Record<string, string>
  annotations: Record<string, string>
  /** Taints that matter for scheduling (ephemeral and, before initialization, startup taints removed). */
  taints: Taint[]
  capacity: ResourceList
  allocatable: ResourceList
  /** Sum of `RequestsForPods` over the bound pods (DaemonSet pods included). */
  podRequests: ResourceList
  daemonSetRequests: ResourceList
  /** Host ports in use, per pod key. */
  hostPorts: Map<string, HostPort[]>
  /** Bound, non-terminal pods. */
  pods: Pod[]
  managed: boolean
  registered: boolean
  initialized: boolean
  /** The Node's Ready condition is True. */
  ready: boolean
  /** The owning NodePool (from the `karpenter.sh/nodepool` label). */
  nodePool: string | undefined
  markedForDeletion: boolean
  /** Nominated by a recent provisioning round (not consolidated while true). */
  nominated: boolean
  node?: Node
  nodeClaim?: NodeClaim
}

export interface StateNodeInput {
  /** The Karpenter line whose cluster state this is (default v0.32). */
  line?: KarpenterLine
  node?: Node
  nodeClaim?: NodeClaim
  /** Pods bound to the node (by spec.nodeName). */
  pods?: Pod[]
  /** Deleting, or tainted `karpenter.sh/disruption` by disruption. */
  markedForDeletion?: boolean
  nominated?: boolean
}

/** 1.9's known ephemeral taints add not-ready NoExecute and karpenter.sh/unregistered (core scheduling/taints.go). */
const KNOWN_EPHEMERAL_TAINTS_V1: Taint[] = [
  ...KNOWN_EPHEMERAL_TAINTS,
  { key: TAINT_NODE_NOT_READY, effect: 'NoExecute' },
  { key: 'karpenter.sh/unregistered', effect: 'NoExecute' },
]

/** 1.9's statenode.go `Taints`: ephemeral and startup taints are ignored only until a managed node is initialized. */
function taintsV1(taints: Taint[], initialized: boolean, managed: boolean, nodeClaim: NodeClaim | undefined): Taint[] {
  if (initialized || !managed) return taints
  const ignored = [...KNOWN_EPHEMERAL_TAINTS_V1, ...(nodeClaim?.spec.startupTaints ?? [])]
  return taints.filter((t) => !ignored.some((e) => matchTaint(e, t)))
}

function isDisruptingTaint(t: Taint): boolean {
  return t.key === DISRUPTION_NO_SCHEDULE_TAINT.key && t.effect === DISRUPTION_NO_SCHEDULE_TAINT.effect
}

/** Builds the StateNode view from a Node and/or its NodeClaim (statenode.go). */
export function buildStateNode(input: StateNodeInput): StateNode {
  const { node, nodeClaim } = input
  if (!node && !nodeClaim) throw new Error('a state node needs a Node or a NodeClaim')
  const nodeLabels = node?.metadata.labels ?? {}
  const managed = !!nodeClaim || !!nodeLabels[LABEL_NODEPOOL]
  const registered = managed ? nodeLabels[LABEL_REGISTERED] === 'true' : true
  const initialized = managed ? nodeLabels[LABEL_INITIALIZED] === 'true' : true
  const useClaim = !node || (!!nodeClaim && !registered && !initialized)
  const name = useClaim ? (nodeClaim!.metadata.name ?? '') : (node.metadata.name ?? '')
  const labels = useClaim ? { ...(nodeClaim!.metadata.labels ?? {}) } : { ...nodeLabels }
  const annotations = useClaim ? { ...(nodeClaim!.metadata.annotations ?? {}) } : { ...(node.metadata.annotations ?? {}) }

  const ephemeral = [...KNOWN_EPHEMERAL_TAINTS]
  if (!initialized && managed && nodeClaim) ephemeral.push(...(nodeClaim.spec.startupTaints ?? []))
  const rawTaints = (useClaim && nodeClaim) || !node ? (nodeClaim?.spec.taints ?? []) : (node.spec?.taints ?? [])
  const taints = input.line === 'v1' ? taintsV1(rawTaints, initialized, managed, nodeClaim) : rawTaints.filter((t) => !ephemeral.some((e) => matchTaint(e, t)))

  const pick = (nodeList: ResourceList, claimList: ResourceList): ResourceList => {
    if (initialized || !nodeClaim) return nodeList
    if (!node) return claimList
    // Before initialization, NodeClaim values fill in the Node's zero values.
    const out = { ...nodeList }
    for (const [k, q] of Object.entries(claimList)) if (!out[k] || out[k].isZero()) out[k] = q
    return out
  }
  const capacity = pick(parseResourceList(node?.status?.capacity), parseResourceList(nodeClaim?.status?.capacity))
  const allocatable = pick(parseResourceList(node?.status?.allocatable), parseResourceList(nodeClaim?.status?.allocatable))

  const pods = (input.pods ?? []).filter((p) => !isTerminal(p))
  const podRequests = merge(...pods.map((p) => requestsForPods(p)))
  const daemonSetRequests = merge(...pods.filter(isOwnedByDaemonSet).map((p) => requestsForPods(p)))
  const hostPorts = new Map<string, HostPort[]>()
  for (const p of pods) {
    const ports = hostPortsOf(p)
    if (ports.length > 0) hostPorts.set(podKey(p), ports)
  }
  const ready = (node?.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
  const markedForDeletion =
    input.markedForDeletion ??
    (!!node?.metadata.deletionTimestamp || !!nodeClaim?.metadata.deletionTimestamp || (node?.spec?.taints ?? []).some(isDisruptingTaint))
  return {
    name,
    hostname: labels[LABEL_HOSTNAME] || name,
    providerID: node?.spec?.providerID ?? nodeClaim?.status?.providerID ?? '',
    labels,
    annotations,
    taints,
    capacity,
    allocatable,
    podRequests,
    daemonSetRequests,
    hostPorts,
    pods,
    managed,
    registered,
    initialized,
    ready,
    nodePool: labels[LABEL_NODEPOOL] || undefined,
    markedForDeletion,
    nominated: input.nominated ?? false,
    node,
    nodeClaim,
  }
}

/** `Available()`: allocatable minus what bound pods request. */
export function available(n: StateNode): ResourceList {
  return subtract(n.allocatable, n.podRequests)
}

/** The nominated-node window after a provisioning round: max(10 s, 2 × batchMaxDuration). */
export function nominationWindowMs(batchMaxDurationMs = 10_000): number {
  return Math.max(10_000, 2 * batchMaxDurationMs)
}
