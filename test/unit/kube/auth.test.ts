import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, createHmac } from 'node:crypto'
import { TokenVerifier } from '../../../sandbox/kube/auth.ts'

const KEY = 'AKIAIOSFODNN7EXAMPLE'
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
const amz = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')

/** A token as `aws eks get-token` (botocore) makes one: a presigned STS GetCallerIdentity URL. */
function token(opts: { cluster?: string; date?: Date; secret?: string; host?: string; expires?: number; region?: string } = {}): string {
  const date = amz(opts.date ?? new Date())
  const region = opts.region ?? 'eu-west-2'
  const host = opts.host ?? `sts.${region}.amazonaws.com`
  const params: [string, string][] = [
    ['Action', 'GetCallerIdentity'],
    ['Version', '2011-06-15'],
    ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    ['X-Amz-Credential', `${KEY}/${date.slice(0, 8)}/${region}/sts/aws4_request`],
    ['X-Amz-Date', date],
    ['X-Amz-Expires', String(opts.expires ?? 60)],
    ['X-Amz-SignedHeaders', 'host;x-k8s-aws-id'],
  ]
  const query = params
    .map(([k, v]) => `${enc(k)}=${enc(v)}`)
    .sort()
    .join('&')
  const canonical = ['GET', '/', query, `host:${host}\nx-k8s-aws-id:${opts.cluster ?? 'spot-and-karpenter'}\n`, 'host;x-k8s-aws-id', 'UNSIGNED-PAYLOAD'].join(
    '\n',
  )
  const toSign = ['AWS4-HMAC-SHA256', date, `${date.slice(0, 8)}/${region}/sts/aws4_request`, createHash('sha256').update(canonical).digest('hex')].join('\n')
  let k = createHmac('sha256', `AWS4${opts.secret ?? SECRET}`)
    .update(date.slice(0, 8))
    .digest()
  for (const part of [region, 'sts', 'aws4_request']) k = createHmac('sha256', k).update(part).digest()
  const sig = createHmac('sha256', k).update(toSign).digest('hex')
  const url = `https://${host}/?${query}&X-Amz-Signature=${sig}`
  return `k8s-aws-v1.${Buffer.from(url).toString('base64url')}`
}

describe('EKS token verification', () => {
  const v = new TokenVerifier({ clusterName: 'spot-and-karpenter', credentials: new Map([[KEY, SECRET]]), awsEndpointHost: '127.0.0.1:4566' })
  it('accepts a valid token, also presigned against the sandbox endpoint', () => {
    assert.equal(v.verify(token()).ok, true)
    assert.equal(v.verify(token({ host: '127.0.0.1:4566' })).ok, true)
    assert.equal(v.verify(token({ host: 'sts.amazonaws.com', region: 'us-east-1' })).ok, true)
  })
  it('refuses forged, expired, future, wrong-cluster and malformed tokens', () => {
    const bad: [string, string][] = [
      [token({ cluster: 'other' }), 'signature'],
      [token({ secret: 'wrong' }), 'signature'],
      [token({ date: new Date(Date.now() - 16 * 60_000) }), 'expired'],
      [token({ date: new Date(Date.now() + 6 * 60_000) }), 'future'],
      [token({ expires: 901 }), 'X-Amz-Expires'],
      [token({ host: 'evil.example.com' }), 'host'],
      ['k8s-aws-v1.', 'URL'],
      ['k8s-aws-v1.!!!', 'base64'],
      ['Bearer-ish', 'k8s-aws-v1'],
      [token().slice(0, -4), 'signature'],
    ]
    for (const [t, why] of bad) {
      const r = v.verify(t)
      assert.equal(r.ok, false, why)
      if (!r.ok) assert.match(r.reason, new RegExp(why, 'i'))
    }
  })
})
