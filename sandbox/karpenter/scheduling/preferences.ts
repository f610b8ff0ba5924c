// Preference relaxation and the scheduling queue.
// Sources: core@v0.32.1:pkg/controllers/provisioning/scheduling/{preferences.go,queue.go}.

import { Quantity } from '../../k8s/quantity.ts'
import { CPU, MEMORY } from '../../k8s/resources.ts'
import { matchToleration } from '../../k8s/taints.ts'
import type { Toleration } from '../../k8s/types.ts'
import type { SchedPod } from './pods.ts'

/**
 * `Preferences.Relax`: drops one soft constraint of a pod that failed to schedule, in Karpenter's
 * order; returns the DEBUG reason (`removing: …`, `adding: …`) or undefined when nothing is left.
 */
export function relax(p: SchedPod, toleratePreferNoSchedule: boolean): string | undefined {
  const pod = p.pod
  const na = pod.spec.affinity?.nodeAffinity
  // 1. the first required node-affinity term, when more than one (they are ORed)
  const terms = na?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []
  if (terms.length > 1) {
    const spec = p.mutableSpec()
    const req = spec.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!
    const [first, ...rest] = req.nodeSelectorTerms
    req.nodeSelectorTerms = rest
    return `removing: spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]=${JSON.stringify(first)}`
  }
  // 2. the heaviest preferred pod-affinity term
  if ((pod.spec.affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0) {
    const spec = p.mutableSpec()
    const list = [...spec.affinity!.podAffinity!.preferredDuringSchedulingIgnoredDuringExecution!].sort((a, b) => b.weight - a.weight)
    spec.affinity!.podAffinity!.preferredDuringSchedulingIgnoredDuringExecution = list.slice(1)
    return `removing: spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]=${JSON.stringify(list[0])}`
  }
  // 3. the heaviest preferred pod-anti-affinity term
  if ((pod.spec.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0) {
    const spec = p.mutableSpec()
    const list = [...spec.affinity!.podAntiAffinity!.preferredDuringSchedulingIgnoredDuringExecution!].sort((a, b) => b.weight - a.weight)
    spec.affinity!.podAntiAffinity!.preferredDuringSchedulingIgnoredDuringExecution = list.slice(1)
    return `removing: spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]=${JSON.stringify(list[0])}`
  }
  // 4. the heaviest preferred node-affinity term
  if ((na?.preferredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0) {
    const spec = p.mutableSpec()
    const list = [...spec.affinity!.nodeAffinity!.preferredDuringSchedulingIgnoredDuringExecution!].sort((a, b) => b.weight - a.weight)
    spec.affinity!.nodeAffinity!.preferredDuringSchedulingIgnoredDuringExecution = list.slice(1)
    return `removing: spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]=${JSON.stringify(list[0])}`
  }
  // 5. a ScheduleAnyway topology spread (swap-remove, as Go does)
  const tscs = pod.spec.topologySpreadConstraints ?? []
  const i = tscs.findIndex((t) => t.whenUnsatisfiable === 'ScheduleAnyway')
  if (i >= 0) {
    const spec = p.mutableSpec()
    const list = spec.topologySpreadConstraints!
    const removed = list[i]
    list[i] = list[list.length - 1]
    list.pop()
    return `removing: spec.topologySpreadConstraints = ${JSON.stringify(removed)}`
  }
  // 6. tolerate PreferNoSchedule taints, when some NodePool has one
  if (toleratePreferNoSchedule) {
    const toleration: Toleration = { operator: 'Exists', effect: 'PreferNoSchedule' }
    if ((pod.spec.tolerations ?? []).some((t) => matchToleration(t, toleration))) return undefined
    const spec = p.mutableSpec()
    spec.tolerations = [...(spec.tolerations ?? []), toleration]
    return 'adding: toleration for PreferNoSchedule taints'
  }
  return undefined
}

function creationMs(p: SchedPod): number {
  const t = p.pod.metadata.creationTimestamp
  return t ? Date.parse(t) : 0
}

/** First-fit-decreasing order: CPU desc, memory desc, older first, then UID. */
function byCpuAndMemoryDescending(a: SchedPod, b: SchedPod): number {
  const cpu = (b.requests[CPU] ?? Quantity.ZERO).cmp(a.requests[CPU] ?? Quantity.ZERO)
  if (cpu !== 0) return cpu
  const mem = (b.requests[MEMORY] ?? Quantity.ZERO).cmp(a.requests[MEMORY] ?? Quantity.ZERO)
  if (mem !== 0) return mem
  const ta = creationMs(a)
  const tb = creationMs(b)
  if (ta !== tb) return ta - tb
  return a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0
}

/**
 * `Queue`: pops pods in FFD order; a pod pushed back without progress marks the queue length, and
 * popping it again at the same length means a full pass made no progress, which ends the loop.
 */
export class Queue {
  pods: SchedPod[]
  #head = 0
  readonly lastLen = new Map<string, number>()

  constructor(pods: SchedPod[]) {
    this.pods = [...pods].sort(byCpuAndMemoryDescending)
  }

  get length(): number {
    return this.pods.length - this.#head
  }

  pop(): SchedPod | undefined {
    if (this.length === 0) return undefined
    const p = this.pods[this.#head]
    if (this.lastLen.get(p.uid) === this.length) return undefined
    this.#head++
    // Compact now and then so the array does not grow without bound.
    if (this.#head > 1024 && this.#head * 2 > this.pods.length) {
      this.pods = this.pods.slice(this.#head)
      this.#head = 0
    }
    return p
  }

  push(p: SchedPod, relaxed: boolean): void {
    this.pods.push(p)
    if (relaxed) this.lastLen.clear()
    else this.lastLen.set(p.uid, this.length)
  }

  /** What is left (the pods that could not be scheduled). */
  list(): SchedPod[] {
    return this.pods.slice(this.#head)
  }
}
