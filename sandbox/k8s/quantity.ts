// resource.Quantity, with apimachinery's parsing, exact arithmetic and canonical formatting.
//
// Karpenter prints quantities in its logs (`"requests":{"cpu":"5330m","memory":"5360Mi",
// "pods":"14"}`) and writes them into NodeClaims, so the twin must produce the very strings
// k8s.io/apimachinery/pkg/api/resource produces. The rules reproduced here (read in
// apimachinery's quantity.go, amount.go and suffix.go):
//
// - Parsing keeps the suffix *family* as the format: `m`/``/`k`/`M`/`G`/`T`/`P`/`E` (and `n`, `u`)
//   are DecimalSI, `Ki`…`Ei` BinarySI, `e3`/`E3` DecimalExponent. Values finer than 1n are rounded
//   up (away from zero) to 1n. A BinarySI value strictly between 0 and 1 becomes DecimalSI.
// - The canonical string strips factors of ten into the exponent, then lowers the exponent to a
//   multiple of three (`1500m`, `12k`, `1200`); BinarySI prints the largest power of 1024 that
//   divides the whole number of bytes (`1536Mi`, `17Gi`), and falls back to DecimalSI when the
//   value is below 1024 in magnitude or not a whole number.
// - `a + b` (and `a - b`) takes b's format when a is zero: a sum keeps the format of its first
//   non-zero addend (`512M` + … stays decimal, `512Mi` + … stays binary).
//
// The value is held exactly as a bigint count of nano-units (10^-9): every parsed quantity is a
// whole number of nano-units, and sums and differences stay so, with no float drift.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent'

const NANO = 1_000_000_000n
const DECIMAL_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 }
const BINARY_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 }
const DECIMAL_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIX).map(([s, e]) => [e, s]))
const BINARY_BY_EXPONENT = new Map(Object.entries(BINARY_SUFFIX).map(([s, e]) => [e / 10, s]))
// BinarySI values are capped at 2^63-1 like apimachinery's maxAllowed.
const MAX_BINARY = (2n ** 63n - 1n) * NANO

export class QuantityParseError extends Error {
  override name = 'QuantityParseError'
}

export class Quantity {
  /** The value in nano-units (value × 10^9). */
  readonly nano: bigint
  readonly format: QuantityFormat
  #text: string | undefined

  constructor(nano: bigint, format: QuantityFormat) {
    this.nano = nano
    this.format = format
  }

  /** The zero quantity a Go `resource.Quantity{}` is; its format yields to the first addend. */
  static readonly ZERO = new Quantity(0n, 'DecimalSI')

  /** `resource.NewQuantity(value, format)`. */
  static of(value: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(value) * NANO, format)
  }

  /** `resource.NewMilliQuantity(value, format)`. */
  static milli(value: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(value) * 1_000_000n, format)
  }

  static parse(text: string): Quantity {
    return parseQuantity(text)
  }

  isZero(): boolean {
    return this.nano === 0n
  }

  sign(): -1 | 0 | 1 {
    return this.nano === 0n ? 0 : this.nano > 0n ? 1 : -1
  }

  /** q + y; a zero q takes y's format (apimachinery `Quantity.Add`). */
  add(y: Quantity): Quantity {
    return new Quantity(this.nano + y.nano, this.nano === 0n ? y.format : this.format)
  }

  /** q − y; a zero q takes y's format (apimachinery `Quantity.Sub`). */
  sub(y: Quantity): Quantity {
    return new Quantity(this.nano - y.nano, this.nano === 0n ? y.format : this.format)
  }

  cmp(y: Quantity): -1 | 0 | 1 {
    return this.nano === y.nano ? 0 : this.nano < y.nano ? -1 : 1
  }

  equals(y: Quantity): boolean {
    return this.nano === y.nano
  }

  withFormat(format: QuantityFormat): Quantity {
    return format === this.format ? this : new Quantity(this.nano, format)
  }

  /** `Value()`: the value rounded up (away from zero) to an integer. */
  value(): bigint {
    return ceilDiv(this.nano, NANO)
  }

  /** `MilliValue()`: ceil(value × 1000), away from zero. */
  milliValue(): bigint {
    return ceilDiv(this.nano, 1_000_000n)
  }

  /** `Value()` as a JS number (for counts and sizes well below 2^53). */
  valueNumber(): number {
    return Number(this.value())
  }

  milliValueNumber(): number {
    return Number(this.milliValue())
  }

  /** `AsApproximateFloat64()`. */
  toNumber(): number {
    const whole = this.nano / NANO
    const frac = this.nano % NANO
    return Number(whole) + Number(frac) / 1e9
  }

  /** The canonical string (`String()` / `MarshalJSON`). */
  toString(): string {
    return (this.#text ??= canonical(this))
  }

  toJSON(): string {
    return this.toString()
  }
}

/** Rounds away from zero, like apimachinery's ScaledValue. */
function ceilDiv(n: bigint, d: bigint): bigint {
  const q = n / d
  return n % d === 0n ? q : n > 0n ? q + 1n : q - 1n
}

export function parseQuantity(input: string): Quantity {
  const str = input.trim()
  if (str.length === 0) throw new QuantityParseError(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`)
  if (str === '0') return new Quantity(0n, 'DecimalSI')
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/.exec(str)
  if (!m || (m[2] === '' && m[3] === undefined)) {
    throw new QuantityParseError(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`)
  }
  const [, signText, intText, fracText = '', suffix] = m
  if (!/^[eEinumkKMGTP]*[-+]?\d*$/.test(suffix)) {
    throw new QuantityParseError(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`)
  }
  const { base, exponent, format: suffixFormat } = interpretSuffix(suffix)
  let format = suffixFormat
  // mantissa × 10^-(fraction digits) × base^exponent, in nano-units, rounded up away from zero.
  const digits = BigInt((intText || '0') + fracText)
  let numerator = digits
  let denominator = 10n ** BigInt(fracText.length)
  if (base === 10) {
    if (exponent >= 0) numerator *= 10n ** BigInt(exponent)
    else denominator *= 10n ** BigInt(-exponent)
  } else {
    numerator *= 2n ** BigInt(exponent)
  }
  numerator *= NANO
  let nano = numerator / denominator
  if (numerator % denominator !== 0n) nano += 1n
  if (format === 'BinarySI' && nano > MAX_BINARY) nano = MAX_BINARY
  if (format === 'BinarySI' && nano > 0n && nano < NANO) format = 'DecimalSI'
  return new Quantity(signText === '-' ? -nano : nano, format)
}

function interpretSuffix(suffix: string): { base: 2 | 10; exponent: number; format: QuantityFormat } {
  const dec = DECIMAL_SUFFIX[suffix]
  if (dec !== undefined) return { base: 10, exponent: dec, format: 'DecimalSI' }
  const bin = BINARY_SUFFIX[suffix]
  if (bin !== undefined) return { base: 2, exponent: bin, format: 'BinarySI' }
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    if (/^[+-]?\d+$/.test(suffix.slice(1))) return { base: 10, exponent: Number.parseInt(suffix.slice(1), 10), format: 'DecimalExponent' }
  }
  // apimachinery forgives a wrong case on the first letter only (`ki` → `Ki`, `K` → `k`).
  if (suffix.length > 0) {
    const first = suffix[0]
    const altered = (first === first.toLowerCase() ? first.toUpperCase() : first.toLowerCase()) + suffix.slice(1)
    if (BINARY_SUFFIX[altered] !== undefined || DECIMAL_SUFFIX[altered] !== undefined) return interpretSuffix(altered)
  }
  throw new QuantityParseError("unable to parse quantity's suffix")
}

function canonical(q: Quantity): string {
  if (q.nano === 0n) return '0'
  let format = q.format
  if (format === 'BinarySI') {
    // Below 1024 in magnitude, or not a whole number: printed as DecimalSI.
    if (q.nano > -1024n * NANO && q.nano < 1024n * NANO) format = 'DecimalSI'
    else if (q.nano % NANO !== 0n) format = 'DecimalSI'
  }
  if (format === 'BinarySI') {
    let amount = q.nano / NANO
    let exp = 0
    while (amount % 1024n === 0n && exp < 6) {
      amount /= 1024n
      exp++
    }
    return `${amount}${BINARY_BY_EXPONENT.get(exp) ?? ''}`
  }
  let amount = q.nano
  let exp = -9
  while (amount % 10n === 0n) {
    amount /= 10n
    exp++
  }
  // Lower the exponent to a multiple of three.
  const rem = ((exp % 3) + 3) % 3
  if (rem !== 0) {
    amount *= 10n ** BigInt(rem)
    exp -= rem
  }
  if (format === 'DecimalExponent') return exp === 0 ? `${amount}` : `${amount}e${exp}`
  const suffix = DECIMAL_BY_EXPONENT.get(exp)
  // Beyond Exa apimachinery has no suffix; the exponent form keeps the value readable.
  return suffix === undefined ? `${amount}e${exp}` : `${amount}${suffix}`
}

/** Accepts what a JSON manifest may hold for a quantity: a string or a plain number. */
export function toQuantity(value: string | number | Quantity): Quantity {
  if (value instanceof Quantity) return value
  return parseQuantity(typeof value === 'number' ? String(value) : value)
}
