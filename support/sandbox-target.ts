// The suite's one door into the sandbox: starting and stopping one as a reader would
// (`spotcheck sandbox up` / `down`, each in its own process), finding one that runs, and the
// environment it gives the tutorial's commands. No other module under support/ or steps/ imports
// sandbox/, and this one imports only the sandbox's public entry, sandbox/exports.ts
// (.dependency-cruiser.cjs enforces both).

import { execa } from 'execa'
import { join } from 'node:path'
import { projectRoot } from '../lib/paths.ts'
import { lineRelay } from '../lib/line-relay.ts'
import { inspectSandbox, type SandboxRecord } from '../sandbox/exports.ts'

export {
  findProviderMirror,
  inspectSandbox,
  isAlive,
  karpenterTwinFor,
  listSandboxes,
  listSnapshots,
  restoreSnapshot,
  sandboxEnvironment,
  saveSnapshot,
  SNAPSHOT_FORMAT,
  terraformCliConfig,
  TWINNED_KARPENTER_CHARTS,
  type SandboxRecord,
} from '../sandbox/exports.ts'

export type RunningSandbox = SandboxRecord & { config: NonNullable<SandboxRecord['config']>; state: NonNullable<SandboxRecord['state']> }

export interface SandboxUpOptions {
  name: string
  home: string
  region: string
  asOf: string
  /** The run's edition, shown by `sandbox status`. */
  edition?: string
  timeScale?: number
  /** Each line the sandbox prints on stderr while it starts. */
  progress: (line: string) => void
}

/** `spotcheck sandbox up` for the run (its own process, as a reader would start it); throws if it does not come up. */
export async function sandboxUp(o: SandboxUpOptions): Promise<RunningSandbox> {
  const args = ['sandbox', 'up', '--name', o.name, '--region', o.region, '--as-of', o.asOf]
  if (o.timeScale !== undefined) args.push('--time-scale', String(o.timeScale))
  if (o.edition) args.push('--edition', o.edition)
  const child = execa(process.execPath, [join(projectRoot, 'bin', 'spotcheck.ts'), ...args], {
    env: { ...process.env, SPOTCHECK_HOME: o.home },
    reject: false,
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const relay = lineRelay((line) => {
    if (line) o.progress(line)
  })
  child.stderr?.on('data', (chunk: Buffer) => relay.push(chunk))
  const r = await child
  relay.flush()
  if (r.exitCode !== 0) throw new Error(`the sandbox did not start (spotcheck ${args.join(' ')}):\n${r.stderr}`)
  const record = inspectSandbox(o.name, o.home)
  if (!record.config || !record.state?.ready) throw new Error(`sandbox "${o.name}" reported up but has no ready state in ${record.paths.dir}`)
  return record as RunningSandbox
}

/** `spotcheck sandbox down --name <name>` in `home`: whether it succeeded, and what it printed. */
export async function sandboxDown(name: string, home: string): Promise<{ ok: boolean; output: string }> {
  const r = await execa(process.execPath, [join(projectRoot, 'bin', 'spotcheck.ts'), 'sandbox', 'down', '--name', name], {
    env: { ...process.env, SPOTCHECK_HOME: home },
    reject: false,
    all: true,
  })
  return { ok: r.exitCode === 0, output: r.all ?? '' }
}
