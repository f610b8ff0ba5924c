/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-explicit-any -- tests poke into manifests as untyped JSON */
// Karpenter 1.9.2's CRDs in the sandbox's API server: defaults, every validation rule the
// tutorial's (and the current edition's) manifests can meet, printer columns, the status
// subresource, and that the 1.9.2 chart's CRDs serve v1 only (and the v0.32 chart's v1beta1 only).

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Store, type WatchEvent } from '../../../sandbox/kube/store.ts'
import { rejection } from './rejection.ts'
import type { KubeObject } from '../../../sandbox/kube/json.ts'
import { karpenterV1Crds } from '../../../sandbox/karpenter/crds/v1.ts'
import { karpenterV1beta1Crds } from '../../../sandbox/karpenter/crds/v1beta1.ts'
import { aggregatedDiscovery } from '../../../sandbox/kube/discovery.ts'
import { OpenApi } from '../../../sandbox/kube/openapi.ts'
import { printerFor } from '../../../sandbox/kube/tables/printers.ts'
import { v1NodeClass as typedV1NodeClass, v1NodePool as typedV1NodePool } from '../karpenter/helpers/v1.ts'

type Manifest = KubeObject & { spec: Record<string, any>; status?: Record<string, any> }

/** The tutorial's NodePool as the current edition writes it for karpenter.sh/v1, as a client sends it (no uid or generation). */
export const v1NodePool = (): Manifest => ({ ...(typedV1NodePool() as unknown as Manifest), metadata: { name: 'default' } })

/** helpers/v1.ts's EC2NodeClass as a client sends it (name only, no status), with all the tutorial's tags. */
export const v1NodeClass = (): Manifest => {
  const { apiVersion, kind, spec } = typedV1NodeClass()
  return {
    apiVersion,
    kind,
    metadata: { name: 'default' },
    spec: {
      ...spec,
      tags: {
        project: 'build-on-aws',
        IntentLabel: 'apps',
        KarpenterNodePoolName: 'default',
        NodeType: 'default',
        intent: 'apps',
        'karpenter.sh/discovery': 'spot-and-karpenter',
      },
    },
  }
}

const v1NodeClaim = (): Manifest => ({
  apiVersion: 'karpenter.sh/v1',
  kind: 'NodeClaim',
  metadata: { name: 'default-x7k2p', labels: { 'karpenter.sh/nodepool': 'default' } },
  spec: {
    requirements: [{ key: 'karpenter.sh/nodepool', operator: 'In', values: ['default'] }],
    nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
  },
})

const v1Store = () => new Store({ crds: karpenterV1Crds })
const NP = 'nodepools.karpenter.sh'
const NC = 'ec2nodeclasses.karpenter.k8s.aws'
const CLAIM = 'nodeclaims.karpenter.sh'

describe('Karpenter 1.9.2 CRDs: what is served', () => {
  it('serves karpenter.sh/v1 and karpenter.k8s.aws/v1 (and NodeOverlay v1alpha1), never v1beta1', () => {
    const s = v1Store()
    assert.deepEqual(
      s.list('customresourcedefinitions.apiextensions.k8s.io').items.map((c) => c.metadata.name),
      ['ec2nodeclasses.karpenter.k8s.aws', 'nodeclaims.karpenter.sh', 'nodeoverlays.karpenter.sh', 'nodepools.karpenter.sh'],
    )
    const groups = (
      aggregatedDiscovery(s.registry, 'apis', 'v2').items as {
        metadata: { name: string }
        versions: { version: string; resources: { resource: string }[] }[]
      }[]
    ).filter((g) => g.metadata.name.startsWith('karpenter'))
    assert.deepEqual(
      groups.map((g) => [g.metadata.name, g.versions.map((v) => [v.version, v.resources.map((r) => r.resource)])]),
      [
        ['karpenter.k8s.aws', [['v1', ['ec2nodeclasses']]]],
        [
          'karpenter.sh',
          [
            ['v1', ['nodeclaims', 'nodepools']],
            ['v1alpha1', ['nodeoverlays']],
          ],
        ],
      ],
    )
    assert.equal(s.registry.byGroupVersionResource('karpenter.sh', 'v1beta1', 'nodepools'), undefined)
    const e = rejection(() => s.create(NP, { ...v1NodePool(), apiVersion: 'karpenter.sh/v1beta1' }))
    assert.equal(e.message, 'the API version in the data (karpenter.sh/v1beta1) does not match the expected API version (karpenter.sh/v1)')
  })

  it('a cluster without a chart serves no Karpenter kind; the v0.32 chart CRDs serve v1beta1 only', () => {
    assert.equal(new Store().registry.tryResolve(NP), undefined)
    const old = new Store({ crds: karpenterV1beta1Crds })
    assert.equal(old.registry.byGroupVersionResource('karpenter.sh', 'v1', 'nodepools'), undefined)
    assert.equal(old.def(NP).apiVersion, 'karpenter.sh/v1beta1')
    const crd = old.get('customresourcedefinitions.apiextensions.k8s.io', undefined, 'nodepools.karpenter.sh') as any
    assert.deepEqual(
      crd.spec.versions.map((v: { name: string }) => v.name),
      ['v1beta1'],
    )
  })

  it('the CRD objects carry the v1 schema, printer columns and status subresource as the chart ships them', () => {
    const crd = v1Store().get('customresourcedefinitions.apiextensions.k8s.io', undefined, 'nodepools.karpenter.sh') as any
    const v = crd.spec.versions[0]
    assert.equal(v.name, 'v1')
    assert.deepEqual(v.subresources, { status: {} })
    assert.equal(crd.metadata.annotations['controller-gen.kubebuilder.io/version'], 'v0.19.0')
    assert.equal(v.schema.openAPIV3Schema.properties.spec.properties.disruption.properties.consolidationPolicy.default, 'WhenEmptyOrUnderutilized')
    assert.deepEqual(v.schema.openAPIV3Schema.properties.spec.properties.disruption.default, { consolidateAfter: '0s' })
    assert.deepEqual(v.schema.openAPIV3Schema.properties.spec.properties.disruption.required, ['consolidateAfter'])
    const amiTerms = (v1Store().get('customresourcedefinitions.apiextensions.k8s.io', undefined, 'ec2nodeclasses.karpenter.k8s.aws') as any).spec.versions[0]
      .schema.openAPIV3Schema.properties.spec.properties.amiSelectorTerms
    assert.equal(amiTerms.minItems, 1)
    assert.equal(amiTerms['x-kubernetes-validations'].length, 4)
  })

  it('OpenAPI v3 follows the installed CRDs', () => {
    const s = new Store({ crds: karpenterV1beta1Crds })
    const api = new OpenApi(s.registry)
    assert.ok(api.document('apis/karpenter.sh/v1beta1'))
    assert.equal(api.document('apis/karpenter.sh/v1'), undefined)
    for (const c of karpenterV1beta1Crds) s.uninstallCrd(`${c.plural}.${c.group}`)
    for (const c of karpenterV1Crds) s.installCrd(c)
    assert.equal(api.document('apis/karpenter.sh/v1beta1'), undefined)
    const doc = JSON.parse(api.document('apis/karpenter.sh/v1')!.body) as { components: { schemas: Record<string, any> } }
    assert.ok(doc.components.schemas['sh.karpenter.v1.NodePool'].properties.spec.properties.template)
    assert.ok(Object.keys(api.index().paths as object).includes('apis/karpenter.k8s.aws/v1'))
  })
})

describe('Karpenter 1.9.2 CRDs: defaults', () => {
  it('accepts the current edition manifests and fills in what the CRDs default', () => {
    const s = v1Store()
    const np = s.create(NP, v1NodePool())
    assert.deepEqual(np.spec, {
      ...v1NodePool().spec,
      disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '0s', budgets: [{ nodes: '10%' }] },
    })
    const nc = s.create(NC, v1NodeClass())
    assert.deepEqual((nc.spec as any).metadataOptions, {
      httpEndpoint: 'enabled',
      httpProtocolIPv6: 'disabled',
      httpPutResponseHopLimit: 1,
      httpTokens: 'required',
    })
    assert.equal((nc.spec as any).blockDeviceMappings, undefined, 'block devices are defaulted at launch, per AMI family, not by the CRD')
  })

  it('a NodePool without disruption gets consolidateAfter 0s, WhenEmptyOrUnderutilized and a 10% budget; expireAfter defaults to 720h', () => {
    const minimal = v1NodePool()
    delete minimal.spec.disruption
    delete minimal.spec.template.spec.expireAfter
    const np = v1Store().create(NP, minimal) as Manifest
    assert.deepEqual(np.spec.disruption, { consolidateAfter: '0s', budgets: [{ nodes: '10%' }], consolidationPolicy: 'WhenEmptyOrUnderutilized' })
    assert.equal(np.spec.template.spec.expireAfter, '720h')
    const budget = v1NodePool()
    budget.spec.disruption.budgets = [
      { nodes: '20%', reasons: ['Empty'] },
      { schedule: '@daily', duration: '10m' },
    ]
    assert.deepEqual((v1Store().create(NP, budget) as Manifest).spec.disruption.budgets, [
      { nodes: '20%', reasons: ['Empty'] },
      { schedule: '@daily', duration: '10m', nodes: '10%' },
    ])
    const claim = v1Store().create(CLAIM, v1NodeClaim()) as Manifest
    assert.equal(claim.spec.expireAfter, '720h')
  })
})

describe('Karpenter 1.9.2 CRDs: validation with the upstream messages', () => {
  const npCases: [string, (np: Manifest) => void, string][] = [
    [
      'disruption without consolidateAfter',
      (np) => (np.spec.disruption = { consolidationPolicy: 'WhenEmpty' }),
      'spec.disruption.consolidateAfter: Required value',
    ],
    [
      "v1beta1's WhenUnderutilized",
      (np) => (np.spec.disruption.consolidationPolicy = 'WhenUnderutilized'),
      'spec.disruption.consolidationPolicy: Unsupported value: "WhenUnderutilized": supported values: "WhenEmpty", "WhenEmptyOrUnderutilized"',
    ],
    [
      'a consolidateAfter that is no duration',
      (np) => (np.spec.disruption.consolidateAfter = '30'),
      'spec.disruption.consolidateAfter: Invalid value: "30": spec.disruption.consolidateAfter in body should match \'^(([0-9]+(s|m|h))+|Never)$\'',
    ],
    [
      'an expireAfter that is no duration',
      (np) => (np.spec.template.spec.expireAfter = '1d'),
      'spec.template.spec.expireAfter: Invalid value: "1d": spec.template.spec.expireAfter in body should match \'^(([0-9]+(s|m|h))+|Never)$\'',
    ],
    ["v1beta1's disruption.expireAfter", (np) => (np.spec.disruption.expireAfter = '168h'), 'PRUNED'],
    [
      'a schedule without a duration',
      (np) => (np.spec.disruption.budgets = [{ nodes: '1', schedule: '@daily' }]),
      "spec.disruption.budgets: Invalid value: \"array\": 'schedule' must be set with 'duration'",
    ],
    [
      'a budget of 101%',
      (np) => (np.spec.disruption.budgets = [{ nodes: '101%' }]),
      'spec.disruption.budgets[0].nodes: Invalid value: "101%": spec.disruption.budgets[0].nodes in body should match \'^((100|[0-9]{1,2})%|[0-9]+)$\'',
    ],
    [
      "v1beta1's nodeClassRef (apiVersion, no group)",
      (np) => (np.spec.template.spec.nodeClassRef = { apiVersion: 'karpenter.k8s.aws/v1beta1', kind: 'EC2NodeClass', name: 'default' }),
      'spec.template.spec.nodeClassRef.group: Required value',
    ],
    [
      'an empty nodeClassRef kind',
      (np) => (np.spec.template.spec.nodeClassRef.kind = ''),
      'spec.template.spec.nodeClassRef.kind: Invalid value: "string": kind may not be empty',
    ],
    [
      'a nodeClassRef group with a version',
      (np) => (np.spec.template.spec.nodeClassRef.group = 'karpenter.k8s.aws/v1'),
      'spec.template.spec.nodeClassRef.group: Invalid value: "karpenter.k8s.aws/v1": spec.template.spec.nodeClassRef.group in body should match \'^[^/]*$\'',
    ],
    [
      'the karpenter.sh/nodepool requirement',
      (np) => (np.spec.template.spec.requirements[0].key = 'karpenter.sh/nodepool'),
      'spec.template.spec.requirements[0].key: Invalid value: "string": label "karpenter.sh/nodepool" is restricted',
    ],
    [
      'a karpenter.sh requirement',
      (np) => (np.spec.template.spec.requirements[0].key = 'karpenter.sh/foo'),
      'spec.template.spec.requirements[0].key: Invalid value: "string": label domain "karpenter.sh" is restricted',
    ],
    [
      'the hostname requirement',
      (np) => (np.spec.template.spec.requirements[0].key = 'kubernetes.io/hostname'),
      'spec.template.spec.requirements[0].key: Invalid value: "string": label "kubernetes.io/hostname" is restricted',
    ],
    [
      'an unknown karpenter.k8s.aws requirement',
      (np) => (np.spec.template.spec.requirements[0].key = 'karpenter.k8s.aws/instance-colour'),
      'spec.template.spec.requirements[0].key: Invalid value: "string": label domain "karpenter.k8s.aws" is restricted',
    ],
    [
      'In without values',
      (np) => (np.spec.template.spec.requirements[0].values = []),
      'spec.template.spec.requirements: Invalid value: "array": requirements with operator \'In\' must have a value defined',
    ],
    [
      'Gt with a word',
      (np) => (np.spec.template.spec.requirements[1].values = ['four']),
      "spec.template.spec.requirements: Invalid value: \"array\": requirements operator 'Gt', 'Lt', 'Gte', or 'Lte' must have a single positive integer value",
    ],
    [
      'minValues above the values',
      (np) => (np.spec.template.spec.requirements[4].minValues = 4),
      "spec.template.spec.requirements: Invalid value: \"array\": requirements with 'minValues' must have at least that many values specified in the 'values' field",
    ],
    [
      'a bad operator',
      (np) => (np.spec.template.spec.requirements[0].operator = 'Foo'),
      'spec.template.spec.requirements[0].operator: Unsupported value: "Foo": supported values: "Gte", "Lte", "In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"',
    ],
    [
      'a restricted template label',
      (np) => (np.spec.template.metadata.labels = { 'karpenter.k8s.aws/foo': 'x' }),
      'spec.template.metadata.labels: Invalid value: "object": label domain "karpenter.k8s.aws" is restricted',
    ],
    [
      'limits beyond nodes on a static NodePool',
      (np) => Object.assign(np.spec, { replicas: 2, limits: { cpu: '10' } }),
      'spec: Invalid value: "object": only \'limits.nodes\' is supported on static NodePools',
    ],
    [
      'weight on a static NodePool',
      (np) => Object.assign(np.spec, { replicas: 2, weight: 10 }),
      'spec: Invalid value: "object": \'weight\' is not supported on static NodePools',
    ],
    ['weight 0', (np) => (np.spec.weight = 0), 'spec.weight: Invalid value: 0: spec.weight in body should be greater than or equal to 1'],
    ['no template', (np) => delete np.spec.template, 'spec.template: Required value'],
  ]
  for (const [what, mutate, message] of npCases) {
    it(`NodePool: ${what}`, () => {
      const np = v1NodePool()
      mutate(np)
      if (message === 'PRUNED') {
        // not in the v1 schema: dropped (kubectl's Strict field validation refuses it instead)
        assert.equal((v1Store().create(NP, np) as Manifest).spec.disruption.expireAfter, undefined)
        assert.match(
          rejection(() => v1Store().create(NP, np, { fieldValidation: 'Strict' })).message,
          /strict decoding error: unknown field "spec\.disruption\.expireAfter"/,
        )
        return
      }
      assert.equal(rejection(() => v1Store().create(NP, np)).message, `NodePool.karpenter.sh "default" is invalid: ${message}`)
    })
  }

  const ncCases: [string, (nc: Manifest) => void, string][] = [
    ['no amiSelectorTerms (the tutorial’s v1beta1 class)', (nc) => delete nc.spec.amiSelectorTerms, 'spec.amiSelectorTerms: Required value'],
    [
      'empty amiSelectorTerms',
      (nc) => (nc.spec.amiSelectorTerms = []),
      '[spec.amiSelectorTerms: Invalid value: 0: spec.amiSelectorTerms in body should have at least 1 items, spec: Invalid value: "object": must specify amiFamily if amiSelectorTerms does not contain an alias]',
    ],
    [
      'an alias that is not family@version',
      (nc) => (nc.spec.amiSelectorTerms = [{ alias: 'al2023' }]),
      "spec.amiSelectorTerms[0].alias: Invalid value: \"string\": 'alias' is improperly formatted, must match the format 'family@version'",
    ],
    [
      'an unknown alias family',
      (nc) => (nc.spec.amiSelectorTerms = [{ alias: 'ubuntu@latest' }]),
      "spec.amiSelectorTerms[0].alias: Invalid value: \"string\": family is not supported, must be one of the following: 'al2', 'al2023', 'bottlerocket', 'windows2019', 'windows2022', 'windows2025'",
    ],
    [
      'a pinned windows alias',
      (nc) => (nc.spec.amiSelectorTerms = [{ alias: 'windows2022@v1' }]),
      'spec.amiSelectorTerms[0].alias: Invalid value: "string": windows families may only specify version \'latest\'',
    ],
    [
      'an alias with another term',
      (nc) => (nc.spec.amiSelectorTerms = [{ alias: 'al2023@latest' }, { id: 'ami-123' }]),
      'spec.amiSelectorTerms: Invalid value: "array": \'alias\' is mutually exclusive, cannot be set with a combination of other amiSelectorTerms',
    ],
    [
      'an alias with tags',
      (nc) => (nc.spec.amiSelectorTerms = [{ alias: 'al2023@latest', tags: { a: 'b' } }]),
      'spec.amiSelectorTerms: Invalid value: "array": \'alias\' is mutually exclusive, cannot be set with a combination of other fields in amiSelectorTerms',
    ],
    [
      'an id with a name',
      (nc) => Object.assign(nc.spec, { amiFamily: 'AL2023', amiSelectorTerms: [{ id: 'ami-123', name: 'x' }] }),
      'spec.amiSelectorTerms: Invalid value: "array": \'id\' is mutually exclusive, cannot be set with a combination of other fields in amiSelectorTerms',
    ],
    [
      'an empty term',
      (nc) => (nc.spec.amiSelectorTerms = [{ owner: 'amazon' }]),
      "[spec.amiSelectorTerms: Invalid value: \"array\": expected at least one, got none, ['tags', 'id', 'name', 'alias', 'ssmParameter'], spec: Invalid value: \"object\": must specify amiFamily if amiSelectorTerms does not contain an alias]",
    ],
    [
      "the tutorial's amiFamily AL2 with an al2023 alias",
      (nc) => (nc.spec.amiFamily = 'AL2'),
      "spec: Invalid value: \"object\": if set, amiFamily must be 'AL2023' or 'Custom' when using an AL2023 alias",
    ],
    [
      'amiFamily Windows2022 with a bottlerocket alias',
      (nc) => Object.assign(nc.spec, { amiFamily: 'Windows2022', amiSelectorTerms: [{ alias: 'bottlerocket@latest' }] }),
      "spec: Invalid value: \"object\": if set, amiFamily must be 'Bottlerocket' or 'Custom' when using a Bottlerocket alias",
    ],
    [
      'a role and an instance profile',
      (nc) => (nc.spec.instanceProfile = 'p'),
      "spec: Invalid value: \"object\": must specify exactly one of ['role', 'instanceProfile']",
    ],
    ['an empty role', (nc) => (nc.spec.role = ''), 'spec.role: Invalid value: "string": role cannot be empty'],
    [
      'no subnets',
      (nc) => (nc.spec.subnetSelectorTerms = [{}]),
      "spec.subnetSelectorTerms: Invalid value: \"array\": expected at least one, got none, ['tags', 'id']",
    ],
    [
      'a restricted tag',
      (nc) => (nc.spec.tags = { 'eks:eks-cluster-name': 'x' }),
      'spec.tags: Invalid value: "object": tag contains a restricted tag matching eks:eks-cluster-name',
    ],
    [
      'a kubelet low threshold above the high one',
      (nc) => (nc.spec.kubelet = { imageGCHighThresholdPercent: 50, imageGCLowThresholdPercent: 60 }),
      'spec.kubelet: Invalid value: "object": imageGCHighThresholdPercent must be greater than imageGCLowThresholdPercent',
    ],
    [
      'a hop limit of 0',
      (nc) => (nc.spec.metadataOptions = { httpPutResponseHopLimit: 0 }),
      'spec.metadataOptions.httpPutResponseHopLimit: Invalid value: 0: spec.metadataOptions.httpPutResponseHopLimit in body should be greater than or equal to 1',
    ],
  ]
  for (const [what, mutate, message] of ncCases) {
    it(`EC2NodeClass: ${what}`, () => {
      const nc = v1NodeClass()
      mutate(nc)
      assert.equal(rejection(() => v1Store().create(NC, nc)).message, `EC2NodeClass.karpenter.k8s.aws "default" is invalid: ${message}`)
    })
  }

  it('EC2NodeClass: amiFamily may be left out with an alias, and must be given without one', () => {
    const s = v1Store()
    s.create(NC, v1NodeClass())
    const byTags = { ...v1NodeClass(), metadata: { name: 'tags' } }
    byTags.spec.amiSelectorTerms = [{ tags: { 'karpenter.sh/discovery': 'spot-and-karpenter' } }]
    assert.match(rejection(() => s.create(NC, byTags)).message, /must specify amiFamily if amiSelectorTerms does not contain an alias/)
    byTags.spec.amiFamily = 'AL2023'
    s.create(NC, byTags)
  })

  it('transition rules: nodeClassRef group and kind, static/dynamic, and a NodeClaim spec are immutable', () => {
    const s = v1Store()
    s.create(NP, v1NodePool())
    const group = rejection(() => s.mutate(NP, undefined, 'default', (o) => void ((o as Manifest).spec.template.spec.nodeClassRef.group = 'example.com')))
    assert.equal(
      group.message,
      'NodePool.karpenter.sh "default" is invalid: spec.template.spec.nodeClassRef: Invalid value: "object": nodeClassRef.group is immutable',
    )
    // the name may change
    s.mutate(NP, undefined, 'default', (o) => void ((o as Manifest).spec.template.spec.nodeClassRef.name = 'other'))
    const modes = rejection(() => s.mutate(NP, undefined, 'default', (o) => void ((o as Manifest).spec.replicas = 3)))
    assert.equal(
      modes.message,
      'NodePool.karpenter.sh "default" is invalid: spec: Invalid value: "object": Cannot transition NodePool between static (replicas set) and dynamic (replicas unset) provisioning modes',
    )
    s.create(CLAIM, v1NodeClaim())
    const claim = rejection(() => s.mutate(CLAIM, undefined, 'default-x7k2p', (o) => void ((o as Manifest).spec.expireAfter = '1h')))
    assert.equal(claim.message, 'NodeClaim.karpenter.sh "default-x7k2p" is invalid: spec: Invalid value: "object": spec is immutable')
    // labels and status may change
    s.mutate(CLAIM, undefined, 'default-x7k2p', (o) => void (o.metadata.labels = { ...o.metadata.labels, 'node.kubernetes.io/instance-type': 'm5.xlarge' }))
  })

  it('NodeClaim requirements may name karpenter.sh/nodepool; a NodePool may not', () => {
    assert.equal(v1Store().create(CLAIM, v1NodeClaim()).metadata.name, 'default-x7k2p')
  })

  it('NodeOverlay: price and priceAdjustment are exclusive', () => {
    const overlay = {
      apiVersion: 'karpenter.sh/v1alpha1',
      kind: 'NodeOverlay',
      metadata: { name: 'o' },
      spec: { requirements: [], price: '1.5', priceAdjustment: '-10%' },
    }
    assert.equal(
      rejection(() => v1Store().create('nodeoverlays.karpenter.sh', overlay)).message,
      'NodeOverlay.karpenter.sh "o" is invalid: spec: Invalid value: "object": cannot set both \'price\' and \'priceAdjustment\'',
    )
  })
})

describe('Karpenter 1.9.2 CRDs: status and printer columns', () => {
  const now = Date.parse('2026-12-06T12:00:00Z')
  const columns = (resource: string) => printerFor(v1Store().def(resource)).columns.map((c) => `${c.name}${c.priority ? '*' : ''}`)

  it('print the columns the CRDs declare (* = -o wide)', () => {
    assert.deepEqual(columns(NP), ['Name', 'NodeClass', 'Nodes', 'Ready', 'Age', 'Weight*', 'CPU*', 'Memory*'])
    assert.deepEqual(columns(NC), ['Name', 'Ready', 'Age', 'Role*'])
    assert.deepEqual(columns(CLAIM), ['Name', 'Type', 'Capacity', 'Zone', 'Node', 'Ready', 'Age', 'ImageID*', 'ID*', 'NodePool*', 'NodeClass*', 'Drifted*'])
    assert.deepEqual(columns('nodeoverlays.karpenter.sh'), ['Name', 'Ready', 'Age', 'Weight*'])
  })

  it('status is written only through the subresource, defaulted (nodes: 0) and validated', () => {
    const s = v1Store()
    const created = s.create(NP, { ...v1NodePool(), status: { nodes: 3 } })
    assert.equal(created.status, undefined)
    const at = '2026-12-06T11:58:00Z'
    const ready = { type: 'Ready', status: 'True', reason: 'Ready', message: '', lastTransitionTime: at }
    const st = s.mutate(NP, undefined, 'default', (o) => void (o.status = { conditions: [ready], resources: { cpu: '8', memory: '32Gi' } }), {
      subresource: 'status',
    }) as Manifest
    assert.equal(st.status!.nodes, 0)
    const p = printerFor(s.def(NP))
    assert.deepEqual(p.cells({ ...st, spec: { ...st.spec, weight: 10 }, metadata: { ...st.metadata, creationTimestamp: at } }, now), [
      'default',
      'default',
      '0',
      'True',
      '2m',
      10,
      '8',
      '32Gi',
    ])
    const bad = rejection(() =>
      s.mutate(NP, undefined, 'default', (o) => void (o.status = { conditions: [{ type: 'Ready', status: 'True' }] }), { subresource: 'status' }),
    )
    assert.match(bad.message, /status\.conditions\[0\]\.lastTransitionTime: Required value/)
    assert.match(bad.message, /status\.conditions\[0\]\.reason: Required value/)
  })
})

describe('CRDs come and go at runtime', () => {
  it('uninstalling a CRD deletes its objects, ends its watches and stops serving it; another version can then be installed', () => {
    const s = new Store({ crds: karpenterV1beta1Crds })
    s.create(NP, {
      apiVersion: 'karpenter.sh/v1beta1',
      kind: 'NodePool',
      metadata: { name: 'old' },
      spec: { template: { spec: { requirements: [], nodeClassRef: { name: 'default' } } } },
    })
    const events: WatchEvent['type'][] = []
    let closed = false
    s.watch(NP, { onClose: () => (closed = true) }, (ev) => events.push(ev.type))
    const crdEvents: string[] = []
    s.watch('customresourcedefinitions.apiextensions.k8s.io', { resourceVersion: s.resourceVersion }, (ev) =>
      crdEvents.push(`${ev.type} ${ev.object.metadata.name}`),
    )
    s.uninstallCrd('nodepools.karpenter.sh')
    assert.deepEqual(events, ['ADDED', 'DELETED'])
    assert.equal(closed, true)
    assert.equal(s.registry.tryResolve(NP), undefined)
    assert.deepEqual(crdEvents, ['DELETED nodepools.karpenter.sh'])
    s.installCrd(karpenterV1Crds.find((c) => c.kind === 'NodePool')!)
    assert.equal(s.def(NP).apiVersion, 'karpenter.sh/v1')
    assert.deepEqual(s.list(NP).items, [])
    assert.equal(rejection(() => s.installCrd(karpenterV1Crds.find((c) => c.kind === 'NodePool')!)).code, 409)
  })
})
