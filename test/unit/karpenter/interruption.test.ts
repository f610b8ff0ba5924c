import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { NodeClaim } from '../../../sandbox/karpenter/api.ts'
import { actionFor, handleInterruption, parseInterruptionMessage } from '../../../sandbox/karpenter/interruption.ts'
import { formatLogLine } from '../../../sandbox/karpenter/logger.ts'
import { isUnavailable, newUnavailableOfferings } from '../../../sandbox/karpenter/unavailable-offerings.ts'

const spot = JSON.stringify({
  version: '0',
  id: '1e5527d7-bb36-4607-3370-4164db56a40e',
  'detail-type': 'EC2 Spot Instance Interruption Warning',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2024-01-29T08:47:28Z',
  region: 'eu-west-2',
  resources: ['arn:aws:ec2:eu-west-2:123456789012:instance/i-0abc'],
  detail: { 'instance-id': 'i-0abc', 'instance-action': 'terminate' },
})

describe('interruption messages (SQS bodies = EventBridge events)', () => {
  it('parses the four kinds and ignores the rest', () => {
    assert.deepEqual(parseInterruptionMessage(spot), { kind: 'SpotInterruptionKind', instanceIds: ['i-0abc'], time: '2024-01-29T08:47:28Z' })
    const ev = (detailType: string, source: string, detail: object) => JSON.stringify({ version: '0', 'detail-type': detailType, source, detail })
    assert.equal(parseInterruptionMessage(ev('EC2 Instance Rebalance Recommendation', 'aws.ec2', { 'instance-id': 'i-1' })).kind, 'RebalanceRecommendationKind')
    assert.equal(
      parseInterruptionMessage(ev('EC2 Instance State-change Notification', 'aws.ec2', { 'instance-id': 'i-1', state: 'shutting-down' })).kind,
      'StateChangeKind',
    )
    assert.equal(parseInterruptionMessage(ev('EC2 Instance State-change Notification', 'aws.ec2', { 'instance-id': 'i-1', state: 'running' })).kind, 'NoOpKind')
    assert.deepEqual(
      parseInterruptionMessage(
        ev('AWS Health Event', 'aws.health', {
          service: 'EC2',
          eventTypeCategory: 'scheduledChange',
          affectedEntities: [{ entityValue: 'i-1' }, { entityValue: 'i-2' }],
        }),
      ).instanceIds,
      ['i-1', 'i-2'],
    )
    assert.equal(parseInterruptionMessage(ev('AWS Health Event', 'aws.health', { service: 'EBS', eventTypeCategory: 'scheduledChange' })).kind, 'NoOpKind')
    assert.equal(parseInterruptionMessage(ev('Something', 'aws.s3', {})).kind, 'NoOpKind')
    assert.throws(() => parseInterruptionMessage('not json'))
  })

  it('rebalance recommendations do not drain', () => {
    assert.equal(actionFor('RebalanceRecommendationKind'), 'NoAction')
    assert.equal(actionFor('SpotInterruptionKind'), 'CordonAndDrain')
  })

  it('a Spot interruption marks the pool unavailable, then deletes the NodeClaim (tutorial Step 6 line)', () => {
    const nc: NodeClaim = {
      metadata: {
        name: 'default-4w54b',
        labels: { 'karpenter.sh/nodepool': 'default', 'node.kubernetes.io/instance-type': 'c7g.2xlarge', 'topology.kubernetes.io/zone': 'eu-west-2a' },
      },
      spec: {},
    }
    const cache = newUnavailableOfferings()
    const h = handleInterruption(parseInterruptionMessage(spot), nc, 'ip-10-0-36-60.eu-west-2.compute.internal', 'karpenter-spot-and-karpenter', cache, 1_000)
    assert.equal(h.deleteNodeClaim, true)
    assert.equal(h.eventReason, 'SpotInterrupted')
    assert.equal(isUnavailable(cache, 'c7g.2xlarge', 'eu-west-2a', 'spot', 2_000), true)
    assert.deepEqual(
      h.logs.map((l) => formatLogLine(l, '2024-01-29T08:47:30.575Z')),
      [
        '{"level":"DEBUG","time":"2024-01-29T08:47:30.575Z","logger":"controller.interruption","message":"removing offering from offerings","commit":"1072d3b","queue":"karpenter-spot-and-karpenter","messageKind":"SpotInterruptionKind","nodeclaim":"default-4w54b","action":"CordonAndDrain","node":"ip-10-0-36-60.eu-west-2.compute.internal","reason":"SpotInterruptionKind","instance-type":"c7g.2xlarge","zone":"eu-west-2a","capacity-type":"spot","ttl":"3m0s"}',
        '{"level":"INFO","time":"2024-01-29T08:47:30.575Z","logger":"controller.interruption","message":"initiating delete from interruption message","commit":"1072d3b","queue":"karpenter-spot-and-karpenter","messageKind":"SpotInterruptionKind","nodeclaim":"default-4w54b","action":"CordonAndDrain","node":"ip-10-0-36-60.eu-west-2.compute.internal"}',
      ],
    )
    // already deleting: no second delete
    assert.equal(
      handleInterruption(
        parseInterruptionMessage(spot),
        { ...nc, metadata: { ...nc.metadata, deletionTimestamp: '2024-01-29T08:47:30Z' } },
        undefined,
        'q',
        cache,
        1_000,
      ).deleteNodeClaim,
      false,
    )
  })
})
