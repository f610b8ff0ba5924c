// kube-scheduler's NodeUnschedulable filter cases, from kubernetes/kubernetes
// pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable_test.go, as data, run
// against the twin's sandbox/cluster/scheduling/node-unschedulable.ts.

import { nodeUnschedulable } from '../../../sandbox/cluster/scheduling/node-unschedulable.ts'
import { node, pod } from './builders.ts'
import { conformance, FIT, reject, type UpstreamTable } from './harness.ts'

const UNSCHEDULABLE = 'node(s) were unschedulable'

const table: UpstreamTable = {
  file: 'pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable_test.go',
  ref: 'b574b11f6b28f06e17333bb110e9374db3259bad',
  test: 'TestNodeUnschedulable',
  upstreamCases: 3,
  notPorted: [],
  cases: [
    {
      name: 'Does not schedule pod to unschedulable node (node.Spec.Unschedulable==true)',
      pod: pod(),
      nodes: [node('n', {}, { unschedulable: true })],
      want: { n: reject(UNSCHEDULABLE) },
    },
    {
      name: 'Schedule pod to normal node',
      pod: pod(),
      nodes: [node('n', {}, { unschedulable: false })],
      want: { n: FIT },
    },
    {
      name: 'Schedule pod with toleration to unschedulable node (node.Spec.Unschedulable==true)',
      pod: pod({ tolerations: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }),
      nodes: [node('n', {}, { unschedulable: true })],
      want: { n: FIT },
    },
  ],
}

conformance('NodeUnschedulable', (p, info) => nodeUnschedulable(p, info.node), [table])
