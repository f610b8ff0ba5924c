// Snapshots, the daemon's pieces one by one: a Store and its PodLogs saved as JSON and loaded
// into new ones, the clock held and set back, the manifest's format and sandbox checks, and the
// copying rule of the caller's files.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Store, type StoreDump } from '../../../sandbox/kube/store.ts'
import { PodLogs } from '../../../sandbox/kube/pod-logs.ts'
import { ApiError } from '../../../sandbox/kube/errors.ts'
import type { KubeObject } from '../../../sandbox/kube/json.ts'
import { karpenterV1Crds } from '../../../sandbox/karpenter/crds/v1.ts'
import { Clock } from '../../../sandbox/runtime/clock.ts'
import { SNAPSHOT_FORMAT, checkSandbox, readManifest, type SnapshotManifest } from '../../../sandbox/snapshot/format.ts'
import { LINK_THRESHOLD, copyEntry } from '../../../sandbox/snapshot/files.ts'
import { listSnapshots, restoreSnapshot, saveSnapshot, snapshotDir, SnapshotError, type SnapshotManifest as PublicManifest } from '../../../sandbox/exports.ts'
import { FakeRealTime } from './fake-real-time.ts'

const pod = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels: { app: 'inflate' } },
  spec: { containers: [{ name: 'c', image: 'pause' }] },
})

/** A JSON round trip, as the snapshot file makes it. */
const throughJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T

describe('Store dump and load', () => {
  let t = 1_000
  const build = () => {
    const store = new Store({ crds: karpenterV1Crds, tutorialNow: () => t++ })
    store.create('pods', pod('a'))
    store.create('pods', pod('b'))
    store.delete('pods', 'default', 'b')
    store.create('nodepools.karpenter.sh', {
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodePool',
      metadata: { name: 'default' },
      spec: { template: { spec: { nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' }, requirements: [] } } },
    })
    return store
  }

  it('keeps every object as it was (uid, resourceVersion, timestamps), the CRDs served and the journal', () => {
    const saved = build()
    const loaded = Store.load(throughJson(saved.dump()), { tutorialNow: () => 99_999, crdCatalog: karpenterV1Crds })
    assert.equal(loaded.resourceVersion, saved.resourceVersion)
    assert.deepEqual(loaded.get('pods', 'default', 'a'), saved.get('pods', 'default', 'a'))
    assert.equal(loaded.find('pods', 'default', 'b'), undefined)
    assert.deepEqual(loaded.get('nodepools.karpenter.sh', undefined, 'default'), saved.get('nodepools.karpenter.sh', undefined, 'default'))
    assert.ok(loaded.hasCrd('nodeclaims.karpenter.sh'))
    assert.deepEqual(
      loaded.list('namespaces').items.map((n) => n.metadata.name),
      saved.list('namespaces').items.map((n) => n.metadata.name),
    )
    assert.deepEqual(loaded.tutorialTimes(0, 1_000), saved.tutorialTimes(0, 1_000))
    assert.equal(loaded.findByUid(saved.get('pods', 'default', 'a').metadata.uid!)?.object.metadata.name, 'a')
  })

  it('continues resourceVersions after the saved counter, serving the restored CRDs', () => {
    const saved = build()
    const rv = Number(saved.resourceVersion)
    const loaded = Store.load(throughJson(saved.dump()), { tutorialNow: () => 99_999, crdCatalog: karpenterV1Crds })
    const c = loaded.create('pods', pod('c'))
    assert.equal(Number(c.metadata.resourceVersion), rv + 1)
    const updated = loaded.mutate('nodepools.karpenter.sh', undefined, 'default', (o) => {
      o.metadata.labels = { restored: 'yes' }
    })
    assert.equal(Number(updated.metadata.resourceVersion), rv + 2)
    assert.deepEqual(loaded.tutorialTimes(rv, 10).entries, [
      [rv + 1, 99_999],
      [rv + 2, 99_999],
    ])
    // a write with the saved object's resourceVersion still passes optimistic concurrency
    const a = loaded.get('pods', 'default', 'a')
    a.metadata.labels = { app: 'inflate', touched: 'yes' }
    loaded.update('pods', a)
  })

  it('answers 410 Gone to a watch resuming before the snapshot, and watches from now on', () => {
    const loaded = Store.load(throughJson(build().dump()), { crdCatalog: karpenterV1Crds })
    const before = String(Number(loaded.resourceVersion) - 2)
    assert.throws(
      () => loaded.watch('pods', { resourceVersion: before }, () => {}),
      (e: unknown) => e instanceof ApiError && e.code === 410,
    )
    const seen: string[] = []
    const stop = loaded.watch('pods', { resourceVersion: loaded.resourceVersion }, (ev) => seen.push(`${ev.type} ${ev.object.metadata.name}`))
    loaded.create('pods', pod('d'))
    stop()
    assert.deepEqual(seen, ['ADDED d'])
  })

  it('refuses a dump whose CRDs no chart brings, or whose objects belong to a CRD it does not serve', () => {
    const dump = throughJson<StoreDump>(build().dump())
    assert.throws(() => Store.load(dump), /CRD [a-z0-9.]+ is served, but no chart of this sandbox brings its definition/)
    dump.crds = []
    assert.throws(() => Store.load(dump, { crdCatalog: karpenterV1Crds }), /nodepools\.karpenter\.sh, a resource this store does not serve/)
  })
})

describe('PodLogs dump and load', () => {
  it('keeps current and previous lines with their times; new lines follow the restored ones', () => {
    const logs = new PodLogs()
    logs.append('karpenter', 'karpenter-1', 'controller', 'one', new Date('2024-01-29T10:00:00Z'))
    logs.restart('karpenter', 'karpenter-1', 'controller')
    logs.append('karpenter', 'karpenter-1', 'controller', 'two\nthree', new Date('2024-01-29T10:00:01Z'))
    const loaded = new PodLogs()
    loaded.load(throughJson(logs.dump()))
    loaded.append('karpenter', 'karpenter-1', 'controller', 'four', new Date('2024-01-29T11:00:00Z'))
    assert.deepEqual(
      loaded.read('karpenter', 'karpenter-1', 'controller').map((e) => [e.time.toISOString(), e.line]),
      [
        ['2024-01-29T10:00:01.000Z', 'two'],
        ['2024-01-29T10:00:01.000Z', 'three'],
        ['2024-01-29T11:00:00.000Z', 'four'],
      ],
    )
    assert.deepEqual(
      loaded.read('karpenter', 'karpenter-1', 'controller', { previous: true }).map((e) => e.line),
      ['one'],
    )
  })
})

describe('Clock: hold and restore', () => {
  it('does not move T nor fire timers while held, and does not count the held time afterwards', async () => {
    const real = new FakeRealTime()
    const clock = new Clock({ scale: 20, capMs: 100, tickMs: 50, real })
    const t0 = clock.tutorialNow()
    let fired = 0
    clock.setTimeout(() => fired++, 1_000)
    const release = clock.hold()
    await real.pass(5_000)
    assert.equal(clock.tutorialNow(), t0)
    assert.equal(fired, 0)
    release()
    await real.pass(100)
    assert.equal(clock.tutorialNow(), t0 + 2_000)
    assert.equal(fired, 1)
  })

  it('sets T back to a saved instant: pending timers keep their delay, old wall stamps map to their saved T', async () => {
    const realA = new FakeRealTime(Date.parse('2024-01-29T10:00:00Z'))
    const a = new Clock({ scale: 20, capMs: 100, tickMs: 50, real: realA })
    await realA.pass(1_000)
    const stampedAt = realA.now() // an object written then
    const tAtStamp = a.tutorialNow()
    await realA.pass(1_000)
    const saved = { tutorialMs: a.tutorialNow(), history: throughJson(a.history()) }

    const realB = new FakeRealTime(Date.parse('2024-01-29T12:00:00Z')) // a fresh sandbox, later
    const b = new Clock({ scale: 20, capMs: 100, tickMs: 50, real: realB })
    await realB.pass(500)
    let firedAt = 0
    b.setTimeout(() => (firedAt = b.tutorialNow()), 4_000)
    b.restoreTutorial(saved.tutorialMs, saved.history)
    assert.equal(b.tutorialNow(), saved.tutorialMs)
    assert.equal(b.simulated(stampedAt), tAtStamp)
    assert.equal(b.simulated(realA.now() + 60_000), saved.tutorialMs) // between the save and the restore: nothing happened
    await realB.pass(1_000)
    assert.equal(firedAt, saved.tutorialMs + 4_000)
    assert.equal(b.tutorialNow(), saved.tutorialMs + 20_000)
  })

  it('whenIdle resolves once the busy work is done', async () => {
    const clock = new Clock({ scale: 20, real: new FakeRealTime() })
    let finish!: () => void
    const work = clock.busy(new Promise<void>((r) => (finish = r)))
    let idle = false
    const waiting = clock.whenIdle().then(() => (idle = true))
    await Promise.resolve()
    assert.equal(idle, false)
    finish()
    await work
    await waiting
    assert.equal(idle, true)
    clock.close()
  })
})

describe('snapshot manifest', () => {
  const manifest = (over: Partial<SnapshotManifest> = {}): SnapshotManifest => ({
    format: SNAPSHOT_FORMAT,
    createdAt: '2026-12-06T19:00:00.000Z',
    sandbox: { region: 'eu-west-2', asOf: '2024-01-29', timeScale: 20, spotSeed: 1 },
    tutorialMs: 1_706_522_400_000,
    clusters: [],
    meta: {},
    files: [],
    ...over,
  })
  const dirWith = (m: unknown) => {
    const dir = mkdtempSync(join(tmpdir(), 'snapshot-'))
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m))
    return dir
  }

  it('reads a manifest of its own format', () => {
    assert.equal(readManifest(dirWith(manifest())).sandbox.asOf, '2024-01-29')
  })

  for (const [which, format] of [
    ['an older', SNAPSHOT_FORMAT - 1],
    ['a newer', SNAPSHOT_FORMAT + 1],
  ] as const) {
    it(`refuses ${which} format, naming both`, () => {
      const dir = dirWith(manifest({ format }))
      assert.throws(
        () => readManifest(dir),
        (e: Error) => e.message === `snapshot ${dir} is format ${format}; this spotcheck reads format ${SNAPSHOT_FORMAT}`,
      )
    })
  }

  it('refuses a directory without a manifest', () => {
    assert.throws(() => readManifest(mkdtempSync(join(tmpdir(), 'snapshot-'))), /has no manifest\.json/)
  })

  it("refuses a sandbox of another region or day, naming the snapshot's and the sandbox's", () => {
    assert.throws(
      () => checkSandbox('/s', manifest(), { region: 'eu-west-2', asOf: '2026-12-06' }),
      /snapshot \/s was taken in a sandbox with asOf 2024-01-29; this sandbox has asOf 2026-12-06/,
    )
    assert.throws(() => checkSandbox('/s', manifest(), { region: 'us-east-1', asOf: '2024-01-29' }), /region eu-west-2; this sandbox has region us-east-1/)
    checkSandbox('/s', manifest(), { region: 'eu-west-2', asOf: '2024-01-29' })
  })

  it('lists snapshots with their manifests; a name is checked', async () => {
    const home = mkdtempSync(join(tmpdir(), 'spotcheck-home-'))
    mkdirSync(snapshotDir(home, 'step-3'), { recursive: true })
    writeFileSync(join(snapshotDir(home, 'step-3'), 'manifest.json'), JSON.stringify(manifest({ meta: { section: '3' } })))
    mkdirSync(snapshotDir(home, 'unfinished'), { recursive: true })
    const all = await listSnapshots(home)
    assert.deepEqual(
      all.map((s) => [s.name, s.format, s.meta.section]),
      [['step-3', SNAPSHOT_FORMAT, '3']],
    )
    assert.throws(() => snapshotDir(home, '../x'), /invalid snapshot name/)
  })
})

describe("copying the caller's files", () => {
  it('hard-links large regular files, copies small ones, keeps symlinks', async () => {
    const src = mkdtempSync(join(tmpdir(), 'work-'))
    mkdirSync(join(src, '.terraform', 'providers'), { recursive: true })
    writeFileSync(join(src, '.terraform', 'providers', 'terraform-provider-aws'), Buffer.alloc(LINK_THRESHOLD, 1), { mode: 0o755 })
    writeFileSync(join(src, 'main.tf'), 'terraform {}\n')
    symlinkSync('.terraform/providers', join(src, 'providers-link'))
    const dest = join(mkdtempSync(join(tmpdir(), 'snap-')), 'files', 'dir')
    await copyEntry(src, dest)
    const big = join('.terraform', 'providers', 'terraform-provider-aws')
    assert.equal(statSync(join(dest, big)).ino, statSync(join(src, big)).ino)
    assert.notEqual(statSync(join(dest, 'main.tf')).ino, statSync(join(src, 'main.tf')).ino)
    assert.equal(readFileSync(join(dest, 'main.tf'), 'utf8'), 'terraform {}\n')
    assert.ok(lstatSync(join(dest, 'providers-link')).isSymbolicLink())
    assert.equal(readlinkSync(join(dest, 'providers-link')), '.terraform/providers')
    // back out again, replacing what is there
    writeFileSync(join(src, 'main.tf'), 'changed\n')
    await copyEntry(dest, src)
    assert.equal(readFileSync(join(src, 'main.tf'), 'utf8'), 'terraform {}\n')
  })
})

describe('saveSnapshot and restoreSnapshot refuse clearly', () => {
  const home = mkdtempSync(join(tmpdir(), 'spotcheck-home-'))

  it('a sandbox that is not running, naming it', async () => {
    await assert.rejects(
      saveSnapshot({ sandbox: 'nowhere', home, name: 'x', meta: {} }),
      (e: Error) => e instanceof SnapshotError && /sandbox "nowhere" is not running/.test(e.message),
    )
  })

  it('a snapshot that does not exist, naming its directory', async () => {
    await assert.rejects(
      restoreSnapshot({ sandbox: 'nowhere', home, name: 'missing' }),
      (e: Error) => e instanceof SnapshotError && e.message.includes(`snapshot ${join(home, 'snapshots', 'missing')} has no manifest.json`),
    )
  })

  it('a files label the snapshot does not have, naming the snapshot, the label and what it has', async () => {
    const manifest: PublicManifest = {
      format: SNAPSHOT_FORMAT,
      createdAt: '2026-12-06T19:00:00.000Z',
      sandbox: { region: 'eu-west-2', asOf: '2024-01-29', timeScale: 20, spotSeed: 1 },
      tutorialMs: 0,
      clusters: [],
      meta: {},
      files: ['dir'],
    }
    mkdirSync(snapshotDir(home, 'labelled'), { recursive: true })
    writeFileSync(join(snapshotDir(home, 'labelled'), 'manifest.json'), JSON.stringify(manifest))
    await assert.rejects(
      restoreSnapshot({ sandbox: 'nowhere', home, name: 'labelled', files: { work: '/tmp/x' } }),
      /snapshot labelled has no files labelled "work" \(it has: dir\)/,
    )
  })
})

describe('Snapshotter: a file moto refuses leaves the sandbox as it was', () => {
  it('asks moto to check its file before it closes a cluster or moves the clock', async () => {
    const { createServer } = await import('node:http')
    const { Snapshotter } = await import('../../../sandbox/snapshot/snapshotter.ts')
    const routes: string[] = []
    const moto = createServer((req, res) => {
      routes.push(req.url ?? '')
      res.writeHead(409, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: 'aws snapshot format 2 (moto 5.2.1) cannot be loaded by format 1 (moto 5.2.1)' }))
    })
    await new Promise<void>((done) => moto.listen(0, '127.0.0.1', done))
    const clock = new Clock({ scale: 20 })
    const sandbox = { region: 'eu-west-2', asOf: '2024-01-29', timeScale: 20, spotSeed: 1 }
    const dir = mkdtempSync(join(tmpdir(), 'snapshot-'))
    const manifest: SnapshotManifest = { format: SNAPSHOT_FORMAT, createdAt: 'x', sandbox, tutorialMs: 1_706_522_400_000, clusters: [], meta: {}, files: [] }
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest))
    writeFileSync(join(dir, 'clock.json'), JSON.stringify({ wallMs: [], tutorialMs: [] }))
    let closed = 0
    const clusters = { settled: async () => {}, dump: () => [], close: async () => void closed++, restore: async () => [] }
    const port = (moto.address() as { port: number }).port
    const snapshotter = new Snapshotter({ clock, clusters, sandbox, awsEndpoint: () => `http://127.0.0.1:${port}`, log: () => {} })
    try {
      const before = clock.tutorialNow()
      await assert.rejects(snapshotter.restore({ dir }), /aws snapshot format 2 \(moto 5\.2\.1\) cannot be loaded by format 1 \(moto 5\.2\.1\)/)
      assert.deepEqual(routes, ['/_spotcheck/snapshot/check'], 'moto was asked to load, or asked nothing')
      assert.equal(closed, 0, 'the clusters were closed')
      assert.ok(Math.abs(clock.tutorialNow() - before) < 60_000, 'the clock was set back to the snapshot')
    } finally {
      clock.close()
      moto.close()
    }
  })
})
