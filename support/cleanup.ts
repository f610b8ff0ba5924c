// `npx spotcheck cleanup [run-id]`: finish what a killed run could not — undo its ledger.
//
// A run that ends normally, fails, or is interrupted with Ctrl-C or SIGTERM cleans up after itself.
// One that is killed (SIGKILL, a closed laptop, a CI timeout) leaves its ledger on disk; this
// command reads it and undoes what is still there, newest first, with the same code.

import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { awsClients } from './aws-clients.ts'
import { Ledger, type LedgerFile } from './ledger.ts'
import { latestRunFile, runsDir, spotcheckHome } from './run.ts'
import { rehearsalCleanupEnvironment } from './target.ts'
import { describe, settle, undo, unwind, type UndoContext } from './undo.ts'
import { sandboxEnvironment, sandboxBinDir } from '../sandbox/exports.ts'
import { inspectSandbox, isAlive } from '../sandbox/state.ts'

const USAGE = `Usage: spotcheck cleanup [RUN-ID] [options]

Undoes what a run created and did not remove (its cleanup ledger, newest first): Kubernetes
objects and Karpenter's nodes, CloudFormation stacks, Terraform (in the tutorial's destroy order),
and last the run's sandbox. Without RUN-ID: the latest run.

Options:
  --list     list the runs that still have something to undo
  --unwind   sandbox runs: undo each entry before stopping the sandbox (stopping it alone
             removes everything in it; this exercises the same path as a real account)
`

export class CleanupUsageError extends Error {}

export async function cleanupCli(argv: string[], log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { list: { type: 'boolean' }, unwind: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } })
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
  const id = positionals[0] ?? (existsSync(latestRunFile(home)) ? readFileSync(latestRunFile(home), 'utf8').trim() : undefined)
  if (!id) throw new CleanupUsageError(`no run to clean up: ${latestRunFile(home)} does not exist (pass a run id; see --list)`)
  const path = join(runsDir(home), id, 'ledger.json')
  if (!existsSync(path)) throw new CleanupUsageError(`no run "${id}": ${path} does not exist (see spotcheck cleanup --list)`)
  const ledger = Ledger.open(path)
  const pid = ledger.header.pid
  if (pid && pid !== process.pid && isAlive(pid)) {
    throw new CleanupUsageError(`run ${id} is still running (pid ${pid}): stop it with Ctrl-C or SIGTERM — it cleans up after itself — or kill it, then run this again`)
  }
  if (ledger.toUndo.length === 0) {
    log(`run ${id}: nothing left to undo`)
    return 0
  }
  return cleanupRun(ledger, { unwind: Boolean(values.unwind), log })
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
    const env = { ...base, ...sandboxEnvironment(record.paths, record.config, record.state, process.env.PATH ?? '') }
    return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>
  }
  return {
    ...base,
    AWS_REGION: target.region,
    AWS_DEFAULT_REGION: target.region,
    KUBECONFIG: header.kubeconfig,
    SPOTCHECK_TARGET: 'aws',
    PATH: `${sandboxBinDir}:${process.env.PATH ?? ''}`,
    TF_VAR_run_id: header.runId,
    TF_IN_AUTOMATION: '1',
    AWS_PAGER: '',
  }
}

/**
 * Stops the process groups a killed run's terminal left running: Ctrl-C first (Terraform saves
 * its state on it), SIGKILL after `graceMs`.
 */
export async function stopLeftoverProcesses(runDir: string, log: (line: string) => void, graceMs = 60_000): Promise<number> {
  const file = join(runDir, 'processes')
  if (!existsSync(file)) return 0
  const alive = (pid: number) => {
    try {
      process.kill(-pid, 0)
      return true
    } catch {
      return false
    }
  }
  const groups = [...new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number))].filter(alive)
  if (groups.length === 0) return 0
  log(`stopping ${groups.length} command(s) the run left running (process groups ${groups.join(', ')})`)
  for (const pid of groups) process.kill(-pid, 'SIGINT')
  const deadline = Date.now() + graceMs
  while (groups.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250))
  for (const pid of groups.filter(alive)) process.kill(-pid, 'SIGKILL')
  return groups.length
}

export async function cleanupRun(ledger: Ledger, options: { unwind: boolean; log: (line: string) => void }): Promise<number> {
  const { log } = options
  const header = ledger.header
  await stopLeftoverProcesses(dirname(ledger.path), log)
  log(`run ${header.runId} (${header.target.name}): ${ledger.toUndo.length} thing(s) to undo`)
  for (const e of ledger.toUndo) log(`  #${e.id} ${describe(e)}`)
  const env = environmentFor(header)
  const sandbox = ledger.toUndo.find((e) => e.kind === 'sandbox')
  if (!env) {
    // A sandbox that no longer runs took everything in it along.
    log(`the sandbox of run ${header.runId} is not running: everything it held is gone`)
    for (const e of ledger.toUndo) ledger.mark(e.id, 'gone')
    return 0
  }
  const aws = awsClients(env)
  try {
    const ctx: UndoContext = { env, workDir: header.workDir, aws, log: (l) => log(l) }
    let failed = false
    if (header.target.name === 'aws' || options.unwind) {
      await settle(ledger, ctx, { except: ['sandbox'] })
      const report = await unwind(ledger, ctx, { except: ['sandbox'] })
      for (const f of report.failed) log(`left: #${f.entry.id} ${describe(f.entry)}: ${f.remains.join('; ')}${f.error ? ` (${f.error})` : ''}`)
      failed = report.failed.length > 0
      if (failed && header.target.name === 'aws') return 1
    }
    if (sandbox) {
      await undo(sandbox, ctx)
      for (const e of ledger.toUndo) ledger.mark(e.id, e.id === sandbox.id ? 'undone' : 'gone')
    }
    const left = ledger.toUndo
    log(left.length === 0 ? `run ${header.runId}: nothing left` : `run ${header.runId}: ${left.length} thing(s) left`)
    return left.length === 0 && !failed ? 0 : 1
  } finally {
    aws.destroy()
  }
}
