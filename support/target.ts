// Where the tutorial runs. A target supplies only what differs between the sandbox and a real
// account — the environment of the tutorial's commands, SDK settings, a time scale, whether
// Cloud9 exists, and its own start and stop — so that steps never branch on it.

import { execa } from 'execa'
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { awsClients } from './aws-clients.ts'
import { awsCliMajor, awsCliV1Config, sandboxMarkers, sandboxMarkersMessage, withoutSandbox, type Env } from './aws-environment.ts'
import { standInsDir } from '../lib/paths.ts'
import {
  findProviderMirror,
  inspectSandbox,
  karpenterTwinFor,
  sandboxDown,
  sandboxEnvironment,
  sandboxUp,
  terraformCliConfig,
  TWINNED_KARPENTER_CHARTS,
  type RunningSandbox,
} from './sandbox-target.ts'
import type { TargetRef } from './ledger.ts'
import { EditionError, resolveEdition, type EditionName, type ResolvedEdition } from './editions/edition.ts'
import { fetchLogPath, writeFileEditsFor } from './editions/fetched.ts'
import { loadPlatformTable, platformView, today } from '../platform/index.ts'
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
  /**
   * aws only: a rehearsal. The aws target's own code runs against a sandbox the run starts as
   * the "account" (moto's 123456789012), never a real account (`-p aws-rehearsal`).
   */
  rehearsal?: boolean
  /**
   * sandbox: save a snapshot after each section and restore the latest valid one instead of
   * following earlier sections again (default true; support/section-snapshots.ts). False replays.
   */
  snapshots?: boolean
}

export interface TargetSession {
  name: 'sandbox' | 'aws'
  /** An aws run against a sandbox the run started (`-p aws-rehearsal`), not a real account. */
  rehearsal: boolean
  region: string
  /** The environment the tutorial's commands run with (what a reader's terminal would have). */
  env: Record<string, string>
  /** Tutorial milliseconds per real millisecond. */
  timeScale: number
  /** The sandbox daemon's control endpoint (its tutorial clock: support/tutorial-time.ts); unset on a real account. */
  controlUrl?: string
  accountId: string
  cloud9: { offered: boolean; reason: string }
  /** What the report's environment section shows. */
  facts: Record<string, string>
  /**
   * How the run's end removes what it made: 'unwind' undoes the ledger entry by entry and asks the
   * account what is left (a real account, and its rehearsal); 'dispose' stops the target, a
   * disposable account that takes everything in it along (the sandbox).
   */
  cleanup: 'unwind' | 'dispose'
  /** The tutorial the run follows (edition, day, platform view, versions, edits). */
  edition: ResolvedEdition
  stop(): Promise<void>
}

/** The ledger's record of the target, written before the target starts anything. */
export function targetRef(params: TargetParameters, runId: string, home: string): TargetRef {
  if (params.target === 'aws' && params.rehearsal) return { name: 'aws', region: awsRegion(params), rehearsalSandbox: { sandbox: sandboxNameFor(runId), home } }
  if (params.target === 'aws') return { name: 'aws', region: awsRegion(params) }
  return { name: 'sandbox', sandbox: sandboxNameFor(runId), home, region: params.region ?? 'eu-west-2' }
}

export function sandboxNameFor(runId: string): string {
  return `run-${runId}`.toLowerCase().slice(0, 40)
}

/** The region of an aws run. A rehearsal's "account" is a sandbox: its default is the sandbox's. */
function awsRegion(params: TargetParameters): string {
  if (params.rehearsal) return params.region ?? REHEARSAL_REGION
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
    throw new OptInError(
      `The aws target creates billable resources in a real AWS account, and needs your explicit opt-in: ${how}. Your credentials are for account ${callerAccount}.`,
    )
  }
  if (!/^\d{12}$/.test(optIn.trim())) throw new OptInError(`SPOTCHECK_AWS_ACCOUNT must be a 12-digit AWS account ID, got "${optIn}"`)
  if (optIn.trim() !== callerAccount) {
    throw new OptInError(
      `Refusing to run: the opt-in names account ${optIn.trim()}, but your credentials are for account ${callerAccount}. Switch credentials, or ${how}.`,
    )
  }
}

// ── starting ────────────────────────────────────────────────────────────────────────────────

export interface StartOptions {
  runId: string
  runDir: string
  home: string
  progress: (line: string) => void
  /**
   * Told the account ID as soon as STS answers, before any line prints it: the run's redactor
   * learns it there, so that no progress line or report shows it (audit C6).
   */
  account?: (accountId: string) => void
}

/**
 * Whether the run saves and restores section snapshots (support/section-snapshots.ts): on the
 * sandbox, unless the world parameter "snapshots" is false or SPOTCHECK_SNAPSHOTS is 0 (as
 * `spotcheck tutorial --no-snapshots` sets it); never on aws. checkParameters asks it first, so a
 * value it cannot read stops the run before anything starts.
 */
export function snapshotsEnabled(params: Pick<TargetParameters, 'target'> & { snapshots?: unknown }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (params.snapshots !== undefined && typeof params.snapshots !== 'boolean')
    throw new EditionError(`the world parameter "snapshots" is true or false, got ${JSON.stringify(params.snapshots)}`)
  if (params.target !== 'sandbox' || params.snapshots === false) return false
  const flag = env.SPOTCHECK_SNAPSHOTS
  const fromEnv = flag === undefined || flag === '' || flag === '1' || flag === 'true' ? true : flag === '0' || flag === 'false' ? false : undefined
  if (fromEnv === undefined) throw new EditionError(`SPOTCHECK_SNAPSHOTS is 1 or 0, got ${JSON.stringify(flag)}`)
  return fromEnv
}

/** A rehearsal's region unless the world parameters name one: the sandbox's, as in the tutorial's sample output. */
export const REHEARSAL_REGION = 'eu-west-2'

/**
 * The only variables a rehearsal adds to the aws target's base environment: what an offline
 * account needs. Everything else in the commands' environment is built as for a real account.
 */
export const REHEARSAL_ACCOUNT_VARIABLES = [
  'AWS_ENDPOINT_URL',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'TF_CLI_CONFIG_FILE',
  'SPOTCHECK_REHEARSAL',
] as const

/** Parameters spotcheck once took and no longer does, with what replaces them. */
const RETIRED: Record<string, string> = {
  kubernetesVersion: 'the edition chooses the versions: "edition": "current" runs the newest Kubernetes EKS offers on asOf',
  karpenterChartVersion: 'the edition chooses the versions: "edition": "current" runs the Karpenter release of asOf',
}

/**
 * Checks the world parameters and resolves the edition, before anything is created: an unknown
 * edition, a bad or future asOf, asOf on the aws target, a rehearsal of the sandbox, an edit that
 * no longer fits the tutorial.
 */
export function checkParameters(params: TargetParameters, options: { today?: string } = {}): ResolvedEdition {
  if (params.target !== 'sandbox' && params.target !== 'aws')
    throw new EditionError(`unknown target ${JSON.stringify(params.target)}: the world parameter "target" is "sandbox" (the default) or "aws"`)
  for (const [name, instead] of Object.entries(RETIRED)) {
    if ((params as unknown as Record<string, unknown>)[name] !== undefined)
      throw new EditionError(`the world parameter "${name}" is no longer taken: ${instead}`)
  }
  if (params.rehearsal !== undefined && typeof params.rehearsal !== 'boolean')
    throw new EditionError(`the world parameter "rehearsal" is true or false, got ${JSON.stringify(params.rehearsal)}`)
  snapshotsEnabled(params) // a bad "snapshots" or SPOTCHECK_SNAPSHOTS stops the run before it starts
  if (params.rehearsal && params.target !== 'aws') {
    throw new EditionError(
      'the world parameter "rehearsal" rehearses the aws target against a sandbox; it means nothing with "target": "sandbox" (a sandbox run is already offline). Use -p aws-rehearsal ({"target":"aws","rehearsal":true}), or drop "rehearsal".',
    )
  }
  const edition = resolveEdition(params, options)
  // A sandbox (and a rehearsal's offline account) runs only the Karpenter releases it twins; any
  // other chart would fail at Step 2's helm_release, after the VPC exists. Said here instead,
  // before anything is created. A real account installs whatever chart the edition names.
  if ((params.target === 'sandbox' || params.rehearsal) && !karpenterTwinFor(edition.versions.karpenterChartVersion))
    throw new EditionError(untwinnedChartMessage(edition, params, options))
  return edition
}

function untwinnedChartMessage(edition: ResolvedEdition, params: TargetParameters, options: { today?: string }): string {
  const where = params.rehearsal ? "the aws rehearsal's offline account" : 'the sandbox'
  const from = firstTwinnedDay(params, edition.asOf, options)
  return (
    `the ${edition.edition} edition as of ${edition.asOf} installs the Karpenter chart ${edition.versions.karpenterChartVersion} (fixtures/platform.yaml, currentEdition), ` +
    `and ${where} twins only the charts ${TWINNED_KARPENTER_CHARTS}: ` +
    (from ? `give an asOf from ${from} on (the first day its chart is one of them), or run against a real account` : 'run against a real account')
  )
}

/** The first day after `asOf`, up to today, on which the current edition's chart is one the sandbox twins. */
function firstTwinnedDay(params: TargetParameters, asOf: string, options: { today?: string }): string | undefined {
  if (params.target === 'aws') return undefined // a rehearsal's day is today: no later day to offer
  const last = options.today ?? today()
  const table = loadPlatformTable()
  for (let day = new Date(`${asOf}T00:00:00Z`); ; day = new Date(day.getTime() + 86_400_000)) {
    const d = day.toISOString().slice(0, 10)
    if (d > last) return undefined
    if (karpenterTwinFor(platformView(d, table).current.karpenterChartVersion)) return d
  }
}

/** What the report's environment panel says of the edition. */
export function editionFacts(edition: ResolvedEdition): Record<string, string> {
  return {
    edition:
      edition.edition === 'as-written' ? 'as-written (the tutorial as published)' : `current (${edition.edits.length} edits of fixtures/editions/current.yaml)`,
    'as of': `${edition.asOf} (${edition.asOfReason})`,
    'Kubernetes version': edition.versions.kubernetesVersion,
    'Karpenter version': edition.versions.karpenterChartVersion,
  }
}

export async function startTarget(params: TargetParameters, options: StartOptions): Promise<TargetSession> {
  const edition = checkParameters(params)
  options.progress(
    `edition ${edition.edition} as of ${edition.asOf} (${edition.asOfReason}): Kubernetes ${edition.versions.kubernetesVersion}, Karpenter chart ${edition.versions.karpenterChartVersion}${edition.edits.length ? `, ${edition.edits.length} edits` : ''}`,
  )
  return params.target === 'aws' ? startAws(params, options, edition) : startSandbox(params, options, edition)
}

/** What the tutorial's wget needs to record (and, on a real account, edit) the files it fetches. */
function fetchEnvironment(options: Pick<StartOptions, 'runDir'>, edition: ResolvedEdition): Record<string, string> {
  return {
    SPOTCHECK_FETCH_LOG: fetchLogPath(options.runDir),
    SPOTCHECK_FILE_EDITS: writeFileEditsFor(options.runDir, edition),
    SPOTCHECK_NODE: process.execPath,
  }
}

async function startSandbox(params: TargetParameters, options: StartOptions, edition: ResolvedEdition): Promise<TargetSession> {
  const name = sandboxNameFor(options.runId)
  const record = await sandboxUp({
    name,
    home: options.home,
    region: params.region ?? 'eu-west-2',
    asOf: edition.asOf,
    edition: edition.edition,
    timeScale: params.timeScale,
    progress: options.progress,
  })
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
    // The steps parse the CLI's output as JSON; a user's `output = table` must not change that.
    AWS_DEFAULT_OUTPUT: 'json',
    HOME: process.env.HOME ?? options.runDir,
    ...fetchEnvironment(options, edition),
  })
  return {
    name: 'sandbox',
    rehearsal: false,
    region: record.config.region,
    env,
    timeScale: record.config.timeScale,
    controlUrl: record.state.controlUrl,
    accountId: '123456789012', // moto's account
    cloud9: {
      offered: false,
      reason: 'the sandbox has no Cloud9 (and AWS closed Cloud9 to new customers in July 2024); every later section runs from any terminal',
    },
    facts: {
      target: `sandbox "${name}" (offline twin: moto + spotcheck's Kubernetes API server and Karpenter twin), answering as AWS did on ${edition.asOf}`,
      region: record.config.region,
      'time scale': `tutorial time runs ${record.config.timeScale}× faster than real time`,
      ...editionFacts(edition),
    },
    edition,
    cleanup: 'dispose',
    async stop() {
      await sandboxDown(name, options.home)
    },
  }
}

export interface AwsRunEnvironmentOptions {
  runId: string
  runDir: string
  region: string
  edition: ResolvedEdition
  /** What `aws --version` printed (CLI v1 gets the run's config with the v2-options plugin). */
  awsCliVersion: string
}

/**
 * The environment of the tutorial's commands on the aws target, from a base environment that
 * points at no sandbox. A rehearsal builds it with this same function; only its base differs
 * (the offline account's endpoint, credentials and Terraform provider mirror).
 */
export function awsRunEnvironment(base: Env, o: AwsRunEnvironmentOptions): Record<string, string> {
  const additions = terraformAdditionsDir(o.runDir)
  mkdirSync(additions, { recursive: true })
  // AWS CLI v2 needs nothing. v1 rejects the tutorial's v2-only options (`--no-cli-pager`):
  // the run's copy of the user's aws config loads the plugin that accepts them (audit A5).
  const cliV1 = awsCliMajor(o.awsCliVersion) === 1 ? awsCliV1Config(o.runDir, base) : {}
  return cleanEnv({
    ...base,
    AWS_REGION: o.region,
    AWS_DEFAULT_REGION: o.region,
    ...cliV1,
    // The steps parse the CLI's output as JSON; a user's `output = table` must not change that.
    AWS_DEFAULT_OUTPUT: 'json',
    AWS_PAGER: '',
    KUBECONFIG: join(o.runDir, 'kubeconfig'), // the tutorial's update-kubeconfig writes here, not to ~/.kube/config
    KUBECACHEDIR: join(o.runDir, 'kube-cache'), // kubectl's discovery cache of this run's cluster, not ~/.kube/cache
    SPOTCHECK_TARGET: 'aws',
    // wget fetches the tutorial's real files (and records, and for the current edition edits,
    // them, and adds spotcheck's Terraform files beside main.tf); the helm stand-in only says
    // clearly that Helm is missing, and smooths an older Helm's `registry logout`.
    PATH: `${standInsDir}:${base.PATH ?? ''}`,
    SPOTCHECK_TERRAFORM_ADDITIONS: additions,
    TF_VAR_run_id: o.runId,
    TF_IN_AUTOMATION: '1',
    ...fetchEnvironment(o, o.edition),
  })
}

/**
 * What an offline account adds to the base environment of a rehearsal: the sandbox's AWS
 * endpoint, credentials and region, and a Terraform CLI config whose provider mirror stands in
 * for registry.terraform.io (unreachable offline; on AWS, Terraform installs from the registry).
 * SPOTCHECK_REHEARSAL=1 makes `wget` serve the sandbox's stand-in main.tf (moto cannot run the
 * public EKS modules) and the FIS template copy, instead of fetching them from GitHub.
 */
function offlineAccount(sandbox: RunningSandbox, runDir: string, home: string): Env {
  const terraformrc = join(runDir, 'terraform.rc')
  const cache = join(home, 'terraform-plugin-cache')
  mkdirSync(cache, { recursive: true })
  writeFileSync(
    terraformrc,
    terraformCliConfig({ pluginCacheDir: cache, mirror: findProviderMirror() }).replace(
      '`spotcheck sandbox up`',
      'a spotcheck rehearsal (the provider mirror stands in for the Terraform registry)',
    ),
  )
  return {
    AWS_ENDPOINT_URL: sandbox.state.awsEndpoint,
    AWS_ACCESS_KEY_ID: sandbox.config.accessKeyId,
    AWS_SECRET_ACCESS_KEY: sandbox.config.secretAccessKey,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined, // a profile the user's config names would be looked up, and win over nothing here
    AWS_REGION: sandbox.config.region,
    AWS_DEFAULT_REGION: sandbox.config.region,
    TF_CLI_CONFIG_FILE: terraformrc,
    SPOTCHECK_REHEARSAL: '1',
  }
}

export const REHEARSAL_VERSIONS_FILE = 'spotcheck_rehearsal.auto.tfvars'

/**
 * A rehearsal's main.tf is the sandbox's stand-in, which takes the edition's versions as
 * variables (on AWS the edition's edits change the tutorial's own main.tf instead). The file
 * goes with spotcheck's other Terraform additions, so `wget` puts it beside main.tf and the
 * report shows it as added by spotcheck.
 */
function writeRehearsalVersions(additions: string, edition: ResolvedEdition): void {
  writeFileSync(
    join(additions, REHEARSAL_VERSIONS_FILE),
    [
      "# Written by a spotcheck rehearsal: the versions of the edition for the sandbox's stand-in main.tf",
      `# (${edition.edition} edition as of ${edition.asOf}). On AWS, the edition's edits change the tutorial's main.tf instead.`,
      `kubernetes_version      = ${JSON.stringify(edition.versions.kubernetesVersion)}`,
      `karpenter_chart_version = ${JSON.stringify(edition.versions.karpenterChartVersion)}`,
      '',
    ].join('\n'),
  )
}

async function startAws(params: TargetParameters, options: StartOptions, edition: ResolvedEdition): Promise<TargetSession> {
  const region = awsRegion(params)
  const rehearsal = params.rehearsal === true
  let sandbox: RunningSandbox | undefined
  let base: Env
  if (rehearsal) {
    const name = sandboxNameFor(options.runId)
    options.progress(`REHEARSAL: the aws target's code runs against sandbox "${name}" as its account (offline; not a real AWS account)`)
    sandbox = await sandboxUp({
      name,
      home: options.home,
      region,
      asOf: edition.asOf,
      edition: edition.edition,
      timeScale: params.timeScale,
      progress: options.progress,
    })
    base = { ...withoutSandbox(process.env), ...offlineAccount(sandbox, options.runDir, options.home) }
  } else {
    // Before anything is created (and before STS): a shell left pointing at a sandbox (audit C3).
    const markers = sandboxMarkers(process.env)
    if (markers.length > 0) throw new OptInError(sandboxMarkersMessage(markers))
    base = withoutSandbox(process.env)
  }
  try {
    const left = sandboxMarkers(base, { allowEndpoint: sandbox?.state.awsEndpoint })
    if (left.length > 0) throw new OptInError(sandboxMarkersMessage(left))
    const sts = awsClients({ ...base, AWS_REGION: region, AWS_DEFAULT_REGION: region })
    let account: string
    try {
      account = (await sts.sts.send(new GetCallerIdentityCommand({}))).Account!
    } finally {
      sts.destroy()
    }
    options.account?.(account)
    checkAwsOptIn(params.awsAccount ?? process.env.SPOTCHECK_AWS_ACCOUNT, account)
    options.progress(
      `target aws${rehearsal ? ' (REHEARSAL, offline sandbox account)' : ''}: account ${account}, region ${region}; the ${edition.edition} edition: EKS ${edition.versions.kubernetesVersion}, Karpenter chart ${edition.versions.karpenterChartVersion}. Resources are tagged spotcheck:run=${options.runId}.`,
    )
    const awsCli = await execa('aws', ['--version'], { env: cleanEnv(base), extendEnv: false, reject: false, all: true })
    const env = awsRunEnvironment(base, { runId: options.runId, runDir: options.runDir, region, edition, awsCliVersion: awsCli.all ?? '' })
    // What spotcheck adds beside the tutorial's main.tf (run tag, log group, pins and lock): wget copies it there.
    writeTerraformAdditions(env.SPOTCHECK_TERRAFORM_ADDITIONS, { runId: options.runId, edition: edition.edition, rehearsal })
    if (rehearsal) writeRehearsalVersions(env.SPOTCHECK_TERRAFORM_ADDITIONS, edition)
    const name = sandbox?.config.name
    return {
      name: 'aws',
      rehearsal,
      region,
      env,
      // AWS runs in real time; a rehearsal's account is a sandbox, whose clock runs faster.
      timeScale: sandbox?.config.timeScale ?? 1,
      controlUrl: sandbox?.state.controlUrl,
      accountId: account,
      cloud9: rehearsal
        ? { offered: false, reason: "a rehearsal's account is a sandbox, which has no Cloud9 (and AWS closed Cloud9 to new customers in July 2024)" }
        : params.cloud9
          ? { offered: true, reason: 'asked for with the world parameter cloud9: true' }
          : { offered: false, reason: 'Cloud9 runs only when asked for (--world-parameters \'{"cloud9":true}\'): AWS closed it to new customers in July 2024' },
      facts: rehearsal
        ? {
            target: "aws rehearsal (the aws target's code paths against an offline sandbox account — not a real account)",
            'rehearsal account': `sandbox "${name}" (moto's account, answering as AWS did on ${edition.asOf}; the sandbox's stand-in main.tf replaces the public Terraform modules)`,
            region,
            'time scale': `tutorial time runs ${sandbox!.config.timeScale}× faster than real time (the sandbox's clock)`,
            ...editionFacts(edition),
          }
        : { target: 'aws (a real account)', region, ...editionFacts(edition) },
      edition,
      cleanup: 'unwind',
      async stop() {
        if (name) await sandboxDown(name, options.home)
      },
    }
  } catch (error) {
    if (sandbox) await sandboxDown(sandbox.config.name, options.home)
    throw error
  }
}

/**
 * The environment `spotcheck cleanup` undoes a killed rehearsal with: the aws target's, against
 * the rehearsal's sandbox if it still runs (undefined if not: everything the run made went with
 * it). A rehearsal must never be cleaned up with the credentials of the user's shell: its ledger
 * names resources of the sandbox, not of any real account.
 */
export function rehearsalCleanupEnvironment(header: {
  runId: string
  workDir: string
  kubeconfig: string
  target: TargetRef
}): Record<string, string> | undefined {
  if (header.target.name !== 'aws' || !header.target.rehearsalSandbox) return undefined
  const { sandbox, home } = header.target.rehearsalSandbox
  const record = inspectSandbox(sandbox, home)
  if (!record.running || !record.config || !record.state) return undefined
  const runDir = dirname(header.workDir)
  return cleanEnv({
    ...withoutSandbox(process.env),
    AWS_ENDPOINT_URL: record.state.awsEndpoint,
    AWS_ACCESS_KEY_ID: record.config.accessKeyId,
    AWS_SECRET_ACCESS_KEY: record.config.secretAccessKey,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_REGION: header.target.region,
    AWS_DEFAULT_REGION: header.target.region,
    // The run's Terraform CLI configuration, or — when the runner's directory is gone and the run
    // was restored from the state bucket — the sandbox's own, with the same provider mirror.
    TF_CLI_CONFIG_FILE: existsSync(join(runDir, 'terraform.rc')) ? join(runDir, 'terraform.rc') : record.paths.terraformrc,
    SPOTCHECK_REHEARSAL: '1',
    AWS_DEFAULT_OUTPUT: 'json',
    AWS_PAGER: '',
    KUBECONFIG: header.kubeconfig,
    SPOTCHECK_TARGET: 'aws',
    PATH: `${standInsDir}:${withoutSandbox(process.env).PATH ?? ''}`,
    TF_VAR_run_id: header.runId,
    TF_IN_AUTOMATION: '1',
  })
}

/** The environment without its unset variables (what a child process is given). */
export function cleanEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v
  return out
}
