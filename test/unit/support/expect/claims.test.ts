// The ordered claims of Steps 4, 5 and 7: Pending then Running on a new node; consolidation only
// after the workload was deleted. In order they pass; out of order they fail naming the pair.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { consolidationAfterDeletion, pendingThenRunning, terminationStart } from '../../../../support/expect/claims.ts'
import { checkOrder } from '../../../../support/expect/order.ts'
import type { Sighting } from '../../../../support/recorders.ts'
import type { Node, Pod } from '../../../../support/kube.ts'

let rv = 0
const times = new Map<string, number>()
function seen<T>(tutorialMs: number, type: Sighting<T>['type'], object: T): Sighting<T> {
  const r = String(++rv)
  times.set(r, tutorialMs)
  return { at: 9e12, rv: r, type, object } // the run saw everything late: only the rv's instant counts
}
const instant = (o: { rv?: string }) => (o.rv ? times.get(o.rv) : undefined)
const pod = (name: string, node?: string, phase = 'Pending') =>
  ({ metadata: { name, namespace: 'default', labels: { app: 'stateless' } }, spec: { nodeName: node }, status: { phase } }) as unknown as Pod
const node = (name: string, capacity = 'spot') => ({ metadata: { name, labels: { 'karpenter.sh/capacity-type': capacity } } }) as unknown as Node

describe('Pending, then Running on a new node', () => {
  function world(nodeCreatedMs: number, runningMs: number) {
    const pods = new Map([
      [
        'default/a',
        [seen(1_000, 'ADDED', pod('a')), seen(runningMs - 5_000, 'MODIFIED', pod('a', 'n1')), seen(runningMs, 'MODIFIED', pod('a', 'n1', 'Running'))],
      ],
    ])
    const nodes = new Map([['n1', [seen(nodeCreatedMs, 'ADDED', node('n1'))]]])
    return { pods, nodes, names: ['default/a'], instant, withinMs: 120_000 }
  }

  it('passes pods Pending first, then a new node, then Running on it', () => {
    const { problems, stories } = pendingThenRunning(world(30_000, 45_000))
    assert.deepEqual(problems, [])
    assert.deepEqual(stories[0], { pod: 'default/a', pendingAt: 1_000, node: 'n1', nodeCreatedAt: 30_000, runningAt: 45_000 })
  })

  it('fails a pod that ran on a node older than its Pending: not a new node', () => {
    const { problems } = pendingThenRunning(world(-60_000, 45_000))
    assert.equal(problems.length, 1, problems.join('\n'))
    assert.match(problems[0], /out of order: "default\/a Pending" \(\+1\.0 s\) came after "n1 created" \(\+-60\.0 s\)/)
  })

  it('fails a pod Running later than the deadline, and a node of another capacity type when the claim names one', () => {
    assert.match(
      pendingThenRunning(world(30_000, 200_000)).problems.join('\n'),
      /too slow: "default\/a Pending" → "default\/a Running on n1" took 199\.0 s, more than 120\.0 s/,
    )
    assert.match(
      pendingThenRunning({ ...world(30_000, 45_000), capacityType: 'on-demand' }).problems.join('\n'),
      /runs on n1, capacity type spot, not on-demand/,
    )
  })
})

describe('consolidation after the deletion', () => {
  function world(o: { podGone: number; consolidated: number; nodeGone: number }) {
    const pods = new Map([['default/a', [seen(0, 'ADDED', pod('a', 'n1', 'Running')), seen(o.podGone, 'DELETED', pod('a', 'n1', 'Running'))]]])
    const nodes = new Map([['n1', [seen(0, 'ADDED', node('n1')), seen(o.nodeGone, 'DELETED', node('n1'))]]])
    return { deletedAt: 10_000, app: 'stateless', hosts: ['n1'], pods, nodes, consolidations: [{ atMs: o.consolidated, nodes: ['n1'] }], instant }
  }

  it('passes: deleted, pods gone, consolidation delete ≥ 15 s later, node gone', () => {
    const { problems, stories } = consolidationAfterDeletion(world({ podGone: 11_000, consolidated: 36_000, nodeGone: 37_000 }))
    assert.deepEqual(problems, [])
    assert.deepEqual(stories, [{ node: 'n1', emptiedAt: 11_000, consolidatedAt: 36_000, goneAt: 37_000 }])
  })

  it('fails a node consolidated before its pods were gone, naming the pair', () => {
    const { problems } = consolidationAfterDeletion(world({ podGone: 40_000, consolidated: 36_000, nodeGone: 41_000 }))
    assert.ok(
      problems.some((p) =>
        /out of order: "the last stateless pod gone from n1" \(\+40\.0 s\) came after "Karpenter's consolidation delete of n1" \(\+36\.0 s\)/.test(p),
      ),
      problems.join('\n'),
    )
  })

  it('fails a node removed before the deletion, and a consolidation faster than its validation', () => {
    const before = consolidationAfterDeletion(world({ podGone: 5_000, consolidated: 6_000, nodeGone: 7_000 })).problems.join('\n')
    assert.match(before, /out of order: "the deployment's deletion" \(\+10\.0 s\) came after "n1 deleted" \(\+7\.0 s\)/)
    assert.match(
      consolidationAfterDeletion(world({ podGone: 11_000, consolidated: 12_000, nodeGone: 13_000 })).problems.join('\n'),
      /too fast: .*took 2\.0 s, less than 15\.0 s/,
    )
  })

  it('fails a node no consolidation line names', () => {
    assert.match(
      consolidationAfterDeletion({ ...world({ podGone: 11_000, consolidated: 36_000, nodeGone: 37_000 }), consolidations: [] }).problems.join('\n'),
      /no consolidation line names n1/,
    )
  })
})

describe('checkOrder', () => {
  it('allows an instant known to a whole second, and names unknown events as a bug', () => {
    const instants = new Map([
      ['a', { label: 'A', atMs: 5_200 }],
      ['b', { label: 'B', atMs: 5_000, resolutionMs: 1_000 }],
    ])
    assert.deepEqual(checkOrder(instants, [['a', 'b']]), [])
    assert.match(
      checkOrder(
        new Map([
          ['a', { label: 'A', atMs: 6_200 }],
          ['b', { label: 'B', atMs: 5_000, resolutionMs: 1_000 }],
        ]),
        [['a', 'b']],
      )[0],
      /out of order: "A" \(\+6\.2 s\) came after "B"/,
    )
    assert.throws(() => checkOrder(instants, [['a', 'c']]), /no event "c"/)
  })
})

describe("a deletion's instant: the first of its pods' terminations", () => {
  const terminating = (name: string) =>
    ({
      ...pod(name, 'n1', 'Running'),
      metadata: { name, namespace: 'default', labels: { app: 'stateless' }, deletionTimestamp: new Date(0) },
    }) as unknown as Pod

  it("is the earliest pod's deletionTimestamp write (its rv's instant), not when the command began or the run saw it", () => {
    const pods = new Map([
      ['default/a', [seen(1_000, 'ADDED', pod('a', 'n1', 'Running')), seen(52_000, 'MODIFIED', terminating('a')), seen(60_000, 'DELETED', terminating('a'))]],
      ['default/b', [seen(1_000, 'ADDED', pod('b', 'n1', 'Running')), seen(51_000, 'MODIFIED', terminating('b'))]],
      ['default/other', [seen(40_000, 'DELETED', { ...terminating('other'), metadata: { name: 'other', labels: { app: 'other' } } })]],
    ])
    assert.equal(terminationStart('stateless', pods, instant, 30_000), 51_000)
  })

  it('ignores terminations before the command started, and is undefined when none was seen', () => {
    const pods = new Map([['default/a', [seen(10_000, 'DELETED', terminating('a'))]]])
    assert.equal(terminationStart('stateless', pods, instant, 30_000), undefined)
  })
})
