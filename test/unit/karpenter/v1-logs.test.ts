// Karpenter 1.9's log lines and interruption handling in the 1.x twin. The line shapes are compared,
// key for key, with lines a Karpenter 1.x controller wrote (a public EKS walkthrough of Karpenter
// 1.x, October 2025, reproduced below with their values); the interruption cases come from
// aws/karpenter-provider-aws@v1.9.2 pkg/controllers/interruption/suite_test.go.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { NodeClaim } from '../../../sandbox/karpenter/api.ts'
import { formatLogLine, type LogEntry } from '../../../sandbox/karpenter/logger.ts'
import { provisioningRound } from '../../../sandbox/karpenter/provisioning.ts'
import { seededRng } from '../../../sandbox/karpenter/rng.ts'
import { isUnavailable, newUnavailableOfferings } from '../../../sandbox/karpenter/unavailable-offerings.ts'
import { handleInterruptionV1, parseInterruptionMessageV1, TERMINATING_ON_INTERRUPTION } from '../../../sandbox/karpenter/v1/interruption.ts'
import * as v1log from '../../../sandbox/karpenter/v1/logger.ts'
import { tutorialDaemonSetPods, tutorialInstanceTypes, tutorialNodePool, workloadPods } from './helpers/tutorial.ts'

const COMMIT = '310b356'
const keys = (line: string) => Object.keys(JSON.parse(line) as object)
const render = (e: LogEntry) => formatLogLine(e, '2026-12-06T10:00:00.000Z', COMMIT)

/** Lines Karpenter 1.x wrote (commit 4ff8cfe), their keys being what the twin must reproduce. */
const REAL = {
  found: `{"level":"INFO","time":"2025-10-08T16:57:03.613Z","logger":"controller","message":"found provisionable pod(s)","commit":"4ff8cfe","controller":"provisioner","namespace":"","name":"","reconcileID":"a47f6276-1e00-4315-aba5-faaddae6e59f","Pods":"inflate/inflate-5c5f75666d-gkvwm, inflate/inflate-5c5f75666d-vnglw","duration":"97.580831ms"}`,
  computed: `{"level":"INFO","time":"2025-10-08T16:57:03.613Z","logger":"controller","message":"computed new nodeclaim(s) to fit pod(s)","commit":"4ff8cfe","controller":"provisioner","namespace":"","name":"","reconcileID":"a47f6276-1e00-4315-aba5-faaddae6e59f","nodeclaims":1,"pods":5}`,
  created: `{"level":"INFO","time":"2025-10-08T16:57:03.632Z","logger":"controller","message":"created nodeclaim","commit":"4ff8cfe","controller":"provisioner","namespace":"","name":"","reconcileID":"a47f6276-1e00-4315-aba5-faaddae6e59f","NodePool":{"name":"default"},"NodeClaim":{"name":"default-c54z5"},"requests":{"cpu":"5180m","memory":"120Mi","pods":"8"},"instance-types":"c3.2xlarge, c4.2xlarge, c5.2xlarge, c5.4xlarge, c5a.2xlarge and 55 other(s)"}`,
  launched: `{"level":"INFO","time":"2025-10-08T16:57:06.354Z","logger":"controller","message":"launched nodeclaim","commit":"4ff8cfe","controller":"nodeclaim.lifecycle","controllerGroup":"karpenter.sh","controllerKind":"NodeClaim","NodeClaim":{"name":"default-c54z5"},"namespace":"","name":"default-c54z5","reconcileID":"09d9e180-2d05-42ea-a55e-ab7b4614d589","provider-id":"aws:///us-east-1a/i-08d0c987a45fcdecd","instance-type":"c6a.2xlarge","zone":"us-east-1a","capacity-type":"on-demand","allocatable":{"cpu":"7910m","ephemeral-storage":"17Gi","memory":"14967996Ki","pods":"58","vpc.amazonaws.com/pod-eni":"38"}}`,
  registered: `{"level":"INFO","time":"2025-10-08T16:57:30.894Z","logger":"controller","message":"registered nodeclaim","commit":"4ff8cfe","controller":"nodeclaim.lifecycle","controllerGroup":"karpenter.sh","controllerKind":"NodeClaim","NodeClaim":{"name":"default-c54z5"},"namespace":"","name":"default-c54z5","reconcileID":"77c703e0-391a-4368-a391-7166e0459493","provider-id":"aws:///us-east-1a/i-08d0c987a45fcdecd","Node":{"name":"ip-10-11-12-13.ec2.internal"}}`,
  initialized: `{"level":"INFO","time":"2025-10-08T16:57:43.744Z","logger":"controller","message":"initialized nodeclaim","commit":"4ff8cfe","controller":"nodeclaim.lifecycle","controllerGroup":"karpenter.sh","controllerKind":"NodeClaim","NodeClaim":{"name":"default-c54z5"},"namespace":"","name":"default-c54z5","reconcileID":"b0182dc3-a210-406e-8781-576ef5cb0e82","provider-id":"aws:///us-east-1a/i-08d0c987a45fcdecd","Node":{"name":"ip-10-11-12-13.ec2.internal"},"allocatable":{"cpu":"7910m","ephemeral-storage":"18181869946","memory":"14967996Ki","pods":"58"}}`,
  tainted: `{"level":"INFO","time":"2025-10-08T17:26:26.374Z","logger":"controller","message":"tainted node","commit":"4ff8cfe","controller":"node.termination","controllerGroup":"","controllerKind":"Node","Node":{"name":"ip-10-11-12-13.ec2.internal"},"namespace":"","name":"ip-10-11-12-13.ec2.internal","reconcileID":"7839593c-867f-4e54-9648-50805470c1ac","NodeClaim":{"name":"default-c54z5"},"taint.Key":"karpenter.sh/disrupted","taint.Value":"","taint.Effect":"NoSchedule"}`,
  deletedNode: `{"level":"INFO","time":"2025-10-08T17:27:25.574Z","logger":"controller","message":"deleted node","commit":"4ff8cfe","controller":"node.termination","controllerGroup":"","controllerKind":"Node","Node":{"name":"ip-10-11-12-13.ec2.internal"},"namespace":"","name":"ip-10-11-12-13.ec2.internal","reconcileID":"09ebd74f-0806-4265-a8d6-ba3806073430","NodeClaim":{"name":"default-c54z5"}}`,
  deletedNodeClaim: `{"level":"INFO","time":"2025-10-08T17:27:25.838Z","logger":"controller","message":"deleted nodeclaim","commit":"4ff8cfe","controller":"nodeclaim.lifecycle","controllerGroup":"karpenter.sh","controllerKind":"NodeClaim","NodeClaim":{"name":"default-c54z5"},"namespace":"","name":"default-c54z5","reconcileID":"c033c44e-c1bb-4be8-99de-23c28b2419cd","provider-id":"aws:///us-east-1a/i-08d0c987a45fcdecd","Node":{"name":"ip-10-11-12-13.ec2.internal"}}`,
}

describe("1.9's log lines, key for key", () => {
  const rng = seededRng('logs')
  it('reconcileIDs are version-4 UUIDs from the seeded RNG (a run replays)', () => {
    const a = v1log.uuid(seededRng(3))
    assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    assert.equal(a, v1log.uuid(seededRng(3)))
  })
  it("the provisioner's round: found, computed, created (translated from the shared round)", () => {
    const round = provisioningRound({
      pendingPods: workloadPods(10),
      nodePools: [tutorialNodePool()],
      instanceTypes: { default: tutorialInstanceTypes() },
      daemonSetPods: tutorialDaemonSetPods(),
      cluster: { pods: [], nodes: [], namespaces: [{ name: 'default' }] },
      rng,
      durationMs: 12,
    })
    const scope = v1log.singletonScope('provisioner', rng)
    const lines = v1log.translateRoundLogs(round.logs, scope).map(render)
    const by = (m: string) => lines.find((l) => (JSON.parse(l) as { message: string }).message === m)!
    assert.deepEqual(keys(by('found provisionable pod(s)')), keys(REAL.found))
    assert.deepEqual(keys(by('computed new nodeclaim(s) to fit pod(s)')), keys(REAL.computed))
    assert.deepEqual(keys(by('created nodeclaim')), keys(REAL.created))
    const created = JSON.parse(by('created nodeclaim')) as Record<string, unknown>
    assert.deepEqual(created.NodePool, { name: 'default' })
    assert.deepEqual(Object.keys(created.requests as object), ['cpu', 'memory', 'pods'])
    assert.match(String((JSON.parse(by('found provisionable pod(s)')) as { Pods: string }).Pods), /^default\/stateless-7956bd8d4c-\d{5}, .* and 5 other\(s\)$/)
  })
  it('a pod that cannot be scheduled: `could not schedule pod` with the Pod ref and the reason as error (scheduler.go)', () => {
    const e = v1log.translateRoundLogs(
      [
        {
          level: 'ERROR',
          logger: 'controller.provisioner',
          message: 'Could not schedule pod, incompatible with nodepool "default"',
          fields: [['pod', 'default/web-1']],
        },
      ],
      [],
    )[0]
    assert.deepEqual(
      [e.message, e.fields],
      [
        'could not schedule pod',
        [
          ['Pod', { name: 'web-1', namespace: 'default' }],
          ['error', 'incompatible with nodepool "default"'],
        ],
      ],
    )
  })
  it('the preference warnings are grouped, once per round (provisioner.go consolidationWarnings)', () => {
    const w = v1log.translateRoundLogs(
      [
        {
          level: 'INFO',
          logger: 'controller.provisioner',
          message: 'pod default/a has a preferred TopologySpreadConstraint which can prevent consolidation',
          fields: [],
        },
        {
          level: 'INFO',
          logger: 'controller.provisioner',
          message: 'pod default/b has a preferred TopologySpreadConstraint which can prevent consolidation',
          fields: [],
        },
      ],
      [],
    )
    assert.deepEqual(
      w.map((e) => [e.message, e.fields]),
      [['pod(s) have a preferred TopologySpreadConstraint which can prevent consolidation', [['pods', 'default/a, default/b']]]],
    )
  })
  it('the lifecycle: launched, registered, initialized, deleted nodeclaim', () => {
    const providerID = 'aws:///eu-west-2a/i-0abc'
    const launched = v1log.launched(v1log.lifecycleScope('default-x', rng), {
      providerID,
      instanceType: 'c7g.2xlarge',
      zone: 'eu-west-2a',
      capacityType: 'spot',
      allocatable: { pods: '58', cpu: '7810m' },
    })
    assert.deepEqual(keys(render(launched)), keys(REAL.launched))
    assert.deepEqual(launched.fields.at(-1), ['allocatable', { cpu: '7810m', pods: '58' }], 'allocatable keys sorted')
    const withNode = v1log.lifecycleScope('default-x', rng, providerID, 'ip-10-0-1-2.eu-west-2.compute.internal')
    assert.deepEqual(keys(render(v1log.registered(withNode))), keys(REAL.registered))
    assert.deepEqual(keys(render(v1log.initialized(withNode, { cpu: '7810m' }))), keys(REAL.initialized))
    assert.deepEqual(keys(render(v1log.deletedNodeClaim(withNode))), keys(REAL.deletedNodeClaim))
  })
  it('termination: tainted node with the taint, deleted node', () => {
    const scope = v1log.terminationScope('ip-10-0-1-2.eu-west-2.compute.internal', rng, 'default-x')
    const tainted = render(v1log.taintedNode(scope, { key: 'karpenter.sh/disrupted', effect: 'NoSchedule' }))
    assert.deepEqual(keys(tainted), keys(REAL.tainted))
    assert.deepEqual((JSON.parse(tainted) as Record<string, unknown>)['taint.Value'], '')
    assert.deepEqual(keys(render(v1log.deletedNode(scope))), keys(REAL.deletedNode))
  })
  it('disrupting node(s): command then Command.LogValues, nodes as refs with sorted keys (core disruption/queue.go, types.go)', () => {
    const line = JSON.parse(
      render(
        v1log.disruptingNodes(v1log.singletonScope('disruption', rng), {
          command: 'Empty/x: delete: [ip-1] (savings: $0.12)',
          decision: 'delete',
          podCount: 0,
          disrupted: [{ node: 'ip-1', nodeClaim: 'default-x', instanceType: 'c7g.2xlarge', capacityType: 'spot' }],
          replacements: [],
        }),
      ),
    ) as Record<string, unknown>
    assert.deepEqual(Object.keys(line), [
      'level',
      'time',
      'logger',
      'message',
      'commit',
      'controller',
      'namespace',
      'name',
      'reconcileID',
      'command',
      'decision',
      'disrupted-node-count',
      'replacement-node-count',
      'pod-count',
      'disrupted-nodes',
      'replacement-nodes',
    ])
    assert.deepEqual(line['disrupted-nodes'], [
      { Node: { name: 'ip-1' }, NodeClaim: { name: 'default-x' }, 'capacity-type': 'spot', 'instance-type': 'c7g.2xlarge' },
    ])
  })
  it('start-up at info: metrics and health servers, then the lease (controller-runtime, client-go)', () => {
    assert.deepEqual(
      v1log.startupLines('karpenter', 'karpenter-leader-election').map((e) => [e.logger, e.message]),
      [
        ['controller.controller-runtime.metrics', 'Starting metrics server'],
        ['controller.controller-runtime.metrics', 'Serving metrics server'],
        ['controller', 'starting server'],
        ['controller', 'attempting to acquire leader lease karpenter/karpenter-leader-election...'],
      ],
    )
  })
})

describe('interruption (aws pkg/controllers/interruption/suite_test.go)', () => {
  const spot = JSON.stringify({
    version: '0',
    source: 'aws.ec2',
    'detail-type': 'EC2 Spot Instance Interruption Warning',
    time: '2026-12-06T10:00:00Z',
    detail: { 'instance-id': 'i-0abc', 'instance-action': 'terminate' },
  })
  const nodeClaim: NodeClaim = {
    metadata: { name: 'default-x', labels: { 'topology.kubernetes.io/zone': 'eu-west-2a', 'node.kubernetes.io/instance-type': 'c7g.2xlarge' } },
    spec: {},
    status: { providerID: 'aws:///eu-west-2a/i-0abc' },
  }
  const scope = v1log.singletonScope('interruption', seededRng(1))
  it("message kinds are 1.9's: spot_interrupted, rebalance_recommendation, scheduled_change, instance_stopped, instance_terminated", () => {
    const sc = (state: string) =>
      JSON.stringify({ version: '0', source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', detail: { 'instance-id': 'i-0abc', state } })
    assert.equal(parseInterruptionMessageV1(spot).kind, 'spot_interrupted')
    assert.equal(
      parseInterruptionMessageV1(
        JSON.stringify({ version: '0', source: 'aws.ec2', 'detail-type': 'EC2 Instance Rebalance Recommendation', detail: { 'instance-id': 'i-0abc' } }),
      ).kind,
      'rebalance_recommendation',
    )
    assert.deepEqual(
      [sc('stopping'), sc('stopped'), sc('shutting-down'), sc('terminated')].map((b) => parseInterruptionMessageV1(b).kind),
      ['instance_stopped', 'instance_stopped', 'instance_terminated', 'instance_terminated'],
    )
  })
  it('"should delete a state change message when the state isn\'t in accepted states" (no_op)', () => {
    assert.equal(
      parseInterruptionMessageV1(
        JSON.stringify({
          version: '0',
          source: 'aws.ec2',
          'detail-type': 'EC2 Instance State-change Notification',
          detail: { 'instance-id': 'i-0abc', state: 'running' },
        }),
      ).kind,
      'no_op',
    )
  })
  it('"should delete a message when the message can\'t be parsed"', () => assert.throws(() => parseInterruptionMessageV1('{not json')))
  it('"should delete the NodeClaim when receiving a spot interruption warning" and "should mark the ICE cache for the offering"', () => {
    const cache = newUnavailableOfferings()
    const h = handleInterruptionV1(
      parseInterruptionMessageV1(spot),
      nodeClaim,
      'ip-10-0-1-2.eu-west-2.compute.internal',
      'karpenter-spot-and-karpenter',
      scope,
      cache,
      0,
    )
    assert.equal(h.deleteNodeClaim, true)
    assert.deepEqual(h.notification, { type: 'Warning', reason: 'SpotInterrupted', message: 'Spot interruption warning was triggered' })
    assert.ok(isUnavailable(cache, 'c7g.2xlarge', 'eu-west-2a', 'spot', 1000))
    const removing = JSON.parse(render(h.logs[0])) as Record<string, unknown>
    assert.deepEqual(
      [removing.message, removing.reason, removing.ttl, removing.messageKind],
      ['removing offering from offerings', 'spot_interrupted', '3m0s', 'spot_interrupted'],
    )
    const initiating = JSON.parse(render(v1log.initiatingDelete(h.scope))) as Record<string, unknown>
    assert.deepEqual(Object.keys(initiating).slice(9), ['queue', 'messageKind', 'NodeClaim', 'action', 'Node'])
    assert.deepEqual(TERMINATING_ON_INTERRUPTION.nodeClaim.message, 'Interruption triggered termination for the NodeClaim')
  })
  it('a rebalance recommendation only notifies (NoAction)', () => {
    const body = JSON.stringify({
      version: '0',
      source: 'aws.ec2',
      'detail-type': 'EC2 Instance Rebalance Recommendation',
      detail: { 'instance-id': 'i-0abc' },
    })
    const h = handleInterruptionV1(parseInterruptionMessageV1(body), nodeClaim, undefined, 'q', scope, newUnavailableOfferings(), 0)
    assert.deepEqual([h.action, h.deleteNodeClaim, h.notification?.reason], ['NoAction', false, 'SpotRebalanceRecommendation'])
  })
})
