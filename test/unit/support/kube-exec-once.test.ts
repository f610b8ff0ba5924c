// A kube session runs the kubeconfig's exec plugin (the tutorial's `aws eks get-token`) once, not
// once per request its recorders open at the same time.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect } from '../../../support/kube.ts'
import { karpenterApi } from '../../../support/karpenter-api.ts'
import { ClusterRecorder, KarpenterLog } from '../../../support/recorders.ts'
import { writeKubeconfig } from './kubeconfig.ts'

describe('a kube session with an exec credential plugin', () => {
  it('runs the plugin once for the recorders that start together', async () => {
    const server = createServer((req, res) => {
      if (req.url?.includes('watch=true')) return void res.writeHead(200, { 'content-type': 'application/json' }) // held open
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    const dir = mkdtempSync(join(tmpdir(), 'kube-exec-'))
    const calls = join(dir, 'calls')
    writeFileSync(calls, '')
    const plugin = join(dir, 'get-token')
    // Slow on purpose, as `aws eks get-token` is: every request that starts meanwhile would run it too.
    writeFileSync(
      plugin,
      `#!/bin/sh\necho x >> '${calls}'\nsleep 0.3\necho '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","status":{"token":"t","expirationTimestamp":"2999-01-01T00:00:00Z"}}'\n`,
    )
    chmodSync(plugin, 0o755)
    const kubeconfig = writeKubeconfig(`http://127.0.0.1:${port}`, { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: plugin, args: [] } })
    const session = connect({ KUBECONFIG: kubeconfig })
    const recorder = new ClusterRecorder(session, () => {}, karpenterApi('v0.32.1'))
    const log = new KarpenterLog(session, () => {})
    let requests = 0
    server.on('request', () => requests++)
    try {
      recorder.start()
      log.start()
      const deadline = Date.now() + 10_000
      while (requests < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
      assert.ok(requests >= 3, `the recorders made ${requests} request(s)`)
      assert.equal(readFileSync(calls, 'utf8').split('\n').filter(Boolean).length, 1, 'the exec plugin ran more than once')
    } finally {
      recorder.stop()
      log.stop()
      server.closeAllConnections()
      server.close()
    }
  })
})
