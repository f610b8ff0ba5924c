// What the report shows in place of the tutorial's sample output: Karpenter's nodes with their
// price, the interruption timeline, the cost of the run's nodes, eks-node-viewer's view.

import assert from 'node:assert/strict'
import { BeforeStep } from '@cucumber/cucumber'
import { Then } from '../support/step-registry.ts'
import { parseTutorialDuration } from '../support/eventually.ts'
import { capacityTypeOf, instanceTypeOf, isKarpenterNode, nodeReady, zoneOf } from '../support/kube.ts'
import { assertTimeline, interruptionTimeline, timelineRows, type TimelineEvent } from '../support/expect/timeline.ts'
import { isTaint, taintText } from '../support/karpenter-api.ts'
import { hourlyPrice, onDemandPrices, PriceNotFoundError, SPOT_PRICE_SOURCE, usd } from '../support/prices.ts'
import { attachHtml, attachText, htmlTable } from '../support/report.ts'
import { attachChart, capacityOverTime, costChart, nodesOverTimeChart, timelineChart, usdText, zoneSpreadChart, type CostRow } from '../support/charts.ts'
import { nodeViewerScreen } from '../support/node-viewer-screen.ts'
import type { SpotcheckWorld } from '../support/world.ts'
import { nodes, podsOf } from '../support/expect/cluster.ts'

Then('the report shows the Karpenter nodes with their capacity type, instance type, zone and price', async function (this: SpotcheckWorld) {
  const karpenter = (await nodes(this)).filter(isKarpenterNode)
  assert.ok(karpenter.length > 0, 'Karpenter has no nodes')
  const rows: (string | number)[][] = []
  for (const n of karpenter) {
    const { price, source } = await hourlyPrice(this.run.target!, this.run.aws.ec2, capacityTypeOf(n), instanceTypeOf(n), zoneOf(n))
    assert.ok(price !== undefined, `no price for ${instanceTypeOf(n)} (${capacityTypeOf(n)}) in ${zoneOf(n)}`)
    rows.push([n.metadata!.name!, capacityTypeOf(n), instanceTypeOf(n), zoneOf(n), nodeReady(n) ? 'Ready' : 'NotReady', `${usd(price)}/h`, source])
  }
  await attachHtml("Karpenter's nodes", htmlTable("Karpenter's nodes", ['node', 'capacity type', 'instance type', 'zone', 'status', 'price', 'price source'], rows))
})

/**
 * The interruption timeline of this scenario, in tutorial time from the experiment's start, from
 * the run's histories (support/expect/timeline.ts). Also kept on the world for the chart.
 */
export async function interruptionTimelineOf(world: SpotcheckWorld): Promise<TimelineEvent[]> {
  const s = world.subject
  const run = world.run
  assert.ok(s.experimentStartedAt && s.interruptedInstance && s.interruptedNode, 'the interruption has not been followed in this scenario')
  const clock = run.tutorialTime
  await clock.sync()
  const taint = run.karpenter.disruptionTaint
  const events = interruptionTimeline({
    experimentStartedAt: s.experimentStartedTutorialAt ?? clock.of({ at: s.experimentStartedAt })!,
    interruptedInstance: s.interruptedInstance,
    interruptedNode: s.interruptedNode,
    replacementNodeClaim: s.replacementNodeClaim,
    replacementNode: s.node,
    app: 'stateless',
    nodes: run.cluster!.nodes,
    pods: run.cluster!.pods,
    lines: run.karpenterLog!.lines,
    ec2Events: run.observer?.events ?? [],
    isDisruptionTaint: (t) => isTaint(t, taint),
    taintText: taintText(taint),
    instant: (o) => clock.of(o),
    stamped: (ms) => clock.stamped(ms),
  })
  world.timeline = events
  return events
}

Then('the report shows the interruption timeline: experiment started, message queued, node tainted, replacement launched, pods Running', async function (this: SpotcheckWorld) {
  const events = await interruptionTimelineOf(this)
  const s = this.subject
  const title = `Spot interruption of ${s.interruptedNode} (${s.interruptedInstance}); tutorial time from the experiment's start (${this.run.tutorialTime.source})`
  await attachChart('interruption timeline', await timelineChart(events, `Spot interruption of ${s.interruptedNode} (${s.interruptedInstance})`), htmlTable(title, ['event', 'actor', 'at'], timelineRows(events)))
  const at = (key: string) => events.find((e) => e.key === key)?.atMs
  const warning = at('warning')
  this.run.timings.duration('interruption warning → replacement Ready', warning !== undefined && at('ready') !== undefined ? at('ready')! - warning : undefined)
  try {
    assertTimeline(events)
  } catch (error) {
    await attachText('interruption timeline: what the run recorded', timelineEvidence(this))
    throw error
  }
})

/** On a failure: the pods and nodes the timeline reads, each sighting with its tutorial instant. */
function timelineEvidence(world: SpotcheckWorld): string {
  const s = world.subject
  const run = world.run
  const clock = run.tutorialTime
  const t0 = s.experimentStartedTutorialAt ?? 0
  const when = (x: { at: number; rv?: string }) => {
    const t = clock.of(x)
    return t === undefined ? 'no tutorial instant' : `+${((t - t0) / 1000).toFixed(1)} s`
  }
  const out = [`interrupted node ${s.interruptedNode}, replacement NodeClaim ${s.replacementNodeClaim ?? '?'}, replacement node ${s.node ?? '?'}`]
  for (const name of [s.interruptedNode, s.node]) {
    if (!name) continue
    out.push(`node ${name}:`)
    for (const x of run.cluster!.nodes.get(name) ?? []) out.push(`  ${when(x)} ${x.type} rv ${x.rv} ${nodeReady(x.object) ? 'Ready' : 'NotReady'} taints ${(x.object.spec?.taints ?? []).map((t) => t.key).join(',') || '-'}`)
  }
  for (const [key, history] of run.cluster!.pods) {
    if (history[0]?.object.metadata?.labels?.app !== 'stateless') continue
    if (!history.some((x) => [s.interruptedNode, s.node].includes(x.object.spec?.nodeName))) continue
    out.push(`pod ${key}:`)
    for (const x of history) out.push(`  ${when(x)} ${x.type} rv ${x.rv} ${x.object.status?.phase ?? '-'} on ${x.object.spec?.nodeName ?? '-'}${x.object.metadata?.deletionTimestamp ? ' (deleting)' : ''}`)
  }
  return out.join('\n')
}

Then('the report shows what the run\'s nodes cost, Spot and On-Demand', async function (this: SpotcheckWorld) {
  const run = this.run
  const rows: (string | number)[][] = []
  const costs: CostRow[] = []
  let spot = 0
  let onDemand = 0
  // Lifetimes in tutorial time: from the node's creation to its deletion (the writes' tutorial
  // instants; the wall clock on AWS), or to now for a node still there.
  const clock = run.tutorialTime
  await clock.sync()
  const now = await clock.now()
  for (const history of run.cluster?.nodes.values() ?? []) {
    const last = history.filter((x) => x.type !== 'DELETED').at(-1)?.object
    if (!last || !isKarpenterNode(last)) continue
    const start = clock.of(history[0]) ?? now
    const deleted = history.find((x) => x.type === 'DELETED')
    const end = (deleted && clock.of(deleted)) ?? now
    const hours = Math.max(0, end - start) / 3_600_000
    const { price } = await hourlyPrice(run.target!, run.aws.ec2, capacityTypeOf(last), instanceTypeOf(last), zoneOf(last))
    const cost = (price ?? 0) * hours
    if (capacityTypeOf(last) === 'spot') spot += cost
    else onDemand += cost
    // The saving of a Spot node needs its type's On-Demand price; without one the column says so.
    const odPrice = await onDemandPrices(run.target!)
      .price(instanceTypeOf(last))
      .then((p) => p.usdPerHour)
      .catch((e: unknown) => {
        if (e instanceof PriceNotFoundError) return undefined
        throw e
      })
    const ct = capacityTypeOf(last)
    if (ct === 'spot' || ct === 'on-demand') costs.push({ capacityType: ct, usd: cost, onDemandUsd: ct === 'spot' && odPrice !== undefined ? odPrice * hours : undefined })
    rows.push([last.metadata!.name!, capacityTypeOf(last), instanceTypeOf(last), zoneOf(last), `${(hours * 60).toFixed(1)} min`, `${usd(price)}/h`, usd(cost), odPrice && price ? `${Math.round((1 - price / odPrice) * 100)}%` : odPrice === undefined ? 'no On-Demand list price' : ''])
  }
  rows.push(['total', '', '', '', '', '', usd(spot + onDemand), `Spot ${usd(spot)}, On-Demand ${usd(onDemand)}`])
  await attachHtml(
    "cost of the run's nodes",
    htmlTable(`what Karpenter's nodes cost during the run (tutorial time; the managed node group and the control plane not included). Spot prices: ${SPOT_PRICE_SOURCE}; On-Demand prices: ${onDemandPrices(run.target!).source}`, ['node', 'capacity type', 'instance type', 'zone', 'lifetime', 'price', 'cost', 'saving vs On-Demand'], rows),
  )
  await attachChart("cost of the run's nodes", await costChart(costs, "what Karpenter's nodes cost during the run, Spot and On-Demand"), htmlTable('cost by capacity type', ['capacity type', 'nodes', 'cost'], (['spot', 'on-demand'] as const).map((ct) => [ct, costs.filter((c) => c.capacityType === ct).length, usdText(costs.filter((c) => c.capacityType === ct).reduce((a, c) => a + c.usd, 0))])))
  assert.ok(rows.length > 1, 'the run saw no Karpenter node')
})

// Each section's chart of nodes and pods covers the section: from its first step to the chart's.
// Its start is the tutorial instant of the section's first step (the target's clock).
const sectionStartedAt = new Map<string, number>()
BeforeStep(async function (this: SpotcheckWorld) {
  if (sectionStartedAt.has(this.scenario.uri) || !this.run.target) return
  sectionStartedAt.set(this.scenario.uri, await this.run.tutorialTime.now().catch(() => Number.NaN))
})

Then('the report shows the nodes and pods over time, by capacity type', async function (this: SpotcheckWorld) {
  const run = this.run
  assert.ok(run.cluster, 'the run is not watching the cluster')
  const clock = run.tutorialTime
  await clock.sync()
  const to = await clock.now()
  const started = sectionStartedAt.get(this.scenario.uri)
  const from = started !== undefined && Number.isFinite(started) ? started : to
  const points = capacityOverTime(run.cluster.nodes, run.cluster.pods, from, to, (s) => clock.of(s))
  await attachChart(
    'nodes and pods over time',
    await nodesOverTimeChart(points, `${this.scenario.feature}: nodes and pods over time, by capacity type`),
    htmlTable('nodes and pods over time (tutorial time since the section started)', ['at', 'capacity type', 'nodes', 'pods Running'], points.map((p) => [`+${(p.atMs / 1000).toFixed(1)} s`, p.capacityType, p.nodes, p.pods]), [2, 3]),
  )
  assert.ok(points.some((p) => p.nodes > 0), 'the run saw no node during this section')
})

Then('the report shows the zone spread of the deployment {string}', async function (this: SpotcheckWorld, deployment: string) {
  const all = await nodes(this)
  const perZone = new Map<string, { zone: string; capacityType: string; nodes: Set<string>; pods: number }>()
  for (const p of await podsOf(this, deployment)) {
    const node = all.find((n) => n.metadata?.name === p.spec?.nodeName)
    if (!node) continue
    const key = `${zoneOf(node)} ${capacityTypeOf(node)}`
    const row = perZone.get(key) ?? { zone: zoneOf(node), capacityType: capacityTypeOf(node), nodes: new Set<string>(), pods: 0 }
    row.nodes.add(node.metadata!.name!)
    row.pods++
    perZone.set(key, row)
  }
  const rows = [...perZone.values()].map((r) => ({ zone: r.zone, capacityType: r.capacityType, nodes: r.nodes.size, pods: r.pods }))
  await attachChart('zone spread', await zoneSpreadChart(rows, `the pods of "${deployment}" by zone`), htmlTable(`the pods of "${deployment}" by zone`, ['zone', 'capacity type', 'nodes', 'pods'], rows.map((r) => [r.zone, r.capacityType, r.nodes, r.pods]), [2, 3]))
  assert.ok(rows.length > 0, `no pod of "${deployment}" runs on a node`)
})

Then(new RegExp(`^within (\\d+) (seconds?|minutes?) it shows each node with its instance type, the share of its CPU the pods request, and its price$`), async function (this: SpotcheckWorld, amount: string, unit: string) {
  const command = this.background.get('it')
  assert.ok(command, 'eks-node-viewer is not running')
  // Its screen after the last frame it finished drawing (support/node-viewer-screen.ts reads the
  // terminal output of the real Bubble Tea program and of the sandbox's alike), against the nodes
  // that exist now (consolidation may remove some meanwhile).
  let screen = nodeViewerScreen(command.output)
  await this.within(parseTutorialDuration(Number(amount), unit), 'eks-node-viewer shows every node', async () => {
    if (!command.running) {
      const r = await command.wait()
      throw new Error(`eks-node-viewer exited (exit ${r.exitCode}):\n${nodeViewerScreen(r.output).lines.join('\n') || r.output.slice(-2000)}`)
    }
    screen = nodeViewerScreen(command.output)
    const expected = (await nodes(this)).map((n) => ({ name: n.metadata!.name!, type: instanceTypeOf(n) }))
    const missing = expected.filter((n) => !screen.nodes.some((s) => s.name === n.name && s.instanceType === n.type && s.price !== undefined))
    const seen = !screen.header ? 'nothing drawn yet' : missing.length ? `not shown with type and price: ${missing.map((n) => n.name).join(', ')}` : 'all shown'
    return { ok: screen.header !== undefined && missing.length === 0, seen }
  })
  assert.equal(screen.header?.nodes, screen.nodes.length, `the summary counts ${screen.header?.nodes} nodes, the screen lists ${screen.nodes.length}`)
  await attachText('eks-node-viewer (its screen)', screen.lines.join('\n'))
})
