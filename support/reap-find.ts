// What runs left in an account and region, for `spotcheck reap`: everything tagged
// `spotcheck:run`, and what carries the tutorial's fixed names (which a run that lost its tags,
// an older spotcheck, or a reader following the tutorial by hand leaves untagged).
//
// Each service is asked directly (Describe/List calls), because the Resource Groups Tagging API
// does not cover everything (IAM roles, instance profiles, OIDC providers; EventBridge rules in
// some regions) and keeps listing deleted resources for a while (aws/aws-sdk#676). The tagging
// API adds what only it lists here: KMS keys and log groups carrying the tag.
// Selection (age, locks) is support/reap-select.ts; removal support/reap-remove.ts.

import { LIVE_INSTANCE_STATES } from './ec2-instances.ts'
import { DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation'
import {
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeLaunchTemplatesCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type Tag,
} from '@aws-sdk/client-ec2'
import { DescribeClusterCommand, DescribeNodegroupCommand, ListClustersCommand, ListNodegroupsCommand } from '@aws-sdk/client-eks'
import { ListRulesCommand, ListTagsForResourceCommand as ListRuleTags, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge'
import { ListExperimentTemplatesCommand, ListTagsForResourceCommand as ListFisTags } from '@aws-sdk/client-fis'
import {
  GetOpenIDConnectProviderCommand,
  ListInstanceProfilesCommand,
  ListInstanceProfileTagsCommand,
  ListOpenIDConnectProvidersCommand,
  ListPoliciesCommand,
  ListPolicyTagsCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
} from '@aws-sdk/client-iam'
import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs'
import { DescribeKeyCommand, ListAliasesCommand } from '@aws-sdk/client-kms'
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api'
import { GetParametersByPathCommand } from '@aws-sdk/client-ssm'
import { GetQueueAttributesCommand, ListQueuesCommand, ListQueueTagsCommand } from '@aws-sdk/client-sqs'
import type { AwsClients } from './aws-clients.ts'
import { isNotFound, unlessGone } from './aws-errors.ts'
import type { ExtraClients } from './aws-extra-clients.ts'
import { allKarpenterApis } from './karpenter-api.ts'
import { parseLock, type Kind, type Leftover, type RunLock } from './reap-select.ts'
import { RUN_TAG, accountOf, fisTemplateArn } from './run-tags.ts'

export const CLUSTER = 'spot-and-karpenter'

/**
 * The tutorial's fixed names (its main.tf, the FIS and Cloud9 templates, and what EKS and
 * Karpenter name after the cluster). Two runs in one account and region collide on these.
 */
export const FIXED_NAMES = {
  cluster: CLUSTER,
  stacks: ['fis-spot-and-karpenter', 'EKSKarpenterCloud9'],
  /** eks-blueprints-addons: the interruption queue, karpenter-<cluster>. */
  queue: `karpenter-${CLUSTER}`,
  /** EKS creates it when control-plane logging is on (terraform-aws-eks v19's default log types) and never deletes it. */
  logGroup: `/aws/eks/${CLUSTER}/cluster`,
  /** terraform-aws-eks v19: the KMS alias of the cluster's secrets key. */
  kmsAlias: `alias/eks/${CLUSTER}`,
  /**
   * IAM roles: eks-blueprints-addons' Karpenter node role (karpenter-<cluster> with
   * iam_role_use_name_prefix = false, as the tutorial sets), Karpenter's getting-started
   * KarpenterNodeRole-<cluster>, and terraform-aws-eks' / the EBS CSI IRSA's <cluster>-… prefixes.
   */
  roles: [new RegExp(`^karpenter-${CLUSTER}$`), new RegExp(`^KarpenterNodeRole-${CLUSTER}$`), new RegExp(`^${CLUSTER}-`)],
  /** Karpenter's own profiles (<cluster>_<hash>) and the module's (named like the node role). */
  instanceProfiles: [new RegExp(`^${CLUSTER}_`), new RegExp(`^karpenter-${CLUSTER}$`), new RegExp(`^KarpenterNodeInstanceProfile-${CLUSTER}$`)],
  /** The FIS template's Name tag (the tutorial's spotinterruption.yaml). */
  fisTemplateName: `fis-${CLUSTER}`,
}

/** The run lock's parameter path for a region (the shared contract: /spotcheck/lock/<region>/spot-and-karpenter). */
export function lockPrefix(region: string): string {
  return `/spotcheck/lock/${region}/`
}

function tagsOf(list: { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  return Object.fromEntries((list ?? []).map((t) => [t.Key ?? '', t.Value ?? '']))
}

function nameOf(tags: Tag[] | undefined): string | undefined {
  return tagsOf(tags).Name
}

async function allPages<T>(page: (token: string | undefined) => Promise<{ items: T[] | undefined; next: string | undefined }>): Promise<T[]> {
  const out: T[] = []
  let token: string | undefined
  do {
    const p = await page(token)
    out.push(...(p.items ?? []))
    token = p.next || undefined
  } while (token)
  return out
}

export async function findLocks(extra: ExtraClients, region: string): Promise<RunLock[]> {
  const params = await allPages(async (NextToken) => {
    const r = await extra.ssm.send(new GetParametersByPathCommand({ Path: lockPrefix(region), Recursive: true, NextToken }))
    return { items: r.Parameters, next: r.NextToken }
  })
  return params.map((p) => parseLock(p.Name!, p.Value, p.LastModifiedDate))
}

export interface FindOptions {
  log?: (line: string) => void
}

/** Everything in the region (and IAM) that a spotcheck run, or the tutorial's fixed names, account for. */
export async function findLeftovers(aws: AwsClients, extra: ExtraClients, options: FindOptions = {}): Promise<Leftover[]> {
  const out: Leftover[] = []
  const add = (l: Leftover) => out.push(l)
  await findEc2(aws, add)
  await findEks(aws, add)
  await findStacks(aws, add)
  const queues = await findQueues(aws, add)
  await findRules(aws, add, queues)
  await findFisTemplates(aws, add)
  await findIam(aws, add, out)
  await findTagged(aws, extra, add, out, options.log)
  await findFixedLogAndKey(extra, add, out)
  return out
}

/** Only the networks, instances and EKS clusters (what blocks deleting a VPC, and costs while it waits). */
export async function findNetworksAndClusters(aws: AwsClients): Promise<Leftover[]> {
  const out: Leftover[] = []
  await findEc2(aws, (l) => out.push(l))
  await findEks(aws, (l) => out.push(l))
  return out
}

function runOf(tags: Record<string, string>): string | undefined {
  return tags[RUN_TAG] || undefined
}

// ── EC2 ─────────────────────────────────────────────────────────────────────────────────────

async function findEc2(aws: AwsClients, add: (l: Leftover) => void): Promise<void> {
  const ec2 = aws.ec2
  const vpcs = await allPages(async (NextToken) => {
    const r = await ec2.send(new DescribeVpcsCommand({ NextToken }))
    return { items: r.Vpcs, next: r.NextToken }
  })
  for (const v of vpcs) {
    const tags = tagsOf(v.Tags)
    const runId = runOf(tags)
    const fixed = tags.Name === CLUSTER ? CLUSTER : undefined
    if (!runId && !fixed) continue
    add({ kind: 'vpc', id: v.VpcId!, label: `VPC ${v.VpcId}${tags.Name ? ` (${tags.Name})` : ''}`, runId, fixedName: fixed })
  }

  const instances = (
    await allPages(async (NextToken) => {
      const r = await ec2.send(new DescribeInstancesCommand({ NextToken, Filters: [{ Name: 'instance-state-name', Values: LIVE_INSTANCE_STATES }] }))
      return { items: r.Reservations, next: r.NextToken }
    })
  ).flatMap((r) => r.Instances ?? [])
  const karpenterTags = allKarpenterApis().map((api) => api.instanceFilters(CLUSTER))
  for (const i of instances) {
    const tags = tagsOf(i.Tags)
    const runId = runOf(tags)
    const ofCluster =
      tags[`kubernetes.io/cluster/${CLUSTER}`] === 'owned' ||
      tags['eks:cluster-name'] === CLUSTER ||
      karpenterTags.some((filters) =>
        filters.every((f) =>
          f.Name!.startsWith('tag:') ? f.Values!.includes(tags[f.Name!.slice(4)]) : f.Name!.startsWith('tag-key') ? f.Values!.some((k) => k in tags) : true,
        ),
      )
    add({
      kind: 'ec2-instance',
      id: i.InstanceId!,
      label: `EC2 instance ${i.InstanceId} (${i.InstanceType}${tags.Name ? `, ${tags.Name}` : ''})`,
      runId,
      fixedName: ofCluster ? CLUSTER : undefined,
      createdAt: i.LaunchTime,
      vpcId: i.VpcId,
      ...(runId || ofCluster ? {} : { extra: { onlyWithVpc: '1' } }),
    })
  }

  const nats = (
    await allPages(async (NextToken) => {
      const r = await ec2.send(new DescribeNatGatewaysCommand({ NextToken }))
      return { items: r.NatGateways, next: r.NextToken }
    })
  ).filter((n) => n.State !== 'deleted' && n.State !== 'deleting')
  const eipVpc = new Map<string, string>()
  for (const n of nats) {
    const tags = tagsOf(n.Tags)
    for (const a of n.NatGatewayAddresses ?? []) if (a.AllocationId) eipVpc.set(a.AllocationId, n.VpcId!)
    add(vpcThing('nat-gateway', n.NatGatewayId!, `NAT gateway ${n.NatGatewayId}`, tags, n.VpcId, n.CreateTime))
  }
  for (const a of (await ec2.send(new DescribeAddressesCommand({}))).Addresses ?? []) {
    const tags = tagsOf(a.Tags)
    const vpcId = a.AllocationId ? eipVpc.get(a.AllocationId) : undefined
    if (!runOf(tags) && !vpcId) continue
    add({
      ...vpcThing('elastic-ip', a.AllocationId!, `Elastic IP ${a.PublicIp} (${a.AllocationId})`, tags, vpcId),
      extra: { ...(a.AssociationId ? { associationId: a.AssociationId } : {}), ...(runOf(tags) ? {} : { onlyWithVpc: '1' }) },
    })
  }
  const enis = await allPages(async (NextToken) => {
    const r = await ec2.send(new DescribeNetworkInterfacesCommand({ NextToken }))
    return { items: r.NetworkInterfaces, next: r.NextToken }
  })
  for (const n of enis) {
    // Only ENIs nobody manages: instances' own go with them, NAT gateways' and EKS's with theirs.
    if (n.Status !== 'available' && n.Attachment?.InstanceId) continue
    add(
      vpcThing(
        'network-interface',
        n.NetworkInterfaceId!,
        `network interface ${n.NetworkInterfaceId} (${n.Status}${n.Description ? `, ${n.Description}` : ''})`,
        tagsOf(n.TagSet),
        n.VpcId,
        undefined,
        n.Attachment?.AttachmentId,
      ),
    )
  }
  const igws = await allPages(async (NextToken) => {
    const r = await ec2.send(new DescribeInternetGatewaysCommand({ NextToken }))
    return { items: r.InternetGateways, next: r.NextToken }
  })
  for (const g of igws) {
    const vpcId = g.Attachments?.[0]?.VpcId
    add(vpcThing('internet-gateway', g.InternetGatewayId!, `internet gateway ${g.InternetGatewayId}`, tagsOf(g.Tags), vpcId))
  }
  const subnets = await allPages(async (NextToken) => {
    const r = await ec2.send(new DescribeSubnetsCommand({ NextToken }))
    return { items: r.Subnets, next: r.NextToken }
  })
  for (const s of subnets) add(vpcThing('subnet', s.SubnetId!, `subnet ${s.SubnetId}${nameOf(s.Tags) ? ` (${nameOf(s.Tags)})` : ''}`, tagsOf(s.Tags), s.VpcId))
  const tables = await allPages(async (NextToken) => {
    const r = await ec2.send(new DescribeRouteTablesCommand({ NextToken }))
    return { items: r.RouteTables, next: r.NextToken }
  })
  for (const t of tables) {
    if (t.Associations?.some((a) => a.Main)) continue // the VPC's main table goes with the VPC
    add(vpcThing('route-table', t.RouteTableId!, `route table ${t.RouteTableId}`, tagsOf(t.Tags), t.VpcId))
  }
  const groups = await allPages(async (NextToken) => {
    const r = await ec2.send(new DescribeSecurityGroupsCommand({ NextToken }))
    return { items: r.SecurityGroups, next: r.NextToken }
  })
  for (const g of groups) {
    if (g.GroupName === 'default') continue // goes with the VPC
    add(vpcThing('security-group', g.GroupId!, `security group ${g.GroupId} (${g.GroupName})`, tagsOf(g.Tags), g.VpcId))
  }
  const acls = await allPages(async (NextToken) => {
    const r = await ec2.send(new DescribeNetworkAclsCommand({ NextToken }))
    return { items: r.NetworkAcls, next: r.NextToken }
  })
  for (const a of acls) {
    if (a.IsDefault) continue
    add(vpcThing('network-acl', a.NetworkAclId!, `network ACL ${a.NetworkAclId}`, tagsOf(a.Tags), a.VpcId))
  }
  const templates = await allPages(async (NextToken) => {
    const r = await ec2.send(new DescribeLaunchTemplatesCommand({ NextToken }))
    return { items: r.LaunchTemplates, next: r.NextToken }
  })
  const karpenterTemplates = allKarpenterApis().flatMap((api) => api.launchTemplateFilters(CLUSTER))
  for (const t of templates) {
    const tags = tagsOf(t.Tags)
    const runId = runOf(tags)
    const karpenters = karpenterTemplates.some((filters) =>
      filters.every((f) => (f.Name!.startsWith('tag:') ? f.Values!.includes(tags[f.Name!.slice(4)]) : f.Values!.some((k) => k in tags))),
    )
    if (!runId && !karpenters) continue
    add({
      kind: 'launch-template',
      id: t.LaunchTemplateId!,
      label: `launch template ${t.LaunchTemplateName} (${t.LaunchTemplateId})`,
      runId,
      fixedName: karpenters ? CLUSTER : undefined,
      createdAt: t.CreateTime,
    })
  }
}

/** An EC2 thing inside a VPC: a leftover of its own when tagged, otherwise only if its VPC goes. */
function vpcThing(
  kind: Kind,
  id: string,
  label: string,
  tags: Record<string, string>,
  vpcId: string | undefined,
  createdAt?: Date,
  attachmentId?: string,
): Leftover {
  const runId = runOf(tags)
  const extra: Record<string, string> = {}
  if (!runId) extra.onlyWithVpc = '1'
  if (attachmentId) extra.attachmentId = attachmentId
  return { kind, id, label, runId, createdAt, vpcId, ...(Object.keys(extra).length ? { extra } : {}) }
}

// ── EKS, CloudFormation, SQS, EventBridge, FIS ──────────────────────────────────────────────

async function findEks(aws: AwsClients, add: (l: Leftover) => void): Promise<void> {
  const names = await allPages(async (nextToken) => {
    const r = await aws.eks.send(new ListClustersCommand({ nextToken }))
    return { items: r.clusters, next: r.nextToken }
  })
  for (const name of names) {
    const c = (await unlessGone(aws.eks.send(new DescribeClusterCommand({ name })), { cluster: undefined })).cluster
    if (!c) continue
    const runId = c.tags?.[RUN_TAG]
    const fixed = name === CLUSTER ? CLUSTER : undefined
    if (!runId && !fixed) continue
    add({
      kind: 'eks-cluster',
      id: name,
      label: `EKS cluster ${name}`,
      runId,
      fixedName: fixed,
      createdAt: c.createdAt,
      vpcId: c.resourcesVpcConfig?.vpcId,
      extra: { ...(c.identity?.oidc?.issuer ? { issuer: c.identity.oidc.issuer } : {}) },
    })
    const groups = await allPages(async (nextToken) => {
      const r = await aws.eks.send(new ListNodegroupsCommand({ clusterName: name, nextToken }))
      return { items: r.nodegroups, next: r.nextToken }
    })
    for (const g of groups) {
      const ng = (await unlessGone(aws.eks.send(new DescribeNodegroupCommand({ clusterName: name, nodegroupName: g })), { nodegroup: undefined })).nodegroup
      if (!ng) continue
      add({
        kind: 'eks-nodegroup',
        id: g,
        label: `EKS node group ${g} of ${name}`,
        runId: ng.tags?.[RUN_TAG] ?? runId,
        fixedName: fixed,
        createdAt: ng.createdAt,
        extra: { cluster: name },
      })
    }
  }
}

async function findStacks(aws: AwsClients, add: (l: Leftover) => void): Promise<void> {
  const stacks: Stack[] = await allPages(async (NextToken) => {
    const r = await aws.cloudformation.send(new DescribeStacksCommand({ NextToken }))
    return { items: r.Stacks, next: r.NextToken }
  })
  for (const s of stacks) {
    if (s.StackStatus === 'DELETE_COMPLETE') continue
    const runId = runOf(tagsOf(s.Tags))
    const fixed = FIXED_NAMES.stacks.includes(s.StackName!) ? s.StackName : undefined
    if (!runId && !fixed) continue
    add({
      kind: 'cloudformation-stack',
      id: s.StackName!,
      label: `CloudFormation stack ${s.StackName} (${s.StackStatus})`,
      runId,
      fixedName: fixed,
      createdAt: s.CreationTime,
    })
  }
}

/** Returns each candidate queue's ARN → creation time (for the rules that feed it). */
async function findQueues(aws: AwsClients, add: (l: Leftover) => void): Promise<Map<string, Date | undefined>> {
  const urls = await allPages(async (NextToken) => {
    const r = await aws.sqs.send(new ListQueuesCommand({ NextToken, MaxResults: 1000 }))
    return { items: r.QueueUrls, next: r.NextToken }
  })
  const queues = new Map<string, Date | undefined>()
  for (const url of urls) {
    const name = url.split('/').pop()!
    try {
      const runId = (await aws.sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags?.[RUN_TAG]
      const fixed = name === FIXED_NAMES.queue ? name : undefined
      if (!runId && !fixed) continue
      const attrs = (await aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['CreatedTimestamp', 'QueueArn'] }))).Attributes ?? {}
      const createdAt = attrs.CreatedTimestamp ? new Date(Number(attrs.CreatedTimestamp) * 1000) : undefined
      if (attrs.QueueArn) queues.set(attrs.QueueArn, createdAt)
      add({ kind: 'sqs-queue', id: url, label: `SQS queue ${name}`, runId, fixedName: fixed, createdAt })
    } catch (error) {
      if (!isNotFound(error)) throw error // SQS lists a just-deleted queue for up to 60 s
    }
  }
  return queues
}

async function findRules(aws: AwsClients, add: (l: Leftover) => void, queues: Map<string, Date | undefined>): Promise<void> {
  const rules = await allPages(async (NextToken) => {
    const r = await aws.events.send(new ListRulesCommand({ NextToken }))
    return { items: r.Rules, next: r.NextToken }
  })
  for (const rule of rules) {
    if (rule.ManagedBy) continue // rules AWS services manage for themselves
    const runId = rule.Arn ? runOf(tagsOf((await aws.events.send(new ListRuleTags({ ResourceARN: rule.Arn })).catch(() => ({ Tags: [] }))).Tags)) : undefined
    const targets = (await aws.events.send(new ListTargetsByRuleCommand({ Rule: rule.Name })).catch(() => ({ Targets: [] }))).Targets ?? []
    // The Karpenter rules (eks-blueprints-addons, name prefix "Karpenter") feed the tutorial's queue.
    const queueArn = targets.map((t) => t.Arn ?? '').find((arn) => arn.endsWith(`:${FIXED_NAMES.queue}`))
    const fixed = queueArn && /^Karpenter/i.test(rule.Name ?? '') ? rule.Name : undefined
    if (!runId && !fixed) continue
    const queueLives = queueArn ? queues.has(queueArn) : false
    add({
      kind: 'events-rule',
      id: rule.Name!,
      label: `EventBridge rule ${rule.Name}`,
      runId,
      fixedName: fixed,
      // Rules have no creation time: one that feeds the tutorial's queue is as old as the queue.
      createdAt: queueArn ? queues.get(queueArn) : undefined,
      orphan: Boolean(fixed && !runId && !queueLives),
    })
  }
}

async function findFisTemplates(aws: AwsClients, add: (l: Leftover) => void): Promise<void> {
  const account = await accountOf(aws)
  const templates = await allPages(async (nextToken) => {
    const r = await aws.fis.send(new ListExperimentTemplatesCommand({ nextToken }))
    return { items: r.experimentTemplates, next: r.nextToken }
  })
  for (const t of templates) {
    const tags: Record<string, string> =
      t.tags ?? (await aws.fis.send(new ListFisTags({ resourceArn: fisTemplateArn(aws.region, account, t.id!) })).catch(() => ({ tags: {} }))).tags ?? {}
    const runId = tags[RUN_TAG]
    const fixed = tags.Name === FIXED_NAMES.fisTemplateName ? tags.Name : undefined
    if (!runId && !fixed) continue
    add({
      kind: 'fis-template',
      id: t.id!,
      label: `FIS experiment template ${t.id}${tags.Name ? ` (${tags.Name})` : ''}`,
      runId,
      fixedName: fixed,
      createdAt: t.creationTime,
    })
  }
}

// ── IAM ─────────────────────────────────────────────────────────────────────────────────────

async function findIam(aws: AwsClients, add: (l: Leftover) => void, found: Leftover[]): Promise<void> {
  const iam = aws.iam
  const roles = await allPages(async (Marker) => {
    const r = await iam.send(new ListRolesCommand({ Marker }))
    return { items: r.Roles, next: r.IsTruncated ? r.Marker : undefined }
  })
  for (const role of roles) {
    if (role.Path?.startsWith('/aws-service-role/') || role.Path?.startsWith('/aws-reserved/')) continue
    const fixed = FIXED_NAMES.roles.some((re) => re.test(role.RoleName!)) ? role.RoleName : undefined
    const runId = runOf(tagsOf((await unlessGone(iam.send(new ListRoleTagsCommand({ RoleName: role.RoleName })), { Tags: [] })).Tags))
    if (!runId && !fixed) continue
    add({ kind: 'iam-role', id: role.RoleName!, label: `IAM role ${role.RoleName}`, runId, fixedName: fixed, createdAt: role.CreateDate })
  }
  const profiles = await allPages(async (Marker) => {
    const r = await iam.send(new ListInstanceProfilesCommand({ Marker }))
    return { items: r.InstanceProfiles, next: r.IsTruncated ? r.Marker : undefined }
  })
  for (const p of profiles) {
    const fixed = FIXED_NAMES.instanceProfiles.some((re) => re.test(p.InstanceProfileName!)) ? p.InstanceProfileName : undefined
    const runId = runOf(
      tagsOf((await unlessGone(iam.send(new ListInstanceProfileTagsCommand({ InstanceProfileName: p.InstanceProfileName })), { Tags: [] })).Tags),
    )
    if (!runId && !fixed) continue
    add({
      kind: 'iam-instance-profile',
      id: p.InstanceProfileName!,
      label: `IAM instance profile ${p.InstanceProfileName}`,
      runId,
      fixedName: fixed,
      createdAt: p.CreateDate,
    })
  }
  const policies = await allPages(async (Marker) => {
    const r = await iam.send(new ListPoliciesCommand({ Scope: 'Local', Marker }))
    return { items: r.Policies, next: r.IsTruncated ? r.Marker : undefined }
  })
  for (const p of policies) {
    const runId = runOf(tagsOf((await unlessGone(iam.send(new ListPolicyTagsCommand({ PolicyArn: p.Arn })), { Tags: [] })).Tags))
    if (!runId) continue
    add({ kind: 'iam-policy', id: p.Arn!, label: `IAM policy ${p.PolicyName}`, runId, createdAt: p.CreateDate })
  }
  // The cluster's OIDC provider: tagged, or the issuer of a leftover spot-and-karpenter cluster.
  const issuers = new Set(found.filter((l) => l.kind === 'eks-cluster' && l.extra?.issuer).map((l) => l.extra!.issuer.replace(/^https:\/\//, '')))
  for (const p of (await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList ?? []) {
    const d = await unlessGone(iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: p.Arn })))
    if (!d) continue
    const runId = runOf(tagsOf(d.Tags))
    const fixed = d.Url && issuers.has(d.Url.replace(/^https:\/\//, '')) ? CLUSTER : undefined
    if (!runId && !fixed) continue
    add({ kind: 'iam-oidc-provider', id: p.Arn!, label: `IAM OIDC provider ${d.Url}`, runId, fixedName: fixed, createdAt: d.CreateDate })
  }
}

// ── the tagging API, KMS and logs ───────────────────────────────────────────────────────────

async function findTagged(aws: AwsClients, extra: ExtraClients, add: (l: Leftover) => void, found: Leftover[], log?: (line: string) => void): Promise<void> {
  const mappings = await allPages(async (PaginationToken) => {
    const r = await aws.tagging.send(new GetResourcesCommand({ TagFilters: [{ Key: RUN_TAG }], PaginationToken }))
    return { items: r.ResourceTagMappingList, next: r.PaginationToken }
  })
  const known = new Set(found.flatMap((l) => [l.id, l.id.split('/').pop()!]))
  for (const m of mappings) {
    const arn = m.ResourceARN!
    const runId = runOf(tagsOf(m.Tags))
    const [, , service, , , ...rest] = arn.split(':')
    const resource = rest.join(':')
    if (service === 'kms' && resource.startsWith('key/')) {
      const id = resource.slice(4)
      const key = await unlessGone(extra.kms.send(new DescribeKeyCommand({ KeyId: id })))
      const meta = key?.KeyMetadata
      // A key scheduled for deletion is gone as far as cost and the next run go (not billed; deleted after its window).
      if (!meta || meta.KeyState === 'PendingDeletion' || meta.KeyState === 'PendingReplicaDeletion' || meta.KeyManager === 'AWS') continue
      add({ kind: 'kms-key', id, label: `KMS key ${id}${meta.Description ? ` (${meta.Description})` : ''}`, runId, createdAt: meta.CreationDate })
    } else if (service === 'logs' && resource.startsWith('log-group:')) {
      const name = resource.slice('log-group:'.length).replace(/:\*$/, '')
      if (known.has(name)) continue
      known.add(name)
      add({ kind: 'log-group', id: name, label: `log group ${name}`, runId })
    } else if (['ec2', 'eks', 'sqs', 'events', 'cloudformation', 'fis', 'iam', 'ssm'].includes(service)) {
      // Asked directly above: what the tagging API still lists but the service does not is gone
      // (the index lags deletions, aws/aws-sdk#676). SSM parameters are the locks'.
      continue
    } else {
      const tail = resource.split('/').pop()!
      if (known.has(tail)) continue
      log?.(`reap: ${arn} carries ${RUN_TAG} but spotcheck does not know how to remove a ${service} resource`)
      add({ kind: 'unsupported', id: arn, label: arn, runId })
    }
  }
}

async function findFixedLogAndKey(extra: ExtraClients, add: (l: Leftover) => void, found: Leftover[]): Promise<void> {
  const groups = await allPages(async (nextToken) => {
    const r = await extra.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: `/aws/eks/${CLUSTER}/`, nextToken }))
    return { items: r.logGroups, next: r.nextToken }
  })
  for (const g of groups) {
    const existing = found.find((l) => l.kind === 'log-group' && l.id === g.logGroupName)
    if (existing) {
      existing.createdAt = g.creationTime ? new Date(g.creationTime) : undefined
      existing.fixedName = g.logGroupName === FIXED_NAMES.logGroup ? g.logGroupName : existing.fixedName
      continue
    }
    if (g.logGroupName !== FIXED_NAMES.logGroup) continue
    add({
      kind: 'log-group',
      id: g.logGroupName,
      label: `log group ${g.logGroupName}`,
      fixedName: g.logGroupName,
      createdAt: g.creationTime ? new Date(g.creationTime) : undefined,
    })
  }
  const aliases = await allPages(async (Marker) => {
    const r = await extra.kms.send(new ListAliasesCommand({ Marker }))
    return { items: r.Aliases, next: r.Truncated ? r.NextMarker : undefined }
  })
  const alias = aliases.find((a) => a.AliasName === FIXED_NAMES.kmsAlias)
  if (!alias?.TargetKeyId || found.some((l) => l.kind === 'kms-key' && l.id === alias.TargetKeyId)) {
    const tagged = found.find((l) => l.kind === 'kms-key' && l.id === alias?.TargetKeyId)
    if (tagged) tagged.extra = { ...tagged.extra, alias: alias!.AliasName! }
    return
  }
  const meta = (await extra.kms.send(new DescribeKeyCommand({ KeyId: alias.TargetKeyId })).catch(() => undefined))?.KeyMetadata
  if (!meta || meta.KeyState === 'PendingDeletion') return
  add({
    kind: 'kms-key',
    id: alias.TargetKeyId,
    label: `KMS key ${alias.TargetKeyId} (${alias.AliasName})`,
    fixedName: alias.AliasName,
    createdAt: meta.CreationDate,
    extra: { alias: alias.AliasName! },
  })
}
