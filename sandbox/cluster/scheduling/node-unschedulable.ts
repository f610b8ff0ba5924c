// The NodeUnschedulable filter (kubernetes pkg/scheduler/framework/plugins/nodeunschedulable):
// a cordoned node takes only pods that tolerate the `node.kubernetes.io/unschedulable:NoSchedule` taint.

import { tolerationsTolerateTaint } from '../../k8s/taints.ts'
import type { Node, Pod } from '../../k8s/types.ts'

const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable'

export function nodeUnschedulable(pod: Pod, node: Node): string | undefined {
  if (!node.spec?.unschedulable) return undefined
  if (tolerationsTolerateTaint(pod.spec.tolerations, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' })) return undefined
  return ERR_REASON_UNSCHEDULABLE
}
