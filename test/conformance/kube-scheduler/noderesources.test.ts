// kube-scheduler's NodeResourcesFit filter cases, from kubernetes/kubernetes
// pkg/scheduler/framework/plugins/noderesources/fit_test.go (TestEnoughRequests,
// TestNotEnoughRequests, TestStorageRequests), as data, run against the twin's
// sandbox/cluster/scheduling/node-resources-fit.ts.
//
// Upstream's status lists every insufficient resource; the twin's reason is the first of them
// (resource names sorted), which is what these cases expect where upstream lists two.

import { nodeResourcesFit } from '../../../sandbox/cluster/scheduling/node-resources-fit.ts'
import type { Container, Pod } from '../../../sandbox/k8s/types.ts'
import { node, pod } from './builders.ts'
import { conformance, FIT, reject, type FilterCase, type UpstreamTable } from './harness.ts'

const FILE = 'pkg/scheduler/framework/plugins/noderesources/fit_test.go'
const REF = '24fbb13eafec665e6f4b64961930774babd8b6d1'
const EXT_A = 'example.com/aaa'
const EXT_B = 'example.com/bbb'
const K8S_IO_A = 'kubernetes.io/something'
const K8S_IO_B = 'subdomain.kubernetes.io/something'
const HUGE_A = 'hugepages-2Mi'
const IGNORED =
  'needs a scheduler framework feature the twin does not model: NodeResourcesFitArgs ignoredResources/ignoredResourceGroups (a scheduler profile argument; EKS runs the default profile)'

/** What one container asks for, as upstream's framework.Resource: milli-CPU, memory bytes, ephemeral storage, scalar resources. */
interface Usage {
  cpu?: number
  memory?: number
  storage?: number
  scalar?: Record<string, number>
}

function container({ cpu = 0, memory = 0, storage = 0, scalar = {} }: Usage): Container {
  return { resources: { requests: { cpu: `${cpu}m`, memory: `${memory}`, pods: '0', 'ephemeral-storage': `${storage}`, ...scalar } } }
}

function resourcePod(containers: Usage[], init: Usage[] = [], overhead?: Record<string, string>): Pod {
  return pod({ spec: { containers: containers.map(container), initContainers: init.map(container), ...(overhead && { overhead }) } })
}

/** The node of TestEnoughRequests and TestStorageRequests: makeAllocatableResources(10, 20, 32, 5, 20, 5). */
const allocatable = { cpu: '10m', memory: '20', pods: '32', [EXT_A]: '5', 'ephemeral-storage': '20', [HUGE_A]: '5' }

function c(name: string, incoming: Pod, used: Usage, want: string | undefined, alloc: Record<string, string> = allocatable): FilterCase {
  const existing = resourcePod([used])
  existing.metadata.name = 'existing'
  existing.spec.nodeName = 'n'
  return { name, pod: incoming, pods: [existing], nodes: [node('n', {}, {}, { allocatable: alloc })], want: { n: want ? reject(want) : FIT } }
}

const enough: UpstreamTable = {
  file: FILE,
  ref: REF,
  test: 'TestEnoughRequests',
  upstreamCases: 35,
  notPorted: [
    { name: 'skip checking ignored extended resource', reason: IGNORED },
    { name: 'skip checking ignored extended resource via resource groups', reason: IGNORED },
  ],
  cases: [
    c('no resources requested always fits', pod(), { cpu: 10, memory: 20 }, undefined),
    c('too many resources fails', resourcePod([{ cpu: 1, memory: 1 }]), { cpu: 10, memory: 20 }, 'Insufficient cpu'),
    c(
      'too many resources fails due to init container cpu',
      resourcePod([{ cpu: 1, memory: 1 }], [{ cpu: 3, memory: 1 }]),
      { cpu: 8, memory: 19 },
      'Insufficient cpu',
    ),
    c(
      'too many resources fails due to highest init container cpu',
      resourcePod(
        [{ cpu: 1, memory: 1 }],
        [
          { cpu: 3, memory: 1 },
          { cpu: 2, memory: 1 },
        ],
      ),
      { cpu: 8, memory: 19 },
      'Insufficient cpu',
    ),
    c(
      'too many resources fails due to init container memory',
      resourcePod([{ cpu: 1, memory: 1 }], [{ cpu: 1, memory: 3 }]),
      { cpu: 9, memory: 19 },
      'Insufficient memory',
    ),
    c(
      'too many resources fails due to highest init container memory',
      resourcePod(
        [{ cpu: 1, memory: 1 }],
        [
          { cpu: 1, memory: 3 },
          { cpu: 1, memory: 2 },
        ],
      ),
      { cpu: 9, memory: 19 },
      'Insufficient memory',
    ),
    c(
      "init container fits because it's the max, not sum, of containers and init containers",
      resourcePod([{ cpu: 1, memory: 1 }], [{ cpu: 1, memory: 1 }]),
      { cpu: 9, memory: 19 },
      undefined,
    ),
    c(
      "multiple init containers fit because it's the max, not sum, of containers and init containers",
      resourcePod(
        [{ cpu: 1, memory: 1 }],
        [
          { cpu: 1, memory: 1 },
          { cpu: 1, memory: 1 },
        ],
      ),
      { cpu: 9, memory: 19 },
      undefined,
    ),
    c('both resources fit', resourcePod([{ cpu: 1, memory: 1 }]), { cpu: 5, memory: 5 }, undefined),
    c('one resource memory fits', resourcePod([{ cpu: 2, memory: 1 }]), { cpu: 9, memory: 5 }, 'Insufficient cpu'),
    c('one resource cpu fits', resourcePod([{ cpu: 1, memory: 2 }]), { cpu: 5, memory: 19 }, 'Insufficient memory'),
    c('equal edge case', resourcePod([{ cpu: 5, memory: 1 }]), { cpu: 5, memory: 19 }, undefined),
    c('equal edge case for init container', resourcePod([{ cpu: 4, memory: 1 }], [{ cpu: 5, memory: 1 }]), { cpu: 5, memory: 19 }, undefined),
    c('extended resource fits', resourcePod([{ scalar: { [EXT_A]: 1 } }]), {}, undefined),
    c('extended resource fits for init container', resourcePod([{}], [{ scalar: { [EXT_A]: 1 } }]), {}, undefined),
    c(
      'extended resource capacity enforced',
      resourcePod([{ cpu: 1, memory: 1, scalar: { [EXT_A]: 10 } }]),
      { scalar: { [EXT_A]: 0 } },
      `Insufficient ${EXT_A}`,
    ),
    c(
      'extended resource capacity enforced for init container',
      resourcePod([{}], [{ cpu: 1, memory: 1, scalar: { [EXT_A]: 10 } }]),
      { scalar: { [EXT_A]: 0 } },
      `Insufficient ${EXT_A}`,
    ),
    c(
      'extended resource allocatable enforced',
      resourcePod([{ cpu: 1, memory: 1, scalar: { [EXT_A]: 1 } }]),
      { scalar: { [EXT_A]: 5 } },
      `Insufficient ${EXT_A}`,
    ),
    c(
      'extended resource allocatable enforced for init container',
      resourcePod([{}], [{ cpu: 1, memory: 1, scalar: { [EXT_A]: 1 } }]),
      { scalar: { [EXT_A]: 5 } },
      `Insufficient ${EXT_A}`,
    ),
    c(
      'extended resource allocatable enforced for multiple containers',
      resourcePod([
        { cpu: 1, memory: 1, scalar: { [EXT_A]: 3 } },
        { cpu: 1, memory: 1, scalar: { [EXT_A]: 3 } },
      ]),
      { scalar: { [EXT_A]: 2 } },
      `Insufficient ${EXT_A}`,
    ),
    c(
      'extended resource allocatable admits multiple init containers',
      resourcePod(
        [{}],
        [
          { cpu: 1, memory: 1, scalar: { [EXT_A]: 3 } },
          { cpu: 1, memory: 1, scalar: { [EXT_A]: 3 } },
        ],
      ),
      { scalar: { [EXT_A]: 2 } },
      undefined,
    ),
    c(
      'extended resource allocatable enforced for multiple init containers',
      resourcePod(
        [{}],
        [
          { cpu: 1, memory: 1, scalar: { [EXT_A]: 6 } },
          { cpu: 1, memory: 1, scalar: { [EXT_A]: 3 } },
        ],
      ),
      { scalar: { [EXT_A]: 2 } },
      `Insufficient ${EXT_A}`,
    ),
    c('extended resource allocatable enforced for unknown resource', resourcePod([{ cpu: 1, memory: 1, scalar: { [EXT_B]: 1 } }]), {}, `Insufficient ${EXT_B}`),
    c(
      'extended resource allocatable enforced for unknown resource for init container',
      resourcePod([{}], [{ cpu: 1, memory: 1, scalar: { [EXT_B]: 1 } }]),
      {},
      `Insufficient ${EXT_B}`,
    ),
    c('kubernetes.io resource capacity enforced', resourcePod([{ cpu: 1, memory: 1, scalar: { [K8S_IO_A]: 10 } }]), {}, `Insufficient ${K8S_IO_A}`),
    c(
      'kubernetes.io resource capacity enforced for init container',
      resourcePod([{}], [{ cpu: 1, memory: 1, scalar: { [K8S_IO_B]: 10 } }]),
      {},
      `Insufficient ${K8S_IO_B}`,
    ),
    c(
      'hugepages resource capacity enforced',
      resourcePod([{ cpu: 1, memory: 1, scalar: { [HUGE_A]: 10 } }]),
      { scalar: { [HUGE_A]: 0 } },
      `Insufficient ${HUGE_A}`,
    ),
    c(
      'hugepages resource capacity enforced for init container',
      resourcePod([{}], [{ cpu: 1, memory: 1, scalar: { [HUGE_A]: 10 } }]),
      { scalar: { [HUGE_A]: 0 } },
      `Insufficient ${HUGE_A}`,
    ),
    c(
      'hugepages resource allocatable enforced for multiple containers',
      resourcePod([
        { cpu: 1, memory: 1, scalar: { [HUGE_A]: 3 } },
        { cpu: 1, memory: 1, scalar: { [HUGE_A]: 3 } },
      ]),
      { scalar: { [HUGE_A]: 2 } },
      `Insufficient ${HUGE_A}`,
    ),
    c('resources + pod overhead fits', resourcePod([{ cpu: 1, memory: 1 }], [], { cpu: '3m', memory: '13' }), { cpu: 5, memory: 5 }, undefined),
    c(
      'requests + overhead does not fit for memory',
      resourcePod([{ cpu: 1, memory: 1 }], [], { cpu: '1m', memory: '15' }),
      { cpu: 5, memory: 5 },
      'Insufficient memory',
    ),
    c(
      'skip checking extended resource request with quantity zero via resource groups',
      resourcePod([{ cpu: 1, memory: 1, scalar: { [EXT_A]: 0 } }]),
      { scalar: { [EXT_A]: 6 } },
      undefined,
    ),
    c(
      'skip checking resource request with quantity zero',
      resourcePod([{ scalar: { [EXT_A]: 1 } }]),
      { cpu: 20, memory: 30, scalar: { [EXT_A]: 1 } },
      undefined,
    ),
  ],
}

/** TestNotEnoughRequests' node: makeAllocatableResources(10, 20, 1, 0, 0, 0) — room for one pod. */
const onePod = { cpu: '10m', memory: '20', pods: '1', [EXT_A]: '0', 'ephemeral-storage': '0', [HUGE_A]: '0' }

const notEnough: UpstreamTable = {
  file: FILE,
  ref: REF,
  test: 'TestNotEnoughRequests',
  upstreamCases: 4,
  notPorted: [],
  cases: [
    c("even without specified resources, predicate fails when there's no space for additional pod", pod(), { cpu: 10, memory: 20 }, 'Too many pods', onePod),
    c(
      "even if both resources fit, predicate fails when there's no space for additional pod",
      resourcePod([{ cpu: 1, memory: 1 }]),
      { cpu: 5, memory: 5 },
      'Too many pods',
      onePod,
    ),
    c(
      "even for equal edge case, predicate fails when there's no space for additional pod",
      resourcePod([{ cpu: 5, memory: 1 }]),
      { cpu: 5, memory: 19 },
      'Too many pods',
      onePod,
    ),
    c(
      "even for equal edge case, predicate fails when there's no space for additional pod due to init container",
      resourcePod([{ cpu: 5, memory: 1 }], [{ cpu: 5, memory: 1 }]),
      { cpu: 5, memory: 19 },
      'Too many pods',
      onePod,
    ),
  ],
}

const storage: UpstreamTable = {
  file: FILE,
  ref: REF,
  test: 'TestStorageRequests',
  upstreamCases: 4,
  notPorted: [],
  cases: [
    c('empty storage requested, and pod fits', resourcePod([{ cpu: 1, memory: 1 }]), { cpu: 2, memory: 10 }, undefined),
    c('storage ephemeral local storage request exceeds allocatable', resourcePod([{ storage: 25 }]), { cpu: 2, memory: 2 }, 'Insufficient ephemeral-storage'),
    c('ephemeral local storage is sufficient', resourcePod([{ storage: 5 }]), { cpu: 2, memory: 2, storage: 10 }, undefined),
    c('pod fits', resourcePod([{ storage: 10 }]), { cpu: 2, memory: 2 }, undefined),
  ],
}

conformance('NodeResourcesFit', (p, info) => nodeResourcesFit(p, info), [enough, notEnough, storage])
