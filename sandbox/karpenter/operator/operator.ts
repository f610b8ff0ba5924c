// The Karpenter twin as the chart runs it: two replicas of the controller, one elected leader
// (Lease karpenter/karpenter-leader-election) that runs the controllers and writes their log
// lines; both log their start-up discovery. If the leader's pod goes away, the other replica
// takes the lease and carries on.
//
// The chart version picks the twin (version.ts karpenterTwinFor): the v0.32.1 twin or the 1.x twin
// (Karpenter 1.9.2). Everything that differs between them sits behind one `LineProfile` per
// KarpenterLine: the chart's default log level, the start-up and leader-election lines, and the
// controllers the leader runs (the 1.x ones live in controllers/v1/, over the v1 API).

import type { ClockTimer } from '../../runtime/clock.ts'
import { ApiError } from '../../kube/errors.ts'
import type { ChartRuntime, HelmRelease, SandboxCluster } from '../../cluster/sandbox-cluster.ts'
import type { Pod } from '../../k8s/types.ts'
import { karpenterLabels } from '../chart.ts'
import { formatLogLine, LEVEL_ORDER, type LogEntry } from '../logger.ts'
import * as log from '../logger.ts'
import { Cloud } from '../controllers/cloud.ts'
import { KarpenterContext, settingsFrom } from '../controllers/context.ts'
import { Disruption } from '../controllers/disruption.ts'
import { Interruption } from '../controllers/interruption.ts'
import { Lifecycle } from '../controllers/lifecycle.ts'
import { NodeClaimDisruption } from '../controllers/nodeclaim-disruption.ts'
import { NodeClasses, NodePools } from '../controllers/nodepools.ts'
import { Provisioner } from '../controllers/provisioner.ts'
import { Termination } from '../controllers/termination.ts'
import { NODEPOOLS } from '../controllers/cluster-state.ts'
import type { NodePool } from '../api.ts'
import { DisruptionV1 } from '../controllers/v1/disruption.ts'
import { InterruptionV1 } from '../controllers/v1/interruption.ts'
import { LifecycleV1 } from '../controllers/v1/lifecycle.ts'
import { NodeClassesV1, NodePoolsV1 } from '../controllers/v1/status.ts'
import { TerminationV1 } from '../controllers/v1/termination.ts'
import type { ProvisionerLine } from '../controllers/provisioner.ts'
import type { NodePoolV1 } from '../v1/api.ts'
import * as logV1 from '../v1/logger.ts'
import { toNodeClaimV1 } from '../v1/nodeclaim.ts'
import { karpenterTwinFor, KARPENTER_V0_32, type KarpenterLine } from '../version.ts'

const KARPENTER_VERSION = 'v0.32.1'
const LEASE = 'karpenter-leader-election'
/** controller-runtime's leader election defaults, which Karpenter keeps: renew every 2 s (retry period). */
const LEASE_RETRY_PERIOD_MS = 2_000
const SPOT_PRICE_REFRESH_MS = 12 * 60 * 60_000

export async function startKarpenter(cluster: SandboxCluster, release: HelmRelease): Promise<ChartRuntime> {
  const operator = new KarpenterOperator(cluster, release)
  operator.start()
  return operator
}

/** What one Karpenter line does differently at the operator level. */
interface LineProfile {
  /** The chart's `logLevel` default. */
  defaultLogLevel: string
  /** What a replica logs when its container starts, up to waiting for the lease. */
  startupLines(ctx: KarpenterContext): LogEntry[]
  /** What the new leader logs once it holds the lease (before its controllers' own lines). */
  leaderLines(ctx: KarpenterContext): LogEntry[]
  /** The controllers the leader runs. */
  leaderTerm(ctx: KarpenterContext): Term
}

interface Term {
  start(): Promise<void>
  stop(): Promise<void>
}

const V0_32_PROFILE: LineProfile = {
  defaultLogLevel: 'debug',
  startupLines(ctx) {
    const entries: LogEntry[] = [
      { level: 'DEBUG', logger: 'controller', message: 'discovered karpenter version', fields: [['version', KARPENTER_VERSION]] },
      log.discoveredRegion(ctx.cluster.aws.region),
      log.discoveredClusterEndpoint(ctx.settings.clusterEndpoint || ctx.cluster.endpoint),
    ]
    const dns = kubeDnsIp(ctx)
    if (dns) entries.push(log.discoveredKubeDns(dns))
    entries.push({ level: 'INFO', logger: 'controller', message: `attempting to acquire leader lease ${ctx.settings.namespace}/${LEASE}...`, fields: [] })
    return entries
  },
  leaderLines: (ctx) => [{ level: 'INFO', logger: 'controller', message: `successfully acquired lease ${ctx.settings.namespace}/${LEASE}`, fields: [] }],
  leaderTerm: (ctx) => new LeaderTerm(ctx, V0_32_LEADER),
}

/**
 * Karpenter 1.9.2: the provider's operator.go discovery (DEBUG), then controller-runtime's manager
 * (metrics and health servers) and client-go's leader election at INFO; the chart logs at info.
 */
const V1_PROFILE: LineProfile = {
  defaultLogLevel: 'info',
  startupLines(ctx) {
    const entries: LogEntry[] = [
      { level: 'DEBUG', logger: 'controller', message: 'discovered karpenter version', fields: [['version', ctx.twin.version.replace(/^v/, '')]] },
      { ...log.discoveredRegion(ctx.cluster.aws.region), logger: 'controller' },
      { ...log.discoveredClusterEndpoint(ctx.settings.clusterEndpoint || ctx.cluster.endpoint), logger: 'controller' },
    ]
    const dns = kubeDnsIp(ctx)
    if (dns) entries.push({ ...log.discoveredKubeDns(dns), logger: 'controller' })
    // zap drops what is below the configured level.
    return [...entries, ...logV1.startupLines(ctx.settings.namespace, LEASE)].filter((e) => LEVEL_ORDER[e.level] >= LEVEL_ORDER[ctx.settings.logLevel])
  },
  leaderLines: (ctx) => [logV1.acquiredLease(ctx.settings.namespace, LEASE), ...logV1.startingControllers()],
  leaderTerm: (ctx) => new LeaderTerm(ctx, V1_LEADER),
}

const LINE_PROFILES: Record<KarpenterLine, LineProfile> = { 'v0.32': V0_32_PROFILE, v1: V1_PROFILE }

function kubeDnsIp(ctx: KarpenterContext): string | undefined {
  return (ctx.store.find('services', 'kube-system', 'kube-dns') as { spec?: { clusterIP?: string } } | undefined)?.spec?.clusterIP
}

class KarpenterOperator implements ChartRuntime {
  readonly ctx: KarpenterContext
  /** The leader's controllers; none while no replica runs (e.g. the deployment scaled to 0). */
  private term?: Term
  private readonly profile: LineProfile
  private readonly started = new Set<string>()
  private stopWatch?: () => void
  /** Leadership changes run one after another, in the order the pod events came. */
  private transitions: Promise<void> = Promise.resolve()
  /** The leader renews its lease every retry period while it leads. */
  private renewTimer?: ClockTimer

  constructor(cluster: SandboxCluster, release: HelmRelease) {
    // charts.ts refuses versions without a twin; the v0.32 twin stays the fallback for callers that bypass it.
    const twin = karpenterTwinFor(release.version) ?? KARPENTER_V0_32
    this.profile = LINE_PROFILES[twin.line]
    this.ctx = new KarpenterContext(cluster, settingsFrom(release.values, cluster.name, release.namespace, this.profile.defaultLogLevel), twin)
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
      this.ctx.clock.clear(this.renewTimer)
      this.ctx.leaderPod = undefined
      await this.term?.stop()
      this.term = undefined
      return
    }
    // A new leader is a new process: its controllers start afresh (caches included), as in Karpenter.
    await this.term?.stop()
    this.ctx.leaderPod = next.metadata.name
    this.takeLease(next.metadata.name!)
    this.ctx.clock.clear(this.renewTimer)
    this.renewTimer = this.ctx.clock.setInterval(() => this.renewLease(next.metadata.name!), LEASE_RETRY_PERIOD_MS).unref()
    this.ctx.logAll(this.profile.leaderLines(this.ctx))
    this.term = this.profile.leaderTerm(this.ctx)
    await this.term.start()
  }

  private replicas(): Pod[] {
    const selector = Object.entries(karpenterLabels())
      .map(([k, v]) => `${k}=${v}`)
      .join(',')
    return (this.ctx.store.list('pods', { namespace: this.ctx.settings.namespace, labelSelector: selector }).items as unknown as Pod[]).sort(
      (a, b) =>
        String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)) ||
        String(a.metadata.name).localeCompare(String(b.metadata.name)),
    )
  }

  private startupLines(pod: string): void {
    const time = this.ctx.instant()
    for (const e of this.profile.startupLines(this.ctx)) {
      this.ctx.podLogs.append(this.ctx.settings.namespace, pod, 'controller', formatLogLine(e, time.tutorial, this.ctx.twin.commit), time.wall)
    }
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
        this.ctx.store.create('leases.coordination.k8s.io', {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: LEASE, namespace: this.ctx.settings.namespace },
          spec,
        })
      }
    } catch (error) {
      if (!(error instanceof ApiError)) throw error
    }
  }

  async stop(): Promise<void> {
    this.stopWatch?.()
    this.ctx.clock.clear(this.renewTimer)
    await this.transitions
    await this.term?.stop()
    this.term = undefined
    this.ctx.destroy()
  }
}

/** One controller of the leader, by the name its upstream controller has. */
interface LeaderController {
  name: string
  start(): void
  stop(): void | Promise<void>
}

function named(name: string, controller: { start(): void; stop(): void | Promise<void> }): LeaderController {
  return { name, start: () => controller.start(), stop: () => controller.stop() }
}

/** What one line's leader runs and logs around them. */
interface LeaderLine {
  /** The controllers, in start order (stopped in the same order). */
  controllers(ctx: KarpenterContext, cloud: Cloud): LeaderController[]
  /** The instance type, offering and zone discovery lines, once the catalog is read. */
  discoveryLines(cloud: Cloud): LogEntry[]
  /** The spot pricing update line. */
  spotPricing(update: { types: number; offerings: number }): LogEntry
  /** Logged after discovery, before the controllers start. */
  startingLines: LogEntry[]
}

/** What the elected leader runs: its line's controllers, listed once, over its own view of EC2. */
class LeaderTerm implements Term {
  private readonly ctx: KarpenterContext
  private readonly line: LeaderLine
  private readonly cloud: Cloud
  private readonly controllers: LeaderController[]
  private priceTimer?: ClockTimer

  constructor(ctx: KarpenterContext, line: LeaderLine) {
    this.ctx = ctx
    this.line = line
    this.cloud = new Cloud(ctx)
    this.controllers = line.controllers(ctx, this.cloud)
  }

  async start(): Promise<void> {
    try {
      await this.cloud.refreshCatalog(true)
      for (const e of this.line.discoveryLines(this.cloud)) this.ctx.log(e)
      const spot = await this.cloud.refreshSpotPrices()
      this.ctx.log(this.line.spotPricing(spot))
    } catch (error) {
      this.ctx.cluster.log(`karpenter: EC2 discovery failed: ${(error as Error).message}`)
    }
    for (const e of this.line.startingLines) this.ctx.log(e)
    for (const c of this.controllers) c.start()
    this.priceTimer = this.ctx.clock
      .setInterval(() => {
        void this.cloud.refreshSpotPrices().then(
          (s) => this.ctx.log(this.line.spotPricing(s)),
          () => undefined,
        )
      }, SPOT_PRICE_REFRESH_MS)
      .unref()
  }

  async stop(): Promise<void> {
    this.ctx.clock.clear(this.priceTimer)
    // Synchronous stops run back to back; an asynchronous one (a loop finishing its round) is awaited.
    for (const c of this.controllers) {
      const stopped = c.stop()
      if (stopped) await stopped
    }
    this.cloud.destroy()
  }
}

/** The v0.32 leader: the v1beta1 controllers. */
const V0_32_LEADER: LeaderLine = {
  controllers(ctx, cloud) {
    const provisioner = new Provisioner(ctx, cloud)
    return [
      named('nodeclass', new NodeClasses(ctx, cloud)),
      named('nodepool', new NodePools(ctx)),
      named('nodeclaim.lifecycle', new Lifecycle(ctx, cloud)),
      named('node.termination', new Termination(ctx, cloud)),
      named('provisioner', provisioner),
      named('interruption', new Interruption(ctx)),
      named('nodeclaim.disruption', new NodeClaimDisruption(ctx)),
      named('disruption', new Disruption(ctx, provisioner)),
    ]
  },
  discoveryLines: (cloud) => [
    log.discoveredAvailabilityZones(cloud.zones),
    log.discoveredInstanceTypes(cloud.instanceTypeCount),
    log.discoveredOfferings(cloud.instanceTypeCount),
  ],
  spotPricing: (s) => log.updatedSpotPricing(s.types, s.offerings),
  startingLines: ['provisioner', 'disruption', 'interruption'].map(
    (name): LogEntry => ({ level: 'INFO', logger: `controller.${name}`, message: 'starting controller', fields: [] }),
  ),
}

/** The 1.x leader: the v1 controllers, with the shared cloud and provisioner. */
const V1_LEADER: LeaderLine = {
  controllers(ctx, cloud) {
    const provisioner = new Provisioner(ctx, cloud, provisionerLineV1(ctx))
    return [
      named('nodeclass', new NodeClassesV1(ctx, cloud)),
      named('nodepool', new NodePoolsV1(ctx)),
      named('nodeclaim.lifecycle', new LifecycleV1(ctx, cloud)),
      named('node.termination', new TerminationV1(ctx, cloud)),
      named('provisioner', provisioner),
      named('interruption', new InterruptionV1(ctx)),
      named('disruption', new DisruptionV1(ctx, cloud, provisioner)),
    ]
  },
  // instancetype.go / pricing.go discovery lines (DEBUG, so hidden at the chart's info level).
  discoveryLines: (cloud) => [
    { ...log.discoveredInstanceTypes(cloud.instanceTypeCount), logger: 'controller' },
    { ...log.discoveredOfferings(cloud.instanceTypeCount), logger: 'controller' },
    { level: 'DEBUG', logger: 'controller', message: 'discovered zones', fields: [['zones', cloud.zones]] },
  ],
  spotPricing: (s) => ({ ...log.updatedSpotPricing(s.types, s.offerings), logger: 'controller' }),
  // The 1.x leader's "Starting Controller" lines are its leaderLines.
  startingLines: [],
}

/** A Kubernetes MicroTime (RFC 3339 with microseconds), as Lease timestamps are written. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000Z')
}

function running(pod: Pod): boolean {
  return pod.status?.phase === 'Running'
}

/**
 * The 1.x provisioner (core provisioner.go): a singleton reconcile's scope, NodePools used only
 * when Ready ("ignoring nodepool, not ready"), v1 NodeClaims, 1.9's log shape.
 */
function provisionerLineV1(ctx: KarpenterContext): ProvisionerLine {
  const storedPool = (name: string) => ctx.store.find(NODEPOOLS, undefined, name) as unknown as NodePoolV1 | undefined
  return {
    scope: () => logV1.singletonScope('provisioner', ctx.rng),
    usableNodePools(nodePools: readonly NodePool[], scope: logV1.Scope) {
      const usable: NodePool[] = []
      const logs: LogEntry[] = []
      for (const np of nodePools) {
        const ready = (storedPool(np.metadata.name!)?.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
        if (ready) usable.push(np)
        // log.Error(nil, …): zapr writes no error field for a nil error.
        else logs.push(logV1.entry('ERROR', 'ignoring nodepool, not ready', scope, [['NodePool', logV1.ref(np.metadata.name!)]]))
      }
      return { usable, logs }
    },
    toNodeClaim: (planned, opts) => toNodeClaimV1(planned, storedPool(planned.template.nodePoolName)!, opts),
    roundLogs: (entries, scope) => logV1.translateRoundLogs(entries, scope),
  }
}
