// What the cluster tests share beyond the Step-2 cluster itself: the tutorial's commands (from
// fixtures/tutorial-commands.yaml, verbatim), its sample Karpenter log lines, and the queries the
// tests make with kubectl.

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { projectRoot } from '../../../lib/paths.ts'
import type { KarpenterLine, KubeObjectLike, TutorialCluster } from './tutorial-cluster.ts'

interface Command {
  section: string
  text: string
}
const commands = (parse(readFileSync(join(projectRoot, 'fixtures', 'tutorial-commands.yaml'), 'utf8')) as { commands: Command[] }).commands

/** The `index`-th bash block of the tutorial section whose title starts with `section` ("Step 4"). */
export function tutorialCommand(section: string, index = 0): string {
  const blocks = commands.filter((c) => c.section.startsWith(`${section}:`))
  const block = blocks[index]
  if (!block) throw new Error(`the tutorial has no block ${index} in "${section}" (${blocks.length} blocks)`)
  return block.text
}

/** The block of `section` that contains `needle`. */
export function tutorialCommandWith(section: string, needle: string): string {
  const block = commands.find((c) => c.section.startsWith(`${section}:`) && c.text.includes(needle))
  if (!block) throw new Error(`the tutorial has no block with "${needle}" in "${section}"`)
  return block.text
}

/** The tutorial's sample Karpenter log lines (Step 4 and Step 6), as printed in the article. */
export const SAMPLE = {
  computed: `{"level":"INFO","time":"2024-01-28T21:14:32.625Z","logger":"controller.provisioner","message":"computed new nodeclaim(s) to fit pod(s)","commit":"1072d3b","nodeclaims":1,"pods":10}`,
  created: `{"level":"INFO","time":"2024-01-28T21:14:32.652Z","logger":"controller.provisioner","message":"created nodeclaim","commit":"1072d3b","nodepool":"default","nodeclaim":"default-8blnj","requests":{"cpu":"5330m","memory":"5360Mi","pods":"14"},"instance-types":"c4.2xlarge, c4.4xlarge, c5.2xlarge, c5.4xlarge, c5a.2xlarge and 95 other(s)"}`,
  launched: `{"level":"INFO","time":"2024-01-28T21:14:36.823Z","logger":"controller.nodeclaim.lifecycle","message":"launched nodeclaim","commit":"1072d3b","nodeclaim":"default-8blnj","nodepool":"default","provider-id":"aws:///eu-west-2a/i-094792dc93778aa2a","instance-type":"c7g.2xlarge","zone":"eu-west-2a","capacity-type":"spot","allocatable":{"cpu":"7810m","ephemeral-storage":"17Gi","memory":"14003Mi","pods":"58","vpc.amazonaws.com/pod-eni":"38"}}`,
  interruption: `{"level":"INFO","time":"2024-01-29T08:47:30.575Z","logger":"controller.interruption","message":"initiating delete from interruption message","commit":"1072d3b","queue":"karpenter-spot-and-karpenter","messageKind":"SpotInterruptionKind","nodeclaim":"default-4w54b","action":"CordonAndDrain","node":"ip-10-0-36-60.eu-west-2.compute.internal"}`,
  tainted: `{"level":"INFO","time":"2024-01-29T08:47:30.603Z","logger":"controller.node.termination","message":"tainted node","commit":"1072d3b","node":"ip-10-0-36-60.eu-west-2.compute.internal"}`,
  found: `{"level":"INFO","time":"2024-01-29T08:47:31.963Z","logger":"controller.provisioner","message":"found provisionable pod(s)","commit":"1072d3b","pods":"default/stateless-7956bd8d4c-48mj9, default/stateless-7956bd8d4c-spsqr, default/stateless-7956bd8d4c-sm4cp","duration":"18.833162ms"}`,
  computedAfterInterruption: `{"level":"INFO","time":"2024-01-29T08:47:31.963Z","logger":"controller.provisioner","message":"computed new nodeclaim(s) to fit pod(s)","commit":"1072d3b","nodeclaims":1,"pods":3}`,
  /** The article cuts this line short after the second instance type. */
  createdAfterInterruptionPrefix: `{"level":"INFO","time":"2024-01-29T08:47:31.997Z","logger":"controller.provisioner","message":"created nodeclaim","commit":"1072d3b","nodepool":"default","nodeclaim":"default-6p2qb","requests":{"cpu":"1746m","memory":"1776Mi","pods":"7"},"instance-types":"c4.2xlarge, c4.4xlarge, `,
  launchedReplacement: `{"level":"INFO","time":"2024-01-29T08:47:34.823Z","logger":"controller.nodeclaim.lifecycle","message":"launched nodeclaim","commit":"1072d3b","nodeclaim":"default-6p2qb","nodepool":"default","provider-id":"aws:///eu-west-2a/i-005ca44c327470d09","instance-type":"m7g.2xlarge","zone":"eu-west-2a","capacity-type":"spot","allocatable":{"cpu":"7810m","ephemeral-storage":"17Gi","memory":"29158Mi","pods":"58","vpc.amazonaws.com/pod-eni":"38"}}`,
}

const typeOf = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v)

/**
 * Asserts that a line the twin wrote has the sample line's form: same level, logger and message
 * (unless `sameMessage` is false), the same keys in the same order, each value of the same JSON
 * type, objects with the same keys in the same order (`optionalKeys` may be absent, e.g. pod-eni
 * on a type without trunking), a zap timestamp and the v0.32.1 commit.
 */
export function assertLikeSample(actual: KarpenterLine, sample: string, options: { sameMessage?: boolean; optionalKeys?: string[] } = {}): void {
  const want = JSON.parse(sample) as Record<string, unknown>
  const got = JSON.parse(actual.raw) as Record<string, unknown>
  assert.deepEqual(Object.keys(got), Object.keys(want), `keys of ${actual.raw}`)
  assert.equal(got.level, want.level)
  assert.equal(got.logger, want.logger)
  if (options.sameMessage !== false) assert.equal(got.message, want.message)
  assert.equal(got.commit, '1072d3b')
  assert.match(String(got.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  for (const [k, v] of Object.entries(want)) {
    assert.equal(typeOf(got[k]), typeOf(v), `type of "${k}" in ${actual.raw}`)
    if (typeOf(v) === 'object') {
      const optional = new Set(options.optionalKeys ?? [])
      const wantKeys = Object.keys(v as object).filter((key) => !optional.has(key) || key in (got[k] as object))
      assert.deepEqual(Object.keys(got[k] as object), wantKeys, `keys of "${k}" in ${actual.raw}`)
    }
  }
}

/** Like assertLikeSample for a sample the article truncated: the keys it shows, in order, start the line. */
export function assertLikeTruncatedSample(actual: KarpenterLine, samplePrefix: string): void {
  const keys = [...samplePrefix.matchAll(/"([\w.\-/]+)":/g)].map((m) => m[1]).filter((k) => !['cpu', 'memory', 'pods'].includes(k))
  const gotKeys = Object.keys(JSON.parse(actual.raw) as object)
  assert.deepEqual(gotKeys.slice(0, keys.length), keys, actual.raw)
  const message = /"message":"([^"]+)"/.exec(samplePrefix)![1]
  assert.equal(actual.message, message)
}

export function linesWith(lines: KarpenterLine[], message: string | RegExp, fields: Record<string, unknown> = {}): KarpenterLine[] {
  return lines.filter(
    (l) => (typeof message === 'string' ? l.message === message : message.test(l.message)) && Object.entries(fields).every(([k, v]) => l[k] === v),
  )
}

export function conditionTrue(o: KubeObjectLike, type: string): boolean {
  return (o.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True')
}

/** Nodes Karpenter launched (label karpenter.sh/nodepool), with their pods. */
export async function karpenterNodes(cluster: TutorialCluster, selector = 'karpenter.sh/nodepool'): Promise<KubeObjectLike[]> {
  return (await cluster.kubectlJson(`get nodes -l ${selector}`)).items
}

export async function pods(cluster: TutorialCluster, selector: string, namespace = 'default'): Promise<KubeObjectLike[]> {
  return (await cluster.kubectlJson(`get pods -n ${namespace} -l ${selector}`)).items
}

export const summary = (ps: KubeObjectLike[]) => ps.map((p) => `${p.metadata.name}:${p.status?.phase}@${p.spec?.nodeName ?? '-'}`).join(', ')

/** All `n` pods of the selector Running (and not terminating), or a description of what is. */
export async function allRunning(cluster: TutorialCluster, selector: string, n: number): Promise<KubeObjectLike[] | string> {
  const ps = (await pods(cluster, selector)).filter((p) => !p.metadata.deletionTimestamp)
  const running = ps.filter((p) => p.status?.phase === 'Running' && p.spec?.nodeName)
  return running.length === n && ps.length === n ? running : `${running.length}/${ps.length} Running (want ${n}): ${summary(ps)}`
}

/** The NodeClaim's `node.kubernetes.io/instance-type In [...]` values. */
export function nodeClaimInstanceTypes(nodeClaim: KubeObjectLike): string[] {
  const reqs = (nodeClaim.spec?.requirements ?? []) as { key: string; operator: string; values?: string[] }[]
  return reqs.find((r) => r.key === 'node.kubernetes.io/instance-type' && r.operator === 'In')?.values ?? []
}

/** What the tests vary in the current edition's NodePool and EC2NodeClass. */
export interface V1NodePoolOptions {
  /** The NodePool's `disruption.consolidateAfter` (a Go duration). */
  consolidateAfter: string
  /** The NodePool's `limits`; none when absent. */
  limits?: { cpu: number; memory: string }
  /** The EC2NodeClass's `tags`, values as written (a `${VAR}` is the shell's); none when absent. */
  tags?: Record<string, string>
}

/**
 * The tutorial's Step 3 NodePool and EC2NodeClass as the current edition writes them for Karpenter
 * 1.x (karpenter.sh/v1, karpenter.k8s.aws/v1: nodeClassRef group/kind, expireAfter in the template,
 * amiSelectorTerms alias al2023@latest), as a `kubectl apply` heredoc that the shell fills with
 * CLUSTER_NAME and KARPENTER_NODE_IAM_ROLE_NAME.
 */
export function v1NodePoolAndClass(options: V1NodePoolOptions): string {
  const limits = options.limits ? `  limits:\n    cpu: ${options.limits.cpu}\n    memory: ${options.limits.memory}\n` : ''
  const tags = options.tags
    ? `  tags:\n${Object.entries(options.tags)
        .map(([k, v]) => `    ${k}: ${v}\n`)
        .join('')}`
    : ''
  return `cat <<EOF | kubectl apply -f -
apiVersion: karpenter.sh/v1
kind: NodePool
metadata:
  name: default
spec:
  template:
    metadata:
      labels:
        intent: apps
    spec:
      requirements:
        - key: kubernetes.io/arch
          operator: In
          values: ["amd64", "arm64"]
        - key: "karpenter.k8s.aws/instance-cpu"
          operator: Gt
          values: ["4"]
        - key: "karpenter.k8s.aws/instance-memory"
          operator: Gt
          values: ["8191"]
        - key: karpenter.sh/capacity-type
          operator: In
          values: ["spot", "on-demand"]
        - key: karpenter.k8s.aws/instance-category
          operator: In
          values: ["c", "m", "r"]
      nodeClassRef:
        group: karpenter.k8s.aws
        kind: EC2NodeClass
        name: default
      expireAfter: 168h
${limits}  disruption:
    consolidationPolicy: WhenEmptyOrUnderutilized
    consolidateAfter: ${options.consolidateAfter}
---
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata:
  name: default
spec:
  amiSelectorTerms:
    - alias: al2023@latest
  subnetSelectorTerms:
    - tags:
        karpenter.sh/discovery: \${CLUSTER_NAME}
  securityGroupSelectorTerms:
    - tags:
        karpenter.sh/discovery: \${CLUSTER_NAME}
  role: \${KARPENTER_NODE_IAM_ROLE_NAME}
  kubelet:
    systemReserved:
      cpu: 100m
      memory: 100Mi
${tags}EOF`
}
