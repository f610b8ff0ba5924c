// The nodeclaim.disruption controller (core@v0.32.1 pkg/controllers/nodeclaim/disruption:
// controller.go, emptiness.go, expiration.go): it keeps each NodeClaim's `Empty` and `Expired`
// status conditions true to the cluster, on its own schedule. It reconciles a NodeClaim when the
// NodeClaim, its NodePool, its Node or a pod on its Node changes, and again when the NodeClaim is
// due to expire (or after 30 s while its node is nominated), with up to 10 reconciles at once.
//
// The disruption controller only reads these conditions. Upstream they are written by this
// separate controller, so they keep moving while disruption waits on a replacement (up to
// 9.5 minutes); computing them inside the disruption loop would freeze them for that long.

import { ignoreNotFound } from '../../kube/errors.ts'
import { rfc3339 } from '../../kube/json.ts'
import type { Pod } from '../../k8s/types.ts'
import { Controller } from '../../runtime/controller.ts'
import type { NodeClaim } from '../api.ts'
import { emptyCondition, expiredCondition } from '../disruption/consolidation.ts'
import { LABEL_NODEPOOL } from '../labels.ts'
import { setCondition } from '../nodes.ts'
import { reschedulablePods } from '../scheduling/pods.ts'
import type { StateNode } from '../state.ts'
import { NODECLAIMS, NODEPOOLS, stateNodeOf } from './cluster-state.ts'
import type { KarpenterContext } from './context.ts'

/** emptiness.go: a nominated node is looked at again after 30 s. */
const NOMINATED_REQUEUE_MS = 30_000

export class NodeClaimDisruption {
  private readonly ctx: KarpenterContext
  readonly controller: Controller
  private readonly stops: (() => void)[] = []

  constructor(ctx: KarpenterContext) {
    this.ctx = ctx
    this.controller = new Controller({
      name: 'nodeclaim.disruption',
      clock: ctx.clock,
      log: ctx.cluster.log,
      reconcile: (name) => this.reconcile(name),
      maxConcurrentReconciles: 10,
    })
  }

  start(): void {
    const enqueue = (name: string | undefined) => name && this.controller.enqueue(name)
    this.stops.push(this.ctx.store.watch(NODECLAIMS, {}, (e) => enqueue(e.object.metadata.name)))
    this.stops.push(
      this.ctx.store.watch(NODEPOOLS, {}, (e) => {
        for (const nc of this.ctx.store.listRaw(NODECLAIMS).items)
          if (nc.metadata.labels?.[LABEL_NODEPOOL] === e.object.metadata.name) enqueue(nc.metadata.name)
      }),
    )
    this.stops.push(this.ctx.store.watch('nodes', {}, (e) => enqueue(this.claimOfProvider((e.object.spec as { providerID?: string } | undefined)?.providerID))))
    this.stops.push(
      this.ctx.store.watch('pods', {}, (e) => {
        const nodeName = (e.object as unknown as Pod).spec.nodeName
        const node = nodeName ? this.ctx.store.find('nodes', undefined, nodeName) : undefined
        enqueue(this.claimOfProvider((node?.spec as { providerID?: string } | undefined)?.providerID))
      }),
    )
  }

  stop(): void {
    for (const s of this.stops.splice(0)) s()
    this.controller.stop()
  }

  private claimOfProvider(providerID: string | undefined): string | undefined {
    if (!providerID) return undefined
    return this.ctx.store.listRaw(NODECLAIMS).items.find((nc) => (nc.status as { providerID?: string } | undefined)?.providerID === providerID)?.metadata.name
  }

  private reconcile(name: string): { requeueAfterMs: number } | undefined {
    const found = stateNodeOf(this.ctx, name)
    const sn = found?.stateNode
    const nc = sn?.nodeClaim
    const pool = found?.nodePool
    if (!sn || !nc || nc.metadata.deletionTimestamp || !pool) return undefined
    const empty = emptyCondition({
      consolidationPolicy: pool.spec.disruption?.consolidationPolicy,
      consolidateAfter: pool.spec.disruption?.consolidateAfter,
      initialized: sn.initialized,
      hasNode: !!sn.node,
      nominated: sn.nominated,
      reschedulablePods: reschedulablePods(sn.pods).length,
    })
    const expiry = expiredCondition({
      expireAfter: pool.spec.disruption?.expireAfter,
      nodeClaimCreated: this.tutorialTime(nc.metadata.creationTimestamp) ?? new Date(this.ctx.clock.simulated()).toISOString(),
      nodeCreated: this.tutorialTime(sn.node?.metadata.creationTimestamp),
      now: this.ctx.clock.simulated(),
    })
    this.write(nc, [
      ['Empty', empty],
      ['Expired', expiry.expired],
    ])
    const requeues = [expiry.requeueAfterMs, nominatedRequeue(sn)].filter((ms): ms is number => ms !== undefined)
    return requeues.length > 0 ? { requeueAfterMs: Math.min(...requeues) } : undefined
  }

  /** A stamp the daemon wrote (wall time) as the tutorial instant it stands for. */
  private tutorialTime(stamp: string | undefined): string | undefined {
    return stamp ? new Date(this.ctx.clock.simulated(stamp)).toISOString() : undefined
  }

  /** Sets or clears the conditions that changed; nothing is written when none did. */
  private write(nc: NodeClaim, want: [string, boolean][]): void {
    const current = nc.status?.conditions ?? []
    const changes = want.filter(([type, on]) => current.some((c) => c.type === type && c.status === 'True') !== on)
    if (changes.length === 0) return
    try {
      this.ctx.store.mutate(
        NODECLAIMS,
        undefined,
        nc.metadata.name!,
        (o) => {
          const status = (o.status ?? {}) as NonNullable<NodeClaim['status']>
          let conditions = (status.conditions ?? []).filter((c) => !changes.some(([type, on]) => !on && c.type === type))
          for (const [type, on] of changes)
            if (on) conditions = setCondition(conditions, { type, status: 'True', lastTransitionTime: rfc3339(this.ctx.clock.now()) })
          o.status = { ...status, conditions }
        },
        { subresource: 'status', fieldManager: 'karpenter' },
      )
    } catch (error) {
      ignoreNotFound(error)
    }
  }
}

function nominatedRequeue(sn: StateNode): number | undefined {
  return sn.nominated ? NOMINATED_REQUEUE_MS : undefined
}
