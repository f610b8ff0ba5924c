// The environment of the aws target's commands, and what must not be in it.
//
// A shell that ran `eval "$(npx spotcheck sandbox up)"` keeps pointing at that sandbox: an
// AWS_ENDPOINT_URL, the sandbox's credentials, its aws CLI and Terraform configs, its kubeconfig.
// The sandbox answers STS as moto's account 123456789012, so such a shell could pass the aws
// target's opt-in and a sandbox run would be reported as "a real account" (audit C3). The aws
// target therefore refuses an environment that points at a sandbox, before anything is created.
//
// A rehearsal (`-p aws-rehearsal`) is the aws target against a sandbox it starts itself: its base
// environment is the user's with every sandbox pointer removed, plus only what an offline account
// needs (the sandbox's endpoint, credentials and region; Terraform's provider mirror).

import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { awscliCompatDir as AWSCLI_COMPAT_DIR, standInsDir } from '../lib/paths.ts'

export type Env = Record<string, string | undefined>

export interface SandboxMarker {
  variable: string
  value: string
  why: string
}

/**
 * Whether `file` lies in a spotcheck sandbox's directory (`<home>/sandboxes/<name>/…`, the
 * directory `spotcheck sandbox up` writes its aws-config, terraform.rc and kubeconfig into).
 */
export function inSandboxDir(file: string): boolean {
  let dir = dirname(resolve(file))
  for (;;) {
    const parent = dirname(dir)
    if (basename(parent) === 'sandboxes' && (existsSync(join(dir, 'config.json')) || /\/\.spotcheck\/sandboxes\/[^/]+$/.test(dir))) return true
    if (parent === dir) return false
    dir = parent
  }
}

/**
 * The variables of `env` that point at a spotcheck sandbox. `allowEndpoint`: the rehearsal's own
 * sandbox endpoint, the one pointer a rehearsal is made of.
 */
export function sandboxMarkers(env: Env, options: { allowEndpoint?: string } = {}): SandboxMarker[] {
  const found: SandboxMarker[] = []
  for (const [variable, value] of Object.entries(env)) {
    if (value === undefined || value === '') continue
    if (/^AWS_ENDPOINT_URL(_[A-Z0-9_]+)?$/.test(variable)) {
      if (options.allowEndpoint !== undefined && value === options.allowEndpoint) continue
      found.push({ variable, value, why: "sends AWS calls to another endpoint than AWS (a sandbox's moto, or another emulator)" })
    } else if (variable === 'SPOTCHECK_SANDBOX') {
      found.push({ variable, value, why: 'names a spotcheck sandbox (set by `eval "$(npx spotcheck sandbox up)"`)' })
    } else if (variable === 'SPOTCHECK_TARGET' && value === 'sandbox') {
      found.push({ variable, value, why: 'says the commands run on the sandbox' })
    } else if (variable === 'TF_CLI_CONFIG_FILE' || variable === 'AWS_CONFIG_FILE' || variable === 'KUBECONFIG') {
      const inside = value.split(':').filter(Boolean).find(inSandboxDir)
      if (inside) found.push({ variable, value, why: `is a file of a spotcheck sandbox (${inside})` })
    }
  }
  return found
}

/** The refusal's text: which variables, why, and how to fix it. */
export function sandboxMarkersMessage(markers: SandboxMarker[]): string {
  const lines = markers.map((m) => `  ${m.variable}=${m.value}: ${m.why}`)
  return [
    'Refusing to run on the aws target: this environment points at a spotcheck sandbox, not at a real AWS account:',
    ...lines,
    `Fix: unset ${[...new Set(markers.map((m) => m.variable))].join(' ')} (or open a new shell), then run again.`,
    "To run the aws target's code against a sandbox on purpose, use the rehearsal: npx cucumber-js -p aws-rehearsal",
  ].join('\n')
}

/**
 * `env` without anything that points at a sandbox: the markers above, and what
 * `spotcheck sandbox env` sets alongside them (its credentials, day, kubectl cache, the stand-ins'
 * directory on PATH and the aws CLI plugin's on PYTHONPATH; the aws target adds its own).
 */
export function withoutSandbox(env: Env): Env {
  const out: Env = { ...env }
  const fromSandbox = Boolean(env.SPOTCHECK_SANDBOX) || env.SPOTCHECK_TARGET === 'sandbox'
  for (const m of sandboxMarkers(env)) delete out[m.variable]
  delete out.SPOTCHECK_AS_OF
  if (env.SPOTCHECK_TARGET) delete out.SPOTCHECK_TARGET
  if (env.KUBECACHEDIR && inSandboxDir(join(env.KUBECACHEDIR, 'x'))) delete out.KUBECACHEDIR
  if (fromSandbox) {
    // The sandbox's test credentials would be sent to AWS: they belong to the sandbox's shell.
    delete out.AWS_ACCESS_KEY_ID
    delete out.AWS_SECRET_ACCESS_KEY
  }
  if (env.PATH)
    out.PATH = env.PATH.split(':')
      .filter((p) => p && p !== standInsDir)
      .join(':')
  if (env.PYTHONPATH !== undefined) {
    const rest = env.PYTHONPATH.split(':').filter((p) => p && p !== AWSCLI_COMPAT_DIR)
    if (rest.length > 0) out.PYTHONPATH = rest.join(':')
    else delete out.PYTHONPATH
  }
  return out
}

// ── the aws CLI ────────────────────────────────────────────────────────────────────────────

/** The aws CLI's major version from `aws --version` ("aws-cli/1.45.11 Python/…"), or undefined. */
export function awsCliMajor(versionOutput: string): number | undefined {
  const m = /aws-cli\/(\d+)\./.exec(versionOutput)
  return m ? Number(m[1]) : undefined
}

export const AWSCLI_COMPAT_PLUGIN = 'spotcheck_compat = spotcheck_awscli_compat'

/**
 * The tutorial was written for aws CLI v2 (`--no-cli-pager`); aws CLI v1 rejects v2-only
 * options. With v1, spotcheck's plugin (lib/awscli_compat) maps them, loaded from a
 * `[plugins]` section. The user's own config (profiles, SSO, credential_process, region) must
 * keep working, and aws config files cannot include one another, so the run's config is a copy
 * of the user's ($AWS_CONFIG_FILE, else ~/.aws/config) with the plugin added to its `[plugins]`
 * section (or a new one). The user's file is never written. Returns the environment to add.
 */
export function awsCliV1Config(runDir: string, env: Env): Record<string, string> {
  const userConfig = env.AWS_CONFIG_FILE || join(env.HOME || homedir(), '.aws', 'config')
  const text = existsSync(userConfig) ? readFileSync(userConfig, 'utf8') : ''
  const file = join(runDir, 'aws-config')
  writeFileSync(file, withCompatPlugin(text, userConfig), { mode: 0o600 })
  return {
    AWS_CONFIG_FILE: file,
    PYTHONPATH: [AWSCLI_COMPAT_DIR, ...(env.PYTHONPATH ?? '').split(':').filter((p) => p && p !== AWSCLI_COMPAT_DIR)].join(':'),
  }
}

/** `config` with the compat plugin in its `[plugins]` section. */
export function withCompatPlugin(config: string, source: string): string {
  const header = `# Written by spotcheck for one run: a copy of ${source}, plus the aws CLI v1 plugin that accepts\n# the tutorial's CLI v2 options (lib/awscli_compat). Your own file is unchanged.\n`
  const lines = config.replace(/\r\n/g, '\n').split('\n')
  const at = lines.findIndex((l) => /^\s*\[\s*plugins\s*\]\s*$/.test(l))
  if (at >= 0) {
    lines.splice(at + 1, 0, AWSCLI_COMPAT_PLUGIN)
    return header + lines.join('\n').replace(/\n*$/, '\n')
  }
  const body = config.trim() === '' ? '' : config.replace(/\n*$/, '\n\n')
  return `${header}${body}[plugins]\n${AWSCLI_COMPAT_PLUGIN}\n`
}
