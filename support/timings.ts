// The run's timings, for `npm run bench` (bench/tutorial-load.bench.ts): the wall time of each
// command the tutorial ran, by kind (Terraform's and CloudFormation's own waits apart), and the
// tutorial-time durations the issue compares between a quiet and a loaded machine. Written to
// `timings.json` in the run's directory when the run ends.

import { writeFileSync } from 'node:fs'
import type { CommandResult } from './shell.ts'

export type CommandKind = 'terraform' | 'cloudformation' | 'other'

export interface CommandTiming {
  /** The block's first line (enough to recognise it). */
  command: string
  kind: CommandKind
  wallMs: number
}

/** A duration in tutorial time that a step measured, e.g. "NodeClaim → node Ready". */
export interface TutorialDuration {
  name: string
  ms: number
}

export interface TimingsFile {
  runId: string
  commands: CommandTiming[]
  tutorialDurations: TutorialDuration[]
}

/** Terraform's and CloudFormation's own commands: the aws provider's waits, which the sandbox does not shorten. */
export function commandKind(script: string): CommandKind {
  if (/(^|[\s;&|(])terraform\s+(init|apply|destroy|plan)\b/m.test(script)) return 'terraform'
  if (/\baws\s+cloudformation\s+(deploy|delete-stack|create-stack|update-stack|wait)\b/.test(script)) return 'cloudformation'
  return 'other'
}

export class RunTimings {
  readonly commands: CommandTiming[] = []
  readonly tutorialDurations: TutorialDuration[] = []

  command(result: Pick<CommandResult, 'command' | 'durationMs'>): void {
    this.commands.push({ command: result.command.trim().split('\n')[0].slice(0, 200), kind: commandKind(result.command), wallMs: result.durationMs })
  }

  /** Records a tutorial-time duration (the first of a name wins: the tutorial's own occurrence). */
  duration(name: string, ms: number | undefined): void {
    if (ms === undefined || !Number.isFinite(ms) || this.tutorialDurations.some((d) => d.name === name)) return
    this.tutorialDurations.push({ name, ms })
  }

  write(file: string, runId: string): void {
    const data: TimingsFile = { runId, commands: this.commands, tutorialDurations: this.tutorialDurations }
    writeFileSync(file, JSON.stringify(data, null, 2) + '\n')
  }
}
