// What the report shows in place of the tutorial's sample output, built from the run: Karpenter's
// nodes with their price, the interruption timeline, what the run's nodes cost, the nodes and pods over time, a deployment's
// zone spread, and eks-node-viewer's screen checked against the nodes. Each attaches its table
// (and chart) and asserts that it had something to show.

import assert from 'node:assert/strict'
import { attachChart, capacityOverTime, costChart, nodesOverTimeChart, timelineChart, usdText, zoneSpreadChart, type CostRow, type ZoneRow } from '../charts.ts'
import { capacityTypeOf, instanceTypeOf, isKarpenterNode, nodeReady, zoneOf, type Node, type Pod } from '../kube.ts'
import { nodeViewerScreen, type NodeViewerScreen } from '../node-viewer-screen.ts'
import { hourlyPrice, onDemandPrices, PriceNotFoundError, SPOT_PRICE_SOURCE, usd } from '../prices.ts'
import type { Sighting } from '../recorders.ts'
import { attachHtml, attachText, htmlTable } from '../report.ts'
import type { BackgroundCommand } from '../shell.ts'
import type { Observed } from '../tutorial-time.ts'
import type { SpotcheckWorld } from '../world.ts'
import { nodes, podsOf } from './cluster.ts'
import { assertTimeline, timelineRows } from './timeline.ts'
import { interruptionEvidence, interruptionTimelineOf } from './run-timeline.ts'

/** Karpenter's nodes now, each with its capacity type, instance type, zone, status and hourly price. */
export async function showKarpenterNodesWithPrice(world: SpotcheckWorld): Promise<void> {
  const karpenter = (await nodes(world)).filter(isKarpenterNode)
  assert.ok(karpenter.length > 0, 'Karpenter has no nodes')
  const rows: (string | number)[][] = []
  for (const n of karpenter) {
    const { price, source } = await hourlyPrice(world.run.session, world.run.aws.ec2, capacityTypeOf(n), instanceTypeOf(n), zoneOf(n))
    assert.ok(price !== undefined, `no price for ${instanceTypeOf(n)} (${capacityTypeOf(n)}) in ${zoneOf(n)}`)
    rows.push([String(n.metadata?.name), capacityTypeOf(n), instanceTypeOf(n), zoneOf(n), nodeReady(n) ? 'Ready' : 'NotReady', `${usd(price)}/h`, source])
  }
  await attachHtml(
    "Karpenter's nodes",
    htmlTable("Karpenter's nodes", ['node', 'capacity type', 'instance type', 'zone', 'status', 'price', 'price source'], rows),
  )
}

/**
 * The scenario's interruption timeline (support/expect/timeline.ts) as a chart and a table, its
 * warning → replacement Ready for the run's timings, then asserted as the tutorial tells it; on a
 * failure, what the run recorded of the nodes and of `app`'s pods on them.
 */
export async function showInterruptionTimeline(world: SpotcheckWorld, app: string): Promise<void> {
  const events = await interruptionTimelineOf(world, app)
  const s = world.subject
  const title = `Spot interruption of ${s.interruptedNode} (${s.interruptedInstance})`
  await attachChart(
    'interruption timeline',
    await timelineChart(events, title),
    htmlTable(`${title}; tutorial time from the experiment's start (${world.run.tutorialTime.source})`, ['event', 'actor', 'at'], timelineRows(events)),
  )
  const at = (key: string) => events.find((e) => e.key === key)?.atMs
  const warning = at('warning')
  const ready = at('ready')
  world.run.timings.duration('interruption warning → replacement Ready', warning !== undefined && ready !== undefined ? ready - warning : undefined)
  try {
    assertTimeline(events)
  } catch (error) {
    await attachText('interruption timeline: what the run recorded', interruptionEvidence(world, app))
    throw error
  }
}

/**
 * A node's lifetime in tutorial time: from its creation to its deletion (the writes' tutorial
 * instants; the wall clock on AWS), or to `now` for a node still there; its last state before the
 * deletion. Undefined for a history with no state.
 */
export function lifetimeOf(
  history: readonly Sighting<Node>[],
  instant: (o: Observed) => number | undefined,
  now: number,
): { node: Node; hours: number } | undefined {
  const node = history.filter((x) => x.type !== 'DELETED').at(-1)?.object
  if (!node) return undefined
  const start = instant(history[0]) ?? now
  const deleted = history.find((x) => x.type === 'DELETED')
  const end = (deleted && instant(deleted)) ?? now
  return { node, hours: Math.max(0, end - start) / 3_600_000 }
}

/** A Spot node's saving against its type's On-Demand price, as the cost table shows it. */
export function savingText(price: number | undefined, onDemandPrice: number | undefined): string {
  if (onDemandPrice === undefined) return 'no On-Demand list price'
  return onDemandPrice && price ? `${Math.round((1 - price / onDemandPrice) * 100)}%` : ''
}

/** What every Karpenter node the run saw cost over its lifetime, Spot and On-Demand, with the saving against On-Demand. */
export async function showRunsNodeCosts(world: SpotcheckWorld): Promise<void> {
  const run = world.run
  const prices = onDemandPrices(run.session)
  const rows: (string | number)[][] = []
  const costs: CostRow[] = []
  const total = { spot: 0, onDemand: 0 }
  const clock = run.tutorialTime
  await clock.sync()
  const now = await clock.now()
  for (const history of run.recorder.nodes.values()) {
    const life = lifetimeOf(history, (o) => clock.of(o), now)
    if (!life || !isKarpenterNode(life.node)) continue
    const { node, hours } = life
    const ct = capacityTypeOf(node)
    const { price } = await hourlyPrice(run.session, run.aws.ec2, ct, instanceTypeOf(node), zoneOf(node))
    const cost = (price ?? 0) * hours
    if (ct === 'spot') total.spot += cost
    else total.onDemand += cost
    // The saving of a Spot node needs its type's On-Demand price; without one the column says so.
    const odPrice = await prices
      .price(instanceTypeOf(node))
      .then((p) => p.usdPerHour)
      .catch((e: unknown) => {
        if (e instanceof PriceNotFoundError) return undefined
        throw e
      })
    if (ct === 'spot' || ct === 'on-demand')
      costs.push({ capacityType: ct, usd: cost, onDemandUsd: ct === 'spot' && odPrice !== undefined ? odPrice * hours : undefined })
    rows.push([
      String(node.metadata?.name),
      ct,
      instanceTypeOf(node),
      zoneOf(node),
      `${(hours * 60).toFixed(1)} min`,
      `${usd(price)}/h`,
      usd(cost),
      savingText(price, odPrice),
    ])
  }
  rows.push(['total', '', '', '', '', '', usd(total.spot + total.onDemand), `Spot ${usd(total.spot)}, On-Demand ${usd(total.onDemand)}`])
  await attachHtml(
    "cost of the run's nodes",
    htmlTable(
      `what Karpenter's nodes cost during the run (tutorial time; the managed node group and the control plane not included). Spot prices: ${SPOT_PRICE_SOURCE}; On-Demand prices: ${prices.source}`,
      ['node', 'capacity type', 'instance type', 'zone', 'lifetime', 'price', 'cost', 'saving vs On-Demand'],
      rows,
    ),
  )
  const byType = (['spot', 'on-demand'] as const).map((ct) => [
    ct,
    costs.filter((c) => c.capacityType === ct).length,
    usdText(costs.filter((c) => c.capacityType === ct).reduce((a, c) => a + c.usd, 0)),
  ])
  await attachChart(
    "cost of the run's nodes",
    await costChart(costs, "what Karpenter's nodes cost during the run, Spot and On-Demand"),
    htmlTable('cost by capacity type', ['capacity type', 'nodes', 'cost'], byType),
  )
  assert.ok(rows.length > 1, 'the run saw no Karpenter node')
}

/** The nodes and the Running pods by capacity type, from `from` (tutorial time; now when unknown) to now. */
export async function showNodesOverTime(world: SpotcheckWorld, from: number | undefined): Promise<void> {
  const recorder = world.run.recorder
  const clock = world.run.tutorialTime
  await clock.sync()
  const to = await clock.now()
  const start = from !== undefined && Number.isFinite(from) ? from : to
  const points = capacityOverTime(recorder.nodes, recorder.pods, start, to, (s) => clock.of(s))
  await attachChart(
    'nodes and pods over time',
    await nodesOverTimeChart(points, `${world.scenario.feature}: nodes and pods over time, by capacity type`),
    htmlTable(
      'nodes and pods over time (tutorial time since the section started)',
      ['at', 'capacity type', 'nodes', 'pods Running'],
      points.map((p) => [`+${(p.atMs / 1000).toFixed(1)} s`, p.capacityType, p.nodes, p.pods]),
      [2, 3],
    ),
  )
  assert.ok(
    points.some((p) => p.nodes > 0),
    'the run saw no node during this section',
  )
}

/** The pods by zone and capacity type, with the number of nodes they run on; pods on no known node left out. */
export function zoneRows(pods: readonly Pod[], all: readonly Node[]): ZoneRow[] {
  const perZone = new Map<string, { zone: string; capacityType: string; nodes: Set<string>; pods: number }>()
  for (const p of pods) {
    const node = all.find((n) => n.metadata?.name === p.spec?.nodeName)
    if (!node) continue
    const key = `${zoneOf(node)} ${capacityTypeOf(node)}`
    const row = perZone.get(key) ?? { zone: zoneOf(node), capacityType: capacityTypeOf(node), nodes: new Set<string>(), pods: 0 }
    row.nodes.add(String(node.metadata?.name))
    row.pods++
    perZone.set(key, row)
  }
  return [...perZone.values()].map((r) => ({ zone: r.zone, capacityType: r.capacityType, nodes: r.nodes.size, pods: r.pods }))
}

/** The deployment's pods by zone, as a chart and a table. */
export async function showZoneSpread(world: SpotcheckWorld, deployment: string): Promise<void> {
  const rows = zoneRows(await podsOf(world, deployment), await nodes(world))
  const title = `the pods of "${deployment}" by zone`
  await attachChart(
    'zone spread',
    await zoneSpreadChart(rows, title),
    htmlTable(
      title,
      ['zone', 'capacity type', 'nodes', 'pods'],
      rows.map((r) => [r.zone, r.capacityType, r.nodes, r.pods]),
      [2, 3],
    ),
  )
  assert.ok(rows.length > 0, `no pod of "${deployment}" runs on a node`)
}

/** The nodes (name and instance type) the screen does not show with their type and a price. */
export function missingFromScreen(screen: NodeViewerScreen, expected: readonly { name: string; type: string }[]): string[] {
  return expected.filter((n) => !screen.nodes.some((s) => s.name === n.name && s.instanceType === n.type && s.price !== undefined)).map((n) => n.name)
}

/**
 * Waits until eks-node-viewer's screen, after the last frame it finished drawing (support/node-viewer-screen.ts
 * reads the terminal output of the real Bubble Tea program and of the sandbox's alike), shows every
 * node that exists now (consolidation may remove some meanwhile) with its type and price; then its
 * summary counts the nodes it lists.
 */
export async function eventuallyNodeViewerShowsNodes(world: SpotcheckWorld, withinMs: number, command: BackgroundCommand | undefined): Promise<void> {
  assert.ok(command, 'eks-node-viewer is not running')
  let screen = nodeViewerScreen(command.output)
  await world.within(withinMs, 'eks-node-viewer shows every node', async () => {
    if (!command.running) {
      const r = await command.wait()
      throw new Error(`eks-node-viewer exited (exit ${r.exitCode}):\n${nodeViewerScreen(r.output).lines.join('\n') || r.output.slice(-2000)}`)
    }
    screen = nodeViewerScreen(command.output)
    const missing = missingFromScreen(
      screen,
      (await nodes(world)).map((n) => ({ name: String(n.metadata?.name), type: instanceTypeOf(n) })),
    )
    const seen = !screen.header ? 'nothing drawn yet' : missing.length ? `not shown with type and price: ${missing.join(', ')}` : 'all shown'
    return { ok: screen.header !== undefined && missing.length === 0, seen }
  })
  assert.equal(screen.header?.nodes, screen.nodes.length, `the summary counts ${screen.header?.nodes} nodes, the screen lists ${screen.nodes.length}`)
  await attachText('eks-node-viewer (its screen)', screen.lines.join('\n'))
}
