import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Subnet } from '@aws-sdk/client-ec2'
import type { NodeClaim } from '../../../sandbox/karpenter/api.ts'
import {
  chooseCapacityType,
  filterExoticInstanceTypes,
  filterUnwantedSpot,
  interpretFleetResult,
  launchedLog,
  launchedNodeClaim,
  markFleetUnavailable,
  nodeClaimRequirements,
  planLaunch,
  releaseInflightIPs,
  resolveInstanceTypes,
  zonalSubnetsForLaunch,
  type LaunchInput,
} from '../../../sandbox/karpenter/launch.ts'
import { formatLogLine } from '../../../sandbox/karpenter/logger.ts'
import { provisioningRound } from '../../../sandbox/karpenter/provisioning.ts'
import { Requirements } from '../../../sandbox/karpenter/requirements.ts'
import { seededRng } from '../../../sandbox/karpenter/rng.ts'
import { isUnavailable, newUnavailableOfferings } from '../../../sandbox/karpenter/unavailable-offerings.ts'
import { tutorialDaemonSetPods, tutorialInstanceTypes, tutorialNodeClass, tutorialNodePool, workloadPods } from './helpers/tutorial.ts'

const subnets: Subnet[] = [
  { SubnetId: 'subnet-a1', AvailabilityZone: 'eu-west-2a', AvailableIpAddressCount: 4000 },
  { SubnetId: 'subnet-a2', AvailabilityZone: 'eu-west-2a', AvailableIpAddressCount: 8000 },
  { SubnetId: 'subnet-b', AvailabilityZone: 'eu-west-2b', AvailableIpAddressCount: 8000 },
  { SubnetId: 'subnet-c', AvailabilityZone: 'eu-west-2c', AvailableIpAddressCount: 8000 },
]
const amis = { amd64: 'ami-0amd64', arm64: 'ami-0arm64', gpu: 'ami-0gpu' }
const cluster = { name: 'spot-and-karpenter', endpoint: 'https://ABC.gr7.eu-west-2.eks.amazonaws.com', caBundle: 'Q0E=', kubeDnsIP: '172.20.0.10' }

function nodeClaimFor(count: number, capacityType = 'spot'): NodeClaim {
  const round = provisioningRound({
    pendingPods: workloadPods(count, { capacityType, app: capacityType === 'spot' ? 'stateless' : 'stateful' }),
    nodePools: [tutorialNodePool()],
    instanceTypes: { default: tutorialInstanceTypes() },
    daemonSetPods: tutorialDaemonSetPods(),
    rng: seededRng(1),
  })
  return round.nodeClaims[0]
}

function input(nc: NodeClaim, extra: Partial<LaunchInput> = {}): LaunchInput {
  return { nodeClaim: nc, instanceTypes: tutorialInstanceTypes(), nodeClass: tutorialNodeClass(), subnets, amis, cluster, inflightIPs: new Map(), ...extra }
}

describe('CloudProvider.Create: choosing what to ask CreateFleet for', () => {
  const nc = nodeClaimFor(10)

  it('re-resolves the NodeClaim’s types: compatible, available offering, allocatable fits', () => {
    const types = resolveInstanceTypes(nc, tutorialInstanceTypes())
    assert.equal(types.length, 100)
  })

  it('Spot when allowed and offered: price-capacity-optimized, 60 cheapest types, overrides per type × zone', () => {
    const d = planLaunch(input(nc))
    assert.ok(d.ok)
    const { plan } = d
    assert.equal(plan.capacityType, 'spot')
    assert.equal(plan.instanceTypes.length, 60)
    const f = plan.createFleetInput
    assert.equal(f.Type, 'instant')
    assert.deepEqual(f.TargetCapacitySpecification, { DefaultTargetCapacityType: 'spot', TotalTargetCapacity: 1 })
    assert.deepEqual(f.SpotOptions, { AllocationStrategy: 'price-capacity-optimized' })
    assert.equal(f.OnDemandOptions, undefined)
    const overrides = f.LaunchTemplateConfigs!.flatMap((c) => c.Overrides!)
    // every override: a candidate type, its zone's subnet with the most free IPs, the arch's AMI
    for (const o of overrides) {
      assert.ok(plan.instanceTypes.some((t) => t.name === o.InstanceType))
      assert.equal(o.SubnetId, { 'eu-west-2a': 'subnet-a2', 'eu-west-2b': 'subnet-b', 'eu-west-2c': 'subnet-c' }[o.AvailabilityZone!])
      const arch = plan.instanceTypes
        .find((t) => t.name === o.InstanceType)!
        .requirements.get('kubernetes.io/arch')
        .valueList()[0]
      assert.equal(o.ImageId, arch === 'arm64' ? 'ami-0arm64' : 'ami-0amd64')
    }
    const expected = plan.instanceTypes.reduce((n, t) => n + t.offerings.filter((o) => o.available && o.capacityType === 'spot').length, 0)
    assert.equal(overrides.length, expected)
    // prices ascending
    const price = (name: string) =>
      Math.min(
        ...plan.instanceTypes
          .find((t) => t.name === name)!
          .offerings.filter((o) => o.available && o.capacityType === 'spot')
          .map((o) => o.price),
      )
    const names = plan.instanceTypes.map((t) => t.name)
    for (let i = 1; i < names.length; i++) assert.ok(price(names[i - 1]) <= price(names[i]))
  })

  it('one launch template per (AMI, max-pods), with the AL2 bootstrap arguments', () => {
    const d = planLaunch(input(nc))
    assert.ok(d.ok)
    const lts = d.plan.launchTemplates
    const keys = new Set(lts.map((l) => `${l.variant}/${l.maxPods}`))
    assert.equal(keys.size, lts.length)
    assert.ok(lts.some((l) => l.variant === 'arm64') && lts.some((l) => l.variant === 'amd64'))
    for (const lt of lts) {
      assert.match(lt.name, /^karpenter\.k8s\.aws\/\d+$/)
      assert.ok(lt.userData.includes(`--max-pods=${lt.maxPods}`))
      assert.ok(lt.userData.includes('--node-labels="intent=apps,karpenter.sh/capacity-type=spot,karpenter.sh/nodepool=default"'))
      assert.ok(lt.userData.includes('--system-reserved="cpu=100m,memory=100Mi"'))
      assert.ok(
        lt.userData.includes(
          "/etc/eks/bootstrap.sh 'spot-and-karpenter' --apiserver-endpoint 'https://ABC.gr7.eu-west-2.eks.amazonaws.com' --b64-cluster-ca 'Q0E='",
        ),
      )
      assert.ok(lt.userData.includes('--use-max-pods false'))
      assert.ok(lt.userData.includes("--dns-cluster-ip '172.20.0.10'"))
    }
    // deterministic names
    const again = planLaunch(input(nc))
    assert.ok(again.ok)
    assert.deepEqual(
      again.plan.launchTemplates.map((l) => l.name),
      lts.map((l) => l.name),
    )
  })

  it('tags the instance, volume and fleet', () => {
    const d = planLaunch(input(nc))
    assert.ok(d.ok)
    const specs = d.plan.createFleetInput.TagSpecifications!
    assert.deepEqual(
      specs.map((s) => s.ResourceType),
      ['instance', 'volume', 'fleet'],
    )
    const tags = Object.fromEntries(specs[0].Tags!.map((t): [string, string] => [t.Key ?? '', t.Value ?? '']))
    assert.equal(tags['kubernetes.io/cluster/spot-and-karpenter'], 'owned')
    assert.equal(tags['karpenter.sh/nodepool'], 'default')
    assert.equal(tags['karpenter.sh/managed-by'], 'spot-and-karpenter')
    assert.equal(tags['karpenter.k8s.aws/ec2nodeclass'], 'default')
    assert.equal(tags.project, 'build-on-aws')
  })

  it('On-Demand: lowest-price; the tutorial’s 7-pod deployment', () => {
    const d = planLaunch(input(nodeClaimFor(7, 'on-demand')))
    assert.ok(d.ok)
    assert.equal(d.plan.capacityType, 'on-demand')
    assert.deepEqual(d.plan.createFleetInput.OnDemandOptions, { AllocationStrategy: 'lowest-price' })
    assert.equal(d.plan.warnings.length, 0)
  })

  it('no type left: insufficient capacity', () => {
    const d = planLaunch(input(nc, { instanceTypes: [] }))
    assert.deepEqual(d, { ok: false, insufficientCapacity: true, error: 'insufficient capacity, all requested instance types were unavailable during launch' })
  })

  it('spot allowed but unavailable everywhere: On-Demand, with the WARN below 5 types', () => {
    const its = tutorialInstanceTypes().map((t) => ({ ...t, offerings: t.offerings.map((o) => (o.capacityType === 'spot' ? { ...o, available: false } : o)) }))
    const flexible: NodeClaim = {
      ...nc,
      spec: {
        ...nc.spec,
        requirements: nc.spec.requirements!.map((r) =>
          r.key === 'karpenter.sh/capacity-type'
            ? { ...r, values: ['on-demand', 'spot'] }
            : r.key === 'node.kubernetes.io/instance-type'
              ? { ...r, values: r.values!.slice(0, 3) }
              : r,
        ),
      },
    }
    const d = planLaunch(input(flexible, { instanceTypes: its }))
    assert.ok(d.ok)
    assert.equal(d.plan.capacityType, 'on-demand')
    assert.equal(d.plan.warnings.length, 1)
    assert.match(
      d.plan.warnings[0].message,
      /^at least 5 instance types are recommended when flexible to spot but requesting on-demand, the current provisioning request only has 3 instance type options$/,
    )
  })
})

describe('filters', () => {
  const its = tutorialInstanceTypes()

  it('exotic (metal/GPU) types go when generic ones remain', () => {
    const metal = its.filter((t) => t.name.endsWith('.metal'))
    const generic = its.filter((t) => t.name === 'c7g.2xlarge')
    assert.ok(metal.length > 0)
    assert.deepEqual(
      filterExoticInstanceTypes([...metal, ...generic]).map((t) => t.name),
      ['c7g.2xlarge'],
    )
    assert.equal(filterExoticInstanceTypes(metal).length, metal.length)
  })

  it('mixed capacity: Spot types dearer than the cheapest On-Demand offering are dropped', () => {
    const a = its.find((t) => t.name === 'c7g.2xlarge')!
    const b = its.find((t) => t.name === 'r7g.8xlarge')!
    const cheapOD = { ...a, offerings: a.offerings.map((o) => ({ ...o, price: o.capacityType === 'on-demand' ? 0.05 : 0.06 })) }
    assert.deepEqual(
      filterUnwantedSpot([cheapOD, b]).map((t) => t.name),
      ['c7g.2xlarge'],
    )
  })

  it('capacity type: Spot wins when allowed and any Spot offering is available in an allowed zone', () => {
    const reqs = Requirements.fromNodeSelector([{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] }])
    assert.equal(chooseCapacityType(reqs, its.slice(0, 50)), 'spot')
    const zoneX = Requirements.fromNodeSelector([
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] },
      { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-2z'] },
    ])
    assert.equal(chooseCapacityType(zoneX, its), 'on-demand')
  })

  it('subnets: most free IPs per zone, in-flight launches counted, IPs given back when unused', () => {
    const inflight = new Map<string, number>()
    const types = its.filter((t) => t.name === 'c7g.2xlarge')
    const first = zonalSubnetsForLaunch(subnets, types, 'spot', inflight)
    assert.equal(first.get('eu-west-2a')!.SubnetId, 'subnet-a2')
    assert.equal(inflight.get('subnet-a2'), 8000 - 58)
    // drain subnet-a2 below subnet-a1: the next launch picks subnet-a1
    inflight.set('subnet-a2', 100)
    assert.equal(zonalSubnetsForLaunch(subnets, types, 'spot', inflight).get('eu-west-2a')!.SubnetId, 'subnet-a1')
    const before = inflight.get('subnet-b')!
    releaseInflightIPs(
      { LaunchTemplateConfigs: [{ Overrides: [{ SubnetId: 'subnet-b' }, { SubnetId: 'subnet-c' }] }], TargetCapacitySpecification: undefined },
      { Instances: [{ LaunchTemplateAndOverrides: { Overrides: { SubnetId: 'subnet-c' } } }] },
      types,
      subnets,
      'spot',
      inflight,
    )
    assert.equal(inflight.get('subnet-b'), before + 58)
  })
})

describe('CreateFleet answers', () => {
  const nc = nodeClaimFor(10)
  const output = {
    Instances: [
      {
        InstanceIds: ['i-094792dc93778aa2a'],
        InstanceType: 'c7g.2xlarge' as const,
        Lifecycle: 'spot' as const,
        LaunchTemplateAndOverrides: {
          Overrides: { InstanceType: 'c7g.2xlarge' as const, AvailabilityZone: 'eu-west-2a', SubnetId: 'subnet-a2', ImageId: 'ami-0arm64' },
        },
      },
    ],
    Errors: [
      {
        ErrorCode: 'InsufficientInstanceCapacity',
        ErrorMessage: 'no capacity',
        Lifecycle: 'spot' as const,
        LaunchTemplateAndOverrides: { Overrides: { InstanceType: 'm7g.2xlarge' as const, AvailabilityZone: 'eu-west-2b' } },
      },
    ],
  }

  it('a launched instance becomes the NodeClaim’s labels, provider ID and allocatable', () => {
    const r = interpretFleetResult(output, 'spot')
    assert.ok(r.ok)
    assert.deepEqual(r.unavailable, [{ reason: 'InsufficientInstanceCapacity', instanceType: 'm7g.2xlarge', zone: 'eu-west-2b', capacityType: 'spot' }])
    const it = tutorialInstanceTypes().find((t) => t.name === 'c7g.2xlarge')
    const launched = launchedNodeClaim({ ...nc, metadata: { ...nc.metadata, name: 'default-8blnj' } }, r.instance, it, {
      clusterName: 'spot-and-karpenter',
      nodeClass: tutorialNodeClass(),
      rng: seededRng(1),
    })
    assert.equal(launched.status!.providerID, 'aws:///eu-west-2a/i-094792dc93778aa2a')
    assert.deepEqual(launched.status!.allocatable, {
      cpu: '7810m',
      'ephemeral-storage': '17Gi',
      memory: '14003Mi',
      pods: '58',
      'vpc.amazonaws.com/pod-eni': '38',
    })
    const l = launched.metadata.labels!
    assert.equal(l['topology.kubernetes.io/zone'], 'eu-west-2a')
    assert.equal(l['karpenter.sh/capacity-type'], 'spot')
    assert.equal(l['node.kubernetes.io/instance-type'], 'c7g.2xlarge')
    assert.equal(l['karpenter.k8s.aws/instance-family'], 'c7g')
    assert.equal(l['kubernetes.io/arch'], 'arm64')
    assert.equal(l.intent, 'apps')
    assert.equal(l['karpenter.sh/nodepool'], 'default')
    assert.equal(launched.metadata.annotations!['karpenter.sh/managed-by'], 'spot-and-karpenter')
    assert.equal(
      formatLogLine(launchedLog(launched), '2024-01-28T21:14:36.823Z'),
      '{"level":"INFO","time":"2024-01-28T21:14:36.823Z","logger":"controller.nodeclaim.lifecycle","message":"launched nodeclaim","commit":"1072d3b","nodeclaim":"default-8blnj","nodepool":"default","provider-id":"aws:///eu-west-2a/i-094792dc93778aa2a","instance-type":"c7g.2xlarge","zone":"eu-west-2a","capacity-type":"spot","allocatable":{"cpu":"7810m","ephemeral-storage":"17Gi","memory":"14003Mi","pods":"58","vpc.amazonaws.com/pod-eni":"38"}}',
    )
  })

  it('all-ICE answers mark offerings unavailable for 3 minutes and fail with InsufficientCapacity', () => {
    const r = interpretFleetResult({ Instances: [], Errors: output.Errors }, 'spot')
    assert.equal(r.ok, false)
    assert.ok(!r.ok && r.insufficientCapacity)
    assert.ok(!r.ok && r.error === 'insufficient capacity, with fleet error(s), InsufficientInstanceCapacity: no capacity')
    const cache = newUnavailableOfferings()
    const logs = markFleetUnavailable(cache, nc, r.unavailable, 1_000)
    assert.equal(isUnavailable(cache, 'm7g.2xlarge', 'eu-west-2b', 'spot', 1_000 + 179_999), true)
    assert.equal(isUnavailable(cache, 'm7g.2xlarge', 'eu-west-2b', 'spot', 1_000 + 180_000), false)
    assert.match(
      formatLogLine(logs[0], 0),
      /"message":"removing offering from offerings","commit":"1072d3b","nodeclaim":".*","nodepool":"default","reason":"InsufficientInstanceCapacity","instance-type":"m7g.2xlarge","zone":"eu-west-2b","capacity-type":"spot","ttl":"3m0s"\}$/,
    )
  })

  it('other fleet errors are not an ICE', () => {
    const r = interpretFleetResult({ Instances: [], Errors: [{ ErrorCode: 'InvalidLaunchTemplateName.NotFoundException', ErrorMessage: 'gone' }] }, 'spot')
    assert.ok(!r.ok && !r.insufficientCapacity && r.unavailable.length === 0)
  })

  it('NodeClaim requirements read back from the spec', () => {
    assert.deepEqual(nodeClaimRequirements(nc).get('karpenter.sh/capacity-type').valueList(), ['spot'])
  })
})
