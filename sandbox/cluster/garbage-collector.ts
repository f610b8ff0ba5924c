// The garbage collector (and the namespace controller's cleanup), as an in-process controller
// over the store.
//
// - Background deletion: once an owner is gone, dependents whose owners are all gone are
//   deleted (propagation Background); a dependent that still has a live owner only loses the
//   dangling reference. A dependent created with no live owner at all goes the same way.
// - Foreground deletion (`foregroundDeletion` finalizer): the owner's dependents are deleted
//   (those with blockOwnerDeletion in the foreground themselves); when no blocking dependent is
//   left the finalizer is removed, which completes the owner's deletion.
// - Orphan (`orphan` finalizer): dependents lose their reference to the owner, then the
//   finalizer is removed.
// - Namespaces being deleted: everything in them is deleted; when nothing is left the
//   `kubernetes` finalizer is removed (the namespace's finalize subresource) and it goes.
//
// Work is queued from store events and done on the next turn of the event loop, so a write
// made by this controller never runs inside another watcher's handler.

import { ApiError, ignoreNotFound } from '../kube/errors.ts'
import type { KubeObject, OwnerReference } from '../kube/json.ts'
import type { Store, StoreEvent } from '../kube/store.ts'

export interface GarbageCollectorOptions {
  /** Re-examine everything this often, in case an event was missed (default 5 s). */
  resyncMs?: number
}

type Work = { kind: 'owner-gone'; uid: string } | { kind: 'object'; uid: string } | { kind: 'namespace'; name: string }

export class GarbageCollector {
  private readonly store: Store
  private readonly options: GarbageCollectorOptions
  /** owner uid → dependent uids */
  private readonly dependents = new Map<string, Set<string>>()
  /** dependent uid → owner uids it references */
  private readonly owners = new Map<string, string[]>()
  private queue: Work[] = []
  private scheduled = false
  private stopWatch: (() => void) | undefined
  private resync: NodeJS.Timeout | undefined
  private running = false
  private readonly idleWaiters: (() => void)[] = []

  constructor(store: Store, options: GarbageCollectorOptions = {}) {
    this.store = store
    this.options = options
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.stopWatch = this.store.watchAll((ev) => this.onEvent(ev))
    this.fullScan()
    // Real time on purpose: the resync is a safety net for missed watch events, not a duration of
    // the simulated world (the collector acts on watch events as they come).
    this.resync = setInterval(() => this.fullScan(), this.options.resyncMs ?? 5_000)
    this.resync.unref()
  }

  stop(): void {
    this.running = false
    this.stopWatch?.()
    if (this.resync) clearInterval(this.resync)
    this.queue = []
  }

  /** Resolves when the work queued so far is done (for tests). */
  idle(): Promise<void> {
    if (!this.scheduled && this.queue.length === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  private fullScan(): void {
    for (const def of this.store.registry.resources) {
      for (const obj of this.store.listRaw(def.key).items) {
        this.index(obj)
        if (obj.metadata.ownerReferences?.length) this.enqueue({ kind: 'object', uid: obj.metadata.uid! })
        if (obj.metadata.deletionTimestamp)
          this.enqueue(def.key === 'namespaces' ? { kind: 'namespace', name: obj.metadata.name! } : { kind: 'object', uid: obj.metadata.uid! })
      }
    }
  }

  private index(obj: KubeObject): void {
    const uid = obj.metadata.uid!
    const refs = (obj.metadata.ownerReferences ?? []).map((r) => r.uid)
    const before = this.owners.get(uid) ?? []
    for (const o of before) if (!refs.includes(o)) this.dependents.get(o)?.delete(uid)
    if (refs.length) this.owners.set(uid, refs)
    else this.owners.delete(uid)
    for (const o of refs) {
      let set = this.dependents.get(o)
      if (!set) this.dependents.set(o, (set = new Set()))
      set.add(uid)
    }
  }

  private unindex(obj: KubeObject): void {
    const uid = obj.metadata.uid!
    for (const o of this.owners.get(uid) ?? []) this.dependents.get(o)?.delete(uid)
    this.owners.delete(uid)
  }

  private onEvent(ev: StoreEvent): void {
    const obj = ev.object
    const uid = obj.metadata.uid!
    if (ev.type === 'DELETED') {
      this.unindex(obj)
      if (this.dependents.get(uid)?.size) this.enqueue({ kind: 'owner-gone', uid })
      // An owner waiting for its dependents may now be free to go.
      for (const r of obj.metadata.ownerReferences ?? []) this.enqueue({ kind: 'object', uid: r.uid })
      if (ev.resource !== 'namespaces' && obj.metadata.namespace) {
        const ns = this.store.peek('namespaces', undefined, obj.metadata.namespace)
        if (ns?.metadata.deletionTimestamp) this.enqueue({ kind: 'namespace', name: ns.metadata.name! })
      }
      return
    }
    this.index(obj)
    if (ev.resource === 'namespaces') {
      if (obj.metadata.deletionTimestamp) this.enqueue({ kind: 'namespace', name: obj.metadata.name! })
      return
    }
    const f = obj.metadata.finalizers ?? []
    if (obj.metadata.deletionTimestamp && (f.includes('foregroundDeletion') || f.includes('orphan'))) this.enqueue({ kind: 'object', uid })
    if (ev.type === 'ADDED' && obj.metadata.ownerReferences?.length) this.enqueue({ kind: 'object', uid })
  }

  private enqueue(w: Work): void {
    if (!this.running) return
    this.queue.push(w)
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => this.flush())
  }

  private flush(): void {
    this.scheduled = false
    const work = this.queue
    this.queue = []
    const seen = new Set<string>()
    for (const w of work) {
      const key = JSON.stringify(w)
      if (seen.has(key)) continue
      seen.add(key)
      try {
        if (w.kind === 'owner-gone') this.ownerGone(w.uid)
        else if (w.kind === 'object') this.examine(w.uid)
        else this.namespace(w.name)
      } catch (err) {
        if (err instanceof ApiError && (err.code === 404 || err.code === 409)) {
          if (err.code === 409) this.enqueue(w)
          continue
        }
        process.emitWarning(`garbage collector: ${(err as Error).stack ?? String(err)}`)
      }
    }
    if (!this.scheduled && this.queue.length === 0) for (const r of this.idleWaiters.splice(0)) r()
  }

  /** Whether an owner exists (by uid); undefined for a kind the sandbox does not serve (left alone). */
  private exists(ref: OwnerReference): boolean | undefined {
    if (this.store.findByUid(ref.uid)) return true
    return this.store.registry.byApiVersionKind(ref.apiVersion, ref.kind) ? false : undefined
  }

  /** An owner is gone: its dependents either go too or lose the dangling reference. */
  private ownerGone(ownerUid: string): void {
    for (const dep of [...(this.dependents.get(ownerUid) ?? [])]) this.examine(dep)
    if (!this.dependents.get(ownerUid)?.size) this.dependents.delete(ownerUid)
  }

  /** Looks at one object: as a dependent (are its owners alive?) and as an owner being deleted. */
  private examine(uid: string): void {
    const found = this.store.findByUid(uid)
    if (!found) return
    const { resource, object } = found
    const ns = object.metadata.namespace
    const name = object.metadata.name!

    // As a dependent.
    const refs = object.metadata.ownerReferences ?? []
    if (refs.length && !object.metadata.deletionTimestamp) {
      const states = refs.map((r) => ({ ref: r, alive: this.exists(r) }))
      const dead = states.filter((s) => s.alive === false)
      if (dead.length === refs.length) {
        this.store.delete(resource, ns, name, { propagationPolicy: 'Background', preconditions: { uid } })
        return
      }
      if (dead.length) {
        const deadUids = new Set(dead.map((d) => d.ref.uid))
        this.store.mutate(
          resource,
          ns,
          name,
          (o) => {
            o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r) => !deadUids.has(r.uid))
            if (!o.metadata.ownerReferences.length) delete o.metadata.ownerReferences
          },
          { fieldManager: 'garbage-collector' },
        )
      }
    }

    // As an owner being deleted.
    if (!object.metadata.deletionTimestamp) return
    const finalizers = object.metadata.finalizers ?? []
    const deps = [...(this.dependents.get(uid) ?? [])].map((d) => this.store.findByUid(d)).filter((d): d is NonNullable<typeof d> => d !== undefined)
    if (finalizers.includes('orphan')) {
      for (const d of deps) {
        this.store.mutate(
          d.resource,
          d.object.metadata.namespace,
          d.object.metadata.name!,
          (o) => {
            o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid)
            if (!o.metadata.ownerReferences.length) delete o.metadata.ownerReferences
          },
          { fieldManager: 'garbage-collector' },
        )
      }
      this.removeFinalizer(resource, ns, name, 'orphan')
      return
    }
    if (finalizers.includes('foregroundDeletion')) {
      let blocking = 0
      for (const d of deps) {
        const ref = (d.object.metadata.ownerReferences ?? []).find((r) => r.uid === uid)
        if (ref?.blockOwnerDeletion) blocking++
        if (!d.object.metadata.deletionTimestamp) {
          // Dependents with other live owners stay (they lose this reference once it is gone).
          const others = (d.object.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid && this.exists(r))
          if (others.length) continue
          this.store.delete(d.resource, d.object.metadata.namespace, d.object.metadata.name!, {
            propagationPolicy: ref?.blockOwnerDeletion ? 'Foreground' : 'Background',
            preconditions: { uid: d.object.metadata.uid },
          })
        }
      }
      if (blocking === 0) this.removeFinalizer(resource, ns, name, 'foregroundDeletion')
    }
  }

  private removeFinalizer(resource: string, ns: string | undefined, name: string, finalizer: string): void {
    this.store.mutate(
      resource,
      ns,
      name,
      (o) => {
        if (!(o.metadata.finalizers ?? []).includes(finalizer)) return false
        o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== finalizer)
        if (!o.metadata.finalizers.length) delete o.metadata.finalizers
      },
      { fieldManager: 'garbage-collector' },
    )
  }

  /** A namespace being deleted: delete its content; when none is left, finalize it. */
  private namespace(name: string): void {
    const ns = this.store.peek('namespaces', undefined, name)
    if (!ns?.metadata.deletionTimestamp) return
    let left = 0
    for (const def of this.store.registry.resources) {
      if (!def.namespaced || !def.verbs.includes('delete')) continue
      for (const obj of this.store.listRaw(def.key, { namespace: name }).items) {
        left++
        if (!obj.metadata.deletionTimestamp) {
          try {
            this.store.delete(def.key, name, obj.metadata.name!, { propagationPolicy: 'Background' })
          } catch (err) {
            ignoreNotFound(err)
          }
        }
      }
    }
    if (left > 0) {
      // Re-check once the deletions (and graceful pod terminations) have run their course.
      let remaining = 0
      for (const def of this.store.registry.resources) if (def.namespaced) remaining += this.store.listRaw(def.key, { namespace: name }).items.length
      if (remaining > 0) return
    }
    const spec = ((ns as Record<string, unknown>).spec ?? {}) as { finalizers?: string[] }
    if (spec.finalizers?.includes('kubernetes')) {
      const next = { ...ns, spec: { ...spec, finalizers: spec.finalizers.filter((f) => f !== 'kubernetes') } } as KubeObject
      this.store.update('namespaces', next, { subresource: 'finalize', fieldManager: 'namespace-controller' })
    }
  }
}
