// The kube-scheduler twin's controller over a Store: what it binds and what it leaves Pending,
// through the filter plugins of sandbox/cluster/scheduling/ (their own conformance cases are in
// test/conformance/kube-scheduler/).

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Scheduler } from '../../../sandbox/cluster/scheduler.ts'
import { Store } from '../../../sandbox/kube/store.ts'
import { Clock } from '../../../sandbox/runtime/clock.ts'
import type { KubeObject } from '../../../sandbox/kube/json.ts'

const node = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  spec: {},
  status: { allocatable: { cpu: '2', memory: '4Gi', pods: '110' } },
})

/** A pod of the `web` group with required affinity to its own group on the hostname. */
const selfAffine = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels: { app: 'web' } },
  spec: {
    containers: [{ name: 'app', image: 'x', resources: { requests: { cpu: '100m' } } }],
    affinity: {
      podAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }],
      },
    },
  },
})

async function settle(s: Scheduler): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await s.controller.idle()
    await new Promise((r) => setImmediate(r))
  }
}

describe('Scheduler', () => {
  it('binds the first pod of a self-affine group (no pod matches its affinity yet), then its peers to the same node', async () => {
    const store = new Store()
    const clock = new Clock({ scale: 1 })
    const scheduler = new Scheduler(store, clock, () => {})
    try {
      store.create('nodes', node('n1'))
      store.create('nodes', node('n2'))
      scheduler.start()
      store.create('pods', selfAffine('web-1'))
      await settle(scheduler)
      const first = store.find('pods', 'default', 'web-1') as unknown as { spec: { nodeName?: string } }
      assert.ok(first.spec.nodeName, 'the first pod of the group is bound')
      store.create('pods', selfAffine('web-2'))
      await settle(scheduler)
      const second = store.find('pods', 'default', 'web-2') as unknown as { spec: { nodeName?: string } }
      assert.equal(second.spec.nodeName, first.spec.nodeName)
    } finally {
      scheduler.stop()
      clock.close()
    }
  })
})
