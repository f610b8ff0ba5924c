// The preflight (features/01-prerequisites.feature): before anything is created, the edition's
// versions and texts are judged against the platform of the run's day, asking the target the same
// questions on both targets (support/preflight-observe.ts). Each incompatibility is a drift cause;
// any blocking cause fails the scenario, so every later section is skipped and nothing is created.

import { Before } from '@cucumber/cucumber'
import { AssertionError } from 'node:assert'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Then } from '../support/step-registry.ts'
import { loadEdits } from '../support/editions/edits.ts'
import { editionUnderTest, sectionNames } from '../support/preflight-edition.ts'
import { observe } from '../support/preflight-observe.ts'
import { judgeEdition } from '../support/preflight.ts'
import { PREFLIGHT_ATTACHMENT, causesHtml, checksHtml, failureMessage } from '../support/preflight-report.ts'
import { attachHtml, attachToCucumber } from '../support/report.ts'
import type { SpotcheckWorld } from '../support/world.ts'

/** Set when the preflight failed in this run: the feature it ran in, and why. */
let failed: { uri: string; summary: string } | undefined

Then("the edition's versions and texts fit the platform of the run's day", async function (this: SpotcheckWorld) {
  const run = this.run
  const target = run.target!
  const resolved = target.edition
  const edition = editionUnderTest(resolved)
  const observed = await observe(edition, { target: target.name, rehearsal: target.rehearsal, env: run.env, aws: run.aws, cloud9: target.cloud9, progress: (l) => run.progress(l) })
  // Causes name the current edition's edits that answer them, whichever edition runs.
  const verdict = judgeEdition(edition, resolved.view, { observed, edits: loadEdits('current'), target: target.name, sections: sectionNames() })
  // For `spotcheck drift`: in the run's directory, and in Cucumber's messages beside the result.
  writeFileSync(join(run.dir, PREFLIGHT_ATTACHMENT), JSON.stringify(verdict, null, 2) + '\n')
  attachToCucumber(this, JSON.stringify(verdict), { mediaType: 'application/json', fileName: PREFLIGHT_ATTACHMENT })
  await attachHtml('drift causes', causesHtml(verdict))
  await attachHtml('what the preflight asked', checksHtml(verdict))
  for (const n of verdict.notes) await this.note(`Note: ${n.what}${n.source ? ` (${n.source})` : ''}`)
  const listed = verdict.causes.filter((c) => !c.blocking)
  for (const c of listed) await this.note(`Drift, not failing: ${c.what}`)
  run.progress(`preflight: the ${verdict.edition} edition as of ${verdict.asOf}: ${verdict.causes.length} drift cause(s), ${verdict.causes.length - listed.length} failing${verdict.causes.length ? ` (${verdict.causes.map((c) => c.id).join(', ')})` : ''}`)
  if (!verdict.passes) {
    failed = { uri: this.scenario.uri, summary: `the ${verdict.edition} edition does not fit the platform of ${verdict.asOf} (${verdict.causes.filter((c) => c.blocking).map((c) => c.id).join(', ')})` }
    // A failed check, not a broken test: the report shows it failed.
    throw new AssertionError({ message: failureMessage(verdict) })
  }
})

// Once the preflight has failed, no later section runs, whether or not it has a checkpoint
// (Step 2 has none: it builds on nothing but the prerequisites): nothing is created. The rest of
// the preflight's own section (tool versions, the account) creates nothing and still runs.
Before({ name: 'spotcheck: nothing is created after a failed preflight' }, async function (this: SpotcheckWorld, { pickle }) {
  if (!failed || pickle.uri === failed.uri) return
  await this.note(`Skipped: the preflight failed — ${failed.summary} — so nothing is created.`)
  return 'skipped'
})
