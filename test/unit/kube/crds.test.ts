/* eslint-disable @typescript-eslint/no-unsafe-member-access -- tests poke into manifests as untyped JSON */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Store } from '../../../sandbox/kube/store.ts'
import { rejection } from './rejection.ts'
import type { KubeObject } from '../../../sandbox/kube/json.ts'
import { tutorialNodeClass, tutorialNodePool } from '../karpenter/helpers/tutorial.ts'
import { karpenterV1beta1Crds } from '../../../sandbox/karpenter/crds/v1beta1.ts'

// The tutorial's NodePool and EC2NodeClass (Step 3), as untyped manifests the tests can break.
const nodePool = () => tutorialNodePool() as unknown as KubeObject & { spec: Record<string, any> } // eslint-disable-line @typescript-eslint/no-explicit-any
const nodeClass = () => tutorialNodeClass() as unknown as KubeObject & { spec: Record<string, unknown> }

describe('Karpenter v0.32.1 CRD validation', () => {
  it('accepts the tutorial manifests and applies the CRD defaults', () => {
    const s = new Store({ crds: karpenterV1beta1Crds })
    const np = s.create('nodepools.karpenter.sh', nodePool())
    assert.equal(np.metadata.generation, 1)
    const minimal = nodePool()
    minimal.metadata.name = 'minimal'
    delete minimal.spec.disruption
    const created = s.create('nodepools.karpenter.sh', minimal)
    assert.deepEqual((created.spec as Record<string, unknown>).disruption, { consolidationPolicy: 'WhenUnderutilized', expireAfter: '720h' })
    const nc = s.create('ec2nodeclasses.karpenter.k8s.aws', nodeClass())
    assert.deepEqual((nc.spec as Record<string, unknown>).metadataOptions, {
      httpEndpoint: 'enabled',
      httpProtocolIPv6: 'disabled',
      httpPutResponseHopLimit: 2,
      httpTokens: 'required',
    })
  })

  it('refuses a bad operator with the field path and the supported values', () => {
    const np = nodePool()
    np.spec.template.spec.requirements[0].operator = 'Foo'
    const e = rejection(() => new Store({ crds: karpenterV1beta1Crds }).create('nodepools.karpenter.sh', np))
    assert.equal(e.code, 422)
    assert.equal(e.reason, 'Invalid')
    assert.equal(
      e.message,
      'NodePool.karpenter.sh "default" is invalid: spec.template.spec.requirements[0].operator: Unsupported value: "Foo": supported values: "In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"',
    )
    assert.deepEqual(e.details?.causes?.[0], {
      reason: 'FieldValueNotSupported',
      message: 'Unsupported value: "Foo": supported values: "In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"',
      field: 'spec.template.spec.requirements[0].operator',
    })
  })

  it('evaluates the CEL rules', () => {
    const cases: [(np: ReturnType<typeof nodePool>) => void, string][] = [
      [
        (np) => (np.spec.disruption.consolidateAfter = '30s'),
        'spec.disruption: Invalid value: "object": consolidateAfter cannot be combined with consolidationPolicy=WhenUnderutilized',
      ],
      [
        (np) => (np.spec.disruption = { consolidationPolicy: 'WhenEmpty' }),
        'spec.disruption: Invalid value: "object": consolidateAfter must be specified with consolidationPolicy=WhenEmpty',
      ],
      [
        (np) => (np.spec.template.spec.requirements[1].values = ['four']),
        "spec.template.spec.requirements: Invalid value: \"array\": requirements operator 'Gt' or 'Lt' must have a single positive integer value",
      ],
      [
        (np) => (np.spec.template.spec.requirements[0].values = []),
        'spec.template.spec.requirements: Invalid value: "array": requirements with operator \'In\' must have a value defined',
      ],
      [
        (np) => (np.spec.template.spec.requirements[0].key = 'karpenter.sh/nodepool'),
        'spec.template.spec.requirements[0].key: Invalid value: "string": label "karpenter.sh/nodepool" is restricted',
      ],
      // two rules reject this key on a real server too
      [
        (np) => (np.spec.template.spec.requirements[0].key = 'kubernetes.io/hostname'),
        '[spec.template.spec.requirements[0].key: Invalid value: "string": label domain "kubernetes.io" is restricted, spec.template.spec.requirements[0].key: Invalid value: "string": label "kubernetes.io/hostname" is restricted]',
      ],
      [
        (np) => (np.spec.template.metadata.labels = { 'karpenter.sh/foo': 'x' }),
        'spec.template.metadata.labels: Invalid value: "object": label domain "karpenter.sh" is restricted',
      ],
      [
        (np) => (np.spec.template.spec.kubelet.systemReserved = { gpu: '1' }),
        "spec.template.spec.kubelet.systemReserved: Invalid value: \"object\": valid keys for systemReserved are ['cpu','memory','ephemeral-storage','pid']",
      ],
      [
        (np) => (np.spec.disruption.expireAfter = 'forever'),
        'spec.disruption.expireAfter: Invalid value: "forever": spec.disruption.expireAfter in body should match \'^(([0-9]+(s|m|h))+)|(Never)$\'',
      ],
      [(np) => (np.spec.weight = 200), 'spec.weight: Invalid value: 200: spec.weight in body should be less than or equal to 100'],
      [(np) => (np.spec.weight = 'high'), 'spec.weight: Invalid value: "string": spec.weight in body must be of type integer: "string"'],
      [(np) => delete np.spec.template.spec.nodeClassRef, 'spec.template.spec.nodeClassRef: Required value'],
    ]
    for (const [mutate, message] of cases) {
      const np = nodePool()
      mutate(np)
      const e = rejection(() => new Store({ crds: karpenterV1beta1Crds }).create('nodepools.karpenter.sh', np))
      assert.equal(e.message, `NodePool.karpenter.sh "default" is invalid: ${message}`)
    }
    const two = nodePool()
    two.spec.weight = 0
    two.spec.template.spec.requirements[2].operator = 'Bad'
    assert.match(rejection(() => new Store({ crds: karpenterV1beta1Crds }).create('nodepools.karpenter.sh', two)).message, /is invalid: \[.*, .*\]$/)
  })

  it('validates EC2NodeClass rules, including the immutable role', () => {
    const s = new Store({ crds: karpenterV1beta1Crds })
    s.create('ec2nodeclasses.karpenter.k8s.aws', nodeClass())
    const e = rejection(() =>
      s.mutate('ec2nodeclasses.karpenter.k8s.aws', undefined, 'default', (o) => void ((o.spec as Record<string, unknown>).role = 'other')),
    )
    assert.equal(e.message, 'EC2NodeClass.karpenter.k8s.aws "default" is invalid: spec.role: Invalid value: "string": immutable field changed')
    const bad = nodeClass()
    bad.metadata.name = 'bad'
    bad.spec.subnetSelectorTerms = []
    bad.spec.tags = { 'kubernetes.io/cluster/x': 'owned' }
    bad.spec.amiFamily = 'Custom'
    const msg = rejection(() => s.create('ec2nodeclasses.karpenter.k8s.aws', bad)).message
    assert.match(msg, /spec\.subnetSelectorTerms: Invalid value: "array": subnetSelectorTerms cannot be empty/)
    // v0.32.1's `!self.all(...)` rules also fail on an empty list, on a real server as here
    assert.match(msg, /spec\.subnetSelectorTerms: Invalid value: "array": 'id' is mutually exclusive/)
    assert.match(msg, /spec\.tags: Invalid value: "object": tag contains a restricted tag matching kubernetes\.io\/cluster\//)
    assert.match(msg, /spec: Invalid value: "object": amiSelectorTerms is required when amiFamily == 'Custom'/)
  })

  it('prunes unknown fields, or refuses them with Strict as a real server does', () => {
    const s = new Store({ crds: karpenterV1beta1Crds })
    const np = nodePool()
    np.spec.bogus = true
    assert.equal(
      rejection(() => s.create('nodepools.karpenter.sh', np, { fieldValidation: 'Strict' })).message,
      'NodePool in version "v1beta1" cannot be handled as a NodePool: strict decoding error: unknown field "spec.bogus"',
    )
    const warnings: string[] = []
    const created = s.create('nodepools.karpenter.sh', np, { fieldValidation: 'Warn', warnings })
    assert.deepEqual(warnings, ['unknown field "spec.bogus"'])
    assert.equal((created.spec as Record<string, unknown>).bogus, undefined)
    // status cannot be set on create (status subresource)
    const withStatus = { ...nodePool(), metadata: { name: 'st' }, status: { resources: { cpu: '1' } } }
    assert.equal(s.create('nodepools.karpenter.sh', withStatus).status, undefined)
    const st = s.mutate('nodepools.karpenter.sh', undefined, 'st', (o) => void (o.status = { resources: { cpu: '2' } }), { subresource: 'status' })
    assert.deepEqual(st.status, { resources: { cpu: '2' } })
  })
})
