// What a node costs per hour: Spot from EC2's Spot price history (the price the account pays
// now, as eks-node-viewer and Karpenter read it), On-Demand from the public price table the
// project ships (sandbox/aws/data: the same table Karpenter falls back to).

import { DescribeSpotPriceHistoryCommand, type EC2Client } from '@aws-sdk/client-ec2'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from '../state.ts'

interface PriceFile {
  regions: Record<string, { prices: Record<string, number>; retrievedAt?: string; derived?: boolean; derivedFrom?: string; factor?: number }>
}

/** The table's path in the repository (what a report names as the price source). */
export const ON_DEMAND_PRICE_FILE = 'sandbox/aws/data/ec2-on-demand-prices.json'
/** The table the sandbox prices a region without its own with (spot_market.py, instance-types.ts). */
const FALLBACK_REGION = 'us-east-1'

let table: PriceFile | undefined

function priceFile(): PriceFile {
  table ??= JSON.parse(readFileSync(join(projectRoot, ON_DEMAND_PRICE_FILE), 'utf8')) as PriceFile
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
  const derivation = tableRegion !== region ? `no ${region} table: ${tableRegion}'s prices` : entry.derived ? `derived: ${entry.derivedFrom} × ${entry.factor}` : undefined
  return { region, tableRegion, retrievedAt: entry.retrievedAt ?? 'undated', ...(derivation ? { derivation } : {}), prices: entry.prices }
}

export async function spotPrice(ec2: EC2Client, instanceType: string, zone: string): Promise<number | undefined> {
  const out = await ec2.send(
    new DescribeSpotPriceHistoryCommand({ InstanceTypes: [instanceType as never], ProductDescriptions: ['Linux/UNIX'], AvailabilityZone: zone, StartTime: new Date(), MaxResults: 5 }),
  )
  const latest = (out.SpotPriceHistory ?? []).filter((p) => p.AvailabilityZone === zone).sort((a, b) => (b.Timestamp?.getTime() ?? 0) - (a.Timestamp?.getTime() ?? 0))[0]
  return latest?.SpotPrice ? Number(latest.SpotPrice) : undefined
}

export async function hourlyPrice(ec2: EC2Client, region: string, capacityType: string, instanceType: string, zone: string): Promise<{ price?: number; source: string }> {
  if (capacityType === 'spot') return { price: await spotPrice(ec2, instanceType, zone), source: 'EC2 Spot price history' }
  return { price: onDemandPrice(region, instanceType), source: 'On-Demand price table (sandbox/aws/data)' }
}

export function usd(value: number | undefined, digits = 4): string {
  return value === undefined ? 'n/a' : `$${value.toFixed(digits)}`
}
