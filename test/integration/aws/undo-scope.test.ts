// The undo on a real account, rehearsed against moto: Karpenter's capacity is removed for the
// run's own VPC, groups and node role only (B5); a Terraform destroy deletes the ENIs the VPC CNI
// left available and the EKS log group (B4), and first removes what a killed apply made but never
// recorded in its state (support/terraform-strays.ts).
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import { CreateLogGroupCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs'
import {
  CreateLaunchTemplateCommand,
  CreateNetworkInterfaceCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2'
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand, ListInstanceProfilesCommand } from '@aws-sdk/client-iam'
import type { AwsClients } from '../../../support/aws-clients.ts'
import { extraClients } from '../../../support/aws-extra-clients.ts'
import { undo, type UndoContext } from '../../../support/undo.ts'
import { findProviderMirror, terraformCliConfig } from '../../../sandbox/terraform-config.ts'
import { startSandbox, suiteClients, type Sandbox } from './helpers.ts'

const CLUSTER = 'spot-and-karpenter'
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] })

describe('undo against moto', { timeout: 5 * 60_000 }, () => {
  let sb: Sandbox
  let aws: AwsClients
  const ctxFor = (runId: string, env: Record<string, string> = {}): UndoContext => ({
    env: { ...sb.env, TF_VAR_run_id: runId, ...env },
    workDir: sb.dir,
    aws,
    log: () => {},
    waitMs: 30_000,
  })
  before(async () => {
    sb = await startSandbox()
    aws = suiteClients(sb)
  })
  after(async () => {
    aws?.destroy()
    await sb?.close()
  })

  it("removes only the run's own Karpenter instances, launch templates and instance profile (two runs, one region)", async () => {
    const made: Record<string, { instance: string; template: string; profile: string }> = {}
    for (const run of ['20261206010101-aaaa', '20261206020202-bbbb']) {
      const tags = [{ Key: 'spotcheck:run', Value: run }]
      const vpc = (await aws.ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16', TagSpecifications: [{ ResourceType: 'vpc', Tags: tags }] }))).Vpc!.VpcId!
      const subnet = (await aws.ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.0.1.0/24' }))).Subnet!.SubnetId!
      const group = (await aws.ec2.send(new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: 'node', Description: 'node' }))).GroupId!
      await aws.iam.send(new CreateRoleCommand({ RoleName: `karpenter-node-${run}`, AssumeRolePolicyDocument: TRUST, Tags: tags }))
      // As Karpenter v0.32.1 makes them: <cluster>_<hash> profiles, templates and instances tagged for the cluster.
      const profile = `${CLUSTER}_${run.slice(8, 14)}` // Karpenter: <cluster>_<numeric hash>
      await aws.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: profile, Tags: [{ Key: 'karpenter.sh/managed-by', Value: CLUSTER }] }))
      await aws.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: profile, RoleName: `karpenter-node-${run}` }))
      const karpenterTags = [
        { Key: 'karpenter.sh/managed-by', Value: CLUSTER },
        { Key: 'karpenter.k8s.aws/cluster', Value: CLUSTER },
      ]
      const template = (
        await aws.ec2.send(
          new CreateLaunchTemplateCommand({
            LaunchTemplateName: `karpenter.k8s.aws/${run}`,
            LaunchTemplateData: { SecurityGroupIds: [group], IamInstanceProfile: { Name: profile } },
            TagSpecifications: [{ ResourceType: 'launch-template', Tags: karpenterTags }],
          }),
        )
      ).LaunchTemplate!.LaunchTemplateId!
      const instance = (
        await aws.ec2.send(
          new RunInstancesCommand({
            ImageId: 'ami-12345678',
            InstanceType: 't3.large',
            MinCount: 1,
            MaxCount: 1,
            SubnetId: subnet,
            TagSpecifications: [{ ResourceType: 'instance', Tags: karpenterTags }],
          }),
        )
      ).Instances![0].InstanceId!
      made[run] = { instance, template, profile }
    }
    const [mine, theirs] = Object.keys(made)
    await undo({ kind: 'karpenter', cluster: CLUSTER, id: 1, recordedAt: '', by: 'test', state: 'open' }, ctxFor(mine))
    const state = async (id: string) => (await aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0]?.State?.Name
    assert.equal(await state(made[mine].instance), 'terminated')
    assert.equal(await state(made[theirs].instance), 'running', "the other run's instance runs on")
    const templates = ((await aws.ec2.send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates ?? []).map((t) => t.LaunchTemplateId)
    assert.deepEqual(templates, [made[theirs].template])
    const profiles = ((await aws.iam.send(new ListInstanceProfilesCommand({}))).InstanceProfiles ?? []).map((p) => p.InstanceProfileName)
    assert.ok(!profiles.includes(made[mine].profile))
    assert.ok(profiles.includes(made[theirs].profile), "the other run's instance profile stays")
  })

  /**
   * A Terraform working directory for the run: the shape of the tutorial's VPC reduced to one
   * subnet, tagged as the run's main.tf tags; applied unless `apply` is false.
   */
  async function runTerraform(run: string, apply = true): Promise<{ dir: string; cli: string }> {
    const dir = mkdtempSync(join(sb.dir, 'tf-'))
    writeFileSync(
      join(dir, 'main.tf'),
      `provider "aws" {
  region = "${sb.sdk.region}"
  default_tags {
    tags = { "spotcheck:run" = "${run}" }
  }
}
resource "aws_vpc" "this" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_subnet" "private" {
  vpc_id     = aws_vpc.this.id
  cidr_block = "10.0.32.0/19"
}
`,
    )
    const cli = join(dir, 'terraformrc')
    writeFileSync(cli, terraformCliConfig({ pluginCacheDir: join(sb.dir, 'plugins'), mirror: findProviderMirror() }))
    const env = { ...process.env, ...sb.env, TF_CLI_CONFIG_FILE: cli, TF_VAR_run_id: run } as Record<string, string>
    for (const args of [['init', '-no-color'], ...(apply ? [['apply', '-auto-approve', '-no-color']] : [])]) {
      const r = await execa('terraform', args, { cwd: dir, env, reject: false, all: true })
      assert.equal(r.exitCode, 0, r.all)
    }
    return { dir, cli }
  }

  it('a Terraform destroy deletes the ENIs the VPC CNI left available, and the EKS log group once the cluster is gone', async () => {
    const run = '20261206030303-cccc'
    const { dir, cli } = await runTerraform(run)
    const vpc = (await aws.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:spotcheck:run', Values: [run] }] }))).Vpcs![0].VpcId!
    const subnet = (await aws.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc] }] }))).Subnets![0].SubnetId!
    const eni = (await aws.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnet, Description: 'aws-K8S-i-0abc' }))).NetworkInterface!
      .NetworkInterfaceId!
    const logs = extraClients(aws).logs
    await logs.send(new CreateLogGroupCommand({ logGroupName: `/aws/eks/${CLUSTER}/cluster` }))
    const lines: string[] = []
    await undo(
      { kind: 'terraform', dir, id: 1, recordedAt: '', by: 'test', state: 'open' },
      { ...ctxFor(run, { TF_CLI_CONFIG_FILE: cli, PATH: process.env.PATH ?? '' }), log: (l) => lines.push(l) },
    )
    const enis = (await aws.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc] }] }))).NetworkInterfaces ?? []
    assert.deepEqual(
      enis.map((e) => e.NetworkInterfaceId),
      [],
      lines.join('\n'),
    )
    assert.ok(
      lines.some((l) => l.includes(`deleting the network interface ${eni} left available in ${vpc} (aws-K8S-i-0abc)`)),
      lines.join('\n'),
    )
    assert.equal(((await aws.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc] }] }))).Vpcs ?? []).length, 0)
    const groups = (await logs.send(new DescribeLogGroupsCommand({}))).logGroups ?? []
    assert.deepEqual(
      groups.map((g) => g.logGroupName),
      [],
    )
  })

  it('a destroy after a killed apply first removes what the apply made but its state does not hold (a stray subnet would block the VPC for many minutes)', async () => {
    const run = '20261207040404-eeee'
    const { dir, cli } = await runTerraform(run)
    const tags = [{ Key: 'spotcheck:run', Value: run }]
    const vpc = (await aws.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:spotcheck:run', Values: [run] }] }))).Vpcs![0].VpcId!
    const recorded = (await aws.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc] }] }))).Subnets![0].SubnetId!
    // What the killed apply had created when it died: tagged by default_tags, in no state.
    const stray = (
      await aws.ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.0.64.0/19', TagSpecifications: [{ ResourceType: 'subnet', Tags: tags }] }))
    ).Subnet!.SubnetId!
    const table = (await aws.ec2.send(new CreateRouteTableCommand({ VpcId: vpc, TagSpecifications: [{ ResourceType: 'route-table', Tags: tags }] })))
      .RouteTable!.RouteTableId!
    const lines: string[] = []
    await undo(
      { kind: 'terraform', dir, id: 1, recordedAt: '', by: 'test', state: 'open' },
      { ...ctxFor(run, { TF_CLI_CONFIG_FILE: cli, PATH: process.env.PATH ?? '' }), log: (l) => lines.push(l) },
    )
    const log = lines.join('\n')
    assert.match(log, /cleanup: 2 thing\(s\) of run 20261207040404-eeee that no Terraform state holds/)
    assert.ok(
      lines.some((l) => l.includes(`removed subnet ${stray}`)),
      log,
    )
    assert.ok(
      lines.some((l) => l.includes(`removed route table ${table}`)),
      log,
    )
    assert.ok(
      !log.includes(`removed VPC ${vpc}`) && !log.includes(`removed subnet ${recorded}`),
      `only the strays are removed by hand; Terraform destroys the rest:\n${log}`,
    )
    assert.ok(
      lines.some((l) => /aws_vpc\.this: Destruction complete/.test(l)),
      `the destroy's progress is shown:\n${log}`,
    )
    assert.equal(((await aws.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc] }] }))).Vpcs ?? []).length, 0, log)
  })

  it('an apply killed before it first wrote its state: what it made is removed all the same', async () => {
    const run = '20261207050505-ffff'
    const { dir, cli } = await runTerraform(run, false)
    const tags = [{ Key: 'spotcheck:run', Value: run }]
    const vpc = (await aws.ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16', TagSpecifications: [{ ResourceType: 'vpc', Tags: tags }] }))).Vpc!.VpcId!
    await aws.ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.0.32.0/19', TagSpecifications: [{ ResourceType: 'subnet', Tags: tags }] }))
    const lines: string[] = []
    await undo(
      { kind: 'terraform', dir, id: 1, recordedAt: '', by: 'test', state: 'open' },
      { ...ctxFor(run, { TF_CLI_CONFIG_FILE: cli, PATH: process.env.PATH ?? '' }), log: (l) => lines.push(l) },
    )
    assert.ok(
      lines.some((l) => l.includes(`removed VPC ${vpc}`)),
      lines.join('\n'),
    )
    assert.equal(((await aws.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc] }] }))).Subnets ?? []).length, 0)
    assert.equal(((await aws.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc] }] }))).Vpcs ?? []).length, 0)
  })

  it('a destroy that asks a question fails with it, instead of waiting for an answer', async () => {
    // A stand-in terraform that prompts as Terraform does for a variable without a value, and
    // waits on its stdin for the answer.
    const dir = mkdtempSync(join(sb.dir, 'tf-asks-'))
    const bin = mkdtempSync(join(sb.dir, 'bin-'))
    writeFileSync(join(dir, 'terraform.tfstate'), '{}')
    writeFileSync(
      join(bin, 'terraform'),
      `#!/usr/bin/env bash
case "$1 $2" in
  "state list") echo module.vpc.aws_vpc.this[0] ;;
  "show -json") echo '{"format_version":"1.0"}' ;;
  destroy*)
    echo 'var.cluster_name'
    echo '  Enter a value: '
    read -r answer || { echo 'Error: No value for required variable' >&2; exit 1; }
    echo "Destroy complete!" ;;
esac
`,
      { mode: 0o755 },
    )
    await assert.rejects(
      undo(
        { kind: 'terraform', dir, id: 1, recordedAt: '', by: 'test', state: 'open' },
        ctxFor('20261206060606-abcd', { PATH: `${bin}:${process.env.PATH ?? ''}` }),
      ),
      /terraform destroy .* failed:[\s\S]*No value for required variable/,
    )
  })

  it("a destroy that fails on a vanished cluster's Helm release forgets it (terraform state rm) and destroys again", async () => {
    // A stand-in terraform (no helm provider offline): its state holds a helm_release whose
    // destroy fails as the helm provider does when the cluster is gone.
    const dir = mkdtempSync(join(sb.dir, 'tf-gone-'))
    const bin = mkdtempSync(join(sb.dir, 'bin-'))
    writeFileSync(join(dir, 'terraform.tfstate'), '{}')
    writeFileSync(join(dir, 'state.txt'), 'module.eks_blueprints_addons.module.karpenter.helm_release.this[0]\nmodule.vpc.aws_vpc.this[0]\n')
    writeFileSync(
      join(bin, 'terraform'),
      `#!/usr/bin/env bash
echo "$*" >> calls.txt
case "$1 $2" in
  "state list") cat state.txt ;;
  "show -json") echo '{"format_version":"1.0"}' ;;
  "state rm") shift 2; for a in "$@"; do case "$a" in -*) ;; *) grep -vxF "$a" state.txt > s.tmp; mv s.tmp state.txt ;; esac; done ;;
  destroy*)
    if grep -q helm_release state.txt; then echo 'Error: Kubernetes cluster unreachable: Get "https://ABC.eks.amazonaws.com/version": dial tcp: lookup ABC.eks.amazonaws.com: no such host' >&2; exit 1; fi
    case "$*" in *-target=*) ;; *) : > state.txt ;; esac
    echo "Destroy complete!" ;;
esac
`,
      { mode: 0o755 },
    )
    const lines: string[] = []
    await undo(
      { kind: 'terraform', dir, id: 1, recordedAt: '', by: 'test', state: 'open' },
      { ...ctxFor('20261206040404-dddd', { PATH: `${bin}:${process.env.PATH ?? ''}` }), log: (l) => lines.push(l) },
    )
    const calls = (await import('node:fs')).readFileSync(join(dir, 'calls.txt'), 'utf8').trim().split('\n')
    assert.deepEqual(
      calls.filter((c) => !c.startsWith('state list') && !c.startsWith('show ')),
      [
        'destroy -auto-approve -input=false -no-color -lock-timeout=10m -target=module.eks_blueprints_addons',
        'state rm -lock-timeout=10m module.eks_blueprints_addons.module.karpenter.helm_release.this[0]',
        'destroy -auto-approve -input=false -no-color -lock-timeout=10m -target=module.eks_blueprints_addons',
        'destroy -auto-approve -input=false -no-color -lock-timeout=10m -target=module.eks',
        'destroy -auto-approve -input=false -no-color -lock-timeout=10m',
      ],
      lines.join('\n'),
    )
    assert.ok(
      lines.some((l) =>
        l.includes('the cluster is gone; forgetting what went with it: terraform state rm module.eks_blueprints_addons.module.karpenter.helm_release.this[0]'),
      ),
    )
  })
})
