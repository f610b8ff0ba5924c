// docs/aws.md's policies are meant to be copied into IAM as they are: each must be valid JSON,
// the trust policy must restrict GitHub's tokens to one repository and branch, and the role's
// policy must stay within IAM's size limit and name well-formed actions.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from '../../../lib/paths.ts'

interface Statement {
  Sid?: string
  Effect: 'Allow' | 'Deny'
  Action: string | string[]
  Resource?: string | string[]
  Principal?: { Federated?: string }
  Condition?: Record<string, Record<string, string | string[]>>
}
interface Policy {
  Version: string
  Statement: Statement[]
}

const doc = readFileSync(join(projectRoot, 'docs', 'aws.md'), 'utf8')
const jsonBlocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1])
const policies = jsonBlocks.map((text, i) => {
  try {
    return JSON.parse(text) as Policy
  } catch (error) {
    throw new Error(`docs/aws.md: json block ${i + 1} is not valid JSON: ${(error as Error).message}`, { cause: error })
  }
})
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action])
const trust = policies.find((p) => p.Statement.some((s) => actions(s).includes('sts:AssumeRoleWithWebIdentity')))
const permissions = policies.find((p) => p.Statement.some((s) => s.Sid === 'TheTutorialsCluster'))

describe('docs/aws.md: the IAM policies', () => {
  it('has the trust policy and the role policy, as valid JSON', () => {
    assert.ok(trust, 'a trust policy for GitHub OIDC')
    assert.ok(permissions, "the role's permissions")
  })

  it("trusts GitHub's OIDC tokens for one repository's main branch, audience STS", () => {
    const s = trust!.Statement[0]
    assert.match(s.Principal?.Federated ?? '', /:oidc-provider\/token\.actions\.githubusercontent\.com$/)
    const equals = s.Condition?.StringEquals ?? {}
    assert.equal(equals['token.actions.githubusercontent.com:aud'], 'sts.amazonaws.com')
    assert.match(String(equals['token.actions.githubusercontent.com:sub']), /^repo:[^*]+:ref:refs\/heads\/main$/)
  })

  it("fits IAM's 10,240 characters for a role's inline policies, with unique statement ids and well-formed actions", () => {
    assert.ok(JSON.stringify(permissions).length < 10_240, `${JSON.stringify(permissions).length} characters`)
    const sids = permissions!.Statement.map((s) => s.Sid)
    assert.equal(new Set(sids).size, sids.length, `duplicate Sid in ${sids.join(', ')}`)
    for (const s of permissions!.Statement) for (const a of actions(s)) assert.match(a, /^[a-z0-9-]+:[A-Za-z]+\*?$|^[a-z0-9-]+:\*$/, `${s.Sid}: ${a}`)
  })

  it('covers what the run does: the cluster by its fixed name, the lock, the state bucket, prices, the tagging API, a 3-hour session', () => {
    const all = permissions!.Statement.flatMap(actions)
    for (const a of [
      'eks:CreateCluster',
      'ssm:PutParameter',
      's3:PutObject',
      'pricing:GetProducts',
      'tag:GetResources',
      'fis:StartExperiment',
      'iam:CreateServiceLinkedRole',
      'logs:DeleteLogGroup',
      'ec2:DeleteNetworkInterface',
      'kms:ScheduleKeyDeletion',
    ]) {
      assert.ok(all.includes(a), `${a} is missing`)
    }
    const cluster = permissions!.Statement.find((s) => s.Sid === 'TheTutorialsCluster')!
    assert.ok([cluster.Resource].flat().every((r) => r?.includes('spot-and-karpenter')))
    assert.match(doc, /--max-session-duration 10800/)
  })
})
