// The fake EC2 API's DescribeInstanceTypes data at aws/karpenter-provider-aws@v1.9.2 (pkg/fake/
// zz_generated.describe_instance_types.go, itself a DescribeInstanceTypes snapshot), as AWS SDK v3
// records. One addition: the default network card carries `BaselineBandwidthInGbps` from the
// bandwidth table at the same tag (zz_generated.bandwidth.go, Mbps / 1000), which is where the twin
// reads the `karpenter.k8s.aws/instance-network-bandwidth` label from (sandbox/karpenter/instance-types.ts).
//
// The records are built by ../v0.32.1/instance-types-fake-ec2.ts's `fakeInstanceType`; a type the
// file also has at v0.32.1 is written as that record plus what v1.9.2's adds or changes (the
// ProcessorInfo manufacturer and clock, EbsInfo, EfaInfo, and for some types the ENIs or devices).

import type { InstanceTypeInfo, InstanceTypeOffering } from '@aws-sdk/client-ec2'
import { FAKE_INSTANCE_TYPE_SPECS as V0_32_1, fakeInstanceType, offerings, type FakeInstanceTypeSpec } from '../v0.32.1/instance-types-fake-ec2.ts'

export const FAKE_INSTANCE_TYPES: InstanceTypeInfo[] = (
  [
    { ...V0_32_1['c6g.large'], manufacturer: 'AWS', clockGhz: 2.5, ebs: [630, 3600, 78.75, 4750, 20000, 593.75] },
    { ...V0_32_1['dl1.24xlarge'], manufacturer: 'Intel', clockGhz: 3, efa: 4, ebs: [19000, 80000, 2375, 19000, 80000, 2375] },
    {
      name: 'g4ad.16xlarge',
      arch: 'x86_64',
      manufacturer: 'AMD',
      clockGhz: 3,
      cores: 32,
      vcpus: 64,
      mib: 262144,
      enis: 8,
      ipv4: 30,
      gbps: 25,
      encryptionInTransit: true,
      gpu: { Name: 'Radeon Pro V520', Manufacturer: 'AMD', Count: 4, MemoryInfo: { SizeInMiB: 8192 } },
      storageGB: 2400,
      ebs: [6300, 26667, 787.5, 6300, 26667, 787.5],
    },
    { ...V0_32_1['g4dn.8xlarge'], manufacturer: 'Intel', clockGhz: 2.5, efa: 1, ebs: [9500, 40000, 1187.5, 9500, 40000, 1187.5] },
    {
      name: 'inf2.24xlarge',
      arch: 'x86_64',
      manufacturer: 'AMD',
      clockGhz: 3.6,
      cores: 48,
      vcpus: 96,
      mib: 393216,
      enis: 15,
      ipv4: 50,
      gbps: 50,
      encryptionInTransit: true,
      neuron: { Count: 6, Name: 'Inferentia2', CoreInfo: { Count: 2, Version: 2 }, MemoryInfo: { SizeInMiB: 32768 } },
      ebs: [30000, 120000, 3750, 30000, 120000, 3750],
    },
    {
      name: 'inf2.xlarge',
      arch: 'x86_64',
      manufacturer: 'AMD',
      clockGhz: 3.6,
      cores: 2,
      vcpus: 4,
      mib: 16384,
      enis: 4,
      ipv4: 15,
      gbps: 2.083,
      encryptionInTransit: true,
      neuron: { Count: 1, Name: 'Inferentia2', CoreInfo: { Count: 2, Version: 2 }, MemoryInfo: { SizeInMiB: 32768 } },
      ebs: [1250, 6000, 156.25, 10000, 40000, 1250],
    },
    { ...V0_32_1['m5.large'], manufacturer: 'Intel', clockGhz: 3.1, ebs: [650, 3600, 81.25, 4750, 18750, 593.75] },
    { ...V0_32_1['m5.metal'], manufacturer: 'Intel', clockGhz: 3.1, ebs: [19000, 80000, 2375, 19000, 80000, 2375] },
    { ...V0_32_1['m5.xlarge'], manufacturer: 'Intel', clockGhz: 3.1, ebs: [1150, 6000, 143.75, 4750, 18750, 593.75] },
    { ...V0_32_1['m6idn.32xlarge'], manufacturer: 'Intel', clockGhz: 3.5, enis: 16, efa: 2, ebs: [100000, 400000, 12500, 100000, 400000, 12500] },
    {
      name: 'm7i-flex.large',
      arch: 'x86_64',
      manufacturer: 'Intel',
      clockGhz: 3.2,
      cores: 1,
      vcpus: 2,
      mib: 8192,
      enis: 3,
      ipv4: 10,
      gbps: 0.39,
      encryptionInTransit: true,
      ebs: [312, 2500, 39.06, 10000, 40000, 1250],
    },
    { ...V0_32_1['p3.8xlarge'], manufacturer: 'Intel', clockGhz: 2.7, ebs: [7000, 40000, 875, 7000, 40000, 875], ebsNvme: 'unsupported' },
    { ...V0_32_1['t3.large'], manufacturer: 'Intel', clockGhz: 2.5, ebs: [695, 4000, 86.88, 2780, 15700, 347.5] },
    { ...V0_32_1['t4g.medium'], manufacturer: 'AWS', clockGhz: 2.5, ebs: [347, 2000, 43.38, 2085, 11800, 260.62] },
    { ...V0_32_1['t4g.small'], manufacturer: 'AWS', clockGhz: 2.5, ebs: [174, 1000, 21.75, 2085, 11800, 260.62] },
    { ...V0_32_1['t4g.xlarge'], manufacturer: 'AWS', clockGhz: 2.5, ebs: [695, 4000, 86.88, 2780, 15700, 347.5] },
    {
      ...V0_32_1['trn1.2xlarge'],
      manufacturer: 'Intel',
      clockGhz: 3.5,
      neuron: { Count: 1, Name: 'Trainium', CoreInfo: { Count: 2, Version: 2 }, MemoryInfo: { SizeInMiB: 32768 } },
      ebs: [5000, 16250, 625, 20000, 65000, 2500],
    },
  ] satisfies FakeInstanceTypeSpec[]
).map(fakeInstanceType)

/** The fake's default DescribeInstanceTypeOfferings (zz_generated.describe_instance_types.go): type → zones. */
export const FAKE_OFFERINGS: InstanceTypeOffering[] = offerings({
  'c6g.large': ['test-zone-1a'],
  'dl1.24xlarge': ['test-zone-1a', 'test-zone-1b'],
  'g4ad.16xlarge': ['test-zone-1a', 'test-zone-1b'],
  'g4dn.8xlarge': ['test-zone-1a', 'test-zone-1b'],
  'inf2.24xlarge': ['test-zone-1a'],
  'inf2.xlarge': ['test-zone-1a'],
  'm5.2xlarge': ['test-zone-1a'],
  'm5.4xlarge': ['test-zone-1a'],
  'm5.8xlarge': ['test-zone-1a'],
  'm5.large': ['test-zone-1a', 'test-zone-1b', 'test-zone-1c', 'test-zone-1a-local'],
  'm5.metal': ['test-zone-1a', 'test-zone-1b'],
  'm5.xlarge': ['test-zone-1a', 'test-zone-1b'],
  'm6idn.32xlarge': ['test-zone-1a', 'test-zone-1b', 'test-zone-1c'],
  'm7i-flex.large': ['test-zone-1a'],
  'p3.8xlarge': ['test-zone-1a', 'test-zone-1b'],
  't3.large': ['test-zone-1a', 'test-zone-1b'],
  'trn1.2xlarge': ['test-zone-1a'],
})
