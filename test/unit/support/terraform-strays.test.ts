// What a killed apply made but never recorded: the run's network things and EKS clusters that no
// Terraform state holds — and nothing a state names in any attribute, of another run, or of a
// kind the destroy does not wait on. Also which of terraform destroy's lines the cleanup shows.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Leftover } from '../../../support/reap-select.ts'
import { stateStrings, strays } from '../../../support/terraform-strays.ts'
import { isDestroyProgress } from '../../../support/undo.ts'

const RUN = '20261207120938-19b6'
// The shape of `terraform show -json`: resources in the root module and in child modules.
const show = JSON.stringify({
  format_version: '1.0',
  values: {
    root_module: {
      child_modules: [
        {
          address: 'module.vpc',
          resources: [
            { address: 'module.vpc.aws_vpc.this', values: { id: 'vpc-1', tags_all: { 'spotcheck:run': RUN } } },
            { address: 'module.vpc.aws_subnet.private[0]', values: { id: 'subnet-1', vpc_id: 'vpc-1' } },
          ],
        },
        {
          address: 'module.eks',
          resources: [
            {
              address: 'module.eks.aws_eks_cluster.this',
              values: { id: 'spot-and-karpenter', vpc_config: [{ cluster_security_group_id: 'sg-eks', subnet_ids: ['subnet-1'] }] },
            },
            { address: 'module.eks.aws_eks_node_group.this', values: { id: 'spot-and-karpenter:managed-ondemand', node_group_name: 'managed-ondemand' } },
          ],
        },
      ],
    },
  },
})

const thing = (kind: Leftover['kind'], id: string, runId: string | null = RUN): Leftover => ({ kind, id, label: `${kind} ${id}`, runId: runId ?? undefined })

describe('strays of a killed terraform apply', () => {
  it('collects every string of the state, at any depth (ids, and the ids one resource holds of another)', () => {
    const known = stateStrings(show)
    for (const s of ['vpc-1', 'subnet-1', 'sg-eks', 'spot-and-karpenter', 'managed-ondemand']) assert.ok(known.has(s), s)
  })

  it('an empty state (killed before it was first written) knows nothing', () => {
    assert.equal(stateStrings('{"format_version":"1.0"}').size, 0)
  })

  it("takes the run's network things and clusters that no state names, in the order they can be removed", () => {
    const found = [
      thing('vpc', 'vpc-1'),
      thing('subnet', 'subnet-1'),
      thing('route-table', 'rtb-stray'),
      thing('subnet', 'subnet-stray'),
      thing('security-group', 'sg-eks'),
      thing('eks-nodegroup', 'managed-ondemand'),
      thing('nat-gateway', 'nat-stray'),
      thing('eks-cluster', 'spot-and-karpenter'),
    ]
    assert.deepEqual(
      strays(found, RUN, stateStrings(show)).map((l) => l.id),
      ['nat-stray', 'subnet-stray', 'rtb-stray'],
    )
  })

  it("leaves another run's things, untagged things, and kinds that are not the VPC's or the cluster's", () => {
    const found = [
      thing('subnet', 'subnet-other-run', '20261207000000-aaaa'),
      thing('subnet', 'subnet-untagged', null),
      thing('ec2-instance', 'i-karpenter'),
      thing('iam-role', 'fis-role'),
      thing('cloudformation-stack', 'fis-spot-and-karpenter'),
      thing('launch-template', 'lt-1'),
      thing('network-interface', 'eni-1'),
    ]
    assert.deepEqual(strays(found, RUN, new Set()), [])
  })
})

describe("terraform destroy's progress, as the cleanup shows it", () => {
  it('shows each resource starting and finishing, errors and the summary', () => {
    for (const line of [
      'module.vpc.aws_vpc.this: Destroying... [id=vpc-1]',
      'module.vpc.aws_vpc.this: Destruction complete after 0s',
      'Destroy complete! Resources: 13 destroyed.',
      '│ Error: deleting EC2 VPC (vpc-1): DependencyViolation',
      'Error: Kubernetes cluster unreachable',
    ])
      assert.ok(isDestroyProgress(line), line)
  })

  it('shows a resource still being destroyed once a minute, not every 10 s; not the refresh', () => {
    assert.ok(isDestroyProgress('module.vpc.aws_vpc.this: Still destroying... [id=vpc-1, 1m0s elapsed]'))
    assert.ok(isDestroyProgress('module.vpc.aws_vpc.this: Still destroying... [id=vpc-1, 12m0s elapsed]'))
    assert.ok(!isDestroyProgress('module.vpc.aws_vpc.this: Still destroying... [id=vpc-1, 10s elapsed]'))
    assert.ok(!isDestroyProgress('module.vpc.aws_vpc.this: Still destroying... [id=vpc-1, 1m10s elapsed]'))
    assert.ok(!isDestroyProgress('module.vpc.aws_vpc.this: Refreshing state... [id=vpc-1]'))
  })
})
