// Termination (core@v0.32.1 pkg/controllers/{nodeclaim,node}/termination): a NodeClaim being
// deleted deletes its Node; the Node's finalizer taints it `karpenter.sh/disruption=disrupting:
// NoSchedule`, evicts its pods (non-critical first, DaemonSet pods last, pods tolerating the
// taint left alone), terminates the instance once drained and lets the Node go; then the
// NodeClaim's finalizer goes too. v0.32 does not wait for EC2 to report the instance terminated.

import { ignoreNotFound } from '../../kube/errors.ts'
import type { KubeObject } from '../../kube/json.ts'
import { tolerationsTolerateTaint } from '../../k8s/taints.ts'
import type { Node, Pod, Taint } from '../../k8s/types.ts'
import { Controller } from '../../runtime/controller.ts'
import type { NodeClaim } from '../api.ts'
import { DISRUPTION_NO_SCHEDULE_TAINT, FINALIZER_TERMINATION, LABEL_NODEPOOL } from '../labels.ts'
import * as log from '../logger.ts'
import { parseInstanceID } from '../nodeclaim-names.ts'
import { NODECLAIMS } from './cluster-state.ts'
import type { Cloud } from './cloud.ts'
import type { KarpenterContext } from './context.ts'

const EXCLUDE_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers'
/** Pods stuck terminating longer than this no longer block the drain. */
const STUCK_TERMINATING_MS = 60_000
const DRAIN_RETRY_MS = 1_000

export class Termination {
  private readonly ctx: KarpenterContext
  private readonly cloud: Cloud
  readonly nodes: Controller
  readonly nodeClaims: Controller
  private readonly stops: (() => void)[] = []

  constructor(ctx: KarpenterContext, cloud: Cloud) {
    this.ctx = ctx
    this.cloud = cloud
    this.nodes = new Controller({ name: 'node.termination', clock: ctx.clock, log: ctx.cluster.log, reconcile: (k) => this.reconcileNode(k) })
    this.nodeClaims = new Controller({ name: 'nodeclaim.termination', clock: ctx.clock, log: ctx.cluster.log, reconcile: (k) => this.reconcileNodeClaim(k) })
  }

  start(): void {
    this.stops.push(
      this.ctx.store.watch('nodes', {}, (e) => {
        if (e.object.metadata.deletionTimestamp || e.type === 'DELETED') this.nodes.enqueue(e.object.metadata.name!)
        for (const nc of this.ctx.store.listRaw(NODECLAIMS).items) if (nc.metadata.deletionTimestamp) this.nodeClaims.enqueue(nc.metadata.name!)
      }),
    )
    this.stops.push(this.ctx.store.watch(NODECLAIMS, {}, (e) => e.object.metadata.deletionTimestamp && this.nodeClaims.enqueue(e.object.metadata.name!)))
  }

  stop(): void {
    for (const s of this.stops.splice(0)) s()
    this.nodes.stop()
    this.nodeClaims.stop()
  }

  private async reconcileNodeClaim(name: string): Promise<{ requeueAfterMs: number } | void> {
    const nodeClaim = this.ctx.store.find(NODECLAIMS, undefined, name) as unknown as NodeClaim | undefined
    if (!nodeClaim?.metadata.deletionTimestamp || !(nodeClaim.metadata.finalizers ?? []).includes(FINALIZER_TERMINATION)) return
    const providerID = nodeClaim.status?.providerID
    const node = providerID ? (this.ctx.store.list('nodes').items as unknown as Node[]).find((n) => n.spec?.providerID === providerID) : undefined
    if (node) {
      if (!node.metadata.deletionTimestamp) this.delete('nodes', node.metadata.name!)
      return { requeueAfterMs: DRAIN_RETRY_MS }
    }
    const instanceId = providerID ? parseInstanceID(providerID) : undefined
    if (instanceId) {
      await this.cloud.terminate(instanceId)
      this.ctx.cluster.machines.halt(instanceId)
    }
    try {
      this.ctx.store.mutate(
        NODECLAIMS,
        undefined,
        name,
        (o) => void (o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== FINALIZER_TERMINATION)),
        { fieldManager: 'karpenter' },
      )
    } catch (error) {
      ignoreNotFound(error)
    }
    if (providerID) this.ctx.log(log.deletedNodeClaim(name, nodeClaim.metadata.labels?.[LABEL_NODEPOOL] ?? '', nodeClaim.status?.nodeName ?? '', providerID))
  }

  private async reconcileNode(name: string): Promise<{ requeueAfterMs: number } | void> {
    const node = this.ctx.store.find('nodes', undefined, name) as unknown as Node | undefined
    if (!node?.metadata.deletionTimestamp || !(node.metadata.finalizers ?? []).includes(FINALIZER_TERMINATION)) return
    if (!(node.spec?.taints ?? []).some((t) => t.key === DISRUPTION_NO_SCHEDULE_TAINT.key && t.effect === DISRUPTION_NO_SCHEDULE_TAINT.effect)) {
      this.ctx.store.mutate(
        'nodes',
        undefined,
        name,
        (o) => {
          const spec = (o.spec ?? {}) as { taints?: unknown[] }
          spec.taints = [...(spec.taints ?? []), { ...DISRUPTION_NO_SCHEDULE_TAINT }]
          o.spec = spec
          o.metadata.labels = { ...(o.metadata.labels ?? {}), [EXCLUDE_LB_LABEL]: 'karpenter' }
        },
        { fieldManager: 'karpenter' },
      )
      this.ctx.log(log.taintedNode(name))
    }
    const waiting = this.drain(name)
    if (waiting > 0) return { requeueAfterMs: DRAIN_RETRY_MS }
    const instanceId = node.spec?.providerID ? parseInstanceID(node.spec.providerID) : undefined
    if (instanceId) {
      await this.cloud.terminate(instanceId)
      this.ctx.cluster.machines.halt(instanceId)
    }
    try {
      this.ctx.store.mutate(
        'nodes',
        undefined,
        name,
        (o) => void (o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== FINALIZER_TERMINATION)),
        { fieldManager: 'karpenter' },
      )
    } catch (error) {
      ignoreNotFound(error)
    }
    this.ctx.log(log.deletedNode(name))
  }

  private drain(nodeName: string): number {
    return drainNode(this.ctx, nodeName, DISRUPTION_NO_SCHEDULE_TAINT)
  }

  private delete(resource: string, name: string): void {
    try {
      this.ctx.store.delete(resource, undefined, name)
    } catch (error) {
      ignoreNotFound(error)
    }
  }
}

/**
 * Evicts what must go from a node, in Karpenter's order (non-critical pods first, DaemonSet pods
 * last; pods tolerating the line's disruption taint, mirror pods and pods stuck terminating for a
 * minute are left alone); returns how many pods are still waiting to leave. Shared by both lines:
 * only the taint differs (v0.32 `karpenter.sh/disruption=disrupting`, 1.x `karpenter.sh/disrupted`).
 */
export function drainNode(ctx: KarpenterContext, nodeName: string, disruptionTaint: Taint): number {
  const now = ctx.clock.tutorialNow()
  const pods = (ctx.store.list('pods', { fieldSelector: `spec.nodeName=${nodeName}` }).items as unknown as Pod[]).filter((p) => {
    const phase = p.status?.phase
    if (phase === 'Succeeded' || phase === 'Failed') return false
    if (tolerationsTolerateTaint(p.spec.tolerations, disruptionTaint)) return false
    if ((p.metadata.ownerReferences ?? []).some((o) => o.kind === 'Node')) return false // mirror pods
    if (p.metadata.deletionTimestamp && now - ctx.clock.simulated(p.metadata.deletionTimestamp) > STUCK_TERMINATING_MS) return false
    return true
  })
  const critical = (p: Pod) => p.spec.priorityClassName === 'system-cluster-critical' || p.spec.priorityClassName === 'system-node-critical'
  const daemon = (p: Pod) => (p.metadata.ownerReferences ?? []).some((o) => o.kind === 'DaemonSet')
  const groups = [
    pods.filter((p) => !critical(p) && !daemon(p)),
    pods.filter((p) => !critical(p) && daemon(p)),
    pods.filter((p) => critical(p) && !daemon(p)),
    pods.filter((p) => critical(p) && daemon(p)),
  ]
  const first = groups.find((g) => g.length > 0) ?? []
  for (const pod of first) if (!pod.metadata.deletionTimestamp) evictPod(ctx, pod)
  return pods.length
}

/** The Eviction API: a graceful delete the kubelet completes. */
function evictPod(ctx: KarpenterContext, pod: Pod): void {
  try {
    ctx.store.delete('pods', pod.metadata.namespace, pod.metadata.name!)
    ctx.event(pod as unknown as KubeObject, 'Normal', 'Evicted', 'Evicted pod')
  } catch (error) {
    ignoreNotFound(error)
  }
}
