// Building blocks for the TypeScript descriptions of CustomResourceDefinitions: schema node
// builders, the patterns controller-gen emits for Kubernetes types (quantities, label keys and
// values), and helpers that give TypeScript predicates CEL's semantics (`find`, `int`, `has`).

import type { Schema } from '../schema.ts'

export type SchemaOpts = Omit<Schema, 'type' | 'properties' | 'items' | 'additionalProperties'>
export const str = (o: SchemaOpts = {}): Schema => ({ type: 'string', ...o })
export const int = (o: SchemaOpts = {}): Schema => ({ type: 'integer', ...o })
export const bool = (o: SchemaOpts = {}): Schema => ({ type: 'boolean', ...o })
export const obj = (properties: Record<string, Schema>, o: SchemaOpts = {}): Schema => ({ type: 'object', properties, ...o })
export const arr = (items: Schema, o: SchemaOpts = {}): Schema => ({ type: 'array', items, ...o })
export const map = (value: Schema, o: SchemaOpts = {}): Schema => ({ type: 'object', additionalProperties: value, ...o })

/** resource.Quantity as controller-gen renders it (int-or-string with this pattern). */
export const QUANTITY = '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$'
export const quantity = (o: SchemaOpts = {}): Schema => ({ intOrString: true, pattern: QUANTITY, ...o })
export const resourceList = (o: SchemaOpts = {}): Schema => map(quantity(), o)
/** A qualified name (label or taint key): optional DNS-subdomain prefix and '/', then a name. */
export const QUALIFIED_KEY = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(\\/))?([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$'
export const LABEL_VALUE = '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$'
export const EVICTION_SIGNAL =
  '^((\\d{1,2}(\\.\\d{1,2})?|100(\\.0{1,2})?)%||(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?)$'

/** CEL's `x.find("^([^/]+)")`: the part before the first '/', or the whole key. */
export const domain = (key: string): string => /^([^/]+)/.exec(key)?.[1] ?? ''
/** CEL's `int(s)`: throws on anything that is not an integer literal. */
export function celInt(s: unknown): number {
  if (typeof s === 'number' && Number.isInteger(s)) return s
  if (typeof s !== 'string' || !/^[-+]?\d+$/.test(s)) throw new TypeError(`cannot convert ${String(s)} to int`)
  return Number.parseInt(s, 10)
}
/** CEL's `has(o.k)`. */
export const has = (o: unknown, k: string): boolean => typeof o === 'object' && o !== null && (o as Record<string, unknown>)[k] !== undefined
/** The keys of a CEL map (`self.all(x, …)` over a map iterates its keys). */
export const keysOf = (o: unknown): string[] => Object.keys(o ?? {})
/** A CEL list literal of strings, as the rule text writes it. */
export const celList = (xs: readonly string[]): string => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`
/** A field CEL reads that must exist (`x.values.size()` on a requirement without values is a runtime error, so the rule fails). */
export function present<T>(value: T | undefined, name: string): T {
  if (value === undefined || value === null) throw new TypeError(`no such key: ${name}`)
  return value
}
