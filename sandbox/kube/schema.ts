// A structural schema (the subset of OpenAPI v3 that CustomResourceDefinitions use) with the
// three things the apiserver does with one: defaulting, pruning of unknown fields, and
// validation with the apiserver's messages. CEL rules (x-kubernetes-validations) are carried
// twice: the CEL text (served in the CRD and in /openapi/v3) and a TypeScript predicate that
// evaluates it here, because the sandbox has no CEL interpreter.

import { fieldErrors, type FieldError } from './errors.ts'
import { clone, isObject } from './json.ts'

export interface Rule {
  /** The CEL expression as the CRD declares it. */
  rule: string
  message: string
  /** Evaluates the rule; `oldSelf` is set on updates (transition rules). Returning false fails it. */
  check: (self: any, oldSelf: any) => boolean // eslint-disable-line @typescript-eslint/no-explicit-any
  /** A transition rule (mentions oldSelf): only checked on update. */
  transition?: boolean
}

export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean'
  description?: string
  properties?: Record<string, Schema>
  additionalProperties?: Schema
  items?: Schema
  required?: string[]
  enum?: (string | number)[]
  pattern?: string
  /** `allOf: [{pattern}, …]` (EC2NodeClass volumeSize). */
  allOfPatterns?: string[]
  format?: string
  minimum?: number
  maximum?: number
  minLength?: number
  maxLength?: number
  maxItems?: number
  minItems?: number
  maxProperties?: number
  default?: unknown
  /** x-kubernetes-int-or-string */
  intOrString?: boolean
  rules?: Rule[]
}

const regexCache = new Map<string, RegExp>()
function re(pattern: string): RegExp {
  let r = regexCache.get(pattern)
  if (!r) {
    r = new RegExp(pattern, 'u')
    regexCache.set(pattern, r)
  }
  return r
}

/** Applies `default`s top-down, like the apiserver's structural defaulting. Mutates `value`. */
export function applyDefaults(schema: Schema, value: unknown): void {
  if (schema.type === 'object' || schema.properties) {
    if (!isObject(value)) return
    for (const [name, prop] of Object.entries(schema.properties ?? {})) {
      if (value[name] === undefined && prop.default !== undefined) value[name] = clone(prop.default)
      if (value[name] !== undefined) applyDefaults(prop, value[name])
    }
    if (schema.additionalProperties) for (const k of Object.keys(value)) applyDefaults(schema.additionalProperties, value[k])
  } else if (schema.type === 'array' && schema.items && Array.isArray(value)) {
    for (const item of value) applyDefaults(schema.items, item)
  }
}

/**
 * Finds (and, with `prune`, removes) fields the schema does not declare. Returns their paths
 * (`spec.bogus`, `spec.template.spec.requirements[0].foo`). The root's `metadata` is left to
 * the ObjectMeta check, as the apiserver does.
 */
export function pruneUnknown(schema: Schema, value: unknown, path: string, prune: boolean, out: string[] = []): string[] {
  if (isObject(value) && (schema.properties || schema.additionalProperties)) {
    for (const k of Object.keys(value)) {
      const sub = schema.properties?.[k] ?? schema.additionalProperties
      const p = path ? `${path}.${k}` : k
      if (!sub) {
        out.push(p)
        if (prune) delete value[k]
      } else if (!(path === '' && k === 'metadata')) pruneUnknown(sub, value[k], p, prune, out)
    }
  } else if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) => pruneUnknown(schema.items!, item, `${path}[${i}]`, prune, out))
  }
  return out
}

function typeName(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number'
  return typeof v
}

function typeOk(schema: Schema, v: unknown): boolean {
  if (schema.intOrString) return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v))
  switch (schema.type) {
    case undefined:
      return true
    case 'object':
      return isObject(v)
    case 'array':
      return Array.isArray(v)
    case 'string':
      return typeof v === 'string'
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v)
    case 'number':
      return typeof v === 'number'
    case 'boolean':
      return typeof v === 'boolean'
  }
}

/**
 * Validates `value` against `schema`, appending field errors worded as the apiserver words
 * them (`spec.weight: Invalid value: 200: spec.weight in body should be less than or equal
 * to 100`). `old` is the stored value on updates (for transition rules).
 */
export function validateSchema(schema: Schema, value: unknown, path: string, errors: FieldError[], old?: unknown): void {
  if (value === null || value === undefined) return
  if (!typeOk(schema, value)) {
    const t = typeName(value)
    const want = schema.intOrString ? 'integer,string' : schema.type
    errors.push(fieldErrors.typeInvalid(path, t, `${path} in body must be of type ${want}: ${JSON.stringify(t)}`))
    return
  }
  if (schema.enum && !schema.enum.includes(value as string | number)) {
    errors.push(fieldErrors.notSupported(path, value, schema.enum.map(String)))
  }
  if (typeof value === 'string') {
    if (schema.maxLength !== undefined && [...value].length > schema.maxLength) errors.push(fieldErrors.tooLong(path, schema.maxLength))
    if (schema.minLength !== undefined && [...value].length < schema.minLength)
      errors.push(fieldErrors.invalid(path, value, `${path} in body should be at least ${schema.minLength} chars long`))
    if (schema.pattern && !re(schema.pattern).test(value)) errors.push(fieldErrors.invalid(path, value, `${path} in body should match '${schema.pattern}'`))
    for (const p of schema.allOfPatterns ?? []) if (!re(p).test(value)) errors.push(fieldErrors.invalid(path, value, `${path} in body should match '${p}'`))
    if (schema.format === 'date-time' && Number.isNaN(Date.parse(value)))
      errors.push(fieldErrors.invalid(path, value, `${path} in body must be of type date-time: ${JSON.stringify(value)}`))
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum)
      errors.push(fieldErrors.invalid(path, value, `${path} in body should be greater than or equal to ${schema.minimum}`))
    if (schema.maximum !== undefined && value > schema.maximum)
      errors.push(fieldErrors.invalid(path, value, `${path} in body should be less than or equal to ${schema.maximum}`))
    if (schema.format === 'int32' && (value > 2147483647 || value < -2147483648))
      errors.push(fieldErrors.invalid(path, value, `${path} in body must be of type int32`))
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) errors.push(fieldErrors.tooMany(path, value.length, schema.maxItems))
    if (schema.minItems !== undefined && value.length < schema.minItems)
      errors.push(fieldErrors.invalid(path, value.length, `${path} in body should have at least ${schema.minItems} items`))
    if (schema.items) {
      const oldArr = Array.isArray(old) ? old : undefined
      value.forEach((item, i) => validateSchema(schema.items!, item, `${path}[${i}]`, errors, oldArr?.[i]))
    }
  }
  if (isObject(value)) {
    const keys = Object.keys(value)
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) errors.push(fieldErrors.tooMany(path, keys.length, schema.maxProperties))
    for (const r of schema.required ?? []) {
      if (value[r] === undefined || value[r] === null) errors.push(fieldErrors.required(path ? `${path}.${r}` : r))
    }
    const oldObj = isObject(old) ? old : undefined
    for (const k of keys) {
      const sub = schema.properties?.[k] ?? schema.additionalProperties
      if (sub && !(path === '' && k === 'metadata')) validateSchema(sub, value[k], path ? `${path}.${k}` : k, errors, oldObj?.[k])
    }
  }
  // CEL rules run beside the schema checks, as on a real server (a value of the wrong type
  // returned above, so a rule never sees one).
  if (schema.rules) {
    for (const rule of schema.rules) {
      if (rule.transition && old === undefined) continue
      let ok: boolean
      try {
        ok = rule.check(value, old)
      } catch {
        ok = false
      }
      if (!ok) errors.push(fieldErrors.invalid(path, typeName(value) === 'integer' || typeName(value) === 'number' ? 'number' : typeName(value), rule.message))
    }
  }
}

/** The schema rendered as OpenAPI v3 JSON (CRD `openAPIV3Schema`, /openapi/v3 components). */
export function toOpenApi(schema: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (schema.description) out.description = schema.description
  if (schema.default !== undefined) out.default = schema.default
  if (schema.intOrString) {
    out.anyOf = [{ type: 'integer' }, { type: 'string' }]
    out['x-kubernetes-int-or-string'] = true
  } else if (schema.type) out.type = schema.type
  if (schema.enum) out.enum = schema.enum
  if (schema.format) out.format = schema.format
  if (schema.pattern) out.pattern = schema.pattern
  if (schema.allOfPatterns) out.allOf = schema.allOfPatterns.map((p) => ({ pattern: p }))
  for (const k of ['minimum', 'maximum', 'minLength', 'maxLength', 'maxItems', 'minItems', 'maxProperties'] as const)
    if (schema[k] !== undefined) out[k] = schema[k]
  if (schema.properties) out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, toOpenApi(v)]))
  if (schema.additionalProperties) out.additionalProperties = toOpenApi(schema.additionalProperties)
  if (schema.items) out.items = toOpenApi(schema.items)
  if (schema.required) out.required = schema.required
  if (schema.rules) out['x-kubernetes-validations'] = schema.rules.map((r) => ({ message: r.message, rule: r.rule }))
  return out
}
