// kube-scheduler's InterPodAffinity filter cases, from kubernetes/kubernetes
// pkg/scheduler/framework/plugins/interpodaffinity/filtering_test.go, as data, run against the
// twin's sandbox/cluster/scheduling/inter-pod-affinity.ts.

import { interPodAffinity } from '../../../sandbox/cluster/scheduling/inter-pod-affinity.ts'
import { node, pod, term } from './builders.ts'
import { conformance, FIT, reject, type UpstreamTable } from './harness.ts'

const FILE = 'pkg/scheduler/framework/plugins/interpodaffinity/filtering_test.go'
const REF = '072825f9a367e9ca0f73f91830945f1b7f46e0d9'

// Upstream's ErrReason… constants (interpodaffinity/filtering.go).
const AFFINITY = "node(s) didn't match pod affinity rules"
const ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules"
const EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules"

const podLabel = { service: 'securityscan' }
const podLabel2 = { security: 'S1' }
// The existing pod of TestRequiredAffinitySingleNode, on node1.
const existing = pod({ labels: podLabel, node: 'node1' })
const node1 = node('node1', { region: 'r1', zone: 'z11' })
const securityscan = ['securityscan', 'value2']
// The namespaces of the package's tests (scoring_test.go `namespaces`).
const namespaces = {
  'subteam1.team1': { team: 'team1' },
  'subteam2.team1': { team: 'team1' },
  'subteam1.team2': { team: 'team2' },
  'subteam2.team2': { team: 'team2' },
}
const team1 = { matchExpressions: [{ key: 'team', operator: 'In', values: ['team1'] }] }

const singleNode: UpstreamTable = {
  file: FILE,
  ref: REF,
  test: 'TestRequiredAffinitySingleNode',
  upstreamCases: 26,
  notPorted: [],
  cases: [
    {
      name: 'A pod that has no required pod affinity scheduling rules can schedule onto a node with no existing pods',
      pod: pod(),
      nodes: [node1],
      want: { node1: FIT },
    },
    {
      name: 'satisfies with requiredDuringSchedulingIgnoredDuringExecution in PodAffinity using In operator that matches the existing pod',
      pod: pod({ labels: podLabel2, affinity: [term('service', 'In', securityscan, 'region')] }),
      pods: [existing],
      nodes: [node1],
      want: { node1: FIT },
    },
    {
      name: 'satisfies the pod with requiredDuringSchedulingIgnoredDuringExecution in PodAffinity using not in operator in labelSelector that matches the existing pod',
      pod: pod({ labels: podLabel2, affinity: [term('service', 'NotIn', ['securityscan3', 'value3'], 'region')] }),
      pods: [existing],
      nodes: [node1],
      want: { node1: FIT },
    },
    {
      name: 'Does not satisfy the PodAffinity with labelSelector because of diff Namespace',
      pod: pod({ labels: podLabel2, affinity: [term('service', 'In', securityscan, '', { namespaces: ['DiffNameSpace'] })] }),
      pods: [pod({ namespace: 'ns', labels: podLabel, node: 'node1' })],
      nodes: [node1],
      want: { node1: reject(AFFINITY) },
    },
    {
      name: "Doesn't satisfy the PodAffinity because of unmatching labelSelector with the existing pod",
      pod: pod({ labels: podLabel, affinity: [term('service', 'In', ['antivirusscan', 'value2'], '')] }),
      pods: [existing],
      nodes: [node1],
      want: { node1: reject(AFFINITY) },
    },
    {
      name: 'satisfies the PodAffinity with different label Operators in multiple RequiredDuringSchedulingIgnoredDuringExecution ',
      pod: pod({
        labels: podLabel2,
        affinity: [
          {
            labelSelector: {
              matchExpressions: [
                { key: 'service', operator: 'Exists' },
                { key: 'wrongkey', operator: 'DoesNotExist' },
              ],
            },
            topologyKey: 'region',
          },
          {
            labelSelector: {
              matchExpressions: [
                { key: 'service', operator: 'In', values: ['securityscan'] },
                { key: 'service', operator: 'NotIn', values: ['WrongValue'] },
              ],
            },
            topologyKey: 'region',
          },
        ],
      }),
      pods: [existing],
      nodes: [node1],
      want: { node1: FIT },
    },
    {
      name: "The labelSelector requirements(items of matchExpressions) are ANDed, the pod cannot schedule onto the node because one of the matchExpression item don't match.",
      pod: pod({
        labels: podLabel2,
        affinity: [
          {
            labelSelector: {
              matchExpressions: [
                { key: 'service', operator: 'Exists' },
                { key: 'wrongkey', operator: 'DoesNotExist' },
              ],
            },
            topologyKey: 'region',
          },
          {
            labelSelector: {
              matchExpressions: [
                { key: 'service', operator: 'In', values: ['securityscan2'] },
                { key: 'service', operator: 'NotIn', values: ['WrongValue'] },
              ],
            },
            topologyKey: 'region',
          },
        ],
      }),
      pods: [existing],
      nodes: [node1],
      want: { node1: reject(AFFINITY) },
    },
    {
      name: 'satisfies the PodAffinity and PodAntiAffinity with the existing pod',
      pod: pod({
        labels: podLabel2,
        affinity: [term('service', 'In', securityscan, 'region')],
        antiAffinity: [term('service', 'In', ['antivirusscan', 'value2'], 'node')],
      }),
      pods: [existing],
      nodes: [node1],
      want: { node1: FIT },
    },
    {
      name: 'satisfies the PodAffinity and PodAntiAffinity and PodAntiAffinity symmetry with the existing pod',
      pod: pod({
        labels: podLabel2,
        affinity: [term('service', 'In', securityscan, 'region')],
        antiAffinity: [term('service', 'In', ['antivirusscan', 'value2'], 'node')],
      }),
      pods: [pod({ node: 'node1', labels: podLabel, antiAffinity: [term('service', 'In', ['antivirusscan', 'value2'], 'node')] })],
      nodes: [node1],
      want: { node1: FIT },
    },
    {
      name: "satisfies the PodAffinity but doesn't satisfy the PodAntiAffinity with the existing pod",
      pod: pod({
        labels: podLabel2,
        affinity: [term('service', 'In', securityscan, 'region')],
        antiAffinity: [term('service', 'In', securityscan, 'zone')],
      }),
      pods: [existing],
      nodes: [node1],
      want: { node1: reject(ANTI_AFFINITY) },
    },
    {
      name: "satisfies the PodAffinity and PodAntiAffinity but doesn't satisfy PodAntiAffinity symmetry with the existing pod",
      pod: pod({
        labels: podLabel,
        affinity: [term('service', 'In', securityscan, 'region')],
        antiAffinity: [term('service', 'In', ['antivirusscan', 'value2'], 'node')],
      }),
      pods: [pod({ labels: podLabel, node: 'node1', antiAffinity: [term('service', 'In', securityscan, 'zone')] })],
      nodes: [node1],
      want: { node1: reject(EXISTING_ANTI_AFFINITY) },
    },
    {
      name: 'pod matches its own Label in PodAffinity and that matches the existing pod Labels',
      pod: pod({ labels: podLabel, affinity: [term('service', 'NotIn', securityscan, 'region')] }),
      pods: [pod({ labels: { service: 'securityscan' }, node: 'node2' })],
      nodes: [node1],
      want: { node1: reject(AFFINITY) },
    },
    {
      name: "verify that PodAntiAffinity from existing pod is respected when pod has no AntiAffinity constraints. doesn't satisfy PodAntiAffinity symmetry with the existing pod",
      pod: pod({ labels: podLabel }),
      pods: [pod({ node: 'node1', labels: podLabel, antiAffinity: [term('service', 'In', securityscan, 'zone')] })],
      nodes: [node1],
      want: { node1: reject(EXISTING_ANTI_AFFINITY) },
    },
    {
      name: 'verify that PodAntiAffinity from existing pod is respected when pod has no AntiAffinity constraints. satisfy PodAntiAffinity symmetry with the existing pod',
      pod: pod({ labels: podLabel }),
      pods: [pod({ node: 'node1', labels: podLabel, antiAffinity: [term('service', 'NotIn', securityscan, 'zone')] })],
      nodes: [node1],
      want: { node1: FIT },
    },
    {
      name: "satisfies the PodAntiAffinity with existing pod but doesn't satisfy PodAntiAffinity symmetry with incoming pod",
      pod: pod({ labels: podLabel, antiAffinity: [term('service', 'Exists', undefined, 'region'), term('security', 'Exists', undefined, 'region')] }),
      pods: [pod({ node: 'node1', labels: podLabel2, antiAffinity: [term('security', 'Exists', undefined, 'zone')] })],
      nodes: [node1],
      want: { node1: reject(ANTI_AFFINITY) },
    },
    {
      name: 'PodAntiAffinity symmetry check a1: incoming pod and existing pod partially match each other on AffinityTerms',
      pod: pod({ labels: podLabel, antiAffinity: [term('service', 'Exists', undefined, 'zone'), term('security', 'Exists', undefined, 'zone')] }),
      pods: [pod({ node: 'node1', labels: podLabel2, antiAffinity: [term('security', 'Exists', undefined, 'zone')] })],
      nodes: [node1],
      want: { node1: reject(ANTI_AFFINITY) },
    },
    {
      name: 'PodAntiAffinity symmetry check a2: incoming pod and existing pod partially match each other on AffinityTerms',
      pod: pod({ labels: podLabel2, antiAffinity: [term('security', 'Exists', undefined, 'zone')] }),
      pods: [
        pod({ node: 'node1', labels: podLabel, antiAffinity: [term('service', 'Exists', undefined, 'zone'), term('security', 'Exists', undefined, 'zone')] }),
      ],
      nodes: [node1],
      want: { node1: reject(EXISTING_ANTI_AFFINITY) },
    },
    {
      name: 'PodAntiAffinity symmetry check b1: incoming pod and existing pod partially match each other on AffinityTerms',
      pod: pod({ labels: { abc: '', xyz: '' }, antiAffinity: [term('abc', 'Exists', undefined, 'zone'), term('def', 'Exists', undefined, 'zone')] }),
      pods: [
        pod({
          node: 'node1',
          labels: { def: '', xyz: '' },
          antiAffinity: [term('abc', 'Exists', undefined, 'zone'), term('def', 'Exists', undefined, 'zone')],
        }),
      ],
      nodes: [node1],
      want: { node1: reject(ANTI_AFFINITY) },
    },
    {
      name: 'PodAntiAffinity symmetry check b2: incoming pod and existing pod partially match each other on AffinityTerms',
      pod: pod({ labels: { def: '', xyz: '' }, antiAffinity: [term('abc', 'Exists', undefined, 'zone'), term('def', 'Exists', undefined, 'zone')] }),
      pods: [
        pod({
          node: 'node1',
          labels: { abc: '', xyz: '' },
          antiAffinity: [term('abc', 'Exists', undefined, 'zone'), term('def', 'Exists', undefined, 'zone')],
        }),
      ],
      nodes: [node1],
      want: { node1: reject(ANTI_AFFINITY) },
    },
    // Upstream rejects these two at PreFilter with the label-value validation error; the twin
    // (like the API server's validation before it) never matches the invalid value, so the
    // affinity term is unsatisfiable and the node is rejected: the verdict (not the message) is compared.
    {
      name: 'PodAffinity fails PreFilter with an invalid affinity label syntax',
      pod: pod({
        labels: podLabel,
        affinity: [term('service', 'In', ['{{.bad-value.}}'], 'region'), term('service', 'In', ['antivirusscan', 'value2'], 'node')],
      }),
      nodes: [node1],
      want: { node1: reject() },
    },
    {
      name: 'PodAntiAffinity fails PreFilter with an invalid antiaffinity label syntax',
      pod: pod({ labels: podLabel, affinity: [term('service', 'In', ['foo'], 'region'), term('service', 'In', ['{{.bad-value.}}'], 'node')] }),
      nodes: [node1],
      want: { node1: reject() },
    },
    {
      name: 'affinity with NamespaceSelector',
      pod: pod({ labels: podLabel2, affinity: [term('service', 'In', securityscan, 'region', { namespaceSelector: team1 })] }),
      pods: [pod({ namespace: 'subteam1.team1', labels: podLabel, node: 'node1' })],
      namespaces,
      nodes: [node1],
      want: { node1: FIT },
    },
    {
      name: 'affinity with non-matching NamespaceSelector',
      pod: pod({ labels: podLabel2, affinity: [term('service', 'In', securityscan, 'region', { namespaceSelector: team1 })] }),
      pods: [pod({ namespace: 'subteam1.team2', labels: podLabel, node: 'node1' })],
      namespaces,
      nodes: [node1],
      want: { node1: reject(AFFINITY) },
    },
    {
      name: 'anti-affinity with matching NamespaceSelector',
      pod: pod({ namespace: 'subteam1.team1', labels: podLabel2, antiAffinity: [term('service', 'In', securityscan, 'zone', { namespaceSelector: team1 })] }),
      pods: [pod({ namespace: 'subteam2.team1', labels: podLabel, node: 'node1' })],
      namespaces,
      nodes: [node1],
      want: { node1: reject(ANTI_AFFINITY) },
    },
    {
      name: 'anti-affinity with matching all NamespaceSelector',
      pod: pod({ namespace: 'subteam1.team1', labels: podLabel2, antiAffinity: [term('service', 'In', securityscan, 'zone', { namespaceSelector: {} })] }),
      pods: [pod({ namespace: 'subteam2.team1', labels: podLabel, node: 'node1' })],
      namespaces,
      nodes: [node1],
      want: { node1: reject(ANTI_AFFINITY) },
    },
    {
      name: 'anti-affinity with non-matching NamespaceSelector',
      pod: pod({ namespace: 'subteam1.team1', labels: podLabel2, antiAffinity: [term('service', 'In', securityscan, 'zone', { namespaceSelector: team1 })] }),
      pods: [pod({ namespace: 'subteam1.team2', labels: podLabel, node: 'node1' })],
      namespaces,
      nodes: [node1],
      want: { node1: FIT },
    },
  ],
}

const rgChina = { region: 'China' }
const rgChinaAzAz1 = { region: 'China', az: 'az1' }
const rgIndia = { region: 'India' }
const r1z1 = (name: string) => node(name, { region: 'r1', zone: 'z1', hostname: name })
const r1z2 = (name: string) => node(name, { region: 'r1', zone: 'z2', hostname: name })

const multipleNodes: UpstreamTable = {
  file: FILE,
  ref: REF,
  test: 'TestRequiredAffinityMultipleNodes',
  upstreamCases: 18,
  notPorted: [],
  cases: [
    {
      name: 'A pod can be scheduled onto all the nodes that have the same topology key & label value with one of them has an existing pod that matches the affinity rules',
      pod: pod({ affinity: [term('foo', 'In', ['bar'], 'region')] }),
      pods: [pod({ name: 'p1', node: 'node1', labels: { foo: 'bar' } })],
      nodes: [node('node1', rgChina), node('node2', rgChinaAzAz1), node('node3', rgIndia)],
      want: { node1: FIT, node2: FIT, node3: reject(AFFINITY) },
    },
    {
      name:
        'The affinity rule is to schedule all of the pods of this collection to the same zone. The first pod of the collection ' +
        "should not be blocked from being scheduled onto any node, even there's no existing pod that matches the rule anywhere.",
      pod: pod({
        labels: { foo: 'bar', service: 'securityscan' },
        affinity: [term('foo', 'In', ['bar'], 'zone'), term('service', 'In', ['securityscan'], 'zone')],
      }),
      pods: [pod({ name: 'p1', node: 'nodeA', labels: { foo: 'bar' } })],
      nodes: [node('nodeA', { zone: 'az1', hostname: 'h1' }), node('nodeB', { zone: 'az2', hostname: 'h2' })],
      want: { nodeA: FIT, nodeB: FIT },
    },
    {
      name: 'The first pod of the collection can only be scheduled on nodes labelled with the requested topology keys',
      pod: pod({
        labels: { foo: 'bar', service: 'securityscan' },
        affinity: [term('foo', 'In', ['bar'], 'zone'), term('service', 'In', ['securityscan'], 'zone')],
      }),
      pods: [pod({ name: 'p1', node: 'nodeA', labels: { foo: 'bar' } })],
      nodes: [node('nodeA', { zoneLabel: 'az1', hostname: 'h1' }), node('nodeB', { zoneLabel: 'az2', hostname: 'h2' })],
      want: { nodeA: reject(AFFINITY), nodeB: reject(AFFINITY) },
    },
    {
      name: 'NodeA and nodeB have same topologyKey and label value. NodeA has an existing pod that matches the inter pod affinity rule. The pod can not be scheduled onto nodeA and nodeB.',
      pod: pod({ antiAffinity: [term('foo', 'In', ['abc'], 'region')] }),
      pods: [pod({ node: 'nodeA', labels: { foo: 'abc' } })],
      nodes: [node('nodeA', { region: 'r1', hostname: 'nodeA' }), node('nodeB', { region: 'r1', hostname: 'nodeB' })],
      want: { nodeA: reject(ANTI_AFFINITY), nodeB: reject(ANTI_AFFINITY) },
    },
    {
      name: 'This test ensures that anti-affinity matches a pod when any term of the anti-affinity rule matches a pod.',
      pod: pod({ antiAffinity: [term('foo', 'In', ['abc'], 'region'), term('service', 'In', ['securityscan'], 'zone')] }),
      pods: [pod({ node: 'nodeA', labels: { foo: 'abc', service: 'securityscan' } })],
      nodes: [r1z1('nodeA'), r1z2('nodeB')],
      want: { nodeA: reject(ANTI_AFFINITY), nodeB: reject(ANTI_AFFINITY) },
    },
    {
      name: 'NodeA and nodeB have same topologyKey and label value. NodeA has an existing pod that matches the inter pod affinity rule. The pod can not be scheduled onto nodeA and nodeB but can be scheduled onto nodeC',
      pod: pod({ antiAffinity: [term('foo', 'In', ['abc'], 'region')] }),
      pods: [pod({ node: 'nodeA', labels: { foo: 'abc' } })],
      nodes: [node('nodeA', rgChina), node('nodeB', rgChinaAzAz1), node('nodeC', rgIndia)],
      want: { nodeA: reject(ANTI_AFFINITY), nodeB: reject(ANTI_AFFINITY), nodeC: FIT },
    },
    {
      name: 'NodeA and nodeB have same topologyKey and label value. NodeA has an existing pod that matches the inter pod affinity rule. The pod can not be scheduled onto nodeA, nodeB, but can be scheduled onto nodeC (NodeC has an existing pod that match the inter pod affinity rule but in different namespace)',
      pod: pod({ namespace: 'NS1', labels: { foo: '123' }, antiAffinity: [term('foo', 'In', ['bar'], 'region')] }),
      pods: [
        pod({ node: 'nodeA', namespace: 'NS1', labels: { foo: 'bar' } }),
        pod({ node: 'nodeC', namespace: 'NS2', antiAffinity: [term('foo', 'In', ['123'], 'region')] }),
      ],
      namespaces: { NS1: {} },
      nodes: [node('nodeA', rgChina), node('nodeB', rgChinaAzAz1), node('nodeC', rgIndia)],
      want: { nodeA: reject(ANTI_AFFINITY), nodeB: reject(ANTI_AFFINITY), nodeC: FIT },
    },
    {
      name: "Test existing pod's anti-affinity: if an existing pod has a term with invalid topologyKey, labelSelector of the term is firstly checked, and then topologyKey of the term is also checked",
      pod: pod({ labels: { foo: '' } }),
      pods: [pod({ node: 'nodeA', antiAffinity: [term('foo', 'Exists', undefined, 'invalid-node-label')] })],
      nodes: [r1z1('nodeA'), r1z1('nodeB')],
      want: { nodeA: FIT, nodeB: FIT },
    },
    {
      name: "Test incoming pod's anti-affinity: even if labelSelector matches, we still check if topologyKey matches",
      pod: pod({ node: 'nodeA', antiAffinity: [term('foo', 'Exists', undefined, 'invalid-node-label')] }),
      pods: [pod({ node: 'nodeA', labels: { foo: '' } })],
      nodes: [r1z1('nodeA'), r1z1('nodeB')],
      want: { nodeA: FIT, nodeB: FIT },
    },
    {
      name: "Test existing pod's anti-affinity: incoming pod wouldn't considered as a fit as it violates each existingPod's terms on all nodes",
      pod: pod({ labels: { foo: '', bar: '' } }),
      pods: [
        pod({ node: 'nodeA', antiAffinity: [term('foo', 'Exists', undefined, 'zone')] }),
        pod({ node: 'nodeA', antiAffinity: [term('bar', 'Exists', undefined, 'region')] }),
      ],
      nodes: [r1z1('nodeA'), r1z2('nodeB')],
      want: { nodeA: reject(EXISTING_ANTI_AFFINITY), nodeB: reject(EXISTING_ANTI_AFFINITY) },
    },
    {
      name: "Test incoming pod's anti-affinity: incoming pod wouldn't considered as a fit as it at least violates one anti-affinity rule of existingPod",
      pod: pod({ antiAffinity: [term('foo', 'Exists', undefined, 'zone'), term('bar', 'Exists', undefined, 'region')] }),
      pods: [pod({ node: 'nodeA', labels: { foo: '' } }), pod({ node: 'nodeB', labels: { bar: '' } })],
      nodes: [r1z1('nodeA'), r1z2('nodeB')],
      want: { nodeA: reject(ANTI_AFFINITY), nodeB: reject(ANTI_AFFINITY) },
    },
    {
      name: "Test existing pod's anti-affinity: only when labelSelector and topologyKey both match, it's counted as a single term match - case when one term has invalid topologyKey",
      pod: pod({ labels: { foo: '', bar: '' } }),
      pods: [pod({ node: 'nodeA', antiAffinity: [term('foo', 'Exists', undefined, 'invalid-node-label'), term('bar', 'Exists', undefined, 'zone')] })],
      nodes: [r1z1('nodeA'), r1z2('nodeB')],
      want: { nodeA: reject(EXISTING_ANTI_AFFINITY), nodeB: FIT },
    },
    {
      name: "Test incoming pod's anti-affinity: only when labelSelector and topologyKey both match, it's counted as a single term match - case when one term has invalid topologyKey",
      pod: pod({ antiAffinity: [term('foo', 'Exists', undefined, 'invalid-node-label'), term('bar', 'Exists', undefined, 'zone')] }),
      pods: [pod({ name: 'podA', node: 'nodeA', labels: { foo: '', bar: '' } })],
      nodes: [r1z1('nodeA'), r1z2('nodeB')],
      want: { nodeA: reject(ANTI_AFFINITY), nodeB: FIT },
    },
    {
      name: "Test existing pod's anti-affinity: only when labelSelector and topologyKey both match, it's counted as a single term match - case when all terms have valid topologyKey",
      pod: pod({ labels: { foo: '', bar: '' } }),
      pods: [pod({ node: 'nodeA', antiAffinity: [term('foo', 'Exists', undefined, 'region'), term('bar', 'Exists', undefined, 'zone')] })],
      nodes: [r1z1('nodeA'), r1z2('nodeB')],
      want: { nodeA: reject(EXISTING_ANTI_AFFINITY), nodeB: reject(EXISTING_ANTI_AFFINITY) },
    },
    {
      name: "Test incoming pod's anti-affinity: only when labelSelector and topologyKey both match, it's counted as a single term match - case when all terms have valid topologyKey",
      pod: pod({ antiAffinity: [term('foo', 'Exists', undefined, 'region'), term('bar', 'Exists', undefined, 'zone')] }),
      pods: [pod({ node: 'nodeA', labels: { foo: '', bar: '' } })],
      nodes: [r1z1('nodeA'), r1z2('nodeB')],
      want: { nodeA: reject(ANTI_AFFINITY), nodeB: reject(ANTI_AFFINITY) },
    },
    {
      name: "Test existing pod's anti-affinity: existingPod on nodeA and nodeB has at least one anti-affinity term matches incoming pod, so incoming pod can only be scheduled to nodeC",
      pod: pod({ labels: { foo: '', bar: '' } }),
      pods: [
        pod({ node: 'nodeA', antiAffinity: [term('foo', 'Exists', undefined, 'zone'), term('labelA', 'Exists', undefined, 'zone')] }),
        pod({ node: 'nodeB', antiAffinity: [term('bar', 'Exists', undefined, 'zone'), term('labelB', 'Exists', undefined, 'zone')] }),
      ],
      nodes: [r1z1('nodeA'), r1z2('nodeB'), node('nodeC', { region: 'r1', zone: 'z3', hostname: 'nodeC' })],
      want: { nodeA: reject(EXISTING_ANTI_AFFINITY), nodeB: reject(EXISTING_ANTI_AFFINITY), nodeC: FIT },
    },
    {
      name: "Test incoming pod's affinity: firstly check if all affinityTerms match, and then check if all topologyKeys match",
      pod: pod({ affinity: [term('foo', 'Exists', undefined, 'region'), term('bar', 'Exists', undefined, 'zone')] }),
      pods: [pod({ name: 'pod1', labels: { foo: '', bar: '' }, node: 'nodeA' })],
      nodes: [r1z1('nodeA'), r1z1('nodeB')],
      want: { nodeA: FIT, nodeB: FIT },
    },
    {
      name: "Test incoming pod's affinity: firstly check if all affinityTerms match, and then check if all topologyKeys match, and the match logic should be satisfied on the same pod",
      pod: pod({ affinity: [term('foo', 'Exists', undefined, 'region'), term('bar', 'Exists', undefined, 'zone')] }),
      pods: [pod({ name: 'pod1', node: 'nodeA', labels: { foo: '' } }), pod({ name: 'pod2', node: 'nodeB', labels: { bar: '' } })],
      nodes: [r1z1('nodeA'), r1z2('nodeB')],
      want: { nodeA: reject(AFFINITY), nodeB: reject(AFFINITY) },
    },
  ],
}

conformance('InterPodAffinity', interPodAffinity, [singleNode, multipleNodes])
