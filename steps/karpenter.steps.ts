// What Karpenter does and says: its NodePool and EC2NodeClass, its log lines (parsed as JSON,
// fields compared), its NodeClaims, and how it handles a Spot interruption.

import assert from 'node:assert/strict'
import type { DataTable } from '@cucumber/cucumber'
import { DescribeInstanceTypeOfferingsCommand, DescribeInstanceTypesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, type InstanceTypeInfo } from '@aws-sdk/client-ec2'
import { Given, Then } from '../support/step-registry.ts'
import { parseTutorialDuration } from '../support/eventually.ts'
import { isTaint, taintText } from '../support/karpenter-api.ts'
import { capacityTypeOf, getKarpenterObject, instanceTypeOf, isKarpenterNode, listNodeClaims, nodeReady, zoneOf, type Node, type NodeClaim } from '../support/kube.ts'
import { onDemandPrices, usd } from '../support/prices.ts'
import { field, type LogLine } from '../support/recorders.ts'
import { EVENT_TIME_RESOLUTION_MS } from '../support/event-observer.ts'
import { SPOT_NOTICE_MS } from '../support/expect/timeline.ts'
import { consolidationAfterDeletion } from '../support/expect/claims.ts'
import { labelsOf, violations } from '../support/nodepool-check.ts'
import { attachHtml, attachText, htmlTable, logExcerpt } from '../support/report.ts'
import { TUTORIAL_DATE } from '../platform/index.ts'
import type { SpotcheckWorld } from '../support/world.ts'
import { nodeOfInstance, nodePoolRequirements, nodes, nodesThatHosted, podsOf } from '../support/expect/cluster.ts'

const WITHIN = String.raw`within (\d+) (seconds?|minutes?)`

function render(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)
}

/** The NodeClaim as the run last saw it (even if gone since). */
function recordedNodeClaim(world: SpotcheckWorld, name: string | undefined): NodeClaim | undefined {
  const history = name ? world.run.cluster?.nodeClaims.get(name) : undefined
  return history?.filter((s) => s.type !== 'DELETED').at(-1)?.object ?? history?.at(-1)?.object
}

/**
 * A field of the line in the normalised vocabulary. Karpenter 1.x does not put the NodePool on
 * its NodeClaim lifecycle lines (v0.32 does): there the NodePool is the one the NodeClaim the
 * line names belongs to, as the run recorded it.
 */
function lineField(world: SpotcheckWorld, line: LogLine, key: string): unknown {
  const value = field(line, key)
  if (value !== undefined || key !== 'nodepool') return value
  return recordedNodeClaim(world, line.view?.nodeClaim)?.metadata.labels?.['karpenter.sh/nodepool']
}

function matches(world: SpotcheckWorld, line: LogLine, expected: Record<string, string>): boolean {
  if (!line.view) return false
  return Object.entries(expected).every(([k, v]) => render(lineField(world, line, k)) === v)
}

function linesSince(world: SpotcheckWorld): LogLine[] {
  const log = world.run.karpenterLog
  assert.ok(log, "Karpenter's log is not followed yet: the cluster has not been reached (Step 2's update-kubeconfig)")
  return log.since(world.logStart)
}

function closest(lines: LogLine[], expected: Record<string, string>): string {
  const sameMessage = lines.filter((l) => field(l, 'message') === expected.message)
  const pool = sameMessage.length > 0 ? sameMessage : lines.slice(-10)
  return pool.length ? `\n${logExcerpt(pool.slice(-5))}` : ' (no lines yet)'
}

async function showLine(world: SpotcheckWorld, line: LogLine): Promise<void> {
  world.subject.logLine = line
  await attachText(`Karpenter: ${String(field(line, 'message'))}`, `${logExcerpt([line])}\n\n${line.raw}`)
}

Then(new RegExp(`^${WITHIN} the Karpenter log shows a line with:$`), async function (this: SpotcheckWorld, amount: string, unit: string, table: DataTable) {
  const expected = table.rowsHash()
  const outcome = await this.within(parseTutorialDuration(Number(amount), unit), `Karpenter logs "${expected.message}"`, async () => {
    const lines = linesSince(this)
    const line = lines.find((l) => matches(this, l, expected))
    return { ok: Boolean(line), value: line, seen: line ? 'logged' : `not yet; closest:${closest(lines, expected)}` }
  })
  await showLine(this, outcome.value)
})

Then('the Karpenter log shows a line with:', async function (this: SpotcheckWorld, table: DataTable) {
  const expected = table.rowsHash()
  const lines = linesSince(this)
  const line = lines.find((l) => matches(this, l, expected))
  assert.ok(line, `no line with ${JSON.stringify(expected)}; closest:${closest(lines, expected)}`)
  await showLine(this, line)
})

/** A controller as the features name it: `disruption` (v0.32's logger `controller.disruption` is accepted too). */
function controllerNamed(name: string): string {
  return name.replace(/^controller\./, '')
}

Given('the Karpenter log shows a line from the {string} controller whose message starts with {string}', async function (this: SpotcheckWorld, controller: string, prefix: string) {
  const lines = linesSince(this)
  const line = lines.find((l) => field(l, 'controller') === controllerNamed(controller) && String(field(l, 'message')).startsWith(prefix))
  assert.ok(line, `no line from the ${controller} controller starting "${prefix}"; last lines:\n${logExcerpt(lines.slice(-10))}`)
  await showLine(this, line)
})

Then('the Karpenter log shows the {string} controller deleting them by consolidation', async function (this: SpotcheckWorld, controller: string) {
  const deployment = this.subject.deployment
  assert.ok(deployment, 'no deployment has been named in this scenario')
  const hosts = nodesThatHosted(this, deployment)
  const api = this.run.karpenter
  const lines = linesSince(this).filter((l) => l.view && field(l, 'controller') === controllerNamed(controller))
  const deleting = lines.filter((l) => api.consolidationDeletes(l.view!).length > 0)
  const deleted = new Set(deleting.flatMap((l) => api.consolidationDeletes(l.view!)))
  assert.ok(deleting.length > 0, `no consolidation delete from the ${controller} controller; its lines:\n${logExcerpt(lines.slice(-10)) || '(none)'}`)
  await attachText(`Karpenter: consolidation deletes ${[...deleted].join(', ')}`, `${logExcerpt(deleting)}\n\n${deleting.map((l) => l.raw).join('\n')}`)
  this.subject.logLine = deleting[0]
  assert.deepEqual([...hosts].filter((n) => !deleted.has(n)), [], `nodes of ${deployment} no consolidation delete names (it named ${[...deleted].join(', ')})`)
  // After the deletion, in tutorial time: the deployment deleted, its pods gone from each node,
  // then Karpenter's consolidation delete (its line's `time`), then the node gone.
  const deletedAt = this.subject.deletedAt
  if (deletedAt === undefined) return
  const clock = this.run.tutorialTime
  await clock.sync()
  const recorder = this.run.cluster!
  const consolidations = deleting.map((l) => ({ atMs: l.tutorialAt !== undefined ? clock.stamped(l.tutorialAt) : clock.of({ at: l.receivedAt }), nodes: api.consolidationDeletes(l.view!) }))
  const { problems } = consolidationAfterDeletion({ deletedAt, app: deployment, hosts: [...hosts], pods: recorder.pods, nodes: recorder.nodes, consolidations, instant: (o) => clock.of(o) })
  const first = consolidations[0]?.atMs
  if (first !== undefined) {
    this.run.timings.duration('workload deletion → consolidation delete', first - deletedAt)
    await this.note(`Karpenter's consolidation delete ${((first - deletedAt) / 1000).toFixed(1)} s (tutorial time) after the deletion`)
  }
  assert.deepEqual(problems, [], `consolidation did not follow the deletion:\n${problems.join('\n')}`)
})

function createdNodeClaim(world: SpotcheckWorld): LogLine {
  const line = world.subject.logLine
  assert.ok(line && field(line, 'message') === 'created nodeclaim', 'no "created nodeclaim" line has been named in this scenario')
  return line
}

type PodTemplate = { spec?: { containers?: { resources?: { requests?: Record<string, string> } }[] } }
const podRequests = (p: PodTemplate | undefined, r: string) => (p?.spec?.containers ?? []).reduce((s, c) => s + quantity(c.resources?.requests?.[r] ?? '0', r), 0)

interface Overhead {
  cpu: number
  memory: number
  pods: number
  /** The DaemonSets Karpenter counted, and those it did not. */
  counted: string[]
  notCounted: string[]
}

/**
 * What Karpenter adds to a new node's requests for the DaemonSets (one pod of each it expects to
 * run there): the DaemonSets of the cluster whose requests, with `pods` pods, make what it
 * logged. v0.32 counts every DaemonSet its NodePool does not exclude (the tutorial's 4, the
 * Windows EBS CSI node included); a newer Karpenter or newer add-ons count others: the rule is
 * the same, the set is found, and the report names it.
 */
async function daemonSetOverhead(world: SpotcheckWorld, logged: { cpu: number; memory: number; pods: number }[], perPod: { cpu: number; memory: number }, pods: number[]): Promise<Overhead | undefined> {
  const all = (await world.run.kube().apps.listDaemonSetForAllNamespaces()).items.map((d) => ({ name: `${d.metadata?.namespace}/${d.metadata?.name}`, cpu: podRequests(d.spec?.template, 'cpu'), memory: podRequests(d.spec?.template, 'memory') }))
  // Every DaemonSet first (what v0.32 does), then each smaller subset.
  const subsets = Array.from({ length: 2 ** all.length }, (_, mask) => all.filter((_, i) => mask & (1 << i))).sort((x, y) => y.length - x.length)
  for (const subset of subsets) {
    const o = { cpu: subset.reduce((s, d) => s + d.cpu, 0), memory: subset.reduce((s, d) => s + d.memory, 0), pods: subset.length }
    if (logged.every((l, i) => l.cpu === pods[i] * perPod.cpu + o.cpu && l.memory === pods[i] * perPod.memory + o.memory && l.pods === pods[i] + o.pods)) {
      return { ...o, counted: subset.map((d) => `${d.name} (${d.cpu}m, ${d.memory}Mi)`), notCounted: all.filter((d) => !subset.includes(d)).map((d) => d.name) }
    }
  }
  return undefined
}

/**
 * The tutorial's sample numbers are its own claim on its own platform: the published text on the
 * platform of its day (the sandbox as of 2024-01-29 runs the add-ons of that day). Anywhere else
 * (today's add-ons, a newer Karpenter) they are shown beside the run's, and the rule is asserted.
 */
function onTheTutorialsPlatform(world: SpotcheckWorld): boolean {
  const edition = world.run.target!.edition
  return edition.edition === 'as-written' && edition.asOf === TUTORIAL_DATE
}

function loggedRequests(line: LogLine): { cpu: number; memory: number; pods: number } {
  const r = field(line, 'requests') as Record<string, string> | undefined
  assert.ok(r, `the line has no requests: ${line.raw}`)
  return { cpu: quantity(r.cpu, 'cpu'), memory: quantity(r.memory, 'memory'), pods: Number(r.pods) }
}

async function compareWithSample(world: SpotcheckWorld, title: string, sample: Record<string, string>[], logged: LogLine[], overhead: Overhead | undefined, computed: string[]): Promise<void> {
  const got = logged.map((l) => field(l, 'requests') as Record<string, string>)
  const own = onTheTutorialsPlatform(world)
  await attachHtml(
    title,
    htmlTable(
      `${title}: the tutorial's sample output (2024-01-29), what Karpenter logged in this run, and the pods plus the DaemonSets it counted${own ? '' : ' (the sample is shown, not asserted: this run is not on the tutorial\'s own platform)'}`,
      ['', "the tutorial's sample (cpu / memory / pods)", 'Karpenter logged', 'the pods plus the DaemonSets'],
      got.map((r, i) => [`#${i + 1}`, sample[i] ? `${sample[i].cpu} / ${sample[i].memory} / ${sample[i].pods}` : '', `${r.cpu} / ${r.memory} / ${r.pods}`, computed[i] ?? '']),
    ),
  )
  if (overhead) await world.note(`DaemonSets Karpenter counted: ${overhead.counted.join(', ')}${overhead.notCounted.length ? `; not counted: ${overhead.notCounted.join(', ')}` : ''}`)
  assert.ok(overhead, `Karpenter's requests (${got.map((r) => `${r.cpu}/${r.memory}/${r.pods}`).join('; ')}) are not the pods' plus any set of the cluster's DaemonSets`)
  if (own) {
    const key = (r: Record<string, string>) => `${r.cpu}/${r.memory}/${r.pods}`
    assert.deepEqual(got.map(key).sort(), sample.map(key).sort(), "on the tutorial's own platform, Karpenter logs the tutorial's numbers")
  }
}

Then("that NodeClaim's requests are the {int} pods' plus the DaemonSets', which the tutorial's sample output shows as:", async function (this: SpotcheckWorld, pods: number, table: DataTable) {
  const line = createdNodeClaim(this)
  const sample = table.rowsHash()
  const deployment = await podsOf(this, 'stateless')
  const perPod = { cpu: podRequests(deployment[0], 'cpu'), memory: podRequests(deployment[0], 'memory') }
  const overhead = await daemonSetOverhead(this, [loggedRequests(line)], perPod, [pods])
  const computed = overhead ? [`${pods} × ${perPod.cpu}m/${perPod.memory}Mi + ${overhead.pods} DaemonSet pods (${overhead.cpu}m/${overhead.memory}Mi) = ${pods * perPod.cpu + overhead.cpu}m / ${pods * perPod.memory + overhead.memory}Mi / ${pods + overhead.pods}`] : []
  await compareWithSample(this, 'requests of the NodeClaim', [{ cpu: sample['requests.cpu'], memory: sample['requests.memory'], pods: sample['requests.pods'] }], [line], overhead, computed)
})

Then("the Karpenter log shows {int} {string} lines, each for its share of the {int} pods plus the DaemonSets', which the tutorial's sample output shows as:", async function (this: SpotcheckWorld, count: number, message: string, pods: number, table: DataTable) {
  const lines = linesSince(this).filter((l) => field(l, 'message') === message)
  assert.equal(lines.length, count, `"${message}" lines:\n${logExcerpt(lines)}`)
  await attachText(`Karpenter: ${message}`, logExcerpt(lines))
  const deployment = await podsOf(this, 'stateless')
  const perPod = { cpu: podRequests(deployment[0], 'cpu'), memory: podRequests(deployment[0], 'memory') }
  const logged = lines.map(loggedRequests)
  // Each NodeClaim's share of the pods, read from its pod count and the DaemonSets', then checked against cpu and memory.
  let overhead: Overhead | undefined
  let shares: number[] = []
  for (let ds = 0; ds <= Math.min(...logged.map((l) => l.pods)) && !overhead; ds++) {
    shares = logged.map((l) => l.pods - ds)
    if (shares.reduce((a, b) => a + b, 0) !== pods) continue
    overhead = await daemonSetOverhead(this, logged, perPod, shares)
  }
  const computed = overhead ? shares.map((n) => `${n} × ${perPod.cpu}m/${perPod.memory}Mi + ${overhead.pods} DaemonSet pods = ${n * perPod.cpu + overhead.cpu}m / ${n * perPod.memory + overhead.memory}Mi / ${n + overhead.pods}`) : []
  await compareWithSample(this, `requests of the ${count} NodeClaims`, table.hashes(), lines, overhead, computed)
  if (overhead) assert.ok(Math.max(...shares) - Math.min(...shares) <= 1, `the pods' shares ${shares.join(', ')} are not spread with a skew of at most 1`)
})

/** cpu in millicores, memory in MiB (enough for the tutorial's requests). */
function quantity(q: string, resource: string): number {
  const m = /^(\d+(?:\.\d+)?)(m|Mi|Gi|Ki|M|G)?$/.exec(q)
  assert.ok(m, `unexpected quantity "${q}"`)
  const n = Number(m[1])
  if (resource === 'cpu') return m[2] === 'm' ? n : n * 1000
  return { Ki: n / 1024, Mi: n, Gi: n * 1024, M: (n * 1e6) / 2 ** 20, G: (n * 1e9) / 2 ** 20 }[m[2] ?? ''] ?? n / 2 ** 20
}

// v0.32 writes the 100 cheapest types into a NodeClaim (the tutorial's "95 other(s)"), 1.9 up to 600:
// the line and the NodeClaim must agree, within the limit of the run's Karpenter.
Then(/^the "([^"]+)" it lists are (\d+) names and "N other\(s\)": the rest of the instance types its NodeClaim allows$/, async function (this: SpotcheckWorld, key: string, count: string) {
  const names = Number(count)
  const line = createdNodeClaim(this)
  const value = String(field(line, key))
  const m = /^(.*) and (\d+) other\(s\)$/.exec(value)
  assert.ok(m, `"${key}" is "${value}"`)
  assert.equal(m[1].split(', ').length, names, `listed: ${m[1]}`)
  const name = String(field(line, 'nodeclaim'))
  const claim = recordedNodeClaim(this, name) ?? (await listNodeClaims(this.run.kube(), this.run.karpenter)).find((c) => c.metadata.name === name)
  assert.ok(claim, `the run never saw the NodeClaim ${name}`)
  const allowed = claim.spec.requirements?.find((r) => r.key === 'node.kubernetes.io/instance-type' && r.operator === 'In')?.values ?? []
  const limit = this.run.karpenter.maxInstanceTypesPerNodeClaim
  await this.note(`"${value.slice(m[1].length + 5)}": the NodeClaim ${name} allows ${allowed.length} instance types; Karpenter ${this.run.karpenter.chartVersion} writes at most ${limit} into a NodeClaim`)
  assert.equal(names + Number(m[2]), allowed.length, `the line lists ${names} + ${m[2]} instance types, the NodeClaim allows ${allowed.length}`)
  assert.ok(allowed.length <= limit, `${allowed.length} instance types, over Karpenter's limit of ${limit}`)
})

Then(
  "the NodePool {string} allows more than {int} of the region's instance types, all of the categories c, m or r with more than {int} vCPUs and more than {int} MiB of memory",
  async function (this: SpotcheckWorld, name: string, atLeast: number, cpus: number, memory: number) {
    const requirements = await nodePoolRequirements(this, name)
    const ec2 = this.run.aws.ec2
    const offered = new Set<string>()
    let next: string | undefined
    do {
      const page = await ec2.send(new DescribeInstanceTypeOfferingsCommand({ LocationType: 'region', NextToken: next }))
      for (const o of page.InstanceTypeOfferings ?? []) offered.add(String(o.InstanceType))
      next = page.NextToken
    } while (next)
    const infos: InstanceTypeInfo[] = []
    next = undefined
    do {
      const page: { InstanceTypes?: InstanceTypeInfo[]; NextToken?: string } = await ec2.send(new DescribeInstanceTypesCommand({ NextToken: next }))
      infos.push(...(page.InstanceTypes ?? []).filter((i) => offered.has(String(i.InstanceType))))
      next = page.NextToken
    } while (next)
    const allowed = infos.filter((i) => ['spot', 'on-demand'].some((ct) => violations(labelsOf(i, ct, ''), requirements.filter((r) => r.key !== 'topology.kubernetes.io/zone')).length === 0))
    await attachText(`instance types the NodePool "${name}" allows (${allowed.length} of ${infos.length})`, allowed.map((i) => i.InstanceType).sort().join('\n'))
    assert.ok(allowed.length > atLeast, `only ${allowed.length} instance types allowed`)
    for (const i of allowed) {
      const labels = labelsOf(i, 'spot', '')
      assert.ok(['c', 'm', 'r'].includes(labels['karpenter.k8s.aws/instance-category']), `${i.InstanceType}: category`)
      assert.ok(Number(labels['karpenter.k8s.aws/instance-cpu']) > cpus, `${i.InstanceType}: vCPUs`)
      assert.ok(Number(labels['karpenter.k8s.aws/instance-memory']) > memory, `${i.InstanceType}: memory`)
    }
  },
)

Then(
  new RegExp(`^${WITHIN} the EC2NodeClass "([^"]+)" resolves the subnets and security groups tagged "([^"]+)" = "([^"]+)"$`),
  async function (this: SpotcheckWorld, amount: string, unit: string, name: string, key: string, value: string) {
    const ec2 = this.run.aws.ec2
    const filter = [{ Name: `tag:${key}`, Values: [value] }]
    const subnets = ((await ec2.send(new DescribeSubnetsCommand({ Filters: filter }))).Subnets ?? []).map((s) => s.SubnetId!).sort()
    const groups = ((await ec2.send(new DescribeSecurityGroupsCommand({ Filters: filter }))).SecurityGroups ?? []).map((g) => g.GroupId!).sort()
    assert.ok(subnets.length > 0 && groups.length > 0, `EC2 has ${subnets.length} subnets and ${groups.length} security groups tagged ${key}=${value}`)
    await this.within(parseTutorialDuration(Number(amount), unit), `EC2NodeClass ${name} resolved`, async () => {
      const nc = await getKarpenterObject<{ status?: { subnets?: { id: string }[]; securityGroups?: { id: string }[] } }>(this.run.kube(), this.run.karpenter.ec2NodeClass, name)
      const s = (nc.status?.subnets ?? []).map((x) => x.id).sort()
      const g = (nc.status?.securityGroups ?? []).map((x) => x.id).sort()
      return { ok: JSON.stringify(s) === JSON.stringify(subnets) && JSON.stringify(g) === JSON.stringify(groups), seen: `status: subnets ${s.join(',') || '-'}, security groups ${g.join(',') || '-'}` }
    })
  },
)

// ── the interruption ──────────────────────────────────────────────────────────────────────────


Then('that line names the interrupted node and its NodeClaim', function (this: SpotcheckWorld) {
  const line = this.subject.logLine
  assert.ok(line, 'no line named')
  assert.ok(this.subject.interruptedInstance, 'the interrupted instance is not known yet')
  const node = nodeOfInstance(this, this.subject.interruptedInstance)
  assert.ok(node, `the run never saw a node for ${this.subject.interruptedInstance}`)
  assert.equal(field(line, 'node'), node.metadata?.name, 'node')
  const nodeClaim = node.metadata?.labels?.['karpenter.sh/nodeclaim'] ?? (node.metadata?.ownerReferences ?? []).find((o) => o.kind === 'NodeClaim')?.name
  if (nodeClaim) assert.equal(field(line, 'nodeclaim'), nodeClaim, 'nodeclaim')
  else assert.match(String(field(line, 'nodeclaim')), /^default-/)
  this.subject.interruptedNode = node.metadata!.name!
  this.subject.interruptedNodeClaim = String(field(line, 'nodeclaim'))
  this.subject.interruptedZone = zoneOf(node)
  // When Karpenter logged it, in tutorial time (its `time` field), not when the run received it.
  this.subject.interruptionAt = line.tutorialAt !== undefined ? this.run.tutorialTime.stamped(line.tutorialAt) : this.run.tutorialTime.of({ at: line.receivedAt })
})

Then(new RegExp(`^${WITHIN} the interrupted node carries Karpenter's disruption taint and its pods are evicted$`), async function (this: SpotcheckWorld, amount: string, unit: string) {
  const name = this.subject.interruptedNode
  assert.ok(name, 'the interrupted node is not known yet')
  const taint = this.run.karpenter.disruptionTaint
  await this.note(`Karpenter ${this.run.karpenter.chartVersion}'s disruption taint: ${taintText(taint)}`)
  await this.within(parseTutorialDuration(Number(amount), unit), `${name} tainted ${taintText(taint)} and drained`, async () => {
    const history = this.run.cluster!.nodes.get(name) ?? []
    const tainted = history.find((s) => (s.object.spec?.taints ?? []).some((t) => isTaint(t, taint)))
    const onIt = (await podsOf(this, 'stateless')).filter((p) => p.spec?.nodeName === name)
    return { ok: Boolean(tainted) && onIt.length === 0, seen: `${tainted ? 'tainted' : 'not tainted'}; ${onIt.length} stateless pods still on it` }
  })
})

Then(new RegExp(`^${WITHIN} the Karpenter log shows a "created nodeclaim" line for the evicted pods, with a replacement in the same zone$`), async function (this: SpotcheckWorld, amount: string, unit: string) {
  const after = this.subject.logLine?.index ?? this.logStart
  const outcome = await this.within(parseTutorialDuration(Number(amount), unit), 'a replacement NodeClaim', async () => {
    const lines = this.run.karpenterLog!.since(after)
    const created = lines.find((l) => field(l, 'message') === 'created nodeclaim')
    const launched = created && lines.find((l) => field(l, 'message') === 'launched nodeclaim' && field(l, 'nodeclaim') === field(created, 'nodeclaim'))
    return { ok: Boolean(launched), value: { created, launched }, seen: created ? `created ${String(field(created, 'nodeclaim'))}, not launched yet` : 'no NodeClaim created yet' }
  })
  const { created, launched } = outcome.value
  await attachText('the replacement', logExcerpt([created!, launched!]))
  this.subject.replacementNodeClaim = String(field(created!, 'nodeclaim'))
  assert.equal(field(launched!, 'zone'), this.subject.interruptedZone, 'the replacement is in another zone than the interrupted node')
  assert.equal(field(launched!, 'capacity-type'), 'spot')
})

function replacementNode(world: SpotcheckWorld, all: Node[]): Node | undefined {
  return all.find((n) => n.metadata?.labels?.['karpenter.sh/nodeclaim'] === world.subject.replacementNodeClaim || n.metadata?.name === world.subject.replacementNodeClaim)
}

Then(new RegExp(`^${WITHIN} the interrupted node is gone, and a replacement Spot node is Ready$`), async function (this: SpotcheckWorld, amount: string, unit: string) {
  await this.within(parseTutorialDuration(Number(amount), unit), 'interrupted node replaced', async () => {
    const all = await nodes(this)
    const old = all.find((n) => n.metadata?.name === this.subject.interruptedNode)
    const fresh = replacementNode(this, all) ?? all.find((n) => isKarpenterNode(n) && nodeReady(n) && zoneOf(n) === this.subject.interruptedZone && n.metadata?.name !== this.subject.interruptedNode)
    if (fresh) this.subject.node = fresh.metadata!.name!
    return {
      ok: !old && Boolean(fresh && nodeReady(fresh) && capacityTypeOf(fresh) === 'spot'),
      seen: `${old ? `${this.subject.interruptedNode} still there` : 'interrupted node gone'}; replacement ${fresh ? `${fresh.metadata?.name} ${nodeReady(fresh) ? 'Ready' : 'not Ready'}` : 'not registered'}`,
    }
  })
})

// EC2 reclaims a Spot instance two minutes after its interruption warning; Karpenter usually
// terminates it itself, earlier, once it has drained the node. The claim is about the notice.
Then('the replacement was Ready before EC2 reclaimed the interrupted instance', async function (this: SpotcheckWorld) {
  const name = this.subject.node
  assert.ok(name && this.subject.interruptedInstance, 'no replacement known')
  const history = this.run.cluster!.nodes.get(name) ?? []
  const ready = history.find((s) => nodeReady(s.object))
  assert.ok(ready, `the run never saw ${name} Ready`)
  const warning = this.run.observer?.warnings().find((w) => w.instanceId === this.subject.interruptedInstance)
  assert.ok(warning, `no interruption warning seen for ${this.subject.interruptedInstance}`)
  // Both in tutorial time: the write that made the node Ready (its resourceVersion's instant on
  // the sandbox's clock; when the run saw it on AWS) and the warning's own `time`.
  const clock = this.run.tutorialTime
  await clock.sync()
  const readyAt = clock.of(ready)
  assert.ok(readyAt !== undefined, `no tutorial instant for ${name} turning Ready (resourceVersion ${ready.rv})`)
  // Event times have whole seconds: the notice is counted from the end of that second, to be fair to EC2.
  const warnedAt = clock.stamped(warning.time)
  const reclaimAt = warnedAt + EVENT_TIME_RESOLUTION_MS + SPOT_NOTICE_MS
  const after = ((readyAt - warnedAt) / 1000).toFixed(0)
  await this.note(`replacement ${name} Ready ${after} s (tutorial time) after the warning; EC2 reclaims the instance ${SPOT_NOTICE_MS / 1000} s after it`)
  assert.ok(readyAt <= reclaimAt, `${name} was Ready ${after} s after the warning, after the 2-minute notice ended`)
})

// A rule, not a snapshot: no type the NodeClaim allowed (the NodePool's types that fit the pods)
// has a lower list price than the one EC2 Fleet's lowest-price strategy launched. The prices are
// the run's source (support/prices.ts: the Price List API on aws, the shipped table on the
// sandbox), read now, so the check holds when AWS changes a price. A cheaper type that Karpenter
// saw EC2 refuse for lack of On-Demand capacity (its DEBUG "removing offering from offerings"
// line, logged when the chart's log level shows DEBUG) is excused: Fleet could not launch it.
Then('its instance type is the cheapest On-Demand type among those its NodeClaim allowed', async function (this: SpotcheckWorld) {
  const name = this.subject.node
  assert.ok(name, 'no node named in this scenario')
  const node = await this.run.kube().core.readNode({ name })
  const claims = await listNodeClaims(this.run.kube(), this.run.karpenter)
  const claim = claims.find((c) => c.status?.nodeName === name)
  assert.ok(claim, `no NodeClaim for ${name}`)
  const allowed = claim.spec.requirements?.find((r) => r.key === 'node.kubernetes.io/instance-type' && r.operator === 'In')?.values ?? []
  assert.ok(allowed.length > 0, `${claim.metadata.name} lists no instance types`)
  const source = onDemandPrices(this.run.target!)
  const { found, missing } = await source.prices(allowed)
  const priced = [...found].sort((a, b) => a.usdPerHour - b.usdPerHour || a.instanceType.localeCompare(b.instanceType))
  const chosen = instanceTypeOf(node)
  const unavailable = new Set(
    (this.run.karpenterLog?.lines ?? [])
      .filter((l) => field(l, 'message') === 'removing offering from offerings' && field(l, 'capacity-type') === 'on-demand')
      .map((l) => String(field(l, 'instance-type'))),
  )
  const mine = priced.find((p) => p.instanceType === chosen)
  const cheaper = mine ? priced.filter((p) => p.usdPerHour < mine.usdPerHour) : []
  await attachText(
    `On-Demand list prices of the ${allowed.length} types ${claim.metadata.name} allowed (cheapest first)`,
    [
      `price source: ${source.source}`,
      ...priced.map((p) => `${p.instanceType.padEnd(16)} ${usd(p.usdPerHour)}/h${p.instanceType === chosen ? '  ← launched' : unavailable.has(p.instanceType) && cheaper.includes(p) ? '  (no On-Demand capacity, per Karpenter)' : ''}`),
      ...missing.map((m) => `${m.instanceType.padEnd(16)} no list price: ${m.reason}`),
    ].join('\n'),
  )
  assert.equal(capacityTypeOf(node), 'on-demand')
  assert.ok(allowed.includes(chosen), `${chosen} is not among the NodeClaim's types`)
  assert.ok(mine, `no list price for the launched type ${chosen}: ${missing.find((m) => m.instanceType === chosen)?.reason ?? 'unknown'}`)
  const beaten = cheaper.filter((p) => !unavailable.has(p.instanceType))
  assert.equal(
    beaten.length,
    0,
    `${chosen} costs ${usd(mine.usdPerHour)}/h, but the NodeClaim allowed cheaper types: ${beaten.slice(0, 5).map((p) => `${p.instanceType} ${usd(p.usdPerHour)}/h`).join(', ')} (${source.source})`,
  )
})
