// Certificates for the sandbox API server: a CA of its own and a server certificate for the
// loopback address (SAN IP:127.0.0.1 and DNS:localhost), ECDSA P-256. The CA's PEM is what
// EKS DescribeCluster hands out (base64) as `certificateAuthority.data`.

// @peculiar/x509 resolves its ASN.1 helpers through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata'
import { webcrypto, randomBytes } from 'node:crypto'
import * as x509 from '@peculiar/x509'

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0])

export interface Certificates {
  caPem: string
  certPem: string
  keyPem: string
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`
}

function serial(): string {
  const b = randomBytes(16)
  b[0] &= 0x7f // positive
  return b.toString('hex')
}

/** Generates a CA and a server certificate valid for `hosts` (IPs and DNS names). */
export async function generateCertificates(options: { hosts?: string[]; commonName?: string; days?: number } = {}): Promise<Certificates> {
  const hosts = options.hosts ?? ['127.0.0.1', 'localhost']
  // A server certificate whose subject equals its issuer's looks self-signed to OpenSSL, and
  // Node's TLS (client-node, the AWS SDK) then refuses it even with the CA (Go's kubectl does not).
  if (options.commonName === 'kubernetes')
    throw new Error("the server certificate cannot share the CA's subject (CN=kubernetes): Node would take it for self-signed")
  const days = options.days ?? 365
  const notBefore = new Date(Date.now() - 60_000)
  const notAfter = new Date(Date.now() + days * 86_400_000)
  const subtle = webcrypto.subtle
  const caKeys = await subtle.generateKey(ALG, true, ['sign', 'verify'])
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=kubernetes',
    notBefore,
    notAfter,
    signingAlgorithm: ALG,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  })
  const serverKeys = await subtle.generateKey(ALG, true, ['sign', 'verify'])
  const san = hosts.map((h) => (/^[\d.]+$/.test(h) || h.includes(':') ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h }))
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${options.commonName ?? 'kube-apiserver'}`,
    issuer: ca.subject,
    notBefore,
    notAfter,
    signingAlgorithm: ALG,
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(san),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  })
  const keyDer = await subtle.exportKey('pkcs8', serverKeys.privateKey)
  return { caPem: ca.toString('pem') + '\n', certPem: cert.toString('pem') + '\n', keyPem: pem('PRIVATE KEY', keyDer) }
}
