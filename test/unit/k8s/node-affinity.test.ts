import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  matchNodeSelector,
  matchNodeSelectorRequirement,
  matchNodeSelectorTerm,
  podMatchesNodeSelectorAndAffinity,
  preferredNodeAffinityScore,
} from '../../../sandbox/k8s/node-affinity.ts'
import type { Node, Pod } from '../../../sandbox/k8s/types.ts'

const labels = { 'kubernetes.io/arch': 'arm64', 'karpenter.k8s.aws/instance-cpu': '8', intent: 'apps' }

describe('node selector requirements (component-helpers nodeaffinity)', () => {
  const cases: [string, string, string[], boolean][] = [
    ['kubernetes.io/arch', 'In', ['amd64', 'arm64'], true],
    ['kubernetes.io/arch', 'In', ['amd64'], false],
    ['kubernetes.io/arch', 'NotIn', ['amd64'], true],
    ['missing', 'NotIn', ['x'], true],
    ['missing', 'In', ['x'], false],
    ['intent', 'Exists', [], true],
    ['missing', 'Exists', [], false],
    ['missing', 'DoesNotExist', [], true],
    ['intent', 'DoesNotExist', [], false],
    ['karpenter.k8s.aws/instance-cpu', 'Gt', ['4'], true],
    ['karpenter.k8s.aws/instance-cpu', 'Gt', ['8'], false],
    ['karpenter.k8s.aws/instance-cpu', 'Lt', ['16'], true],
    ['intent', 'Gt', ['1'], false], // a non-integer label never matches
    ['missing', 'Lt', ['1'], false],
    ['intent', 'Bogus', ['apps'], false],
  ]
  for (const [key, operator, values, want] of cases) {
    it(`${key} ${operator} ${values.join(',')} → ${want}`, () => assert.equal(matchNodeSelectorRequirement({ key, operator, values }, labels), want))
  }

  it('a term ANDs its expressions; an empty term matches nothing', () => {
    assert.equal(
      matchNodeSelectorTerm(
        {
          matchExpressions: [
            { key: 'intent', operator: 'In', values: ['apps'] },
            { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
          ],
        },
        labels,
      ),
      false,
    )
    assert.equal(matchNodeSelectorTerm({}, labels), false)
  })

  it('terms are ORed; matchFields supports metadata.name', () => {
    const sel = {
      nodeSelectorTerms: [
        { matchExpressions: [{ key: 'intent', operator: 'In', values: ['other'] }] },
        { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-a'] }] },
      ],
    }
    assert.equal(matchNodeSelector(sel, labels, { 'metadata.name': 'node-a' }), true)
    assert.equal(matchNodeSelector(sel, labels, { 'metadata.name': 'node-b' }), false)
    assert.equal(matchNodeSelector({ nodeSelectorTerms: [] }, labels), false)
  })
})

describe('pod against node', () => {
  const node: Node = { metadata: { name: 'node-a', labels } }
  it('nodeSelector AND required affinity', () => {
    const pod: Pod = {
      metadata: {},
      spec: {
        nodeSelector: { intent: 'apps' },
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] }] }],
            },
          },
        },
      },
    }
    assert.equal(podMatchesNodeSelectorAndAffinity(pod, node), true)
    assert.equal(podMatchesNodeSelectorAndAffinity({ ...pod, spec: { ...pod.spec, nodeSelector: { intent: 'batch' } } }, node), false)
  })
  it('preferred terms score their weights', () => {
    assert.equal(
      preferredNodeAffinityScore(
        [
          { weight: 10, preference: { matchExpressions: [{ key: 'intent', operator: 'In', values: ['apps'] }] } },
          { weight: 5, preference: { matchExpressions: [{ key: 'intent', operator: 'In', values: ['x'] }] } },
        ],
        node,
      ),
      10,
    )
  })
})
