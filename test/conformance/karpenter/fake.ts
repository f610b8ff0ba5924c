// Karpenter's fake cloud provider, as its own test suites see it (kubernetes-sigs/karpenter v0.32.1
// pkg/cloudprovider/fake/instancetype.go and cloudprovider.go), expressed in the twin's types so
// that upstream's cases can run against sandbox/karpenter/.
//
// What the fake provider gives a case: instance types whose requirements are the instance-type
// name, the architecture, the operating systems, the zones and capacity types of their available
// offerings, and three fake labels — `size` (small, or large above 4 CPU and 8Gi), `special`
// (optional for large types, else absent) and `integer` (the CPU count); capacity with defaults of
// 4 CPU, 4Gi and 5 pods; a kube-reserved overhead of 100m CPU and 10Mi; and a price of 0.1 per CPU,
// 0.1 per GB of memory and 1.0 per GPU. Upstream registers the three fake labels as well known;
// so does this module when it loads.

import type { ResourceList } from '../../../sandbox/k8s/resources.ts'
import { merge, parseResourceList, subtract } from '../../../sandbox/k8s/resources.ts'
import { Quantity } from '../../../sandbox/k8s/quantity.ts'
import type { Pod } from '../../../sandbox/k8s/types.ts'
import type { NodePool } from '../../../sandbox/karpenter/api.ts'
import type { InstanceType, Offering } from '../../../sandbox/karpenter/instance-types.ts'
import { LABEL_ARCH, LABEL_CAPACITY_TYPE, LABEL_INSTANCE_TYPE, LABEL_OS, LABEL_ZONE, registerWellKnownLabels } from '../../../sandbox/karpenter/labels.ts'
import { Requirement, Requirements } from '../../../sandbox/karpenter/requirements.ts'

export const LABEL_SIZE = 'size'
export const LABEL_EXOTIC = 'special'
export const LABEL_INTEGER = 'integer'
export const RESOURCE_GPU_VENDOR_A = 'fake.com/vendor-a'
export const RESOURCE_GPU_VENDOR_B = 'fake.com/vendor-b'

registerWellKnownLabels(LABEL_SIZE, LABEL_EXOTIC, LABEL_INTEGER)

export interface FakeInstanceTypeOptions {
  name: string
  /** Quantities as strings, e.g. `{ cpu: '2', memory: '2Gi' }`; cpu, memory and pods default to 4, 4Gi, 5. */
  resources?: Record<string, string>
  /** Defaults to spot in test-zone-1/2 and on-demand in test-zone-1/2/3, all available, priced from the resources. */
  offerings?: Offering[]
  architecture?: string
  operatingSystems?: string[]
}

/** upstream `priceFromResources`: 0.1 per CPU, 0.1 per GB (10^9 bytes) of memory, 1.0 per fake GPU. */
export function priceFromResources(resources: ResourceList): number {
  let price = 0
  for (const [name, q] of Object.entries(resources)) {
    if (name === 'cpu') price += 0.1 * q.toNumber()
    else if (name === 'memory') price += (0.1 * q.toNumber()) / 1e9
    else if (name === RESOURCE_GPU_VENDOR_A || name === RESOURCE_GPU_VENDOR_B) price += 1.0
  }
  return price
}

/** upstream's default offerings: spot in test-zone-1 and 2, on-demand in test-zone-1, 2 and 3. */
export function defaultOfferings(price: number): Offering[] {
  return [
    { capacityType: 'spot', zone: 'test-zone-1', price, available: true },
    { capacityType: 'spot', zone: 'test-zone-2', price, available: true },
    { capacityType: 'on-demand', zone: 'test-zone-1', price, available: true },
    { capacityType: 'on-demand', zone: 'test-zone-2', price, available: true },
    { capacityType: 'on-demand', zone: 'test-zone-3', price, available: true },
  ]
}

/** upstream `fake.NewInstanceType`. */
export function fakeInstanceType(opts: FakeInstanceTypeOptions): InstanceType {
  const capacity = parseResourceList({ cpu: '4', memory: '4Gi', pods: '5', ...dropZeros(opts.resources) })
  const offerings = opts.offerings ?? defaultOfferings(priceFromResources(capacity))
  const available = offerings.filter((o) => o.available)
  const large = capacity.cpu.cmp(Quantity.parse('4')) > 0 && capacity.memory.cmp(Quantity.parse('8Gi')) > 0
  const requirements = new Requirements(
    Requirement.of(LABEL_INSTANCE_TYPE, 'In', [opts.name]),
    Requirement.of(LABEL_ARCH, 'In', [opts.architecture ?? 'amd64']),
    Requirement.of(LABEL_OS, 'In', opts.operatingSystems ?? ['linux', 'windows', 'darwin']),
    Requirement.of(LABEL_ZONE, 'In', unique(available.map((o) => o.zone))),
    Requirement.of(LABEL_CAPACITY_TYPE, 'In', unique(available.map((o) => o.capacityType))),
    Requirement.of(LABEL_SIZE, 'In', [large ? 'large' : 'small']),
    large ? Requirement.of(LABEL_EXOTIC, 'In', ['optional']) : Requirement.of(LABEL_EXOTIC, 'DoesNotExist'),
    Requirement.of(LABEL_INTEGER, 'In', [String(capacity.cpu.value())]),
  )
  const kubeReserved = parseResourceList({ cpu: '100m', memory: '10Mi' })
  return {
    name: opts.name,
    requirements,
    offerings,
    capacity,
    overhead: { kubeReserved, systemReserved: {}, evictionThreshold: {} },
    allocatable: subtract(capacity, merge(kubeReserved)),
  }
}

/** upstream `CloudProvider.GetInstanceTypes` with nothing configured: the six default types. */
export function defaultInstanceTypes(): InstanceType[] {
  return [
    fakeInstanceType({ name: 'default-instance-type' }),
    fakeInstanceType({ name: 'small-instance-type', resources: { cpu: '2', memory: '2Gi' } }),
    fakeInstanceType({ name: 'gpu-vendor-instance-type', resources: { [RESOURCE_GPU_VENDOR_A]: '2' } }),
    fakeInstanceType({ name: 'gpu-vendor-b-instance-type', resources: { [RESOURCE_GPU_VENDOR_B]: '2' } }),
    fakeInstanceType({
      name: 'arm-instance-type',
      architecture: 'arm64',
      operatingSystems: ['ios', 'linux', 'windows', 'darwin'],
      resources: { cpu: '16', memory: '128Gi' },
    }),
    fakeInstanceType({ name: 'single-pod-instance-type', resources: { pods: '1' } }),
  ]
}

/** upstream `fake.InstanceTypes(n)`: fake-it-0 … with i+1 CPU, 2(i+1)Gi and 10(i+1) pods. */
export function instanceTypes(total: number): InstanceType[] {
  return Array.from({ length: total }, (_, i) =>
    fakeInstanceType({ name: `fake-it-${i}`, resources: { cpu: `${i + 1}`, memory: `${(i + 1) * 2}Gi`, pods: `${(i + 1) * 10}` } }),
  )
}

/** upstream `fake.InstanceTypesAssorted()`: every CPU × memory × zone × capacity type × OS × architecture, one offering each. */
export function instanceTypesAssorted(): InstanceType[] {
  const out: InstanceType[] = []
  for (const cpu of [1, 2, 4, 8, 16, 32, 64])
    for (const mem of [1, 2, 4, 8, 16, 32, 64, 128])
      for (const zone of ['test-zone-1', 'test-zone-2', 'test-zone-3'])
        for (const ct of ['spot', 'on-demand'])
          for (const os of ['linux', 'windows'])
            for (const arch of ['amd64', 'arm64']) {
              const resources = { cpu: `${cpu}`, memory: `${mem}Gi` }
              const price = priceFromResources(parseResourceList(resources))
              out.push(
                fakeInstanceType({
                  name: `${cpu}-cpu-${mem}-mem-${arch}-${os}-${zone}-${ct}`,
                  architecture: arch,
                  operatingSystems: [os],
                  resources,
                  offerings: [{ capacityType: ct, zone, price, available: true }],
                }),
              )
            }
  return out
}

/** upstream `test.NodePool()`: no requirements, the default node class reference, the given spec fields on top. */
export function nodePool(
  name = 'default',
  spec: Partial<NodePool['spec']['template']['spec']> = {},
  rest: Partial<Omit<NodePool['spec'], 'template'>> = {},
): NodePool {
  return {
    apiVersion: 'karpenter.sh/v1beta1',
    kind: 'NodePool',
    metadata: { name, uid: `uid-${name}` },
    spec: {
      template: { spec: { nodeClassRef: { name: 'default' }, ...spec } },
      disruption: { consolidationPolicy: 'WhenUnderutilized', expireAfter: 'Never' },
      ...rest,
    },
  }
}

let podSeq = 0

export interface UnschedulablePodOptions {
  name?: string
  namespace?: string
  labels?: Record<string, string>
  /** Container requests, e.g. `{ cpu: '1' }`. */
  requests?: Record<string, string>
  limits?: Record<string, string>
  spec?: Partial<Pod['spec']>
}

/** upstream `test.UnschedulablePod()`: a pending pod the kube-scheduler marked Unschedulable. */
export function unschedulablePod(o: UnschedulablePodOptions = {}): Pod {
  podSeq += 1
  const name = o.name ?? `pod-${podSeq}`
  return {
    metadata: { name, namespace: o.namespace ?? 'default', uid: `uid-${name}`, labels: o.labels },
    spec: {
      containers: [{ name: 'app', image: 'public.ecr.aws/eks-distro/kubernetes/pause', resources: { requests: o.requests, limits: o.limits } }],
      ...o.spec,
    },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] },
  }
}

function dropZeros(resources: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(resources ?? {}).filter(([, v]) => !Quantity.parse(v).isZero()))
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)]
}
