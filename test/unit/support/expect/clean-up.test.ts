// Step 8 and spotcheck's own clean-up: which nodes are Karpenter's and what is happening to them,
// which of Karpenter's log lines are about removing nodes, what the report says against the
// tutorial's "wait 30 seconds", and what the tutorial leaves for spotcheck to remove.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { CLOUD9_STACK, goneNote, karpenterNodesLeft, leftByTheTutorial, removalLines } from '../../../../support/expect/clean-up.ts'
import { logLineOf } from '../../../../support/recorders.ts'
import type { Node } from '../../../../support/kube.ts'
import type { Entry } from '../../../../support/ledger.ts'

const node = (name: string, nodepool?: string, extra: { deleting?: boolean; cordoned?: boolean } = {}) =>
  ({
    metadata: { name, labels: nodepool ? { 'karpenter.sh/nodepool': nodepool } : {}, ...(extra.deleting ? { deletionTimestamp: new Date() } : {}) },
    spec: { unschedulable: extra.cordoned },
  }) as unknown as Node

describe("Karpenter's nodes left", () => {
  it("are the nodes of a NodePool, each with what is happening to it; the node group's are not", () => {
    const left = karpenterNodesLeft([node('mng-1'), node('k-1', 'default'), node('k-2', 'default', { deleting: true, cordoned: true })])
    assert.deepEqual(left, ['k-1', 'k-2 (being deleted) (cordoned)'])
  })
})

describe("Karpenter's removal lines", () => {
  it('are those of its disruption and termination controllers', () => {
    const line = (i: number, controller: string) =>
      logLineOf(i, 'karpenter-1', JSON.stringify({ level: 'INFO', time: '2024-01-29T08:47:00.000Z', logger: 'controller', message: 'm', controller }))
    const lines = [line(1, 'disruption'), line(2, 'provisioner'), line(3, 'node.termination'), line(4, 'nodeclaim.termination')]
    assert.deepEqual(
      removalLines(lines).map((l) => l.index),
      [1, 3, 4],
    )
  })
})

describe("the tutorial's 30 seconds", () => {
  it('held when the nodes went within them', () => {
    assert.equal(goneNote(25_000, 30_000, 120_000), "Gone after 25 s of tutorial time: within the tutorial's 30 s.")
  })

  it('did not when they took longer, within what the feature allows', () => {
    assert.equal(
      goneNote(75_000, 30_000, 120_000),
      "Gone after 1 min 15 s of tutorial time: longer than the tutorial's 30 s, within the 2 min Karpenter's disruption and EC2's termination may take.",
    )
  })
})

describe('what the tutorial leaves behind', () => {
  const entry = (spec: Record<string, unknown>) => ({ id: 1, recordedAt: '', by: '', state: 'open', ...spec }) as unknown as Entry
  it("is Karpenter's, spotcheck's event watcher, and the Cloud9 stack; not the tutorial's other stacks", () => {
    assert.equal(leftByTheTutorial(entry({ kind: 'karpenter', cluster: 'c' })), true)
    assert.equal(leftByTheTutorial(entry({ kind: 'event-observer', rule: 'r', queue: 'q' })), true)
    assert.equal(leftByTheTutorial(entry({ kind: 'cloudformation-stack', stack: CLOUD9_STACK })), true)
    assert.equal(leftByTheTutorial(entry({ kind: 'cloudformation-stack', stack: 'fis-spot-and-karpenter' })), false)
  })
})
