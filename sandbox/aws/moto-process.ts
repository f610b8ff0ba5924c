// The sandbox's AWS side: moto 5.2.1's server with spotcheck's extension (spotcheck_moto/),
// run as a child process (python3 sandbox/aws/server.py).
//
// startMoto() spawns it, waits for its readiness line and for /moto-api/ to answer, and hands
// back the endpoint. stop() terminates it (and anything it spawned) and waits until it exited,
// so the port is free again. The extension reads its configuration from the environment this
// module sets: SPOTCHECK_CONTROL_URL, SPOTCHECK_TIME_SCALE, SPOTCHECK_SPOT_SEED,
// SPOTCHECK_REGION, SPOTCHECK_PLATFORM_FILE.

import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { StringDecoder } from 'node:string_decoder'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { awscliCompatDir } from '../../lib/paths.ts'

const here = dirname(fileURLToPath(import.meta.url))

/** server.py, next to this file. */
const SERVER_SCRIPT = join(here, 'server.py')

export const MOTO_INSTALL_COMMAND = "python3 -m pip install 'moto[server]==5.2.1'"

export interface StartMotoOptions {
  /** Interface to bind. Default 127.0.0.1 (the sandbox is loopback only). */
  host?: string
  /** Port to listen on; 0 lets the OS pick a free one. */
  port: number
  /** Base URL of the sandbox daemon's control API; moto posts hooks to `${controlUrl}/v1/hooks/<event>`. */
  controlUrl?: string
  /** How many times faster than real time the sandbox runs (tutorial durations are divided by it). */
  timeScale: number
  /** The sandbox's AWS region (default region of /spotcheck-api/ and of moto's own calls). */
  region: string
  /** Seed of the Spot market (prices, capacities) and of FIS's random target selection. Default 1. */
  spotSeed?: number
  /** Append the server's stdout and stderr to this file. */
  logFile?: string
  /**
   * JSON file holding the PlatformView (platform/types.ts) of the day the AWS APIs answer as:
   * the EKS versions offered, the EKS-optimized AMI parameters, Cloud9. Without it moto answers
   * undated (every Kubernetes version accepted, the AL2 AMIs of 1.23–1.33, Cloud9 open).
   */
  platformFile?: string
  /**
   * Where EC2's catalogue answers are kept across moto processes (spotcheck_moto/static_responses.py):
   * the sandboxes of one spotcheck home share it. Without it they are kept in memory only.
   */
  responseCacheDir?: string
  /** Python interpreter. Default python3. */
  python?: string
  /** How long to wait for the server to be ready. Default 30 s. */
  startTimeoutMs?: number
}

export interface MotoServer {
  /** e.g. http://127.0.0.1:45123 — use as AWS_ENDPOINT_URL / SDK `endpoint`. */
  endpoint: string
  port: number
  pid: number
  /** Terminate the server and wait until it exited (idempotent). */
  stop(): Promise<void>
}

class MotoNotInstalledError extends Error {
  constructor(detail: string) {
    super(`moto 5.2.x with its server extras is required for the sandbox (${detail}). Install it with: ${MOTO_INSTALL_COMMAND}`)
    this.name = 'MotoNotInstalledError'
  }
}

/**
 * Checks that `python` has moto 5.2.x and its server extras installed; returns moto's version.
 * It reads the packages' metadata instead of importing moto (a tenth of the time: moto's import
 * costs a second of CPU, and the sandbox's own start imports it right after); a package that is
 * installed but broken shows in the sandbox's start, with the last lines of its log.
 */
export async function checkMotoInstalled(python = 'python3'): Promise<string> {
  const probe = [
    'import sys',
    'from importlib.metadata import version',
    "for extra in ('flask', 'flask-cors'): version(extra)",
    "sys.stdout.write(version('moto'))",
  ].join('\n')
  const result = await execa(python, ['-c', probe], { reject: false, timeout: 60_000 })
  if (result.failed || result.exitCode !== 0) {
    const reason = result.code === 'ENOENT' ? `${python} was not found` : `${python} lacks moto or its server extras: ${lastLine(result.stderr)}`
    throw new MotoNotInstalledError(reason)
  }
  const version = result.stdout.trim()
  if (!/^5\.2\.\d+/.test(version)) {
    throw new MotoNotInstalledError(`found moto ${version || '(unknown version)'}`)
  }
  return version
}

function lastLine(text: string | undefined): string {
  const lines = (text ?? '').trim().split('\n')
  return lines[lines.length - 1] || 'no output'
}

const READY_PREFIX = 'spotcheck-moto ready '

/** Starts moto with spotcheck's extension and resolves once it answers requests. */
export async function startMoto(options: StartMotoOptions): Promise<MotoServer> {
  const host = options.host ?? '127.0.0.1'
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new RangeError(`port must be an integer in 0..65535, got ${options.port}`)
  }
  if (!(options.timeScale > 0) || !Number.isFinite(options.timeScale)) {
    throw new RangeError(`timeScale must be a positive number, got ${options.timeScale}`)
  }
  if (options.spotSeed !== undefined && !Number.isInteger(options.spotSeed)) {
    throw new RangeError(`spotSeed must be an integer, got ${options.spotSeed}`)
  }
  const env: Record<string, string> = {
    SPOTCHECK_TIME_SCALE: String(options.timeScale),
    SPOTCHECK_SPOT_SEED: String(options.spotSeed ?? 1),
    SPOTCHECK_REGION: options.region,
    AWS_DEFAULT_REGION: options.region,
    PYTHONUNBUFFERED: '1',
    // AWS managed policies (AmazonEKSClusterPolicy, …) exist in every account; Terraform attaches them.
    MOTO_IAM_LOAD_MANAGED_POLICIES: 'true',
  }
  if (options.controlUrl) env.SPOTCHECK_CONTROL_URL = options.controlUrl
  if (options.platformFile) env.SPOTCHECK_PLATFORM_FILE = options.platformFile
  if (options.responseCacheDir) env.SPOTCHECK_RESPONSE_CACHE_DIR = options.responseCacheDir

  const log = options.logFile ? openLog(options.logFile) : undefined
  const subprocess = execa(options.python ?? 'python3', [SERVER_SCRIPT, '--host', host, '--port', String(options.port)], {
    env: { ...process.env, ...env },
    extendEnv: false,
    killDescendants: true,
    forceKillAfterDelay: 5_000,
    cleanup: true,
    buffer: false,
    reject: false,
    stdin: 'ignore',
  })
  // Keep the pipes drained for the whole life of the server; remember the tail for errors.
  let tail = ''
  let stdoutLines = ''
  let resolveReady: (line: string) => void = () => {}
  const readyLine = new Promise<string>((resolve) => (resolveReady = resolve))
  // A decoder per stream: a chunk may end inside a UTF-8 character.
  const stdoutText = new StringDecoder('utf8')
  const stderrText = new StringDecoder('utf8')
  subprocess.stdout?.on('data', (chunk: Buffer) => {
    const text = stdoutText.write(chunk)
    log?.write(text)
    stdoutLines += text
    let newline: number
    while ((newline = stdoutLines.indexOf('\n')) >= 0) {
      const line = stdoutLines.slice(0, newline)
      stdoutLines = stdoutLines.slice(newline + 1)
      if (line.startsWith(READY_PREFIX)) resolveReady(line.slice(READY_PREFIX.length))
    }
  })
  subprocess.stderr?.on('data', (chunk: Buffer) => {
    const text = stderrText.write(chunk)
    log?.write(text)
    tail = (tail + text).slice(-4_000)
  })
  let hasExited = false
  const exited = subprocess.then((result) => {
    hasExited = true
    return result
  })

  let stopped: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      if (!hasExited) subprocess.kill('SIGTERM')
      await exited
      await new Promise<void>((resolve) => (log ? log.end(() => resolve()) : resolve()))
    })()
    return stopped
  }

  const timeoutMs = options.startTimeoutMs ?? 30_000
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)))
  const outcome = await Promise.race([readyLine, exited.then(() => 'exited' as const), timedOut])
  clearTimeout(timer)
  if (outcome === 'exited' || outcome === 'timeout') {
    await stop()
    const why = outcome === 'timeout' ? `did not become ready within ${timeoutMs} ms` : 'exited before it was ready'
    throw new Error(`moto server ${why}.${tail ? `\n--- its stderr ---\n${tail}` : ''}`)
  }
  const ready = JSON.parse(outcome) as { endpoint: string; port: number; pid: number }
  try {
    await waitForHttp(`${ready.endpoint}/moto-api/`, Math.max(1_000, timeoutMs))
  } catch (e) {
    await stop()
    throw e
  }
  return { endpoint: ready.endpoint, port: ready.port, pid: ready.pid, stop }
}

function openLog(file: string) {
  mkdirSync(dirname(file), { recursive: true })
  return createWriteStream(file, { flags: 'a' })
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) })
      await response.arrayBuffer()
      if (response.status < 500) return
      last = new Error(`HTTP ${response.status}`)
    } catch (e) {
      last = e
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`moto server did not answer ${url} within ${timeoutMs} ms: ${String(last)}`)
}

export interface AwsCliEnvOptions {
  endpoint: string
  region: string
  /** Directory for the generated aws CLI config file. */
  configDir: string
  accessKeyId?: string
  secretAccessKey?: string
}

/**
 * Environment for aws CLI child processes that talk to this moto: endpoint, region, test
 * credentials, and a config file that loads the v2-compatibility plugin (so the tutorial's
 * `--no-cli-pager` works with aws CLI v1). aws CLI v1 reads AWS_DEFAULT_REGION and ignores
 * AWS_ENDPOINT_URL for `aws sqs`: pass `--endpoint-url` there.
 */
export function awsCliEnv(options: AwsCliEnvOptions): Record<string, string> {
  mkdirSync(options.configDir, { recursive: true })
  const configFile = join(options.configDir, 'aws-config')
  writeFileSync(configFile, `[plugins]\nspotcheck_compat = spotcheck_awscli_compat\n\n[default]\nregion = ${options.region}\n`)
  const pythonPath = [awscliCompatDir, process.env.PYTHONPATH].filter(Boolean).join(':')
  return {
    AWS_ENDPOINT_URL: options.endpoint,
    AWS_DEFAULT_REGION: options.region,
    AWS_REGION: options.region,
    AWS_ACCESS_KEY_ID: options.accessKeyId ?? 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: options.secretAccessKey ?? 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_CONFIG_FILE: configFile,
    AWS_SHARED_CREDENTIALS_FILE: join(options.configDir, 'aws-credentials-unused'),
    AWS_PAGER: '',
    PYTHONPATH: pythonPath,
  }
}
