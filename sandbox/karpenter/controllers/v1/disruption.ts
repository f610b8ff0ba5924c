// Disruption in the 1.x twin:
// - nodeclaim.podevents (kubernetes-sigs/karpenter@v1.9.1 pkg/controllers/nodeclaim/podevents):
//   `status.lastPodEventTime` when a pod is bound to, or leaves, the NodeClaim's node;
// - nodeclaim.disruption (pkg/controllers/nodeclaim/disruption/{consolidation.go, drift.go}):
//   `Consolidatable` once `consolidateAfter` has passed since the last pod event (or
//   initialization), `Drifted` with its reason;
// - nodeclaim.expiration (pkg/controllers/nodeclaim/expiration): deletes the NodeClaim once
//   `expireAfter` has passed (forceful, no replacement first);
// - disruption (pkg/controllers/disruption/{controller.go, queue.go}): every 10 s, Emptiness →
//   Drift → multi-node → single-node consolidation within the NodePools' budgets; consolidation
//   commands are re-validated after 15 s; then `disrupting node(s)`, the candidates tainted
//   `karpenter.sh/disrupted:NoSchedule` with a DisruptionReason condition, replacements created
//   (`created nodeclaim` under the disruption controller), and once they are initialized the
//   candidates' NodeClaims deleted.

import { rfc3339, type KubeObject } from '../../../kube/json.ts'
import { ignoreNotFound } from '../../../kube/errors.ts'
import type { Node, Pod } from '../../../k8s/types.ts'
import { Controller } from '../../../runtime/controller.ts'
import type { DisruptionSnapshot } from '../../disruption/candidates.ts'
import { CONSOLIDATION_TTL_MS, DISRUPTION_POLLING_PERIOD_MS, type Command } from '../../disruption/consolidation.ts'
import { LABEL_INSTANCE_TYPE, LABEL_NODEPOOL } from '../../labels.ts'
import { daemonSetPods } from '../../scheduling/scheduler.ts'
import type { StateNode } from '../../state.ts'
import { DISRUPTED_NO_SCHEDULE_TAINT, type EC2NodeClassV1, type NodeClaimV1, type NodePoolV1 } from '../../v1/api.ts'
import { ConditionSet, NODECLAIM_CONDITIONS, transitions } from '../../v1/conditions.ts'
import {
  commandText,
  computeDisruptionV1,
  consolidatable,
  driftedCondition,
  INSTANCE_TYPE_DRIFT_AFTER_MS,
  expiry,
  logValues,
  consolidateAfterMs,
  validateV1,
  type V1Decision,
  type V1Round,
} from '../../v1/disruption.ts'
import * as log from '../../v1/logger.ts'
import { toNodeClaimV1 } from '../../v1/nodeclaim.ts'
import { internalNodeClass } from '../../v1/adapter.ts'
import { instanceTypeList } from '../../scheduling/nodeclaim.ts'
import { NODECLAIMS, NODECLASSES, NODEPOOLS, takeSnapshot } from '../cluster-state.ts'
import type { Cloud } from '../cloud.ts'
import type { KarpenterContext } from '../context.ts'
import type { Provisioner } from '../provisioner.ts'

/** queue.go: a command waits up to 10 minutes for its replacements. */
const COMMAND_TIMEOUT_MS = 10 * 60_000
const WAIT_POLL_MS = 1_000
/** The consolidation state also changes at least every 5 minutes (state/cluster.go). */
const STATE_REFRESH_MS = 5 * 60_000
/** podevents: updates closer together than this are dropped. */
const POD_EVENT_DEDUPE_MS = 5_000

export class DisruptionV1 {
  private readonly ctx: KarpenterContext
  private readonly cloud: Cloud
  private readonly provisioner: Provisioner
  private readonly abort = new AbortController()
  private loop?: Promise<void>
  private memo: V1Round['memo'] = {}
  private readonly stops: (() => void)[] = []
  /** nodeclaim.disruption + nodeclaim.expiration, one key per NodeClaim. */
  readonly conditions: Controller
  readonly expiration: Controller

  constructor(ctx: KarpenterContext, cloud: Cloud, provisioner: Provisioner) {
    this.ctx = ctx
    this.cloud = cloud
    this.provisioner = provisioner
    this.conditions = new Controller({
      name: 'nodeclaim.disruption',
      clock: ctx.clock,
      log: ctx.cluster.log,
      reconcile: (k) => this.reconcileConditions(k),
      maxConcurrentReconciles: 10,
    })
    this.expiration = new Controller({
      name: 'nodeclaim.expiration',
      clock: ctx.clock,
      log: ctx.cluster.log,
      reconcile: (k) => this.reconcileExpiration(k),
      maxConcurrentReconciles: 10,
    })
  }

  start(): void {
    const all = () => {
      for (const nc of this.ctx.store.listRaw(NODECLAIMS).items) this.conditions.enqueue(nc.metadata.name!)
    }
    this.stops.push(
      this.ctx.store.watchAll((e) => {
        if (e.resource === 'pods' || e.resource === 'nodes' || e.resource === NODECLAIMS) this.ctx.consolidationState = this.ctx.clock.simulated()
      }),
    )
    this.stops.push(
      this.ctx.store.watch(NODECLAIMS, {}, (e) => {
        this.conditions.enqueue(e.object.metadata.name!)
        this.expiration.enqueue(e.object.metadata.name!)
      }),
    )
    this.stops.push(this.ctx.store.watch(NODEPOOLS, {}, all))
    this.stops.push(this.ctx.store.watch(NODECLASSES, {}, all))
    this.stops.push(this.ctx.store.watch('pods', {}, (e) => this.podEvent(e.type, e.object as unknown as Pod)))
    this.loop = this.run()
  }

  async stop(): Promise<void> {
    this.abort.abort()
    for (const s of this.stops.splice(0)) s()
    this.conditions.stop()
    this.expiration.stop()
    await this.loop?.catch(() => undefined)
  }

  private now = () => rfc3339(this.ctx.clock.now())

  // ---- nodeclaim.podevents ----

  private readonly lastPodEvent = new Map<string, number>()

  /** A pod bound to a node, or gone from it (terminal or deleted), is a pod event for its NodeClaim. */
  private podEvent(type: string, pod: Pod): void {
    const nodeName = pod.spec.nodeName
    if (!nodeName) return
    const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed'
    if (type === 'MODIFIED' && !terminal && !pod.metadata.deletionTimestamp && pod.status?.phase === 'Running') return
    const claim = (this.ctx.store.listRaw(NODECLAIMS).items as unknown as NodeClaimV1[]).find((nc) => nc.status?.nodeName === nodeName)
    if (!claim) return
    const now = this.ctx.clock.nowMs() // the stamp written (wall, as every object timestamp)
    const at = this.ctx.clock.tutorialNow() // the dedupe window is tutorial time
    const last = this.lastPodEvent.get(claim.metadata.name!)
    if (last !== undefined && at - last < POD_EVENT_DEDUPE_MS) return
    this.lastPodEvent.set(claim.metadata.name!, at)
    try {
      this.ctx.store.mutate(
        NODECLAIMS,
        undefined,
        claim.metadata.name!,
        (o) => void (o.status = { ...((o.status ?? {}) as Record<string, unknown>), lastPodEventTime: rfc3339(new Date(now)) }),
        { subresource: 'status', fieldManager: 'karpenter' },
      )
    } catch (error) {
      ignoreNotFound(error)
    }
    this.conditions.enqueue(claim.metadata.name!)
  }

  // ---- nodeclaim.disruption ----

  private async reconcileConditions(name: string): Promise<{ requeueAfterMs: number } | void> {
    const nc = this.ctx.store.find(NODECLAIMS, undefined, name) as unknown as NodeClaimV1 | undefined
    if (!nc || nc.metadata.deletionTimestamp) return
    const pool = this.ctx.store.find(NODEPOOLS, undefined, nc.metadata.labels?.[LABEL_NODEPOOL] ?? '') as unknown as NodePoolV1 | undefined
    if (!pool) return
    const scope = log.nodeClaimScope('nodeclaim.disruption', name, this.ctx.rng)
    const initialized = (nc.status?.conditions ?? []).find((c) => c.type === 'Initialized' && c.status === 'True')
    const c = consolidatable({
      consolidateAfterMs: consolidateAfterMs(pool),
      initializedAt: initialized && new Date(this.ctx.clock.simulated(initialized.lastTransitionTime)).toISOString(),
      lastPodEventTime: nc.status?.lastPodEventTime && new Date(this.ctx.clock.simulated(nc.status.lastPodEventTime)).toISOString(),
      nowMs: this.ctx.clock.simulated(),
    })
    // drift.go Reconcile: nothing until Launched; the EC2NodeClass only for the cloud provider's part.
    let drift: string | undefined
    if ((nc.status?.conditions ?? []).some((x) => x.type === 'Launched' && x.status === 'True')) {
      const nodeClass = this.ctx.store.find(NODECLASSES, undefined, nc.spec.nodeClassRef?.name ?? '') as unknown as EC2NodeClassV1 | undefined
      const instanceId = nc.status?.providerID?.split('/').pop()
      const types = nodeClass ? await this.instanceTypesFor(nodeClass, pool) : []
      const createdMs = nc.metadata.creationTimestamp ? this.ctx.clock.simulated(nc.metadata.creationTimestamp) : undefined
      drift = driftedCondition({
        nodeClaim: nc,
        nodePool: pool,
        nodeClass,
        instanceTypeRequirements: types.find((t) => t.name === nc.metadata.labels?.[LABEL_INSTANCE_TYPE])?.requirements,
        // Instance-type drift once the NodeClaim is an hour old (drift.go; its 30-minute cache of
        // successful checks is not kept: a check that passes costs the twin nothing).
        // An EC2NodeClass without subnets yields no list (upstream's GetInstanceTypes fails): no verdict.
        instanceTypes: types.length > 0 && createdMs !== undefined && this.ctx.clock.simulated() - createdMs > INSTANCE_TYPE_DRIFT_AFTER_MS ? types : undefined,
        // Deviation: only the subnet is compared. The sandbox's EC2 (moto) does not give fleet
        // instances the launch template's security groups, so SecurityGroupDrift would always fire.
        instance: nodeClass && instanceId ? { subnetId: (await this.cloud.instanceNetwork(instanceId))?.subnetId } : undefined,
      })
    }
    const had = { consolidatable: has(nc, 'Consolidatable'), drifted: has(nc, 'Drifted') }
    if (had.consolidatable === c.consolidatable && (had.drifted ? nc.status?.conditions?.find((x) => x.type === 'Drifted')?.reason : undefined) === drift)
      return c.requeueAfterMs ? { requeueAfterMs: c.requeueAfterMs } : { requeueAfterMs: 60_000 }
    let before: NodeClaimV1['status']
    let after: NodeClaimV1 | undefined
    try {
      this.ctx.store.mutate(
        NODECLAIMS,
        undefined,
        name,
        (o) => {
          const claim = o as unknown as NodeClaimV1
          before = structuredClone(claim.status ?? {})
          const set = new ConditionSet(claim, NODECLAIM_CONDITIONS, this.now)
          if (c.consolidatable) set.setTrue('Consolidatable')
          else set.clear('Consolidatable')
          if (drift) set.setTrue('Drifted', drift, drift)
          else set.clear('Drifted')
          after = claim
        },
        { subresource: 'status', fieldManager: 'karpenter' },
      )
    } catch (error) {
      ignoreNotFound(error)
      return
    }
    if (c.consolidatable && !had.consolidatable) this.ctx.log(log.markingConsolidatable(scope))
    if (drift && !had.drifted) this.ctx.log(log.markingDrifted(scope, drift))
    if (after)
      for (const t of transitions(before?.conditions, after.status?.conditions)) this.ctx.event(after as unknown as KubeObject, 'Normal', t.reason, t.message)
    return c.requeueAfterMs ? { requeueAfterMs: c.requeueAfterMs } : { requeueAfterMs: 60_000 }
  }

  private async instanceTypesFor(nodeClass: EC2NodeClassV1, pool: NodePoolV1) {
    const snapshot = takeSnapshot(this.ctx)
    const np = snapshot.nodePools.find((p) => p.metadata.name === pool.metadata.name)
    if (!np) return []
    return (await this.provisioner.instanceTypesByPool({ ...snapshot, nodeClasses: [internalNodeClass(nodeClass)] }, [np])).get(np.metadata.name!) ?? []
  }

  // ---- nodeclaim.expiration ----

  private reconcileExpiration(name: string): { requeueAfterMs: number } | void {
    const nc = this.ctx.store.find(NODECLAIMS, undefined, name) as unknown as NodeClaimV1 | undefined
    if (!nc || nc.metadata.deletionTimestamp) return
    const e = expiry({
      expireAfter: nc.spec.expireAfter,
      createdMs: this.ctx.clock.simulated(nc.metadata.creationTimestamp ?? new Date()),
      nowMs: this.ctx.clock.simulated(),
    })
    if (!e.expired) return e.requeueAfterMs !== undefined ? { requeueAfterMs: e.requeueAfterMs } : undefined
    try {
      this.ctx.store.delete(NODECLAIMS, undefined, name)
    } catch (error) {
      ignoreNotFound(error)
      return
    }
    this.ctx.log(log.deletingExpired(log.nodeClaimScope('nodeclaim.expiration', name, this.ctx.rng)))
  }

  // ---- disruption ----

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      let acted = false
      try {
        acted = await this.reconcile()
      } catch (error) {
        if (this.abort.signal.aborted) return
        this.ctx.cluster.log(`karpenter disruption: ${(error as Error).stack ?? String(error)}`)
      }
      if (!acted) await this.ctx.clock.sleep(DISRUPTION_POLLING_PERIOD_MS, this.abort.signal).catch(() => undefined)
    }
  }

  /** One pass; true when a command was executed. */
  async reconcile(): Promise<boolean> {
    this.removeLeftoverTaints()
    const { snapshot, v1Pools } = await this.snapshot()
    const state = Math.max(this.ctx.consolidationState, Math.floor(this.ctx.clock.simulated() / STATE_REFRESH_MS) * STATE_REFRESH_MS)
    const round = computeDisruptionV1(snapshot, v1Pools, this.memo, state)
    this.memo = round.memo
    for (const e of round.events) {
      const node = this.ctx.store.find('nodes', undefined, e.node)
      if (node) this.ctx.event(node, 'Normal', e.reason, e.message)
    }
    if (!round.decision) return false
    return this.execute(round.decision)
  }

  private async execute(decision: V1Decision): Promise<boolean> {
    const scope = log.singletonScope('disruption', this.ctx.rng)
    const id = log.uuid(this.ctx.rng)
    let cmd = decision.command
    if (decision.consolidationType !== '') {
      await this.ctx.clock.sleep(CONSOLIDATION_TTL_MS, this.abort.signal)
      const { snapshot: later, v1Pools } = await this.snapshot()
      const check = validateV1(decision, later, v1Pools)
      if (!check.valid) {
        const kind = decision.consolidationType === 'empty' ? 'empty node' : decision.consolidationType === 'multi' ? 'multi-node' : 'single-node'
        this.ctx.log(log.abandoning(scope, kind, commandText(decision.reason, id, decision.command)))
        return false
      }
      cmd = check.command
    }
    this.ctx.log(log.disruptingNodes(scope, { command: commandText(decision.reason, id, cmd), ...logValues(cmd) }))
    const candidates = cmd.candidates.map((c) => c.stateNode)
    // markDisrupted: the taint and the DisruptionReason condition.
    this.taint(candidates, true)
    for (const c of candidates) this.setDisruptionReason(c, decision.reason)
    const replacements = this.createReplacements(cmd, decision.reason, scope)
    if (replacements.length > 0) {
      const ok = await this.waitFor(() =>
        replacements.every((name) => initialized(this.ctx.store.find(NODECLAIMS, undefined, name) as unknown as NodeClaimV1 | undefined)),
      )
      if (!ok) {
        // The command failed: give the candidates back.
        this.taint(candidates, false)
        for (const c of candidates) this.setDisruptionReason(c, undefined)
        return false
      }
    }
    for (const c of cmd.candidates) {
      const nc = c.stateNode.nodeClaim
      if (!nc) continue
      try {
        this.ctx.store.delete(NODECLAIMS, undefined, nc.metadata.name!)
      } catch (error) {
        ignoreNotFound(error)
        continue
      }
      const reason = decision.reason
      if (c.stateNode.node) this.ctx.event(c.stateNode.node as unknown as KubeObject, 'Normal', 'DisruptionTerminating', `Disrupting Node: ${reason}`)
      this.ctx.event(nc as unknown as KubeObject, 'Normal', 'DisruptionTerminating', `Disrupting NodeClaim: ${reason}`)
    }
    await this.waitFor(() =>
      cmd.candidates.every((c) => !c.stateNode.nodeClaim || !this.ctx.store.find(NODECLAIMS, undefined, c.stateNode.nodeClaim.metadata.name!)),
    )
    return true
  }

  /** queue.go createReplacementNodeClaims → Provisioner.Create: `created nodeclaim` in the disruption's scope. */
  private createReplacements(cmd: Command, reason: string, scope: log.Scope): string[] {
    const names: string[] = []
    const taken = new Set(this.ctx.store.listRaw(NODECLAIMS).items.map((nc) => nc.metadata.name!))
    for (const r of cmd.replacements) {
      const pool = this.ctx.store.find(NODEPOOLS, undefined, r.template.nodePoolName) as unknown as NodePoolV1 | undefined
      if (!pool) continue
      const nc = toNodeClaimV1(r, pool, { rng: this.ctx.rng, takenNames: taken })
      taken.add(nc.metadata.name!)
      try {
        this.ctx.store.create(NODECLAIMS, nc as unknown as KubeObject, { fieldManager: 'karpenter' })
      } catch (error) {
        this.ctx.cluster.log(`karpenter disruption: creating replacement ${nc.metadata.name}: ${(error as Error).message}`)
        continue
      }
      names.push(nc.metadata.name!)
      const types = nc.spec.requirements.find((q) => q.key === LABEL_INSTANCE_TYPE)?.values ?? []
      this.ctx.log(
        log.entry('INFO', 'created nodeclaim', scope, [
          ['NodePool', log.ref(r.template.nodePoolName)],
          ['NodeClaim', log.ref(nc.metadata.name!)],
          ['requests', nc.spec.resources?.requests as Record<string, string>],
          ['instance-types', instanceTypeList([...types].sort())],
        ]),
      )
      this.ctx.event(nc as unknown as KubeObject, 'Normal', 'DisruptionLaunching', `Launching NodeClaim: ${reason}`)
    }
    return names
  }

  private setDisruptionReason(sn: StateNode, reason: string | undefined): void {
    const nc = sn.nodeClaim
    if (!nc) return
    try {
      this.ctx.store.mutate(
        NODECLAIMS,
        undefined,
        nc.metadata.name!,
        (o) => {
          const set = new ConditionSet(o, NODECLAIM_CONDITIONS, this.now)
          if (reason) set.setTrue('DisruptionReason', reason, reason)
          else set.clear('DisruptionReason')
        },
        { subresource: 'status', fieldManager: 'karpenter' },
      )
    } catch (error) {
      ignoreNotFound(error)
    }
  }

  private async waitFor(done: () => boolean): Promise<boolean> {
    const deadline = this.ctx.clock.simulated() + COMMAND_TIMEOUT_MS
    while (!done()) {
      if (this.abort.signal.aborted || this.ctx.clock.simulated() > deadline) return false
      await this.ctx.clock.sleep(WAIT_POLL_MS, this.abort.signal).catch(() => undefined)
    }
    return true
  }

  /** state.RequireNoScheduleTaint: add or remove `karpenter.sh/disrupted:NoSchedule`. */
  private taint(nodes: readonly StateNode[], on: boolean): void {
    for (const c of nodes) {
      if (!c.node) continue
      try {
        this.ctx.store.mutate(
          'nodes',
          undefined,
          c.node.metadata.name!,
          (o) => {
            const spec = (o.spec ?? {}) as { taints?: { key: string; effect: string }[] }
            const without = (spec.taints ?? []).filter((t) => !(t.key === DISRUPTED_NO_SCHEDULE_TAINT.key && t.effect === DISRUPTED_NO_SCHEDULE_TAINT.effect))
            if (!on && without.length === (spec.taints ?? []).length) return false
            spec.taints = on ? [...without, { ...DISRUPTED_NO_SCHEDULE_TAINT }] : without
            o.spec = spec
          },
          { fieldManager: 'karpenter' },
        )
      } catch (error) {
        ignoreNotFound(error)
      }
    }
  }

  /** controller.go: nodes neither deleting nor in a command lose a leftover disrupted taint. */
  private removeLeftoverTaints(): void {
    for (const node of this.ctx.store.listRaw('nodes').items as unknown as Node[]) {
      if (node.metadata.deletionTimestamp) continue
      if (!(node.spec?.taints ?? []).some((t) => t.key === DISRUPTED_NO_SCHEDULE_TAINT.key)) continue
      const claim = (this.ctx.store.listRaw(NODECLAIMS).items as unknown as NodeClaimV1[]).find((nc) => nc.status?.providerID === node.spec?.providerID)
      if (claim?.metadata.deletionTimestamp) continue
      this.taint([{ node } as StateNode], false)
    }
  }

  /** What disruption reads, in tutorial time; the NodePools also as stored (v1) for budgets and policies. */
  private async snapshot(): Promise<{ snapshot: DisruptionSnapshot; v1Pools: Map<string, NodePoolV1> }> {
    const s = takeSnapshot(this.ctx)
    const nodePools = s.nodePools.filter((np) => !np.metadata.deletionTimestamp)
    const instanceTypes = await this.provisioner.instanceTypesByPool(s, nodePools)
    const toSim = (t: string | undefined) => (t ? new Date(this.ctx.clock.simulated(t)).toISOString() : t)
    const stateNodes = s.stateNodes.map((sn) => ({
      ...sn,
      node: sn.node && { ...sn.node, metadata: { ...sn.node.metadata, creationTimestamp: toSim(sn.node.metadata.creationTimestamp) } },
      nodeClaim: sn.nodeClaim && {
        ...sn.nodeClaim,
        metadata: { ...sn.nodeClaim.metadata, creationTimestamp: toSim(sn.nodeClaim.metadata.creationTimestamp) },
        status: {
          ...(sn.nodeClaim.status ?? {}),
          conditions: (sn.nodeClaim.status?.conditions ?? []).map((c) => ({ ...c, lastTransitionTime: toSim(c.lastTransitionTime) })),
        },
      },
    }))
    const v1Pools = new Map(
      (this.ctx.store.listRaw(NODEPOOLS).items as unknown as NodePoolV1[]).filter((np) => !np.metadata.deletionTimestamp).map((np) => [np.metadata.name!, np]),
    )
    return {
      snapshot: {
        now: this.ctx.clock.simulated(),
        nodePools,
        instanceTypes,
        stateNodes,
        pendingPods: s.pendingPods,
        daemonSetPods: daemonSetPods(s.daemonSets, s.pods),
        cluster: s.topology,
        pdbs: [],
        rng: this.ctx.rng,
        line: 'v1',
      },
      v1Pools,
    }
  }
}

function has(nc: NodeClaimV1, type: string): boolean {
  return (nc.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True')
}

function initialized(nc: NodeClaimV1 | undefined): boolean {
  return !!nc && has(nc, 'Initialized')
}
