// The leak audit against moto: a KMS key pending deletion is not a leak (terraform-aws-eks v19's
// key keeps its tags for its waiting period); after an unwind, the audit names what is left —
// tagged, and the EKS log group of a cluster that is gone — and how to finish.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { CreateLogGroupCommand, DeleteLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs'
import { CreateKeyCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms'
import { CreateQueueCommand, DeleteQueueCommand } from '@aws-sdk/client-sqs'
import type { AwsClients } from '../../../support/aws-clients.ts'
import { extraClients } from '../../../support/aws-extra-clients.ts'
import { auditAfterUnwind, taggedWithRun } from '../../../support/run-tags.ts'
import { startSandbox, suiteClients, type Sandbox } from './helpers.ts'

const RUN = '20261206050734-e4bb'

describe('leak audit against moto', { timeout: 120_000 }, () => {
  let sb: Sandbox
  let aws: AwsClients
  before(async () => {
    sb = await startSandbox()
    aws = suiteClients(sb)
  })
  after(async () => {
    aws?.destroy()
    await sb?.close()
  })

  it('a KMS key pending deletion is not a leak; an enabled one is', async () => {
    const kms = extraClients(aws).kms
    const tags = [{ TagKey: 'spotcheck:run', TagValue: RUN }]
    const pending = (await kms.send(new CreateKeyCommand({ Description: 'spot-and-karpenter cluster secrets', Tags: tags }))).KeyMetadata!
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: pending.KeyId, PendingWindowInDays: 7 }))
    assert.deepEqual(await taggedWithRun(aws, RUN), [])
    const enabled = (await kms.send(new CreateKeyCommand({ Description: 'still here', Tags: tags }))).KeyMetadata!
    assert.deepEqual(await taggedWithRun(aws, RUN), [enabled.Arn])
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: enabled.KeyId, PendingWindowInDays: 7 }))
  })

  it('after an unwind: names what is left and the commands that finish the job', async () => {
    const url = (await aws.sqs.send(new CreateQueueCommand({ QueueName: 'observer', tags: { 'spotcheck:run': RUN } }))).QueueUrl!
    await extraClients(aws).logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/eks/spot-and-karpenter/cluster' }))
    const lines: string[] = []
    const left = await auditAfterUnwind({ aws, log: (l) => lines.push(l) }, RUN, { timeScale: 3000 })
    assert.deepEqual(left, [url, 'log group /aws/eks/spot-and-karpenter/cluster (EKS made it, untagged)'])
    const text = lines.join('\n')
    assert.match(text, /leak audit: 2 resource\(s\) of run 20261206050734-e4bb left after the clean-up/)
    assert.match(text, /finish with: npx spotcheck cleanup --run 20261206050734-e4bb; what that cannot undo: npx spotcheck reap --region eu-west-2/)

    await aws.sqs.send(new DeleteQueueCommand({ QueueUrl: url }))
    await extraClients(aws).logs.send(new DeleteLogGroupCommand({ logGroupName: '/aws/eks/spot-and-karpenter/cluster' }))
    const quiet: string[] = []
    assert.deepEqual(await auditAfterUnwind({ aws, log: (l) => quiet.push(l) }, RUN, { timeScale: 3000 }), [])
    assert.deepEqual(quiet, ['leak audit: nothing tagged spotcheck:run=20261206050734-e4bb is left'])
  })
})
