// What a failed destroy may forget (B4): the Helm releases and Kubernetes objects of a cluster
// that is gone, when Terraform could not reach it — and nothing else, and never while it lives.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { forgettableAfterClusterGone } from '../../../support/undo.ts'

const state = [
  'data.aws_availability_zones.available',
  'module.eks.aws_eks_cluster.this[0]',
  'module.eks.kubernetes_config_map_v1_data.aws_auth[0]',
  'module.eks_blueprints_addons.module.karpenter.helm_release.this[0]',
  'module.eks_blueprints_addons.module.karpenter.data.helm_template.this[0]',
  'module.vpc.aws_vpc.this[0]',
]
// The helm provider's message when the cluster's endpoint no longer resolves.
const unreachable =
  'Error: Kubernetes cluster unreachable: Get "https://ABC.gr7.eu-west-2.eks.amazonaws.com/version": dial tcp: lookup ABC.gr7.eu-west-2.eks.amazonaws.com: no such host'

describe('terraform destroy: forgetting what went with the cluster', () => {
  it('forgets helm_release and kubernetes_* (not data sources, not AWS resources) when the cluster is gone and unreachable', () => {
    assert.deepEqual(forgettableAfterClusterGone(unreachable, state, true), [
      'module.eks.kubernetes_config_map_v1_data.aws_auth[0]',
      'module.eks_blueprints_addons.module.karpenter.helm_release.this[0]',
    ])
  })

  it('forgets nothing while the cluster exists, or when the destroy failed for another reason', () => {
    assert.deepEqual(forgettableAfterClusterGone(unreachable, state, false), [])
    assert.deepEqual(forgettableAfterClusterGone('Error: deleting EC2 Subnet (subnet-1): DependencyViolation', state, true), [])
  })
})
