// Following the tutorial in order, the optional Cloud9 section, and what spotcheck itself cleans.

import assert from 'node:assert/strict'
import { join } from 'node:path'
import { DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation'
import { DescribeSubnetsCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2'
import { Given, Then, When } from '../support/step-registry.ts'
import { CHECKPOINT_STEP, blocks, prerequisites, replay, scenarioKey, tutorialScenarios, type ScenarioRef } from '../support/checkpoint.ts'
import { describe as describeEntry, remains, undo } from '../support/undo.ts'
import type { Entry } from '../support/ledger.ts'
import { attachText, logExcerpt } from '../support/report.ts'
import { formatTutorialTime, parseTutorialDuration } from '../support/eventually.ts'
import { isKarpenterNode } from '../support/kube.ts'
import { field } from '../support/recorders.ts'
import { nodes } from '../support/expect/cluster.ts'
import { scratchHome } from '../support/shell.ts'
import type { SpotcheckWorld } from '../support/world.ts'

let scenarios: ScenarioRef[] | undefined
/** Scenarios the checkpoint skipped because an earlier failure blocked them, per run. */
const blockedIn = new WeakMap<object, Set<string>>()

Given(CHECKPOINT_STEP, async function (this: SpotcheckWorld) {
  const run = this.run
  scenarios ??= tutorialScenarios()
  const offered = run.target!.cloud9.offered
  const excluded = (tags: string[]) => tags.includes('@cloud9') && !offered
  const blocked = blockedIn.get(run) ?? new Set<string>()
  blockedIn.set(run, blocked)
  const key = scenarioKey(this.scenario.uri, this.scenario.name)
  const state = { passed: run.passed, failed: run.failed, blocked }
  const verdict = prerequisites(scenarios, key, state, excluded)
  if (verdict.kind === 'ready') return
  if (verdict.kind === 'blocked') {
    blocked.add(key)
    await this.note(`Skipped: this builds on "${verdict.by}", which failed earlier in this run.`)
    return 'skipped'
  }
  run.progress(`following ${verdict.scenarios.length} earlier scenario(s) first: ${verdict.scenarios.map((s) => s.pickle.name).join('; ')}`)
  const current = scenarios.find((s) => s.key === key)!
  for (const s of verdict.scenarios) {
    // A failure while following them first blocks what builds on it, as in a whole run.
    const by = scenarios.find((f) => run.failed.has(f.key) && scenarios!.indexOf(f) < scenarios!.indexOf(s) && !excluded(f.pickle.tags.map((t) => t.name)) && blocks(f, s))
    if (by) {
      blocked.add(s.key)
      continue
    }
    try {
      await replay(s, this)
      run.passed.add(s.key)
    } catch (error) {
      run.failed.add(s.key)
      const message = `while following "${s.feature} › ${s.pickle.name}" first: ${(error as Error).message}`
      if (blocks(s, current)) throw new Error(message, { cause: error })
      // An optional section, or the clean-up that runs whatever failed: go on, and say so.
      await this.note(`Failed ${message}; this scenario does not build on it, so it goes on.`)
    }
  }
})

Given('the target offers Cloud9', async function (this: SpotcheckWorld) {
  const { offered, reason } = this.run.target!.cloud9
  if (!offered) {
    await this.note(`Skipped: ${reason}.`)
    return 'skipped'
  }
})

Given("a public subnet of the account's default VPC", async function (this: SpotcheckWorld) {
  const ec2 = this.run.aws.ec2
  const vpc = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }))).Vpcs?.[0]
  assert.ok(vpc, 'the account has no default VPC in this region')
  const subnet = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId!] }, { Name: 'map-public-ip-on-launch', Values: ['true'] }] }))).Subnets?.[0]
  assert.ok(subnet, `the default VPC ${vpc.VpcId} has no public subnet`)
  this.subject.subnet = subnet.SubnetId
})

When("I run, with {string} replaced by that subnet's ID:", async function (this: SpotcheckWorld, placeholder: string, script: string) {
  assert.ok(this.subject.subnet, 'no subnet chosen')
  const r = await this.sh(script.replaceAll(placeholder, this.subject.subnet))
  assert.equal(r.exitCode, 0, r.output.slice(-2000))
})

/** The stack the tutorial's Step 1 deploys (02-cloud9.feature). */
const CLOUD9_STACK = 'EKSKarpenterCloud9'

Given('the ID of the Cloud9 environment is exported as C9_PID', async function (this: SpotcheckWorld) {
  const resources = (await this.run.aws.cloudformation.send(new DescribeStackResourcesCommand({ StackName: CLOUD9_STACK }))).StackResources ?? []
  const env = resources.find((r) => r.ResourceType === 'AWS::Cloud9::EnvironmentEC2')
  assert.ok(env?.PhysicalResourceId, 'the stack EKSKarpenterCloud9 has no Cloud9 environment')
  await this.sh(`export C9_PID=${env.PhysicalResourceId}`)
})

// The tutorial runs this inside the Cloud9 instance; spotcheck cannot reach that terminal, so it
// runs it from its own with HOME pointing at a scratch directory for this block only (shell.ts
// scratchHome, RunOptions.env): `rm -vf ${HOME}/.aws/credentials` must never touch the
// credentials of the machine running spotcheck, and every later section still needs its ~/.aws.
When("I run, in the Cloud9 environment's terminal:", async function (this: SpotcheckWorld, script: string) {
  const env = scratchHome(join(this.run.dir, 'cloud9-home'), this.run.terminal!.variable('HOME'))
  const r = await this.sh(script, { env })
  assert.equal(r.exitCode, 0, r.output.slice(-2000))
})

/**
 * What the tutorial's Step 8 does not remove: what Karpenter made outside Terraform, spotcheck's
 * own watcher of the event bus, and the optional Step 1's Cloud9 stack (the tutorial never says
 * to delete it; spotcheck does, so the ledger ends empty).
 */
function leftByTheTutorial(e: Entry): boolean {
  return e.kind === 'karpenter' || e.kind === 'event-observer' || (e.kind === 'cloudformation-stack' && e.stack === CLOUD9_STACK)
}

When('spotcheck removes what the tutorial leaves behind, and its own watcher of the event bus', async function (this: SpotcheckWorld) {
  const run = this.run
  await run.observer?.stop()
  const ctx = run.undoContext()
  const report: string[] = []
  for (const entry of run.ledger.toUndo.filter(leftByTheTutorial)) {
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

// Step 8: "Wait 30 seconds until the nodes that Karpenter launched are gone (due to consolidation)".
// Thirty seconds is what the tutorial saw; Karpenter itself takes up to its disruption poll (10 s,
// kubernetes-sigs/karpenter pkg/controllers/disruption/controller.go pollingPeriod, v0.32.1 and
// v1.9.0), then the 15 s it waits before acting to see the nodes are still empty
// (consolidation.go consolidationTTL), then drains and terminates the instance — and from v1 on,
// the Node goes only once EC2 no longer finds the instance (pkg/controllers/node/termination/
// controller.go awaitInstanceTermination, every 5 s). On AWS that is 30–90 s. The wait allows what
// the feature says; the report tells whether the tutorial's 30 seconds held; a node still there at
// the end fails this step with what Karpenter was doing with it (and, Step 8 being @always, the
// destroy still runs).
Then(
  /^within (\d+) (seconds?|minutes?) no node that Karpenter launched remains, though the tutorial says to wait (\d+) (seconds?|minutes?)$/,
  async function (this: SpotcheckWorld, amount: string, unit: string, saidAmount: string, saidUnit: string) {
    const said = parseTutorialDuration(Number(saidAmount), saidUnit)
    const allowed = parseTutorialDuration(Number(amount), unit)
    const start = this.logStart
    let left: string[] = []
    try {
      const outcome = await this.within(allowed, "Karpenter's nodes gone", async () => {
        const all = await nodes(this)
        left = all.filter(isKarpenterNode).map((n) => `${n.metadata!.name!}${n.metadata?.deletionTimestamp ? ' (being deleted)' : ''}${n.spec?.unschedulable ? ' (cordoned)' : ''}`)
        return { ok: left.length === 0, seen: left.length ? `still there: ${left.join(', ')}` : 'none left' }
      })
      await this.note(
        outcome.tookMs <= said
          ? `Gone after ${formatTutorialTime(outcome.tookMs)} of tutorial time: within the tutorial's ${formatTutorialTime(said)}.`
          : `Gone after ${formatTutorialTime(outcome.tookMs)} of tutorial time: longer than the tutorial's ${formatTutorialTime(said)}, within the ${formatTutorialTime(allowed)} Karpenter's disruption and EC2's termination may take.`,
      )
    } catch (error) {
      const disruption = (this.run.karpenterLog?.since(start) ?? []).filter((l) => ['disruption', 'termination', 'node.termination', 'nodeclaim.termination'].includes(String(field(l, 'controller'))))
      throw new Error(
        `Karpenter's nodes are still there after ${formatTutorialTime(allowed)} (the tutorial says ${formatTutorialTime(said)}): ${left.join(', ')}.\n` +
          `Karpenter's disruption and termination lines since the deployments were deleted:\n${logExcerpt(disruption.slice(-20)) || '(none: it has not started removing them)'}`,
        { cause: error },
      )
    }
  },
)
