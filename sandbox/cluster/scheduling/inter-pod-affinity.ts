// The InterPodAffinity filter (kubernetes pkg/scheduler/framework/plugins/interpodaffinity/filtering.go):
// the pod's required anti-affinity and affinity terms against the pods running in the node's
// domain of each term's topology key.

import { labelSelectorMatches } from '../../k8s/label-selector.ts'
import type { Pod, PodAffinityTerm } from '../../k8s/types.ts'
import type { NodeInfo } from './node-info.ts'

export const ERR_REASON_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod affinity rules"
export const ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod anti-affinity rules"

export function interPodAffinity(pod: Pod, info: NodeInfo, all: readonly NodeInfo[]): string | undefined {
  const affinity = pod.spec.affinity
  for (const term of affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (termMatchesInDomain(pod, term, info, all)) return ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH
  }
  for (const term of affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (!termMatchesInDomain(pod, term, info, all)) return ERR_REASON_AFFINITY_RULES_NOT_MATCH
  }
  return undefined
}

/** Whether a pod matching the term runs in the node's domain of the term's topology key. */
function termMatchesInDomain(pod: Pod, term: PodAffinityTerm, info: NodeInfo, all: readonly NodeInfo[]): boolean {
  const domain = info.node.metadata.labels?.[term.topologyKey]
  if (domain === undefined) return false
  const namespaces = term.namespaces?.length ? term.namespaces : [pod.metadata.namespace]
  return all.some(
    (other) =>
      other.node.metadata.labels?.[term.topologyKey] === domain &&
      [...other.pods.values()].some((p) => namespaces.includes(p.metadata.namespace) && labelSelectorMatches(term.labelSelector, p.metadata.labels)),
  )
}
