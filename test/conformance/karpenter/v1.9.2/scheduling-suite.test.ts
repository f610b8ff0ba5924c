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
import { Quantity } from '../../../../sandbox/k8s/quantity.ts'
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
        const selectors: Record<string, string>[] = [
          { [LABEL_ZONE]: 'test-zone-1' },
          { [LABEL_INSTANCE_TYPE]: 'default-instance-type' },
          { [LABEL_ARCH]: 'arm64' },
          { [LABEL_OS]: 'linux' },
          { [LABEL_CAPACITY_TYPE]: 'spot' },
        ]
        const pods = selectors.map((nodeSelector) => unschedulablePod({ nodeSelector }))
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


// ---- Preferential Fallback ----

const preferentialFallback: PortedCase[] = [
  {
    name: 'Preferential Fallback › Required › should not relax the final term',
    run: () =>
      expectNotScheduled(
        { requirements: [zoneIn('test-zone-1'), { key: LABEL_INSTANCE_TYPE, operator: 'In', values: ['default-instance-type'] }] },
        { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [zoneIn('invalid')] }] } } } },
      ),
  },
  {
    name: 'Preferential Fallback › Required › should relax multiple terms',
    run: () =>
      expectLabels(
        {},
        {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [zoneIn('invalid'), zoneIn('invalid'), zoneIn('test-zone-1'), zoneIn('test-zone-2')].map((r) => ({ matchExpressions: [r] })),
              },
            },
          },
        },
        { [LABEL_ZONE]: 'test-zone-1' },
      ),
  },
  {
    name: 'Preferential Fallback › Preferred › should relax all terms',
    run: () =>
      void scheduledLabels(
        {},
        {
          affinity: {
            nodeAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 1, preference: { matchExpressions: [zoneIn('invalid')] } },
                { weight: 1, preference: { matchExpressions: [{ key: LABEL_INSTANCE_TYPE, operator: 'In', values: ['invalid'] }] } },
              ],
            },
          },
        },
      ),
  },
  {
    name: 'Preferential Fallback › Preferred › should relax to use lighter weights',
    run: () =>
      expectLabels(
        { requirements: [zoneIn('test-zone-1', 'test-zone-2')] },
        {
          affinity: {
            nodeAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 100, preference: { matchExpressions: [{ key: LABEL_INSTANCE_TYPE, operator: 'In', values: ['test-zone-3'] }] } },
                { weight: 50, preference: { matchExpressions: [zoneIn('test-zone-2')] } },
                { weight: 1, preference: { matchExpressions: [zoneIn('test-zone-1')] } },
              ],
            },
          },
        },
        { [LABEL_ZONE]: 'test-zone-2' },
      ),
  },
  {
    name: 'Preferential Fallback › Preferred › should schedule even if preference is conflicting with requirement',
    run: () =>
      expectLabels(
        {},
        {
          affinity: {
            nodeAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [zoneNotIn('test-zone-3')] } }],
              requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [zoneIn('test-zone-3')] }] },
            },
          },
        },
        { [LABEL_ZONE]: 'test-zone-3' },
      ),
  },
  {
    name: 'Preferential Fallback › Preferred › should schedule even if preference requirements are conflicting',
    run: () => void scheduledLabels({}, { nodePreferences: [zoneIn('invalid'), zoneNotIn('invalid')] }),
  },
]

// ---- Instance Type Compatibility ----

const BOTH_ARCHS = { requirements: [{ key: LABEL_ARCH, operator: 'In', values: ['arm64', 'amd64'] }] }
const AMD64_ONLY = { requirements: [{ key: LABEL_ARCH, operator: 'In', values: ['amd64'] }] }
const GPU1 = 'karpenter.sh/super-great-gpu'
const GPU2 = 'karpenter.sh/even-better-gpu'

/** `fake.InstanceTypes(5)` with 25 of one fake GPU on the first type and 25 of another on the second. */
function typesWithTwoGpus(): InstanceType[] {
  const types = instanceTypes(5)
  for (const [i, gpu] of [GPU1, GPU2].entries()) {
    types[i].capacity[gpu] = Quantity.parse('25')
    types[i].allocatable[gpu] = Quantity.parse('25')
  }
  return types
}

/** The pods all schedule, each to a Node of its own. */
function onDifferentNodes(pool: PoolOptions, pods: PodOptions[], types?: InstanceType[]): void {
  const c = cluster(pool, types)
  const ps = pods.map((o) => unschedulablePod(o))
  c.provision(...ps)
  assert.equal(new Set(ps.map((p) => c.scheduled(p).metadata.name)).size, ps.length)
}

const instanceTypeCompatibility: PortedCase[] = [
  {
    name: 'Instance Type Compatibility › should not schedule if requesting more resources than any instance type has',
    run: () => expectNotScheduled({}, { requests: { cpu: '512' } }),
  },
  {
    name: 'Instance Type Compatibility › should launch pods with different archs on different instances',
    run: () => onDifferentNodes(BOTH_ARCHS, [{ nodeSelector: { [LABEL_ARCH]: 'amd64' } }, { nodeSelector: { [LABEL_ARCH]: 'arm64' } }]),
  },
  {
    name: 'Instance Type Compatibility › should exclude instance types that are not supported by the pod constraints (node affinity/instance type)',
    run: () => expectNotScheduled(AMD64_ONLY, { nodeRequirements: [{ key: LABEL_INSTANCE_TYPE, operator: 'In', values: ['arm-instance-type'] }] }),
  },
  {
    name: 'Instance Type Compatibility › should exclude instance types that are not supported by the pod constraints (node affinity/operating system)',
    run: () => expectNotScheduled(AMD64_ONLY, { nodeRequirements: [{ key: LABEL_OS, operator: 'In', values: ['ios'] }] }),
  },
  {
    name: 'Instance Type Compatibility › should exclude instance types that are not supported by the provider constraints (arch)',
    run: () => expectNotScheduled(AMD64_ONLY, { limits: { cpu: '14' } }),
  },
  {
    name: 'Instance Type Compatibility › should launch pods with different operating systems on different instances',
    run: () => onDifferentNodes(BOTH_ARCHS, [{ nodeSelector: { [LABEL_OS]: 'linux' } }, { nodeSelector: { [LABEL_OS]: 'windows' } }]),
  },
  {
    name: 'Instance Type Compatibility › should launch pods with different instance type node selectors on different instances',
    // corev1.LabelInstanceType is the beta alias beta.kubernetes.io/instance-type, normalised to the stable key.
    run: () =>
      onDifferentNodes(BOTH_ARCHS, [
        { nodeSelector: { 'beta.kubernetes.io/instance-type': 'small-instance-type' } },
        { nodeSelector: { [LABEL_INSTANCE_TYPE]: 'default-instance-type' } },
      ]),
  },
  {
    name: 'Instance Type Compatibility › should launch pods with different zone selectors on different instances',
    run: () => onDifferentNodes(BOTH_ARCHS, [{ nodeSelector: { [LABEL_ZONE]: 'test-zone-1' } }, { nodeSelector: { [LABEL_ZONE]: 'test-zone-2' } }]),
  },
  {
    name: "Instance Type Compatibility › should launch pods with resources that aren't on any single instance type on different instances",
    run: () => onDifferentNodes({}, [{ limits: { [GPU1]: '1' } }, { limits: { [GPU2]: '1' } }], typesWithTwoGpus()),
  },
  {
    name: "Instance Type Compatibility › should fail to schedule a pod with resources requests that aren't on a single instance type",
    run: () => expectNotScheduled({}, { limits: { [GPU1]: '1', [GPU2]: '1' } }, typesWithTwoGpus()),
  },
  {
    name: 'Instance Type Compatibility › Provider Specific Labels › should filter instance types that match labels',
    run: () => {
      const c = cluster({}, instanceTypes(5))
      const pods = [unschedulablePod({ nodeSelector: { [LABEL_SIZE]: 'large' } }), unschedulablePod({ nodeSelector: { [LABEL_SIZE]: 'small' } })]
      c.provision(...pods)
      assert.equal(labelsOf(c.scheduled(pods[0]))[LABEL_INSTANCE_TYPE], 'fake-it-4')
      assert.equal(labelsOf(c.scheduled(pods[1]))[LABEL_INSTANCE_TYPE], 'fake-it-0')
    },
  },
  {
    name: 'Instance Type Compatibility › Provider Specific Labels › should not schedule with incompatible labels',
    run: () => {
      const c = cluster({}, instanceTypes(5))
      const pods = [
        unschedulablePod({ nodeSelector: { [LABEL_SIZE]: 'large', [LABEL_INSTANCE_TYPE]: 'fake-it-0' } }),
        unschedulablePod({ nodeSelector: { [LABEL_SIZE]: 'small', [LABEL_INSTANCE_TYPE]: 'fake-it-4' } }),
      ]
      c.provision(...pods)
      for (const p of pods) c.notScheduled(p)
    },
  },
  {
    name: 'Instance Type Compatibility › Provider Specific Labels › should schedule optional labels',
    run: () => {
      const labels = scheduledLabels({}, { nodeRequirements: [{ key: LABEL_EXOTIC, operator: 'Exists' }] }, instanceTypes(5))
      assert.ok(LABEL_EXOTIC in labels)
      assert.equal(labels[LABEL_INSTANCE_TYPE], 'fake-it-4')
    },
  },
  {
    name: 'Instance Type Compatibility › Provider Specific Labels › should schedule without optional labels if disallowed',
    run: () => assert.ok(!(LABEL_EXOTIC in scheduledLabels({ requirements: [] }, { nodeRequirements: [{ key: LABEL_EXOTIC, operator: 'DoesNotExist' }] }, instanceTypes(5)))),
  },
]

// ---- Binpacking ----

/** Every pod schedules on `type`; the pods use `nodes` Nodes in all. */
function packs(pods: Pod[], type: string, nodes: number, types?: InstanceType[]): void {
  const c = cluster({}, types)
  c.provision(...pods)
  const names = new Set<string>()
  for (const p of pods) {
    const n = c.scheduled(p)
    names.add(n.metadata.name ?? '')
    assert.equal(labelsOf(n)[LABEL_INSTANCE_TYPE], type)
  }
  assert.equal(names.size, nodes)
}

const AMD64 = { [LABEL_ARCH]: 'amd64' }

const binpacking: PortedCase[] = [
  { name: 'Binpacking › should schedule a small pod on the smallest instance', run: () => packs([unschedulablePod({ requests: { memory: '100M' } })], 'small-instance-type', 1) },
  {
    name: 'Binpacking › should schedule a small pod on the smallest possible instance type',
    run: () => packs([unschedulablePod({ requests: { memory: '2000M' } })], 'small-instance-type', 1),
  },
  {
    // The RuntimeClass admission plugin copies the class's podFixed overhead (2 CPU) into spec.overhead.
    name: 'Binpacking › should take pod runtime class into consideration',
    run: () => packs([unschedulablePod({ requests: { cpu: '1' }, overhead: { cpu: '2' } })], 'default-instance-type', 1),
  },
  {
    name: 'Binpacking › should schedule multiple small pods on the smallest possible instance type',
    run: () => packs(unschedulablePods(5, { requests: { memory: '10M' } }), 'small-instance-type', 1),
  },
  {
    name: 'Binpacking › should create new nodes when a node is at capacity',
    run: () => packs(unschedulablePods(40, { nodeSelector: AMD64, requests: { memory: '1.8G' } }), 'default-instance-type', 20),
  },
  {
    name: 'Binpacking › should pack small and large pods together',
    run: () =>
      packs(
        [...unschedulablePods(40, { nodeSelector: AMD64, requests: { memory: '1.8G' } }), ...unschedulablePods(20, { nodeSelector: AMD64, requests: { memory: '400M' } })],
        'default-instance-type',
        20,
      ),
  },
  {
    name: 'Binpacking › should pack nodes tightly',
    run: () => {
      const c = cluster({}, instanceTypes(5))
      const pods = [unschedulablePod({ requests: { cpu: '4.5' } }), unschedulablePod({ requests: { cpu: '1' } })]
      c.provision(...pods)
      const [n1, n2] = pods.map((p) => c.scheduled(p))
      assert.notEqual(labelsOf(n1)[LABEL_INSTANCE_TYPE], labelsOf(n2)[LABEL_INSTANCE_TYPE])
    },
  },
  {
    name: 'Binpacking › should handle zero-quantity resource requests',
    run: () => void scheduledLabels({}, { requests: { 'foo.com/weird-resources': '0' }, limits: { 'foo.com/weird-resources': '0' } }),
  },
  { name: "Binpacking › should not schedule pods that exceed every instance type's capacity", run: () => expectNotScheduled({}, { requests: { memory: '2Ti' } }) },
  {
    name: 'Binpacking › should create new nodes when a node is at capacity due to pod limits per node',
    run: () => packs(unschedulablePods(25, { nodeSelector: AMD64, requests: { memory: '1m', cpu: '1m' } }), 'small-instance-type', 5),
  },
  {
    name: 'Binpacking › should take into account initContainer resource requests when binpacking',
    run: () => packs([unschedulablePod({ requests: { memory: '1Gi', cpu: '1' }, initRequests: { memory: '1Gi', cpu: '2' } })], 'default-instance-type', 1),
  },
  {
    name: 'Binpacking › should not schedule pods when initContainer resource requests are greater than available instance types',
    run: () => expectNotScheduled({}, { requests: { memory: '1Gi', cpu: '1' }, initRequests: { memory: '1Ti', cpu: '2' } }),
  },
  {
    name: 'Binpacking › should select for valid instance types, regardless of price',
    run: () => {
      const offering = (price: number) => [{ capacityType: 'on-demand', zone: 'test-zone-1a', price, available: true }]
      const types = [
        fakeInstanceType({ name: 'medium', resources: { cpu: '2', memory: '2Gi' }, offerings: offering(3) }),
        fakeInstanceType({ name: 'small', resources: { cpu: '1', memory: '1Gi' }, offerings: offering(2) }),
        fakeInstanceType({ name: 'large', resources: { cpu: '4', memory: '4Gi' }, offerings: offering(1) }),
      ]
      const c = cluster({}, types)
      const p = unschedulablePod({ limits: { cpu: '1m', memory: '1Mi' } })
      c.provision(p)
      assert.equal(labelsOf(c.scheduled(p))[LABEL_INSTANCE_TYPE], 'large')
      const offered = c.createCalls[0].spec.requirements?.find((r) => r.key === LABEL_INSTANCE_TYPE)?.values ?? []
      assert.deepEqual([...offered].sort(), ['large', 'medium', 'small'])
    },
  },
]

// ---- the suite ----

const cases: PortedCase[] = [...customConstraints, ...preferentialFallback, ...instanceTypeCompatibility, ...binpacking]
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
