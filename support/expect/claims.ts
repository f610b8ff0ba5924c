// The tutorial's other claims that have an order, checked on the run's histories in tutorial time:
//   Step 4: the pods are Pending at first, then Running on a new Spot node Karpenter launched;
//   Step 5 and the clean-up: Karpenter removes the workload's nodes by consolidation only after
//   the workload was deleted (its pods gone first).
// Pure: the steps gather (support/recorders.ts, support/tutorial-time.ts) and call these.

import type { Node, Pod } from '../kube.ts'
import type { Observed } from '../tutorial-time.ts'
import type { Sighting } from '../recorders.ts'
import { checkOrder, type Bound, type Instant } from './order.ts'

type Instants = (o: Observed) => number | undefined

const instantOf = (instant: Instants, s: Sighting<unknown> | undefined) => (s ? instant({ at: s.at, rv: s.rv }) : undefined)
const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`

export interface PendingThenRunningInput {
  /** The pods' histories, by namespace/name. */
  pods: ReadonlyMap<string, readonly Sighting<Pod>[]>
  /** The pods the claim is about (namespace/name). */
  names: readonly string[]
  nodes: ReadonlyMap<string, readonly Sighting<Node>[]>
  instant: Instants
  /** The tutorial's deadline from Pending to Running ("within 2 minutes"). */
  withinMs: number
  /** The capacity type the new node must have, when the claim names one. */
  capacityType?: string
}

export interface PodStory {
  pod: string
  pendingAt?: number
  node?: string
  nodeCreatedAt?: number
  runningAt?: number
}

/**
 * Each pod was Pending (no node) first, then its node was created — a new node — and then
 * the pod ran on it, within the deadline: the pods' and nodes' writes in tutorial time.
 */
export function pendingThenRunning(input: PendingThenRunningInput): { stories: PodStory[]; problems: string[] } {
  const stories: PodStory[] = []
  const problems: string[] = []
  for (const name of input.names) {
    const history = input.pods.get(name) ?? []
    const pending = history.find((s) => s.type !== 'DELETED' && !s.object.spec?.nodeName && (s.object.status?.phase ?? 'Pending') === 'Pending')
    const running = history.find((s) => s.type !== 'DELETED' && s.object.status?.phase === 'Running' && s.object.spec?.nodeName)
    const node = running?.object.spec?.nodeName
    const nodeHistory = node ? input.nodes.get(node) : undefined
    const story: PodStory = {
      pod: name,
      pendingAt: instantOf(input.instant, pending),
      node,
      nodeCreatedAt: instantOf(input.instant, nodeHistory?.[0]),
      runningAt: instantOf(input.instant, running),
    }
    stories.push(story)
    if (story.pendingAt === undefined) problems.push(`${name}: never seen Pending without a node`)
    if (story.runningAt === undefined) problems.push(`${name}: never seen Running`)
    if (node && !nodeHistory) problems.push(`${name}: runs on ${node}, which the run never saw`)
    const capacity = nodeHistory?.at(-1)?.object.metadata?.labels?.['karpenter.sh/capacity-type']
    if (nodeHistory && input.capacityType && capacity !== input.capacityType)
      problems.push(`${name}: runs on ${node}, capacity type ${capacity ?? 'none'}, not ${input.capacityType}`)
    const instants = new Map<string, Instant>([
      ['pending', { label: `${name} Pending`, atMs: story.pendingAt }],
      ['node', { label: `${node ?? 'its node'} created`, atMs: story.nodeCreatedAt }],
      ['running', { label: `${name} Running on ${node ?? '?'}`, atMs: story.runningAt }],
    ])
    const bounds: Bound[] = [{ from: 'pending', to: 'running', maxMs: input.withinMs, why: 'the tutorial waits no longer for its pods to run' }]
    problems.push(
      ...checkOrder(
        instants,
        [
          ['pending', 'node'],
          ['node', 'running'],
          ['pending', 'running'],
        ],
        bounds,
      ),
    )
  }
  return { stories, problems }
}

export interface ConsolidationInput {
  /** When the workload was deleted: the tutorial instant its `kubectl delete` began. */
  deletedAt: number
  /** The workload's `app` label. */
  app: string
  /** The Karpenter nodes that hosted it. */
  hosts: readonly string[]
  pods: ReadonlyMap<string, readonly Sighting<Pod>[]>
  nodes: ReadonlyMap<string, readonly Sighting<Node>[]>
  /** Karpenter's consolidation lines naming the nodes they delete, with their tutorial instant. */
  consolidations?: readonly { atMs?: number; nodes: readonly string[] }[]
  instant: Instants
}

export interface NodeStory {
  node: string
  /** The last of the workload's pods on it gone. */
  emptiedAt?: number
  consolidatedAt?: number
  goneAt?: number
}

/**
 * Karpenter consolidates (deletes) each node only after the workload was deleted and its pods
 * left that node: consolidation deletes only empty or underused nodes (kubernetes-sigs/karpenter
 * v0.32.1, pkg/controllers/disruption/emptynodeconsolidation.go), after its 15 s validation TTL
 * (consolidation.go `consolidationTTL`), polled every 10 s (controller.go `pollingPeriod`).
 */
export function consolidationAfterDeletion(input: ConsolidationInput): { stories: NodeStory[]; problems: string[] } {
  const stories: NodeStory[] = []
  const problems: string[] = []
  for (const node of input.hosts) {
    let emptiedAt: number | undefined
    for (const history of input.pods.values()) {
      if (history[0]?.object.metadata?.labels?.app !== input.app) continue
      if (!history.some((s) => s.object.spec?.nodeName === node)) continue
      const gone = instantOf(
        input.instant,
        history.find((s) => s.type === 'DELETED'),
      )
      // A pod of the workload still there has not left the node.
      if (gone === undefined) {
        problems.push(`${history[0].object.metadata?.name}: still on ${node} (never seen deleted)`)
        continue
      }
      emptiedAt = Math.max(emptiedAt ?? -Infinity, gone)
    }
    const consolidatedAt = (input.consolidations ?? [])
      .filter((c) => c.nodes.includes(node))
      .map((c) => c.atMs)
      .find((x) => x !== undefined)
    const goneAt = instantOf(
      input.instant,
      input.nodes.get(node)?.find((s) => s.type === 'DELETED'),
    )
    stories.push({ node, emptiedAt, consolidatedAt, goneAt })
    const instants = new Map<string, Instant>([
      ['deleted', { label: `the deployment's deletion`, atMs: input.deletedAt }],
      ['emptied', { label: `the last ${input.app} pod gone from ${node}`, atMs: emptiedAt }],
      ['consolidated', { label: `Karpenter's consolidation delete of ${node}`, atMs: consolidatedAt }],
      ['gone', { label: `${node} deleted`, atMs: goneAt }],
    ])
    if (input.consolidations && consolidatedAt === undefined) problems.push(`no consolidation line names ${node}`)
    const bounds: Bound[] = input.consolidations
      ? [
          {
            from: 'deleted',
            to: 'consolidated',
            minMs: 15_000,
            why: 'consolidation waits out its 15 s validation TTL before it deletes (consolidation.go consolidationTTL)',
          },
        ]
      : []
    problems.push(
      ...checkOrder(
        instants,
        [
          ['deleted', 'emptied'],
          ['emptied', 'consolidated'],
          ['deleted', 'consolidated'],
          ['consolidated', 'gone'],
          ['emptied', 'gone'],
          ['deleted', 'gone'],
        ],
        bounds,
      ),
    )
  }
  return { stories, problems }
}

/**
 * When a deletion took effect in the API server: the earliest tutorial instant, not before
 * `notBefore` (the command's start), at which a pod of `app` was seen terminating (a
 * deletionTimestamp) or gone. The command's own start is only a lower bound — kubectl's start-up
 * is idle tutorial time for the sandbox, worth many tutorial seconds on a loaded machine — while
 * this instant is the write's own (its resourceVersion's, through the sandbox's journal).
 */
export function terminationStart(app: string, pods: Map<string, Sighting<Pod>[]>, instant: Instants, notBefore: number): number | undefined {
  let first: number | undefined
  for (const history of pods.values()) {
    if (history[0]?.object.metadata?.labels?.app !== app) continue
    for (const s of history) {
      if (s.type !== 'DELETED' && !s.object.metadata?.deletionTimestamp) continue
      const t = instantOf(instant, s)
      if (t === undefined || t < notBefore) continue
      first = Math.min(first ?? Infinity, t)
      break
    }
  }
  return first
}

/** A story's instants as "+12.3 s" after an origin, for the report's tables. */
export function since(origin: number, at: number | undefined): string {
  return at === undefined ? 'not seen' : `+${sec(at - origin)}`
}
