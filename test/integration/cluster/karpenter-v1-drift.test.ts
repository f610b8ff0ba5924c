// Drift in the Karpenter 1.x twin (Karpenter 1.9.2 on AWS), through the sandbox's controllers, on a
// 1.35 cluster with the 1.9.2 chart (the fixtures of karpenter-v1.test.ts):
// - a NodePool requirements change the node still satisfies does not drift it: requirements are not
//   in `karpenter.sh/nodepool-hash` (core v1.9.1 pkg/apis/v1/nodepool.go, `hash:"ignore"`) and the
//   requirements check (nodeclaim/disruption/drift.go areRequirementsDrifted) finds the node's labels
//   still compatible;
// - an EC2NodeClass tag change moves `karpenter.k8s.aws/ec2nodeclass-hash` (aws v1.9.2
//   pkg/apis/v1/ec2nodeclass.go): the NodeClaim is marked Drifted (NodeClassDrift) and the Drift
//   method replaces the node, the replacement launched with the new tags and hash;
// - between the two, pinning the alias to the day's release (`al2023@v20261206`) resolves through the
//   dated SSM parameter the sandbox publishes (al2023.go resolvePath) to the same AMIs: no drift.
//
// Run: npm exec -- node --test test/integration/cluster/karpenter-v1-drift.test.ts

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { eventually, startTutorialCluster, type KubeObjectLike, type TutorialCluster } from './tutorial-cluster.ts'
import { allRunning, conditionTrue, karpenterNodes, linesWith, tutorialCommand, v1NodePoolAndClass } from './tutorial-helpers.ts'

const TAGS = { project: 'build-on-aws', intent: 'apps', 'karpenter.sh/discovery': '${CLUSTER_NAME}' }
const NODEPOOL_AND_CLASS = v1NodePoolAndClass({ consolidateAfter: '1m', limits: { cpu: 1000, memory: '1000Gi' }, tags: TAGS })

describe('drift in the Karpenter 1.x twin (1.9.2 chart, 1.35 cluster)', { timeout: 20 * 60_000 }, () => {
  let cluster: TutorialCluster
  const nodeClaims = async () => (await cluster.kubectlJson('get nodeclaims')).items
  const drifted = (c: KubeObjectLike) =>
    (c.status?.conditions as { type: string; status: string; reason: string }[] | undefined)?.find((x) => x.type === 'Drifted')

  before(async () => {
    cluster = await startTutorialCluster({
      name: 'karpenter-v1-drift',
      karpenterChartVersion: '1.9.2',
      kubernetesVersion: '1.35',
      nodeGroupAmiType: 'AL2023_x86_64_STANDARD',
      asOf: '2026-12-06',
      noWait: true,
    })
    await eventually("the leader's controllers started", async () => {
      const lines = await cluster.karpenterLogs()
      return lines.some((l) => l.message === 'Starting workers' && l.controller === 'interruption') || `${lines.length} lines`
    })
    await cluster.run(NODEPOOL_AND_CLASS)
    await eventually('the NodePool Ready', async () => conditionTrue(await cluster.kubectlJson<KubeObjectLike>('get nodepool default'), 'Ready') || 'not yet')
    await cluster.run(tutorialCommand('Step 4', 0))
    await eventually('the 10 stateless pods Running', () => allRunning(cluster, 'app=stateless', 10), 180_000)
  })
  after(async () => {
    await cluster?.close()
  })

  it('a NodePool requirements change the node still satisfies leaves the hash and the node alone', async () => {
    const [claim] = await nodeClaims()
    const before = await cluster.kubectlJson<KubeObjectLike>('get nodepool default')
    const hash = before.metadata.annotations!['karpenter.sh/nodepool-hash']
    assert.equal(claim.metadata.annotations!['karpenter.sh/nodepool-hash'], hash)
    // instance-category c, m, r → c, m, r, t (requirement index 4): the node's category is still in.
    await cluster.run(
      `kubectl patch nodepool default --type json -p '[{"op":"replace","path":"/spec/template/spec/requirements/4/values","value":["c","m","r","t"]}]'`,
    )
    const generationOf = (o: KubeObjectLike) => (o.metadata as { generation?: number }).generation ?? 0
    const generation = generationOf(await cluster.kubectlJson<KubeObjectLike>('get nodepool default'))
    assert.ok(generation > generationOf(before), 'the patch changed the spec')
    // The nodepool status controllers have seen the new generation; then give nodeclaim.disruption
    // (enqueued by every NodePool event) a few tutorial seconds.
    await eventually('the NodePool reconciled at its new generation', async () => {
      const np = await cluster.kubectlJson<KubeObjectLike>('get nodepool default')
      const ready = (np.status?.conditions as { type: string; observedGeneration?: number }[] | undefined)?.find((c) => c.type === 'Ready')
      return ready?.observedGeneration === generation || `Ready observedGeneration ${ready?.observedGeneration}, generation ${generation}`
    })
    await new Promise((r) => setTimeout(r, 3_000))
    const after = await cluster.kubectlJson<KubeObjectLike>('get nodepool default')
    assert.equal(after.metadata.annotations!['karpenter.sh/nodepool-hash'], hash, 'requirements are not hashed')
    const claims = await nodeClaims()
    assert.deepEqual(
      claims.map((c) => c.metadata.name),
      [claim.metadata.name],
      'the same NodeClaim',
    )
    assert.equal(drifted(claims[0]), undefined, JSON.stringify(claims[0].status?.conditions))
    assert.equal(linesWith(await cluster.karpenterLogs(), 'disrupting node(s)').length, 0)
  })

  it("pinning the alias to the day's AL2023 release (al2023@v20261206) resolves through its dated SSM parameter, without drift", async () => {
    const before = await cluster.kubectlJson<KubeObjectLike>('get ec2nodeclass default')
    const amis = (before.status as { amis: { id: string }[] }).amis.map((a) => a.id).sort()
    const hash = before.metadata.annotations!['karpenter.k8s.aws/ec2nodeclass-hash']
    const [claim] = await nodeClaims()
    await cluster.run(`kubectl patch ec2nodeclass default --type merge -p '{"spec":{"amiSelectorTerms":[{"alias":"al2023@v20261206"}]}}'`)
    const generation = (before.metadata as { generation?: number }).generation! + 1
    const after = await eventually('the EC2NodeClass Ready at its new generation', async () => {
      const nc = await cluster.kubectlJson<KubeObjectLike>('get ec2nodeclass default')
      const ready: { status: string; observedGeneration?: number } | undefined = nc.status?.conditions?.find((c) => c.type === 'Ready')
      return (ready?.observedGeneration === generation && ready.status === 'True' && nc) || JSON.stringify(nc.status?.conditions)
    })
    // The day's release is the recommended one: the same images, and amiSelectorTerms are not hashed.
    assert.deepEqual((after.status as { amis: { id: string }[] }).amis.map((a) => a.id).sort(), amis)
    assert.equal(after.metadata.annotations!['karpenter.k8s.aws/ec2nodeclass-hash'], hash)
    await new Promise((r) => setTimeout(r, 3_000))
    const claims = await nodeClaims()
    assert.deepEqual(
      claims.map((c) => c.metadata.name),
      [claim.metadata.name],
    )
    assert.equal(drifted(claims[0]), undefined, JSON.stringify(claims[0].status?.conditions))
  })

  it('an EC2NodeClass tag change drifts the node (NodeClassDrift) and the Drift method replaces it', async () => {
    const [old] = await karpenterNodes(cluster)
    const [claim] = await nodeClaims()
    const nodeClassHash = claim.metadata.annotations!['karpenter.k8s.aws/ec2nodeclass-hash']
    await cluster.run(`kubectl patch ec2nodeclass default --type merge -p '{"spec":{"tags":{"team":"spot"}}}'`)
    const marked = await eventually(
      'the NodeClaim Drifted',
      async () => {
        const c = (await nodeClaims()).find((x) => x.metadata.name === claim.metadata.name)
        const d = c && drifted(c)
        return d?.status === 'True' ? d : JSON.stringify(c?.status?.conditions)
      },
      60_000,
    )
    assert.equal(marked.reason, 'NodeClassDrift')
    const nc = await cluster.kubectlJson<KubeObjectLike>('get ec2nodeclass default')
    assert.notEqual(nc.metadata.annotations!['karpenter.k8s.aws/ec2nodeclass-hash'], nodeClassHash)
    await eventually(
      'the drifted node replaced, the 10 pods Running on the replacement',
      async () => {
        const nodes = await karpenterNodes(cluster)
        const claims = await nodeClaims()
        if (nodes.some((n) => n.metadata.name === old.metadata.name) || claims.some((c) => c.metadata.name === claim.metadata.name))
          return `${old.metadata.name} still there`
        const r = await allRunning(cluster, 'app=stateless', 10)
        return typeof r === 'string' ? r : nodes.length === 1 && claims.length === 1 ? r : `${nodes.length} nodes, ${claims.length} nodeclaims`
      },
      300_000,
    )
    const [replacement] = await nodeClaims()
    assert.equal(replacement.metadata.annotations!['karpenter.k8s.aws/ec2nodeclass-hash'], nc.metadata.annotations!['karpenter.k8s.aws/ec2nodeclass-hash'])
    assert.equal(drifted(replacement), undefined)
    const lines = await cluster.karpenterLogs()
    const disrupting = linesWith(lines, 'disrupting node(s)')
    assert.equal(disrupting.length, 1, disrupting.map((l) => l.raw).join('\n'))
    assert.match(String(disrupting[0].command), /^Drifted\/[0-9a-f-]{36}: replace: \[/)
    assert.equal(linesWith(lines, 'marking drifted').length, 0, 'marking drifted is a V(1) line: the chart logs at info')
    const [node] = await karpenterNodes(cluster)
    const id = node.spec!.providerID!.split('/').pop()!
    const team = await cluster.run(
      `aws ec2 describe-instances --instance-ids ${id} --query "Reservations[0].Instances[0].Tags[?Key=='team'].Value" --output text`,
    )
    assert.equal(team.trim(), 'spot', 'the replacement carries the new tag')
  })
})
