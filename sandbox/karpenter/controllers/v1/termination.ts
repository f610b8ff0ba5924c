// Node termination in Karpenter 1.9 (kubernetes-sigs/karpenter@v1.9.1
// pkg/controllers/node/termination/{controller.go, terminator/terminator.go}): a Node being deleted
// gets its NodeClaim deleted too, is tainted `karpenter.sh/disrupted:NoSchedule` (the v1 taint;
// v0.32 used `karpenter.sh/disruption=disrupting`) and labelled out of load balancers, is drained
// (Drained condition on the NodeClaim), its volumes detach (VolumesDetached), and its instance is
// terminated — the finalizer goes only once EC2 reports the instance gone (InstanceTerminating).

import { ignoreNotFound } from '../../../kube/errors.ts'
import { rfc3339, type KubeObject } from '../../../kube/json.ts'
import type { Node } from '../../../k8s/types.ts'
import { Controller } from '../../../runtime/controller.ts'
import { FINALIZER_TERMINATION } from '../../labels.ts'
import { parseInstanceID } from '../../nodeclaim-names.ts'
import { DISRUPTED_NO_SCHEDULE_TAINT, type NodeClaimV1 } from '../../v1/api.ts'
import { ConditionSet, NODECLAIM_CONDITIONS, transitions } from '../../v1/conditions.ts'
import * as log from '../../v1/logger.ts'
import { NODECLAIMS } from '../cluster-state.ts'
import type { Cloud } from '../cloud.ts'
import type { KarpenterContext } from '../context.ts'
import { drainNode } from '../termination.ts'

const EXCLUDE_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers'
const DRAIN_RETRY_MS = 1_000
const TERMINATION_POLL_MS = 5_000

export class TerminationV1 {
  private readonly ctx: KarpenterContext
  private readonly cloud: Cloud
  readonly nodes: Controller
  private readonly stops: (() => void)[] = []

  constructor(ctx: KarpenterContext, cloud: Cloud) {
    this.ctx = ctx
    this.cloud = cloud
    this.nodes = new Controller({
      name: 'node.termination',
      clock: ctx.clock,
      log: ctx.cluster.log,
      reconcile: (k) => this.reconcile(k),
      maxConcurrentReconciles: 100,
    })
  }

  start(): void {
    this.stops.push(this.ctx.store.watch('nodes', {}, (e) => e.object.metadata.deletionTimestamp && this.nodes.enqueue(e.object.metadata.name!)))
  }

  stop(): void {
    for (const s of this.stops.splice(0)) s()
    this.nodes.stop()
  }

  private nodeClaimFor(node: Node): NodeClaimV1 | undefined {
    const providerID = node.spec?.providerID
    if (!providerID) return undefined
    return (this.ctx.store.list(NODECLAIMS).items as unknown as NodeClaimV1[]).find((nc) => nc.status?.providerID === providerID)
  }

  private setConditions(nodeClaim: NodeClaimV1 | undefined, edit: (c: ConditionSet) => void): void {
    if (!nodeClaim) return
    let before: NodeClaimV1['status']
    let after: NodeClaimV1 | undefined
    try {
      this.ctx.store.mutate(
        NODECLAIMS,
        undefined,
        nodeClaim.metadata.name!,
        (o) => {
          const nc = o as unknown as NodeClaimV1
          before = structuredClone(nc.status ?? {})
          edit(new ConditionSet(nc, NODECLAIM_CONDITIONS, () => rfc3339(this.ctx.clock.now())))
          after = nc
        },
        { subresource: 'status', fieldManager: 'karpenter' },
      )
    } catch (error) {
      ignoreNotFound(error)
      return
    }
    if (after)
      for (const t of transitions(before?.conditions, after.status?.conditions)) this.ctx.event(after as unknown as KubeObject, 'Normal', t.reason, t.message)
  }

  private async reconcile(name: string): Promise<{ requeueAfterMs: number } | void> {
    const node = this.ctx.store.find('nodes', undefined, name) as unknown as Node | undefined
    if (!node?.metadata.deletionTimestamp || !(node.metadata.finalizers ?? []).includes(FINALIZER_TERMINATION)) return
    const nodeClaim = this.nodeClaimFor(node)
    const scope = log.terminationScope(name, this.ctx.rng, nodeClaim?.metadata.name)
    if (nodeClaim && !nodeClaim.metadata.deletionTimestamp) {
      try {
        this.ctx.store.delete(NODECLAIMS, undefined, nodeClaim.metadata.name!)
      } catch (error) {
        ignoreNotFound(error)
      }
    }
    // terminator.go Taint: replace any taint of the same key, label the node out of load balancers.
    const taints = node.spec?.taints ?? []
    if (!taints.some((t) => t.key === DISRUPTED_NO_SCHEDULE_TAINT.key && t.effect === DISRUPTED_NO_SCHEDULE_TAINT.effect)) {
      this.ctx.store.mutate(
        'nodes',
        undefined,
        name,
        (o) => {
          const spec = (o.spec ?? {}) as { taints?: { key: string }[] }
          spec.taints = [...(spec.taints ?? []).filter((t) => t.key !== DISRUPTED_NO_SCHEDULE_TAINT.key), { ...DISRUPTED_NO_SCHEDULE_TAINT }]
          o.spec = spec
          o.metadata.labels = { ...(o.metadata.labels ?? {}), [EXCLUDE_LB_LABEL]: 'karpenter' }
        },
        { fieldManager: 'karpenter' },
      )
      this.ctx.log(log.taintedNode(scope, DISRUPTED_NO_SCHEDULE_TAINT))
    }
    if (drainNode(this.ctx, name, DISRUPTED_NO_SCHEDULE_TAINT) > 0) {
      this.setConditions(nodeClaim, (c) => c.setUnknown('Drained', 'Draining', 'Draining'))
      return { requeueAfterMs: DRAIN_RETRY_MS }
    }
    this.setConditions(nodeClaim, (c) => {
      c.setTrue('Drained')
      c.setTrue('VolumesDetached')
    })
    const instanceId = node.spec?.providerID ? parseInstanceID(node.spec.providerID) : undefined
    if (instanceId && nodeClaim) {
      await this.cloud.terminate(instanceId)
      this.ctx.cluster.machines.halt(instanceId)
      this.setConditions(nodeClaim, (c) => c.setTrue('InstanceTerminating'))
      const state = (await this.cloud.instanceStates([instanceId]).catch(() => new Map<string, string>())).get(instanceId)
      if (state && state !== 'terminated') return { requeueAfterMs: TERMINATION_POLL_MS }
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
      return
    }
    this.ctx.log(log.deletedNode(scope))
  }
}
