// Kill tests on the aws path: a rehearsal (`-p aws-rehearsal`, the aws target's
// own code against a sandbox it starts as the account) with a state bucket is killed with SIGKILL
// at three points; then its runner dies with it — its commands are killed and its local `runs/`
// directory is deleted, as on an ephemeral CI runner — while the sandbox, which is the account,
// keeps running. `npx spotcheck cleanup --run <id>` (from the remote state alone) and
// `npx spotcheck reap` must then leave nothing tagged spotcheck:run and none of the tutorial's
// fixed names in that account. One test file per kill point (kill-aws-step2, -step4, -step6), so
// that npm test's lanes run them beside the other jobs instead of one after another; each has a
// runner of its own (SPOTCHECK_HOME) and a sandbox of its own as the account.

import { after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { execa } from 'execa'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CloudFormationClient, ListStacksCommand } from '@aws-sdk/client-cloudformation'
import { DescribeInstancesCommand, DescribeNatGatewaysCommand, EC2Client } from '@aws-sdk/client-ec2'
import { EKSClient, ListClustersCommand } from '@aws-sdk/client-eks'
import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam'
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api'
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs'
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm'
import { inspectSandbox, isAlive } from '../../../sandbox/state.ts'
import { projectRoot } from '../../../lib/paths.ts'
import { sandboxEnvironment } from '../../../sandbox/exports.ts'
import type { LedgerFile } from '../../../support/ledger.ts'
import { parseProcessFile } from '../../../support/process-identity.ts'
import { type KillableRun, startCucumber } from './killable-run.ts'

// The runner: a SPOTCHECK_HOME of this test file's own.
const home = mkdtempSync(join(tmpdir(), 'spotcheck-kill-aws-'))
const BUCKET = 'spotcheck-rehearsal-state'
const env = { ...process.env, SPOTCHECK_HOME: home, SPOTCHECK_STATE_BUCKET: BUCKET, SPOTCHECK_ALLURE_RESULTS: join(home, 'allure-results'), FORCE_COLOR: '0' }
const spotcheck = join(projectRoot, 'bin', 'spotcheck.ts')
const CLUSTER = 'spot-and-karpenter'

/** The one run directory under runs/ (each test starts from an empty runs/: the runner is new). */
function theLedger(): LedgerFile | undefined {
  const runs = join(home, 'runs')
  if (!existsSync(runs)) return undefined
  for (const d of readdirSync(runs)) {
    const path = join(runs, d, 'ledger.json')
    if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as LedgerFile
  }
  return undefined
}

function startRun(tags: string): KillableRun {
  return startCucumber(['-p', 'aws-rehearsal', '--tags', tags], home, env)
}

function sdk(sandbox: string) {
  const record = inspectSandbox(sandbox, home)
  assert.ok(record.running && record.config && record.state, `the rehearsal's sandbox ${sandbox} is not running`)
  const config = {
    region: record.config.region,
    endpoint: record.state.awsEndpoint,
    credentials: { accessKeyId: record.config.accessKeyId, secretAccessKey: record.config.secretAccessKey },
  }
  const accountEnv = Object.fromEntries(
    Object.entries(sandboxEnvironment(record.paths, record.config, record.state, process.env.PATH ?? '')).filter(([, v]) => v !== undefined),
  ) as Record<string, string>
  return { config, accountEnv }
}

/**
 * The tagging API lists terminated instances and deleted NAT gateways for a while after they went
 * (AWS: "Resource Groups Tagging API … may return resources that were recently deleted";
 * terminated instances stay visible for about an hour, https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/terminating-instances.html);
 * moto keeps them too. Those are gone, not left.
 */
async function deletedButListed(ec2: EC2Client, arn: string): Promise<boolean> {
  const instance = /:instance\/(i-[0-9a-f]+)$/.exec(arn)?.[1]
  if (instance) {
    const state = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instance] }))).Reservations?.[0]?.Instances?.[0]?.State?.Name
    return state === 'terminated'
  }
  const nat = /:natgateway\/(nat-[0-9a-f]+)$/.exec(arn)?.[1]
  if (nat) return (await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [nat] }))).NatGateways?.[0]?.State === 'deleted'
  return false
}

/** What is left in the rehearsal's account: tagged spotcheck:run, or one of the tutorial's fixed names. */
async function leftovers(sandbox: string): Promise<string[]> {
  const { config } = sdk(sandbox)
  const left: string[] = []
  const tagging = new ResourceGroupsTaggingAPIClient(config)
  const eks = new EKSClient(config)
  const cfn = new CloudFormationClient(config)
  const sqs = new SQSClient(config)
  const iam = new IAMClient(config)
  const ec2 = new EC2Client(config)
  const ssm = new SSMClient(config)
  try {
    let token: string | undefined
    do {
      const page = await tagging.send(new GetResourcesCommand({ TagFilters: [{ Key: 'spotcheck:run' }], PaginationToken: token }))
      for (const r of page.ResourceTagMappingList ?? []) if (!(await deletedButListed(ec2, r.ResourceARN!))) left.push(`tagged: ${r.ResourceARN}`)
      token = page.PaginationToken || undefined
    } while (token)
    for (const c of (await eks.send(new ListClustersCommand({}))).clusters ?? []) if (c === CLUSTER) left.push(`EKS cluster ${c}`)
    for (const s of (await cfn.send(new ListStacksCommand({}))).StackSummaries ?? []) {
      if (s.StackName === `fis-${CLUSTER}` && s.StackStatus !== 'DELETE_COMPLETE') left.push(`stack ${s.StackName} (${s.StackStatus})`)
    }
    for (const url of (await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []) if (url.endsWith(`/karpenter-${CLUSTER}`)) left.push(`queue ${url}`)
    // The tutorial's IAM roles: Karpenter's node role, the controller's IRSA role, the cluster's and the node group's.
    for (const r of (await iam.send(new ListRolesCommand({}))).Roles ?? []) {
      if ([/^karpenter-/, new RegExp(`^${CLUSTER}-`), /^managed-ondemand-eks-node-group-/, /^KarpenterNodeRole-/].some((p) => p.test(r.RoleName!)))
        left.push(`IAM role ${r.RoleName}`)
    }
    const instances =
      (await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] }] })))
        .Reservations ?? []
    for (const i of instances.flatMap((r) => r.Instances ?? [])) left.push(`instance ${i.InstanceId}`)
    for (const p of (await ssm.send(new GetParametersByPathCommand({ Path: '/spotcheck/lock', Recursive: true }))).Parameters ?? [])
      left.push(`run lock ${p.Name}`)
  } finally {
    for (const c of [tagging, eks, cfn, sqs, iam, ec2, ssm]) c.destroy()
  }
  return left
}

/**
 * Starts a rehearsal of the scenarios tagged `tags`, kills it (and its runner) once its ledger
 * shows `reached` and `extraMs` more have passed, then cleans up from the state bucket and reaps,
 * and asserts that nothing is left in the account.
 */
export async function killRunnerAndClean(tags: string, point: string, reached: (l: LedgerFile) => boolean, extraMs = 0): Promise<void> {
  rmSync(join(home, 'runs'), { recursive: true, force: true })
  const run = startRun(tags)
  let output = ''
  run.process.all?.on('data', (c: Buffer) => (output += c.toString()))
  const deadline = Date.now() + 10 * 60_000
  try {
    while (!(theLedger() && reached(theLedger()!))) {
      if (Date.now() > deadline) throw new Error(`${point}: not within 10 min`)
      if (run.ended()) throw new Error(`${point}: the run ended first (exit ${(await run.process).exitCode})`)
      await new Promise((r) => setTimeout(r, 250))
    }
    if (extraMs) await new Promise((r) => setTimeout(r, extraMs))
  } catch (error) {
    run.process.kill('SIGKILL')
    await run.process
    throw new Error(`${(error as Error).message}\n${output.slice(-4000)}`, { cause: error })
  }
  run.process.kill('SIGKILL')
  await run.process
  const ledger = theLedger()!
  const runId = ledger.runId
  assert.equal(ledger.target.name, 'aws')
  assert.equal(ledger.rehearsal, true)
  const sandbox = ledger.target.name === 'aws' ? ledger.target.rehearsalSandbox?.sandbox : undefined
  assert.ok(sandbox, 'the rehearsal recorded no sandbox')
  try {
    // The runner dies with the run: its commands (a Terraform apply, a kubectl watch) and its disk.
    const processes = join(home, 'runs', runId, 'processes')
    if (existsSync(processes)) {
      for (const g of parseProcessFile(readFileSync(processes, 'utf8'))) {
        try {
          process.kill(-g.pgid, 'SIGKILL')
        } catch {
          // already gone
        }
      }
    }
    rmSync(join(home, 'runs'), { recursive: true, force: true })

    const cleanup = await execa(process.execPath, [spotcheck, 'cleanup', '--run', runId, '--keep-sandbox'], {
      env,
      reject: false,
      all: true,
      timeout: 20 * 60_000,
    })
    assert.match(cleanup.all, new RegExp(`restored run ${runId} from s3://${BUCKET}/`), `cleanup did not use the remote state:\n${cleanup.all}`)
    assert.match(cleanup.all, /undoing #\d+ /, `cleanup undid nothing entry by entry:\n${cleanup.all}`)
    const { accountEnv } = sdk(sandbox)
    // The reaper, with the account's credentials (the sandbox's), for what the ledger could not know
    // (resources a SIGKILLed apply created after Terraform last saved its state).
    const reap = await execa(process.execPath, [spotcheck, 'reap', '--older-than', '0', '--yes'], {
      env: { ...env, ...accountEnv },
      reject: false,
      all: true,
      timeout: 20 * 60_000,
    })
    const left = await leftovers(sandbox)
    assert.deepEqual(
      left,
      [],
      `left in the account after a kill ${point}:\ncleanup (exit ${cleanup.exitCode}):\n${cleanup.all.slice(-3000)}\nreap (exit ${reap.exitCode}):\n${reap.all.slice(-3000)}`,
    )
    assert.equal(cleanup.exitCode, 0, `cleanup after a kill ${point} failed:\n${cleanup.all}`)
  } finally {
    await execa(process.execPath, [spotcheck, 'sandbox', 'down', '--name', sandbox], { env, reject: false })
  }
  assert.ok(!isAlive(inspectSandbox(sandbox, home).state?.pid), `the sandbox ${sandbox} still runs`)
}

/** The suite around one kill point: it stops every sandbox this runner started, whatever happened. */
export function describeKill(point: string, body: () => void): void {
  describe(`a rehearsal killed ${point} on an ephemeral runner, then cleanup --run from the state bucket and reap`, { timeout: 30 * 60_000 }, () => {
    after(async () => {
      await execa(process.execPath, [spotcheck, 'sandbox', 'down', '--all'], { env, reject: false })
    })
    body()
  })
}
