// The capacity and allocatable of an EKS managed node group's node. The EKS AL2 AMI's
// bootstrap.sh reserves what Karpenter estimates for AL2 (the same formulas, instance-types.ts),
// so the cluster's node groups take their node shape from here; cluster-host.ts passes it in, and
// cluster/ does not depend on the Karpenter twin.

import type { InstanceTypeInfo } from '@aws-sdk/client-ec2'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { toStringMap } from '../k8s/resources.ts'
import { newInstanceType } from './instance-types.ts'

const branchInterfaces = (
  JSON.parse(readFileSync(fileURLToPath(new URL('./data/branch-interfaces.json', import.meta.url)), 'utf8')) as { branchInterfaces: Record<string, number> }
).branchInterfaces

/** The node shape of an instance type in `region` on the EKS AL2 AMI. */
export function al2NodeShape(
  region: string,
): (info: InstanceTypeInfo, zone: string) => { capacity: Record<string, string>; allocatable: Record<string, string> } {
  return (info, zone) => {
    const shape = newInstanceType(info, new Set([zone]), {
      region,
      zones: [zone],
      subnetZones: [zone],
      prices: { onDemand: {} },
      nodeClass: { amiFamily: 'AL2' },
      branchInterfaces,
    })
    return { capacity: toStringMap(shape.capacity), allocatable: toStringMap(shape.allocatable) }
  }
}
