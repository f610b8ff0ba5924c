// Karpenter v1.9.2 interruption: aws/karpenter-provider-aws@v1.9.2
// pkg/controllers/interruption/suite_test.go, ported against the 1.x twin's interruption controller
// (sandbox/karpenter/controllers/v1/interruption.ts over sandbox/karpenter/v1/interruption.ts).
// The fixture (../v0.32.1/interruption-builders.ts) stands for the suite's envtest API server, fake
// SQS API and unavailable-offerings cache. The `karpenter_nodeclaims_disrupted_total{reason}`
// counter upstream reads is, in the twin, one `initiating delete from interruption message` line
// per deleted NodeClaim, carrying the message kind (the counter's reason label).

import assert from 'node:assert/strict'
import { isUnavailable } from '../../../../sandbox/karpenter/unavailable-offerings.ts'
import { conformance, type PortedCase } from '../harness.ts'
import {
  instanceID,
  InterruptionEnv,
  providerIDOf,
  scheduledChangeMessage,
  spotInterruptionMessage,
  stateChangeMessage,
} from '../v0.32.1/interruption-builders.ts'

const STATES = ['terminated', 'stopped', 'stopping', 'shutting-down']

/** Deletions per message kind, as the disrupted-NodeClaims counter would count them. */
function disruptedByReason(env: InterruptionEnv): Record<string, number> {
  const out: Record<string, number> = {}
  for (const e of env.logs) {
    if (e.message !== 'initiating delete from interruption message') continue
    const value = e.fields.find(([k]) => k === 'messageKind')?.[1]
    const kind = typeof value === 'string' ? value : ''
    out[kind] = (out[kind] ?? 0) + 1
  }
  return out
}

/** A NodeClaim (and Node) per message; all deleted, every message deleted, one receive. */
async function expectDeletedBy(messages: ((id: string) => unknown)[], disrupted?: Record<string, number>): Promise<void> {
  const env = new InterruptionEnv('v1.9.2')
  const ids = messages.map(() => instanceID())
  const applied = ids.map((id) => env.nodeClaimAndNode(providerIDOf(id)))
  env.messagesCreated(...messages.map((m, i) => m(ids[i])))
  await env.reconcile()
  if (disrupted) assert.deepEqual(disruptedByReason(env), disrupted)
  assert.equal(env.successfulReceives, 1)
  for (const a of applied) assert.equal(env.nodeClaimExists(a.nodeClaimName), false, `${a.nodeClaimName} deleted`)
  assert.equal(env.successfulDeletes, messages.length)
}

const processing = 'InterruptionHandling › Processing Messages › '

async function expectPollError(code: string): Promise<void> {
  const env = new InterruptionEnv('v1.9.2')
  env.receiveError = Object.assign(new Error(code), { name: code })
  await env.reconcile()
  assert.equal(env.successfulReceives, 0)
  assert.deepEqual(env.sandboxLogs, [`karpenter interruption: ${code}`])
}

const cases: PortedCase[] = [
  {
    name: `${processing}should delete the NodeClaim when receiving a spot interruption warning`,
    run: () => expectDeletedBy([spotInterruptionMessage], { spot_interrupted: 1 }),
  },
  {
    name: `${processing}should delete the NodeClaim when receiving a scheduled change message`,
    run: () => expectDeletedBy([scheduledChangeMessage], { scheduled_change: 1 }),
  },
  {
    name: `${processing}should delete the NodeClaim when receiving a state change message`,
    run: () =>
      expectDeletedBy(
        STATES.map((s) => (id: string) => stateChangeMessage(id, s)),
        { instance_terminated: 2, instance_stopped: 2 },
      ),
  },
  {
    name: `${processing}should handle multiple messages that cause nodeClaim deletion`,
    run: () => expectDeletedBy(Array.from({ length: 100 }, () => spotInterruptionMessage)),
  },
  {
    name: `${processing}should delete a message when the message can't be parsed`,
    run: async () => {
      const env = new InterruptionEnv('v1.9.2')
      env.messagesCreated({ field1: 'value1', field2: 'value2' })
      await env.reconcile()
      assert.equal(env.successfulReceives, 1)
      assert.equal(env.successfulDeletes, 1)
    },
  },
  {
    name: `${processing}should delete a state change message when the state isn't in accepted states`,
    run: async () => {
      const env = new InterruptionEnv('v1.9.2')
      const id = instanceID()
      const { nodeClaimName } = env.nodeClaimAndNode(providerIDOf(id))
      env.messagesCreated(stateChangeMessage(id, 'creating'))
      await env.reconcile()
      assert.equal(env.successfulReceives, 1)
      assert.equal(env.nodeClaimExists(nodeClaimName), true)
      assert.equal(env.successfulDeletes, 1)
    },
  },
  {
    name: `${processing}should mark the ICE cache for the offering when getting a spot interruption warning`,
    run: async () => {
      const env = new InterruptionEnv('v1.9.2')
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
    },
  },
  {
    // Upstream sets the error and asserts nothing more; the port checks the poll fails visibly.
    name: 'Error Handling › should send an error on polling when QueueNotExists',
    run: () => expectPollError('QueueDoesNotExist'),
  },
  {
    name: 'Error Handling › should send an error on polling when AccessDenied',
    run: () => expectPollError('AccessDenied'),
  },
  {
    name: 'Error Handling › should not return an error when deleting a nodeClaim that is already deleted',
    run: async () => {
      const env = new InterruptionEnv('v1.9.2')
      env.messagesCreated(spotInterruptionMessage(instanceID()))
      await env.reconcile()
      assert.deepEqual(env.sandboxLogs, [])
      assert.equal(env.successfulDeletes, 1)
    },
  },
]

conformance({
  repo: 'aws/karpenter-provider-aws',
  tag: 'v1.9.2',
  file: 'pkg/controllers/interruption/suite_test.go',
  twin: 'v1.9.2',
  area: 'interruption',
  upstreamCases: 10,
  cases,
  notPorted: [],
})
