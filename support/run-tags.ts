// The run's tag, `spotcheck:run = <run id>`, on everything the run creates in AWS — so that a
// leak audit can ask the account, not the run's memory, what is left.
//
// Terraform's resources get it from the fixtures' provider default_tags (TF_VAR_run_id).
// CloudFormation's `aws cloudformation deploy`, run verbatim, cannot be told to tag, so the run
// tags the stack's resources itself right after the deploy. spotcheck's own resources are
// created with it.

import { DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation'
import { messageOf } from '../lib/errors.ts'
import { sleep } from '../lib/sleep.ts'
import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs'
import { ListTagsForResourceCommand as ListFisTags, ListExperimentTemplatesCommand, TagResourceCommand as TagFisResource } from '@aws-sdk/client-fis'
import {
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeLaunchTemplatesCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2'
import { ListClustersCommand, DescribeClusterCommand } from '@aws-sdk/client-eks'
import { DescribeRuleCommand } from '@aws-sdk/client-eventbridge'
import {
  GetOpenIDConnectProviderCommand,
  ListInstanceProfilesCommand,
  ListInstanceProfileTagsCommand,
  ListOpenIDConnectProvidersCommand,
  ListPoliciesCommand,
  ListPolicyTagsCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  TagRoleCommand,
} from '@aws-sdk/client-iam'
import { DescribeKeyCommand } from '@aws-sdk/client-kms'
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api'
import { GetQueueUrlCommand, ListQueuesCommand, ListQueueTagsCommand } from '@aws-sdk/client-sqs'
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts'
import type { AwsClients } from './aws-clients.ts'
import { isNotFound, unlessGone } from './aws-errors.ts'
import { extraClients } from './aws-extra-clients.ts'

export const RUN_TAG = 'spotcheck:run'

/** Tags what `stack` created with the run's tag; returns what it tagged and what it could not. */
export async function tagStackResources(aws: AwsClients, stack: string, runId: string): Promise<{ tagged: string[]; untaggable: string[] }> {
  const tagged: string[] = []
  const untaggable: string[] = []
  const stackArn = (await aws.cloudformation.send(new DescribeStacksCommand({ StackName: stack }))).Stacks?.[0]?.StackId ?? ''
  const account = stackArn.split(':')[4] ?? ''
  const resources = (await aws.cloudformation.send(new ListStackResourcesCommand({ StackName: stack }))).StackResourceSummaries ?? []
  for (const r of resources) {
    const id = r.PhysicalResourceId
    if (!id) continue
    switch (r.ResourceType) {
      case 'AWS::IAM::Role':
        await aws.iam.send(new TagRoleCommand({ RoleName: id, Tags: [{ Key: RUN_TAG, Value: runId }] }))
        tagged.push(`IAM role ${id}`)
        break
      case 'AWS::FIS::ExperimentTemplate':
        await aws.fis.send(new TagFisResource({ resourceArn: fisTemplateArn(aws.region, account, id), tags: { [RUN_TAG]: runId } }))
        tagged.push(`FIS experiment template ${id}`)
        break
      default:
        untaggable.push(`${r.ResourceType} ${id}`)
    }
  }
  return { tagged, untaggable }
}

/** The ARN FIS tags are read and written by: with the account, as FIS requires (C7). */
export function fisTemplateArn(region: string, account: string, id: string, partition = 'aws'): string {
  return `arn:${partition}:fis:${region}:${account}:experiment-template/${id}`
}

const accounts = new WeakMap<AwsClients, Promise<string>>()
/** The credentials' account (STS), asked once per set of clients. */
export function accountOf(aws: AwsClients): Promise<string> {
  let p = accounts.get(aws)
  if (!p) {
    p = aws.sts.send(new GetCallerIdentityCommand({})).then((r) => r.Account ?? '')
    accounts.set(aws, p)
  }
  return p
}

/**
 * Everything in the account still tagged with the run, asked once: the Resource Groups Tagging
 * API (EC2, EventBridge, CloudFormation, KMS, logs… on AWS) plus the services it does not cover
 * everywhere (IAM roles, instance profiles, policies and OIDC providers, EKS clusters, SQS queues,
 * FIS templates), asked one by one.
 *
 * Not leaks: what the tagging API still lists after it was deleted (its index lags deletions,
 * aws/aws-sdk#676 — each ARN is checked with its service), a KMS key pending deletion (KMS
 * keeps a deleted key, tags and all, for its 7–30-day waiting period; it is not billed: "Deleting
 * AWS KMS keys", https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html),
 * and whatever answers NotFound/NoSuchEntity/NonExistentQueue between being listed and asked.
 */
export async function taggedWithRun(aws: AwsClients, runId: string): Promise<string[]> {
  const found = new Set<string>()
  let token: string | undefined
  do {
    const page = await aws.tagging.send(new GetResourcesCommand({ TagFilters: [{ Key: RUN_TAG, Values: [runId] }], PaginationToken: token }))
    for (const r of page.ResourceTagMappingList ?? []) found.add(r.ResourceARN!)
    token = page.PaginationToken || undefined
  } while (token)
  for (const arn of [...found]) {
    // SQS, EKS and FIS are asked directly below (each once, by its own name for it).
    if (/^arn:aws[a-z-]*:(sqs|eks|fis):/.test(arn) || (await taggedArnGone(aws, arn))) found.delete(arn)
  }

  const has = (tags: { Key?: string; Value?: string }[] | undefined) => (tags ?? []).some((t) => t.Key === RUN_TAG && t.Value === runId)
  let marker: string | undefined
  do {
    const page = await aws.iam.send(new ListRolesCommand({ Marker: marker }))
    for (const role of page.Roles ?? []) {
      if (role.Path?.startsWith('/aws-service-role/')) continue
      if (has((await unlessGone(aws.iam.send(new ListRoleTagsCommand({ RoleName: role.RoleName }))))?.Tags)) found.add(role.Arn!)
    }
    marker = page.IsTruncated ? page.Marker : undefined
  } while (marker)
  marker = undefined
  do {
    const page: { InstanceProfiles?: { InstanceProfileName?: string; Arn?: string }[]; IsTruncated?: boolean; Marker?: string } = await aws.iam.send(
      new ListInstanceProfilesCommand({ Marker: marker }),
    )
    for (const p of page.InstanceProfiles ?? []) {
      if (has((await unlessGone(aws.iam.send(new ListInstanceProfileTagsCommand({ InstanceProfileName: p.InstanceProfileName }))))?.Tags)) found.add(p.Arn!)
    }
    marker = page.IsTruncated ? page.Marker : undefined
  } while (marker)
  marker = undefined
  do {
    const page: { Policies?: { Arn?: string }[]; IsTruncated?: boolean; Marker?: string } = await aws.iam.send(
      new ListPoliciesCommand({ Scope: 'Local', Marker: marker }),
    )
    for (const p of page.Policies ?? []) {
      if (has((await unlessGone(aws.iam.send(new ListPolicyTagsCommand({ PolicyArn: p.Arn }))))?.Tags)) found.add(p.Arn!)
    }
    marker = page.IsTruncated ? page.Marker : undefined
  } while (marker)
  for (const p of (await aws.iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList ?? []) {
    if (has((await unlessGone(aws.iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: p.Arn }))))?.Tags)) found.add(p.Arn!)
  }
  for (const name of (await aws.eks.send(new ListClustersCommand({}))).clusters ?? []) {
    const c = (await unlessGone(aws.eks.send(new DescribeClusterCommand({ name }))))?.cluster
    if (c?.tags?.[RUN_TAG] === runId) found.add(c.arn!)
  }
  for (const url of (await aws.sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []) {
    // SQS lists a deleted queue for up to 60 s; asking for its tags then says it does not exist.
    if ((await unlessGone(aws.sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))))?.Tags?.[RUN_TAG] === runId) found.add(url)
  }
  const account = await accountOf(aws)
  for (const t of (await aws.fis.send(new ListExperimentTemplatesCommand({}))).experimentTemplates ?? []) {
    const tags: Record<string, string> | undefined =
      t.tags ?? (await unlessGone(aws.fis.send(new ListFisTags({ resourceArn: fisTemplateArn(aws.region, account, t.id!) }))))?.tags
    if (tags?.[RUN_TAG] === runId) found.add(`FIS experiment template ${t.id}`)
  }
  return [...found].sort()
}

/** Whether a resource the tagging API lists is in fact gone (deleted, terminated, pending deletion). */
async function taggedArnGone(aws: AwsClients, arn: string): Promise<boolean> {
  const [, , service, , , ...rest] = arn.split(':')
  const resource = rest.join(':')
  try {
    if (service === 'ec2') return await ec2Gone(aws, resource)
    if (service === 'kms' && resource.startsWith('key/')) {
      const state = (await extraClients(aws).kms.send(new DescribeKeyCommand({ KeyId: resource.slice(4) }))).KeyMetadata?.KeyState
      return !state || state === 'PendingDeletion' || state === 'PendingReplicaDeletion'
    }
    if (service === 'logs' && resource.startsWith('log-group:')) {
      const name = resource.slice('log-group:'.length).replace(/:\*$/, '')
      const groups = (await extraClients(aws).logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }))).logGroups ?? []
      return !groups.some((g) => g.logGroupName === name)
    }
    if (service === 'sqs') {
      await aws.sqs.send(new GetQueueUrlCommand({ QueueName: resource }))
      return false
    }
    if (service === 'events' && resource.startsWith('rule/')) {
      await aws.events.send(new DescribeRuleCommand({ Name: resource.slice(5).split('/').pop() }))
      return false
    }
    if (service === 'cloudformation' && resource.startsWith('stack/')) {
      const s = (await aws.cloudformation.send(new DescribeStacksCommand({ StackName: arn }))).Stacks?.[0]
      return !s || s.StackStatus === 'DELETE_COMPLETE'
    }
    return false
  } catch (error) {
    if (isNotFound(error)) return true
    throw error
  }
}

async function ec2Gone(aws: AwsClients, resource: string): Promise<boolean> {
  const [type, id] = resource.split('/')
  const ec2 = aws.ec2
  switch (type) {
    case 'instance': {
      const i = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0]
      return !i || i.State?.Name === 'terminated'
    }
    case 'natgateway': {
      const n = (await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [id] }))).NatGateways?.[0]
      return !n || n.State === 'deleted'
    }
    case 'vpc':
      return ((await ec2.send(new DescribeVpcsCommand({ VpcIds: [id] }))).Vpcs ?? []).length === 0
    case 'subnet':
      return ((await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [id] }))).Subnets ?? []).length === 0
    case 'security-group':
      return ((await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [id] }))).SecurityGroups ?? []).length === 0
    case 'internet-gateway':
      return ((await ec2.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: [id] }))).InternetGateways ?? []).length === 0
    case 'route-table':
      return ((await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [id] }))).RouteTables ?? []).length === 0
    case 'network-interface':
      return ((await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] }))).NetworkInterfaces ?? []).length === 0
    case 'elastic-ip':
      return ((await ec2.send(new DescribeAddressesCommand({ AllocationIds: [id] }))).Addresses ?? []).length === 0
    case 'launch-template':
      return ((await ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [id] }))).LaunchTemplates ?? []).length === 0
    default:
      return false
  }
}

export interface AuditOptions {
  /** Tutorial ms per real ms (the sandbox runs faster); 1 on AWS. */
  timeScale?: number
  /** How long to keep asking, in tutorial ms (default 5 minutes). */
  windowMs?: number
  /** How often to ask again, in tutorial ms (default 30 s). */
  intervalMs?: number
  progress?: (line: string) => void
}

/**
 * The leak audit: what is still tagged with the run, asked again for a few minutes while
 * anything is — AWS's tagging index and several services list a deleted resource for a while
 * after its deletion (aws/aws-sdk#676; SQS "up to 60 seconds" after DeleteQueue). Each pass
 * checks every listed resource with its own service, so only what really exists is reported.
 */
export async function auditRunTags(aws: AwsClients, runId: string, options: AuditOptions = {}): Promise<string[]> {
  const scale = options.timeScale && options.timeScale > 0 ? options.timeScale : 1
  const windowMs = (options.windowMs ?? 5 * 60_000) / scale
  const intervalMs = Math.max(100, (options.intervalMs ?? 30_000) / scale)
  const deadline = Date.now() + windowMs
  for (let pass = 1; ; pass++) {
    const left = await taggedWithRun(aws, runId)
    if (left.length === 0 || Date.now() + intervalMs > deadline) return left
    const remaining = Math.round(((deadline - Date.now()) * scale) / 1000)
    options.progress?.(
      `leak audit (pass ${pass}): ${left.length} resource(s) still tagged ${RUN_TAG}=${runId}: ${left.slice(0, 3).join(', ')}${left.length > 3 ? ', …' : ''}; AWS lists deleted resources for a while, asking again (for up to ${remaining} s more, tutorial time)`,
    )
    await sleep(intervalMs)
  }
}

/**
 * The leak audit after an unwind on a real account (support/run.ts finish() calls it on the aws
 * target, whatever ended the run): what is still tagged with the run, and the EKS log group of a
 * cluster that is gone (EKS creates it untagged; B3). Says what leaked and how to finish; never
 * throws (the run is ending: a failed audit is reported, not raised).
 */
export async function auditAfterUnwind(
  ctx: { aws: AwsClients; log: (line: string) => void },
  runId: string,
  options: AuditOptions & { cluster?: string } = {},
): Promise<string[]> {
  const cluster = options.cluster ?? 'spot-and-karpenter'
  let left: string[]
  try {
    left = await auditRunTags(ctx.aws, runId, { ...options, progress: options.progress ?? ctx.log })
    const logGroup = `/aws/eks/${cluster}/cluster`
    const clusterGone = !(await unlessGone(ctx.aws.eks.send(new DescribeClusterCommand({ name: cluster }))))
    const groups = (await extraClients(ctx.aws).logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroup }))).logGroups ?? []
    if (clusterGone && groups.some((g) => g.logGroupName === logGroup)) left.push(`log group ${logGroup} (EKS made it, untagged)`)
  } catch (error) {
    ctx.log(`leak audit: could not ask the account: ${messageOf(error)}; check with: npx spotcheck reap --dry-run --region ${ctx.aws.region}`)
    return [`(the audit failed: ${messageOf(error)})`]
  }
  if (left.length === 0) {
    ctx.log(`leak audit: nothing tagged ${RUN_TAG}=${runId} is left`)
    return left
  }
  ctx.log(`leak audit: ${left.length} resource(s) of run ${runId} left after the clean-up:`)
  for (const l of left) ctx.log(`  ${l}`)
  ctx.log(
    `finish with: npx spotcheck cleanup --run ${runId}; what that cannot undo: npx spotcheck reap --region ${ctx.aws.region} (resources of runs older than 4 h; --older-than 0 when no other run is going)`,
  )
  return left
}
