// Removing what `spotcheck reap` selected, kind by kind in support/reap-select.ts's
// REMOVAL_ORDER (instances → node groups → cluster → stacks → NAT/EIP → ENIs →
// gateways/subnets/route tables/groups → VPC; queues and rules; IAM last). Each removal retries
// what AWS's eventual consistency makes fail for a while (DependencyViolation, DeleteConflict,
// ResourceInUse) and takes NotFound as done.

import { DeleteStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation'
import { sleep } from '../lib/sleep.ts'
import {
  DeleteInternetGatewayCommand,
  DeleteLaunchTemplateCommand,
  DeleteNatGatewayCommand,
  DeleteNetworkAclCommand,
  DeleteNetworkInterfaceCommand,
  DeleteRouteTableCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DetachInternetGatewayCommand,
  DetachNetworkInterfaceCommand,
  DisassociateAddressCommand,
  DisassociateRouteTableCommand,
  ReleaseAddressCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2'
import { DeleteClusterCommand, DeleteNodegroupCommand, DescribeClusterCommand, DescribeNodegroupCommand, ListNodegroupsCommand } from '@aws-sdk/client-eks'
import { DeleteRuleCommand, ListTargetsByRuleCommand, RemoveTargetsCommand } from '@aws-sdk/client-eventbridge'
import { DeleteExperimentTemplateCommand } from '@aws-sdk/client-fis'
import {
  DeleteInstanceProfileCommand,
  DeleteOpenIDConnectProviderCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetInstanceProfileCommand,
  ListAttachedRolePoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListInstanceProfilesForRoleCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  RemoveRoleFromInstanceProfileCommand,
} from '@aws-sdk/client-iam'
import { DeleteLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs'
import { DeleteAliasCommand, DescribeKeyCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms'
import { DeleteParameterCommand } from '@aws-sdk/client-ssm'
import { DeleteQueueCommand } from '@aws-sdk/client-sqs'
import type { AwsClients } from './aws-clients.ts'
import { errorText, removing, unlessGone } from './aws-errors.ts'
import type { ExtraClients } from './aws-extra-clients.ts'
import type { Leftover, RunLock } from './reap-select.ts'

export interface RemoveContext {
  aws: AwsClients
  extra: ExtraClients
  log: (line: string) => void
  /** Real-time limit per resource for retries and waits (default 20 min: an EKS cluster takes ~10). */
  timeoutMs?: number
  /** Poll interval for waits and retries (default 5 s; tests use less). */
  intervalMs?: number
}

export type Outcome = 'removed' | 'gone' | 'failed'

/** Removes `leftovers` in the order given (REMOVAL_ORDER); one line each; what failed is returned. */
export async function removeAll(
  leftovers: { leftover: Leftover; why: string }[],
  ctx: RemoveContext,
): Promise<{ leftover: Leftover; outcome: Outcome; error?: string }[]> {
  const results: { leftover: Leftover; outcome: Outcome; error?: string }[] = []
  // Instances go as one batch, so their terminations overlap.
  const instances = leftovers.filter((l) => l.leftover.kind === 'ec2-instance').map((l) => l.leftover)
  if (instances.length > 0) {
    try {
      await terminate(
        instances.map((i) => i.id),
        ctx,
      )
      for (const i of instances) {
        ctx.log(`removed ${i.label}`)
        results.push({ leftover: i, outcome: 'removed' })
      }
    } catch (error) {
      for (const i of instances) {
        ctx.log(`FAILED  ${i.label}: ${errorText(error)}`)
        results.push({ leftover: i, outcome: 'failed', error: errorText(error) })
      }
    }
  }
  for (const { leftover } of leftovers) {
    if (leftover.kind === 'ec2-instance') continue
    try {
      const outcome = await removeOne(leftover, ctx)
      ctx.log(`${outcome === 'gone' ? 'gone   ' : 'removed'} ${leftover.label}`)
      results.push({ leftover, outcome })
    } catch (error) {
      ctx.log(`FAILED  ${leftover.label}: ${errorText(error).split('\n')[0]}`)
      results.push({ leftover, outcome: 'failed', error: errorText(error) })
    }
  }
  return results
}

export async function removeLock(lock: RunLock, ctx: RemoveContext): Promise<Outcome> {
  return removing(`lock ${lock.name}`, () => ctx.extra.ssm.send(new DeleteParameterCommand({ Name: lock.name })), retry(ctx))
}

function retry(ctx: RemoveContext) {
  return { timeoutMs: ctx.timeoutMs ?? 20 * 60_000, intervalMs: ctx.intervalMs, log: ctx.log }
}

async function waitUntil(what: string, done: () => Promise<boolean>, ctx: RemoveContext): Promise<void> {
  const deadline = Date.now() + (ctx.timeoutMs ?? 20 * 60_000)
  let announced = Date.now()
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`)
    if (Date.now() - announced > 30_000) {
      announced = Date.now()
      ctx.log(`  still waiting for ${what}…`)
    }
    await sleep(ctx.intervalMs ?? 5_000)
  }
}

/** Terminates instances (all at once) and waits until none of them lives. */
export async function terminate(ids: string[], ctx: Pick<RemoveContext, 'aws' | 'log' | 'timeoutMs' | 'intervalMs'> & Partial<RemoveContext>): Promise<void> {
  const full = ctx as RemoveContext
  await removing('terminating instances', () => ctx.aws.ec2.send(new TerminateInstancesCommand({ InstanceIds: ids })), retry(full))
  await waitUntil(
    `instances ${ids.join(', ')} terminated`,
    async () => {
      const out = await unlessGone(ctx.aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: ids })), { Reservations: [] })
      return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).every((i) => i.State?.Name === 'terminated')
    },
    full,
  )
}

async function removeOne(l: Leftover, ctx: RemoveContext): Promise<'removed' | 'gone'> {
  const { aws, extra } = ctx
  const r = retry(ctx)
  switch (l.kind) {
    case 'eks-nodegroup': {
      const cluster = l.extra!.cluster
      const out = await removing(l.label, () => aws.eks.send(new DeleteNodegroupCommand({ clusterName: cluster, nodegroupName: l.id })), r)
      await waitUntil(
        `${l.label} deleted`,
        async () => !(await unlessGone(aws.eks.send(new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName: l.id })))),
        ctx,
      )
      return out
    }
    case 'eks-cluster': {
      // Node groups first (EKS refuses to delete a cluster that has them).
      const groups = (await unlessGone(aws.eks.send(new ListNodegroupsCommand({ clusterName: l.id }))))?.nodegroups ?? []
      for (const g of groups) await removeOne({ kind: 'eks-nodegroup', id: g, label: `EKS node group ${g} of ${l.id}`, extra: { cluster: l.id } }, ctx)
      const out = await removing(l.label, () => aws.eks.send(new DeleteClusterCommand({ name: l.id })), r)
      await waitUntil(`${l.label} deleted`, async () => !(await unlessGone(aws.eks.send(new DescribeClusterCommand({ name: l.id })))), ctx)
      return out
    }
    case 'cloudformation-stack': {
      const status = async () => (await unlessGone(aws.cloudformation.send(new DescribeStacksCommand({ StackName: l.id }))))?.Stacks?.[0]?.StackStatus
      if (!(await status())) return 'gone'
      await aws.cloudformation.send(new DeleteStackCommand({ StackName: l.id }))
      await waitUntil(
        `${l.label} deleted`,
        async () => {
          const s = await status()
          if (s === 'DELETE_FAILED')
            throw new Error(`stack ${l.id}: DELETE_FAILED (see its events: aws cloudformation describe-stack-events --stack-name ${l.id})`)
          return !s || s === 'DELETE_COMPLETE'
        },
        ctx,
      )
      return 'removed'
    }
    case 'launch-template':
      return removing(l.label, () => aws.ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: l.id })), r)
    case 'nat-gateway': {
      const out = await removing(l.label, () => aws.ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: l.id })), r)
      await waitUntil(
        `${l.label} deleted`,
        async () => {
          const n = (await unlessGone(aws.ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [l.id] }))))?.NatGateways?.[0]
          return !n || n.State === 'deleted'
        },
        ctx,
      )
      return out
    }
    case 'elastic-ip': {
      const association = l.extra?.associationId
      if (association) await unlessGone(aws.ec2.send(new DisassociateAddressCommand({ AssociationId: association })))
      return removing(l.label, () => aws.ec2.send(new ReleaseAddressCommand({ AllocationId: l.id })), r)
    }
    case 'network-interface': {
      if (l.extra?.attachmentId) await unlessGone(aws.ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: l.extra.attachmentId, Force: true })))
      return removing(l.label, () => aws.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: l.id })), r)
    }
    case 'internet-gateway': {
      const g = (await unlessGone(aws.ec2.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: [l.id] }))))?.InternetGateways?.[0]
      if (!g) return 'gone'
      for (const a of g.Attachments ?? [])
        await removing(`detach ${l.label}`, () => aws.ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: l.id, VpcId: a.VpcId })), r)
      return removing(l.label, () => aws.ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: l.id })), r)
    }
    case 'subnet':
      return removing(l.label, () => aws.ec2.send(new DeleteSubnetCommand({ SubnetId: l.id })), r)
    case 'route-table': {
      const t = (await unlessGone(aws.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [l.id] }))))?.RouteTables?.[0]
      if (!t) return 'gone'
      for (const a of t.Associations ?? [])
        if (!a.Main && a.RouteTableAssociationId)
          await unlessGone(aws.ec2.send(new DisassociateRouteTableCommand({ AssociationId: a.RouteTableAssociationId })))
      return removing(l.label, () => aws.ec2.send(new DeleteRouteTableCommand({ RouteTableId: l.id })), r)
    }
    case 'security-group': {
      // Rules that name other groups keep those groups "in use": revoke them first.
      const g = (await unlessGone(aws.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [l.id] }))))?.SecurityGroups?.[0]
      if (!g) return 'gone'
      if (g.IpPermissions?.length) await unlessGone(aws.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: l.id, IpPermissions: g.IpPermissions })))
      if (g.IpPermissionsEgress?.length)
        await unlessGone(aws.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: l.id, IpPermissions: g.IpPermissionsEgress })))
      return removing(l.label, () => aws.ec2.send(new DeleteSecurityGroupCommand({ GroupId: l.id })), r)
    }
    case 'network-acl':
      return removing(l.label, () => aws.ec2.send(new DeleteNetworkAclCommand({ NetworkAclId: l.id })), r)
    case 'vpc':
      return removing(l.label, () => aws.ec2.send(new DeleteVpcCommand({ VpcId: l.id })), r)
    case 'sqs-queue':
      return removing(l.label, () => aws.sqs.send(new DeleteQueueCommand({ QueueUrl: l.id })), r)
    case 'events-rule': {
      const targets = (await unlessGone(aws.events.send(new ListTargetsByRuleCommand({ Rule: l.id }))))?.Targets
      if (!targets) return 'gone'
      if (targets.length > 0) await aws.events.send(new RemoveTargetsCommand({ Rule: l.id, Ids: targets.map((t) => t.Id!) }))
      return removing(l.label, () => aws.events.send(new DeleteRuleCommand({ Name: l.id })), r)
    }
    case 'fis-template':
      return removing(l.label, () => aws.fis.send(new DeleteExperimentTemplateCommand({ id: l.id })), r)
    case 'log-group':
      return removing(l.label, () => extra.logs.send(new DeleteLogGroupCommand({ logGroupName: l.id })), r)
    case 'kms-key': {
      // KMS deletes a key only after a waiting period (7–30 days); a key pending deletion is
      // not billed and counts as gone. Its alias would block the next run's alias: it goes now.
      if (l.extra?.alias) await unlessGone(extra.kms.send(new DeleteAliasCommand({ AliasName: l.extra.alias })))
      const meta = (await unlessGone(extra.kms.send(new DescribeKeyCommand({ KeyId: l.id }))))?.KeyMetadata
      if (!meta || meta.KeyState === 'PendingDeletion') return 'gone'
      await extra.kms.send(new ScheduleKeyDeletionCommand({ KeyId: l.id, PendingWindowInDays: 7 }))
      return 'removed'
    }
    case 'iam-instance-profile': {
      const p = (await unlessGone(aws.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: l.id }))))?.InstanceProfile
      if (!p) return 'gone'
      for (const role of p.Roles ?? [])
        await unlessGone(aws.iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: l.id, RoleName: role.RoleName })))
      return removing(l.label, () => aws.iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: l.id })), r)
    }
    case 'iam-role': {
      const attached = (await unlessGone(aws.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: l.id }))))?.AttachedPolicies
      if (!attached) return 'gone'
      for (const p of attached) await unlessGone(aws.iam.send(new DetachRolePolicyCommand({ RoleName: l.id, PolicyArn: p.PolicyArn })))
      for (const name of (await unlessGone(aws.iam.send(new ListRolePoliciesCommand({ RoleName: l.id }))))?.PolicyNames ?? [])
        await unlessGone(aws.iam.send(new DeleteRolePolicyCommand({ RoleName: l.id, PolicyName: name })))
      for (const p of (await unlessGone(aws.iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: l.id }))))?.InstanceProfiles ?? []) {
        await unlessGone(aws.iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: p.InstanceProfileName, RoleName: l.id })))
      }
      return removing(l.label, () => aws.iam.send(new DeleteRoleCommand({ RoleName: l.id })), r)
    }
    case 'iam-policy': {
      const entities = await unlessGone(aws.iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: l.id })))
      if (!entities) return 'gone'
      for (const x of entities.PolicyRoles ?? []) await unlessGone(aws.iam.send(new DetachRolePolicyCommand({ RoleName: x.RoleName, PolicyArn: l.id })))
      for (const x of entities.PolicyUsers ?? []) await unlessGone(aws.iam.send(new DetachUserPolicyCommand({ UserName: x.UserName, PolicyArn: l.id })))
      for (const x of entities.PolicyGroups ?? []) await unlessGone(aws.iam.send(new DetachGroupPolicyCommand({ GroupName: x.GroupName, PolicyArn: l.id })))
      for (const v of (await unlessGone(aws.iam.send(new ListPolicyVersionsCommand({ PolicyArn: l.id }))))?.Versions ?? []) {
        if (!v.IsDefaultVersion) await unlessGone(aws.iam.send(new DeletePolicyVersionCommand({ PolicyArn: l.id, VersionId: v.VersionId })))
      }
      return removing(l.label, () => aws.iam.send(new DeletePolicyCommand({ PolicyArn: l.id })), r)
    }
    case 'iam-oidc-provider':
      return removing(l.label, () => aws.iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: l.id })), r)
    case 'ec2-instance':
      await terminate([l.id], ctx)
      return 'removed'
    case 'unsupported':
      throw new Error('spotcheck cannot remove this kind of resource: delete it by hand (it carries the run tag)')
  }
}
