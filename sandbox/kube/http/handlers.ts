// Routing and the resource verbs: turns an HTTP request into store calls and renders the
// result the way a real apiserver does (status codes, Status objects, Tables, watch streams).

import type { IncomingMessage, ServerResponse } from 'node:http'
import { ApiError, badRequest, methodNotAllowed, notFound, notFoundPath } from '../errors.ts'
import { isObject, txt, type KubeObject } from '../json.ts'
import type { ResourceDef } from '../registry.ts'
import { PATCH_CONTENT_TYPES, type DeleteOptions, type FieldValidation, type Store } from '../store.ts'
import type { PodLogs } from '../pod-logs.ts'
import { toTable, type IncludeObject } from '../tables/table.ts'
import {
  aggregatedContentType,
  aggregatedDiscovery,
  legacyApiVersions,
  legacyGroup,
  legacyGroupList,
  legacyResourceList,
  type AggregatedVersion,
} from '../discovery.ts'
import type { OpenApi } from '../openapi.ts'
import { boolParam, intParam, negotiate, parseBody, readBody, send, type Format } from './util.ts'
import { serveWatch, type OpenStream } from './watch.ts'
import { serveLogs } from './logs.ts'

export interface HandlerContext {
  store: Store
  podLogs: PodLogs
  openapi: OpenApi
  version: Record<string, string>
  serverAddress: () => string
  streams: Set<OpenStream>
  maxWatchBufferBytes: number
}

interface ResourceRoute {
  def: ResourceDef
  namespace?: string
  name?: string
  subresource?: string
  watchPrefix: boolean
}

function wantsAggregated(accept: string | undefined): AggregatedVersion | undefined {
  if (!accept) return undefined
  for (const p of accept.split(',')) {
    const s = p.replace(/\s/g, '').toLowerCase()
    if (!s.includes('as=apigroupdiscoverylist') || !s.includes('g=apidiscovery.k8s.io')) continue
    if (s.includes('v=v2beta1')) return 'v2beta1'
    if (s.includes('v=v2')) return 'v2'
  }
  return undefined
}

export async function handle(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const segs = url.pathname.split('/').filter(Boolean).map(decodeURIComponent)
  const method = req.method ?? 'GET'
  const q = url.searchParams
  const path = url.pathname.replace(/\/+$/, '') || '/'

  if (path === '/version') {
    if (method !== 'GET') throw methodNotAllowed()
    return send(res, 200, ctx.version)
  }
  if (path === '/healthz' || path === '/livez' || path === '/readyz') {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' })
    res.end('ok')
    return
  }
  if (segs[0] === 'openapi') return serveOpenApi(ctx, req, res, segs, url)
  const discoveryPath = (segs[0] === 'api' && segs.length <= 2) || (segs[0] === 'apis' && segs.length <= 3)
  if (discoveryPath && method !== 'GET') throw methodNotAllowed()
  const accept = req.headers.accept
  if (path === '/api' || path === '/apis') {
    const agg = wantsAggregated(accept)
    const which = path === '/api' ? 'api' : 'apis'
    if (agg)
      return send(res, 200, aggregatedDiscovery(ctx.store.registry, which, agg), 'json', [], { 'Content-Type': aggregatedContentType(agg), Vary: 'Accept' })
    return send(res, 200, which === 'api' ? legacyApiVersions(ctx.serverAddress()) : legacyGroupList(ctx.store.registry))
  }
  if (segs[0] === 'api' && segs.length === 2) {
    const list = legacyResourceList(ctx.store.registry, '', segs[1])
    if (!list) throw notFoundPath()
    return send(res, 200, list)
  }
  if (segs[0] === 'apis' && segs.length === 2) {
    const g = legacyGroup(ctx.store.registry, segs[1])
    if (!g) throw notFoundPath()
    return send(res, 200, g)
  }
  if (segs[0] === 'apis' && segs.length === 3) {
    const list = legacyResourceList(ctx.store.registry, segs[1], segs[2])
    if (!list) throw notFoundPath()
    return send(res, 200, list)
  }
  const route = parseResourcePath(ctx, segs)
  if (!route) throw notFoundPath()
  return serveResource(ctx, req, res, route, q, method)
}

function parseResourcePath(ctx: HandlerContext, segs: string[]): ResourceRoute | undefined {
  let group: string
  let version: string
  let rest: string[]
  if (segs[0] === 'api' && segs.length >= 3) {
    group = ''
    version = segs[1]
    rest = segs.slice(2)
  } else if (segs[0] === 'apis' && segs.length >= 4) {
    group = segs[1]
    version = segs[2]
    rest = segs.slice(3)
  } else return undefined
  let watchPrefix = false
  if (rest[0] === 'watch') {
    watchPrefix = true
    rest = rest.slice(1)
  }
  const reg = ctx.store.registry
  // /namespaces/<ns>/<plural>/… addresses a namespaced resource; /namespaces/<ns>/status is the namespace's own subresource.
  if (rest[0] === 'namespaces' && rest.length >= 3 && isNamespaced(ctx, group, version, rest[2])) {
    const def = reg.byGroupVersionResource(group, version, rest[2])
    if (!def || !def.namespaced) return undefined
    if (rest.length > 5) return undefined
    return { def, namespace: rest[1], name: rest[3], subresource: rest[4], watchPrefix }
  }
  const def = reg.byGroupVersionResource(group, version, rest[0])
  if (!def || rest.length > 3) return undefined
  if (def.namespaced && rest.length > 1) return undefined
  return { def, name: rest[1], subresource: rest[2], watchPrefix }
}

function isNamespaced(ctx: HandlerContext, group: string, version: string, plural: string): boolean {
  return ctx.store.registry.byGroupVersionResource(group, version, plural)?.namespaced === true
}

function includeObject(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject')
  if (v === null || v === '' || v === 'Metadata') return 'Metadata'
  if (v === 'None' || v === 'Object') return v
  throw badRequest(`unable to parse includeObject: ${JSON.stringify(v)}`)
}

function fieldValidation(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation')
  if (v === null || v === '') return 'Warn' // the apiserver's default for HTTP clients
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v
  throw badRequest(`fieldValidation: Unsupported value: ${JSON.stringify(v)}: supported values: "Ignore", "Warn", "Strict"`)
}

function dryRun(q: URLSearchParams): boolean {
  const v = q.getAll('dryRun')
  if (!v.length) return false
  for (const x of v) if (x !== 'All') throw badRequest(`dryRun: Unsupported value: ${JSON.stringify(x)}: supported values: "All"`)
  return true
}

/** The user agent's first word: what the apiserver records as the field manager when none is given. */
function defaultManager(req: IncomingMessage): string {
  const ua = req.headers['user-agent'] ?? 'unknown'
  return ua.split('/')[0].trim() || 'unknown'
}

function renderObject(route: ResourceRoute, obj: KubeObject, format: Format, q: URLSearchParams): unknown {
  if (format === 'table') return toTable(route.def, [obj], { resourceVersion: obj.metadata.resourceVersion, include: includeObject(q) })
  return obj
}

async function serveResource(
  ctx: HandlerContext,
  req: IncomingMessage,
  res: ServerResponse,
  route: ResourceRoute,
  q: URLSearchParams,
  method: string,
): Promise<void> {
  const { store } = ctx
  const { def } = route
  const format = negotiate(req.headers.accept)
  const warnings: string[] = []
  const sub = route.subresource

  if (sub && !def.subresources[sub]) throw notFoundPath()
  if (route.namespace !== undefined && def.namespaced && route.namespace === '') throw notFoundPath()

  // ---------------------------------------------------------------- collections
  if (route.name === undefined) {
    const listOpts = { namespace: route.namespace, labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined }
    if (method === 'GET') {
      if (route.watchPrefix || boolParam(q.get('watch')) === true) {
        if (!def.verbs.includes('watch')) throw methodNotAllowed()
        return serveWatch(
          store,
          req,
          res,
          {
            def,
            ...listOpts,
            resourceVersion: q.get('resourceVersion') ?? undefined,
            allowBookmarks: boolParam(q.get('allowWatchBookmarks')) === true,
            sendInitialEvents: boolParam(q.get('sendInitialEvents')) === true,
            timeoutSeconds: intParam(q, 'timeoutSeconds'),
            format: format === 'yaml' ? 'json' : format,
            include: includeObject(q),
          },
          ctx.streams,
          ctx.maxWatchBufferBytes,
        )
      }
      if (!def.verbs.includes('list')) throw methodNotAllowed()
      const result = store.listRaw(def.key, { ...listOpts, limit: intParam(q, 'limit'), continue: q.get('continue') ?? undefined })
      if (format === 'table') {
        return send(
          res,
          200,
          toTable(def, result.items, {
            resourceVersion: result.resourceVersion,
            continue: result.continue,
            remainingItemCount: result.remainingItemCount,
            include: includeObject(q),
          }),
          'table',
        )
      }
      const metadata: Record<string, unknown> = { resourceVersion: result.resourceVersion }
      if (result.continue) metadata.continue = result.continue
      if (result.remainingItemCount) metadata.remainingItemCount = result.remainingItemCount
      return send(res, 200, { kind: def.listKind, apiVersion: def.apiVersion, metadata, items: result.items }, format)
    }
    if (method === 'POST') {
      if (!def.verbs.includes('create')) throw methodNotAllowed()
      const body = parseBody(await readBody(req), req.headers['content-type'], 'object')
      if (!isObject(body)) throw badRequest('the object provided is unrecognized or malformed')
      const obj = body as KubeObject
      if (!isObject(obj.metadata)) obj.metadata = {}
      if (def.namespaced) {
        if (route.namespace === undefined) throw methodNotAllowed()
        if (obj.metadata.namespace && obj.metadata.namespace !== route.namespace)
          throw badRequest('the namespace of the provided object does not match the namespace sent on the request')
        obj.metadata.namespace = route.namespace
      }
      const created = store.create(def.key, obj, {
        dryRun: dryRun(q),
        fieldManager: q.get('fieldManager') || defaultManager(req),
        fieldValidation: fieldValidation(q),
        warnings,
      })
      return send(res, 201, renderObject(route, created, format, q), format, warnings)
    }
    if (method === 'DELETE') {
      const opts = await deleteOptions(req, q)
      const deleted = store.deleteCollection(def.key, { ...listOpts, ...opts })
      return send(res, 200, { kind: def.listKind, apiVersion: def.apiVersion, metadata: { resourceVersion: store.resourceVersion }, items: deleted }, format)
    }
    throw methodNotAllowed()
  }

  // ---------------------------------------------------------------- single objects
  const name = route.name
  const ns = route.namespace
  if (sub === 'log') {
    if (method !== 'GET') throw methodNotAllowed()
    const pod = store.get('pods', ns, name)
    return serveLogs(pod, q, ctx.podLogs, req, res, ctx.streams)
  }
  if (sub === 'binding') {
    if (method !== 'POST') throw methodNotAllowed()
    const body = parseBody(await readBody(req), req.headers['content-type'], 'object') as Record<string, unknown>
    const target = (isObject(body) ? body.target : undefined) as Record<string, unknown> | undefined
    if (!target?.name) throw new ApiError(422, 'Invalid', `Binding "${name}" is invalid: target.name: Required value`)
    store.bindPod(ns!, name, txt(target.name), { dryRun: dryRun(q), fieldManager: q.get('fieldManager') || defaultManager(req) })
    return send(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 })
  }
  if (sub === 'eviction') {
    if (method !== 'POST') throw methodNotAllowed()
    const body = parseBody(await readBody(req), req.headers['content-type'], 'object') as Record<string, unknown>
    if (!isObject(body)) throw badRequest('the object provided is unrecognized or malformed')
    const meta = (body.metadata ?? {}) as Record<string, unknown>
    if (meta.name && meta.name !== name) throw badRequest(`name in URL does not match name in Eviction object`)
    // PodDisruptionBudgets are not modelled by the sandbox: every eviction is allowed and
    // deletes the pod gracefully, as it would with no PDB covering it.
    const opts = (body.deleteOptions ?? {}) as DeleteOptions
    store.delete('pods', ns, name, {
      ...opts,
      dryRun: dryRun(q) || (Array.isArray((opts as Record<string, unknown>).dryRun) && ((opts as Record<string, unknown>).dryRun as string[]).includes('All')),
    })
    return send(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 })
  }
  if (sub === 'scale') {
    if (method === 'GET') return send(res, 200, store.getScale(def.key, ns, name), format === 'table' ? 'json' : format)
    if (method === 'PUT' || method === 'PATCH') {
      const body = parseBody(await readBody(req), req.headers['content-type'], method === 'PATCH' ? 'patch' : 'object')
      const common = {
        dryRun: dryRun(q),
        fieldManager: q.get('fieldManager') || defaultManager(req),
        fieldValidation: fieldValidation(q),
        subresource: 'scale',
        warnings,
      }
      let scale: KubeObject
      if (method === 'PUT') {
        if (!isObject(body)) throw badRequest('the object provided is unrecognized or malformed')
        const obj = body as KubeObject
        scale = store.update(
          def.key,
          { ...obj, apiVersion: def.apiVersion, kind: def.kind, metadata: { ...(obj.metadata ?? {}), name, namespace: ns } },
          common,
        )
      } else {
        const type = patchType(req, def)
        if (type === 'apply')
          throw new ApiError(
            415,
            'UnsupportedMediaType',
            'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json',
          )
        scale = store.patch(def.key, ns, name, type, body, common)
      }
      return send(res, 200, scale, format === 'table' ? 'json' : format, warnings)
    }
    throw methodNotAllowed()
  }

  if (method === 'GET') {
    if (!(sub ? def.subresources[sub].verbs.includes('get') : def.verbs.includes('get'))) throw methodNotAllowed()
    const obj = store.peek(def.key, ns, name)
    if (!obj) throw notFound(def.plural, def.group, name)
    return send(res, 200, renderObject(route, obj, format, q), format)
  }
  if (method === 'PUT') {
    const body = parseBody(await readBody(req), req.headers['content-type'], 'object')
    if (!isObject(body)) throw badRequest('the object provided is unrecognized or malformed')
    const obj = body as KubeObject
    if (!isObject(obj.metadata)) obj.metadata = {}
    if (obj.metadata.name && obj.metadata.name !== name)
      throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`)
    if (def.namespaced && obj.metadata.namespace && obj.metadata.namespace !== ns)
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request')
    obj.metadata.name = name
    if (def.namespaced) obj.metadata.namespace = ns
    const updated = store.update(def.key, obj, {
      dryRun: dryRun(q),
      fieldManager: q.get('fieldManager') || defaultManager(req),
      fieldValidation: fieldValidation(q),
      subresource: sub,
      warnings,
    })
    return send(res, 200, renderObject(route, updated, format, q), format, warnings)
  }
  if (method === 'PATCH') {
    const type = patchType(req, def)
    const body = parseBody(await readBody(req), req.headers['content-type'], 'patch')
    const existed = store.peek(def.key, ns, name) !== undefined
    const force = boolParam(q.get('force'))
    if (force !== undefined && type !== 'apply')
      throw new ApiError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch', {
        group: 'meta.k8s.io',
        kind: 'PatchOptions',
      })
    const manager = q.get('fieldManager') || (type === 'apply' ? '' : defaultManager(req))
    const patched = store.patch(def.key, ns, name, type, body, {
      dryRun: dryRun(q),
      fieldManager: manager,
      fieldValidation: fieldValidation(q),
      subresource: sub,
      force: force === true,
      warnings,
    })
    return send(res, type === 'apply' && !existed ? 201 : 200, renderObject(route, patched, format, q), format, warnings)
  }
  if (method === 'DELETE') {
    if (sub) throw methodNotAllowed()
    const opts = await deleteOptions(req, q)
    const result = store.delete(def.key, ns, name, opts)
    if (result.deleted && !def.custom && def.key !== 'pods') {
      return send(
        res,
        200,
        {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Success',
          details: { name, group: def.group || undefined, kind: def.plural, uid: result.object.metadata.uid },
        },
        format === 'table' ? 'json' : format,
      )
    }
    return send(res, 200, renderObject(route, result.object, format, q), format)
  }
  throw methodNotAllowed()
}

function patchType(req: IncomingMessage, def: ResourceDef): ReturnType<typeof patchTypeOf> {
  return patchTypeOf(req.headers['content-type'], def)
}

function patchTypeOf(contentType: string | undefined, def: ResourceDef) {
  const ct = (contentType ?? '').split(';')[0].trim().toLowerCase()
  const type = PATCH_CONTENT_TYPES[ct]
  const accepted = def.custom
    ? ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']
    : ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml', 'application/strategic-merge-patch+json']
  if (!type || (type === 'strategic' && def.custom))
    throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`)
  return type
}

async function deleteOptions(req: IncomingMessage, q: URLSearchParams): Promise<DeleteOptions> {
  const buf = await readBody(req)
  let body: Record<string, unknown> = {}
  if (buf.length && buf.toString().trim()) {
    const parsed = parseBody(buf, req.headers['content-type'], 'object')
    if (!isObject(parsed)) throw badRequest('the DeleteOptions body is not an object')
    body = parsed
  }
  const opts: DeleteOptions = {}
  const grace = intParam(q, 'gracePeriodSeconds') ?? (body.gracePeriodSeconds as number | undefined)
  if (grace !== undefined) opts.gracePeriodSeconds = grace
  const policy = q.get('propagationPolicy') ?? (body.propagationPolicy as string | undefined)
  if (policy) opts.propagationPolicy = policy as DeleteOptions['propagationPolicy']
  const orphan = boolParam(q.get('orphanDependents')) ?? (body.orphanDependents as boolean | undefined)
  if (orphan !== undefined) opts.orphanDependents = orphan
  if (isObject(body.preconditions)) opts.preconditions = body.preconditions
  const dr = q.getAll('dryRun').length ? dryRun(q) : Array.isArray(body.dryRun) && (body.dryRun as string[]).includes('All')
  if (dr) opts.dryRun = true
  return opts
}

function serveOpenApi(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, segs: string[], url: URL): void {
  if (req.method !== 'GET') throw methodNotAllowed()
  if (segs[1] === 'v2' || segs[1] !== 'v3') {
    // kubectl only asks for v2 as protobuf and treats 404 as "not available".
    throw notFoundPath()
  }
  if (segs.length === 2) return send(res, 200, ctx.openapi.index())
  const key = segs.slice(2).join('/')
  const doc = ctx.openapi.document(key)
  if (!doc) throw notFoundPath()
  const etag = `"${doc.hash}"`
  const asked = url.searchParams.get('hash')
  if (asked && asked !== doc.hash) {
    res.writeHead(301, { Location: `/openapi/v3/${key}?hash=${doc.hash}`, 'Cache-Control': 'no-cache, private' })
    res.end()
    return
  }
  const cache = asked
    ? { 'Cache-Control': 'public, immutable', Expires: new Date(Date.now() + 365 * 86_400_000).toUTCString() }
    : { 'Cache-Control': 'no-cache, private' }
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { ETag: etag, ...cache })
    res.end()
    return
  }
  res.writeHead(200, { 'Content-Type': 'application/json', ETag: etag, 'Content-Length': String(Buffer.byteLength(doc.body)), ...cache })
  res.end(doc.body)
}
