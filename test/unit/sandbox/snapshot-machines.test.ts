// A snapshot's machines: their boot and halt timers do not survive it, so Machines.resume takes
// them up from what the snapshot kept and what EC2 reports running.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Store } from '../../../sandbox/kube/store.ts'
import { Clock } from '../../../sandbox/runtime/clock.ts'
import { Machines, DEFAULT_BOOT } from '../../../sandbox/cluster/machines.ts'
import { kubeletNode } from '../../../sandbox/ec2-nodes/kubelet-node.ts'
import type { Node } from '../../../sandbox/k8s/types.ts'
import { FakeRealTime } from './fake-real-time.ts'

const node = (name: string, instanceId: string): Node =>
  kubeletNode({
    name,
    instanceId,
    privateIp: '10.0.1.10',
    region: 'eu-west-2',
    zone: 'eu-west-2a',
    instanceType: 'c5.2xlarge',
    arch: 'amd64',
    providerID: `aws:///eu-west-2a/${instanceId}`,
    nodeLabels: {},
    registerTaints: [],
    capacity: { cpu: '8', memory: '15Gi', pods: '58' },
    allocatable: { cpu: '7910m', memory: '14Gi', pods: '58' },
    creationTimestamp: new Date().toISOString(),
    kubeletVersion: 'v1.29.0-eks-5e0fdde',
  })

const readyOf = (store: Store, name: string) =>
  (store.find('nodes', undefined, name) as Node | undefined)?.status?.conditions?.find((c) => c.type === 'Ready')?.status

describe('Machines across a snapshot', () => {
  it('boots again an instance EC2 runs whose Node had not registered, turns Ready one that had, and notices a halted one', async () => {
    const log = () => {}
    const realA = new FakeRealTime()
    const clockA = new Clock({ scale: 20, real: realA })
    const storeA = new Store()
    const before = new Machines(storeA, clockA, log)
    before.boot({ instanceId: 'i-registered', node: node('ip-a', 'i-registered'), ...DEFAULT_BOOT })
    before.boot({ instanceId: 'i-halted', node: node('ip-c', 'i-halted'), ...DEFAULT_BOOT })
    await realA.pass(2_000) // 40 s of tutorial time: both registered and Ready
    before.boot({ instanceId: 'i-launching', node: node('ip-b', 'i-launching'), ...DEFAULT_BOOT })
    await realA.pass(1_300) // 26 s: ip-b registered, not Ready yet
    storeA.mutate('nodes', undefined, 'ip-a', (o) => {
      o.metadata.labels = { ...o.metadata.labels, note: 'x' }
    })
    before.halt('i-halted')
    before.boot({ instanceId: 'i-fresh', node: node('ip-d', 'i-fresh'), ...DEFAULT_BOOT })
    await realA.pass(200) // 4 s: ip-d not registered yet
    const saved = JSON.parse(JSON.stringify({ machines: before.dump(), store: storeA.dump() })) as {
      machines: ReturnType<Machines['dump']>
      store: ReturnType<Store['dump']>
    }
    clockA.close()
    assert.equal(readyOf(storeA, 'ip-b'), 'False')
    assert.equal(readyOf(storeA, 'ip-d'), undefined)

    const realB = new FakeRealTime(Date.now())
    const clockB = new Clock({ scale: 20, real: realB })
    const storeB = Store.load(saved.store)
    const after = new Machines(storeB, clockB, log)
    after.resume(saved.machines, new Set(['i-registered', 'i-launching', 'i-fresh']))
    await realB.pass(600) // 12 s: the registered Node's CNI came up
    assert.equal(readyOf(storeB, 'ip-b'), 'True')
    assert.equal(readyOf(storeB, 'ip-d'), undefined)
    await realB.pass(1_250) // 37 s: the unregistered one booted again (25 s + 11 s)
    assert.equal(readyOf(storeB, 'ip-d'), 'True')
    assert.equal(readyOf(storeB, 'ip-a'), 'True')
    assert.equal(readyOf(storeB, 'ip-c'), 'True') // the grace period (40 s) has not passed yet…
    await realB.pass(500)
    assert.equal(readyOf(storeB, 'ip-c'), 'Unknown') // …and the halted instance's Node is noticed
    assert.equal(after.nodeName('i-registered'), 'ip-a')
    clockB.close()
  })
})
