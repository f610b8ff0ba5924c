// ResourceList arithmetic with Kubernetes' (and Karpenter's) semantics.
//
// A pod's requests are what both the kube-scheduler and Karpenter bin-pack: the sum over its
// containers, raised to each init container's request where that is larger, plus
// `spec.overhead`; a container that sets only a limit requests that limit. Karpenter adds
// `pods: 1` per pod (core@v0.32.1:pkg/utils/resources/resources.go: RequestsForPods, Ceiling,
// MergeResourceLimitsIntoRequests).

import { Quantity, toQuantity } from './quantity.ts'
import type { Container, Pod, RawResourceList } from './types.ts'

/** A parsed resource list: resource name → quantity. */
export type ResourceList = Record<string, Quantity>

export const CPU = 'cpu'
export const MEMORY = 'memory'
export const PODS = 'pods'
export const EPHEMERAL_STORAGE = 'ephemeral-storage'

export function parseResourceList(raw: RawResourceList | ResourceList | undefined | null): ResourceList {
  const out: ResourceList = {}
  if (!raw) return out
  for (const [name, v] of Object.entries(raw as Record<string, string | number | Quantity>)) out[name] = toQuantity(v)
  return out
}

/** Sums the lists (`resources.Merge`): each sum keeps the format of its first non-zero addend. */
export function merge(...lists: (ResourceList | undefined)[]): ResourceList {
  const out: ResourceList = {}
  for (const list of lists) {
    if (!list) continue
    for (const name in list) out[name] = (out[name] ?? Quantity.ZERO).add(list[name])
  }
  return out
}

/** `resources.Subtract`: lhs − rhs over lhs's names only. */
export function subtract(lhs: ResourceList, rhs: ResourceList): ResourceList {
  const out: ResourceList = {}
  for (const name in lhs) out[name] = rhs[name] ? lhs[name].sub(rhs[name]) : lhs[name]
  return out
}

/** `resources.MaxResources`: the largest quantity per name (the first one wins ties). */
export function maxResources(...lists: (ResourceList | undefined)[]): ResourceList {
  const out: ResourceList = {}
  for (const list of lists) {
    if (!list) continue
    for (const name in list) {
      const cur = out[name]
      if (cur === undefined || list[name].cmp(cur) > 0) out[name] = list[name]
    }
  }
  return out
}

/**
 * `resources.Fits`: every candidate quantity ≤ the total's (a name missing from total counts as
 * zero), and no total quantity is negative.
 */
export function fits(candidate: ResourceList, total: ResourceList): boolean {
  for (const name in total) if (total[name].nano < 0n) return false
  for (const name in candidate) {
    const t = total[name]
    if (candidate[name].nano > (t === undefined ? 0n : t.nano)) return false
  }
  return true
}

/** `fits(merge(a, b), total)` without building the merged list. */
export function fitsSum(a: ResourceList, b: ResourceList, total: ResourceList): boolean {
  for (const name in total) if (total[name].nano < 0n) return false
  for (const name in a) {
    const t = total[name]
    if (a[name].nano + (b[name]?.nano ?? 0n) > (t === undefined ? 0n : t.nano)) return false
  }
  for (const name in b) {
    if (name in a) continue
    const t = total[name]
    if (b[name].nano > (t === undefined ? 0n : t.nano)) return false
  }
  return true
}

/** Drops zero quantities (what Karpenter writes into NodeClaim status and logs). */
export function withoutZeros(list: ResourceList): ResourceList {
  const out: ResourceList = {}
  for (const name in list) if (!list[name].isZero()) out[name] = list[name]
  return out
}

/** A container's requests with limits filling in absent requests. */
function containerRequests(container: Container): ResourceList {
  const requests = parseResourceList(container.resources?.requests)
  const limits = container.resources?.limits
  if (limits) for (const [name, v] of Object.entries(limits)) if (!(name in requests)) requests[name] = toQuantity(v)
  return requests
}

export interface PodResources {
  requests: ResourceList
  limits: ResourceList
}

/** `resources.Ceiling`: sum of containers, max with each init container, plus overhead. */
export function ceiling(pod: Pod): PodResources {
  let requests: ResourceList = {}
  let limits: ResourceList = {}
  for (const c of pod.spec.containers ?? []) {
    requests = merge(requests, containerRequests(c))
    limits = merge(limits, parseResourceList(c.resources?.limits))
  }
  for (const c of pod.spec.initContainers ?? []) {
    requests = maxResources(requests, containerRequests(c))
    limits = maxResources(limits, parseResourceList(c.resources?.limits))
  }
  if (pod.spec.overhead) requests = merge(requests, parseResourceList(pod.spec.overhead))
  return { requests, limits }
}

/** `resources.RequestsForPods`: the pods' summed requests plus `pods: <count>` (DecimalExponent). */
export function requestsForPods(...pods: Pod[]): ResourceList {
  const merged = merge(...pods.map((p) => ceiling(p).requests))
  merged[PODS] = Quantity.of(pods.length, 'DecimalExponent')
  return merged
}

/** The resource list as JSON-ready strings, keys sorted as Go's encoding/json sorts map keys. */
export function toStringMap(list: ResourceList): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of Object.keys(list).sort()) out[name] = list[name].toString()
  return out
}

/** `resources.String` / `pretty.Concise`: compact JSON with sorted keys, `{}` when empty. */
export function resourcesString(list: ResourceList): string {
  return JSON.stringify(toStringMap(list))
}
