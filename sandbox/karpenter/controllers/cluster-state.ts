// Karpenter's in-memory picture of the cluster (pkg/controllers/state), taken as one consistent
// snapshot from the store: Nodes paired with their NodeClaims by provider ID (an in-flight
// NodeClaim has no Node yet), the pods bound to each, the pods still waiting, the DaemonSets,
// NodePools and EC2NodeClasses.

import type { KubeObject } from '../../kube/json.ts'
import type { DaemonSet, Node, Pod } from '../../k8s/types.ts'
import type { EC2NodeClass, NodeClaim, NodePool } from '../api.ts'
import { buildStateNode, type StateNode } from '../state.ts'
import type { TopologyCluster } from '../scheduling/topology.ts'
import type { KarpenterContext } from './context.ts'

export const NODEPOOLS = 'nodepools.karpenter.sh'
export const NODECLAIMS = 'nodeclaims.karpenter.sh'
export const NODECLASSES = 'ec2nodeclasses.karpenter.k8s.aws'

export interface ClusterSnapshot {
  nodes: Node[]
  nodeClaims: NodeClaim[]
  nodePools: NodePool[]
  nodeClasses: EC2NodeClass[]
  daemonSets: DaemonSet[]
  pods: Pod[]
  /** Unbound, not terminating pods. */
  pendingPods: Pod[]
  /** One per Node/NodeClaim pair (Karpenter's StateNodes). */
  stateNodes: StateNode[]
  topology: TopologyCluster
}

const asList = <T>(items: KubeObject[]) => items as unknown as T[]

/**
 * The snapshot holds the store's own objects, not copies (as Karpenter reads its informer cache):
 * taking it costs a pass over the cluster, not a deep copy of every pod, which matters when the
 * disruption loop takes one every 10 s of tutorial time in a cluster of thousands of pods. Its
 * readers never modify what they get (the scheduling simulation copies a pod before relaxing it);
 * changes go through the store.
 */
export function takeSnapshot(ctx: KarpenterContext): ClusterSnapshot {
  const store = ctx.store
  const nodes = asList<Node>(store.listRaw('nodes').items)
  // Each line reads its own API version into the one model (v1 objects are adapted).
  const rawClasses = store.listRaw(NODECLASSES).items
  const nodeClaims = ctx.readers.nodeClaims(store.listRaw(NODECLAIMS).items, rawClasses)
  const nodePools = ctx.readers.nodePools(store.listRaw(NODEPOOLS).items, rawClasses)
  const nodeClasses = ctx.readers.nodeClasses(rawClasses)
  const daemonSets = asList<DaemonSet>(store.listRaw('daemonsets.apps').items)
  const pods = asList<Pod>(store.listRaw('pods').items)
  const namespaces = store.listRaw('namespaces').items.map((n) => ({ name: n.metadata.name!, labels: n.metadata.labels }))

  const podsByNode = new Map<string, Pod[]>()
  const pendingPods: Pod[] = []
  for (const pod of pods) {
    const nodeName = pod.spec.nodeName
    if (nodeName) {
      const onNode = podsByNode.get(nodeName)
      if (onNode) onNode.push(pod)
      else podsByNode.set(nodeName, [pod])
    } else if (!pod.metadata.deletionTimestamp) pendingPods.push(pod)
  }
  const claimByProvider = new Map<string, NodeClaim>()
  for (const nc of nodeClaims) if (nc.status?.providerID) claimByProvider.set(nc.status.providerID, nc)
  const paired = new Set<NodeClaim>()
  const nominated = nominatedNow(ctx)
  const stateNodes: StateNode[] = []
  for (const node of nodes) {
    const nodeClaim = node.spec?.providerID ? claimByProvider.get(node.spec.providerID) : undefined
    if (nodeClaim) paired.add(nodeClaim)
    stateNodes.push(
      buildStateNode({
        line: ctx.twin.line,
        node,
        nodeClaim,
        pods: podsByNode.get(node.metadata.name!) ?? [],
        nominated: nominated(node.metadata.name!) || (nodeClaim ? nominated(nodeClaim.metadata.name!) : false),
      }),
    )
  }
  for (const nodeClaim of nodeClaims) {
    if (paired.has(nodeClaim)) continue
    stateNodes.push(buildStateNode({ line: ctx.twin.line, nodeClaim, pods: [], nominated: nominated(nodeClaim.metadata.name!) }))
  }
  return {
    nodes,
    nodeClaims,
    nodePools,
    nodeClasses,
    daemonSets,
    pods,
    pendingPods,
    stateNodes,
    topology: {
      pods: pods.filter((p) => p.spec.nodeName),
      nodes: nodes.map((n) => ({ name: n.metadata.name!, labels: n.metadata.labels ?? {}, taints: n.spec?.taints })),
      namespaces,
    },
  }
}

/** Whether provisioning nominated a node (by Node or NodeClaim name) and the nomination still holds. */
function nominatedNow(ctx: KarpenterContext): (name: string) => boolean {
  const now = ctx.clock.tutorialNow()
  return (name) => (ctx.nominatedUntil.get(name) ?? 0) > now
}

/**
 * One NodeClaim's StateNode and its NodePool, as `takeSnapshot` would give them, read without
 * building the whole cluster's picture: the NodeClaim, the Node with its provider ID and the pods
 * bound to that Node. For controllers that reconcile one NodeClaim at a time.
 */
export function stateNodeOf(ctx: KarpenterContext, nodeClaimName: string): { stateNode: StateNode; nodePool: NodePool | undefined } | undefined {
  const store = ctx.store
  const raw = store.find(NODECLAIMS, undefined, nodeClaimName)
  if (!raw) return undefined
  const rawClasses = store.listRaw(NODECLASSES).items
  const [nodeClaim] = ctx.readers.nodeClaims([raw], rawClasses)
  const providerID = nodeClaim.status?.providerID
  const node = providerID ? asList<Node>(store.listRaw('nodes').items).find((n) => n.spec?.providerID === providerID) : undefined
  const nominated = nominatedNow(ctx)
  const stateNode = buildStateNode({
    line: ctx.twin.line,
    node,
    nodeClaim,
    pods: node ? asList<Pod>(store.listRaw('pods', { fieldSelector: `spec.nodeName=${node.metadata.name}` }).items) : [],
    nominated: (node ? nominated(node.metadata.name!) : false) || nominated(nodeClaimName),
  })
  const rawPool = stateNode.nodePool ? store.find(NODEPOOLS, undefined, stateNode.nodePool) : undefined
  return { stateNode, nodePool: rawPool ? ctx.readers.nodePools([rawPool], rawClasses)[0] : undefined }
}

/** The EC2NodeClass a NodePool (or NodeClaim) refers to. */
export function nodeClassFor(snapshot: Pick<ClusterSnapshot, 'nodeClasses'>, ref: { name: string } | undefined): EC2NodeClass | undefined {
  return ref ? snapshot.nodeClasses.find((c) => c.metadata.name === ref.name) : undefined
}
