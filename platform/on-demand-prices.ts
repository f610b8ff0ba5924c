// EC2's On-Demand prices as data: the public price table the project ships
// (fixtures/prices/ec2-on-demand-prices.json). The sandbox prices its EC2, its Price List API and
// its Karpenter twin with it; the suite names it as the source of a sandbox run's On-Demand prices
// (support/prices.ts). It sits here, below both, so that neither imports the other for it.

import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

interface PriceFile {
  regions: Record<string, { prices: Record<string, number>; retrievedAt?: string; derived?: boolean; derivedFrom?: string; factor?: number }>
}

/** The table's path in the repository (what a report names as the price source). */
export const ON_DEMAND_PRICE_FILE = 'fixtures/prices/ec2-on-demand-prices.json'
/** The table the sandbox prices a region without its own with (spot_market.py, instance-types.ts). */
const FALLBACK_REGION = 'us-east-1'

let table: PriceFile | undefined

function priceFile(): PriceFile {
  table ??= JSON.parse(readFileSync(fileURLToPath(new URL(`../${ON_DEMAND_PRICE_FILE}`, import.meta.url)), 'utf8')) as PriceFile
  return table
}

export function onDemandPrice(region: string, instanceType: string): number | undefined {
  return priceFile().regions[region]?.prices[instanceType] ?? undefined
}

export interface OnDemandTable {
  /** The region asked for. */
  region: string
  /** The region whose table answers: `region`, or us-east-1 when the file has no table for it. */
  tableRegion: string
  /** When the table's prices were read (YYYY-MM-DD). */
  retrievedAt: string
  /** How the table's prices were made when they are not the region's own published prices. */
  derivation?: string
  prices: Readonly<Record<string, number>>
}

/**
 * The On-Demand prices the sandbox's EC2 and Karpenter twin use for `region`: its own table, or
 * us-east-1's for a region the file does not list (the sandbox's rule everywhere).
 */
export function onDemandTable(region: string): OnDemandTable {
  const regions = priceFile().regions
  const tableRegion = regions[region] ? region : FALLBACK_REGION
  const entry = regions[tableRegion]
  const derivation =
    tableRegion !== region ? `no ${region} table: ${tableRegion}'s prices` : entry.derived ? `derived: ${entry.derivedFrom} × ${entry.factor}` : undefined
  return { region, tableRegion, retrievedAt: entry.retrievedAt ?? 'undated', ...(derivation ? { derivation } : {}), prices: entry.prices }
}

/** The whole table, region by region (the Karpenter twin's pricing provider reads it so). */
export function onDemandPriceFile(): Readonly<PriceFile> {
  return priceFile()
}
