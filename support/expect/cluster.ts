// What the cluster holds and held, as the steps ask it: a deployment's pods, the nodes, a NodePool's
// requirements, and the recorders' history of which nodes hosted what. Steps call these instead
// of the Kubernetes client or the recorders' maps.

import { getKarpenterObject, instanceIdOf, isKarpenterNode, type Node, type Pod } from '../kube.ts'
import type { Requirement } from '../nodepool-check.ts'
import type { SpotcheckWorld } from '../world.ts'

/** The live (not terminating) pods of a deployment, found through its selector. */
export async function podsOf(world: SpotcheckWorld, deployment: string, namespace = 'default'): Promise<Pod[]> {
  const kube = world.run.kube()
  const d = await kube.apps.readNamespacedDeployment({ name: deployment, namespace })
  const selector = Object.entries(d.spec?.selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',')
  return (await kube.core.listNamespacedPod({ namespace, labelSelector: selector })).items.filter((p) => !p.metadata?.deletionTimestamp)
}

export async function nodes(world: SpotcheckWorld): Promise<Node[]> {
  return (await world.run.kube().core.listNode()).items
}

export async function nodePoolRequirements(world: SpotcheckWorld, name: string): Promise<Requirement[]> {
  const np = await getKarpenterObject<{ spec: { template: { spec: { requirements?: Requirement[] } } } }>(world.run.kube(), world.run.karpenter.nodePool, name)
  return np.spec.template.spec.requirements ?? []
}

/** The Karpenter nodes on which the run saw a pod of `deployment`. */
export function nodesThatHosted(world: SpotcheckWorld, deployment: string): Set<string> {
  const out = new Set<string>()
  for (const history of world.run.cluster!.pods.values()) {
    for (const s of history) if (s.object.metadata?.labels?.app === deployment && s.object.spec?.nodeName) out.add(s.object.spec.nodeName)
  }
  const karpenter = new Set([...world.run.cluster!.nodes.values()].filter((h) => isKarpenterNode(h[h.length - 1].object)).map((h) => h[0].object.metadata!.name!))
  return new Set([...out].filter((n) => karpenter.has(n)))
}

/** The node (as the run last saw it, even if gone) whose EC2 instance is `instanceId`. */
export function nodeOfInstance(world: SpotcheckWorld, instanceId: string): Node | undefined {
  for (const history of world.run.cluster!.nodes.values()) {
    const seen = history.find((s) => instanceIdOf(s.object.spec?.providerID) === instanceId)
    if (seen) return history.filter((s) => s.type !== 'DELETED').at(-1)?.object ?? seen.object
  }
  return undefined
}
