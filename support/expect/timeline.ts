// The interruption timeline of Step 6, built from what the run recorded and asserted as the
// tutorial tells it: EC2 warns, EventBridge queues the warning, Karpenter cordons (taints) the
// node, drains it, launches a replacement, the replacement turns Ready and the evicted pods run
// on it — all before the 2-minute notice ends — and the instance is terminated once drained.
//
// Pure at its core: the histories (support/recorders.ts, support/event-observer.ts) and a resolver
// of tutorial instants (support/tutorial-time.ts) go in, the events and their check come out, so a
// unit test can feed it any history. `interruptionTimelineOf` and `interruptionEvidence`, at the
// end, gather those from the run for the step.

import { AssertionError } from 'node:assert/strict'
import type { Ec2Event } from '../event-observer.ts'
import type { Node, Pod } from '../kube.ts'
import type { Observed } from '../tutorial-time.ts'
import { field, type LogLine, type Sighting } from '../recorders.ts'
import { checkOrder, type Bound, type Instant } from './order.ts'

export type Lane = 'EC2 / FIS' | 'EventBridge / SQS' | 'Karpenter' | 'node' | 'pods'

export interface TimelineEvent {
  key: string
  label: string
  lane: Lane
  /** Tutorial ms since t0 (the experiment's start); undefined = not seen. */
  atMs?: number
  /** The instant is known to this many ms (EventBridge's whole-second `time`): it lies in [atMs, atMs + resolutionMs). */
  resolutionMs?: number
  /** The evicted pods' event only: whether they run again on the replacement (then after it turned Ready). */
  onReplacement?: boolean
}

/** EC2 reclaims a Spot instance two minutes after its interruption warning. */
export const SPOT_NOTICE_MS = 120_000

/** What the timeline is built from: the run's histories, and how to read their tutorial instants. */
export interface InterruptionHistory {
  /** The experiment's start in tutorial time (epoch ms): the timeline's t0. */
  experimentStartedAt: number
  interruptedInstance: string
  interruptedNode: string
  /** The replacement's NodeClaim (its "created nodeclaim" line), and its node once known. */
  replacementNodeClaim?: string
  replacementNode?: string
  /** The `app` label of the workload whose pods are evicted ("stateless"). */
  app: string
  nodes: ReadonlyMap<string, readonly Sighting<Node>[]>
  pods: ReadonlyMap<string, readonly Sighting<Pod>[]>
  lines: readonly LogLine[]
  ec2Events: readonly Ec2Event[]
  /** Karpenter's disruption taint, and its text for the label. */
  isDisruptionTaint: (t: { key?: string; value?: string; effect?: string }) => boolean
  taintText: string
  /** The tutorial instant (epoch ms) of an observation (support/tutorial-time.ts `of`). */
  instant: (o: Observed) => number | undefined
  /** The tutorial instant of a time the target stamped (log line, event); default: itself (support/tutorial-time.ts `stamped`). */
  stamped?: (ms: number) => number
}

const STATE_CHANGE = 'EC2 Instance State-change Notification'
const WARNING = 'EC2 Spot Instance Interruption Warning'
const EVENT_SECOND = 1_000

const ready = (n: Node) => (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
const running = (p: Pod) => p.status?.phase === 'Running' && (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
const minOf = (xs: (number | undefined)[]) => {
  const v = xs.filter((x): x is number => x !== undefined)
  return v.length ? Math.min(...v) : undefined
}

/** The interruption timeline's events, in the tutorial's order; tutorial ms since the experiment's start. */
export function interruptionTimeline(h: InterruptionHistory): TimelineEvent[] {
  const t0 = h.experimentStartedAt
  const ofSighting = (s: Sighting<unknown> | undefined) => (s ? h.instant({ at: s.at, rv: s.rv }) : undefined)
  const stamped = h.stamped ?? ((ms: number) => ms)
  const ofLine = (l: LogLine | undefined) => (l ? (l.tutorialAt !== undefined ? stamped(l.tutorialAt) : h.instant({ at: l.receivedAt })) : undefined)
  const ofEvent = (e: Ec2Event | undefined) => (e ? stamped(e.time) : undefined)
  // An event's whole second, in tutorial time (20 s on a sandbox whose events are stamped by the wall clock).
  const second = stamped(EVENT_SECOND) - stamped(0)

  const warning = h.ec2Events.find((e) => e.detailType === WARNING && e.instanceId === h.interruptedInstance)
  const message = h.lines.find((l) => field(l, 'message') === 'initiating delete from interruption message' && field(l, 'node') === h.interruptedNode)
  const nodeHistory = h.nodes.get(h.interruptedNode) ?? []
  const tainted = nodeHistory.find((s) => (s.object.spec?.taints ?? []).some((t) => h.isDisruptionTaint(t)))
  const taintedAt = ofSighting(tainted)

  // The workload's pods on the interrupted node, evicted after the experiment started: each
  // one's eviction (deletionTimestamp set, or gone) and its removal (gone).
  let evicted = 0
  const evictions: (number | undefined)[] = []
  const removals: (number | undefined)[] = []
  for (const history of h.pods.values()) {
    if (history[0]?.object.metadata?.labels?.app !== h.app) continue
    if (!history.some((s) => s.object.spec?.nodeName === h.interruptedNode)) continue
    const evictedSeen = history.find(
      (s) => s.object.spec?.nodeName === h.interruptedNode && (s.type === 'DELETED' || Boolean(s.object.metadata?.deletionTimestamp)),
    )
    const at = ofSighting(evictedSeen)
    if (at === undefined || at < t0) continue
    evicted++
    evictions.push(at)
    removals.push(ofSighting(history.find((s) => s.type === 'DELETED')) ?? at)
  }
  const evictedAt = minOf(evictions)
  const drainedAt = removals.length ? Math.max(...removals.filter((x): x is number => x !== undefined)) : undefined

  const launched = h.lines.find(
    (l) =>
      field(l, 'message') === 'launched nodeclaim' &&
      (h.replacementNodeClaim ? field(l, 'nodeclaim') === h.replacementNodeClaim : l.index > (message?.index ?? Infinity)),
  )
  const replacementClaim = h.replacementNodeClaim ?? (launched ? String(field(launched, 'nodeclaim')) : undefined)
  const replacementName =
    h.replacementNode ??
    [...h.nodes.entries()].find(([, hist]) =>
      hist.some(
        (s) =>
          s.object.metadata?.labels?.['karpenter.sh/nodeclaim'] === replacementClaim ||
          (s.object.metadata?.ownerReferences ?? []).some((o) => o.kind === 'NodeClaim' && o.name === replacementClaim),
      ),
    )?.[0]
  const readyAt = ofSighting((replacementName ? h.nodes.get(replacementName) : undefined)?.find((s) => ready(s.object)))

  // The evicted pods back: the pods the ReplicaSet created in their place (after the first
  // eviction), as many as were evicted (at least one), Running — at the instant the last of them
  // was, and on which nodes. They need not run on the replacement: once the interrupted node is
  // deleted its zone is no longer a domain of the topology spread (kube-scheduler counts the
  // domains of existing nodes that match the pod's node selector), so the scheduler places them
  // on the surviving nodes if they fit, usually before the replacement is Ready — as the sandbox
  // does (its kube-scheduler twin) and AWS would.
  let podsRunningAt: number | undefined
  let runningOn: string[] = []
  if (evictedAt !== undefined) {
    const back: { at: number; node: string }[] = []
    for (const history of h.pods.values()) {
      if (history[0]?.object.metadata?.labels?.app !== h.app) continue
      const created = ofSighting(history[0])
      if (created === undefined || created < evictedAt) continue
      const runs = history.find((s) => s.type !== 'DELETED' && s.object.spec?.nodeName && running(s.object))
      const at = ofSighting(runs)
      if (at !== undefined) back.push({ at, node: runs!.object.spec!.nodeName! })
    }
    back.sort((a, b) => a.at - b.at)
    const wanted = back.slice(0, Math.max(1, evicted))
    if (back.length >= Math.max(1, evicted)) {
      podsRunningAt = wanted.at(-1)!.at
      runningOn = [...new Set(wanted.map((x) => x.node))].sort()
    }
  }
  const onReplacement = runningOn.length > 0 && runningOn.every((n) => n === replacementName)
  const where =
    runningOn.length === 0
      ? ''
      : onReplacement
        ? ' on the replacement'
        : ` on ${runningOn.join(', ')}${runningOn.includes(replacementName ?? '') ? '' : ' (not the replacement)'}`

  const reclaims = h.ec2Events.filter(
    (e) => e.instanceId === h.interruptedInstance && e.detailType === STATE_CHANGE && ['shutting-down', 'terminated'].includes(String(e.detail.state)),
  )
  const terminatedAt = minOf(reclaims.map(ofEvent))

  const rel = (at: number | undefined) => (at === undefined || Number.isNaN(at) ? undefined : at - t0)
  return [
    { key: 'experiment', label: 'FIS experiment started', lane: 'EC2 / FIS', atMs: 0 },
    { key: 'warning', label: 'Spot interruption warning on the event bus', lane: 'EventBridge / SQS', atMs: rel(ofEvent(warning)), resolutionMs: second },
    { key: 'message', label: 'Karpenter: initiating delete from interruption message', lane: 'Karpenter', atMs: rel(ofLine(message)) },
    { key: 'taint', label: `interrupted node tainted ${h.taintText}`, lane: 'node', atMs: rel(taintedAt) },
    { key: 'eviction', label: `${h.app} pods evicted from the interrupted node`, lane: 'pods', atMs: rel(evictedAt) },
    { key: 'launched', label: 'Karpenter: replacement NodeClaim launched', lane: 'Karpenter', atMs: rel(ofLine(launched)) },
    { key: 'drained', label: 'interrupted node drained (the last evicted pod gone)', lane: 'pods', atMs: rel(drainedAt) },
    { key: 'ready', label: 'replacement node Ready', lane: 'node', atMs: rel(readyAt) },
    { key: 'running', label: `evicted pods Running again${where}`, lane: 'pods', atMs: rel(podsRunningAt), onReplacement },
    { key: 'terminated', label: 'instance terminated (Karpenter, once drained)', lane: 'EC2 / FIS', atMs: rel(terminatedAt), resolutionMs: second },
    {
      key: 'notice-ends',
      label: 'the 2-minute notice ends: EC2 would reclaim it',
      lane: 'EC2 / FIS',
      atMs: warning ? rel(ofEvent(warning)! + SPOT_NOTICE_MS) : undefined,
      resolutionMs: second,
    },
  ]
}

/**
 * The order the tutorial claims: "Karpenter cordons the node, drains it, deletes it and launches a
 * replacement at once, so the pods are running again before EC2 reclaims the instance"
 * (features/07-spot-interruption.feature). The replacement is Ready before the notice ends; the
 * evicted pods run again before it ends too — after the replacement turned Ready when they run on
 * it (ON_REPLACEMENT_ORDER), but the scheduler may place them on the surviving nodes first (above). The replacement NodeClaim is launched after the first
 * eviction: drain starts as the node is tainted (kubernetes-sigs/karpenter v0.32.1,
 * pkg/controllers/node/termination/controller.go: taint, then terminator.Drain), while launching
 * waits a provisioning batch and a CreateFleet call (below). The instance is terminated only once
 * the node is drained (same controller: the cloud provider's Delete after the drain completes).
 */
export const INTERRUPTION_ORDER: readonly (readonly [string, string])[] = [
  ['experiment', 'warning'],
  ['warning', 'message'],
  ['message', 'taint'],
  ['taint', 'eviction'],
  ['eviction', 'launched'],
  ['launched', 'ready'],
  ['ready', 'notice-ends'],
  ['eviction', 'running'],
  ['running', 'notice-ends'],
  ['eviction', 'drained'],
  ['drained', 'terminated'],
]

const s = (n: number) => n * 1000

/**
 * Durations in tutorial time, each bounded by what the tutorial states or Karpenter's source
 * implies (the facts and timings: docs/karpenter-lines.md). Sources, at the tutorial's versions:
 * kubernetes-sigs/karpenter v0.32.1 (core) and aws/karpenter-provider-aws v0.32.1 (aws).
 */
export const INTERRUPTION_BOUNDS: readonly Bound[] = [
  // FIS sends the warning as the experiment's action starts: "the action sends a Spot Instance
  // interruption notice to target Spot Instances two minutes before interrupting them" with
  // durationBeforeInterruption PT2M (AWS FIS user guide, "aws:ec2:send-spot-instance-interruptions").
  // t0 is the experiment's startTime as FIS reports it; the feature allows 1 minute.
  { from: 'experiment', to: 'warning', maxMs: s(60), why: 'FIS sends the warning as the experiment starts (the feature allows 1 minute)' },
  // aws pkg/providers/sqs/sqs.go: ReceiveMessage with WaitTimeSeconds 20 (a long poll returns as a
  // message arrives); pkg/controllers/interruption/controller.go handles a batch at once.
  { from: 'warning', to: 'message', maxMs: s(25), why: 'Karpenter long-polls its interruption queue 20 s at a time and handles a message as it arrives' },
  // core pkg/controllers/node/termination/controller.go: the NodeClaim deleted by the interruption
  // controller is finalized (taint, drain) on its next reconcile; observed 28 ms – 1.4 s on AWS.
  { from: 'message', to: 'taint', maxMs: s(10), why: "Karpenter's termination controller taints the node on its next reconcile" },
  { from: 'taint', to: 'eviction', maxMs: s(10), why: 'the drain starts as soon as the node is tainted' },
  // core pkg/controllers/provisioning/batcher.go: a batch closes after 1 s idle, 10 s at most;
  // provisioner.go schedules the deleting node's pods; CreateFleet took 2.4–4.2 s on AWS.
  { from: 'eviction', to: 'launched', maxMs: s(30), why: 'one provisioning batch (≤ 10 s) and a CreateFleet call' },
  // EC2 boot + kubelet registration 24.6–26.5 s and initialization 10.8–13 s observed on AWS; the
  // sandbox's machines boot in 25 s + 11 s (sandbox/cluster/machines.ts DEFAULT_BOOT).
  { from: 'launched', to: 'ready', minMs: s(20), maxMs: s(90), why: 'an instance boots, registers and turns Ready in ~36–40 s' },
  // The tutorial: "the pods are running again before EC2 reclaims the instance".
  { from: 'warning', to: 'running', maxMs: SPOT_NOTICE_MS, why: 'the pods run again within the 2-minute notice' },
  // EC2 reclaims the instance at the end of the notice if Karpenter has not terminated it before.
  { from: 'warning', to: 'terminated', maxMs: SPOT_NOTICE_MS + s(10), why: 'EC2 reclaims the instance when the notice ends, if Karpenter has not' },
]

/** When the evicted pods run again on the replacement: after it turned Ready, and soon after. */
export const ON_REPLACEMENT_ORDER: readonly (readonly [string, string])[] = [['ready', 'running']]
export const ON_REPLACEMENT_BOUNDS: readonly Bound[] = [
  { from: 'ready', to: 'running', maxMs: s(30), why: 'the pause-image pods start seconds after their node is Ready' },
]

/** Every problem of the timeline: events not seen, pairs out of order, durations out of bounds. */
export function timelineProblems(events: readonly TimelineEvent[], order = INTERRUPTION_ORDER, bounds = INTERRUPTION_BOUNDS): string[] {
  const problems = events.filter((e) => e.atMs === undefined).map((e) => `not seen: ${e.label}`)
  const instants = new Map<string, Instant>(events.map((e) => [e.key, { label: e.label, atMs: e.atMs, resolutionMs: e.resolutionMs }]))
  const onReplacement = events.find((e) => e.key === 'running')?.onReplacement === true
  return [
    ...problems,
    ...checkOrder(instants, onReplacement ? [...order, ...ON_REPLACEMENT_ORDER] : order, onReplacement ? [...bounds, ...ON_REPLACEMENT_BOUNDS] : bounds),
  ]
}

/** Fails, naming every problem, unless the timeline shows every event in the tutorial's order and within bounds. */
export function assertTimeline(events: readonly TimelineEvent[], order = INTERRUPTION_ORDER, bounds = INTERRUPTION_BOUNDS): void {
  const problems = timelineProblems(events, order, bounds)
  if (problems.length > 0) throw new AssertionError({ message: `the interruption timeline does not tell the tutorial's story:\n- ${problems.join('\n- ')}` })
}

/** The timeline as table rows: event, lane, tutorial time since the experiment started. */
export function timelineRows(events: readonly TimelineEvent[]): string[][] {
  return events.map((e) => [e.label, e.lane, e.atMs === undefined ? 'not seen' : `+${(e.atMs / 1000).toFixed(1)} s${e.resolutionMs ? ` (whole seconds)` : ''}`])
}

/** What the failure evidence shows: the interrupted and replacement nodes, and the workload's pods that were on them. */
export interface EvidenceInput {
  interruptedNode: string
  replacementNodeClaim?: string
  replacementNode?: string
  app: string
  nodes: ReadonlyMap<string, readonly Sighting<Node>[]>
  pods: ReadonlyMap<string, readonly Sighting<Pod>[]>
  /** The timeline's t0 (tutorial epoch ms). */
  t0: number
  instant: (o: Observed) => number | undefined
}

/** On a failure: the pods and nodes the timeline reads, each sighting with its tutorial instant since t0. */
export function timelineEvidence(e: EvidenceInput): string {
  const when = (x: Observed) => {
    const t = e.instant(x)
    return t === undefined ? 'no tutorial instant' : `+${((t - e.t0) / 1000).toFixed(1)} s`
  }
  const out = [`interrupted node ${e.interruptedNode}, replacement NodeClaim ${e.replacementNodeClaim ?? '?'}, replacement node ${e.replacementNode ?? '?'}`]
  const watched = [e.interruptedNode, e.replacementNode].filter((n): n is string => Boolean(n))
  for (const name of watched) {
    out.push(`node ${name}:`)
    for (const x of e.nodes.get(name) ?? [])
      out.push(
        `  ${when(x)} ${x.type} rv ${x.rv} ${ready(x.object) ? 'Ready' : 'NotReady'} taints ${(x.object.spec?.taints ?? []).map((t) => t.key).join(',') || '-'}`,
      )
  }
  for (const [key, history] of e.pods) {
    if (history[0]?.object.metadata?.labels?.app !== e.app) continue
    if (!history.some((x) => watched.includes(String(x.object.spec?.nodeName)))) continue
    out.push(`pod ${key}:`)
    for (const x of history)
      out.push(
        `  ${when(x)} ${x.type} rv ${x.rv} ${x.object.status?.phase ?? '-'} on ${x.object.spec?.nodeName ?? '-'}${x.object.metadata?.deletionTimestamp ? ' (deleting)' : ''}`,
      )
  }
  return out.join('\n')
}
