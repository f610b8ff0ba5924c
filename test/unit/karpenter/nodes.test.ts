import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { NodeClaim } from '../../../sandbox/karpenter/api.ts'
import { SAFE_ALPHABET } from '../../../sandbox/kube/names.ts'
import { generateNameSuffix, nodeClaimName, parseInstanceID, privateDnsName, providerID } from '../../../sandbox/karpenter/nodeclaim-names.ts'
import { kubeletNode, markNodeReady } from '../../../sandbox/ec2-nodes/kubelet-node.ts'
import { initializationBlocker, initializeNode, nodeClaimReady, registerNode, setCondition } from '../../../sandbox/karpenter/nodes.ts'
import { seededRng } from '../../../sandbox/karpenter/rng.ts'
import { buildStateNode } from '../../../sandbox/karpenter/state.ts'

describe('names', () => {
  it('generateName suffix: 5 characters of bcdfghjklmnpqrstvwxz2456789', () => {
    const rng = seededRng(9)
    for (let i = 0; i < 200; i++) assert.match(generateNameSuffix(rng), /^[bcdfghjklmnpqrstvwxz2456789]{5}$/)
    assert.equal(SAFE_ALPHABET.length, 27)
    assert.equal(nodeClaimName('default', seededRng(1)), nodeClaimName('default', seededRng(1)))
    const taken = new Set([nodeClaimName('default', seededRng(1))])
    assert.notEqual(nodeClaimName('default', seededRng(1), taken), [...taken][0])
  })

  it('node names are EC2 private DNS names', () => {
    assert.equal(privateDnsName('10.0.36.60', 'eu-west-2'), 'ip-10-0-36-60.eu-west-2.compute.internal')
    assert.equal(privateDnsName('10.0.36.60', 'us-east-1'), 'ip-10-0-36-60.ec2.internal')
  })

  it('provider IDs', () => {
    assert.equal(providerID('eu-west-2a', 'i-094792dc93778aa2a'), 'aws:///eu-west-2a/i-094792dc93778aa2a')
    assert.equal(parseInstanceID('aws:///eu-west-2a/i-094792dc93778aa2a'), 'i-094792dc93778aa2a')
    assert.equal(parseInstanceID('kind://x'), undefined)
  })
})

const nodeClaim: NodeClaim = {
  metadata: {
    name: 'default-8blnj',
    uid: 'nc-uid',
    labels: {
      intent: 'apps',
      'karpenter.sh/nodepool': 'default',
      'karpenter.sh/capacity-type': 'spot',
      'node.kubernetes.io/instance-type': 'c7g.2xlarge',
      'topology.kubernetes.io/zone': 'eu-west-2a',
      'karpenter.k8s.aws/instance-family': 'c7g',
    },
    annotations: { 'karpenter.sh/nodepool-hash': '123' },
  },
  spec: { startupTaints: [{ key: 'agent/not-ready', effect: 'NoSchedule' }], resources: { requests: { cpu: '5330m', memory: '5360Mi', pods: '14' } } },
  status: { providerID: 'aws:///eu-west-2a/i-094792dc93778aa2a', allocatable: { cpu: '7810m', memory: '14003Mi', pods: '58' } },
}

function kubelet() {
  return kubeletNode({
    name: 'ip-10-0-36-60.eu-west-2.compute.internal',
    instanceId: 'i-094792dc93778aa2a',
    privateIp: '10.0.36.60',
    region: 'eu-west-2',
    zone: 'eu-west-2a',
    instanceType: 'c7g.2xlarge',
    arch: 'arm64',
    providerID: 'aws:///eu-west-2a/i-094792dc93778aa2a',
    nodeLabels: { intent: 'apps', 'karpenter.sh/capacity-type': 'spot', 'karpenter.sh/nodepool': 'default' },
    registerTaints: [{ key: 'agent/not-ready', effect: 'NoSchedule' }],
    capacity: { cpu: '8', memory: '15096Mi', pods: '58' },
    allocatable: { cpu: '7810m', memory: '14003Mi', pods: '58' },
    creationTimestamp: '2024-01-28T21:15:01Z',
  })
}

describe('the Node through its life', () => {
  it('as the kubelet registers it: cloud and beta labels, not-ready, NotReady, EKS node info', () => {
    const n = kubelet()
    const l = n.metadata.labels!
    assert.equal(l['beta.kubernetes.io/instance-type'], 'c7g.2xlarge')
    assert.equal(l['beta.kubernetes.io/arch'], 'arm64')
    assert.equal(l['failure-domain.beta.kubernetes.io/zone'], 'eu-west-2a')
    assert.equal(l['failure-domain.beta.kubernetes.io/region'], 'eu-west-2')
    assert.equal(l['kubernetes.io/hostname'], 'ip-10-0-36-60.eu-west-2.compute.internal')
    assert.equal(l['karpenter.sh/capacity-type'], 'spot')
    assert.deepEqual(
      n.spec!.taints!.map((t) => `${t.key}:${t.effect}`),
      ['agent/not-ready:NoSchedule', 'node.kubernetes.io/not-ready:NoSchedule'],
    )
    assert.equal(n.status!.nodeInfo!.kubeletVersion, 'v1.29.0-eks-5e0fdde')
    assert.equal(n.status!.nodeInfo!.osImage, 'Amazon Linux 2')
    assert.equal(n.status!.nodeInfo!.architecture, 'arm64')
    assert.equal(n.status!.conditions!.find((c) => c.type === 'Ready')!.status, 'False')
  })

  it('registration: finalizer, owner NodeClaim, NodeClaim labels, registered=true', () => {
    const n = registerNode(kubelet(), nodeClaim)
    assert.deepEqual(n.metadata.finalizers, ['karpenter.sh/termination'])
    assert.deepEqual(n.metadata.ownerReferences, [
      { apiVersion: 'karpenter.sh/v1beta1', kind: 'NodeClaim', name: 'default-8blnj', uid: 'nc-uid', blockOwnerDeletion: true },
    ])
    assert.equal(n.metadata.labels!['karpenter.sh/registered'], 'true')
    assert.equal(n.metadata.labels!['karpenter.k8s.aws/instance-family'], 'c7g')
    assert.equal(n.metadata.annotations!['karpenter.sh/nodepool-hash'], '123')
    assert.equal(n.spec!.taints!.length, 2) // startup taint merged, not duplicated
    // before initialization Karpenter schedules against it ignoring not-ready and startup taints
    const sn = buildStateNode({ node: n, nodeClaim })
    assert.equal(sn.initialized, false)
    assert.equal(sn.name, 'ip-10-0-36-60.eu-west-2.compute.internal')
    assert.deepEqual(sn.taints, [])
  })

  it('initialization waits for Ready, the startup taint and the ephemeral taints to go', () => {
    let n = registerNode(kubelet(), nodeClaim)
    assert.deepEqual(initializationBlocker(n, nodeClaim), { reason: 'NodeNotReady', message: 'Node status is NotReady' })
    n = markNodeReady(n, '2024-01-28T21:15:12Z')
    assert.deepEqual(initializationBlocker(n, nodeClaim), { reason: 'StartupTaintsExist', message: 'StartupTaint "agent/not-ready:NoSchedule" still exists' })
    n = { ...n, spec: { ...n.spec, taints: [] } }
    assert.equal(initializationBlocker(n, nodeClaim), undefined)
    n = initializeNode(n)
    assert.equal(n.metadata.labels!['karpenter.sh/initialized'], 'true')
    assert.equal(buildStateNode({ node: n, nodeClaim }).initialized, true)
  })

  it('an extended resource requested but not registered blocks initialization', () => {
    const gpuClaim: NodeClaim = { ...nodeClaim, spec: { resources: { requests: { 'nvidia.com/gpu': '1' } } } }
    const n = markNodeReady(registerNode(kubelet(), gpuClaim), '2024-01-28T21:15:12Z')
    assert.deepEqual(initializationBlocker({ ...n, spec: { ...n.spec, taints: [] } }, gpuClaim), {
      reason: 'ResourceNotRegistered',
      message: 'Resource "nvidia.com/gpu" was requested but not registered',
    })
  })

  it('conditions: Ready = Launched ∧ Registered ∧ Initialized', () => {
    let c = setCondition(undefined, { type: 'Launched', status: 'True', lastTransitionTime: 't1' })
    c = setCondition(c, { type: 'Registered', status: 'True', lastTransitionTime: 't2' })
    assert.equal(nodeClaimReady(c), false)
    c = setCondition(c, { type: 'Initialized', status: 'True', lastTransitionTime: 't3' })
    assert.equal(nodeClaimReady(c), true)
    c = setCondition(c, { type: 'Launched', status: 'True', lastTransitionTime: 't9' })
    assert.equal(c[0].lastTransitionTime, 't1')
  })
})
