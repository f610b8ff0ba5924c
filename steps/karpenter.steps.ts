// What Karpenter does and says: its NodePool and EC2NodeClass, its log lines (parsed as JSON,
// fields compared), its NodeClaims, and how it handles a Spot interruption. The expectations
// live in support/expect/karpenter.ts.

import type { DataTable } from '@cucumber/cucumber'
import { Then } from '../support/step-registry.ts'
import { thatDeployment } from '../support/expect/cluster.ts'
import * as karpenter from '../support/expect/karpenter.ts'
import type { SpotcheckWorld } from '../support/world.ts'

Then('within {duration} the Karpenter log shows a line with:', async function (this: SpotcheckWorld, withinMs: number, table: DataTable) {
  await karpenter.eventuallyLogLine(this, withinMs, table.rowsHash())
})

Then('the Karpenter log shows a line with:', async function (this: SpotcheckWorld, table: DataTable) {
  await karpenter.expectLogLine(this, table.rowsHash())
})

Then('the Karpenter log shows the {string} controller deleting them by consolidation', async function (this: SpotcheckWorld, controller: string) {
  await karpenter.expectConsolidationDeletes(this, controller, thatDeployment(this))
})

Then(
  "that NodeClaim's requests are the {int} pods' plus the DaemonSets', which the tutorial's sample output shows as:",
  async function (this: SpotcheckWorld, pods: number, table: DataTable) {
    await karpenter.expectNodeClaimRequests(this, thatDeployment(this), pods, table.rowsHash())
  },
)

Then(
  "the Karpenter log shows {int} {string} lines, each for its share of the {int} pods plus the DaemonSets', which the tutorial's sample output shows as:",
  async function (this: SpotcheckWorld, count: number, message: string, pods: number, table: DataTable) {
    const sample = table.hashes().map((r) => ({ cpu: r.cpu, memory: r.memory, pods: r.pods }))
    await karpenter.expectSharedNodeClaimRequests(this, { count, message, deployment: thatDeployment(this), pods, sample })
  },
)

Then(
  'the {string} it lists are {int} names and "N other\\(s\\)": the rest of the instance types its NodeClaim allows',
  async function (this: SpotcheckWorld, key: string, names: number) {
    await karpenter.expectListedTypesAreTheNodeClaims(this, key, names)
  },
)

Then(
  "the NodePool {string} allows more than {int} of the region's instance types, all of the categories c, m or r with more than {int} vCPUs and more than {int} MiB of memory",
  async function (this: SpotcheckWorld, name: string, atLeast: number, cpus: number, memory: number) {
    await karpenter.expectNodePoolAllowsOffered(this, name, { atLeast, cpus, memory })
  },
)

Then(
  'within {duration} the EC2NodeClass {string} resolves the subnets and security groups tagged {string} = {string}',
  async function (this: SpotcheckWorld, withinMs: number, name: string, key: string, value: string) {
    await karpenter.eventuallyNodeClassResolves(this, withinMs, name, key, value)
  },
)

// ── the interruption ──────────────────────────────────────────────────────────────────────────

Then('that line names the interrupted node and its NodeClaim', function (this: SpotcheckWorld) {
  Object.assign(this.subject, karpenter.interruptedNodeNamedBy(this))
})

Then(
  "within {duration} the interrupted node carries Karpenter's disruption taint and its pods are evicted",
  async function (this: SpotcheckWorld, withinMs: number) {
    await karpenter.eventuallyTaintedAndDrained(this, withinMs)
  },
)

Then(
  'within {duration} the Karpenter log shows a "created nodeclaim" line for the evicted pods, with a replacement in the same zone',
  async function (this: SpotcheckWorld, withinMs: number) {
    this.subject.replacementNodeClaim = await karpenter.eventuallyReplacementLaunched(this, withinMs)
  },
)

Then('within {duration} the interrupted node is gone, and a replacement Spot node is Ready', async function (this: SpotcheckWorld, withinMs: number) {
  this.subject.node = await karpenter.eventuallyReplacedBySpotNode(this, withinMs)
})

Then('the replacement was Ready before EC2 reclaimed the interrupted instance', async function (this: SpotcheckWorld) {
  await karpenter.expectReadyBeforeReclaim(this)
})

Then('its instance type is the cheapest On-Demand type among those its NodeClaim allowed', async function (this: SpotcheckWorld) {
  await karpenter.expectCheapestOnDemand(this)
})
