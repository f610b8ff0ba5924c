// The NodePorts filter (kubernetes pkg/scheduler/framework/plugins/nodeports): a host port the
// pod asks for must be free on the node.

import type { Pod } from '../../k8s/types.ts'
import { hostPorts, type NodeInfo } from './node-info.ts'

export const ERR_REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports"

export function nodePorts(pod: Pod, info: NodeInfo): string | undefined {
  return hostPorts(pod).some((p) => info.ports.has(p)) ? ERR_REASON_NODE_PORTS : undefined
}
