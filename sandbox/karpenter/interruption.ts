// Interruption messages from the SQS queue (aws@v0.32.1:pkg/controllers/interruption/
// {parser.go, controller.go, messages/*}): which EventBridge events matter, to which instances,
// and what Karpenter does about them. The controller polls SQS, maps instance IDs to NodeClaims
// and Nodes by provider ID, deletes the NodeClaim and the message.

import type { NodeClaim } from './api.ts'
import { CAPACITY_TYPE_SPOT, LABEL_INSTANCE_TYPE, LABEL_ZONE } from './labels.ts'
import * as log from './logger.ts'
import { markUnavailable, type UnavailableOfferings } from './unavailable-offerings.ts'

export type MessageKind = 'SpotInterruptionKind' | 'RebalanceRecommendationKind' | 'StateChangeKind' | 'ScheduledChangeKind' | 'NoOpKind'
export type InterruptionAction = 'CordonAndDrain' | 'NoAction'

export interface InterruptionMessage {
  kind: MessageKind
  instanceIds: string[]
  /** The event's `time` (its start), for latency. */
  time?: string
  /** State-change messages: the new instance state. */
  state?: string
}

const STATE_CHANGE_ACCEPTED = new Set(['stopping', 'stopped', 'shutting-down', 'terminated'])

interface Envelope {
  version?: string
  source?: string
  'detail-type'?: string
  time?: string
  detail?: Record<string, unknown>
}

/**
 * `EventParser.Parse`: the message's kind and instances; unknown or ignored events are `NoOpKind`
 * (deleted without action). Throws on a body that is not JSON (`parsing message, …`).
 */
export function parseInterruptionMessage(body: string): InterruptionMessage {
  if (body === '') return { kind: 'NoOpKind', instanceIds: [] }
  const md = JSON.parse(body) as Envelope
  const key = `${md.version}|${md.source}|${md['detail-type']}`
  const detail = md.detail ?? {}
  const id = typeof detail['instance-id'] === 'string' ? [detail['instance-id']] : []
  switch (key) {
    case '0|aws.ec2|EC2 Spot Instance Interruption Warning':
      return { kind: 'SpotInterruptionKind', instanceIds: id, time: md.time }
    case '0|aws.ec2|EC2 Instance Rebalance Recommendation':
      return { kind: 'RebalanceRecommendationKind', instanceIds: id, time: md.time }
    case '0|aws.ec2|EC2 Instance State-change Notification': {
      const state = typeof detail.state === 'string' ? detail.state.toLowerCase() : ''
      if (!STATE_CHANGE_ACCEPTED.has(state)) return { kind: 'NoOpKind', instanceIds: [] }
      return { kind: 'StateChangeKind', instanceIds: id, time: md.time, state }
    }
    case '0|aws.health|AWS Health Event': {
      if (detail.service !== 'EC2' || detail.eventTypeCategory !== 'scheduledChange') return { kind: 'NoOpKind', instanceIds: [] }
      const entities = Array.isArray(detail.affectedEntities) ? (detail.affectedEntities as { entityValue?: string }[]) : []
      return { kind: 'ScheduledChangeKind', instanceIds: entities.map((e) => e.entityValue ?? '').filter((v) => v !== ''), time: md.time }
    }
    default:
      return { kind: 'NoOpKind', instanceIds: [] }
  }
}

/** `actionForMessage`: drain for interruptions, scheduled changes and stop/terminate; nothing for rebalance. */
export function actionFor(kind: MessageKind): InterruptionAction {
  return kind === 'SpotInterruptionKind' || kind === 'ScheduledChangeKind' || kind === 'StateChangeKind' ? 'CordonAndDrain' : 'NoAction'
}

/** The Kubernetes event reasons `notifyForMessage` publishes on the Node and NodeClaim. */
function eventReasonFor(msg: InterruptionMessage): string | undefined {
  switch (msg.kind) {
    case 'RebalanceRecommendationKind':
      return 'SpotRebalanceRecommendation'
    case 'ScheduledChangeKind':
      return 'InstanceUnhealthy'
    case 'SpotInterruptionKind':
      return 'SpotInterrupted'
    case 'StateChangeKind':
      return msg.state === 'stopping' || msg.state === 'stopped' ? 'InstanceStopping' : 'InstanceTerminating'
    default:
      return undefined
  }
}

export interface InterruptionHandling {
  action: InterruptionAction
  /** Delete the NodeClaim (false when the action is NoAction or it is already deleting). */
  deleteNodeClaim: boolean
  eventReason?: string
  logs: log.LogEntry[]
}

/**
 * `handleNodeClaim` for one NodeClaim named by a message: mark a Spot interruption's offering
 * unavailable (3 min), then decide the deletion; returns the DEBUG/INFO lines in Karpenter's order.
 */
export function handleInterruption(
  msg: InterruptionMessage,
  nodeClaim: NodeClaim,
  nodeName: string | undefined,
  queue: string,
  cache: UnavailableOfferings,
  nowMs: number,
): InterruptionHandling {
  const action = actionFor(msg.kind)
  const fields = { queue, messageKind: msg.kind, nodeClaim: nodeClaim.metadata.name ?? '', action, node: nodeName ?? '' }
  const logs: log.LogEntry[] = []
  const context = log.interruptionContext(fields).filter(([k]) => k !== 'node' || nodeName !== undefined)
  if (msg.kind === 'SpotInterruptionKind') {
    const zone = nodeClaim.metadata.labels?.[LABEL_ZONE]
    const type = nodeClaim.metadata.labels?.[LABEL_INSTANCE_TYPE]
    if (zone && type) {
      markUnavailable(cache, type, zone, CAPACITY_TYPE_SPOT, nowMs)
      logs.push(log.removingOffering('controller.interruption', context, { reason: msg.kind, instanceType: type, zone, capacityType: CAPACITY_TYPE_SPOT }))
    }
  }
  const deleting = !!nodeClaim.metadata.deletionTimestamp
  const del = action !== 'NoAction' && !deleting
  if (del) logs.push({ level: 'INFO', logger: 'controller.interruption', message: 'initiating delete from interruption message', fields: context })
  return { action, deleteNodeClaim: del, eventReason: eventReasonFor(msg), logs }
}
