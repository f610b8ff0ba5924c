// The tutorial's own files, copied byte for byte under fixtures/tutorial/ (SOURCES.yaml says from
// which commit, and each file's sha256). They are "the tutorial as written": the current edition's
// file edits are checked against them, and a file fetched from the tutorial's repository during a
// run is compared with its copy, so that a changed tutorial shows up as drift.

import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { projectRoot } from '../../lib/paths.ts'

export const TUTORIAL_FILES_DIR = join(projectRoot, 'fixtures', 'tutorial')
export const SOURCES_FILE = join(TUTORIAL_FILES_DIR, 'SOURCES.yaml')

export interface TutorialFile {
  /** Path of the copy, relative to fixtures/tutorial/. */
  file: string
  /** Path in the tutorial's repository, e.g. cluster/terraform/main.tf. */
  upstream: string
  sha256: string
}

export interface TutorialSources {
  repository: string
  commit: string
  date: string
  /** Base URL the tutorial's wget commands fetch from (ends with "/"). */
  raw: string
  license: string
  files: TutorialFile[]
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

export function loadTutorialSources(path = SOURCES_FILE): TutorialSources {
  const data = parseYaml(readFileSync(path, 'utf8')) as Partial<TutorialSources> | null
  const where = (field: string) => `${path}: ${field}`
  if (!data || typeof data !== 'object') throw new Error(`${path}: expected a mapping with repository, commit, raw and files`)
  for (const field of ['repository', 'commit', 'raw'] as const) {
    if (typeof data[field] !== 'string' || data[field] === '') throw new Error(`${where(field)} must be a non-empty string`)
  }
  if (!Array.isArray(data.files) || data.files.length === 0) throw new Error(`${where('files')} must list the copied files`)
  data.files.forEach((f: Partial<TutorialFile>, i) => {
    for (const field of ['file', 'upstream', 'sha256'] as const) {
      if (typeof f?.[field] !== 'string' || f[field] === '') throw new Error(`${where(`files[${i}].${field}`)} must be a non-empty string`)
    }
    if (!/^[0-9a-f]{64}$/.test(f.sha256!)) throw new Error(`${where(`files[${i}].sha256`)} must be 64 lowercase hex digits, got "${f.sha256}"`)
  })
  return data as TutorialSources
}

/** The copy of the tutorial's file at `upstream` (e.g. "cluster/terraform/main.tf"), or undefined. */
export function tutorialFileFor(upstream: string, sources = loadTutorialSources()): (TutorialFile & { path: string }) | undefined {
  const f = sources.files.find((x) => x.upstream === upstream)
  return f && { ...f, path: join(TUTORIAL_FILES_DIR, f.file) }
}

/** The text of the copy at `file` (relative to fixtures/tutorial/, e.g. "main.tf"). */
export function readTutorialFile(file: string): string {
  return readFileSync(join(TUTORIAL_FILES_DIR, file), 'utf8')
}

/** Files whose copy no longer has the recorded sha256 (empty: every copy is intact). */
export function checkTutorialCopies(sources = loadTutorialSources(), dir = TUTORIAL_FILES_DIR): { file: string; expected: string; actual: string }[] {
  const bad: { file: string; expected: string; actual: string }[] = []
  for (const f of sources.files) {
    const actual = sha256(readFileSync(join(dir, f.file)))
    if (actual !== f.sha256) bad.push({ file: f.file, expected: f.sha256, actual })
  }
  return bad
}
