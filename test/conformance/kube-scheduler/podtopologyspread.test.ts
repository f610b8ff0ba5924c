// kube-scheduler's PodTopologySpread filter cases, from kubernetes/kubernetes
// pkg/scheduler/framework/plugins/podtopologyspread/filtering_test.go (TestSingleConstraint,
// TestMultipleConstraints), as data, run against the twin's
// sandbox/cluster/scheduling/pod-topology-spread.ts (its PreFilter over all the nodes, then its
// Filter per node). Upstream checks the status code per node: Success, Unschedulable (the skew)
// or UnschedulableAndUnresolvable (the node lacks the topology key).

import { podTopologySpread, spreadState } from '../../../sandbox/cluster/scheduling/pod-topology-spread.ts'
import type { LabelSelector, Node, Pod, Taint, TopologySpreadConstraint } from '../../../sandbox/k8s/types.ts'
import { node, pod, selector } from './builders.ts'
import { conformance, FIT, reject, type FilterCase, type UpstreamTable, type Want } from './harness.ts'

const FILE = 'pkg/scheduler/framework/plugins/podtopologyspread/filtering_test.go'
const REF = '01c2588bf4a3eb6bb3524b1e2bd60efb38a4b577'
const SKEW = "node(s) didn't match pod topology spread constraints"
const MISSING_LABEL = `${SKEW} (missing required label)`

const foo = selector(['foo', 'Exists'])
const bar = selector(['bar', 'Exists'])
const unschedulableTaint: Taint[] = [{ key: 'node.kubernetes.io/unschedulable', value: '', effect: 'NoSchedule' }]

interface Options {
  minDomains?: number
  nodeAffinityPolicy?: 'Honor' | 'Ignore'
  nodeTaintsPolicy?: 'Honor' | 'Ignore'
}

/** A DoNotSchedule constraint, as upstream's SpreadConstraint(maxSkew, key, DoNotSchedule, selector, …) builds it. */
function hard(maxSkew: number, topologyKey: string, labelSelector: LabelSelector | null, o: Options = {}): TopologySpreadConstraint {
  return { maxSkew, topologyKey, whenUnsatisfiable: 'DoNotSchedule', labelSelector, ...o }
}

interface Incoming {
  labels: Record<string, string>
  constraints: TopologySpreadConstraint[]
  nodeSelector?: Record<string, string>
  nodeAffinity?: { key: string; operator: string; values: string[] }
}

function incoming({ labels, constraints, nodeSelector, nodeAffinity }: Incoming): Pod {
  return pod({
    name: 'p',
    labels,
    spec: {
      topologySpreadConstraints: constraints,
      ...(nodeSelector && { nodeSelector }),
      ...(nodeAffinity && {
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [nodeAffinity] }] } } },
      }),
    },
  })
}

/** An existing pod: name, node, labels (given as keys with empty values), and namespace. */
function existing(name: string, onNode: string, labels: string[] = ['foo'], namespace?: string): Pod {
  return pod({ name, node: onNode, namespace, labels: Object.fromEntries(labels.map((l) => [l, ''])) })
}

/** A node with a `node` label of its own name and the given labels. */
function n(name: string, labels: Record<string, string> = {}, taints?: Taint[]): Node {
  return node(name, { ...labels, node: name }, taints ? { taints } : {})
}

/** The four nodes most cases use: node-a and node-b in zone1, node-x and node-y in zone2. */
const fourNodes = [n('node-a', { zone: 'zone1' }), n('node-b', { zone: 'zone1' }), n('node-x', { zone: 'zone2' }), n('node-y', { zone: 'zone2' })]

type Code = 'Success' | 'Unschedulable' | 'UnschedulableAndUnresolvable'
const S: Code = 'Success'
const U: Code = 'Unschedulable'
const UU: Code = 'UnschedulableAndUnresolvable'

function want(codes: Record<string, Code>): Record<string, Want> {
  return Object.fromEntries(Object.entries(codes).map(([k, c]) => [k, c === S ? FIT : reject(c === U ? SKEW : MISSING_LABEL)]))
}

function c(name: string, p: Pod, nodes: Node[], pods: Pod[], codes: Record<string, Code>): FilterCase {
  return { name, pod: p, nodes, pods, want: want(codes) }
}

const spread2103 = [
  existing('p-a1', 'node-a'),
  existing('p-a2', 'node-a'),
  existing('p-b1', 'node-b'),
  existing('p-y1', 'node-y'),
  existing('p-y2', 'node-y'),
  existing('p-y3', 'node-y'),
]
const policyNodes = [n('node-a', { foo: '' }), n('node-b', { foo: '' }), n('node-x', { foo: '' }), n('node-y')]
const policyPods = [existing('p-b1', 'node-a'), existing('p-b2', 'node-b'), existing('p-y1', 'node-y')]
const taintNodes = [n('node-a', { foo: '' }), n('node-b', { foo: '' }), n('node-x', { foo: '' }), n('node-y', {}, unschedulableTaint)]

const single: UpstreamTable = {
  file: FILE,
  ref: REF,
  test: 'TestSingleConstraint',
  upstreamCases: 23,
  notPorted: [],
  cases: [
    c('no existing pods', incoming({ labels: { foo: '' }, constraints: [hard(1, 'zone', foo)] }), fourNodes, [], {
      'node-a': S,
      'node-b': S,
      'node-x': S,
      'node-y': S,
    }),
    c("no existing pods, incoming pod doesn't match itself", incoming({ labels: { foo: '' }, constraints: [hard(1, 'zone', bar)] }), fourNodes, [], {
      'node-a': S,
      'node-b': S,
      'node-x': S,
      'node-y': S,
    }),
    c(
      'existing pods in a different namespace do not count',
      incoming({ labels: { foo: '' }, constraints: [hard(1, 'zone', foo)] }),
      fourNodes,
      [existing('p-a1', 'node-a', ['foo'], 'ns1'), existing('p-b1', 'node-a', ['foo'], 'ns2'), existing('p-x1', 'node-x'), existing('p-y1', 'node-y')],
      { 'node-a': S, 'node-b': S, 'node-x': U, 'node-y': U },
    ),
    c(
      'existing pods do not match null selector',
      incoming({ labels: { foo: '' }, constraints: [hard(1, 'zone', null)] }),
      fourNodes,
      [existing('p-x1', 'node-x'), existing('p-y1', 'node-y')],
      { 'node-a': S, 'node-b': S, 'node-x': S, 'node-y': S },
    ),
    c('pods spread across zones as 3/3, all nodes fit', incoming({ labels: { foo: '' }, constraints: [hard(1, 'zone', foo)] }), fourNodes, spread2103, {
      'node-a': S,
      'node-b': S,
      'node-x': S,
      'node-y': S,
    }),
    c(
      "pods spread across zones as 1/2 due to absence of label 'zone' on node-b",
      incoming({ labels: { foo: '' }, constraints: [hard(1, 'zone', foo)] }),
      [n('node-a', { zone: 'zone1' }), n('node-b', { zon: 'zone1' }), n('node-x', { zone: 'zone2' }), n('node-y', { zone: 'zone2' })],
      [existing('p-a1', 'node-a'), existing('p-b1', 'node-b'), existing('p-x1', 'node-x'), existing('p-y1', 'node-y')],
      { 'node-a': S, 'node-b': UU, 'node-x': U, 'node-y': U },
    ),
    c(
      "pod cannot be scheduled as all nodes don't have label 'rack'",
      incoming({ labels: { foo: '' }, constraints: [hard(1, 'rack', foo)] }),
      [n('node-a', { zone: 'zone1' }), n('node-x', { zone: 'zone2' })],
      [],
      { 'node-a': UU, 'node-x': UU },
    ),
    c('pods spread across nodes as 2/1/0/3, only node-x fits', incoming({ labels: { foo: '' }, constraints: [hard(1, 'node', foo)] }), fourNodes, spread2103, {
      'node-a': U,
      'node-b': U,
      'node-x': S,
      'node-y': U,
    }),
    c(
      'pods spread across nodes as 2/1/0/3, maxSkew is 2, node-b and node-x fit',
      incoming({ labels: { foo: '' }, constraints: [hard(2, 'node', foo)] }),
      fourNodes,
      spread2103,
      { 'node-a': U, 'node-b': S, 'node-x': S, 'node-y': U },
    ),
    c(
      "pods spread across nodes as 2/1/0/3, but pod doesn't match itself",
      incoming({ labels: { bar: '' }, constraints: [hard(1, 'node', foo)] }),
      fourNodes,
      spread2103,
      { 'node-a': U, 'node-b': S, 'node-x': S, 'node-y': U },
    ),
    c(
      'incoming pod has nodeAffinity, pods spread as 2/~1~/~0~/3, hence node-a fits',
      incoming({ labels: { foo: '' }, constraints: [hard(1, 'node', foo)], nodeAffinity: { key: 'node', operator: 'In', values: ['node-a', 'node-y'] } }),
      fourNodes,
      spread2103,
      { 'node-a': S, 'node-b': S, 'node-x': S, 'node-y': U },
    ),
    {
      ...c(
        'terminating Pods should be excluded',
        incoming({ labels: { foo: '' }, constraints: [hard(1, 'node', foo)] }),
        [n('node-a'), n('node-b')],
        [existing('p-a', 'node-a'), existing('p-b', 'node-b')],
        { 'node-a': S, 'node-b': U },
      ),
      // p-a is terminating (upstream's Terminating(): a deletionTimestamp).
      pods: [
        { ...existing('p-a', 'node-a'), metadata: { ...existing('p-a', 'node-a').metadata, deletionTimestamp: '2024-01-01T00:00:00Z' } },
        existing('p-b', 'node-b'),
      ],
    },
    c(
      'incoming pod has nodeAffinity, pods spread as 0/~2~/0/1, hence node-a fits',
      incoming({ labels: { foo: '' }, constraints: [hard(1, 'zone', foo)], nodeAffinity: { key: 'node', operator: 'NotIn', values: ['node-b'] } }),
      fourNodes,
      [existing('p-b1', 'node-b'), existing('p-b2', 'node-b'), existing('p-y1', 'node-y')],
      { 'node-a': S, 'node-b': S, 'node-x': U, 'node-y': U },
    ),
    c(
      'pods spread across nodes as 2/2/1, maxSkew is 2, and the number of domains < minDomains, then the third node fits',
      incoming({ labels: { foo: '' }, constraints: [hard(2, 'node', foo, { minDomains: 4 })] }),
      [n('node-a'), n('node-b'), n('node-c')],
      [existing('p-a1', 'node-a'), existing('p-a2', 'node-a'), existing('p-b1', 'node-b'), existing('p-b2', 'node-b'), existing('p-c1', 'node-c')],
      { 'node-a': U, 'node-b': U, 'node-c': S },
    ),
    c(
      'pods spread across nodes as 2/2/1, maxSkew is 2, and the number of domains > minDomains, then the all nodes fit',
      incoming({ labels: { foo: '' }, constraints: [hard(2, 'node', foo, { minDomains: 2 })] }),
      [n('node-a'), n('node-b'), n('node-c')],
      [existing('p-a1', 'node-a'), existing('p-a2', 'node-a'), existing('p-b1', 'node-b'), existing('p-b2', 'node-b'), existing('p-c1', 'node-c')],
      { 'node-a': S, 'node-b': S, 'node-c': S },
    ),
    c(
      'pods spread across zone as 2/1, maxSkew is 2 and the number of domains < minDomains, then the third and fourth nodes fit',
      incoming({ labels: { foo: '' }, constraints: [hard(2, 'zone', foo, { minDomains: 3 })] }),
      fourNodes,
      [existing('p-b1', 'node-a'), existing('p-b2', 'node-b'), existing('p-y1', 'node-y')],
      { 'node-a': U, 'node-b': U, 'node-x': S, 'node-y': S },
    ),
    c(
      'pods spread across zone as 2/1, maxSkew is 2 and the number of domains > minDomains, then the all nodes fit',
      incoming({ labels: { foo: '' }, constraints: [hard(2, 'zone', foo, { minDomains: 1 })] }),
      fourNodes,
      [existing('p-b1', 'node-a'), existing('p-b2', 'node-b'), existing('p-y1', 'node-y')],
      { 'node-a': S, 'node-b': S, 'node-x': S, 'node-y': S },
    ),
    c(
      'NodeAffinityPolicy honored with labelSelectors',
      incoming({ labels: { foo: '' }, nodeSelector: { foo: '' }, constraints: [hard(1, 'node', foo)] }),
      policyNodes,
      policyPods,
      { 'node-a': U, 'node-b': U, 'node-x': S, 'node-y': S },
    ),
    c(
      'NodeAffinityPolicy ignored with labelSelectors',
      incoming({ labels: { foo: '' }, nodeSelector: { foo: '' }, constraints: [hard(1, 'node', foo, { nodeAffinityPolicy: 'Ignore' })] }),
      policyNodes,
      policyPods,
      { 'node-a': U, 'node-b': U, 'node-x': S, 'node-y': U },
    ),
    c(
      'NodeAffinityPolicy honored with nodeAffinity',
      incoming({ labels: { foo: '' }, nodeAffinity: { key: 'foo', operator: 'In', values: [''] }, constraints: [hard(1, 'node', foo)] }),
      policyNodes,
      policyPods,
      { 'node-a': U, 'node-b': U, 'node-x': S, 'node-y': S },
    ),
    // Upstream has two cases of this name; this is the second, with nodeAffinity instead of nodeSelector.
    c(
      'NodeAffinityPolicy ignored with labelSelectors [the second case of this name upstream: with nodeAffinity]',
      incoming({
        labels: { foo: '' },
        nodeAffinity: { key: 'foo', operator: 'In', values: [''] },
        constraints: [hard(1, 'node', foo, { nodeAffinityPolicy: 'Ignore' })],
      }),
      policyNodes,
      policyPods,
      { 'node-a': U, 'node-b': U, 'node-x': S, 'node-y': U },
    ),
    c(
      'NodeTaintsPolicy honored',
      incoming({ labels: { foo: '' }, constraints: [hard(1, 'node', foo, { nodeTaintsPolicy: 'Honor' })] }),
      taintNodes,
      policyPods,
      { 'node-a': U, 'node-b': U, 'node-x': S, 'node-y': S },
    ),
    c('NodeTaintsPolicy ignored', incoming({ labels: { foo: '' }, constraints: [hard(1, 'node', foo)] }), taintNodes, policyPods, {
      'node-a': U,
      'node-b': U,
      'node-x': S,
      'node-y': U,
    }),
  ],
}

const zoneAndNode = (selectors: [LabelSelector, LabelSelector] = [foo, foo]) => [hard(1, 'zone', selectors[0]), hard(1, 'node', selectors[1])]

const multiple: UpstreamTable = {
  file: FILE,
  ref: REF,
  test: 'TestMultipleConstraints',
  upstreamCases: 13,
  notPorted: [],
  cases: [
    c('two Constraints on zone and node, spreads = [3/3, 2/1/0/3]', incoming({ labels: { foo: '' }, constraints: zoneAndNode() }), fourNodes, spread2103, {
      'node-a': U,
      'node-b': U,
      'node-x': S,
      'node-y': U,
    }),
    c(
      'two Constraints on zone and node, spreads = [3/4, 2/1/0/4]',
      incoming({ labels: { foo: '' }, constraints: zoneAndNode() }),
      fourNodes,
      [...spread2103, existing('p-y4', 'node-y')],
      { 'node-a': U, 'node-b': U, 'node-x': U, 'node-y': U },
    ),
    c(
      'Constraints hold different labelSelectors, spreads = [1/0, 1/0/0/1]',
      incoming({ labels: { foo: '', bar: '' }, constraints: zoneAndNode([foo, bar]) }),
      fourNodes,
      [existing('p-a1', 'node-a'), existing('p-y1', 'node-y', ['bar'])],
      { 'node-a': U, 'node-b': U, 'node-x': S, 'node-y': U },
    ),
    c(
      'Constraints hold different labelSelectors, spreads = [1/0, 0/0/1/1]',
      incoming({ labels: { foo: '', bar: '' }, constraints: zoneAndNode([foo, bar]) }),
      fourNodes,
      [existing('p-a1', 'node-a'), existing('p-x1', 'node-x', ['bar']), existing('p-y1', 'node-y', ['bar'])],
      { 'node-a': U, 'node-b': U, 'node-x': U, 'node-y': U },
    ),
    c(
      'Constraints hold different labelSelectors, spreads = [2/3, 1/0/0/1]',
      incoming({ labels: { foo: '', bar: '' }, constraints: zoneAndNode([foo, bar]) }),
      fourNodes,
      [
        existing('p-a1', 'node-a'),
        existing('p-a2', 'node-a', ['foo', 'bar']),
        existing('p-y1', 'node-y'),
        existing('p-y2', 'node-y', ['foo', 'bar']),
        existing('p-y3', 'node-y'),
      ],
      { 'node-a': U, 'node-b': S, 'node-x': U, 'node-y': U },
    ),
    c(
      "Constraints hold different labelSelectors but pod doesn't match itself on 'zone' constraint",
      incoming({ labels: { bar: '' }, constraints: zoneAndNode([foo, bar]) }),
      fourNodes,
      [existing('p-a1', 'node-a'), existing('p-x1', 'node-x', ['bar']), existing('p-y1', 'node-y', ['bar'])],
      { 'node-a': S, 'node-b': S, 'node-x': U, 'node-y': U },
    ),
    c(
      "two Constraints on zone and node, absence of label 'node' on node-x, spreads = [1/1, 1/0/0/1]",
      incoming({ labels: { foo: '' }, constraints: zoneAndNode() }),
      [n('node-a', { zone: 'zone1' }), n('node-b', { zone: 'zone1' }), node('node-x', { zone: 'zone2' }), n('node-y', { zone: 'zone2' })],
      [existing('p-a1', 'node-a'), existing('p-y3', 'node-y')],
      { 'node-a': U, 'node-b': S, 'node-x': UU, 'node-y': U },
    ),
    c(
      'two node inclusion Constraints, zone: honor/ignore, node: ignore/ignore',
      incoming({ labels: { foo: '' }, nodeSelector: { foo: '' }, constraints: [hard(1, 'zone', foo), hard(1, 'node', foo, { nodeAffinityPolicy: 'Ignore' })] }),
      [
        n('node-a', { zone: 'zone1', foo: '' }),
        n('node-b', { zone: 'zone1', foo: '' }),
        n('node-x', { zone: 'zone2', foo: '' }),
        n('node-y', { zone: 'zone2' }),
      ],
      [existing('p-a1', 'node-a'), existing('p-b1', 'node-b'), existing('p-y1', 'node-y')],
      { 'node-a': U, 'node-b': U, 'node-x': S, 'node-y': U },
    ),
    c(
      'two node inclusion Constraints, zone: honor/honor, node: honor/ignore',
      incoming({ labels: { foo: '' }, constraints: [hard(1, 'zone', foo, { nodeTaintsPolicy: 'Honor' }), hard(1, 'node', foo)] }),
      [
        n('node-a', { zone: 'zone1', foo: '' }),
        n('node-b', { zone: 'zone1', foo: '' }),
        n('node-x', { zone: 'zone2', foo: '' }),
        n('node-y', { zone: 'zone2' }, unschedulableTaint),
      ],
      [existing('p-a1', 'node-a'), existing('p-b1', 'node-b'), existing('p-y1', 'node-y')],
      { 'node-a': U, 'node-b': U, 'node-x': S, 'node-y': U },
    ),
    c(
      'two node inclusion Constraints, zone: honor/ignore, node: honor/ignore',
      incoming({ labels: { foo: '' }, nodeSelector: { foo: '' }, constraints: zoneAndNode() }),
      [
        n('node-a', { zone: 'zone1', foo: '' }),
        n('node-b', { zone: 'zone1' }),
        n('node-x', { zone: 'zone2', foo: '' }),
        n('node-y', { zone: 'zone2', foo: '' }, unschedulableTaint),
      ],
      [existing('p-a1', 'node-a'), existing('p-b1', 'node-b'), existing('p-y1', 'node-y')],
      { 'node-a': U, 'node-b': S, 'node-x': S, 'node-y': U },
    ),
    c(
      'two node inclusion Constraints, zone: honor/honor, node: ignore/ignore',
      incoming({
        labels: { foo: '' },
        nodeSelector: { foo: '' },
        constraints: [hard(1, 'zone', foo, { nodeTaintsPolicy: 'Honor' }), hard(1, 'node', foo, { nodeAffinityPolicy: 'Ignore' })],
      }),
      [
        n('node-a', { zone: 'zone1', foo: '' }),
        n('node-b', { zone: 'zone1' }),
        n('node-x', { zone: 'zone2', foo: '' }),
        n('node-y', { zone: 'zone2', foo: '' }, unschedulableTaint),
      ],
      [existing('p-a1', 'node-a'), existing('p-b1', 'node-b'), existing('p-y1', 'node-y')],
      { 'node-a': U, 'node-b': U, 'node-x': S, 'node-y': U },
    ),
    c(
      'two Constraints on zone, spreads = [3/3, 2/1]',
      incoming({ labels: { foo: '', bar: '' }, constraints: [hard(1, 'zone', bar), hard(1, 'zone', foo)] }),
      fourNodes,
      [
        existing('p-a1', 'node-a', ['foo', 'bar']),
        existing('p-a2', 'node-a'),
        existing('p-b1', 'node-b', ['foo', 'bar']),
        existing('p-y1', 'node-y'),
        existing('p-y2', 'node-y', ['foo', 'bar']),
        existing('p-y3', 'node-y'),
      ],
      { 'node-a': U, 'node-b': U, 'node-x': S, 'node-y': S },
    ),
    c(
      'two Constraints on zone, spreads = [3/4, 2/1]',
      incoming({ labels: { foo: '', bar: '' }, constraints: [hard(1, 'zone', bar), hard(1, 'zone', foo)] }),
      fourNodes,
      [
        existing('p-a1', 'node-a', ['foo', 'bar']),
        existing('p-a2', 'node-a'),
        existing('p-b1', 'node-b', ['foo', 'bar']),
        existing('p-y1', 'node-y'),
        existing('p-y2', 'node-y', ['foo', 'bar']),
        existing('p-y3', 'node-y'),
        existing('p-y4', 'node-y'),
      ],
      { 'node-a': U, 'node-b': U, 'node-x': U, 'node-y': U },
    ),
  ],
}

conformance('PodTopologySpread', (p, info, all) => podTopologySpread(info, spreadState(p, all)), [single, multiple])
