// The fake cloud provider's instance types (kubernetes-sigs/karpenter@v1.9.1
// pkg/cloudprovider/fake/instancetype.go: NewInstanceType, InstanceTypesAssorted,
// PriceFromResources) in the twin's InstanceType shape. Stand-in until test/conformance/karpenter/fake.ts.

import { parseResourceList, subtract, type ResourceList } from '../../../../sandbox/k8s/resources.ts'
import type { InstanceType, Offering } from '../../../../sandbox/karpenter/instance-types.ts'
import { Requirement, Requirements } from '../../../../sandbox/karpenter/requirements.ts'

export interface FakeInstanceTypeOptions {
  name: string
  resources?: Record<string, string>
  offerings?: Offering[]
  architecture?: string
  operatingSystems?: string[]
}

/** `PriceFromResources`: 0.1 per CPU and per GB of memory. */
export function priceFromResources(r: ResourceList): number {
  let price = 0
  if (r.cpu) price += 0.1 * r.cpu.valueNumber()
  if (r.memory) price += (0.1 * r.memory.valueNumber()) / 1e9
  return price
}

/** `NewInstanceType`: 4 CPU, 4Gi, 5 pods by default; spot in zones 1–2 and on-demand in 1–3 by default. */
export function newInstanceType(o: FakeInstanceTypeOptions): InstanceType {
  const capacity = parseResourceList({ cpu: '4', memory: '4Gi', pods: '5', ...o.resources })
  const price = priceFromResources(capacity)
  const offerings =
    o.offerings ??
    [
      ['spot', 'test-zone-1'],
      ['spot', 'test-zone-2'],
      ['on-demand', 'test-zone-1'],
      ['on-demand', 'test-zone-2'],
      ['on-demand', 'test-zone-3'],
    ].map(([capacityType, zone]) => ({ capacityType, zone, price, available: true }))
  const available = offerings.filter((x) => x.available)
  const uniq = (xs: string[]) => [...new Set(xs)]
  const requirements = new Requirements(
    Requirement.of('node.kubernetes.io/instance-type', 'In', [o.name]),
    Requirement.of('kubernetes.io/arch', 'In', [o.architecture ?? 'amd64']),
    Requirement.of('kubernetes.io/os', 'In', o.operatingSystems ?? ['darwin', 'linux', 'windows']),
    Requirement.of('topology.kubernetes.io/zone', 'In', uniq(available.map((x) => x.zone))),
    Requirement.of('karpenter.sh/capacity-type', 'In', uniq(available.map((x) => x.capacityType))),
    Requirement.of('integer', 'In', [String(capacity.cpu.valueNumber())]),
  )
  const kubeReserved = parseResourceList({ cpu: '100m', memory: '10Mi' })
  return {
    name: o.name,
    requirements,
    offerings,
    capacity,
    overhead: { kubeReserved, systemReserved: {}, evictionThreshold: {} },
    allocatable: subtract(capacity, kubeReserved),
  }
}

/** `InstanceTypesAssorted`: every cpu × memory × zone × capacity type × os × arch, one offering each. */
export function instanceTypesAssorted(): InstanceType[] {
  const out: InstanceType[] = []
  for (const cpu of [1, 2, 4, 8, 16, 32, 64])
    for (const mem of [1, 2, 4, 8, 16, 32, 64, 128])
      for (const zone of ['test-zone-1', 'test-zone-2', 'test-zone-3'])
        for (const ct of ['spot', 'on-demand'])
          for (const os of ['linux', 'windows'])
            for (const arch of ['amd64', 'arm64']) {
              const resources = { cpu: String(cpu), memory: `${mem}Gi` }
              const price = priceFromResources(parseResourceList(resources))
              out.push(
                newInstanceType({
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
