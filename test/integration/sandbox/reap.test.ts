// `spotcheck reap` against a sandbox as the account: leftovers made with the SDK — tagged by an
// old run, tagged by a young run, the tutorial's fixed names untagged, a run lock — then reap,
// and what went and what stayed.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation'
import {
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeNetworkInterfacesCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2'
import { PutRuleCommand, PutTargetsCommand, ListRulesCommand } from '@aws-sdk/client-eventbridge'
import { CreateInstanceProfileCommand, CreateRoleCommand, ListInstanceProfilesCommand, ListRolesCommand } from '@aws-sdk/client-iam'
import { CreateLogGroupCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs'
import { CreateKeyCommand, DescribeKeyCommand } from '@aws-sdk/client-kms'
import { DeleteParameterCommand, GetParametersByPathCommand, PutParameterCommand } from '@aws-sdk/client-ssm'
import { CreateQueueCommand, ListQueuesCommand } from '@aws-sdk/client-sqs'
import { awsClients, type AwsClients } from '../../../support/aws-clients.ts'
import { extraClients } from '../../../support/aws-extra-clients.ts'
import { newRunId } from '../../../support/run.ts'
import { isolatedHome, parseExports, spotcheck } from './helpers.ts'

const home = isolatedHome()
const cliEnv = { SPOTCHECK_HOME: home }
const NAME = 'reap'
const OLD = '20261201000000-0a0a'
const YOUNG = newRunId()
const LOCK = '/spotcheck/lock/eu-west-2/spot-and-karpenter'
const tag = (runId: string) => [{ Key: 'spotcheck:run', Value: runId }]
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] })

describe('spotcheck reap against a sandbox', { timeout: 10 * 60_000 }, () => {
  let env: Record<string, string> = {}
  let aws: AwsClients
  const reap = async (...args: string[]) => {
    const r = await spotcheck(['reap', ...args], env)
    return { code: r.exitCode, out: `${String(r.stdout)}${String(r.stderr)}` }
  }
  const queues = async () => ((await aws.sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []).map((u) => u.split('/').pop()!).sort()
  const vpcsOf = async (runId: string) =>
    (await aws.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:spotcheck:run', Values: [runId] }] }))).Vpcs ?? []
  const rules = async () => ((await aws.events.send(new ListRulesCommand({}))).Rules ?? []).map((r) => r.Name!).sort()
  const lock = async () =>
    ((await extraClients(aws).ssm.send(new GetParametersByPathCommand({ Path: '/spotcheck/lock/', Recursive: true }))).Parameters ?? []).map((p) => p.Name)
  let oldEni = ''
  let oldKey = ''

  before(async () => {
    const up = await spotcheck(['sandbox', 'up', '--name', NAME, '--as-of', '2026-12-06'], cliEnv)
    assert.equal(up.exitCode, 0, String(up.stderr))
    env = { ...parseExports(String(up.stdout)), ...cliEnv }
    aws = awsClients(env)
    const extra = extraClients(aws)
    // The old run: a VPC with a subnet, a security group and an ENI the VPC CNI left "available"
    // (untagged, as the CNI leaves them), its queue, rule, role, log group and KMS key.
    for (const runId of [OLD, YOUNG]) {
      const vpc = (await aws.ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16', TagSpecifications: [{ ResourceType: 'vpc', Tags: tag(runId) }] }))).Vpc!
        .VpcId!
      const subnet = (
        await aws.ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.0.1.0/24', TagSpecifications: [{ ResourceType: 'subnet', Tags: tag(runId) }] }))
      ).Subnet!.SubnetId!
      await aws.ec2.send(
        new CreateSecurityGroupCommand({
          VpcId: vpc,
          GroupName: `node-${runId}`,
          Description: 'node',
          TagSpecifications: [{ ResourceType: 'security-group', Tags: tag(runId) }],
        }),
      )
      const eni = (await aws.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnet, Description: 'aws-K8S-i-0123' }))).NetworkInterface!
        .NetworkInterfaceId!
      if (runId === OLD) oldEni = eni
      await aws.sqs.send(new CreateQueueCommand({ QueueName: `queue-${runId}`, tags: { 'spotcheck:run': runId } }))
    }
    await aws.events.send(new PutRuleCommand({ Name: `observer-${OLD}`, EventPattern: JSON.stringify({ source: ['aws.ec2'] }), Tags: tag(OLD) }))
    await aws.iam.send(new CreateRoleCommand({ RoleName: `role-${OLD}`, AssumeRolePolicyDocument: TRUST, Tags: tag(OLD) }))
    await extra.logs.send(new CreateLogGroupCommand({ logGroupName: `/spotcheck/${OLD}`, tags: { 'spotcheck:run': OLD } }))
    oldKey = (await extra.kms.send(new CreateKeyCommand({ Description: 'eks secrets', Tags: [{ TagKey: 'spotcheck:run', TagValue: OLD }] }))).KeyMetadata!
      .KeyId!
    // The tutorial's fixed names, untagged (a run that lost its tags, or a reader's own go).
    await extra.logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/eks/spot-and-karpenter/cluster' }))
    await aws.iam.send(new CreateRoleCommand({ RoleName: 'karpenter-spot-and-karpenter', AssumeRolePolicyDocument: TRUST }))
    await aws.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'spot-and-karpenter_1234567890' }))
    // A Karpenter rule whose queue is gone: an orphan, removed whatever its age — unless a run holds the lock.
    await aws.events.send(new PutRuleCommand({ Name: 'Karpenter-SpotInterrupt-1', EventPattern: JSON.stringify({ source: ['aws.ec2'] }) }))
    await aws.events.send(
      new PutTargetsCommand({
        Rule: 'Karpenter-SpotInterrupt-1',
        Targets: [{ Id: 'KarpenterQueueTarget', Arn: 'arn:aws:sqs:eu-west-2:123456789012:karpenter-spot-and-karpenter' }],
      }),
    )
    // The young run holds the lock.
    await extra.ssm.send(
      new PutParameterCommand({ Name: LOCK, Type: 'String', Value: JSON.stringify({ runId: YOUNG, host: 'ci-1', startedAt: new Date().toISOString() }) }),
    )
  })

  after(async () => {
    aws?.destroy()
    await spotcheck(['sandbox', 'down', '--name', NAME], cliEnv)
  })

  it('--dry-run lists what would go and what stays, and removes nothing', async () => {
    const r = await reap('--dry-run')
    assert.equal(r.code, 0, r.out)
    assert.match(r.out, /account \*{8}9012, region eu-west-2 at http:\/\/127\.0\.0\.1:\d+ \(not AWS: a sandbox\); older than 4h; dry run/)
    assert.match(r.out, new RegExp(`would remove  SQS queue queue-${OLD}: run ${OLD}, started \\d+d ago`))
    assert.match(r.out, new RegExp(`would remove  network interface ${oldEni} \\(available, aws-K8S-i-0123\\): inside VPC vpc-`))
    assert.match(r.out, new RegExp(`keep    SQS queue queue-${YOUNG}: run ${YOUNG} holds the lock`))
    assert.match(r.out, /keep {4}log group \/aws\/eks\/spot-and-karpenter\/cluster: the tutorial's fixed name .* may be in use/)
    assert.match(r.out, /held {4}run lock \/spotcheck\/lock\/eu-west-2\/spot-and-karpenter: run .* on ci-1/)
    assert.ok((await queues()).includes(`queue-${OLD}`))
  })

  it('refuses to remove without --yes when not on a terminal', async () => {
    const r = await reap()
    assert.equal(r.code, 2, r.out)
    assert.match(r.out, /pass --yes/)
  })

  it("removes the old run's resources and keeps the young run's and the fixed names while the young run holds the lock", async () => {
    const r = await reap('--yes')
    assert.equal(r.code, 0, r.out)
    assert.deepEqual(await queues(), [`queue-${YOUNG}`])
    assert.equal((await vpcsOf(OLD)).length, 0)
    assert.equal((await vpcsOf(YOUNG)).length, 1)
    const enis = (await aws.ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces ?? []
    assert.ok(!enis.some((e) => e.NetworkInterfaceId === oldEni), "the old VPC's available ENI went before the VPC")
    const youngVpc = (await vpcsOf(YOUNG))[0].VpcId
    assert.ok(
      enis.some((e) => e.VpcId === youngVpc),
      "the young VPC's ENI stays",
    )
    assert.deepEqual(await rules(), ['Karpenter-SpotInterrupt-1'], 'the old run rule went; the orphan stays while the lock is held')
    const roles = ((await aws.iam.send(new ListRolesCommand({}))).Roles ?? []).map((x) => x.RoleName)
    assert.ok(!roles.includes(`role-${OLD}`))
    assert.ok(roles.includes('karpenter-spot-and-karpenter'))
    const extra = extraClients(aws)
    assert.equal((await extra.kms.send(new DescribeKeyCommand({ KeyId: oldKey }))).KeyMetadata?.KeyState, 'PendingDeletion')
    const groups = ((await extra.logs.send(new DescribeLogGroupsCommand({}))).logGroups ?? []).map((g) => g.logGroupName)
    assert.deepEqual(groups, ['/aws/eks/spot-and-karpenter/cluster'])
    assert.deepEqual(await lock(), [LOCK])
    // One line per resource.
    assert.match(r.out, new RegExp(`removed SQS queue queue-${OLD}`))
    assert.match(r.out, /removed VPC vpc-/)
  })

  it('with a stale lock the orphan goes, and the stale lock last; young fixed names stay', async () => {
    const ssm = extraClients(aws).ssm
    await ssm.send(new DeleteParameterCommand({ Name: LOCK }))
    await ssm.send(
      new PutParameterCommand({ Name: LOCK, Type: 'String', Value: JSON.stringify({ runId: OLD, host: 'ci-0', startedAt: '2026-12-01T00:00:05Z' }) }),
    )
    const r = await reap('--yes')
    assert.equal(r.code, 0, r.out)
    assert.deepEqual(await rules(), [])
    assert.deepEqual(await lock(), [])
    assert.match(r.out, /removed run lock \/spotcheck\/lock\/eu-west-2\/spot-and-karpenter \(run 20261201000000-0a0a\)/)
    assert.match(r.out, /keep {4}log group \/aws\/eks\/spot-and-karpenter\/cluster: fixed name .*younger than 4h/)
    assert.deepEqual(await queues(), [`queue-${YOUNG}`])
  })

  it('--older-than 0 removes everything tagged and every fixed name, and a second reap finds nothing', async () => {
    await aws.cloudformation.send(
      new CreateStackCommand({
        StackName: 'fis-spot-and-karpenter',
        TemplateBody: JSON.stringify({ Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'fis-queue' } } } }),
      }),
    )
    await aws.sqs.send(new CreateQueueCommand({ QueueName: 'karpenter-spot-and-karpenter' }))
    const r = await reap('--older-than', '0', '--yes')
    assert.equal(r.code, 0, r.out)
    assert.deepEqual(await queues(), [])
    assert.equal((await vpcsOf(YOUNG)).length, 0)
    const stacks = ((await aws.cloudformation.send(new DescribeStacksCommand({}))).Stacks ?? []).filter((s) => s.StackStatus !== 'DELETE_COMPLETE')
    assert.deepEqual(
      stacks.map((s) => s.StackName),
      [],
    )
    const profiles = ((await aws.iam.send(new ListInstanceProfilesCommand({}))).InstanceProfiles ?? []).map((p) => p.InstanceProfileName)
    assert.ok(!profiles.includes('spot-and-karpenter_1234567890'))
    const roles = ((await aws.iam.send(new ListRolesCommand({}))).Roles ?? []).map((x) => x.RoleName)
    assert.ok(!roles.includes('karpenter-spot-and-karpenter'))
    const again = await reap('--older-than', '0', '--yes')
    assert.equal(again.code, 0, again.out)
    assert.match(again.out, /nothing to remove/)
  })
})
