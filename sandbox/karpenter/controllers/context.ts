// What every controller of the Karpenter twin shares: the cluster it runs in, its settings,
// AWS clients (pointed at the sandbox's EC2/SQS/IAM/SSM), the seeded RNG, the caches Karpenter
// keeps in memory, and its logger, which writes Karpenter's JSON lines into the leader pod's
// container log, as `kubectl logs` shows them.

import { EC2Client } from '@aws-sdk/client-ec2'
import { SQSClient } from '@aws-sdk/client-sqs'
import type { Clock } from '../../runtime/clock.ts'
import { countBusy } from '../../runtime/busy-clients.ts'
import type { SandboxCluster } from '../../cluster/sandbox-cluster.ts'
import { recordEvent } from '../../kube/events.ts'
import type { KubeObject } from '../../kube/json.ts'
import type { PodLogs } from '../../kube/pod-logs.ts'
import type { Store } from '../../kube/store.ts'
import { formatLogLine, LEVEL_ORDER, type LogEntry, type LogLevel } from '../logger.ts'
import { seededRng, type Rng } from '../rng.ts'
import { newUnavailableOfferings, type UnavailableOfferings } from '../unavailable-offerings.ts'
import type { InflightIPs } from '../launch.ts'
import { KARPENTER_V0_32, type KarpenterTwin } from '../version.ts'
import { readersFor, type ObjectReaders } from './readers.ts'

export interface KarpenterSettings {
  clusterName: string
  clusterEndpoint: string
  interruptionQueue: string
  batchIdleMs: number
  batchMaxMs: number
  logLevel: LogLevel
  namespace: string
}

/**
 * When a line is logged: its JSON `time` is the tutorial instant (what Karpenter's own clock would
 * read); the pod-log store keeps the wall instant (`kubectl logs --timestamps/--since-time`).
 */
export interface LogInstant {
  wall: Date
  tutorial: Date
}

export interface LogRecord {
  time: LogInstant
  entry: LogEntry
  line: string
}

export class KarpenterContext {
  readonly cluster: SandboxCluster
  readonly store: Store
  readonly podLogs: PodLogs
  readonly clock: Clock
  readonly settings: KarpenterSettings
  readonly ec2: EC2Client
  readonly sqs: SQSClient
  readonly rng: Rng
  readonly unavailable: UnavailableOfferings = newUnavailableOfferings()
  readonly inflightIPs: InflightIPs = new Map()
  /** Every line logged, for the sandbox's own diagnostics and tests. */
  readonly records: LogRecord[] = []
  /** The pod whose container log receives the lines (the elected leader). */
  leaderPod: string | undefined
  /** Nodes nominated by provisioning, until when (tutorial instant, ms): not consolidated meanwhile. */
  readonly nominatedUntil = new Map<string, number>()
  /** Bumped on every pod/node/NodeClaim change: consolidation skips unchanged clusters. */
  consolidationState = 0
  /** Which Karpenter this is (the chart version chose it): its commit, API versions, line. */
  readonly twin: KarpenterTwin
  /** How the stored Karpenter objects read into the model the logic works on (v1 objects are adapted). */
  readonly readers: ObjectReaders

  constructor(cluster: SandboxCluster, settings: KarpenterSettings, twin: KarpenterTwin = KARPENTER_V0_32) {
    this.twin = twin
    this.readers = readersFor(twin.line)
    this.cluster = cluster
    this.store = cluster.store
    this.podLogs = cluster.podLogs
    this.clock = cluster.clock
    this.settings = settings
    const aws = cluster.aws
    const config = { region: aws.region, endpoint: aws.endpoint, credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey } }
    this.ec2 = countBusy(new EC2Client(config), this.clock)
    this.sqs = countBusy(new SQSClient(config), this.clock)
    this.rng = seededRng(`${settings.clusterName}/karpenter`)
  }

  /** Writes Karpenter's log line (if its level is enabled) into the leader's container log. */
  log(entry: LogEntry, time: LogInstant = this.instant()): void {
    if (LEVEL_ORDER[entry.level] < LEVEL_ORDER[this.settings.logLevel]) return
    const line = formatLogLine(entry, time.tutorial, this.twin.commit)
    this.records.push({ time, entry, line })
    if (this.records.length > 20_000) this.records.splice(0, this.records.length - 20_000)
    if (this.leaderPod) this.podLogs.append(this.settings.namespace, this.leaderPod, 'controller', line, time.wall)
  }

  /** Now, as a log line records it. */
  instant(): LogInstant {
    return { wall: this.clock.now(), tutorial: new Date(this.clock.tutorialNow()) }
  }

  logAll(entries: readonly LogEntry[]): void {
    const time = this.instant()
    for (const e of entries) this.log(e, time)
  }

  event(
    object: KubeObject | { kind: string; name: string; namespace?: string; uid?: string; apiVersion?: string },
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): void {
    try {
      recordEvent(this.store, { involvedObject: object, type, reason, message, source: { component: 'karpenter' } })
    } catch (error) {
      this.cluster.log(`karpenter: recording event ${reason}: ${(error as Error).message}`)
    }
  }

  destroy(): void {
    this.ec2.destroy()
    this.sqs.destroy()
  }
}

/**
 * The Helm values Karpenter reads. `defaultLogLevel` is the chart's `logLevel` default: `debug` in
 * the v0.32.1 chart, `info` from the 1.x charts on (charts/karpenter/values.yaml).
 */
export function settingsFrom(values: Record<string, unknown>, clusterName: string, namespace: string, defaultLogLevel = 'debug'): KarpenterSettings {
  const settings = (values.settings ?? {}) as Record<string, string | undefined>
  const duration = (text: string | undefined, fallback: number) => {
    if (!text) return fallback
    const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text)
    if (!m) return fallback
    return Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000 } as Record<string, number>)[m[2]]
  }
  const level = (typeof values.logLevel === 'string' ? values.logLevel : defaultLogLevel).toUpperCase()
  return {
    clusterName: settings.clusterName || clusterName,
    clusterEndpoint: settings.clusterEndpoint ?? '',
    interruptionQueue: settings.interruptionQueue ?? '',
    batchIdleMs: duration(settings.batchIdleDuration, 1_000),
    batchMaxMs: duration(settings.batchMaxDuration, 10_000),
    logLevel: (['DEBUG', 'INFO', 'WARN', 'ERROR'].includes(level) ? level : 'DEBUG') as LogLevel,
    namespace,
  }
}
