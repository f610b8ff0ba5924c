// "Given the tutorial has been followed up to this section."
//
// Every section builds on the ones before it: Step 4 needs the cluster of Step 2 and the NodePool
// of Step 3; Step 8 deletes the deployments of Steps 4–7. When the whole tutorial runs, the
// earlier scenarios have already passed and this step does nothing. When a reader runs one section
// (`--tags @spot-interruption`), it follows the earlier scenarios first — the same steps, run by
// the same definitions, shown in the report as a fast-forward — so the section starts where the
// tutorial would have it start. A scenario that failed earlier in this run stops the ones that
// build on it — except where the tutorial says a section is optional (`@optional`: Steps 1, 6
// and 7), whose failure stops only the rest of its own section, and the clean-up (`@always`:
// Step 8), which runs whatever failed before it, as a reader cleans up after a failed attempt.
// On the sandbox, an earlier run's section snapshot stands in for the scenarios it covers
// (support/section-snapshots.ts): restored in seconds, said in the report, and only while the
// text it was made from is unchanged; the rest are followed as above.

import assert from 'node:assert/strict'
import { DataTable } from '@cucumber/cucumber'
import * as allure from 'allure-js-commons'
import { findStep } from './step-registry.ts'
import { excludedOn, scenarioKey, theTutorialScenarios, type ScenarioRef } from './tutorial-scenarios.ts'
import { restoreBefore, saveAfterSection } from './section-snapshots-run.ts'
import type { SpotcheckWorld, ScenarioInfo } from './world.ts'

export const CHECKPOINT_STEP = 'the tutorial has been followed up to this section'
export type Verdict = { kind: 'ready' } | { kind: 'blocked'; by: string } | { kind: 'replay'; scenarios: ScenarioRef[] }

/** What the run knows of the tutorial's scenarios so far (by key). */
export interface CheckpointState {
  passed: Set<string>
  failed: Set<string>
  /** Skipped because an earlier failure blocked them: settled, never replayed. */
  blocked?: Set<string>
}

const tagsOf = (s: ScenarioRef) => s.pickle.tags.map((t) => t.name)

/**
 * Whether `earlier`, having failed, stops `later`. The tutorial's optional sections (`@optional`)
 * stop only the rest of their own section: Step 7 does not build on Step 6, nor Step 8 on either.
 * A scenario tagged `@always` (the clean-up) is stopped by nothing.
 */
export function blocks(earlier: ScenarioRef, later: ScenarioRef): boolean {
  if (tagsOf(later).includes('@always')) return false
  if (tagsOf(earlier).includes('@optional') && earlier.uri !== later.uri) return false
  return true
}

/**
 * What must happen before `current` can run: nothing, follow these earlier scenarios, or stop
 * because one of them failed in this run (see blocks()). Scenarios whose tags the target excludes
 * (Cloud9 when the target has none) are not prerequisites; nor are those already settled.
 */
export function prerequisites(all: ScenarioRef[], currentKey: string, state: CheckpointState, excluded: (tags: string[]) => boolean): Verdict {
  const index = all.findIndex((s) => s.key === currentKey)
  if (index < 0) return { kind: 'ready' } // not a tutorial scenario (a test's own feature)
  const current = all[index]
  const before = all.slice(0, index).filter((s) => !excluded(tagsOf(s)))
  const failed = before.find((s) => state.failed.has(s.key) && blocks(s, current))
  if (failed) return { kind: 'blocked', by: `${failed.feature} › ${failed.pickle.name}` }
  const missing = before.filter((s) => !state.passed.has(s.key) && !state.failed.has(s.key) && !state.blocked?.has(s.key))
  return missing.length === 0 ? { kind: 'ready' } : { kind: 'replay', scenarios: missing }
}

/** Runs an earlier scenario's steps with the step definitions, in a World of its own. */
export async function replay(scenario: ScenarioRef, template: SpotcheckWorld): Promise<'passed' | 'skipped'> {
  // Imported here: world.ts registers Cucumber's World, which only works inside a Cucumber run,
  // and the plan above (prerequisites) is tested outside one.
  const { SpotcheckWorld } = await import('./world.ts')
  const world = new SpotcheckWorld({ attach: template.attach, log: template.log, link: template.link, parameters: template.parameters })
  world.scenario = {
    uri: scenario.uri,
    name: scenario.pickle.name,
    feature: scenario.feature,
    tags: scenario.pickle.tags.map((t) => t.name),
  } satisfies ScenarioInfo
  world.logStart = world.run.karpenterLog?.length ?? 0
  let outcome: 'passed' | 'skipped' = 'passed'
  await allure.step(`Fast-forward: ${scenario.feature} › ${scenario.pickle.name}`, async () => {
    for (const step of scenario.pickle.steps) {
      if (step.text === CHECKPOINT_STEP) continue
      const match = findStep(step.text)
      if (!match) throw new Error(`${scenario.uri}: no step definition for "${step.text}"`)
      const args = [...match.args]
      if (step.argument?.docString) args.push(step.argument.docString.content)
      if (step.argument?.dataTable) args.push(new DataTable(step.argument.dataTable))
      let result: unknown
      await allure.step(step.text, async () => {
        result = await match.fn.apply(world, args)
      })
      if (result === 'skipped') {
        outcome = 'skipped'
        break
      }
    }
  })
  for (const command of world.background.values()) await command.stop()
  return outcome
}

/** Scenarios the checkpoint skipped because an earlier failure blocked them, per run. */
const blockedIn = new WeakMap<object, Set<string>>()

/**
 * The checkpoint step: brings the run to where `world`'s scenario starts. Returns 'skipped' when an
 * earlier failure blocks the scenario; otherwise follows the earlier scenarios it needs first. A
 * failure while following them first blocks what builds on it, as in a whole run.
 */
export async function followUpTo(world: SpotcheckWorld): Promise<'skipped' | undefined> {
  const run = world.run
  const all = theTutorialScenarios()
  const excluded = excludedOn(run)
  const blocked = blockedIn.get(run) ?? new Set<string>()
  blockedIn.set(run, blocked)
  const key = scenarioKey(world.scenario.uri, world.scenario.name)
  const verdict = prerequisites(all, key, { passed: run.passed, failed: run.failed, blocked }, excluded)
  if (verdict.kind === 'ready') return undefined
  if (verdict.kind === 'blocked') {
    blocked.add(key)
    await world.note(`Skipped: this builds on "${verdict.by}", which failed earlier in this run.`)
    return 'skipped'
  }
  const current = all.find((s) => s.key === key)
  assert.ok(current, `${key} is not one of the tutorial's scenarios`)
  // A section snapshot of an earlier run brings the sandbox there in seconds (section-snapshots.ts).
  const restored = await restoreBefore(world, all, current, excluded)
  const toFollow = verdict.scenarios.filter((s) => !restored.has(s.key))
  if (toFollow.length === 0) return undefined
  run.progress(`following ${toFollow.length} earlier scenario(s) first: ${toFollow.map((s) => s.pickle.name).join('; ')}`)
  for (const s of toFollow) {
    const by = all.find((f) => run.failed.has(f.key) && all.indexOf(f) < all.indexOf(s) && !excluded(tagsOf(f)) && blocks(f, s))
    if (by) {
      blocked.add(s.key)
      continue
    }
    try {
      await replay(s, world)
      run.passed.add(s.key)
      // A section followed to its end here is saved as in a whole run (section-snapshots.ts).
      await saveAfterSection(run, all, s.key, excluded)
    } catch (error) {
      run.failed.add(s.key)
      const message = `while following "${s.feature} › ${s.pickle.name}" first: ${(error as Error).message}`
      if (blocks(s, current)) throw new Error(message, { cause: error })
      // An optional section, or the clean-up that runs whatever failed: go on, and say so.
      await world.note(`Failed ${message}; this scenario does not build on it, so it goes on.`)
    }
  }
  return undefined
}
