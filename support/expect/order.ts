// "A, then B, within so long": the checks behind every claim of the tutorial that has an order.
//
// Instants are tutorial time (support/tutorial-time.ts). Some are known only to a resolution
// (EventBridge's `time` has whole seconds: the event happened in [atMs, atMs + 1000)): a pair is
// out of order only when A certainly came after B, and a duration is out of bounds only when it
// certainly is, so a whole second never fails a run that kept the order.

export interface Instant {
  label: string
  /** Tutorial ms (any common origin); undefined = not seen. */
  atMs?: number
  /** The instant lies in [atMs, atMs + resolutionMs). */
  resolutionMs?: number
}

export interface Bound {
  from: string
  to: string
  minMs?: number
  maxMs?: number
  /** Why this bound: what the tutorial says or Karpenter's source implies. */
  why: string
}

const earliest = (i: Instant) => i.atMs!
const latest = (i: Instant) => i.atMs! + (i.resolutionMs ?? 0)
const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`

/**
 * The pairs out of order and the durations out of bounds, in words naming both events. Events
 * not seen are skipped here (the caller says which must be seen); unknown keys are a bug.
 */
export function checkOrder(instants: ReadonlyMap<string, Instant>, order: readonly (readonly [string, string])[], bounds: readonly Bound[] = []): string[] {
  const get = (key: string) => {
    const i = instants.get(key)
    if (!i) throw new Error(`no event "${key}" (events: ${[...instants.keys()].join(', ')})`)
    return i
  }
  const problems: string[] = []
  for (const [a, b] of order) {
    const first = get(a)
    const then = get(b)
    if (first.atMs === undefined || then.atMs === undefined) continue
    if (earliest(first) > latest(then)) problems.push(`out of order: "${first.label}" (+${sec(first.atMs)}) came after "${then.label}" (+${sec(then.atMs)})`)
  }
  for (const bound of bounds) {
    const from = get(bound.from)
    const to = get(bound.to)
    if (from.atMs === undefined || to.atMs === undefined) continue
    const shortest = earliest(to) - latest(from)
    const longest = latest(to) - earliest(from)
    const took = to.atMs - from.atMs
    if (bound.maxMs !== undefined && shortest > bound.maxMs)
      problems.push(`too slow: "${from.label}" → "${to.label}" took ${sec(took)}, more than ${sec(bound.maxMs)} (${bound.why})`)
    if (bound.minMs !== undefined && longest < bound.minMs)
      problems.push(`too fast: "${from.label}" → "${to.label}" took ${sec(took)}, less than ${sec(bound.minMs)} (${bound.why})`)
  }
  return problems
}
