// The tutorial's AWS side against the sandbox, with the real terraform and aws CLIs: Step 2's
// Terraform sequence, update-kubeconfig, Step 6's FIS experiment on a Spot instance, Step 8's
// destroy sequence; then `down` leaves nothing running.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bash, isolatedHome, parseExports, spotcheck } from './helpers.ts'
import { isAlive } from '../../../sandbox/state.ts'
import { TUTORIAL_DATE } from '../../../platform/index.ts'

const home = isolatedHome()
const cliEnv = { SPOTCHECK_HOME: home, SPOTCHECK_SANDBOX: 'tutorial' }
const upstream = 'https://raw.githubusercontent.com/build-on-aws/run-kubernetes-clusters-for-less-with-amazon-ec2-spot-and-karpenter/main'

describe('the tutorial AWS commands against the sandbox', { timeout: 15 * 60_000 }, () => {
  let env: Record<string, string> = {}
  let daemonPid = 0
  const work = mkdtempSync(join(tmpdir(), 'tutorial-'))
  const run = async (script: string) => {
    const r = await bash(script, env, work)
    assert.equal(r.exitCode, 0, `${script}\n---\n${r.all}`)
    return r.stdout
  }

  before(async () => {
    const up = await spotcheck(['sandbox', 'up', '--as-of', TUTORIAL_DATE], cliEnv) // the tutorial's 1.29 is refused by today's EKS
    assert.equal(up.exitCode, 0, up.stderr)
    env = parseExports(up.stdout)
    daemonPid = (JSON.parse(readFileSync(join(home, 'sandboxes', 'tutorial', 'state.json'), 'utf8')) as { pid: number }).pid
  })
  after(async () => {
    await spotcheck(['sandbox', 'down'], cliEnv)
  })

  it("Step 2: the Terraform sequence runs verbatim and its outputs are the tutorial's", async () => {
    const out = await run(
      [
        `wget ${upstream}/cluster/terraform/main.tf`,
        'helm registry logout public.ecr.aws',
        'export TF_VAR_region=$AWS_REGION',
        'terraform init',
        'terraform apply -target="module.vpc" -auto-approve',
        'terraform apply -target="module.eks" -auto-approve',
        'terraform apply --auto-approve',
      ].join('\n'),
    )
    assert.equal(out.match(/Apply complete!/g)?.length, 3)
    assert.equal(await run('terraform output -raw cluster_name'), 'spot-and-karpenter')
    assert.equal(await run('terraform output -raw node_instance_profile_name'), 'karpenter-spot-and-karpenter')
    assert.equal(await run('terraform output -raw configure_kubectl'), 'aws eks --region eu-west-2 update-kubeconfig --name spot-and-karpenter')
    // A second apply finds nothing to change: the sandbox answers as AWS does.
    // (Each run() is a fresh bash, so the tutorial's export is repeated here.)
    assert.match(await run('export TF_VAR_region=$AWS_REGION && terraform plan -detailed-exitcode -no-color'), /No changes/)
  })

  it('Step 2: the cluster has the discovery-tagged subnets and security group, the queue and its four rules', async () => {
    const subnets = await run(
      `aws ec2 describe-subnets --filters Name=tag:karpenter.sh/discovery,Values=spot-and-karpenter --query 'Subnets[].AvailabilityZone' --output text`,
    )
    assert.deepEqual(subnets.split(/\s+/).sort(), ['eu-west-2a', 'eu-west-2b', 'eu-west-2c'])
    const groups = await run(
      `aws ec2 describe-security-groups --filters Name=tag:karpenter.sh/discovery,Values=spot-and-karpenter --query 'length(SecurityGroups)'`,
    )
    assert.equal(groups.trim(), '1')
    const cluster = JSON.parse(await run('aws eks describe-cluster --name spot-and-karpenter --output json')) as {
      cluster: { status: string; version: string; endpoint: string }
    }
    assert.equal(cluster.cluster.status, 'ACTIVE')
    assert.equal(cluster.cluster.version, '1.29')
    assert.match(cluster.cluster.endpoint, /^https:\/\/127\.0\.0\.1:\d+$/)
    const rules = await run(`aws events list-rules --name-prefix Karpenter- --query 'Rules[].EventPattern' --output json`)
    for (const kind of [
      'AWS Health Event',
      'EC2 Spot Instance Interruption Warning',
      'EC2 Instance Rebalance Recommendation',
      'EC2 Instance State-change Notification',
    ])
      assert.ok(rules.includes(kind), kind)
    await run(`aws sqs get-queue-url --queue-name karpenter-spot-and-karpenter --endpoint-url "$AWS_ENDPOINT_URL"`)
  })

  it("Step 2: update-kubeconfig writes the sandbox's own kubeconfig, and kubectl reaches the cluster", async () => {
    await run('aws eks --region $AWS_REGION update-kubeconfig --name spot-and-karpenter')
    assert.equal(env.KUBECONFIG, join(home, 'sandboxes', 'tutorial', 'kubeconfig'))
    assert.match(readFileSync(env.KUBECONFIG, 'utf8'), /aws-iam-authenticator|eks\s+- get-token|get-token/)
    const version = JSON.parse(await run('kubectl version -o json')) as { serverVersion: { gitVersion: string } }
    assert.match(version.serverVersion.gitVersion, /^v1\.29\.\d+-eks-[0-9a-f]{7}$/)
  })

  it('Step 6: a FIS experiment interrupts a running Spot instance tagged project=build-on-aws', async () => {
    await run(`wget ${upstream}/fis/spotinterruption.yaml`)
    await run('aws cloudformation deploy --stack-name fis-spot-and-karpenter --template-file spotinterruption.yaml --capabilities "CAPABILITY_NAMED_IAM"')
    const subnet = await run(
      `aws ec2 describe-subnets --filters Name=tag:karpenter.sh/discovery,Values=spot-and-karpenter --query 'Subnets[0].SubnetId' --output text`,
    )
    const instance = await run(
      `aws ec2 run-instances --image-id ami-12345678 --instance-type c7g.2xlarge --subnet-id ${subnet.trim()} --instance-market-options MarketType=spot --tag-specifications 'ResourceType=instance,Tags=[{Key=project,Value=build-on-aws}]' --query 'Instances[0].InstanceId' --output text`,
    )
    const id = instance.trim()
    const queueUrl = (
      await run(`aws sqs get-queue-url --queue-name karpenter-spot-and-karpenter --endpoint-url "$AWS_ENDPOINT_URL" --query QueueUrl --output text`)
    ).trim()
    // The tutorial's commands, verbatim.
    const started = await run(
      `FIS_EXP_TEMP_ID=$(aws cloudformation describe-stacks --stack-name fis-spot-and-karpenter --query "Stacks[0].Outputs[?OutputKey=='FISExperimentID'].OutputValue" --output text)\naws fis start-experiment --experiment-template-id $FIS_EXP_TEMP_ID --no-cli-pager`,
    )
    const experiment = (JSON.parse(started) as { experiment: { id: string } }).experiment.id
    // Karpenter (running in the sandbox) consumes the queue; read what EventBridge delivered from the
    // instance's own history instead: the instance ends terminated by the experiment.
    let state = ''
    for (let i = 0; i < 120 && state !== 'terminated'; i++) {
      state = (await run(`aws ec2 describe-instances --instance-ids ${id} --query 'Reservations[0].Instances[0].State.Name' --output text`)).trim()
      if (state !== 'terminated') await new Promise((r) => setTimeout(r, 250))
    }
    assert.equal(state, 'terminated')
    const status = (await run(`aws fis get-experiment --id ${experiment} --query experiment.state.status --output text`)).trim()
    assert.equal(status, 'completed')
    void queueUrl
  })

  it('Step 8: the destroy sequence removes everything Terraform and CloudFormation made', async () => {
    const out = await run(
      [
        'export TF_VAR_region=$AWS_REGION',
        'terraform destroy -target="module.eks_blueprints_addons" --auto-approve',
        'terraform destroy -target="module.eks" --auto-approve',
        'terraform destroy --auto-approve',
        'aws cloudformation delete-stack --stack-name fis-spot-and-karpenter',
      ].join('\n'),
    )
    assert.equal(out.match(/Destroy complete!/g)?.length, 3)
    assert.equal((await run(`aws eks list-clusters --query 'length(clusters)'`)).trim(), '0')
    assert.equal((await run(`aws ec2 describe-vpcs --filters Name=tag:Name,Values=spot-and-karpenter --query 'length(Vpcs)'`)).trim(), '0')
    assert.equal((await run(`aws fis list-experiment-templates --query 'length(experimentTemplates)'`)).trim(), '0')
  })

  it('down leaves nothing running', async () => {
    const down = await spotcheck(['sandbox', 'down'], cliEnv)
    assert.equal(down.exitCode, 0)
    assert.equal(isAlive(daemonPid), false, 'the daemon still runs')
  })
})
