// The cluster recorder keeps watching through a cluster that goes away (Step 8 destroys it) and
// says so once per kind, not once per retry.
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect } from '../../../support/kube.ts'
import { ClusterRecorder } from '../../../support/recorders.ts'

const discovery: Record<string, unknown> = {
  '/api/v1': {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [
      { name: 'pods', kind: 'Pod', namespaced: true, verbs: ['list', 'watch'] },
      { name: 'nodes', kind: 'Node', namespaced: false, verbs: ['list', 'watch'] },
    ],
  },
  '/apis/karpenter.sh/v1beta1': {
    kind: 'APIResourceList',
    groupVersion: 'karpenter.sh/v1beta1',
    resources: [{ name: 'nodeclaims', kind: 'NodeClaim', namespaced: false, verbs: ['list', 'watch'] }],
  },
}

let watchRequests = 0

/** Answers discovery and lists, and fails every watch, in two ways by turns: a cluster going away. */
function goneAfterListing(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x')
  if (url.searchParams.get('watch') === 'true') {
    if (watchRequests++ % 2 === 0) req.socket.destroy()
    else res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 503, reason: 'ServiceUnavailable', message: 'shutting down' }))
    return
  }
  const body = discovery[url.pathname] ?? { kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: '7' }, items: [] }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

describe('the cluster recorder', () => {
  const server = createServer(goneAfterListing)
  after(() => server.close())

  it('reports a watch that keeps failing (whichever way) once per kind, and keeps retrying', async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    const dir = mkdtempSync(join(tmpdir(), 'recorder-'))
    const kubeconfig = join(dir, 'config')
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: `http://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'u', user: { token: 't' } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      }),
    )
    let watches = 0
    server.on('request', (req: IncomingMessage) => {
      if (req.url?.includes("watch=true")) watches++
    })
    const reported: string[] = []
    const recorder = new ClusterRecorder(connect({ KUBECONFIG: kubeconfig }), (m) => reported.push(m))
    recorder.start()
    await new Promise((r) => setTimeout(r, 4_500))
    recorder.stop()
    assert.ok(watches >= 9, `the recorder retried (${watches} watch requests)`)
    assert.deepEqual(
      reported.map((m) => m.split(':')[0]).sort(),
      ['watch nodeclaims', 'watch nodes', 'watch pods'],
      `one report per kind, got:\n${reported.join('\n')}`,
    )
    assert.match(reported[0], /retrying quietly/)
  })
})
