// The InterPodAffinity filter (kubernetes pkg/scheduler/framework/plugins/interpodaffinity/filtering.go).
//
// PreFilter (`interPodAffinityState`) counts, per topology pair (key, value) of the nodes:
// - affinity: existing pods that match *all* of the pod's required affinity terms, once per term
//   whose topology key the pod's node has;
// - anti-affinity: for each of the pod's required anti-affinity terms, the existing pods it matches;
// - existing anti-affinity: for each required anti-affinity term of an existing pod, whether it
//   matches the incoming pod (symmetry).
// Filter (`interPodAffinityFilter`) then judges one node: every affinity term's topology key must be
// on the node and its pair counted — unless no pod anywhere matches the terms and the pod matches
// its own terms (the first pod of a self-affine group, `satisfyPodAffinity`); no anti-affinity
// pair of the node counted; no existing pod's anti-affinity pair among the node's labels.
//
// A term's namespaces: its `namespaces` and those its `namespaceSelector` selects (nil selects
// none, {} all); the pod's own namespace when both are empty.

import { labelSelectorMatches } from '../../k8s/label-selector.ts'
import type { Node, Pod, PodAffinityTerm } from '../../k8s/types.ts'
import type { NodeInfo } from './node-info.ts'

const ERR_REASON_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod affinity rules"
const ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod anti-affinity rules"
const ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't satisfy existing pods anti-affinity rules"

/** The labels of a namespace (undefined when it does not exist). */
export type NamespaceLabels = (namespace: string) => Record<string, string> | undefined

export interface InterPodAffinityState {
  affinityTerms: readonly PodAffinityTerm[]
  antiAffinityTerms: readonly PodAffinityTerm[]
  /** Whether the pod matches all its own affinity terms. */
  selfAffine: boolean
  affinityCounts: Map<string, number>
  antiAffinityCounts: Map<string, number>
  existingAntiAffinityCounts: Map<string, number>
}

const pair = (key: string, value: string) => `${key}\u0000${value}`

/** Whether the term (of `owner`) selects `pod`: its namespace is among the term's, and its labels match. */
function termMatches(term: PodAffinityTerm, owner: Pod, pod: Pod, namespaceLabels: NamespaceLabels): boolean {
  const ns = pod.metadata.namespace ?? ''
  const listed = term.namespaces ?? []
  const inNamespaces =
    listed.length === 0 && !term.namespaceSelector
      ? ns === (owner.metadata.namespace ?? '')
      : listed.includes(ns) || (!!term.namespaceSelector && labelSelectorMatches(term.namespaceSelector, namespaceLabels(ns) ?? {}))
  return inNamespaces && labelSelectorMatches(term.labelSelector, pod.metadata.labels)
}

function count(counts: Map<string, number>, node: Node, topologyKey: string): void {
  const value = node.metadata.labels?.[topologyKey]
  if (value === undefined) return
  const key = pair(topologyKey, value)
  counts.set(key, (counts.get(key) ?? 0) + 1)
}

export function interPodAffinityState(pod: Pod, all: readonly NodeInfo[], namespaceLabels: NamespaceLabels = () => undefined): InterPodAffinityState {
  const affinityTerms = pod.spec.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []
  const antiAffinityTerms = pod.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []
  const affinityCounts = new Map<string, number>()
  const antiAffinityCounts = new Map<string, number>()
  const existingAntiAffinityCounts = new Map<string, number>()
  for (const info of all) {
    for (const existing of info.pods.values()) {
      if (affinityTerms.length && affinityTerms.every((t) => termMatches(t, pod, existing, namespaceLabels))) {
        for (const t of affinityTerms) count(affinityCounts, info.node, t.topologyKey)
      }
      for (const t of antiAffinityTerms) if (termMatches(t, pod, existing, namespaceLabels)) count(antiAffinityCounts, info.node, t.topologyKey)
      for (const t of existing.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
        if (termMatches(t, existing, pod, namespaceLabels)) count(existingAntiAffinityCounts, info.node, t.topologyKey)
      }
    }
  }
  const selfAffine = affinityTerms.every((t) => termMatches(t, pod, pod, namespaceLabels))
  return { affinityTerms, antiAffinityTerms, selfAffine, affinityCounts, antiAffinityCounts, existingAntiAffinityCounts }
}

export function interPodAffinityFilter(state: InterPodAffinityState, info: NodeInfo): string | undefined {
  const labels = info.node.metadata.labels ?? {}
  let podsExist = true
  for (const t of state.affinityTerms) {
    const value = labels[t.topologyKey]
    if (value === undefined) return ERR_REASON_AFFINITY_RULES_NOT_MATCH
    if (!state.affinityCounts.get(pair(t.topologyKey, value))) podsExist = false
  }
  // The first pod of a group with affinity to itself: nothing matches anywhere yet.
  if (!podsExist && !(state.affinityCounts.size === 0 && state.selfAffine)) return ERR_REASON_AFFINITY_RULES_NOT_MATCH
  for (const t of state.antiAffinityTerms) {
    const value = labels[t.topologyKey]
    if (value !== undefined && state.antiAffinityCounts.get(pair(t.topologyKey, value))) return ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH
  }
  if (state.existingAntiAffinityCounts.size) {
    for (const [key, value] of Object.entries(labels)) {
      if (state.existingAntiAffinityCounts.get(pair(key, value))) return ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH
    }
  }
  return undefined
}

/** PreFilter and Filter for one node (the state is better computed once per pod: see filter.ts). */
export function interPodAffinity(pod: Pod, info: NodeInfo, all: readonly NodeInfo[], namespaceLabels?: NamespaceLabels): string | undefined {
  return interPodAffinityFilter(interPodAffinityState(pod, all, namespaceLabels), info)
}
