// What upstream's `ExpectProvisioned` + `ExpectScheduled` give a scheduling case, built on the twin:
// one provisioning round (sandbox/karpenter/provisioning.ts), then each NodeClaim "launched" the way
// Karpenter's fake cloud provider does it (kubernetes-sigs/karpenter v0.32.1
// pkg/cloudprovider/fake/cloudprovider.go `Create`, then pkg/controllers/nodeclaim/lifecycle/launch.go
// `PopulateNodeClaimDetails`), so that a case can read the labels of the node a pod landed on.
//
// fake `Create`: of the instance types compatible with the NodeClaim's requirements, with an
// available offering they allow and room for its requests, the cheapest (ties by name here, where
// Go's sort is unstable); the node gets that type's `In` labels (first value), the zone and capacity
// type of its first allowed available offering, then the NodeClaim's single-value requirement labels
// (`Requirements.Labels()`) and the NodeClaim's own labels on top.

import { fits, parseResourceList } from '../../../../sandbox/k8s/resources.ts'
import type { NodeSelectorRequirement, Pod } from '../../../../sandbox/k8s/types.ts'
import type { NodeClaim, NodePool } from '../../../../sandbox/karpenter/api.ts'
import { offeringsMatching, type InstanceType } from '../../../../sandbox/karpenter/instance-types.ts'
import { LABEL_CAPACITY_TYPE, LABEL_ZONE } from '../../../../sandbox/karpenter/labels.ts'
import { nodeClaimRequirements } from '../../../../sandbox/karpenter/launch.ts'
import { provisioningRound } from '../../../../sandbox/karpenter/provisioning.ts'
import { ALLOW_UNDEFINED_WELL_KNOWN, Requirement, Requirements } from '../../../../sandbox/karpenter/requirements.ts'
import { seededRng, type Rng } from '../../../../sandbox/karpenter/rng.ts'
import { defaultInstanceTypes, unschedulablePod } from '../fake.ts'

/** A node launched for a NodeClaim: its name (the NodeClaim's) and labels. */
export interface LaunchedNode {
  name: string
  labels: Record<string, string>
}

/** fake `CloudProvider.Create` + `PopulateNodeClaimDetails`: the labels the node of `nodeClaim` carries. */
export function fakeLaunch(nodeClaim: NodeClaim, types: readonly InstanceType[], rng: Rng): LaunchedNode {
  const reqs = nodeClaimRequirements(nodeClaim)
  const requests = parseResourceList(nodeClaim.spec.resources?.requests)
  const cheapest = (it: InstanceType): number => Math.min(...offeringsMatching(available(it), reqs).map((o) => o.price))
  const candidates = types
    .filter((it) => reqs.isCompatible(it.requirements, ALLOW_UNDEFINED_WELL_KNOWN) && offeringsMatching(available(it), reqs).length > 0)
    .filter((it) => fits(requests, it.allocatable))
    .sort((a, b) => cheapest(a) - cheapest(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const chosen = candidates[0]
  if (!chosen) throw new Error(`fake cloud provider: no instance type for NodeClaim ${nodeClaim.metadata.name}`)
  const cloud: Record<string, string> = {}
  for (const req of chosen.requirements.values()) if (req.operator() === 'In') cloud[req.key] = req.valueList()[0]
  for (const o of available(chosen)) {
    const offering = new Requirements(Requirement.of(LABEL_ZONE, 'In', [o.zone]), Requirement.of(LABEL_CAPACITY_TYPE, 'In', [o.capacityType]))
    if (reqs.isCompatible(offering, ALLOW_UNDEFINED_WELL_KNOWN)) {
      cloud[LABEL_ZONE] = o.zone
      cloud[LABEL_CAPACITY_TYPE] = o.capacityType
      break
    }
  }
  const own = nodeClaim.metadata.labels ?? {}
  return { name: nodeClaim.metadata.name ?? '', labels: { ...cloud, ...own, ...reqs.labels(rng), ...own } }
}

function available(it: InstanceType): InstanceType['offerings'] {
  return it.offerings.filter((o) => o.available)
}

/** The outcome of `ExpectProvisioned(pods…)`: where each pod landed, if anywhere. */
export interface Provisioned {
  /** upstream `ExpectScheduled`: the node the pod is bound to (fails the case when there is none). */
  scheduled(pod: Pod): LaunchedNode
  /** upstream `ExpectNotScheduled`: the pod is bound to no node. */
  notScheduled(pod: Pod): boolean
}

/** `ExpectApplied(nodePool)` + `ExpectProvisioned(pods…)` with the fake cloud provider's default instance types. */
export function provision(nodePool: NodePool, pods: readonly Pod[], types: readonly InstanceType[] = defaultInstanceTypes()): Provisioned {
  const rng = seededRng(1)
  const round = provisioningRound({ pendingPods: pods, nodePools: [nodePool], instanceTypes: { [nodePool.metadata.name ?? '']: types }, rng })
  const nodeOf = new Map<Pod, LaunchedNode>()
  round.results.newNodeClaims.forEach((planned, i) => {
    const node = fakeLaunch(round.nodeClaims[i], types, rng)
    for (const p of planned.podList()) nodeOf.set(p, node)
  })
  return {
    scheduled(pod) {
      const node = nodeOf.get(pod)
      if (!node) throw new Error(`pod ${pod.metadata.name} not scheduled: ${round.results.podErrors.get(pod) ?? 'ignored by the provisioner'}`)
      return node
    },
    notScheduled: (pod) => !nodeOf.has(pod),
  }
}

/** upstream `test.PodOptions`' NodeSelector, NodeRequirements (one required term) and NodePreferences (one weight-1 term). */
export interface PodConstraints {
  nodeSelector?: Record<string, string>
  required?: NodeSelectorRequirement[]
  preferred?: NodeSelectorRequirement[]
}

/** upstream `test.UnschedulablePod(test.PodOptions{NodeSelector, NodeRequirements, NodePreferences})`. */
export function constrainedPod(c: PodConstraints = {}): Pod {
  const nodeAffinity: NonNullable<NonNullable<Pod['spec']['affinity']>['nodeAffinity']> = {}
  if (c.required) nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: [{ matchExpressions: c.required }] }
  if (c.preferred) nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution = [{ weight: 1, preference: { matchExpressions: c.preferred } }]
  return unschedulablePod({
    spec: {
      ...(c.nodeSelector ? { nodeSelector: c.nodeSelector } : {}),
      ...(c.required || c.preferred ? { affinity: { nodeAffinity } } : {}),
    },
  })
}
