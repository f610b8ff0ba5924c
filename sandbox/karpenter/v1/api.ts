// The v1 objects Karpenter 1.9 reads and writes (karpenter.sh/v1 NodePool and NodeClaim,
// karpenter.k8s.aws/v1 EC2NodeClass), as the plain JSON the API server stores. Only the fields the
// 1.x twin reads are typed. Sources: kubernetes-sigs/karpenter@v1.9.1 pkg/apis/v1/{nodepool.go,
// nodeclaim.go, nodepool_status.go, nodeclaim_status.go, taints.go, labels.go},
// aws/karpenter-provider-aws@v1.9.2 pkg/apis/v1/{ec2nodeclass.go, ec2nodeclass_status.go, labels.go}.

import type { NodeSelectorRequirement, ObjectMeta, RawResourceList, Taint } from '../../k8s/types.ts'

/** Object metadata with the generation the API server keeps (status conditions record it). */
type MetaV1 = ObjectMeta & { generation?: number }

export const NODEPOOL_V1 = 'karpenter.sh/v1'
export const NODECLASS_V1 = 'karpenter.k8s.aws/v1'

/** status.Condition of awslabs/operatorpkg: a metav1.Condition (reason required, message may be ""). */
export interface ConditionV1 {
  type: string
  status: 'True' | 'False' | 'Unknown'
  reason: string
  message: string
  lastTransitionTime: string
  observedGeneration?: number
}

/** ec2nodeclass.go KubeletConfiguration (moved here from the NodePool in v1). */
export interface KubeletConfigurationV1 {
  clusterDNS?: string[]
  maxPods?: number
  podsPerCore?: number
  systemReserved?: Record<string, string>
  kubeReserved?: Record<string, string>
  evictionHard?: Record<string, string>
  evictionSoft?: Record<string, string>
  evictionSoftGracePeriod?: Record<string, string>
  evictionMaxPodGracePeriod?: number
  imageGCHighThresholdPercent?: number
  imageGCLowThresholdPercent?: number
  cpuCFSQuota?: boolean
}

interface NodeClassReferenceV1 {
  group: string
  kind: string
  name: string
}

interface NodeSelectorRequirementWithMinValues extends NodeSelectorRequirement {
  minValues?: number
}

interface NodeClaimSpecV1 {
  taints?: Taint[]
  startupTaints?: Taint[]
  requirements: NodeSelectorRequirementWithMinValues[]
  resources?: { requests?: RawResourceList }
  nodeClassRef: NodeClassReferenceV1
  /** A Go duration or "Never"; the NodePool template defaults it to 720h. */
  expireAfter?: string
  terminationGracePeriod?: string
}

/** nodepool.go Budget: `nodes` is an integer or a percentage; `schedule` + `duration` make it periodic. */
export interface BudgetV1 {
  reasons?: ('Underutilized' | 'Empty' | 'Drifted')[]
  nodes: string
  schedule?: string
  duration?: string
}

export interface NodePoolV1 {
  apiVersion?: string
  kind?: string
  metadata: MetaV1
  spec: {
    template: {
      metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }
      spec: Omit<NodeClaimSpecV1, 'resources'>
    }
    disruption?: {
      /** WhenEmptyOrUnderutilized (default) | WhenEmpty. */
      consolidationPolicy?: string
      /** A Go duration or "Never"; required (the CRD defaults the disruption block to `consolidateAfter: 0s`). */
      consolidateAfter?: string
      /** Default `[{nodes: "10%"}]`. */
      budgets?: BudgetV1[]
    }
    limits?: RawResourceList
    weight?: number
  }
  status?: {
    resources?: Record<string, string>
    nodes?: number
    nodeClassObservedGeneration?: number
    conditions?: ConditionV1[]
  }
}

export interface NodeClaimV1 {
  apiVersion?: string
  kind?: string
  metadata: MetaV1
  spec: NodeClaimSpecV1
  status?: {
    nodeName?: string
    providerID?: string
    imageID?: string
    capacity?: Record<string, string>
    allocatable?: Record<string, string>
    conditions?: ConditionV1[]
    lastPodEventTime?: string
  }
}

/** ec2nodeclass.go SelectorTerms (subnets, security groups) and AMISelectorTerm. */
interface SelectorTermV1 {
  tags?: Record<string, string>
  id?: string
  name?: string
}

interface AMISelectorTermV1 extends SelectorTermV1 {
  alias?: string
  owner?: string
  ssmParameter?: string
}

export interface EC2NodeClassV1 {
  apiVersion?: string
  kind?: string
  metadata: MetaV1
  spec: {
    kubelet?: KubeletConfigurationV1
    subnetSelectorTerms: SelectorTermV1[]
    securityGroupSelectorTerms: SelectorTermV1[]
    amiSelectorTerms: AMISelectorTermV1[]
    /** Required when the alias does not name the family (Custom, or ids/tags terms). */
    amiFamily?: string
    role?: string
    instanceProfile?: string
    tags?: Record<string, string>
    userData?: string
    blockDeviceMappings?: {
      deviceName?: string
      rootVolume?: boolean
      ebs?: {
        volumeSize?: string
        volumeType?: string
        encrypted?: boolean
        deleteOnTermination?: boolean
        iops?: number
        throughput?: number
        kmsKeyID?: string
        snapshotID?: string
        volumeInitializationRate?: number
      }
    }[]
    metadataOptions?: { httpEndpoint?: string; httpProtocolIPv6?: string; httpPutResponseHopLimit?: number; httpTokens?: string }
    detailedMonitoring?: boolean
    associatePublicIPAddress?: boolean
    context?: string
    instanceStorePolicy?: string
  }
  status?: {
    subnets?: { id: string; zone: string; zoneID?: string }[]
    securityGroups?: { id: string; name?: string }[]
    amis?: { id: string; name?: string; deprecated?: boolean; requirements: NodeSelectorRequirement[] }[]
    instanceProfile?: string
    conditions?: ConditionV1[]
  }
}

// ---- well-known names of the v1 API ----

/** taints.go: `karpenter.sh/disrupted:NoSchedule` (was `karpenter.sh/disruption=disrupting:NoSchedule`). */
export const DISRUPTED_NO_SCHEDULE_TAINT: Taint = { key: 'karpenter.sh/disrupted', effect: 'NoSchedule' }
/** taints.go: registered with the kubelet, removed by Karpenter's registration. */
export const UNREGISTERED_NO_EXECUTE_TAINT: Taint = { key: 'karpenter.sh/unregistered', effect: 'NoExecute' }

/** labels.go `NodeClassLabelKey(GroupKind)` for the EC2NodeClass: `karpenter.k8s.aws/ec2nodeclass`. */
export const LABEL_NODECLASS = 'karpenter.k8s.aws/ec2nodeclass'
export const ANNOTATION_NODEPOOL_HASH_VERSION = 'karpenter.sh/nodepool-hash-version'
/** nodepool.go `NodePoolHashVersion`. */
export const NODEPOOL_HASH_VERSION = 'v3'
export const ANNOTATION_NODECLASS_HASH_VERSION = 'karpenter.k8s.aws/ec2nodeclass-hash-version'
/** aws ec2nodeclass.go `EC2NodeClassHashVersion`. */
export const NODECLASS_HASH_VERSION = 'v4'
export const TAG_EKS_CLUSTER_NAME = 'eks:eks-cluster-name'
export const TAG_NODECLAIM = 'karpenter.sh/nodeclaim'
export const ANNOTATION_INSTANCE_TAGGED = 'karpenter.k8s.aws/tagged'
export const ANNOTATION_CLUSTER_NAME_TAGGED = 'compatibility.karpenter.k8s.aws/cluster-name-tagged'
export const ANNOTATION_NODECLASS_HASH = 'karpenter.k8s.aws/ec2nodeclass-hash'
