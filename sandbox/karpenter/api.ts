// The v1beta1 objects Karpenter v0.32.1 reads and writes (karpenter.sh/v1beta1 NodePool and
// NodeClaim, karpenter.k8s.aws/v1beta1 EC2NodeClass), as the plain JSON the API server stores.
// Only the fields the twin's logic reads are typed; everything else passes through.

import { parseGoDuration } from '../runtime/clock.ts'
import type { NodeSelectorRequirement, ObjectMeta, RawResourceList, Taint } from '../k8s/types.ts'

export interface KubeletConfiguration {
  clusterDNS?: string[]
  containerRuntime?: string
  maxPods?: number
  podsPerCore?: number
  systemReserved?: RawResourceList
  kubeReserved?: RawResourceList
  evictionHard?: Record<string, string>
  evictionSoft?: Record<string, string>
  evictionSoftGracePeriod?: Record<string, string>
  evictionMaxPodGracePeriod?: number
  imageGCHighThresholdPercent?: number
  imageGCLowThresholdPercent?: number
  cpuCFSQuota?: boolean
}

export interface NodeClassRef {
  apiVersion?: string
  kind?: string
  name: string
}

interface NodeClaimSpec {
  taints?: Taint[]
  startupTaints?: Taint[]
  requirements?: NodeSelectorRequirement[]
  resources?: { requests?: RawResourceList }
  kubelet?: KubeletConfiguration
  nodeClassRef?: NodeClassRef
}

interface NodePoolSpec {
  template: {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }
    spec: NodeClaimSpec
  }
  disruption?: {
    consolidationPolicy?: string /* WhenUnderutilized | WhenEmpty */
    /** A Go duration or "Never". */
    consolidateAfter?: string
    /** A Go duration or "Never"; defaults to 720h. */
    expireAfter?: string
  }
  limits?: RawResourceList
  weight?: number
}

export interface NodePool {
  apiVersion?: string
  kind?: string
  metadata: ObjectMeta
  spec: NodePoolSpec
  status?: { resources?: RawResourceList }
}

export interface Condition {
  type: string
  status: string /* True | False | Unknown */
  severity?: string
  reason?: string
  message?: string
  lastTransitionTime?: string
}

export interface NodeClaim {
  apiVersion?: string
  kind?: string
  metadata: ObjectMeta
  spec: NodeClaimSpec
  status?: {
    nodeName?: string
    providerID?: string
    imageID?: string
    capacity?: RawResourceList
    allocatable?: RawResourceList
    conditions?: Condition[]
  }
}

export interface BlockDeviceMapping {
  deviceName?: string
  rootVolume?: boolean
  ebs?: {
    volumeSize?: string
    volumeType?: string
    encrypted?: boolean
    iops?: number
    throughput?: number
    kmsKeyID?: string
    deleteOnTermination?: boolean
    snapshotID?: string
    volumeInitializationRate?: number
  }
}

export interface SelectorTerm {
  tags?: Record<string, string>
  id?: string
  name?: string
  owner?: string
}

export interface EC2NodeClass {
  apiVersion?: string
  kind?: string
  metadata: ObjectMeta
  spec: {
    amiFamily?: string /* AL2 | Bottlerocket | Ubuntu | Windows2019 | Windows2022 | Custom */
    subnetSelectorTerms?: SelectorTerm[]
    securityGroupSelectorTerms?: SelectorTerm[]
    amiSelectorTerms?: SelectorTerm[]
    role?: string
    instanceProfile?: string
    tags?: Record<string, string>
    userData?: string
    blockDeviceMappings?: BlockDeviceMapping[]
    /** 1.x only (`RAID0`: the instance store backs ephemeral storage). */
    instanceStorePolicy?: string
    metadataOptions?: Record<string, unknown>
    detailedMonitoring?: boolean
    context?: string
  }
  status?: Record<string, unknown>
}

export const NODEPOOL_API_VERSION = 'karpenter.sh/v1beta1'

/** Parses `expireAfter` / `consolidateAfter`: milliseconds, or undefined for "Never". */
export function parseDisruptionDuration(value: string | undefined, fallback: string | undefined): number | undefined {
  const text = value ?? fallback
  if (text === undefined || text === 'Never') return undefined
  return parseGoDuration(text)
}
