// The TaintToleration filter (kubernetes pkg/scheduler/framework/plugins/tainttoleration): the
// first NoSchedule or NoExecute taint the pod does not tolerate rules the node out.

import { findUntoleratedTaint } from '../../k8s/taints.ts'
import type { Node, Pod } from '../../k8s/types.ts'

export function taintToleration(pod: Pod, node: Node): string | undefined {
  const taint = findUntoleratedTaint(node.spec?.taints, pod.spec.tolerations)
  return taint ? `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}` : undefined
}
