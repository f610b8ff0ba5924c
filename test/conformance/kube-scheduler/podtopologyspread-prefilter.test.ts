// kube-scheduler's PodTopologySpread PreFilter state cases, from kubernetes/kubernetes
// pkg/scheduler/framework/plugins/podtopologyspread/filtering_test.go (TestPreFilterState), as
// data, run against the twin's sandbox/cluster/scheduling/pod-topology-spread.ts `spreadState`.
// Upstream compares the whole preFilterState; what is compared here is its TpValueToMatchNum:
// per DoNotSchedule constraint, the matching pods counted in each domain of the nodes the
// constraint admits — the counts the Filter's skew is computed from.

import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { nodeInfoOf } from '../../../sandbox/cluster/scheduling/node-info.ts'
import { spreadState } from '../../../sandbox/cluster/scheduling/pod-topology-spread.ts'
import type { LabelSelector, Node, Pod, Taint, Toleration, TopologySpreadConstraint } from '../../../sandbox/k8s/types.ts'
import { recordFigures } from '../figures.ts'
import { node, pod, selector } from './builders.ts'
import { KUBERNETES_VERSION } from './harness.ts'

const FILE = 'pkg/scheduler/framework/plugins/podtopologyspread/filtering_test.go'
const REF = '01c2588bf4a3eb6bb3524b1e2bd60efb38a4b577'
const TEST = 'TestPreFilterState'
const UPSTREAM_CASES = 36

const foo = selector(['foo', 'Exists'])
const bar = selector(['bar', 'Exists'])
const unschedulableTaint: Taint[] = [{ key: 'node.kubernetes.io/unschedulable', value: '', effect: 'NoSchedule' }]

interface Options {
  nodeAffinityPolicy?: 'Honor' | 'Ignore'
  nodeTaintsPolicy?: 'Honor' | 'Ignore'
  matchLabelKeys?: string[]
  soft?: boolean
}

function spread(maxSkew: number, topologyKey: string, labelSelector: LabelSelector | null, { soft, ...o }: Options = {}): TopologySpreadConstraint {
  return { maxSkew, topologyKey, whenUnsatisfiable: soft ? 'ScheduleAnyway' : 'DoNotSchedule', labelSelector, ...o }
}

interface Incoming {
  labels: Record<string, string>
  constraints: TopologySpreadConstraint[]
  nodeSelector?: Record<string, string>
  nodeAffinity?: { key: string; operator: string; values: string[] }
  tolerations?: Toleration[]
}

function incoming({ labels, constraints, nodeSelector, nodeAffinity, tolerations }: Incoming): Pod {
  return pod({
    name: 'p',
    labels,
    tolerations,
    spec: {
      topologySpreadConstraints: constraints,
      ...(nodeSelector && { nodeSelector }),
      ...(nodeAffinity && {
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [nodeAffinity] }] } } },
      }),
    },
  })
}

/** An existing pod: name, node, labels, namespace. */
function existing(name: string, onNode: string, labels: Record<string, string> = { foo: '' }, namespace?: string): Pod {
  return pod({ name, node: onNode, namespace, labels })
}

function n(name: string, labels: Record<string, string> = {}, taints?: Taint[]): Node {
  return node(name, { ...labels, node: name }, taints ? { taints } : {})
}

const fourNodes = [n('node-a', { zone: 'zone1' }), n('node-b', { zone: 'zone1' }), n('node-x', { zone: 'zone2' }), n('node-y', { zone: 'zone2' })]
const fiveFoo = [existing('p-a1', 'node-a'), existing('p-a2', 'node-a'), existing('p-b1', 'node-b'), existing('p-y1', 'node-y'), existing('p-y2', 'node-y')]
const sevenFoo = [...fiveFoo, existing('p-y3', 'node-y'), existing('p-y4', 'node-y')]
const fiveFooA = fiveFoo.map((p) => existing(p.metadata.name!, p.spec.nodeName!, { foo: 'a' }))
const policyNodes = [n('node-a', { foo: '' }), n('node-b', { foo: '' }), n('node-c', { bar: '' })]
const policyPods = [
  existing('p-a', 'node-a', { bar: '' }),
  existing('p-b', 'node-b', { bar: '' }),
  existing('p-c', 'node-b', { bar: '' }),
  existing('p-d', 'node-c', {}),
]
const taintNodes = [n('node-a'), n('node-b'), n('node-c', { bar: '' }, unschedulableTaint)]

interface StateCase {
  name: string
  pod: Pod
  nodes: Node[]
  pods?: Pod[]
  /** Upstream's TpValueToMatchNum: per DoNotSchedule constraint, the count per domain. */
  want: Record<string, number>[]
}

const DEFAULTS =
  'needs a scheduler framework feature the twin does not model: default constraints derived from Services (PodTopologySpreadArgs.defaultConstraints with List defaulting)'
const GATE_OFF = 'tests the feature gate off; v1.29 has it on by default, which is what the twin models'

const notPorted = [
  { name: 'default constraints and a service', reason: DEFAULTS },
  { name: "default constraints and a service that doesn't match", reason: DEFAULTS },
  { name: 'default constraints and a service, but pod has constraints', reason: DEFAULTS },
  { name: 'default soft constraints and a service', reason: DEFAULTS },
  { name: 'feature gate disabled with NodeAffinityPolicy', reason: GATE_OFF },
  { name: 'feature gate disabled with NodeTaintsPolicy', reason: GATE_OFF },
  { name: 'matchLabelKeys ignored when feature gate disabled', reason: GATE_OFF },
  { name: 'no pod is matched when LabelSelector is nil when feature gate disabled', reason: GATE_OFF },
]

const cases: StateCase[] = [
  {
    name: 'clean cluster with one spreadConstraint',
    pod: incoming({ labels: { foo: '' }, constraints: [spread(5, 'zone', { matchLabels: { foo: 'bar' } })] }),
    nodes: fourNodes,
    want: [{ zone1: 0, zone2: 0 }],
  },
  {
    name: 'normal case with one spreadConstraint',
    pod: incoming({ labels: { foo: '' }, constraints: [spread(1, 'zone', foo)] }),
    nodes: fourNodes,
    pods: fiveFoo,
    want: [{ zone1: 3, zone2: 2 }],
  },
  {
    name: 'normal case with null label selector',
    pod: incoming({ labels: { foo: '' }, constraints: [spread(1, 'zone', null)] }),
    nodes: fourNodes,
    pods: fiveFoo,
    want: [{ zone1: 0, zone2: 0 }],
  },
  {
    name: 'normal case with one spreadConstraint, on a 3-zone cluster',
    pod: incoming({ labels: { foo: '' }, constraints: [spread(1, 'zone', foo)] }),
    nodes: [...fourNodes, n('node-o', { zone: 'zone3' }), n('node-p', { zone: 'zone3' })],
    pods: fiveFoo,
    want: [{ zone1: 3, zone2: 2, zone3: 0 }],
  },
  {
    name: "namespace mismatch doesn't count",
    pod: incoming({ labels: { foo: '' }, constraints: [spread(1, 'zone', foo)] }),
    nodes: fourNodes,
    pods: [
      existing('p-a1', 'node-a'),
      existing('p-a2', 'node-a', { foo: '' }, 'ns1'),
      existing('p-b1', 'node-b'),
      existing('p-y1', 'node-y', { foo: '' }, 'ns2'),
      existing('p-y2', 'node-y'),
    ],
    want: [{ zone1: 2, zone2: 1 }],
  },
  {
    name: 'normal case with two spreadConstraints',
    pod: incoming({ labels: { foo: '' }, constraints: [spread(1, 'zone', foo), spread(1, 'node', foo)] }),
    nodes: fourNodes,
    pods: sevenFoo,
    want: [
      { zone1: 3, zone2: 4 },
      { 'node-a': 2, 'node-b': 1, 'node-x': 0, 'node-y': 4 },
    ],
  },
  {
    name: 'soft spreadConstraints should be bypassed',
    pod: incoming({
      labels: { foo: '' },
      constraints: [spread(1, 'zone', foo, { soft: true }), spread(1, 'zone', foo), spread(1, 'node', foo, { soft: true }), spread(1, 'node', foo)],
    }),
    nodes: [n('node-a', { zone: 'zone1' }), n('node-b', { zone: 'zone1' }), n('node-y', { zone: 'zone2' })],
    pods: sevenFoo,
    want: [
      { zone1: 3, zone2: 4 },
      { 'node-a': 2, 'node-b': 1, 'node-y': 4 },
    ],
  },
  {
    name: 'different labelSelectors - simple version',
    pod: incoming({ labels: { foo: '', bar: '' }, constraints: [spread(1, 'zone', foo), spread(1, 'node', bar)] }),
    nodes: [n('node-a', { zone: 'zone1' }), n('node-b', { zone: 'zone1' }), n('node-y', { zone: 'zone2' })],
    pods: [existing('p-a', 'node-a'), existing('p-b', 'node-b', { bar: '' })],
    want: [
      { zone1: 1, zone2: 0 },
      { 'node-a': 0, 'node-b': 1, 'node-y': 0 },
    ],
  },
  {
    name: 'different labelSelectors - complex pods',
    pod: incoming({ labels: { foo: '', bar: '' }, constraints: [spread(1, 'zone', foo), spread(1, 'node', bar)] }),
    nodes: [n('node-a', { zone: 'zone1' }), n('node-b', { zone: 'zone1' }), n('node-y', { zone: 'zone2' })],
    pods: [
      existing('p-a1', 'node-a'),
      existing('p-a2', 'node-a', { foo: '', bar: '' }),
      existing('p-b1', 'node-b'),
      existing('p-y1', 'node-y'),
      existing('p-y2', 'node-y', { foo: '', bar: '' }),
      existing('p-y3', 'node-y'),
      existing('p-y4', 'node-y', { foo: '', bar: '' }),
    ],
    want: [
      { zone1: 3, zone2: 4 },
      { 'node-a': 1, 'node-b': 0, 'node-y': 2 },
    ],
  },
  {
    name: 'two spreadConstraints, and with podAffinity',
    pod: incoming({
      labels: { foo: '' },
      nodeAffinity: { key: 'node', operator: 'NotIn', values: ['node-x'] },
      constraints: [spread(1, 'zone', foo), spread(1, 'node', foo)],
    }),
    nodes: fourNodes,
    pods: sevenFoo,
    want: [
      { zone1: 3, zone2: 4 },
      { 'node-a': 2, 'node-b': 1, 'node-y': 4 },
    ],
  },
  {
    name: 'TpKeyToDomainsNum is calculated when MinDomains is enabled',
    pod: incoming({ labels: { foo: '' }, constraints: [spread(1, 'zone', foo), spread(1, 'node', foo)] }),
    nodes: fourNodes,
    pods: sevenFoo,
    want: [
      { zone1: 3, zone2: 4 },
      { 'node-a': 2, 'node-b': 1, 'node-x': 0, 'node-y': 4 },
    ],
  },
  {
    name: 'NodeAffinityPolicy honored with labelSelectors',
    pod: incoming({ labels: { foo: '' }, nodeSelector: { foo: '' }, constraints: [spread(1, 'node', bar)] }),
    nodes: policyNodes,
    pods: policyPods,
    want: [{ 'node-a': 1, 'node-b': 2 }],
  },
  {
    name: 'NodeAffinityPolicy ignored with labelSelectors',
    pod: incoming({ labels: { foo: '' }, nodeSelector: { foo: '' }, constraints: [spread(1, 'node', bar, { nodeAffinityPolicy: 'Ignore' })] }),
    nodes: policyNodes,
    pods: policyPods,
    want: [{ 'node-a': 1, 'node-b': 2, 'node-c': 0 }],
  },
  {
    name: 'NodeAffinityPolicy honored with nodeAffinity',
    pod: incoming({ labels: { foo: '' }, nodeAffinity: { key: 'foo', operator: 'In', values: [''] }, constraints: [spread(1, 'node', bar)] }),
    nodes: policyNodes,
    pods: [
      existing('p-a', 'node-a', { bar: '' }),
      existing('p-c', 'node-b', { bar: '' }),
      existing('p-d', 'node-b', { bar: '' }),
      existing('p-e', 'node-c', {}),
    ],
    want: [{ 'node-a': 1, 'node-b': 2 }],
  },
  {
    name: 'NodeAffinityPolicy ignored with nodeAffinity',
    pod: incoming({
      labels: { foo: '' },
      nodeAffinity: { key: 'foo', operator: 'In', values: [''] },
      constraints: [spread(1, 'node', bar, { nodeAffinityPolicy: 'Ignore' })],
    }),
    nodes: policyNodes,
    pods: policyPods,
    want: [{ 'node-a': 1, 'node-b': 2, 'node-c': 0 }],
  },
  {
    name: 'NodeTaintsPolicy ignored',
    pod: incoming({ labels: { foo: '' }, constraints: [spread(1, 'node', bar)] }),
    nodes: taintNodes,
    pods: policyPods,
    want: [{ 'node-a': 1, 'node-b': 2, 'node-c': 0 }],
  },
  {
    name: 'NodeTaintsPolicy honored',
    pod: incoming({ labels: { foo: '' }, constraints: [spread(1, 'node', bar, { nodeTaintsPolicy: 'Honor' })] }),
    nodes: taintNodes,
    pods: policyPods,
    want: [{ 'node-a': 1, 'node-b': 2 }],
  },
  {
    name: 'NodeTaintsPolicy honored with tolerated taints',
    // Upstream's Toleration(key): operator Exists, effect NoSchedule.
    pod: incoming({
      labels: { foo: '' },
      tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }],
      constraints: [spread(1, 'node', bar, { nodeTaintsPolicy: 'Honor' })],
    }),
    nodes: taintNodes,
    pods: policyPods,
    want: [{ 'node-a': 1, 'node-b': 2, 'node-c': 0 }],
  },
  {
    name: 'two node inclusion Constraints, zone: honor/ignore, node: ignore/ignore',
    pod: incoming({
      labels: { foo: '' },
      nodeSelector: { foo: '' },
      constraints: [spread(1, 'zone', foo), spread(1, 'node', foo, { nodeAffinityPolicy: 'Ignore' })],
    }),
    nodes: [n('node-a', { zone: 'zone1', foo: '' }), n('node-b', { zone: 'zone1' }), n('node-x', { zone: 'zone2', foo: '' })],
    pods: [existing('p-b1', 'node-b'), existing('p-b2', 'node-b'), existing('p-x1', 'node-x')],
    want: [
      { zone1: 0, zone2: 1 },
      { 'node-a': 0, 'node-b': 2, 'node-x': 1 },
    ],
  },
  {
    name: 'two node inclusion Constraints, zone: honor/honor, node: honor/ignore',
    pod: incoming({ labels: { foo: '' }, constraints: [spread(1, 'zone', foo, { nodeTaintsPolicy: 'Honor' }), spread(1, 'node', foo)] }),
    nodes: [n('node-a', { zone: 'zone1', foo: '' }), n('node-b', { zone: 'zone1' }, unschedulableTaint), n('node-x', { zone: 'zone2', foo: '' })],
    pods: [existing('p-b1', 'node-b'), existing('p-b2', 'node-b'), existing('p-x1', 'node-x')],
    want: [
      { zone1: 0, zone2: 1 },
      { 'node-a': 0, 'node-b': 2, 'node-x': 1 },
    ],
  },
  {
    name: 'two node inclusion Constraints, zone: honor/ignore, node: honor/ignore',
    pod: incoming({ labels: { foo: '' }, nodeSelector: { foo: '' }, constraints: [spread(1, 'zone', foo), spread(1, 'node', foo)] }),
    nodes: [
      n('node-a', { zone: 'zone1' }),
      n('node-b', { zone: 'zone1', foo: '' }, unschedulableTaint),
      n('node-x', { zone: 'zone2', foo: '' }),
      n('node-y', { zone: 'zone2' }),
    ],
    pods: [existing('p-a1', 'node-a'), existing('p-a2', 'node-a'), existing('p-x1', 'node-x'), existing('p-y1', 'node-y')],
    want: [
      { zone1: 0, zone2: 1 },
      { 'node-b': 0, 'node-x': 1 },
    ],
  },
  {
    name: 'two node inclusion Constraints, zone: ignore/ignore, node: honor/honor',
    pod: incoming({
      labels: { foo: '' },
      nodeSelector: { foo: '' },
      constraints: [spread(1, 'zone', foo, { nodeAffinityPolicy: 'Ignore' }), spread(1, 'node', foo, { nodeTaintsPolicy: 'Honor' })],
    }),
    nodes: [
      n('node-a', { zone: 'zone1' }),
      n('node-b', { zone: 'zone1', foo: '' }, unschedulableTaint),
      n('node-x', { zone: 'zone2', foo: '' }),
      n('node-y', { zone: 'zone2', foo: '' }),
    ],
    pods: [existing('p-a1', 'node-a'), existing('p-a2', 'node-a'), existing('p-x1', 'node-x'), existing('p-x2', 'node-x'), existing('p-y1', 'node-y')],
    want: [
      { zone1: 2, zone2: 3 },
      { 'node-x': 2, 'node-y': 1 },
    ],
  },
  {
    name: "matchLabelKeys ANDed with LabelSelector when LabelSelector isn't empty",
    pod: incoming({ labels: { foo: '', bar: 'a' }, constraints: [spread(1, 'zone', foo, { matchLabelKeys: ['bar'] })] }),
    nodes: fourNodes,
    pods: [
      existing('p-a1', 'node-a'),
      existing('p-a2', 'node-a', { foo: '', bar: 'a' }),
      existing('p-b1', 'node-b'),
      existing('p-y1', 'node-y', { foo: '', bar: 'a' }),
      existing('p-y2', 'node-y', { bar: '' }),
    ],
    want: [{ zone1: 1, zone2: 1 }],
  },
  {
    name: 'matchLabelKeys ANDed with LabelSelector when LabelSelector is empty',
    pod: incoming({ labels: { foo: 'a' }, constraints: [spread(1, 'zone', {}, { matchLabelKeys: ['foo'] })] }),
    nodes: fourNodes,
    pods: fiveFooA,
    want: [{ zone1: 3, zone2: 2 }],
  },
  {
    name: 'key in matchLabelKeys is ignored when LabelSelector is nil when feature gate enabled',
    pod: incoming({ labels: { foo: '' }, constraints: [spread(1, 'zone', null, { matchLabelKeys: ['bar'] })] }),
    nodes: fourNodes,
    pods: fiveFooA,
    want: [{ zone1: 0, zone2: 0 }],
  },
  {
    name: "key in matchLabelKeys is ignored when it isn't exist in pod.labels",
    pod: incoming({ labels: { foo: '' }, constraints: [spread(1, 'zone', foo, { matchLabelKeys: ['bar'] })] }),
    nodes: fourNodes,
    pods: fiveFooA,
    want: [{ zone1: 3, zone2: 2 }],
  },
  {
    name: 'two spreadConstraints with the same topologyKey',
    pod: incoming({ labels: { foo: '', bar: '' }, constraints: [spread(1, 'zone', foo), spread(1, 'zone', bar)] }),
    nodes: fourNodes,
    pods: [
      existing('p-a1', 'node-a', { foo: '', bar: '' }),
      existing('p-b1', 'node-b'),
      existing('p-x1', 'node-x', { bar: '' }),
      existing('p-y1', 'node-y', { foo: '', bar: '' }),
      existing('p-y2', 'node-y', { bar: '' }),
    ],
    want: [
      { zone1: 2, zone2: 1 },
      { zone1: 1, zone2: 3 },
    ],
  },
  {
    name: 'skip if not specified',
    pod: incoming({ labels: { foo: '' }, constraints: [] }),
    nodes: [n('node-a', { zone: 'zone1' })],
    want: [],
  },
]

function got(c: StateCase): Record<string, number>[] {
  const snapshot = c.nodes.map((nd) =>
    nodeInfoOf(
      nd,
      (c.pods ?? []).filter((p) => p.spec.nodeName === nd.metadata.name),
    ),
  )
  return spreadState(c.pod, snapshot)
    .filter((s) => s.constraint.whenUnsatisfiable === 'DoNotSchedule')
    .map((s) => Object.fromEntries(s.counts))
}

describe('kube-scheduler PodTopologySpread PreFilter conformance', () => {
  describe(`${FILE} ${TEST}`, () => {
    it('counts every upstream case: ported + not ported = the upstream total', () => {
      assert.equal(cases.length + notPorted.length, UPSTREAM_CASES)
      const names = [...cases.map((c) => c.name), ...notPorted.map((c) => c.name)]
      assert.equal(new Set(names).size, names.length, 'each upstream case once')
    })
    for (const c of cases) it(c.name, () => assert.deepEqual(got(c), c.want))
  })
  after(() => {
    const passing = cases.filter((c) => {
      try {
        assert.deepEqual(got(c), c.want)
        return true
      } catch {
        return false
      }
    })
    console.log('# PodTopologySpread (PreFilter state)')
    console.log(`${TEST} (${FILE}@${REF.slice(0, 12)}): upstream ${UPSTREAM_CASES}, ported ${cases.length}, passing ${passing.length}`)
    for (const c of cases) if (!passing.includes(c)) console.log(`  failing: ${c.name}`)
    for (const p of notPorted) console.log(`  not ported: ${p.name} — ${p.reason}`)
    recordFigures({
      project: 'kube-scheduler',
      twin: KUBERNETES_VERSION,
      area: 'PodTopologySpread (PreFilter state)',
      source: `kubernetes/kubernetes@${REF.slice(0, 12)} ${FILE} ${TEST}`,
      upstream: UPSTREAM_CASES,
      ported: cases.length,
      passing: passing.length,
      failing: cases.filter((c) => !passing.includes(c)).map((c) => ({ name: c.name })),
      notPorted,
    })
  })
})
