// kube-scheduler's Filter extension point over the default plugins, in the default profile's
// order: NodeUnschedulable, NodeAffinity, TaintToleration, NodeResourcesFit, NodePorts,
// PodTopologySpread, InterPodAffinity. The first plugin that rejects the node gives the reason.

import type { Pod } from '../../k8s/types.ts'
import { interPodAffinityFilter, interPodAffinityState, type InterPodAffinityState, type NamespaceLabels } from './inter-pod-affinity.ts'
import { nodeAffinity } from './node-affinity.ts'
import type { NodeInfo } from './node-info.ts'
import { nodePorts } from './node-ports.ts'
import { nodeResourcesFit } from './node-resources-fit.ts'
import { nodeUnschedulable } from './node-unschedulable.ts'
import { podTopologySpread, spreadState, type SpreadState } from './pod-topology-spread.ts'
import { taintToleration } from './taint-toleration.ts'

/** What the PreFilter plugins compute once per pod over all the nodes. */
interface CycleState {
  spreads: SpreadState[]
  affinity: InterPodAffinityState
}

export function preFilter(pod: Pod, all: readonly NodeInfo[], namespaceLabels: NamespaceLabels): CycleState {
  return { spreads: spreadState(pod, all), affinity: interPodAffinityState(pod, all, namespaceLabels) }
}

/** Why the node cannot take the pod (the scheduler's wording), or undefined if it can. */
export function filterNode(pod: Pod, info: NodeInfo, state: CycleState): string | undefined {
  return (
    nodeUnschedulable(pod, info.node) ??
    nodeAffinity(pod, info.node) ??
    taintToleration(pod, info.node) ??
    nodeResourcesFit(pod, info) ??
    nodePorts(pod, info) ??
    podTopologySpread(info, state.spreads) ??
    interPodAffinityFilter(state.affinity, info)
  )
}
