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

  it('removes account IDs it was not told about when they sit in ARNs or known fields', () => {
    const unknown = new Redactor()
    const out = unknown.redact('arn:aws:iam::987654321098:role/x "OwnerId": "987654321098"')
    assert.ok(!out.includes('987654321098'), out)
  })

  it('removes EKS bearer tokens and presigned URL signatures', () => {
    const token = 'k8s-aws-v1.aHR0cHM6Ly9zdHMuZXUtd2VzdC0yLmFtYXpvbmF3cy5jb20vP0FjdGlvbj1HZXRDYWxsZXJJZGVudGl0eQ'
    const out = new Redactor().redact(
      `{"status":{"token":"${token}"}}\nAuthorization: Bearer abcdefghijklmnop\nhttps://sts/?X-Amz-Signature=deadbeef&X-Amz-Credential=AKIAX%2F2024`,
    )
    assert.ok(!out.includes(token.slice(12)), out)
    assert.ok(!out.includes('abcdefghijklmnop'))
    assert.ok(!out.includes('deadbeef'))
  })

  it('removes secrets written as key = value, and private keys', () => {
    const out = new Redactor().redact(
      'aws_secret_access_key = abcdEFGH1234/xyz\n"SessionToken": "FwoGZXIvYXdzE"\n-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----',
    )
    assert.ok(!out.includes('abcdEFGH1234/xyz'))
    assert.ok(!out.includes('FwoGZXIvYXdzE'))
    assert.ok(!out.includes('MIIE'))
  })

  it('leaves ordinary output alone', () => {
    const text =
      'NAME   READY   STATUS    RESTARTS   AGE\nkarpenter-7f4c648fc5-kwc89   1/1   Running   0   51s\nrequests cpu 5330m memory 5360Mi pods 14, 1706000000000 ms'
    assert.equal(new Redactor(env, account).redact(text), text)
  })

  it('removes bare STS session tokens, secret keys beside an access key ID, and kubeconfig keys and tokens', () => {
    const token = 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDexample+token=='
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
    const kubeconfig =
      'users:\n- name: x\n  user:\n    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo=\n    token: 0123456789abcdef0123\n    password: hunter2hunter2'
    const out = new Redactor().redact(`${token}\nASIAABCDEFGHIJKLMNOP,${secret}\n${kubeconfig}\nid-token: eyJhbGciOiJSUzI1NiJ9.payload`)
    for (const v of [
      token,
      secret,
      'ASIAABCDEFGHIJKLMNOP',
      'LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo=',
      '0123456789abcdef0123',
      'hunter2hunter2',
      'eyJhbGciOiJSUzI1NiJ9',
    ])
      assert.ok(!out.includes(v), `${v} leaked: ${out}`)
  })

  it("leaves 40-character hashes and base64 alone when no access key ID is on the line, and pagination tokens' names", () => {
    const text = 'commit 0123456789abcdef0123456789abcdef01234567\ncertificate-authority-data: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nnextToken: null'
    assert.equal(new Redactor().redact(text), text)
  })

  it("learns an environment's secrets: its credentials, anything named like a secret, the opted-in account — not paths, not short words", () => {
    const r = new Redactor({
      GITHUB_TOKEN: 'ghs_abcdefghijklmnop',
      TF_TOKEN_app_terraform_io: 'tfe-0123456789',
      AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/secrets/token',
      SPOTCHECK_AWS_ACCOUNT: '111122223333',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing-secret-value',
    })
    const out = r.redact('ghs_abcdefghijklmnop tfe-0123456789 /var/run/secrets/token 111122223333 testing testing-secret-value')
    assert.equal(out, `${REDACTED} ${REDACTED} /var/run/secrets/token ${REDACTED_ACCOUNT} testing ${REDACTED}`)
  })
})
