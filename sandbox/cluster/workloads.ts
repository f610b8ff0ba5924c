// The workload controllers of kube-controller-manager that the tutorial relies on:
// Deployment → ReplicaSet (named `<deployment>-<pod-template-hash>`) → Pods, with rolling
// updates (maxSurge/maxUnavailable), revisions and the status fields and conditions
// `kubectl rollout status` and `kubectl wait` read.

import type { Clock } from '../runtime/clock.ts'
import { canonicalJson, conditionTrue, rfc3339, type KubeObject, type OwnerReference } from '../kube/json.ts'
import { SAFE_ALPHABET } from '../kube/names.ts'
import { ignoreNotFound } from '../kube/errors.ts'
import type { Store, WatchEvent } from '../kube/store.ts'
import { fromLabelSelectorSpec } from '../kube/selectors.ts'
import { Controller } from '../runtime/controller.ts'

type Obj = Record<string, unknown>

interface Template {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }
  spec?: Obj
}

interface DeploymentSpec {
  replicas?: number
  selector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] }
  template: Template
  strategy?: { type?: string; rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } }
  minReadySeconds?: number
  paused?: boolean
  revisionHistoryLimit?: number
}

const key = (o: KubeObject) => `${o.metadata.namespace}/${o.metadata.name}`
const split = (k: string) => k.split('/') as [string, string]

/** The ReplicaSet name suffix Kubernetes derives from a pod template (FNV-32a, safe-encoded). */
function podTemplateHash(template: Template): string {
  const text = canonicalJson(template)
  let hash = 0x811c9dc5
  for (const byte of Buffer.from(text)) {
    hash ^= byte
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  // rand.SafeEncodeString: every character mapped into the safe alphabet.
  return [...String(hash)].map((c) => SAFE_ALPHABET[c.charCodeAt(0) % SAFE_ALPHABET.length]).join('')
}

/** Resolves an int-or-percent against a total (percentages round up for surge, down for unavailable). */
function scaled(value: number | string | undefined, total: number, fallback: string, roundUp: boolean): number {
  const v = value ?? fallback
  if (typeof v === 'number') return v
  const m = /^(\d+)%$/.exec(v)
  if (!m) return Number(v) || 0
  const exact = (Number(m[1]) * total) / 100
  return roundUp ? Math.ceil(exact) : Math.floor(exact)
}

function ownedBy(o: KubeObject, owner: KubeObject): boolean {
  return (o.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === owner.metadata.uid)
}

function controllerRef(owner: KubeObject): OwnerReference {
  return { apiVersion: owner.apiVersion!, kind: owner.kind!, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true }
}

function podIsActive(pod: KubeObject): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase
  return !pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed'
}

export class ReplicaSetController {
  private readonly store: Store
  readonly controller: Controller
  private readonly stops: (() => void)[] = []

  constructor(store: Store, clock: Clock, log: (line: string) => void) {
    this.store = store
    this.controller = new Controller({ name: 'replicaset', clock, log, reconcile: (k) => this.reconcile(k) })
  }

  start(): void {
    this.stops.push(this.store.watch('replicasets.apps', {}, (e) => this.controller.enqueue(key(e.object))))
    // Only the owner references are read: no copy of each pod event is needed.
    this.stops.push(this.store.watch('pods', { raw: true }, (e: WatchEvent) => this.controller.enqueueOwner('ReplicaSet', e.object)))
  }

  stop(): void {
    for (const s of this.stops.splice(0)) s()
    this.controller.stop()
  }

  private reconcile(k: string): void {
    const [namespace, name] = split(k)
    const rs = this.store.find('replicasets.apps', namespace, name)
    if (!rs || rs.metadata.deletionTimestamp) return
    const spec = rs.spec as { replicas?: number; selector?: Parameters<typeof fromLabelSelectorSpec>[0]; template: Template; minReadySeconds?: number }
    const selector = fromLabelSelectorSpec(spec.selector)
    // Read-only views of the store's pods (a ReplicaSet of thousands is listed on every pod event).
    const pods = this.store.listRaw('pods', { namespace, labelSelector: selector }).items.filter((p) => ownedBy(p, rs))
    const active = pods.filter(podIsActive)
    const desired = spec.replicas ?? 1
    if (active.length < desired) {
      for (let i = active.length; i < desired; i++) {
        this.store.create(
          'pods',
          {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: {
              generateName: `${name}-`,
              namespace,
              labels: { ...(spec.template.metadata?.labels ?? {}) },
              annotations: spec.template.metadata?.annotations ? { ...spec.template.metadata.annotations } : undefined,
              ownerReferences: [controllerRef(rs)],
            },
            spec: structuredClone(spec.template.spec ?? {}),
          },
          { fieldManager: 'kube-controller-manager' },
        )
      }
    } else if (active.length > desired) {
      // Delete the pods that matter least first: unscheduled, then pending, then not ready, then newest.
      const rank = (p: KubeObject) => [
        (p.spec as Obj | undefined)?.nodeName ? 1 : 0,
        (p.status as { phase?: string } | undefined)?.phase === 'Running' ? 1 : 0,
        conditionTrue(p, 'Ready') ? 1 : 0,
      ]
      const victims = [...active]
        .sort((a, b) => {
          const ra = rank(a)
          const rb = rank(b)
          for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i] - rb[i]
          return String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp))
        })
        .slice(0, active.length - desired)
      for (const pod of victims) {
        try {
          this.store.delete('pods', namespace, pod.metadata.name!)
        } catch (error) {
          ignoreNotFound(error)
        }
      }
    }
    const current = this.store.listRaw('pods', { namespace, labelSelector: selector }).items.filter((p) => ownedBy(p, rs) && podIsActive(p))
    const ready = current.filter((p) => conditionTrue(p, 'Ready')).length
    const status = {
      replicas: current.length,
      fullyLabeledReplicas: current.length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: rs.metadata.generation ?? 1,
    }
    const previous = rs.status as Obj | undefined
    if (JSON.stringify(compact(previous)) !== JSON.stringify(compact(status))) {
      try {
        this.store.mutate('replicasets.apps', namespace, name, (o) => void (o.status = status), {
          subresource: 'status',
          fieldManager: 'kube-controller-manager',
        })
      } catch (error) {
        ignoreNotFound(error)
      }
    }
  }
}

function compact(status: Obj | undefined): Obj {
  const out: Obj = {}
  for (const k of [
    'replicas',
    'fullyLabeledReplicas',
    'readyReplicas',
    'availableReplicas',
    'observedGeneration',
    'updatedReplicas',
    'unavailableReplicas',
    'conditions',
  ]) {
    const v = status?.[k]
    if (v !== undefined && v !== 0) out[k] = v
  }
  return out
}

export class DeploymentController {
  private readonly store: Store
  private readonly clock: Clock
  readonly controller: Controller
  private readonly stops: (() => void)[] = []

  constructor(store: Store, clock: Clock, log: (line: string) => void) {
    this.store = store
    this.clock = clock
    this.controller = new Controller({ name: 'deployment', clock, log, reconcile: (k) => this.reconcile(k) })
  }

  start(): void {
    this.stops.push(this.store.watch('deployments.apps', {}, (e) => this.controller.enqueue(key(e.object))))
    this.stops.push(this.store.watch('replicasets.apps', {}, (e) => this.controller.enqueueOwner('Deployment', e.object)))
  }

  stop(): void {
    for (const s of this.stops.splice(0)) s()
    this.controller.stop()
  }

  private reconcile(k: string): void {
    const [namespace, name] = split(k)
    const deployment = this.store.find('deployments.apps', namespace, name)
    if (!deployment || deployment.metadata.deletionTimestamp) return
    const spec = deployment.spec as DeploymentSpec
    const desired = spec.replicas ?? 1
    const hash = podTemplateHash(spec.template)
    const all = this.store.list('replicasets.apps', { namespace }).items.filter((rs) => ownedBy(rs, deployment))
    let newRs = all.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash)
    const old = all.filter((rs) => rs !== newRs)
    const revisionOf = (rs: KubeObject) => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0)
    const maxRevision = Math.max(0, ...all.map(revisionOf))
    const rolling = (spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate'
    const maxSurge = rolling ? scaled(spec.strategy?.rollingUpdate?.maxSurge, desired, '25%', true) : 0
    const maxUnavailable = rolling ? scaled(spec.strategy?.rollingUpdate?.maxUnavailable, desired, '25%', false) : desired
    let progressingReason = 'ReplicaSetUpdated'

    if (!newRs) {
      const templateLabels = { ...(spec.template.metadata?.labels ?? {}), 'pod-template-hash': hash }
      const selector = structuredClone(spec.selector ?? {})
      selector.matchLabels = { ...(selector.matchLabels ?? {}), 'pod-template-hash': hash }
      const oldTotal = old.reduce((n, rs) => n + ((rs.spec as { replicas?: number }).replicas ?? 0), 0)
      const initial = old.length === 0 || !rolling ? desired : Math.max(0, Math.min(desired, desired + maxSurge - oldTotal))
      newRs = this.store.create(
        'replicasets.apps',
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          metadata: {
            name: `${name}-${hash}`,
            namespace,
            labels: templateLabels,
            annotations: {
              'deployment.kubernetes.io/desired-replicas': String(desired),
              'deployment.kubernetes.io/max-replicas': String(desired + maxSurge),
              'deployment.kubernetes.io/revision': String(maxRevision + 1),
            },
            ownerReferences: [controllerRef(deployment)],
          },
          spec: {
            replicas: rolling || old.length === 0 ? initial : 0,
            minReadySeconds: spec.minReadySeconds ?? 0,
            selector,
            template: { ...spec.template, metadata: { ...(spec.template.metadata ?? {}), labels: templateLabels } },
          },
        },
        { fieldManager: 'kube-controller-manager' },
      )
      progressingReason = 'NewReplicaSetCreated'
    }

    if (!spec.paused) {
      const replicasOf = (rs: KubeObject) => (rs.spec as { replicas?: number }).replicas ?? 0
      const availableOf = (rs: KubeObject) => (rs.status as { availableReplicas?: number } | undefined)?.availableReplicas ?? 0
      const newReplicas = replicasOf(newRs)
      const oldReplicas = old.reduce((n, rs) => n + replicasOf(rs), 0)
      if (!rolling) {
        // Recreate: old pods go first, then the new ReplicaSet scales up.
        for (const rs of old) if (replicasOf(rs) > 0) this.scale(rs, 0)
        const oldPods = old.reduce((n, rs) => n + ((rs.status as { replicas?: number } | undefined)?.replicas ?? 0), 0)
        if (oldPods === 0 && newReplicas !== desired) this.scale(newRs, desired)
      } else if (old.length === 0 || oldReplicas === 0) {
        if (newReplicas !== desired) this.scale(newRs, desired)
      } else {
        // Scale up the new ReplicaSet within maxSurge…
        const target = Math.min(desired, desired + maxSurge - oldReplicas)
        if (target > newReplicas) this.scale(newRs, target)
        // …and down the old ones as long as enough pods stay available.
        const available = availableOf(newRs) + old.reduce((n, rs) => n + availableOf(rs), 0)
        let budget = available - (desired - maxUnavailable)
        for (const rs of [...old].sort((a, b) => revisionOf(a) - revisionOf(b))) {
          if (budget <= 0) break
          const cut = Math.min(budget, replicasOf(rs))
          if (cut > 0) this.scale(rs, replicasOf(rs) - cut)
          budget -= cut
        }
      }
    }

    // Keep `revisionHistoryLimit` old ReplicaSets (default 10) with no replicas.
    const spare = old.filter((rs) => ((rs.spec as { replicas?: number }).replicas ?? 0) === 0).sort((a, b) => revisionOf(a) - revisionOf(b))
    for (const rs of spare.slice(0, Math.max(0, spare.length - (spec.revisionHistoryLimit ?? 10)))) {
      try {
        this.store.delete('replicasets.apps', namespace, rs.metadata.name!)
      } catch (error) {
        ignoreNotFound(error)
      }
    }

    this.updateStatus(deployment, hash, progressingReason)
  }

  private scale(rs: KubeObject, replicas: number): void {
    this.store.mutate(
      'replicasets.apps',
      rs.metadata.namespace,
      rs.metadata.name!,
      (o) => {
        ;(o.spec as Obj).replicas = replicas
      },
      { fieldManager: 'kube-controller-manager' },
    )
  }

  private updateStatus(deployment: KubeObject, hash: string, reason: string): void {
    const namespace = deployment.metadata.namespace!
    const spec = deployment.spec as DeploymentSpec
    const desired = spec.replicas ?? 1
    const sets = this.store.list('replicasets.apps', { namespace }).items.filter((rs) => ownedBy(rs, deployment))
    const newRs = sets.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash)
    const stat = (rs: KubeObject | undefined, f: string) => ((rs?.status as Obj | undefined)?.[f] as number | undefined) ?? 0
    const replicas = sets.reduce((n, rs) => n + stat(rs, 'replicas'), 0)
    const ready = sets.reduce((n, rs) => n + stat(rs, 'readyReplicas'), 0)
    const available = sets.reduce((n, rs) => n + stat(rs, 'availableReplicas'), 0)
    const updated = stat(newRs, 'replicas')
    const rolling = (spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate'
    const maxUnavailable = rolling ? scaled(spec.strategy?.rollingUpdate?.maxUnavailable, desired, '25%', false) : desired
    const previous = (deployment.status as { conditions?: Obj[] } | undefined)?.conditions ?? []
    const now = rfc3339(this.clock.now())
    const condition = (type: string, status: string, why: string, message: string): Obj => {
      const before = previous.find((c) => c.type === type)
      const changed = !before || before.status !== status
      return {
        type,
        status,
        lastUpdateTime: before && !changed && before.reason === why ? before.lastUpdateTime : now,
        lastTransitionTime: changed ? now : before.lastTransitionTime,
        reason: why,
        message,
      }
    }
    const complete = updated === desired && replicas === desired && available === desired && stat(newRs, 'availableReplicas') === desired
    const isAvailable = available >= desired - maxUnavailable
    const conditions = [
      condition(
        'Available',
        isAvailable ? 'True' : 'False',
        isAvailable ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
        isAvailable ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.',
      ),
      condition(
        'Progressing',
        'True',
        complete ? 'NewReplicaSetAvailable' : reason,
        complete
          ? `ReplicaSet "${newRs?.metadata.name}" has successfully progressed.`
          : reason === 'NewReplicaSetCreated'
            ? `Created new replica set "${newRs?.metadata.name}"`
            : `ReplicaSet "${newRs?.metadata.name}" is progressing.`,
      ),
    ]
    const status: Obj = {
      observedGeneration: deployment.metadata.generation ?? 1,
      replicas,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: available,
      unavailableReplicas: Math.max(0, replicas - available),
      conditions,
    }
    const before = deployment.status as Obj | undefined
    const strip = (s: Obj | undefined) =>
      JSON.stringify({ ...compact(s), conditions: ((s?.conditions as Obj[] | undefined) ?? []).map((c) => [c.type, c.status, c.reason]) })
    if (strip(before) === strip(status)) return
    try {
      this.store.mutate('deployments.apps', namespace, deployment.metadata.name!, (o) => void (o.status = status), {
        subresource: 'status',
        fieldManager: 'kube-controller-manager',
      })
    } catch (error) {
      ignoreNotFound(error)
    }
    // The revision annotation tells `kubectl rollout history` which ReplicaSet is current.
    const revision = newRs?.metadata.annotations?.['deployment.kubernetes.io/revision']
    if (revision && deployment.metadata.annotations?.['deployment.kubernetes.io/revision'] !== revision) {
      this.store.mutate('deployments.apps', namespace, deployment.metadata.name!, (o) => {
        o.metadata.annotations = { ...(o.metadata.annotations ?? {}), 'deployment.kubernetes.io/revision': revision }
      })
    }
  }
}
