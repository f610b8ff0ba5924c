// Status conditions as Karpenter 1.x keeps them: awslabs/operatorpkg status.ConditionSet at the
// version karpenter 1.9 pins (go.mod: github.com/awslabs/operatorpkg v0.0.0-20251222193911-34e9a1898737,
// status/condition_set.go). A "Ready" root condition summarises the dependents; every condition
// carries a reason (SetTrue uses the type as reason), a message ("" when none) and the object's
// generation; dependents first appear Unknown "AwaitingReconciliation". Transitions are reported
// as Normal events "Status condition transitioned, …" (status/controller.go) — see `transitions`.

import type { ConditionV1 } from './api.ts'

const READY = 'Ready'

export interface ConditionOwner {
  metadata: { generation?: number; creationTimestamp?: string; deletionTimestamp?: string }
  status?: { conditions?: ConditionV1[] }
}

/** A condition set over one object's `status.conditions` (mutated in place, like the Go helper). */
export class ConditionSet {
  private readonly object: ConditionOwner
  private readonly dependents: readonly string[]
  private readonly now: () => string

  /** `NewReadyConditions(dependents...).For(object)`: missing root/dependent conditions start Unknown. */
  constructor(object: ConditionOwner, dependents: readonly string[], now: () => string) {
    this.object = object
    this.dependents = dependents.filter((d, i) => d !== READY && dependents.indexOf(d) === i)
    this.now = now
    for (const t of [READY, ...this.dependents]) if (!this.get(t)) this.setUnknown(t)
  }

  private get generation(): number {
    return this.object.metadata.generation ?? 1
  }

  list(): ConditionV1[] {
    return this.object.status?.conditions ?? []
  }

  get(type: string): ConditionV1 | undefined {
    return this.list().find((c) => c.type === type)
  }

  isTrue(...types: string[]): boolean {
    return types.every((t) => this.get(t)?.status === 'True')
  }

  private isDependent(type: string): boolean {
    return type === READY || this.dependents.includes(type)
  }

  /** Sets a condition; false when nothing changed. The root (Ready) is recomputed after a dependent changes. */
  set(next: Omit<ConditionV1, 'lastTransitionTime' | 'observedGeneration'>): boolean {
    const condition: ConditionV1 = { ...next, lastTransitionTime: '', observedGeneration: this.generation }
    const kept: ConditionV1[] = []
    let found = false
    for (const c of this.list()) {
      if (c.type !== condition.type) {
        kept.push(this.object.metadata.deletionTimestamp ? { ...c, observedGeneration: this.generation } : c)
        continue
      }
      found = true
      condition.lastTransitionTime = condition.status === c.status ? c.lastTransitionTime : this.now()
      if (sameCondition(condition, c)) return false
    }
    if (!found) condition.lastTransitionTime = this.isDependent(condition.type) ? (this.object.metadata.creationTimestamp ?? this.now()) : this.now()
    kept.push(condition)
    // sort.SliceStable: the root last, the others by transition time.
    const sorted = kept
      .map((c, i) => ({ c, i }))
      .sort((a, b) => {
        if (a.c.type === READY || b.c.type === READY) return (a.c.type === READY ? 1 : 0) - (b.c.type === READY ? 1 : 0)
        return Date.parse(a.c.lastTransitionTime) - Date.parse(b.c.lastTransitionTime) || a.i - b.i
      })
      .map((x) => x.c)
    this.object.status = { ...(this.object.status ?? {}), conditions: sorted }
    this.recomputeRoot(condition.type)
    return true
  }

  /** Removes a non-dependent condition (e.g. Consolidatable, Drifted). */
  clear(type: string): boolean {
    if (this.isDependent(type)) throw new Error(`clearing dependent condition ${type} is not implemented (operatorpkg)`)
    if (!this.get(type)) return false
    const rest = this.list()
      .filter((c) => c.type !== type)
      .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0))
    this.object.status = { ...(this.object.status ?? {}), conditions: rest }
    return true
  }

  setTrue(type: string, reason = type, message = ''): boolean {
    return this.set({ type, status: 'True', reason, message })
  }

  setFalse(type: string, reason: string, message = ''): boolean {
    return this.set({ type, status: 'False', reason, message })
  }

  setUnknown(type: string, reason = 'AwaitingReconciliation', message = 'object is awaiting reconciliation'): boolean {
    return this.set({ type, status: 'Unknown', reason, message })
  }

  private recomputeRoot(type: string): void {
    if (type === READY) return
    const unhealthy = this.list()
      .filter((c) => this.dependents.includes(c.type))
      .filter((c) => c.status !== 'True' || c.observedGeneration !== this.generation)
      .sort((a, b) => Date.parse(b.lastTransitionTime) - Date.parse(a.lastTransitionTime))
    if (this.dependents.length === 0 || unhealthy.length === 0) {
      this.setTrue(READY)
      return
    }
    const status = unhealthy.some((c) => c.status === 'False' && c.observedGeneration === this.generation) ? 'False' : 'Unknown'
    this.set({
      type: READY,
      status,
      reason: status === 'Unknown' ? 'ReconcilingDependents' : 'UnhealthyDependents',
      message: unhealthy.map((c) => `${c.type}=${c.status}`).join(', '),
    })
  }
}

function sameCondition(a: ConditionV1, b: ConditionV1): boolean {
  return (
    a.type === b.type &&
    a.status === b.status &&
    a.reason === b.reason &&
    a.message === b.message &&
    a.lastTransitionTime === b.lastTransitionTime &&
    a.observedGeneration === b.observedGeneration
  )
}

/** status/controller.go: the Normal events for conditions whose status changed between two observations. */
export function transitions(before: readonly ConditionV1[] | undefined, after: readonly ConditionV1[] | undefined): { reason: string; message: string }[] {
  const out: { reason: string; message: string }[] = []
  for (const c of after ?? []) {
    const old = (before ?? []).find((b) => b.type === c.type)
    if (!old || old.status === c.status) continue
    out.push({
      reason: c.type,
      message: `Status condition transitioned, Type: ${c.type}, Status: ${old.status} -> ${c.status}, Reason: ${c.reason}${c.message ? `, Message: ${c.message}` : ''}`,
    })
  }
  return out
}

/** The condition types of each kind (nodepool_status.go, nodeclaim_status.go, ec2nodeclass_status.go). */
export const NODEPOOL_CONDITIONS = ['ValidationSucceeded', 'NodeClassReady'] as const
export const NODECLAIM_CONDITIONS = ['Launched', 'Registered', 'Initialized'] as const
export const NODECLASS_CONDITIONS = ['AMIsReady', 'SubnetsReady', 'SecurityGroupsReady', 'InstanceProfileReady', 'ValidationSucceeded'] as const
