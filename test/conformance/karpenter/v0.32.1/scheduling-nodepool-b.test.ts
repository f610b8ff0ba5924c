// Karpenter's own scheduling suite, second half: kubernetes-sigs/karpenter v0.32.1
// pkg/controllers/provisioning/scheduling/nodepool_test.go, the It cases from line 900 of the file
// on (142 in total; the other 70 are in scheduling-nodepool-a.test.ts).
//
// The fixture stands for the suite's envtest world: one NodePool `default` requiring
// `karpenter.sh/capacity-type In [spot on-demand]` (the file's BeforeEach), the fake cloud
// provider's instance types (../fake.ts, after pkg/cloudprovider/fake: default-instance-type,
// small-instance-type, the two GPU vendor types, arm-instance-type, single-pod-instance-type; or
// `fake.InstanceTypes(n)`), and `FakeCluster` (scheduling-nodepool-b-builders.ts) for the API server, cluster state and the
// fake provider's `Create`. Each case drives the twin's `provisioningRound` and asserts what
// upstream asserts: ExpectScheduled → the pod is bound to a launched or existing node,
// ExpectNotScheduled → it is not; node labels → the launched node's labels.

import assert from 'node:assert/strict'
import type { NodeSelectorRequirement, Pod, Taint, TopologySpreadConstraint } from '../../../../sandbox/k8s/types.ts'
import {
  LABEL_ARCH,
  LABEL_HOSTNAME,
  LABEL_INITIALIZED,
  LABEL_INSTANCE_TYPE,
  LABEL_NODEPOOL,
  LABEL_OS,
  LABEL_ZONE,
} from '../../../../sandbox/karpenter/labels.ts'
import { Quantity } from '../../../../sandbox/k8s/quantity.ts'
import { available } from '../../../../sandbox/karpenter/state.ts'
import {
  defaultInstanceTypes,
  fakeInstanceType,
  instanceTypes,
  LABEL_EXOTIC,
  LABEL_SIZE,
  RESOURCE_GPU_VENDOR_A as GPU_A,
  RESOURCE_GPU_VENDOR_B as GPU_B,
} from '../fake.ts'
import { conformance, type NotPorted, type PortedCase } from '../harness.ts'
import { daemonSet, FakeCluster, markInitialized, node, nodeClaim, nodePool, unschedulablePod, unschedulablePods } from './scheduling-nodepool-b-builders.ts'

const req = (key: string, operator: string, ...values: string[]): NodeSelectorRequirement => ({ key, operator, values })
const LABEL_INSTANCE_TYPE_BETA = 'beta.kubernetes.io/instance-type'

/** A cluster with the suite's NodePool (or the given requirements) and the default fake instance types. */
function cluster(requirements?: NodeSelectorRequirement[]): FakeCluster {
  return new FakeCluster(defaultInstanceTypes(), nodePool(requirements))
}

const TEST_KEY = [req('test-key', 'In', 'test-value')]
const BOTH_TEST_VALUES = [req('test-key', 'In', 'test-value', 'another-value')]
const ARCHS = [req(LABEL_ARCH, 'In', 'arm64', 'amd64')]
const AMD64 = [req(LABEL_ARCH, 'In', 'amd64')]

/** Each pod scheduled, on `n` distinct nodes. */
function expectDistinctNodes(c: FakeCluster, pods: Pod[], n: number): void {
  assert.equal(new Set(pods.map((p) => c.expectScheduled(p).name)).size, n)
}

/** Each pod scheduled on `type`, all on `n` nodes. */
function expectAllOn(c: FakeCluster, pods: Pod[], type: string, n: number): void {
  for (const p of pods) assert.equal(c.labelsOf(c.expectScheduled(p))[LABEL_INSTANCE_TYPE], type)
  expectDistinctNodes(c, pods, n)
}

const cpuOf = (list: Record<string, Quantity>): number => (list.cpu ?? Quantity.ZERO).toNumber()

const customConstraints: PortedCase[] = [
  {
    name: 'Custom Constraints › Scheduling Logic › should not schedule pods that have node selectors with different value and In operator',
    run: () => {
      const c = cluster(TEST_KEY)
      const pod = unschedulablePod({ nodeRequirements: [req('test-key', 'In', 'another-value')] })
      c.provision(pod)
      c.expectNotScheduled(pod)
    },
  },
  {
    name: 'Custom Constraints › Scheduling Logic › should schedule pods that have node selectors with different value and NotIn operator',
    run: () => {
      const c = cluster(TEST_KEY)
      const pod = unschedulablePod({ nodeRequirements: [req('test-key', 'NotIn', 'another-value')] })
      c.provision(pod)
      assert.equal(c.labelsOf(c.expectScheduled(pod))['test-key'], 'test-value')
    },
  },
  {
    name: 'Custom Constraints › Scheduling Logic › should schedule compatible pods to the same node',
    run: () => {
      const c = cluster(BOTH_TEST_VALUES)
      const pods = [
        unschedulablePod({ nodeRequirements: [req('test-key', 'In', 'test-value')] }),
        unschedulablePod({ nodeRequirements: [req('test-key', 'NotIn', 'another-value')] }),
      ]
      c.provision(...pods)
      const [n1, n2] = pods.map((p) => c.expectScheduled(p))
      assert.equal(c.labelsOf(n1)['test-key'], 'test-value')
      assert.equal(c.labelsOf(n2)['test-key'], 'test-value')
      assert.equal(n1.name, n2.name)
    },
  },
  {
    name: 'Custom Constraints › Scheduling Logic › should schedule incompatible pods to the different node',
    run: () => {
      const c = cluster(BOTH_TEST_VALUES)
      const pods = [
        unschedulablePod({ nodeRequirements: [req('test-key', 'In', 'test-value')] }),
        unschedulablePod({ nodeRequirements: [req('test-key', 'In', 'another-value')] }),
      ]
      c.provision(...pods)
      const [n1, n2] = pods.map((p) => c.expectScheduled(p))
      assert.equal(c.labelsOf(n1)['test-key'], 'test-value')
      assert.equal(c.labelsOf(n2)['test-key'], 'another-value')
      assert.notEqual(n1.name, n2.name)
    },
  },
  {
    name: 'Custom Constraints › Scheduling Logic › Exists operator should not overwrite the existing value',
    run: () => {
      const c = cluster()
      const pod = unschedulablePod({ nodeRequirements: [req(LABEL_ZONE, 'In', 'non-existent-zone'), req(LABEL_ZONE, 'Exists')] })
      c.provision(pod)
      c.expectNotScheduled(pod)
    },
  },
]

/** A pod with these required node-affinity terms (ORed). */
function withRequiredTerms(...terms: NodeSelectorRequirement[][]): Pod {
  const pod = unschedulablePod()
  pod.spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms.map((t) => ({ matchExpressions: t })) } } }
  return pod
}

/** A pod with these weighted preferred node-affinity terms. */
function withPreferredTerms(...terms: [number, NodeSelectorRequirement[]][]): Pod {
  const pod = unschedulablePod()
  pod.spec.affinity = {
    nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: terms.map(([weight, t]) => ({ weight, preference: { matchExpressions: t } })) },
  }
  return pod
}

const preferentialFallback: PortedCase[] = [
  {
    name: 'Preferential Fallback › Required › should not relax the final term',
    run: () => {
      const c = cluster([req(LABEL_ZONE, 'In', 'test-zone-1'), req(LABEL_INSTANCE_TYPE, 'In', 'default-instance-type')])
      const pod = withRequiredTerms([req(LABEL_ZONE, 'In', 'invalid')])
      c.provision(pod)
      c.expectNotScheduled(pod)
    },
  },
  {
    name: 'Preferential Fallback › Required › should relax multiple terms',
    run: () => {
      const c = cluster()
      const pod = withRequiredTerms(
        [req(LABEL_ZONE, 'In', 'invalid')],
        [req(LABEL_ZONE, 'In', 'invalid')],
        [req(LABEL_ZONE, 'In', 'test-zone-1')],
        [req(LABEL_ZONE, 'In', 'test-zone-2')],
      )
      c.provision(pod)
      assert.equal(c.labelsOf(c.expectScheduled(pod))[LABEL_ZONE], 'test-zone-1')
    },
  },
  {
    name: 'Preferential Fallback › Preferred › should relax all terms',
    run: () => {
      const c = cluster()
      const pod = withPreferredTerms([1, [req(LABEL_ZONE, 'In', 'invalid')]], [1, [req(LABEL_INSTANCE_TYPE, 'In', 'invalid')]])
      c.provision(pod)
      c.expectScheduled(pod)
    },
  },
  {
    name: 'Preferential Fallback › Preferred › should relax to use lighter weights',
    run: () => {
      const c = cluster([req(LABEL_ZONE, 'In', 'test-zone-1', 'test-zone-2')])
      const pod = withPreferredTerms(
        [100, [req(LABEL_INSTANCE_TYPE, 'In', 'test-zone-3')]],
        [50, [req(LABEL_ZONE, 'In', 'test-zone-2')]],
        [1, [req(LABEL_ZONE, 'In', 'test-zone-1')]],
      )
      c.provision(pod)
      assert.equal(c.labelsOf(c.expectScheduled(pod))[LABEL_ZONE], 'test-zone-2')
    },
  },
  {
    name: 'Preferential Fallback › Preferred › should schedule even if preference is conflicting with requirement',
    run: () => {
      const c = cluster()
      const pod = withPreferredTerms([1, [req(LABEL_ZONE, 'NotIn', 'test-zone-3')]])
      const nodeAffinity = pod.spec.affinity?.nodeAffinity
      assert.ok(nodeAffinity)
      nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {
        nodeSelectorTerms: [{ matchExpressions: [req(LABEL_ZONE, 'In', 'test-zone-3')] }],
      }
      c.provision(pod)
      assert.equal(c.labelsOf(c.expectScheduled(pod))[LABEL_ZONE], 'test-zone-3')
    },
  },
  {
    name: 'Preferential Fallback › Preferred › should schedule even if preference requirements are conflicting',
    run: () => {
      const c = cluster()
      const pod = unschedulablePod({ nodePreferences: [req(LABEL_ZONE, 'In', 'invalid'), req(LABEL_ZONE, 'NotIn', 'invalid')] })
      c.provision(pod)
      c.expectScheduled(pod)
    },
  },
]

/** `fake.InstanceTypes(5)` with 25 of one fake GPU on the first type and 25 of another on the second. */
function gpuCluster(): FakeCluster {
  const types = instanceTypes(5)
  for (const [i, gpu] of [
    [0, GPU1],
    [1, GPU2],
  ] as const) {
    types[i].capacity[gpu] = Quantity.parse('25')
    types[i].allocatable[gpu] = Quantity.parse('25')
  }
  return new FakeCluster(types, nodePool())
}
const GPU1 = 'karpenter.sh/super-great-gpu'
const GPU2 = 'karpenter.sh/even-better-gpu'

/** Two pods with these node selectors land on two different nodes. */
function twoSelectorsTwoNodes(a: Record<string, string>, b: Record<string, string>): () => void {
  return () => {
    const c = cluster(ARCHS)
    const pods = [unschedulablePod({ nodeSelector: a }), unschedulablePod({ nodeSelector: b })]
    c.provision(...pods)
    expectDistinctNodes(c, pods, 2)
  }
}

const instanceTypeCompatibility: PortedCase[] = [
  {
    name: 'Instance Type Compatibility › should not schedule if requesting more resources than any instance type has',
    run: () => {
      const c = cluster()
      const pod = unschedulablePod({ requests: { cpu: '512' } })
      c.provision(pod)
      c.expectNotScheduled(pod)
    },
  },
  {
    name: 'Instance Type Compatibility › should launch pods with different archs on different instances',
    run: twoSelectorsTwoNodes({ [LABEL_ARCH]: 'amd64' }, { [LABEL_ARCH]: 'arm64' }),
  },
  {
    name: 'Instance Type Compatibility › should exclude instance types that are not supported by the pod constraints (node affinity/instance type)',
    run: () => {
      const c = cluster(AMD64)
      const pod = unschedulablePod({ nodeRequirements: [req(LABEL_INSTANCE_TYPE, 'In', 'arm-instance-type')] })
      c.provision(pod)
      c.expectNotScheduled(pod)
    },
  },
  {
    name: 'Instance Type Compatibility › should exclude instance types that are not supported by the pod constraints (node affinity/operating system)',
    run: () => {
      const c = cluster(AMD64)
      const pod = unschedulablePod({ nodeRequirements: [req(LABEL_OS, 'In', 'ios')] })
      c.provision(pod)
      c.expectNotScheduled(pod)
    },
  },
  {
    name: 'Instance Type Compatibility › should exclude instance types that are not supported by the provider constraints (arch)',
    run: () => {
      const c = cluster(AMD64)
      const pod = unschedulablePod({ limits: { cpu: '14' } })
      c.provision(pod)
      c.expectNotScheduled(pod)
    },
  },
  {
    name: 'Instance Type Compatibility › should launch pods with different operating systems on different instances',
    run: twoSelectorsTwoNodes({ [LABEL_OS]: 'linux' }, { [LABEL_OS]: 'windows' }),
  },
  {
    name: 'Instance Type Compatibility › should launch pods with different instance type node selectors on different instances',
    run: twoSelectorsTwoNodes({ [LABEL_INSTANCE_TYPE_BETA]: 'small-instance-type' }, { [LABEL_INSTANCE_TYPE]: 'default-instance-type' }),
  },
  {
    name: 'Instance Type Compatibility › should launch pods with different zone selectors on different instances',
    run: twoSelectorsTwoNodes({ [LABEL_ZONE]: 'test-zone-1' }, { [LABEL_ZONE]: 'test-zone-2' }),
  },
  {
    name: "Instance Type Compatibility › should launch pods with resources that aren't on any single instance type on different instances",
    run: () => {
      const c = gpuCluster()
      const pods = [unschedulablePod({ limits: { [GPU1]: '1' } }), unschedulablePod({ limits: { [GPU2]: '1' } })]
      c.provision(...pods)
      expectDistinctNodes(c, pods, 2)
    },
  },
  {
    name: "Instance Type Compatibility › should fail to schedule a pod with resources requests that aren't on a single instance type",
    run: () => {
      const c = gpuCluster()
      const pod = unschedulablePod({ limits: { [GPU1]: '1', [GPU2]: '1' } })
      c.provision(pod)
      c.expectNotScheduled(pod)
    },
  },
  {
    name: 'Instance Type Compatibility › Provider Specific Labels › should filter instance types that match labels',
    run: () => {
      const c = new FakeCluster(instanceTypes(5), nodePool())
      const pods = [unschedulablePod({ nodeSelector: { [LABEL_SIZE]: 'large' } }), unschedulablePod({ nodeSelector: { [LABEL_SIZE]: 'small' } })]
      c.provision(...pods)
      assert.equal(c.labelsOf(c.expectScheduled(pods[0]))[LABEL_INSTANCE_TYPE], 'fake-it-4')
      assert.equal(c.labelsOf(c.expectScheduled(pods[1]))[LABEL_INSTANCE_TYPE], 'fake-it-0')
    },
  },
  {
    name: 'Instance Type Compatibility › Provider Specific Labels › should not schedule with incompatible labels',
    run: () => {
      const c = new FakeCluster(instanceTypes(5), nodePool())
      const pods = [
        unschedulablePod({ nodeSelector: { [LABEL_SIZE]: 'large', [LABEL_INSTANCE_TYPE]: 'fake-it-0' } }),
        unschedulablePod({ nodeSelector: { [LABEL_SIZE]: 'small', [LABEL_INSTANCE_TYPE]: 'fake-it-4' } }),
      ]
      c.provision(...pods)
      c.expectNotScheduled(pods[0])
      c.expectNotScheduled(pods[1])
    },
  },
  {
    name: 'Instance Type Compatibility › Provider Specific Labels › should schedule optional labels',
    run: () => {
      const c = new FakeCluster(instanceTypes(5), nodePool())
      const pod = unschedulablePod({ nodeRequirements: [req(LABEL_EXOTIC, 'Exists')] })
      c.provision(pod)
      const labels = c.labelsOf(c.expectScheduled(pod))
      assert.ok(LABEL_EXOTIC in labels)
      assert.equal(labels[LABEL_INSTANCE_TYPE], 'fake-it-4')
    },
  },
  {
    name: 'Instance Type Compatibility › Provider Specific Labels › should schedule without optional labels if disallowed',
    run: () => {
      // test.NodePool(): no requirements at all
      const c = new FakeCluster(instanceTypes(5), nodePool([]))
      const pod = unschedulablePod({ nodeRequirements: [req(LABEL_EXOTIC, 'DoesNotExist')] })
      c.provision(pod)
      assert.ok(!(LABEL_EXOTIC in c.labelsOf(c.expectScheduled(pod))))
    },
  },
]

/** The "unschedulable" pods of a provisioning batch (test.Pods with the Unschedulable condition). */
const pods = unschedulablePods

const binpacking: PortedCase[] = [
  {
    name: 'Binpacking › should schedule a small pod on the smallest instance',
    run: () => {
      const c = cluster()
      const pod = unschedulablePod({ requests: { memory: '100M' } })
      c.provision(pod)
      assert.equal(c.labelsOf(c.expectScheduled(pod))[LABEL_INSTANCE_TYPE], 'small-instance-type')
    },
  },
  {
    name: 'Binpacking › should schedule a small pod on the smallest possible instance type',
    run: () => {
      const c = cluster()
      const pod = unschedulablePod({ requests: { memory: '2000M' } })
      c.provision(pod)
      assert.equal(c.labelsOf(c.expectScheduled(pod))[LABEL_INSTANCE_TYPE], 'small-instance-type')
    },
  },
  {
    name: 'Binpacking › should take pod runtime class into consideration',
    run: () => {
      const c = cluster()
      // RuntimeClass overhead of 2 CPUs, as the API server's admission writes it into the pod
      const pod = unschedulablePod({ requests: { cpu: '1' }, overhead: { cpu: '2' } })
      c.provision(pod)
      assert.equal(c.labelsOf(c.expectScheduled(pod))[LABEL_INSTANCE_TYPE], 'default-instance-type')
    },
  },
  {
    name: 'Binpacking › should schedule multiple small pods on the smallest possible instance type',
    run: () => {
      const c = cluster()
      const ps = pods(5, { requests: { memory: '10M' } })
      c.provision(...ps)
      expectAllOn(c, ps, 'small-instance-type', 1)
    },
  },
  {
    name: 'Binpacking › should create new nodes when a node is at capacity',
    run: () => {
      const c = cluster()
      const ps = pods(40, { nodeSelector: { [LABEL_ARCH]: 'amd64' }, requests: { memory: '1.8G' } })
      c.provision(...ps)
      expectAllOn(c, ps, 'default-instance-type', 20)
    },
  },
  {
    name: 'Binpacking › should pack small and large pods together',
    run: () => {
      const c = cluster()
      const ps = [
        ...pods(40, { nodeSelector: { [LABEL_ARCH]: 'amd64' }, requests: { memory: '1.8G' } }),
        ...pods(20, { nodeSelector: { [LABEL_ARCH]: 'amd64' }, requests: { memory: '400M' } }),
      ]
      c.provision(...ps)
      expectAllOn(c, ps, 'default-instance-type', 20)
    },
  },
  {
    name: 'Binpacking › should pack nodes tightly',
    run: () => {
      const c = new FakeCluster(instanceTypes(5), nodePool())
      const ps = [unschedulablePod({ requests: { cpu: '4.5' } }), unschedulablePod({ requests: { cpu: '1' } })]
      c.provision(...ps)
      const [n1, n2] = ps.map((p) => c.expectScheduled(p))
      assert.notEqual(c.labelsOf(n1)[LABEL_INSTANCE_TYPE], c.labelsOf(n2)[LABEL_INSTANCE_TYPE])
    },
  },
  {
    name: 'Binpacking › should handle zero-quantity resource requests',
    run: () => {
      const c = cluster()
      const pod = unschedulablePod({ requests: { 'foo.com/weird-resources': '0' }, limits: { 'foo.com/weird-resources': '0' } })
      c.provision(pod)
      c.expectScheduled(pod)
    },
  },
  {
    name: "Binpacking › should not schedule pods that exceed every instance type's capacity",
    run: () => {
      const c = cluster()
      const pod = unschedulablePod({ requests: { memory: '2Ti' } })
      c.provision(pod)
      c.expectNotScheduled(pod)
    },
  },
  {
    name: 'Binpacking › should create new nodes when a node is at capacity due to pod limits per node',
    run: () => {
      const c = cluster()
      const ps = pods(25, { nodeSelector: { [LABEL_ARCH]: 'amd64' }, requests: { memory: '1m', cpu: '1m' } })
      c.provision(...ps)
      expectAllOn(c, ps, 'small-instance-type', 5)
    },
  },
  {
    name: 'Binpacking › should take into account initContainer resource requests when binpacking',
    run: () => {
      const c = cluster()
      const pod = unschedulablePod({ requests: { memory: '1Gi', cpu: '1' }, initRequests: { memory: '1Gi', cpu: '2' } })
      c.provision(pod)
      assert.equal(c.labelsOf(c.expectScheduled(pod))[LABEL_INSTANCE_TYPE], 'default-instance-type')
    },
  },
  {
    name: 'Binpacking › should not schedule pods when initContainer resource requests are greater than available instance types',
    run: () => {
      const c = cluster()
      const pod = unschedulablePod({ requests: { memory: '1Gi', cpu: '1' }, initRequests: { memory: '1Ti', cpu: '2' } })
      c.provision(pod)
      c.expectNotScheduled(pod)
    },
  },
  {
    name: 'Binpacking › should select for valid instance types, regardless of price',
    run: () => {
      const offering = (price: number) => [{ capacityType: 'on-demand', zone: 'test-zone-1a', price, available: true }]
      const c = new FakeCluster(
        [
          fakeInstanceType({ name: 'medium', resources: { cpu: '2', memory: '2Gi' }, offerings: offering(3) }),
          fakeInstanceType({ name: 'small', resources: { cpu: '1', memory: '1Gi' }, offerings: offering(2) }),
          fakeInstanceType({ name: 'large', resources: { cpu: '4', memory: '4Gi' }, offerings: offering(1) }),
        ],
        nodePool(),
      )
      const pod = unschedulablePod({ limits: { cpu: '1m', memory: '1Mi' } })
      c.provision(pod)
      assert.equal(c.labelsOf(c.expectScheduled(pod))[LABEL_INSTANCE_TYPE], 'large')
      const types = c.createCalls[0].spec.requirements?.find((r) => r.key === LABEL_INSTANCE_TYPE)?.values ?? []
      assert.deepEqual([...types].sort(), ['large', 'medium', 'small'])
    },
  },
]

const tenMilliCpu = { limits: { cpu: '10m' } }
const eightCpu = { limits: { cpu: '8' } }
const zoneIn = (...zones: string[]) => [req(LABEL_ZONE, 'In', ...zones)]
const FOO_TAINT: Taint = { key: 'foo.com/taint', value: 'tainted', effect: 'NoSchedule' }

/** Topology spread of `foo: bar` pods over `key`, max skew 1. */
function spread(key: string): TopologySpreadConstraint {
  return { topologyKey: key, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { foo: 'bar' } }, maxSkew: 1 }
}

const inFlightNodes: PortedCase[] = [
  {
    name: 'In-Flight Nodes › should not launch a second node if there is an in-flight node that can support the pod',
    run: () => {
      const c = cluster()
      const first = unschedulablePod(tenMilliCpu)
      c.provision(first)
      const second = unschedulablePod(tenMilliCpu)
      c.provision(second)
      assert.equal(c.expectScheduled(first).name, c.expectScheduled(second).name)
    },
  },
  {
    name: 'In-Flight Nodes › should not launch a second node if there is an in-flight node that can support the pod (node selectors)',
    run: () => {
      const c = cluster()
      const first = unschedulablePod({ ...tenMilliCpu, nodeRequirements: zoneIn('test-zone-2') })
      c.provision(first)
      const second = unschedulablePod({ ...tenMilliCpu, nodeRequirements: zoneIn('test-zone-1', 'test-zone-2') })
      c.provision(second)
      assert.equal(c.expectScheduled(first).name, c.expectScheduled(second).name)
      const third = unschedulablePod({ ...tenMilliCpu, nodeRequirements: zoneIn('test-zone-1', 'test-zone-3') })
      c.provision(third)
      assert.notEqual(c.expectScheduled(first).name, c.expectScheduled(third).name)
    },
  },
  {
    name: "In-Flight Nodes › should launch a second node if a pod won't fit on the existingNodes node",
    run: () => {
      const c = cluster()
      const first = unschedulablePod({ limits: { cpu: '1001m' } })
      c.provision(first)
      const second = unschedulablePod({ limits: { cpu: '1' } })
      c.provision(second)
      assert.notEqual(c.expectScheduled(first).name, c.expectScheduled(second).name)
    },
  },
  {
    name: "In-Flight Nodes › should launch a second node if a pod isn't compatible with the existingNodes node (node selector)",
    run: () => {
      const c = cluster()
      const first = unschedulablePod(tenMilliCpu)
      c.provision(first)
      const second = unschedulablePod({ nodeSelector: { [LABEL_ARCH]: 'arm64' } })
      c.provision(second)
      assert.notEqual(c.expectScheduled(first).name, c.expectScheduled(second).name)
    },
  },
  {
    name: 'In-Flight Nodes › should launch a second node if an in-flight node is terminating',
    run: () => {
      const c = cluster()
      const first = unschedulablePod(tenMilliCpu)
      c.provision(first)
      const node1 = c.expectScheduled(first).name
      c.deleteNode(node1)
      const second = unschedulablePod(tenMilliCpu)
      c.provision(second)
      assert.notEqual(c.expectScheduled(second).name, node1)
    },
  },
  {
    name: 'In-Flight Nodes › Topology › should balance pods across zones with in-flight nodes',
    run: () => {
      const c = cluster()
      const tsc = spread(LABEL_ZONE)
      c.provision(...pods(4, { labels: { foo: 'bar' }, topologySpreadConstraints: [tsc] }))
      assert.deepEqual(c.skew(LABEL_ZONE, { foo: 'bar' }), [1, 1, 2])
      const firstRound = c.nodeList().length
      c.provision(...pods(5, { labels: { foo: 'bar' }, topologySpreadConstraints: [tsc] }))
      assert.deepEqual(c.skew(LABEL_ZONE, { foo: 'bar' }), [3, 3, 3])
      assert.equal(c.nodeList().length, firstRound)
    },
  },
  {
    name: 'In-Flight Nodes › Topology › should balance pods across hostnames with in-flight nodes',
    run: () => {
      const c = cluster()
      const tsc = spread(LABEL_HOSTNAME)
      c.provision(...pods(4, { labels: { foo: 'bar' }, topologySpreadConstraints: [tsc] }))
      assert.deepEqual(c.skew(LABEL_HOSTNAME, { foo: 'bar' }), [1, 1, 1, 1])
      c.provision(...pods(5, { labels: { foo: 'bar' }, topologySpreadConstraints: [tsc] }))
      assert.deepEqual(c.skew(LABEL_HOSTNAME, { foo: 'bar' }), [1, 1, 1, 1, 1, 1, 1, 1, 1])
    },
  },
  {
    name: 'In-Flight Nodes › Taints › should assume pod will schedule to a tainted node with no taints',
    run: () => {
      const c = cluster()
      const first = unschedulablePod(eightCpu)
      c.provision(first)
      const node1 = c.expectScheduled(first)
      c.deletePod(first)
      c.nodeOf(node1).spec = { ...c.nodeOf(node1).spec, taints: undefined }
      const second = unschedulablePod()
      c.provision(second)
      assert.equal(c.expectScheduled(second).name, node1.name)
    },
  },
  {
    name: 'In-Flight Nodes › Taints › should not assume pod will schedule to a tainted node',
    run: () => {
      const c = cluster()
      const first = unschedulablePod(eightCpu)
      c.provision(first)
      const node1 = c.expectScheduled(first)
      markInitialized(node1)
      c.deletePod(first)
      c.nodeOf(node1).spec = { ...c.nodeOf(node1).spec, taints: [...(c.nodeOf(node1).spec?.taints ?? []), FOO_TAINT] }
      const second = unschedulablePod()
      c.provision(second)
      assert.notEqual(c.expectScheduled(second).name, node1.name)
    },
  },
  {
    name: 'In-Flight Nodes › Taints › should assume pod will schedule to a tainted node with a custom startup taint',
    run: () => {
      const c = new FakeCluster(defaultInstanceTypes(), nodePool(undefined, { startupTaints: [FOO_TAINT] }))
      const first = unschedulablePod(eightCpu)
      c.provision(first)
      const node1 = c.expectScheduled(first)
      c.deletePod(first)
      // startup taint + the not-ready taint the API server adds
      assert.equal(c.nodeOf(node1).spec?.taints?.length, 2)
      assert.deepEqual(c.nodeOf(node1).spec?.taints?.[0], FOO_TAINT)
      const second = unschedulablePod()
      c.provision(second)
      assert.equal(c.expectScheduled(second).name, node1.name)
    },
  },
  {
    name: 'In-Flight Nodes › Taints › should not assume pod will schedule to a node with startup taints after initialization',
    run: () => {
      const startupTaint: Taint = { key: 'ignore-me', value: 'nothing-to-see-here', effect: 'NoSchedule' }
      const c = new FakeCluster(defaultInstanceTypes(), nodePool(undefined, { startupTaints: [startupTaint] }))
      const first = unschedulablePod()
      c.provision(first)
      const node1 = c.expectScheduled(first)
      c.deletePod(first)
      markInitialized(node1)
      c.nodeOf(node1).spec = { ...c.nodeOf(node1).spec, taints: [startupTaint] }
      c.nodeOf(node1).status = { ...c.nodeOf(node1).status, capacity: { pods: '10' } }
      const second = unschedulablePod()
      c.provision(second)
      assert.notEqual(c.expectScheduled(second).name, node1.name)
    },
  },
  {
    name: 'In-Flight Nodes › Taints › should consider a tainted NotReady node as in-flight even if initialized',
    run: () => {
      const c = cluster()
      const first = unschedulablePod({ requests: { cpu: '10m' } })
      c.provision(first)
      const node1 = c.expectScheduled(first)
      c.nodeOf(node1).metadata.labels = { ...c.nodeOf(node1).metadata.labels, [LABEL_INITIALIZED]: 'true' }
      c.nodeOf(node1).spec = {
        ...c.nodeOf(node1).spec,
        taints: [
          { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
          { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
          { key: 'node.cloudprovider.kubernetes.io/uninitialized', effect: 'NoSchedule', value: 'true' },
        ],
      }
      const second = unschedulablePod({ requests: { cpu: '10m' } })
      c.provision(second)
      assert.equal(c.expectScheduled(second).name, node1.name)
    },
  },
  {
    name: 'In-Flight Nodes › Daemonsets › should track daemonset usage separately so we know how many DS resources are remaining to be scheduled',
    run: () => {
      const c = cluster()
      const ds = daemonSet({ requests: { cpu: '1', memory: '1Gi' } })
      c.daemonSets = [ds]
      const first = unschedulablePod(eightCpu)
      c.provision(first)
      const node1 = c.expectScheduled(first)
      const dsPod = unschedulablePod({ requests: { cpu: '1', memory: '2Gi' }, daemonSet: ds })
      c.deletePod(first)
      const [before] = c.stateNodes()
      assert.equal(cpuOf(before.daemonSetRequests), 0)
      assert.equal(cpuOf(available(before)), 15.9) // 16 CPUs − 100m kube-reserved
      c.bind(dsPod, node1.name)
      const [after] = c.stateNodes()
      assert.equal(cpuOf(after.daemonSetRequests), 1)
      assert.equal(cpuOf(available(after)), 14.9)
      const second = unschedulablePod({ limits: { cpu: '14.9' } })
      c.provision(second)
      assert.equal(c.expectScheduled(second).name, node1.name)
    },
  },
  {
    name: 'In-Flight Nodes › Daemonsets › should handle unexpected daemonset pods binding to the node',
    run: () => {
      const c = cluster()
      const ds1 = daemonSet({ nodeSelector: { 'my-node-label': 'value' }, requests: { cpu: '1', memory: '1Gi' } })
      const ds2 = daemonSet({ requests: { cpu: '1m' } })
      c.daemonSets = [ds1, ds2]
      const first = unschedulablePod(eightCpu)
      c.provision(first)
      const node1 = c.expectScheduled(first)
      // a label Karpenter cannot track appears on the node
      c.nodeOf(node1).metadata.labels = { ...c.nodeOf(node1).metadata.labels, 'my-node-label': 'value' }
      const dsPod = unschedulablePod({ nodeSelector: { 'my-node-label': 'value' }, requests: { cpu: '1', memory: '2Gi' }, daemonSet: ds1 })
      c.deletePod(first)
      const [before] = c.stateNodes()
      assert.equal(cpuOf(before.daemonSetRequests), 0)
      assert.equal(cpuOf(available(before)), 15.9)
      c.bind(dsPod, node1.name)
      const [after] = c.stateNodes()
      assert.equal(cpuOf(after.daemonSetRequests), 1)
      assert.equal(cpuOf(available(after)), 14.9)
      const second = unschedulablePod({ limits: { cpu: '15.5' } })
      c.provision(second)
      assert.notEqual(c.expectScheduled(second).name, node1.name)
    },
  },
  {
    name: 'In-Flight Nodes › should pack in-flight nodes before launching new nodes',
    run: () => {
      const c = new FakeCluster([fakeInstanceType({ name: 'medium', resources: { cpu: '4.25', pods: '4' } })], nodePool())
      // upstream draws rand.Intn(10) pods per batch; a fixed draw keeps the case reproducible
      for (const n of [3, 7, 0, 9, 1, 5, 8, 2, 6, 4]) c.provision(...pods(n, { limits: { cpu: '1' } }))
      const withCpuFree = c.stateNodes().filter((n) => cpuOf(available(n)) >= 1)
      assert.ok(withCpuFree.length <= 1, `${withCpuFree.length} nodes with a CPU free`)
    },
  },
  {
    name: 'In-Flight Nodes › should not launch a second node if there is an in-flight node that can support the pod (#2011)',
    run: () => {
      const c = cluster()
      const pod = unschedulablePod(tenMilliCpu)
      c.provisionNoBinding(pod)
      assert.equal(c.nodeList().length, 1)
      c.provisionNoBinding(pod)
      assert.equal(c.nodeList().length, 1)
    },
  },
  {
    name: 'In-Flight Nodes › should order initialized nodes for scheduling un-initialized nodes when all other nodes are inflight',
    run: () => {
      const np = nodePool()
      const c = new FakeCluster(defaultInstanceTypes(), np)
      const elem = 37 // upstream: rand.Intn(100)
      let initialized = ''
      for (let i = 0; i < 100; i++) {
        const launched = c.deploy(nodeClaim(`nodeclaim-${i}`, { [LABEL_NODEPOOL]: 'default' }), i === elem)
        assert.ok(launched)
        if (i === elem) {
          markInitialized(launched)
          initialized = launched.name
        }
      }
      const pod = unschedulablePod()
      c.provision(pod)
      assert.equal(c.expectScheduled(pod).name, initialized)
    },
  },
]

const existingNodes: PortedCase[] = [
  {
    name: 'Existing Nodes › should schedule a pod to an existing node unowned by Karpenter',
    run: () => {
      const c = cluster()
      c.add({ node: node('unowned', { cpu: '10', memory: '10Gi', pods: '110' }) })
      const pod = unschedulablePod({ requests: { cpu: '10m' }, limits: { cpu: '10m' } })
      c.provision(pod)
      assert.equal(c.expectScheduled(pod).name, 'unowned')
    },
  },
  {
    name: 'Existing Nodes › should schedule multiple pods to an existing node unowned by Karpenter',
    run: () => {
      const c = cluster()
      c.add({ node: node('unowned', { cpu: '10', memory: '100Gi', pods: '110' }) })
      const ps = pods(100, { requests: { cpu: '10m' }, limits: { cpu: '10m' } })
      c.provision(...ps)
      for (const p of ps) assert.equal(c.expectScheduled(p).name, 'unowned')
    },
  },
  {
    name: 'Existing Nodes › should order initialized nodes for scheduling un-initialized nodes',
    run: () => {
      const c = cluster()
      const launched = Array.from({ length: 100 }, (_, i) => c.deploy(nodeClaim(`nodeclaim-${i}`, { [LABEL_NODEPOOL]: 'default' })))
      const ready = launched[58] // upstream: rand.Intn(100)
      assert.ok(ready)
      markInitialized(ready)
      const pod = unschedulablePod()
      c.provision(pod)
      assert.equal(c.expectScheduled(pod).name, ready.name)
    },
  },
  {
    name: 'Existing Nodes › should consider a pod incompatible with an existing node but compatible with NodePool',
    run: () => {
      const c = new FakeCluster(defaultInstanceTypes())
      const nc = nodeClaim('existing', {}, { allocatable: { cpu: '10', memory: '10Gi', pods: '110' } })
      const existing = c.add({ nodeClaim: nc, node: node('existing', { cpu: '10', memory: '10Gi', pods: '110' }) })
      markInitialized(existing)
      const pod = unschedulablePod({ nodeRequirements: zoneIn('test-zone-1') })
      c.provision(pod)
      c.expectUnbound(pod) // no NodePool: the provisioner logs that and schedules nothing
      c.nodePools = [nodePool()]
      c.provision(pod)
      c.expectScheduled(pod)
    },
  },
  {
    name: 'Existing Nodes › Daemonsets › should not subtract daemonset overhead that is not strictly compatible with an existing node',
    run: () => {
      const c = cluster()
      const nc = nodeClaim('existing', {}, { allocatable: { cpu: '1', memory: '1Gi', pods: '110' } })
      const existing = c.add({ nodeClaim: nc, node: node('existing', { cpu: '1', memory: '1Gi', pods: '110' }) })
      markInitialized(existing)
      // not compatible with the existing node (it has no zone label)
      c.daemonSets = [daemonSet({ requests: { cpu: '100', memory: '100Gi' }, nodeRequirements: zoneIn('test-zone-1') })]
      const pod = unschedulablePod({ requests: { cpu: '1', memory: '1Gi' } })
      c.provision(pod)
      assert.equal(c.expectScheduled(pod).name, 'existing')
      // on any new node the DaemonSet overhead takes all the room
      const pod2 = unschedulablePod({ requests: { cpu: '1', memory: '1Gi' } })
      c.provision(pod2)
      c.expectNotScheduled(pod2)
    },
  },
]

const noPreBinding: PortedCase[] = [
  {
    name: 'No Pre-Binding › should not bind pods to nodes',
    run: () => {
      const c = cluster()
      assert.equal(c.nodeList().length, 0)
      const first = unschedulablePod(tenMilliCpu)
      c.provisionNoBinding(first)
      c.expectUnbound(first)
      assert.equal(c.nodeList().length, 1)
      const second = unschedulablePod(tenMilliCpu)
      c.provisionNoBinding(second)
      c.expectUnbound(second)
      assert.equal(c.nodeList().length, 1)
    },
  },
  {
    name: 'No Pre-Binding › should handle resource zeroing of extended resources by kubelet',
    run: () => {
      const c = cluster()
      const opts = { limits: { cpu: '10m', [GPU_A]: '1' } }
      const first = unschedulablePod(opts)
      c.provisionNoBinding(first)
      c.expectUnbound(first)
      assert.equal(c.nodeList().length, 1)
      // kubelet zeroes the extended resources at startup
      const node1 = c.nodeOf(c.nodeList()[0])
      node1.status = { ...node1.status, capacity: { [GPU_A]: '0' }, allocatable: { [GPU_B]: '0' } }
      const second = unschedulablePod(opts)
      c.provisionNoBinding(second)
      c.expectUnbound(second)
      assert.equal(c.nodeList().length, 1)
    },
  },
  {
    name: 'No Pre-Binding › should respect self pod affinity without pod binding (zone)',
    run: () => {
      const c = cluster()
      const labels = { security: 's2' }
      const ps = pods(2, { labels, podRequirements: [{ labelSelector: { matchLabels: labels }, topologyKey: LABEL_ZONE }] })
      c.provisionNoBinding(ps[0])
      c.provisionNoBinding(ps[1])
      assert.equal(c.nodeList().length, 1)
    },
  },
]

const VOLUMES =
  'needs volumes: the twin models no PersistentVolumeClaims, StorageClasses or CSINode volume limits (scheduling/volumeusage.go, volumetopology.go have no counterpart in sandbox/karpenter/scheduling/); the tutorial workloads mount no volumes'

const notPorted: NotPorted[] = [
  'VolumeUsage › should launch multiple nodes if required due to volume limits',
  'VolumeUsage › should launch a single node if all pods use the same PVC',
  'VolumeUsage › should not fail for NFS volumes',
  'VolumeUsage › should launch nodes for pods with ephemeral volume using the specified storage class name',
  'VolumeUsage › should launch nodes for pods with ephemeral volume using a default storage class',
  'VolumeUsage › should launch nodes for pods with ephemeral volume using the newest storage class',
  'VolumeUsage › should not launch nodes for pods with ephemeral volume using a non-existent storage classes',
  'VolumeUsage › CSIMigration › should launch nodes for pods with non-dynamic PVC using a migrated PVC/PV',
  'VolumeUsage › CSIMigration › should launch nodes for pods with ephemeral volume using a migrated PVC/PV',
].map((name) => ({ name, reason: VOLUMES }))

conformance({
  repo: 'kubernetes-sigs/karpenter',
  tag: 'v0.32.1',
  file: 'pkg/controllers/provisioning/scheduling/nodepool_test.go',
  twin: 'v0.32.1',
  area: 'scheduling',
  upstreamCases: 72,
  cases: [...customConstraints, ...preferentialFallback, ...instanceTypeCompatibility, ...binpacking, ...inFlightNodes, ...existingNodes, ...noPreBinding],
  notPorted,
})
