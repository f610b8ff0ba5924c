// The insufficient-capacity cache (aws@v0.32.1:pkg/cache/unavailableofferings.go).
//
// When CreateFleet answers with an ICE error for (instance type, zone, capacity type), or a Spot
// interruption arrives for an instance, Karpenter marks that offering unavailable for 3 minutes
// (`UnavailableOfferingsTTL`); instance types built meanwhile report the offering as not
// available, so scheduling and launches route around it. Pure data plus an explicit `now`: the
// controller owns the clock.

const UNAVAILABLE_OFFERINGS_TTL_MS = 3 * 60 * 1000

export interface UnavailableOfferings {
  /** `<capacityType>:<instanceType>:<zone>` → expiry (epoch ms). */
  readonly entries: Map<string, number>
  /** Bumped on every mark, so callers can tell whether cached instance types are stale. */
  seq: number
}

export function newUnavailableOfferings(): UnavailableOfferings {
  return { entries: new Map(), seq: 0 }
}

function key(instanceType: string, zone: string, capacityType: string): string {
  return `${capacityType}:${instanceType}:${zone}`
}

/** `MarkUnavailable`: (re)starts the TTL even when the offering is already marked. */
export function markUnavailable(
  cache: UnavailableOfferings,
  instanceType: string,
  zone: string,
  capacityType: string,
  nowMs: number,
  ttlMs = UNAVAILABLE_OFFERINGS_TTL_MS,
): void {
  cache.entries.set(key(instanceType, zone, capacityType), nowMs + ttlMs)
  cache.seq++
}

export function isUnavailable(cache: UnavailableOfferings | undefined, instanceType: string, zone: string, capacityType: string, nowMs: number): boolean {
  if (!cache) return false
  const expiry = cache.entries.get(key(instanceType, zone, capacityType))
  return expiry !== undefined && nowMs < expiry
}

/** Drops expired entries (the go-cache janitor); returns how many were removed. */
export function pruneUnavailable(cache: UnavailableOfferings, nowMs: number): number {
  let n = 0
  for (const [k, expiry] of cache.entries) {
    if (nowMs >= expiry) {
      cache.entries.delete(k)
      n++
    }
  }
  return n
}
