// Reading the v1 objects into the internal model the pure logic (scheduling, instance types,
// launch planning) was written against — the v1beta1 shapes of api.ts. What moved in v1 is moved
// back here, in one place:
//   - kubelet settings live on the EC2NodeClass (aws pkg/apis/v1/ec2nodeclass.go `Kubelet`), not
//     the NodePool template; the instance types are built from them (instancetype/types.go Resolve);
//   - `expireAfter` lives in `spec.template.spec` (core pkg/apis/v1/nodeclaim.go);
//   - the AMI family comes from the alias (`al2023@latest` → AL2023; ec2nodeclass.go AMIFamily);
//   - nodeClassRef is {group, kind, name}.
// 1.9 computes allocatable from `evictionHard` only (instancetype/types.go evictionThreshold:
// "evictionSoft should not impact allocatable capacity"), where v0.32 took the larger of hard and
// soft; the adapter drops `evictionSoft` from the kubelet the instance types see.
// 1.9 adds the operators Gte and Lte (core pkg/scheduling/requirement.go NewRequirementWithFlag:
// inclusive bounds); the adapter writes them as the equivalent Gt/Lt the v0.32 requirements know.

import type { NodeSelectorRequirement } from '../../k8s/types.ts'
import type { EC2NodeClass, KubeletConfiguration, NodeClaim, NodePool } from '../api.ts'
import { amiFamilyOf } from './amis.ts'
import { NODECLASS_V1, type EC2NodeClassV1, type KubeletConfigurationV1, type NodeClaimV1, type NodePoolV1 } from './api.ts'

/** A v1 requirement as the v0.32 requirements read it: `Gte n` is `Gt n-1`, `Lte n` is `Lt n+1`. */
function internalRequirement({ minValues: _minValues, ...r }: NodeSelectorRequirement & { minValues?: number }): NodeSelectorRequirement {
  if (r.operator !== 'Gte' && r.operator !== 'Lte') return r
  const n = Number.parseInt(r.values?.[0] ?? '', 10)
  return r.operator === 'Gte' ? { ...r, operator: 'Gt', values: [String(n - 1)] } : { ...r, operator: 'Lt', values: [String(n + 1)] }
}

/** The kubelet settings the instance types are computed with (evictionSoft ignored, as 1.9 does). */
export function instanceTypeKubelet(kubelet: KubeletConfigurationV1 | undefined): KubeletConfiguration | undefined {
  if (!kubelet) return undefined
  const { evictionSoft: _ignored, evictionSoftGracePeriod: _alsoIgnored, ...rest } = kubelet
  return rest
}

export function internalNodeClass(nc: EC2NodeClassV1): EC2NodeClass {
  const s = nc.spec
  return {
    apiVersion: nc.apiVersion,
    kind: nc.kind,
    metadata: nc.metadata,
    spec: {
      amiFamily: amiFamilyOf(nc),
      subnetSelectorTerms: s.subnetSelectorTerms,
      securityGroupSelectorTerms: s.securityGroupSelectorTerms,
      role: s.role,
      instanceProfile: s.instanceProfile,
      tags: s.tags,
      userData: s.userData,
      blockDeviceMappings: s.blockDeviceMappings,
      instanceStorePolicy: s.instanceStorePolicy,
      metadataOptions: s.metadataOptions,
      detailedMonitoring: s.detailedMonitoring,
      context: s.context,
    },
    status: nc.status,
  }
}

/** The NodePool as the scheduler and instance types read it; `nodeClass` supplies the kubelet settings. */
export function internalNodePool(np: NodePoolV1, nodeClass: EC2NodeClassV1 | undefined): NodePool {
  const t = np.spec.template.spec
  return {
    apiVersion: np.apiVersion,
    kind: np.kind,
    metadata: np.metadata,
    spec: {
      template: {
        metadata: np.spec.template.metadata,
        spec: {
          taints: t.taints,
          startupTaints: t.startupTaints,
          requirements: (t.requirements ?? []).map(internalRequirement),
          kubelet: instanceTypeKubelet(nodeClass?.spec.kubelet),
          nodeClassRef: { apiVersion: NODECLASS_V1, kind: t.nodeClassRef.kind, name: t.nodeClassRef.name },
        },
      },
      disruption: {
        consolidationPolicy: np.spec.disruption?.consolidationPolicy ?? 'WhenEmptyOrUnderutilized',
        consolidateAfter: np.spec.disruption?.consolidateAfter,
        expireAfter: t.expireAfter ?? '720h',
      },
      limits: np.spec.limits,
      weight: np.spec.weight,
    },
    status: { resources: np.status?.resources },
  }
}

/** The NodeClaim as launch and cluster state read it (kubelet from its EC2NodeClass). */
export function internalNodeClaim(nc: NodeClaimV1, nodeClass: EC2NodeClassV1 | undefined): NodeClaim {
  const s = nc.spec
  return {
    apiVersion: nc.apiVersion,
    kind: nc.kind,
    metadata: nc.metadata,
    spec: {
      taints: s.taints,
      startupTaints: s.startupTaints,
      requirements: (s.requirements ?? []).map(internalRequirement),
      resources: s.resources,
      kubelet: instanceTypeKubelet(nodeClass?.spec.kubelet),
      nodeClassRef: s.nodeClassRef && { apiVersion: NODECLASS_V1, kind: s.nodeClassRef.kind, name: s.nodeClassRef.name },
    },
    status: nc.status,
  }
}
