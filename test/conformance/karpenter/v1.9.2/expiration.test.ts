// Karpenter conformance, 1.x twin: kubernetes-sigs/karpenter@v1.9.1
// pkg/controllers/nodeclaim/expiration/suite_test.go, ported against `expiry` in
// sandbox/karpenter/v1/disruption.ts (what the nodeclaim.expiration controller of
// sandbox/karpenter/controllers/v1/disruption.ts decides: delete the NodeClaim once
// `spec.expireAfter` has passed since its creation, else requeue for the time left).
// The fixture stands for upstream's BeforeEach: one NodeClaim of `test.NodePool()` with
// `expireAfter: 30s`, created at the fake clock's "now".

import assert from 'node:assert/strict'
import { expiry } from '../../../../sandbox/karpenter/v1/disruption.ts'
import { conformance } from '../harness.ts'

const CREATED = Date.parse('2026-12-06T12:00:00Z')
const s = (n: number) => n * 1000

/** The NodeClaim is deleted (ExpectNotFound) after `stepS` seconds with `expireAfter`. */
const expiredAfter = (expireAfter: string, stepS: number) => expiry({ expireAfter, createdMs: CREATED, nowMs: CREATED + s(stepS) })

const METRICS = 'needs the karpenter_nodeclaims_disrupted_total counter; the twin keeps no Prometheus metrics'

conformance({
  repo: 'kubernetes-sigs/karpenter',
  tag: 'v1.9.1',
  file: 'pkg/controllers/nodeclaim/expiration/suite_test.go',
  twin: 'v1.9.2',
  area: 'expiration',
  upstreamCases: 9,
  cases: [
    {
      name: 'Expiration › Expiration › should remove nodeclaims that are expired',
      run: () => assert.deepEqual(expiredAfter('30s', 60), { expired: true }),
    },
    {
      name: 'Expiration › should not remove the NodeClaims when expiration is disabled',
      run: () => assert.deepEqual(expiredAfter('Never', 0), { expired: false }),
    },
    {
      name: 'Expiration › should not remove non-expired NodeClaims',
      run: () => assert.equal(expiredAfter('200s', 0).expired, false),
    },
    {
      // The Node is applied after the clock stepped (created later): only the NodeClaim's age counts.
      name: "Expiration › should delete NodeClaims if the nodeClaim is expired but the node isn't",
      run: () => assert.deepEqual(expiredAfter('30s', 60), { expired: true }),
    },
    {
      name: 'Expiration › should return the requeue interval for the time between now and when the nodeClaim expires',
      run: () => {
        const r = expiredAfter('200s', 100)
        assert.equal(r.expired, false)
        assert.ok(Math.abs((r.requeueAfterMs ?? 0) - s(100)) <= s(1), `requeue ${r.requeueAfterMs} ms`)
      },
    },
  ],
  notPorted: [
    { name: 'Expiration › Metrics › should fire a karpenter_nodeclaims_disrupted_total metric when expired', reason: METRICS },
    {
      // Upstream has two Its with this text (the second on a spot NodeClaim); the harness needs distinct names.
      name: 'Expiration › Metrics › should fire a karpenter_nodeclaims_disrupted_total metric when expired (second It: spot NodeClaim)',
      reason: METRICS,
    },
    {
      name: 'Expiration › Expiration › should ignore expired NodeClaims that are not managed by this Karpenter instance',
      reason:
        'the twin runs one Karpenter for one NodeClass kind (EC2NodeClass): a NodeClaim whose nodeClassRef names another provider (karpenter.test.sh/UnmanagedNodeClass) is not modelled',
    },
    {
      name: "Expiration › shouldn't expire the same NodeClaim multiple times",
      reason: `asserts the disruption counter stays at 1 across two reconciles of a NodeClaim held by a finalizer — ${METRICS}`,
    },
  ],
})
