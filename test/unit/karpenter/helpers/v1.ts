// The tutorial's NodePool and EC2NodeClass in the v1 API (karpenter.sh/v1, karpenter.k8s.aws/v1), as
// the current edition writes them for Karpenter 1.9, with a resolved status for the 1.x twin's tests.

import type { EC2NodeClassV1, NodePoolV1 } from '../../../../sandbox/karpenter/v1/api.ts'
import { tutorialRequirements } from './tutorial.ts'

export function v1NodePool(
  template: Partial<NodePoolV1['spec']['template']['spec']> = {},
  annotations?: Record<string, string>,
  disruption: NonNullable<NodePoolV1['spec']['disruption']> = { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '0s' },
): NodePoolV1 {
  return {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name: 'default', uid: 'uid-default', generation: 1, annotations },
    spec: {
      template: {
        metadata: { labels: { intent: 'apps' } },
        spec: {
          requirements: tutorialRequirements(),
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
          expireAfter: '168h',
          ...template,
        },
      },
      disruption,
    },
  }
}

export function v1NodeClass(annotations?: Record<string, string>): EC2NodeClassV1 {
  const std = (arch: string) => [
    { key: 'kubernetes.io/arch', operator: 'In' as const, values: [arch] },
    { key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'DoesNotExist' as const },
    { key: 'karpenter.k8s.aws/instance-accelerator-count', operator: 'DoesNotExist' as const },
  ]
  return {
    apiVersion: 'karpenter.k8s.aws/v1',
    kind: 'EC2NodeClass',
    metadata: { name: 'default', generation: 1, annotations },
    spec: {
      amiSelectorTerms: [{ alias: 'al2023@latest' }],
      subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'spot-and-karpenter' } }],
      securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'spot-and-karpenter' } }],
      role: 'karpenter-spot-and-karpenter',
      kubelet: { systemReserved: { cpu: '100m', memory: '100Mi' } },
      tags: { project: 'build-on-aws', intent: 'apps' },
    },
    status: {
      subnets: [
        { id: 'subnet-a', zone: 'eu-west-2a', zoneID: 'euw2-az2' },
        { id: 'subnet-b', zone: 'eu-west-2b', zoneID: 'euw2-az3' },
        { id: 'subnet-c', zone: 'eu-west-2c', zoneID: 'euw2-az1' },
      ],
      securityGroups: [{ id: 'sg-1', name: 'node' }],
      amis: [
        { id: 'ami-amd64-standard', name: 'amazon-eks-node-al2023-x86_64-standard-1.35-v20261201', requirements: std('amd64') },
        { id: 'ami-arm64-standard', name: 'amazon-eks-node-al2023-arm64-standard-1.35-v20261201', requirements: std('arm64') },
      ],
      instanceProfile: 'spot-and-karpenter_123',
    },
  }
}
