// What the v1.9.2 suites' object builders share (kubernetes-sigs/karpenter@v1.9.1 pkg/test): the
// karpenter.sh/v1 NodePool shell their `test.NodePool`s fill (scheduling-suite-builders.ts,
// scheduling-topology-builders.ts, disruption-builders.ts; each keeps its own suite's defaults) and
// the fake cloud provider's NodeClass reference.

import type { NodePoolV1 } from '../../../../sandbox/karpenter/v1/api.ts'

/** A karpenter.sh/v1 NodePool with exactly the fields given. */
export function nodePoolV1(fields: Omit<NodePoolV1, 'apiVersion' | 'kind'>): NodePoolV1 {
  return { apiVersion: 'karpenter.sh/v1', kind: 'NodePool', ...fields }
}

/** The fake cloud provider's `TestNodeClass` reference (a fresh object each time). */
export function testNodeClassRef(): { group: string; kind: string; name: string } {
  return { group: 'karpenter.test.sh', kind: 'TestNodeClass', name: 'default' }
}
