// Karpenter conformance, 1.x twin: aws/karpenter-provider-aws@v1.9.2
// pkg/apis/v1/ec2nodeclass_hash_test.go, ported against `nodeClassHashV1`
// (sandbox/karpenter/v1/nodeclaim.ts → v1/hashstructure.ts): the `karpenter.k8s.aws/ec2nodeclass-hash`
// the nodeclass.hash controller writes and NodeClassDrift compares. The twin computes
// hashstructure v2's number over the Go types, so upstream's static hashes are compared as they are.
// The fixture is upstream's BeforeEach nodeClass as the JSON the API server would hold (no selector
// terms, no amiFamily: AMIFamily() resolves to Custom); `changed` plays
// `mergo.Merge(nodeClass, changes, mergo.WithOverride, mergo.WithSliceDeepCopy)`: maps gain the
// keys, pointer structs merge field by field, slices merge element by element from index 0.

import assert from 'node:assert/strict'
import type { EC2NodeClassV1 } from '../../../../sandbox/karpenter/v1/api.ts'
import { nodeClassHashV1 } from '../../../../sandbox/karpenter/v1/nodeclaim.ts'
import { conformance, type PortedCase } from '../harness.ts'

const STATIC_HASH = '4950366118253097694'

type Spec = EC2NodeClassV1['spec']

function base(): EC2NodeClassV1 {
  return {
    metadata: { name: 'test-nodeclass' },
    spec: {
      role: 'role-1',
      tags: { 'keyTag-1': 'valueTag-1', 'keyTag-2': 'valueTag-2' },
      context: 'fake-context',
      detailedMonitoring: false,
      associatePublicIPAddress: false,
      metadataOptions: { httpEndpoint: 'disabled', httpProtocolIPv6: 'disabled', httpPutResponseHopLimit: 1, httpTokens: 'optional' },
      blockDeviceMappings: [
        {
          deviceName: 'map-device-1',
          rootVolume: false,
          ebs: {
            deleteOnTermination: false,
            encrypted: false,
            iops: 0,
            kmsKeyID: 'fakeKMSKeyID',
            snapshotID: 'fakeSnapshot',
            throughput: 0,
            // resource.NewScaledQuantity(2, resource.Giga)
            volumeSize: '2G',
            volumeType: 'standard',
          },
        },
        { deviceName: 'map-device-2' },
      ],
      userData: 'userdata-test-1',
    } as unknown as Spec,
  }
}

/** mergo.Merge(dst, src, WithOverride, WithSliceDeepCopy) over JSON values. */
function merge(dst: unknown, src: unknown): unknown {
  if (Array.isArray(src)) {
    const out: unknown[] = Array.isArray(dst) ? [...(dst as unknown[])] : []
    ;(src as unknown[]).forEach((e, i) => (out[i] = i < out.length ? merge(out[i], e) : e))
    return out
  }
  if (src && typeof src === 'object') {
    const out: Record<string, unknown> = dst && typeof dst === 'object' ? { ...(dst as Record<string, unknown>) } : {}
    for (const [k, v] of Object.entries(src)) out[k] = merge(out[k], v)
    return out
  }
  return src
}

const changed = (changes: Partial<Spec>): EC2NodeClassV1 => {
  const nc = base()
  return { ...nc, spec: merge(nc.spec, changes) as Spec }
}
const hash = (nc: EC2NodeClassV1) => nodeClassHashV1(nc)

/** The static-field entries both tables share: [entry, changes, upstream's hash]. */
const STATIC: [string, Partial<Spec>, string][] = [
  ['UserData', { userData: 'userdata-test-2' }, '9034828637236670345'],
  ['Tags', { tags: { 'keyTag-test-3': 'valueTag-test-3' } }, '6878220270322275255'],
  ['Context', { context: 'context-2' }, '13953931752662869657'],
  ['DetailedMonitoring', { detailedMonitoring: true }, '14187487647319890991'],
  ['InstanceStorePolicy', { instanceStorePolicy: 'RAID0' }, '4160809219257698490'],
  ['AssociatePublicIPAddress', { associatePublicIPAddress: true }, '4469320567057431454'],
  ['MetadataOptions HTTPEndpoint', { metadataOptions: { httpEndpoint: 'enabled' } }, '1277386558528601282'],
  ['MetadataOptions HTTPProtocolIPv6', { metadataOptions: { httpProtocolIPv6: 'enabled' } }, '14697047633165484196'],
  ['MetadataOptions HTTPPutResponseHopLimit', { metadataOptions: { httpPutResponseHopLimit: 10 } }, '2086799014304536137'],
  ['MetadataOptions HTTPTokens', { metadataOptions: { httpTokens: 'required' } }, '14750841460622248593'],
  ['BlockDeviceMapping DeviceName', { blockDeviceMappings: [{ deviceName: 'map-device-test-3' }] }, '11716516558705174498'],
  ['BlockDeviceMapping RootVolume', { blockDeviceMappings: [{ rootVolume: true }] }, '11900810786014401721'],
  ['BlockDeviceMapping DeleteOnTermination', { blockDeviceMappings: [{ ebs: { deleteOnTermination: true } }] }, '14586255897156659742'],
  ['BlockDeviceMapping Encrypted', { blockDeviceMappings: [{ ebs: { encrypted: true } }] }, '10872029821841773628'],
  ['BlockDeviceMapping IOPS', { blockDeviceMappings: [{ ebs: { iops: 10 } }] }, '9202874311950700210'],
  ['BlockDeviceMapping KMSKeyID', { blockDeviceMappings: [{ ebs: { kmsKeyID: 'test' } }] }, '14601456769467439478'],
  ['BlockDeviceMapping SnapshotID', { blockDeviceMappings: [{ ebs: { snapshotID: 'test' } }] }, '8031059801598053215'],
  ['BlockDeviceMapping Throughput', { blockDeviceMappings: [{ ebs: { throughput: 10 } }] }, '14410045481146650034'],
  ['BlockDeviceMapping VolumeType', { blockDeviceMappings: [{ ebs: { volumeType: 'io1' } }] }, '9480251663542054235'],
]

const onChange = 'Hash › should match static hash on field value change › '
const changes = 'Hash › should change hash when static fields are updated › '

const volumeSize10G = () => {
  const nc = base()
  nc.spec.blockDeviceMappings![0].ebs!.volumeSize = '10G'
  return nc
}
const instanceProfile = (name: string) => {
  const nc = base()
  delete nc.spec.role
  nc.spec.instanceProfile = name
  return nc
}
const reorderedTags = () => {
  const nc = base()
  nc.spec.tags = { 'keyTag-2': 'valueTag-2', 'keyTag-1': 'valueTag-1' }
  return nc
}
const reorderedMappings = () => {
  const nc = base()
  nc.spec.blockDeviceMappings = [nc.spec.blockDeviceMappings![1], nc.spec.blockDeviceMappings![0]]
  return nc
}

const cases: PortedCase[] = [
  { name: `${onChange}Base EC2NodeClass`, run: () => assert.equal(hash(base()), STATIC_HASH) },
  ...STATIC.map(([entry, c, expected]) => ({ name: `${onChange}${entry}`, run: () => assert.equal(hash(changed(c)), expected) })),
  {
    name: `${onChange}Modified AMISelector`,
    run: () => assert.equal(hash(changed({ amiSelectorTerms: [{ tags: { '': 'ami-test-value' } }] })), STATIC_HASH),
  },
  {
    name: `${onChange}Modified SubnetSelector`,
    run: () => assert.equal(hash(changed({ subnetSelectorTerms: [{ tags: { 'subnet-test-key': 'subnet-test-value' } }] })), STATIC_HASH),
  },
  {
    name: `${onChange}Modified SecurityGroupSelector`,
    run: () => assert.equal(hash(changed({ securityGroupSelectorTerms: [{ tags: { 'security-group-test-key': 'security-group-test-value' } }] })), STATIC_HASH),
  },
  {
    name: 'Hash › should match static hash when updating blockDeviceMapping volumeSize',
    run: () => assert.equal(hash(volumeSize10G()), '5906178522470964189'),
  },
  {
    name: 'Hash › should match static hash for instanceProfile',
    run: () => assert.equal(hash(instanceProfile('test-instance-profile')), '5855570904022890593'),
  },
  { name: 'Hash › should match static hash when reordering tags', run: () => assert.equal(hash(reorderedTags()), STATIC_HASH) },
  { name: 'Hash › should match static hash when reordering blockDeviceMappings', run: () => assert.equal(hash(reorderedMappings()), STATIC_HASH) },
  ...STATIC.map(([entry, c]) => ({ name: `${changes}${entry}`, run: () => assert.notEqual(hash(changed(c)), hash(base())) })),
  { name: 'Hash › should change hash blockDeviceMapping volumeSize is updated', run: () => assert.notEqual(hash(volumeSize10G()), hash(base())) },
  {
    name: 'Hash › should change hash when instanceProfile is updated',
    run: () => assert.notEqual(hash(instanceProfile('other-instance-profile')), hash(instanceProfile('test-instance-profile'))),
  },
  { name: 'Hash › should not change hash when tags are re-ordered', run: () => assert.equal(hash(reorderedTags()), hash(base())) },
  { name: 'Hash › should not change hash when blockDeviceMappings are re-ordered', run: () => assert.equal(hash(reorderedMappings()), hash(base())) },
  {
    name: 'Hash › should not change hash when behavior/dynamic fields are updated',
    run: () => {
      const nc = base()
      nc.spec.subnetSelectorTerms = [{ tags: { 'subnet-test-key': 'subnet-test-value' } }]
      nc.spec.securityGroupSelectorTerms = [{ tags: { 'sg-test-key': 'sg-test-value' } }]
      nc.spec.amiSelectorTerms = [{ tags: { 'ami-test-key': 'ami-test-value' } }]
      ;(nc.spec as Record<string, unknown>).capacityReservationSelectorTerms = [{ tags: { 'cr-test-key': 'cr-test-value' } }]
      assert.equal(hash(nc), hash(base()))
    },
  },
  {
    name: 'Hash › should expect two EC2NodeClasses with the same spec to have the same hash',
    run: () => assert.equal(hash({ metadata: {}, spec: base().spec }), hash(base())),
  },
]

conformance({
  repo: 'aws/karpenter-provider-aws',
  tag: 'v1.9.2',
  file: 'pkg/apis/v1/ec2nodeclass_hash_test.go',
  twin: 'v1.9.2',
  area: 'drift',
  upstreamCases: 52,
  cases,
  notPorted: [],
})
