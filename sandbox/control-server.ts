// The daemon's control endpoint on loopback.
//
// moto's extension reports what happens on the AWS side (an EKS cluster created, a node group
// deleted, a "helm release" parameter written) by POSTing to `/v1/hooks/<event>`; the daemon
// reacts as EKS would: it starts the cluster's API server, boots nodes, installs add-ons. Only
// `eks.cluster.created` needs an answer (the endpoint and CA DescribeCluster returns), so every
// other hook is acknowledged at once and handled in the background, never blocking moto's
// request thread while the daemon itself calls back into moto. While a hook is handled, the
// simulation counts as busy (tutorial time runs at 1×, sandbox/runtime/clock.ts).
//
// It also publishes tutorial time (sandbox/runtime/clock.ts) to whoever needs it:
//   GET    /v1/clock                                  → {tutorialMs, wallMs, scale, epochMs}
//   GET    /v1/clusters/<name>/tutorial-times?afterRv= → {entries: [[rv, T], …], more?}: when each
//          resourceVersion of that cluster's API server was written (at most 5000 per page)
//   POST   /v1/clock/after {id, delayMs}              → 204; once `delayMs` of tutorial time have
//          passed, the daemon calls moto's `POST /_spotcheck/scheduler/<id>/fire` {tutorialMs}
//          and counts as busy until moto answers (moto's timers run on the sandbox's clock)
//   DELETE /v1/clock/after/<id>                       → 204; cancels that timer
//
// And it saves and restores the sandbox's whole state (sandbox/snapshot/snapshotter.ts):
//   POST   /v1/snapshot/save    {dir, meta, files}     → 200 the manifest written
//   POST   /v1/snapshot/restore {dir}                  → 200 {clusters: [{name, endpoint, previousEndpoint}], manifest}
//          a snapshot of another format, region or day → 409 {error} naming both values

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Clock, ClockTimer } from './runtime/clock.ts'

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
  /** The sandbox's clock: published, counted busy while hooks are handled, runs moto's timers. */
  clock: Clock
  /** moto's endpoint (known once moto runs), for firing its timers. */
  awsEndpoint: () => string
  /** When each resourceVersion of a cluster was written, in tutorial time (undefined: no such cluster). */
  tutorialTimes: (cluster: string, afterRv: number, limit: number) => { entries: [number, number][]; more: boolean } | undefined
  /** Snapshots of the sandbox (save, restore); absent: the routes answer 404. */
  snapshot?: Record<'save' | 'restore', (body: Record<string, unknown>) => Promise<unknown>>
}

/** Entries per page of `/v1/clusters/<name>/tutorial-times`. */
const TUTORIAL_TIMES_PAGE = 5_000

export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const motoTimers = new MotoTimers(options)
  const server: Server = createServer((req, res) => {
    const reply = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    const url = new URL(req.url ?? '/', 'http://control')
    if (req.method === 'GET' && url.pathname === '/v1/status') return reply(200, options.status())
    if (url.pathname === '/v1/clock' || url.pathname.startsWith('/v1/clock/') || url.pathname.startsWith('/v1/clusters/'))
      return clockEndpoint(req, url, reply, res, options, motoTimers)
    const snapshot = /^\/v1\/snapshot\/(save|restore)$/.exec(url.pathname)?.[1] as 'save' | 'restore' | undefined
    if (req.method === 'POST' && snapshot && options.snapshot) {
      const act = options.snapshot[snapshot]
      readJsonBody(req)
        .then((body) => act(body))
        .then(
          (result) => reply(200, result),
          (error: Error & { status?: number }) => {
            options.log(`snapshot ${snapshot}: ${error.stack ?? error.message}`)
            reply(typeof error.status === 'number' ? error.status : 500, { error: error.message })
          },
        )
      return
    }
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
          const result = await options.clock.busy(() => handler(body))
          options.log(`hook ${hook}: answered`)
          return reply(200, result ?? {})
        }
        reply(202, {})
        options.clock
          .busy(() => handler(body))
          .then(
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
        motoTimers.clearAll()
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

type Reply = (code: number, body: unknown) => void

function clockEndpoint(req: IncomingMessage, url: URL, reply: Reply, res: ServerResponse, options: ControlServerOptions, timers: MotoTimers): void {
  const noContent = () => {
    res.writeHead(204)
    res.end()
  }
  if (req.method === 'GET' && url.pathname === '/v1/clock') {
    const { clock } = options
    return reply(200, { tutorialMs: clock.tutorialNow(), wallMs: Date.now(), scale: clock.scale, epochMs: clock.epochMs })
  }
  const cluster = /^\/v1\/clusters\/([^/]+)\/tutorial-times$/.exec(url.pathname)?.[1]
  if (req.method === 'GET' && cluster) {
    const raw = url.searchParams.get('afterRv') ?? '0'
    const afterRv = Number(raw)
    if (!Number.isInteger(afterRv) || afterRv < 0) return reply(400, { error: `afterRv must be a non-negative integer, got "${raw}"` })
    const page = options.tutorialTimes(decodeURIComponent(cluster), afterRv, TUTORIAL_TIMES_PAGE)
    if (!page) return reply(404, { error: `no sandbox cluster named ${decodeURIComponent(cluster)}` })
    return reply(200, page.more ? page : { entries: page.entries })
  }
  if (req.method === 'POST' && url.pathname === '/v1/clock/after') {
    readJsonBody(req).then(
      (body) => {
        const id = body.id
        const delayMs = body.delayMs
        if (typeof id !== 'string' || id === '') return reply(400, { error: 'field "id": a non-empty string is required' })
        if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0)
          return reply(400, { error: `field "delayMs": a non-negative number of tutorial ms is required, got ${JSON.stringify(delayMs)}` })
        timers.after(id, delayMs)
        noContent()
      },
      (error: Error) => reply(400, { error: `body: ${error.message}` }),
    )
    return
  }
  const cancel = /^\/v1\/clock\/after\/([^/]+)$/.exec(url.pathname)?.[1]
  if (req.method === 'DELETE' && cancel) {
    timers.cancel(decodeURIComponent(cancel))
    return noContent()
  }
  reply(404, { error: `no such endpoint: ${req.method} ${url.pathname}` })
}

/**
 * moto's timers (the end of a Spot notice, a scheduled state change) on the sandbox's clock: each
 * fires at exactly its tutorial instant, by calling moto back; the simulation is busy until moto
 * has answered, so what moto does then happens at that instant of tutorial time.
 */
class MotoTimers {
  private readonly timers = new Map<string, ClockTimer>()
  private readonly options: ControlServerOptions

  constructor(options: ControlServerOptions) {
    this.options = options
  }

  /** Schedules (or reschedules) timer `id`. */
  after(id: string, delayMs: number): void {
    this.cancel(id)
    const timer = this.options.clock.setTimeout(() => {
      this.timers.delete(id)
      const at = this.options.clock.tutorialNow() // the due instant (held while timers fire)
      void this.options.clock.busy(() => this.fire(id, at))
    }, delayMs)
    this.timers.set(id, timer)
  }

  cancel(id: string): void {
    this.options.clock.clear(this.timers.get(id))
    this.timers.delete(id)
  }

  clearAll(): void {
    for (const id of [...this.timers.keys()]) this.cancel(id)
  }

  private async fire(id: string, tutorialMs: number): Promise<void> {
    const endpoint = this.options.awsEndpoint()
    try {
      const response = await fetch(`${endpoint}/_spotcheck/scheduler/${encodeURIComponent(id)}/fire`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tutorialMs }),
      })
      await response.arrayBuffer()
      if (!response.ok) this.options.log(`clock: moto timer ${id}: moto answered ${response.status}`)
    } catch (error) {
      this.options.log(`clock: moto timer ${id}: ${(error as Error).message}`)
    }
  }
}
