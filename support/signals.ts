// What the run does on SIGINT and SIGTERM (support/hooks.ts installs it).
//
// The first signal undoes what the run created, stops the target and exits (130 for SIGINT, 143
// for SIGTERM). Any second signal — Ctrl-C again, or the SIGTERM that GitHub Actions sends about
// 7.5 s after its SIGINT when a job is cancelled, before its SIGKILL ("Canceling a workflow",
// https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-workflow-runs/canceling-a-workflow)
// — exits at once: it never starts a second clean-up beside the first. What is left then is for
// `npx spotcheck cleanup --run <id>` (from the remote state, in the workflow's always() step).

import { messageOf } from '../lib/errors.ts'

export interface Interruptible {
  id: string
  progress(line: string): void
  finish(outcome: 'interrupted'): Promise<unknown>
}

export interface SignalHandler {
  handle(signal: NodeJS.Signals): Promise<void>
  /** The first signal received, if any. */
  readonly interrupted: NodeJS.Signals | undefined
}

export function signalHandler(run: () => Interruptible | undefined, exit: (code: number) => void = (code) => process.exit(code)): SignalHandler {
  let first: NodeJS.Signals | undefined
  return {
    get interrupted() {
      return first
    },
    async handle(signal) {
      const code = signal === 'SIGINT' ? 130 : 143
      const current = run()
      if (first) {
        current?.progress(`${signal} during the clean-up after ${first}: stopping now; finish with: npx spotcheck cleanup --run ${current.id}`)
        exit(code)
        return
      }
      first = signal
      if (!current) {
        exit(code)
        return
      }
      current.progress(`${signal}: cleaning up what the run created (a second signal stops it; then run: npx spotcheck cleanup --run ${current.id})`)
      try {
        await current.finish('interrupted')
      } catch (error) {
        current.progress(`cleanup failed: ${messageOf(error)}; run: npx spotcheck cleanup --run ${current.id}`)
      }
      exit(code)
    },
  }
}
