// Names Karpenter and EC2 give things: NodeClaim names (`metadata.generateName: "<nodepool>-"`,
// completed by the API server), EC2 private DNS names used as node names, provider IDs.

import { SAFE_ALPHABET } from '../kube/names.ts'
import type { Rng } from './rng.ts'

/** The 5-character suffix `generateName` appends (`default-8blnj`). */
export function generateNameSuffix(rng: Rng, length = 5): string {
  let s = ''
  for (let i = 0; i < length; i++) s += SAFE_ALPHABET[rng.int(SAFE_ALPHABET.length)]
  return s
}

/** `<nodepool>-<suffix>`, avoiding names already taken. */
export function nodeClaimName(nodePool: string, rng: Rng, taken: ReadonlySet<string> = new Set()): string {
  for (;;) {
    const name = `${nodePool}-${generateNameSuffix(rng)}`
    if (!taken.has(name)) return name
  }
}

/**
 * The EC2 private DNS name, which the kubelet on EKS registers as the node name:
 * `ip-10-0-36-60.eu-west-2.compute.internal`, or `ip-….ec2.internal` in us-east-1.
 */
export function privateDnsName(privateIp: string, region: string): string {
  const host = `ip-${privateIp.replace(/\./g, '-')}`
  return region === 'us-east-1' ? `${host}.ec2.internal` : `${host}.${region}.compute.internal`
}

/** `aws:///<zone>/<instance-id>`. */
export function providerID(zone: string, instanceId: string): string {
  return `aws:///${zone}/${instanceId}`
}

/** The instance ID from a provider ID (`utils.ParseInstanceID`), or undefined. */
export function parseInstanceID(providerId: string): string | undefined {
  const m = /^aws:\/\/\/[^/]*\/(i-[0-9a-f]+)$/.exec(providerId)
  return m?.[1]
}
