// The report's charts: each is well-formed, self-contained SVG with the marks and labels its data
// calls for; an empty input draws "no data" and no data marks, which the report check fails.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { capacityOverTime, chartMarks, costChart, nodesOverTimeChart, timelineChart, zoneSpreadChart, type TimelineEvent } from '../../../support/charts.ts'
import type { Sighting } from '../../../support/recorders.ts'
import type { Node, Pod } from '../../../support/kube.ts'

/** A small XML check: one root <svg>, every tag closed in order, attributes quoted. */
function assertWellFormedSvg(svg: string): void {
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/)
  const stack: string[] = []
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>/g
  let end = 0
  for (let m = tag.exec(svg); m; m = tag.exec(svg)) {
    assert.ok(!/[<>]/.test(svg.slice(end, m.index)), `stray markup before offset ${m.index}`)
    end = m.index + m[0].length
    if (m[1]) assert.equal(stack.pop(), m[2], `</${m[2]}> closes the wrong element at offset ${m.index}`)
    else if (!m[4]) stack.push(m[2])
  }
  assert.deepEqual(stack, [], 'unclosed elements')
  assert.equal(svg.slice(end).trim(), '')
}

/** Nothing to fetch: no URL, no external font, no image. */
function assertSelfContained(svg: string): void {
  assert.doesNotMatch(svg, /(?:href|src)=|url\((?!#)|@import|@font-face|<image\b/)
}

/** The texts a reader sees. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) => m[1].replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&#39;', "'"))
}

const EVENTS: TimelineEvent[] = [
  { key: 'started', label: 'FIS experiment started', lane: 'EC2 / FIS', atMs: 0 },
  { key: 'warning', label: 'Spot interruption warning on the event bus', lane: 'EventBridge / SQS', atMs: 2_600 },
  { key: 'message', label: 'Karpenter: initiating delete', lane: 'Karpenter', atMs: 21_000 },
  { key: 'taint', label: 'interrupted node tainted', lane: 'node', atMs: 21_600 },
  { key: 'pods', label: 'evicted pods Running on the replacement', lane: 'pods' },
  { key: 'notice', label: 'the 2-minute notice ends', lane: 'EC2 / FIS', atMs: 120_000 },
]

describe('charts', () => {
  it('timelineChart: a lane per actor, a labelled dot per event seen at its tutorial time, the unseen ones named', async () => {
    const svg = await timelineChart(EVENTS, 'Spot interruption of node-a')
    assertWellFormedSvg(svg)
    assertSelfContained(svg)
    const t = texts(svg)
    for (const lane of ['EC2 / FIS', 'EventBridge / SQS', 'Karpenter', 'node', 'pods']) assert.ok(t.includes(lane), `no lane ${lane}`)
    assert.ok(t.includes('Karpenter handles the message (+21 s)'), t.join(' | ')) // the chart's short label; the table has the whole one
    assert.ok(t.includes('the 2-minute notice ends (+120 s)'))
    assert.ok(t.some((x) => x.startsWith('not seen: evicted pods Running on the replacement')))
    assert.equal((svg.match(/<g class="mark-symbol role-mark[^>]*>/g) ?? []).length, 1)
    const dots = svg.slice(svg.indexOf('class="mark-symbol role-mark')).split('</g>')[0]
    assert.equal((dots.match(/<path\b/g) ?? []).length, 5, 'one dot per event seen')
    assert.ok(chartMarks(svg) >= 5)
  })

  it('nodesOverTimeChart: nodes and pods panels, a line per capacity type', async () => {
    const svg = await nodesOverTimeChart(
      [
        { atMs: 0, capacityType: 'spot', nodes: 0, pods: 0 },
        { atMs: 0, capacityType: 'on-demand', nodes: 2, pods: 0 },
        { atMs: 20_000, capacityType: 'spot', nodes: 1, pods: 10 },
        { atMs: 40_000, capacityType: 'spot', nodes: 1, pods: 10 },
        { atMs: 40_000, capacityType: 'on-demand', nodes: 2, pods: 0 },
      ],
      'Step 4: nodes and pods over time',
    )
    assertWellFormedSvg(svg)
    assertSelfContained(svg)
    const t = texts(svg)
    for (const label of ['Step 4: nodes and pods over time', 'nodes', 'pods Running', 'spot', 'on-demand'])
      assert.ok(t.includes(label), `no "${label}" in ${t.join(' | ')}`)
    assert.equal((svg.match(/class="mark-line role-mark/g) ?? []).length, 4, 'in the nodes panel and in the pods panel, a line for Spot and one for On-Demand')
    assert.ok(svg.includes('stroke="#0a7c2f"') && svg.includes('stroke="#1f5fbf"'), 'Spot green, On-Demand blue')
    assert.ok(chartMarks(svg) > 0)
  })

  it('costChart: what Spot and On-Demand cost, what Spot would have cost On-Demand, and the saving', async () => {
    const svg = await costChart(
      [
        { capacityType: 'spot', usd: 0.01, onDemandUsd: 0.04 },
        { capacityType: 'spot', usd: 0.02, onDemandUsd: 0.06 },
        { capacityType: 'on-demand', usd: 0.05 },
      ],
      "cost of the run's nodes",
    )
    assertWellFormedSvg(svg)
    assertSelfContained(svg)
    const t = texts(svg)
    assert.ok(t.includes('$0.0800 in all; Spot saved $0.0700 (70%) against On-Demand prices'), t.join(' | '))
    for (const label of ['$0.0300', '$0.1000', '$0.0500', 'spot', 'on-demand', 'paid', 'at On-Demand prices']) assert.ok(t.includes(label), `no "${label}"`)
    assert.equal(chartMarks(svg), 3, 'three bars: Spot paid, Spot at On-Demand prices, On-Demand paid')
  })

  it('zoneSpreadChart: a bar per zone with its pods and nodes', async () => {
    const svg = await zoneSpreadChart(
      [
        { zone: 'eu-west-1a', capacityType: 'spot', nodes: 1, pods: 4 },
        { zone: 'eu-west-1b', capacityType: 'spot', nodes: 1, pods: 3 },
        { zone: 'eu-west-1c', capacityType: 'spot', nodes: 1, pods: 3 },
      ],
      'the pods of "stateless" by zone',
    )
    assertWellFormedSvg(svg)
    assertSelfContained(svg)
    const t = texts(svg)
    for (const label of ['eu-west-1a', 'eu-west-1b', 'eu-west-1c', '4 pods on 1 node', '3 pods on 1 node', '10 pods in 3 zones'])
      assert.ok(t.includes(label), `no "${label}" in ${t.join(' | ')}`)
    assert.equal(chartMarks(svg), 3)
  })

  it('an empty input draws the frame with "no data" and no data marks', async () => {
    for (const svg of [
      await timelineChart([{ key: 'x', label: 'x', lane: 'pods' }], 'a'),
      await nodesOverTimeChart([], 'b'),
      await costChart([], 'c'),
      await zoneSpreadChart([], 'd'),
    ]) {
      assertWellFormedSvg(svg)
      assert.ok(texts(svg).includes('no data'))
      assert.equal(chartMarks(svg), 0)
    }
    assert.equal(chartMarks('<svg xmlns="http://www.w3.org/2000/svg"></svg>'), 0, "not one of Vega's charts")
  })
})

describe('capacityOverTime', () => {
  const node = (name: string, ct: string): Node => ({ metadata: { name, labels: { 'karpenter.sh/capacity-type': ct } } })
  const pod = (name: string, nodeName: string, phase: string, namespace = 'default'): Pod => ({
    metadata: { name, namespace },
    spec: { nodeName, containers: [] },
    status: { phase },
  })
  const seen = <T>(at: number, type: Sighting<T>['type'], object: T): Sighting<T> => ({ at, type, object })

  it('counts nodes and Running pods by capacity type where they change, in tutorial time since the section started', () => {
    const nodes = new Map([
      ['od', [seen(0, 'ADDED', { metadata: { name: 'od', labels: { 'eks.amazonaws.com/capacityType': 'ON_DEMAND' } } })]],
      ['s1', [seen(1_000, 'ADDED', node('s1', 'spot')), seen(5_000, 'DELETED', node('s1', 'spot'))]],
    ])
    const pods = new Map([
      [
        'p1',
        [
          seen(2_000, 'ADDED', pod('p1', 's1', 'Pending')),
          seen(3_000, 'MODIFIED', pod('p1', 's1', 'Running')),
          seen(5_000, 'DELETED', pod('p1', 's1', 'Running')),
        ],
      ],
      ['dns', [seen(0, 'ADDED', pod('dns', 'od', 'Running', 'kube-system'))]],
    ])
    const points = capacityOverTime(nodes, pods, 10_000, 120_000, (s) => s.at * 20) // tutorial instants: ×20 here
    const spot = points.filter((p) => p.capacityType === 'spot').map((p) => [p.atMs, p.nodes, p.pods])
    assert.deepEqual(spot, [
      [0, 0, 0],
      [10_000, 1, 0],
      [50_000, 1, 1],
      [90_000, 0, 0],
      [110_000, 0, 0],
    ])
    const onDemand = points.filter((p) => p.capacityType === 'on-demand').map((p) => [p.atMs, p.nodes, p.pods])
    assert.deepEqual(
      onDemand,
      [
        [0, 1, 0],
        [110_000, 1, 0],
      ],
      'kube-system pods aside; the last point closes the line',
    )
  })
})
