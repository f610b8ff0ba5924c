// One provisioning round as the provisioner controller runs it after a batch window closes
// (core@v0.32.1:pkg/controllers/provisioning/provisioner.go: Schedule, CreateNodeClaims,
// launchNodeClaim; scheduling/nodeclaimtemplate.go: ToNodeClaim): pick the pods, simulate,
// turn each planned NodeClaim into the object to create, and produce the round's log lines.

import { merge, parseResourceList, toStringMap } from '../k8s/resources.ts'
import type { Pod } from '../k8s/types.ts'
import { NODEPOOL_API_VERSION, type NodeClaim, type NodePool } from './api.ts'
import { orderByPrice } from './instance-types.ts'
import { ANNOTATION_NODEPOOL_HASH, LABEL_INSTANCE_TYPE } from './labels.ts'
import * as log from './logger.ts'
import { nodeClaimName } from './nodeclaim-names.ts'
import { Requirement } from './requirements.ts'
import { stableHash } from './hash.ts'
import type { Rng } from './rng.ts'
import type { PlannedNodeClaim } from './scheduling/nodeclaim.ts'
import { isProvisionable, podKey, reschedulablePods, validatePod } from './scheduling/pods.ts'
import { currentlyReschedulablePods, type PodDisruptionBudgetV1 } from './v1/reschedulable.ts'
import { schedule, type SchedulingInput, type SchedulingResults } from './scheduling/scheduler.ts'
import type { StateNode } from './state.ts'

/** v1beta1 NodeClaims carry the 100 cheapest instance types (v1 cuts to 60). */
const MAX_NODECLAIM_INSTANCE_TYPES = 100

/** The `karpenter.sh/nodepool-hash` annotation value (a hash of the NodePool's template). */
export function nodePoolHash(nodePool: NodePool): string {
  return stableHash(nodePool.spec.template)
}

export interface ToNodeClaimOptions {
  /** The name to give (the API server would complete `generateName`); generated when absent. */
  name?: string
  rng: Rng
  /** Names already in use, to avoid collisions when generating. */
  takenNames?: ReadonlySet<string>
}

/**
 * `NodeClaimTemplate.ToNodeClaim`: the NodeClaim object, with `node.kubernetes.io/instance-type In
 * [the 100 cheapest remaining types]` added to the requirements.
 */
export function toNodeClaim(planned: PlannedNodeClaim, opts: ToNodeClaimOptions): NodeClaim {
  const t = planned.template
  const cheapest = orderByPrice(planned.instanceTypeOptions, planned.requirements).slice(0, MAX_NODECLAIM_INSTANCE_TYPES)
  const reqs = planned.requirements.copy().add(
    Requirement.of(
      LABEL_INSTANCE_TYPE,
      'In',
      cheapest.map((it) => it.name),
    ),
  )
  const name = opts.name ?? nodeClaimName(t.nodePoolName, opts.rng, opts.takenNames)
  const spec: NodeClaim['spec'] = {}
  if (t.taints.length > 0) spec.taints = t.taints
  if (t.startupTaints.length > 0) spec.startupTaints = t.startupTaints
  spec.requirements = reqs.toNodeSelectorRequirements()
  spec.resources = { requests: toStringMap(planned.requests) }
  if (t.kubelet) spec.kubelet = t.kubelet
  if (t.nodeClassRef) spec.nodeClassRef = t.nodeClassRef
  return {
    apiVersion: NODEPOOL_API_VERSION,
    kind: 'NodeClaim',
    metadata: {
      name,
      generateName: `${t.nodePoolName}-`,
      labels: { ...t.labels },
      annotations: { ...t.annotations, [ANNOTATION_NODEPOOL_HASH]: nodePoolHash(t.nodePool) },
      ownerReferences: [{ apiVersion: NODEPOOL_API_VERSION, kind: 'NodePool', name: t.nodePoolName, uid: t.nodePool.metadata.uid, blockOwnerDeletion: true }],
    },
    spec,
  }
}

/** The NodePool's `status.resources`: the summed capacity of its nodes (the counter controller). */
export function nodePoolUsage(nodePool: string, stateNodes: readonly StateNode[]): Record<string, string> {
  return toStringMap(merge(...stateNodes.filter((n) => n.nodePool === nodePool).map((n) => n.capacity)))
}

/**
 * `Limits.ExceededBy`: checked once more when a NodeClaim is about to be created; the error aborts
 * that NodeClaim (`creating node claim, <error>`). Values print as plain decimals.
 */
export function limitsExceededBy(nodePool: NodePool): string | undefined {
  if (!nodePool.spec.limits) return undefined
  const limits = parseResourceList(nodePool.spec.limits)
  const usage = parseResourceList(nodePool.status?.resources)
  for (const name of Object.keys(usage).sort()) {
    const limit = limits[name]
    if (limit && usage[name].cmp(limit) > 0) return `${name} resource usage of ${decimal(usage[name].nano)} exceeds limit of ${decimal(limit.nano)}`
  }
  return undefined
}

function decimal(nano: bigint): string {
  const neg = nano < 0n
  const abs = neg ? -nano : nano
  const whole = abs / 1_000_000_000n
  const frac = (abs % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '')
  return `${neg ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`
}

/** batcher.go: the batch window ends 1 s after the last trigger, or 10 s after the first. */
const BATCH_IDLE_DURATION_MS = 1_000
const BATCH_MAX_DURATION_MS = 10_000

/** When the provisioner's batch window closes, given its first and latest trigger (epoch ms). */
export function batchWindowCloses(firstTriggerMs: number, lastTriggerMs: number, idleMs = BATCH_IDLE_DURATION_MS, maxMs = BATCH_MAX_DURATION_MS): number {
  return Math.min(lastTriggerMs + idleMs, firstTriggerMs + maxMs)
}

/** The pending pods the provisioner picks up, and the DEBUG lines for those it ignores. */
function provisionablePods(pods: readonly Pod[]): { pods: Pod[]; ignored: log.LogEntry[] } {
  const out: Pod[] = []
  const ignored: log.LogEntry[] = []
  for (const p of pods) {
    if (!isProvisionable(p)) continue
    const invalid = validatePod(p)
    if (invalid) {
      ignored.push(log.ignoringPod(podKey(p), invalid))
      continue
    }
    out.push(p)
  }
  return { pods: out, ignored }
}

export interface ProvisioningRound {
  results: SchedulingResults
  /** The NodeClaims to create, in the order of `results.newNodeClaims`. */
  nodeClaims: NodeClaim[]
  /** Pods placed on existing or in-flight nodes: the `Nominated` events to emit, and nodes to mark nominated. */
  nominations: { pod: Pod; node: StateNode }[]
  /** The round's log entries in emission order (timestamps are the caller's). */
  logs: log.LogEntry[]
}

export interface ProvisioningOptions extends Omit<SchedulingInput, 'pods'> {
  /** Unbound pods (any: the non-provisionable ones are skipped). */
  pendingPods: readonly Pod[]
  /**
   * Every StateNode, deleting ones included: active ones take pods, the reschedulable pods of the
   * deleting (marked-for-deletion) ones are scheduled again.
   */
  stateNodes?: SchedulingInput['stateNodes']
  /** Overrides the pods taken from deleting state nodes. */
  deletingNodePods?: readonly Pod[]
  /** PodDisruptionBudgets: with line 'v1', pods they fully block are not taken from deleting nodes. */
  pdbs?: readonly PodDisruptionBudgetV1[]
  /** How long the simulation took (the `duration` field); measured by the caller. */
  durationMs?: number
  takenNames?: ReadonlySet<string>
  /** Builds the NodeClaim object of a planned NodeClaim (default: v1beta1 `toNodeClaim`; the 1.x twin passes its own). */
  toNodeClaim?: (planned: PlannedNodeClaim, opts: ToNodeClaimOptions) => NodeClaim
}

/**
 * A whole round: select pods, simulate, build the NodeClaims and the provisioner's log lines
 * (`found provisionable pod(s)`, `computed new nodeclaim(s) to fit pod(s)`, `computed N unready
 * node(s) …`, `created nodeclaim`, limit DEBUG lines, `Could not schedule pod` ERRORs).
 */
export function provisioningRound(opts: ProvisioningOptions): ProvisioningRound {
  const { pods: pending, ignored } = provisionablePods(opts.pendingPods)
  const all = opts.stateNodes ?? []
  const reschedulable = opts.line === 'v1' ? (pods: Pod[]) => currentlyReschedulablePods(pods, opts.pdbs ?? []) : reschedulablePods
  const deletingPods = opts.deletingNodePods ?? all.filter((n) => n.markedForDeletion).flatMap((n) => reschedulable(n.pods))
  const pods = [...pending, ...deletingPods]
  const logs: log.LogEntry[] = [...ignored]
  if (pods.length === 0) {
    return { results: emptyResults(), nodeClaims: [], nominations: [], logs }
  }
  if (opts.nodePools.length === 0) {
    logs.push(log.noNodePools())
    return { results: emptyResults(), nodeClaims: [], nominations: [], logs }
  }
  const results = schedule({ ...opts, stateNodes: all.filter((n) => !n.markedForDeletion), pods })
  for (const l of results.limits) logs.push(log.limitsExcluded(l.nodePool, l.excluded, l.total))
  for (const r of results.relaxations) logs.push(log.relaxingSoftConstraints(podKey(r.pod), r.reason))
  for (const [pod, err] of results.podErrors) logs.push(log.couldNotSchedulePod(podKey(pod), err))

  const nominations: { pod: Pod; node: StateNode }[] = []
  for (const n of results.existingNodes) for (const p of n.pods) nominations.push({ pod: p.original, node: n.state })

  const newPods = results.newNodeClaims.reduce((sum, nc) => sum + nc.pods.length, 0)
  const nodeClaims: NodeClaim[] = []
  if (newPods > 0) {
    logs.push(log.foundProvisionablePods(results.podsInQueueOrder.map(podKey), opts.durationMs ?? 0))
    logs.push(log.computedNewNodeClaims(results.newNodeClaims.length, newPods))
    const busy = results.existingNodes.filter((n) => n.pods.length > 0)
    if (busy.length > 0)
      logs.push(
        log.computedUnreadyNodes(
          busy.length,
          busy.reduce((s, n) => s + n.pods.length, 0),
        ),
      )
    const taken = new Set(opts.takenNames ?? [])
    for (const planned of results.newNodeClaims) {
      const nc = (opts.toNodeClaim ?? toNodeClaim)(planned, { rng: opts.rng, takenNames: taken })
      taken.add(nc.metadata.name!)
      nodeClaims.push(nc)
      const types = nc.spec.requirements!.find((r) => r.key === LABEL_INSTANCE_TYPE)?.values ?? []
      logs.push(log.createdNodeClaim(planned.nodePoolName, nc.metadata.name!, planned.requests, types))
    }
  }
  return { results, nodeClaims, nominations, logs }
}

function emptyResults(): SchedulingResults {
  return { newNodeClaims: [], existingNodes: [], podErrors: new Map(), podsInQueueOrder: [], limits: [], relaxations: [], daemonOverhead: new Map() }
}
