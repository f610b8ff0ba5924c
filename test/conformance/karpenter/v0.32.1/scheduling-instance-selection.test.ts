// Conformance: kubernetes-sigs/karpenter@v0.32.1
// pkg/controllers/provisioning/scheduling/nodepool_instance_selection_test.go (Describe "Instance
// Type Selection"), ported case by case against the v0.32.1 twin's provisioning round.
//
// Fixture: `fake.InstanceTypesAssorted()` (one type per CPU × memory × zone × capacity type × OS ×
// arch, each with a single offering priced from its CPU and memory), shuffled with a seeded Rng as
// upstream shuffles it, and a NodePool allowing spot + on-demand and arm64 + amd64. The launched
// NodeClaim (`cloudProvider.CreateCalls[0]`) carries the instance types the twin offered; every one
// of them must satisfy the constraints, and the Node the fake provider creates must sit on the
// cheapest offering of the whole catalogue.

import assert from 'node:assert/strict'
import type { NodeSelectorRequirement, Node } from '../../../../sandbox/k8s/types.ts'
import { merge, requestsForPods } from '../../../../sandbox/k8s/resources.ts'
import type { InstanceType } from '../../../../sandbox/karpenter/instance-types.ts'
import { Requirements } from '../../../../sandbox/karpenter/requirements.ts'
import { seededRng } from '../../../../sandbox/karpenter/rng.ts'
import { conformance, type PortedCase } from '../harness.ts'
import { fakeInstanceType, instanceTypesAssorted } from '../fake.ts'
import { nodePool, ProvisioningEnv, unschedulablePod } from './scheduling-topology-builders.ts'

const ZONE = 'topology.kubernetes.io/zone'
const CT = 'karpenter.sh/capacity-type'
const ARCH = 'kubernetes.io/arch'
const OS = 'kubernetes.io/os'
const IT = 'node.kubernetes.io/instance-type'
const D = 'Instance Type Selection › '

const req = (key: string, ...values: string[]): NodeSelectorRequirement => ({ key, operator: 'In', values })

/** The BeforeEach catalogue: assorted types in a (seeded) random order. */
function shuffledAssorted(seed: number): InstanceType[] {
  const its = instanceTypesAssorted()
  const rng = seededRng(seed)
  for (let i = its.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    ;[its[i], its[j]] = [its[j], its[i]]
  }
  return its
}

function setup(poolRequirements?: NodeSelectorRequirement[], filter?: (it: InstanceType) => boolean): ProvisioningEnv {
  let its = shuffledAssorted(7)
  if (filter) its = its.filter(filter)
  const env = new ProvisioningEnv(its)
  env.applyNodePools(nodePool({ name: 'default', requirements: poolRequirements ?? [req(CT, 'spot', 'on-demand'), req(ARCH, 'arm64', 'amd64')] }))
  return env
}

function minPrice(its: readonly InstanceType[]): number {
  return Math.min(...its.flatMap((it) => it.offerings.map((o) => o.price)))
}

/** `nodePrice`: the price of the offering the Node's instance type, capacity type and zone name. */
function nodePrice(its: readonly InstanceType[], n: Node): number {
  const l = n.metadata.labels ?? {}
  const it = its.find((t) => t.name === l[IT])
  const o = it?.offerings.find((x) => x.capacityType === l[CT] && x.zone === l[ZONE])
  assert.ok(o, `no offering for ${l[IT]} ${l[CT]} ${l[ZONE]}`)
  return o.price
}

/** `supportedInstanceTypes(cloudProvider.CreateCalls[0])`. */
function supported(env: ProvisioningEnv): InstanceType[] {
  const nc = env.createCalls[0]
  assert.ok(nc, 'expected a NodeClaim to be launched')
  const allowed = Requirements.fromNodeSelector(nc.spec.requirements).get(IT)
  return env.instanceTypes.filter((it) => allowed.has(it.name))
}

type Check = ['label', string, string] | ['offering', string, string]

/** `ExpectInstancesWithLabel` / `ExpectInstancesWithOffering` over every supported type. */
function expectInstances(its: InstanceType[], check: Check): void {
  assert.ok(its.length > 0)
  for (const it of its) {
    const [kind, a, b] = check
    if (kind === 'offering')
      assert.ok(
        it.offerings.some((o) => o.capacityType === a && o.zone === b),
        `${it.name}: no ${a}/${b} offering`,
      )
    else if (a === ARCH || a === OS) assert.ok(it.requirements.get(a).has(b), `${it.name}: ${a} lacks ${b}`)
    else if (a === ZONE)
      assert.ok(
        it.offerings.some((o) => o.zone === b),
        `${it.name}: no offering in ${b}`,
      )
    else if (a === CT)
      assert.ok(
        it.offerings.some((o) => o.capacityType === b),
        `${it.name}: no ${b} offering`,
      )
  }
}

interface CheapestCase {
  name: string
  pool?: NodeSelectorRequirement[]
  pod?: NodeSelectorRequirement[]
  checks: Check[]
  /** Upstream repeats some It texts verbatim; the repeat is told apart by this suffix. */
  repeat?: boolean
}

const cheapest: CheapestCase[] = [
  { name: 'should schedule on one of the cheapest instances', checks: [] },
  { name: 'should schedule on one of the cheapest instances (pod arch = amd64)', pod: [req(ARCH, 'amd64')], checks: [['label', ARCH, 'amd64']] },
  { name: 'should schedule on one of the cheapest instances (pod arch = arm64)', pod: [req(ARCH, 'arm64')], checks: [['label', ARCH, 'arm64']] },
  { name: 'should schedule on one of the cheapest instances (prov arch = amd64)', pool: [req(ARCH, 'amd64')], checks: [['label', ARCH, 'amd64']] },
  { name: 'should schedule on one of the cheapest instances (prov arch = arm64)', pool: [req(ARCH, 'arm64')], checks: [['label', ARCH, 'arm64']] },
  { name: 'should schedule on one of the cheapest instances (prov os = windows)', pool: [req(OS, 'windows')], checks: [['label', OS, 'windows']] },
  { name: 'should schedule on one of the cheapest instances (pod os = windows)', pod: [req(OS, 'windows')], checks: [['label', OS, 'windows']] },
  {
    name: 'should schedule on one of the cheapest instances (prov os = windows)',
    pool: [req(OS, 'windows')],
    checks: [['label', OS, 'windows']],
    repeat: true,
  },
  { name: 'should schedule on one of the cheapest instances (pod os = linux)', pod: [req(OS, 'linux')], checks: [['label', OS, 'linux']] },
  { name: 'should schedule on one of the cheapest instances (pod os = linux)', pod: [req(OS, 'linux')], checks: [['label', OS, 'linux']], repeat: true },
  {
    name: 'should schedule on one of the cheapest instances (prov zone = test-zone-2)',
    pool: [req(ZONE, 'test-zone-2')],
    checks: [['label', ZONE, 'test-zone-2']],
  },
  {
    name: 'should schedule on one of the cheapest instances (pod zone = test-zone-2)',
    pod: [req(ZONE, 'test-zone-2')],
    checks: [['label', ZONE, 'test-zone-2']],
  },
  { name: 'should schedule on one of the cheapest instances (prov ct = spot)', pool: [req(CT, 'spot')], checks: [['label', CT, 'spot']] },
  { name: 'should schedule on one of the cheapest instances (pod ct = spot)', pod: [req(CT, 'spot')], checks: [['label', CT, 'spot']] },
  {
    name: 'should schedule on one of the cheapest instances (prov ct = ondemand, prov zone = test-zone-1)',
    pool: [req(CT, 'on-demand'), req(ZONE, 'test-zone-1')],
    checks: [['offering', 'on-demand', 'test-zone-1']],
  },
  {
    name: 'should schedule on one of the cheapest instances (pod ct = spot, pod zone = test-zone-1)',
    pod: [req(CT, 'spot'), req(ZONE, 'test-zone-1')],
    checks: [['offering', 'spot', 'test-zone-1']],
  },
  {
    name: 'should schedule on one of the cheapest instances (prov ct = spot, pod zone = test-zone-2)',
    pool: [req(CT, 'spot')],
    pod: [req(ZONE, 'test-zone-2')],
    checks: [['offering', 'spot', 'test-zone-2']],
  },
  {
    name: 'should schedule on one of the cheapest instances (prov ct = ondemand/test-zone-1/arm64/windows)',
    pool: [req(ARCH, 'arm64'), req(OS, 'windows'), req(CT, 'on-demand'), req(ZONE, 'test-zone-1')],
    checks: [
      ['offering', 'on-demand', 'test-zone-1'],
      ['label', OS, 'windows'],
      ['label', ARCH, 'arm64'],
    ],
  },
  {
    name: 'should schedule on one of the cheapest instances (prov = spot/test-zone-2, pod = amd64/linux)',
    pool: [req(ARCH, 'amd64'), req(OS, 'linux')],
    pod: [req(CT, 'spot'), req(ZONE, 'test-zone-2')],
    checks: [
      ['offering', 'spot', 'test-zone-2'],
      ['label', OS, 'linux'],
      ['label', ARCH, 'amd64'],
    ],
  },
  {
    name: 'should schedule on one of the cheapest instances (pod ct = spot/test-zone-2/amd64/linux)',
    pod: [req(ARCH, 'amd64'), req(OS, 'linux'), req(CT, 'spot'), req(ZONE, 'test-zone-2')],
    checks: [
      ['offering', 'spot', 'test-zone-2'],
      ['label', OS, 'linux'],
      ['label', ARCH, 'amd64'],
    ],
  },
]

const cheapestCases = cheapest.map(
  (c): PortedCase => ({
    name: `${D}${c.name}${c.repeat ? ' [2nd It of this text]' : ''}`,
    run: () => {
      const env = setup(c.pool)
      const p = unschedulablePod({ nodeRequirements: c.pod })
      env.provision(p)
      assert.equal(nodePrice(env.instanceTypes, env.scheduled(p)), minPrice(env.instanceTypes))
      for (const check of c.checks) expectInstances(supported(env), check)
    },
  }),
)

/** Types offered in test-zone-2 must be amd64 (upstream's filter for the zone-2 cases). */
const noArmInZone2 = (it: InstanceType): boolean => !it.offerings.some((o) => o.zone === 'test-zone-2') || it.requirements.get(ARCH).has('amd64')

const notScheduledCases: PortedCase[] = (
  [
    [
      'should not schedule if no instance type matches selector (pod arch = arm)',
      (it) => it.requirements.get(ARCH).has('amd64'),
      undefined,
      [req(ARCH, 'arm64')],
    ],
    [
      'should not schedule if no instance type matches selector (pod arch = arm zone=test-zone-2)',
      noArmInZone2,
      undefined,
      [req(ARCH, 'arm64'), req(ZONE, 'test-zone-2')],
    ],
    [
      'should not schedule if no instance type matches selector (prov arch = arm / pod zone=test-zone-2)',
      noArmInZone2,
      [req(ARCH, 'arm64')],
      [req(ZONE, 'test-zone-2')],
    ],
  ] as [string, (it: InstanceType) => boolean, NodeSelectorRequirement[] | undefined, NodeSelectorRequirement[]][]
).map(
  ([name, filter, pool, podReqs]): PortedCase => ({
    name: `${D}${name}`,
    run: () => {
      const env = setup(pool, filter)
      assert.ok(env.instanceTypes.length > 0)
      const p = unschedulablePod({ nodeRequirements: podReqs })
      env.provision(p)
      assert.equal(p.spec.nodeName, undefined)
      assert.equal(env.createCalls.length, 0)
    },
  }),
)

const otherCases: PortedCase[] = [
  {
    name: `${D}should schedule on an instance with enough resources`,
    run: () => {
      const its = shuffledAssorted(11)
      const fingerprint = () => JSON.stringify(its.map((it) => [it.name, it.capacity, it.overhead]))
      const before = fingerprint()
      for (const cpu of [0.1, 1.0, 2, 2.5, 4, 8, 16]) {
        for (const mem of [0.1, 1.0, 2, 4, 8, 16, 32]) {
          // cluster.Reset() per combination: the state forgets the nodes launched before.
          const env = new ProvisioningEnv(its)
          env.applyNodePools(nodePool({ name: 'default', requirements: [req(CT, 'spot', 'on-demand'), req(ARCH, 'arm64', 'amd64')] }))
          const requests = { cpu: cpu.toFixed(1), memory: `${mem.toFixed(1)}Gi` }
          const pods = [unschedulablePod({ requests }), unschedulablePod({ requests }), unschedulablePod({ requests })]
          env.provision(...pods)
          assert.equal(new Set(pods.map((p) => env.scheduled(p).metadata.name)).size, 1)
          const total = requestsForPods(...pods)
          for (const it of supported(env)) {
            const reserved = merge(total, it.overhead.kubeReserved, it.overhead.systemReserved, it.overhead.evictionThreshold)
            assert.equal(reserved.cpu.cmp(it.capacity.cpu), -1, `${it.name} cpu`)
            assert.equal(reserved.memory.cmp(it.capacity.memory), -1, `${it.name} memory`)
          }
        }
      }
      assert.equal(fingerprint(), before, 'scheduling must not modify instance type capacity or overhead')
    },
  },
  {
    name: `${D}should schedule on cheaper on-demand instance even when spot price ordering would place other instance types first`,
    run: () => {
      const mk = (name: string, od: number, spot: number) =>
        fakeInstanceType({
          name,
          architecture: 'amd64',
          operatingSystems: ['linux'],
          resources: { cpu: '1', memory: '1Gi' },
          offerings: [
            { capacityType: 'on-demand', zone: 'test-zone-1a', price: od, available: true },
            { capacityType: 'spot', zone: 'test-zone-1a', price: spot, available: true },
          ],
        })
      const env = new ProvisioningEnv([mk('test-instance1', 1.0, 0.2), mk('test-instance2', 1.3, 0.1)])
      env.applyNodePools(nodePool({ name: 'default', requirements: [req(CT, 'on-demand')] }))
      const p = unschedulablePod()
      env.provision(p)
      assert.equal(env.scheduled(p).metadata.labels?.[IT], 'test-instance1')
    },
  },
]

conformance({
  repo: 'kubernetes-sigs/karpenter',
  tag: 'v0.32.1',
  file: 'pkg/controllers/provisioning/scheduling/nodepool_instance_selection_test.go',
  twin: 'v0.32.1',
  area: 'scheduling',
  upstreamCases: 25,
  cases: [...cheapestCases, ...notScheduledCases, ...otherCases],
  notPorted: [],
})
