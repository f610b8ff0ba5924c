// The Node of a launched instance as Karpenter's registration syncs it (core@v0.32.1:
// pkg/controllers/nodeclaim/lifecycle/registration.go) and when initialization marks it
// (initialization.go); the kubelet's own Node is ec2-nodes/kubelet-node.ts. Pure builders: the
// controller writes the objects.

import { sortObject } from '../ec2-nodes/kubelet-node.ts'
import { parseResourceList } from '../k8s/resources.ts'
import { mergeTaints, matchTaint } from '../k8s/taints.ts'
import type { Node, Taint } from '../k8s/types.ts'
import { NODEPOOL_API_VERSION, type Condition, type NodeClaim } from './api.ts'
import { FINALIZER_TERMINATION, LABEL_INITIALIZED, LABEL_REGISTERED } from './labels.ts'
import { KNOWN_EPHEMERAL_TAINTS } from './state.ts'

/**
 * registration.go `syncNode`: finalizer, owner reference to the NodeClaim, the NodeClaim's labels
 * and annotations, its taints and startup taints merged in, `karpenter.sh/registered=true`.
 */
export function registerNode(node: Node, nodeClaim: NodeClaim): Node {
  const finalizers = [...new Set([...(node.metadata.finalizers ?? []), FINALIZER_TERMINATION])]
  const owners = (node.metadata.ownerReferences ?? []).filter((o) => !(o.kind === 'NodeClaim' && o.name === nodeClaim.metadata.name))
  owners.push({
    apiVersion: NODEPOOL_API_VERSION,
    kind: 'NodeClaim',
    name: nodeClaim.metadata.name ?? '',
    uid: nodeClaim.metadata.uid,
    blockOwnerDeletion: true,
  })
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
