// "Its instance type is one the NodePool allows": the requirements an instance type's derived
// labels break, and only those the check can derive.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { labelsOf, violations, type Requirement } from '../../../support/nodepool-check.ts'

const tutorial: Requirement[] = [
  { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] },
  { key: 'karpenter.k8s.aws/instance-cpu', operator: 'Gt', values: ['4'] },
  { key: 'karpenter.k8s.aws/instance-memory', operator: 'Gt', values: ['8191'] },
  { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] },
  { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm', 'r'] },
]

const m5x2 = labelsOf(
  { InstanceType: 'm5.2xlarge', VCpuInfo: { DefaultVCpus: 8 }, MemoryInfo: { SizeInMiB: 32768 }, ProcessorInfo: { SupportedArchitectures: ['x86_64'] } },
  'spot',
  'eu-west-2a',
)
const t3x = labelsOf(
  { InstanceType: 't3.xlarge', VCpuInfo: { DefaultVCpus: 4 }, MemoryInfo: { SizeInMiB: 16384 }, ProcessorInfo: { SupportedArchitectures: ['x86_64'] } },
  'spot',
  'eu-west-2a',
)

describe('the NodePool check', () => {
  it('derives the well-known labels from EC2’s description', () => {
    assert.equal(m5x2['karpenter.k8s.aws/instance-category'], 'm')
    assert.equal(m5x2['karpenter.k8s.aws/instance-family'], 'm5')
    assert.equal(m5x2['karpenter.k8s.aws/instance-generation'], '5')
    assert.equal(m5x2['kubernetes.io/arch'], 'amd64')
  })

  it('finds nothing wrong with a type the tutorial’s NodePool allows', () => {
    assert.deepEqual(violations(m5x2, tutorial), [])
  })

  it('names each requirement a type breaks (Gt is strict, In lists the values)', () => {
    assert.deepEqual(violations(t3x, tutorial), ['karpenter.k8s.aws/instance-cpu=4 is not Gt 4', 'karpenter.k8s.aws/instance-category=t is not In c,m,r'])
    assert.deepEqual(violations(m5x2, [{ key: 'karpenter.sh/capacity-type', operator: 'NotIn', values: ['spot'] }]), [
      'karpenter.sh/capacity-type=spot is not NotIn spot',
    ])
    assert.deepEqual(violations(m5x2, [{ key: 'karpenter.k8s.aws/instance-memory', operator: 'Lt', values: ['32768'] }]), [
      'karpenter.k8s.aws/instance-memory=32768 is not Lt 32768',
    ])
  })

  it('leaves a label it cannot derive (a custom one) to Kubernetes', () => {
    assert.deepEqual(
      violations(m5x2, [
        { key: 'intent', operator: 'In', values: ['apps'] },
        { key: 'team', operator: 'Exists' },
      ]),
      [],
    )
  })
})
