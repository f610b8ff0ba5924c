// The DaemonSet controller: one pod of each DaemonSet on every node it should run on (the node
// matches its nodeSelector/affinity and it tolerates the node's taints). Like the real
// controller it creates the pod with a required node affinity on the node's name plus the
// DaemonSet default tolerations, and lets the scheduler bind it.

import type { Clock } from '../runtime/clock.ts'
import { ignoreNotFound } from '../kube/errors.ts'
import { conditionTrue, type KubeObject } from '../kube/json.ts'
import type { Store } from '../kube/store.ts'
import { podMatchesNodeSelectorAndAffinity } from '../k8s/node-affinity.ts'
import { findUntoleratedTaint } from '../k8s/taints.ts'
import type { Node, Pod, Toleration } from '../k8s/types.ts'
import { Controller } from '../runtime/controller.ts'

type Obj = Record<string, unknown>

/** What the DaemonSet controller adds to every daemon pod (pkg/controller/daemon/util). */
const DEFAULT_TOLERATIONS: Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
]

function withDefaults(tolerations: Toleration[] | undefined): Toleration[] {
  const out = [...(tolerations ?? [])]
  for (const t of DEFAULT_TOLERATIONS) if (!out.some((o) => o.key === t.key && o.effect === t.effect)) out.push(t)
  return out
}

export class DaemonSetController {
  private readonly store: Store
  readonly controller: Controller
  private readonly stops: (() => void)[] = []

  constructor(store: Store, clock: Clock, log: (line: string) => void) {
    this.store = store
    this.controller = new Controller({ name: 'daemonset', clock, log, reconcile: (k) => this.reconcile(k) })
  }

  start(): void {
    const all = () => {
      for (const ds of this.store.listRaw('daemonsets.apps').items) this.controller.enqueue(`${ds.metadata.namespace}/${ds.metadata.name}`)
    }
    this.stops.push(this.store.watch('daemonsets.apps', {}, (e) => this.controller.enqueue(`${e.object.metadata.namespace}/${e.object.metadata.name}`)))
    this.stops.push(this.store.watch('nodes', {}, all))
    this.stops.push(this.store.watch('pods', {}, (e) => this.controller.enqueueOwner('DaemonSet', e.object)))
  }

  stop(): void {
    for (const s of this.stops.splice(0)) s()
    this.controller.stop()
  }

  private reconcile(key: string): void {
    const [namespace, name] = key.split('/')
    const ds = this.store.find('daemonsets.apps', namespace, name)
    if (!ds || ds.metadata.deletionTimestamp) return
    const template = (ds.spec as { template: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: Obj } }).template
    const probe = {
      metadata: { namespace, labels: template.metadata?.labels },
      spec: { ...template.spec, tolerations: withDefaults(template.spec.tolerations as Toleration[]) },
    } as unknown as Pod
    const pods = this.store
      .list('pods', { namespace })
      .items.filter((p) => (p.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === ds.metadata.uid))
    const byNode = new Map<string, KubeObject[]>()
    for (const pod of pods) {
      const target = targetNode(pod)
      if (!target) continue
      byNode.set(target, [...(byNode.get(target) ?? []), pod])
    }
    let desired = 0
    const nodes = this.store.list('nodes').items as unknown as Node[]
    for (const node of nodes) {
      const should =
        !node.metadata.deletionTimestamp && podMatchesNodeSelectorAndAffinity(probe, node) && !findUntoleratedTaint(node.spec?.taints, probe.spec.tolerations)
      const existing = (byNode.get(node.metadata.name!) ?? []).filter((p) => !p.metadata.deletionTimestamp)
      if (should) {
        desired++
        if (existing.length === 0) this.createPod(ds, template, node.metadata.name!)
      } else {
        for (const pod of existing) this.deletePod(pod)
      }
      byNode.delete(node.metadata.name!)
    }
    for (const orphans of byNode.values()) for (const pod of orphans) if (!pod.metadata.deletionTimestamp) this.deletePod(pod)

    const current = this.store
      .list('pods', { namespace })
      .items.filter((p) => (p.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === ds.metadata.uid) && !p.metadata.deletionTimestamp)
    const scheduled = current.filter((p) => (p.spec as Obj).nodeName)
    const ready = scheduled.filter((p) => conditionTrue(p, 'Ready')).length
    const status = {
      currentNumberScheduled: scheduled.length,
      desiredNumberScheduled: desired,
      numberMisscheduled: 0,
      numberReady: ready,
      numberAvailable: ready,
      numberUnavailable: Math.max(0, desired - ready),
      updatedNumberScheduled: scheduled.length,
      observedGeneration: ds.metadata.generation ?? 1,
    }
    if (JSON.stringify(ds.status ?? {}) === JSON.stringify(status)) return
    try {
      this.store.mutate('daemonsets.apps', namespace, name, (o) => void (o.status = status), { subresource: 'status', fieldManager: 'kube-controller-manager' })
    } catch (error) {
      ignoreNotFound(error)
    }
  }

  private createPod(
    ds: KubeObject,
    template: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: Obj },
    nodeName: string,
  ): void {
    const spec = structuredClone(template.spec)
    const affinity = (spec.affinity ?? {}) as Obj
    affinity.nodeAffinity = {
      ...(affinity.nodeAffinity ?? {}),
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }],
      },
    }
    spec.affinity = affinity
    spec.tolerations = withDefaults(spec.tolerations as Toleration[] | undefined)
    this.store.create(
      'pods',
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          generateName: `${ds.metadata.name}-`,
          namespace: ds.metadata.namespace,
          labels: {
            ...(template.metadata?.labels ?? {}),
            'controller-revision-hash': 'sandbox',
            'pod-template-generation': String(ds.metadata.generation ?? 1),
          },
          annotations: template.metadata?.annotations ? { ...template.metadata.annotations } : undefined,
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata.name!, uid: ds.metadata.uid!, controller: true, blockOwnerDeletion: true },
          ],
        },
        spec,
      },
      { fieldManager: 'kube-controller-manager' },
    )
  }

  private deletePod(pod: KubeObject): void {
    try {
      this.store.delete('pods', pod.metadata.namespace, pod.metadata.name!)
    } catch (error) {
      ignoreNotFound(error)
    }
  }
}

/** The node a daemon pod is for: its binding, or the name in its node affinity. */
function targetNode(pod: KubeObject): string | undefined {
  const spec = pod.spec as {
    nodeName?: string
    affinity?: {
      nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: { matchFields?: { key: string; values?: string[] }[] }[] } }
    }
  }
  if (spec.nodeName) return spec.nodeName
  for (const term of spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) if (f.key === 'metadata.name') return f.values?.[0]
  }
  return undefined
}
