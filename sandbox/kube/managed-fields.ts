// metadata.managedFields: which field manager owns which fields, in the FieldsV1 format
// (`{"f:spec":{"f:replicas":{}},"f:containers":{"k:{\"name\":\"app\"}":{".":{},…}}}`).
//
// Field sets are kept here as flat sets of paths (segments `f:<field>`, `k:<key json>`,
// `v:<value json>`, joined by "\n") and converted to the tree form for the object. The shape
// of an object (which lists are associative, by which keys) comes from the client-node
// models for built-ins and from the schema for custom resources.

import type { ManagedFieldsEntry, JsonObject, KubeObject } from './json.ts'
import { clone, deepEqual, isObject } from './json.ts'
import { elementType, fieldType, isModel, ssaListType } from './builtin-types.ts'
import type { Schema } from './schema.ts'

export type Shape = { kind: 'model'; type: string } | { kind: 'schema'; schema: Schema } | { kind: 'mapOf'; elem: Shape } | { kind: 'any' }
export type ListKind = { type: 'map'; keys: string[] } | { type: 'set' } | { type: 'atomic' }

const ANY: Shape = { kind: 'any' }

export function shapeOf(def: { model?: string; schema?: Schema }): Shape {
  if (def.schema) return { kind: 'schema', schema: def.schema }
  if (def.model) return { kind: 'model', type: def.model }
  return ANY
}

function shapeOfType(t: string): Shape {
  const el = elementType(t)
  if (el?.kind === 'map') return { kind: 'mapOf', elem: shapeOfType(el.elem) }
  return isModel(t) ? { kind: 'model', type: t } : ANY
}

function shapeOfSchema(s: Schema | undefined): Shape {
  if (!s) return ANY
  if (!s.properties && s.additionalProperties) return { kind: 'mapOf', elem: shapeOfSchema(s.additionalProperties) }
  return { kind: 'schema', schema: s }
}

/** The shape of field `name` of a value of shape `shape`, and its list kind if it is a list. */
export function childShape(shape: Shape, name: string): { shape: Shape; list?: ListKind; elem?: Shape } {
  switch (shape.kind) {
    case 'any':
      return { shape: ANY, list: { type: 'atomic' }, elem: ANY }
    case 'mapOf':
      return fieldShapeFromElem(shape.elem)
    case 'model': {
      const t = fieldType(shape.type, name)
      if (!t) return { shape: ANY, list: { type: 'atomic' }, elem: ANY }
      const el = elementType(t)
      if (el?.kind === 'array') return { shape: ANY, list: ssaListType(shape.type, name), elem: shapeOfType(el.elem) }
      return { shape: shapeOfType(t) }
    }
    case 'schema': {
      const sub = shape.schema.properties?.[name] ?? shape.schema.additionalProperties
      if (sub?.type === 'array') return { shape: ANY, list: { type: 'atomic' }, elem: shapeOfSchema(sub.items) }
      return { shape: shapeOfSchema(sub) }
    }
  }
}

function fieldShapeFromElem(elem: Shape): { shape: Shape; list?: ListKind; elem?: Shape } {
  return { shape: elem, list: { type: 'atomic' }, elem: ANY }
}

// ---- path segments ----
const SEP = '\n'
const f = (name: string) => `f:${name}`

function keySegment(item: Record<string, unknown>, keys: string[], index: number): string {
  const k: Record<string, unknown> = {}
  let any = false
  for (const key of [...keys].sort()) {
    if (item[key] !== undefined) {
      k[key] = item[key]
      any = true
    }
  }
  return any ? `k:${JSON.stringify(k)}` : `i:${index}`
}

/** Root fields that never belong to a manager. */
const IGNORED_META = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'generateName',
])

function rootKeys(obj: Record<string, unknown>, subresource: string | undefined): string[] {
  if (subresource === 'status') return obj.status === undefined ? [] : ['status']
  return Object.keys(obj).filter((k) => k !== 'apiVersion' && k !== 'kind' && k !== 'status')
}

/** All field paths set in `value` (leaves, list items, set members). */
export function fieldSetOf(obj: Record<string, unknown>, shape: Shape, subresource?: string): Set<string> {
  const out = new Set<string>()
  for (const k of rootKeys(obj, subresource)) {
    if (k === 'metadata' && isObject(obj.metadata)) {
      const meta = obj.metadata
      const ms = childShape(shape, 'metadata').shape
      for (const mk of Object.keys(meta)) if (!IGNORED_META.has(mk)) collect(meta[mk], childShape(ms, mk), `${f('metadata')}${SEP}${f(mk)}`, out)
    } else collect(obj[k], childShape(shape, k), f(k), out)
  }
  return out
}

function collect(value: unknown, fs: { shape: Shape; list?: ListKind; elem?: Shape }, path: string, out: Set<string>): void {
  if (value === undefined) return
  if (Array.isArray(value)) {
    const list = fs.list ?? { type: 'atomic' }
    if (list.type === 'map') {
      value.forEach((item, i) => {
        if (!isObject(item)) return
        const p = `${path}${SEP}${keySegment(item, list.keys, i)}`
        out.add(p)
        for (const k of Object.keys(item)) collect(item[k], childShape(fs.elem ?? ANY, k), `${p}${SEP}${f(k)}`, out)
      })
    } else if (list.type === 'set') {
      for (const v of value) out.add(`${path}${SEP}v:${JSON.stringify(v)}`)
    } else out.add(path)
    return
  }
  if (isObject(value) && fs.shape.kind !== 'any') {
    const keys = Object.keys(value)
    if (keys.length === 0) {
      out.add(path)
      return
    }
    for (const k of keys) collect(value[k], childShape(fs.shape, k), `${path}${SEP}${f(k)}`, out)
    return
  }
  if (isObject(value)) {
    // Untyped objects: own each leaf (like a granular map).
    const keys = Object.keys(value)
    if (keys.length === 0) out.add(path)
    for (const k of keys) collect(value[k], { shape: ANY, list: { type: 'atomic' } }, `${path}${SEP}${f(k)}`, out)
    return
  }
  out.add(path)
}

/** Paths whose value was added or changed between `oldObj` and `newObj`, and paths that were removed. */
function diffFieldSets(
  oldObj: Record<string, unknown> | undefined,
  newObj: Record<string, unknown>,
  shape: Shape,
  subresource?: string,
): { changed: Set<string>; removed: Set<string> } {
  const oldSet = oldObj ? fieldSetOf(oldObj, shape, subresource) : new Set<string>()
  const newSet = fieldSetOf(newObj, shape, subresource)
  const changed = new Set<string>()
  const removed = new Set<string>()
  for (const p of newSet) {
    if (!oldSet.has(p) || !deepEqual(valueAt(oldObj, p), valueAt(newObj, p))) changed.add(p)
  }
  for (const p of oldSet) if (!newSet.has(p)) removed.add(p)
  return { changed, removed }
}

/** The value at a field-set path (undefined when absent; list items and set members resolve to themselves). */
export function valueAt(obj: unknown, path: string): unknown {
  let cur: unknown = obj
  for (const seg of path.split(SEP)) {
    if (cur === undefined || cur === null) return undefined
    if (seg.startsWith('f:')) {
      cur = isObject(cur) ? cur[seg.slice(2)] : undefined
    } else if (seg.startsWith('k:')) {
      if (!Array.isArray(cur)) return undefined
      const key = JSON.parse(seg.slice(2)) as Record<string, unknown>
      cur = cur.find((item) => isObject(item) && Object.entries(key).every(([k, v]) => deepEqual(item[k], v)))
    } else if (seg.startsWith('v:')) {
      if (!Array.isArray(cur)) return undefined
      const v = JSON.parse(seg.slice(2)) as unknown
      return cur.some((x) => deepEqual(x, v)) ? v : undefined
    } else if (seg.startsWith('i:')) {
      cur = Array.isArray(cur) ? cur[Number(seg.slice(2))] : undefined
    }
  }
  return cur
}

/** Removes the field at `path` from `obj` (mutates). */
export function removeAt(obj: Record<string, unknown>, path: string): void {
  const segs = path.split(SEP)
  let cur: unknown = obj
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]
    const last = i === segs.length - 1
    if (seg.startsWith('f:')) {
      if (!isObject(cur)) return
      if (last) delete cur[seg.slice(2)]
      else cur = cur[seg.slice(2)]
    } else if (seg.startsWith('k:') || seg.startsWith('i:')) {
      if (!Array.isArray(cur)) return
      let idx: number
      if (seg.startsWith('i:')) idx = Number(seg.slice(2))
      else {
        const key = JSON.parse(seg.slice(2)) as Record<string, unknown>
        idx = cur.findIndex((item) => isObject(item) && Object.entries(key).every(([k, v]) => deepEqual(item[k], v)))
      }
      if (idx < 0) return
      if (last) cur.splice(idx, 1)
      else cur = cur[idx]
    } else if (seg.startsWith('v:')) {
      if (!Array.isArray(cur)) return
      const v = JSON.parse(seg.slice(2)) as unknown
      const idx = cur.findIndex((x) => deepEqual(x, v))
      if (idx >= 0) cur.splice(idx, 1)
      return
    }
  }
}

/** `.spec.template.spec.containers[name="app"].image`, as conflict messages print paths. */
export function renderPath(path: string): string {
  let out = ''
  for (const seg of path.split(SEP)) {
    if (seg.startsWith('f:')) out += `.${seg.slice(2)}`
    else if (seg.startsWith('k:')) {
      const key = JSON.parse(seg.slice(2)) as Record<string, unknown>
      out += `[${Object.entries(key)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`
    } else if (seg.startsWith('v:')) out += `[=${seg.slice(2)}]`
    else if (seg.startsWith('i:')) out += `[${seg.slice(2)}]`
  }
  return out
}

// ---- FieldsV1 tree <-> flat set ----

function toFieldsV1(set: Set<string>): JsonObject {
  const root: JsonObject = {}
  for (const p of [...set].sort()) {
    let node = root
    for (const seg of p.split(SEP)) {
      node[seg] ??= {}
      node = node[seg] as JsonObject
    }
    node['.'] = {}
  }
  // A member with no children is written `{}`; one with children keeps `".": {}`.
  const tidy = (node: JsonObject): void => {
    for (const [k, v] of Object.entries(node)) {
      if (k === '.') continue
      const child = v as JsonObject
      const keys = Object.keys(child)
      if (keys.length === 1 && keys[0] === '.') node[k] = {}
      else {
        if (child['.'] !== undefined) {
          // keep "." first, as the apiserver writes it
          const rest = { ...child }
          delete rest['.']
          node[k] = { '.': {}, ...rest }
        }
        tidy(node[k] as JsonObject)
      }
    }
  }
  tidy(root)
  return root
}

function fromFieldsV1(tree: unknown): Set<string> {
  const out = new Set<string>()
  const walk = (node: unknown, path: string[]) => {
    if (!isObject(node)) return
    const keys = Object.keys(node)
    if (keys.length === 0 && path.length > 0) out.add(path.join(SEP))
    for (const k of keys) {
      if (k === '.') out.add(path.join(SEP))
      else walk(node[k], [...path, k])
    }
  }
  walk(tree, [])
  return out
}

export interface ManagerState {
  manager: string
  operation: 'Apply' | 'Update'
  apiVersion: string
  time: string
  subresource?: string
  fields: Set<string>
}

export function readManagers(obj: KubeObject): ManagerState[] {
  return (obj.metadata.managedFields ?? []).map((e) => ({
    manager: e.manager,
    operation: e.operation,
    apiVersion: e.apiVersion,
    time: e.time,
    subresource: e.subresource,
    fields: fromFieldsV1(e.fieldsV1),
  }))
}

export function writeManagers(states: ManagerState[]): ManagedFieldsEntry[] | undefined {
  const entries = states
    .filter((s) => s.fields.size > 0)
    .map((s) => {
      const e: ManagedFieldsEntry = {
        manager: s.manager,
        operation: s.operation,
        apiVersion: s.apiVersion,
        time: s.time,
        fieldsType: 'FieldsV1',
        fieldsV1: toFieldsV1(s.fields),
      }
      if (s.subresource) e.subresource = s.subresource
      return e
    })
  return entries.length ? entries : undefined
}

export interface ManagerRef {
  manager: string
  operation: 'Apply' | 'Update'
  apiVersion: string
  subresource?: string
  time: string
}

function sameManager(s: ManagerState, m: ManagerRef): boolean {
  return s.manager === m.manager && s.operation === m.operation && (s.subresource ?? '') === (m.subresource ?? '')
}

/**
 * Records a non-apply write (create, update, patch) in `newObj.metadata.managedFields`: the
 * manager takes the fields it changed, which every other manager loses; removed fields leave
 * every set. Mutates and returns `newObj`.
 */
export function recordUpdate(oldObj: KubeObject | undefined, newObj: KubeObject, shape: Shape, ref: ManagerRef): KubeObject {
  const states = oldObj ? readManagers(oldObj) : []
  const { changed, removed } = diffFieldSets(oldObj, newObj, shape, ref.subresource)
  if (changed.size === 0 && removed.size === 0) {
    newObj.metadata.managedFields = oldObj?.metadata.managedFields ? clone(oldObj.metadata.managedFields) : undefined
    if (!newObj.metadata.managedFields) delete newObj.metadata.managedFields
    return newObj
  }
  for (const s of states) {
    if (sameManager(s, ref)) continue
    for (const p of changed) s.fields.delete(p)
    for (const p of removed) s.fields.delete(p)
  }
  let mine = states.find((s) => sameManager(s, ref))
  if (!mine) {
    mine = { ...ref, fields: new Set() }
    states.push(mine)
  }
  for (const p of removed) mine.fields.delete(p)
  for (const p of changed) mine.fields.add(p)
  if (changed.size > 0) {
    mine.time = ref.time
    mine.apiVersion = ref.apiVersion
  }
  const entries = writeManagers(states)
  if (entries) newObj.metadata.managedFields = entries
  else delete newObj.metadata.managedFields
  return newObj
}
