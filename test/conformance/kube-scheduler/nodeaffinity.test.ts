// kube-scheduler's NodeAffinity filter cases, from kubernetes/kubernetes
// pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go (TestNodeAffinity), as data,
// run against the twin's sandbox/cluster/scheduling/node-affinity.ts.

import { nodeAffinity } from '../../../sandbox/cluster/scheduling/node-affinity.ts'
import type { NodeSelectorRequirement, NodeSelectorTerm, Pod } from '../../../sandbox/k8s/types.ts'
import { node, pod } from './builders.ts'
import { conformance, FIT, reject, type FilterCase, type UpstreamTable } from './harness.ts'

const POD = "node(s) didn't match Pod's node affinity/selector"
const ADDED =
  'needs a scheduler framework feature the twin does not model: NodeAffinityArgs.addedAffinity (a scheduler profile argument; EKS runs the default profile)'

const expr = (key: string, operator: string, values?: string[]): NodeSelectorRequirement => (values ? { key, operator, values } : { key, operator })
const nameIn = (...values: string[]): NodeSelectorRequirement => ({ key: 'metadata.name', operator: 'In', values })

function required(terms: NodeSelectorTerm[], nodeSelector?: Record<string, string>): Pod {
  return pod({ spec: { nodeSelector, affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } } })
}

/** One node, named `nodeName` ('' when upstream leaves it unset), with `labels`. */
function c(name: string, p: Pod, labels: Record<string, string> | undefined, fits: boolean, nodeName = ''): FilterCase {
  return { name, pod: p, nodes: [node(nodeName, labels)], want: { [nodeName]: fits ? FIT : reject(POD) } }
}

const GPU_NOT_AMD = [expr('GPU', 'Exists'), expr('GPU', 'NotIn', ['AMD', 'INTER'])]

const table: UpstreamTable = {
  file: 'pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go',
  ref: '17bae91f207a5f2b101e581c90f7a72fc9adef96',
  test: 'TestNodeAffinity',
  upstreamCases: 31,
  notPorted: [
    { name: "Matches added affinity and Pod's node affinity", reason: ADDED },
    { name: "Matches added affinity but not Pod's node affinity", reason: ADDED },
    { name: "Doesn't match added affinity", reason: ADDED },
  ],
  cases: [
    c('missing labels', pod({ spec: { nodeSelector: { foo: 'bar' } } }), undefined, false),
    c('same labels', pod({ spec: { nodeSelector: { foo: 'bar' } } }), { foo: 'bar' }, true),
    c('node labels are superset', pod({ spec: { nodeSelector: { foo: 'bar' } } }), { foo: 'bar', baz: 'blah' }, true),
    c('node labels are subset', pod({ spec: { nodeSelector: { foo: 'bar', baz: 'blah' } } }), { foo: 'bar' }, false),
    c(
      'Pod with matchExpressions using In operator that matches the existing node',
      required([{ matchExpressions: [expr('foo', 'In', ['bar', 'value2'])] }]),
      { foo: 'bar' },
      true,
    ),
    c(
      'Pod with matchExpressions using Gt operator that matches the existing node',
      required([{ matchExpressions: [expr('kernel-version', 'Gt', ['0204'])] }]),
      { 'kernel-version': '0206' },
      true,
    ),
    c(
      'Pod with matchExpressions using NotIn operator that matches the existing node',
      required([{ matchExpressions: [expr('mem-type', 'NotIn', ['DDR', 'DDR2'])] }]),
      { 'mem-type': 'DDR3' },
      true,
    ),
    c(
      'Pod with matchExpressions using Exists operator that matches the existing node',
      required([{ matchExpressions: [expr('GPU', 'Exists')] }]),
      { GPU: 'NVIDIA-GRID-K1' },
      true,
    ),
    c(
      "Pod with affinity that don't match node's labels won't schedule onto the node",
      required([{ matchExpressions: [expr('foo', 'In', ['value1', 'value2'])] }]),
      { foo: 'bar' },
      false,
    ),
    c(
      "Pod with empty MatchExpressions is not a valid value will match no objects and won't schedule onto the node",
      required([{ matchExpressions: [] }]),
      { foo: 'bar' },
      false,
    ),
    c('Pod with no Affinity will schedule onto a node', pod(), { foo: 'bar' }, true),
    c(
      'Pod with Affinity but nil NodeSelector will schedule onto a node',
      pod({ spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: null } } } }),
      { foo: 'bar' },
      true,
    ),
    c(
      'Pod with multiple matchExpressions ANDed that matches the existing node',
      required([{ matchExpressions: GPU_NOT_AMD }]),
      { GPU: 'NVIDIA-GRID-K1' },
      true,
    ),
    c(
      "Pod with multiple matchExpressions ANDed that doesn't match the existing node",
      required([{ matchExpressions: [expr('GPU', 'Exists'), expr('GPU', 'In', ['AMD', 'INTER'])] }]),
      { GPU: 'NVIDIA-GRID-K1' },
      false,
    ),
    c(
      "Pod with multiple NodeSelectorTerms ORed in affinity, matches the node's labels and will schedule onto the node",
      required([{ matchExpressions: [expr('foo', 'In', ['bar', 'value2'])] }, { matchExpressions: [expr('diffkey', 'In', ['wrong', 'value2'])] }]),
      { foo: 'bar' },
      true,
    ),
    c(
      'Pod with an Affinity and a PodSpec.NodeSelector(the old thing that we are deprecating) both are satisfied, will schedule onto the node',
      required([{ matchExpressions: [expr('foo', 'Exists')] }], { foo: 'bar' }),
      { foo: 'bar' },
      true,
    ),
    c(
      "Pod with an Affinity matches node's labels but the PodSpec.NodeSelector(the old thing that we are deprecating) is not satisfied, won't schedule onto the node",
      required([{ matchExpressions: [expr('foo', 'Exists')] }], { foo: 'bar' }),
      { foo: 'barrrrrr' },
      false,
    ),
    c(
      "Pod with an invalid value in Affinity term won't be scheduled onto the node",
      required([{ matchExpressions: [expr('foo', 'NotIn', ['invalid value: ___@#$%^'])] }]),
      { foo: 'bar' },
      false,
    ),
    c('Pod with matchFields using In operator that matches the existing node', required([{ matchFields: [nameIn('node1')] }]), undefined, true, 'node1'),
    c(
      'Pod with matchFields using In operator that does not match the existing node',
      required([{ matchFields: [nameIn('node1')] }]),
      undefined,
      false,
      'node2',
    ),
    c(
      'Pod with two terms: matchFields does not match, but matchExpressions matches',
      required([{ matchFields: [nameIn('node1')] }, { matchExpressions: [expr('foo', 'In', ['bar'])] }]),
      { foo: 'bar' },
      true,
      'node2',
    ),
    c(
      'Pod with one term: matchFields does not match, but matchExpressions matches',
      required([{ matchFields: [nameIn('node1')], matchExpressions: [expr('foo', 'In', ['bar'])] }]),
      { foo: 'bar' },
      false,
      'node2',
    ),
    c(
      'Pod with one term: both matchFields and matchExpressions match',
      required([{ matchFields: [nameIn('node1')], matchExpressions: [expr('foo', 'In', ['bar'])] }]),
      { foo: 'bar' },
      true,
      'node1',
    ),
    c(
      'Pod with two terms: both matchFields and matchExpressions do not match',
      required([{ matchFields: [nameIn('node1')] }, { matchExpressions: [expr('foo', 'In', ['not-match-to-bar'])] }]),
      { foo: 'bar' },
      false,
      'node2',
    ),
    c('Pod with two terms of node.Name affinity', required([{ matchFields: [nameIn('node1')] }, { matchFields: [nameIn('node2')] }]), undefined, true, 'node2'),
    c('Pod with two conflicting mach field requirements', required([{ matchFields: [nameIn('node1'), nameIn('node2')] }]), { foo: 'bar' }, false, 'node2'),
    c('Matches node selector correctly even if PreFilter is not called', pod({ spec: { nodeSelector: { foo: 'bar' } } }), { foo: 'bar', baz: 'blah' }, true),
    c('Matches node affinity correctly even if PreFilter is not called', required([{ matchExpressions: GPU_NOT_AMD }]), { GPU: 'NVIDIA-GRID-K1' }, true),
  ],
}

conformance('NodeAffinity', (p, info) => nodeAffinity(p, info.node), [table])
