// Server-side apply (`application/apply-patch+yaml`, PATCH with `fieldManager`, `force`).
//
// The applied configuration is the manager's whole intent: the fields it names are merged
// into the live object (maps key by key, associative lists by their keys, everything else
// replaced), the fields it named last time but no longer names are removed unless another
// manager also owns them, and a field another manager owns with a different value is a
// conflict (409) unless `force=true`, which takes it over.

import { ApiError } from '../errors.ts'
import { clone, deepEqual, isObject, type KubeObject } from '../json.ts'
import {
  childShape,
  fieldSetOf,
  readManagers,
  removeAt,
  renderPath,
  valueAt,
  writeManagers,
  type ListKind,
  type ManagerState,
  type Shape,
} from '../managed-fields.ts'

export interface ApplyOptions {
  manager: string
  force: boolean
  apiVersion: string
  time: string
  subresource?: string
}

/** Returns the object that results from applying `applied` over `live` (undefined = create). */
export function serverSideApply(live: KubeObject | undefined, applied: KubeObject, shape: Shape, opts: ApplyOptions): KubeObject {
  const states: ManagerState[] = live ? readManagers(live) : []
  const appliedSet = fieldSetOf(applied, shape, opts.subresource)
  const isMine = (s: ManagerState) => s.manager === opts.manager && s.operation === 'Apply' && (s.subresource ?? '') === (opts.subresource ?? '')
  const mine = states.find(isMine)

  // Conflicts: fields another manager owns whose live value differs from the applied one.
  const conflicts: { manager: ManagerState; path: string }[] = []
  if (live) {
    for (const s of states) {
      if (isMine(s)) continue
      if ((s.subresource ?? '') !== (opts.subresource ?? '')) continue
      for (const p of appliedSet) {
        if (!s.fields.has(p)) continue
        const a = valueAt(applied, p)
        const l = valueAt(live, p)
        if (isObject(a) || isObject(l)) continue // list items / maps: ownership of the item, not a value
        if (!deepEqual(a, l)) conflicts.push({ manager: s, path: p })
      }
    }
  }
  if (conflicts.length && !opts.force) throw conflictError(conflicts)
  for (const c of conflicts) c.manager.fields.delete(c.path)

  let result: Record<string, unknown> = live ? clone(live as Record<string, unknown>) : {}
  result = mergeApplied(result, applied, shape, true) as Record<string, unknown>

  // Fields this manager applied before and no longer names are removed, unless shared.
  if (mine) {
    for (const p of mine.fields) {
      if (appliedSet.has(p)) continue
      const sharedWith = states.some((s) => s !== mine && s.fields.has(p))
      if (!sharedWith) removeAt(result, p)
    }
  }
  const next = states.filter((s) => !isMine(s))
  next.push({ manager: opts.manager, operation: 'Apply', apiVersion: opts.apiVersion, time: opts.time, subresource: opts.subresource, fields: appliedSet })
  const out = result as KubeObject
  out.metadata ??= {}
  const entries = writeManagers(next)
  if (entries) out.metadata.managedFields = entries
  else delete out.metadata.managedFields
  return out
}

function conflictError(conflicts: { manager: ManagerState; path: string }[]): ApiError {
  const byManager = new Map<string, { apiVersion: string; paths: string[] }>()
  for (const c of conflicts) {
    const label = c.manager.manager
    const entry = byManager.get(label) ?? { apiVersion: c.manager.apiVersion, paths: [] }
    entry.paths.push(renderPath(c.path))
    byManager.set(label, entry)
  }
  const n = conflicts.length
  const parts: string[] = []
  for (const [m, e] of byManager) {
    if (e.paths.length === 1) parts.push(`conflict with ${JSON.stringify(m)} using ${e.apiVersion}: ${e.paths[0]}`)
    else parts.push(`conflicts with ${JSON.stringify(m)} using ${e.apiVersion}:\n${e.paths.map((p) => `- ${p}`).join('\n')}`)
  }
  const message = `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: ${parts.join('\n')}`
  return new ApiError(409, 'Conflict', message, {
    causes: conflicts.map((c) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with ${JSON.stringify(c.manager.manager)} using ${c.manager.apiVersion}`,
      field: renderPath(c.path),
    })),
  })
}

function mergeApplied(live: unknown, applied: unknown, shape: Shape, root = false, list?: ListKind, elem?: Shape): unknown {
  if (Array.isArray(applied)) {
    if (list?.type === 'map' && Array.isArray(live)) {
      const out: unknown[] = live.map((x: unknown) => clone(x))
      for (const item of applied) {
        if (!isObject(item)) continue
        const idx = out.findIndex((o) => isObject(o) && list.keys.every((k) => deepEqual(o[k], item[k])))
        if (idx >= 0) out[idx] = mergeApplied(out[idx], item, elem ?? { kind: 'any' })
        else out.push(clone(item))
      }
      return out
    }
    if (list?.type === 'set' && Array.isArray(live)) {
      const out: unknown[] = [...(live as unknown[])]
      for (const v of applied) if (!out.some((o) => deepEqual(o, v))) out.push(v)
      return out
    }
    return clone(applied)
  }
  if (isObject(applied) && shape.kind !== 'any') {
    const out: Record<string, unknown> = isObject(live) ? { ...live } : {}
    for (const [k, v] of Object.entries(applied)) {
      if (root && (k === 'apiVersion' || k === 'kind')) {
        out[k] = v
        continue
      }
      if (v === null) {
        delete out[k]
        continue
      }
      const cs = childShape(shape, k)
      out[k] = mergeApplied(out[k], v, cs.shape, false, cs.list, cs.elem)
    }
    return out
  }
  if (isObject(applied)) {
    const out: Record<string, unknown> = isObject(live) ? { ...live } : {}
    for (const [k, v] of Object.entries(applied)) out[k] = v === null ? undefined : mergeApplied(out[k], v, { kind: 'any' })
    return out
  }
  return applied
}
