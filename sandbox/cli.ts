// `spotcheck sandbox up | down | status | env | snapshot save|restore|list`
//
// stdout carries only what a shell should evaluate (the `export` lines of `up` and `env`);
// progress and errors go to stderr, so `eval "$(npx spotcheck sandbox up)"` stays safe.

import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { AsOfError, parseAsOf, platformView, PlatformRangeError, today } from '../platform/index.ts'
import { awsCliEnv } from './aws/moto-process.ts'
import { sandboxEnvironment, shellExports } from './exports.ts'
import { describeMissing, probePrerequisites } from './prerequisites.ts'
import { inspectSandbox, isAlive, listSandboxes, removeSandboxDir, sandboxName, writeJson, type SandboxConfig, type SandboxRecord } from './state.ts'
import { findProviderMirror, terraformCliConfig } from './terraform-config.ts'
import { listSnapshots, restoreSnapshot, saveSnapshot, SnapshotError } from './snapshots.ts'
import { UsageError } from '../lib/errors.ts'
import { projectRoot, spotcheckHome as sandboxHome } from '../lib/paths.ts'

const DEFAULT_REGION = 'eu-west-2' // the tutorial's sample output is from London
const DEFAULT_TIME_SCALE = 20

const USAGE = `Usage: spotcheck sandbox <command> [options]

Commands:
  up       start the sandbox in the background and print its shell exports
  down     stop every process the sandbox started and remove its state
  status   say what runs where
  env      print the shell exports of a running sandbox
  snapshot save NAME [--dir PATH]      save the running sandbox's whole state (AWS, clusters,
                                       tutorial clock) as <home>/snapshots/NAME; --dir keeps a
                                       working directory with it (e.g. your Terraform directory)
  snapshot restore NAME [--dir PATH]   restore it into the running sandbox (start a fresh one
                                       with the snapshot's --as-of and --region first); --dir
                                       puts the saved working directory back there (replacing
                                       what PATH holds)
  snapshot list                        the snapshots saved, with their format and date

Options:
  --name NAME        sandbox name (default: $SPOTCHECK_SANDBOX or "default"); several run side by side
  --region REGION    AWS region (up; default: $AWS_REGION or ${DEFAULT_REGION})
  --time-scale N     tutorial time runs N times faster (up; default ${DEFAULT_TIME_SCALE})
  --spot-seed N      seed of the Spot market model (up; default 1)
  --aws-port PORT    fixed port for the AWS APIs (up; default: a free port)
  --as-of YYYY-MM-DD the sandbox's AWS answers as AWS did on that day: the EKS versions it
                     offered, its EKS-optimized AMIs, Cloud9 (up; default: today, UTC).
                     Sandboxes of different days run side by side under different --name;
                     "today" is taken too
  --edition NAME     up: which edition of the tutorial runs on this sandbox (as-written or
                     current), shown by status; a label: the sandbox is a day of the platform,
                     and the run or the reader picks the edition (spotcheck's runs set it)
  --all              down: stop every sandbox; status: show every sandbox
  --dir PATH         snapshot save/restore: the working directory saved and restored with it

Try the tutorial by hand:
  eval "$(npx spotcheck sandbox up)"
  …the tutorial's commands…
  npx spotcheck sandbox down

Try it as it was written (EKS 1.29 was offered then):
  eval "$(npx spotcheck sandbox up --name tutorial-day --as-of 2024-01-29)"
`

const err = (line: string) => process.stderr.write(`${line}\n`)

export async function sandboxCli(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      region: { type: 'string' },
      'time-scale': { type: 'string' },
      'spot-seed': { type: 'string' },
      'aws-port': { type: 'string' },
      'as-of': { type: 'string' },
      edition: { type: 'string' },
      all: { type: 'boolean' },
      dir: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  const command = positionals[0]
  if (values.help || !command) {
    process.stderr.write(USAGE)
    return command ? 0 : 2
  }
  const name = sandboxName(values.name)
  switch (command) {
    case 'up':
      return up(name, {
        region: values.region ?? process.env.AWS_REGION ?? DEFAULT_REGION,
        timeScale: numberOption('--time-scale', values['time-scale'], DEFAULT_TIME_SCALE),
        spotSeed: numberOption('--spot-seed', values['spot-seed'], 1),
        awsPort: numberOption('--aws-port', values['aws-port'], 0),
        asOf: asOfOption(values['as-of']),
        asOfGiven: values['as-of'] !== undefined,
        edition: editionOption(values.edition),
      })
    case 'down':
      return values.all ? downAll() : down(name)
    case 'status':
      return status(values.all ? undefined : name)
    case 'env':
      return env(name)
    case 'snapshot':
      return snapshotCommand(name, positionals.slice(1), values.dir)
    default:
      throw new UsageError(`unknown command "sandbox ${command}"\n\n${USAGE}`)
  }
}

function numberOption(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${flag} must be a non-negative number, got "${value}"`)
  return n
}

/**
 * The sandbox's date: YYYY-MM-DD, a real day, not after today, and one the platform table
 * (fixtures/platform.yaml) describes. Anything else is a usage error (exit 2) naming the value.
 */
export function asOfOption(value: string | undefined): string {
  let asOf: string
  try {
    asOf = value === undefined || value === 'today' ? today() : parseAsOf(value, { name: '--as-of' })
    platformView(asOf) // a day before the table's first fact cannot be served
  } catch (error) {
    if (error instanceof AsOfError) throw new UsageError(error.message)
    if (error instanceof PlatformRangeError) throw new UsageError(`--as-of ${asOf!}: ${error.message}; give a YYYY-MM-DD date within it`)
    throw error
  }
  return asOf
}

/** The tutorial's editions (support/editions/edition.ts EditionName), a label on the sandbox. */
const EDITIONS = ['as-written', 'current']

function editionOption(value: string | undefined): string | undefined {
  if (value === undefined || EDITIONS.includes(value)) return value
  throw new UsageError(`--edition ${JSON.stringify(value)} is not an edition of the tutorial: give ${EDITIONS.join(' or ')}`)
}

interface UpOptions {
  region: string
  timeScale: number
  spotSeed: number
  awsPort: number
  asOf: string
  /** --as-of was given (not today's default): a running sandbox of another day is an error. */
  asOfGiven: boolean
  edition?: string
}

async function up(name: string, options: UpOptions): Promise<number> {
  const existing = inspectSandbox(name)
  if (existing.running && existing.config && options.asOfGiven && existing.config.asOf !== options.asOf) {
    err(
      `sandbox "${name}" is already running as of ${existing.config.asOf ?? 'an unknown day'}, not ${options.asOf}; stop it first (npx spotcheck sandbox down --name ${name}) or start another with --name`,
    )
    return 1
  }
  if (existing.running && existing.state?.ready && existing.config) {
    err(`sandbox "${name}" is already running (pid ${existing.state.pid}, AWS APIs at ${existing.state.awsEndpoint}); reusing it`)
    process.stdout.write(shellExports(sandboxEnvironment(existing.paths, existing.config, existing.state)))
    return 0
  }
  if (existing.running) {
    throw new Error(`sandbox "${name}" is starting or broken (pid ${existing.state?.pid}); run: npx spotcheck sandbox down --name ${name}`)
  }
  if (options.timeScale <= 0) throw new UsageError('--time-scale must be greater than 0')

  err(`sandbox "${name}": checking prerequisites…`)
  const missing = describeMissing(await probePrerequisites())
  for (const line of missing) err(line)
  if (missing.some((l) => l.startsWith('missing'))) return 1

  await removeSandboxDir(existing.paths) // leftovers of a sandbox that was killed
  const paths = existing.paths
  await mkdir(paths.dir, { recursive: true })
  const config: SandboxConfig = {
    name,
    region: options.region,
    timeScale: options.timeScale,
    spotSeed: options.spotSeed,
    // moto accepts any credentials; the API server verifies EKS tokens signed with these.
    accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64url'),
    awsPort: options.awsPort,
    controlPort: 0,
    asOf: options.asOf,
    ...(options.edition ? { edition: options.edition } : {}),
  }
  await writeJson(paths.config, config)
  const mirror = findProviderMirror()
  await writeFile(paths.terraformrc, terraformCliConfig({ pluginCacheDir: join(sandboxHome(), 'terraform-plugin-cache'), mirror }))
  await mkdir(join(sandboxHome(), 'terraform-plugin-cache'), { recursive: true })
  awsCliEnv({ endpoint: '', region: config.region, configDir: paths.dir }) // writes paths.awsConfig
  err(`sandbox "${name}": Terraform providers from ${mirror ? `the local mirror ${mirror.path}` : 'the Terraform registry'}`)

  err(`sandbox "${name}": starting (region ${config.region}, time scale ×${config.timeScale}, AWS as of ${config.asOf})…`)
  const logFd = openSync(paths.daemonLog, 'a')
  const daemon = spawn(process.execPath, [join(projectRoot, 'sandbox', 'daemon.ts'), '--name', name], {
    detached: true, // its own process group, so `down` can signal it and nothing it started outlives it
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  })
  closeSync(logFd)
  daemon.unref()

  const record = await waitUntilReady(name, daemon.pid!, 90_000)
  if (!record.state?.ready) {
    err(`sandbox "${name}" did not start: ${record.state?.error ?? 'no answer in time'}`)
    err(`last lines of ${record.paths.daemonLog}:`)
    err(tail(record.paths.daemonLog, 15))
    await down(name, true)
    return 1
  }
  err(`sandbox "${name}" is up: AWS APIs at ${record.state.awsEndpoint}`)
  process.stdout.write(shellExports(sandboxEnvironment(record.paths, record.config!, record.state)))
  return 0
}

async function waitUntilReady(name: string, pid: number, timeoutMs: number): Promise<SandboxRecord> {
  const deadline = Date.now() + timeoutMs
  let announced = 0
  for (;;) {
    const record = inspectSandbox(name)
    if (record.state?.ready || record.state?.error) return record
    if (!isAlive(pid)) return record
    if (Date.now() > deadline) return record
    const waited = Math.round((Date.now() - (deadline - timeoutMs)) / 1000)
    if (waited - announced >= 5) {
      announced = waited
      err(`sandbox "${name}": still starting (${waited}s)…`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}

function tail(file: string, lines: number): string {
  if (!existsSync(file)) return '(no log)'
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
}

/** Stops the daemon and everything it started, waits until they are gone, removes the state. */
async function down(name: string, quiet = false): Promise<number> {
  const record = inspectSandbox(name)
  if (!existsSync(record.paths.dir)) {
    if (!quiet) err(`sandbox "${name}" is not running`)
    return 0
  }
  const pids = [record.state?.pid, record.state?.awsPid].filter((p): p is number => Boolean(p))
  if (record.state?.pid && isAlive(record.state.pid)) {
    if (!quiet) err(`sandbox "${name}": stopping (pid ${record.state.pid})…`)
    signalGroup(record.state.pid, 'SIGTERM')
    const deadline = Date.now() + 20_000
    while (isAlive(record.state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
  }
  // Whatever survived (a daemon killed with -9 leaves moto behind): kill the process groups.
  for (const pid of pids) if (isAlive(pid)) signalGroup(pid, 'SIGKILL')
  const deadline = Date.now() + 5_000
  while (pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  await removeSandboxDir(record.paths)
  if (!quiet) err(`sandbox "${name}" is down`)
  return 0
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal)
      return
    } catch {
      // not a group leader, or already gone: try the next form
    }
  }
}

async function downAll(): Promise<number> {
  for (const record of await listSandboxes()) await down(record.paths.name)
  return 0
}

async function status(name?: string): Promise<number> {
  const records = name ? [inspectSandbox(name)] : await listSandboxes()
  if (records.length === 0 || (name && !existsSync(records[0].paths.dir))) {
    err(name ? `sandbox "${name}" is not running` : 'no sandbox is running')
    return name ? 3 : 0
  }
  for (const r of records) {
    const s = r.state
    const c = r.config
    if (!r.running || !s) {
      err(`sandbox "${r.paths.name}": not running (stale state in ${r.paths.dir}; \`spotcheck sandbox down --name ${r.paths.name}\` clears it)`)
      continue
    }
    const uptime = Math.round((Date.now() - Date.parse(s.startedAt)) / 1000)
    err(
      `sandbox "${r.paths.name}": ${s.ready ? 'running' : 'starting'} (pid ${s.pid}, up ${uptime}s, region ${c?.region}, time scale ×${c?.timeScale}, AWS as of ${c?.asOf ?? 'an unknown day'})`,
    )
    err(
      `  edition                ${c?.edition ?? 'not set: this sandbox is the platform of its day; each run picks the edition (npx cucumber-js -p current), and by hand you do'}`,
    )
    err(`  AWS APIs (moto)        ${s.awsEndpoint}   pid ${s.awsPid}`)
    for (const cluster of s.clusters) {
      err(`  EKS cluster ${cluster.name.padEnd(10)} ${cluster.endpoint || '(no API server)'}   Kubernetes ${cluster.kubernetesVersion}`)
    }
    if (s.clusters.length === 0) err('  no EKS cluster yet (the tutorial creates one in Step 2)')
    err(`  control endpoint       ${s.controlUrl}`)
    err(`  state                  ${r.paths.dir}`)
  }
  return 0
}

async function env(name: string): Promise<number> {
  const record = inspectSandbox(name)
  if (!record.running || !record.state?.ready || !record.config) {
    err(`sandbox "${name}" is not running; start it with: eval "$(npx spotcheck sandbox up${name === 'default' ? '' : ` --name ${name}`})"`)
    return 3
  }
  process.stdout.write(shellExports(sandboxEnvironment(record.paths, record.config, record.state)))
  return 0
}

async function snapshotCommand(sandbox: string, args: string[], dir: string | undefined): Promise<number> {
  const [action, snapshot] = args
  const home = sandboxHome()
  try {
    if (action === 'list') {
      const all = await listSnapshots(home)
      if (all.length === 0) err(`no snapshots in ${join(home, 'snapshots')}`)
      for (const s of all) {
        const meta = Object.entries(s.meta ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')
        process.stdout.write(
          `${s.name}\tformat ${s.format}\t${s.createdAt}\t${s.sandbox?.region} as of ${s.sandbox?.asOf}\t${(s.clusters ?? []).map((c) => c.name).join(',') || '-'}\t${meta}\n`,
        )
      }
      return 0
    }
    if ((action !== 'save' && action !== 'restore') || !snapshot)
      throw new UsageError(`usage: spotcheck sandbox snapshot save|restore NAME [--name SANDBOX] [--dir PATH] | spotcheck sandbox snapshot list`)
    const files = dir ? { dir: resolve(dir) } : undefined
    if (action === 'save') {
      const manifest = await saveSnapshot({ sandbox, home, name: snapshot, files, meta: { savedBy: 'spotcheck sandbox snapshot save' } })
      err(
        `snapshot ${snapshot} saved from sandbox "${sandbox}" (format ${manifest.format}, ${manifest.clusters.length} cluster(s)${dir ? `, --dir ${dir}` : ''})`,
      )
    } else {
      const { clusters } = await restoreSnapshot({ sandbox, home, name: snapshot, files })
      err(`snapshot ${snapshot} restored into sandbox "${sandbox}"${dir ? ` (--dir ${dir})` : ''}`)
      for (const c of clusters) err(`  EKS cluster ${c.name}: ${c.endpoint}${c.endpoint === c.previousEndpoint ? '' : ` (was ${c.previousEndpoint})`}`)
    }
    return 0
  } catch (error) {
    if (!(error instanceof SnapshotError)) throw error
    err(error.message)
    return 1
  }
}
