// Karpenter v1.9.2 interruption: aws/karpenter-provider-aws@v1.9.2
// pkg/controllers/interruption/suite_test.go, ported against the 1.x twin's interruption controller
// (sandbox/karpenter/controllers/v1/interruption.ts over sandbox/karpenter/v1/interruption.ts).
// The fixture (../v0.32.1/interruption-builders.ts) stands for the suite's envtest API server, fake
// SQS API and unavailable-offerings cache. The `karpenter_nodeclaims_disrupted_total{reason}`
// counter upstream reads is, in the twin, one `initiating delete from interruption message` line
// per deleted NodeClaim, carrying the message kind (the counter's reason label).

import assert from 'node:assert/strict'
import { conformance, type PortedCase } from '../harness.ts'
import {
  expectDeletedBy,
  expectDeleteOfMissingNodeClaimQuiet,
  expectPollError,
  sharedProcessingCases,
  type InterruptionEnv,
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

/** The check `expectDeletedBy` runs: the deletions per message kind. */
const disruptedAre =
  (disrupted: Record<string, number>) =>
  (env: InterruptionEnv): void => {
    assert.deepEqual(disruptedByReason(env), disrupted)
  }

const processing = 'InterruptionHandling › Processing Messages › '

const cases: PortedCase[] = [
  {
    name: `${processing}should delete the NodeClaim when receiving a spot interruption warning`,
    run: () => expectDeletedBy('v1.9.2', [spotInterruptionMessage], disruptedAre({ spot_interrupted: 1 })),
  },
  {
    name: `${processing}should delete the NodeClaim when receiving a scheduled change message`,
    run: () => expectDeletedBy('v1.9.2', [scheduledChangeMessage], disruptedAre({ scheduled_change: 1 })),
  },
  {
    name: `${processing}should delete the NodeClaim when receiving a state change message`,
    run: () =>
      expectDeletedBy(
        'v1.9.2',
        STATES.map((s) => (id: string) => stateChangeMessage(id, s)),
        disruptedAre({ instance_terminated: 2, instance_stopped: 2 }),
      ),
  },
  ...sharedProcessingCases('v1.9.2', processing),
  {
    // Upstream sets the error and asserts nothing more; the port checks the poll fails visibly.
    name: 'Error Handling › should send an error on polling when QueueNotExists',
    run: () => expectPollError('v1.9.2', 'QueueDoesNotExist'),
  },
  {
    name: 'Error Handling › should send an error on polling when AccessDenied',
    run: () => expectPollError('v1.9.2', 'AccessDenied'),
  },
  {
    name: 'Error Handling › should not return an error when deleting a nodeClaim that is already deleted',
    run: () => expectDeleteOfMissingNodeClaimQuiet('v1.9.2'),
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
