// State that survives the runner, against moto (the sandbox's AWS): the run lock (SSM, created
// with Overwrite: false), the state bucket check, Terraform's S3 backend with native locking as
// spotcheck writes it, and `spotcheck cleanup --run <id>` from the bucket alone after the runner's
// disk is gone — and its refusal to act in an account other than the run's.
// moto stands in for AWS here: what it cannot prove is cited in the modules (AWS docs).

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execa } from 'execa'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation'
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { SSMClient } from '@aws-sdk/client-ssm'
import { Ledger, type LedgerFile } from '../../../support/ledger.ts'
import { RemoteState, StateBucketError, checkStateBucket, ledgerKey, s3Client, terraformStateKey, writeBackendOverride } from '../../../support/remote-state.ts'
import { RunLockHeldError, acquireRunLock, readRunLock, releaseRunLock } from '../../../support/run-lock.ts'
import { projectRoot } from '../../../lib/paths.ts'
import { ACCOUNT, REGION, startSandbox, type Sandbox } from '../aws/helpers.ts'

const spotcheck = join(projectRoot, 'bin', 'spotcheck.ts')
const BUCKET = 'spotcheck-state-test'
let sb: Sandbox
let env: Record<string, string>

before(async () => {
  sb = await startSandbox()
  env = { ...sb.env }
})
after(async () => {
  await sb?.close()
})

describe('the run lock: one run per account and region', () => {
  it('is taken once; a second run is refused with who holds it and since when; only its holder releases it', async () => {
    const ssm = new SSMClient({ region: REGION, endpoint: sb.sdk.endpoint, credentials: sb.sdk.credentials })
    const now = new Date('2026-01-06T02:00:00Z')
    const lock = await acquireRunLock(ssm, { region: REGION, account: ACCOUNT, runId: 'run-a', host: 'runner-1', now })
    await assert.rejects(
      acquireRunLock(ssm, { region: REGION, account: ACCOUNT, runId: 'run-b', now: new Date(now.getTime() + 30 * 60_000) }),
      (e: Error) =>
        e instanceof RunLockHeldError &&
        !e.stale &&
        /run run-a on runner-1, since 2026-01-06T02:00:00.000Z \(30 min ago\)/.test(e.message) &&
        /cleanup --run run-a/.test(e.message),
    )
    assert.equal(await releaseRunLock(ssm, REGION, 'run-b'), 'held by another run')
    assert.equal((await readRunLock(ssm, REGION))?.runId, 'run-a')
    assert.equal(await lock.release(), 'released')
    assert.equal(await readRunLock(ssm, REGION), undefined)
  })

  it('older than 4 h: says how to clear it (spotcheck reap)', async () => {
    const ssm = new SSMClient({ region: REGION, endpoint: sb.sdk.endpoint, credentials: sb.sdk.credentials })
    await acquireRunLock(ssm, { region: REGION, account: ACCOUNT, runId: 'run-old', now: new Date('2026-01-06T02:00:00Z') })
    await assert.rejects(
      acquireRunLock(ssm, { region: REGION, account: ACCOUNT, runId: 'run-new', now: new Date('2026-01-06T07:00:00Z') }),
      (e: Error) => e instanceof RunLockHeldError && e.stale && /older than 4 h/.test(e.message) && /npx spotcheck reap/.test(e.message),
    )
    assert.equal(await releaseRunLock(ssm, REGION, 'run-old'), 'released')
    ssm.destroy()
  })
})

describe('the state bucket', () => {
  it("must exist in the run's region: never created on a real account, created in a rehearsal", async () => {
    const s3 = s3Client(env)
    const log: string[] = []
    await assert.rejects(
      checkStateBucket(s3, { bucket: 'not-there', region: REGION, account: ACCOUNT, create: false, log: (l) => log.push(l) }),
      (e: Error) => e instanceof StateBucketError && /never creates buckets/.test(e.message),
    )
    await checkStateBucket(s3, { bucket: 'made-in-rehearsal', region: REGION, account: ACCOUNT, create: true, log: (l) => log.push(l) })
    await checkStateBucket(s3, { bucket: 'made-in-rehearsal', region: REGION, account: ACCOUNT, create: false, log: (l) => log.push(l) })
    const west = s3Client({ ...env, AWS_REGION: 'us-west-2' })
    await west.send(new CreateBucketCommand({ Bucket: 'elsewhere', CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } }))
    west.destroy()
    await assert.rejects(
      checkStateBucket(s3, { bucket: 'elsewhere', region: REGION, account: ACCOUNT, create: false, log: (l) => log.push(l) }),
      /is in us-west-2, the run in eu-west-2/,
    )
    s3.destroy()
  })
})

/** A runner's run directory: the ledger, a Terraform root applied through the S3 backend spotcheck writes, a stack. */
async function killedRun(runId: string, home: string): Promise<{ stack: string }> {
  const runDir = join(home, 'runs', runId)
  const workDir = join(runDir, 'work')
  mkdirSync(workDir, { recursive: true })
  const s3 = s3Client(env)
  const remote = new RemoteState(s3, BUCKET, REGION, runId, workDir, () => {})
  const ledger = Ledger.create(join(runDir, 'ledger.json'), {
    runId,
    target: { name: 'aws', region: REGION },
    workDir,
    kubeconfig: join(runDir, 'kubeconfig'),
    pid: 999_999,
  })
  ledger.onSave((d) => remote.mirrorLedger(d))
  ledger.setHeader({ account: ACCOUNT, rehearsal: false, stateBucket: BUCKET })
  // What wget does with the terraform additions: the backend override lands beside main.tf.
  const override = writeBackendOverride(runDir, { bucket: BUCKET, region: REGION, runId, dirName: 'work', pathStyle: true })
  writeFileSync(join(workDir, 'spotcheck_backend_override.tf'), (await import('node:fs')).readFileSync(override))
  writeFileSync(
    join(workDir, 'main.tf'),
    'terraform {\n  required_version = ">= 1.10"\n}\nresource "terraform_data" "cluster" {\n  input = "spot-and-karpenter"\n}\n',
  )
  ledger.record({ kind: 'terraform', dir: workDir }, 'Step 2')
  const tf = (args: string[]) => execa('terraform', args, { cwd: workDir, env: { ...process.env, ...env, TF_IN_AUTOMATION: '1' }, reject: false, all: true })
  const init = await tf(['init', '-input=false', '-no-color'])
  assert.equal(init.exitCode, 0, init.all)
  const apply = await tf(['apply', '-auto-approve', '-no-color'])
  assert.equal(apply.exitCode, 0, apply.all)
  remote.uploadConfig(workDir)
  const stack = `fis-${runId}`
  ledger.record({ kind: 'cloudformation-stack', stack }, 'Step 6')
  const cfn = new CloudFormationClient({ region: REGION, endpoint: sb.sdk.endpoint, credentials: sb.sdk.credentials })
  await cfn.send(
    new CreateStackCommand({
      StackName: stack,
      TemplateBody: JSON.stringify({ Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: `q-${runId}` } } } }),
    }),
  )
  cfn.destroy()
  await remote.close()
  return { stack }
}

async function stackExists(stack: string): Promise<boolean> {
  const cfn = new CloudFormationClient({ region: REGION, endpoint: sb.sdk.endpoint, credentials: sb.sdk.credentials })
  try {
    const s = (await cfn.send(new DescribeStacksCommand({ StackName: stack }))).Stacks?.[0]
    return Boolean(s && s.StackStatus !== 'DELETE_COMPLETE')
  } catch {
    return false
  } finally {
    cfn.destroy()
  }
}

describe('spotcheck cleanup --run <id> from the state bucket', { timeout: 10 * 60_000 }, () => {
  before(async () => {
    const s3 = s3Client(env)
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }))
    s3.destroy()
  })

  it("Terraform's S3 backend as spotcheck writes it locks with a lock file: a second apply is refused while it exists", async () => {
    const home = mkdtempSync(join(tmpdir(), 'spotcheck-tflock-'))
    await killedRun('r-lock', home)
    const s3 = s3Client(env)
    const key = `${terraformStateKey(REGION, 'r-lock', 'work')}.tflock`
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: '{"ID":"x","Who":"another apply"}' }))
    const r = await execa('terraform', ['apply', '-auto-approve', '-no-color', '-lock-timeout=1s'], {
      cwd: join(home, 'runs', 'r-lock', 'work'),
      env: { ...process.env, ...env },
      reject: false,
      all: true,
    })
    assert.notEqual(r.exitCode, 0)
    assert.match(r.all, /Error acquiring the state lock/)
    s3.destroy()
  })

  it('after the runner is gone: restores ledger and config, destroys through the S3 backend, removes the stack and the stale locks, releases the run lock', async () => {
    const runner = mkdtempSync(join(tmpdir(), 'spotcheck-runner-'))
    const runId = 'r-remote'
    const { stack } = await killedRun(runId, runner)
    const s3 = s3Client(env)
    // The SIGKILL left Terraform's lock and the run lock behind.
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${terraformStateKey(REGION, runId, 'work')}.tflock`, Body: '{"ID":"killed"}' }))
    const ssm = new SSMClient({ region: REGION, endpoint: sb.sdk.endpoint, credentials: sb.sdk.credentials })
    await acquireRunLock(ssm, { region: REGION, account: ACCOUNT, runId })
    rmSync(runner, { recursive: true, force: true }) // the ephemeral runner is gone

    const elsewhere = mkdtempSync(join(tmpdir(), 'spotcheck-elsewhere-'))
    const r = await execa(process.execPath, [spotcheck, 'cleanup', '--run', runId], {
      env: { ...process.env, ...env, SPOTCHECK_HOME: elsewhere, SPOTCHECK_STATE_BUCKET: BUCKET },
      reject: false,
      all: true,
      timeout: 8 * 60_000,
    })
    assert.equal(r.exitCode, 0, r.all)
    assert.match(r.all, /restored run r-remote from s3:\/\/spotcheck-state-test\//)
    assert.match(r.all, /removing the Terraform lock/)
    assert.match(r.all, /terraform destroy/)
    assert.ok(!(await stackExists(stack)), 'the stack is left')
    const state = JSON.parse(
      await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: terraformStateKey(REGION, runId, 'work') }))).Body!.transformToString(),
    ) as { resources: unknown[] }
    assert.deepEqual(state.resources, [], 'the Terraform state in the bucket still has resources')
    const mirrored = JSON.parse(
      await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: ledgerKey(REGION, runId) }))).Body!.transformToString(),
    ) as LedgerFile
    assert.deepEqual(
      mirrored.entries.map((e) => e.state).filter((s) => s === 'open'),
      [],
      "the bucket's ledger still has open entries",
    )
    assert.equal(await readRunLock(ssm, REGION), undefined, 'the run lock was not released')
    ssm.destroy()
    s3.destroy()
  })

  it("refuses to act in an account other than the run's, and touches nothing", async () => {
    const home = mkdtempSync(join(tmpdir(), 'spotcheck-refuse-'))
    const runId = 'r-other-account'
    const { stack } = await killedRun(runId, home)
    const path = join(home, 'runs', runId, 'ledger.json')
    const ledger = Ledger.open(path)
    ledger.setHeader({ account: '111122223333' })
    const r = await execa(process.execPath, [spotcheck, 'cleanup', '--run', runId], {
      env: { ...process.env, ...env, SPOTCHECK_HOME: home },
      reject: false,
      all: true,
      timeout: 120_000,
    })
    assert.equal(r.exitCode, 2, r.all)
    assert.match(r.all, /Refusing to clean up run r-other-account: it ran in account 111122223333, but your credentials are for account 123456789012/)
    assert.ok(await stackExists(stack), 'the stack was deleted in the wrong account')
    assert.ok(Ledger.open(path).toUndo.length === 2, 'entries were marked')
  })
})
