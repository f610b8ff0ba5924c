// The tutorial's objects (NodePool, EC2NodeClass, workloads, the EKS DaemonSets) and an
// eu-west-2 instance catalogue built from moto's real data, for the Karpenter twin's tests.

import { createHash } from 'node:crypto'
import type { NodeSelectorRequirement, Pod, Taint, Toleration, TopologySpreadConstraint } from '../../../../sandbox/k8s/types.ts'
import type { EC2NodeClass, NodePool } from '../../../../sandbox/karpenter/api.ts'
import {
  buildInstanceTypes,
  onDemandPricesFor,
  passesDescribeFilters,
  zonesByInstanceType,
  type InstanceType,
  type InstanceTypeOptions,
  type PriceBook,
} from '../../../../sandbox/karpenter/instance-types.ts'
import { branchInterfaces, motoInstanceTypes, motoOfferings, onDemandPriceFile } from './moto-data.ts'

export const REGION = 'eu-west-2'
export const ZONES = ['eu-west-2a', 'eu-west-2b', 'eu-west-2c']

/**
 * The requirements of the tutorial's `default` NodePool (Step 3), which the current edition keeps
 * as they are in karpenter.sh/v1: a fresh array on each call, as tests change them.
 */
export function tutorialRequirements(): NodeSelectorRequirement[] {
  return [
    { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] },
    { key: 'karpenter.k8s.aws/instance-cpu', operator: 'Gt', values: ['4'] },
    { key: 'karpenter.k8s.aws/instance-memory', operator: 'Gt', values: ['8191'] },
    { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] },
    { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm', 'r'] },
  ]
}

/** The tutorial's `default` NodePool (Step 3). */
export function tutorialNodePool(overrides: Partial<NodePool['spec']> = {}, name = 'default'): NodePool {
  return {
    apiVersion: 'karpenter.sh/v1beta1',
    kind: 'NodePool',
    metadata: { name, uid: `uid-${name}` },
    spec: {
      template: {
        metadata: { labels: { intent: 'apps' } },
        spec: {
          requirements: tutorialRequirements(),
          nodeClassRef: { apiVersion: 'karpenter.k8s.aws/v1beta1', kind: 'EC2NodeClass', name: 'default' },
          kubelet: { systemReserved: { cpu: '100m', memory: '100Mi' } },
        },
      },
      disruption: { consolidationPolicy: 'WhenUnderutilized', expireAfter: '168h' },
      ...overrides,
    },
  }
}

export function tutorialNodeClass(): EC2NodeClass {
  return {
    apiVersion: 'karpenter.k8s.aws/v1beta1',
    kind: 'EC2NodeClass',
    metadata: { name: 'default' },
    spec: {
      amiFamily: 'AL2',
      subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'spot-and-karpenter' } }],
      securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'spot-and-karpenter' } }],
      role: 'karpenter-spot-and-karpenter',
      tags: {
        project: 'build-on-aws',
        IntentLabel: 'apps',
        KarpenterNodePoolName: 'default',
        NodeType: 'default',
        intent: 'apps',
        'karpenter.sh/discovery': 'spot-and-karpenter',
      },
    },
  }
}

function unit(...parts: string[]): number {
  return Number.parseInt(createHash('sha256').update(parts.join(':')).digest('hex').slice(0, 12), 16) / 2 ** 48
}

/** A deterministic Spot market: 55–80 % off On-Demand per (type, zone), like the sandbox's model. */
export function spotPrices(onDemand: Record<string, number>, zones = ZONES): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {}
  for (const [t, p] of Object.entries(onDemand)) {
    out[t] = {}
    for (const z of zones) out[t][z] = Number((p * (1 - (0.55 + 0.25 * unit(t, z)))).toFixed(5))
  }
  return out
}

export function tutorialPrices(): PriceBook {
  const onDemand = onDemandPricesFor(onDemandPriceFile(), REGION)
  return { onDemand, spot: spotPrices(onDemand) }
}

let cached: InstanceType[] | undefined

/** The tutorial NodePool's instance types in eu-west-2 (moto catalogue, three subnets). */
export function tutorialInstanceTypes(opts: Partial<InstanceTypeOptions> = {}): InstanceType[] {
  const useCache = Object.keys(opts).length === 0
  if (useCache && cached) return cached
  const infos = Object.values(motoInstanceTypes()).filter(passesDescribeFilters)
  const its = buildInstanceTypes(infos, zonesByInstanceType(motoOfferings(REGION)), {
    region: REGION,
    zones: ZONES,
    subnetZones: ZONES,
    prices: tutorialPrices(),
    kubelet: tutorialNodePool().spec.template.spec.kubelet,
    nodeClass: { amiFamily: 'AL2' },
    branchInterfaces: branchInterfaces(),
    ...opts,
  })
  if (useCache) cached = its
  return its
}

function requestsOf(c: { cpu: string; memory?: string }): Record<string, string> {
  return c.memory ? { cpu: c.cpu, memory: c.memory } : { cpu: c.cpu }
}

function dsPod(name: string, containers: { cpu: string; memory?: string }[], nodeSelector?: Record<string, string>): Pod {
  return {
    metadata: { name, namespace: 'kube-system', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name }] },
    spec: {
      nodeSelector,
      tolerations: [{ operator: 'Exists' }],
      containers: containers.map((c, i) => ({ name: `c${i}`, resources: { requests: requestsOf(c) } })),
    },
  }
}

/**
 * EKS 1.29 + EBS CSI add-on DaemonSets: 210m / 240Mi / 4 pods of overhead for a Linux NodePool
 * (ebs-csi-node-windows counts too: the NodePool does not constrain kubernetes.io/os).
 */
export function tutorialDaemonSetPods(): Pod[] {
  return [
    dsPod('aws-node', [{ cpu: '25m' }, { cpu: '25m' }]),
    dsPod('kube-proxy', [{ cpu: '100m' }]),
    dsPod('ebs-csi-node', [
      { cpu: '10m', memory: '40Mi' },
      { cpu: '10m', memory: '40Mi' },
      { cpu: '10m', memory: '40Mi' },
    ]),
    dsPod(
      'ebs-csi-node-windows',
      [
        { cpu: '10m', memory: '40Mi' },
        { cpu: '10m', memory: '40Mi' },
        { cpu: '10m', memory: '40Mi' },
      ],
      { 'kubernetes.io/os': 'windows' },
    ),
  ]
}

export interface WorkloadOptions {
  app?: string
  capacityType?: string
  nodeSelector?: Record<string, string>
  cpu?: string
  memory?: string
  tsc?: TopologySpreadConstraint[]
  tolerations?: Toleration[]
  namespace?: string
  annotations?: Record<string, string>
  nodeName?: string
  affinity?: Pod['spec']['affinity']
  hostPort?: number
}

/** Pending pods of a tutorial Deployment (`stateless`: 512m / 512Mi, nodeSelector intent + capacity type). */
export function workloadPods(count: number, o: WorkloadOptions = {}): Pod[] {
  const app = o.app ?? 'stateless'
  return Array.from({ length: count }, (_, i) => ({
    metadata: {
      name: `${app}-7956bd8d4c-${String(i).padStart(5, '0')}`,
      namespace: o.namespace ?? 'default',
      uid: `${app}-uid-${i}`,
      labels: { app },
      annotations: o.annotations,
      creationTimestamp: '2024-01-28T21:14:30Z',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-7956bd8d4c` }],
    },
    spec: {
      nodeName: o.nodeName,
      nodeSelector: o.nodeSelector ?? { intent: 'apps', 'karpenter.sh/capacity-type': o.capacityType ?? 'spot' },
      topologySpreadConstraints: o.tsc,
      tolerations: o.tolerations,
      affinity: o.affinity,
      containers: [
        {
          name: 'app',
          image: 'public.ecr.aws/eks-distro/kubernetes/pause:v1.29.0-eks-1-29-latest',
          resources: { requests: { cpu: o.cpu ?? '512m', memory: o.memory ?? '512Mi' } },
          ports: o.hostPort ? [{ containerPort: 80, hostPort: o.hostPort, protocol: 'TCP' }] : undefined,
        },
      ],
    },
    status: o.nodeName ? { phase: 'Running' } : { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] },
  }))
}

/** The labels of a node Karpenter launched for the tutorial's NodePool, registered and initialized. */
export function karpenterNodeLabels(name: string, type: string, zone: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'karpenter.sh/nodepool': 'default',
    'karpenter.sh/registered': 'true',
    'karpenter.sh/initialized': 'true',
    'karpenter.sh/capacity-type': 'spot',
    intent: 'apps',
    'node.kubernetes.io/instance-type': type,
    'topology.kubernetes.io/zone': zone,
    'kubernetes.io/hostname': name,
    ...extra,
  }
}

export const ZONE_SPREAD: TopologySpreadConstraint[] = [
  {
    labelSelector: { matchLabels: { app: 'stateless' } },
    maxSkew: 1,
    minDomains: 2,
    topologyKey: 'topology.kubernetes.io/zone',
    whenUnsatisfiable: 'DoNotSchedule',
  },
]

export const NO_SCHEDULE = (key: string, value?: string): Taint => ({ key, value, effect: 'NoSchedule' })
