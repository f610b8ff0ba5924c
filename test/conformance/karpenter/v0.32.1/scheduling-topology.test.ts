// Conformance: kubernetes-sigs/karpenter@v0.32.1
// pkg/controllers/provisioning/scheduling/nodepool_topology_test.go (Describe "Topology" and
// "Taints"), ported case by case against the v0.32.1 twin's provisioning round.
//
// Fixture: the suite's fake cloud provider catalogue (default-instance-type 4 CPU/4Gi/5 pods,
// small-instance-type, two GPU types, arm-instance-type, single-pod-instance-type; spot in
// test-zone-1/2, on-demand in test-zone-1/2/3) and a NodePool requiring
// `karpenter.sh/capacity-type Exists`. `ProvisioningEnv` plays envtest + ExpectProvisioned: nodes
// launched in one round stay (registered, not initialised) for the next, with their pods bound.
// Upstream ExpectSkew is `skew()`: per-domain counts compared as a multiset (ConsistOf).

import assert from 'node:assert/strict'
import type { Pod } from '../../../../sandbox/k8s/types.ts'
import { conformance, type PortedCase } from '../harness.ts'
import { defaultInstanceTypes, instanceTypesAssorted } from '../fake.ts'
import {
  nodePool,
  pod,
  ProvisioningEnv,
  spread,
  unschedulablePod,
  unschedulablePods,
  type NodePoolOptions,
  type PodAffinityTerm,
} from './scheduling-topology-builders.ts'

const ZONE = 'topology.kubernetes.io/zone'
const HOST = 'kubernetes.io/hostname'
const CT = 'karpenter.sh/capacity-type'
const ARCH = 'kubernetes.io/arch'
const labels = { test: 'test' }
const aff = { security: 's2' }
const CPU_1_1 = { cpu: '1.1' }

/** The suite's BeforeEach: a NodePool requiring capacity-type Exists, the default fake catalogue. */
function setup(o: NodePoolOptions = {}, instanceTypes = defaultInstanceTypes()): { env: ProvisioningEnv; np: ReturnType<typeof nodePool> } {
  const env = new ProvisioningEnv(instanceTypes)
  const np = nodePool({ name: 'default', requirements: [{ key: CT, operator: 'Exists' }], ...o })
  env.applyNodePools(np)
  return { env, np }
}

/** Re-applies the NodePool with new requirements (`nodePool.Spec.Template.Spec.Requirements = …; ExpectApplied`). */
function setRequirements(env: ProvisioningEnv, np: ReturnType<typeof nodePool>, reqs: { key: string; operator: string; values?: string[] }[]): void {
  np.spec.template.spec.requirements = reqs
  env.applyNodePools(np)
}

const zoneIn = (...zones: string[]) => [{ key: ZONE, operator: 'In', values: zones }]
const ctIn = (...cts: string[]) => [{ key: CT, operator: 'In', values: cts }]

function consistOf(actual: number[], expected: number[]): void {
  assert.deepEqual(
    [...actual].sort((a, b) => a - b),
    [...expected].sort((a, b) => a - b),
  )
}

function noneAbove(actual: number[], max: number): void {
  assert.ok(
    actual.every((v) => v <= max),
    `expected no count above ${max}, got ${actual.join(',')}`,
  )
}

function allScheduled(env: ProvisioningEnv, pods: Pod[]): void {
  for (const p of pods) env.scheduled(p)
}

function noneScheduled(pods: Pod[]): void {
  for (const p of pods) assert.equal(p.spec.nodeName, undefined, `${p.metadata.name} should not schedule`)
}

function nodeNames(env: ProvisioningEnv, pods: Pod[]): Set<string> {
  return new Set(pods.map((p) => env.scheduled(p).metadata.name ?? ''))
}

const term = (matchLabels: Record<string, string>, topologyKey: string, extra: Partial<PodAffinityTerm> = {}): PodAffinityTerm => ({
  labelSelector: { matchLabels },
  topologyKey,
  ...extra,
})

// ---- Topology › Zonal (and the capacity-type twins of its cases) ----

const zonal: PortedCase[] = [
  {
    name: 'Topology › should ignore unknown topology keys',
    run: () => {
      const { env } = setup()
      const pods = [unschedulablePod({ labels, tsc: [spread('unknown', 1, labels)] }), unschedulablePod()]
      env.provision(...pods)
      noneScheduled([pods[0]])
      env.scheduled(pods[1])
    },
  },
  ...(['match labels', 'match expressions'] as const).map(
    (kind): PortedCase => ({
      name: `Topology › Zonal › should balance pods across zones (${kind})`,
      run: () => {
        const { env } = setup()
        const tsc =
          kind === 'match labels'
            ? spread(ZONE, 1, labels)
            : spread(ZONE, 1, undefined, { labelSelector: { matchExpressions: [{ key: 'test', operator: 'In', values: ['test'] }] } })
        env.provision(...unschedulablePods({ labels, tsc: [tsc] }, 4))
        consistOf(env.skew('default', tsc), [1, 1, 2])
      },
    }),
  ),
  ...(
    [
      ['should respect NodePool zonal constraints', { requirements: zoneIn('test-zone-1', 'test-zone-2', 'test-zone-3') }, [1, 1, 2]],
      ['should respect NodePool zonal constraints (subset) with requirements', { requirements: zoneIn('test-zone-1', 'test-zone-2') }, [2, 2]],
      ['should respect NodePool zonal constraints (subset) with labels', { labels: { [ZONE]: 'test-zone-1' } }, [4]],
      [
        'should respect NodePool zonal constraints (subset) with requirements and labels',
        { requirements: zoneIn('test-zone-1', 'test-zone-2'), labels: { [ZONE]: 'test-zone-1' } },
        [4],
      ],
    ] as [string, NodePoolOptions, number[]][]
  ).map(
    ([name, o, expected]): PortedCase => ({
      name: `Topology › Zonal › ${name}`,
      run: () => {
        const { env } = setup(o)
        const tsc = spread(ZONE, 1, labels)
        env.provision(...unschedulablePods({ labels, tsc: [tsc] }, 4))
        consistOf(env.skew('default', tsc), expected)
      },
    }),
  ),
  {
    name: 'Topology › Zonal › should respect NodePool zonal constraints (subset) with labels across NodePools',
    run: () => {
      const { env } = setup({ requirements: zoneIn('test-zone-1', 'test-zone-2'), labels: { [ZONE]: 'test-zone-1' } })
      env.applyNodePools(nodePool({ name: 'second', labels: { [ZONE]: 'test-zone-2' } }))
      const tsc = spread(ZONE, 1, labels)
      env.provision(...unschedulablePods({ labels, tsc: [tsc] }, 4))
      consistOf(env.skew('default', tsc), [2, 2])
    },
  },
  {
    name: 'Topology › Zonal › should respect NodePool zonal constraints (existing pod)',
    run: () => {
      const { env, np } = setup()
      const first = unschedulablePod({ labels, requests: CPU_1_1, nodeSelector: { [ZONE]: 'test-zone-3' } })
      env.provision(first)
      env.scheduled(first)
      setRequirements(env, np, zoneIn('test-zone-1', 'test-zone-2'))
      const tsc = spread(ZONE, 1, labels)
      env.provision(...unschedulablePods({ labels, requests: CPU_1_1, tsc: [tsc] }, 6))
      consistOf(env.skew('default', tsc), [1, 2, 2])
    },
  },
  {
    name: "Topology › Zonal › should schedule to the non-minimum domain if its all that's available",
    run: () => {
      const { env, np } = setup()
      const tsc = spread(ZONE, 5, labels)
      const o = { labels, requests: CPU_1_1, tsc: [tsc] }
      setRequirements(env, np, zoneIn('test-zone-1'))
      env.provision(unschedulablePod(o))
      consistOf(env.skew('default', tsc), [1])
      setRequirements(env, np, zoneIn('test-zone-2'))
      env.provision(unschedulablePod(o))
      consistOf(env.skew('default', tsc), [1, 1])
      setRequirements(env, np, zoneIn('test-zone-3'))
      env.provision(...unschedulablePods(o, 10))
      consistOf(env.skew('default', tsc), [1, 1, 6])
    },
  },
  {
    name: 'Topology › Zonal › should only schedule to minimum domains if already violating max skew',
    run: () => {
      const { env } = setup()
      const tsc = spread(ZONE, 1, labels)
      const o = { labels, requests: CPU_1_1, tsc: [tsc] }
      const pods = unschedulablePods(o, 9)
      env.provision(...pods)
      consistOf(env.skew('default', tsc), [3, 3, 3])
      for (const p of pods) if (env.nodeLabels(p)[ZONE] !== 'test-zone-1') env.delete(p)
      consistOf(env.skew('default', tsc), [3])
      env.provision(...unschedulablePods(o, 3))
      consistOf(env.skew('default', tsc), [3, 1, 2])
    },
  },
  {
    name: 'Topology › Zonal › should not violate max-skew when unsat = do not schedule',
    run: () => {
      const { env, np } = setup()
      const tsc = spread(ZONE, 1, labels)
      const o = { labels, requests: CPU_1_1, tsc: [tsc] }
      setRequirements(env, np, zoneIn('test-zone-1'))
      env.provision(unschedulablePod(o))
      consistOf(env.skew('default', tsc), [1])
      setRequirements(env, np, zoneIn('test-zone-2', 'test-zone-3'))
      env.provision(...unschedulablePods(o, 10))
      consistOf(env.skew('default', tsc), [1, 2, 2])
    },
  },
  {
    name: 'Topology › Zonal › should not violate max-skew when unsat = do not schedule (discover domains)',
    run: () => {
      const { env, np } = setup()
      const tsc = spread(ZONE, 1, labels)
      setRequirements(env, np, zoneIn('test-zone-1'))
      env.provision(unschedulablePod({ labels, requests: CPU_1_1 }))
      setRequirements(env, np, zoneIn('test-zone-2', 'test-zone-3'))
      env.provision(...unschedulablePods({ labels, requests: CPU_1_1, tsc: [tsc] }, 10))
      consistOf(env.skew('default', tsc), [1, 2, 2])
    },
  },
  ...(
    [
      ['Zonal', ZONE, { [ZONE]: 'test-zone-1' }, { [ZONE]: 'test-zone-2' }, [2, 2, 1]],
      ['CapacityType', CT, { [CT]: 'spot' }, { [CT]: 'on-demand' }, [2, 3]],
    ] as [string, string, Record<string, string>, Record<string, string>, number[]][]
  ).map(
    ([ctx, key, firstLabels, secondLabels, expected]): PortedCase => ({
      name: `Topology › ${ctx} › should only count running/scheduled pods with matching labels scheduled to nodes with a corresponding domain`,
      run: () => {
        const { env } = setup()
        const first = env.addNode(firstLabels)
        const second = env.addNode(secondLabels)
        const third = env.addNode({})
        env.namespaces.push({ name: 'wrong-namespace' })
        const tsc = spread(key, 1, labels)
        const on = (n: typeof first) => n.metadata.name
        env.provision(
          pod({ nodeName: on(first) }), // ignored, missing labels
          pod({ labels }), // ignored, pending
          pod({ labels, nodeName: on(third) }), // ignored, no domain on node
          pod({ labels, namespace: 'wrong-namespace', nodeName: on(first) }), // ignored, wrong namespace
          pod({ labels, deleting: true }), // ignored, terminating
          pod({ labels, nodeName: on(first), phase: 'Failed' }),
          pod({ labels, nodeName: on(first), phase: 'Succeeded' }),
          pod({ labels, nodeName: on(first) }),
          pod({ labels, nodeName: on(first) }),
          pod({ labels, nodeName: on(second) }),
          unschedulablePod({ labels, tsc: [tsc] }),
          unschedulablePod({ labels, tsc: [tsc] }),
        )
        consistOf(env.skew('default', tsc), expected)
      },
    }),
  ),
  ...(
    [
      ['Zonal', ZONE],
      ['CapacityType', CT],
    ] as const
  ).flatMap(([ctx, key]): PortedCase[] => [
    {
      name: `Topology › ${ctx} › should match all pods when labelSelector is not specified`,
      run: () => {
        const { env } = setup()
        env.provision(unschedulablePod())
        consistOf(env.skew('default', spread(key, 1)), [1])
      },
    },
    {
      name: `Topology › ${ctx} › should handle interdependent selectors`,
      run: () => {
        const { env } = setup()
        const pods = unschedulablePods({ tsc: [spread(HOST, 1, labels)] }, 5)
        env.provision(...pods)
        assert.equal(nodeNames(env, pods).size, 1)
      },
    },
  ]),
  ...(
    [
      ['should respect minDomains constraints', ['test-zone-1', 'test-zone-2'], 3, 3, [1, 1]],
      ['satisfied minDomains constraints (equal) should allow expected pod scheduling', ['test-zone-1', 'test-zone-2', 'test-zone-3'], 3, 11, [4, 4, 3]],
      [
        'satisfied minDomains constraints (greater than minimum) should allow expected pod scheduling',
        ['test-zone-1', 'test-zone-2', 'test-zone-3'],
        2,
        11,
        [4, 4, 3],
      ],
    ] as [string, string[], number, number, number[]][]
  ).map(
    ([name, zones, minDomains, count, expected]): PortedCase => ({
      name: `Topology › Zonal › ${name}`,
      run: () => {
        const { env } = setup({ requirements: zoneIn(...zones) })
        const tsc = spread(ZONE, 1, labels, { minDomains })
        env.provision(...unschedulablePods({ labels, tsc: [tsc] }, count))
        consistOf(env.skew('default', tsc), expected)
      },
    }),
  ),
]

// ---- Topology › Hostname, CapacityType ----

const hostnameAndCapacityType: PortedCase[] = [
  ...(
    [
      ['should balance pods across nodes', 1, [1, 1, 1, 1]],
      ['should balance pods on the same hostname up to maxskew', 4, [4]],
    ] as [string, number, number[]][]
  ).map(
    ([name, maxSkew, expected]): PortedCase => ({
      name: `Topology › Hostname › ${name}`,
      run: () => {
        const { env } = setup()
        const tsc = spread(HOST, maxSkew, labels)
        env.provision(...unschedulablePods({ labels, tsc: [tsc] }, 4))
        consistOf(env.skew('default', tsc), expected)
      },
    }),
  ),
  ...(
    [
      ['balance multiple deployments with hostname topology spread', undefined, 2],
      ['balance multiple deployments with hostname topology spread & varying arch', ['amd64', 'arm64'], 4],
    ] as [string, string[] | undefined, number][]
  ).map(
    ([name, arches, nodes]): PortedCase => ({
      name: `Topology › Hostname › ${name}`,
      run: () => {
        const { env } = setup()
        const spreadPod = (app: string, arch?: string) =>
          unschedulablePod({
            labels: { app },
            nodeRequirements: arch ? [{ key: ARCH, operator: 'In', values: [arch] }] : undefined,
            tsc: [spread(HOST, 1, { app })],
          })
        const pods = [spreadPod('app1', arches?.[0]), spreadPod('app1', arches?.[0]), spreadPod('app2', arches?.[1]), spreadPod('app2', arches?.[1])]
        env.provision(...pods)
        allScheduled(env, pods)
        assert.equal(env.allNodes().length, nodes)
      },
    }),
  ),
  ...(
    [
      ['should balance pods across capacity types', undefined],
      ['should respect NodePool capacity type constraints', ctIn('spot', 'on-demand')],
    ] as [string, NodePoolOptions['requirements']][]
  ).map(
    ([name, requirements]): PortedCase => ({
      name: `Topology › CapacityType › ${name}`,
      run: () => {
        const { env } = setup(requirements ? { requirements } : {})
        const tsc = spread(CT, 1, labels)
        env.provision(...unschedulablePods({ labels, tsc: [tsc] }, 4))
        consistOf(env.skew('default', tsc), [2, 2])
      },
    }),
  ),
  ...(
    [
      ['should not violate max-skew when unsat = do not schedule (capacity type)', 'DoNotSchedule', [1, 2]],
      ['should violate max-skew when unsat = schedule anyway (capacity type)', 'ScheduleAnyway', [1, 5]],
    ] as [string, 'DoNotSchedule' | 'ScheduleAnyway', number[]][]
  ).map(
    ([name, whenUnsatisfiable, expected]): PortedCase => ({
      name: `Topology › CapacityType › ${name}`,
      run: () => {
        const { env, np } = setup()
        const tsc = spread(CT, 1, labels, { whenUnsatisfiable })
        const o = { labels, requests: CPU_1_1, tsc: [tsc] }
        setRequirements(env, np, ctIn('spot'))
        env.provision(unschedulablePod(o))
        consistOf(env.skew('default', tsc), [1])
        setRequirements(env, np, ctIn('on-demand'))
        env.provision(...unschedulablePods(o, 5))
        consistOf(env.skew('default', tsc), expected)
      },
    }),
  ),
  {
    name: 'Topology › CapacityType › should balance pods across capacity-types (node required affinity constrained)',
    run: () => {
      const { env } = setup()
      const first = unschedulablePod({ labels, nodeRequirements: [...zoneIn('test-zone-1'), ...ctIn('on-demand')] })
      env.provision(first)
      env.scheduled(first)
      const tsc = spread(CT, 1, labels)
      env.provision(...unschedulablePods({ labels, nodeRequirements: [...zoneIn('test-zone-2'), ...ctIn('spot')], tsc: [tsc] }, 5))
      consistOf(env.skew('default', tsc), [1, 5])
    },
  },
  ...(
    [
      ['should balance pods across capacity-types (no constraints)', CT, 'on-demand', 'spot'],
      ['should balance pods across arch (no constraints)', ARCH, 'amd64', 'arm64'],
    ] as [string, string, string, string][]
  ).map(
    ([name, key, firstValue, poolValue]): PortedCase => ({
      name: `Topology › CapacityType › ${name}`,
      run: () => {
        const { env, np } = setup()
        const first = unschedulablePod({
          labels,
          nodeSelector: { 'node.kubernetes.io/instance-type': 'single-pod-instance-type' },
          nodeRequirements: [{ key, operator: 'In', values: [firstValue] }],
        })
        env.provision(first)
        env.scheduled(first)
        const tsc = spread(key, 1, labels)
        setRequirements(env, np, [{ key, operator: 'In', values: [poolValue] }])
        env.provision(...unschedulablePods({ labels, requests: { cpu: '2' }, tsc: [tsc] }, 5))
        consistOf(env.skew('default', tsc), [1, 2])
      },
    }),
  ),
]

// ---- Topology › Combined … ----

/** Provisions `counts[i]` pods per round, checking after each round. */
function rounds(env: ProvisioningEnv, tscs: ReturnType<typeof spread>[], counts: number[], check: (round: number) => void): void {
  counts.forEach((n, i) => {
    env.provision(...unschedulablePods({ labels, tsc: tscs }, n))
    check(i)
  })
}

const combined: PortedCase[] = [
  {
    name: 'Topology › Combined Hostname and Zonal Topology › should spread pods while respecting both constraints (hostname and zonal)',
    run: () => {
      const { env } = setup()
      const tscs = [spread(ZONE, 1, labels), spread(HOST, 3, labels)]
      const zones = [
        [1, 1],
        [2, 2, 1],
        [4, 3, 3],
        [7, 7, 7],
      ]
      rounds(env, tscs, [2, 3, 5, 11], (i) => {
        consistOf(env.skew('default', tscs[0]), zones[i])
        noneAbove(env.skew('default', tscs[1]), 3)
      })
    },
  },
  {
    name: 'Topology › Combined Hostname and Zonal Topology › should balance pods across NodePool requirements',
    run: () => {
      // Upstream applies two v1alpha5 Provisioners; the same requirements as NodePools.
      const env = new ProvisioningEnv(defaultInstanceTypes())
      env.applyNodePools(
        nodePool({ name: 'spot', requirements: [...ctIn('spot'), { key: 'capacity.spread.4-1', operator: 'In', values: ['2', '3', '4', '5'] }] }),
        nodePool({ name: 'on-demand', requirements: [...ctIn('on-demand'), { key: 'capacity.spread.4-1', operator: 'In', values: ['1'] }] }),
      )
      const tsc = spread('capacity.spread.4-1', 1, labels)
      const pods = unschedulablePods({ labels, tsc: [tsc] }, 20)
      env.provision(...pods)
      allScheduled(env, pods)
      consistOf(env.skew('default', tsc), [4, 4, 4, 4, 4])
      consistOf(env.skew('default', spread(CT, 1, labels)), [4, 16])
    },
  },
  {
    name: 'Topology › Combined Hostname and Zonal Topology › should spread pods while respecting both constraints',
    run: () => {
      const { env } = setup({ requirements: zoneIn('test-zone-1', 'test-zone-2') })
      env.applyNodePools(nodePool({ name: 'disabled', requirements: zoneIn('test-zone-3'), limits: { cpu: '0' } }))
      const tscs = [spread(ZONE, 1, labels), spread(HOST, 1, labels, { whenUnsatisfiable: 'ScheduleAnyway' })]
      env.provision(...unschedulablePods({ labels, tsc: tscs }, 10))
      consistOf(env.skew('default', tscs[0]), [1, 1])
      consistOf(env.skew('default', tscs[1]), [1, 1])
    },
  },
  {
    // The second It of the same text in the same Context (capacity type + hostname).
    name: 'Topology › Combined Hostname and Zonal Topology › should spread pods while respecting both constraints [2nd It of this text]',
    run: () => {
      const { env } = setup()
      const tscs = [spread(CT, 1, labels), spread(HOST, 3, labels)]
      const cts = [
        [1, 1],
        [3, 2],
        [5, 5],
        [11, 10],
      ]
      rounds(env, tscs, [2, 3, 5, 11], (i) => {
        consistOf(env.skew('default', tscs[0]), cts[i])
        noneAbove(env.skew('default', tscs[1]), 3)
      })
    },
  },
  {
    name: 'Topology › Combined Zonal and Capacity Type Topology › should spread pods while respecting both constraints',
    run: () => {
      const { env } = setup()
      const tscs = [spread(CT, 1, labels), spread(ZONE, 1, labels)]
      const limits = [
        [1, 1],
        [3, 2],
        [5, 4],
        [11, 7],
      ]
      rounds(env, tscs, [2, 3, 3, 11], (i) => {
        noneAbove(env.skew('default', tscs[0]), limits[i][0])
        noneAbove(env.skew('default', tscs[1]), limits[i][1])
      })
    },
  },
  {
    name: 'Topology › Combined Hostname, Zonal, and Capacity Type Topology › should spread pods while respecting all constraints',
    run: () => {
      const { env } = setup({}, instanceTypesAssorted())
      const tscs = [spread(CT, 1, labels), spread(ZONE, 2, labels), spread(HOST, 3, labels)]
      for (let i = 1; i < 15; i++) {
        const pods = unschedulablePods({ labels, tsc: tscs }, i)
        env.provision(...pods)
        assert.ok(env.maxSkew('default', tscs[0]) <= 1)
        assert.ok(env.maxSkew('default', tscs[1]) <= 2)
        assert.ok(env.maxSkew('default', tscs[2]) <= 3)
        allScheduled(env, pods)
      }
    },
  },
  {
    name: 'Topology › Combined Zonal Topology and Node Affinity › should limit spread options by nodeSelector',
    run: () => {
      const { env } = setup()
      const tsc = spread(ZONE, 1, labels)
      env.provision(
        ...unschedulablePods({ labels, tsc: [tsc], nodeSelector: { [ZONE]: 'test-zone-1' } }, 5),
        ...unschedulablePods({ labels, tsc: [tsc], nodeSelector: { [ZONE]: 'test-zone-2' } }, 10),
      )
      consistOf(env.skew('default', tsc), [5, 10])
    },
  },
  {
    name: 'Topology › Combined Zonal Topology and Node Affinity › should limit spread options by node requirements',
    run: () => {
      const { env } = setup()
      const tsc = spread(ZONE, 1, labels)
      env.provision(...unschedulablePods({ labels, tsc: [tsc], nodeRequirements: zoneIn('test-zone-1', 'test-zone-2') }, 10))
      consistOf(env.skew('default', tsc), [5, 5])
    },
  },
  {
    name: 'Topology › Combined Zonal Topology and Node Affinity › should limit spread options by required node affinity',
    run: () => {
      const { env, np } = setup()
      const tsc = spread(ZONE, 1, labels)
      env.provision(...unschedulablePods({ labels, tsc: [tsc], nodeRequirements: zoneIn('test-zone-1', 'test-zone-2') }, 6))
      consistOf(env.skew('default', tsc), [3, 3])
      setRequirements(env, np, zoneIn('test-zone-1', 'test-zone-2', 'test-zone-3'))
      env.provision(unschedulablePod({ labels, tsc: [tsc], nodeRequirements: zoneIn('test-zone-2', 'test-zone-3') }))
      consistOf(env.skew('default', tsc), [3, 3, 1])
      env.provision(...unschedulablePods({ labels, tsc: [tsc] }, 5))
      consistOf(env.skew('default', tsc), [4, 4, 4])
    },
  },
  {
    name: 'Topology › Combined Zonal Topology and Node Affinity › should not limit spread options by preferred node affinity',
    run: () => {
      const { env } = setup()
      const tsc = spread(ZONE, 1, labels)
      env.provision(...unschedulablePods({ labels, tsc: [tsc], nodePreferences: zoneIn('test-zone-1', 'test-zone-2') }, 6))
      consistOf(env.skew('default', tsc), [2, 2, 2])
    },
  },
  {
    name: 'Topology › Combined Capacity Type Topology and Node Affinity › should limit spread options by nodeSelector',
    run: () => {
      const { env } = setup()
      const tsc = spread(CT, 1, labels, { whenUnsatisfiable: 'ScheduleAnyway' })
      env.provision(
        ...unschedulablePods({ labels, tsc: [tsc], nodeSelector: { [CT]: 'spot' } }, 5),
        ...unschedulablePods({ labels, tsc: [tsc], nodeSelector: { [CT]: 'on-demand' } }, 5),
      )
      consistOf(env.skew('default', tsc), [5, 5])
    },
  },
  {
    name: 'Topology › Combined Capacity Type Topology and Node Affinity › should limit spread options by node affinity (capacity type)',
    run: () => {
      const { env } = setup()
      const tsc = spread(CT, 1, labels)
      env.provision(...unschedulablePods({ labels, tsc: [tsc], nodeRequirements: ctIn('spot') }, 3))
      consistOf(env.skew('default', tsc), [3])
      env.provision(unschedulablePod({ labels, tsc: [tsc], nodeRequirements: ctIn('on-demand', 'spot') }))
      consistOf(env.skew('default', tsc), [3, 1])
      env.provision(...unschedulablePods({ labels, tsc: [tsc] }, 5))
      consistOf(env.skew('default', tsc), [5, 4])
    },
  },
]

// ---- Topology › Pod Affinity/Anti-Affinity ----

const P = 'Topology › Pod Affinity/Anti-Affinity › '
const cpu2 = { cpu: '2' }
const tenSpread = (): Pod[] => unschedulablePods({ labels, tsc: [spread(HOST, 1, labels)] }, 10)
const zonePods = (o: {
  podAntiRequirements?: PodAffinityTerm[]
  podAntiPreferences?: { weight: number; podAffinityTerm: PodAffinityTerm }[]
  labels?: Record<string, string>
}) => ['test-zone-1', 'test-zone-2', 'test-zone-3'].map((z) => unschedulablePod({ ...o, requests: cpu2, nodeSelector: { [ZONE]: z } }))

const podAffinity: PortedCase[] = [
  {
    name: `${P}should schedule a pod with empty pod affinity and anti-affinity`,
    run: () => {
      const { env } = setup()
      const p = unschedulablePod({ podRequirements: [], podAntiRequirements: [] })
      env.provision(p)
      env.scheduled(p)
    },
  },
  {
    name: `${P}should respect pod affinity (hostname)`,
    run: () => {
      const { env } = setup()
      const affPod1 = unschedulablePod({ labels: aff })
      const affPod2 = unschedulablePod({ podRequirements: [term(aff, HOST)] })
      env.provision(...tenSpread(), affPod1, affPod2)
      assert.equal(env.scheduled(affPod1).metadata.name, env.scheduled(affPod2).metadata.name)
    },
  },
  ...(
    [
      ['should respect pod affinity (arch)', 'podRequirements'],
      ['should not violate pod anti-affinity (arch)', 'podAntiRequirements'],
    ] as const
  ).map(
    ([name, kind]): PortedCase => ({
      name: `${P}${name}`,
      run: () => {
        const { env } = setup()
        const tsc = [spread(HOST, 1, aff)]
        const affPod1 = unschedulablePod({ labels: aff, tsc, requests: { cpu: '2' }, nodeSelector: { [ARCH]: 'arm64' } })
        const affPod2 = unschedulablePod({ labels: aff, tsc, requests: { cpu: '1' }, [kind]: [term(aff, ARCH)] })
        env.provision(affPod1, affPod2)
        const n1 = env.scheduled(affPod1)
        const n2 = env.scheduled(affPod2)
        if (kind === 'podRequirements') {
          assert.equal(n1.metadata.labels?.[ARCH], n2.metadata.labels?.[ARCH])
          assert.notEqual(n1.metadata.name, n2.metadata.name)
        } else assert.notEqual(n1.metadata.labels?.[ARCH], n2.metadata.labels?.[ARCH])
      },
    }),
  ),
  ...(
    [
      ['should respect self pod affinity (hostname)', HOST],
      ['should respect self pod affinity (zone)', ZONE],
    ] as const
  ).map(
    ([name, key]): PortedCase => ({
      name: `${P}${name}`,
      run: () => {
        const { env } = setup()
        const pods = unschedulablePods({ labels: aff, podRequirements: [term(aff, key)] }, 3)
        env.provision(...pods)
        assert.equal(nodeNames(env, pods).size, 1)
      },
    }),
  ),
  {
    name: `${P}should respect self pod affinity for first empty topology domain only (hostname)`,
    run: () => {
      const { env } = setup()
      const create = () => unschedulablePods({ labels: aff, podRequirements: [term(aff, HOST)] }, 10)
      const pods = create()
      env.provision(...pods)
      const bound = pods.filter((p) => p.spec.nodeName)
      assert.equal(new Set(bound.map((p) => p.spec.nodeName)).size, 1)
      assert.equal(bound.length, 5)
      assert.equal(pods.length - bound.length, 5)
      const more = create()
      env.provision(...more)
      noneScheduled(more)
    },
  },
  {
    name: `${P}should respect self pod affinity for first empty topology domain only (hostname/constrained zones)`,
    run: () => {
      const { env } = setup()
      env.provision(unschedulablePod({ labels: aff, nodeSelector: { [ZONE]: 'test-zone-1' }, podRequirements: [term(aff, HOST)] }))
      const pods = unschedulablePods({ labels: aff, nodeRequirements: zoneIn('test-zone-2', 'test-zone-3'), podRequirements: [term(aff, HOST)] }, 10)
      env.provision(...pods)
      noneScheduled(pods)
    },
  },
  {
    name: `${P}should respect self pod affinity (zone w/ constraint)`,
    run: () => {
      const { env } = setup()
      const pods = unschedulablePods({ labels: aff, podRequirements: [term(aff, ZONE)], nodeRequirements: zoneIn('test-zone-3') }, 3)
      env.provision(...pods)
      assert.equal(nodeNames(env, pods).size, 1)
      for (const p of pods) assert.equal(env.nodeLabels(p)[ZONE], 'test-zone-3')
    },
  },
  {
    name: `${P}should allow violation of preferred pod affinity`,
    run: () => {
      const { env } = setup()
      const affPod2 = unschedulablePod({ podPreferences: [{ weight: 50, podAffinityTerm: term(aff, HOST) }] })
      env.provision(...tenSpread(), affPod2)
      env.scheduled(affPod2)
    },
  },
  {
    name: `${P}should allow violation of preferred pod anti-affinity`,
    run: () => {
      const { env } = setup()
      const affPods = unschedulablePods({ podAntiPreferences: [{ weight: 50, podAffinityTerm: term(labels, ZONE) }] }, 10)
      env.provision(...unschedulablePods({ labels, tsc: [spread(ZONE, 1, labels)] }, 3), ...affPods)
      allScheduled(env, affPods)
    },
  },
  {
    name: `${P}should separate nodes using simple pod anti-affinity on hostname`,
    run: () => {
      const { env } = setup()
      for (let i = 0; i < 10; i++) {
        const affPod1 = unschedulablePod({ labels: aff })
        const affPod2 = unschedulablePod({ podAntiRequirements: [term(aff, HOST)] })
        env.provision(affPod2, affPod1)
        assert.notEqual(env.scheduled(affPod1).metadata.name, env.scheduled(affPod2).metadata.name)
      }
    },
  },
  {
    name: `${P}should not violate pod anti-affinity on zone`,
    run: () => {
      const { env } = setup()
      const zoned = zonePods({ labels: aff })
      const affPod = unschedulablePod({ podAntiRequirements: [term(aff, ZONE)] })
      env.provision(...zoned, affPod)
      allScheduled(env, zoned)
      noneScheduled([affPod])
    },
  },
  {
    name: `${P}should not violate pod anti-affinity on zone (other schedules first)`,
    run: () => {
      const { env } = setup()
      const p = unschedulablePod({ labels: aff, requests: cpu2 })
      const affPod = unschedulablePod({ podAntiRequirements: [term(aff, ZONE)] })
      env.provision(p, affPod)
      env.scheduled(p)
      noneScheduled([affPod])
    },
  },
  ...(
    [
      ['should violate preferred pod anti-affinity on zone (inverse)', true],
      ['should not violate pod anti-affinity on zone (inverse)', false],
    ] as const
  ).map(
    ([name, preferred]): PortedCase => ({
      name: `${P}${name}`,
      run: () => {
        const { env } = setup()
        const zoned = zonePods(
          preferred ? { podAntiPreferences: [{ weight: 10, podAffinityTerm: term(aff, ZONE) }] } : { podAntiRequirements: [term(aff, ZONE)] },
        )
        const affPod = unschedulablePod({ labels: aff })
        env.provision(...zoned, affPod)
        allScheduled(env, zoned)
        if (preferred) env.scheduled(affPod)
        else noneScheduled([affPod])
      },
    }),
  ),
  {
    name: `${P}should not violate pod anti-affinity on zone (Schrödinger)`,
    run: () => {
      const { env } = setup()
      const anywhere = unschedulablePod({ podAntiRequirements: [term(aff, ZONE)], requests: cpu2 })
      const affPod = unschedulablePod({ labels: aff })
      env.provision(anywhere, affPod)
      const n1 = env.scheduled(anywhere)
      noneScheduled([affPod])
      env.provision(affPod)
      const n2 = env.scheduled(affPod)
      assert.notEqual(n1.metadata.labels?.[ZONE], n2.metadata.labels?.[ZONE])
    },
  },
  ...(
    [
      ['should not violate pod anti-affinity on zone (inverse w/existing nodes)', false],
      ['should violate preferred pod anti-affinity on zone (inverse w/existing nodes)', true],
    ] as const
  ).map(
    ([name, preferred]): PortedCase => ({
      name: `${P}${name}`,
      run: () => {
        const { env } = setup()
        const zoned = zonePods(
          preferred ? { podAntiPreferences: [{ weight: 10, podAffinityTerm: term(aff, ZONE) }] } : { podAntiRequirements: [term(aff, ZONE)] },
        )
        env.provision(...zoned)
        allScheduled(env, zoned)
        const affPod = unschedulablePod({ labels: aff })
        env.provision(affPod)
        if (preferred) env.scheduled(affPod)
        else noneScheduled([affPod])
      },
    }),
  ),
  {
    name: `${P}should allow violation of a pod affinity preference with a conflicting required constraint`,
    run: () => {
      const { env } = setup()
      const constraint = spread(HOST, 1, labels)
      const affPod1 = unschedulablePod({ labels: aff })
      const affPods = unschedulablePods({ labels, tsc: [constraint], podPreferences: [{ weight: 50, podAffinityTerm: term(aff, HOST) }] }, 3)
      const pods = [...affPods, affPod1]
      env.provision(...pods)
      allScheduled(env, pods)
      consistOf(env.skew('', constraint), [1, 1, 1])
    },
  },
  {
    name: `${P}should support pod anti-affinity with a zone topology`,
    run: () => {
      const { env } = setup()
      const create = () => unschedulablePods({ labels: aff, podAntiRequirements: [term(aff, ZONE)] }, 3)
      const top = { topologyKey: ZONE }
      for (const expected of [[1], [1, 1], [1, 1, 1], [1, 1, 1]]) {
        env.provision(...create())
        consistOf(env.skew('default', top), expected)
        env.deleteAllUnscheduled()
      }
    },
  },
  {
    name: `${P}should not schedule pods with affinity to a non-existent pod`,
    run: () => {
      const { env } = setup()
      const affPods = unschedulablePods({ podRequirements: [term(aff, ZONE)] }, 10)
      env.provision(...affPods)
      noneScheduled(affPods)
    },
  },
  {
    name: `${P}should support pod affinity with zone topology (unconstrained target)`,
    run: () => {
      const { env } = setup()
      const target = unschedulablePod({ labels: aff })
      const affPods = unschedulablePods({ podRequirements: [term(aff, ZONE)] }, 10)
      env.provision(...affPods, target)
      const top = { topologyKey: ZONE }
      noneScheduled(affPods)
      consistOf(env.skew('default', top), [1])
      env.provision(...affPods)
      allScheduled(env, affPods)
      consistOf(env.skew('default', top), [11])
    },
  },
  {
    name: `${P}should support pod affinity with zone topology (constrained target)`,
    run: () => {
      const { env } = setup()
      const affPod1 = unschedulablePod({ labels: aff, nodeRequirements: zoneIn('test-zone-1') })
      const affPods = [...unschedulablePods({ podRequirements: [term(aff, ZONE)] }, 10), affPod1]
      env.provision(...affPods)
      consistOf(env.skew('default', { topologyKey: ZONE }), [11])
    },
  },
  {
    name: `${P}should handle multiple dependent affinities`,
    run: () => {
      const db = { type: 'db', spread: 'spread' }
      const web = { type: 'web', spread: 'spread' }
      const cache = { type: 'cache', spread: 'spread' }
      const ui = { type: 'ui', spread: 'spread' }
      for (let i = 0; i < 50; i++) {
        // ExpectCleanedUp + cluster.Reset between iterations: a fresh environment each time.
        const { env } = setup()
        const pods = [
          unschedulablePod({ labels: db }),
          unschedulablePod({ labels: web, podRequirements: [term(db, HOST)] }),
          unschedulablePod({ labels: cache, podRequirements: [term(web, HOST)] }),
          unschedulablePod({ labels: ui, podRequirements: [term(cache, HOST)] }),
        ]
        env.provision(...pods)
        allScheduled(env, pods)
      }
    },
  },
  {
    name: `${P}should fail to schedule pods with unsatisfiable dependencies`,
    run: () => {
      const { env } = setup()
      const p = unschedulablePod({ labels: { type: 'db', spread: 'spread' }, podRequirements: [term({ type: 'web', spread: 'spread' }, HOST)] })
      env.provision(p)
      noneScheduled([p])
    },
  },
  ...(
    [
      ['should filter pod affinity topologies by namespace, no matching pods', 'other-ns-no-match', {}, false],
      ['should filter pod affinity topologies by namespace, matching pods namespace list', 'other-ns-list', { namespaces: ['other-ns-list'] }, true],
      ['should filter pod affinity topologies by namespace, empty namespace selector', 'empty-ns-selector', { namespaceSelector: { matchLabels: {} } }, true],
    ] as [string, string, Partial<PodAffinityTerm>, boolean][]
  ).map(
    ([name, ns, extra, together]): PortedCase => ({
      name: `${P}${name}`,
      run: () => {
        const { env } = setup()
        env.namespaces.push({ name: 'default' }, { name: ns, labels: ns === 'empty-ns-selector' ? { foo: 'bar' } : undefined })
        const affPod1 = unschedulablePod({ labels: aff, namespace: ns })
        const affPod2 = unschedulablePod({ podRequirements: [term(aff, HOST, extra)] })
        env.provision(...tenSpread(), affPod1, affPod2)
        const n1 = env.scheduled(affPod1)
        if (together) assert.equal(env.scheduled(affPod2).metadata.name, n1.metadata.name)
        else noneScheduled([affPod2])
      },
    }),
  ),
  {
    name: `${P}should count topology across multiple provisioners`,
    run: () => {
      // Upstream applies two v1alpha5 Provisioners; the same requirements as NodePools.
      const env = new ProvisioningEnv(defaultInstanceTypes())
      env.applyNodePools(
        nodePool({ name: 'zone-1', requirements: zoneIn('test-zone-1') }),
        nodePool({ name: 'zone-2-3', requirements: zoneIn('test-zone-2', 'test-zone-3') }),
      )
      const tsc = spread(ZONE, 1, { foo: 'bar' })
      env.provision(...unschedulablePods({ labels: { foo: 'bar' }, tsc: [tsc] }, 10))
      consistOf(env.skew('default', tsc), [3, 3, 4])
    },
  },
]

// ---- Taints ----

const T = 'Taints › '
const taints: PortedCase[] = [
  {
    name: `${T}should taint nodes with NodePool taints`,
    run: () => {
      const taint = { key: 'test', value: 'bar', effect: 'NoSchedule' as const }
      const { env } = setup({ taints: [taint] })
      const p = unschedulablePod({ tolerations: [{ effect: 'NoSchedule', operator: 'Exists' }] })
      env.provision(p)
      assert.ok((env.scheduled(p).spec?.taints ?? []).some((t) => t.key === taint.key && t.value === taint.value && t.effect === taint.effect))
    },
  },
  {
    name: `${T}should schedule pods that tolerate NodePool constraints`,
    run: () => {
      const { env } = setup({ taints: [{ key: 'test-key', value: 'test-value', effect: 'NoSchedule' }] })
      const pods = [
        unschedulablePod({ tolerations: [{ key: 'test-key', operator: 'Exists', effect: 'NoSchedule' }] }),
        unschedulablePod({ tolerations: [{ key: 'test-key', value: 'test-value', operator: 'Equal', effect: 'NoSchedule' }] }),
      ]
      env.provision(...pods)
      allScheduled(env, pods)
      const others = [
        unschedulablePod(),
        unschedulablePod({ tolerations: [{ key: 'invalid', operator: 'Exists' }] }),
        unschedulablePod({ tolerations: [{ key: 'test-key', operator: 'Equal', effect: 'NoSchedule' }] }),
      ]
      env.provision(...others)
      noneScheduled(others)
    },
  },
  {
    name: `${T}should provision nodes with taints and schedule pods if the taint is only a startup taint`,
    run: () => {
      const { env } = setup({ startupTaints: [{ key: 'ignore-me', value: 'nothing-to-see-here', effect: 'NoSchedule' }] })
      const p = unschedulablePod()
      env.provision(p)
      env.scheduled(p)
    },
  },
  {
    name: `${T}should not generate taints for OpExists`,
    run: () => {
      const { env } = setup()
      const p = unschedulablePod({ tolerations: [{ key: 'test-key', operator: 'Exists', effect: 'NoExecute' }] })
      env.provision(p)
      // The one taint is the API server's node.kubernetes.io/not-ready on a new Node.
      assert.equal(env.scheduled(p).spec?.taints?.length, 1)
    },
  },
]

conformance({
  repo: 'kubernetes-sigs/karpenter',
  tag: 'v0.32.1',
  file: 'pkg/controllers/provisioning/scheduling/nodepool_topology_test.go',
  twin: 'v0.32.1',
  area: 'scheduling',
  upstreamCases: 80,
  cases: [...zonal, ...hostnameAndCapacityType, ...combined, ...podAffinity, ...taints],
  notPorted: [
    {
      name: 'Topology › should not spread an invalid label selector',
      reason:
        'Skipped upstream on every supported Kubernetes (env.Version.Minor() >= 24): the API server rejects the invalid selector value at admission, a validation the twin does not model.',
    },
  ],
})
