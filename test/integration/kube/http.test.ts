// The server over raw HTTPS: EKS-style authentication (tokens from the real `aws eks get-token`),
// bad input (400/404/405/409/410/415/422), discovery and OpenAPI headers, watch options, logs.

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, createHmac } from 'node:crypto'
import { ACCESS_KEY, AWS_ENDPOINT_HOST, CLUSTER, SECRET_KEY, sleep, startHarness, type Harness } from './harness.ts'

const UNAUTHORIZED = '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}\n'

/** A correctly signed token with a chosen date (the aws CLI always signs "now"). */
function tokenAt(date: Date): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  const d = date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
  const host = 'sts.eu-west-2.amazonaws.com'
  const q = [
    ['Action', 'GetCallerIdentity'],
    ['Version', '2011-06-15'],
    ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    ['X-Amz-Credential', `${ACCESS_KEY}/${d.slice(0, 8)}/eu-west-2/sts/aws4_request`],
    ['X-Amz-Date', d],
    ['X-Amz-Expires', '60'],
    ['X-Amz-SignedHeaders', 'host;x-k8s-aws-id'],
  ]
    .map(([k, v]) => `${enc(k)}=${enc(v)}`)
    .sort()
    .join('&')
  const canonical = ['GET', '/', q, `host:${host}\nx-k8s-aws-id:${CLUSTER}\n`, 'host;x-k8s-aws-id', 'UNSIGNED-PAYLOAD'].join('\n')
  let k = createHmac('sha256', `AWS4${SECRET_KEY}`).update(d.slice(0, 8)).digest()
  for (const p of ['eu-west-2', 'sts', 'aws4_request']) k = createHmac('sha256', k).update(p).digest()
  const sig = createHmac('sha256', k)
    .update(['AWS4-HMAC-SHA256', d, `${d.slice(0, 8)}/eu-west-2/sts/aws4_request`, createHash('sha256').update(canonical).digest('hex')].join('\n'))
    .digest('hex')
  return `k8s-aws-v1.${Buffer.from(`https://${host}/?${q}&X-Amz-Signature=${sig}`).toString('base64url')}`
}

describe('sandbox API server over HTTPS', () => {
  let h: Harness
  let token: string
  before(async () => {
    h = await startHarness({ historySize: 50 })
    token = await h.token()
  })
  after(async () => h.close())

  it('authenticates like EKS: aws eks get-token tokens only, 401 Status otherwise', async () => {
    assert.equal((await h.http('GET', '/api/v1/namespaces', { token })).status, 200)
    const viaEndpoint = await h.token({ AWS_ENDPOINT_URL: `http://${AWS_ENDPOINT_HOST}` })
    assert.match(Buffer.from(viaEndpoint.slice('k8s-aws-v1.'.length), 'base64url').toString(), /^http:\/\/127\.0\.0\.1:4566\//)
    assert.equal((await h.http('GET', '/api/v1/namespaces', { token: viaEndpoint })).status, 200)
    assert.equal((await h.http('GET', '/api/v1/namespaces', { token: tokenAt(new Date(Date.now() - 60_000)) })).status, 200)
    const forged = await h.token({ AWS_SECRET_ACCESS_KEY: 'not-the-secret' })
    const otherCluster = await h.token({}, 'another-cluster')
    const unknownKey = await h.token({ AWS_ACCESS_KEY_ID: 'AKIAUNKNOWNKEY000000' })
    for (const [why, t] of [
      ['missing', null],
      ['forged', forged],
      ['other cluster', otherCluster],
      ['unknown key', unknownKey],
      ['expired', tokenAt(new Date(Date.now() - 16 * 60_000))],
      ['from the future', tokenAt(new Date(Date.now() + 10 * 60_000))],
      ['malformed', 'k8s-aws-v1.bm90IGEgdXJs'],
      ['not an EKS token', 'abc'],
    ] as const) {
      const r = await h.http('GET', '/api/v1/namespaces', { token: t })
      assert.equal(r.status, 401, why)
      assert.equal(r.body, UNAUTHORIZED, why)
    }
    // /version is public, as on EKS; a bad token is refused even there.
    assert.equal((await h.http('GET', '/version')).status, 200)
    assert.equal((await h.http('GET', '/version', { token: forged })).status, 401)
  })

  it('answers bad input with the apiserver status codes and Status bodies', async () => {
    const post = (path: string, body: string, type = 'application/json') => h.http('POST', path, { token, body, headers: { 'Content-Type': type } })
    const bad = await post('/api/v1/namespaces/default/configmaps', '{"metadata": {')
    assert.equal(bad.status, 400)
    assert.equal((JSON.parse(bad.body) as { reason: string }).reason, 'BadRequest')
    assert.match((JSON.parse(bad.body) as { message: string }).message, /^couldn't get version\/kind; json parse error: /)
    assert.equal((await post('/api/v1/namespaces/default/configmaps', 'metadata: [unclosed', 'application/yaml')).status, 400)
    assert.equal((await post('/api/v1/namespaces/default/configmaps', 'metadata:\n  name: from-yaml\n', 'application/yaml')).status, 201)
    assert.equal((await h.http('GET', '/apis/karpenter.sh/v1beta1/widgets', { token })).status, 404)
    assert.equal((await h.http('GET', '/apis/nothing.example.com/v1/things', { token })).status, 404)
    assert.equal((await h.http('GET', '/api/v1/namespaces/default/nodes/x', { token })).status, 404)
    const invalid = await post(
      '/apis/karpenter.sh/v1beta1/nodepools',
      JSON.stringify({
        apiVersion: 'karpenter.sh/v1beta1',
        kind: 'NodePool',
        metadata: { name: 'default' },
        spec: { template: { spec: { requirements: [{ key: 'kubernetes.io/arch', operator: 'Foo' }], nodeClassRef: { name: 'default' } } } },
      }),
    )
    assert.equal(invalid.status, 422)
    const status = JSON.parse(invalid.body) as { reason: string; message: string; details: { kind: string; group: string; causes: { field: string }[] } }
    assert.equal(status.reason, 'Invalid')
    assert.equal(status.details.kind, 'NodePool')
    assert.equal(status.details.group, 'karpenter.sh')
    assert.deepEqual(
      status.details.causes.map((c) => c.field),
      ['spec.template.spec.requirements[0].operator'],
    )
    const cm = JSON.parse((await post('/api/v1/namespaces/default/configmaps', JSON.stringify({ metadata: { name: 'rv' }, data: { a: '1' } }))).body) as {
      metadata: { resourceVersion: string }
    }
    const put = (rv: string) =>
      h.http('PUT', '/api/v1/namespaces/default/configmaps/rv', {
        token,
        body: JSON.stringify({ metadata: { name: 'rv', resourceVersion: rv }, data: { a: '2' } }),
        headers: { 'Content-Type': 'application/json' },
      })
    assert.equal((await put(cm.metadata.resourceVersion)).status, 200)
    const stale = await put(cm.metadata.resourceVersion)
    assert.equal(stale.status, 409)
    assert.equal(
      (JSON.parse(stale.body) as { message: string }).message,
      'Operation cannot be fulfilled on configmaps "rv": the object has been modified; please apply your changes to the latest version and try again',
    )
    const smp = await h.http('PATCH', '/apis/karpenter.sh/v1beta1/nodepools/x', {
      token,
      body: '{}',
      headers: { 'Content-Type': 'application/strategic-merge-patch+json' },
    })
    assert.equal(smp.status, 415)
    assert.equal(
      (await h.http('PATCH', '/api/v1/namespaces/default/configmaps/rv', { token, body: '{}', headers: { 'Content-Type': 'text/plain' } })).status,
      415,
    )
    assert.equal(
      (await h.http('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { token, body: '{}', headers: { 'Content-Type': 'application/json' } }))
        .status,
      405,
    )
    const strict = await post('/api/v1/namespaces/default/configmaps?fieldValidation=Strict', JSON.stringify({ metadata: { name: 'strict' }, bogus: 1 }))
    assert.equal(
      (JSON.parse(strict.body) as { message: string }).message,
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"',
    )
    const warn = await post('/api/v1/namespaces/default/configmaps?fieldValidation=Warn', JSON.stringify({ metadata: { name: 'warn' }, bogus: 1 }))
    assert.equal(warn.status, 201)
    assert.equal(warn.headers.warning, '299 - "unknown field \\"bogus\\""')
  })

  it('serves aggregated discovery by Accept (v2, v2beta1) and legacy discovery otherwise', async () => {
    const v2 = await h.http('GET', '/apis', {
      token,
      headers: { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' },
    })
    assert.equal(v2.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList')
    const v2b = await h.http('GET', '/api', {
      token,
      headers: { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json' },
    })
    const core = JSON.parse(v2b.body) as {
      apiVersion: string
      items: {
        versions: {
          resources: { resource: string; scope: string; subresources?: { subresource: string; responseKind: { group: string; kind: string } }[] }[]
        }[]
      }[]
    }
    assert.equal(core.apiVersion, 'apidiscovery.k8s.io/v2beta1')
    const pods = core.items[0].versions[0].resources.find((r) => r.resource === 'pods')!
    assert.equal(pods.scope, 'Namespaced')
    assert.deepEqual(pods.subresources!.find((s) => s.subresource === 'eviction')!.responseKind, { group: 'policy', version: 'v1', kind: 'Eviction' })
    const legacy = JSON.parse((await h.http('GET', '/api/v1', { token })).body) as { resources: { name: string; kind: string; group?: string }[] }
    assert.deepEqual(
      legacy.resources.find((r) => r.name === 'pods/eviction'),
      { name: 'pods/eviction', singularName: '', namespaced: true, kind: 'Eviction', verbs: ['create'], group: 'policy', version: 'v1' },
    )
    assert.equal((JSON.parse((await h.http('GET', '/apis', { token })).body) as { kind: string }).kind, 'APIGroupList')
  })

  it('serves OpenAPI v3 with cache headers and 404 for v2', async () => {
    const index = JSON.parse((await h.http('GET', '/openapi/v3', { token })).body) as { paths: Record<string, { serverRelativeURL: string }> }
    const url = index.paths['apis/karpenter.sh/v1beta1'].serverRelativeURL
    const doc = await h.http('GET', url, { token })
    assert.equal(doc.headers['cache-control'], 'public, immutable')
    const etag = doc.headers.etag as string
    assert.equal((await h.http('GET', url, { token, headers: { 'If-None-Match': etag } })).status, 304)
    const parsed = JSON.parse(doc.body) as {
      paths: Record<string, { patch?: { 'x-kubernetes-group-version-kind': { kind: string }; parameters: { name: string }[] } }>
    }
    const patch = parsed.paths['/apis/karpenter.sh/v1beta1/nodepools/{name}'].patch!
    assert.equal(patch['x-kubernetes-group-version-kind'].kind, 'NodePool')
    assert.ok(patch.parameters.some((p) => p.name === 'fieldValidation'))
    assert.equal((await h.http('GET', '/openapi/v2', { token, headers: { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } })).status, 404)
  })

  it('watch: resourceVersion, 410 Gone beyond the window, timeoutSeconds, bookmarks, Tables', async () => {
    const rv0 = h.store.resourceVersion
    for (let i = 0; i < 60; i++) h.store.create('configmaps', { metadata: { name: `bulk-${i}`, namespace: 'default' } })
    const gone = await h.http('GET', `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv0}`, { token })
    assert.equal(gone.status, 410)
    assert.equal((JSON.parse(gone.body) as { reason: string }).reason, 'Expired')
    const rv = h.store.resourceVersion
    setTimeout(() => h.store.create('configmaps', { metadata: { name: 'late', namespace: 'default' } }), 200)
    const w = await h.http('GET', `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}&timeoutSeconds=1&allowWatchBookmarks=true`, { token })
    const lines = w.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string } } })
    assert.deepEqual(
      lines.map((l) => `${l.type} ${l.object.metadata.name}`),
      ['ADDED late'],
    )
    const table = await h.http(
      'GET',
      `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}&timeoutSeconds=1&fieldSelector=metadata.name%3Dlate`,
      { token, headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } },
    )
    const ev = JSON.parse(table.body.trim().split('\n')[0]) as { object: { kind: string; columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] } }
    assert.equal(ev.object.kind, 'Table')
    assert.deepEqual(
      ev.object.columnDefinitions.map((c) => c.name),
      ['Name', 'Data', 'Age'],
    )
    assert.deepEqual(ev.object.rows[0].cells.slice(0, 2), ['late', 0])
    const initial = await h.http(
      'GET',
      `/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1&fieldSelector=metadata.name%3Dlate`,
      { token },
    )
    const types = initial.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; object: { metadata: { annotations?: Record<string, string> } } })
    assert.equal(types[0].type, 'ADDED')
    assert.equal(types[1].type, 'BOOKMARK')
    assert.equal(types[1].object.metadata.annotations?.['k8s.io/initial-events-end'], 'true')
  })

  it('logs: container choice, previous, waiting, tail, limitBytes', async () => {
    h.store.create('pods', {
      metadata: { name: 'two', namespace: 'default' },
      spec: {
        initContainers: [{ name: 'init', image: 'x' }],
        containers: [
          { name: 'a', image: 'x' },
          { name: 'b', image: 'x' },
        ],
      },
    })
    const need = await h.http('GET', '/api/v1/namespaces/default/pods/two/log', { token })
    assert.equal(need.status, 400)
    assert.equal(
      (JSON.parse(need.body) as { message: string }).message,
      'a container name must be specified for pod two, choose one of: [a b] or one of the init containers: [init]',
    )
    assert.equal(
      (JSON.parse((await h.http('GET', '/api/v1/namespaces/default/pods/two/log?container=c', { token })).body) as { message: string }).message,
      'container c is not valid for pod two',
    )
    assert.equal(
      (JSON.parse((await h.http('GET', '/api/v1/namespaces/default/pods/two/log?container=a', { token })).body) as { message: string }).message,
      'container "a" in pod "two" is waiting to start: ContainerCreating',
    )
    assert.equal(
      (JSON.parse((await h.http('GET', '/api/v1/namespaces/default/pods/two/log?container=a&previous=true', { token })).body) as { message: string }).message,
      'previous terminated container "a" in pod "two" not found',
    )
    for (let i = 0; i < 5; i++) h.podLogs.append('default', 'two', 'a', `line ${i}`)
    const tail = await h.http('GET', '/api/v1/namespaces/default/pods/two/log?container=a&tailLines=2', { token })
    assert.equal(tail.headers['content-type'], 'text/plain')
    assert.equal(tail.body, 'line 3\nline 4\n')
    assert.equal((await h.http('GET', '/api/v1/namespaces/default/pods/two/log?container=a&limitBytes=9', { token })).body, 'line 0\nli')
    h.podLogs.restart('default', 'two', 'a')
    assert.equal((await h.http('GET', '/api/v1/namespaces/default/pods/two/log?container=a&previous=true&tailLines=1', { token })).body, 'line 4\n')
    setTimeout(() => h.podLogs.append('default', 'two', 'a', 'live'), 100)
    setTimeout(() => h.store.delete('pods', 'default', 'two'), 300)
    const follow = await h.http('GET', '/api/v1/namespaces/default/pods/two/log?container=a&follow=true', { token })
    assert.equal(follow.body, 'live\n')
    await sleep(10)
  })
})
