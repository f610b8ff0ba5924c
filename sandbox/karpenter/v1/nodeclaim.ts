// The NodeClaims of Karpenter 1.9 and what launching one writes, as pure functions.
// Sources: kubernetes-sigs/karpenter@v1.9.1 pkg/controllers/provisioning/scheduling/nodeclaimtemplate.go
// (NewNodeClaimTemplate, ToNodeClaim), pkg/apis/v1/nodepool.go (Hash); aws/karpenter-provider-aws@v1.9.2
// pkg/utils/utils.go (GetTags), pkg/cloudprovider/cloudprovider.go (Create, instanceToNodeClaim),
// pkg/providers/launchtemplate/launchtemplate.go (LaunchTemplateName, InjectDoNotSyncTaintsLabel),
// pkg/providers/amifamily/bootstrap/{nodeadm.go, mime/mime.go} (AL2023 user data),
// pkg/controllers/nodeclaim/tagging/controller.go. The drift hashes: ./hashstructure.ts.

import { toStringMap, withoutZeros } from '../../k8s/resources.ts'
import type { Taint } from '../../k8s/types.ts'
import type { NodeClaim } from '../api.ts'
import { orderByPrice, singleValueLabels, type InstanceType } from '../instance-types.ts'
import {
  LABEL_CAPACITY_TYPE,
  LABEL_INSTANCE_TYPE,
  LABEL_NODEPOOL,
  LABEL_ZONE,
  WELL_KNOWN_LABELS,
  RESTRICTED_LABELS,
  ANNOTATION_NODEPOOL_HASH,
} from '../labels.ts'
import type { LaunchedInstance } from '../launch.ts'
import { nodeClaimName, providerID } from '../nodeclaim-names.ts'
import { Requirement, type Requirements } from '../requirements.ts'
import type { Rng } from '../rng.ts'
import type { PlannedNodeClaim } from '../scheduling/nodeclaim.ts'
import {
  ANNOTATION_NODECLASS_HASH,
  ANNOTATION_NODECLASS_HASH_VERSION,
  ANNOTATION_NODEPOOL_HASH_VERSION,
  LABEL_NODECLASS,
  NODECLASS_HASH_VERSION,
  NODEPOOL_HASH_VERSION,
  NODEPOOL_V1,
  TAG_EKS_CLUSTER_NAME,
  TAG_NODECLAIM,
  UNREGISTERED_NO_EXECUTE_TAINT,
  type EC2NodeClassV1,
  type KubeletConfigurationV1,
  type NodeClaimV1,
  type NodePoolV1,
} from './api.ts'
import { amiFamilyOf } from './amis.ts'
import { ec2NodeClassHash, nodePoolTemplateHash } from './hashstructure.ts'

/** nodeclaimtemplate.go `MaxInstanceTypes`: 600 in core 1.9 (v0.32 cut to 100). */
export const MAX_NODECLAIM_INSTANCE_TYPES_V1 = 600

/**
 * `NodePool.Hash()` (core@v1.9.1 pkg/apis/v1/nodepool.go): hashstructure of the template, without the
 * requirements (`hash:"ignore"`: requirements drift is drift.go's own check), Go's number.
 */
export function nodePoolHashV1(np: NodePoolV1): string {
  return nodePoolTemplateHash(np.spec.template)
}

/**
 * `EC2NodeClass.Hash()` (aws@v1.9.2 pkg/apis/v1/ec2nodeclass.go): hashstructure of the spec without
 * the selector terms, ipPrefixCount and amiFamily (`hash:"ignore"`: subnets, security groups and AMIs
 * drift from the status instead), beside the resolved AMI family (so amiFamily unset or AL2023 with
 * `al2023@latest` hash alike), Go's number.
 */
export function nodeClassHashV1(nc: EC2NodeClassV1): string {
  return ec2NodeClassHash(nc.spec, amiFamilyOf(nc))
}

/**
 * hash/controller.go `updateNodeClaimHash` (core@v1.9.1 pkg/controllers/nodepool/hash, aws@v1.9.2
 * pkg/controllers/nodeclass/hash): when the owner's hash version is not the controller's, each of
 * its NodeClaims with another version gets the controller's version and — unless it carries a
 * Drifted condition, which then stays — the owner's current hash. The new annotations, or undefined.
 */
export function rehashedNodeClaimAnnotations(
  nodeClaim: Pick<NodeClaimV1, 'metadata' | 'status'>,
  keys: { hash: string; version: string },
  version: string,
  hash: string,
): Record<string, string> | undefined {
  const a = nodeClaim.metadata.annotations ?? {}
  if (a[keys.version] === version) return undefined
  const drifted = (nodeClaim.status?.conditions ?? []).some((c) => c.type === 'Drifted')
  return { ...a, [keys.version]: version, ...(drifted ? {} : { [keys.hash]: hash }) }
}

/**
 * `NodeClaimTemplate.ToNodeClaim` (1.9): the 600 cheapest types, a capacity-type requirement
 * narrowed to the capacity types their available offerings offer, the NodePool and EC2NodeClass
 * labels, custom single-valued requirement labels, the nodepool-hash annotations, expireAfter and
 * the v1 nodeClassRef on the spec.
 */
export function toNodeClaimV1(
  planned: PlannedNodeClaim,
  nodePool: NodePoolV1,
  opts: { rng: Rng; takenNames?: ReadonlySet<string>; name?: string },
): NodeClaimV1 {
  const t = planned.template
  const reqs: Requirements = planned.requirements.copy()
  const cheapest = orderByPrice(planned.instanceTypeOptions, reqs).slice(0, MAX_NODECLAIM_INSTANCE_TYPES_V1)
  reqs.add(
    Requirement.of(
      LABEL_INSTANCE_TYPE,
      'In',
      cheapest.map((it) => it.name),
    ),
  )
  const zones = reqs.get(LABEL_ZONE)
  const capacityTypes: string[] = []
  for (const it of cheapest) {
    for (const o of it.offerings) {
      if (!o.available || !zones.has(o.zone) || !reqs.get(LABEL_CAPACITY_TYPE).has(o.capacityType)) continue
      if (!capacityTypes.includes(o.capacityType)) capacityTypes.push(o.capacityType)
    }
  }
  if (capacityTypes.length > 0) reqs.add(Requirement.of(LABEL_CAPACITY_TYPE, 'In', capacityTypes))
  const ref = nodePool.spec.template.spec.nodeClassRef
  const labels: Record<string, string> = { ...t.labels, [LABEL_NODEPOOL]: t.nodePoolName, [LABEL_NODECLASS]: ref.name }
  reqs.add(Requirement.of(LABEL_NODECLASS, 'In', [ref.name]))
  // resolveCustomLabelsFromRequirements: single-valued, not well-known, not restricted.
  for (const r of reqs.values()) {
    if (WELL_KNOWN_LABELS.has(r.key) || RESTRICTED_LABELS.has(r.key) || r.key === LABEL_NODECLASS) continue
    if (r.operator() === 'In' && r.len() >= 1) labels[r.key] ??= r.valueList()[0]
  }
  const spec: NodeClaimV1['spec'] = {
    requirements: reqs.toNodeSelectorRequirements(),
    resources: { requests: toStringMap(planned.requests) },
    nodeClassRef: { group: ref.group, kind: ref.kind, name: ref.name },
    expireAfter: nodePool.spec.template.spec.expireAfter ?? '720h',
  }
  if (t.taints.length > 0) spec.taints = t.taints
  if (t.startupTaints.length > 0) spec.startupTaints = t.startupTaints
  if (nodePool.spec.template.spec.terminationGracePeriod) spec.terminationGracePeriod = nodePool.spec.template.spec.terminationGracePeriod
  return {
    apiVersion: NODEPOOL_V1,
    kind: 'NodeClaim',
    metadata: {
      name: opts.name ?? nodeClaimName(t.nodePoolName, opts.rng, opts.takenNames),
      generateName: `${t.nodePoolName}-`,
      labels,
      annotations: { ...t.annotations, [ANNOTATION_NODEPOOL_HASH]: nodePoolHashV1(nodePool), [ANNOTATION_NODEPOOL_HASH_VERSION]: NODEPOOL_HASH_VERSION },
      ownerReferences: [{ apiVersion: NODEPOOL_V1, kind: 'NodePool', name: t.nodePoolName, uid: nodePool.metadata.uid, blockOwnerDeletion: true }],
    },
    spec,
  }
}

/** aws@v1.9.2 pkg/apis/v1/labels.go `RestrictedTagPatterns`: tag keys an EC2NodeClass may not set. */
const RESTRICTED_TAG_PATTERNS: readonly RegExp[] = [
  /^kubernetes\.io\/cluster\/[0-9A-Za-z][A-Za-z0-9\-_]*$/,
  /^karpenter\.sh\/nodepool$/,
  /^eks:eks-cluster-name$/,
  /^karpenter\.k8s\.aws\/ec2nodeclass$/,
  /^karpenter\.sh\/nodeclaim$/,
]

/** `GetTags`' refusal: the serrors text `tags failed validation requirements (tags="a", "b")`. */
export class TagValidationError extends Error {}

/**
 * utils.go `GetTags`: an EC2NodeClass tag key matching a restricted pattern is refused (the keys
 * quoted in the error, sorted where Go's map order is random); otherwise the EC2NodeClass's tags with
 * the static ones. The CRD's CEL rules refuse most of these keys at admission already.
 */
export function launchTagsV1(
  nodeClaim: { metadata: { labels?: Record<string, string> } },
  nodeClass: EC2NodeClassV1,
  clusterName: string,
): Record<string, string> {
  const invalid = Object.keys(nodeClass.spec.tags ?? {})
    .filter((k) => RESTRICTED_TAG_PATTERNS.some((re) => re.test(k)))
    .sort()
  if (invalid.length > 0) throw new TagValidationError(`tags failed validation requirements (tags=${invalid.map((k) => JSON.stringify(k)).join(', ')})`)
  return {
    ...(nodeClass.spec.tags ?? {}),
    [`kubernetes.io/cluster/${clusterName}`]: 'owned',
    [LABEL_NODEPOOL]: nodeClaim.metadata.labels?.[LABEL_NODEPOOL] ?? '',
    [TAG_EKS_CLUSTER_NAME]: clusterName,
    [LABEL_NODECLASS]: nodeClass.metadata.name ?? '',
  }
}

/** tagging/controller.go: the tags added once the node registered (Name, nodeclaim, cluster name). */
export function registeredTagsV1(nodeClaimName: string, nodeName: string, clusterName: string): Record<string, string> {
  return { Name: nodeName, [TAG_NODECLAIM]: nodeClaimName, [TAG_EKS_CLUSTER_NAME]: clusterName }
}

/** launchtemplate.go InjectDoNotSyncTaintsLabel: AL2023 registers its taints itself. */
export const LABEL_DO_NOT_SYNC_TAINTS = 'karpenter.sh/do-not-sync-taints'

export interface NodeadmInput {
  clusterName: string
  endpoint: string
  /** Base64 CA bundle. */
  caBundle?: string
  /** The service CIDR (DescribeCluster's kubernetesNetworkConfig). */
  clusterCIDR: string
  kubelet: KubeletConfigurationV1
  taints: readonly Taint[]
  labels: Record<string, string>
}

/** go-yaml's plain style unless the string would read as something else (bool, null, number, indicator, `: `, ` #`). */
function yamlScalar(v: unknown): string {
  if (typeof v !== 'string') return String(v)
  const ambiguous =
    v === '' ||
    /^(true|false|yes|no|on|off|y|n|null|~)$/i.test(v) ||
    /^[-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(v) ||
    /^[?:,[\]{}#&*!|>'"%@`]/.test(v) ||
    /^- /.test(v) ||
    /: |\s#|^\s|\s$|\n/.test(v)
  return ambiguous ? JSON.stringify(v) : v
}

/** sigs.k8s.io/yaml of a JSON value: keys sorted, two-space indent, lists at their key's indent. */
function toYaml(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    return value
      .map((item) => {
        if (item && typeof item === 'object') {
          const inner = toYaml(item, `${indent}  `).replace(/^\s+/, '')
          return `${indent}- ${inner}`
        }
        return `${indent}- ${yamlScalar(item)}\n`
      })
      .join('')
  }
  const obj = value as Record<string, unknown>
  let out = ''
  for (const k of Object.keys(obj).sort()) {
    const v = obj[k]
    if (v === undefined) continue
    if (v && typeof v === 'object') {
      const empty = Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0
      if (empty) out += `${indent}${k}: ${Array.isArray(v) ? '[]' : '{}'}\n`
      else out += `${indent}${k}:\n${toYaml(v, Array.isArray(v) ? indent : `${indent}  `)}`
    } else out += `${indent}${k}: ${yamlScalar(v)}\n`
  }
  return out
}

/**
 * nodeadm.go `Script`: a MIME archive with one NodeConfig (the kubelet config inline, the NodeClaim's
 * taints plus karpenter.sh/unregistered as `registerWithTaints`, labels as `--node-labels`). Go's
 * mime/multipart writes the part as below; the result is base64 in the launch template.
 */
export function nodeadmUserData(input: NodeadmInput): string {
  const labels = Object.keys(input.labels)
    .sort()
    .map((k) => `${k}=${input.labels[k]}`)
    .join(',')
  const config = {
    apiVersion: 'node.eks.aws/v1alpha1',
    kind: 'NodeConfig',
    metadata: {},
    spec: {
      cluster: {
        apiServerEndpoint: input.endpoint,
        ...(input.caBundle ? { certificateAuthority: input.caBundle } : {}),
        cidr: input.clusterCIDR,
        name: input.clusterName,
      },
      containerd: {},
      instance: { localStorage: {} },
      kubelet: {
        config: { ...input.kubelet, registerWithTaints: input.taints.map((t) => ({ effect: t.effect, key: t.key, ...(t.value ? { value: t.value } : {}) })) },
        ...(labels ? { flags: [`--node-labels="${labels}"`] } : {}),
      },
    },
  }
  const nodeConfig = `# Karpenter Generated NodeConfig\n${toYaml(config)}`
  return `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="//"\n\n--//\nContent-Type: application/node.eks.aws\n\n${nodeConfig}\n--//--\n`
}

/** The kubelet's registration taints on AL2023: the NodeClaim's taints and startup taints, then unregistered. */
export function registerTaintsV1(nodeClaim: { spec: { taints?: Taint[]; startupTaints?: Taint[] } }): Taint[] {
  return [...(nodeClaim.spec.taints ?? []), ...(nodeClaim.spec.startupTaints ?? []), { ...UNREGISTERED_NO_EXECUTE_TAINT }]
}

/** The labels the kubelet registers with (`--node-labels`): the NodeClaim's, capacity type, do-not-sync-taints. */
export function nodeLabelsV1(nodeClaim: { metadata: { labels?: Record<string, string> } }, capacityType: string): Record<string, string> {
  return { ...(nodeClaim.metadata.labels ?? {}), [LABEL_CAPACITY_TYPE]: capacityType, [LABEL_DO_NOT_SYNC_TAINTS]: 'true' }
}

/**
 * cloudprovider.go `instanceToNodeClaim` + lifecycle/launch.go `PopulateNodeClaimDetails` (1.9):
 * the instance type's single-valued labels, zone, zone-id, capacity type, tenancy and NodePool,
 * then the NodeClaim's own labels; capacity and allocatable without zero values; the
 * ec2nodeclass-hash annotations and the instance profile.
 */
export function launchedNodeClaimV1(
  nodeClaim: NodeClaim,
  instance: LaunchedInstance,
  instanceType: InstanceType | undefined,
  nodeClass: EC2NodeClassV1,
): NodeClaim {
  const labels: Record<string, string> = instanceType ? singleValueLabels(instanceType) : {}
  labels[LABEL_ZONE] = instance.zone
  const zoneID = nodeClass.status?.subnets?.find((s) => s.zone === instance.zone)?.zoneID
  if (zoneID) labels['topology.k8s.aws/zone-id'] = zoneID
  labels[LABEL_CAPACITY_TYPE] = instance.capacityType
  labels['karpenter.k8s.aws/instance-tenancy'] = 'default'
  const pool = nodeClaim.metadata.labels?.[LABEL_NODEPOOL]
  if (pool) labels[LABEL_NODEPOOL] = pool
  // PopulateNodeClaimDetails: the NodeClaim's own labels win over the cloud provider's.
  const merged = { ...labels, ...(nodeClaim.metadata.labels ?? {}) }
  const annotations = {
    ...(nodeClaim.metadata.annotations ?? {}),
    [ANNOTATION_NODECLASS_HASH]: nodeClassHashV1(nodeClass),
    [ANNOTATION_NODECLASS_HASH_VERSION]: NODECLASS_HASH_VERSION,
    'karpenter.k8s.aws/instance-profile-name': nodeClass.status?.instanceProfile ?? '',
  }
  return {
    ...nodeClaim,
    metadata: { ...nodeClaim.metadata, labels: merged, annotations },
    status: {
      ...(nodeClaim.status ?? {}),
      providerID: providerID(instance.zone, instance.instanceId),
      imageID: instance.imageId,
      capacity: instanceType ? toStringMap(withoutZeros(instanceType.capacity)) : {},
      allocatable: instanceType ? toStringMap(withoutZeros(instanceType.allocatable)) : {},
    },
  }
}
