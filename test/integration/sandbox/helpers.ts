// Running the real `spotcheck sandbox` CLI from tests, as a user runs it through npx.

import { execa, type Result } from 'execa'
import { join } from 'node:path'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { projectRoot } from '../../../lib/paths.ts'

export const spotcheckBin = join(projectRoot, 'bin', 'spotcheck.ts')

/** A SPOTCHECK_HOME of its own, so tests never touch a developer's sandboxes. */
export function isolatedHome(): string {
  return mkdtempSync(join(tmpdir(), 'spotcheck-home-'))
}

export async function spotcheck(args: string[], env: Record<string, string | undefined> = {}): Promise<Result<{ reject: false; all: true }>> {
  return execa(process.execPath, [spotcheckBin, ...args], { reject: false, all: false, env: { ...process.env, ...env }, timeout: 180_000 }) as never
}

/** Parses the `export`/`unset` lines `sandbox up` prints into an environment for child processes. */
export function parseExports(stdout: string, base: Record<string, string | undefined> = process.env): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v
  for (const line of stdout.split('\n')) {
    const unset = /^unset (\w+)$/.exec(line)
    if (unset) {
      delete env[unset[1]]
      continue
    }
    const m = /^export (\w+)=(.*)$/.exec(line)
    if (!m) continue
    let value = m[2]
    if (value.endsWith(':"$PATH"')) value = `${unquote(value.slice(0, -':"$PATH"'.length))}:${env.PATH ?? ''}`
    else value = unquote(value)
    env[m[1]] = value
  }
  return env
}

function unquote(v: string): string {
  if (v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1).replace(/'\\''/g, "'")
  return v
}

/** Runs a tutorial block through bash with the sandbox environment, in `cwd`. */
export async function bash(script: string, env: Record<string, string>, cwd: string, timeoutMs = 600_000) {
  return execa('bash', ['-euo', 'pipefail', '-c', script], { env, cwd, extendEnv: false, reject: false, all: true, timeout: timeoutMs, killDescendants: true })
}
