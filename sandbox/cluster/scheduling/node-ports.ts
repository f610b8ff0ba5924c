// The NodePorts filter (kubernetes pkg/scheduler/framework/plugins/nodeports): a host port the
// pod asks for must be free on the node. As framework.HostPortInfo judges it, two uses of a port
// conflict when protocol and port are the same and either host IP is 0.0.0.0 (every address) or
// the host IPs are the same.

import type { Pod } from '../../k8s/types.ts'
import { hostPorts, type NodeInfo } from './node-info.ts'

const ERR_REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports"

const ANY_IP = '0.0.0.0'

function conflicts(wanted: string, used: ReadonlyMap<string, number>): boolean {
  const [protocol, ip, port] = wanted.split('/')
  if (used.has(wanted) || used.has(`${protocol}/${ANY_IP}/${port}`)) return true
  if (ip !== ANY_IP) return false
  for (const key of used.keys()) {
    const [p, , n] = key.split('/')
    if (p === protocol && n === port) return true
  }
  return false
}

export function nodePorts(pod: Pod, info: NodeInfo): string | undefined {
  return hostPorts(pod).some((p) => conflicts(p, info.ports)) ? ERR_REASON_NODE_PORTS : undefined
}
