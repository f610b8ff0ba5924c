// What kube-scheduler's cache knows of one node (framework.NodeInfo): the node, what it can
// give, what its pods ask for, its pods and the host ports they hold. The filter plugins in this
// folder are pure functions over it, the pod being scheduled and the other nodes.

import { ceiling, merge, parseResourceList, type ResourceList } from '../../k8s/resources.ts'
import type { Node, Pod } from '../../k8s/types.ts'

export interface NodeInfo {
  node: Node
  allocatable: ResourceList
  requested: ResourceList
  /** Active pods bound to the node, by namespace/name. */
  pods: Map<string, Pod>
  /** Host ports in use (`protocol/ip/port`) → how many pods use them. */
  ports: Map<string, number>
}

/** The host ports a pod asks for, as `protocol/ip/port` (protocol TCP and IP 0.0.0.0 when unset or empty). */
export function hostPorts(pod: Pod): string[] {
  const out: string[] = []
  for (const c of pod.spec.containers ?? [])
    for (const p of c.ports ?? []) if (p.hostPort) out.push(`${p.protocol || 'TCP'}/${p.hostIP || '0.0.0.0'}/${p.hostPort}`)
  return out
}

/** A NodeInfo built from scratch: the node and the pods bound to it. */
export function nodeInfoOf(node: Node, pods: readonly Pod[] = []): NodeInfo {
  const info: NodeInfo = { node, allocatable: parseResourceList(node.status?.allocatable), requested: {}, pods: new Map(), ports: new Map() }
  for (const [i, pod] of pods.entries()) {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`
    info.pods.set(info.pods.has(key) ? `${key}#${i}` : key, pod)
    info.requested = merge(info.requested, ceiling(pod).requests)
    for (const p of hostPorts(pod)) info.ports.set(p, (info.ports.get(p) ?? 0) + 1)
  }
  return info
}
