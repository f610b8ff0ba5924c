// Which pods of a deleting node Karpenter 1.9 schedules again (the provisioner's `deletingNodePods`).
// Sources: kubernetes-sigs/karpenter@v1.9.1 pkg/utils/pod/scheduling.go (IsReschedulable,
// IsEvictable), pkg/utils/pdb/pdb.go (IsCurrentlyReschedulable, isFullyBlocked, newPdb),
// pkg/utils/node/node.go (GetCurrentlyReschedulablePods).
//
// v0.32 took every active pod that is not a DaemonSet or static pod. 1.9 also keeps a terminating
// StatefulSet pod (its replacement cannot start before it is gone, so its capacity is needed), and
// drops pods with karpenter.sh/do-not-disrupt and pods a PodDisruptionBudget fully blocks
// (maxUnavailable 0 or "0%", minAvailable "100%"): no capacity is made for pods that will not leave.

import { labelSelectorMatcher } from '../../k8s/label-selector.ts'
import { tolerationsTolerateTaint } from '../../k8s/taints.ts'
import type { LabelSelector, Pod } from '../../k8s/types.ts'
import { DISRUPTION_NO_SCHEDULE_TAINT } from '../labels.ts'
import { hasDoNotDisrupt, isOwnedByNode, isTerminal, isTerminating, reschedulablePodsV1 } from '../scheduling/pods.ts'

/** The fields of a policy/v1 PodDisruptionBudget this reads. */
export interface PodDisruptionBudgetV1 {
  metadata: { namespace?: string; name?: string }
  spec: {
    selector?: LabelSelector | null
    maxUnavailable?: number | string
    minAvailable?: number | string
    unhealthyPodEvictionPolicy?: string
  }
}

function isActive(pod: Pod): boolean {
  return !isTerminal(pod) && !isTerminating(pod)
}

/** `pod.IsEvictable`: only such pods can be blocked by a PDB. */
function isEvictable(pod: Pod): boolean {
  return isActive(pod) && !tolerationsTolerateTaint(pod.spec.tolerations, DISRUPTION_NO_SCHEDULE_TAINT) && !isOwnedByNode(pod) && !hasDoNotDisrupt(pod)
}

/** `newPdb` isFullyBlocking. */
function isFullyBlocking(pdb: PodDisruptionBudgetV1): boolean {
  const { maxUnavailable, minAvailable } = pdb.spec
  return maxUnavailable === 0 || maxUnavailable === '0%' || minAvailable === '100%'
}

/** `Limits.isFullyBlocked`: more than one PDB selects the pod, or a fully blocking one does. */
function isFullyBlocked(pod: Pod, pdbs: readonly PodDisruptionBudgetV1[]): boolean {
  if (!isEvictable(pod)) return false
  const ns = pod.metadata.namespace ?? 'default'
  const matching = pdbs.filter((b) => (b.metadata.namespace ?? 'default') === ns && labelSelectorMatcher(b.spec.selector).matches(pod.metadata.labels ?? {}))
  // Kubernetes refuses to evict a pod that more than one PDB selects.
  if (matching.length > 1) return true
  for (const b of matching) {
    const unhealthy = (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'False')
    if (b.spec.unhealthyPodEvictionPolicy === 'AlwaysAllow' && unhealthy) return false
    if (isFullyBlocking(b)) return true
  }
  return false
}

/** `GetCurrentlyReschedulablePods`: the pods of a deleting node to schedule again. */
export function currentlyReschedulablePods(pods: readonly Pod[], pdbs: readonly PodDisruptionBudgetV1[]): Pod[] {
  return reschedulablePodsV1(pods).filter((p) => !hasDoNotDisrupt(p) && !isFullyBlocked(p, pdbs))
}
