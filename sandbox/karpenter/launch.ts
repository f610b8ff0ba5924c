// The AWS CloudProvider.Create decision for one NodeClaim, as pure functions.
// Sources: aws@v0.32.1:pkg/cloudprovider/cloudprovider.go (Create, resolveInstanceTypes,
// instanceToNodeClaim), pkg/providers/instance/instance.go (filtering, capacity type, overrides,
// CreateFleet input, fleet errors), pkg/providers/subnet/subnet.go (ZonalSubnetsForLaunch),
// pkg/providers/amifamily/{resolver.go,al2.go,bootstrap/*} (launch template grouping, user data),
// core@v0.32.1:pkg/controllers/nodeclaim/lifecycle/launch.go (PopulateNodeClaimDetails).
//
// `planLaunch` turns a NodeClaim into the CreateFleet request (an AWS SDK v3
// CreateFleetCommandInput the controller sends unchanged) plus the launch templates it needs;
// `interpretFleetResult` turns the answer into the launched NodeClaim, or into the offerings to
// mark unavailable and the insufficient-capacity error.

import type {
  CreateFleetCommandInput,
  CreateFleetCommandOutput,
  FleetLaunchTemplateConfigRequest,
  FleetLaunchTemplateOverridesRequest,
  LaunchTemplateBlockDeviceMappingRequest,
  LaunchTemplateInstanceMetadataOptionsRequest,
  Subnet,
  _InstanceType,
} from '@aws-sdk/client-ec2'
import { Quantity } from '../k8s/quantity.ts'
import { fits, parseResourceList, toStringMap, withoutZeros } from '../k8s/resources.ts'
import type { Taint } from '../k8s/types.ts'
import type { EC2NodeClass, KubeletConfiguration, NodeClaim } from './api.ts'
import { isExotic, offeringsMatching, orderByPrice, singleValueLabels, type InstanceType } from './instance-types.ts'
import {
  ANNOTATION_MANAGED_BY,
  ANNOTATION_NODECLASS_HASH,
  ARCH_AMD64,
  ARCH_ARM64,
  CAPACITY_TYPE_ON_DEMAND,
  CAPACITY_TYPE_SPOT,
  LABEL_ARCH,
  LABEL_CAPACITY_TYPE,
  LABEL_DOMAIN_EXCEPTIONS,
  LABEL_INSTANCE_ACCELERATOR_COUNT,
  LABEL_INSTANCE_GPU_COUNT,
  LABEL_INSTANCE_TYPE,
  LABEL_NODEPOOL,
  LABEL_ZONE,
  TAG_NODECLASS,
} from './labels.ts'
import * as log from './logger.ts'
import { providerID } from './nodeclaim-names.ts'
import { stableHash } from './hash.ts'
import { ALLOW_UNDEFINED_WELL_KNOWN, Requirements } from './requirements.ts'
import type { Rng } from './rng.ts'
import { markUnavailable, type UnavailableOfferings } from './unavailable-offerings.ts'

/** instance.go `MaxInstanceTypes`: overrides sent to CreateFleet. */
const MAX_FLEET_INSTANCE_TYPES = 60
/** instance.go `instanceTypeFlexibilityThreshold`. */
const INSTANCE_TYPE_FLEXIBILITY_THRESHOLD = 5

/** errors.go `unfulfillableCapacityErrorCodes`: fleet errors that mark the offering unavailable. */
const UNFULFILLABLE_CAPACITY_ERROR_CODES: ReadonlySet<string> = new Set([
  'InsufficientInstanceCapacity',
  'MaxSpotInstanceCountExceeded',
  'VcpuLimitExceeded',
  'UnfulfillableCapacity',
  'Unsupported',
  'InsufficientFreeAddressesInSubnet',
])

/** The NodeClaim's requirements as Karpenter reads them back from `spec.requirements`. */
export function nodeClaimRequirements(nodeClaim: NodeClaim): Requirements {
  return Requirements.fromNodeSelector(nodeClaim.spec.requirements)
}

/**
 * cloudprovider.go `resolveInstanceTypes`: the types compatible with the NodeClaim's
 * requirements, with an available offering matching them, and whose allocatable fits the requests.
 */
export function resolveInstanceTypes(nodeClaim: NodeClaim, instanceTypes: readonly InstanceType[]): InstanceType[] {
  const reqs = nodeClaimRequirements(nodeClaim)
  const requests = parseResourceList(nodeClaim.spec.resources?.requests)
  return instanceTypes.filter(
    (it) =>
      reqs.isCompatible(it.requirements, ALLOW_UNDEFINED_WELL_KNOWN) &&
      offeringsMatching(it.offerings, reqs).some((o) => o.available) &&
      fits(requests, it.allocatable),
  )
}

/** instance.go `filterExoticInstanceTypes`: drop metal/GPU/accelerator types when others remain. */
export function filterExoticInstanceTypes(types: readonly InstanceType[]): InstanceType[] {
  const generic = types.filter((it) => !isExotic(it))
  return generic.length > 0 ? generic : [...types]
}

/** instance.go `isMixedCapacityLaunch`: both capacity types allowed and both kinds of offerings exist. */
function isMixedCapacityLaunch(reqs: Requirements, types: readonly InstanceType[]): boolean {
  const ct = reqs.get(LABEL_CAPACITY_TYPE)
  if (!ct.has(CAPACITY_TYPE_SPOT) || !ct.has(CAPACITY_TYPE_ON_DEMAND)) return false
  const zones = reqs.get(LABEL_ZONE)
  let spot = false
  let od = false
  for (const it of types) {
    for (const o of it.offerings) {
      if (!o.available || !zones.has(o.zone)) continue
      if (o.capacityType === CAPACITY_TYPE_SPOT) spot = true
      else od = true
    }
  }
  return spot && od
}

/** instance.go `filterUnwantedSpot`: drop types whose cheapest offering costs more than the cheapest On-Demand one. */
export function filterUnwantedSpot(types: readonly InstanceType[]): InstanceType[] {
  let cheapestOD = Number.MAX_VALUE
  for (const it of types)
    for (const o of it.offerings) if (o.available && o.capacityType === CAPACITY_TYPE_ON_DEMAND && o.price < cheapestOD) cheapestOD = o.price
  return types.filter((it) => {
    const available = it.offerings.filter((o) => o.available)
    if (available.length === 0) return false
    return Math.min(...available.map((o) => o.price)) <= cheapestOD
  })
}

/** instance.go `getCapacityType`: Spot whenever allowed and any candidate has a Spot offering in an allowed zone. */
export function chooseCapacityType(reqs: Requirements, types: readonly InstanceType[]): string {
  if (reqs.get(LABEL_CAPACITY_TYPE).has(CAPACITY_TYPE_SPOT)) {
    const zones = reqs.get(LABEL_ZONE)
    for (const it of types)
      for (const o of it.offerings) if (o.available && o.capacityType === CAPACITY_TYPE_SPOT && zones.has(o.zone)) return CAPACITY_TYPE_SPOT
  }
  return CAPACITY_TYPE_ON_DEMAND
}

// ---- subnets ----

/** Available IPs per subnet after launches still in flight (subnet.go `inflightIPs`); owned by the controller. */
export type InflightIPs = Map<string, number>

function minPods(types: readonly InstanceType[], zone: string, capacityType: string): number {
  let min: number | undefined
  for (const it of types) {
    const o = it.offerings.find((x) => x.capacityType === capacityType && x.zone === zone)
    if (!o?.available) continue
    const pods = it.capacity.pods?.valueNumber() ?? 0
    if (min === undefined || pods < min) min = pods
  }
  return min ?? 0
}

/**
 * subnet.go `ZonalSubnetsForLaunch`: per zone, the subnet with the most available IPs (counting
 * launches in flight), and the IPs the launch is predicted to use deducted from it.
 */
export function zonalSubnetsForLaunch(
  subnets: readonly Subnet[],
  types: readonly InstanceType[],
  capacityType: string,
  inflight: InflightIPs,
): Map<string, Subnet> {
  const ips = (s: Subnet): number => inflight.get(s.SubnetId ?? '') ?? s.AvailableIpAddressCount ?? 0
  const sorted = [...subnets].sort((a, b) => ips(a) - ips(b))
  const zonal = new Map<string, Subnet>()
  for (const s of sorted) if (s.AvailabilityZone) zonal.set(s.AvailabilityZone, s)
  for (const s of zonal.values()) {
    const prev = inflight.get(s.SubnetId ?? '') ?? s.AvailableIpAddressCount ?? 0
    inflight.set(s.SubnetId ?? '', prev - minPods(types, s.AvailabilityZone ?? '', capacityType))
  }
  return zonal
}

/** subnet.go `UpdateInflightIPs`: give back the IPs of subnets Fleet did not launch into. */
export function releaseInflightIPs(
  input: CreateFleetCommandInput,
  output: Pick<CreateFleetCommandOutput, 'Instances'> | undefined,
  types: readonly InstanceType[],
  subnets: readonly Subnet[],
  capacityType: string,
  inflight: InflightIPs,
): void {
  const requested = new Set<string>()
  for (const c of input.LaunchTemplateConfigs ?? []) for (const o of c.Overrides ?? []) if (o.SubnetId) requested.add(o.SubnetId)
  const used = new Set<string>()
  for (const i of output?.Instances ?? []) {
    const id = i.LaunchTemplateAndOverrides?.Overrides?.SubnetId
    if (id) used.add(id)
  }
  for (const id of requested) {
    if (used.has(id)) continue
    const s = subnets.find((x) => x.SubnetId === id)
    const current = inflight.get(id)
    if (!s || current === undefined) continue
    inflight.set(id, current + minPods(types, s.AvailabilityZone ?? '', capacityType))
  }
}

// ---- AMIs and launch templates ----

/** The AL2 AMI variants Karpenter resolves from SSM (al2.go DefaultAMIs). */
type AmiVariant = 'amd64' | 'amd64-gpu' | 'amd64-accelerator' | 'arm64'

export interface AmiIds {
  /** /aws/service/eks/optimized-ami/<version>/amazon-linux-2/recommended/image_id */
  amd64: string
  /** /aws/service/eks/optimized-ami/<version>/amazon-linux-2-arm64/recommended/image_id */
  arm64: string
  /** /aws/service/eks/optimized-ami/<version>/amazon-linux-2-gpu/recommended/image_id (GPU and accelerator types) */
  gpu?: string
}

/** Which AL2 AMI an instance type maps to (`AMIs.MapToInstanceTypes`), or undefined. */
function amiVariantOf(it: InstanceType): AmiVariant | undefined {
  const arch = it.requirements.get(LABEL_ARCH)
  const gpu = it.requirements.get(LABEL_INSTANCE_GPU_COUNT).operator() === 'In'
  const acc = it.requirements.get(LABEL_INSTANCE_ACCELERATOR_COUNT).operator() === 'In'
  if (arch.has(ARCH_ARM64)) return gpu || acc ? undefined : 'arm64'
  if (!arch.has(ARCH_AMD64)) return undefined
  if (gpu) return 'amd64-gpu'
  if (acc) return 'amd64-accelerator'
  return 'amd64'
}

function imageFor(variant: AmiVariant, amis: AmiIds): string | undefined {
  if (variant === 'amd64') return amis.amd64
  if (variant === 'arm64') return amis.arm64
  return amis.gpu
}

interface ClusterInfo {
  name: string
  endpoint: string
  /** Base64 CA bundle. */
  caBundle?: string
  /** kube-dns ClusterIP (set as the kubelet's cluster DNS). */
  kubeDnsIP?: string
}

export interface LaunchTemplatePlan {
  /** `karpenter.k8s.aws/<hash>`: the controller creates it when it does not exist (DEBUG `created launch template`). */
  name: string
  imageId: string
  /** The EC2NodeClass's metadataOptions (launchtemplate.go `MetadataOptions`). */
  metadataOptions: LaunchTemplateInstanceMetadataOptionsRequest
  /** The EC2NodeClass's blockDeviceMappings (launchtemplate.go `blockDeviceMappings`), or the AL2 root volume. */
  blockDeviceMappings: LaunchTemplateBlockDeviceMappingRequest[]
  variant: AmiVariant
  maxPods: number
  instanceTypes: string[]
  /** The AL2 bootstrap user data (plain text; base64 it for CreateLaunchTemplate). */
  userData: string
  /** The labels the kubelet registers with (`--node-labels`). */
  nodeLabels: Record<string, string>
  /** The taints the kubelet registers with (`--register-with-taints`). */
  registerTaints: Taint[]
  kubelet: KubeletConfiguration
}

function joinArgs(name: string, m: Record<string, string> | undefined, sep: string): string {
  const keys = Object.keys(m ?? {}).sort()
  if (keys.length === 0) return ''
  return `${name}=${JSON.stringify(keys.map((k) => `${k}${sep}${m![k]}`).join(','))}`
}

/** The AL2 user data (bootstrap/eksbootstrap.go), with map arguments in sorted order. */
function al2UserData(cluster: ClusterInfo, kubelet: KubeletConfiguration, labels: Record<string, string>, taints: readonly Taint[]): string {
  const args: string[] = []
  const labelKeys = Object.keys(labels)
    .sort()
    .filter((k) => !LABEL_DOMAIN_EXCEPTIONS.has(k))
  if (labelKeys.length > 0) args.push(`--node-labels=${JSON.stringify(labelKeys.map((k) => `${k}=${labels[k]}`).join(','))}`)
  if (taints.length > 0) args.push(`--register-with-taints=${JSON.stringify(taints.map((t) => `${t.key}=${t.value ?? ''}:${t.effect}`).join(','))}`)
  if (kubelet.maxPods !== undefined) args.push(`--max-pods=${kubelet.maxPods}`)
  if (kubelet.podsPerCore !== undefined) args.push(`--pods-per-core=${kubelet.podsPerCore}`)
  const reserved = (m: KubeletConfiguration['systemReserved']): Record<string, string> | undefined => (m ? toStringMap(parseResourceList(m)) : undefined)
  args.push(joinArgs('--system-reserved', reserved(kubelet.systemReserved), '='))
  args.push(joinArgs('--kube-reserved', reserved(kubelet.kubeReserved), '='))
  args.push(joinArgs('--eviction-hard', kubelet.evictionHard, '<'))
  args.push(joinArgs('--eviction-soft', kubelet.evictionSoft, '<'))
  args.push(joinArgs('--eviction-soft-grace-period', kubelet.evictionSoftGracePeriod, '='))
  if (kubelet.evictionMaxPodGracePeriod !== undefined) args.push(`--eviction-max-pod-grace-period=${kubelet.evictionMaxPodGracePeriod}`)
  if (kubelet.imageGCHighThresholdPercent !== undefined) args.push(`--image-gc-high-threshold=${kubelet.imageGCHighThresholdPercent}`)
  if (kubelet.imageGCLowThresholdPercent !== undefined) args.push(`--image-gc-low-threshold=${kubelet.imageGCLowThresholdPercent}`)
  if (kubelet.cpuCFSQuota !== undefined) args.push(`--cpu-cfs-quota=${kubelet.cpuCFSQuota}`)
  const extra = args.filter((a) => a !== '')
  let script = '#!/bin/bash -xe\n'
  script += 'exec > >(tee /var/log/user-data.log|logger -t user-data -s 2>/dev/console) 2>&1\n'
  script += `/etc/eks/bootstrap.sh '${cluster.name}' --apiserver-endpoint '${cluster.endpoint}' ${cluster.caBundle ? `--b64-cluster-ca '${cluster.caBundle}'` : ''}`
  script += ` \\\n--container-runtime ${kubelet.containerRuntime ?? 'containerd'}`
  const dns = kubelet.clusterDNS?.[0]
  if (dns) script += ` \\\n--dns-cluster-ip '${dns}'`
  if (kubelet.maxPods !== undefined) script += ' \\\n--use-max-pods false'
  if (extra.length > 0) script += ` \\\n--kubelet-extra-args '${extra.join(' ')}'`
  const boundary = '//'
  return `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="${boundary}"\n\n--${boundary}\nContent-Type: text/x-shellscript; charset="us-ascii"\n\n${script}\n--${boundary}--\n`
}

// ---- launch template data ----

/** The v1beta1 CRD defaults of `metadataOptions` (the 1.x CRD defaults the hop limit to 1 itself). */
const DEFAULT_METADATA_OPTIONS = { httpEndpoint: 'enabled', httpProtocolIPv6: 'disabled', httpPutResponseHopLimit: 2, httpTokens: 'required' }

/** launchtemplate.go: the launch template's MetadataOptions from the EC2NodeClass. */
function launchTemplateMetadataOptions(nodeClass: EC2NodeClass): LaunchTemplateInstanceMetadataOptionsRequest {
  const m = { ...DEFAULT_METADATA_OPTIONS, ...(nodeClass.spec.metadataOptions as Partial<typeof DEFAULT_METADATA_OPTIONS> | undefined) }
  return {
    HttpEndpoint: m.httpEndpoint as LaunchTemplateInstanceMetadataOptionsRequest['HttpEndpoint'],
    HttpProtocolIpv6: m.httpProtocolIPv6 as LaunchTemplateInstanceMetadataOptionsRequest['HttpProtocolIpv6'],
    HttpPutResponseHopLimit: m.httpPutResponseHopLimit,
    HttpTokens: m.httpTokens as LaunchTemplateInstanceMetadataOptionsRequest['HttpTokens'],
  }
}

/**
 * launchtemplate.go `blockDeviceMappings`: the EC2NodeClass's devices (volume sizes rounded up to
 * whole GiB); without any, the AL2 root volume the twin has always sent.
 */
function launchTemplateBlockDeviceMappings(nodeClass: EC2NodeClass): LaunchTemplateBlockDeviceMappingRequest[] {
  const bdms = nodeClass.spec.blockDeviceMappings ?? []
  if (bdms.length === 0) return [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, VolumeType: 'gp3', Encrypted: true, DeleteOnTermination: true } }]
  return bdms.map((b) => ({
    DeviceName: b.deviceName,
    Ebs: {
      DeleteOnTermination: b.ebs?.deleteOnTermination,
      Encrypted: b.ebs?.encrypted,
      VolumeType: b.ebs?.volumeType as NonNullable<LaunchTemplateBlockDeviceMappingRequest['Ebs']>['VolumeType'],
      Iops: b.ebs?.iops || undefined,
      Throughput: b.ebs?.throughput || undefined,
      KmsKeyId: b.ebs?.kmsKeyID,
      SnapshotId: b.ebs?.snapshotID,
      VolumeInitializationRate: b.ebs?.volumeInitializationRate,
      VolumeSize: b.ebs?.volumeSize === undefined ? undefined : Math.ceil(Quantity.parse(b.ebs.volumeSize).toNumber() / 2 ** 30),
    },
  }))
}

// ---- the plan ----

export interface LaunchInput {
  nodeClaim: NodeClaim
  /** The instance types for the NodeClaim's NodePool, built with the NodeClaim's kubelet settings. */
  instanceTypes: readonly InstanceType[]
  nodeClass: EC2NodeClass
  /** Subnets matching the EC2NodeClass selector (DescribeSubnets). */
  subnets: readonly Subnet[]
  /** Mutable in-flight IP tracking shared across launches (the controller keeps one). */
  inflightIPs?: InflightIPs
  amis: AmiIds
  cluster: ClusterInfo
  /** Helm `settings.aws.tags` (applied before the EC2NodeClass tags). */
  settingsTags?: Record<string, string>
  /** The instance tags when the caller computes them (the 1.x twin: utils.GetTags); default `launchTags`. */
  tags?: Record<string, string>
  /**
   * How the AMI family bootstraps the node, when not AL2's bootstrap.sh (the 1.x twin: AL2023's
   * nodeadm NodeConfig): the kubelet's labels and registration taints, and the user data.
   */
  bootstrap?: {
    nodeLabels(capacityType: string): Record<string, string>
    registerTaints: Taint[]
    userData(kubelet: KubeletConfiguration, labels: Record<string, string>, taints: readonly Taint[]): string
  }
}

interface LaunchPlan {
  capacityType: string
  /** The candidates after filtering, ordered by price and cut to 60. */
  instanceTypes: InstanceType[]
  launchTemplates: LaunchTemplatePlan[]
  /** Pass to `new CreateFleetCommand(input)` unchanged. */
  createFleetInput: CreateFleetCommandInput
  tags: Record<string, string>
  /** WARN lines (On-Demand fallback with fewer than 5 types). */
  warnings: log.LogEntry[]
}

export type LaunchDecision = { ok: true; plan: LaunchPlan } | { ok: false; insufficientCapacity: boolean; error: string }

/** instance.go `getTags`: nodeclass and settings tags, with Karpenter's static tags winning. */
function launchTags(nodeClaim: NodeClaim, nodeClass: EC2NodeClass, clusterName: string, settingsTags: Record<string, string> = {}): Record<string, string> {
  return {
    ...settingsTags,
    ...(nodeClass.spec.tags ?? {}),
    [`kubernetes.io/cluster/${clusterName}`]: 'owned',
    [LABEL_NODEPOOL]: nodeClaim.metadata.labels?.[LABEL_NODEPOOL] ?? '',
    [ANNOTATION_MANAGED_BY]: clusterName,
    [TAG_NODECLASS]: nodeClass.metadata.name ?? '',
  }
}

function tagList(tags: Record<string, string>): { Key: string; Value: string }[] {
  return Object.keys(tags)
    .sort()
    .map((k) => ({ Key: k, Value: tags[k] }))
}

/** `CloudProvider.Create` up to the CreateFleet call. */
export function planLaunch(input: LaunchInput): LaunchDecision {
  const { nodeClaim, nodeClass } = input
  const resolved = resolveInstanceTypes(nodeClaim, input.instanceTypes)
  if (resolved.length === 0)
    return { ok: false, insufficientCapacity: true, error: 'insufficient capacity, all requested instance types were unavailable during launch' }
  const reqs = nodeClaimRequirements(nodeClaim)
  let types = filterExoticInstanceTypes(resolved)
  if (isMixedCapacityLaunch(reqs, types)) types = filterUnwantedSpot(types)
  types = orderByPrice(types, reqs).slice(0, MAX_FLEET_INSTANCE_TYPES)
  const capacityType = chooseCapacityType(reqs, types)
  if (input.subnets.length === 0) return { ok: false, insufficientCapacity: false, error: 'getting subnets, no subnets matched selector' }
  const zonal = zonalSubnetsForLaunch(input.subnets, types, capacityType, input.inflightIPs ?? new Map<string, number>())
  const tags = input.tags ?? launchTags(nodeClaim, nodeClass, input.cluster.name, input.settingsTags)

  // resolver.go: one launch template per (AMI, max-pods).
  const groups = new Map<string, { variant: AmiVariant; maxPods: number; types: InstanceType[] }>()
  for (const it of types) {
    const variant = amiVariantOf(it)
    if (!variant || !imageFor(variant, input.amis)) continue
    const maxPods = it.capacity.pods?.valueNumber() ?? 0
    const key = `${variant}/${maxPods}`
    let g = groups.get(key)
    if (!g) groups.set(key, (g = { variant, maxPods, types: [] }))
    g.types.push(it)
  }
  if (groups.size === 0)
    return {
      ok: false,
      insufficientCapacity: false,
      error: 'getting launch template configs, getting launch templates, no instance types satisfy requirements of amis',
    }
  const nodeLabels = input.bootstrap?.nodeLabels(capacityType) ?? { ...(nodeClaim.metadata.labels ?? {}), [LABEL_CAPACITY_TYPE]: capacityType }
  const registerTaints = input.bootstrap?.registerTaints ?? [...(nodeClaim.spec.taints ?? []), ...(nodeClaim.spec.startupTaints ?? [])]
  const zones = reqs.get(LABEL_ZONE)
  const launchTemplates: LaunchTemplatePlan[] = []
  const configs: FleetLaunchTemplateConfigRequest[] = []
  for (const g of groups.values()) {
    const imageId = imageFor(g.variant, input.amis)!
    const kubelet: KubeletConfiguration = { ...(nodeClaim.spec.kubelet ?? {}) }
    kubelet.maxPods ??= g.maxPods
    if (!kubelet.clusterDNS?.length && input.cluster.kubeDnsIP) kubelet.clusterDNS = [input.cluster.kubeDnsIP]
    const userData = input.bootstrap
      ? input.bootstrap.userData(kubelet, nodeLabels, registerTaints)
      : al2UserData(input.cluster, kubelet, nodeLabels, registerTaints)
    const name = `karpenter.k8s.aws/${stableHash({ cluster: input.cluster.name, nodeClass: nodeClass.metadata.name, spec: nodeClass.spec, imageId, kubelet, userData, tags })}`
    launchTemplates.push({
      name,
      imageId,
      metadataOptions: launchTemplateMetadataOptions(nodeClass),
      blockDeviceMappings: launchTemplateBlockDeviceMappings(nodeClass),
      variant: g.variant,
      maxPods: g.maxPods,
      instanceTypes: g.types.map((t) => t.name),
      userData,
      nodeLabels,
      registerTaints,
      kubelet,
    })
    const overrides: FleetLaunchTemplateOverridesRequest[] = []
    for (const it of g.types) {
      for (const o of it.offerings) {
        if (!o.available || o.capacityType !== capacityType || !zones.has(o.zone)) continue
        const subnet = zonal.get(o.zone)
        if (!subnet) continue
        overrides.push({ InstanceType: it.name as _InstanceType, SubnetId: subnet.SubnetId, ImageId: imageId, AvailabilityZone: subnet.AvailabilityZone })
      }
    }
    if (overrides.length > 0) configs.push({ LaunchTemplateSpecification: { LaunchTemplateName: name, Version: '$Latest' }, Overrides: overrides })
  }
  if (configs.length === 0)
    return {
      ok: false,
      insufficientCapacity: false,
      error: 'getting launch template configs, no capacity offerings are currently available given the constraints',
    }

  const warnings: log.LogEntry[] = []
  if (capacityType === CAPACITY_TYPE_ON_DEMAND && reqs.get(LABEL_CAPACITY_TYPE).has(CAPACITY_TYPE_SPOT) && types.length < INSTANCE_TYPE_FLEXIBILITY_THRESHOLD) {
    warnings.push(log.onDemandFallbackWarning(nodeClaim.metadata.name ?? '', nodeClaim.metadata.labels?.[LABEL_NODEPOOL] ?? '', types.length))
  }
  const tagSpec = (ResourceType: 'instance' | 'volume' | 'fleet') => ({ ResourceType, Tags: tagList(tags) })
  const createFleetInput: CreateFleetCommandInput = {
    Type: 'instant',
    Context: nodeClass.spec.context,
    LaunchTemplateConfigs: configs,
    TargetCapacitySpecification: { DefaultTargetCapacityType: capacityType === CAPACITY_TYPE_SPOT ? 'spot' : 'on-demand', TotalTargetCapacity: 1 },
    TagSpecifications: [tagSpec('instance'), tagSpec('volume'), tagSpec('fleet')],
  }
  if (capacityType === CAPACITY_TYPE_SPOT) createFleetInput.SpotOptions = { AllocationStrategy: 'price-capacity-optimized' }
  else createFleetInput.OnDemandOptions = { AllocationStrategy: 'lowest-price' }
  return { ok: true, plan: { capacityType, instanceTypes: types, launchTemplates, createFleetInput, tags, warnings } }
}

// ---- the answer ----

export interface UnavailableOffering {
  reason: string
  instanceType: string
  zone: string
  capacityType: string
}

export interface LaunchedInstance {
  instanceId: string
  instanceType: string
  zone: string
  subnetId?: string
  imageId?: string
  capacityType: string
}

export type FleetOutcome =
  | { ok: true; instance: LaunchedInstance; unavailable: UnavailableOffering[] }
  | { ok: false; insufficientCapacity: boolean; error: string; unavailable: UnavailableOffering[] }

/**
 * instance.go after CreateFleet: ICE errors → offerings to mark unavailable (3 min); no instance →
 * `with fleet error(s), …` (an InsufficientCapacityError when every error was an ICE).
 */
export function interpretFleetResult(output: Pick<CreateFleetCommandOutput, 'Instances' | 'Errors'>, capacityType: string): FleetOutcome {
  const unavailable: UnavailableOffering[] = []
  for (const e of output.Errors ?? []) {
    if (!e.ErrorCode || !UNFULFILLABLE_CAPACITY_ERROR_CODES.has(e.ErrorCode)) continue
    unavailable.push({
      reason: e.ErrorCode,
      instanceType: e.LaunchTemplateAndOverrides?.Overrides?.InstanceType ?? '',
      zone: e.LaunchTemplateAndOverrides?.Overrides?.AvailabilityZone ?? '',
      capacityType,
    })
  }
  const inst = output.Instances?.[0]
  if (!inst || !inst.InstanceIds?.length) {
    const errors = output.Errors ?? []
    const unique = [...new Set(errors.map((e) => `${e.ErrorCode ?? ''}: ${e.ErrorMessage ?? ''}`))]
    const allIce = errors.every((e) => e.ErrorCode !== undefined && UNFULFILLABLE_CAPACITY_ERROR_CODES.has(e.ErrorCode))
    const msg = `with fleet error(s), ${unique.join('; ')}`
    return { ok: false, insufficientCapacity: allIce, error: allIce ? `insufficient capacity, ${msg}` : msg, unavailable }
  }
  const ov = inst.LaunchTemplateAndOverrides?.Overrides
  return {
    ok: true,
    unavailable,
    instance: {
      instanceId: inst.InstanceIds[0],
      instanceType: inst.InstanceType ?? ov?.InstanceType ?? '',
      zone: ov?.AvailabilityZone ?? inst.AvailabilityZone ?? '',
      subnetId: ov?.SubnetId ?? inst.SubnetId,
      imageId: ov?.ImageId,
      capacityType: inst.Lifecycle === 'spot' ? CAPACITY_TYPE_SPOT : inst.Lifecycle ? CAPACITY_TYPE_ON_DEMAND : capacityType,
    },
  }
}

/** Marks the ICE'd offerings and returns the DEBUG `removing offering from offerings` lines. */
export function markFleetUnavailable(
  cache: UnavailableOfferings,
  nodeClaim: NodeClaim,
  unavailable: readonly UnavailableOffering[],
  nowMs: number,
): log.LogEntry[] {
  return unavailable.map((u) => {
    markUnavailable(cache, u.instanceType, u.zone, u.capacityType, nowMs)
    return log.removingOffering(
      'controller.nodeclaim.lifecycle',
      [
        ['nodeclaim', nodeClaim.metadata.name ?? ''],
        ['nodepool', nodeClaim.metadata.labels?.[LABEL_NODEPOOL] ?? ''],
      ],
      u,
    )
  })
}

/**
 * cloudprovider.go `instanceToNodeClaim` + lifecycle/launch.go `PopulateNodeClaimDetails`: the
 * NodeClaim after launch: labels (instance type single-valued labels, zone and capacity type from
 * the instance, single-valued requirement labels, then the NodeClaim's own), provider ID, image,
 * capacity and allocatable (zero values dropped), the managed-by and nodeclass-hash annotations.
 */
export function launchedNodeClaim(
  nodeClaim: NodeClaim,
  instance: LaunchedInstance,
  instanceType: InstanceType | undefined,
  opts: { clusterName: string; nodeClass: EC2NodeClass; rng: Rng },
): NodeClaim {
  const cloudLabels: Record<string, string> = instanceType ? singleValueLabels(instanceType) : {}
  cloudLabels[LABEL_ZONE] = instance.zone
  cloudLabels[LABEL_CAPACITY_TYPE] = instance.capacityType
  const pool = nodeClaim.metadata.labels?.[LABEL_NODEPOOL]
  if (pool) cloudLabels[LABEL_NODEPOOL] = pool
  const reqLabels = nodeClaimRequirements(nodeClaim).labels(opts.rng)
  const labels = { ...cloudLabels, ...reqLabels, ...(nodeClaim.metadata.labels ?? {}) }
  const annotations = {
    ...(nodeClaim.metadata.annotations ?? {}),
    [ANNOTATION_MANAGED_BY]: opts.clusterName,
    [ANNOTATION_NODECLASS_HASH]: stableHash(opts.nodeClass.spec),
  }
  return {
    ...nodeClaim,
    metadata: { ...nodeClaim.metadata, labels, annotations },
    status: {
      ...(nodeClaim.status ?? {}),
      providerID: providerID(instance.zone, instance.instanceId),
      imageID: instance.imageId,
      capacity: instanceType ? toStringMap(withoutZeros(instanceType.capacity)) : {},
      allocatable: instanceType ? toStringMap(withoutZeros(instanceType.allocatable)) : {},
    },
  }
}

/** The `launched nodeclaim` INFO line for a launched NodeClaim. */
export function launchedLog(nc: NodeClaim): log.LogEntry {
  return log.launchedNodeClaim({
    nodeClaim: nc.metadata.name ?? '',
    nodePool: nc.metadata.labels?.[LABEL_NODEPOOL] ?? '',
    providerID: nc.status?.providerID ?? '',
    instanceType: nc.metadata.labels?.[LABEL_INSTANCE_TYPE] ?? '',
    zone: nc.metadata.labels?.[LABEL_ZONE] ?? '',
    capacityType: nc.metadata.labels?.[LABEL_CAPACITY_TYPE] ?? '',
    allocatable: toStringMap(parseResourceList(nc.status?.allocatable)),
  })
}
