// The sandbox at scale: the tutorial's cluster after Step 2 (seeded, test/integration/cluster),
// the tutorial's NodePool (Step 3) and Step 4's Deployment, scaled from 10 to 1,000 and to 5,000
// replicas with `kubectl scale`; the wall time until every replica is Running, the phases of that
// time from Karpenter's own log lines, the CPU the daemon spent, and the memory (RSS) of the
// sandbox's daemon (API server, controllers, Karpenter) and of moto's Python process then.
//
// The time scale is the CLI's default (×20): a node takes 36 s of tutorial time to boot and turn
// Ready, 1.8 s of wall time, so about 2 s is the floor of any scale-up here.
//
// Both Karpenter twins: SPOTCHECK_BENCH_TWINS=v0.32,v1 (the default; either alone re-measures that
// twin and keeps the other's last figures from bench/results/karpenter-scale.json). The v0.32 twin
// runs the tutorial's cluster as written (Kubernetes 1.29, chart v0.32.1, the Step 3 NodePool); the
// 1.x twin the current edition's (Kubernetes 1.35, chart 1.9.2, the same NodePool in v1 with an
// EC2NodeClass on al2023@latest).

import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import type { BenchResult } from './run.ts'
import { eventually, startTutorialCluster, type KarpenterLine, type TutorialCluster } from '../test/integration/cluster/tutorial-cluster.ts'
import { tutorialCommand, v1NodePoolAndClass } from '../test/integration/cluster/tutorial-helpers.ts'

type Twin = 'v0.32' | 'v1'

interface Run {
  twin?: Twin
  replicas: number
  wallSeconds: number
  firstRoundSeconds: number
  createdSeconds: number
  launchedSeconds: number
  initializedSeconds: number
  rounds: number
  nodeClaims: number
  instanceTypes: string[]
  simulationMs: number[]
  daemonCpuSeconds: number
  rss: { daemonBefore: number; daemonAfter: number; motoBefore: number; motoAfter: number }
}

const MiB = 1024 * 1024

/** Resident set size of a process, from /proc/<pid>/status (bytes). */
function rss(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) * 1024 : NaN
}

/** User + system CPU seconds a process has used, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /, '')
    .split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100 // utime, stime in clock ticks (USER_HZ = 100)
}

async function ready(cluster: TutorialCluster): Promise<number> {
  return Number((await cluster.run("kubectl get deployment stateless -o jsonpath='{.status.readyReplicas}'")).trim() || 0)
}

/** The current edition's NodePool and EC2NodeClass for Karpenter 1.9 (the Step 3 objects in v1). */
const V1_NODEPOOL_AND_CLASS = v1NodePoolAndClass({ consolidateAfter: '1m', limits: { cpu: 100000, memory: '100000Gi' } })

async function startCluster(twin: Twin, replicas: number): Promise<TutorialCluster> {
  if (twin === 'v0.32') {
    const cluster = await startTutorialCluster({ name: `bench-scale-${replicas}` })
    await cluster.run(tutorialCommand('Step 3', 2))
    return cluster
  }
  const cluster = await startTutorialCluster({
    name: `bench-scale-v1-${replicas}`,
    karpenterChartVersion: '1.9.2',
    kubernetesVersion: '1.35',
    nodeGroupAmiType: 'AL2023_x86_64_STANDARD',
    asOf: '2026-12-06',
    noWait: true,
  })
  await eventually(
    "Karpenter 1.9's controllers started",
    async () => (await cluster.karpenterLogs()).some((l) => l.message === 'Starting workers' && l.controller === 'interruption') || 'not yet',
    180_000,
  )
  await cluster.run(V1_NODEPOOL_AND_CLASS)
  await eventually(
    'the v1 NodePool Ready',
    async () => /True/.test(await cluster.run('kubectl get nodepool default -o jsonpath=\'{.status.conditions[?(@.type=="Ready")].status}\'')) || 'not yet',
  )
  return cluster
}

/** The NodeClaim a `created nodeclaim` line names: `nodeclaim` in v0.32, `NodeClaim: {name}` in 1.x. */
function createdName(l: KarpenterLine): string {
  return typeof l.nodeclaim === 'string' ? l.nodeclaim : ((l.NodeClaim as { name?: string } | undefined)?.name ?? '')
}

async function scaleUp(twin: Twin, replicas: number): Promise<Run> {
  const cluster = await startCluster(twin, replicas)
  try {
    await cluster.run(tutorialCommand('Step 4', 0))
    await eventually('the first 10 replicas Running', async () => (await ready(cluster)) === 10 || 'not yet')
    const daemonBefore = rss(cluster.daemonPid)
    const motoBefore = rss(cluster.awsPid)
    const seen = (await cluster.karpenterLogs()).length
    const cpuBefore = cpuSeconds(cluster.daemonPid)
    // One watch, as a user would keep `kubectl get deployment --watch` open: polling with a kubectl
    // (and its `aws eks get-token`) several times a second would compete with the sandbox for the CPU.
    const watch = execa('kubectl', ['get', 'deployment', 'stateless', '--watch', '-o', 'jsonpath={.status.readyReplicas}{"\\n"}'], {
      env: cluster.env,
      extendEnv: false,
      reject: false,
      killDescendants: true,
    })
    let done = 0
    let opened = false
    const allReady = new Promise<void>((resolve) => {
      let buffer = ''
      watch.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString()
        const lines = buffer.split('\n')
        buffer = lines.pop() ?? ''
        for (const line of lines) {
          opened = true
          if (Number(line) === replicas && !done) {
            done = Date.now()
            resolve()
          }
        }
      })
    })
    await eventually('the deployment watch open', async () => opened || 'no line yet', 30_000, 100)
    const t0 = Date.now()
    await cluster.run(`kubectl scale deployment stateless --replicas=${replicas}`)
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${replicas} replicas not Running after 20 minutes`)), 20 * 60_000).unref(),
    )
    try {
      await Promise.race([allReady, timeout])
    } finally {
      watch.kill()
      await watch
    }
    const wallSeconds = (done - t0) / 1000
    const daemonCpuSeconds = cpuSeconds(cluster.daemonPid) - cpuBefore
    const daemonAfter = rss(cluster.daemonPid)
    const motoAfter = rss(cluster.awsPid)
    const lines = (await cluster.karpenterLogs()).slice(seen)
    const at = (l: KarpenterLine | undefined) => (l ? (Date.parse(l.time) - t0) / 1000 : NaN)
    const all = (message: string) => lines.filter((l) => l.message === message)
    const found = all('found provisionable pod(s)')
    const created = all('created nodeclaim')
    const claims = await cluster.kubectlJson('get nodeclaims')
    return {
      twin,
      replicas,
      wallSeconds,
      firstRoundSeconds: at(found[0]),
      createdSeconds: at(created.at(-1)),
      launchedSeconds: at(all('launched nodeclaim').at(-1)),
      initializedSeconds: at(all('initialized nodeclaim').at(-1)),
      rounds: all('computed new nodeclaim(s) to fit pod(s)').length,
      nodeClaims: created.length,
      instanceTypes: claims.items
        .filter((c) => created.some((l) => createdName(l) === c.metadata.name))
        .map((c) => c.metadata.labels?.['node.kubernetes.io/instance-type'] ?? '?')
        .sort(),
      simulationMs: found.map((l) => parseGoDurationMs(String(l.duration))),
      daemonCpuSeconds,
      rss: { daemonBefore, daemonAfter, motoBefore, motoAfter },
    }
  } finally {
    await cluster.close()
  }
}

function parseGoDurationMs(text: string): number {
  const m = /^([\d.]+)(ns|µs|ms|s)$/.exec(text)
  if (!m) return NaN
  return Number(m[1]) * ({ ns: 1e-6, µs: 1e-3, ms: 1, s: 1000 } as Record<string, number>)[m[2]]
}

const s = (n: number) => (Number.isFinite(n) ? `${n.toFixed(1)} s` : '–')
const mib = (n: number) => `${Math.round(n / MiB)} MiB`

const RESULT = fileURLToPath(new URL('./results/karpenter-scale.json', import.meta.url))

/** The runs kept from the last measurement (of the twins not measured now). */
function previousRuns(): Run[] {
  if (!existsSync(RESULT)) return []
  const runs = (JSON.parse(readFileSync(RESULT, 'utf8')) as { runs?: Run[] }).runs ?? []
  return runs.map((r) => ({ ...r, twin: r.twin ?? 'v0.32' }))
}

export default async function bench(): Promise<BenchResult & { runs: Run[] }> {
  const named = (process.env.SPOTCHECK_BENCH_TWINS ?? 'v0.32,v1').split(',').map((t) => t.trim())
  for (const t of named) if (t !== 'v0.32' && t !== 'v1') throw new Error(`SPOTCHECK_BENCH_TWINS: unknown twin "${t}" (accepted: v0.32, v1)`)
  const twins = named as Twin[]
  const measured: Run[] = []
  for (const twin of twins) {
    for (const replicas of [1000, 5000]) {
      process.stderr.write(`bench: karpenter-scale (${twin} twin) ${replicas} replicas…\n`)
      const run = await scaleUp(twin, replicas)
      process.stderr.write(`bench: ${replicas} replicas Running after ${run.wallSeconds.toFixed(1)} s\n`)
      measured.push(run)
    }
  }
  const all = [...previousRuns().filter((r) => !twins.includes(r.twin!)), ...measured]
  return { id: 'karpenter-scale', title: 'Karpenter twin at scale: 1,000 and 5,000 pending pods to Running', markdown: renderScale(all), runs: all }
}

/** The section's markdown from the runs on file (both twins, 1,000 and 5,000 pods each). */
export function renderScale(all: readonly Run[]): string {
  const pick = (twin: Twin) => [1000, 5000].map((n) => all.find((r) => (r.twin ?? 'v0.32') === twin && r.replicas === n))
  const section = (twin: Twin) => {
    const runs = pick(twin)
    if (runs.some((r) => !r)) return `_No figures for the ${twin === 'v1' ? '1.x' : 'v0.32'} twin yet: run with SPOTCHECK_BENCH_TWINS=${twin}._`
    return table(runs as Run[])
  }
  return [
    'The tutorial’s cluster after Step 2, its NodePool (Step 3) and Step 4’s Deployment (512m / 512Mi pods on Spot), scaled from 10 replicas',
    'with `kubectl scale`, at the sandbox’s default time scale (×20), for each Karpenter twin. Times are wall-clock seconds from the',
    '`kubectl scale`; Karpenter’s phases come from its own log lines.',
    '',
    '### Karpenter v0.32.1 twin (the tutorial as written: Kubernetes 1.29, chart v0.32.1, AL2)',
    '',
    section('v0.32'),
    '',
    '### Karpenter 1.9.2 twin (the current edition: Kubernetes 1.35, chart 1.9.2, v1 NodePool, EC2NodeClass on al2023@latest)',
    '',
    section('v1'),
    '',
    V1_NOTES,
    '',
    '### Findings',
    '',
    FINDINGS,
  ].join('\n')
}

function types(r: Run): string {
  const counts = new Map<string, number>()
  for (const t of r.instanceTypes) counts.set(t, (counts.get(t) ?? 0) + 1)
  return [...counts].map(([t, n]) => (n > 1 ? `${n} × ${t}` : t)).join(', ')
}

function table(runs: Run[]): string {
  return [
    '| | 1,000 pods | 5,000 pods |',
    '|---|---:|---:|',
    `| **all replicas Running** | **${s(runs[0].wallSeconds)}** | **${s(runs[1].wallSeconds)}** |`,
    `| first provisioning round (\`found provisionable pod(s)\`) | ${s(runs[0].firstRoundSeconds)} | ${s(runs[1].firstRoundSeconds)} |`,
    `| last \`created nodeclaim\` | ${s(runs[0].createdSeconds)} | ${s(runs[1].createdSeconds)} |`,
    `| last \`launched nodeclaim\` | ${s(runs[0].launchedSeconds)} | ${s(runs[1].launchedSeconds)} |`,
    `| last \`initialized nodeclaim\` (node Ready) | ${s(runs[0].initializedSeconds)} | ${s(runs[1].initializedSeconds)} |`,
    `| provisioning rounds that created NodeClaims | ${runs[0].rounds} | ${runs[1].rounds} |`,
    `| NodeClaims created | ${runs[0].nodeClaims} | ${runs[1].nodeClaims} |`,
    `| scheduling simulation per round (ms, \`duration\`) | ${runs[0].simulationMs.map((x) => x.toFixed(0)).join(', ')} | ${runs[1].simulationMs.map((x) => x.toFixed(0)).join(', ')} |`,
    `| daemon CPU time during the scale-up | ${s(runs[0].daemonCpuSeconds)} | ${s(runs[1].daemonCpuSeconds)} |`,
    `| daemon RSS before → after | ${mib(runs[0].rss.daemonBefore)} → ${mib(runs[0].rss.daemonAfter)} | ${mib(runs[1].rss.daemonBefore)} → ${mib(runs[1].rss.daemonAfter)} |`,
    `| moto (python) RSS before → after | ${mib(runs[0].rss.motoBefore)} → ${mib(runs[0].rss.motoAfter)} | ${mib(runs[1].rss.motoBefore)} → ${mib(runs[1].rss.motoAfter)} |`,
    '',
    `Instance types launched: 1,000 pods → ${types(runs[0])}; 5,000 pods → ${types(runs[1])}.`,
  ].join('\n')
}

const V1_NOTES = [
  'The 1.x twin writes v1 NodeClaims of up to 600 instance types (v0.32: 100), reads every v1 object through its adapter, keeps',
  'operatorpkg status conditions (one status write per condition change, each announced as an event), and its lifecycle waits for',
  'EC2 to report an instance terminated; the phases are otherwise the same code (scheduling simulation, launch, kubelet twin).',
  '',
  'Both twins were measured in one run on a quiet machine (1-minute load average 0.4 when it began; the other sessions’ jobs idle).',
  'The 1.x twin reaches 1,000 pods as fast as the v0.32 one; at 5,000 pods its first provisioning round starts ~6 s later, its',
  'simulation takes longer (600-type NodeClaims to order and narrow) and the daemon spends ~40 % more CPU. Not profiled yet; the',
  'first suspects are the 1.x controllers’ extra work per event (nodeclaim.disruption re-reads every NodeClaim, with a',
  'DescribeInstances each, whenever a NodePool or EC2NodeClass status changes; the NodePool status is recomputed on every node and',
  'NodeClaim event) and the disruption loop’s consolidation simulations over the 5,000 pending pods.',
].join('\n')

const FINDINGS = [
  'The floor is the nodes’ boot (36 s of tutorial time, 1.8 s here); everything above it is the daemon’s CPU: one',
  'Node.js event loop runs the API server, the controllers, the kubelets and Karpenter, and while it works through 5,000 pods’',
  'writes the nodes’ boot timers fire late (launched → Ready takes ~7 s instead of 1.8 s). CPU profiles of the daemon',
  '(inspector, during the 5,000-pod scale-up) showed where the time went before this benchmark’s fixes:',
  '',
  '- the kube-scheduler twin re-read and re-summed every pod in the cluster for every pod it scheduled (quadratic: the',
  '  5,000-pod scale-up took 353 s, 60 % of it in `nodeInfos`, quantity parsing and the garbage collector); it now keeps a',
  '  scheduler cache from its watches, as kube-scheduler does;',
  '- Karpenter’s cluster snapshot, taken every 10 s of tutorial time by the disruption loop, deep-copied every pod and grouped',
  '  them by node with a quadratic copy; it now reads the store’s objects;',
  '- the ReplicaSet controller copied its thousands of pods on every pod event; it now reads them in place;',
  '- NodeClaims launched one after another; the lifecycle controller now reconciles concurrently, as Karpenter’s does',
  '  (MaxConcurrentReconciles 1000);',
  '- a node whose Ready timer fired before its registration timer (two timers of different lengths under event-loop lag)',
  '  stayed NotReady for good and held 504 pods Pending; Ready is now timed from registration.',
  '',
  'With those fixes the 5,000-pod scale-up takes ~14 s instead of 353 s. What remains is spread thin: creating the pods (the',
  'ReplicaSet twin creates them all in one pass) and writing their status (scheduler, then kubelet twice), copying objects for',
  'watchers and API responses, managedFields bookkeeping on every write, and the garbage collector. Karpenter’s own simulation',
  'stays well under a second per round. The daemon grows by 60–90 KiB per running pod (objects, their history for watches,',
  'events); moto stays flat (it holds only the instances). The benchmark waits with one `kubectl get deployment --watch`:',
  'polling with kubectl (and its `aws eks get-token`) several times a second competed with the sandbox for the two cores and',
  'doubled the 1,000-pod figure.',
].join('\n')
