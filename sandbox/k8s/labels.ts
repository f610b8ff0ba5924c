// The well-known labels Kubernetes itself defines for nodes (k8s.io/api core/v1
// well_known_labels.go), shared by every part of the sandbox that builds or reads a Node.

export const LABEL_HOSTNAME = 'kubernetes.io/hostname'
export const LABEL_ARCH = 'kubernetes.io/arch'
export const LABEL_OS = 'kubernetes.io/os'
export const LABEL_INSTANCE_TYPE = 'node.kubernetes.io/instance-type'
export const LABEL_ZONE = 'topology.kubernetes.io/zone'
export const LABEL_REGION = 'topology.kubernetes.io/region'
export const LABEL_WINDOWS_BUILD = 'node.kubernetes.io/windows-build'
export const LABEL_BETA_INSTANCE_TYPE = 'beta.kubernetes.io/instance-type'
export const LABEL_BETA_ARCH = 'beta.kubernetes.io/arch'
export const LABEL_BETA_OS = 'beta.kubernetes.io/os'
export const LABEL_FAILURE_DOMAIN_ZONE = 'failure-domain.beta.kubernetes.io/zone'
export const LABEL_FAILURE_DOMAIN_REGION = 'failure-domain.beta.kubernetes.io/region'
