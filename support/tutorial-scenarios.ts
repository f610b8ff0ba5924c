// The tutorial's scenarios in reading order, as the checkpoint (support/checkpoint.ts) and the
// section snapshots (support/section-snapshots.ts) both see them: parsed from the feature files.

import { compile } from '@cucumber/gherkin'
import { IdGenerator, type Pickle } from '@cucumber/messages'
import { readdirSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { projectRoot } from '../lib/paths.ts'
import type { Run } from './run.ts'
import { parseFeature } from './tutorial-commands.ts'

export const FEATURES_DIR = join(projectRoot, 'features')

export interface ScenarioRef {
  key: string
  uri: string
  feature: string
  pickle: Pickle
}

/** The tutorial's scenarios in reading order: features by file name, scenarios as written. */
export function tutorialScenarios(dir = FEATURES_DIR): ScenarioRef[] {
  const out: ScenarioRef[] = []
  const newId = IdGenerator.incrementing()
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith('.feature'))
    .sort()) {
    const file = join(dir, name)
    const uri = relative(projectRoot, file)
    const doc = parseFeature(file)
    for (const pickle of compile(doc, uri, newId)) out.push({ key: scenarioKey(uri, pickle.name), uri, feature: doc.feature?.name ?? name, pickle })
  }
  return out
}

export function scenarioKey(uri: string, name: string): string {
  return `${relative(projectRoot, resolve(projectRoot, uri))}:${name}`
}

let scenarios: ScenarioRef[] | undefined

/** The tutorial's scenarios, parsed once per process. */
export function theTutorialScenarios(): ScenarioRef[] {
  return (scenarios ??= tutorialScenarios())
}

/** Whether a scenario with these tags runs on the run's target (Cloud9 only where it is offered). */
export function excludedOn(run: Run): (tags: string[]) => boolean {
  const offered = run.session.cloud9.offered
  return (tags) => tags.includes('@cloud9') && !offered
}
