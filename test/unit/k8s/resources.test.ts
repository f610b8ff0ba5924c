import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { parseQuantity } from '../../../sandbox/k8s/quantity.ts'
import {
  ceiling,
  fits,
  maxResources,
  merge,
  parseResourceList,
  requestsForPods,
  resourcesString,
  subtract,
  toStringMap,
  withoutZeros,
} from '../../../sandbox/k8s/resources.ts'
import type { Pod } from '../../../sandbox/k8s/types.ts'

const pod = (spec: Partial<Pod['spec']>): Pod => ({ metadata: { name: 'p', namespace: 'default' }, spec: { containers: [], ...spec } })

describe('pod requests (Karpenter resources.Ceiling / RequestsForPods)', () => {
  it('sums containers and adds pods: 1', () => {
    const p = pod({
      containers: [{ resources: { requests: { cpu: '250m', memory: '256Mi' } } }, { resources: { requests: { cpu: '250m', memory: '256Mi' } } }],
    })
    assert.deepEqual(toStringMap(requestsForPods(p)), { cpu: '500m', memory: '512Mi', pods: '1' })
  })

  it('uses a limit as the request when the request is absent', () => {
    const p = pod({ containers: [{ resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '100m' } } }] })
    assert.deepEqual(toStringMap(ceiling(p).requests), { cpu: '100m', memory: '1Gi' })
  })

  it('raises to each init container where it asks for more', () => {
    const p = pod({
      initContainers: [{ resources: { requests: { cpu: '2', memory: '64Mi' } } }, { resources: { requests: { memory: '1Gi' } } }],
      containers: [{ resources: { requests: { cpu: '500m', memory: '128Mi' } } }],
    })
    assert.deepEqual(toStringMap(ceiling(p).requests), { cpu: '2', memory: '1Gi' })
  })

  it('adds spec.overhead (RuntimeClass)', () => {
    const p = pod({ overhead: { cpu: '250m', memory: '120Mi' }, containers: [{ resources: { requests: { cpu: '250m', memory: '8Mi' } } }] })
    assert.deepEqual(toStringMap(ceiling(p).requests), { cpu: '500m', memory: '128Mi' })
  })

  it('counts pods across a list (DecimalExponent, as NewQuantity(n, DecimalExponent))', () => {
    const ps = Array.from({ length: 3 }, () => pod({ containers: [{ resources: { requests: { cpu: '1' } } }] }))
    const r = requestsForPods(...ps)
    assert.equal(r.pods.toString(), '3')
    assert.equal(r.pods.format, 'DecimalExponent')
    assert.equal(r.cpu.toString(), '3')
  })
})

describe('ResourceList operations', () => {
  it('Fits: every request within the total; missing total means zero; a negative total never fits', () => {
    const total = parseResourceList({ cpu: '2', memory: '1Gi', pods: 10 })
    assert.equal(fits(parseResourceList({ cpu: '2', memory: '1Gi' }), total), true)
    assert.equal(fits(parseResourceList({ cpu: '2001m' }), total), false)
    assert.equal(fits(parseResourceList({ 'nvidia.com/gpu': '1' }), total), false)
    assert.equal(fits({}, parseResourceList({ cpu: '-1' })), false)
  })

  it('Subtract keeps the left-hand names and formats', () => {
    const r = subtract(parseResourceList({ cpu: '8', memory: '15096Mi' }), parseResourceList({ cpu: '190m', memory: '1093Mi', pods: '3' }))
    assert.deepEqual(toStringMap(r), { cpu: '7810m', memory: '14003Mi' })
  })

  it('Merge and MaxResources', () => {
    assert.deepEqual(toStringMap(merge(parseResourceList({ cpu: '1' }), parseResourceList({ cpu: '500m', memory: '1Gi' }))), { cpu: '1500m', memory: '1Gi' })
    assert.deepEqual(toStringMap(maxResources(parseResourceList({ cpu: '1', memory: '2Gi' }), parseResourceList({ cpu: '2', memory: '1Gi' }))), {
      cpu: '2',
      memory: '2Gi',
    })
  })

  it('renders like pretty.Concise (sorted keys) and drops zeros on request', () => {
    const r = parseResourceList({ pods: '4', memory: '240Mi', cpu: '210m', 'nvidia.com/gpu': '0' })
    assert.equal(resourcesString(withoutZeros(r)), '{"cpu":"210m","memory":"240Mi","pods":"4"}')
    assert.equal(resourcesString({}), '{}')
    assert.equal(parseResourceList({ cpu: 2 }).cpu.toString(), '2')
    assert.equal(parseQuantity('2').equals(parseResourceList({ cpu: '2000m' }).cpu), true)
  })
})
