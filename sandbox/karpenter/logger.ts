// Karpenter v0.32.1's log lines (core@v0.32.1:pkg/operator/logging/logging.go: knative's zap
// JSON encoder).
//
// Keys in this order: `level` (INFO/DEBUG/WARN/ERROR), `time` (ISO 8601 UTC, milliseconds),
// `logger` (`controller.<name>`), `message`, `commit`, then the fields in the order the code
// attached them (context fields first, call-site fields last). Durations are Go duration strings,
// resource lists JSON objects with sorted keys. One function per message of the catalogue
// (the messages of core@v0.32.1's provisioner, lifecycle, termination, disruption and the AWS
// provider's interruption controller) builds the entry; `formatLogLine` renders it with a timestamp.
// In the sandbox that timestamp is the tutorial instant the line was logged at (sandbox/runtime/clock.ts
// `tutorialNow()`: what Karpenter's own clock reads in the simulated world), for both twins; the
// pod-log store keeps its own wall timestamp beside it for `kubectl logs --timestamps`.

import { formatGoDuration } from '../runtime/clock.ts'
import { toStringMap, withoutZeros, type ResourceList } from '../k8s/resources.ts'
import { COMMIT } from './labels.ts'
import { instanceTypeList } from './scheduling/nodeclaim.ts'

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR'

export type FieldValue =
  | string
  | number
  | boolean
  | null
  | readonly string[]
  | Readonly<Record<string, string>>
  | readonly FieldValue[]
  | { readonly [key: string]: FieldValue }

export interface LogEntry {
  level: LogLevel
  logger: string
  message: string
  /** Fields after `commit`, in emission order. */
  fields: [string, FieldValue][]
}

export const LEVEL_ORDER: Record<LogLevel, number> = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3 }

/** Renders one JSON line exactly as Karpenter's zap encoder lays it out. */
export function formatLogLine(entry: LogEntry, time: Date | number | string, commit = COMMIT): string {
  const iso = new Date(time).toISOString()
  let out = `{"level":${JSON.stringify(entry.level)},"time":${JSON.stringify(iso)},"logger":${JSON.stringify(entry.logger)},"message":${JSON.stringify(entry.message)},"commit":${JSON.stringify(commit)}`
  for (const [k, v] of entry.fields) out += `,${JSON.stringify(k)}:${JSON.stringify(v)}`
  return `${out}}`
}

/** Parses a line back into its ordered keys (for tests and report rendering). */
export function parseLogLine(line: string): { keys: string[]; values: Record<string, unknown> } {
  const values = JSON.parse(line) as Record<string, unknown>
  return { keys: Object.keys(values), values }
}

/** Go's `time.Duration.String()` for milliseconds (`18.833162ms`, `3m0s`). */
export function goDuration(ms: number): string {
  return formatGoDuration(ms)
}

/** `pretty.Slice(items, 5)`: `a, b, c, d, e and N other(s)`. */
export function prettySlice(items: readonly string[], max = 5): string {
  if (items.length <= max) return items.join(', ')
  return `${items.slice(0, max).join(', ')} and ${items.length - max} other(s)`
}

/** A resource list as Karpenter logs it: zero values dropped where the code drops them, keys sorted. */
function resourceField(list: ResourceList, dropZeros = false): Record<string, string> {
  return toStringMap(dropZeros ? withoutZeros(list) : list)
}

function entry(level: LogLevel, logger: string, message: string, fields: [string, FieldValue][] = []): LogEntry {
  return { level, logger, message, fields }
}

const PROVISIONER = 'controller.provisioner'
const LIFECYCLE = 'controller.nodeclaim.lifecycle'
const INTERRUPTION = 'controller.interruption'
const NODE_TERMINATION = 'controller.node.termination'
const NODECLAIM_TERMINATION = 'controller.nodeclaim.termination'
const DISRUPTION = 'controller.disruption'

// ---- controller.provisioner ----

/** INFO `found provisionable pod(s)`: `pods` are `ns/name` in queue order; emitted when ≥1 pod goes to a new NodeClaim. */
export function foundProvisionablePods(pods: readonly string[], durationMs: number): LogEntry {
  return entry('INFO', PROVISIONER, 'found provisionable pod(s)', [
    ['pods', prettySlice(pods)],
    ['duration', goDuration(durationMs)],
  ])
}

export function computedNewNodeClaims(nodeClaims: number, pods: number): LogEntry {
  return entry('INFO', PROVISIONER, 'computed new nodeclaim(s) to fit pod(s)', [
    ['nodeclaims', nodeClaims],
    ['pods', pods],
  ])
}

export function computedUnreadyNodes(nodes: number, pods: number): LogEntry {
  return entry('INFO', PROVISIONER, `computed ${nodes} unready node(s) will fit ${pods} pod(s)`)
}

/** INFO `created nodeclaim`; `instanceTypes` are the NodeClaim's instance-type requirement values (sorted here). */
export function createdNodeClaim(
  nodePool: string,
  nodeClaim: string,
  requests: ResourceList | Record<string, string>,
  instanceTypes: readonly string[],
): LogEntry {
  return entry('INFO', PROVISIONER, 'created nodeclaim', [
    ['nodepool', nodePool],
    ['nodeclaim', nodeClaim],
    ['requests', isQuantityList(requests) ? resourceField(requests) : sortKeys(requests)],
    ['instance-types', instanceTypeList([...instanceTypes].sort())],
  ])
}

export function limitsExcluded(nodePool: string, excluded: number, total: number): LogEntry {
  return entry('DEBUG', PROVISIONER, `${excluded} out of ${total} instance types were excluded because they would breach limits`, [['nodepool', nodePool]])
}

export function couldNotSchedulePod(pod: string, reason: string): LogEntry {
  return entry('ERROR', PROVISIONER, `Could not schedule pod, ${reason}`, [['pod', pod]])
}

export function ignoringPod(pod: string, reason: string): LogEntry {
  return entry('DEBUG', PROVISIONER, `ignoring pod, ${reason}`, [['pod', pod]])
}

export function relaxingSoftConstraints(pod: string, reason: string): LogEntry {
  return entry('DEBUG', PROVISIONER, `relaxing soft constraints for pod since it previously failed to schedule, ${reason}`, [['pod', pod]])
}

/**
 * A NodePool whose instance types cannot be resolved is skipped, and the round goes on with the
 * others (core@v0.32.1 pkg/controllers/provisioning/provisioner.go NewScheduler). The error is
 * the provider's: an EC2NodeClass that does not exist reads `resolving node class,
 * ec2nodeclasses.karpenter.k8s.aws "NAME" not found` (provider v0.32.1
 * pkg/cloudprovider/cloudprovider.go GetInstanceTypes, apimachinery's NotFound).
 */
export function skippingUnresolvedInstanceTypes(nodePool: string, error: string): LogEntry {
  return entry('ERROR', PROVISIONER, `skipping, unable to resolve instance types, ${error}`, [['nodepool', nodePool]])
}

export function noNodePools(): LogEntry {
  return entry('INFO', PROVISIONER, 'no nodepools or provisioners found')
}

export function waitingOnClusterSync(logger = PROVISIONER): LogEntry {
  return entry('DEBUG', logger, 'waiting on cluster sync')
}

// ---- controller.nodeclaim.lifecycle ----

export function createdLaunchTemplate(nodeClaim: string, nodePool: string, launchTemplateName: string, id: string): LogEntry {
  return entry('DEBUG', LIFECYCLE, 'created launch template', [
    ['nodeclaim', nodeClaim],
    ['nodepool', nodePool],
    ['launch-template-name', launchTemplateName],
    ['id', id],
  ])
}

export interface LaunchedFields {
  nodeClaim: string
  nodePool: string
  providerID: string
  instanceType: string
  zone: string
  capacityType: string
  /** The NodeClaim's status.allocatable (zero values are dropped, as Karpenter stores it). */
  allocatable: ResourceList | Record<string, string>
}

export function launchedNodeClaim(f: LaunchedFields): LogEntry {
  return entry('INFO', LIFECYCLE, 'launched nodeclaim', [
    ['nodeclaim', f.nodeClaim],
    ['nodepool', f.nodePool],
    ['provider-id', f.providerID],
    ['instance-type', f.instanceType],
    ['zone', f.zone],
    ['capacity-type', f.capacityType],
    ['allocatable', isQuantityList(f.allocatable) ? resourceField(f.allocatable, true) : sortKeys(f.allocatable)],
  ])
}

export function registeredNodeClaim(nodeClaim: string, nodePool: string, providerID: string, node: string): LogEntry {
  return entry('DEBUG', LIFECYCLE, 'registered nodeclaim', [
    ['nodeclaim', nodeClaim],
    ['nodepool', nodePool],
    ['provider-id', providerID],
    ['node', node],
  ])
}

export function initializedNodeClaim(nodeClaim: string, nodePool: string, providerID: string, node: string): LogEntry {
  return entry('INFO', LIFECYCLE, 'initialized nodeclaim', [
    ['nodeclaim', nodeClaim],
    ['nodepool', nodePool],
    ['provider-id', providerID],
    ['node', node],
  ])
}

/** ERROR when every CreateFleet error was an ICE (the NodeClaim is then deleted). */
export function insufficientCapacity(nodeClaim: string, nodePool: string, message: string): LogEntry {
  return entry('ERROR', LIFECYCLE, `insufficient capacity, ${message}`, [
    ['nodeclaim', nodeClaim],
    ['nodepool', nodePool],
  ])
}

/** WARN when falling back to On-Demand with little flexibility (instance.go checkODFallback). */
export function onDemandFallbackWarning(nodeClaim: string, nodePool: string, options: number): LogEntry {
  return entry(
    'WARN',
    LIFECYCLE,
    `at least 5 instance types are recommended when flexible to spot but requesting on-demand, the current provisioning request only has ${options} instance type options`,
    [
      ['nodeclaim', nodeClaim],
      ['nodepool', nodePool],
    ],
  )
}

export function terminatingDueToRegistrationTTL(nodeClaim: string, nodePool: string, ttlMs: number): LogEntry {
  return entry('DEBUG', LIFECYCLE, 'terminating due to registration ttl', [
    ['nodeclaim', nodeClaim],
    ['nodepool', nodePool],
    ['ttl', goDuration(ttlMs)],
  ])
}

// ---- offerings ----

export interface OfferingFields {
  reason: string
  instanceType: string
  zone: string
  capacityType: string
  ttlMs?: number
}

/**
 * DEBUG `removing offering from offerings`: `context` are the fields already on the logger
 * (for an interruption: queue, messageKind, nodeclaim, action, node; for a launch: nodeclaim,
 * nodepool).
 */
export function removingOffering(logger: string, context: [string, FieldValue][], f: OfferingFields): LogEntry {
  return entry('DEBUG', logger, 'removing offering from offerings', [
    ...context,
    ['reason', f.reason],
    ['instance-type', f.instanceType],
    ['zone', f.zone],
    ['capacity-type', f.capacityType],
    ['ttl', goDuration(f.ttlMs ?? 180_000)],
  ])
}

// ---- controller.interruption ----

export interface InterruptionFields {
  queue: string
  messageKind: string
  nodeClaim: string
  action: string
  node: string
}

export function interruptionContext(f: InterruptionFields): [string, FieldValue][] {
  return [
    ['queue', f.queue],
    ['messageKind', f.messageKind],
    ['nodeclaim', f.nodeClaim],
    ['action', f.action],
    ['node', f.node],
  ]
}

export function initiatingDeleteFromInterruption(f: InterruptionFields): LogEntry {
  return entry('INFO', INTERRUPTION, 'initiating delete from interruption message', interruptionContext(f))
}

export function removingOfferingForInterruption(f: InterruptionFields, o: OfferingFields): LogEntry {
  return removingOffering(INTERRUPTION, interruptionContext(f), o)
}

export function parsingMessageError(queue: string, err: string): LogEntry {
  return entry('ERROR', INTERRUPTION, `parsing message, ${err}`, [['queue', queue]])
}

// ---- termination ----

export function taintedNode(node: string): LogEntry {
  return entry('INFO', NODE_TERMINATION, 'tainted node', [['node', node]])
}

export function deletedNode(node: string): LogEntry {
  return entry('INFO', NODE_TERMINATION, 'deleted node', [['node', node]])
}

export function deletedNodeClaim(nodeClaim: string, nodePool: string, node: string, providerID: string): LogEntry {
  return entry('INFO', NODECLAIM_TERMINATION, 'deleted nodeclaim', [
    ['nodeclaim', nodeClaim],
    ['nodepool', nodePool],
    ['node', node],
    ['provider-id', providerID],
  ])
}

// ---- controller.disruption ----

/** INFO `disrupting via <method> <command>` (the command text comes from disruption's `commandString`). */
export function disrupting(method: string, command: string): LogEntry {
  return entry('INFO', DISRUPTION, `disrupting via ${method} ${command}`)
}

export function triggeringExpiration(ttl: string): LogEntry {
  return entry('INFO', DISRUPTION, 'triggering termination for expired node after TTL', [['ttl', ttl]])
}

export function abandoningConsolidation(kind: 'empty node' | 'multi-node' | 'single-node', command: string): LogEntry {
  return entry('DEBUG', DISRUPTION, `abandoning ${kind} consolidation attempt due to pod churn, command is no longer valid, ${command}`)
}

// ---- discovery (DEBUG, at start-up and on change) ----

export function discoveredSubnets(nodeClass: string, subnets: readonly { id: string; zone: string }[], logger = 'controller.nodeclass'): LogEntry {
  return entry('DEBUG', logger, 'discovered subnets', [
    ['ec2nodeclass', nodeClass],
    ['subnets', subnets.map((s) => `${s.id} (${s.zone})`)],
  ])
}

export function discoveredSecurityGroups(nodeClass: string, ids: readonly string[], logger = 'controller.nodeclass'): LogEntry {
  return entry('DEBUG', logger, 'discovered security groups', [
    ['ec2nodeclass', nodeClass],
    ['security-groups', [...ids]],
  ])
}

export function discoveredAmis(nodeClass: string, ids: readonly string[], logger = 'controller.nodeclass'): LogEntry {
  const shown = ids.length > 25 ? `${ids.slice(0, 25).join(', ')} and ${ids.length - 25} other(s)` : ids.join(', ')
  return entry('DEBUG', logger, 'discovered amis', [
    ['ec2nodeclass', nodeClass],
    ['ids', shown],
    ['count', ids.length],
  ])
}

export function discoveredRegion(region: string): LogEntry {
  return entry('DEBUG', 'controller', 'discovered region', [['region', region]])
}

export function discoveredClusterEndpoint(endpoint: string): LogEntry {
  return entry('DEBUG', 'controller', 'discovered cluster endpoint', [['cluster-endpoint', endpoint]])
}

export function discoveredKubeDns(ip: string): LogEntry {
  return entry('DEBUG', 'controller', 'discovered kube dns', [['kube-dns-ip', ip]])
}

export function discoveredInstanceTypes(count: number, logger = PROVISIONER): LogEntry {
  return entry('DEBUG', logger, 'discovered instance types', [['count', count]])
}

export function discoveredOfferings(instanceTypeCount: number, logger = PROVISIONER): LogEntry {
  return entry('DEBUG', logger, 'discovered offerings for instance types', [['instance-type-count', instanceTypeCount]])
}

export function discoveredAvailabilityZones(zones: readonly string[], logger = PROVISIONER): LogEntry {
  return entry('DEBUG', logger, 'discovered availability zones', [['zones', [...zones]]])
}

export function updatedSpotPricing(instanceTypeCount: number, offeringCount: number, logger = 'controller.pricing'): LogEntry {
  return entry('DEBUG', logger, 'updated spot pricing with instance types and offerings', [
    ['instance-type-count', instanceTypeCount],
    ['offering-count', offeringCount],
  ])
}

// ---- helpers ----

function isQuantityList(v: ResourceList | Record<string, string>): v is ResourceList {
  for (const k in v) return typeof v[k] !== 'string'
  return false
}

function sortKeys(m: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const k of Object.keys(m).sort()) out[k] = m[k]
  return out
}
