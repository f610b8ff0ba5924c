// The tutorial's Step 8 and what spotcheck cleans after it: Karpenter's nodes gone (against the
// tutorial's "wait 30 seconds"), what the tutorial leaves behind removed, the ledger settled.

import assert from 'node:assert/strict'
import { formatTutorialTime } from '../eventually.ts'
import { isKarpenterNode, type Node } from '../kube.ts'
import type { Entry } from '../ledger.ts'
import { field, type LogLine } from '../recorders.ts'
import { attachHtml, attachText, htmlTable, logExcerpt } from '../report.ts'
import type { Run } from '../run.ts'
import { describe as describeEntry, remains, settle, undo } from '../undo.ts'
import type { SpotcheckWorld } from '../world.ts'
import { nodes } from './cluster.ts'

/** The stack the tutorial's Step 1 deploys (02-cloud9.feature). */
export const CLOUD9_STACK = 'EKSKarpenterCloud9'

/** Karpenter's nodes among `all`, each with what is happening to it. */
export function karpenterNodesLeft(all: Node[]): string[] {
  return all
    .filter(isKarpenterNode)
    .map((n) => `${n.metadata?.name}${n.metadata?.deletionTimestamp ? ' (being deleted)' : ''}${n.spec?.unschedulable ? ' (cordoned)' : ''}`)
}

/** Karpenter's log lines about removing nodes: its disruption and termination controllers. */
export function removalLines(lines: LogLine[]): LogLine[] {
  return lines.filter((l) => ['disruption', 'termination', 'node.termination', 'nodeclaim.termination'].includes(String(field(l, 'controller'))))
}

/** What the report says of how long Karpenter's nodes took to go, against the tutorial's wait. */
export function goneNote(tookMs: number, saidMs: number, allowedMs: number): string {
  const took = `Gone after ${formatTutorialTime(tookMs)} of tutorial time`
  return tookMs <= saidMs
    ? `${took}: within the tutorial's ${formatTutorialTime(saidMs)}.`
    : `${took}: longer than the tutorial's ${formatTutorialTime(saidMs)}, within the ${formatTutorialTime(allowedMs)} Karpenter's disruption and EC2's termination may take.`
}

/**
 * Waits until no node Karpenter launched remains, allowing `allowedMs` where the tutorial says
 * `saidMs`; notes whether the tutorial's wait held. A node still there at the end fails with what
 * Karpenter's disruption and termination controllers logged since the scenario began.
 */
export async function karpenterNodesGone(world: SpotcheckWorld, allowedMs: number, saidMs: number): Promise<void> {
  const start = world.logStart
  let left: string[] = []
  try {
    const outcome = await world.within(allowedMs, "Karpenter's nodes gone", async () => {
      left = karpenterNodesLeft(await nodes(world))
      return { ok: left.length === 0, seen: left.length ? `still there: ${left.join(', ')}` : 'none left' }
    })
    await world.note(goneNote(outcome.tookMs, saidMs, allowedMs))
  } catch (error) {
    const removal = removalLines(world.run.karpenterLog?.since(start) ?? [])
    throw new Error(
      `Karpenter's nodes are still there after ${formatTutorialTime(allowedMs)} (the tutorial says ${formatTutorialTime(saidMs)}): ${left.join(', ')}.\n` +
        `Karpenter's disruption and termination lines since the deployments were deleted:\n${logExcerpt(removal.slice(-20)) || '(none: it has not started removing them)'}`,
      { cause: error },
    )
  }
}

/**
 * What the tutorial's Step 8 does not remove: what Karpenter made outside Terraform, spotcheck's
 * own watcher of the event bus, and the optional Step 1's Cloud9 stack (the tutorial never says
 * to delete it; spotcheck does, so the ledger ends empty).
 */
export function leftByTheTutorial(e: Entry): boolean {
  return e.kind === 'karpenter' || e.kind === 'event-observer' || (e.kind === 'cloudformation-stack' && e.stack === CLOUD9_STACK)
}

/** Undoes what the tutorial leaves behind, each entry checked gone; reports what there was. */
export async function removeWhatTheTutorialLeaves(run: Run): Promise<void> {
  await run.observer?.stop()
  const ctx = run.undoContext()
  const report: string[] = []
  for (const entry of run.ledger.toUndo.filter(leftByTheTutorial)) {
    const before = await remains(entry, ctx)
    report.push(`${describeEntry(entry)}:\n${before.map((r) => `  - ${r}`).join('\n') || '  (nothing left)'}`)
    await undo(entry, ctx)
    assert.deepEqual(await remains(entry, ctx), [], `${describeEntry(entry)} still has`)
    run.ledger.mark(entry.id, 'undone')
  }
  run.observer = undefined
  await attachText('what spotcheck removed after the tutorial', report.join('\n\n') || '(nothing)')
}

/** What the run's ledger still has to undo (the sandbox aside), after showing the ledger in the report. */
export async function ledgerLeftToUndo(run: Run): Promise<string[]> {
  const open = await settle(run.ledger, run.undoContext(), { except: ['sandbox'] })
  const rows = run.ledger.entries.map((e) => [e.id, e.kind, e.by, e.state])
  await attachHtml('cleanup ledger', htmlTable('what the run recorded before creating it', ['#', 'what', 'recorded by', 'state'], rows))
  return open.map((o) => `#${o.entry.id} ${o.entry.kind}: ${o.remains.join(', ')}`)
}
