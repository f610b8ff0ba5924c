// Placing pods on nodes that exist or are in flight (core@v0.32.1:pkg/controllers/provisioning/
// scheduling/existingnode.go). The node cannot grow, so resources are checked first against what
// is left: allocatable − bound pods − the DaemonSet pods still expected on it.

import { fitsSum, merge, subtract, type ResourceList } from '../../k8s/resources.ts'
import { Quantity } from '../../k8s/quantity.ts'
import { karpenterTolerationErrors } from '../../k8s/taints.ts'
import type { Pod } from '../../k8s/types.ts'
import { LABEL_HOSTNAME } from '../labels.ts'
import { Requirement, Requirements } from '../requirements.ts'
import { available, type StateNode } from '../state.ts'
import type { Rejection } from './nodeclaim.ts'
import { HostPortUsage, type SchedPod } from './pods.ts'
import type { Topology } from './topology.ts'

export class ExistingNode {
  readonly state: StateNode
  readonly pods: SchedPod[] = []
  requests: ResourceList
  requirements: Requirements
  readonly hostPortUsage: HostPortUsage
  readonly #available: ResourceList
  readonly #topology: Topology

  constructor(state: StateNode, topology: Topology, daemonResources: ResourceList) {
    this.state = state
    // DaemonSet pods expected on the node but not there yet still need room; never below zero.
    const remaining = subtract(daemonResources, state.daemonSetRequests)
    for (const k of Object.keys(remaining)) if (remaining[k].sign() < 0) remaining[k] = new Quantity(0n, remaining[k].format)
    this.requests = remaining
    this.requirements = Requirements.fromLabels(state.labels).add(Requirement.of(LABEL_HOSTNAME, 'In', [state.hostname]))
    topology.register(LABEL_HOSTNAME, state.hostname)
    this.hostPortUsage = new HostPortUsage()
    for (const [key, ports] of state.hostPorts) this.hostPortUsage.reserved.set(key, ports)
    this.#available = available(state)
    this.#topology = topology
  }

  get name(): string {
    return this.state.name
  }

  get initialized(): boolean {
    return this.state.initialized
  }

  /** The pods nominated to this node, as the caller passed them in. */
  podList(): Pod[] {
    return this.pods.map((p) => p.original)
  }

  /** `ExistingNode.Add`: undefined when the pod is placed here, else why not (built on demand). */
  add(p: SchedPod): Rejection | undefined {
    const pod = p.pod
    const taintErrs = karpenterTolerationErrors(this.state.taints, pod)
    if (taintErrs.length > 0) return () => taintErrs.join('; ')
    const conflict = this.hostPortUsage.conflicts(pod, p.hostPorts)
    if (conflict) return () => `checking host port usage, ${conflict}`
    // Most nodes refuse most pods for lack of room: check before building the merged list.
    if (!fitsSum(this.requests, p.requests, this.#available)) return () => 'exceeds node resources'
    const requests = merge(this.requests, p.requests)

    const reqs = this.requirements.copy()
    const podReqs = p.requirements()
    if (!reqs.isCompatible(podReqs)) return () => reqs.compatible(podReqs).join('; ')
    reqs.add(...podReqs.values())
    const topo = this.#topology.addRequirements(p.strictRequirements(), reqs, pod, {}, this.state.taints)
    if ('error' in topo) return topo.error
    if (!reqs.isCompatible(topo.requirements)) return () => reqs.compatible(topo.requirements).join('; ')
    reqs.add(...topo.requirements.values())

    this.pods.push(p)
    this.requests = requests
    this.requirements = reqs
    this.#topology.record(pod, reqs, {}, this.state.taints)
    this.hostPortUsage.add(pod, p.hostPorts)
    return undefined
  }
}
