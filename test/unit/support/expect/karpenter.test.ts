// Karpenter's expectations, in their pure parts: a log line's fields compared (1.x's NodePool from
// the NodeClaim), the one quantity parser, the DaemonSet overhead and the shares of the pods that
// explain what Karpenter logged (the tutorial's 5330m/5360Mi/14 and 2258m/1746m/1746m), the
// instance types a line lists, the types a NodePool allows, the pods a drain evicts, the
// replacement node, the 2-minute notice, and the cheaper types that count against the chosen one.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { InstanceTypeInfo } from '@aws-sdk/client-ec2'
import {
  allowedByRequirements,
  allowedTypesOf,
  cheaperLaunchable,
  evictablePodsOn,
  lineMatches,
  listedInstanceTypes,
  overheadOf,
  podRequests,
  quantity,
  reclaimedAt,
  replacementNode,
  sharesOf,
  type DaemonSetPod,
} from '../../../../support/expect/karpenter.ts'
import type { Node, NodeClaim, Pod } from '../../../../support/kube.ts'
import type { Requirement } from '../../../../support/nodepool-check.ts'
import type { OnDemandPrice } from '../../../../support/prices.ts'
import { logLineOf } from '../../../../support/recorders.ts'

/** The tutorial's four DaemonSets of January 2024 (aws-node, kube-proxy, the EBS CSI node, its Windows twin). */
const DAEMONSETS: DaemonSetPod[] = [
  { name: 'kube-system/aws-node', cpu: 50, memory: 0 },
  { name: 'kube-system/kube-proxy', cpu: 100, memory: 0 },
  { name: 'kube-system/ebs-csi-node', cpu: 30, memory: 120 },
  { name: 'kube-system/ebs-csi-node-windows', cpu: 30, memory: 120 },
]
const PER_POD = { cpu: 512, memory: 512 }

describe('a log line with the expected fields', () => {
  const line = logLineOf(
    0,
    'karpenter-1',
    JSON.stringify({ level: 'INFO', logger: 'controller.provisioner', message: 'computed new nodeclaim(s) to fit pod(s)', nodeclaims: 1, pods: 10 }),
  )

  it('matches when every field reads the same as text, the controller in the normalised vocabulary', () => {
    assert.equal(lineMatches(line, { controller: 'provisioner', message: 'computed new nodeclaim(s) to fit pod(s)', pods: '10' }), true)
    assert.equal(lineMatches(line, { controller: 'provisioner', pods: '9' }), false)
    assert.equal(lineMatches(logLineOf(1, 'karpenter-1', 'not json'), {}), false)
  })

  it('takes the NodePool of a 1.x line from the NodeClaim it names, which the line does not carry', () => {
    const v1 = logLineOf(
      2,
      'karpenter-1',
      JSON.stringify({
        level: 'INFO',
        logger: 'karpenter',
        message: 'launched nodeclaim',
        controller: 'nodeclaim.lifecycle',
        NodeClaim: { name: 'default-x' },
      }),
    )
    assert.equal(lineMatches(v1, { message: 'launched nodeclaim', nodepool: 'default' }), false)
    assert.equal(
      lineMatches(v1, { message: 'launched nodeclaim', nodepool: 'default' }, (claim) => (claim === 'default-x' ? 'default' : undefined)),
      true,
    )
  })
})

describe('quantities: cpu in millicores, memory in MiB', () => {
  it('reads the units the requests use', () => {
    assert.equal(quantity('512m', 'cpu'), 512)
    assert.equal(quantity('2', 'cpu'), 2000)
    assert.equal(quantity('512Mi', 'memory'), 512)
    assert.equal(quantity('1Gi', 'memory'), 1024)
    assert.equal(quantity('2048Ki', 'memory'), 2)
    assert.equal(quantity(String(2 ** 20), 'memory'), 1)
  })

  it('refuses what it cannot read', () => {
    assert.throws(() => quantity('1.5Ti', 'memory'), /unexpected quantity "1.5Ti"/)
  })

  it("sums a pod's containers", () => {
    const requests = (r: Record<string, string>) => ({ resources: { requests: r } })
    const pod = { spec: { containers: [requests({ cpu: '512m', memory: '512Mi' }), requests({ cpu: '100m' }), {}] } }
    assert.equal(podRequests(pod, 'cpu'), 612)
    assert.equal(podRequests(pod, 'memory'), 512)
    assert.equal(podRequests(undefined, 'cpu'), 0)
  })
})

describe('the DaemonSet overhead Karpenter adds to the pods', () => {
  it("finds the tutorial's 4 DaemonSets in its 5330m / 5360Mi / 14 pods for 10 pods", () => {
    const overhead = overheadOf(DAEMONSETS, [{ cpu: 5330, memory: 5360, pods: 14 }], PER_POD, [10])
    assert.ok(overhead)
    assert.deepEqual(
      { cpu: overhead.cpu, memory: overhead.memory, pods: overhead.pods, notCounted: overhead.notCounted },
      { cpu: 210, memory: 240, pods: 4, notCounted: [] },
    )
  })

  it('finds the subset a newer Karpenter counts (the Windows DaemonSet left out), and names it', () => {
    const overhead = overheadOf(DAEMONSETS, [{ cpu: 5300, memory: 5240, pods: 13 }], PER_POD, [10])
    assert.deepEqual(overhead?.notCounted, ['kube-system/ebs-csi-node-windows'])
  })

  it('finds none when no set of DaemonSets explains the numbers', () => {
    assert.equal(overheadOf(DAEMONSETS, [{ cpu: 5331, memory: 5360, pods: 14 }], PER_POD, [10]), undefined)
  })

  it("reads each NodeClaim's share of the pods: the tutorial's 4, 3 and 3 of 10", () => {
    const logged = [
      { cpu: 2258, memory: 2288, pods: 8 },
      { cpu: 1746, memory: 1776, pods: 7 },
      { cpu: 1746, memory: 1776, pods: 7 },
    ]
    const { shares, overhead } = sharesOf(DAEMONSETS, logged, PER_POD, 10)
    assert.deepEqual(shares, [4, 3, 3])
    assert.equal(overhead?.pods, 4)
    assert.equal(sharesOf(DAEMONSETS, logged, PER_POD, 11).overhead, undefined)
  })
})

describe('instance types', () => {
  it('reads "names and N other(s)" as the line lists them', () => {
    assert.deepEqual(listedInstanceTypes('c5.xlarge, c6a.xlarge, m5.xlarge, c5a.xlarge, c6i.xlarge and 95 other(s)'), {
      names: ['c5.xlarge', 'c6a.xlarge', 'm5.xlarge', 'c5a.xlarge', 'c6i.xlarge'],
      others: 95,
    })
    assert.equal(listedInstanceTypes('c5.xlarge'), undefined)
  })

  it("reads a NodeClaim's allowed types from its instance-type In requirement", () => {
    const claim = {
      metadata: { name: 'default-x' },
      spec: {
        requirements: [
          { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
          { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['c5.xlarge', 'm5.xlarge'] },
        ],
      },
    } as NodeClaim
    assert.deepEqual(allowedTypesOf(claim), ['c5.xlarge', 'm5.xlarge'])
    assert.deepEqual(allowedTypesOf({ metadata: { name: 'y' }, spec: {} }), [])
  })

  it("keeps the types a NodePool's requirements allow, whatever the zone requirement", () => {
    const info = (type: string, vcpus: number, mib: number): InstanceTypeInfo => ({
      InstanceType: type as InstanceTypeInfo['InstanceType'],
      VCpuInfo: { DefaultVCpus: vcpus },
      MemoryInfo: { SizeInMiB: mib },
      ProcessorInfo: { SupportedArchitectures: ['x86_64'] },
      SupportedUsageClasses: ['on-demand', 'spot'],
    })
    const requirements: Requirement[] = [
      { key: 'karpenter.k8s.aws/instance-cpu', operator: 'Gt', values: ['4'] },
      { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['us-west-2a'] },
    ]
    const allowed = allowedByRequirements([info('c5.2xlarge', 8, 16384), info('c5.xlarge', 4, 8192)], requirements)
    assert.deepEqual(
      allowed.map((i) => i.InstanceType),
      ['c5.2xlarge'],
    )
  })
})

describe('the interruption', () => {
  const pod = (name: string, node: string, o: { daemonSet?: boolean; deleting?: boolean } = {}) =>
    ({
      metadata: {
        name,
        ownerReferences: o.daemonSet ? [{ kind: 'DaemonSet', name: 'aws-node' }] : [{ kind: 'ReplicaSet', name: 'stateless-1' }],
        deletionTimestamp: o.deleting ? new Date() : undefined,
      },
      spec: { nodeName: node },
    }) as unknown as Pod

  it("a drain evicts the node's pods but its DaemonSets'; a pod being deleted has been evicted", () => {
    const pods = [
      pod('stateless-a', 'n1'),
      pod('aws-node-x', 'n1', { daemonSet: true }),
      pod('stateless-b', 'n1', { deleting: true }),
      pod('stateless-c', 'n2'),
    ]
    assert.deepEqual(
      evictablePodsOn(pods, 'n1').map((p) => p.metadata?.name),
      ['stateless-a'],
    )
  })

  it("the replacement is its NodeClaim's node, else a new Ready Karpenter node in the interrupted node's zone (never the interrupted one)", () => {
    const node = (name: string, zone: string, o: { nodeClaim?: string; ready?: boolean; karpenter?: boolean } = {}) =>
      ({
        metadata: {
          name,
          labels: {
            'topology.kubernetes.io/zone': zone,
            ...(o.karpenter === false ? {} : { 'karpenter.sh/nodepool': 'default' }),
            ...(o.nodeClaim ? { 'karpenter.sh/nodeclaim': o.nodeClaim } : {}),
          },
        },
        status: { conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
      }) as unknown as Node
    const all = [
      node('old', 'us-west-2a'),
      node('mng', 'us-west-2a', { karpenter: false }),
      node('other-zone', 'us-west-2b'),
      node('fresh', 'us-west-2a', { nodeClaim: 'default-new', ready: false }),
    ]
    assert.equal(replacementNode(all, { replacementNodeClaim: 'default-new', interruptedNode: 'old', interruptedZone: 'us-west-2a' })?.metadata?.name, 'fresh')
    assert.equal(replacementNode(all.slice(0, 3), { interruptedNode: 'old', interruptedZone: 'us-west-2a' }), undefined)
    assert.equal(
      replacementNode([...all.slice(0, 3), node('new', 'us-west-2a')], { interruptedNode: 'old', interruptedZone: 'us-west-2a' })?.metadata?.name,
      'new',
    )
  })

  it("EC2 reclaims the instance two minutes after the end of its warning's whole second", () => {
    assert.equal(reclaimedAt(1_000_000), 1_000_000 + 1_000 + 120_000)
  })
})

describe('the cheapest On-Demand type', () => {
  const price = (instanceType: string, usdPerHour: number): OnDemandPrice => ({ instanceType, usdPerHour, region: 'us-west-2', source: 'table' })
  const priced = [price('c6a.2xlarge', 0.306), price('c5a.2xlarge', 0.308), price('c5.2xlarge', 0.34)]

  it('passes the cheapest; a cheaper type counts against a dearer one', () => {
    assert.deepEqual(cheaperLaunchable(priced, 'c6a.2xlarge', new Set()).beaten, [])
    assert.deepEqual(
      cheaperLaunchable(priced, 'c5.2xlarge', new Set()).beaten.map((p) => p.instanceType),
      ['c6a.2xlarge', 'c5a.2xlarge'],
    )
  })

  it('excuses a cheaper type EC2 had no On-Demand capacity for, and knows no price for an unpriced choice', () => {
    const r = cheaperLaunchable(priced, 'c5a.2xlarge', new Set(['c6a.2xlarge']))
    assert.deepEqual(
      r.cheaper.map((p) => p.instanceType),
      ['c6a.2xlarge'],
    )
    assert.deepEqual(r.beaten, [])
    assert.equal(cheaperLaunchable(priced, 'm5.2xlarge', new Set()).mine, undefined)
  })
})
