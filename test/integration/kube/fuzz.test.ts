// Random requests (bounded in count and time, loopback only): the server keeps answering,
// never with a 500, and still serves a normal request afterwards.

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Agent, request } from 'node:https'
import { seededRng } from '../../../sandbox/karpenter/rng.ts'
import { startHarness, type Harness } from './harness.ts'

describe('fuzzing the sandbox API server', () => {
  let h: Harness
  let token: string
  before(async () => {
    h = await startHarness()
    token = await h.token()
  })
  after(async () => h.close())

  it('answers random requests without 500s and stays up', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? 20261125)
    // Seeded, so a failure can be replayed.
    const rng = seededRng(seed)
    const rnd = (): number => rng.next()
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]
    const methods = ['GET', 'GET', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']
    const prefixes = [
      '/api',
      '/apis',
      '/api/v1',
      '/apis/apps/v1',
      '/apis/karpenter.sh/v1beta1',
      '/apis/karpenter.k8s.aws/v1beta1',
      '/apis/coordination.k8s.io/v1',
      '/openapi/v3',
      '/version',
      '/apis/apiextensions.k8s.io/v1',
      '/apis/nope/v9',
      '',
    ]
    const segments = [
      'namespaces',
      'default',
      'kube-system',
      'pods',
      'nodes',
      'deployments',
      'nodepools',
      'ec2nodeclasses',
      'configmaps',
      'events',
      'status',
      'scale',
      'log',
      'eviction',
      'binding',
      'watch',
      'x',
      '%2e%2e',
      '..',
      '',
      'a'.repeat(300),
      '%00',
      'finalize',
    ]
    const queries = [
      '',
      '?watch=true&timeoutSeconds=1',
      '?labelSelector=a%3Db',
      '?labelSelector=%28%28',
      '?fieldSelector=spec.nodeName%3Dx',
      '?fieldSelector=bogus',
      '?limit=2',
      '?continue=!!',
      '?resourceVersion=1&watch=1&timeoutSeconds=1',
      '?dryRun=All',
      '?dryRun=bad',
      '?fieldValidation=Strict',
      '?fieldValidation=Nope',
      '?gracePeriodSeconds=x',
      '?follow=true&container=x',
      '?tailLines=-1',
      '?propagationPolicy=Sideways',
      '?includeObject=Whatever',
    ]
    const types = [
      'application/json',
      'application/merge-patch+json',
      'application/strategic-merge-patch+json',
      'application/json-patch+json',
      'application/apply-patch+yaml',
      'application/yaml',
      'text/plain',
      'application/vnd.kubernetes.protobuf',
      '',
    ]
    const accepts = [
      'application/json',
      'application/json;as=Table;v=v1;g=meta.k8s.io',
      'application/vnd.kubernetes.protobuf',
      'application/yaml',
      '*/*',
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
      'text/html',
    ]
    const bodies = [
      () => '',
      () => '{',
      () => 'null',
      () => '[]',
      () => '"str"',
      () => JSON.stringify({ metadata: { name: `fz-${Math.floor(rnd() * 50)}` } }),
      () =>
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `fz-${Math.floor(rnd() * 50)}`, labels: { 'bad key!': 'v' } },
          data: { a: 1 },
        }),
      () => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { generateName: 'fz-' }, spec: { containers: [{ name: 'c', image: 'x' }] } }),
      () =>
        JSON.stringify([{ op: pick(['add', 'remove', 'replace', 'test', 'bogus']), path: pick(['/metadata/labels/a', '/spec', '/x/y/z', '']), value: rnd() }]),
      () =>
        JSON.stringify({
          metadata: { finalizers: ['a/b'], ownerReferences: [{ uid: 'x' }] },
          spec: { replicas: pick([-1, 'x', 3, null]) },
          $patch: pick(['delete', 'replace', 'nope']),
        }),
      () =>
        JSON.stringify({
          apiVersion: 'karpenter.sh/v1beta1',
          kind: 'NodePool',
          metadata: { name: 'fz' },
          spec: { weight: pick([0, 5, 'x', 1e12]), template: { spec: { requirements: pick([[], [{}], 'x', [{ key: 'a', operator: 'Gt', values: ['x'] }]]) } } },
        }),
      () => 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [a\n',
      () => Buffer.from(Array.from({ length: 64 }, () => Math.floor(rnd() * 256))).toString('latin1'),
      () => '{"a":'.repeat(200),
    ]
    const agent = new Agent({ keepAlive: true, maxSockets: 16 })
    const statuses = new Map<number, number>()
    const failures: string[] = []
    const send = (method: string, path: string, headers: Record<string, string>, body: string) =>
      new Promise<number>((resolve) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: h.server.port,
            method,
            path,
            ca: h.server.caPem,
            agent,
            headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body, 'latin1')) },
            timeout: 5000,
          },
          (res) => {
            res.resume()
            res.on('end', () => resolve(res.statusCode ?? 0))
            res.on('error', () => resolve(-1))
          },
        )
        req.on('timeout', () => req.destroy())
        req.on('error', () => resolve(-1))
        req.end(body, 'latin1')
      })
    const deadline = Date.now() + 20_000
    const total = 1200
    let sent = 0
    const worker = async () => {
      while (sent < total && Date.now() < deadline) {
        sent++
        const path = `${pick(prefixes)}/${Array.from({ length: Math.floor(rnd() * 5) }, () => pick(segments)).join('/')}${pick(queries)}`.replace(/\/+\?/, '?')
        const method = pick(methods)
        const headers: Record<string, string> = { Accept: pick(accepts) }
        if (rnd() < 0.9) headers.Authorization = `Bearer ${rnd() < 0.95 ? token : 'k8s-aws-v1.' + 'x'.repeat(Math.floor(rnd() * 40))}`
        const type = pick(types)
        if (type) headers['Content-Type'] = type
        const body = method === 'GET' || method === 'HEAD' ? '' : pick(bodies)()
        const status = await send(method, path, headers, body)
        statuses.set(status, (statuses.get(status) ?? 0) + 1)
        if (status >= 500 || status <= 0) failures.push(`${status} ${method} ${path} ${type} ${body.slice(0, 120)}`)
      }
    }
    await Promise.all(Array.from({ length: 16 }, worker))
    agent.destroy()
    assert.deepEqual(failures, [], `seed ${seed}: ${failures.slice(0, 10).join('\n')}`)
    assert.ok(sent >= 300, `sent ${sent}`)
    const after = await h.http('GET', '/api/v1/namespaces', { token })
    assert.equal(after.status, 200)
    assert.ok([...statuses.keys()].some((s) => s >= 400 && s < 500))
  })
})
