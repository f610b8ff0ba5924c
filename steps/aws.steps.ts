// The account's side: VPC, EKS, IAM, SQS and EventBridge, CloudFormation, FIS, EC2 — asserted
// through the AWS SDK, the same account the tutorial's commands talk to.

import assert from 'node:assert/strict'
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation'
import { DescribeInstancesCommand, DescribeRouteTablesCommand, DescribeSubnetsCommand, DescribeVpcsCommand, type Filter } from '@aws-sdk/client-ec2'
import { DescribeClusterCommand } from '@aws-sdk/client-eks'
import { DescribeRuleCommand, ListRuleNamesByTargetCommand } from '@aws-sdk/client-eventbridge'
import { GetExperimentTemplateCommand, GetExperimentCommand } from '@aws-sdk/client-fis'
import { GetRoleCommand } from '@aws-sdk/client-iam'
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs'
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts'
import { Given, Then } from '../support/step-registry.ts'
import { parseTutorialDuration } from '../support/eventually.ts'
import { EventObserver } from '../support/event-observer.ts'
import { instanceIdOf, isKarpenterNode } from '../support/kube.ts'
import { auditRunTags } from '../support/run-tags.ts'
import { settle } from '../support/undo.ts'
import { attachJson, attachText, htmlTable, attachHtml } from '../support/report.ts'
import { CLUSTER_NAME } from '../support/run.ts'
import type { SpotcheckWorld } from '../support/world.ts'
import { awsCliTimestamp } from '../support/tutorial-time.ts'
import { nodeOfInstance } from '../support/expect/cluster.ts'

const WITHIN = String.raw`within (\d+) (seconds?|minutes?)`

Then("the target's AWS account answers, and the report names the target and its region", async function (this: SpotcheckWorld) {
  const who = await this.run.aws.sts.send(new GetCallerIdentityCommand({}))
  assert.match(String(who.Account), /^\d{12}$/)
  const facts = { ...this.run.target!.facts, caller: String(who.Arn) }
  await attachHtml('target', htmlTable('where this run runs', ['', ''], Object.entries(facts)))
})

async function vpcNamed(world: SpotcheckWorld, name: string): Promise<string> {
  const vpcs = (await world.run.aws.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: [name] }] }))).Vpcs ?? []
  assert.equal(vpcs.length, 1, `VPCs named ${name}: ${vpcs.length}`)
  assert.equal(vpcs[0].CidrBlock, '10.0.0.0/16')
  return vpcs[0].VpcId!
}

Then('the VPC {string} has public and private subnets in {int} availability zones', async function (this: SpotcheckWorld, name: string, zones: number) {
  const ec2 = this.run.aws.ec2
  const vpc = await vpcNamed(this, name)
  const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc] }] }))).Subnets ?? []
  const routes = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc] }] }))).RouteTables ?? []
  const publicSubnets = new Set(
    routes.filter((t) => (t.Routes ?? []).some((r) => r.GatewayId?.startsWith('igw-'))).flatMap((t) => (t.Associations ?? []).map((a) => a.SubnetId).filter(Boolean) as string[]),
  )
  const pub = subnets.filter((s) => publicSubnets.has(s.SubnetId!))
  const priv = subnets.filter((s) => !publicSubnets.has(s.SubnetId!))
  await attachHtml('subnets', htmlTable(`subnets of ${name}`, ['subnet', 'zone', 'CIDR', 'kind'], subnets.map((s) => [s.SubnetId!, s.AvailabilityZone!, s.CidrBlock!, publicSubnets.has(s.SubnetId!) ? 'public' : 'private'])))
  assert.equal(new Set(pub.map((s) => s.AvailabilityZone)).size, zones, 'zones of the public subnets')
  assert.equal(new Set(priv.map((s) => s.AvailabilityZone)).size, zones, 'zones of the private subnets')
  this.subject.deployment = vpc
})

Then('the private subnets carry the tag {string} = {string}', async function (this: SpotcheckWorld, key: string, value: string) {
  const ec2 = this.run.aws.ec2
  const vpc = await vpcNamed(this, 'spot-and-karpenter')
  const tagged = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc] }, { Name: `tag:${key}`, Values: [value] }] }))).Subnets ?? []
  assert.equal(tagged.length, 3, `subnets tagged ${key}=${value}: ${tagged.map((s) => s.SubnetId).join(', ')}`)
  for (const s of tagged) assert.equal(s.MapPublicIpOnLaunch ?? false, false, `${s.SubnetId} gives public IPs: not a private subnet`)
})

Then('the EKS cluster {string} is ACTIVE', async function (this: SpotcheckWorld, name: string) {
  const c = (await this.run.aws.eks.send(new DescribeClusterCommand({ name }))).cluster
  assert.equal(c?.status, 'ACTIVE')
  await attachText('cluster', `${c?.name}: Kubernetes ${c?.version}, ${c?.status}`)
})

const KARPENTER_EVENTS = ['AWS Health Event', 'EC2 Spot Instance Interruption Warning', 'EC2 Instance Rebalance Recommendation', 'EC2 Instance State-change Notification']

Then('the SQS queue {string} receives the {int} kinds of EC2 and AWS Health events Karpenter handles', async function (this: SpotcheckWorld, queue: string, kinds: number) {
  const aws = this.run.aws
  const url = (await aws.sqs.send(new GetQueueUrlCommand({ QueueName: queue }))).QueueUrl!
  const arn = (await aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!
  const rules = (await aws.events.send(new ListRuleNamesByTargetCommand({ TargetArn: arn }))).RuleNames ?? []
  const routed = new Set<string>()
  for (const rule of rules) {
    const pattern = JSON.parse((await aws.events.send(new DescribeRuleCommand({ Name: rule }))).EventPattern ?? '{}') as { 'detail-type'?: string[] }
    for (const t of pattern['detail-type'] ?? []) routed.add(t)
  }
  await attachText(`rules that target ${queue}`, rules.join('\n'))
  assert.equal(KARPENTER_EVENTS.length, kinds)
  assert.deepEqual(KARPENTER_EVENTS.filter((k) => !routed.has(k)), [], 'kinds no rule routes to the queue')
})

Then('the IAM role {string} exists', async function (this: SpotcheckWorld, name: string) {
  const role = (await this.run.aws.iam.send(new GetRoleCommand({ RoleName: name }))).Role
  assert.equal(role?.RoleName, name)
})

async function stack(world: SpotcheckWorld, name: string) {
  return (await world.run.aws.cloudformation.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0]
}

Then('the CloudFormation stack {string} is CREATE_COMPLETE', async function (this: SpotcheckWorld, name: string) {
  assert.equal((await stack(this, name))?.StackStatus, 'CREATE_COMPLETE')
})

Then(
  'its output {string} names a FIS experiment template that interrupts {int} running Spot instance tagged {string} = {string}, with a {int}-minute notice',
  async function (this: SpotcheckWorld, output: string, count: number, key: string, value: string, minutes: number) {
    const s = await stack(this, 'fis-spot-and-karpenter')
    const id = s?.Outputs?.find((o) => o.OutputKey === output)?.OutputValue
    assert.ok(id, `the stack has no output ${output}`)
    const template = (await this.run.aws.fis.send(new GetExperimentTemplateCommand({ id }))).experimentTemplate
    assert.ok(template, `no FIS experiment template ${id}`)
    await attachJson('FIS experiment template', { targets: template.targets, actions: template.actions, stopConditions: template.stopConditions })
    const targets = Object.values(template.targets ?? {})
    assert.equal(targets.length, 1, 'targets')
    const target = targets[0]
    assert.equal(target.resourceType, 'aws:ec2:spot-instance')
    assert.deepEqual(target.resourceTags, { [key]: value })
    assert.equal(target.selectionMode, `COUNT(${count})`)
    assert.ok((target.filters ?? []).some((f) => f.path === 'State.Name' && (f.values ?? []).includes('running')), 'targets only running instances')
    const actions = Object.values(template.actions ?? {})
    assert.equal(actions[0]?.actionId, 'aws:ec2:send-spot-instance-interruptions')
    assert.equal(actions[0]?.parameters?.durationBeforeInterruption, `PT${minutes}M`)
  },
)

Given('spotcheck watches the default event bus for Spot interruption warnings and instance state changes', async function (this: SpotcheckWorld) {
  if (!this.run.observer) {
    const observer = new EventObserver(this.run.aws, this.run.id)
    await observer.start(this.run.ledger, `${this.scenario.feature} › ${this.scenario.name}`)
    this.run.observer = observer
  }
  await this.note(`EventBridge rule ${this.run.observer.rule} → SQS queue ${this.run.observer.queue} (tagged spotcheck:run; removed at the end of the run)`)
})

Then('the output names the experiment, whose state is {string} or {string}', async function (this: SpotcheckWorld, a: string, b: string) {
  const out = JSON.parse(this.last!.stdout) as { experiment?: { id?: string; startTime?: string | number; state?: { status?: string } } }
  assert.ok(out.experiment?.id, 'no experiment id in the output')
  assert.ok([a, b].includes(String(out.experiment.state?.status)), `state ${out.experiment.state?.status}`)
  this.subject.experimentId = out.experiment.id
  this.subject.experimentStartedAt = this.last!.startedAt.getTime()
  // The timeline's t0 is the experiment's own start as FIS recorded it (the sandbox's moto writes
  // it in tutorial time), not when the command began: the aws CLI's start-up is idle tutorial time
  // for the sandbox, and on a loaded machine worth a minute or more of it.
  const started = awsCliTimestamp(out.experiment.startTime)
  this.subject.experimentStartedTutorialAt = Number.isFinite(started) ? started : this.lastTutorialStartedAt
})

Then(
  new RegExp(`^${WITHIN} EC2 warns one of Karpenter's Spot instances of its interruption, and EventBridge routes the warning to the queue "([^"]+)"$`),
  async function (this: SpotcheckWorld, amount: string, unit: string, queue: string) {
    const observer = this.run.observer
    assert.ok(observer, 'spotcheck is not watching the event bus (a step of this scenario should start it)')
    const since = this.subject.experimentStartedAt ?? 0
    const outcome = await this.within(parseTutorialDuration(Number(amount), unit), 'a Spot interruption warning', async () => {
      const w = observer.warnings().find((e) => e.receivedAt >= since - 1_000)
      return { ok: Boolean(w), value: w, seen: w ? `warning for ${w.instanceId}` : `${observer.events.length} EC2 events so far, no warning` }
    })
    const warning = outcome.value
    await attachJson('the warning, as EventBridge delivered it', { 'detail-type': warning.detailType, time: new Date(warning.time).toISOString(), detail: warning.detail })
    this.subject.interruptedInstance = warning.instanceId
    const node = nodeOfInstance(this, warning.instanceId)
    assert.ok(node && isKarpenterNode(node), `${warning.instanceId} is not one of Karpenter's nodes`)
    // The tutorial's own rule sends the same event to Karpenter's queue.
    const aws = this.run.aws
    const url = (await aws.sqs.send(new GetQueueUrlCommand({ QueueName: queue }))).QueueUrl!
    const arn = (await aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!
    const rules = (await aws.events.send(new ListRuleNamesByTargetCommand({ TargetArn: arn }))).RuleNames ?? []
    let routes = false
    for (const rule of rules) {
      const pattern = JSON.parse((await aws.events.send(new DescribeRuleCommand({ Name: rule }))).EventPattern ?? '{}') as { 'detail-type'?: string[] }
      if ((pattern['detail-type'] ?? []).includes(warning.detailType)) routes = true
    }
    assert.ok(routes, `no rule routes "${warning.detailType}" to ${queue}`)
  },
)

Then(new RegExp(`^${WITHIN} the experiment is "([^"]+)" and the interrupted instance is terminated$`), async function (this: SpotcheckWorld, amount: string, unit: string, state: string) {
  const id = this.subject.experimentId
  const instance = this.subject.interruptedInstance
  assert.ok(id && instance, 'no experiment or interrupted instance known')
  await this.within(parseTutorialDuration(Number(amount), unit), `experiment ${state}, ${instance} terminated`, async () => {
    const e = (await this.run.aws.fis.send(new GetExperimentCommand({ id }))).experiment
    const i = (await this.run.aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instance] }))).Reservations?.[0]?.Instances?.[0]
    return { ok: e?.state?.status === state && i?.State?.Name === 'terminated', seen: `experiment ${e?.state?.status}; instance ${i?.State?.Name}` }
  })
})

Then('its EC2 instance is a Spot instance tagged {string} = {string}', async function (this: SpotcheckWorld, key: string, value: string) {
  const node = await this.run.kube().core.readNode({ name: this.subject.node! })
  const id = instanceIdOf(node.spec?.providerID)
  assert.ok(id, `${node.metadata?.name} has no providerID`)
  const i = (await this.run.aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0]
  assert.equal(i?.InstanceLifecycle, 'spot', `${id} lifecycle`)
  assert.equal(i?.Tags?.find((t) => t.Key === key)?.Value, value, `${id} tag ${key}`)
})

async function liveInstances(world: SpotcheckWorld, filters: Filter[]): Promise<string[]> {
  const out = await world.run.aws.ec2.send(new DescribeInstancesCommand({ Filters: [...filters, { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] }] }))
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId!)
}

Then('the EC2 instances Karpenter launched are terminated', async function (this: SpotcheckWorld) {
  await this.within(60_000, "Karpenter's instances terminated", async () => {
    // Found by the tags the run's Karpenter gives its instances (karpenter.sh/managed-by on v0.32, eks:eks-cluster-name on 1.x).
    const left = await liveInstances(this, this.run.karpenter.instanceFilters(CLUSTER_NAME))
    return { ok: left.length === 0, seen: left.length ? `still running: ${left.join(', ')}` : 'all terminated' }
  })
})

Then(new RegExp(`^${WITHIN} the CloudFormation stack "([^"]+)" is gone$`), async function (this: SpotcheckWorld, amount: string, unit: string, name: string) {
  await this.within(parseTutorialDuration(Number(amount), unit), `stack ${name} deleted`, async () => {
    const s = await stack(this, name).catch((e: Error) => (/does not exist/.test(e.message) ? undefined : Promise.reject(e)))
    return { ok: !s || s.StackStatus === 'DELETE_COMPLETE', seen: s ? String(s.StackStatus) : 'gone' }
  })
})

Then("no AWS resource tagged with this run's {string} tag remains", async function (this: SpotcheckWorld, key: string) {
  assert.equal(key, 'spotcheck:run')
  const left = await auditRunTags(this.run.aws, this.run.id, { timeScale: this.run.target?.timeScale, progress: (l) => this.run.progress(l) })
  await attachText(`resources tagged spotcheck:run=${this.run.id}`, left.join('\n') || '(none)')
  assert.deepEqual(left, [], 'resources still tagged with the run')
})

Then('no EC2 instance of the cluster {string} is running', async function (this: SpotcheckWorld, cluster: string) {
  const left = [
    ...(await liveInstances(this, [{ Name: `tag:kubernetes.io/cluster/${cluster}`, Values: ['owned'] }])),
    ...(await liveInstances(this, [{ Name: 'tag:eks:cluster-name', Values: [cluster] }])),
    ...(await liveInstances(this, this.run.karpenter.instanceFilters(cluster))),
  ]
  assert.deepEqual([...new Set(left)], [], 'instances of the cluster still running')
})

Then("the run's cleanup ledger has nothing left to undo", async function (this: SpotcheckWorld) {
  const open = await settle(this.run.ledger, this.run.undoContext(), { except: ['sandbox'] })
  await attachHtml(
    'cleanup ledger',
    htmlTable('what the run recorded before creating it', ['#', 'what', 'recorded by', 'state'], this.run.ledger.entries.map((e) => [e.id, e.kind, e.by, e.state])),
  )
  assert.deepEqual(
    open.map((o) => `#${o.entry.id} ${o.entry.kind}: ${o.remains.join(', ')}`),
    [],
    'the ledger still has things to undo',
  )
})
