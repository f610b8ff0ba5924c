// Taints and tolerations, as k8s.io/api/core/v1 (toleration.go, taint.go) defines matching.
//
// Two consumers read them differently:
// - the kube-scheduler's TaintToleration filter only looks at NoSchedule and NoExecute taints
//   (`findUntoleratedTaint`);
// - Karpenter requires *every* taint of a NodePool/node to be tolerated, PreferNoSchedule
//   included, and only relaxes PreferNoSchedule later (core@v0.32.1:pkg/scheduling/taints.go).

import type { Pod, Taint, Toleration } from './types.ts'

export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready'
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable'
export const TAINT_EXTERNAL_CLOUD_PROVIDER = 'node.cloudprovider.kubernetes.io/uninitialized'

/** `Toleration.ToleratesTaint`: empty effect matches all effects, empty key (with Exists) all keys. */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false
  if (toleration.key && toleration.key !== taint.key) return false
  switch (toleration.operator ?? '') {
    case '':
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '')
    case 'Exists':
      return true
    default:
      return false
  }
}

export function tolerationsTolerateTaint(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  if (!tolerations) return false
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true
  return false
}

/** `Taint.MatchTaint`: same key and effect (the value is not compared). */
export function matchTaint(a: Taint, b: Taint): boolean {
  return a.key === b.key && a.effect === b.effect
}

/** `Toleration.MatchToleration`: same key, operator, value and effect. */
export function matchToleration(a: Toleration, b: Toleration): boolean {
  return (
    (a.key ?? '') === (b.key ?? '') && (a.operator ?? '') === (b.operator ?? '') && (a.value ?? '') === (b.value ?? '') && (a.effect ?? '') === (b.effect ?? '')
  )
}

/**
 * The first taint (among those whose effect passes `filter`) that the tolerations do not
 * tolerate, as the kube-scheduler's `v1helper.FindMatchingUntoleratedTaint` finds it.
 */
export function findUntoleratedTaint(
  taints: readonly Taint[] | undefined,
  tolerations: readonly Toleration[] | undefined,
  filter: (t: Taint) => boolean = (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute',
): Taint | undefined {
  for (const taint of taints ?? []) {
    if (!filter(taint)) continue
    if (!tolerationsTolerateTaint(tolerations, taint)) return taint
  }
  return undefined
}

/**
 * Karpenter's `Taints.Tolerates(pod)`: every taint must be tolerated, whatever its effect.
 * Returns the error messages (`did not tolerate key=value:Effect`), empty when all are tolerated.
 */
export function karpenterTolerationErrors(taints: readonly Taint[] | undefined, pod: Pod): string[] {
  const errs: string[] = []
  for (const taint of taints ?? []) {
    if (!tolerationsTolerateTaint(pod.spec.tolerations, taint)) errs.push(`did not tolerate ${taint.key}=${taint.value ?? ''}:${taint.effect}`)
  }
  return errs
}

/** `Taints.Merge`: adds the taints whose (key, effect) is not present yet. */
export function mergeTaints(base: readonly Taint[], extra: readonly Taint[]): Taint[] {
  const out = [...base]
  for (const t of extra) if (!out.some((o) => matchTaint(t, o))) out.push(t)
  return out
}
