// The run's tag, `spotcheck:run = <run id>`, on everything the run creates in AWS — so that a
// leak audit can ask the account, not the run's memory, what is left.
//
// Terraform's resources get it from the fixtures' provider default_tags (TF_VAR_run_id).
// CloudFormation's `aws cloudformation deploy`, run verbatim, cannot be told to tag, so the run
// tags the stack's resources itself right after the deploy. spotcheck's own resources are
// created with it.

import { DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation'
import { ListTagsForResourceCommand as ListFisTags, ListExperimentTemplatesCommand, TagResourceCommand as TagFisResource } from '@aws-sdk/client-fis'
import { DescribeInstancesCommand, DescribeNatGatewaysCommand } from '@aws-sdk/client-ec2'
import { ListClustersCommand, DescribeClusterCommand } from '@aws-sdk/client-eks'
import { ListInstanceProfilesCommand, ListInstanceProfileTagsCommand, ListRolesCommand, ListRoleTagsCommand, TagRoleCommand } from '@aws-sdk/client-iam'
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api'
import { ListQueuesCommand, ListQueueTagsCommand } from '@aws-sdk/client-sqs'
import type { AwsClients } from './aws-clients.ts'

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
        await aws.fis.send(new TagFisResource({ resourceArn: `arn:aws:fis:${aws.region}:${account}:experiment-template/${id}`, tags: { [RUN_TAG]: runId } }))
        tagged.push(`FIS experiment template ${id}`)
        break
      default:
        untaggable.push(`${r.ResourceType} ${id}`)
    }
  }
  return { tagged, untaggable }
}

/**
 * Everything in the account still tagged with the run: the Resource Groups Tagging API (EC2,
 * EventBridge, CloudFormation, KMS, logs… on AWS) plus the services it does not cover everywhere
 * (IAM roles and instance profiles, EKS clusters, SQS queues, FIS templates), asked one by one.
 */
export async function taggedWithRun(aws: AwsClients, runId: string): Promise<string[]> {
  const found = new Set<string>()
  let token: string | undefined
  do {
    const page = await aws.tagging.send(new GetResourcesCommand({ TagFilters: [{ Key: RUN_TAG, Values: [runId] }], PaginationToken: token }))
    for (const r of page.ResourceTagMappingList ?? []) found.add(r.ResourceARN!)
    token = page.PaginationToken || undefined
  } while (token)
  // The tagging API still lists terminated instances and deleted NAT gateways for a while: gone is gone.
  for (const arn of [...found]) if (await ec2Gone(aws, arn)) found.delete(arn)

  const has = (tags: { Key?: string; Value?: string }[] | undefined) => (tags ?? []).some((t) => t.Key === RUN_TAG && t.Value === runId)
  let marker: string | undefined
  do {
    const page = await aws.iam.send(new ListRolesCommand({ Marker: marker }))
    for (const role of page.Roles ?? []) {
      if (role.Path?.startsWith('/aws-service-role/')) continue
      if (has((await aws.iam.send(new ListRoleTagsCommand({ RoleName: role.RoleName }))).Tags)) found.add(role.Arn!)
    }
    marker = page.IsTruncated ? page.Marker : undefined
  } while (marker)
  marker = undefined
  do {
    const page: { InstanceProfiles?: { InstanceProfileName?: string; Arn?: string }[]; IsTruncated?: boolean; Marker?: string } = await aws.iam.send(new ListInstanceProfilesCommand({ Marker: marker }))
    for (const p of page.InstanceProfiles ?? []) {
      if (has((await aws.iam.send(new ListInstanceProfileTagsCommand({ InstanceProfileName: p.InstanceProfileName }))).Tags)) found.add(p.Arn!)
    }
    marker = page.IsTruncated ? page.Marker : undefined
  } while (marker)
  for (const name of (await aws.eks.send(new ListClustersCommand({}))).clusters ?? []) {
    const c = (await aws.eks.send(new DescribeClusterCommand({ name }))).cluster
    if (c?.tags?.[RUN_TAG] === runId) found.add(c.arn!)
  }
  for (const url of (await aws.sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []) {
    if ((await aws.sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags?.[RUN_TAG] === runId) found.add(url)
  }
  for (const t of (await aws.fis.send(new ListExperimentTemplatesCommand({}))).experimentTemplates ?? []) {
    const tags: Record<string, string> | undefined = t.tags ?? (await aws.fis.send(new ListFisTags({ resourceArn: `arn:aws:fis:${aws.region}::experiment-template/${t.id}` })).catch(() => ({ tags: {} }))).tags
    if (tags?.[RUN_TAG] === runId) found.add(`FIS experiment template ${t.id}`)
  }
  return [...found].sort()
}

async function ec2Gone(aws: AwsClients, arn: string): Promise<boolean> {
  const m = /^arn:aws[a-z-]*:ec2:[^:]*:[^:]*:(instance|natgateway)\/(.+)$/.exec(arn)
  if (!m) return false
  try {
    if (m[1] === 'instance') {
      const i = (await aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: [m[2]] }))).Reservations?.[0]?.Instances?.[0]
      return !i || i.State?.Name === 'terminated'
    }
    const n = (await aws.ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [m[2]] }))).NatGateways?.[0]
    return !n || n.State === 'deleted'
  } catch (error) {
    if (/NotFound/.test((error as Error).name)) return true
    throw error
  }
}
