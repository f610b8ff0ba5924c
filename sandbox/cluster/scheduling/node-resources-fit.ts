// The NodeResourcesFit filter (kubernetes pkg/scheduler/framework/plugins/noderesources/fit.go):
// the pod count, then each resource the pod requests against what the node has left.

import { Quantity } from '../../k8s/quantity.ts'
import { ceiling, fits, subtract } from '../../k8s/resources.ts'
import type { Pod } from '../../k8s/types.ts'
import type { NodeInfo } from './node-info.ts'

export function nodeResourcesFit(pod: Pod, info: NodeInfo): string | undefined {
  const requests = ceiling(pod).requests
  const free = subtract(info.allocatable, info.requested)
  const podsAllowed = info.allocatable.pods ? Number(info.allocatable.pods.value()) : 110
  if (info.pods.size + 1 > podsAllowed) return 'Too many pods'
  for (const resource of Object.keys(requests).sort()) {
    if (requests[resource].isZero()) continue
    if (!fits({ [resource]: requests[resource] }, { [resource]: free[resource] ?? Quantity.ZERO })) return `Insufficient ${resource}`
  }
  return undefined
}
