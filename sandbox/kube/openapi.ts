// /openapi/v3: the index and one document per group-version.
//
// kubectl apply reads these to decide that the server validates fields itself: for each kind
// it looks for the PATCH operation whose `x-kubernetes-group-version-kind` matches and checks
// that it takes a `fieldValidation` parameter; then it sends `fieldValidation=Strict` and does
// no client-side validation. The custom resources also get their schemas (so `kubectl
// explain nodepool` works). Built-in schemas are deliberately left out: with them, kubectl
// would compute strategic merge patches from this document instead of its compiled-in types,
// and a document without patch-merge-key extensions would make it replace whole lists.

import { createHash } from 'node:crypto'
import type { Registry, ResourceDef } from './registry.ts'
import { toOpenApi } from './schema.ts'

const param = (name: string, description: string, inQ = 'query') => ({ name, in: inQ, description, schema: { type: 'string', uniqueItems: true } })
const PATH_PARAMS = (namespaced: boolean) => [
  { name: 'name', in: 'path', description: 'name of the resource', required: true, schema: { type: 'string', uniqueItems: true } },
  ...(namespaced
    ? [
        {
          name: 'namespace',
          in: 'path',
          description: 'object name and auth scope, such as for teams and projects',
          required: true,
          schema: { type: 'string', uniqueItems: true },
        },
      ]
    : []),
]
const WRITE_PARAMS = [
  param('dryRun', 'When present, indicates that modifications should not be persisted.'),
  param('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  param(
    'fieldValidation',
    'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict.',
  ),
]

function schemaName(r: ResourceDef): string {
  // Reverse-DNS group, as the apiserver names definitions (io.k8s.api.apps.v1.Deployment, sh.karpenter.v1beta1.NodePool).
  if (!r.custom) return `io.k8s.api.${r.group ? r.group.split('.')[0] : 'core'}.${r.version}.${r.kind}`
  return `${r.group.split('.').reverse().join('.')}.${r.version}.${r.kind}`
}

function gvDocument(resources: ResourceDef[]): Record<string, unknown> {
  const paths: Record<string, unknown> = {}
  const schemas: Record<string, unknown> = {}
  for (const r of resources) {
    const gvk = { group: r.group, version: r.version, kind: r.kind }
    const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`
    const collection = r.namespaced ? `${base}/namespaces/{namespace}/${r.plural}` : `${base}/${r.plural}`
    const item = `${collection}/{name}`
    const ref = { $ref: `#/components/schemas/${schemaName(r)}` }
    const ok = { '200': { description: 'OK', content: { 'application/json': { schema: r.custom ? ref : {} } } } }
    const op = (action: string, extra: Record<string, unknown> = {}) => ({
      description: `${action} the specified ${r.kind}`,
      operationId: `${action}${r.kind}`,
      tags: [r.group || 'core'],
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
      responses: ok,
      ...extra,
    })
    const collOps: Record<string, unknown> = { get: op('list'), parameters: r.namespaced ? [PATH_PARAMS(true)[1]] : [] }
    const itemOps: Record<string, unknown> = { get: op('get'), parameters: PATH_PARAMS(r.namespaced) }
    if (r.verbs.includes('create')) collOps.post = op('post', { parameters: WRITE_PARAMS })
    if (r.verbs.includes('update')) itemOps.put = op('put', { parameters: WRITE_PARAMS })
    if (r.verbs.includes('patch')) itemOps.patch = op('patch', { parameters: [...WRITE_PARAMS, param('force', 'Force is going to "force" Apply requests.')] })
    if (r.verbs.includes('delete'))
      itemOps.delete = op('delete', { parameters: [param('dryRun', ''), param('gracePeriodSeconds', ''), param('propagationPolicy', '')] })
    paths[collection] = collOps
    paths[item] = itemOps
    for (const [sub, s] of Object.entries(r.subresources)) {
      if (!s.verbs.includes('patch')) continue
      paths[`${item}/${sub}`] = {
        get: op('get'),
        patch: {
          ...op('patch', { parameters: [...WRITE_PARAMS, param('force', '')] }),
          'x-kubernetes-group-version-kind': { group: s.group, version: s.version, kind: s.kind },
        },
        parameters: PATH_PARAMS(r.namespaced),
      }
    }
    if (r.custom && r.schema) {
      const s = toOpenApi(r.schema)
      const props = (s.properties ?? {}) as Record<string, unknown>
      props.metadata = {
        description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
        allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }],
      }
      props.apiVersion = { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' }
      props.kind = { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' }
      schemas[schemaName(r)] = { ...s, description: `${r.kind} is the Schema for the ${r.kind}s API`, 'x-kubernetes-group-version-kind': [gvk] }
    }
  }
  if (Object.keys(schemas).length)
    schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'] = {
      type: 'object',
      description: 'ObjectMeta is metadata that all persisted resources must have.',
    }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'unversioned' }, paths, components: { schemas } }
}

export interface OpenApiDoc {
  body: string
  hash: string
}

export class OpenApi {
  private readonly registry: Registry
  private docs = new Map<string, OpenApiDoc>()
  private builtFor = -1

  constructor(registry: Registry) {
    this.registry = registry
  }

  /** The documents for the registry as it is now (rebuilt when a CRD came or went). */
  private current(): Map<string, OpenApiDoc> {
    if (this.builtFor === this.registry.generation) return this.docs
    const docs = new Map<string, OpenApiDoc>()
    for (const { group, version } of this.registry.groupVersions()) {
      const resources = this.registry.resources.filter((r) => r.group === group && r.version === version)
      const key = group ? `apis/${group}/${version}` : `api/${version}`
      const body = JSON.stringify(gvDocument(resources))
      docs.set(key, { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() })
    }
    // The Eviction and Scale kinds live in their own group-versions.
    for (const [key, kind] of [
      ['apis/policy/v1', { group: 'policy', version: 'v1', kind: 'Eviction' }],
      ['apis/autoscaling/v1', { group: 'autoscaling', version: 'v1', kind: 'Scale' }],
    ] as const) {
      const body = JSON.stringify({
        openapi: '3.0.0',
        info: { title: 'Kubernetes', version: 'unversioned' },
        paths: {},
        components: { schemas: { [`io.k8s.api.${kind.group}.v1.${kind.kind}`]: { type: 'object', 'x-kubernetes-group-version-kind': [kind] } } },
      })
      docs.set(key, { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() })
    }
    this.docs = docs
    this.builtFor = this.registry.generation
    return docs
  }

  index(): Record<string, unknown> {
    const paths: Record<string, unknown> = {}
    for (const [key, doc] of this.current()) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${doc.hash}` }
    return { paths }
  }

  /** `api/v1`, `apis/apps/v1`, … */
  document(key: string): OpenApiDoc | undefined {
    return this.current().get(key)
  }
}
