// What a node costs per hour: Spot from EC2's Spot price history (the price the account pays
// now, as eks-node-viewer and Karpenter read it), On-Demand from the public price table the
// project ships (sandbox/aws/data: the same table Karpenter falls back to).

import { DescribeSpotPriceHistoryCommand, type EC2Client } from '@aws-sdk/client-ec2'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from '../state.ts'

interface PriceFile {
  regions: Record<string, { prices: Record<string, number> }>
}

let table: PriceFile | undefined

export function onDemandPrice(region: string, instanceType: string): number | undefined {
  table ??= JSON.parse(readFileSync(join(projectRoot, 'sandbox', 'aws', 'data', 'ec2-on-demand-prices.json'), 'utf8')) as PriceFile
  return table.regions[region]?.prices[instanceType] ?? undefined
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
