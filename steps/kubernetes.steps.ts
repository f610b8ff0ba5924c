// What the cluster shows: pods, nodes, their labels and zones — asserted through client-node.

import assert from 'node:assert/strict'
import { Given, Then } from '../support/step-registry.ts'
import { parseTutorialDuration } from '../support/eventually.ts'
import { capacityTypeOf, instanceTypeOf, isKarpenterNode, nodeReady, podReady, zoneOf, type Node, type Pod } from '../support/kube.ts'
import { describeInstanceType, labelsOf, violations } from '../support/nodepool-check.ts'
import { attachText, htmlTable, attachHtml } from '../support/report.ts'
import type { SpotcheckWorld } from '../support/world.ts'
import { parseTable } from '../support/kubectl-table.ts'
import { nodePoolRequirements, nodes, nodesThatHosted, podsOf } from '../support/expect/cluster.ts'
import { consolidationAfterDeletion, pendingThenRunning, since, terminationStart } from '../support/expect/claims.ts'

function describePods(pods: Pod[]): string {
  const phases = new Map<string, number>()
  for (const p of pods) {
    const key = p.status?.phase === 'Running' && !podReady(p) ? 'Running (not Ready)' : (p.status?.phase ?? 'Unknown')
    phases.set(key, (phases.get(key) ?? 0) + 1)
  }
  return `${pods.length} pods: ${[...phases].map(([k, v]) => `${v} ${k}`).join(', ') || 'none'}`
}

const WITHIN = String.raw`within (\d+) (seconds?|minutes?)`

Then(
  new RegExp(`^${WITHIN} (\\d+) pods labelled "([^"]+)" run in the namespace "([^"]+)", each (\\d+)/(\\d+) Ready$`),
  async function (this: SpotcheckWorld, amount: string, unit: string, count: string, selector: string, namespace: string, readyContainers: string, containers: string) {
    await this.within(parseTutorialDuration(Number(amount), unit), `${count} pods ${selector} Ready in ${namespace}`, async () => {
      const pods = (await this.run.kube().core.listNamespacedPod({ namespace, labelSelector: selector })).items
      const ready = pods.filter((p) => {
        const statuses = p.status?.containerStatuses ?? []
        return p.status?.phase === 'Running' && statuses.length === Number(containers) && statuses.filter((c) => c.ready).length === Number(readyContainers)
      })
      return { ok: pods.length === Number(count) && ready.length === Number(count), seen: describePods(pods) }
    })
  },
)

Then('the Karpenter pods run on nodes labelled {string} whose capacity type is On-Demand', async function (this: SpotcheckWorld, label: string) {
  const [key, value] = label.split('=')
  const pods = (await this.run.kube().core.listNamespacedPod({ namespace: 'karpenter', labelSelector: 'app.kubernetes.io/name=karpenter' })).items
  const all = await nodes(this)
  assert.ok(pods.length > 0, 'no Karpenter pods')
  for (const pod of pods) {
    const node = all.find((n) => n.metadata?.name === pod.spec?.nodeName)
    assert.ok(node, `${pod.metadata?.name} is on no node`)
    assert.equal(node.metadata?.labels?.[key], value, `${node.metadata?.name} ${key}`)
    assert.equal(node.metadata?.labels?.['eks.amazonaws.com/capacityType'], 'ON_DEMAND', `${node.metadata?.name}: capacity type`)
  }
})

Then('the {int} pods of the deployment {string} are Pending at first, because no node matches them', async function (this: SpotcheckWorld, count: number, deployment: string) {
  const outcome = await this.within(60_000, `${count} pods of ${deployment} created`, async () => {
    const pods = await podsOf(this, deployment)
    return { ok: pods.length === count, seen: describePods(pods), value: pods }
  })
  const recorder = this.run.cluster!
  const early: string[] = []
  for (const pod of outcome.value) {
    const history = recorder.pods.get(`${pod.metadata!.namespace}/${pod.metadata!.name}`) ?? []
    assert.ok(history.length > 0, `the run never saw ${pod.metadata!.name} change`)
    const first = history[0].object
    assert.ok(!first.spec?.nodeName, `${pod.metadata!.name} was on ${first.spec?.nodeName} when first seen`)
    assert.equal(first.status?.phase ?? 'Pending', 'Pending', `${pod.metadata!.name} first seen ${first.status?.phase}`)
    const unschedulable = history.map((s) => s.object.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable')).find(Boolean)
    assert.ok(unschedulable, `${pod.metadata!.name} was never marked Unschedulable by the scheduler`)
    assert.match(String(unschedulable.message), /didn't match Pod's node affinity\/selector/, `${pod.metadata!.name}: ${unschedulable.message}`)
    early.push(`${pod.metadata!.name}: Pending — ${unschedulable.message}`)
  }
  await attachText('pods as first seen', early.join('\n'))
})

async function allRunning(world: SpotcheckWorld, withinMs: number, count: number, deployment: string): Promise<Pod[]> {
  const outcome = await world.within(withinMs, `all ${count} pods of ${deployment} Running`, async () => {
    const pods = await podsOf(world, deployment)
    const running = pods.filter((p) => p.status?.phase === 'Running' && podReady(p))
    return { ok: pods.length === count && running.length === count, seen: describePods(pods), value: pods }
  })
  return outcome.value
}

Then(new RegExp(`^${WITHIN} all (\\d+) pods of the deployment "([^"]+)" are Running(?: again)?$`), async function (this: SpotcheckWorld, amount: string, unit: string, count: string, deployment: string) {
  await allRunning(this, parseTutorialDuration(Number(amount), unit), Number(count), deployment)
})

Then(new RegExp(`^${WITHIN} all (\\d+) pods of the deployment "([^"]+)" are Running on a single node$`), async function (this: SpotcheckWorld, amount: string, unit: string, count: string, deployment: string) {
  const withinMs = parseTutorialDuration(Number(amount), unit)
  const pods = await allRunning(this, withinMs, Number(count), deployment)
  const names = new Set(pods.map((p) => p.spec?.nodeName))
  assert.equal(names.size, 1, `the pods run on ${names.size} nodes: ${[...names].join(', ')}`)
  this.subject.node = [...names][0]
  this.subject.deployment = deployment
  await assertPendingThenRunning(this, pods, withinMs)
})

/**
 * The section's story in order, from the run's histories in tutorial time: each pod Pending
 * first, then a new node, then the pod Running on it. The deadline from Pending to Running is
 * the step's plus the minute the section gives Karpenter's lines before it.
 */
async function assertPendingThenRunning(world: SpotcheckWorld, pods: Pod[], withinMs: number): Promise<void> {
  const keys = pods.map((p) => `${p.metadata!.namespace}/${p.metadata!.name}`)
  const recorder = world.run.cluster!
  const clock = world.run.tutorialTime
  // The recorder's watch may trail the list the wait used by a moment.
  await world.within(30_000, "the run's recorder has seen the pods Running", async () => {
    const missing = keys.filter((k) => !(recorder.pods.get(k) ?? []).some((s) => s.object.status?.phase === 'Running'))
    return { ok: missing.length === 0, seen: `${missing.length} pods not yet seen Running` }
  })
  await clock.sync()
  const { stories, problems } = pendingThenRunning({ pods: recorder.pods, names: keys, nodes: recorder.nodes, instant: (o) => clock.of(o), withinMs: withinMs + 60_000 })
  const origin = Math.min(...stories.map((x) => x.pendingAt ?? Infinity))
  await attachHtml(
    'pods: Pending, then Running on a new node',
    htmlTable(`each pod's story in tutorial time from the first pod Pending (${clock.source})`, ['pod', 'Pending', 'its node created', 'Running', 'node'], stories.map((x) => [x.pod, since(origin, x.pendingAt), since(origin, x.nodeCreatedAt), since(origin, x.runningAt), x.node ?? '']),
  ))
  // NodeClaim → node Ready for the benchmark (bench/tutorial-load.bench.ts): the node's NodeClaim's "created nodeclaim" line to its Ready write.
  const node = stories[0]?.node
  const claim = node ? nodeClaimOf(world, node) : undefined
  const created = claim ? world.run.karpenterLog?.lines.find((l) => l.view?.message === 'created nodeclaim' && l.view.nodeClaim === claim) : undefined
  const ready = node ? (recorder.nodes.get(node) ?? []).find((s) => nodeReady(s.object)) : undefined
  const readyAt = ready ? clock.of(ready) : undefined
  if (created?.tutorialAt !== undefined && readyAt !== undefined) world.run.timings.duration('NodeClaim created → node Ready', readyAt - clock.stamped(created.tutorialAt))
  assert.deepEqual(problems, [], `the pods were not Pending first, then Running on a new node:\n${problems.join('\n')}`)
}

/** The NodeClaim of a node, as the run recorded it (its label on 1.x, its status.nodeName on both). */
function nodeClaimOf(world: SpotcheckWorld, node: string): string | undefined {
  const label = world.run.cluster?.nodes.get(node)?.at(-1)?.object.metadata?.labels?.['karpenter.sh/nodeclaim']
  if (label) return label
  for (const [name, history] of world.run.cluster?.nodeClaims ?? []) if (history.some((s) => s.object.status?.nodeName === node)) return name
  return undefined
}

Then('they run on {int} nodes in {int} different zones, {int}, {int} and {int} pods per zone', async function (this: SpotcheckWorld, nodeCount: number, zoneCount: number, a: number, b: number, c: number) {
  const pods = await podsOf(this, 'stateless')
  const all = await nodes(this)
  const perZone = new Map<string, number>()
  const nodeNames = new Set<string>()
  for (const p of pods) {
    const node = all.find((n) => n.metadata?.name === p.spec?.nodeName)
    assert.ok(node, `${p.metadata?.name} is on no node`)
    nodeNames.add(node.metadata!.name!)
    perZone.set(zoneOf(node), (perZone.get(zoneOf(node)) ?? 0) + 1)
  }
  assert.equal(nodeNames.size, nodeCount, `nodes: ${[...nodeNames].join(', ')}`)
  assert.equal(perZone.size, zoneCount, `zones: ${[...perZone.keys()].join(', ')}`)
  assert.deepEqual([...perZone.values()].sort((x, y) => y - x), [a, b, c].sort((x, y) => y - x), `pods per zone: ${JSON.stringify(Object.fromEntries(perZone))}`)
})

async function theNode(world: SpotcheckWorld): Promise<Node> {
  assert.ok(world.subject.node, 'no node has been named in this scenario')
  return world.run.kube().core.readNode({ name: world.subject.node })
}

Then('that node is labelled {string} = {string} and {string} = {string}', async function (this: SpotcheckWorld, k1: string, v1: string, k2: string, v2: string) {
  const node = await theNode(this)
  assert.equal(node.metadata?.labels?.[k1], v1, `${node.metadata?.name} ${k1}`)
  assert.equal(node.metadata?.labels?.[k2], v2, `${node.metadata?.name} ${k2}`)
})

async function assertAllowed(world: SpotcheckWorld, nodePool: string, instanceType: string, capacityType: string, zone: string): Promise<void> {
  const info = await describeInstanceType(world.run.aws.ec2, instanceType)
  const broken = violations(labelsOf(info, capacityType, zone), await nodePoolRequirements(world, nodePool))
  assert.deepEqual(broken, [], `${instanceType} (${capacityType}, ${zone}) is not allowed by the NodePool "${nodePool}"`)
}

Then('its instance type is one the NodePool {string} allows', async function (this: SpotcheckWorld, nodePool: string) {
  const node = await theNode(this)
  await assertAllowed(this, nodePool, instanceTypeOf(node), capacityTypeOf(node), zoneOf(node))
})

Then('every INSTANCE-TYPE it lists is one the NodePool {string} allows', async function (this: SpotcheckWorld, nodePool: string) {
  const { rows } = parseTable(this.last!.output)
  assert.ok(rows.length > 0, 'the table is empty')
  for (const r of rows) await assertAllowed(this, nodePool, r['INSTANCE-TYPE'], r['CAPACITY-TYPE'], r.ZONE)
})

Then('it lists {int} nodes, each with CAPACITY-TYPE {string}, in {int} different ZONEs', function (this: SpotcheckWorld, count: number, capacity: string, zones: number) {
  const { rows } = parseTable(this.last!.output)
  assert.equal(rows.length, count, `${rows.length} nodes listed`)
  for (const r of rows) assert.equal(r['CAPACITY-TYPE'], capacity, r.NAME)
  assert.equal(new Set(rows.map((r) => r.ZONE)).size, zones, `zones: ${rows.map((r) => r.ZONE).join(', ')}`)
})

Then('it lists {int} node, with CAPACITY-TYPE {string}', function (this: SpotcheckWorld, count: number, capacity: string) {
  const { rows } = parseTable(this.last!.output)
  assert.equal(rows.length, count, `${rows.length} nodes listed`)
  for (const r of rows) assert.equal(r['CAPACITY-TYPE'], capacity, r.NAME)
})

/** The Karpenter nodes the run saw hosting a pod of the deployment. */
Then(new RegExp(`^${WITHIN} no node that Karpenter launched for the deployment "([^"]+)" remains$`), async function (this: SpotcheckWorld, amount: string, unit: string, deployment: string) {
  const hosts = nodesThatHosted(this, deployment)
  assert.ok(hosts.size > 0, `the run saw no Karpenter node host a pod of ${deployment}`)
  this.subject.deployment = deployment
  // The workload was deleted by the command before this step (`kubectl delete deployment`): it
  // began no earlier than that command did; its instant is the first of its pods' terminations.
  const commandStartedAt = this.lastTutorialStartedAt
  await this.within(parseTutorialDuration(Number(amount), unit), `Karpenter's nodes for ${deployment} gone`, async () => {
    const left = (await nodes(this)).map((n) => n.metadata!.name!).filter((n) => hosts.has(n))
    return { ok: left.length === 0, seen: left.length ? `still there: ${left.join(', ')}` : 'all gone' }
  })
  // In order, in tutorial time: the deletion, each node's pods gone, then the node.
  if (commandStartedAt === undefined) return
  const recorder = this.run.cluster!
  await this.within(30_000, "the run's recorder has seen the nodes deleted", async () => {
    const unseen = [...hosts].filter((n) => !(recorder.nodes.get(n) ?? []).some((s) => s.type === 'DELETED'))
    return { ok: unseen.length === 0, seen: unseen.length ? `not yet seen deleted: ${unseen.join(', ')}` : 'all seen deleted' }
  })
  const clock = this.run.tutorialTime
  await clock.sync()
  const deletedAt = terminationStart(deployment, recorder.pods, (o) => clock.of(o), commandStartedAt) ?? commandStartedAt
  this.subject.deletedAt = deletedAt
  const { stories, problems } = consolidationAfterDeletion({ deletedAt, app: deployment, hosts: [...hosts], pods: recorder.pods, nodes: recorder.nodes, instant: (o) => clock.of(o) })
  await attachHtml(
    `${deployment}: deleted, then its nodes removed`,
    htmlTable(`tutorial time from the deletion (${clock.source})`, ['node', 'its last pod gone', 'node deleted'], stories.map((x) => [x.node, since(deletedAt, x.emptiedAt), since(deletedAt, x.goneAt)])),
  )
  assert.deepEqual(problems, [], `the nodes were not removed after the workload:\n${problems.join('\n')}`)
})

Given(new RegExp(`^${WITHIN} no node that Karpenter launched remains$`), async function (this: SpotcheckWorld, amount: string, unit: string) {
  await this.within(parseTutorialDuration(Number(amount), unit), "Karpenter's nodes gone", async () => {
    const left = (await nodes(this)).filter(isKarpenterNode).map((n) => n.metadata!.name!)
    return { ok: left.length === 0, seen: left.length ? `still there: ${left.join(', ')}` : 'none left' }
  })
})

Then('the Spot nodes of the deployment {string} are still running', async function (this: SpotcheckWorld, deployment: string) {
  const pods = await podsOf(this, deployment)
  const all = await nodes(this)
  assert.ok(pods.length > 0, `no pods of ${deployment}`)
  const hosts = new Set(pods.map((p) => p.spec?.nodeName))
  for (const name of hosts) {
    const node = all.find((n) => n.metadata?.name === name)
    assert.ok(node && nodeReady(node), `${name} is not Ready`)
    assert.equal(capacityTypeOf(node), 'spot', `${name} capacity type`)
  }
  for (const p of pods) assert.equal(p.status?.phase, 'Running', `${p.metadata?.name}`)
  await attachHtml(
    `nodes of ${deployment}`,
    htmlTable(`nodes of ${deployment}`, ['node', 'capacity type', 'instance type', 'zone'], [...hosts].map((n) => all.find((x) => x.metadata?.name === n)!).map((n) => [n.metadata!.name!, capacityTypeOf(n), instanceTypeOf(n), zoneOf(n)])),
  )
})
