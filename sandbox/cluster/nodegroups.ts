// EKS managed node groups: EKS launches the group's instances in EC2 (here: moto, through the
// EC2 API, so `aws ec2 describe-instances` shows them), and each instance's kubelet joins the
// cluster with the group's labels and taints. Scaling changes launch or terminate instances;
// deleting the group drains and terminates them.

import {
  DescribeInstanceTypesCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type Instance,
  type InstanceTypeInfo,
} from '@aws-sdk/client-ec2'
import type { Clock } from '../runtime/clock.ts'
import { ignoreNotFound } from '../kube/errors.ts'
import type { Store } from '../kube/store.ts'
import type { Taint } from '../k8s/types.ts'
import { DEFAULT_BOOT, kubeletVersion, type Machines } from './machines.ts'
import { al2023NodeInfo, kubeletNode } from '../ec2-nodes/kubelet-node.ts'

export interface NodeGroupHook {
  cluster: string
  nodegroupName: string
  nodeRole?: string
  subnets?: string[]
  instanceTypes?: string[] | null
  scalingConfig?: { minSize?: number; maxSize?: number; desiredSize?: number }
  labels?: Record<string, string> | null
  taints?: { key: string; value?: string; effect: string }[] | null
  capacityType?: string
  amiType?: string
  tags?: Record<string, string> | null
  /** EKS's release of the group's AMI (`1.35.0-20261206`). */
  releaseVersion?: string
  /** spotcheck's own field: the AMI an AL2023 node group launches (the day's EKS-optimized AL2023 image). */
  imageId?: string
}

/** A node group as a snapshot keeps it. */
export interface NodeGroupDump {
  spec: NodeGroupHook
  instances: [string, string][]
}

interface NodeGroup {
  spec: NodeGroupHook
  instances: Map<string, string> // instance id → node name
}

/** The capacity and allocatable a node of this instance type reports (the AMI's bootstrap reservations). */
export type NodeShape = (info: InstanceTypeInfo, zone: string) => { capacity: Record<string, string>; allocatable: Record<string, string> }

/** The EKS-optimized AL2 AMI an AL2 node group launches (its id only matters to the sandbox's EC2). */
const NODE_GROUP_AMI = 'ami-0eks129al2x86000'

/** An AL2023 AMI type (`AL2023_x86_64_STANDARD`, `AL2023_ARM_64_STANDARD`): its nodes report AL2023. */
const isAl2023 = (spec: NodeGroupHook) => (spec.amiType ?? '').startsWith('AL2023_')

// Node group taints are written in EKS's API spelling.
const EFFECTS: Record<string, string> = { NO_SCHEDULE: 'NoSchedule', NO_EXECUTE: 'NoExecute', PREFER_NO_SCHEDULE: 'PreferNoSchedule' }

export class NodeGroups {
  private readonly groups = new Map<string, NodeGroup>()
  private readonly ec2: EC2Client
  private readonly store: Store
  private readonly machines: Machines
  private readonly clock: Clock
  private readonly log: (line: string) => void
  private readonly cluster: { name: string; region: string; kubernetesVersion: string }
  private readonly nodeShape: NodeShape

  constructor(options: {
    ec2: EC2Client
    store: Store
    machines: Machines
    clock: Clock
    log: (line: string) => void
    cluster: { name: string; region: string; kubernetesVersion: string }
    nodeShape: NodeShape
  }) {
    this.ec2 = options.ec2
    this.store = options.store
    this.machines = options.machines
    this.clock = options.clock
    this.log = options.log
    this.cluster = options.cluster
    this.nodeShape = options.nodeShape
  }

  async created(spec: NodeGroupHook): Promise<void> {
    const group: NodeGroup = { spec, instances: new Map() }
    this.groups.set(spec.nodegroupName, group)
    await this.scale(group, spec.scalingConfig?.desiredSize ?? 2)
  }

  async updated(spec: Partial<NodeGroupHook> & { nodegroupName: string }): Promise<void> {
    const group = this.groups.get(spec.nodegroupName)
    if (!group) return
    group.spec = { ...group.spec, ...spec }
    await this.scale(group, group.spec.scalingConfig?.desiredSize ?? group.instances.size)
  }

  async deleted(name: string): Promise<void> {
    const group = this.groups.get(name)
    if (!group) return
    await this.scale(group, 0)
    this.groups.delete(name)
  }

  /** The groups and their instances, for a snapshot. */
  dump(): NodeGroupDump[] {
    return [...this.groups.values()].map((g) => ({ spec: structuredClone(g.spec), instances: [...g.instances] }))
  }

  /** Takes up a snapshot's groups as they were (their instances' machines resume in Machines). */
  restore(dump: NodeGroupDump[]): void {
    for (const g of dump) this.groups.set(g.spec.nodegroupName, { spec: structuredClone(g.spec), instances: new Map(g.instances) })
  }

  /** Instance ids of every node group instance. */
  instanceIds(): string[] {
    return [...this.groups.values()].flatMap((g) => [...g.instances.keys()])
  }

  private async scale(group: NodeGroup, desired: number): Promise<void> {
    while (group.instances.size < desired) await this.launch(group, group.instances.size)
    if (group.instances.size > desired) {
      const victims = [...group.instances.keys()].slice(desired)
      for (const id of victims) {
        const node = group.instances.get(id)!
        group.instances.delete(id)
        this.machines.halt(id)
        if (node) this.deleteNode(node)
      }
      await this.ec2.send(new TerminateInstancesCommand({ InstanceIds: victims }))
      this.log(`node group ${group.spec.nodegroupName}: terminated ${victims.join(', ')}`)
    }
  }

  private async launch(group: NodeGroup, index: number): Promise<void> {
    const spec = group.spec
    const subnets = spec.subnets ?? []
    const subnet = subnets[index % Math.max(1, subnets.length)]
    // On-Demand node groups use the "prioritized" strategy: the first type listed.
    const instanceType = spec.instanceTypes?.[0] ?? 't3.medium'
    const tags = {
      ...(spec.tags ?? {}),
      'eks:cluster-name': this.cluster.name,
      'eks:nodegroup-name': spec.nodegroupName,
      [`kubernetes.io/cluster/${this.cluster.name}`]: 'owned',
      'k8s.io/cluster-autoscaler/enabled': 'true',
      [`k8s.io/cluster-autoscaler/${this.cluster.name}`]: 'owned',
      'aws:autoscaling:groupName': `eks-${spec.nodegroupName}-sandbox`,
      Name: '',
    }
    delete (tags as Record<string, string>).Name
    const out = await this.ec2.send(
      new RunInstancesCommand({
        ImageId: spec.imageId ?? NODE_GROUP_AMI,
        InstanceType: instanceType as never,
        MinCount: 1,
        MaxCount: 1,
        SubnetId: subnet,
        TagSpecifications: [{ ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }],
      }),
    )
    const instance = out.Instances![0]
    group.instances.set(instance.InstanceId!, instance.PrivateDnsName!)
    await this.boot(group, instance)
    this.log(`node group ${spec.nodegroupName}: launched ${instance.InstanceId} (${instanceType}) in ${instance.Placement?.AvailabilityZone}`)
  }

  private async boot(group: NodeGroup, instance: Instance): Promise<void> {
    const type = instance.InstanceType!
    const zone = instance.Placement!.AvailabilityZone!
    const info = (await this.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: [type as never] }))).InstanceTypes![0]
    const shape = this.nodeShape(info, zone)
    const spec = group.spec
    const taints: Taint[] = (spec.taints ?? []).map((t) => ({ key: t.key, value: t.value, effect: EFFECTS[t.effect] ?? t.effect }))
    const arch = (info.ProcessorInfo?.SupportedArchitectures ?? []).includes('arm64') ? 'arm64' : 'amd64'
    const node = kubeletNode({
      name: instance.PrivateDnsName!,
      instanceId: instance.InstanceId!,
      privateIp: instance.PrivateIpAddress!,
      region: this.cluster.region,
      zone,
      instanceType: type,
      arch,
      providerID: `aws:///${zone}/${instance.InstanceId}`,
      nodeLabels: {
        ...(spec.labels ?? {}),
        'eks.amazonaws.com/capacityType': spec.capacityType ?? 'ON_DEMAND',
        'eks.amazonaws.com/nodegroup': spec.nodegroupName,
        'eks.amazonaws.com/nodegroup-image': spec.imageId ?? NODE_GROUP_AMI,
      },
      registerTaints: taints,
      capacity: shape.capacity,
      allocatable: shape.allocatable,
      creationTimestamp: this.clock.now().toISOString(),
      kubeletVersion: kubeletVersion(this.cluster.kubernetesVersion),
      // An AL2023 AMI type's nodes report AL2023 as EKS's do; AL2 groups keep kubeletNode's AL2 defaults.
      ...(isAl2023(spec) ? al2023NodeInfo(arch, this.cluster.kubernetesVersion) : {}),
    })
    this.machines.boot({ instanceId: instance.InstanceId!, node, ...DEFAULT_BOOT })
  }

  private deleteNode(name: string): void {
    try {
      this.store.delete('nodes', undefined, name)
    } catch (error) {
      ignoreNotFound(error)
    }
  }

  stop(): void {
    void this.clock
  }
}
