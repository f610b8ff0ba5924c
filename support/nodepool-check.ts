// "Its instance type is one the NodePool allows", checked from EC2's own description of the
// instance type — not from the labels Karpenter put on the node — so the check stands apart from
// the thing it checks.

import { DescribeInstanceTypesCommand, type EC2Client, type InstanceTypeInfo } from '@aws-sdk/client-ec2'

export interface Requirement {
  key: string
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt'
  values?: string[]
}

const cache = new Map<string, InstanceTypeInfo>()

export async function describeInstanceType(ec2: EC2Client, type: string): Promise<InstanceTypeInfo> {
  const cached = cache.get(type)
  if (cached) return cached
  const out = await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: [type as never] }))
  const info = out.InstanceTypes?.[0]
  if (!info) throw new Error(`EC2 does not know the instance type "${type}"`)
  cache.set(type, info)
  return info
}

/** The well-known labels a NodePool's requirements talk about, derived from EC2's description. */
export function labelsOf(info: InstanceTypeInfo, capacityType: string, zone: string): Record<string, string> {
  const type = String(info.InstanceType)
  const family = type.split('.')[0]
  const category = /^[a-z]+/.exec(family)?.[0] ?? family
  const generation = /^[a-z]+(\d+)/.exec(family)?.[1] ?? ''
  const arch = (info.ProcessorInfo?.SupportedArchitectures ?? []).includes('arm64') ? 'arm64' : 'amd64'
  return {
    'node.kubernetes.io/instance-type': type,
    'kubernetes.io/arch': arch,
    'kubernetes.io/os': 'linux',
    'karpenter.sh/capacity-type': capacityType,
    'topology.kubernetes.io/zone': zone,
    'karpenter.k8s.aws/instance-category': category,
    'karpenter.k8s.aws/instance-family': family,
    'karpenter.k8s.aws/instance-generation': generation,
    'karpenter.k8s.aws/instance-cpu': String(info.VCpuInfo?.DefaultVCpus ?? ''),
    'karpenter.k8s.aws/instance-memory': String(info.MemoryInfo?.SizeInMiB ?? ''),
  }
}

/** The requirements `labels` break, in words; empty when all are met. */
export function violations(labels: Record<string, string>, requirements: Requirement[]): string[] {
  const out: string[] = []
  for (const r of requirements) {
    const has = r.key in labels
    const value = labels[r.key]
    const values = r.values ?? []
    const ok = (() => {
      switch (r.operator) {
        case 'In':
          return has && values.includes(value)
        case 'NotIn':
          return !has || !values.includes(value)
        case 'Exists':
          return has
        case 'DoesNotExist':
          return !has
        case 'Gt':
          return has && Number(value) > Number(values[0])
        case 'Lt':
          return has && Number(value) < Number(values[0])
      }
    })()
    // A key the check cannot derive (a custom label) is not judged here.
    if (!ok && has) out.push(`${r.key}=${value ?? '(none)'} is not ${r.operator} ${values.join(',')}`)
  }
  return out
}
