// Pictures where a reader would rather look than read: the run's data drawn as SVG by Vega-Lite
// (compiled to Vega, rendered headless by Vega's SVG renderer: no browser, no canvas, no fonts or
// URLs to fetch), attached beside the table that says the same in words for screen readers.
//
// Every chart function is pure: data in, a self-contained SVG string out. An empty input draws
// the chart's frame with "no data" and no data marks, so the report check (chartMarks) fails it
// as empty rather than the step hiding that the run saw nothing.

import { parse, View } from 'vega'
import { compile, type TopLevelSpec } from 'vega-lite'
import { capacityTypeOf, type Node, type Pod } from './kube.ts'
import type { Sighting } from './recorders.ts'
import { attachHtml, attachSvg } from './report.ts'

import type { Lane, TimelineEvent } from './expect/timeline.ts'

export type { Lane, TimelineEvent }

export const LANES: Lane[] = ['EC2 / FIS', 'EventBridge / SQS', 'Karpenter', 'node', 'pods']

export type CapacityType = 'spot' | 'on-demand'
export interface CapacityPoint {
  atMs: number
  capacityType: CapacityType
  nodes: number
  pods: number
}
export interface CostRow {
  capacityType: CapacityType
  usd: number
  /** What the same node would have cost On-Demand (for Spot nodes; undefined when no list price). */
  onDemandUsd?: number
}
export interface ZoneRow {
  zone: string
  capacityType: string
  nodes: number
  pods: number
}

// The report's own colours (support/report.ts STYLE): Spot green, On-Demand blue.
const CAPACITY_COLOURS = { domain: ['spot', 'on-demand'], range: ['#0a7c2f', '#1f5fbf'] }
const WIDTH = 720
const CONFIG = {
  font: 'sans-serif', // a generic family: nothing to load, in the report's <img> or anywhere
  background: 'white',
  view: { stroke: '#ddd' },
  title: { anchor: 'start' as const, fontSize: 14, subtitleFontSize: 12, subtitleColor: '#444', offset: 10 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' as const },
  legend: { labelFontSize: 11, titleFontSize: 12, orient: 'top' as const, labelLimit: 400 },
}

async function render(spec: TopLevelSpec): Promise<string> {
  const vega = compile({ config: CONFIG, ...spec }).spec
  const view = new View(parse(vega), { renderer: 'none' })
  try {
    const svg = await view.toSVG()
    return svg.replace('<svg ', '<svg role="img" ')
  } finally {
    view.finalize()
  }
}

/** The frame of an empty chart: its title and "no data", and no data marks (chartMarks = 0). */
function noData(title: string, what: string): Promise<string> {
  return render({
    title: { text: title, subtitle: `no data: the run saw no ${what}` },
    width: WIDTH,
    height: 60,
    data: { values: [{ text: 'no data' }] },
    mark: { type: 'text', fontSize: 16, color: '#a00' },
    encoding: { text: { field: 'text' } },
  })
}

const seconds = (ms: number) => Math.round(ms / 100) / 10

/** The timeline's events in a few words each, for the chart; the table beside it has them whole. */
const SHORT_LABELS: Record<string, string> = {
  experiment: 'FIS experiment started',
  warning: 'interruption warning',
  message: 'Karpenter handles the message',
  taint: 'node tainted',
  eviction: 'pods evicted',
  launched: 'replacement launched',
  drained: 'node drained',
  ready: 'replacement Ready',
  running: 'pods Running again',
  terminated: 'instance terminated',
  'notice-ends': 'the 2-minute notice ends',
}

/**
 * The interruption as a reader pictures it: a lane per actor, each event a labelled dot at its
 * tutorial time. Events of one lane get rows of their own inside the lane (yOffset) so their
 * labels never overlap; labels in the right part of the axis read leftwards so they stay inside.
 */
export async function timelineChart(events: TimelineEvent[], title: string): Promise<string> {
  const seen = events.filter((e) => e.atMs !== undefined)
  const unseen = events.filter((e) => e.atMs === undefined)
  if (seen.length === 0) return noData(title, 'event of the interruption')
  const perLane = new Map<Lane, number>()
  const values = [...seen]
    .sort((a, b) => a.atMs! - b.atMs!)
    .map((e) => {
      const row = perLane.get(e.lane) ?? 0
      perLane.set(e.lane, row + 1)
      return { lane: e.lane, label: `${SHORT_LABELS[e.key] ?? e.label} (+${seconds(e.atMs!)} s)`, t: seconds(e.atMs!), row }
    })
  const end = Math.max(...values.map((v) => v.t), 1)
  const rows = Math.max(...perLane.values())
  const x = {
    field: 't',
    type: 'quantitative' as const,
    title: 'tutorial time since the experiment started (s)',
    scale: { domain: [Math.min(0, ...values.map((v) => v.t)), end * 1.02] },
  }
  const y = { field: 'lane', type: 'nominal' as const, title: null, scale: { domain: LANES }, axis: { labelFontWeight: 'bold' as const, labelPadding: 8 } }
  const yOffset = { field: 'row', type: 'ordinal' as const, scale: { domain: [...Array(rows).keys()], paddingOuter: 0.5 } }
  const label = (align: 'left' | 'right', filter: string) => ({
    transform: [{ filter }],
    // Long labels (node names) are cut with an ellipsis; the table beside the chart has them whole.
    mark: { type: 'text' as const, align, dx: align === 'left' ? 8 : -8, fontSize: 11, limit: Math.round(WIDTH * 0.6) },
    encoding: { x, y, yOffset, text: { field: 'label' } },
  })
  return render({
    title: { text: title, subtitle: unseen.length ? `not seen: ${unseen.map((e) => e.label).join('; ')}` : `all ${events.length} events seen` },
    width: WIDTH,
    height: LANES.length * Math.max(rows, 2) * 20,
    data: { values },
    layer: [
      { mark: { type: 'rule', color: '#eee' }, encoding: { y, yOffset } },
      {
        mark: { type: 'point', filled: true, size: 90, opacity: 1 },
        encoding: {
          x,
          y,
          yOffset,
          color: { field: 'lane', type: 'nominal', scale: { domain: LANES, scheme: 'tableau10' }, legend: null },
          tooltip: { field: 'label' },
        },
      },
      label('left', `datum.t <= ${end * 0.55}`),
      label('right', `datum.t > ${end * 0.55}`),
    ],
  })
}

const SYSTEM_NAMESPACES = new Set(['kube-system', 'karpenter', 'kube-public', 'kube-node-lease'])

/** The node's capacity type (support/kube.ts reads the label), when it is one the charts draw. */
function capacityOf(node: Node): CapacityType | undefined {
  const ct = capacityTypeOf(node)
  return ct === 'spot' || ct === 'on-demand' ? ct : undefined
}

/** The last sighting at or before `t`, or undefined when the object was not there (yet, or any more). */
function stateAt<T>(history: Sighting<T>[], t: number, instant: (s: Sighting<unknown>) => number | undefined): T | undefined {
  let last: Sighting<T> | undefined
  for (const s of history) {
    const at = instant(s)
    if (at === undefined) continue
    if (at > t) break
    last = s
  }
  return last && last.type !== 'DELETED' ? last.object : undefined
}

/**
 * From the run's recorders (support/recorders.ts): at each moment in [from, to] something
 * changed, how many nodes of each capacity type existed and how many pods were Running on them
 * (system namespaces aside: the reader follows the tutorial's workloads). One point per capacity
 * type where its counts change, and at both ends, so a step line reads right. `from`, `to` and
 * `instant` (a sighting's tutorial instant: support/tutorial-time.ts) are tutorial time; `atMs`
 * is tutorial time since `from`.
 */
export function capacityOverTime(
  nodes: Map<string, Sighting<Node>[]>,
  pods: Map<string, Sighting<Pod>[]>,
  from: number,
  to: number,
  instant: (s: Sighting<unknown>) => number | undefined,
): CapacityPoint[] {
  const times = new Set<number>([from, to])
  for (const h of [...nodes.values(), ...pods.values()]) {
    for (const s of h) {
      const at = instant(s)
      if (at !== undefined && at > from && at < to) times.add(at)
    }
  }
  const points: CapacityPoint[] = []
  const previous = new Map<CapacityType, string>()
  const sorted = [...times].sort((a, b) => a - b)
  for (const t of sorted) {
    const capacity = new Map<string, CapacityType>()
    const count = { spot: { nodes: 0, pods: 0 }, 'on-demand': { nodes: 0, pods: 0 } }
    for (const [name, h] of nodes) {
      const node = stateAt(h, t, instant)
      const ct = node && capacityOf(node)
      if (!ct) continue
      capacity.set(name, ct)
      count[ct].nodes++
    }
    for (const h of pods.values()) {
      const pod = stateAt(h, t, instant)
      if (!pod || SYSTEM_NAMESPACES.has(pod.metadata?.namespace ?? '') || pod.status?.phase !== 'Running') continue
      const ct = capacity.get(pod.spec?.nodeName ?? '')
      if (ct) count[ct].pods++
    }
    for (const ct of ['spot', 'on-demand'] as const) {
      const key = `${count[ct].nodes}/${count[ct].pods}`
      if (previous.get(ct) === key && t !== to) continue
      previous.set(ct, key)
      points.push({ atMs: t - from, capacityType: ct, ...count[ct] })
    }
  }
  return points
}

/** Nodes and pods over tutorial time, a line per capacity type, nodes above pods. */
export async function nodesOverTimeChart(points: CapacityPoint[], title: string): Promise<string> {
  if (points.length === 0) return noData(title, 'node or pod')
  const values = points.map((p) => ({ ...p, t: seconds(p.atMs) }))
  const x = { field: 't', type: 'quantitative' as const, title: 'tutorial time since the section started (s)' }
  const panel = (measure: 'nodes' | 'pods', yTitle: string) => ({
    width: WIDTH,
    height: 110,
    mark: { type: 'line' as const, interpolate: 'step-after' as const, point: true, strokeWidth: 2 },
    encoding: {
      x,
      y: { field: measure, type: 'quantitative' as const, title: yTitle, axis: { tickMinStep: 1, format: 'd' } },
      color: { field: 'capacityType', type: 'nominal' as const, title: 'capacity type', scale: CAPACITY_COLOURS },
      tooltip: [{ field: 't', title: 's' }, { field: 'capacityType' }, { field: measure }],
    },
  })
  return render({
    title: { text: title, subtitle: 'Karpenter and managed node group nodes, and the pods running on them (kube-system aside)' },
    data: { values },
    vconcat: [panel('nodes', 'nodes'), panel('pods', 'pods Running')],
  })
}

export function usdText(usd: number): string {
  return `$${usd < 1 ? usd.toFixed(4) : usd.toFixed(2)}`
}

/** What the run's nodes cost by capacity type, beside what they would have cost On-Demand, and the saving. */
export async function costChart(rows: CostRow[], title: string): Promise<string> {
  if (rows.length === 0) return noData(title, 'node to price')
  const sum = (f: (r: CostRow) => number, ct: CapacityType) => rows.filter((r) => r.capacityType === ct).reduce((a, r) => a + f(r), 0)
  const types = (['spot', 'on-demand'] as const).filter((ct) => rows.some((r) => r.capacityType === ct))
  const values = types.flatMap((ct) => {
    const paid = sum((r) => r.usd, ct)
    const bars = [{ capacityType: ct, kind: 'paid', usd: paid, text: usdText(paid) }]
    if (ct === 'spot') {
      const priced = rows.filter((r) => r.capacityType === 'spot' && r.onDemandUsd !== undefined)
      if (priced.length > 0) {
        const od = sum((r) => r.onDemandUsd ?? r.usd, 'spot')
        bars.push({ capacityType: ct, kind: 'at On-Demand prices', usd: od, text: usdText(od) })
      }
    }
    return bars
  })
  const priced = rows.filter((r) => r.capacityType === 'spot' && r.onDemandUsd !== undefined)
  const spotPaid = priced.reduce((a, r) => a + r.usd, 0)
  const spotOd = priced.reduce((a, r) => a + r.onDemandUsd!, 0)
  const saving =
    priced.length && spotOd > 0
      ? `Spot saved ${usdText(spotOd - spotPaid)} (${Math.round((1 - spotPaid / spotOd) * 100)}%) against On-Demand prices`
      : 'no On-Demand list price to compare the Spot nodes with'
  const total = rows.reduce((a, r) => a + r.usd, 0)
  const y = { field: 'capacityType', type: 'nominal' as const, title: null, scale: { domain: types }, axis: { labelFontWeight: 'bold' as const } }
  // Room on the right for the amounts written beside the bars.
  const x = {
    field: 'usd',
    type: 'quantitative' as const,
    title: 'USD (tutorial time)',
    axis: { format: '$.4~f' },
    scale: { domain: [0, Math.max(...values.map((v) => v.usd), 1e-6) * 1.15] },
  }
  const yOffset = { field: 'kind', type: 'nominal' as const, scale: { domain: ['paid', 'at On-Demand prices'] } }
  return render({
    title: { text: title, subtitle: `${usdText(total)} in all; ${saving}` },
    width: WIDTH,
    height: { step: 24 },
    data: { values },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y,
          x,
          yOffset,
          color: { field: 'kind', type: 'nominal', title: null, scale: { domain: ['paid', 'at On-Demand prices'], range: ['#0a7c2f', '#bbb'] } },
          tooltip: [{ field: 'capacityType' }, { field: 'kind' }, { field: 'text', title: 'USD' }],
        },
      },
      { mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 }, encoding: { y, x, yOffset, text: { field: 'text' } } },
    ],
  })
}

/** Step 5's claim in a picture: the pods of each zone, by the capacity type of their nodes, and how many nodes. */
export async function zoneSpreadChart(rows: ZoneRow[], title: string): Promise<string> {
  if (rows.length === 0) return noData(title, 'pod in any zone')
  const values = rows.map((r) => ({ ...r, text: `${r.pods} pod${r.pods === 1 ? '' : 's'} on ${r.nodes} node${r.nodes === 1 ? '' : 's'}` }))
  const zones = [...new Set(rows.map((r) => r.zone))].sort()
  const y = { field: 'zone', type: 'nominal' as const, title: 'zone', scale: { domain: zones } }
  const most = Math.max(...zones.map((z) => rows.filter((r) => r.zone === z).reduce((a, r) => a + r.pods, 0)), 1)
  const x = {
    field: 'pods',
    type: 'quantitative' as const,
    title: 'pods',
    stack: 'zero' as const,
    axis: { tickMinStep: 1, format: 'd' },
    scale: { domain: [0, most * 1.3] },
  }
  return render({
    title: { text: title, subtitle: `${rows.reduce((a, r) => a + r.pods, 0)} pods in ${zones.length} zone${zones.length === 1 ? '' : 's'}` },
    width: WIDTH,
    height: { step: 34 },
    data: { values },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y,
          x,
          color: { field: 'capacityType', type: 'nominal', title: 'capacity type', scale: CAPACITY_COLOURS },
          tooltip: [{ field: 'zone' }, { field: 'capacityType' }, { field: 'text' }],
        },
      },
      {
        transform: [
          {
            aggregate: [
              { op: 'sum', field: 'pods', as: 'pods' },
              { op: 'sum', field: 'nodes', as: 'nodes' },
            ],
            groupby: ['zone'],
          },
          { calculate: "datum.pods + (datum.pods == 1 ? ' pod' : ' pods') + ' on ' + datum.nodes + (datum.nodes == 1 ? ' node' : ' nodes')", as: 'text' },
        ],
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 },
        encoding: { y, x, text: { field: 'text' } },
      },
    ],
  })
}

/**
 * How many data marks an SVG chart of Vega's draws: the items of its mark groups (dots, bars,
 * lines, rules), text aside — axes, legends and titles are not marks. 0 for the "no data" frame,
 * for a chart whose data was empty, and for an SVG that is not one of Vega's charts.
 */
export function chartMarks(svg: string): number {
  let count = 0
  const group = /<g class="mark-(\w+) role-mark\b[^"]*"[^>]*>/g
  for (let m = group.exec(svg); m; m = group.exec(svg)) {
    if (m[1] === 'text' || m[1] === 'group') continue
    const body = svg.slice(m.index + m[0].length, svg.indexOf('</g>', m.index))
    count += (body.match(/<(path|rect|line|circle|ellipse|polygon|polyline)\b/g) ?? []).length
  }
  return count
}

/** The chart attachments the report is expected to carry, by the step that attaches them. */
export const EXPECTED_CHARTS: { step: string; chart: string }[] = [
  { step: 'the report shows the interruption timeline', chart: 'interruption timeline (chart)' },
  { step: "the report shows what the run's nodes cost", chart: "cost of the run's nodes (chart)" },
  { step: 'the report shows the zone spread', chart: 'zone spread (chart)' },
  { step: 'the report shows the nodes and pods over time', chart: 'nodes and pods over time (chart)' },
]

/**
 * The chart as an `image/svg+xml` attachment — Allure 3's report shows it inline as a picture,
 * sandboxed in an <img> (no script, nothing fetched) — followed by the same data as an HTML
 * table, for screen readers and for copying numbers. Both pass through the run's redactor.
 */
export async function attachChart(name: string, svg: string, table: string): Promise<void> {
  await attachSvg(`${name} (chart)`, svg)
  await attachHtml(`${name} (table)`, table)
}
