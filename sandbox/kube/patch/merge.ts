// JSON merge patch (RFC 7386, `application/merge-patch+json`): objects merge key by key,
// `null` deletes, anything else (arrays included) replaces.

import { clone, isObject } from '../json.ts'

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch)
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {}
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k]
    else out[k] = mergePatch(out[k], v)
  }
  return out
}
