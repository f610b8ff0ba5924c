// kube-scheduler's Filter extension point over the default plugins, in the default profile's
// order: NodeUnschedulable, NodeAffinity, TaintToleration, NodeResourcesFit, NodePorts,
// PodTopologySpread, InterPodAffinity. The first plugin that rejects the node gives the reason.

import type { Pod } from '../../k8s/types.ts'
import { interPodAffinity } from './inter-pod-affinity.ts'
import { nodeAffinity } from './node-affinity.ts'
import type { NodeInfo } from './node-info.ts'
import { nodePorts } from './node-ports.ts'
import { nodeResourcesFit } from './node-resources-fit.ts'
import { nodeUnschedulable } from './node-unschedulable.ts'
import { podTopologySpread, type SpreadState } from './pod-topology-spread.ts'
import { taintToleration } from './taint-toleration.ts'

/** Why the node cannot take the pod (the scheduler's wording), or undefined if it can. */
export function filterNode(pod: Pod, info: NodeInfo, spreads: readonly SpreadState[], all: readonly NodeInfo[]): string | undefined {
  return (
    nodeUnschedulable(pod, info.node) ??
    nodeAffinity(pod, info.node) ??
    taintToleration(pod, info.node) ??
    nodeResourcesFit(pod, info) ??
    nodePorts(pod, info) ??
    podTopologySpread(info, spreads) ??
    interPodAffinity(pod, info, all)
  )
}
