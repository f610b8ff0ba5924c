// Label and field selectors, with the apiserver's syntax and error messages.
//
// Label selectors: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a` (exists), `!a`,
// `a>1`, `a<1`, comma-separated (AND). Field selectors: `f=v`, `f==v`, `f!=v`, comma-separated,
// over the fields each resource supports (metadata.name/namespace everywhere, spec.nodeName
// for pods, involvedObject.* for events, …).

import { badRequest } from './errors.ts'
import { getPath, isObject, txt } from './json.ts'

type LabelOperator = 'in' | 'notin' | 'exists' | '!' | '=' | '==' | '!=' | 'gt' | 'lt'

export interface LabelRequirement {
  key: string
  operator: LabelOperator
  values: string[]
}

export type Labels = Record<string, string> | undefined

export class LabelSelector {
  readonly requirements: LabelRequirement[]
  constructor(requirements: LabelRequirement[]) {
    this.requirements = requirements
  }

  get empty(): boolean {
    return this.requirements.length === 0
  }

  matches(labels: Labels): boolean {
    for (const r of this.requirements) if (!matchRequirement(r, labels)) return false
    return true
  }

  toString(): string {
    return this.requirements.map(requirementToString).join(',')
  }
}

function matchRequirement(r: LabelRequirement, labels: Labels): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key)
  const value = has ? labels[r.key] : undefined
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return has && r.values.includes(value!)
    case '!=':
    case 'notin':
      return !has || !r.values.includes(value!)
    case 'exists':
      return has
    case '!':
      return !has
    case 'gt':
    case 'lt': {
      if (!has) return false
      const v = Number.parseInt(value!, 10)
      if (!/^-?\d+$/.test(value!)) return false
      const bound = Number.parseInt(r.values[0], 10)
      return r.operator === 'gt' ? v > bound : v < bound
    }
  }
}

function requirementToString(r: LabelRequirement): string {
  switch (r.operator) {
    case 'exists':
      return r.key
    case '!':
      return `!${r.key}`
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${r.values.join(',')})`
    case 'gt':
      return `${r.key}>${r.values[0]}`
    case 'lt':
      return `${r.key}<${r.values[0]}`
    default:
      return `${r.key}${r.operator}${r.values[0]}`
  }
}

// ---- label selector parsing (a small lexer + parser, like apimachinery's labels.Parse) ----

type Tok = { t: 'id' | 'op' | '(' | ')' | ',' | 'end'; v: string }

function lex(input: string): Tok[] {
  const out: Tok[] = []
  let i = 0
  while (i < input.length) {
    const c = input[i]
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++
      continue
    }
    if (c === '(' || c === ')' || c === ',') {
      out.push({ t: c, v: c })
      i++
      continue
    }
    const two = input.slice(i, i + 2)
    if (two === '==' || two === '!=') {
      out.push({ t: 'op', v: two })
      i += 2
      continue
    }
    if (c === '=' || c === '>' || c === '<' || c === '!') {
      out.push({ t: 'op', v: c })
      i++
      continue
    }
    let j = i
    while (j < input.length && !' \t\n\r(),=!<>'.includes(input[j])) j++
    out.push({ t: 'id', v: input.slice(i, j) })
    i = j
  }
  out.push({ t: 'end', v: '' })
  return out
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/

/** Validates a label key (qualified name); returns the problems, as apimachinery words them. */
export function labelKeyErrors(key: string): string[] {
  const errs: string[] = []
  const parts = key.split('/')
  let name = key
  if (parts.length === 2) {
    const [prefix, n] = parts
    name = n
    if (prefix.length === 0) errs.push('prefix part must be non-empty')
    else if (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))
      errs.push(
        "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      )
  } else if (parts.length > 2) {
    return [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ]
  }
  if (name.length === 0) errs.push('name part must be non-empty')
  else if (name.length > 63) errs.push('name part must be no more than 63 characters')
  else if (!QUALIFIED_NAME_PART.test(name))
    errs.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    )
  return errs
}

export function labelValueErrors(value: string): string[] {
  const errs: string[] = []
  if (value.length > 63) errs.push('must be no more than 63 characters')
  if (!LABEL_VALUE.test(value))
    errs.push(
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    )
  return errs
}

function parseError(msg: string): Error {
  return badRequest(`unable to parse requirement: ${msg}`)
}

/** Parses a label selector string; throws a 400 ApiError on bad syntax. */
export function parseLabelSelector(input: string | undefined): LabelSelector {
  if (!input || input.trim() === '') return new LabelSelector([])
  const toks = lex(input)
  let p = 0
  const reqs: LabelRequirement[] = []
  const peek = () => toks[p]
  const next = () => toks[p++]
  const validKey = (key: string) => {
    const errs = labelKeyErrors(key)
    if (errs.length) throw parseError(`<nil>: Invalid value: ${JSON.stringify(key)}: ${errs.join('; ')}`)
  }
  const validValue = (key: string, value: string) => {
    const errs = labelValueErrors(value)
    if (errs.length) throw parseError(`values[0][${key}]: Invalid value: ${JSON.stringify(value)}: ${errs.join('; ')}`)
  }
  for (;;) {
    let tok = next()
    if (tok.t === 'op' && tok.v === '!') {
      const key = next()
      if (key.t !== 'id') throw badRequest(`found '${key.v}', expected: identifier after '!'`)
      validKey(key.v)
      reqs.push({ key: key.v, operator: '!', values: [] })
    } else if (tok.t === 'id') {
      const key = tok.v
      validKey(key)
      const op = peek()
      if (op.t === ',' || op.t === 'end') {
        reqs.push({ key, operator: 'exists', values: [] })
      } else if (op.t === 'op') {
        next()
        if (op.v === '!') throw badRequest(`found '!', expected: '=', '!=', '==', 'in', notin'`)
        const val = peek()
        let value = ''
        if (val.t === 'id') {
          next()
          value = val.v
        } else if (val.t !== ',' && val.t !== 'end') throw badRequest(`found '${val.v}', expected: identifier`)
        if (op.v === '>' || op.v === '<') {
          if (!/^-?\d+$/.test(value)) throw parseError(`for 'Gt', 'Lt' operators, the value must be an integer`)
          reqs.push({ key, operator: op.v === '>' ? 'gt' : 'lt', values: [value] })
        } else {
          validValue(key, value)
          reqs.push({ key, operator: op.v as LabelOperator, values: [value] })
        }
      } else if (op.t === 'id' && (op.v === 'in' || op.v === 'notin')) {
        next()
        const open = next()
        if (open.t !== '(') throw badRequest(`found '${open.v}', expected: '('`)
        const values: string[] = []
        for (;;) {
          let v = next()
          if (v.t === ')') {
            if (values.length === 0) values.push('')
            break
          }
          if (v.t === ',') {
            values.push('')
            continue
          }
          if (v.t !== 'id') throw badRequest(`found '${v.v}', expected: ',', ')' or identifier`)
          validValue(key, v.v)
          values.push(v.v)
          v = next()
          if (v.t === ')') break
          if (v.t !== ',') throw badRequest(`found '${v.v}', expected: ',' or ')'`)
        }
        reqs.push({ key, operator: op.v, values })
      } else {
        throw badRequest(`found '${op.v}', expected: in, notin, =, ==, !=, gt, lt`)
      }
    } else {
      throw badRequest(`found '${tok.v}', expected: !, identifier, or 'end of string'`)
    }
    tok = next()
    if (tok.t === 'end') break
    if (tok.t !== ',') throw badRequest(`found '${tok.v}', expected: ',' or 'end of string'`)
  }
  return new LabelSelector(reqs)
}

// ---- metav1.LabelSelector (matchLabels / matchExpressions), as used in specs ----

export interface LabelSelectorSpec {
  matchLabels?: Record<string, string>
  matchExpressions?: { key: string; operator: string; values?: string[] }[]
}

/** Converts a spec selector (Deployment.spec.selector) to a matcher. An empty one matches everything. */
export function fromLabelSelectorSpec(spec: LabelSelectorSpec | undefined | null): LabelSelector {
  const reqs: LabelRequirement[] = []
  if (!spec) return new LabelSelector([])
  for (const key of Object.keys(spec.matchLabels ?? {}).sort()) reqs.push({ key, operator: '=', values: [spec.matchLabels![key]] })
  for (const e of spec.matchExpressions ?? []) {
    const op = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' }[e.operator] as LabelOperator | undefined
    if (!op) throw badRequest(`${JSON.stringify(e.operator)} is not a valid label selector operator`)
    reqs.push({ key: e.key, operator: op, values: [...(e.values ?? [])].sort() })
  }
  return new LabelSelector(reqs)
}

// ---- field selectors ----

export interface FieldRequirement {
  field: string
  operator: '=' | '!='
  value: string
}

export class FieldSelector {
  readonly requirements: FieldRequirement[]
  constructor(requirements: FieldRequirement[]) {
    this.requirements = requirements
  }

  get empty(): boolean {
    return this.requirements.length === 0
  }

  /** `fields` are the object's selectable fields (see selectableFields). */
  matches(fields: Record<string, string>): boolean {
    for (const r of this.requirements) {
      const v = fields[r.field] ?? ''
      if (r.operator === '=' ? v !== r.value : v === r.value) return false
    }
    return true
  }

  /** The value this selector pins a field to (`metadata.name=x` → x), for fast paths. */
  exact(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator === '=')?.value
  }
}

function splitUnescaped(s: string, sep: string): string[] {
  const out: string[] = []
  let cur = ''
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s[i + 1]
      i++
    } else if (c === sep) {
      out.push(cur)
      cur = ''
    } else cur += c
  }
  out.push(cur)
  return out
}

function unescapeField(s: string): string {
  return s.replace(/\\(.)/g, '$1')
}

/** Parses a field selector; `supported` lists the fields the resource knows (else 400). */
export function parseFieldSelector(input: string | undefined, supported?: Set<string>): FieldSelector {
  if (!input || input.trim() === '') return new FieldSelector([])
  const reqs: FieldRequirement[] = []
  for (const part of splitUnescaped(input, ',')) {
    if (part === '') continue
    const op = findOperator(part)
    if (!op) throw badRequest(`invalid selector: '${input}'; can't understand '${part}'`)
    const field = unescapeField(part.slice(0, op.at)).trim()
    const value = unescapeField(part.slice(op.at + op.op.length))
    if (supported && !supported.has(field)) throw badRequest(`field label not supported: ${field}`)
    reqs.push({ field, operator: op.op === '!=' ? '!=' : '=', value })
  }
  return new FieldSelector(reqs)
}

const COMMON_FIELDS = ['metadata.name', 'metadata.namespace']

/** Field selectors each resource supports (as the apiserver's GetAttrs functions declare). */
const SUPPORTED_FIELDS: Record<string, string[]> = {
  pods: [
    ...COMMON_FIELDS,
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  nodes: [...COMMON_FIELDS, 'spec.unschedulable'],
  events: [
    ...COMMON_FIELDS,
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  namespaces: [...COMMON_FIELDS, 'status.phase'],
  secrets: [...COMMON_FIELDS, 'type'],
  'replicasets.apps': [...COMMON_FIELDS, 'status.replicas'],
}

export function supportedFields(resourceKey: string): Set<string> {
  return new Set(SUPPORTED_FIELDS[resourceKey] ?? COMMON_FIELDS)
}

function str(v: unknown): string {
  return txt(v)
}

/** The first unescaped `!=`, `==` or `=` of a field selector term. */
function findOperator(term: string): { at: number; op: '!=' | '==' | '=' } | undefined {
  for (let i = 0; i < term.length; i++) {
    if (term[i] === '\\') {
      i++
      continue
    }
    if (term.startsWith('!=', i)) return { at: i, op: '!=' }
    if (term.startsWith('==', i)) return { at: i, op: '==' }
    if (term[i] === '=') return { at: i, op: '=' }
  }
  return undefined
}

/** The selectable field values of an object (only the ones the selector mentions are read). */
export function selectableFields(resourceKey: string, obj: Record<string, unknown>): Record<string, string> {
  const meta = (obj.metadata ?? {}) as Record<string, unknown>
  const f: Record<string, string> = { 'metadata.name': str(meta.name), 'metadata.namespace': str(meta.namespace) }
  switch (resourceKey) {
    case 'pods': {
      const spec = (obj.spec ?? {}) as Record<string, unknown>
      const status = (obj.status ?? {}) as Record<string, unknown>
      f['spec.nodeName'] = str(spec.nodeName)
      f['spec.restartPolicy'] = str(spec.restartPolicy)
      f['spec.schedulerName'] = str(spec.schedulerName)
      f['spec.serviceAccountName'] = str(spec.serviceAccountName)
      f['spec.hostNetwork'] = String(spec.hostNetwork === true)
      f['status.phase'] = str(status.phase)
      f['status.podIP'] = str(status.podIP)
      f['status.nominatedNodeName'] = str(status.nominatedNodeName)
      break
    }
    case 'nodes':
      f['spec.unschedulable'] = String(getPath(obj, ['spec', 'unschedulable']) === true)
      break
    case 'events': {
      const io = isObject(obj.involvedObject) ? obj.involvedObject : {}
      for (const k of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']) f[`involvedObject.${k}`] = str(io[k])
      f.reason = str(obj.reason)
      f.reportingComponent = str(obj.reportingComponent)
      f.source = str(getPath(obj, ['source', 'component']))
      f.type = str(obj.type)
      break
    }
    case 'namespaces':
      f['status.phase'] = str(getPath(obj, ['status', 'phase']))
      break
    case 'secrets':
      f.type = str(obj.type)
      break
    case 'replicasets.apps':
      f['status.replicas'] = str(getPath(obj, ['status', 'replicas']) ?? 0)
      break
  }
  return f
}
