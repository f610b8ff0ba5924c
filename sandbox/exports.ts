// The sandbox's public entry: what the suite may use of it (the one module of the suite that
// starts a sandbox, support/sandbox-target.ts, imports this file and no other of sandbox/; the
// boundary rule in .dependency-cruiser.cjs checks it).
//
// The environment a running sandbox gives to the tutorial's own commands.
//
// `eval "$(npx spotcheck sandbox up)"` must make `aws`, `terraform` and `kubectl` talk to the
// sandbox unchanged, so everything here is plain environment: the AWS endpoint and test
// credentials, the region (AWS_REGION for the SDKs and the tutorial's `$AWS_REGION`,
// AWS_DEFAULT_REGION because the aws CLI v1 reads only that one), a KUBECONFIG owned by the
// sandbox (the tutorial's `aws eks update-kubeconfig` writes there, never to ~/.kube/config),
// an aws CLI configuration that accepts the CLI v2 options the tutorial uses,
// Terraform's CLI configuration, a PATH that puts the suite's tool stand-ins first, and the
// day whose AWS the sandbox answers as (SPOTCHECK_AS_OF, for the suite and for the reader).

import { awscliCompatDir as AWSCLI_COMPAT_DIR, standInsDir } from '../lib/paths.ts'
import type { SandboxConfig, SandboxPaths, SandboxState } from './state.ts'

export { inspectSandbox, isAlive, listSandboxes, type SandboxRecord } from './state.ts'
export { findProviderMirror, terraformCliConfig } from './terraform-config.ts'
export { karpenterTwinFor, TWINNED_KARPENTER_CHARTS } from './karpenter/version.ts'

/**
 * The environment for commands run against the sandbox. Variables set to `undefined` are removed
 * (an inherited session token or profile would be sent along with the test credentials). With no
 * `basePath`, PATH is `<stand-ins>:$PATH`, for a shell to expand.
 */
export function sandboxEnvironment(paths: SandboxPaths, config: SandboxConfig, state: SandboxState, basePath?: string): Record<string, string | undefined> {
  return {
    AWS_ENDPOINT_URL: state.awsEndpoint,
    AWS_REGION: config.region,
    AWS_DEFAULT_REGION: config.region,
    AWS_ACCESS_KEY_ID: config.accessKeyId,
    AWS_SECRET_ACCESS_KEY: config.secretAccessKey,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_PAGER: '',
    // The aws CLI v1 on many machines rejects the tutorial's --no-cli-pager; this config loads
    // spotcheck's plugin that accepts it (lib/awscli_compat).
    AWS_CONFIG_FILE: paths.awsConfig,
    PYTHONPATH: [AWSCLI_COMPAT_DIR, ...(process.env.PYTHONPATH ?? '').split(':').filter((p) => p && p !== AWSCLI_COMPAT_DIR)].join(':'),
    KUBECONFIG: paths.kubeconfig,
    KUBECACHEDIR: paths.kubeCache,
    TF_CLI_CONFIG_FILE: paths.terraformrc,
    SPOTCHECK_SANDBOX: config.name,
    SPOTCHECK_TARGET: 'sandbox',
    SPOTCHECK_AS_OF: config.asOf,
    PATH: basePath === undefined ? `${standInsDir}:$PATH` : prependPath(standInsDir, basePath),
  }
}

function prependPath(dir: string, path: string): string {
  const parts = path.split(':').filter((p) => p && p !== dir)
  return [dir, ...parts].join(':')
}

/** `export NAME='value'` lines, `unset NAME` for undefined; a trailing `:$PATH` is left for the shell. */
export function shellExports(env: Record<string, string | undefined>): string {
  return (
    Object.entries(env)
      .map(([k, v]) => {
        if (v === undefined) return `unset ${k}`
        if (v.endsWith(':$PATH')) return `export ${k}=${shellQuote(v.slice(0, -':$PATH'.length))}:"$PATH"`
        return `export ${k}=${shellQuote(v)}`
      })
      .join('\n') + '\n'
  )
}

export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_\-./:=@,+%]+$/.test(value)) return value
  return `'${value.replace(/'/g, `'\\''`)}'`
}

// Snapshots of a running sandbox: saved under `<home>/snapshots/<NAME>/`, restored in place.
export { listSnapshots, restoreSnapshot, saveSnapshot, snapshotDir, SNAPSHOT_FORMAT, SnapshotError, type SnapshotManifest } from './snapshots.ts'
