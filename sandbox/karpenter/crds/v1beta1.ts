// Karpenter v0.32.1's custom resources (NodePool, NodeClaim: karpenter.sh/v1beta1;
// EC2NodeClass: karpenter.k8s.aws/v1beta1), described in TypeScript from the published CRDs:
// field types, enums, patterns, bounds, defaults, printer columns and the CEL rules, each with
// a predicate that evaluates it. Written for the sandbox, not generated from upstream files.

import type { Rule, Schema } from '../../kube/schema.ts'
import {
  EVICTION_SIGNAL,
  LABEL_VALUE,
  QUALIFIED_KEY,
  QUANTITY,
  arr,
  bool,
  celInt,
  celList,
  domain,
  has,
  int,
  keysOf,
  map,
  obj,
  quantity,
  resourceList,
  str,
  type SchemaOpts as Opts,
} from '../../kube/crds/builders.ts'
import type { CrdSpec } from '../../kube/crds/definitions.ts'

/* eslint-disable @typescript-eslint/no-unsafe-member-access -- CEL predicates read untyped JSON (`self`), as CEL itself does */

// v0.32.1's duration pattern, alternation unanchored as shipped (so 'Never' anywhere matches).
const DURATION = '^(([0-9]+(s|m|h))+)|(Never)$'

const WELL_KNOWN_K8S_LABELS = [
  'beta.kubernetes.io/instance-type',
  'failure-domain.beta.kubernetes.io/region',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/arch',
  'failure-domain.beta.kubernetes.io/zone',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'kubernetes.io/arch',
  'kubernetes.io/os',
  'node.kubernetes.io/windows-build',
]
const AWS_LABELS = [
  'karpenter.k8s.aws/instance-encryption-in-transit-supported',
  'karpenter.k8s.aws/instance-category',
  'karpenter.k8s.aws/instance-hypervisor',
  'karpenter.k8s.aws/instance-family',
  'karpenter.k8s.aws/instance-generation',
  'karpenter.k8s.aws/instance-local-nvme',
  'karpenter.k8s.aws/instance-size',
  'karpenter.k8s.aws/instance-cpu',
  'karpenter.k8s.aws/instance-memory',
  'karpenter.k8s.aws/instance-network-bandwidth',
  'karpenter.k8s.aws/instance-gpu-name',
  'karpenter.k8s.aws/instance-gpu-manufacturer',
  'karpenter.k8s.aws/instance-gpu-count',
  'karpenter.k8s.aws/instance-gpu-memory',
  'karpenter.k8s.aws/instance-accelerator-name',
  'karpenter.k8s.aws/instance-accelerator-manufacturer',
  'karpenter.k8s.aws/instance-accelerator-count',
]

// Restrictions on template labels (a map: every key is checked).
const labelMapRules: Rule[] = [
  {
    message: 'label domain "kubernetes.io" is restricted',
    rule: `self.all(x, x in ${celList(WELL_KNOWN_K8S_LABELS)} || x.startsWith("node.kubernetes.io") || x.startsWith("node-restriction.kubernetes.io") || !x.find("^([^/]+)").endsWith("kubernetes.io"))`,
    check: (self) =>
      keysOf(self).every(
        (x) =>
          WELL_KNOWN_K8S_LABELS.includes(x) ||
          x.startsWith('node.kubernetes.io') ||
          x.startsWith('node-restriction.kubernetes.io') ||
          !domain(x).endsWith('kubernetes.io'),
      ),
  },
  {
    message: 'label domain "k8s.io" is restricted',
    rule: 'self.all(x, x.startsWith("kops.k8s.io") || !x.find("^([^/]+)").endsWith("k8s.io"))',
    check: (self) => keysOf(self).every((x) => x.startsWith('kops.k8s.io') || !domain(x).endsWith('k8s.io')),
  },
  {
    message: 'label domain "karpenter.sh" is restricted',
    rule: 'self.all(x, x in ["karpenter.sh/capacity-type", "karpenter.sh/nodepool"] || !x.find("^([^/]+)").endsWith("karpenter.sh"))',
    check: (self) => keysOf(self).every((x) => ['karpenter.sh/capacity-type', 'karpenter.sh/nodepool'].includes(x) || !domain(x).endsWith('karpenter.sh')),
  },
  {
    message: 'label "karpenter.sh/nodepool" is restricted',
    rule: 'self.all(x, x != "karpenter.sh/nodepool")',
    check: (self) => keysOf(self).every((x) => x !== 'karpenter.sh/nodepool'),
  },
  {
    message: 'label "kubernetes.io/hostname" is restricted',
    rule: 'self.all(x, x != "kubernetes.io/hostname")',
    check: (self) => keysOf(self).every((x) => x !== 'kubernetes.io/hostname'),
  },
  {
    message: 'label domain "karpenter.k8s.aws" is restricted',
    rule: `self.all(x, x in ${celList(AWS_LABELS)} || !x.find("^([^/]+)").endsWith("karpenter.k8s.aws"))`,
    check: (self) => keysOf(self).every((x) => AWS_LABELS.includes(x) || !domain(x).endsWith('karpenter.k8s.aws')),
  },
]

// Restrictions on requirement keys (one string). NodeClaims allow karpenter.sh/nodepool.
function requirementKeyRules(forNodePool: boolean): Rule[] {
  const allowedK8s = [...WELL_KNOWN_K8S_LABELS.slice(0, 7), 'node.kubernetes.io/instance-type', ...WELL_KNOWN_K8S_LABELS.slice(7)]
  const rules: Rule[] = [
    {
      message: 'label domain "kubernetes.io" is restricted',
      rule: `self in ${celList(allowedK8s)} || self.startsWith("node.kubernetes.io/") || self.startsWith("node-restriction.kubernetes.io/") || !self.find("^([^/]+)").endsWith("kubernetes.io")`,
      check: (x: string) =>
        allowedK8s.includes(x) ||
        x.startsWith('node.kubernetes.io/') ||
        x.startsWith('node-restriction.kubernetes.io/') ||
        !domain(x).endsWith('kubernetes.io'),
    },
    {
      message: 'label domain "k8s.io" is restricted',
      rule: 'self.startsWith("kops.k8s.io/") || !self.find("^([^/]+)").endsWith("k8s.io")',
      check: (x: string) => x.startsWith('kops.k8s.io/') || !domain(x).endsWith('k8s.io'),
    },
    {
      message: 'label domain "karpenter.sh" is restricted',
      rule: 'self in ["karpenter.sh/capacity-type", "karpenter.sh/nodepool"] || !self.find("^([^/]+)").endsWith("karpenter.sh")',
      check: (x: string) => ['karpenter.sh/capacity-type', 'karpenter.sh/nodepool'].includes(x) || !domain(x).endsWith('karpenter.sh'),
    },
  ]
  if (forNodePool)
    rules.push({
      message: 'label "karpenter.sh/nodepool" is restricted',
      rule: 'self != "karpenter.sh/nodepool"',
      check: (x: string) => x !== 'karpenter.sh/nodepool',
    })
  rules.push(
    { message: 'label "kubernetes.io/hostname" is restricted', rule: 'self != "kubernetes.io/hostname"', check: (x: string) => x !== 'kubernetes.io/hostname' },
    {
      message: 'label domain "karpenter.k8s.aws" is restricted',
      rule: `self in ${celList(AWS_LABELS)} || !self.find("^([^/]+)").endsWith("karpenter.k8s.aws")`,
      check: (x: string) => AWS_LABELS.includes(x) || !domain(x).endsWith('karpenter.k8s.aws'),
    },
  )
  return rules
}

interface Requirement {
  key: string
  operator: string
  values?: string[]
}

function requirements(forNodePool: boolean): Schema {
  return arr(
    obj(
      {
        key: str({
          maxLength: 316,
          pattern: QUALIFIED_KEY,
          rules: requirementKeyRules(forNodePool),
          description: 'The label key that the selector applies to.',
        }),
        operator: str({ enum: ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'], description: "Represents a key's relationship to a set of values." }),
        // v0.32.1 puts maxLength/pattern on the array itself, where the apiserver ignores them.
        values: arr(str(), { description: 'An array of string values.' }),
      },
      { required: ['key', 'operator'] },
    ),
    {
      maxItems: 30,
      description: 'Requirements are layered with GetLabels and applied to every node.',
      rules: [
        {
          message: "requirements with operator 'In' must have a value defined",
          rule: "self.all(x, x.operator == 'In' ? x.values.size() != 0 : true)",
          check: (self: Requirement[]) =>
            self.every((x) => {
              if (x.operator !== 'In') return true
              if (!Array.isArray(x.values)) throw new TypeError('no such key: values')
              return x.values.length !== 0
            }),
        },
        {
          message: "requirements operator 'Gt' or 'Lt' must have a single positive integer value",
          rule: "self.all(x, (x.operator == 'Gt' || x.operator == 'Lt') ? (x.values.size() == 1 && int(x.values[0]) >= 0) : true)",
          check: (self: Requirement[]) =>
            self.every((x) => (x.operator === 'Gt' || x.operator === 'Lt' ? (x.values ?? []).length === 1 && celInt(x.values![0]) >= 0 : true)),
        },
      ],
    },
  )
}

const EVICTION_KEYS = ['memory.available', 'nodefs.available', 'nodefs.inodesFree', 'imagefs.available', 'imagefs.inodesFree', 'pid.available']
const evictionKeysRule = (field: string): Rule => ({
  message: `valid keys for ${field} are ['memory.available','nodefs.available','nodefs.inodesFree','imagefs.available','imagefs.inodesFree','pid.available']`,
  rule: `self.all(x, x in ['memory.available','nodefs.available','nodefs.inodesFree','imagefs.available','imagefs.inodesFree','pid.available'])`,
  check: (self) => keysOf(self).every((x) => EVICTION_KEYS.includes(x)),
})
const reservedRules = (field: string): Rule[] => [
  {
    message: `valid keys for ${field} are ['cpu','memory','ephemeral-storage','pid']`,
    rule: "self.all(x, x=='cpu' || x=='memory' || x=='ephemeral-storage' || x=='pid')",
    check: (self) => keysOf(self).every((x) => ['cpu', 'memory', 'ephemeral-storage', 'pid'].includes(x)),
  },
  {
    message: `${field} value cannot be a negative resource quantity`,
    rule: "self.all(x, !self[x].startsWith('-'))",
    // CEL's startsWith has no overload for an integer, so an int value fails the rule, as it does on a real server.
    check: (self: Record<string, unknown>) =>
      keysOf(self).every((x) => {
        const v = self[x]
        if (typeof v !== 'string') throw new TypeError('no such overload')
        return !v.startsWith('-')
      }),
  },
]

/** The kubelet settings (v1beta1 NodePool; in v1 they moved, unchanged, to the EC2NodeClass). */
export const kubelet = obj(
  {
    clusterDNS: arr(str()),
    cpuCFSQuota: bool(),
    evictionHard: map(str({ pattern: EVICTION_SIGNAL }), { rules: [evictionKeysRule('evictionHard')] }),
    evictionMaxPodGracePeriod: int({ format: 'int32' }),
    evictionSoft: map(str({ pattern: EVICTION_SIGNAL }), { rules: [evictionKeysRule('evictionSoft')] }),
    evictionSoftGracePeriod: map(str(), { rules: [evictionKeysRule('evictionSoftGracePeriod')] }),
    imageGCHighThresholdPercent: int({ format: 'int32', minimum: 0, maximum: 100 }),
    imageGCLowThresholdPercent: int({ format: 'int32', minimum: 0, maximum: 100 }),
    kubeReserved: map(quantity(), { rules: reservedRules('kubeReserved') }),
    maxPods: int({ format: 'int32', minimum: 0 }),
    podsPerCore: int({ format: 'int32', minimum: 0 }),
    systemReserved: map(quantity(), { rules: reservedRules('systemReserved') }),
  },
  {
    description: 'Kubelet defines args to be used when configuring kubelet on provisioned nodes.',
    rules: [
      {
        message: 'imageGCHighThresholdPercent must be greater than imageGCLowThresholdPercent',
        rule: 'has(self.imageGCHighThresholdPercent) && has(self.imageGCLowThresholdPercent) ?  self.imageGCHighThresholdPercent > self.imageGCLowThresholdPercent  : true',
        check: (self) =>
          has(self, 'imageGCHighThresholdPercent') && has(self, 'imageGCLowThresholdPercent')
            ? self.imageGCHighThresholdPercent > self.imageGCLowThresholdPercent
            : true,
      },
      {
        message: 'evictionSoft OwnerKey does not have a matching evictionSoftGracePeriod',
        rule: 'has(self.evictionSoft) ? self.evictionSoft.all(e, (e in self.evictionSoftGracePeriod)):true',
        check: (self) => {
          if (!has(self, 'evictionSoft')) return true
          if (!has(self, 'evictionSoftGracePeriod')) throw new TypeError('no such key: evictionSoftGracePeriod')
          return keysOf(self.evictionSoft).every((e) => e in self.evictionSoftGracePeriod)
        },
      },
      {
        message: 'evictionSoftGracePeriod OwnerKey does not have a matching evictionSoft',
        rule: 'has(self.evictionSoftGracePeriod) ? self.evictionSoftGracePeriod.all(e, (e in self.evictionSoft)):true',
        check: (self) => {
          if (!has(self, 'evictionSoftGracePeriod')) return true
          if (!has(self, 'evictionSoft')) throw new TypeError('no such key: evictionSoft')
          return keysOf(self.evictionSoftGracePeriod).every((e) => e in self.evictionSoft)
        },
      },
    ],
  },
)

export const taint = obj(
  {
    effect: str({ enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] }),
    key: str({ minLength: 1, pattern: QUALIFIED_KEY }),
    timeAdded: str({ format: 'date-time' }),
    value: str({ pattern: QUALIFIED_KEY }),
  },
  { required: ['effect', 'key'] },
)

const nodeClassRef = obj(
  { apiVersion: str(), kind: str(), name: str() },
  { required: ['name'], description: 'NodeClassRef is a reference to an object that defines provider specific configuration' },
)

function nodeClaimSpecProps(forNodePool: boolean): Record<string, Schema> {
  return {
    kubelet,
    nodeClassRef,
    requirements: requirements(forNodePool),
    resources: obj({ requests: map(quantity()) }),
    startupTaints: arr(taint),
    taints: arr(taint),
  }
}

const nodePoolSchema: Schema = obj({
  apiVersion: str(),
  kind: str(),
  metadata: { type: 'object' },
  spec: obj(
    {
      disruption: obj(
        {
          consolidateAfter: str({ pattern: DURATION }),
          consolidationPolicy: str({ enum: ['WhenEmpty', 'WhenUnderutilized'], default: 'WhenUnderutilized' }),
          expireAfter: str({ pattern: DURATION, default: '720h' }),
        },
        {
          default: { consolidationPolicy: 'WhenUnderutilized', expireAfter: '720h' },
          description: "Disruption contains the parameters that relate to Karpenter's disruption logic",
          rules: [
            {
              message: 'consolidateAfter cannot be combined with consolidationPolicy=WhenUnderutilized',
              rule: "has(self.consolidateAfter) ? self.consolidationPolicy != 'WhenUnderutilized' || self.consolidateAfter == 'Never' : true",
              check: (self) => (has(self, 'consolidateAfter') ? self.consolidationPolicy !== 'WhenUnderutilized' || self.consolidateAfter === 'Never' : true),
            },
            {
              message: 'consolidateAfter must be specified with consolidationPolicy=WhenEmpty',
              rule: "self.consolidationPolicy == 'WhenEmpty' ? has(self.consolidateAfter) : true",
              check: (self) => (self.consolidationPolicy === 'WhenEmpty' ? has(self, 'consolidateAfter') : true),
            },
          ],
        },
      ),
      limits: resourceList(),
      template: obj({
        metadata: obj({
          annotations: map(str()),
          labels: map(str({ maxLength: 63, pattern: LABEL_VALUE }), { maxProperties: 100, rules: labelMapRules }),
        }),
        spec: obj(nodeClaimSpecProps(true), { required: ['nodeClassRef', 'requirements'] }),
      }),
      weight: int({ format: 'int32', minimum: 1, maximum: 100 }),
    },
    { description: 'NodePoolSpec is the top level nodepool specification.' },
  ),
  status: obj({ resources: resourceList() }),
})

const nodeClaimSchema: Schema = obj({
  apiVersion: str(),
  kind: str(),
  metadata: { type: 'object' },
  spec: obj(nodeClaimSpecProps(false), { required: ['nodeClassRef', 'requirements'] }),
  status: obj({
    allocatable: resourceList(),
    capacity: resourceList(),
    conditions: arr(
      obj({ lastTransitionTime: str(), message: str(), reason: str(), severity: str(), status: str(), type: str() }, { required: ['status', 'type'] }),
    ),
    imageID: str(),
    nodeName: str(),
    providerID: str(),
  }),
})

export const tagMap = (o: Opts = {}) =>
  map(str(), {
    maxProperties: 20,
    rules: [
      {
        message: "empty tag keys or values aren't supported",
        rule: "self.all(k, k != '' && self[k] != '')",
        check: (self: Record<string, string>) => keysOf(self).every((k) => k !== '' && self[k] !== ''),
      },
    ],
    ...o,
  })

const ec2NodeClassSchema: Schema = obj({
  apiVersion: str(),
  kind: str(),
  metadata: { type: 'object' },
  spec: obj(
    {
      amiFamily: str({ enum: ['AL2', 'Bottlerocket', 'Ubuntu', 'Custom', 'Windows2019', 'Windows2022'] }),
      amiSelectorTerms: arr(obj({ id: str({ pattern: 'ami-[0-9a-z]+' }), name: str(), owner: str(), tags: tagMap() }), {
        maxItems: 30,
        rules: [
          {
            message: "expected at least one, got none, ['tags', 'id', 'name']",
            rule: 'self.all(x, has(x.tags) || has(x.id) || has(x.name))',
            check: (self: unknown[]) => self.every((x) => has(x, 'tags') || has(x, 'id') || has(x, 'name')),
          },
          {
            message: "'id' is mutually exclusive, cannot be set with a combination of other fields in amiSelectorTerms",
            rule: '!self.all(x, has(x.id) && (has(x.tags) || has(x.name) || has(x.owner)))',
            check: (self: unknown[]) => !self.every((x) => has(x, 'id') && (has(x, 'tags') || has(x, 'name') || has(x, 'owner'))),
          },
          {
            message: "'owner' cannot be set with 'tags'",
            rule: '!self.all(x, has(x.owner) && has(x.tags))',
            check: (self: unknown[]) => !self.every((x) => has(x, 'owner') && has(x, 'tags')),
          },
        ],
      }),
      blockDeviceMappings: arr(
        obj({
          deviceName: str(),
          ebs: obj(
            {
              deleteOnTermination: bool(),
              encrypted: bool(),
              iops: int({ format: 'int64' }),
              kmsKeyID: str(),
              snapshotID: str(),
              throughput: int({ format: 'int64' }),
              volumeSize: {
                intOrString: true,
                allOfPatterns: [
                  QUANTITY,
                  '^((?:[1-9][0-9]{0,3}|[1-4][0-9]{4}|[5][0-8][0-9]{3}|59000)Gi|(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|[6][0-3][0-9]{3}|64000)G|([1-9]||[1-5][0-7]|58)Ti|([1-9]||[1-5][0-9]|6[0-3]|64)T)$',
                ],
              },
              volumeType: str({ enum: ['standard', 'io1', 'io2', 'gp2', 'sc1', 'st1', 'gp3'] }),
            },
            {
              rules: [
                {
                  message: 'snapshotID or volumeSize must be defined',
                  rule: 'has(self.snapshotID) || has(self.volumeSize)',
                  check: (self) => has(self, 'snapshotID') || has(self, 'volumeSize'),
                },
              ],
            },
          ),
          rootVolume: bool(),
        }),
        {
          maxItems: 50,
          rules: [
            {
              message: 'must have only one blockDeviceMappings with rootVolume',
              rule: 'self.filter(x, has(x.rootVolume)?x.rootVolume==true:false).size() <= 1',
              check: (self: { rootVolume?: boolean }[]) => self.filter((x) => x.rootVolume === true).length <= 1,
            },
          ],
        },
      ),
      context: str(),
      detailedMonitoring: bool(),
      metadataOptions: obj(
        {
          httpEndpoint: str({ enum: ['enabled', 'disabled'], default: 'enabled' }),
          httpProtocolIPv6: str({ enum: ['enabled', 'disabled'], default: 'disabled' }),
          httpPutResponseHopLimit: int({ format: 'int64', minimum: 1, maximum: 64, default: 2 }),
          httpTokens: str({ enum: ['required', 'optional'], default: 'required' }),
        },
        { default: { httpEndpoint: 'enabled', httpProtocolIPv6: 'disabled', httpPutResponseHopLimit: 2, httpTokens: 'required' } },
      ),
      role: str({
        description: 'Role is the AWS identity that nodes use.',
        rules: [
          { message: 'role cannot be empty', rule: "self != ''", check: (self) => self !== '' },
          { message: 'immutable field changed', rule: 'self == oldSelf', check: (self, oldSelf) => self === oldSelf, transition: true },
        ],
      }),
      securityGroupSelectorTerms: arr(obj({ id: str({ pattern: 'sg-[0-9a-z]+' }), name: str(), tags: tagMap() }), {
        maxItems: 30,
        rules: [
          { message: 'securityGroupSelectorTerms cannot be empty', rule: 'self.size() != 0', check: (self: unknown[]) => self.length !== 0 },
          {
            message: "expected at least one, got none, ['tags', 'id', 'name']",
            rule: 'self.all(x, has(x.tags) || has(x.id) || has(x.name))',
            check: (self: unknown[]) => self.every((x) => has(x, 'tags') || has(x, 'id') || has(x, 'name')),
          },
          {
            message: "'id' is mutually exclusive, cannot be set with a combination of other fields in securityGroupSelectorTerms",
            rule: '!self.all(x, has(x.id) && (has(x.tags) || has(x.name)))',
            check: (self: unknown[]) => !self.every((x) => has(x, 'id') && (has(x, 'tags') || has(x, 'name'))),
          },
          {
            message: "'name' is mutually exclusive, cannot be set with a combination of other fields in securityGroupSelectorTerms",
            rule: '!self.all(x, has(x.name) && (has(x.tags) || has(x.id)))',
            check: (self: unknown[]) => !self.every((x) => has(x, 'name') && (has(x, 'tags') || has(x, 'id'))),
          },
        ],
      }),
      subnetSelectorTerms: arr(obj({ id: str({ pattern: 'subnet-[0-9a-z]+' }), tags: tagMap() }), {
        maxItems: 30,
        rules: [
          { message: 'subnetSelectorTerms cannot be empty', rule: 'self.size() != 0', check: (self: unknown[]) => self.length !== 0 },
          {
            message: "expected at least one, got none, ['tags', 'id']",
            rule: 'self.all(x, has(x.tags) || has(x.id))',
            check: (self: unknown[]) => self.every((x) => has(x, 'tags') || has(x, 'id')),
          },
          {
            message: "'id' is mutually exclusive, cannot be set with a combination of other fields in subnetSelectorTerms",
            rule: '!self.all(x, has(x.id) && has(x.tags))',
            check: (self: unknown[]) => !self.every((x) => has(x, 'id') && has(x, 'tags')),
          },
        ],
      }),
      tags: map(str(), {
        rules: [
          { message: "empty tag keys aren't supported", rule: "self.all(k, k != '')", check: (self) => keysOf(self).every((k) => k !== '') },
          {
            message: 'tag contains a restricted tag matching kubernetes.io/cluster/',
            rule: "self.all(k, !k.startsWith('kubernetes.io/cluster') )",
            check: (self) => keysOf(self).every((k) => !k.startsWith('kubernetes.io/cluster')),
          },
          {
            message: 'tag contains a restricted tag matching karpenter.sh/provisioner-name',
            rule: "self.all(k, k != 'karpenter.sh/provisioner-name')",
            check: (self) => keysOf(self).every((k) => k !== 'karpenter.sh/provisioner-name'),
          },
          {
            message: 'tag contains a restricted tag matching karpenter.sh/nodepool',
            rule: "self.all(k, k != 'karpenter.sh/nodepool')",
            check: (self) => keysOf(self).every((k) => k !== 'karpenter.sh/nodepool'),
          },
          {
            message: 'tag contains a restricted tag matching karpenter.sh/managed-by',
            rule: "self.all(k, k !='karpenter.sh/managed-by')",
            check: (self) => keysOf(self).every((k) => k !== 'karpenter.sh/managed-by'),
          },
        ],
      }),
      userData: str(),
    },
    {
      required: ['amiFamily', 'role', 'securityGroupSelectorTerms', 'subnetSelectorTerms'],
      rules: [
        {
          message: "amiSelectorTerms is required when amiFamily == 'Custom'",
          rule: "self.amiFamily == 'Custom' ? self.amiSelectorTerms.size() != 0 : true",
          check: (self) => {
            if (self.amiFamily !== 'Custom') return true
            if (!Array.isArray(self.amiSelectorTerms)) throw new TypeError('no such key: amiSelectorTerms')
            return self.amiSelectorTerms.length !== 0
          },
        },
      ],
    },
  ),
  status: obj({
    amis: arr(
      obj(
        { id: str(), name: str(), requirements: arr(obj({ key: str(), operator: str(), values: arr(str()) }, { required: ['key', 'operator'] })) },
        { required: ['id', 'requirements'] },
      ),
    ),
    instanceProfile: str(),
    securityGroups: arr(obj({ id: str(), name: str() }, { required: ['id'] })),
    subnets: arr(obj({ id: str(), zone: str() }, { required: ['id', 'zone'] })),
  }),
})

// How the sandbox has always presented them (controller-gen version of v0.32.1's CRDs).
const crdMetadata = { annotations: { 'controller-gen.kubebuilder.io/version': 'v0.13.0' }, labels: { 'app.kubernetes.io/managed-by': 'Helm' } }

/** The CRDs the v0.32.x charts install (their crds/ directory). */
export const karpenterV1beta1Crds: CrdSpec[] = [
  {
    group: 'karpenter.sh',
    version: 'v1beta1',
    kind: 'NodePool',
    plural: 'nodepools',
    shortNames: [],
    categories: ['karpenter'],
    metadata: crdMetadata,
    schema: nodePoolSchema,
    printerColumns: [
      { name: 'NodeClass', type: 'string', jsonPath: '.spec.template.spec.nodeClassRef.name' },
      { name: 'Weight', type: 'string', jsonPath: '.spec.weight', priority: 1 },
    ],
  },
  {
    group: 'karpenter.sh',
    version: 'v1beta1',
    kind: 'NodeClaim',
    plural: 'nodeclaims',
    shortNames: [],
    categories: ['karpenter'],
    metadata: crdMetadata,
    schema: nodeClaimSchema,
    printerColumns: [
      { name: 'Type', type: 'string', jsonPath: '.metadata.labels.node\\.kubernetes\\.io/instance-type' },
      { name: 'Zone', type: 'string', jsonPath: '.metadata.labels.topology\\.kubernetes\\.io/zone' },
      { name: 'Node', type: 'string', jsonPath: '.status.nodeName' },
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      { name: 'Capacity', type: 'string', jsonPath: '.metadata.labels.karpenter\\.sh/capacity-type', priority: 1 },
      { name: 'NodePool', type: 'string', jsonPath: '.metadata.labels.karpenter\\.sh/nodepool', priority: 1 },
      { name: 'NodeClass', type: 'string', jsonPath: '.spec.nodeClassRef.name', priority: 1 },
    ],
  },
  {
    group: 'karpenter.k8s.aws',
    version: 'v1beta1',
    kind: 'EC2NodeClass',
    plural: 'ec2nodeclasses',
    shortNames: ['ec2nc', 'ec2ncs'],
    categories: ['karpenter'],
    metadata: crdMetadata,
    schema: ec2NodeClassSchema,
  },
]
