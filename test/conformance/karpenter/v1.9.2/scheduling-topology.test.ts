// kubernetes-sigs/karpenter v1.9.1 pkg/controllers/provisioning/scheduling/topology_test.go, ported
// case by case against the 1.x twin (the v0.32 scheduler over NodePools read through
// sandbox/karpenter/v1/adapter.ts). The fixture (scheduling-topology-builders.ts) stands for the
// upstream suite's envtest + fake cloud provider: each `provision` is one `ExpectProvisioned`
// (schedule the pending pods, launch the new NodeClaims as Nodes with the cheapest compatible fake
// instance type, bind the pods), `skew` is `ExpectSkew` (pods per domain, compared as multisets).
// Every case starts from the Describe's NodePool (capacity type Exists) and the fake cloud
// provider's default instance types.

import assert from 'node:assert/strict'
import type { NodeSelectorRequirement, PodAffinityTerm, TopologySpreadConstraint } from '../../../../sandbox/k8s/types.ts'
import { LABEL_ARCH, LABEL_CAPACITY_TYPE, LABEL_HOSTNAME, LABEL_INSTANCE_TYPE, LABEL_ZONE } from '../../../../sandbox/karpenter/labels.ts'
import type { NodePoolV1 } from '../../../../sandbox/karpenter/v1/api.ts'
import { conformance, type NotPorted, type PortedCase } from '../harness.ts'
import { defaultInstanceTypes, instanceTypesAssorted } from '../fake.ts'
import { FakeCluster, nodePool, pod, sorted, unschedulablePod, unschedulablePods, type PodOptions } from './scheduling-topology-builders.ts'

const labels = { test: 'test' }
const selector = { matchLabels: labels }
const ZONE_1 = 'test-zone-1'
const ZONE_2 = 'test-zone-2'
const ZONE_3 = 'test-zone-3'

function spread(topologyKey: string, maxSkew = 1, extra: Partial<TopologySpreadConstraint> = {}): TopologySpreadConstraint {
  return { topologyKey, whenUnsatisfiable: 'DoNotSchedule', labelSelector: selector, maxSkew, ...extra }
}

const zoneIn = (...zones: string[]): NodeSelectorRequirement => ({ key: LABEL_ZONE, operator: 'In', values: zones })
const ctIn = (...cts: string[]): NodeSelectorRequirement => ({ key: LABEL_CAPACITY_TYPE, operator: 'In', values: cts })
const cpu = (v: string): Record<string, string> => ({ cpu: v })

/** The Describe's BeforeEach: one NodePool allowing any capacity type, the default fake instance types. */
function setup(): { env: FakeCluster; np: NodePoolV1 } {
  return { env: new FakeCluster(defaultInstanceTypes()), np: nodePool({ requirements: [{ key: LABEL_CAPACITY_TYPE, operator: 'Exists' }] }) }
}

function setRequirements(np: NodePoolV1, ...reqs: NodeSelectorRequirement[]): void {
  np.spec.template.spec.requirements = reqs
}

function spreadPods(n: number, tsc: TopologySpreadConstraint[], o: PodOptions = {}) {
  return unschedulablePods({ labels, tsc, ...o }, n)
}

/** `ExpectSkew(...).To(ConsistOf(...))`. */
function expectSkew(env: FakeCluster, tsc: Pick<TopologySpreadConstraint, 'topologyKey' | 'labelSelector'>, ...counts: number[]): void {
  assert.deepEqual(env.skew(tsc), sorted(...counts))
}

/** `ExpectSkew(...).ToNot(ContainElements(BeNumerically(">", max)))`. */
function expectSkewAtMost(env: FakeCluster, tsc: TopologySpreadConstraint, max: number): void {
  const over = env.skew(tsc).filter((c) => c > max)
  assert.deepEqual(over, [], `no domain above ${max}`)
}

/** `ExpectMaxSkew`: max − min of the per-domain counts. */
function maxSkew(env: FakeCluster, tsc: TopologySpreadConstraint): number {
  const counts = env.skew(tsc)
  return counts.length === 0 ? 0 : Math.max(...counts) - Math.min(...counts)
}

const C = {
  zonal: 'Topology › Zonal › ',
  hostname: 'Topology › Hostname › ',
  ct: 'Topology › CapacityType › ',
  hostZonal: 'Topology › Combined Hostname and Zonal Topology › ',
  mlk: 'Topology › MatchLabelKeys › ',
  ntp: 'Topology › NodeTaintsPolicy › ',
  nap: 'Topology › NodeAffinityPolicy › ',
  zonalCt: 'Topology › Combined Zonal and Capacity Type Topology › ',
  all3: 'Topology › Combined Hostname, Zonal, and Capacity Type Topology › ',
  zonalAff: 'Topology › Combined Zonal Topology and Node Affinity › ',
  ctAff: 'Topology › Combined Capacity Type Topology and Node Affinity › ',
  aff: 'Topology › Pod Affinity/Anti-Affinity › ',
  taints: 'Taints › ',
}

/** Zonal cases where 4 labelled pods spread under a NodePool variant. */
function zonalFour(setupPool: (np: NodePoolV1, pools: NodePoolV1[]) => void, expected: number[], tsc = spread(LABEL_ZONE)): () => void {
  return () => {
    const { env, np } = setup()
    const pools = [np]
    setupPool(np, pools)
    env.provision(pools, ...spreadPods(4, [tsc]))
    expectSkew(env, tsc, ...expected)
  }
}

/** The "only count running/scheduled pods" case, for a key and the two labelled nodes' values. */
function onlyCountsRunning(key: string, first: string, second: string, expected: number[]): () => void {
  return () => {
    const { env, np } = setup()
    const wrongNamespace = 'wrong-namespace'
    env.namespaces.push({ name: wrongNamespace })
    const n1 = env.addNode({ labels: { [key]: first } }).metadata.name
    const n2 = env.addNode({ labels: { [key]: second } }).metadata.name
    const n3 = env.addNode({}).metadata.name
    const tsc = spread(key)
    env.provision(
      [np],
      pod({ nodeName: n1 }),
      pod({ labels }),
      pod({ labels, nodeName: n3 }),
      pod({ labels, namespace: wrongNamespace, nodeName: n1 }),
      pod({ labels, deletionTimestamp: new Date(Date.now() + 10_000).toISOString() }),
      pod({ labels, nodeName: n1, phase: 'Failed' }),
      pod({ labels, nodeName: n1, phase: 'Succeeded' }),
      pod({ labels, nodeName: n1 }),
      pod({ labels, nodeName: n1 }),
      pod({ labels, nodeName: n2 }),
      unschedulablePod({ labels, tsc: [tsc] }),
      unschedulablePod({ labels, tsc: [tsc] }),
    )
    expectSkew(env, tsc, ...expected)
  }
}

/** Hostname spread whose selector matches none of the pods: they pack onto one node. */
function interdependentSelectors(): void {
  const { env, np } = setup()
  const tsc = spread(LABEL_HOSTNAME)
  const pods = unschedulablePods({ tsc: [tsc] }, 5)
  env.provision([np], ...pods)
  assert.equal(new Set(pods.map((p) => p.spec.nodeName)).size, 1)
}

/** One pod forced into a domain by the NodePool, then `n` more into other domains. */
function forcedThenMore(
  first: NodeSelectorRequirement,
  then: NodeSelectorRequirement,
  n: number,
  tsc: TopologySpreadConstraint,
  expected: number[],
  firstHasSpread = true,
): () => void {
  return () => {
    const { env, np } = setup()
    setRequirements(np, first)
    env.provision([np], unschedulablePod({ labels, requests: cpu('1.1'), tsc: firstHasSpread ? [tsc] : undefined }))
    if (firstHasSpread) expectSkew(env, tsc, 1)
    setRequirements(np, then)
    env.provision([np], ...spreadPods(n, [tsc], { requests: cpu('1.1') }))
    expectSkew(env, tsc, ...expected)
  }
}

const cases: PortedCase[] = [
  {
    name: 'Topology › should ignore unknown topology keys',
    run: () => {
      const { env, np } = setup()
      const pods = [unschedulablePod({ labels, tsc: [spread('unknown')] }), unschedulablePod()]
      env.provision([np], ...pods)
      assert.ok(!env.scheduled(pods[0]))
      env.nodeOf(pods[1])
    },
  },
  {
    name: 'Topology › should not spread when a nil label selector is defined',
    run: () => {
      const { env, np } = setup()
      const tsc: TopologySpreadConstraint = { topologyKey: LABEL_ZONE, whenUnsatisfiable: 'DoNotSchedule', maxSkew: 1 }
      env.provision([np], ...unschedulablePods({ labels, tsc: [tsc] }, 2))
      expectSkew(env, tsc, 2)
    },
  },
  { name: `${C.zonal}should balance pods across zones (match labels)`, run: zonalFour(() => {}, [1, 1, 2]) },
  {
    name: `${C.zonal}should balance pods across zones (match expressions)`,
    run: zonalFour(() => {}, [1, 1, 2], spread(LABEL_ZONE, 1, { labelSelector: { matchExpressions: [{ key: 'test', operator: 'In', values: ['test'] }] } })),
  },
  { name: `${C.zonal}should respect NodePool zonal constraints`, run: zonalFour((np) => setRequirements(np, zoneIn(ZONE_1, ZONE_2, ZONE_3)), [1, 1, 2]) },
  {
    name: `${C.zonal}should respect NodePool zonal constraints (subset) with requirements`,
    run: zonalFour((np) => setRequirements(np, zoneIn(ZONE_1, ZONE_2)), [2, 2]),
  },
  {
    name: `${C.zonal}should respect NodePool zonal constraints (subset) with labels`,
    run: zonalFour((np) => (np.spec.template.metadata = { labels: { [LABEL_ZONE]: ZONE_1 } }), [4]),
  },
  {
    name: `${C.zonal}should respect NodePool zonal constraints (subset) with requirements and labels`,
    run: zonalFour(
      (np) => {
        setRequirements(np, zoneIn(ZONE_1, ZONE_2))
        np.spec.template.metadata = { labels: { [LABEL_ZONE]: ZONE_1 } }
      },
      [4],
    ),
  },
  {
    name: `${C.zonal}should respect NodePool zonal constraints (subset) with labels across NodePools`,
    run: zonalFour(
      (np, pools) => {
        setRequirements(np, zoneIn(ZONE_1, ZONE_2))
        np.spec.template.metadata = { labels: { [LABEL_ZONE]: ZONE_1 } }
        pools.push(nodePool({ labels: { [LABEL_ZONE]: ZONE_2 } }))
      },
      [2, 2],
    ),
  },
  {
    name: `${C.zonal}should respect NodePool zonal constraints (existing pod)`,
    run: () => {
      const { env, np } = setup()
      const first = unschedulablePod({ labels, requests: cpu('1.1'), nodeSelector: { [LABEL_ZONE]: ZONE_3 } })
      env.provision([np], first)
      env.nodeOf(first)
      setRequirements(np, zoneIn(ZONE_1, ZONE_2))
      const tsc = spread(LABEL_ZONE)
      env.provision([np], ...spreadPods(6, [tsc], { requests: cpu('1.1') }))
      expectSkew(env, tsc, 1, 2, 2)
    },
  },
  {
    name: `${C.zonal}should schedule to the non-minimum domain if its all that's available`,
    run: () => {
      const { env, np } = setup()
      const tsc = spread(LABEL_ZONE, 5)
      setRequirements(np, zoneIn(ZONE_1))
      env.provision([np], unschedulablePod({ labels, requests: cpu('1.1'), tsc: [tsc] }))
      expectSkew(env, tsc, 1)
      setRequirements(np, zoneIn(ZONE_2))
      env.provision([np], unschedulablePod({ labels, requests: cpu('1.1'), tsc: [tsc] }))
      expectSkew(env, tsc, 1, 1)
      setRequirements(np, zoneIn(ZONE_3))
      env.provision([np], ...spreadPods(10, [tsc], { requests: cpu('1.1') }))
      expectSkew(env, tsc, 1, 1, 6)
    },
  },
  {
    name: `${C.zonal}should only schedule to minimum domains if already violating max skew`,
    run: () => {
      const { env, np } = setup()
      const tsc = spread(LABEL_ZONE)
      const pods = spreadPods(9, [tsc], { requests: cpu('1.1') })
      env.provision([np], ...pods)
      expectSkew(env, tsc, 3, 3, 3)
      for (const p of pods) if (env.nodeOf(p).metadata.labels?.[LABEL_ZONE] !== ZONE_1) env.delete(p)
      expectSkew(env, tsc, 3)
      env.provision([np], ...spreadPods(3, [tsc], { requests: cpu('1.1') }))
      expectSkew(env, tsc, 3, 1, 2)
    },
  },
  {
    name: `${C.zonal}should not violate max-skew when unsat = do not schedule`,
    run: forcedThenMore(zoneIn(ZONE_1), zoneIn(ZONE_2, ZONE_3), 10, spread(LABEL_ZONE), [1, 2, 2]),
  },
  {
    name: `${C.zonal}should not violate max-skew when unsat = do not schedule (discover domains)`,
    run: forcedThenMore(zoneIn(ZONE_1), zoneIn(ZONE_2, ZONE_3), 10, spread(LABEL_ZONE), [1, 2, 2], false),
  },
  {
    name: `${C.zonal}should only count running/scheduled pods with matching labels scheduled to nodes with a corresponding domain`,
    run: onlyCountsRunning(LABEL_ZONE, ZONE_1, ZONE_2, [2, 2, 1]),
  },
  {
    name: `${C.zonal}should match all pods when labelSelector is not specified`,
    run: () => {
      const { env, np } = setup()
      env.provision([np], unschedulablePod())
      expectSkew(env, { topologyKey: LABEL_ZONE }, 1)
    },
  },
  { name: `${C.zonal}should handle interdependent selectors`, run: interdependentSelectors },
  {
    name: `${C.zonal}should respect minDomains constraints`,
    run: () => {
      const { env, np } = setup()
      setRequirements(np, zoneIn(ZONE_1, ZONE_2))
      const tsc = spread(LABEL_ZONE, 1, { minDomains: 3 })
      env.provision([np], ...spreadPods(3, [tsc]))
      expectSkew(env, tsc, 1, 1)
    },
  },
  ...[
    ['equal', 3],
    ['greater than minimum', 2],
  ].map(([what, minDomains]) => ({
    name: `${C.zonal}satisfied minDomains constraints (${what}) should allow expected pod scheduling`,
    run: () => {
      const { env, np } = setup()
      setRequirements(np, zoneIn(ZONE_1, ZONE_2, ZONE_3))
      const tsc = spread(LABEL_ZONE, 1, { minDomains: Number(minDomains) })
      env.provision([np], ...spreadPods(11, [tsc]))
      expectSkew(env, tsc, 4, 4, 3)
    },
  })),
  {
    name: `${C.hostname}should balance pods across nodes`,
    run: () => {
      const { env, np } = setup()
      const tsc = spread(LABEL_HOSTNAME)
      env.provision([np], ...spreadPods(4, [tsc]))
      expectSkew(env, tsc, 1, 1, 1, 1)
    },
  },
  {
    name: `${C.hostname}should balance pods on the same hostname up to maxskew`,
    run: () => {
      const { env, np } = setup()
      const tsc = spread(LABEL_HOSTNAME, 4)
      env.provision([np], ...spreadPods(4, [tsc]))
      expectSkew(env, tsc, 4)
    },
  },
  ...(
    [
      ['balance multiple deployments with hostname topology spread', undefined, 2],
      ['balance multiple deployments with hostname topology spread & varying arch', ['amd64', 'arm64'], 4],
    ] as [string, string[] | undefined, number][]
  ).map(([it, arches, nodes]) => ({
    name: `${C.hostname}${it}`,
    run: () => {
      const { env, np } = setup()
      const spreadPod = (app: string, arch?: string) =>
        unschedulablePod({
          labels: { app },
          nodeRequirements: arch ? [{ key: LABEL_ARCH, operator: 'In', values: [arch] }] : undefined,
          tsc: [{ maxSkew: 1, topologyKey: LABEL_HOSTNAME, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app } } }],
        })
      const pods = [spreadPod('app1', arches?.[0]), spreadPod('app1', arches?.[0]), spreadPod('app2', arches?.[1]), spreadPod('app2', arches?.[1])]
      env.provision([np], ...pods)
      for (const p of pods) env.nodeOf(p)
      assert.equal(env.nodes.length, nodes)
    },
  })),
  {
    name: `${C.ct}should balance pods across capacity types`,
    run: zonalFour(() => {}, [2, 2], spread(LABEL_CAPACITY_TYPE)),
  },
  {
    name: `${C.ct}should respect NodePool capacity type constraints`,
    run: zonalFour((np) => setRequirements(np, ctIn('spot', 'on-demand')), [2, 2], spread(LABEL_CAPACITY_TYPE)),
  },
  {
    name: `${C.ct}should not violate max-skew when unsat = do not schedule (capacity type)`,
    run: forcedThenMore(ctIn('spot'), ctIn('on-demand'), 5, spread(LABEL_CAPACITY_TYPE), [1, 2]),
  },
  {
    name: `${C.ct}should violate max-skew when unsat = schedule anyway (capacity type)`,
    run: forcedThenMore(ctIn('spot'), ctIn('on-demand'), 5, spread(LABEL_CAPACITY_TYPE, 1, { whenUnsatisfiable: 'ScheduleAnyway' }), [1, 5]),
  },
  {
    name: `${C.ct}should only count running/scheduled pods with matching labels scheduled to nodes with a corresponding domain`,
    run: onlyCountsRunning(LABEL_CAPACITY_TYPE, 'spot', 'on-demand', [2, 3]),
  },
  {
    name: `${C.ct}should match all pods when labelSelector is not specified`,
    run: () => {
      const { env, np } = setup()
      env.provision([np], unschedulablePod())
      expectSkew(env, { topologyKey: LABEL_CAPACITY_TYPE }, 1)
    },
  },
  { name: `${C.ct}should handle interdependent selectors`, run: interdependentSelectors },
  {
    name: `${C.ct}should balance pods across capacity-types (node required affinity constrained)`,
    run: () => {
      const { env, np } = setup()
      const first = unschedulablePod({ labels, nodeRequirements: [zoneIn(ZONE_1), ctIn('on-demand')] })
      env.provision([np], first)
      env.nodeOf(first)
      const tsc = spread(LABEL_CAPACITY_TYPE)
      env.provision([np], ...spreadPods(5, [tsc], { nodeRequirements: [zoneIn(ZONE_2), ctIn('spot')] }))
      expectSkew(env, tsc, 1, 5)
    },
  },
  ...(
    [
      ['capacity-types', LABEL_CAPACITY_TYPE, ctIn('on-demand'), ctIn('spot')],
      ['arch', LABEL_ARCH, { key: LABEL_ARCH, operator: 'In', values: ['amd64'] }, { key: LABEL_ARCH, operator: 'In', values: ['arm64'] }],
    ] as [string, string, NodeSelectorRequirement, NodeSelectorRequirement][]
  ).map(([what, key, firstReq, poolReq]) => ({
    name: `${C.ct}should balance pods across ${what} (no constraints)`,
    run: () => {
      const { env, np } = setup()
      const first = unschedulablePod({
        labels,
        nodeSelector: { [LABEL_INSTANCE_TYPE]: 'single-pod-instance-type' },
        nodeRequirements: [firstReq],
      })
      env.provision([np], first)
      env.nodeOf(first)
      const tsc = spread(key)
      setRequirements(np, poolReq)
      env.provision([np], ...spreadPods(5, [tsc], { requests: cpu('2') }))
      expectSkew(env, tsc, 1, 2)
    },
  })),
  {
    name: `${C.hostZonal}should spread pods while respecting both constraints (hostname and zonal)`,
    run: () => {
      const { env, np } = setup()
      const tsc = [spread(LABEL_ZONE), spread(LABEL_HOSTNAME, 3)]
      for (const [n, expected] of [
        [2, [1, 1]],
        [3, [2, 2, 1]],
        [5, [4, 3, 3]],
        [11, [7, 7, 7]],
      ] as const) {
        env.provision([np], ...spreadPods(n, tsc))
        expectSkew(env, tsc[0], ...expected)
        expectSkewAtMost(env, tsc[1], 3)
      }
    },
  },
  {
    name: `${C.hostZonal}should balance pods across NodePool requirements`,
    run: () => {
      const { env } = setup()
      const key = 'capacity.spread.4-1'
      const spot = nodePool({ requirements: [ctIn('spot'), { key, operator: 'In', values: ['2', '3', '4', '5'] }] })
      const od = nodePool({ requirements: [ctIn('on-demand'), { key, operator: 'In', values: ['1'] }] })
      const tsc = spread(key)
      const pods = spreadPods(20, [tsc])
      env.provision([spot, od], ...pods)
      for (const p of pods) env.nodeOf(p)
      expectSkew(env, tsc, 4, 4, 4, 4, 4)
      expectSkew(env, spread(LABEL_CAPACITY_TYPE), 4, 16)
    },
  },
  {
    name: `${C.hostZonal}should spread pods while respecting both constraints`,
    run: () => {
      const { env, np } = setup()
      const tsc = [spread(LABEL_ZONE), spread(LABEL_HOSTNAME, 1, { whenUnsatisfiable: 'ScheduleAnyway' })]
      setRequirements(np, zoneIn(ZONE_1, ZONE_2))
      const b = nodePool({ requirements: [zoneIn(ZONE_3)], limits: { cpu: '0' } })
      env.provision([np, b], ...spreadPods(10, tsc))
      expectSkew(env, tsc[0], 1, 1)
      expectSkew(env, tsc[1], 1, 1)
    },
  },
  {
    // The second It of the Context with the same text (capacity type + hostname).
    name: `${C.hostZonal}should spread pods while respecting both constraints [2nd]`,
    run: () => {
      const { env, np } = setup()
      const tsc = [spread(LABEL_CAPACITY_TYPE), spread(LABEL_HOSTNAME, 3)]
      for (const [n, expected] of [
        [2, [1, 1]],
        [3, [3, 2]],
        [5, [5, 5]],
        [11, [11, 10]],
      ] as const) {
        env.provision([np], ...spreadPods(n, tsc))
        expectSkew(env, tsc[0], ...expected)
        expectSkewAtMost(env, tsc[1], 3)
      }
    },
  },
  {
    name: `${C.mlk}should support matchLabelKeys`,
    run: () => {
      const { env, np } = setup()
      const tsc = spread(LABEL_HOSTNAME, 1, { matchLabelKeys: ['test-label'] })
      const pods = [
        ...unschedulablePods({ labels: { ...labels, 'test-label': 'value-a' }, tsc: [tsc] }, 2),
        ...unschedulablePods({ labels: { ...labels, 'test-label': 'value-b' }, tsc: [tsc] }, 2),
      ]
      env.provision([np], ...pods)
      expectSkew(env, tsc, 2, 2)
    },
  },
  {
    name: `${C.mlk}should ignore unknown labels specified in matchLabelKeys`,
    run: () => {
      const { env, np } = setup()
      const tsc = spread(LABEL_HOSTNAME, 1, { matchLabelKeys: ['test-label'] })
      env.provision([np], ...spreadPods(4, [tsc]))
      expectSkew(env, tsc, 1, 1, 1, 1)
    },
  },
  ...(['ignore', 'honor'] as const).map((policy) => ({
    name: `${C.ntp}should balance pods across a label (NodeTaintsPolicy=${policy})`,
    run: () => {
      const { env, np } = setup()
      np.spec.template.metadata = { labels: { 'fake-label': 'baz' } }
      for (const v of ['foo', 'bar'])
        env.addNode({ labels: { 'fake-label': v }, taints: [{ key: 'taintname', value: 'taintvalue', effect: 'NoSchedule' }], allocatable: cpu('100m') })
      env.provision([np])
      const tsc = spread('fake-label', 1, { nodeTaintsPolicy: policy === 'ignore' ? 'Ignore' : 'Honor' })
      env.provision([np], ...spreadPods(5, [tsc], { requests: cpu('1') }))
      expectSkew(env, tsc, ...(policy === 'ignore' ? [1] : [5]))
    },
  })),
  ...(['ignore', 'honor'] as const).map((policy) => ({
    name: `${C.ntp}should balance pods across a label when discovered from the nodepool (NodeTaintsPolicy=${policy})`,
    run: () => {
      const { env, np } = setup()
      np.spec.template.spec.requirements.push({ key: 'fake-label', operator: 'In', values: ['foo'] })
      const tainted = nodePool({
        taints: [{ key: 'taint-key', value: 'taint-value', effect: 'NoSchedule' }],
        requirements: [
          { key: LABEL_CAPACITY_TYPE, operator: 'Exists' },
          { key: 'fake-label', operator: 'In', values: ['bar'] },
        ],
      })
      const tsc = spread('fake-label', 1, { nodeTaintsPolicy: policy === 'ignore' ? 'Ignore' : 'Honor' })
      env.provision([np, tainted], ...spreadPods(2, [tsc]))
      expectSkew(env, tsc, ...(policy === 'ignore' ? [1] : [2]))
    },
  })),
  {
    name: `${C.ntp}should balance pods across a label when mutually exclusive NodePools (by taints) share domains (NodeTaintsPolicy=honor)`,
    run: () => {
      const { env } = setup()
      const pools = [
        ['foo', 'bar'],
        ['foo', 'baz'],
      ].map((domains, i) =>
        nodePool({
          taints: [{ key: 'taint-key', value: `nodepool-${i}`, effect: 'NoSchedule' }],
          requirements: [
            { key: LABEL_CAPACITY_TYPE, operator: 'Exists' },
            { key: 'fake-label', operator: 'In', values: domains },
          ],
        }),
      )
      const tsc = spread('fake-label', 1, { nodeTaintsPolicy: 'Honor' })
      const pods = pools.flatMap((_, i) =>
        spreadPods((i + 1) * 2, [tsc], { tolerations: [{ key: 'taint-key', effect: 'NoSchedule', value: `nodepool-${i}` }] }),
      )
      env.provision(pools, ...pods)
      expectSkew(env, tsc, 3, 2, 1)
    },
  },
  ...(['ignore', 'honor'] as const).map((policy) => ({
    name: `${C.nap}should balance pods across a label (NodeAffinityPolicy=${policy})`,
    run: () => {
      const { env, np } = setup()
      np.spec.template.metadata = { labels: { 'fake-label': 'baz', selector: 'value' } }
      for (const v of ['foo', 'bar']) env.addNode({ labels: { 'fake-label': v, selector: 'mismatch' }, allocatable: cpu('100m') })
      env.provision([np])
      const tsc = spread('fake-label', 1, { nodeAffinityPolicy: policy === 'ignore' ? 'Ignore' : 'Honor' })
      env.provision([np], ...spreadPods(5, [tsc], { requests: cpu('1'), nodeSelector: { selector: 'value' } }))
      expectSkew(env, tsc, ...(policy === 'ignore' ? [1] : [5]))
    },
  })),
  {
    name: `${C.zonalCt}should spread pods while respecting both constraints`,
    run: () => {
      const { env, np } = setup()
      const tsc = [spread(LABEL_CAPACITY_TYPE), spread(LABEL_ZONE)]
      for (const [n, ct, zone] of [
        [2, 1, 1],
        [3, 3, 2],
        [3, 5, 4],
        [11, 11, 7],
      ]) {
        env.provision([np], ...spreadPods(n, tsc))
        expectSkewAtMost(env, tsc[0], ct)
        expectSkewAtMost(env, tsc[1], zone)
      }
    },
  },
  {
    name: `${C.all3}should spread pods while respecting all constraints`,
    run: () => {
      const { env, np } = setup()
      env.instanceTypes = instanceTypesAssorted()
      const tsc = [spread(LABEL_CAPACITY_TYPE), spread(LABEL_ZONE, 2), spread(LABEL_HOSTNAME, 3)]
      for (let i = 1; i < 15; i++) {
        const pods = spreadPods(i, tsc)
        env.provision([np], ...pods)
        assert.ok(maxSkew(env, tsc[0]) <= 1)
        assert.ok(maxSkew(env, tsc[1]) <= 2)
        assert.ok(maxSkew(env, tsc[2]) <= 3)
        for (const p of pods) env.nodeOf(p)
      }
    },
  },
  {
    name: `${C.zonalAff}should limit spread options by nodeSelector`,
    run: () => {
      const { env, np } = setup()
      const tsc = spread(LABEL_ZONE)
      env.provision(
        [np],
        ...spreadPods(5, [tsc], { nodeSelector: { [LABEL_ZONE]: ZONE_1 } }),
        ...spreadPods(10, [tsc], { nodeSelector: { [LABEL_ZONE]: ZONE_2 } }),
      )
      expectSkew(env, tsc, 5, 10)
    },
  },
  {
    name: `${C.zonalAff}should limit spread options by node requirements`,
    run: () => {
      const { env, np } = setup()
      const tsc = spread(LABEL_ZONE)
      env.provision([np], ...spreadPods(10, [tsc], { nodeRequirements: [zoneIn(ZONE_1, ZONE_2)] }))
      expectSkew(env, tsc, 5, 5)
    },
  },
  {
    name: `${C.zonalAff}should limit spread options by required node affinity`,
    run: () => {
      const { env, np } = setup()
      const tsc = spread(LABEL_ZONE)
      env.provision([np], ...spreadPods(6, [tsc], { nodeRequirements: [zoneIn(ZONE_1, ZONE_2)] }))
      expectSkew(env, tsc, 3, 3)
      setRequirements(np, zoneIn(ZONE_1, ZONE_2, ZONE_3))
      env.provision([np], unschedulablePod({ labels, tsc: [tsc], nodeRequirements: [zoneIn(ZONE_2, ZONE_3)] }))
      expectSkew(env, tsc, 3, 3, 1)
      env.provision([np], ...spreadPods(5, [tsc]))
      expectSkew(env, tsc, 4, 4, 4)
    },
  },
  {
    name: `${C.zonalAff}should not limit spread options by preferred node affinity`,
    run: () => {
      const { env, np } = setup()
      const tsc = spread(LABEL_ZONE)
      env.provision([np], ...spreadPods(6, [tsc], { nodePreferences: [zoneIn(ZONE_1, ZONE_2)] }))
      expectSkew(env, tsc, 2, 2, 2)
    },
  },
  {
    name: `${C.ctAff}should limit spread options by nodeSelector`,
    run: () => {
      const { env, np } = setup()
      const tsc = spread(LABEL_CAPACITY_TYPE, 1, { whenUnsatisfiable: 'ScheduleAnyway' })
      env.provision(
        [np],
        ...spreadPods(5, [tsc], { nodeSelector: { [LABEL_CAPACITY_TYPE]: 'spot' } }),
        ...spreadPods(5, [tsc], { nodeSelector: { [LABEL_CAPACITY_TYPE]: 'on-demand' } }),
      )
      expectSkew(env, tsc, 5, 5)
    },
  },
  {
    name: `${C.ctAff}should limit spread options by node affinity (capacity type)`,
    run: () => {
      const { env, np } = setup()
      const tsc = spread(LABEL_CAPACITY_TYPE)
      env.provision([np], ...spreadPods(3, [tsc], { nodeRequirements: [ctIn('spot')] }))
      expectSkew(env, tsc, 3)
      env.provision([np], unschedulablePod({ labels, tsc: [tsc], nodeRequirements: [ctIn('on-demand', 'spot')] }))
      expectSkew(env, tsc, 3, 1)
      env.provision([np], ...spreadPods(5, [tsc]))
      expectSkew(env, tsc, 5, 4)
    },
  },
  ...affinityCases(),
  ...taintCases(),
]

/** A required (anti-)affinity term on `key` selecting `matchLabels`. */
function term(matchLabels: Record<string, string>, topologyKey: string, extra: Partial<PodAffinityTerm> = {}): PodAffinityTerm {
  return { labelSelector: { matchLabels }, topologyKey, ...extra }
}

const aff = { security: 's2' }

/** `ExpectScheduled` on every pod; the distinct node names. */
function nodeNames(env: FakeCluster, pods: readonly ReturnType<typeof unschedulablePod>[]): Set<string> {
  return new Set(pods.map((p) => env.nodeOf(p).metadata.name ?? ''))
}

/** The three zone-pinned 2-CPU pods of the "(inverse)" anti-affinity cases. */
function zonePinned(o: PodOptions): ReturnType<typeof unschedulablePod>[] {
  return [ZONE_1, ZONE_2, ZONE_3].map((z) => unschedulablePod({ requests: cpu('2'), nodeSelector: { [LABEL_ZONE]: z }, ...o }))
}

/** Namespace-filtered affinity: 10 spread pods, a target in another namespace, a pod with affinity to it. */
function namespaceCase(ns: { name: string; labels?: Record<string, string> }, extra: Partial<PodAffinityTerm>, sameNode: boolean): () => void {
  return () => {
    const { env, np } = setup()
    env.namespaces.push(ns)
    const target = unschedulablePod({ labels: aff, namespace: ns.name })
    const follower = unschedulablePod({ podRequirements: [term(aff, LABEL_HOSTNAME, extra)] })
    env.provision([np], ...spreadPods(10, [spread(LABEL_HOSTNAME)]), target, follower)
    const n1 = env.nodeOf(target)
    if (!sameNode) {
      assert.ok(!env.scheduled(follower))
      return
    }
    assert.equal(env.nodeOf(follower).metadata.name, n1.metadata.name)
  }
}

function affinityCases(): PortedCase[] {
  const zoneTop = { topologyKey: LABEL_ZONE }
  return [
    {
      name: `${C.aff}should schedule a pod with empty pod affinity and anti-affinity`,
      run: () => {
        const { env, np } = setup()
        const p = unschedulablePod({ podRequirements: [], podAntiRequirements: [] })
        env.provision([np], p)
        env.nodeOf(p)
      },
    },
    {
      name: `${C.aff}should respect pod affinity (hostname)`,
      run: () => {
        const { env, np } = setup()
        const p1 = unschedulablePod({ labels: aff })
        const p2 = unschedulablePod({ podRequirements: [term(aff, LABEL_HOSTNAME)] })
        env.provision([np], ...spreadPods(10, [spread(LABEL_HOSTNAME)]), p1, p2)
        assert.equal(env.nodeOf(p1).metadata.name, env.nodeOf(p2).metadata.name)
      },
    },
    {
      name: `${C.aff}should respect pod affinity (arch)`,
      run: () => {
        const { env, np } = setup()
        const tsc = [spread(LABEL_HOSTNAME, 1, { labelSelector: { matchLabels: aff } })]
        const p1 = unschedulablePod({ tsc, labels: aff, requests: cpu('2'), nodeSelector: { [LABEL_ARCH]: 'arm64' } })
        const p2 = unschedulablePod({ tsc, labels: aff, requests: cpu('1'), podRequirements: [term(aff, LABEL_ARCH)] })
        env.provision([np], p1, p2)
        const n1 = env.nodeOf(p1)
        const n2 = env.nodeOf(p2)
        assert.equal(n1.metadata.labels?.[LABEL_ARCH], n2.metadata.labels?.[LABEL_ARCH])
        assert.notEqual(n1.metadata.name, n2.metadata.name)
      },
    },
    {
      name: `${C.aff}should respect self pod affinity (hostname)`,
      run: () => {
        const { env, np } = setup()
        const pods = unschedulablePods({ labels: aff, podRequirements: [term(aff, LABEL_HOSTNAME)] }, 3)
        env.provision([np], ...pods)
        assert.equal(nodeNames(env, pods).size, 1)
      },
    },
    {
      name: `${C.aff}should respect self pod affinity for first empty topology domain only (hostname)`,
      run: () => {
        const { env, np } = setup()
        const create = () => unschedulablePods({ labels: aff, podRequirements: [term(aff, LABEL_HOSTNAME)] }, 10)
        const pods = create()
        env.provision([np], ...pods)
        const scheduled = pods.filter((p) => p.spec.nodeName)
        assert.equal(new Set(scheduled.map((p) => p.spec.nodeName)).size, 1)
        assert.equal(scheduled.length, 5)
        assert.equal(pods.length - scheduled.length, 5)
        const more = create()
        env.provision([np], ...more)
        for (const p of more) assert.ok(!env.scheduled(p))
      },
    },
    {
      name: `${C.aff}should respect self pod affinity for first empty topology domain only (hostname/constrained zones)`,
      run: () => {
        const { env, np } = setup()
        env.provision([np], unschedulablePod({ labels: aff, nodeSelector: { [LABEL_ZONE]: ZONE_1 }, podRequirements: [term(aff, LABEL_HOSTNAME)] }))
        const pods = unschedulablePods({ labels: aff, nodeRequirements: [zoneIn(ZONE_2, ZONE_3)], podRequirements: [term(aff, LABEL_HOSTNAME)] }, 10)
        env.provision([np], ...pods)
        for (const p of pods) assert.ok(!env.scheduled(p))
      },
    },
    {
      name: `${C.aff}should respect self pod affinity (zone)`,
      run: () => {
        const { env, np } = setup()
        const pods = unschedulablePods({ labels: aff, podRequirements: [term(aff, LABEL_ZONE)] }, 3)
        env.provision([np], ...pods)
        assert.equal(nodeNames(env, pods).size, 1)
      },
    },
    {
      name: `${C.aff}should respect self pod affinity (zone w/ constraint)`,
      run: () => {
        const { env, np } = setup()
        const pods = unschedulablePods({ labels: aff, podRequirements: [term(aff, LABEL_ZONE)], nodeRequirements: [zoneIn(ZONE_3)] }, 3)
        env.provision([np], ...pods)
        for (const p of pods) assert.equal(env.nodeOf(p).metadata.labels?.[LABEL_ZONE], ZONE_3)
        assert.equal(nodeNames(env, pods).size, 1)
      },
    },
    {
      name: `${C.aff}should allow two nodes to be created when two pods with matching affinities have incompatible selectors`,
      run: () => {
        const { env, np } = setup()
        const s1 = { security: 's1' }
        const p1 = unschedulablePod({ labels: s1, podRequirements: [term(s1, LABEL_ZONE)], nodeRequirements: [zoneIn(ZONE_2)] })
        const p2 = unschedulablePod({ labels: s1, podRequirements: [term(s1, LABEL_ZONE)], nodeRequirements: [zoneIn(ZONE_3)] })
        env.provision([np], p1, p2)
        assert.equal(env.nodeOf(p1).metadata.labels?.[LABEL_ZONE], ZONE_2)
        assert.equal(env.nodeOf(p2).metadata.labels?.[LABEL_ZONE], ZONE_3)
        assert.equal(nodeNames(env, [p1, p2]).size, 2)
      },
    },
    {
      name: `${C.aff}should allow violation of preferred pod affinity`,
      run: () => {
        const { env, np } = setup()
        const p = unschedulablePod({ podPreferences: [{ weight: 50, podAffinityTerm: term(aff, LABEL_HOSTNAME) }] })
        env.provision([np], ...spreadPods(10, [spread(LABEL_HOSTNAME)]), p)
        env.nodeOf(p)
      },
    },
    {
      name: `${C.aff}should allow violation of preferred pod anti-affinity`,
      run: () => {
        const { env, np } = setup()
        const affPods = unschedulablePods({ podAntiPreferences: [{ weight: 50, podAffinityTerm: term(labels, LABEL_ZONE) }] }, 10)
        env.provision([np], ...spreadPods(3, [spread(LABEL_ZONE)]), ...affPods)
        for (const p of affPods) env.nodeOf(p)
      },
    },
    {
      name: `${C.aff}should separate nodes using simple pod anti-affinity on hostname`,
      run: () => {
        const { env, np } = setup()
        for (let i = 0; i < 10; i++) {
          const p1 = unschedulablePod({ labels: aff })
          const p2 = unschedulablePod({ podAntiRequirements: [term(aff, LABEL_HOSTNAME)] })
          env.provision([np], p2, p1)
          assert.notEqual(env.nodeOf(p1).metadata.name, env.nodeOf(p2).metadata.name)
        }
      },
    },
    {
      name: `${C.aff}should not violate pod anti-affinity on zone`,
      run: () => {
        const { env, np } = setup()
        const zonal = zonePinned({ labels: aff })
        const anti = unschedulablePod({ podAntiRequirements: [term(aff, LABEL_ZONE)] })
        env.provision([np], ...zonal, anti)
        for (const p of zonal) env.nodeOf(p)
        assert.ok(!env.scheduled(anti))
      },
    },
    {
      name: `${C.aff}should not violate pod anti-affinity on zone (other schedules first)`,
      run: () => {
        const { env, np } = setup()
        const p = unschedulablePod({ labels: aff, requests: cpu('2') })
        const anti = unschedulablePod({ podAntiRequirements: [term(aff, LABEL_ZONE)] })
        env.provision([np], p, anti)
        env.nodeOf(p)
        assert.ok(!env.scheduled(anti))
      },
    },
    {
      name: `${C.aff}should not violate pod anti-affinity (arch)`,
      run: () => {
        const { env, np } = setup()
        const tsc = [spread(LABEL_HOSTNAME, 1, { labelSelector: { matchLabels: aff } })]
        const p1 = unschedulablePod({ tsc, labels: aff, requests: cpu('2'), nodeSelector: { [LABEL_ARCH]: 'arm64' } })
        const p2 = unschedulablePod({ tsc, labels: aff, requests: cpu('1'), podAntiRequirements: [term(aff, LABEL_ARCH)] })
        env.provision([np], p1, p2)
        assert.notEqual(env.nodeOf(p1).metadata.labels?.[LABEL_ARCH], env.nodeOf(p2).metadata.labels?.[LABEL_ARCH])
      },
    },
    {
      name: `${C.aff}should violate preferred pod anti-affinity on zone (inverse)`,
      run: () => {
        const { env, np } = setup()
        const zonal = zonePinned({ podAntiPreferences: [{ weight: 10, podAffinityTerm: term(aff, LABEL_ZONE) }] })
        const target = unschedulablePod({ labels: aff })
        env.provision([np], ...zonal, target)
        for (const p of [...zonal, target]) env.nodeOf(p)
      },
    },
    {
      name: `${C.aff}should not violate pod anti-affinity on zone (inverse)`,
      run: () => {
        const { env, np } = setup()
        const zonal = zonePinned({ podAntiRequirements: [term(aff, LABEL_ZONE)] })
        const target = unschedulablePod({ labels: aff })
        env.provision([np], ...zonal, target)
        for (const p of zonal) env.nodeOf(p)
        assert.ok(!env.scheduled(target))
      },
    },
    {
      name: `${C.aff}should not violate pod anti-affinity on zone (Schrödinger)`,
      run: () => {
        const { env, np } = setup()
        const anywhere = unschedulablePod({ podAntiRequirements: [term(aff, LABEL_ZONE)], requests: cpu('2') })
        const target = unschedulablePod({ labels: aff })
        env.provision([np], anywhere, target)
        const n1 = env.nodeOf(anywhere)
        assert.ok(!env.scheduled(target))
        env.provision([np], target)
        assert.notEqual(n1.metadata.labels?.[LABEL_ZONE], env.nodeOf(target).metadata.labels?.[LABEL_ZONE])
      },
    },
    {
      name: `${C.aff}should not violate pod anti-affinity on zone (inverse w/existing nodes)`,
      run: () => {
        const { env, np } = setup()
        const zonal = zonePinned({ podAntiRequirements: [term(aff, LABEL_ZONE)] })
        env.provision([np], ...zonal)
        for (const p of zonal) env.nodeOf(p)
        const target = unschedulablePod({ labels: aff })
        env.provision([np], target)
        assert.ok(!env.scheduled(target))
      },
    },
    {
      name: `${C.aff}should violate preferred pod anti-affinity on zone (inverse w/existing nodes)`,
      run: () => {
        const { env, np } = setup()
        const zonal = zonePinned({ podAntiPreferences: [{ weight: 10, podAffinityTerm: term(aff, LABEL_ZONE) }] })
        env.provision([np], ...zonal)
        for (const p of zonal) env.nodeOf(p)
        const target = unschedulablePod({ labels: aff })
        env.provision([np], target)
        env.nodeOf(target)
      },
    },
    {
      name: `${C.aff}should allow violation of a pod affinity preference with a conflicting required constraint`,
      run: () => {
        const { env, np } = setup()
        const tsc = spread(LABEL_HOSTNAME)
        const target = unschedulablePod({ labels: aff })
        const pods = unschedulablePods({ labels, tsc: [tsc], podPreferences: [{ weight: 50, podAffinityTerm: term(aff, LABEL_HOSTNAME) }] }, 3)
        env.provision([np], ...pods, target)
        for (const p of [...pods, target]) env.nodeOf(p)
        expectSkew(env, tsc, 1, 1, 1)
      },
    },
    {
      name: `${C.aff}should support pod anti-affinity with a zone topology`,
      run: () => {
        const { env, np } = setup()
        const create = () => unschedulablePods({ labels: aff, podAntiRequirements: [term(aff, LABEL_ZONE)] }, 3)
        for (const expected of [[1], [1, 1], [1, 1, 1], [1, 1, 1]]) {
          env.provision([np], ...create())
          expectSkew(env, zoneTop, ...expected)
          for (const p of [...env.pods]) if (!p.spec.nodeName) env.delete(p)
        }
      },
    },
    {
      name: `${C.aff}should not schedule pods with affinity to a non-existent pod`,
      run: () => {
        const { env, np } = setup()
        const pods = unschedulablePods({ podRequirements: [term(aff, LABEL_ZONE)] }, 10)
        env.provision([np], ...pods)
        for (const p of pods) assert.ok(!env.scheduled(p))
      },
    },
    {
      name: `${C.aff}should support pod affinity with zone topology (unconstrained target)`,
      run: () => {
        const { env, np } = setup()
        const target = unschedulablePod({ labels: aff })
        const pods = unschedulablePods({ podRequirements: [term(aff, LABEL_ZONE)] }, 10)
        env.provision([np], ...pods, target)
        for (const p of pods) assert.ok(!env.scheduled(p))
        expectSkew(env, zoneTop, 1)
        env.provision([np], ...pods)
        for (const p of pods) env.nodeOf(p)
        expectSkew(env, zoneTop, 11)
      },
    },
    {
      name: `${C.aff}should support pod affinity with zone topology (constrained target)`,
      run: () => {
        const { env, np } = setup()
        const target = unschedulablePod({ labels: aff, nodeRequirements: [zoneIn(ZONE_1)] })
        const pods = unschedulablePods({ podRequirements: [term(aff, LABEL_ZONE)] }, 10)
        env.provision([np], ...pods, target)
        expectSkew(env, zoneTop, 11)
      },
    },
    {
      name: `${C.aff}should handle multiple dependent affinities`,
      run: () => {
        const db = { type: 'db', spread: 'spread' }
        const web = { type: 'web', spread: 'spread' }
        const cache = { type: 'cache', spread: 'spread' }
        const ui = { type: 'ui', spread: 'spread' }
        for (let i = 0; i < 50; i++) {
          // ExpectCleanedUp + cluster.Reset between iterations: a fresh cluster each time.
          const env = new FakeCluster(defaultInstanceTypes(), i + 1)
          const np = nodePool({ requirements: [{ key: LABEL_CAPACITY_TYPE, operator: 'Exists' }] })
          const pods = [
            unschedulablePod({ labels: db }),
            unschedulablePod({ labels: web, podRequirements: [term(db, LABEL_HOSTNAME)] }),
            unschedulablePod({ labels: cache, podRequirements: [term(web, LABEL_HOSTNAME)] }),
            unschedulablePod({ labels: ui, podRequirements: [term(cache, LABEL_HOSTNAME)] }),
          ]
          env.provision([np], ...pods)
          for (const p of pods) env.nodeOf(p)
        }
      },
    },
    {
      name: `${C.aff}should fail to schedule pods with unsatisfiable dependencies`,
      run: () => {
        const { env, np } = setup()
        const p = unschedulablePod({ labels: { type: 'db', spread: 'spread' }, podRequirements: [term({ type: 'web', spread: 'spread' }, LABEL_HOSTNAME)] })
        env.provision([np], p)
        assert.ok(!env.scheduled(p))
      },
    },
    {
      name: `${C.aff}should filter pod affinity topologies by namespace, no matching pods`,
      run: namespaceCase({ name: 'other-ns-no-match' }, {}, false),
    },
    {
      name: `${C.aff}should filter pod affinity topologies by namespace, matching pods namespace list`,
      run: namespaceCase({ name: 'other-ns-list' }, { namespaces: ['other-ns-list'] }, true),
    },
    {
      name: `${C.aff}should filter pod affinity topologies by namespace, empty namespace selector`,
      run: namespaceCase({ name: 'empty-ns-selector', labels: { foo: 'bar' } }, { namespaceSelector: { matchLabels: {} } }, true),
    },
  ]
}

function taintCases(): PortedCase[] {
  return [
    {
      name: `${C.taints}should taint nodes with NodePool taints`,
      run: () => {
        const { env, np } = setup()
        const taint = { key: 'test', value: 'bar', effect: 'NoSchedule' }
        np.spec.template.spec.taints = [taint]
        const p = unschedulablePod({ tolerations: [{ effect: 'NoSchedule', operator: 'Exists' }] })
        env.provision([np], p)
        assert.ok((env.nodeOf(p).spec?.taints ?? []).some((t) => t.key === taint.key && t.value === taint.value && t.effect === taint.effect))
      },
    },
    {
      name: `${C.taints}should schedule pods that tolerate NodePool constraints`,
      run: () => {
        const { env, np } = setup()
        np.spec.template.spec.taints = [{ key: 'test-key', value: 'test-value', effect: 'NoSchedule' }]
        const pods = [
          unschedulablePod({ tolerations: [{ key: 'test-key', operator: 'Exists', effect: 'NoSchedule' }] }),
          unschedulablePod({ tolerations: [{ key: 'test-key', value: 'test-value', operator: 'Equal', effect: 'NoSchedule' }] }),
        ]
        env.provision([np], ...pods)
        for (const p of pods) env.nodeOf(p)
        const others = [
          unschedulablePod(),
          unschedulablePod({ tolerations: [{ key: 'invalid', operator: 'Exists' }] }),
          unschedulablePod({ tolerations: [{ key: 'test-key', operator: 'Equal', effect: 'NoSchedule' }] }),
        ]
        env.provision([np], ...others)
        for (const p of others) assert.ok(!env.scheduled(p))
      },
    },
    {
      name: `${C.taints}should provision nodes with taints and schedule pods if the taint is only a startup taint`,
      run: () => {
        const { env, np } = setup()
        np.spec.template.spec.startupTaints = [{ key: 'ignore-me', value: 'nothing-to-see-here', effect: 'NoSchedule' }]
        const p = unschedulablePod()
        env.provision([np], p)
        env.nodeOf(p)
      },
    },
    {
      name: `${C.taints}should not generate taints for OpExists`,
      run: () => {
        // Upstream counts the taints of the joined Node; the point is that no taint comes from the toleration.
        const { env, np } = setup()
        const p = unschedulablePod({ tolerations: [{ key: 'test-key', operator: 'Exists', effect: 'NoExecute' }] })
        env.provision([np], p)
        assert.ok(!(env.nodeOf(p).spec?.taints ?? []).some((t) => t.key === 'test-key'))
      },
    },
  ]
}

const notPorted: NotPorted[] = [
  {
    name: 'Topology › should not spread an invalid label selector',
    reason:
      'upstream Skips it on every supported Kubernetes (env.Version.Minor() >= 24: the API server rejects the invalid selector at admission); the twin has no admission to reject it',
  },
  {
    name: 'Topology with Volume Requirements › should schedule pod with PVC and TSC minDomains=3 when pods are spread across 3 zones',
    reason:
      'needs PersistentVolume/PersistentVolumeClaim objects and the volume topology requirements (scheduling/volumetopology.go); the twin models no volumes (provisioner Validate is ported without the PVC checks), and the tutorial runs stateless pods',
  },
]

conformance({
  repo: 'kubernetes-sigs/karpenter',
  tag: 'v1.9.1',
  file: 'pkg/controllers/provisioning/scheduling/topology_test.go',
  twin: 'v1.9.2',
  area: 'scheduling',
  upstreamCases: 91,
  cases,
  notPorted,
})
