// The Terraform CLI configuration a sandbox hands to `terraform` (through TF_CLI_CONFIG_FILE).
//
// Offline machines often carry a filesystem mirror of providers (this one has hashicorp/aws under
// /opt/tf-plugins) while registry.terraform.io is unreachable. When a mirror is found, the
// providers it holds are installed from it and everything else from the registry; otherwise the
// registry alone, as on any workstation.

import { existsSync, readdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

const REGISTRY = 'registry.terraform.io'

/** Places where machines keep provider mirrors, in the order they are tried. */
function mirrorCandidates(): string[] {
  return [
    process.env.SPOTCHECK_TERRAFORM_MIRROR,
    '/opt/tf-plugins',
    join(homedir(), '.terraform.d', 'plugins'),
    join(homedir(), '.local', 'share', 'terraform', 'plugins'),
    '/usr/local/share/terraform/plugins',
    '/usr/share/terraform/plugins',
  ].filter((p): p is string => Boolean(p))
}

/** The first mirror that holds at least one provider, with the providers it holds. */
export function findProviderMirror(candidates = mirrorCandidates()): { path: string; providers: string[] } | undefined {
  for (const path of candidates) {
    const registry = join(path, REGISTRY)
    if (!existsSync(registry)) continue
    const providers: string[] = []
    for (const namespace of readdirSync(registry)) {
      for (const type of safeReaddir(join(registry, namespace))) providers.push(`${REGISTRY}/${namespace}/${type}`)
    }
    if (providers.length > 0) return { path, providers: providers.sort() }
  }
  return undefined
}

function safeReaddir(path: string): string[] {
  try {
    return readdirSync(path)
  } catch {
    return []
  }
}

export function terraformCliConfig(options: { pluginCacheDir: string; mirror?: { path: string; providers: string[] } }): string {
  const lines = [
    '# Written by `spotcheck sandbox up`. Terraform reads it through TF_CLI_CONFIG_FILE.',
    'disable_checkpoint = true',
    `plugin_cache_dir = ${hcl(options.pluginCacheDir)}`,
  ]
  if (options.mirror) {
    const list = options.mirror.providers.map(hcl).join(', ')
    lines.push(
      '',
      '# Providers present in the local mirror come from it; the rest from the registry.',
      'provider_installation {',
      '  filesystem_mirror {',
      `    path    = ${hcl(options.mirror.path)}`,
      `    include = [${list}]`,
      '  }',
      '  direct {',
      `    exclude = [${list}]`,
      '  }',
      '}',
    )
  }
  return lines.join('\n') + '\n'
}

function hcl(value: string): string {
  return JSON.stringify(value)
}
