// Well-known, restricted and normalised labels of Karpenter v0.32.1 (v1beta1 API) with the AWS
// provider's additions. Sources: core@v0.32.1:pkg/apis/v1beta1/{labels.go,taints.go},
// core@v0.32.1:pkg/apis/v1alpha5/labels.go, aws@v0.32.1:pkg/apis/v1beta1/labels.go (its init()
// extends the core sets) and aws@v0.32.1:pkg/cloudprovider/cloudprovider.go (its init() adds the
// EBS CSI zone alias).

import type { Taint } from '../k8s/types.ts'
import {
  LABEL_HOSTNAME,
  LABEL_ARCH,
  LABEL_OS,
  LABEL_INSTANCE_TYPE,
  LABEL_ZONE,
  LABEL_REGION,
  LABEL_WINDOWS_BUILD,
  LABEL_BETA_INSTANCE_TYPE,
  LABEL_BETA_ARCH,
  LABEL_BETA_OS,
  LABEL_FAILURE_DOMAIN_ZONE,
  LABEL_FAILURE_DOMAIN_REGION,
} from '../k8s/labels.ts'

const GROUP = 'karpenter.sh'
const AWS_GROUP = 'karpenter.k8s.aws'
export const COMMIT = '1072d3b'

// ---- upstream Kubernetes labels (k8s/labels.ts; Karpenter's well-known sets include them) ----
export { LABEL_HOSTNAME, LABEL_ARCH, LABEL_OS, LABEL_INSTANCE_TYPE, LABEL_ZONE, LABEL_REGION, LABEL_WINDOWS_BUILD }

// ---- Karpenter core ----
export const LABEL_NODEPOOL = 'karpenter.sh/nodepool'
export const LABEL_PROVISIONER_NAME = 'karpenter.sh/provisioner-name'
export const LABEL_CAPACITY_TYPE = 'karpenter.sh/capacity-type'
export const LABEL_INITIALIZED = 'karpenter.sh/initialized'
export const LABEL_REGISTERED = 'karpenter.sh/registered'
export const CAPACITY_TYPE_SPOT = 'spot'
export const CAPACITY_TYPE_ON_DEMAND = 'on-demand'
export const ARCH_AMD64 = 'amd64'
export const ARCH_ARM64 = 'arm64'

export const ANNOTATION_DO_NOT_DISRUPT = 'karpenter.sh/do-not-disrupt'
export const ANNOTATION_DO_NOT_EVICT = 'karpenter.sh/do-not-evict'
export const ANNOTATION_DO_NOT_CONSOLIDATE = 'karpenter.sh/do-not-consolidate'
export const ANNOTATION_NODEPOOL_HASH = 'karpenter.sh/nodepool-hash'
export const ANNOTATION_MANAGED_BY = 'karpenter.sh/managed-by'
export const ANNOTATION_POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost'
export const FINALIZER_TERMINATION = 'karpenter.sh/termination'

/** core@v0.32.1:pkg/apis/v1beta1/taints.go: the taint disruption and termination put on nodes. */
export const DISRUPTION_NO_SCHEDULE_TAINT: Taint = { key: 'karpenter.sh/disruption', value: 'disrupting', effect: 'NoSchedule' }

// ---- AWS provider ----
export const LABEL_INSTANCE_HYPERVISOR = 'karpenter.k8s.aws/instance-hypervisor'
export const LABEL_INSTANCE_ENCRYPTION_IN_TRANSIT = 'karpenter.k8s.aws/instance-encryption-in-transit-supported'
export const LABEL_INSTANCE_CATEGORY = 'karpenter.k8s.aws/instance-category'
export const LABEL_INSTANCE_FAMILY = 'karpenter.k8s.aws/instance-family'
export const LABEL_INSTANCE_GENERATION = 'karpenter.k8s.aws/instance-generation'
export const LABEL_INSTANCE_LOCAL_NVME = 'karpenter.k8s.aws/instance-local-nvme'
export const LABEL_INSTANCE_SIZE = 'karpenter.k8s.aws/instance-size'
export const LABEL_INSTANCE_CPU = 'karpenter.k8s.aws/instance-cpu'
export const LABEL_INSTANCE_MEMORY = 'karpenter.k8s.aws/instance-memory'
export const LABEL_INSTANCE_NETWORK_BANDWIDTH = 'karpenter.k8s.aws/instance-network-bandwidth'
export const LABEL_INSTANCE_GPU_NAME = 'karpenter.k8s.aws/instance-gpu-name'
export const LABEL_INSTANCE_GPU_MANUFACTURER = 'karpenter.k8s.aws/instance-gpu-manufacturer'
export const LABEL_INSTANCE_GPU_COUNT = 'karpenter.k8s.aws/instance-gpu-count'
export const LABEL_INSTANCE_GPU_MEMORY = 'karpenter.k8s.aws/instance-gpu-memory'
export const LABEL_INSTANCE_ACCELERATOR_NAME = 'karpenter.k8s.aws/instance-accelerator-name'
export const LABEL_INSTANCE_ACCELERATOR_MANUFACTURER = 'karpenter.k8s.aws/instance-accelerator-manufacturer'
export const LABEL_INSTANCE_ACCELERATOR_COUNT = 'karpenter.k8s.aws/instance-accelerator-count'
export const TAG_NODECLASS = 'karpenter.k8s.aws/ec2nodeclass'
export const ANNOTATION_NODECLASS_HASH = 'karpenter.k8s.aws/ec2nodeclass-hash'

export const RESOURCE_NVIDIA_GPU = 'nvidia.com/gpu'
export const RESOURCE_AMD_GPU = 'amd.com/gpu'
export const RESOURCE_AWS_NEURON = 'aws.amazon.com/neuron'
export const RESOURCE_HABANA_GAUDI = 'habana.ai/gaudi'
export const RESOURCE_AWS_POD_ENI = 'vpc.amazonaws.com/pod-eni'
export const RESOURCE_PRIVATE_IPV4 = 'vpc.amazonaws.com/PrivateIPv4Address'

/**
 * Labels pods and NodePools may use although their domain is restricted; pods may constrain them
 * even when the NodePool says nothing about them (v1beta1 core set + the AWS provider's init()).
 */
const wellKnownLabels = new Set([
  LABEL_NODEPOOL,
  LABEL_ZONE,
  LABEL_REGION,
  LABEL_INSTANCE_TYPE,
  LABEL_ARCH,
  LABEL_OS,
  LABEL_CAPACITY_TYPE,
  LABEL_WINDOWS_BUILD,
  LABEL_INSTANCE_HYPERVISOR,
  LABEL_INSTANCE_ENCRYPTION_IN_TRANSIT,
  LABEL_INSTANCE_CATEGORY,
  LABEL_INSTANCE_FAMILY,
  LABEL_INSTANCE_GENERATION,
  LABEL_INSTANCE_SIZE,
  LABEL_INSTANCE_LOCAL_NVME,
  LABEL_INSTANCE_CPU,
  LABEL_INSTANCE_MEMORY,
  LABEL_INSTANCE_NETWORK_BANDWIDTH,
  LABEL_INSTANCE_GPU_NAME,
  LABEL_INSTANCE_GPU_MANUFACTURER,
  LABEL_INSTANCE_GPU_COUNT,
  LABEL_INSTANCE_GPU_MEMORY,
  LABEL_INSTANCE_ACCELERATOR_NAME,
  LABEL_INSTANCE_ACCELERATOR_MANUFACTURER,
  LABEL_INSTANCE_ACCELERATOR_COUNT,
])
export const WELL_KNOWN_LABELS: ReadonlySet<string> = wellKnownLabels

/**
 * A cloud provider's own labels join the well-known set when it starts (the AWS provider's
 * `init()` in pkg/apis/v1beta1/labels.go does so for its instance labels). Karpenter's fake cloud
 * provider, which its own test suites use, registers `size`, `special` and `integer` the same way
 * (kubernetes-sigs/karpenter v0.32.1 pkg/cloudprovider/fake/instancetype.go); the conformance tests
 * of test/conformance/karpenter/ call this for it.
 */
export function registerWellKnownLabels(...keys: string[]): void {
  for (const k of keys) wellKnownLabels.add(k)
}

/** Domains prohibited by the kubelet or reserved by Karpenter (core + the AWS group). */
const RESTRICTED_LABEL_DOMAINS: ReadonlySet<string> = new Set(['kubernetes.io', 'k8s.io', GROUP, AWS_GROUP])

/** Sub-domains of the restricted domains that remain usable. */
export const LABEL_DOMAIN_EXCEPTIONS: ReadonlySet<string> = new Set(['kops.k8s.io', 'node.kubernetes.io', 'node-restriction.kubernetes.io'])

/** Labels that must not be used (they would interfere with the provisioning logic). */
export const RESTRICTED_LABELS: ReadonlySet<string> = new Set([LABEL_HOSTNAME, 'karpenter.sh/emptiness-timestamp'])

/** Aliases translated to the well-known key before matching. */
const NORMALIZED_LABELS: Readonly<Record<string, string>> = {
  [LABEL_FAILURE_DOMAIN_ZONE]: LABEL_ZONE,
  [LABEL_BETA_ARCH]: LABEL_ARCH,
  [LABEL_BETA_OS]: LABEL_OS,
  [LABEL_BETA_INSTANCE_TYPE]: LABEL_INSTANCE_TYPE,
  [LABEL_FAILURE_DOMAIN_REGION]: LABEL_REGION,
  'topology.ebs.csi.aws.com/zone': LABEL_ZONE,
}

export function normalizeLabelKey(key: string): string {
  return NORMALIZED_LABELS[key] ?? key
}

function labelDomain(key: string): string {
  const i = key.indexOf('/')
  return i < 0 ? '' : key.slice(0, i)
}

/**
 * `IsRestrictedNodeLabel`: true for labels Karpenter must not inject itself (well-known ones,
 * which the cloud provider or kubelet set, and anything in a restricted domain).
 */
export function isRestrictedNodeLabel(key: string): boolean {
  if (WELL_KNOWN_LABELS.has(key) || key === LABEL_PROVISIONER_NAME) return true
  const domain = labelDomain(key)
  if (LABEL_DOMAIN_EXCEPTIONS.has(domain)) return false
  for (const restricted of RESTRICTED_LABEL_DOMAINS) if (domain.endsWith(restricted)) return true
  return RESTRICTED_LABELS.has(key)
}

/** `IsRestrictedLabel`: the error a NodePool or pod requirement on a restricted label gets. */
export function restrictedLabelError(key: string): string | undefined {
  if (WELL_KNOWN_LABELS.has(key)) return undefined
  if (!isRestrictedNodeLabel(key)) return undefined
  return `label ${key} is restricted; specify a well known label: [${[...WELL_KNOWN_LABELS].sort().join(' ')}], or a custom label that does not use a restricted domain: [${[...RESTRICTED_LABEL_DOMAINS].sort().join(' ')}]`
}

const SUPPORTED_OPERATORS = ['In', 'NotIn', 'Gt', 'Lt', 'Exists', 'DoesNotExist']
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

/**
 * core@v0.32.1:pkg/apis/v1beta1/nodeclaim_validation.go `ValidateRequirement`: the checks that
 * make the provisioner ignore a pod ("ignoring pod, …") or reject a NodePool requirement.
 */
export function validateRequirement(req: { key: string; operator: string; values?: string[] }): string[] {
  const errs: string[] = []
  const key = normalizeLabelKey(req.key)
  const values = req.values ?? []
  if (!SUPPORTED_OPERATORS.includes(req.operator)) {
    errs.push(`key ${key} has an unsupported operator ${req.operator} not in [${SUPPORTED_OPERATORS.join(' ')}]`)
  }
  const restricted = restrictedLabelError(key)
  if (restricted) errs.push(restricted)
  const parts = key.split('/')
  const name = parts.length === 2 ? parts[1] : key
  if (parts.length > 2 || (parts.length === 2 && (parts[0].length === 0 || parts[0].length > 253 || !DNS_SUBDOMAIN.test(parts[0])))) {
    errs.push(
      `key ${key} is not a qualified name, prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
    )
  } else if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    errs.push(
      `key ${key} is not a qualified name, name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    )
  }
  for (const v of values) {
    if (v.length > 63 || !LABEL_VALUE.test(v)) {
      errs.push(
        `invalid value ${v} for key ${key}, a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
      )
    }
  }
  if (req.operator === 'In' && values.length === 0) errs.push(`key ${key} with operator ${req.operator} must have a value defined`)
  if (req.operator === 'Gt' || req.operator === 'Lt') {
    if (values.length !== 1 || !/^\d+$/.test(values[0])) {
      errs.push(`key ${key} with operator ${req.operator} must have a single positive integer value`)
    }
  }
  return errs
}
