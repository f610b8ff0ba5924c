// The 1.x twin's reading of the v1 API and what it writes: AMI aliases, the adapter to the internal
// model, operatorpkg conditions, NodeClaims, tags and AL2023 user data. Cases from Karpenter 1.9's
// own tests where they exist (aws = aws/karpenter-provider-aws@v1.9.2, core =
// kubernetes-sigs/karpenter@v1.9.1, operatorpkg = awslabs/operatorpkg@34e9a18).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { toStringMap, withoutZeros } from '../../../sandbox/k8s/resources.ts'
import { seededRng } from '../../../sandbox/karpenter/rng.ts'
import { schedule } from '../../../sandbox/karpenter/scheduling/scheduler.ts'
import { internalNodeClaim, internalNodeClass, internalNodePool, instanceTypeKubelet } from '../../../sandbox/karpenter/v1/adapter.ts'
import { aliasOf, aliasParameters, aliasUnsupported, amiFamilyOf, amiStatus, resolveAmis, type Variant } from '../../../sandbox/karpenter/v1/amis.ts'
import { ConditionSet, NODECLASS_CONDITIONS, NODEPOOL_CONDITIONS, transitions, type ConditionOwner } from '../../../sandbox/karpenter/v1/conditions.ts'
import {
  launchTagsV1,
  MAX_NODECLAIM_INSTANCE_TYPES_V1,
  nodeadmUserData,
  nodeClassHashV1,
  nodePoolHashV1,
  rehashedNodeClaimAnnotations,
  TagValidationError,
  registerTaintsV1,
  registeredTagsV1,
  toNodeClaimV1,
} from '../../../sandbox/karpenter/v1/nodeclaim.ts'
import { tutorialDaemonSetPods, tutorialInstanceTypes, workloadPods } from './helpers/tutorial.ts'
import type { EC2NodeClassV1, NodeClaimV1 } from '../../../sandbox/karpenter/v1/api.ts'
import { v1NodeClass, v1NodePool } from './helpers/v1.ts'

describe('AMI aliases (aws pkg/apis/v1/ec2nodeclass.go, pkg/providers/amifamily)', () => {
  it('al2023@latest names the AL2023 family and its five recommended parameters', () => {
    const alias = aliasOf(v1NodeClass())!
    assert.deepEqual(alias, { family: 'AL2023', version: 'latest' })
    assert.equal(amiFamilyOf(v1NodeClass()), 'AL2023')
    assert.deepEqual(
      aliasParameters(alias, '1.35').map((p) => p.path),
      [
        '/aws/service/eks/optimized-ami/1.35/amazon-linux-2023/x86_64/standard/recommended/image_id',
        '/aws/service/eks/optimized-ami/1.35/amazon-linux-2023/x86_64/nvidia/recommended/image_id',
        '/aws/service/eks/optimized-ami/1.35/amazon-linux-2023/x86_64/neuron/recommended/image_id',
        '/aws/service/eks/optimized-ami/1.35/amazon-linux-2023/arm64/standard/recommended/image_id',
        '/aws/service/eks/optimized-ami/1.35/amazon-linux-2023/arm64/nvidia/recommended/image_id',
      ],
    )
  })
  it('a pinned al2023@vYYYYMMDD reads the dated parameter (al2023.go resolvePath)', () => {
    assert.equal(
      aliasParameters({ family: 'AL2023', version: 'v20261201' }, '1.35')[0].path,
      '/aws/service/eks/optimized-ami/1.35/amazon-linux-2023/x86_64/standard/amazon-eks-node-al2023-x86_64-standard-1.35-v20261201/image_id',
    )
  })
  it('al2@latest reads the AL2 parameters, and is refused from 1.33 on (ami.go AL2DeprecationError)', () => {
    assert.deepEqual(
      aliasParameters({ family: 'AL2', version: 'latest' }, '1.32').map((p) => p.path.split('/')[6]),
      ['amazon-linux-2', 'amazon-linux-2-arm64', 'amazon-linux-2-gpu'],
    )
    assert.equal(aliasUnsupported({ family: 'AL2', version: 'latest' }, '1.32'), undefined)
    assert.match(aliasUnsupported({ family: 'AL2', version: 'latest' }, '1.35')!, /^AL2 aliases are no longer supported on EKS 1\.33\+/)
  })
  it('a malformed alias or an unknown family is refused with what is accepted', () => {
    assert.throws(
      () => aliasOf({ spec: { ...v1NodeClass().spec, amiSelectorTerms: [{ alias: 'al2023' }] } }),
      /failed to parse AMI alias "al2023", invalid format/,
    )
    assert.throws(
      () => aliasOf({ spec: { ...v1NodeClass().spec, amiSelectorTerms: [{ alias: 'ubuntu@latest' }] } }),
      /"ubuntu" is an invalid alias family \(accepted: al2, al2023, bottlerocket/,
    )
  })
  it('"Should resolve all AMIs with correct requirements for AL2023" (aws pkg/controllers/nodeclass/ami_test.go)', () => {
    const known = new Map<string, Variant[]>([
      ['ami-amd64-standard', ['standard']],
      ['ami-amd64-nvidia', ['nvidia']],
      ['ami-amd64-neuron', ['neuron']],
      ['ami-arm64-standard', ['standard']],
      ['ami-arm64-nvidia', ['nvidia']],
    ])
    const images = [...known.keys()].map((id) => ({
      id,
      name: id.replace('ami-', ''),
      architecture: id.includes('arm64') ? 'arm64' : 'x86_64',
      creationDate: '2026-12-01T00:00:00.000Z',
    }))
    const status = amiStatus(resolveAmis(images, known, Date.parse('2026-12-06T00:00:00Z')))
    assert.equal(status.length, 5)
    assert.deepEqual(
      status.find((a) => a.id === 'ami-amd64-standard'),
      {
        id: 'ami-amd64-standard',
        name: 'amd64-standard',
        requirements: [
          { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
          { key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'DoesNotExist' },
          { key: 'karpenter.k8s.aws/instance-accelerator-count', operator: 'DoesNotExist' },
        ],
      },
    )
    assert.deepEqual(status.find((a) => a.id === 'ami-arm64-nvidia')!.requirements, [
      { key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] },
      { key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'Exists' },
    ])
  })
  it('"should succeed to partially resolve AMIs if all SSM aliases don\'t exist": the newest image per requirement set wins (compareAMI)', () => {
    const known = new Map<string, Variant[]>([
      ['ami-new', ['standard']],
      ['ami-old', ['standard']],
    ])
    const amis = resolveAmis(
      [
        { id: 'ami-old', name: 'a', architecture: 'x86_64', creationDate: '2026-11-01T00:00:00.000Z' },
        { id: 'ami-new', name: 'b', architecture: 'x86_64', creationDate: '2026-12-01T00:00:00.000Z' },
      ],
      known,
      Date.parse('2026-12-06T00:00:00Z'),
    )
    assert.deepEqual(
      amis.map((a) => a.id),
      ['ami-new'],
    )
  })
  it('a deprecated image loses to a current one and is marked deprecated', () => {
    const known = new Map<string, Variant[]>([
      ['ami-dep', ['standard']],
      ['ami-cur', ['standard']],
    ])
    const now = Date.parse('2026-12-06T00:00:00Z')
    const amis = resolveAmis(
      [
        { id: 'ami-dep', architecture: 'x86_64', creationDate: '2026-12-05T00:00:00.000Z', deprecationTime: '2026-12-01T00:00:00.000Z' },
        { id: 'ami-cur', architecture: 'x86_64', creationDate: '2026-10-01T00:00:00.000Z' },
      ],
      known,
      now,
    )
    assert.deepEqual(
      amis.map((a) => [a.id, a.deprecated]),
      [['ami-cur', false]],
    )
  })
})

describe('the v1 objects read into the internal model (v1/adapter.ts)', () => {
  it('kubelet comes from the EC2NodeClass, expireAfter from the template, the AMI family from the alias', () => {
    const np = internalNodePool(v1NodePool(), v1NodeClass())
    assert.deepEqual(np.spec.template.spec.kubelet, { systemReserved: { cpu: '100m', memory: '100Mi' } })
    assert.equal(np.spec.disruption?.expireAfter, '168h')
    assert.equal(np.spec.disruption?.consolidationPolicy, 'WhenEmptyOrUnderutilized')
    assert.equal(internalNodeClass(v1NodeClass()).spec.amiFamily, 'AL2023')
    assert.equal(internalNodePool(v1NodePool({ expireAfter: undefined }), undefined).spec.disruption?.expireAfter, '720h')
  })
  it('"should use only evictionHard for overhead, ignoring evictionSoft" (aws pkg/providers/instancetype/suite_test.go)', () => {
    assert.deepEqual(
      instanceTypeKubelet({
        evictionHard: { 'memory.available': '5%' },
        evictionSoft: { 'memory.available': '10%' },
        evictionSoftGracePeriod: { 'memory.available': '1m' },
      }),
      { evictionHard: { 'memory.available': '5%' } },
    )
    const soft = tutorialInstanceTypes({
      kubelet: instanceTypeKubelet({ evictionSoft: { 'memory.available': '10%' } }),
      nodeClass: { amiFamily: 'AL2023' },
    }).find((t) => t.name === 'c7g.2xlarge')!
    assert.deepEqual(toStringMap(withoutZeros(soft.allocatable)), {
      cpu: '7910m',
      'ephemeral-storage': '17Gi',
      memory: '14103Mi',
      pods: '58',
      'vpc.amazonaws.com/pod-eni': '38',
    })
  })
  it("AL2023 allocatable matches AL2's for the tutorial's kubelet (ENI-limited pods, kube-reserved, eviction, VM overhead)", () => {
    const np = internalNodePool(v1NodePool(), v1NodeClass())
    const c7g = tutorialInstanceTypes({ kubelet: np.spec.template.spec.kubelet, nodeClass: { amiFamily: 'AL2023' } }).find((t) => t.name === 'c7g.2xlarge')!
    assert.deepEqual(toStringMap(withoutZeros(c7g.allocatable)), {
      cpu: '7810m',
      'ephemeral-storage': '17Gi',
      memory: '14003Mi',
      pods: '58',
      'vpc.amazonaws.com/pod-eni': '38',
    })
  })
  it('a NodeClaim keeps its v1 nodeClassRef name and conditions', () => {
    const nc = internalNodeClaim(
      {
        metadata: { name: 'default-x' },
        spec: {
          requirements: [{ key: 'a', operator: 'In', values: ['b'], minValues: 1 }],
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
        },
      },
      v1NodeClass(),
    )
    assert.deepEqual(nc.spec.requirements, [{ key: 'a', operator: 'In', values: ['b'] }])
    assert.equal(nc.spec.nodeClassRef?.name, 'default')
  })
})

describe('status conditions (operatorpkg status/condition_set.go)', () => {
  const clock = () => '2026-12-06T10:00:00Z'
  it('dependents start Unknown "AwaitingReconciliation"; Ready follows them ("ReconcilingDependents", then True with reason Ready)', () => {
    const obj: ConditionOwner = { metadata: { generation: 1, creationTimestamp: '2026-12-06T09:59:00Z' }, status: {} }
    const set = new ConditionSet(obj, NODEPOOL_CONDITIONS, clock)
    assert.deepEqual(set.get('NodeClassReady'), {
      type: 'NodeClassReady',
      status: 'Unknown',
      reason: 'AwaitingReconciliation',
      message: 'object is awaiting reconciliation',
      lastTransitionTime: '2026-12-06T09:59:00Z',
      observedGeneration: 1,
    })
    set.setTrue('ValidationSucceeded')
    assert.deepEqual(
      [set.get('Ready')!.status, set.get('Ready')!.reason, set.get('Ready')!.message],
      ['Unknown', 'ReconcilingDependents', 'NodeClassReady=Unknown'],
    )
    set.setTrue('NodeClassReady')
    assert.deepEqual([set.get('Ready')!.status, set.get('Ready')!.reason, set.get('Ready')!.message], ['True', 'Ready', ''])
    assert.equal(obj.status!.conditions!.at(-1)!.type, 'Ready', 'the root sorts last')
  })
  it('a False dependent makes Ready False "UnhealthyDependents"; setting the same condition again is no change', () => {
    const obj = { metadata: { generation: 2 }, status: {} }
    const set = new ConditionSet(obj, NODECLASS_CONDITIONS, clock)
    for (const t of NODECLASS_CONDITIONS) set.setTrue(t)
    assert.equal(set.setFalse('AMIsReady', 'AMINotFound', 'AMISelector did not match any AMIs'), true)
    assert.deepEqual([set.get('Ready')!.status, set.get('Ready')!.reason, set.get('Ready')!.message], ['False', 'UnhealthyDependents', 'AMIsReady=False'])
    assert.equal(set.setFalse('AMIsReady', 'AMINotFound', 'AMISelector did not match any AMIs'), false)
  })
  it('transitions become "Status condition transitioned" events (status/controller.go)', () => {
    assert.deepEqual(
      transitions(
        [{ type: 'Registered', status: 'Unknown', reason: 'NodeNotFound', message: '', lastTransitionTime: '' }],
        [{ type: 'Registered', status: 'True', reason: 'Registered', message: '', lastTransitionTime: '' }],
      ),
      [{ reason: 'Registered', message: 'Status condition transitioned, Type: Registered, Status: Unknown -> True, Reason: Registered' }],
    )
  })
  it('only non-dependent conditions can be cleared (Consolidatable yes, Ready no)', () => {
    const obj = { metadata: {}, status: {} }
    const set = new ConditionSet(obj, ['Launched', 'Registered', 'Initialized'], clock)
    set.setTrue('Consolidatable')
    assert.equal(set.clear('Consolidatable'), true)
    assert.throws(() => set.clear('Ready'), /clearing dependent condition Ready/)
  })
})

describe('NodeClaims and launches (core scheduling/nodeclaimtemplate.go ToNodeClaim; aws utils.GetTags, bootstrap/nodeadm.go)', () => {
  const np = v1NodePool({}, { 'karpenter.sh/nodepool-hash': '42', 'karpenter.sh/nodepool-hash-version': 'v3' })
  const internal = internalNodePool(np, v1NodeClass())
  const its = tutorialInstanceTypes({ kubelet: internal.spec.template.spec.kubelet, nodeClass: { amiFamily: 'AL2023' } })
  const results = schedule({
    pods: workloadPods(10),
    nodePools: [internal],
    instanceTypes: { default: its },
    daemonSetPods: tutorialDaemonSetPods(),
    stateNodes: [],
    cluster: { pods: [], nodes: [], namespaces: [{ name: 'default' }] },
    rng: seededRng(7),
  })
  const nc = toNodeClaimV1(results.newNodeClaims[0], np, { rng: seededRng(7) })

  it('the NodeClaim carries the NodePool and EC2NodeClass labels, the hash annotations and the v1 nodeClassRef', () => {
    assert.equal(nc.apiVersion, 'karpenter.sh/v1')
    assert.match(nc.metadata.name!, /^default-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
    assert.deepEqual({ ...nc.metadata.labels }, { intent: 'apps', 'karpenter.sh/nodepool': 'default', 'karpenter.k8s.aws/ec2nodeclass': 'default' })
    assert.equal(nc.metadata.annotations!['karpenter.sh/nodepool-hash-version'], 'v3')
    assert.deepEqual(nc.spec.nodeClassRef, { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' })
    assert.equal(nc.spec.expireAfter, '168h')
    assert.deepEqual(nc.metadata.ownerReferences?.[0].apiVersion, 'karpenter.sh/v1')
  })
  it('up to 600 instance types (MaxInstanceTypes in core 1.9; v0.32 cut to 100) and the capacity types their offerings have', () => {
    const types = nc.spec.requirements.find((r) => r.key === 'node.kubernetes.io/instance-type')!.values!
    assert.ok(types.length > 100 && types.length <= MAX_NODECLAIM_INSTANCE_TYPES_V1, String(types.length))
    assert.deepEqual(nc.spec.requirements.find((r) => r.key === 'karpenter.sh/capacity-type')!.values, ['spot'])
    assert.deepEqual(nc.spec.requirements.find((r) => r.key === 'karpenter.k8s.aws/ec2nodeclass')!.values, ['default'])
  })
  it('GetTags refuses restricted tag keys (aws pkg/apis/v1/labels.go RestrictedTagPatterns; pkg/controllers/nodeclass/validation_test.go entries)', () => {
    for (const key of [
      'kubernetes.io/cluster/acluster',
      'karpenter.sh/nodepool',
      'eks:eks-cluster-name',
      'karpenter.k8s.aws/ec2nodeclass',
      'karpenter.sh/nodeclaim',
    ]) {
      const nodeClass = v1NodeClass()
      nodeClass.spec.tags = { ...nodeClass.spec.tags, [key]: 'mine' }
      assert.throws(
        () => launchTagsV1(nc, nodeClass, 'spot-and-karpenter'),
        (e: Error) => e instanceof TagValidationError && e.message === `tags failed validation requirements (tags="${key}")`,
        key,
      )
    }
    const two = v1NodeClass()
    two.spec.tags = { 'karpenter.sh/nodepool': 'a', 'eks:eks-cluster-name': 'b' }
    assert.throws(() => launchTagsV1(nc, two, 'spot-and-karpenter'), {
      message: 'tags failed validation requirements (tags="eks:eks-cluster-name", "karpenter.sh/nodepool")',
    })
    // Only the patterns: a key that merely starts like one passes GetTags (the CRD's CEL rules are wider).
    const near = v1NodeClass()
    near.spec.tags = { 'kubernetes.io/cluster/': 'x', 'karpenter.sh/nodepool-name': 'y' }
    assert.deepEqual(Object.keys(launchTagsV1(nc, near, 'spot-and-karpenter')).slice(0, 2), ['kubernetes.io/cluster/', 'karpenter.sh/nodepool-name'])
  })
  it('instance tags: the EC2NodeClass tags, then eks:eks-cluster-name, the NodePool, the EC2NodeClass and cluster ownership', () => {
    const nodeClass = v1NodeClass()
    assert.deepEqual(launchTagsV1(nc, nodeClass, 'spot-and-karpenter'), {
      project: 'build-on-aws',
      intent: 'apps',
      'karpenter.sh/nodepool': 'default',
      'kubernetes.io/cluster/spot-and-karpenter': 'owned',
      'eks:eks-cluster-name': 'spot-and-karpenter',
      'karpenter.k8s.aws/ec2nodeclass': 'default',
    })
    assert.deepEqual(registeredTagsV1('default-abcde', 'ip-10-0-1-2.eu-west-2.compute.internal', 'spot-and-karpenter'), {
      Name: 'ip-10-0-1-2.eu-west-2.compute.internal',
      'karpenter.sh/nodeclaim': 'default-abcde',
      'eks:eks-cluster-name': 'spot-and-karpenter',
    })
  })
  it('AL2023 user data is a nodeadm NodeConfig (aws pkg/providers/launchtemplate/testdata/al2023_userdata_unmerged.golden)', () => {
    const userData = nodeadmUserData({
      clusterName: 'test-cluster',
      endpoint: 'https://test-cluster',
      caBundle: 'Y2EtYnVuZGxlCg==',
      clusterCIDR: '10.100.0.0/16',
      kubelet: { clusterDNS: ['10.0.100.10'], maxPods: 110 },
      taints: registerTaintsV1({ spec: {} }),
      labels: {
        'karpenter.k8s.aws/ec2nodeclass': 'default',
        'karpenter.sh/capacity-type': 'on-demand',
        'karpenter.sh/do-not-sync-taints': 'true',
        'testing/cluster': 'unspecified',
      },
    })
    assert.equal(
      userData,
      `MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="//"

--//
Content-Type: application/node.eks.aws

# Karpenter Generated NodeConfig
apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
metadata: {}
spec:
  cluster:
    apiServerEndpoint: https://test-cluster
    certificateAuthority: Y2EtYnVuZGxlCg==
    cidr: 10.100.0.0/16
    name: test-cluster
  containerd: {}
  instance:
    localStorage: {}
  kubelet:
    config:
      clusterDNS:
      - 10.0.100.10
      maxPods: 110
      registerWithTaints:
      - effect: NoExecute
        key: karpenter.sh/unregistered
    flags:
    - --node-labels="karpenter.k8s.aws/ec2nodeclass=default,karpenter.sh/capacity-type=on-demand,karpenter.sh/do-not-sync-taints=true,testing/cluster=unspecified"

--//--
`,
    )
  })
})

describe('drift hashes (core pkg/apis/v1/nodepool.go, aws pkg/apis/v1/ec2nodeclass.go Hash; the hash controllers)', () => {
  const withSpec = (patch: Partial<EC2NodeClassV1['spec']>): EC2NodeClassV1 => ({ ...v1NodeClass(), spec: { ...v1NodeClass().spec, ...patch } })
  it('the NodePool hash leaves out the template requirements (hash:"ignore") and takes the rest of the template', () => {
    const np = v1NodePool()
    assert.equal(nodePoolHashV1(v1NodePool({ requirements: [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] }] })), nodePoolHashV1(np))
    assert.notEqual(nodePoolHashV1(v1NodePool({ expireAfter: '720h' })), nodePoolHashV1(np))
    assert.notEqual(nodePoolHashV1(v1NodePool({ taints: [{ key: 'a', effect: 'NoSchedule' }] })), nodePoolHashV1(np))
    // The NodePool's spec outside the template (disruption, limits, weight) is not hashed.
    assert.equal(nodePoolHashV1(v1NodePool({}, undefined, { consolidationPolicy: 'WhenEmpty', consolidateAfter: '1m' })), nodePoolHashV1(np))
  })
  it('the EC2NodeClass hash leaves out selector terms and ipPrefixCount, and hashes the resolved AMI family, not the field', () => {
    const nc = v1NodeClass()
    assert.match(nodeClassHashV1(nc), /^\d+$/)
    assert.equal(nodeClassHashV1(withSpec({ subnetSelectorTerms: [{ id: 'subnet-other' }] })), nodeClassHashV1(nc))
    assert.equal(nodeClassHashV1(withSpec({ securityGroupSelectorTerms: [{ name: 'other' }] })), nodeClassHashV1(nc))
    assert.equal(nodeClassHashV1(withSpec({ amiSelectorTerms: [{ alias: 'al2023@v20261201' }] })), nodeClassHashV1(nc))
    assert.equal(nodeClassHashV1(withSpec({ ipPrefixCount: 2 } as Partial<EC2NodeClassV1['spec']>)), nodeClassHashV1(nc))
    // amiFamily unset or AL2023 beside al2023@latest: the same family, the same hash; al2@latest is another.
    assert.equal(nodeClassHashV1(withSpec({ amiFamily: 'AL2023' })), nodeClassHashV1(nc))
    assert.notEqual(nodeClassHashV1(withSpec({ amiSelectorTerms: [{ alias: 'al2@latest' }] })), nodeClassHashV1(nc))
    assert.notEqual(nodeClassHashV1(withSpec({ tags: { project: 'build-on-aws', intent: 'apps', team: 'x' } })), nodeClassHashV1(nc))
    assert.notEqual(nodeClassHashV1(withSpec({ kubelet: { systemReserved: { cpu: '200m', memory: '100Mi' } } })), nodeClassHashV1(nc))
  })
  it("a NodeClaim of another hash version gets the controller's version and the current hash, unless it is drifted (updateNodeClaimHash)", () => {
    const keys = { hash: 'karpenter.sh/nodepool-hash', version: 'karpenter.sh/nodepool-hash-version' }
    const claim = (annotations: Record<string, string>, drifted = false) =>
      ({
        metadata: { annotations },
        status: drifted ? { conditions: [{ type: 'Drifted', status: 'True', reason: 'NodePoolDrifted', message: '', lastTransitionTime: '' }] } : {},
      }) as NodeClaimV1
    assert.equal(rehashedNodeClaimAnnotations(claim({ [keys.hash]: '1', [keys.version]: 'v3' }), keys, 'v3', '2'), undefined)
    assert.deepEqual(rehashedNodeClaimAnnotations(claim({ [keys.hash]: '1', [keys.version]: 'v2' }), keys, 'v3', '2'), {
      [keys.hash]: '2',
      [keys.version]: 'v3',
    })
    assert.deepEqual(rehashedNodeClaimAnnotations(claim({ [keys.hash]: '1' }, true), keys, 'v3', '2'), { [keys.hash]: '1', [keys.version]: 'v3' })
  })
})
