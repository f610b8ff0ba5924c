// Pod predicates and the per-pod facts the scheduling simulation reads again and again.
// Sources: core@v0.32.1:pkg/utils/pod/scheduling.go, pkg/scheduling/hostportusage.go,
// pkg/controllers/provisioning/provisioner.go (Validate).

import { requestsForPods, type ResourceList } from '../../k8s/resources.ts'
import type { Pod } from '../../k8s/types.ts'
import { ANNOTATION_DO_NOT_DISRUPT, ANNOTATION_DO_NOT_EVICT, LABEL_NODEPOOL, LABEL_PROVISIONER_NAME, validateRequirement } from '../labels.ts'
import { Requirements } from '../requirements.ts'

export function podKey(pod: Pod): string {
  return `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name ?? ''}`
}

export function podUid(pod: Pod): string {
  return pod.metadata.uid ?? podKey(pod)
}

export function isScheduled(pod: Pod): boolean {
  return !!pod.spec.nodeName
}

function isPreempting(pod: Pod): boolean {
  return !!pod.status?.nominatedNodeName
}

function failedToSchedule(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable')
}

function isOwnedBy(pod: Pod, apiVersion: string, kind: string): boolean {
  return (pod.metadata.ownerReferences ?? []).some((o) => o.apiVersion === apiVersion && o.kind === kind)
}

export function isOwnedByDaemonSet(pod: Pod): boolean {
  return isOwnedBy(pod, 'apps/v1', 'DaemonSet')
}

/** A static (mirror) pod, owned by its Node. */
export function isOwnedByNode(pod: Pod): boolean {
  return isOwnedBy(pod, 'v1', 'Node')
}

export function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded'
}

export function isTerminating(pod: Pod): boolean {
  return !!pod.metadata.deletionTimestamp
}

/** `pod.IsProvisionable`: unbound, not preempting, marked Unschedulable, not a DaemonSet/static pod. */
export function isProvisionable(pod: Pod): boolean {
  return !isScheduled(pod) && !isPreempting(pod) && failedToSchedule(pod) && !isOwnedByDaemonSet(pod) && !isOwnedByNode(pod)
}

/** `node.GetNodePods`: the pods on a node that would have to move (not DaemonSet, static, terminal or terminating). */
export function reschedulablePods(pods: readonly Pod[]): Pod[] {
  return pods.filter((p) => !isOwnedByNode(p) && !isOwnedByDaemonSet(p) && !isTerminal(p) && !isTerminating(p))
}

/**
 * Karpenter 1.x `pod.IsReschedulable` (core@v1.9.1 pkg/utils/pod/scheduling.go): as above, but a
 * terminating StatefulSet pod still needs a place (its replacement is created only once it is gone).
 */
export function reschedulablePodsV1(pods: readonly Pod[]): Pod[] {
  const active = (p: Pod) => !isTerminal(p) && !isTerminating(p)
  return pods.filter((p) => (active(p) || (isOwnedBy(p, 'apps/v1', 'StatefulSet') && isTerminating(p))) && !isOwnedByDaemonSet(p) && !isOwnedByNode(p))
}

/** `pod.HasDoNotDisrupt`: `karpenter.sh/do-not-disrupt: "true"` or v1alpha5 `do-not-evict: "true"`. */
export function hasDoNotDisrupt(pod: Pod): boolean {
  const a = pod.metadata.annotations
  return a?.[ANNOTATION_DO_NOT_EVICT] === 'true' || a?.[ANNOTATION_DO_NOT_DISRUPT] === 'true'
}

export function hasPodAntiAffinity(pod: Pod): boolean {
  const aa = pod.spec.affinity?.podAntiAffinity
  return !!aa && ((aa.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0 || (aa.preferredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0)
}

function hasPreferredNodeAffinity(pod: Pod): boolean {
  return (pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0
}

/**
 * provisioner.go `Validate` (without the PVC checks): why the provisioner ignores a pod
 * (`DEBUG ignoring pod, <reason>`), or undefined when the pod is acceptable.
 */
export function validatePod(pod: Pod): string | undefined {
  const errs: string[] = []
  const reqs = Requirements.forPod(pod)
  if (
    reqs.has(LABEL_PROVISIONER_NAME) &&
    reqs.get(LABEL_PROVISIONER_NAME).operator() === 'DoesNotExist' &&
    reqs.has(LABEL_NODEPOOL) &&
    reqs.get(LABEL_NODEPOOL).operator() === 'DoesNotExist'
  ) {
    errs.push(
      `configured to not run on a Karpenter provisioned node via ${LABEL_PROVISIONER_NAME} DoesNotExist and ${LABEL_NODEPOOL} DoesNotExist requirements`,
    )
  }
  const terms = Object.entries(pod.spec.nodeSelector ?? {}).map(([k, v]) => ({
    matchExpressions: [{ key: k, operator: 'In', values: [v] }] as { key: string; operator: string; values?: string[] }[],
    matchFields: undefined as unknown[] | undefined,
  }))
  const na = pod.spec.affinity?.nodeAffinity
  for (const t of na?.preferredDuringSchedulingIgnoredDuringExecution ?? [])
    terms.push({ matchExpressions: t.preference.matchExpressions ?? [], matchFields: t.preference.matchFields })
  for (const t of na?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [])
    terms.push({ matchExpressions: t.matchExpressions ?? [], matchFields: t.matchFields })
  for (const term of terms) {
    if (term.matchFields !== undefined && term.matchFields !== null) errs.push('node selector term with matchFields is not supported')
    for (const r of term.matchExpressions) {
      // A requirement passes when it is valid for either API version (v1alpha5 adds provisioner-name).
      if (r.key === LABEL_PROVISIONER_NAME) continue
      errs.push(...validateRequirement(r))
    }
  }
  return errs.length > 0 ? errs.join('; ') : undefined
}

// ---- host ports ----

export interface HostPort {
  ip: string
  port: number
  protocol: string
}

/** `GetHostPorts`: container ports with a hostPort (hostIP defaults to 0.0.0.0). */
export function hostPortsOf(pod: Pod): HostPort[] {
  const out: HostPort[] = []
  for (const c of pod.spec.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue
      out.push({ ip: p.hostIP || '0.0.0.0', port: p.hostPort, protocol: p.protocol ?? '' })
    }
  }
  return out
}

function unspecified(ip: string): boolean {
  return ip === '0.0.0.0' || ip === '::' || ip === ''
}

function hostPortMatches(a: HostPort, b: HostPort): boolean {
  if (a.protocol !== b.protocol || a.port !== b.port) return false
  return a.ip === b.ip || unspecified(a.ip) || unspecified(b.ip)
}

function hostPortString(p: HostPort): string {
  return `IP=${p.ip} Port=${p.port} Proto=${p.protocol}`
}

/** `HostPortUsage`: the <ip, port, protocol> triples in use on one node, per pod. */
export class HostPortUsage {
  readonly reserved = new Map<string, HostPort[]>()

  add(pod: Pod, ports: HostPort[]): void {
    this.reserved.set(podKey(pod), ports)
  }

  /** The conflict message, or undefined. */
  conflicts(pod: Pod, ports: HostPort[]): string | undefined {
    const self = podKey(pod)
    for (const p of ports) {
      for (const [key, entries] of this.reserved) {
        if (key === self) continue
        for (const e of entries) if (hostPortMatches(p, e)) return `${hostPortString(p)} conflicts with existing HostPort configuration ${hostPortString(e)}`
      }
    }
    return undefined
  }

  copy(): HostPortUsage {
    const u = new HostPortUsage()
    for (const [k, v] of this.reserved) u.reserved.set(k, v)
    return u
  }
}

// ---- the working copy of a pod in one simulation ----

/**
 * One pod as the simulation sees it. Relaxation edits the pod spec (Karpenter mutates its copy
 * of the pod), so the simulation works on a clone and keeps the caller's object untouched.
 */
export class SchedPod {
  readonly original: Pod
  pod: Pod
  readonly uid: string
  readonly key: string
  readonly requests: ResourceList
  readonly hostPorts: HostPort[]
  #requirements: Requirements | undefined
  #strict: Requirements | undefined
  #cloned = false

  constructor(pod: Pod) {
    this.original = pod
    this.pod = pod
    this.uid = podUid(pod)
    this.key = podKey(pod)
    this.requests = requestsForPods(pod)
    this.hostPorts = hostPortsOf(pod)
  }

  /** `NewPodRequirements` (heaviest preferred node affinity included). */
  requirements(): Requirements {
    return (this.#requirements ??= Requirements.forPod(this.pod))
  }

  /** The requirements that narrow topology domains: strict ones when preferences exist. */
  strictRequirements(): Requirements {
    if (!hasPreferredNodeAffinity(this.pod)) return this.requirements()
    return (this.#strict ??= Requirements.forPod(this.pod, true))
  }

  /** A mutable spec for relaxation; drops the cached requirements. */
  mutableSpec(): Pod['spec'] {
    if (!this.#cloned) {
      this.pod = structuredClone(this.pod)
      this.#cloned = true
    }
    this.#requirements = undefined
    this.#strict = undefined
    return this.pod.spec
  }
}
