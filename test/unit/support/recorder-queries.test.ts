// The cluster recorder answers the steps' questions about history by name: an object's history,
// its first sighting that satisfies a test, its last state even after it was deleted, the
// Karpenter nodes a workload's pods ran on, the node of an EC2 instance and the NodeClaim of a node.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { karpenterApi } from '../../../support/karpenter-api.ts'
import type { KubeSession, Node, NodeClaim, Pod } from '../../../support/kube.ts'
import { ClusterRecorder, type Sighting } from '../../../support/recorders.ts'

let rv = 0
const seen = <T>(type: Sighting<T>['type'], object: T): Sighting<T> => ({ at: ++rv, rv: String(rv), type, object })

const pod = (name: string, app: string, node?: string, phase = 'Pending') =>
  ({ metadata: { name, namespace: 'default', labels: { app } }, spec: { nodeName: node }, status: { phase } }) as unknown as Pod
const node = (name: string, o: { karpenter?: boolean; ready?: boolean; instance?: string; nodeClaim?: string } = {}) =>
  ({
    metadata: {
      name,
      labels: {
        ...(o.karpenter ? { 'karpenter.sh/nodepool': 'default' } : { 'eks.amazonaws.com/nodegroup': 'mng' }),
        ...(o.nodeClaim ? { 'karpenter.sh/nodeclaim': o.nodeClaim } : {}),
      },
    },
    spec: { providerID: o.instance ? `aws:///us-west-2a/${o.instance}` : undefined },
    status: { conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False' }] },
  }) as unknown as Node
const claim = (name: string, nodeName?: string) => ({ metadata: { name }, spec: {}, status: { nodeName } }) as NodeClaim

/** A recorder that watches nothing: its histories are filled by hand, as the watches would. */
function recorder(): ClusterRecorder {
  const r = new ClusterRecorder({} as KubeSession, () => {}, karpenterApi('0.32.1'))
  r.pods.set('default/a', [
    seen('ADDED', pod('a', 'stateless')),
    seen('MODIFIED', pod('a', 'stateless', 'k1')),
    seen('MODIFIED', pod('a', 'stateless', 'k1', 'Running')),
    seen('DELETED', pod('a', 'stateless', 'k1', 'Running')),
  ])
  r.pods.set('default/b', [seen('ADDED', pod('b', 'stateless', 'mng-1', 'Running'))])
  r.pods.set('default/c', [seen('ADDED', pod('c', 'stateful', 'k2', 'Running'))])
  r.nodes.set('k1', [
    seen('ADDED', node('k1', { karpenter: true, instance: 'i-0k1' })),
    seen('MODIFIED', node('k1', { karpenter: true, ready: true, instance: 'i-0k1' })),
    seen('DELETED', node('k1', { karpenter: true, instance: 'i-0k1' })),
  ])
  r.nodes.set('k2', [seen('ADDED', node('k2', { karpenter: true, ready: true, nodeClaim: 'default-k2' }))])
  r.nodes.set('mng-1', [seen('ADDED', node('mng-1', { ready: true, instance: 'i-0mng' }))])
  r.nodeClaims.set('default-abc', [seen('ADDED', claim('default-abc')), seen('MODIFIED', claim('default-abc', 'k1'))])
  return r
}

describe('ClusterRecorder queries', () => {
  it('historyOf: every sighting, oldest first; none for an object never seen', () => {
    const r = recorder()
    assert.deepEqual(
      r.historyOf('pods', 'default/a').map((s) => s.type),
      ['ADDED', 'MODIFIED', 'MODIFIED', 'DELETED'],
    )
    assert.deepEqual(r.historyOf('nodes', 'nowhere'), [])
  })

  it('firstSighting: the first that passes the test, or the first at all', () => {
    const r = recorder()
    assert.equal(r.firstSighting('pods', 'default/a')?.object.spec?.nodeName, undefined)
    assert.equal(r.firstSighting('pods', 'default/a', (p) => p.status?.phase === 'Running')?.rv, r.historyOf('pods', 'default/a')[2].rv)
    assert.equal(
      r.firstSighting('nodes', 'mng-1', (n) => !n.status),
      undefined,
    )
  })

  it('lastKnown: the last state before the deletion, not the deletion', () => {
    const r = recorder()
    const k1 = r.historyOf('nodes', 'k1')
    assert.equal(r.lastKnown('nodes', 'k1'), k1[1].object)
    assert.equal(r.lastKnown('nodeclaims', 'default-abc')?.status?.nodeName, 'k1')
    assert.equal(r.lastKnown('nodes', 'nowhere'), undefined)
    assert.equal(r.seenDeleted('nodes', 'k1'), true)
    assert.equal(r.seenDeleted('nodes', 'k2'), false)
  })

  it('nodesThatHosted: the Karpenter nodes a workload ran on, not the managed node group, not another workload', () => {
    const r = recorder()
    assert.deepEqual([...r.nodesThatHosted('stateless')], ['k1'])
    assert.deepEqual([...r.nodesThatHosted('stateful')], ['k2'])
    assert.deepEqual([...r.podsOfApp('stateless').keys()], ['default/a', 'default/b'])
  })

  it('nodeOfInstance: the node of an EC2 instance as last seen, even once gone', () => {
    const r = recorder()
    assert.equal(r.nodeOfInstance('i-0k1')?.metadata?.name, 'k1')
    assert.equal(r.nodeOfInstance('i-0k1')?.status?.conditions?.[0].status, 'True')
    assert.equal(r.nodeOfInstance('i-0none'), undefined)
  })

  it("nodeClaimOf: the node's label (Karpenter 1.x), else the NodeClaim whose status names the node", () => {
    const r = recorder()
    assert.equal(r.nodeClaimOf('k2'), 'default-k2')
    assert.equal(r.nodeClaimOf('k1'), 'default-abc')
    assert.equal(r.nodeClaimOf('mng-1'), undefined)
  })
})
