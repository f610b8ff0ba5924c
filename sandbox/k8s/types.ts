// The slices of Kubernetes objects the pure scheduling logic reads, as plain JSON (what the
// API server stores and serves). Every field is optional where the API allows it to be
// absent, so objects straight from the store type-check without conversion.

export type RawResourceList = Record<string, string | number>

export interface ObjectMeta {
  name?: string
  generateName?: string
  namespace?: string
  uid?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  creationTimestamp?: string
  deletionTimestamp?: string
  ownerReferences?: OwnerReference[]
  finalizers?: string[]
  resourceVersion?: string
}

interface OwnerReference {
  apiVersion: string
  kind: string
  name: string
  uid?: string
  controller?: boolean
  blockOwnerDeletion?: boolean
}

interface ResourceRequirements {
  requests?: RawResourceList
  limits?: RawResourceList
}

interface ContainerPort {
  containerPort?: number
  hostPort?: number
  hostIP?: string
  protocol?: string
  name?: string
}

export interface Container {
  name?: string
  image?: string
  resources?: ResourceRequirements
  ports?: ContainerPort[]
}

export interface Taint {
  key: string
  value?: string
  effect: string
  timeAdded?: string
}

export interface Toleration {
  key?: string
  operator?: string /* Exists | Equal */
  value?: string
  effect?: string /* TaintEffect */
  tolerationSeconds?: number
}

export interface NodeSelectorRequirement {
  key: string
  operator: string /* NodeSelectorOperator */
  values?: string[]
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[]
  matchFields?: NodeSelectorRequirement[]
}

export interface NodeSelector {
  nodeSelectorTerms: NodeSelectorTerm[]
}

export interface PreferredSchedulingTerm {
  weight: number
  preference: NodeSelectorTerm
}

interface LabelSelectorRequirement {
  key: string
  operator: string /* In | NotIn | Exists | DoesNotExist */
  values?: string[]
}

export interface LabelSelector {
  matchLabels?: Record<string, string>
  matchExpressions?: LabelSelectorRequirement[]
}

export interface PodAffinityTerm {
  labelSelector?: LabelSelector | null
  namespaces?: string[]
  namespaceSelector?: LabelSelector | null
  topologyKey: string
}

interface WeightedPodAffinityTerm {
  weight: number
  podAffinityTerm: PodAffinityTerm
}

interface Affinity {
  nodeAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: NodeSelector | null
    preferredDuringSchedulingIgnoredDuringExecution?: PreferredSchedulingTerm[]
  } | null
  podAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[]
    preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[]
  } | null
  podAntiAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[]
    preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[]
  } | null
}

export interface TopologySpreadConstraint {
  maxSkew: number
  topologyKey: string
  whenUnsatisfiable: string /* DoNotSchedule | ScheduleAnyway */
  labelSelector?: LabelSelector | null
  minDomains?: number
  nodeAffinityPolicy?: string
  nodeTaintsPolicy?: string
  matchLabelKeys?: string[]
}

interface PodSpec {
  nodeName?: string
  nodeSelector?: Record<string, string>
  affinity?: Affinity | null
  tolerations?: Toleration[]
  topologySpreadConstraints?: TopologySpreadConstraint[]
  containers?: Container[]
  initContainers?: Container[]
  overhead?: RawResourceList
  priority?: number
  priorityClassName?: string
  schedulerName?: string
}

interface PodCondition {
  type: string
  status: string
  reason?: string
  message?: string
  lastTransitionTime?: string
}

export interface Pod {
  apiVersion?: string
  kind?: string
  metadata: ObjectMeta
  spec: PodSpec
  status?: {
    phase?: string
    conditions?: PodCondition[]
    nominatedNodeName?: string
  }
}

export interface NodeCondition {
  type: string
  status: string
  reason?: string
  message?: string
  lastHeartbeatTime?: string
  lastTransitionTime?: string
}

export interface Node {
  apiVersion?: string
  kind?: string
  metadata: ObjectMeta
  spec?: {
    providerID?: string
    taints?: Taint[]
    unschedulable?: boolean
  }
  status?: {
    capacity?: RawResourceList
    allocatable?: RawResourceList
    conditions?: NodeCondition[]
    addresses?: { type: string; address: string }[]
    nodeInfo?: Record<string, string>
  }
}

export interface DaemonSet {
  metadata: ObjectMeta
  spec: {
    selector?: LabelSelector
    template: { metadata?: ObjectMeta; spec: PodSpec }
  }
}
