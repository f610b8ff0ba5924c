// The run's side of section snapshots (support/section-snapshots.ts has the policy): saving after
// a section, restoring before one, and saying both in the report.

import * as allure from 'allure-js-commons'
import { join } from 'node:path'
import { messageOf } from '../lib/errors.ts'
import { attachText } from './report.ts'
import type { ScenarioRef } from './tutorial-scenarios.ts'
import type { Run } from './run.ts'
import { snapshotsEnabled } from './target.ts'
import {
  completedSection,
  listSnapshots,
  restoreSection,
  saveSection,
  sectionHash,
  sectionSnapshots,
  usableSnapshot,
  type RunFacts,
  type RunSession,
} from './section-snapshots.ts'
import type { SpotcheckWorld } from './world.ts'

type Excluded = (tags: string[]) => boolean

function sandboxOf(run: Run): { sandbox: string; home: string; region: string } | undefined {
  const ref = run.ledger.header.target
  return ref.name === 'sandbox' ? ref : undefined
}

function factsOf(run: Run, region: string): RunFacts {
  const edition = run.session.edition
  return { id: run.id, dir: run.dir, edition: edition.edition, asOf: edition.asOf, region }
}

function kubeconfigOf(run: Run): string {
  return run.env.KUBECONFIG ?? join(run.dir, 'kubeconfig')
}

/**
 * After a passed scenario: when it completes a section (completedSection), the sandbox and the
 * run's session are saved as that section's snapshot. A snapshot is a shortcut, never a result:
 * one that cannot be saved is said in the report and the run goes on.
 */
export async function saveAfterSection(run: Run, all: ScenarioRef[], key: string, excluded: Excluded): Promise<void> {
  const sandbox = sandboxOf(run)
  if (!sandbox || !snapshotsEnabled(run.params)) return
  const upTo = completedSection(all, key, run.passed, excluded)
  if (!upTo) return
  const section = upTo.at(-1)!.uri
  const started = Date.now()
  try {
    const terminal = run.shell.saveSession()
    // The Terraform state's resources carry this run id (the stand-in main.tf tags them with
    // var.run_id): a run that takes them over keeps it, so its `terraform plan` stays clean.
    const terraformRunId = run.shell.variable('TF_VAR_run_id')
    if (terraformRunId) terminal.exports.TF_VAR_run_id = terraformRunId
    const session: RunSession = {
      terminal,
      ledger: run.ledger.entries
        .filter((e) => e.state === 'open' && e.kind !== 'sandbox')
        .map(({ id: _id, recordedAt: _at, by, state: _state, ...spec }) => ({ spec, by })),
      resourceRunIds: [...run.resourceRunIds],
    }
    const name = await saveSection({
      ...sandbox,
      facts: factsOf(run, sandbox.region),
      section,
      hash: sectionHash(all, section, run.session.edition.edition),
      covers: upTo.map((s) => s.key),
      session,
      kubeconfig: kubeconfigOf(run),
      workDir: run.workDir,
    })
    const text = `The sandbox after "${upTo.at(-1)!.feature}" is saved as snapshot ${name} (${((Date.now() - started) / 1000).toFixed(1)} s): a later run of a section after it starts from here (--no-snapshots replays instead).`
    run.progress(text)
    await allure.logStep(run.redactor.redact(text))
  } catch (error) {
    const text = `The sandbox after ${section} could not be saved as a snapshot: ${messageOf(error)}. Runs of later sections replay it instead.`
    run.progress(text)
    await allure.logStep(run.redactor.redact(text))
  }
}

/**
 * Before `current`, instead of following `missing` again: restores the usable section snapshot
 * that covers the most of them. Returns the keys it covers (now passed in this run), or an empty
 * set when no snapshot is usable — then the caller replays as before.
 */
export async function restoreBefore(world: SpotcheckWorld, all: ScenarioRef[], current: ScenarioRef, excluded: Excluded): Promise<Set<string>> {
  const run = world.run
  const sandbox = sandboxOf(run)
  if (!sandbox || !snapshotsEnabled(run.params)) return new Set()
  const needed = new Set(
    all
      .slice(0, all.indexOf(current))
      .filter((s) => !excluded(s.pickle.tags.map((t) => t.name)))
      .map((s) => s.key),
  )
  const edition = run.session.edition.edition
  const hashes = new Map<string, string>()
  const hashOf = (uri: string) => {
    if (!hashes.has(uri)) hashes.set(uri, sectionHash(all, uri, edition))
    return hashes.get(uri)!
  }
  const facts = factsOf(run, sandbox.region)
  const { chosen, refused } = usableSnapshot(sectionSnapshots(await listSnapshots(sandbox.home)), { facts, needed, passed: run.passed, hashOf })
  // Every snapshot passed over, and why, in the report: a stale one is as telling as a used one.
  for (const r of refused) await world.note(`Section snapshot not used: ${r.name}: ${r.why}.`)
  if (!chosen) return new Set()
  const started = Date.now()
  run.disconnect()
  const restored = await restoreSection({ ...sandbox, snapshot: chosen, runDir: run.dir, workDir: run.workDir, kubeconfig: kubeconfigOf(run) })
  run.forgetTutorialTime()
  run.shell.resumeSession(restored.session.terminal)
  for (const entry of restored.session.ledger) run.ledger.record(entry.spec, `${entry.by} (run ${chosen.meta.runId}, restored from snapshot ${chosen.name})`)
  for (const id of restored.session.resourceRunIds) run.resourceRunIds.add(id)
  for (const k of chosen.meta.covers) run.passed.add(k)
  run.connectWhenPossible()
  // Karpenter's log as the run follows it holds the restored lines first, then the restarted
  // Karpenter's; the scenario's are those logged from the restored instant on.
  world.startLogAt(chosen.tutorialMs)
  const covered = all.filter((s) => chosen.meta.covers.includes(s.key))
  const text =
    `Restored snapshot ${chosen.name} instead of following ${covered.length} earlier scenario(s) ` +
    `(${((Date.now() - started) / 1000).toFixed(1)} s): saved by run ${chosen.meta.runId} at ${chosen.meta.savedAt} after ${chosen.meta.section}, ` +
    `text hash ${chosen.meta.sectionHash}. --no-snapshots replays them instead.`
  run.progress(text)
  await allure.step(run.redactor.redact(text), async () => {
    await attachText('scenarios the snapshot covers', covered.map((s) => `${s.feature} › ${s.pickle.name}`).join('\n'))
  })
  return new Set(chosen.meta.covers)
}
