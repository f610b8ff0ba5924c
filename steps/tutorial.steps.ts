// Following the tutorial in order, the optional Cloud9 section, and what spotcheck itself cleans.

import assert from 'node:assert/strict'
import { join } from 'node:path'
import { Given, Then, When } from '../support/step-registry.ts'
import { CHECKPOINT_STEP, followUpTo } from '../support/checkpoint.ts'
import { scratchHome } from '../support/shell.ts'
import type { SpotcheckWorld } from '../support/world.ts'
import { defaultVpcPublicSubnet, stackResourceId } from '../support/expect/aws.ts'
import { CLOUD9_STACK, karpenterNodesGone, removeWhatTheTutorialLeaves } from '../support/expect/clean-up.ts'

Given(CHECKPOINT_STEP, function (this: SpotcheckWorld) {
  return followUpTo(this)
})

Given('the target offers Cloud9', async function (this: SpotcheckWorld) {
  const { offered, reason } = this.run.session.cloud9
  if (offered) return undefined
  await this.note(`Skipped: ${reason}.`)
  return 'skipped'
})

Given("a public subnet of the account's default VPC", async function (this: SpotcheckWorld) {
  this.subject.subnet = await defaultVpcPublicSubnet(this.run.aws)
})

When("I run, with {string} replaced by that subnet's ID:", async function (this: SpotcheckWorld, placeholder: string, script: string) {
  assert.ok(this.subject.subnet, 'no subnet chosen')
  const r = await this.sh(script.replaceAll(placeholder, this.subject.subnet))
  assert.equal(r.exitCode, 0, r.output.slice(-2000))
})

Given('the ID of the Cloud9 environment is exported as C9_PID', async function (this: SpotcheckWorld) {
  await this.sh(`export C9_PID=${await stackResourceId(this.run.aws, CLOUD9_STACK, 'AWS::Cloud9::EnvironmentEC2')}`)
})

// The tutorial runs this inside the Cloud9 instance; spotcheck cannot reach that terminal, so it
// runs it from its own with HOME pointing at a scratch directory for this block only (shell.ts
// scratchHome, RunOptions.env): `rm -vf ${HOME}/.aws/credentials` must never touch the
// credentials of the machine running spotcheck, and every later section still needs its ~/.aws.
When("I run, in the Cloud9 environment's terminal:", async function (this: SpotcheckWorld, script: string) {
  const env = scratchHome(join(this.run.dir, 'cloud9-home'), this.run.shell.variable('HOME'))
  const r = await this.sh(script, { env })
  assert.equal(r.exitCode, 0, r.output.slice(-2000))
})

When('spotcheck removes what the tutorial leaves behind, and its own watcher of the event bus', async function (this: SpotcheckWorld) {
  await removeWhatTheTutorialLeaves(this.run)
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
  'within {duration} no node that Karpenter launched remains, though the tutorial says to wait {duration}',
  async function (this: SpotcheckWorld, allowedMs: number, saidMs: number) {
    await karpenterNodesGone(this, allowedMs, saidMs)
  },
)
