// spotcheck's own ears on the default event bus.
//
// Karpenter reads (and deletes) the messages of its interruption queue, so the run cannot read
// them there. To see the Spot interruption warning EC2 sends, and when EC2 reclaims the instance,
// the run adds its own EventBridge rule — the same pattern as Karpenter's rules — with its own
// SQS queue as target, both tagged with the run and written to the ledger before they exist.

import { PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge'
import { sleep } from '../lib/sleep.ts'
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs'
import type { AwsClients } from './aws-clients.ts'
import type { Ledger } from './ledger.ts'

export interface Ec2Event {
  detailType: string
  /**
   * The event's own `time`, in tutorial time (epoch ms): when EC2 emitted it — the sandbox's moto
   * writes the tutorial instant there, AWS its wall time. Whole seconds (AWS's format): the event
   * happened within EVENT_TIME_RESOLUTION_MS after it.
   */
  time: number
  instanceId: string
  detail: Record<string, unknown>
  /** Real time the run received it (from its own queue): when the run learnt of it. */
  receivedAt: number
}

/**
 * EventBridge's `time` has whole seconds. An event stamped 12:00:01 happened in [12:00:01,
 * 12:00:02): ordering it against instants measured in milliseconds must allow that second
 * (with the sandbox's old wall × 20 times, that second was 20 s of tutorial time, and an instance
 * terminated after Karpenter's drain was shown before Karpenter received the message).
 */
export const EVENT_TIME_RESOLUTION_MS = 1_000

export const OBSERVED_DETAIL_TYPES = ['EC2 Spot Instance Interruption Warning', 'EC2 Instance State-change Notification']

export class EventObserver {
  readonly events: Ec2Event[] = []
  readonly rule: string
  readonly queue: string
  private queueUrl?: string
  private polling?: Promise<void>
  private stopped = false
  /** Ends the long poll in flight when the observer stops, instead of waiting out its second. */
  private readonly stopping = new AbortController()
  private readonly aws: AwsClients
  private readonly runId: string

  constructor(aws: AwsClients, runId: string) {
    this.aws = aws
    this.runId = runId
    this.rule = `spotcheck-${runId}-ec2-events`.slice(0, 64)
    this.queue = `spotcheck-${runId}-ec2-events`.slice(0, 80)
  }

  async start(ledger: Ledger, by: string): Promise<void> {
    ledger.record({ kind: 'event-observer', rule: this.rule, queue: this.queue }, by)
    const tags = { 'spotcheck:run': this.runId }
    this.queueUrl = (await this.aws.sqs.send(new CreateQueueCommand({ QueueName: this.queue, tags }))).QueueUrl!
    const arn = (await this.aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: this.queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!
    const rule = await this.aws.events.send(
      new PutRuleCommand({
        Name: this.rule,
        Description: 'spotcheck: observe Spot interruption warnings and instance state changes during a run',
        EventPattern: JSON.stringify({ source: ['aws.ec2'], 'detail-type': OBSERVED_DETAIL_TYPES }),
        Tags: [{ Key: 'spotcheck:run', Value: this.runId }],
      }),
    )
    await this.aws.sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: this.queueUrl,
        Attributes: {
          Policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Resource: arn,
                Condition: { ArnEquals: { 'aws:SourceArn': rule.RuleArn } },
              },
            ],
          }),
        },
      }),
    )
    await this.aws.events.send(new PutTargetsCommand({ Rule: this.rule, Targets: [{ Id: 'spotcheck', Arn: arn }] }))
    this.polling = this.poll()
  }

  private async poll(): Promise<void> {
    while (!this.stopped) {
      try {
        const out = await this.aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }), {
          abortSignal: this.stopping.signal,
        })
        const messages = out.Messages ?? []
        for (const m of messages) {
          const e = JSON.parse(m.Body ?? '{}') as { 'detail-type'?: string; time?: string; detail?: Record<string, unknown> }
          const id = e.detail?.['instance-id']
          const instanceId = typeof id === 'string' ? id : ''
          this.events.push({
            detailType: String(e['detail-type']),
            time: Date.parse(String(e.time)),
            instanceId,
            detail: e.detail ?? {},
            receivedAt: Date.now(),
          })
        }
        if (messages.length > 0) {
          await this.aws.sqs.send(
            new DeleteMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }),
          )
        }
      } catch {
        if (!this.stopped) await sleep(1_000)
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.stopping.abort()
    await this.polling
  }

  warnings(): Ec2Event[] {
    return this.events.filter((e) => e.detailType === 'EC2 Spot Instance Interruption Warning')
  }

  /** When EC2 started reclaiming the instance (its first shutting-down or terminated event's `time`, tutorial time, whole seconds). */
  async terminationTime(instanceId: string): Promise<number | undefined> {
    const ends = this.events.filter(
      (e) =>
        e.instanceId === instanceId &&
        e.detailType === 'EC2 Instance State-change Notification' &&
        ['shutting-down', 'terminated'].includes(String(e.detail.state)),
    )
    return ends.length > 0 ? Math.min(...ends.map((e) => e.time)) : undefined
  }
}
