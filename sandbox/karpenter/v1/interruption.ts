// Interruption messages as Karpenter 1.9 handles them (aws/karpenter-provider-aws@v1.9.2
// pkg/controllers/interruption/{controller.go, parser.go, messages/types.go, events/events.go},
// pkg/cache/unavailableofferings.go). The envelope parsing is v0.32's (the EventBridge events did
// not change); the kinds are renamed (`spot_interrupted`, `rebalance_recommendation`,
// `scheduled_change`, `instance_stopped`, `instance_terminated`), a state change splits into
// stopped and terminated, the log fields are object refs, and the deletion is announced on both
// the NodeClaim and its Node.

import type { NodeClaim } from '../api.ts'
import { parseInterruptionMessage, type InterruptionMessage } from '../interruption.ts'
import { CAPACITY_TYPE_SPOT, LABEL_INSTANCE_TYPE, LABEL_ZONE } from '../labels.ts'
import type { LogEntry } from '../logger.ts'
import { markUnavailable, type UnavailableOfferings } from '../unavailable-offerings.ts'
import * as log from './logger.ts'

type MessageKindV1 = 'spot_interrupted' | 'rebalance_recommendation' | 'scheduled_change' | 'instance_stopped' | 'instance_terminated' | 'no_op'

export interface InterruptionMessageV1 {
  kind: MessageKindV1
  instanceIds: string[]
  time?: string
}

/** parser.go `Parse` (throws on a body that is not JSON: "failed parsing interruption message"). */
export function parseInterruptionMessageV1(body: string): InterruptionMessageV1 {
  const m: InterruptionMessage = parseInterruptionMessage(body)
  const kind: MessageKindV1 =
    m.kind === 'SpotInterruptionKind'
      ? 'spot_interrupted'
      : m.kind === 'RebalanceRecommendationKind'
        ? 'rebalance_recommendation'
        : m.kind === 'ScheduledChangeKind'
          ? 'scheduled_change'
          : m.kind === 'StateChangeKind'
            ? m.state === 'stopping' || m.state === 'stopped'
              ? 'instance_stopped'
              : 'instance_terminated'
            : 'no_op'
  return { kind, instanceIds: m.instanceIds, time: m.time }
}

/** controller.go `actionForMessage`. */
function actionForV1(kind: MessageKindV1): 'CordonAndDrain' | 'NoAction' {
  return kind === 'scheduled_change' || kind === 'spot_interrupted' || kind === 'instance_stopped' || kind === 'instance_terminated'
    ? 'CordonAndDrain'
    : 'NoAction'
}

/** events.go: the event notifyForMessage publishes on the Node and the NodeClaim. */
function notificationV1(kind: MessageKindV1): { type: 'Normal' | 'Warning'; reason: string; message: string } | undefined {
  switch (kind) {
    case 'spot_interrupted':
      return { type: 'Warning', reason: 'SpotInterrupted', message: 'Spot interruption warning was triggered' }
    case 'rebalance_recommendation':
      return { type: 'Normal', reason: 'SpotRebalanceRecommendation', message: 'Spot rebalance recommendation was triggered' }
    case 'instance_stopped':
      return { type: 'Warning', reason: 'InstanceStopping', message: 'Instance is stopping' }
    case 'instance_terminated':
      return { type: 'Warning', reason: 'InstanceTerminating', message: 'Instance is terminating' }
    case 'scheduled_change':
      return { type: 'Warning', reason: 'InstanceUnhealthy', message: 'An unhealthy warning was triggered for the instance' }
    default:
      return undefined
  }
}

/** events.go TerminatingOnInterruption: one event per object. */
export const TERMINATING_ON_INTERRUPTION = {
  node: { type: 'Warning' as const, reason: 'TerminatingOnInterruption', message: 'Interruption triggered termination for the Node' },
  nodeClaim: { type: 'Warning' as const, reason: 'TerminatingOnInterruption', message: 'Interruption triggered termination for the NodeClaim' },
}

export interface InterruptionHandlingV1 {
  action: 'CordonAndDrain' | 'NoAction'
  deleteNodeClaim: boolean
  notification?: { type: 'Normal' | 'Warning'; reason: string; message: string }
  /** DEBUG `removing offering from offerings` (spot interruptions); the INFO line is logged after the delete. */
  logs: LogEntry[]
  /** The scope `initiating delete from interruption message` is written with. */
  scope: log.Scope
}

/**
 * `handleNodeClaim`: notify, mark a Spot interruption's offering unavailable for 3 minutes, then
 * delete the NodeClaim unless the action is NoAction or it is already deleting.
 */
export function handleInterruptionV1(
  msg: InterruptionMessageV1,
  nodeClaim: NodeClaim,
  nodeName: string | undefined,
  queue: string,
  reconcileScope: log.Scope,
  cache: UnavailableOfferings,
  nowMs: number,
): InterruptionHandlingV1 {
  const action = actionForV1(msg.kind)
  const scope = log.interruptionScope(reconcileScope, { queue, messageKind: msg.kind, nodeClaim: nodeClaim.metadata.name ?? '', action, node: nodeName })
  const logs: LogEntry[] = []
  if (msg.kind === 'spot_interrupted') {
    const zone = nodeClaim.metadata.labels?.[LABEL_ZONE]
    const type = nodeClaim.metadata.labels?.[LABEL_INSTANCE_TYPE]
    if (zone && type) {
      markUnavailable(cache, type, zone, CAPACITY_TYPE_SPOT, nowMs)
      logs.push(log.removingOffering(scope, { reason: msg.kind, instanceType: type, zone, capacityType: CAPACITY_TYPE_SPOT }))
    }
  }
  return { action, deleteNodeClaim: action !== 'NoAction' && !nodeClaim.metadata.deletionTimestamp, notification: notificationV1(msg.kind), logs, scope }
}
