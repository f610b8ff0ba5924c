import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { toStringMap, withoutZeros } from '../../../sandbox/k8s/resources.ts'
import type { KubeletConfiguration } from '../../../sandbox/karpenter/api.ts'
import {
  createOfferings,
  eniLimitedPods,
  isExotic,
  newInstanceType,
  orderByPrice,
  passesDescribeFilters,
  singleValueLabels,
  spotPricesFromHistory,
  type InstanceTypeOptions,
} from '../../../sandbox/karpenter/instance-types.ts'
import { Requirements } from '../../../sandbox/karpenter/requirements.ts'
import { markUnavailable, newUnavailableOfferings } from '../../../sandbox/karpenter/unavailable-offerings.ts'
import { branchInterfaces, motoInstanceType, motoInstanceTypes } from './helpers/moto-data.ts'

const SYSTEM_RESERVED: KubeletConfiguration = { systemReserved: { cpu: '100m', memory: '100Mi' } }
const base: InstanceTypeOptions = {
  region: 'eu-west-2',
  zones: ['eu-west-2a', 'eu-west-2b', 'eu-west-2c'],
  subnetZones: ['eu-west-2a', 'eu-west-2b', 'eu-west-2c'],
  prices: { onDemand: {} },
}

function build(name: string, opts: Partial<InstanceTypeOptions> = {}) {
  return newInstanceType(motoInstanceType(name), new Set(base.zones), { ...base, branchInterfaces: branchInterfaces(), ...opts })
}

describe('allocatable estimate (aws/karpenter-provider-aws v0.32.1 pkg/providers/instancetype/types.go), every observed log line', () => {
  // [type, systemReserved?, allocatable as Karpenter logged it]
  const rows: [string, boolean, Record<string, string>][] = [
    ['c7g.2xlarge', true, { cpu: '7810m', 'ephemeral-storage': '17Gi', memory: '14003Mi', pods: '58', 'vpc.amazonaws.com/pod-eni': '38' }],
    ['m7g.2xlarge', true, { cpu: '7810m', 'ephemeral-storage': '17Gi', memory: '29158Mi', pods: '58', 'vpc.amazonaws.com/pod-eni': '38' }],
    ['c6g.2xlarge', true, { cpu: '7810m', 'ephemeral-storage': '17Gi', memory: '14003Mi', pods: '58', 'vpc.amazonaws.com/pod-eni': '38' }],
    ['c6g.4xlarge', true, { cpu: '15790m', 'ephemeral-storage': '17Gi', memory: '27222Mi', pods: '234', 'vpc.amazonaws.com/pod-eni': '54' }],
    ['c6g.xlarge', true, { cpu: '3820m', 'ephemeral-storage': '17Gi', memory: '6425Mi', pods: '58', 'vpc.amazonaws.com/pod-eni': '18' }],
    ['c6a.large', false, { cpu: '1930m', 'ephemeral-storage': '17Gi', memory: '3114Mi', pods: '29', 'vpc.amazonaws.com/pod-eni': '9' }],
    ['c6g.large', false, { cpu: '1930m', 'ephemeral-storage': '17Gi', memory: '3055Mi', pods: '29', 'vpc.amazonaws.com/pod-eni': '9' }],
    ['m5a.large', false, { cpu: '1930m', 'ephemeral-storage': '17Gi', memory: '6903Mi', pods: '29', 'vpc.amazonaws.com/pod-eni': '9' }],
    ['c4.2xlarge', false, { cpu: '7910m', 'ephemeral-storage': '17Gi', memory: '13215Mi', pods: '58' }],
    ['t4g.xlarge', false, { cpu: '3920m', 'ephemeral-storage': '17Gi', memory: '14103Mi', pods: '58' }],
  ]
  for (const [name, sys, want] of rows) {
    it(`${name}${sys ? ' with systemReserved 100m/100Mi' : ''}`, () => {
      const it = build(name, { kubelet: sys ? SYSTEM_RESERVED : undefined })
      assert.deepEqual(toStringMap(withoutZeros(it.allocatable)), want)
    })
  }

  it('c7g.2xlarge worked example: capacity, kube-reserved, eviction', () => {
    const it = build('c7g.2xlarge', { kubelet: SYSTEM_RESERVED })
    assert.deepEqual(toStringMap(withoutZeros(it.capacity)), {
      cpu: '8',
      'ephemeral-storage': '20Gi',
      memory: '15096Mi',
      pods: '58',
      'vpc.amazonaws.com/pod-eni': '38',
    })
    assert.deepEqual(toStringMap(it.overhead.kubeReserved), { cpu: '90m', 'ephemeral-storage': '1Gi', memory: '893Mi' })
    assert.deepEqual(toStringMap(it.overhead.evictionThreshold), { 'ephemeral-storage': '2147483648', memory: '100Mi' })
  })
})

describe('kube-reserved CPU bands and pods', () => {
  const cpu = (vcpus: number): string =>
    newInstanceType({ ...motoInstanceType('m5.large'), VCpuInfo: { DefaultVCpus: vcpus } }, new Set(), base).overhead.kubeReserved.cpu.toString()
  for (const [v, want] of [
    [1, '60m'],
    [2, '70m'],
    [4, '80m'],
    [8, '90m'],
    [16, '110m'],
    [48, '190m'],
  ] as const) {
    it(`${v} vCPU → ${want}`, () => assert.equal(cpu(v), want))
  }

  it('ENI-limited pods: ENIs × (IPv4 per ENI − 1) + 2, RESERVED_ENIS lowers it', () => {
    assert.equal(eniLimitedPods(motoInstanceType('c7g.2xlarge')), 58)
    assert.equal(eniLimitedPods(motoInstanceType('c7g.2xlarge'), { vmMemoryOverheadPercent: 0.075, reservedENIs: 1, enableENILimitedPodDensity: true }), 44)
  })

  it('maxPods overrides pods but kube-reserved memory still uses the ENI-limited count (AL2)', () => {
    const it = build('c7g.2xlarge', { kubelet: { maxPods: 110 } })
    assert.equal(it.capacity.pods.toString(), '110')
    assert.equal(it.overhead.kubeReserved.memory.toString(), '893Mi')
  })

  it('podsPerCore caps pods at podsPerCore × vCPUs', () => {
    assert.equal(build('c7g.2xlarge', { kubelet: { podsPerCore: 2 } }).capacity.pods.toString(), '16')
  })

  it('kubeReserved, evictionHard (percent of capacity) and evictionSoft override key by key', () => {
    const it = build('c7g.2xlarge', {
      kubelet: {
        kubeReserved: { cpu: '200m' },
        evictionHard: { 'memory.available': '5%', 'nodefs.available': '15%' },
        evictionSoft: { 'memory.available': '1Gi' },
      },
    })
    assert.equal(it.overhead.kubeReserved.cpu.toString(), '200m')
    assert.equal(it.overhead.kubeReserved.memory.toString(), '893Mi')
    assert.equal(it.overhead.evictionThreshold.memory.toString(), '1Gi') // max(5 % of 15096Mi ≈ 755Mi, 1Gi)
    assert.equal(it.overhead.evictionThreshold['ephemeral-storage'].value(), 3221225472n)
  })

  it('a root-volume block device mapping sets ephemeral-storage', () => {
    const it = build('c7g.2xlarge', {
      nodeClass: { amiFamily: 'AL2', blockDeviceMappings: [{ deviceName: '/dev/xvda', rootVolume: true, ebs: { volumeSize: '100Gi' } }] },
    })
    assert.equal(it.capacity['ephemeral-storage'].toString(), '100Gi')
    assert.equal(it.allocatable['ephemeral-storage'].toString(), '89Gi') // 100 − 1 − 10
  })

  it('Bottlerocket uses maxPods for kube-reserved memory and ignores podsPerCore', () => {
    const it = build('c7g.2xlarge', { nodeClass: { amiFamily: 'Bottlerocket' }, kubelet: { maxPods: 110, podsPerCore: 2 } })
    assert.equal(it.capacity.pods.toString(), '110')
    assert.equal(it.overhead.kubeReserved.memory.toString(), `${11 * 110 + 255}Mi`)
  })
})

describe('instance type requirements (labels)', () => {
  it('c7g.2xlarge carries every well-known label', () => {
    // Spot prices updated, none for this type: only the On-Demand offerings are available
    const it = build('c7g.2xlarge', { prices: { onDemand: { 'c7g.2xlarge': 0.3364 }, spot: {} } })
    assert.deepEqual(singleValueLabels(it), {
      'karpenter.k8s.aws/instance-category': 'c',
      'karpenter.k8s.aws/instance-cpu': '8',
      'karpenter.k8s.aws/instance-encryption-in-transit-supported': 'true',
      'karpenter.k8s.aws/instance-family': 'c7g',
      'karpenter.k8s.aws/instance-generation': '7',
      'karpenter.k8s.aws/instance-hypervisor': 'nitro',
      'karpenter.k8s.aws/instance-memory': '16384',
      'karpenter.k8s.aws/instance-network-bandwidth': '3750',
      'karpenter.k8s.aws/instance-size': '2xlarge',
      'karpenter.sh/capacity-type': 'on-demand',
      'kubernetes.io/arch': 'arm64',
      'kubernetes.io/os': 'linux',
      'node.kubernetes.io/instance-type': 'c7g.2xlarge',
      'topology.kubernetes.io/region': 'eu-west-2',
    })
    // multi-valued: the zones with an available offering
    assert.deepEqual(it.requirements.get('topology.kubernetes.io/zone').valueList().sort(), ['eu-west-2a', 'eu-west-2b', 'eu-west-2c'])
    assert.equal(it.requirements.get('karpenter.k8s.aws/instance-gpu-count').operator(), 'DoesNotExist')
    assert.equal(it.requirements.get('node.kubernetes.io/windows-build').operator(), 'DoesNotExist')
  })

  it('x86_64 becomes amd64; c6g is not encrypted in transit; xen hypervisor', () => {
    assert.equal(singleValueLabels(build('m5a.large'))['kubernetes.io/arch'], 'amd64')
    assert.equal(singleValueLabels(build('c6g.2xlarge'))['karpenter.k8s.aws/instance-encryption-in-transit-supported'], 'false')
    assert.equal(singleValueLabels(build('c4.2xlarge'))['karpenter.k8s.aws/instance-hypervisor'], 'xen')
  })

  it('local NVMe and GPU labels (g4dn.xlarge)', () => {
    const labels = singleValueLabels(build('g4dn.xlarge'))
    assert.equal(labels['karpenter.k8s.aws/instance-local-nvme'], '125')
    assert.equal(labels['karpenter.k8s.aws/instance-gpu-name'], 't4')
    assert.equal(labels['karpenter.k8s.aws/instance-gpu-manufacturer'], 'nvidia')
    assert.equal(labels['karpenter.k8s.aws/instance-gpu-count'], '1')
    assert.equal(labels['karpenter.k8s.aws/instance-gpu-memory'], '16384')
  })

  it('category and generation from the name scheme', () => {
    for (const [name, cat, gen] of [
      ['im4gn.large', 'im', '4'],
      ['r6gd.2xlarge', 'r', '6'],
      ['c7i.2xlarge', 'c', '7'],
    ]) {
      const l = singleValueLabels(build(name))
      assert.equal(l['karpenter.k8s.aws/instance-category'], cat, name)
      assert.equal(l['karpenter.k8s.aws/instance-generation'], gen, name)
    }
  })

  it('the tutorial NodePool accepts c/m/r with more than 4 vCPUs and 8191 MiB', () => {
    const pool = Requirements.fromNodeSelector([
      { key: 'karpenter.k8s.aws/instance-cpu', operator: 'Gt', values: ['4'] },
      { key: 'karpenter.k8s.aws/instance-memory', operator: 'Gt', values: ['8191'] },
      { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm', 'r'] },
    ])
    assert.equal(build('c7g.2xlarge').requirements.intersectsOk(pool), true)
    assert.equal(build('c7g.xlarge').requirements.intersectsOk(pool), false) // 4 vCPU is not > 4
    assert.equal(build('t3.2xlarge').requirements.intersectsOk(pool), false)
  })
})

describe('offerings', () => {
  const info = motoInstanceType('c7g.2xlarge')
  const prices = { onDemand: { 'c7g.2xlarge': 0.3364 }, spot: { 'c7g.2xlarge': { 'eu-west-2a': 0.12, 'eu-west-2b': 0.13 } } }

  it('available = offered in the zone ∧ a subnet there ∧ a price ∧ no recent ICE', () => {
    const cache = newUnavailableOfferings()
    markUnavailable(cache, 'c7g.2xlarge', 'eu-west-2b', 'spot', 1_000)
    const offs = createOfferings(info, {
      zones: base.zones,
      typeZones: new Set(['eu-west-2a', 'eu-west-2b', 'eu-west-2c']),
      subnetZones: new Set(['eu-west-2a', 'eu-west-2b']),
      prices,
      unavailable: cache,
      nowMs: 2_000,
    })
    const avail = offs.filter((o) => o.available).map((o) => `${o.zone}/${o.capacityType}/${o.price}`)
    assert.deepEqual(avail, ['eu-west-2a/on-demand/0.3364', 'eu-west-2a/spot/0.12', 'eu-west-2b/on-demand/0.3364'])
    // the ICE mark expires after 3 minutes
    const later = createOfferings(info, {
      zones: base.zones,
      typeZones: new Set(base.zones),
      subnetZones: new Set(base.zones),
      prices,
      unavailable: cache,
      nowMs: 1_000 + 180_000,
    })
    assert.equal(later.find((o) => o.zone === 'eu-west-2b' && o.capacityType === 'spot')?.available, true)
  })

  it('before the first Spot price update, the On-Demand price stands in for Spot', () => {
    const offs = createOfferings(info, {
      zones: ['eu-west-2a'],
      typeZones: new Set(['eu-west-2a']),
      subnetZones: new Set(['eu-west-2a']),
      prices: { onDemand: prices.onDemand },
    })
    assert.deepEqual(
      offs.map((o) => [o.capacityType, o.price, o.available]),
      [
        ['on-demand', 0.3364, true],
        ['spot', 0.3364, true],
      ],
    )
  })

  it('latest DescribeSpotPriceHistory entry wins per type and zone', () => {
    const sp = spotPricesFromHistory([
      { InstanceType: 'c7g.2xlarge', AvailabilityZone: 'eu-west-2a', SpotPrice: '0.2', Timestamp: '2024-01-28T00:00:00Z' },
      { InstanceType: 'c7g.2xlarge', AvailabilityZone: 'eu-west-2a', SpotPrice: '0.1', Timestamp: '2024-01-28T06:00:00Z' },
    ])
    assert.deepEqual(sp, { 'c7g.2xlarge': { 'eu-west-2a': 0.1 } })
  })

  it('orders by the cheapest matching available offering, ties by name', () => {
    const a = build('c7g.2xlarge', { prices: { onDemand: { 'c7g.2xlarge': 0.3 } } })
    const b = build('c6g.2xlarge', { prices: { onDemand: { 'c6g.2xlarge': 0.3 } } })
    const c = build('m7g.2xlarge', { prices: { onDemand: { 'm7g.2xlarge': 0.2 } } })
    assert.deepEqual(
      orderByPrice([a, b, c], new Requirements()).map((t) => t.name),
      ['m7g.2xlarge', 'c6g.2xlarge', 'c7g.2xlarge'],
    )
  })
})

describe('DescribeInstanceTypes filter and exotic types', () => {
  it('keeps hvm x86_64/arm64 types only', () => {
    const all = Object.values(motoInstanceTypes())
    const kept = all.filter(passesDescribeFilters)
    assert.ok(kept.length > 1000 && kept.length < all.length)
    assert.equal(passesDescribeFilters(motoInstanceType('c7g.2xlarge')), true)
    assert.equal(passesDescribeFilters({ ...motoInstanceType('c7g.2xlarge'), SupportedVirtualizationTypes: ['paravirtual'] }), false)
  })

  it('metal and GPU types are exotic', () => {
    assert.equal(isExotic(build('c5.metal')), true)
    // v0.32.1 matches any size containing "metal" (filterExoticInstanceTypes), not only "metal" itself.
    assert.equal(isExotic(build('c8i.metal-96xl')), true)
    assert.equal(isExotic(build('g4dn.xlarge')), true)
    assert.equal(isExotic(build('c7g.2xlarge')), false)
  })
})
