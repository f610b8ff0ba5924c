// The preflight as a step runs it: the edition under test judged against the platform of the
// run's day, asking the target (support/preflight-observe.ts), its verdict kept where
// `spotcheck drift` reads it and shown in the report.

import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadEdits } from '../editions/edits.ts'
import { editionUnderTest, sectionNames } from '../preflight-edition.ts'
import { observe } from '../preflight-observe.ts'
import { judgeEdition, type PreflightVerdict } from '../preflight.ts'
import { PREFLIGHT_ATTACHMENT, causesHtml, checksHtml } from '../preflight-report.ts'
import { attachHtml, attachToCucumber } from '../report.ts'
import type { SpotcheckWorld } from '../world.ts'

/** The run's edition judged against the platform of the run's day; recorded and reported, not asserted. */
export async function judgeTheRunsEdition(world: SpotcheckWorld): Promise<PreflightVerdict> {
  const run = world.run
  const target = run.session
  const edition = editionUnderTest(target.edition)
  const observed = await observe(edition, {
    target: target.name,
    rehearsal: target.rehearsal,
    env: run.env,
    aws: run.aws,
    cloud9: target.cloud9,
    progress: (l) => run.progress(l),
  })
  // Causes name the current edition's edits that answer them, whichever edition runs.
  const verdict = judgeEdition(edition, target.edition.view, { observed, edits: loadEdits('current'), target: target.name, sections: sectionNames() })
  // For `spotcheck drift`: in the run's directory, and in Cucumber's messages beside the result.
  writeFileSync(join(run.dir, PREFLIGHT_ATTACHMENT), JSON.stringify(verdict, null, 2) + '\n')
  attachToCucumber(world, JSON.stringify(verdict), { mediaType: 'application/json', fileName: PREFLIGHT_ATTACHMENT })
  await attachHtml('drift causes', causesHtml(verdict))
  await attachHtml('what the preflight asked', checksHtml(verdict))
  for (const n of verdict.notes) await world.note(`Note: ${n.what}${n.source ? ` (${n.source})` : ''}`)
  const listed = verdict.causes.filter((c) => !c.blocking)
  for (const c of listed) await world.note(`Drift, not failing: ${c.what}`)
  run.progress(
    `preflight: the ${verdict.edition} edition as of ${verdict.asOf}: ${verdict.causes.length} drift cause(s), ${verdict.causes.length - listed.length} failing${verdict.causes.length ? ` (${verdict.causes.map((c) => c.id).join(', ')})` : ''}`,
  )
  return verdict
}

/** Why nothing is created after a failed preflight, in one line. */
export function blockingSummary(verdict: Pick<PreflightVerdict, 'edition' | 'asOf' | 'causes'>): string {
  return `the ${verdict.edition} edition does not fit the platform of ${verdict.asOf} (${verdict.causes
    .filter((c) => c.blocking)
    .map((c) => c.id)
    .join(', ')})`
}
