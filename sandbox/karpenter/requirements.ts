// The requirement algebra of Karpenter v0.32.1 (core@v0.32.1:pkg/scheduling/{requirement.go,
// requirements.go}).
//
// A Requirement is a set of allowed values for one label key, kept as either a concrete set
// (`In`; empty = `DoesNotExist`) or a complement (`NotIn`; nothing excluded = `Exists`), plus
// optional integer bounds from `Gt`/`Lt`. NodePools, pods, instance types and NodeClaims are all
// turned into Requirements (one per key) and combined by intersection; the error texts are
// Karpenter's, since they surface in `Could not schedule pod, …` logs and events.
//
// Differences from Go that are deliberate: where Go iterates a map (random order) to build an
// error or pick a value, keys are sorted (errors) or the injected Rng chooses (values), so the
// output is reproducible.

import type { NodeSelectorRequirement, Pod } from '../k8s/types.ts'
import { isRestrictedNodeLabel, normalizeLabelKey, RESTRICTED_LABELS, WELL_KNOWN_LABELS, LABEL_HOSTNAME } from './labels.ts'
import type { Rng } from './rng.ts'

/** Stands in for Go's math.MaxInt64 in `Len()` of a complement set. */
const MAX_LEN = Number.MAX_SAFE_INTEGER

export class Requirement {
  readonly key: string
  readonly complement: boolean
  readonly values: Set<string>
  readonly greaterThan: number | undefined
  readonly lessThan: number | undefined

  constructor(key: string, complement: boolean, values: Set<string>, greaterThan?: number, lessThan?: number) {
    this.key = key
    this.complement = complement
    this.values = values
    this.greaterThan = greaterThan
    this.lessThan = lessThan
  }

  /** `NewRequirement`: normalises aliased keys (`beta.kubernetes.io/arch` → `kubernetes.io/arch`). */
  static of(key: string, operator: string /* Operator */, values: readonly string[] = []): Requirement {
    key = normalizeLabelKey(key)
    switch (operator) {
      case 'In':
        return new Requirement(key, false, new Set(values))
      case 'DoesNotExist':
        return new Requirement(key, false, new Set())
      case 'NotIn':
        return new Requirement(key, true, new Set(values))
      case 'Gt':
        return new Requirement(key, true, new Set(), Number.parseInt(values[0], 10))
      case 'Lt':
        return new Requirement(key, true, new Set(), undefined, Number.parseInt(values[0], 10))
      default: // Exists (and anything unvalidated)
        return new Requirement(key, true, new Set())
    }
  }

  static fromNodeSelectorRequirement(r: NodeSelectorRequirement): Requirement {
    return Requirement.of(r.key, r.operator, r.values ?? [])
  }

  /** `Len()`: the number of allowed values (a huge number for complements). */
  len(): number {
    return this.complement ? MAX_LEN - this.values.size : this.values.size
  }

  operator(): 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' {
    if (this.complement) return this.len() < MAX_LEN ? 'NotIn' : 'Exists'
    return this.values.size > 0 ? 'In' : 'DoesNotExist'
  }

  /** `Has(value)`: the requirement allows the value. */
  has(value: string): boolean {
    if (this.complement) return !this.values.has(value) && withinBounds(value, this.greaterThan, this.lessThan)
    return this.values.has(value) && withinBounds(value, this.greaterThan, this.lessThan)
  }

  /** The concrete values (unordered in Go; here in insertion order). */
  valueList(): string[] {
    return [...this.values]
  }

  /** `Intersection`: the values both requirements allow. */
  intersection(other: Requirement): Requirement {
    const complement = this.complement && other.complement
    const gt = maxOpt(this.greaterThan, other.greaterThan)
    const lt = minOpt(this.lessThan, other.lessThan)
    if (gt !== undefined && lt !== undefined && gt >= lt) return new Requirement(this.key, false, new Set())
    let values: Set<string>
    if (this.complement && other.complement) {
      values = new Set(this.values)
      for (const v of other.values) values.add(v)
    } else if (this.complement) {
      values = new Set()
      for (const v of other.values) if (!this.values.has(v)) values.add(v)
    } else if (other.complement) {
      values = new Set()
      for (const v of this.values) if (!other.values.has(v)) values.add(v)
    } else {
      values = new Set()
      const [small, big] = this.values.size <= other.values.size ? [this.values, other.values] : [other.values, this.values]
      for (const v of small) if (big.has(v)) values.add(v)
    }
    if (gt !== undefined || lt !== undefined) for (const v of values) if (!withinBounds(v, gt, lt)) values.delete(v)
    // Bounds only survive on complement sets.
    return complement ? new Requirement(this.key, true, values, gt, lt) : new Requirement(this.key, false, values)
  }

  /** Whether `intersection(other).len() > 0`, without building the set (the hot path of filtering). */
  intersects(other: Requirement): boolean {
    const gt = maxOpt(this.greaterThan, other.greaterThan)
    const lt = minOpt(this.lessThan, other.lessThan)
    if (gt !== undefined && lt !== undefined && gt >= lt) return false
    if (this.complement && other.complement) return true
    const bounded = gt !== undefined || lt !== undefined
    if (this.complement || other.complement) {
      const [conc, comp] = this.complement ? [other, this] : [this, other]
      for (const v of conc.values) if (!comp.values.has(v) && (!bounded || withinBounds(v, gt, lt))) return true
      return false
    }
    const [small, big] = this.values.size <= other.values.size ? [this.values, other.values] : [other.values, this.values]
    for (const v of small) if (big.has(v) && (!bounded || withinBounds(v, gt, lt))) return true
    return false
  }

  /**
   * `Any()`: one allowed value: a concrete one (chosen by the Rng where Go takes map order), or for
   * complements a random integer within the bounds, as Karpenter does for `Exists`/`NotIn` labels.
   */
  any(rng: Rng): string {
    const op = this.operator()
    if (op === 'In') {
      const list = [...this.values]
      return list[rng.int(list.length)]
    }
    if (op === 'NotIn' || op === 'Exists') {
      const min = this.greaterThan !== undefined ? this.greaterThan + 1 : 0
      const max = this.lessThan !== undefined ? this.lessThan : MAX_LEN
      return String(rng.int(max - min) + min)
    }
    return ''
  }

  /** `NodeSelectorRequirement()`: back to the API shape. */
  toNodeSelectorRequirement(): NodeSelectorRequirement {
    if (this.greaterThan !== undefined) return { key: this.key, operator: 'Gt', values: [String(this.greaterThan)] }
    if (this.lessThan !== undefined) return { key: this.key, operator: 'Lt', values: [String(this.lessThan)] }
    const op = this.operator()
    if (op === 'In' || op === 'NotIn') return { key: this.key, operator: op, values: [...this.values].sort() }
    return { key: this.key, operator: op }
  }

  /** `String()`: `key In [a b c d e and 3 others]`, `key Exists >4`. */
  toString(): string {
    const op = this.operator()
    let s: string
    if (op === 'Exists' || op === 'DoesNotExist') s = `${this.key} ${op}`
    else {
      const values = [...this.values].sort()
      const shown = values.length > 5 ? [...values.slice(0, 5), `and ${values.length - 5} others`] : values
      s = `${this.key} ${op} [${shown.join(' ')}]`
    }
    if (this.greaterThan !== undefined) s += ` >${this.greaterThan}`
    if (this.lessThan !== undefined) s += ` <${this.lessThan}`
    return s
  }

  /** A key that is equal for equal requirements (used to memoise filtering). */
  signature(): string {
    return `${this.complement ? '!' : ''}${[...this.values].sort().join(',')}${this.greaterThan !== undefined ? `>${this.greaterThan}` : ''}${this.lessThan !== undefined ? `<${this.lessThan}` : ''}`
  }
}

function maxOpt(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b
  if (b === undefined) return a
  return a > b ? a : b
}

function minOpt(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b
  if (b === undefined) return a
  return a < b ? a : b
}

const INTEGER = /^[+-]?\d+$/

/** `withinIntPtrs`: with bounds set, only integers strictly inside them qualify. */
function withinBounds(value: string, gt: number | undefined, lt: number | undefined): boolean {
  if (gt === undefined && lt === undefined) return true
  if (!INTEGER.test(value)) return false
  const n = Number.parseInt(value, 10)
  if (gt !== undefined && gt >= n) return false
  if (lt !== undefined && lt <= n) return false
  return true
}

export interface CompatibilityOptions {
  /** Keys that may be absent from the receiver (Karpenter passes the well-known labels). */
  allowUndefined?: ReadonlySet<string>
}

/** `AllowUndefinedWellKnownLabelsV1Beta1`. */
export const ALLOW_UNDEFINED_WELL_KNOWN: CompatibilityOptions = { allowUndefined: WELL_KNOWN_LABELS }

/** A set of Requirements, one per key (`scheduling.Requirements`). Mutable, like Go's map. */
export class Requirements {
  readonly map: Map<string, Requirement>

  constructor(...reqs: Requirement[]) {
    this.map = new Map()
    this.add(...reqs)
  }

  /** `NewNodeSelectorRequirements`. */
  static fromNodeSelector(reqs: readonly NodeSelectorRequirement[] | undefined): Requirements {
    const r = new Requirements()
    for (const req of reqs ?? []) r.add(Requirement.fromNodeSelectorRequirement(req))
    return r
  }

  /** `NewLabelRequirements`: each `k: v` becomes `k In [v]`. */
  static fromLabels(labels: Record<string, string> | undefined): Requirements {
    const r = new Requirements()
    if (labels) for (const k in labels) r.add(Requirement.of(k, 'In', [labels[k]]))
    return r
  }

  /** `NewPodRequirements` (preferences treated as required) or, when strict, `NewStrictPodRequirements`. */
  static forPod(pod: Pod, strict = false): Requirements {
    const r = Requirements.fromLabels(pod.spec.nodeSelector)
    const na = pod.spec.affinity?.nodeAffinity
    if (!na) return r
    if (!strict) {
      const preferred = na.preferredDuringSchedulingIgnoredDuringExecution ?? []
      if (preferred.length > 0) {
        // The heaviest preference first; an outer loop relaxes them one at a time.
        const heaviest = [...preferred].sort((a, b) => b.weight - a.weight)[0]
        r.add(...Requirements.fromNodeSelector(heaviest.preference.matchExpressions).values())
      }
    }
    const terms = na.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []
    if (terms.length > 0) r.add(...Requirements.fromNodeSelector(terms[0].matchExpressions).values())
    return r
  }

  copy(): Requirements {
    const r = new Requirements()
    for (const [k, v] of this.map) r.map.set(k, v)
    return r
  }

  /** `Add`: intersects with the existing requirement of the same key. */
  add(...reqs: Requirement[]): this {
    for (let req of reqs) {
      const existing = this.map.get(req.key)
      if (existing) req = req.intersection(existing)
      this.map.set(req.key, req)
    }
    return this
  }

  /** Replaces a key's requirement outright (used to build instance type requirements). */
  set(req: Requirement): this {
    this.map.set(req.key, req)
    return this
  }

  delete(key: string): this {
    this.map.delete(key)
    return this
  }

  has(key: string): boolean {
    return this.map.has(key)
  }

  /** `Get`: an undefined key allows anything (`Exists`). */
  get(key: string): Requirement {
    return this.map.get(key) ?? new Requirement(key, true, new Set())
  }

  keys(): string[] {
    return [...this.map.keys()]
  }

  values(): Requirement[] {
    return [...this.map.values()]
  }

  get size(): number {
    return this.map.size
  }

  /**
   * `Compatible`: custom keys of `incoming` must be defined here (unless allowed undefined, or
   * incoming uses NotIn/DoesNotExist), and keys on both sides must intersect. Returns the errors
   * (empty when compatible), joined by callers with "; " as multierr does.
   */
  compatible(incoming: Requirements, options: CompatibilityOptions = {}): string[] {
    const errs: string[] = []
    const allow = options.allowUndefined
    const undefinedKeys: string[] = []
    for (const [key, req] of incoming.map) {
      if (allow?.has(key)) continue
      if (this.map.has(key)) continue
      const op = req.operator()
      if (op === 'NotIn' || op === 'DoesNotExist') continue
      undefinedKeys.push(key)
    }
    for (const key of undefinedKeys.sort()) errs.push(`label ${JSON.stringify(key)} does not have known values${labelHint(this, key, allow)}`)
    errs.push(...this.intersectsErrors(incoming))
    return errs
  }

  /** `Compatible(...) == nil`, without building messages. */
  isCompatible(incoming: Requirements, options: CompatibilityOptions = {}): boolean {
    const allow = options.allowUndefined
    for (const [key, req] of incoming.map) {
      if (allow?.has(key) || this.map.has(key)) continue
      const op = req.operator()
      if (op !== 'NotIn' && op !== 'DoesNotExist') return false
    }
    return this.intersectsOk(incoming)
  }

  /** `Intersects`: every key on both sides must share a value (NotIn/DoesNotExist pairs excepted). */
  intersectsErrors(incoming: Requirements): string[] {
    const errs: string[] = []
    const [small, big] = this.map.size <= incoming.map.size ? [this.map, incoming.map] : [incoming.map, this.map]
    const keys: string[] = []
    for (const key of small.keys()) if (big.has(key)) keys.push(key)
    for (const key of keys.sort()) {
      const existing = this.map.get(key)!
      const inc = incoming.map.get(key)!
      if (!pairIntersects(existing, inc)) errs.push(`key ${key}, ${inc.toString()} not in ${existing.toString()}`)
    }
    return errs
  }

  intersectsOk(incoming: Requirements): boolean {
    const [small, big] = this.map.size <= incoming.map.size ? [this.map, incoming.map] : [incoming.map, this.map]
    for (const [key, a] of small) {
      const b = big.get(key)
      if (b === undefined) continue
      const existing = small === this.map ? a : b
      const inc = small === this.map ? b : a
      if (!pairIntersects(existing, inc)) return false
    }
    return true
  }

  /**
   * `Labels()`: one value per key that Karpenter may put on a node (restricted and well-known keys
   * excluded; those come from the cloud provider).
   */
  labels(rng: Rng): Record<string, string> {
    const out: Record<string, string> = {}
    for (const [key, req] of this.map) {
      if (isRestrictedNodeLabel(key)) continue
      const v = req.any(rng)
      if (v !== '') out[key] = v
    }
    return out
  }

  /** `NodeSelectorRequirements()`, sorted by key for stable output. */
  toNodeSelectorRequirements(): NodeSelectorRequirement[] {
    return [...this.map.keys()].sort().map((k) => this.map.get(k)!.toNodeSelectorRequirement())
  }

  /** `String()`: the requirements but hostname, each rendered, sorted, joined by ", ". */
  toString(): string {
    const parts: string[] = []
    for (const [key, req] of this.map) if (!RESTRICTED_LABELS.has(key)) parts.push(req.toString())
    return parts.sort().join(', ')
  }

  /** A key equal for equal requirement sets (memoisation of instance-type filtering). */
  signature(): string {
    const parts: string[] = []
    for (const key of [...this.map.keys()].sort()) {
      if (key === LABEL_HOSTNAME) continue
      parts.push(`${key}=${this.map.get(key)!.signature()}`)
    }
    return parts.join(';')
  }
}

function pairIntersects(existing: Requirement, incoming: Requirement): boolean {
  if (existing.intersects(incoming)) return true
  const io = incoming.operator()
  if (io === 'NotIn' || io === 'DoesNotExist') {
    const eo = existing.operator()
    if (eo === 'NotIn' || eo === 'DoesNotExist') return true
  }
  return false
}

/**
 * `editDistance` exactly as Karpenter writes it (Algorithms/DPV; note that it never compares the
 * first characters), since it decides which "typo of" hint an error carries.
 */
export function editDistance(s: string, t: string): number {
  const m = s.length
  const n = t.length
  if (m === 0) return n
  if (n === 0) return m
  let prev = new Array<number>(n).fill(0)
  let cur = new Array<number>(n).fill(0)
  for (let j = 1; j < n; j++) prev[j] = j
  for (let i = 1; i < m; i++) {
    for (let j = 1; j < n; j++) {
      const diff = s[i] !== t[j] ? 1 : 0
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + diff)
    }
    ;[prev, cur] = [cur, prev]
  }
  return prev[n - 1]
}

function suffixOf(key: string): string {
  const i = key.indexOf('/')
  return i < 0 ? key : key.slice(i + 1)
}

/** `labelHint`: ` (typo of "…"?)` when the key looks like a known one (candidates in sorted order). */
function labelHint(r: Requirements, key: string, allowUndefined: ReadonlySet<string> | undefined): string {
  const looksLike = (known: string): boolean => known.includes(key) || editDistance(key, known) < Math.trunc(known.length / 5) || known.endsWith(suffixOf(key))
  for (const known of [...(allowUndefined ?? [])].sort()) if (looksLike(known)) return ` (typo of ${JSON.stringify(known)}?)`
  for (const existing of r.keys().sort()) if (looksLike(existing)) return ` (typo of ${JSON.stringify(existing)}?)`
  return ''
}
