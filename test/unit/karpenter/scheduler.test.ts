import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { toStringMap } from '../../../sandbox/k8s/resources.ts'
import type { Node, Pod } from '../../../sandbox/k8s/types.ts'
import type { NodeClaim, NodePool } from '../../../sandbox/karpenter/api.ts'
import { formatLogLine } from '../../../sandbox/karpenter/logger.ts'
import { batchWindowCloses, limitsExceededBy, nodePoolUsage, provisioningRound, toNodeClaim } from '../../../sandbox/karpenter/provisioning.ts'
import { seededRng } from '../../../sandbox/karpenter/rng.ts'
import { daemonSetPods, schedule, type SchedulingInput } from '../../../sandbox/karpenter/scheduling/scheduler.ts'
import { buildStateNode } from '../../../sandbox/karpenter/state.ts'
import {
  karpenterNodeLabels,
  NO_SCHEDULE,
  tutorialDaemonSetPods,
  tutorialInstanceTypes,
  tutorialNodePool,
  workloadPods,
  ZONE_SPREAD,
} from './helpers/tutorial.ts'

function run(pods: Pod[], extra: Partial<SchedulingInput> = {}) {
  return schedule({
    pods,
    nodePools: [tutorialNodePool()],
    instanceTypes: { default: tutorialInstanceTypes() },
    daemonSetPods: tutorialDaemonSetPods(),
    rng: seededRng(42),
    ...extra,
  })
}

const requests = (r: ReturnType<typeof run>) => r.newNodeClaims.map((nc) => JSON.stringify(toStringMap(nc.requests)))

describe('tutorial Step 4: 10 Spot pods, one NodeClaim', () => {
  const r = run(workloadPods(10))

  it('computes 1 NodeClaim with requests cpu 5330m, memory 5360Mi, pods 14 (DaemonSets 210m/240Mi/4)', () => {
    assert.equal(r.newNodeClaims.length, 1)
    assert.equal(r.newNodeClaims[0].pods.length, 10)
    assert.deepEqual(requests(r), ['{"cpu":"5330m","memory":"5360Mi","pods":"14"}'])
    assert.deepEqual(toStringMap(r.daemonOverhead.get('default')!), { cpu: '210m', memory: '240Mi', pods: '4' })
    assert.equal(r.podErrors.size, 0)
  })

  it('requires Spot and keeps the NodePool requirements', () => {
    assert.equal(
      r.newNodeClaims[0].requirements.toString(),
      'intent In [apps], karpenter.k8s.aws/instance-category In [c m r], karpenter.k8s.aws/instance-cpu Exists >4, karpenter.k8s.aws/instance-memory Exists >8191, karpenter.sh/capacity-type In [spot], karpenter.sh/nodepool In [default], kubernetes.io/arch In [amd64 arm64]',
    )
  })

  it('writes the 100 cheapest instance types into the NodeClaim and logs 5 + "and 95 other(s)"', () => {
    const round = provisioningRound({
      pendingPods: workloadPods(10),
      nodePools: [tutorialNodePool()],
      instanceTypes: { default: tutorialInstanceTypes() },
      daemonSetPods: tutorialDaemonSetPods(),
      rng: seededRng(7),
      durationMs: 18.833162,
    })
    assert.equal(round.nodeClaims.length, 1)
    const nc = round.nodeClaims[0]
    const types = nc.spec.requirements!.find((x) => x.key === 'node.kubernetes.io/instance-type')!.values!
    assert.equal(types.length, 100)
    assert.deepEqual(nc.spec.resources, { requests: { cpu: '5330m', memory: '5360Mi', pods: '14' } })
    assert.match(nc.metadata.name!, /^default-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
    assert.equal(nc.metadata.generateName, 'default-')
    assert.deepEqual(nc.metadata.labels, { intent: 'apps', 'karpenter.sh/nodepool': 'default' })
    assert.ok(nc.metadata.annotations!['karpenter.sh/nodepool-hash'])
    assert.deepEqual(nc.metadata.ownerReferences![0], {
      apiVersion: 'karpenter.sh/v1beta1',
      kind: 'NodePool',
      name: 'default',
      uid: 'uid-default',
      blockOwnerDeletion: true,
    })
    assert.deepEqual(nc.spec.kubelet, { systemReserved: { cpu: '100m', memory: '100Mi' } })
    // every one of them can hold the NodeClaim and has a Spot offering
    const byName = new Map(tutorialInstanceTypes().map((t) => [t.name, t]))
    for (const t of types)
      assert.ok(
        byName.get(t)!.offerings.some((o) => o.available && o.capacityType === 'spot'),
        t,
      )

    const lines = round.logs.map((l) => formatLogLine(l, '2024-01-28T21:14:32.625Z'))
    const names = [...types].sort().slice(0, 5).join(', ')
    assert.deepEqual(lines, [
      `{"level":"INFO","time":"2024-01-28T21:14:32.625Z","logger":"controller.provisioner","message":"found provisionable pod(s)","commit":"1072d3b","pods":"default/stateless-7956bd8d4c-00000, default/stateless-7956bd8d4c-00001, default/stateless-7956bd8d4c-00002, default/stateless-7956bd8d4c-00003, default/stateless-7956bd8d4c-00004 and 5 other(s)","duration":"18.833162ms"}`,
      '{"level":"INFO","time":"2024-01-28T21:14:32.625Z","logger":"controller.provisioner","message":"computed new nodeclaim(s) to fit pod(s)","commit":"1072d3b","nodeclaims":1,"pods":10}',
      `{"level":"INFO","time":"2024-01-28T21:14:32.625Z","logger":"controller.provisioner","message":"created nodeclaim","commit":"1072d3b","nodepool":"default","nodeclaim":"${nc.metadata.name}","requests":{"cpu":"5330m","memory":"5360Mi","pods":"14"},"instance-types":"${names} and 95 other(s)"}`,
    ])
  })
})

describe('tutorial Step 5: zone spread (maxSkew 1, minDomains 2, DoNotSchedule) over 3 zones', () => {
  const r = run(workloadPods(10, { tsc: ZONE_SPREAD }))

  it('computes 3 NodeClaims with 4/3/3 pods, one per zone', () => {
    assert.equal(r.newNodeClaims.length, 3)
    assert.deepEqual(r.newNodeClaims.map((n) => n.pods.length).sort(), [3, 3, 4])
    const zones = r.newNodeClaims.map((n) => n.requirements.get('topology.kubernetes.io/zone').valueList())
    for (const z of zones) assert.equal(z.length, 1)
    assert.deepEqual(zones.flat().sort(), ['eu-west-2a', 'eu-west-2b', 'eu-west-2c'])
  })

  it('requests 2258m/2288Mi/8 for 4 pods and 1746m/1776Mi/7 for 3', () => {
    assert.deepEqual(
      requests(r).sort(),
      ['{"cpu":"1746m","memory":"1776Mi","pods":"7"}', '{"cpu":"1746m","memory":"1776Mi","pods":"7"}', '{"cpu":"2258m","memory":"2288Mi","pods":"8"}'].sort(),
    )
  })

  it('which zone gets 4 pods depends on the seed only', () => {
    const zoneOf4 = (seed: number) => {
      const res = run(workloadPods(10, { tsc: ZONE_SPREAD }), { rng: seededRng(seed) })
      return res.newNodeClaims
        .find((n) => n.pods.length === 4)!
        .requirements.get('topology.kubernetes.io/zone')
        .valueList()[0]
    }
    assert.equal(zoneOf4(1), zoneOf4(1))
    const seen = new Set([1, 2, 3, 4, 5, 6, 7, 8].map(zoneOf4))
    assert.ok(seen.size > 1, 'different seeds pick different zones')
  })

  it('counts the pods already running per zone', () => {
    const nodes = [
      { name: 'n-a', labels: { 'topology.kubernetes.io/zone': 'eu-west-2a', intent: 'apps', 'karpenter.sh/capacity-type': 'spot' } },
      { name: 'n-b', labels: { 'topology.kubernetes.io/zone': 'eu-west-2b', intent: 'apps', 'karpenter.sh/capacity-type': 'spot' } },
    ]
    const running = [...workloadPods(3, { tsc: ZONE_SPREAD, nodeName: 'n-a' }), ...workloadPods(3, { tsc: ZONE_SPREAD, nodeName: 'n-b' })].map((p, i) => ({
      ...p,
      metadata: { ...p.metadata, uid: `running-${i}`, name: `running-${i}` },
    }))
    const res = run(workloadPods(3, { tsc: ZONE_SPREAD }), { cluster: { pods: running, nodes } })
    // zone c is at 0, a and b at 3: all three new pods must go to c… but skew allows c up to 4
    assert.equal(res.newNodeClaims.length, 1)
    assert.deepEqual(res.newNodeClaims[0].requirements.get('topology.kubernetes.io/zone').valueList(), ['eu-west-2c'])
    assert.equal(res.newNodeClaims[0].pods.length, 3)
  })
})

describe('tutorial Step 6: three pods of an interrupted node', () => {
  it('reschedule onto one NodeClaim requesting 1746m/1776Mi/7, in the zone the spread needs', () => {
    const label = (zone: string) => ({ 'topology.kubernetes.io/zone': zone, intent: 'apps', 'karpenter.sh/capacity-type': 'spot' })
    const nodes = [
      { name: 'ip-10-0-36-60.eu-west-2.compute.internal', labels: label('eu-west-2a') },
      { name: 'ip-10-0-92-180.eu-west-2.compute.internal', labels: label('eu-west-2b') },
      { name: 'ip-10-0-102-121.eu-west-2.compute.internal', labels: label('eu-west-2c') },
    ]
    const all = workloadPods(10, { tsc: ZONE_SPREAD })
    const on = (p: Pod, node: string): Pod => ({ ...p, spec: { ...p.spec, nodeName: node }, status: { phase: 'Running' } })
    const cluster = all.map((p, i) => on(p, nodes[i < 3 ? 0 : i < 7 ? 1 : 2].name))
    // the node in eu-west-2a is being deleted (interrupted): its three pods are rescheduled
    const displaced = cluster.slice(0, 3)
    const r = run(displaced, { cluster: { pods: cluster, nodes } })
    assert.deepEqual(requests(r), ['{"cpu":"1746m","memory":"1776Mi","pods":"7"}'])
    assert.deepEqual(r.newNodeClaims[0].requirements.get('topology.kubernetes.io/zone').valueList(), ['eu-west-2a'])
  })
})

describe('tutorial Step 7: seven On-Demand pods', () => {
  it('one On-Demand NodeClaim', () => {
    const r = run(workloadPods(7, { app: 'stateful', capacityType: 'on-demand' }))
    assert.equal(r.newNodeClaims.length, 1)
    assert.deepEqual(r.newNodeClaims[0].requirements.get('karpenter.sh/capacity-type').valueList(), ['on-demand'])
    assert.deepEqual(requests(r), ['{"cpu":"3794m","memory":"3824Mi","pods":"11"}'])
  })
})

describe('scheduling rules', () => {
  it('a custom label the NodePool lacks fails with Karpenter’s reason', () => {
    const r = run(workloadPods(1, { nodeSelector: { intent: 'foo' } }))
    assert.equal(r.newNodeClaims.length, 0)
    assert.deepEqual(
      [...r.podErrors.values()],
      [
        'incompatible with nodepool "default", daemonset overhead={"cpu":"210m","memory":"240Mi","pods":"4"}, incompatible requirements, key intent, intent In [foo] not in intent In [apps]',
      ],
    )
    const r2 = run(workloadPods(1, { nodeSelector: { team: 'x' } }))
    assert.match([...r2.podErrors.values()][0], /incompatible requirements, label "team" does not have known values$/)
  })

  it('a pod no instance type can hold stays pending with the reason', () => {
    const r = run(workloadPods(1, { cpu: '2000', memory: '1Gi' }))
    assert.equal(r.newNodeClaims.length, 0)
    const [err] = r.podErrors.values()
    assert.match(
      err,
      /^incompatible with nodepool "default", daemonset overhead=\{"cpu":"210m","memory":"240Mi","pods":"4"\}, no instance type satisfied resources \{"cpu":"2000210m","memory":"1264Mi","pods":"5"\} and requirements .* \(no instance type has enough resources\)$/,
    )
    // 500 vCPUs: some (u7i) type is big enough, but none of the NodePool's
    const r1 = run(workloadPods(1, { cpu: '500' }))
    assert.match(
      [...r1.podErrors.values()][0],
      /\(no instance type which met the scheduling requirements and the required offering had the required resources\)$/,
    )
    const r2 = run(workloadPods(1, { cpu: '2M' }))
    assert.match([...r2.podErrors.values()][0], /\(no instance type has enough resources \(CPU request >= 1 Million, m vs M typo\?\)\)$/)
  })

  it('On-Demand-only NodePool rejects Spot pods and serves On-Demand ones', () => {
    const pool = tutorialNodePool()
    pool.spec.template.spec.requirements = pool.spec.template.spec.requirements!.map((r) =>
      r.key === 'karpenter.sh/capacity-type' ? { ...r, values: ['on-demand'] } : r,
    )
    const r = run(workloadPods(2), { nodePools: [pool] })
    assert.match(
      [...r.podErrors.values()][0],
      /key karpenter\.sh\/capacity-type, karpenter\.sh\/capacity-type In \[spot\] not in karpenter\.sh\/capacity-type In \[on-demand\]/,
    )
    const r2 = run(workloadPods(2, { capacityType: 'on-demand' }), { nodePools: [pool] })
    assert.equal(r2.newNodeClaims.length, 1)
  })

  it('one category and arm64 only narrow the candidates', () => {
    const pool = tutorialNodePool()
    pool.spec.template.spec.requirements = [
      ...pool.spec.template.spec.requirements!.filter((r) => r.key !== 'karpenter.k8s.aws/instance-category' && r.key !== 'kubernetes.io/arch'),
      { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['m'] },
      { key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] },
    ]
    const r = run(workloadPods(4), { nodePools: [pool] })
    const types = r.newNodeClaims[0].instanceTypeOptions
    assert.ok(types.length > 0)
    for (const t of types) {
      assert.equal(t.requirements.get('karpenter.k8s.aws/instance-category').valueList()[0], 'm', t.name)
      assert.equal(t.requirements.get('kubernetes.io/arch').valueList()[0], 'arm64', t.name)
    }
  })

  it('taints need tolerations; startup taints do not', () => {
    const pool = tutorialNodePool()
    pool.spec.template.spec.taints = [NO_SCHEDULE('dedicated', 'apps')]
    pool.spec.template.spec.startupTaints = [NO_SCHEDULE('agent.example.com/not-ready')]
    const r = run(workloadPods(1), { nodePools: [pool] })
    assert.match([...r.podErrors.values()][0], /did not tolerate dedicated=apps:NoSchedule$/)
    const r2 = run(workloadPods(1, { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'apps', effect: 'NoSchedule' }] }), { nodePools: [pool] })
    assert.equal(r2.newNodeClaims.length, 1)
    // a DaemonSet that does not tolerate the taint no longer counts as overhead
    const ds = tutorialDaemonSetPods().map((p) => ({ ...p, spec: { ...p.spec, tolerations: [] } }))
    const r3 = run(workloadPods(1, { tolerations: [{ operator: 'Exists' }] }), { nodePools: [pool], daemonSetPods: ds })
    assert.deepEqual(toStringMap(r3.daemonOverhead.get('default')!), { pods: '0' })
  })

  it('the heavier NodePool wins; the next one takes what it refuses', () => {
    const heavy: NodePool = { ...tutorialNodePool({ weight: 50 }, 'heavy') }
    heavy.spec.template.metadata = { labels: { intent: 'apps', tier: 'gold' } }
    const light = tutorialNodePool({ weight: 10 }, 'light')
    const its = tutorialInstanceTypes()
    const r = run(workloadPods(2), { nodePools: [light, heavy], instanceTypes: { heavy: its, light: its } })
    assert.deepEqual(
      r.newNodeClaims.map((n) => n.nodePoolName),
      ['heavy'],
    )
    const r2 = run(workloadPods(2, { nodeSelector: { intent: 'apps', tier: 'silver' } }), {
      nodePools: [light, heavy],
      instanceTypes: { heavy: its, light: its },
    })
    assert.match(
      [...r2.podErrors.values()][0],
      /^incompatible with nodepool "heavy", .*; incompatible with nodepool "light", .*label "tier" does not have known values$/,
    )
  })

  it('several NodePools: each pod goes to the first that accepts it', () => {
    const spot = tutorialNodePool({ weight: 20 }, 'spot-pool')
    spot.spec.template.metadata = { labels: { intent: 'apps' } }
    spot.spec.template.spec.requirements = spot.spec.template.spec.requirements!.map((r) =>
      r.key === 'karpenter.sh/capacity-type' ? { ...r, values: ['spot'] } : r,
    )
    const od = tutorialNodePool({ weight: 10 }, 'od-pool')
    od.spec.template.spec.requirements = od.spec.template.spec.requirements!.map((r) =>
      r.key === 'karpenter.sh/capacity-type' ? { ...r, values: ['on-demand'] } : r,
    )
    const its = tutorialInstanceTypes()
    const r = run([...workloadPods(2), ...workloadPods(2, { app: 'stateful', capacityType: 'on-demand' })], {
      nodePools: [od, spot],
      instanceTypes: { 'spot-pool': its, 'od-pool': its },
    })
    assert.deepEqual(r.newNodeClaims.map((n) => `${n.nodePoolName}:${n.pods.length}`).sort(), ['od-pool:2', 'spot-pool:2'])
  })

  it('limits: instance types that would breach them are excluded (DEBUG), then nothing fits', () => {
    const pool = tutorialNodePool({ limits: { cpu: '16' } })
    const r = run(workloadPods(10), { nodePools: [pool] })
    assert.equal(r.newNodeClaims.length, 1)
    assert.equal(r.limits.length, 1)
    assert.equal(r.limits[0].nodePool, 'default')
    assert.ok(r.limits[0].excluded > 0 && r.limits[0].excluded < r.limits[0].total)
    for (const t of r.newNodeClaims[0].instanceTypeOptions) assert.ok(t.capacity.cpu.valueNumber() <= 16, t.name)
    // a second batch: the first NodeClaim is assumed to take its largest candidate (16 vCPU), nothing is left
    const r2 = run(workloadPods(60, { cpu: '1', memory: '1Gi' }), { nodePools: [pool] })
    assert.ok([...r2.podErrors.values()].some((e) => e === 'all available instance types exceed limits for nodepool: "default"'))
  })

  it('limits count the capacity of existing nodes of the pool', () => {
    const pool = tutorialNodePool({ limits: { cpu: '8' } })
    const node = readyNode('ip-10-0-1-1.eu-west-2.compute.internal', 'c7g.2xlarge', 'eu-west-2a', { cpu: '8', memory: '15096Mi', pods: '58' })
    const sn = buildStateNode({
      node: { ...node, status: { ...node.status, allocatable: { cpu: '100m', memory: '100Mi', pods: '58' } } },
      nodeClaim: claimFor(node),
      pods: [],
    })
    const r = run(workloadPods(1), { nodePools: [pool], stateNodes: [sn] })
    assert.deepEqual([...r.podErrors.values()], ['all available instance types exceed limits for nodepool: "default"'])
  })

  it('host ports: two pods with the same hostPort never share a NodeClaim', () => {
    const r = run(workloadPods(2, { hostPort: 8080 }))
    assert.equal(r.newNodeClaims.length, 2)
  })

  it('hostname anti-affinity puts each pod on its own NodeClaim', () => {
    const anti = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'stateless' } }, topologyKey: 'kubernetes.io/hostname' }],
      },
    }
    const r = run(workloadPods(4, { affinity: anti }))
    assert.equal(r.newNodeClaims.length, 4)
    assert.equal(r.podErrors.size, 0)
  })

  it('an unsatisfiable ScheduleAnyway spread is relaxed away', () => {
    // one zone only, and Karpenter applies minDomains to the global minimum (0 while < 2 domains)
    const pool = tutorialNodePool()
    pool.spec.template.spec.requirements = [
      ...pool.spec.template.spec.requirements!,
      { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-2a'] },
    ]
    const tsc = [
      {
        labelSelector: { matchLabels: { app: 'stateless' } },
        maxSkew: 1,
        minDomains: 2,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'ScheduleAnyway',
      },
    ]
    const pods = workloadPods(2, { tsc })
    const r = run(pods, { nodePools: [pool] })
    assert.equal(r.podErrors.size, 0)
    assert.equal(r.newNodeClaims.length, 1)
    assert.equal(r.newNodeClaims[0].pods.length, 2)
    assert.deepEqual(
      r.relaxations.map((x) => x.reason),
      [
        'removing: spec.topologySpreadConstraints = {"labelSelector":{"matchLabels":{"app":"stateless"}},"maxSkew":1,"minDomains":2,"topologyKey":"topology.kubernetes.io/zone","whenUnsatisfiable":"ScheduleAnyway"}',
      ],
    )
    // the caller's pod is not modified
    assert.equal(pods[1].spec.topologySpreadConstraints!.length, 1)
    // with DoNotSchedule the second pod stays pending
    const r2 = run(workloadPods(2, { tsc: [{ ...tsc[0], whenUnsatisfiable: 'DoNotSchedule' }] }), { nodePools: [pool] })
    assert.equal(r2.podErrors.size, 1)
    assert.match(
      [...r2.podErrors.values()][0],
      /unsatisfiable topology constraint for topology spread, key=topology\.kubernetes\.io\/zone \(counts = map\[eu-west-2a:1\], podDomains = topology\.kubernetes\.io\/zone Exists, nodeDomains = topology\.kubernetes\.io\/zone In \[eu-west-2a\]\)/,
    )
  })

  it('an impossible preferred node affinity is relaxed, then the next preference applies', () => {
    const affinity = {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, preference: { matchExpressions: [{ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['does-not-exist'] }] } },
          { weight: 1, preference: { matchExpressions: [{ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['m7g'] }] } },
        ],
      },
    }
    const r = run(workloadPods(1, { affinity }))
    assert.equal(r.podErrors.size, 0)
    for (const t of r.newNodeClaims[0].instanceTypeOptions) assert.equal(t.name.split('.')[0], 'm7g')
  })

  it('a DaemonSet pinned to Windows still counts (no kubernetes.io/os requirement on the NodePool)', () => {
    const win = tutorialDaemonSetPods().filter((p) => p.metadata.name === 'ebs-csi-node-windows')
    const r = run(workloadPods(1), { daemonSetPods: win })
    assert.deepEqual(toStringMap(r.daemonOverhead.get('default')!), { cpu: '30m', memory: '120Mi', pods: '1' })
    const pool = tutorialNodePool()
    pool.spec.template.spec.requirements = [...pool.spec.template.spec.requirements!, { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] }]
    const r2 = run(workloadPods(1), { daemonSetPods: win, nodePools: [pool] })
    assert.deepEqual(toStringMap(r2.daemonOverhead.get('default')!), { pods: '0' })
  })

  it('daemonSetPods(): a real DaemonSet pod, or one from the template, with the template’s node affinity', () => {
    const ds = {
      metadata: { name: 'aws-node', namespace: 'kube-system', uid: 'ds-1' },
      spec: {
        template: {
          spec: {
            containers: [{ resources: { requests: { cpu: '25m' } } }],
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/os', operator: 'In', values: ['linux'] }] }],
                },
              },
            },
          },
        },
      },
    }
    const [fromTemplate] = daemonSetPods([ds], [])
    assert.equal(fromTemplate.spec.containers![0].resources!.requests!.cpu, '25m')
    const real: Pod = {
      metadata: {
        name: 'aws-node-x',
        namespace: 'kube-system',
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'aws-node', uid: 'ds-1' }],
      },
      spec: {
        containers: [{ resources: { requests: { cpu: '50m' } } }],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }],
            },
          },
        },
      },
    }
    const [fromPod] = daemonSetPods([ds], [real])
    assert.equal(fromPod.spec.containers![0].resources!.requests!.cpu, '50m')
    assert.deepEqual(
      fromPod.spec.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution,
      ds.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution,
    )
  })
})

function readyNode(name: string, type: string, zone: string, allocatable: Record<string, string>, extraLabels: Record<string, string> = {}): Node {
  return {
    metadata: {
      name,
      labels: karpenterNodeLabels(name, type, zone, { 'kubernetes.io/arch': 'arm64', ...extraLabels }),
      creationTimestamp: '2024-01-28T21:15:00Z',
    },
    spec: { providerID: `aws:///${zone}/i-0123456789abcdef0` },
    status: { capacity: allocatable, allocatable, conditions: [{ type: 'Ready', status: 'True' }] },
  }
}

function claimFor(node: Node): NodeClaim {
  return { metadata: { name: 'default-abcde', labels: node.metadata.labels }, spec: {}, status: { providerID: node.spec!.providerID } }
}

describe('existing and in-flight nodes', () => {
  it('pods go to a node with room first (nominations), only the rest to new NodeClaims', () => {
    const node = readyNode('ip-10-0-36-60.eu-west-2.compute.internal', 'c7g.2xlarge', 'eu-west-2a', { cpu: '7810m', memory: '14003Mi', pods: '58' })
    const sn = buildStateNode({ node, nodeClaim: claimFor(node), pods: [] })
    const r = run(workloadPods(20), { stateNodes: [sn] })
    // 7810m − 210m of DaemonSets expected on the node = 7600m → 14 pods of 512m
    assert.equal(r.existingNodes[0].pods.length, 14)
    assert.equal(r.newNodeClaims.length, 1)
    assert.equal(r.newNodeClaims[0].pods.length, 6)
  })

  it('an in-flight NodeClaim (no Node yet) takes pods against its estimated allocatable', () => {
    const nc: NodeClaim = {
      metadata: {
        name: 'default-8blnj',
        labels: { 'karpenter.sh/nodepool': 'default', intent: 'apps', 'karpenter.sh/capacity-type': 'spot', 'topology.kubernetes.io/zone': 'eu-west-2a' },
      },
      spec: {},
      status: { allocatable: { cpu: '7810m', memory: '14003Mi', pods: '58' } },
    }
    const sn = buildStateNode({ nodeClaim: nc })
    assert.equal(sn.initialized, false)
    const round = provisioningRound({
      pendingPods: workloadPods(3),
      nodePools: [tutorialNodePool()],
      instanceTypes: { default: tutorialInstanceTypes() },
      daemonSetPods: tutorialDaemonSetPods(),
      stateNodes: [sn],
      rng: seededRng(1),
    })
    assert.equal(round.nodeClaims.length, 0)
    assert.equal(round.nominations.length, 3)
    assert.equal(round.nominations[0].node.name, 'default-8blnj')
    assert.deepEqual(round.logs, []) // nothing new: no "found provisionable pod(s)"
  })

  it('a node pods cannot tolerate is skipped', () => {
    const node = readyNode('n1', 'c7g.2xlarge', 'eu-west-2a', { cpu: '7810m', memory: '14003Mi', pods: '58' })
    node.spec!.taints = [NO_SCHEDULE('dedicated', 'db')]
    const r = run(workloadPods(1), { stateNodes: [buildStateNode({ node, nodeClaim: claimFor(node) })] })
    assert.equal(r.existingNodes[0].pods.length, 0)
    assert.equal(r.newNodeClaims.length, 1)
  })
})

describe('provisioning round', () => {
  it('ignores pods that are not provisionable, and logs invalid ones', () => {
    const ok = workloadPods(1)
    const bound = workloadPods(1, { nodeName: 'n1' })
    const invalid = workloadPods(1, { nodeSelector: { intent: 'apps', 'karpenter.sh/foo': 'bar' } })
    const round = provisioningRound({
      pendingPods: [...ok, ...bound, ...invalid],
      nodePools: [tutorialNodePool()],
      instanceTypes: { default: tutorialInstanceTypes() },
      daemonSetPods: tutorialDaemonSetPods(),
      rng: seededRng(1),
    })
    assert.equal(round.results.newNodeClaims.length, 1)
    assert.equal(round.results.newNodeClaims[0].pods.length, 1)
    assert.equal(round.logs[0].level, 'DEBUG')
    assert.match(round.logs[0].message, /^ignoring pod, label karpenter\.sh\/foo is restricted/)
  })

  it('logs "Could not schedule pod" for the pods left pending', () => {
    const round = provisioningRound({
      pendingPods: workloadPods(1, { nodeSelector: { intent: 'foo' } }),
      nodePools: [tutorialNodePool()],
      instanceTypes: { default: tutorialInstanceTypes() },
      daemonSetPods: tutorialDaemonSetPods(),
      rng: seededRng(1),
    })
    assert.equal(
      formatLogLine(round.logs[0], '2024-01-28T21:14:32.625Z'),
      '{"level":"ERROR","time":"2024-01-28T21:14:32.625Z","logger":"controller.provisioner","message":"Could not schedule pod, incompatible with nodepool \\"default\\", daemonset overhead={\\"cpu\\":\\"210m\\",\\"memory\\":\\"240Mi\\",\\"pods\\":\\"4\\"}, incompatible requirements, key intent, intent In [foo] not in intent In [apps]","commit":"1072d3b","pod":"default/stateless-7956bd8d4c-00000"}',
    )
  })

  it('no NodePool: INFO no nodepools or provisioners found', () => {
    const round = provisioningRound({ pendingPods: workloadPods(1), nodePools: [], instanceTypes: {}, rng: seededRng(1) })
    assert.equal(round.logs[0].message, 'no nodepools or provisioners found')
  })

  it('toNodeClaim drops the hostname placeholder', () => {
    const r = run(workloadPods(1))
    const nc = toNodeClaim(r.newNodeClaims[0], { rng: seededRng(3), name: 'default-xyz12' })
    assert.equal(nc.metadata.name, 'default-xyz12')
    assert.equal(
      nc.spec.requirements!.some((x) => x.key === 'kubernetes.io/hostname'),
      false,
    )
  })
})

describe('topology domains', () => {
  it('zones come from the EC2NodeClass subnets: two subnets, two zones to spread over', () => {
    const its = tutorialInstanceTypes({ subnetZones: ['eu-west-2a', 'eu-west-2b'] })
    const r = run(workloadPods(3, { tsc: ZONE_SPREAD }), { instanceTypes: { default: its } })
    assert.deepEqual(r.newNodeClaims.flatMap((n) => n.requirements.get('topology.kubernetes.io/zone').valueList()).sort(), ['eu-west-2a', 'eu-west-2b'])
    assert.deepEqual(r.newNodeClaims.map((n) => n.pods.length).sort(), [1, 2])
  })

  it('a capacity-type spread puts pods on both Spot and On-Demand', () => {
    const tsc = [
      { labelSelector: { matchLabels: { app: 'stateless' } }, maxSkew: 1, topologyKey: 'karpenter.sh/capacity-type', whenUnsatisfiable: 'DoNotSchedule' },
    ]
    const r = run(workloadPods(4, { tsc, nodeSelector: { intent: 'apps' } }))
    assert.deepEqual(r.newNodeClaims.map((n) => n.requirements.get('karpenter.sh/capacity-type').valueList().join()).sort(), ['on-demand', 'spot'])
    assert.deepEqual(
      r.newNodeClaims.map((n) => n.pods.length),
      [2, 2],
    )
  })
})

describe('provisioning round plumbing', () => {
  it('pods of deleting nodes are rescheduled, and deleting nodes take none', () => {
    const node = readyNode('ip-10-0-36-60.eu-west-2.compute.internal', 'c7g.2xlarge', 'eu-west-2a', { cpu: '7810m', memory: '14003Mi', pods: '58' })
    const bound = workloadPods(3, { nodeName: node.metadata.name })
    const deleting = buildStateNode({ node, nodeClaim: claimFor(node), pods: bound, markedForDeletion: true })
    const round = provisioningRound({
      pendingPods: [],
      stateNodes: [deleting],
      nodePools: [tutorialNodePool()],
      instanceTypes: { default: tutorialInstanceTypes() },
      daemonSetPods: tutorialDaemonSetPods(),
      rng: seededRng(1),
    })
    assert.equal(round.nominations.length, 0)
    assert.deepEqual(
      round.nodeClaims.map((n) => n.spec.resources!.requests),
      [{ cpu: '1746m', memory: '1776Mi', pods: '7' }],
    )
  })

  it('NodePool usage and the last limit check before creating a NodeClaim', () => {
    const node = readyNode('n1', 'c7g.2xlarge', 'eu-west-2a', { cpu: '8', memory: '15096Mi', pods: '58' })
    const usage = nodePoolUsage('default', [buildStateNode({ node, nodeClaim: claimFor(node) }), buildStateNode({ node, nodeClaim: claimFor(node) })])
    assert.deepEqual(usage, { cpu: '16', memory: '30192Mi', pods: '116' })
    const pool = tutorialNodePool({ limits: { cpu: '10' } })
    assert.equal(limitsExceededBy({ ...pool, status: { resources: usage } }), 'cpu resource usage of 16 exceeds limit of 10')
    assert.equal(limitsExceededBy({ ...pool, status: { resources: { cpu: '8' } } }), undefined)
  })

  it('the batch window closes 1 s after the last trigger, at most 10 s after the first', () => {
    assert.equal(batchWindowCloses(0, 500), 1_500)
    assert.equal(batchWindowCloses(0, 9_800), 10_000)
  })
})

describe('scale', () => {
  it('5,000 pods bin-pack quickly into the largest types', () => {
    const start = performance.now()
    const r = run(workloadPods(5000))
    const ms = performance.now() - start
    assert.equal(r.podErrors.size, 0)
    assert.equal(
      r.newNodeClaims.reduce((s, n) => s + n.pods.length, 0),
      5000,
    )
    assert.ok(r.newNodeClaims.length < 40, `${r.newNodeClaims.length} NodeClaims`)
    assert.ok(ms < 5000, `took ${ms} ms`)
  })
})
