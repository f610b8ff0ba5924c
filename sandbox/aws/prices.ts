// What a node costs per hour: Spot from EC2's Spot price history (the price the account pays
// now, as eks-node-viewer and Karpenter read it), On-Demand from the public price table the
// project ships (platform/on-demand-prices.ts: the same table Karpenter falls back to).

import type { EC2Client } from '@aws-sdk/client-ec2'
import { spotPrice } from '../../lib/spot-price.ts'
import { onDemandPrice } from '../../platform/on-demand-prices.ts'

export async function hourlyPrice(
  ec2: EC2Client,
  region: string,
  capacityType: string,
  instanceType: string,
  zone: string,
): Promise<{ price?: number; source: string }> {
  if (capacityType === 'spot') return { price: await spotPrice(ec2, instanceType, zone), source: 'EC2 Spot price history' }
  return { price: onDemandPrice(region, instanceType), source: 'On-Demand price table (fixtures/prices)' }
}
