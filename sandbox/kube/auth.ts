// EKS authentication: bearer tokens made by `aws eks get-token` (aws-iam-authenticator's format).
//
// A token is `k8s-aws-v1.` + base64url(presigned STS GetCallerIdentity URL). The URL is signed
// with SigV4 over the headers `host` and `x-k8s-aws-id` (= the cluster name). EKS proves the
// caller by sending that request to STS; the sandbox knows its own access keys, so it
// recomputes the signature instead: a valid signature proves both the key and that the token
// names this cluster. Expiry follows aws-iam-authenticator: X-Amz-Date at most 15 minutes old,
// X-Amz-Expires at most 900.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

export interface TokenVerifierOptions {
  clusterName: string
  /** Known access key id → secret access key. */
  credentials: Map<string, string>
  /** The sandbox AWS endpoint host (`127.0.0.1:4566`): the aws CLI presigns against it when AWS_ENDPOINT_URL is set. */
  awsEndpointHost?: string
  now?: () => Date
}

export type TokenResult = { ok: true; accessKeyId: string; arn: string } | { ok: false; reason: string }

const PREFIX = 'k8s-aws-v1.'
const MAX_AGE_MS = 15 * 60 * 1000
const MAX_SKEW_MS = 5 * 60 * 1000

/** RFC 3986 encoding as SigV4 wants it (everything but unreserved characters). */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest()
}

function parseAmzDate(s: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s)
  if (!m) return undefined
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]))
}

export class TokenVerifier {
  private readonly opts: TokenVerifierOptions
  private readonly cache = new Map<string, { result: TokenResult; until: number }>()

  constructor(options: TokenVerifierOptions) {
    this.opts = options
  }

  private hostAllowed(host: string): boolean {
    const h = host.toLowerCase()
    if (h === 'sts.amazonaws.com') return true
    if (/^sts\.[a-z0-9-]+\.amazonaws\.com$/.test(h)) return true
    if (this.opts.awsEndpointHost && h === this.opts.awsEndpointHost.toLowerCase()) return true
    return false
  }

  /** Verifies an `Authorization: Bearer` token. Results are cached until the token expires. */
  verify(token: string): TokenResult {
    const now = (this.opts.now ?? (() => new Date()))().getTime()
    const hit = this.cache.get(token)
    if (hit && hit.until > now) return hit.result
    const { result, until } = this.check(token, now)
    if (result.ok) {
      if (this.cache.size > 1000) this.cache.clear()
      this.cache.set(token, { result, until })
    }
    return result
  }

  private check(token: string, now: number): { result: TokenResult; until: number } {
    const fail = (reason: string) => ({ result: { ok: false as const, reason }, until: 0 })
    if (!token.startsWith(PREFIX)) return fail('token is not a k8s-aws-v1 token')
    const b64 = token.slice(PREFIX.length)
    if (!/^[A-Za-z0-9_-]+=*$/.test(b64)) return fail('token is not base64url')
    let url: URL
    try {
      url = new URL(Buffer.from(b64, 'base64url').toString('utf8'))
    } catch {
      return fail('token does not hold a URL')
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return fail('unexpected scheme')
    if (url.pathname !== '/') return fail('unexpected path')
    if (!this.hostAllowed(url.host)) return fail(`unexpected host ${url.host}`)
    const q = new Map<string, string>()
    const pairs: [string, string][] = []
    for (const part of url.search.replace(/^\?/, '').split('&')) {
      if (!part) continue
      const i = part.indexOf('=')
      const k = decodeURIComponent((i < 0 ? part : part.slice(0, i)).replace(/\+/g, ' '))
      const v = decodeURIComponent((i < 0 ? '' : part.slice(i + 1)).replace(/\+/g, ' '))
      if (q.has(k)) return fail(`duplicate query parameter ${k}`)
      q.set(k, v)
      pairs.push([k, v])
    }
    if (q.get('Action') !== 'GetCallerIdentity') return fail('unexpected action')
    if (q.get('Version') !== '2011-06-15') return fail('unexpected version')
    if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return fail('unexpected algorithm')
    const signed = (q.get('X-Amz-SignedHeaders') ?? '').split(';')
    if (!signed.includes('host') || !signed.includes('x-k8s-aws-id')) return fail('x-k8s-aws-id is not signed')
    if (signed.some((h) => h !== 'host' && h !== 'x-k8s-aws-id')) return fail('unexpected signed headers')
    const expires = Number(q.get('X-Amz-Expires'))
    if (!Number.isInteger(expires) || expires < 0 || expires > 900) return fail('X-Amz-Expires out of range')
    const date = parseAmzDate(q.get('X-Amz-Date') ?? '')
    if (!date) return fail('bad X-Amz-Date')
    if (now - date.getTime() > MAX_AGE_MS) return fail('token expired')
    if (date.getTime() - now > MAX_SKEW_MS) return fail('token from the future')
    const credential = (q.get('X-Amz-Credential') ?? '').split('/')
    if (credential.length !== 5 || credential[3] !== 'sts' || credential[4] !== 'aws4_request') return fail('bad credential scope')
    const [accessKeyId, day, region] = credential
    if (day !== q.get('X-Amz-Date')!.slice(0, 8)) return fail('credential date does not match X-Amz-Date')
    const secret = this.opts.credentials.get(accessKeyId)
    if (secret === undefined) return fail('unknown access key')
    const given = q.get('X-Amz-Signature') ?? ''
    if (!/^[0-9a-f]{64}$/.test(given)) return fail('bad signature format')

    const canonicalQuery = pairs
      .filter(([k]) => k !== 'X-Amz-Signature')
      .map(([k, v]) => [uriEncode(k), uriEncode(v)])
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join('&')
    const headers = `host:${url.host}\nx-k8s-aws-id:${this.opts.clusterName}\n`
    const scope = `${day}/${region}/sts/aws4_request`
    const kDate = hmac(`AWS4${secret}`, day)
    const kSigning = hmac(hmac(hmac(kDate, region), 'sts'), 'aws4_request')
    const givenBuf = Buffer.from(given, 'hex')
    // botocore presigns with UNSIGNED-PAYLOAD; the Go SDK (aws-iam-authenticator) hashes the empty body.
    for (const payload of ['UNSIGNED-PAYLOAD', createHash('sha256').update('').digest('hex')]) {
      const canonical = ['GET', '/', canonicalQuery, headers, 'host;x-k8s-aws-id', payload].join('\n')
      const toSign = ['AWS4-HMAC-SHA256', q.get('X-Amz-Date')!, scope, createHash('sha256').update(canonical).digest('hex')].join('\n')
      const expected = hmac(kSigning, toSign)
      if (expected.length === givenBuf.length && timingSafeEqual(expected, givenBuf)) {
        return { result: { ok: true, accessKeyId, arn: `arn:aws:iam::000000000000:user/${accessKeyId}` }, until: date.getTime() + MAX_AGE_MS }
      }
    }
    return fail('signature does not match (wrong key, or a token for another cluster)')
  }
}
