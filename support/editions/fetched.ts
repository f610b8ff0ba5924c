// The files the tutorial's `wget` fetched during a run, as the wget stand-in (bin/stand-ins/wget)
// records them, one JSON line each, in <run dir>/fetched.jsonl:
//   - on the sandbox, spotcheck's stand-in was served (fixtures/terraform/sandbox/main.tf, the
//     FIS template): nothing to compare;
//   - on a real account, the tutorial's own file was fetched from its repository; the record says
//     whether it is still byte for byte the copy in fixtures/tutorial/ (else the tutorial changed:
//     drift), and which of the edition's file edits were applied to it before anything used it.
// The suite reads the log after each block (report attachments, a warning); `spotcheck drift`
// can read it after the run.

import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { messageOf } from '../../lib/errors.ts'
import { basename, dirname, join } from 'node:path'
import type { PlatformView } from '../../platform/types.ts'
import { applyFileEdits } from './apply.ts'
import type { Edit } from './edits.ts'
import type { ResolvedEdition } from './edition.ts'
import { loadTutorialSources, sha256, TUTORIAL_FILES_DIR } from './tutorial-files.ts'

export interface FetchRecord {
  url: string
  /** Path in the tutorial's repository (cluster/terraform/main.tf). */
  upstream: string
  /** The file written, absolute. */
  dest: string
  served: 'upstream' | 'stand-in'
  /** stand-in: the project file served (fixtures/terraform/sandbox/main.tf). */
  standIn?: string
  /** upstream: the copy it is compared with (main.tf, under fixtures/tutorial/), if spotcheck has one. */
  copy?: string
  sha256?: string
  expectedSha256?: string
  /** upstream: the fetched file is byte for byte the copy (false: the tutorial changed since SOURCES.yaml's commit). */
  matchesCopy?: boolean
  /** upstream: where the file as fetched (before edits) was kept. */
  published?: string
  /** Ids of the edition's file edits applied to it. */
  applied?: string[]
  /** An edit that did not fit the fetched file: the block fails with this message. */
  error?: string
  /** main.tf on a real account: spotcheck's own file written beside it so every resource carries the run's tag (or why not). */
  at: string
}

export function fetchLogPath(runDir: string): string {
  return join(runDir, 'fetched.jsonl')
}

/** The edition's file edits and view, for the wget stand-in's helper (a separate process). */
export function writeFileEditsFor(runDir: string, edition: Pick<ResolvedEdition, 'edition' | 'edits' | 'view'>): string {
  const path = join(runDir, 'file-edits.json')
  mkdirSync(runDir, { recursive: true })
  writeFileSync(path, JSON.stringify({ edition: edition.edition, view: edition.view, edits: edition.edits.filter((e) => e.target.kind === 'file') }) + '\n')
  return path
}

export function readFetchLog(path: string, from = 0): { records: FetchRecord[]; next: number } {
  if (!existsSync(path)) return { records: [], next: from }
  const text = readFileSync(path, 'utf8')
  const records = text
    .slice(from)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as FetchRecord)
  return { records, next: text.length }
}

export function appendFetchRecord(path: string, record: FetchRecord): void {
  appendFileSync(path, JSON.stringify(record) + '\n')
}

/**
 * After the real wget fetched `url` into `dest`: compare with the copy, apply the edition's file
 * edits, record. Returns the record; on an edit that does not fit, `error` is set and `dest` is
 * left as fetched.
 */
export function recordUpstreamFetch(url: string, dest: string, env: { log: string; fileEdits?: string; runId?: string }): FetchRecord {
  const sources = loadTutorialSources()
  const upstream = url.startsWith(sources.raw) ? url.slice(sources.raw.length).replace(/\?.*$/, '') : url
  const copy = sources.files.find((f) => f.upstream === upstream)
  const published = readFileSync(dest)
  const record: FetchRecord = { url, upstream, dest, served: 'upstream', sha256: sha256(published), at: new Date().toISOString() }
  if (copy) {
    record.copy = copy.file
    record.expectedSha256 = copy.sha256
    record.matchesCopy = record.sha256 === copy.sha256
  }
  const keep = join(dirname(env.log), 'fetched', `${basename(dest)}.as-published`)
  mkdirSync(dirname(keep), { recursive: true })
  writeFileSync(keep, published)
  record.published = keep
  if (copy && env.fileEdits && existsSync(env.fileEdits)) {
    const { edits, view } = JSON.parse(readFileSync(env.fileEdits, 'utf8')) as { edits: Edit[]; view: PlatformView }
    if (edits.some((e) => e.target.kind === 'file' && e.target.file === copy.file)) {
      try {
        const result = applyFileEdits(copy.file, published.toString('utf8'), edits, view)
        writeFileSync(dest, result.text)
        record.applied = result.applied.map((a) => a.edit.id)
      } catch (error) {
        record.error = messageOf(error)
      }
    }
  }
  appendFetchRecord(env.log, record)
  return record
}

/** The copy of a tutorial file, by its name under fixtures/tutorial/. */
export function tutorialCopyPath(file: string): string {
  return join(TUTORIAL_FILES_DIR, file)
}
