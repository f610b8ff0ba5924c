// The Karpenter 1.x twin (Karpenter 1.9.2 on AWS) on a sandbox cluster of Kubernetes 1.35 whose
// Step 2 installed the 1.9.2 chart, driven as the tutorial's current edition drives it, through
// the real kubectl and aws CLIs:
// - the managed node group (amiType AL2023_x86_64_STANDARD) runs the day's AL2023 image and its
//   nodes report AL2023 (osImage, kernel 6.12, containerd 2), its release version the day's;
// - a v1 NodePool and an EC2NodeClass selecting `al2023@latest` turn Ready (the EC2NodeClass's
//   AMIs come from the AL2023 SSM parameters, its subnets, security group, instance profile and
//   conditions as 1.9.2 sets them);
// - the tutorial's 10-pod workload gets one Spot node, with 1.9's log lines (controller-runtime
//   fields, object refs), NodeClaim conditions, labels and instance tags;
// - a Spot interruption warning through the interruption queue: the node is tainted
//   `karpenter.sh/disrupted:NoSchedule`, drained and replaced;
// - deleting the workload empties the node, which consolidation removes once `consolidateAfter`
//   has passed (`disrupting node(s)`, reason Empty).
//
// Run: npm exec -- node --test test/integration/cluster/karpenter-v1.test.ts

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs'
import {
  CLUSTER_NAME,
  QUEUE_NAME,
  eventually,
  startTutorialCluster,
  type KarpenterLine,
  type KubeObjectLike,
  type TutorialCluster,
} from './tutorial-cluster.ts'
import { allRunning, conditionTrue, karpenterNodes, linesWith, summary, tutorialCommand, v1NodePoolAndClass } from './tutorial-helpers.ts'

const NODEPOOL_AND_CLASS = v1NodePoolAndClass({
  consolidateAfter: '1m',
  limits: { cpu: 1000, memory: '1000Gi' },
  tags: { project: 'build-on-aws', intent: 'apps', 'karpenter.sh/discovery': '${CLUSTER_NAME}' },
})

/** The context fields controller-runtime puts before a line's own fields (logger "controller"). */
const SINGLETON = ['level', 'time', 'logger', 'message', 'commit', 'controller', 'namespace', 'name', 'reconcileID']
const NODECLAIM = [
  'level',
  'time',
  'logger',
  'message',
  'commit',
  'controller',
  'controllerGroup',
  'controllerKind',
  'NodeClaim',
  'namespace',
  'name',
  'reconcileID',
]
const NODE = ['level', 'time', 'logger', 'message', 'commit', 'controller', 'controllerGroup', 'controllerKind', 'Node', 'namespace', 'name', 'reconcileID']

function assertShape(line: KarpenterLine | undefined, keys: string[], controller: string): asserts line is KarpenterLine {
  assert.ok(line, `no line for ${controller}`)
  assert.deepEqual(line.keys, keys, line.raw)
  assert.equal(line.logger, 'controller')
  assert.equal(line.commit, '310b356')
  assert.equal(line.controller, controller)
  assert.match(String(line.reconcileID), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  assert.match(line.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
}

describe('the Karpenter 1.x twin on a 1.35 cluster with the 1.9.2 chart', { timeout: 20 * 60_000 }, () => {
  let cluster: TutorialCluster
  let seen = 0
  const newLines = async () => (await cluster.karpenterLogs()).slice(seen)
  const markLogs = async () => {
    seen = (await cluster.karpenterLogs()).length
  }
  const nodeClaims = async () => (await cluster.kubectlJson('get nodeclaims')).items

  before(async () => {
    // The current edition's platform: EKS 1.35 and its AL2023 AMIs exist as of 2026-12-06.
    cluster = await startTutorialCluster({
      name: 'karpenter-v1',
      karpenterChartVersion: '1.9.2',
      kubernetesVersion: '1.35',
      nodeGroupAmiType: 'AL2023_x86_64_STANDARD',
      asOf: '2026-12-06',
      noWait: true,
    })
    await eventually('two Karpenter replicas Running', async () => {
      const pods = await cluster.kubectlJson('get pods -n karpenter')
      return pods.items.filter((p) => p.status?.phase === 'Running').length === 2 || pods.items.map((p) => `${p.metadata.name}=${p.status?.phase}`).join(', ')
    })
    await eventually("the leader's controllers started", async () => {
      const lines = await cluster.karpenterLogs()
      return lines.some((l) => l.message === 'Starting workers' && l.controller === 'interruption') || `${lines.length} lines, last: ${lines.at(-1)?.message}`
    })
  })
  after(async () => {
    await cluster?.close()
  })

  it('starts as 1.9.2 does at the info level: manager servers, leader election, controllers', async () => {
    // The cluster comes up without waiting for Karpenter (noWait): wait until both replicas have
    // logged their start-up and the leader its controllers' workers.
    const lines = await eventually('both replicas started and the leader running its controllers', async () => {
      const all = await cluster.karpenterLogs()
      const started =
        linesWith(all, 'Starting metrics server').length >= 2 && linesWith(all, 'Starting workers', { controller: 'nodeclaim.lifecycle' }).length > 0
      return started ? all : `${all.length} lines so far`
    })
    assert.ok(!lines.some((l) => l.level === 'DEBUG'), 'the 1.9.2 chart logs at info')
    for (const m of [
      'Starting metrics server',
      'Serving metrics server',
      'starting server',
      'attempting to acquire leader lease karpenter/karpenter-leader-election...',
    ]) {
      assert.equal(linesWith(lines, m).length, 2, `${m}: once per replica`)
    }
    assert.equal(linesWith(lines, 'successfully acquired lease karpenter/karpenter-leader-election').length, 1)
    const workers = linesWith(lines, 'Starting workers', { controller: 'nodeclaim.lifecycle' })[0]
    assert.deepEqual(workers.keys, ['level', 'time', 'logger', 'message', 'commit', 'controller', 'controllerGroup', 'controllerKind', 'worker count'])
  })

  it("the managed node group of amiType AL2023_x86_64_STANDARD runs the day's AL2023 release, as EKS's AL2023 nodes report it", async () => {
    const nodes = (await cluster.kubectlJson('get nodes -l eks.amazonaws.com/nodegroup=managed-ondemand')).items
    assert.equal(nodes.length, 2)
    const ami = (
      await cluster.run(
        'aws ssm get-parameter --name /aws/service/eks/optimized-ami/1.35/amazon-linux-2023/x86_64/standard/recommended/image_id --query Parameter.Value --output text',
      )
    ).trim()
    for (const node of nodes) {
      const info = (node.status as { nodeInfo: Record<string, string> }).nodeInfo
      assert.match(info.osImage, /^Amazon Linux 2023\.\d+\.\d{8}$/, node.metadata.name)
      assert.match(info.kernelVersion, /^6\.12\.\d+-[\d.]+\.amzn2023\.x86_64$/)
      assert.match(info.containerRuntimeVersion, /^containerd:\/\/2\./)
      assert.equal(node.metadata.labels!['eks.amazonaws.com/nodegroup-image'], ami)
      const id = node.spec!.providerID!.split('/').pop()!
      assert.equal(
        (await cluster.run(`aws ec2 describe-instances --instance-ids ${id} --query 'Reservations[0].Instances[0].ImageId' --output text`)).trim(),
        ami,
      )
    }
    const release = await cluster.run(
      `aws eks describe-nodegroup --cluster-name ${CLUSTER_NAME} --nodegroup-name managed-ondemand --query 'nodegroup.[amiType,releaseVersion]' --output text`,
    )
    assert.deepEqual(release.trim().split(/\s+/), ['AL2023_x86_64_STANDARD', '1.35.0-20261206'])
    const image = await cluster.run(`aws ec2 describe-images --image-ids ${ami} --query 'Images[0].Name' --output text`)
    assert.equal(image.trim(), 'amazon-eks-node-al2023-x86_64-standard-1.35-v20261206')
  })

  it('a v1 NodePool and an EC2NodeClass on al2023@latest turn Ready', async () => {
    assert.equal(await cluster.run(NODEPOOL_AND_CLASS), 'nodepool.karpenter.sh/default created\nec2nodeclass.karpenter.k8s.aws/default created')
    const nodeClass = await eventually('the EC2NodeClass Ready', async () => {
      const nc = await cluster.kubectlJson<KubeObjectLike>('get ec2nodeclass default')
      return conditionTrue(nc, 'Ready') ? nc : JSON.stringify(nc.status?.conditions ?? [])
    })
    const status = nodeClass.status as {
      amis: { id: string; name: string; requirements: { key: string; operator: string; values?: string[] }[] }[]
      subnets: { id: string; zone: string; zoneID?: string }[]
      securityGroups: { id: string }[]
      instanceProfile: string
      conditions: { type: string; status: string; reason: string; message: string }[]
    }
    assert.deepEqual(status.conditions.map((c) => [c.type, c.status, c.reason]).sort(), [
      ['AMIsReady', 'True', 'AMIsReady'],
      ['InstanceProfileReady', 'True', 'InstanceProfileReady'],
      ['Ready', 'True', 'Ready'],
      ['SecurityGroupsReady', 'True', 'SecurityGroupsReady'],
      ['SubnetsReady', 'True', 'SubnetsReady'],
      ['ValidationSucceeded', 'True', 'ValidationSucceeded'],
    ])
    // The alias's AMIs are the ones the AL2023 SSM parameters name, by architecture.
    for (const arch of ['x86_64', 'arm64']) {
      const id = (
        await cluster.run(
          `aws ssm get-parameter --name /aws/service/eks/optimized-ami/1.35/amazon-linux-2023/${arch}/standard/recommended/image_id --query Parameter.Value --output text`,
        )
      ).trim()
      const ami = status.amis.find((a) => a.id === id)
      assert.ok(ami, `${arch} AMI ${id} in ${JSON.stringify(status.amis)}`)
      assert.deepEqual(
        ami.requirements.map((r) => r.key),
        ['kubernetes.io/arch', 'karpenter.k8s.aws/instance-gpu-count', 'karpenter.k8s.aws/instance-accelerator-count'],
      )
    }
    assert.equal(status.subnets.length, 3)
    assert.ok(
      status.subnets.every((s) => s.zoneID),
      'subnets carry their zone IDs',
    )
    const role = await cluster.run(
      `aws iam get-instance-profile --instance-profile-name ${status.instanceProfile} --query 'InstanceProfile.Roles[0].RoleName' --output text`,
    )
    assert.equal(role.trim(), cluster.env.KARPENTER_NODE_IAM_ROLE_NAME)
    assert.match(status.instanceProfile, new RegExp(`^${CLUSTER_NAME}_\\d+$`))
    const nodePool = await eventually('the NodePool Ready', async () => {
      const np = await cluster.kubectlJson<KubeObjectLike>('get nodepool default')
      return conditionTrue(np, 'Ready') ? np : JSON.stringify(np.status?.conditions ?? [])
    })
    const npStatus = nodePool.status as { conditions: { type: string; status: string }[]; resources: Record<string, string>; nodes: number }
    assert.deepEqual(npStatus.conditions.map((c) => `${c.type}=${c.status}`).sort(), [
      'NodeClassReady=True',
      'NodeRegistrationHealthy=Unknown',
      'Ready=True',
      'ValidationSucceeded=True',
    ])
    assert.deepEqual(npStatus.resources, { cpu: '0', 'ephemeral-storage': '0', memory: '0', nodes: '0', pods: '0' })
    assert.equal(npStatus.nodes, 0)
    assert.match(nodePool.metadata.annotations?.['karpenter.sh/nodepool-hash'] ?? '', /^\d+$/)
    assert.equal(nodePool.metadata.annotations?.['karpenter.sh/nodepool-hash-version'], 'v3')
    assert.match(await cluster.run('kubectl get nodepools'), /^default\s+default\s+0\s+True\s+/m)
  })

  it("the tutorial's 10 pods get one Spot node, with 1.9's NodeClaim, labels, tags and log lines", async () => {
    await markLogs()
    await cluster.run(tutorialCommand('Step 4', 0))
    const running = await eventually('the 10 stateless pods Running', () => allRunning(cluster, 'app=stateless', 10), 180_000)
    const nodes = [...new Set(running.map((p) => p.spec!.nodeName!))]
    assert.equal(nodes.length, 1, nodes.join(', '))
    const [claim] = await nodeClaims()
    assert.ok(claim)
    for (const t of ['Launched', 'Registered', 'Initialized', 'Ready'])
      assert.ok(conditionTrue(claim, t), `${t} in ${JSON.stringify(claim.status?.conditions)}`)
    assert.equal(claim.metadata.labels!['karpenter.k8s.aws/ec2nodeclass'], 'default')
    assert.equal(claim.metadata.annotations!['karpenter.sh/nodepool-hash-version'], 'v3')
    assert.equal(claim.metadata.annotations!['karpenter.k8s.aws/ec2nodeclass-hash-version'], 'v4')
    assert.equal((claim.spec as { expireAfter?: string }).expireAfter, '168h')
    const node = await cluster.kubectlJson<KubeObjectLike>(`get node ${nodes[0]}`)
    const labels = node.metadata.labels!
    for (const [k, v] of Object.entries({
      'karpenter.sh/capacity-type': 'spot',
      'karpenter.sh/nodepool': 'default',
      'karpenter.k8s.aws/ec2nodeclass': 'default',
      intent: 'apps',
      'karpenter.sh/registered': 'true',
      'karpenter.sh/initialized': 'true',
    }))
      assert.equal(labels[k], v, k)
    assert.ok(!(node.spec?.taints ?? []).some((t) => t.key === 'karpenter.sh/unregistered'), 'registration removed the unregistered taint')
    const id = node.spec!.providerID!.split('/').pop()!
    const tags = Object.fromEntries(
      (
        JSON.parse(await cluster.run(`aws ec2 describe-instances --instance-ids ${id} --query 'Reservations[0].Instances[0].Tags' --output json`)) as {
          Key: string
          Value: string
        }[]
      ).map((t) => [t.Key, t.Value]),
    )
    for (const [k, v] of Object.entries({
      'eks:eks-cluster-name': CLUSTER_NAME,
      'karpenter.sh/nodepool': 'default',
      'karpenter.k8s.aws/ec2nodeclass': 'default',
      'karpenter.sh/nodeclaim': claim.metadata.name,
      [`kubernetes.io/cluster/${CLUSTER_NAME}`]: 'owned',
      Name: node.metadata.name,
      project: 'build-on-aws',
    }))
      assert.equal(tags[k], v, `tag ${k}`)

    const lines = await newLines()
    const found = linesWith(lines, 'found provisionable pod(s)')[0]
    assertShape(found, [...SINGLETON, 'Pods', 'duration'], 'provisioner')
    const computed = linesWith(lines, 'computed new nodeclaim(s) to fit pod(s)')[0]
    assertShape(computed, [...SINGLETON, 'nodeclaims', 'pods'], 'provisioner')
    assert.deepEqual([computed.nodeclaims, computed.pods], [1, 10])
    const created = linesWith(lines, 'created nodeclaim')[0]
    assertShape(created, [...SINGLETON, 'NodePool', 'NodeClaim', 'requests', 'instance-types'], 'provisioner')
    assert.deepEqual(created.NodeClaim, { name: claim.metadata.name })
    assert.equal(created.reconcileID, computed.reconcileID, 'one reconcile')
    const launched = linesWith(lines, 'launched nodeclaim')[0]
    assertShape(launched, [...NODECLAIM, 'provider-id', 'instance-type', 'zone', 'capacity-type', 'allocatable'], 'nodeclaim.lifecycle')
    assert.equal(launched['capacity-type'], 'spot')
    assert.equal(launched['provider-id'], node.spec!.providerID)
    assertShape(linesWith(lines, 'registered nodeclaim')[0], [...NODECLAIM, 'provider-id', 'Node'], 'nodeclaim.lifecycle')
    const initialized = linesWith(lines, 'initialized nodeclaim')[0]
    // Registration set status.nodeName: from then on the lifecycle's scope carries the Node.
    assertShape(initialized, [...NODECLAIM, 'provider-id', 'Node', 'allocatable'], 'nodeclaim.lifecycle')
    assert.equal((await nodeClaims()).length, 1, 'one NodeClaim, not replaced (no drift)')
  })

  it('a Spot interruption from the queue taints the node karpenter.sh/disrupted:NoSchedule and replaces it', async () => {
    const [victim] = await karpenterNodes(cluster)
    const claim = (await nodeClaims())[0]
    const instanceId = victim.spec!.providerID!.split('/').pop()!
    await markLogs()
    const event = {
      version: '0',
      id: 'e2c8b0f1-0000-4000-8000-000000000001',
      'detail-type': 'EC2 Spot Instance Interruption Warning',
      source: 'aws.ec2',
      account: '123456789012',
      time: new Date().toISOString(),
      region: cluster.aws.region,
      resources: [`arn:aws:ec2:${cluster.aws.region}:123456789012:instance/${instanceId}`],
      detail: { 'instance-id': instanceId, 'instance-action': 'terminate' },
    }
    // What EventBridge's SpotInterrupt rule delivers to the queue (the FIS path is the tutorial test's).
    const sqs = new SQSClient({ region: cluster.aws.region, endpoint: cluster.aws.endpoint, credentials: cluster.aws.credentials })
    try {
      const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: QUEUE_NAME }))).QueueUrl
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(event) }))
    } finally {
      sqs.destroy()
    }
    const initiating = await eventually(
      'the interruption line',
      async () => linesWith(await newLines(), 'initiating delete from interruption message')[0] ?? 'not yet',
      60_000,
    )
    assertShape(initiating, [...SINGLETON, 'queue', 'messageKind', 'NodeClaim', 'action', 'Node'], 'interruption')
    assert.deepEqual([initiating.queue, initiating.messageKind, initiating.action], [QUEUE_NAME, 'spot_interrupted', 'CordonAndDrain'])
    assert.deepEqual(initiating.NodeClaim, { name: claim.metadata.name })
    assert.deepEqual(initiating.Node, { name: victim.metadata.name })
    const running = await eventually(
      '10 pods Running again, off the interrupted node',
      async () => {
        const r = await allRunning(cluster, 'app=stateless', 10)
        if (typeof r === 'string') return r
        return r.every((p) => p.spec!.nodeName !== victim.metadata.name) ? r : `still on ${victim.metadata.name}: ${summary(r)}`
      },
      240_000,
    )
    assert.ok(running.length === 10)
    await eventually(
      'the interrupted node and NodeClaim gone',
      async () => {
        const gone =
          !(await karpenterNodes(cluster)).some((n) => n.metadata.name === victim.metadata.name) &&
          !(await nodeClaims()).some((c) => c.metadata.name === claim.metadata.name)
        return gone || 'not yet'
      },
      120_000,
    )
    const lines = await newLines()
    const tainted = linesWith(lines, 'tainted node')[0]
    assertShape(tainted, [...NODE, 'NodeClaim', 'taint.Key', 'taint.Value', 'taint.Effect'], 'node.termination')
    assert.deepEqual([tainted['taint.Key'], tainted['taint.Value'], tainted['taint.Effect']], ['karpenter.sh/disrupted', '', 'NoSchedule'])
    assert.equal(linesWith(lines, 'created nodeclaim').length, 1, 'one replacement')
    assertShape(linesWith(lines, 'deleted node')[0], [...NODE, 'NodeClaim'], 'node.termination')
    assertShape(linesWith(lines, 'deleted nodeclaim')[0], [...NODECLAIM, 'provider-id', 'Node'], 'nodeclaim.lifecycle')
    const events = await cluster.run(
      `kubectl get events -A --field-selector involvedObject.name=${claim.metadata.name} -o jsonpath='{range .items[*]}{.reason}{"\\n"}{end}'`,
    )
    for (const reason of ['SpotInterrupted', 'TerminatingOnInterruption']) assert.match(events, new RegExp(`^${reason}$`, 'm'))
  })

  it('deleting the workload consolidates its node away once consolidateAfter has passed', async () => {
    const before = await karpenterNodes(cluster)
    assert.equal(before.length, 1)
    await markLogs()
    await cluster.run('kubectl delete deployment stateless')
    await eventually(
      'no Karpenter node or NodeClaim left',
      async () => {
        const n = await karpenterNodes(cluster)
        const c = await nodeClaims()
        return (n.length === 0 && c.length === 0) || `${n.length} nodes, ${c.length} nodeclaims`
      },
      240_000,
    )
    const lines = await newLines()
    const disrupting = linesWith(lines, 'disrupting node(s)')
    assert.equal(disrupting.length, 1, disrupting.map((l) => l.raw).join('\n'))
    const d = disrupting[0]
    assertShape(
      d,
      [...SINGLETON, 'command', 'decision', 'disrupted-node-count', 'replacement-node-count', 'pod-count', 'disrupted-nodes', 'replacement-nodes'],
      'disruption',
    )
    assert.match(
      String(d.command),
      new RegExp(`^Empty/[0-9a-f-]{36}: delete: \\[${before[0].metadata.name.replace(/\./g, '\\.')}\\] \\(savings: \\$\\d+\\.\\d\\d\\)$`),
    )
    assert.deepEqual([d.decision, d['disrupted-node-count'], d['replacement-node-count'], d['pod-count']], ['delete', 1, 0, 0])
    const np = await cluster.kubectlJson<KubeObjectLike>('get nodepool default')
    assert.ok(conditionTrue(np, 'NodeRegistrationHealthy'), 'a node registered: the NodePool is registration-healthy')
  })
})
