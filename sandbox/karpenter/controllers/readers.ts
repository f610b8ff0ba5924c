// How each line's stored objects are read into the model the twin's logic works on (api.ts, the
// v1beta1 shapes): the v0.32 twin reads them as they are; the 1.x twin adapts karpenter.sh/v1 and
// karpenter.k8s.aws/v1 objects through v1/adapter.ts (kubelet from the EC2NodeClass, expireAfter
// from the template, the AMI family from the alias).

import type { KubeObject } from '../../kube/json.ts'
import type { EC2NodeClass, NodeClaim, NodePool } from '../api.ts'
import type { KarpenterLine } from '../version.ts'
import { internalNodeClaim, internalNodeClass, internalNodePool } from '../v1/adapter.ts'
import type { EC2NodeClassV1, NodeClaimV1, NodePoolV1 } from '../v1/api.ts'

export interface ObjectReaders {
  nodeClasses(raw: readonly KubeObject[]): EC2NodeClass[]
  nodePools(raw: readonly KubeObject[], nodeClasses: readonly KubeObject[]): NodePool[]
  nodeClaims(raw: readonly KubeObject[], nodeClasses: readonly KubeObject[]): NodeClaim[]
}

const asIs: ObjectReaders = {
  nodeClasses: (raw) => raw as unknown as EC2NodeClass[],
  nodePools: (raw) => raw as unknown as NodePool[],
  nodeClaims: (raw) => raw as unknown as NodeClaim[],
}

function classByName(nodeClasses: readonly KubeObject[]): Map<string, EC2NodeClassV1> {
  return new Map(nodeClasses.map((c) => [c.metadata.name!, c as unknown as EC2NodeClassV1]))
}

const v1: ObjectReaders = {
  nodeClasses: (raw) => raw.map((c) => internalNodeClass(c as unknown as EC2NodeClassV1)),
  nodePools: (raw, nodeClasses) => {
    const classes = classByName(nodeClasses)
    return raw.map((np) => {
      const p = np as unknown as NodePoolV1
      return internalNodePool(p, classes.get(p.spec.template.spec.nodeClassRef?.name))
    })
  },
  nodeClaims: (raw, nodeClasses) => {
    const classes = classByName(nodeClasses)
    return raw.map((nc) => {
      const c = nc as unknown as NodeClaimV1
      return internalNodeClaim(c, classes.get(c.spec.nodeClassRef?.name))
    })
  },
}

export function readersFor(line: KarpenterLine): ObjectReaders {
  return line === 'v1' ? v1 : asIs
}
