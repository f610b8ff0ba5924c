import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { findUntoleratedTaint, karpenterTolerationErrors, mergeTaints, toleratesTaint } from '../../../sandbox/k8s/taints.ts'
import type { Pod, Taint, Toleration } from '../../../sandbox/k8s/types.ts'

const taint: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }

describe('Toleration.ToleratesTaint', () => {
  const cases: [string, Toleration, boolean][] = [
    ['Equal with the same key, value and effect', { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }, true],
    ['empty operator means Equal', { key: 'dedicated', value: 'gpu' }, true],
    ['Equal with another value', { key: 'dedicated', operator: 'Equal', value: 'cpu' }, false],
    ['Exists on the key, any value', { key: 'dedicated', operator: 'Exists' }, true],
    ['Exists with an empty key tolerates everything', { operator: 'Exists' }, true],
    ['empty effect matches every effect', { key: 'dedicated', operator: 'Exists', effect: '' }, true],
    ['another effect does not match', { key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, false],
    ['another key does not match', { key: 'other', operator: 'Exists' }, false],
    ['an unknown operator never matches', { key: 'dedicated', operator: 'Gt', value: 'gpu' }, false],
  ]
  for (const [name, tol, want] of cases) it(name, () => assert.equal(toleratesTaint(tol, taint), want))
})

describe('scheduler and Karpenter views of taints', () => {
  const pod = (tolerations?: Toleration[]): Pod => ({ metadata: { name: 'p' }, spec: { tolerations } })
  const taints: Taint[] = [
    { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
    { key: 'soft', effect: 'PreferNoSchedule' },
  ]

  it('the kube-scheduler filter ignores PreferNoSchedule', () => {
    assert.deepEqual(findUntoleratedTaint(taints, [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }]), undefined)
    assert.equal(findUntoleratedTaint(taints, [])?.key, 'node.kubernetes.io/not-ready')
  })

  it('Karpenter requires every taint tolerated, with its error text', () => {
    assert.deepEqual(karpenterTolerationErrors(taints, pod([{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }])), [
      'did not tolerate soft=:PreferNoSchedule',
    ])
    assert.deepEqual(karpenterTolerationErrors(taints, pod([{ operator: 'Exists' }])), [])
  })

  it('Merge adds taints with a new key/effect only', () => {
    assert.equal(mergeTaints(taints, [{ key: 'soft', value: 'x', effect: 'PreferNoSchedule' }, taint]).length, 3)
  })
})
