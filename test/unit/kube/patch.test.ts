import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mergePatch } from '../../../sandbox/kube/patch/merge.ts'
import { strategicMergePatch } from '../../../sandbox/kube/patch/strategic.ts'
import { applyJsonPatch } from '../../../sandbox/kube/patch/json-patch.ts'
import { Store } from '../../../sandbox/kube/store.ts'
import { ApiError } from '../../../sandbox/kube/errors.ts'
import { karpenterV1beta1Crds } from '../../../sandbox/karpenter/crds/v1beta1.ts'

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'stateless', labels: { a: '1' }, finalizers: ['x'] },
  spec: {
    replicas: 10,
    template: {
      metadata: { labels: { app: 'stateless' } },
      spec: {
        containers: [
          { name: 'app', image: 'pause', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }], args: ['a', 'b'] },
          { name: 'side', image: 'busybox' },
        ],
        tolerations: [{ key: 't1' }],
      },
    },
  },
})

describe('JSON merge patch', () => {
  it('merges maps, deletes with null and replaces lists', () => {
    assert.deepEqual(mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null, e: 4 }, l: [3] }), { a: 1, b: { d: 3, e: 4 }, l: [3] })
  })
})

describe('strategic merge patch', () => {
  it('merges containers by name and env by name, keeps unnamed containers', () => {
    const out = strategicMergePatch(
      deployment(),
      { spec: { template: { spec: { containers: [{ name: 'app', image: 'pause:2', env: [{ name: 'B', value: '2' }] }] } } } },
      'V1Deployment',
    ) as ReturnType<typeof deployment>
    const cs = out.spec.template.spec.containers
    assert.equal(cs.length, 2)
    assert.equal(cs[0].image, 'pause:2')
    assert.deepEqual(cs[0].env, [
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ])
    assert.deepEqual(cs[0].args, ['a', 'b'])
  })

  it('handles $setElementOrder, $patch: delete/replace, $retainKeys, $deleteFromPrimitiveList and null', () => {
    const out = strategicMergePatch(
      deployment(),
      {
        metadata: { labels: { a: null, b: '2' }, '$deleteFromPrimitiveList/finalizers': ['x'] },
        spec: {
          strategy: { $retainKeys: ['type'], type: 'Recreate' },
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'side' }, { name: 'app' }],
              containers: [{ name: 'app', ports: [{ containerPort: 80, $patch: 'delete' }] }],
              tolerations: [{ key: 't2' }],
            },
          },
        },
      },
      'V1Deployment',
    ) as ReturnType<typeof deployment> & { spec: { strategy: unknown } }
    assert.deepEqual(out.metadata.labels, { b: '2' })
    assert.deepEqual(out.metadata.finalizers, [])
    assert.deepEqual(out.spec.strategy, { type: 'Recreate' })
    assert.deepEqual(
      out.spec.template.spec.containers.map((c) => c.name),
      ['side', 'app'],
    )
    assert.deepEqual(out.spec.template.spec.containers[1].ports, [])
    assert.deepEqual(out.spec.template.spec.tolerations, [{ key: 't2' }], 'tolerations have no merge strategy: replaced')
    const replaced = strategicMergePatch(
      deployment(),
      { spec: { template: { spec: { containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }] } } } },
      'V1Deployment',
    ) as ReturnType<typeof deployment>
    assert.deepEqual(replaced.spec.template.spec.containers, [{ name: 'only', image: 'x' }])
    const deleted = strategicMergePatch(
      deployment(),
      { spec: { template: { spec: { containers: [{ name: 'side', $patch: 'delete' }] } } } },
      'V1Deployment',
    ) as ReturnType<typeof deployment>
    assert.deepEqual(
      deleted.spec.template.spec.containers.map((c) => c.name),
      ['app'],
    )
    assert.throws(
      () => strategicMergePatch(deployment(), { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, 'V1Deployment'),
      /does not contain declared merge key: name/,
    )
  })

  it('merges finalizers as a set and conditions by type', () => {
    const out = strategicMergePatch(
      {
        metadata: { finalizers: ['a'] },
        status: {
          conditions: [
            { type: 'Ready', status: 'False' },
            { type: 'X', status: 'True' },
          ],
        },
      },
      { metadata: { finalizers: ['b', 'a'] }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
      'V1Pod',
    ) as Record<string, Record<string, unknown>>
    assert.deepEqual(out.metadata.finalizers, ['a', 'b'])
    assert.deepEqual(out.status.conditions, [
      { type: 'Ready', status: 'True' },
      { type: 'X', status: 'True' },
    ])
  })
})

describe('JSON patch', () => {
  it('applies operations and reports failures as 422', () => {
    assert.deepEqual(
      applyJsonPatch(
        { a: [1] },
        [
          { op: 'add', path: '/a/-', value: 2 },
          { op: 'replace', path: '/b', value: 1 },
        ].slice(0, 1),
      ),
      { a: [1, 2] },
    )
    assert.throws(
      () => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }]),
      (e: ApiError) => e.code === 422,
    )
    assert.throws(
      () => applyJsonPatch({ a: 1 }, { op: 'add' }),
      (e: ApiError) => e.code === 400,
    )
  })
})

describe('server-side apply (through the store)', () => {
  const cm = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data })

  it('creates, merges, removes fields the manager stopped applying, and reports conflicts', () => {
    const s = new Store()
    s.patch('configmaps', 'default', 'c', 'apply', cm({ a: '1', b: '2' }), { fieldManager: 'alice' })
    s.patch('configmaps', 'default', 'c', 'apply', { ...cm({ c: '3' }) }, { fieldManager: 'bob' })
    assert.deepEqual(s.get('configmaps', 'default', 'c').data, { a: '1', b: '2', c: '3' })
    // alice stops applying b: it goes; bob's c stays
    s.patch('configmaps', 'default', 'c', 'apply', cm({ a: '1' }), { fieldManager: 'alice' })
    assert.deepEqual(s.get('configmaps', 'default', 'c').data, { a: '1', c: '3' })
    // bob sets a to another value: conflict with alice
    assert.throws(
      () => s.patch('configmaps', 'default', 'c', 'apply', cm({ a: 'x', c: '3' }), { fieldManager: 'bob' }),
      (e: ApiError) => e.code === 409 && e.message === 'Apply failed with 1 conflict: conflict with "alice" using v1: .data.a',
    )
    // same value: no conflict, shared ownership
    s.patch('configmaps', 'default', 'c', 'apply', cm({ a: '1', c: '3' }), { fieldManager: 'bob' })
    // force takes over
    s.patch('configmaps', 'default', 'c', 'apply', cm({ a: 'x', c: '3' }), { fieldManager: 'bob', force: true })
    const obj = s.get('configmaps', 'default', 'c')
    assert.equal((obj.data as Record<string, string>).a, 'x')
    const alice = obj.metadata.managedFields!.find((m) => m.manager === 'alice')
    assert.equal(alice, undefined, 'alice lost her only field')
    assert.throws(
      () => s.patch('configmaps', 'default', 'c', 'apply', cm({}), {}),
      (e: ApiError) => e.code === 422,
    )
  })

  it('merges containers by name and conflicts with a client-side-apply owner on a changed value', () => {
    // NodePools exist once the v0.32.1 chart's CRDs are in (as its release installs them).
    const s = new Store({ crds: karpenterV1beta1Crds })
    const dep = (image: string, replicas: number) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'default' },
      spec: {
        replicas,
        selector: { matchLabels: { app: 'd' } },
        template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'app', image }] } },
      },
    })
    s.create('deployments.apps', dep('nginx:1', 2), { fieldManager: 'kubectl-client-side-apply' })
    s.patch('deployments.apps', 'default', 'd', 'apply', dep('nginx:1', 2), { fieldManager: 'kubectl' })
    assert.throws(
      () => s.patch('deployments.apps', 'default', 'd', 'apply', dep('nginx:2', 2), { fieldManager: 'kubectl' }),
      (e: ApiError) =>
        e.code === 409 && /conflict with "kubectl-client-side-apply" using apps\/v1: \.spec\.template\.spec\.containers\[name="app"\]\.image/.test(e.message),
    )
    assert.throws(
      () => s.patch('nodepools.karpenter.sh', undefined, 'x', 'strategic', {}, {}),
      (e: ApiError) => e.code === 415,
    )
  })
})
