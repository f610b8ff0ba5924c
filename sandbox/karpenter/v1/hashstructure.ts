// The drift hashes of Karpenter 1.9, computed as Go computes them: mitchellh/hashstructure v2.0.2
// (`Hash(v, FormatV2, &HashOptions{SlicesAsSets: true, IgnoreZeroValue: true, ZeroNil: true})`,
// hashstructure.go `walker.visit`) walked over the Go types the JSON decodes into. The hash depends
// on those types (struct and field names, field order, integer widths, pointer or not) and on the
// `hash:"ignore"` / `hash:"string"` tags, so each type below transcribes its Go declaration:
// - kubernetes-sigs/karpenter@v1.9.1 pkg/apis/v1/nodepool.go (NodeClaimTemplate, ObjectMeta,
//   NodeClaimTemplateSpec: requirements `hash:"ignore"`), nodeclaim.go (NodeClassReference),
//   duration.go (NillableDuration: `Raw` ignored, "Never" decodes to the zero value);
// - aws/karpenter-provider-aws@v1.9.2 pkg/apis/v1/ec2nodeclass.go (EC2NodeClassSpec: subnet,
//   security-group, capacity-reservation and AMI selector terms, ipPrefixCount and amiFamily
//   `hash:"ignore"`; KubeletConfiguration, BlockDeviceMapping, BlockDevice with volumeSize
//   `hash:"string"`, MetadataOptions);
// - k8s.io/api core/v1 Taint, apimachinery metav1.Duration.
// The numbers are the ones real Karpenter writes in `karpenter.sh/nodepool-hash` and
// `karpenter.k8s.aws/ec2nodeclass-hash` (held to upstream's static hashes in
// test/conformance/karpenter/v1.9.2/ec2nodeclass-hash.test.ts).

import { parseQuantity } from '../../k8s/quantity.ts'
import { parseGoDuration } from '../../runtime/clock.ts'

/** A Go type as hashstructure sees it. `int` is a sized integer (bytes: 1, 4 or 8). */
type GoType =
  | { kind: 'string' }
  | { kind: 'bool' }
  | { kind: 'int'; bytes: 1 | 2 | 4 | 8 }
  | { kind: 'ptr'; elem: GoType }
  | { kind: 'slice'; elem: GoType }
  | { kind: 'map'; key: GoType; value: GoType }
  | { kind: 'struct'; name: string; fields: GoField[]; decode?: (json: unknown) => unknown }
  /** A value hashed through its `String()` (a field tagged `hash:"string"`): resource.Quantity. */
  | { kind: 'quantity' }

interface GoField {
  /** The Go field name (an embedded field is named by its type). */
  name: string
  /** The JSON key it decodes from. */
  json: string
  type: GoType
  tag?: 'ignore' | 'string'
}

const STRING: GoType = { kind: 'string' }
const BOOL: GoType = { kind: 'bool' }
const INT32: GoType = { kind: 'int', bytes: 4 }
const INT64: GoType = { kind: 'int', bytes: 8 }
const ptr = (elem: GoType): GoType => ({ kind: 'ptr', elem })
const slice = (elem: GoType): GoType => ({ kind: 'slice', elem })
const STRING_MAP: GoType = { kind: 'map', key: STRING, value: STRING }

const nanos = (d: string): bigint => BigInt(Math.round(parseGoDuration(d) * 1e6))

/** apimachinery metav1.Duration: `struct { Duration time.Duration }`, JSON a Go duration string. */
const META_DURATION: GoType = {
  kind: 'struct',
  name: 'Duration',
  fields: [{ name: 'Duration', json: 'Duration', type: INT64 }],
  decode: (v) => (typeof v === 'string' ? { Duration: nanos(v) } : v),
}

/** core duration.go NillableDuration: `{ *time.Duration; Raw []byte hash:"ignore" }`; "Never" is nil. */
const NILLABLE_DURATION: GoType = {
  kind: 'struct',
  name: 'NillableDuration',
  fields: [
    { name: 'Duration', json: 'Duration', type: ptr(INT64) },
    { name: 'Raw', json: 'Raw', type: slice({ kind: 'int', bytes: 1 }), tag: 'ignore' },
  ],
  decode: (v) => (typeof v === 'string' && v !== 'Never' ? { Duration: nanos(v) } : {}),
}

/** k8s.io/api core/v1 Taint. TimeAdded (a metav1.Time) is not modelled: NodePool templates leave it unset. */
const TAINT: GoType = {
  kind: 'struct',
  name: 'Taint',
  fields: [
    { name: 'Key', json: 'key', type: STRING },
    { name: 'Value', json: 'value', type: STRING },
    { name: 'Effect', json: 'effect', type: STRING },
  ],
}

/** core nodepool.go NodeClaimTemplate: what `NodePool.Hash()` hashes (`in.Spec.Template`). */
const NODECLAIM_TEMPLATE: GoType = {
  kind: 'struct',
  name: 'NodeClaimTemplate',
  fields: [
    {
      name: 'ObjectMeta',
      json: 'metadata',
      type: {
        kind: 'struct',
        name: 'ObjectMeta',
        fields: [
          { name: 'Labels', json: 'labels', type: STRING_MAP },
          { name: 'Annotations', json: 'annotations', type: STRING_MAP },
        ],
      },
    },
    {
      name: 'Spec',
      json: 'spec',
      type: {
        kind: 'struct',
        name: 'NodeClaimTemplateSpec',
        fields: [
          { name: 'Taints', json: 'taints', type: slice(TAINT) },
          { name: 'StartupTaints', json: 'startupTaints', type: slice(TAINT) },
          // Requirements drift is its own check (drift.go areRequirementsDrifted).
          { name: 'Requirements', json: 'requirements', type: slice(STRING), tag: 'ignore' },
          {
            name: 'NodeClassRef',
            json: 'nodeClassRef',
            type: ptr({
              kind: 'struct',
              name: 'NodeClassReference',
              fields: [
                { name: 'Kind', json: 'kind', type: STRING },
                { name: 'Name', json: 'name', type: STRING },
                { name: 'Group', json: 'group', type: STRING },
              ],
            }),
          },
          { name: 'TerminationGracePeriod', json: 'terminationGracePeriod', type: ptr(META_DURATION) },
          { name: 'ExpireAfter', json: 'expireAfter', type: NILLABLE_DURATION },
        ],
      },
    },
  ],
}

const KUBELET: GoType = {
  kind: 'struct',
  name: 'KubeletConfiguration',
  fields: [
    { name: 'ClusterDNS', json: 'clusterDNS', type: slice(STRING) },
    { name: 'MaxPods', json: 'maxPods', type: ptr(INT32) },
    { name: 'PodsPerCore', json: 'podsPerCore', type: ptr(INT32) },
    { name: 'SystemReserved', json: 'systemReserved', type: STRING_MAP },
    { name: 'KubeReserved', json: 'kubeReserved', type: STRING_MAP },
    { name: 'EvictionHard', json: 'evictionHard', type: STRING_MAP },
    { name: 'EvictionSoft', json: 'evictionSoft', type: STRING_MAP },
    { name: 'EvictionSoftGracePeriod', json: 'evictionSoftGracePeriod', type: { kind: 'map', key: STRING, value: META_DURATION } },
    { name: 'EvictionMaxPodGracePeriod', json: 'evictionMaxPodGracePeriod', type: ptr(INT32) },
    { name: 'ImageGCHighThresholdPercent', json: 'imageGCHighThresholdPercent', type: ptr(INT32) },
    { name: 'ImageGCLowThresholdPercent', json: 'imageGCLowThresholdPercent', type: ptr(INT32) },
    { name: 'CPUCFSQuota', json: 'cpuCFSQuota', type: ptr(BOOL) },
  ],
}

const BLOCK_DEVICE_MAPPING: GoType = {
  kind: 'struct',
  name: 'BlockDeviceMapping',
  fields: [
    { name: 'DeviceName', json: 'deviceName', type: ptr(STRING) },
    {
      name: 'EBS',
      json: 'ebs',
      type: ptr({
        kind: 'struct',
        name: 'BlockDevice',
        fields: [
          { name: 'DeleteOnTermination', json: 'deleteOnTermination', type: ptr(BOOL) },
          { name: 'Encrypted', json: 'encrypted', type: ptr(BOOL) },
          { name: 'IOPS', json: 'iops', type: ptr(INT64) },
          { name: 'KMSKeyID', json: 'kmsKeyID', type: ptr(STRING) },
          { name: 'SnapshotID', json: 'snapshotID', type: ptr(STRING) },
          { name: 'Throughput', json: 'throughput', type: ptr(INT64) },
          { name: 'VolumeInitializationRate', json: 'volumeInitializationRate', type: ptr(INT32) },
          { name: 'VolumeSize', json: 'volumeSize', type: ptr({ kind: 'quantity' }), tag: 'string' },
          { name: 'VolumeType', json: 'volumeType', type: ptr(STRING) },
        ],
      }),
    },
    { name: 'RootVolume', json: 'rootVolume', type: BOOL },
  ],
}

/** A selector term's type does not matter: the fields holding them are `hash:"ignore"`. */
const IGNORED_TERMS = slice(STRING)

/** aws ec2nodeclass.go EC2NodeClassSpec, field by field in declaration order. */
const EC2NODECLASS_SPEC: GoType = {
  kind: 'struct',
  name: 'EC2NodeClassSpec',
  fields: [
    { name: 'SubnetSelectorTerms', json: 'subnetSelectorTerms', type: IGNORED_TERMS, tag: 'ignore' },
    { name: 'SecurityGroupSelectorTerms', json: 'securityGroupSelectorTerms', type: IGNORED_TERMS, tag: 'ignore' },
    { name: 'CapacityReservationSelectorTerms', json: 'capacityReservationSelectorTerms', type: IGNORED_TERMS, tag: 'ignore' },
    { name: 'AssociatePublicIPAddress', json: 'associatePublicIPAddress', type: ptr(BOOL) },
    { name: 'IPPrefixCount', json: 'ipPrefixCount', type: ptr(INT32), tag: 'ignore' },
    { name: 'AMISelectorTerms', json: 'amiSelectorTerms', type: IGNORED_TERMS, tag: 'ignore' },
    // Hashed through the resolved family instead (EC2NodeClass.Hash hashes `in.AMIFamily()` beside the spec).
    { name: 'AMIFamily', json: 'amiFamily', type: ptr(STRING), tag: 'ignore' },
    { name: 'UserData', json: 'userData', type: ptr(STRING) },
    { name: 'Role', json: 'role', type: STRING },
    { name: 'InstanceProfile', json: 'instanceProfile', type: ptr(STRING) },
    { name: 'Tags', json: 'tags', type: STRING_MAP },
    { name: 'Kubelet', json: 'kubelet', type: ptr(KUBELET) },
    { name: 'BlockDeviceMappings', json: 'blockDeviceMappings', type: slice(ptr(BLOCK_DEVICE_MAPPING)) },
    { name: 'InstanceStorePolicy', json: 'instanceStorePolicy', type: ptr(STRING) },
    { name: 'DetailedMonitoring', json: 'detailedMonitoring', type: ptr(BOOL) },
    {
      name: 'MetadataOptions',
      json: 'metadataOptions',
      type: ptr({
        kind: 'struct',
        name: 'MetadataOptions',
        fields: [
          { name: 'HTTPEndpoint', json: 'httpEndpoint', type: ptr(STRING) },
          { name: 'HTTPProtocolIPv6', json: 'httpProtocolIPv6', type: ptr(STRING) },
          { name: 'HTTPPutResponseHopLimit', json: 'httpPutResponseHopLimit', type: ptr(INT64) },
          { name: 'HTTPTokens', json: 'httpTokens', type: ptr(STRING) },
        ],
      }),
    },
    { name: 'Context', json: 'context', type: ptr(STRING) },
  ],
}

// ---- hashstructure v2.0.2, FormatV2, SlicesAsSets + IgnoreZeroValue + ZeroNil ----

const MASK = 0xffffffffffffffffn
const OFFSET = 0xcbf29ce484222325n
const PRIME = 0x100000001b3n

/** hash/fnv New64 (FNV-1, hashstructure's default Hasher) over bytes. */
function fnv64(bytes: Uint8Array): bigint {
  let h = OFFSET
  for (const b of bytes) h = ((h * PRIME) & MASK) ^ BigInt(b)
  return h
}

/** binary.Write(h, LittleEndian, v) of a sized integer. */
function le(v: bigint, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes)
  let x = BigInt.asUintN(bytes * 8, v)
  for (let i = 0; i < bytes; i++) {
    out[i] = Number(x & 0xffn)
    x >>= 8n
  }
  return out
}

const hashString = (s: string): bigint => fnv64(new TextEncoder().encode(s))

/** hashUpdateOrdered: FNV over both words. */
function ordered(a: bigint, b: bigint): bigint {
  const buf = new Uint8Array(16)
  buf.set(le(a, 8), 0)
  buf.set(le(b, 8), 8)
  return fnv64(buf)
}

/** hashFinishUnordered: FNV over the word. */
const finish = (a: bigint): bigint => fnv64(le(a, 8))

const isNil = (v: unknown): boolean => v === undefined || v === null

/** reflect.Value.IsZero of the value `json` decodes to. */
function isZero(json: unknown, type: GoType): boolean {
  switch (type.kind) {
    case 'ptr':
    case 'slice':
    case 'map':
      return isNil(json)
    case 'string':
      return isNil(json) || json === ''
    case 'bool':
      return isNil(json) || json === false
    case 'int':
      return isNil(json) || BigInt(json as number | bigint) === 0n
    case 'quantity':
      return isNil(json) || parseQuantity(String(json)).nano === 0n
    case 'struct': {
      const v = (type.decode ? type.decode(json) : json) as Record<string, unknown> | undefined
      return type.fields.every((f) => isZero(v?.[f.json], f.type))
    }
  }
}

/** walker.visit for a value of `type` decoded from `json` (undefined = Go's zero value / a nil pointer). */
function goHash(json: unknown, type: GoType): bigint {
  switch (type.kind) {
    case 'ptr':
      // ZeroNil: a nil pointer hashes as its element type's zero value.
      return goHash(isNil(json) ? undefined : json, type.elem)
    case 'string':
      return hashString(isNil(json) ? '' : String(json))
    case 'bool':
      return fnv64(le(json === true ? 1n : 0n, 1))
    case 'int':
      return fnv64(le(isNil(json) ? 0n : BigInt(json as number | bigint), type.bytes))
    case 'quantity':
      // Only reached through a `hash:"string"` field in practice; the Stringer's canonical form.
      return hashString(isNil(json) ? '0' : parseQuantity(String(json)).toString())
    case 'slice': {
      // SlicesAsSets: elements XOR-ed, no finishing step (no `hash:"set"` tag on these fields).
      let h = 0n
      for (const e of (json as unknown[] | undefined) ?? []) h ^= goHash(e, type.elem)
      return h
    }
    case 'map': {
      let h = 0n
      for (const [k, v] of Object.entries((json as Record<string, unknown> | undefined) ?? {})) h ^= ordered(goHash(k, type.key), goHash(v, type.value))
      return finish(h)
    }
    case 'struct': {
      const v = ((type.decode ? type.decode(json) : json) ?? {}) as Record<string, unknown>
      let h = hashString(type.name)
      for (const f of type.fields) {
        // An ignored or zero field is skipped before the per-field finishing step (`continue`).
        if (f.tag === 'ignore') continue
        const value = v[f.json]
        if (isZero(value, f.type)) continue
        const vh = f.tag === 'string' ? hashString(parseQuantity(String(value)).toString()) : goHash(value, f.type)
        h ^= ordered(hashString(f.name), vh)
        h = finish(h)
      }
      return h
    }
  }
}

/** `NodePool.Hash()`: `hashstructure.Hash(in.Spec.Template, …)` as a decimal uint64. */
export function nodePoolTemplateHash(template: unknown): string {
  return goHash(template, NODECLAIM_TEMPLATE).toString()
}

/** `EC2NodeClass.Hash()`: `hashstructure.Hash([]any{in.Spec, in.AMIFamily()}, …)`: a slice, so a set. */
export function ec2NodeClassHash(spec: unknown, amiFamily: string): string {
  return (goHash(spec, EC2NODECLASS_SPEC) ^ hashString(amiFamily)).toString()
}
