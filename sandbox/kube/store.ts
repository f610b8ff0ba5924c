// The sandbox cluster's one store: every object of every resource, a single monotonic
// resourceVersion, a bounded per-resource event history, and the watch fan-out that the
// HTTP server and the in-process controllers share.
//
// Writes run the apiserver's pipeline in process: defaulting, pruning or rejecting unknown
// fields, validation (422 Invalid with field paths), optimistic concurrency (409 on a stale
// resourceVersion), managedFields, generation, finalizers and graceful deletion. Objects are
// plain JSON; what the store returns is a copy, and what it keeps is never mutated in place
// (each write stores a new object), so history and watchers can share stored objects.
//
// Watch delivery is synchronous and ordered: a write appends its event to one queue that is
// drained in resourceVersion order; a handler that writes in turn only enqueues, so every
// watcher sees every event once, in order, even when controllers react inside handlers.

import { randomUUID } from 'node:crypto'
import {
  ApiError,
  STALE_OBJECT,
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  gone,
  ignoreNotFound,
  invalid,
  methodNotAllowed,
  notFound,
  type FieldError,
} from './errors.ts'
import { clone, deepEqual, isObject, rfc3339, txt, type KubeObject, type ObjectMeta } from './json.ts'
import { Registry, customResourceDef, type ResourceDef } from './registry.ts'
import {
  FieldSelector,
  LabelSelector,
  parseFieldSelector,
  parseLabelSelector,
  selectableFields,
  supportedFields,
  fromLabelSelectorSpec,
  type LabelSelectorSpec,
} from './selectors.ts'
import { applyDefaults, pruneUnknown, validateSchema } from './schema.ts'
import { decodeError, unknownFields } from './builtin-types.ts'
import { applyBuiltinDefaults, initialStatus, validateBuiltin, validateMetadata } from './validation.ts'
import { mergePatch } from './patch/merge.ts'
import { strategicMergePatch } from './patch/strategic.ts'
import { applyJsonPatch } from './patch/json-patch.ts'
import { serverSideApply } from './patch/apply.ts'
import { recordUpdate, shapeOf } from './managed-fields.ts'
import { crdName, crdObject, type CrdSpec } from './crds/definitions.ts'
import { SAFE_ALPHABET } from './names.ts'

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply'
export const PATCH_CONTENT_TYPES: Record<string, PatchType> = {
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/json-patch+json': 'json',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore'

export interface WriteOptions {
  dryRun?: boolean
  /** Field manager recorded in managedFields (default: "sandbox"). */
  fieldManager?: string
  /** How unknown fields are treated: Ignore (drop, the default in process), Warn, Strict (400). */
  fieldValidation?: FieldValidation
  /** `status` or `scale` (update/patch), `finalize` (namespaces). */
  subresource?: string
  /** Collects warnings (unknown fields with Warn) for the caller to send as `Warning:` headers. */
  warnings?: string[]
}

export interface PatchOptions extends WriteOptions {
  /** Server-side apply: take over conflicting fields. */
  force?: boolean
}

export interface DeleteOptions {
  dryRun?: boolean
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan'
  gracePeriodSeconds?: number
  orphanDependents?: boolean
  preconditions?: { uid?: string; resourceVersion?: string }
}

export interface DeleteResult {
  /** The object as deleted, or as it now stands (deletionTimestamp set) when deletion is pending. */
  object: KubeObject
  /** True when the object is gone from the store. */
  deleted: boolean
}

export interface ListOptions {
  namespace?: string
  labelSelector?: string | LabelSelector
  fieldSelector?: string | FieldSelector
  /** Page size; with `continue`, the token a previous page returned. */
  limit?: number
  continue?: string
}

export interface ListResult {
  items: KubeObject[]
  resourceVersion: string
  continue?: string
  remainingItemCount?: number
}

type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'
export interface WatchEvent {
  type: WatchEventType
  object: KubeObject
}

export interface WatchOptions extends ListOptions {
  /** Start after this resourceVersion; unset or "0" sends the current objects as ADDED first. */
  resourceVersion?: string
  /** With a resourceVersion: still send the current state first (and a bookmark after it). */
  sendInitialEvents?: boolean
  /** Send BOOKMARK events every `bookmarkIntervalMs` (default 60 s) and after initial events. */
  allowBookmarks?: boolean
  bookmarkIntervalMs?: number
  /** Internal: hand out stored objects without copying (the handler must not mutate them). */
  raw?: boolean
  /** Called when the server ends the watch itself (the resource's CRD was deleted). */
  onClose?: () => void
}

export interface StoreEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED'
  resource: string
  rv: number
  object: KubeObject
  previous?: KubeObject
}

export interface StoreOptions {
  registry?: Registry
  /** Events kept per resource for watches that resume from a resourceVersion (default 10,000). */
  historySize?: number
  /** Create the default namespaces, their `default` ServiceAccounts and the `kubernetes` Service (default true). */
  bootstrap?: boolean
  /** CustomResourceDefinitions established from the start (default none: charts bring theirs). */
  crds?: CrdSpec[]
  /** Wall clock (tests may pin it). */
  now?: () => Date
  /**
   * Tutorial time (epoch ms) for the journal of when each resourceVersion was written (default: the
   * wall clock). The sandbox passes its clock's `tutorialNow`.
   */
  tutorialNow?: () => number
}

/** What `Store.dump` returns and `Store.load` takes. */
export interface StoreDump {
  /** The newest resourceVersion handed out. */
  resourceVersion: number
  /**
   * The names of the CustomResourceDefinitions served (their objects are among `objects`). Names,
   * not specs: a spec's CEL rules are code (schema.ts), so the loader takes the specs from the
   * charts that brought them.
   */
  crds: string[]
  /** Every object, by resource key (`pods`, `nodepools.karpenter.sh`). */
  objects: Record<string, KubeObject[]>
  /** When each resourceVersion from `firstRv` on was written, in tutorial ms. */
  journal: { firstRv: number; tutorialMs: number[] }
}

/** How many resourceVersions the tutorial-time journal keeps (the oldest are dropped beyond). */
const JOURNAL_LIMIT = 500_000

/** Options only the store's own code paths pass. */
interface InternalWrite extends WriteOptions {
  /** managedFields computed by server-side apply. */
  managedFields?: KubeObject['metadata']['managedFields']
  keepManagedFields?: boolean
}

interface Table {
  def: ResourceDef
  objects: Map<string, KubeObject>
  sorted: string[] | null
  history: StoreEvent[]
  /** The newest resourceVersion no longer in `history` (0 while nothing was evicted). */
  evictedRv: number
}

interface Watcher {
  resource: string
  namespace?: string
  label: LabelSelector
  field: FieldSelector
  lastRv: number
  handler: (type: WatchEventType, object: KubeObject) => void
  closed: boolean
  timer?: NodeJS.Timeout
  onClose?: () => void
}

function generateSuffix(n = 5): string {
  let s = ''
  for (let i = 0; i < n; i++) s += SAFE_ALPHABET[Math.floor(Math.random() * SAFE_ALPHABET.length)]
  return s
}

const objKey = (namespace: string | undefined, name: string) => (namespace ? `${namespace}/${name}` : name)

export class Store {
  readonly registry: Registry
  private readonly tables = new Map<string, Table>()
  private readonly uids = new Map<string, { resource: string; key: string }>()
  private readonly watchers = new Map<string, Set<Watcher>>()
  private readonly anyWatchers = new Set<(ev: StoreEvent) => void>()
  private readonly historySize: number
  private readonly now: () => Date
  private rv = 0
  private readonly tutorialNow: () => number
  /** The tutorial instant each resourceVersion was written at: rvs `journalFirstRv`, +1, … */
  private journal: number[] = []
  private journalFirstRv = 1
  /** The CRDs installed, as given (a dump carries them, so a loaded store serves the same resources). */
  private readonly crdSpecs = new Map<string, CrdSpec>()
  private readonly queue: StoreEvent[] = []
  private draining = false

  constructor(options: StoreOptions = {}) {
    this.registry = options.registry ?? new Registry()
    this.historySize = options.historySize ?? 10_000
    this.now = options.now ?? (() => new Date())
    this.tutorialNow = options.tutorialNow ?? (() => this.now().getTime())
    for (const def of this.registry.resources) this.tables.set(def.key, { def, objects: new Map(), sorted: null, history: [], evictedRv: 0 })
    if (options.bootstrap !== false) this.bootstrap()
    for (const crd of options.crds ?? []) this.installCrd(crd)
  }

  /**
   * When each resourceVersion after `afterRv` was written, in tutorial time: `[rv, T]` pairs in
   * ascending rv, at most `limit` of them (`more` when there are further ones).
   */
  tutorialTimes(afterRv: number, limit = 5_000): { entries: [number, number][]; more: boolean } {
    const from = Math.max(0, Math.floor(afterRv) + 1 - this.journalFirstRv)
    const to = Math.min(this.journal.length, from + Math.max(0, limit))
    const entries: [number, number][] = []
    for (let i = from; i < to; i++) entries.push([this.journalFirstRv + i, this.journal[i]])
    return { entries, more: to < this.journal.length }
  }

  /** The newest resourceVersion the store has handed out. */
  get resourceVersion(): string {
    return String(this.rv)
  }

  def(resource: string): ResourceDef {
    return this.table(resource).def
  }

  private table(resource: string): Table {
    const def = this.registry.resolve(resource)
    return this.tables.get(def.key)!
  }

  private bootstrap(): void {
    for (const ns of ['default', 'kube-node-lease', 'kube-public', 'kube-system'])
      this.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, { fieldManager: 'kube-apiserver' })
    this.create(
      'services',
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
        spec: { clusterIP: '10.100.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 443 }], type: 'ClusterIP' },
      },
      { fieldManager: 'kube-apiserver' },
    )
  }

  // ------------------------------------------------------------------ custom resource definitions

  /** Whether a CustomResourceDefinition of this name (`nodepools.karpenter.sh`) exists. */
  hasCrd(name: string): boolean {
    return this.tables.get('customresourcedefinitions.apiextensions.k8s.io')!.objects.has(name)
  }

  /**
   * Creates a CustomResourceDefinition and serves its resource at once (established): discovery,
   * OpenAPI, routing and printers follow the registry. 409 when a CRD of that name exists.
   */
  installCrd(spec: CrdSpec): KubeObject {
    const crds = this.tables.get('customresourcedefinitions.apiextensions.k8s.io')!
    const name = crdName(spec)
    if (crds.objects.has(name)) throw alreadyExists('customresourcedefinitions', 'apiextensions.k8s.io', name)
    this.serveCrd(spec)
    const crd = crdObject(spec, rfc3339(this.now()))
    crd.metadata.uid = randomUUID()
    this.commit(crds, 'ADDED', crd, undefined)
    return clone(crd)
  }

  /**
   * Deletes a CustomResourceDefinition as the apiserver does: its custom resources are deleted
   * (watchers see DELETED), open watches on it end, and the resource is no longer served.
   */
  uninstallCrd(name: string): void {
    const crds = this.tables.get('customresourcedefinitions.apiextensions.k8s.io')!
    const crd = crds.objects.get(name)
    if (!crd) throw notFound('customresourcedefinitions', 'apiextensions.k8s.io', name)
    const t = this.tables.get(name)
    if (t) {
      for (const obj of [...t.objects.values()]) this.remove(t, obj, obj)
      for (const w of [...(this.watchers.get(name) ?? [])]) {
        w.closed = true
        if (w.timer) clearInterval(w.timer)
        w.onClose?.()
      }
      this.watchers.delete(name)
      this.tables.delete(name)
      this.registry.remove(name)
    }
    this.crdSpecs.delete(name)
    this.remove(crds, crd, crd)
  }

  private serveCrd(spec: CrdSpec): void {
    const def = customResourceDef(spec)
    this.registry.add(def)
    this.tables.set(def.key, { def, objects: new Map(), sorted: null, history: [], evictedRv: 0 })
    this.crdSpecs.set(crdName(spec), spec)
  }

  // ------------------------------------------------------------------ snapshots

  /**
   * Everything a store holds that outlives a watch: the CRDs it serves, every object, the
   * resourceVersion counter and the tutorial-time journal. Plain JSON (sandbox/snapshot/ writes it).
   * Watch history is left out: a restored store's watches start from its current state.
   */
  dump(): StoreDump {
    const objects: Record<string, KubeObject[]> = {}
    for (const [key, t] of this.tables) if (t.objects.size > 0) objects[key] = [...t.objects.values()].map((o) => clone(o))
    return {
      resourceVersion: this.rv,
      crds: [...this.crdSpecs.keys()],
      objects,
      journal: { firstRv: this.journalFirstRv, tutorialMs: [...this.journal] },
    }
  }

  /**
   * A store holding what `dump` saved: same objects (uids, resourceVersions, timestamps), same
   * CRDs served, resourceVersions continuing after the saved counter. A watch resuming from an
   * older resourceVersion is told 410 Gone, as after an etcd compaction.
   */
  static load(dump: StoreDump, options: Omit<StoreOptions, 'bootstrap' | 'crds'> & { crdCatalog?: CrdSpec[] } = {}): Store {
    const store = new Store({ ...options, bootstrap: false })
    const catalog = new Map((options.crdCatalog ?? []).map((c) => [crdName(c), c]))
    for (const name of dump.crds) {
      const spec = catalog.get(name)
      if (!spec) throw new Error(`store dump: CRD ${name} is served, but no chart of this sandbox brings its definition`)
      store.serveCrd(spec)
    }
    for (const [key, items] of Object.entries(dump.objects)) {
      const t = store.tables.get(key)
      if (!t) throw new Error(`store dump: objects of ${key}, a resource this store does not serve (is its CRD missing from the dump?)`)
      for (const obj of items) {
        const k = objKey(obj.metadata.namespace, obj.metadata.name!)
        t.objects.set(k, clone(obj))
        store.uids.set(obj.metadata.uid!, { resource: key, key: k })
      }
    }
    store.rv = dump.resourceVersion
    store.journal = [...dump.journal.tutorialMs]
    store.journalFirstRv = dump.journal.firstRv
    for (const t of store.tables.values()) t.evictedRv = store.rv
    return store
  }

  // ------------------------------------------------------------------ reads

  /** Returns a copy of the object; throws a 404 ApiError when it does not exist. */
  get(resource: string, namespace: string | undefined, name: string): KubeObject {
    const t = this.table(resource)
    const obj = t.objects.get(objKey(t.def.namespaced ? namespace : undefined, name))
    if (!obj) throw notFound(t.def.plural, t.def.group, name)
    return clone(obj)
  }

  /** Like get, but undefined when the object does not exist. */
  find(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const t = this.table(resource)
    const obj = t.objects.get(objKey(t.def.namespaced ? namespace : undefined, name))
    return obj ? clone(obj) : undefined
  }

  /** Internal: the stored object itself (never mutate it). */
  peek(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const t = this.table(resource)
    return t.objects.get(objKey(t.def.namespaced ? namespace : undefined, name))
  }

  /** Finds an object by uid (for owner references). */
  findByUid(uid: string): { resource: string; object: KubeObject } | undefined {
    const ref = this.uids.get(uid)
    if (!ref) return undefined
    const obj = this.tables.get(ref.resource)!.objects.get(ref.key)
    return obj ? { resource: ref.resource, object: obj } : undefined
  }

  /** Lists copies of the matching objects, sorted by namespace/name, with the list's resourceVersion. */
  list(resource: string, options: ListOptions = {}): ListResult {
    const r = this.listRaw(resource, options)
    return { ...r, items: r.items.map((o) => clone(o)) }
  }

  /** Internal: like list, without copying the stored objects. */
  listRaw(resource: string, options: ListOptions = {}): ListResult {
    const t = this.table(resource)
    const label =
      typeof options.labelSelector === 'string' || options.labelSelector === undefined ? parseLabelSelector(options.labelSelector) : options.labelSelector
    const field =
      typeof options.fieldSelector === 'string' || options.fieldSelector === undefined
        ? parseFieldSelector(options.fieldSelector, supportedFields(t.def.key))
        : options.fieldSelector
    const namespace = t.def.namespaced ? options.namespace || undefined : undefined
    let start = ''
    let listRv = this.rv
    if (options.continue) {
      try {
        const token = JSON.parse(Buffer.from(options.continue, 'base64url').toString()) as { rv: number; start: string }
        start = token.start
        listRv = token.rv
      } catch {
        throw badRequest('continue key is not valid: illegal base64 data at input byte 0')
      }
    }
    if (!t.sorted) t.sorted = [...t.objects.keys()].sort()
    const items: KubeObject[] = []
    const limit = options.limit && options.limit > 0 ? options.limit : Infinity
    const exactName = field.exact('metadata.name')
    let next: string | undefined
    let remaining = 0
    // Fast path: a namespace narrows the scan to its key range.
    const keys = t.sorted
    let from = namespace ? `${namespace}/` : ''
    if (start && start >= from) from = `${start}\u0000`
    let i = lowerBound(keys, from)
    for (; i < keys.length; i++) {
      const k = keys[i]
      if (namespace && !k.startsWith(`${namespace}/`)) break
      const obj = t.objects.get(k)!
      if (exactName !== undefined && obj.metadata.name !== exactName) continue
      if (!label.empty && !label.matches(obj.metadata.labels)) continue
      if (!field.empty && !field.matches(selectableFields(t.def.key, obj))) continue
      if (items.length >= limit) {
        remaining++
        continue
      }
      items.push(obj)
      next = k
    }
    const result: ListResult = { items, resourceVersion: String(listRv) }
    if (remaining > 0 && next !== undefined) {
      result.continue = Buffer.from(JSON.stringify({ rv: listRv, start: next })).toString('base64url')
      result.remainingItemCount = remaining
    }
    return result
  }

  // ------------------------------------------------------------------ writes

  /** Creates an object (generateName honoured). Returns the stored object (a copy). */
  create(resource: string, object: KubeObject, options: WriteOptions = {}): KubeObject {
    const t = this.table(resource)
    const def = t.def
    if (!def.verbs.includes('create')) throw methodNotAllowed()
    if (!isObject(object)) throw badRequest('the object provided is unrecognized or malformed')
    const obj = clone(object)
    obj.metadata = isObject(obj.metadata) ? obj.metadata : {}
    this.checkTypeMeta(def, obj)
    const meta = obj.metadata
    if (def.namespaced) {
      meta.namespace ||= 'default'
      this.checkNamespaceWritable(meta.namespace)
    } else delete meta.namespace
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${generateSuffix()}`
    this.admitFields(def, obj, options)
    if (def.custom) applyDefaults(def.schema!, obj)
    else applyBuiltinDefaults(def, obj, 'create')
    // Create cannot set a custom resource's status (it has a status subresource); built-ins
    // get what their registry strategy resets it to (pods: Pending, deployments: empty).
    if (def.custom) delete obj.status
    else if (def.subresources.status) {
      const status = initialStatus(def, obj)
      if (status === undefined) delete obj.status
      else obj.status = status
    }
    this.validate(def, obj, undefined)
    const key = objKey(meta.namespace, meta.name!)
    if (t.objects.has(key)) throw alreadyExists(def.plural, def.group, meta.name!)
    const now = rfc3339(this.now())
    meta.uid = randomUUID()
    meta.creationTimestamp = now
    delete meta.resourceVersion
    delete meta.deletionTimestamp
    delete meta.deletionGracePeriodSeconds
    delete meta.managedFields
    if (def.generation) meta.generation = 1
    else delete meta.generation
    const preset = (options as InternalWrite).managedFields
    if (preset) meta.managedFields = preset
    else recordUpdate(undefined, obj, shapeOf(def), { manager: options.fieldManager ?? 'sandbox', operation: 'Update', apiVersion: def.apiVersion, time: now })
    if (options.dryRun) return clone({ ...obj, metadata: { ...obj.metadata } })
    this.commit(t, 'ADDED', obj, undefined)
    if (def.key === 'namespaces') this.onNamespaceCreated(meta.name!)
    return clone(obj)
  }

  /**
   * Replaces an object (PUT). A `metadata.resourceVersion` in the body must match the stored
   * one (409 otherwise); without one the update is unconditional. With `subresource: 'status'`
   * only the status is taken from the body.
   */
  update(resource: string, object: KubeObject, options: WriteOptions = {}): KubeObject {
    const t = this.table(resource)
    const def = t.def
    if (!isObject(object) || !isObject(object.metadata) || !object.metadata.name)
      throw badRequest('the object provided is unrecognized or malformed: metadata.name is required')
    const name = object.metadata.name
    const namespace = def.namespaced ? object.metadata.namespace || 'default' : undefined
    const current = t.objects.get(objKey(namespace, name))
    if (!current) throw notFound(def.plural, def.group, name)
    const sub = options.subresource
    if (sub === 'scale') return this.updateScale(t, current, object, options)
    if (!(sub ? def.subresources[sub]?.verbs.includes('update') : def.verbs.includes('update'))) throw methodNotAllowed()
    const body = clone(object)
    this.checkTypeMeta(def, body)
    const rv = body.metadata.resourceVersion
    if (rv && rv !== current.metadata.resourceVersion) throw conflict(def.plural, def.group, name, STALE_OBJECT)
    if (body.metadata.uid && body.metadata.uid !== current.metadata.uid)
      throw conflict(def.plural, def.group, name, `Precondition failed: UID in precondition: ${body.metadata.uid}, UID in object meta: ${current.metadata.uid}`)
    return this.writeUpdate(t, current, body, options)
  }

  /**
   * Applies a patch (merge, strategic, json or server-side apply). `body` is the parsed patch
   * (an object, or for json an array); an apply patch may also be YAML/JSON text.
   */
  patch(resource: string, namespace: string | undefined, name: string, patchType: PatchType, body: unknown, options: PatchOptions = {}): KubeObject {
    const t = this.table(resource)
    const def = t.def
    const sub = options.subresource
    if (!(sub ? def.subresources[sub]?.verbs.includes('patch') : def.verbs.includes('patch'))) throw methodNotAllowed()
    const ns = def.namespaced ? namespace || 'default' : undefined
    const current = t.objects.get(objKey(ns, name))
    if (patchType === 'strategic' && def.custom)
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
      )
    if (patchType === 'apply') return this.apply(t, ns, name, current, body, options)
    if (!current) throw notFound(def.plural, def.group, name)
    if (sub === 'scale') {
      const scale = this.scaleOf(def, current)
      const patched = this.applyPatchBody(scale, patchType, body, 'V1Scale') as KubeObject
      return this.updateScale(t, current, patched, options)
    }
    const patched = this.applyPatchBody(current, patchType, body, def.model) as KubeObject
    if (!isObject(patched) || !isObject(patched.metadata)) throw badRequest('the patched object is not an object')
    const rv = patched.metadata.resourceVersion
    if (rv && rv !== current.metadata.resourceVersion) throw conflict(def.plural, def.group, name, STALE_OBJECT)
    // A patch cannot rename or move an object.
    if (patched.metadata.name !== current.metadata.name)
      throw badRequest(`the name of the object (${String(patched.metadata.name)}) does not match the name on the URL (${name})`)
    patched.metadata.namespace = current.metadata.namespace
    patched.metadata.uid = current.metadata.uid
    this.checkTypeMeta(def, patched)
    return this.writeUpdate(t, current, patched, options)
  }

  private applyPatchBody(current: unknown, patchType: PatchType, body: unknown, model: string | undefined): unknown {
    switch (patchType) {
      case 'merge':
        if (!isObject(body)) throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}')
        return mergePatch(current, body)
      case 'strategic':
        return strategicMergePatch(current, body, model ?? '')
      case 'json':
        return applyJsonPatch(current, body)
      default:
        throw badRequest(`unsupported patch type ${patchType}`)
    }
  }

  private apply(t: Table, ns: string | undefined, name: string, current: KubeObject | undefined, body: unknown, options: PatchOptions): KubeObject {
    const def = t.def
    if (!options.fieldManager)
      throw new ApiError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch', {
        group: 'meta.k8s.io',
        kind: 'PatchOptions',
        causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }],
      })
    if (!isObject(body)) throw badRequest('error decoding YAML: the apply patch must be an object')
    const applied = clone(body) as KubeObject
    if (!isObject(applied.metadata)) applied.metadata = {}
    if (!applied.apiVersion || !applied.kind) throw badRequest('invalid object type: /, Kind=')
    this.checkTypeMeta(def, applied)
    if (applied.metadata.name && applied.metadata.name !== name)
      throw badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`)
    if (def.namespaced && applied.metadata.namespace && applied.metadata.namespace !== ns)
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request')
    applied.metadata.name = name
    if (def.namespaced) applied.metadata.namespace = ns
    // SSA types the patch against the schema: an undeclared field is an error whatever fieldValidation says.
    const unknown = this.unknownOf(def, applied, false)
    if (unknown.length) {
      const gvk = `${def.apiVersion}, Kind=${def.kind}`
      throw badRequest(`failed to create typed patch object (${ns ?? ''}/${name}; ${gvk}): .${unknown[0]}: field not declared in schema`)
    }
    const now = rfc3339(this.now())
    const merged = serverSideApply(current, applied, shapeOf(def), {
      manager: options.fieldManager,
      force: options.force === true,
      apiVersion: def.apiVersion,
      time: now,
      subresource: options.subresource,
    })
    if (!current) {
      // Created by apply: the applier owns what it applied, as an Apply manager.
      const internal: InternalWrite = { ...options, subresource: undefined, managedFields: merged.metadata.managedFields }
      return this.create(def.key, merged, internal)
    }
    return this.writeUpdate(t, current, merged, { ...options, keepManagedFields: true })
  }

  /** The shared update path: admission, no-op detection, generation, managedFields, finalizers. */
  private writeUpdate(t: Table, current: KubeObject, body: KubeObject, options: InternalWrite): KubeObject {
    const def = t.def
    const sub = options.subresource
    let next: KubeObject
    if (sub === 'status') {
      next = clone(current)
      if ((body as Record<string, unknown>).status === undefined) delete (next as Record<string, unknown>).status
      else (next as Record<string, unknown>).status = clone((body as Record<string, unknown>).status)
      // The apiserver defaults the whole object on every write, status included (NodePool v1's status.nodes: 0).
      if (def.custom) applyDefaults(def.schema!, next)
      if (options.keepManagedFields) next.metadata.managedFields = body.metadata.managedFields
    } else if (sub === 'finalize') {
      next = clone(current)
      ;(next as Record<string, unknown>).spec = {
        ...((next as Record<string, unknown>).spec as object),
        finalizers: ((body as Record<string, unknown>).spec as Record<string, unknown> | undefined)?.finalizers ?? [],
      }
    } else {
      next = body
      if (def.subresources.status) {
        const cur = (current as Record<string, unknown>).status
        if (cur === undefined) delete (next as Record<string, unknown>).status
        else (next as Record<string, unknown>).status = clone(cur)
      }
      this.admitFields(def, next, options)
      if (def.custom) applyDefaults(def.schema!, next)
      else applyBuiltinDefaults(def, next, 'update')
      // System metadata is the server's.
      const m = next.metadata
      const c = current.metadata
      m.name = c.name
      m.namespace = c.namespace
      m.uid = c.uid
      m.creationTimestamp = c.creationTimestamp
      m.deletionTimestamp = c.deletionTimestamp
      m.deletionGracePeriodSeconds = c.deletionGracePeriodSeconds
      m.generation = c.generation
      if (m.deletionTimestamp === undefined) delete m.deletionTimestamp
      if (m.deletionGracePeriodSeconds === undefined) delete m.deletionGracePeriodSeconds
      if (m.generation === undefined) delete m.generation
      delete m.generateName
      if (c.generateName) m.generateName = c.generateName
      if (c.deletionTimestamp) {
        const added = (m.finalizers ?? []).filter((f) => !(c.finalizers ?? []).includes(f))
        if (added.length)
          throw invalid(def.kind, def.group, c.name!, [
            {
              field: 'metadata.finalizers',
              type: 'FieldValueForbidden',
              detail: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
            },
          ])
      }
    }
    this.validate(def, next, current)
    delete next.metadata.resourceVersion
    if (def.generation && sub === undefined && specChanged(current, next)) next.metadata.generation = (current.metadata.generation ?? 0) + 1
    const now = rfc3339(this.now())
    if (!options.keepManagedFields) {
      next.metadata.managedFields = current.metadata.managedFields
      recordUpdate(current, next, shapeOf(def), {
        manager: options.fieldManager ?? 'sandbox',
        operation: 'Update',
        apiVersion: def.apiVersion,
        subresource: sub === 'status' ? 'status' : undefined,
        time: now,
      })
    }
    next.metadata.resourceVersion = current.metadata.resourceVersion
    if (deepEqual(stripVolatile(next), stripVolatile(current))) return clone(current) // no-op: no new resourceVersion, no event
    // Removing the last finalizer of an object being deleted completes the deletion.
    const m = next.metadata
    const finalizersLeft = (m.finalizers?.length ?? 0) > 0 || namespaceFinalizers(def, next).length > 0
    if (m.deletionTimestamp && !finalizersLeft && (m.deletionGracePeriodSeconds ?? 0) === 0) {
      if (options.dryRun) return clone(next)
      this.remove(t, current, next)
      return clone(next)
    }
    if (options.dryRun) return clone(next)
    this.commit(t, 'MODIFIED', next, current)
    return clone(next)
  }

  /**
   * Deletes an object. Pods bound to a node are deleted gracefully (deletionTimestamp +
   * deletionGracePeriodSeconds; the node's kubelet finishes with gracePeriodSeconds 0);
   * objects with finalizers get a deletionTimestamp and stay until the finalizers are removed;
   * Foreground/Orphan propagation add the `foregroundDeletion`/`orphan` finalizer for the
   * garbage collector.
   */
  delete(resource: string, namespace: string | undefined, name: string, options: DeleteOptions = {}): DeleteResult {
    const t = this.table(resource)
    const def = t.def
    if (!def.verbs.includes('delete')) throw methodNotAllowed()
    const ns = def.namespaced ? namespace || 'default' : undefined
    const current = t.objects.get(objKey(ns, name))
    if (!current) throw notFound(def.plural, def.group, name)
    const pre = options.preconditions
    if (pre?.uid && pre.uid !== current.metadata.uid)
      throw conflict(def.plural, def.group, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`)
    if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion)
      throw conflict(
        def.plural,
        def.group,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in meta: ${current.metadata.resourceVersion}`,
      )
    if (options.gracePeriodSeconds !== undefined && (!Number.isInteger(options.gracePeriodSeconds) || options.gracePeriodSeconds < 0))
      throw invalid('DeleteOptions', 'meta.k8s.io', '', [
        { field: 'gracePeriodSeconds', type: 'FieldValueInvalid', detail: `Invalid value: ${options.gracePeriodSeconds}: must be >= 0` },
      ])

    const next = clone(current)
    const m = next.metadata
    const nowDate = this.now()
    let policy = options.propagationPolicy ?? (options.orphanDependents === true ? 'Orphan' : options.orphanDependents === false ? 'Background' : undefined)
    if (policy && !['Background', 'Foreground', 'Orphan'].includes(policy))
      throw invalid('DeleteOptions', 'meta.k8s.io', '', [
        {
          field: 'propagationPolicy',
          type: 'FieldValueNotSupported',
          detail: `Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan", "nil"`,
        },
      ])
    policy ??= 'Background'

    // Graceful deletion (pods on a node).
    let grace = 0
    if (def.key === 'pods') {
      const spec = ((next as Record<string, unknown>).spec ?? {}) as Record<string, unknown>
      const phase = (((next as Record<string, unknown>).status ?? {}) as Record<string, unknown>).phase
      grace = options.gracePeriodSeconds ?? (spec.terminationGracePeriodSeconds as number | undefined) ?? 30
      if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') grace = 0
      if (m.deletionTimestamp && m.deletionGracePeriodSeconds !== undefined && grace > m.deletionGracePeriodSeconds) grace = m.deletionGracePeriodSeconds
    }
    const finalizers = [...(m.finalizers ?? [])]
    const alreadyDeleting = m.deletionTimestamp !== undefined
    if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion') && !alreadyDeleting) finalizers.push('foregroundDeletion')
    if (policy === 'Orphan' && !finalizers.includes('orphan') && !alreadyDeleting) finalizers.push('orphan')
    const nsFinalizers = namespaceFinalizers(def, next)

    if (grace === 0 && finalizers.length === 0 && nsFinalizers.length === 0) {
      if (options.dryRun) return { object: clone(current), deleted: true }
      const removed = this.remove(t, current, next)
      return { object: clone(removed), deleted: true }
    }
    // Pending deletion: deletionTimestamp (+ grace), finalizers, and for namespaces the Terminating phase.
    const stamp = new Date(nowDate.getTime() + grace * 1000)
    if (!m.deletionTimestamp || grace < (m.deletionGracePeriodSeconds ?? Infinity)) {
      m.deletionTimestamp = rfc3339(stamp)
      m.deletionGracePeriodSeconds = grace
    }
    if (finalizers.length) m.finalizers = finalizers
    if (def.key === 'namespaces') {
      ;(next as Record<string, unknown>).status = { ...((next as Record<string, unknown>).status ?? {}), phase: 'Terminating' }
    }
    if (deepEqual(next, current)) return { object: clone(current), deleted: false }
    if (options.dryRun) return { object: clone(next), deleted: false }
    if (grace === 0 && finalizers.length === 0 && nsFinalizers.length === 0) {
      this.remove(t, current, next)
      return { object: clone(next), deleted: true }
    }
    this.commit(t, 'MODIFIED', next, current)
    return { object: clone(next), deleted: false }
  }

  /** DELETE on a collection: deletes every matching object (each as `delete` would). */
  deleteCollection(resource: string, options: ListOptions & DeleteOptions = {}): KubeObject[] {
    const def = this.def(resource)
    if (!def.verbs.includes('deletecollection')) throw methodNotAllowed()
    const { items } = this.listRaw(resource, { namespace: options.namespace, labelSelector: options.labelSelector, fieldSelector: options.fieldSelector })
    const out: KubeObject[] = []
    for (const item of [...items]) {
      try {
        out.push(this.delete(resource, item.metadata.namespace, item.metadata.name!, options).object)
      } catch (err) {
        ignoreNotFound(err)
      }
    }
    return out
  }

  /**
   * get → fn → update, retried on 409 Conflict (up to `attempts` times). `fn` edits the copy
   * in place or returns a replacement; returning `false` skips the write.
   */
  mutate(
    resource: string,
    namespace: string | undefined,
    name: string,
    fn: (obj: KubeObject) => KubeObject | void | false,
    options: WriteOptions & { attempts?: number } = {},
  ): KubeObject {
    const attempts = options.attempts ?? 10
    for (let i = 0; ; i++) {
      const obj = this.get(resource, namespace, name)
      const res = fn(obj)
      if (res === false) return obj
      try {
        return this.update(resource, res ?? obj, options)
      } catch (err) {
        if (err instanceof ApiError && err.code === 409 && i + 1 < attempts) continue
        throw err
      }
    }
  }

  /** pods/binding: assigns a pending pod to a node (what the scheduler does). */
  bindPod(namespace: string, name: string, nodeName: string, options: { dryRun?: boolean; fieldManager?: string } = {}): KubeObject {
    const t = this.table('pods')
    const current = t.objects.get(objKey(namespace, name))
    if (!current) throw notFound('pods', '', name)
    const spec = ((current as Record<string, unknown>).spec ?? {}) as Record<string, unknown>
    if (spec.nodeName) throw conflict('pods', '', name, `pod ${name} is already assigned to node "${txt(spec.nodeName)}"`)
    if (current.metadata.deletionTimestamp) throw conflict('pods', '', name, `pod ${name} is being deleted, cannot be assigned to a host`)
    const next = clone(current)
    ;(next as Record<string, unknown>).spec = { ...spec, nodeName }
    const status = ((next as Record<string, unknown>).status ?? {}) as Record<string, unknown>
    const conditions = ((status.conditions as Record<string, unknown>[] | undefined) ?? []).filter((c) => c.type !== 'PodScheduled')
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(this.now()) })
    ;(next as Record<string, unknown>).status = { ...status, conditions }
    recordUpdate(current, next, shapeOf(t.def), {
      manager: options.fieldManager ?? 'default-scheduler',
      operation: 'Update',
      apiVersion: 'v1',
      time: rfc3339(this.now()),
    })
    if (options.dryRun) return clone(next)
    this.commit(t, 'MODIFIED', next, current)
    return clone(next)
  }

  // ------------------------------------------------------------------ watch

  /**
   * Watches a resource. The handler is called synchronously for each event, in
   * resourceVersion order. Returns a function that stops the watch. Throws 410 Gone when
   * `resourceVersion` is older than the retained history.
   */
  watch(resource: string, options: WatchOptions, handler: (event: WatchEvent) => void): () => void {
    const t = this.table(resource)
    const label =
      typeof options.labelSelector === 'string' || options.labelSelector === undefined ? parseLabelSelector(options.labelSelector) : options.labelSelector
    const field =
      typeof options.fieldSelector === 'string' || options.fieldSelector === undefined
        ? parseFieldSelector(options.fieldSelector, supportedFields(t.def.key))
        : options.fieldSelector
    const rvText = options.resourceVersion
    const fromRv = rvText === undefined || rvText === '' || rvText === '0' ? undefined : Number(rvText)
    if (fromRv !== undefined && (!Number.isInteger(fromRv) || fromRv < 0)) throw badRequest(`invalid resource version: ${rvText}`)
    if (fromRv !== undefined && fromRv < t.evictedRv) throw gone(`too old resource version: ${fromRv} (${t.evictedRv + 1})`)
    const raw = options.raw === true
    const w: Watcher = {
      resource: t.def.key,
      namespace: t.def.namespaced ? options.namespace || undefined : undefined,
      label,
      field,
      lastRv: 0,
      closed: false,
      handler: (type, object) => handler({ type, object: raw ? object : clone(object) }),
      onClose: options.onClose,
    }
    const bookmark = () => {
      if (!w.closed)
        handler({
          type: 'BOOKMARK',
          object: { kind: t.def.kind, apiVersion: t.def.apiVersion, metadata: { resourceVersion: String(Math.max(this.rv, w.lastRv)) } },
        })
    }
    if (fromRv === undefined || options.sendInitialEvents) {
      // Initial state as synthetic ADDED events, then everything after it.
      const { items } = this.listRaw(t.def.key, { namespace: w.namespace, labelSelector: label, fieldSelector: field })
      w.lastRv = this.rv
      for (const item of items) w.handler('ADDED', item)
      if (options.sendInitialEvents && options.allowBookmarks) {
        handler({
          type: 'BOOKMARK',
          object: {
            kind: t.def.kind,
            apiVersion: t.def.apiVersion,
            metadata: { resourceVersion: String(this.rv), annotations: { 'k8s.io/initial-events-end': 'true' } },
          },
        })
      }
    } else {
      for (const ev of t.history) {
        if (ev.rv <= fromRv) continue
        this.deliver(w, ev)
      }
      w.lastRv = Math.max(w.lastRv, fromRv, t.history.length ? t.history[t.history.length - 1].rv : 0)
    }
    let set = this.watchers.get(t.def.key)
    if (!set) this.watchers.set(t.def.key, (set = new Set()))
    set.add(w)
    if (options.allowBookmarks) {
      // Real time on purpose: bookmarks are a watch keep-alive, not a duration of the simulated world.
      w.timer = setInterval(bookmark, options.bookmarkIntervalMs ?? 60_000)
      w.timer.unref()
    }
    return () => {
      w.closed = true
      if (w.timer) clearInterval(w.timer)
      set.delete(w)
    }
  }

  /** Every committed event of every resource (for the garbage collector and similar). */
  watchAll(handler: (event: StoreEvent) => void): () => void {
    this.anyWatchers.add(handler)
    return () => this.anyWatchers.delete(handler)
  }

  /** Number of open watches (for diagnostics and tests). */
  get watcherCount(): number {
    let n = 0
    for (const s of this.watchers.values()) n += s.size
    return n
  }

  // ------------------------------------------------------------------ internals

  private deliver(w: Watcher, ev: StoreEvent): void {
    if (w.closed || ev.rv <= w.lastRv) return
    w.lastRv = ev.rv
    const matches = (o: KubeObject | undefined) => {
      if (!o) return false
      if (w.namespace && o.metadata.namespace !== w.namespace) return false
      if (!w.label.empty && !w.label.matches(o.metadata.labels)) return false
      if (!w.field.empty && !w.field.matches(selectableFields(w.resource, o))) return false
      return true
    }
    const now = ev.type !== 'DELETED' && matches(ev.object)
    try {
      if (ev.type === 'ADDED') {
        if (now) w.handler('ADDED', ev.object)
      } else if (ev.type === 'DELETED') {
        if (matches(ev.object)) w.handler('DELETED', ev.object)
      } else {
        const before = matches(ev.previous)
        if (now && before) w.handler('MODIFIED', ev.object)
        else if (now) w.handler('ADDED', ev.object)
        else if (before) w.handler('DELETED', ev.object)
      }
    } catch (err) {
      // A failing handler must not break the fan-out for everyone else.
      process.emitWarning(`watch handler for ${w.resource} threw: ${(err as Error).stack ?? String(err)}`)
    }
  }

  /** Hands out the next resourceVersion and notes when (in tutorial time) it was written. */
  private nextRv(): number {
    this.rv++
    this.journal.push(this.tutorialNow())
    if (this.journal.length > JOURNAL_LIMIT) {
      const drop = this.journal.length - JOURNAL_LIMIT / 2
      this.journal = this.journal.slice(drop)
      this.journalFirstRv += drop
    }
    return this.rv
  }

  private commit(t: Table, type: 'ADDED' | 'MODIFIED', obj: KubeObject, previous: KubeObject | undefined): void {
    this.nextRv()
    obj.metadata.resourceVersion = String(this.rv)
    const key = objKey(obj.metadata.namespace, obj.metadata.name!)
    if (!t.objects.has(key)) t.sorted = null
    t.objects.set(key, obj)
    this.uids.set(obj.metadata.uid!, { resource: t.def.key, key })
    this.emit(t, { type, resource: t.def.key, rv: this.rv, object: obj, previous })
  }

  private remove(t: Table, current: KubeObject, finalState: KubeObject): KubeObject {
    this.nextRv()
    const gone = clone(finalState)
    gone.metadata.resourceVersion = String(this.rv)
    const key = objKey(current.metadata.namespace, current.metadata.name!)
    t.objects.delete(key)
    t.sorted = null
    this.uids.delete(current.metadata.uid!)
    this.emit(t, { type: 'DELETED', resource: t.def.key, rv: this.rv, object: gone, previous: current })
    return gone
  }

  private emit(t: Table, ev: StoreEvent): void {
    t.history.push(ev)
    if (t.history.length > this.historySize) {
      const drop = t.history.length - this.historySize
      t.evictedRv = t.history[drop - 1].rv
      t.history.splice(0, drop)
    }
    this.queue.push(ev)
    if (this.draining) return
    this.draining = true
    try {
      for (let i = 0; i < this.queue.length; i++) {
        const e = this.queue[i]
        const set = this.watchers.get(e.resource)
        if (set) for (const w of [...set]) this.deliver(w, e)
        for (const h of [...this.anyWatchers]) {
          try {
            h(e)
          } catch (err) {
            process.emitWarning(`store listener threw: ${(err as Error).stack ?? String(err)}`)
          }
        }
      }
    } finally {
      this.queue.length = 0
      this.draining = false
    }
  }

  private checkTypeMeta(def: ResourceDef, obj: KubeObject): void {
    if (obj.apiVersion !== undefined && obj.apiVersion !== def.apiVersion)
      throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${def.apiVersion})`)
    if (obj.kind !== undefined && obj.kind !== def.kind)
      throw badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${def.kind})`)
    obj.apiVersion = def.apiVersion
    obj.kind = def.kind
  }

  private checkNamespaceWritable(namespace: string): void {
    const ns = this.tables.get('namespaces')!.objects.get(namespace)
    if (!ns) throw notFound('namespaces', '', namespace)
    if (ns.metadata.deletionTimestamp)
      throw forbidden(`unable to create new content in namespace ${namespace} because it is being terminated`, { name: namespace, kind: 'namespaces' })
  }

  /** Unknown fields: pruned (Ignore), reported as warnings (Warn) or refused with 400 (Strict). */
  private admitFields(def: ResourceDef, obj: KubeObject, options: WriteOptions): void {
    // A value of the wrong JSON type does not decode into a built-in's Go struct, whatever fieldValidation says.
    const decode = def.model && !def.custom ? decodeError(def.model, obj) : undefined
    if (decode) throw badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: ${decode}`)
    const mode = options.fieldValidation ?? 'Ignore'
    const unknown = this.unknownOf(def, obj, true)
    if (!unknown.length) return
    if (mode === 'Strict') {
      throw badRequest(
        `${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: strict decoding error: ${unknown.map((u) => `unknown field ${JSON.stringify(u)}`).join(', ')}`,
      )
    }
    if (mode === 'Warn') for (const u of unknown) options.warnings?.push(`unknown field ${JSON.stringify(u)}`)
  }

  private unknownOf(def: ResourceDef, obj: KubeObject, prune: boolean): string[] {
    const out: string[] = []
    unknownFields('V1ObjectMeta', obj.metadata, 'metadata', prune, out)
    if (def.custom) pruneUnknown(def.schema!, obj, '', prune, out)
    else if (def.model) {
      const rest = { ...obj, metadata: undefined } as Record<string, unknown>
      delete rest.metadata
      const found = unknownFields(def.model, rest, '', false, [])
      for (const f of found) {
        out.push(f)
        if (prune) deletePath(obj, f)
      }
    }
    return out
  }

  private validate(def: ResourceDef, obj: KubeObject, old: KubeObject | undefined): void {
    const errs: FieldError[] = validateMetadata(def, obj)
    if (def.custom) validateSchema(def.schema!, obj, '', errs, old)
    else errs.push(...validateBuiltin(def, obj, old))
    if (errs.length) throw invalid(def.kind, def.group, obj.metadata.name ?? '', errs)
  }

  private onNamespaceCreated(namespace: string): void {
    // The ServiceAccount controller's job, done inline: every namespace has `default`.
    if (!this.tables.get('serviceaccounts')!.objects.has(objKey(namespace, 'default')))
      this.create(
        'serviceaccounts',
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } },
        { fieldManager: 'kube-controller-manager' },
      )
  }

  // ---- scale subresource (autoscaling/v1 Scale) ----

  /** The autoscaling/v1 Scale of a deployment or replica set. */
  getScale(resource: string, namespace: string | undefined, name: string): KubeObject {
    const t = this.table(resource)
    if (!t.def.subresources.scale) throw notFound(t.def.plural, t.def.group, name)
    const current = t.objects.get(objKey(namespace, name))
    if (!current) throw notFound(t.def.plural, t.def.group, name)
    return this.scaleOf(t.def, current)
  }

  private scaleOf(_def: ResourceDef, obj: KubeObject): KubeObject {
    const o = obj as Record<string, unknown>
    const spec = (o.spec ?? {}) as Record<string, unknown>
    const status = (o.status ?? {}) as Record<string, unknown>
    let selector: string
    try {
      selector = fromLabelSelectorSpec(spec.selector as LabelSelectorSpec).toString()
    } catch {
      selector = ''
    }
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
        creationTimestamp: obj.metadata.creationTimestamp,
      },
      spec: { replicas: spec.replicas ?? 0 },
      status: { replicas: status.replicas ?? 0, selector },
    }
  }

  private updateScale(t: Table, current: KubeObject, scale: KubeObject, options: WriteOptions): KubeObject {
    const def = t.def
    const replicas = ((scale as Record<string, unknown>).spec as Record<string, unknown> | undefined)?.replicas
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)
      throw invalid('Scale', 'autoscaling', current.metadata.name!, [
        { field: 'spec.replicas', type: 'FieldValueInvalid', detail: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0` },
      ])
    const rv = scale.metadata?.resourceVersion
    if (rv && rv !== current.metadata.resourceVersion) throw conflict(def.plural, def.group, current.metadata.name!, STALE_OBJECT)
    const next = clone(current)
    ;(next as Record<string, unknown>).spec = { ...((next as Record<string, unknown>).spec as object), replicas }
    const updated = this.writeUpdate(t, current, next, { ...options, subresource: undefined })
    return this.scaleOf(def, updated)
  }
}

function lowerBound(keys: string[], target: string): number {
  let lo = 0
  let hi = keys.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (keys[mid] < target) lo = mid + 1
    else hi = mid
  }
  return lo
}

function namespaceFinalizers(def: ResourceDef, obj: KubeObject): string[] {
  if (def.key !== 'namespaces') return []
  return ((((obj as Record<string, unknown>).spec ?? {}) as Record<string, unknown>).finalizers as string[] | undefined) ?? []
}

function specChanged(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const x = { ...o } as Record<string, unknown>
    delete x.metadata
    delete x.status
    return x
  }
  return !deepEqual(strip(a), strip(b))
}

function stripVolatile(o: KubeObject): unknown {
  const meta: ObjectMeta = { ...o.metadata }
  // managedFields times change with every write; a no-op is judged on content.
  meta.managedFields = (meta.managedFields ?? []).map((e) => ({ ...e, time: '' }))
  return { ...o, metadata: meta }
}

function deletePath(obj: Record<string, unknown>, path: string): void {
  // `a.b[0].c` or `a.b[key].c`
  const segs = path.match(/[^.[\]]+|\[[^\]]*\]/g) ?? []
  let cur: unknown = obj
  for (let i = 0; i < segs.length; i++) {
    let seg = segs[i]
    if (seg.startsWith('[')) seg = seg.slice(1, -1)
    if (cur === null || typeof cur !== 'object') return
    if (i === segs.length - 1) {
      if (Array.isArray(cur)) cur.splice(Number(seg), 1)
      else delete (cur as Record<string, unknown>)[seg]
      return
    }
    cur = Array.isArray(cur) ? cur[Number(seg)] : (cur as Record<string, unknown>)[seg]
  }
}
