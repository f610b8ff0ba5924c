// The sandbox's certificates must be accepted by Node's TLS (client-node, the AWS SDK), not only by kubectl.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, request } from 'node:https'
import type { AddressInfo } from 'node:net'
import { generateCertificates } from '../../../sandbox/kube/tls.ts'

describe('sandbox TLS certificates', () => {
  it('serve HTTPS that a Node client verifies with the CA alone', async () => {
    const certs = await generateCertificates({ hosts: ['127.0.0.1'] })
    const server = createServer({ key: certs.keyPem, cert: certs.certPem }, (_req, res) => res.end('ok'))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/', ca: certs.caPem }, (res) => {
          let data = ''
          res.on('data', (c: Buffer) => (data += c.toString()))
          res.on('end', () => resolve(data))
        })
        req.on('error', reject)
        req.end()
      })
      assert.equal(body, 'ok')
    } finally {
      server.close()
    }
  })

  it("refuse a server certificate with the CA's own subject (OpenSSL would call it self-signed)", async () => {
    await assert.rejects(generateCertificates({ commonName: 'kubernetes' }), /self-signed/)
  })
})
