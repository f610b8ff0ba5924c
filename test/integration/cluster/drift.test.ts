// The seeded "cluster after Step 2" (tutorial-cluster.ts) must be what the Terraform fixture makes:
// the real fixture is applied in one sandbox, the seed in another, and both accounts are read back
// through the same describe calls and compared, normalised (ids → names, name_prefix suffixes,
// endpoints). A change to fixtures/terraform/sandbox that the seed does not follow fails here.
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { accountShape, startTutorialCluster, type TutorialCluster } from './tutorial-cluster.ts'

describe('the seeded Step 2 and the Terraform fixture', { timeout: 6 * 60_000 }, () => {
  let open: TutorialCluster | undefined
  after(async () => {
    await open?.close()
  })

  it('make the same account: VPC, subnets, tags, IAM, EKS cluster, node group, add-ons, queue, rules, Helm release', async () => {
    open = await startTutorialCluster({ name: 'drift-terraform', via: 'terraform', noWait: true })
    const fromTerraform = await accountShape(open.aws)
    await open.close()
    open = await startTutorialCluster({ name: 'drift-seed', via: 'seed', noWait: true })
    const fromSeed = await accountShape(open.aws)
    await open.close()
    open = undefined

    // The comparison is only worth something if the fixture made what Step 2 needs.
    const clusters = fromTerraform.clusters as { name: string; nodegroups: unknown[]; addons: { name: string }[] }[]
    assert.deepEqual(
      clusters.map((c) => c.name),
      ['spot-and-karpenter'],
    )
    assert.equal(clusters[0].nodegroups.length, 1)
    assert.deepEqual(
      clusters[0].addons.map((a) => a.name),
      ['aws-ebs-csi-driver', 'coredns', 'kube-proxy', 'vpc-cni'],
    )
    assert.equal((fromTerraform.subnets as unknown[]).length, 6)
    assert.equal((fromTerraform.rules as unknown[]).length, 4)
    assert.equal((fromTerraform.parameters as unknown[]).length, 1)
    for (const key of Object.keys(fromTerraform)) assert.deepEqual(fromSeed[key], fromTerraform[key], `${key} differs between the seed and the fixture`)
    assert.deepEqual(Object.keys(fromSeed).sort(), Object.keys(fromTerraform).sort())
  })
})
