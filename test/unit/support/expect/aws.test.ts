// The pure halves of the account's expectations: which subnets a route table makes public, what
// the private-subnet tag check finds wrong, which event kinds a queue's rules route, what a FIS
// template would interrupt, what `aws fis start-experiment` printed, and which instances count.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { RouteTable, Subnet } from '@aws-sdk/client-ec2'
import type { ExperimentTemplate } from '@aws-sdk/client-fis'
import {
  KARPENTER_EVENTS,
  assertInterruptsSpot,
  clusterInstanceFilters,
  experimentOfOutput,
  experimentStart,
  interruptionWarning,
  privateTagProblems,
  publicSubnetIds,
  routedDetailTypes,
  subnetRows,
  zonesOf,
} from '../../../../support/expect/aws.ts'
import type { Ec2Event } from '../../../../support/event-observer.ts'
import { LIVE_INSTANCE_STATES } from '../../../../support/ec2-instances.ts'

const subnet = (id: string, zone: string, publicIps = false): Subnet => ({
  SubnetId: id,
  AvailabilityZone: zone,
  CidrBlock: `10.0.${id.slice(-1)}.0/24`,
  MapPublicIpOnLaunch: publicIps,
})

describe('subnets of a VPC', () => {
  const tables: RouteTable[] = [
    {
      Routes: [{ GatewayId: 'local' }, { GatewayId: 'igw-1', DestinationCidrBlock: '0.0.0.0/0' }],
      Associations: [{ SubnetId: 'subnet-1' }, { SubnetId: 'subnet-2' }, { Main: true }],
    },
    { Routes: [{ GatewayId: 'local' }, { NatGatewayId: 'nat-1' }], Associations: [{ SubnetId: 'subnet-4' }] },
  ]

  it('are public when their route table sends traffic to an internet gateway, not through a NAT gateway', () => {
    assert.deepEqual([...publicSubnetIds(tables)], ['subnet-1', 'subnet-2'])
    assert.deepEqual([...publicSubnetIds([])], [])
  })

  it('count each availability zone once', () => {
    assert.equal(zonesOf([subnet('subnet-1', 'a'), subnet('subnet-2', 'b'), subnet('subnet-3', 'a')]), 2)
  })

  it('are listed for the report public first, then private', () => {
    const rows = subnetRows({ id: 'vpc-1', public: [subnet('subnet-1', 'a')], private: [subnet('subnet-4', 'b')] })
    assert.deepEqual(rows, [
      ['subnet-1', 'a', '10.0.1.0/24', 'public'],
      ['subnet-4', 'b', '10.0.4.0/24', 'private'],
    ])
  })
})

describe('the tag on the private subnets', () => {
  const privateIds = ['subnet-4', 'subnet-5', 'subnet-6']

  it('passes when exactly the private subnets carry it', () => {
    assert.deepEqual(privateTagProblems(privateIds, [subnet('subnet-6', 'c'), subnet('subnet-4', 'a'), subnet('subnet-5', 'b')]), [])
  })

  it('names a private subnet left untagged, a tagged public one, and one that gives public IPs', () => {
    assert.deepEqual(privateTagProblems(privateIds, [subnet('subnet-4', 'a'), subnet('subnet-5', 'b', true), subnet('subnet-1', 'a')]), [
      'private subnet subnet-6 is not tagged',
      'subnet-1 is tagged but not a private subnet',
      'subnet-5 gives public IPs: not a private subnet',
    ])
  })
})

describe("the rules that target Karpenter's queue", () => {
  it('route the detail types of their event patterns, each once', () => {
    const patterns = [
      JSON.stringify({ source: ['aws.health'], 'detail-type': ['AWS Health Event'] }),
      JSON.stringify({ source: ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] }),
      JSON.stringify({ source: ['aws.ec2'], 'detail-type': ['EC2 Instance Rebalance Recommendation'] }),
      JSON.stringify({ source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification', 'EC2 Spot Instance Interruption Warning'] }),
    ]
    assert.deepEqual([...routedDetailTypes(patterns)].sort(), [...KARPENTER_EVENTS].sort())
  })

  it('route no detail type when a rule has no pattern or matches on source only', () => {
    assert.equal(routedDetailTypes([undefined, JSON.stringify({ source: ['aws.ec2'] })]).size, 0)
  })
})

describe('the interruption warning', () => {
  const event = (detailType: string, receivedAt: number, instanceId = 'i-1'): Ec2Event => ({ detailType, receivedAt, instanceId, time: receivedAt, detail: {} })
  const observer = (events: Ec2Event[]) => ({ events, warnings: () => events.filter((e) => e.detailType === 'EC2 Spot Instance Interruption Warning') })

  it('is the first warning received since the experiment started, a second of slack allowed', () => {
    const attempt = interruptionWarning(
      observer([event('EC2 Spot Instance Interruption Warning', 500, 'i-old'), event('EC2 Spot Instance Interruption Warning', 9_500, 'i-2')]),
      10_000,
    )
    assert.equal(attempt.ok, true)
    assert.equal(attempt.value?.instanceId, 'i-2')
    assert.equal(attempt.seen, 'warning for i-2')
  })

  it('is not seen yet when only other EC2 events arrived', () => {
    const attempt = interruptionWarning(observer([event('EC2 Instance State-change Notification', 20_000)]), 10_000)
    assert.deepEqual(attempt, { ok: false, value: undefined, seen: '1 EC2 events so far, no warning' })
  })
})

describe("the FIS experiment template of the tutorial's stack", () => {
  const template = (): ExperimentTemplate => ({
    targets: {
      SpotInstances: {
        resourceType: 'aws:ec2:spot-instance',
        resourceTags: { project: 'build-on-aws' },
        selectionMode: 'COUNT(1)',
        filters: [{ path: 'State.Name', values: ['running'] }],
      },
    },
    actions: { interrupt: { actionId: 'aws:ec2:send-spot-instance-interruptions', parameters: { durationBeforeInterruption: 'PT2M' } } },
  })
  const expected = { count: 1, tag: { key: 'project', value: 'build-on-aws' }, noticeMinutes: 2 }

  it('passes when it interrupts the running Spot instances with the tag, after the notice', () => {
    assertInterruptsSpot(template(), expected)
  })

  it('fails on another count, another notice, or instances in any state', () => {
    assert.throws(() => assertInterruptsSpot(template(), { ...expected, count: 2 }), /COUNT\(2\)/)
    assert.throws(() => assertInterruptsSpot(template(), { ...expected, noticeMinutes: 5 }), /PT5M/)
    const anyState = template()
    anyState.targets!.SpotInstances.filters = []
    assert.throws(() => assertInterruptsSpot(anyState, expected), /targets only running instances/)
  })
})

describe('what aws fis start-experiment printed', () => {
  it('gives the experiment, its state and its start', () => {
    const out = JSON.stringify({ experiment: { id: 'EXP1', state: { status: 'initiating' }, startTime: '2024-01-29T08:47:00+00:00' } })
    assert.deepEqual(experimentOfOutput(out), { id: 'EXP1', status: 'initiating', startTime: '2024-01-29T08:47:00+00:00' })
  })

  it('fails without an experiment ID', () => {
    assert.throws(() => experimentOfOutput('{"experiment":{}}'), /no experiment id/)
  })
})

describe('live instances', () => {
  it('include every state but terminated, shutting-down too (undo and the steps share this)', () => {
    assert.ok(LIVE_INSTANCE_STATES.includes('shutting-down'))
    assert.ok(!LIVE_INSTANCE_STATES.includes('terminated'))
  })

  it("of a cluster are its node groups', EKS's and Karpenter's", () => {
    const karpenter = [{ Name: 'tag:karpenter.sh/managed-by', Values: ['c'] }]
    assert.deepEqual(clusterInstanceFilters('c', karpenter), [
      [{ Name: 'tag:kubernetes.io/cluster/c', Values: ['owned'] }],
      [{ Name: 'tag:eks:cluster-name', Values: ['c'] }],
      karpenter,
    ])
  })
})

describe("the experiment's start", () => {
  it('is the start FIS recorded, not when the command began', () => {
    assert.equal(experimentStart({ startTime: '2024-01-29T08:47:00+00:00' }, 9e12), Date.parse('2024-01-29T08:47:00Z'))
  })

  it('is when the command began when FIS gave no time', () => {
    assert.equal(experimentStart({}, 1_000), 1_000)
  })
})
