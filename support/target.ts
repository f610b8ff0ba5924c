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
import { EditionError, resolveEdition, type EditionName, type ResolvedEdition } from './editions/edition.ts'
import { fetchLogPath, writeFileEditsFor } from './editions/fetched.ts'
import { terraformAdditionsDir, writeTerraformAdditions } from './terraform-additions.ts'

export interface TargetParameters {
  target: 'sandbox' | 'aws'
  /** AWS region (aws: default $AWS_REGION; sandbox: eu-west-2, as in the tutorial's sample output). */
  region?: string
  /** aws: the account ID the run may use; must equal what STS reports (or $SPOTCHECK_AWS_ACCOUNT). */
  awsAccount?: string
  /** 'as-written' (default): the tutorial as published; 'current': with fixtures/editions/current.yaml's edits. */
  edition?: EditionName
  /**
   * The day whose platform the run meets (YYYY-MM-DD, or "today"). Default: the tutorial's date
   * for as-written, today for current. Sandbox only: the aws target is always today.
   */
  asOf?: string
  /** @deprecated no longer taken (checkParameters refuses it): the edition chooses the versions. */
  kubernetesVersion?: string
  /** @deprecated no longer taken (checkParameters refuses it): the edition chooses the versions. */
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
  /** The tutorial the run follows (edition, day, platform view, versions, edits). */
  edition: ResolvedEdition
  stop(): Promise<void>
}

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

/** Parameters spotcheck once took and no longer does, with what replaces them. */
const RETIRED: Record<string, string> = {
  kubernetesVersion: 'the edition chooses the versions: "edition": "current" runs the newest Kubernetes EKS offers on asOf',
  karpenterChartVersion: 'the edition chooses the versions: "edition": "current" runs the Karpenter release of asOf',
}

/**
 * Checks the world parameters and resolves the edition, before anything is created: an unknown
 * edition, a bad or future asOf, asOf on the aws target, an edit that no longer fits the tutorial.
 */
export function checkParameters(params: TargetParameters, options: { today?: string } = {}): ResolvedEdition {
  if (params.target !== 'sandbox' && params.target !== 'aws') throw new EditionError(`unknown target ${JSON.stringify(params.target)}: the world parameter "target" is "sandbox" (the default) or "aws"`)
  for (const [name, instead] of Object.entries(RETIRED)) {
    if ((params as unknown as Record<string, unknown>)[name] !== undefined) throw new EditionError(`the world parameter "${name}" is no longer taken: ${instead}`)
  }
  return resolveEdition(params, options)
}

/** What the report's environment panel says of the edition. */
export function editionFacts(edition: ResolvedEdition): Record<string, string> {
  return {
    edition: edition.edition === 'as-written' ? 'as-written (the tutorial as published)' : `current (${edition.edits.length} edits of fixtures/editions/current.yaml)`,
    'as of': `${edition.asOf} (${edition.asOfReason})`,
    'Kubernetes version': edition.versions.kubernetesVersion,
    'Karpenter version': edition.versions.karpenterChartVersion,
  }
}

export async function startTarget(params: TargetParameters, options: StartOptions): Promise<TargetSession> {
  const edition = checkParameters(params)
  options.progress(`edition ${edition.edition} as of ${edition.asOf} (${edition.asOfReason}): Kubernetes ${edition.versions.kubernetesVersion}, Karpenter chart ${edition.versions.karpenterChartVersion}${edition.edits.length ? `, ${edition.edits.length} edits` : ''}`)
  return params.target === 'aws' ? startAws(params, options, edition) : startSandbox(params, options, edition)
}

/** What the tutorial's wget needs to record (and, on a real account, edit) the files it fetches. */
function fetchEnvironment(options: StartOptions, edition: ResolvedEdition): Record<string, string> {
  return {
    SPOTCHECK_FETCH_LOG: fetchLogPath(options.runDir),
    SPOTCHECK_FILE_EDITS: writeFileEditsFor(options.runDir, edition),
    SPOTCHECK_NODE: process.execPath,
  }
}

async function startSandbox(params: TargetParameters, options: StartOptions, edition: ResolvedEdition): Promise<TargetSession> {
  const name = sandboxNameFor(options.runId)
  const args = ['sandbox', 'up', '--name', name, '--region', params.region ?? 'eu-west-2', '--as-of', edition.asOf]
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
    // The sandbox's stand-in main.tf takes the edition's versions as variables (the aws target
    // edits the tutorial's own file instead): as-written 1.29 / v0.32.1, current those of asOf.
    TF_VAR_kubernetes_version: edition.versions.kubernetesVersion,
    TF_VAR_karpenter_chart_version: edition.versions.karpenterChartVersion,
    TF_IN_AUTOMATION: '1',
    HOME: process.env.HOME ?? options.runDir,
    ...fetchEnvironment(options, edition),
  })
  return {
    name: 'sandbox',
    region: record.config.region,
    env,
    timeScale: record.config.timeScale,
    accountId: '123456789012', // moto's account
    cloud9: { offered: false, reason: 'the sandbox has no Cloud9 (and AWS closed Cloud9 to new customers in July 2024); every later section runs from any terminal' },
    facts: {
      target: `sandbox "${name}" (offline twin: moto + spotcheck's Kubernetes API server and Karpenter twin), answering as AWS did on ${edition.asOf}`,
      region: record.config.region,
      'time scale': `tutorial time runs ${record.config.timeScale}× faster than real time`,
      ...editionFacts(edition),
    },
    edition,
    async stop() {
      await execa(process.execPath, [join(projectRoot, 'bin', 'spotcheck.ts'), 'sandbox', 'down', '--name', name], { env: { ...process.env, SPOTCHECK_HOME: options.home }, reject: false })
    },
  }
}

async function startAws(params: TargetParameters, options: StartOptions, edition: ResolvedEdition): Promise<TargetSession> {
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
  // What spotcheck adds beside the tutorial's main.tf (run tag, log group, pins and lock): wget copies it there.
  writeTerraformAdditions(terraformAdditionsDir(options.runDir), { runId: options.runId, edition: edition.edition, rehearsal: (params as { rehearsal?: boolean }).rehearsal === true })
  options.progress(`target aws: account ${account}, region ${region}; the ${edition.edition} edition: EKS ${edition.versions.kubernetesVersion}, Karpenter chart ${edition.versions.karpenterChartVersion}. Resources are tagged spotcheck:run=${options.runId}.`)
  const env = cleanEnv({
    ...base,
    KUBECONFIG: join(options.runDir, 'kubeconfig'), // the tutorial's update-kubeconfig writes here, not to ~/.kube/config
    SPOTCHECK_TARGET: 'aws',
    // wget fetches the tutorial's real files (and records, and for the current edition edits,
    // them); the helm stand-in is used only if Helm is missing.
    PATH: `${sandboxBinDir}:${process.env.PATH ?? ''}`,
    TF_VAR_run_id: options.runId,
    TF_IN_AUTOMATION: '1',
    AWS_PAGER: '',
    ...fetchEnvironment(options, edition),
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
    facts: { target: 'aws (a real account)', region, ...editionFacts(edition) },
    edition,
    async stop() {},
  }
}

function cleanEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v
  return out
}
