// Formatting helpers shared by the printers: Kubernetes' HumanDuration for AGE columns and a
// small JSONPath evaluator for CRD printer columns.

/** apimachinery's duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  if (seconds < -1) return '<invalid>'
  if (seconds < 0) return '0s'
  if (seconds < 60 * 2) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 10) {
    const s = seconds % 60
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`
  }
  if (minutes < 60 * 3) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 8) {
    const m = minutes % 60
    return m === 0 ? `${hours}h` : `${hours}h${m}m`
  }
  if (hours < 48) return `${hours}h`
  if (hours < 24 * 8) {
    const h = hours % 24
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`
  }
  return `${Math.floor(hours / 24 / 365)}y`
}

/** AGE of a timestamp (`<unknown>` when absent), as kubectl's translateTimestampSince. */
export function age(timestamp: unknown, now: number = Date.now()): string {
  if (typeof timestamp !== 'string' || !timestamp) return '<unknown>'
  const t = Date.parse(timestamp)
  if (Number.isNaN(t)) return '<unknown>'
  return humanDuration(now - t)
}

type Seg = { field: string } | { index: number } | { filter: { path: string[]; value: string } } | { wildcard: true }

function parsePath(path: string): Seg[] {
  const segs: Seg[] = []
  let i = 0
  const s = path.startsWith('{') && path.endsWith('}') ? path.slice(1, -1) : path
  while (i < s.length) {
    const c = s[i]
    if (c === '.') {
      i++
      let name = ''
      while (i < s.length && s[i] !== '.' && s[i] !== '[') {
        if (s[i] === '\\' && i + 1 < s.length) {
          name += s[i + 1]
          i += 2
        } else name += s[i++]
      }
      if (name === '*') segs.push({ wildcard: true })
      else if (name) segs.push({ field: name })
    } else if (c === '[') {
      const end = s.indexOf(']', i)
      const inner = s.slice(i + 1, end < 0 ? s.length : end)
      i = end < 0 ? s.length : end + 1
      const filter = /^\?\(@\.([\w.\\/-]+)\s*==\s*["']([^"']*)["']\)$/.exec(inner)
      if (filter) segs.push({ filter: { path: filter[1].split('.'), value: filter[2] } })
      else if (inner === '*') segs.push({ wildcard: true })
      else if (/^-?\d+$/.test(inner)) segs.push({ index: Number(inner) })
      else segs.push({ field: inner.replace(/^['"]|['"]$/g, '') })
    } else {
      // a path that does not start with '.'
      let name = ''
      while (i < s.length && s[i] !== '.' && s[i] !== '[') name += s[i++]
      if (name) segs.push({ field: name })
    }
  }
  return segs
}

/** Evaluates a simple JSONPath (`.status.conditions[?(@.type=="Ready")].status`); returns all matches. */
export function jsonPath(obj: unknown, path: string): unknown[] {
  let cur: unknown[] = [obj]
  for (const seg of parsePath(path)) {
    const next: unknown[] = []
    for (const v of cur) {
      if (v === null || v === undefined) continue
      if ('field' in seg) {
        if (typeof v === 'object' && !Array.isArray(v) && (v as Record<string, unknown>)[seg.field] !== undefined)
          next.push((v as Record<string, unknown>)[seg.field])
      } else if ('index' in seg) {
        if (Array.isArray(v)) {
          const x: unknown = v[seg.index < 0 ? v.length + seg.index : seg.index]
          if (x !== undefined) next.push(x)
        }
      } else if ('wildcard' in seg) {
        if (Array.isArray(v)) next.push(...(v as unknown[]))
        else if (typeof v === 'object') next.push(...Object.values(v as Record<string, unknown>))
      } else {
        if (!Array.isArray(v)) continue
        for (const item of v as unknown[]) {
          let x: unknown = item
          for (const p of seg.filter.path) x = x && typeof x === 'object' ? (x as Record<string, unknown>)[p] : undefined
          if (x !== undefined && (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') && String(x) === seg.filter.value) next.push(item)
        }
      }
    }
    cur = next
  }
  return cur
}
