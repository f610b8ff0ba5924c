// Karpenter conformance, 1.x twin: kubernetes-sigs/karpenter@v1.9.1
// pkg/controllers/nodeclaim/disruption/consolidation_test.go, ported against `consolidatable` in
// sandbox/karpenter/v1/disruption.ts — what the nodeclaim.disruption controller
// (sandbox/karpenter/controllers/v1/disruption.ts) uses to set or remove the NodeClaim's
// `Consolidatable` condition. The fixture stands for upstream's BeforeEach: a NodePool with
// WhenEmptyOrUnderutilized and `consolidateAfter: 1m`, and an initialized NodeClaim whose last pod
// event was 5 minutes ago.

import assert from 'node:assert/strict'
import { consolidatable, consolidateAfterMs } from '../../../../sandbox/karpenter/v1/disruption.ts'
import { conformance } from '../harness.ts'

const NOW = Date.parse('2026-12-06T12:00:00Z')
const iso = (ms: number) => new Date(ms).toISOString()
const MINUTE = 60_000
const pool = (consolidateAfter: string) => ({
  spec: {
    template: { spec: { nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' }, requirements: [] } },
    disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter },
  },
})

interface Claim {
  /** Initialized=True since; undefined when Initialized is Unknown or False. */
  initializedAt?: number
  lastPodEventTime?: number
}
/** One reconcile at `nowMs`: whether the NodeClaim carries Consolidatable=True afterwards. */
function reconcile(claim: Claim, nowMs: number, consolidateAfter = '1m'): boolean {
  return consolidatable({
    consolidateAfterMs: consolidateAfterMs(pool(consolidateAfter)),
    initializedAt: claim.initializedAt === undefined ? undefined : iso(claim.initializedAt),
    lastPodEventTime: claim.lastPodEventTime === undefined ? undefined : iso(claim.lastPodEventTime),
    nowMs,
  }).consolidatable
}
const initialized = (): Claim => ({ initializedAt: NOW - 10 * MINUTE, lastPodEventTime: NOW - 5 * MINUTE })

conformance({
  repo: 'kubernetes-sigs/karpenter',
  tag: 'v1.9.1',
  file: 'pkg/controllers/nodeclaim/disruption/consolidation_test.go',
  twin: 'v1.9.2',
  area: 'consolidation',
  upstreamCases: 7,
  cases: [
    {
      name: 'Underutilized › should mark NodeClaims as consolidatable',
      run: () => {
        const claim = { ...initialized(), lastPodEventTime: NOW }
        assert.equal(reconcile(claim, NOW), false)
        assert.equal(reconcile(claim, NOW + MINUTE), true)
      },
    },
    {
      name: 'Underutilized › should mark NodeClaims as consolidatable based on the nodeclaim initialized time',
      run: () => {
        const claim: Claim = { initializedAt: NOW }
        assert.equal(reconcile(claim, NOW), false)
        assert.equal(reconcile(claim, NOW + MINUTE), true)
      },
    },
    {
      name: 'Underutilized › should remove the status condition from the nodeClaim when lastPodEvent is too recent',
      run: () => assert.equal(reconcile({ ...initialized(), lastPodEventTime: NOW }, NOW), false),
    },
    {
      name: 'Underutilized › should remove the status condition from the nodeClaim when consolidateAfter is never',
      run: () => assert.equal(reconcile(initialized(), NOW, 'Never'), false),
    },
    {
      name: 'Underutilized › should remove the status condition from the nodeClaim when the nodeClaim initialization condition is unknown',
      run: () => assert.equal(reconcile({ lastPodEventTime: NOW - 5 * MINUTE }, NOW), false),
    },
    {
      name: 'Underutilized › should remove the status condition from the nodeClaim when the nodeClaim is not initialized',
      run: () => assert.equal(reconcile({ lastPodEventTime: NOW - 5 * MINUTE }, NOW), false),
    },
  ],
  notPorted: [
    {
      name: 'Underutilized › should ignore NodeClaims not managed by this instance of Karpenter',
      reason:
        'the twin runs one Karpenter for one NodeClass kind (EC2NodeClass): a NodeClaim whose nodeClassRef names another provider (karpenter.test.sh/UnmanagedNodeClass) is not modelled',
    },
  ],
})
