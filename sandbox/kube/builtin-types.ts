// What the sandbox knows about built-in kinds' fields, without hand-writing their schemas:
// field names and types come from @kubernetes/client-node's generated models
// (`V1PodSpec.attributeTypeMap`), and list merge keys (the `patchMergeKey`/`patchStrategy`
// tags of the Go types) from the small table below. Used for strict field validation
// (unknown fields), strategic merge patch, and server-side apply's associative lists.

import { createRequire } from 'node:module'

interface Attribute {
  name: string
  baseName: string
  type: string
  format: string
}

const require = createRequire(import.meta.url)

/**
 * One generated model, loaded when first asked for: each is a module of its own with no imports,
 * and client-node's index loads all 2,700 of them (a second of the daemon's start), where the
 * sandbox's clusters use a few hundred.
 */
function model(typeName: string): { attributeTypeMap?: Attribute[] } | undefined {
  if (!/^[A-Za-z0-9]+$/.test(typeName)) return undefined
  try {
    const exports = require(`@kubernetes/client-node/dist/gen/models/${typeName}.js`) as Record<string, { attributeTypeMap?: Attribute[] }>
    return exports[typeName]
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined
    throw error
  }
}
const fieldCache = new Map<string, Map<string, string> | null>()
const formatCache = new Map<string, Map<string, string>>()

/** JSON field name → type string (`string`, `Array<V1Container>`, `{ [key: string]: string; }`, `V1PodSpec`). */
function fieldsOf(typeName: string): Map<string, string> | null {
  let cached = fieldCache.get(typeName)
  if (cached !== undefined) return cached
  const attrs = model(typeName)?.attributeTypeMap
  cached = attrs ? new Map(attrs.map((a) => [a.baseName, a.type])) : null
  fieldCache.set(typeName, cached)
  if (attrs) formatCache.set(typeName, new Map(attrs.map((a) => [a.baseName, a.format])))
  return cached
}

/** `Array<X>` → X, `{ [key: string]: X; }` → X, else undefined. */
export function elementType(type: string): { kind: 'array' | 'map'; elem: string } | undefined {
  let m = /^Array<(.+)>$/.exec(type)
  if (m) return { kind: 'array', elem: m[1] }
  m = /^\{ \[key: string\]: (.+); \}$/.exec(type)
  if (m) return { kind: 'map', elem: m[1] }
  return undefined
}

export function isModel(type: string): boolean {
  return fieldsOf(type) !== null
}

export interface ListMeta {
  /** `merge` lists merge by key (maps) or by value (primitives); others are replaced whole. */
  strategy: 'merge' | 'replace'
  /** Merge key for lists of objects. */
  mergeKey?: string
  /** retainKeys strategy on the list items / the field (volumes, deployment strategy). */
  retainKeys?: boolean
}

// patchStrategy / patchMergeKey of the built-in Go types the sandbox serves (k8s.io/api),
// keyed by `<client-node model>.<json field>`.
const LIST_META: Record<string, ListMeta> = {
  'V1ObjectMeta.finalizers': { strategy: 'merge' },
  'V1ObjectMeta.ownerReferences': { strategy: 'merge', mergeKey: 'uid' },
  'V1PodSpec.containers': { strategy: 'merge', mergeKey: 'name' },
  'V1PodSpec.initContainers': { strategy: 'merge', mergeKey: 'name' },
  'V1PodSpec.ephemeralContainers': { strategy: 'merge', mergeKey: 'name' },
  'V1PodSpec.volumes': { strategy: 'merge', mergeKey: 'name', retainKeys: true },
  'V1PodSpec.imagePullSecrets': { strategy: 'merge', mergeKey: 'name' },
  'V1PodSpec.hostAliases': { strategy: 'merge', mergeKey: 'ip' },
  'V1PodSpec.topologySpreadConstraints': { strategy: 'merge', mergeKey: 'topologyKey' },
  'V1PodSpec.schedulingGates': { strategy: 'merge', mergeKey: 'name' },
  'V1PodSpec.resourceClaims': { strategy: 'merge', mergeKey: 'name', retainKeys: true },
  'V1Container.ports': { strategy: 'merge', mergeKey: 'containerPort' },
  'V1Container.env': { strategy: 'merge', mergeKey: 'name' },
  'V1Container.volumeMounts': { strategy: 'merge', mergeKey: 'mountPath' },
  'V1Container.volumeDevices': { strategy: 'merge', mergeKey: 'devicePath' },
  'V1EphemeralContainer.env': { strategy: 'merge', mergeKey: 'name' },
  'V1EphemeralContainer.volumeMounts': { strategy: 'merge', mergeKey: 'mountPath' },
  'V1EphemeralContainer.volumeDevices': { strategy: 'merge', mergeKey: 'devicePath' },
  'V1PodStatus.conditions': { strategy: 'merge', mergeKey: 'type' },
  'V1PodStatus.podIPs': { strategy: 'merge', mergeKey: 'ip' },
  'V1PodStatus.hostIPs': { strategy: 'merge', mergeKey: 'ip' },
  'V1PodStatus.resourceClaimStatuses': { strategy: 'merge', mergeKey: 'name', retainKeys: true },
  'V1NodeSpec.podCIDRs': { strategy: 'merge' },
  'V1NodeStatus.conditions': { strategy: 'merge', mergeKey: 'type' },
  'V1NodeStatus.addresses': { strategy: 'merge', mergeKey: 'type' },
  'V1ServiceSpec.ports': { strategy: 'merge', mergeKey: 'port' },
  'V1ServiceAccount.secrets': { strategy: 'merge', mergeKey: 'name' },
  'V1DeploymentStatus.conditions': { strategy: 'merge', mergeKey: 'type' },
  'V1ReplicaSetStatus.conditions': { strategy: 'merge', mergeKey: 'type' },
  'V1DaemonSetStatus.conditions': { strategy: 'merge', mergeKey: 'type' },
  'V1NamespaceStatus.conditions': { strategy: 'merge', mergeKey: 'type' },
  'V1ServiceStatus.conditions': { strategy: 'merge', mergeKey: 'type' },
}

// Server-side apply: associative lists (listType=map) and sets (listType=set) of the built-ins,
// beyond the merge-keyed lists above (whose key is the list-map key).
const SSA_LIST_KEYS: Record<string, string[]> = {
  'V1ServiceSpec.ports': ['port', 'protocol'],
  'V1Container.ports': ['containerPort', 'protocol'],
  'V1PodSpec.topologySpreadConstraints': ['topologyKey', 'whenUnsatisfiable'],
}

export function listMeta(typeName: string, field: string): ListMeta | undefined {
  return LIST_META[`${typeName}.${field}`]
}

/** SSA list type of a built-in field: `map` with keys, `set`, or `atomic`. */
export function ssaListType(typeName: string, field: string): { type: 'map'; keys: string[] } | { type: 'set' } | { type: 'atomic' } {
  const keys = SSA_LIST_KEYS[`${typeName}.${field}`]
  if (keys) return { type: 'map', keys }
  const meta = listMeta(typeName, field)
  if (meta?.mergeKey) return { type: 'map', keys: [meta.mergeKey] }
  if (meta?.strategy === 'merge') return { type: 'set' }
  return { type: 'atomic' }
}

/** Type name of a field of a model (`V1PodSpec`, `containers`) → `Array<V1Container>`. */
export function fieldType(typeName: string | undefined, field: string): string | undefined {
  if (!typeName) return undefined
  return fieldsOf(typeName)?.get(field)
}

/**
 * Unknown fields of a built-in object, by its model (`V1Deployment`), as dotted paths
 * (`spec.bogus`, `spec.template.spec.containers[0].bogus`). With `prune` they are removed,
 * as decoding into Go structs drops them.
 */
export function unknownFields(typeName: string, value: unknown, path = '', prune = false, out: string[] = []): string[] {
  const fields = fieldsOf(typeName)
  if (!fields || typeof value !== 'object' || value === null || Array.isArray(value)) return out
  const obj = value as Record<string, unknown>
  for (const key of Object.keys(obj)) {
    const p = path ? `${path}.${key}` : key
    const t = fields.get(key)
    if (t === undefined) {
      out.push(p)
      if (prune) delete obj[key]
      continue
    }
    walkType(t, obj[key], p, prune, out)
  }
  return out
}

function walkType(type: string, value: unknown, path: string, prune: boolean, out: string[]): void {
  if (value === null || value === undefined) return
  const el = elementType(type)
  if (el?.kind === 'array') {
    if (Array.isArray(value)) value.forEach((v, i) => walkType(el.elem, v, `${path}[${i}]`, prune, out))
  } else if (el?.kind === 'map') {
    if (typeof value === 'object' && !Array.isArray(value)) for (const [k, v] of Object.entries(value)) walkType(el.elem, v, `${path}[${k}]`, prune, out)
  } else if (isModel(type)) {
    unknownFields(type, value, path, prune, out)
  }
}

// Quantity-valued fields: client-node types them as strings, but Go's resource.Quantity also
// decodes a JSON number (`cpu: 2`), so numbers are accepted there.
const QUANTITY_MAPS = new Set([
  'limits',
  'requests',
  'capacity',
  'allocatable',
  'overhead',
  'hard',
  'used',
  'max',
  'min',
  'default',
  'defaultRequest',
  'maxLimitRequestRatio',
  'systemReserved',
  'kubeReserved',
])
const QUANTITY_SCALARS = new Set(['sizeLimit'])

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array'
  if (v === null) return 'null'
  if (typeof v === 'object') return 'object'
  return typeof v
}

/** Go's type name for a client-node type (`V1PodSpec` → `v1.PodSpec`, `number`/int32 → `int32`). */
function goType(type: string, format: string): string {
  if (type === 'string' || type === 'Date') return 'string'
  if (type === 'boolean') return 'bool'
  if (type === 'number') return format === 'double' ? 'float64' : format || 'int64'
  const el = elementType(type)
  if (el?.kind === 'array') return `[]${goType(el.elem, '')}`
  if (el?.kind === 'map') return `map[string]${goType(el.elem, '')}`
  return `v1.${type.replace(/^(?:Core|Events|Storage|Rbac|Discovery|Flowcontrol|Resource)?V\d\w*?(?=[A-Z])/, '')}`
}

const goStruct = (model: string) => model.replace(/^(?:Core|Events|Storage|Rbac|Discovery|Flowcontrol|Resource)?V\d\w*?(?=[A-Z])/, '')

/**
 * The first value whose JSON type cannot decode into the built-in Go type, worded as Go's
 * encoding/json words it (`json: cannot unmarshal bool into Go struct field
 * ObjectMeta.metadata.labels of type string`); undefined when the object decodes.
 */
export function decodeError(typeName: string, value: unknown, path = ''): string | undefined {
  const fields = fieldsOf(typeName)
  if (!fields || typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const t = fields.get(key)
    if (t === undefined || v === null || v === undefined) continue
    const p = path ? `${path}.${key}` : key
    const err = checkValue(t, formatCache.get(typeName)?.get(key) ?? '', v, p, goStruct(typeName), key)
    if (err) return err
  }
  return undefined
}

function checkValue(type: string, format: string, v: unknown, path: string, struct: string, field: string): string | undefined {
  const fail = () =>
    `json: cannot unmarshal ${jsonType(v) === 'boolean' ? 'bool' : jsonType(v)} into Go struct field ${struct}.${path} of type ${goType(type, format)}`
  if (v === null) return undefined
  switch (type) {
    case 'string':
      if (typeof v === 'string') return undefined
      if (typeof v === 'number' && QUANTITY_SCALARS.has(field)) return undefined
      return fail()
    case 'Date':
      return typeof v === 'string' ? undefined : fail()
    case 'number':
      return typeof v === 'number' ? undefined : fail()
    case 'boolean':
      return typeof v === 'boolean' ? undefined : fail()
    case 'IntOrString':
      return typeof v === 'string' || typeof v === 'number' ? undefined : fail()
    case 'any':
      return undefined
  }
  const el = elementType(type)
  if (el?.kind === 'array') {
    if (!Array.isArray(v)) return fail()
    for (const [i, item] of v.entries()) {
      if (item === null) continue
      const err = isModel(el.elem)
        ? typeof item === 'object' && !Array.isArray(item)
          ? decodeError(el.elem, item, `${path}[${i}]`)
          : `json: cannot unmarshal ${jsonType(item)} into Go struct field ${struct}.${path} of type ${goType(el.elem, '')}`
        : checkValue(el.elem, '', item, path, struct, field)
      if (err) return err
    }
    return undefined
  }
  if (el?.kind === 'map') {
    if (typeof v !== 'object' || Array.isArray(v)) return fail()
    for (const item of Object.values(v as Record<string, unknown>)) {
      if (item === null) continue
      if (el.elem === 'string' && typeof item === 'number' && QUANTITY_MAPS.has(field)) continue
      const err = isModel(el.elem) ? decodeError(el.elem, item, path) : checkValue(el.elem, '', item, path, struct, field)
      if (err) return err
    }
    return undefined
  }
  if (isModel(type)) {
    if (typeof v !== 'object' || Array.isArray(v)) return fail()
    return decodeError(type, v, path)
  }
  return undefined
}
