// The run-start check of an edition's edits: every edit must still fit the tutorial — its text
// found exactly once in its section's command blocks (the features' doc strings) or in the copy of
// the file it edits (fixtures/tutorial/) — and cite a platform fact the table has. It runs before
// the target starts, so a tutorial that changed stops the run before anything is created, not
// halfway through Step 3.

import { readdirSync } from 'node:fs'
import { messageOf } from '../../lib/errors.ts'
import { join, relative } from 'node:path'
import type { PlatformTable } from '../../platform/table.ts'
import type { PlatformView } from '../../platform/types.ts'
import { parseFeature } from '../tutorial-commands.ts'
import { projectRoot } from '../../lib/paths.ts'
import { EditMismatchError, applyEdits, applyFileEdits } from './apply.ts'
import { renderReplace, type Edit } from './edits.ts'
import { PlatformFactError, platformFact } from './facts.ts'
import { TUTORIAL_FILES_DIR, loadTutorialSources, readTutorialFile, type TutorialSources } from './tutorial-files.ts'

export interface SectionBlock {
  /** Feature file, relative to the project. */
  file: string
  line: number
  /** The feature's tags and the scenario's. */
  tags: string[]
  text: string
}

/** Every doc string of the features, with the tags of its feature and scenario. */
export function sectionBlocks(dir = join(projectRoot, 'features')): SectionBlock[] {
  const out: SectionBlock[] = []
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith('.feature'))
    .sort()) {
    const path = join(dir, name)
    const doc = parseFeature(path)
    const featureTags = (doc.feature?.tags ?? []).map((t) => t.name.replace(/=.*$/, ''))
    for (const child of doc.feature?.children ?? []) {
      const scenarios = [child.scenario, ...(child.rule?.children ?? []).map((c) => c.scenario)].filter((s) => s !== undefined)
      const groups = [
        ...scenarios.map((s) => ({ tags: s.tags.map((t) => t.name), steps: s.steps })),
        ...(child.background ? [{ tags: [], steps: child.background.steps }] : []),
      ]
      for (const g of groups) {
        for (const step of g.steps) {
          if (step.docString)
            out.push({ file: relative(projectRoot, path), line: step.docString.location.line, tags: [...featureTags, ...g.tags], text: step.docString.content })
        }
      }
    }
  }
  return out
}

export class EditionCheckError extends Error {
  override name = 'EditionCheckError'
}

export interface CheckInput {
  edits: readonly Edit[]
  view: PlatformView
  table: PlatformTable
  blocks?: SectionBlock[]
  sources?: TutorialSources
  /** Reads a tutorial file's copy by its name under fixtures/tutorial/ (tests give their own). */
  readFile?: (file: string) => string
}

/** Every problem with the edits, one line each (empty: they all fit). */
export function editionProblems(input: CheckInput): string[] {
  const blocks = input.blocks ?? sectionBlocks()
  const sources = input.sources ?? loadTutorialSources()
  const readFile = input.readFile ?? readTutorialFile
  const problems: string[] = []
  const where = (e: Edit) => `edit "${e.id}" (${e.at.file}:${e.at.line}, section ${e.section})`
  for (const edit of input.edits) {
    for (const key of edit.platform) {
      try {
        platformFact(key, input.table)
      } catch (error) {
        if (!(error instanceof PlatformFactError)) throw error
        problems.push(`${where(edit)}: ${error.message}`)
      }
    }
    try {
      renderReplace(edit, input.view)
    } catch (error) {
      problems.push(messageOf(error))
    }
    const section = blocks.filter((b) => b.tags.includes(edit.section))
    if (section.length === 0) {
      problems.push(`${where(edit)}: no feature is tagged ${edit.section}`)
      continue
    }
    if (edit.target.kind === 'command') {
      const found = section.filter((b) => b.text.includes(edit.find))
      if (found.length !== 1) {
        problems.push(
          `${where(edit)}: its published text is in ${found.length === 0 ? 'none' : found.length} of the section's command blocks (${found.map((b) => `${b.file}:${b.line}`).join(', ') || section.map((b) => `${b.file}:${b.line}`).join(', ')}); it must be in exactly one${found.length === 0 ? ' — the tutorial changed, or the edit is wrong' : ''}`,
        )
      }
    } else {
      const file = edit.target.file
      const copy = sources.files.find((f) => f.file === file)
      if (!copy) {
        problems.push(
          `${where(edit)}: ${file} is not one of the tutorial's files in ${relative(projectRoot, TUTORIAL_FILES_DIR)}/SOURCES.yaml (${sources.files.map((f) => f.file).join(', ')})`,
        )
        continue
      }
      const url = sources.raw + copy.upstream
      if (!section.some((b) => b.text.includes(url)))
        problems.push(`${where(edit)}: no command block of ${edit.section} fetches ${url}, so nothing there would be edited`)
    }
  }
  // Each block and each file with all its edits at once: text found twice, or overlapping edits.
  const sections = new Set(input.edits.filter((e) => e.target.kind === 'command').map((e) => e.section))
  for (const block of blocks.filter((b) => b.tags.some((t) => sections.has(t)))) {
    try {
      applyEdits(block.tags, block.text, input.edits, input.view)
    } catch (error) {
      if (!(error instanceof EditMismatchError)) throw error
      problems.push(`${error.message} (${block.file}:${block.line})`)
    }
  }
  for (const file of new Set(input.edits.flatMap((e) => (e.target.kind === 'file' ? [e.target.file] : [])))) {
    if (!sources.files.some((f) => f.file === file)) continue
    try {
      applyFileEdits(file, readFile(file), input.edits, input.view)
    } catch (error) {
      if (!(error instanceof EditMismatchError)) throw error
      problems.push(`${error.message} (the copy fixtures/tutorial/${file})`)
    }
  }
  return [...new Set(problems)]
}

/** Throws EditionCheckError listing every problem; the run must not start. */
export function checkEdition(edition: string, input: CheckInput): void {
  const problems = editionProblems(input)
  if (problems.length > 0) {
    throw new EditionCheckError(`the ${edition} edition's edits no longer fit the tutorial; nothing was created:\n  - ${problems.join('\n  - ')}`)
  }
}
