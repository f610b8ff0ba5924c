// The Node of a launched instance, through its life: as the kubelet registers it (EKS AL2
// bootstrap: `--node-labels`, `--register-with-taints`, not-ready until the CNI is up), as
// Karpenter's registration syncs it (core@v0.32.1:pkg/controllers/nodeclaim/lifecycle/
// registration.go), and when initialization marks it (initialization.go). Pure builders: the
// controller writes the objects.

import { parseResourceList } from '../k8s/resources.ts'
import { mergeTaints, matchTaint, TAINT_NODE_NOT_READY } from '../k8s/taints.ts'
import type { Node, NodeCondition, Taint } from '../k8s/types.ts'
import { NODEPOOL_API_VERSION, type Condition, type NodeClaim } from './api.ts'
import {
  FINALIZER_TERMINATION,
  LABEL_ARCH,
  LABEL_BETA_ARCH,
  LABEL_BETA_INSTANCE_TYPE,
  LABEL_BETA_OS,
  LABEL_FAILURE_DOMAIN_REGION,
  LABEL_FAILURE_DOMAIN_ZONE,
  LABEL_HOSTNAME,
  LABEL_INITIALIZED,
  LABEL_INSTANCE_TYPE,
  LABEL_OS,
  LABEL_REGION,
  LABEL_REGISTERED,
  LABEL_ZONE,
} from './labels.ts'
import { KNOWN_EPHEMERAL_TAINTS } from './state.ts'

export const DEFAULT_KUBELET_VERSION = 'v1.29.0-eks-5e0fdde'
export const NOT_READY_TAINT: Taint = { key: TAINT_NODE_NOT_READY, effect: 'NoSchedule' }

export interface KubeletNodeInput {
  /** The node name (the instance's private DNS name). */
  name: string
  instanceId: string
  privateIp: string
  region: string
  zone: string
  instanceType: string
  arch: string
  providerID: string
  /** `--node-labels` (the launch template's `nodeLabels`). */
  nodeLabels: Record<string, string>
  /** `--register-with-taints`. */
  registerTaints: readonly Taint[]
  /** What the kubelet reports; the twin uses Karpenter's estimate (NodeClaim status). */
  capacity: Record<string, string>
  allocatable: Record<string, string>
  creationTimestamp: string
  kubeletVersion?: string
  osImage?: string
  containerRuntimeVersion?: string
  kernelVersion?: string
}

/** The Node as the kubelet creates it: its own labels + `--node-labels`, NotReady, tainted not-ready. */
export function kubeletNode(input: KubeletNodeInput): Node {
  const os = input.nodeLabels[LABEL_OS] ?? 'linux'
  const labels: Record<string, string> = {
    [LABEL_BETA_ARCH]: input.arch,
    [LABEL_BETA_INSTANCE_TYPE]: input.instanceType,
    [LABEL_BETA_OS]: os,
    [LABEL_FAILURE_DOMAIN_REGION]: input.region,
    [LABEL_FAILURE_DOMAIN_ZONE]: input.zone,
    'k8s.io/cloud-provider-aws': 'eks',
    [LABEL_ARCH]: input.arch,
    [LABEL_HOSTNAME]: input.name,
    [LABEL_OS]: os,
    [LABEL_INSTANCE_TYPE]: input.instanceType,
    [LABEL_REGION]: input.region,
    [LABEL_ZONE]: input.zone,
    ...input.nodeLabels,
  }
  const t = input.creationTimestamp
  const kernel = input.kernelVersion ?? (input.arch === 'arm64' ? '5.10.205-195.807.amzn2.aarch64' : '5.10.205-195.807.amzn2.x86_64')
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: input.name, labels: sortObject(labels), annotations: { 'alpha.kubernetes.io/provided-node-ip': input.privateIp, 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' }, creationTimestamp: t },
    spec: { providerID: input.providerID, taints: mergeTaints([...input.registerTaints], [{ ...NOT_READY_TAINT, timeAdded: t }]) },
    status: {
      capacity: { ...input.capacity },
      allocatable: { ...input.allocatable },
      conditions: nodeConditions(false, t),
      addresses: [
        { type: 'InternalIP', address: input.privateIp },
        { type: 'InternalDNS', address: input.name },
        { type: 'Hostname', address: input.name },
      ],
      nodeInfo: {
        architecture: input.arch,
        bootID: '',
        containerRuntimeVersion: input.containerRuntimeVersion ?? 'containerd://1.7.11',
        kernelVersion: kernel,
        kubeProxyVersion: input.kubeletVersion ?? DEFAULT_KUBELET_VERSION,
        kubeletVersion: input.kubeletVersion ?? DEFAULT_KUBELET_VERSION,
        machineID: input.instanceId.replace(/^i-/, '').padEnd(32, '0'),
        operatingSystem: os,
        osImage: input.osImage ?? 'Amazon Linux 2',
        systemUUID: `ec2${input.instanceId.replace(/^i-/, '')}`.padEnd(32, '0').slice(0, 32),
      },
    },
  }
}

function nodeConditions(ready: boolean, t: string): NodeCondition[] {
  const ok = (type: string, reason: string, message: string): NodeCondition => ({ type, status: 'False', reason, message, lastHeartbeatTime: t, lastTransitionTime: t })
  return [
    ok('MemoryPressure', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    ok('DiskPressure', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    ok('PIDPressure', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    ready
      ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: t, lastTransitionTime: t }
      : { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized', lastHeartbeatTime: t, lastTransitionTime: t },
  ]
}

/** The node turns Ready (CNI up): Ready condition True, not-ready taint removed by the node lifecycle controller. */
export function markNodeReady(node: Node, time: string): Node {
  const conditions = (node.status?.conditions ?? []).filter((c) => c.type !== 'Ready')
  conditions.push({ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: time, lastTransitionTime: time })
  return {
    ...node,
    spec: { ...(node.spec ?? {}), taints: (node.spec?.taints ?? []).filter((t) => !matchTaint(t, NOT_READY_TAINT)) },
    status: { ...(node.status ?? {}), conditions },
  }
}

/**
 * registration.go `syncNode`: finalizer, owner reference to the NodeClaim, the NodeClaim's labels
 * and annotations, its taints and startup taints merged in, `karpenter.sh/registered=true`.
 */
export function registerNode(node: Node, nodeClaim: NodeClaim): Node {
  const finalizers = [...new Set([...(node.metadata.finalizers ?? []), FINALIZER_TERMINATION])]
  const owners = (node.metadata.ownerReferences ?? []).filter((o) => !(o.kind === 'NodeClaim' && o.name === nodeClaim.metadata.name))
  owners.push({ apiVersion: NODEPOOL_API_VERSION, kind: 'NodeClaim', name: nodeClaim.metadata.name ?? '', uid: nodeClaim.metadata.uid, blockOwnerDeletion: true })
  let taints = mergeTaints(node.spec?.taints ?? [], nodeClaim.spec.taints ?? [])
  taints = mergeTaints(taints, nodeClaim.spec.startupTaints ?? [])
  return {
    ...node,
    metadata: {
      ...node.metadata,
      finalizers,
      ownerReferences: owners,
      labels: sortObject({ ...(node.metadata.labels ?? {}), ...(nodeClaim.metadata.labels ?? {}), [LABEL_REGISTERED]: 'true' }),
      annotations: { ...(node.metadata.annotations ?? {}), ...(nodeClaim.metadata.annotations ?? {}) },
    },
    spec: { ...(node.spec ?? {}), taints },
  }
}

/**
 * initialization.go: why the NodeClaim is not initialized yet (the condition's reason and
 * message), or undefined when it is (Ready, startup and ephemeral taints gone, requested
 * extended resources registered).
 */
export function initializationBlocker(node: Node, nodeClaim: NodeClaim): { reason: string; message: string } | undefined {
  const ready = (node.status?.conditions ?? []).find((c) => c.type === 'Ready')
  if (ready?.status !== 'True') return { reason: 'NodeNotReady', message: 'Node status is NotReady' }
  const taints = node.spec?.taints ?? []
  for (const st of nodeClaim.spec.startupTaints ?? []) {
    const t = taints.find((x) => matchTaint(st, x))
    if (t) return { reason: 'StartupTaintsExist', message: `StartupTaint "${formatTaint(t)}" still exists` }
  }
  for (const et of KNOWN_EPHEMERAL_TAINTS) {
    const t = taints.find((x) => matchTaint(et, x))
    if (t) return { reason: 'KnownEphemeralTaintsExist', message: `KnownEphemeralTaint "${formatTaint(t)}" still exists` }
  }
  const alloc = parseResourceList(node.status?.allocatable)
  for (const [name, q] of Object.entries(parseResourceList(nodeClaim.spec.resources?.requests))) {
    if (q.isZero()) continue
    if (!alloc[name] || alloc[name].isZero()) return { reason: 'ResourceNotRegistered', message: `Resource "${name}" was requested but not registered` }
  }
  return undefined
}

/** Initialization's patch: `karpenter.sh/initialized=true`. */
export function initializeNode(node: Node): Node {
  return { ...node, metadata: { ...node.metadata, labels: sortObject({ ...(node.metadata.labels ?? {}), [LABEL_INITIALIZED]: 'true' }) } }
}

function formatTaint(t: Taint): string {
  return t.value ? `${t.key}=${t.value}:${t.effect}` : `${t.key}:${t.effect}`
}

/** Sets (or replaces) a status condition, keeping lastTransitionTime when the status is unchanged. */
export function setCondition(conditions: readonly Condition[] | undefined, next: Condition): Condition[] {
  const out = [...(conditions ?? [])]
  const i = out.findIndex((c) => c.type === next.type)
  if (i < 0) out.push(next)
  else out[i] = out[i].status === next.status ? { ...next, lastTransitionTime: out[i].lastTransitionTime ?? next.lastTransitionTime } : next
  return out
}

/** NodeClaim `Ready` = Launched ∧ Registered ∧ Initialized. */
export function nodeClaimReady(conditions: readonly Condition[] | undefined): boolean {
  const is = (t: string): boolean => (conditions ?? []).some((c) => c.type === t && c.status === 'True')
  return is('Launched') && is('Registered') && is('Initialized')
}

function sortObject(o: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const k of Object.keys(o).sort()) out[k] = o[k]
  return out
}
