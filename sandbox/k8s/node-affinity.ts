// nodeSelector and node affinity matching, as the kube-scheduler's NodeAffinity plugin does it
// (k8s.io/component-helpers/scheduling/corev1/nodeaffinity):
//
// - `spec.nodeSelector`: every key must be present with exactly that value;
// - required node affinity: the terms are ORed, the expressions (and fields) inside a term ANDed;
//   a term with neither expressions nor fields matches nothing, and so does an empty term list;
// - operators In, NotIn (true when the label is absent), Exists, DoesNotExist, Gt, Lt (both
//   sides parsed as integers; a non-integer label never matches);
// - matchFields supports `metadata.name` only (In / NotIn, one value each), as the API validation enforces;
// - a term with an invalid requirement (a key that is not a qualified name, an In/NotIn value that
//   is not a label value, values where the operator takes none or the wrong count) matches
//   nothing, as `labels.NewRequirement` fails to parse it (nodeaffinity's lazy-error selector).

import type { Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod, PreferredSchedulingTerm } from './types.ts'

export type Labels = Record<string, string> | undefined

const INTEGER = /^[+-]?\d+$/
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

/** `validation.IsQualifiedName`: an optional DNS-subdomain prefix and `/`, then a name of at most 63 characters. */
function isQualifiedName(key: string): boolean {
  const parts = key.split('/')
  if (parts.length > 2) return false
  const name = parts.at(-1)!
  if (parts.length === 2 && (!parts[0] || parts[0].length > 253 || !DNS_SUBDOMAIN.test(parts[0]))) return false
  return name.length > 0 && name.length <= 63 && NAME.test(name)
}

/** Whether `labels.NewRequirement` accepts the requirement. */
function validRequirement(req: NodeSelectorRequirement): boolean {
  const values = req.values ?? []
  if (!isQualifiedName(req.key)) return false
  switch (req.operator) {
    case 'In':
    case 'NotIn':
      return values.length > 0 && values.every((v) => v.length <= 63 && LABEL_VALUE.test(v))
    case 'Exists':
    case 'DoesNotExist':
      return values.length === 0
    case 'Gt':
    case 'Lt':
      return values.length === 1 && INTEGER.test(values[0])
    default:
      return false
  }
}

export function matchNodeSelectorRequirement(req: NodeSelectorRequirement, labels: Labels): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, req.key)
  const value = has ? labels[req.key] : undefined
  const values = req.values ?? []
  switch (req.operator) {
    case 'In':
      return has && values.includes(value!)
    case 'NotIn':
      return !has || !values.includes(value!)
    case 'Exists':
      return has
    case 'DoesNotExist':
      return !has
    case 'Gt':
    case 'Lt': {
      if (!has || values.length !== 1 || !INTEGER.test(value!) || !INTEGER.test(values[0])) return false
      const l = BigInt(value!)
      const r = BigInt(values[0])
      return req.operator === 'Gt' ? l > r : l < r
    }
    default:
      return false
  }
}

/** Fields a node exposes to `matchFields` (only `metadata.name` is supported by Kubernetes). */
function nodeFields(node: Pick<Node, 'metadata'>): Record<string, string> {
  return { 'metadata.name': node.metadata.name ?? '' }
}

export function matchNodeSelectorTerm(term: NodeSelectorTerm, labels: Labels, fields: Record<string, string> = {}): boolean {
  const exprs = term.matchExpressions ?? []
  const fieldReqs = term.matchFields ?? []
  if (exprs.length === 0 && fieldReqs.length === 0) return false
  if (!exprs.every(validRequirement)) return false
  for (const r of exprs) if (!matchNodeSelectorRequirement(r, labels)) return false
  for (const r of fieldReqs) {
    if (r.key !== 'metadata.name' || (r.operator !== 'In' && r.operator !== 'NotIn') || r.values?.length !== 1) return false
    if (!matchNodeSelectorRequirement(r, fields)) return false
  }
  return true
}

/** A required NodeSelector (the terms ORed). */
export function matchNodeSelector(selector: NodeSelector, labels: Labels, fields: Record<string, string> = {}): boolean {
  for (const term of selector.nodeSelectorTerms ?? []) if (matchNodeSelectorTerm(term, labels, fields)) return true
  return false
}

/** `spec.nodeSelector` (a map) against the labels. */
function matchNodeSelectorMap(nodeSelector: Record<string, string> | undefined, labels: Labels): boolean {
  if (!nodeSelector) return true
  for (const [k, v] of Object.entries(nodeSelector)) if (labels?.[k] !== v) return false
  return true
}

/** The kube-scheduler's required part: nodeSelector AND required node affinity. */
export function podMatchesNodeSelectorAndAffinity(pod: Pod, node: Pick<Node, 'metadata'>): boolean {
  const labels = node.metadata.labels ?? {}
  if (!matchNodeSelectorMap(pod.spec.nodeSelector, labels)) return false
  const required = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
  if (required) return matchNodeSelector(required, labels, nodeFields(node))
  return true
}

/** The NodeAffinity score: the summed weights of the preferred terms the node matches. */
export function preferredNodeAffinityScore(terms: readonly PreferredSchedulingTerm[] | undefined, node: Pick<Node, 'metadata'>): number {
  let score = 0
  for (const t of terms ?? []) {
    if (t.weight === 0) continue
    if (matchNodeSelectorTerm(t.preference, node.metadata.labels ?? {}, nodeFields(node))) score += t.weight
  }
  return score
}
