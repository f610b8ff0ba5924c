// Which section snapshot a run may restore, when a run saves one, and what invalidates one: on the
// tutorial's own features. The sandbox side (save, restore) is tested in
// test/integration/sandbox/snapshot.test.ts; a whole run that restores one in
// test/integration/suite/section-snapshots.test.ts.
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../../../lib/paths.ts'
import {
  completedSection,
  rewritePaths,
  sectionHash,
  sectionSnapshots,
  snapshotName,
  usableSnapshot,
  type SectionSnapshot,
} from '../../../support/section-snapshots.ts'
import { SNAPSHOT_FORMAT } from '../../../support/sandbox-target.ts'
import { Terminal } from '../../../support/shell.ts'
import { checkParameters, snapshotsEnabled } from '../../../support/target.ts'
import { tutorialScenarios, type ScenarioRef } from '../../../support/tutorial-scenarios.ts'

const all = tutorialScenarios()
/** Scratch directories the tests make, removed at the end. */
const scratch: string[] = []
const scratchDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  scratch.push(dir)
  return dir
}
after(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true })
})
const noCloud9 = (tags: string[]) => tags.includes('@cloud9')
const runs = (s: ScenarioRef) => !noCloud9(s.pickle.tags.map((t) => t.name))
const inFeature = (file: string) => all.filter((s) => s.uri.endsWith(file))
const upTo = (s: ScenarioRef) => all.slice(0, all.indexOf(s) + 1).filter(runs)
const keys = (list: ScenarioRef[]) => new Set(list.map((s) => s.key))
const facts = { edition: 'as-written', asOf: '2024-01-29', region: 'eu-west-2' }

describe('completedSection: when a run saves', () => {
  const spread = inFeature('06-spread-across-zones.feature')
  const lastOfSpread = spread.at(-1)!

  it("after the last scenario of a section, once every scenario up to it passed: the section's scenarios and all before", () => {
    const section = completedSection(all, lastOfSpread.key, keys(upTo(lastOfSpread)), noCloud9)
    assert.deepEqual(
      section?.map((s) => s.key),
      upTo(lastOfSpread).map((s) => s.key),
    )
  })

  it('not after a scenario with more of its section to come', () => {
    const cluster = inFeature('03-cluster.feature')
    assert.ok(cluster.length > 1, 'Step 2 has several scenarios')
    assert.equal(completedSection(all, cluster[0].key, keys(upTo(cluster[0])), noCloud9), undefined)
  })

  it('not when an earlier scenario did not pass in this run (a failed optional section, a blocked one)', () => {
    const passed = keys(upTo(lastOfSpread))
    passed.delete(inFeature('05-spot-workload.feature')[0].key)
    assert.equal(completedSection(all, lastOfSpread.key, passed, noCloud9), undefined)
  })

  it('never after the clean-up, which nothing builds on', () => {
    const last = all.at(-1)!
    assert.equal(completedSection(all, last.key, keys(all), noCloud9), undefined)
  })

  it('a section whose scenarios the target excludes (Cloud9) is not waited for', () => {
    const step2 = inFeature('03-cluster.feature').at(-1)!
    const section = completedSection(all, step2.key, keys(upTo(step2)), noCloud9)
    assert.ok(section)
    assert.ok(!section.some((s) => s.uri.endsWith('02-cloud9.feature')))
  })
})

describe('sectionHash: a snapshot is valid for the text it was made from', () => {
  const copy = () => {
    const root = scratchDir('spotcheck-hash-')
    for (const dir of ['features', 'fixtures/tutorial', 'fixtures/terraform/sandbox', 'fixtures/editions'])
      cpSync(join(projectRoot, dir), join(root, dir), { recursive: true })
    return root
  }
  const section = inFeature('06-spread-across-zones.feature')[0].uri

  it('is the same in another clone of the same text', () => {
    assert.equal(sectionHash(all, section, 'as-written', copy()), sectionHash(all, section, 'as-written'))
  })

  it('changes with a feature up to the section, not with one after it', () => {
    const root = copy()
    const before = sectionHash(all, section, 'as-written', root)
    writeFileSync(join(root, 'features/09-clean-up.feature'), '# later\n', { flag: 'a' })
    assert.equal(sectionHash(all, section, 'as-written', root), before)
    writeFileSync(join(root, 'features/04-nodepool.feature'), '# edited\n', { flag: 'a' })
    assert.notEqual(sectionHash(all, section, 'as-written', root), before)
  })

  it("changes with the sandbox's Terraform, and with the current edition's edits for that edition only", () => {
    const root = copy()
    const asWritten = sectionHash(all, section, 'as-written', root)
    const current = sectionHash(all, section, 'current', root)
    writeFileSync(join(root, 'fixtures/editions/current.yaml'), '# edited\n', { flag: 'a' })
    assert.equal(sectionHash(all, section, 'as-written', root), asWritten)
    assert.notEqual(sectionHash(all, section, 'current', root), current)
    writeFileSync(join(root, 'fixtures/terraform/sandbox/main.tf'), '# edited\n', { flag: 'a' })
    assert.notEqual(sectionHash(all, section, 'as-written', root), asWritten)
  })
})

describe('usableSnapshot: which snapshot a section run restores', () => {
  const step6 = inFeature('07-spot-interruption.feature')[0]
  const needed = keys(all.slice(0, all.indexOf(step6)).filter(runs))
  const lastOf = (file: string) => inFeature(file).at(-1)!
  const hashOf = (uri: string) => `hash-of-${uri}`
  const snapshot = (file: string, extra: Partial<SectionSnapshot['meta']> = {}): SectionSnapshot => {
    const last = lastOf(file)
    return {
      name: snapshotName(facts, last.uri),
      format: SNAPSHOT_FORMAT,
      tutorialMs: 1,
      meta: {
        runId: 'r1',
        runDir: '/runs/r1',
        ...facts,
        section: last.uri,
        sectionHash: hashOf(last.uri),
        covers: upTo(last).map((s) => s.key),
        savedAt: '2026-12-06T10:00:00Z',
        ...extra,
      },
    }
  }
  const options = { facts, needed, passed: new Set<string>(), hashOf }

  it('the one that brings the run furthest, then the newest', () => {
    const older = snapshot('06-spread-across-zones.feature', { savedAt: '2026-12-05T10:00:00Z', runId: 'r0' })
    const newer = snapshot('06-spread-across-zones.feature', { runId: 'r2' })
    const shorter = snapshot('04-nodepool.feature')
    assert.equal(usableSnapshot([shorter, older, newer], options).chosen?.meta.runId, 'r2')
  })

  it('never one past the scenario (Step 7 from a snapshot after Step 6 would start from the wrong place)', () => {
    const past = snapshot('07-spot-interruption.feature')
    const { chosen, refused } = usableSnapshot([past], options)
    assert.equal(chosen, undefined)
    assert.match(refused[0].why, /does not build on/)
  })

  it('never another edition, date or region', () => {
    for (const extra of [{ edition: 'current' }, { asOf: '2026-12-06' }, { region: 'us-west-2' }]) {
      const { chosen, refused } = usableSnapshot([snapshot('06-spread-across-zones.feature', extra)], options)
      assert.equal(chosen, undefined, JSON.stringify(extra))
      assert.match(refused[0].why, /the run is as-written as of 2024-01-29 in eu-west-2/)
    }
  })

  it('never one of another snapshot format (both named)', () => {
    const { chosen, refused } = usableSnapshot([{ ...snapshot('06-spread-across-zones.feature'), format: SNAPSHOT_FORMAT + 1 }], options)
    assert.equal(chosen, undefined)
    assert.equal(refused[0].why, `it is snapshot format ${SNAPSHOT_FORMAT + 1}; this spotcheck reads format ${SNAPSHOT_FORMAT}`)
  })

  it('never one whose text changed since (the hash names both)', () => {
    const stale = snapshot('06-spread-across-zones.feature', { sectionHash: 'old' })
    const { chosen, refused } = usableSnapshot([stale], options)
    assert.equal(chosen, undefined)
    assert.match(refused[0].why, /changed since it was saved \(hash old, now hash-of-features\/06-spread-across-zones.feature\)/)
  })

  it('never one that would undo what this run already followed beyond it', () => {
    const passed = keys(upTo(lastOf('05-spot-workload.feature')))
    const { chosen, refused } = usableSnapshot([snapshot('04-nodepool.feature')], { ...options, passed })
    assert.equal(chosen, undefined)
    assert.match(refused[0].why, /already followed/)
    // What it has followed is covered by a later one: that one is usable.
    assert.ok(usableSnapshot([snapshot('06-spread-across-zones.feature')], { ...options, passed }).chosen)
  })

  it("reads only section snapshots from a listing (a reader's own `snapshot save` is not one)", () => {
    const s = snapshot('04-nodepool.feature')
    const meta = { ...s.meta, covers: JSON.stringify(s.meta.covers) } as unknown as Record<string, string>
    const listed = sectionSnapshots([
      { name: 'mine', format: SNAPSHOT_FORMAT, tutorialMs: 5, createdAt: 'x', meta: {} },
      { name: s.name, format: SNAPSHOT_FORMAT, tutorialMs: 5, createdAt: 'x', meta },
    ])
    assert.deepEqual(
      listed.map((l) => [l.name, l.meta.covers.length]),
      [[s.name, s.meta.covers.length]],
    )
  })
})

describe('snapshotsEnabled', () => {
  it('on the sandbox by default; off with "snapshots": false or SPOTCHECK_SNAPSHOTS=0; never on aws', () => {
    assert.equal(snapshotsEnabled({ target: 'sandbox' }, {}), true)
    assert.equal(snapshotsEnabled({ target: 'sandbox', snapshots: false }, {}), false)
    assert.equal(snapshotsEnabled({ target: 'sandbox' }, { SPOTCHECK_SNAPSHOTS: '0' }), false)
    assert.equal(snapshotsEnabled({ target: 'aws' }, { SPOTCHECK_SNAPSHOTS: '1' }), false)
  })

  it('refuses a value it cannot read, naming it', () => {
    assert.throws(() => snapshotsEnabled({ target: 'sandbox' }, { SPOTCHECK_SNAPSHOTS: 'maybe' }), /SPOTCHECK_SNAPSHOTS is 1 or 0, got "maybe"/)
    assert.throws(() => snapshotsEnabled({ target: 'sandbox', snapshots: 'no' }, {}), /"snapshots" is true or false, got "no"/)
    // …and the run refuses them before it starts anything (checkParameters, called by startTarget).
    assert.throws(() => checkParameters({ target: 'sandbox', snapshots: 'no' } as never), /"snapshots" is true or false, got "no"/)
  })
})

describe("a run's session across a snapshot", () => {
  it("rewrites the saving run's directory to this run's, in JSON text too", () => {
    const text = JSON.stringify({ cwd: '/h/runs/a/work', env: { KUBECONFIG: '/h/runs/a/kubeconfig' } })
    assert.deepEqual(JSON.parse(rewritePaths(text, '/h/runs/a', '/h/runs/b')), { cwd: '/h/runs/b/work', env: { KUBECONFIG: '/h/runs/b/kubeconfig' } })
  })

  it("a terminal takes up another's exports, variables and directory on top of its own login environment", async () => {
    const dir = scratchDir('spotcheck-session-')
    const first = new Terminal({ cwd: dir, env: { PATH: process.env.PATH ?? '', LOGIN: 'first', GONE: 'x' } })
    await first.run(`mkdir -p sub && cd sub && export CLUSTER=spot-and-karpenter && PLAIN=value && unset GONE && alias k=kubectl`)
    const saved = first.saveSession()
    assert.deepEqual(saved.exports, { CLUSTER: 'spot-and-karpenter' }, 'only what the blocks exported')
    assert.deepEqual(saved.unset, ['GONE'])
    const second = new Terminal({ cwd: dir, env: { PATH: process.env.PATH ?? '', LOGIN: 'second', GONE: 'y' } })
    second.resumeSession(JSON.parse(JSON.stringify(saved)) as typeof saved)
    const r = await second.run('echo "$PWD $CLUSTER $PLAIN $LOGIN ${GONE:-unset}"; alias k')
    assert.equal(r.stdout.split('\n')[0], `${join(dir, 'sub')} spot-and-karpenter value second unset`)
    assert.match(r.stdout, /alias k='kubectl'/)
    await first.close()
    await second.close()
  })
})
