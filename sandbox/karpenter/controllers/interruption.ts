// The interruption controller (aws@v0.32.1 pkg/controllers/interruption): a singleton that long-
// polls the interruption queue (10 messages, 20 s wait, 20 s visibility), maps each message's
// instances to NodeClaims by provider ID, and for a Spot interruption, a scheduled change or a
// stopping/terminating instance deletes the NodeClaim (cordon and drain follow from
// termination), after marking the interrupted Spot offering unavailable for 3 minutes.

import { DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs'
import { ignoreNotFound } from '../../kube/errors.ts'
import type { KubeObject } from '../../kube/json.ts'
import type { NodeClaim } from '../api.ts'
import { handleInterruption, parseInterruptionMessage } from '../interruption.ts'
import * as log from '../logger.ts'
import { parseInstanceID } from '../nodeclaim-names.ts'
import { NODECLAIMS } from './cluster-state.ts'
import type { KarpenterContext } from './context.ts'

const WAIT_TIME_MS = 20_000
const VISIBILITY_TIMEOUT_S = 20

export class Interruption {
  protected readonly ctx: KarpenterContext
  private readonly abort = new AbortController()
  private loop?: Promise<void>

  constructor(ctx: KarpenterContext) {
    this.ctx = ctx
  }

  start(): void {
    if (!this.ctx.settings.interruptionQueue) return // no queue: the controller is disabled, as in Karpenter
    this.loop = this.run()
  }

  async stop(): Promise<void> {
    this.abort.abort()
    await this.loop?.catch(() => undefined)
  }

  private async run(): Promise<void> {
    const queue = this.ctx.settings.interruptionQueue
    let url: string | undefined
    while (!this.abort.signal.aborted) {
      try {
        url ??= (await this.ctx.sqs.send(new GetQueueUrlCommand({ QueueName: queue }), { abortSignal: this.abort.signal })).QueueUrl
        // A long poll waits in real time on the queue's side: shorten it by the time scale. It is
        // not busy (the sandbox's clock does not slow down for it) and returns as a message comes.
        const wait = Math.max(1, Math.round(WAIT_TIME_MS / this.ctx.clock.scale / 1000))
        const out = await this.ctx.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: wait, VisibilityTimeout: VISIBILITY_TIMEOUT_S }),
          { abortSignal: this.abort.signal },
        )
        await Promise.all((out.Messages ?? []).map((m) => this.handle(url!, queue, m)))
      } catch (error) {
        if (this.abort.signal.aborted) return
        url = undefined
        this.ctx.cluster.log(`karpenter interruption: ${(error as Error).message}`)
        await this.ctx.clock.sleep(10_000, this.abort.signal).catch(() => undefined)
      }
    }
  }

  /** One message: parse it, act on the NodeClaims of its instances, delete it (the 1.x twin overrides this). */
  protected async handle(url: string, queue: string, message: Message): Promise<void> {
    let parsed
    try {
      parsed = parseInterruptionMessage(message.Body ?? '')
    } catch (error) {
      this.ctx.log(log.parsingMessageError(queue, (error as Error).message))
      await this.delete(url, message)
      return
    }
    const nodeClaims = this.ctx.store.list(NODECLAIMS).items as unknown as NodeClaim[]
    for (const instanceId of parsed.instanceIds) {
      const nodeClaim = nodeClaims.find((nc) => nc.status?.providerID && parseInstanceID(nc.status.providerID) === instanceId)
      if (!nodeClaim) continue // not Karpenter's, or already gone
      const handling = handleInterruption(parsed, nodeClaim, nodeClaim.status?.nodeName, queue, this.ctx.unavailable, this.ctx.clock.simulated())
      this.ctx.logAll(handling.logs)
      if (handling.eventReason) {
        const node = nodeClaim.status?.nodeName ? this.ctx.store.find('nodes', undefined, nodeClaim.status.nodeName) : undefined
        for (const target of [node, nodeClaim as unknown as KubeObject]) {
          if (target) this.ctx.event(target, 'Warning', handling.eventReason, eventMessage(handling.eventReason))
        }
      }
      if (handling.deleteNodeClaim) {
        for (const target of [nodeClaim as unknown as KubeObject])
          this.ctx.event(target, 'Warning', 'TerminatingOnInterruption', 'Interruption triggered termination for the NodeClaim')
        try {
          this.ctx.store.delete(NODECLAIMS, undefined, nodeClaim.metadata.name!)
        } catch (error) {
          ignoreNotFound(error)
        }
      }
    }
    await this.delete(url, message)
  }

  protected async delete(url: string, message: Message): Promise<void> {
    await this.ctx.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }))
  }
}

function eventMessage(reason: string): string {
  switch (reason) {
    case 'SpotInterrupted':
      return 'Spot interruption warning was triggered'
    case 'SpotRebalanceRecommendation':
      return 'Spot rebalance recommendation was triggered'
    case 'InstanceStopping':
      return 'Instance is stopping'
    case 'InstanceTerminating':
      return 'Instance is terminating'
    case 'InstanceUnhealthy':
      return 'An unhealthy warning was triggered for the instance'
    default:
      return reason
  }
}
