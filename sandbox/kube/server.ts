// startApiServer: the sandbox's Kubernetes API server, HTTPS on loopback, in process.
//
// kubectl (1.27–1.33 through the machine's dispatcher) and @kubernetes/client-node talk to it as
// to EKS: it authenticates `aws eks get-token` bearer tokens, reports an EKS version, serves
// discovery, OpenAPI v3, Tables, watches and logs, over the shared Store.

import { createServer, type Server } from 'node:https'
import type { Socket } from 'node:net'
import { createHash } from 'node:crypto'
import { notFoundPath, unauthorized } from './errors.ts'
import type { Store } from './store.ts'
import type { PodLogs } from './pod-logs.ts'
import { TokenVerifier } from './auth.ts'
import { generateCertificates, type Certificates } from './tls.ts'
import { OpenApi } from './openapi.ts'
import { handle, type HandlerContext } from './http/handlers.ts'
import { sendError, send } from './http/util.ts'
import type { OpenStream } from './http/watch.ts'

export interface RequestLogEntry {
  method: string
  path: string
  query: string
  status: number
  userAgent: string
  contentType?: string
}

export interface ApiServerOptions {
  store: Store
  podLogs: PodLogs
  clusterName: string
  /** `1.29` (default; reported as v1.29.10-eks-…), `1.32`, or a full `1.29.10`. */
  kubernetesVersion?: string
  /** The sandbox's AWS credentials: access key id → secret key. */
  credentials: Map<string, string>
  /** Host (and port) of the sandbox AWS endpoint, e.g. `127.0.0.1:4566`: tokens presigned against it are accepted. */
  awsEndpointHost?: string
  host?: string
  /** 0 (default) picks a free port. */
  port?: number
  /** Certificates to serve, or 'generated' (default) for a fresh CA and server certificate. */
  tls?: Certificates | 'generated'
  /** A watch whose client lets more than this pile up unread is closed (default 16 MiB). */
  maxWatchBufferBytes?: number
  /** Called after every request (tests use it to see what kubectl sent). */
  onRequest?: (entry: RequestLogEntry) => void
}

export interface ApiServer {
  /** `https://127.0.0.1:<port>` */
  url: string
  port: number
  /** PEM of the CA that signed the server certificate (EKS hands out base64 of it). */
  caPem: string
  /** `/version` as served. */
  version: Record<string, string>
  server: Server
  /** Ends open watches and log streams and frees the port. */
  close(): Promise<void>
}

// The patch EKS's control plane reports per minor (1.27–1.31 as seen on EKS; 1.32–1.35 the sandbox's own, plausible).
const PATCH_VERSIONS: Record<string, string> = { '27': '16', '28': '15', '29': '10', '30': '6', '31': '2', '32': '0', '33': '0', '34': '4', '35': '1' }
const PUBLIC_PATHS = new Set(['/version', '/healthz', '/livez', '/readyz'])

/** `/version` as EKS reports it: strict semver gitVersion `v1.29.10-eks-<7 hex>`. */
export function eksVersion(kubernetesVersion: string, clusterName: string): Record<string, string> {
  const parts = kubernetesVersion.replace(/^v/, '').split('.')
  if (parts.length < 2 || !parts.every((p) => /^\d+$/.test(p)))
    throw new RangeError(`kubernetesVersion must look like 1.29 or 1.29.10, got ${kubernetesVersion}`)
  const [major, minor] = parts
  const patch = parts[2] ?? PATCH_VERSIONS[minor] ?? '0'
  const hash = createHash('sha1').update(`${clusterName}/${major}.${minor}.${patch}`).digest('hex')
  return {
    major,
    minor,
    gitVersion: `v${major}.${minor}.${patch}-eks-${hash.slice(0, 7)}`,
    gitCommit: hash,
    gitTreeState: 'clean',
    buildDate: '2024-10-15T19:31:07Z',
    goVersion: 'go1.22.8',
    compiler: 'gc',
    platform: 'linux/amd64',
  }
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const certs = options.tls && options.tls !== 'generated' ? options.tls : await generateCertificates({ hosts: ['127.0.0.1', 'localhost'] })
  const host = options.host ?? '127.0.0.1'
  const version = eksVersion(options.kubernetesVersion ?? '1.29', options.clusterName)
  const verifier = new TokenVerifier({ clusterName: options.clusterName, credentials: options.credentials, awsEndpointHost: options.awsEndpointHost })
  const streams = new Set<OpenStream>()
  let port = options.port ?? 0
  const ctx: HandlerContext = {
    store: options.store,
    podLogs: options.podLogs,
    openapi: new OpenApi(options.store.registry),
    version,
    serverAddress: () => `${host}:${port}`,
    streams,
    maxWatchBufferBytes: options.maxWatchBufferBytes ?? 16 * 1024 * 1024,
  }
  // A deleted pod's logs go with it (and its follow streams end).
  const stopPodWatch = options.store.watchAll((ev) => {
    if (ev.resource === 'pods' && ev.type === 'DELETED') options.podLogs.removePod(ev.object.metadata.namespace!, ev.object.metadata.name!)
  })

  const server = createServer({ cert: certs.certPem, key: certs.keyPem, ca: certs.caPem }, (req, res) => {
    let url: URL
    try {
      url = new URL(req.url ?? '/', `https://${host}`)
    } catch {
      return sendError(res, notFoundPath())
    }
    res.on('finish', () => {
      options.onRequest?.({
        method: req.method ?? '',
        path: url.pathname,
        query: url.search,
        status: res.statusCode,
        userAgent: req.headers['user-agent'] ?? '',
        contentType: req.headers['content-type'],
      })
    })
    // Authentication, as EKS does it: a valid `aws eks get-token` token, or nothing but the public paths.
    const authz = req.headers.authorization
    if (authz !== undefined || !PUBLIC_PATHS.has(url.pathname)) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(authz ?? '')
      const result = m ? verifier.verify(m[1]) : undefined
      if (!result?.ok) {
        req.resume()
        return send(res, 401, unauthorized().toStatus())
      }
    }
    handle(ctx, req, res, url).catch((err: unknown) => {
      req.resume()
      if (res.headersSent) {
        if (!res.writableEnded) res.end()
        return
      }
      sendError(res, err)
    })
  })
  server.keepAliveTimeout = 30_000
  server.headersTimeout = 35_000
  server.requestTimeout = 0
  const sockets = new Set<Socket>()
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  server.on('tlsClientError', () => {})
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  port = (server.address() as { port: number }).port
  return {
    url: `https://${host}:${port}`,
    port,
    caPem: certs.caPem,
    version,
    server,
    close: async () => {
      stopPodWatch()
      for (const s of [...streams]) s.close()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
        for (const s of sockets) s.destroy()
      })
    },
  }
}
