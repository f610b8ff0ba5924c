// Strategic merge patch (`application/strategic-merge-patch+json`) for built-in kinds.
//
// Like a JSON merge patch, except that lists declared `patchStrategy=merge` merge: lists of
// objects by their merge key (containers by name, ports by containerPort, conditions by
// type), primitive lists by value (finalizers). Directives handled: `$patch: replace|delete|
// merge` (on maps and list items), `$retainKeys`, `$setElementOrder/<list>`,
// `$deleteFromPrimitiveList/<list>`, and `null` to delete a field. The list metadata comes
// from builtin-types.ts, walked in step with the object's type (`V1Deployment` → …).

import { ApiError, badRequest } from '../errors.ts'
import { clone, deepEqual, isObject, txt } from '../json.ts'
import { elementType, fieldType, isModel, listMeta, type ListMeta } from '../builtin-types.ts'

const DELETE = Symbol('delete')
// `unknown` already admits the DELETE marker; the alias documents that mergeMap may return it.
type Result = unknown

/** Applies `patch` to `original` for an object of model type `typeName` (e.g. `V1Deployment`). */
export function strategicMergePatch(original: unknown, patch: unknown, typeName: string): unknown {
  if (!isObject(patch)) throw badRequest("couldn't get version/kind; json parse error: patch is not a JSON object")
  const out = mergeMap(isObject(original) ? original : {}, patch, typeName)
  return out === DELETE ? {} : out
}

function childType(typeName: string | undefined, key: string): string | undefined {
  const t = fieldType(typeName, key)
  if (!t) return undefined
  const el = elementType(t)
  if (el) return isModel(el.elem) ? el.elem : undefined
  return isModel(t) ? t : undefined
}

function isMapField(typeName: string | undefined, key: string): boolean {
  const t = fieldType(typeName, key)
  return t !== undefined && elementType(t)?.kind === 'map'
}

/** Removes directives from a value that is being inserted whole. */
function strip(v: unknown, typeName?: string): unknown {
  if (Array.isArray(v)) return v.filter((x) => !(isObject(x) && x.$patch === 'delete')).map((x) => strip(x, typeName))
  if (!isObject(v)) return v
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('$')) continue
    if (x === null) continue
    out[k] = strip(x, childType(typeName, k))
  }
  return out
}

function mergeMap(original: Record<string, unknown>, patch: Record<string, unknown>, typeName: string | undefined): Result {
  const directive = patch.$patch
  if (directive === 'delete') return DELETE
  if (directive === 'replace') return strip(patch, typeName)
  if (directive !== undefined && directive !== 'merge') throw badRequest(`Unknown patch type: ${txt(directive)}`)

  const result: Record<string, unknown> = clone(original)
  const retain = patch.$retainKeys
  if (retain !== undefined) {
    if (!Array.isArray(retain)) throw badRequest('invalid patch: $retainKeys must be a list')
    for (const k of Object.keys(patch)) {
      if (!k.startsWith('$') && patch[k] !== null && !retain.includes(k))
        throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: retainKeys list does not contain ${k}`)
    }
    for (const k of Object.keys(result)) if (!retain.includes(k)) delete result[k]
  }

  const orders: [string, unknown[]][] = []
  const deletions: [string, unknown[]][] = []
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys') continue
    if (key.startsWith('$setElementOrder/')) {
      if (!Array.isArray(value)) throw badRequest('invalid patch: $setElementOrder list must be a list')
      orders.push([key.slice('$setElementOrder/'.length), value])
      continue
    }
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      if (!Array.isArray(value)) throw badRequest('invalid patch: $deleteFromPrimitiveList must be a list')
      deletions.push([key.slice('$deleteFromPrimitiveList/'.length), value])
      continue
    }
    if (key.startsWith('$')) throw badRequest(`unknown patch directive: ${key}`)
    if (value === null) {
      delete result[key]
      continue
    }
    const sub = childType(typeName, key)
    if (isObject(value)) {
      const cur = result[key]
      // Map-typed fields (labels, nodeSelector) merge like structs; directives still apply.
      const merged = mergeMap(isObject(cur) ? cur : {}, value, isMapField(typeName, key) ? undefined : sub)
      if (merged === DELETE) delete result[key]
      else result[key] = merged
    } else if (Array.isArray(value)) {
      const meta = typeName ? listMeta(typeName, key) : undefined
      if (meta?.strategy === 'merge') result[key] = mergeList(Array.isArray(result[key]) ? (result[key] as unknown[]) : [], value, meta, sub)
      else result[key] = replaceList(value, sub)
    } else {
      result[key] = value
    }
  }
  for (const [field, values] of deletions) {
    const cur = result[field]
    if (Array.isArray(cur)) result[field] = cur.filter((v) => !values.some((d) => deepEqual(d, v)))
  }
  for (const [field, order] of orders) {
    const cur = result[field]
    if (!Array.isArray(cur)) continue
    const meta = typeName ? listMeta(typeName, field) : undefined
    result[field] = applyOrder(cur, order, meta?.mergeKey)
  }
  return result
}

function replaceList(value: unknown[], elemType: string | undefined): unknown[] {
  // `$patch: replace` inside a non-merge list is meaningless; drop directive items.
  return value.filter((x) => !(isObject(x) && (x.$patch === 'replace' || x.$patch === 'delete'))).map((x) => strip(x, elemType))
}

function mergeList(original: unknown[], patch: unknown[], meta: ListMeta, elemType: string | undefined): unknown[] {
  if (patch.some((x) => isObject(x) && x.$patch === 'replace')) {
    return patch.filter((x) => !(isObject(x) && x.$patch === 'replace')).map((x) => strip(x, elemType))
  }
  const key = meta.mergeKey
  if (!key) {
    // Primitive list with merge strategy: union, original order first.
    const out = [...original]
    for (const v of patch) {
      if (isObject(v) || Array.isArray(v)) throw badRequest('invalid patch: a primitive list cannot hold objects')
      if (!out.some((o) => deepEqual(o, v))) out.push(v)
    }
    return out
  }
  const out: unknown[] = original.map((x) => clone(x))
  for (const item of patch) {
    if (!isObject(item)) throw badRequest(`invalid patch: list item ${JSON.stringify(item)} is not a map with merge key ${key}`)
    if (item[key] === undefined) throw badRequest(`map: ${goMap(item)} does not contain declared merge key: ${key}`)
    const idx = out.findIndex((o) => isObject(o) && deepEqual(o[key], item[key]))
    if (item.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1)
      continue
    }
    if (idx >= 0) {
      const merged = mergeMap(out[idx] as Record<string, unknown>, item, elemType)
      if (merged === DELETE) out.splice(idx, 1)
      else out[idx] = merged
    } else {
      const merged = mergeMap({}, item, elemType)
      if (merged !== DELETE) out.push(merged)
    }
  }
  return out
}

function goMap(m: Record<string, unknown>): string {
  return `map[${Object.keys(m)
    .sort()
    .map((k) => `${k}:${typeof m[k] === 'object' ? 'map[]' : txt(m[k])}`)
    .join(' ')}]`
}

/** `$setElementOrder`: items named in `order` come first, in that order; the rest keep their order after. */
function applyOrder(list: unknown[], order: unknown[], mergeKey: string | undefined): unknown[] {
  const keyOf = (x: unknown) => (mergeKey && isObject(x) ? x[mergeKey] : x)
  const orderKeys = order.map((o) => keyOf(o))
  const placed: unknown[] = []
  const rest: unknown[] = []
  const ranked = list.map((item) => ({ item, rank: orderKeys.findIndex((k) => deepEqual(k, keyOf(item))) }))
  for (const r of ranked.filter((r) => r.rank >= 0).sort((a, b) => a.rank - b.rank)) placed.push(r.item)
  for (const r of ranked) if (r.rank < 0) rest.push(r.item)
  return [...placed, ...rest]
}
