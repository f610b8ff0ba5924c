// What the report shows in place of the tutorial's sample output: Karpenter's nodes with their
// price, the interruption timeline, the cost of the run's nodes, eks-node-viewer's view.

import assert from 'node:assert/strict'
import { BeforeStep } from '@cucumber/cucumber'
import { step } from '../support/step-registry.ts'
import { parseTutorialDuration } from '../support/eventually.ts'
import { capacityTypeOf, instanceTypeOf, isKarpenterNode, nodeReady, zoneOf } from '../support/kube.ts'
import { field } from '../support/recorders.ts'
import { isTaint, taintText } from '../support/karpenter-api.ts'
import { hourlyPrice, onDemandPrices, PriceNotFoundError, SPOT_PRICE_SOURCE, usd } from '../support/prices.ts'
import { attachHtml, attachText, htmlTable } from '../support/report.ts'
import { attachChart, capacityOverTime, costChart, nodesOverTimeChart, timelineChart, usdText, zoneSpreadChart, type CostRow, type Lane, type TimelineEvent } from '../support/charts.ts'
import { nodeViewerScreen } from '../support/node-viewer-screen.ts'
import type { SpotcheckWorld } from '../support/world.ts'
import { nodes, podsOf } from './kubernetes.steps.ts'
import { SPOT_NOTICE_MS } from './karpenter.steps.ts'

step('the report shows the Karpenter nodes with their capacity type, instance type, zone and price', async function (this: SpotcheckWorld) {
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

step('the report shows the interruption timeline: experiment started, message queued, node tainted, replacement launched, pods Running', async function (this: SpotcheckWorld) {
  const s = this.subject
  const run = this.run
  assert.ok(s.experimentStartedAt && s.interruptedInstance && s.interruptedNode, 'the interruption has not been followed in this scenario')
  const warning = run.observer?.warnings().find((w) => w.instanceId === s.interruptedInstance)
  const taint = run.karpenter.disruptionTaint
  const taintedAt = (run.cluster!.nodes.get(s.interruptedNode) ?? []).find((x) => (x.object.spec?.taints ?? []).some((t) => isTaint(t, taint)))?.at
  const lines = run.karpenterLog!.lines
  const launched = lines.find((l) => field(l, 'message') === 'launched nodeclaim' && field(l, 'nodeclaim') === s.replacementNodeClaim)
  const readyAt = s.node ? (run.cluster!.nodes.get(s.node) ?? []).find((x) => nodeReady(x.object))?.at : undefined
  // The evicted pods: the deployment's pods that ran on the replacement; Running when the last of them was.
  let podsRunningAt: number | undefined
  for (const history of run.cluster!.pods.values()) {
    if (history[0].object.metadata?.labels?.app !== 'stateless') continue
    const running = history.find((x) => x.object.status?.phase === 'Running' && x.object.spec?.nodeName === s.node)
    if (running) podsRunningAt = Math.max(podsRunningAt ?? 0, running.at)
  }
  const reclaimedAt = await run.observer?.terminationTime(s.interruptedInstance)
  const events: [string, number | undefined][] = [
    ['FIS experiment started', s.experimentStartedAt],
    ['Spot interruption warning on the event bus', warning?.time],
    ['Karpenter: initiating delete from interruption message', s.interruptionAt],
    [`interrupted node tainted ${taintText(taint)}`, taintedAt],
    ['Karpenter: replacement NodeClaim launched', launched?.receivedAt],
    ['replacement node Ready', readyAt],
    ['evicted pods Running on the replacement', podsRunningAt],
    ['instance terminated (Karpenter, once drained)', reclaimedAt],
    ['the 2-minute notice ends: EC2 would reclaim it', warning ? warning.time + 999 + SPOT_NOTICE_MS / run.target!.timeScale : undefined],
  ]
  const scale = run.target!.timeScale
  const t0 = s.experimentStartedAt
  await attachHtml(
    'interruption timeline',
    htmlTable(
      `Spot interruption of ${s.interruptedNode} (${s.interruptedInstance}); times in tutorial time from the experiment's start`,
      ['event', 'at'],
      events.map(([what, at]) => [what, at === undefined ? 'not seen' : `+${(((at - t0) * scale) / 1000).toFixed(1)} s`]),
    ),
  )
  const seen = events.filter(([, at]) => at !== undefined) as [string, number][]
  assert.ok(seen.length >= 6, `the run saw only: ${seen.map(([w]) => w).join(', ')}`)
  for (const [what, at] of [events[3], events[4], events[5]]) assert.ok(at === undefined || at >= t0, `${what} before the experiment started`)
  if (taintedAt && launched) assert.ok(launched.receivedAt >= taintedAt - 1_000, 'the replacement launched before the node was tainted')
  // The picture (helper charts): the events above, a lane per actor.
  const lanes: Lane[] = ['EC2 / FIS', 'EventBridge / SQS', 'Karpenter', 'node', 'Karpenter', 'node', 'pods', 'EC2 / FIS', 'EC2 / FIS']
  const timeline: TimelineEvent[] = events.map(([label, at], i) => ({ key: String(i), label, lane: lanes[i], atMs: at === undefined ? undefined : (at - t0) * scale }))
  await attachChart('interruption timeline', await timelineChart(timeline, `Spot interruption of ${s.interruptedNode} (${s.interruptedInstance})`), htmlTable('interruption timeline', ['event', 'lane', 'at (tutorial time)'], timeline.map((e) => [e.label, e.lane, e.atMs === undefined ? 'not seen' : `+${(e.atMs / 1000).toFixed(1)} s`])))
})

step('the report shows what the run\'s nodes cost, Spot and On-Demand', async function (this: SpotcheckWorld) {
  const run = this.run
  const scale = run.target!.timeScale
  const rows: (string | number)[][] = []
  const costs: CostRow[] = []
  let spot = 0
  let onDemand = 0
  for (const history of run.cluster?.nodes.values() ?? []) {
    const last = history.filter((x) => x.type !== 'DELETED').at(-1)?.object
    if (!last || !isKarpenterNode(last)) continue
    const start = history[0].at
    const end = history.find((x) => x.type === 'DELETED')?.at ?? Date.now()
    const hours = ((end - start) * scale) / 3_600_000
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
const sectionStartedAt = new Map<string, number>()
BeforeStep(function (this: SpotcheckWorld) {
  if (!sectionStartedAt.has(this.scenario.uri)) sectionStartedAt.set(this.scenario.uri, Date.now())
})

step('the report shows the nodes and pods over time, by capacity type', async function (this: SpotcheckWorld) {
  const run = this.run
  assert.ok(run.cluster, 'the run is not watching the cluster')
  const from = sectionStartedAt.get(this.scenario.uri) ?? Date.now()
  const points = capacityOverTime(run.cluster.nodes, run.cluster.pods, from, Date.now(), run.target!.timeScale)
  await attachChart(
    'nodes and pods over time',
    await nodesOverTimeChart(points, `${this.scenario.feature}: nodes and pods over time, by capacity type`),
    htmlTable('nodes and pods over time (tutorial time since the section started)', ['at', 'capacity type', 'nodes', 'pods Running'], points.map((p) => [`+${(p.atMs / 1000).toFixed(1)} s`, p.capacityType, p.nodes, p.pods]), [2, 3]),
  )
  assert.ok(points.some((p) => p.nodes > 0), 'the run saw no node during this section')
})

step('the report shows the zone spread of the deployment {string}', async function (this: SpotcheckWorld, deployment: string) {
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

step(new RegExp(`^within (\\d+) (seconds?|minutes?) it shows each node with its instance type, the share of its CPU the pods request, and its price$`), async function (this: SpotcheckWorld, amount: string, unit: string) {
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
