// Saving and restoring a running sandbox from outside it (the suite through exports.ts, and
// `spotcheck sandbox snapshot save|restore|list`): the caller's files are copied here, the daemon
// saves or restores everything it runs (POST /v1/snapshot/…, sandbox/snapshot/snapshotter.ts).
//
// A save goes to `<NAME>.partial-<pid>` first and is renamed into place once its manifest is
// written, so `<home>/snapshots/<NAME>/` is always either the old snapshot or the complete new one.
// The sandbox's kubeconfig (what the tutorial's `aws eks update-kubeconfig` wrote) is saved with
// it: a restored cluster keeps its CA and (when free) its port, so the saved kubeconfig works.

import { existsSync } from 'node:fs'
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { copyEntry } from './snapshot/files.ts'
import { SnapshotError, filesDir, readManifest, type SnapshotManifest } from './snapshot/format.ts'
import type { RestoredCluster } from './snapshot/snapshotter.ts'
import { inspectSandbox } from './state.ts'

export { SNAPSHOT_FORMAT, SnapshotError, type SnapshotManifest } from './snapshot/format.ts'
export type { RestoredCluster } from './snapshot/snapshotter.ts'

/** The sandbox's own files a snapshot carries (under sandbox-files/). */
const KUBECONFIG = 'kubeconfig'

/** `<home>/snapshots/<name>` (the name is checked: letters, digits, `.`, `_`, `-`). */
export function snapshotDir(home: string, name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name) || name.includes('..'))
    throw new SnapshotError(`invalid snapshot name "${name}": use letters, digits, ".", "_" and "-" (at most 100)`, 400)
  return join(home, 'snapshots', name)
}

export interface SaveSnapshotOptions {
  /** The running sandbox's name. */
  sandbox: string
  /** The spotcheck home the sandbox and its snapshots live in (lib/paths.ts spotcheckHome()). */
  home: string
  name: string
  meta?: Record<string, string>
  /** Directories or files to keep with the snapshot, by label (e.g. {dir: the Terraform directory}). */
  files?: Record<string, string>
}

export async function saveSnapshot(options: SaveSnapshotOptions): Promise<SnapshotManifest> {
  const dir = snapshotDir(options.home, options.name)
  const record = runningSandbox(options.sandbox, options.home)
  const partial = `${dir}.partial-${process.pid}`
  await rm(partial, { recursive: true, force: true })
  try {
    for (const [label, path] of Object.entries(options.files ?? {})) {
      checkLabel(label)
      if (!existsSync(path)) throw new SnapshotError(`snapshot ${options.name}: files.${label}: ${path} does not exist`, 400)
      await copyEntry(path, filesDir(partial, label))
    }
    if (existsSync(record.paths.kubeconfig)) await copyEntry(record.paths.kubeconfig, join(partial, 'sandbox-files', KUBECONFIG))
    const manifest = (await control(record.controlUrl, 'save', {
      dir: partial,
      meta: options.meta ?? {},
      files: Object.keys(options.files ?? {}),
    })) as SnapshotManifest
    await rm(dir, { recursive: true, force: true })
    await rename(partial, dir)
    return manifest
  } catch (error) {
    await rm(partial, { recursive: true, force: true })
    throw error
  }
}

export interface RestoreSnapshotOptions {
  sandbox: string
  home: string
  name: string
  /** Where each saved label's directory or file goes back to (replacing what is there). */
  files?: Record<string, string>
}

export async function restoreSnapshot(options: RestoreSnapshotOptions): Promise<{ manifest: SnapshotManifest; clusters: RestoredCluster[] }> {
  const dir = snapshotDir(options.home, options.name)
  const manifest = readManifest(dir)
  for (const label of Object.keys(options.files ?? {}))
    if (!manifest.files.includes(label))
      throw new SnapshotError(`snapshot ${options.name} has no files labelled "${label}" (it has: ${manifest.files.join(', ') || 'none'})`, 400)
  const record = runningSandbox(options.sandbox, options.home)
  const answer = (await control(record.controlUrl, 'restore', { dir })) as { clusters: RestoredCluster[] }
  const kubeconfig = join(dir, 'sandbox-files', KUBECONFIG)
  if (existsSync(kubeconfig)) {
    let text = await readFile(kubeconfig, 'utf8')
    for (const c of answer.clusters) if (c.endpoint !== c.previousEndpoint) text = text.split(c.previousEndpoint).join(c.endpoint)
    await writeFile(record.paths.kubeconfig, text, { mode: 0o600 })
    await rm(record.paths.kubeCache, { recursive: true, force: true }) // discovery cached for this host:port may be another cluster's
  }
  for (const [label, dest] of Object.entries(options.files ?? {})) await copyEntry(filesDir(dir, label), dest)
  return { manifest, clusters: answer.clusters }
}

/** Every snapshot under `<home>/snapshots/` with its manifest (of any format), by name. */
export async function listSnapshots(home: string): Promise<({ name: string; dir: string } & SnapshotManifest)[]> {
  const root = join(home, 'snapshots')
  if (!existsSync(root)) return []
  const out: ({ name: string; dir: string } & SnapshotManifest)[] = []
  for (const entry of (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.includes('.partial-'))) {
    const dir = join(root, entry.name)
    try {
      const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as SnapshotManifest
      out.push({ name: entry.name, dir, ...manifest })
    } catch {
      // no manifest: not a snapshot (or one whose save never finished)
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name))
}

function checkLabel(label: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(label) || label.includes('..'))
    throw new SnapshotError(`invalid files label "${label}": use letters, digits, ".", "_" and "-"`, 400)
}

function runningSandbox(name: string, home: string) {
  const record = inspectSandbox(name, home)
  if (!record.running || !record.state?.ready || !record.state.controlUrl)
    throw new SnapshotError(`sandbox "${name}" is not running (start it with: spotcheck sandbox up --name ${name})`, 400)
  return { paths: record.paths, controlUrl: record.state.controlUrl }
}

async function control(controlUrl: string, action: 'save' | 'restore', body: unknown): Promise<unknown> {
  const response = await fetch(`${controlUrl}/v1/snapshot/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10 * 60_000),
  })
  const answer = (await response.json().catch(() => ({}))) as { error?: string }
  if (!response.ok) throw new SnapshotError(answer.error ?? `the sandbox answered ${response.status} to snapshot ${action}`, response.status)
  return answer
}
