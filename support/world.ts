// The World: what one scenario knows — the run it belongs to, the last command's result, the
// commands it left running, and the things its steps talk about ("that node", "that line").

import { World, setDefaultTimeout, setWorldConstructor, type IWorldOptions } from '@cucumber/cucumber'
import * as allure from 'allure-js-commons'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { stripVTControlCharacters } from 'node:util'
import { eventually, type Attempt, type Outcome } from './eventually.ts'
import { entriesForBlock } from './ledger.ts'
import type { LogLine } from './recorders.ts'
import type { TimelineEvent } from './expect/timeline.ts'
import { CLUSTER_NAME, theRun, type Run } from './run.ts'
import type { BackgroundCommand, CommandResult } from './shell.ts'
import type { TargetParameters } from './target.ts'
import { attachCommand } from './report.ts'
import { tagStackResources } from './run-tags.ts'
import { afterBlock, editBlock } from './editions/in-run.ts'

export type WorldParameters = TargetParameters

export interface ScenarioInfo {
  uri: string
  name: string
  feature: string
  tags: string[]
}

/** What the steps of a scenario refer back to. */
export interface Subject {
  node?: string
  logLine?: LogLine
  deployment?: string
  interruptedInstance?: string
  interruptedNode?: string
  interruptedNodeClaim?: string
  interruptedZone?: string
  interruptionAt?: number
  replacementNodeClaim?: string
  experimentId?: string
  experimentStartedAt?: number
  /** The experiment's start in tutorial time (the run's tutorial clock read as its command began). */
  experimentStartedTutorialAt?: number
  /** When the workload was deleted, in tutorial time (its `kubectl delete` began). */
  deletedAt?: number
  /** The CloudFormation stack a step named ("that stack"). */
  stack?: string
  /** The VPC a step named ("the private subnets"): its Name tag, ID and private subnets. */
  vpc?: { name: string; id: string; privateSubnets: string[] }
  /** Cloud9: the public subnet the environment goes in. */
  subnet?: string
}

export class SpotcheckWorld extends World<WorldParameters> {
  last?: CommandResult
  readonly background = new Map<string, BackgroundCommand>()
  scenario: ScenarioInfo = { uri: '', name: '', feature: '', tags: [] }
  /**
   * Where the scenario's Karpenter log starts: an index into the run's log, or (after a section
   * snapshot was restored) the restored tutorial instant, whose first line is found when asked.
   */
  private logFrom: number | { tutorialMs: number } = 0
  subject: Subject = {}
  /** The interruption timeline of this scenario, once built (support/expect/run-timeline.ts interruptionTimelineOf), for the chart. */
  timeline?: TimelineEvent[]
  /** The tutorial instant (support/tutorial-time.ts) at which the last command began; undefined if the clock did not answer. */
  lastTutorialStartedAt?: number

  constructor(options: IWorldOptions<WorldParameters>) {
    super(options)
  }

  get run(): Run {
    return theRun()
  }

  /** Karpenter log lines before this index were logged before the scenario began. */
  get logStart(): number {
    if (typeof this.logFrom === 'number') return this.logFrom
    return this.run.karpenterLog?.firstIndexFrom(this.logFrom.tutorialMs) ?? 0
  }

  set logStart(index: number) {
    this.logFrom = index
  }

  /**
   * The scenario's log starts at the first line Karpenter logged at or after `tutorialMs` (the
   * instant a section snapshot restored), however late the followed streams deliver it.
   */
  startLogAt(tutorialMs: number): void {
    this.logFrom = { tutorialMs }
  }

  /** Runs a tutorial block in the run's terminal, recording first what it will create. */
  async sh(published: string, options: { title?: string; allowFailure?: boolean; env?: Record<string, string> } = {}): Promise<CommandResult> {
    const run = this.run
    const terminal = run.terminal!
    // The block as the run's edition has it (the current edition's edits, shown in the report).
    const script = await editBlock(run.target?.edition, this.scenario.tags, published)
    const by = `${this.scenario.feature} › ${this.scenario.name}`
    const readFile = (p: string) => {
      const full = join(terminal.cwd, p)
      return existsSync(full) ? readFileSync(full, 'utf8') : undefined
    }
    const specs = entriesForBlock(script, { cwd: terminal.cwd, cluster: CLUSTER_NAME, readFile })
    for (const spec of specs) run.ledger.record(spec, by)
    // aws with a state bucket: those entries are in the bucket before the block runs (support/remote-state.ts).
    const stateSynced = await run.syncState(specs)
    const long = /\bterraform\s+(apply|destroy)|cloudformation\s+deploy/.test(script)
    let lastProgress = Date.now()
    this.lastTutorialStartedAt = await run.tutorialTime.now().catch(() => undefined)
    const result = await terminal.run(script, {
      env: options.env, // only this block's (shell.ts RunOptions.env)
      onOutput: long
        ? (chunk) => {
            if (Date.now() - lastProgress < 10_000) return
            lastProgress = Date.now()
            const line = stripVTControlCharacters(chunk).trim().split('\n').pop()
            if (line) run.progress(`  ${line.slice(0, 160)}`)
          }
        : undefined,
    })
    // kubectl manifests written by the block itself are known only now: record their objects too.
    for (const spec of entriesForBlock(script, { cwd: terminal.cwd, cluster: CLUSTER_NAME, readFile }))
      if (spec.kind === 'kubernetes') run.ledger.record(spec, by)
    await stateSynced()
    this.last = result
    run.timings.command(result)
    await attachCommand(result, options.title)
    // Files the block fetched: the tutorial's own (drift, file edits) or the sandbox's stand-ins.
    await afterBlock(run)
    // `aws cloudformation deploy`, run verbatim, cannot tag: spotcheck tags what the stack made.
    if (result.exitCode === 0) {
      for (const spec of specs) {
        if (spec.kind !== 'cloudformation-stack') continue
        const { tagged, untaggable } = await tagStackResources(run.aws, spec.stack, run.id)
        await this.note(
          `spotcheck tagged ${tagged.join(', ') || 'nothing'} of the stack ${spec.stack} with spotcheck:run=${run.id}${untaggable.length ? ` (not taggable: ${untaggable.join(', ')})` : ''}`,
        )
      }
    }
    // The cluster is gone with a full destroy (Step 8): stop watching it. Otherwise keep up with it.
    if (result.exitCode === 0 && /\bterraform\s+destroy\b(?![^\n]*-target)/.test(script)) run.disconnect()
    else run.connectWhenPossible()
    return result
  }

  /** Waits, in tutorial time, until the probe succeeds; progress goes to stderr. */
  async within<T>(withinMs: number, what: string, probe: () => Promise<Attempt<T>>): Promise<Outcome<T>> {
    const run = this.run
    const outcome = await eventually(what, probe, {
      withinMs,
      timeScale: run.target?.timeScale ?? 1,
      // The deadline in the target's tutorial time (the sandbox's clock; the wall clock on AWS).
      tutorialNow: run.target ? () => run.tutorialTime.now() : undefined,
      progress: (line) => run.progress(line),
    })
    await allure.logStep(run.redactor.redact(`${what}: after ${Math.round(outcome.tookMs / 1000)} s of tutorial time — ${outcome.seen}`))
    return outcome
  }

  note(text: string): Promise<void> {
    return Promise.resolve(allure.logStep(this.run.redactor.redact(text)))
  }
}

setWorldConstructor(SpotcheckWorld)
// Terraform applies and destroys take up to 20 minutes on AWS; waits have their own deadlines.
setDefaultTimeout(60 * 60_000)
