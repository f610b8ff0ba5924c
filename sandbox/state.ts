// Where a sandbox keeps its state, and how `up`, `down`, `status` and `env` find a running one.
//
// Every sandbox lives in one directory, `<home>/sandboxes/<name>/`, where `<home>` is
// `$SPOTCHECK_HOME` or `.spotcheck/` in the project (ignored by git). Several sandboxes run side by
// side under different names, each on ports picked when it starts.

import { existsSync, readFileSync } from 'node:fs'
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { spotcheckHome } from '../lib/paths.ts'

const DEFAULT_SANDBOX = 'default'

/** What `up` asks the daemon to start. Written before the daemon starts. */
export interface SandboxConfig {
  name: string
  region: string
  /** Tutorial time runs this many times faster than real time. */
  timeScale: number
  /** Seed of the Spot market model (prices, capacity): same seed, same choices. */
  spotSeed: number
  accessKeyId: string
  secretAccessKey: string
  /** Fixed ports, or 0 to pick free ones. */
  awsPort: number
  controlPort: number
  /**
   * The day whose AWS the sandbox answers as (YYYY-MM-DD): which EKS versions, node images and
   * services existed then. The daemon writes that day's platform view to `paths.platformFile`.
   */
  asOf: string
  /**
   * The tutorial's edition the run on this sandbox follows (as-written or current), when the run
   * said so (`sandbox up --edition`): a label `status` shows. The sandbox itself has no edition.
   */
  edition?: string
}

/** What the daemon reports once it answers. */
export interface SandboxState {
  pid: number
  startedAt: string
  ready: boolean
  /** Set when the daemon failed to start. */
  error?: string
  awsEndpoint: string
  awsPid: number
  controlUrl: string
  clusters: ClusterEndpoint[]
}

export interface ClusterEndpoint {
  name: string
  region: string
  endpoint: string
  kubernetesVersion: string
}

export function sandboxName(explicit?: string): string {
  const name = explicit ?? process.env.SPOTCHECK_SANDBOX ?? DEFAULT_SANDBOX
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(name)) {
    throw new Error(`invalid sandbox name "${name}": use lower-case letters, digits and dashes (at most 40)`)
  }
  return name
}

export class SandboxPaths {
  readonly name: string
  readonly dir: string
  /** `home` defaults to spotcheckHome() ($SPOTCHECK_HOME or .spotcheck/). */
  constructor(name: string, home = spotcheckHome()) {
    this.name = name
    this.dir = join(home, 'sandboxes', name)
  }
  get config() {
    return join(this.dir, 'config.json')
  }
  get state() {
    return join(this.dir, 'state.json')
  }
  get daemonLog() {
    return join(this.dir, 'daemon.log')
  }
  get awsLog() {
    return join(this.dir, 'moto.log')
  }
  /** The kubeconfig `aws eks update-kubeconfig` writes into (never the user's own). */
  get kubeconfig() {
    return join(this.dir, 'kubeconfig')
  }
  /** kubectl's discovery cache: keyed by host:port, so it must not outlive the sandbox. */
  get kubeCache() {
    return join(this.dir, 'kube-cache')
  }
  /** The aws CLI configuration `up` writes (see sandbox/aws/moto-process.ts awsCliEnv). */
  get awsConfig() {
    return join(this.dir, 'aws-config')
  }
  get terraformrc() {
    return join(this.dir, 'terraform.rc')
  }
  get pki() {
    return join(this.dir, 'pki')
  }
  /** The platform view of the sandbox's date (platform/types.ts PlatformView), read by moto. */
  get platformFile() {
    return join(this.dir, 'platform.json')
  }
}

export async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, JSON.stringify(value, null, 2) + '\n')
  await rename(tmp, path) // readers never see a half-written file
}

export function readJson<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T
  } catch {
    return undefined
  }
}

/**
 * Whether the process runs. A process that has exited but is not yet reaped (a zombie) does not:
 * a daemon `sandbox up` started is re-parented to PID 1, and an init that reaps lazily (a
 * container's, a microVM's) would otherwise keep a stopped sandbox "alive" for seconds.
 */
export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
  return !isZombie(pid)
}

/** Linux's state letter in /proc/<pid>/stat (after the parenthesised command name); false elsewhere. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z'
  } catch {
    return false
  }
}

export interface SandboxRecord {
  paths: SandboxPaths
  config?: SandboxConfig
  state?: SandboxState
  /** The daemon process is alive. */
  running: boolean
}

export function inspectSandbox(name: string, home?: string): SandboxRecord {
  const paths = new SandboxPaths(name, home)
  const config = readJson<SandboxConfig>(paths.config)
  const state = readJson<SandboxState>(paths.state)
  return { paths, config, state, running: isAlive(state?.pid) }
}

export async function listSandboxes(): Promise<SandboxRecord[]> {
  const root = join(spotcheckHome(), 'sandboxes')
  if (!existsSync(root)) return []
  const names = (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name)
  return names.sort().map((n) => inspectSandbox(n))
}

export async function removeSandboxDir(paths: SandboxPaths): Promise<void> {
  await rm(paths.dir, { recursive: true, force: true })
}
