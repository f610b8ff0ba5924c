// The preflight (features/01-prerequisites.feature): before anything is created, the edition's
// versions and texts are judged against the platform of the run's day, asking the target the same
// questions on both targets (support/preflight-observe.ts). Each incompatibility is a drift cause;
// any blocking cause fails the scenario, so every later section is skipped and nothing is created.

import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { step } from '../support/step-registry.ts'
import { loadEdits } from '../support/editions/edits.ts'
import { editionUnderTest, sectionNames } from '../support/preflight-edition.ts'
import { observe } from '../support/preflight-observe.ts'
import { judgeEdition } from '../support/preflight.ts'
import { PREFLIGHT_ATTACHMENT, causesHtml, checksHtml, failureMessage } from '../support/preflight-report.ts'
import { attachHtml } from '../support/report.ts'
import type { SpotcheckWorld } from '../support/world.ts'

step("the edition's versions and texts fit the platform of the run's day", async function (this: SpotcheckWorld) {
  const run = this.run
  const target = run.target!
  const resolved = target.edition
  const edition = editionUnderTest(resolved)
  const observed = await observe(edition, { target: target.name, env: run.env, aws: run.aws, cloud9: target.cloud9, progress: (l) => run.progress(l) })
  // Causes name the current edition's edits that answer them, whichever edition runs.
  const verdict = judgeEdition(edition, resolved.view, { observed, edits: loadEdits('current'), target: target.name, sections: sectionNames() })
  // For `spotcheck drift`: in the run's directory, and in Cucumber's messages beside the result.
  writeFileSync(join(run.dir, PREFLIGHT_ATTACHMENT), JSON.stringify(verdict, null, 2) + '\n')
  this.attach(JSON.stringify(verdict), { mediaType: 'application/json', fileName: PREFLIGHT_ATTACHMENT })
  await attachHtml('drift causes', causesHtml(verdict))
  await attachHtml('what the preflight asked', checksHtml(verdict))
  for (const n of verdict.notes) await this.note(`Note: ${n.what}${n.source ? ` (${n.source})` : ''}`)
  const listed = verdict.causes.filter((c) => !c.blocking)
  for (const c of listed) await this.note(`Drift, not failing: ${c.what}`)
  run.progress(`preflight: the ${verdict.edition} edition as of ${verdict.asOf}: ${verdict.causes.length} drift cause(s), ${verdict.causes.length - listed.length} failing${verdict.causes.length ? ` (${verdict.causes.map((c) => c.id).join(', ')})` : ''}`)
  if (!verdict.passes) throw new Error(failureMessage(verdict))
})
