// JSON patch (RFC 6902, `application/json-patch+json`) through fast-json-patch, with the
// apiserver's status codes: an undecodable patch is 400, an operation that cannot apply 422.

import fastJsonPatch from 'fast-json-patch'
import type { Operation } from 'fast-json-patch'
import { ApiError, badRequest } from '../errors.ts'
import { clone } from '../json.ts'

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test'])

export function applyJsonPatch(doc: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch')
  for (const op of patch as Record<string, unknown>[]) {
    if (typeof op !== 'object' || op === null || typeof op.op !== 'string' || !OPS.has(op.op) || typeof op.path !== 'string')
      throw badRequest(`Unexpected kind: ${typeof op === 'object' && op !== null ? String(op.op) : String(op)}`)
  }
  try {
    return fastJsonPatch.applyPatch(clone(doc), patch as Operation[], true, true).newDocument
  } catch (err) {
    const e = err as { name?: string; message?: string }
    const detail = (e.message ?? String(err)).split('\n')[0]
    throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: ${detail}`, { causes: [{ message: detail }] })
  }
}
