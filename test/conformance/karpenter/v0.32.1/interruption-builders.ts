// Fixtures for the interruption suites (aws/karpenter-provider-aws pkg/controllers/interruption
// suite_test.go at v0.32.1 and v1.9.2): what upstream's envtest + fake SQS API stand for.
//
// - `InterruptionEnv` is the API server (a sandbox Store with Karpenter's CRDs), the fake SQS API
//   (`ReceiveMessageBehavior` / `DeleteMessageBehavior` call counts, an injectable receive error),
//   the unavailable-offerings cache and the controller — the twin's own interruption controller
//   (sandbox/karpenter/controllers/{,v1/}interruption.ts) on a stand-in KarpenterContext.
// - `reconcile()` is `ExpectReconcileSucceeded` / `ExpectSingletonReconciled`: one poll of the
//   queue, every received message handled, then the controller is stopped. A receive error is what
//   `ExpectReconcileFailed` sees: the twin's loop surfaces it on the sandbox log and retries.
// - The message builders mirror the suite's spotInterruptionMessage / stateChangeMessage /
//   scheduledChangeMessage (EventBridge envelopes, JSON-encoded as the SQS body).
//
// Instance IDs: upstream's fake draws `i-` + 17 random alphanumerics and its ParseInstanceID accepts
// any suffix; the twin only accepts real EC2 IDs (hex), so the fixtures draw 17 hex digits.

import assert from 'node:assert/strict'
import type { Message } from '@aws-sdk/client-sqs'
import { Store } from '../../../../sandbox/kube/store.ts'
import type { KarpenterContext } from '../../../../sandbox/karpenter/controllers/context.ts'
import { NODECLAIMS } from '../../../../sandbox/karpenter/controllers/cluster-state.ts'
import { Interruption } from '../../../../sandbox/karpenter/controllers/interruption.ts'
import { InterruptionV1 } from '../../../../sandbox/karpenter/controllers/v1/interruption.ts'
import { karpenterV1Crds } from '../../../../sandbox/karpenter/crds/v1.ts'
import { karpenterV1beta1Crds } from '../../../../sandbox/karpenter/crds/v1beta1.ts'
import type { PortedCase } from '../harness.ts'
import type { LogEntry } from '../../../../sandbox/karpenter/logger.ts'
import { seededRng } from '../../../../sandbox/karpenter/rng.ts'
import { isUnavailable, newUnavailableOfferings } from '../../../../sandbox/karpenter/unavailable-offerings.ts'

export type InterruptionTwin = 'v0.32.1' | 'v1.9.2'

const QUEUE = 'test-cluster'
const REGION = 'us-west-2'
const ACCOUNT = '000000000000'

let counter = 0

/** `fake.InstanceID()` (hex, see the header). */
export function instanceID(): string {
  counter++
  return `i-${counter.toString(16).padStart(17, '0')}`
}

/** `fake.ProviderID(id)`. */
export function providerIDOf(id: string): string {
  return `aws:///${REGION}/${id}`
}

function envelope(detailType: string, source: string, instanceId: string, detail: Record<string, unknown>): Record<string, unknown> {
  return {
    version: '0',
    account: ACCOUNT,
    'detail-type': detailType,
    id: `msg-${instanceId}-${detailType.length}`,
    region: REGION,
    resources: [`arn:aws:ec2:${REGION}:instance/${instanceId}`],
    source,
    time: '2024-01-01T00:00:00Z',
    detail,
  }
}

export function spotInterruptionMessage(instanceId: string): Record<string, unknown> {
  return envelope('EC2 Spot Instance Interruption Warning', 'aws.ec2', instanceId, { 'instance-id': instanceId, 'instance-action': 'terminate' })
}

export function stateChangeMessage(instanceId: string, state: string): Record<string, unknown> {
  return envelope('EC2 Instance State-change Notification', 'aws.ec2', instanceId, { 'instance-id': instanceId, state })
}

export function scheduledChangeMessage(instanceId: string): Record<string, unknown> {
  return envelope('AWS Health Event', 'aws.health', instanceId, {
    service: 'EC2',
    eventTypeCategory: 'scheduledChange',
    affectedEntities: [{ entityValue: instanceId }],
  })
}

interface Applied {
  nodeClaimName: string
  nodeName: string
}

export class InterruptionEnv {
  readonly twin: InterruptionTwin
  readonly store: Store
  readonly unavailable = newUnavailableOfferings()
  /** SQS bodies the next ReceiveMessage returns (`ExpectMessagesCreated`). */
  private messages: Message[] = []
  receiveError: Error | undefined
  successfulReceives = 0
  successfulDeletes = 0
  /** What the controller wrote: Karpenter's log lines and the sandbox's own diagnostics. */
  readonly logs: LogEntry[] = []
  readonly sandboxLogs: string[] = []
  readonly events: { reason: string; kind: string }[] = []

  constructor(twin: InterruptionTwin) {
    this.twin = twin
    this.store = new Store({ crds: twin === 'v0.32.1' ? karpenterV1beta1Crds : karpenterV1Crds })
  }

  /** `ExpectMessagesCreated(messages...)`: each message JSON-encoded as an SQS body. */
  messagesCreated(...bodies: unknown[]): void {
    this.messages = bodies.map((b, i) => ({ Body: JSON.stringify(b), MessageId: `m-${i}`, ReceiptHandle: `r-${i}` }))
  }

  /** `coretest.NodeClaimAndNode` + `ExpectApplied`: a NodeClaim of NodePool `default` and its Node. */
  nodeClaimAndNode(providerID: string, labels: Record<string, string> = {}): Applied {
    counter++
    const nodeClaimName = `default-${counter}`
    const nodeName = `node-${counter}`
    const allLabels = { 'karpenter.sh/nodepool': 'default', ...labels }
    const spec =
      this.twin === 'v0.32.1'
        ? { nodeClassRef: { name: 'default' }, requirements: [] }
        : { nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' }, requirements: [] }
    const created = this.store.create(NODECLAIMS, {
      apiVersion: this.twin === 'v0.32.1' ? 'karpenter.sh/v1beta1' : 'karpenter.sh/v1',
      kind: 'NodeClaim',
      metadata: { name: nodeClaimName, labels: allLabels },
      spec,
    })
    this.store.update(NODECLAIMS, { ...created, status: { providerID, nodeName } }, { subresource: 'status' })
    this.store.create('nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: nodeName, labels: allLabels },
      spec: { providerID },
    })
    return { nodeClaimName, nodeName }
  }

  nodeClaimExists(name: string): boolean {
    return this.store.find(NODECLAIMS, undefined, name) !== undefined
  }

  /** One poll: receive, handle every message, stop. Resolves when the poll is over. */
  async reconcile(): Promise<void> {
    let pollDone: () => void = () => undefined
    const done = new Promise<void>((resolve) => {
      pollDone = resolve
    })
    let receives = 0
    // The controller's next long poll (and its back-off after an error) waits until it is stopped.
    const blockUntilAbort = (signal: AbortSignal | undefined) =>
      new Promise<never>((_, reject) => {
        signal?.addEventListener('abort', () => reject(new Error('stopped')))
      })
    const sqs = {
      send: async (command: { constructor: { name: string } }, options?: { abortSignal?: AbortSignal }) => {
        switch (command.constructor.name) {
          case 'GetQueueUrlCommand':
            return { QueueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${QUEUE}` }
          case 'ReceiveMessageCommand': {
            receives++
            if (receives > 1) {
              pollDone()
              return blockUntilAbort(options?.abortSignal)
            }
            if (this.receiveError) throw this.receiveError
            this.successfulReceives++
            const out = { Messages: this.messages }
            this.messages = []
            return out
          }
          case 'DeleteMessageCommand':
            this.successfulDeletes++
            return {}
          default:
            throw new Error(`unexpected SQS call ${command.constructor.name}`)
        }
      },
    }
    const ctx = {
      settings: { interruptionQueue: QUEUE },
      store: this.store,
      sqs,
      unavailable: this.unavailable,
      rng: seededRng('interruption'),
      clock: { scale: 1, simulated: () => 0, sleep: (_ms: number, signal?: AbortSignal) => blockUntilAbort(signal) },
      cluster: {
        log: (line: string) => {
          this.sandboxLogs.push(line)
          pollDone()
        },
      },
      log: (e: LogEntry) => this.logs.push(e),
      logAll: (es: readonly LogEntry[]) => this.logs.push(...es),
      event: (object: { kind?: string }, _type: string, reason: string) => this.events.push({ reason, kind: object.kind ?? '' }),
    } as unknown as KarpenterContext
    const controller = this.twin === 'v0.32.1' ? new Interruption(ctx) : new InterruptionV1(ctx)
    controller.start()
    await done
    await controller.stop()
  }
}

// ---- the cases both tags' suites share (their names and the twin aside) ----

/** A NodeClaim (and Node) per message; every one deleted, every message deleted, one receive. `check` runs right after the reconcile. */
export async function expectDeletedBy(twin: InterruptionTwin, messages: ((id: string) => unknown)[], check?: (env: InterruptionEnv) => void): Promise<void> {
  const env = new InterruptionEnv(twin)
  const ids = messages.map(() => instanceID())
  const applied = ids.map((id) => env.nodeClaimAndNode(providerIDOf(id)))
  env.messagesCreated(...messages.map((m, i) => m(ids[i])))
  await env.reconcile()
  check?.(env)
  assert.equal(env.successfulReceives, 1)
  for (const a of applied) assert.equal(env.nodeClaimExists(a.nodeClaimName), false, `${a.nodeClaimName} deleted`)
  assert.equal(env.successfulDeletes, messages.length)
}

/** "should delete a message when the message can't be parsed". */
async function expectUnparsableMessageDeleted(twin: InterruptionTwin): Promise<void> {
  const env = new InterruptionEnv(twin)
  env.messagesCreated({ field1: 'value1', field2: 'value2' })
  await env.reconcile()
  assert.equal(env.successfulReceives, 1)
  assert.equal(env.successfulDeletes, 1)
}

/** "should delete a state change message when the state isn't in accepted states". */
async function expectUnacceptedStateMessageDeleted(twin: InterruptionTwin): Promise<void> {
  const env = new InterruptionEnv(twin)
  const id = instanceID()
  const { nodeClaimName } = env.nodeClaimAndNode(providerIDOf(id))
  env.messagesCreated(stateChangeMessage(id, 'creating'))
  await env.reconcile()
  assert.equal(env.successfulReceives, 1)
  assert.equal(env.nodeClaimExists(nodeClaimName), true)
  assert.equal(env.successfulDeletes, 1)
}

/** "should mark the ICE cache for the offering when getting a spot interruption warning". */
async function expectSpotWarningMarksIceCache(twin: InterruptionTwin): Promise<void> {
  const env = new InterruptionEnv(twin)
  const id = instanceID()
  const { nodeClaimName } = env.nodeClaimAndNode(providerIDOf(id), {
    'topology.kubernetes.io/zone': 'coretest-zone-1a',
    'node.kubernetes.io/instance-type': 't3.large',
    'karpenter.sh/capacity-type': 'spot',
  })
  env.messagesCreated(spotInterruptionMessage(id))
  await env.reconcile()
  assert.equal(env.successfulReceives, 1)
  assert.equal(env.nodeClaimExists(nodeClaimName), false)
  assert.equal(env.successfulDeletes, 1)
  assert.equal(isUnavailable(env.unavailable, 't3.large', 'coretest-zone-1a', 'spot', 0), true)
}

/** The receive fails with `code`: the poll handles nothing and the error surfaces (the twin logs it and retries). */
export async function expectPollError(twin: InterruptionTwin, code: string, o: { noDeletes?: boolean } = {}): Promise<void> {
  const env = new InterruptionEnv(twin)
  env.receiveError = Object.assign(new Error(code), { name: code })
  await env.reconcile()
  assert.equal(env.successfulReceives, 0)
  if (o.noDeletes) assert.equal(env.successfulDeletes, 0)
  assert.deepEqual(env.sandboxLogs, [`karpenter interruption: ${code}`])
}

/** "should not return an error when deleting a nodeClaim that is already deleted". */
export async function expectDeleteOfMissingNodeClaimQuiet(twin: InterruptionTwin): Promise<void> {
  const env = new InterruptionEnv(twin)
  env.messagesCreated(spotInterruptionMessage(instanceID()))
  await env.reconcile()
  assert.deepEqual(env.sandboxLogs, [])
  assert.equal(env.successfulDeletes, 1)
}

/** The Processing Messages cases both tags have in this order after the three single-message deletions (names after `prefix`). */
export function sharedProcessingCases(twin: InterruptionTwin, prefix: string): PortedCase[] {
  return [
    {
      name: `${prefix}should handle multiple messages that cause nodeClaim deletion`,
      run: () =>
        expectDeletedBy(
          twin,
          Array.from({ length: 100 }, () => spotInterruptionMessage),
        ),
    },
    { name: `${prefix}should delete a message when the message can't be parsed`, run: () => expectUnparsableMessageDeleted(twin) },
    {
      name: `${prefix}should delete a state change message when the state isn't in accepted states`,
      run: () => expectUnacceptedStateMessageDeleted(twin),
    },
    {
      name: `${prefix}should mark the ICE cache for the offering when getting a spot interruption warning`,
      run: () => expectSpotWarningMarksIceCache(twin),
    },
  ]
}
