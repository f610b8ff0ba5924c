// The account's side: VPC, EKS, IAM, SQS and EventBridge, CloudFormation, FIS, EC2 — asserted
// through the AWS SDK (support/expect/aws.ts), the same account the tutorial's commands talk to.

import assert from 'node:assert/strict'
import { Given, Then } from '../support/step-registry.ts'
import { instanceIdOf } from '../support/kube.ts'
import { RUN_TAG, auditRunTags } from '../support/run-tags.ts'
import { attachJson, attachText, htmlTable, attachHtml } from '../support/report.ts'
import { CLUSTER_NAME } from '../support/run.ts'
import type { SpotcheckWorld } from '../support/world.ts'
import { ledgerLeftToUndo } from '../support/expect/clean-up.ts'
import {
  KARPENTER_EVENTS,
  assertInterruptsSpot,
  callerIdentity,
  clusterInstanceFilters,
  eksCluster,
  experimentEnded,
  experimentOfOutput,
  experimentStart,
  instanceById,
  interruptionWarningOf,
  liveInstancesOfAny,
  noLiveInstances,
  privateTagProblems,
  queueRoutes,
  roleExists,
  stack,
  stackGone,
  subnetRows,
  subnetsTagged,
  templateOfOutput,
  vpcSubnets,
  watchEventBus,
  zonesOf,
} from '../support/expect/aws.ts'

Then("the target's AWS account answers, and the report names the target and its region", async function (this: SpotcheckWorld) {
  const who = await callerIdentity(this.run.aws)
  assert.match(who.account, /^\d{12}$/)
  await attachHtml('target', htmlTable('where this run runs', ['', ''], Object.entries({ ...this.run.session.facts, caller: who.arn })))
})

Then('the VPC {string} has public and private subnets in {int} availability zones', async function (this: SpotcheckWorld, name: string, zones: number) {
  const vpc = await vpcSubnets(this.run.aws, name)
  assert.equal(vpc.cidr, '10.0.0.0/16')
  await attachHtml('subnets', htmlTable(`subnets of ${name}`, ['subnet', 'zone', 'CIDR', 'kind'], subnetRows(vpc)))
  assert.equal(zonesOf(vpc.public), zones, 'zones of the public subnets')
  assert.equal(zonesOf(vpc.private), zones, 'zones of the private subnets')
  this.subject.vpc = { name, id: vpc.id, privateSubnets: vpc.private.map((s) => String(s.SubnetId)) }
})

Then('the private subnets carry the tag {string} = {string}', async function (this: SpotcheckWorld, key: string, value: string) {
  const vpc = this.subject.vpc
  assert.ok(vpc, 'no VPC named yet (a step of this scenario names it)')
  const tagged = await subnetsTagged(this.run.aws, vpc.id, key, value)
  assert.deepEqual(privateTagProblems(vpc.privateSubnets, tagged), [], `subnets of ${vpc.name} tagged ${key}=${value}`)
})

Then('the EKS cluster {string} is ACTIVE', async function (this: SpotcheckWorld, name: string) {
  const c = await eksCluster(this.run.aws, name)
  assert.equal(c?.status, 'ACTIVE')
  await attachText('cluster', `${c?.name}: Kubernetes ${c?.version}, ${c?.status}`)
})

Then(
  'the SQS queue {string} receives the {int} kinds of EC2 and AWS Health events Karpenter handles',
  async function (this: SpotcheckWorld, queue: string, kinds: number) {
    const { rules, detailTypes } = await queueRoutes(this.run.aws, queue)
    await attachText(`rules that target ${queue}`, rules.join('\n'))
    assert.equal(detailTypes.size, kinds, `kinds of event routed to the queue: ${[...detailTypes].join(', ')}`)
    assert.deepEqual(
      KARPENTER_EVENTS.filter((k) => !detailTypes.has(k)),
      [],
      'kinds no rule routes to the queue',
    )
  },
)

Then('the IAM role {string} exists', async function (this: SpotcheckWorld, name: string) {
  assert.ok(await roleExists(this.run.aws, name), `no IAM role ${name}`)
})

Then('the CloudFormation stack {string} is CREATE_COMPLETE', async function (this: SpotcheckWorld, name: string) {
  assert.equal((await stack(this.run.aws, name))?.StackStatus, 'CREATE_COMPLETE')
  this.subject.stack = name
})

Then(
  'its output {string} names a FIS experiment template that interrupts {int} running Spot instance tagged {string} = {string}, with a {int}-minute notice',
  async function (this: SpotcheckWorld, output: string, count: number, key: string, value: string, noticeMinutes: number) {
    assert.ok(this.subject.stack, 'no stack named yet (a step of this scenario names it)')
    const template = await templateOfOutput(this.run.aws, this.subject.stack, output)
    await attachJson('FIS experiment template', { targets: template.targets, actions: template.actions, stopConditions: template.stopConditions })
    assertInterruptsSpot(template, { count, tag: { key, value }, noticeMinutes })
  },
)

Given('spotcheck watches the default event bus for Spot interruption warnings and instance state changes', async function (this: SpotcheckWorld) {
  const observer = await watchEventBus(this.run, `${this.scenario.feature} › ${this.scenario.name}`)
  await this.note(`EventBridge rule ${observer.rule} → SQS queue ${observer.queue} (tagged ${RUN_TAG}; removed at the end of the run)`)
})

Then('the output names the experiment, whose state is {string} or {string}', async function (this: SpotcheckWorld, a: string, b: string) {
  assert.ok(this.last, 'no command has run in this scenario yet')
  const experiment = experimentOfOutput(this.last.stdout)
  assert.ok([a, b].includes(experiment.status), `state ${experiment.status}`)
  this.subject.experimentId = experiment.id
  this.subject.experimentStartedAt = this.last.startedAt.getTime()
  this.subject.experimentStartedTutorialAt = experimentStart(experiment, this.lastTutorialStartedAt)
})

Then(
  "within {duration} EC2 warns one of Karpenter's Spot instances of its interruption, and EventBridge routes the warning to the queue {string}",
  async function (this: SpotcheckWorld, withinMs: number, queue: string) {
    const warning = await interruptionWarningOf(this, withinMs)
    await attachJson('the warning, as EventBridge delivered it', {
      'detail-type': warning.detailType,
      time: new Date(warning.time).toISOString(),
      detail: warning.detail,
    })
    // The tutorial's own rule sends the same event to Karpenter's queue.
    assert.ok((await queueRoutes(this.run.aws, queue)).detailTypes.has(warning.detailType), `no rule routes "${warning.detailType}" to ${queue}`)
  },
)

Then(
  'within {duration} the experiment is {string} and the interrupted instance is terminated',
  async function (this: SpotcheckWorld, withinMs: number, state: string) {
    const { experimentId: id, interruptedInstance: instance } = this.subject
    assert.ok(id && instance, 'no experiment or interrupted instance known')
    await this.within(withinMs, `experiment ${state}, ${instance} terminated`, () => experimentEnded(this.run.aws, id, state, instance))
  },
)

Then('its EC2 instance is a Spot instance tagged {string} = {string}', async function (this: SpotcheckWorld, key: string, value: string) {
  assert.ok(this.subject.node, 'no node named yet (a step of this scenario names it)')
  const id = instanceIdOf((await this.run.kube().core.readNode({ name: this.subject.node })).spec?.providerID)
  assert.ok(id, `${this.subject.node} has no providerID`)
  const i = await instanceById(this.run.aws, id)
  assert.equal(i?.InstanceLifecycle, 'spot', `${id} lifecycle`)
  assert.equal(i?.Tags?.find((t) => t.Key === key)?.Value, value, `${id} tag ${key}`)
})

Then('the EC2 instances Karpenter launched are terminated', async function (this: SpotcheckWorld) {
  // Found by the tags the run's Karpenter gives its instances (karpenter.sh/managed-by on v0.32, eks:eks-cluster-name on 1.x).
  await this.within(60_000, "Karpenter's instances terminated", () => noLiveInstances(this.run.aws, this.run.karpenter.instanceFilters(CLUSTER_NAME)))
})

Then('within {duration} the CloudFormation stack {string} is gone', async function (this: SpotcheckWorld, withinMs: number, name: string) {
  await this.within(withinMs, `stack ${name} deleted`, () => stackGone(this.run.aws, name))
})

Then("no AWS resource tagged with this run's {string} tag remains", async function (this: SpotcheckWorld, key: string) {
  assert.equal(key, RUN_TAG, `the run tags what it creates with ${RUN_TAG}, not ${key}`)
  // A run that took over a section snapshot's resources also audits the tag of the run that made them.
  for (const runId of this.run.resourceRunIds) {
    const left = await auditRunTags(this.run.aws, runId, { timeScale: this.run.session.timeScale, progress: (l) => this.run.progress(l) })
    await attachText(`resources tagged ${key}=${runId}`, left.join('\n') || '(none)')
    assert.deepEqual(left, [], `resources still tagged with the run ${runId}`)
  }
})

Then('no EC2 instance of the cluster {string} is running', async function (this: SpotcheckWorld, cluster: string) {
  const left = await liveInstancesOfAny(this.run.aws, clusterInstanceFilters(cluster, this.run.karpenter.instanceFilters(cluster)))
  assert.deepEqual(left, [], 'instances of the cluster still running')
})

Then("the run's cleanup ledger has nothing left to undo", async function (this: SpotcheckWorld) {
  assert.deepEqual(await ledgerLeftToUndo(this.run), [], 'the ledger still has things to undo')
})
