// What the report shows in place of the tutorial's sample output: Karpenter's nodes with their
// price, the interruption timeline, the cost of the run's nodes, eks-node-viewer's view. The
// views are built in support/expect/report-views.ts (the timeline's events in support/expect/timeline.ts).

import { BeforeStep } from '@cucumber/cucumber'
import { Then } from '../support/step-registry.ts'
import { thatDeployment } from '../support/expect/cluster.ts'
import {
  eventuallyNodeViewerShowsNodes,
  showInterruptionTimeline,
  showKarpenterNodesWithPrice,
  showNodesOverTime,
  showRunsNodeCosts,
  showZoneSpread,
} from '../support/expect/report-views.ts'
import type { SpotcheckWorld } from '../support/world.ts'

Then('the report shows the Karpenter nodes with their capacity type, instance type, zone and price', async function (this: SpotcheckWorld) {
  await showKarpenterNodesWithPrice(this)
})

Then(
  'the report shows the interruption timeline: experiment started, message queued, node tainted, replacement launched, pods Running',
  async function (this: SpotcheckWorld) {
    await showInterruptionTimeline(this, thatDeployment(this))
  },
)

Then("the report shows what the run's nodes cost, Spot and On-Demand", async function (this: SpotcheckWorld) {
  await showRunsNodeCosts(this)
})

// Each section's chart of nodes and pods covers the section: from its first step to the chart's.
// Its start is the tutorial instant of the section's first step (the target's clock).
const sectionStartedAt = new Map<string, number>()
BeforeStep(async function (this: SpotcheckWorld) {
  if (sectionStartedAt.has(this.scenario.uri) || !this.run.target) return
  sectionStartedAt.set(this.scenario.uri, await this.run.tutorialTime.now().catch(() => Number.NaN))
})

Then('the report shows the nodes and pods over time, by capacity type', async function (this: SpotcheckWorld) {
  await showNodesOverTime(this, sectionStartedAt.get(this.scenario.uri))
})

Then('the report shows the zone spread of the deployment {string}', async function (this: SpotcheckWorld, deployment: string) {
  await showZoneSpread(this, deployment)
})

Then(
  'within {duration} it shows each node with its instance type, the share of its CPU the pods request, and its price',
  async function (this: SpotcheckWorld, withinMs: number) {
    await eventuallyNodeViewerShowsNodes(this, withinMs, this.background.get('it'))
  },
)
