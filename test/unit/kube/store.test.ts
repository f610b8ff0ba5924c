import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Store, type WatchEvent } from '../../../sandbox/kube/store.ts'
import { ApiError } from '../../../sandbox/kube/errors.ts'
import type { KubeObject } from '../../../sandbox/kube/json.ts'
import { karpenterV1beta1Crds } from '../../../sandbox/karpenter/crds/v1beta1.ts'

const pod = (name: string, labels: Record<string, string> = {}, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels },
  spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] },
  ...extra,
})

function code(fn: () => unknown): number | undefined {
  try {
    fn()
  } catch (e) {
    if (e instanceof ApiError) return e.code
    throw e
  }
  return undefined
}

describe('Store', () => {
  it('bootstraps the default namespaces, their ServiceAccounts and the Karpenter CRDs', () => {
    // The Karpenter CRDs come with the chart's release now: installed here as the v0.32.1 chart installs them.
    const s = new Store({ crds: karpenterV1beta1Crds })
    assert.deepEqual(
      s.list('namespaces').items.map((n) => n.metadata.name),
      ['default', 'kube-node-lease', 'kube-public', 'kube-system'],
    )
    assert.equal(s.list('serviceaccounts').items.length, 4)
    assert.deepEqual(
      s.list('customresourcedefinitions.apiextensions.k8s.io').items.map((c) => c.metadata.name),
      ['ec2nodeclasses.karpenter.k8s.aws', 'nodeclaims.karpenter.sh', 'nodepools.karpenter.sh'],
    )
  })

  it('creates with defaults, uid, timestamps and a monotonic resourceVersion; returns copies', () => {
    const s = new Store()
    const a = s.create('pods', pod('a'))
    const b = s.create('pods', pod('b'))
    assert.ok(Number(b.metadata.resourceVersion) > Number(a.metadata.resourceVersion))
    assert.match(a.metadata.uid!, /^[0-9a-f-]{36}$/)
    assert.match(a.metadata.creationTimestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    assert.equal((a.status as { phase: string }).phase, 'Pending')
    assert.equal((a.spec as { restartPolicy: string }).restartPolicy, 'Always')
    a.metadata.labels = { mutated: 'yes' }
    assert.deepEqual(s.get('pods', 'default', 'a').metadata.labels, {})
    assert.equal(
      code(() => s.create('pods', pod('a'))),
      409,
    )
    assert.equal(
      code(() => s.create('pods', { ...pod('x'), metadata: { name: 'x', namespace: 'nope' } })),
      404,
    )
  })

  it('honours generateName', () => {
    const s = new Store()
    const p = s.create('pods', { ...pod(''), metadata: { generateName: 'stateless-5c77994ccb-', namespace: 'default' } })
    assert.match(p.metadata.name!, /^stateless-5c77994ccb-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
  })

  it('refuses a stale update with 409 and skips no-op writes', () => {
    const s = new Store()
    const p = s.create('pods', pod('a'))
    const updated = s.update('pods', { ...p, metadata: { ...p.metadata, labels: { x: '1' } } })
    assert.equal(
      code(() => s.update('pods', { ...p, metadata: { ...p.metadata, labels: { x: '2' } } })),
      409,
    )
    const again = s.update('pods', updated)
    assert.equal(again.metadata.resourceVersion, updated.metadata.resourceVersion)
  })

  it('bumps generation on spec changes of deployments only', () => {
    const s = new Store()
    const d = s.create('deployments.apps', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'default' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'd' } },
        template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
      },
    })
    assert.equal(d.metadata.generation, 1)
    const labelled = s.mutate('deployments.apps', 'default', 'd', (o) => void (o.metadata.labels = { a: 'b' }))
    assert.equal(labelled.metadata.generation, 1)
    const scaled = s.mutate('deployments.apps', 'default', 'd', (o) => void ((o.spec as { replicas: number }).replicas = 3))
    assert.equal(scaled.metadata.generation, 2)
    const status = s.mutate('deployments.apps', 'default', 'd', (o) => void (o.status = { replicas: 3 }), { subresource: 'status' })
    assert.equal(status.metadata.generation, 2)
    assert.deepEqual(status.status, { replicas: 3 })
    // status in a main-resource update is ignored
    const ignored = s.mutate('deployments.apps', 'default', 'd', (o) => void (o.status = { replicas: 99 }))
    assert.deepEqual(ignored.status, { replicas: 3 })
  })

  it('lists with label and field selectors, namespaces and pagination', () => {
    const s = new Store()
    s.create('namespaces', { metadata: { name: 'karpenter' } })
    for (let i = 0; i < 5; i++) s.create('pods', pod(`p${i}`, { app: i % 2 ? 'odd' : 'even', tier: String(i) }))
    s.create('pods', { ...pod('k'), metadata: { name: 'k', namespace: 'karpenter', labels: { 'app.kubernetes.io/name': 'karpenter' } } })
    assert.equal(s.list('pods').items.length, 6)
    assert.equal(s.list('pods', { namespace: 'default' }).items.length, 5)
    assert.deepEqual(
      s.list('pods', { labelSelector: 'app=odd' }).items.map((p) => p.metadata.name),
      ['p1', 'p3'],
    )
    assert.deepEqual(
      s.list('pods', { labelSelector: 'app in (odd),tier notin (3)' }).items.map((p) => p.metadata.name),
      ['p1'],
    )
    assert.deepEqual(
      s.list('pods', { labelSelector: '!app' }).items.map((p) => p.metadata.name),
      ['k'],
    )
    assert.deepEqual(
      s.list('pods', { fieldSelector: 'metadata.namespace=karpenter' }).items.map((p) => p.metadata.name),
      ['k'],
    )
    assert.deepEqual(s.list('pods', { fieldSelector: 'metadata.name!=p0,metadata.namespace=default' }).items.length, 4)
    s.bindPod('default', 'p2', 'node-a')
    assert.deepEqual(
      s.list('pods', { fieldSelector: 'spec.nodeName=node-a' }).items.map((p) => p.metadata.name),
      ['p2'],
    )
    assert.equal(
      code(() => s.list('pods', { fieldSelector: 'spec.bogus=1' })),
      400,
    )
    assert.equal(
      code(() => s.list('pods', { labelSelector: 'a in (' })),
      400,
    )
    const page1 = s.list('pods', { namespace: 'default', limit: 2 })
    assert.equal(page1.items.length, 2)
    assert.ok(page1.continue)
    const page2 = s.list('pods', { namespace: 'default', limit: 2, continue: page1.continue })
    const page3 = s.list('pods', { namespace: 'default', limit: 2, continue: page2.continue })
    assert.deepEqual(
      [...page1.items, ...page2.items, ...page3.items].map((p) => p.metadata.name),
      ['p0', 'p1', 'p2', 'p3', 'p4'],
    )
    assert.equal(page3.continue, undefined)
  })

  it('watches from a resourceVersion, with selectors turning updates into ADDED/DELETED', () => {
    const s = new Store()
    const start = s.resourceVersion
    const events: string[] = []
    const stop = s.watch('pods', { resourceVersion: start, labelSelector: 'app=web' }, (e) => events.push(`${e.type} ${e.object.metadata.name}`))
    s.create('pods', pod('a', { app: 'web' }))
    s.create('pods', pod('b', { app: 'db' }))
    s.mutate('pods', 'default', 'b', (o) => void (o.metadata.labels = { app: 'web' }))
    s.mutate('pods', 'default', 'a', (o) => void (o.metadata.labels = { app: 'db' }))
    s.delete('pods', 'default', 'b')
    stop()
    s.create('pods', pod('c', { app: 'web' }))
    assert.deepEqual(events, ['ADDED a', 'ADDED b', 'DELETED a', 'DELETED b'])
  })

  it('replays history to a late watcher and answers 410 Gone beyond the retained window', () => {
    const s = new Store({ historySize: 5 })
    const rv0 = s.resourceVersion
    for (let i = 0; i < 3; i++) s.create('pods', pod(`p${i}`))
    const seen: string[] = []
    s.watch('pods', { resourceVersion: rv0 }, (e) => seen.push(e.object.metadata.name!))()
    assert.deepEqual(seen, ['p0', 'p1', 'p2'])
    for (let i = 3; i < 10; i++) s.create('pods', pod(`p${i}`))
    assert.throws(
      () => s.watch('pods', { resourceVersion: rv0 }, () => {}),
      (e: ApiError) => e.code === 410 && e.reason === 'Expired',
    )
    // without a resourceVersion: the current state as ADDED
    const initial: WatchEvent[] = []
    s.watch('pods', {}, (e) => initial.push(e))()
    assert.equal(initial.length, 10)
  })

  it('delivers every event exactly once, in resourceVersion order, to many watchers under concurrent writers', async () => {
    const s = new Store({ historySize: 100_000 })
    const watchers = 50
    const logs: number[][] = Array.from({ length: watchers }, () => [])
    const stops = logs.map((log) => s.watch('configmaps', { resourceVersion: s.resourceVersion }, (e) => log.push(Number(e.object.metadata.resourceVersion))))
    // A watcher that writes from inside its handler (like a controller) must not break ordering.
    let reacted = 0
    const stopReactor = s.watch('configmaps', { resourceVersion: s.resourceVersion, labelSelector: 'kind=seed' }, (e) => {
      if (e.type === 'ADDED' && reacted < 100) {
        reacted++
        s.create('configmaps', { metadata: { name: `echo-${e.object.metadata.name}`, namespace: 'default', labels: { kind: 'echo' } } })
      }
    })
    const writers = 20
    const perWriter = 50
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < perWriter; i++) {
          const name = `w${w}-${i}`
          s.create('configmaps', { metadata: { name, namespace: 'default', labels: { kind: i % 10 === 0 ? 'seed' : 'plain' } }, data: { v: '0' } })
          await new Promise((r) => setImmediate(r))
          s.mutate('configmaps', 'default', name, (o) => void (o.data = { v: '1' }))
          if (i % 3 === 0) s.delete('configmaps', 'default', name)
        }
      }),
    )
    stops.forEach((f) => f())
    stopReactor()
    const expected = writers * perWriter * 2 + Math.ceil(perWriter / 3) * writers + reacted
    for (const log of logs) {
      assert.equal(log.length, expected)
      assert.equal(new Set(log).size, log.length, 'no duplicates')
      for (let i = 1; i < log.length; i++) assert.ok(log[i] > log[i - 1], 'strictly increasing resourceVersions')
    }
    assert.equal(reacted, 100)
  })

  it('keeps objects with finalizers until the finalizers are removed', () => {
    const s = new Store()
    s.create('configmaps', { metadata: { name: 'c', namespace: 'default', finalizers: ['example.com/hold'] } })
    const r = s.delete('configmaps', 'default', 'c')
    assert.equal(r.deleted, false)
    assert.ok(r.object.metadata.deletionTimestamp)
    assert.equal(
      code(() => s.mutate('configmaps', 'default', 'c', (o) => void o.metadata.finalizers!.push('new.example.com/x'))),
      422,
    )
    const events: string[] = []
    s.watch('configmaps', { resourceVersion: s.resourceVersion }, (e) => events.push(e.type))
    s.mutate('configmaps', 'default', 'c', (o) => void (o.metadata.finalizers = []))
    assert.equal(s.find('configmaps', 'default', 'c'), undefined)
    assert.deepEqual(events, ['DELETED'])
  })

  it('deletes unbound pods at once and bound pods gracefully (until grace period 0)', () => {
    const s = new Store()
    s.create('pods', pod('unbound'))
    assert.equal(s.delete('pods', 'default', 'unbound').deleted, true)
    s.create('pods', pod('bound'))
    s.bindPod('default', 'bound', 'node-a')
    assert.equal(
      code(() => s.bindPod('default', 'bound', 'node-b')),
      409,
    )
    const r = s.delete('pods', 'default', 'bound')
    assert.equal(r.deleted, false)
    assert.equal(r.object.metadata.deletionGracePeriodSeconds, 30)
    const shorter = s.delete('pods', 'default', 'bound', { gracePeriodSeconds: 5 })
    assert.equal(shorter.object.metadata.deletionGracePeriodSeconds, 5)
    assert.equal(s.delete('pods', 'default', 'bound', { gracePeriodSeconds: 0 }).deleted, true)
  })

  it('refuses pod spec changes other than images and validates on update', () => {
    const s = new Store()
    s.create('pods', pod('a'))
    assert.equal(
      code(() => s.mutate('pods', 'default', 'a', (o) => void ((o.spec as { restartPolicy: string }).restartPolicy = 'Never'))),
      422,
    )
    const changed = s.mutate('pods', 'default', 'a', (o) => void ((o.spec as { containers: { image: string }[] }).containers[0].image = 'nginx:2'))
    assert.equal((changed.spec as { containers: { image: string }[] }).containers[0].image, 'nginx:2')
  })

  it('puts a namespace into Terminating and refuses new content there', () => {
    const s = new Store()
    s.create('namespaces', { metadata: { name: 'gone' } })
    const r = s.delete('namespaces', undefined, 'gone')
    assert.equal(r.deleted, false)
    assert.equal((r.object.status as { phase: string }).phase, 'Terminating')
    assert.equal(
      code(() => s.create('configmaps', { metadata: { name: 'x', namespace: 'gone' } })),
      403,
    )
    s.update('namespaces', { ...s.get('namespaces', undefined, 'gone'), spec: { finalizers: [] } }, { subresource: 'finalize' })
    assert.equal(s.find('namespaces', undefined, 'gone'), undefined)
  })

  it('mutate retries on conflict', () => {
    const s = new Store()
    s.create('configmaps', { metadata: { name: 'c', namespace: 'default' }, data: { n: '0' } })
    let first = true
    const out = s.mutate('configmaps', 'default', 'c', (o) => {
      if (first) {
        first = false
        s.mutate('configmaps', 'default', 'c', (x) => void (x.data = { n: 'other' }))
      }
      o.data = { ...(o.data as object), mine: 'yes' }
    })
    assert.deepEqual(out.data, { n: 'other', mine: 'yes' })
  })

  it('serves the scale subresource of deployments', () => {
    const s = new Store()
    s.create('deployments.apps', {
      metadata: { name: 'd', namespace: 'default' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'd' } },
        template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
      },
    })
    assert.deepEqual(s.getScale('deployments.apps', 'default', 'd').spec, { replicas: 2 })
    assert.equal(
      s.getScale('deployments.apps', 'default', 'd').status && (s.getScale('deployments.apps', 'default', 'd').status as { selector: string }).selector,
      'app=d',
    )
    const scaled = s.patch('deployments.apps', 'default', 'd', 'merge', { spec: { replicas: 7 } }, { subresource: 'scale' })
    assert.deepEqual(scaled.spec, { replicas: 7 })
    assert.equal((s.get('deployments.apps', 'default', 'd').spec as { replicas: number }).replicas, 7)
  })

  it("refuses values that do not decode into a built-in type, as Go's JSON decoder does", () => {
    const s = new Store()
    const dep = {
      metadata: { name: 'd', namespace: 'default' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'd' } },
        template: { metadata: { labels: { app: true } }, spec: { containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu: 2 } } }] } },
      },
    }
    assert.throws(
      () => s.create('deployments.apps', dep),
      (e: ApiError) =>
        e.code === 400 &&
        e.message ===
          'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal bool into Go struct field ObjectMeta.spec.template.metadata.labels of type string',
    )
    dep.spec.template.metadata.labels.app = 'd' as unknown as boolean
    assert.equal(s.create('deployments.apps', dep as unknown as KubeObject).metadata.name, 'd', 'a numeric quantity decodes')
  })

  it('records managedFields per manager and honours dry run', () => {
    const s = new Store()
    s.create('configmaps', { metadata: { name: 'c', namespace: 'default', labels: { a: '1' } }, data: { k: 'v' } }, { fieldManager: 'creator' })
    const u = s.mutate('configmaps', 'default', 'c', (o) => void (o.data = { k: 'v', k2: 'w' }), { fieldManager: 'editor' })
    const managers = u.metadata.managedFields!.map((m) => [m.manager, Object.keys(m.fieldsV1)])
    assert.deepEqual(managers, [
      ['creator', ['f:data', 'f:metadata']],
      ['editor', ['f:data']],
    ])
    const rv = s.resourceVersion
    s.create('configmaps', { metadata: { name: 'dry', namespace: 'default' } }, { dryRun: true })
    assert.equal(s.find('configmaps', 'default', 'dry'), undefined)
    assert.equal(s.resourceVersion, rv)
  })
})
