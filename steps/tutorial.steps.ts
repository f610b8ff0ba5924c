// Following the tutorial in order, the optional Cloud9 section, and what spotcheck itself cleans.

import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation'
import { DescribeSubnetsCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2'
import { step } from '../support/step-registry.ts'
import { CHECKPOINT_STEP, prerequisites, replay, scenarioKey, tutorialScenarios, type ScenarioRef } from '../support/checkpoint.ts'
import { describe as describeEntry, remains, undo } from '../support/undo.ts'
import { attachText } from '../support/report.ts'
import type { SpotcheckWorld } from '../support/world.ts'

let scenarios: ScenarioRef[] | undefined

step(CHECKPOINT_STEP, async function (this: SpotcheckWorld) {
  const run = this.run
  scenarios ??= tutorialScenarios()
  const offered = run.target!.cloud9.offered
  const verdict = prerequisites(scenarios, scenarioKey(this.scenario.uri, this.scenario.name), run, (tags) => tags.includes('@cloud9') && !offered)
  if (verdict.kind === 'ready') return
  if (verdict.kind === 'blocked') {
    await this.note(`Skipped: this builds on "${verdict.by}", which failed earlier in this run.`)
    return 'skipped'
  }
  run.progress(`following ${verdict.scenarios.length} earlier scenario(s) first: ${verdict.scenarios.map((s) => s.pickle.name).join('; ')}`)
  for (const s of verdict.scenarios) {
    try {
      await replay(s, this)
      run.passed.add(s.key)
    } catch (error) {
      run.failed.add(s.key)
      throw new Error(`while following "${s.feature} › ${s.pickle.name}" first: ${(error as Error).message}`, { cause: error })
    }
  }
})

step('the target offers Cloud9', async function (this: SpotcheckWorld) {
  const { offered, reason } = this.run.target!.cloud9
  if (!offered) {
    await this.note(`Skipped: ${reason}.`)
    return 'skipped'
  }
})

step("a public subnet of the account's default VPC", async function (this: SpotcheckWorld) {
  const ec2 = this.run.aws.ec2
  const vpc = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }))).Vpcs?.[0]
  assert.ok(vpc, 'the account has no default VPC in this region')
  const subnet = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId!] }, { Name: 'map-public-ip-on-launch', Values: ['true'] }] }))).Subnets?.[0]
  assert.ok(subnet, `the default VPC ${vpc.VpcId} has no public subnet`)
  this.subject.subnet = subnet.SubnetId
})

step("I run, with {string} replaced by that subnet's ID:", async function (this: SpotcheckWorld, placeholder: string, script: string) {
  assert.ok(this.subject.subnet, 'no subnet chosen')
  const r = await this.sh(script.replaceAll(placeholder, this.subject.subnet))
  assert.equal(r.exitCode, 0, r.output.slice(-2000))
})

step('the ID of the Cloud9 environment is exported as C9_PID', async function (this: SpotcheckWorld) {
  const resources = (await this.run.aws.cloudformation.send(new DescribeStackResourcesCommand({ StackName: 'EKSKarpenterCloud9' }))).StackResources ?? []
  const env = resources.find((r) => r.ResourceType === 'AWS::Cloud9::EnvironmentEC2')
  assert.ok(env?.PhysicalResourceId, 'the stack EKSKarpenterCloud9 has no Cloud9 environment')
  await this.sh(`export C9_PID=${env.PhysicalResourceId}`)
})

// The tutorial runs this inside the Cloud9 instance; spotcheck cannot reach that terminal, so it
// runs it from its own with HOME pointing at a scratch directory: `rm -vf ${HOME}/.aws/credentials`
// must never touch the credentials of the machine running spotcheck.
step("I run, in the Cloud9 environment's terminal:", async function (this: SpotcheckWorld, script: string) {
  const home = join(this.run.dir, 'cloud9-home')
  mkdirSync(join(home, '.aws'), { recursive: true })
  const r = await this.sh(`export HOME=${home}\n${script}`)
  assert.equal(r.exitCode, 0, r.output.slice(-2000))
})

step('spotcheck removes what the tutorial leaves behind, and its own watcher of the event bus', async function (this: SpotcheckWorld) {
  const run = this.run
  await run.observer?.stop()
  const ctx = run.undoContext()
  const report: string[] = []
  for (const entry of run.ledger.toUndo.filter((e) => e.kind === 'karpenter' || e.kind === 'event-observer')) {
    const before = await remains(entry, ctx)
    report.push(`${describeEntry(entry)}:\n${before.map((r) => `  - ${r}`).join('\n') || '  (nothing left)'}`)
    await undo(entry, ctx)
    const after = await remains(entry, ctx)
    assert.deepEqual(after, [], `${describeEntry(entry)} still has`)
    run.ledger.mark(entry.id, 'undone')
  }
  run.observer = undefined
  await attachText('what spotcheck removed after the tutorial', report.join('\n\n') || '(nothing)')
})
