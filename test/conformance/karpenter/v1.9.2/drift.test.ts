// Karpenter conformance, 1.x twin: kubernetes-sigs/karpenter@v1.9.1
// pkg/controllers/nodeclaim/disruption/drift_test.go, ported against `driftedCondition` /
// `driftReason` (sandbox/karpenter/v1/disruption.ts: what the nodeclaim.disruption controller of
// controllers/v1/disruption.ts writes as the NodeClaim's `Drifted` condition), `nodePoolHashV1` and
// `rehashedNodeClaimAnnotations` (v1/nodeclaim.ts: the nodepool.hash controller of
// controllers/v1/status.ts).
// What upstream's fixture is here: `test.NodePool()` (no requirements, the TestNodeClass reference,
// no hash annotations until the hash controller runs) and a launched NodeClaim of the fake instance
// type in test-zone-1a, spot, annotated with the NodePool's hash (no hash version). The fake cloud
// provider's `cp.Drifted = "drifted"` is the AWS provider's part of the twin reporting drift: an
// EC2NodeClass whose hash moved away from the NodeClaim's (NodeClassDrift). `fakeClock.Step(2h)`
// is the controller passing the instance types (it does once a NodeClaim is an hour old).

import assert from 'node:assert/strict'
import type { EC2NodeClassV1, NodeClaimV1, NodePoolV1 } from '../../../../sandbox/karpenter/v1/api.ts'
import { driftedCondition } from '../../../../sandbox/karpenter/v1/disruption.ts'
import { nodePoolHashV1, rehashedNodeClaimAnnotations } from '../../../../sandbox/karpenter/v1/nodeclaim.ts'
import { conformance, type PortedCase } from '../harness.ts'
import { nodePoolV1, testNodeClassRef } from './objects.ts'

const NODEPOOL_HASH = 'karpenter.sh/nodepool-hash'
const NODEPOOL_HASH_VERSION = 'karpenter.sh/nodepool-hash-version'
const NODECLASS_HASH = 'karpenter.k8s.aws/ec2nodeclass-hash'
const NODECLASS_HASH_VERSION = 'karpenter.k8s.aws/ec2nodeclass-hash-version'
const V3 = 'v3'

type Req = { key: string; operator: string; values?: string[] }
type Offering = { zone: string; capacityType: string }
interface InstanceTypeView {
  name: string
  offerings: Offering[]
}

/** The fake cloud provider's instance type: offered in three zones, spot and on-demand. */
function fakeInstanceType(): InstanceTypeView {
  const offerings: Offering[] = []
  for (const zone of ['test-zone-1a', 'test-zone-1b', 'test-zone-1c']) for (const capacityType of ['spot', 'on-demand']) offerings.push({ zone, capacityType })
  return { name: 'default-instance-type', offerings }
}

function testNodePool(): NodePoolV1 {
  return nodePoolV1({
    metadata: { name: 'default', annotations: {} },
    spec: { template: { spec: { requirements: [], nodeClassRef: testNodeClassRef() } } },
  })
}

function nodeClaimFor(np: NodePoolV1, labels: Record<string, string> = {}): NodeClaimV1 {
  return {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodeClaim',
    metadata: {
      name: `${np.metadata.name}-abcde`,
      labels: {
        'karpenter.sh/nodepool': np.metadata.name!,
        'node.kubernetes.io/instance-type': 'default-instance-type',
        'topology.kubernetes.io/zone': 'test-zone-1a',
        'karpenter.sh/capacity-type': 'spot',
        ...labels,
      },
      annotations: { [NODEPOOL_HASH]: nodePoolHashV1(np), [NODECLASS_HASH]: 'launched-with', [NODECLASS_HASH_VERSION]: 'v4' },
    },
    spec: { requirements: [], nodeClassRef: testNodeClassRef() },
    status: { conditions: [{ type: 'Launched', status: 'True', reason: 'Launched', message: '', lastTransitionTime: '2026-12-06T12:00:00Z' }] },
  }
}

/** The NodeClass as the cloud provider sees it: drifted (`cp.Drifted = "drifted"`) or not. */
function nodeClass(drifted: boolean): EC2NodeClassV1 {
  return {
    metadata: { name: 'default', annotations: { [NODECLASS_HASH]: drifted ? 'changed-since' : 'launched-with', [NODECLASS_HASH_VERSION]: 'v4' } },
    spec: {} as EC2NodeClassV1['spec'],
  }
}

/** One ExpectObjectReconciled of the nodeclaim.disruption controller: the Drifted reason, or undefined (condition absent). */
function reconcile(o: {
  nodePool?: NodePoolV1
  nodeClaim: NodeClaimV1
  cpDrifted?: boolean
  /** fakeClock.Step(2h): instance-type drift is checked, against these types. */
  twoHoursLater?: InstanceTypeView[]
}): string | undefined {
  return driftedCondition({ nodeClaim: o.nodeClaim, nodePool: o.nodePool, nodeClass: nodeClass(!!o.cpDrifted), instanceTypes: o.twoHoursLater })
}

const withLaunched = (nc: NodeClaimV1, status: 'Unknown' | 'False'): NodeClaimV1 => ({
  ...nc,
  status: {
    conditions: [
      {
        type: 'Launched',
        status,
        reason: status === 'False' ? 'LaunchFailed' : 'AwaitingReconciliation',
        message: '',
        lastTransitionTime: '2026-12-06T12:00:00Z',
      },
      { type: 'Drifted', status: 'True', reason: 'Drifted', message: '', lastTransitionTime: '2026-12-06T12:00:00Z' },
    ],
  },
})

// ---- NodeRequirement Drift ----

const REQ_ROWS: [string, Req[], Req[], Record<string, string>, boolean][] = [
  [
    'should return drifted if the nodePool node requirement is updated',
    [
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
      { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
      { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
    ],
    [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] }],
    { 'karpenter.sh/capacity-type': 'on-demand', 'kubernetes.io/arch': 'amd64', 'kubernetes.io/os': 'linux' },
    true,
  ],
  [
    'should return drifted if a new node requirement is added',
    [
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
      { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
    ],
    [
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
      { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
      { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
    ],
    { 'karpenter.sh/capacity-type': 'on-demand', 'kubernetes.io/os': 'linux' },
    true,
  ],
  [
    'should return drifted if a node requirement is reduced',
    [
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
      { key: 'kubernetes.io/os', operator: 'In', values: ['linux', 'windows'] },
    ],
    [
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
      { key: 'kubernetes.io/os', operator: 'In', values: ['windows'] },
    ],
    { 'karpenter.sh/capacity-type': 'on-demand', 'kubernetes.io/os': 'linux' },
    true,
  ],
  [
    'should not return drifted if a node requirement is expanded',
    [
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
      { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
    ],
    [
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
      { key: 'kubernetes.io/os', operator: 'In', values: ['linux', 'windows'] },
    ],
    { 'karpenter.sh/capacity-type': 'on-demand', 'kubernetes.io/os': 'linux' },
    false,
  ],
  [
    'should not return drifted if a node requirement set to Exists',
    [
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
      { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
    ],
    [
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
      { key: 'kubernetes.io/os', operator: 'Exists', values: [] },
    ],
    { 'karpenter.sh/capacity-type': 'on-demand', 'kubernetes.io/os': 'linux' },
    false,
  ],
  [
    'should return drifted if a node requirement set to DoesNotExists',
    [
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
      { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
    ],
    [
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
      { key: 'kubernetes.io/os', operator: 'DoesNotExist', values: [] },
    ],
    { 'karpenter.sh/capacity-type': 'on-demand', 'kubernetes.io/os': 'linux' },
    true,
  ],
  [
    // Upstream's name says "not", its expectation is drifted (5 is not > 10).
    'should not return drifted if a nodeClaim is greater then node requirement',
    [
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
      { key: 'test-label', operator: 'Gt', values: ['2'] },
    ],
    [
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
      { key: 'test-label', operator: 'Gt', values: ['10'] },
    ],
    { 'karpenter.sh/capacity-type': 'on-demand', 'test-label': '5' },
    true,
  ],
  [
    'should not return drifted if a nodeClaim is less then node requirement',
    [
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
      { key: 'test-label', operator: 'Lt', values: ['5'] },
    ],
    [
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
      { key: 'test-label', operator: 'Lt', values: ['1'] },
    ],
    { 'karpenter.sh/capacity-type': 'on-demand', 'test-label': '2' },
    true,
  ],
]

function withRequirements(np: NodePoolV1, requirements: Req[]): NodePoolV1 {
  return { ...np, spec: { ...np.spec, template: { ...np.spec.template, spec: { ...np.spec.template.spec, requirements } } } }
}

const requirementCases: PortedCase[] = REQ_ROWS.map(([name, oldReqs, newReqs, labels, drifted]) => ({
  name: `Drift › NodeRequirement Drift › ${name}`,
  run: () => {
    const np = withRequirements(testNodePool(), oldReqs)
    const nc = nodeClaimFor(testNodePool(), labels)
    assert.equal(reconcile({ nodePool: np, nodeClaim: nc }), undefined)
    const after = reconcile({ nodePool: withRequirements(np, newReqs), nodeClaim: nc })
    if (drifted) assert.equal(after, 'RequirementsDrifted')
    else assert.equal(after, undefined)
  },
}))

// ---- NodePool Static Drift ----

/** The Context's BeforeEach NodePool: every static field of the template set. */
function staticNodePool(): NodePoolV1 {
  const np = testNodePool()
  np.spec.template = {
    metadata: {
      annotations: { keyAnnotation: 'valueAnnotation', keyAnnotation2: 'valueAnnotation2' },
      labels: { keyLabel: 'valueLabel', keyLabel2: 'valueLabel2' },
    },
    spec: {
      requirements: [],
      nodeClassRef: testNodeClassRef(),
      taints: [{ key: 'keyvalue1', effect: 'NoExecute' }],
      startupTaints: [{ key: 'startupkeyvalue1', effect: 'NoExecute' }],
      expireAfter: '5m',
      terminationGracePeriod: '5m',
    },
  }
  return np
}

/** mergo.Merge(dst, src, WithOverride): maps gain keys, structs merge field by field, slices are replaced. */
function merge(dst: unknown, src: unknown): unknown {
  if (src && typeof src === 'object' && !Array.isArray(src)) {
    const out: Record<string, unknown> = dst && typeof dst === 'object' ? { ...(dst as Record<string, unknown>) } : {}
    for (const [k, v] of Object.entries(src)) out[k] = merge(out[k], v)
    return out
  }
  return src
}

/** ExpectObjectReconciled(nodePoolController, nodePool): the NodeClaims first when the version differs, then the NodePool's annotations. */
function hashController(np: NodePoolV1, claims: NodeClaimV1[]): NodePoolV1 {
  const hash = nodePoolHashV1(np)
  if (np.metadata.annotations?.[NODEPOOL_HASH_VERSION] !== V3)
    for (const c of claims) {
      const next = rehashedNodeClaimAnnotations(c, { hash: NODEPOOL_HASH, version: NODEPOOL_HASH_VERSION }, V3, hash)
      if (next) c.metadata.annotations = next
    }
  return { ...np, metadata: { ...np.metadata, annotations: { ...np.metadata.annotations, [NODEPOOL_HASH]: hash, [NODEPOOL_HASH_VERSION]: V3 } } }
}

const STATIC_ROWS: [string, Record<string, unknown>][] = [
  ['Annoations', { metadata: { annotations: { keyAnnotationTest: 'valueAnnotationTest' } } }],
  ['Labels', { metadata: { labels: { keyLabelTest: 'valueLabelTest' } } }],
  ['Taints', { spec: { taints: [{ key: 'keytest2taint', effect: 'NoExecute' }] } }],
  ['StartupTaints', { spec: { startupTaints: [{ key: 'keytest2taint', effect: 'NoExecute' }] } }],
  ['NodeClassRef Name', { spec: { nodeClassRef: { name: 'testName' } } }],
  ['ExpireAfter', { spec: { expireAfter: '100m' } }],
  ['TerminationGracePeriod', { spec: { terminationGracePeriod: '100m' } }],
]

const staticCases: PortedCase[] = [
  ...STATIC_ROWS.map(([entry, change]) => ({
    name: `Drift › NodePool Static Drift › should detect drift on changes to the static fields › ${entry}`,
    run: () => {
      let np = staticNodePool()
      const nc = nodeClaimFor(np)
      np = hashController(np, [nc])
      assert.equal(reconcile({ nodePool: np, nodeClaim: nc }), undefined)
      np = { ...np, spec: { ...np.spec, template: merge(np.spec.template, change) as NodePoolV1['spec']['template'] } }
      np = hashController(np, [nc])
      assert.equal(reconcile({ nodePool: np, nodeClaim: nc }), 'NodePoolDrifted')
    },
  })),
  {
    name: 'Drift › NodePool Static Drift › should not return drifted if karpenter.sh/nodepool-hash annotation is not present on the NodePool',
    run: () => {
      const np = staticNodePool()
      const nc = nodeClaimFor(testNodePool())
      assert.equal(reconcile({ nodePool: { ...np, metadata: { ...np.metadata, annotations: {} } }, nodeClaim: nc }), undefined)
    },
  },
  {
    name: 'Drift › NodePool Static Drift › should not return drifted if karpenter.sh/nodepool-hash annotation is not present on the NodeClaim',
    run: () => {
      const np = staticNodePool()
      const nc = nodeClaimFor(np)
      nc.metadata.annotations = { [NODEPOOL_HASH_VERSION]: V3 }
      assert.equal(reconcile({ nodePool: np, nodeClaim: nc }), undefined)
    },
  },
  {
    name: "Drift › NodePool Static Drift › should not return drifted if the NodeClaim's karpenter.sh/nodepool-hash-version annotation does not match the NodePool's",
    run: () => {
      const np = staticNodePool()
      np.metadata.annotations = { [NODEPOOL_HASH]: 'test-hash-1', [NODEPOOL_HASH_VERSION]: 'test-version-1' }
      const nc = nodeClaimFor(np)
      nc.metadata.annotations = { [NODEPOOL_HASH]: 'test-hash-2', [NODEPOOL_HASH_VERSION]: 'test-version-2' }
      assert.equal(reconcile({ nodePool: np, nodeClaim: nc }), undefined)
    },
  },
  {
    name: 'Drift › NodePool Static Drift › should not return drifted if karpenter.sh/nodepool-hash-version annotation is not present on the NodeClaim',
    run: () => {
      const np = staticNodePool()
      const nc = nodeClaimFor(np)
      nc.metadata.annotations = { [NODEPOOL_HASH]: 'test-hash-111111111' }
      assert.equal(reconcile({ nodePool: np, nodeClaim: nc }), undefined)
    },
  },
]

// ---- the first Describe's cases ----

const topCases: PortedCase[] = [
  {
    name: 'Drift › Drift › should detect drift',
    run: () => assert.equal(reconcile({ nodePool: testNodePool(), nodeClaim: nodeClaimFor(testNodePool()), cpDrifted: true }), 'NodeClassDrift'),
  },
  {
    name: "Drift › should detect stale instance type drift if the instance type label doesn't exist",
    run: () => {
      const nc = nodeClaimFor(testNodePool())
      delete nc.metadata.labels!['node.kubernetes.io/instance-type']
      assert.equal(reconcile({ nodePool: testNodePool(), nodeClaim: nc, twoHoursLater: [fakeInstanceType()] }), 'InstanceTypeNotFound')
    },
  },
  {
    name: "Drift › should detect stale instance type drift if the instance type doesn't exist",
    run: () => assert.equal(reconcile({ nodePool: testNodePool(), nodeClaim: nodeClaimFor(testNodePool()), twoHoursLater: [] }), 'InstanceTypeNotFound'),
  },
  {
    name: "Drift › should detect stale instance type drift if the instance type offerings doesn't exist",
    run: () =>
      assert.equal(
        reconcile({ nodePool: testNodePool(), nodeClaim: nodeClaimFor(testNodePool()), twoHoursLater: [{ ...fakeInstanceType(), offerings: [] }] }),
        'InstanceTypeNotFound',
      ),
  },
  {
    name: "Drift › should detect stale instance type drift if the instance type offerings aren't compatible with the nodeclaim",
    run: () => {
      const it = fakeInstanceType()
      const moved = { ...it, offerings: it.offerings.map((o) => ({ ...o, zone: 'test-zone-random' })) }
      assert.equal(reconcile({ nodePool: testNodePool(), nodeClaim: nodeClaimFor(testNodePool()), twoHoursLater: [moved] }), 'InstanceTypeNotFound')
    },
  },
  {
    name: 'Drift › should detect static drift before cloud provider drift',
    run: () => {
      const np = testNodePool()
      np.metadata.annotations = { [NODEPOOL_HASH]: 'test-123456789', [NODEPOOL_HASH_VERSION]: V3 }
      const nc = nodeClaimFor(testNodePool())
      nc.metadata.annotations = { ...nc.metadata.annotations, [NODEPOOL_HASH]: 'test-123', [NODEPOOL_HASH_VERSION]: V3 }
      assert.equal(reconcile({ nodePool: np, nodeClaim: nc, cpDrifted: true }), 'NodePoolDrifted')
    },
  },
  {
    name: 'Drift › should detect node requirement drift before cloud provider drift',
    run: () => {
      const np = withRequirements(testNodePool(), [{ key: 'node.kubernetes.io/instance-type', operator: 'DoesNotExist' }])
      assert.equal(reconcile({ nodePool: np, nodeClaim: nodeClaimFor(testNodePool()), cpDrifted: true }), 'RequirementsDrifted')
    },
  },
  {
    name: 'Drift › should remove the status condition from the nodeClaim when the nodeClaim launch condition is unknown',
    run: () =>
      assert.equal(reconcile({ nodePool: testNodePool(), nodeClaim: withLaunched(nodeClaimFor(testNodePool()), 'Unknown'), cpDrifted: true }), undefined),
  },
  {
    name: 'Drift › should remove the status condition from the nodeClaim when the nodeClaim launch condition is false',
    run: () =>
      assert.equal(reconcile({ nodePool: testNodePool(), nodeClaim: withLaunched(nodeClaimFor(testNodePool()), 'False'), cpDrifted: true }), undefined),
  },
  {
    name: 'Drift › should not detect drift if the nodePool does not exist',
    run: () => assert.equal(reconcile({ nodeClaim: nodeClaimFor(testNodePool()), cpDrifted: true }), undefined),
  },
  {
    name: 'Drift › should remove the status condition from the nodeClaim if the nodeClaim is no longer drifted',
    run: () => {
      const nc = nodeClaimFor(testNodePool())
      nc.status!.conditions!.push({ type: 'Drifted', status: 'True', reason: 'Drifted', message: '', lastTransitionTime: '2026-12-06T12:00:00Z' })
      assert.equal(reconcile({ nodePool: testNodePool(), nodeClaim: nc }), undefined)
    },
  },
  {
    name: 'Drift › NodeRequirement Drift › should return drifted only on NodeClaims that are drifted from an updated nodePool',
    run: () => {
      const np = withRequirements(testNodePool(), [
        { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
        { key: 'kubernetes.io/os', operator: 'In', values: ['linux', 'windows'] },
      ])
      const one = nodeClaimFor(testNodePool(), { 'karpenter.sh/capacity-type': 'on-demand', 'kubernetes.io/os': 'linux' })
      const two = nodeClaimFor(testNodePool(), { 'karpenter.sh/capacity-type': 'on-demand', 'kubernetes.io/os': 'windows' })
      delete two.metadata.labels!['topology.kubernetes.io/zone']
      assert.deepEqual([reconcile({ nodePool: np, nodeClaim: one }), reconcile({ nodePool: np, nodeClaim: two })], [undefined, undefined])
      const linuxOnly = withRequirements(np, [
        { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
        { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
      ])
      assert.deepEqual(
        [reconcile({ nodePool: linuxOnly, nodeClaim: one }), reconcile({ nodePool: linuxOnly, nodeClaim: two })],
        [undefined, 'RequirementsDrifted'],
      )
    },
  },
]

const RESERVED = 'reserved capacity (capacity type `reserved`, capacity-reservation labels and offerings) is not modelled by the twin (README: not modelled)'

conformance({
  repo: 'kubernetes-sigs/karpenter',
  tag: 'v1.9.1',
  file: 'pkg/controllers/nodeclaim/disruption/drift_test.go',
  twin: 'v1.9.2',
  area: 'drift',
  upstreamCases: 37,
  cases: [...topCases, ...requirementCases, ...staticCases],
  notPorted: [
    {
      name: 'Drift › Drift › should ignore drift for NodeClaims not managed by this instance of Karpenter',
      reason:
        'the twin runs one Karpenter for one NodeClass kind (EC2NodeClass): a NodeClaim whose nodeClassRef names another provider (karpenter.test.sh/UnmanagedNodeClass) is not modelled',
    },
    ...[
      "shouldn't drift when a matching instance type exists with reserved and on-demand offerings",
      "shouldn't drift when a matching instance type exists with reserved offerings",
      "shouldn't drift when a matching instance type exists with on-demand offerings",
      'should drift when a matching instance type exists but the only offering is spot',
      'should drift when a matching instance type exists but there are no compatible offerings',
    ].map((e) => ({ name: `Drift › Reserved Capacity › InstanceTypeNotFound › ${e}`, reason: RESERVED })),
  ],
})
