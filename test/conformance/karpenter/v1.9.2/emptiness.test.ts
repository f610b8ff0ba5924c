// Karpenter conformance, 1.x twin: kubernetes-sigs/karpenter@v1.9.1
// pkg/controllers/disruption/emptiness_test.go, ported against one pass of the twin's disruption
// controller (`computeDisruptionV1`, sandbox/karpenter/v1/disruption.ts). The fixture stands for
// upstream's BeforeEach: a NodePool with WhenEmpty, consolidateAfter 0s and a 100% budget; two
// initialized NodeClaim+Node pairs on the cheapest spot fake instance type (32 CPU, 100 pods
// allocatable), both Consolidatable; the fake cloud provider's assorted instance types.
// "ExpectSingletonReconciled + queue reconcile → NodeClaims gone" is read as: the pass returns an
// Empty command whose candidates are those nodes; "ExpectExists / no commands" as: no command.

import assert from 'node:assert/strict'
import { getCandidates } from '../../../../sandbox/karpenter/disruption/candidates.ts'
import { CONSOLIDATION_TTL_MS } from '../../../../sandbox/karpenter/disruption/consolidation.ts'
import { budgetMapping, emptinessShouldDisrupt } from '../../../../sandbox/karpenter/v1/disruption.ts'
import { conformance } from '../harness.ts'
import {
  DO_NOT_DISRUPT,
  afterTTL,
  INSTANCE_TYPES,
  NOW,
  disrupt,
  disrupted,
  leastExpensiveInstance,
  leastExpensiveSpotInstance,
  nodePool,
  pod,
  pods,
  snapshotOf,
  stateNode,
  type NodeOptions,
  type PoolOptions,
} from './disruption-builders.ts'

const whenEmpty = (o: PoolOptions = {}) => nodePool({ consolidationPolicy: 'WhenEmpty', consolidateAfter: '0s', budgets: [{ nodes: '100%' }], ...o })
const emptyNode = (o: NodeOptions = {}) => stateNode({ instanceType: leastExpensiveSpotInstance, allocatable: { cpu: '32', pods: '100' }, ...o })

/** Budgets: `count` nodes per NodePool on the cheapest on-demand type, all Consolidatable. */
function budgetWorld(pools: ReturnType<typeof whenEmpty>[], count: number) {
  const nodes = pools.flatMap((p) =>
    Array.from({ length: count }, () => stateNode({ pool: p.metadata.name, instanceType: leastExpensiveInstance, allocatable: { cpu: '32', pods: '100' } })),
  )
  return { pools, nodes }
}
/** `karpenter_nodepools_allowed_disruptions{nodepool}` for reason Empty. */
const allowed = (w: ReturnType<typeof budgetWorld>) => budgetMapping(w.pools, w.nodes, 'Empty', NOW)
const tenPools = (nodes: string) => Array.from({ length: 10 }, (_, i) => whenEmpty({ name: `nodepool-${i}`, consolidateAfter: '30s', budgets: [{ nodes }] }))

conformance({
  repo: 'kubernetes-sigs/karpenter',
  tag: 'v1.9.1',
  file: 'pkg/controllers/disruption/emptiness_test.go',
  twin: 'v1.9.2',
  area: 'emptiness',
  upstreamCases: 20,
  cases: [
    {
      // EligibleNodes{reason=empty} is the number of candidates emptiness's ShouldDisrupt keeps.
      name: 'Emptiness › Metrics › should correctly report eligible nodes',
      run: () => {
        const eligible = (n: ReturnType<typeof emptyNode>) => {
          const { snapshot, v1Pools } = snapshotOf({ pools: [whenEmpty()], nodes: [n] })
          return getCandidates(snapshot, emptinessShouldDisrupt(v1Pools)).length
        }
        assert.equal(eligible(emptyNode({ pods: [pod()] })), 0)
        assert.equal(eligible(emptyNode()), 1)
      },
    },
    {
      name: 'Emptiness › Budgets › should allow all empty nodes to be disrupted',
      run: () => {
        const w = budgetWorld([whenEmpty({ budgets: [{ nodes: '100%' }] })], 10)
        assert.equal(allowed(w).get('default'), 10)
        assert.equal(disrupted(w).length, 10)
      },
    },
    {
      name: 'Emptiness › Budgets › should allow no empty nodes to be disrupted',
      run: () => {
        const w = budgetWorld([whenEmpty({ budgets: [{ nodes: '0%' }] })], 10)
        assert.equal(allowed(w).get('default'), 0)
        assert.deepEqual(disrupted(w), [])
      },
    },
    {
      name: 'Emptiness › Budgets › should only allow 3 empty nodes to be disrupted',
      run: () => {
        const w = budgetWorld([whenEmpty({ budgets: [{ nodes: '30%' }] })], 10)
        assert.equal(allowed(w).get('default'), 3)
        assert.equal(disrupted(w).length, 3)
      },
    },
    {
      // 50% of 3 nodes is 1.5, rounded up to 2.
      name: 'Emptiness › Budgets › should allow 2 nodes from each nodePool to be deleted',
      run: () => {
        const w = budgetWorld(tenPools('50%'), 3)
        for (const [, v] of allowed(w)) assert.equal(v, 2)
        const d = disrupt({ ...w, pools: [whenEmpty(), ...w.pools] }).decision
        assert.equal(d?.command.candidates.length, 20)
      },
    },
    {
      name: 'Emptiness › Budgets › should allow all nodes from each nodePool to be deleted',
      run: () => {
        const w = budgetWorld(tenPools('100%'), 3)
        for (const [, v] of allowed(w)) assert.equal(v, 3)
        assert.equal(disrupted({ ...w, pools: [whenEmpty(), ...w.pools] }).length, 30)
      },
    },
    {
      name: 'Emptiness › Emptiness › can delete empty nodes',
      run: () => {
        const n = emptyNode()
        const d = disrupt({ pools: [whenEmpty()], nodes: [n] }).decision
        assert.deepEqual([d?.reason, d?.command.candidates.map((c) => c.name), d?.command.replacements.length], ['Empty', [n.name], 0])
      },
    },
    {
      name: 'Emptiness › Emptiness › can delete empty and drifted nodes',
      run: () => {
        const n = emptyNode({ drifted: true })
        assert.deepEqual(disrupted({ pools: [whenEmpty()], nodes: [n] }), [n.name])
      },
    },
    {
      name: 'Emptiness › Emptiness › should ignore nodes without the consolidatable status condition',
      run: () => assert.deepEqual(disrupted({ pools: [whenEmpty()], nodes: [emptyNode({ consolidatable: false })] }), []),
    },
    {
      name: 'Emptiness › Emptiness › should ignore nodes with the karpenter.sh/do-not-disrupt annotation',
      run: () => assert.deepEqual(disrupted({ pools: [whenEmpty()], nodes: [emptyNode({ annotations: { [DO_NOT_DISRUPT]: 'true' } })] }), []),
    },
    {
      name: 'Emptiness › Emptiness › should delete nodes with the karpenter.sh/do-not-disrupt annotation set to false',
      run: () => {
        const n = emptyNode({ annotations: { [DO_NOT_DISRUPT]: 'false' } })
        assert.deepEqual(disrupted({ pools: [whenEmpty()], nodes: [n] }), [n.name])
      },
    },
    {
      name: 'Emptiness › Emptiness › should ignore nodes that have pods',
      run: () => assert.deepEqual(disrupted({ pools: [whenEmpty()], nodes: [emptyNode({ pods: [pod()] })] }), []),
    },
    {
      name: 'Emptiness › Emptiness › should ignore nodes with the consolidatable status condition set to false',
      run: () => assert.deepEqual(disrupted({ pools: [whenEmpty()], nodes: [emptyNode({ consolidatable: 'False' })] }), []),
    },
    {
      name: 'Emptiness › can delete multiple empty nodes',
      run: () => {
        const nodes = [emptyNode(), emptyNode()]
        const d = disrupt({ pools: [whenEmpty()], nodes }).decision
        assert.deepEqual(d?.command.candidates.map((c) => c.name).sort(), nodes.map((n) => n.name).sort())
      },
    },
    {
      name: 'Emptiness › considers pending pods when consolidating',
      run: () => {
        const large = INSTANCE_TYPES.filter((it) => it.capacity.cpu.valueNumber() >= 64).sort((a, b) => a.offerings[0].price - b.offerings[0].price)[0]
        const n = stateNode({
          instanceType: large,
          allocatable: { cpu: String(large.capacity.cpu.valueNumber()), pods: String(large.capacity.pods.valueNumber()) },
          pods: [pod({ requests: { cpu: '1' } })],
        })
        const unsched = pod({ requests: { cpu: '62' }, unschedulable: true })
        assert.deepEqual(disrupted({ pools: [whenEmpty()], nodes: [n], pending: [unsched] }), [])
      },
    },
    {
      name: 'Emptiness › will consider a node with a DaemonSet pod as empty',
      run: () => {
        const n = stateNode({ instanceType: leastExpensiveInstance, pods: [pod({ owner: 'DaemonSet' })] })
        assert.deepEqual(disrupted({ pools: [whenEmpty()], nodes: [n] }), [n.name])
      },
    },
    {
      name: 'Emptiness › will consider a node with terminating Deployment pods as empty',
      run: () => {
        const n = stateNode({ instanceType: leastExpensiveInstance, pods: pods(3, { owner: 'ReplicaSet', terminating: true }) })
        assert.deepEqual(disrupted({ pools: [whenEmpty()], nodes: [n] }), [n.name])
      },
    },
    {
      name: 'Emptiness › will not consider a node with a terminating StatefulSet pod as empty',
      run: () => {
        const n = stateNode({ instanceType: leastExpensiveInstance, pods: [pod({ owner: 'StatefulSet', terminating: true })] })
        assert.deepEqual(disrupted({ pools: [whenEmpty()], nodes: [n] }), [])
      },
    },
    {
      // The real validator: the command waits CONSOLIDATION_TTL_MS, then is re-checked on a later
      // snapshot (still empty, not nominated, within budgets) before the NodeClaim is deleted.
      name: 'Emptiness › should wait for the node TTL for empty nodes before consolidating',
      run: () => {
        const n = emptyNode()
        const w = { pools: [whenEmpty()], nodes: [n] }
        const d = disrupt(w).decision
        assert.equal(d?.consolidationType, 'empty')
        assert.ok(CONSOLIDATION_TTL_MS > 0 && CONSOLIDATION_TTL_MS <= 31_000)
        const cmd = afterTTL(w, { ...w, now: NOW + 31_000 })
        assert.deepEqual(
          cmd?.candidates.map((c) => c.name),
          [n.name],
        )
      },
    },
  ],
  notPorted: [
    {
      name: 'Emptiness › Static NodePool › should not consolidate static NodePool nodes',
      reason:
        'static NodePools (spec.replicas) are not in the 1.x twin: the tutorial only uses dynamic NodePools, so the twin deliberately leaves the static provisioning mode out',
    },
  ],
})
