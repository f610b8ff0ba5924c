// Topology spread, pod affinity and pod anti-affinity during Karpenter's simulation.
// Sources: core@v0.32.1:pkg/controllers/provisioning/scheduling/{topology.go,topologygroup.go,
// topologynodefilter.go}.
//
// A TopologyGroup counts matching pods per domain of one topology key (zone, hostname,
// capacity type, …). The domain universe comes from the NodePools' requirements and their
// instance types (see `buildDomains`), plus every hostname (existing node or planned NodeClaim)
// registered along the way. When a pod is placed, the group's rule narrows the NodeClaim's
// requirement for the key to the allowed domain(s); once the domain is single-valued the placement
// is recorded in every group that counts the pod.
//
// Go iterates the domain map in random order and keeps the first best domain; the twin collects
// the tied best domains and lets the injected Rng choose, which is the same distribution.
//
// The 1.x line (`TopologyOptions.v1`, core@v1.9.1 topology.go, topologygroup.go,
// topologynodefilter.go, topologydomaingroup.go) adds to spread constraints: `matchLabelKeys`, the
// node inclusion policies (`nodeTaintsPolicy`, default Ignore; `nodeAffinityPolicy`, default
// Honor), domains offered only by NodePools whose taints the pod tolerates under taint Honor, and
// the domains of existing Nodes the constraint's filter matches even without pods.

import { labelSelectorMatcher } from '../../k8s/label-selector.ts'
import { karpenterTolerationErrors } from '../../k8s/taints.ts'
import type { LabelSelector, Pod, Taint, TopologySpreadConstraint } from '../../k8s/types.ts'
import { LABEL_HOSTNAME } from '../labels.ts'
import { Requirement, Requirements, type CompatibilityOptions } from '../requirements.ts'
import type { Rng } from '../rng.ts'
import { hasPodAntiAffinity, isScheduled, isTerminal, isTerminating, podUid, type SchedPod } from './pods.ts'

export type TopologyType = 'topology spread' | 'pod affinity' | 'pod anti-affinity'

/** The cluster as topology counting needs it: bound pods and the labels of their nodes. */
export interface TopologyCluster {
  pods: readonly Pod[]
  nodes: readonly { name: string; labels: Record<string, string>; taints?: readonly Taint[] }[]
  /** Namespaces with labels, for `namespaceSelector` terms. */
  namespaces?: readonly { name: string; labels?: Record<string, string> }[]
}

/** The 1.x node inclusion policies of a spread constraint (topologygroup.go NewTopologyGroup defaults). */
interface InclusionPolicy {
  taints: string
  affinity: string
}

/** Options of the 1.x line; the v0.32 twin passes none. */
export interface TopologyOptions {
  v1?: boolean
  /** Per key, per domain, the taint sets of the NodePools offering it (topologydomaingroup.go). */
  domainTaints?: ReadonlyMap<string, ReadonlyMap<string, readonly (readonly Taint[])[]>>
}

/**
 * `TopologyNodeFilter`: a node counts for a spread constraint when it matches the pod's
 * nodeSelector and one of its required node-affinity terms. In 1.x, affinity policy Ignore counts
 * every node, and taint policy Honor only nodes whose taints the pod tolerates.
 */
export class TopologyNodeFilter {
  readonly terms: Requirements[]
  readonly #pod: Pod | undefined
  readonly policy: InclusionPolicy | undefined

  constructor(pod: Pod | undefined, policy?: InclusionPolicy) {
    this.terms = []
    this.#pod = pod
    this.policy = policy
    if (!pod) return
    const base = Requirements.fromLabels(pod.spec.nodeSelector)
    const required = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
    if (!required) {
      this.terms.push(base)
      return
    }
    for (const term of required.nodeSelectorTerms ?? []) {
      const r = base.copy()
      r.add(...Requirements.fromNodeSelector(term.matchExpressions).values())
      this.terms.push(r)
    }
  }

  matchesLabels(labels: Record<string, string>, taints?: readonly Taint[]): boolean {
    return this.matchesRequirements(Requirements.fromLabels(labels), {}, taints)
  }

  matchesRequirements(reqs: Requirements, options: CompatibilityOptions = {}, taints?: readonly Taint[]): boolean {
    if (this.policy?.taints === 'Honor' && this.#pod && karpenterTolerationErrors(taints, this.#pod).length > 0) return false
    if (this.terms.length === 0 || this.policy?.affinity === 'Ignore') return true
    for (const t of this.terms) if (reqs.isCompatible(t, options)) return true
    return false
  }

  signature(): string {
    const terms = this.terms.map((t) => t.signature()).join('|')
    if (!this.policy) return terms
    return JSON.stringify([terms, this.policy.taints, this.policy.affinity, this.#pod?.spec.tolerations ?? []])
  }
}

export class TopologyGroup {
  readonly type: TopologyType
  readonly key: string
  readonly maxSkew: number
  readonly minDomains: number | undefined
  readonly namespaces: ReadonlySet<string>
  readonly selector: LabelSelector | null | undefined
  readonly nodeFilter: TopologyNodeFilter
  readonly owners = new Set<string>()
  readonly domains = new Map<string, number>()
  /** The domains whose count is still 0 (anti-affinity asks for those). */
  readonly #zeroDomains = new Set<string>()

  constructor(
    type: TopologyType,
    key: string,
    pod: Pod,
    namespaces: ReadonlySet<string>,
    selector: LabelSelector | null | undefined,
    maxSkew: number,
    minDomains: number | undefined,
    domains: ReadonlySet<string> | undefined,
    policy?: InclusionPolicy,
    domainTaints?: ReadonlyMap<string, readonly (readonly Taint[])[]>,
  ) {
    this.type = type
    this.key = key
    this.namespaces = namespaces
    this.selector = selector
    this.maxSkew = maxSkew
    this.minDomains = minDomains
    // The nil filter (always passes) is what affinity and anti-affinity use.
    this.nodeFilter = new TopologyNodeFilter(type === 'topology spread' ? pod : undefined, type === 'topology spread' ? policy : undefined)
    for (const d of domains ?? []) {
      // Taint policy Honor: only the domains some NodePool the pod tolerates offers (ForEachDomain).
      const sets = this.nodeFilter.policy?.taints === 'Honor' ? domainTaints?.get(d) : undefined
      if (sets && !sets.some((taints) => karpenterTolerationErrors(taints, pod).length === 0)) continue
      this.domains.set(d, 0)
      this.#zeroDomains.add(d)
    }
  }

  /** The identity Karpenter hashes, so one group serves every pod with the same rule. */
  hash(): string {
    return JSON.stringify([this.key, this.type, [...this.namespaces].sort(), normaliseSelector(this.selector), this.maxSkew, this.nodeFilter.signature()])
  }

  record(...domains: string[]): void {
    for (const d of domains) {
      this.domains.set(d, (this.domains.get(d) ?? 0) + 1)
      this.#zeroDomains.delete(d)
    }
  }

  register(...domains: string[]): void {
    for (const d of domains) {
      if (this.domains.has(d)) continue
      this.domains.set(d, 0)
      this.#zeroDomains.add(d)
    }
  }

  /** `selects`: the pod is in one of the namespaces and matches the selector (nil matches nothing). */
  selects(pod: Pod): boolean {
    return this.namespaces.has(pod.metadata.namespace ?? 'default') && labelSelectorMatcher(this.selector).matches(pod.metadata.labels ?? {})
  }

  /** `Counts`: the pod would count for this group on a node with these requirements. */
  counts(pod: Pod, reqs: Requirements, options: CompatibilityOptions, taints?: readonly Taint[]): boolean {
    return this.selects(pod) && this.nodeFilter.matchesRequirements(reqs, options, taints)
  }

  get(pod: Pod, podDomains: Requirement, nodeDomains: Requirement, rng: Rng): Requirement {
    switch (this.type) {
      case 'topology spread':
        return this.nextDomainTopologySpread(pod, podDomains, nodeDomains, rng)
      case 'pod affinity':
        return this.nextDomainAffinity(pod, podDomains, nodeDomains, rng)
      default:
        return this.nextDomainAntiAffinity(podDomains, nodeDomains)
    }
  }

  private nextDomainTopologySpread(pod: Pod, podDomains: Requirement, nodeDomains: Requirement, rng: Rng): Requirement {
    const min = this.domainMinCount(podDomains)
    const selfSelecting = this.selects(pod)
    let best = Number.POSITIVE_INFINITY
    let candidates: string[] = []
    const consider = (domain: string, c: number): void => {
      const count = selfSelecting ? c + 1 : c
      if (count - min > this.maxSkew) return
      if (count < best) {
        best = count
        candidates = [domain]
      } else if (count === best) candidates.push(domain)
    }
    if (!nodeDomains.complement && nodeDomains.values.size < this.domains.size) {
      // Only the node's domains can be chosen: walk those instead of every known domain (hostnames add up).
      for (const domain of nodeDomains.values) {
        const c = this.domains.get(domain)
        if (c !== undefined && nodeDomains.has(domain)) consider(domain, c)
      }
    } else {
      for (const [domain, c] of this.domains) if (nodeDomains.has(domain)) consider(domain, c)
    }
    if (candidates.length === 0) return Requirement.of(podDomains.key, 'DoesNotExist')
    candidates.sort()
    return Requirement.of(podDomains.key, 'In', [candidates[rng.int(candidates.length)]])
  }

  /** Hostname spreads count from zero (a new NodeClaim is a new hostname); minDomains can force zero. */
  private domainMinCount(domains: Requirement): number {
    if (this.key === LABEL_HOSTNAME) return 0
    let min = Number.MAX_SAFE_INTEGER
    let supported = 0
    for (const [domain, count] of this.domains) {
      if (!domains.has(domain)) continue
      supported++
      if (count < min) min = count
    }
    if (this.minDomains !== undefined && supported < this.minDomains) min = 0
    return min
  }

  private nextDomainAffinity(pod: Pod, podDomains: Requirement, nodeDomains: Requirement, rng: Rng): Requirement {
    const options = new Set<string>()
    for (const [domain, count] of this.domains) if (podDomains.has(domain) && count > 0) options.add(domain)
    if (options.size === 0 && this.selects(pod)) {
      // Self-affinity with nothing placed yet: bootstrap, preferring the node's own domain.
      const intersected = podDomains.intersection(nodeDomains)
      const inNode = [...this.domains.keys()].filter((d) => intersected.has(d)).sort()
      if (inNode.length > 0) options.add(inNode[rng.int(inNode.length)])
      const anyPod = [...this.domains.keys()].filter((d) => podDomains.has(d)).sort()
      if (anyPod.length > 0) options.add(anyPod[rng.int(anyPod.length)])
    }
    return new Requirement(podDomains.key, false, options)
  }

  /**
   * The domains with no matching pod. Go builds the full set; the caller only intersects it with
   * the node's domains and checks it is non-empty, so when the node's domains are a small concrete
   * set the twin computes that intersection directly, and otherwise one witness suffices.
   */
  private nextDomainAntiAffinity(domains: Requirement, nodeDomains: Requirement): Requirement {
    const options = new Set<string>()
    if (!nodeDomains.complement && nodeDomains.values.size < this.domains.size) {
      for (const d of nodeDomains.values) if (this.domains.get(d) === 0 && domains.has(d)) options.add(d)
      if (options.size > 0) return new Requirement(domains.key, false, options)
      // Nothing on this node: the intersection will be empty; keep Len() > 0 exactly when Go's set is non-empty.
      for (const d of this.#zeroDomains) if (domains.has(d)) return new Requirement(domains.key, false, new Set([d]))
      return new Requirement(domains.key, false, options)
    }
    for (const [domain, count] of this.domains) if (domains.has(domain) && count === 0) options.add(domain)
    return new Requirement(domains.key, false, options)
  }

  /** `counts = …` as Go prints the map in errors: `map[a:1 b:0]`. */
  countsString(): string {
    return `map[${[...this.domains.keys()]
      .sort()
      .map((d) => `${d}:${this.domains.get(d)}`)
      .join(' ')}]`
  }
}

function normaliseSelector(sel: LabelSelector | null | undefined): unknown {
  if (!sel) return null
  return {
    matchLabels: Object.fromEntries(Object.entries(sel.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    matchExpressions: (sel.matchExpressions ?? []).map((e) => ({ key: e.key, operator: e.operator, values: [...(e.values ?? [])].sort() })),
  }
}

/** 1.x `matchLabelKeys`: each key the pod has becomes `key In [its value]` in the selector. */
function withMatchLabelKeys(cs: TopologySpreadConstraint, pod: Pod): LabelSelector | null | undefined {
  const extra = (cs.matchLabelKeys ?? []).flatMap((key) => {
    const value = pod.metadata.labels?.[key]
    return value === undefined ? [] : [{ key, operator: 'In', values: [value] }]
  })
  if (extra.length === 0 || !cs.labelSelector) return cs.labelSelector
  return { ...cs.labelSelector, matchExpressions: [...(cs.labelSelector.matchExpressions ?? []), ...extra] }
}

/** Topology-relevant pods are bound, not terminal and not terminating. */
function ignoredForTopology(pod: Pod): boolean {
  return !isScheduled(pod) || isTerminal(pod) || isTerminating(pod)
}

export class Topology {
  readonly topologies = new Map<string, TopologyGroup>()
  readonly inverseTopologies = new Map<string, TopologyGroup>()
  readonly domains: ReadonlyMap<string, ReadonlySet<string>>
  readonly excludedPods: Set<string>
  readonly cluster: TopologyCluster
  readonly rng: Rng
  readonly options: TopologyOptions
  #nodeLabels: Map<string, Record<string, string>>

  constructor(domains: ReadonlyMap<string, ReadonlySet<string>>, pods: readonly SchedPod[], cluster: TopologyCluster, rng: Rng, options: TopologyOptions = {}) {
    this.domains = domains
    this.cluster = cluster
    this.rng = rng
    this.options = options
    this.#nodeLabels = new Map(cluster.nodes.map((n) => [n.name, n.labels]))
    // The pods being scheduled are not counted where they currently are.
    this.excludedPods = new Set(pods.map((p) => p.uid))
    this.updateInverseAffinities()
    for (const p of pods) this.update(p.pod)
  }

  /** Re-derives a pod's groups (after relaxation dropped a preference). */
  update(pod: Pod): void {
    const uid = podUid(pod)
    for (const tg of this.topologies.values()) tg.owners.delete(uid)
    if (hasPodAntiAffinity(pod)) this.updateInverseAntiAffinity(pod, undefined)
    for (let tg of [...this.newForTopologies(pod), ...this.newForAffinities(pod)]) {
      const hash = tg.hash()
      const existing = this.topologies.get(hash)
      if (existing) tg = existing
      else {
        this.countDomains(tg)
        this.topologies.set(hash, tg)
      }
      tg.owners.add(uid)
    }
  }

  /** After a pod is placed on a node with these requirements, count it where it landed. */
  record(pod: Pod, reqs: Requirements, options: CompatibilityOptions = {}, taints?: readonly Taint[]): void {
    for (const tg of this.topologies.values()) {
      if (!tg.counts(pod, reqs, options, taints)) continue
      const domains = reqs.get(tg.key)
      if (tg.type === 'pod anti-affinity') tg.record(...domains.valueList())
      else if (domains.len() === 1) tg.record(domains.valueList()[0])
    }
    const uid = podUid(pod)
    for (const tg of this.inverseTopologies.values()) if (tg.owners.has(uid)) tg.record(...reqs.get(tg.key).valueList())
  }

  /**
   * `AddRequirements`: the node requirements tightened by every group that governs the pod, or
   * the `unsatisfiable topology constraint …` error.
   */
  addRequirements(
    podReqs: Requirements,
    nodeReqs: Requirements,
    pod: Pod,
    options: CompatibilityOptions = {},
    taints?: readonly Taint[],
  ): { requirements: Requirements } | { error: () => string } {
    const requirements = nodeReqs.copy()
    for (const tg of this.matchingTopologies(pod, nodeReqs, options, taints)) {
      const podDomains = podReqs.has(tg.key) ? podReqs.get(tg.key) : Requirement.of(tg.key, 'Exists')
      const nodeDomains = nodeReqs.has(tg.key) ? nodeReqs.get(tg.key) : Requirement.of(tg.key, 'Exists')
      const domains = tg.get(pod, podDomains, nodeDomains, this.rng)
      if (domains.len() === 0) {
        // Built only when reported: most rejections are discarded while trying other nodes.
        return {
          error: () =>
            `unsatisfiable topology constraint for ${tg.type}, key=${tg.key} (counts = ${tg.countsString()}, podDomains = ${podDomains.toString()}, nodeDomains = ${nodeDomains.toString()})`,
        }
      }
      requirements.add(domains)
    }
    return { requirements }
  }

  /** Makes every group of that key aware of a domain (a new hostname). */
  register(key: string, domain: string): void {
    for (const tg of this.topologies.values()) if (tg.key === key) tg.register(domain)
    for (const tg of this.inverseTopologies.values()) if (tg.key === key) tg.register(domain)
  }

  private matchingTopologies(pod: Pod, reqs: Requirements, options: CompatibilityOptions, taints?: readonly Taint[]): TopologyGroup[] {
    const uid = podUid(pod)
    const out: TopologyGroup[] = []
    for (const tg of this.topologies.values()) if (tg.owners.has(uid)) out.push(tg)
    for (const tg of this.inverseTopologies.values()) if (tg.counts(pod, reqs, options, taints)) out.push(tg)
    return out
  }

  private updateInverseAffinities(): void {
    for (const pod of this.cluster.pods) {
      if (!pod.spec.nodeName || !hasPodAntiAffinity(pod)) continue
      if (this.excludedPods.has(podUid(pod))) continue
      const labels = this.#nodeLabels.get(pod.spec.nodeName)
      if (!labels) continue
      this.updateInverseAntiAffinity(pod, labels)
    }
  }

  private updateInverseAntiAffinity(pod: Pod, nodeLabels: Record<string, string> | undefined): void {
    // Preferred anti-affinity is deliberately not tracked in reverse (topology.go).
    for (const term of pod.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
      const namespaces = this.namespaceList(pod.metadata.namespace ?? 'default', term.namespaces, term.namespaceSelector)
      let tg = new TopologyGroup(
        'pod anti-affinity',
        term.topologyKey,
        pod,
        namespaces,
        term.labelSelector,
        2147483647,
        undefined,
        this.domains.get(term.topologyKey),
      )
      const hash = tg.hash()
      const existing = this.inverseTopologies.get(hash)
      if (existing) tg = existing
      else this.inverseTopologies.set(hash, tg)
      const domain = nodeLabels?.[tg.key]
      if (domain !== undefined) tg.record(domain)
      tg.owners.add(podUid(pod))
    }
  }

  /** Counts the existing pods (not being scheduled) per domain of the group's key. */
  private countDomains(tg: TopologyGroup): void {
    // The listing uses the selector with "nil selects everything" (TopologyListOptions).
    const matcher = tg.selector ? labelSelectorMatcher(tg.selector) : { matches: () => true }
    const nodeTaints = new Map(this.cluster.nodes.map((n) => [n.name, n.taints]))
    if (this.options.v1 && tg.type === 'topology spread') {
      // 1.x: the domains of existing Nodes the filter matches count even without pods (topology.go countDomains).
      for (const n of this.cluster.nodes) {
        const domain = n.labels[tg.key]
        if (domain !== undefined && tg.nodeFilter.matchesLabels(n.labels, n.taints)) tg.register(domain)
      }
    }
    for (const pod of this.cluster.pods) {
      if (!tg.namespaces.has(pod.metadata.namespace ?? 'default')) continue
      if (!matcher.matches(pod.metadata.labels ?? {})) continue
      if (ignoredForTopology(pod)) continue
      if (this.excludedPods.has(podUid(pod))) continue
      const nodeName = pod.spec.nodeName!
      const labels = this.#nodeLabels.get(nodeName)
      if (!labels) continue
      let domain = labels[tg.key]
      // A node without a hostname label yet counts under its name.
      if (domain === undefined && tg.key === LABEL_HOSTNAME) domain = nodeName
      if (domain === undefined) continue
      if (!tg.nodeFilter.matchesLabels(labels, nodeTaints.get(nodeName))) continue
      tg.record(domain)
    }
  }

  private newForTopologies(pod: Pod): TopologyGroup[] {
    const ns = new Set([pod.metadata.namespace ?? 'default'])
    return (pod.spec.topologySpreadConstraints ?? []).map((cs) => {
      if (!this.options.v1)
        return new TopologyGroup('topology spread', cs.topologyKey, pod, ns, cs.labelSelector, cs.maxSkew, cs.minDomains, this.domains.get(cs.topologyKey))
      const policy = { taints: cs.nodeTaintsPolicy ?? 'Ignore', affinity: cs.nodeAffinityPolicy ?? 'Honor' }
      const domains = this.domains.get(cs.topologyKey)
      return new TopologyGroup(
        'topology spread',
        cs.topologyKey,
        pod,
        ns,
        withMatchLabelKeys(cs, pod),
        cs.maxSkew,
        cs.minDomains,
        domains,
        policy,
        this.options.domainTaints?.get(cs.topologyKey),
      )
    })
  }

  private newForAffinities(pod: Pod): TopologyGroup[] {
    const aff = pod.spec.affinity
    if (!aff) return []
    const out: TopologyGroup[] = []
    const build = (
      type: TopologyType,
      terms: { labelSelector?: LabelSelector | null; namespaces?: string[]; namespaceSelector?: LabelSelector | null; topologyKey: string }[],
    ): void => {
      for (const term of terms) {
        const namespaces = this.namespaceList(pod.metadata.namespace ?? 'default', term.namespaces, term.namespaceSelector)
        out.push(new TopologyGroup(type, term.topologyKey, pod, namespaces, term.labelSelector, 2147483647, undefined, this.domains.get(term.topologyKey)))
      }
    }
    if (aff.podAffinity) {
      build('pod affinity', [
        ...(aff.podAffinity.requiredDuringSchedulingIgnoredDuringExecution ?? []),
        ...(aff.podAffinity.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => t.podAffinityTerm),
      ])
    }
    if (aff.podAntiAffinity) {
      build('pod anti-affinity', [
        ...(aff.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution ?? []),
        ...(aff.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => t.podAffinityTerm),
      ])
    }
    return out
  }

  private namespaceList(namespace: string, namespaces: string[] | undefined, selector: LabelSelector | null | undefined): Set<string> {
    if ((namespaces?.length ?? 0) === 0 && !selector) return new Set([namespace])
    if (!selector) return new Set(namespaces)
    const matcher = labelSelectorMatcher(selector)
    const out = new Set<string>()
    for (const ns of this.cluster.namespaces ?? []) if (matcher.matches(ns.labels ?? {})) out.add(ns.name)
    for (const ns of namespaces ?? []) out.add(ns)
    return out
  }
}
