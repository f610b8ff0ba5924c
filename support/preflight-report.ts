// The preflight's verdict as the report and the terminal show it: the drift causes (what, since,
// the section it breaks, source, the edit that answers it), the questions asked and where each
// answer came from, and the notes.

import { htmlTable } from './report.ts'
import type { DriftCause, PreflightVerdict } from './preflight.ts'

/** The name of the verdict's JSON attachment in Cucumber's messages, which `spotcheck drift` reads. */
export const PREFLIGHT_ATTACHMENT = 'preflight.json'

export function causesHtml(verdict: PreflightVerdict): string {
  const rows = verdict.causes.map((c) => [c.blocking ? 'fails' : 'listed', c.what, c.since ?? '', c.breaks, c.edit ?? '(none)', c.source])
  return htmlTable(
    `Drift of the ${verdict.edition} edition as of ${verdict.asOf} (${verdict.target}): ${verdict.causes.length} cause(s)`,
    ['', 'what', 'since', 'breaks', "current edition's edit", 'source'],
    rows.length ? rows : [['', 'none: the edition fits the platform of its day', '', '', '', '']],
  )
}

export function checksHtml(verdict: PreflightVerdict): string {
  return htmlTable(
    `What the preflight asked (${verdict.edition} as of ${verdict.asOf}, ${verdict.target})`,
    ['question', 'answer', 'answered by', ''],
    verdict.checks.map((c) => [c.question, c.answer, c.from, c.ok ? 'ok' : 'drift']),
  )
}

/** One line per cause, for a failure message. */
export function causeLines(causes: DriftCause[]): string {
  return causes
    .map(
      (c) =>
        `  - ${c.what}${c.since ? ` [since ${c.since}]` : ''} — breaks ${c.breaks}; ${c.edit ? `edit: ${c.edit}` : c.remedy ? `instead: ${c.remedy}` : 'no edit yet'}`,
    )
    .join('\n')
}

export function failureMessage(verdict: PreflightVerdict): string {
  const blocking = verdict.causes.filter((c) => c.blocking)
  return (
    `The ${verdict.edition} edition does not fit the platform of ${verdict.asOf}: ${blocking.length} drift cause(s), so nothing was created.\n${causeLines(blocking)}\n` +
    (verdict.edition === 'current' ? '' : 'The current edition answers them: run with --world-parameters \'{"edition":"current"}\' (or -p current).')
  )
}
