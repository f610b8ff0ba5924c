// Karpenter runs only while one of its replicas leads (Lease karpenter/karpenter-leader-election):
// with the karpenter Deployment scaled to 0 nothing provisions, consolidates or resolves
// EC2NodeClasses; scaled back, a new leader takes the lease and carries on from the cluster's
// state; when the leader's pod goes, the other replica takes over.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { eventually, karpenterLease, parseKarpenterLines, startTutorialCluster, type KubeObjectLike, type TutorialCluster } from './tutorial-cluster.ts'
import { allRunning, karpenterNodes, linesWith, pods, summary, tutorialCommand } from './tutorial-helpers.ts'

describe('Karpenter’s leader election', { timeout: 5 * 60_000 }, () => {
  let cluster: TutorialCluster
  let timeScale = 20
  const lease = () => karpenterLease(cluster)
  const replicas = async () => (await cluster.kubectlJson('get pods -n karpenter -l app.kubernetes.io/name=karpenter')).items
  const podLog = async (pod: string) => parseKarpenterLines(await cluster.run(`kubectl -n karpenter logs ${pod} --tail=-1`))
  /** Lets `tutorialMs` of tutorial time pass (the sandbox runs `timeScale` times faster). */
  const tutorialTime = (tutorialMs: number) => new Promise((r) => setTimeout(r, tutorialMs / timeScale))
  const karpenterInstances = async () =>
    Number(
      (
        await cluster.run(
          `aws ec2 describe-instances --filters Name=tag-key,Values=karpenter.sh/nodepool --query 'length(Reservations[].Instances[])' --output text`,
        )
      ).trim(),
    )

  before(async () => {
    cluster = await startTutorialCluster({ name: 'leader' })
    timeScale = (JSON.parse(readFileSync(join(cluster.home, 'sandboxes', 'leader', 'config.json'), 'utf8')) as { timeScale: number }).timeScale
    await cluster.run(tutorialCommand('Step 3', 2))
    await cluster.run(tutorialCommand('Step 4', 0))
    await eventually('the 10 stateless pods Running', () => allRunning(cluster, 'app=stateless', 10))
  })
  after(async () => {
    await cluster?.close()
  })

  it('scaled to 0 replicas, Karpenter neither provisions, nor consolidates, nor resolves EC2NodeClasses', async () => {
    // The leader renews its lease (every 2 s, well within the 15 s lease) while it leads.
    const before = await lease()
    assert.equal(before.leaseDurationSeconds, 15)
    await tutorialTime(10_000)
    assert.ok(String((await lease()).renewTime) > String(before.renewTime), `renewTime ${before.renewTime} → ${(await lease()).renewTime}`)
    const nodesBefore = await karpenterNodes(cluster)
    assert.equal(nodesBefore.length, 1)
    const instancesBefore = await karpenterInstances()
    await cluster.run('kubectl -n karpenter scale deployment karpenter --replicas=0')
    await eventually('no Karpenter pod left', async () => (await replicas()).length === 0 || summary(await replicas()))
    const lastRenewal = (await lease()).renewTime

    // Work that would keep Karpenter busy: an empty node, seven pending On-Demand pods, a new EC2NodeClass.
    await cluster.run(tutorialCommand('Step 5', 0))
    await cluster.run(tutorialCommand('Step 7', 0))
    await cluster.run(`kubectl apply -f - <<'EOF'
apiVersion: karpenter.k8s.aws/v1beta1
kind: EC2NodeClass
metadata:
  name: second
spec:
  amiFamily: AL2
  subnetSelectorTerms:
    - tags:
        karpenter.sh/discovery: spot-and-karpenter
  securityGroupSelectorTerms:
    - tags:
        karpenter.sh/discovery: spot-and-karpenter
  role: karpenter-spot-and-karpenter
EOF`)
    await eventually(
      'the stateless pods gone',
      async () => (await pods(cluster, 'app=stateless')).length === 0 || summary(await pods(cluster, 'app=stateless')),
    )
    // A minute of tutorial time: Karpenter would have batched (1 s), launched, and consolidated the
    // empty node (15 s validation + 10 s polling) several times over.
    await tutorialTime(60_000)
    const stateful = await pods(cluster, 'app=stateful')
    assert.equal(stateful.length, 7)
    assert.ok(
      stateful.every((p) => p.status?.phase === 'Pending' && !p.spec?.nodeName),
      summary(stateful),
    )
    assert.equal((await cluster.kubectlJson('get nodeclaims')).items.length, 1, 'no new NodeClaim')
    assert.deepEqual(
      (await karpenterNodes(cluster)).map((n) => n.metadata.name),
      nodesBefore.map((n) => n.metadata.name),
      'the empty node is not consolidated',
    )
    assert.equal(await karpenterInstances(), instancesBefore, 'no instance launched')
    const second = await cluster.kubectlJson<KubeObjectLike>('get ec2nodeclass second')
    assert.equal(second.status, undefined, 'nobody resolved the new EC2NodeClass')
    assert.equal((await lease()).holderIdentity, before.holderIdentity, 'the lease still names the last leader')
    assert.equal((await lease()).renewTime, lastRenewal, 'nobody renews the lease')

    // Scaled back: a new replica takes the lease and Karpenter picks up everything it missed.
    await cluster.run('kubectl -n karpenter scale deployment karpenter --replicas=2')
    const leader = await eventually('a new replica holding the lease', async () => {
      const l = await lease()
      const names = (await replicas()).map((p) => p.metadata.name)
      return (
        (l.holderIdentity && l.holderIdentity !== before.holderIdentity && names.includes(l.holderIdentity) && l) ||
        `holder ${l.holderIdentity}, replicas ${names.join(', ')}`
      )
    })
    assert.equal(leader.leaseTransitions, (before.leaseTransitions ?? 0) + 1)
    const running = await eventually('the 7 stateful pods Running', () => allRunning(cluster, 'app=stateful', 7))
    const onDemand = await cluster.kubectlJson<KubeObjectLike>(`get node ${running[0].spec!.nodeName}`)
    assert.equal(onDemand.metadata.labels!['karpenter.sh/capacity-type'], 'on-demand')
    await eventually('the empty Spot node consolidated away', async () => {
      const nodes = (await karpenterNodes(cluster)).map((n) => n.metadata.name)
      return !nodes.includes(nodesBefore[0].metadata.name) || nodes.join(', ')
    })
    const resolved = await eventually('the second EC2NodeClass resolved', async () => {
      const nc = await cluster.kubectlJson<KubeObjectLike>('get ec2nodeclass second')
      return (nc.status?.subnets as unknown[] | undefined)?.length === 3 ? nc : JSON.stringify(nc.status)
    })
    assert.equal((resolved.status?.securityGroups as unknown[]).length, 1)

    // The new leader's own log: the lease, its controllers starting, then the work.
    const lines = await podLog(leader.holderIdentity!)
    const messages = lines.map((l) => l.message)
    const acquired = messages.indexOf('successfully acquired lease karpenter/karpenter-leader-election')
    assert.ok(acquired >= 0, 'successfully acquired lease')
    assert.ok(messages.indexOf('starting controller') > acquired)
    assert.ok(linesWith(lines, 'created nodeclaim', { nodepool: 'default' }).length >= 1, 'the new leader created the NodeClaim')
    assert.ok(linesWith(lines, /^disrupting via consolidation delete/).length >= 1, 'the new leader consolidated')
    // As a fresh process, it discovers the EC2NodeClasses' subnets again.
    assert.deepEqual(
      linesWith(lines, 'discovered subnets')
        .map((l) => l.ec2nodeclass)
        .sort(),
      ['default', 'second'],
    )
    // The other replica only waits for the lease.
    const follower = (await replicas()).map((p) => p.metadata.name).find((n) => n !== leader.holderIdentity)!
    const followerLines = await podLog(follower)
    assert.deepEqual(followerLines.at(-1)?.message, 'attempting to acquire leader lease karpenter/karpenter-leader-election...')
    assert.equal(linesWith(followerLines, 'created nodeclaim').length, 0)
  })

  it('when the leader’s pod goes, the other replica takes the lease and provisions', async () => {
    const before = await lease()
    const other = (await replicas()).map((p) => p.metadata.name).find((n) => n !== before.holderIdentity)!
    await cluster.run(`kubectl -n karpenter delete pod ${before.holderIdentity} --wait=false`)
    const now = await eventually('the other replica holding the lease', async () => {
      const l = await lease()
      return (l.holderIdentity === other && l) || `holder ${l.holderIdentity}`
    })
    assert.equal(now.leaseTransitions, (before.leaseTransitions ?? 0) + 1)
    await cluster.run('kubectl scale deployment stateful --replicas=30')
    await eventually('30 stateful pods Running', () => allRunning(cluster, 'app=stateful', 30))
    const lines = await podLog(other)
    const acquired = lines.findIndex((l) => l.message === 'successfully acquired lease karpenter/karpenter-leader-election')
    assert.notEqual(
      acquired,
      -1,
      `${other} took the lease but never logged acquiring it; its last lines: ${lines
        .slice(-10)
        .map((l) => l.message)
        .join(' | ')}`,
    )
    const created = linesWith(lines.slice(acquired), 'created nodeclaim')
    assert.ok(created.length >= 1, 'the new leader created the NodeClaim for the extra pods')
    assert.ok(created.every((l) => l.nodepool === 'default'))
    // A replacement replica came up and waits as a follower.
    await eventually(
      'two replicas again',
      async () => (await replicas()).filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp).length === 2 || summary(await replicas()),
    )
  })
})
