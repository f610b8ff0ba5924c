// prerequisites() on a small made-up tutorial, one case per verdict: ready, replay (what is
// followed, in order), blocked (by which scenario), and the scenarios a target excludes.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Pickle } from '@cucumber/messages'
import { prerequisites, type CheckpointState, type Verdict } from '../../../support/checkpoint.ts'
import { scenarioKey, type ScenarioRef } from '../../../support/tutorial-scenarios.ts'

function scenario(file: string, name: string, ...tags: string[]): ScenarioRef {
  const uri = `features/${file}`
  const pickle = { name, tags: tags.map((t) => ({ name: t, astNodeId: '' })), steps: [] } as unknown as Pickle
  return { key: scenarioKey(uri, name), uri, feature: file.replace('.feature', ''), pickle }
}

const setup = scenario('01-setup.feature', 'the tools are installed')
const extra = scenario('02-extra.feature', 'an IDE is created', '@extra', '@optional')
const cluster = scenario('03-cluster.feature', 'the cluster is created')
const optionalA = scenario('04-optional.feature', 'first part', '@optional')
const optionalB = scenario('04-optional.feature', 'second part', '@optional')
const after = scenario('05-after.feature', 'a later section')
const cleanUp = scenario('06-clean-up.feature', 'everything is deleted', '@always')
const all = [setup, extra, cluster, optionalA, optionalB, after, cleanUp]

const keys = (...s: ScenarioRef[]) => new Set(s.map((x) => x.key))
const noExtra = (tags: string[]) => tags.includes('@extra')
const nothingExcluded = () => false
const verdict = (current: ScenarioRef, state: Partial<CheckpointState>, excluded = noExtra) =>
  prerequisites(all, current.key, { passed: new Set(), failed: new Set(), ...state }, excluded)
const replayed = (v: Verdict) => (v.kind === 'replay' ? v.scenarios : `not a replay: ${JSON.stringify(v)}`)

describe('prerequisites', () => {
  it('ready: the first scenario, one not in the tutorial, and one whose earlier scenarios all passed', () => {
    assert.deepEqual(verdict(setup, {}), { kind: 'ready' })
    assert.deepEqual(prerequisites(all, 'features/own.feature/a test', { passed: new Set(), failed: new Set() }, noExtra), { kind: 'ready' })
    assert.deepEqual(verdict(after, { passed: keys(setup, cluster, optionalA, optionalB) }), { kind: 'ready' })
  })

  it('replay: the earlier scenarios not yet settled, in reading order', () => {
    assert.deepEqual(replayed(verdict(after, { passed: keys(setup) })), [cluster, optionalA, optionalB])
  })

  it('a scenario the target excludes is neither replayed nor blocking', () => {
    assert.deepEqual(replayed(verdict(cluster, {})), [setup])
    assert.deepEqual(replayed(verdict(cluster, {}, nothingExcluded)), [setup, extra])
    assert.deepEqual(verdict(cluster, { passed: keys(setup), failed: keys(extra) }), { kind: 'ready' })
  })

  it('blocked: a failed required scenario stops every later one but the @always clean-up, naming itself', () => {
    const state = { passed: keys(setup), failed: keys(cluster) }
    assert.deepEqual(verdict(after, state), { kind: 'blocked', by: '03-cluster › the cluster is created' })
    assert.deepEqual(verdict(optionalA, state), { kind: 'blocked', by: '03-cluster › the cluster is created' })
    assert.deepEqual(verdict(cleanUp, { ...state, blocked: keys(optionalA, optionalB, after) }), { kind: 'ready' })
  })

  it('a failed optional scenario stops the rest of its own section only', () => {
    const state = { passed: keys(setup, cluster), failed: keys(optionalA) }
    assert.deepEqual(verdict(optionalB, state), { kind: 'blocked', by: '04-optional › first part' })
    assert.deepEqual(verdict(after, { ...state, blocked: keys(optionalB) }), { kind: 'ready' })
  })

  it('a settled scenario (passed, failed or blocked) is not replayed', () => {
    assert.deepEqual(replayed(verdict(cleanUp, { passed: keys(setup), failed: keys(cluster), blocked: keys(optionalA) })), [optionalB, after])
  })
})
