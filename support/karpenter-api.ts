// What the suite knows about the Karpenter of a run, in one place: where its objects live, how
// it tags what it creates in AWS, which taint it cordons with, and how its log lines are shaped.
// Steps, recorders and the clean-up ask this module and never branch on the version themselves.
//
// Two lines of Karpenter are known, each checked against its source:
//   v1beta1 — chart v0.32.x (the tutorial's v0.32.1) to v0.37.x: karpenter.sh/v1beta1 and
//             karpenter.k8s.aws/v1beta1; knative/zap log lines, "logger":"controller.<name>";
//             aws/karpenter-provider-aws v0.32.1, kubernetes-sigs/karpenter v0.32.1.
//   v1      — chart 1.x (the 1.9 LTS line's 1.9.2): karpenter.sh/v1 and karpenter.k8s.aws/v1;
//             controller-runtime log lines, "logger":"controller" plus "controller":"<name>" and
//             object references as {"name":…}; aws/karpenter-provider-aws v1.9.2,
//             kubernetes-sigs/karpenter v1.9.x.
// The exact facts (file by file) are in docs/karpenter-lines.md.

import type { Filter } from '@aws-sdk/client-ec2'

export type KarpenterApiLine = 'v1beta1' | 'v1'

/** One Karpenter kind: what client-node's custom-object calls and a watch need. */
export interface KarpenterResource {
  kind: string
  group: string
  version: string
  plural: string
  /** `group/version`, as a manifest's apiVersion. */
  apiVersion: string
  /** The cluster-wide list and watch path. */
  path: string
}

export interface Taint {
  key: string
  value?: string
  effect: string
}

/** A Karpenter log line in one vocabulary, whichever line wrote it. */
export interface KarpenterLogView {
  level?: string
  time?: string
  /** The controller that logged it: `provisioner`, `nodeclaim.lifecycle`, `disruption`, `interruption`, … */
  controller?: string
  message?: string
  nodeClaim?: string
  nodePool?: string
  node?: string
  /**
   * The line's fields in its own order, with object references flattened to lower-case names
   * (`"NodeClaim":{"name":"default-x"}` → `nodeclaim: "default-x"`), `controller` set, and
   * `messageKind` named by its Go constant (`SpotInterruptionKind`, whichever string was logged).
   */
  fields: Record<string, unknown>
}

export interface KarpenterApi {
  line: KarpenterApiLine
  /** The Helm chart version the run installs (`v0.32.1`, `1.9.2`). */
  chartVersion: string
  nodePool: KarpenterResource
  nodeClaim: KarpenterResource
  ec2NodeClass: KarpenterResource
  /** The taint Karpenter puts on a node it disrupts (interruption, consolidation) before draining it. */
  disruptionTaint: Taint
  /** At most this many instance types are written into a NodeClaim's requirements (and its "created nodeclaim" line). */
  maxInstanceTypesPerNodeClaim: number
  /** EC2 DescribeInstances filters that find the instances Karpenter launched for the cluster. */
  instanceFilters(cluster: string): Filter[]
  /** Alternative DescribeLaunchTemplates filter sets (the union is Karpenter's) for the cluster. */
  launchTemplateFilters(cluster: string): Filter[][]
  /** Whether an instance profile is one Karpenter made for an EC2NodeClass of the cluster. */
  ownsInstanceProfile(profile: { name: string; path?: string; tags: Record<string, string> }, cluster: string): boolean
  /** Normalises a parsed JSON log line. */
  logLine(fields: Record<string, unknown>): KarpenterLogView
  /** The nodes a disruption line says Karpenter deletes by consolidation (none: not such a line). */
  consolidationDeletes(view: KarpenterLogView): string[]
}

function resource(kind: string, group: string, version: string, plural: string): KarpenterResource {
  return { kind, group, version, plural, apiVersion: `${group}/${version}`, path: `/apis/${group}/${version}/${plural}` }
}

const tag = (key: string, value: string): Filter => ({ Name: `tag:${key}`, Values: [value] })
const tagKey = (key: string): Filter => ({ Name: 'tag-key', Values: [key] })

/** The profile name both lines give: `<cluster>_<hash>` (provider instanceprofile.go / ec2nodeclass.go). */
const profileNamed = (name: string, cluster: string) => name.startsWith(`${cluster}_`) && /^\d+$/.test(name.slice(cluster.length + 1))

// ── v1beta1 (v0.32.x – v0.37.x) ──────────────────────────────────────────────────────────────

const V1BETA1: Omit<KarpenterApi, 'chartVersion'> = {
  line: 'v1beta1',
  nodePool: resource('NodePool', 'karpenter.sh', 'v1beta1', 'nodepools'),
  nodeClaim: resource('NodeClaim', 'karpenter.sh', 'v1beta1', 'nodeclaims'),
  ec2NodeClass: resource('EC2NodeClass', 'karpenter.k8s.aws', 'v1beta1', 'ec2nodeclasses'),
  // core@v0.32.1 pkg/apis/v1beta1/taints.go: DisruptionNoScheduleTaint
  disruptionTaint: { key: 'karpenter.sh/disruption', value: 'disrupting', effect: 'NoSchedule' },
  // core@v0.32.1 pkg/controllers/provisioning/scheduling/nodeclaimtemplate.go: "only take the first 100"
  maxInstanceTypesPerNodeClaim: 100,
  // provider@v0.32.1 pkg/providers/instance/instance.go: static tags karpenter.sh/managed-by=<cluster>,
  // karpenter.sh/nodepool, karpenter.k8s.aws/ec2nodeclass, kubernetes.io/cluster/<cluster>=owned.
  // (v1alpha5 Machines carry the same managed-by tag, so the filter names no NodePool.)
  instanceFilters: (cluster) => [tag('karpenter.sh/managed-by', cluster)],
  // provider@v0.32.1 pkg/providers/launchtemplate/launchtemplate.go: karpenter.k8s.aws/cluster=<cluster>,
  // merged over the instance's tags (so karpenter.sh/managed-by too).
  launchTemplateFilters: (cluster) => [
    [tag('karpenter.k8s.aws/cluster', cluster)],
    [tag('karpenter.sh/managed-by', cluster), tagKey('karpenter.k8s.aws/ec2nodeclass')],
  ],
  // provider@v0.32.1 pkg/providers/instanceprofile/instanceprofile.go: karpenter.sh/managed-by=<cluster>,
  // kubernetes.io/cluster/<cluster>=owned, karpenter.k8s.aws/ec2nodeclass, topology.kubernetes.io/region.
  ownsInstanceProfile: (p, cluster) =>
    profileNamed(p.name, cluster) && (p.tags['karpenter.sh/managed-by'] === cluster || p.tags[`kubernetes.io/cluster/${cluster}`] === 'owned'),
  logLine: normaliseLogLine,
  consolidationDeletes: (view) => {
    // core@v0.32.1 pkg/controllers/disruption/controller.go: "disrupting via %s %s" (method, command);
    // the command: "delete, terminating N candidates <node>/<type>/<capacity>, …" (v0.35+: "N nodes (P pods)").
    if (view.controller !== 'disruption' || typeof view.message !== 'string') return []
    const m = /^disrupting via (consolidation|emptiness) delete, terminating \d+ (?:candidates|nodes(?: \(\d+ pods\))?) (.+)$/.exec(view.message)
    return m ? m[2].split(', ').map((c) => c.split('/')[0]) : []
  },
}

// ── v1 (1.x) ────────────────────────────────────────────────────────────────────────────────

const V1: Omit<KarpenterApi, 'chartVersion'> = {
  line: 'v1',
  nodePool: resource('NodePool', 'karpenter.sh', 'v1', 'nodepools'),
  nodeClaim: resource('NodeClaim', 'karpenter.sh', 'v1', 'nodeclaims'),
  ec2NodeClass: resource('EC2NodeClass', 'karpenter.k8s.aws', 'v1', 'ec2nodeclasses'),
  // core@v1.9.1 pkg/apis/v1/taints.go: DisruptedNoScheduleTaint (no value)
  disruptionTaint: { key: 'karpenter.sh/disrupted', effect: 'NoSchedule' },
  // core@v1.9.1 pkg/controllers/provisioning/scheduling/nodeclaimtemplate.go: MaxInstanceTypes = 600
  maxInstanceTypesPerNodeClaim: 600,
  // provider@v1.9.2 pkg/utils/utils.go GetTags, and pkg/providers/instance/instance.go List: the
  // instances of the cluster are those tagged eks:eks-cluster-name=<cluster> with a karpenter.sh/nodepool tag.
  instanceFilters: (cluster) => [tag('eks:eks-cluster-name', cluster), tagKey('karpenter.sh/nodepool')],
  // provider@v1.9.2 pkg/providers/launchtemplate: launch templates carry the instance's tags;
  // DeleteAll finds them by eks:eks-cluster-name=<cluster> and karpenter.k8s.aws/ec2nodeclass.
  launchTemplateFilters: (cluster) => [[tag('eks:eks-cluster-name', cluster), tagKey('karpenter.k8s.aws/ec2nodeclass')]],
  // provider@v1.9.2 pkg/apis/v1/ec2nodeclass.go InstanceProfileTags: eks:eks-cluster-name=<cluster>,
  // karpenter.k8s.aws/ec2nodeclass, topology.kubernetes.io/region, kubernetes.io/cluster/<cluster>=owned;
  // path /karpenter/<region>/<cluster>/<nodeclass uid>/ (older profiles have none).
  ownsInstanceProfile: (p, cluster) =>
    profileNamed(p.name, cluster) &&
    p.tags['eks:eks-cluster-name'] === cluster &&
    'karpenter.k8s.aws/ec2nodeclass' in p.tags &&
    (!p.path || p.path === '/' || p.path.split('/')[3] === cluster),
  logLine: normaliseLogLine,
  consolidationDeletes: (view) => {
    if (view.controller !== 'disruption' || typeof view.message !== 'string') return []
    const f = view.fields
    // core@v1.9.1 pkg/controllers/disruption/queue.go: "disrupting node(s)" with "command"
    // ("<Reason>/<id>: delete: [nodes] …"), "decision" and "disrupted-nodes" [{Node:{name}, …}].
    if (view.message === 'disrupting node(s)') {
      const reason = (typeof f.command === 'string' ? f.command : '').split('/')[0].toLowerCase()
      if (f.decision !== 'delete' || !['empty', 'underutilized'].includes(reason)) return []
      const nodes = Array.isArray(f['disrupted-nodes']) ? (f['disrupted-nodes'] as Record<string, unknown>[]) : []
      return nodes.map((n) => refName(n.Node) ?? (typeof n.node === 'string' ? n.node : '')).filter(Boolean)
    }
    // core@v1.0.x: "disrupting nodeclaim(s) via delete, terminating N nodes (P pods) <node>/<type>/<capacity>, …" with "reason".
    const m = /^disrupting nodeclaim\(s\) via delete, terminating \d+ nodes \(\d+ pods\) (.+)$/.exec(view.message)
    if (!m || !['empty', 'underutilized'].includes(String(f.reason))) return []
    return m[1].split(', ').map((c) => c.split('/')[0])
  },
}

/** The Karpenter a chart version installs; an error names the versions this suite knows. */
export function karpenterApi(chartVersion: string): KarpenterApi {
  const v = chartVersion.trim()
  if (/^v?0\.3[2-7]\.\d+$/.test(v)) return { ...V1BETA1, chartVersion: v }
  if (/^v?1\.\d+\.\d+$/.test(v)) return { ...V1, chartVersion: v }
  throw new Error(
    `karpenterChartVersion "${chartVersion}": the suite knows Karpenter charts v0.32.x to v0.37.x (API v1beta1) and 1.x (API v1), e.g. "v0.32.1" or "1.9.2"`,
  )
}

/** Every line's API, for cleaning up after a run whose Karpenter is not recorded (`spotcheck cleanup`). */
export function allKarpenterApis(): KarpenterApi[] {
  return [karpenterApi('v0.32.1'), karpenterApi('1.9.2')]
}

/** `karpenter.sh/disruption=disrupting:NoSchedule`, `karpenter.sh/disrupted:NoSchedule` — as kubectl writes a taint. */
export function taintText(t: Taint): string {
  return `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`
}

export function isTaint(t: { key?: string; value?: string; effect?: string }, want: Taint): boolean {
  return t.key === want.key && (t.value ?? '') === (want.value ?? '') && t.effect === want.effect
}

// ── log lines ───────────────────────────────────────────────────────────────────────────────

/**
 * The interruption message kinds by their Go constant, whichever string the line logs: v0.32's
 * constants hold their own names, 1.x's hold snake-case strings
 * (provider pkg/controllers/interruption/messages/types.go at v0.32.1 and v1.9.2).
 */
const MESSAGE_KINDS: Record<string, string> = {
  rebalance_recommendation: 'RebalanceRecommendationKind',
  scheduled_change: 'ScheduledChangeKind',
  spot_interrupted: 'SpotInterruptionKind',
  instance_stopped: 'InstanceStoppedKind',
  instance_terminated: 'InstanceTerminatedKind',
  no_op: 'NoOpKind',
}

function refName(value: unknown): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined
  const { name, namespace } = value as { name?: unknown; namespace?: unknown }
  if (typeof name !== 'string') return undefined
  return typeof namespace === 'string' && namespace ? `${namespace}/${name}` : name
}

/**
 * One vocabulary for both shapes. v0.32: `"logger":"controller.provisioner"`, `"nodeclaim":"x"`.
 * 1.x: `"logger":"controller"`, `"controller":"provisioner"`, `"NodeClaim":{"name":"x"}`, and
 * capitalised keys for other objects (`Node`, `NodePool`, `Pod`, `Pods`). The shape, not the
 * version, decides, so a line of either shape reads the same.
 */
export function normaliseLogLine(raw: Record<string, unknown>): KarpenterLogView {
  const fields: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(raw)) {
    if (/^[A-Z]/.test(key)) {
      const lower = key.toLowerCase()
      if (lower in raw) fields[key] = value
      else fields[lower] = refName(value) ?? value
    } else {
      fields[key] = value
    }
  }
  if (typeof raw.controller !== 'string') {
    const m = typeof raw.logger === 'string' ? /^controller\.(.+)$/.exec(raw.logger) : null
    if (m) fields.controller = m[1]
  }
  if (typeof fields.messageKind === 'string') fields.messageKind = MESSAGE_KINDS[fields.messageKind] ?? fields.messageKind
  const text = (k: string) => {
    const v = fields[k]
    return typeof v === 'string' ? v : undefined
  }
  return {
    level: text('level'),
    time: text('time'),
    controller: text('controller'),
    message: text('message'),
    nodeClaim: text('nodeclaim'),
    nodePool: text('nodepool'),
    node: text('node'),
    fields,
  }
}
