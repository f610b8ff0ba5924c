// The Spot market in the sandbox's EC2: price history, how CreateFleet picks an override
// (price-capacity-optimized Spot, lowest-price On-Demand), InsufficientInstanceCapacity when
// pools run out, capacity given back on termination; and EC2's state-change events.

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  CreateFleetCommand,
  type CreateFleetCommandInput,
  CreateLaunchTemplateCommand,
  DescribeFleetsCommand,
  DescribeSpotPriceHistoryCommand,
  DescribeVolumesCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type Instance,
} from '@aws-sdk/client-ec2'
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs'
import { ACCOUNT, REGION, REPO_ROOT, setSpotCapacity, startSandbox, waitFor, type Sandbox } from './helpers.ts'

interface Pool {
  instanceType: string
  availabilityZone: string
  onDemandPrice: number
  spotPrice: number
  capacity: number
  used: number
  available: number
}

interface FleetAnswer {
  FleetId: string
  Instances?: {
    Lifecycle: string
    InstanceIds: string[]
    InstanceType: string
    LaunchTemplateAndOverrides: { Overrides: { InstanceType: string; SubnetId: string; AvailabilityZone: string } }
  }[]
  Errors?: {
    ErrorCode: string
    ErrorMessage: string
    Lifecycle: string
    LaunchTemplateAndOverrides: { Overrides: { InstanceType: string; AvailabilityZone: string } }
  }[]
}

const prices = JSON.parse(readFileSync(join(REPO_ROOT, 'fixtures/prices/ec2-on-demand-prices.json'), 'utf8')) as {
  regions: Record<string, { prices: Record<string, number> }>
}

describe('the sandbox Spot market', () => {
  let sb: Sandbox
  let ec2: EC2Client
  let launchTemplateId = ''
  const subnetByZone: Record<string, string> = {}

  before(async () => {
    sb = await startSandbox()
    ec2 = new EC2Client(sb.sdk)
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!
    for (const [i, zone] of ['a', 'b', 'c'].entries()) {
      const subnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: `10.0.${i * 32}.0/19`, AvailabilityZone: `${REGION}${zone}` }))
      subnetByZone[`${REGION}${zone}`] = subnet.Subnet!.SubnetId!
    }
    launchTemplateId = (
      await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'karpenter.k8s.aws/test', LaunchTemplateData: { ImageId: 'ami-12345678' } }))
    ).LaunchTemplate!.LaunchTemplateId!
  })
  after(async () => {
    ec2?.destroy()
    await sb?.close()
  })

  async function pools(...types: string[]): Promise<Pool[]> {
    const query = types.map((t) => `instanceType=${encodeURIComponent(t)}`).join('&')
    const response = await fetch(`${sb.moto.endpoint}/spotcheck-api/spot-market?region=${REGION}&${query}`)
    return ((await response.json()) as { pools: Pool[] }).pools
  }

  function fleetInput(capacityType: 'spot' | 'on-demand', overrides: [string, string][], tag = 'default') {
    return JSON.stringify({
      Type: 'instant',
      TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: capacityType },
      SpotOptions: { AllocationStrategy: 'price-capacity-optimized' },
      OnDemandOptions: { AllocationStrategy: 'lowest-price' },
      LaunchTemplateConfigs: [
        {
          LaunchTemplateSpecification: { LaunchTemplateId: launchTemplateId, Version: '$Latest' },
          Overrides: overrides.map(([InstanceType, AvailabilityZone]) => ({
            InstanceType,
            AvailabilityZone,
            SubnetId: subnetByZone[AvailabilityZone],
            ImageId: 'ami-12345678',
          })),
        },
      ],
      TagSpecifications: ['instance', 'volume', 'fleet'].map((ResourceType) => ({ ResourceType, Tags: [{ Key: 'karpenter.sh/nodepool', Value: tag }] })),
    })
  }

  async function instance(id: string): Promise<Instance> {
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))
    return out.Reservations![0].Instances![0]
  }

  it('answers DescribeSpotPriceHistory with the model prices, filters and pagination (aws CLI)', async () => {
    const now = new Date().toISOString()
    const history = await sb.awsJson<{
      SpotPriceHistory: { AvailabilityZone: string; InstanceType: string; ProductDescription: string; SpotPrice: string; Timestamp: string }[]
    }>('ec2', 'describe-spot-price-history', '--instance-types', 'c7g.2xlarge', 'm7g.2xlarge', '--product-descriptions', 'Linux/UNIX', '--start-time', now)
    assert.equal(history.SpotPriceHistory.length, 6, 'one current price per type and zone')
    const model = await pools('c7g.2xlarge', 'm7g.2xlarge')
    for (const entry of history.SpotPriceHistory) {
      assert.equal(entry.ProductDescription, 'Linux/UNIX')
      const od = prices.regions[REGION].prices[entry.InstanceType]
      const spot = Number(entry.SpotPrice)
      assert.ok(spot > od * 0.19 && spot < od * 0.47, `${entry.InstanceType} ${entry.AvailabilityZone}: ${spot} vs on-demand ${od}`)
      const pool = model.find((p) => p.instanceType === entry.InstanceType && p.availabilityZone === entry.AvailabilityZone)
      assert.equal(spot, pool?.spotPrice)
      assert.ok(Date.parse(entry.Timestamp) <= Date.now())
    }

    const [paged, oneZone, day, firstPage] = await Promise.all([
      sb.awsJson<{ SpotPriceHistory: unknown[] }>(
        'ec2',
        'describe-spot-price-history',
        '--instance-types',
        'c7g.2xlarge',
        'm7g.2xlarge',
        '--start-time',
        now,
        '--page-size',
        '4',
      ),
      ec2.send(
        new DescribeSpotPriceHistoryCommand({
          Filters: [
            { Name: 'availability-zone', Values: [`${REGION}b`] },
            { Name: 'instance-type', Values: ['c7g.2xlarge'] },
          ],
          StartTime: new Date(now),
        }),
      ),
      ec2.send(new DescribeSpotPriceHistoryCommand({ InstanceTypes: ['c7g.2xlarge'], Filters: [{ Name: 'availability-zone', Values: [`${REGION}a`] }] })),
      ec2.send(new DescribeSpotPriceHistoryCommand({ InstanceTypes: ['c7g.2xlarge', 'm7g.2xlarge'], StartTime: new Date(now), MaxResults: 4 })),
    ])
    assert.equal(paged.SpotPriceHistory.length, 6, 'the CLI follows NextToken across pages of 4')
    assert.deepEqual(
      oneZone.SpotPriceHistory!.map((e) => e.AvailabilityZone),
      [`${REGION}b`],
    )
    assert.equal(day.SpotPriceHistory!.length, 5, 'without a start time: the last 24 hours, a price every 6 hours')
    assert.equal(firstPage.SpotPriceHistory!.length, 4)
    assert.ok(firstPage.NextToken)
    const secondPage = await ec2.send(
      new DescribeSpotPriceHistoryCommand({
        InstanceTypes: ['c7g.2xlarge', 'm7g.2xlarge'],
        StartTime: new Date(now),
        MaxResults: 4,
        NextToken: firstPage.NextToken,
      }),
    )
    assert.equal(secondPage.SpotPriceHistory!.length, 2)
    assert.ok(!secondPage.NextToken)
  })

  it('launches Spot through CreateFleet in the pool price-capacity-optimized chooses, as a real Spot instance', async () => {
    const overrides: [string, string][] = [
      ['c7g.2xlarge', `${REGION}a`],
      ['m7g.2xlarge', `${REGION}a`],
      ['c7g.2xlarge', `${REGION}b`],
      ['m7g.2xlarge', `${REGION}b`],
    ]
    const model = await pools('c7g.2xlarge', 'm7g.2xlarge')
    const options = overrides.map(([t, z]) => model.find((p) => p.instanceType === t && p.availabilityZone === z)!)
    const most = Math.max(...options.map((p) => p.available))
    const tier = options.filter((p) => p.available * 2 >= most)
    const expected = tier.reduce((best, p) => (p.spotPrice < best.spotPrice ? p : best))

    const fleet = await sb.awsJson<FleetAnswer>('ec2', 'create-fleet', '--cli-input-json', fleetInput('spot', overrides))
    assert.deepEqual(fleet.Errors, [])
    assert.equal(fleet.Instances?.length, 1)
    const launched = fleet.Instances[0]
    assert.equal(launched.Lifecycle, 'spot')
    assert.deepEqual(
      [launched.InstanceType, launched.LaunchTemplateAndOverrides.Overrides.AvailabilityZone],
      [expected.instanceType, expected.availabilityZone],
    )

    const i = await instance(launched.InstanceIds[0])
    assert.equal(i.InstanceLifecycle, 'spot')
    assert.match(i.SpotInstanceRequestId ?? '', /^sir-/)
    assert.equal(i.Placement!.AvailabilityZone, expected.availabilityZone)
    assert.equal(i.SubnetId, subnetByZone[expected.availabilityZone])
    assert.ok(i.Tags!.some((t) => t.Key === 'karpenter.sh/nodepool' && t.Value === 'default'))
    const volumes = await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [i.InstanceId!] }] }))
    assert.ok(
      volumes.Volumes!.length > 0 && volumes.Volumes!.every((v) => v.Tags?.some((t) => t.Key === 'karpenter.sh/nodepool')),
      'fleet volume tags reach the volumes',
    )
    const fleets = await ec2.send(new DescribeFleetsCommand({ FleetIds: [fleet.FleetId] }))
    assert.ok(fleets.Fleets![0].Tags!.some((t) => t.Key === 'karpenter.sh/nodepool'))
    const after = (await pools(expected.instanceType)).find((p) => p.availabilityZone === expected.availabilityZone)!
    assert.equal(after.used, 1, 'the launch consumed a unit of the pool')
  })

  it('launches On-Demand in the cheapest override (lowest-price)', async () => {
    const overrides: [string, string][] = [
      ['m7g.2xlarge', `${REGION}a`],
      ['c6g.2xlarge', `${REGION}c`],
      ['c7g.2xlarge', `${REGION}b`],
    ]
    const table = prices.regions[REGION].prices
    const cheapest = overrides.reduce((best, o) => (table[o[0]] < table[best[0]] ? o : best))
    const fleet = await sb.awsJson<FleetAnswer>('ec2', 'create-fleet', '--cli-input-json', fleetInput('on-demand', overrides))
    assert.equal(fleet.Instances![0].Lifecycle, 'on-demand')
    assert.equal(fleet.Instances![0].InstanceType, cheapest[0])
    const i = await instance(fleet.Instances![0].InstanceIds[0])
    assert.equal(i.InstanceLifecycle, undefined)
    assert.equal(i.Placement!.AvailabilityZone, cheapest[1])
  })

  it('answers InsufficientInstanceCapacity when every pool is full, and recovers when an instance terminates', async () => {
    const overrides: [string, string][] = [
      ['r7g.2xlarge', `${REGION}a`],
      ['r7g.2xlarge', `${REGION}b`],
    ]
    for (const [t, z] of overrides) await setSpotCapacity(sb, t, z, 1)
    const sdkFleet = async () =>
      (await ec2.send(new CreateFleetCommand(JSON.parse(fleetInput('spot', overrides)) as CreateFleetCommandInput))) as unknown as FleetAnswer
    const first = await sdkFleet()
    const second = await sdkFleet()
    const zones = [first, second].map((f) => f.Instances![0].LaunchTemplateAndOverrides.Overrides.AvailabilityZone).sort()
    assert.deepEqual(zones, [`${REGION}a`, `${REGION}b`], 'the second launch skipped the full pool')

    const third = await sb.awsJson<FleetAnswer>('ec2', 'create-fleet', '--cli-input-json', fleetInput('spot', overrides))
    assert.deepEqual(third.Instances ?? [], [])
    assert.equal(third.Errors?.length, 2, 'one error per override')
    for (const e of third.Errors) {
      assert.equal(e.ErrorCode, 'InsufficientInstanceCapacity')
      assert.equal(e.Lifecycle, 'spot')
      assert.match(e.ErrorMessage, /no Spot capacity available/)
    }

    await ec2.send(new TerminateInstancesCommand({ InstanceIds: first.Instances![0].InstanceIds }))
    const fourth = await sdkFleet()
    assert.equal(fourth.Instances?.length, 1, 'terminating an instance gave its unit back')
    assert.equal(
      fourth.Instances[0].LaunchTemplateAndOverrides.Overrides.AvailabilityZone,
      first.Instances![0].LaunchTemplateAndOverrides.Overrides.AvailabilityZone,
    )

    // RunInstances with MarketType=spot meets the same limit
    await setSpotCapacity(sb, 'r7g.2xlarge', `${REGION}c`, 0)
    const run = await sb.aws(
      'ec2',
      'run-instances',
      '--image-id',
      'ami-12345678',
      '--instance-type',
      'r7g.2xlarge',
      '--subnet-id',
      subnetByZone[`${REGION}c`],
      '--instance-market-options',
      'MarketType=spot',
    )
    assert.notEqual(run.exitCode, 0)
    assert.match(run.stderr, /InsufficientInstanceCapacity/)
  })

  it('publishes EC2 Instance State-change Notifications for run, stop, start and terminate', async () => {
    const queueArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:state-changes`
    const sqs = new SQSClient({ ...sb.sdk })
    const [queue, rule] = await Promise.all([
      sqs.send(new CreateQueueCommand({ QueueName: 'state-changes' })),
      sb.aws(
        'events',
        'put-rule',
        '--name',
        'state-changes',
        '--event-pattern',
        '{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"]}',
      ),
    ])
    const queueUrl = queue.QueueUrl!
    assert.equal(rule.exitCode, 0)
    assert.equal((await sb.aws('events', 'put-targets', '--rule', 'state-changes', '--targets', `Id=q,Arn=${queueArn}`)).exitCode, 0)

    const id = (await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12345678', InstanceType: 'm5.large', MinCount: 1, MaxCount: 1 }))).Instances![0]
      .InstanceId!
    await ec2.send(new StopInstancesCommand({ InstanceIds: [id] }))
    await ec2.send(new StartInstancesCommand({ InstanceIds: [id] }))
    const terminate = await sb.aws('ec2', 'terminate-instances', '--instance-ids', id)
    assert.equal(terminate.exitCode, 0)

    const states: string[] = []
    try {
      await waitFor(
        'eight state changes',
        async () => {
          const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }))
          for (const m of r.Messages ?? []) {
            const body = JSON.parse(m.Body!) as { detail: { 'instance-id': string; state: string }; account: string }
            assert.equal(body.account, ACCOUNT)
            if (body.detail['instance-id'] === id) states.push(body.detail.state)
          }
          return states.length >= 8
        },
        10_000,
        50,
      )
    } finally {
      sqs.destroy()
    }
    assert.deepEqual(states, ['pending', 'running', 'stopping', 'stopped', 'pending', 'running', 'shutting-down', 'terminated'])
  })

  it('keeps moto defaults for EKS endpoints when no sandbox daemon is configured', async () => {
    const r = await sb.awsJson<{ cluster: { endpoint: string; certificateAuthority: { data: string } } }>(
      'eks',
      'create-cluster',
      '--name',
      'standalone',
      '--role-arn',
      `arn:aws:iam::${ACCOUNT}:role/eks`,
      '--resources-vpc-config',
      `subnetIds=${subnetByZone[`${REGION}a`]}`,
    )
    assert.match(r.cluster.endpoint, /\.eks\.amazonaws\.com\/?$/)
    assert.ok(r.cluster.certificateAuthority.data.length > 0)
  })
})
