// What the account holds, as the steps ask it: a VPC's subnets, the rules that route events to a
// queue, a stack and its FIS experiment template, the live instances of a filter, an experiment's
// end. Steps call these instead of the AWS SDK; the pure halves (which subnets are public, which
// event kinds a set of rules routes, what a template would do) are unit-tested on their own.

import assert from 'node:assert/strict'
import { DescribeStackResourcesCommand, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation'
import { DescribeRouteTablesCommand, DescribeSubnetsCommand, DescribeVpcsCommand, type RouteTable, type Subnet } from '@aws-sdk/client-ec2'
import { DescribeClusterCommand, type Cluster } from '@aws-sdk/client-eks'
import { DescribeRuleCommand, ListRuleNamesByTargetCommand } from '@aws-sdk/client-eventbridge'
import { GetExperimentCommand, GetExperimentTemplateCommand, type ExperimentTemplate } from '@aws-sdk/client-fis'
import { GetRoleCommand } from '@aws-sdk/client-iam'
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs'
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts'
import type { AwsClients } from '../aws-clients.ts'
import type { Attempt } from '../eventually.ts'
import { EventObserver, type Ec2Event } from '../event-observer.ts'
import type { Run } from '../run.ts'
import { awsCliTimestamp } from '../tutorial-time.ts'
import { instanceById } from '../ec2-instances.ts'
import { isKarpenterNode } from '../kube.ts'
import type { SpotcheckWorld } from '../world.ts'
import { nodeOfInstance } from './cluster.ts'

// The instance checks the steps use live beside the clean-up's (support/ec2-instances.ts).
export { clusterInstanceFilters, instanceById, liveInstancesOfAny, noLiveInstances } from '../ec2-instances.ts'

/** The account the clients talk to, and who they are in it. */
export async function callerIdentity(aws: AwsClients): Promise<{ account: string; arn: string }> {
  const who = await aws.sts.send(new GetCallerIdentityCommand({}))
  return { account: String(who.Account), arn: String(who.Arn) }
}

// --- VPC and subnets -------------------------------------------------------------------------

/** A VPC and its subnets split as a route table splits them: public ones route to an internet gateway. */
export interface VpcSubnets {
  id: string
  cidr?: string
  public: Subnet[]
  private: Subnet[]
}

/** The subnets associated with a route table that sends traffic to an internet gateway. */
export function publicSubnetIds(routeTables: RouteTable[]): Set<string> {
  return new Set(
    routeTables
      .filter((t) => (t.Routes ?? []).some((r) => r.GatewayId?.startsWith('igw-')))
      .flatMap((t) => (t.Associations ?? []).map((a) => a.SubnetId))
      .filter((id): id is string => Boolean(id)),
  )
}

/** How many availability zones a list of subnets spans. */
export function zonesOf(subnets: Subnet[]): number {
  return new Set(subnets.map((s) => s.AvailabilityZone)).size
}

/** The one VPC tagged `Name = name`. */
export async function vpcNamed(aws: AwsClients, name: string): Promise<{ id: string; cidr?: string }> {
  const vpcs = (await aws.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: [name] }] }))).Vpcs ?? []
  assert.equal(vpcs.length, 1, `VPCs named ${name}: ${vpcs.length}`)
  const id = vpcs[0].VpcId
  assert.ok(id, `the VPC named ${name} has no ID`)
  return { id, cidr: vpcs[0].CidrBlock }
}

export async function vpcSubnets(aws: AwsClients, name: string): Promise<VpcSubnets> {
  const vpc = await vpcNamed(aws, name)
  const inVpc = [{ Name: 'vpc-id', Values: [vpc.id] }]
  const subnets = (await aws.ec2.send(new DescribeSubnetsCommand({ Filters: inVpc }))).Subnets ?? []
  const publicIds = publicSubnetIds((await aws.ec2.send(new DescribeRouteTablesCommand({ Filters: inVpc }))).RouteTables ?? [])
  return { ...vpc, public: subnets.filter((s) => publicIds.has(String(s.SubnetId))), private: subnets.filter((s) => !publicIds.has(String(s.SubnetId))) }
}

/** The rows of the report's subnet table: subnet, zone, CIDR, kind. */
export function subnetRows(vpc: VpcSubnets): string[][] {
  const row = (kind: string) => (s: Subnet) => [String(s.SubnetId), String(s.AvailabilityZone), String(s.CidrBlock), kind]
  return [...vpc.public.map(row('public')), ...vpc.private.map(row('private'))]
}

/** The subnets of a VPC that carry a tag. */
export async function subnetsTagged(aws: AwsClients, vpcId: string, key: string, value: string): Promise<Subnet[]> {
  return (
    (
      await aws.ec2.send(
        new DescribeSubnetsCommand({
          Filters: [
            { Name: 'vpc-id', Values: [vpcId] },
            { Name: `tag:${key}`, Values: [value] },
          ],
        }),
      )
    ).Subnets ?? []
  )
}

/**
 * What is wrong with the tagged subnets, given the VPC's private ones: a private subnet left
 * untagged, a tagged one that is not private, or one that gives its instances public IPs.
 */
export function privateTagProblems(privateIds: string[], tagged: Subnet[]): string[] {
  const taggedIds = new Set(tagged.map((s) => String(s.SubnetId)))
  return [
    ...privateIds.filter((id) => !taggedIds.has(id)).map((id) => `private subnet ${id} is not tagged`),
    ...tagged.filter((s) => !privateIds.includes(String(s.SubnetId))).map((s) => `${s.SubnetId} is tagged but not a private subnet`),
    ...tagged.filter((s) => s.MapPublicIpOnLaunch).map((s) => `${s.SubnetId} gives public IPs: not a private subnet`),
  ]
}

/** A public subnet of the account's default VPC (where the tutorial's Cloud9 environment goes). */
export async function defaultVpcPublicSubnet(aws: AwsClients): Promise<string> {
  const vpc = (await aws.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }))).Vpcs?.[0]
  assert.ok(vpc?.VpcId, 'the account has no default VPC in this region')
  const filters = [
    { Name: 'vpc-id', Values: [vpc.VpcId] },
    { Name: 'map-public-ip-on-launch', Values: ['true'] },
  ]
  const subnet = (await aws.ec2.send(new DescribeSubnetsCommand({ Filters: filters }))).Subnets?.[0]
  assert.ok(subnet?.SubnetId, `the default VPC ${vpc.VpcId} has no public subnet`)
  return subnet.SubnetId
}

// --- EKS, IAM --------------------------------------------------------------------------------

export async function eksCluster(aws: AwsClients, name: string): Promise<Cluster | undefined> {
  return (await aws.eks.send(new DescribeClusterCommand({ name }))).cluster
}

export async function roleExists(aws: AwsClients, name: string): Promise<boolean> {
  return (await aws.iam.send(new GetRoleCommand({ RoleName: name }))).Role?.RoleName === name
}

// --- SQS and EventBridge -----------------------------------------------------------------------

/** The detail types a set of EventBridge event patterns (JSON, as DescribeRule returns them) match. */
export function routedDetailTypes(patterns: (string | undefined)[]): Set<string> {
  const routed = new Set<string>()
  for (const p of patterns) for (const t of (JSON.parse(p ?? '{}') as { 'detail-type'?: string[] })['detail-type'] ?? []) routed.add(t)
  return routed
}

/** The rules that target a queue, and the detail types they route to it. */
export async function queueRoutes(aws: AwsClients, queue: string): Promise<{ rules: string[]; detailTypes: Set<string> }> {
  const url = (await aws.sqs.send(new GetQueueUrlCommand({ QueueName: queue }))).QueueUrl
  assert.ok(url, `no SQS queue ${queue}`)
  const arn = (await aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn
  assert.ok(arn, `the queue ${queue} has no ARN`)
  const rules = (await aws.events.send(new ListRuleNamesByTargetCommand({ TargetArn: arn }))).RuleNames ?? []
  const patterns = await Promise.all(rules.map(async (Name) => (await aws.events.send(new DescribeRuleCommand({ Name }))).EventPattern))
  return { rules, detailTypes: routedDetailTypes(patterns) }
}

/**
 * The interruption events Karpenter handles, which its module's rules route to its queue
 * (terraform-aws-modules/terraform-aws-eks, modules/karpenter/main.tf, `events`).
 */
export const KARPENTER_EVENTS = [
  'AWS Health Event',
  'EC2 Spot Instance Interruption Warning',
  'EC2 Instance Rebalance Recommendation',
  'EC2 Instance State-change Notification',
]

/** The run's watcher of the default event bus, started (and recorded in its ledger) on first use. */
export async function watchEventBus(run: Run, by: string): Promise<EventObserver> {
  if (!run.observer) {
    const observer = new EventObserver(run.aws, run.id)
    await observer.start(run.ledger, by)
    run.observer = observer
  }
  return run.observer
}

/** The first Spot interruption warning received since `since` (epoch ms, a second's slack), as a probe. */
export function interruptionWarning(observer: { warnings(): Ec2Event[]; events: Ec2Event[] }, since: number): Attempt<Ec2Event> {
  const w = observer.warnings().find((e) => e.receivedAt >= since - 1_000)
  return { ok: Boolean(w), value: w, seen: w ? `warning for ${w.instanceId}` : `${observer.events.length} EC2 events so far, no warning` }
}

// --- CloudFormation and FIS --------------------------------------------------------------------

export async function stack(aws: AwsClients, name: string): Promise<Stack | undefined> {
  return (await aws.cloudformation.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0]
}

/** Whether a stack is gone (deleted, or no longer known), as a probe. */
export async function stackGone(aws: AwsClients, name: string): Promise<Attempt<void>> {
  const s = await stack(aws, name).catch((e: Error) => (/does not exist/.test(e.message) ? undefined : Promise.reject(e)))
  return { ok: !s || s.StackStatus === 'DELETE_COMPLETE', seen: s ? String(s.StackStatus) : 'gone' }
}

/** The physical ID of the first resource of a type in a stack. */
export async function stackResourceId(aws: AwsClients, stackName: string, type: string): Promise<string> {
  const resources = (await aws.cloudformation.send(new DescribeStackResourcesCommand({ StackName: stackName }))).StackResources ?? []
  const id = resources.find((r) => r.ResourceType === type)?.PhysicalResourceId
  assert.ok(id, `the stack ${stackName} has no ${type}`)
  return id
}

/** The FIS experiment template a stack's output names. */
export async function templateOfOutput(aws: AwsClients, stackName: string, output: string): Promise<ExperimentTemplate> {
  const id = (await stack(aws, stackName))?.Outputs?.find((o) => o.OutputKey === output)?.OutputValue
  assert.ok(id, `the stack ${stackName} has no output ${output}`)
  const template = (await aws.fis.send(new GetExperimentTemplateCommand({ id }))).experimentTemplate
  assert.ok(template, `no FIS experiment template ${id}`)
  return template
}

export interface SpotInterruption {
  count: number
  tag: { key: string; value: string }
  noticeMinutes: number
}

/** Asserts the template interrupts `count` running Spot instances with the tag, after the notice. */
export function assertInterruptsSpot(template: ExperimentTemplate, expected: SpotInterruption): void {
  const targets = Object.values(template.targets ?? {})
  assert.equal(targets.length, 1, 'targets')
  const [target] = targets
  assert.equal(target.resourceType, 'aws:ec2:spot-instance')
  assert.deepEqual(target.resourceTags, { [expected.tag.key]: expected.tag.value })
  assert.equal(target.selectionMode, `COUNT(${expected.count})`)
  assert.ok(
    (target.filters ?? []).some((f) => f.path === 'State.Name' && (f.values ?? []).includes('running')),
    'targets only running instances',
  )
  const [action] = Object.values(template.actions ?? {})
  assert.equal(action?.actionId, 'aws:ec2:send-spot-instance-interruptions')
  assert.equal(action?.parameters?.durationBeforeInterruption, `PT${expected.noticeMinutes}M`)
}

/** Whether the experiment reached `state` and the instance is terminated, as a probe. */
export async function experimentEnded(aws: AwsClients, id: string, state: string, instance: string): Promise<Attempt<void>> {
  const e = (await aws.fis.send(new GetExperimentCommand({ id }))).experiment
  const i = await instanceById(aws, instance)
  return { ok: e?.state?.status === state && i?.State?.Name === 'terminated', seen: `experiment ${e?.state?.status}; instance ${i?.State?.Name}` }
}

/** What `aws fis start-experiment` printed: the experiment's ID, state and start (as FIS recorded it). */
export function experimentOfOutput(stdout: string): { id: string; status: string; startTime?: string | number } {
  const out = JSON.parse(stdout) as { experiment?: { id?: string; startTime?: string | number; state?: { status?: string } } }
  assert.ok(out.experiment?.id, 'no experiment id in the output')
  return { id: out.experiment.id, status: String(out.experiment.state?.status), startTime: out.experiment.startTime }
}

/**
 * The experiment's start in tutorial time: its own start as FIS recorded it (the sandbox's moto
 * writes it in tutorial time), not when the command began — the aws CLI's start-up is idle
 * tutorial time for the sandbox, and on a loaded machine worth a minute or more of it. When FIS
 * gave no time, `commandBegan`.
 */
export function experimentStart(experiment: { startTime?: string | number }, commandBegan: number | undefined): number | undefined {
  const started = awsCliTimestamp(experiment.startTime)
  return Number.isFinite(started) ? started : commandBegan
}

/**
 * Waits for EC2's Spot interruption warning (seen on spotcheck's own rule since the experiment
 * began) and names the interrupted instance: one of Karpenter's nodes, or the step fails.
 */
export async function interruptionWarningOf(world: SpotcheckWorld, withinMs: number): Promise<Ec2Event> {
  const observer = world.run.observer
  assert.ok(observer, 'spotcheck is not watching the event bus (a step of this scenario should start it)')
  const { value: warning } = await world.within(withinMs, 'a Spot interruption warning', async () =>
    interruptionWarning(observer, world.subject.experimentStartedAt ?? 0),
  )
  world.subject.interruptedInstance = warning.instanceId
  const node = nodeOfInstance(world, warning.instanceId)
  assert.ok(node && isKarpenterNode(node), `${warning.instanceId} is not one of Karpenter's nodes`)
  return warning
}
