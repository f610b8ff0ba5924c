// Karpenter v0.32.1 interruption: aws/karpenter-provider-aws@v0.32.1
// pkg/controllers/interruption/nodeclaim_test.go and suite_test.go, ported against the twin's
// interruption controller (sandbox/karpenter/controllers/interruption.ts over
// sandbox/karpenter/interruption.ts). The fixture (interruption-builders.ts) stands for the suite's
// envtest API server, fake SQS API and unavailable-offerings cache; machine_test.go (v1alpha5) is
// not part of this port.

import { conformance, type PortedCase } from '../harness.ts'
import {
  expectDeletedBy,
  expectDeleteOfMissingNodeClaimQuiet,
  expectPollError,
  sharedProcessingCases,
  scheduledChangeMessage,
  spotInterruptionMessage,
  stateChangeMessage,
} from './interruption-builders.ts'

const STATES = ['terminated', 'stopped', 'stopping', 'shutting-down']

const processing = 'NodeClaim/InterruptionHandling › Processing Messages › '

const nodeClaimCases: PortedCase[] = [
  {
    name: `${processing}should delete the NodeClaim when receiving a spot interruption warning`,
    run: () => expectDeletedBy('v0.32.1', [spotInterruptionMessage]),
  },
  {
    name: `${processing}should delete the NodeClaim when receiving a scheduled change message`,
    run: () => expectDeletedBy('v0.32.1', [scheduledChangeMessage]),
  },
  {
    name: `${processing}should delete the NodeClaim when receiving a state change message`,
    run: () =>
      expectDeletedBy(
        'v0.32.1',
        STATES.map((s) => (id: string) => stateChangeMessage(id, s)),
      ),
  },
  ...sharedProcessingCases('v0.32.1', processing),
]

const suiteCases: PortedCase[] = [
  {
    name: 'Error Handling › should send an error on polling when QueueNotExists',
    run: () => expectPollError('v0.32.1', 'AWS.SimpleQueueService.NonExistentQueue', { noDeletes: true }),
  },
  {
    name: 'Error Handling › should send an error on polling when AccessDenied',
    run: () => expectPollError('v0.32.1', 'AccessDenied', { noDeletes: true }),
  },
  {
    name: 'Error Handling › should not return an error when deleting a nodeClaim that is already deleted',
    run: () => expectDeleteOfMissingNodeClaimQuiet('v0.32.1'),
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
