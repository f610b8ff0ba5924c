// The scratch `terraform init` the preflight runs on a real account to learn what the edition's
// provider constraints (">= 3.72", "~> 3.0.1", ">= 2.4.1, < 3.0") resolve to today. Whether a
// resolution breaks the tutorial's file is a fact of fixtures/platform.yaml, not of init: init
// only resolves, the break shows at plan.

import { execa } from 'execa'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A `terraform { required_providers { … } }` block with these providers and constraints. */
export function requiredProvidersBlock(providers: Record<string, string>): string {
  const lines = Object.entries(providers).map(([source, version]) => {
    const local = source.split('/').pop()!
    return `    ${local} = {\n      source  = "${source}"\n      version = "${version}"\n    }`
  })
  return `terraform {\n  required_providers {\n${lines.join('\n')}\n  }\n}\n`
}

/** Provider versions a lock file pins: `provider "registry.terraform.io/hashicorp/helm" { version = "3.0.2" …`. */
export function lockedVersions(lockFile: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of lockFile.matchAll(/provider\s+"(?:[^/"]+\/)?([^"]+)"\s*\{[^}]*?version\s*=\s*"([^"]+)"/g)) out[m[1]] = m[2]
  return out
}

export interface TerraformResolution {
  resolved: Record<string, string>
  /** The block that was initialised, and what terraform said when it failed. */
  block: string
  error?: string
}

/**
 * `terraform init -backend=false` in a scratch directory with only the required_providers block:
 * what the registry resolves the constraints to today (no module, no provider configuration, nothing
 * created). The directory is removed afterwards.
 */
export async function resolveProviders(providers: Record<string, string>, env: Record<string, string>, pluginCacheDir?: string): Promise<TerraformResolution> {
  const dir = mkdtempSync(join(tmpdir(), 'spotcheck-preflight-'))
  const block = requiredProvidersBlock(providers)
  try {
    writeFileSync(join(dir, 'main.tf'), block)
    // A filesystem mirror in the user's CLI config would answer instead of the registry.
    const { TF_CLI_CONFIG_FILE: _ignored, ...rest } = env
    // The providers are downloaded (init has no resolve-only mode): a cache spares the next run.
    if (pluginCacheDir) {
      mkdirSync(pluginCacheDir, { recursive: true })
      rest.TF_PLUGIN_CACHE_DIR = pluginCacheDir
    }
    const r = await execa('terraform', ['init', '-backend=false', '-input=false', '-no-color'], {
      cwd: dir,
      env: { ...rest, TF_IN_AUTOMATION: '1' },
      extendEnv: false,
      reject: false,
      all: true,
      timeout: 5 * 60_000,
    })
    const lock = join(dir, '.terraform.lock.hcl')
    const resolved = existsSync(lock) ? lockedVersions(readFileSync(lock, 'utf8')) : {}
    return { resolved, block, ...(r.exitCode === 0 ? {} : { error: (r.all ?? '').trim().split('\n').slice(-15).join('\n') }) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
