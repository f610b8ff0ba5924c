// The platform as data, dated: load fixtures/platform.yaml and view it as of a day.
import { loadPlatformTable, DEFAULT_PLATFORM_FILE, type PlatformTable } from './table.ts'
import { viewOf } from './view.ts'
import type { PlatformView } from './types.ts'

export type * from './types.ts'
export { loadPlatformTable, parsePlatformTable, PlatformTableError, DEFAULT_PLATFORM_FILE, type PlatformTable } from './table.ts'
export { TUTORIAL_DATE, today, parseAsOf, AsOfError } from './dates.ts'
export { PlatformRangeError } from './view.ts'
export { eksVersion, karpenterRelease, karpenterReleaseLoosely, supportsKubernetes, ssmParameterExists } from './lookups.ts'

let cached: PlatformTable | undefined

/**
 * The platform of `asOf` (YYYY-MM-DD) from fixtures/platform.yaml (read once). Check a user's
 * date with parseAsOf first; a date before the table's first fact throws PlatformRangeError.
 */
export function platformView(asOf: string, table?: PlatformTable): PlatformView {
  if (table) return viewOf(table, asOf)
  cached ??= loadPlatformTable(DEFAULT_PLATFORM_FILE)
  return viewOf(cached, asOf)
}
