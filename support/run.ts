// One run of the tutorial: its id and directories, the target it runs on, the terminal the
// tutorial's commands run in, the cleanup ledger, the clients and recorders the steps share.
// Cucumber creates a World per scenario; the run outlives them all (BeforeAll → AfterAll).

import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { messageOf } from '../lib/errors.ts'
import { basename, join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { awsClients, type AwsClients } from './aws-clients.ts'
import type { EventObserver } from './event-observer.ts'
import { karpenterApi, type KarpenterApi } from './karpenter-api.ts'
import { connect, type KubeSession } from './kube.ts'
import { Ledger, type EntrySpec } from './ledger.ts'
import { publishProgress } from './formatters/channel.ts'
import { processLine } from './process-identity.ts'
import { ClusterRecorder, KarpenterLog } from './recorders.ts'
import { Redactor } from './redact.ts'
import { auditAfterUnwind } from './run-tags.ts'
import { Terminal } from './shell.ts'
import { RemoteState, checkStateBucket, s3Client, stateBucketName, writeBackendOverride } from './remote-state.ts'
import { acquireRunLock, ssmClient, type RunLock } from './run-lock.ts'
import { startTarget, targetRef, type TargetParameters, type TargetSession } from './target.ts'
import { tutorialTimeFor, type TutorialTime } from './tutorial-time.ts'
import { RunTimings } from './timings.ts'
import { settle, unwind, type UndoContext, type UnwindReport } from './undo.ts'
import { inspectSandbox } from './sandbox-target.ts'
import { spotcheckHome } from '../lib/paths.ts'

export const TUTORIAL_TITLE = 'Run Kubernetes Clusters for Less with Amazon EC2 Spot and Karpenter'
export const TUTORIAL_URL = 'https://community.aws/content/2dhlDEUfwElQ9mhtOP6D8YJbULA/run-kubernetes-clusters-for-less-with-amazon-ec2-spot-and-karpenter'
export const CLUSTER_NAME = 'spot-and-karpenter'

export function runsDir(home = spotcheckHome()): string {
  return join(home, 'runs')
}

/** Where `npx spotcheck cleanup` finds the last run when not told which. */
export function latestRunFile(home = spotcheckHome()): string {
  return join(runsDir(home), 'latest')
}

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14)
  return `${stamp}-${randomBytes(2).toString('hex')}`
}

export class Run {
  readonly id: string
  readonly home: string
  readonly dir: string
  readonly workDir: string
  readonly params: TargetParameters
  readonly ledger: Ledger
  readonly redactor = new Redactor()
  private karpenterOfRun?: KarpenterApi
  target?: TargetSession
  terminal?: Terminal
  private awsClients?: AwsClients
  private kubeSession?: KubeSession
  cluster?: ClusterRecorder
  karpenterLog?: KarpenterLog
  /** spotcheck's own EventBridge rule and queue, once a scenario asks for them (Step 6). */
  observer?: EventObserver
  /**
   * The runs whose \`spotcheck:run\` tag the run's resources carry: its own, and the run a restored
   * section snapshot came from (support/section-snapshots.ts), whose resources it took over.
   */
  readonly resourceRunIds = new Set<string>()
  /** Scenarios that passed, and those that failed, in this run (by "uri:name"). */
  readonly passed = new Set<string>()
  readonly failed = new Set<string>()
  /** Everything said on stderr, for the report's run log. */
  readonly notes: string[] = []
  /** aws: the run's copy in the state bucket (support/remote-state.ts), when the user named one. */
  remote?: RemoteState
  /** aws: this run's hold on its account and region (support/run-lock.ts). */
  lock?: RunLock
  private finishing?: Promise<UnwindReport | undefined>
  private tutorialClock?: TutorialTime
  /** Commands' wall times and tutorial-time durations, written to timings.json when the run ends (for `npm run bench`). */
  readonly timings = new RunTimings()

  constructor(params: TargetParameters, home = spotcheckHome()) {
    this.params = params
    this.id = newRunId()
    this.home = home
    this.dir = join(runsDir(home), this.id)
    this.workDir = join(this.dir, 'work')
    this.resourceRunIds.add(this.id)
    mkdirSync(this.workDir, { recursive: true })
    this.ledger = Ledger.create(join(this.dir, 'ledger.json'), {
      runId: this.id,
      target: targetRef(params, this.id, home),
      workDir: this.workDir,
      kubeconfig: params.target === 'aws' ? join(this.dir, 'kubeconfig') : '',
      pid: process.pid,
    })
    // The sandbox has no opt-in: a run that fails to start it is one to clean up. A run on a real
    // account becomes "latest" only once its opt-in passed and it holds the account (start()): a
    // refused run created nothing, and `spotcheck cleanup` must not pick it over the one before.
    if (params.target !== 'aws') this.markLatest()
  }

  private markLatest(): void {
    writeFileSync(latestRunFile(this.home), `${this.id}\n`)
  }

  progress(line: string): void {
    const text = this.redactor.redact(line)
    this.notes.push(text)
    // Every line, also those the progress formatter folds into its status line.
    appendFileSync(join(this.dir, 'progress.log'), `${text}\n`)
    // To the progress formatter when it runs (it owns the terminal), else stderr (support/formatters/channel.ts).
    publishProgress(text)
  }

  async start(): Promise<void> {
    const ref = this.ledger.header.target
    if (ref.name === 'sandbox') this.ledger.record({ kind: 'sandbox', name: ref.sandbox, home: ref.home }, 'the run (its target)')
    // A rehearsal's account is a sandbox: recorded first, so it is stopped last.
    if (ref.name === 'aws' && ref.rehearsalSandbox)
      this.ledger.record({ kind: 'sandbox', name: ref.rehearsalSandbox.sandbox, home: ref.rehearsalSandbox.home }, 'the run (its rehearsal account)')
    this.progress(`run ${this.id}: target ${this.params.target}; commands run in ${this.workDir}; cleanup ledger ${this.ledger.path}`)
    const target = await startTarget(this.params, {
      runId: this.id,
      runDir: this.dir,
      home: this.home,
      progress: (l) => this.progress(l),
      account: (a) => this.redactor.addAccount(a),
    })
    this.target = target
    for (const [k, v] of Object.entries(target.env)) if (/^AWS_(SECRET_ACCESS_KEY|SESSION_TOKEN|ACCESS_KEY_ID)$/.test(k)) this.redactor.addSecret(v)
    this.redactor.addAccount(target.accountId)
    // The opt-in passed (startTarget checks it): from here the run may create things.
    const rehearsal = target.rehearsal
    this.ledger.setHeader({ account: target.accountId, rehearsal })
    if (target.name === 'aws') {
      // Refused by the lock or a bad bucket, the run created nothing: it does not become latest.
      await this.holdAccount(target, rehearsal)
      this.markLatest()
    }
    // Each block runs in its own process group; its id and start time go to disk, so that
    // `spotcheck cleanup` can stop what a killed run left running (a `kubectl logs -f`, a
    // Terraform apply), and only that (support/process-identity.ts).
    this.terminal = new Terminal({ cwd: this.workDir, env: target.env, onSpawn: (pid) => appendFileSync(join(this.dir, 'processes'), processLine(pid)) })
  }

  /**
   * aws (and its rehearsal): the run lock of the account and region, then the remote state. The
   * sandbox target needs neither: each run has its own sandbox.
   */
  private async holdAccount(target: TargetSession, rehearsal: boolean): Promise<void> {
    const ssm = ssmClient(target.env)
    try {
      this.lock = await acquireRunLock(ssm, { region: target.region, account: target.accountId, runId: this.id })
    } finally {
      if (!this.lock) ssm.destroy()
    }
    this.progress(
      `run lock: this run holds account and region ${target.region} (SSM parameter /spotcheck/lock/${target.region}/spot-and-karpenter) until it ends`,
    )
    const bucket = stateBucketName(this.params as TargetParameters & { stateBucket?: string }, process.env)
    if (!bucket) {
      this.progress(
        "no state bucket (SPOTCHECK_STATE_BUCKET): the Terraform state and the cleanup ledger live only on this machine. If it is killed and its disk is gone (an ephemeral CI runner), only `npx spotcheck reap` (by tag, age and the tutorial's fixed names) can remove what the run left.",
      )
      return
    }
    const s3 = s3Client(target.env)
    await checkStateBucket(s3, { bucket, region: target.region, account: target.accountId, create: rehearsal, log: (l) => this.progress(l) })
    const remote = new RemoteState(s3, bucket, target.region, this.id, this.workDir, (l) => this.progress(l))
    // Terraform runs where the tutorial fetches main.tf: the run's work directory.
    writeBackendOverride(this.dir, {
      bucket,
      region: target.region,
      runId: this.id,
      dirName: basename(this.workDir),
      pathStyle: Boolean(target.env.AWS_ENDPOINT_URL),
    })
    this.ledger.onSave((data) => remote.mirrorLedger(data))
    this.ledger.setHeader({ stateBucket: bucket })
    await remote.flush()
    this.remote = remote
    this.progress(
      `remote state: Terraform state and the cleanup ledger in ${remote.ledgerUrl.replace(/ledger\.json$/, '')}; after a kill, from any machine: npx spotcheck cleanup --run ${this.id}`,
    )
  }

  /**
   * Before a block runs: the ledger entries it just recorded are in the bucket (awaited), and the
   * configuration of a Terraform root it applies is uploaded as it appears. Call the returned
   * function when the block has ended.
   */
  async syncState(specs: EntrySpec[]): Promise<() => Promise<void>> {
    if (!this.remote) return () => Promise.resolve()
    await this.remote.flush()
    const dirs = [...new Set(specs.flatMap((s) => (s.kind === 'terraform' ? [s.dir] : [])))]
    return this.remote.watchConfig(dirs)
  }

  /**
   * The sandbox's own test credentials, kept in the run directory so that the report check can
   * prove none of them reached the report. Never written for a real account.
   */
  recordSandboxCredentials(): void {
    if (this.target?.name !== 'sandbox' && !this.target?.rehearsal) return
    const secrets = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'].map((k) => this.target!.env[k]).filter(Boolean)
    writeFileSync(join(this.dir, 'sandbox-secrets.json'), JSON.stringify({ secrets, accountId: this.target.accountId }) + '\n', { mode: 0o600 })
  }

  get env(): Record<string, string> {
    return this.session.env
  }

  /** The run's target, once BeforeAll started it; a clear error before (steps need no `!`). */
  get session(): TargetSession {
    if (!this.target) throw new Error('the run has not started (BeforeAll did not run or failed)')
    return this.target
  }

  /** The run's terminal (support/shell.ts), once BeforeAll opened it. */
  get shell(): Terminal {
    if (!this.terminal) throw new Error('the run has no terminal (BeforeAll did not run or failed)')
    return this.terminal
  }

  /** The recorder of the cluster's pods, nodes and NodeClaims, once the kubeconfig exists (Step 2). */
  get recorder(): ClusterRecorder {
    if (!this.cluster) throw new Error('the run records no cluster yet: the tutorial has not written its kubeconfig (Step 2)')
    return this.cluster
  }

  /** The Karpenter the run's edition installs: its API versions, tags, taint and log shapes (support/karpenter-api.ts). */
  get karpenter(): KarpenterApi {
    if (!this.target) throw new Error('the run has not started (BeforeAll did not run or failed)')
    this.karpenterOfRun ??= karpenterApi(this.target.edition.versions.karpenterChartVersion)
    return this.karpenterOfRun
  }

  /** The run's tutorial clock: the sandbox's (also a rehearsal's account), or the wall clock on AWS. */
  get tutorialTime(): TutorialTime {
    if (!this.target) throw new Error('the run has not started (BeforeAll did not run or failed)')
    this.tutorialClock ??= tutorialTimeFor(this.target, CLUSTER_NAME)
    return this.tutorialClock
  }

  get aws(): AwsClients {
    this.awsClients ??= awsClients(this.env)
    return this.awsClients
  }

  /** The cluster, once the tutorial's update-kubeconfig has written the kubeconfig. */
  kube(): KubeSession {
    if (!this.kubeSession) {
      this.kubeSession = connect(this.env)
      this.cluster = new ClusterRecorder(this.kubeSession, (m) => this.progress(`(recorder) ${m}`), this.karpenter)
      this.cluster.start()
      this.karpenterLog = new KarpenterLog(this.kubeSession, (m) => this.progress(`(Karpenter log) ${m}`))
      this.karpenterLog.start()
    }
    return this.kubeSession
  }

  /** Connects as soon as the kubeconfig exists, so the recorders see everything from then on. */
  connectWhenPossible(): void {
    if (this.kubeSession || !this.target) return
    const file = this.env.KUBECONFIG
    if (file && existsSync(file) && /current-context:\s*\S/.test(readFileSync(file, 'utf8'))) this.kube()
  }

  /**
   * The sandbox's state was replaced (a section snapshot restored): its clock jumped and its
   * cluster's resourceVersions are the snapshot's, so what the run read of them is forgotten.
   */
  forgetTutorialTime(): void {
    this.tutorialClock = undefined
  }

  /** The kubeconfig went with the cluster (Step 8): stop watching. */
  disconnect(): void {
    this.cluster?.stop()
    this.karpenterLog?.stop()
    this.kubeSession = undefined
  }

  undoContext(): UndoContext {
    return { env: this.env, workDir: this.workDir, aws: this.aws, log: (l) => this.progress(l) }
  }

  /**
   * Undoes what the run left: everything but the target on a failure, the target last. Once: a
   * second call (SIGINT then SIGTERM, as GitHub Actions sends on cancel; a signal during AfterAll)
   * gets the same promise, never a second unwind running beside the first.
   */
  finish(outcome: 'passed' | 'failed' | 'interrupted'): Promise<UnwindReport | undefined> {
    this.finishing ??= this.finishOnce(outcome)
    return this.finishing
  }

  private async finishOnce(outcome: 'passed' | 'failed' | 'interrupted'): Promise<UnwindReport | undefined> {
    this.disconnect()
    try {
      this.timings.write(join(this.dir, 'timings.json'), this.id)
    } catch (error) {
      this.progress(`could not write timings.json: ${messageOf(error)}`)
    }
    await this.observer?.stop()
    await this.terminal?.close()
    let report: UnwindReport | undefined
    if (this.target) {
      // The sandbox is a disposable account: stopping it removes everything in it at once.
      // A real account is unwound entry by entry.
      if (this.target.cleanup === 'unwind') {
        // A rehearsal's account (its sandbox entry) is not undone here: the lock and the last
        // ledger copy live in it, and target.stop() stops it last.
        const open = await settle(this.ledger, this.undoContext(), { except: ['sandbox'] })
        if (open.length > 0) {
          this.progress(`${outcome === 'passed' ? 'the run left' : `the run ${outcome}; undoing`} ${open.length} thing(s) it created`)
          report = await unwind(this.ledger, this.undoContext(), { except: ['sandbox'] })
        }
        // Whatever ended the run, the account is asked what is left (A4).
        await auditAfterUnwind({ aws: this.aws, log: (l) => this.progress(l) }, this.id, { timeScale: this.target.timeScale })
        await this.releaseAccount(report)
      }
      this.awsClients?.destroy()
      if (this.target.cleanup === 'dispose' && process.env.SPOTCHECK_KEEP_SANDBOX === '1' && outcome !== 'interrupted') {
        // For looking around after a run: the sandbox stays, with everything the run made in it.
        const ref = this.ledger.header.target
        if (ref.name === 'sandbox')
          this.progress(
            `SPOTCHECK_KEEP_SANDBOX=1: the sandbox stays up. Look around: eval "$(SPOTCHECK_HOME=${ref.home} npx spotcheck sandbox env --name ${ref.sandbox})"; stop it: SPOTCHECK_HOME=${ref.home} npx spotcheck sandbox down --name ${ref.sandbox}`,
          )
      } else {
        await this.target.stop()
      }
    }
    const sandbox = this.ledger.entries.find((e) => e.kind === 'sandbox' && e.state === 'open')
    if (sandbox?.kind === 'sandbox' && !inspectSandbox(sandbox.name, sandbox.home).running) {
      // Everything the run made lived in that account, and went with it.
      for (const e of this.ledger.toUndo) this.ledger.mark(e.id, e.kind === 'sandbox' ? 'undone' : 'gone')
    }
    return report
  }

  /**
   * The last ledger copy, then the lock. Kept when the unwind left something: the next run would
   * meet it under the same fixed names; `spotcheck cleanup --run <id>` releases it when done.
   */
  private async releaseAccount(report: UnwindReport | undefined): Promise<void> {
    await this.remote?.close()
    if (!this.lock) return
    if (report && report.failed.length > 0) {
      this.progress(
        `run lock kept: the clean-up left ${report.failed.length} thing(s); \`npx spotcheck cleanup --run ${this.id}\` removes them and releases the lock`,
      )
      return
    }
    try {
      const released = await this.lock.release()
      if (released !== 'released') this.progress(`run lock: ${released}`)
    } catch (error) {
      this.progress(`run lock: could not release it (${messageOf(error)}); \`npx spotcheck reap\` removes it once stale`)
    }
  }
}

let current: Run | undefined

export function setRun(run: Run | undefined): void {
  current = run
}

export function theRun(): Run {
  if (!current) throw new Error('no run: the BeforeAll hook that starts the target did not run (see the first error above)')
  return current
}

export function hasRun(): boolean {
  return current !== undefined
}
