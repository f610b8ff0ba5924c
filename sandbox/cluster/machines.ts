// EC2 instances as Kubernetes sees them: an instance boots, its kubelet registers a Node
// (NotReady, tainted not-ready), the CNI comes up and the Node turns Ready; when the instance
// stops, its kubelet stops posting status and the Node goes Unknown.
//
// Whoever launches an instance — the managed node group, Karpenter — hands it here with the
// kubelet configuration its user data would carry (node labels, taints, reserved resources).

import type { Clock, ClockTimer } from '../runtime/clock.ts'
import { ApiError, ignoreNotFound } from '../kube/errors.ts'
import type { Store } from '../kube/store.ts'
import { rfc3339, type KubeObject } from '../kube/json.ts'
import type { Node, Taint } from '../k8s/types.ts'
import { markNodeReady } from '../ec2-nodes/kubelet-node.ts'

export interface MachineSpec {
  instanceId: string
  /** The Node its kubelet registers (ec2-nodes/kubelet-node.ts `kubeletNode`: NotReady, tainted not-ready). */
  node: Node
  /** Tutorial time from launch to the kubelet registering the Node. */
  registerAfterMs: number
  /** Tutorial time from registration to the Node turning Ready (CNI up). */
  readyAfterMs: number
}

/** Timings observed in Karpenter's logs on AWS (docs/karpenter-lines.md, "Timings"): ~25 s to register, ~11 s more to Ready. */
export const DEFAULT_BOOT = { registerAfterMs: 25_000, readyAfterMs: 11_000 }

const NODE_MONITOR_GRACE_MS = 40_000

/**
 * The kubelet version a node of an EKS-optimized AMI reports: for 1.29 the patch release EKS ran
 * when the tutorial was written (its sample output); for 1.32–1.35 EKS-style strings of the
 * sandbox's own (plausible patch, made-up 7-hex build suffix), so a 1.35 cluster's nodes look
 * like EKS's rather than the fallback's.
 */
export function kubeletVersion(kubernetesVersion: string): string {
  const known: Record<string, string> = {
    '1.28': 'v1.28.5-eks-5e0fdde',
    '1.29': 'v1.29.0-eks-5e0fdde',
    '1.30': 'v1.30.0-eks-036c24b',
    '1.31': 'v1.31.2-eks-94953ac',
    '1.32': 'v1.32.3-eks-473151a',
    '1.33': 'v1.33.1-eks-b9364f6',
    '1.34': 'v1.34.1-eks-c39b1d0',
    '1.35': 'v1.35.0-eks-8a2f1c4',
  }
  return known[kubernetesVersion] ?? `v${kubernetesVersion}.0-eks-sandbox`
}

/** What `Machines.dump` saves. */
export interface MachinesDump {
  nodeNames: [string, string][]
  booting: MachineSpec[]
  halting: string[]
}

export class Machines {
  private readonly store: Store
  private readonly clock: Clock
  private readonly log: (line: string) => void
  private readonly timers = new Map<string, ClockTimer[]>()
  private readonly nodeNames = new Map<string, string>()
  /** The boots not yet Ready (a snapshot restores them: machines booting when it was taken boot again). */
  private readonly booting = new Map<string, MachineSpec>()
  /** Instances halted whose Node has not turned Unknown yet. */
  private readonly halting = new Set<string>()

  constructor(store: Store, clock: Clock, log: (line: string) => void) {
    this.store = store
    this.clock = clock
    this.log = log
  }

  /** Starts an instance's boot: its Node registers, then turns Ready, in tutorial time. */
  boot(spec: MachineSpec): void {
    const name = spec.node.metadata.name!
    this.nodeNames.set(spec.instanceId, name)
    this.booting.set(spec.instanceId, structuredClone(spec))
    this.halting.delete(spec.instanceId)
    // Ready is timed from registration, not from the launch (the clock fires timers in due order,
    // but a Node marked Ready before it registered would stay NotReady for good).
    const register = this.clock.setTimeout(() => {
      this.register(spec)
      if (this.timers.get(spec.instanceId)?.[0] !== register) return // halted meanwhile
      this.timers.set(spec.instanceId, [this.readyTimer(spec.instanceId, name, spec.readyAfterMs)])
    }, spec.registerAfterMs)
    this.timers.set(spec.instanceId, [register])
  }

  /** The instance stopped or was terminated: its kubelet is gone. */
  halt(instanceId: string): void {
    for (const t of this.timers.get(instanceId) ?? []) this.clock.clear(t)
    this.timers.delete(instanceId)
    this.booting.delete(instanceId)
    const name = this.nodeNames.get(instanceId)
    if (!name) return
    this.halting.add(instanceId)
    // The node lifecycle controller notices only after the grace period.
    this.timers.set(instanceId, [this.unknownTimer(instanceId, name)])
  }

  private readyTimer(instanceId: string, name: string, ms: number): ClockTimer {
    return this.clock.setTimeout(() => {
      this.booting.delete(instanceId)
      this.markReady(name)
    }, ms)
  }

  private unknownTimer(instanceId: string, name: string): ClockTimer {
    return this.clock.setTimeout(() => {
      this.halting.delete(instanceId)
      this.markUnknown(name)
    }, NODE_MONITOR_GRACE_MS)
  }

  /** What a snapshot keeps: which instance runs which Node, the boots in progress, the halts not yet noticed. */
  dump(): MachinesDump {
    return { nodeNames: [...this.nodeNames], booting: [...this.booting.values()].map((s) => structuredClone(s)), halting: [...this.halting] }
  }

  /**
   * Takes up a snapshot's machines (their timers did not survive it): an instance EC2 reports
   * running (`running`) whose Node is missing boots again, one whose Node is not Ready turns
   * Ready after the CNI's delay; a halted instance whose Node still looks Ready turns Unknown
   * after the grace period.
   */
  resume(dump: MachinesDump, running: ReadonlySet<string>): void {
    for (const [id, name] of dump.nodeNames) this.nodeNames.set(id, name)
    const specs = new Map(dump.booting.map((s) => [s.instanceId, s]))
    for (const [id, name] of dump.nodeNames) {
      if (!running.has(id)) continue
      const node = this.store.find('nodes', undefined, name) as Node | undefined
      const spec = specs.get(id)
      if (!node) {
        if (spec) {
          this.boot(spec)
          this.log(`instance ${id} runs but node ${name} had not registered when the snapshot was taken: its kubelet starts again`)
        }
        continue
      }
      const ready = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
      if (ready) continue
      if (spec) this.booting.set(id, spec)
      this.timers.set(id, [this.readyTimer(id, name, spec?.readyAfterMs ?? DEFAULT_BOOT.readyAfterMs)])
    }
    for (const id of dump.halting) {
      const name = this.nodeNames.get(id)
      if (!name || running.has(id)) continue
      this.halting.add(id)
      this.timers.set(id, [this.unknownTimer(id, name)])
    }
  }

  nodeName(instanceId: string): string | undefined {
    return this.nodeNames.get(instanceId)
  }

  stop(): void {
    for (const list of this.timers.values()) for (const t of list) this.clock.clear(t)
    this.timers.clear()
  }

  private register(spec: MachineSpec): void {
    const now = rfc3339(this.clock.now())
    const node = structuredClone(spec.node)
    node.metadata.creationTimestamp = undefined
    for (const t of node.spec?.taints ?? []) if (t.timeAdded) t.timeAdded = now
    for (const c of node.status?.conditions ?? []) {
      c.lastHeartbeatTime = now
      c.lastTransitionTime = now
    }
    try {
      this.store.create('nodes', node as unknown as KubeObject, { fieldManager: 'kubelet' })
    } catch (error) {
      if (error instanceof ApiError && error.code === 409) return // registered already
      throw error
    }
    this.log(`kubelet on ${spec.instanceId} registered node ${node.metadata.name}`)
  }

  private markReady(name: string): void {
    const now = rfc3339(this.clock.now())
    this.updateNode(name, (node) => markNodeReady(node, now))
  }

  private markUnknown(name: string): void {
    const now = rfc3339(this.clock.now())
    this.updateNode(name, (node) => {
      const conditions = (node.status?.conditions ?? []).map((c) =>
        c.type === 'Ready'
          ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: now }
          : c,
      )
      const taints: Taint[] = [...(node.spec?.taints ?? [])]
      if (!taints.some((t) => t.key === 'node.kubernetes.io/unreachable')) {
        taints.push({ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: now })
        taints.push({ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: now })
      }
      return { ...node, spec: { ...(node.spec ?? {}), taints }, status: { ...(node.status ?? {}), conditions } }
    })
  }

  /** Writes the edited node: spec through the object, conditions through `status`. */
  private updateNode(name: string, edit: (node: Node) => Node): void {
    try {
      const apply = (o: KubeObject) => edit(o) as unknown as KubeObject
      this.store.mutate('nodes', undefined, name, apply, { fieldManager: 'kubelet' })
      this.store.mutate('nodes', undefined, name, apply, { subresource: 'status', fieldManager: 'kubelet' })
    } catch (error) {
      ignoreNotFound(error)
    }
  }
}
