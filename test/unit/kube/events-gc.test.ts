import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Store } from '../../../sandbox/kube/store.ts'
import { recordEvent } from '../../../sandbox/kube/events.ts'
import { GarbageCollector } from '../../../sandbox/cluster/garbage-collector.ts'
import type { KubeObject } from '../../../sandbox/kube/json.ts'

describe('recordEvent', () => {
  it('creates core/v1 Events and aggregates repeats', () => {
    const s = new Store()
    const pod = s.create('pods', { metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'app', image: 'x' }] } })
    const input = {
      involvedObject: pod,
      type: 'Warning' as const,
      reason: 'FailedScheduling',
      message: '0/3 nodes are available',
      source: { component: 'default-scheduler' },
    }
    recordEvent(s, input)
    const again = recordEvent(s, input)
    recordEvent(s, { ...input, reason: 'Scheduled', type: 'Normal', message: 'ok' })
    const events = s.list('events', {
      fieldSelector: `involvedObject.name=p,involvedObject.namespace=default,involvedObject.kind=Pod,involvedObject.uid=${pod.metadata.uid}`,
    }).items
    assert.equal(events.length, 2)
    assert.equal(again.count, 2)
    assert.equal((again.involvedObject as Record<string, string>).uid, pod.metadata.uid)
  })
})

const rs = (name: string, owner?: KubeObject, block = false): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name,
    namespace: 'default',
    ownerReferences: owner
      ? [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: block }]
      : undefined,
  },
})

async function settle(gc: GarbageCollector): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await gc.idle()
    await new Promise((r) => setImmediate(r))
  }
}

describe('GarbageCollector', () => {
  it('deletes dependents in the background once the owner is gone', async () => {
    const s = new Store()
    const gc = new GarbageCollector(s)
    gc.start()
    const owner = s.create('configmaps', rs('owner'))
    const child = s.create('configmaps', rs('child', owner))
    s.create('configmaps', rs('grandchild', child))
    s.delete('configmaps', 'default', 'owner', { propagationPolicy: 'Background' })
    await settle(gc)
    assert.deepEqual(
      s.list('configmaps').items.map((c) => c.metadata.name),
      [],
    )
    gc.stop()
  })

  it('deletes in the foreground: the owner goes last', async () => {
    const s = new Store()
    const gc = new GarbageCollector(s)
    gc.start()
    const owner = s.create('configmaps', rs('owner'))
    s.create('configmaps', rs('child', owner, true))
    const order: string[] = []
    s.watch('configmaps', { resourceVersion: s.resourceVersion }, (e) => e.type === 'DELETED' && order.push(e.object.metadata.name!))
    const r = s.delete('configmaps', 'default', 'owner', { propagationPolicy: 'Foreground' })
    assert.deepEqual(r.object.metadata.finalizers, ['foregroundDeletion'])
    await settle(gc)
    assert.deepEqual(order, ['child', 'owner'])
    gc.stop()
  })

  it('orphans dependents', async () => {
    const s = new Store()
    const gc = new GarbageCollector(s)
    gc.start()
    const owner = s.create('configmaps', rs('owner'))
    s.create('configmaps', rs('child', owner))
    s.delete('configmaps', 'default', 'owner', { propagationPolicy: 'Orphan' })
    await settle(gc)
    assert.deepEqual(
      s.list('configmaps').items.map((c) => [c.metadata.name, c.metadata.ownerReferences]),
      [['child', undefined]],
    )
    gc.stop()
  })

  it('empties and removes a namespace being deleted', async () => {
    const s = new Store()
    const gc = new GarbageCollector(s)
    gc.start()
    s.create('namespaces', { metadata: { name: 'tmp' } })
    s.create('configmaps', { metadata: { name: 'a', namespace: 'tmp' } })
    s.delete('namespaces', undefined, 'tmp')
    await settle(gc)
    assert.equal(s.find('namespaces', undefined, 'tmp'), undefined)
    assert.equal(s.list('configmaps', { namespace: 'tmp' }).items.length, 0)
    gc.stop()
  })
})
