// What the cluster shows: pods, nodes, their labels and zones — asserted through client-node. The
// expectations live in support/expect/cluster.ts.

import assert from 'node:assert/strict'
import { Then } from '../support/step-registry.ts'
import * as cluster from '../support/expect/cluster.ts'
import type { SpotcheckWorld } from '../support/world.ts'

Then(
  'within {duration} {int} pods labelled {string} run in the namespace {string}, each {int}\\/{int} Ready',
  async function (this: SpotcheckWorld, withinMs: number, count: number, selector: string, namespace: string, ready: number, containers: number) {
    await cluster.eventuallyLabelledPodsReady(this, withinMs, { count, selector, namespace, ready, containers })
  },
)

Then('the Karpenter pods run on nodes labelled {string} whose capacity type is On-Demand', async function (this: SpotcheckWorld, label: string) {
  const [key, value] = label.split('=')
  await cluster.expectKarpenterPodsOnOnDemand(this, key, value)
})

Then(
  'the {int} pods of the deployment {string} are Pending at first, because no node matches them',
  async function (this: SpotcheckWorld, count: number, deployment: string) {
    this.subject.deployment = deployment
    await cluster.expectPendingAtFirst(this, count, deployment)
  },
)

Then(
  'within {duration} all {int} pods of the deployment {string} are Running( again)',
  async function (this: SpotcheckWorld, withinMs: number, count: number, deployment: string) {
    this.subject.deployment = deployment
    await cluster.eventuallyAllRunning(this, withinMs, count, deployment)
  },
)

Then(
  'within {duration} all {int} pods of the deployment {string} are Running on a single node',
  async function (this: SpotcheckWorld, withinMs: number, count: number, deployment: string) {
    this.subject.deployment = deployment
    const pods = await cluster.eventuallyAllRunning(this, withinMs, count, deployment)
    this.subject.node = cluster.singleNodeOf(pods)
    await cluster.expectPendingThenRunning(this, pods, withinMs)
  },
)

Then(
  'they run on {int} nodes in {int} different zones, {int}, {int} and {int} pods per zone',
  async function (this: SpotcheckWorld, nodeCount: number, zoneCount: number, a: number, b: number, c: number) {
    await cluster.expectZoneSpread(this, cluster.thatDeployment(this), nodeCount, zoneCount, [a, b, c])
  },
)

Then(
  'that node is labelled {string} = {string} and {string} = {string}',
  async function (this: SpotcheckWorld, k1: string, v1: string, k2: string, v2: string) {
    const node = await cluster.thatNode(this)
    assert.equal(node.metadata?.labels?.[k1], v1, `${node.metadata?.name} ${k1}`)
    assert.equal(node.metadata?.labels?.[k2], v2, `${node.metadata?.name} ${k2}`)
  },
)

Then('its instance type is one the NodePool {string} allows', async function (this: SpotcheckWorld, nodePool: string) {
  await cluster.expectNodeAllowedByNodePool(this, nodePool)
})

Then('every INSTANCE-TYPE it lists is one the NodePool {string} allows', async function (this: SpotcheckWorld, nodePool: string) {
  const rows = cluster.listedRows(this)
  assert.ok(rows.length > 0, 'the table is empty')
  for (const r of rows) await cluster.expectAllowedByNodePool(this, nodePool, r['INSTANCE-TYPE'], r['CAPACITY-TYPE'], r.ZONE)
})

Then(
  'it lists {int} nodes, each with CAPACITY-TYPE {string}, in {int} different ZONEs',
  function (this: SpotcheckWorld, count: number, capacity: string, zones: number) {
    const rows = cluster.expectListedNodes(this, count, capacity)
    assert.equal(new Set(rows.map((r) => r.ZONE)).size, zones, `zones: ${rows.map((r) => r.ZONE).join(', ')}`)
  },
)

Then('it lists {int} node, with CAPACITY-TYPE {string}', function (this: SpotcheckWorld, count: number, capacity: string) {
  cluster.expectListedNodes(this, count, capacity)
})

Then(
  'within {duration} no node that Karpenter launched for the deployment {string} remains',
  async function (this: SpotcheckWorld, withinMs: number, deployment: string) {
    this.subject.deployment = deployment
    this.subject.deletedAt = await cluster.eventuallyNodesOfDeploymentGone(this, withinMs, deployment)
  },
)

Then('the Spot nodes of the deployment {string} are still running', async function (this: SpotcheckWorld, deployment: string) {
  await cluster.expectOnReadySpotNodes(this, deployment)
})
