// The fake EC2 API's DescribeInstanceTypes data at aws/karpenter-provider-aws@v0.32.1 (pkg/fake/
// zz_generated.describe_instance_types.go, itself a DescribeInstanceTypes snapshot), as AWS SDK v3
// records. One addition: the default network card carries `BaselineBandwidthInGbps` from the
// bandwidth table at the same tag (zz_generated.bandwidth.go, Mbps / 1000), which is where the twin
// reads the `karpenter.k8s.aws/instance-network-bandwidth` label from (sandbox/karpenter/instance-types.ts).

import type { InstanceTypeInfo, InstanceTypeOffering } from '@aws-sdk/client-ec2'

export const FAKE_INSTANCE_TYPES: InstanceTypeInfo[] = [
  {
    InstanceType: 'c6g.large',
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedVirtualizationTypes: ['hvm'],
    BurstablePerformanceSupported: false,
    BareMetal: false,
    Hypervisor: 'nitro',
    ProcessorInfo: {
      SupportedArchitectures: ['arm64'],
    },
    VCpuInfo: {
      DefaultCores: 2,
      DefaultVCpus: 2,
    },
    MemoryInfo: {
      SizeInMiB: 4096,
    },
    NetworkInfo: {
      MaximumNetworkInterfaces: 3,
      Ipv4AddressesPerInterface: 10,
      EncryptionInTransitSupported: false,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [
        {
          NetworkCardIndex: 0,
          MaximumNetworkInterfaces: 3,
          BaselineBandwidthInGbps: 0.75,
        },
      ],
    },
  },
  {
    InstanceType: 'dl1.24xlarge',
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedVirtualizationTypes: ['hvm'],
    BurstablePerformanceSupported: false,
    BareMetal: false,
    Hypervisor: 'nitro',
    ProcessorInfo: {
      SupportedArchitectures: ['x86_64'],
    },
    VCpuInfo: {
      DefaultCores: 48,
      DefaultVCpus: 96,
    },
    MemoryInfo: {
      SizeInMiB: 786432,
    },
    GpuInfo: {
      Gpus: [
        {
          Name: 'Gaudi HL-205',
          Manufacturer: 'Habana',
          Count: 8,
          MemoryInfo: {
            SizeInMiB: 32768,
          },
        },
      ],
    },
    InstanceStorageInfo: {
      NvmeSupport: 'required',
      TotalSizeInGB: 4000,
    },
    NetworkInfo: {
      MaximumNetworkInterfaces: 60,
      Ipv4AddressesPerInterface: 50,
      EncryptionInTransitSupported: true,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [
        {
          NetworkCardIndex: 0,
          MaximumNetworkInterfaces: 15,
          BaselineBandwidthInGbps: 400.0,
        },
        {
          NetworkCardIndex: 1,
          MaximumNetworkInterfaces: 15,
        },
        {
          NetworkCardIndex: 2,
          MaximumNetworkInterfaces: 15,
        },
        {
          NetworkCardIndex: 3,
          MaximumNetworkInterfaces: 15,
        },
      ],
    },
  },
  {
    InstanceType: 'g4dn.8xlarge',
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedVirtualizationTypes: ['hvm'],
    BurstablePerformanceSupported: false,
    BareMetal: false,
    Hypervisor: 'nitro',
    ProcessorInfo: {
      SupportedArchitectures: ['x86_64'],
    },
    VCpuInfo: {
      DefaultCores: 16,
      DefaultVCpus: 32,
    },
    MemoryInfo: {
      SizeInMiB: 131072,
    },
    GpuInfo: {
      Gpus: [
        {
          Name: 'T4',
          Manufacturer: 'NVIDIA',
          Count: 1,
          MemoryInfo: {
            SizeInMiB: 16384,
          },
        },
      ],
    },
    InstanceStorageInfo: {
      NvmeSupport: 'required',
      TotalSizeInGB: 900,
    },
    NetworkInfo: {
      MaximumNetworkInterfaces: 4,
      Ipv4AddressesPerInterface: 15,
      EncryptionInTransitSupported: true,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [
        {
          NetworkCardIndex: 0,
          MaximumNetworkInterfaces: 4,
          BaselineBandwidthInGbps: 50.0,
        },
      ],
    },
  },
  {
    InstanceType: 'inf1.2xlarge',
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedVirtualizationTypes: ['hvm'],
    BurstablePerformanceSupported: false,
    BareMetal: false,
    Hypervisor: 'nitro',
    ProcessorInfo: {
      SupportedArchitectures: ['x86_64'],
    },
    VCpuInfo: {
      DefaultCores: 4,
      DefaultVCpus: 8,
    },
    MemoryInfo: {
      SizeInMiB: 16384,
    },
    InferenceAcceleratorInfo: {
      Accelerators: [
        {
          Name: 'Inferentia',
          Manufacturer: 'AWS',
          Count: 1,
        },
      ],
    },
    NetworkInfo: {
      MaximumNetworkInterfaces: 4,
      Ipv4AddressesPerInterface: 10,
      EncryptionInTransitSupported: true,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [
        {
          NetworkCardIndex: 0,
          MaximumNetworkInterfaces: 4,
          BaselineBandwidthInGbps: 5.0,
        },
      ],
    },
  },
  {
    InstanceType: 'inf1.6xlarge',
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedVirtualizationTypes: ['hvm'],
    BurstablePerformanceSupported: false,
    BareMetal: false,
    Hypervisor: 'nitro',
    ProcessorInfo: {
      SupportedArchitectures: ['x86_64'],
    },
    VCpuInfo: {
      DefaultCores: 12,
      DefaultVCpus: 24,
    },
    MemoryInfo: {
      SizeInMiB: 49152,
    },
    InferenceAcceleratorInfo: {
      Accelerators: [
        {
          Name: 'Inferentia',
          Manufacturer: 'AWS',
          Count: 4,
        },
      ],
    },
    NetworkInfo: {
      MaximumNetworkInterfaces: 8,
      Ipv4AddressesPerInterface: 30,
      EncryptionInTransitSupported: true,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [
        {
          NetworkCardIndex: 0,
          MaximumNetworkInterfaces: 8,
          BaselineBandwidthInGbps: 25.0,
        },
      ],
    },
  },
  {
    InstanceType: 'm5.large',
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedVirtualizationTypes: ['hvm'],
    BurstablePerformanceSupported: false,
    BareMetal: false,
    Hypervisor: 'nitro',
    ProcessorInfo: {
      SupportedArchitectures: ['x86_64'],
    },
    VCpuInfo: {
      DefaultCores: 1,
      DefaultVCpus: 2,
    },
    MemoryInfo: {
      SizeInMiB: 8192,
    },
    NetworkInfo: {
      MaximumNetworkInterfaces: 3,
      Ipv4AddressesPerInterface: 10,
      EncryptionInTransitSupported: false,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [
        {
          NetworkCardIndex: 0,
          MaximumNetworkInterfaces: 3,
          BaselineBandwidthInGbps: 0.75,
        },
      ],
    },
  },
  {
    InstanceType: 'm5.metal',
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedVirtualizationTypes: ['hvm'],
    BurstablePerformanceSupported: false,
    BareMetal: true,
    Hypervisor: '',
    ProcessorInfo: {
      SupportedArchitectures: ['x86_64'],
    },
    VCpuInfo: {
      DefaultCores: 48,
      DefaultVCpus: 96,
    },
    MemoryInfo: {
      SizeInMiB: 393216,
    },
    NetworkInfo: {
      MaximumNetworkInterfaces: 15,
      Ipv4AddressesPerInterface: 50,
      EncryptionInTransitSupported: false,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [
        {
          NetworkCardIndex: 0,
          MaximumNetworkInterfaces: 15,
          BaselineBandwidthInGbps: 25.0,
        },
      ],
    },
  },
  {
    InstanceType: 'm5.xlarge',
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedVirtualizationTypes: ['hvm'],
    BurstablePerformanceSupported: false,
    BareMetal: false,
    Hypervisor: 'nitro',
    ProcessorInfo: {
      SupportedArchitectures: ['x86_64'],
    },
    VCpuInfo: {
      DefaultCores: 2,
      DefaultVCpus: 4,
    },
    MemoryInfo: {
      SizeInMiB: 16384,
    },
    NetworkInfo: {
      MaximumNetworkInterfaces: 4,
      Ipv4AddressesPerInterface: 15,
      EncryptionInTransitSupported: false,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [
        {
          NetworkCardIndex: 0,
          MaximumNetworkInterfaces: 4,
          BaselineBandwidthInGbps: 1.25,
        },
      ],
    },
  },
  {
    InstanceType: 'm6idn.32xlarge',
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedVirtualizationTypes: ['hvm'],
    BurstablePerformanceSupported: false,
    BareMetal: false,
    Hypervisor: 'nitro',
    ProcessorInfo: {
      SupportedArchitectures: ['x86_64'],
    },
    VCpuInfo: {
      DefaultCores: 64,
      DefaultVCpus: 128,
    },
    MemoryInfo: {
      SizeInMiB: 524288,
    },
    InstanceStorageInfo: {
      NvmeSupport: 'required',
      TotalSizeInGB: 7600,
    },
    NetworkInfo: {
      MaximumNetworkInterfaces: 14,
      Ipv4AddressesPerInterface: 50,
      EncryptionInTransitSupported: true,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [
        {
          NetworkCardIndex: 0,
          MaximumNetworkInterfaces: 7,
          BaselineBandwidthInGbps: 200.0,
        },
        {
          NetworkCardIndex: 1,
          MaximumNetworkInterfaces: 7,
        },
      ],
    },
  },
  {
    InstanceType: 'p3.8xlarge',
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedVirtualizationTypes: ['hvm'],
    BurstablePerformanceSupported: false,
    BareMetal: false,
    Hypervisor: 'xen',
    ProcessorInfo: {
      SupportedArchitectures: ['x86_64'],
    },
    VCpuInfo: {
      DefaultCores: 16,
      DefaultVCpus: 32,
    },
    MemoryInfo: {
      SizeInMiB: 249856,
    },
    GpuInfo: {
      Gpus: [
        {
          Name: 'V100',
          Manufacturer: 'NVIDIA',
          Count: 4,
          MemoryInfo: {
            SizeInMiB: 16384,
          },
        },
      ],
    },
    NetworkInfo: {
      MaximumNetworkInterfaces: 8,
      Ipv4AddressesPerInterface: 30,
      EncryptionInTransitSupported: false,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [
        {
          NetworkCardIndex: 0,
          MaximumNetworkInterfaces: 8,
          BaselineBandwidthInGbps: 10.0,
        },
      ],
    },
  },
  {
    InstanceType: 't3.large',
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedVirtualizationTypes: ['hvm'],
    BurstablePerformanceSupported: true,
    BareMetal: false,
    Hypervisor: 'nitro',
    ProcessorInfo: {
      SupportedArchitectures: ['x86_64'],
    },
    VCpuInfo: {
      DefaultCores: 1,
      DefaultVCpus: 2,
    },
    MemoryInfo: {
      SizeInMiB: 8192,
    },
    NetworkInfo: {
      MaximumNetworkInterfaces: 3,
      Ipv4AddressesPerInterface: 12,
      EncryptionInTransitSupported: false,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [
        {
          NetworkCardIndex: 0,
          MaximumNetworkInterfaces: 3,
          BaselineBandwidthInGbps: 0.512,
        },
      ],
    },
  },
  {
    InstanceType: 't4g.medium',
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedVirtualizationTypes: ['hvm'],
    BurstablePerformanceSupported: true,
    BareMetal: false,
    Hypervisor: 'nitro',
    ProcessorInfo: {
      SupportedArchitectures: ['arm64'],
    },
    VCpuInfo: {
      DefaultCores: 2,
      DefaultVCpus: 2,
    },
    MemoryInfo: {
      SizeInMiB: 4096,
    },
    NetworkInfo: {
      MaximumNetworkInterfaces: 3,
      Ipv4AddressesPerInterface: 6,
      EncryptionInTransitSupported: false,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [
        {
          NetworkCardIndex: 0,
          MaximumNetworkInterfaces: 3,
          BaselineBandwidthInGbps: 0.256,
        },
      ],
    },
  },
  {
    InstanceType: 't4g.small',
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedVirtualizationTypes: ['hvm'],
    BurstablePerformanceSupported: true,
    BareMetal: false,
    Hypervisor: 'nitro',
    ProcessorInfo: {
      SupportedArchitectures: ['arm64'],
    },
    VCpuInfo: {
      DefaultCores: 2,
      DefaultVCpus: 2,
    },
    MemoryInfo: {
      SizeInMiB: 2048,
    },
    NetworkInfo: {
      MaximumNetworkInterfaces: 3,
      Ipv4AddressesPerInterface: 4,
      EncryptionInTransitSupported: false,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [
        {
          NetworkCardIndex: 0,
          MaximumNetworkInterfaces: 3,
          BaselineBandwidthInGbps: 0.128,
        },
      ],
    },
  },
  {
    InstanceType: 't4g.xlarge',
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedVirtualizationTypes: ['hvm'],
    BurstablePerformanceSupported: true,
    BareMetal: false,
    Hypervisor: 'nitro',
    ProcessorInfo: {
      SupportedArchitectures: ['arm64'],
    },
    VCpuInfo: {
      DefaultCores: 4,
      DefaultVCpus: 4,
    },
    MemoryInfo: {
      SizeInMiB: 16384,
    },
    NetworkInfo: {
      MaximumNetworkInterfaces: 4,
      Ipv4AddressesPerInterface: 15,
      EncryptionInTransitSupported: false,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [
        {
          NetworkCardIndex: 0,
          MaximumNetworkInterfaces: 4,
          BaselineBandwidthInGbps: 1.024,
        },
      ],
    },
  },
  {
    InstanceType: 'trn1.2xlarge',
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedVirtualizationTypes: ['hvm'],
    BurstablePerformanceSupported: false,
    BareMetal: false,
    Hypervisor: 'nitro',
    ProcessorInfo: {
      SupportedArchitectures: ['x86_64'],
    },
    VCpuInfo: {
      DefaultCores: 4,
      DefaultVCpus: 8,
    },
    MemoryInfo: {
      SizeInMiB: 32768,
    },
    InstanceStorageInfo: {
      NvmeSupport: 'required',
      TotalSizeInGB: 474,
    },
    NetworkInfo: {
      MaximumNetworkInterfaces: 4,
      Ipv4AddressesPerInterface: 15,
      EncryptionInTransitSupported: true,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [
        {
          NetworkCardIndex: 0,
          MaximumNetworkInterfaces: 4,
          BaselineBandwidthInGbps: 3.125,
        },
      ],
    },
  },
] as InstanceTypeInfo[]

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

export const FAKE_OFFERINGS: InstanceTypeOffering[] = Object.entries(OFFERED_ZONES).flatMap(([type, zones]) =>
  zones.map((zone) => ({ InstanceType: type as InstanceTypeOffering['InstanceType'], Location: zone })),
)
