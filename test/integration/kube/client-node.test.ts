// @kubernetes/client-node 2.0.1 (Node 22) against the sandbox API server, authenticated with
// the same `aws eks get-token` kubeconfig: list, watch, informer, patch (all strategies), logs.

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import * as k8s from '@kubernetes/client-node'
import { sleep, startHarness, type Harness } from './harness.ts'
import type { KubeObject } from '../../../sandbox/kube/json.ts'

const deployment = (name: string, replicas = 1): k8s.V1Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } },
  },
})

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > ms) throw new Error('condition not met in time')
    await sleep(20)
  }
}

describe('@kubernetes/client-node against the sandbox API server', () => {
  let h: Harness
  let kc: k8s.KubeConfig
  before(async () => {
    h = await startHarness()
    kc = new k8s.KubeConfig()
    kc.loadFromFile(h.kubeconfig)
    // the exec plugin runs `aws` with the kubeconfig's env; keep the host's AWS files out of it
    process.env.AWS_CONFIG_FILE = `${h.dir}/aws-config`
    process.env.AWS_SHARED_CREDENTIALS_FILE = `${h.dir}/aws-credentials`
  })
  after(async () => h.close())

  it('lists and reads with typed APIs, and maps errors to ApiException', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api)
    const version = await kc.makeApiClient(k8s.VersionApi).getCode()
    assert.equal(version.minor, '29')
    const ns = await core.listNamespace()
    assert.deepEqual(
      ns.items.map((n) => n.metadata?.name),
      ['default', 'kube-node-lease', 'kube-public', 'kube-system'],
    )
    h.store.create('nodes', { metadata: { name: 'n1', labels: { 'karpenter.sh/capacity-type': 'spot' } } })
    h.store.create('nodes', { metadata: { name: 'n2', labels: { 'karpenter.sh/capacity-type': 'on-demand' } } })
    const spot = await core.listNode({ labelSelector: 'karpenter.sh/capacity-type=spot' })
    assert.deepEqual(
      spot.items.map((n) => n.metadata?.name),
      ['n1'],
    )
    await assert.rejects(core.readNamespacedPod({ name: 'nope', namespace: 'default' }), (e: unknown) => {
      assert.ok(e instanceof k8s.ApiException)
      assert.equal(e.code, 404)
      assert.equal((JSON.parse(e.body as string) as { reason: string }).reason, 'NotFound')
      return true
    })
  })

  it('watches with bookmarks allowed: ADDED, MODIFIED, DELETED in order', async () => {
    const events: string[] = []
    const ctl = await new k8s.Watch(kc).watch(
      '/api/v1/namespaces/default/configmaps',
      { allowWatchBookmarks: true, labelSelector: 'w=1' },
      (type, obj: k8s.V1ConfigMap) => {
        if (type !== 'BOOKMARK') events.push(`${type} ${obj.metadata?.name} ${JSON.stringify(obj.data ?? {})}`)
      },
      () => {},
    )
    await sleep(200)
    h.store.create('configmaps', { metadata: { name: 'a', namespace: 'default', labels: { w: '1' } }, data: { v: '1' } })
    h.store.create('configmaps', { metadata: { name: 'ignored', namespace: 'default' } })
    h.store.mutate('configmaps', 'default', 'a', (o) => void (o.data = { v: '2' }))
    h.store.delete('configmaps', 'default', 'a')
    await until(() => events.length >= 3)
    ctl.abort()
    assert.deepEqual(events, ['ADDED a {"v":"1"}', 'MODIFIED a {"v":"2"}', 'DELETED a {"v":"2"}'])
  })

  it('runs an informer (list then watch from the list resourceVersion)', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api)
    h.store.create('configmaps', { metadata: { name: 'before', namespace: 'default', labels: { inf: 'x' } } })
    const informer = k8s.makeInformer(
      kc,
      '/api/v1/namespaces/default/configmaps',
      () => core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'inf=x' }),
      'inf=x',
    )
    const added: string[] = []
    informer.on('add', (o: k8s.V1ConfigMap) => added.push(o.metadata!.name!))
    informer.on('error', () => {})
    await informer.start()
    h.store.create('configmaps', { metadata: { name: 'after', namespace: 'default', labels: { inf: 'x' } } })
    await until(() => added.includes('after'))
    await informer.stop()
    assert.deepEqual(added, ['before', 'after'])
    assert.deepEqual(
      informer
        .list()
        .map((o) => o.metadata?.name)
        .sort(),
      ['after', 'before'],
    )
  })

  it('patches with JSON patch (the default), merge patch, strategic merge and server-side apply', async () => {
    const apps = kc.makeApiClient(k8s.AppsV1Api)
    await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('web', 2) })
    const jp = await apps.patchNamespacedDeployment({ name: 'web', namespace: 'default', body: [{ op: 'replace', path: '/spec/replicas', value: 3 }] })
    assert.equal(jp.spec?.replicas, 3)
    const mp = await apps.patchNamespacedDeployment(
      { name: 'web', namespace: 'default', body: { metadata: { labels: { m: '1' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    )
    assert.deepEqual(mp.metadata?.labels, { m: '1' })
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc)
    const smp = await objects.patch({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:1.26' }] } } },
    } as k8s.KubernetesObject)
    assert.equal((smp as k8s.V1Deployment).spec?.template.spec?.containers.length, 1)
    assert.equal((smp as k8s.V1Deployment).spec?.template.spec?.containers[0].image, 'nginx:1.26')
    const nodePool = {
      apiVersion: 'karpenter.sh/v1beta1',
      kind: 'NodePool',
      metadata: { name: 'default' },
      spec: {
        template: { spec: { requirements: [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] }], nodeClassRef: { name: 'default' } } },
      },
    }
    const applied = await objects.patch(nodePool, undefined, undefined, 'tutorial-tests', true, k8s.PatchStrategy.ServerSideApply)
    assert.equal((applied as KubeObject).metadata.managedFields?.[0].manager, 'tutorial-tests')
    // A strategic merge patch on a custom resource is refused, as a real server refuses it.
    await assert.rejects(objects.patch(nodePool), (e: unknown) => e instanceof k8s.ApiException && e.code === 415)
    const merged = await objects.patch(
      { ...nodePool, spec: { weight: 10 } } as k8s.KubernetesObject,
      undefined,
      undefined,
      undefined,
      undefined,
      k8s.PatchStrategy.MergePatch,
    )
    assert.equal((merged as KubeObject & { spec: { weight: number } }).spec.weight, 10)
  })

  it('follows container logs', async () => {
    h.store.create('pods', { metadata: { name: 'karpenter-1', namespace: 'default' }, spec: { containers: [{ name: 'controller', image: 'x' }] } })
    for (let i = 0; i < 5; i++) h.podLogs.append('default', 'karpenter-1', 'controller', `line ${i}`)
    let text = ''
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        text += chunk.toString()
        cb()
      },
    })
    const finished = new Promise((resolve) => sink.on('finish', resolve))
    await new k8s.Log(kc).log('default', 'karpenter-1', 'controller', sink, { follow: true, tailLines: 2, timestamps: true })
    await until(() => text.includes('line 4'))
    h.podLogs.append('default', 'karpenter-1', 'controller', 'line 5')
    await until(() => text.includes('line 5'))
    // The container stops: the follow ends and client-node finishes the stream.
    h.podLogs.end('default', 'karpenter-1', 'controller')
    await finished
    const lines = text.trim().split('\n')
    assert.equal(lines.length, 3)
    assert.match(lines[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z line 3$/)
  })
})
