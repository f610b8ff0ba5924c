// What the cluster holds and held, as the steps ask it: a deployment's pods, the nodes, a NodePool's
// requirements, and the recorders' history of which nodes hosted what — and the expectations on
// them the features state (pods running, Pending then Running, nodes of a deployment, the zone
// spread). Steps call these instead of the Kubernetes client or the recorders' maps.

import assert from 'node:assert/strict'
import { capacityTypeOf, getKarpenterObject, instanceTypeOf, nodeReady, podReady, zoneOf, type Node, type Pod } from '../kube.ts'
import { describeInstanceType, labelsOf, violations, type Requirement } from '../nodepool-check.ts'
import { parseTable } from '../kubectl-table.ts'
import { attachHtml, attachText, htmlTable } from '../report.ts'
import type { SpotcheckWorld } from '../world.ts'
import { consolidationAfterDeletion, pendingThenRunning, since, terminationStart } from './claims.ts'

/** The live (not terminating) pods of a deployment, found through its selector. */
export async function podsOf(world: SpotcheckWorld, deployment: string, namespace = 'default'): Promise<Pod[]> {
  const kube = world.run.kube()
  const d = await kube.apps.readNamespacedDeployment({ name: deployment, namespace })
  const selector = Object.entries(d.spec?.selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',')
  return (await kube.core.listNamespacedPod({ namespace, labelSelector: selector })).items.filter((p) => !p.metadata?.deletionTimestamp)
}

export async function nodes(world: SpotcheckWorld): Promise<Node[]> {
  return (await world.run.kube().core.listNode()).items
}

export async function nodePoolRequirements(world: SpotcheckWorld, name: string): Promise<Requirement[]> {
  const np = await getKarpenterObject<{ spec: { template: { spec: { requirements?: Requirement[] } } } }>(world.run.kube(), world.run.karpenter.nodePool, name)
  return np.spec.template.spec.requirements ?? []
}

/** The Karpenter nodes on which the run saw a pod of `deployment`. */
export function nodesThatHosted(world: SpotcheckWorld, deployment: string): Set<string> {
  return world.run.recorder.nodesThatHosted(deployment)
}

/** The node (as the run last saw it, even if gone) whose EC2 instance is `instanceId`. */
export function nodeOfInstance(world: SpotcheckWorld, instanceId: string): Node | undefined {
  return world.run.recorder.nodeOfInstance(instanceId)
}

/** The deployment a step's "they" or "the pods" refers to: the one an earlier step named. */
export function thatDeployment(world: SpotcheckWorld): string {
  const deployment = world.subject.deployment
  assert.ok(deployment, 'no deployment has been named in this scenario')
  return deployment
}

/** The deployment kubectl's output says it created ("deployment.apps/stateless created"), which later steps call "they" or "the pods". */
export function deploymentCreatedBy(output: string): string | undefined {
  return /^deployment\.apps\/(\S+) created$/.exec(output.trim())?.[1]
}

/** The node an earlier step named ("that node"), as the cluster has it now. */
export async function thatNode(world: SpotcheckWorld): Promise<Node> {
  assert.ok(world.subject.node, 'no node has been named in this scenario')
  return world.run.kube().core.readNode({ name: world.subject.node })
}

/** The rows of the table the last command printed (`kubectl get …`), by column. */
export function listedRows(world: SpotcheckWorld): Record<string, string>[] {
  assert.ok(world.last, 'no command has run in this scenario')
  return parseTable(world.last.output).rows
}

/** The last command listed `count` nodes, each with this CAPACITY-TYPE; its rows. */
export function expectListedNodes(world: SpotcheckWorld, count: number, capacity: string): Record<string, string>[] {
  const rows = listedRows(world)
  assert.equal(rows.length, count, `${rows.length} nodes listed`)
  for (const r of rows) assert.equal(r['CAPACITY-TYPE'], capacity, r.NAME)
  return rows
}

/** "10 pods: 7 Running, 3 Pending": the pods by phase, Running but not Ready apart. */
export function describePods(pods: Pod[]): string {
  const phases = new Map<string, number>()
  for (const p of pods) {
    const key = p.status?.phase === 'Running' && !podReady(p) ? 'Running (not Ready)' : (p.status?.phase ?? 'Unknown')
    phases.set(key, (phases.get(key) ?? 0) + 1)
  }
  return `${pods.length} pods: ${[...phases].map(([k, v]) => `${v} ${k}`).join(', ') || 'none'}`
}

/** Whether a pod runs with exactly `containers` containers, `ready` of them Ready. */
export function podRunsReady(pod: Pod, ready: number, containers: number): boolean {
  const statuses = pod.status?.containerStatuses ?? []
  return pod.status?.phase === 'Running' && statuses.length === containers && statuses.filter((c) => c.ready).length === ready
}

/** Waits until exactly `count` pods labelled `selector` run in `namespace`, each `ready`/`containers` Ready. */
export async function eventuallyLabelledPodsReady(
  world: SpotcheckWorld,
  withinMs: number,
  o: { count: number; selector: string; namespace: string; ready: number; containers: number },
): Promise<void> {
  await world.within(withinMs, `${o.count} pods ${o.selector} Ready in ${o.namespace}`, async () => {
    const pods = (await world.run.kube().core.listNamespacedPod({ namespace: o.namespace, labelSelector: o.selector })).items
    const ready = pods.filter((p) => podRunsReady(p, o.ready, o.containers))
    return { ok: pods.length === o.count && ready.length === o.count, seen: describePods(pods) }
  })
}

/** Every Karpenter pod runs on a node labelled `key`=`value` from the managed node group (On-Demand). */
export async function expectKarpenterPodsOnOnDemand(world: SpotcheckWorld, key: string, value: string): Promise<void> {
  const pods = (await world.run.kube().core.listNamespacedPod({ namespace: 'karpenter', labelSelector: 'app.kubernetes.io/name=karpenter' })).items
  const all = await nodes(world)
  assert.ok(pods.length > 0, 'no Karpenter pods')
  for (const pod of pods) {
    const node = all.find((n) => n.metadata?.name === pod.spec?.nodeName)
    assert.ok(node, `${pod.metadata?.name} is on no node`)
    assert.equal(node.metadata?.labels?.[key], value, `${node.metadata?.name} ${key}`)
    assert.equal(node.metadata?.labels?.['eks.amazonaws.com/capacityType'], 'ON_DEMAND', `${node.metadata?.name}: capacity type`)
  }
}

const keyOf = (p: Pod) => `${p.metadata?.namespace}/${p.metadata?.name}`

/**
 * The `count` pods of the deployment were Pending when the run first saw them, with no node, and
 * the scheduler marked them Unschedulable because no node matched their selector.
 */
export async function expectPendingAtFirst(world: SpotcheckWorld, count: number, deployment: string): Promise<void> {
  const outcome = await world.within(60_000, `${count} pods of ${deployment} created`, async () => {
    const pods = await podsOf(world, deployment)
    return { ok: pods.length === count, seen: describePods(pods), value: pods }
  })
  const recorder = world.run.recorder
  const early: string[] = []
  for (const pod of outcome.value) {
    const name = pod.metadata?.name
    const first = recorder.firstSighting('pods', keyOf(pod))?.object
    assert.ok(first, `the run never saw ${name} change`)
    assert.ok(!first.spec?.nodeName, `${name} was on ${first.spec?.nodeName} when first seen`)
    assert.equal(first.status?.phase ?? 'Pending', 'Pending', `${name} first seen ${first.status?.phase}`)
    const unschedulable = recorder
      .historyOf('pods', keyOf(pod))
      .map((s) => s.object.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable'))
      .find(Boolean)
    assert.ok(unschedulable, `${name} was never marked Unschedulable by the scheduler`)
    assert.match(String(unschedulable.message), /didn't match Pod's node affinity\/selector/, `${name}: ${unschedulable.message}`)
    early.push(`${name}: Pending — ${unschedulable.message}`)
  }
  await attachText('pods as first seen', early.join('\n'))
}

/** Waits until all `count` pods of the deployment run and are Ready; returns them. */
export async function eventuallyAllRunning(world: SpotcheckWorld, withinMs: number, count: number, deployment: string): Promise<Pod[]> {
  const outcome = await world.within(withinMs, `all ${count} pods of ${deployment} Running`, async () => {
    const pods = await podsOf(world, deployment)
    const running = pods.filter((p) => p.status?.phase === 'Running' && podReady(p))
    return { ok: pods.length === count && running.length === count, seen: describePods(pods), value: pods }
  })
  return outcome.value
}

/** The one node all the pods run on. */
export function singleNodeOf(pods: Pod[]): string {
  const names = new Set(pods.map((p) => p.spec?.nodeName))
  assert.equal(names.size, 1, `the pods run on ${names.size} nodes: ${[...names].join(', ')}`)
  const [name] = names
  assert.ok(name, 'the pods run on no node')
  return name
}

/**
 * The section's story in order, from the run's histories in tutorial time: each pod Pending
 * first, then a new node, then the pod Running on it. The deadline from Pending to Running is
 * the step's plus the minute the section gives Karpenter's lines before it.
 */
export async function expectPendingThenRunning(world: SpotcheckWorld, pods: Pod[], withinMs: number): Promise<void> {
  const keys = pods.map(keyOf)
  const recorder = world.run.recorder
  const clock = world.run.tutorialTime
  // The recorder's watch may trail the list the wait used by a moment.
  await world.within(30_000, "the run's recorder has seen the pods Running", async () => {
    const missing = keys.filter((k) => !recorder.firstSighting('pods', k, (p) => p.status?.phase === 'Running'))
    return { ok: missing.length === 0, seen: `${missing.length} pods not yet seen Running` }
  })
  await clock.sync()
  const { stories, problems } = pendingThenRunning({
    pods: recorder.pods,
    names: keys,
    nodes: recorder.nodes,
    instant: (o) => clock.of(o),
    withinMs: withinMs + 60_000,
  })
  const origin = Math.min(...stories.map((x) => x.pendingAt ?? Infinity))
  await attachHtml(
    'pods: Pending, then Running on a new node',
    htmlTable(
      `each pod's story in tutorial time from the first pod Pending (${clock.source})`,
      ['pod', 'Pending', 'its node created', 'Running', 'node'],
      stories.map((x) => [x.pod, since(origin, x.pendingAt), since(origin, x.nodeCreatedAt), since(origin, x.runningAt), x.node ?? '']),
    ),
  )
  recordNodeClaimToReady(world, stories[0]?.node)
  assert.deepEqual(problems, [], `the pods were not Pending first, then Running on a new node:\n${problems.join('\n')}`)
}

/** NodeClaim → node Ready for the benchmark (bench/tutorial-load.bench.ts): the node's NodeClaim's "created nodeclaim" line to its Ready write. */
function recordNodeClaimToReady(world: SpotcheckWorld, node: string | undefined): void {
  if (!node) return
  const recorder = world.run.recorder
  const clock = world.run.tutorialTime
  const claim = recorder.nodeClaimOf(node)
  const created = claim ? world.run.karpenterLog?.lines.find((l) => l.view?.message === 'created nodeclaim' && l.view.nodeClaim === claim) : undefined
  const ready = recorder.firstSighting('nodes', node, nodeReady)
  const readyAt = ready ? clock.of(ready) : undefined
  if (created?.tutorialAt !== undefined && readyAt !== undefined)
    world.run.timings.duration('NodeClaim created → node Ready', readyAt - clock.stamped(created.tutorialAt))
}

/** Pods per zone and the nodes they run on; a pod on no known node is named in `homeless`. */
export function zoneSpread(pods: Pod[], all: Node[]): { perZone: Map<string, number>; nodes: Set<string>; homeless: string[] } {
  const perZone = new Map<string, number>()
  const used = new Set<string>()
  const homeless: string[] = []
  for (const p of pods) {
    const node = all.find((n) => n.metadata?.name === p.spec?.nodeName)
    if (!node?.metadata?.name) {
      homeless.push(String(p.metadata?.name))
      continue
    }
    used.add(node.metadata.name)
    perZone.set(zoneOf(node), (perZone.get(zoneOf(node)) ?? 0) + 1)
  }
  return { perZone, nodes: used, homeless }
}

/** The deployment's pods run on `nodeCount` nodes in `zoneCount` zones, with these numbers of pods per zone (in any order). */
export async function expectZoneSpread(world: SpotcheckWorld, deployment: string, nodeCount: number, zoneCount: number, perZone: number[]): Promise<void> {
  const spread = zoneSpread(await podsOf(world, deployment), await nodes(world))
  assert.deepEqual(spread.homeless, [], 'pods on no node')
  assert.equal(spread.nodes.size, nodeCount, `nodes: ${[...spread.nodes].join(', ')}`)
  assert.equal(spread.perZone.size, zoneCount, `zones: ${[...spread.perZone.keys()].join(', ')}`)
  const desc = (xs: number[]) => [...xs].sort((x, y) => y - x)
  assert.deepEqual(desc([...spread.perZone.values()]), desc(perZone), `pods per zone: ${JSON.stringify(Object.fromEntries(spread.perZone))}`)
}

/** The NodePool allows this instance type, with this capacity type, in this zone. */
export async function expectAllowedByNodePool(
  world: SpotcheckWorld,
  nodePool: string,
  instanceType: string,
  capacityType: string,
  zone: string,
): Promise<void> {
  const info = await describeInstanceType(world.run.aws.ec2, instanceType)
  const broken = violations(labelsOf(info, capacityType, zone), await nodePoolRequirements(world, nodePool))
  assert.deepEqual(broken, [], `${instanceType} (${capacityType}, ${zone}) is not allowed by the NodePool "${nodePool}"`)
}

/** "That node"'s instance type, capacity type and zone are allowed by the NodePool. */
export async function expectNodeAllowedByNodePool(world: SpotcheckWorld, nodePool: string): Promise<void> {
  const node = await thatNode(world)
  await expectAllowedByNodePool(world, nodePool, instanceTypeOf(node), capacityTypeOf(node), zoneOf(node))
}

/**
 * Waits until no Karpenter node that hosted the deployment's pods remains; then (when the deletion's
 * command is known) checks, in tutorial time, the deletion, each node's pods gone, then the node,
 * and returns the deletion's instant for the consolidation that follows.
 */
export async function eventuallyNodesOfDeploymentGone(world: SpotcheckWorld, withinMs: number, deployment: string): Promise<number | undefined> {
  const hosts = nodesThatHosted(world, deployment)
  assert.ok(hosts.size > 0, `the run saw no Karpenter node host a pod of ${deployment}`)
  // The workload was deleted by the command before this step (`kubectl delete deployment`): it
  // began no earlier than that command did; its instant is the first of its pods' terminations.
  const commandStartedAt = world.lastTutorialStartedAt
  await world.within(withinMs, `Karpenter's nodes for ${deployment} gone`, async () => {
    const left = (await nodes(world)).flatMap((n) => (n.metadata?.name && hosts.has(n.metadata.name) ? [n.metadata.name] : []))
    return { ok: left.length === 0, seen: left.length ? `still there: ${left.join(', ')}` : 'all gone' }
  })
  if (commandStartedAt === undefined) return undefined
  const recorder = world.run.recorder
  await world.within(30_000, "the run's recorder has seen the nodes deleted", async () => {
    const unseen = [...hosts].filter((n) => !recorder.seenDeleted('nodes', n))
    return { ok: unseen.length === 0, seen: unseen.length ? `not yet seen deleted: ${unseen.join(', ')}` : 'all seen deleted' }
  })
  const clock = world.run.tutorialTime
  await clock.sync()
  const deletedAt = terminationStart(deployment, recorder.pods, (o) => clock.of(o), commandStartedAt) ?? commandStartedAt
  const { stories, problems } = consolidationAfterDeletion({
    deletedAt,
    app: deployment,
    hosts: [...hosts],
    pods: recorder.pods,
    nodes: recorder.nodes,
    instant: (o) => clock.of(o),
  })
  await attachHtml(
    `${deployment}: deleted, then its nodes removed`,
    htmlTable(
      `tutorial time from the deletion (${clock.source})`,
      ['node', 'its last pod gone', 'node deleted'],
      stories.map((x) => [x.node, since(deletedAt, x.emptiedAt), since(deletedAt, x.goneAt)]),
    ),
  )
  assert.deepEqual(problems, [], `the nodes were not removed after the workload:\n${problems.join('\n')}`)
  return deletedAt
}

/** The deployment's pods run, on Spot nodes that are Ready; the nodes are shown in the report. */
export async function expectOnReadySpotNodes(world: SpotcheckWorld, deployment: string): Promise<void> {
  const pods = await podsOf(world, deployment)
  const all = await nodes(world)
  assert.ok(pods.length > 0, `no pods of ${deployment}`)
  const hosts = [...new Set(pods.map((p) => p.spec?.nodeName))].map((name) => {
    const node = all.find((n) => n.metadata?.name === name)
    assert.ok(node && nodeReady(node), `${name} is not Ready`)
    assert.equal(capacityTypeOf(node), 'spot', `${name} capacity type`)
    return node
  })
  for (const p of pods) assert.equal(p.status?.phase, 'Running', `${p.metadata?.name}`)
  await attachHtml(
    `nodes of ${deployment}`,
    htmlTable(
      `nodes of ${deployment}`,
      ['node', 'capacity type', 'instance type', 'zone'],
      hosts.map((n) => [String(n.metadata?.name), capacityTypeOf(n), instanceTypeOf(n), zoneOf(n)]),
    ),
  )
}
