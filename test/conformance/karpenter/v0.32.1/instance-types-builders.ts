// Fixtures for the instance-type suite (aws/karpenter-provider-aws@v0.32.1
// pkg/providers/instancetype/nodeclass_test.go): what the suite's `awsEnv` (fake EC2, fake pricing,
// the unavailable-offerings cache) and core's ExpectProvisioned / ExpectScheduled stand for, over
// the twin's pure logic:
//
// - the instance types are `buildInstanceTypes` (sandbox/karpenter/instance-types.ts) over the
//   fake EC2 data (instance-types-fake-ec2.ts), its three zones `test-zone-1a/b/c`, its three
//   subnets, and the static us-east-1 On-Demand prices (the pricing provider's fallback for the
//   suite's region; the sandbox's fixtures/prices table holds the same figures). Before a
//   DescribeSpotPriceHistory update, a Spot price is the On-Demand one, as upstream.
// - `provision` is ExpectProvisioned: one provisioning round (sandbox/karpenter/provisioning.ts),
//   then for each NodeClaim the AWS CloudProvider.Create decision (sandbox/karpenter/launch.ts
//   planLaunch), the fake CreateFleet (which skips insufficient-capacity pools and, like
//   upstream's fake, reports the first override as the launched type), interpretFleetResult and
//   the ICE cache. Pods of a launched NodeClaim are bound to it; the NodeClaim stays as an
//   in-flight state node for later rounds. A failed launch leaves its pods pending.

import assert from 'node:assert/strict'
import type { CreateFleetCommandInput, CreateFleetCommandOutput, InstanceTypeInfo, InstanceTypeOffering, Subnet } from '@aws-sdk/client-ec2'
import { Quantity } from '../../../../sandbox/k8s/quantity.ts'
import { CPU, MEMORY, type ResourceList } from '../../../../sandbox/k8s/resources.ts'
import type { NodeSelectorRequirement, Pod, RawResourceList } from '../../../../sandbox/k8s/types.ts'
import type { BlockDeviceMapping, EC2NodeClass, KubeletConfiguration, NodeClaim, NodePool } from '../../../../sandbox/karpenter/api.ts'
import {
  buildInstanceTypes,
  newInstanceType,
  onDemandPricesFor,
  zonesByInstanceType,
  type InstanceType,
  type InstanceTypeSettings,
} from '../../../../sandbox/karpenter/instance-types.ts'
import { interpretFleetResult, launchedNodeClaim, markFleetUnavailable, planLaunch, type LaunchTemplatePlan } from '../../../../sandbox/karpenter/launch.ts'
import { provisioningRound } from '../../../../sandbox/karpenter/provisioning.ts'
import { seededRng } from '../../../../sandbox/karpenter/rng.ts'
import { buildStateNode } from '../../../../sandbox/karpenter/state.ts'
import { newUnavailableOfferings, type UnavailableOfferings } from '../../../../sandbox/karpenter/unavailable-offerings.ts'
import type { PortedCase } from '../harness.ts'
import { branchInterfaces, onDemandPriceFile } from '../../../unit/karpenter/helpers/moto-data.ts'
import { FAKE_INSTANCE_TYPES, FAKE_OFFERINGS } from './instance-types-fake-ec2.ts'

export const REGION = 'us-west-2'
export const ZONES = ['test-zone-1a', 'test-zone-1b', 'test-zone-1c']
export const ON_DEMAND: Readonly<Record<string, number>> = onDemandPricesFor(onDemandPriceFile(), 'us-east-1')

/** The fake's three subnets (pkg/fake/ec2api.go DescribeSubnets). */
export function fakeSubnets(): Subnet[] {
  return ZONES.map((zone, i) => ({ SubnetId: `subnet-test${i + 1}`, AvailabilityZone: zone, AvailableIpAddressCount: 100 }))
}

/** One record of the fake's DescribeInstanceTypes. */
export function fakeInfo(name: string): InstanceTypeInfo {
  const info = FAKE_INSTANCE_TYPES.find((i) => i.InstanceType === name)
  if (!info) throw new Error(`the fake EC2 API has no ${name}`)
  return info
}

/** `test.Settings()` / `test.Options()` defaults. */
export const DEFAULT_SETTINGS: InstanceTypeSettings = { vmMemoryOverheadPercent: 0.075, reservedENIs: 0, enableENILimitedPodDensity: true }

/** `test.EC2NodeClass()` (AL2 unless told), optionally with another AMI family or block devices. */
export function ec2NodeClass(name = 'default', spec: { amiFamily?: string; blockDeviceMappings?: BlockDeviceMapping[] } = {}): EC2NodeClass {
  return {
    apiVersion: 'karpenter.k8s.aws/v1beta1',
    kind: 'EC2NodeClass',
    metadata: { name, uid: `uid-${name}` },
    spec: { amiFamily: 'AL2', subnetSelectorTerms: [{ tags: { '*': '*' } }], securityGroupSelectorTerms: [{ tags: { '*': '*' } }], ...spec },
  }
}

/** `coretest.NodePool(...)`: the suite's pools start with `capacity-type In [on-demand]`. */
export function nodePool(
  name: string,
  nodeClassName: string,
  requirements: NodeSelectorRequirement[] = [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] }],
  kubelet?: KubeletConfiguration,
): NodePool {
  return {
    apiVersion: 'karpenter.sh/v1beta1',
    kind: 'NodePool',
    metadata: { name, uid: `uid-${name}` },
    spec: {
      template: { spec: { requirements, kubelet, nodeClassRef: { apiVersion: 'karpenter.k8s.aws/v1beta1', kind: 'EC2NodeClass', name: nodeClassName } } },
      disruption: { consolidationPolicy: 'WhenUnderutilized', expireAfter: '720h' },
    },
  }
}

let podSeq = 0

export interface PodOptions {
  nodeSelector?: Record<string, string>
  requests?: RawResourceList
  limits?: RawResourceList
  /** Preferred node affinity terms (weight 1 each). */
  preferred?: NodeSelectorRequirement[][]
}

/** `coretest.UnschedulablePod(...)`: pending, marked Unschedulable by kube-scheduler. */
export function unschedulablePod(o: PodOptions = {}): Pod {
  podSeq++
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${podSeq}`, namespace: 'default', uid: `pod-uid-${podSeq}` },
    spec: {
      nodeSelector: o.nodeSelector,
      containers: [{ name: 'app', image: 'pause', resources: { requests: o.requests ?? o.limits, limits: o.limits } }],
    },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] },
  }
  if (o.preferred)
    pod.spec.affinity = {
      nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: o.preferred.map((m) => ({ weight: 1, preference: { matchExpressions: m } })) },
    }
  return pod
}

interface CapacityPool {
  capacityType: string
  instanceType: string
  zone: string
}

interface Launched {
  nodeClaim: NodeClaim
  pods: Pod[]
}

/** The suite's `awsEnv` + cluster state: reset per case by building a new one. */
export class InstanceTypeEnv {
  infos: InstanceTypeInfo[]
  offerings: InstanceTypeOffering[]
  /** DescribeAvailabilityZones. */
  zones: string[]
  subnets: Subnet[] = fakeSubnets()
  /** DescribeSpotPriceHistory after `UpdateSpotPricing` (type → zone → price); undefined before. */
  spotPrices: Record<string, Record<string, number>> | undefined
  onDemand: Readonly<Record<string, number>> = ON_DEMAND
  settings: InstanceTypeSettings = { ...DEFAULT_SETTINGS }
  readonly unavailable: UnavailableOfferings = newUnavailableOfferings()
  /** `awsEnv.EC2API.InsufficientCapacityPools`. */
  insufficientCapacityPools: CapacityPool[] = []
  readonly createFleetCalls: CreateFleetCommandInput[] = []
  readonly launchTemplates: LaunchTemplatePlan[] = []
  readonly launched: Launched[] = []
  readonly rng = seededRng('instance-types')
  nowMs = 0

  /** The fake EC2 data (v0.32.1's by default; the 1.x suite passes v1.9.2's). */
  constructor(
    data: { infos: InstanceTypeInfo[]; offerings: InstanceTypeOffering[]; zones?: string[] } = { infos: FAKE_INSTANCE_TYPES, offerings: FAKE_OFFERINGS },
  ) {
    this.infos = data.infos
    this.offerings = data.offerings
    this.zones = data.zones ?? ZONES
  }

  /** One record of the env's DescribeInstanceTypes. */
  info(name: string): InstanceTypeInfo {
    const info = this.infos.find((i) => i.InstanceType === name)
    if (!info) throw new Error(`the fake EC2 API has no ${name}`)
    return info
  }

  /** `cloudProvider.GetInstanceTypes(nodePool)` = `InstanceTypesProvider.List(kubelet, nodeClass)`. */
  instanceTypes(pool: NodePool, nodeClass: EC2NodeClass): InstanceType[] {
    return buildInstanceTypes(this.infos, zonesByInstanceType(this.offerings), {
      region: REGION,
      zones: this.zones,
      subnetZones: this.subnets.map((s) => s.AvailabilityZone ?? ''),
      prices: { onDemand: this.onDemand, spot: this.spotPrices },
      nodeClass: nodeClass.spec,
      kubelet: pool.spec.template.spec.kubelet,
      settings: this.settings,
      branchInterfaces: branchInterfaces(),
      unavailable: this.unavailable,
      nowMs: this.nowMs,
    })
  }

  /** `instancetype.NewInstanceType(ctx, info, kubelet, region, nodeClass, nil)`: no offerings. */
  newInstanceType(info: InstanceTypeInfo, kubelet: KubeletConfiguration | undefined, nodeClass: EC2NodeClass): InstanceType {
    return newInstanceType(info, new Set(), {
      region: REGION,
      zones: [],
      subnetZones: [],
      prices: { onDemand: this.onDemand },
      nodeClass: nodeClass.spec,
      kubelet,
      settings: this.settings,
      branchInterfaces: branchInterfaces(),
    })
  }

  /** `ExpectProvisioned(pods...)` over the given NodePools (each with its EC2NodeClass). */
  provision(pools: { nodePool: NodePool; nodeClass: EC2NodeClass }[], pods: Pod[]): void {
    const byPool = new Map(pools.map((p) => [p.nodePool.metadata.name ?? '', p]))
    const instanceTypes = new Map(pools.map((p) => [p.nodePool.metadata.name ?? '', this.instanceTypes(p.nodePool, p.nodeClass)]))
    const round = provisioningRound({
      pendingPods: pods,
      nodePools: pools.map((p) => p.nodePool),
      instanceTypes,
      stateNodes: this.launched.map((l) => buildStateNode({ nodeClaim: l.nodeClaim, pods: l.pods })),
      rng: this.rng,
    })
    for (const { pod, node } of round.nominations) pod.spec.nodeName = node.name
    round.nodeClaims.forEach((nodeClaim, i) => {
      const planned = round.results.newNodeClaims[i]
      const pool = byPool.get(planned.nodePoolName)
      if (!pool) return
      const decision = planLaunch({
        nodeClaim,
        instanceTypes: instanceTypes.get(planned.nodePoolName) ?? [],
        nodeClass: pool.nodeClass,
        subnets: this.subnets,
        amis: { amd64: 'ami-amd64', arm64: 'ami-arm64', gpu: 'ami-gpu' },
        cluster: { name: 'test-cluster', endpoint: 'https://test-cluster', kubeDnsIP: '10.0.100.10' },
      })
      if (!decision.ok) return
      const input = decision.plan.createFleetInput
      this.createFleetCalls.push(input)
      this.launchTemplates.push(...decision.plan.launchTemplates)
      const outcome = interpretFleetResult(this.createFleet(input), decision.plan.capacityType)
      markFleetUnavailable(this.unavailable, nodeClaim, outcome.unavailable, this.nowMs)
      if (!outcome.ok) return
      const it = (instanceTypes.get(planned.nodePoolName) ?? []).find((t) => t.name === outcome.instance.instanceType)
      const launched = launchedNodeClaim(nodeClaim, outcome.instance, it, { clusterName: 'test-cluster', nodeClass: pool.nodeClass, rng: this.rng })
      const podsOnIt = planned.podList()
      for (const p of podsOnIt) p.spec.nodeName = launched.metadata.name
      this.launched.push({ nodeClaim: launched, pods: podsOnIt })
    })
  }

  /** `ExpectScheduled(pod)`: the NodeClaim (standing for its Node) the pod is bound to, or undefined. */
  nodeOf(pod: Pod): NodeClaim | undefined {
    return this.launched.find((l) => l.nodeClaim.metadata.name === pod.spec.nodeName)?.nodeClaim
  }

  /** pkg/fake/ec2api.go CreateFleet: ICE pools are skipped (and reported); the first override is what launches. */
  private createFleet(input: CreateFleetCommandInput): Pick<CreateFleetCommandOutput, 'Instances' | 'Errors'> {
    const capacityType = input.TargetCapacitySpecification?.DefaultTargetCapacityType ?? 'on-demand'
    const skipped: CapacityPool[] = []
    let fulfilled = false
    for (const config of input.LaunchTemplateConfigs ?? []) {
      for (const o of config.Overrides ?? []) {
        const pool = this.insufficientCapacityPools.find(
          (p) => p.instanceType === o.InstanceType && p.zone === o.AvailabilityZone && p.capacityType === capacityType,
        )
        if (pool) {
          skipped.push(pool)
          continue
        }
        fulfilled = true
      }
      if (fulfilled) break
    }
    const first = input.LaunchTemplateConfigs?.[0]?.Overrides?.[0]
    return {
      Instances: [
        {
          InstanceIds: fulfilled ? [`i-${(this.launched.length + 1).toString(16).padStart(17, '0')}`] : [],
          InstanceType: first?.InstanceType,
          Lifecycle: capacityType === 'spot' ? 'spot' : 'on-demand',
          LaunchTemplateAndOverrides: { Overrides: { ...first } },
        },
      ],
      Errors: skipped.map((p) => ({
        ErrorCode: 'InsufficientInstanceCapacity',
        ErrorMessage: 'There is no Spot capacity available that matches your request.',
        LaunchTemplateAndOverrides: { Overrides: { InstanceType: p.instanceType as never, AvailabilityZone: p.zone } },
      })),
    }
  }
}

// ---- what both tags' suites (v0.32.1/ and v1.9.2/instance-types.test.ts) check with ----

export const OD_ONLY: NodeSelectorRequirement[] = [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] }]
export const SPOT_AND_OD: NodeSelectorRequirement = { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] }
export const oneCPU: PodOptions = { requests: { cpu: '1' }, limits: { cpu: '1' } }
export const RESERVED = { systemReserved: { memory: '20Gi' }, kubeReserved: { memory: '10Gi' } }
const preferZone1a: NodeSelectorRequirement[][] = [[{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['test-zone-1a'] }]]

/** What a suite's BeforeEach builds: the `default` NodePool on its EC2NodeClass, over a fresh env. */
export interface InstanceTypeSuite {
  env: InstanceTypeEnv
  nodeClass: EC2NodeClass
  nodePool: NodePool
}

/** ExpectProvisioned with the default NodePool only. */
export function provision(s: InstanceTypeSuite, ...pods: Pod[]): void {
  s.env.provision([{ nodePool: s.nodePool, nodeClass: s.nodeClass }], pods)
}

export function expectScheduled(s: InstanceTypeSuite, pod: Pod): NodeClaim {
  const node = s.env.nodeOf(pod)
  assert.ok(node, `${pod.metadata.name} scheduled`)
  return node
}

export function expectNotScheduled(s: InstanceTypeSuite, pod: Pod): void {
  assert.equal(s.env.nodeOf(pod), undefined, `${pod.metadata.name} not scheduled`)
}

export function labelsOf(node: NodeClaim): Record<string, string> {
  return node.metadata.labels ?? {}
}

/** The overrides of the one CreateFleet call the round made. */
export function onlyFleetOverrides(s: InstanceTypeSuite): { type: string; zone: string }[] {
  assert.equal(s.env.createFleetCalls.length, 1)
  return (s.env.createFleetCalls[0].LaunchTemplateConfigs ?? []).flatMap((c) =>
    (c.Overrides ?? []).map((o) => ({ type: String(o.InstanceType), zone: o.AvailabilityZone ?? '' })),
  )
}

export function resource(list: ResourceList, name: string): string {
  return (list[name] ?? Quantity.ZERO).toString()
}

/** Memory within 10 bytes of `fraction` × capacity (`BeNumerically("~", …, 10)`). */
export function expectMemoryThresholdNear(it: InstanceType, fraction: number): void {
  const got = it.overhead.evictionThreshold[MEMORY].toNumber()
  const want = it.capacity[MEMORY].toNumber() * fraction
  assert.ok(Math.abs(got - want) <= 10, `${got} ~ ${want}`)
}

/** The ICE cases' fallback: `type` is short in test-zone-1a on-demand, so the pod (preferring 1a) lands in 1b on the second round. */
function fallbackToZone1b(suite: () => InstanceTypeSuite, type: string, resourceName: string): () => void {
  return () => {
    const s = suite()
    s.env.insufficientCapacityPools = [{ capacityType: 'on-demand', instanceType: type, zone: 'test-zone-1a' }]
    const pod = unschedulablePod({
      nodeSelector: { 'node.kubernetes.io/instance-type': type },
      requests: { [resourceName]: '1' },
      limits: { [resourceName]: '1' },
      preferred: preferZone1a,
    })
    provision(s, pod)
    expectNotScheduled(s, pod)
    provision(s, pod)
    const labels = labelsOf(expectScheduled(s, pod))
    assert.equal(labels['node.kubernetes.io/instance-type'], type)
    assert.equal(labels['topology.kubernetes.io/zone'], 'test-zone-1b')
  }
}

// ---- the cases whose bodies are the same at both tags (each suite names them) ----

/** `makeFakeInstances()`: every priced type, uniform 2 vCPU / 8 GiB / 3 ENIs × 10 IPs, offered in test-zone-1a. */
export function fakeUniformInstances(s: InstanceTypeSuite): void {
  s.env.infos = Object.keys(ON_DEMAND).map((name) => ({
    InstanceType: name as InstanceTypeInfo['InstanceType'],
    ProcessorInfo: { SupportedArchitectures: ['x86_64'] },
    VCpuInfo: { DefaultCores: 1, DefaultVCpus: 2 },
    MemoryInfo: { SizeInMiB: 8192 },
    NetworkInfo: { Ipv4AddressesPerInterface: 10, DefaultNetworkCardIndex: 0, NetworkCards: [{ NetworkCardIndex: 0, MaximumNetworkInterfaces: 3 }] },
    SupportedUsageClasses: ['on-demand', 'spot'],
  }))
  s.env.offerings = s.env.infos.map((i) => ({ InstanceType: i.InstanceType, Location: 'test-zone-1a' }))
}

/** Their runs, by upstream name (after the context), over the suite's BeforeEach. */
/** A suite's BeforeEach, with the default NodePool's requirements. */
type SuiteFactory = (requirements?: NodeSelectorRequirement[]) => InstanceTypeSuite

export function sharedInstanceTypeRuns(suite: SuiteFactory) {
  return {
    'should not launch AWS Pod ENI on a t3': () => {
      const s = suite()
      const pod = unschedulablePod({
        nodeSelector: { 'node.kubernetes.io/instance-type': 't3.large' },
        requests: { 'vpc.amazonaws.com/pod-eni': '1' },
        limits: { 'vpc.amazonaws.com/pod-eni': '1' },
      })
      provision(s, pod)
      expectNotScheduled(s, pod)
    },
    'should de-prioritize metal': () => {
      const s = suite()
      const pod = unschedulablePod(oneCPU)
      provision(s, pod)
      expectScheduled(s, pod)
      for (const o of onlyFleetOverrides(s)) assert.ok(!o.type.endsWith('metal'), o.type)
    },
    'should de-prioritize gpu types': () => {
      const s = suite()
      const pod = unschedulablePod(oneCPU)
      provision(s, pod)
      expectScheduled(s, pod)
      for (const o of onlyFleetOverrides(s)) assert.ok(!o.type.startsWith('g'), o.type)
    },
    'should launch on metal': () => {
      const s = suite([...OD_ONLY, { key: 'node.kubernetes.io/instance-type', operator: 'Exists' }])
      const pod = unschedulablePod({ nodeSelector: { 'karpenter.k8s.aws/instance-size': 'metal' }, ...oneCPU })
      provision(s, pod)
      expectScheduled(s, pod)
    },
    "shouldn't report more resources than are actually available on instances": () => {
      const s = suite()
      s.env.subnets = [{ AvailabilityZone: 'us-west-2a', SubnetId: 'subnet-12345' }]
      const names = ['t4g.small', 't4g.medium', 't4g.xlarge', 'm5.large']
      s.env.offerings = names.map((n) => ({ InstanceType: n as InstanceTypeInfo['InstanceType'], Location: 'us-west-2a' }))
      s.env.infos = names.map((n) => ({ InstanceType: n as InstanceTypeInfo['InstanceType'] }))
      const its = new Map(s.env.instanceTypes(s.nodePool, s.nodeClass).map((it) => [it.name, it]))
      for (const [type, memory, cpu] of [
        ['t4g.small', '1408312Ki', '1930m'],
        ['t4g.medium', '3377496Ki', '1930m'],
        ['t4g.xlarge', '15136012Ki', '3920m'],
        ['m5.large', '7220184Ki', '1930m'],
      ]) {
        const it = its.get(type)
        assert.ok(it, type)
        assert.ok(it.allocatable[MEMORY].toNumber() <= Quantity.parse(memory).toNumber(), `${type} memory`)
        assert.ok(it.allocatable[CPU].toNumber() <= Quantity.parse(cpu).toNumber(), `${type} cpu`)
      }
    },
    'should launch smaller instances than optimal if larger instance launch results in Insufficient Capacity Error': () => {
      const s = suite([...OD_ONLY, { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['m5.large', 'm5.xlarge'] }])
      s.env.insufficientCapacityPools = [{ capacityType: 'on-demand', instanceType: 'm5.xlarge', zone: 'test-zone-1a' }]
      const pods = [0, 1].map(() => unschedulablePod({ requests: { cpu: '1' }, nodeSelector: { 'topology.kubernetes.io/zone': 'test-zone-1a' } }))
      provision(s, ...pods)
      for (const p of pods) expectNotScheduled(s, p)
      provision(s, ...pods)
      for (const p of pods) assert.equal(labelsOf(expectScheduled(s, p))['node.kubernetes.io/instance-type'], 'm5.large')
    },
    'should launch on-demand capacity if flexible to both spot and on-demand, but spot is unavailable': () => {
      const s = suite([SPOT_AND_OD, { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['test-zone-1a'] }])
      s.env.insufficientCapacityPools = s.env.infos.map((i) => ({ capacityType: 'spot', instanceType: i.InstanceType ?? '', zone: 'test-zone-1a' }))
      const pod = unschedulablePod()
      provision(s, pod)
      expectNotScheduled(s, pod)
      provision(s, pod)
      assert.equal(labelsOf(expectScheduled(s, pod))['karpenter.sh/capacity-type'], 'on-demand')
    },
    'should default to on-demand': () => {
      const s = suite()
      const pod = unschedulablePod()
      provision(s, pod)
      assert.equal(labelsOf(expectScheduled(s, pod))['karpenter.sh/capacity-type'], 'on-demand')
    },
    'should launch spot capacity if flexible to both spot and on demand': () => {
      const s = suite([SPOT_AND_OD])
      const pod = unschedulablePod()
      provision(s, pod)
      assert.equal(labelsOf(expectScheduled(s, pod))['karpenter.sh/capacity-type'], 'spot')
    },
    'should return all instance types, even though with no offerings due to Insufficient Capacity Error': () => {
      const s = suite([
        { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['m5.xlarge'] },
        { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] },
      ])
      s.env.insufficientCapacityPools = ['on-demand', 'spot'].flatMap((capacityType) =>
        ['test-zone-1a', 'test-zone-1b'].map((zone) => ({ capacityType, instanceType: 'm5.xlarge', zone })),
      )
      for (const ct of ['on-demand', 'spot'])
        for (const zone of ['test-zone-1a', 'test-zone-1b'])
          provision(s, unschedulablePod({ requests: { cpu: '1' }, nodeSelector: { 'karpenter.sh/capacity-type': ct, 'topology.kubernetes.io/zone': zone } }))
      const its = s.env.instanceTypes(s.nodePool, s.nodeClass)
      const m5 = its.find((it) => it.name === 'm5.xlarge')
      assert.ok(m5, 'm5.xlarge listed')
      assert.deepEqual(
        m5.offerings.filter((o) => o.available),
        [],
      )
    },
    'should fail to launch capacity when there is no zonal availability for spot': () => {
      const s = suite([
        { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
        { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['m5.large'] },
        { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['test-zone-1b'] },
      ])
      s.env.spotPrices = { 'm5.large': { 'test-zone-1a': 0.004 } }
      const pod = unschedulablePod()
      provision(s, pod)
      expectNotScheduled(s, pod)
    },
    'should succeed to launch spot instance when zonal availability exists': () => {
      const s = suite([
        { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
        { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['m5.large'] },
      ])
      s.env.spotPrices = { 'm5.large': { 'test-zone-1a': 0.004 } }
      const pod = unschedulablePod()
      provision(s, pod)
      assert.equal(labelsOf(expectScheduled(s, pod))['karpenter.sh/nodepool'], 'default')
    },
  }
}

/** ICE: `type` (a Neuron type) is short in test-zone-1a on-demand, so the second round launches another type of the same accelerator. */
function iceFallbackToAnotherType(suite: () => InstanceTypeSuite, type: string, acceleratorName: string): () => void {
  return () => {
    const s = suite()
    s.env.insufficientCapacityPools = [{ capacityType: 'on-demand', instanceType: type, zone: 'test-zone-1a' }]
    const neuron = {
      nodeSelector: { 'topology.kubernetes.io/zone': 'test-zone-1a' },
      requests: { 'aws.amazon.com/neuron': '1' },
      limits: { 'aws.amazon.com/neuron': '1' },
    }
    const pods = [unschedulablePod(neuron), unschedulablePod(neuron)]
    provision(s, ...pods)
    for (const p of pods) expectNotScheduled(s, p)
    provision(s, ...pods)
    const names = new Set<string>()
    for (const p of pods) {
      const node = expectScheduled(s, p)
      assert.equal(labelsOf(node)['karpenter.k8s.aws/instance-accelerator-name'], acceleratorName)
      names.add(node.metadata.name ?? '')
    }
    assert.equal(names.size, 2)
  }
}

/** ICE: `type` is short, then the shortage is over and the cache entry gone (upstream deletes it; here its 3-minute TTL passes). */
function iceExpiry(suite: () => InstanceTypeSuite, type: string): () => void {
  return () => {
    const s = suite()
    s.env.insufficientCapacityPools = [{ capacityType: 'on-demand', instanceType: type, zone: 'test-zone-1a' }]
    const pod = unschedulablePod({
      nodeSelector: { 'node.kubernetes.io/instance-type': type },
      requests: { 'aws.amazon.com/neuron': '2' },
      limits: { 'aws.amazon.com/neuron': '2' },
    })
    provision(s, pod)
    expectNotScheduled(s, pod)
    s.env.insufficientCapacityPools = []
    s.env.nowMs += 3 * 60 * 1000
    provision(s, pod)
    assert.equal(labelsOf(expectScheduled(s, pod))['node.kubernetes.io/instance-type'], type)
  }
}

/** The Insufficient Capacity Error Cache context's cases both tags have (in upstream's order), `neuronType` being the tag's Neuron type with `acceleratorName`. */
export function sharedIceCases(prefix: string, suite: SuiteFactory, neuronType: string, acceleratorName: string): PortedCase[] {
  const runs = sharedInstanceTypeRuns(suite)
  return [
    {
      name: `${prefix}should launch instances of different type on second reconciliation attempt with Insufficient Capacity Error Cache fallback`,
      run: iceFallbackToAnotherType(suite, neuronType, acceleratorName),
    },
    {
      name: `${prefix}should launch instances in a different zone on second reconciliation attempt with Insufficient Capacity Error Cache fallback`,
      run: fallbackToZone1b(suite, 'p3.8xlarge', 'nvidia.com/gpu'),
    },
    {
      name: `${prefix}should launch smaller instances than optimal if larger instance launch results in Insufficient Capacity Error`,
      run: runs['should launch smaller instances than optimal if larger instance launch results in Insufficient Capacity Error'],
    },
    {
      name: `${prefix}should launch instances on later reconciliation attempt with Insufficient Capacity Error Cache expiry`,
      run: iceExpiry(suite, neuronType),
    },
    {
      name: `${prefix}should launch instances in a different zone on second reconciliation attempt with Insufficient Capacity Error Cache fallback (Habana)`,
      run: fallbackToZone1b(suite, 'dl1.24xlarge', 'habana.ai/gaudi'),
    },
    {
      name: `${prefix}should launch on-demand capacity if flexible to both spot and on-demand, but spot is unavailable`,
      run: runs['should launch on-demand capacity if flexible to both spot and on-demand, but spot is unavailable'],
    },
    {
      name: `${prefix}should return all instance types, even though with no offerings due to Insufficient Capacity Error`,
      run: runs['should return all instance types, even though with no offerings due to Insufficient Capacity Error'],
    },
  ]
}

/** The CapacityType context, the same at both tags. */
export function capacityTypeCases(prefix: string, suite: SuiteFactory): PortedCase[] {
  const runs = sharedInstanceTypeRuns(suite)
  return [
    {
      name: `${prefix}should default to on-demand`,
      run: runs['should default to on-demand'],
    },
    {
      name: `${prefix}should launch spot capacity if flexible to both spot and on demand`,
      run: runs['should launch spot capacity if flexible to both spot and on demand'],
    },
    {
      name: `${prefix}should fail to launch capacity when there is no zonal availability for spot`,
      run: runs['should fail to launch capacity when there is no zonal availability for spot'],
    },
    {
      name: `${prefix}should succeed to launch spot instance when zonal availability exists`,
      run: runs['should succeed to launch spot instance when zonal availability exists'],
    },
  ]
}
