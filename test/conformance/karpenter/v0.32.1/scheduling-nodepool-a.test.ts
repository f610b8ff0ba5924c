// Karpenter's NodePool scheduling suite, first half: kubernetes-sigs/karpenter v0.32.1
// pkg/controllers/provisioning/scheduling/nodepool_test.go, the cases on lines 1–899 of the upstream
// file (142 in total, the other 72 in scheduling-nodepool-b.test.ts), run against the v0.32.1 twin.
//
// The fixture stands for upstream's: one NodePool `default` that requires capacity type spot or
// on-demand (a case that sets requirements replaces that one), the fake cloud provider's six default
// instance types (test/conformance/karpenter/fake.ts), and pending pods with node selectors, required
// node affinity (one term) and preferred node affinity (one term of weight 1). A case provisions once
// (the twin's provisioning round) and launches each NodeClaim as the fake cloud provider does
// (./scheduling-nodepool-a-builders.ts), then reads the node each pod landed on.
//
// Upstream repeats the contexts "Well Known Labels", "Constraints Validation" and "Scheduling Logic"
// under "Custom Constraints" with the same It texts (lines 119–550, again from line 551). The harness
// wants each name once, so the second occurrences carry the suffix " (second occurrence)".

import assert from 'node:assert/strict'
import type { NodeSelectorRequirement } from '../../../../sandbox/k8s/types.ts'
import type { NodePool } from '../../../../sandbox/karpenter/api.ts'
import { LABEL_ARCH, LABEL_CAPACITY_TYPE, LABEL_HOSTNAME, LABEL_INSTANCE_TYPE, LABEL_OS, LABEL_ZONE } from '../../../../sandbox/karpenter/labels.ts'
import { conformance, type PortedCase } from '../harness.ts'
import { LABEL_INTEGER, nodePool } from '../fake.ts'
import { constrainedPod, provision, type PodConstraints } from './scheduling-nodepool-a-builders.ts'

type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt'

function req(key: string, operator: Operator, ...values: string[]): NodeSelectorRequirement {
  return values.length > 0 ? { key, operator, values } : { key, operator }
}

/** What a case changes on the NodePool: template labels, or requirements replacing the capacity-type one. */
interface PoolChanges {
  labels?: Record<string, string>
  requirements?: NodeSelectorRequirement[]
}

function testNodePool(changes: PoolChanges = {}): NodePool {
  const np = nodePool('default', { requirements: changes.requirements ?? [req(LABEL_CAPACITY_TYPE, 'In', 'spot', 'on-demand')] })
  if (changes.labels) np.spec.template.metadata = { labels: changes.labels }
  return np
}

/** ExpectScheduled, then the node has each of `labels` (a value of `undefined`: the key is absent). */
function schedules(changes: PoolChanges, pod: PodConstraints, labels: Record<string, string | undefined> = {}): () => void {
  return () => {
    const p = constrainedPod(pod)
    const node = provision(testNodePool(changes), [p]).scheduled(p)
    for (const [key, value] of Object.entries(labels)) assert.equal(node.labels[key], value, key)
  }
}

/** ExpectScheduled, then the node does not have `key` = `value`. */
function schedulesWithout(changes: PoolChanges, pod: PodConstraints, key: string, value: string): () => void {
  return () => {
    const p = constrainedPod(pod)
    const node = provision(testNodePool(changes), [p]).scheduled(p)
    assert.notEqual(node.labels[key], value)
  }
}

/** ExpectNotScheduled. */
function rejects(changes: PoolChanges, pod: PodConstraints): () => void {
  return () => {
    const p = constrainedPod(pod)
    assert.ok(provision(testNodePool(changes), [p]).notScheduled(p), 'pod scheduled')
  }
}

const TEST_LABEL = { labels: { 'test-key': 'test-value' } }
const TEST_REQUIREMENT = { requirements: [req('test-key', 'In', 'test-value')] }
const TWO_TEST_VALUES = { requirements: [req('test-key', 'In', 'test-value', 'another-value')] }
const ALL_ZONES = ['test-zone-1', 'test-zone-2', 'test-zone-3']

// core@v0.32.1 pkg/apis/v1beta1/labels.go: RestrictedLabels, RestrictedLabelDomains, LabelDomainExceptions.
const RESTRICTED_LABELS = [LABEL_HOSTNAME]
const RESTRICTED_LABEL_DOMAINS = ['kubernetes.io', 'k8s.io', 'karpenter.sh']
const LABEL_DOMAIN_EXCEPTIONS = ['kops.k8s.io', 'node.kubernetes.io', 'node-restriction.kubernetes.io']

type Table = [it: string, run: () => void][]

const nodePoolWithLabels: Table = [
  ["should schedule unconstrained pods that don't have matching node selectors", schedules(TEST_LABEL, {}, { 'test-key': 'test-value' })],
  ['should not schedule pods that have conflicting node selectors', rejects(TEST_LABEL, { nodeSelector: { 'test-key': 'different-value' } })],
  ['should not schedule pods that have node selectors with undefined key', rejects({}, { nodeSelector: { 'test-key': 'test-value' } })],
  [
    'should schedule pods that have matching requirements',
    schedules(TEST_LABEL, { required: [req('test-key', 'In', 'test-value', 'another-value')] }, { 'test-key': 'test-value' }),
  ],
  ['should not schedule pods that have conflicting requirements', rejects(TEST_LABEL, { required: [req('test-key', 'In', 'another-value')] })],
]

const wellKnownLabels: Table = [
  ['should use NodePool constraints', schedules({ requirements: [req(LABEL_ZONE, 'In', 'test-zone-2')] }, {}, { [LABEL_ZONE]: 'test-zone-2' })],
  [
    'should use node selectors',
    schedules(
      { requirements: [req(LABEL_ZONE, 'In', 'test-zone-1', 'test-zone-2')] },
      { nodeSelector: { [LABEL_ZONE]: 'test-zone-2' } },
      { [LABEL_ZONE]: 'test-zone-2' },
    ),
  ],
  ['should not schedule nodes with a hostname selector', rejects({}, { nodeSelector: { [LABEL_HOSTNAME]: 'red-node' } })],
  [
    'should not schedule the pod if nodeselector unknown',
    rejects({ requirements: [req(LABEL_ZONE, 'In', 'test-zone-1')] }, { nodeSelector: { [LABEL_ZONE]: 'unknown' } }),
  ],
  [
    'should not schedule if node selector outside of NodePool constraints',
    rejects({ requirements: [req(LABEL_ZONE, 'In', 'test-zone-1')] }, { nodeSelector: { [LABEL_ZONE]: 'test-zone-2' } }),
  ],
  [
    'should schedule compatible requirements with Operator=In',
    schedules({}, { required: [req(LABEL_ZONE, 'In', 'test-zone-3')] }, { [LABEL_ZONE]: 'test-zone-3' }),
  ],
  ['should schedule compatible requirements with Operator=Gt', schedules({ requirements: [req(LABEL_INTEGER, 'Gt', '8')] }, {}, { [LABEL_INTEGER]: '16' })],
  ['should schedule compatible requirements with Operator=Lt', schedules({ requirements: [req(LABEL_INTEGER, 'Lt', '8')] }, {}, { [LABEL_INTEGER]: '2' })],
  ['should not schedule incompatible preferences and requirements with Operator=In', rejects({}, { required: [req(LABEL_ZONE, 'In', 'unknown')] })],
  [
    'should schedule compatible requirements with Operator=NotIn',
    schedules({}, { required: [req(LABEL_ZONE, 'NotIn', 'test-zone-1', 'test-zone-2', 'unknown')] }, { [LABEL_ZONE]: 'test-zone-3' }),
  ],
  [
    'should not schedule incompatible preferences and requirements with Operator=NotIn',
    rejects({}, { required: [req(LABEL_ZONE, 'NotIn', ...ALL_ZONES, 'unknown')] }),
  ],
  [
    'should schedule compatible preferences and requirements with Operator=In',
    schedules(
      {},
      { required: [req(LABEL_ZONE, 'In', ...ALL_ZONES, 'unknown')], preferred: [req(LABEL_ZONE, 'In', 'test-zone-2', 'unknown')] },
      { [LABEL_ZONE]: 'test-zone-2' },
    ),
  ],
  [
    'should schedule incompatible preferences and requirements with Operator=In',
    schedules({}, { required: [req(LABEL_ZONE, 'In', ...ALL_ZONES, 'unknown')], preferred: [req(LABEL_ZONE, 'In', 'unknown')] }),
  ],
  [
    'should schedule compatible preferences and requirements with Operator=NotIn',
    schedules(
      {},
      { required: [req(LABEL_ZONE, 'In', ...ALL_ZONES, 'unknown')], preferred: [req(LABEL_ZONE, 'NotIn', 'test-zone-1', 'test-zone-3')] },
      { [LABEL_ZONE]: 'test-zone-2' },
    ),
  ],
  [
    'should schedule incompatible preferences and requirements with Operator=NotIn',
    schedules({}, { required: [req(LABEL_ZONE, 'In', ...ALL_ZONES, 'unknown')], preferred: [req(LABEL_ZONE, 'NotIn', ...ALL_ZONES)] }),
  ],
  [
    'should schedule compatible node selectors, preferences and requirements',
    schedules(
      {},
      { nodeSelector: { [LABEL_ZONE]: 'test-zone-3' }, required: [req(LABEL_ZONE, 'In', ...ALL_ZONES)], preferred: [req(LABEL_ZONE, 'In', ...ALL_ZONES)] },
      { [LABEL_ZONE]: 'test-zone-3' },
    ),
  ],
  [
    'should combine multidimensional node selectors, preferences and requirements',
    schedules(
      {},
      {
        nodeSelector: { [LABEL_ZONE]: 'test-zone-3', [LABEL_INSTANCE_TYPE]: 'arm-instance-type' },
        required: [req(LABEL_ZONE, 'In', 'test-zone-1', 'test-zone-3'), req(LABEL_INSTANCE_TYPE, 'In', 'default-instance-type', 'arm-instance-type')],
        preferred: [req(LABEL_ZONE, 'NotIn', 'unknown'), req(LABEL_INSTANCE_TYPE, 'NotIn', 'unknown')],
      },
      { [LABEL_ZONE]: 'test-zone-3', [LABEL_INSTANCE_TYPE]: 'arm-instance-type' },
    ),
  ],
]

const constraintsValidation: Table = [
  [
    'should not schedule pods that have node selectors with restricted labels',
    () => {
      for (const label of RESTRICTED_LABELS) rejects({}, { required: [req(label, 'In', 'test')] })()
    },
  ],
  [
    'should not schedule pods that have node selectors with restricted domains',
    () => {
      for (const domain of RESTRICTED_LABEL_DOMAINS) rejects({}, { required: [req(`${domain}/test`, 'In', 'test')] })()
    },
  ],
  [
    'should schedule pods that have node selectors with label in restricted domains exceptions list',
    () => {
      const requirements = LABEL_DOMAIN_EXCEPTIONS.map((domain) => req(`${domain}/test`, 'In', 'test-value'))
      for (const domain of LABEL_DOMAIN_EXCEPTIONS) schedules({ requirements }, {}, { [`${domain}/test`]: 'test-value' })()
    },
  ],
  [
    'should schedule pods that have node selectors with label in wellknown label list',
    () => {
      const selectors: Record<string, string>[] = [
        { [LABEL_ZONE]: 'test-zone-1' },
        { [LABEL_INSTANCE_TYPE]: 'default-instance-type' },
        { [LABEL_ARCH]: 'arm64' },
        { [LABEL_OS]: 'linux' },
        { [LABEL_CAPACITY_TYPE]: 'spot' },
      ]
      const pods = selectors.map((nodeSelector) => constrainedPod({ nodeSelector }))
      const provisioned = provision(testNodePool(), pods)
      for (const p of pods) provisioned.scheduled(p)
    },
  ],
]

const schedulingLogic: Table = [
  ['should not schedule pods that have node selectors with In operator and undefined key', rejects({}, { required: [req('test-key', 'In', 'test-value')] })],
  [
    'should schedule pods that have node selectors with NotIn operator and undefined key',
    schedulesWithout({}, { required: [req('test-key', 'NotIn', 'test-value')] }, 'test-key', 'test-value'),
  ],
  ['should not schedule pods that have node selectors with Exists operator and undefined key', rejects({}, { required: [req('test-key', 'Exists')] })],
  [
    'should schedule pods that with DoesNotExists operator and undefined key',
    schedules({}, { required: [req('test-key', 'DoesNotExist')] }, { 'test-key': undefined }),
  ],
  ["should schedule unconstrained pods that don't have matching node selectors", schedules(TEST_REQUIREMENT, {}, { 'test-key': 'test-value' })],
  [
    'should schedule pods that have node selectors with matching value and In operator',
    schedules(TEST_REQUIREMENT, { required: [req('test-key', 'In', 'test-value')] }, { 'test-key': 'test-value' }),
  ],
  [
    'should not schedule pods that have node selectors with matching value and NotIn operator',
    rejects(TEST_REQUIREMENT, { required: [req('test-key', 'NotIn', 'test-value')] }),
  ],
  ['should schedule the pod with Exists operator and defined key', schedules(TEST_REQUIREMENT, { required: [req('test-key', 'Exists')] })],
  ['should not schedule the pod with DoesNotExists operator and defined key', rejects(TEST_REQUIREMENT, { required: [req('test-key', 'DoesNotExist')] })],
  [
    'should not schedule pods that have node selectors with different value and In operator',
    rejects(TEST_REQUIREMENT, { required: [req('test-key', 'In', 'another-value')] }),
  ],
  [
    'should schedule pods that have node selectors with different value and NotIn operator',
    schedules(TEST_REQUIREMENT, { required: [req('test-key', 'NotIn', 'another-value')] }, { 'test-key': 'test-value' }),
  ],
  [
    'should schedule compatible pods to the same node',
    () => {
      const pods = [
        constrainedPod({ required: [req('test-key', 'In', 'test-value')] }),
        constrainedPod({ required: [req('test-key', 'NotIn', 'another-value')] }),
      ]
      const provisioned = provision(testNodePool(TWO_TEST_VALUES), pods)
      const [node1, node2] = pods.map((p) => provisioned.scheduled(p))
      assert.equal(node1.labels['test-key'], 'test-value')
      assert.equal(node2.labels['test-key'], 'test-value')
      assert.equal(node1.name, node2.name)
    },
  ],
  [
    'should schedule incompatible pods to the different node',
    () => {
      const pods = [constrainedPod({ required: [req('test-key', 'In', 'test-value')] }), constrainedPod({ required: [req('test-key', 'In', 'another-value')] })]
      const provisioned = provision(testNodePool(TWO_TEST_VALUES), pods)
      const [node1, node2] = pods.map((p) => provisioned.scheduled(p))
      assert.equal(node1.labels['test-key'], 'test-value')
      assert.equal(node2.labels['test-key'], 'another-value')
      assert.notEqual(node1.name, node2.name)
    },
  ],
  [
    'Exists operator should not overwrite the existing value',
    rejects({}, { required: [req(LABEL_ZONE, 'In', 'non-existent-zone'), req(LABEL_ZONE, 'Exists')] }),
  ],
]

function named(context: string, table: Table, suffix = ''): PortedCase[] {
  return table.map(([it, run]) => ({ name: `Custom Constraints › ${context} › ${it}${suffix}`, run }))
}

const SECOND = ' (second occurrence)'

conformance({
  repo: 'kubernetes-sigs/karpenter',
  tag: 'v0.32.1',
  file: 'pkg/controllers/provisioning/scheduling/nodepool_test.go',
  twin: 'v0.32.1',
  area: 'scheduling',
  // The cases on lines 1–899 of the upstream file (142 in total; scheduling-nodepool-b.test.ts has the other 72).
  upstreamCases: 70,
  cases: [
    ...named('NodePool with Labels', nodePoolWithLabels),
    ...named('Well Known Labels', wellKnownLabels),
    ...named('Constraints Validation', constraintsValidation),
    ...named('Scheduling Logic', schedulingLogic),
    // Upstream lines 551–899: the same contexts again (their "Scheduling Logic" runs on past line 899).
    ...named('Well Known Labels', wellKnownLabels, SECOND),
    ...named('Constraints Validation', constraintsValidation, SECOND),
    ...named('Scheduling Logic', schedulingLogic.slice(0, 9), SECOND),
  ],
  notPorted: [],
})
