// The sandbox's components wait in tutorial time: with the clock's driver stalled (real time
// passing, tutorial time not), nothing that stands for a simulated duration may happen early.

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Clock } from '../../../sandbox/runtime/clock.ts'
import { Kubelets } from '../../../sandbox/cluster/kubelet.ts'
import { Machines } from '../../../sandbox/cluster/machines.ts'
import { Store } from '../../../sandbox/kube/store.ts'
import type { KubeObject } from '../../../sandbox/kube/json.ts'
import type { Node } from '../../../sandbox/k8s/types.ts'
import { FakeRealTime } from './fake-real-time.ts'

const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r))
}

function setup() {
  const real = new FakeRealTime()
  const clock = new Clock({ scale: 20, capMs: 100, tickMs: 50, real })
  const store = new Store({ tutorialNow: () => clock.tutorialNow(), now: () => clock.now() })
  return { real, clock, store, t0: clock.tutorialNow() }
}

const readyNode = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '10.0.1.7' }] },
})

describe('the kubelet on tutorial time', () => {
  it("starts a pod's containers containerStartMs of tutorial time after binding, however much real time passed", async () => {
    const { real, clock, store, t0 } = setup()
    const kubelets = new Kubelets(store, clock, () => undefined, { containerStartMs: 3_000, containerStopMs: 3_000 })
    kubelets.start()
    store.create('nodes', readyNode('n1'))
    store.create('pods', { metadata: { name: 'p', namespace: 'default' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'pause' }] } })
    await settle()
    const phase = () => (store.find('pods', 'default', 'p')?.status as { phase?: string } | undefined)?.phase
    assert.equal(phase(), 'Pending')
    const boundAt = clock.tutorialNow() - t0
    // The event loop is blocked for 10 s: on wall time × 20 that would be 200 s; tutorial time
    // advances by 100 ms × 20 = 2 s only, short of the 3 s the containers take.
    await real.stall(10_000)
    await settle()
    assert.equal(clock.tutorialNow() - t0 - boundAt, 2_000)
    assert.equal(phase(), 'Pending', 'the containers must not start on wall time')
    // Tutorial time reaches the start (50 ms real = 1 s tutorial): Running at exactly that instant.
    let runningAt: number | undefined
    const stop = store.watch('pods', {}, (e) => {
      if ((e.object.status as { phase?: string }).phase === 'Running') runningAt ??= clock.tutorialNow() - t0
    })
    await real.pass(50)
    await settle()
    stop()
    assert.equal(phase(), 'Running')
    assert.equal(runningAt, boundAt + 3_000)
    kubelets.stop()
    clock.close()
  })
})

describe('machines on tutorial time', () => {
  it('register and turn Ready at their boot timings, not earlier under a stall', async () => {
    const { real, clock, store, t0 } = setup()
    const machines = new Machines(store, clock, () => undefined)
    const node: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'ip-10-0-1-7' }, status: { conditions: [{ type: 'Ready', status: 'False' }] } }
    const seen: [string, number][] = []
    store.watch('nodes', {}, (e) => {
      const ready = (e.object.status as { conditions?: { type: string; status: string }[] }).conditions?.find((c) => c.type === 'Ready')?.status
      seen.push([`${e.type} ${ready}`, clock.tutorialNow() - t0])
    })
    machines.boot({ instanceId: 'i-1', node, registerAfterMs: 25_000, readyAfterMs: 11_000 })
    await real.stall(30_000) // 2 s of tutorial time
    assert.equal(seen.length, 0)
    await real.pass(2_000) // 40 s of tutorial time
    assert.deepEqual(seen[0], ['ADDED False', 25_000])
    assert.deepEqual(
      seen.find(([what]) => what === 'MODIFIED True'),
      ['MODIFIED True', 36_000],
    )
    machines.stop()
    clock.close()
  })
})

describe('the store journal of tutorial times', () => {
  it('records the tutorial instant each resourceVersion was written at, paged after a resourceVersion', async () => {
    const { real, clock, store, t0 } = setup()
    const first = Number(store.resourceVersion)
    await real.pass(100)
    const a = store.create('configmaps', { metadata: { name: 'a', namespace: 'default' } })
    await real.pass(100)
    store.delete('configmaps', 'default', 'a')
    const page = store.tutorialTimes(first)
    assert.deepEqual(page, {
      entries: [
        [Number(a.metadata.resourceVersion), t0 + 2_000],
        [Number(a.metadata.resourceVersion) + 1, t0 + 4_000],
      ],
      more: false,
    })
    const small = store.tutorialTimes(0, 2)
    assert.deepEqual(
      small.entries.map(([rv]) => rv),
      [1, 2],
    )
    assert.equal(small.more, true)
    assert.deepEqual(store.tutorialTimes(first + 2).entries, [])
    clock.close()
  })
})
