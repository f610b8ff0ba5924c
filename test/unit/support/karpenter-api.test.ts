// The one seam that knows the Karpenter of a run: both lines, with lines shaped as each writes them
// (v0.32.1: the tutorial's own sample output; 1.9.2: the fields its source attaches, in order).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { allKarpenterApis, isTaint, karpenterApi, normaliseLogLine, taintText } from '../../../support/karpenter-api.ts'

const parse = (line: string) => JSON.parse(line) as Record<string, unknown>

// The tutorial's sample output (Karpenter v0.32.1).
const V032 = {
  computed:
    '{"level":"INFO","time":"2024-01-28T21:14:32.625Z","logger":"controller.provisioner","message":"computed new nodeclaim(s) to fit pod(s)","commit":"1072d3b","nodeclaims":1,"pods":10}',
  created:
    '{"level":"INFO","time":"2024-01-28T21:14:32.652Z","logger":"controller.provisioner","message":"created nodeclaim","commit":"1072d3b","nodepool":"default","nodeclaim":"default-8blnj","requests":{"cpu":"5330m","memory":"5360Mi","pods":"14"},"instance-types":"c4.2xlarge, c4.4xlarge, c5.2xlarge, c5.4xlarge, c5a.2xlarge and 95 other(s)"}',
  launched:
    '{"level":"INFO","time":"2024-01-28T21:14:36.823Z","logger":"controller.nodeclaim.lifecycle","message":"launched nodeclaim","commit":"1072d3b","nodeclaim":"default-8blnj","nodepool":"default","provider-id":"aws:///eu-west-2a/i-094792dc93778aa2a","instance-type":"c7g.2xlarge","zone":"eu-west-2a","capacity-type":"spot","allocatable":{"cpu":"7810m","ephemeral-storage":"17Gi","memory":"14003Mi","pods":"58","vpc.amazonaws.com/pod-eni":"38"}}',
  interruption:
    '{"level":"INFO","time":"2024-01-29T08:47:30.575Z","logger":"controller.interruption","message":"initiating delete from interruption message","commit":"1072d3b","queue":"karpenter-spot-and-karpenter","messageKind":"SpotInterruptionKind","nodeclaim":"default-4w54b","action":"CordonAndDrain","node":"ip-10-0-36-60.eu-west-2.compute.internal"}',
  consolidation:
    '{"level":"INFO","time":"2024-01-29T08:30:02.100Z","logger":"controller.disruption","message":"disrupting via consolidation delete, terminating 1 candidates ip-10-0-36-60.eu-west-2.compute.internal/c7g.2xlarge/spot","commit":"1072d3b"}',
  replace:
    '{"level":"INFO","time":"2024-01-29T08:30:02.100Z","logger":"controller.disruption","message":"disrupting via consolidation replace, terminating 1 candidates ip-10-0-1-1.eu-west-2.compute.internal/c6g.4xlarge/on-demand and replacing with on-demand node from types c6g.2xlarge and 3 other(s)","commit":"1072d3b"}',
}

// Karpenter 1.9.2: controller-runtime's reconcile logger "controller" with the controller's
// context first (kubernetes-sigs/karpenter v1.9.1 provisioner.go Create, lifecycle/launch.go,
// disruption/queue.go StartCommand + types.go LogValues; provider v1.9.2 interruption/controller.go).
const V1 = {
  computed:
    '{"level":"INFO","time":"2026-12-06T10:00:01.000Z","logger":"controller","message":"computed new nodeclaim(s) to fit pod(s)","commit":"310b356","controller":"provisioner","namespace":"","name":"","reconcileID":"0f9c4b7e-1d2a-4c3b-8e5f-6a7b8c9d0e1f","nodeclaims":1,"pods":10}',
  created:
    '{"level":"INFO","time":"2026-12-06T10:00:01.030Z","logger":"controller","message":"created nodeclaim","commit":"310b356","controller":"provisioner","namespace":"","name":"","reconcileID":"0f9c4b7e-1d2a-4c3b-8e5f-6a7b8c9d0e1f","NodePool":{"name":"default"},"NodeClaim":{"name":"default-8blnj"},"requests":{"cpu":"5330m","memory":"5360Mi","pods":"14"},"instance-types":"c4.2xlarge, c4.4xlarge, c5.2xlarge, c5.4xlarge, c5a.2xlarge and 211 other(s)"}',
  launched:
    '{"level":"INFO","time":"2026-12-06T10:00:03.700Z","logger":"controller","message":"launched nodeclaim","commit":"310b356","controller":"nodeclaim.lifecycle","controllerGroup":"karpenter.sh","controllerKind":"NodeClaim","NodeClaim":{"name":"default-8blnj"},"namespace":"","name":"default-8blnj","reconcileID":"5e0d1c2b-3a4f-4e6d-9c8b-7a6f5e4d3c2b","provider-id":"aws:///eu-west-2a/i-094792dc93778aa2a","instance-type":"c7g.2xlarge","zone":"eu-west-2a","capacity-type":"spot","allocatable":{"cpu":"7810m","ephemeral-storage":"17Gi","memory":"14003Mi","pods":"58"}}',
  interruption:
    '{"level":"INFO","time":"2026-12-06T10:20:30.575Z","logger":"controller","message":"initiating delete from interruption message","commit":"310b356","controller":"interruption","namespace":"","name":"","reconcileID":"9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d","queue":"karpenter-spot-and-karpenter","messageKind":"spot_interrupted","NodeClaim":{"name":"default-4w54b"},"action":"CordonAndDrain","Node":{"name":"ip-10-0-36-60.eu-west-2.compute.internal"}}',
  consolidation:
    '{"level":"INFO","time":"2026-12-06T10:10:02.100Z","logger":"controller","message":"disrupting node(s)","commit":"310b356","controller":"disruption","namespace":"","name":"","reconcileID":"1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e","command":"Empty/6f1e2d3c-4b5a-4968-8776-655443322110: delete: [ip-10-0-36-60.eu-west-2.compute.internal] (savings: $0.10)","decision":"delete","disrupted-node-count":1,"replacement-node-count":0,"pod-count":0,"disrupted-nodes":[{"Node":{"name":"ip-10-0-36-60.eu-west-2.compute.internal"},"NodeClaim":{"name":"default-8blnj"},"capacity-type":"spot","instance-type":"c7g.2xlarge"}],"replacement-nodes":[]}',
  drift:
    '{"level":"INFO","time":"2026-12-06T10:10:02.100Z","logger":"controller","message":"disrupting node(s)","commit":"310b356","controller":"disruption","namespace":"","name":"","reconcileID":"1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e","command":"Drifted/6f1e2d3c-4b5a-4968-8776-655443322110: delete: [ip-10-0-1-1.eu-west-2.compute.internal] (savings: $0.10)","decision":"delete","disrupted-node-count":1,"replacement-node-count":0,"pod-count":3,"disrupted-nodes":[{"Node":{"name":"ip-10-0-1-1.eu-west-2.compute.internal"},"NodeClaim":{"name":"default-x"},"capacity-type":"spot","instance-type":"c7g.2xlarge"}],"replacement-nodes":[]}',
}

describe('karpenterApi: which Karpenter a chart version installs', () => {
  it('v0.32.x to v0.37.x are the v1beta1 line, 1.x the v1 line (charts from 0.35 have no "v")', () => {
    for (const v of ['v0.32.1', 'v0.33.0', '0.36.2', 'v0.37.7']) assert.equal(karpenterApi(v).line, 'v1beta1', v)
    for (const v of ['1.9.2', '1.0.8', 'v1.14.1']) assert.equal(karpenterApi(v).line, 'v1', v)
    assert.equal(karpenterApi('1.9.2').chartVersion, '1.9.2')
  })

  it('refuses a chart version it does not know, naming the ones it does', () => {
    assert.throws(() => karpenterApi('v0.29.2'), /karpenterChartVersion "v0\.29\.2".*v0\.32\.x to v0\.37\.x.*1\.x/)
    assert.throws(() => karpenterApi('latest'), /"v0\.32\.1" or "1\.9\.2"/)
  })
})

describe('where each line serves its kinds', () => {
  it('v0.32.1: karpenter.sh/v1beta1 and karpenter.k8s.aws/v1beta1', () => {
    const api = karpenterApi('v0.32.1')
    assert.equal(api.nodeClaim.path, '/apis/karpenter.sh/v1beta1/nodeclaims')
    assert.deepEqual(
      { ...api.nodePool },
      {
        kind: 'NodePool',
        group: 'karpenter.sh',
        version: 'v1beta1',
        plural: 'nodepools',
        apiVersion: 'karpenter.sh/v1beta1',
        path: '/apis/karpenter.sh/v1beta1/nodepools',
      },
    )
    assert.equal(api.ec2NodeClass.apiVersion, 'karpenter.k8s.aws/v1beta1')
    assert.equal(api.ec2NodeClass.plural, 'ec2nodeclasses')
  })

  it('1.9.2: karpenter.sh/v1 and karpenter.k8s.aws/v1', () => {
    const api = karpenterApi('1.9.2')
    assert.equal(api.nodeClaim.path, '/apis/karpenter.sh/v1/nodeclaims')
    assert.equal(api.nodePool.apiVersion, 'karpenter.sh/v1')
    assert.equal(api.ec2NodeClass.path, '/apis/karpenter.k8s.aws/v1/ec2nodeclasses')
  })
})

describe('the disruption taint', () => {
  it('v0.32: karpenter.sh/disruption=disrupting:NoSchedule; 1.x: karpenter.sh/disrupted:NoSchedule', () => {
    assert.equal(taintText(karpenterApi('v0.32.1').disruptionTaint), 'karpenter.sh/disruption=disrupting:NoSchedule')
    assert.equal(taintText(karpenterApi('1.9.2').disruptionTaint), 'karpenter.sh/disrupted:NoSchedule')
  })

  it("matches a node's taint exactly: key, value and effect", () => {
    const v032 = karpenterApi('v0.32.1').disruptionTaint
    const v1 = karpenterApi('1.9.2').disruptionTaint
    assert.ok(isTaint({ key: 'karpenter.sh/disruption', value: 'disrupting', effect: 'NoSchedule' }, v032))
    assert.ok(!isTaint({ key: 'karpenter.sh/disruption', effect: 'NoSchedule' }, v032))
    assert.ok(isTaint({ key: 'karpenter.sh/disrupted', effect: 'NoSchedule' }, v1))
    assert.ok(!isTaint({ key: 'karpenter.sh/disrupted', effect: 'NoExecute' }, v1))
    assert.ok(!isTaint({ key: 'karpenter.sh/disruption', value: 'disrupting', effect: 'NoSchedule' }, v1))
  })
})

describe('how each line marks what it creates in AWS', () => {
  it('instances: karpenter.sh/managed-by=<cluster> (v0.32); eks:eks-cluster-name=<cluster> with a karpenter.sh/nodepool tag (1.x)', () => {
    assert.deepEqual(karpenterApi('v0.32.1').instanceFilters('spot-and-karpenter'), [{ Name: 'tag:karpenter.sh/managed-by', Values: ['spot-and-karpenter'] }])
    assert.deepEqual(karpenterApi('1.9.2').instanceFilters('spot-and-karpenter'), [
      { Name: 'tag:eks:eks-cluster-name', Values: ['spot-and-karpenter'] },
      { Name: 'tag-key', Values: ['karpenter.sh/nodepool'] },
    ])
  })

  it('launch templates: karpenter.k8s.aws/cluster (v0.32); eks:eks-cluster-name with an EC2NodeClass tag (1.x)', () => {
    assert.deepEqual(karpenterApi('v0.32.1').launchTemplateFilters('c')[0], [{ Name: 'tag:karpenter.k8s.aws/cluster', Values: ['c'] }])
    assert.deepEqual(karpenterApi('1.9.2').launchTemplateFilters('c'), [
      [
        { Name: 'tag:eks:eks-cluster-name', Values: ['c'] },
        { Name: 'tag-key', Values: ['karpenter.k8s.aws/ec2nodeclass'] },
      ],
    ])
  })

  it("instance profiles: <cluster>_<hash>, with the line's ownership tags", () => {
    const v032 = karpenterApi('v0.32.1')
    const v1 = karpenterApi('1.9.2')
    const old = {
      'karpenter.sh/managed-by': 'c',
      'kubernetes.io/cluster/c': 'owned',
      'karpenter.k8s.aws/ec2nodeclass': 'default',
      'topology.kubernetes.io/region': 'eu-west-2',
    }
    const current = {
      'eks:eks-cluster-name': 'c',
      'kubernetes.io/cluster/c': 'owned',
      'karpenter.k8s.aws/ec2nodeclass': 'default',
      'topology.kubernetes.io/region': 'eu-west-2',
    }
    assert.ok(v032.ownsInstanceProfile({ name: 'c_1234567890', tags: old }, 'c'))
    assert.ok(!v032.ownsInstanceProfile({ name: 'c-node-group-role', tags: old }, 'c'), 'not named by Karpenter')
    assert.ok(!v032.ownsInstanceProfile({ name: 'c_1234567890', tags: {} }, 'c'), 'not tagged by Karpenter')
    assert.ok(v1.ownsInstanceProfile({ name: 'c_1234567890', path: '/karpenter/eu-west-2/c/0d5c-uid/', tags: current }, 'c'))
    assert.ok(v1.ownsInstanceProfile({ name: 'c_1234567890', path: '/', tags: current }, 'c'))
    assert.ok(!v1.ownsInstanceProfile({ name: 'c_1234567890', tags: old }, 'c'), "v0.32's tags are not 1.x's")
    assert.ok(!v1.ownsInstanceProfile({ name: 'c_1234567890', path: '/karpenter/eu-west-2/other/uid/', tags: current }, 'c'), "another cluster's path")
  })

  it('the clean-up knows both lines', () => {
    assert.deepEqual(
      allKarpenterApis().map((a) => a.line),
      ['v1beta1', 'v1'],
    )
  })

  it('a NodeClaim lists at most 100 instance types on v0.32, 600 on 1.9', () => {
    assert.equal(karpenterApi('v0.32.1').maxInstanceTypesPerNodeClaim, 100)
    assert.equal(karpenterApi('1.9.2').maxInstanceTypesPerNodeClaim, 600)
  })
})

describe('log lines read the same from both lines', () => {
  const view = (line: string) => karpenterApi('v0.32.1').logLine(parse(line))

  it('"logger":"controller.provisioner" (v0.32) and "logger":"controller" + "controller":"provisioner" (1.x) are the provisioner', () => {
    for (const line of [V032.computed, V1.computed]) {
      const v = view(line)
      assert.equal(v.controller, 'provisioner')
      assert.equal(v.message, 'computed new nodeclaim(s) to fit pod(s)')
      assert.equal(v.fields.nodeclaims, 1)
      assert.equal(v.fields.pods, 10)
    }
  })

  it('object references become names: "NodeClaim":{"name":…} reads as nodeclaim, "NodePool" as nodepool, "Node" as node', () => {
    const [old, current] = [view(V032.created), view(V1.created)]
    for (const v of [old, current]) {
      assert.equal(v.nodeClaim, 'default-8blnj')
      assert.equal(v.nodePool, 'default')
      assert.equal(v.fields.nodeclaim, 'default-8blnj')
      assert.deepEqual(v.fields.requests, { cpu: '5330m', memory: '5360Mi', pods: '14' })
    }
    assert.ok(!('NodeClaim' in current.fields), 'the reference is replaced, not doubled')
    const i = [view(V032.interruption), view(V1.interruption)]
    for (const v of i) {
      assert.equal(v.controller, 'interruption')
      assert.equal(v.node, 'ip-10-0-36-60.eu-west-2.compute.internal')
      assert.equal(v.nodeClaim, 'default-4w54b')
      assert.equal(v.fields.action, 'CordonAndDrain')
      assert.equal(v.fields.queue, 'karpenter-spot-and-karpenter')
    }
  })

  it('the interruption kind is named by its Go constant: SpotInterruptionKind on both lines', () => {
    assert.equal(view(V032.interruption).fields.messageKind, 'SpotInterruptionKind')
    assert.equal(view(V1.interruption).fields.messageKind, 'SpotInterruptionKind')
    assert.equal(normaliseLogLine({ messageKind: 'instance_stopped' }).fields.messageKind, 'InstanceStoppedKind')
    assert.equal(normaliseLogLine({ messageKind: 'SomethingNew' }).fields.messageKind, 'SomethingNew')
  })

  it('1.x lifecycle lines carry no NodePool (v0.32 ones do); the field order stays as logged', () => {
    assert.equal(view(V032.launched).nodePool, 'default')
    assert.equal(view(V1.launched).nodePool, undefined)
    assert.equal(view(V1.launched).controller, 'nodeclaim.lifecycle')
    assert.deepEqual(Object.keys(view(V1.launched).fields).slice(0, 8), [
      'level',
      'time',
      'logger',
      'message',
      'commit',
      'controller',
      'controllerGroup',
      'controllerKind',
    ])
  })

  it("a line that is not a controller's has no controller; namespaced references keep their namespace", () => {
    assert.equal(normaliseLogLine({ logger: 'controller', message: 'discovered kubernetes version' }).controller, undefined)
    assert.equal(normaliseLogLine({ Pod: { name: 'p', namespace: 'default' } }).fields.pod, 'default/p')
    assert.deepEqual(normaliseLogLine({ Pods: 'default/a, default/b' }).fields.pods, 'default/a, default/b')
  })
})

describe("consolidation deletes, in each line's words", () => {
  it('v0.32: "disrupting via consolidation delete, terminating 1 candidates <node>/<type>/<capacity>"', () => {
    const api = karpenterApi('v0.32.1')
    assert.deepEqual(api.consolidationDeletes(api.logLine(parse(V032.consolidation))), ['ip-10-0-36-60.eu-west-2.compute.internal'])
    assert.deepEqual(api.consolidationDeletes(api.logLine(parse(V032.replace))), [], 'a replace is not a delete')
    assert.deepEqual(api.consolidationDeletes(api.logLine(parse(V032.created))), [])
    const v035 = {
      logger: 'controller.disruption',
      message: 'disrupting via consolidation delete, terminating 2 nodes (0 pods) a/c6a.large/spot, b/m5.large/on-demand',
    }
    assert.deepEqual(api.consolidationDeletes(api.logLine(v035)), ['a', 'b'])
  })

  it('1.9: "disrupting node(s)" with decision delete, an Empty or Underutilized command, and the nodes in disrupted-nodes', () => {
    const api = karpenterApi('1.9.2')
    assert.deepEqual(api.consolidationDeletes(api.logLine(parse(V1.consolidation))), ['ip-10-0-36-60.eu-west-2.compute.internal'])
    assert.deepEqual(api.consolidationDeletes(api.logLine(parse(V1.drift))), [], 'drift is not consolidation')
    const v10 = {
      logger: 'controller',
      controller: 'disruption',
      message: 'disrupting nodeclaim(s) via delete, terminating 1 nodes (0 pods) a/c6a.large/spot',
      'command-id': 'x',
      reason: 'underutilized',
    }
    assert.deepEqual(api.consolidationDeletes(api.logLine(v10)), ['a'])
  })

  it('each line reads its own words only', () => {
    assert.deepEqual(karpenterApi('v0.32.1').consolidationDeletes(normaliseLogLine(parse(V1.consolidation))), [])
    assert.deepEqual(karpenterApi('1.9.2').consolidationDeletes(normaliseLogLine(parse(V032.consolidation))), [])
  })
})
