// kube-scheduler: binds each pending pod to a node that can take it, or marks it
// `PodScheduled=False/Unschedulable` with the message and `FailedScheduling` event a real
// scheduler writes. Karpenter acts on exactly those unschedulable pods, so the filters are the
// default plugins' — NodeUnschedulable, TaintToleration, NodeAffinity, NodeResourcesFit,
// NodePorts, PodTopologySpread, InterPodAffinity — with their failure reasons.
//
// Unschedulable pods are retried whenever the cluster changes (a node appears, turns Ready or
// is untainted; a pod goes away), as the scheduler's event-driven queue does.
//
// The filters are pure functions, one module per plugin, in scheduling/ (filter.ts runs them in
// the default profile's order); this controller keeps their inputs and acts on their verdicts.
//
// Like kube-scheduler's cache, what each node holds (its pods, their summed requests, their host
// ports) is kept up to date from the pod and node watches, so scheduling one pod costs one pass
// over the cached nodes and their pods (the PreFilters: topology spread counts, inter-pod
// affinity counts), not a listing of the store, then one cheap Filter per node.

import type { Clock } from '../runtime/clock.ts'
import { ApiError } from '../kube/errors.ts'
import { recordEvent } from '../kube/events.ts'
import { rfc3339, type KubeObject } from '../kube/json.ts'
import type { Store } from '../kube/store.ts'
import { preferredNodeAffinityScore } from '../k8s/node-affinity.ts'
import { ceiling, merge, parseResourceList, subtract, type ResourceList } from '../k8s/resources.ts'
import type { Node, Pod } from '../k8s/types.ts'
import { Controller } from '../runtime/controller.ts'
import { filterNode, preFilter } from './scheduling/filter.ts'
import { hostPorts, type NodeInfo } from './scheduling/node-info.ts'
import type { SpreadState } from './scheduling/pod-topology-spread.ts'

const SCHEDULER = 'default-scheduler'

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
    const state = preFilter(pod, nodes, (ns) => this.store.peek('namespaces', undefined, ns)?.metadata.labels)
    for (const info of nodes) {
      const why = filterNode(pod, info, state)
      if (why) reasons.set(why, (reasons.get(why) ?? 0) + 1)
      else feasible.push(info)
    }
    if (feasible.length === 0) return this.markUnschedulable(pod, key, nodes.length, reasons)
    const best = feasible
      .map((info) => ({ info, score: this.score(pod, info, state.spreads) }))
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
