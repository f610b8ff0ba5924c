// The Node of an EC2 instance as the kubelet of an EKS AL2 node registers it (bootstrap:
// `--node-labels`, `--register-with-taints`, not-ready until the CNI is up) and as it turns Ready.
// Shared by the managed node groups (cluster/) and Karpenter's launches (karpenter/). Pure
// builders: the controllers write the objects.

import { mergeTaints, matchTaint, TAINT_NODE_NOT_READY } from '../k8s/taints.ts'
import type { Node, NodeCondition, Taint } from '../k8s/types.ts'
import {
  LABEL_ARCH,
  LABEL_BETA_ARCH,
  LABEL_BETA_INSTANCE_TYPE,
  LABEL_BETA_OS,
  LABEL_FAILURE_DOMAIN_REGION,
  LABEL_FAILURE_DOMAIN_ZONE,
  LABEL_HOSTNAME,
  LABEL_INSTANCE_TYPE,
  LABEL_OS,
  LABEL_REGION,
  LABEL_ZONE,
} from '../k8s/labels.ts'

const DEFAULT_KUBELET_VERSION = 'v1.29.0-eks-5e0fdde'
const NOT_READY_TAINT: Taint = { key: TAINT_NODE_NOT_READY, effect: 'NoSchedule' }

export interface KubeletNodeInput {
  /** The node name (the instance's private DNS name). */
  name: string
  instanceId: string
  privateIp: string
  region: string
  zone: string
  instanceType: string
  arch: string
  providerID: string
  /** `--node-labels` (the launch template's `nodeLabels`). */
  nodeLabels: Record<string, string>
  /** `--register-with-taints`. */
  registerTaints: readonly Taint[]
  /** What the kubelet reports; the twin uses Karpenter's estimate (NodeClaim status). */
  capacity: Record<string, string>
  allocatable: Record<string, string>
  creationTimestamp: string
  kubeletVersion?: string
  osImage?: string
  containerRuntimeVersion?: string
  kernelVersion?: string
}

/**
 * What a node of the EKS-optimized AL2023 AMI reports in `nodeInfo` (late 2026 releases): from
 * Kubernetes 1.33 on, kernel 6.12 and containerd 2 (the AMI descriptions' `containerd: 2.*`,
 * sandbox/aws/spotcheck_moto/eks_amis.py); before, kernel 6.1 and containerd 1.7. Shared by the
 * Karpenter 1.x twin's nodes and the managed node groups of an AL2023 AMI type.
 */
export function al2023NodeInfo(
  arch: string,
  kubernetesVersion: string,
): Required<Pick<KubeletNodeInput, 'osImage' | 'kernelVersion' | 'containerRuntimeVersion'>> {
  const machine = arch === 'arm64' ? 'aarch64' : 'x86_64'
  const minor = Number(kubernetesVersion.split('.')[1] ?? 0)
  return minor >= 33
    ? { osImage: 'Amazon Linux 2023.9.20261201', kernelVersion: `6.12.58-82.121.amzn2023.${machine}`, containerRuntimeVersion: 'containerd://2.1.5' }
    : { osImage: 'Amazon Linux 2023.9.20261201', kernelVersion: `6.1.158-180.294.amzn2023.${machine}`, containerRuntimeVersion: 'containerd://1.7.27' }
}

/** The Node as the kubelet creates it: its own labels + `--node-labels`, NotReady, tainted not-ready. */
export function kubeletNode(input: KubeletNodeInput): Node {
  const os = input.nodeLabels[LABEL_OS] ?? 'linux'
  const labels: Record<string, string> = {
    [LABEL_BETA_ARCH]: input.arch,
    [LABEL_BETA_INSTANCE_TYPE]: input.instanceType,
    [LABEL_BETA_OS]: os,
    [LABEL_FAILURE_DOMAIN_REGION]: input.region,
    [LABEL_FAILURE_DOMAIN_ZONE]: input.zone,
    'k8s.io/cloud-provider-aws': 'eks',
    [LABEL_ARCH]: input.arch,
    [LABEL_HOSTNAME]: input.name,
    [LABEL_OS]: os,
    [LABEL_INSTANCE_TYPE]: input.instanceType,
    [LABEL_REGION]: input.region,
    [LABEL_ZONE]: input.zone,
    ...input.nodeLabels,
  }
  const t = input.creationTimestamp
  const kernel = input.kernelVersion ?? (input.arch === 'arm64' ? '5.10.205-195.807.amzn2.aarch64' : '5.10.205-195.807.amzn2.x86_64')
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: input.name,
      labels: sortObject(labels),
      annotations: {
        'alpha.kubernetes.io/provided-node-ip': input.privateIp,
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
      creationTimestamp: t,
    },
    spec: { providerID: input.providerID, taints: mergeTaints([...input.registerTaints], [{ ...NOT_READY_TAINT, timeAdded: t }]) },
    status: {
      capacity: { ...input.capacity },
      allocatable: { ...input.allocatable },
      conditions: nodeConditions(false, t),
      addresses: [
        { type: 'InternalIP', address: input.privateIp },
        { type: 'InternalDNS', address: input.name },
        { type: 'Hostname', address: input.name },
      ],
      nodeInfo: {
        architecture: input.arch,
        bootID: '',
        containerRuntimeVersion: input.containerRuntimeVersion ?? 'containerd://1.7.11',
        kernelVersion: kernel,
        kubeProxyVersion: input.kubeletVersion ?? DEFAULT_KUBELET_VERSION,
        kubeletVersion: input.kubeletVersion ?? DEFAULT_KUBELET_VERSION,
        machineID: input.instanceId.replace(/^i-/, '').padEnd(32, '0'),
        operatingSystem: os,
        osImage: input.osImage ?? 'Amazon Linux 2',
        systemUUID: `ec2${input.instanceId.replace(/^i-/, '')}`.padEnd(32, '0').slice(0, 32),
      },
    },
  }
}

function nodeConditions(ready: boolean, t: string): NodeCondition[] {
  const ok = (type: string, reason: string, message: string): NodeCondition => ({
    type,
    status: 'False',
    reason,
    message,
    lastHeartbeatTime: t,
    lastTransitionTime: t,
  })
  return [
    ok('MemoryPressure', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    ok('DiskPressure', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    ok('PIDPressure', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    ready
      ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: t, lastTransitionTime: t }
      : {
          type: 'Ready',
          status: 'False',
          reason: 'KubeletNotReady',
          message:
            'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
          lastHeartbeatTime: t,
          lastTransitionTime: t,
        },
  ]
}

/** The node turns Ready (CNI up): Ready condition True, not-ready taint removed by the node lifecycle controller. */
export function markNodeReady(node: Node, time: string): Node {
  const conditions = (node.status?.conditions ?? []).filter((c) => c.type !== 'Ready')
  conditions.push({
    type: 'Ready',
    status: 'True',
    reason: 'KubeletReady',
    message: 'kubelet is posting ready status',
    lastHeartbeatTime: time,
    lastTransitionTime: time,
  })
  return {
    ...node,
    spec: { ...(node.spec ?? {}), taints: (node.spec?.taints ?? []).filter((t) => !matchTaint(t, NOT_READY_TAINT)) },
    status: { ...(node.status ?? {}), conditions },
  }
}

/** Labels in key order, as the API server's JSON shows them. */
export function sortObject(o: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const k of Object.keys(o).sort()) out[k] = o[k]
  return out
}
