// Applying an edition's edits to the tutorial's text: a command block of a section, or a file the
// tutorial fetched. Every `find` is the published text, matched exactly once and never overlapping
// another edit's, so each edit can be shown on its own as "as published → as run".

import { createTwoFilesPatch } from 'diff'
import type { PlatformView } from '../../platform/types.ts'
import { renderReplace, type Edit } from './edits.ts'

export interface AppliedEdit {
  edit: Edit
  /** Offset of the published text in the text the edit was applied to. */
  at: number
  /** The replacement, with the view's versions filled in. */
  replace: string
}

export interface Applied {
  text: string
  applied: AppliedEdit[]
}

/** An edit that does not fit the text it targets: the tutorial changed, or the edit is wrong. */
export class EditMismatchError extends Error {
  override name = 'EditMismatchError'
}

function occurrences(text: string, find: string): number[] {
  const at: number[] = []
  for (let i = text.indexOf(find); i >= 0; i = text.indexOf(find, i + 1)) at.push(i)
  return at
}

function where(edit: Edit): string {
  return `edit "${edit.id}" (${edit.at.file}:${edit.at.line}, section ${edit.section})`
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? ''
  return line.length > 60 ? `${line.slice(0, 57)}…` : line
}

/** Replaces each matched span, last first, after checking that no two overlap. */
function splice(text: string, matches: AppliedEdit[], what: string): Applied {
  const sorted = [...matches].sort((a, b) => a.at - b.at)
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]
    if (sorted[i].at < prev.at + prev.edit.find.length) {
      throw new EditMismatchError(`${where(sorted[i].edit)} overlaps ${where(prev.edit)} in ${what}: each edit must replace its own span of the published text`)
    }
  }
  let out = text
  for (const m of [...sorted].reverse()) out = out.slice(0, m.at) + m.replace + out.slice(m.at + m.edit.find.length)
  return { text: out, applied: sorted }
}

/**
 * The command edits of `section` (a feature tag, or a scenario's tags) applied to one of its
 * command blocks. An edit whose text is not in this block belongs to another block of the
 * section (the run-start check made sure it is in exactly one); text found twice is ambiguous.
 */
export function applyEdits(section: string | readonly string[], blockText: string, edits: readonly Edit[], view: PlatformView): Applied {
  const tags = typeof section === 'string' ? [section] : section
  const matches: AppliedEdit[] = []
  for (const edit of edits) {
    if (edit.target.kind !== 'command' || !tags.includes(edit.section)) continue
    const at = occurrences(blockText, edit.find)
    if (at.length === 0) continue
    if (at.length > 1)
      throw new EditMismatchError(
        `${where(edit)}: its published text occurs ${at.length} times in the block "${firstLine(blockText)}"; make "find" longer so it is found once`,
      )
    matches.push({ edit, at: at[0], replace: renderReplace(edit, view) })
  }
  return splice(blockText, matches, `the block "${firstLine(blockText)}"`)
}

/** The edits of one fetched file (e.g. "main.tf"); each must match exactly once, or the run stops. */
export function applyFileEdits(file: string, text: string, edits: readonly Edit[], view: PlatformView): Applied {
  const matches: AppliedEdit[] = []
  for (const edit of edits) {
    if (edit.target.kind !== 'file' || edit.target.file !== file) continue
    const at = occurrences(text, edit.find)
    if (at.length !== 1) {
      throw new EditMismatchError(
        `${where(edit)}: its published text occurs ${at.length === 0 ? 'nowhere' : `${at.length} times`} in ${file}${at.length === 0 ? ' (the tutorial changed?)' : '; make "find" longer so it is found once'}`,
      )
    }
    matches.push({ edit, at: at[0], replace: renderReplace(edit, view) })
  }
  return splice(text, matches, file)
}

/** A unified diff "as published → as run" (jsdiff), with `context` lines around each change. */
export function unifiedDiff(name: string, published: string, asRun: string, context = 3): string {
  return createTwoFilesPatch(`${name} (as published)`, `${name} (as run)`, published, asRun, undefined, undefined, { context })
}

/** One edit on its own, as a unified diff of the text it applies to. */
export function editDiff(name: string, published: string, applied: AppliedEdit): string {
  const asRun = published.slice(0, applied.at) + applied.replace + published.slice(applied.at + applied.edit.find.length)
  return unifiedDiff(name, published, asRun)
}
