// kube-scheduler's TaintToleration filter cases, from kubernetes/kubernetes
// pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go (TestTaintTolerationFilter),
// as data, run against the twin's sandbox/cluster/scheduling/taint-toleration.ts.

import { taintToleration } from '../../../sandbox/cluster/scheduling/taint-toleration.ts'
import type { Taint, Toleration } from '../../../sandbox/k8s/types.ts'
import { node, pod } from './builders.ts'
import { conformance, FIT, reject, type UpstreamTable } from './harness.ts'

function c(name: string, tolerations: Toleration[], taints: Taint[], untolerated?: string) {
  return {
    name,
    pod: pod({ name: 'pod1', tolerations }),
    nodes: [node('nodeA', {}, { taints })],
    want: { nodeA: untolerated ? reject(`node(s) had untolerated taint {${untolerated}}`) : FIT },
  }
}

const table: UpstreamTable = {
  file: 'pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go',
  ref: 'cb6ff2d8ce3595f88570f82c7d0e6d98910afd3c',
  test: 'TestTaintTolerationFilter',
  upstreamCases: 9,
  notPorted: [],
  cases: [
    c(
      "A pod having no tolerations can't be scheduled onto a node with nonempty taints",
      [],
      [{ key: 'dedicated', value: 'user1', effect: 'NoSchedule' }],
      'dedicated: user1',
    ),
    c(
      'A pod which can be scheduled on a dedicated node assigned to user1 with effect NoSchedule',
      [{ key: 'dedicated', value: 'user1', effect: 'NoSchedule' }],
      [{ key: 'dedicated', value: 'user1', effect: 'NoSchedule' }],
    ),
    c(
      "A pod which can't be scheduled on a dedicated node assigned to user2 with effect NoSchedule",
      [{ key: 'dedicated', operator: 'Equal', value: 'user2', effect: 'NoSchedule' }],
      [{ key: 'dedicated', value: 'user1', effect: 'NoSchedule' }],
      'dedicated: user1',
    ),
    c(
      'A pod can be scheduled onto the node, with a toleration uses operator Exists that tolerates the taints on the node',
      [{ key: 'foo', operator: 'Exists', effect: 'NoSchedule' }],
      [{ key: 'foo', value: 'bar', effect: 'NoSchedule' }],
    ),
    c(
      'A pod has multiple tolerations, node has multiple taints, all the taints are tolerated, pod can be scheduled onto the node',
      [
        { key: 'dedicated', operator: 'Equal', value: 'user2', effect: 'NoSchedule' },
        { key: 'foo', operator: 'Exists', effect: 'NoSchedule' },
      ],
      [
        { key: 'dedicated', value: 'user2', effect: 'NoSchedule' },
        { key: 'foo', value: 'bar', effect: 'NoSchedule' },
      ],
    ),
    c(
      "A pod has a toleration that keys and values match the taint on the node, but (non-empty) effect doesn't match, can't be scheduled onto the node",
      [{ key: 'foo', operator: 'Equal', value: 'bar', effect: 'PreferNoSchedule' }],
      [{ key: 'foo', value: 'bar', effect: 'NoSchedule' }],
      'foo: bar',
    ),
    c(
      'The pod has a toleration that keys and values match the taint on the node, the effect of toleration is empty, and the effect of taint is NoSchedule. Pod can be scheduled onto the node',
      [{ key: 'foo', operator: 'Equal', value: 'bar' }],
      [{ key: 'foo', value: 'bar', effect: 'NoSchedule' }],
    ),
    c(
      "The pod has a toleration that key and value don't match the taint on the node, but the effect of taint on node is PreferNoSchedule. Pod can be scheduled onto the node",
      [{ key: 'dedicated', operator: 'Equal', value: 'user2', effect: 'NoSchedule' }],
      [{ key: 'dedicated', value: 'user1', effect: 'PreferNoSchedule' }],
    ),
    c(
      'The pod has no toleration, but the effect of taint on node is PreferNoSchedule. Pod can be scheduled onto the node',
      [],
      [{ key: 'dedicated', value: 'user1', effect: 'PreferNoSchedule' }],
    ),
  ],
}

conformance('TaintToleration', (p, info) => taintToleration(p, info.node), [table])
