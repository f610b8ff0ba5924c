// The fake secrets the redaction test plants (test/integration/suite/redaction.test.ts), and the
// text a run meets them in. Shared with the unit test that proves the scanner sees them when the
// redactor is bypassed (test/unit/support/redaction-scan.test.ts).

import { randomBytes } from 'node:crypto'

/** moto's account: the sandbox's, and the aws rehearsal's "real" one. */
export const RUN_ACCOUNT = '123456789012'

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const pick = (alphabet: string, n: number) => [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('')
const upper = (n: number) => pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', n)
const digits = (n: number) => `9${pick('0123456789', n - 1)}`

/** Fresh fake values each run, so that nothing can pass by matching a fixed string. */
export function plantedSecrets() {
  const accessKeyId = `AKIA${upper(16)}`
  const secretAccessKey = `${pick(B64, 18)}/${pick(B64, 10)}+${pick(B64, 10)}`
  const sessionToken = `IQoJb3JpZ2luX2VjE${pick(B64, 300)}`
  const otherAccessKeyId = `ASIA${upper(16)}`
  const otherSecretKey = `${pick(B64, 20)}+${pick(B64, 19)}`
  const presigned = `https://sts.eu-west-2.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Credential=${otherAccessKeyId}%2F20240129%2Feu-west-2%2Fsts%2Faws4_request&X-Amz-Signature=${randomBytes(32).toString('hex')}`
  const eksToken = Buffer.from(presigned).toString('base64url')
  const clientKeyData = randomBytes(48).toString('base64')
  const kubeToken = randomBytes(24).toString('hex')
  const otherAccount = digits(12)
  return { accessKeyId, secretAccessKey, sessionToken, otherAccessKeyId, otherSecretKey, eksToken, clientKeyData, kubeToken, otherAccount }
}
export type Planted = ReturnType<typeof plantedSecrets>

/** How a run meets them: an `env` dump, a credentials CSV, `aws configure`, `aws eks get-token`, a kubeconfig, STS, ARNs. */
export function plantedText(p: Planted, runAccount = RUN_ACCOUNT): string {
  return [
    `AWS_ACCESS_KEY_ID=${p.accessKeyId}`,
    `AWS_SECRET_ACCESS_KEY=${p.secretAccessKey}`,
    `AWS_SESSION_TOKEN=${p.sessionToken}`,
    `bare secret: ${p.secretAccessKey}`,
    `bare token: ${p.sessionToken}`,
    `${p.otherAccessKeyId},${p.otherSecretKey}`,
    `aws_secret_access_key = ${p.otherSecretKey}`,
    `{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","status":{"token":"k8s-aws-v1.${p.eksToken}"}}`,
    `Authorization: Bearer k8s-aws-v1.${p.eksToken}`,
    'users:',
    '- name: planted',
    '  user:',
    `    client-key-data: ${p.clientKeyData}`,
    `    token: ${p.kubeToken}`,
    `{"UserId": "AROA${upper(17)}:planted", "Account": "${runAccount}", "Arn": "arn:aws:sts::${runAccount}:assumed-role/planted/session"}`,
    `arn:aws:iam::${p.otherAccount}:role/KarpenterNodeRole-spot-and-karpenter`,
    `${p.otherAccount}.dkr.ecr.eu-west-2.amazonaws.com/karpenter`,
    `account ${runAccount}`,
  ].join('\n')
}
