// "The cluster after Step 2", fast: an isolated sandbox (its own SPOTCHECK_HOME) in which the AWS
// resources the Terraform fixture (fixtures/terraform/sandbox) makes are created through the AWS
// SDK v3 clients instead — the same VPC, subnets and tags, IAM roles and instance profile, EKS
// cluster, node group and add-ons, interruption queue and its four EventBridge rules, and the SSM
// parameter recording the Karpenter Helm release, with the JSON the fixture writes. The sandbox
// reacts to them exactly as to Terraform's calls (the cluster's API server, the node group's nodes,
// the add-ons' DaemonSets, the Karpenter chart). Seeding takes a few seconds; the fixture takes
// ~40–70 s of provider waiters. `accountShape` reads either result back in one normalised form, and
// drift.test.ts compares the two so that the seed cannot drift from the fixture. A seeded Step 2
// is made once per test run: the first file seeds it and saves a sandbox snapshot, the files that
// need the same one restore it into their own fresh sandbox (step2-snapshot.ts).
//
// The tests then talk to the cluster as the tutorial does: real `kubectl` and `aws` through bash
// with the sandbox's environment (`eval "$(npx spotcheck sandbox up)"`), the kubeconfig written by
// the tutorial's own `aws eks update-kubeconfig`, with one difference: the tests' kubectl presents
// the token that kubeconfig's exec plugin (`aws eks get-token`) returned, fetched again before it
// is ten minutes old (EKS accepts one for fifteen), instead of running the plugin on every call.
// A long-lived client-go process does the same (it keeps the plugin's credential until it expires);
// a kubectl command cannot, and each `aws` start costs ~0.8 s of CPU: the tests poll the cluster
// twice a second, so the plugin alone kept a core busy. The exec plugin itself is exercised where
// it is the subject: `startTutorialCluster` runs it for the first token, the kubectl tests
// (test/integration/kube) and tutorial-aws.test.ts run the tutorial's kubeconfig as written, and
// so does every feature run.

import {
  CreateInternetGatewayCommand,
  AttachInternetGatewayCommand,
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DescribeAddressesCommand,
  DescribeAvailabilityZonesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcsCommand,
  EC2Client,
  ModifyVpcAttributeCommand,
} from '@aws-sdk/client-ec2'
import {
  CreateAddonCommand,
  CreateClusterCommand,
  CreateNodegroupCommand,
  type AMITypes,
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  EKSClient,
  ListAddonsCommand,
  ListClustersCommand,
  ListNodegroupsCommand,
} from '@aws-sdk/client-eks'
import {
  EventBridgeClient,
  ListRulesCommand,
  ListTagsForResourceCommand as ListRuleTagsCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge'
import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  GetOpenIDConnectProviderCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesCommand,
  ListOpenIDConnectProvidersCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam'
import { CreateQueueCommand, GetQueueAttributesCommand, ListQueueTagsCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs'
import { GetParametersByPathCommand, ListTagsForResourceCommand as ListParameterTagsCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm'
import { execa, type Result } from 'execa'
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../../../lib/paths.ts'
import { TUTORIAL_DATE } from '../../../platform/index.ts'
import { bash as runBash, isolatedHome, parseExports, spotcheck } from '../sandbox/helpers.ts'
import { SharedStep2, type Step2Record } from './step2-snapshot.ts'

export const CLUSTER_NAME = 'spot-and-karpenter'
/** `terraform output -raw node_instance_profile_name` of the fixture. */
export const NODE_INSTANCE_PROFILE = `karpenter-${CLUSTER_NAME}`
export const QUEUE_NAME = `karpenter-${CLUSTER_NAME}`
/** The fixture's `run_id` default, the value of every resource's `spotcheck:run` tag. */
const RUN_ID = 'manual'
const ACCOUNT_PARTITION = 'aws'

export interface AwsAccess {
  endpoint: string
  region: string
  credentials: { accessKeyId: string; secretAccessKey: string }
}

export interface StartOptions {
  /** Sandbox name (each test file its own). */
  name: string
  /** How Step 2 is made: seeded through the SDK (default) or the real Terraform fixture. */
  via?: 'seed' | 'terraform'
  /** Tutorial time scale of the sandbox (default: the CLI's, 20×). */
  timeScale?: number
  /** Karpenter Helm values merged over the fixture's (e.g. a log level); only with `via: 'seed'`. */
  karpenterValues?: Record<string, unknown>
  /** The Karpenter chart version the seeded release records (default: the fixture's v0.32.1); only with `via: 'seed'`. */
  karpenterChartVersion?: string
  /** The seeded EKS cluster's Kubernetes version (default: the fixture's 1.29); only with `via: 'seed'`. */
  kubernetesVersion?: string
  /** The node group's AMI type (default: the fixture's AL2_x86_64, which EKS refuses from 1.33 on); only with `via: 'seed'`. */
  nodeGroupAmiType?: AMITypes
  /** Skip waiting for the node group's nodes and Karpenter's replicas (and so never share a snapshot of Step 2). */
  noWait?: boolean
  /**
   * The day the sandbox's AWS answers as of (`sandbox up --as-of`). Default: the tutorial's own date
   * for the tutorial's Kubernetes version (1.29, which EKS no longer offers today), otherwise today.
   */
  asOf?: string
}

export interface TutorialCluster {
  /** SPOTCHECK_HOME of this sandbox (removed by close()). */
  home: string
  /** Scratch directory: the tutorial's files (workload.yaml …) are written here. */
  work: string
  /** The sandbox's exports plus the tutorial's CLUSTER_NAME and KARPENTER_NODE_IAM_ROLE_NAME. */
  env: Record<string, string>
  aws: AwsAccess
  daemonPid: number
  awsPid: number
  /** Runs a bash script (tutorial commands) in `work`; never throws. */
  bash(script: string, timeoutMs?: number): Promise<Result>
  /** Runs a bash script and returns its stdout; throws with the output when it fails. */
  run(script: string, timeoutMs?: number): Promise<string>
  /** `kubectl <args> -o json`, parsed. */
  kubectlJson<T = KubeList>(args: string): Promise<T>
  /** Karpenter's log lines (both replicas), parsed, in the order they were written. */
  karpenterLogs(): Promise<KarpenterLine[]>
  close(): Promise<void>
}

export interface KubeObjectLike {
  metadata: {
    name: string
    namespace?: string
    labels?: Record<string, string>
    annotations?: Record<string, string>
    deletionTimestamp?: string
    creationTimestamp?: string
    finalizers?: string[]
    ownerReferences?: { kind: string; name: string }[]
  }
  spec?: Record<string, unknown> & {
    nodeName?: string
    taints?: { key: string; value?: string; effect: string }[]
    unschedulable?: boolean
    providerID?: string
  }
  status?: Record<string, unknown> & {
    phase?: string
    conditions?: { type: string; status: string; reason?: string; message?: string }[]
    providerID?: string
    nodeName?: string
  }
}
export interface KubeList<T = KubeObjectLike> {
  items: T[]
}

/** One of Karpenter's JSON log lines, its keys in the order they were written. */
export interface KarpenterLine {
  raw: string
  keys: string[]
  level: string
  time: string
  logger: string
  message: string
  [field: string]: unknown
}

export function parseKarpenterLines(text: string): KarpenterLine[] {
  const out: KarpenterLine[] = []
  for (const raw of text.split('\n')) {
    if (!raw.startsWith('{')) continue
    const parsed = JSON.parse(raw) as Record<string, unknown>
    out.push({ ...parsed, raw, keys: Object.keys(parsed) } as KarpenterLine)
  }
  return out.sort((a, b) => a.time.localeCompare(b.time))
}

/** Brings up an isolated sandbox with the cluster of Step 2 and kubectl configured as Step 2 leaves it. */
export async function startTutorialCluster(options: StartOptions): Promise<TutorialCluster> {
  const home = isolatedHome()
  const cliEnv = { SPOTCHECK_HOME: home, SPOTCHECK_SANDBOX: options.name }
  const work = mkdtempSync(join(tmpdir(), 'spotcheck-cluster-'))
  const asOf = options.asOf ?? ((options.kubernetesVersion ?? FIXTURE.kubernetesVersion) === FIXTURE.kubernetesVersion ? TUTORIAL_DATE : undefined)
  const up = await spotcheck(
    ['sandbox', 'up', ...(asOf ? ['--as-of', asOf] : []), ...(options.timeScale ? ['--time-scale', String(options.timeScale)] : [])],
    cliEnv,
  )
  if (up.exitCode !== 0) throw new Error(`sandbox up failed: ${up.stderr}`)
  const sandboxEnv = parseExports(up.stdout)
  const state = JSON.parse(readFileSync(join(home, 'sandboxes', options.name, 'state.json'), 'utf8')) as { pid: number; awsPid: number }
  const aws: AwsAccess = {
    endpoint: sandboxEnv.AWS_ENDPOINT_URL,
    region: sandboxEnv.AWS_REGION,
    credentials: { accessKeyId: sandboxEnv.AWS_ACCESS_KEY_ID, secretAccessKey: sandboxEnv.AWS_SECRET_ACCESS_KEY },
  }
  const tutorialKubeconfig = sandboxEnv.KUBECONFIG
  const token = new HarnessToken(tutorialKubeconfig, join(work, '.harness.kubeconfig'))
  const env = {
    ...sandboxEnv,
    KUBECONFIG: token.path,
    CLUSTER_NAME,
    KARPENTER_NODE_IAM_ROLE_NAME: NODE_INSTANCE_PROFILE,
    SPOTCHECK_HOME: home,
    SPOTCHECK_SANDBOX: options.name,
  }
  const bash = async (script: string, timeoutMs = 300_000) => {
    if (token.ready) await token.fresh(env)
    return runBash(script, env, work, timeoutMs)
  }
  const run = async (script: string, timeoutMs?: number) => {
    const r = await bash(script, timeoutMs)
    if (r.exitCode !== 0) throw new Error(`exit ${r.exitCode}: ${script}\n---\n${r.all}`)
    return r.stdout
  }
  const cluster: TutorialCluster = {
    home,
    work,
    env,
    aws,
    daemonPid: state.pid,
    awsPid: state.awsPid,
    bash,
    run,
    kubectlJson: async <T>(args: string) => JSON.parse(await run(`kubectl ${args} -o json`)) as T,
    karpenterLogs: async () =>
      parseKarpenterLines(await run('kubectl -n karpenter logs -l app.kubernetes.io/name=karpenter --all-containers=true --tail=-1 --max-log-requests=10')),
    close: async () => {
      await spotcheck(['sandbox', 'down', '--all'], { SPOTCHECK_HOME: home })
      rmSync(work, { recursive: true, force: true })
      rmSync(home, { recursive: true, force: true })
    },
  }
  // Seeded Step 2s that end up alike are made once per test run (step2-snapshot.ts).
  const shared =
    options.via !== 'terraform' && !options.noWait
      ? new SharedStep2({
          asOf,
          timeScale: options.timeScale,
          karpenterValues: options.karpenterValues,
          karpenterChartVersion: options.karpenterChartVersion,
          kubernetesVersion: options.kubernetesVersion,
          nodeGroupAmiType: options.nodeGroupAmiType,
        })
      : undefined
  try {
    const role = await shared?.take()
    let restored: Step2Record | undefined
    if (options.via === 'terraform') {
      cpSync(join(projectRoot, 'fixtures', 'terraform', 'sandbox'), work, { recursive: true })
      // One apply of the whole fixture: the same end state as the tutorial's three, in half the time.
      await run('export TF_VAR_region=$AWS_REGION && terraform init -no-color >/dev/null && terraform apply -no-color -auto-approve >/dev/null', 600_000)
    } else if (shared && role === 'restore') {
      restored = await shared.restoreInto(cliEnv)
      process.stderr.write(`Step 2 of "${options.name}": restored from the snapshot "${restored.madeBy}" made for this test run\n`)
    } else {
      await seedStep2(aws, options.karpenterValues, {
        karpenterChartVersion: options.karpenterChartVersion,
        kubernetesVersion: options.kubernetesVersion,
        amiType: options.nodeGroupAmiType,
      })
    }
    // Step 2's last commands: the kubeconfig, and Karpenter's pods running. The first kubectl
    // command goes through the tutorial's kubeconfig as written; its plugin's token is then kept.
    await run(`KUBECONFIG=${tutorialKubeconfig} aws eks --region $AWS_REGION update-kubeconfig --name spot-and-karpenter`)
    await run(`KUBECONFIG=${tutorialKubeconfig} kubectl get namespace kube-system -o name`)
    await token.fresh(env)
    if (restored) await waitForReelection(cluster, restored.leaseTransitions)
    if (!options.noWait) await waitForStep2(cluster)
    if (shared && role === 'make') {
      await shared.publish(cliEnv, { madeBy: options.name, leaseTransitions: (await karpenterLease(cluster)).leaseTransitions ?? 0 })
      process.stderr.write(`Step 2 of "${options.name}": seeded, and saved as a snapshot for this test run's other files\n`)
    }
  } catch (error) {
    shared?.release()
    await cluster.close()
    throw error
  }
  return cluster
}

/**
 * A copy of the tutorial's kubeconfig whose user presents the token its exec plugin returned
 * (the plugin's command, arguments and environment as `aws eks update-kubeconfig` wrote them),
 * fetched again when it is `maxAgeMs` old. See the header for why.
 */
class HarnessToken {
  #fetchedAt = 0
  #inFlight: Promise<void> | undefined
  readonly tutorialKubeconfig: string
  readonly path: string
  readonly maxAgeMs: number

  constructor(tutorialKubeconfig: string, path: string, maxAgeMs = 10 * 60_000) {
    this.tutorialKubeconfig = tutorialKubeconfig
    this.path = path
    this.maxAgeMs = maxAgeMs
  }

  /** Whether the first token has been written (before it, commands name the tutorial's kubeconfig). */
  get ready(): boolean {
    return this.#fetchedAt > 0
  }

  async fresh(env: Record<string, string>): Promise<void> {
    if (Date.now() - this.#fetchedAt < this.maxAgeMs) return
    this.#inFlight ??= this.#fetch(env).finally(() => (this.#inFlight = undefined))
    await this.#inFlight
  }

  async #fetch(env: Record<string, string>): Promise<void> {
    const config = parseYaml(readFileSync(this.tutorialKubeconfig, 'utf8')) as KubeconfigFile
    const context = config.contexts.find((c) => c.name === config['current-context'])?.context
    const user = config.users.find((u) => u.name === context?.user)
    const exec = user?.user.exec
    if (!user || !exec) throw new Error(`${this.tutorialKubeconfig}: the current context's user has no exec plugin`)
    const pluginEnv = { ...env, ...Object.fromEntries((exec.env ?? []).map((e) => [e.name, e.value])) }
    const started = Date.now()
    const r = await execa(exec.command, exec.args ?? [], { env: pluginEnv, extendEnv: false, reject: false, timeout: 60_000 })
    if (r.exitCode !== 0) throw new Error(`the exec plugin ${exec.command} ${(exec.args ?? []).join(' ')} failed (exit ${r.exitCode}):\n${r.stderr}`)
    const credential = JSON.parse(r.stdout) as { status?: { token?: string } }
    if (!credential.status?.token) throw new Error(`the exec plugin returned no token:\n${r.stdout}`)
    user.user = { token: credential.status.token }
    const tmp = `${this.path}.tmp`
    writeFileSync(tmp, stringifyYaml(config, { lineWidth: 0 }), { mode: 0o600 })
    renameSync(tmp, this.path)
    this.#fetchedAt = started
  }
}

interface KubeconfigFile {
  'current-context': string
  contexts: { name: string; context: { user: string } }[]
  users: { name: string; user: { token?: string; exec?: { command: string; args?: string[]; env?: { name: string; value: string }[] | null } } }[]
}

/** The node group's two nodes Ready, Karpenter's two replicas Running and its leader's controllers started. */
export async function waitForStep2(cluster: TutorialCluster): Promise<void> {
  await eventually('the two managed node group nodes Ready', async () => {
    const nodes = await cluster.kubectlJson('get nodes -l eks.amazonaws.com/nodegroup=managed-ondemand')
    const ready = nodes.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    return ready.length === 2 || `${ready.length}/${nodes.items.length} Ready`
  })
  await eventually('kubectl get pods -n karpenter: two replicas Running', async () => {
    const pods = await cluster.kubectlJson('get pods -n karpenter')
    const running = pods.items.filter((p) => p.status?.phase === 'Running')
    return running.length === 2 || pods.items.map((p) => `${p.metadata.name}=${p.status?.phase}`).join(', ')
  })
  await eventually("Karpenter's leader started its controllers", async () => {
    const lines = await cluster.karpenterLogs()
    return (
      lines.some((l) => l.logger === 'controller.interruption' && l.message === 'starting controller') ||
      `${lines.length} lines, last: ${lines.at(-1)?.message}`
    )
  })
}

export interface LeaseSpec {
  holderIdentity?: string
  leaseTransitions?: number
  renewTime?: string
  leaseDurationSeconds?: number
}

/** The spec of the Lease Karpenter's replicas elect their leader with. */
export async function karpenterLease(cluster: TutorialCluster): Promise<LeaseSpec> {
  return (await cluster.kubectlJson<{ spec: LeaseSpec }>('get lease -n karpenter karpenter-leader-election')).spec
}

/**
 * A restored cluster's Karpenter starts again and elects a leader again (the snapshot keeps the
 * Lease, one transition behind); until then nothing provisions. The saved log already has the
 * start-up lines waitForStep2 looks for, so this waits for the new election itself.
 */
async function waitForReelection(cluster: TutorialCluster, savedTransitions: number): Promise<void> {
  await eventually("the restored Karpenter's new leader", async () => {
    const lease = await karpenterLease(cluster)
    return (lease.leaseTransitions ?? 0) > savedTransitions || `lease transitions ${lease.leaseTransitions}, holder ${lease.holderIdentity}`
  })
}

/**
 * Polls `check` until it returns true or a value (returned); anything else (false, a string saying
 * what was seen) keeps waiting. Fails after `timeoutMs` with what was last seen.
 */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | string | false | undefined>,
  timeoutMs = 120_000,
  intervalMs = 500,
): Promise<Exclude<T, string | false | undefined>> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await check()
      if (value !== undefined && value !== false && typeof value !== 'string') return value as Exclude<T, string | false | undefined>
      last = value
    } catch (error) {
      last = error instanceof Error ? error.message : error
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}; last seen: ${typeof last === 'string' ? last : JSON.stringify(last)}`)
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}

// ---------------------------------------------------------------------------------------------
// Seeding: the fixture's resources, through the SDK
// ---------------------------------------------------------------------------------------------

/** The fixture's locals, inputs of its three modules, and what they declare. */
export const FIXTURE = {
  tags: { blueprint: CLUSTER_NAME },
  eksTags: { blueprint: CLUSTER_NAME, 'karpenter.sh/discovery': CLUSTER_NAME },
  vpcCidr: '10.0.0.0/16',
  publicSubnets: ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24'],
  privateSubnets: ['10.0.32.0/19', '10.0.64.0/19', '10.0.96.0/19'],
  publicSubnetTags: { [`kubernetes.io/cluster/${CLUSTER_NAME}`]: 'shared', 'kubernetes.io/role/elb': '1' },
  privateSubnetTags: { [`kubernetes.io/cluster/${CLUSTER_NAME}`]: 'shared', 'kubernetes.io/role/internal-elb': '1', 'karpenter.sh/discovery': CLUSTER_NAME },
  kubernetesVersion: '1.29',
  vpcCniConfiguration: JSON.stringify({ env: { ENABLE_PREFIX_DELEGATION: 'true', WARM_PREFIX_TARGET: '1' } }),
  nodeGroup: {
    name: 'managed-ondemand',
    instanceTypes: ['m4.large', 'm5.large', 'm5a.large', 'm5ad.large', 'm5d.large', 't2.large', 't3.large', 't3a.large'],
    scaling: { minSize: 2, maxSize: 2, desiredSize: 2 },
    labels: { intent: 'control-apps' },
  },
  addons: ['aws-ebs-csi-driver', 'coredns', 'kube-proxy'],
  karpenterChartVersion: 'v0.32.1',
  events: [
    { key: 'health_event', name: 'HealthEvent', description: 'AWS health event', pattern: { source: ['aws.health'], 'detail-type': ['AWS Health Event'] } },
    {
      key: 'spot_interrupt',
      name: 'SpotInterrupt',
      description: 'EC2 spot instance interruption warning',
      pattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] },
    },
    {
      key: 'instance_rebalance',
      name: 'InstanceRebalance',
      description: 'EC2 instance rebalance recommendation',
      pattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Instance Rebalance Recommendation'] },
    },
    {
      key: 'instance_state_change',
      name: 'InstanceStateChange',
      description: 'EC2 instance state-change notification',
      pattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] },
    },
  ],
} as const

/** Terraform's `jsonencode`: object keys in lexicographic order. */
export function jsonencode(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort)
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      )
    return v
  }
  return JSON.stringify(sort(value))
}

let uniqueCounter = 0
/** A name Terraform's `name_prefix` would make: prefix + UTC timestamp (to 0.1 ms) + 8 hex digits. */
function prefixed(prefix: string): string {
  const d = new Date()
  const ts =
    d
      .toISOString()
      .replace(/[-:TZ.]/g, '')
      .slice(0, 17) + '0'
  return `${prefix}${ts}${(++uniqueCounter).toString(16).padStart(8, '0')}`
}

const tagList = (tags: Record<string, string>): { Key: string; Value: string }[] => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }))
const withRun = (tags: Record<string, string>) => ({ ...tags, 'spotcheck:run': RUN_ID })

export interface Step2Outputs {
  cluster_name: string
  node_instance_profile_name: string
  vpc_id: string
  configure_kubectl: string
}

function clients(aws: AwsAccess) {
  const config = { region: aws.region, endpoint: aws.endpoint, credentials: aws.credentials, maxAttempts: 2 }
  return {
    ec2: new EC2Client(config),
    iam: new IAMClient(config),
    eks: new EKSClient(config),
    sqs: new SQSClient(config),
    events: new EventBridgeClient(config),
    ssm: new SSMClient(config),
  }
}
type Clients = ReturnType<typeof clients>
const destroyAll = (c: Clients) => Object.values(c).forEach((client) => client.destroy())

/** Creates what `terraform apply` of fixtures/terraform/sandbox creates, in the fixture's dependency order. */
export async function seedStep2(
  aws: AwsAccess,
  karpenterValues: Record<string, unknown> = {},
  versions: { karpenterChartVersion?: string; kubernetesVersion?: string; amiType?: AMITypes } = {},
): Promise<Step2Outputs> {
  const c = clients(aws)
  try {
    const partition = ACCOUNT_PARTITION
    const region = aws.region
    const zones = ((await c.ec2.send(new DescribeAvailabilityZonesCommand({}))).AvailabilityZones ?? []).map((z) => z.ZoneName!).slice(0, 3)

    // ---- module.vpc
    const vpcTags = withRun({ ...FIXTURE.tags, Name: CLUSTER_NAME })
    const vpc = (await c.ec2.send(new CreateVpcCommand({ CidrBlock: FIXTURE.vpcCidr, TagSpecifications: [{ ResourceType: 'vpc', Tags: tagList(vpcTags) }] })))
      .Vpc!
    const vpcId = vpc.VpcId!
    await c.ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsSupport: { Value: true } }))
    await c.ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }))
    const igw = (
      await c.ec2.send(
        new CreateInternetGatewayCommand({
          TagSpecifications: [{ ResourceType: 'internet-gateway', Tags: tagList(withRun({ ...FIXTURE.tags, Name: CLUSTER_NAME })) }],
        }),
      )
    ).InternetGateway!
    await c.ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw.InternetGatewayId!, VpcId: vpcId }))
    const subnet = async (cidr: string, zone: string, tags: Record<string, string>) =>
      (
        await c.ec2.send(
          new CreateSubnetCommand({
            VpcId: vpcId,
            CidrBlock: cidr,
            AvailabilityZone: zone,
            TagSpecifications: [{ ResourceType: 'subnet', Tags: tagList(withRun(tags)) }],
          }),
        )
      ).Subnet!.SubnetId!
    const publicSubnets: string[] = []
    const privateSubnets: string[] = []
    for (const [i, zone] of zones.entries()) {
      publicSubnets.push(await subnet(FIXTURE.publicSubnets[i], zone, { ...FIXTURE.tags, ...FIXTURE.publicSubnetTags, Name: `${CLUSTER_NAME}-public-${zone}` }))
    }
    for (const [i, zone] of zones.entries()) {
      privateSubnets.push(
        await subnet(FIXTURE.privateSubnets[i], zone, { ...FIXTURE.tags, ...FIXTURE.privateSubnetTags, Name: `${CLUSTER_NAME}-private-${zone}` }),
      )
    }
    const publicRt = (
      await c.ec2.send(
        new CreateRouteTableCommand({
          VpcId: vpcId,
          TagSpecifications: [{ ResourceType: 'route-table', Tags: tagList(withRun({ ...FIXTURE.tags, Name: `${CLUSTER_NAME}-public` })) }],
        }),
      )
    ).RouteTable!.RouteTableId!
    await c.ec2.send(new CreateRouteCommand({ RouteTableId: publicRt, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw.InternetGatewayId! }))
    for (const s of publicSubnets) await c.ec2.send(new AssociateRouteTableCommand({ RouteTableId: publicRt, SubnetId: s }))
    const eip = await c.ec2.send(
      new AllocateAddressCommand({
        Domain: 'vpc',
        TagSpecifications: [{ ResourceType: 'elastic-ip', Tags: tagList(withRun({ ...FIXTURE.tags, Name: `${CLUSTER_NAME}-${zones[0]}` })) }],
      }),
    )
    const nat = (
      await c.ec2.send(
        new CreateNatGatewayCommand({
          AllocationId: eip.AllocationId!,
          SubnetId: publicSubnets[0],
          TagSpecifications: [{ ResourceType: 'natgateway', Tags: tagList(withRun({ ...FIXTURE.tags, Name: `${CLUSTER_NAME}-${zones[0]}` })) }],
        }),
      )
    ).NatGateway!
    const privateRt = (
      await c.ec2.send(
        new CreateRouteTableCommand({
          VpcId: vpcId,
          TagSpecifications: [{ ResourceType: 'route-table', Tags: tagList(withRun({ ...FIXTURE.tags, Name: `${CLUSTER_NAME}-private` })) }],
        }),
      )
    ).RouteTable!.RouteTableId!
    await c.ec2.send(new CreateRouteCommand({ RouteTableId: privateRt, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat.NatGatewayId! }))
    for (const s of privateSubnets) await c.ec2.send(new AssociateRouteTableCommand({ RouteTableId: privateRt, SubnetId: s }))

    // ---- module.eks
    const eksTags = withRun({ ...FIXTURE.eksTags })
    const role = async (name: string, service: string, tags: Record<string, string>, sid?: string, description?: string) => {
      const doc = {
        Version: '2012-10-17',
        Statement: [{ ...(sid ? { Sid: sid } : {}), Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
      }
      return (
        await c.iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: jsonencode(doc), Description: description, Tags: tagList(tags) }))
      ).Role!
    }
    const attach = async (roleName: string, policies: readonly string[]) => {
      for (const p of policies) await c.iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: `arn:${partition}:iam::aws:policy/${p}` }))
    }
    const clusterRole = await role(prefixed(`${CLUSTER_NAME}-cluster-`), 'eks.amazonaws.com', eksTags)
    await attach(clusterRole.RoleName!, ['AmazonEKSClusterPolicy', 'AmazonEKSVPCResourceController'])
    const nodeRole = await role(prefixed(`${FIXTURE.nodeGroup.name}-eks-node-group-`), 'ec2.amazonaws.com', eksTags)
    await attach(nodeRole.RoleName!, ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryReadOnly'])
    await c.eks.send(
      new CreateClusterCommand({
        name: CLUSTER_NAME,
        version: versions.kubernetesVersion ?? FIXTURE.kubernetesVersion,
        roleArn: clusterRole.Arn!,
        resourcesVpcConfig: { subnetIds: privateSubnets, endpointPublicAccess: true, endpointPrivateAccess: true },
        tags: eksTags,
      }),
    )
    const cluster = (await c.eks.send(new DescribeClusterCommand({ name: CLUSTER_NAME }))).cluster!
    // The module tags the security group EKS made (aws_ec2_tag: provider default tags do not apply).
    await c.ec2.send(new CreateTagsCommand({ Resources: [cluster.resourcesVpcConfig!.clusterSecurityGroupId!], Tags: tagList(FIXTURE.eksTags) }))
    const oidc = await c.iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: cluster.identity!.oidc!.issuer!,
        ClientIDList: ['sts.amazonaws.com'],
        ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'],
        Tags: tagList(withRun({ ...FIXTURE.eksTags, Name: `${CLUSTER_NAME}-eks-irsa` })),
      }),
    )
    const overwrite = 'OVERWRITE' as const
    await c.eks.send(
      new CreateAddonCommand({
        clusterName: CLUSTER_NAME,
        addonName: 'vpc-cni',
        configurationValues: FIXTURE.vpcCniConfiguration,
        resolveConflicts: overwrite,
        tags: eksTags,
      }),
    )
    await c.eks.send(
      new CreateNodegroupCommand({
        clusterName: CLUSTER_NAME,
        nodegroupName: FIXTURE.nodeGroup.name,
        nodeRole: nodeRole.Arn!,
        subnets: privateSubnets,
        instanceTypes: [...FIXTURE.nodeGroup.instanceTypes],
        capacityType: 'ON_DEMAND',
        amiType: versions.amiType ?? 'AL2_x86_64',
        labels: { ...FIXTURE.nodeGroup.labels },
        scalingConfig: { ...FIXTURE.nodeGroup.scaling },
        tags: eksTags,
      }),
    )

    // ---- module.eks_blueprints_addons
    const addonTags = withRun({ ...FIXTURE.tags })
    for (const addon of FIXTURE.addons)
      await c.eks.send(new CreateAddonCommand({ clusterName: CLUSTER_NAME, addonName: addon, resolveConflicts: overwrite, tags: addonTags }))
    const oidcUrl = oidc.OpenIDConnectProviderArn!.replace(/^(.*provider\/)/, '')
    const controllerRole = (
      await c.iam.send(
        new CreateRoleCommand({
          RoleName: prefixed('karpenter-'),
          Description: 'Karpenter controller IAM role (IRSA)',
          AssumeRolePolicyDocument: jsonencode({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Federated: oidc.OpenIDConnectProviderArn },
                Action: 'sts:AssumeRoleWithWebIdentity',
                Condition: { StringEquals: { [`${oidcUrl}:sub`]: 'system:serviceaccount:karpenter:karpenter', [`${oidcUrl}:aud`]: 'sts.amazonaws.com' } },
              },
            ],
          }),
          Tags: tagList(addonTags),
        }),
      )
    ).Role!
    const karpenterNodeRole = await role(NODE_INSTANCE_PROFILE, 'ec2.amazonaws.com', addonTags, 'KarpenterNodeAssumeRole', 'Karpenter EC2 node IAM role')
    const queueArn = `arn:${partition}:sqs:${region}:${cluster.arn!.split(':')[4]}:${QUEUE_NAME}`
    await c.iam.send(
      new PutRolePolicyCommand({
        RoleName: controllerRole.RoleName!,
        PolicyName: 'karpenter',
        PolicyDocument: jsonencode(controllerPolicy(partition, region, cluster.arn!.split(':')[4], karpenterNodeRole.Arn!, queueArn)),
      }),
    )
    await attach(karpenterNodeRole.RoleName!, [
      'AmazonEKSWorkerNodePolicy',
      'AmazonEKS_CNI_Policy',
      'AmazonEC2ContainerRegistryReadOnly',
      'AmazonSSMManagedInstanceCore',
    ])
    await c.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: NODE_INSTANCE_PROFILE, Tags: tagList(addonTags) }))
    await c.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: NODE_INSTANCE_PROFILE, RoleName: karpenterNodeRole.RoleName! }))
    await c.sqs.send(
      new CreateQueueCommand({
        QueueName: QUEUE_NAME,
        Attributes: {
          MessageRetentionPeriod: '300',
          // the aws provider's max_message_size default, which it always sends
          MaximumMessageSize: '262144',
          SqsManagedSseEnabled: 'true',
          Policy: jsonencode({
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'SendEventsToQueue',
                Effect: 'Allow',
                Principal: { Service: [`events.amazonaws.com`, `sqs.amazonaws.com`] },
                Action: 'sqs:SendMessage',
                Resource: queueArn,
              },
            ],
          }),
        },
        tags: addonTags,
      }),
    )
    for (const e of FIXTURE.events) {
      const name = prefixed(`Karpenter-${e.name}-`)
      await c.events.send(
        new PutRuleCommand({
          Name: name,
          Description: e.description,
          EventPattern: jsonencode(e.pattern),
          Tags: tagList(withRun({ ClusterName: CLUSTER_NAME, ...FIXTURE.tags })),
        }),
      )
      await c.events.send(new PutTargetsCommand({ Rule: name, Targets: [{ Id: 'KarpenterQueueTarget', Arn: queueArn }] }))
    }
    const release = {
      chart: 'karpenter',
      repository: 'oci://public.ecr.aws/karpenter',
      version: versions.karpenterChartVersion ?? FIXTURE.karpenterChartVersion,
      namespace: 'karpenter',
      values: mergeDeep(
        {
          settings: { clusterName: CLUSTER_NAME, clusterEndpoint: cluster.endpoint!, interruptionQueue: QUEUE_NAME },
          serviceAccount: { name: 'karpenter', annotations: { 'eks.amazonaws.com/role-arn': controllerRole.Arn! } },
        },
        karpenterValues,
      ),
    }
    await c.ssm.send(
      new PutParameterCommand({
        Name: `/spotcheck/helm-releases/${CLUSTER_NAME}/karpenter/karpenter`,
        Description: `Helm release of the Karpenter chart, installed into ${CLUSTER_NAME} by the spotcheck sandbox`,
        Type: 'String',
        Value: jsonencode(release),
        Tags: tagList(addonTags),
      }),
    )
    return {
      cluster_name: CLUSTER_NAME,
      node_instance_profile_name: NODE_INSTANCE_PROFILE,
      vpc_id: vpcId,
      configure_kubectl: `aws eks --region ${region} update-kubeconfig --name ${CLUSTER_NAME}`,
    }
  } finally {
    destroyAll(c)
  }
}

function mergeDeep(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base }
  for (const [k, v] of Object.entries(over)) {
    const b = out[k]
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
        ? mergeDeep(b as Record<string, unknown>, v as Record<string, unknown>)
        : v
  }
  return out
}

/** The Karpenter controller role's inline policy, as the addons module writes it (with spot termination). */
function controllerPolicy(partition: string, region: string, account: string, nodeRoleArn: string, queueArn: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: [
          'ec2:DescribeAvailabilityZones',
          'ec2:DescribeImages',
          'ec2:DescribeInstances',
          'ec2:DescribeInstanceTypeOfferings',
          'ec2:DescribeInstanceTypes',
          'ec2:DescribeLaunchTemplates',
          'ec2:DescribeSecurityGroups',
          'ec2:DescribeSpotPriceHistory',
          'ec2:DescribeSubnets',
        ],
        Resource: '*',
      },
      {
        Effect: 'Allow',
        Action: ['ec2:CreateFleet', 'ec2:CreateLaunchTemplate', 'ec2:CreateTags', 'ec2:DeleteLaunchTemplate', 'ec2:RunInstances'],
        Resource: [`arn:${partition}:ec2:${region}:${account}:*`, `arn:${partition}:ec2:${region}::image/*`],
      },
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: nodeRoleArn },
      { Effect: 'Allow', Action: 'pricing:GetProducts', Resource: '*' },
      { Effect: 'Allow', Action: 'ssm:GetParameter', Resource: `arn:${partition}:ssm:${region}::parameter/aws/service/*` },
      { Effect: 'Allow', Action: 'eks:DescribeCluster', Resource: `arn:${partition}:eks:*:${account}:cluster/${CLUSTER_NAME}` },
      {
        Effect: 'Allow',
        Action: 'ec2:TerminateInstances',
        Resource: `arn:${partition}:ec2:${region}:${account}:instance/*`,
        Condition: { StringLike: { [`ec2:ResourceTag/kubernetes.io/cluster/${CLUSTER_NAME}`]: '*' } },
      },
      {
        Effect: 'Allow',
        Action: [
          'iam:AddRoleToInstanceProfile',
          'iam:CreateInstanceProfile',
          'iam:DeleteInstanceProfile',
          'iam:GetInstanceProfile',
          'iam:RemoveRoleFromInstanceProfile',
          'iam:TagInstanceProfile',
        ],
        Resource: '*',
      },
      { Effect: 'Allow', Action: ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'], Resource: queueArn },
    ],
  }
}

// ---------------------------------------------------------------------------------------------
// Reading the account back, normalised (drift.test.ts)
// ---------------------------------------------------------------------------------------------

/**
 * What Step 2 made, as the account shows it, with what differs from run to run taken out:
 * resource ids become the Name of what they point to, `name_prefix` suffixes become `*`, the API
 * server's URL `<endpoint>`, the OIDC issuer's id `<id>`.
 */
export async function accountShape(aws: AwsAccess): Promise<Record<string, unknown>> {
  const c = clients(aws)
  try {
    const names = new Map<string, string>()
    const nameOf = (id: string | undefined) => (id ? (names.get(id) ?? `<unknown ${id.replace(/-.*/, '')}>`) : undefined)
    const tagsOf = (tags: { Key?: string; Value?: string }[] | undefined): Record<string, string> =>
      Object.fromEntries((tags ?? []).map((t): [string, string] => [t.Key!, t.Value!]).sort(([a], [b]) => a.localeCompare(b)))
    const normalise = (text: string) =>
      text
        .replace(/(Karpenter-\w+-|karpenter-|spot-and-karpenter-cluster-|managed-ondemand-eks-node-group-)\d{18}[0-9a-f]{8}/g, '$1*')
        .replace(/https:\/\/127\.0\.0\.1:\d+/g, '<endpoint>')
        .replace(/(oidc\.eks\.[a-z0-9-]+\.amazonaws\.com\/id\/)[0-9A-Za-z]+/g, '$1<id>')
    const deepNormalise = (v: unknown): unknown => {
      if (typeof v === 'string') {
        const trimmed = v.trim()
        if ((trimmed.startsWith('{') || trimmed.startsWith('[')) && trimmed.length > 1) {
          try {
            return deepNormalise(JSON.parse(trimmed))
          } catch {
            // not JSON after all
          }
        }
        return normalise(v)
      }
      if (Array.isArray(v)) return v.map(deepNormalise)
      if (v && typeof v === 'object')
        return Object.fromEntries(
          Object.entries(v)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, x]) => [normalise(k), deepNormalise(x)]),
        )
      return v
    }

    const vpcs = (await c.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: [CLUSTER_NAME] }] }))).Vpcs ?? []
    const vpcId = vpcs[0]?.VpcId
    if (vpcId) names.set(vpcId, CLUSTER_NAME)
    const subnets = vpcId ? ((await c.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).Subnets ?? []) : []
    for (const s of subnets) names.set(s.SubnetId!, tagsOf(s.Tags).Name ?? s.SubnetId!)
    const igws = vpcId
      ? ((await c.ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }] }))).InternetGateways ?? [])
      : []
    for (const g of igws) names.set(g.InternetGatewayId!, `igw/${tagsOf(g.Tags).Name}`)
    const nats = vpcId
      ? ((await c.ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: 'vpc-id', Values: [vpcId] }] }))).NatGateways ?? []).filter(
          (n) => n.State !== 'deleted',
        )
      : []
    for (const n of nats) names.set(n.NatGatewayId!, `nat/${tagsOf(n.Tags).Name}`)
    const addresses = (await c.ec2.send(new DescribeAddressesCommand({}))).Addresses ?? []
    for (const a of addresses) names.set(a.AllocationId!, `eip/${tagsOf(a.Tags).Name}`)
    const routeTables = vpcId ? ((await c.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).RouteTables ?? []) : []
    const groups = vpcId ? ((await c.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).SecurityGroups ?? []) : []
    const dns = async (attribute: 'enableDnsHostnames' | 'enableDnsSupport') => {
      if (!vpcId) return undefined
      const r = await c.ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: attribute }))
      return attribute === 'enableDnsHostnames' ? r.EnableDnsHostnames?.Value : r.EnableDnsSupport?.Value
    }

    const roles = ((await c.iam.send(new ListRolesCommand({}))).Roles ?? []).filter((r) => !r.Path?.startsWith('/aws-service-role/'))
    const roleShapes = []
    for (const r of roles) {
      const attached = ((await c.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: r.RoleName! }))).AttachedPolicies ?? [])
        .map((p) => p.PolicyArn!)
        .sort()
      const inlineNames = (await c.iam.send(new ListRolePoliciesCommand({ RoleName: r.RoleName! }))).PolicyNames ?? []
      const inline: Record<string, unknown> = {}
      for (const n of inlineNames)
        inline[n] = decodeURIComponent((await c.iam.send(new GetRolePolicyCommand({ RoleName: r.RoleName!, PolicyName: n }))).PolicyDocument!)
      const tags = (await c.iam.send(new ListRoleTagsCommand({ RoleName: r.RoleName! }))).Tags ?? []
      roleShapes.push({
        name: r.RoleName,
        description: r.Description,
        assumeRolePolicy: decodeURIComponent(r.AssumeRolePolicyDocument ?? ''),
        attached,
        inline,
        tags: tagsOf(tags),
      })
    }
    const profiles = ((await c.iam.send(new ListInstanceProfilesCommand({}))).InstanceProfiles ?? []).map((p) => ({
      name: p.InstanceProfileName,
      roles: (p.Roles ?? []).map((r) => r.RoleName),
      tags: tagsOf(p.Tags),
    }))
    const oidcProviders = []
    for (const p of (await c.iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList ?? []) {
      const o = await c.iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: p.Arn! }))
      oidcProviders.push({ arn: p.Arn, url: o.Url, clientIds: o.ClientIDList, thumbprints: o.ThumbprintList, tags: tagsOf(o.Tags) })
    }

    const clusters = []
    for (const name of (await c.eks.send(new ListClustersCommand({}))).clusters ?? []) {
      const cl = (await c.eks.send(new DescribeClusterCommand({ name }))).cluster!
      const sg = groups.find((g) => g.GroupId === cl.resourcesVpcConfig?.clusterSecurityGroupId)
      const nodegroups = []
      for (const ng of (await c.eks.send(new ListNodegroupsCommand({ clusterName: name }))).nodegroups ?? []) {
        const n = (await c.eks.send(new DescribeNodegroupCommand({ clusterName: name, nodegroupName: ng }))).nodegroup!
        nodegroups.push({
          name: ng,
          nodeRole: n.nodeRole,
          subnets: (n.subnets ?? []).map(nameOf).sort(),
          instanceTypes: n.instanceTypes,
          capacityType: n.capacityType,
          amiType: n.amiType,
          labels: n.labels,
          taints: n.taints ?? [],
          scaling: n.scalingConfig,
          tags: n.tags,
        })
      }
      const addons = []
      for (const a of (await c.eks.send(new ListAddonsCommand({ clusterName: name }))).addons ?? []) {
        const d = (await c.eks.send(new DescribeAddonCommand({ clusterName: name, addonName: a }))).addon!
        addons.push({
          name: a,
          version: d.addonVersion,
          configurationValues: d.configurationValues,
          serviceAccountRoleArn: d.serviceAccountRoleArn,
          tags: d.tags,
        })
      }
      clusters.push({
        name,
        version: cl.version,
        roleArn: cl.roleArn,
        endpoint: cl.endpoint,
        subnets: (cl.resourcesVpcConfig?.subnetIds ?? []).map(nameOf).sort(),
        endpointPublicAccess: cl.resourcesVpcConfig?.endpointPublicAccess,
        endpointPrivateAccess: cl.resourcesVpcConfig?.endpointPrivateAccess,
        oidcIssuer: cl.identity?.oidc?.issuer,
        tags: cl.tags,
        clusterSecurityGroupTags: tagsOf(sg?.Tags),
        nodegroups: nodegroups.sort((a, b) => a.name.localeCompare(b.name)),
        addons: addons.sort((a, b) => a.name.localeCompare(b.name)),
      })
    }

    const queues = []
    for (const url of (await c.sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []) {
      const attrs =
        (
          await c.sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: url,
              AttributeNames: ['MessageRetentionPeriod', 'SqsManagedSseEnabled', 'Policy', 'VisibilityTimeout', 'DelaySeconds', 'MaximumMessageSize'],
            }),
          )
        ).Attributes ?? {}
      const tags = (await c.sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags ?? {}
      queues.push({ name: url.split('/').pop(), attributes: attrs, tags })
    }

    const rules = []
    for (const r of (await c.events.send(new ListRulesCommand({}))).Rules ?? []) {
      const targets = ((await c.events.send(new ListTargetsByRuleCommand({ Rule: r.Name! }))).Targets ?? []).map((t) => ({ id: t.Id, arn: t.Arn }))
      const tags = (await c.events.send(new ListRuleTagsCommand({ ResourceARN: r.Arn! }))).Tags ?? []
      rules.push({ name: r.Name, description: r.Description, pattern: r.EventPattern, state: r.State, bus: r.EventBusName, targets, tags: tagsOf(tags) })
    }

    const parameters = []
    for (const p of (await c.ssm.send(new GetParametersByPathCommand({ Path: '/spotcheck/', Recursive: true }))).Parameters ?? []) {
      const tags = (await c.ssm.send(new ListParameterTagsCommand({ ResourceType: 'Parameter', ResourceId: p.Name! }))).TagList ?? []
      parameters.push({ name: p.Name, type: p.Type, value: p.Value, tags: tagsOf(tags) })
    }

    const shape = {
      vpc: vpcs.map((v) => ({ cidr: v.CidrBlock, tags: tagsOf(v.Tags) })),
      vpcDns: { hostnames: await dns('enableDnsHostnames'), support: await dns('enableDnsSupport') },
      subnets: subnets
        .map((s) => ({ name: nameOf(s.SubnetId), cidr: s.CidrBlock, zone: s.AvailabilityZone, tags: tagsOf(s.Tags) }))
        .sort((a, b) => String(a.name).localeCompare(String(b.name))),
      internetGateways: igws.map((g) => ({ tags: tagsOf(g.Tags), attachments: (g.Attachments ?? []).map((a) => nameOf(a.VpcId)) })),
      natGateways: nats.map((n) => ({
        subnet: nameOf(n.SubnetId),
        allocations: (n.NatGatewayAddresses ?? []).map((a) => nameOf(a.AllocationId)),
        tags: tagsOf(n.Tags),
      })),
      elasticIps: addresses.filter((a) => a.Domain === 'vpc').map((a) => ({ name: nameOf(a.AllocationId), tags: tagsOf(a.Tags) })),
      routeTables: routeTables
        .filter((t) => !(t.Associations ?? []).some((a) => a.Main))
        .map((t) => ({
          tags: tagsOf(t.Tags),
          routes: (t.Routes ?? [])
            .filter((r) => r.DestinationCidrBlock === '0.0.0.0/0')
            .map((r) => ({ destination: r.DestinationCidrBlock, via: nameOf(r.GatewayId ?? r.NatGatewayId) })),
          subnets: (t.Associations ?? []).map((a) => nameOf(a.SubnetId)).sort(),
        }))
        .sort((a, b) => String(a.tags.Name).localeCompare(String(b.tags.Name))),
      roles: roleShapes.sort((a, b) => String(a.name).localeCompare(String(b.name))),
      instanceProfiles: profiles,
      oidcProviders,
      clusters,
      queues,
      rules: rules.sort((a, b) => String(a.name).localeCompare(String(b.name))),
      parameters,
    }
    return deepNormalise(shape) as Record<string, unknown>
  } finally {
    destroyAll(c)
  }
}

/** Runs `npx spotcheck …`-style cleanup for a home no test could close (a crashed before hook). */
export async function downAll(home: string): Promise<void> {
  await execa(process.execPath, [join(projectRoot, 'bin', 'spotcheck.ts'), 'sandbox', 'down', '--all'], {
    reject: false,
    env: { ...process.env, SPOTCHECK_HOME: home },
  })
}
