// Karpenter v0.32.1 log lines against the tutorial's own samples (Steps 4 and 6), byte for byte
// where the tutorial prints the whole line.

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { parseResourceList } from '../../../sandbox/k8s/resources.ts'
import * as log from '../../../sandbox/karpenter/logger.ts'

const L = log.formatLogLine

describe('tutorial Step 4 sample lines', () => {
  it('computed new nodeclaim(s) to fit pod(s)', () => {
    assert.equal(
      L(log.computedNewNodeClaims(1, 10), '2024-01-28T21:14:32.625Z'),
      '{"level":"INFO","time":"2024-01-28T21:14:32.625Z","logger":"controller.provisioner","message":"computed new nodeclaim(s) to fit pod(s)","commit":"1072d3b","nodeclaims":1,"pods":10}',
    )
  })

  it('created nodeclaim (5 names alphabetically and 95 others)', () => {
    const types = ['c5.2xlarge', 'c4.4xlarge', 'c5a.2xlarge', 'c4.2xlarge', 'c5.4xlarge', ...Array.from({ length: 95 }, (_, i) => `r${i}.2xlarge`)]
    assert.equal(
      L(log.createdNodeClaim('default', 'default-8blnj', parseResourceList({ cpu: '5330m', memory: '5360Mi', pods: '14' }), types), '2024-01-28T21:14:32.652Z'),
      '{"level":"INFO","time":"2024-01-28T21:14:32.652Z","logger":"controller.provisioner","message":"created nodeclaim","commit":"1072d3b","nodepool":"default","nodeclaim":"default-8blnj","requests":{"cpu":"5330m","memory":"5360Mi","pods":"14"},"instance-types":"c4.2xlarge, c4.4xlarge, c5.2xlarge, c5.4xlarge, c5a.2xlarge and 95 other(s)"}',
    )
  })

  it('launched nodeclaim (allocatable without zero resources)', () => {
    const allocatable = parseResourceList({
      cpu: '7810m',
      'ephemeral-storage': '17Gi',
      memory: '14003Mi',
      pods: '58',
      'vpc.amazonaws.com/pod-eni': '38',
      'nvidia.com/gpu': '0',
    })
    assert.equal(
      L(
        log.launchedNodeClaim({
          nodeClaim: 'default-8blnj',
          nodePool: 'default',
          providerID: 'aws:///eu-west-2a/i-094792dc93778aa2a',
          instanceType: 'c7g.2xlarge',
          zone: 'eu-west-2a',
          capacityType: 'spot',
          allocatable,
        }),
        '2024-01-28T21:14:36.823Z',
      ),
      '{"level":"INFO","time":"2024-01-28T21:14:36.823Z","logger":"controller.nodeclaim.lifecycle","message":"launched nodeclaim","commit":"1072d3b","nodeclaim":"default-8blnj","nodepool":"default","provider-id":"aws:///eu-west-2a/i-094792dc93778aa2a","instance-type":"c7g.2xlarge","zone":"eu-west-2a","capacity-type":"spot","allocatable":{"cpu":"7810m","ephemeral-storage":"17Gi","memory":"14003Mi","pods":"58","vpc.amazonaws.com/pod-eni":"38"}}',
    )
  })
})

describe('tutorial Step 6 sample lines (Spot interruption)', () => {
  const f = {
    queue: 'karpenter-spot-and-karpenter',
    messageKind: 'SpotInterruptionKind',
    nodeClaim: 'default-4w54b',
    action: 'CordonAndDrain',
    node: 'ip-10-0-36-60.eu-west-2.compute.internal',
  }

  it('initiating delete from interruption message', () => {
    assert.equal(
      L(log.initiatingDeleteFromInterruption(f), '2024-01-29T08:47:30.575Z'),
      '{"level":"INFO","time":"2024-01-29T08:47:30.575Z","logger":"controller.interruption","message":"initiating delete from interruption message","commit":"1072d3b","queue":"karpenter-spot-and-karpenter","messageKind":"SpotInterruptionKind","nodeclaim":"default-4w54b","action":"CordonAndDrain","node":"ip-10-0-36-60.eu-west-2.compute.internal"}',
    )
  })

  it('tainted node', () => {
    assert.equal(
      L(log.taintedNode('ip-10-0-36-60.eu-west-2.compute.internal'), '2024-01-29T08:47:30.603Z'),
      '{"level":"INFO","time":"2024-01-29T08:47:30.603Z","logger":"controller.node.termination","message":"tainted node","commit":"1072d3b","node":"ip-10-0-36-60.eu-west-2.compute.internal"}',
    )
  })

  it('found provisionable pod(s) with a Go duration', () => {
    assert.equal(
      L(
        log.foundProvisionablePods(
          ['default/stateless-7956bd8d4c-48mj9', 'default/stateless-7956bd8d4c-spsqr', 'default/stateless-7956bd8d4c-sm4cp'],
          18.833162,
        ),
        '2024-01-29T08:47:31.963Z',
      ),
      '{"level":"INFO","time":"2024-01-29T08:47:31.963Z","logger":"controller.provisioner","message":"found provisionable pod(s)","commit":"1072d3b","pods":"default/stateless-7956bd8d4c-48mj9, default/stateless-7956bd8d4c-spsqr, default/stateless-7956bd8d4c-sm4cp","duration":"18.833162ms"}',
    )
  })

  it('computed new nodeclaim(s) and created nodeclaim (prefix: the tutorial truncates the line)', () => {
    assert.equal(
      L(log.computedNewNodeClaims(1, 3), '2024-01-29T08:47:31.963Z'),
      '{"level":"INFO","time":"2024-01-29T08:47:31.963Z","logger":"controller.provisioner","message":"computed new nodeclaim(s) to fit pod(s)","commit":"1072d3b","nodeclaims":1,"pods":3}',
    )
    const line = L(
      log.createdNodeClaim('default', 'default-6p2qb', parseResourceList({ cpu: '1746m', memory: '1776Mi', pods: '7' }), [
        'c4.4xlarge',
        'c4.2xlarge',
        'm7g.2xlarge',
      ]),
      '2024-01-29T08:47:31.997Z',
    )
    assert.ok(
      line.startsWith(
        '{"level":"INFO","time":"2024-01-29T08:47:31.997Z","logger":"controller.provisioner","message":"created nodeclaim","commit":"1072d3b","nodepool":"default","nodeclaim":"default-6p2qb","requests":{"cpu":"1746m","memory":"1776Mi","pods":"7"},"instance-types":"c4.2xlarge, c4.4xlarge, ',
      ),
    )
  })

  it('launched nodeclaim for the m7g.2xlarge replacement', () => {
    assert.equal(
      L(
        log.launchedNodeClaim({
          nodeClaim: 'default-6p2qb',
          nodePool: 'default',
          providerID: 'aws:///eu-west-2a/i-005ca44c327470d09',
          instanceType: 'm7g.2xlarge',
          zone: 'eu-west-2a',
          capacityType: 'spot',
          allocatable: { cpu: '7810m', 'ephemeral-storage': '17Gi', memory: '29158Mi', pods: '58', 'vpc.amazonaws.com/pod-eni': '38' },
        }),
        '2024-01-29T08:47:34.823Z',
      ),
      '{"level":"INFO","time":"2024-01-29T08:47:34.823Z","logger":"controller.nodeclaim.lifecycle","message":"launched nodeclaim","commit":"1072d3b","nodeclaim":"default-6p2qb","nodepool":"default","provider-id":"aws:///eu-west-2a/i-005ca44c327470d09","instance-type":"m7g.2xlarge","zone":"eu-west-2a","capacity-type":"spot","allocatable":{"cpu":"7810m","ephemeral-storage":"17Gi","memory":"29158Mi","pods":"58","vpc.amazonaws.com/pod-eni":"38"}}',
    )
  })

  it('removing offering from offerings: interruption context, then reason/type/zone/capacity type/ttl 3m0s', () => {
    const line = L(
      log.removingOfferingForInterruption(f, { reason: 'SpotInterruptionKind', instanceType: 'c7g.2xlarge', zone: 'eu-west-2a', capacityType: 'spot' }),
      '2024-01-29T08:47:30.575Z',
    )
    const { keys, values } = log.parseLogLine(line)
    assert.deepEqual(keys, [
      'level',
      'time',
      'logger',
      'message',
      'commit',
      'queue',
      'messageKind',
      'nodeclaim',
      'action',
      'node',
      'reason',
      'instance-type',
      'zone',
      'capacity-type',
      'ttl',
    ])
    assert.equal(values.level, 'DEBUG')
    assert.equal(values.ttl, '3m0s')
  })
})

describe('catalogue field order, as Karpenter v0.32.1 emits each message', () => {
  const keysOf = (e: log.LogEntry) => log.parseLogLine(L(e, 0)).keys.slice(5)
  const cases: [string, log.LogEntry, string, string, string[]][] = [
    [
      'registered nodeclaim',
      log.registeredNodeClaim('default-8blnj', 'default', 'aws:///eu-west-2a/i-1', 'ip-1'),
      'DEBUG',
      'controller.nodeclaim.lifecycle',
      ['nodeclaim', 'nodepool', 'provider-id', 'node'],
    ],
    [
      'initialized nodeclaim',
      log.initializedNodeClaim('default-8blnj', 'default', 'aws:///eu-west-2a/i-1', 'ip-1'),
      'INFO',
      'controller.nodeclaim.lifecycle',
      ['nodeclaim', 'nodepool', 'provider-id', 'node'],
    ],
    [
      'created launch template',
      log.createdLaunchTemplate('default-8blnj', 'default', 'karpenter.k8s.aws/123', 'lt-1'),
      'DEBUG',
      'controller.nodeclaim.lifecycle',
      ['nodeclaim', 'nodepool', 'launch-template-name', 'id'],
    ],
    ['deleted node', log.deletedNode('ip-1'), 'INFO', 'controller.node.termination', ['node']],
    [
      'deleted nodeclaim',
      log.deletedNodeClaim('default-8blnj', 'default', 'ip-1', 'aws:///eu-west-2a/i-1'),
      'INFO',
      'controller.nodeclaim.termination',
      ['nodeclaim', 'nodepool', 'node', 'provider-id'],
    ],
    ['limits', log.limitsExcluded('default', 12, 400), 'DEBUG', 'controller.provisioner', ['nodepool']],
    ['could not schedule', log.couldNotSchedulePod('default/p', 'x'), 'ERROR', 'controller.provisioner', ['pod']],
    ['expiration', log.triggeringExpiration('168h'), 'INFO', 'controller.disruption', ['ttl']],
    ['disrupting', log.disrupting('consolidation', 'delete, terminating 1 candidates ip-1/c6a.large/spot'), 'INFO', 'controller.disruption', []],
    [
      'discovered subnets',
      log.discoveredSubnets('default', [{ id: 'subnet-1', zone: 'eu-west-2a' }]),
      'DEBUG',
      'controller.nodeclass',
      ['ec2nodeclass', 'subnets'],
    ],
    ['on-demand fallback', log.onDemandFallbackWarning('default-8blnj', 'default', 3), 'WARN', 'controller.nodeclaim.lifecycle', ['nodeclaim', 'nodepool']],
  ]
  for (const [name, e, level, logger, keys] of cases) {
    it(name, () => {
      assert.equal(e.level, level)
      assert.equal(e.logger, logger)
      assert.deepEqual(keysOf(e), keys)
    })
  }

  it('the limits and disruption messages', () => {
    assert.equal(log.limitsExcluded('default', 12, 400).message, '12 out of 400 instance types were excluded because they would breach limits')
    assert.equal(
      log.disrupting('consolidation', 'delete, terminating 1 candidates ip-1/c6a.large/spot').message,
      'disrupting via consolidation delete, terminating 1 candidates ip-1/c6a.large/spot',
    )
    assert.equal(log.prettySlice(['a', 'b', 'c', 'd', 'e', 'f', 'g']), 'a, b, c, d, e and 2 other(s)')
    assert.equal(log.goDuration(180_000), '3m0s')
  })
})
