// Deterministic hashes standing in for Go's hashstructure (NodePool hash, launch template names).

import { canonicalJson } from '../kube/json.ts'

/** 64-bit FNV-1a over canonical JSON, printed as an unsigned decimal like hashstructure's uint64. */
export function stableHash(value: unknown): string {
  const text = canonicalJson(value)
  let h = 0xcbf29ce484222325n
  const prime = 0x100000001b3n
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i))
    h = (h * prime) & 0xffffffffffffffffn
  }
  return h.toString()
}
