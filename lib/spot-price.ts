// The Spot price of an instance type in a zone, as EC2 reports it now: what the report's cost
// (support/prices.ts) and the sandbox's eks-node-viewer (sandbox/aws/prices.ts) both show.

import { DescribeSpotPriceHistoryCommand, type EC2Client } from '@aws-sdk/client-ec2'

/** The Spot price EC2 charges now in `zone` (the latest of its price history), if it has one. */
export async function spotPrice(ec2: EC2Client, instanceType: string, zone: string): Promise<number | undefined> {
  const out = await ec2.send(
    new DescribeSpotPriceHistoryCommand({
      InstanceTypes: [instanceType as never],
      ProductDescriptions: ['Linux/UNIX'],
      AvailabilityZone: zone,
      StartTime: new Date(),
      MaxResults: 5,
    }),
  )
  const latest = (out.SpotPriceHistory ?? [])
    .filter((p) => p.AvailabilityZone === zone)
    .sort((a, b) => (b.Timestamp?.getTime() ?? 0) - (a.Timestamp?.getTime() ?? 0))[0]
  return latest?.SpotPrice ? Number(latest.SpotPrice) : undefined
}
