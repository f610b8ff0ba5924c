// `npx spotcheck cleanup [run-id]`: finish what a killed run could not — undo its ledger.
//
// A run that ends normally, fails, or is interrupted with Ctrl-C or SIGTERM cleans up after itself.
// One that is killed (SIGKILL, a closed laptop, a CI timeout) leaves its ledger on disk; this
// command reads it and undoes what is still there, newest first, with the same code. When this
// machine has no ledger of the run (the runner was ephemeral), it brings the run back from the
// state bucket (support/remote-state.ts): the ledger and the Terraform configuration, whose state
// is in the bucket already. It acts only in the account the run recorded.

import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { UsageError, messageOf } from '../lib/errors.ts'
import { sleep } from '../lib/sleep.ts'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { execa } from 'execa'
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts'
import { awsClients } from './aws-clients.ts'
import { Ledger, type LedgerFile } from './ledger.ts'
import { groupStatus, parseProcessFile } from './process-identity.ts'
import { RemoteState, remoteLedger, removeStaleTerraformLocks, restoreRun, s3Client, stateBucketName } from './remote-state.ts'
import { releaseRunLock, ssmClient } from './run-lock.ts'
import { CLUSTER_NAME, latestRunFile, runsDir } from './run.ts'
import { spotcheckHome } from '../lib/paths.ts'
import { cleanEnv, rehearsalCleanupEnvironment } from './target.ts'
import { describe, settle, undo, unwind, type UndoContext } from './undo.ts'
import { standInsDir } from '../lib/paths.ts'
import { inspectSandbox, isAlive, listSandboxes, sandboxEnvironment } from './sandbox-target.ts'

const USAGE = `Usage: spotcheck cleanup [--run RUN-ID] [options]

Undoes what a run created and did not remove (its cleanup ledger, newest first): Kubernetes
objects and Karpenter's nodes, CloudFormation stacks, Terraform (in the tutorial's destroy order),
and last the run's sandbox. Without --run: the latest run.

A run on the aws target with a state bucket (SPOTCHECK_STATE_BUCKET) can be cleaned up from any
machine: without a local ledger, the run's ledger and Terraform configuration come from
s3://BUCKET/spotcheck/REGION/runs/RUN-ID/, and Terraform destroys through the S3 backend. It acts
only in the account the run recorded (STS must say the same), and releases the run's lock.

Options:
  --run ID        the run (also accepted as the first argument)
  --bucket NAME   the state bucket (default: $SPOTCHECK_STATE_BUCKET)
  --region R      the run's region, for the remote copy (default: $AWS_REGION)
  --list          list the local runs that still have something to undo
  --unwind        sandbox runs: undo each entry before stopping the sandbox (stopping it alone
                  removes everything in it; this exercises the same path as a real account)
  --keep-sandbox  a rehearsal: leave its sandbox (its "account") running, e.g. for spotcheck reap
`

/** Cleanup will not act: another account than the run's, or no account to check against. */
export class CleanupRefusedError extends UsageError {}

export async function cleanupCli(argv: string[], log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      run: { type: 'string' },
      bucket: { type: 'string' },
      region: { type: 'string' },
      list: { type: 'boolean' },
      unwind: { type: 'boolean' },
      'keep-sandbox': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    process.stderr.write(USAGE)
    return 0
  }
  const home = spotcheckHome()
  if (values.list) {
    for (const id of runIds(home)) {
      const open = Ledger.open(join(runsDir(home), id, 'ledger.json')).toUndo
      if (open.length > 0) process.stdout.write(`${id}  ${open.length} to undo: ${open.map((e) => e.kind).join(', ')}\n`)
    }
    return 0
  }
  if (values.run && positionals[0] && values.run !== positionals[0]) throw new UsageError(`two runs named: --run ${values.run} and ${positionals[0]}`)
  const id = values.run ?? positionals[0] ?? (existsSync(latestRunFile(home)) ? readFileSync(latestRunFile(home), 'utf8').trim() : undefined)
  if (!id) throw new UsageError(`no run to clean up: ${latestRunFile(home)} does not exist (pass --run <id>; see --list)`)
  if (!/^[A-Za-z0-9._-]+$/.test(id)) throw new UsageError(`"${id}" is not a run id (like 20260106020000-ab12)`)
  const runDir = join(runsDir(home), id)
  let path = join(runDir, 'ledger.json')
  if (!existsSync(path)) {
    const bucket = stateBucketName({ stateBucket: values.bucket })
    if (!bucket)
      throw new UsageError(
        `no run "${id}": ${path} does not exist (see spotcheck cleanup --list), and no state bucket to look in (--bucket or SPOTCHECK_STATE_BUCKET)`,
      )
    path = await restoreFromBucket(id, runDir, { bucket, region: values.region, log })
  }
  const ledger = Ledger.open(path)
  const pid = ledger.header.pid
  if (pid && pid !== process.pid && isAlive(pid)) {
    throw new UsageError(
      `run ${id} is still running (pid ${pid}): stop it with Ctrl-C or SIGTERM — it cleans up after itself — or kill it, then run this again`,
    )
  }
  return cleanupRun(ledger, { unwind: Boolean(values.unwind), keepSandbox: Boolean(values['keep-sandbox']), log })
}

/**
 * The run from the state bucket. A rehearsal's bucket is in its sandbox: the running sandboxes of
 * this spotcheck home are asked first (each is local and answers at once), then the account of
 * the environment's credentials.
 */
async function restoreFromBucket(id: string, runDir: string, options: { bucket: string; region?: string; log: (line: string) => void }): Promise<string> {
  for (const record of await listSandboxes()) {
    if (!record.running || !record.config || !record.state) continue
    const env = cleanEnv(sandboxEnvironment(record.paths, record.config, record.state, ''))
    const s3 = s3Client(env)
    try {
      const found = await remoteLedger(s3, options.bucket, options.region ?? record.config.region, id).catch(() => undefined)
      if (found) {
        options.log(`run ${id}: found in the state bucket of the sandbox "${record.config.name}" (a rehearsal)`)
        return await restoreRun(s3, { bucket: options.bucket, region: options.region ?? record.config.region, runId: id, runDir, log: options.log })
      }
    } finally {
      s3.destroy()
    }
  }
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION
  if (!region) throw new UsageError(`no region to look for run "${id}" in: set AWS_REGION or pass --region`)
  const s3 = s3Client({ ...process.env, AWS_REGION: region })
  try {
    return await restoreRun(s3, { bucket: options.bucket, region, runId: id, runDir, log: options.log })
  } finally {
    s3.destroy()
  }
}

function runIds(home: string): string[] {
  const dir = runsDir(home)
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'ledger.json')))
    .map((d) => d.name)
    .sort()
}

/** The environment the run's commands had, rebuilt without the run: never any secret from the ledger. */
export function environmentFor(header: Omit<LedgerFile, 'entries'>): Record<string, string> | undefined {
  const base: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) base[k] = v
  const target = header.target
  // A rehearsal's account is its sandbox (undefined once stopped: everything went with it).
  if (target.name === 'aws' && target.rehearsalSandbox) return rehearsalCleanupEnvironment(header)
  if (target.name === 'sandbox') {
    const record = inspectSandbox(target.sandbox, target.home)
    if (!record.running || !record.config || !record.state) return undefined
    return cleanEnv({ ...base, ...sandboxEnvironment(record.paths, record.config, record.state, process.env.PATH ?? '') })
  }
  return cleanEnv({
    ...base,
    AWS_REGION: target.region,
    AWS_DEFAULT_REGION: target.region,
    KUBECONFIG: header.kubeconfig,
    SPOTCHECK_TARGET: 'aws',
    PATH: `${standInsDir}:${process.env.PATH ?? ''}`,
    TF_VAR_run_id: header.runId,
    TF_IN_AUTOMATION: '1',
    AWS_PAGER: '',
    AWS_DEFAULT_OUTPUT: 'json', // as the run had it (support/target.ts)
  })
}

/**
 * Stops the process groups a killed run's terminal left running: Ctrl-C first (Terraform saves
 * its state and releases its lock on it), SIGKILL after `graceMs`. Only groups that are still the
 * run's (support/process-identity.ts): a recycled id belongs to someone else.
 */
export async function stopLeftoverProcesses(runDir: string, log: (line: string) => void, graceMs = 60_000): Promise<number> {
  const file = join(runDir, 'processes')
  if (!existsSync(file)) return 0
  const recorded = parseProcessFile(readFileSync(file, 'utf8'))
  const groups: number[] = []
  for (const g of recorded) {
    const status = groupStatus(g)
    if (status === 'ours') groups.push(g.pgid)
    else if (status === 'reused') log(`process group ${g.pgid}: its id now belongs to a process the run did not start; left alone`)
  }
  if (groups.length === 0) return 0
  const alive = (pgid: number) => groupStatus(recorded.find((g) => g.pgid === pgid)!) === 'ours'
  log(`stopping ${groups.length} command(s) the run left running (process groups ${groups.join(', ')})`)
  for (const pid of groups) signalGroup(pid, 'SIGINT')
  const deadline = Date.now() + graceMs
  while (groups.some(alive) && Date.now() < deadline) await sleep(250)
  for (const pid of groups.filter(alive)) signalGroup(pid, 'SIGKILL')
  return groups.length
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal)
  } catch {
    // gone meanwhile
  }
}

/**
 * The account the credentials of `env` are in must be the one the run recorded: with other
 * credentials Terraform's refresh sees NotFound, empties its state, and the ledger would settle
 * "undone" while the run's account leaks.
 */
export async function checkCleanupAccount(header: Omit<LedgerFile, 'entries'>, env: Record<string, string>): Promise<string> {
  const aws = awsClients(env)
  let caller: string
  try {
    caller = (await aws.sts.send(new GetCallerIdentityCommand({}))).Account!
  } finally {
    aws.destroy()
  }
  const recorded = header.account ?? process.env.SPOTCHECK_AWS_ACCOUNT?.trim()
  if (!recorded) {
    throw new CleanupRefusedError(
      `Refusing to clean up run ${header.runId}: its ledger does not record the account it ran in (it stopped before its target started, or predates spotcheck recording it). Your credentials are for account ${caller}; if that is the run's, say so: SPOTCHECK_AWS_ACCOUNT=${caller} npx spotcheck cleanup --run ${header.runId}`,
    )
  }
  if (recorded !== caller) {
    throw new CleanupRefusedError(
      `Refusing to clean up run ${header.runId}: it ran in account ${recorded}, but your credentials are for account ${caller}. Switch to credentials for account ${recorded} and run this again.`,
    )
  }
  return caller
}

export async function cleanupRun(ledger: Ledger, options: { unwind: boolean; keepSandbox?: boolean; log: (line: string) => void }): Promise<number> {
  const { log } = options
  const header = ledger.header
  if (ledger.toUndo.length === 0) {
    log(`run ${header.runId}: nothing left to undo`)
    return 0
  }
  await stopLeftoverProcesses(dirname(ledger.path), log)
  log(`run ${header.runId} (${header.target.name}${header.rehearsal ? ', a rehearsal' : ''}): ${ledger.toUndo.length} thing(s) to undo`)
  for (const e of ledger.toUndo) log(`  #${e.id} ${describe(e)}`)
  const env = environmentFor(header)
  const sandbox = ledger.toUndo.find((e) => e.kind === 'sandbox')
  if (!env) {
    // A sandbox that no longer runs took everything in it along (a rehearsal's account too).
    log(`the sandbox of run ${header.runId} is not running: everything it held is gone`)
    for (const e of ledger.toUndo) ledger.mark(e.id, 'gone')
    return 0
  }
  const onAws = header.target.name === 'aws'
  if (onAws) await checkCleanupAccount(header, env)
  const aws = awsClients(env)
  let remote: RemoteState | undefined
  try {
    if (onAws && header.stateBucket) {
      const s3 = s3Client(env)
      // No process of the run lives any more (checked above): the Terraform locks it left are stale.
      await removeStaleTerraformLocks(s3, { bucket: header.stateBucket, region: header.target.region, runId: header.runId, log })
      remote = new RemoteState(s3, header.stateBucket, header.target.region, header.runId, header.workDir, log)
      const mirror = remote
      ledger.onSave((data) => mirror.mirrorLedger(data))
    }
    if (onAws) await restoreKubeconfig(header, env, log)
    // runId: the sandbox's environment has no TF_VAR_run_id, and the undo finds the run's VPCs
    // (stray ENIs, what a killed apply never recorded) by its tag.
    const ctx: UndoContext = { env, workDir: header.workDir, aws, log: (l) => log(l), runId: header.runId }
    let failed = false
    if (onAws || options.unwind) {
      await settle(ledger, ctx, { except: ['sandbox'] })
      const report = await unwind(ledger, ctx, { except: ['sandbox'] })
      for (const f of report.failed) log(`left: #${f.entry.id} ${describe(f.entry)}: ${f.remains.join('; ')}${f.error ? ` (${f.error})` : ''}`)
      failed = report.failed.length > 0
    }
    if (onAws) {
      await remote?.close()
      remote = undefined
      if (failed) return 1
      await releaseLockOf(header.runId, header.target.region, env, log)
    }
    if (sandbox && options.keepSandbox) {
      log(
        `--keep-sandbox: the sandbox "${sandbox.kind === 'sandbox' ? sandbox.name : ''}" keeps running; stop it with: npx spotcheck sandbox down --name ${sandbox.kind === 'sandbox' ? sandbox.name : ''}`,
      )
    } else if (sandbox) {
      await undo(sandbox, ctx)
      for (const e of ledger.toUndo) ledger.mark(e.id, e.id === sandbox.id ? 'undone' : 'gone')
    }
    const left = ledger.toUndo.filter((e) => !(options.keepSandbox && e.kind === 'sandbox'))
    log(left.length === 0 ? `run ${header.runId}: nothing left` : `run ${header.runId}: ${left.length} thing(s) left`)
    return left.length === 0 && !failed ? 0 : 1
  } finally {
    await remote?.close()
    aws.destroy()
  }
}

/**
 * A run brought back from the bucket has no kubeconfig: the tutorial's own update-kubeconfig
 * writes it again if the cluster still exists, so that workloads and NodePools are deleted
 * through the cluster (and Karpenter removes its nodes) before Terraform destroys it.
 */
async function restoreKubeconfig(header: Omit<LedgerFile, 'entries'>, env: Record<string, string>, log: (line: string) => void): Promise<void> {
  if (!header.kubeconfig || existsSync(header.kubeconfig)) return
  const r = await execa('aws', ['eks', 'update-kubeconfig', '--region', header.target.region, '--name', CLUSTER_NAME, '--kubeconfig', header.kubeconfig], {
    env,
    extendEnv: false,
    reject: false,
    all: true,
    timeout: 120_000,
  })
  log(
    r.exitCode === 0
      ? `kubeconfig for the cluster ${CLUSTER_NAME} written again to ${header.kubeconfig}`
      : `no cluster ${CLUSTER_NAME} to connect to (${String(r.all).trim().split('\n').pop()})`,
  )
}

async function releaseLockOf(runId: string, region: string, env: Record<string, string>, log: (line: string) => void): Promise<void> {
  const ssm = ssmClient(env)
  try {
    const result = await releaseRunLock(ssm, region, runId)
    if (result === 'released') log(`run lock of ${region} released`)
  } catch (error) {
    log(`run lock: could not check or release it (${messageOf(error)})`)
  } finally {
    ssm.destroy()
  }
}
