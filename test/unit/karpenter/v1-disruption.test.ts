// The 1.x twin's disruption decisions, with cases from Karpenter 1.9's own tests (cited per test:
// core = kubernetes-sigs/karpenter@v1.9.1, aws = aws/karpenter-provider-aws@v1.9.2).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { toStringMap, withoutZeros } from '../../../sandbox/k8s/resources.ts'
import type { Node, Pod } from '../../../sandbox/k8s/types.ts'
import type { NodeClaim } from '../../../sandbox/karpenter/api.ts'
import { seededRng } from '../../../sandbox/karpenter/rng.ts'
import { buildStateNode, type StateNode } from '../../../sandbox/karpenter/state.ts'
import { internalNodePool } from '../../../sandbox/karpenter/v1/adapter.ts'
import type { BudgetV1, EC2NodeClassV1, NodeClaimV1, NodePoolV1 } from '../../../sandbox/karpenter/v1/api.ts'
import {
  allowedDisruptions,
  budgetActive,
  budgetAllows,
  budgetMapping,
  commandText,
  computeDisruptionV1,
  consolidatable,
  driftReason,
  expiry,
  MAX_INT32,
  withinBudgets,
} from '../../../sandbox/karpenter/v1/disruption.ts'
import type { DisruptionSnapshot } from '../../../sandbox/karpenter/disruption/candidates.ts'
import { tutorialDaemonSetPods, tutorialInstanceTypes, workloadPods } from './helpers/tutorial.ts'
import { v1NodeClass, v1NodePool } from './helpers/v1.ts'

// core pkg/apis/v1/nodepool_budgets_test.go: the clock is 2000-06-15T12:30:30Z.
const JUNE_2000 = Date.UTC(2000, 5, 15, 12, 30, 30)
const every = (nodes: string, reasons?: BudgetV1['reasons']): BudgetV1 => ({ nodes, schedule: '* * * * *', duration: '1h', ...(reasons ? { reasons } : {}) })
function budgets(): BudgetV1[] {
  return [
    every('10'),
    every('100'),
    every('100%'),
    every('15', ['Drifted', 'Underutilized']),
    every('5', ['Drifted']),
    { nodes: '0', schedule: '@weekly', duration: '1h', reasons: ['Underutilized', 'Drifted', 'Empty'] },
  ]
}
const pool = (b: BudgetV1[]): Pick<NodePoolV1, 'spec'> => ({ spec: { template: v1NodePool().spec.template, disruption: { budgets: b } } })
const REASONS = ['Empty', 'Underutilized', 'Drifted'] as const

describe('budgets (core pkg/apis/v1/nodepool_budgets_test.go)', () => {
  it('"should return 0 for all reasons if a budget is active for all reasons"', () => {
    const b = budgets()
    b[5] = { ...b[5], schedule: '* * * * *' }
    for (const r of REASONS) assert.equal(allowedDisruptions(pool(b), 100, r, JUNE_2000), 0)
  })
  it('"should return MaxInt32 for all reasons when there are no active budgets"', () => {
    const b = budgets().map((x) => ({ ...x, schedule: '@yearly', duration: '1h' }))
    for (const r of REASONS) assert.equal(allowedDisruptions(pool(b), 100, r, JUNE_2000), MAX_INT32)
  })
  it('"should ignore reason-defined budgets when inactive"', () => {
    const b = budgets()
    b[3] = { ...b[3], schedule: '@yearly' }
    b[4] = { ...b[4], schedule: '@yearly' }
    for (const r of REASONS) assert.equal(allowedDisruptions(pool(b), 100, r, JUNE_2000), 10)
  })
  it('"should return the budget for all disruption reasons when undefined"', () => {
    for (const r of REASONS) assert.equal(allowedDisruptions(pool(budgets().slice(0, 1)), 100, r, JUNE_2000), 10)
  })
  it('"should get the minimum budget for each reason"', () => {
    const b = [...budgets(), every('4', ['Empty'])]
    assert.equal(allowedDisruptions(pool(b), 100, 'Empty', JUNE_2000), 4)
    assert.equal(allowedDisruptions(pool(b), 100, 'Drifted', JUNE_2000), 5)
    assert.equal(allowedDisruptions(pool(b), 100, 'Underutilized', JUNE_2000), 10)
  })
  it('"should return zero values if a schedule is invalid" / "if a nodes value is invalid"', () => {
    assert.equal(budgetAllows({ ...every('10'), schedule: '@wrongly' }, 100, JUNE_2000), 0)
    assert.equal(budgetAllows(every('1000a%'), 100, JUNE_2000), 0)
  })
  it('"should return MaxInt32 when a budget is inactive", the int and the string value when active', () => {
    assert.equal(budgetAllows({ ...every('10'), schedule: '@yearly' }, 100, JUNE_2000), MAX_INT32)
    assert.equal(budgetAllows(every('10'), 100, JUNE_2000), 10)
    assert.equal(budgetAllows(every('100%'), 100, JUNE_2000), 100)
  })
  it('percentages round up (intstr.GetScaledValueFromIntOrPercent with roundUp): 10% of 1 node is 1, of 0 nodes 0, of 25 nodes 3', () => {
    const def = pool([{ nodes: '10%' }])
    assert.deepEqual(
      [1, 0, 25, 10, 11].map((n) => allowedDisruptions(def, n, 'Empty', JUNE_2000)),
      [1, 0, 3, 1, 2],
    )
  })
  it('the default budget is nodes: 10% (core pkg/apis/v1/nodepool.go kubebuilder default)', () => {
    assert.equal(allowedDisruptions({ spec: { template: v1NodePool().spec.template } }, 25, 'Underutilized', JUNE_2000), 3)
  })
  describe('IsActive', () => {
    it('"should always consider a schedule and time in UTC"', () => {
      // 2000-06-00T00:00+01:00 is 2000-05-30T23:00Z: @daily for 30m is not active.
      assert.equal(budgetActive({ nodes: '10', schedule: '@daily', duration: '30m' }, Date.UTC(2000, 4, 30, 23, 0, 0)), false)
    })
    it('"should return that a schedule is active when schedule and duration are nil"', () => assert.equal(budgetActive({ nodes: '10' }, JUNE_2000), true))
    it('"should return that a schedule is active" / "inactive"', () => {
      assert.equal(budgetActive(every('10'), JUNE_2000), true)
      assert.equal(budgetActive({ ...every('10'), schedule: '@yearly' }, JUNE_2000), false)
    })
    it('"should return that a schedule is active when the schedule hit is in the middle of the duration"', () => {
      assert.equal(budgetActive({ nodes: '10', schedule: '@yearly', duration: '24h' }, Date.UTC(1000, 0, 1, 12, 0, 0)), true)
    })
    it('"should return that a schedule is active when the duration is longer than the recurrence"', () => {
      assert.equal(budgetActive({ nodes: '10', schedule: '@daily', duration: '48h' }, Date.UTC(2024, 0, 7, 0, 0, 0)), true)
    })
    it('"should return that a schedule is inactive when the schedule hit is after the duration"', () => {
      assert.equal(budgetActive({ nodes: '10', schedule: '30 6 * * SUN', duration: '6h' }, Date.UTC(2024, 0, 7, 0, 0, 0)), false)
    })
  })
})

describe('Consolidatable (core pkg/controllers/nodeclaim/disruption/consolidation_test.go)', () => {
  const init = '2024-01-29T10:00:00.000Z'
  const at = (s: number) => Date.parse(init) + s * 1000
  it('"should mark NodeClaims as consolidatable" once consolidateAfter has passed since the last pod event', () => {
    assert.deepEqual(consolidatable({ consolidateAfterMs: 30_000, initializedAt: init, lastPodEventTime: '2024-01-29T10:01:00.000Z', nowMs: at(91) }), {
      consolidatable: true,
    })
  })
  it('"should mark NodeClaims as consolidatable based on the nodeclaim initialized time" (no pod event yet)', () => {
    assert.deepEqual(consolidatable({ consolidateAfterMs: 30_000, initializedAt: init, nowMs: at(30) }), { consolidatable: true })
  })
  it('"should remove the status condition from the nodeClaim when lastPodEvent is too recent" (and says when to look again)', () => {
    assert.deepEqual(consolidatable({ consolidateAfterMs: 60_000, initializedAt: init, lastPodEventTime: '2024-01-29T10:00:40.000Z', nowMs: at(50) }), {
      consolidatable: false,
      requeueAfterMs: 50_000,
    })
  })
  it('"should remove the status condition from the nodeClaim when consolidateAfter is never"', () => {
    assert.deepEqual(consolidatable({ consolidateAfterMs: undefined, initializedAt: init, nowMs: at(3600) }), { consolidatable: false })
  })
  it('"should remove the status condition from the nodeClaim when the nodeClaim is not initialized"', () => {
    assert.deepEqual(consolidatable({ consolidateAfterMs: 0, nowMs: at(3600) }), { consolidatable: false })
  })
})

describe('expiration (core pkg/controllers/nodeclaim/expiration/suite_test.go)', () => {
  const created = Date.parse('2024-01-29T00:00:00Z')
  it('"should not remove the NodeClaims when expiration is disabled"', () =>
    assert.deepEqual(expiry({ expireAfter: 'Never', createdMs: created, nowMs: created + 1e12 }), { expired: false }))
  it('"should not remove non-expired NodeClaims"', () =>
    assert.deepEqual(expiry({ expireAfter: '168h', createdMs: created, nowMs: created + 3_600_000 }), { expired: false, requeueAfterMs: 167 * 3_600_000 }))
  it('"should delete NodeClaims if the nodeClaim is expired but the node isn\'t" (from the NodeClaim\'s creation)', () =>
    assert.deepEqual(expiry({ expireAfter: '168h', createdMs: created, nowMs: created + 168 * 3_600_000 }), { expired: true }))
  it('expireAfter defaults to 720h (core pkg/apis/v1/nodeclaim.go)', () =>
    assert.equal(expiry({ createdMs: created, nowMs: created + 719 * 3_600_000 }).expired, false))
})

function claimFor(np: NodePoolV1, nc: EC2NodeClassV1, overrides: Partial<NodeClaimV1['metadata']> = {}, status: NodeClaimV1['status'] = {}): NodeClaimV1 {
  return {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodeClaim',
    metadata: {
      name: 'default-abcde',
      labels: {
        'karpenter.sh/nodepool': 'default',
        'karpenter.sh/capacity-type': 'spot',
        'kubernetes.io/arch': 'arm64',
        'karpenter.k8s.aws/instance-cpu': '8',
        'karpenter.k8s.aws/instance-memory': '16384',
        'karpenter.k8s.aws/instance-category': 'c',
        intent: 'apps',
      },
      annotations: {
        'karpenter.sh/nodepool-hash': np.metadata.annotations!['karpenter.sh/nodepool-hash'],
        'karpenter.sh/nodepool-hash-version': 'v3',
        'karpenter.k8s.aws/ec2nodeclass-hash': nc.metadata.annotations!['karpenter.k8s.aws/ec2nodeclass-hash'],
        'karpenter.k8s.aws/ec2nodeclass-hash-version': 'v4',
      },
      ...overrides,
    },
    spec: { requirements: [], nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' } },
    status: { imageID: 'ami-arm64-standard', ...status },
  }
}

describe('drift (core nodeclaim/disruption/drift_test.go; aws pkg/cloudprovider/suite_test.go)', () => {
  const np = v1NodePool({}, { 'karpenter.sh/nodepool-hash': '123', 'karpenter.sh/nodepool-hash-version': 'v3' })
  const nc = v1NodeClass({ 'karpenter.k8s.aws/ec2nodeclass-hash': '456', 'karpenter.k8s.aws/ec2nodeclass-hash-version': 'v4' })
  const arm = tutorialInstanceTypes().find((t) => t.name === 'c7g.2xlarge')!.requirements
  it('"should not return drifted if the NodeClaim is valid"', () => {
    assert.equal(
      driftReason({ nodeClaim: claimFor(np, nc), nodePool: np, nodeClass: nc, instanceTypeRequirements: arm, instance: { subnetId: 'subnet-a' } }),
      undefined,
    )
  })
  it('"should return drifted only on NodeClaims that are drifted from an updated nodePool" (NodePoolDrifted)', () => {
    const updated = { ...np, metadata: { ...np.metadata, annotations: { ...np.metadata.annotations, 'karpenter.sh/nodepool-hash': '999' } } }
    assert.equal(driftReason({ nodeClaim: claimFor(np, nc), nodePool: updated, nodeClass: nc }), 'NodePoolDrifted')
  })
  it('"should not return drifted if the NodeClaim\'s karpenter.sh/nodepool-hash-version annotation does not match the NodePool\'s"', () => {
    const other = claimFor(np, nc, {
      annotations: { ...claimFor(np, nc).metadata.annotations, 'karpenter.sh/nodepool-hash': '1', 'karpenter.sh/nodepool-hash-version': 'v2' },
    })
    assert.equal(driftReason({ nodeClaim: other, nodePool: np, nodeClass: nc, instanceTypeRequirements: arm }), undefined)
  })
  it('"should not return drifted if karpenter.sh/nodepool-hash annotation is not present on the NodeClaim"', () => {
    const { 'karpenter.sh/nodepool-hash': _gone, ...rest } = claimFor(np, nc).metadata.annotations!
    assert.equal(
      driftReason({
        nodeClaim: claimFor(np, nc, { annotations: { ...rest, 'karpenter.sh/nodepool-hash-version': 'v3' } }),
        nodePool: np,
        nodeClass: nc,
        instanceTypeRequirements: arm,
      }),
      undefined,
    )
  })
  it('"should detect node requirement drift before cloud provider drift" (RequirementsDrifted)', () => {
    const onDemandOnly = v1NodePool({ requirements: [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] }] }, np.metadata.annotations)
    assert.equal(
      driftReason({ nodeClaim: claimFor(np, nc, {}, { imageID: 'ami-old' }), nodePool: onDemandOnly, nodeClass: nc, instanceTypeRequirements: arm }),
      'RequirementsDrifted',
    )
  })
  it('"should return drifted if the AMI is not valid" (a newer AMI behind the alias: AMIDrift)', () => {
    assert.equal(
      driftReason({ nodeClaim: claimFor(np, nc, {}, { imageID: 'ami-older' }), nodePool: np, nodeClass: nc, instanceTypeRequirements: arm }),
      'AMIDrift',
    )
  })
  it('"should return drifted if the AMI no longer matches the existing NodeClaims instance type"', () => {
    const amd = tutorialInstanceTypes().find((t) => t.name === 'c6i.2xlarge')!.requirements
    assert.equal(driftReason({ nodeClaim: claimFor(np, nc), nodePool: np, nodeClass: nc, instanceTypeRequirements: amd }), 'AMIDrift')
  })
  it('"should return drifted if the subnet is not valid" / security groups that differ', () => {
    assert.equal(
      driftReason({ nodeClaim: claimFor(np, nc), nodePool: np, nodeClass: nc, instanceTypeRequirements: arm, instance: { subnetId: 'subnet-gone' } }),
      'SubnetDrift',
    )
    assert.equal(
      driftReason({
        nodeClaim: claimFor(np, nc),
        nodePool: np,
        nodeClass: nc,
        instanceTypeRequirements: arm,
        instance: { subnetId: 'subnet-a', securityGroupIds: ['sg-1', 'sg-2'] },
      }),
      'SecurityGroupDrift',
    )
  })
  it('an EC2NodeClass spec change (NodeClassDrift)', () => {
    const changed = v1NodeClass({ 'karpenter.k8s.aws/ec2nodeclass-hash': '789', 'karpenter.k8s.aws/ec2nodeclass-hash-version': 'v4' })
    assert.equal(driftReason({ nodeClaim: claimFor(np, nc), nodePool: np, nodeClass: changed, instanceTypeRequirements: arm }), 'NodeClassDrift')
  })
})

// ---- the disruption round over a small cluster ----

const its = tutorialInstanceTypes()
let ip = 10
function node(
  type: string,
  o: { pods?: Pod[]; conditions?: { type: string; status: string; reason?: string; lastTransitionTime: string }[]; ready?: boolean } = {},
): StateNode {
  const it = its.find((t) => t.name === type)!
  const name = `ip-10-0-9-${ip++}.eu-west-2.compute.internal`
  const labels: Record<string, string> = {
    'karpenter.sh/nodepool': 'default',
    'karpenter.sh/registered': 'true',
    'karpenter.sh/initialized': 'true',
    'karpenter.sh/capacity-type': 'spot',
    intent: 'apps',
    'node.kubernetes.io/instance-type': type,
    'topology.kubernetes.io/zone': 'eu-west-2a',
    'kubernetes.io/hostname': name,
    'kubernetes.io/arch': it.requirements.get('kubernetes.io/arch').valueList()[0],
    'kubernetes.io/os': 'linux',
  }
  const n: Node = {
    metadata: { name, labels, creationTimestamp: '2024-01-29T08:00:00Z' },
    spec: { providerID: `aws:///eu-west-2a/i-0${ip}` },
    status: {
      capacity: toStringMap(withoutZeros(it.capacity)),
      allocatable: toStringMap(withoutZeros(it.allocatable)),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  }
  const claim: NodeClaim = {
    metadata: { name: `default-${ip}`, labels, creationTimestamp: '2024-01-29T08:00:00Z' },
    spec: {},
    status: { providerID: n.spec!.providerID, conditions: o.conditions },
  }
  return buildStateNode({ node: n, nodeClaim: claim, pods: (o.pods ?? []).map((p) => ({ ...p, spec: { ...p.spec, nodeName: name } })) })
}
const CONSOLIDATABLE = [{ type: 'Consolidatable', status: 'True', lastTransitionTime: '2024-01-29T09:00:00Z' }]

function snapshot(stateNodes: StateNode[], np: NodePoolV1): DisruptionSnapshot {
  return {
    now: Date.parse('2024-01-29T10:00:00Z'),
    nodePools: [internalNodePool(np, v1NodeClass())],
    instanceTypes: { default: its },
    stateNodes,
    pendingPods: [],
    daemonSetPods: tutorialDaemonSetPods(),
    cluster: { pods: stateNodes.flatMap((s) => s.pods), nodes: stateNodes.map((s) => ({ name: s.name, labels: s.labels })), namespaces: [{ name: 'default' }] },
    rng: seededRng(1),
  }
}

describe('the disruption round (core pkg/controllers/disruption/suite_test.go, emptiness/consolidation/drift)', () => {
  it('"should not consolidate a node that is not consolidatable": an empty node waits for Consolidatable (consolidateAfter)', () => {
    const np = v1NodePool()
    assert.equal(computeDisruptionV1(snapshot([node('c6i.2xlarge')], np), new Map([['default', np]])).decision, undefined)
  })
  it('emptiness deletes empty consolidatable nodes under both policies (emptiness.go ShouldDisrupt)', () => {
    for (const policy of ['WhenEmptyOrUnderutilized', 'WhenEmpty']) {
      const np = v1NodePool({}, undefined, { consolidationPolicy: policy, consolidateAfter: '30s' })
      const d = computeDisruptionV1(snapshot([node('c6i.2xlarge', { conditions: CONSOLIDATABLE })], np), new Map([['default', np]])).decision
      assert.ok(d, policy)
      assert.deepEqual([d.reason, d.consolidationType, d.command.candidates.length, d.command.replacements.length], ['Empty', 'empty', 1, 0])
    }
  })
  it('"should allow 2 nodes from each nodePool to be deleted" style budgets: 10% of 25 empty nodes is 3 (rounded up)', () => {
    const np = v1NodePool()
    const nodes = Array.from({ length: 25 }, () => node('c6i.2xlarge', { conditions: CONSOLIDATABLE }))
    const d = computeDisruptionV1(snapshot(nodes, np), new Map([['default', np]])).decision!
    assert.equal(d.command.candidates.length, 3)
  })
  it('a budget of 0 blocks disruption; NotReady nodes count against the budget (helpers.go BuildDisruptionBudgetMapping)', () => {
    const blocked = v1NodePool({}, undefined, { consolidateAfter: '0s', budgets: [{ nodes: '0' }] })
    assert.equal(
      computeDisruptionV1(snapshot([node('c6i.2xlarge', { conditions: CONSOLIDATABLE })], blocked), new Map([['default', blocked]])).decision,
      undefined,
    )
    const np = v1NodePool({}, undefined, { consolidateAfter: '0s', budgets: [{ nodes: '1' }] })
    const nodes = [node('c6i.2xlarge', { conditions: CONSOLIDATABLE }), node('c6i.2xlarge', { ready: false })]
    assert.equal(budgetMapping([np], nodes, 'Empty', 0).get('default'), 0)
  })
  it('"consolidateAfter: Never" disables consolidation and emptiness', () => {
    const np = v1NodePool({}, undefined, { consolidateAfter: 'Never' })
    assert.equal(computeDisruptionV1(snapshot([node('c6i.2xlarge', { conditions: CONSOLIDATABLE })], np), new Map([['default', np]])).decision, undefined)
  })
  it('WhenEmpty leaves an underutilized node alone; WhenEmptyOrUnderutilized consolidates two half-empty nodes into one', () => {
    const pods = (n: number, k: number) =>
      workloadPods(n).map((p) => ({
        ...p,
        metadata: { ...p.metadata, name: `${p.metadata.name}-${k}`, uid: `${p.metadata.uid}-${k}` },
        status: { phase: 'Running' },
      }))
    const mk = () => [
      node('c6i.2xlarge', { conditions: CONSOLIDATABLE, pods: pods(2, 1) }),
      node('c6i.2xlarge', { conditions: CONSOLIDATABLE, pods: pods(2, 2) }),
    ]
    const whenEmpty = v1NodePool({}, undefined, { consolidationPolicy: 'WhenEmpty', consolidateAfter: '30s' })
    assert.equal(computeDisruptionV1(snapshot(mk(), whenEmpty), new Map([['default', whenEmpty]])).decision, undefined)
    const np = v1NodePool()
    const d = computeDisruptionV1(snapshot(mk(), np), new Map([['default', np]])).decision!
    assert.equal(d.reason, 'Underutilized')
    assert.equal(d.command.candidates.length >= 1, true)
  })
  it('drift replaces the oldest drifted node, empty ones first, without waiting for consolidateAfter', () => {
    const np = v1NodePool({}, undefined, { consolidateAfter: 'Never' })
    const drifted = [{ type: 'Drifted', status: 'True', reason: 'AMIDrift', lastTransitionTime: '2024-01-29T09:00:00Z' }]
    const d = computeDisruptionV1(snapshot([node('c6i.2xlarge', { conditions: drifted })], np), new Map([['default', np]])).decision!
    assert.deepEqual([d.reason, d.consolidationType, d.command.candidates.length], ['Drifted', '', 1])
  })
  it('withinBudgets keeps the order and stops each NodePool at its budget', () => {
    const np = v1NodePool()
    const s = snapshot([node('c6i.2xlarge', { conditions: CONSOLIDATABLE }), node('c6i.2xlarge', { conditions: CONSOLIDATABLE })], np)
    const cands = s.stateNodes.map((sn) => ({ stateNode: sn, name: sn.name, nodePool: s.nodePools[0] }) as never)
    assert.deepEqual(withinBudgets(cands, new Map([['default', 1]])).allowed.length, 1)
    assert.equal(withinBudgets(cands, new Map([['default', 1]])).constrained, true)
  })
  it("the command's text: reason/id: decision: [nodes] (savings) (core disruption/types.go String)", () => {
    const np = v1NodePool()
    const sn = node('c6i.2xlarge', { conditions: CONSOLIDATABLE })
    const d = computeDisruptionV1(snapshot([sn], np), new Map([['default', np]])).decision!
    assert.match(
      commandText('Empty', '0c8f1d5e-1111-4aaa-8bbb-222233334444', d.command),
      new RegExp(`^Empty/0c8f1d5e-1111-4aaa-8bbb-222233334444: delete: \\[${sn.name.replace(/\./g, '\\.')}\\] \\(savings: \\$0\\.\\d\\d\\)$`),
    )
  })
})
