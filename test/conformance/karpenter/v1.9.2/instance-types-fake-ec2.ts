// The fake EC2 API's DescribeInstanceTypes data at aws/karpenter-provider-aws@v1.9.2 (pkg/fake/
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
      Manufacturer: 'AWS',
      SupportedArchitectures: ['arm64'],
      SustainedClockSpeedInGhz: 2.5,
    },
    VCpuInfo: {
      DefaultCores: 2,
      DefaultVCpus: 2,
    },
    MemoryInfo: {
      SizeInMiB: 4096,
    },
    EbsInfo: {
      EbsOptimizedInfo: {
        BaselineBandwidthInMbps: 630,
        BaselineIops: 3600,
        BaselineThroughputInMBps: 78.75,
        MaximumBandwidthInMbps: 4750,
        MaximumIops: 20000,
        MaximumThroughputInMBps: 593.75,
      },
      EbsOptimizedSupport: 'default',
      EncryptionSupport: 'supported',
      NvmeSupport: 'required',
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
      Manufacturer: 'Intel',
      SupportedArchitectures: ['x86_64'],
      SustainedClockSpeedInGhz: 3.0,
    },
    VCpuInfo: {
      DefaultCores: 48,
      DefaultVCpus: 96,
    },
    MemoryInfo: {
      SizeInMiB: 786432,
    },
    EbsInfo: {
      EbsOptimizedInfo: {
        BaselineBandwidthInMbps: 19000,
        BaselineIops: 80000,
        BaselineThroughputInMBps: 2375.0,
        MaximumBandwidthInMbps: 19000,
        MaximumIops: 80000,
        MaximumThroughputInMBps: 2375.0,
      },
      EbsOptimizedSupport: 'default',
      EncryptionSupport: 'supported',
      NvmeSupport: 'required',
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
      EfaInfo: {
        MaximumEfaInterfaces: 4,
      },
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
    InstanceType: 'g4ad.16xlarge',
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedVirtualizationTypes: ['hvm'],
    BurstablePerformanceSupported: false,
    BareMetal: false,
    Hypervisor: 'nitro',
    ProcessorInfo: {
      Manufacturer: 'AMD',
      SupportedArchitectures: ['x86_64'],
      SustainedClockSpeedInGhz: 3.0,
    },
    VCpuInfo: {
      DefaultCores: 32,
      DefaultVCpus: 64,
    },
    MemoryInfo: {
      SizeInMiB: 262144,
    },
    EbsInfo: {
      EbsOptimizedInfo: {
        BaselineBandwidthInMbps: 6300,
        BaselineIops: 26667,
        BaselineThroughputInMBps: 787.5,
        MaximumBandwidthInMbps: 6300,
        MaximumIops: 26667,
        MaximumThroughputInMBps: 787.5,
      },
      EbsOptimizedSupport: 'default',
      EncryptionSupport: 'supported',
      NvmeSupport: 'required',
    },
    GpuInfo: {
      Gpus: [
        {
          Name: 'Radeon Pro V520',
          Manufacturer: 'AMD',
          Count: 4,
          MemoryInfo: {
            SizeInMiB: 8192,
          },
        },
      ],
    },
    InstanceStorageInfo: {
      NvmeSupport: 'required',
      TotalSizeInGB: 2400,
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
    InstanceType: 'g4dn.8xlarge',
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedVirtualizationTypes: ['hvm'],
    BurstablePerformanceSupported: false,
    BareMetal: false,
    Hypervisor: 'nitro',
    ProcessorInfo: {
      Manufacturer: 'Intel',
      SupportedArchitectures: ['x86_64'],
      SustainedClockSpeedInGhz: 2.5,
    },
    VCpuInfo: {
      DefaultCores: 16,
      DefaultVCpus: 32,
    },
    MemoryInfo: {
      SizeInMiB: 131072,
    },
    EbsInfo: {
      EbsOptimizedInfo: {
        BaselineBandwidthInMbps: 9500,
        BaselineIops: 40000,
        BaselineThroughputInMBps: 1187.5,
        MaximumBandwidthInMbps: 9500,
        MaximumIops: 40000,
        MaximumThroughputInMBps: 1187.5,
      },
      EbsOptimizedSupport: 'default',
      EncryptionSupport: 'supported',
      NvmeSupport: 'required',
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
      EfaInfo: {
        MaximumEfaInterfaces: 1,
      },
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
    InstanceType: 'inf2.24xlarge',
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedVirtualizationTypes: ['hvm'],
    BurstablePerformanceSupported: false,
    BareMetal: false,
    Hypervisor: 'nitro',
    ProcessorInfo: {
      Manufacturer: 'AMD',
      SupportedArchitectures: ['x86_64'],
      SustainedClockSpeedInGhz: 3.6,
    },
    VCpuInfo: {
      DefaultCores: 48,
      DefaultVCpus: 96,
    },
    MemoryInfo: {
      SizeInMiB: 393216,
    },
    EbsInfo: {
      EbsOptimizedInfo: {
        BaselineBandwidthInMbps: 30000,
        BaselineIops: 120000,
        BaselineThroughputInMBps: 3750.0,
        MaximumBandwidthInMbps: 30000,
        MaximumIops: 120000,
        MaximumThroughputInMBps: 3750.0,
      },
      EbsOptimizedSupport: 'default',
      EncryptionSupport: 'supported',
      NvmeSupport: 'required',
    },
    NeuronInfo: {
      NeuronDevices: [
        {
          Count: 6,
          Name: 'Inferentia2',
          CoreInfo: {
            Count: 2,
            Version: 2,
          },
          MemoryInfo: {
            SizeInMiB: 32768,
          },
        },
      ],
    },
    NetworkInfo: {
      MaximumNetworkInterfaces: 15,
      Ipv4AddressesPerInterface: 50,
      EncryptionInTransitSupported: true,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [
        {
          NetworkCardIndex: 0,
          MaximumNetworkInterfaces: 15,
          BaselineBandwidthInGbps: 50.0,
        },
      ],
    },
  },
  {
    InstanceType: 'inf2.xlarge',
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedVirtualizationTypes: ['hvm'],
    BurstablePerformanceSupported: false,
    BareMetal: false,
    Hypervisor: 'nitro',
    ProcessorInfo: {
      Manufacturer: 'AMD',
      SupportedArchitectures: ['x86_64'],
      SustainedClockSpeedInGhz: 3.6,
    },
    VCpuInfo: {
      DefaultCores: 2,
      DefaultVCpus: 4,
    },
    MemoryInfo: {
      SizeInMiB: 16384,
    },
    EbsInfo: {
      EbsOptimizedInfo: {
        BaselineBandwidthInMbps: 1250,
        BaselineIops: 6000,
        BaselineThroughputInMBps: 156.25,
        MaximumBandwidthInMbps: 10000,
        MaximumIops: 40000,
        MaximumThroughputInMBps: 1250.0,
      },
      EbsOptimizedSupport: 'default',
      EncryptionSupport: 'supported',
      NvmeSupport: 'required',
    },
    NeuronInfo: {
      NeuronDevices: [
        {
          Count: 1,
          Name: 'Inferentia2',
          CoreInfo: {
            Count: 2,
            Version: 2,
          },
          MemoryInfo: {
            SizeInMiB: 32768,
          },
        },
      ],
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
          BaselineBandwidthInGbps: 2.083,
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
      Manufacturer: 'Intel',
      SupportedArchitectures: ['x86_64'],
      SustainedClockSpeedInGhz: 3.1,
    },
    VCpuInfo: {
      DefaultCores: 1,
      DefaultVCpus: 2,
    },
    MemoryInfo: {
      SizeInMiB: 8192,
    },
    EbsInfo: {
      EbsOptimizedInfo: {
        BaselineBandwidthInMbps: 650,
        BaselineIops: 3600,
        BaselineThroughputInMBps: 81.25,
        MaximumBandwidthInMbps: 4750,
        MaximumIops: 18750,
        MaximumThroughputInMBps: 593.75,
      },
      EbsOptimizedSupport: 'default',
      EncryptionSupport: 'supported',
      NvmeSupport: 'required',
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
      Manufacturer: 'Intel',
      SupportedArchitectures: ['x86_64'],
      SustainedClockSpeedInGhz: 3.1,
    },
    VCpuInfo: {
      DefaultCores: 48,
      DefaultVCpus: 96,
    },
    MemoryInfo: {
      SizeInMiB: 393216,
    },
    EbsInfo: {
      EbsOptimizedInfo: {
        BaselineBandwidthInMbps: 19000,
        BaselineIops: 80000,
        BaselineThroughputInMBps: 2375.0,
        MaximumBandwidthInMbps: 19000,
        MaximumIops: 80000,
        MaximumThroughputInMBps: 2375.0,
      },
      EbsOptimizedSupport: 'default',
      EncryptionSupport: 'supported',
      NvmeSupport: 'required',
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
      Manufacturer: 'Intel',
      SupportedArchitectures: ['x86_64'],
      SustainedClockSpeedInGhz: 3.1,
    },
    VCpuInfo: {
      DefaultCores: 2,
      DefaultVCpus: 4,
    },
    MemoryInfo: {
      SizeInMiB: 16384,
    },
    EbsInfo: {
      EbsOptimizedInfo: {
        BaselineBandwidthInMbps: 1150,
        BaselineIops: 6000,
        BaselineThroughputInMBps: 143.75,
        MaximumBandwidthInMbps: 4750,
        MaximumIops: 18750,
        MaximumThroughputInMBps: 593.75,
      },
      EbsOptimizedSupport: 'default',
      EncryptionSupport: 'supported',
      NvmeSupport: 'required',
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
      Manufacturer: 'Intel',
      SupportedArchitectures: ['x86_64'],
      SustainedClockSpeedInGhz: 3.5,
    },
    VCpuInfo: {
      DefaultCores: 64,
      DefaultVCpus: 128,
    },
    MemoryInfo: {
      SizeInMiB: 524288,
    },
    EbsInfo: {
      EbsOptimizedInfo: {
        BaselineBandwidthInMbps: 100000,
        BaselineIops: 400000,
        BaselineThroughputInMBps: 12500.0,
        MaximumBandwidthInMbps: 100000,
        MaximumIops: 400000,
        MaximumThroughputInMBps: 12500.0,
      },
      EbsOptimizedSupport: 'default',
      EncryptionSupport: 'supported',
      NvmeSupport: 'required',
    },
    InstanceStorageInfo: {
      NvmeSupport: 'required',
      TotalSizeInGB: 7600,
    },
    NetworkInfo: {
      EfaInfo: {
        MaximumEfaInterfaces: 2,
      },
      MaximumNetworkInterfaces: 16,
      Ipv4AddressesPerInterface: 50,
      EncryptionInTransitSupported: true,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [
        {
          NetworkCardIndex: 0,
          MaximumNetworkInterfaces: 8,
          BaselineBandwidthInGbps: 200.0,
        },
        {
          NetworkCardIndex: 1,
          MaximumNetworkInterfaces: 8,
        },
      ],
    },
  },
  {
    InstanceType: 'm7i-flex.large',
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedVirtualizationTypes: ['hvm'],
    BurstablePerformanceSupported: false,
    BareMetal: false,
    Hypervisor: 'nitro',
    ProcessorInfo: {
      Manufacturer: 'Intel',
      SupportedArchitectures: ['x86_64'],
      SustainedClockSpeedInGhz: 3.2,
    },
    VCpuInfo: {
      DefaultCores: 1,
      DefaultVCpus: 2,
    },
    MemoryInfo: {
      SizeInMiB: 8192,
    },
    EbsInfo: {
      EbsOptimizedInfo: {
        BaselineBandwidthInMbps: 312,
        BaselineIops: 2500,
        BaselineThroughputInMBps: 39.06,
        MaximumBandwidthInMbps: 10000,
        MaximumIops: 40000,
        MaximumThroughputInMBps: 1250.0,
      },
      EbsOptimizedSupport: 'default',
      EncryptionSupport: 'supported',
      NvmeSupport: 'required',
    },
    NetworkInfo: {
      MaximumNetworkInterfaces: 3,
      Ipv4AddressesPerInterface: 10,
      EncryptionInTransitSupported: true,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [
        {
          NetworkCardIndex: 0,
          MaximumNetworkInterfaces: 3,
          BaselineBandwidthInGbps: 0.39,
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
      Manufacturer: 'Intel',
      SupportedArchitectures: ['x86_64'],
      SustainedClockSpeedInGhz: 2.7,
    },
    VCpuInfo: {
      DefaultCores: 16,
      DefaultVCpus: 32,
    },
    MemoryInfo: {
      SizeInMiB: 249856,
    },
    EbsInfo: {
      EbsOptimizedInfo: {
        BaselineBandwidthInMbps: 7000,
        BaselineIops: 40000,
        BaselineThroughputInMBps: 875.0,
        MaximumBandwidthInMbps: 7000,
        MaximumIops: 40000,
        MaximumThroughputInMBps: 875.0,
      },
      EbsOptimizedSupport: 'default',
      EncryptionSupport: 'supported',
      NvmeSupport: 'unsupported',
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
      Manufacturer: 'Intel',
      SupportedArchitectures: ['x86_64'],
      SustainedClockSpeedInGhz: 2.5,
    },
    VCpuInfo: {
      DefaultCores: 1,
      DefaultVCpus: 2,
    },
    MemoryInfo: {
      SizeInMiB: 8192,
    },
    EbsInfo: {
      EbsOptimizedInfo: {
        BaselineBandwidthInMbps: 695,
        BaselineIops: 4000,
        BaselineThroughputInMBps: 86.88,
        MaximumBandwidthInMbps: 2780,
        MaximumIops: 15700,
        MaximumThroughputInMBps: 347.5,
      },
      EbsOptimizedSupport: 'default',
      EncryptionSupport: 'supported',
      NvmeSupport: 'required',
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
      Manufacturer: 'AWS',
      SupportedArchitectures: ['arm64'],
      SustainedClockSpeedInGhz: 2.5,
    },
    VCpuInfo: {
      DefaultCores: 2,
      DefaultVCpus: 2,
    },
    MemoryInfo: {
      SizeInMiB: 4096,
    },
    EbsInfo: {
      EbsOptimizedInfo: {
        BaselineBandwidthInMbps: 347,
        BaselineIops: 2000,
        BaselineThroughputInMBps: 43.38,
        MaximumBandwidthInMbps: 2085,
        MaximumIops: 11800,
        MaximumThroughputInMBps: 260.62,
      },
      EbsOptimizedSupport: 'default',
      EncryptionSupport: 'supported',
      NvmeSupport: 'required',
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
      Manufacturer: 'AWS',
      SupportedArchitectures: ['arm64'],
      SustainedClockSpeedInGhz: 2.5,
    },
    VCpuInfo: {
      DefaultCores: 2,
      DefaultVCpus: 2,
    },
    MemoryInfo: {
      SizeInMiB: 2048,
    },
    EbsInfo: {
      EbsOptimizedInfo: {
        BaselineBandwidthInMbps: 174,
        BaselineIops: 1000,
        BaselineThroughputInMBps: 21.75,
        MaximumBandwidthInMbps: 2085,
        MaximumIops: 11800,
        MaximumThroughputInMBps: 260.62,
      },
      EbsOptimizedSupport: 'default',
      EncryptionSupport: 'supported',
      NvmeSupport: 'required',
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
      Manufacturer: 'AWS',
      SupportedArchitectures: ['arm64'],
      SustainedClockSpeedInGhz: 2.5,
    },
    VCpuInfo: {
      DefaultCores: 4,
      DefaultVCpus: 4,
    },
    MemoryInfo: {
      SizeInMiB: 16384,
    },
    EbsInfo: {
      EbsOptimizedInfo: {
        BaselineBandwidthInMbps: 695,
        BaselineIops: 4000,
        BaselineThroughputInMBps: 86.88,
        MaximumBandwidthInMbps: 2780,
        MaximumIops: 15700,
        MaximumThroughputInMBps: 347.5,
      },
      EbsOptimizedSupport: 'default',
      EncryptionSupport: 'supported',
      NvmeSupport: 'required',
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
      Manufacturer: 'Intel',
      SupportedArchitectures: ['x86_64'],
      SustainedClockSpeedInGhz: 3.5,
    },
    VCpuInfo: {
      DefaultCores: 4,
      DefaultVCpus: 8,
    },
    MemoryInfo: {
      SizeInMiB: 32768,
    },
    EbsInfo: {
      EbsOptimizedInfo: {
        BaselineBandwidthInMbps: 5000,
        BaselineIops: 16250,
        BaselineThroughputInMBps: 625.0,
        MaximumBandwidthInMbps: 20000,
        MaximumIops: 65000,
        MaximumThroughputInMBps: 2500.0,
      },
      EbsOptimizedSupport: 'default',
      EncryptionSupport: 'supported',
      NvmeSupport: 'required',
    },
    NeuronInfo: {
      NeuronDevices: [
        {
          Count: 1,
          Name: 'Trainium',
          CoreInfo: {
            Count: 2,
            Version: 2,
          },
          MemoryInfo: {
            SizeInMiB: 32768,
          },
        },
      ],
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

/** The fake's default DescribeInstanceTypeOfferings (zz_generated.describe_instance_types.go). */
export const FAKE_OFFERINGS: InstanceTypeOffering[] = [
  { InstanceType: 'c6g.large', Location: 'test-zone-1a' },
  { InstanceType: 'dl1.24xlarge', Location: 'test-zone-1a' },
  { InstanceType: 'dl1.24xlarge', Location: 'test-zone-1b' },
  { InstanceType: 'g4ad.16xlarge', Location: 'test-zone-1a' },
  { InstanceType: 'g4ad.16xlarge', Location: 'test-zone-1b' },
  { InstanceType: 'g4dn.8xlarge', Location: 'test-zone-1a' },
  { InstanceType: 'g4dn.8xlarge', Location: 'test-zone-1b' },
  { InstanceType: 'inf2.24xlarge', Location: 'test-zone-1a' },
  { InstanceType: 'inf2.xlarge', Location: 'test-zone-1a' },
  { InstanceType: 'm5.2xlarge', Location: 'test-zone-1a' },
  { InstanceType: 'm5.4xlarge', Location: 'test-zone-1a' },
  { InstanceType: 'm5.8xlarge', Location: 'test-zone-1a' },
  { InstanceType: 'm5.large', Location: 'test-zone-1a' },
  { InstanceType: 'm5.large', Location: 'test-zone-1b' },
  { InstanceType: 'm5.large', Location: 'test-zone-1c' },
  { InstanceType: 'm5.large', Location: 'test-zone-1a-local' },
  { InstanceType: 'm5.metal', Location: 'test-zone-1a' },
  { InstanceType: 'm5.metal', Location: 'test-zone-1b' },
  { InstanceType: 'm5.xlarge', Location: 'test-zone-1a' },
  { InstanceType: 'm5.xlarge', Location: 'test-zone-1b' },
  { InstanceType: 'm6idn.32xlarge', Location: 'test-zone-1a' },
  { InstanceType: 'm6idn.32xlarge', Location: 'test-zone-1b' },
  { InstanceType: 'm6idn.32xlarge', Location: 'test-zone-1c' },
  { InstanceType: 'm7i-flex.large', Location: 'test-zone-1a' },
  { InstanceType: 'p3.8xlarge', Location: 'test-zone-1a' },
  { InstanceType: 'p3.8xlarge', Location: 'test-zone-1b' },
  { InstanceType: 't3.large', Location: 'test-zone-1a' },
  { InstanceType: 't3.large', Location: 'test-zone-1b' },
  { InstanceType: 'trn1.2xlarge', Location: 'test-zone-1a' },
] as InstanceTypeOffering[]
