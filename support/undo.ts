// Undoing the ledger's entries, from inside a run (a failure, Ctrl-C, SIGTERM) or from
// `npx spotcheck cleanup` after a kill. Each kind can say what of it remains and undo itself
// with the same tools a reader would use: kubectl, terraform, and the AWS APIs.

import { execa } from 'execa'
import { messageOf } from '../lib/errors.ts'
import { lineRelay } from '../lib/line-relay.ts'
import { sleep } from '../lib/sleep.ts'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { DeleteStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation'
import {
  DeleteLaunchTemplateCommand,
  DeleteNetworkInterfaceCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2'
import { DescribeClusterCommand } from '@aws-sdk/client-eks'
import { DeleteLogGroupCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs'
import { DeleteRuleCommand, DescribeRuleCommand, ListTargetsByRuleCommand, RemoveTargetsCommand } from '@aws-sdk/client-eventbridge'
import { ListExperimentsCommand, StopExperimentCommand } from '@aws-sdk/client-fis'
import {
  DeleteInstanceProfileCommand,
  ListInstanceProfilesCommand,
  ListInstanceProfileTagsCommand,
  ListRoleTagsCommand,
  RemoveRoleFromInstanceProfileCommand,
} from '@aws-sdk/client-iam'
import { DeleteQueueCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs'
import type { AwsClients } from './aws-clients.ts'
import { unlessGone } from './aws-errors.ts'
import { extraClients } from './aws-extra-clients.ts'
import { liveInstances } from './ec2-instances.ts'
import { allKarpenterApis } from './karpenter-api.ts'
import type { Entry, KubeObjectRef, Ledger } from './ledger.ts'
import { BACKEND_OVERRIDE_FILE } from './remote-state.ts'
import { inspectSandbox, sandboxDown } from './sandbox-target.ts'
import { removeStrays } from './terraform-strays.ts'

export interface UndoContext {
  /** The environment the run's commands had (endpoint, region, KUBECONFIG, Terraform config). */
  env: Record<string, string>
  workDir: string
  aws: AwsClients
  log: (line: string) => void
  /** Real-time limit for waits (deleting a stack, Karpenter removing its nodes). */
  waitMs?: number
  /** The run whose things these are (its `spotcheck:run` tag); default $TF_VAR_run_id of env. */
  runId?: string
  /**
   * Every Terraform working directory of the run (unwind sets it from the ledger): what any of
   * their states holds is not a stray of the one being destroyed.
   */
  terraformDirs?: string[]
}

export interface UnwindReport {
  undone: Entry[]
  /** Entries that could not be fully undone, with what remains. */
  failed: { entry: Entry; remains: string[]; error?: string }[]
}

/** Undoes the open entries, newest first; keeps going past failures, and says what remains. */
export async function unwind(ledger: Ledger, ctx: UndoContext, options: { except?: Entry['kind'][] } = {}): Promise<UnwindReport> {
  const report: UnwindReport = { undone: [], failed: [] }
  ctx = { ...ctx, terraformDirs: ledger.entries.flatMap((e) => (e.kind === 'terraform' ? [e.dir] : [])) }
  for (const entry of ledger.toUndo) {
    if (options.except?.includes(entry.kind)) continue
    ctx.log(`cleanup: undoing #${entry.id} ${describe(entry)} (recorded by ${entry.by})`)
    let error: string | undefined
    try {
      await undo(entry, ctx)
    } catch (e) {
      error = messageOf(e)
      ctx.log(`cleanup: #${entry.id} failed: ${error}`)
    }
    let left: string[]
    try {
      left = await remains(entry, ctx)
    } catch (e) {
      left = [`could not check: ${messageOf(e)}`]
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
      const r = await sandboxDown(entry.name, entry.home)
      if (!r.ok) throw new Error(`sandbox down: ${r.output}`)
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
    await sleep(1_000)
  }
}

function sandboxRunning(name: string, home: string): boolean {
  return inspectSandbox(name, home).running
}

/** A command of the undo. Without `input`, its stdin is closed: a question fails at once rather than waiting for an answer nobody gives. */
function run(cmd: string, args: string[], ctx: UndoContext, options: { cwd?: string; input?: string; timeoutMs?: number } = {}) {
  return execa(cmd, args, {
    env: ctx.env,
    extendEnv: false,
    cwd: options.cwd ?? ctx.workDir,
    reject: false,
    all: true,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
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

/**
 * The tutorial's own destroy sequence (Step 8), so the add-ons go before the cluster and the
 * cluster before the VPC — plus what the tutorial's destroy misses on AWS (B4):
 * - ENIs the VPC CNI leaves "available" in the run's VPC keep its subnets "in use" (DeleteSubnet
 *   fails with DependencyViolation): deleted before the last destroy, and after a failed one
 *   before trying again ("Delete a network interface",
 *   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/delete_eni.html; aws/amazon-vpc-cni-k8s#1223);
 * - a destroy that fails because the cluster is gone while Helm releases and Kubernetes objects
 *   are still in the state ("Kubernetes cluster unreachable"): those are forgotten
 *   (`terraform state rm`) — they went with the cluster — and the destroy runs again;
 * - the log group EKS creates for control-plane logs, /aws/eks/<cluster>/cluster (untagged, never
 *   expiring: "Send control plane logs to CloudWatch Logs",
 *   https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html), is deleted once the
 *   cluster is gone, unless Terraform manages it.
 */
async function terraformDestroy(dir: string, ctx: UndoContext): Promise<void> {
  const state = await terraformState(dir, ctx)
  const env = { ...ctx.env, TF_VAR_region: ctx.env.TF_VAR_region ?? ctx.env.AWS_REGION ?? '', TF_IN_AUTOMATION: '1' }
  // What a killed apply made but never recorded goes first (support/terraform-strays.ts): even
  // with no state at all, when the apply was killed before it first wrote one.
  const runId = runIdOf(ctx)
  if (runId && existsSync(dir)) {
    const dirs = [dir, ...(ctx.terraformDirs ?? []).filter((d) => d !== dir && existsSync(d))]
    try {
      await removeStrays(dirs, runId, { aws: ctx.aws, env, log: ctx.log, waitMs: ctx.waitMs })
    } catch (error) {
      ctx.log(`cleanup: could not look for what a killed apply left unrecorded: ${messageOf(error)}; destroying what the state holds`)
    }
  }
  if (state.length === 0) return
  const logGroupManaged = state.some((a) => /(^|\.)aws_cloudwatch_log_group\./.test(a))
  const destroy = async (args: string[]) => {
    // -input=false: a question (a variable without a value) fails the destroy instead of waiting
    // on a stdin nobody writes to. Its progress is relayed: a destroy can take many minutes.
    const child = execa('terraform', args, {
      env,
      extendEnv: false,
      cwd: dir,
      stdin: 'ignore',
      reject: false,
      all: true,
      killDescendants: true,
      timeout: 60 * 60_000,
    })
    const relay = lineRelay((line) => {
      if (isDestroyProgress(line)) ctx.log(`cleanup:   ${line.trim()}`)
    })
    child.all?.on('data', (chunk: Buffer) => relay.push(chunk))
    const r = await child
    relay.flush()
    return r
  }
  for (const target of ['-target=module.eks_blueprints_addons', '-target=module.eks', '']) {
    const args = ['destroy', '-auto-approve', '-input=false', '-no-color', '-lock-timeout=10m', ...(target ? [target] : [])]
    if (!target) await deleteStrayEnis(ctx)
    ctx.log(`cleanup: terraform ${args.join(' ')}`)
    let r = await destroy(args)
    if (r.exitCode !== 0) {
      const forget = forgettableAfterClusterGone(r.all, await terraformState(dir, ctx), await clusterGone(CLUSTER, ctx))
      const strays = await deleteStrayEnis(ctx)
      if (forget.length > 0) {
        ctx.log(`cleanup: the cluster is gone; forgetting what went with it: terraform state rm ${forget.join(' ')}`)
        const rm = await run('terraform', ['state', 'rm', '-lock-timeout=10m', ...forget], ctx, { cwd: dir })
        if (rm.exitCode !== 0) throw new Error(`terraform state rm failed:\n${rm.all.split('\n').slice(-10).join('\n')}`)
      }
      if (forget.length > 0 || strays > 0) {
        ctx.log(`cleanup: terraform ${args.join(' ')} (again)`)
        r = await destroy(args)
      }
    }
    if (r.exitCode !== 0) throw new Error(`terraform ${args.join(' ')} failed:\n${r.all.split('\n').slice(-15).join('\n')}`)
  }
  if (!logGroupManaged) await deleteClusterLogGroup(CLUSTER, ctx)
}

/**
 * The lines of `terraform destroy`'s output worth showing while it runs: each resource starting
 * and finishing, errors, and a resource still being destroyed once a minute (Terraform says so
 * every 10 s: "…: Still destroying... [id=vpc-1, 1m0s elapsed]").
 */
export function isDestroyProgress(line: string): boolean {
  if (/: Still destroying\.\.\./.test(line)) return /\b\d+m0s elapsed\]/.test(line)
  return /: (Destroying\.\.\.|Destruction complete)|^\s*(│\s*)?Error:|^Destroy complete!/.test(line)
}

/** The tutorial's cluster name (its main.tf's local.name). */
const CLUSTER = 'spot-and-karpenter'

/**
 * What a failed destroy may forget: when the cluster is gone and Terraform could not reach it,
 * the Helm releases and Kubernetes objects in the state went with the cluster.
 */
export function forgettableAfterClusterGone(output: string, state: string[], clusterIsGone: boolean): string[] {
  if (!clusterIsGone) return []
  if (
    !/cluster unreachable|Kubernetes cluster unreachable|connection refused|no such host|dial tcp|i\/o timeout|the server has asked for the client to provide credentials|Unauthorized/i.test(
      output,
    )
  )
    return []
  return state.filter((a) => /(^|\.)(helm_release|kubernetes_[a-z0-9_]+|kubectl_manifest)\./.test(a) && !/(^|\.)data\./.test(a))
}

async function clusterGone(name: string, ctx: UndoContext): Promise<boolean> {
  return !(await unlessGone(ctx.aws.eks.send(new DescribeClusterCommand({ name }))))
}

async function deleteClusterLogGroup(cluster: string, ctx: UndoContext): Promise<void> {
  if (!(await clusterGone(cluster, ctx))) return
  const name = `/aws/eks/${cluster}/cluster`
  const logs = extraClients(ctx.aws).logs
  const groups = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }))).logGroups ?? []
  if (!groups.some((g) => g.logGroupName === name)) return
  ctx.log(`cleanup: deleting the log group ${name} (EKS created it for the cluster's control-plane logs)`)
  await unlessGone(logs.send(new DeleteLogGroupCommand({ logGroupName: name })))
}

function runIdOf(ctx: UndoContext): string | undefined {
  return ctx.runId ?? ctx.env.TF_VAR_run_id
}

/** The run's VPCs: tagged with its `spotcheck:run` (Terraform's default_tags). */
async function runVpcs(ctx: UndoContext): Promise<string[]> {
  const runId = runIdOf(ctx)
  if (!runId) return []
  const out = await ctx.aws.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:spotcheck:run', Values: [runId] }] }))
  return (out.Vpcs ?? []).map((v) => v.VpcId!)
}

/** Deletes the network interfaces left "available" in the run's VPCs; returns how many. */
async function deleteStrayEnis(ctx: UndoContext): Promise<number> {
  const vpcs = await runVpcs(ctx)
  if (vpcs.length === 0) return 0
  const out = await ctx.aws.ec2.send(
    new DescribeNetworkInterfacesCommand({
      Filters: [
        { Name: 'vpc-id', Values: vpcs },
        { Name: 'status', Values: ['available'] },
      ],
    }),
  )
  const enis = out.NetworkInterfaces ?? []
  for (const eni of enis) {
    ctx.log(`cleanup: deleting the network interface ${eni.NetworkInterfaceId} left available in ${eni.VpcId}${eni.Description ? ` (${eni.Description})` : ''}`)
    await unlessGone(ctx.aws.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni.NetworkInterfaceId })))
  }
  return enis.length
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
  const r = await run('kubectl', ['get', '-f', '-', '--ignore-not-found', '-o', 'name', '--request-timeout=30s'], ctx, {
    input: manifestOf(o),
    timeoutMs: 60_000,
  })
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
// Those tags name the cluster, and the cluster's name is the tutorial's, the same for every run:
// so only the run's own are taken (B5) — instances in the run's VPC, launch templates that use
// the run's security groups or instance profiles, instance profiles of the run's node role (a
// role tagged with the run) — and those nothing can use any more (their groups or role gone).

interface RunScope {
  /** undefined: the run is unknown (a ledger without a run id): the cluster's name alone decides. */
  vpcs?: string[]
  groups?: Set<string>
  profiles?: Set<string>
}

async function runScope(cluster: string, ctx: UndoContext): Promise<RunScope> {
  if (!runIdOf(ctx)) return {}
  const vpcs = await runVpcs(ctx)
  const groups = new Set<string>()
  if (vpcs.length > 0) {
    const out = await ctx.aws.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: vpcs }] }))
    for (const g of out.SecurityGroups ?? []) groups.add(g.GroupId!)
  }
  const profiles = new Set((await karpenterInstanceProfiles(cluster, ctx)).map((p) => p.name))
  return { vpcs, groups, profiles }
}

async function karpenterInstances(cluster: string, ctx: UndoContext, scope?: RunScope): Promise<string[]> {
  scope ??= await runScope(cluster, ctx)
  // No VPC of the run is left: neither is any instance in it.
  if (scope.vpcs && scope.vpcs.length === 0) return []
  const found = new Set<string>()
  for (const api of allKarpenterApis()) {
    const filters = [...api.instanceFilters(cluster), ...(scope.vpcs ? [{ Name: 'vpc-id', Values: scope.vpcs }] : [])]
    for (const id of await liveInstances(ctx.aws, filters)) found.add(id)
  }
  return [...found]
}

async function karpenterLaunchTemplates(cluster: string, ctx: UndoContext, scope?: RunScope): Promise<{ id: string; name: string }[]> {
  scope ??= await runScope(cluster, ctx)
  const found = new Map<string, string>()
  for (const filters of allKarpenterApis().flatMap((api) => api.launchTemplateFilters(cluster))) {
    const out = await ctx.aws.ec2.send(new DescribeLaunchTemplatesCommand({ Filters: filters }))
    for (const lt of out.LaunchTemplates ?? []) found.set(lt.LaunchTemplateId!, lt.LaunchTemplateName!)
  }
  const mine: { id: string; name: string }[] = []
  for (const [id, name] of found) if (!scope.groups || (await launchTemplateIsRuns(id, scope, ctx))) mine.push({ id, name })
  return mine
}

async function launchTemplateIsRuns(id: string, scope: RunScope, ctx: UndoContext): Promise<boolean> {
  const version = (await unlessGone(ctx.aws.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: ['$Latest'] }))))
    ?.LaunchTemplateVersions?.[0]
  const data = version?.LaunchTemplateData
  if (!data) return false
  const groups = [...(data.SecurityGroupIds ?? []), ...(data.NetworkInterfaces ?? []).flatMap((n) => n.Groups ?? [])]
  const profile = data.IamInstanceProfile?.Name ?? data.IamInstanceProfile?.Arn?.split('/').pop()
  if (groups.some((g) => scope.groups!.has(g)) || (profile && scope.profiles!.has(profile))) return true
  // Another run's template uses groups that exist; one whose groups are all gone is nobody's.
  if (groups.length === 0) return false
  const live = await unlessGone(ctx.aws.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-id', Values: groups }] })))
  return (live?.SecurityGroups ?? []).length === 0
}

async function karpenterInstanceProfiles(cluster: string, ctx: UndoContext): Promise<{ name: string; roles: string[] }[]> {
  const out: { name: string; roles: string[] }[] = []
  const apis = allKarpenterApis()
  const runId = runIdOf(ctx)
  let marker: string | undefined
  do {
    const page = await ctx.aws.iam.send(new ListInstanceProfilesCommand({ Marker: marker }))
    for (const p of page.InstanceProfiles ?? []) {
      if (!p.InstanceProfileName?.startsWith(`${cluster}_`)) continue
      const list = (await unlessGone(ctx.aws.iam.send(new ListInstanceProfileTagsCommand({ InstanceProfileName: p.InstanceProfileName }))))?.Tags ?? []
      const tags = Object.fromEntries(list.map((t) => [t.Key!, t.Value ?? '']))
      if (!apis.some((api) => api.ownsInstanceProfile({ name: p.InstanceProfileName!, path: p.Path, tags }, cluster))) continue
      const roles = (p.Roles ?? []).map((r) => r.RoleName!)
      if (runId && roles.length > 0 && !(await someRoleOfRun(roles, runId, ctx))) continue
      out.push({ name: p.InstanceProfileName, roles })
    }
    marker = page.IsTruncated ? page.Marker : undefined
  } while (marker)
  return out
}

async function someRoleOfRun(roles: string[], runId: string, ctx: UndoContext): Promise<boolean> {
  for (const role of roles) {
    const tags = (await unlessGone(ctx.aws.iam.send(new ListRoleTagsCommand({ RoleName: role }))))?.Tags
    if (!tags || tags.some((t) => t.Key === 'spotcheck:run' && t.Value === runId)) return true
  }
  return false
}

async function karpenterRemains(cluster: string, ctx: UndoContext): Promise<string[]> {
  const left: string[] = []
  if (await clusterAnswers(ctx)) {
    const r = await run('kubectl', ['get', 'nodeclaims.karpenter.sh', '-o', 'name', '--request-timeout=30s'], ctx, { timeoutMs: 60_000 })
    if (r.exitCode === 0) left.push(...r.stdout.split('\n').filter(Boolean))
  }
  const scope = await runScope(cluster, ctx)
  left.push(...(await karpenterInstances(cluster, ctx, scope)).map((id) => `instance ${id}`))
  left.push(...(await karpenterLaunchTemplates(cluster, ctx, scope)).map((lt) => `launch template ${lt.name}`))
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
  // The scope is taken before anything goes: a launch template is the run's by its groups and profile.
  const scope = await runScope(cluster, ctx)
  const instances = await karpenterInstances(cluster, ctx, scope)
  if (instances.length > 0) {
    ctx.log(`cleanup: terminating ${instances.join(', ')}`)
    await ctx.aws.ec2.send(new TerminateInstancesCommand({ InstanceIds: instances }))
    await waitFor(ctx, 'instances terminated', async () => (await karpenterInstances(cluster, ctx, scope)).length === 0)
  }
  for (const lt of await karpenterLaunchTemplates(cluster, ctx, scope)) {
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
    if (/does not exist/.test(messageOf(error))) return undefined
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
    if (/NonExistentQueue|does not exist/i.test(`${(error as Error).name} ${messageOf(error)}`)) return undefined
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
