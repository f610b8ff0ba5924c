// A sandbox snapshot on disk: `<home>/snapshots/<NAME>/` holds
//
//   manifest.json        what this file's SnapshotManifest says (written last: a directory
//                        without it is no snapshot)
//   aws-state.pickle     moto's backends and spotcheck_moto's state (sandbox/aws/spotcheck_moto/snapshot.py)
//   clock.json           the tutorial clock's (wall, T) history (runtime/clock.ts restoreTutorial)
//   clusters/<name>.json each EKS cluster (cluster/sandbox-cluster.ts ClusterDump)
//   files/<label>/…      the caller's directories and files (files.ts)
//
// The format is one integer: a spotcheck that reads another format refuses the snapshot and says
// both numbers, rather than restoring half of it.

import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The snapshot format this spotcheck writes and reads. Bump it when anything saved changes shape,
 * or changes meaning. 2: the 1.x twin's `karpenter.sh/nodepool-hash` and
 * `karpenter.k8s.aws/ec2nodeclass-hash` became hashstructure's numbers (same hash versions, v3/v4):
 * NodeClaims saved with the former hashes would all drift once restored.
 */
export const SNAPSHOT_FORMAT = 2

export interface SnapshotManifest {
  format: number
  createdAt: string
  sandbox: { region: string; asOf: string; timeScale: number; spotSeed: number }
  /** The tutorial clock's T when the snapshot was taken (epoch ms). */
  tutorialMs: number
  clusters: { name: string; kubernetesVersion: string; endpoint: string }[]
  /** The caller's own notes (origin run, edition, section, hash…). */
  meta: Record<string, string>
  /** Labels of the caller's directories and files under files/. */
  files: string[]
}

/** A snapshot that cannot be read or restored here; `status` is what the control server answers. */
export class SnapshotError extends Error {
  readonly status: number
  constructor(message: string, status = 409) {
    super(message)
    this.status = status
  }
}

export const MANIFEST = 'manifest.json'
export const AWS_STATE = 'aws-state.pickle'
export const CLOCK = 'clock.json'
export const clusterFile = (dir: string, name: string): string => join(dir, 'clusters', `${name}.json`)
export const filesDir = (dir: string, label: string): string => join(dir, 'files', label)

/** Reads a snapshot's manifest and refuses one of another format (naming both). */
export function readManifest(dir: string): SnapshotManifest {
  const path = join(dir, MANIFEST)
  if (!existsSync(path)) throw new SnapshotError(`snapshot ${dir} has no ${MANIFEST} (it does not exist, or its save did not finish)`, 404)
  let manifest: SnapshotManifest
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as SnapshotManifest
  } catch (error) {
    throw new SnapshotError(`snapshot ${dir}: ${MANIFEST} is not JSON: ${(error as Error).message}`, 400)
  }
  checkFormat(dir, manifest)
  return manifest
}

function checkFormat(dir: string, manifest: Pick<SnapshotManifest, 'format'>): void {
  if (manifest.format !== SNAPSHOT_FORMAT)
    throw new SnapshotError(`snapshot ${dir} is format ${JSON.stringify(manifest.format)}; this spotcheck reads format ${SNAPSHOT_FORMAT}`)
}

/** A snapshot restores only into a sandbox of the same region and day (moto's ids and answers depend on both). */
export function checkSandbox(dir: string, manifest: SnapshotManifest, sandbox: { region: string; asOf: string }): void {
  for (const field of ['region', 'asOf'] as const) {
    if (manifest.sandbox[field] !== sandbox[field])
      throw new SnapshotError(
        `snapshot ${dir} was taken in a sandbox with ${field} ${manifest.sandbox[field]}; this sandbox has ${field} ${sandbox[field]} (start one with --${field === 'asOf' ? 'as-of' : 'region'} ${manifest.sandbox[field]})`,
      )
  }
}
