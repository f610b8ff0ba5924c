// The edition inside a run: the World's `sh` hands each tutorial block here before it runs (the
// edition's command edits are applied, each shown in the report as a diff "as published → as run"
// with its reason and platform fact) and after it ran (the files the block fetched: drift
// against the tutorial's copy, the file edits applied to them, or on the sandbox the stand-in
// served in their place).

import * as allure from 'allure-js-commons'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Run } from '../run.ts'
import { attachText } from '../report.ts'
import { applyEdits, editDiff, unifiedDiff, type AppliedEdit } from './apply.ts'
import type { ResolvedEdition } from './edition.ts'
import { renderReplace } from './edits.ts'
import { platformFact, type PlatformFact } from './facts.ts'
import { fetchLogPath, readFetchLog, tutorialCopyPath, type FetchRecord } from './fetched.ts'
import { loadPlatformTable, type PlatformTable } from '../../platform/index.ts'
import { loadTutorialSources } from './tutorial-files.ts'

let table: PlatformTable | undefined

function facts(keys: string[]): PlatformFact[] {
  table ??= loadPlatformTable()
  return keys.map((k) => platformFact(k, table!))
}

/** Shows one applied edit: its id and reason as a step, the platform facts as parameters, the diff as an attachment. */
async function showEdit(edition: ResolvedEdition, name: string, published: string, applied: AppliedEdit, note?: string): Promise<void> {
  const { edit } = applied
  await allure.step(`${edition.edition} edition, edit "${edit.id}": ${edit.reason}`, async (ctx) => {
    await ctx.parameter('section', edit.section)
    await ctx.parameter('edits', `${name} (${edit.at.file.replace(/^.*\/fixtures\//, 'fixtures/')}:${edit.at.line})`)
    for (const [i, fact] of facts(edit.platform).entries())
      await ctx.parameter(i === 0 ? 'platform fact' : `platform fact ${i + 1}`, `${fact.key}: ${fact.text} (as of ${edition.asOf}; source: ${fact.source})`)
    if (note) await ctx.parameter('on this target', note)
    await attachText(`as published → as run: ${name}`, editDiff(name, published, applied))
  })
}

/** The block as this run's edition runs it; the applied edits are shown in the report. */
export async function editBlock(edition: ResolvedEdition | undefined, tags: readonly string[], script: string): Promise<string> {
  if (!edition || edition.edits.length === 0) return script
  const { text, applied } = applyEdits(tags, script, edition.edits, edition.view)
  for (const a of applied) await showEdit(edition, 'the command block', script, a)
  return text
}

const logOffsets = new Map<string, number>()

/** The files fetched since the last call: their records, shown in the report; drift also on stderr. */
export async function afterBlock(run: Run): Promise<FetchRecord[]> {
  const target = run.target
  if (!target) return []
  const path = fetchLogPath(run.dir)
  const { records, next } = readFetchLog(path, logOffsets.get(path) ?? 0)
  logOffsets.set(path, next)
  for (const record of records) await showFetch(run, record)
  return records
}

async function showFetch(run: Run, record: FetchRecord): Promise<void> {
  const edition = run.target!.edition
  const sources = loadTutorialSources()
  if (record.served === 'stand-in') {
    const copy = sources.files.find((f) => f.upstream === record.upstream)
    const fileEdits = copy ? edition.edits.filter((e) => e.target.kind === 'file' && e.target.file === copy.file) : []
    const env = run.target!.env
    // A rehearsal's account is a sandbox too; its stand-in takes the versions from a file spotcheck adds (target.ts).
    const rehearsal = run.target!.rehearsal
    const versions = !record.upstream.endsWith('main.tf')
      ? ''
      : rehearsal
        ? ` It takes its versions from spotcheck_rehearsal.auto.tfvars, which spotcheck adds beside it from the ${edition.edition} edition as of ${edition.asOf}.`
        : ` It takes its versions from TF_VAR_kubernetes_version=${env.TF_VAR_kubernetes_version} and TF_VAR_karpenter_chart_version=${env.TF_VAR_karpenter_chart_version}, which the target sets from the ${edition.edition} edition as of ${edition.asOf}.`
    const note = `${rehearsal ? "The rehearsal's account is an offline sandbox" : 'The sandbox has no internet'}: wget served spotcheck's stand-in ${record.standIn} in place of the tutorial's ${record.upstream}.${versions}`
    await allure.logStep(run.redactor.redact(note))
    if (copy && fileEdits.length > 0) {
      const published = readFileSync(tutorialCopyPath(copy.file), 'utf8')
      const explain = `not applied here: ${note} The diff shows the edit to the tutorial's own file (fixtures/tutorial/${copy.file}), as the aws target applies it.`
      for (const edit of fileEdits) {
        const at = published.indexOf(edit.find)
        await showEdit(edition, copy.file, published, { edit, at, replace: renderReplace(edit, edition.view) }, explain)
      }
    }
    run.target!.facts[`tutorial file ${record.upstream}`] =
      `spotcheck's stand-in ${record.standIn} (${rehearsal ? 'rehearsal: the account is an offline sandbox' : 'sandbox'})`
    return
  }
  // The tutorial's own file, from its repository.
  const name = record.copy ?? record.upstream
  if (record.matchesCopy === false) {
    run.progress(
      `warning: the tutorial's ${record.upstream} differs from spotcheck's copy fixtures/tutorial/${record.copy} (${sources.commit.slice(0, 7)}): the tutorial changed; see the report`,
    )
    const fetched = readFileSync(record.published ?? record.dest, 'utf8')
    await attachText(
      `drift: the tutorial's ${record.upstream} now differs from fixtures/tutorial/${record.copy}`,
      unifiedDiff(name, readFileSync(tutorialCopyPath(record.copy!), 'utf8'), fetched).replace(`${name} (as run)`, `${name} (as fetched today)`),
    )
  } else if (record.matchesCopy) {
    await allure.logStep(
      run.redactor.redact(
        `wget fetched the tutorial's ${record.upstream}: byte for byte fixtures/tutorial/${record.copy} (commit ${sources.commit.slice(0, 7)}, sha256 ${record.sha256?.slice(0, 12)}…)`,
      ),
    )
  }
  if (record.copy)
    run.target!.facts[`tutorial file ${record.upstream}`] = record.matchesCopy
      ? `as at ${sources.commit.slice(0, 7)}`
      : `changed since ${sources.commit.slice(0, 7)} (sha256 ${record.sha256?.slice(0, 12)}…)`
  // What spotcheck put beside the tutorial's main.tf (run tag, pins and lock, backend: support/terraform-additions.ts).
  const additions = run.env.SPOTCHECK_TERRAFORM_ADDITIONS
  if (record.upstream === 'cluster/terraform/main.tf' && additions && existsSync(additions)) {
    for (const file of readdirSync(additions).sort()) {
      const beside = join(dirname(record.dest), file)
      if (existsSync(beside)) await attachText(`added by spotcheck beside the tutorial's main.tf: ${file}`, run.redactor.redact(readFileSync(beside, 'utf8')))
    }
  }
  if (record.error) await attachText(`edition ${edition.edition}: an edit does not fit the fetched ${name}`, record.error)
  if (record.applied?.length && record.published) {
    const published = readFileSync(record.published, 'utf8')
    for (const id of record.applied) {
      const edit = edition.edits.find((e) => e.id === id)
      if (edit) await showEdit(edition, name, published, { edit, at: published.indexOf(edit.find), replace: renderReplace(edit, edition.view) })
    }
  }
}
