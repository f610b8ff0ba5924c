// The reconcile loop every in-process controller runs on, as controller-runtime gives them to
// Kubernetes controllers: watch events enqueue keys; up to `maxConcurrentReconciles` keys are
// reconciled at once (one by default), never the same key twice concurrently; a reconcile may ask
// to be called again after a delay in tutorial time; a failing reconcile is retried with
// exponential backoff and logged, never lost.

import type { Clock, ClockTimer } from './clock.ts'

interface ReconcileResult {
  /** Reconcile this key again after this much tutorial time. */
  requeueAfterMs?: number
}

export interface ControllerOptions {
  name: string
  clock: Clock
  reconcile: (key: string) => Promise<ReconcileResult | void> | ReconcileResult | void
  log?: (line: string) => void
  /** First retry delay after an error, in tutorial time (doubles up to maxBackoffMs). */
  baseBackoffMs?: number
  maxBackoffMs?: number
  /** controller-runtime's MaxConcurrentReconciles (default 1). */
  maxConcurrentReconciles?: number
}

export class Controller {
  readonly name: string
  private readonly options: ControllerOptions
  private readonly queue = new Set<string>()
  private readonly timers = new Map<string, ClockTimer>()
  private readonly failures = new Map<string, number>()
  /** Keys being reconciled right now. */
  private readonly active = new Set<string>()
  private scheduled = false
  private stopped = false
  private idleWaiters: (() => void)[] = []

  constructor(options: ControllerOptions) {
    this.name = options.name
    this.options = options
  }

  /** Schedules a reconcile of `key` now (coalesced with a pending one). */
  enqueue(key: string): void {
    if (this.stopped) return
    const timer = this.timers.get(key)
    if (timer) {
      this.options.clock.clear(timer)
      this.timers.delete(key)
    }
    this.queue.add(key)
    this.kick()
  }

  /**
   * Schedules a reconcile of the object's controlling owner when it is a `kind` (controller-runtime's
   * EnqueueRequestForOwner with OnlyControllerOwner): a ReplicaSet for its pods, and so on.
   */
  enqueueOwner(kind: string, object: { metadata: { namespace?: string; ownerReferences?: { kind: string; name: string; controller?: boolean }[] } }): void {
    for (const ref of object.metadata.ownerReferences ?? []) {
      if (ref.controller && ref.kind === kind) this.enqueue(`${object.metadata.namespace}/${ref.name}`)
    }
  }

  /** Schedules a reconcile of `key` after `delayMs` of tutorial time (an earlier enqueue wins). */
  enqueueAfter(key: string, delayMs: number): void {
    if (this.stopped || this.queue.has(key)) return
    const existing = this.timers.get(key)
    if (existing) this.options.clock.clear(existing)
    const timer = this.options.clock.setTimeout(() => {
      this.timers.delete(key)
      this.enqueue(key)
    }, delayMs)
    timer.unref()
    this.timers.set(key, timer)
  }

  stop(): void {
    this.stopped = true
    for (const t of this.timers.values()) this.options.clock.clear(t)
    this.timers.clear()
    this.queue.clear()
  }

  /** Resolves once the queue is empty and nothing is being reconciled (for tests). */
  idle(): Promise<void> {
    if (this.active.size === 0 && this.queue.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  private kick(): void {
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      this.pump()
    })
  }

  /** Starts reconciles for queued keys not already in progress, up to the concurrency limit. */
  private pump(): void {
    const limit = Math.max(1, this.options.maxConcurrentReconciles ?? 1)
    while (!this.stopped && this.active.size < limit) {
      let next: string | undefined
      for (const key of this.queue) {
        if (!this.active.has(key)) {
          next = key
          break
        }
      }
      if (next === undefined) break
      this.queue.delete(next)
      this.active.add(next)
      void this.run(next)
    }
    if (this.active.size === 0 && (this.queue.size === 0 || this.stopped)) {
      const waiters = this.idleWaiters
      this.idleWaiters = []
      for (const w of waiters) w()
    }
  }

  private async run(key: string): Promise<void> {
    try {
      const result = await this.options.reconcile(key)
      this.failures.delete(key)
      if (result?.requeueAfterMs !== undefined) this.enqueueAfter(key, result.requeueAfterMs)
    } catch (error) {
      const n = (this.failures.get(key) ?? 0) + 1
      this.failures.set(key, n)
      const base = this.options.baseBackoffMs ?? 1_000
      const delay = Math.min(base * 2 ** (n - 1), this.options.maxBackoffMs ?? 60_000)
      this.options.log?.(
        `${this.name}: reconciling ${key} failed (attempt ${n}, retry in ${delay} ms tutorial time): ${(error as Error).stack ?? String(error)}`,
      )
      this.enqueueAfter(key, delay)
    } finally {
      this.active.delete(key)
      this.pump()
    }
  }
}
