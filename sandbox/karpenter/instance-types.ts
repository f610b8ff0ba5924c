// Karpenter's view of EC2 instance types: requirements (the labels a node of that type gets),
// offerings (zone × capacity type, with price and availability), capacity and the allocatable
// estimate. Ported rule by rule from aws@v0.32.1:pkg/providers/instancetype/{types.go,
// instancetype.go} and core@v0.32.1:pkg/cloudprovider/types.go.
//
// Inputs are what the controller reads through the AWS SDK: DescribeInstanceTypes entries,
// DescribeInstanceTypeOfferings (zones per type), DescribeAvailabilityZones, the zones of the
// EC2NodeClass's subnets, the On-Demand price table and DescribeSpotPriceHistory, plus the
// insufficient-capacity cache. Nothing here calls AWS.

import type { InstanceTypeInfo, InstanceTypeOffering } from '@aws-sdk/client-ec2'
import { Quantity } from '../k8s/quantity.ts'
import { CPU, EPHEMERAL_STORAGE, maxResources, MEMORY, merge, parseResourceList, PODS, subtract, type ResourceList } from '../k8s/resources.ts'
import type { BlockDeviceMapping, KubeletConfiguration } from './api.ts'
import {
  ARCH_AMD64,
  ARCH_ARM64,
  LABEL_ARCH,
  LABEL_CAPACITY_TYPE,
  LABEL_INSTANCE_ACCELERATOR_COUNT,
  LABEL_INSTANCE_ACCELERATOR_MANUFACTURER,
  LABEL_INSTANCE_ACCELERATOR_NAME,
  LABEL_INSTANCE_CATEGORY,
  LABEL_INSTANCE_CPU,
  LABEL_INSTANCE_ENCRYPTION_IN_TRANSIT,
  LABEL_INSTANCE_FAMILY,
  LABEL_INSTANCE_GENERATION,
  LABEL_INSTANCE_GPU_COUNT,
  LABEL_INSTANCE_GPU_MANUFACTURER,
  LABEL_INSTANCE_GPU_MEMORY,
  LABEL_INSTANCE_GPU_NAME,
  LABEL_INSTANCE_HYPERVISOR,
  LABEL_INSTANCE_LOCAL_NVME,
  LABEL_INSTANCE_MEMORY,
  LABEL_INSTANCE_NETWORK_BANDWIDTH,
  LABEL_INSTANCE_SIZE,
  LABEL_INSTANCE_TYPE,
  LABEL_OS,
  LABEL_REGION,
  LABEL_WINDOWS_BUILD,
  LABEL_ZONE,
  RESOURCE_AMD_GPU,
  RESOURCE_AWS_NEURON,
  RESOURCE_AWS_POD_ENI,
  RESOURCE_HABANA_GAUDI,
  RESOURCE_NVIDIA_GPU,
  RESOURCE_PRIVATE_IPV4,
} from './labels.ts'
import { Requirement, Requirements } from './requirements.ts'
import { isUnavailable, type UnavailableOfferings } from './unavailable-offerings.ts'

export interface Offering {
  zone: string
  capacityType: string
  /** USD per hour. */
  price: number
  /** False when the type is not offered in the zone, no subnet is there, no price is known, or ICE. */
  available: boolean
}

interface InstanceTypeOverhead {
  kubeReserved: ResourceList
  systemReserved: ResourceList
  evictionThreshold: ResourceList
}

export interface InstanceType {
  name: string
  requirements: Requirements
  offerings: Offering[]
  capacity: ResourceList
  overhead: InstanceTypeOverhead
  /** capacity − (kubeReserved + systemReserved + evictionThreshold), over capacity's resources. */
  allocatable: ResourceList
}

/** The settings of the Karpenter controller that change instance types (Helm `settings.*`). */
export interface InstanceTypeSettings {
  /** `VM_MEMORY_OVERHEAD_PERCENT`, default 0.075. */
  vmMemoryOverheadPercent: number
  /** `RESERVED_ENIS`, default 0. */
  reservedENIs: number
  /** `settings.aws.enableENILimitedPodDensity`, default true. */
  enableENILimitedPodDensity: boolean
  /**
   * Karpenter 1.x's rules (aws@v1.9.2 instancetype/types.go): Neuron devices and the accelerator
   * labels from `NeuronInfo` (no trn1 hard-coding), kube-reserved memory from the ENI-limited pods
   * without reserved ENIs (`ENILimitedPods(ctx, info, 0)`).
   */
  v1Rules?: boolean
}

const DEFAULT_INSTANCE_TYPE_SETTINGS: InstanceTypeSettings = {
  vmMemoryOverheadPercent: 0.075,
  reservedENIs: 0,
  enableENILimitedPodDensity: true,
}

/** The defaults under Karpenter 1.x's rules (the 1.x twin's controller builds its instance types with these). */
export const V1_INSTANCE_TYPE_SETTINGS: InstanceTypeSettings = { ...DEFAULT_INSTANCE_TYPE_SETTINGS, v1Rules: true }

/**
 * The filters Karpenter passes to DescribeInstanceTypes (instancetype.go: GetInstanceTypes):
 * hvm virtualisation, x86_64 or arm64.
 */
export const DESCRIBE_INSTANCE_TYPES_FILTERS = [
  { Name: 'supported-virtualization-type', Values: ['hvm'] },
  { Name: 'processor-info.supported-architecture', Values: ['x86_64', 'arm64'] },
]

/** The same filters applied locally (for an EC2 endpoint that ignores them). */
export function passesDescribeFilters(info: InstanceTypeInfo): boolean {
  const virt = info.SupportedVirtualizationTypes ?? []
  const arch = info.ProcessorInfo?.SupportedArchitectures ?? []
  return virt.includes('hvm') && arch.some((a) => a === 'x86_64' || a === 'arm64')
}

// ---- AMI families (aws@v0.32.1:pkg/providers/amifamily/*.go) ----

interface AmiFamilyTraits {
  usesENILimitedMemoryOverhead: boolean
  podsPerCoreEnabled: boolean
  evictionSoftEnabled: boolean
  supportsENILimitedPodDensity: boolean
  /** The device that holds the pods' ephemeral storage (undefined for Custom). */
  ephemeralBlockDevice: string | undefined
  /** Size of that device in the family's default block device mappings. */
  defaultEphemeralSize: string | undefined
  windowsBuild?: string
}

const DEFAULT_FLAGS = { usesENILimitedMemoryOverhead: true, podsPerCoreEnabled: true, evictionSoftEnabled: true, supportsENILimitedPodDensity: true }

/** `node.kubernetes.io/windows-build` per Windows family (pkg/apis labels.go). */
const WINDOWS_BUILDS: Readonly<Record<string, string>> = { Windows2019: '10.0.17763', Windows2022: '10.0.20348', Windows2025: '10.0.26100' }

function amiFamilyTraits(amiFamily: string | undefined): AmiFamilyTraits {
  switch (amiFamily) {
    case 'Bottlerocket':
      return {
        usesENILimitedMemoryOverhead: false,
        podsPerCoreEnabled: false,
        evictionSoftEnabled: false,
        supportsENILimitedPodDensity: true,
        ephemeralBlockDevice: '/dev/xvdb',
        defaultEphemeralSize: '20Gi',
      }
    case 'Ubuntu':
      return { ...DEFAULT_FLAGS, ephemeralBlockDevice: '/dev/sda1', defaultEphemeralSize: '20Gi' }
    case 'Windows2019':
    case 'Windows2022':
    case 'Windows2025': // 1.x only (aws@v1.9.2 pkg/providers/amifamily/windows.go)
      return {
        usesENILimitedMemoryOverhead: false,
        podsPerCoreEnabled: true,
        evictionSoftEnabled: true,
        supportsENILimitedPodDensity: false,
        ephemeralBlockDevice: '/dev/sda1',
        defaultEphemeralSize: '50Gi',
        windowsBuild: WINDOWS_BUILDS[amiFamily],
      }
    case 'Custom':
      return { ...DEFAULT_FLAGS, ephemeralBlockDevice: undefined, defaultEphemeralSize: undefined }
    default: // AL2
      return { ...DEFAULT_FLAGS, ephemeralBlockDevice: '/dev/xvda', defaultEphemeralSize: '20Gi' }
  }
}

/** `amifamily.DefaultEBS.VolumeSize`. */
const DEFAULT_EBS_SIZE = '20Gi'

/**
 * types.go `ephemeralStorage`: the root volume, or the family's ephemeral device, or 20Gi; with the
 * 1.x `instanceStorePolicy: RAID0`, the instance store's total size (`<TotalSizeInGB>G`).
 */
function ephemeralStorage(
  amiFamily: string | undefined,
  bdms: readonly BlockDeviceMapping[] | undefined,
  instanceStorePolicy?: string,
  info?: InstanceTypeInfo,
): Quantity {
  const totalGB = info?.InstanceStorageInfo?.TotalSizeInGB
  if (instanceStorePolicy === 'RAID0' && totalGB !== undefined) return Quantity.parse(`${totalGB}G`)
  const traits = amiFamilyTraits(amiFamily)
  if (bdms && bdms.length > 0) {
    const root = bdms.find((b) => b.rootVolume)
    if (root?.ebs?.volumeSize) return Quantity.parse(root.ebs.volumeSize)
    if (amiFamily === 'Custom') {
      const last = bdms[bdms.length - 1].ebs?.volumeSize
      return Quantity.parse(last ?? DEFAULT_EBS_SIZE)
    }
    const dev = bdms.find((b) => b.deviceName === traits.ephemeralBlockDevice)
    if (dev?.ebs?.volumeSize) return Quantity.parse(dev.ebs.volumeSize)
  }
  return Quantity.parse(traits.defaultEphemeralSize ?? DEFAULT_EBS_SIZE)
}

// ---- capacity ----

const ARCHITECTURES: Record<string, string> = { x86_64: ARCH_AMD64, arm64: ARCH_ARM64 }

/** `getArchitecture`: the first supported architecture Kubernetes knows. */
function architectureOf(info: InstanceTypeInfo): string {
  const archs = info.ProcessorInfo?.SupportedArchitectures ?? []
  for (const a of archs) if (ARCHITECTURES[a]) return ARCHITECTURES[a]
  return `[${archs.join(' ')}]`
}

/** `ENILimitedPods`: (ENIs of the default card − reserved) × (IPv4 per ENI − 1) + 2. */
export function eniLimitedPods(info: InstanceTypeInfo, settings: InstanceTypeSettings = DEFAULT_INSTANCE_TYPE_SETTINGS): number {
  const net = info.NetworkInfo ?? {}
  const card = net.NetworkCards?.[net.DefaultNetworkCardIndex ?? 0]
  const enis = card?.MaximumNetworkInterfaces ?? net.MaximumNetworkInterfaces ?? 0
  const usable = Math.max(enis - settings.reservedENIs, 0)
  if (usable === 0) return 0
  return usable * ((net.Ipv4AddressesPerInterface ?? 0) - 1) + 2
}

/** types.go `pods`: maxPods, else ENI-limited (AL2 …) or 110, capped by podsPerCore × vCPUs. */
function maxPods(
  info: InstanceTypeInfo,
  amiFamily: string | undefined,
  kubelet: KubeletConfiguration | undefined,
  settings: InstanceTypeSettings = DEFAULT_INSTANCE_TYPE_SETTINGS,
): number {
  const traits = amiFamilyTraits(amiFamily)
  let count: number
  if (kubelet?.maxPods !== undefined && kubelet.maxPods !== null) count = kubelet.maxPods
  else if (settings.enableENILimitedPodDensity && traits.supportsENILimitedPodDensity) count = eniLimitedPods(info, settings)
  else count = 110
  if (kubelet?.podsPerCore && kubelet.podsPerCore > 0 && traits.podsPerCoreEnabled) {
    count = Math.min(kubelet.podsPerCore * (info.VCpuInfo?.DefaultVCpus ?? 0), count)
  }
  return count
}

/** types.go `memory`: SizeInMiB, −64 MiB on Graviton (CMA), − ceil(VM overhead %) MiB. */
function memoryCapacity(info: InstanceTypeInfo, settings: InstanceTypeSettings = DEFAULT_INSTANCE_TYPE_SETTINGS): Quantity {
  let mib = info.MemoryInfo?.SizeInMiB ?? 0
  if (info.ProcessorInfo?.SupportedArchitectures?.[0] === 'arm64') mib -= 64
  const bytes = mib * 1024 * 1024
  // Same float operations, in the same order, as the Go code.
  const overheadMiB = Math.ceil((bytes * settings.vmMemoryOverheadPercent) / 1024 / 1024)
  return Quantity.parse(`${mib}Mi`).sub(Quantity.parse(`${overheadMiB}Mi`))
}

function gpuCount(info: InstanceTypeInfo, manufacturer: string): number {
  let n = 0
  for (const g of info.GpuInfo?.Gpus ?? []) if (g.Manufacturer === manufacturer) n += g.Count ?? 0
  return n
}

/** `awsNeurons`: trn1 counts are hard-coded (DescribeInstanceTypes lacked them); 1.x `awsNeuronDevices` reads NeuronInfo. */
function neuronCount(info: InstanceTypeInfo, v1Rules = false): number {
  if (v1Rules) return (info.NeuronInfo?.NeuronDevices ?? []).reduce((n, d) => n + (d.Count ?? 0), 0)
  const name = info.InstanceType ?? ''
  if (name === 'trn1.2xlarge') return 1
  if (name === 'trn1.32xlarge' || name === 'trn1n.32xlarge') return 16
  let n = 0
  for (const a of info.InferenceAcceleratorInfo?.Accelerators ?? []) n += a.Count ?? 0
  return n
}

interface CapacityInputs {
  amiFamily?: string
  blockDeviceMappings?: readonly BlockDeviceMapping[]
  instanceStorePolicy?: string
  kubelet?: KubeletConfiguration
  settings?: InstanceTypeSettings
  /** Branch network interfaces per trunking-capable type (sandbox/karpenter/data/branch-interfaces.json). */
  branchInterfaces?: Readonly<Record<string, number>>
}

/** types.go `computeCapacity`. Zero-valued resources are kept, as in Go. */
function computeCapacity(info: InstanceTypeInfo, inputs: CapacityInputs = {}): ResourceList {
  const settings = inputs.settings ?? DEFAULT_INSTANCE_TYPE_SETTINGS
  const name = info.InstanceType ?? ''
  return {
    [CPU]: Quantity.of(info.VCpuInfo?.DefaultVCpus ?? 0),
    [MEMORY]: memoryCapacity(info, settings),
    [EPHEMERAL_STORAGE]: ephemeralStorage(inputs.amiFamily, inputs.blockDeviceMappings, inputs.instanceStorePolicy, info),
    [PODS]: Quantity.of(maxPods(info, inputs.amiFamily, inputs.kubelet, settings)),
    [RESOURCE_AWS_POD_ENI]: Quantity.of(inputs.branchInterfaces?.[name] ?? 0),
    [RESOURCE_NVIDIA_GPU]: Quantity.of(gpuCount(info, 'NVIDIA')),
    [RESOURCE_AMD_GPU]: Quantity.of(gpuCount(info, 'AMD')),
    [RESOURCE_AWS_NEURON]: Quantity.of(neuronCount(info, settings.v1Rules)),
    [RESOURCE_HABANA_GAUDI]: Quantity.of(gpuCount(info, 'Habana')),
  }
}

// ---- overhead ----

const CPU_BANDS = [
  { start: 0, end: 1000, percentage: 0.06 },
  { start: 1000, end: 2000, percentage: 0.01 },
  { start: 2000, end: 4000, percentage: 0.005 },
  { start: 4000, end: 2 ** 31, percentage: 0.0025 },
]

/** types.go `kubeReservedResources`: CPU bands, 11 × pods + 255 MiB, 1Gi storage; kubelet overrides. */
function kubeReserved(vcpus: number, pods: number, eniPods: number, amiFamily: string | undefined, kubelet: KubeletConfiguration | undefined): ResourceList {
  const podsForMemory = amiFamilyTraits(amiFamily).usesENILimitedMemoryOverhead ? eniPods : pods
  const out: ResourceList = {
    [MEMORY]: Quantity.parse(`${11 * podsForMemory + 255}Mi`),
    [EPHEMERAL_STORAGE]: Quantity.parse('1Gi'),
  }
  const milli = vcpus * 1000
  for (const band of CPU_BANDS) {
    if (milli >= band.start) {
      const r = milli < band.end ? milli - band.start : band.end - band.start
      out[CPU] = (out[CPU] ?? Quantity.ZERO).add(Quantity.milli(Math.trunc(r * band.percentage)))
    }
  }
  if (kubelet?.kubeReserved) Object.assign(out, parseResourceList(kubelet.kubeReserved))
  return out
}

/** Go's `math.Ceil` result printed by fmt.Sprint and re-parsed: an exact integer quantity. */
function ceilQuantity(x: number): Quantity {
  return Quantity.of(BigInt(Math.ceil(x)), 'DecimalExponent')
}

function evictionSignal(capacity: Quantity, value: string): Quantity {
  if (value.endsWith('%')) {
    let p = Number.parseFloat(value.replace(/%/g, ''))
    // 100% disables the threshold.
    if (p === 100) p = 0
    return ceilQuantity((capacity.toNumber() / 100) * p)
  }
  return Quantity.parse(value)
}

/** types.go `evictionThreshold`: memory 100Mi, storage 10 %; evictionHard/Soft (max wins) override. */
function evictionThreshold(memory: Quantity, storage: Quantity, amiFamily: string | undefined, kubelet: KubeletConfiguration | undefined): ResourceList {
  const overhead: ResourceList = {
    [MEMORY]: Quantity.parse('100Mi'),
    [EPHEMERAL_STORAGE]: ceilQuantity((storage.toNumber() / 100) * 10),
  }
  if (!kubelet) return overhead
  const signals: Record<string, string>[] = []
  if (kubelet.evictionHard) signals.push(kubelet.evictionHard)
  if (kubelet.evictionSoft && amiFamilyTraits(amiFamily).evictionSoftEnabled) signals.push(kubelet.evictionSoft)
  let override: ResourceList = {}
  for (const m of signals) {
    const temp: ResourceList = {}
    if (m['memory.available'] !== undefined) temp[MEMORY] = evictionSignal(memory, m['memory.available'])
    if (m['nodefs.available'] !== undefined) temp[EPHEMERAL_STORAGE] = evictionSignal(storage, m['nodefs.available'])
    override = maxResources(override, temp)
  }
  return { ...overhead, ...override }
}

// ---- requirements ----

const INSTANCE_TYPE_SCHEME = /(^[a-z]+)(-[0-9]+tb)?([0-9]+).*\./

function lowerKebab(s: string): string {
  return s.replace(/ /g, '-').toLowerCase()
}

/**
 * Network bandwidth (Mbps) for the `instance-network-bandwidth` label. v0.32.1 reads a table
 * generated from the EC2 documentation; the twin derives the same figure from the default
 * network card's baseline bandwidth in DescribeInstanceTypes (identical for the types the table
 * covers, see README "Deviations").
 */
function networkBandwidthMbps(info: InstanceTypeInfo): number | undefined {
  const net = info.NetworkInfo
  const card = net?.NetworkCards?.[net.DefaultNetworkCardIndex ?? 0] ?? net?.NetworkCards?.[0]
  const gbps = card?.BaselineBandwidthInGbps
  return gbps === undefined ? undefined : Math.round(gbps * 1000)
}

/** types.go `computeRequirements`: one requirement per well-known label. */
function computeRequirements(
  info: InstanceTypeInfo,
  offerings: readonly Offering[],
  region: string,
  amiFamily: string | undefined,
  v1Rules = false,
): Requirements {
  const name = info.InstanceType ?? ''
  const traits = amiFamilyTraits(amiFamily)
  const arch = architectureOf(info)
  const available = offerings.filter((o) => o.available)
  const os = traits.windowsBuild ? (arch === ARCH_AMD64 ? ['windows'] : []) : ['linux']
  const r = new Requirements()
  const set = (key: string, values: (string | undefined)[]): void => {
    r.set(new Requirement(key, false, new Set(values.filter((v): v is string => v !== undefined))))
  }
  set(LABEL_INSTANCE_TYPE, [name])
  set(LABEL_ARCH, [arch])
  set(LABEL_OS, os)
  set(
    LABEL_ZONE,
    available.map((o) => o.zone),
  )
  set(LABEL_REGION, [region])
  set(LABEL_WINDOWS_BUILD, [traits.windowsBuild])
  set(
    LABEL_CAPACITY_TYPE,
    available.map((o) => o.capacityType),
  )
  set(LABEL_INSTANCE_CPU, [String(info.VCpuInfo?.DefaultVCpus ?? 0)])
  set(LABEL_INSTANCE_MEMORY, [String(info.MemoryInfo?.SizeInMiB ?? 0)])
  const bw = networkBandwidthMbps(info)
  set(LABEL_INSTANCE_NETWORK_BANDWIDTH, [bw === undefined ? undefined : String(bw)])
  const scheme = INSTANCE_TYPE_SCHEME.exec(name)
  set(LABEL_INSTANCE_CATEGORY, [scheme?.[1]])
  set(LABEL_INSTANCE_GENERATION, [scheme?.[3]])
  const parts = name.split('.')
  set(LABEL_INSTANCE_FAMILY, [parts.length === 2 ? parts[0] : undefined])
  set(LABEL_INSTANCE_SIZE, [parts.length === 2 ? parts[1] : undefined])
  const storage = info.InstanceStorageInfo
  set(LABEL_INSTANCE_LOCAL_NVME, [storage && storage.NvmeSupport !== 'unsupported' ? String(storage.TotalSizeInGB ?? 0) : undefined])
  const gpus = info.GpuInfo?.Gpus ?? []
  const gpu = gpus.length === 1 ? gpus[0] : undefined
  set(LABEL_INSTANCE_GPU_NAME, [gpu ? lowerKebab(gpu.Name ?? '') : undefined])
  set(LABEL_INSTANCE_GPU_MANUFACTURER, [gpu ? lowerKebab(gpu.Manufacturer ?? '') : undefined])
  set(LABEL_INSTANCE_GPU_COUNT, [gpu ? String(gpu.Count ?? 0) : undefined])
  set(LABEL_INSTANCE_GPU_MEMORY, [gpu ? String(gpu.MemoryInfo?.SizeInMiB ?? 0) : undefined])
  const accs = info.InferenceAcceleratorInfo?.Accelerators ?? []
  if (v1Rules) {
    // 1.x: inference accelerators only without NeuronInfo; a single Neuron device names the accelerator.
    const acc = accs.length === 1 && !info.NeuronInfo ? accs[0] : undefined
    const devices = info.NeuronInfo?.NeuronDevices ?? []
    const neuron = devices.length === 1 ? devices[0] : undefined
    set(LABEL_INSTANCE_ACCELERATOR_NAME, [acc ? lowerKebab(acc.Name ?? '') : undefined, neuron ? lowerKebab(neuron.Name ?? '') : undefined])
    set(LABEL_INSTANCE_ACCELERATOR_MANUFACTURER, [acc ? lowerKebab(acc.Manufacturer ?? '') : undefined, neuron ? 'aws' : undefined])
    set(LABEL_INSTANCE_ACCELERATOR_COUNT, [acc ? String(acc.Count ?? 0) : undefined, neuron ? String(neuron.Count ?? 0) : undefined])
  } else {
    const acc = accs.length === 1 ? accs[0] : undefined
    const trn1 = name.startsWith('trn1')
    set(LABEL_INSTANCE_ACCELERATOR_NAME, [acc ? lowerKebab(acc.Name ?? '') : undefined, trn1 ? 'inferentia' : undefined])
    set(LABEL_INSTANCE_ACCELERATOR_MANUFACTURER, [acc ? lowerKebab(acc.Manufacturer ?? '') : undefined, trn1 ? 'aws' : undefined])
    set(LABEL_INSTANCE_ACCELERATOR_COUNT, [acc ? String(acc.Count ?? 0) : undefined, trn1 ? String(neuronCount(info)) : undefined])
  }
  set(LABEL_INSTANCE_HYPERVISOR, [info.Hypervisor ?? ''])
  set(LABEL_INSTANCE_ENCRYPTION_IN_TRANSIT, [String(info.NetworkInfo?.EncryptionInTransitSupported ?? false)])
  return r
}

// ---- offerings ----

export interface PriceBook {
  /** On-Demand USD/h per instance type (fixtures/prices/ec2-on-demand-prices.json for the region). */
  onDemand: Readonly<Record<string, number>>
  /**
   * Latest Spot price per type and zone from DescribeSpotPriceHistory. Undefined until the first
   * successful update: Karpenter then uses the On-Demand price as every zone's Spot price.
   */
  spot?: Readonly<Record<string, Readonly<Record<string, number>>>>
}

export interface OfferingInputs {
  /** Every availability zone of the region (DescribeAvailabilityZones, zone type availability-zone). */
  zones: readonly string[]
  /** Zones in which EC2 offers the type (DescribeInstanceTypeOfferings). */
  typeZones: ReadonlySet<string>
  /** Zones of the EC2NodeClass's subnets. */
  subnetZones: ReadonlySet<string>
  prices: PriceBook
  unavailable?: UnavailableOfferings
  nowMs?: number
}

function spotPrice(prices: PriceBook, type: string, zone: string): number | undefined {
  if (!prices.spot) return prices.onDemand[type]
  return prices.spot[type]?.[zone]
}

/** instancetype.go `createOfferings`: one offering per zone × usage class. */
export function createOfferings(info: InstanceTypeInfo, inputs: OfferingInputs): Offering[] {
  const name = info.InstanceType ?? ''
  const classes = [...new Set(info.SupportedUsageClasses ?? [])].sort()
  const out: Offering[] = []
  for (const zone of [...inputs.zones].sort()) {
    for (const ct of classes) {
      let price: number | undefined
      if (ct === 'spot') price = spotPrice(inputs.prices, name, zone)
      else if (ct === 'on-demand') price = inputs.prices.onDemand[name]
      else continue // capacity-block: not supported by v0.32.1
      const unavailable = isUnavailable(inputs.unavailable, name, zone, ct, inputs.nowMs ?? 0)
      out.push({
        zone,
        capacityType: ct,
        price: price ?? 0,
        available: !unavailable && price !== undefined && inputs.typeZones.has(zone) && inputs.subnetZones.has(zone),
      })
    }
  }
  return out
}

// ---- putting it together ----

export interface InstanceTypeOptions {
  region: string
  zones: readonly string[]
  subnetZones: readonly string[]
  prices: PriceBook
  /** EC2NodeClass fields that shape instance types. */
  nodeClass?: { amiFamily?: string; blockDeviceMappings?: readonly BlockDeviceMapping[]; instanceStorePolicy?: string }
  /** The NodePool's (or NodeClaim's) `spec.template.spec.kubelet`. */
  kubelet?: KubeletConfiguration
  settings?: InstanceTypeSettings
  branchInterfaces?: Readonly<Record<string, number>>
  unavailable?: UnavailableOfferings
  nowMs?: number
}

/** Groups DescribeInstanceTypeOfferings (location type availability-zone) by instance type. */
export function zonesByInstanceType(offerings: readonly InstanceTypeOffering[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>()
  for (const o of offerings) {
    if (!o.InstanceType || !o.Location) continue
    let s = out.get(o.InstanceType)
    if (!s) out.set(o.InstanceType, (s = new Set()))
    s.add(o.Location)
  }
  return out
}

/** `NewInstanceType`: one instance type as Karpenter sees it. */
export function newInstanceType(info: InstanceTypeInfo, typeZones: ReadonlySet<string>, opts: InstanceTypeOptions): InstanceType {
  const settings = opts.settings ?? DEFAULT_INSTANCE_TYPE_SETTINGS
  const amiFamily = opts.nodeClass?.amiFamily
  const offerings = createOfferings(info, {
    zones: opts.zones,
    typeZones,
    subnetZones: new Set(opts.subnetZones),
    prices: opts.prices,
    unavailable: opts.unavailable,
    nowMs: opts.nowMs,
  })
  const requirements = computeRequirements(info, offerings, opts.region, amiFamily, settings.v1Rules)
  const capacity = computeCapacity(info, {
    amiFamily,
    blockDeviceMappings: opts.nodeClass?.blockDeviceMappings,
    instanceStorePolicy: opts.nodeClass?.instanceStorePolicy,
    kubelet: opts.kubelet,
    settings,
    branchInterfaces: opts.branchInterfaces,
  })
  const pods = maxPods(info, amiFamily, opts.kubelet, settings)
  const overhead: InstanceTypeOverhead = {
    kubeReserved: kubeReserved(
      info.VCpuInfo?.DefaultVCpus ?? 0,
      pods,
      eniLimitedPods(info, settings.v1Rules ? { ...settings, reservedENIs: 0 } : settings),
      amiFamily,
      opts.kubelet,
    ),
    systemReserved: parseResourceList(opts.kubelet?.systemReserved),
    evictionThreshold: evictionThreshold(
      memoryCapacity(info, settings),
      ephemeralStorage(amiFamily, opts.nodeClass?.blockDeviceMappings, opts.nodeClass?.instanceStorePolicy, info),
      amiFamily,
      opts.kubelet,
    ),
  }
  // Windows nodes advertise secondary IPv4 addresses as a resource.
  if (requirements.get(LABEL_OS).has('windows')) capacity[RESOURCE_PRIVATE_IPV4] = Quantity.of((info.NetworkInfo?.Ipv4AddressesPerInterface ?? 0) - 1)
  const allocatable = subtract(capacity, merge(overhead.kubeReserved, overhead.systemReserved, overhead.evictionThreshold))
  return { name: info.InstanceType ?? '', requirements, offerings, capacity, overhead, allocatable }
}

/** instancetype.go `List`: every described type, in the order given. */
export function buildInstanceTypes(
  infos: readonly InstanceTypeInfo[],
  typeZones: ReadonlyMap<string, ReadonlySet<string>>,
  opts: InstanceTypeOptions,
): InstanceType[] {
  const none = new Set<string>()
  return infos.map((info) => newInstanceType(info, typeZones.get(info.InstanceType ?? '') ?? none, opts))
}

// ---- helpers over instance types ----

/** Instance types per NodePool name, as a Map or a plain object. */
export type InstanceTypesByNodePool = ReadonlyMap<string, readonly InstanceType[]> | Readonly<Record<string, readonly InstanceType[]>>

export function instanceTypesFor(by: InstanceTypesByNodePool, nodePool: string): readonly InstanceType[] {
  if (by instanceof Map) return (by as ReadonlyMap<string, readonly InstanceType[]>).get(nodePool) ?? []
  return (by as Readonly<Record<string, readonly InstanceType[]>>)[nodePool] ?? []
}

function availableOfferings(it: InstanceType): Offering[] {
  return it.offerings.filter((o) => o.available)
}

/** `Offerings.Requirements(reqs)`: offerings whose zone and capacity type the requirements allow. */
export function offeringsMatching(offerings: readonly Offering[], reqs: Requirements): Offering[] {
  const zone = reqs.has(LABEL_ZONE) ? reqs.get(LABEL_ZONE) : undefined
  const ct = reqs.has(LABEL_CAPACITY_TYPE) ? reqs.get(LABEL_CAPACITY_TYPE) : undefined
  return offerings.filter((o) => (!zone || zone.has(o.zone)) && (!ct || ct.has(o.capacityType)))
}

function cheapestOffering(offerings: readonly Offering[]): Offering | undefined {
  let best: Offering | undefined
  for (const o of offerings) if (!best || o.price < best.price) best = o
  return best
}

/** `InstanceTypes.OrderByPrice`: cheapest available offering matching the requirements, ties by name. */
export function orderByPrice(types: readonly InstanceType[], reqs: Requirements): InstanceType[] {
  const price = new Map<InstanceType, number>()
  for (const it of types) {
    const cheapest = cheapestOffering(offeringsMatching(availableOfferings(it), reqs))
    price.set(it, cheapest ? cheapest.price : Number.MAX_VALUE)
  }
  return [...types].sort((a, b) => {
    const pa = price.get(a)!
    const pb = price.get(b)!
    if (pa === pb) return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
    return pa - pb
  })
}

/** Karpenter's "exotic" types, dropped at launch when generic ones remain: metal, GPUs, accelerators. */
export function isExotic(it: InstanceType): boolean {
  // `strings.Contains(size, "metal")`: the large metal sizes are named `metal-24xl`, `metal-48xl`, …
  if (
    it.requirements
      .get(LABEL_INSTANCE_SIZE)
      .valueList()
      .some((size) => size.includes('metal'))
  )
    return true
  for (const r of [RESOURCE_AWS_NEURON, RESOURCE_AMD_GPU, RESOURCE_NVIDIA_GPU, RESOURCE_HABANA_GAUDI]) {
    const q = it.capacity[r]
    if (q && !q.isZero()) return true
  }
  return false
}

/** The instance type's single-valued requirements as labels (what a launched node carries). */
export function singleValueLabels(it: InstanceType): Record<string, string> {
  const out: Record<string, string> = {}
  for (const req of it.requirements.values()) if (req.len() === 1) out[req.key] = req.valueList()[0]
  return out
}

/** Reads fixtures/prices/ec2-on-demand-prices.json's table for a region (us-east-1 as fallback). */
export function onDemandPricesFor(file: { regions: Record<string, { prices: Record<string, number> }> }, region: string): Record<string, number> {
  return (file.regions[region] ?? file.regions['us-east-1'])?.prices ?? {}
}

/** Latest price per (type, zone) from DescribeSpotPriceHistory entries (newest timestamp wins). */
export function spotPricesFromHistory(
  history: readonly { InstanceType?: string; AvailabilityZone?: string; SpotPrice?: string; Timestamp?: Date | string }[],
): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {}
  const stamp: Record<string, number> = {}
  for (const h of history) {
    if (!h.InstanceType || !h.AvailabilityZone || h.SpotPrice === undefined || h.Timestamp === undefined) continue
    const price = Number.parseFloat(h.SpotPrice)
    if (!Number.isFinite(price)) continue
    const t = new Date(h.Timestamp).getTime()
    const k = `${h.InstanceType}/${h.AvailabilityZone}`
    if (stamp[k] !== undefined && stamp[k] > t) continue
    stamp[k] = t
    ;(out[h.InstanceType] ??= {})[h.AvailabilityZone] = price
  }
  return out
}
