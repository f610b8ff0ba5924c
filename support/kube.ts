// The steps' view of the cluster: @kubernetes/client-node on the kubeconfig the tutorial's own
// `aws eks update-kubeconfig` wrote. Its exec credential plugin (`aws eks get-token`) runs with
// the target's environment, as kubectl does in the tutorial's terminal.

import * as k8s from '@kubernetes/client-node'
import { existsSync } from 'node:fs'
import type { KarpenterApi, KarpenterResource } from './karpenter-api.ts'

export interface KubeSession {
  config: k8s.KubeConfig
  core: k8s.CoreV1Api
  apps: k8s.AppsV1Api
  custom: k8s.CustomObjectsApi
  objects: k8s.KubernetesObjectApi
  /**
   * Settles once the kubeconfig's credentials have been fetched (the tutorial's exec plugin, `aws
   * eks get-token`) and cached. client-node's ExecAuth caches a token but not a fetch in flight:
   * the recorders' first requests, all at once, would each run the plugin. They wait on this
   * instead, so the plugin runs once.
   */
  authenticated: Promise<void>
}

/** Variables the exec plugin (`aws eks get-token`) needs from the terminal's environment. */
const EXEC_ENV = /^(AWS_|PATH$|PYTHONPATH$|HOME$|SPOTCHECK_)/

export function connect(env: Record<string, string>): KubeSession {
  const file = env.KUBECONFIG
  if (!file || !existsSync(file)) {
    throw new Error(`no kubeconfig at ${file ?? '$KUBECONFIG (unset)'}: the tutorial's "aws eks update-kubeconfig" (Step 2) writes it`)
  }
  const config = new k8s.KubeConfig()
  config.loadFromFile(file)
  const extra = Object.entries(env)
    .filter(([k]) => EXEC_ENV.test(k))
    .map(([name, value]) => ({ name, value }))
  for (const user of config.users) {
    const exec = (user as { exec?: { env?: { name: string; value: string }[] | null } }).exec
    if (exec) exec.env = [...(exec.env ?? []).filter((e) => !extra.some((x) => x.name === e.name)), ...extra]
  }
  return {
    config,
    // A failure here is not said: each request fetches again, and fails with its own error.
    authenticated: config.applyToHTTPSOptions({}).catch(() => {}),
    core: config.makeApiClient(k8s.CoreV1Api),
    apps: config.makeApiClient(k8s.AppsV1Api),
    custom: config.makeApiClient(k8s.CustomObjectsApi),
    objects: k8s.KubernetesObjectApi.makeApiClient(config),
  }
}

export type Pod = k8s.V1Pod
export type Node = k8s.V1Node

export interface NodeClaim {
  metadata: { name: string; labels?: Record<string, string>; creationTimestamp?: string; deletionTimestamp?: string }
  spec: { requirements?: { key: string; operator: string; values?: string[]; minValues?: number }[]; resources?: { requests?: Record<string, string> } }
  status?: {
    providerID?: string
    nodeName?: string
    capacity?: Record<string, string>
    allocatable?: Record<string, string>
    conditions?: { type: string; status: string }[]
  }
}

/** The NodeClaims, read where the run's Karpenter serves them (karpenter.sh/v1beta1 or karpenter.sh/v1). */
export async function listNodeClaims(kube: KubeSession, karpenter: Pick<KarpenterApi, 'nodeClaim'>): Promise<NodeClaim[]> {
  const { group, version, plural } = karpenter.nodeClaim
  const out = (await kube.custom.listClusterCustomObject({ group, version, plural })) as { items: NodeClaim[] }
  return out.items
}

/** A cluster-scoped Karpenter object (NodePool, EC2NodeClass) by name, at the version the run's Karpenter serves. */
export async function getKarpenterObject<T>(kube: KubeSession, resource: KarpenterResource, name: string): Promise<T> {
  const { group, version, plural } = resource
  return (await kube.custom.getClusterCustomObject({ group, version, plural, name })) as T
}

export function nodeReady(node: Node): boolean {
  return (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
}

export function podReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
}

/** Karpenter's nodes: those with the karpenter.sh/nodepool label. */
export function isKarpenterNode(node: Node): boolean {
  return Boolean(node.metadata?.labels?.['karpenter.sh/nodepool'])
}

export function zoneOf(node: Node): string {
  return node.metadata?.labels?.['topology.kubernetes.io/zone'] ?? ''
}

export function instanceTypeOf(node: Node): string {
  return node.metadata?.labels?.['node.kubernetes.io/instance-type'] ?? node.metadata?.labels?.['beta.kubernetes.io/instance-type'] ?? ''
}

export function capacityTypeOf(node: Node): string {
  return (
    node.metadata?.labels?.['karpenter.sh/capacity-type'] ?? node.metadata?.labels?.['eks.amazonaws.com/capacityType']?.toLowerCase().replace('_', '-') ?? ''
  )
}

/** `aws:///eu-west-2a/i-0abc…` → `i-0abc…` */
export function instanceIdOf(providerID: string | undefined): string | undefined {
  return providerID?.split('/').pop() || undefined
}
