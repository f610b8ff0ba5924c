// Sections in seconds: the sandbox's state after each section, saved, and restored instead of
// replaying the sections before the one a reader runs.
//
// After the last scenario of a section passes — and every tutorial scenario before it passed in
// this run, or came from a snapshot — the run saves the sandbox (`saveSnapshot`: moto's state,
// the cluster's store, the twins, the tutorial clock) together with what the run itself holds of
// the tutorial so far: its working directory (main.tf, Terraform's state, the manifests written),
// the kubeconfig, the terminal's session (exports, variables, cwd) and the ledger's entries.
//
// "The tutorial has been followed up to this section" (support/checkpoint.ts) then asks
// `usableSnapshot` for the latest snapshot that brings the run furthest without undoing anything
// the run did itself. A snapshot is valid only for the same edition, platform date and region,
// and only while the text it was made from is the same (`sectionHash`: the feature files up to
// and including its section, the tutorial's own files the sandbox serves, the sandbox's stand-in
// Terraform and, for the current edition, its edits). A changed twin is not in the hash: an
// incompatible change raises the sandbox's snapshot format (sandbox/snapshot/), and
// `--no-snapshots` (or SPOTCHECK_SNAPSHOTS=0, or the world parameter "snapshots": false)
// replays as before. On a real account nothing is ever saved or restored.

import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { basename, join, relative } from 'node:path'
import { projectRoot } from '../lib/paths.ts'
import type { ScenarioRef } from './tutorial-scenarios.ts'
import type { EntrySpec } from './ledger.ts'
import type { SavedSession } from './shell.ts'
import { listSnapshots, restoreSnapshot, saveSnapshot, SNAPSHOT_FORMAT } from './sandbox-target.ts'

/** A snapshot as `listSnapshots` lists it: its name and manifest (of any format). */
export type SnapshotListing = Awaited<ReturnType<typeof listSnapshots>>[number]

/** What the suite writes into a snapshot's free-form metadata (strings only). */
export interface SectionMeta {
  /** The run that saved it. */
  runId: string
  runDir: string
  edition: string
  asOf: string
  region: string
  /** The section's feature file (features/…), and the hash of the text up to it. */
  section: string
  sectionHash: string
  /** The tutorial scenarios the snapshot's state has followed, by key ("uri:name"). */
  covers: string[]
  savedAt: string
}

/** The part of a run a section snapshot needs: kept narrow so the policy is testable without a run. */
export interface RunFacts {
  id: string
  dir: string
  edition: string
  asOf: string
  region: string
}

/** The snapshot of a section: one per edition, date, region and section, overwritten by the next run. */
export function snapshotName(facts: Pick<RunFacts, 'edition' | 'asOf' | 'region'>, sectionUri: string): string {
  return `tutorial-${facts.edition}-${facts.asOf}-${facts.region}-${basename(sectionUri, '.feature')}`
}

/** Files whose text, besides the features, decides what a section did (see the header). */
const TEXT_INPUTS = ['fixtures/tutorial', 'fixtures/terraform/sandbox']

/**
 * The hash of the text a section's state comes from: every feature file up to and including the
 * section's, in reading order, then the tutorial's files and the sandbox's Terraform, then the
 * current edition's edits. Paths are relative, so a clone elsewhere hashes the same.
 */
export function sectionHash(all: ScenarioRef[], sectionUri: string, edition: string, root = projectRoot): string {
  const hash = createHash('sha256')
  const uris = [...new Set(all.map((s) => s.uri))]
  const upTo = uris.indexOf(sectionUri)
  if (upTo < 0) throw new Error(`${sectionUri} is not one of the tutorial's sections`)
  const files = [...uris.slice(0, upTo + 1), ...TEXT_INPUTS.flatMap((dir) => filesUnder(join(root, dir)).map((f) => relative(root, f)))]
  if (edition === 'current') files.push('fixtures/editions/current.yaml')
  for (const file of files) {
    hash.update(`${file}\0`)
    hash.update(readFileSync(join(root, file)))
    hash.update('\0')
  }
  return hash.digest('hex').slice(0, 16)
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((d) => (d.isDirectory() ? filesUnder(join(dir, d.name)) : d.isFile() ? [join(dir, d.name)] : []))
}

/**
 * The section a passed scenario completes, if it is the last of its section that runs on this
 * target and every tutorial scenario up to it has passed: the moment to save. The clean-up
 * section is never saved (nothing builds on it).
 */
export function completedSection(
  all: ScenarioRef[],
  key: string,
  passed: ReadonlySet<string>,
  excluded: (tags: string[]) => boolean,
): ScenarioRef[] | undefined {
  const index = all.findIndex((s) => s.key === key)
  if (index < 0) return undefined
  const current = all[index]
  if (current.pickle.tags.some((t) => t.name === '@always')) return undefined
  const runs = (s: ScenarioRef) => !excluded(s.pickle.tags.map((t) => t.name))
  const laterInSection = all.slice(index + 1).some((s) => s.uri === current.uri && runs(s))
  if (laterInSection) return undefined
  const upTo = all.slice(0, index + 1).filter(runs)
  if (!upTo.every((s) => passed.has(s.key))) return undefined
  return upTo
}

/** A snapshot as listed, with the suite's metadata parsed (undefined when it is not a section snapshot). */
export interface SectionSnapshot {
  name: string
  /** The sandbox's snapshot format it was written in (sandbox/snapshot/format.ts). */
  format: number
  meta: SectionMeta
  /** The sandbox's tutorial clock when it was saved. */
  tutorialMs: number
}

export function sectionSnapshots(listing: Pick<SnapshotListing, 'name' | 'format' | 'meta' | 'tutorialMs' | 'createdAt'>[]): SectionSnapshot[] {
  const out: SectionSnapshot[] = []
  for (const s of listing) {
    const m = s.meta ?? {}
    if (!m.section || !m.sectionHash || !m.covers) continue
    let covers: string[]
    try {
      covers = JSON.parse(m.covers) as string[]
    } catch {
      continue
    }
    out.push({
      name: s.name,
      format: s.format,
      tutorialMs: s.tutorialMs,
      meta: {
        runId: m.runId ?? '?',
        runDir: m.runDir ?? '',
        edition: m.edition ?? '',
        asOf: m.asOf ?? '',
        region: m.region ?? '',
        section: m.section,
        sectionHash: m.sectionHash,
        covers,
        savedAt: m.savedAt ?? s.createdAt,
      },
    })
  }
  return out
}

/** Why a snapshot cannot be used here, or undefined when it can. */
export function unusableBecause(
  snapshot: SectionSnapshot,
  o: { facts: Pick<RunFacts, 'edition' | 'asOf' | 'region'>; needed: ReadonlySet<string>; passed: ReadonlySet<string>; hashOf: (sectionUri: string) => string },
): string | undefined {
  const m = snapshot.meta
  if (snapshot.format !== SNAPSHOT_FORMAT) return `it is snapshot format ${snapshot.format}; this spotcheck reads format ${SNAPSHOT_FORMAT}`
  if (m.edition !== o.facts.edition || m.asOf !== o.facts.asOf || m.region !== o.facts.region)
    return `it is of ${m.edition} as of ${m.asOf} in ${m.region}, the run is ${o.facts.edition} as of ${o.facts.asOf} in ${o.facts.region}`
  const beyond = m.covers.find((k) => !o.needed.has(k))
  if (beyond) return `it has followed ${beyond}, which this scenario does not build on`
  const lost = [...o.passed].find((k) => o.needed.has(k) && !m.covers.includes(k))
  if (lost) return `this run has already followed ${lost}, which the snapshot has not`
  if (o.hashOf(m.section) !== m.sectionHash) return `the text up to ${m.section} changed since it was saved (hash ${m.sectionHash}, now ${o.hashOf(m.section)})`
  return undefined
}

/**
 * The snapshot to restore before `current`: of those usable, the one that covers the most
 * scenarios, the newest among equals. `needed` are the tutorial scenarios before `current` that
 * run on this target.
 */
export function usableSnapshot(
  snapshots: SectionSnapshot[],
  o: Parameters<typeof unusableBecause>[1],
): { chosen?: SectionSnapshot; refused: { name: string; why: string }[] } {
  const refused: { name: string; why: string }[] = []
  const usable: SectionSnapshot[] = []
  for (const s of snapshots) {
    const why = unusableBecause(s, o)
    if (why) refused.push({ name: s.name, why })
    else usable.push(s)
  }
  usable.sort((a, b) => b.meta.covers.length - a.meta.covers.length || b.meta.savedAt.localeCompare(a.meta.savedAt))
  return { chosen: usable[0], refused }
}

/** What a run carries beside the sandbox, in the snapshot's files (labels). */
const RUN_FILES = { work: 'work', kubeconfig: 'kubeconfig', session: 'session.json' } as const

/** The run's session beside the sandbox (paths are rewritten on restore). */
export interface RunSession {
  /** The terminal's session: exports, variables, cwd (Terminal.saveSession). */
  terminal: SavedSession
  /** The ledger's open entries but the sandbox: what the state holds that a clean-up undoes. */
  ledger: { spec: EntrySpec; by: string }[]
  /**
   * The runs whose `spotcheck:run` tag the state's resources carry: the saving run's, or the run
   * its own snapshot came from. The leak audit looks for each.
   */
  resourceRunIds: string[]
}

export async function saveSection(o: {
  sandbox: string
  home: string
  facts: RunFacts
  section: string
  hash: string
  covers: string[]
  session: RunSession
  kubeconfig: string
  workDir: string
}): Promise<string> {
  const name = snapshotName(o.facts, o.section)
  const staging = join(o.facts.dir, 'snapshot-session')
  mkdirSync(staging, { recursive: true })
  const sessionFile = join(staging, RUN_FILES.session)
  writeFileSync(sessionFile, JSON.stringify(o.session))
  const meta: Record<string, string> = {
    runId: o.facts.id,
    runDir: o.facts.dir,
    edition: o.facts.edition,
    asOf: o.facts.asOf,
    region: o.facts.region,
    section: o.section,
    sectionHash: o.hash,
    covers: JSON.stringify(o.covers),
    savedAt: new Date().toISOString(),
  }
  const files: Record<string, string> = { [RUN_FILES.work]: o.workDir, [RUN_FILES.session]: sessionFile }
  if (existsSync(o.kubeconfig)) files[RUN_FILES.kubeconfig] = o.kubeconfig
  await saveSnapshot({ sandbox: o.sandbox, home: o.home, name, meta, files })
  rmSync(staging, { recursive: true, force: true })
  return name
}

/** Restores a section snapshot into the run's sandbox and directories; returns the run's session, paths rewritten. */
export async function restoreSection(o: {
  sandbox: string
  home: string
  snapshot: SectionSnapshot
  runDir: string
  workDir: string
  kubeconfig: string
}): Promise<{ session: RunSession; clusters: { name: string; endpoint: string; previousEndpoint: string }[] }> {
  // The run's working directory becomes the snapshot's: what this run wrote there is superseded
  // (usableSnapshot never picks a snapshot that would undo a scenario this run followed).
  rmSync(o.workDir, { recursive: true, force: true })
  const staging = join(o.runDir, 'snapshot-session')
  rmSync(staging, { recursive: true, force: true })
  mkdirSync(staging, { recursive: true })
  const sessionFile = join(staging, RUN_FILES.session)
  const restored = await restoreSnapshot({
    sandbox: o.sandbox,
    home: o.home,
    name: o.snapshot.name,
    files: { [RUN_FILES.work]: o.workDir, [RUN_FILES.kubeconfig]: o.kubeconfig, [RUN_FILES.session]: sessionFile },
  })
  const from = o.snapshot.meta.runDir
  const session = JSON.parse(rewritePaths(readFileSync(sessionFile, 'utf8'), from, o.runDir)) as RunSession
  rmSync(staging, { recursive: true, force: true })
  // The kubeconfig names the API server's endpoint: a restored server on another port (the saved
  // one was taken) is written in, as update-kubeconfig would have written it.
  if (existsSync(o.kubeconfig) && statSync(o.kubeconfig).isFile()) {
    let text = readFileSync(o.kubeconfig, 'utf8')
    for (const c of restored.clusters) if (c.previousEndpoint && c.endpoint !== c.previousEndpoint) text = text.split(c.previousEndpoint).join(c.endpoint)
    writeFileSync(o.kubeconfig, rewritePaths(text, from, o.runDir))
  }
  return { session, clusters: restored.clusters }
}

/** The saving run's directory becomes this run's wherever it appears (JSON-escaped text alike). */
export function rewritePaths(text: string, from: string, to: string): string {
  if (!from || from === to) return text
  return text.split(from).join(to)
}

export { listSnapshots }
