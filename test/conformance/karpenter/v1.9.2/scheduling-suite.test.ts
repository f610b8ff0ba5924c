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
import type { Node, Pod, TopologySpreadConstraint } from '../../../../sandbox/k8s/types.ts'
import { Quantity } from '../../../../sandbox/k8s/quantity.ts'
import type { InstanceType } from '../../../../sandbox/karpenter/instance-types.ts'
import { LABEL_ARCH, LABEL_CAPACITY_TYPE, LABEL_HOSTNAME, LABEL_INSTANCE_TYPE, LABEL_OS, LABEL_ZONE } from '../../../../sandbox/karpenter/labels.ts'
import { defaultInstanceTypes, fakeInstanceType, instanceTypes, LABEL_EXOTIC, LABEL_INTEGER, LABEL_SIZE, RESOURCE_GPU_VENDOR_A } from '../fake.ts'
import { conformance, type NotPorted, type PortedCase } from '../harness.ts'
import { seededRng } from '../../../../sandbox/karpenter/rng.ts'
import { available } from '../../../../sandbox/karpenter/state.ts'
import {
  bareNodeClaim,
  Cluster,
  cpuOf,
  daemonSet,
  type ClusterNode,
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
      run: () =>
        expectLabels(
          { requirements: [zoneIn('test-zone-1', 'test-zone-2')] },
          { nodeSelector: { [LABEL_ZONE]: 'test-zone-2' } },
          { [LABEL_ZONE]: 'test-zone-2' },
        ),
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
            nodeRequirements: [
              zoneIn('test-zone-1', 'test-zone-3'),
              { key: LABEL_INSTANCE_TYPE, operator: 'In', values: ['default-instance-type', 'arm-instance-type'] },
            ],
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
    {
      name: `${sl}should not schedule pods that have node selectors with In operator and undefined key`,
      run: () => expectNotScheduled({}, { nodeRequirements: [testKeyIn('test-value')] }),
    },
    {
      name: `${sl}should schedule pods that have node selectors with NotIn operator and undefined key`,
      run: () =>
        assert.notEqual(scheduledLabels({}, { nodeRequirements: [{ key: 'test-key', operator: 'NotIn', values: ['test-value'] }] })['test-key'], 'test-value'),
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
      run: () =>
        expectNotScheduled({ requirements: [testKeyIn('test-value')] }, { nodeRequirements: [{ key: 'test-key', operator: 'NotIn', values: ['test-value'] }] }),
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
    run: () =>
      expectLabels({ labels: { 'test-key': 'test-value' } }, { nodeRequirements: [testKeyIn('test-value', 'another-value')] }, { 'test-key': 'test-value' }),
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
    run: () =>
      assert.ok(
        !(LABEL_EXOTIC in scheduledLabels({ requirements: [] }, { nodeRequirements: [{ key: LABEL_EXOTIC, operator: 'DoesNotExist' }] }, instanceTypes(5))),
      ),
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
  {
    name: 'Binpacking › should schedule a small pod on the smallest instance',
    run: () => packs([unschedulablePod({ requests: { memory: '100M' } })], 'small-instance-type', 1),
  },
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
        [
          ...unschedulablePods(40, { nodeSelector: AMD64, requests: { memory: '1.8G' } }),
          ...unschedulablePods(20, { nodeSelector: AMD64, requests: { memory: '400M' } }),
        ],
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
  {
    name: "Binpacking › should not schedule pods that exceed every instance type's capacity",
    run: () => expectNotScheduled({}, { requests: { memory: '2Ti' } }),
  },
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

// ---- In-Flight Nodes ----

const P10M = { limits: { cpu: '10m' } }

/** Two rounds: `first` gets a Node, `between` changes the cluster, then `second`; whether it lands on the same Node. */
function secondRound(first: PodOptions, second: PodOptions, between: (c: Cluster, n: Node, p: Pod) => void = () => {}, pool: PoolOptions = {}): boolean {
  const c = cluster(pool)
  const p1 = unschedulablePod(first)
  c.provision(p1)
  const n1 = c.scheduled(p1)
  between(c, n1, p1)
  const p2 = unschedulablePod(second)
  c.provision(p2)
  return c.scheduled(p2).metadata.name === n1.metadata.name
}

function clusterNodeOf(c: Cluster, n: Node): ClusterNode {
  const cn = c.nodes.find((x) => x.node === n)
  assert.ok(cn)
  return cn
}

function spread(key: string): TopologySpreadConstraint {
  return { topologyKey: key, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { foo: 'bar' } }, maxSkew: 1 }
}

const inFlight: PortedCase[] = [
  {
    name: 'In-Flight Nodes › should not launch a second node if there is an in-flight node that can support the pod',
    run: () => assert.ok(secondRound(P10M, P10M)),
  },
  {
    name: 'In-Flight Nodes › should not launch a second node if there is an in-flight node that can support the pod (node selectors)',
    run: () => {
      const c = cluster()
      const [p1, p2, p3] = [['test-zone-2'], ['test-zone-1', 'test-zone-2'], ['test-zone-1', 'test-zone-3']].map((zones) =>
        unschedulablePod({ ...P10M, nodeRequirements: [zoneIn(...zones)] }),
      )
      c.provision(p1)
      const n1 = c.scheduled(p1)
      c.provision(p2)
      assert.equal(c.scheduled(p2).metadata.name, n1.metadata.name)
      c.provision(p3)
      assert.notEqual(c.scheduled(p3).metadata.name, n1.metadata.name)
    },
  },
  {
    name: "In-Flight Nodes › should launch a second node if a pod won't fit on the existingNodes node",
    run: () => assert.ok(!secondRound({ limits: { cpu: '1001m' } }, { limits: { cpu: '1' } })),
  },
  {
    name: "In-Flight Nodes › should launch a second node if a pod isn't compatible with the existingNodes node (node selector)",
    run: () => assert.ok(!secondRound(P10M, { nodeSelector: { [LABEL_ARCH]: 'arm64' } })),
  },
  {
    name: 'In-Flight Nodes › should launch a second node if an in-flight node is terminating',
    // The NodeClaim and Node are deleted (finalizers cleared): they leave the cluster state.
    run: () => assert.ok(!secondRound(P10M, P10M, (c, n) => void (c.nodes = c.nodes.filter((x) => x.node !== n)))),
  },
  {
    name: 'In-Flight Nodes › Topology › should balance pods across zones with in-flight nodes',
    run: () => {
      const c = cluster()
      const tsc = spread(LABEL_ZONE)
      c.provision(...unschedulablePods(4, { labels: { foo: 'bar' }, topologySpreadConstraints: [tsc] }))
      assert.deepEqual(c.skew(tsc), [1, 1, 2])
      const before = c.nodeList.length
      c.provision(...unschedulablePods(5, { labels: { foo: 'bar' }, topologySpreadConstraints: [tsc] }))
      assert.deepEqual(c.skew(tsc), [3, 3, 3])
      assert.equal(c.nodeList.length, before)
    },
  },
  {
    name: 'In-Flight Nodes › Topology › should balance pods across hostnames with in-flight nodes',
    run: () => {
      const c = cluster()
      const tsc = spread(LABEL_HOSTNAME)
      c.provision(...unschedulablePods(4, { labels: { foo: 'bar' }, topologySpreadConstraints: [tsc] }))
      assert.deepEqual(c.skew(tsc), [1, 1, 1, 1])
      c.provision(...unschedulablePods(5, { labels: { foo: 'bar' }, topologySpreadConstraints: [tsc] }))
      assert.deepEqual(c.skew(tsc), [1, 1, 1, 1, 1, 1, 1, 1, 1])
    },
  },
  {
    name: 'In-Flight Nodes › Taints › should assume pod will schedule to a tainted node with no taints',
    run: () =>
      assert.ok(
        secondRound({ limits: { cpu: '8' } }, {}, (c, n, p) => {
          c.delete(p)
          n.spec = { ...n.spec, taints: undefined }
        }),
      ),
  },
  {
    name: 'In-Flight Nodes › Taints › should assume pod will schedule to a node with ephemeral taint node.kubernetes.io/not-ready:NoExecute when the node is uninitialized',
    run: () => {
      const c = cluster()
      const p1 = unschedulablePod()
      c.provision(p1)
      const n1 = c.scheduled(p1)
      c.delete(p1)
      n1.spec = { ...n1.spec, taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] }
      const p2 = unschedulablePod()
      c.provision(p2)
      assert.equal(c.scheduled(p2).metadata.name, n1.metadata.name)
      c.delete(p2)
      c.initialize(clusterNodeOf(c, n1))
      const p3 = unschedulablePod()
      c.provision(p3)
      assert.notEqual(c.scheduled(p3).metadata.name, n1.metadata.name)
    },
  },
  {
    name: 'In-Flight Nodes › Taints › should not assume pod will schedule to a tainted node',
    run: () =>
      assert.ok(
        !secondRound({ limits: { cpu: '8' } }, {}, (c, n, p) => {
          c.initialize(clusterNodeOf(c, n))
          c.delete(p)
          n.spec = { ...n.spec, taints: [...(n.spec?.taints ?? []), { key: 'foo.com/taint', value: 'tainted', effect: 'NoSchedule' }] }
        }),
      ),
  },
  {
    name: 'In-Flight Nodes › Taints › should assume pod will schedule to a tainted node with a custom startup taint',
    // Upstream also counts two taints on the envtest Node (the startup taint and one the fixture adds); the
    // twin's Node carries the startup taint.
    run: () => {
      const startup = { key: 'foo.com/taint', value: 'tainted', effect: 'NoSchedule' }
      assert.ok(
        secondRound(
          { limits: { cpu: '8' } },
          {},
          (c, n, p) => {
            c.delete(p)
            assert.ok((n.spec?.taints ?? []).some((t) => t.key === startup.key && t.value === startup.value && t.effect === startup.effect))
          },
          { startupTaints: [startup] },
        ),
      )
    },
  },
  {
    name: 'In-Flight Nodes › Taints › should not assume pod will schedule to a node with startup taints after initialization',
    run: () => {
      const startup = { key: 'ignore-me', value: 'nothing-to-see-here', effect: 'NoSchedule' }
      assert.ok(
        !secondRound(
          {},
          {},
          (c, n, p) => {
            c.delete(p)
            c.initialize(clusterNodeOf(c, n))
            n.spec = { ...n.spec, taints: [startup] }
            n.status = { ...n.status, capacity: { pods: '10' } }
          },
          { startupTaints: [startup] },
        ),
      )
    },
  },
  {
    name: 'In-Flight Nodes › Taints › should consider a tainted NotReady node as in-flight even if initialized',
    // Upstream applies the initialized label and the NotReady taints to the Node object but does not
    // reconcile the node state controller before the second round, so the scheduler still sees the
    // Node as it joined (registered, uninitialized, untainted). The cluster state here is that view:
    // the edited copy never reaches it.
    run: () =>
      assert.ok(
        secondRound({ requests: { cpu: '10m' } }, { requests: { cpu: '10m' } }, (_c, n) => {
          const applied = structuredClone(n)
          applied.metadata.labels = { ...applied.metadata.labels, 'karpenter.sh/initialized': 'true' }
          applied.spec = {
            ...applied.spec,
            taints: [
              { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
              { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
              { key: 'node.cloudprovider.kubernetes.io/uninitialized', effect: 'NoSchedule', value: 'true' },
            ],
          }
        }),
      ),
  },
  {
    name: 'In-Flight Nodes › Daemonsets › should track daemonset usage separately so we know how many DS resources are remaining to be scheduled',
    run: () => daemonSetTracking(false),
  },
  {
    name: 'In-Flight Nodes › Daemonsets › should handle unexpected daemonset pods binding to the node',
    run: () => daemonSetTracking(true),
  },
  {
    name: 'In-Flight Nodes › should pack in-flight nodes before launching new nodes',
    run: () => {
      const c = cluster({}, [fakeInstanceType({ name: 'medium', resources: { cpu: '4.25', pods: '4' } })])
      const rng = seededRng(2011)
      for (let i = 0; i < 10; i++) {
        const pods = unschedulablePods(rng.int(10), { limits: { cpu: '1' } })
        c.provision(...pods)
        for (const p of pods) c.scheduled(p)
      }
      const withCpuFree = c.stateNodes().filter((n) => cpuOf(available(n)) >= 1)
      assert.ok(withCpuFree.length <= 1, `${withCpuFree.length} nodes with a CPU free`)
    },
  },
  {
    name: 'In-Flight Nodes › should not launch a second node if there is an in-flight node that can support the pod (#2011)',
    run: () => {
      const c = cluster()
      const p = unschedulablePod(P10M)
      c.provisionNoBinding(p)
      assert.equal(c.nodeList.length, 1)
      c.provisionNoBinding(p)
      assert.equal(c.nodeList.length, 1)
    },
  },
  {
    name: 'In-Flight Nodes › should order initialized nodes for scheduling uninitialized nodes when all other nodes are inflight',
    run: () => orderInitializedFirst(false),
  },
]

/**
 * The two DaemonSet cases: a 1 CPU/1Gi DaemonSet (with `unexpected`, a second one that needs a node
 * label Karpenter does not set, and a 1m one), an 8 CPU pod on a new Node, the pod gone, a DaemonSet
 * pod bound: the Node's DaemonSet requests and what is available, then a second pod.
 */
function daemonSetTracking(unexpected: boolean): void {
  const c = cluster()
  const ds = unexpected
    ? daemonSet('ds1', { nodeSelector: { 'my-node-label': 'value' }, requests: { cpu: '1', memory: '1Gi' } })
    : daemonSet('ds', { requests: { cpu: '1', memory: '1Gi' } })
  c.daemonSets = unexpected ? [ds, daemonSet('ds2', { requests: { cpu: '1m' } })] : [ds]
  const p1 = unschedulablePod({ limits: { cpu: '8' } })
  c.provision(p1)
  const n1 = c.scheduled(p1)
  if (unexpected) n1.metadata.labels = { ...n1.metadata.labels, 'my-node-label': 'value' }
  const dsPod = unschedulablePod({
    nodeSelector: unexpected ? { 'my-node-label': 'value' } : undefined,
    requests: { cpu: '1', memory: '2Gi' },
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata.name ?? '', uid: ds.metadata.uid ?? '', controller: true, blockOwnerDeletion: true },
    ],
  })
  c.delete(p1)
  c.apply(dsPod)
  const state = () => {
    const [sn] = c.stateNodes()
    return { ds: cpuOf(sn.daemonSetRequests), available: cpuOf(available(sn)) }
  }
  assert.deepEqual(state(), { ds: 0, available: 15.9 })
  c.bind(dsPod, clusterNodeOf(c, n1))
  assert.deepEqual(state(), { ds: 1, available: 14.9 })
  const p2 = unschedulablePod({ limits: { cpu: unexpected ? '15.5' : '14.9' } })
  c.provision(p2)
  assert.equal(c.scheduled(p2).metadata.name === n1.metadata.name, !unexpected)
}

/**
 * 100 NodeClaims of the NodePool; one (chosen at random) gets an initialized Node, the others are
 * registered but not initialized (`withNodes`) or still in flight: a pod goes to the initialized one.
 */
function orderInitializedFirst(withNodes: boolean): void {
  const c = cluster()
  const rng = seededRng(100)
  const elem = rng.int(100)
  const launched: ClusterNode[] = []
  for (let i = 0; i < 100; i++) {
    const n = c.launch(bareNodeClaim('default', `nodeclaim-${String(i).padStart(3, '0')}`), { withNode: withNodes || i === elem })
    assert.ok(n)
    launched.push(n)
  }
  c.initialize(launched[elem])
  const p = unschedulablePod()
  c.provision(p)
  assert.equal(c.scheduled(p).metadata.name, launched[elem].node?.metadata.name)
}

// ---- Existing Nodes ----

const existingNodes: PortedCase[] = [
  {
    name: 'Existing Nodes › should schedule a pod to an existing node unowned by Karpenter',
    run: () => {
      const c = cluster()
      const n = c.addNode({ allocatable: { cpu: '10', memory: '10Gi', pods: '110' } })
      const p = unschedulablePod({ requests: { cpu: '10m' }, limits: { cpu: '10m' } })
      c.provision(p)
      assert.equal(c.scheduled(p), n.node)
    },
  },
  {
    name: 'Existing Nodes › should schedule multiple pods to an existing node unowned by Karpenter',
    run: () => {
      const c = cluster()
      const n = c.addNode({ allocatable: { cpu: '10', memory: '100Gi', pods: '110' } })
      const pods = unschedulablePods(100, { requests: { cpu: '10m' }, limits: { cpu: '10m' } })
      c.provision(...pods)
      for (const p of pods) assert.equal(c.scheduled(p), n.node)
    },
  },
  { name: 'Existing Nodes › should order initialized nodes for scheduling uninitialized nodes', run: () => orderInitializedFirst(true) },
  {
    name: 'Existing Nodes › should consider a pod incompatible with an existing node but compatible with NodePool',
    run: () => {
      const c = cluster()
      c.nodePools = []
      c.addNodeClaimAndNode({ allocatable: { cpu: '10', memory: '10Gi', pods: '110' }, initialized: true })
      const p = unschedulablePod({ nodeRequirements: [zoneIn('test-zone-1')] })
      c.provision(p)
      c.notScheduled(p)
      c.nodePools = [nodePool()]
      c.provision(p)
      c.scheduled(p)
    },
  },
  {
    name: 'Existing Nodes › Daemonsets › should not subtract daemonset overhead that is not strictly compatible with an existing node',
    run: () => {
      const c = cluster()
      const n = c.addNodeClaimAndNode({ allocatable: { cpu: '1', memory: '1Gi', pods: '110' }, initialized: true })
      c.daemonSets = [daemonSet('ds', { requests: { cpu: '100', memory: '100Gi' }, nodeRequirements: [zoneIn('test-zone-1')] })]
      const p1 = unschedulablePod({ requests: { cpu: '1', memory: '1Gi' } })
      c.provision(p1)
      assert.equal(c.scheduled(p1), n.node)
      const p2 = unschedulablePod({ requests: { cpu: '1', memory: '1Gi' } })
      c.provision(p2)
      c.notScheduled(p2)
    },
  },
]

// ---- No Pre-Binding ----

const noPreBinding: PortedCase[] = [
  {
    name: 'No Pre-Binding › should not bind pods to nodes',
    run: () => {
      const c = cluster()
      assert.equal(c.nodeList.length, 0)
      const p1 = unschedulablePod(P10M)
      c.provisionNoBinding(p1)
      c.notScheduled(p1)
      assert.equal(c.nodeList.length, 1)
      const p2 = unschedulablePod(P10M)
      c.provisionNoBinding(p2)
      c.notScheduled(p2)
      assert.equal(c.nodeList.length, 1)
    },
  },
  {
    name: 'No Pre-Binding › should handle resource zeroing of extended resources by kubelet',
    run: () => {
      const c = cluster()
      const opts = { limits: { cpu: '10m', [RESOURCE_GPU_VENDOR_A]: '1' } }
      const p1 = unschedulablePod(opts)
      c.provisionNoBinding(p1)
      c.notScheduled(p1)
      assert.equal(c.nodeList.length, 1)
      const [n1] = c.nodeList
      n1.status = { ...n1.status, capacity: { [RESOURCE_GPU_VENDOR_A]: '0' }, allocatable: { 'fake.com/vendor-b': '0' } }
      const p2 = unschedulablePod(opts)
      c.provisionNoBinding(p2)
      c.notScheduled(p2)
      assert.equal(c.nodeList.length, 1)
    },
  },
  {
    name: 'No Pre-Binding › should respect self pod affinity without pod binding (zone)',
    run: () => {
      const c = cluster()
      const labels = { security: 's2' }
      const [p1, p2] = unschedulablePods(2, { labels, podRequirements: [{ labelSelector: { matchLabels: labels }, topologyKey: LABEL_ZONE }] })
      c.provisionNoBinding(p1)
      c.provisionNoBinding(p2)
      assert.equal(c.nodeList.length, 1)
    },
  },
]

// ---- Deleting Nodes ----

const POD_LABELS = { 'pdb-test': 'value' }

/** A 100M pod on a new small Node, `then` on it, the Node marked for deletion, a round: the instance types of the Nodes. */
function deletingNode(o: PodOptions, then: (c: Cluster, p: Pod) => void = () => {}): string[] {
  const c = cluster()
  const p = unschedulablePod({ ...o, requests: { memory: '100M' } })
  c.provision(p)
  const n = c.scheduled(p)
  assert.equal(labelsOf(n)[LABEL_INSTANCE_TYPE], 'small-instance-type')
  then(c, p)
  clusterNodeOf(c, n).markedForDeletion = true
  c.provision()
  return c.nodeList.map((x) => labelsOf(x)[LABEL_INSTANCE_TYPE])
}

function pdbCase(name: string, pdbs: { maxUnavailable?: number | string; minAvailable?: number | string }[]): PortedCase {
  return {
    name: `Deleting Nodes › should not reschedule pods from a deleting node when pods are blocked due to fully blocking PDBs › ${name}`,
    run: () =>
      assert.equal(
        deletingNode(
          { labels: POD_LABELS },
          (c) =>
            void (c.pdbs = pdbs.map((b, i) => ({
              metadata: { name: `pdb-${i}`, namespace: 'default' },
              spec: { selector: { matchLabels: POD_LABELS }, ...b },
            }))),
        ).length,
        1,
      ),
  }
}

const deletingNodes: PortedCase[] = [
  {
    name: 'Deleting Nodes › should re-schedule pods from a deleting node when pods are active',
    run: () => assert.deepEqual(deletingNode({}), ['small-instance-type', 'small-instance-type']),
  },
  {
    name: 'Deleting Nodes › should not re-schedule pods from a deleting node when pods are not active',
    run: () => assert.equal(deletingNode({}, (c, p) => c.evict(p)).length, 1),
  },
  {
    name: 'Deleting Nodes › should not re-schedule pods from a deleting node when pods are owned by a DaemonSet',
    run: () => {
      const c = cluster()
      const ds = daemonSet('ds')
      const p = unschedulablePod({ ownerReferences: ownedBy('DaemonSet', ds.metadata.name ?? ''), requests: { memory: '100M' } })
      const n = c.addNodeClaimAndNode({
        labels: {
          'karpenter.sh/nodepool': 'default',
          [LABEL_INSTANCE_TYPE]: 'small-instance-type',
          [LABEL_CAPACITY_TYPE]: 'on-demand',
          [LABEL_ZONE]: 'test-zone-1a',
        },
        allocatable: { cpu: '32' },
      })
      c.bind(p, n)
      n.markedForDeletion = true
      c.evict(p)
      c.provision()
      assert.equal(c.nodeList.length, 1)
    },
  },
  {
    name: 'Deleting Nodes › should not reschedule pods from a deleting node when pods are not active and they are owned by a ReplicaSet',
    run: () => assert.equal(deletingNode({ ownerReferences: ownedBy('ReplicaSet', 'rs') }, (c, p) => c.evict(p)).length, 1),
  },
  {
    name: 'Deleting Nodes › should reschedule pods from a deleting node when pods are not active and they are owned by a StatefulSet',
    run: () =>
      assert.deepEqual(
        deletingNode({ ownerReferences: ownedBy('StatefulSet', 'ss') }, (c, p) => c.evict(p)),
        ['small-instance-type', 'small-instance-type'],
      ),
  },
  pdbCase('0 max unavailable', [{ maxUnavailable: 0 }]),
  pdbCase('0% max unavailable', [{ maxUnavailable: '0%' }]),
  pdbCase('100% min available', [{ minAvailable: '100%' }]),
  pdbCase('multiple PDBs on the same pod', [{ minAvailable: '100%' }, { minAvailable: '100%' }]),
]

// ---- NodePool requirements instance filtering ----

const FILTERED = 'nodepool requirements filtered out all available instance types'
/** A round whose pods all fail with the 1.9 pre-filter error. */
function filteredOut(requirements: { key: string; operator: string; values: string[] }[], pods: number): void {
  const c = cluster({ requirements })
  const ps = unschedulablePods(pods)
  const r = c.provision(...ps)
  assert.equal(r.podErrors.size, pods)
  for (const p of ps) {
    c.notScheduled(p)
    assert.match(r.podErrors.get(p) ?? '', new RegExp(FILTERED))
  }
}

const instanceFiltering: PortedCase[] = [
  {
    name: 'NodePool requirements instance filtering › should return appropriate pod error when no available instance types exist',
    run: () => {
      const c = cluster()
      const normal = unschedulablePod()
      c.provision(normal)
      c.scheduled(normal)
      c.nodePools = [nodePool({ requirements: [{ key: LABEL_INSTANCE_TYPE, operator: 'In', values: ['non-existent-instance-type'] }] })]
      const p = unschedulablePod({ requests: { cpu: '32', memory: '256Gi' }, limits: { cpu: '32', memory: '256Gi' } })
      const r = c.provision(p)
      assert.equal(r.podErrors.size, 1)
      c.notScheduled(p)
      assert.match(r.podErrors.get(p) ?? '', new RegExp(FILTERED))
    },
  },
  {
    name: 'NodePool requirements instance filtering › should handle multiple pods when requirements filter out all instance types',
    run: () => filteredOut([{ key: LABEL_ARCH, operator: 'In', values: ['non-existent-arch'] }], 3),
  },
  {
    name: 'NodePool requirements instance filtering › should handle conflicting requirements that eliminate all instance types',
    run: () =>
      filteredOut(
        [
          { key: LABEL_ARCH, operator: 'In', values: ['amd64'] },
          { key: LABEL_ARCH, operator: 'In', values: ['arm64'] },
        ],
        1,
      ),
  },
  {
    name: 'NodePool requirements instance filtering › should handle zone requirements that filter out all instance types',
    run: () => filteredOut([zoneIn('non-existent-zone-1', 'non-existent-zone-2')], 1),
  },
]

// ---- not ported ----

const VOLUMES =
  'needs PersistentVolumeClaims, PersistentVolumes, StorageClasses and CSINode volume limits (scheduling/volumeusage, volumetopology.go): the twin models no volumes, the tutorial’s workloads mount none'
const METRICS = 'asserts a Prometheus metric of the scheduler (karpenter_scheduler_*, karpenter_pods_*): the twin exports no metrics'
const RESERVED =
  'capacity reservations (reserved offerings, ReservationCapacity, karpenter.k8s.aws/capacity-reservation-id): the 1.x twin deliberately has no reserved offerings — the tutorial launches Spot and On-Demand only'
const DRA =
  'Dynamic Resource Allocation (pod resourceClaims, IgnoreDRARequests): the twin models no ResourceClaims; DRA is outside the tutorial (no device drivers on its nodes)'

const volumeUsage = [
  'should launch multiple nodes if required due to volume limits',
  'should launch a single node if all pods use the same PVC',
  'should not fail for NFS volumes',
  'should launch nodes for pods with ephemeral volume using the specified storage class name',
  'should launch nodes for pods with ephemeral volume using a default storage class',
  'should launch nodes for pods with ephemeral volume using the newest storage class',
  'should not launch nodes for pod with storageClass that uses an unsupported provisioner',
  'should not launch nodes for pod with bound persistentVolume that uses an unsupported provisioner',
  'should not launch nodes for pod with unbound volume for volumeBindingMode immediate',
  'should not launch nodes for pod with deleting persistentVolumeClaim',
  'should not launch nodes for pod with Lost persistentVolumeClaim',
  'should handle pods with PVCs with defined volumeName › when pv.kubernetes.io/bind-completed is missing',
  'should handle pods with PVCs with defined volumeName › when pv.kubernetes.io/bind-completed is present',
  'should launch nodes for pods with ephemeral volume without a storage class when the PVC is bound › non-existent storage class',
  'should launch nodes for pods with ephemeral volume without a storage class when the PVC is bound › explicitly disabled storage class (empty string)',
  'should not launch nodes for pods with ephemeral volume without a storage class when the PVC is unbound › non-existent storage class',
  'should not launch nodes for pods with ephemeral volume without a storage class when the PVC is unbound › explicitly disabled storage class (empty string)',
  'CSIMigration › should launch nodes for pods with non-dynamic PVC using a migrated PVC/PV',
  'CSIMigration › should launch nodes for pods with ephemeral volume using a migrated PVC/PV',
]

const metrics = [
  'should surface the queueDepth metric while executing the scheduling loop',
  'should surface the UnschedulablePodsCount metric while executing the scheduling loop',
  'should surface the schedulingDuration metric after executing a scheduling loop',
  'should set the PodSchedulerDecisionSeconds metric after a scheduling loop',
]

const reserved = [
  "shouldn't fallback to on-demand or spot when compatible reserved offerings are available",
  'should correctly track reservations shared across nodepools',
  'should correctly track reservations for multiple nodepools with distinct reservations for the same instance pool',
  'should correctly track multiple reservations for the same instance pool',
  "shouldn't fallback to a lower weight NodePool if a reserved offering is available",
  "shouldn't relax preferences when a pod fails to schedule due to a reserved offering error",
  'should handle multiple pods on reserved nodes',
]

const dra = [
  'should handle DRA pods correctly › container with resource claims',
  'should handle DRA pods correctly › init container with resource claims',
  'should handle DRA pods correctly › pod with both container and init container resource claims',
  'should handle DRA pods correctly › non-DRA pod without resource claims',
  'should handle DaemonSet pods with DRA requirements based on IgnoreDRARequests flag value',
]

const notPorted: NotPorted[] = [
  ...volumeUsage.map((it) => ({ name: `VolumeUsage › ${it}`, reason: VOLUMES })),
  ...metrics.map((it) => ({ name: `Metrics › ${it}`, reason: METRICS })),
  ...reserved.map((it) => ({ name: `Reserved Instance Types › ${it}`, reason: RESERVED })),
  ...dra.map((it) => ({ name: `Dynamic Resource Allocation (DRA) › ${it}`, reason: DRA })),
]

// ---- the suite ----

const cases: PortedCase[] = [
  ...customConstraints,
  ...preferentialFallback,
  ...instanceTypeCompatibility,
  ...binpacking,
  ...inFlight,
  ...existingNodes,
  ...noPreBinding,
  ...deletingNodes,
  ...instanceFiltering,
]

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
