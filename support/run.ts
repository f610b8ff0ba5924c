// One run of the tutorial: its id and directories, the target it runs on, the terminal the
// tutorial's commands run in, the cleanup ledger, the clients and recorders the steps share.
// Cucumber creates a World per scenario; the run outlives them all (BeforeAll → AfterAll).

import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { randomBytes } from 'node:crypto'
import { awsClients, type AwsClients } from './aws-clients.ts'
import type { EventObserver } from './event-observer.ts'
import { karpenterApi, type KarpenterApi } from './karpenter-api.ts'
import { connect, type KubeSession } from './kube.ts'
import { Ledger } from './ledger.ts'
import { ClusterRecorder, KarpenterLog } from './recorders.ts'
import { Redactor } from './redact.ts'
import { Terminal } from './shell.ts'
import { startTarget, targetRef, type TargetParameters, type TargetSession } from './target.ts'
import { settle, unwind, type UndoContext, type UnwindReport } from './undo.ts'
import { inspectSandbox, projectRoot } from '../sandbox/state.ts'

export const TUTORIAL_TITLE = 'Run Kubernetes Clusters for Less with Amazon EC2 Spot and Karpenter'
export const TUTORIAL_URL = 'https://community.aws/content/2dhlDEUfwElQ9mhtOP6D8YJbULA/run-kubernetes-clusters-for-less-with-amazon-ec2-spot-and-karpenter'
export const CLUSTER_NAME = 'spot-and-karpenter'

export function spotcheckHome(): string {
  return resolve(process.env.SPOTCHECK_HOME ?? join(projectRoot, '.spotcheck'))
}

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
  /** Scenarios that passed, and those that failed, in this run (by "uri:name"). */
  readonly passed = new Set<string>()
  readonly failed = new Set<string>()
  /** Everything said on stderr, for the report's run log. */
  readonly notes: string[] = []

  constructor(params: TargetParameters, home = spotcheckHome()) {
    this.params = params
    this.id = newRunId()
    this.home = home
    this.dir = join(runsDir(home), this.id)
    this.workDir = join(this.dir, 'work')
    mkdirSync(this.workDir, { recursive: true })
    this.ledger = Ledger.create(join(this.dir, 'ledger.json'), {
      runId: this.id,
      target: targetRef(params, this.id, home),
      workDir: this.workDir,
      kubeconfig: params.target === 'aws' ? join(this.dir, 'kubeconfig') : '',
      pid: process.pid,
    })
    writeFileSync(latestRunFile(home), `${this.id}\n`)
  }

  progress(line: string): void {
    const text = this.redactor.redact(line)
    this.notes.push(text)
    process.stderr.write(`spotcheck: ${text}\n`)
  }

  async start(): Promise<void> {
    const ref = this.ledger.header.target
    if (ref.name === 'sandbox') this.ledger.record({ kind: 'sandbox', name: ref.sandbox, home: ref.home }, 'the run (its target)')
    // A rehearsal's account is a sandbox: recorded first, so it is stopped last.
    if (ref.name === 'aws' && ref.rehearsalSandbox) this.ledger.record({ kind: 'sandbox', name: ref.rehearsalSandbox.sandbox, home: ref.rehearsalSandbox.home }, 'the run (its rehearsal account)')
    this.progress(`run ${this.id}: target ${this.params.target}; commands run in ${this.workDir}; cleanup ledger ${this.ledger.path}`)
    const target = await startTarget(this.params, { runId: this.id, runDir: this.dir, home: this.home, progress: (l) => this.progress(l), account: (a) => this.redactor.addAccount(a) })
    this.target = target
    for (const [k, v] of Object.entries(target.env)) if (/^AWS_(SECRET_ACCESS_KEY|SESSION_TOKEN|ACCESS_KEY_ID)$/.test(k)) this.redactor.addSecret(v)
    this.redactor.addAccount(target.accountId)
    // Each block runs in its own process group; their ids go to disk, so that `spotcheck cleanup`
    // can stop what a killed run left running (a `kubectl logs -f`, a Terraform apply).
    this.terminal = new Terminal({ cwd: this.workDir, env: target.env, onSpawn: (pid) => appendFileSync(join(this.dir, 'processes'), `${pid}\n`) })
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
    if (!this.target) throw new Error('the run has not started (BeforeAll did not run or failed)')
    return this.target.env
  }

  /** The Karpenter the run's edition installs: its API versions, tags, taint and log shapes (support/karpenter-api.ts). */
  get karpenter(): KarpenterApi {
    if (!this.target) throw new Error('the run has not started (BeforeAll did not run or failed)')
    this.karpenterOfRun ??= karpenterApi(this.target.edition.versions.karpenterChartVersion)
    return this.karpenterOfRun
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

  /** The kubeconfig went with the cluster (Step 8): stop watching. */
  disconnect(): void {
    this.cluster?.stop()
    this.karpenterLog?.stop()
    this.kubeSession = undefined
  }

  undoContext(): UndoContext {
    return { env: this.env, workDir: this.workDir, aws: this.aws, log: (l) => this.progress(l) }
  }

  /** Undoes what the run left: everything but the target on a failure, the target last. */
  async finish(outcome: 'passed' | 'failed' | 'interrupted'): Promise<UnwindReport | undefined> {
    this.disconnect()
    await this.observer?.stop()
    await this.terminal?.close()
    let report: UnwindReport | undefined
    if (this.target) {
      // The sandbox is a disposable account: stopping it removes everything in it at once.
      // A real account is unwound entry by entry.
      if (this.target.name === 'aws') {
        const open = await settle(this.ledger, this.undoContext())
        if (open.length > 0) {
          this.progress(`${outcome === 'passed' ? 'the run left' : `the run ${outcome}; undoing`} ${open.length} thing(s) it created`)
          report = await unwind(this.ledger, this.undoContext())
        }
      }
      this.awsClients?.destroy()
      if (this.target.name === 'sandbox' && process.env.SPOTCHECK_KEEP_SANDBOX === '1' && outcome !== 'interrupted') {
        // For looking around after a run: the sandbox stays, with everything the run made in it.
        const ref = this.ledger.header.target
        if (ref.name === 'sandbox') this.progress(`SPOTCHECK_KEEP_SANDBOX=1: the sandbox stays up. Look around: eval "$(SPOTCHECK_HOME=${ref.home} npx spotcheck sandbox env --name ${ref.sandbox})"; stop it: SPOTCHECK_HOME=${ref.home} npx spotcheck sandbox down --name ${ref.sandbox}`)
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
