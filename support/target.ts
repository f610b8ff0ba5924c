// Where the tutorial runs. A target supplies only what differs between the sandbox and a real
// account — the environment of the tutorial's commands, SDK settings, a time scale, whether
// Cloud9 exists, and its own start and stop — so that steps never branch on it.

import { execa } from 'execa'
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts'
import { join } from 'node:path'
import { awsClients } from './aws-clients.ts'
import { sandboxBinDir, sandboxEnvironment } from '../sandbox/exports.ts'
import { inspectSandbox, projectRoot } from '../sandbox/state.ts'
import type { TargetRef } from './ledger.ts'

export interface TargetParameters {
  target: 'sandbox' | 'aws'
  /** AWS region (aws: default $AWS_REGION; sandbox: eu-west-2, as in the tutorial's sample output). */
  region?: string
  /** aws: the account ID the run may use; must equal what STS reports (or $SPOTCHECK_AWS_ACCOUNT). */
  awsAccount?: string
  kubernetesVersion?: string
  karpenterChartVersion?: string
  /** Run the Cloud9 section (aws only: Cloud9 is closed to new customers since July 2024). */
  cloud9?: boolean
  /** sandbox: how many times faster than real time the tutorial's time runs. */
  timeScale?: number
}

export interface TargetSession {
  name: 'sandbox' | 'aws'
  region: string
  /** The environment the tutorial's commands run with (what a reader's terminal would have). */
  env: Record<string, string>
  /** Tutorial milliseconds per real millisecond. */
  timeScale: number
  accountId: string
  cloud9: { offered: boolean; reason: string }
  /** What the report's environment section shows. */
  facts: Record<string, string>
  stop(): Promise<void>
}

export const TUTORIAL_KUBERNETES_VERSION = '1.29'
export const TUTORIAL_KARPENTER_VERSION = 'v0.32.1'

/** The ledger's record of the target, written before the target starts anything. */
export function targetRef(params: TargetParameters, runId: string, home: string): TargetRef {
  if (params.target === 'aws') return { name: 'aws', region: awsRegion(params) }
  return { name: 'sandbox', sandbox: sandboxNameFor(runId), home, region: params.region ?? 'eu-west-2' }
}

export function sandboxNameFor(runId: string): string {
  return `run-${runId}`.toLowerCase().slice(0, 40)
}

function awsRegion(params: TargetParameters): string {
  const region = params.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION
  if (!region) throw new Error('the aws target needs a region: set AWS_REGION, or --world-parameters \'{"region":"eu-west-2"}\'')
  return region
}

// ── the aws target's opt-in ────────────────────────────────────────────────────────────────

export class OptInError extends Error {}

/**
 * A run against a real account creates billable resources (an EKS cluster, a NAT gateway, EC2
 * instances) for about an hour. It goes ahead only when the user named the account it may use,
 * and STS says the credentials are in exactly that account.
 */
export function checkAwsOptIn(optIn: string | undefined, callerAccount: string): void {
  const how = 'set SPOTCHECK_AWS_ACCOUNT=<account ID> (or --world-parameters \'{"awsAccount":"<account ID>"}\') to the ID of the account the run may use'
  if (!optIn) {
    throw new OptInError(`The aws target creates billable resources in a real AWS account, and needs your explicit opt-in: ${how}. Your credentials are for account ${callerAccount}.`)
  }
  if (!/^\d{12}$/.test(optIn.trim())) throw new OptInError(`SPOTCHECK_AWS_ACCOUNT must be a 12-digit AWS account ID, got "${optIn}"`)
  if (optIn.trim() !== callerAccount) {
    throw new OptInError(`Refusing to run: the opt-in names account ${optIn.trim()}, but your credentials are for account ${callerAccount}. Switch credentials, or ${how}.`)
  }
}

// ── starting ────────────────────────────────────────────────────────────────────────────────

export interface StartOptions {
  runId: string
  runDir: string
  home: string
  progress: (line: string) => void
}

export async function startTarget(params: TargetParameters, options: StartOptions): Promise<TargetSession> {
  return params.target === 'aws' ? startAws(params, options) : startSandbox(params, options)
}

async function startSandbox(params: TargetParameters, options: StartOptions): Promise<TargetSession> {
  const name = sandboxNameFor(options.runId)
  const args = ['sandbox', 'up', '--name', name, '--region', params.region ?? 'eu-west-2']
  if (params.timeScale !== undefined) args.push('--time-scale', String(params.timeScale))
  const child = execa(process.execPath, [join(projectRoot, 'bin', 'spotcheck.ts'), ...args], {
    env: { ...process.env, SPOTCHECK_HOME: options.home },
    reject: false,
    stdout: 'pipe',
    stderr: 'pipe',
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) options.progress(line)
  })
  const r = await child
  if (r.exitCode !== 0) throw new Error(`the sandbox did not start (spotcheck ${args.join(' ')}):\n${r.stderr}`)
  const record = inspectSandbox(name, options.home)
  if (!record.config || !record.state?.ready) throw new Error(`sandbox "${name}" reported up but has no ready state in ${record.paths.dir}`)
  const env = cleanEnv({
    ...process.env,
    ...sandboxEnvironment(record.paths, record.config, record.state, process.env.PATH ?? ''),
    SPOTCHECK_HOME: options.home,
    TF_VAR_run_id: options.runId,
    TF_IN_AUTOMATION: '1',
    HOME: process.env.HOME ?? options.runDir,
  })
  return {
    name: 'sandbox',
    region: record.config.region,
    env,
    timeScale: record.config.timeScale,
    accountId: '123456789012', // moto's account
    cloud9: { offered: false, reason: 'the sandbox has no Cloud9 (and AWS closed Cloud9 to new customers in July 2024); every later section runs from any terminal' },
    facts: {
      target: `sandbox "${name}" (offline twin: moto + spotcheck's Kubernetes API server and Karpenter v0.32.1 twin)`,
      region: record.config.region,
      'time scale': `tutorial time runs ${record.config.timeScale}× faster than real time`,
      'Kubernetes version': TUTORIAL_KUBERNETES_VERSION,
      'Karpenter version': TUTORIAL_KARPENTER_VERSION,
    },
    async stop() {
      await execa(process.execPath, [join(projectRoot, 'bin', 'spotcheck.ts'), 'sandbox', 'down', '--name', name], { env: { ...process.env, SPOTCHECK_HOME: options.home }, reject: false })
    },
  }
}

async function startAws(params: TargetParameters, options: StartOptions): Promise<TargetSession> {
  const region = awsRegion(params)
  const base = cleanEnv({ ...process.env, AWS_REGION: region, AWS_DEFAULT_REGION: region })
  const aws = awsClients(base)
  let account: string
  try {
    account = (await aws.sts.send(new GetCallerIdentityCommand({}))).Account!
  } finally {
    aws.destroy()
  }
  checkAwsOptIn(params.awsAccount ?? process.env.SPOTCHECK_AWS_ACCOUNT, account)
  const kubernetesVersion = params.kubernetesVersion ?? TUTORIAL_KUBERNETES_VERSION
  const karpenterVersion = params.karpenterChartVersion ?? TUTORIAL_KARPENTER_VERSION
  options.progress(`target aws: account ${account}, region ${region}; EKS ${kubernetesVersion}, Karpenter chart ${karpenterVersion}. Resources are tagged spotcheck:run=${options.runId}.`)
  const env = cleanEnv({
    ...base,
    KUBECONFIG: join(options.runDir, 'kubeconfig'), // the tutorial's update-kubeconfig writes here, not to ~/.kube/config
    SPOTCHECK_TARGET: 'aws',
    PATH: `${sandboxBinDir}:${process.env.PATH ?? ''}`, // wget serves fixtures/terraform/aws; helm stand-in only if Helm is missing
    TF_VAR_run_id: options.runId,
    TF_VAR_kubernetes_version: kubernetesVersion,
    TF_VAR_karpenter_chart_version: karpenterVersion,
    TF_IN_AUTOMATION: '1',
    AWS_PAGER: '',
  })
  return {
    name: 'aws',
    region,
    env,
    timeScale: 1,
    accountId: account,
    cloud9: params.cloud9
      ? { offered: true, reason: 'asked for with the world parameter cloud9: true' }
      : { offered: false, reason: 'Cloud9 runs only when asked for (--world-parameters \'{"cloud9":true}\'): AWS closed it to new customers in July 2024' },
    facts: { target: 'aws (a real account)', region, 'Kubernetes version': kubernetesVersion, 'Karpenter version': karpenterVersion },
    async stop() {},
  }
}

function cleanEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v
  return out
}
