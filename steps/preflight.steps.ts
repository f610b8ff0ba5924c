// The preflight (features/01-prerequisites.feature): before anything is created, the edition's
// versions and texts are judged against the platform of the run's day, asking the target the same
// questions on both targets (support/preflight-observe.ts). Each incompatibility is a drift cause;
// any blocking cause fails the scenario, so every later section is skipped and nothing is created.

import { Before } from '@cucumber/cucumber'
import { AssertionError } from 'node:assert'
import { Then } from '../support/step-registry.ts'
import { failureMessage } from '../support/preflight-report.ts'
import { blockingSummary, judgeTheRunsEdition } from '../support/expect/preflight.ts'
import type { SpotcheckWorld } from '../support/world.ts'

/** Set when the preflight failed in this run: the feature it ran in, and why. */
let failed: { uri: string; summary: string } | undefined

Then("the edition's versions and texts fit the platform of the run's day", async function (this: SpotcheckWorld) {
  const verdict = await judgeTheRunsEdition(this)
  if (verdict.passes) return
  failed = { uri: this.scenario.uri, summary: blockingSummary(verdict) }
  // A failed check, not a broken test: the report shows it failed.
  throw new AssertionError({ message: failureMessage(verdict) })
})

// Once the preflight has failed, no later section runs, whether or not it has a checkpoint
// (Step 2 has none: it builds on nothing but the prerequisites): nothing is created. The rest of
// the preflight's own section (tool versions, the account) creates nothing and still runs.
Before({ name: 'spotcheck: nothing is created after a failed preflight' }, async function (this: SpotcheckWorld, { pickle }) {
  if (!failed || pickle.uri === failed.uri) return
  await this.note(`Skipped: the preflight failed — ${failed.summary} — so nothing is created.`)
  return 'skipped'
})
