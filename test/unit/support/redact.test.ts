// Nothing secret reaches a report attachment: credentials, EKS tokens, account IDs.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Redactor, REDACTED, REDACTED_ACCOUNT } from '../../../support/redact.ts'

const env = {
  AWS_ACCESS_KEY_ID: 'AKIAABCDEFGHIJKLMNOP',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ',
}
const account = '123456789012'

describe('Redactor', () => {
  const r = new Redactor(env, account)

  it('removes the known credentials wherever they appear', () => {
    const text = `export AWS_ACCESS_KEY_ID=${env.AWS_ACCESS_KEY_ID}\nsecret ${env.AWS_SECRET_ACCESS_KEY} token=${env.AWS_SESSION_TOKEN}`
    const out = r.redact(text)
    for (const v of Object.values(env)) assert.ok(!out.includes(v), `${v} leaked: ${out}`)
    assert.ok(out.includes(REDACTED))
  })

  it('removes the account ID, in ARNs, ECR hosts, JSON fields and bare', () => {
    const text = [
      'arn:aws:iam::123456789012:role/karpenter-spot-and-karpenter',
      'arn:aws:ec2:eu-west-2:123456789012:instance/i-0abc',
      '123456789012.dkr.ecr.eu-west-2.amazonaws.com/karpenter',
      '{ "Account": "123456789012", "UserId": "AIDAXXXXXXXXXXXXXXXXX" }',
      'owner 123456789012',
    ].join('\n')
    const out = r.redact(text)
    assert.ok(!out.includes(account), out)
    assert.match(out, new RegExp(`arn:aws:iam::\\${REDACTED_ACCOUNT}:role/karpenter-spot-and-karpenter`))
    assert.ok(!out.includes('AIDAXXXXXXXXXXXXXXXXX'), 'IAM user IDs are access-key-like identifiers')
  })

  it("removes account IDs it was not told about when they sit in ARNs or known fields", () => {
    const unknown = new Redactor()
    const out = unknown.redact('arn:aws:iam::987654321098:role/x "OwnerId": "987654321098"')
    assert.ok(!out.includes('987654321098'), out)
  })

  it('removes EKS bearer tokens and presigned URL signatures', () => {
    const token = 'k8s-aws-v1.aHR0cHM6Ly9zdHMuZXUtd2VzdC0yLmFtYXpvbmF3cy5jb20vP0FjdGlvbj1HZXRDYWxsZXJJZGVudGl0eQ'
    const out = new Redactor().redact(`{"status":{"token":"${token}"}}\nAuthorization: Bearer abcdefghijklmnop\nhttps://sts/?X-Amz-Signature=deadbeef&X-Amz-Credential=AKIAX%2F2024`)
    assert.ok(!out.includes(token.slice(12)), out)
    assert.ok(!out.includes('abcdefghijklmnop'))
    assert.ok(!out.includes('deadbeef'))
  })

  it('removes secrets written as key = value, and private keys', () => {
    const out = new Redactor().redact('aws_secret_access_key = abcdEFGH1234/xyz\n"SessionToken": "FwoGZXIvYXdzE"\n-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----')
    assert.ok(!out.includes('abcdEFGH1234/xyz'))
    assert.ok(!out.includes('FwoGZXIvYXdzE'))
    assert.ok(!out.includes('MIIE'))
  })

  it('leaves ordinary output alone', () => {
    const text = 'NAME   READY   STATUS    RESTARTS   AGE\nkarpenter-7f4c648fc5-kwc89   1/1   Running   0   51s\nrequests cpu 5330m memory 5360Mi pods 14, 1706000000000 ms'
    assert.equal(new Redactor(env, account).redact(text), text)
  })
})
