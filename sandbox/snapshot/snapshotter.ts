// The daemon's half of a snapshot (control server: POST /v1/snapshot/save, /v1/snapshot/restore).
//
// Save: once the hooks being handled and the daemon's busy AWS calls are done, the clock is held
// (T does not move and no timer fires, so moto's state, every cluster and T are one instant), moto
// writes its state, each cluster is dumped, the manifest is written last, the clock released.
//
// Restore, in place into a running sandbox (the daemon and moto keep their processes and ports):
// the manifest's format, region and day are checked, and moto checks its file; the clusters are closed; T is set back to the
// saved instant (runtime/clock.ts restoreTutorial) BEFORE moto loads, because moto re-registers
// its pending jobs with the delay they have left from T; then each cluster is rebuilt from its dump
// (cluster/sandbox-cluster.ts restore). The clock is held until everything runs again.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { ClusterDump } from '../cluster/sandbox-cluster.ts'
import type { Clock } from '../runtime/clock.ts'
import { AWS_STATE, CLOCK, MANIFEST, SNAPSHOT_FORMAT, SnapshotError, checkSandbox, clusterFile, readManifest, type SnapshotManifest } from './format.ts'

/** What the snapshotter needs of the daemon's clusters (cluster-host.ts ClusterHost). */
interface SnapshotClusters {
  settled(): Promise<void>
  dump(): ClusterDump[]
  close(): Promise<void>
  restore(dumps: ClusterDump[]): Promise<RestoredCluster[]>
}

export interface RestoredCluster {
  name: string
  endpoint: string
  previousEndpoint: string
}

export interface SnapshotterOptions {
  clock: Clock
  clusters: SnapshotClusters
  sandbox: { region: string; asOf: string; timeScale: number; spotSeed: number }
  /** moto's endpoint. */
  awsEndpoint: () => string
  log: (line: string) => void
}

export class Snapshotter {
  private readonly options: SnapshotterOptions
  /** One snapshot operation at a time. */
  private running: Promise<unknown> = Promise.resolve()

  constructor(options: SnapshotterOptions) {
    this.options = options
  }

  save(body: Record<string, unknown>): Promise<SnapshotManifest> {
    return this.serial(() => this.doSave(body))
  }

  restore(body: Record<string, unknown>): Promise<{ clusters: RestoredCluster[]; manifest: SnapshotManifest }> {
    return this.serial(() => this.doRestore(body))
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.running.then(work, work)
    this.running = next.catch(() => undefined)
    return next
  }

  private async doSave(body: Record<string, unknown>): Promise<SnapshotManifest> {
    const dir = directory(body)
    const meta = stringRecord(body.meta, 'meta')
    const files = Array.isArray(body.files) ? body.files.map(String) : []
    const { clock, clusters, log } = this.options
    const release = await this.quiesce()
    try {
      await mkdir(join(dir, 'clusters'), { recursive: true })
      const tutorialMs = clock.tutorialNow()
      const aws = await this.moto('save', { path: join(dir, AWS_STATE) })
      const dumps = clusters.dump()
      for (const dump of dumps) await writeAtomically(clusterFile(dir, dump.name), JSON.stringify(dump))
      await writeAtomically(join(dir, CLOCK), JSON.stringify(clock.history()))
      const manifest: SnapshotManifest = {
        format: SNAPSHOT_FORMAT,
        createdAt: new Date().toISOString(),
        sandbox: { ...this.options.sandbox },
        tutorialMs,
        clusters: dumps.map((d) => ({ name: d.name, kubernetesVersion: d.kubernetesVersion, endpoint: d.endpoint })),
        meta,
        files,
      }
      await writeAtomically(join(dir, MANIFEST), JSON.stringify(manifest, null, 2) + '\n')
      log(`snapshot saved to ${dir}: T ${new Date(tutorialMs).toISOString()}, ${dumps.length} cluster(s), AWS ${JSON.stringify(aws)}`)
      return manifest
    } finally {
      release()
    }
  }

  private async doRestore(body: Record<string, unknown>): Promise<{ clusters: RestoredCluster[]; manifest: SnapshotManifest }> {
    const dir = directory(body)
    const manifest = readManifest(dir)
    checkSandbox(dir, manifest, this.options.sandbox)
    const dumps: ClusterDump[] = []
    for (const c of manifest.clusters) dumps.push(JSON.parse(await readFile(clusterFile(dir, c.name), 'utf8')) as ClusterDump)
    const history = JSON.parse(await readFile(join(dir, CLOCK), 'utf8')) as { wallMs: number[]; tutorialMs: number[] }
    const { clock, clusters, log } = this.options
    // moto says first whether it takes the file (format, moto version, an intact payload): a
    // snapshot refused here leaves the sandbox as it was.
    await this.moto('check', { path: join(dir, AWS_STATE) })
    await clusters.settled()
    await clock.whenIdle()
    await clusters.close()
    clock.restoreTutorial(manifest.tutorialMs, history)
    const release = clock.hold()
    try {
      await this.moto('load', { path: join(dir, AWS_STATE) })
      const restored = await clusters.restore(dumps)
      for (const c of restored) {
        if (c.endpoint === c.previousEndpoint) continue
        // DescribeCluster (hence update-kubeconfig) must say where the cluster serves now.
        await this.motoPost('eks/cluster-endpoint', { name: c.name, endpoint: c.endpoint, region: this.options.sandbox.region })
        log(`snapshot ${dir}: cluster ${c.name}'s API server port was taken; it serves at ${c.endpoint} (was ${c.previousEndpoint})`)
      }
      log(`snapshot restored from ${dir}: T ${new Date(manifest.tutorialMs).toISOString()}, ${restored.length} cluster(s)`)
      return { clusters: restored, manifest }
    } finally {
      release()
    }
  }

  /** Waits until no hook is handled and no busy AWS call is in flight, then holds the clock. */
  private async quiesce(): Promise<() => void> {
    const { clock, clusters } = this.options
    for (;;) {
      await clusters.settled()
      await clock.whenIdle()
      const release = clock.hold()
      if (!clock.isBusy) return release
      release() // something started meanwhile: wait for it too
    }
  }

  private moto(action: 'save' | 'load' | 'check', body: { path: string }): Promise<unknown> {
    return this.motoPost(`snapshot/${action}`, body)
  }

  private async motoPost(route: string, body: Record<string, unknown>): Promise<unknown> {
    const response = await fetch(`${this.options.awsEndpoint()}/_spotcheck/${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    const text = await response.text()
    let answer: { error?: string }
    try {
      answer = JSON.parse(text) as { error?: string }
    } catch {
      answer = { error: text.slice(0, 500) }
    }
    if (!response.ok)
      throw new SnapshotError(`moto ${route} ${JSON.stringify(body)}: ${answer.error ?? `HTTP ${response.status}`}`, response.status === 409 ? 409 : 500)
    return answer
  }
}

function directory(body: Record<string, unknown>): string {
  if (typeof body.dir !== 'string' || !body.dir.startsWith('/')) throw new SnapshotError('field "dir": an absolute path is required', 400)
  return body.dir
}

function stringRecord(value: unknown, field: string): Record<string, string> {
  if (value === undefined) return {}
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SnapshotError(`field "${field}": an object of strings is required`, 400)
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]))
}

async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, text)
  await rename(tmp, path)
}
