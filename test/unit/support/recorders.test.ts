// The cluster recorder keeps watching through a cluster that goes away (Step 8 destroys it) and
// says so once per kind, not once per retry; it watches NodeClaims where the run's Karpenter
// serves them; and Karpenter's log lines read the same whichever Karpenter wrote them.
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { connect } from '../../../support/kube.ts'
import { karpenterApi } from '../../../support/karpenter-api.ts'
import { ClusterRecorder, field, logLineOf, recorderPaths } from '../../../support/recorders.ts'
import { logExcerpt } from '../../../support/report.ts'
import { writeKubeconfig } from './kubeconfig.ts'

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
    else
      res
        .writeHead(503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 503, reason: 'ServiceUnavailable', message: 'shutting down' }))
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
    const kubeconfig = writeKubeconfig(`http://127.0.0.1:${port}`)
    let watches = 0
    server.on('request', (req: IncomingMessage) => {
      if (req.url?.includes('watch=true')) watches++
    })
    const reported: string[] = []
    const recorder = new ClusterRecorder(connect({ KUBECONFIG: kubeconfig }), (m) => reported.push(m), karpenterApi('v0.32.1'))
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

describe("the recorder follows the run's Karpenter", () => {
  it('watches NodeClaims at karpenter.sh/v1beta1 for v0.32.1 and at karpenter.sh/v1 for 1.9.2', () => {
    assert.deepEqual(recorderPaths(karpenterApi('v0.32.1')).nodeclaims, {
      path: '/apis/karpenter.sh/v1beta1/nodeclaims',
      apiVersion: 'karpenter.sh/v1beta1',
      kind: 'NodeClaim',
    })
    assert.deepEqual(recorderPaths(karpenterApi('1.9.2')).nodeclaims, {
      path: '/apis/karpenter.sh/v1/nodeclaims',
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodeClaim',
    })
    assert.equal(recorderPaths(karpenterApi('1.9.2')).pods.path, '/api/v1/pods')
  })
})

describe("Karpenter's log lines, as the run keeps them", () => {
  const v032 =
    '{"level":"INFO","time":"2024-01-28T21:14:32.652Z","logger":"controller.provisioner","message":"created nodeclaim","commit":"1072d3b","nodepool":"default","nodeclaim":"default-8blnj","requests":{"cpu":"5330m","memory":"5360Mi","pods":"14"},"instance-types":"c4.2xlarge and 95 other(s)"}'
  const v1 =
    '{"level":"INFO","time":"2024-01-28T21:14:32.652Z","logger":"controller","message":"created nodeclaim","commit":"310b356","controller":"provisioner","namespace":"","name":"","reconcileID":"0f9c4b7e-1d2a-4c3b-8e5f-6a7b8c9d0e1f","NodePool":{"name":"default"},"NodeClaim":{"name":"default-8blnj"},"requests":{"cpu":"5330m","memory":"5360Mi","pods":"14"},"instance-types":"c4.2xlarge and 95 other(s)"}'

  it('field() reads the normalised line: controller, nodeclaim, nodepool and dotted paths alike', () => {
    for (const raw of [v032, v1]) {
      const line = logLineOf(0, 'karpenter-1', raw)
      assert.equal(field(line, 'controller'), 'provisioner')
      assert.equal(field(line, 'nodeclaim'), 'default-8blnj')
      assert.equal(field(line, 'nodepool'), 'default')
      assert.equal(field(line, 'requests.cpu'), '5330m')
      assert.equal(field(line, 'requests.gpu'), undefined)
    }
    assert.equal(field(logLineOf(0, 'p', v1), 'logger'), 'controller', 'the logged fields are still there')
  })

  it('a line that is not JSON is kept, with no fields', () => {
    const line = logLineOf(3, 'karpenter-1', 'panic: something')
    assert.equal(line.view, undefined)
    assert.equal(field(line, 'message'), undefined)
    assert.equal(logExcerpt([line]), 'panic: something')
  })

  it("the report's excerpt reads the same for both lines: controller, message, fields without controller-runtime's bookkeeping", () => {
    const want =
      '21:14:32.652 INFO  provisioner: created nodeclaim  nodepool=default nodeclaim=default-8blnj requests={"cpu":"5330m","memory":"5360Mi","pods":"14"} instance-types=c4.2xlarge and 95 other(s)'
    assert.equal(logExcerpt([logLineOf(0, 'p', v032)]), want)
    assert.equal(logExcerpt([logLineOf(0, 'p', v1)]), want)
  })
})

describe('the cluster recorder after its watch expires', () => {
  let lists = 0
  let watches = 0
  /** Lists at resourceVersion 7, and answers every watch from 7 with the ERROR event of a 410 Gone. */
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.searchParams.get('watch') === 'true') {
      watches++
      const rv = url.searchParams.get('resourceVersion')
      res.writeHead(200, { 'content-type': 'application/json' })
      if (rv === '7')
        res.end(
          JSON.stringify({
            type: 'ERROR',
            object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'too old resource version: 7 (9)', reason: 'Expired', code: 410 },
          }) + '\n',
        )
      return // any other version: stays open
    }
    if (!discovery[url.pathname]) lists++
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify(discovery[url.pathname] ?? { kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: lists > 3 ? '9' : '7' }, items: [] }))
  })
  after(() => {
    server.closeAllConnections()
    server.close()
  })

  it('lists again after a 410 Gone ERROR event, instead of watching from the expired version over and over', async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    const kubeconfig = writeKubeconfig(`http://127.0.0.1:${port}`)
    const recorder = new ClusterRecorder(connect({ KUBECONFIG: kubeconfig }), () => undefined, karpenterApi('v0.32.1'))
    recorder.start()
    await new Promise((r) => setTimeout(r, 1_500))
    recorder.stop()
    assert.ok(lists > 3, `listed ${lists} times`)
    assert.ok(watches < 30, `${watches} watches in 1.5 s`)
  })
})

describe('what the recorder keeps to place a sighting in tutorial time', () => {
  it("keeps each sighting's resourceVersion (listed and watched), and each log line's own time", async () => {
    const pod = (rv: string, phase: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'default', resourceVersion: rv },
      spec: { containers: [] },
      status: { phase },
    })
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x')
      if (url.searchParams.get('watch') === 'true') {
        res.writeHead(200, { 'content-type': 'application/json' })
        if (url.pathname === '/api/v1/pods') res.write(JSON.stringify({ type: 'MODIFIED', object: pod('9', 'Running') }) + '\n')
        return // held open
      }
      const items = url.pathname === '/api/v1/pods' ? [pod('5', 'Pending')] : []
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(discovery[url.pathname] ?? { kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: '7' }, items }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    const kubeconfig = writeKubeconfig(`http://127.0.0.1:${port}`)
    const recorder = new ClusterRecorder(connect({ KUBECONFIG: kubeconfig }), () => undefined, karpenterApi('v0.32.1'))
    recorder.start()
    for (let i = 0; i < 50 && (recorder.pods.get('default/p')?.length ?? 0) < 2; i++) await new Promise((r) => setTimeout(r, 100))
    recorder.stop()
    server.closeAllConnections()
    server.close()
    assert.deepEqual(
      recorder.pods.get('default/p')?.map((s) => [s.type, s.rv]),
      [
        ['ADDED', '5'],
        ['MODIFIED', '9'],
      ],
    )
    assert.equal(logLineOf(0, 'p', '{"level":"INFO","time":"2024-01-28T21:14:32.652Z","message":"x"}', 1).tutorialAt, Date.parse('2024-01-28T21:14:32.652Z'))
    assert.equal(logLineOf(0, 'p', 'not json').tutorialAt, undefined)
  })
})
