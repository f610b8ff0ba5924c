// Karpenter 1.9.2's custom resources as the chart's crds/ directory installs them
// (aws/karpenter-provider-aws v1.9.2, pkg/apis/crds/*.yaml, with kubernetes-sigs/karpenter v1.9.1):
// NodePool and NodeClaim (karpenter.sh/v1), EC2NodeClass (karpenter.k8s.aws/v1) and NodeOverlay
// (karpenter.sh/v1alpha1). Field types, enums, patterns, bounds, defaults, printer columns and
// every x-kubernetes-validations rule, each with a TypeScript predicate that evaluates it.
// v1beta1 is not served: from 1.1 on the chart ships v1 only.
//
// Left out: NodePool's scale subresource (spec.replicas / status.nodes; the sandbox serves scale
// for Deployments and ReplicaSets only) and most field descriptions (kubectl explain shows the
// ones given here).

import type { Rule, Schema } from '../../kube/schema.ts'
import {
  LABEL_VALUE,
  QUALIFIED_KEY,
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
  present,
  quantity,
  resourceList,
  str,
} from '../../kube/crds/builders.ts'
import type { CrdSpec } from '../../kube/crds/definitions.ts'
import { kubelet, tagMap, taint } from './v1beta1.ts'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const DURATION_OR_NEVER = '^(([0-9]+(s|m|h))+|Never)$'
const DURATION = '^([0-9]+(s|m|h))+$'

// The karpenter.k8s.aws labels a NodePool or NodeClaim may name (NodeOverlay: all but the first three).
const AWS_LABELS = [
  'karpenter.k8s.aws/instance-tenancy',
  'karpenter.k8s.aws/capacity-reservation-type',
  'karpenter.k8s.aws/capacity-reservation-id',
  'karpenter.k8s.aws/ec2nodeclass',
  'karpenter.k8s.aws/instance-encryption-in-transit-supported',
  'karpenter.k8s.aws/instance-category',
  'karpenter.k8s.aws/instance-hypervisor',
  'karpenter.k8s.aws/instance-family',
  'karpenter.k8s.aws/instance-generation',
  'karpenter.k8s.aws/instance-local-nvme',
  'karpenter.k8s.aws/instance-size',
  'karpenter.k8s.aws/instance-cpu',
  'karpenter.k8s.aws/instance-cpu-manufacturer',
  'karpenter.k8s.aws/instance-cpu-sustained-clock-speed-mhz',
  'karpenter.k8s.aws/instance-memory',
  'karpenter.k8s.aws/instance-ebs-bandwidth',
  'karpenter.k8s.aws/instance-network-bandwidth',
  'karpenter.k8s.aws/instance-gpu-name',
  'karpenter.k8s.aws/instance-gpu-manufacturer',
  'karpenter.k8s.aws/instance-gpu-count',
  'karpenter.k8s.aws/instance-gpu-memory',
  'karpenter.k8s.aws/instance-accelerator-name',
  'karpenter.k8s.aws/instance-accelerator-manufacturer',
  'karpenter.k8s.aws/instance-accelerator-count',
  'karpenter.k8s.aws/instance-capability-flex',
]
const OVERLAY_AWS_LABELS = AWS_LABELS.slice(3)
const KARPENTER_SH_LABELS = ['karpenter.sh/capacity-type', 'karpenter.sh/nodepool']

// ---- rules on one label key (requirement keys) and on label maps (template labels) ----

const keyRules = {
  karpenterSh: {
    message: 'label domain "karpenter.sh" is restricted',
    rule: `self in ${celList(KARPENTER_SH_LABELS)} || !self.find("^([^/]+)").endsWith("karpenter.sh")`,
    check: (x: string) => KARPENTER_SH_LABELS.includes(x) || !domain(x).endsWith('karpenter.sh'),
  },
  nodepool: {
    message: 'label "karpenter.sh/nodepool" is restricted',
    rule: 'self != "karpenter.sh/nodepool"',
    check: (x: string) => x !== 'karpenter.sh/nodepool',
  },
  hostname: {
    message: 'label "kubernetes.io/hostname" is restricted',
    rule: 'self != "kubernetes.io/hostname"',
    check: (x: string) => x !== 'kubernetes.io/hostname',
  },
  aws: (allowed: string[]): Rule => ({
    message: 'label domain "karpenter.k8s.aws" is restricted',
    rule: `self in ${celList(allowed)} || !self.find("^([^/]+)").endsWith("karpenter.k8s.aws")`,
    check: (x: string) => allowed.includes(x) || !domain(x).endsWith('karpenter.k8s.aws'),
  }),
} satisfies Record<string, Rule | ((allowed: string[]) => Rule)>

/** The same restriction over every key of a label map: `self.all(x, <rule with x for self>)`. */
function overKeys(r: Rule): Rule {
  return { message: r.message, rule: `self.all(x, ${r.rule.replaceAll('self', 'x')})`, check: (self: Json) => keysOf(self).every((x) => r.check(x, undefined)) }
}

const templateLabelRules: Rule[] = [
  overKeys(keyRules.karpenterSh),
  overKeys(keyRules.nodepool),
  overKeys(keyRules.hostname),
  overKeys(keyRules.aws(AWS_LABELS)),
]

// ---- requirements ----

interface Requirement {
  key: string
  operator: string
  values?: string[]
  minValues?: number
}
const OPERATORS = ['Gte', 'Lte', 'In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt']
const isOrdering = (op: string) => op === 'Gt' || op === 'Lt' || op === 'Gte' || op === 'Lte'

const requirementRules = {
  inHasValues: {
    message: "requirements with operator 'In' must have a value defined",
    rule: "self.all(x, x.operator == 'In' ? x.values.size() != 0 : true)",
    check: (self: Requirement[]) => self.every((x) => (x.operator === 'In' ? present(x.values, 'values').length !== 0 : true)),
  },
  notInHasValues: {
    message: "requirements with operator 'NotIn' must have a value defined",
    rule: "self.all(x, x.operator == 'NotIn' ? x.values.size() != 0 : true)",
    check: (self: Requirement[]) => self.every((x) => (x.operator === 'NotIn' ? present(x.values, 'values').length !== 0 : true)),
  },
  ordering: (message: string): Rule => ({
    message,
    rule: "self.all(x, (x.operator == 'Gt' || x.operator == 'Lt' || x.operator == 'Gte' || x.operator == 'Lte') ? (x.values.size() == 1 && int(x.values[0]) >= 0) : true)",
    check: (self: Requirement[]) => self.every((x) => (isOrdering(x.operator) ? present(x.values, 'values').length === 1 && celInt(x.values![0]) >= 0 : true)),
  }),
  minValues: {
    message: "requirements with 'minValues' must have at least that many values specified in the 'values' field",
    rule: "self.all(x, (x.operator == 'In' && has(x.minValues)) ? x.values.size() >= x.minValues : true)",
    check: (self: Requirement[]) => self.every((x) => (x.operator === 'In' && has(x, 'minValues') ? present(x.values, 'values').length >= x.minValues! : true)),
  },
} as const

function requirement(keyChecks: Rule[], withMinValues: boolean): Schema {
  const props: Record<string, Schema> = {
    key: str({ maxLength: 316, pattern: QUALIFIED_KEY, rules: keyChecks, description: 'The label key that the selector applies to.' }),
    operator: str({
      enum: OPERATORS,
      description: "Represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists, DoesNotExist. Gt, Lt, Gte, and Lte.",
    }),
    // controller-gen puts maxLength/pattern on the array itself, where the apiserver ignores them.
    values: arr(str(), { description: 'An array of string values.' }),
  }
  if (withMinValues)
    props.minValues = int({
      minimum: 1,
      maximum: 50,
      description: 'MinValues is the minimum number of unique values required to define the flexibility of the specific requirement.',
    })
  return obj(
    // key, minValues, operator, values: the CRD's (alphabetical) order
    Object.fromEntries(
      Object.keys(props)
        .sort()
        .map((k) => [k, props[k]]),
    ),
    { required: ['key', 'operator'] },
  )
}

const nodeRequirements = (forNodePool: boolean): Schema =>
  arr(
    requirement(
      forNodePool
        ? [keyRules.karpenterSh, keyRules.nodepool, keyRules.hostname, keyRules.aws(AWS_LABELS)]
        : [keyRules.karpenterSh, keyRules.hostname, keyRules.aws(AWS_LABELS)],
      true,
    ),
    {
      maxItems: 100,
      description: 'Requirements are layered with GetLabels and applied to every node.',
      rules: [
        requirementRules.inHasValues,
        requirementRules.ordering("requirements operator 'Gt', 'Lt', 'Gte', or 'Lte' must have a single positive integer value"),
        requirementRules.minValues,
      ],
    },
  )

// ---- NodeClaim spec (and the NodePool's template of it) ----

const notEmpty = (what: string): Rule => ({ message: `${what} may not be empty`, rule: "self != ''", check: (self: string) => self !== '' })

function nodeClassRef(immutableGroupKind: boolean): Schema {
  return obj(
    {
      group: str({ pattern: '^[^/]*$', rules: [notEmpty('group')], description: 'API version of the referent' }),
      kind: str({ rules: [notEmpty('kind')], description: 'Kind of the referent' }),
      name: str({ rules: [notEmpty('name')], description: 'Name of the referent' }),
    },
    {
      required: ['group', 'kind', 'name'],
      description: 'NodeClassRef is a reference to an object that defines provider specific configuration',
      rules: immutableGroupKind
        ? [
            {
              message: 'nodeClassRef.group is immutable',
              rule: 'self.group == oldSelf.group',
              check: (self: Json, old: Json) => self.group === old.group,
              transition: true,
            },
            {
              message: 'nodeClassRef.kind is immutable',
              rule: 'self.kind == oldSelf.kind',
              check: (self: Json, old: Json) => self.kind === old.kind,
              transition: true,
            },
          ]
        : undefined,
    },
  )
}

function nodeClaimSpecProps(forNodePool: boolean): Record<string, Schema> {
  const props: Record<string, Schema> = {
    expireAfter: str({
      pattern: DURATION_OR_NEVER,
      default: '720h',
      description: 'ExpireAfter is the duration the controller will wait before terminating a node, measured from when the node is created.',
    }),
    nodeClassRef: nodeClassRef(forNodePool),
    requirements: nodeRequirements(forNodePool),
  }
  if (!forNodePool)
    props.resources = obj(
      { requests: resourceList({ description: 'Requests describes the minimum required resources for the NodeClaim to launch' }) },
      { description: 'Resources models the resource requirements for the NodeClaim to launch' },
    )
  props.startupTaints = arr(taint, {
    description:
      'StartupTaints are taints that are applied to nodes upon startup which are expected to be removed automatically within a short period of time.',
  })
  props.taints = arr(taint, { description: "Taints will be applied to the NodeClaim's node." })
  props.terminationGracePeriod = str({
    pattern: DURATION,
    description:
      'TerminationGracePeriod is the maximum duration the controller will wait before forcefully deleting the pods on a node, measured from when deletion is first initiated.',
  })
  return props
}

// ---- status conditions (the operator package's Condition type) ----

function conditions(reasonMayBeEmpty: boolean): Schema {
  return arr(
    obj(
      {
        lastTransitionTime: str({ format: 'date-time' }),
        message: str({ maxLength: 32768 }),
        observedGeneration: int({ format: 'int64', minimum: 0 }),
        reason: reasonMayBeEmpty
          ? str({ maxLength: 1024, pattern: '^([A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?|)$' })
          : str({ maxLength: 1024, minLength: 1, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$' }),
        status: str({ enum: ['True', 'False', 'Unknown'] }),
        type: str({
          maxLength: 316,
          pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
        }),
      },
      { required: ['lastTransitionTime', 'message', 'reason', 'status', 'type'] },
    ),
    { description: 'Conditions contains signals for health and readiness' },
  )
}

const typeMeta = { apiVersion: str(), kind: str(), metadata: { type: 'object' } as Schema }

// ---- NodePool ----

const budget = obj(
  {
    duration: str({
      pattern: '^((([0-9]+(h|m))|([0-9]+h[0-9]+m))(0s)?)$',
      description: 'Duration determines how long a Budget is active since each Schedule hit.',
    }),
    nodes: str({
      pattern: '^((100|[0-9]{1,2})%|[0-9]+)$',
      default: '10%',
      description: 'Nodes dictates the maximum number of NodeClaims owned by this NodePool that can be terminating at once.',
    }),
    reasons: arr(str({ enum: ['Underutilized', 'Empty', 'Drifted'] }), {
      maxItems: 50,
      description: 'Reasons is a list of disruption methods that this budget applies to.',
    }),
    schedule: str({
      pattern: '^(@(annually|yearly|monthly|weekly|daily|midnight|hourly))|((.+)\\s(.+)\\s(.+)\\s(.+)\\s(.+))$',
      description: 'Schedule specifies when a budget begins being active, following the upstream cronjob syntax.',
    }),
  },
  { required: ['nodes'], description: 'Budget defines when Karpenter will restrict the number of Node Claims that can be terminating simultaneously.' },
)

const nodePoolSchema: Schema = obj(
  {
    ...typeMeta,
    spec: obj(
      {
        disruption: obj(
          {
            budgets: arr(budget, {
              maxItems: 50,
              default: [{ nodes: '10%' }],
              description: 'Budgets is a list of Budgets. If there are multiple active budgets, Karpenter uses the most restrictive value.',
              rules: [
                {
                  message: "'schedule' must be set with 'duration'",
                  rule: 'self.all(x, has(x.schedule) == has(x.duration))',
                  check: (self: Json[]) => self.every((x) => has(x, 'schedule') === has(x, 'duration')),
                },
              ],
            }),
            consolidateAfter: str({
              pattern: DURATION_OR_NEVER,
              description: 'ConsolidateAfter is the duration the controller will wait before attempting to terminate nodes that are underutilized.',
            }),
            consolidationPolicy: str({
              enum: ['WhenEmpty', 'WhenEmptyOrUnderutilized'],
              default: 'WhenEmptyOrUnderutilized',
              description: 'ConsolidationPolicy describes which nodes Karpenter can disrupt through its consolidation algorithm.',
            }),
          },
          {
            required: ['consolidateAfter'],
            default: { consolidateAfter: '0s' },
            description: "Disruption contains the parameters that relate to Karpenter's disruption logic",
          },
        ),
        limits: resourceList({ description: 'Limits define a set of bounds for provisioning capacity.' }),
        replicas: int({ format: 'int64', minimum: 0, description: 'Replicas is the desired number of nodes for the NodePool (alpha).' }),
        template: obj(
          {
            metadata: obj({
              annotations: map(str()),
              labels: map(str({ maxLength: 63, pattern: LABEL_VALUE }), { maxProperties: 100, rules: templateLabelRules }),
            }),
            spec: obj(nodeClaimSpecProps(true), {
              required: ['nodeClassRef', 'requirements'],
              description: 'NodeClaimTemplateSpec describes the desired state of the NodeClaim in the Nodepool',
            }),
          },
          { required: ['spec'], description: 'Template contains the template of possibilities for the provisioning logic to launch a NodeClaim with.' },
        ),
        weight: int({ format: 'int32', minimum: 1, maximum: 100, description: 'Weight is the priority given to the nodepool during scheduling.' }),
      },
      {
        required: ['template'],
        description: 'NodePoolSpec is the top level nodepool specification.',
        rules: [
          {
            message: 'Cannot transition NodePool between static (replicas set) and dynamic (replicas unset) provisioning modes',
            rule: 'has(self.replicas) == has(oldSelf.replicas)',
            check: (self: Json, old: Json) => has(self, 'replicas') === has(old, 'replicas'),
            transition: true,
          },
          {
            message: "only 'limits.nodes' is supported on static NodePools",
            rule: "!has(self.replicas) || (!has(self.limits) || size(self.limits) == 0 || (size(self.limits) == 1 && 'nodes' in self.limits))",
            check: (self: Json) =>
              !has(self, 'replicas') ||
              !has(self, 'limits') ||
              keysOf(self.limits).length === 0 ||
              (keysOf(self.limits).length === 1 && 'nodes' in self.limits),
          },
          {
            message: "'weight' is not supported on static NodePools",
            rule: '!has(self.replicas) || !has(self.weight)',
            check: (self: Json) => !has(self, 'replicas') || !has(self, 'weight'),
          },
        ],
      },
    ),
    status: obj(
      {
        conditions: conditions(false),
        nodeClassObservedGeneration: int({ format: 'int64' }),
        nodes: int({ format: 'int64', default: 0, description: 'Nodes is the count of nodes associated with this NodePool' }),
        resources: resourceList({ description: 'Resources is the list of resources that have been provisioned.' }),
      },
      { description: 'NodePoolStatus defines the observed state of NodePool' },
    ),
  },
  { required: ['spec'], description: 'NodePool is the Schema for the NodePools API' },
)

// ---- NodeClaim ----

const nodeClaimSchema: Schema = obj(
  {
    ...typeMeta,
    spec: obj(nodeClaimSpecProps(false), {
      required: ['nodeClassRef', 'requirements'],
      description: 'NodeClaimSpec describes the desired state of the NodeClaim',
      rules: [
        {
          message: 'spec is immutable',
          rule: 'self == oldSelf',
          check: (self: unknown, old: unknown) => JSON.stringify(canonical(self)) === JSON.stringify(canonical(old)),
          transition: true,
        },
      ],
    }),
    status: obj(
      {
        allocatable: resourceList({ description: 'Allocatable is the estimated allocatable capacity of the node' }),
        capacity: resourceList({ description: 'Capacity is the estimated full capacity of the node' }),
        conditions: conditions(true),
        imageID: str({ description: 'ImageID is an identifier for the image that runs on the node' }),
        lastPodEventTime: str({ format: 'date-time' }),
        nodeName: str({ description: 'NodeName is the name of the corresponding node object' }),
        providerID: str({ description: 'ProviderID of the corresponding node object' }),
      },
      { description: 'NodeClaimStatus defines the observed state of NodeClaim' },
    ),
  },
  { required: ['spec'], description: 'NodeClaim is the Schema for the NodeClaims API' },
)

/** JSON with object keys sorted, so CEL's `==` on two maps ignores key order. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical)
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Json)[k])]),
    )
  return v
}

// ---- EC2NodeClass ----

const ALIAS_FAMILIES = ['al2', 'al2023', 'bottlerocket', 'windows2019', 'windows2022', 'windows2025']
const WINDOWS_FAMILIES = ['windows2019', 'windows2022', 'windows2025']
const aliasFamily = (alias: string): string => /^[^@]+/.exec(alias)?.[0] ?? ''

const amiSelectorTerm = obj({
  alias: str({
    maxLength: 30,
    description: 'Alias specifies which EKS optimized AMI to select, as "family@version" (e.g. al2023@latest).',
    rules: [
      {
        message: "'alias' is improperly formatted, must match the format 'family@version'",
        rule: "self.matches('^[a-zA-Z0-9]+@.+$')",
        check: (self: string) => /^[a-zA-Z0-9]+@.+$/.test(self),
      },
      {
        message: "family is not supported, must be one of the following: 'al2', 'al2023', 'bottlerocket', 'windows2019', 'windows2022', 'windows2025'",
        rule: "self.split('@')[0] in ['al2','al2023','bottlerocket','windows2019','windows2022','windows2025']",
        check: (self: string) => ALIAS_FAMILIES.includes(self.split('@')[0]),
      },
      {
        message: "windows families may only specify version 'latest'",
        rule: "self.split('@')[0] in ['windows2019','windows2022','windows2025'] ? self.split('@')[1] == 'latest' : true",
        check: (self: string) => {
          const parts = self.split('@')
          if (!WINDOWS_FAMILIES.includes(parts[0])) return true
          return present(parts[1], 'index 1') === 'latest'
        },
      },
    ],
  }),
  id: str({ pattern: 'ami-[0-9a-z]+', description: 'ID is the ami id in EC2' }),
  name: str({ description: 'Name is the ami name in EC2.' }),
  owner: str({ description: 'Owner is the owner for the ami.' }),
  ssmParameter: str({ description: 'SSMParameter is the name (or ARN) of the SSM parameter containing the Image ID.' }),
  tags: tagMap({ description: 'Tags is a map of key/value tags used to select amis.' }),
})

/**
 * A missing amiSelectorTerms is a Required error, which the apiserver treats as blocking: it then
 * evaluates no CEL rule of the object (it adds "some validation rules were not checked…", which the
 * sandbox leaves out). The rules that read amiSelectorTerms stand aside in that case.
 */
const amiTermsGiven = (self: Json): boolean => Array.isArray(self.amiSelectorTerms)
const amiTerms = (self: Json): Json[] => self.amiSelectorTerms as Json[]

const familyForAlias = (alias: string, family: string): Rule => ({
  message: `if set, amiFamily must be '${family}' or 'Custom' when using ${family.startsWith('AL') ? 'an' : 'a'} ${family} alias`,
  rule: `!has(self.amiFamily) || (self.amiSelectorTerms.exists(x, has(x.alias) && x.alias.find('^[^@]+') == '${alias}') ? (self.amiFamily == 'Custom' || self.amiFamily == '${family}') : true)`,
  check: (self: Json) =>
    !has(self, 'amiFamily') ||
    !amiTermsGiven(self) ||
    (amiTerms(self).some((x) => has(x, 'alias') && aliasFamily(String(x.alias)) === alias) ? self.amiFamily === 'Custom' || self.amiFamily === family : true),
})

const selectorTermsRules = (what: string, fields: string[], exclusive: { field: string; with: string[]; message: string }[]): Rule[] => [
  { message: `${what} cannot be empty`, rule: 'self.size() != 0', check: (self: unknown[]) => self.length !== 0 },
  {
    message: `expected at least one, got none, [${fields.map((f) => `'${f}'`).join(', ')}]`,
    rule: `self.all(x, ${fields.map((f) => `has(x.${f})`).join(' || ')})`,
    check: (self: Json[]) => self.every((x) => fields.some((f) => has(x, f))),
  },
  ...exclusive.map(
    (e): Rule => ({
      message: e.message,
      rule: `!self.all(x, has(x.${e.field}) && (${e.with.map((f) => `has(x.${f})`).join(' || ')}))`,
      // `!self.all(…)`, as shipped: it also fails on an empty list (which the size rule reports anyway)
      check: (self: Json[]) => !self.every((x) => has(x, e.field) && e.with.some((f) => has(x, f))),
    }),
  ),
]

const restrictedTag = (key: string, prefix = false): Rule =>
  prefix
    ? {
        message: `tag contains a restricted tag matching ${key}/`,
        rule: `self.all(k, !k.startsWith('${key}') )`,
        check: (self: Json) => keysOf(self).every((k) => !k.startsWith(key)),
      }
    : {
        message: `tag contains a restricted tag matching ${key}`,
        rule: `self.all(k, k !='${key}')`,
        check: (self: Json) => keysOf(self).every((k) => k !== key),
      }

const ec2NodeClassSchema: Schema = obj(
  {
    ...typeMeta,
    spec: obj(
      {
        amiFamily: str({
          enum: ['AL2', 'AL2023', 'Bottlerocket', 'Custom', 'Windows2019', 'Windows2022', 'Windows2025'],
          description:
            'AMIFamily dictates the UserData format and default BlockDeviceMappings used when generating launch templates. Optional with an alias amiSelectorTerm.',
        }),
        amiSelectorTerms: arr(amiSelectorTerm, {
          maxItems: 30,
          minItems: 1,
          description: 'AMISelectorTerms is a list of or ami selector terms. The terms are ORed.',
          rules: [
            {
              message: "expected at least one, got none, ['tags', 'id', 'name', 'alias', 'ssmParameter']",
              rule: 'self.all(x, has(x.tags) || has(x.id) || has(x.name) || has(x.alias) || has(x.ssmParameter))',
              check: (self: Json[]) => self.every((x) => ['tags', 'id', 'name', 'alias', 'ssmParameter'].some((f) => has(x, f))),
            },
            {
              message: "'id' is mutually exclusive, cannot be set with a combination of other fields in amiSelectorTerms",
              rule: '!self.exists(x, has(x.id) && (has(x.alias) || has(x.tags) || has(x.name) || has(x.owner)))',
              check: (self: Json[]) => !self.some((x) => has(x, 'id') && ['alias', 'tags', 'name', 'owner'].some((f) => has(x, f))),
            },
            {
              message: "'alias' is mutually exclusive, cannot be set with a combination of other fields in amiSelectorTerms",
              rule: '!self.exists(x, has(x.alias) && (has(x.id) || has(x.tags) || has(x.name) || has(x.owner)))',
              check: (self: Json[]) => !self.some((x) => has(x, 'alias') && ['id', 'tags', 'name', 'owner'].some((f) => has(x, f))),
            },
            {
              message: "'alias' is mutually exclusive, cannot be set with a combination of other amiSelectorTerms",
              rule: '!(self.exists(x, has(x.alias)) && self.size() != 1)',
              check: (self: Json[]) => !(self.some((x) => has(x, 'alias')) && self.length !== 1),
            },
          ],
        }),
        associatePublicIPAddress: bool({
          description: 'AssociatePublicIPAddress controls if public IP addresses are assigned to instances that are launched with the nodeclass.',
        }),
        blockDeviceMappings: arr(
          obj({
            deviceName: str({ description: 'The device name (for example, /dev/sdh or xvdh).' }),
            ebs: obj(
              {
                deleteOnTermination: bool(),
                encrypted: bool(),
                iops: int({ format: 'int64' }),
                kmsKeyID: str(),
                snapshotID: str(),
                throughput: int({ format: 'int64' }),
                volumeInitializationRate: int({ format: 'int32', minimum: 100, maximum: 300 }),
                volumeSize: str({
                  pattern:
                    '^((?:[1-9][0-9]{0,3}|[1-4][0-9]{4}|[5][0-8][0-9]{3}|59000)Gi|(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|[6][0-3][0-9]{3}|64000)G|([1-9]||[1-5][0-7]|58)Ti|([1-9]||[1-5][0-9]|6[0-3]|64)T)$',
                }),
                volumeType: str({ enum: ['standard', 'io1', 'io2', 'gp2', 'sc1', 'st1', 'gp3'] }),
              },
              {
                rules: [
                  {
                    message: 'snapshotID or volumeSize must be defined',
                    rule: 'has(self.snapshotID) || has(self.volumeSize)',
                    check: (self: Json) => has(self, 'snapshotID') || has(self, 'volumeSize'),
                  },
                  {
                    message: 'snapshotID must be set when volumeInitializationRate is set',
                    rule: "!has(self.volumeInitializationRate) || (has(self.snapshotID) && self.snapshotID != '')",
                    check: (self: Json) => !has(self, 'volumeInitializationRate') || (has(self, 'snapshotID') && self.snapshotID !== ''),
                  },
                ],
              },
            ),
            rootVolume: bool({ description: 'RootVolume is a flag indicating if this device is mounted as kubelet root dir.' }),
          }),
          {
            maxItems: 50,
            description: 'BlockDeviceMappings to be applied to provisioned nodes.',
            rules: [
              {
                message: 'must have only one blockDeviceMappings with rootVolume',
                rule: 'self.filter(x, has(x.rootVolume)?x.rootVolume==true:false).size() <= 1',
                check: (self: Json[]) => self.filter((x) => x.rootVolume === true).length <= 1,
              },
            ],
          },
        ),
        capacityReservationSelectorTerms: arr(
          obj({
            id: str({ pattern: '^cr-[0-9a-z]+$' }),
            instanceMatchCriteria: str({ enum: ['open', 'targeted'] }),
            ownerID: str({ pattern: '^[0-9]{12}$' }),
            tags: tagMap(),
          }),
          {
            maxItems: 30,
            description: 'CapacityReservationSelectorTerms is a list of capacity reservation selector terms. Each term is ORed together.',
            rules: [
              {
                message: "expected at least one, got none, ['tags', 'id', 'instanceMatchCriteria']",
                rule: 'self.all(x, has(x.tags) || has(x.id) || has(x.instanceMatchCriteria))',
                check: (self: Json[]) => self.every((x) => has(x, 'tags') || has(x, 'id') || has(x, 'instanceMatchCriteria')),
              },
              {
                message: "'id' is mutually exclusive, cannot be set along with other fields in a capacity reservation selector term",
                rule: '!self.all(x, has(x.id) && (has(x.tags) || has(x.ownerID) || has(x.instanceMatchCriteria)))',
                check: (self: Json[]) => !self.every((x) => has(x, 'id') && (has(x, 'tags') || has(x, 'ownerID') || has(x, 'instanceMatchCriteria'))),
              },
            ],
          },
        ),
        context: str({ description: 'Context is a Reserved field in EC2 APIs' }),
        detailedMonitoring: bool({ description: 'DetailedMonitoring controls if detailed monitoring is enabled for instances that are launched' }),
        instanceProfile: str({
          description: 'InstanceProfile is the AWS entity that instances use. Mutually exclusive with role.',
          rules: [{ message: 'instanceProfile cannot be empty', rule: "self != ''", check: (self: string) => self !== '' }],
        }),
        instanceStorePolicy: str({ enum: ['RAID0'], description: 'InstanceStorePolicy specifies how to handle instance-store disks.' }),
        ipPrefixCount: int({
          format: 'int32',
          minimum: 0,
          description: 'IPPrefixCount sets the number of IPv4 prefixes to be automatically assigned to the network interface.',
        }),
        kubelet,
        metadataOptions: obj(
          {
            httpEndpoint: str({ enum: ['enabled', 'disabled'], default: 'enabled' }),
            httpProtocolIPv6: str({ enum: ['enabled', 'disabled'], default: 'disabled' }),
            httpPutResponseHopLimit: int({ format: 'int64', minimum: 1, maximum: 64, default: 1 }),
            httpTokens: str({ enum: ['required', 'optional'], default: 'required' }),
          },
          {
            default: { httpEndpoint: 'enabled', httpProtocolIPv6: 'disabled', httpPutResponseHopLimit: 1, httpTokens: 'required' },
            description: 'MetadataOptions for the generated launch template of provisioned nodes.',
          },
        ),
        role: str({
          description: 'Role is the AWS identity that nodes use. Mutually exclusive with instanceProfile.',
          rules: [{ message: 'role cannot be empty', rule: "self != ''", check: (self: string) => self !== '' }],
        }),
        securityGroupSelectorTerms: arr(obj({ id: str({ pattern: 'sg-[0-9a-z]+' }), name: str(), tags: tagMap() }), {
          maxItems: 30,
          description: 'SecurityGroupSelectorTerms is a list of security group selector terms. The terms are ORed.',
          rules: selectorTermsRules(
            'securityGroupSelectorTerms',
            ['tags', 'id', 'name'],
            [
              {
                field: 'id',
                with: ['tags', 'name'],
                message: "'id' is mutually exclusive, cannot be set with a combination of other fields in a security group selector term",
              },
              {
                field: 'name',
                with: ['tags', 'id'],
                message: "'name' is mutually exclusive, cannot be set with a combination of other fields in a security group selector term",
              },
            ],
          ),
        }),
        subnetSelectorTerms: arr(obj({ id: str({ pattern: 'subnet-[0-9a-z]+' }), tags: tagMap() }), {
          maxItems: 30,
          description: 'SubnetSelectorTerms is a list of subnet selector terms. The terms are ORed.',
          rules: selectorTermsRules(
            'subnetSelectorTerms',
            ['tags', 'id'],
            [
              {
                field: 'id',
                with: ['tags'],
                message: "'id' is mutually exclusive, cannot be set with a combination of other fields in a subnet selector term",
              },
            ],
          ),
        }),
        tags: map(str(), {
          description: 'Tags to be applied on ec2 resources like instances and launch templates.',
          rules: [
            { message: "empty tag keys aren't supported", rule: "self.all(k, k != '')", check: (self: Json) => keysOf(self).every((k) => k !== '') },
            restrictedTag('eks:eks-cluster-name'),
            restrictedTag('kubernetes.io/cluster', true),
            {
              message: 'tag contains a restricted tag matching karpenter.sh/nodepool',
              rule: "self.all(k, k != 'karpenter.sh/nodepool')",
              check: (self: Json) => keysOf(self).every((k) => k !== 'karpenter.sh/nodepool'),
            },
            restrictedTag('karpenter.sh/nodeclaim'),
            restrictedTag('karpenter.k8s.aws/ec2nodeclass'),
          ],
        }),
        userData: str({ description: 'UserData to be applied to the provisioned nodes.' }),
      },
      {
        required: ['amiSelectorTerms', 'securityGroupSelectorTerms', 'subnetSelectorTerms'],
        description: 'EC2NodeClassSpec is the top level specification for the AWS Karpenter Provider.',
        rules: [
          {
            message: "must specify exactly one of ['role', 'instanceProfile']",
            rule: '(has(self.role) && !has(self.instanceProfile)) || (!has(self.role) && has(self.instanceProfile))',
            check: (self: Json) => has(self, 'role') !== has(self, 'instanceProfile'),
          },
          familyForAlias('al2', 'AL2'),
          familyForAlias('al2023', 'AL2023'),
          familyForAlias('bottlerocket', 'Bottlerocket'),
          familyForAlias('windows2019', 'Windows2019'),
          familyForAlias('windows2022', 'Windows2022'),
          familyForAlias('windows2025', 'Windows2025'),
          {
            message: 'must specify amiFamily if amiSelectorTerms does not contain an alias',
            rule: 'self.amiSelectorTerms.exists(x, has(x.alias)) ? true : has(self.amiFamily)',
            check: (self: Json) => !amiTermsGiven(self) || (amiTerms(self).some((x) => has(x, 'alias')) ? true : has(self, 'amiFamily')),
          },
        ],
      },
    ),
    status: obj(
      {
        amis: arr(
          obj(
            {
              deprecated: bool(),
              id: str(),
              name: str(),
              requirements: arr(obj({ key: str(), operator: str(), values: arr(str()) }, { required: ['key', 'operator'] })),
            },
            { required: ['id', 'requirements'] },
          ),
          { description: 'AMI contains the current AMI values that are available to the cluster under the AMI selectors.' },
        ),
        capacityReservations: arr(
          obj(
            {
              availabilityZone: str(),
              endTime: str({ format: 'date-time' }),
              id: str({ pattern: '^cr-[0-9a-z]+$' }),
              instanceMatchCriteria: str({ enum: ['open', 'targeted'] }),
              instanceType: str(),
              ownerID: str({ pattern: '^[0-9]{12}$' }),
              reservationType: str({ enum: ['default', 'capacity-block'], default: 'default' }),
              state: str({ enum: ['active', 'expiring'], default: 'active' }),
            },
            { required: ['availabilityZone', 'id', 'instanceMatchCriteria', 'instanceType', 'ownerID'] },
          ),
        ),
        conditions: conditions(false),
        instanceProfile: str({ description: 'InstanceProfile contains the resolved instance profile for the role' }),
        securityGroups: arr(obj({ id: str(), name: str() }, { required: ['id'] })),
        subnets: arr(obj({ id: str(), zone: str(), zoneID: str() }, { required: ['id', 'zone'] })),
      },
      { description: 'EC2NodeClassStatus contains the resolved state of the EC2NodeClass' },
    ),
  },
  { description: 'EC2NodeClass is the Schema for the EC2NodeClass API' },
)

// ---- NodeOverlay (karpenter.sh/v1alpha1) ----

const nodeOverlaySchema: Schema = obj(
  {
    ...typeMeta,
    spec: obj(
      {
        capacity: map(quantity(), {
          description: 'Capacity adds extended resources only, and does not replace any existing resources.',
          rules: [
            {
              message: 'invalid resource restricted',
              rule: "self.all(x, !(x in ['cpu', 'memory', 'ephemeral-storage', 'pods']))",
              check: (self: Json) => keysOf(self).every((x) => !['cpu', 'memory', 'ephemeral-storage', 'pods'].includes(x)),
            },
          ],
        }),
        price: str({ pattern: '^\\d+(\\.\\d+)?$', description: 'Price specifies amount for an instance types that match the specified labels.' }),
        priceAdjustment: str({
          pattern: '^(([+-]{1}(\\d*\\.?\\d+))|(\\+{1}\\d*\\.?\\d+%)|(^(-\\d{1,2}(\\.\\d+)?%)$)|(-100%))$',
          description: 'PriceAdjustment specifies the price change for matching instance types.',
        }),
        requirements: arr(requirement([keyRules.karpenterSh, keyRules.hostname, keyRules.aws(OVERLAY_AWS_LABELS)], false), {
          maxItems: 100,
          description: 'Requirements constrain when this NodeOverlay is applied during scheduling simulations.',
          rules: [
            requirementRules.notInHasValues,
            requirementRules.inHasValues,
            requirementRules.ordering("requirements operator 'Gt', 'Lt', 'Gte' or 'Lte' must have a single positive integer value"),
          ],
        }),
        weight: int({ format: 'int32', minimum: 1, maximum: 10000, description: 'Weight defines the priority of this NodeOverlay.' }),
      },
      {
        required: ['requirements'],
        rules: [
          {
            message: "cannot set both 'price' and 'priceAdjustment'",
            rule: '!has(self.price) || !has(self.priceAdjustment)',
            check: (self: Json) => !has(self, 'price') || !has(self, 'priceAdjustment'),
          },
        ],
      },
    ),
    status: obj({ conditions: conditions(false) }),
  },
  { required: ['spec'] },
)

const controllerGen = (version: string) => ({ annotations: { 'controller-gen.kubebuilder.io/version': version } })
const READY = { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' }
const AGE = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }

/** The CRDs the 1.9.2 chart installs (its crds/ directory), in the order `kubectl get crd` lists them. */
export const karpenterV1Crds: CrdSpec[] = [
  {
    group: 'karpenter.k8s.aws',
    version: 'v1',
    kind: 'EC2NodeClass',
    plural: 'ec2nodeclasses',
    shortNames: ['ec2nc', 'ec2ncs'],
    categories: ['karpenter'],
    schema: ec2NodeClassSchema,
    printerColumns: [READY, AGE, { name: 'Role', type: 'string', jsonPath: '.spec.role', priority: 1 }],
    metadata: controllerGen('v0.21.0'),
  },
  {
    group: 'karpenter.sh',
    version: 'v1',
    kind: 'NodeClaim',
    plural: 'nodeclaims',
    shortNames: [],
    categories: ['karpenter'],
    schema: nodeClaimSchema,
    printerColumns: [
      { name: 'Type', type: 'string', jsonPath: '.metadata.labels.node\\.kubernetes\\.io/instance-type' },
      { name: 'Capacity', type: 'string', jsonPath: '.metadata.labels.karpenter\\.sh/capacity-type' },
      { name: 'Zone', type: 'string', jsonPath: '.metadata.labels.topology\\.kubernetes\\.io/zone' },
      { name: 'Node', type: 'string', jsonPath: '.status.nodeName' },
      READY,
      AGE,
      { name: 'ImageID', type: 'string', jsonPath: '.status.imageID', priority: 1 },
      { name: 'ID', type: 'string', jsonPath: '.status.providerID', priority: 1 },
      { name: 'NodePool', type: 'string', jsonPath: '.metadata.labels.karpenter\\.sh/nodepool', priority: 1 },
      { name: 'NodeClass', type: 'string', jsonPath: '.spec.nodeClassRef.name', priority: 1 },
      { name: 'Drifted', type: 'string', jsonPath: '.status.conditions[?(@.type=="Drifted")].status', priority: 1 },
    ],
    metadata: controllerGen('v0.19.0'),
  },
  {
    group: 'karpenter.sh',
    version: 'v1alpha1',
    kind: 'NodeOverlay',
    plural: 'nodeoverlays',
    shortNames: ['overlays'],
    categories: ['karpenter'],
    schema: nodeOverlaySchema,
    printerColumns: [READY, AGE, { name: 'Weight', type: 'integer', jsonPath: '.spec.weight', priority: 1 }],
    metadata: controllerGen('v0.19.0'),
  },
  {
    group: 'karpenter.sh',
    version: 'v1',
    kind: 'NodePool',
    plural: 'nodepools',
    shortNames: [],
    categories: ['karpenter'],
    schema: nodePoolSchema,
    printerColumns: [
      { name: 'NodeClass', type: 'string', jsonPath: '.spec.template.spec.nodeClassRef.name' },
      { name: 'Nodes', type: 'string', jsonPath: '.status.nodes' },
      READY,
      AGE,
      { name: 'Weight', type: 'integer', jsonPath: '.spec.weight', priority: 1 },
      { name: 'CPU', type: 'string', jsonPath: '.status.resources.cpu', priority: 1 },
      { name: 'Memory', type: 'string', jsonPath: '.status.resources.memory', priority: 1 },
    ],
    metadata: controllerGen('v0.19.0'),
  },
]
