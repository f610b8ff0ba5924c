// Karpenter v0.32.1 instance types: aws/karpenter-provider-aws@v0.32.1
// pkg/providers/instancetype/nodeclass_test.go, ported against the twin's instance types
// (sandbox/karpenter/instance-types.ts), provisioning round and launch decision
// (sandbox/karpenter/{provisioning,launch}.ts). The fixture (instance-types-builders.ts) stands for
// the suite's fake EC2 API (instance types, offerings, subnets, CreateFleet with ICE pools), the
// static pricing, the unavailable-offerings cache and ExpectProvisioned / ExpectScheduled.
// nodetemplate_test.go (v1alpha5 AWSNodeTemplate) is not part of this port.

import assert from 'node:assert/strict'
import type { InstanceTypeInfo } from '@aws-sdk/client-ec2'
import { CPU, EPHEMERAL_STORAGE, MEMORY, PODS } from '../../../../sandbox/k8s/resources.ts'
import type { NodeSelectorRequirement } from '../../../../sandbox/k8s/types.ts'
import type { EC2NodeClass, KubeletConfiguration, NodePool } from '../../../../sandbox/karpenter/api.ts'
import { eniLimitedPods, orderByPrice } from '../../../../sandbox/karpenter/instance-types.ts'
import { WELL_KNOWN_LABELS } from '../../../../sandbox/karpenter/labels.ts'
import { Requirements } from '../../../../sandbox/karpenter/requirements.ts'
import { branchInterfaces } from '../../../unit/karpenter/helpers/moto-data.ts'
import { conformance, type NotPorted, type PortedCase } from '../harness.ts'
import {
  sharedInstanceTypeRuns,
  sharedIceCases,
  capacityTypeCases,
  fakeUniformInstances,
  expectMemoryThresholdNear,
  expectScheduled,
  labelsOf,
  OD_ONLY,
  oneCPU,
  onlyFleetOverrides,
  provision,
  RESERVED,
  resource,
  SPOT_AND_OD,
  ec2NodeClass,
  fakeInfo,
  InstanceTypeEnv,
  nodePool,
  ON_DEMAND,
  REGION,
  unschedulablePod,
} from './instance-types-builders.ts'

/** The suite's BeforeEach: `default` (AL2) and `windows` (Windows2022) NodePools, both On-Demand only. */
interface Suite {
  env: InstanceTypeEnv
  nodeClass: EC2NodeClass
  nodePool: NodePool
  windowsNodeClass: EC2NodeClass
  windowsNodePool: NodePool
}

function suite(
  requirements: NodeSelectorRequirement[] = OD_ONLY,
  kubelet?: KubeletConfiguration,
  nodeClassSpec: Parameters<typeof ec2NodeClass>[1] = {},
): Suite {
  const nodeClass = ec2NodeClass('default', nodeClassSpec)
  const windowsNodeClass = ec2NodeClass('windows', { amiFamily: 'Windows2022' })
  return {
    env: new InstanceTypeEnv(),
    nodeClass,
    nodePool: nodePool('default', 'default', requirements, kubelet),
    windowsNodeClass,
    windowsNodePool: nodePool('windows', 'windows', OD_ONLY),
  }
}

/** `NewInstanceType` for m5.xlarge with the given kubelet (the Overhead context). */
function m5xlarge(kubelet: KubeletConfiguration | undefined, opts: { vmOverhead0?: boolean; amiFamily?: string } = {}) {
  const s = suite()
  if (opts.vmOverhead0) s.env.settings.vmMemoryOverheadPercent = 0
  return s.env.newInstanceType(fakeInfo('m5.xlarge'), kubelet, ec2NodeClass('default', opts.amiFamily ? { amiFamily: opts.amiFamily } : {}))
}

/** Every fake type through NewInstanceType: the pods capacity each gets. */
function podsForAll(s: Suite, kubelet: KubeletConfiguration | undefined, nodeClass: EC2NodeClass): { info: InstanceTypeInfo; pods: number }[] {
  return s.env.infos.map((info) => ({ info, pods: s.env.newInstanceType(info, kubelet, nodeClass).capacity[PODS].valueNumber() }))
}

// ---- well-known labels ----

const WELL_KNOWN_SELECTOR: Record<string, string> = {
  'karpenter.sh/nodepool': 'default',
  'topology.kubernetes.io/region': REGION,
  'topology.kubernetes.io/zone': 'test-zone-1a',
  'node.kubernetes.io/instance-type': 'g4dn.8xlarge',
  'kubernetes.io/os': 'linux',
  'kubernetes.io/arch': 'amd64',
  'karpenter.sh/capacity-type': 'on-demand',
  'karpenter.k8s.aws/instance-hypervisor': 'nitro',
  'karpenter.k8s.aws/instance-encryption-in-transit-supported': 'true',
  'karpenter.k8s.aws/instance-category': 'g',
  'karpenter.k8s.aws/instance-generation': '4',
  'karpenter.k8s.aws/instance-family': 'g4dn',
  'karpenter.k8s.aws/instance-size': '8xlarge',
  'karpenter.k8s.aws/instance-cpu': '32',
  'karpenter.k8s.aws/instance-memory': '131072',
  'karpenter.k8s.aws/instance-network-bandwidth': '50000',
  'karpenter.k8s.aws/instance-gpu-name': 't4',
  'karpenter.k8s.aws/instance-gpu-manufacturer': 'nvidia',
  'karpenter.k8s.aws/instance-gpu-count': '1',
  'karpenter.k8s.aws/instance-gpu-memory': '16384',
  'karpenter.k8s.aws/instance-local-nvme': '900',
  'failure-domain.beta.kubernetes.io/region': REGION,
  'failure-domain.beta.kubernetes.io/zone': 'test-zone-1a',
  'beta.kubernetes.io/arch': 'amd64',
  'beta.kubernetes.io/os': 'linux',
  'beta.kubernetes.io/instance-type': 'g4dn.8xlarge',
  'topology.ebs.csi.aws.com/zone': 'test-zone-1a',
}
const ACCELERATOR = {
  'karpenter.k8s.aws/instance-accelerator-name': 'inferentia',
  'karpenter.k8s.aws/instance-accelerator-manufacturer': 'aws',
  'karpenter.k8s.aws/instance-accelerator-count': '1',
}
const NORMALIZED = [
  'failure-domain.beta.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'beta.kubernetes.io/arch',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/instance-type',
  'topology.ebs.csi.aws.com/zone',
]

function expectCovers(selector: Record<string, string>, except: string[]): void {
  const missing = [...WELL_KNOWN_LABELS, ...NORMALIZED].filter((k) => !except.includes(k) && !(k in selector))
  assert.deepEqual(missing, [], 'every well-known label exercised')
}

const shared = sharedInstanceTypeRuns(suite)
const root = 'NodeClass/InstanceTypes › '

const labelCases: PortedCase[] = [
  {
    name: `${root}should support individual instance type labels`,
    run: () => {
      const s = suite()
      const selector = { ...WELL_KNOWN_SELECTOR, ...ACCELERATOR, 'node.kubernetes.io/windows-build': '10.0.20348' }
      expectCovers(selector, [])
      const pods = Object.entries(selector).map(([k, v]) => unschedulablePod({ nodeSelector: { [k]: v } }))
      s.env.provision(
        [
          { nodePool: s.nodePool, nodeClass: s.nodeClass },
          { nodePool: s.windowsNodePool, nodeClass: s.windowsNodeClass },
        ],
        pods,
      )
      for (const p of pods) expectScheduled(s, p)
    },
  },
  {
    name: `${root}should support combined instance type labels`,
    run: () => {
      const s = suite()
      expectCovers(WELL_KNOWN_SELECTOR, [...Object.keys(ACCELERATOR), 'node.kubernetes.io/windows-build'])
      const pod = unschedulablePod({ nodeSelector: WELL_KNOWN_SELECTOR })
      provision(s, pod)
      expectScheduled(s, pod)
    },
  },
  {
    name: `${root}should support instance type labels with accelerator`,
    run: () => {
      const s = suite()
      const selector: Record<string, string> = {
        'karpenter.sh/nodepool': 'default',
        'topology.kubernetes.io/region': REGION,
        'topology.kubernetes.io/zone': 'test-zone-1a',
        'node.kubernetes.io/instance-type': 'inf1.2xlarge',
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'karpenter.sh/capacity-type': 'on-demand',
        'karpenter.k8s.aws/instance-hypervisor': 'nitro',
        'karpenter.k8s.aws/instance-encryption-in-transit-supported': 'true',
        'karpenter.k8s.aws/instance-category': 'inf',
        'karpenter.k8s.aws/instance-generation': '1',
        'karpenter.k8s.aws/instance-family': 'inf1',
        'karpenter.k8s.aws/instance-size': '2xlarge',
        'karpenter.k8s.aws/instance-cpu': '8',
        'karpenter.k8s.aws/instance-memory': '16384',
        'karpenter.k8s.aws/instance-network-bandwidth': '5000',
        ...ACCELERATOR,
        'failure-domain.beta.kubernetes.io/region': REGION,
        'failure-domain.beta.kubernetes.io/zone': 'test-zone-1a',
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/instance-type': 'inf1.2xlarge',
        'topology.ebs.csi.aws.com/zone': 'test-zone-1a',
      }
      expectCovers(selector, [
        'karpenter.k8s.aws/instance-gpu-count',
        'karpenter.k8s.aws/instance-gpu-name',
        'karpenter.k8s.aws/instance-gpu-manufacturer',
        'karpenter.k8s.aws/instance-gpu-memory',
        'karpenter.k8s.aws/instance-local-nvme',
        'node.kubernetes.io/windows-build',
      ])
      const pod = unschedulablePod({ nodeSelector: selector })
      provision(s, pod)
      expectScheduled(s, pod)
    },
  },
]

// ---- launches: price order, exotic types, extended resources ----

/** `generateSpotPricing`: every Spot offering at half its On-Demand price ("%0.3f"), then UpdateSpotPricing. */
function halfPriceSpot(s: Suite): void {
  const spot: Record<string, Record<string, number>> = {}
  for (const it of s.env.instanceTypes(s.nodePool, s.nodeClass)) {
    const od = it.offerings.find((o) => o.capacityType === 'on-demand')?.price ?? 1
    for (const o of it.offerings) if (o.capacityType === 'spot') (spot[it.name] ??= {})[o.zone] = Number((od * 0.5).toFixed(3))
  }
  s.env.spotPrices = spot
}

function gpuCase(resource: string, count: (n: number) => number, type: string, nodes: number, requirements?: NodeSelectorRequirement[]): () => void {
  return () => {
    const s = suite(requirements)
    const amounts = requirements ? [1] : [1, 2, 4]
    const pods = amounts.map((n) => unschedulablePod({ requests: { [resource]: String(count(n)) }, limits: { [resource]: String(count(n)) } }))
    provision(s, ...pods)
    const names = new Set<string>()
    for (const p of pods) {
      const node = expectScheduled(s, p)
      assert.equal(labelsOf(node)['node.kubernetes.io/instance-type'], type)
      names.add(node.metadata.name ?? '')
    }
    assert.equal(names.size, nodes)
  }
}

const launchCases: PortedCase[] = [
  {
    name: `${root}should not launch AWS Pod ENI on a t3`,
    run: shared['should not launch AWS Pod ENI on a t3'],
  },
  {
    name: `${root}should order the instance types by price and only consider the cheapest ones`,
    run: () => {
      const s = suite()
      fakeUniformInstances(s)
      const pod = unschedulablePod(oneCPU)
      provision(s, pod)
      expectScheduled(s, pod)
      const ordered = orderByPrice(s.env.instanceTypes(s.nodePool, s.nodeClass), Requirements.fromNodeSelector(s.nodePool.spec.template.spec.requirements))
      const expected = new Set(ordered.slice(0, 60).map((it) => it.name))
      assert.equal(s.env.createFleetCalls[0]?.LaunchTemplateConfigs?.length, 1)
      const overrides = onlyFleetOverrides(s)
      assert.equal(overrides.length, 60)
      for (const o of overrides) assert.ok(expected.has(o.type), `expected ${o.type} to exist in set`)
    },
  },
  {
    name: `${root}should order the instance types by price and only consider the spot types that are cheaper than the cheapest on-demand`,
    run: () => {
      const s = suite([SPOT_AND_OD])
      fakeUniformInstances(s)
      halfPriceSpot(s)
      const pod = unschedulablePod(oneCPU)
      provision(s, pod)
      expectScheduled(s, pod)
      assert.equal(s.env.createFleetCalls[0]?.LaunchTemplateConfigs?.length, 1)
      const overrides = onlyFleetOverrides(s)
      const cheapestOD = Math.min(...overrides.map((o) => ON_DEMAND[o.type]))
      for (const o of overrides) {
        const spot = s.env.spotPrices?.[o.type]?.[o.zone]
        assert.ok(spot !== undefined && spot < cheapestOD, `${o.type} spot ${spot} < ${cheapestOD}`)
      }
    },
  },
  {
    name: `${root}should de-prioritize metal`,
    run: shared['should de-prioritize metal'],
  },
  {
    name: `${root}should de-prioritize gpu types`,
    run: shared['should de-prioritize gpu types'],
  },
  {
    name: `${root}should launch on metal`,
    run: shared['should launch on metal'],
  },
  {
    name: `${root}should launch AWS Pod ENI on a compatible instance type`,
    run: () => {
      const s = suite()
      const pod = unschedulablePod({ requests: { 'vpc.amazonaws.com/pod-eni': '1' }, limits: { 'vpc.amazonaws.com/pod-eni': '1' } })
      provision(s, pod)
      const type = labelsOf(expectScheduled(s, pod))['node.kubernetes.io/instance-type']
      assert.ok(type, 'instance-type label')
      assert.ok((branchInterfaces()[type] ?? 0) > 0, `${type} is trunking compatible`)
    },
  },
  { name: `${root}should launch instances for Nvidia GPU resource requests`, run: gpuCase('nvidia.com/gpu', (n) => n, 'p3.8xlarge', 2) },
  { name: `${root}should launch instances for Habana GPU resource requests`, run: gpuCase('habana.ai/gaudi', (n) => n, 'dl1.24xlarge', 1) },
  { name: `${root}should launch instances for AWS Neuron resource requests`, run: gpuCase('aws.amazon.com/neuron', (n) => n, 'inf1.6xlarge', 2) },
  {
    name: `${root}should launch trn1 instances for AWS Neuron resource requests`,
    run: gpuCase('aws.amazon.com/neuron', (n) => n, 'trn1.2xlarge', 1, [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['trn1.2xlarge'] }]),
  },
]

// ---- pod density ----

const densityCases: PortedCase[] = [
  {
    name: `${root}should set pods to 110 if not using ENI-based pod density`,
    run: () => {
      const s = suite()
      s.env.settings.enableENILimitedPodDensity = false
      for (const r of podsForAll(s, undefined, s.nodeClass)) assert.equal(r.pods, 110, r.info.InstanceType)
    },
  },
  {
    name: `${root}should not set pods to 110 if using ENI-based pod density`,
    run: () => {
      const s = suite()
      for (const r of podsForAll(s, undefined, s.nodeClass)) assert.notEqual(r.pods, 110, r.info.InstanceType)
    },
  },
  {
    name: `${root}should set pods to 110 even ENILimitedPodDensity is enabled in awssettings but amifamily doesn't support`,
    run: () => {
      const s = suite()
      for (const r of podsForAll(s, undefined, s.windowsNodeClass)) assert.equal(r.pods, 110, r.info.InstanceType)
    },
  },
]

// ---- overhead (NewInstanceType on m5.xlarge) ----

const overhead = `${root}Overhead › `
const eviction = `${overhead}Eviction Thresholds › `

const overheadCases: PortedCase[] = [
  {
    name: `${overhead}System Reserved Resources › should use defaults when no kubelet is specified`,
    run: () => {
      const it = m5xlarge({})
      assert.deepEqual(
        [CPU, MEMORY, EPHEMERAL_STORAGE].map((r) => resource(it.overhead.systemReserved, r)),
        ['0', '0', '0'],
      )
    },
  },
  {
    name: `${overhead}System Reserved Resources › should override system reserved cpus when specified`,
    run: () => {
      const it = m5xlarge({ systemReserved: { cpu: '2', memory: '20Gi', 'ephemeral-storage': '10Gi' } })
      assert.deepEqual(
        [CPU, MEMORY, EPHEMERAL_STORAGE].map((r) => resource(it.overhead.systemReserved, r)),
        ['2', '20Gi', '10Gi'],
      )
    },
  },
  {
    name: `${overhead}Kube Reserved Resources › should use defaults when no kubelet is specified`,
    run: () => {
      const it = m5xlarge({})
      assert.deepEqual(
        [CPU, MEMORY, EPHEMERAL_STORAGE].map((r) => resource(it.overhead.kubeReserved, r)),
        ['80m', '893Mi', '1Gi'],
      )
    },
  },
  {
    name: `${overhead}Kube Reserved Resources › should override kube reserved when specified`,
    run: () => {
      const it = m5xlarge({
        systemReserved: { cpu: '1', memory: '20Gi', 'ephemeral-storage': '1Gi' },
        kubeReserved: { cpu: '2', memory: '10Gi', 'ephemeral-storage': '2Gi' },
      })
      assert.deepEqual(
        [CPU, MEMORY, EPHEMERAL_STORAGE].map((r) => resource(it.overhead.kubeReserved, r)),
        ['2', '10Gi', '2Gi'],
      )
    },
  },
  {
    name: `${eviction}Eviction Hard › should override eviction threshold when specified as a quantity`,
    run: () =>
      assert.equal(
        resource(m5xlarge({ ...RESERVED, evictionHard: { 'memory.available': '500Mi' } }, { vmOverhead0: true }).overhead.evictionThreshold, MEMORY),
        '500Mi',
      ),
  },
  {
    name: `${eviction}Eviction Hard › should override eviction threshold when specified as a percentage value`,
    run: () => expectMemoryThresholdNear(m5xlarge({ ...RESERVED, evictionHard: { 'memory.available': '10%' } }, { vmOverhead0: true }), 0.1),
  },
  {
    name: `${eviction}Eviction Hard › should consider the eviction threshold disabled when specified as 100%`,
    run: () =>
      assert.equal(
        resource(m5xlarge({ ...RESERVED, evictionHard: { 'memory.available': '100%' } }, { vmOverhead0: true }).overhead.evictionThreshold, MEMORY),
        '0',
      ),
  },
  {
    name: `${eviction}Eviction Hard › should used default eviction threshold for memory when evictionHard not specified`,
    run: () =>
      assert.equal(
        resource(m5xlarge({ ...RESERVED, evictionSoft: { 'memory.available': '50Mi' } }, { vmOverhead0: true }).overhead.evictionThreshold, MEMORY),
        '50Mi',
      ),
  },
  {
    name: `${eviction}Eviction Soft › should override eviction threshold when specified as a quantity`,
    run: () =>
      assert.equal(
        resource(m5xlarge({ ...RESERVED, evictionSoft: { 'memory.available': '500Mi' } }, { vmOverhead0: true }).overhead.evictionThreshold, MEMORY),
        '500Mi',
      ),
  },
  {
    name: `${eviction}Eviction Soft › should override eviction threshold when specified as a percentage value`,
    run: () =>
      expectMemoryThresholdNear(
        m5xlarge({ ...RESERVED, evictionHard: { 'memory.available': '5%' }, evictionSoft: { 'memory.available': '10%' } }, { vmOverhead0: true }),
        0.1,
      ),
  },
  {
    name: `${eviction}Eviction Soft › should consider the eviction threshold disabled when specified as 100%`,
    run: () =>
      assert.equal(
        resource(m5xlarge({ ...RESERVED, evictionSoft: { 'memory.available': '100%' } }, { vmOverhead0: true }).overhead.evictionThreshold, MEMORY),
        '0',
      ),
  },
  {
    name: `${eviction}Eviction Soft › should ignore eviction threshold when using Bottlerocket AMI`,
    run: () => {
      const it = m5xlarge(
        { ...RESERVED, evictionHard: { 'memory.available': '1Gi' }, evictionSoft: { 'memory.available': '10Gi' } },
        { vmOverhead0: true, amiFamily: 'Bottlerocket' },
      )
      assert.equal(resource(it.overhead.evictionThreshold, MEMORY), '1Gi')
    },
  },
  {
    name: `${eviction}should take the default eviction threshold when none is specified`,
    run: () => {
      const it = m5xlarge({}, { vmOverhead0: true })
      assert.equal(resource(it.overhead.evictionThreshold, CPU), '0')
      assert.equal(resource(it.overhead.evictionThreshold, MEMORY), '100Mi')
      assert.ok(Math.abs(it.overhead.evictionThreshold[EPHEMERAL_STORAGE].toNumber() - 2 * 1024 ** 3) < 1)
    },
  },
  {
    name: `${eviction}should take the greater of evictionHard and evictionSoft for overhead as a value`,
    run: () =>
      assert.equal(
        resource(
          m5xlarge({ ...RESERVED, evictionSoft: { 'memory.available': '3Gi' }, evictionHard: { 'memory.available': '1Gi' } }, { vmOverhead0: true }).overhead
            .evictionThreshold,
          MEMORY,
        ),
        '3Gi',
      ),
  },
  {
    // Upstream has two Its with this text; the second (percentages) is suffixed here to keep names unique.
    name: `${eviction}should take the greater of evictionHard and evictionSoft for overhead as a value [2]`,
    run: () =>
      expectMemoryThresholdNear(
        m5xlarge({ ...RESERVED, evictionSoft: { 'memory.available': '2%' }, evictionHard: { 'memory.available': '5%' } }, { vmOverhead0: true }),
        0.05,
      ),
  },
  {
    name: `${eviction}should take the greater of evictionHard and evictionSoft for overhead with mixed percentage/value`,
    run: () =>
      expectMemoryThresholdNear(
        m5xlarge({ ...RESERVED, evictionSoft: { 'memory.available': '10%' }, evictionHard: { 'memory.available': '1Gi' } }, { vmOverhead0: true }),
        0.1,
      ),
  },
  {
    name: `${overhead}should default max pods based off of network interfaces`,
    run: () => {
      const s = suite()
      const pods = (name: string) => s.env.newInstanceType(fakeInfo(name), undefined, s.nodeClass).capacity[PODS].valueNumber()
      assert.equal(pods('t3.large'), 35)
      assert.equal(pods('m6idn.32xlarge'), 345)
    },
  },
  ...['should set max-pods to user-defined value if specified', 'should override max-pods value when AWSENILimitedPodDensity is unset'].map((it) => ({
    name: `${overhead}${it}`,
    run: () => {
      const s = suite()
      for (const r of podsForAll(s, { maxPods: 10 }, s.nodeClass)) assert.equal(r.pods, 10, r.info.InstanceType)
    },
  })),
  {
    name: `${overhead}should reserve ENIs when aws.reservedENIs is set and is used in max-pods calculation`,
    run: () => {
      const s = suite()
      s.env.settings.reservedENIs = 1
      assert.equal(s.env.newInstanceType(fakeInfo('t3.large'), undefined, s.nodeClass).capacity[PODS].valueNumber(), 24)
    },
  },
  {
    name: `${overhead}should reserve ENIs when aws.reservedENIs is set and not go below 0 ENIs in max-pods calculation`,
    run: () => {
      const s = suite()
      s.env.settings.reservedENIs = 1_000_000
      assert.equal(s.env.newInstanceType(fakeInfo('t3.large'), undefined, s.nodeClass).capacity[PODS].valueNumber(), 0)
    },
  },
  {
    name: `${overhead}should override pods-per-core value`,
    run: () => {
      const s = suite()
      for (const r of podsForAll(s, { podsPerCore: 1 }, s.nodeClass)) assert.equal(r.pods, r.info.VCpuInfo?.DefaultVCpus, r.info.InstanceType)
    },
  },
  {
    name: `${overhead}should take the minimum of pods-per-core and max-pods`,
    run: () => {
      const s = suite()
      for (const r of podsForAll(s, { podsPerCore: 4, maxPods: 20 }, s.nodeClass))
        assert.equal(r.pods, Math.min(20, (r.info.VCpuInfo?.DefaultVCpus ?? 0) * 4), r.info.InstanceType)
    },
  },
  {
    name: `${overhead}should ignore pods-per-core when using Bottlerocket AMI`,
    run: () => {
      const s = suite()
      for (const r of podsForAll(s, { podsPerCore: 1 }, ec2NodeClass('default', { amiFamily: 'Bottlerocket' })))
        assert.equal(r.pods, eniLimitedPods(r.info, s.env.settings), r.info.InstanceType)
    },
  },
  {
    name: `${overhead}should take 110 to be the default pods number when pods-per-core is 0 and AWSENILimitedPodDensity is unset`,
    run: () => {
      const s = suite()
      s.env.settings.enableENILimitedPodDensity = false
      for (const r of podsForAll(s, { podsPerCore: 0 }, s.nodeClass)) assert.equal(r.pods, 110, r.info.InstanceType)
    },
  },
  {
    // Upstream's DescribeInstanceTypes records here carry only the type names (as ported).
    name: `${overhead}shouldn't report more resources than are actually available on instances`,
    run: shared["shouldn't report more resources than are actually available on instances"],
  },
]

// ---- insufficient capacity ----

const ice = `${root}Insufficient Capacity Error Cache › `
const iceCases: PortedCase[] = sharedIceCases(ice, suite, 'inf1.6xlarge', 'inferentia')

// ---- capacity type ----

const capacity = `${root}CapacityType › `

const capacityCases: PortedCase[] = capacityTypeCases(capacity, suite)

// ---- ephemeral storage and launch templates ----

const storage = `${root}Ephemeral Storage › `

function ephemeralCase(amiFamily: string, device: string): () => void {
  return () => {
    const s = suite(OD_ONLY, undefined, { amiFamily, blockDeviceMappings: [{ deviceName: device, ebs: { snapshotID: 'snap-xxxxxxxx' } }] })
    const pod = unschedulablePod()
    provision(s, pod)
    const node = expectScheduled(s, pod)
    assert.equal(node.status?.capacity?.[EPHEMERAL_STORAGE], '20Gi')
    assert.ok(s.env.launchTemplates.length >= 1)
    for (const lt of s.env.launchTemplates) {
      assert.equal(lt.blockDeviceMappings.length, 1)
      assert.equal(lt.blockDeviceMappings[0].DeviceName, device)
      assert.equal(lt.blockDeviceMappings[0].Ebs?.SnapshotId, 'snap-xxxxxxxx')
    }
  }
}

const launchTemplateCases: PortedCase[] = [
  {
    name: `${storage}should default to EBS defaults when volumeSize is not defined in blockDeviceMappings for custom AMIs`,
    run: ephemeralCase('Custom', '/dev/xvda'),
  },
  {
    name: `${storage}should default to EBS defaults when volumeSize is not defined in blockDeviceMappings for AL2 Root volume`,
    run: ephemeralCase('AL2', '/dev/xvda'),
  },
  {
    name: `${storage}should default to EBS defaults when volumeSize is not defined in blockDeviceMappings for Bottlerocket Root volume`,
    run: ephemeralCase('Bottlerocket', '/dev/xvdb'),
  },
  {
    name: `${storage}should default to EBS defaults when volumeSize is not defined in blockDeviceMappings for Ubuntu Root volume`,
    run: ephemeralCase('Ubuntu', '/dev/sda1'),
  },
  {
    name: `${root}Metadata Options › should default metadata options on generated launch template`,
    run: () => {
      const s = suite()
      const pod = unschedulablePod()
      provision(s, pod)
      expectScheduled(s, pod)
      assert.ok(s.env.launchTemplates.length >= 1)
      for (const lt of s.env.launchTemplates)
        assert.deepEqual(lt.metadataOptions, {
          HttpEndpoint: 'enabled',
          HttpProtocolIpv6: 'disabled',
          HttpPutResponseHopLimit: 2,
          HttpTokens: 'required',
        })
    },
  },
  {
    name: `${root}Metadata Options › should set metadata options on generated launch template from nodePool configuration`,
    run: () => {
      const s = suite()
      s.nodeClass.spec.metadataOptions = { httpEndpoint: 'disabled', httpProtocolIPv6: 'enabled', httpPutResponseHopLimit: 1, httpTokens: 'optional' }
      const pod = unschedulablePod()
      provision(s, pod)
      expectScheduled(s, pod)
      assert.ok(s.env.launchTemplates.length >= 1)
      for (const lt of s.env.launchTemplates)
        assert.deepEqual(lt.metadataOptions, {
          HttpEndpoint: 'disabled',
          HttpProtocolIpv6: 'enabled',
          HttpPutResponseHopLimit: 1,
          HttpTokens: 'optional',
        })
    },
  },
]

const METRICS = 'reads a Prometheus gauge (karpenter_cloudprovider_instance_type_*); the twin exports no metrics'
const notPorted: NotPorted[] = [
  { name: `${root}should expose vcpu metrics for instance types`, reason: METRICS },
  { name: `${root}should expose memory metrics for instance types`, reason: METRICS },
]

conformance({
  repo: 'aws/karpenter-provider-aws',
  tag: 'v0.32.1',
  file: 'pkg/providers/instancetype/nodeclass_test.go',
  twin: 'v0.32.1',
  area: 'instance types',
  upstreamCases: 62,
  cases: [...labelCases, ...launchCases, ...densityCases, ...overheadCases, ...iceCases, ...capacityCases, ...launchTemplateCases],
  notPorted,
})
