// Karpenter's provisioning scheduling suite, ported to the 1.x twin:
// kubernetes-sigs/karpenter@v1.9.1 pkg/controllers/provisioning/scheduling/suite_test.go (the core
// the aws provider v1.9.2 builds on). Each case names the upstream Describe/Context path and It.
//
// The fixture (scheduling-suite-builders.ts) stands for the suite's envtest cluster: one v1
// NodePool `default` (capacity types spot, on-demand, reserved unless a case replaces the
// requirements), the fake cloud provider's instance types (../fake.ts), and `ExpectProvisioned`
// rounds that schedule with the twin's scheduler, build v1 NodeClaims with v1/nodeclaim.ts and
// launch them the way the fake provider does. Node labels asserted below are those of the launched
// Node (the cheapest compatible instance type's labels, the offering's zone and capacity type, the
// NodeClaim's labels).
//
// Upstream repeats the NodePool-label contexts of "Custom Constraints" (Well Known Labels,
// Constraints Validation, Scheduling Logic) a second time with the same It texts; those second
// occurrences carry the suffix " (repeated)" so that every upstream case has its own name.

import assert from 'node:assert/strict'
import type { Pod, TopologySpreadConstraint } from '../../../../sandbox/k8s/types.ts'
import type { InstanceType } from '../../../../sandbox/karpenter/instance-types.ts'
import { LABEL_ARCH, LABEL_CAPACITY_TYPE, LABEL_HOSTNAME, LABEL_INSTANCE_TYPE, LABEL_OS, LABEL_ZONE } from '../../../../sandbox/karpenter/labels.ts'
import { defaultInstanceTypes, fakeInstanceType, instanceTypes, LABEL_EXOTIC, LABEL_INTEGER, LABEL_SIZE, RESOURCE_GPU_VENDOR_A } from '../fake.ts'
import { conformance, type NotPorted, type PortedCase } from '../harness.ts'
import {
  Cluster,
  daemonSet,
  labelsOf,
  nodePool,
  ownedBy,
  unschedulablePod,
  unschedulablePods,
  type PodOptions,
} from './scheduling-suite-builders.ts'

type PoolOptions = Parameters<typeof nodePool>[0]

/** A cluster with the suite's NodePool (or the given one) and the default fake instance types. */
function cluster(pool: PoolOptions = {}, types: InstanceType[] = defaultInstanceTypes()): Cluster {
  const c = new Cluster(types)
  c.nodePools = [nodePool(pool)]
  return c
}

/** One pod, one round: the pod's Node labels (the pod must schedule). */
function scheduledLabels(pool: PoolOptions, pod: PodOptions, types?: InstanceType[]): Record<string, string> {
  const c = cluster(pool, types)
  const p = unschedulablePod(pod)
  c.provision(p)
  return labelsOf(c.scheduled(p))
}

function expectLabels(pool: PoolOptions, pod: PodOptions, want: Record<string, string>, types?: InstanceType[]): void {
  const labels = scheduledLabels(pool, pod, types)
  for (const [k, v] of Object.entries(want)) assert.equal(labels[k], v, `label ${k}`)
}

function expectNotScheduled(pool: PoolOptions, pod: PodOptions, types?: InstanceType[]): void {
  const c = cluster(pool, types)
  const p = unschedulablePod(pod)
  c.provision(p)
  c.notScheduled(p)
}

const zoneIn = (...values: string[]) => ({ key: LABEL_ZONE, operator: 'In', values })
const zoneNotIn = (...values: string[]) => ({ key: LABEL_ZONE, operator: 'NotIn', values })
const testKeyIn = (...values: string[]) => ({ key: 'test-key', operator: 'In', values })
const ALL_ZONES = ['test-zone-1', 'test-zone-2', 'test-zone-3']

// ---- Custom Constraints ----

/** Well Known Labels, Constraints Validation and Scheduling Logic: the cases upstream writes twice. */
function repeatedContexts(): PortedCase[] {
  const wk = 'Custom Constraints › Well Known Labels › '
  const cv = 'Custom Constraints › Constraints Validation › '
  const sl = 'Custom Constraints › Scheduling Logic › '
  return [
    { name: `${wk}should use NodePool constraints`, run: () => expectLabels({ requirements: [zoneIn('test-zone-2')] }, {}, { [LABEL_ZONE]: 'test-zone-2' }) },
    {
      name: `${wk}should use node selectors`,
      run: () => expectLabels({ requirements: [zoneIn('test-zone-1', 'test-zone-2')] }, { nodeSelector: { [LABEL_ZONE]: 'test-zone-2' } }, { [LABEL_ZONE]: 'test-zone-2' }),
    },
    { name: `${wk}should not schedule nodes with a hostname selector`, run: () => expectNotScheduled({}, { nodeSelector: { [LABEL_HOSTNAME]: 'red-node' } }) },
    {
      name: `${wk}should not schedule the pod if nodeselector unknown`,
      run: () => expectNotScheduled({ requirements: [zoneIn('test-zone-1')] }, { nodeSelector: { [LABEL_ZONE]: 'unknown' } }),
    },
    {
      name: `${wk}should not schedule if node selector outside of NodePool constraints`,
      run: () => expectNotScheduled({ requirements: [zoneIn('test-zone-1')] }, { nodeSelector: { [LABEL_ZONE]: 'test-zone-2' } }),
    },
    {
      name: `${wk}should schedule compatible requirements with Operator=In`,
      run: () => expectLabels({}, { nodeRequirements: [zoneIn('test-zone-3')] }, { [LABEL_ZONE]: 'test-zone-3' }),
    },
    {
      name: `${wk}should schedule compatible requirements with Operator=Gt`,
      run: () => expectLabels({ requirements: [{ key: LABEL_INTEGER, operator: 'Gt', values: ['8'] }] }, {}, { [LABEL_INTEGER]: '16' }),
    },
    {
      name: `${wk}should schedule compatible requirements with Operator=Lt`,
      run: () => expectLabels({ requirements: [{ key: LABEL_INTEGER, operator: 'Lt', values: ['8'] }] }, {}, { [LABEL_INTEGER]: '2' }),
    },
    {
      name: `${wk}should not schedule incompatible preferences and requirements with Operator=In`,
      run: () => expectNotScheduled({}, { nodeRequirements: [zoneIn('unknown')] }),
    },
    {
      name: `${wk}should schedule compatible requirements with Operator=NotIn`,
      run: () => expectLabels({}, { nodeRequirements: [zoneNotIn('test-zone-1', 'test-zone-2', 'unknown')] }, { [LABEL_ZONE]: 'test-zone-3' }),
    },
    {
      name: `${wk}should not schedule incompatible preferences and requirements with Operator=NotIn`,
      run: () => expectNotScheduled({}, { nodeRequirements: [zoneNotIn(...ALL_ZONES, 'unknown')] }),
    },
    {
      name: `${wk}should schedule compatible preferences and requirements with Operator=In`,
      run: () =>
        expectLabels(
          {},
          { nodeRequirements: [zoneIn(...ALL_ZONES, 'unknown')], nodePreferences: [zoneIn('test-zone-2', 'unknown')] },
          { [LABEL_ZONE]: 'test-zone-2' },
        ),
    },
    {
      name: `${wk}should schedule incompatible preferences and requirements with Operator=In`,
      run: () => void scheduledLabels({}, { nodeRequirements: [zoneIn(...ALL_ZONES, 'unknown')], nodePreferences: [zoneIn('unknown')] }),
    },
    {
      name: `${wk}should schedule compatible preferences and requirements with Operator=NotIn`,
      run: () =>
        expectLabels(
          {},
          { nodeRequirements: [zoneIn(...ALL_ZONES, 'unknown')], nodePreferences: [zoneNotIn('test-zone-1', 'test-zone-3')] },
          { [LABEL_ZONE]: 'test-zone-2' },
        ),
    },
    {
      name: `${wk}should schedule incompatible preferences and requirements with Operator=NotIn`,
      run: () => void scheduledLabels({}, { nodeRequirements: [zoneIn(...ALL_ZONES, 'unknown')], nodePreferences: [zoneNotIn(...ALL_ZONES)] }),
    },
    {
      name: `${wk}should schedule compatible node selectors, preferences and requirements`,
      run: () =>
        expectLabels(
          {},
          { nodeSelector: { [LABEL_ZONE]: 'test-zone-3' }, nodeRequirements: [zoneIn(...ALL_ZONES)], nodePreferences: [zoneIn(...ALL_ZONES)] },
          { [LABEL_ZONE]: 'test-zone-3' },
        ),
    },
    {
      name: `${wk}should combine multidimensional node selectors, preferences and requirements`,
      run: () =>
        expectLabels(
          {},
          {
            nodeSelector: { [LABEL_ZONE]: 'test-zone-3', [LABEL_INSTANCE_TYPE]: 'arm-instance-type' },
            nodeRequirements: [zoneIn('test-zone-1', 'test-zone-3'), { key: LABEL_INSTANCE_TYPE, operator: 'In', values: ['default-instance-type', 'arm-instance-type'] }],
            nodePreferences: [zoneNotIn('unknown'), { key: LABEL_INSTANCE_TYPE, operator: 'NotIn', values: ['unknown'] }],
          },
          { [LABEL_ZONE]: 'test-zone-3', [LABEL_INSTANCE_TYPE]: 'arm-instance-type' },
        ),
    },
    {
      // v1.RestrictedLabels at v1.9.1 is {kubernetes.io/hostname}.
      name: `${cv}should not schedule pods that have node selectors with restricted labels`,
      run: () => expectNotScheduled({}, { nodeRequirements: [{ key: LABEL_HOSTNAME, operator: 'In', values: ['test'] }] }),
    },
    {
      // v1.RestrictedLabelDomains at v1.9.1 is {karpenter.sh}.
      name: `${cv}should not schedule pods that have node selectors with restricted domains`,
      run: () => expectNotScheduled({}, { nodeRequirements: [{ key: 'karpenter.sh/test', operator: 'In', values: ['test'] }] }),
    },
    {
      name: `${cv}should schedule pods that have node selectors with label in the kubernetes domains`,
      run: () => k8sDomainLabels(''),
    },
    {
      name: `${cv}should schedule pods that have node selectors with label in subdomain from kubernetes domains`,
      run: () => k8sDomainLabels('subdomain.'),
    },
    {
      name: `${cv}should schedule pods that have node selectors with label in wellknown label list`,
      run: () => {
        const c = cluster()
        const pods = [
          { [LABEL_ZONE]: 'test-zone-1' },
          { [LABEL_INSTANCE_TYPE]: 'default-instance-type' },
          { [LABEL_ARCH]: 'arm64' },
          { [LABEL_OS]: 'linux' },
          { [LABEL_CAPACITY_TYPE]: 'spot' },
        ].map((nodeSelector) => unschedulablePod({ nodeSelector }))
        c.provision(...pods)
        for (const p of pods) c.scheduled(p)
      },
    },
    { name: `${sl}should not schedule pods that have node selectors with In operator and undefined key`, run: () => expectNotScheduled({}, { nodeRequirements: [testKeyIn('test-value')] }) },
    {
      name: `${sl}should schedule pods that have node selectors with NotIn operator and undefined key`,
      run: () => assert.notEqual(scheduledLabels({}, { nodeRequirements: [{ key: 'test-key', operator: 'NotIn', values: ['test-value'] }] })['test-key'], 'test-value'),
    },
    {
      name: `${sl}should not schedule pods that have node selectors with Exists operator and undefined key`,
      run: () => expectNotScheduled({}, { nodeRequirements: [{ key: 'test-key', operator: 'Exists' }] }),
    },
    {
      name: `${sl}should schedule pods that with DoesNotExists operator and undefined key`,
      run: () => assert.ok(!('test-key' in scheduledLabels({}, { nodeRequirements: [{ key: 'test-key', operator: 'DoesNotExist' }] }))),
    },
    {
      name: `${sl}should schedule unconstrained pods that don't have matching node selectors`,
      run: () => expectLabels({ requirements: [testKeyIn('test-value')] }, {}, { 'test-key': 'test-value' }),
    },
    {
      name: `${sl}should schedule pods that have node selectors with matching value and In operator`,
      run: () => expectLabels({ requirements: [testKeyIn('test-value')] }, { nodeRequirements: [testKeyIn('test-value')] }, { 'test-key': 'test-value' }),
    },
    {
      name: `${sl}should not schedule pods that have node selectors with matching value and NotIn operator`,
      run: () => expectNotScheduled({ requirements: [testKeyIn('test-value')] }, { nodeRequirements: [{ key: 'test-key', operator: 'NotIn', values: ['test-value'] }] }),
    },
    {
      name: `${sl}should schedule the pod with Exists operator and defined key`,
      run: () => void scheduledLabels({ requirements: [testKeyIn('test-value')] }, { nodeRequirements: [{ key: 'test-key', operator: 'Exists' }] }),
    },
    {
      name: `${sl}should not schedule the pod with DoesNotExists operator and defined key`,
      run: () => expectNotScheduled({ requirements: [testKeyIn('test-value')] }, { nodeRequirements: [{ key: 'test-key', operator: 'DoesNotExist' }] }),
    },
    {
      name: `${sl}should not schedule pods that have node selectors with different value and In operator`,
      run: () => expectNotScheduled({ requirements: [testKeyIn('test-value')] }, { nodeRequirements: [testKeyIn('another-value')] }),
    },
    {
      name: `${sl}should schedule pods that have node selectors with different value and NotIn operator`,
      run: () =>
        expectLabels(
          { requirements: [testKeyIn('test-value')] },
          { nodeRequirements: [{ key: 'test-key', operator: 'NotIn', values: ['another-value'] }] },
          { 'test-key': 'test-value' },
        ),
    },
    {
      name: `${sl}should schedule compatible pods to the same node`,
      run: () => {
        const c = cluster({ requirements: [testKeyIn('test-value', 'another-value')] })
        const pods = [
          unschedulablePod({ nodeRequirements: [testKeyIn('test-value')] }),
          unschedulablePod({ nodeRequirements: [{ key: 'test-key', operator: 'NotIn', values: ['another-value'] }] }),
        ]
        c.provision(...pods)
        const [n1, n2] = pods.map((p) => c.scheduled(p))
        assert.equal(labelsOf(n1)['test-key'], 'test-value')
        assert.equal(labelsOf(n2)['test-key'], 'test-value')
        assert.equal(n1.metadata.name, n2.metadata.name)
      },
    },
    {
      name: `${sl}should schedule incompatible pods to the different node`,
      run: () => {
        const c = cluster({ requirements: [testKeyIn('test-value', 'another-value')] })
        const pods = [unschedulablePod({ nodeRequirements: [testKeyIn('test-value')] }), unschedulablePod({ nodeRequirements: [testKeyIn('another-value')] })]
        c.provision(...pods)
        const [n1, n2] = pods.map((p) => c.scheduled(p))
        assert.equal(labelsOf(n1)['test-key'], 'test-value')
        assert.equal(labelsOf(n2)['test-key'], 'another-value')
        assert.notEqual(n1.metadata.name, n2.metadata.name)
      },
    },
    {
      name: `${sl}Exists operator should not overwrite the existing value`,
      run: () => expectNotScheduled({}, { nodeRequirements: [zoneIn('non-existent-zone'), { key: LABEL_ZONE, operator: 'Exists' }] }),
    },
  ]
}

/** NodePool requirements `<sub><domain>/test In [test-value]` for kubernetes.io and k8s.io: each new Node carries both labels. */
function k8sDomainLabels(sub: string): void {
  const keys = ['kubernetes.io', 'k8s.io'].map((d) => `${sub}${d}/test`)
  const c = cluster({ requirements: keys.map((key) => ({ key, operator: 'In', values: ['test-value'] })) })
  for (const key of keys) {
    const p = unschedulablePod()
    c.provision(p)
    assert.equal(labelsOf(c.scheduled(p))[key], 'test-value')
  }
}

const nodePoolWithLabels: PortedCase[] = [
  {
    name: "Custom Constraints › NodePool with Labels › should schedule unconstrained pods that don't have matching node selectors",
    run: () => expectLabels({ labels: { 'test-key': 'test-value' } }, {}, { 'test-key': 'test-value' }),
  },
  {
    name: 'Custom Constraints › NodePool with Labels › should not schedule pods that have conflicting node selectors',
    run: () => expectNotScheduled({ labels: { 'test-key': 'test-value' } }, { nodeSelector: { 'test-key': 'different-value' } }),
  },
  {
    name: 'Custom Constraints › NodePool with Labels › should not schedule pods that have node selectors with undefined key',
    run: () => expectNotScheduled({}, { nodeSelector: { 'test-key': 'test-value' } }),
  },
  {
    name: 'Custom Constraints › NodePool with Labels › should schedule pods that have matching requirements',
    run: () => expectLabels({ labels: { 'test-key': 'test-value' } }, { nodeRequirements: [testKeyIn('test-value', 'another-value')] }, { 'test-key': 'test-value' }),
  },
  {
    name: 'Custom Constraints › NodePool with Labels › should not schedule pods that have conflicting requirements',
    run: () => expectNotScheduled({ labels: { 'test-key': 'test-value' } }, { nodeRequirements: [testKeyIn('another-value')] }),
  },
]

/** Cases only the first block has (v1.9 operators, NodePool readiness). */
const firstBlockOnly: PortedCase[] = [
  {
    name: 'Custom Constraints › Well Known Labels › should schedule compatible requirements with Operator=Gte',
    gap: 'v1/adapter.ts passes the v1 operators Gte/Lte to the v0.32 requirements, which read them as Exists',
    run: () => expectLabels({ requirements: [{ key: LABEL_INTEGER, operator: 'Gte', values: ['16'] }] }, {}, { [LABEL_INTEGER]: '16' }),
  },
  {
    name: 'Custom Constraints › Well Known Labels › should schedule compatible requirements with Operator=Lte',
    run: () => expectLabels({ requirements: [{ key: LABEL_INTEGER, operator: 'Lte', values: ['2'] }] }, {}, { [LABEL_INTEGER]: '2' }),
  },
  {
    name: 'Custom Constraints › Scheduling Logic › should not schedule pods with nodePool which is not ready ',
    run: () => expectNotScheduled({ ready: false }, {}),
  },
]

/** The second block: the same cases; one It reads "label in kubernetes domains" there. */
function secondBlock(): PortedCase[] {
  return repeatedContexts().map((c) => ({
    ...c,
    name: `${c.name.replace('label in the kubernetes domains', 'label in kubernetes domains')} (repeated)`,
  }))
}

const customConstraints: PortedCase[] = [...nodePoolWithLabels, ...repeatedContexts(), ...firstBlockOnly, ...secondBlock()]

// ---- the suite ----

const cases: PortedCase[] = [...customConstraints]
const notPorted: NotPorted[] = []

conformance({
  repo: 'kubernetes-sigs/karpenter',
  tag: 'v1.9.1',
  file: 'pkg/controllers/provisioning/scheduling/suite_test.go',
  twin: 'v1.9.2',
  area: 'scheduling',
  upstreamCases: 187,
  cases,
  notPorted,
})
