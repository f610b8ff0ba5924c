// The NodeAffinity filter (kubernetes pkg/scheduler/framework/plugins/nodeaffinity): the pod's
// nodeSelector and required node affinity (the matching itself is sandbox/k8s/node-affinity.ts).

import { podMatchesNodeSelectorAndAffinity } from '../../k8s/node-affinity.ts'
import type { Node, Pod } from '../../k8s/types.ts'

const ERR_REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector"

export function nodeAffinity(pod: Pod, node: Node): string | undefined {
  return podMatchesNodeSelectorAndAffinity(pod, node) ? undefined : ERR_REASON_NODE_AFFINITY
}
