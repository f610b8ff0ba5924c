// State that survives the runner: the run's Terraform state, its cleanup ledger and the Terraform
// configuration it applied, kept in an S3 bucket the user names (env SPOTCHECK_STATE_BUCKET or
// the world parameter `stateBucket`), so that `npx spotcheck cleanup --run <id>` works from
// another machine after the runner was killed (a cancelled CI job, an ephemeral runner gone).
//
// Layout, per region and run:
//   spotcheck/<region>/runs/<runId>/ledger.json                 the ledger, after every change
//   spotcheck/<region>/runs/<runId>/terraform/<dir>.tfstate     Terraform's S3 backend
//   spotcheck/<region>/runs/<runId>/config/<files>              *.tf and .terraform.lock.hcl
//                                                              (never .terraform/ or state)
//
// Terraform's S3 backend locks with a lock file beside the state (`use_lockfile = true`, S3's
// conditional writes; Terraform ≥ 1.10): "Amazon S3 backend", https://developer.hashicorp.com/terraform/language/backend/s3.
// Only rehearsed here (moto answers PutObject If-None-Match with 412 as S3 does); no machine of
// this project reaches AWS.

import { createHash } from 'node:crypto'
import { messageOf } from '../lib/errors.ts'
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, relative, sep } from 'node:path'
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3'
import type { LedgerFile } from './ledger.ts'
import { terraformAdditionsDir } from './terraform-additions.ts'

/** The file spotcheck adds beside the tutorial's main.tf (Terraform merges `*_override.tf` last). */
export const BACKEND_OVERRIDE_FILE = 'spotcheck_backend_override.tf'

export function stateBucketName(params: { stateBucket?: string }, env: Record<string, string | undefined> = process.env): string | undefined {
  const name = (params.stateBucket ?? env.SPOTCHECK_STATE_BUCKET)?.trim()
  if (!name) return undefined
  // S3 bucket naming rules: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) {
    throw new StateBucketError(
      `the state bucket "${name}" (${params.stateBucket ? 'world parameter stateBucket' : 'SPOTCHECK_STATE_BUCKET'}) is not an S3 bucket name: 3–63 lower-case letters, digits, dots and hyphens`,
    )
  }
  return name
}

export function runPrefix(region: string, runId: string): string {
  return `spotcheck/${region}/runs/${runId}`
}

export function ledgerKey(region: string, runId: string): string {
  return `${runPrefix(region, runId)}/ledger.json`
}

export function terraformStateKey(region: string, runId: string, dirName: string): string {
  return `${runPrefix(region, runId)}/terraform/${dirName}.tfstate`
}

export function configPrefix(region: string, runId: string): string {
  return `${runPrefix(region, runId)}/config/`
}

export class StateBucketError extends Error {}

/**
 * An S3 client for the target's environment. A custom endpoint (the rehearsal's sandbox) is
 * addressed path-style: `bucket.127.0.0.1` does not resolve.
 */
export function s3Client(env: Record<string, string | undefined>): S3Client {
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL
  return new S3Client({ ...sdkConfig(env), ...(endpoint ? { endpoint, forcePathStyle: true } : {}) })
}

/** SDK settings from the target's environment, as support/aws-clients.ts builds them. */
export function sdkConfig(env: Record<string, string | undefined>): {
  region?: string
  maxAttempts: number
  endpoint?: string
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
} {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION
  const credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          accessKeyId: env.AWS_ACCESS_KEY_ID,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
          ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
        }
      : undefined
  return { region, maxAttempts: 5, ...(env.AWS_ENDPOINT_URL ? { endpoint: env.AWS_ENDPOINT_URL } : {}), ...(credentials ? { credentials } : {}) }
}

/**
 * The Terraform backend block spotcheck adds beside main.tf. The endpoint is not written: in a
 * rehearsal Terraform's S3 backend takes it from AWS_ENDPOINT_URL (as the SDKs do; checked with
 * Terraform 1.11 against moto), only path-style addressing has to be said.
 */
export function backendOverride(options: { bucket: string; region: string; runId: string; dirName: string; pathStyle: boolean }): string {
  const lines = [
    "# Added by spotcheck: the run's Terraform state lives in the S3 bucket you named, so that",
    '# `npx spotcheck cleanup --run <id>` can destroy from another machine after a killed runner.',
    'terraform {',
    '  backend "s3" {',
    `    bucket       = ${JSON.stringify(options.bucket)}`,
    `    key          = ${JSON.stringify(terraformStateKey(options.region, options.runId, options.dirName))}`,
    `    region       = ${JSON.stringify(options.region)}`,
    '    encrypt      = true',
    '    # S3 native locking (a .tflock object written with If-None-Match), Terraform >= 1.10',
    '    use_lockfile = true',
  ]
  if (options.pathStyle) lines.push("    # the rehearsal's sandbox endpoint (AWS_ENDPOINT_URL) has no bucket sub-domains", '    use_path_style = true')
  lines.push('  }', '}', '')
  return lines.join('\n')
}

function errorName(error: unknown): string {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } }
  return `${e.name ?? ''} ${e.$metadata?.httpStatusCode ?? ''}`
}

/**
 * The bucket must exist in the run's account and region. spotcheck never creates one in a real
 * account (its policy, versioning and lifecycle are the owner's decision); in a rehearsal it
 * creates it in the sandbox, which is the "account" there.
 */
export async function checkStateBucket(
  s3: S3Client,
  options: { bucket: string; region: string; account: string; create: boolean; log: (line: string) => void },
): Promise<void> {
  const { bucket, region, account } = options
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket, ExpectedBucketOwner: account }))
  } catch (error) {
    const what = errorName(error)
    if (/NotFound|404|NoSuchBucket/.test(what)) {
      if (!options.create) {
        throw new StateBucketError(
          `the state bucket "${bucket}" does not exist in account ${account}. spotcheck never creates buckets in a real account: create it in ${region} (aws s3api create-bucket --bucket ${bucket} --region ${region} --create-bucket-configuration LocationConstraint=${region}; turn on versioning and block public access), or unset SPOTCHECK_STATE_BUCKET`,
        )
      }
      options.log(`rehearsal: creating the state bucket "${bucket}" in the sandbox`)
      await s3.send(
        new CreateBucketCommand({
          Bucket: bucket,
          ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
        }),
      )
      return
    }
    if (/Forbidden|403/.test(what)) {
      throw new StateBucketError(
        `the state bucket "${bucket}" is not one these credentials may use in account ${account} (403: it belongs to another account, or the role lacks s3:ListBucket on it)`,
      )
    }
    throw new StateBucketError(`could not check the state bucket "${bucket}": ${messageOf(error)}`, { cause: error })
  }
  const location = (await s3.send(new GetBucketLocationCommand({ Bucket: bucket, ExpectedBucketOwner: account }))).LocationConstraint
  // GetBucketLocation says nothing (null) for us-east-1, and "EU" for old eu-west-1 buckets.
  const bucketRegion = !location ? 'us-east-1' : location === 'EU' ? 'eu-west-1' : location
  if (bucketRegion !== region)
    throw new StateBucketError(
      `the state bucket "${bucket}" is in ${bucketRegion}, the run in ${region}: use a bucket in the run's region (its state then survives with the region's resources)`,
    )
}

/** Terraform configuration files worth keeping: what `terraform init` and `destroy` need. */
export function configFiles(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== '.terraform') walk(full)
      } else if (/\.tf$|\.tf\.json$|\.tfvars$|^\.terraform\.lock\.hcl$/.test(entry.name)) {
        out.push(relative(dir, full).split(sep).join('/'))
      }
    }
  }
  if (existsSync(dir)) walk(dir)
  return out.sort()
}

export class StateMirrorError extends Error {}

/**
 * The run's copy in the bucket. Writes are queued in order and never block the caller; `flush()`
 * waits for them and fails if the latest ledger could not be written — the step that needed it
 * then fails before it creates anything.
 */
export class RemoteState {
  private chain: Promise<void> = Promise.resolve()
  private ledgerError?: Error
  private readonly uploaded = new Map<string, string>()
  private closed = false
  readonly s3: S3Client
  readonly bucket: string
  readonly region: string
  readonly runId: string
  /** The run's work directory: config keys are relative to it. */
  readonly workDir: string
  private readonly log: (line: string) => void

  constructor(s3: S3Client, bucket: string, region: string, runId: string, workDir: string, log: (line: string) => void) {
    this.s3 = s3
    this.bucket = bucket
    this.region = region
    this.runId = runId
    this.workDir = workDir
    this.log = log
  }

  get ledgerUrl(): string {
    return `s3://${this.bucket}/${ledgerKey(this.region, this.runId)}`
  }

  private enqueue(task: () => Promise<void>): void {
    this.chain = this.chain.then(task, task)
  }

  /** Mirrors the ledger as it is now. */
  mirrorLedger(data: LedgerFile): void {
    if (this.closed) return
    const body = JSON.stringify(data, null, 2) + '\n'
    this.enqueue(async () => {
      try {
        await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: ledgerKey(this.region, this.runId), Body: body, ContentType: 'application/json' }))
        this.ledgerError = undefined
      } catch (error) {
        this.ledgerError = error as Error
      }
    })
  }

  /** Uploads the Terraform configuration files of `dir` that changed since the last upload. */
  uploadConfig(dir: string): void {
    if (this.closed) return
    this.enqueue(async () => {
      for (const file of configFiles(dir)) {
        const full = join(dir, file)
        let body: Buffer
        try {
          if (!statSync(full).isFile()) continue
          body = readFileSync(full)
        } catch {
          continue // removed meanwhile
        }
        const rel = relative(this.workDir, full)
        const key = configPrefix(this.region, this.runId) + (rel.startsWith('..') ? `${basename(dir)}/${file}` : rel.split(sep).join('/'))
        const hash = createHash('sha256').update(body).digest('hex')
        if (this.uploaded.get(key) === hash) continue
        try {
          await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body }))
          this.uploaded.set(key, hash)
        } catch (error) {
          this.log(`remote state: could not upload ${file}: ${messageOf(error)}`)
        }
      }
    })
  }

  /**
   * While a block that applies Terraform runs, its configuration is uploaded as it appears (the
   * tutorial fetches main.tf and applies it in one block): a kill mid-apply leaves a config to
   * destroy with. Returns what to call when the block ended.
   */
  watchConfig(dirs: string[], everyMs = 1_000): () => Promise<void> {
    if (dirs.length === 0 || this.closed) return () => Promise.resolve()
    const tick = () => {
      for (const d of dirs) this.uploadConfig(d)
    }
    tick()
    const timer = setInterval(tick, everyMs)
    timer.unref()
    return async () => {
      clearInterval(timer)
      tick()
      await this.flush()
    }
  }

  /** Waits for the queued writes; throws if the ledger's latest copy could not be written. */
  async flush(): Promise<void> {
    let seen: Promise<void>
    do {
      seen = this.chain
      await seen
    } while (seen !== this.chain)
    if (this.ledgerError) {
      throw new StateMirrorError(
        `the run's ledger could not be copied to ${this.ledgerUrl}: ${this.ledgerError.message}. Without the copy a killed runner leaves nothing to clean up from; stopping before anything more is created.`,
      )
    }
  }

  /** Last writes, then no more (the rehearsal's sandbox stops next). */
  async close(): Promise<void> {
    try {
      await this.flush()
    } catch (error) {
      this.log(messageOf(error))
    }
    this.closed = true
    this.s3.destroy()
  }
}

/** Writes the backend override into the run's terraform-additions directory. */
export function writeBackendOverride(runDir: string, options: { bucket: string; region: string; runId: string; dirName: string; pathStyle: boolean }): string {
  const dir = terraformAdditionsDir(runDir)
  mkdirSync(dir, { recursive: true })
  const path = join(dir, BACKEND_OVERRIDE_FILE)
  writeFileSync(path, backendOverride(options))
  return path
}

async function getText(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    return await out.Body!.transformToString()
  } catch (error) {
    if (/NoSuchKey|NotFound|404/.test(errorName(error))) return undefined
    throw error
  }
}

async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = []
  let token: string | undefined
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }))
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key)
    token = page.IsTruncated ? page.NextContinuationToken : undefined
  } while (token)
  return keys
}

/** The run's ledger in the bucket, if there is one. */
export async function remoteLedger(s3: S3Client, bucket: string, region: string, runId: string): Promise<LedgerFile | undefined> {
  const text = await getText(s3, bucket, ledgerKey(region, runId))
  if (text === undefined) return undefined
  try {
    return JSON.parse(text) as LedgerFile
  } catch (error) {
    throw new Error(`s3://${bucket}/${ledgerKey(region, runId)}: not a spotcheck ledger (${messageOf(error)})`, { cause: error })
  }
}

/**
 * Brings a run back from the bucket into `runDir`: its configuration into runDir/work (where
 * Terraform finds the S3 backend again) and its ledger, with the dead runner's paths rewritten to
 * this machine's. Returns the ledger's path.
 */
export async function restoreRun(
  s3: S3Client,
  options: { bucket: string; region: string; runId: string; runDir: string; log: (line: string) => void },
): Promise<string> {
  const { bucket, region, runId, runDir } = options
  const data = await remoteLedger(s3, bucket, region, runId)
  if (!data) throw new Error(`no run "${runId}" in s3://${bucket}/${runPrefix(region, runId)}/ (no ledger.json there)`)
  const workDir = join(runDir, 'work')
  const prefix = configPrefix(region, runId)
  const keys = await listKeys(s3, bucket, prefix)
  for (const key of keys) {
    const rel = key.slice(prefix.length)
    if (!rel || rel.split('/').some((p) => p === '..' || p === '')) continue // never outside workDir
    const target = join(workDir, ...rel.split('/'))
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, (await getText(s3, bucket, key)) ?? '')
  }
  options.log(`restored run ${runId} from s3://${bucket}/${runPrefix(region, runId)}/: the ledger and ${keys.length} Terraform config file(s) into ${runDir}`)
  const restored = rebaseLedger(data, runDir)
  mkdirSync(runDir, { recursive: true })
  writeFileSync(join(runDir, 'ledger.json'), JSON.stringify(restored, null, 2) + '\n')
  return join(runDir, 'ledger.json')
}

/** The ledger with every path of the dead runner's run directory moved to `runDir`. */
export function rebaseLedger(data: LedgerFile, runDir: string): LedgerFile {
  const oldRunDir = dirname(data.workDir)
  const move = (p: string) => (p === oldRunDir || p.startsWith(oldRunDir + '/') ? join(runDir, p.slice(oldRunDir.length)) : p)
  return {
    ...data,
    workDir: move(data.workDir),
    kubeconfig: data.kubeconfig ? move(data.kubeconfig) : data.kubeconfig,
    pid: undefined,
    entries: data.entries.map((e) => (e.kind === 'terraform' ? { ...e, dir: move(e.dir) } : e)),
  }
}

/**
 * Terraform lock files this run's killed processes left (a SIGKILL mid-apply releases nothing).
 * Called only once no process of the run lives: then nobody holds them.
 */
export async function removeStaleTerraformLocks(
  s3: S3Client,
  options: { bucket: string; region: string; runId: string; log: (line: string) => void },
): Promise<string[]> {
  const keys = (await listKeys(s3, options.bucket, `${runPrefix(options.region, options.runId)}/terraform/`)).filter((k) => k.endsWith('.tflock'))
  for (const key of keys) {
    options.log(`removing the Terraform lock s3://${options.bucket}/${key} that the killed run left`)
    await s3.send(new DeleteObjectCommand({ Bucket: options.bucket, Key: key }))
  }
  return keys
}
