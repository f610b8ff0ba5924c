// The run's Karpenter log recorder against the sandbox's API server: lines with the kubelet's
// timestamps, a container that restarts (its stream ends, the recorder follows the new one from
// the last line's time), each line kept once.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { sleep, startHarness, type Harness } from './harness.ts'
import { connect } from '../../../support/kube.ts'
import { KarpenterLog } from '../../../support/recorders.ts'

describe("Karpenter's log recorder on the sandbox API server", () => {
  let h: Harness
  before(async () => {
    h = await startHarness()
    process.env.AWS_CONFIG_FILE = `${h.dir}/aws-config`
    process.env.AWS_SHARED_CREDENTIALS_FILE = `${h.dir}/aws-credentials`
  })
  after(async () => h.close())

  it('follows a running container, again after its stream ends, and keeps each line once', async () => {
    h.store.create('namespaces', { metadata: { name: 'karpenter' } })
    h.store.create('pods', {
      metadata: { name: 'karpenter-1', namespace: 'karpenter', labels: { 'app.kubernetes.io/name': 'karpenter' } },
      spec: { containers: [{ name: 'controller', image: 'x' }] },
    })
    h.store.mutate(
      'pods',
      'karpenter',
      'karpenter-1',
      (o) =>
        void ((o as { status?: unknown }).status = {
          phase: 'Running',
          containerStatuses: [{ name: 'controller', state: { running: { startedAt: new Date().toISOString() } } }],
        }),
      { subresource: 'status' },
    )
    for (let i = 0; i < 3; i++) h.podLogs.append('karpenter', 'karpenter-1', 'controller', `{"n":${i}}`)
    const errors: string[] = []
    const log = new KarpenterLog(
      connect({ KUBECONFIG: h.kubeconfig, PATH: process.env.PATH ?? '' }),
      (m) => errors.push(m),
      'karpenter',
      'app.kubernetes.io/name=karpenter',
      100,
    )
    log.start()
    const until = async (n: number) => {
      const start = Date.now()
      while (log.lines.length < n && Date.now() - start < 15_000) await sleep(20)
    }
    await until(3)
    h.podLogs.append('karpenter', 'karpenter-1', 'controller', '{"n":3}')
    await until(4)
    // The server ends the stream (as it does after its request timeout) while the container runs.
    h.podLogs.end('karpenter', 'karpenter-1', 'controller')
    await sleep(300)
    h.podLogs.append('karpenter', 'karpenter-1', 'controller', '{"n":4}')
    await until(5)
    await sleep(500)
    log.stop()
    assert.deepEqual(
      log.lines.map((l) => l.raw),
      ['{"n":0}', '{"n":1}', '{"n":2}', '{"n":3}', '{"n":4}'],
      errors.join('\n'),
    )
  })
})
