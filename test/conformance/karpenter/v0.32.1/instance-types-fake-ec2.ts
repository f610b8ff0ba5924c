// The fake EC2 API's DescribeInstanceTypes data at aws/karpenter-provider-aws@v0.32.1 (pkg/fake/
// zz_generated.describe_instance_types.go, itself a DescribeInstanceTypes snapshot), as AWS SDK v3
// records. One addition: the default network card carries `BaselineBandwidthInGbps` from the
// bandwidth table at the same tag (zz_generated.bandwidth.go, Mbps / 1000), which is where the twin
// reads the `karpenter.k8s.aws/instance-network-bandwidth` label from (sandbox/karpenter/instance-types.ts).

import type { InstanceTypeInfo, InstanceTypeOffering } from '@aws-sdk/client-ec2'

type Gpu = NonNullable<NonNullable<InstanceTypeInfo['GpuInfo']>['Gpus']>[number]
type Accelerator = NonNullable<NonNullable<InstanceTypeInfo['InferenceAcceleratorInfo']>['Accelerators']>[number]
type NeuronDevice = NonNullable<NonNullable<InstanceTypeInfo['NeuronInfo']>['NeuronDevices']>[number]

/** One DescribeInstanceTypes record in brief; `fakeInstanceType` spells it out. */
export interface FakeInstanceTypeSpec {
  name: string
  arch: 'arm64' | 'x86_64'
  /** ProcessorInfo.Manufacturer and SustainedClockSpeedInGhz (the v1.x data only). */
  manufacturer?: string
  clockGhz?: number
  cores: number
  vcpus: number
  mib: number
  /** NetworkInfo: the ENIs in all, IPv4 addresses per ENI, the default card's bandwidth; `cards` network cards share the ENIs evenly. */
  enis: number
  ipv4: number
  gbps: number
  cards?: number
  encryptionInTransit?: boolean
  /** NetworkInfo.EfaInfo.MaximumEfaInterfaces (the v1.x data only). */
  efa?: number
  burstable?: boolean
  /** BareMetal; its Hypervisor is '' unless `hypervisor` says otherwise (default 'nitro'). */
  bareMetal?: boolean
  hypervisor?: string
  gpu?: Gpu
  inferenceAccelerator?: Accelerator
  neuron?: NeuronDevice
  /** InstanceStorageInfo.TotalSizeInGB (NVMe required). */
  storageGB?: number
  /** EbsOptimizedInfo (the v1.x data only): baseline Mbps, IOPS, MBps, then maximum Mbps, IOPS, MBps. */
  ebs?: [number, number, number, number, number, number]
  ebsNvme?: 'required' | 'unsupported'
}

/** The DescribeInstanceTypes record `s` stands for, its fields in the generated file's order. */
export function fakeInstanceType(s: FakeInstanceTypeSpec): InstanceTypeInfo {
  const cards = s.cards ?? 1
  return {
    InstanceType: s.name as InstanceTypeInfo['InstanceType'],
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedVirtualizationTypes: ['hvm'],
    BurstablePerformanceSupported: s.burstable ?? false,
    BareMetal: s.bareMetal ?? false,
    Hypervisor: (s.hypervisor ?? (s.bareMetal ? '' : 'nitro')) as InstanceTypeInfo['Hypervisor'],
    ProcessorInfo: {
      ...(s.manufacturer === undefined ? {} : { Manufacturer: s.manufacturer }),
      SupportedArchitectures: [s.arch],
      ...(s.clockGhz === undefined ? {} : { SustainedClockSpeedInGhz: s.clockGhz }),
    },
    VCpuInfo: { DefaultCores: s.cores, DefaultVCpus: s.vcpus },
    MemoryInfo: { SizeInMiB: s.mib },
    ...(s.ebs && {
      EbsInfo: {
        EbsOptimizedInfo: {
          BaselineBandwidthInMbps: s.ebs[0],
          BaselineIops: s.ebs[1],
          BaselineThroughputInMBps: s.ebs[2],
          MaximumBandwidthInMbps: s.ebs[3],
          MaximumIops: s.ebs[4],
          MaximumThroughputInMBps: s.ebs[5],
        },
        EbsOptimizedSupport: 'default',
        EncryptionSupport: 'supported',
        NvmeSupport: s.ebsNvme ?? 'required',
      },
    }),
    ...(s.gpu && { GpuInfo: { Gpus: [s.gpu] } }),
    ...(s.inferenceAccelerator && { InferenceAcceleratorInfo: { Accelerators: [s.inferenceAccelerator] } }),
    ...(s.neuron && { NeuronInfo: { NeuronDevices: [s.neuron] } }),
    ...(s.storageGB === undefined ? {} : { InstanceStorageInfo: { NvmeSupport: 'required', TotalSizeInGB: s.storageGB } }),
    NetworkInfo: {
      ...(s.efa === undefined ? {} : { EfaInfo: { MaximumEfaInterfaces: s.efa } }),
      MaximumNetworkInterfaces: s.enis,
      Ipv4AddressesPerInterface: s.ipv4,
      EncryptionInTransitSupported: s.encryptionInTransit ?? false,
      DefaultNetworkCardIndex: 0,
      NetworkCards: Array.from({ length: cards }, (_, i) => ({
        NetworkCardIndex: i,
        MaximumNetworkInterfaces: s.enis / cards,
        ...(i === 0 ? { BaselineBandwidthInGbps: s.gbps } : {}),
      })),
    },
  }
}

/** The records at v0.32.1 in brief, by type. */
export const FAKE_INSTANCE_TYPE_SPECS: Record<string, FakeInstanceTypeSpec> = Object.fromEntries(
  (
    [
      { name: 'c6g.large', arch: 'arm64', cores: 2, vcpus: 2, mib: 4096, enis: 3, ipv4: 10, gbps: 0.75 },
      {
        name: 'dl1.24xlarge',
        arch: 'x86_64',
        cores: 48,
        vcpus: 96,
        mib: 786432,
        enis: 60,
        ipv4: 50,
        gbps: 400,
        cards: 4,
        encryptionInTransit: true,
        gpu: { Name: 'Gaudi HL-205', Manufacturer: 'Habana', Count: 8, MemoryInfo: { SizeInMiB: 32768 } },
        storageGB: 4000,
      },
      {
        name: 'g4dn.8xlarge',
        arch: 'x86_64',
        cores: 16,
        vcpus: 32,
        mib: 131072,
        enis: 4,
        ipv4: 15,
        gbps: 50,
        encryptionInTransit: true,
        gpu: { Name: 'T4', Manufacturer: 'NVIDIA', Count: 1, MemoryInfo: { SizeInMiB: 16384 } },
        storageGB: 900,
      },
      {
        name: 'inf1.2xlarge',
        arch: 'x86_64',
        cores: 4,
        vcpus: 8,
        mib: 16384,
        enis: 4,
        ipv4: 10,
        gbps: 5,
        encryptionInTransit: true,
        inferenceAccelerator: { Name: 'Inferentia', Manufacturer: 'AWS', Count: 1 },
      },
      {
        name: 'inf1.6xlarge',
        arch: 'x86_64',
        cores: 12,
        vcpus: 24,
        mib: 49152,
        enis: 8,
        ipv4: 30,
        gbps: 25,
        encryptionInTransit: true,
        inferenceAccelerator: { Name: 'Inferentia', Manufacturer: 'AWS', Count: 4 },
      },
      { name: 'm5.large', arch: 'x86_64', cores: 1, vcpus: 2, mib: 8192, enis: 3, ipv4: 10, gbps: 0.75 },
      { name: 'm5.metal', arch: 'x86_64', cores: 48, vcpus: 96, mib: 393216, enis: 15, ipv4: 50, gbps: 25, bareMetal: true },
      { name: 'm5.xlarge', arch: 'x86_64', cores: 2, vcpus: 4, mib: 16384, enis: 4, ipv4: 15, gbps: 1.25 },
      {
        name: 'm6idn.32xlarge',
        arch: 'x86_64',
        cores: 64,
        vcpus: 128,
        mib: 524288,
        enis: 14,
        ipv4: 50,
        gbps: 200,
        cards: 2,
        encryptionInTransit: true,
        storageGB: 7600,
      },
      {
        name: 'p3.8xlarge',
        arch: 'x86_64',
        cores: 16,
        vcpus: 32,
        mib: 249856,
        enis: 8,
        ipv4: 30,
        gbps: 10,
        hypervisor: 'xen',
        gpu: { Name: 'V100', Manufacturer: 'NVIDIA', Count: 4, MemoryInfo: { SizeInMiB: 16384 } },
      },
      { name: 't3.large', arch: 'x86_64', cores: 1, vcpus: 2, mib: 8192, enis: 3, ipv4: 12, gbps: 0.512, burstable: true },
      { name: 't4g.medium', arch: 'arm64', cores: 2, vcpus: 2, mib: 4096, enis: 3, ipv4: 6, gbps: 0.256, burstable: true },
      { name: 't4g.small', arch: 'arm64', cores: 2, vcpus: 2, mib: 2048, enis: 3, ipv4: 4, gbps: 0.128, burstable: true },
      { name: 't4g.xlarge', arch: 'arm64', cores: 4, vcpus: 4, mib: 16384, enis: 4, ipv4: 15, gbps: 1.024, burstable: true },
      { name: 'trn1.2xlarge', arch: 'x86_64', cores: 4, vcpus: 8, mib: 32768, enis: 4, ipv4: 15, gbps: 3.125, encryptionInTransit: true, storageGB: 474 },
    ] satisfies FakeInstanceTypeSpec[]
  ).map((s) => [s.name, s]),
)

export const FAKE_INSTANCE_TYPES: InstanceTypeInfo[] = Object.values(FAKE_INSTANCE_TYPE_SPECS).map(fakeInstanceType)

/** The fake's default DescribeInstanceTypeOfferings (pkg/fake/ec2api.go at v0.32.1): type → zones. */
const OFFERED_ZONES: Record<string, string[]> = {
  'm5.large': ['test-zone-1a', 'test-zone-1b', 'test-zone-1c'],
  'm5.xlarge': ['test-zone-1a', 'test-zone-1b'],
  'm5.2xlarge': ['test-zone-1a'],
  'm5.4xlarge': ['test-zone-1a'],
  'm5.8xlarge': ['test-zone-1a'],
  'p3.8xlarge': ['test-zone-1a', 'test-zone-1b'],
  'dl1.24xlarge': ['test-zone-1a', 'test-zone-1b'],
  'g4dn.8xlarge': ['test-zone-1a', 'test-zone-1b'],
  't3.large': ['test-zone-1a', 'test-zone-1b'],
  'inf1.2xlarge': ['test-zone-1a'],
  'inf1.6xlarge': ['test-zone-1a'],
  'trn1.2xlarge': ['test-zone-1a'],
  'c6g.large': ['test-zone-1a'],
  'm5.metal': ['test-zone-1a', 'test-zone-1b', 'test-zone-1c'],
}

export const FAKE_OFFERINGS: InstanceTypeOffering[] = offerings(OFFERED_ZONES)

/** DescribeInstanceTypeOfferings records, one per (type, zone), from type → zones. */
export function offerings(offeredZones: Record<string, string[]>): InstanceTypeOffering[] {
  return Object.entries(offeredZones).flatMap(([type, zones]) =>
    zones.map((zone) => ({ InstanceType: type as InstanceTypeOffering['InstanceType'], Location: zone })),
  )
}
