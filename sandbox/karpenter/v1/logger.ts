// Karpenter 1.x's log lines. The encoder is the same zap JSON as v0.32 (level, time, logger,
// message, commit, then fields; kubernetes-sigs/karpenter@v1.9.1 pkg/operator/logging/logging.go),
// but every controller now runs under controller-runtime, whose reconcile logger is named
// "controller" and carries the controller's context before the call-site fields:
//   singleton controllers (provisioner, disruption, interruption; operatorpkg singleton.AsReconciler):
//     "controller", "namespace":"", "name":"", "reconcileID"
//   object controllers (nodeclaim.lifecycle, node.termination, nodeclass, nodepool.*):
//     "controller", "controllerGroup", "controllerKind", "<Kind>":{"name"}, "namespace":"", "name", "reconcileID"
// Objects are klog.KObj refs (`{"name":…}`, `{"name":…,"namespace":…}` for namespaced ones);
// `log.Error(err, msg)` puts `"error"` last. Every call site below cites its source.
//
// The provisioning round (provisioning.ts, shared with v0.32) produces v0.32-catalogue entries;
// `translateRoundLogs` renders them as 1.9 writes the same decisions.

import { formatGoDuration } from '../../runtime/clock.ts'
import type { FieldValue, LogEntry, LogLevel } from '../logger.ts'
import { prettySlice } from '../logger.ts'
import type { Rng } from '../rng.ts'

export type Scope = [string, FieldValue][]

/** uuid.New() (version 4) from the twin's seeded RNG, so a run's reconcileIDs replay. */
export function uuid(rng: Rng): string {
  const hex = (n: number) => Array.from({ length: n }, () => rng.int(16).toString(16)).join('')
  const variant = (8 + rng.int(4)).toString(16)
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`
}

/** klog.KRef("", name) / klog.KObj of a cluster-scoped object. */
export function ref(name: string, namespace?: string): Record<string, string> {
  return namespace ? { name, namespace } : { name }
}

/** A singleton controller's reconcile (empty request: namespace and name ""). */
export function singletonScope(controller: string, rng: Rng): Scope {
  return [
    ['controller', controller],
    ['namespace', ''],
    ['name', ''],
    ['reconcileID', uuid(rng)],
  ]
}

/** An object controller's reconcile of one cluster-scoped object. */
function objectScope(controller: string, group: string, kind: string, name: string, rng: Rng): Scope {
  return [
    ['controller', controller],
    ['controllerGroup', group],
    ['controllerKind', kind],
    [kind, ref(name)],
    ['namespace', ''],
    ['name', name],
    ['reconcileID', uuid(rng)],
  ]
}

export const nodeClaimScope = (controller: string, name: string, rng: Rng): Scope => objectScope(controller, 'karpenter.sh', 'NodeClaim', name, rng)
const nodeScope = (controller: string, name: string, rng: Rng): Scope => objectScope(controller, '', 'Node', name, rng)
export const nodeClassScope = (controller: string, name: string, rng: Rng): Scope => objectScope(controller, 'karpenter.k8s.aws', 'EC2NodeClass', name, rng)

export function entry(level: LogLevel, message: string, scope: Scope, fields: Scope = [], logger = 'controller'): LogEntry {
  return { level, logger, message, fields: [...scope, ...fields] }
}

/** `log.FromContext(ctx).Error(err, msg)`: ERROR with `"error"` after every other field. */
function errorEntry(message: string, error: string, scope: Scope, fields: Scope = []): LogEntry {
  return entry('ERROR', message, scope, [...fields, ['error', error]])
}

/** zap's StringDurationEncoder (Go's time.Duration.String()). */
function duration(ms: number): string {
  return formatGoDuration(ms)
}

// ---- start-up (controller-runtime manager, client-go leader election; info level) ----

export function startupLines(namespace: string, lease: string, metricsPort = 8080, healthPort = 8081): LogEntry[] {
  return [
    entry('INFO', 'Starting metrics server', [], [], 'controller.controller-runtime.metrics'),
    entry(
      'INFO',
      'Serving metrics server',
      [],
      [
        ['bindAddress', `:${metricsPort}`],
        ['secure', false],
      ],
      'controller.controller-runtime.metrics',
    ),
    entry(
      'INFO',
      'starting server',
      [],
      [
        ['name', 'health probe'],
        ['addr', `[::]:${healthPort}`],
      ],
    ),
    entry('INFO', `attempting to acquire leader lease ${namespace}/${lease}...`, []),
  ]
}

export function acquiredLease(namespace: string, lease: string): LogEntry {
  return entry('INFO', `successfully acquired lease ${namespace}/${lease}`, [])
}

/** The controllers the twin runs, as controller-runtime announces them once the lease is held. */
const CONTROLLERS: readonly { name: string; group?: string; kind?: string; workers: number }[] = [
  { name: 'provisioner', workers: 1 },
  { name: 'disruption', workers: 1 },
  { name: 'interruption', workers: 1 },
  { name: 'nodeclaim.lifecycle', group: 'karpenter.sh', kind: 'NodeClaim', workers: 1000 },
  { name: 'nodeclaim.disruption', group: 'karpenter.sh', kind: 'NodeClaim', workers: 10 },
  { name: 'nodeclaim.expiration', group: 'karpenter.sh', kind: 'NodeClaim', workers: 10 },
  { name: 'nodeclaim.tagging', group: 'karpenter.sh', kind: 'NodeClaim', workers: 1 },
  { name: 'node.termination', group: '', kind: 'Node', workers: 100 },
  { name: 'nodepool.readiness', group: 'karpenter.sh', kind: 'NodePool', workers: 10 },
  { name: 'nodepool.counter', group: 'karpenter.sh', kind: 'NodePool', workers: 10 },
  { name: 'nodepool.hash', group: 'karpenter.sh', kind: 'NodePool', workers: 10 },
  { name: 'nodeclass', group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', workers: 10 },
]

export function startingControllers(): LogEntry[] {
  const out: LogEntry[] = []
  for (const c of CONTROLLERS) {
    const ctx: Scope =
      c.kind === undefined
        ? [['controller', c.name]]
        : [
            ['controller', c.name],
            ['controllerGroup', c.group ?? ''],
            ['controllerKind', c.kind],
          ]
    out.push(entry('INFO', 'Starting Controller', ctx))
    out.push(entry('INFO', 'Starting workers', ctx, [['worker count', c.workers]]))
  }
  return out
}

// ---- nodeclass (aws pkg/controllers/nodeclass, pkg/providers/{subnet,securitygroup,amifamily}) ----

export function discoveredSubnets(scope: Scope, subnets: readonly { id: string; zone: string; zoneID?: string }[]): LogEntry {
  return entry('DEBUG', 'discovered subnets', scope, [['subnets', subnets.map((s) => ({ id: s.id, zone: s.zone, ...(s.zoneID ? { zoneID: s.zoneID } : {}) }))]])
}

export function discoveredSecurityGroups(scope: Scope, ids: readonly string[]): LogEntry {
  return entry('DEBUG', 'discovered security groups', scope, [['security-groups', [...ids]]])
}

export function discoveredAmis(scope: Scope, ids: readonly string[]): LogEntry {
  return entry('DEBUG', 'discovered amis', scope, [['ids', [...ids]]])
}

// ---- nodeclaim.lifecycle (core pkg/controllers/nodeclaim/lifecycle) ----

/** controller.go: provider-id and Node join the scope once known. */
export function lifecycleScope(name: string, rng: Rng, providerID?: string, nodeName?: string, controller = 'nodeclaim.lifecycle'): Scope {
  const scope = nodeClaimScope(controller, name, rng)
  if (providerID) scope.push(['provider-id', providerID])
  if (nodeName) scope.push(['Node', ref(nodeName)])
  return scope
}

/** launch.go: INFO `launched nodeclaim`. */
export function launched(
  scope: Scope,
  f: { providerID: string; instanceType: string; zone: string; capacityType: string; allocatable: Record<string, string> },
): LogEntry {
  return entry('INFO', 'launched nodeclaim', scope, [
    ['provider-id', f.providerID],
    ['instance-type', f.instanceType],
    ['zone', f.zone],
    ['capacity-type', f.capacityType],
    ['allocatable', sorted(f.allocatable)],
  ])
}

/** launch.go: ERROR `failed launching nodeclaim` (insufficient capacity; the NodeClaim is deleted). */
export function failedLaunching(scope: Scope, error: string): LogEntry {
  return errorEntry('failed launching nodeclaim', error, scope)
}

/** registration.go: INFO `registered nodeclaim` (Node added to the scope). */
export function registered(scope: Scope): LogEntry {
  return entry('INFO', 'registered nodeclaim', scope)
}

/** initialization.go: INFO `initialized nodeclaim` with the Node's allocatable. */
export function initialized(scope: Scope, allocatable: Record<string, string>): LogEntry {
  return entry('INFO', 'initialized nodeclaim', scope, [['allocatable', sorted(allocatable)]])
}

/** controller.go finalize: INFO `deleted nodeclaim`. */
export function deletedNodeClaim(scope: Scope): LogEntry {
  return entry('INFO', 'deleted nodeclaim', scope)
}

/** liveness.go: DEBUG `terminating due to timeout`. */
export function terminatingDueToTimeout(scope: Scope, timeoutMs: number, reason: string): LogEntry {
  return entry('DEBUG', 'terminating due to timeout', scope, [
    ['timeout', duration(timeoutMs)],
    ['reason', reason],
  ])
}

/** aws launchtemplate.go: DEBUG `created launch template` (the lifecycle's scope). */
export function createdLaunchTemplate(scope: Scope, name: string, id: string): LogEntry {
  return entry('DEBUG', 'created launch template', scope, [
    ['launch-template-name', name],
    ['id', id],
  ])
}

/** aws cache/unavailableofferings.go: DEBUG `removing offering from offerings`. */
export function removingOffering(scope: Scope, f: { reason: string; instanceType: string; zone: string; capacityType: string; ttlMs?: number }): LogEntry {
  return entry('DEBUG', 'removing offering from offerings', scope, [
    ['reason', f.reason],
    ['instance-type', f.instanceType],
    ['zone', f.zone],
    ['capacity-type', f.capacityType],
    ['ttl', duration(f.ttlMs ?? 180_000)],
  ])
}

// ---- node.termination (core pkg/controllers/node/termination) ----

export function terminationScope(node: string, rng: Rng, nodeClaim?: string): Scope {
  const scope = nodeScope('node.termination', node, rng)
  if (nodeClaim) scope.push(['NodeClaim', ref(nodeClaim)])
  return scope
}

/** terminator.go Taint: INFO `tainted node` with the taint's key, value and effect. */
export function taintedNode(scope: Scope, taint: { key: string; value?: string; effect?: string }): LogEntry {
  const fields: Scope = [
    ['taint.Key', taint.key],
    ['taint.Value', taint.value ?? ''],
  ]
  if (taint.effect) fields.push(['taint.Effect', taint.effect])
  return entry('INFO', 'tainted node', scope, fields)
}

/** controller.go removeFinalizer: INFO `deleted node`. */
export function deletedNode(scope: Scope): LogEntry {
  return entry('INFO', 'deleted node', scope)
}

// ---- interruption (aws pkg/controllers/interruption/controller.go) ----

/** Reconcile → handleMessage → handleNodeClaim: queue, messageKind, NodeClaim, action, Node. */
export function interruptionScope(scope: Scope, f: { queue: string; messageKind: string; nodeClaim: string; action: string; node?: string }): Scope {
  const out: Scope = [...scope, ['queue', f.queue], ['messageKind', f.messageKind], ['NodeClaim', ref(f.nodeClaim)], ['action', f.action]]
  if (f.node) out.push(['Node', ref(f.node)])
  return out
}

export function initiatingDelete(scope: Scope): LogEntry {
  return entry('INFO', 'initiating delete from interruption message', scope)
}

export function failedParsing(scope: Scope, queue: string, error: string): LogEntry {
  return errorEntry('failed parsing interruption message', error, [...scope, ['queue', queue]])
}

// ---- disruption (core pkg/controllers/disruption) ----

export interface DisruptedNode {
  node: string
  nodeClaim: string
  instanceType: string
  capacityType: string
}

/** queue.go StartCommand: INFO `disrupting node(s)` with `command` then Command.LogValues() (types.go). */
export function disruptingNodes(
  scope: Scope,
  f: {
    command: string
    decision: string
    podCount: number
    disrupted: readonly DisruptedNode[]
    replacements: readonly { capacityType: string; instanceTypes?: string }[]
  },
): LogEntry {
  return entry('INFO', 'disrupting node(s)', scope, [
    ['command', f.command],
    ['decision', f.decision],
    ['disrupted-node-count', f.disrupted.length],
    ['replacement-node-count', f.replacements.length],
    ['pod-count', f.podCount],
    // Go maps marshal with sorted keys.
    [
      'disrupted-nodes',
      f.disrupted.map((d) => ({ Node: ref(d.node), NodeClaim: ref(d.nodeClaim), 'capacity-type': d.capacityType, 'instance-type': d.instanceType })),
    ],
    [
      'replacement-nodes',
      f.replacements.map(
        (r): Record<string, string> =>
          r.instanceTypes === undefined ? { 'capacity-type': r.capacityType } : { 'capacity-type': r.capacityType, 'instance-types': r.instanceTypes },
      ),
    ],
  ])
}

/** emptiness.go / validation: DEBUG when a command is no longer valid after the 15 s wait. */
export function abandoning(scope: Scope, kind: 'empty node' | 'multi-node' | 'single-node', command: string): LogEntry {
  const message =
    kind === 'empty node'
      ? 'abandoning empty node consolidation attempt due to pod churn, command is no longer valid'
      : `abandoning ${kind} consolidation attempt due to pod churn, command is no longer valid`
  return entry('DEBUG', message, scope, [['command', command]])
}

// ---- nodeclaim.disruption / nodeclaim.expiration ----

export function markingConsolidatable(scope: Scope): LogEntry {
  return entry('DEBUG', 'marking consolidatable', scope)
}

export function markingDrifted(scope: Scope, reason: string): LogEntry {
  return entry('DEBUG', 'marking drifted', scope, [['reason', reason]])
}

export function deletingExpired(scope: Scope): LogEntry {
  return entry('DEBUG', 'deleting expired nodeclaim', scope)
}

// ---- translating the provisioning round's entries ----

/**
 * The provisioner's lines for one round (core provisioner.go, scheduling/scheduler.go,
 * scheduling/preferences.go), from the v0.32-catalogue entries `provisioningRound` returns:
 * object refs instead of names, `Pods` for the pod list, `could not schedule pod` with the reason
 * as `error`, the per-pod preference warnings grouped into one line (pretty.Slice(…, 10)).
 */
export function translateRoundLogs(entries: readonly LogEntry[], scope: Scope): LogEntry[] {
  const out: LogEntry[] = []
  const spread: string[] = []
  const anti: string[] = []
  const field = (e: LogEntry, k: string) => e.fields.find(([key]) => key === k)?.[1]
  const text = (e: LogEntry, k: string) => {
    const v = field(e, k)
    return typeof v === 'string' ? v : ''
  }
  const podRef = (key: string) => {
    const [namespace, name] = key.split('/')
    return ref(name ?? '', namespace)
  }
  for (const e of entries) {
    const m = e.message
    if (m === 'found provisionable pod(s)')
      out.push(
        entry('INFO', m, scope, [
          ['Pods', field(e, 'pods') ?? ''],
          ['duration', field(e, 'duration') ?? '0s'],
        ]),
      )
    else if (m === 'computed new nodeclaim(s) to fit pod(s)')
      out.push(
        entry('INFO', m, scope, [
          ['nodeclaims', field(e, 'nodeclaims') ?? 0],
          ['pods', field(e, 'pods') ?? 0],
        ]),
      )
    else if (/^computed (\d+) unready node\(s\) will fit (\d+) pod\(s\)$/.test(m)) {
      const [, nodes, pods] = /^computed (\d+) unready node\(s\) will fit (\d+) pod\(s\)$/.exec(m)!
      out.push(
        entry('INFO', 'computed unready node(s) will fit pod(s)', scope, [
          ['nodes', Number(nodes)],
          ['pods', Number(pods)],
        ]),
      )
    } else if (m === 'created nodeclaim') {
      out.push(
        entry('INFO', m, scope, [
          ['NodePool', ref(text(e, 'nodepool'))],
          ['NodeClaim', ref(text(e, 'nodeclaim'))],
          ['requests', field(e, 'requests') ?? {}],
          ['instance-types', field(e, 'instance-types') ?? ''],
        ]),
      )
    } else if (m.startsWith('Could not schedule pod, '))
      out.push(errorEntry('could not schedule pod', m.slice('Could not schedule pod, '.length), scope, [['Pod', podRef(text(e, 'pod'))]]))
    else if (m.startsWith('ignoring pod, ') || m.startsWith('relaxing soft constraints')) out.push(entry('DEBUG', m, scope, [['Pod', podRef(text(e, 'pod'))]]))
    else if (m === 'no nodepools or provisioners found') out.push(entry('INFO', 'no dynamic nodepools found', scope))
    else if (/ has a preferred TopologySpreadConstraint /.test(m)) spread.push(m.split(' ')[1])
    else if (/ has a preferred Anti-Affinity /.test(m)) anti.push(m.split(' ')[1])
    else if (/instance types were excluded because they would breach limits$/.test(m))
      out.push(entry('DEBUG', m, scope, [['NodePool', ref(text(e, 'nodepool'))]]))
    else
      out.push(
        entry(
          e.level,
          m,
          scope,
          e.fields.filter(([k]) => k !== 'nodepool' && k !== 'nodeclaim'),
        ),
      )
  }
  const warnings: LogEntry[] = []
  if (anti.length > 0)
    warnings.push(entry('INFO', 'pod(s) have a preferred Anti-Affinity which can prevent consolidation', scope, [['pods', prettySlice(anti, 10)]]))
  if (spread.length > 0)
    warnings.push(entry('INFO', 'pod(s) have a preferred TopologySpreadConstraint which can prevent consolidation', scope, [['pods', prettySlice(spread, 10)]]))
  // GetPendingPods warns before the simulation runs.
  return [...warnings, ...out]
}

function sorted(m: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const k of Object.keys(m).sort()) out[k] = m[k]
  return out
}
