// NodeClaim templates (one per NodePool) and the NodeClaims planned during a simulation.
// Sources: core@v0.32.1:pkg/controllers/provisioning/scheduling/{nodeclaimtemplate.go,
// nodeclaim.go}.
//
// A planned NodeClaim accumulates pods while at least one of its candidate instance types can
// still hold the DaemonSet overhead plus all its pods, satisfies the merged requirements and has
// an available offering for them; adding a pod narrows the candidates.

import { Quantity } from '../../k8s/quantity.ts'
import { CPU, fits, merge, resourcesString, type ResourceList } from '../../k8s/resources.ts'
import { karpenterTolerationErrors } from '../../k8s/taints.ts'
import type { Pod, Taint } from '../../k8s/types.ts'
import type { KubeletConfiguration, NodeClassRef, NodePool } from '../api.ts'
import type { InstanceType } from '../instance-types.ts'
import { LABEL_CAPACITY_TYPE, LABEL_HOSTNAME, LABEL_NODEPOOL, LABEL_ZONE } from '../labels.ts'
import { ALLOW_UNDEFINED_WELL_KNOWN, Requirement, Requirements } from '../requirements.ts'
import { HostPortUsage, type SchedPod } from './pods.ts'
import type { Topology } from './topology.ts'

export interface NodeClaimTemplate {
  nodePoolName: string
  nodePool: NodePool
  /** Template labels + `karpenter.sh/nodepool`. */
  labels: Record<string, string>
  annotations: Record<string, string>
  taints: Taint[]
  startupTaints: Taint[]
  kubelet: KubeletConfiguration | undefined
  nodeClassRef: NodeClassRef | undefined
  /** Template requirements ∩ template labels. */
  requirements: Requirements
}

/** `NewNodeClaimTemplate`. */
export function nodeClaimTemplate(nodePool: NodePool): NodeClaimTemplate {
  const name = nodePool.metadata.name ?? ''
  const spec = nodePool.spec.template.spec
  const labels = { ...(nodePool.spec.template.metadata?.labels ?? {}), [LABEL_NODEPOOL]: name }
  const requirements = Requirements.fromNodeSelector(spec.requirements)
  requirements.add(...Requirements.fromLabels(labels).values())
  return {
    nodePoolName: name,
    nodePool,
    labels,
    annotations: { ...(nodePool.spec.template.metadata?.annotations ?? {}) },
    taints: spec.taints ?? [],
    startupTaints: spec.startupTaints ?? [],
    kubelet: spec.kubelet,
    nodeClassRef: spec.nodeClassRef,
    requirements,
  }
}

// ---- instance type filtering ----

interface FilterResults {
  remaining: InstanceType[]
  requirementsMet: boolean
  fits: boolean
  hasOffering: boolean
  requirementsAndFits: boolean
  requirementsAndOffering: boolean
  fitsAndOffering: boolean
  requests: ResourceList
}

const ONE_MILLION = Quantity.parse('1M')

/** `filterResults.FailureReason`: why every instance type was filtered out. */
function failureReason(r: FilterResults): string {
  if (r.remaining.length > 0) return ''
  if (!r.requirementsMet && !r.fits && !r.hasOffering)
    return 'no instance type met the scheduling requirements or had enough resources or had a required offering'
  if (!r.requirementsMet && !r.fits) return 'no instance type met the scheduling requirements or had enough resources'
  if (!r.requirementsMet && !r.hasOffering) return 'no instance type met the scheduling requirements or had a required offering'
  if (!r.fits && !r.hasOffering) return 'no instance type had enough resources or had a required offering'
  if (!r.requirementsMet) return 'no instance type met all requirements'
  if (!r.fits) {
    let msg = 'no instance type has enough resources'
    if ((r.requests[CPU] ?? Quantity.ZERO).cmp(ONE_MILLION) >= 0) msg += ' (CPU request >= 1 Million, m vs M typo?)'
    return msg
  }
  if (!r.hasOffering) return 'no instance type has the required offering'
  if (r.requirementsAndFits) return 'no instance type which met the scheduling requirements and had enough resources, had a required offering'
  if (r.fitsAndOffering) return 'no instance type which had enough resources and the required offering met the scheduling requirements'
  if (r.requirementsAndOffering) return 'no instance type which met the scheduling requirements and the required offering had the required resources'
  return 'no instance type met the requirements/resources/offering tuple'
}

/** `hasOffering`: an available offering in an allowed zone with an allowed capacity type. */
function hasOffering(it: InstanceType, reqs: Requirements): boolean {
  const zone = reqs.has(LABEL_ZONE) ? reqs.get(LABEL_ZONE) : undefined
  const ct = reqs.has(LABEL_CAPACITY_TYPE) ? reqs.get(LABEL_CAPACITY_TYPE) : undefined
  for (const o of it.offerings) if (o.available && (!zone || zone.has(o.zone)) && (!ct || ct.has(o.capacityType))) return true
  return false
}

/** Some instance type meets the requirements and has an available offering for them (1.9's NodePool pre-filter). */
export function hasCompatibleInstanceType(types: readonly InstanceType[], reqs: Requirements): boolean {
  return types.some((it) => it.requirements.intersectsOk(reqs) && hasOffering(it, reqs))
}

/**
 * Memo of the requirement-dependent checks (compatible, has offering) per instance type and
 * requirement set: adding a pod rarely changes the NodeClaim's requirements, while every add
 * re-filters the candidates. Instance types are immutable once built, so the memo is shared by
 * all simulations (a provisioning round and the consolidation simulations that follow reuse it);
 * it lives as long as the instance type objects do.
 */
export class FilterCache {
  static readonly #shared = new WeakMap<InstanceType, Map<string, number>>()
  static readonly MAX_SIGNATURES_PER_TYPE = 512

  flags(it: InstanceType, reqs: Requirements, signature: string): number {
    let m = FilterCache.#shared.get(it)
    if (!m) FilterCache.#shared.set(it, (m = new Map<string, number>()))
    let f = m.get(signature)
    if (f === undefined) {
      f = (it.requirements.intersectsOk(reqs) ? 1 : 0) | (hasOffering(it, reqs) ? 2 : 0)
      if (m.size >= FilterCache.MAX_SIGNATURES_PER_TYPE) m.clear()
      m.set(signature, f)
    }
    return f
  }
}

/** `filterInstanceTypesByRequirements`: the types meeting requirements, resources and offerings. */
function filterInstanceTypes(types: readonly InstanceType[], reqs: Requirements, requests: ResourceList, cache: FilterCache): FilterResults {
  const signature = reqs.signature()
  const r: FilterResults = {
    remaining: [],
    requirementsMet: false,
    fits: false,
    hasOffering: false,
    requirementsAndFits: false,
    requirementsAndOffering: false,
    fitsAndOffering: false,
    requests,
  }
  for (const it of types) {
    const f = cache.flags(it, reqs, signature)
    const compat = (f & 1) !== 0
    const offering = (f & 2) !== 0
    const itFits = fits(requests, it.allocatable)
    r.requirementsMet ||= compat
    r.fits ||= itFits
    r.hasOffering ||= offering
    r.requirementsAndFits ||= compat && itFits && !offering
    r.requirementsAndOffering ||= compat && offering && !itFits
    r.fitsAndOffering ||= itFits && offering && !compat
    if (compat && itFits && offering) r.remaining.push(it)
  }
  return r
}

/** `InstanceTypeList`: the first five names then ` and N other(s)`. */
export function instanceTypeList(names: readonly string[]): string {
  if (names.length <= 5) return names.join(', ')
  return `${names.slice(0, 5).join(', ')} and ${names.length - 5} other(s)`
}

/** Why a pod was refused, rendered only when Karpenter would report it. */
export type Rejection = () => string

let placeholderSeq = 0

/** A NodeClaim being planned in this simulation. */
export class PlannedNodeClaim {
  readonly template: NodeClaimTemplate
  readonly hostname: string
  readonly pods: SchedPod[] = []
  requirements: Requirements
  instanceTypeOptions: InstanceType[]
  /** DaemonSet overhead + the pods so far (the NodeClaim's `spec.resources.requests`). */
  requests: ResourceList
  readonly daemonResources: ResourceList
  readonly hostPortUsage = new HostPortUsage()
  readonly #topology: Topology
  readonly #cache: FilterCache

  constructor(template: NodeClaimTemplate, topology: Topology, daemonResources: ResourceList, instanceTypes: InstanceType[], cache: FilterCache) {
    this.template = template
    this.hostname = `hostname-placeholder-${String(++placeholderSeq).padStart(4, '0')}`
    topology.register(LABEL_HOSTNAME, this.hostname)
    this.requirements = template.requirements.copy().add(Requirement.of(LABEL_HOSTNAME, 'In', [this.hostname]))
    this.instanceTypeOptions = instanceTypes
    this.requests = daemonResources
    this.daemonResources = daemonResources
    this.#topology = topology
    this.#cache = cache
  }

  get nodePoolName(): string {
    return this.template.nodePoolName
  }

  /** The pods placed on this NodeClaim, as the caller passed them in. */
  podList(): Pod[] {
    return this.pods.map((p) => p.original)
  }

  /** `NodeClaim.Add`: undefined when the pod now belongs to this NodeClaim, else why not (built on demand). */
  add(p: SchedPod): Rejection | undefined {
    const pod = p.pod
    const taintErrs = karpenterTolerationErrors(this.template.taints, pod)
    if (taintErrs.length > 0) return () => taintErrs.join('; ')
    const conflict = this.hostPortUsage.conflicts(pod, p.hostPorts)
    if (conflict) return () => `checking host port usage, ${conflict}`

    const reqs = this.requirements.copy()
    const podReqs = p.requirements()
    if (!reqs.isCompatible(podReqs, ALLOW_UNDEFINED_WELL_KNOWN))
      return () => `incompatible requirements, ${reqs.compatible(podReqs, ALLOW_UNDEFINED_WELL_KNOWN).join('; ')}`
    reqs.add(...podReqs.values())

    const topo = this.#topology.addRequirements(p.strictRequirements(), reqs, pod, ALLOW_UNDEFINED_WELL_KNOWN, this.template.taints)
    if ('error' in topo) return topo.error
    if (!reqs.isCompatible(topo.requirements, ALLOW_UNDEFINED_WELL_KNOWN))
      return () => reqs.compatible(topo.requirements, ALLOW_UNDEFINED_WELL_KNOWN).join('; ')
    reqs.add(...topo.requirements.values())

    const requests = merge(this.requests, p.requests)
    const filtered = filterInstanceTypes(this.instanceTypeOptions, reqs, requests, this.#cache)
    if (filtered.remaining.length === 0) {
      return () =>
        `no instance type satisfied resources ${resourcesString(merge(this.daemonResources, p.requests))} and requirements ${reqs.toString()} (${failureReason(filtered)})`
    }
    this.pods.push(p)
    this.instanceTypeOptions = filtered.remaining
    this.requests = requests
    this.requirements = reqs
    this.#topology.record(pod, reqs, ALLOW_UNDEFINED_WELL_KNOWN, this.template.taints)
    this.hostPortUsage.add(pod, p.hostPorts)
    return undefined
  }

  /** `FinalizeScheduling`: the hostname placeholder is not passed on. */
  finalize(): void {
    this.requirements = this.requirements.copy().delete(LABEL_HOSTNAME)
  }
}
