// Killing a run at any step leaves nothing behind once `npx spotcheck cleanup` has run: the run is
// killed with SIGKILL (no chance to clean up) during Step 2, then cleanup undoes its ledger
// entry by entry against the still-running sandbox (--unwind: the path a real account takes) and
// stops the sandbox. A killed apply may have made things its state never recorded; the test adds
// one such subnet itself, so that the cleanup meets one on every run and not by chance (one was
// enough to make the VPC's destroy wait without end). Also: SIGTERM makes a run clean up after
// itself.

import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execa } from 'execa'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../../../lib/paths.ts'
import { sandboxEnvironment } from '../../../sandbox/exports.ts'
import { inspectSandbox, isAlive } from '../../../sandbox/state.ts'
import type { LedgerFile } from '../../../support/ledger.ts'
import { parseProcessFile } from '../../../support/process-identity.ts'
import { type KillableRun, startCucumber } from './killable-run.ts'

const home = mkdtempSync(join(tmpdir(), 'spotcheck-kill-'))
const env = { ...process.env, SPOTCHECK_HOME: home, SPOTCHECK_ALLURE_RESULTS: join(home, 'allure-results'), FORCE_COLOR: '0' }
const spotcheck = join(projectRoot, 'bin', 'spotcheck.ts')

function latestId(): string | undefined {
  const latest = join(home, 'runs', 'latest')
  return existsSync(latest) ? readFileSync(latest, 'utf8').trim() : undefined
}

/** The ledger of the latest run, unless that is still the run before `notId`. */
function latestLedger(notId?: string): LedgerFile | undefined {
  const id = latestId()
  if (!id || id === notId) return undefined
  const path = join(home, 'runs', id, 'ledger.json')
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as LedgerFile) : undefined
}

interface Run extends KillableRun {
  /** The run id that was latest before this run started. */
  previous?: string
}

function startRun(tags: string): Run {
  const previous = latestId()
  return { ...startCucumber(['--tags', tags], home, env), previous }
}

async function until(what: string, check: () => boolean, timeoutMs: number, run: Run): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`)
    if (run.ended()) throw new Error(`${what}: the run ended first (exit ${(await run.process).exitCode})`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

/** The AWS CLI against the run's sandbox (the real client, as a reader would call it). */
async function awsCli(sandbox: string, args: string[]): Promise<string> {
  const record = inspectSandbox(sandbox, home)
  assert.ok(record.running && record.config && record.state, `the sandbox ${sandbox} is not running`)
  const r = await execa('aws', [...args, '--output', 'text'], {
    env: { ...process.env, ...sandboxEnvironment(record.paths, record.config, record.state, process.env.PATH ?? '') },
    reject: false,
    all: true,
  })
  assert.equal(r.exitCode, 0, `aws ${args.join(' ')}:\n${r.all}`)
  return r.stdout.trim()
}

/** The id of the run's VPC (Terraform tags it with the run), once Terraform has made it. */
async function runVpc(ledger: LedgerFile): Promise<string | undefined> {
  if (ledger.target.name !== 'sandbox') return undefined
  const id = await awsCli(ledger.target.sandbox, [
    'ec2',
    'describe-vpcs',
    '--filters',
    `Name=tag:spotcheck:run,Values=${ledger.runId}`,
    '--query',
    'Vpcs[0].VpcId',
  ])
  return id && id !== 'None' ? id : undefined
}

async function killAndClean(tags: string, point: string, reached: (l: LedgerFile) => boolean, extraMs = 0): Promise<void> {
  const run = startRun(tags)
  let output = ''
  run.process.all?.on('data', (c: Buffer) => (output += c.toString()))
  let vpc: string | undefined
  try {
    await until(point, () => Boolean(latestLedger(run.previous) && reached(latestLedger(run.previous)!)), 8 * 60_000, run)
    if (extraMs) await new Promise((r) => setTimeout(r, extraMs))
    // Killed once the run's VPC exists, so that a stray can be put in it.
    const deadline = Date.now() + 4 * 60_000
    while (!(vpc = await runVpc(latestLedger(run.previous)!))) {
      if (Date.now() > deadline || run.ended()) throw new Error(`the run's VPC: not made within 4 min of ${point}`)
      await new Promise((r) => setTimeout(r, 500))
    }
  } catch (error) {
    run.process.kill('SIGKILL')
    await run.process
    throw new Error(`${(error as Error).message}\n${output.slice(-4000)}`, { cause: error })
  }
  run.process.kill('SIGKILL') // no hook runs: everything it made is still there
  await run.process
  const ledger = latestLedger()!
  const open = ledger.entries.filter((e) => e.state === 'open')
  assert.ok(open.length >= 2, `killed ${point} with ${open.length} open entries`)
  const sandbox = ledger.target.name === 'sandbox' ? ledger.target.sandbox : ''
  // What the killed apply might have been creating when it died: tagged (default_tags), in no state.
  const stray = await awsCli(sandbox, [
    'ec2',
    'create-subnet',
    '--vpc-id',
    vpc,
    '--cidr-block',
    '10.0.250.0/24',
    '--tag-specifications',
    `ResourceType=subnet,Tags=[{Key=spotcheck:run,Value=${ledger.runId}}]`,
    '--query',
    'Subnet.SubnetId',
  ])
  const cleanup = await execa(process.execPath, [spotcheck, 'cleanup', '--unwind'], { env, reject: false, all: true, timeout: 20 * 60_000 })
  assert.equal(cleanup.exitCode, 0, `cleanup after a kill ${point} failed:\n${cleanup.all}`)
  assert.ok(cleanup.all.includes(`removed subnet ${stray}`), `the stray subnet ${stray} was not removed first:\n${cleanup.all}`)
  const after = latestLedger()!
  assert.deepEqual(
    after.entries.filter((e) => e.state === 'open').map((e) => e.kind),
    [],
    'entries left open',
  )
  const undone = after.entries.filter((e) => e.state === 'undone').map((e) => e.kind)
  for (const e of open) assert.ok(['undone', 'gone'].includes(after.entries.find((x) => x.id === e.id)!.state), `#${e.id} ${e.kind}`)
  assert.ok(undone.includes('sandbox'), `the sandbox was not stopped: ${cleanup.all}`)
  // Nothing keeps running: not the sandbox, not a command the killed run had started.
  const state = join(home, 'sandboxes', sandbox, 'state.json')
  assert.ok(!existsSync(state), `the sandbox ${sandbox} still has state`)
  const groups = parseProcessFile(readFileSync(join(home, 'runs', after.runId, 'processes'), 'utf8'))
  assert.ok(groups.length > 0, 'the run recorded no process group')
  for (const g of groups) assert.ok(!isAlive(g.pgid), `process ${g.pgid} of the killed run still runs`)
  assert.match(cleanup.all, /undoing #\d+ /, 'cleanup undid entries one by one')
}

describe('a killed run, then spotcheck cleanup', { timeout: 45 * 60_000 }, () => {
  after(async () => {
    await execa(process.execPath, [spotcheck, 'sandbox', 'down', '--all'], { env, reject: false })
  })

  it('during Step 2, while Terraform creates the cluster', async () => {
    await killAndClean('@cluster', 'during terraform apply', (l) => l.entries.some((e) => e.kind === 'terraform'), 20_000)
  })

  // The later kill points (after the workload, after the FIS stack) are killed on the aws path
  // in kill-aws.test.ts, whose `cleanup --run` undoes the same entries entry by entry with the
  // same code (support/undo.ts) and then proves the account empty; repeating them here would
  // only add ten minutes to CI.

  it('SIGTERM: the run cleans up after itself and exits 143', async () => {
    const run = startRun('@nodepool')
    await until('the NodePool step', () => Boolean(latestLedger(run.previous)?.entries.some((e) => e.kind === 'karpenter')), 8 * 60_000, run)
    run.process.kill('SIGTERM')
    const r = await run.process
    assert.equal(r.exitCode, 143, `exit ${r.exitCode ?? r.signal}\n${String(r.all).slice(-3000)}`)
    const ledger = latestLedger()!
    assert.deepEqual(
      ledger.entries.filter((e) => e.state === 'open').map((e) => e.kind),
      [],
      'the run left entries open',
    )
    assert.ok(!existsSync(join(home, 'sandboxes', ledger.target.name === 'sandbox' ? ledger.target.sandbox : '', 'state.json')), 'its sandbox still runs')
  })
})
