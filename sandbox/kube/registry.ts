// The resource definitions the sandbox serves: group/version/kind/plural/scope/short names/
// subresources/categories. Discovery, OpenAPI, routing, the store and the printers all read
// this one table, so a resource added here shows up everywhere at once. The built-in kinds are
// fixed; custom resources come and go with their CustomResourceDefinitions (Store.installCrd).

import type { Schema } from './schema.ts'
import type { CrdSpec, PrinterColumn } from './crds/definitions.ts'

interface SubresourceDef {
  /** The kind the subresource speaks (Scale, Eviction, Binding, or the parent's kind for status). */
  group: string
  version: string
  kind: string
  verbs: string[]
}

export interface ResourceDef {
  group: string
  version: string
  kind: string
  listKind: string
  plural: string
  singular: string
  shortNames: string[]
  namespaced: boolean
  categories: string[]
  verbs: string[]
  subresources: Record<string, SubresourceDef>
  /** Backed by a CustomResourceDefinition: no strategic merge patch, schema validation. */
  custom: boolean
  /** Schema of a custom resource (validation, defaulting, pruning, OpenAPI). */
  schema?: Schema
  /** additionalPrinterColumns of a custom resource. */
  printerColumns?: PrinterColumn[]
  /** client-node model class that describes a built-in kind (field names for strict decoding). */
  model?: string
  /** Whether metadata.generation is maintained (bumped on spec changes). */
  generation: boolean
  /** `<plural>` for the core group, `<plural>.<group>` otherwise: the store's resource key. */
  key: string
  apiVersion: string
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']
const STATUS_VERBS = ['get', 'patch', 'update']

interface DefInput {
  group?: string
  version?: string
  kind: string
  plural: string
  shortNames?: string[]
  namespaced: boolean
  categories?: string[]
  verbs?: string[]
  subresources?: Record<string, Partial<SubresourceDef> & { verbs: string[] }>
  custom?: boolean
  schema?: Schema
  printerColumns?: PrinterColumn[]
  model?: string
  generation?: boolean
}

function def(input: DefInput): ResourceDef {
  const group = input.group ?? ''
  const version = input.version ?? 'v1'
  const subresources: Record<string, SubresourceDef> = {}
  for (const [name, sub] of Object.entries(input.subresources ?? {})) {
    subresources[name] = { group: sub.group ?? group, version: sub.version ?? version, kind: sub.kind ?? input.kind, verbs: sub.verbs }
  }
  return {
    group,
    version,
    kind: input.kind,
    listKind: `${input.kind}List`,
    plural: input.plural,
    singular: input.kind.toLowerCase(),
    shortNames: input.shortNames ?? [],
    namespaced: input.namespaced,
    categories: input.categories ?? [],
    verbs: input.verbs ?? ALL_VERBS,
    subresources,
    custom: input.custom ?? false,
    schema: input.schema,
    printerColumns: input.printerColumns,
    model: input.model,
    generation: input.generation ?? false,
    key: group ? `${input.plural}.${group}` : input.plural,
    apiVersion: group ? `${group}/${version}` : version,
  }
}

const builtins: ResourceDef[] = [
  def({
    kind: 'Namespace',
    plural: 'namespaces',
    shortNames: ['ns'],
    namespaced: false,
    model: 'V1Namespace',
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: { status: { verbs: STATUS_VERBS }, finalize: { verbs: ['update'] } },
  }),
  def({
    kind: 'Pod',
    plural: 'pods',
    shortNames: ['po'],
    namespaced: true,
    categories: ['all'],
    model: 'V1Pod',
    subresources: {
      status: { verbs: STATUS_VERBS },
      log: { verbs: ['get'] },
      binding: { kind: 'Binding', verbs: ['create'] },
      eviction: { group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] },
    },
  }),
  def({ kind: 'Node', plural: 'nodes', shortNames: ['no'], namespaced: false, model: 'V1Node', subresources: { status: { verbs: STATUS_VERBS } } }),
  def({
    kind: 'Service',
    plural: 'services',
    shortNames: ['svc'],
    namespaced: true,
    categories: ['all'],
    model: 'V1Service',
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: { status: { verbs: STATUS_VERBS } },
  }),
  def({ kind: 'ConfigMap', plural: 'configmaps', shortNames: ['cm'], namespaced: true, model: 'V1ConfigMap' }),
  def({ kind: 'Secret', plural: 'secrets', namespaced: true, model: 'V1Secret' }),
  def({ kind: 'ServiceAccount', plural: 'serviceaccounts', shortNames: ['sa'], namespaced: true, model: 'V1ServiceAccount' }),
  def({ kind: 'Event', plural: 'events', shortNames: ['ev'], namespaced: true, model: 'CoreV1Event' }),
  def({
    group: 'apps',
    kind: 'Deployment',
    plural: 'deployments',
    shortNames: ['deploy'],
    namespaced: true,
    categories: ['all'],
    model: 'V1Deployment',
    generation: true,
    subresources: { status: { verbs: STATUS_VERBS }, scale: { group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: STATUS_VERBS } },
  }),
  def({
    group: 'apps',
    kind: 'ReplicaSet',
    plural: 'replicasets',
    shortNames: ['rs'],
    namespaced: true,
    categories: ['all'],
    model: 'V1ReplicaSet',
    generation: true,
    subresources: { status: { verbs: STATUS_VERBS }, scale: { group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: STATUS_VERBS } },
  }),
  def({
    group: 'apps',
    kind: 'DaemonSet',
    plural: 'daemonsets',
    shortNames: ['ds'],
    namespaced: true,
    categories: ['all'],
    model: 'V1DaemonSet',
    generation: true,
    subresources: { status: { verbs: STATUS_VERBS } },
  }),
  def({ group: 'coordination.k8s.io', kind: 'Lease', plural: 'leases', namespaced: true, model: 'V1Lease' }),
  def({
    group: 'apiextensions.k8s.io',
    kind: 'CustomResourceDefinition',
    plural: 'customresourcedefinitions',
    shortNames: ['crd', 'crds'],
    namespaced: false,
    categories: ['api-extensions'],
    model: 'V1CustomResourceDefinition',
    generation: true,
    // Read-only here: CRDs arrive with the charts that ship them (Store.installCrd), whose
    // schemas the sandbox knows in TypeScript (CEL rules included); kubectl cannot add others.
    verbs: ['get', 'list', 'watch'],
    subresources: { status: { verbs: ['get'] } },
  }),
]

export class Registry {
  private list: ResourceDef[] = []
  private readonly byKey = new Map<string, ResourceDef>()
  private readonly byGvr = new Map<string, ResourceDef>()
  private readonly byGvk = new Map<string, ResourceDef>()
  /** Bumped whenever a resource is added or removed (the OpenAPI documents follow it). */
  generation = 0

  constructor(resources: ResourceDef[] = builtinResources()) {
    for (const r of resources) this.add(r)
  }

  /** Every served resource, built-ins first, then custom resources in the order they arrived. */
  get resources(): readonly ResourceDef[] {
    return this.list
  }

  /** Serves a resource (a CRD was established). Throws when its `<plural>.<group>` is taken. */
  add(def: ResourceDef): void {
    if (this.byKey.has(def.key)) throw new Error(`resource ${def.key} is already served (as ${this.byKey.get(def.key)!.apiVersion})`)
    this.list = [...this.list, def]
    this.byKey.set(def.key, def)
    this.byGvr.set(`${def.group}/${def.version}/${def.plural}`, def)
    this.byGvk.set(`${def.group}/${def.version}/${def.kind}`, def)
    this.generation++
  }

  /** Stops serving a resource (its CRD was deleted); returns what was removed. */
  remove(key: string): ResourceDef | undefined {
    const def = this.byKey.get(key)
    if (!def) return undefined
    this.list = this.list.filter((r) => r !== def)
    this.byKey.delete(key)
    this.byGvr.delete(`${def.group}/${def.version}/${def.plural}`)
    this.byGvk.delete(`${def.group}/${def.version}/${def.kind}`)
    this.generation++
    return def
  }

  /**
   * Resolves `pods`, `deployments.apps`, `nodepools.karpenter.sh`; a bare plural is accepted
   * when only one group serves it (`deployments`).
   */
  resolve(resource: string): ResourceDef {
    const found = this.byKey.get(resource) ?? this.resources.find((r) => r.plural === resource)
    if (!found) throw new Error(`unknown resource "${resource}" (expected e.g. pods, deployments.apps, nodepools.karpenter.sh)`)
    return found
  }

  tryResolve(resource: string): ResourceDef | undefined {
    return this.byKey.get(resource) ?? this.resources.find((r) => r.plural === resource)
  }

  byGroupVersionResource(group: string, version: string, plural: string): ResourceDef | undefined {
    return this.byGvr.get(`${group}/${version}/${plural}`)
  }

  byGroupVersionKind(group: string, version: string, kind: string): ResourceDef | undefined {
    return this.byGvk.get(`${group}/${version}/${kind}`)
  }

  /** For ownerReferences: apiVersion `apps/v1` + kind `ReplicaSet`. */
  byApiVersionKind(apiVersion: string, kind: string): ResourceDef | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion]
    return this.byGroupVersionKind(group, version, kind)
  }

  /** Group versions in the order discovery lists them (core first). */
  groupVersions(): { group: string; version: string }[] {
    const seen = new Set<string>()
    const out: { group: string; version: string }[] = []
    for (const r of this.resources) {
      const k = `${r.group}/${r.version}`
      if (!seen.has(k)) {
        seen.add(k)
        out.push({ group: r.group, version: r.version })
      }
    }
    return out
  }
}

/** The built-in kinds (a new cluster's API server, before any CRD is installed). */
export function builtinResources(): ResourceDef[] {
  return [...builtins]
}

/** The resource a CustomResourceDefinition serves (cluster-scoped, status subresource, generation). */
export function customResourceDef(c: CrdSpec): ResourceDef {
  return def({
    group: c.group,
    version: c.version,
    kind: c.kind,
    plural: c.plural,
    shortNames: c.shortNames,
    namespaced: false,
    categories: c.categories,
    custom: true,
    schema: c.schema,
    printerColumns: c.printerColumns,
    generation: true,
    subresources: { status: { verbs: STATUS_VERBS } },
  })
}
