// The sandbox's background process, started by `spotcheck sandbox up` and stopped by `down`.
//
// It owns everything a sandbox runs: moto (the AWS APIs, with spotcheck's extension), the
// control endpoint moto reports to, and — once EKS clusters exist — their Kubernetes API servers,
// controllers and Karpenter, all on one clock of tutorial time (sandbox/runtime/clock.ts), which the
// control endpoint publishes and on which moto's own timers run (`/v1/clock/after`). It writes `state.json` when it answers, and on SIGTERM/SIGINT stops
// every child and frees every port before it exits.

import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { cacheDir } from '../lib/paths.ts'
import { platformView } from '../platform/index.ts'
import { startMoto, type MotoServer } from './aws/moto-process.ts'
import { Clock } from './runtime/clock.ts'
import { startControlServer, type ControlServer, type HookHandler } from './control-server.ts'
import type { ClusterHost } from './cluster-host.ts'
import type { Snapshotter } from './snapshot/snapshotter.ts'
import { SandboxPaths, isAlive, readJson, writeJson, type SandboxConfig, type SandboxState } from './state.ts'

const { values } = parseArgs({ options: { name: { type: 'string' } } })
const paths = new SandboxPaths(values.name ?? 'default')
/** The daemon's log: timestamped lines on stderr, which `sandbox up` sends to the sandbox's daemon log. */
const log = (line: string): void => void process.stderr.write(`${new Date().toISOString()} ${line}\n`)
const config = readJson<SandboxConfig>(paths.config)
if (!config) {
  log(`daemon: no configuration at ${paths.config}`)
  process.exit(2)
}

const clock = new Clock({ scale: config.timeScale })
let control: ControlServer | undefined
let moto: MotoServer | undefined
let clusters: ClusterHost | undefined
let snapshots: Snapshotter | undefined
let stopping = false

const state: SandboxState = {
  pid: process.pid,
  startedAt: new Date().toISOString(),
  ready: false,
  awsEndpoint: '',
  awsPid: 0,
  controlUrl: '',
  clusters: [],
}

async function publish(): Promise<void> {
  state.clusters = clusters?.endpoints() ?? []
  await writeJson(paths.state, state)
}

async function start(): Promise<void> {
  log(`sandbox "${config!.name}": region ${config!.region}, time scale ×${config!.timeScale}, AWS as of ${config!.asOf}`)
  // moto answers as AWS did on the sandbox's date: it reads that day's platform from this file.
  await writeJson(paths.platformFile, platformView(config!.asOf))
  // moto's import takes a couple of seconds of its own, and so does loading the clusters' code
  // (the API server, the controllers, Karpenter): moto starts first, and the clusters' code
  // loads while it does. The control endpoint listens from the start, its hooks filled in
  // below: moto calls them only for requests, and no request comes before the sandbox is ready.
  const hooks: Record<string, HookHandler> = {}
  const synchronous = new Set<string>()
  control = await startControlServer({
    port: config!.controlPort,
    hooks,
    synchronous,
    status: () => state,
    log,
    clock,
    awsEndpoint: () => state.awsEndpoint,
    tutorialTimes: (name, afterRv, limit) => clusters?.cluster(name)?.store.tutorialTimes(afterRv, limit),
    snapshot: { save: (body) => snapshots!.save(body), restore: (body) => snapshots!.restore(body) },
  })
  state.controlUrl = control.url
  log(`control endpoint ${control.url}`)
  const motoStarted = startMoto({
    port: config!.awsPort,
    controlUrl: control.url,
    timeScale: config!.timeScale,
    region: config!.region,
    spotSeed: config!.spotSeed,
    logFile: paths.awsLog,
    platformFile: paths.platformFile,
    responseCacheDir: join(cacheDir(), 'aws-responses'),
  })
  motoStarted.catch(() => {}) // awaited below, after the clusters' code has loaded
  let code: [typeof import('./cluster-host.ts'), typeof import('./snapshot/snapshotter.ts')]
  try {
    code = await Promise.all([import('./cluster-host.ts'), import('./snapshot/snapshotter.ts')])
  } catch (error) {
    moto = await motoStarted.catch(() => undefined) // for stop() to stop it
    throw error
  }
  const [{ ClusterHost }, { Snapshotter }] = code
  clusters = new ClusterHost({ config: config!, paths, clock, log, onChange: () => void publish() })
  Object.assign(hooks, clusters.hooks())
  for (const hook of clusters.synchronousHooks) synchronous.add(hook)
  snapshots = new Snapshotter({
    clock,
    clusters,
    sandbox: { region: config!.region, asOf: config!.asOf, timeScale: config!.timeScale, spotSeed: config!.spotSeed },
    awsEndpoint: () => state.awsEndpoint,
    log,
  })
  moto = await motoStarted
  state.awsEndpoint = moto.endpoint
  state.awsPid = moto.pid
  clusters.attachAws(moto.endpoint)
  log(`AWS APIs (moto) ${moto.endpoint}, pid ${moto.pid}`)
  state.ready = true
  await publish()
  log('ready')
}

async function stop(code: number): Promise<never> {
  if (stopping) return new Promise<never>(() => {})
  stopping = true
  log('stopping')
  state.ready = false
  try {
    await clusters?.close()
  } catch (error) {
    log(`stopping clusters: ${(error as Error).message}`)
  }
  try {
    await moto?.stop()
  } catch (error) {
    log(`stopping moto: ${(error as Error).message}`)
  }
  await control?.close()
  clock.close()
  log('stopped')
  process.exit(code)
}

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void stop(0))
process.on('uncaughtException', (error) => {
  log(`fatal: ${error.stack ?? error.message}`)
  void stop(1)
})
process.on('unhandledRejection', (error) => {
  log(`fatal: ${(error as Error)?.stack ?? String(error)}`)
  void stop(1)
})

// A sandbox whose owner goes goes with it. `npm test` (test/run.ts) names itself the owner of every
// sandbox its jobs start (SPOTCHECK_SANDBOX_OWNER, its pid, inherited through `sandbox up`): a test
// run stopped or killed before its tests' after hooks brought their sandboxes down leaves none
// running. A sandbox a reader starts has no owner and runs until `down`.
const owner = Number(process.env.SPOTCHECK_SANDBOX_OWNER)
if (Number.isInteger(owner) && owner > 0) {
  setInterval(() => {
    if (isAlive(owner)) return
    log(`owner pid ${owner} has exited: stopping`)
    void stop(0)
  }, 2_000).unref()
}

start().catch(async (error: Error) => {
  log(`failed to start: ${error.stack ?? error.message}`)
  state.error = error.message
  await writeJson(paths.state, state).catch(() => {})
  await stop(1)
})
