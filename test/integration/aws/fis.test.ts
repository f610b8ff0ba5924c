// FIS in the sandbox's moto, driven as the tutorial drives it: Step 6 verbatim with the real aws
// CLI (CloudFormation deploy, describe-stacks, start-experiment --no-cli-pager), Karpenter's
// EventBridge rules and SQS queue, then the variants (selection modes, StopExperiment, empty
// targets) and bad inputs. Time scale 120: the tutorial's PT2M notice takes one second.

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { EC2Client, RunInstancesCommand, StopInstancesCommand, DescribeInstancesCommand } from '@aws-sdk/client-ec2'
import {
  FisClient,
  CreateExperimentTemplateCommand,
  GetExperimentCommand,
  ListActionsCommand,
  ListExperimentResolvedTargetsCommand,
  ListExperimentsCommand,
  ListExperimentTemplatesCommand,
  StartExperimentCommand,
  StopExperimentCommand,
  type Experiment,
} from '@aws-sdk/client-fis'
import { ACCOUNT, REGION, setSpotCapacity, startSandbox, waitFor, sleep, type Sandbox } from './helpers.ts'

const ROLE = `arn:aws:iam::${ACCOUNT}:role/fis-test`

interface SqsMessage {
  Body: string
  ReceiptHandle: string
}

describe('FIS Spot interruption (tutorial Step 6) against moto', () => {
  let sb: Sandbox
  let ec2: EC2Client
  let fis: FisClient

  before(async () => {
    sb = await startSandbox({ timeScale: 120 })
    ec2 = new EC2Client(sb.sdk)
    fis = new FisClient(sb.sdk)
  })
  after(async () => {
    ec2?.destroy()
    fis?.destroy()
    await sb?.close()
  })

  async function launch(tags: Record<string, string>, spot = true, count = 1): Promise<string[]> {
    // earlier interruptions reclaimed this pool; give it room again
    await setSpotCapacity(sb, 'c7g.2xlarge', `${REGION}a`, 100)
    const out = await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-12345678',
        InstanceType: 'c7g.2xlarge',
        MinCount: count,
        MaxCount: count,
        ...(spot ? { InstanceMarketOptions: { MarketType: 'spot' } } : {}),
        TagSpecifications: [{ ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }],
      }),
    )
    return (out.Instances ?? []).map((i) => i.InstanceId!)
  }

  async function states(ids: string[]): Promise<Record<string, string>> {
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }))
    const result: Record<string, string> = {}
    for (const r of out.Reservations ?? []) for (const i of r.Instances ?? []) result[i.InstanceId!] = i.State!.Name!
    return result
  }

  async function spotTemplate(tagValue: string, selectionMode: string, duration = 'PT2M', extra: Record<string, unknown> = {}): Promise<string> {
    const out = await fis.send(
      new CreateExperimentTemplateCommand({
        description: `test ${tagValue}`,
        roleArn: ROLE,
        stopConditions: [{ source: 'none' }],
        targets: {
          Spot: {
            resourceType: 'aws:ec2:spot-instance',
            resourceTags: { suite: tagValue },
            filters: [{ path: 'State.Name', values: ['running'] }],
            selectionMode,
          },
        },
        actions: {
          Interrupt: {
            actionId: 'aws:ec2:send-spot-instance-interruptions',
            parameters: { durationBeforeInterruption: duration },
            targets: { SpotInstances: 'Spot' },
          },
        },
        ...extra,
      }),
    )
    return out.experimentTemplate!.id!
  }

  async function until(id: string, statuses: string[]): Promise<Experiment> {
    return waitFor(`experiment ${id} to reach ${statuses.join('|')}`, async () => {
      const e = (await fis.send(new GetExperimentCommand({ id }))).experiment!
      return statuses.includes(e.state!.status!) ? e : undefined
    })
  }

  it('runs the tutorial verbatim: deploy, describe-stacks, start-experiment; the queue gets the notice and the instance is interrupted', async () => {
    const deploying = sb.bash(
      'cd fixtures/tutorial && aws cloudformation deploy --stack-name fis-spot-and-karpenter --template-file spotinterruption.yaml --capabilities "CAPABILITY_NAMED_IAM"',
    )
    // Instances FIS must leave alone
    const bystanders = (async () => {
      const [onDemand] = await launch({ project: 'build-on-aws' }, false)
      const [untagged] = await launch({ project: 'something-else' })
      const [stopped] = await launch({ project: 'build-on-aws' })
      await ec2.send(new StopInstancesCommand({ InstanceIds: [stopped] }))
      return { onDemand, untagged, stopped }
    })()
    // Karpenter's interruption queue and its four rules (names as the EKS Blueprints add-on makes them)
    const queueUrl = (
      await sb.awsJson<{ QueueUrl: string }>('sqs', 'create-queue', '--endpoint-url', sb.moto.endpoint, '--queue-name', 'karpenter-spot-and-karpenter')
    ).QueueUrl
    const queueArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:karpenter-spot-and-karpenter`
    const rules: Record<string, string> = {
      'Karpenter-HealthEvent': '{"source":["aws.health"],"detail-type":["AWS Health Event"]}',
      'Karpenter-SpotInterrupt': '{"source":["aws.ec2"],"detail-type":["EC2 Spot Instance Interruption Warning"]}',
      'Karpenter-InstanceRebalance': '{"source":["aws.ec2"],"detail-type":["EC2 Instance Rebalance Recommendation"]}',
      'Karpenter-InstanceStateChange': '{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"]}',
    }
    await Promise.all(
      Object.entries(rules).map(async ([name, pattern]) => {
        assert.equal((await sb.aws('events', 'put-rule', '--name', name, '--event-pattern', pattern)).exitCode, 0)
        assert.equal((await sb.aws('events', 'put-targets', '--rule', name, '--targets', `Id=KarpenterInterruptionQueueTarget,Arn=${queueArn}`)).exitCode, 0)
      }),
    )

    // The Spot node Karpenter would have launched (after the rules, so its launch is in the queue too)
    const run = await sb.awsJson<{ Instances: { InstanceId: string; InstanceLifecycle?: string }[] }>(
      'ec2',
      'run-instances',
      '--image-id',
      'ami-12345678',
      '--instance-type',
      'c7g.2xlarge',
      '--instance-market-options',
      'MarketType=spot',
      '--tag-specifications',
      'ResourceType=instance,Tags=[{Key=project,Value=build-on-aws}]',
    )
    const target = run.Instances[0].InstanceId
    const { onDemand, untagged, stopped } = await bystanders
    const deploy = await deploying
    assert.equal(deploy.exitCode, 0, deploy.stderr)
    assert.match(deploy.stdout, /Successfully created\/updated stack - fis-spot-and-karpenter/)

    const start = await sb.bash(
      'FIS_EXP_TEMP_ID=$(aws cloudformation describe-stacks --stack-name fis-spot-and-karpenter --query "Stacks[0].Outputs[?OutputKey==\'FISExperimentID\'].OutputValue" --output text)\n' +
        'echo "template=$FIS_EXP_TEMP_ID" >&2\n' +
        'aws fis start-experiment --experiment-template-id $FIS_EXP_TEMP_ID --no-cli-pager',
    )
    assert.equal(start.exitCode, 0, start.stderr)
    const templateId = /template=(EXT\w+)/.exec(start.stderr)?.[1]
    assert.ok(templateId, `describe-stacks printed the template id (${start.stderr})`)
    const started = (JSON.parse(start.stdout) as { experiment: Experiment }).experiment
    assert.match(started.id!, /^EXP\w+$/)
    assert.equal(started.experimentTemplateId, templateId)
    assert.equal(started.state!.status, 'initiating')
    assert.equal(started.actions!.interrupt.state!.status, 'pending')
    assert.equal(started.targets!.SpotIntances.selectionMode, 'COUNT(1)')

    const done = await until(started.id!, ['completed', 'failed'])
    assert.equal(done.state!.status, 'completed', JSON.stringify(done.state))
    const action = done.actions!.interrupt
    assert.equal(action.state!.status, 'completed')
    const actionSeconds = (action.endTime!.getTime() - action.startTime!.getTime()) / 1000
    assert.ok(actionSeconds >= 0.9 && actionSeconds < 5, `PT2M at scale 120 took ${actionSeconds} s`)

    const [cliInstances, requests] = await Promise.all([
      sb.awsJson<{ Reservations: { Instances: { InstanceId: string; State: { Name: string }; StateReason?: { Code: string } }[] }[] }>(
        'ec2',
        'describe-instances',
        '--instance-ids',
        target,
        onDemand,
        untagged,
        stopped,
      ),
      sb.awsJson<{ SpotInstanceRequests: { InstanceId: string; State: string; Status: { Code: string } }[] }>('ec2', 'describe-spot-instance-requests'),
    ])
    const byId = Object.fromEntries(cliInstances.Reservations.flatMap((r) => r.Instances).map((i) => [i.InstanceId, i]))
    assert.equal(byId[target].State.Name, 'terminated')
    assert.equal(byId[target].StateReason?.Code, 'Server.SpotInstanceTermination')
    assert.equal(byId[onDemand].State.Name, 'running', 'an On-Demand instance is never targeted')
    assert.equal(byId[untagged].State.Name, 'running', 'an instance without the tag is never targeted')
    assert.equal(byId[stopped].State.Name, 'stopped', 'an instance that is not running is never targeted')

    const market = (await (await fetch(`${sb.moto.endpoint}/spotcheck-api/spot-market?region=${REGION}&instanceType=c7g.2xlarge`)).json()) as {
      pools: { availabilityZone: string; reclaimed: boolean }[]
    }
    assert.deepEqual(
      market.pools.filter((p) => p.reclaimed).map((p) => p.availabilityZone),
      [`${REGION}a`],
      'EC2 reclaimed the interrupted pool',
    )

    const request = requests.SpotInstanceRequests.find((r) => r.InstanceId === target)
    assert.deepEqual([request?.State, request?.Status.Code], ['closed', 'instance-terminated-by-experiment'])

    // What Karpenter reads from its queue
    const messages: SqsMessage[] = []
    await waitFor(
      'the terminated state-change message',
      async () => {
        const r = await sb.awsJson<{ Messages?: SqsMessage[] }>(
          'sqs',
          'receive-message',
          '--endpoint-url',
          sb.moto.endpoint,
          '--queue-url',
          queueUrl,
          '--max-number-of-messages',
          '10',
        )
        messages.push(...(r.Messages ?? []))
        return messages.some((m) => m.Body.includes('"terminated"') && m.Body.includes(target))
      },
      10_000,
      0,
    )
    const bodies = messages.map((m) => JSON.parse(m.Body) as Record<string, unknown>).filter((b) => JSON.stringify(b.resources).includes(target))
    const kinds = bodies.map((b) => `${b['detail-type'] as string}${(b.detail as { state?: string }).state ? `:${(b.detail as { state: string }).state}` : ''}`)
    assert.deepEqual(kinds, [
      'EC2 Instance State-change Notification:pending',
      'EC2 Instance State-change Notification:running',
      'EC2 Instance Rebalance Recommendation',
      'EC2 Spot Instance Interruption Warning',
      'EC2 Instance State-change Notification:shutting-down',
      'EC2 Instance State-change Notification:terminated',
    ])
    const warning = bodies.find((b) => b['detail-type'] === 'EC2 Spot Instance Interruption Warning')!
    assert.deepEqual(Object.keys(warning), ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail'])
    assert.equal(warning.version, '0')
    assert.match(warning.id as string, /^[0-9a-f-]{36}$/)
    assert.equal(warning.source, 'aws.ec2')
    assert.equal(warning.account, ACCOUNT)
    assert.match(warning.time as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    assert.equal(warning.region, REGION)
    assert.deepEqual(warning.resources, [`arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${target}`])
    assert.deepEqual(warning.detail, { 'instance-id': target, 'instance-action': 'terminate' })
    assert.ok(!messages.some((m) => m.Body.includes(onDemand) && m.Body.includes('Interruption')), 'no notice for the On-Demand instance')

    // Step 8: deleting the stack removes the experiment template
    assert.equal((await sb.bash('aws cloudformation delete-stack --stack-name fis-spot-and-karpenter')).exitCode, 0)
    const [gone, templates] = await Promise.all([
      sb.aws('fis', 'get-experiment-template', '--id', templateId),
      sb.awsJson<{ experimentTemplates: { id: string }[] }>('fis', 'list-experiment-templates'),
    ])
    assert.notEqual(gone.exitCode, 0)
    assert.match(gone.stderr, /ResourceNotFoundException/)
    assert.ok(!templates.experimentTemplates.some((t) => t.id === templateId))
  })

  it('honours COUNT(n), PERCENT(n) and ALL', async () => {
    const groups = { count: 'COUNT(2)', percent: 'PERCENT(50)', all: 'ALL' }
    const launched: Record<string, string[]> = {}
    const experiments: Record<string, string> = {}
    for (const [name, mode] of Object.entries(groups)) {
      launched[name] = await launch({ suite: `sel-${name}` }, true, 4)
      const templateId = await spotTemplate(`sel-${name}`, mode)
      experiments[name] = (await fis.send(new StartExperimentCommand({ experimentTemplateId: templateId }))).experiment!.id!
    }
    const expected = { count: 2, percent: 2, all: 4 }
    for (const [name, id] of Object.entries(experiments)) {
      const e = await until(id, ['completed', 'failed'])
      assert.equal(e.state!.status, 'completed')
      const resolved = await fis.send(new ListExperimentResolvedTargetsCommand({ experimentId: id }))
      assert.equal(resolved.resolvedTargets!.length, expected[name as keyof typeof expected], `${name} resolved`)
      const s = await states(launched[name])
      const terminated = Object.values(s).filter((x) => x === 'terminated').length
      assert.equal(terminated, expected[name as keyof typeof expected], `${name}: ${JSON.stringify(s)}`)
    }
  })

  it('StopExperiment before the interruption leaves the instance running', async () => {
    const [instance] = await launch({ suite: 'stop' })
    const templateId = await spotTemplate('stop', 'ALL', 'PT3M') // warning after 1 min, interruption after 3 (0.5 s / 1.5 s here)
    const id = (await fis.send(new StartExperimentCommand({ experimentTemplateId: templateId }))).experiment!.id!
    await until(id, ['running'])
    const stopping = (await fis.send(new StopExperimentCommand({ id }))).experiment!
    assert.equal(stopping.state!.status, 'stopping')
    const stopped = await until(id, ['stopped'])
    assert.equal(stopped.actions!.Interrupt.state!.status, 'stopped')
    assert.ok(stopped.endTime)
    await sleep(2_000) // past the moment the interruption would have happened
    assert.equal((await states([instance]))[instance], 'running')
    assert.equal((await fis.send(new GetExperimentCommand({ id }))).experiment!.state!.status, 'stopped')
  })

  it('fails an experiment whose target resolves to nothing, as FIS does', async () => {
    const templateId = await spotTemplate('nothing-has-this-tag', 'COUNT(1)')
    const id = (await fis.send(new StartExperimentCommand({ experimentTemplateId: templateId }))).experiment!.id!
    const failed = await until(id, ['failed', 'completed'])
    assert.equal(failed.state!.status, 'failed')
    assert.equal(failed.state!.reason, 'Target resolution returned empty set')
    // state.error is newer than this SDK's model; the JSON carries it
    assert.equal((failed.state as { error?: { code?: string } }).error?.code, 'InvalidTarget')
    assert.equal(failed.actions!.Interrupt.state!.status, 'cancelled')
    // ... unless the template says to skip empty targets
    const skipping = await spotTemplate('nothing-has-this-tag', 'COUNT(1)', 'PT2M', { experimentOptions: { emptyTargetResolutionMode: 'skip' } })
    const skipped = await until((await fis.send(new StartExperimentCommand({ experimentTemplateId: skipping }))).experiment!.id!, ['completed', 'failed'])
    assert.equal(skipped.state!.status, 'completed')
    assert.equal(skipped.actions!.Interrupt.state!.status, 'skipped')
  })

  it('answers bad input as FIS does (aws CLI)', async () => {
    const [unknownTemplate, stopUnknown] = await Promise.all([
      sb.aws('fis', 'start-experiment', '--experiment-template-id', 'EXTdoesnotexist1'),
      sb.aws('fis', 'stop-experiment', '--id', 'EXPdoesnotexist1'),
    ])
    assert.notEqual(unknownTemplate.exitCode, 0)
    assert.match(unknownTemplate.stderr, /ResourceNotFoundException.*StartExperiment/)
    assert.match(stopUnknown.stderr, /ResourceNotFoundException.*StopExperiment/)

    const template = (selectionMode: string, duration: string) => ({
      description: 'bad',
      roleArn: ROLE,
      stopConditions: [{ source: 'none' }],
      targets: { Spot: { resourceType: 'aws:ec2:spot-instance', resourceTags: { project: 'build-on-aws' }, selectionMode } },
      actions: {
        Interrupt: {
          actionId: 'aws:ec2:send-spot-instance-interruptions',
          parameters: { durationBeforeInterruption: duration },
          targets: { SpotInstances: 'Spot' },
        },
      },
    })
    // through the aws CLI: what a user sees
    const created = await fis.send(new CreateExperimentTemplateCommand(template('COUNT(1)', 'PT2M')))
    const id = created.experimentTemplate!.id!
    const [badMode, badDuration, updatedCli] = await Promise.all([
      sb.aws('fis', 'create-experiment-template', '--cli-input-json', JSON.stringify(template('COUNT(two)', 'PT2M'))),
      sb.aws('fis', 'create-experiment-template', '--cli-input-json', JSON.stringify(template('COUNT(1)', 'two minutes'))),
      sb.awsJson<{ experimentTemplate: { description: string; targets: Record<string, { selectionMode: string }> } }>(
        'fis',
        'update-experiment-template',
        '--id',
        id,
        '--description',
        'updated',
      ),
    ])
    for (const r of [badMode, badDuration]) {
      assert.notEqual(r.exitCode, 0)
      assert.match(r.stderr, /ValidationException.*CreateExperimentTemplate/)
    }
    assert.equal(updatedCli.experimentTemplate.description, 'updated')
    assert.equal(updatedCli.experimentTemplate.targets.Spot.selectionMode, 'COUNT(1)')
    // and the other limits, through the SDK
    for (const [mode, duration] of [
      ['PERCENT(150)', 'PT2M'],
      ['COUNT(0)', 'PT2M'],
      ['COUNT(1)', 'PT1M'],
      ['COUNT(1)', 'PT16M'],
      ['ALL', 'PT2M30X'],
    ]) {
      await assert.rejects(
        fis.send(new CreateExperimentTemplateCommand(template(mode, duration))),
        (e: Error) => e.name === 'ValidationException',
        `${mode} ${duration}`,
      )
    }
    await assert.rejects(
      fis.send(
        new CreateExperimentTemplateCommand({
          ...template('ALL', 'PT2M'),
          targets: { Spot: { ...template('ALL', 'PT2M').targets.Spot, resourceArns: [`arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`] } },
        }),
      ),
      (e: Error) => e.name === 'ValidationException' && /both resource ARNs and resource tags/.test(e.message),
    )
    await assert.rejects(fis.send(new GetExperimentCommand({ id: 'EXPdoesnotexist1' })), (e: Error) => e.name === 'ResourceNotFoundException')

    const [listed, experiments, actions] = await Promise.all([
      fis.send(new ListExperimentTemplatesCommand({})),
      fis.send(new ListExperimentsCommand({})),
      fis.send(new ListActionsCommand({})),
    ])
    assert.equal(listed.experimentTemplates!.find((t) => t.id === id)?.description, 'updated')
    assert.ok(experiments.experiments!.length >= 5)
    assert.ok(experiments.experiments!.every((e) => /^EXP/.test(e.id!) && e.state!.status))
    assert.ok(actions.actions!.some((a) => a.id === 'aws:ec2:send-spot-instance-interruptions'))
  })
})
