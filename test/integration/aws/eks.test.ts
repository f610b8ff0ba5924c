// EKS and SSM in the sandbox's moto with a fake sandbox daemon: the hooks moto posts, the
// cluster endpoint and CA the daemon answers (and `aws eks update-kubeconfig` writes), node
// groups, add-ons, and what happens when the daemon fails.

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { CreateSubnetCommand, CreateVpcCommand, DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2'
import {
  DeleteAddonCommand,
  DeleteClusterCommand,
  DeleteNodegroupCommand,
  DescribeAddonCommand,
  DescribeAddonVersionsCommand,
  DescribeUpdateCommand,
  EKSClient,
  ListAddonsCommand,
  ListClustersCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
} from '@aws-sdk/client-eks'
import { ACCOUNT, REGION, startSandbox, type Sandbox } from './helpers.ts'

const SANDBOX_ENDPOINT = 'https://127.0.0.1:6443'
const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBfakeSandboxCA\n-----END CERTIFICATE-----\n'
const CA_DATA = Buffer.from(CA_PEM).toString('base64')
const ROLE = `arn:aws:iam::${ACCOUNT}:role/eks-cluster`

interface Hook {
  event: string
  body: Record<string, unknown>
}

class FakeDaemon {
  hooks: Hook[] = []
  failing = new Set<string>()
  server: Server
  url = ''

  constructor() {
    this.server = createServer((req, res) => {
      let data = ''
      req.on('data', (chunk: Buffer) => (data += chunk.toString()))
      req.on('end', () => {
        const event = (req.url ?? '').replace('/v1/hooks/', '')
        this.hooks.push({ event, body: JSON.parse(data || '{}') as Record<string, unknown> })
        if (this.failing.has(event)) {
          res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"daemon says no"}')
        } else if (event === 'eks.cluster.created') {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ endpoint: SANDBOX_ENDPOINT, certificateAuthorityData: CA_DATA }))
        } else {
          res.writeHead(202).end()
        }
      })
    })
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    const address = this.server.address()
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  }

  of(event: string): Hook[] {
    return this.hooks.filter((h) => h.event === event)
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}

describe('EKS and SSM hooks to the sandbox daemon', () => {
  const daemon = new FakeDaemon()
  let sb: Sandbox
  let ec2: EC2Client
  let eks: EKSClient
  const subnets: string[] = []
  let vpcId = ''

  before(async () => {
    await daemon.start()
    sb = await startSandbox({ controlUrl: daemon.url })
    ec2 = new EC2Client(sb.sdk)
    eks = new EKSClient(sb.sdk)
    vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!
    for (const [i, zone] of ['a', 'b', 'c'].entries()) {
      const subnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.0.${i}.0/24`, AvailabilityZone: `${REGION}${zone}` }))
      subnets.push(subnet.Subnet!.SubnetId!)
    }
    const created = await sb.aws(
      'eks',
      'create-cluster',
      '--name',
      'spot-and-karpenter',
      '--kubernetes-version',
      '1.29',
      '--role-arn',
      ROLE,
      '--resources-vpc-config',
      `subnetIds=${subnets.join(',')}`,
    )
    assert.equal(created.exitCode, 0, created.stderr)
  })
  after(async () => {
    ec2?.destroy()
    eks?.destroy()
    await sb?.close()
    await daemon.close()
  })

  it('announces the cluster and serves the daemon endpoint and CA; update-kubeconfig writes them', async () => {
    const [hook] = daemon.of('eks.cluster.created')
    assert.deepEqual(Object.keys(hook.body).sort(), ['accountId', 'arn', 'name', 'region', 'resourcesVpcConfig', 'roleArn', 'tags', 'version'])
    assert.equal(hook.body.name, 'spot-and-karpenter')
    assert.equal(hook.body.accountId, ACCOUNT)
    assert.equal(hook.body.region, REGION)
    assert.equal(hook.body.version, '1.29')
    assert.equal(hook.body.arn, `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/spot-and-karpenter`)

    const kubeconfig = join(sb.dir, 'kubeconfig')
    const [{ cluster }, update, listed] = await Promise.all([
      sb.awsJson<{
        cluster: {
          endpoint: string
          certificateAuthority: { data: string }
          status: string
          resourcesVpcConfig: { vpcId: string; clusterSecurityGroupId: string; subnetIds: string[] }
        }
      }>('eks', 'describe-cluster', '--name', 'spot-and-karpenter'),
      // the tutorial's own command (Step 2), with the kubeconfig in a scratch file
      sb.bash('aws eks --region $AWS_REGION update-kubeconfig --name spot-and-karpenter', { KUBECONFIG: kubeconfig }),
      eks.send(new ListClustersCommand({})),
    ])
    assert.equal(cluster.endpoint, SANDBOX_ENDPOINT)
    assert.equal(cluster.certificateAuthority.data, CA_DATA)
    assert.equal(cluster.status, 'ACTIVE')
    assert.equal(cluster.resourcesVpcConfig.vpcId, vpcId)
    assert.deepEqual(cluster.resourcesVpcConfig.subnetIds, subnets)
    const groups = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [cluster.resourcesVpcConfig.clusterSecurityGroupId] }))
    assert.ok(groups.SecurityGroups![0].Tags!.some((t) => t.Key === 'kubernetes.io/cluster/spot-and-karpenter' && t.Value === 'owned'))

    assert.equal(update.exitCode, 0, update.stderr)
    const config = parseYaml(readFileSync(kubeconfig, 'utf8')) as {
      clusters: { name: string; cluster: { server: string; 'certificate-authority-data': string } }[]
      users: { user: { exec: { args: string[] } } }[]
    }
    assert.equal(config.clusters[0].name, `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/spot-and-karpenter`)
    assert.equal(config.clusters[0].cluster.server, SANDBOX_ENDPOINT)
    assert.equal(config.clusters[0].cluster['certificate-authority-data'], CA_DATA)
    assert.ok(config.users[0].user.exec.args.includes('get-token'))
    assert.deepEqual(listed.clusters, ['spot-and-karpenter'])
  })

  it('announces node groups when they are created, scaled and deleted', async () => {
    const created = await sb.awsJson<{ nodegroup: { nodegroupName: string; status: string } }>(
      'eks',
      'create-nodegroup',
      '--cluster-name',
      'spot-and-karpenter',
      '--nodegroup-name',
      'initial',
      '--node-role',
      `arn:aws:iam::${ACCOUNT}:role/node`,
      '--subnets',
      ...subnets,
      '--instance-types',
      'm5.large',
      '--scaling-config',
      'minSize=1,maxSize=3,desiredSize=2',
      '--capacity-type',
      'ON_DEMAND',
      '--labels',
      'intent=control-apps',
    )
    assert.equal(created.nodegroup.status, 'ACTIVE')
    const [hook] = daemon.of('eks.nodegroup.created')
    assert.deepEqual(Object.keys(hook.body).sort(), [
      'accountId',
      'amiType',
      'capacityType',
      'cluster',
      'diskSize',
      'instanceTypes',
      'labels',
      'launchTemplate',
      'nodeRole',
      'nodegroupName',
      'region',
      'releaseVersion',
      'scalingConfig',
      'subnets',
      'tags',
      'taints',
    ])
    assert.equal(hook.body.cluster, 'spot-and-karpenter')
    assert.match(String(hook.body.releaseVersion), /^1\.\d+\.0-\d{8}$/, 'the AMI release, as EKS names it: <kubernetes version>.0-<YYYYMMDD>')
    assert.deepEqual(hook.body.scalingConfig, { minSize: 1, maxSize: 3, desiredSize: 2 })
    assert.deepEqual(hook.body.labels, { intent: 'control-apps' })
    assert.deepEqual(hook.body.instanceTypes, ['m5.large'])

    const updated = await sb.awsJson<{ update: { id: string; status: string } }>(
      'eks',
      'update-nodegroup-config',
      '--cluster-name',
      'spot-and-karpenter',
      '--nodegroup-name',
      'initial',
      '--scaling-config',
      'minSize=1,maxSize=3,desiredSize=3',
    )
    assert.deepEqual((daemon.of('eks.nodegroup.updated')[0].body.scalingConfig as Record<string, number>).desiredSize, 3)
    const status = await eks.send(new DescribeUpdateCommand({ name: 'spot-and-karpenter', updateId: updated.update.id, nodegroupName: 'initial' }))
    assert.equal(status.update!.status, 'Successful')

    await eks.send(new DeleteNodegroupCommand({ clusterName: 'spot-and-karpenter', nodegroupName: 'initial' }))
    assert.deepEqual(daemon.of('eks.nodegroup.deleted')[0].body, {
      accountId: ACCOUNT,
      region: REGION,
      cluster: 'spot-and-karpenter',
      nodegroupName: 'initial',
    })
  })

  it('serves add-ons: versions, create (default version), update, delete', async () => {
    const [versions, all] = await Promise.all([
      sb.awsJson<{
        addons: { addonName: string; addonVersions: { addonVersion: string; compatibilities: { clusterVersion: string; defaultVersion: boolean }[] }[] }[]
      }>('eks', 'describe-addon-versions', '--addon-name', 'vpc-cni', '--kubernetes-version', '1.29'),
      eks.send(new DescribeAddonVersionsCommand({ kubernetesVersion: '1.29' })),
    ])
    assert.equal(versions.addons.length, 1)
    const defaults = versions.addons[0].addonVersions.filter((v) => v.compatibilities.some((c) => c.clusterVersion === '1.29' && c.defaultVersion))
    assert.equal(defaults.length, 1)
    assert.deepEqual(all.addons!.map((a) => a.addonName).sort(), ['aws-ebs-csi-driver', 'coredns', 'kube-proxy', 'vpc-cni'])

    const [created, unsupported] = await Promise.all([
      sb.awsJson<{ addon: { addonName: string; addonVersion: string; status: string; addonArn: string } }>(
        'eks',
        'create-addon',
        '--cluster-name',
        'spot-and-karpenter',
        '--addon-name',
        'vpc-cni',
        '--configuration-values',
        '{"env":{"ENABLE_PREFIX_DELEGATION":"true"}}',
      ),
      sb.aws('eks', 'create-addon', '--cluster-name', 'spot-and-karpenter', '--addon-name', 'coredns', '--addon-version', 'v0.0.1-eksbuild.1'),
    ])
    assert.equal(created.addon.status, 'ACTIVE')
    await eks.send(new TagResourceCommand({ resourceArn: created.addon.addonArn, tags: { team: 'spotcheck' } }))
    assert.deepEqual((await eks.send(new ListTagsForResourceCommand({ resourceArn: created.addon.addonArn }))).tags, { team: 'spotcheck' })
    assert.equal(created.addon.addonVersion, defaults[0].addonVersion)
    assert.match(created.addon.addonArn, new RegExp(`^arn:aws:eks:${REGION}:${ACCOUNT}:addon/spot-and-karpenter/vpc-cni/`))
    assert.deepEqual(daemon.of('eks.addon.created')[0].body, {
      accountId: ACCOUNT,
      region: REGION,
      cluster: 'spot-and-karpenter',
      addonName: 'vpc-cni',
      addonVersion: defaults[0].addonVersion,
      configurationValues: '{"env":{"ENABLE_PREFIX_DELEGATION":"true"}}',
      serviceAccountRoleArn: null,
    })
    assert.match(unsupported.stderr, /InvalidParameterException/)

    const newer = versions.addons[0].addonVersions[0].addonVersion
    const update = await sb.awsJson<{ update: { id: string; type: string } }>(
      'eks',
      'update-addon',
      '--cluster-name',
      'spot-and-karpenter',
      '--addon-name',
      'vpc-cni',
      '--addon-version',
      newer,
    )
    assert.equal(update.update.type, 'AddonUpdate')
    const [updateStatus, described, addonList] = await Promise.all([
      eks.send(new DescribeUpdateCommand({ name: 'spot-and-karpenter', updateId: update.update.id, addonName: 'vpc-cni' })),
      eks.send(new DescribeAddonCommand({ clusterName: 'spot-and-karpenter', addonName: 'vpc-cni' })),
      eks.send(new ListAddonsCommand({ clusterName: 'spot-and-karpenter' })),
    ])
    assert.equal(updateStatus.update!.status, 'Successful')
    assert.equal(daemon.of('eks.addon.updated')[0].body.addonVersion, newer)
    assert.equal(described.addon!.addonVersion, newer)
    assert.deepEqual(addonList.addons, ['vpc-cni'])

    await eks.send(new DeleteAddonCommand({ clusterName: 'spot-and-karpenter', addonName: 'vpc-cni' }))
    assert.equal(daemon.of('eks.addon.deleted')[0].body.addonName, 'vpc-cni')
    const gone = await sb.aws('eks', 'describe-addon', '--cluster-name', 'spot-and-karpenter', '--addon-name', 'vpc-cni')
    assert.match(gone.stderr, /ResourceNotFoundException/)
  })

  it('fails CreateCluster with ServerException when the daemon fails, and keeps no cluster', async () => {
    daemon.failing.add('eks.cluster.created')
    try {
      const r = await sb.bash(`aws eks create-cluster --name broken --role-arn ${ROLE} --resources-vpc-config subnetIds=${subnets[0]}`, {
        AWS_MAX_ATTEMPTS: '1',
      })
      assert.notEqual(r.exitCode, 0)
      assert.match(r.stderr, /ServerException/)
      assert.match(r.stderr, /daemon says no/)
    } finally {
      daemon.failing.delete('eks.cluster.created')
    }
    assert.deepEqual((await eks.send(new ListClustersCommand({}))).clusters, ['spot-and-karpenter'])
  })

  it('reports /spotcheck/ SSM parameters, and only those', async () => {
    const before = daemon.hooks.length
    const puts = await Promise.all([
      sb.aws('ssm', 'put-parameter', '--name', '/spotcheck/helm/karpenter', '--type', 'String', '--value', '{"chart":"karpenter","version":"v0.32.1"}'),
      sb.aws('ssm', 'put-parameter', '--name', '/elsewhere/x', '--type', 'String', '--value', 'y'),
    ])
    assert.deepEqual(
      puts.map((r) => r.exitCode),
      [0, 0],
    )
    assert.deepEqual(
      daemon.hooks.slice(before).filter((h) => h.event.startsWith('ssm.')),
      [
        {
          event: 'ssm.parameter.put',
          body: { accountId: ACCOUNT, region: REGION, name: '/spotcheck/helm/karpenter', value: '{"chart":"karpenter","version":"v0.32.1"}', type: 'String' },
        },
      ],
    )
    assert.equal((await sb.aws('ssm', 'delete-parameter', '--name', '/spotcheck/helm/karpenter')).exitCode, 0)
    assert.deepEqual(
      daemon.of('ssm.parameter.deleted').map((h) => h.body),
      [{ accountId: ACCOUNT, region: REGION, name: '/spotcheck/helm/karpenter' }],
    )

    daemon.failing.add('ssm.parameter.put')
    try {
      const r = await sb.bash('aws ssm put-parameter --name /spotcheck/helm/broken --type String --value v', { AWS_MAX_ATTEMPTS: '1' })
      assert.match(r.stderr, /InternalServerError/)
    } finally {
      daemon.failing.delete('ssm.parameter.put')
    }
    assert.match((await sb.aws('ssm', 'get-parameter', '--name', '/spotcheck/helm/broken')).stderr, /ParameterNotFound/)
  })

  it('announces the cluster deletion', async () => {
    await eks.send(new DeleteClusterCommand({ name: 'spot-and-karpenter' }))
    assert.deepEqual(
      daemon.of('eks.cluster.deleted').map((h) => h.body),
      [{ accountId: ACCOUNT, region: REGION, name: 'spot-and-karpenter' }],
    )
  })
})
