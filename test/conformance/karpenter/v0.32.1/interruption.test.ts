// Karpenter v0.32.1 interruption: aws/karpenter-provider-aws@v0.32.1
// pkg/controllers/interruption/nodeclaim_test.go and suite_test.go, ported against the twin's
// interruption controller (sandbox/karpenter/controllers/interruption.ts over
// sandbox/karpenter/interruption.ts). The fixture (interruption-builders.ts) stands for the suite's
// envtest API server, fake SQS API and unavailable-offerings cache; machine_test.go (v1alpha5) is
// not part of this port.

import assert from 'node:assert/strict'
import { isUnavailable } from '../../../../sandbox/karpenter/unavailable-offerings.ts'
import { conformance, type PortedCase } from '../harness.ts'
import { instanceID, InterruptionEnv, providerIDOf, scheduledChangeMessage, spotInterruptionMessage, stateChangeMessage } from './interruption-builders.ts'

const STATES = ['terminated', 'stopped', 'stopping', 'shutting-down']

/** A NodeClaim (and Node) per message; every one deleted, every message deleted, one receive. */
async function expectDeletedBy(messages: ((id: string) => unknown)[]): Promise<void> {
  const env = new InterruptionEnv('v0.32.1')
  const ids = messages.map(() => instanceID())
  const applied = ids.map((id) => env.nodeClaimAndNode(providerIDOf(id)))
  env.messagesCreated(...messages.map((m, i) => m(ids[i])))
  await env.reconcile()
  assert.equal(env.successfulReceives, 1)
  for (const a of applied) assert.equal(env.nodeClaimExists(a.nodeClaimName), false, `${a.nodeClaimName} deleted`)
  assert.equal(env.successfulDeletes, messages.length)
}

const processing = 'NodeClaim/InterruptionHandling › Processing Messages › '

const nodeClaimCases: PortedCase[] = [
  {
    name: `${processing}should delete the NodeClaim when receiving a spot interruption warning`,
    run: () => expectDeletedBy([spotInterruptionMessage]),
  },
  {
    name: `${processing}should delete the NodeClaim when receiving a scheduled change message`,
    run: () => expectDeletedBy([scheduledChangeMessage]),
  },
  {
    name: `${processing}should delete the NodeClaim when receiving a state change message`,
    run: () => expectDeletedBy(STATES.map((s) => (id: string) => stateChangeMessage(id, s))),
  },
  {
    name: `${processing}should handle multiple messages that cause nodeClaim deletion`,
    run: () => expectDeletedBy(Array.from({ length: 100 }, () => spotInterruptionMessage)),
  },
  {
    name: `${processing}should delete a message when the message can't be parsed`,
    run: async () => {
      const env = new InterruptionEnv('v0.32.1')
      env.messagesCreated({ field1: 'value1', field2: 'value2' })
      await env.reconcile()
      assert.equal(env.successfulReceives, 1)
      assert.equal(env.successfulDeletes, 1)
    },
  },
  {
    name: `${processing}should delete a state change message when the state isn't in accepted states`,
    run: async () => {
      const env = new InterruptionEnv('v0.32.1')
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
      const env = new InterruptionEnv('v0.32.1')
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
]

/** The receive fails: the poll handles nothing and the error surfaces (the twin logs it and retries). */
async function expectPollError(code: string): Promise<void> {
  const env = new InterruptionEnv('v0.32.1')
  env.receiveError = Object.assign(new Error(code), { name: code })
  await env.reconcile()
  assert.equal(env.successfulReceives, 0)
  assert.equal(env.successfulDeletes, 0)
  assert.deepEqual(env.sandboxLogs, [`karpenter interruption: ${code}`])
}

const suiteCases: PortedCase[] = [
  {
    name: 'Error Handling › should send an error on polling when QueueNotExists',
    run: () => expectPollError('AWS.SimpleQueueService.NonExistentQueue'),
  },
  {
    name: 'Error Handling › should send an error on polling when AccessDenied',
    run: () => expectPollError('AccessDenied'),
  },
  {
    name: 'Error Handling › should not return an error when deleting a nodeClaim that is already deleted',
    run: async () => {
      const env = new InterruptionEnv('v0.32.1')
      env.messagesCreated(spotInterruptionMessage(instanceID()))
      await env.reconcile()
      assert.deepEqual(env.sandboxLogs, [])
      assert.equal(env.successfulDeletes, 1)
    },
  },
]

const MACHINE = 'the Combined suite also applies a v1alpha5 Machine and asserts its deletion; the twin models only v1beta1 NodeClaims'

conformance({
  repo: 'aws/karpenter-provider-aws',
  tag: 'v0.32.1',
  file: 'pkg/controllers/interruption/nodeclaim_test.go',
  twin: 'v0.32.1',
  area: 'interruption',
  upstreamCases: 7,
  cases: nodeClaimCases,
  notPorted: [],
})

conformance({
  repo: 'aws/karpenter-provider-aws',
  tag: 'v0.32.1',
  file: 'pkg/controllers/interruption/suite_test.go',
  twin: 'v0.32.1',
  area: 'interruption',
  upstreamCases: 6,
  cases: suiteCases,
  notPorted: [
    { name: 'Combined/InterruptionHandling › should delete both the NodeClaim and the Machine when receiving a spot interruption warning', reason: MACHINE },
    { name: 'Combined/InterruptionHandling › should delete both the NodeClaim and the Machine when receiving a scheduled change message', reason: MACHINE },
    { name: 'Combined/InterruptionHandling › should delete the both the NodeClaim and the Machine when receiving a state change message', reason: MACHINE },
  ],
})
