// Which earlier failure stops a later scenario, on the tutorial's own features: an optional
// section's failure stops only the rest of that section, and the clean-up runs whatever failed.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { blocks, prerequisites } from '../../../support/checkpoint.ts'
import { tutorialScenarios, type ScenarioRef } from '../../../support/tutorial-scenarios.ts'

const all = tutorialScenarios()
const noCloud9 = (tags: string[]) => tags.includes('@cloud9')
const inFeature = (file: string) => all.filter((s) => s.uri.endsWith(file))
const before = (s: ScenarioRef) => all.slice(0, all.indexOf(s)).filter((x) => !noCloud9(x.pickle.tags.map((t) => t.name)))

describe('prerequisites: what an earlier failure stops', () => {
  const step6 = inFeature('07-spot-interruption.feature')
  const step7 = inFeature('08-stateful-on-demand.feature')[0]
  const step8 = inFeature('09-clean-up.feature')
  const cluster = inFeature('03-cluster.feature')[0]

  it('the tutorial marks Steps 1, 6 and 7 optional and Step 8 always', () => {
    const tagged = (tag: string) => [...new Set(all.filter((s) => s.pickle.tags.some((t) => t.name === tag)).map((s) => s.uri.split('/').pop()))]
    assert.deepEqual(tagged('@optional'), ['02-cloud9.feature', '07-spot-interruption.feature', '08-stateful-on-demand.feature'])
    assert.deepEqual(tagged('@always'), ['09-clean-up.feature'])
  })

  it("a failed optional section stops the rest of its own section, not Step 7's or Step 8's", () => {
    const failed = new Set([step6[0].key])
    const passed = new Set(before(step6[0]).map((s) => s.key))
    assert.deepEqual(prerequisites(all, step6[1].key, { passed, failed }, noCloud9), { kind: 'blocked', by: `${step6[0].feature} › ${step6[0].pickle.name}` })
    const blocked = new Set([step6[1].key, step6[2].key])
    assert.deepEqual(prerequisites(all, step7.key, { passed, failed, blocked }, noCloud9), { kind: 'ready' })
    passed.add(step7.key)
    assert.deepEqual(prerequisites(all, step8[0].key, { passed, failed, blocked }, noCloud9), { kind: 'ready' })
  })

  it('a failed required section stops what builds on it, but not the clean-up', () => {
    const failed = new Set([cluster.key])
    const passed = new Set(before(cluster).map((s) => s.key))
    const nodepool = inFeature('04-nodepool.feature')[0]
    assert.equal(prerequisites(all, nodepool.key, { passed, failed }, noCloud9).kind, 'blocked')
    // Everything between was skipped as blocked: settled, not followed again.
    const blocked = new Set(all.slice(all.indexOf(cluster) + 1, all.indexOf(step8[0])).map((s) => s.key))
    for (const s of step8) {
      assert.deepEqual(prerequisites(all, s.key, { passed, failed, blocked }, noCloud9), { kind: 'ready' }, s.pickle.name)
      failed.add(s.key) // even when each clean-up scenario fails in turn
    }
  })

  it("a late node in Step 8's first scenario does not stop its destroy and its leak audit", () => {
    const failed = new Set([step8[0].key])
    const passed = new Set(before(step8[0]).map((s) => s.key))
    assert.deepEqual(prerequisites(all, step8[1].key, { passed, failed }, noCloud9), { kind: 'ready' })
    passed.add(step8[1].key)
    assert.deepEqual(prerequisites(all, step8[2].key, { passed, failed }, noCloud9), { kind: 'ready' })
  })

  it('a scenario run on its own follows the earlier ones it has not seen, optional ones too', () => {
    const verdict = prerequisites(all, step8[0].key, { passed: new Set(), failed: new Set() }, noCloud9)
    assert.equal(verdict.kind, 'replay')
    assert.ok(verdict.kind === 'replay' && verdict.scenarios.some((s) => s.key === step7.key))
    assert.equal(blocks(step6[0], step7), false)
    assert.equal(blocks(cluster, step7), true)
    assert.equal(blocks(cluster, step8[1]), false)
  })
})
