// The PodTopologySpread filter (kubernetes pkg/scheduler/framework/plugins/podtopologyspread):
// `spreadState` is its PreFilter (matching pods counted per domain over all nodes), and
// `podTopologySpread` its Filter for one node.

import { labelSelectorMatches } from '../../k8s/label-selector.ts'
import { podMatchesNodeSelectorAndAffinity } from '../../k8s/node-affinity.ts'
import { findUntoleratedTaint } from '../../k8s/taints.ts'
import type { LabelSelector, Pod, TopologySpreadConstraint } from '../../k8s/types.ts'
import type { NodeInfo } from './node-info.ts'

const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints"
const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`

export interface SpreadState {
  constraint: TopologySpreadConstraint
  counts: Map<string, number>
  globalMin: number
  selfMatch: boolean
}

/**
 * The constraint's selector ANDed with `key In (the pod's value)` for each of its matchLabelKeys
 * the pod has (MatchLabelKeysInPodTopologySpread, beta and on in 1.29); a nil selector stays one
 * that selects nothing.
 */
function withMatchLabelKeys(constraint: TopologySpreadConstraint, pod: Pod): LabelSelector | null | undefined {
  const labels = pod.metadata.labels ?? {}
  const keys = (constraint.matchLabelKeys ?? []).filter((k) => Object.prototype.hasOwnProperty.call(labels, k))
  if (!constraint.labelSelector || keys.length === 0) return constraint.labelSelector
  return {
    ...constraint.labelSelector,
    matchExpressions: [...(constraint.labelSelector.matchExpressions ?? []), ...keys.map((key) => ({ key, operator: 'In', values: [labels[key]] }))],
  }
}

export function spreadState(pod: Pod, nodes: readonly NodeInfo[]): SpreadState[] {
  return (pod.spec.topologySpreadConstraints ?? []).map((constraint) => {
    const selector = withMatchLabelKeys(constraint, pod)
    // The domains are those of the nodes the constraint's node inclusion policies admit:
    // nodeAffinityPolicy Honor (the default) admits the nodes the pod's nodeSelector and required
    // node affinity match, Ignore all; nodeTaintsPolicy Honor admits the nodes whose NoSchedule and
    // NoExecute taints the pod tolerates, Ignore (the default) all.
    const honorAffinity = (constraint.nodeAffinityPolicy ?? 'Honor') === 'Honor'
    const honorTaints = constraint.nodeTaintsPolicy === 'Honor'
    const eligible = nodes.filter(
      (n) =>
        n.node.metadata.labels?.[constraint.topologyKey] !== undefined &&
        (!honorAffinity || podMatchesNodeSelectorAndAffinity(pod, n.node)) &&
        (!honorTaints || !findUntoleratedTaint(n.node.spec?.taints, pod.spec.tolerations)),
    )
    const counts = new Map<string, number>()
    for (const n of eligible) {
      const domain = n.node.metadata.labels![constraint.topologyKey]
      const matching = [...n.pods.values()].filter(
        (p) => p.metadata.namespace === pod.metadata.namespace && !p.metadata.deletionTimestamp && labelSelectorMatches(selector, p.metadata.labels),
      ).length
      counts.set(domain, (counts.get(domain) ?? 0) + matching)
    }
    let globalMin = counts.size ? Math.min(...counts.values()) : 0
    if (constraint.whenUnsatisfiable === 'DoNotSchedule' && constraint.minDomains && counts.size < constraint.minDomains) globalMin = 0
    return { constraint, counts, globalMin, selfMatch: labelSelectorMatches(selector, pod.metadata.labels) }
  })
}

export function podTopologySpread(info: NodeInfo, spreads: readonly SpreadState[]): string | undefined {
  for (const s of spreads) {
    if (s.constraint.whenUnsatisfiable !== 'DoNotSchedule') continue
    const domain = info.node.metadata.labels?.[s.constraint.topologyKey]
    if (domain === undefined) return ERR_REASON_NODE_LABEL_NOT_MATCH
    const skew = (s.counts.get(domain) ?? 0) + (s.selfMatch ? 1 : 0) - s.globalMin
    if (skew > s.constraint.maxSkew) return ERR_REASON_CONSTRAINTS_NOT_MATCH
  }
  return undefined
}
