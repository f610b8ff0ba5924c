// The leak audit (support/run-tags.ts) against stand-in clients: what AWS lists for a while
// after deleting it is not a leak, FIS tags are asked by an ARN with the account, and the audit
// asks again while anything is listed, in tutorial time.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { AwsClients } from '../../../support/aws-clients.ts'
import { auditRunTags, fisTemplateArn, taggedWithRun } from '../../../support/run-tags.ts'

const RUN = '20261206050734-e4bb'
const runTags = [{ Key: 'spotcheck:run', Value: RUN }]

type Handler = (input: Record<string, unknown>) => unknown
function notFound(name: string, message = 'not found'): Error {
  const e = new Error(message)
  e.name = name
  return e
}

/** Clients whose `send` answers by command name from `answers`; anything unlisted answers empty. */
function stubAws(answers: Record<string, Handler>, calls: { command: string; input: Record<string, unknown> }[] = []): AwsClients {
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const name = command.constructor.name.replace(/Command$/, '')
      calls.push({ command: name, input: command.input })
      const answer = answers[name]
      return answer ? answer(command.input) : {}
    },
  }
  return {
    region: 'eu-west-2',
    cloudformation: client,
    ec2: client,
    eks: client,
    events: client,
    fis: client,
    iam: client,
    tagging: client,
    sqs: client,
    sts: client,
    destroy() {},
  } as unknown as AwsClients
}

describe('leak audit', () => {
  it('does not count what the tagging index, IAM or SQS list after deletion (NotFound, NoSuchEntity, NonExistentQueue)', async () => {
    const aws = stubAws({
      GetResources: () => ({
        ResourceTagMappingList: [
          { ResourceARN: 'arn:aws:ec2:eu-west-2:123456789012:vpc/vpc-gone', Tags: runTags },
          { ResourceARN: 'arn:aws:ec2:eu-west-2:123456789012:subnet/subnet-live', Tags: runTags },
        ],
      }),
      DescribeVpcs: () => {
        throw notFound('InvalidVpcID.NotFound', "The vpc ID 'vpc-gone' does not exist")
      },
      DescribeSubnets: () => ({ Subnets: [{ SubnetId: 'subnet-live' }] }),
      ListRoles: () => ({ Roles: [{ RoleName: 'deleted-role', Arn: 'arn:aws:iam::123456789012:role/deleted-role' }] }),
      ListRoleTags: () => {
        throw notFound('NoSuchEntityException', 'The role with name deleted-role cannot be found.')
      },
      ListQueues: () => ({ QueueUrls: ['https://sqs.eu-west-2.amazonaws.com/123456789012/observer'] }),
      ListQueueTags: () => {
        throw notFound('QueueDoesNotExist', 'The specified queue does not exist.')
      },
    })
    assert.deepEqual(await taggedWithRun(aws, RUN), ['arn:aws:ec2:eu-west-2:123456789012:subnet/subnet-live'])
  })

  it('asks FIS for tags by the template ARN with the account (C7)', async () => {
    const calls: { command: string; input: Record<string, unknown> }[] = []
    const aws = stubAws(
      {
        GetCallerIdentity: () => ({ Account: '210987654321' }),
        ListExperimentTemplates: () => ({ experimentTemplates: [{ id: 'EXT123' }] }),
        ListTagsForResource: () => ({ tags: { 'spotcheck:run': RUN } }),
      },
      calls,
    )
    assert.deepEqual(await taggedWithRun(aws, RUN), ['FIS experiment template EXT123'])
    assert.deepEqual(calls.find((c) => c.command === 'ListTagsForResource')?.input, {
      resourceArn: 'arn:aws:fis:eu-west-2:210987654321:experiment-template/EXT123',
    })
    assert.equal(fisTemplateArn('us-east-1', '111122223333', 'EXTa'), 'arn:aws:fis:us-east-1:111122223333:experiment-template/EXTa')
  })

  it('asks again while anything is listed, showing progress, within a window in tutorial time', async () => {
    let pass = 0
    const aws = stubAws({
      GetResources: () => ({
        ResourceTagMappingList: ++pass < 3 ? [{ ResourceARN: 'arn:aws:ec2:eu-west-2:123456789012:subnet/subnet-1', Tags: runTags }] : [],
      }),
      DescribeSubnets: () => ({ Subnets: [{ SubnetId: 'subnet-1' }] }),
    })
    const lines: string[] = []
    const started = Date.now()
    // 5 tutorial minutes at 600× = 500 ms; every 30 tutorial seconds = 50 ms real.
    assert.deepEqual(await auditRunTags(aws, RUN, { timeScale: 600, progress: (l) => lines.push(l) }), [])
    assert.equal(pass, 3)
    assert.equal(lines.length, 2)
    assert.match(
      lines[0],
      /leak audit \(pass 1\): 1 resource\(s\) still tagged spotcheck:run=20261206050734-e4bb: arn:aws:ec2:.*subnet-1; AWS lists deleted resources for a while, asking again \(for up to \d+ s more, tutorial time\)/,
    )
    assert.ok(Date.now() - started < 1_000)
  })

  it('reports what is still there when the window closes', async () => {
    const aws = stubAws({
      GetResources: () => ({ ResourceTagMappingList: [{ ResourceARN: 'arn:aws:ec2:eu-west-2:123456789012:subnet/subnet-1', Tags: runTags }] }),
      DescribeSubnets: () => ({ Subnets: [{ SubnetId: 'subnet-1' }] }),
    })
    const started = Date.now()
    assert.deepEqual(await auditRunTags(aws, RUN, { timeScale: 600 }), ['arn:aws:ec2:eu-west-2:123456789012:subnet/subnet-1'])
    const took = Date.now() - started
    assert.ok(took >= 400 && took < 2_000, `the window is 5 tutorial minutes = 500 ms at 600×, took ${took} ms`)
  })
})
