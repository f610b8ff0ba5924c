// The daemon's control endpoint on loopback.
//
// moto's extension reports what happens on the AWS side (an EKS cluster created, a node group
// deleted, a "helm release" parameter written) by POSTing to `/v1/hooks/<event>`; the daemon
// reacts as EKS would: it starts the cluster's API server, boots nodes, installs add-ons. Only
// `eks.cluster.created` needs an answer (the endpoint and CA DescribeCluster returns), so every
// other hook is acknowledged at once and handled in the background, never blocking moto's
// request thread while the daemon itself calls back into moto.

import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export type HookHandler = (body: Record<string, unknown>) => Promise<Record<string, unknown> | void>

export interface ControlServer {
  url: string
  port: number
  close(): Promise<void>
}

export interface ControlServerOptions {
  port?: number
  hooks: Record<string, HookHandler>
  /** Hooks answered synchronously (the caller waits for the handler's result). */
  synchronous: ReadonlySet<string>
  status: () => unknown
  log: (line: string) => void
}

export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const server: Server = createServer((req, res) => {
    const reply = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    const url = new URL(req.url ?? '/', 'http://control')
    if (req.method === 'GET' && url.pathname === '/v1/status') return reply(200, options.status())
    const hook = /^\/v1\/hooks\/([a-z0-9.-]+)$/.exec(url.pathname)?.[1]
    if (req.method !== 'POST' || !hook) return reply(404, { error: `no such endpoint: ${req.method} ${url.pathname}` })
    const handler = options.hooks[hook]
    if (!handler) {
      options.log(`hook ${hook}: ignored (no handler)`)
      return reply(200, {})
    }
    readJsonBody(req)
      .then(async (body) => {
        if (options.synchronous.has(hook)) {
          const result = await handler(body)
          options.log(`hook ${hook}: answered`)
          return reply(200, result ?? {})
        }
        reply(202, {})
        handler(body).then(
          () => options.log(`hook ${hook}: handled`),
          (error: Error) => options.log(`hook ${hook}: failed: ${error.stack ?? error.message}`),
        )
      })
      .catch((error: Error & { status?: number }) => {
        options.log(`hook ${hook}: failed: ${error.stack ?? error.message}`)
        // A handler's 4xx (e.g. a chart version that does not exist) is the caller's error, not the daemon's.
        reply(typeof error.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500, { error: error.message })
      })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  if (!text) return {}
  const parsed = JSON.parse(text) as unknown
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('hook body must be a JSON object')
  return parsed as Record<string, unknown>
}
