// Shared by the moto integration tests: one moto per test file, the real aws CLI pointed at it,
// and SDK clients for the setup steps that are not the point of a test.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { awsClients, type AwsClients } from '../../../support/aws-clients.ts'
import { awsCliEnv, startMoto, type MotoServer, type StartMotoOptions } from '../../../sandbox/aws/moto-process.ts'

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const REGION = 'eu-west-2'
export const ACCOUNT = '123456789012'

export interface CliResult {
  exitCode: number
  stdout: string
  stderr: string
}

export interface Sandbox {
  moto: MotoServer
  /** Environment for aws CLI child processes (endpoint, region, credentials, v2-compat plugin). */
  env: Record<string, string>
  /** Scratch directory, removed by close(). */
  dir: string
  sdk: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } }
  /** Runs `aws <args>`; never throws on a non-zero exit. */
  aws(...args: string[]): Promise<CliResult>
  /** Runs `aws <args> --output json` and parses stdout; throws with stderr on failure. */
  awsJson<T = Record<string, unknown>>(...args: string[]): Promise<T>
  /** Runs a bash script verbatim (tutorial commands) with the sandbox environment. */
  bash(script: string, extraEnv?: Record<string, string>): Promise<CliResult>
  close(): Promise<void>
}

export async function startSandbox(options: Partial<StartMotoOptions> = {}): Promise<Sandbox> {
  const dir = mkdtempSync(join(tmpdir(), 'spotcheck-aws-test-'))
  const moto = await startMoto({ port: 0, timeScale: 120, region: REGION, logFile: join(dir, 'moto.log'), ...options })
  const env = awsCliEnv({ endpoint: moto.endpoint, region: options.region ?? REGION, configDir: dir })
  const run = async (file: string, args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> => {
    const r = await execa(file, args, { env: { ...process.env, ...env, ...extraEnv }, reject: false, cwd: REPO_ROOT, timeout: 120_000 })
    return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) }
  }
  const sandbox: Sandbox = {
    moto,
    env,
    dir,
    sdk: {
      endpoint: moto.endpoint,
      region: options.region ?? REGION,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    },
    aws: (...args) => run('aws', args),
    awsJson: async <T>(...args: string[]) => {
      const r = await run('aws', [...args, '--output', 'json'])
      if (r.exitCode !== 0) throw new Error(`aws ${args.join(' ')} failed (${r.exitCode}): ${r.stderr}`)
      return (r.stdout.trim() ? JSON.parse(r.stdout) : {}) as T
    },
    bash: (script, extraEnv) => run('bash', ['-c', script], extraEnv),
    close: async () => {
      await moto.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return sandbox
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
/** The suite's own AWS clients (support/aws-clients.ts), pointed at the sandbox's moto. */
export function suiteClients(sb: Sandbox): AwsClients {
  return awsClients({
    AWS_REGION: sb.sdk.region,
    AWS_ENDPOINT_URL: sb.sdk.endpoint,
    AWS_ACCESS_KEY_ID: sb.sdk.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: sb.sdk.credentials.secretAccessKey,
  })
}

export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 15_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const value = await check()
      if (value !== undefined && value !== false) return value
    } catch (e) {
      last = e
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`)
}

/** Overrides a Spot pool's capacity through /spotcheck-api/ (null restores the model's). */
export async function setSpotCapacity(sb: Sandbox, instanceType: string, availabilityZone: string, capacity: number | null): Promise<void> {
  const response = await fetch(`${sb.moto.endpoint}/spotcheck-api/spot-market/capacity`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ region: sb.sdk.region, instanceType, availabilityZone, capacity }),
  })
  if (!response.ok) throw new Error(`setting capacity failed: ${response.status} ${await response.text()}`)
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
