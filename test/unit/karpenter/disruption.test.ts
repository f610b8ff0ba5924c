import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { toStringMap, withoutZeros } from '../../../sandbox/k8s/resources.ts'
import type { Node, Pod } from '../../../sandbox/k8s/types.ts'
import type { NodeClaim, NodePool } from '../../../sandbox/karpenter/api.ts'
import {
  getCandidates,
  lifetimeRemaining,
  podEvictionCost,
  sortAndFilterCandidates,
  type DisruptionSnapshot,
} from '../../../sandbox/karpenter/disruption/candidates.ts'
import {
  commandString,
  computeDisruption,
  emptyCondition,
  expiredCondition,
  replacementNodeClaims,
  validateCommand,
  validateEmptyNodeConsolidation,
} from '../../../sandbox/karpenter/disruption/consolidation.ts'
import { formatLogLine } from '../../../sandbox/karpenter/logger.ts'
import { seededRng } from '../../../sandbox/karpenter/rng.ts'
import { buildStateNode, type StateNode } from '../../../sandbox/karpenter/state.ts'
import { tutorialDaemonSetPods, tutorialInstanceTypes, tutorialNodePool, workloadPods } from './helpers/tutorial.ts'

const NOW = Date.parse('2024-01-29T10:00:00Z')
const its = tutorialInstanceTypes()

interface NodeOpts {
  capacityType?: 'spot' | 'on-demand'
  zone?: string
  pods?: Pod[]
  nodeAnnotations?: Record<string, string>
  initialized?: boolean
  nominated?: boolean
  created?: string
  conditions?: { type: string; status: string; lastTransitionTime: string }[]
  nodePool?: string
}

let ip = 10
function managed(type: string, o: NodeOpts = {}): StateNode {
  const it = its.find((t) => t.name === type)!
  const zone = o.zone ?? 'eu-west-2a'
  const ct = o.capacityType ?? 'spot'
  const name = `ip-10-0-1-${ip++}.eu-west-2.compute.internal`
  const labels: Record<string, string> = {
    'karpenter.sh/nodepool': o.nodePool ?? 'default',
    'karpenter.sh/registered': 'true',
    'karpenter.sh/capacity-type': ct,
    intent: 'apps',
    'node.kubernetes.io/instance-type': type,
    'topology.kubernetes.io/zone': zone,
    'kubernetes.io/hostname': name,
    'kubernetes.io/arch': it.requirements.get('kubernetes.io/arch').valueList()[0],
    'kubernetes.io/os': 'linux',
  }
  if (o.initialized !== false) labels['karpenter.sh/initialized'] = 'true'
  const alloc = toStringMap(withoutZeros(it.allocatable))
  const node: Node = {
    metadata: { name, labels, annotations: o.nodeAnnotations, creationTimestamp: o.created ?? '2024-01-29T08:00:00Z' },
    spec: { providerID: `aws:///${zone}/i-0${ip}` },
    status: { capacity: toStringMap(withoutZeros(it.capacity)), allocatable: alloc, conditions: [{ type: 'Ready', status: 'True' }] },
  }
  const nodeClaim: NodeClaim = {
    metadata: { name: `default-${ip}`, labels, creationTimestamp: o.created ?? '2024-01-29T08:00:00Z' },
    spec: {},
    status: { providerID: node.spec!.providerID, conditions: o.conditions },
  }
  const pods = (o.pods ?? []).map((p) => ({ ...p, spec: { ...p.spec, nodeName: name }, status: { phase: 'Running' } }))
  return buildStateNode({ node, nodeClaim, pods, nominated: o.nominated })
}

function snapshot(stateNodes: StateNode[], extra: Partial<DisruptionSnapshot> = {}): DisruptionSnapshot {
  return {
    now: NOW,
    nodePools: [tutorialNodePool()],
    instanceTypes: { default: its },
    stateNodes,
    pendingPods: [],
    daemonSetPods: tutorialDaemonSetPods(),
    cluster: { pods: stateNodes.flatMap((n) => n.pods), nodes: stateNodes.filter((n) => n.node).map((n) => ({ name: n.name, labels: n.labels })) },
    rng: seededRng(5),
    ...extra,
  }
}

let podSeq = 0
const pods = (n: number, capacityType = 'spot', extra: Parameters<typeof workloadPods>[1] = {}): Pod[] =>
  workloadPods(n, { capacityType, app: `app${podSeq++}`, ...extra }).map((p) => ({ ...p, metadata: { ...p.metadata, uid: `${p.metadata.uid}-${podSeq}` } }))

describe('candidates', () => {
  it('only initialized, undeleted, un-nominated Karpenter nodes without do-not-disrupt', () => {
    const nodes = [
      managed('c7g.2xlarge'),
      managed('c7g.2xlarge', { initialized: false }),
      managed('c7g.2xlarge', { nominated: true }),
      managed('c7g.2xlarge', { nodeAnnotations: { 'karpenter.sh/do-not-disrupt': 'true' } }),
    ]
    const events: { message: string }[] = []
    const c = getCandidates(snapshot(nodes), () => true, events as never)
    assert.deepEqual(
      c.map((x) => x.name),
      [nodes[0].name],
    )
    assert.deepEqual(
      events.map((e) => e.message),
      ['Nominated for a pending pod', 'Disruption is blocked with the "karpenter.sh/do-not-disrupt" annotation'],
    )
  })

  it('pods with do-not-evict/do-not-disrupt, and PDBs without budget, block a node', () => {
    const a = managed('c7g.2xlarge', { pods: pods(1, 'spot', { annotations: { 'karpenter.sh/do-not-evict': 'true' } }) })
    const b = managed('c7g.2xlarge', { pods: pods(1, 'spot', { annotations: { 'karpenter.sh/do-not-disrupt': 'true' } }) })
    const pdbPods = pods(1)
    const c = managed('c7g.2xlarge', { pods: pdbPods })
    const d = managed('c7g.2xlarge', { pods: pods(1) })
    const s = snapshot([a, b, c, d], {
      pdbs: [
        {
          metadata: { namespace: 'default', name: 'pdb' },
          spec: { selector: { matchLabels: { app: pdbPods[0].metadata.labels!.app } } },
          status: { disruptionsAllowed: 0 },
        },
      ],
    })
    const events: { message: string }[] = []
    const kept = sortAndFilterCandidates(
      getCandidates(s, () => true),
      s,
      events as never,
    )
    assert.deepEqual(
      kept.map((x) => x.name),
      [d.name],
    )
    assert.deepEqual(
      events.map((e) => e.message),
      [
        `Pod "default/${a.pods[0].metadata.name}" has do not evict annotation`,
        `Pod "default/${b.pods[0].metadata.name}" has do not evict annotation`,
        'PDB "default/pdb" prevents pod evictions',
      ],
    )
  })

  it('disruption cost: pods (deletion cost, priority) × remaining lifetime; cheapest first', () => {
    assert.equal(podEvictionCost(pods(1)[0]), 1)
    assert.equal(podEvictionCost({ ...pods(1)[0], metadata: { annotations: { 'controller.kubernetes.io/pod-deletion-cost': String(2 ** 27) } } }), 2)
    assert.equal(podEvictionCost({ ...pods(1)[0], spec: { priority: 2 ** 30 } }), 10)
    const pool = tutorialNodePool()
    assert.equal(lifetimeRemaining(pool, NOW - 84 * 3_600_000, NOW), 0.5)
    assert.equal(lifetimeRemaining({ ...pool, spec: { ...pool.spec, disruption: { expireAfter: 'Never' } } }, 0, NOW), 1)
    const many = managed('c7g.2xlarge', { pods: pods(5) })
    const few = managed('c7g.2xlarge', { pods: pods(2) })
    const old = managed('c7g.2xlarge', { pods: pods(5), created: '2024-01-24T10:00:00Z' })
    const s = snapshot([many, few, old])
    assert.deepEqual(
      sortAndFilterCandidates(
        getCandidates(s, () => true),
        s,
      ).map((c) => c.name),
      [old.name, few.name, many.name],
    )
  })
})

describe('consolidation (v0.32.1)', () => {
  it('empty nodes: all deleted in one command, validated after 15 s', () => {
    const nodes = [
      managed('c7g.2xlarge', { zone: 'eu-west-2a' }),
      managed('m7g.2xlarge', { zone: 'eu-west-2b' }),
      managed('c6g.2xlarge', { zone: 'eu-west-2c', capacityType: 'on-demand' }),
    ]
    const s = snapshot(nodes)
    const { decision } = computeDisruption(s)
    assert.ok(decision)
    assert.equal(decision.method, 'consolidation')
    assert.equal(decision.consolidationType, 'empty')
    assert.equal(decision.needsValidation, true)
    assert.equal(
      formatLogLine(decision.log, '2024-01-29T10:00:00.000Z'),
      `{"level":"INFO","time":"2024-01-29T10:00:00.000Z","logger":"controller.disruption","message":"disrupting via consolidation delete, terminating 3 candidates ${nodes[0].name}/c7g.2xlarge/spot, ${nodes[1].name}/m7g.2xlarge/spot, ${nodes[2].name}/c6g.2xlarge/on-demand","commit":"1072d3b"}`,
    )
    assert.equal(validateEmptyNodeConsolidation(decision.command, s).valid, true)
    // a pod landed meanwhile: abandon
    const later = snapshot([nodes[0], managed('m7g.2xlarge', { zone: 'eu-west-2b' }), nodes[2]].map((n, i) => (i === 0 ? { ...n, pods: pods(1) } : n)))
    const v = validateEmptyNodeConsolidation(decision.command, later)
    assert.equal(v.valid, false)
    assert.match(
      v.logs[0].message,
      /^abandoning empty node consolidation attempt due to pod churn, command is no longer valid, delete, terminating 3 candidates /,
    )
  })

  it('single node: a spot node whose pods fit elsewhere is deleted', () => {
    const busy = managed('c7g.2xlarge', { pods: pods(6) })
    const light = managed('c7g.2xlarge', { pods: pods(2) })
    const { decision, events } = computeDisruption(snapshot([busy, light]))
    assert.ok(decision)
    assert.equal(decision.consolidationType, 'single')
    assert.equal(commandString(decision.command), `delete, terminating 1 candidates ${light.name}/c7g.2xlarge/spot`)
    assert.equal(decision.command.replacements.length, 0)
    assert.ok(Array.isArray(events))
  })

  it('spot → spot replacement is refused', () => {
    const big = managed('c7g.8xlarge', { pods: pods(2) })
    const s = snapshot([big])
    const { decision, events } = computeDisruption(s)
    assert.equal(decision, undefined)
    assert.ok(events.some((e) => e.reason === 'Unconsolidatable' && e.message === "Can't replace a spot node with a spot node"))
  })

  it('on-demand → cheaper on-demand replacement (pods require on-demand)', () => {
    const big = managed('c6g.4xlarge', { capacityType: 'on-demand', pods: pods(3, 'on-demand') })
    const { decision } = computeDisruption(snapshot([big]))
    assert.ok(decision)
    assert.equal(decision.consolidationType, 'single')
    const msg = commandString(decision.command)
    assert.match(
      msg,
      new RegExp(
        `^replace, terminating 1 candidates ${big.name.replace(/\./g, '\\.')}/c6g\\.4xlarge/on-demand and replacing with on-demand node from types [^ ]+, [^ ]+, [^ ]+, [^ ]+, [^ ]+ and \\d+ other\\(s\\)$`,
      ),
    )
    const odPrice = its.find((t) => t.name === 'c6g.4xlarge')!.offerings.find((o) => o.capacityType === 'on-demand' && o.zone === 'eu-west-2a')!.price
    for (const t of decision.command.replacements[0].instanceTypeOptions) {
      const worst = Math.max(...t.offerings.filter((o) => o.available && o.capacityType === 'on-demand').map((o) => o.price))
      assert.ok(worst < odPrice, `${t.name} ${worst} < ${odPrice}`)
    }
    const [nc] = replacementNodeClaims(decision.command, { rng: seededRng(1) })
    assert.ok(nc.spec.requirements!.find((r) => r.key === 'node.kubernetes.io/instance-type')!.values!.length > 0)
    assert.deepEqual(nc.spec.resources!.requests, { cpu: '1746m', memory: '1776Mi', pods: '7' })
  })

  it('on-demand → [on-demand, spot] is forced to spot', () => {
    const flexible = pods(3, 'spot', { nodeSelector: { intent: 'apps' } })
    const big = managed('c6g.4xlarge', { capacityType: 'on-demand', pods: flexible })
    const { decision } = computeDisruption(snapshot([big]))
    assert.ok(decision)
    assert.deepEqual(decision.command.replacements[0].requirements.get('karpenter.sh/capacity-type').valueList(), ['spot'])
    assert.match(commandString(decision.command), / and replacing with spot node from types /)
  })

  it('multi-node: several underused on-demand nodes fold into one cheaper node', () => {
    const nodes = [1, 2, 3].map(() => managed('m7g.2xlarge', { capacityType: 'on-demand', pods: pods(1, 'on-demand') }))
    const { decision } = computeDisruption(snapshot(nodes))
    assert.ok(decision)
    assert.equal(decision.consolidationType, 'multi')
    assert.ok(decision.command.candidates.length >= 2)
    const s = snapshot(nodes)
    assert.equal(validateCommand(decision.command, s, 'multi-node').valid, true)
  })

  it('validation fails when a candidate became nominated', () => {
    const busy = managed('c7g.2xlarge', { pods: pods(6) })
    const light = managed('c7g.2xlarge', { pods: pods(2) })
    const { decision } = computeDisruption(snapshot([busy, light]))
    assert.ok(decision)
    const later = snapshot([busy, { ...light, nominated: true }])
    const v = validateCommand(decision.command, later, 'single-node')
    assert.equal(v.valid, false)
    assert.match(v.logs[0].message, /^abandoning single-node consolidation attempt due to pod churn/)
  })

  it('do-not-consolidate and WhenEmpty NodePools are left to other methods', () => {
    const a = managed('c7g.2xlarge', { nodeAnnotations: { 'karpenter.sh/do-not-consolidate': 'true' } })
    const r = computeDisruption(snapshot([a]))
    assert.equal(r.decision, undefined)
    assert.ok(r.events.some((e) => e.message === 'karpenter.sh/do-not-consolidate annotation exists'))
  })

  it('the consolidation memo skips a type that found nothing at the same cluster state', () => {
    const big = managed('c7g.8xlarge', { pods: pods(2) })
    const first = computeDisruption(snapshot([big]), {}, 1)
    assert.deepEqual(first.memo, { empty: 1, multi: 1, single: 1 })
    const second = computeDisruption(snapshot([big]), first.memo, 1)
    assert.equal(second.events.filter((e) => e.reason === 'Unconsolidatable').length, 0)
  })
})

describe('WhenEmpty and expiration', () => {
  const whenEmpty = (): NodePool => tutorialNodePool({ disruption: { consolidationPolicy: 'WhenEmpty', consolidateAfter: '30s', expireAfter: '168h' } })

  it('emptiness deletes nodes Empty for longer than consolidateAfter', () => {
    const n = managed('c7g.2xlarge', { conditions: [{ type: 'Empty', status: 'True', lastTransitionTime: new Date(NOW - 31_000).toISOString() }] })
    const fresh = managed('c7g.2xlarge', { conditions: [{ type: 'Empty', status: 'True', lastTransitionTime: new Date(NOW - 5_000).toISOString() }] })
    const { decision } = computeDisruption(snapshot([n, fresh], { nodePools: [whenEmpty()] }))
    assert.ok(decision)
    assert.equal(decision.method, 'emptiness')
    assert.equal(decision.needsValidation, false)
    assert.equal(decision.log.message, `disrupting via emptiness delete, terminating 1 candidates ${n.name}/c7g.2xlarge/spot`)
  })

  it('the Empty condition: WhenEmpty + consolidateAfter, initialized, not nominated, no pods', () => {
    assert.equal(
      emptyCondition({ consolidationPolicy: 'WhenEmpty', consolidateAfter: '30s', initialized: true, hasNode: true, nominated: false, reschedulablePods: 0 }),
      true,
    )
    assert.equal(
      emptyCondition({ consolidationPolicy: 'WhenEmpty', consolidateAfter: '30s', initialized: true, hasNode: true, nominated: true, reschedulablePods: 0 }),
      false,
    )
    assert.equal(emptyCondition({ consolidationPolicy: 'WhenUnderutilized', initialized: true, hasNode: true, nominated: false, reschedulablePods: 0 }), false)
  })

  it('expiry: 168h after the older of NodeClaim and Node; Never disables', () => {
    assert.deepEqual(expiredCondition({ expireAfter: '168h', nodeClaimCreated: '2024-01-22T10:00:00Z', now: NOW }), { expired: true })
    assert.deepEqual(expiredCondition({ expireAfter: '168h', nodeClaimCreated: '2024-01-29T09:00:00Z', now: NOW }), {
      expired: false,
      requeueAfterMs: 167 * 3_600_000,
    })
    assert.deepEqual(expiredCondition({ expireAfter: 'Never', nodeClaimCreated: '2020-01-01T00:00:00Z', now: NOW }), { expired: false })
  })

  it('expiration: empty expired nodes go at once; otherwise replace first, with the TTL logged', () => {
    const expired = [{ type: 'Expired', status: 'True', lastTransitionTime: '2024-01-29T09:00:00Z' }]
    const empty = managed('c7g.2xlarge', { conditions: expired })
    const r1 = computeDisruption(snapshot([empty]))
    assert.equal(r1.decision?.log.message, `disrupting via expiration delete, terminating 1 candidates ${empty.name}/c7g.2xlarge/spot`)
    const busy = managed('c7g.2xlarge', { conditions: expired, pods: pods(3) })
    const r2 = computeDisruption(snapshot([busy]))
    assert.ok(r2.decision)
    assert.equal(r2.decision.method, 'expiration')
    assert.equal(r2.decision.command.replacements.length, 1)
    assert.deepEqual(
      r2.decision.logs.map((l) => [l.message, l.fields]),
      [['triggering termination for expired node after TTL', [['ttl', '168h0m0s']]]],
    )
    assert.match(
      r2.decision.log.message,
      /^disrupting via expiration replace, terminating 1 candidates .*\/c7g\.2xlarge\/spot and replacing with spot node from types /,
    )
  })
})
