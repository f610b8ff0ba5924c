// HTTP plumbing shared by the handlers: content negotiation, bodies, Status responses.

import type { IncomingMessage, ServerResponse } from 'node:http'
import YAML from 'yaml'
import { ApiError, badRequest } from '../errors.ts'

const MAX_BODY = 3 * 1024 * 1024

export const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io'

export type Format = 'json' | 'table' | 'yaml'

/** What the client accepts: a Table (kubectl get), YAML, or JSON (the default). */
export function negotiate(accept: string | undefined): Format {
  if (!accept) return 'json'
  const parts = accept.split(',').map((p) => p.trim().toLowerCase())
  for (const p of parts) {
    const [type, ...params] = p.split(';').map((x) => x.trim())
    const kv = Object.fromEntries(params.map((x) => x.split('=') as [string, string]))
    if (type === 'application/json' && kv.as === 'table' && kv.g === 'meta.k8s.io' && (kv.v === 'v1' || kv.v === 'v1beta1')) return 'table'
    if (type === 'application/json' && kv.as === 'partialobjectmetadata') continue
    if ((type === 'application/json' || type === 'application/*' || type === '*/*') && !kv.as) return 'json'
    if (type === 'application/yaml' && !kv.as) return 'yaml'
  }
  const onlyProtobuf = parts.every((p) => p.startsWith('application/vnd.kubernetes.protobuf') || p.startsWith('application/com.github.proto-openapi'))
  if (onlyProtobuf)
    throw new ApiError(406, 'NotAcceptable', `only the following media types are accepted: application/json, application/yaml, ${TABLE_CONTENT_TYPE}`)
  return 'json'
}

function warningHeader(text: string): string {
  return `299 - ${JSON.stringify(text)}`
}

export function send(
  res: ServerResponse,
  code: number,
  body: unknown,
  format: Format = 'json',
  warnings: string[] = [],
  extraHeaders: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return
  let text: string
  let type: string
  if (format === 'yaml') {
    text = YAML.stringify(body)
    type = 'application/yaml'
  } else {
    text = JSON.stringify(body) + '\n'
    type = format === 'table' ? TABLE_CONTENT_TYPE : 'application/json'
  }
  const headers: Record<string, string | string[]> = {
    'Content-Type': type,
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-cache, private',
    'Audit-Id': cryptoId(),
    ...extraHeaders,
  }
  if (warnings.length) headers.Warning = warnings.map(warningHeader)
  res.writeHead(code, headers)
  res.end(text)
}

let idCounter = 0
function cryptoId(): string {
  idCounter = (idCounter + 1) % 1e9
  return `${Date.now().toString(16)}-${idCounter.toString(16).padStart(8, '0')}`
}

export function sendError(res: ServerResponse, err: unknown, format: Format = 'json'): void {
  const apiErr = err instanceof ApiError ? err : new ApiError(500, 'InternalError', `Internal error occurred: ${(err as Error)?.message ?? String(err)}`)
  if (!(err instanceof ApiError)) process.emitWarning(`sandbox API server: ${(err as Error)?.stack ?? String(err)}`)
  send(res, apiErr.code, apiErr.toStatus(), format === 'yaml' ? 'yaml' : 'json')
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY) {
        reject(new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'))
        req.destroy()
        return
      }
      chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

/** Parses a request body by its Content-Type (JSON, YAML, or an apply patch in either). */
export function parseBody(buf: Buffer, contentType: string | undefined, what: 'object' | 'patch'): unknown {
  const type = (contentType ?? 'application/json').split(';')[0].trim().toLowerCase()
  const text = buf.toString('utf8')
  if (text.trim() === '') {
    if (what === 'patch') throw badRequest('the body of the request was empty')
    throw badRequest("couldn't get version/kind; json parse error: unexpected end of JSON input")
  }
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml' || type === 'text/yaml') {
    try {
      const docs = YAML.parseAllDocuments(text)
      if (docs.length !== 1) throw new Error(`expected one document, found ${docs.length}`)
      if (docs[0].errors.length) throw docs[0].errors[0]
      return docs[0].toJS() as unknown
    } catch (e) {
      throw badRequest(`error decoding YAML: ${(e as Error).message.split('\n')[0]}`)
    }
  }
  try {
    return JSON.parse(text) as unknown
  } catch (e) {
    const msg = (e as Error).message
    if (what === 'patch') throw badRequest(`error decoding patch: ${msg}`)
    throw badRequest(`couldn't get version/kind; json parse error: ${msg}`)
  }
}

export function boolParam(v: string | null): boolean | undefined {
  if (v === null) return undefined
  return v === 'true' || v === '1' || v === ''
}

export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name)
  if (v === null || v === '') return undefined
  if (!/^-?\d+$/.test(v)) throw badRequest(`${name}: invalid value ${JSON.stringify(v)}: strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`)
  return Number(v)
}
