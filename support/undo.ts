// Undoing the ledger's entries, from inside a run (a failure, Ctrl-C, SIGTERM) or from
// `npx spotcheck cleanup` after a kill. Each kind can say what of it remains and undo itself
// with the same tools a reader would use: kubectl, terraform, and the AWS APIs.

import { execa } from 'execa'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { DeleteStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation'
import { DeleteLaunchTemplateCommand, DescribeInstancesCommand, DescribeLaunchTemplatesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2'
import { DeleteRuleCommand, DescribeRuleCommand, ListTargetsByRuleCommand, RemoveTargetsCommand } from '@aws-sdk/client-eventbridge'
import { ListExperimentsCommand, StopExperimentCommand } from '@aws-sdk/client-fis'
import { DeleteInstanceProfileCommand, ListInstanceProfilesCommand, ListInstanceProfileTagsCommand, RemoveRoleFromInstanceProfileCommand } from '@aws-sdk/client-iam'
import { DeleteQueueCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs'
import type { AwsClients } from './aws-clients.ts'
import { allKarpenterApis } from './karpenter-api.ts'
import type { Entry, KubeObjectRef, Ledger } from './ledger.ts'
import { BACKEND_OVERRIDE_FILE } from './remote-state.ts'
import { inspectSandbox, projectRoot } from '../sandbox/state.ts'

export interface UndoContext {
  /** The environment the run's commands had (endpoint, region, KUBECONFIG, Terraform config). */
  env: Record<string, string>
  workDir: string
  aws: AwsClients
  log: (line: string) => void
  /** Real-time limit for waits (deleting a stack, Karpenter removing its nodes). */
  waitMs?: number
}

export interface UnwindReport {
  undone: Entry[]
  /** Entries that could not be fully undone, with what remains. */
  failed: { entry: Entry; remains: string[]; error?: string }[]
}

const LIVE_INSTANCE_STATES = ['pending', 'running', 'stopping', 'stopped', 'shutting-down']

/** Undoes the open entries, newest first; keeps going past failures, and says what remains. */
export async function unwind(ledger: Ledger, ctx: UndoContext, options: { except?: Entry['kind'][] } = {}): Promise<UnwindReport> {
  const report: UnwindReport = { undone: [], failed: [] }
  for (const entry of ledger.toUndo) {
    if (options.except?.includes(entry.kind)) continue
    ctx.log(`cleanup: undoing #${entry.id} ${describe(entry)} (recorded by ${entry.by})`)
    let error: string | undefined
    try {
      await undo(entry, ctx)
    } catch (e) {
      error = (e as Error).message
      ctx.log(`cleanup: #${entry.id} failed: ${error}`)
    }
    let left: string[]
    try {
      left = await remains(entry, ctx)
    } catch (e) {
      left = [`could not check: ${(e as Error).message}`]
    }
    if (left.length === 0) {
      ledger.mark(entry.id, 'undone')
      report.undone.push(entry)
    } else {
      report.failed.push({ entry, remains: left, error })
      ctx.log(`cleanup: #${entry.id} still has: ${left.join('; ')}`)
    }
  }
  return report
}

/** Marks open entries whose things no longer exist as gone (the tutorial's own clean-up did it). */
export async function settle(ledger: Ledger, ctx: UndoContext, options: { except?: Entry['kind'][] } = {}): Promise<{ entry: Entry; remains: string[] }[]> {
  const open: { entry: Entry; remains: string[] }[] = []
  for (const entry of ledger.toUndo) {
    if (options.except?.includes(entry.kind)) continue
    const left = await remains(entry, ctx)
    if (left.length === 0) ledger.mark(entry.id, 'gone')
    else open.push({ entry, remains: left })
  }
  return open
}

export function describe(entry: Entry): string {
  switch (entry.kind) {
    case 'sandbox':
      return `the sandbox "${entry.name}"`
    case 'terraform':
      return `Terraform in ${entry.dir}`
    case 'kubernetes':
      return `Kubernetes objects ${entry.objects.map(objectName).join(', ') || '(none parsed)'}${entry.file ? ` from ${entry.file}` : ''}`
    case 'karpenter':
      return `Karpenter's nodes, launch templates and instance profiles of the cluster "${entry.cluster}"`
    case 'cloudformation-stack':
      return `the CloudFormation stack "${entry.stack}"`
    case 'fis-experiments':
      return `FIS experiments started since ${entry.since}`
    case 'event-observer':
      return `spotcheck's EventBridge rule "${entry.rule}" and SQS queue "${entry.queue}"`
  }
}

function objectName(o: KubeObjectRef): string {
  return `${o.kind.toLowerCase()}/${o.namespace ? `${o.namespace}/` : ''}${o.name}`
}

// ── per kind ──────────────────────────────────────────────────────────────────────────────

export async function remains(entry: Entry, ctx: UndoContext): Promise<string[]> {
  switch (entry.kind) {
    case 'sandbox':
      return sandboxRunning(entry.name, entry.home) ? [`the sandbox "${entry.name}" runs`] : []
    case 'terraform':
      return terraformState(entry.dir, ctx)
    case 'kubernetes': {
      if (!(await clusterAnswers(ctx))) return []
      const left: string[] = []
      for (const o of entry.objects) if (await kubeObjectExists(o, ctx)) left.push(objectName(o))
      return left
    }
    case 'karpenter':
      return karpenterRemains(entry.cluster, ctx)
    case 'cloudformation-stack': {
      const status = await stackStatus(entry.stack, ctx)
      return status && status !== 'DELETE_COMPLETE' ? [`stack ${entry.stack} (${status})`] : []
    }
    case 'fis-experiments':
      return (await liveExperiments(entry.since, ctx)).map((id) => `experiment ${id}`)
    case 'event-observer':
      return observerRemains(entry.rule, entry.queue, ctx)
  }
}

export async function undo(entry: Entry, ctx: UndoContext): Promise<void> {
  switch (entry.kind) {
    case 'sandbox': {
      const r = await execa(process.execPath, [join(projectRoot, 'bin', 'spotcheck.ts'), 'sandbox', 'down', '--name', entry.name], {
        env: { ...process.env, SPOTCHECK_HOME: entry.home },
        reject: false,
        all: true,
      })
      if (r.exitCode !== 0) throw new Error(`sandbox down: ${r.all}`)
      return
    }
    case 'terraform':
      return terraformDestroy(entry.dir, ctx)
    case 'kubernetes':
      if (!(await clusterAnswers(ctx))) return
      for (const o of [...entry.objects].reverse()) await kubeDelete(o, ctx)
      return
    case 'karpenter':
      return karpenterUndo(entry.cluster, ctx)
    case 'cloudformation-stack':
      await ctx.aws.cloudformation.send(new DeleteStackCommand({ StackName: entry.stack }))
      await waitFor(ctx, `stack ${entry.stack} deleted`, async () => {
        const s = await stackStatus(entry.stack, ctx)
        if (s === 'DELETE_FAILED') throw new Error(`stack ${entry.stack}: DELETE_FAILED`)
        return !s || s === 'DELETE_COMPLETE'
      })
      return
    case 'fis-experiments':
      for (const id of await liveExperiments(entry.since, ctx)) {
        await ctx.aws.fis.send(new StopExperimentCommand({ id }))
      }
      await waitFor(ctx, 'FIS experiments stopped', async () => (await liveExperiments(entry.since, ctx)).length === 0)
      return
    case 'event-observer':
      return observerUndo(entry.rule, entry.queue, ctx)
  }
}

// ── helpers ────────────────────────────────────────────────────────────────────────────────

async function waitFor(ctx: UndoContext, what: string, done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + (ctx.waitMs ?? 20 * 60_000)
  let announced = Date.now()
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`)
    if (Date.now() - announced > 15_000) {
      announced = Date.now()
      ctx.log(`cleanup: still waiting for ${what}…`)
    }
    await new Promise((r) => setTimeout(r, 1_000))
  }
}

function sandboxRunning(name: string, home: string): boolean {
  return inspectSandbox(name, home).running
}

function run(cmd: string, args: string[], ctx: UndoContext, options: { cwd?: string; input?: string; timeoutMs?: number } = {}) {
  return execa(cmd, args, {
    env: ctx.env,
    extendEnv: false,
    cwd: options.cwd ?? ctx.workDir,
    reject: false,
    all: true,
    input: options.input,
    timeout: options.timeoutMs ?? 30 * 60_000,
    killDescendants: true,
  })
}

async function terraformState(dir: string, ctx: UndoContext): Promise<string[]> {
  if (!existsSync(dir)) return []
  const files = readdirSync(dir)
  // With a state bucket the state is in S3 (support/remote-state.ts), not in terraform.tfstate;
  // restored on another machine, the directory has the configuration but was never initialised.
  const remote = files.includes(BACKEND_OVERRIDE_FILE)
  if (!remote && !files.includes('terraform.tfstate')) return []
  if (remote && !existsSync(join(dir, '.terraform'))) {
    const init = await run('terraform', ['init', '-input=false', '-no-color'], ctx, { cwd: dir })
    if (init.exitCode !== 0) return [`terraform init (S3 backend) failed: ${init.all.trim().split('\n').slice(-3).join(' ')}`]
  }
  const r = await run('terraform', ['state', 'list'], ctx, { cwd: dir })
  if (r.exitCode !== 0) return [`terraform state list failed: ${r.all.trim().split('\n').slice(-3).join(' ')}`]
  // Data sources are read, not created: nothing to destroy.
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/(^|\.)data\./.test(l))
}

/** The tutorial's own destroy sequence (Step 8), so the add-ons go before the cluster and the cluster before the VPC. */
async function terraformDestroy(dir: string, ctx: UndoContext): Promise<void> {
  if ((await terraformState(dir, ctx)).length === 0) return
  const env = { ...ctx.env, TF_VAR_region: ctx.env.TF_VAR_region ?? ctx.env.AWS_REGION ?? '', TF_IN_AUTOMATION: '1' }
  for (const target of ['-target=module.eks_blueprints_addons', '-target=module.eks', '']) {
    const args = ['destroy', '-auto-approve', '-no-color', '-lock-timeout=10m', ...(target ? [target] : [])]
    ctx.log(`cleanup: terraform ${args.join(' ')}`)
    const r = await execa('terraform', args, { env, extendEnv: false, cwd: dir, reject: false, all: true, killDescendants: true, timeout: 60 * 60_000 })
    if (r.exitCode !== 0) throw new Error(`terraform ${args.join(' ')} failed:\n${r.all.split('\n').slice(-15).join('\n')}`)
  }
}

let clusterCheck: { at: number; ok: boolean } | undefined
async function clusterAnswers(ctx: UndoContext): Promise<boolean> {
  if (!ctx.env.KUBECONFIG || !existsSync(ctx.env.KUBECONFIG)) return false
  if (clusterCheck && Date.now() - clusterCheck.at < 5_000) return clusterCheck.ok
  const r = await run('kubectl', ['get', '--raw', '/version', '--request-timeout=10s'], ctx, { timeoutMs: 30_000 })
  clusterCheck = { at: Date.now(), ok: r.exitCode === 0 }
  return clusterCheck.ok
}

function manifestOf(o: KubeObjectRef): string {
  return JSON.stringify({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.name, ...(o.namespace ? { namespace: o.namespace } : {}) } })
}

async function kubeObjectExists(o: KubeObjectRef, ctx: UndoContext): Promise<boolean> {
  const r = await run('kubectl', ['get', '-f', '-', '--ignore-not-found', '-o', 'name', '--request-timeout=30s'], ctx, { input: manifestOf(o), timeoutMs: 60_000 })
  if (r.exitCode !== 0) {
    // A kind the cluster no longer serves (its CRD went with the chart) has no objects left.
    if (/doesn't have a resource type|no matches for kind/.test(r.all)) return false
    throw new Error(`kubectl get ${objectName(o)}: ${r.all.trim()}`)
  }
  return r.stdout.trim() !== ''
}

async function kubeDelete(o: KubeObjectRef, ctx: UndoContext): Promise<void> {
  ctx.log(`cleanup: kubectl delete ${objectName(o)}`)
  const r = await run('kubectl', ['delete', '-f', '-', '--ignore-not-found', '--wait=true', '--timeout=10m'], ctx, { input: manifestOf(o) })
  if (r.exitCode !== 0 && !/doesn't have a resource type|no matches for kind/.test(r.all)) throw new Error(`kubectl delete ${objectName(o)}: ${r.all.trim()}`)
}

// What Karpenter created in AWS is found by the tags each line of Karpenter gives it
// (support/karpenter-api.ts). The clean-up looks for every line's: `spotcheck cleanup` after a
// kill does not know which Karpenter the run installed, and each line's marks are its own.

async function karpenterInstances(cluster: string, ctx: UndoContext): Promise<string[]> {
  const found = new Set<string>()
  for (const api of allKarpenterApis()) {
    const out = await ctx.aws.ec2.send(new DescribeInstancesCommand({ Filters: [...api.instanceFilters(cluster), { Name: 'instance-state-name', Values: LIVE_INSTANCE_STATES }] }))
    for (const i of (out.Reservations ?? []).flatMap((r) => r.Instances ?? [])) found.add(i.InstanceId!)
  }
  return [...found]
}

async function karpenterLaunchTemplates(cluster: string, ctx: UndoContext): Promise<{ id: string; name: string }[]> {
  const found = new Map<string, string>()
  for (const filters of allKarpenterApis().flatMap((api) => api.launchTemplateFilters(cluster))) {
    const out = await ctx.aws.ec2.send(new DescribeLaunchTemplatesCommand({ Filters: filters }))
    for (const lt of out.LaunchTemplates ?? []) found.set(lt.LaunchTemplateId!, lt.LaunchTemplateName!)
  }
  return [...found].map(([id, name]) => ({ id, name }))
}

async function karpenterInstanceProfiles(cluster: string, ctx: UndoContext): Promise<{ name: string; roles: string[] }[]> {
  const out: { name: string; roles: string[] }[] = []
  const apis = allKarpenterApis()
  let marker: string | undefined
  do {
    const page = await ctx.aws.iam.send(new ListInstanceProfilesCommand({ Marker: marker }))
    for (const p of page.InstanceProfiles ?? []) {
      if (!p.InstanceProfileName?.startsWith(`${cluster}_`)) continue
      const list = (await ctx.aws.iam.send(new ListInstanceProfileTagsCommand({ InstanceProfileName: p.InstanceProfileName }))).Tags ?? []
      const tags = Object.fromEntries(list.map((t) => [t.Key!, t.Value ?? '']))
      if (apis.some((api) => api.ownsInstanceProfile({ name: p.InstanceProfileName!, path: p.Path, tags }, cluster))) {
        out.push({ name: p.InstanceProfileName, roles: (p.Roles ?? []).map((r) => r.RoleName!) })
      }
    }
    marker = page.IsTruncated ? page.Marker : undefined
  } while (marker)
  return out
}

async function karpenterRemains(cluster: string, ctx: UndoContext): Promise<string[]> {
  const left: string[] = []
  if (await clusterAnswers(ctx)) {
    const r = await run('kubectl', ['get', 'nodeclaims.karpenter.sh', '-o', 'name', '--request-timeout=30s'], ctx, { timeoutMs: 60_000 })
    if (r.exitCode === 0) left.push(...r.stdout.split('\n').filter(Boolean))
  }
  left.push(...(await karpenterInstances(cluster, ctx)).map((id) => `instance ${id}`))
  left.push(...(await karpenterLaunchTemplates(cluster, ctx)).map((lt) => `launch template ${lt.name}`))
  left.push(...(await karpenterInstanceProfiles(cluster, ctx)).map((p) => `instance profile ${p.name}`))
  return left
}

/**
 * While the cluster runs, Karpenter removes its own nodes when its NodePools go (it drains them
 * and terminates the instances). What it never removes — instances of a cluster already
 * destroyed, launch templates, the instance profile it made for the EC2NodeClass — goes through
 * the AWS APIs.
 */
async function karpenterUndo(cluster: string, ctx: UndoContext): Promise<void> {
  if (await clusterAnswers(ctx)) {
    for (const resource of ['nodepools.karpenter.sh', 'ec2nodeclasses.karpenter.k8s.aws']) {
      ctx.log(`cleanup: kubectl delete ${resource} --all`)
      const r = await run('kubectl', ['delete', resource, '--all', '--wait=true', '--timeout=10m'], ctx)
      if (r.exitCode !== 0 && !/doesn't have a resource type/.test(r.all)) ctx.log(`cleanup: ${r.all.trim()}`)
    }
    await waitFor(ctx, "Karpenter's NodeClaims gone", async () => {
      const r = await run('kubectl', ['get', 'nodeclaims.karpenter.sh', '-o', 'name'], ctx, { timeoutMs: 60_000 })
      return r.exitCode !== 0 || r.stdout.trim() === ''
    })
  }
  const instances = await karpenterInstances(cluster, ctx)
  if (instances.length > 0) {
    ctx.log(`cleanup: terminating ${instances.join(', ')}`)
    await ctx.aws.ec2.send(new TerminateInstancesCommand({ InstanceIds: instances }))
    await waitFor(ctx, 'instances terminated', async () => (await karpenterInstances(cluster, ctx)).length === 0)
  }
  for (const lt of await karpenterLaunchTemplates(cluster, ctx)) {
    ctx.log(`cleanup: deleting launch template ${lt.name}`)
    await ctx.aws.ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: lt.id }))
  }
  for (const p of await karpenterInstanceProfiles(cluster, ctx)) {
    ctx.log(`cleanup: deleting instance profile ${p.name}`)
    for (const role of p.roles) await ctx.aws.iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: p.name, RoleName: role }))
    await ctx.aws.iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: p.name }))
  }
}

async function stackStatus(stack: string, ctx: UndoContext): Promise<string | undefined> {
  try {
    const out = await ctx.aws.cloudformation.send(new DescribeStacksCommand({ StackName: stack }))
    return out.Stacks?.[0]?.StackStatus
  } catch (error) {
    if (/does not exist/.test((error as Error).message)) return undefined
    throw error
  }
}

async function liveExperiments(since: string, ctx: UndoContext): Promise<string[]> {
  const out = await ctx.aws.fis.send(new ListExperimentsCommand({}))
  const from = Date.parse(since) - 60_000
  return (out.experiments ?? [])
    .filter((e) => ['pending', 'initiating', 'running'].includes(String(e.state?.status)) && (!e.creationTime || e.creationTime.getTime() >= from))
    .map((e) => e.id!)
}

async function queueUrl(queue: string, ctx: UndoContext): Promise<string | undefined> {
  try {
    return (await ctx.aws.sqs.send(new GetQueueUrlCommand({ QueueName: queue }))).QueueUrl
  } catch (error) {
    if (/NonExistentQueue|does not exist/i.test(`${(error as Error).name} ${(error as Error).message}`)) return undefined
    throw error
  }
}

async function ruleExists(rule: string, ctx: UndoContext): Promise<boolean> {
  try {
    await ctx.aws.events.send(new DescribeRuleCommand({ Name: rule }))
    return true
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return false
    throw error
  }
}

async function observerRemains(rule: string, queue: string, ctx: UndoContext): Promise<string[]> {
  const left: string[] = []
  if (await ruleExists(rule, ctx)) left.push(`EventBridge rule ${rule}`)
  if (await queueUrl(queue, ctx)) left.push(`SQS queue ${queue}`)
  return left
}

async function observerUndo(rule: string, queue: string, ctx: UndoContext): Promise<void> {
  if (await ruleExists(rule, ctx)) {
    const targets = (await ctx.aws.events.send(new ListTargetsByRuleCommand({ Rule: rule }))).Targets ?? []
    if (targets.length > 0) await ctx.aws.events.send(new RemoveTargetsCommand({ Rule: rule, Ids: targets.map((t) => t.Id!) }))
    await ctx.aws.events.send(new DeleteRuleCommand({ Name: rule }))
  }
  const url = await queueUrl(queue, ctx)
  if (url) await ctx.aws.sqs.send(new DeleteQueueCommand({ QueueUrl: url }))
}
