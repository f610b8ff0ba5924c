import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { isRestrictedNodeLabel, restrictedLabelError, validateRequirement } from '../../../sandbox/karpenter/labels.ts'
import { ALLOW_UNDEFINED_WELL_KNOWN, editDistance, Requirement, Requirements } from '../../../sandbox/karpenter/requirements.ts'
import { seededRng } from '../../../sandbox/karpenter/rng.ts'
import type { Pod } from '../../../sandbox/k8s/types.ts'

const R = (key: string, op: string, values: string[] = []) => Requirement.of(key, op, values)

describe('Requirement (core@v0.32.1 pkg/scheduling/requirement.go)', () => {
  it('operators come back from their set representation', () => {
    assert.equal(R('a', 'In', ['x']).operator(), 'In')
    assert.equal(R('a', 'In', []).operator(), 'DoesNotExist')
    assert.equal(R('a', 'NotIn', ['x']).operator(), 'NotIn')
    assert.equal(R('a', 'Exists').operator(), 'Exists')
    assert.equal(R('a', 'DoesNotExist').operator(), 'DoesNotExist')
    assert.equal(R('a', 'Gt', ['4']).operator(), 'Exists') // Gt/Lt are "Exists" with bounds
  })

  it('Gt/Lt are strict integer bounds; non-integers never qualify', () => {
    const cpu = R('karpenter.k8s.aws/instance-cpu', 'Gt', ['4'])
    assert.equal(cpu.has('4'), false)
    assert.equal(cpu.has('5'), true)
    assert.equal(cpu.has('8'), true)
    assert.equal(cpu.has('four'), false)
    const mem = R('karpenter.k8s.aws/instance-memory', 'Gt', ['8191'])
    assert.equal(mem.has('8191'), false)
    assert.equal(mem.has('8192'), true)
    assert.equal(R('x', 'Lt', ['10']).has('9'), true)
    assert.equal(R('x', 'Lt', ['10']).has('10'), false)
  })

  const table: [string, Requirement, Requirement, string][] = [
    ['In ∩ In', R('k', 'In', ['a', 'b']), R('k', 'In', ['b', 'c']), 'k In [b]'],
    ['In ∩ NotIn', R('k', 'In', ['a', 'b']), R('k', 'NotIn', ['b']), 'k In [a]'],
    ['NotIn ∩ NotIn', R('k', 'NotIn', ['a']), R('k', 'NotIn', ['b']), 'k NotIn [a b]'],
    ['Exists ∩ In', R('k', 'Exists'), R('k', 'In', ['a']), 'k In [a]'],
    ['In ∩ DoesNotExist', R('k', 'In', ['a']), R('k', 'DoesNotExist'), 'k DoesNotExist'],
    ['Gt ∩ In filters values by the bound', R('k', 'Gt', ['4']), R('k', 'In', ['2', '8', '16']), 'k In [16 8]'],
    ['Gt ∩ Lt keeps both bounds', R('k', 'Gt', ['4']), R('k', 'Lt', ['10']), 'k Exists >4 <10'],
    ['Gt ∩ Lt that cross is empty', R('k', 'Gt', ['10']), R('k', 'Lt', ['5']), 'k DoesNotExist'],
    ['Gt ∩ Gt keeps the larger', R('k', 'Gt', ['4']), R('k', 'Gt', ['8']), 'k Exists >8'],
  ]
  for (const [name, a, b, want] of table) {
    it(`intersection: ${name}`, () => {
      assert.equal(a.intersection(b).toString(), want)
      assert.equal(b.intersection(a).toString(), want)
      assert.equal(a.intersects(b), a.intersection(b).len() > 0)
    })
  }

  it('String truncates after five values', () => {
    assert.equal(R('k', 'In', ['a', 'b', 'c', 'd', 'e', 'f', 'g']).toString(), 'k In [a b c d e and 2 others]')
  })

  it('normalises aliased keys', () => {
    assert.equal(R('beta.kubernetes.io/arch', 'In', ['arm64']).key, 'kubernetes.io/arch')
    assert.equal(R('failure-domain.beta.kubernetes.io/zone', 'In', ['a']).key, 'topology.kubernetes.io/zone')
    assert.equal(R('failure-domain.beta.kubernetes.io/region', 'In', ['r']).key, 'topology.kubernetes.io/region')
    assert.equal(R('beta.kubernetes.io/instance-type', 'In', ['m5.large']).key, 'node.kubernetes.io/instance-type')
    assert.equal(R('beta.kubernetes.io/os', 'In', ['linux']).key, 'kubernetes.io/os')
    assert.equal(R('topology.ebs.csi.aws.com/zone', 'In', ['a']).key, 'topology.kubernetes.io/zone')
  })

  it('round-trips to NodeSelectorRequirement', () => {
    assert.deepEqual(R('k', 'In', ['b', 'a']).toNodeSelectorRequirement(), { key: 'k', operator: 'In', values: ['a', 'b'] })
    assert.deepEqual(R('k', 'Gt', ['4']).toNodeSelectorRequirement(), { key: 'k', operator: 'Gt', values: ['4'] })
    assert.deepEqual(R('k', 'Exists').toNodeSelectorRequirement(), { key: 'k', operator: 'Exists' })
  })
})

describe('Requirements.Compatible — the errors Karpenter logs', () => {
  const nodePool = new Requirements(
    R('intent', 'In', ['apps']),
    R('karpenter.sh/capacity-type', 'In', ['spot', 'on-demand']),
    R('karpenter.sh/nodepool', 'In', ['default']),
  )

  it('a custom label the NodePool does not define has no known values', () => {
    const pod = Requirements.fromLabels({ team: 'a' })
    assert.deepEqual(nodePool.compatible(pod, ALLOW_UNDEFINED_WELL_KNOWN), ['label "team" does not have known values'])
  })

  it('NotIn/DoesNotExist on an undefined custom label is fine', () => {
    assert.deepEqual(nodePool.compatible(new Requirements(R('team', 'NotIn', ['a']), R('gpu', 'DoesNotExist')), ALLOW_UNDEFINED_WELL_KNOWN), [])
  })

  it('well-known labels may be undefined on the NodePool', () => {
    assert.deepEqual(
      nodePool.compatible(
        Requirements.fromLabels({ 'topology.kubernetes.io/zone': 'eu-west-2a', 'karpenter.k8s.aws/instance-family': 'c7g' }),
        ALLOW_UNDEFINED_WELL_KNOWN,
      ),
      [],
    )
    // …but not without the well-known allowance (existing nodes)
    assert.equal(nodePool.compatible(Requirements.fromLabels({ 'topology.kubernetes.io/zone': 'eu-west-2a' })).length, 1)
  })

  it('disjoint values: key intent, intent In [foo] not in intent In [apps]', () => {
    assert.deepEqual(nodePool.compatible(Requirements.fromLabels({ intent: 'foo' }), ALLOW_UNDEFINED_WELL_KNOWN), [
      'key intent, intent In [foo] not in intent In [apps]',
    ])
  })

  it('adds a typo hint like Karpenter', () => {
    assert.deepEqual(nodePool.compatible(Requirements.fromLabels({ 'capacity-type': 'spot' }), ALLOW_UNDEFINED_WELL_KNOWN), [
      'label "capacity-type" does not have known values (typo of "karpenter.sh/capacity-type"?)',
    ])
    assert.deepEqual(nodePool.compatible(Requirements.fromLabels({ intnt: 'apps' }), ALLOW_UNDEFINED_WELL_KNOWN), ['label "intnt" does not have known values'])
  })

  it('two NotIn/DoesNotExist sides never conflict', () => {
    const a = new Requirements(R('k', 'DoesNotExist'))
    assert.deepEqual(a.compatible(new Requirements(R('k', 'NotIn', ['x']))), [])
    assert.deepEqual(a.compatible(new Requirements(R('k', 'In', ['x']))), ['key k, k In [x] not in k DoesNotExist'])
  })

  it('isCompatible agrees with compatible', () => {
    const selectors: Record<string, string>[] = [{ intent: 'foo' }, { intent: 'apps' }, { team: 'x' }, { 'karpenter.sh/capacity-type': 'spot' }]
    for (const pod of selectors) {
      const r = Requirements.fromLabels(pod)
      assert.equal(nodePool.isCompatible(r, ALLOW_UNDEFINED_WELL_KNOWN), nodePool.compatible(r, ALLOW_UNDEFINED_WELL_KNOWN).length === 0, JSON.stringify(pod))
    }
  })
})

describe('Requirements from pods', () => {
  const pod: Pod = {
    metadata: { name: 'p' },
    spec: {
      nodeSelector: { intent: 'apps' },
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'beta.kubernetes.io/arch', operator: 'In', values: ['arm64'] }] },
              { matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }] },
            ],
          },
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 1, preference: { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['b'] }] } },
            { weight: 50, preference: { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['a'] }] } },
          ],
        },
      },
    },
  }

  it('nodeSelector + the heaviest preference + the first required term', () => {
    assert.equal(Requirements.forPod(pod).toString(), 'intent In [apps], kubernetes.io/arch In [arm64], topology.kubernetes.io/zone In [a]')
  })

  it('strict requirements leave preferences out', () => {
    assert.equal(Requirements.forPod(pod, true).toString(), 'intent In [apps], kubernetes.io/arch In [arm64]')
  })

  it('Labels() skips restricted/well-known keys and picks values with the Rng', () => {
    const r = new Requirements(
      R('intent', 'In', ['apps']),
      R('kubernetes.io/arch', 'In', ['arm64']),
      R('team', 'Exists'),
      R('kubernetes.io/hostname', 'In', ['x']),
    )
    const labels = r.labels(seededRng(1))
    assert.equal(labels.intent, 'apps')
    assert.equal('kubernetes.io/arch' in labels, false)
    assert.equal('kubernetes.io/hostname' in labels, false)
    assert.match(labels.team, /^\d+$/)
  })

  it('String() hides the hostname', () => {
    assert.equal(new Requirements(R('kubernetes.io/hostname', 'In', ['h']), R('a', 'In', ['1'])).toString(), 'a In [1]')
  })
})

describe('labels.go', () => {
  it('restricted domains and exceptions', () => {
    assert.equal(isRestrictedNodeLabel('kubernetes.io/hostname'), true)
    assert.equal(isRestrictedNodeLabel('node.kubernetes.io/instance-type'), true) // well-known
    assert.equal(isRestrictedNodeLabel('node.kubernetes.io/custom'), false) // exception domain
    assert.equal(isRestrictedNodeLabel('karpenter.k8s.aws/anything'), true)
    assert.equal(isRestrictedNodeLabel('example.com/team'), false)
    assert.equal(isRestrictedNodeLabel('intent'), false)
    assert.equal(restrictedLabelError('karpenter.k8s.aws/instance-cpu'), undefined)
    assert.match(
      restrictedLabelError('karpenter.sh/foo') ?? '',
      /^label karpenter\.sh\/foo is restricted; specify a well known label: \[karpenter\.k8s\.aws\/instance-accelerator-count /,
    )
  })

  it('ValidateRequirement', () => {
    assert.deepEqual(validateRequirement({ key: 'intent', operator: 'In', values: ['apps'] }), [])
    assert.deepEqual(validateRequirement({ key: 'intent', operator: 'In', values: [] }), ['key intent with operator In must have a value defined'])
    assert.deepEqual(validateRequirement({ key: 'cpu', operator: 'Gt', values: ['x'] }), ['key cpu with operator Gt must have a single positive integer value'])
    assert.match(validateRequirement({ key: 'intent', operator: 'Foo', values: ['a'] })[0], /unsupported operator Foo/)
  })

  it('editDistance is Karpenter’s (first characters are never compared)', () => {
    assert.equal(editDistance('kitten', 'sitting'), 2) // a true edit distance would be 3
    assert.equal(editDistance('', 'abc'), 3)
    assert.equal(editDistance('abc', 'xbc'), 0)
  })
})
