// The Karpenter twin as the chart runs it: two replicas of the controller, one elected leader
// (Lease karpenter/karpenter-leader-election) that runs the controllers and writes their log
// lines; both log their start-up discovery. If the leader's pod goes away, the other replica
// takes the lease and carries on.

import { ApiError } from '../kube/errors.ts'
import type { ChartRuntime, HelmRelease, SandboxCluster } from '../cluster/sandbox-cluster.ts'
import type { Pod } from '../k8s/types.ts'
import { karpenterLabels } from './chart.ts'
import { formatLogLine, type LogEntry } from './logger.ts'
import * as log from './logger.ts'
import { Cloud } from './operator/cloud.ts'
import { KarpenterContext, settingsFrom } from './operator/context.ts'
import { Disruption } from './operator/disruption.ts'
import { Interruption } from './operator/interruption.ts'
import { Lifecycle } from './operator/lifecycle.ts'
import { NodeClasses, NodePools } from './operator/nodepools.ts'
import { Provisioner } from './operator/provisioner.ts'
import { Termination } from './operator/termination.ts'

export const KARPENTER_VERSION = 'v0.32.1'
const LEASE = 'karpenter-leader-election'
/** controller-runtime's leader election defaults, which Karpenter keeps: renew every 2 s (retry period). */
const LEASE_RETRY_PERIOD_MS = 2_000
const SPOT_PRICE_REFRESH_MS = 12 * 60 * 60_000

export async function startKarpenter(cluster: SandboxCluster, release: HelmRelease): Promise<ChartRuntime> {
  const operator = new KarpenterOperator(cluster, release)
  operator.start()
  return operator
}

export class KarpenterOperator implements ChartRuntime {
  readonly ctx: KarpenterContext
  /** The leader's controllers; none while no replica runs (e.g. the deployment scaled to 0). */
  private term?: LeaderTerm
  private readonly started = new Set<string>()
  private stopWatch?: () => void
  /** Leadership changes run one after another, in the order the pod events came. */
  private transitions: Promise<void> = Promise.resolve()
  /** The leader renews its lease every retry period while it leads. */
  private renewTimer?: NodeJS.Timeout

  constructor(cluster: SandboxCluster, release: HelmRelease) {
    this.ctx = new KarpenterContext(cluster, settingsFrom(release.values, cluster.name, release.namespace))
  }

  start(): void {
    const selector = Object.entries(karpenterLabels())
      .map(([k, v]) => `${k}=${v}`)
      .join(',')
    this.stopWatch = this.ctx.store.watch('pods', { namespace: this.ctx.settings.namespace, labelSelector: selector }, () => {
      this.transitions = this.transitions.then(() => this.podsChanged())
    })
  }

  /** A replica whose container runs logs its start-up; the first one running takes the lease. */
  private async podsChanged(): Promise<void> {
    const pods = this.replicas()
    for (const pod of pods) {
      const name = pod.metadata.name!
      if (this.started.has(name) || !running(pod)) continue
      this.started.add(name)
      this.startupLines(name)
    }
    for (const name of [...this.started]) if (!pods.some((p) => p.metadata.name === name)) this.started.delete(name)
    if (this.ctx.leaderPod && this.started.has(this.ctx.leaderPod)) return
    const next = pods.find((p) => running(p) && !p.metadata.deletionTimestamp)
    if (!next) {
      // No replica runs: nothing provisions, consolidates or reads the queue until one does, and the
      // lease is no longer renewed.
      clearInterval(this.renewTimer)
      this.ctx.leaderPod = undefined
      await this.term?.stop()
      this.term = undefined
      return
    }
    // A new leader is a new process: its controllers start afresh (caches included), as in Karpenter.
    await this.term?.stop()
    this.ctx.leaderPod = next.metadata.name
    this.takeLease(next.metadata.name!)
    clearInterval(this.renewTimer)
    this.renewTimer = this.ctx.clock.setInterval(() => this.renewLease(next.metadata.name!), LEASE_RETRY_PERIOD_MS)
    this.renewTimer.unref()
    this.ctx.log({ level: 'INFO', logger: 'controller', message: `successfully acquired lease ${this.ctx.settings.namespace}/${LEASE}`, fields: [] })
    this.term = new LeaderTerm(this.ctx)
    await this.term.start()
  }

  private replicas(): Pod[] {
    const selector = Object.entries(karpenterLabels())
      .map(([k, v]) => `${k}=${v}`)
      .join(',')
    return (this.ctx.store.list('pods', { namespace: this.ctx.settings.namespace, labelSelector: selector }).items as unknown as Pod[]).sort((a, b) =>
      String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)) || String(a.metadata.name).localeCompare(String(b.metadata.name)),
    )
  }

  private startupLines(pod: string): void {
    const entries: LogEntry[] = [
      { level: 'DEBUG', logger: 'controller', message: 'discovered karpenter version', fields: [['version', KARPENTER_VERSION]] },
      log.discoveredRegion(this.ctx.cluster.aws.region),
      log.discoveredClusterEndpoint(this.ctx.settings.clusterEndpoint || this.ctx.cluster.endpoint),
    ]
    const dns = (this.ctx.store.find('services', 'kube-system', 'kube-dns') as { spec?: { clusterIP?: string } } | undefined)?.spec?.clusterIP
    if (dns) entries.push(log.discoveredKubeDns(dns))
    entries.push({ level: 'INFO', logger: 'controller', message: `attempting to acquire leader lease ${this.ctx.settings.namespace}/${LEASE}...`, fields: [] })
    const time = this.ctx.clock.now()
    for (const e of entries) this.ctx.podLogs.append(this.ctx.settings.namespace, pod, 'controller', formatLogLine(e, time), time)
  }

  private renewLease(holder: string): void {
    if (this.ctx.leaderPod !== holder) return
    const now = microTime(this.ctx.clock.nowMs())
    try {
      this.ctx.store.mutate('leases.coordination.k8s.io', this.ctx.settings.namespace, LEASE, (o) => {
        const spec = (o.spec ?? {}) as { holderIdentity?: string }
        if (spec.holderIdentity !== holder) return false
        o.spec = { ...spec, renewTime: now }
      })
    } catch (error) {
      if (!(error instanceof ApiError)) throw error
    }
  }

  private takeLease(holder: string): void {
    const now = microTime(this.ctx.clock.nowMs())
    const spec = { holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: now, renewTime: now, leaseTransitions: 0 }
    const existing = this.ctx.store.find('leases.coordination.k8s.io', this.ctx.settings.namespace, LEASE)
    try {
      if (existing) {
        this.ctx.store.mutate('leases.coordination.k8s.io', this.ctx.settings.namespace, LEASE, (o) => {
          const prev = (o.spec ?? {}) as { leaseTransitions?: number }
          o.spec = { ...spec, leaseTransitions: (prev.leaseTransitions ?? 0) + 1 }
        })
      } else {
        this.ctx.store.create('leases.coordination.k8s.io', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: LEASE, namespace: this.ctx.settings.namespace }, spec })
      }
    } catch (error) {
      if (!(error instanceof ApiError)) throw error
    }
  }

  async stop(): Promise<void> {
    this.stopWatch?.()
    clearInterval(this.renewTimer)
    await this.transitions
    await this.term?.stop()
    this.term = undefined
    this.ctx.destroy()
  }
}

/** What the elected leader runs: the controllers, over its own view of EC2. */
class LeaderTerm {
  private readonly cloud: Cloud
  private readonly provisioner: Provisioner
  private readonly lifecycle: Lifecycle
  private readonly termination: Termination
  private readonly interruption: Interruption
  private readonly disruption: Disruption
  private readonly nodeClasses: NodeClasses
  private readonly nodePools: NodePools
  private priceTimer?: NodeJS.Timeout
  private readonly ctx: KarpenterContext

  constructor(ctx: KarpenterContext) {
    this.ctx = ctx
    this.cloud = new Cloud(ctx)
    this.provisioner = new Provisioner(ctx, this.cloud)
    this.lifecycle = new Lifecycle(ctx, this.cloud)
    this.termination = new Termination(ctx, this.cloud)
    this.interruption = new Interruption(ctx)
    this.disruption = new Disruption(ctx, this.provisioner)
    this.nodeClasses = new NodeClasses(ctx, this.cloud)
    this.nodePools = new NodePools(ctx)
  }

  async start(): Promise<void> {
    try {
      await this.cloud.refreshCatalog(true)
      this.ctx.log(log.discoveredAvailabilityZones(this.cloud.zones))
      this.ctx.log(log.discoveredInstanceTypes(this.cloud.instanceTypeCount))
      this.ctx.log(log.discoveredOfferings(this.cloud.instanceTypeCount))
      const spot = await this.cloud.refreshSpotPrices()
      this.ctx.log(log.updatedSpotPricing(spot.types, spot.offerings))
    } catch (error) {
      this.ctx.cluster.log(`karpenter: EC2 discovery failed: ${(error as Error).message}`)
    }
    for (const name of ['provisioner', 'disruption', 'interruption']) this.ctx.log({ level: 'INFO', logger: `controller.${name}`, message: 'starting controller', fields: [] })
    this.nodeClasses.start()
    this.nodePools.start()
    this.lifecycle.start()
    this.termination.start()
    this.provisioner.start()
    this.interruption.start()
    this.disruption.start()
    this.priceTimer = this.ctx.clock.setInterval(() => {
      void this.cloud.refreshSpotPrices().then(
        (s) => this.ctx.log(log.updatedSpotPricing(s.types, s.offerings)),
        () => undefined,
      )
    }, SPOT_PRICE_REFRESH_MS)
    this.priceTimer.unref()
  }

  async stop(): Promise<void> {
    clearInterval(this.priceTimer)
    this.provisioner.stop()
    this.lifecycle.stop()
    this.termination.stop()
    this.nodeClasses.stop()
    this.nodePools.stop()
    await this.interruption.stop()
    await this.disruption.stop()
    this.cloud.destroy()
  }
}

/** A Kubernetes MicroTime (RFC 3339 with microseconds), as Lease timestamps are written. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000Z')
}

function running(pod: Pod): boolean {
  return pod.status?.phase === 'Running'
}
