// The interruption timeline of the scenario's run: the pure timeline (./timeline.ts) fed from the
// run's recorders, Karpenter's log, the EC2 events and the tutorial clock, and what the scenario
// followed (the experiment, the interrupted node). Apart from timeline.ts so that the pure part
// does not depend on the World.

import assert from 'node:assert/strict'
import { isTaint, taintText } from '../karpenter-api.ts'
import type { SpotcheckWorld } from '../world.ts'
import { interruptionTimeline, timelineEvidence, type TimelineEvent } from './timeline.ts'

function followedInterruption(world: SpotcheckWorld): { experimentStartedAt: number; interruptedInstance: string; interruptedNode: string } {
  const s = world.subject
  assert.ok(s.experimentStartedAt && s.interruptedInstance && s.interruptedNode, 'the interruption has not been followed in this scenario')
  const experimentStartedAt = s.experimentStartedTutorialAt ?? world.run.tutorialTime.of({ at: s.experimentStartedAt })
  assert.ok(experimentStartedAt !== undefined, "no tutorial instant for the experiment's start")
  return { experimentStartedAt, interruptedInstance: s.interruptedInstance, interruptedNode: s.interruptedNode }
}

/**
 * The interruption timeline of this scenario, in tutorial time from the experiment's start, from
 * the run's histories; `app` is the workload whose pods were evicted. Also kept on the world for the chart.
 */
export async function interruptionTimelineOf(world: SpotcheckWorld, app: string): Promise<TimelineEvent[]> {
  const run = world.run
  const clock = run.tutorialTime
  await clock.sync()
  const taint = run.karpenter.disruptionTaint
  const events = interruptionTimeline({
    ...followedInterruption(world),
    replacementNodeClaim: world.subject.replacementNodeClaim,
    replacementNode: world.subject.node,
    app,
    nodes: run.recorder.nodes,
    pods: run.recorder.pods,
    lines: run.karpenterLog?.lines ?? [],
    ec2Events: run.observer?.events ?? [],
    isDisruptionTaint: (t) => isTaint(t, taint),
    taintText: taintText(taint),
    instant: (o) => clock.of(o),
    stamped: (ms) => clock.stamped(ms),
  })
  world.timeline = events
  return events
}

/** The evidence of the scenario's interruption (timelineEvidence), from the run's histories. */
export function interruptionEvidence(world: SpotcheckWorld, app: string): string {
  const s = world.subject
  const clock = world.run.tutorialTime
  return timelineEvidence({
    interruptedNode: String(s.interruptedNode),
    replacementNodeClaim: s.replacementNodeClaim,
    replacementNode: s.node,
    app,
    nodes: world.run.recorder.nodes,
    pods: world.run.recorder.pods,
    t0: s.experimentStartedTutorialAt ?? 0,
    instant: (o) => clock.of(o),
  })
}
