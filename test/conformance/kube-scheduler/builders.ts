// Small builders for the conformance tables' objects (plain JSON, as the API server stores them).

import type { LabelSelector, Node, Pod, PodAffinityTerm, Toleration } from '../../../sandbox/k8s/types.ts'

interface PodShape {
  name?: string
  namespace?: string
  labels?: Record<string, string>
  node?: string
  affinity?: PodAffinityTerm[]
  antiAffinity?: PodAffinityTerm[]
  tolerations?: Toleration[]
  spec?: Partial<Pod['spec']>
}

/** A pod (namespace '' and no name unless given, as upstream's st.MakePod()). */
export function pod(shape: PodShape = {}): Pod {
  const p: Pod = {
    metadata: { name: shape.name ?? '', namespace: shape.namespace ?? '', labels: shape.labels },
    spec: { containers: [], ...shape.spec },
  }
  if (shape.node) p.spec.nodeName = shape.node
  if (shape.tolerations) p.spec.tolerations = shape.tolerations
  if (shape.affinity || shape.antiAffinity) {
    p.spec.affinity = {
      ...(shape.affinity && { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: shape.affinity } }),
      ...(shape.antiAffinity && { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: shape.antiAffinity } }),
    }
  }
  return p
}

export function node(name: string, labels: Record<string, string> = {}, spec: Node['spec'] = {}, status: Node['status'] = {}): Node {
  return { metadata: { name, labels }, spec, status }
}

type Op = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'

/** A label selector of one or more match expressions, `[key, op, values?]`. */
export function selector(...exprs: [string, Op, string[]?][]): LabelSelector {
  return { matchExpressions: exprs.map(([key, operator, values]) => (values ? { key, operator, values } : { key, operator })) }
}

/** A pod affinity term over one expression (as upstream's PodAffinityIn / NotIn / Exists builders make). */
export function term(key: string, op: Op, values: string[] | undefined, topologyKey: string, extra: Partial<PodAffinityTerm> = {}): PodAffinityTerm {
  return { labelSelector: selector([key, op, values]), topologyKey, ...extra }
}
