// The interruption timeline of Step 6, built from a recorded history and checked for the
// tutorial's order and Karpenter's bounds: an in-order history passes, one out of order fails
// naming the pair, one with an event missing fails naming it.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { assertTimeline, interruptionTimeline, timelineEvidence, timelineProblems, type InterruptionHistory } from '../../../../support/expect/timeline.ts'
import { logLineOf, type Sighting } from '../../../../support/recorders.ts'
import type { Node, Pod } from '../../../../support/kube.ts'
import type { Ec2Event } from '../../../../support/event-observer.ts'

const T0 = Date.parse('2024-01-29T08:47:00.000Z')
const at = (s: number) => T0 + s * 1000
const iso = (s: number) => new Date(at(s)).toISOString()

/** Tutorial instants by resourceVersion, as the sandbox's journal gives them. */
class Journal {
  private rv = 100
  readonly times = new Map<string, number>()
  write(tutorialS: number): string {
    const rv = String(++this.rv)
    this.times.set(rv, at(tutorialS))
    return rv
  }
}

function sighting<T>(j: Journal, tutorialS: number, type: Sighting<T>['type'], object: T): Sighting<T> {
  // Seen by the run much later (a lagging test process): only the rv's instant may count.
  return { at: at(tutorialS) + 60_000, rv: j.write(tutorialS), type, object }
}

const readyNode = (name: string, extra: Partial<Node['spec']> = {}): Node => ({
  metadata: { name, labels: {} },
  spec: { ...extra },
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
})
const notReady = (name: string): Node => ({ metadata: { name, labels: {} }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'False' }] } })
const pod = (name: string, node: string | undefined, phase: string, deleting = false): Pod =>
  ({
    metadata: { name, namespace: 'default', labels: { app: 'stateless' }, ...(deleting ? { deletionTimestamp: new Date(0) } : {}) },
    spec: { nodeName: node },
    status: { phase, conditions: phase === 'Running' ? [{ type: 'Ready', status: 'True' }] : [] },
  }) as unknown as Pod

interface Times {
  warning: number
  message: number
  taint: number
  evict: number
  launched: number
  ready: number
  running: number
  terminated: number
}

const IN_ORDER: Times = { warning: 2, message: 3.5, taint: 4, evict: 4.2, launched: 7, ready: 44, running: 47, terminated: 60 }

function history(t: Times, omit: (keyof Times)[] = []): InterruptionHistory {
  const j = new Journal()
  const taint = { key: 'karpenter.sh/disruption', value: 'disrupting', effect: 'NoSchedule' }
  const nodes = new Map<string, Sighting<Node>[]>()
  nodes.set('ip-10-0-1-1', [
    sighting(j, -300, 'ADDED', readyNode('ip-10-0-1-1')),
    ...(omit.includes('taint') ? [] : [sighting(j, t.taint, 'MODIFIED', readyNode('ip-10-0-1-1', { taints: [taint] }))]),
    sighting(j, t.terminated, 'DELETED', readyNode('ip-10-0-1-1')),
  ])
  nodes.set('ip-10-0-1-2', [
    sighting(j, t.launched + 25, 'ADDED', notReady('ip-10-0-1-2')),
    ...(omit.includes('ready') ? [] : [sighting(j, t.ready, 'MODIFIED', readyNode('ip-10-0-1-2'))]),
  ])
  const pods = new Map<string, Sighting<Pod>[]>()
  for (const i of [1, 2, 3]) {
    const old = `stateless-old-${i}`
    pods.set(`default/${old}`, [
      sighting(j, -200, 'ADDED', pod(old, 'ip-10-0-1-1', 'Running')),
      ...(omit.includes('evict')
        ? []
        : [
            sighting(j, t.evict + i * 0.01, 'MODIFIED', pod(old, 'ip-10-0-1-1', 'Running', true)),
            sighting(j, t.evict + 1, 'DELETED', pod(old, 'ip-10-0-1-1', 'Running', true)),
          ]),
    ])
    const fresh = `stateless-new-${i}`
    pods.set(`default/${fresh}`, [
      sighting(j, t.evict + 0.1, 'ADDED', pod(fresh, undefined, 'Pending')),
      sighting(j, t.ready + 0.5, 'MODIFIED', pod(fresh, 'ip-10-0-1-2', 'Pending')),
      ...(omit.includes('running') ? [] : [sighting(j, t.running - (3 - i), 'MODIFIED', pod(fresh, 'ip-10-0-1-2', 'Running'))]),
    ])
  }
  const log = (s: number, fields: Record<string, unknown>) => ({ time: iso(s), level: 'INFO', ...fields })
  const raw = [
    ...(omit.includes('message')
      ? []
      : [
          log(t.message, {
            logger: 'controller.interruption',
            message: 'initiating delete from interruption message',
            queue: 'karpenter-spot-and-karpenter',
            messageKind: 'SpotInterruptionKind',
            nodeclaim: 'default-abc',
            action: 'CordonAndDrain',
            node: 'ip-10-0-1-1',
          }),
        ]),
    log(t.launched - 3, { logger: 'controller.provisioner', message: 'created nodeclaim', nodeclaim: 'default-xyz', nodepool: 'default' }),
    ...(omit.includes('launched')
      ? []
      : [log(t.launched, { logger: 'controller.nodeclaim.lifecycle', message: 'launched nodeclaim', nodeclaim: 'default-xyz', 'capacity-type': 'spot' })]),
  ]
  // Received by the run long after they were logged.
  const lines = raw.map((f, i) => logLineOf(i, 'karpenter-1', JSON.stringify(f), at(100)))
  const event = (detailType: string, s: number, detail: Record<string, unknown>): Ec2Event => ({
    detailType,
    time: Math.floor(at(s) / 1000) * 1000,
    instanceId: 'i-0abc',
    detail: { 'instance-id': 'i-0abc', ...detail },
    receivedAt: at(s) + 30_000,
  })
  const ec2Events = [
    ...(omit.includes('warning') ? [] : [event('EC2 Spot Instance Interruption Warning', t.warning, { 'instance-action': 'terminate' })]),
    ...(omit.includes('terminated')
      ? []
      : [
          event('EC2 Instance State-change Notification', t.terminated, { state: 'shutting-down' }),
          event('EC2 Instance State-change Notification', t.terminated + 1, { state: 'terminated' }),
        ]),
  ]
  return {
    experimentStartedAt: T0,
    interruptedInstance: 'i-0abc',
    interruptedNode: 'ip-10-0-1-1',
    replacementNodeClaim: 'default-xyz',
    replacementNode: 'ip-10-0-1-2',
    app: 'stateless',
    nodes,
    pods,
    lines,
    ec2Events,
    isDisruptionTaint: (x) => x.key === taint.key && x.effect === taint.effect,
    taintText: 'karpenter.sh/disruption=disrupting:NoSchedule',
    instant: (o) => (o.rv !== undefined ? j.times.get(o.rv) : undefined),
  }
}

describe('the interruption timeline', () => {
  it("places every event at its tutorial instant (the rv's, the log line's and the event's time), not when the run saw it", () => {
    const events = interruptionTimeline(history(IN_ORDER))
    const atOf = Object.fromEntries(events.map((e) => [e.key, e.atMs]))
    assert.deepEqual(atOf, {
      experiment: 0,
      warning: 2000,
      message: 3500,
      taint: 4000,
      eviction: 4210,
      launched: 7000,
      drained: 5200,
      ready: 44000,
      running: 47000,
      terminated: 60000,
      'notice-ends': 122000,
    })
    for (const e of events) assert.ok(e.lane && e.label, e.key)
  })

  it("passes a history in the tutorial's order, within bounds", () => {
    assert.deepEqual(timelineProblems(interruptionTimeline(history(IN_ORDER))), [])
    assertTimeline(interruptionTimeline(history(IN_ORDER)))
  })

  it('fails a history out of order, naming the pair', () => {
    // The instance terminated before Karpenter drained the node.
    const events = interruptionTimeline(history({ ...IN_ORDER, terminated: 3 }))
    assert.throws(
      () => assertTimeline(events),
      (e: Error) => {
        assert.equal(e.name, 'AssertionError')
        assert.match(
          e.message,
          /out of order: "interrupted node drained \(the last evicted pod gone\)" \(\+5\.2 s\) came after "instance terminated \(Karpenter, once drained\)" \(\+3\.0 s\)/,
        )
        return true
      },
    )
    // The replacement launched before the node was tainted.
    const early = timelineProblems(interruptionTimeline(history({ ...IN_ORDER, launched: 1, ready: 40 })))
    assert.ok(
      early.some((p) => /out of order: "[^"]*pods evicted[^"]*" \(\+4\.2 s\) came after "Karpenter: replacement NodeClaim launched" \(\+1\.0 s\)/.test(p)),
      early.join('\n'),
    )
  })

  it('fails a history with an event missing, naming it', () => {
    assert.throws(() => assertTimeline(interruptionTimeline(history(IN_ORDER, ['running']))), /not seen: evicted pods Running again/)
    assert.throws(() => assertTimeline(interruptionTimeline(history(IN_ORDER, ['warning']))), /not seen: Spot interruption warning on the event bus/)
  })

  it('fails durations out of the bounds Karpenter implies, saying why', () => {
    const slow = timelineProblems(interruptionTimeline(history({ ...IN_ORDER, ready: 110, running: 112 })))
    assert.ok(
      slow.some((p) => /too slow: "Karpenter: replacement NodeClaim launched" → "replacement node Ready" took 103\.0 s, more than 90\.0 s/.test(p)),
      slow.join('\n'),
    )
    const fast = timelineProblems(interruptionTimeline(history({ ...IN_ORDER, ready: 9, running: 10 })))
    assert.ok(
      fast.some((p) => /too fast: .*took 2\.0 s, less than 20\.0 s/.test(p)),
      fast.join('\n'),
    )
    const late = timelineProblems(interruptionTimeline(history({ ...IN_ORDER, ready: 100, running: 125 })))
    assert.ok(
      late.some((p) => /out of order: "evicted pods Running again on the replacement" \(\+125\.0 s\) came after "the 2-minute notice ends/.test(p)),
      late.join('\n'),
    )
  })

  it("fails a warning more than a minute after the experiment started (t0 is the experiment's own startTime)", () => {
    const t: Times = { warning: 70, message: 71, taint: 71.5, evict: 71.7, launched: 75, ready: 112, running: 115, terminated: 130 }
    const problems = timelineProblems(interruptionTimeline(history(t)))
    assert.ok(
      problems.some((p) => /too slow: "FIS experiment started" → "Spot interruption warning on the event bus" took 70\.0 s, more than 60\.0 s/.test(p)),
      problems.join('\n'),
    )
  })

  it("allows EventBridge's whole second: an event stamped in the same second as an earlier instant is not out of order", () => {
    // Terminated at 5.5 s, after the drain (5.2 s): its time says 5.0 s.
    assert.deepEqual(timelineProblems(interruptionTimeline(history({ ...IN_ORDER, terminated: 5.5 }))), [])
  })

  it('fails pods Running on the replacement before it was Ready, naming the pair', () => {
    const events = interruptionTimeline(history(IN_ORDER))
    const running = events.find((e) => e.key === 'running')!
    assert.equal(running.onReplacement, true)
    const ready = events.find((e) => e.key === 'ready')!
    assert.ok(ready.atMs! < running.atMs!, 'in order in the fixture')
    // The replacement Ready only after the pods ran on it.
    const swapped = events.map((e) => (e.key === 'ready' ? { ...e, atMs: running.atMs! + 5_000 } : e))
    assert.match(
      timelineProblems(swapped).join('\n'),
      /out of order: "replacement node Ready" \(\+52\.0 s\) came after "evicted pods Running again on the replacement" \(\+47\.0 s\)/,
    )
  })

  it('passes evicted pods the scheduler placed on the surviving nodes before the replacement was Ready, and says where', () => {
    const h = history(IN_ORDER)
    const pods = new Map(h.pods)
    const j = new Map<string, number>()
    for (const i of [1, 2, 3]) {
      const key = `default/stateless-new-${i}`
      const base = h.pods.get(key)!
      // Running on ip-10-0-2-1 at 6 s: the interrupted node is gone, its zone no domain any more.
      const rv = `9${i}`
      j.set(rv, T0 + 6_000)
      pods.set(key, [base[0], { at: 0, rv, type: 'MODIFIED', object: pod(`stateless-new-${i}`, 'ip-10-0-2-1', 'Running') }])
    }
    const events = interruptionTimeline({ ...h, pods, instant: (o) => j.get(o.rv ?? '') ?? h.instant(o) })
    const running = events.find((e) => e.key === 'running')!
    assert.equal(running.label, 'evicted pods Running again on ip-10-0-2-1 (not the replacement)')
    assert.equal(running.atMs, 6_000)
    assert.equal(running.onReplacement, false)
    assert.deepEqual(timelineProblems(events), [])
  })
})

describe('the evidence shown when the timeline fails', () => {
  it("lists the interrupted and replacement nodes' sightings and the workload's pods that were on them, each at its tutorial instant", () => {
    const h = history(IN_ORDER)
    const text = timelineEvidence({
      interruptedNode: h.interruptedNode,
      replacementNodeClaim: h.replacementNodeClaim,
      replacementNode: h.replacementNode,
      app: 'stateless',
      nodes: h.nodes,
      pods: h.pods,
      t0: T0,
      instant: h.instant,
    })
    const lines = text.split('\n')
    assert.equal(lines[0], 'interrupted node ip-10-0-1-1, replacement NodeClaim default-xyz, replacement node ip-10-0-1-2')
    assert.ok(lines.includes('node ip-10-0-1-1:'), text)
    assert.match(text, /^ {2}\+4\.0 s MODIFIED rv \d+ Ready taints karpenter\.sh\/disruption$/m)
    assert.match(text, /^ {2}\+44\.0 s MODIFIED rv \d+ Ready taints -$/m)
    assert.match(text, /^pod default\/stateless-old-1:\n {2}\+-200\.0 s ADDED rv \d+ Running on ip-10-0-1-1$/m)
    assert.match(text, /^ {2}\+4\.2 s MODIFIED rv \d+ Running on ip-10-0-1-1 \(deleting\)$/m)
    assert.equal(
      timelineEvidence({ interruptedNode: h.interruptedNode, app: 'stateful', nodes: h.nodes, pods: h.pods, t0: T0, instant: h.instant }).includes('pod '),
      false,
    )
  })
})
