// Port of kubernetes-sigs/karpenter v0.32.1 pkg/controllers/disruption/nodeclaim_emptiness_test.go
// ("NodeClaim/Emptiness") to the v0.32.1 twin's disruption logic.
//
// Fixture (the suite's BeforeEach): a WhenEmpty NodePool (consolidateAfter 30s, expireAfter Never),
// one initialized NodeClaim + Node of the fake provider's most expensive on-demand type (32 CPU,
// 100 pods allocatable) whose NodeClaim carries Empty=True (set at the fake clock's start). The
// Empty condition is an input here (its controller is not under test). A reconcile is one
// `computeDisruption` on the snapshot (see disruption-builders.ts).

import assert from 'node:assert/strict'
import { conformance } from '../harness.ts'
import { instanceTypesAssorted } from '../fake.ts'
import { cheapestAndDearestOnDemand, nodePool, pod, reconcile, stateNode, T0, type World } from './disruption-builders.ts'

const its = instanceTypesAssorted()
const { most } = cheapestAndDearestOnDemand(its)
const pool = nodePool({ consolidationPolicy: 'WhenEmpty', consolidateAfter: '30s', expireAfter: 'Never' })
const empty = (status = 'True') => [{ type: 'Empty', status, lastTransitionTime: new Date(T0).toISOString() }]

function world(o: {
  conditions?: ReturnType<typeof empty>
  annotations?: Record<string, string>
  podAnnotations?: Record<string, string>
  now: number
}): World {
  const n = stateNode({
    instanceType: most,
    allocatable: { cpu: '32', pods: '100' },
    conditions: o.conditions,
    annotations: o.annotations,
    pods: o.podAnnotations ? [pod({ annotations: o.podAnnotations, owned: false })] : [],
  })
  return { nodePools: [pool], instanceTypes: its, stateNodes: [n], now: o.now }
}

const TEN_MINUTES_LATER = T0 + 10 * 60_000

/** Nothing is deleted and nothing launched. */
function expectNoDisruption(w: World): void {
  const r = reconcile(w)
  assert.deepEqual(r.deleted, [])
  assert.equal(r.launched, 0)
}

conformance({
  repo: 'kubernetes-sigs/karpenter',
  tag: 'v0.32.1',
  file: 'pkg/controllers/disruption/nodeclaim_emptiness_test.go',
  twin: 'v0.32.1',
  area: 'emptiness',
  upstreamCases: 6,
  cases: [
    {
      name: 'NodeClaim/Emptiness › can delete empty nodes',
      run: () => {
        const w = world({ conditions: empty(), now: TEN_MINUTES_LATER })
        const r = reconcile(w)
        assert.equal(r.executed?.method, 'emptiness')
        assert.deepEqual(r.deleted, [w.stateNodes[0].name])
        assert.equal(r.launched, 0)
      },
    },
    {
      name: 'NodeClaim/Emptiness › should ignore nodes without the empty status condition',
      run: () => expectNoDisruption(world({ now: T0 })),
    },
    {
      name: 'NodeClaim/Emptiness › should ignore nodes with the karpenter.sh/do-not-disrupt annotation',
      run: () => expectNoDisruption(world({ conditions: empty(), annotations: { 'karpenter.sh/do-not-disrupt': 'true' }, now: T0 })),
    },
    {
      name: 'NodeClaim/Emptiness › should ignore nodes that have pods with the karpenter.sh/do-not-evict annotation',
      run: () => expectNoDisruption(world({ conditions: empty(), podAnnotations: { 'karpenter.sh/do-not-evict': 'true' }, now: T0 })),
    },
    {
      name: 'NodeClaim/Emptiness › should ignore nodes that have pods with the karpenter.sh/do-not-disrupt annotation',
      run: () => expectNoDisruption(world({ conditions: empty(), podAnnotations: { 'karpenter.sh/do-not-disrupt': 'true' }, now: T0 })),
    },
    {
      name: 'NodeClaim/Emptiness › should ignore nodes with the empty status condition set to false',
      run: () => expectNoDisruption(world({ conditions: empty('False'), now: TEN_MINUTES_LATER })),
    },
  ],
  notPorted: [],
})
