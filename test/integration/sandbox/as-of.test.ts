// `spotcheck sandbox up --as-of DAY`: the sandbox's AWS answers as AWS did that day, to the real aws CLI.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { platformView } from '../../../platform/index.ts'
import { bash, isolatedHome, parseExports, spotcheck } from './helpers.ts'

const home = isolatedHome()
// "today" is fixed so the test means the same on any day.
const TODAY = '2026-12-06'
const MID_2024 = '2024-06-01'
const env = { SPOTCHECK_HOME: home, SPOTCHECK_SANDBOX: undefined, SPOTCHECK_TODAY: TODAY }
const names = { today: `asof-today-${process.pid}`, mid2024: `asof-2024-${process.pid}` }
const ROLE = 'arn:aws:iam::123456789012:role/eks-cluster'

/** A subnet to name in CreateCluster, made with the sandbox's own aws CLI. */
async function subnet(sandbox: Record<string, string>): Promise<string> {
  const r = await bash(
    'vpc=$(aws ec2 create-vpc --cidr-block 10.0.0.0/16 --query Vpc.VpcId --output text) && aws ec2 create-subnet --vpc-id "$vpc" --cidr-block 10.0.1.0/24 --query Subnet.SubnetId --output text',
    sandbox,
    home,
  )
  assert.equal(r.exitCode, 0, r.all)
  return r.stdout.trim()
}

const createCluster = (version: string, subnetId: string) =>
  `aws eks create-cluster --name x --role-arn ${ROLE} --resources-vpc-config subnetIds=${subnetId} --kubernetes-version ${version}`

/** What describe-cluster-versions should list on a day: not UNSUPPORTED, newest first (the platform table's). */
function offeredOn(day: string): string[] {
  return platformView(day)
    .eks.versions.filter((v) => v.status !== 'UNSUPPORTED')
    .map((v) => v.version)
}

describe('spotcheck sandbox up --as-of', () => {
  const sandboxes: Record<string, Record<string, string>> = {}

  before(async () => {
    // Two days side by side, started together (each takes a few seconds).
    const [today, mid2024] = await Promise.all([
      spotcheck(['sandbox', 'up', '--name', names.today, '--as-of', TODAY], env),
      spotcheck(['sandbox', 'up', '--name', names.mid2024, '--as-of', MID_2024], env),
    ])
    assert.equal(today.exitCode, 0, today.stderr)
    assert.equal(mid2024.exitCode, 0, mid2024.stderr)
    sandboxes.today = parseExports(today.stdout)
    sandboxes.mid2024 = parseExports(mid2024.stdout)
  })

  after(async () => {
    await spotcheck(['sandbox', 'down', '--all'], env)
  })

  it('records the day: exported as SPOTCHECK_AS_OF and shown by status', async () => {
    assert.equal(sandboxes.today.SPOTCHECK_AS_OF, TODAY)
    assert.equal(sandboxes.mid2024.SPOTCHECK_AS_OF, MID_2024)
    assert.notEqual(sandboxes.today.AWS_ENDPOINT_URL, sandboxes.mid2024.AWS_ENDPOINT_URL)
    const status = await spotcheck(['sandbox', 'status', '--all'], env)
    assert.match(status.stderr, new RegExp(`sandbox "${names.today}": running .*AWS as of ${TODAY}`))
    assert.match(status.stderr, new RegExp(`sandbox "${names.mid2024}": running .*AWS as of ${MID_2024}`))
    const e = await spotcheck(['sandbox', 'env', '--name', names.today], env)
    assert.match(e.stdout, new RegExp(`^export SPOTCHECK_AS_OF=${TODAY}$`, 'm'))
  })

  it(`refuses the tutorial's EKS 1.29 on ${TODAY}, as EKS does`, async () => {
    const r = await bash(createCluster('1.29', await subnet(sandboxes.today)), sandboxes.today, home)
    assert.notEqual(r.exitCode, 0, r.all)
    assert.match(r.stderr, /An error occurred \(InvalidParameterException\) when calling the CreateCluster operation: unsupported Kubernetes version 1\.29/)
  })

  it(`creates an EKS 1.29 cluster on ${MID_2024}`, async () => {
    const r = await bash(`${createCluster('1.29', await subnet(sandboxes.mid2024))} --query cluster.version --output text`, sandboxes.mid2024, home)
    assert.equal(r.exitCode, 0, r.all)
    assert.equal(r.stdout.trim(), '1.29')
    const deleted = await bash('aws eks delete-cluster --name x --query cluster.name --output text', sandboxes.mid2024, home)
    assert.equal(deleted.exitCode, 0, deleted.all)
  })

  it('describe-cluster-versions answers per day', async () => {
    for (const [key, day] of [
      ['today', TODAY],
      ['mid2024', MID_2024],
    ] as const) {
      const r = await bash('aws eks describe-cluster-versions --output json', sandboxes[key], home)
      assert.equal(r.exitCode, 0, r.all)
      const answer = JSON.parse(r.stdout) as {
        clusterVersions: { clusterVersion: string; versionStatus: string; defaultVersion: boolean; clusterType: string }[]
      }
      assert.deepEqual(
        answer.clusterVersions.map((v) => v.clusterVersion),
        offeredOn(day),
        day,
      )
      const defaults = answer.clusterVersions.filter((v) => v.defaultVersion).map((v) => v.clusterVersion)
      assert.deepEqual(
        defaults,
        platformView(day)
          .eks.versions.filter((v) => v.default)
          .map((v) => v.version),
        day,
      )
    }
    const withUnsupported = await bash(
      'aws eks describe-cluster-versions --include-all --cluster-versions 1.29 --query "clusterVersions[].[clusterVersion,versionStatus]" --output text',
      sandboxes.today,
      home,
    )
    assert.equal(withUnsupported.stdout.trim(), '1.29\tUNSUPPORTED', withUnsupported.all)
    const defaultOnly = await bash(
      'aws eks describe-cluster-versions --default-only --query "clusterVersions[].clusterVersion" --output text',
      sandboxes.today,
      home,
    )
    assert.equal(defaultOnly.stdout.trim(), '1.35', defaultOnly.all)
  })

  it(`has no Amazon Linux 2 AMI parameter for EKS 1.33 on ${TODAY}, and an AL2023 one for 1.35`, async () => {
    const al2 = await bash('aws ssm get-parameter --name /aws/service/eks/optimized-ami/1.33/amazon-linux-2/recommended/image_id', sandboxes.today, home)
    assert.notEqual(al2.exitCode, 0)
    assert.match(al2.stderr, /\(ParameterNotFound\) when calling the GetParameter operation/)
    const al2023 = await bash(
      'aws ssm get-parameter --name /aws/service/eks/optimized-ami/1.35/amazon-linux-2023/x86_64/standard/recommended/image_name --query Parameter.Value --output text',
      sandboxes.today,
      home,
    )
    assert.equal(al2023.exitCode, 0, al2023.all)
    assert.equal(al2023.stdout.trim(), 'amazon-eks-node-al2023-x86_64-standard-1.35-v20261206')
  })

  it(`refuses a new Cloud9 environment on ${TODAY}`, async () => {
    const r = await bash('aws cloud9 create-environment-ec2 --name c9 --instance-type t3.small --image-id amazonlinux-2023-x86_64', sandboxes.today, home)
    assert.notEqual(r.exitCode, 0)
    assert.match(r.stderr, /\(ForbiddenException\) when calling the CreateEnvironmentEC2 operation: This account does not have access to the Cloud9 service/)
  })

  it('refuses a malformed, impossible or future day with exit 2, naming the value and the accepted form', async () => {
    for (const [value, message] of [
      ['06/12/2026', /--as-of "06\/12\/2026" is not a date; write YYYY-MM-DD/],
      ['2026-02-29', /--as-of "2026-02-29" is not a day of the calendar/],
      ['2026-12-07', /--as-of 2026-12-07 is in the future \(today is 2026-12-06\)/],
    ] as const) {
      const r = await spotcheck(['sandbox', 'up', '--name', `asof-bad-${process.pid}`, '--as-of', value], env)
      assert.equal(r.exitCode, 2, `${value}: ${r.stderr}`)
      assert.match(r.stderr, message)
      assert.equal(r.stdout, '')
    }
  })

  it('will not reuse a running sandbox of another day', async () => {
    const r = await spotcheck(['sandbox', 'up', '--name', names.today, '--as-of', MID_2024], env)
    assert.equal(r.exitCode, 1)
    assert.match(r.stderr, new RegExp(`already running as of ${TODAY}, not ${MID_2024}`))
  })
})
