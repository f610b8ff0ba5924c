// kube-scheduler's NodePorts filter cases, from kubernetes/kubernetes
// pkg/scheduler/framework/plugins/nodeports/node_ports_test.go, as data, run against the twin's
// sandbox/cluster/scheduling/node-ports.ts.

import { nodePorts } from '../../../sandbox/cluster/scheduling/node-ports.ts'
import type { Pod } from '../../../sandbox/k8s/types.ts'
import { node, pod } from './builders.ts'
import { conformance, FIT, reject, type UpstreamTable } from './harness.ts'

const PORTS = "node(s) didn't have free ports for the requested pod ports"

/** A pod on node m1 asking for host ports given as `PROTOCOL/hostIP/port`. */
function withPorts(...ports: string[]): Pod {
  return pod({
    node: 'm1',
    spec: {
      containers: [
        {
          ports: ports.map((p) => {
            const [protocol, hostIP, port] = p.split('/')
            return { protocol, hostIP, hostPort: Number(port) }
          }),
        },
      ],
    },
  })
}

/** The upstream table gives the pod and one NodeInfo holding one existing pod. */
function c(name: string, incoming: Pod, existing: Pod | undefined, fits: boolean) {
  return { name, pod: incoming, pods: existing ? [existing] : [], nodes: [node('m1')], want: { m1: fits ? FIT : reject(PORTS) } }
}

const table: UpstreamTable = {
  file: 'pkg/scheduler/framework/plugins/nodeports/node_ports_test.go',
  ref: '27214b84cfe38d60c33b93b5b3a43be3ad99c2e9',
  test: 'TestNodePorts',
  upstreamCases: 13,
  notPorted: [],
  cases: [
    c('skip filter', pod(), undefined, true),
    c('other port', withPorts('UDP/127.0.0.1/8080'), withPorts('UDP/127.0.0.1/9090'), true),
    c('same udp port', withPorts('UDP/127.0.0.1/8080'), withPorts('UDP/127.0.0.1/8080'), false),
    c('same tcp port', withPorts('TCP/127.0.0.1/8080'), withPorts('TCP/127.0.0.1/8080'), false),
    c('different host ip', withPorts('TCP/127.0.0.1/8080'), withPorts('TCP/127.0.0.2/8080'), true),
    c('different protocol', withPorts('UDP/127.0.0.1/8080'), withPorts('TCP/127.0.0.1/8080'), true),
    c('second udp port conflict', withPorts('UDP/127.0.0.1/8000', 'UDP/127.0.0.1/8080'), withPorts('UDP/127.0.0.1/8080'), false),
    c('first tcp port conflict', withPorts('TCP/127.0.0.1/8001', 'UDP/127.0.0.1/8080'), withPorts('TCP/127.0.0.1/8001', 'UDP/127.0.0.1/8081'), false),
    c('first tcp port conflict due to 0.0.0.0 hostIP', withPorts('TCP/0.0.0.0/8001'), withPorts('TCP/127.0.0.1/8001'), false),
    c('TCP hostPort conflict due to 0.0.0.0 hostIP', withPorts('TCP/10.0.10.10/8001', 'TCP/0.0.0.0/8001'), withPorts('TCP/127.0.0.1/8001'), false),
    c('second tcp port conflict to 0.0.0.0 hostIP', withPorts('TCP/127.0.0.1/8001'), withPorts('TCP/0.0.0.0/8001'), false),
    c('second different protocol', withPorts('UDP/127.0.0.1/8001'), withPorts('TCP/0.0.0.0/8001'), true),
    c('UDP hostPort conflict due to 0.0.0.0 hostIP', withPorts('UDP/127.0.0.1/8001'), withPorts('TCP/0.0.0.0/8001', 'UDP/0.0.0.0/8001'), false),
  ],
}

conformance('NodePorts', (p, info) => nodePorts(p, info), [table])
