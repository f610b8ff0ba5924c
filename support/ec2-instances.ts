// An EC2 instance that still exists or may still run, and the instances of a cluster: one
// definition shared by the steps' checks (support/expect/aws.ts) and the run's clean-up (undo.ts).

import { DescribeInstancesCommand, type Filter } from '@aws-sdk/client-ec2'
import type { AwsClients } from './aws-clients.ts'
import type { Attempt } from './eventually.ts'

/** An instance that still exists or may still run: every state but `terminated`. */
export const LIVE_INSTANCE_STATES = ['pending', 'running', 'stopping', 'stopped', 'shutting-down']

/** Whether no live instance matches the filters, as a probe. */
export async function noLiveInstances(aws: AwsClients, filters: Filter[]): Promise<Attempt<void>> {
  const left = await liveInstances(aws, filters)
  return { ok: left.length === 0, seen: left.length ? `still running: ${left.join(', ')}` : 'all terminated' }
}

/** The IDs of the live instances that match the filters. */
export async function liveInstances(aws: AwsClients, filters: Filter[]): Promise<string[]> {
  const out = await aws.ec2.send(new DescribeInstancesCommand({ Filters: [...filters, { Name: 'instance-state-name', Values: LIVE_INSTANCE_STATES }] }))
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).flatMap((i) => (i.InstanceId ? [i.InstanceId] : []))
}

export async function instanceById(aws: AwsClients, id: string) {
  return (await aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0]
}

/** The filters that find a cluster's instances: its node groups', EKS's, and Karpenter's. */
export function clusterInstanceFilters(cluster: string, karpenter: Filter[]): Filter[][] {
  return [[{ Name: `tag:kubernetes.io/cluster/${cluster}`, Values: ['owned'] }], [{ Name: 'tag:eks:cluster-name', Values: [cluster] }], karpenter]
}

/** The live instances matching any of the filter sets, each once. */
export async function liveInstancesOfAny(aws: AwsClients, filterSets: Filter[][]): Promise<string[]> {
  const found = new Set<string>()
  for (const filters of filterSets) for (const id of await liveInstances(aws, filters)) found.add(id)
  return [...found]
}
