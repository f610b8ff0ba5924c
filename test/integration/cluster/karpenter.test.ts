// Karpenter beyond the tutorial's one NodePool, end to end on the cluster of
// Step 2: an On-Demand-only NodePool, one instance category and arm64 only, taints and
// tolerations, weights across NodePools, limits, pods no instance type can hold, several NodePools
// in one provisioning round. Every NodePool and workload carries its own `scenario` label, so the
// scenarios share the cluster without touching each other's nodes.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { motoInstanceType } from '../../unit/karpenter/helpers/moto-data.ts'
import { eventually, startTutorialCluster, type KubeObjectLike, type TutorialCluster } from './tutorial-cluster.ts'
import { allRunning, linesWith, nodeClaimInstanceTypes, pods, summary, tutorialCommand } from './tutorial-helpers.ts'

interface PoolOptions {
  name: string
  labels?: Record<string, string>
  requirements?: { key: string; operator: string; values: string[] }[]
  taints?: { key: string; value: string; effect: string }[]
  weight?: number
  limits?: Record<string, string>
  /** Default: WhenUnderutilized, as the tutorial's. */
  consolidateWhenEmptyAfter?: string
  /** Default: 168h, as the tutorial's. */
  expireAfter?: string
  /** Taints a node carries until something (here: the test) removes them; Karpenter waits for that to call it initialized. */
  startupTaints?: { key: string; value: string; effect: string }[]
  /** The EC2NodeClass it launches from. Default: the tutorial's, "default". */
  nodeClass?: string
}

/** A NodePool on the tutorial's EC2NodeClass (or another), as a user would write it. */
function nodePool(o: PoolOptions): string {
  const reqs = o.requirements ?? [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] }]
  return [
    'apiVersion: karpenter.sh/v1beta1',
    'kind: NodePool',
    'metadata:',
    `  name: ${o.name}`,
    'spec:',
    ...(o.weight !== undefined ? [`  weight: ${o.weight}`] : []),
    ...(o.limits ? ['  limits:', ...Object.entries(o.limits).map(([k, v]) => `    ${k}: "${v}"`)] : []),
    '  template:',
    '    metadata:',
    '      labels:',
    ...Object.entries(o.labels ?? { scenario: o.name }).map(([k, v]) => `        ${k}: ${v}`),
    '    spec:',
    '      requirements:',
    ...reqs.flatMap((r) => [`        - key: ${r.key}`, `          operator: ${r.operator}`, `          values: ${JSON.stringify(r.values)}`]),
    ...taintList('taints', o.taints),
    ...taintList('startupTaints', o.startupTaints),
    '      nodeClassRef:',
    '        apiVersion: karpenter.k8s.aws/v1beta1',
    '        kind: EC2NodeClass',
    `        name: ${o.nodeClass ?? 'default'}`,
    '  disruption:',
    ...(o.consolidateWhenEmptyAfter
      ? ['    consolidationPolicy: WhenEmpty', `    consolidateAfter: ${o.consolidateWhenEmptyAfter}`]
      : ['    consolidationPolicy: WhenUnderutilized']),
    `    expireAfter: ${o.expireAfter ?? '168h'}`,
  ].join('\n')
}

function taintList(field: string, taints: PoolOptions['taints']): string[] {
  if (!taints) return []
  return [`      ${field}:`, ...taints.flatMap((t) => [`        - key: ${t.key}`, `          value: ${t.value}`, `          effect: ${t.effect}`])]
}

interface WorkloadOptions {
  name: string
  replicas: number
  nodeSelector: Record<string, string>
  cpu?: string
  memory?: string
  tolerations?: { key: string; operator: string; value?: string; effect: string }[]
  /** Required pod affinity to the deployment's own pods (`app: <name>`) on this topology key. */
  selfAffinity?: string
}

function deployment(o: WorkloadOptions): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${o.name}`,
    'spec:',
    `  replicas: ${o.replicas}`,
    '  selector:',
    '    matchLabels:',
    `      app: ${o.name}`,
    '  template:',
    '    metadata:',
    '      labels:',
    `        app: ${o.name}`,
    '    spec:',
    '      nodeSelector:',
    ...Object.entries(o.nodeSelector).map(([k, v]) => `        ${k}: ${v}`),
    ...(o.tolerations
      ? [
          '      tolerations:',
          ...o.tolerations.flatMap((t) => [
            `        - key: ${t.key}`,
            `          operator: ${t.operator}`,
            ...(t.value ? [`          value: ${t.value}`] : []),
            `          effect: ${t.effect}`,
          ]),
        ]
      : []),
    ...(o.selfAffinity
      ? [
          '      affinity:',
          '        podAffinity:',
          '          requiredDuringSchedulingIgnoredDuringExecution:',
          '          - labelSelector:',
          '              matchLabels:',
          `                app: ${o.name}`,
          `            topologyKey: ${o.selfAffinity}`,
        ]
      : []),
    '      containers:',
    '      - name: app',
    '        image: public.ecr.aws/eks-distro/kubernetes/pause:v1.29.0-eks-1-29-latest',
    '        resources:',
    '          requests:',
    `            cpu: ${o.cpu ?? '512m'}`,
    `            memory: ${o.memory ?? '512Mi'}`,
  ].join('\n')
}

describe('Karpenter NodePools beyond the tutorial', { timeout: 10 * 60_000 }, () => {
  let cluster: TutorialCluster
  const apply = async (...docs: string[]) => cluster.run(`kubectl apply -f - <<'EOF'\n${docs.join('\n---\n')}\nEOF`)
  const claimsOf = async (pool: string) => (await cluster.kubectlJson(`get nodeclaims -l karpenter.sh/nodepool=${pool}`)).items
  const nodesOf = async (pool: string) => (await cluster.kubectlJson(`get nodes -l karpenter.sh/nodepool=${pool}`)).items
  const pending = async (app: string, n: number) => {
    const ps = await pods(cluster, `app=${app}`)
    return (ps.length === n && ps.every((p) => p.status?.phase === 'Pending' && !p.spec?.nodeName)) || summary(ps)
  }
  /** Karpenter's ERROR line for a pod it could not schedule (the latest one). */
  const couldNotSchedule = async (app: string) => {
    const lines = linesWith(await cluster.karpenterLogs(), /^Could not schedule pod, /).filter((l) => String(l.pod).startsWith(`default/${app}-`))
    return lines.at(-1) ?? `no "Could not schedule pod" line for ${app} yet`
  }
  const node = (name: string) => cluster.kubectlJson<KubeObjectLike>(`get node ${name}`)

  before(async () => {
    cluster = await startTutorialCluster({ name: 'karpenter' })
    // The tutorial's EC2NodeClass (and its NodePool, which the scenarios' pods cannot use: they
    // select a `scenario` label it does not define).
    await cluster.run(tutorialCommand('Step 3', 2))
  })
  after(async () => {
    await cluster?.close()
  })

  it('an On-Demand-only NodePool serves On-Demand pods and leaves Spot pods Pending, saying why', async () => {
    await apply(
      nodePool({ name: 'od', requirements: [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] }] }),
      deployment({ name: 'od-app', replicas: 3, nodeSelector: { scenario: 'od' } }),
      deployment({ name: 'od-spot', replicas: 2, nodeSelector: { scenario: 'od', 'karpenter.sh/capacity-type': 'spot' } }),
    )
    const running = await eventually('od-app Running', () => allRunning(cluster, 'app=od-app', 3))
    const nodes = await nodesOf('od')
    assert.equal(nodes.length, 1)
    assert.equal(nodes[0].metadata.labels!['karpenter.sh/capacity-type'], 'on-demand')
    assert.ok(running.every((p) => p.spec!.nodeName === nodes[0].metadata.name))
    const line = await eventually('the reason od-spot cannot be scheduled', () => couldNotSchedule('od-spot'))
    assert.equal(line.level, 'ERROR')
    assert.equal(line.logger, 'controller.provisioner')
    assert.match(
      line.message,
      /^Could not schedule pod, (incompatible with nodepool "[\w-]+", [^;]*; )*incompatible with nodepool "od", daemonset overhead=\{"cpu":"210m","memory":"240Mi","pods":"4"\}, incompatible requirements, key karpenter\.sh\/capacity-type, karpenter\.sh\/capacity-type In \[spot\] not in karpenter\.sh\/capacity-type In \[on-demand\]/,
    )
    // Karpenter's reason is also on the pod, as a FailedScheduling event from karpenter.
    const events = await cluster.run(
      `kubectl get events --field-selector involvedObject.name=${String(line.pod).split('/')[1]},reason=FailedScheduling -o jsonpath='{range .items[*]}{.source.component}: {.message}{"\\n"}{end}'`,
    )
    assert.match(
      events,
      /^karpenter: Failed to schedule pod, .*incompatible with nodepool "od", daemonset overhead=.*, incompatible requirements, key karpenter\.sh\/capacity-type/m,
    )
    assert.equal(await pending('od-spot', 2), true)
    assert.equal((await claimsOf('od')).length, 1, 'no NodeClaim for the Spot pods')
  })

  it('one instance category and arm64 only: every candidate type is an m-category Graviton type', async () => {
    await apply(
      nodePool({
        name: 'arm',
        requirements: [
          { key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] },
          { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['m'] },
          { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] },
        ],
      }),
      deployment({ name: 'arm-app', replicas: 2, nodeSelector: { scenario: 'arm' } }),
    )
    await eventually('arm-app Running', () => allRunning(cluster, 'app=arm-app', 2))
    const [claim] = await claimsOf('arm')
    const types = nodeClaimInstanceTypes(claim)
    assert.ok(types.length > 10, `${types.length} candidate types`)
    for (const t of types) {
      assert.match(t, /^m\d/, t)
      assert.ok(motoInstanceType(t).ProcessorInfo!.SupportedArchitectures!.includes('arm64'), `${t} is not arm64`)
    }
    const labels = (await node(claim.status!.nodeName!)).metadata.labels!
    assert.equal(labels['kubernetes.io/arch'], 'arm64')
    assert.equal(labels['karpenter.k8s.aws/instance-category'], 'm')
    assert.ok(types.includes(labels['node.kubernetes.io/instance-type']))
  })

  it('a tainted NodePool takes only pods that tolerate its taint; its nodes carry the taint', async () => {
    const taint = { key: 'dedicated', value: 'batch', effect: 'NoSchedule' }
    await apply(
      nodePool({ name: 'tainted', taints: [taint] }),
      deployment({ name: 'intolerant', replicas: 2, nodeSelector: { scenario: 'tainted' } }),
      deployment({
        name: 'tolerant',
        replicas: 2,
        nodeSelector: { scenario: 'tainted' },
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'batch', effect: 'NoSchedule' }],
      }),
    )
    const running = await eventually('tolerant Running', () => allRunning(cluster, 'app=tolerant', 2))
    const n = await node(running[0].spec!.nodeName!)
    assert.deepEqual(
      (n.spec!.taints ?? []).filter((t) => t.key === 'dedicated'),
      [taint],
    )
    const line = await eventually('the reason intolerant cannot be scheduled', () => couldNotSchedule('intolerant'))
    assert.match(line.message, /incompatible with nodepool "tainted", daemonset overhead=\{[^}]*\}, did not tolerate dedicated=batch:NoSchedule/)
    assert.equal(await pending('intolerant', 2), true)
  })

  it('weights and limits across NodePools: the heavier pool until its limit, then the lighter one', async () => {
    const labels = { scenario: 'weights' }
    await apply(
      nodePool({ name: 'heavy', labels, weight: 50, limits: { cpu: '8' } }),
      nodePool({ name: 'light', labels, weight: 10 }),
      deployment({ name: 'weighted', replicas: 12, nodeSelector: labels, cpu: '1', memory: '1Gi' }),
    )
    const running = await eventually('weighted Running', () => allRunning(cluster, 'app=weighted', 12))
    const heavy = await claimsOf('heavy')
    const light = await claimsOf('light')
    assert.equal(heavy.length, 1, 'one NodeClaim from the heavier pool')
    assert.equal(light.length, 1, 'the rest from the lighter one')
    // The heavier pool's NodeClaim may only use types within its 8-vCPU limit.
    for (const t of nodeClaimInstanceTypes(heavy[0])) assert.ok(motoInstanceType(t).VCpuInfo!.DefaultVCpus! <= 8, t)
    // Karpenter's plan: as many pods as an 8-vCPU type holds on the heavy pool's NodeClaim, the rest on
    // the light one's. (Where the kube-scheduler then binds them is its own choice.)
    const planned = (claim: KubeObjectLike) => Number((claim.spec!.resources as { requests: Record<string, string> }).requests.pods) - 4
    assert.equal(planned(heavy[0]) + planned(light[0]), 12)
    assert.equal(planned(heavy[0]), 7, 'an 8-vCPU node holds 7 one-CPU pods beside the DaemonSets')
    const nodes = new Set([heavy[0].status!.nodeName, light[0].status!.nodeName])
    assert.ok(
      running.every((p) => nodes.has(p.spec!.nodeName)),
      summary(running),
    )
    const lines = await cluster.karpenterLogs()
    const excluded = linesWith(lines, /^\d+ out of \d+ instance types were excluded because they would breach limits$/, { nodepool: 'heavy' })
    assert.ok(excluded.length >= 1, 'DEBUG line about the limit')
    assert.equal(excluded[0].level, 'DEBUG')
    const created = linesWith(lines, 'created nodeclaim').filter((l) => l.nodepool === 'heavy' || l.nodepool === 'light')
    assert.deepEqual(created.map((l) => l.nodepool).sort(), ['heavy', 'light'])
    // The pool's usage is its nodes' capacity, at most its limit.
    const status = (await cluster.kubectlJson<KubeObjectLike>('get nodepool heavy')).status as { resources?: Record<string, string> }
    assert.ok(Number(status.resources?.cpu) <= 8, JSON.stringify(status))
  })

  it('limits reached: the pods left over stay Pending, with Karpenter’s reason, and no further NodeClaim comes', async () => {
    await apply(
      nodePool({ name: 'limited', limits: { cpu: '4' } }),
      deployment({ name: 'capped', replicas: 6, nodeSelector: { scenario: 'limited' }, cpu: '1', memory: '1Gi' }),
    )
    const split = await eventually('some capped pods Running, the others Pending', async () => {
      const ps = await pods(cluster, 'app=capped')
      const run = ps.filter((p) => p.status?.phase === 'Running')
      const wait = ps.filter((p) => p.status?.phase === 'Pending')
      const claims = await claimsOf('limited')
      const ready = claims.length === 1 && claims[0].status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
      return (ready && run.length > 0 && run.length + wait.length === 6 && { run, wait }) || summary(ps)
    })
    assert.ok(split.wait.length > 0)
    const line = await eventually('the limit reason', () => couldNotSchedule('capped'))
    assert.match(line.message, /all available instance types exceed limits for nodepool: "limited"/)
    // Karpenter keeps retrying the pending pods (every 10 s of tutorial time) and keeps refusing.
    const errorsSoFar = linesWith(await cluster.karpenterLogs(), /^Could not schedule pod, /).filter((l) => String(l.pod).startsWith('default/capped-')).length
    await eventually('another provisioning round refusing the capped pods', async () => {
      const n = linesWith(await cluster.karpenterLogs(), /^Could not schedule pod, /).filter((l) => String(l.pod).startsWith('default/capped-')).length
      return n > errorsSoFar || `${n} lines`
    })
    assert.equal((await claimsOf('limited')).length, 1, 'still one NodeClaim')
    const stillPending = (await pods(cluster, 'app=capped')).filter((p) => p.status?.phase === 'Pending').map((p) => p.metadata.name)
    assert.deepEqual(stillPending.sort(), split.wait.map((p) => p.metadata.name).sort())
    const status = (await cluster.kubectlJson<KubeObjectLike>('get nodepool limited')).status as { resources?: Record<string, string> }
    assert.equal(status.resources?.cpu, '4')
  })

  it('a pod no instance type can hold stays Pending, and Karpenter says why', async () => {
    await apply(nodePool({ name: 'huge' }), deployment({ name: 'giant', replicas: 1, nodeSelector: { scenario: 'huge' }, cpu: '1000', memory: '1Gi' }))
    const line = await eventually('the reason giant cannot be scheduled', () => couldNotSchedule('giant'))
    assert.match(
      line.message,
      /incompatible with nodepool "huge", daemonset overhead=\{"cpu":"210m","memory":"240Mi","pods":"4"\}, no instance type satisfied resources \{"cpu":"1000210m","memory":"1264Mi","pods":"5"\} and requirements .*\(no instance type has enough resources\)/,
    )
    assert.equal(await pending('giant', 1), true)
    assert.equal((await claimsOf('huge')).length, 0)
  })

  it('WhenEmpty: once its pods are gone the node is Empty, and after consolidateAfter it is deleted', async () => {
    await apply(
      nodePool({ name: 'when-empty', consolidateWhenEmptyAfter: '30s' }),
      deployment({ name: 'short-lived', replicas: 2, nodeSelector: { scenario: 'when-empty' } }),
    )
    await eventually('short-lived Running', () => allRunning(cluster, 'app=short-lived', 2))
    const [claim] = await claimsOf('when-empty')
    const nodeName = claim.status!.nodeName!
    const type = (await node(nodeName)).metadata.labels!['node.kubernetes.io/instance-type']
    // While pods run, the NodeClaim is not Empty (and WhenEmpty never consolidates a used node).
    assert.ok(!claim.status?.conditions?.some((c) => c.type === 'Empty' && c.status === 'True'), JSON.stringify(claim.status?.conditions))
    const before = (await cluster.karpenterLogs()).length
    await cluster.run('kubectl delete deployment short-lived')
    await eventually('the when-empty node and NodeClaim gone', async () => {
      const claims = await claimsOf('when-empty')
      const nodes = await nodesOf('when-empty')
      return (
        (claims.length === 0 && nodes.length === 0) ||
        `${claims.length} nodeclaims (${claims.map((c) => JSON.stringify(c.status?.conditions?.find((x) => x.type === 'Empty'))).join(' ')}), ${nodes.length} nodes`
      )
    })
    const lines = (await cluster.karpenterLogs()).slice(before)
    const emptiness = linesWith(
      lines,
      `disrupting via emptiness delete, terminating 1 candidates ${nodeName}/${type}/${claim.metadata.labels!['karpenter.sh/capacity-type']}`,
    )
    assert.equal(
      emptiness.length,
      1,
      linesWith(lines, /^disrupting via /)
        .map((l) => l.message)
        .join('\n'),
    )
    assert.equal(
      linesWith(lines, /^disrupting via consolidation /).filter((l) => l.message.includes(nodeName)).length,
      0,
      'not consolidation: the pool is WhenEmpty',
    )
    assert.equal(linesWith(lines, 'deleted node', { node: nodeName }).length, 1)
  })

  it('several NodePools in one provisioning round: one NodeClaim from each', async () => {
    const before = (await cluster.karpenterLogs()).length
    // Pods of both NodePools must be in one round. Two deployments' pods reach Karpenter a few
    // milliseconds apart, and a busy machine can stretch that past the batch window's 1 s of
    // tutorial time (50 ms at 20x). So the pods wait first, with both NodePools on an
    // EC2NodeClass that does not exist yet: Karpenter skips a NodePool whose node class it cannot
    // resolve (v0.32.1: aws/karpenter-provider-aws pkg/cloudprovider/cloudprovider.go
    // GetInstanceTypes returns "resolving node class"; aws/karpenter-core
    // pkg/controllers/provisioning/provisioner.go NewScheduler logs "skipping, unable to resolve
    // instance types" and goes on). The node class then makes both usable at once, and the next
    // round plans for all six pods.
    await apply(
      nodePool({ name: 'team-a', labels: { team: 'a' }, nodeClass: 'teams' }),
      nodePool({
        name: 'team-b',
        labels: { team: 'b' },
        nodeClass: 'teams',
        requirements: [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] }],
      }),
      deployment({ name: 'app-a', replicas: 3, nodeSelector: { team: 'a' } }),
      deployment({ name: 'app-b', replicas: 3, nodeSelector: { team: 'b' } }),
    )
    await eventually('app-a and app-b Pending', async () => {
      const a = await pending('app-a', 3)
      return a === true ? pending('app-b', 3) : a
    })
    // Each round says which NodePools it skipped, and why, as v0.32.1 logs it.
    await eventually('both NodePools skipped in a round, with an ERROR line each', async () => {
      const skipped = linesWith(
        (await cluster.karpenterLogs()).slice(before),
        'skipping, unable to resolve instance types, resolving node class, ec2nodeclasses.karpenter.k8s.aws "teams" not found',
        { level: 'ERROR', logger: 'controller.provisioner' },
      )
      const pools = [...new Set(skipped.map((l) => l.nodepool))].sort()
      return pools.join() === 'team-a,team-b' || `skipped so far: ${pools.join(', ') || 'none'}`
    })
    const tutorialClass = await cluster.kubectlJson<{ apiVersion: string; kind: string; spec: unknown }>('get ec2nodeclass default')
    await apply(JSON.stringify({ apiVersion: tutorialClass.apiVersion, kind: tutorialClass.kind, metadata: { name: 'teams' }, spec: tutorialClass.spec }))
    const a = await eventually('app-a Running', () => allRunning(cluster, 'app=app-a', 3))
    const b = await eventually('app-b Running', () => allRunning(cluster, 'app=app-b', 3))
    const [claimA] = await claimsOf('team-a')
    const [claimB] = await claimsOf('team-b')
    assert.ok(a.every((p) => p.spec!.nodeName === claimA.status!.nodeName))
    assert.ok(b.every((p) => p.spec!.nodeName === claimB.status!.nodeName))
    assert.equal((await node(claimB.status!.nodeName!)).metadata.labels!['karpenter.sh/capacity-type'], 'on-demand')
    const lines = (await cluster.karpenterLogs()).slice(before)
    const computed = linesWith(lines, 'computed new nodeclaim(s) to fit pod(s)')
    assert.deepEqual(
      computed.map((l) => [l.nodeclaims, l.pods]),
      [[2, 6]],
    )
    assert.deepEqual(
      linesWith(lines, 'created nodeclaim')
        .map((l) => l.nodepool)
        .sort(),
      ['team-a', 'team-b'],
    )
  })

  it('self-affine pods (required pod affinity on hostname to their own labels) run together on the node Karpenter launched for them', async () => {
    // kube-scheduler lets the first pod of a self-affine group schedule although no pod matches yet
    // (kubernetes/kubernetes pkg/scheduler/framework/plugins/interpodaffinity/filtering.go,
    // satisfyPodAffinity); Karpenter plans one node for the group; the peers follow the first pod.
    const before = (await cluster.karpenterLogs()).length
    await apply(
      nodePool({ name: 'self-affine' }),
      deployment({ name: 'together', replicas: 3, nodeSelector: { scenario: 'self-affine' }, selfAffinity: 'kubernetes.io/hostname' }),
    )
    const running = await eventually('together Running', () => allRunning(cluster, 'app=together', 3))
    const claims = await claimsOf('self-affine')
    assert.equal(claims.length, 1, `one NodeClaim for the group: ${claims.map((c) => c.metadata.name).join(' ')}`)
    assert.deepEqual(
      running.map((p) => p.spec?.nodeName),
      running.map(() => claims[0].status?.nodeName),
      'every pod on the launched node',
    )
    const computed = linesWith((await cluster.karpenterLogs()).slice(before), 'computed new nodeclaim(s) to fit pod(s)')
    assert.deepEqual(
      computed.map((l) => [l.nodeclaims, l.pods]),
      [[1, 3]],
    )
    await cluster.run('kubectl delete deployment together && kubectl delete nodepool self-affine')
  })

  it('Empty and Expired are kept by their own controller: a node empties while disruption waits on a replacement, and is marked Empty at once', async () => {
    // v0.32.1 sets these conditions in nodeclaim/disruption (its own controller, reconciling on
    // pod, node and NodeClaim events), not in the disruption loop, which may wait up to 9.5 minutes
    // for a replacement to initialize. The replacement here never initializes: its startup taint
    // stays (nothing removes it), so disruption keeps waiting while the other pool's node empties.
    const agent = { key: 'example.com/agent-not-ready', value: 'starting', effect: 'NoSchedule' }
    await apply(
      nodePool({ name: 'expiring', startupTaints: [agent] }),
      nodePool({ name: 'idle-soon', consolidateWhenEmptyAfter: '30m' }),
      deployment({ name: 'steady', replicas: 1, nodeSelector: { scenario: 'expiring' } }),
      deployment({ name: 'brief', replicas: 1, nodeSelector: { scenario: 'idle-soon' } }),
    )
    // The first node's agent starts (the test removes the startup taint): it initializes and takes the pod.
    const first = await eventually('a node for the expiring pool', async () => (await nodesOf('expiring'))[0] ?? 'no node yet')
    await cluster.run(`kubectl taint node ${first.metadata.name} ${agent.key}-`)
    await eventually('steady Running', () => allRunning(cluster, 'app=steady', 1))
    await eventually('brief Running', () => allRunning(cluster, 'app=brief', 1))
    // Only now does the pool expire its nodes (10 min from each NodeClaim's creation, so the first
    // may be expired at once). Set from the start, 10 tutorial minutes (30 s at ×20) could pass on a
    // busy machine before the pod ran: the node was then tainted for disruption, the pod stayed
    // Pending, and its replacement never initializes. expireAfter is not in the NodePool's template
    // hash, so the change does not drift the node either.
    await cluster.run(`kubectl patch nodepool expiring --type merge -p '{"spec":{"disruption":{"expireAfter":"10m"}}}'`)
    const candidate = (await claimsOf('expiring')).find((c) => c.status?.nodeName === first.metadata.name)
    assert.ok(candidate, `the NodeClaim of ${first.metadata.name}`)
    await eventually('disruption replacing the expired node', async () => {
      const replacing = linesWith(await cluster.karpenterLogs(), /^disrupting via expiration replace/)
      return replacing.length > 0 || 'no "disrupting via expiration replace" line yet'
    })
    const expired = (await claimsOf('expiring')).find((c) => c.metadata.name === candidate.metadata.name)
    assert.ok(isTrue(expired, 'Expired'), `the candidate is Expired: ${JSON.stringify(expired?.status?.conditions)}`)

    await cluster.run('kubectl delete deployment brief')
    await eventually('the idle-soon NodeClaim Empty', async () => {
      const [c] = await claimsOf('idle-soon')
      return isTrue(c, 'Empty') || JSON.stringify(c?.status?.conditions)
    })
    // … while disruption still waits on the replacement: the candidate keeps Karpenter's disruption
    // taint, which disruption removes only when it gives up (after 9.5 minutes) or deletes the node.
    const claims = await claimsOf('expiring')
    const replacement = claims.find((c) => c.metadata.name !== candidate.metadata.name)
    assert.ok(replacement, `a replacement NodeClaim: ${claims.map((c) => c.metadata.name).join(' ')}`)
    assert.ok(!isTrue(replacement, 'Initialized'), 'the replacement is not initialized')
    const taints = ((await node(first.metadata.name)).spec as { taints?: { key: string }[] } | undefined)?.taints ?? []
    assert.ok(
      taints.some((t) => t.key === 'karpenter.sh/disruption'),
      `disruption is still waiting (the candidate is still tainted): ${JSON.stringify(taints)}`,
    )
    await cluster.run('kubectl delete deployment steady && kubectl delete nodepool expiring idle-soon')
  })
})

function isTrue(object: KubeObjectLike | undefined, type: string): boolean {
  return !!object?.status?.conditions?.some((c) => c.type === type && c.status === 'True')
}
