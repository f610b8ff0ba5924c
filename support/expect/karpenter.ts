// What Karpenter does and says, as the features state it: its log lines (parsed as JSON, fields
// compared), the requests of its NodeClaims against the pods' and the DaemonSets', the instance
// types its NodePool allows among those EC2 offers, its EC2NodeClass's resolution, and how it
// handles a Spot interruption (taint, eviction, replacement). Steps call these; the pure parts
// (quantities, the DaemonSet overhead, the listed types, the notice) are unit-tested.

import assert from 'node:assert/strict'
import {
  DescribeInstanceTypeOfferingsCommand,
  DescribeInstanceTypesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  type EC2Client,
  type InstanceTypeInfo,
} from '@aws-sdk/client-ec2'
import { TUTORIAL_DATE } from '../../platform/index.ts'
import { EVENT_TIME_RESOLUTION_MS } from '../event-observer.ts'
import { isTaint, taintText } from '../karpenter-api.ts'
import {
  capacityTypeOf,
  getKarpenterObject,
  instanceTypeOf,
  isKarpenterNode,
  listNodeClaims,
  nodeReady,
  zoneOf,
  type Node,
  type NodeClaim,
  type Pod,
} from '../kube.ts'
import { labelsOf, violations, type Requirement } from '../nodepool-check.ts'
import { onDemandPrices, usd, type OnDemandPrice } from '../prices.ts'
import { field, type LogLine } from '../recorders.ts'
import { attachHtml, attachText, htmlTable, logExcerpt } from '../report.ts'
import type { SpotcheckWorld } from '../world.ts'
import { consolidationAfterDeletion } from './claims.ts'
import { nodes, nodesThatHosted, nodeOfInstance, nodePoolRequirements, podsOf } from './cluster.ts'
import { SPOT_NOTICE_MS } from './timeline.ts'

// ── the log ───────────────────────────────────────────────────────────────────────────────────

function render(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)
}

/**
 * Whether a line has every expected field (in the normalised vocabulary, values compared as
 * text). Karpenter 1.x does not put the NodePool on its NodeClaim lifecycle lines (v0.32 does):
 * there the NodePool is the one of the NodeClaim the line names, as `nodePoolOf` knows it.
 */
export function lineMatches(
  line: LogLine,
  expected: Record<string, string>,
  nodePoolOf: (nodeClaim: string | undefined) => string | undefined = () => undefined,
): boolean {
  if (!line.view) return false
  return Object.entries(expected).every(([k, v]) => {
    const value = field(line, k)
    return render(value === undefined && k === 'nodepool' ? nodePoolOf(line.view?.nodeClaim) : value) === v
  })
}

/** The NodeClaim as the run last saw it (even if gone since). */
function recordedNodeClaim(world: SpotcheckWorld, name: string | undefined): NodeClaim | undefined {
  return name ? world.run.recorder.lastKnown('nodeclaims', name) : undefined
}

function matches(world: SpotcheckWorld, line: LogLine, expected: Record<string, string>): boolean {
  return lineMatches(line, expected, (claim) => recordedNodeClaim(world, claim)?.metadata.labels?.['karpenter.sh/nodepool'])
}

/** Karpenter's lines since the scenario began (or since `index`). */
function linesSince(world: SpotcheckWorld, index = world.logStart): LogLine[] {
  const log = world.run.karpenterLog
  assert.ok(log, "Karpenter's log is not followed yet: the cluster has not been reached (Step 2's update-kubeconfig)")
  return log.since(index)
}

/** For a failure: the last lines with the expected message, or else the last lines. */
function closest(lines: LogLine[], expected: Record<string, string>): string {
  const sameMessage = lines.filter((l) => field(l, 'message') === expected.message)
  const pool = sameMessage.length > 0 ? sameMessage : lines.slice(-10)
  return pool.length ? `\n${logExcerpt(pool.slice(-5))}` : ' (no lines yet)'
}

/** The line becomes "that line" of the scenario, and is shown in the report. */
async function showLine(world: SpotcheckWorld, line: LogLine): Promise<void> {
  world.subject.logLine = line
  await attachText(`Karpenter: ${String(field(line, 'message'))}`, `${logExcerpt([line])}\n\n${line.raw}`)
}

/** Waits until Karpenter has logged, since the scenario began, a line with the expected fields. */
export async function eventuallyLogLine(world: SpotcheckWorld, withinMs: number, expected: Record<string, string>): Promise<LogLine> {
  const outcome = await world.within(withinMs, `Karpenter logs "${expected.message}"`, async () => {
    const lines = linesSince(world)
    const line = lines.find((l) => matches(world, l, expected))
    return { ok: Boolean(line), value: line, seen: line ? 'logged' : `not yet; closest:${closest(lines, expected)}` }
  })
  assert.ok(outcome.value)
  await showLine(world, outcome.value)
  return outcome.value
}

/** Karpenter has logged, since the scenario began, a line with the expected fields. */
export async function expectLogLine(world: SpotcheckWorld, expected: Record<string, string>): Promise<LogLine> {
  const lines = linesSince(world)
  const line = lines.find((l) => matches(world, l, expected))
  assert.ok(line, `no line with ${JSON.stringify(expected)}; closest:${closest(lines, expected)}`)
  await showLine(world, line)
  return line
}

/** When Karpenter logged the line, in tutorial time (its `time` field), not when the run received it. */
function loggedAt(world: SpotcheckWorld, line: LogLine): number | undefined {
  const clock = world.run.tutorialTime
  return line.tutorialAt !== undefined ? clock.stamped(line.tutorialAt) : clock.of({ at: line.receivedAt })
}

/** A controller as the features name it: `disruption` (v0.32's logger `controller.disruption` is accepted too). */
function controllerNamed(name: string): string {
  return name.replace(/^controller\./, '')
}

/**
 * The controller's consolidation deletes name every Karpenter node of the deployment; and, when
 * the deletion's instant is known, in tutorial time: the deployment deleted, its pods gone from
 * each node, then Karpenter's consolidation delete (its line's `time`), then the node gone.
 */
export async function expectConsolidationDeletes(world: SpotcheckWorld, controller: string, deployment: string): Promise<void> {
  const hosts = nodesThatHosted(world, deployment)
  const api = world.run.karpenter
  const lines = linesSince(world).filter((l) => field(l, 'controller') === controllerNamed(controller))
  const deleting = lines.flatMap((l) => (l.view && api.consolidationDeletes(l.view).length > 0 ? [{ line: l, nodes: api.consolidationDeletes(l.view) }] : []))
  const deleted = new Set(deleting.flatMap((d) => d.nodes))
  assert.ok(deleting.length > 0, `no consolidation delete from the ${controller} controller; its lines:\n${logExcerpt(lines.slice(-10)) || '(none)'}`)
  await attachText(
    `Karpenter: consolidation deletes ${[...deleted].join(', ')}`,
    `${logExcerpt(deleting.map((d) => d.line))}\n\n${deleting.map((d) => d.line.raw).join('\n')}`,
  )
  world.subject.logLine = deleting[0].line
  assert.deepEqual(
    [...hosts].filter((n) => !deleted.has(n)),
    [],
    `nodes of ${deployment} no consolidation delete names (it named ${[...deleted].join(', ')})`,
  )
  const deletedAt = world.subject.deletedAt
  if (deletedAt === undefined) return
  const clock = world.run.tutorialTime
  await clock.sync()
  const recorder = world.run.recorder
  const consolidations = deleting.map((d) => ({ atMs: loggedAt(world, d.line), nodes: d.nodes }))
  const { problems } = consolidationAfterDeletion({
    deletedAt,
    app: deployment,
    hosts: [...hosts],
    pods: recorder.pods,
    nodes: recorder.nodes,
    consolidations,
    instant: (o) => clock.of(o),
  })
  const first = consolidations[0]?.atMs
  if (first !== undefined) {
    world.run.timings.duration('workload deletion → consolidation delete', first - deletedAt)
    await world.note(`Karpenter's consolidation delete ${((first - deletedAt) / 1000).toFixed(1)} s (tutorial time) after the deletion`)
  }
  assert.deepEqual(problems, [], `consolidation did not follow the deletion:\n${problems.join('\n')}`)
}

// ── requests: the pods' plus the DaemonSets' ──────────────────────────────────────────────────

/** A Kubernetes quantity as the tutorial's requests use it: cpu in millicores, memory in MiB. */
export function quantity(q: string, resource: string): number {
  const m = /^(\d+(?:\.\d+)?)(m|Mi|Gi|Ki|M|G)?$/.exec(q)
  assert.ok(m, `unexpected quantity "${q}"`)
  const n = Number(m[1])
  if (resource === 'cpu') return m[2] === 'm' ? n : n * 1000
  return { Ki: n / 1024, Mi: n, Gi: n * 1024, M: (n * 1e6) / 2 ** 20, G: (n * 1e9) / 2 ** 20 }[m[2] ?? ''] ?? n / 2 ** 20
}

type PodTemplate = { spec?: { containers?: { resources?: { requests?: Record<string, string> } }[] } }

/** The sum of a pod's (or a pod template's) containers' requests of `resource` (millicores, MiB). */
export function podRequests(p: PodTemplate | undefined, resource: 'cpu' | 'memory'): number {
  return (p?.spec?.containers ?? []).reduce((s, c) => s + quantity(c.resources?.requests?.[resource] ?? '0', resource), 0)
}

export interface Requests {
  cpu: number
  memory: number
  pods: number
}

/** What a "created nodeclaim" line says the NodeClaim requests. */
function loggedRequests(line: LogLine): Requests {
  const r = field(line, 'requests') as Record<string, string> | undefined
  assert.ok(r, `the line has no requests: ${line.raw}`)
  return { cpu: quantity(r.cpu, 'cpu'), memory: quantity(r.memory, 'memory'), pods: Number(r.pods) }
}

/** One pod of a DaemonSet: its name (namespace/name) and its requests. */
export interface DaemonSetPod {
  name: string
  cpu: number
  memory: number
}

export interface Overhead extends Requests {
  /** The DaemonSets Karpenter counted, and those it did not. */
  counted: string[]
  notCounted: string[]
}

/**
 * What Karpenter adds to a new node's requests for the DaemonSets (one pod of each it expects to
 * run there): the set of DaemonSets whose requests, with `shares[i]` pods of `perPod` each, make
 * every logged request. v0.32 counts every DaemonSet its NodePool does not exclude (the tutorial's
 * 4, the Windows EBS CSI node included); a newer Karpenter or newer add-ons count others: the rule
 * is the same, the set is found, and the report names it. Every DaemonSet is tried first (what
 * v0.32 does), then each smaller subset.
 */
export function overheadOf(
  daemonSets: readonly DaemonSetPod[],
  logged: readonly Requests[],
  perPod: { cpu: number; memory: number },
  shares: readonly number[],
): Overhead | undefined {
  const subsets = Array.from({ length: 2 ** daemonSets.length }, (_, mask) => daemonSets.filter((_, i) => mask & (1 << i))).sort((x, y) => y.length - x.length)
  for (const subset of subsets) {
    const o = { cpu: subset.reduce((s, d) => s + d.cpu, 0), memory: subset.reduce((s, d) => s + d.memory, 0), pods: subset.length }
    if (
      logged.every((l, i) => l.cpu === shares[i] * perPod.cpu + o.cpu && l.memory === shares[i] * perPod.memory + o.memory && l.pods === shares[i] + o.pods)
    ) {
      return {
        ...o,
        counted: subset.map((d) => `${d.name} (${d.cpu}m, ${d.memory}Mi)`),
        notCounted: daemonSets.filter((d) => !subset.includes(d)).map((d) => d.name),
      }
    }
  }
  return undefined
}

/**
 * Each NodeClaim's share of the `pods` pods and the DaemonSet overhead that explain what Karpenter
 * logged: the shares read from each line's pod count less the DaemonSets', adding up to `pods`,
 * then checked against cpu and memory.
 */
export function sharesOf(
  daemonSets: readonly DaemonSetPod[],
  logged: readonly Requests[],
  perPod: { cpu: number; memory: number },
  pods: number,
): { shares: number[]; overhead?: Overhead } {
  for (let ds = 0; ds <= Math.min(...logged.map((l) => l.pods)); ds++) {
    const shares = logged.map((l) => l.pods - ds)
    if (shares.reduce((a, b) => a + b, 0) !== pods) continue
    const overhead = overheadOf(daemonSets, logged, perPod, shares)
    if (overhead) return { shares, overhead }
  }
  return { shares: [] }
}

/** One pod of each of the cluster's DaemonSets, with its requests. */
async function daemonSetPods(world: SpotcheckWorld): Promise<DaemonSetPod[]> {
  const all = (await world.run.kube().apps.listDaemonSetForAllNamespaces()).items
  return all.map((d) => ({
    name: `${d.metadata?.namespace}/${d.metadata?.name}`,
    cpu: podRequests(d.spec?.template, 'cpu'),
    memory: podRequests(d.spec?.template, 'memory'),
  }))
}

/** What one pod of the deployment requests. */
async function perPodOf(world: SpotcheckWorld, deployment: string): Promise<{ cpu: number; memory: number }> {
  const pods: Pod[] = await podsOf(world, deployment)
  assert.ok(pods.length > 0, `no pods of ${deployment}`)
  return { cpu: podRequests(pods[0], 'cpu'), memory: podRequests(pods[0], 'memory') }
}

/**
 * The tutorial's sample numbers are its own claim on its own platform: the published text on the
 * platform of its day (the sandbox as of 2024-01-29 runs the add-ons of that day). Anywhere else
 * (today's add-ons, a newer Karpenter) they are shown beside the run's, and the rule is asserted.
 */
function onTheTutorialsPlatform(world: SpotcheckWorld): boolean {
  const edition = world.run.session.edition
  return edition.edition === 'as-written' && edition.asOf === TUTORIAL_DATE
}

interface Sample {
  cpu: string
  memory: string
  pods: string
}

async function compareWithSample(
  world: SpotcheckWorld,
  title: string,
  sample: Sample[],
  logged: LogLine[],
  overhead: Overhead | undefined,
  computed: string[],
): Promise<void> {
  const got = logged.map((l) => field(l, 'requests') as Record<string, string>)
  const own = onTheTutorialsPlatform(world)
  await attachHtml(
    title,
    htmlTable(
      `${title}: the tutorial's sample output (2024-01-29), what Karpenter logged in this run, and the pods plus the DaemonSets it counted${own ? '' : " (the sample is shown, not asserted: this run is not on the tutorial's own platform)"}`,
      ['', "the tutorial's sample (cpu / memory / pods)", 'Karpenter logged', 'the pods plus the DaemonSets'],
      got.map((r, i) => [
        `#${i + 1}`,
        sample[i] ? `${sample[i].cpu} / ${sample[i].memory} / ${sample[i].pods}` : '',
        `${r.cpu} / ${r.memory} / ${r.pods}`,
        computed[i] ?? '',
      ]),
    ),
  )
  if (overhead)
    await world.note(
      `DaemonSets Karpenter counted: ${overhead.counted.join(', ')}${overhead.notCounted.length ? `; not counted: ${overhead.notCounted.join(', ')}` : ''}`,
    )
  assert.ok(
    overhead,
    `Karpenter's requests (${got.map((r) => `${r.cpu}/${r.memory}/${r.pods}`).join('; ')}) are not the pods' plus any set of the cluster's DaemonSets`,
  )
  if (own) {
    const key = (r: Sample | Record<string, string>) => `${r.cpu}/${r.memory}/${r.pods}`
    assert.deepEqual(got.map(key).sort(), sample.map(key).sort(), "on the tutorial's own platform, Karpenter logs the tutorial's numbers")
  }
}

/** The "created nodeclaim" line an earlier step named ("that NodeClaim"). */
function createdNodeClaimLine(world: SpotcheckWorld): LogLine {
  const line = world.subject.logLine
  assert.ok(line && field(line, 'message') === 'created nodeclaim', 'no "created nodeclaim" line has been named in this scenario')
  return line
}

/** That NodeClaim's logged requests are the `pods` pods of the deployment plus a set of the cluster's DaemonSets (and the tutorial's sample on its own platform). */
export async function expectNodeClaimRequests(world: SpotcheckWorld, deployment: string, pods: number, sample: Record<string, string>): Promise<void> {
  const line = createdNodeClaimLine(world)
  const perPod = await perPodOf(world, deployment)
  const overhead = overheadOf(await daemonSetPods(world), [loggedRequests(line)], perPod, [pods])
  const computed = overhead
    ? [
        `${pods} × ${perPod.cpu}m/${perPod.memory}Mi + ${overhead.pods} DaemonSet pods (${overhead.cpu}m/${overhead.memory}Mi) = ${pods * perPod.cpu + overhead.cpu}m / ${pods * perPod.memory + overhead.memory}Mi / ${pods + overhead.pods}`,
      ]
    : []
  await compareWithSample(
    world,
    'requests of the NodeClaim',
    [{ cpu: sample['requests.cpu'], memory: sample['requests.memory'], pods: sample['requests.pods'] }],
    [line],
    overhead,
    computed,
  )
}

/**
 * Karpenter logged `count` lines with this message since the scenario began, each the requests of
 * its share of the deployment's `pods` pods plus the same DaemonSets, the shares spread with a skew
 * of at most 1 (and the tutorial's sample on its own platform).
 */
export async function expectSharedNodeClaimRequests(
  world: SpotcheckWorld,
  o: { count: number; message: string; deployment: string; pods: number; sample: Sample[] },
): Promise<void> {
  const lines = linesSince(world).filter((l) => field(l, 'message') === o.message)
  assert.equal(lines.length, o.count, `"${o.message}" lines:\n${logExcerpt(lines)}`)
  await attachText(`Karpenter: ${o.message}`, logExcerpt(lines))
  const perPod = await perPodOf(world, o.deployment)
  const { shares, overhead } = sharesOf(await daemonSetPods(world), lines.map(loggedRequests), perPod, o.pods)
  const computed = overhead
    ? shares.map(
        (n) =>
          `${n} × ${perPod.cpu}m/${perPod.memory}Mi + ${overhead.pods} DaemonSet pods = ${n * perPod.cpu + overhead.cpu}m / ${n * perPod.memory + overhead.memory}Mi / ${n + overhead.pods}`,
      )
    : []
  await compareWithSample(world, `requests of the ${o.count} NodeClaims`, o.sample, lines, overhead, computed)
  assert.ok(Math.max(...shares) - Math.min(...shares) <= 1, `the pods' shares ${shares.join(', ')} are not spread with a skew of at most 1`)
}

// ── instance types ────────────────────────────────────────────────────────────────────────────

/** "c5.xlarge, m5.xlarge and 95 other(s)": the names listed and the number of the others. */
export function listedInstanceTypes(value: string): { names: string[]; others: number } | undefined {
  const m = /^(.*) and (\d+) other\(s\)$/.exec(value)
  return m ? { names: m[1].split(', '), others: Number(m[2]) } : undefined
}

/** The instance types a NodeClaim allows (its `node.kubernetes.io/instance-type In` requirement). */
export function allowedTypesOf(claim: NodeClaim): string[] {
  return claim.spec.requirements?.find((r) => r.key === 'node.kubernetes.io/instance-type' && r.operator === 'In')?.values ?? []
}

/**
 * The line's field lists `names` types and "N other(s)", together the types its NodeClaim allows,
 * within the limit the run's Karpenter writes into a NodeClaim (v0.32: the 100 cheapest, the
 * tutorial's "95 other(s)"; 1.9: up to 600).
 */
export async function expectListedTypesAreTheNodeClaims(world: SpotcheckWorld, key: string, names: number): Promise<void> {
  const line = createdNodeClaimLine(world)
  const value = String(field(line, key))
  const listed = listedInstanceTypes(value)
  assert.ok(listed, `"${key}" is "${value}"`)
  assert.equal(listed.names.length, names, `listed: ${listed.names.join(', ')}`)
  const name = String(field(line, 'nodeclaim'))
  const claim = recordedNodeClaim(world, name) ?? (await listNodeClaims(world.run.kube(), world.run.karpenter)).find((c) => c.metadata.name === name)
  assert.ok(claim, `the run never saw the NodeClaim ${name}`)
  const allowed = allowedTypesOf(claim)
  const limit = world.run.karpenter.maxInstanceTypesPerNodeClaim
  await world.note(
    `"${listed.others} other(s)": the NodeClaim ${name} allows ${allowed.length} instance types; Karpenter ${world.run.karpenter.chartVersion} writes at most ${limit} into a NodeClaim`,
  )
  assert.equal(names + listed.others, allowed.length, `the line lists ${names} + ${listed.others} instance types, the NodeClaim allows ${allowed.length}`)
  assert.ok(allowed.length <= limit, `${allowed.length} instance types, over Karpenter's limit of ${limit}`)
}

/** The instance types EC2 offers in the region, described (both APIs paged to the end). */
export async function offeredInstanceTypes(ec2: EC2Client): Promise<InstanceTypeInfo[]> {
  const offered = new Set<string>()
  let next: string | undefined
  do {
    const page = await ec2.send(new DescribeInstanceTypeOfferingsCommand({ LocationType: 'region', NextToken: next }))
    for (const o of page.InstanceTypeOfferings ?? []) offered.add(String(o.InstanceType))
    next = page.NextToken
  } while (next)
  const infos: InstanceTypeInfo[] = []
  do {
    const page: { InstanceTypes?: InstanceTypeInfo[]; NextToken?: string } = await ec2.send(new DescribeInstanceTypesCommand({ NextToken: next }))
    infos.push(...(page.InstanceTypes ?? []).filter((i) => offered.has(String(i.InstanceType))))
    next = page.NextToken
  } while (next)
  return infos
}

/** The types the requirements allow as Spot or On-Demand, in any zone. */
export function allowedByRequirements(infos: readonly InstanceTypeInfo[], requirements: readonly Requirement[]): InstanceTypeInfo[] {
  const anyZone = requirements.filter((r) => r.key !== 'topology.kubernetes.io/zone')
  return infos.filter((i) => ['spot', 'on-demand'].some((ct) => violations(labelsOf(i, ct, ''), anyZone).length === 0))
}

/** The NodePool allows more than `atLeast` offered types, all of the categories c, m or r with more than `cpus` vCPUs and `memory` MiB. */
export async function expectNodePoolAllowsOffered(world: SpotcheckWorld, name: string, o: { atLeast: number; cpus: number; memory: number }): Promise<void> {
  const infos = await offeredInstanceTypes(world.run.aws.ec2)
  const allowed = allowedByRequirements(infos, await nodePoolRequirements(world, name))
  await attachText(
    `instance types the NodePool "${name}" allows (${allowed.length} of ${infos.length})`,
    allowed
      .map((i) => i.InstanceType)
      .sort()
      .join('\n'),
  )
  assert.ok(allowed.length > o.atLeast, `only ${allowed.length} instance types allowed`)
  for (const i of allowed) {
    const labels = labelsOf(i, 'spot', '')
    assert.ok(['c', 'm', 'r'].includes(labels['karpenter.k8s.aws/instance-category']), `${i.InstanceType}: category`)
    assert.ok(Number(labels['karpenter.k8s.aws/instance-cpu']) > o.cpus, `${i.InstanceType}: vCPUs`)
    assert.ok(Number(labels['karpenter.k8s.aws/instance-memory']) > o.memory, `${i.InstanceType}: memory`)
  }
}

// ── the EC2NodeClass ──────────────────────────────────────────────────────────────────────────

/** The subnets and security groups EC2 has with the tag, their IDs sorted. */
async function taggedSubnetsAndGroups(ec2: EC2Client, key: string, value: string): Promise<{ subnets: string[]; groups: string[] }> {
  const filter = [{ Name: `tag:${key}`, Values: [value] }]
  const subnets = ((await ec2.send(new DescribeSubnetsCommand({ Filters: filter }))).Subnets ?? []).flatMap((s) => (s.SubnetId ? [s.SubnetId] : [])).sort()
  const groups = ((await ec2.send(new DescribeSecurityGroupsCommand({ Filters: filter }))).SecurityGroups ?? [])
    .flatMap((g) => (g.GroupId ? [g.GroupId] : []))
    .sort()
  return { subnets, groups }
}

/** Waits until the EC2NodeClass's status lists exactly the subnets and security groups EC2 has with the tag. */
export async function eventuallyNodeClassResolves(world: SpotcheckWorld, withinMs: number, name: string, key: string, value: string): Promise<void> {
  const { subnets, groups } = await taggedSubnetsAndGroups(world.run.aws.ec2, key, value)
  assert.ok(subnets.length > 0 && groups.length > 0, `EC2 has ${subnets.length} subnets and ${groups.length} security groups tagged ${key}=${value}`)
  await world.within(withinMs, `EC2NodeClass ${name} resolved`, async () => {
    const nc = await getKarpenterObject<{ status?: { subnets?: { id: string }[]; securityGroups?: { id: string }[] } }>(
      world.run.kube(),
      world.run.karpenter.ec2NodeClass,
      name,
    )
    const s = (nc.status?.subnets ?? []).map((x) => x.id).sort()
    const g = (nc.status?.securityGroups ?? []).map((x) => x.id).sort()
    return {
      ok: JSON.stringify(s) === JSON.stringify(subnets) && JSON.stringify(g) === JSON.stringify(groups),
      seen: `status: subnets ${s.join(',') || '-'}, security groups ${g.join(',') || '-'}`,
    }
  })
}

// ── the interruption ──────────────────────────────────────────────────────────────────────────

/** The interrupted node as the interruption line names it: its node, NodeClaim, zone and instant. */
export interface Interrupted {
  interruptedNode: string
  interruptedNodeClaim: string
  interruptedZone: string
  interruptionAt?: number
}

/** "That line" names the node of the interrupted instance and its NodeClaim; what it names, for the steps after. */
export function interruptedNodeNamedBy(world: SpotcheckWorld): Interrupted {
  const line = world.subject.logLine
  const instance = world.subject.interruptedInstance
  assert.ok(line, 'no line named')
  assert.ok(instance, 'the interrupted instance is not known yet')
  const node = nodeOfInstance(world, instance)
  const name = node?.metadata?.name
  assert.ok(node && name, `the run never saw a node for ${instance}`)
  assert.equal(field(line, 'node'), name, 'node')
  const nodeClaim = node.metadata?.labels?.['karpenter.sh/nodeclaim'] ?? (node.metadata?.ownerReferences ?? []).find((o) => o.kind === 'NodeClaim')?.name
  if (nodeClaim) assert.equal(field(line, 'nodeclaim'), nodeClaim, 'nodeclaim')
  else assert.match(String(field(line, 'nodeclaim')), /^default-/)
  return { interruptedNode: name, interruptedNodeClaim: String(field(line, 'nodeclaim')), interruptedZone: zoneOf(node), interruptionAt: loggedAt(world, line) }
}

/** The pods a drain evicts from a node: those on it, not terminating, that no DaemonSet owns. */
export function evictablePodsOn(pods: readonly Pod[], node: string): Pod[] {
  return pods.filter(
    (p) => p.spec?.nodeName === node && !p.metadata?.deletionTimestamp && !(p.metadata?.ownerReferences ?? []).some((o) => o.kind === 'DaemonSet'),
  )
}

/** Waits until the interrupted node has carried Karpenter's disruption taint and none of its pods is left on it. */
export async function eventuallyTaintedAndDrained(world: SpotcheckWorld, withinMs: number): Promise<void> {
  const name = world.subject.interruptedNode
  assert.ok(name, 'the interrupted node is not known yet')
  const taint = world.run.karpenter.disruptionTaint
  await world.note(`Karpenter ${world.run.karpenter.chartVersion}'s disruption taint: ${taintText(taint)}`)
  await world.within(withinMs, `${name} tainted ${taintText(taint)} and drained`, async () => {
    const tainted = world.run.recorder.firstSighting('nodes', name, (n) => (n.spec?.taints ?? []).some((t) => isTaint(t, taint)))
    const onIt = evictablePodsOn((await world.run.kube().core.listPodForAllNamespaces()).items, name)
    return {
      ok: Boolean(tainted) && onIt.length === 0,
      seen: `${tainted ? 'tainted' : 'not tainted'}; ${onIt.length} pods still on it${onIt.length ? ` (${onIt.map((p) => p.metadata?.name).join(', ')})` : ''}`,
    }
  })
}

/** Waits until Karpenter has created and launched a NodeClaim after "that line": a Spot replacement in the interrupted node's zone; returns its name. */
export async function eventuallyReplacementLaunched(world: SpotcheckWorld, withinMs: number): Promise<string> {
  const after = world.subject.logLine?.index ?? world.logStart
  const outcome = await world.within(withinMs, 'a replacement NodeClaim', async () => {
    const lines = linesSince(world, after)
    const created = lines.find((l) => field(l, 'message') === 'created nodeclaim')
    const launched = created && lines.find((l) => field(l, 'message') === 'launched nodeclaim' && field(l, 'nodeclaim') === field(created, 'nodeclaim'))
    return {
      ok: Boolean(launched),
      value: created && launched ? { created, launched } : undefined,
      seen: created ? `created ${String(field(created, 'nodeclaim'))}, not launched yet` : 'no NodeClaim created yet',
    }
  })
  assert.ok(outcome.value)
  const { created, launched } = outcome.value
  await attachText('the replacement', logExcerpt([created, launched]))
  assert.equal(field(launched, 'zone'), world.subject.interruptedZone, 'the replacement is in another zone than the interrupted node')
  assert.equal(field(launched, 'capacity-type'), 'spot')
  return String(field(created, 'nodeclaim'))
}

/** The replacement's node: the one of its NodeClaim, or else a new Ready Karpenter node in the interrupted node's zone. */
export function replacementNode(
  all: readonly Node[],
  o: { replacementNodeClaim?: string; interruptedNode?: string; interruptedZone?: string },
): Node | undefined {
  const claim = o.replacementNodeClaim
  const ofClaim = claim ? all.find((n) => n.metadata?.labels?.['karpenter.sh/nodeclaim'] === claim || n.metadata?.name === claim) : undefined
  return ofClaim ?? all.find((n) => isKarpenterNode(n) && nodeReady(n) && zoneOf(n) === o.interruptedZone && n.metadata?.name !== o.interruptedNode)
}

/** Waits until the interrupted node is gone and a replacement Spot node is Ready; returns the replacement's name. */
export async function eventuallyReplacedBySpotNode(world: SpotcheckWorld, withinMs: number): Promise<string> {
  const s = world.subject
  const outcome = await world.within(withinMs, 'interrupted node replaced', async () => {
    const all = await nodes(world)
    const old = all.find((n) => n.metadata?.name === s.interruptedNode)
    const fresh = replacementNode(all, s)
    return {
      ok: !old && Boolean(fresh && nodeReady(fresh) && capacityTypeOf(fresh) === 'spot'),
      value: fresh?.metadata?.name,
      seen: `${old ? `${s.interruptedNode} still there` : 'interrupted node gone'}; replacement ${fresh ? `${fresh.metadata?.name} ${nodeReady(fresh) ? 'Ready' : 'not Ready'}` : 'not registered'}`,
    }
  })
  assert.ok(outcome.value)
  return outcome.value
}

/**
 * When EC2 reclaims the instance: two minutes after its warning. Event times have whole seconds:
 * the notice is counted from the end of that second, to be fair to EC2.
 */
export function reclaimedAt(warnedAt: number): number {
  return warnedAt + EVENT_TIME_RESOLUTION_MS + SPOT_NOTICE_MS
}

// EC2 reclaims a Spot instance two minutes after its interruption warning; Karpenter usually
// terminates it itself, earlier, once it has drained the node. The claim is about the notice.
/** The replacement ("that node") turned Ready before the interrupted instance's notice ended. */
export async function expectReadyBeforeReclaim(world: SpotcheckWorld): Promise<void> {
  const name = world.subject.node
  const instance = world.subject.interruptedInstance
  assert.ok(name && instance, 'no replacement known')
  const ready = world.run.recorder.firstSighting('nodes', name, nodeReady)
  assert.ok(ready, `the run never saw ${name} Ready`)
  const warning = world.run.observer?.warnings().find((w) => w.instanceId === instance)
  assert.ok(warning, `no interruption warning seen for ${instance}`)
  // Both in tutorial time: the write that made the node Ready (its resourceVersion's instant on
  // the sandbox's clock; when the run saw it on AWS) and the warning's own `time`.
  const clock = world.run.tutorialTime
  await clock.sync()
  const readyAt = clock.of(ready)
  assert.ok(readyAt !== undefined, `no tutorial instant for ${name} turning Ready (resourceVersion ${ready.rv})`)
  const warnedAt = clock.stamped(warning.time)
  const after = ((readyAt - warnedAt) / 1000).toFixed(0)
  await world.note(`replacement ${name} Ready ${after} s (tutorial time) after the warning; EC2 reclaims the instance ${SPOT_NOTICE_MS / 1000} s after it`)
  assert.ok(readyAt <= reclaimedAt(warnedAt), `${name} was Ready ${after} s after the warning, after the 2-minute notice ended`)
}

// ── the cheapest On-Demand type ───────────────────────────────────────────────────────────────

/**
 * The priced types cheaper than the chosen one that EC2 Fleet could have launched: those Karpenter
 * did not see refused for lack of On-Demand capacity. `priced` sorted cheapest first.
 */
export function cheaperLaunchable(
  priced: readonly OnDemandPrice[],
  chosen: string,
  unavailable: ReadonlySet<string>,
): { mine?: OnDemandPrice; cheaper: OnDemandPrice[]; beaten: OnDemandPrice[] } {
  const mine = priced.find((p) => p.instanceType === chosen)
  const cheaper = mine ? priced.filter((p) => p.usdPerHour < mine.usdPerHour) : []
  return { mine, cheaper, beaten: cheaper.filter((p) => !unavailable.has(p.instanceType)) }
}

/** The types Karpenter saw EC2 refuse for lack of On-Demand capacity (its DEBUG "removing offering from offerings" lines). */
function onDemandUnavailable(world: SpotcheckWorld): Set<string> {
  const lines = (world.run.karpenterLog?.lines ?? []).filter(
    (l) => field(l, 'message') === 'removing offering from offerings' && field(l, 'capacity-type') === 'on-demand',
  )
  return new Set(lines.map((l) => String(field(l, 'instance-type'))))
}

/**
 * A rule, not a snapshot: no type the NodeClaim of "that node" allowed (the NodePool's types that
 * fit the pods) has a lower list price than the one EC2 Fleet's lowest-price strategy launched.
 * The prices are the run's source (support/prices.ts: the Price List API on aws, the shipped table
 * on the sandbox), read now, so the check holds when AWS changes a price. A cheaper type that
 * Karpenter saw EC2 refuse for lack of On-Demand capacity (logged when the chart's log level
 * shows DEBUG) is excused: Fleet could not launch it.
 */
export async function expectCheapestOnDemand(world: SpotcheckWorld): Promise<void> {
  const name = world.subject.node
  assert.ok(name, 'no node named in this scenario')
  const node = await world.run.kube().core.readNode({ name })
  const claim = (await listNodeClaims(world.run.kube(), world.run.karpenter)).find((c) => c.status?.nodeName === name)
  assert.ok(claim, `no NodeClaim for ${name}`)
  const allowed = allowedTypesOf(claim)
  assert.ok(allowed.length > 0, `${claim.metadata.name} lists no instance types`)
  const source = onDemandPrices(world.run.session)
  const { found, missing } = await source.prices(allowed)
  const priced = [...found].sort((a, b) => a.usdPerHour - b.usdPerHour || a.instanceType.localeCompare(b.instanceType))
  const chosen = instanceTypeOf(node)
  const unavailable = onDemandUnavailable(world)
  const { mine, cheaper, beaten } = cheaperLaunchable(priced, chosen, unavailable)
  const mark = (p: OnDemandPrice) =>
    p.instanceType === chosen ? '  ← launched' : unavailable.has(p.instanceType) && cheaper.includes(p) ? '  (no On-Demand capacity, per Karpenter)' : ''
  await attachText(
    `On-Demand list prices of the ${allowed.length} types ${claim.metadata.name} allowed (cheapest first)`,
    [
      `price source: ${source.source}`,
      ...priced.map((p) => `${p.instanceType.padEnd(16)} ${usd(p.usdPerHour)}/h${mark(p)}`),
      ...missing.map((m) => `${m.instanceType.padEnd(16)} no list price: ${m.reason}`),
    ].join('\n'),
  )
  assert.equal(capacityTypeOf(node), 'on-demand')
  assert.ok(allowed.includes(chosen), `${chosen} is not among the NodeClaim's types`)
  assert.ok(mine, `no list price for the launched type ${chosen}: ${missing.find((m) => m.instanceType === chosen)?.reason ?? 'unknown'}`)
  assert.equal(
    beaten.length,
    0,
    `${chosen} costs ${usd(mine.usdPerHour)}/h, but the NodeClaim allowed cheaper types: ${beaten
      .slice(0, 5)
      .map((p) => `${p.instanceType} ${usd(p.usdPerHour)}/h`)
      .join(', ')} (${source.source})`,
  )
}
