// What `spotcheck drift` concludes from its three runs, and how it says it: whether each run did
// what it must (the tutorial as written passes on its own day and fails at the preflight today;
// the current edition passes today), drift/drift.json for tools, and drift/DRIFT.md for a
// maintainer to paste into a pull request on the tutorial: sections × runs, the causes with their
// dates and sources, and the edits that answer them as diffs.

import type { RunMessages, SectionResult } from './drift-messages.ts'
import { escapeHtml, htmlTable } from './report.ts'
import type { DriftCause, PreflightNote } from './preflight.ts'

export interface DriftRunSpec {
  /** Directory name under drift/runs/, e.g. "as-written-2024-01-29". */
  name: string
  /** "the tutorial as written, as of 2024-01-29". */
  title: string
  edition: 'as-written' | 'current'
  asOf: string
  expect: 'pass' | 'fail-at-preflight'
}

export interface DriftRunResult {
  spec: DriftRunSpec
  target: string
  /** cucumber-js's exit code; undefined when it was killed by a signal. */
  exitCode: number | undefined
  interrupted: boolean
  durationMs: number
  messages: RunMessages
  /** The run's own directory (results, reports, output). */
  dir: string
}

export interface Expectation {
  ok: boolean
  reason: string
}

/** The three runs: the tutorial as written on its own day and today, and the current edition today. */
export function driftRuns(today: string, tutorialDate: string): DriftRunSpec[] {
  return [
    { name: `as-written-${tutorialDate}`, title: `the tutorial as written, as of ${tutorialDate}`, edition: 'as-written', asOf: tutorialDate, expect: 'pass' },
    { name: `as-written-${today}`, title: `the tutorial as written, as of ${today}`, edition: 'as-written', asOf: today, expect: 'fail-at-preflight' },
    { name: `current-${today}`, title: `the current edition, as of ${today}`, edition: 'current', asOf: today, expect: 'pass' },
  ]
}

const isFailure = (s: { status: string }) => s.status === 'failed' || s.status === 'undefined' || s.status === 'ambiguous'

/** Whether a run did what the drift expects of it, and why not. */
export function checkExpectation(run: DriftRunResult): Expectation {
  const { spec, messages } = run
  const failure = messages.firstFailure
  const failureText = failure ? `${failure.section} › ${failure.scenario}${failure.message ? `: ${failure.message.split('\n')[0]}` : ''}` : ''
  if (run.interrupted) return { ok: false, reason: 'interrupted (Ctrl-C)' }
  if (!messages.finished)
    return { ok: false, reason: `cucumber-js stopped before the end of the run (exit code ${run.exitCode ?? 'none: killed'}); see ${run.dir}/output.log` }
  if (!messages.preflight)
    return { ok: false, reason: "the preflight did not run (no verdict in the run's messages)" + (failure ? `; first failure: ${failureText}` : '') }
  const scenarios = messages.sections.flatMap((s) => s.scenarios)
  const failed = scenarios.filter(isFailure)
  if (spec.expect === 'pass') {
    if (failed.length > 0) return { ok: false, reason: `expected to pass, but ${failed.length} scenario(s) failed, first ${failureText}` }
    if (run.exitCode !== 0)
      return { ok: false, reason: `expected to pass, but cucumber-js exited with ${run.exitCode} (a hook failed? see ${run.dir}/output.log)` }
    const passed = messages.sections.filter((s) => s.status === 'passed').length
    return {
      ok: true,
      reason: `passed as expected: ${passed} section(s) passed${messages.preflight.causes.length ? `; the preflight listed ${messages.preflight.causes.map((c) => c.id).join(', ')} without failing` : ''}`,
    }
  }
  const blocking = messages.preflight.causes.filter((c) => c.blocking)
  if (failed.length === 0) return { ok: false, reason: 'expected to fail at the preflight, but nothing failed' }
  const others = failed.filter((s) => !s.preflight)
  if (others.length > 0 || !failed.some((s) => s.preflight))
    return {
      ok: false,
      reason:
        `expected to fail at the preflight only, but ${others.map((s) => `"${s.name}"`).join(', ') || 'another scenario'} failed` +
        (failed.some((s) => s.preflight) ? '' : ` (the preflight passed with ${blocking.length} failing cause(s))`),
    }
  const preflightUri = failed.find((s) => s.preflight)!.uri
  const ranAfter = messages.sections
    .filter((s) => s.uri !== preflightUri)
    .flatMap((s) => s.scenarios)
    .filter((s) => s.status === 'passed')
  if (ranAfter.length > 0) return { ok: false, reason: `the preflight failed, but later sections still ran: ${ranAfter.map((s) => `"${s.name}"`).join(', ')}` }
  return {
    ok: true,
    reason: `failed at the preflight as expected, with ${blocking.length} drift cause(s) (${blocking.map((c) => c.id).join(', ')}); later sections skipped`,
  }
}

export interface EditView {
  id: string
  section: string
  /** "main.tf", or "the command block at features/04-nodepool.feature:30". */
  where: string
  reason: string
  facts: { key: string; text: string; source: string }[]
  diff: string
}

export interface DriftRunSummary {
  name: string
  title: string
  edition: string
  asOf: string
  target: string
  expected: DriftRunSpec['expect']
  outcome: Expectation
  exitCode: number | null
  durationSeconds: number
  sections: { tag: string; name: string; status: SectionResult['status'] }[]
  firstFailure?: RunMessages['firstFailure']
  causes: DriftCause[]
  notes: PreflightNote[]
  dir: string
}

export interface Drift {
  generated: string
  today: string
  tutorialDate: string
  /** Every run did what it must. */
  ok: boolean
  runs: DriftRunSummary[]
  edits: EditView[]
}

export function driftSummary(results: DriftRunResult[], context: { generated: string; today: string; tutorialDate: string; edits: EditView[] }): Drift {
  const runs = results.map(
    (r): DriftRunSummary => ({
      name: r.spec.name,
      title: r.spec.title,
      edition: r.spec.edition,
      asOf: r.spec.asOf,
      target: r.target,
      expected: r.spec.expect,
      outcome: checkExpectation(r),
      exitCode: r.exitCode ?? null,
      durationSeconds: Math.round(r.durationMs / 1000),
      sections: r.messages.sections.map((s) => ({ tag: s.tag, name: s.name, status: s.status })),
      ...(r.messages.firstFailure ? { firstFailure: r.messages.firstFailure } : {}),
      causes: r.messages.preflight?.causes ?? [],
      notes: r.messages.preflight?.notes ?? [],
      dir: r.dir,
    }),
  )
  return { ...context, ok: runs.length > 0 && runs.every((r) => r.outcome.ok), runs }
}

const MARK: Record<string, string> = { passed: '✅ passed', failed: '❌ failed', skipped: '⏭️ skipped', 'not run': '— not run' }

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ')
}

function sectionCell(run: DriftRunSummary, tag: string): string {
  const s = run.sections.find((x) => x.tag === tag)
  if (!s) return '— not run'
  const mark = MARK[s.status] ?? s.status
  return s.status === 'failed' && run.firstFailure?.section.startsWith(tag) ? `${mark}: ${cell(run.firstFailure.scenario)}` : mark
}

/** The causes of the run that fails (the tutorial as written, today), else of any run. */
function causesOf(drift: Drift): { run?: DriftRunSummary; causes: DriftCause[] } {
  const run = drift.runs.find((r) => r.expected === 'fail-at-preflight') ?? drift.runs.find((r) => r.causes.length > 0)
  return { run, causes: run?.causes ?? [] }
}

export function driftMarkdown(drift: Drift): string {
  const out: string[] = []
  out.push('# Tutorial drift: "Run Kubernetes Clusters for Less with Amazon EC2 Spot and Karpenter"', '')
  out.push(
    `spotcheck ran the tutorial ${drift.runs.length} times on its offline sandbox, each time against the platform AWS, Karpenter and the Terraform registry offered on one day (\`fixtures/platform.yaml\`): ` +
      drift.runs.map((r) => r.title).join('; ') +
      `. Generated on ${drift.generated.slice(0, 10)} by \`npx spotcheck drift\`.`,
    '',
  )
  // Sections × runs.
  const tags: { tag: string; name: string }[] = []
  for (const r of drift.runs) for (const s of r.sections) if (!tags.some((t) => t.tag === s.tag)) tags.push({ tag: s.tag, name: s.name })
  out.push(`| Section | ${drift.runs.map((r) => cell(`${r.edition === 'current' ? 'Current edition' : 'As written'}, ${r.asOf}`)).join(' | ')} |`)
  out.push(`|---|${drift.runs.map(() => '---').join('|')}|`)
  for (const t of tags) out.push(`| ${cell(t.name)} | ${drift.runs.map((r) => sectionCell(r, t.tag)).join(' | ')} |`)
  out.push(
    `| **As expected?** | ${drift.runs.map((r) => (r.outcome.ok ? `yes: ${r.expected === 'pass' ? 'passes' : 'fails at the preflight'}` : `**no**: ${cell(r.outcome.reason)}`)).join(' | ')} |`,
    '',
  )

  const { run, causes } = causesOf(drift)
  if (run && causes.length > 0) {
    out.push(`## Why ${run.title.replace(/^the /, 'the ')} does not work`, '')
    out.push(
      'Found by the preflight before anything was created. Each row is a fact of the platform, dated, with its source, and the edit of the current edition that answers it.',
      '',
    )
    out.push('| What | Since | Breaks | Source | Fixed by |', '|---|---|---|---|---|')
    for (const c of causes) {
      out.push(
        `| ${cell(c.what)} | ${c.since ?? ''} | ${cell(c.breaks)} | ${cell(c.source)} | ${
          c.edit
            ? c.edit
                .split(', ')
                .map((id) => `[\`${id}\`](#${id})`)
                .join(', ')
            : cell(c.remedy ?? 'no edit')
        } |`,
      )
    }
    out.push('')
  }
  const notes = drift.runs.flatMap((r) => r.notes.map((n) => ({ run: r, n })))
  if (notes.length > 0) {
    out.push('Notes (not failures):', '')
    for (const { run: r, n } of notes) out.push(`- ${r.title}: ${cell(n.what)}${n.source ? ` (${cell(n.source)})` : ''}`)
    out.push('')
  }
  if (drift.edits.length > 0) {
    out.push('## The edits that make it work', '')
    out.push(`The current edition (\`fixtures/editions/current.yaml\`) applies these to the tutorial's text, rendered for ${drift.today}:`, '')
    for (const e of drift.edits) {
      out.push(`### ${e.id}`, '', `${e.section}, ${e.where}. ${e.reason}`, '')
      for (const f of e.facts) out.push(`- Platform fact \`${f.key}\`: ${f.text} (${f.source})`)
      out.push('', '```diff', e.diff.trimEnd(), '```', '')
    }
  }
  return out.join('\n')
}

/** The same as DRIFT.md, as one HTML page for the report. */
export function driftHtml(drift: Drift): string {
  const tags: { tag: string; name: string }[] = []
  for (const r of drift.runs) for (const s of r.sections) if (!tags.some((t) => t.tag === s.tag)) tags.push({ tag: s.tag, name: s.name })
  const parts: string[] = []
  parts.push(
    htmlTable(
      `Tutorial drift on ${drift.today}: each section in each run`,
      ['section', ...drift.runs.map((r) => `${r.edition === 'current' ? 'current edition' : 'as written'}, ${r.asOf}`)],
      [
        ...tags.map((t) => [t.name, ...drift.runs.map((r) => sectionCell(r, t.tag).replace(/\\\|/g, '|'))]),
        ['as expected?', ...drift.runs.map((r) => (r.outcome.ok ? 'yes' : `NO: ${r.outcome.reason}`))],
      ],
    ),
  )
  const { run, causes } = causesOf(drift)
  if (run && causes.length > 0) {
    parts.push(
      htmlTable(
        `Why ${run.title} does not work (found by the preflight, before anything was created)`,
        ['what', 'since', 'breaks', 'source', 'fixed by'],
        causes.map((c) => [c.what, c.since ?? '', c.breaks, c.source, c.edit ?? c.remedy ?? 'no edit']),
      ),
    )
  }
  for (const e of drift.edits) {
    parts.push(
      `<h3>${escapeHtml(e.id)}</h3><p>${escapeHtml(`${e.section}, ${e.where}. ${e.reason}`)}</p><ul>${e.facts.map((f) => `<li><code>${escapeHtml(f.key)}</code>: ${escapeHtml(f.text)} (${escapeHtml(f.source)})</li>`).join('')}</ul><pre>${escapeHtml(e.diff)}</pre>`,
    )
  }
  // htmlTable makes whole documents; keep the first one's head and join the bodies.
  return parts.map((p, i) => (i === 0 ? p : p.replace(/^<!doctype html><meta charset="utf-8"><style>[\s\S]*?<\/style>/, ''))).join('\n<hr>\n')
}
