// The tutorial's outcomes, Steps 3 to 8, against the cluster of Step 2, with the tutorial's own
// commands and manifests (fixtures/tutorial-commands.yaml) run through bash with the real kubectl
// and aws CLIs: what each step says should happen is asserted on the cluster's and the account's
// state, and on Karpenter's log lines, which are compared with the article's sample lines.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa, type ResultPromise } from 'execa'
import { toStringMap, withoutZeros } from '../../../sandbox/k8s/resources.ts'
import { onDemandPricesFor } from '../../../sandbox/karpenter/instance-types.ts'
import { onDemandPriceFile } from '../../unit/karpenter/helpers/moto-data.ts'
import { tutorialInstanceTypes } from '../../unit/karpenter/helpers/tutorial.ts'
import {
  CLUSTER_NAME,
  NODE_INSTANCE_PROFILE,
  QUEUE_NAME,
  eventually,
  startTutorialCluster,
  type KubeObjectLike,
  type TutorialCluster,
} from './tutorial-cluster.ts'
import {
  SAMPLE,
  allRunning,
  assertLikeSample,
  assertLikeTruncatedSample,
  conditionTrue,
  karpenterNodes,
  linesWith,
  nodeClaimInstanceTypes,
  pods,
  summary,
  tutorialCommand,
} from './tutorial-helpers.ts'

const ZONES = ['eu-west-2a', 'eu-west-2b', 'eu-west-2c']

describe('the tutorial, Steps 3–8, on the cluster of Step 2', { timeout: 10 * 60_000 }, () => {
  let cluster: TutorialCluster
  /** Karpenter's log lines already looked at: each step reads only what came after. */
  let seen = 0
  const newLines = async () => {
    const lines = await cluster.karpenterLogs()
    return lines.slice(seen)
  }
  const markLogs = async () => {
    seen = (await cluster.karpenterLogs()).length
  }
  const nodeClaims = async () => (await cluster.kubectlJson('get nodeclaims')).items
  const instance = async (id: string) =>
    JSON.parse(await cluster.run(`aws ec2 describe-instances --instance-ids ${id} --query 'Reservations[0].Instances[0]' --output json`)) as {
      InstanceType: string
      InstanceLifecycle?: string
      State: { Name: string }
      Placement: { AvailabilityZone: string }
      Tags: { Key: string; Value: string }[]
    }
  const idOf = (providerID: string) => providerID.split('/').pop()!

  before(async () => {
    cluster = await startTutorialCluster({ name: 'tutorial' })
  })
  after(async () => {
    await cluster?.close()
  })

  it('Step 2: kubectl get pods -n karpenter shows two Karpenter replicas Running', async () => {
    const out = await cluster.run(tutorialCommand('Step 2', 3))
    const rows = out.trim().split('\n')
    assert.match(rows[0], /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/)
    assert.equal(rows.length, 3, out)
    for (const row of rows.slice(1)) assert.match(row, /^karpenter-[a-z0-9]+-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s+\S+$/)
  })

  it('Step 3: the NodePool and EC2NodeClass apply; the class resolves the discovery-tagged subnets and security group, the AMIs and an instance profile', async () => {
    await cluster.run(tutorialCommand('Step 3', 0))
    const out = await cluster.run(tutorialCommand('Step 3', 2))
    assert.match(out, /nodepool\.karpenter\.sh\/default created/)
    assert.match(out, /ec2nodeclass\.karpenter\.k8s\.aws\/default created/)
    const subnetIds = (
      await cluster.run(
        `aws ec2 describe-subnets --filters Name=tag:karpenter.sh/discovery,Values=${CLUSTER_NAME} --query 'Subnets[].[SubnetId,AvailabilityZone]' --output text`,
      )
    )
      .trim()
      .split('\n')
      .map((l) => l.split('\t'))
      .map(([id, zone]) => ({ id, zone }))
      .sort((a, b) => a.zone.localeCompare(b.zone))
    const groupIds = (
      await cluster.run(
        `aws ec2 describe-security-groups --filters Name=tag:karpenter.sh/discovery,Values=${CLUSTER_NAME} --query 'SecurityGroups[].GroupId' --output text`,
      )
    )
      .trim()
      .split(/\s+/)
    assert.equal(subnetIds.length, 3)
    assert.equal(groupIds.length, 1)
    const nodeClass = await eventually('the EC2NodeClass status', async () => {
      const nc = await cluster.kubectlJson<KubeObjectLike>('get ec2nodeclass default')
      return (nc.status?.subnets as unknown[] | undefined)?.length ? nc : JSON.stringify(nc.status ?? {})
    })
    const status = nodeClass.status as {
      subnets: { id: string; zone: string }[]
      securityGroups: { id: string }[]
      amis: { id: string; requirements: { key: string; values: string[] }[] }[]
      instanceProfile: string
    }
    assert.deepEqual(
      [...status.subnets].sort((a, b) => a.zone.localeCompare(b.zone)),
      subnetIds,
    )
    assert.deepEqual(
      status.securityGroups.map((g) => g.id),
      groupIds,
    )
    assert.deepEqual(
      status.amis
        .map((a) => a.requirements.find((r) => r.key === 'kubernetes.io/arch')?.values)
        .flat()
        .sort(),
      ['amd64', 'arm64'],
    )
    // The instance profile Karpenter made for `role:` exists in IAM and holds that role.
    const role = await cluster.run(
      `aws iam get-instance-profile --instance-profile-name ${status.instanceProfile} --query 'InstanceProfile.Roles[0].RoleName' --output text`,
    )
    assert.equal(role.trim(), NODE_INSTANCE_PROFILE)
    assert.ok(nodeClass.metadata.finalizers?.includes('karpenter.k8s.aws/termination'), 'the EC2NodeClass carries Karpenter’s finalizer')
    // The NodePool: Karpenter stamped its template hash (v0.32.1 has no Ready condition on either object).
    const nodePool = await eventually('the NodePool hash annotation', async () => {
      const np = await cluster.kubectlJson<KubeObjectLike>('get nodepool default')
      return np.metadata.annotations?.['karpenter.sh/nodepool-hash'] ? np : 'no karpenter.sh/nodepool-hash yet'
    })
    assert.match(nodePool.metadata.annotations!['karpenter.sh/nodepool-hash'], /^\d+$/)
    const lines = await cluster.karpenterLogs()
    const discovered = linesWith(lines, 'discovered subnets', { ec2nodeclass: 'default' })
    assert.equal(discovered.length, 1, 'one "discovered subnets" line')
  })

  it('Step 4: ten Spot pods go Pending, then one NodeClaim fits them all and they run on one Spot node', async () => {
    await markLogs()
    await cluster.run(tutorialCommand('Step 4', 0))
    const running = await eventually('the 10 stateless pods Running', () => allRunning(cluster, 'app=stateless', 10))
    // They were Pending first: the kube-scheduler could not place any of them before Karpenter's node.
    const failed = await cluster.run(
      `kubectl get events --field-selector reason=FailedScheduling,involvedObject.kind=Pod -o jsonpath='{range .items[*]}{.involvedObject.name}{"\\n"}{end}'`,
    )
    for (const p of running) assert.ok(failed.includes(p.metadata.name), `${p.metadata.name} was never unschedulable`)
    const nodes = new Set(running.map((p) => p.spec!.nodeName))
    assert.equal(nodes.size, 1, `pods on ${[...nodes].join(', ')}`)
    const claims = await nodeClaims()
    assert.equal(claims.length, 1, claims.map((c) => c.metadata.name).join(', '))
    const [claim] = claims
    assert.equal(claim.status?.nodeName, [...nodes][0])
    assert.ok(conditionTrue(claim, 'Ready'), JSON.stringify(claim.status?.conditions))

    // The node: Spot, intent=apps, in one of the three zones, of a type the NodeClaim allowed.
    const node = await cluster.kubectlJson<KubeObjectLike>(`get node ${[...nodes][0]}`)
    const labels = node.metadata.labels!
    assert.equal(labels['karpenter.sh/capacity-type'], 'spot')
    assert.equal(labels.intent, 'apps')
    assert.equal(labels['karpenter.sh/nodepool'], 'default')
    assert.ok(ZONES.includes(labels['topology.kubernetes.io/zone']), labels['topology.kubernetes.io/zone'])
    const allowed = nodeClaimInstanceTypes(claim)
    assert.equal(allowed.length, 100, 'the NodeClaim carries the 100 cheapest instance types')
    assert.ok(allowed.includes(labels['node.kubernetes.io/instance-type']), labels['node.kubernetes.io/instance-type'])
    assert.equal(labels['beta.kubernetes.io/instance-type'], labels['node.kubernetes.io/instance-type'])
    assert.ok(['c', 'm', 'r'].includes(labels['karpenter.k8s.aws/instance-category']))
    assert.ok(Number(labels['karpenter.k8s.aws/instance-cpu']) > 4)
    assert.ok(Number(labels['karpenter.k8s.aws/instance-memory']) > 8191)
    assert.ok(['amd64', 'arm64'].includes(labels['kubernetes.io/arch']))
    for (const l of ['karpenter.sh/registered', 'karpenter.sh/initialized']) assert.equal(labels[l], 'true', l)

    // Karpenter's log: one NodeClaim for 10 pods; DaemonSet overhead 210m/240Mi/4 pods on top.
    const lines = await newLines()
    const computed = linesWith(lines, 'computed new nodeclaim(s) to fit pod(s)')
    assert.equal(computed.length, 1, computed.map((l) => l.raw).join('\n'))
    assert.equal(computed[0].nodeclaims, 1)
    assert.equal(computed[0].pods, 10)
    const created = linesWith(lines, 'created nodeclaim')
    assert.equal(created.length, 1)
    assert.deepEqual(created[0].requests, { cpu: '5330m', memory: '5360Mi', pods: '14' })
    assert.equal(created[0].nodeclaim, claim.metadata.name)
    const shown = /^((?:[a-z0-9-]+\.[a-z0-9-]+, ){4}[a-z0-9-]+\.[a-z0-9-]+) and 95 other\(s\)$/.exec(String(created[0]['instance-types']))
    assert.ok(shown, String(created[0]['instance-types']))
    const five = shown[1].split(', ')
    assert.deepEqual(five, [...allowed].sort().slice(0, 5), 'the first five of the NodeClaim’s types, alphabetically')
    const launched = linesWith(lines, 'launched nodeclaim', { nodeclaim: claim.metadata.name })
    assert.equal(launched.length, 1)
    assert.equal(launched[0]['instance-type'], labels['node.kubernetes.io/instance-type'])
    assert.equal(launched[0].zone, labels['topology.kubernetes.io/zone'])
    assert.equal(launched[0]['capacity-type'], 'spot')
    assert.equal(launched[0]['provider-id'], node.spec!.providerID)
    // The allocatable Karpenter estimated is the NodeClaim's, and the formula's for that type with the
    // NodePool's systemReserved (c7g.2xlarge: 7810m / 17Gi / 14003Mi / 58 / 38, as in the article).
    assert.deepEqual(launched[0].allocatable, claim.status?.allocatable)
    const type = tutorialInstanceTypes().find((t) => t.name === launched[0]['instance-type'])!
    assert.deepEqual(launched[0].allocatable, toStringMap(withoutZeros(type.allocatable)))

    // The EC2 instance behind it: a Spot instance with the EC2NodeClass's tags, named after the node.
    const ec2 = await instance(idOf(node.spec!.providerID!))
    assert.equal(ec2.InstanceLifecycle, 'spot')
    assert.equal(ec2.InstanceType, labels['node.kubernetes.io/instance-type'])
    const tags = Object.fromEntries(ec2.Tags.map((t) => [t.Key, t.Value]))
    for (const [k, v] of Object.entries({
      project: 'build-on-aws',
      intent: 'apps',
      'karpenter.sh/nodepool': 'default',
      'karpenter.sh/discovery': CLUSTER_NAME,
      [`kubernetes.io/cluster/${CLUSTER_NAME}`]: 'owned',
      Name: node.metadata.name,
      'karpenter.sh/nodeclaim': claim.metadata.name,
    })) {
      assert.equal(tags[k], v, `tag ${k}`)
    }
  })

  it("Step 4: Karpenter's lines have the form of the article's sample lines", async () => {
    const lines = await cluster.karpenterLogs()
    const claim = (await nodeClaims())[0].metadata.name
    assertLikeSample(linesWith(lines, 'computed new nodeclaim(s) to fit pod(s)').at(-1)!, SAMPLE.computed)
    assertLikeSample(linesWith(lines, 'created nodeclaim', { nodeclaim: claim })[0], SAMPLE.created)
    assertLikeSample(linesWith(lines, 'launched nodeclaim', { nodeclaim: claim })[0], SAMPLE.launched, { optionalKeys: ['vpc.amazonaws.com/pod-eni'] })
    // The `kl` alias of the article shows them (its -f is left out: the command must end).
    const kl = await cluster.run(
      tutorialCommand('Step 4', 2)
        .replace(/^alias kl='(.*)'$/, '$1')
        .replace(' -f ', ' ')
        .replace('--tail=20', '--tail=100'),
    )
    assert.match(kl, /"message":"created nodeclaim"/)
  })

  it('Step 5: after the deployment is deleted its node is consolidated away; with the spread, 10 pods run 4/3/3 on three nodes in three zones', async () => {
    await markLogs()
    await cluster.run(tutorialCommand('Step 5', 0))
    const gone = await eventually('the Step 4 node consolidated away', async () => {
      const n = await karpenterNodes(cluster)
      const c = await nodeClaims()
      return (n.length === 0 && c.length === 0) || `${n.length} nodes, ${c.length} nodeclaims`
    })
    assert.equal(gone, true)
    const consolidation = linesWith(
      await newLines(),
      /^disrupting via consolidation delete, terminating 1 candidates ip-[\d-]+\.eu-west-2\.compute\.internal\/[a-z0-9]+\.[a-z0-9]+\/spot$/,
    )
    assert.equal(consolidation.length, 1, 'one consolidation delete')

    // The tutorial's snippet goes between the nodeSelector and the containers block of workload.yaml.
    const file = join(cluster.work, 'workload.yaml')
    const workload = readFileSync(file, 'utf8')
    const snippet = tutorialCommand('Step 5', 1)
    assert.ok(workload.includes('      containers:\n'))
    writeFileSync(file, workload.replace('      containers:\n', `${snippet.trimEnd()}\n      containers:\n`))
    await markLogs()
    await cluster.run(tutorialCommand('Step 5', 2))
    const running = await eventually('the 10 spread pods Running', () => allRunning(cluster, 'app=stateless', 10))
    const table = await cluster.run(tutorialCommand('Step 5', 3))
    const rows = table.trim().split('\n')
    assert.match(rows[0], /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+CAPACITY-TYPE\s+INSTANCE-TYPE\s+ZONE$/)
    assert.equal(rows.length, 4, table)
    const zones = rows.slice(1).map((r) => r.trim().split(/\s+/).at(-1))
    assert.deepEqual([...zones].sort(), ZONES)
    for (const r of rows.slice(1)) assert.match(r, /\s+v1\.29\.0-eks-5e0fdde\s+spot\s+\S+\s+eu-west-2[abc]$/)
    const nodeZone = new Map((await karpenterNodes(cluster)).map((n) => [n.metadata.name, n.metadata.labels!['topology.kubernetes.io/zone']]))
    const perZone = ZONES.map((z) => running.filter((p) => nodeZone.get(p.spec!.nodeName!) === z).length)
    assert.deepEqual([...perZone].sort(), [3, 3, 4], `pods per zone ${perZone.join('/')}`)

    const lines = await newLines()
    const computed = linesWith(lines, 'computed new nodeclaim(s) to fit pod(s)')
    assert.deepEqual(
      computed.map((l) => [l.nodeclaims, l.pods]),
      [[3, 10]],
    )
    const requests = linesWith(lines, 'created nodeclaim')
      .map((l) => JSON.stringify(l.requests))
      .sort()
    assert.deepEqual(requests, [
      '{"cpu":"1746m","memory":"1776Mi","pods":"7"}',
      '{"cpu":"1746m","memory":"1776Mi","pods":"7"}',
      '{"cpu":"2258m","memory":"2288Mi","pods":"8"}',
    ])
    const launchedZones = linesWith(lines, 'launched nodeclaim')
      .map((l) => l.zone)
      .sort()
    assert.deepEqual(launchedZones, ZONES)
  })

  it('Step 6: a FIS Spot interruption: the node is tainted and drained, a replacement NodeClaim launches, every pod runs again', async () => {
    await cluster.run(tutorialCommand('Step 6', 0))
    const deployed = await cluster.run(tutorialCommand('Step 6', 1))
    assert.match(deployed, /Successfully created\/updated stack - fis-spot-and-karpenter/)
    const before = await pods(cluster, 'app=stateless')
    const nodesBefore = await karpenterNodes(cluster)
    await markLogs()
    // The tutorial's watch in a second terminal, and a watch of the nodes' taints and cordon.
    const watchCommands = [
      ['bash', ['-c', tutorialCommand('Step 6', 2)]],
      [
        'kubectl',
        [
          'get',
          'nodes',
          '-l',
          'karpenter.sh/capacity-type=spot',
          '--watch',
          '--no-headers',
          '-o',
          'custom-columns=NAME:.metadata.name,UNSCHEDULABLE:.spec.unschedulable,TAINTS:.spec.taints[*].key,VALUES:.spec.taints[*].value,EFFECTS:.spec.taints[*].effect',
        ],
      ],
    ] as const
    const watched = watchCommands.map(() => '')
    const watches: ResultPromise[] = watchCommands.map(([file, args], i) => {
      const w = execa(file, [...args], { env: cluster.env, cwd: cluster.work, extendEnv: false, reject: false, killDescendants: true })
      w.stdout.on('data', (chunk: Buffer) => (watched[i] += chunk.toString()))
      return w
    })
    try {
      await eventually(
        'both node watches listing the nodes',
        async () => watched.every((w) => nodesBefore.every((n) => w.includes(n.metadata.name))) || watched.join('\n---\n'),
        30_000,
        100,
      )
      const started = JSON.parse(await cluster.run(tutorialCommand('Step 6', 4))) as { experiment: { id: string; state: { status: string } } }
      assert.ok(['initiating', 'running', 'completed'].includes(started.experiment.state.status), started.experiment.state.status)

      // Karpenter reads the warning from its queue and deletes the interrupted node's NodeClaim.
      const initiating = await eventually(
        'Karpenter’s interruption line',
        async () => linesWith(await newLines(), 'initiating delete from interruption message')[0] ?? 'not yet',
      )
      assert.equal(initiating.queue, QUEUE_NAME)
      assert.equal(initiating.messageKind, 'SpotInterruptionKind')
      assert.equal(initiating.action, 'CordonAndDrain')
      const victim = nodesBefore.find((n) => n.metadata.name === initiating.node)
      assert.ok(victim, `the interrupted node ${String(initiating.node)} is one of the Spot nodes`)
      const victimPods = before.filter((p) => p.spec?.nodeName === victim.metadata.name).map((p) => p.metadata.name)
      const victimType = victim.metadata.labels!['node.kubernetes.io/instance-type']
      const victimZone = victim.metadata.labels!['topology.kubernetes.io/zone']

      // Every pod runs again, none on the interrupted node, which is gone with its NodeClaim and instance.
      const running = await eventually('10 pods Running again, off the interrupted node', async () => {
        const r = await allRunning(cluster, 'app=stateless', 10)
        if (typeof r === 'string') return r
        return r.every((p) => p.spec!.nodeName !== victim.metadata.name) ? r : `still on ${victim.metadata.name}: ${summary(r)}`
      })
      for (const name of victimPods) assert.ok(!running.some((p) => p.metadata.name === name), `${name} was evicted and replaced`)
      await eventually('the interrupted node and its NodeClaim deleted', async () => {
        const nodes = await karpenterNodes(cluster)
        const claims = await nodeClaims()
        return (
          (!nodes.some((n) => n.metadata.name === victim.metadata.name) && !claims.some((c) => c.metadata.name === initiating.nodeclaim)) ||
          `${nodes.length} nodes, ${claims.length} nodeclaims`
        )
      })
      await eventually('the interrupted instance terminated', async () => {
        const state = (await instance(idOf(victim.spec!.providerID!))).State.Name
        return state === 'terminated' || state
      })
      for (const w of watches) {
        w.kill()
        await w
      }

      const lines = await newLines()
      const tainted = linesWith(lines, 'tainted node', { node: victim.metadata.name })
      assert.equal(tainted.length, 1, 'tainted node')
      const removing = linesWith(lines, 'removing offering from offerings', { nodeclaim: initiating.nodeclaim })
      assert.equal(removing.length, 1)
      assert.deepEqual(
        [removing[0]['instance-type'], removing[0].zone, removing[0]['capacity-type'], removing[0].ttl],
        [victimType, victimZone, 'spot', '3m0s'],
      )
      // The replacement: one new NodeClaim for the evicted pods, not in the interrupted pool. (Pods
      // that reach a later batch window are nominated to it while it is in flight.)
      const computed = linesWith(lines, 'computed new nodeclaim(s) to fit pod(s)')
      assert.equal(computed.length, 1, computed.map((l) => l.raw).join('\n'))
      const replaced = Number(computed[0].pods)
      assert.equal(computed[0].nodeclaims, 1)
      assert.ok(replaced >= 1 && replaced <= victimPods.length, `${replaced} of the ${victimPods.length} evicted pods`)
      const created = linesWith(lines, 'created nodeclaim')
      assert.equal(created.length, 1, 'one replacement NodeClaim')
      const overhead = { cpu: 210, memory: 240, pods: 4 }
      assert.deepEqual(created[0].requests, {
        cpu: `${overhead.cpu + 512 * replaced}m`,
        memory: `${overhead.memory + 512 * replaced}Mi`,
        pods: String(overhead.pods + replaced),
      })
      const launched = linesWith(lines, 'launched nodeclaim', { nodeclaim: created[0].nodeclaim })
      assert.equal(launched.length, 1)
      assert.equal(launched[0]['capacity-type'], 'spot')
      assert.notDeepEqual([launched[0]['instance-type'], launched[0].zone], [victimType, victimZone], 'the interrupted Spot pool is avoided for 3 minutes')
      // The spread still holds: the replacement is in the interrupted node's zone.
      assert.equal(launched[0].zone, victimZone)
      assert.equal(linesWith(lines, 'deleted node', { node: victim.metadata.name }).length, 1)
      assert.equal(linesWith(lines, 'deleted nodeclaim', { nodeclaim: initiating.nodeclaim }).length, 1)
      // Order: interruption → taint → replacement computed → launched (as in the article).
      const order = [initiating, tainted[0], computed[0], launched[0]].map((l) => lines.indexOf(l))
      assert.deepEqual(
        [...order].sort((a, b) => a - b),
        order,
        'interruption, taint, provisioning, launch in that order',
      )

      // The article's sample lines for Step 6, field for field.
      assertLikeSample(initiating, SAMPLE.interruption)
      assertLikeSample(tainted[0], SAMPLE.tainted)
      const found = linesWith(lines, 'found provisionable pod(s)')[0]
      assertLikeSample(found, SAMPLE.found)
      assert.match(String(found.duration), /^\d+(\.\d+)?(ms|µs|s)$/)
      // The pods it found are the evicted ones, or the ReplicaSet's replacements for them once evicted.
      const replacements = running.filter((p) => !before.some((b) => b.metadata.name === p.metadata.name)).map((p) => p.metadata.name)
      const listed = String(found.pods).split(', ')
      assert.ok(listed.length >= replaced && listed.length <= victimPods.length, String(found.pods))
      for (const p of listed) assert.ok([...victimPods, ...replacements].map((n) => `default/${n}`).includes(p), `${p} is neither evicted nor a replacement`)
      assertLikeSample(computed[0], SAMPLE.computedAfterInterruption)
      assertLikeTruncatedSample(created[0], SAMPLE.createdAfterInterruptionPrefix)
      assertLikeSample(launched[0], SAMPLE.launchedReplacement, { optionalKeys: ['vpc.amazonaws.com/pod-eni'] })
    } finally {
      for (const w of watches) w.kill()
    }

    // What the watches showed: the interrupted node with Karpenter's disruption taint (v0.32 taints,
    // it does not cordon), in the tutorial's table too.
    const [table, taints] = watched
    const victimName = String(linesWith(await cluster.karpenterLogs(), 'initiating delete from interruption message').at(-1)!.node)
    assert.ok(
      table.split('\n').some((l) => l.startsWith(victimName)),
      table,
    )
    const taintRows = taints.split('\n').filter((l) => l.startsWith(victimName))
    assert.ok(
      taintRows.some((l) => /\s+karpenter\.sh\/disruption\s+disrupting\s+NoSchedule$/.test(l) || /karpenter\.sh\/disruption.*disrupting.*NoSchedule/.test(l)),
      `the interrupted node was never seen tainted karpenter.sh/disruption=disrupting:NoSchedule:\n${taintRows.join('\n')}`,
    )
  })

  it('Step 7: seven stateful pods run on one On-Demand node, the cheapest type the NodeClaim allowed', async () => {
    await markLogs()
    await cluster.run(tutorialCommand('Step 7', 0))
    const running = await eventually('the 7 stateful pods Running', () => allRunning(cluster, 'app=stateful', 7))
    const nodes = [...new Set(running.map((p) => p.spec!.nodeName!))]
    assert.equal(nodes.length, 1, nodes.join(', '))
    const table = await cluster.run(tutorialCommand('Step 7', 1))
    const rows = table.trim().split('\n')
    assert.equal(rows.length, 2, table)
    assert.match(
      rows[1],
      new RegExp(`^${nodes[0].replace(/\./g, '\\.')}\\s+Ready\\s+<none>\\s+\\S+\\s+v1\\.29\\.0-eks-5e0fdde\\s+on-demand\\s+\\S+\\s+eu-west-2[abc]$`),
    )
    const lines = await newLines()
    const created = linesWith(lines, 'created nodeclaim')
    assert.equal(created.length, 1)
    assert.deepEqual(created[0].requests, { cpu: '3794m', memory: '3824Mi', pods: '11' })
    const claim = await cluster.kubectlJson<KubeObjectLike>(`get nodeclaim ${String(created[0].nodeclaim)}`)
    const node = await cluster.kubectlJson<KubeObjectLike>(`get node ${nodes[0]}`)
    const type = node.metadata.labels!['node.kubernetes.io/instance-type']
    assert.equal(node.metadata.labels!['karpenter.sh/capacity-type'], 'on-demand')
    const ec2 = await instance(idOf(node.spec!.providerID!))
    assert.equal(ec2.InstanceLifecycle, undefined, 'an On-Demand instance')
    // On-Demand launches use lowest-price: no allowed type is cheaper in the sandbox's price table.
    const prices = onDemandPricesFor(onDemandPriceFile(), cluster.aws.region)
    const allowed = nodeClaimInstanceTypes(claim)
    const cheapest = Math.min(...allowed.map((t) => prices[t] ?? Infinity))
    assert.equal(prices[type], cheapest, `${type} at ${prices[type]} while the cheapest allowed costs ${cheapest}`)
  })

  it('Step 8: deleting the deployments lets consolidation remove every node Karpenter launched, and their instances', async () => {
    const before = await karpenterNodes(cluster)
    assert.ok(before.length >= 2, `${before.length} Karpenter nodes before clean-up`)
    await markLogs()
    await cluster.run(tutorialCommand('Step 8', 0))
    await eventually('no Karpenter node or NodeClaim left', async () => {
      const n = await karpenterNodes(cluster)
      const c = await nodeClaims()
      return (n.length === 0 && c.length === 0) || `${n.length} nodes (${n.map((x) => x.metadata.name).join(', ')}), ${c.length} nodeclaims`
    })
    const lines = await newLines()
    const deletes = linesWith(lines, /^disrupting via consolidation delete, terminating \d+ candidates /)
    const terminated = deletes.flatMap((l) =>
      l.message
        .replace(/^.*candidates /, '')
        .split(', ')
        .map((c) => c.split('/')[0]),
    )
    assert.deepEqual(terminated.sort(), before.map((n) => n.metadata.name).sort(), 'every node removed by a consolidation delete')
    for (const n of before) {
      await eventually(`instance of ${n.metadata.name} terminated`, async () => {
        const state = (await instance(idOf(n.spec!.providerID!))).State.Name
        return state === 'terminated' || state
      })
    }
    // The node group's nodes stay.
    const remaining = (await cluster.kubectlJson('get nodes')).items
    assert.deepEqual(
      remaining.map((n) => n.metadata.labels!['eks.amazonaws.com/nodegroup']),
      ['managed-ondemand', 'managed-ondemand'],
    )
  })
})
