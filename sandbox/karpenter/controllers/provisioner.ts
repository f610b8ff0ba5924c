// The provisioner (core@v0.32.1 pkg/controllers/provisioning): every pod the kube-scheduler
// marked Unschedulable triggers the batcher, and is re-triggered every 10 s while it stays so;
// the batch closes after 1 s without a new trigger or 10 s after it opened (tutorial time);
// then one scheduling simulation decides which pods go to nodes already there or in flight
// (nominations) and which NodeClaims to create, and the NodeClaims are created at once.

import type { ClockTimer } from '../../runtime/clock.ts'
import { ApiError } from '../../kube/errors.ts'
import type { KubeObject } from '../../kube/json.ts'
import type { Pod } from '../../k8s/types.ts'
import type { NodePool } from '../api.ts'
import type { InstanceType } from '../instance-types.ts'
import { LABEL_NODEPOOL } from '../labels.ts'
import { goDuration, skippingUnresolvedInstanceTypes, waitingOnClusterSync, type LogEntry } from '../logger.ts'
import { batchWindowCloses, limitsExceededBy, nodePoolUsage, provisioningRound, type ProvisioningOptions } from '../provisioning.ts'
import type { Scope } from '../v1/logger.ts'
import { daemonSetPods } from '../scheduling/scheduler.ts'
import { isProvisionable } from '../scheduling/pods.ts'
import { nominationWindowMs } from '../state.ts'
import { NODECLAIMS, nodeClassFor, takeSnapshot, type ClusterSnapshot } from './cluster-state.ts'
import type { Cloud } from './cloud.ts'
import type { KarpenterContext } from './context.ts'
import type { Subnet } from '@aws-sdk/client-ec2'

const RETRIGGER_MS = 10_000

/**
 * What the 1.x provisioner does differently (the v0.32 one passes none): its reconcile's log scope,
 * NodePools used only when Ready, its NodeClaim objects, and its log lines' shape.
 */
export interface ProvisionerLine {
  /** A new reconcile's log scope (controller-runtime context fields). */
  scope(controller?: string): Scope
  /** The NodePools provisioning may use, and the lines about those it ignores. */
  usableNodePools(nodePools: readonly NodePool[], scope: Scope): { usable: NodePool[]; logs: LogEntry[] }
  toNodeClaim: NonNullable<ProvisioningOptions['toNodeClaim']>
  /** The round's lines (the v0.32 catalogue) in this line's shape. */
  roundLogs(entries: readonly LogEntry[], scope: Scope): LogEntry[]
}

export class Provisioner {
  private readonly ctx: KarpenterContext
  private readonly cloud: Cloud
  private readonly line?: ProvisionerLine
  private firstTrigger?: number
  private lastTrigger?: number
  private timer?: ClockTimer
  private running = false
  private rerun = false
  private readonly retriggers = new Map<string, ClockTimer>()
  private stopWatch?: () => void
  private stopped = false

  constructor(ctx: KarpenterContext, cloud: Cloud, line?: ProvisionerLine) {
    this.ctx = ctx
    this.cloud = cloud
    this.line = line
  }

  start(): void {
    this.stopWatch = this.ctx.store.watch('pods', {}, (e) => {
      const pod = e.object as unknown as Pod
      const key = `${pod.metadata.namespace}/${pod.metadata.name}`
      if (e.type === 'DELETED' || !isProvisionable(pod)) {
        this.ctx.clock.clear(this.retriggers.get(key))
        this.retriggers.delete(key)
        return
      }
      this.trigger()
      this.scheduleRetrigger(key)
    })
    // Pods already waiting when Karpenter starts.
    if (takeSnapshot(this.ctx).pendingPods.some(isProvisionable)) this.trigger()
  }

  stop(): void {
    this.stopped = true
    this.stopWatch?.()
    this.ctx.clock.clear(this.timer)
    for (const t of this.retriggers.values()) this.ctx.clock.clear(t)
    this.retriggers.clear()
  }

  /** Opens or extends the batch window (a pod became provisionable). */
  trigger(): void {
    if (this.stopped) return
    const now = this.ctx.clock.simulated()
    this.firstTrigger ??= now
    this.lastTrigger = now
    const closes = batchWindowCloses(this.firstTrigger, this.lastTrigger, this.ctx.settings.batchIdleMs, this.ctx.settings.batchMaxMs)
    this.ctx.clock.clear(this.timer)
    this.timer = this.ctx.clock.setTimeout(() => void this.closeBatch(), Math.max(0, closes - now))
  }

  private scheduleRetrigger(key: string): void {
    if (this.retriggers.has(key)) return
    const t = this.ctx.clock.setTimeout(() => {
      this.retriggers.delete(key)
      const [namespace, name] = key.split('/')
      const pod = this.ctx.store.find('pods', namespace, name) as unknown as Pod | undefined
      if (pod && isProvisionable(pod)) {
        this.trigger()
        this.scheduleRetrigger(key)
      }
    }, RETRIGGER_MS)
    this.retriggers.set(key, t)
  }

  private async closeBatch(): Promise<void> {
    this.firstTrigger = undefined
    this.lastTrigger = undefined
    if (this.running) {
      this.rerun = true
      return
    }
    this.running = true
    try {
      await this.round()
    } catch (error) {
      this.ctx.cluster.log(`karpenter provisioner: ${(error as Error).stack ?? String(error)}`)
    } finally {
      this.running = false
      if (this.rerun && !this.stopped) {
        this.rerun = false
        this.trigger()
      }
    }
  }

  /** One provisioning round. Public for the disruption controller's replacements and for tests. */
  async round(): Promise<void> {
    const snapshot = takeSnapshot(this.ctx)
    // Cluster state is synced only once every NodeClaim has launched (has a provider ID): a round
    // before that would not see the capacity in flight and launch it twice (state/cluster.go Synced).
    if (snapshot.nodeClaims.some((nc) => !nc.metadata.deletionTimestamp && !nc.status?.providerID)) {
      if (this.stopped) return
      // 1.x requeues silently (provisioner.go Reconcile); v0.32 logged it.
      if (!this.line) this.ctx.log(waitingOnClusterSync())
      await this.ctx.clock.sleep(1_000)
      return this.round()
    }
    const scope = this.line?.scope() ?? []
    let nodePools = snapshot.nodePools.filter((np) => !np.metadata.deletionTimestamp)
    if (this.line && snapshot.pendingPods.some(isProvisionable)) {
      const u = this.line.usableNodePools(nodePools, scope)
      this.ctx.logAll(u.logs)
      nodePools = u.usable
    }
    // v0.32.1 builds a scheduler (and says which NodePools it skips) only when there are pods to schedule.
    const instanceTypes = await this.instanceTypesByPool(snapshot, nodePools, snapshot.pendingPods.some(isProvisionable))
    const ready = nodePools.filter((np) => instanceTypes.has(np.metadata.name!))
    const started = performance.now()
    const result = provisioningRound({
      pendingPods: snapshot.pendingPods,
      stateNodes: snapshot.stateNodes,
      nodePools: ready,
      instanceTypes,
      daemonSetPods: daemonSetPods(snapshot.daemonSets, snapshot.pods),
      cluster: snapshot.topology,
      rng: this.ctx.rng,
      durationMs: 0,
      takenNames: new Set(snapshot.nodeClaims.map((nc) => nc.metadata.name!)),
      toNodeClaim: this.line?.toNodeClaim,
      // A line is the 1.x provisioner: its scheduler has the 1.9 differences (scheduler.ts, topology.ts).
      line: this.line ? 'v1' : undefined,
    })
    const durationMs = performance.now() - started
    // The simulation's duration field is measured here (the pure round cannot time itself).
    for (const entry of result.logs)
      if (entry.message === 'found provisionable pod(s)') entry.fields = entry.fields.map(([k, v]) => (k === 'duration' ? [k, goDuration(durationMs)] : [k, v]))
    const until = this.ctx.clock.tutorialNow() + nominationWindowMs(this.ctx.settings.batchMaxMs)
    for (const { pod, node } of result.nominations) {
      this.ctx.nominatedUntil.set(node.name, until)
      if (node.nodeClaim) this.ctx.nominatedUntil.set(node.nodeClaim.metadata.name!, until)
      const targets = [node.nodeClaim ? `nodeclaim/${node.nodeClaim.metadata.name}` : undefined, node.node ? `node/${node.node.metadata.name}` : undefined]
        .filter(Boolean)
        .join(', ')
      this.ctx.event(pod as unknown as KubeObject, 'Normal', 'Nominated', `Pod should schedule on: ${targets}`)
    }
    for (const [pod, reason] of result.results.podErrors)
      this.ctx.event(pod as unknown as KubeObject, 'Warning', 'FailedScheduling', `Failed to schedule pod, ${reason}`)
    const logs = this.line ? this.line.roundLogs(result.logs, scope) : [...result.logs]
    const now = this.ctx.instant()
    for (const entry of logs) this.ctx.log(entry, now)
    // NodeClaims are created in parallel once the round is decided; limits are checked again.
    for (const nodeClaim of result.nodeClaims) {
      const pool = ready.find((np) => np.metadata.name === nodeClaim.metadata.labels?.[LABEL_NODEPOOL])
      if (pool) {
        const exceeded = limitsExceededBy({ ...pool, status: { resources: nodePoolUsage(pool.metadata.name!, takeSnapshot(this.ctx).stateNodes) } })
        if (exceeded) {
          this.ctx.cluster.log(`karpenter: nodepool ${pool.metadata.name} ${exceeded}; not creating ${nodeClaim.metadata.name}`)
          continue
        }
      }
      try {
        this.ctx.store.create(NODECLAIMS, nodeClaim as unknown as KubeObject, { fieldManager: 'karpenter' })
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 409)) throw error
      }
    }
  }

  /**
   * Each NodePool's instance types. NodePools whose EC2NodeClass is missing, or has no subnets
   * resolved yet, are skipped; v0.32.1 says so for a missing one each time it schedules pods
   * (`forPods`; 1.x judges a NodePool's readiness before this: its line's usableNodePools).
   */
  async instanceTypesByPool(snapshot: ClusterSnapshot, nodePools: readonly NodePool[], forPods = true): Promise<Map<string, InstanceType[]>> {
    const out = new Map<string, InstanceType[]>()
    for (const np of nodePools) {
      const ref = np.spec.template.spec.nodeClassRef
      const nodeClass = nodeClassFor(snapshot, ref)
      if (!nodeClass && !this.line && forPods)
        this.ctx.log(
          skippingUnresolvedInstanceTypes(np.metadata.name!, `resolving node class, ec2nodeclasses.karpenter.k8s.aws "${ref?.name ?? ''}" not found`),
        )
      const subnets = (nodeClass?.status?.subnets as { id: string; zone: string }[] | undefined) ?? []
      if (!nodeClass || subnets.length === 0) continue
      const asSubnets: Subnet[] = subnets.map((s) => ({ SubnetId: s.id, AvailabilityZone: s.zone }))
      out.set(np.metadata.name!, await this.cloud.instanceTypes(nodeClass, asSubnets, np.spec.template.spec.kubelet))
    }
    return out
  }
}
