// The kubelets of every node, as one in-process controller: a pod bound to a Ready node goes
// Pending/ContainerCreating → Running and Ready after its containers "start"; a pod marked for
// deletion is stopped and removed after its containers exit (within its grace period); pods
// bound to a node that no longer exists are removed, as the pod garbage collector does.
//
// The containers are not run: the tutorial's workloads are pause containers. What a reader sees
// through kubectl is what a kubelet reports: phases, conditions, container statuses, IPs.

import { createHash } from 'node:crypto'
import type { Clock } from '../runtime/clock.ts'
import { ApiError, ignoreNotFound } from '../kube/errors.ts'
import { conditionTrue, rfc3339, type KubeObject } from '../kube/json.ts'
import type { Store } from '../kube/store.ts'
import { Controller } from '../runtime/controller.ts'

type Obj = Record<string, unknown>

export interface KubeletTimings {
  /** Tutorial time from binding to containers running (image pull of a small image, start). */
  containerStartMs: number
  /** Tutorial time from SIGTERM to the pod gone from the API: containers exit, the kubelet reports, then deletes it. */
  containerStopMs: number
}

const DEFAULT_KUBELET_TIMINGS: KubeletTimings = { containerStartMs: 3_000, containerStopMs: 3_000 }

const podKey = (p: KubeObject) => `${p.metadata.namespace}/${p.metadata.name}`

function internalIp(node: KubeObject): string {
  const addresses = (node.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses ?? []
  return addresses.find((a) => a.type === 'InternalIP')?.address ?? '10.0.0.1'
}

export class Kubelets {
  private readonly store: Store
  private readonly clock: Clock
  private readonly timings: KubeletTimings
  readonly controller: Controller
  private readonly stops: (() => void)[] = []
  /** When each pod's containers started (or will have started), tutorial instants by pod uid. */
  private readonly starting = new Map<string, number>()
  /** When this kubelet saw each pod's deletion (tutorial instant): its containers got SIGTERM then. */
  private readonly stopping = new Map<string, number>()
  private readonly ipCounters = new Map<string, number>()

  constructor(store: Store, clock: Clock, log: (line: string) => void, timings: KubeletTimings = DEFAULT_KUBELET_TIMINGS) {
    this.store = store
    this.clock = clock
    this.timings = timings
    this.controller = new Controller({ name: 'kubelet', clock, log, reconcile: (k) => this.reconcile(k) })
  }

  start(): void {
    this.stops.push(
      this.store.watch('pods', {}, (e) => {
        if (e.type === 'DELETED') {
          this.starting.delete(e.object.metadata.uid!)
          this.stopping.delete(e.object.metadata.uid!)
        }
        if ((e.object.spec as Obj | undefined)?.nodeName) this.controller.enqueue(podKey(e.object))
      }),
    )
    // A node turning Ready starts its waiting pods; a node going away orphans its pods.
    this.stops.push(
      this.store.watch('nodes', {}, (e) => {
        for (const pod of this.store.listRaw('pods', { fieldSelector: `spec.nodeName=${e.object.metadata.name}` }).items) this.controller.enqueue(podKey(pod))
      }),
    )
  }

  stop(): void {
    for (const s of this.stops.splice(0)) s()
    this.controller.stop()
  }

  private reconcile(k: string): { requeueAfterMs: number } | void {
    const [namespace, name] = k.split('/')
    const pod = this.store.find('pods', namespace, name)
    if (!pod) return
    const nodeName = (pod.spec as Obj).nodeName as string | undefined
    if (!nodeName) return
    const node = this.store.find('nodes', undefined, nodeName)
    if (!node) return this.remove(pod, 'orphaned: its node is gone') // the pod garbage collector
    if (pod.metadata.deletionTimestamp) return this.terminate(pod)
    const status = (pod.status ?? {}) as Obj
    if (status.phase === 'Succeeded' || status.phase === 'Failed') return
    if (!conditionTrue(node, 'Ready')) return // its kubelet is not up yet, or has stopped
    const containers = ((pod.spec as Obj).containers as Obj[] | undefined) ?? []
    const uid = pod.metadata.uid!
    if (!this.starting.has(uid)) {
      if (status.phase === 'Running') return // already running (e.g. the sandbox restarted a controller)
      const startAt = this.clock.tutorialNow() + this.timings.containerStartMs
      this.starting.set(uid, startAt)
      this.writeStatus(pod, {
        phase: 'Pending',
        hostIP: internalIp(node),
        hostIPs: [{ ip: internalIp(node) }],
        startTime: rfc3339(this.clock.now()),
        conditions: conditions(
          this.clock.now(),
          status,
          { PodReadyToStartContainers: 'False', Initialized: 'True', Ready: 'False', ContainersReady: 'False' },
          containers,
        ),
        containerStatuses: containers.map((c) => ({
          name: c.name,
          image: c.image,
          imageID: '',
          ready: false,
          restartCount: 0,
          started: false,
          state: { waiting: { reason: 'ContainerCreating' } },
          lastState: {},
        })),
        qosClass: qosClass(containers),
      })
      return { requeueAfterMs: this.timings.containerStartMs }
    }
    const startAt = this.starting.get(uid)!
    if (this.clock.tutorialNow() < startAt) return { requeueAfterMs: startAt - this.clock.tutorialNow() }
    if (status.phase === 'Running') return
    const now = this.clock.now()
    this.writeStatus(pod, {
      ...status,
      phase: 'Running',
      podIP: this.podIp(node),
      podIPs: [{ ip: this.podIp(node) }],
      conditions: conditions(now, status, { PodReadyToStartContainers: 'True', Initialized: 'True', Ready: 'True', ContainersReady: 'True' }, containers),
      containerStatuses: containers.map((c) => ({
        name: c.name,
        image: c.image,
        imageID: `${String(c.image).split(':')[0]}@sha256:${digest(String(c.image))}`,
        containerID: `containerd://${digest(`${uid}/${String(c.name)}`)}`,
        ready: true,
        restartCount: 0,
        started: true,
        state: { running: { startedAt: rfc3339(now) } },
        lastState: {},
      })),
    })
  }

  /** The containers got SIGTERM; once they exit, the kubelet removes the pod for good. */
  private terminate(pod: KubeObject): { requeueAfterMs: number } | void {
    // Counted from when this kubelet saw the deletion (in tutorial time), not from
    // deletionTimestamp: that is a wall stamp with whole seconds only, and a second is up to 20 s
    // of tutorial time at the default scale — the containers would "exit" before the ReplicaSet
    // has replaced the pod, which never happens on EKS.
    const uid = pod.metadata.uid!
    if (!this.stopping.has(uid)) this.stopping.set(uid, this.clock.tutorialNow())
    const since = this.stopping.get(uid)!
    const exitAt = since + Math.min(this.timings.containerStopMs, (pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000)
    if (this.clock.tutorialNow() < exitAt) return { requeueAfterMs: exitAt - this.clock.tutorialNow() }
    this.remove(pod, 'terminated')
  }

  private remove(pod: KubeObject, _why: string): void {
    try {
      this.store.delete('pods', pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } })
    } catch (error) {
      if (!(error instanceof ApiError && (error.code === 404 || error.code === 409))) throw error
    }
    this.starting.delete(pod.metadata.uid!)
    this.stopping.delete(pod.metadata.uid!)
  }

  private writeStatus(pod: KubeObject, status: Obj): void {
    try {
      this.store.mutate(
        'pods',
        pod.metadata.namespace,
        pod.metadata.name!,
        (o) => {
          if (o.metadata.uid !== pod.metadata.uid) return false
          o.status = status
        },
        { subresource: 'status', fieldManager: 'kubelet' },
      )
    } catch (error) {
      ignoreNotFound(error)
    }
  }

  /** The VPC CNI gives pods addresses from the node's subnet. */
  private podIp(node: KubeObject): string {
    const base = internalIp(node).split('.').map(Number)
    const n = (this.ipCounters.get(node.metadata.name!) ?? 0) + 1
    this.ipCounters.set(node.metadata.name!, n)
    return `${base[0]}.${base[1]}.${base[2]}.${(base[3] + 16 * n) % 254 || 1}`
  }
}

function conditions(now: Date, status: Obj, wanted: Record<string, 'True' | 'False'>, containers: Obj[]): Obj[] {
  const previous = (status.conditions as Obj[] | undefined) ?? []
  const out: Obj[] = []
  for (const [type, value] of Object.entries(wanted)) {
    const before = previous.find((c) => c.type === type)
    const condition: Obj = {
      type,
      status: value,
      lastProbeTime: null,
      lastTransitionTime: before && before.status === value ? before.lastTransitionTime : rfc3339(now),
    }
    if (value === 'False' && (type === 'Ready' || type === 'ContainersReady')) {
      condition.reason = 'ContainersNotReady'
      condition.message = `containers with unready status: [${containers.map((c) => String(c.name)).join(' ')}]`
    }
    out.push(condition)
  }
  const scheduled = previous.find((c) => c.type === 'PodScheduled')
  out.push(scheduled ?? { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(now) })
  return out
}

function qosClass(containers: Obj[]): string {
  let requests = false
  let guaranteed = containers.length > 0
  for (const c of containers) {
    const r = (c.resources ?? {}) as { requests?: Obj; limits?: Obj }
    if (r.requests && Object.keys(r.requests).length) requests = true
    const limits = r.limits ?? {}
    if (!limits.cpu || !limits.memory) guaranteed = false
  }
  return guaranteed ? 'Guaranteed' : requests ? 'Burstable' : 'BestEffort'
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}
