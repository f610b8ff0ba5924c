// The current edition's edits as DRIFT.md shows them: each on its own, as a unified diff of the
// text it applies to (a command block of its section, or the tutorial's file), with its reason and
// the platform facts it cites, rendered for the platform of one day.

import { applyEdits, applyFileEdits, editDiff } from './editions/apply.ts'
import { sectionBlocks, type SectionBlock } from './editions/check.ts'
import type { Edit } from './editions/edits.ts'
import { platformFact } from './editions/facts.ts'
import { readTutorialFile } from './editions/tutorial-files.ts'
import type { EditView } from './drift-report.ts'
import type { PlatformTable } from '../platform/table.ts'
import type { PlatformView } from '../platform/types.ts'

export function editViews(
  edits: readonly Edit[],
  view: PlatformView,
  table: PlatformTable,
  blocks: SectionBlock[] = sectionBlocks(),
  readFile: (file: string) => string = readTutorialFile,
): EditView[] {
  return edits.map((edit) => {
    let where: string
    let diff: string
    if (edit.target.kind === 'file') {
      const published = readFile(edit.target.file)
      const applied = applyFileEdits(edit.target.file, published, [edit], view).applied[0]
      where = `the tutorial's ${edit.target.file}`
      diff = editDiff(edit.target.file, published, applied)
    } else {
      const block = blocks.find((b) => b.tags.includes(edit.section) && b.text.includes(edit.find))
      if (!block) throw new Error(`edit "${edit.id}" (${edit.at.file}:${edit.at.line}): its published text is in no command block of ${edit.section}`)
      const applied = applyEdits(block.tags, block.text, [edit], view).applied[0]
      where = `the command block at ${block.file}:${block.line}`
      diff = editDiff(`${block.file}:${block.line}`, block.text, applied)
    }
    const facts = edit.platform.map((key) => {
      const f = platformFact(key, table)
      return { key, text: f.text, source: f.source }
    })
    return { id: edit.id, section: edit.section, where, reason: edit.reason, facts, diff }
  })
}
