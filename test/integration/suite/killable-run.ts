// A cucumber-js run the kill tests can kill: started as a reader starts it, with formatter outputs
// of its own under the runner's home (so the project's reports/ are not overwritten).

import { execa, type ResultPromise } from 'execa'
import { join } from 'node:path'
import { projectRoot } from '../../../lib/paths.ts'

const cucumber = join(projectRoot, 'node_modules', '@cucumber', 'cucumber', 'bin', 'cucumber.js')

export interface KillableRun {
  process: ResultPromise
  /** Whether the run has exited. */
  ended: () => boolean
}

/**
 * Starts cucumber-js with `args` (profile, tags) and the summary and message formatters, the
 * message stream in `home`/messages.ndjson. forceKillAfterDelay: false — execa's kill('SIGTERM')
 * otherwise follows with SIGKILL after 5 s, which would cut short the very clean-up a SIGTERM test
 * watches (stopping a sandbox with a cluster takes longer).
 */
export function startCucumber(args: string[], home: string, env: NodeJS.ProcessEnv): KillableRun {
  const child = execa(process.execPath, [cucumber, ...args, '--format', 'summary', '--format', `message:${join(home, 'messages.ndjson')}`], {
    cwd: projectRoot,
    env,
    reject: false,
    all: true,
    forceKillAfterDelay: false,
  })
  let done = false
  void child.finally(() => (done = true))
  return { process: child, ended: () => done }
}
