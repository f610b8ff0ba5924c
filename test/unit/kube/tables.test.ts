import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { humanDuration, jsonPath } from '../../../sandbox/kube/tables/format.ts'
import { printerFor } from '../../../sandbox/kube/tables/printers.ts'
import { toTable } from '../../../sandbox/kube/tables/table.ts'
import { Registry, builtinResources, customResourceDef } from '../../../sandbox/kube/registry.ts'
import { karpenterV1beta1Crds } from '../../../sandbox/karpenter/crds/v1beta1.ts'
import type { KubeObject } from '../../../sandbox/kube/json.ts'

// Built-ins plus the v0.32.1 chart's CRDs (which arrive with its release).
const reg = new Registry([...builtinResources(), ...karpenterV1beta1Crds.map(customResourceDef)])
const now = Date.parse('2026-11-25T12:00:00Z')
const ago = (s: number) => new Date(now - s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
const cells = (resource: string, obj: Record<string, unknown>) => printerFor(reg.resolve(resource)).cells(obj as KubeObject, now)

describe('HumanDuration', () => {
  it('matches apimachinery', () => {
    const cases: [number, string][] = [
      [-2, '<invalid>'],
      [-1, '0s'],
      [0, '0s'],
      [119, '119s'],
      [120, '2m'],
      [125, '2m5s'],
      [600, '10m'],
      [3 * 3600 - 1, '179m'],
      [3 * 3600, '3h'],
      [3 * 3600 + 60, '3h1m'],
      [8 * 3600, '8h'],
      [47 * 3600, '47h'],
      [48 * 3600, '2d'],
      [49 * 3600, '2d1h'],
      [8 * 86400, '8d'],
      [729 * 86400, '729d'],
      [730 * 86400, '2y'],
      [731 * 86400, '2y1d'],
      [8 * 365 * 86400, '8y'],
    ]
    for (const [s, want] of cases) assert.equal(humanDuration(s * 1000), want, `${s}s`)
  })
})

describe('JSONPath for printer columns', () => {
  it('reads escaped label keys and condition filters', () => {
    const obj = {
      metadata: { labels: { 'node.kubernetes.io/instance-type': 'c7g.2xlarge' } },
      status: {
        conditions: [
          { type: 'Launched', status: 'True' },
          { type: 'Ready', status: 'Unknown' },
        ],
      },
    }
    assert.deepEqual(jsonPath(obj, '.metadata.labels.node\\.kubernetes\\.io/instance-type'), ['c7g.2xlarge'])
    assert.deepEqual(jsonPath(obj, '.status.conditions[?(@.type=="Ready")].status'), ['Unknown'])
    assert.deepEqual(jsonPath(obj, '.spec.weight'), [])
  })
})

describe('pod printer (kubectl get pods)', () => {
  const pod = (status: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    metadata: { name: 'p', creationTimestamp: ago(65), ...((extra.metadata as object) ?? {}) },
    spec: { containers: [{ name: 'app' }], nodeName: 'n1', ...((extra.spec as object) ?? {}) },
    status,
  })
  it('computes STATUS, READY and RESTARTS like kubectl', () => {
    assert.deepEqual(cells('pods', pod({ phase: 'Pending' })).slice(0, 5), ['p', '0/1', 'Pending', '0', '65s'])
    assert.equal(
      cells(
        'pods',
        pod({ phase: 'Pending', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] }),
      )[2],
      'ContainerCreating',
    )
    const running = pod({
      phase: 'Running',
      podIP: '10.0.0.7',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [{ name: 'app', ready: true, restartCount: 2, lastState: { terminated: { finishedAt: ago(30) } }, state: { running: {} } }],
    })
    assert.deepEqual(cells('pods', running), ['p', '1/1', 'Running', '2 (30s ago)', '65s', '10.0.0.7', 'n1', '<none>', '<none>'])
    assert.equal(cells('pods', { ...running, metadata: { ...running.metadata, deletionTimestamp: ago(0) } })[2], 'Terminating')
    assert.equal(
      cells('pods', pod({ phase: 'Succeeded', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }))[2],
      'Completed',
    )
    assert.equal(
      cells('pods', pod({ phase: 'Running', containerStatuses: [{ name: 'app', state: { waiting: { reason: 'CrashLoopBackOff' } } }] }))[2],
      'CrashLoopBackOff',
    )
    assert.equal(
      cells(
        'pods',
        pod(
          { phase: 'Pending', initContainerStatuses: [{ name: 'init', state: { waiting: { reason: 'PodInitializing' } } }] },
          { spec: { initContainers: [{ name: 'init' }] } },
        ),
      )[2],
      'Init:0/1',
    )
    assert.equal(
      cells('pods', pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }))[2],
      'SchedulingGated',
    )
  })
})

describe('node printer', () => {
  it('shows Ready/NotReady/Unknown, SchedulingDisabled and roles', () => {
    const node = (conditions: unknown[], extra: Record<string, unknown> = {}) => ({
      metadata: { name: 'n', creationTimestamp: ago(4), labels: extra.labels },
      spec: extra.spec ?? {},
      status: { conditions, nodeInfo: { kubeletVersion: 'v1.29.0-eks-5e0fdde' }, addresses: [{ type: 'InternalIP', address: '10.0.36.60' }] },
    })
    assert.deepEqual(cells('nodes', node([{ type: 'Ready', status: 'False' }])), [
      'n',
      'NotReady',
      '<none>',
      '4s',
      'v1.29.0-eks-5e0fdde',
      '10.0.36.60',
      '<none>',
      '<unknown>',
      '<unknown>',
      '<unknown>',
    ])
    assert.equal(cells('nodes', node([]))[1], 'Unknown')
    assert.equal(cells('nodes', node([{ type: 'Ready', status: 'True' }], { spec: { unschedulable: true } }))[1], 'Ready,SchedulingDisabled')
    assert.equal(
      cells('nodes', node([], { labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'master' } }))[2],
      'control-plane,master',
    )
  })
})

describe('custom resource printers', () => {
  it('use the CRD printer columns (NodeClaim) and no Age column for NodePool', () => {
    const np = printerFor(reg.resolve('nodepools.karpenter.sh'))
    assert.deepEqual(
      np.columns.map((c) => [c.name, c.priority]),
      [
        ['Name', 0],
        ['NodeClass', 0],
        ['Weight', 1],
      ],
    )
    assert.deepEqual(np.cells({ metadata: { name: 'default' }, spec: { template: { spec: { nodeClassRef: { name: 'default' } } } } }, now), [
      'default',
      'default',
      null,
    ])
    const nc = printerFor(reg.resolve('nodeclaims.karpenter.sh'))
    assert.deepEqual(
      nc.columns.map((c) => c.name),
      ['Name', 'Type', 'Zone', 'Node', 'Ready', 'Age', 'Capacity', 'NodePool', 'NodeClass'],
    )
    const claim = {
      metadata: {
        name: 'default-8blnj',
        creationTimestamp: ago(40),
        labels: {
          'node.kubernetes.io/instance-type': 'c7g.2xlarge',
          'topology.kubernetes.io/zone': 'eu-west-2a',
          'karpenter.sh/capacity-type': 'spot',
          'karpenter.sh/nodepool': 'default',
        },
      },
      spec: { nodeClassRef: { name: 'default' } },
      status: { nodeName: 'ip-10-0-36-60.eu-west-2.compute.internal', conditions: [{ type: 'Ready', status: 'True' }] },
    }
    assert.deepEqual(nc.cells(claim as KubeObject, now), [
      'default-8blnj',
      'c7g.2xlarge',
      'eu-west-2a',
      'ip-10-0-36-60.eu-west-2.compute.internal',
      'True',
      '40s',
      'spot',
      'default',
      'default',
    ])
    assert.deepEqual(
      printerFor(reg.resolve('ec2nodeclasses.karpenter.k8s.aws')).columns.map((c) => c.name),
      ['Name', 'Age'],
    )
  })

  it('builds Tables whose rows carry PartialObjectMetadata', () => {
    const t = toTable(
      reg.resolve('pods'),
      [{ metadata: { name: 'p', namespace: 'karpenter', labels: { a: 'b' }, managedFields: [] }, spec: { containers: [] } }],
      { resourceVersion: '7' },
    )
    assert.equal(t.kind, 'Table')
    const row = (t.rows as { object: { kind: string; metadata: Record<string, unknown> } }[])[0]
    assert.equal(row.object.kind, 'PartialObjectMetadata')
    assert.deepEqual(row.object.metadata, { name: 'p', namespace: 'karpenter', labels: { a: 'b' } })
  })
})

describe('event printer', () => {
  it('prints LAST SEEN, TYPE, REASON, OBJECT, MESSAGE (and the wide columns)', () => {
    const ev = {
      metadata: { name: 'p.1' },
      involvedObject: { kind: 'Pod', name: 'p' },
      reason: 'Scheduled',
      message: 'Successfully assigned default/p to n1 ',
      type: 'Normal',
      count: 3,
      firstTimestamp: ago(300),
      lastTimestamp: ago(10),
      source: { component: 'default-scheduler' },
    }
    assert.deepEqual(cells('events', ev), [
      '10s',
      'Normal',
      'Scheduled',
      'pod/p',
      '',
      'default-scheduler',
      'Successfully assigned default/p to n1',
      '5m',
      3,
      'p.1',
    ])
  })
})
