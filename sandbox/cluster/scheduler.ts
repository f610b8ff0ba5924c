// kube-scheduler: binds each pending pod to a node that can take it, or marks it
// `PodScheduled=False/Unschedulable` with the message and `FailedScheduling` event a real
// scheduler writes. Karpenter acts on exactly those unschedulable pods, so the filters are the
// default plugins' — NodeUnschedulable, TaintToleration, NodeAffinity, NodeResourcesFit,
// NodePorts, PodTopologySpread, InterPodAffinity — with their failure reasons.
//
// Unschedulable pods are retried whenever the cluster changes (a node appears, turns Ready or
// is untainted; a pod goes away), as the scheduler's event-driven queue does.
//
// Like kube-scheduler's cache, what each node holds (its pods, their summed requests, their host
// ports) is kept up to date from the pod and node watches, so scheduling one pod costs a pass
// over the nodes, not over every pod in the cluster.

import type { Clock } from '../runtime/clock.ts'
import { ApiError } from '../kube/errors.ts'
import { recordEvent } from '../kube/events.ts'
import { rfc3339, type KubeObject } from '../kube/json.ts'
import type { Store } from '../kube/store.ts'
import { labelSelectorMatches } from '../k8s/label-selector.ts'
import { podMatchesNodeSelectorAndAffinity, preferredNodeAffinityScore } from '../k8s/node-affinity.ts'
import { ceiling, fits, merge, parseResourceList, subtract, type ResourceList } from '../k8s/resources.ts'
import { Quantity } from '../k8s/quantity.ts'
import { findUntoleratedTaint, tolerationsTolerateTaint } from '../k8s/taints.ts'
import type { Node, Pod, PodAffinityTerm, TopologySpreadConstraint } from '../k8s/types.ts'
import { Controller } from '../runtime/controller.ts'

const SCHEDULER = 'default-scheduler'

interface NodeInfo {
  node: Node
  allocatable: ResourceList
  requested: ResourceList
  /** Active pods bound to the node, by namespace/name. */
  pods: Map<string, Pod>
  /** Host ports in use (`protocol/ip/port`) → how many pods use them. */
  ports: Map<string, number>
}

/** What one bound pod adds to its node (requests are immutable once the pod exists). */
interface PodContribution {
  pod: Pod
  node: string
  uid: string
  requests: ResourceList
  ports: string[]
}

function active(pod: Pod): boolean {
  const phase = pod.status?.phase
  return phase !== 'Succeeded' && phase !== 'Failed'
}

function schedulable(pod: Pod): boolean {
  return !pod.spec.nodeName && !pod.metadata.deletionTimestamp && (pod.spec.schedulerName ?? SCHEDULER) === SCHEDULER && active(pod)
}

function hostPorts(pod: Pod): string[] {
  const out: string[] = []
  for (const c of pod.spec.containers ?? [])
    for (const p of c.ports ?? []) if (p.hostPort) out.push(`${p.protocol ?? 'TCP'}/${p.hostIP ?? '0.0.0.0'}/${p.hostPort}`)
  return out
}

export class Scheduler {
  private readonly store: Store
  private readonly clock: Clock
  readonly controller: Controller
  private readonly stops: (() => void)[] = []
  private readonly unschedulable = new Set<string>()
  /** The scheduler cache: every node, and what each bound pod contributes to its node. */
  private readonly nodes = new Map<string, NodeInfo>()
  private readonly bound = new Map<string, PodContribution>()

  constructor(store: Store, clock: Clock, log: (line: string) => void) {
    this.store = store
    this.clock = clock
    this.controller = new Controller({ name: 'scheduler', clock, log, reconcile: (k) => this.schedule(k) })
  }

  start(): void {
    // Nodes first, so the initial pods find their nodes in the cache.
    this.stops.push(
      this.store.watch('nodes', { raw: true }, (e) => {
        this.cacheNode(e.type, e.object)
        this.retryUnschedulable()
      }),
    )
    this.stops.push(
      this.store.watch('pods', { raw: true }, (e) => {
        const pod = e.object as unknown as Pod
        const key = `${pod.metadata.namespace}/${pod.metadata.name}`
        this.cachePod(key, e.type === 'DELETED' ? undefined : pod)
        if (e.type === 'DELETED' || pod.spec.nodeName) {
          this.unschedulable.delete(key)
          if (e.type === 'DELETED' && pod.spec.nodeName) this.retryUnschedulable() // freed room
          return
        }
        if (schedulable(pod) && !this.unschedulable.has(key)) this.controller.enqueue(key)
      }),
    )
  }

  private cacheNode(type: string, node: Node): void {
    const name = node.metadata.name!
    if (type === 'DELETED') {
      this.nodes.delete(name)
      return
    }
    const info = this.nodes.get(name)
    const allocatable = parseResourceList(node.status?.allocatable)
    if (info) {
      info.node = node
      info.allocatable = allocatable
      return
    }
    const fresh: NodeInfo = { node, allocatable, requested: {}, pods: new Map(), ports: new Map() }
    this.nodes.set(name, fresh)
    // Pods bound to the node before it was (re)seen.
    for (const [key, c] of this.bound) if (c.node === name) this.attach(fresh, key, c)
  }

  /** Records what a pod now contributes to a node (nothing when unbound, finished or gone). */
  private cachePod(key: string, pod: Pod | undefined): void {
    const previous = this.bound.get(key)
    const counted = pod && pod.spec.nodeName && active(pod) ? pod : undefined
    if (previous && (!counted || previous.uid !== counted.metadata.uid || previous.node !== counted.spec.nodeName)) {
      this.bound.delete(key)
      const info = this.nodes.get(previous.node)
      if (info) this.detach(info, key, previous)
    }
    if (!counted) return
    const existing = this.bound.get(key)
    if (existing) {
      // The same pod, a newer object (status, labels): its requests and ports cannot change.
      existing.pod = counted
      const info = this.nodes.get(existing.node)
      if (info?.pods.has(key)) info.pods.set(key, counted)
      return
    }
    const c: PodContribution = {
      pod: counted,
      node: counted.spec.nodeName!,
      uid: counted.metadata.uid!,
      requests: ceiling(counted).requests,
      ports: hostPorts(counted),
    }
    this.bound.set(key, c)
    const info = this.nodes.get(c.node)
    if (info) this.attach(info, key, c)
  }

  private attach(info: NodeInfo, key: string, c: PodContribution): void {
    if (info.pods.has(key)) return
    info.pods.set(key, c.pod)
    info.requested = merge(info.requested, c.requests)
    for (const p of c.ports) info.ports.set(p, (info.ports.get(p) ?? 0) + 1)
  }

  private detach(info: NodeInfo, key: string, c: PodContribution): void {
    if (!info.pods.delete(key)) return
    info.requested = subtract(info.requested, c.requests)
    for (const p of c.ports) {
      const n = (info.ports.get(p) ?? 0) - 1
      if (n > 0) info.ports.set(p, n)
      else info.ports.delete(p)
    }
  }

  stop(): void {
    for (const s of this.stops.splice(0)) s()
    this.controller.stop()
  }

  private retryUnschedulable(): void {
    for (const key of this.unschedulable) this.controller.enqueue(key)
    this.unschedulable.clear()
  }

  private schedule(key: string): void {
    const [namespace, name] = key.split('/')
    const pod = this.store.find('pods', namespace, name) as unknown as Pod | undefined
    if (!pod || !schedulable(pod)) return
    const nodes = this.nodeInfos()
    const reasons = new Map<string, number>()
    const feasible: NodeInfo[] = []
    const spreads = this.spreadState(pod, nodes)
    for (const info of nodes) {
      const why = this.filter(pod, info, spreads, nodes)
      if (why) reasons.set(why, (reasons.get(why) ?? 0) + 1)
      else feasible.push(info)
    }
    if (feasible.length === 0) return this.markUnschedulable(pod, key, nodes.length, reasons)
    const best = feasible
      .map((info) => ({ info, score: this.score(pod, info, spreads) }))
      .sort((a, b) => b.score - a.score || a.info.node.metadata.name!.localeCompare(b.info.node.metadata.name!))[0].info
    try {
      this.store.bindPod(namespace, name, best.node.metadata.name!, { fieldManager: SCHEDULER })
    } catch (error) {
      if (error instanceof ApiError && (error.code === 404 || error.code === 409)) return
      throw error
    }
    recordEvent(this.store, {
      involvedObject: pod as unknown as KubeObject,
      type: 'Normal',
      reason: 'Scheduled',
      message: `Successfully assigned ${namespace}/${name} to ${best.node.metadata.name}`,
      source: { component: SCHEDULER },
    })
  }

  private nodeInfos(): NodeInfo[] {
    return [...this.nodes.values()]
  }

  /** Why the node cannot take the pod (the scheduler's wording), or undefined if it can. */
  private filter(pod: Pod, info: NodeInfo, spreads: SpreadState[], all: NodeInfo[]): string | undefined {
    const node = info.node
    if (node.spec?.unschedulable && !tolerationsTolerateTaint(pod.spec.tolerations, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' })) {
      return 'node(s) were unschedulable'
    }
    if (!podMatchesNodeSelectorAndAffinity(pod, node)) return "node(s) didn't match Pod's node affinity/selector"
    const taint = findUntoleratedTaint(node.spec?.taints, pod.spec.tolerations)
    if (taint) return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`
    const requests = ceiling(pod).requests
    const free = subtract(info.allocatable, info.requested)
    const podsAllowed = info.allocatable.pods ? Number(info.allocatable.pods.value()) : 110
    if (info.pods.size + 1 > podsAllowed) return 'Too many pods'
    for (const resource of Object.keys(requests).sort()) {
      if (requests[resource].isZero()) continue
      if (!fits({ [resource]: requests[resource] }, { [resource]: free[resource] ?? Quantity.ZERO })) return `Insufficient ${resource}`
    }
    if (hostPorts(pod).some((p) => info.ports.has(p))) return "node(s) didn't have free ports for the requested pod ports"
    for (const s of spreads) {
      if (s.constraint.whenUnsatisfiable !== 'DoNotSchedule') continue
      const domain = node.metadata.labels?.[s.constraint.topologyKey]
      if (domain === undefined) return "node(s) didn't match pod topology spread constraints (missing required label)"
      const skew = (s.counts.get(domain) ?? 0) + (s.selfMatch ? 1 : 0) - s.globalMin
      if (skew > s.constraint.maxSkew) return "node(s) didn't match pod topology spread constraints"
    }
    const affinity = pod.spec.affinity
    for (const term of affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
      if (this.termMatchesInDomain(pod, term, info, all)) return "node(s) didn't match pod anti-affinity rules"
    }
    for (const term of affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
      if (!this.termMatchesInDomain(pod, term, info, all)) return "node(s) didn't match pod affinity rules"
    }
    return undefined
  }

  /** Whether a pod matching the term runs in the node's domain of the term's topology key. */
  private termMatchesInDomain(pod: Pod, term: PodAffinityTerm, info: NodeInfo, all: NodeInfo[]): boolean {
    const domain = info.node.metadata.labels?.[term.topologyKey]
    if (domain === undefined) return false
    const namespaces = term.namespaces?.length ? term.namespaces : [pod.metadata.namespace]
    return all.some(
      (other) =>
        other.node.metadata.labels?.[term.topologyKey] === domain &&
        [...other.pods.values()].some((p) => namespaces.includes(p.metadata.namespace) && labelSelectorMatches(term.labelSelector, p.metadata.labels)),
    )
  }

  private spreadState(pod: Pod, nodes: NodeInfo[]): SpreadState[] {
    return (pod.spec.topologySpreadConstraints ?? []).map((constraint) => {
      // Nodes that pass the pod's node affinity (nodeAffinityPolicy: Honor, the default) form the
      // domains; taints are ignored (nodeTaintsPolicy: Ignore, the default).
      const eligible = nodes.filter((n) => n.node.metadata.labels?.[constraint.topologyKey] !== undefined && podMatchesNodeSelectorAndAffinity(pod, n.node))
      const counts = new Map<string, number>()
      for (const n of eligible) {
        const domain = n.node.metadata.labels![constraint.topologyKey]
        const matching = [...n.pods.values()].filter(
          (p) =>
            p.metadata.namespace === pod.metadata.namespace &&
            !p.metadata.deletionTimestamp &&
            labelSelectorMatches(constraint.labelSelector, p.metadata.labels),
        ).length
        counts.set(domain, (counts.get(domain) ?? 0) + matching)
      }
      let globalMin = counts.size ? Math.min(...counts.values()) : 0
      if (constraint.whenUnsatisfiable === 'DoNotSchedule' && constraint.minDomains && counts.size < constraint.minDomains) globalMin = 0
      return { constraint, counts, globalMin, selfMatch: labelSelectorMatches(constraint.labelSelector, pod.metadata.labels) }
    })
  }

  private score(pod: Pod, info: NodeInfo, spreads: SpreadState[]): number {
    let score = preferredNodeAffinityScore(pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution, info.node)
    // PodTopologySpread (ScheduleAnyway): fewer matching pods in the domain scores higher.
    for (const s of spreads) {
      const domain = info.node.metadata.labels?.[s.constraint.topologyKey]
      if (domain !== undefined) score -= (s.counts.get(domain) ?? 0) * 10
    }
    // NodeResourcesFit, LeastAllocated: the emptier node scores higher.
    const cpu = info.allocatable.cpu
    if (cpu && !cpu.isZero()) score += (1 - Number(info.requested.cpu?.milliValue() ?? 0n) / Number(cpu.milliValue())) * 5
    return score
  }

  private markUnschedulable(pod: Pod, key: string, total: number, reasons: Map<string, number>): void {
    this.unschedulable.add(key)
    const parts = [...reasons.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([why, n]) => `${n} ${why}`)
    const message =
      total === 0
        ? 'no nodes available to schedule pods'
        : `0/${total} nodes are available: ${parts.join(', ')}. preemption: 0/${total} nodes are available: ${total} Preemption is not helpful for scheduling.`
    const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled')
    const previous = pod.status?.conditions?.find((c) => c.type === 'PodScheduled')
    if (previous?.status === 'False' && previous.reason === 'Unschedulable' && previous.message === message) return
    conditions.push({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastTransitionTime: rfc3339(this.clock.now()) })
    try {
      this.store.mutate(
        'pods',
        pod.metadata.namespace,
        pod.metadata.name!,
        (o) => {
          if (o.metadata.uid !== pod.metadata.uid || (o.spec as { nodeName?: string }).nodeName) return false
          o.status = { ...(o.status ?? {}), phase: 'Pending', conditions }
        },
        { subresource: 'status', fieldManager: SCHEDULER },
      )
    } catch (error) {
      if (error instanceof ApiError && error.code === 404) return
      throw error
    }
    recordEvent(this.store, {
      involvedObject: pod as unknown as KubeObject,
      type: 'Warning',
      reason: 'FailedScheduling',
      message,
      source: { component: SCHEDULER },
    })
  }
}

interface SpreadState {
  constraint: TopologySpreadConstraint
  counts: Map<string, number>
  globalMin: number
  selfMatch: boolean
}
