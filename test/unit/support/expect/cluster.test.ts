// The cluster's expectations and the report's views, in their pure parts: pods described by
// phase, a pod Ready with its containers, the deployment kubectl says it created, the one node of
// a set of pods, the pods per zone; a node's lifetime and a Spot node's saving; the zone spread's
// rows; the nodes eks-node-viewer's screen leaves out.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { deploymentCreatedBy, describePods, podRunsReady, singleNodeOf, zoneSpread } from '../../../../support/expect/cluster.ts'
import { lifetimeOf, missingFromScreen, savingText, zoneRows } from '../../../../support/expect/report-views.ts'
import type { Node, Pod } from '../../../../support/kube.ts'
import type { NodeViewerScreen } from '../../../../support/node-viewer-screen.ts'
import type { Sighting } from '../../../../support/recorders.ts'

const pod = (name: string, o: { node?: string; phase?: string; ready?: boolean[] } = {}) =>
  ({
    metadata: { name, namespace: 'default' },
    spec: { nodeName: o.node },
    status: {
      phase: o.phase,
      containerStatuses: (o.ready ?? []).map((ready, i) => ({ name: `c${i}`, ready })),
      conditions: [{ type: 'Ready', status: (o.ready ?? []).length > 0 && (o.ready ?? []).every(Boolean) ? 'True' : 'False' }],
    },
  }) as unknown as Pod
const node = (name: string, zone: string, capacityType = 'spot') =>
  ({
    metadata: { name, labels: { 'topology.kubernetes.io/zone': zone, 'karpenter.sh/capacity-type': capacityType, 'karpenter.sh/nodepool': 'default' } },
  }) as unknown as Node

describe('pods', () => {
  it('are described by phase, Running but not Ready apart', () => {
    const pods = [pod('a', { phase: 'Running', ready: [true] }), pod('b', { phase: 'Running', ready: [false] }), pod('c', { phase: 'Pending' }), pod('d')]
    assert.equal(describePods(pods), '4 pods: 1 Running, 1 Running (not Ready), 1 Pending, 1 Unknown')
    assert.equal(describePods([]), '0 pods: none')
  })

  it('run Ready with exactly their containers', () => {
    assert.equal(podRunsReady(pod('a', { phase: 'Running', ready: [true] }), 1, 1), true)
    assert.equal(podRunsReady(pod('a', { phase: 'Running', ready: [true, false] }), 1, 1), false)
    assert.equal(podRunsReady(pod('a', { phase: 'Pending', ready: [true] }), 1, 1), false)
  })

  it('of one node name it; of several fail naming them', () => {
    assert.equal(singleNodeOf([pod('a', { node: 'n1' }), pod('b', { node: 'n1' })]), 'n1')
    assert.throws(() => singleNodeOf([pod('a', { node: 'n1' }), pod('b', { node: 'n2' })]), /the pods run on 2 nodes: n1, n2/)
  })
})

describe('the deployment kubectl says it created', () => {
  it('is named by "deployment.apps/NAME created", and by nothing else', () => {
    assert.equal(deploymentCreatedBy('deployment.apps/stateless created'), 'stateless')
    assert.equal(deploymentCreatedBy('deployment.apps/stateful created\n'), 'stateful')
    assert.equal(deploymentCreatedBy('deployment.apps "stateless" deleted'), undefined)
    assert.equal(deploymentCreatedBy('nodepool.karpenter.sh/default created'), undefined)
  })
})

describe('the zone spread', () => {
  const nodes = [node('n1', 'us-west-2a'), node('n2', 'us-west-2b'), node('n3', 'us-west-2c'), node('od', 'us-west-2a', 'on-demand')]
  const pods = [
    ...['a', 'b', 'c', 'd'].map((n) => pod(n, { node: 'n1' })),
    ...['e', 'f', 'g'].map((n) => pod(n, { node: 'n2' })),
    ...['h', 'i', 'j'].map((n) => pod(n, { node: 'n3' })),
  ]

  it("counts the tutorial's 4, 3 and 3 pods per zone on 3 nodes, and names a pod on no node", () => {
    const spread = zoneSpread([...pods, pod('k')], nodes)
    assert.deepEqual(Object.fromEntries(spread.perZone), { 'us-west-2a': 4, 'us-west-2b': 3, 'us-west-2c': 3 })
    assert.deepEqual([...spread.nodes], ['n1', 'n2', 'n3'])
    assert.deepEqual(spread.homeless, ['k'])
  })

  it("gives the report's rows by zone and capacity type", () => {
    const rows = zoneRows([...pods, pod('s', { node: 'od' })], nodes)
    assert.deepEqual(rows, [
      { zone: 'us-west-2a', capacityType: 'spot', nodes: 1, pods: 4 },
      { zone: 'us-west-2b', capacityType: 'spot', nodes: 1, pods: 3 },
      { zone: 'us-west-2c', capacityType: 'spot', nodes: 1, pods: 3 },
      { zone: 'us-west-2a', capacityType: 'on-demand', nodes: 1, pods: 1 },
    ])
  })
})

describe("the cost of the run's nodes", () => {
  const times = new Map([
    ['1', 0],
    ['2', 600_000],
    ['3', 1_800_000],
  ])
  const instant = (o: { rv?: string }) => (o.rv ? times.get(o.rv) : undefined)
  const seen = (rv: string, type: Sighting<Node>['type']): Sighting<Node> => ({ at: 0, rv, type, object: node(`n${rv}`, 'us-west-2a') })

  it('lives from its creation to its deletion, or to now; its last state is the one before the deletion', () => {
    const gone = lifetimeOf([seen('1', 'ADDED'), seen('2', 'MODIFIED'), seen('3', 'DELETED')], instant, 3_600_000)
    assert.equal(gone?.hours, 0.5)
    assert.equal(gone?.node.metadata?.name, 'n2')
    assert.equal(lifetimeOf([seen('2', 'ADDED')], instant, 3_600_000)?.hours, (3_600_000 - 600_000) / 3_600_000)
    assert.equal(lifetimeOf([seen('3', 'DELETED')], instant, 0), undefined)
  })

  it("shows a Spot node's saving against On-Demand, or why there is none", () => {
    assert.equal(savingText(0.1, 0.34), '71%')
    assert.equal(savingText(0.1, undefined), 'no On-Demand list price')
    assert.equal(savingText(undefined, 0.34), '')
  })
})

describe("eks-node-viewer's screen", () => {
  it('leaves out a node it does not show with its type and a price', () => {
    const screen = {
      nodes: [
        { name: 'n1', instanceType: 'c5.xlarge', price: 0.07 },
        { name: 'n2', instanceType: 'c5.xlarge' },
      ],
    } as unknown as NodeViewerScreen
    const expected = [
      { name: 'n1', type: 'c5.xlarge' },
      { name: 'n2', type: 'c5.xlarge' },
      { name: 'n3', type: 'm5.xlarge' },
    ]
    assert.deepEqual(missingFromScreen(screen, expected), ['n2', 'n3'])
  })
})
