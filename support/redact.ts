// Redaction for everything the run shows: step failures (Cucumber's formatters, Allure, JUnit),
// report attachments, progress lines and what the CLI prints, the drift outputs.
//
// Nightly runs against a real account publish their report; it must never carry credentials,
// tokens or the account's ID. Two layers: the exact secret values the run knows (its
// credentials, the secrets in its environment, the account ID STS reported), and patterns for
// what it cannot know in advance (EKS bearer tokens made by `aws eks get-token`, access key IDs,
// secret keys and session tokens printed by some tool, kubeconfig keys and tokens, account IDs
// inside ARNs and ECR host names, PEM private keys).
//
// The sandbox's account (moto's public 123456789012) is redacted as a real one is: the aws
// rehearsal uses the same number as its "real" account, and one rule on every target keeps
// `spotcheck report --check` and the redaction test meaningful everywhere.

import { inspect } from 'node:util'

export const REDACTED = '[REDACTED]'
export const REDACTED_ACCOUNT = '[ACCOUNT]'

/** Environment variables whose values are secrets wherever they appear. */
const SECRET_ENV = ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_ACCESS_KEY_ID', 'AWS_CONTAINER_AUTHORIZATION_TOKEN']
/** Any other variable named like a secret (GITHUB_TOKEN, ACTIONS_ID_TOKEN_REQUEST_TOKEN, TF_TOKEN_…), except paths to one. */
const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE_KEY|CREDENTIAL|API_KEY/i
const NOT_A_SECRET_NAME = /_(FILE|PATH|DIR|URL|URI|ENDPOINT)$/i
/** Variables holding the account ID: the aws target's opt-in. */
const ACCOUNT_ENV = ['SPOTCHECK_AWS_ACCOUNT', 'AWS_ACCOUNT_ID']

const ACCESS_KEY_ID = /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{12,}\b/g
/** A secret access key: 40 characters of base64 standing alone. */
const SECRET_KEY_SHAPE = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g

const PATTERNS: [RegExp, string | ((...m: string[]) => string)][] = [
  // EKS tokens: "k8s-aws-v1." + base64url of a presigned STS URL.
  [/k8s-aws-v1\.[A-Za-z0-9_-]+/g, `k8s-aws-v1.${REDACTED}`],
  // Bearer tokens in headers or curl-style dumps.
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, `$1${REDACTED}`],
  // Presigned-URL fields.
  [/(X-Amz-(?:Credential|Signature|Security-Token)=)[^&\s"']+/gi, `$1${REDACTED}`],
  // A secret access key on the line of an access key ID (a credentials CSV, `aws configure list`,
  // `env`): the 40-character shape alone would also match innocent base64 elsewhere.
  [/^.*\b(?:AKIA|ASIA)[A-Z0-9]{16}\b.*$/gm, (line) => line.replace(SECRET_KEY_SHAPE, REDACTED)],
  // Access key IDs (long-term AKIA, temporary ASIA, and the other documented prefixes).
  [ACCESS_KEY_ID, REDACTED],
  // key = value / "key": "value" forms for secret keys and session tokens.
  [
    /((?:aws_secret_access_key|secret_?access_?key|SecretAccessKey|aws_session_token|aws_security_token|session_?token|SessionToken)["']?\s*[:=]\s*["']?)[^\s"',}]+/gi,
    `$1${REDACTED}`,
  ],
  // STS session tokens, wherever they stand: their base64 starts with the same few bytes.
  [/\b(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz|AQoDYXdz)[A-Za-z0-9/+=]{16,}/g, REDACTED],
  // Kubeconfig users (`kubectl config view --raw`), and token/password fields of any JSON or YAML.
  [
    /(\b(?:client-key-data|(?:id-|refresh-|access-)?token|password)["']?\s*[:=]\s*["']?)(?!\[REDACTED\]|k8s-aws-v1\.\[)[A-Za-z0-9._~+/=-]{8,}/gi,
    `$1${REDACTED}`,
  ],
  // PEM private keys.
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, `-----BEGIN PRIVATE KEY-----${REDACTED}-----END PRIVATE KEY-----`],
  // Account IDs inside ARNs: arn:partition:service:region:123456789012:…
  [/(arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:)\d{12}(?=:)/g, `$1${REDACTED_ACCOUNT}`],
  // Account IDs in AWS host names: 123456789012.dkr.ecr.<region>.amazonaws.com
  [/\b\d{12}(?=\.dkr\.ecr\.)/g, REDACTED_ACCOUNT],
  // "Account": "123456789012" (sts get-caller-identity and friends)
  [/(["']?(?:Account|AccountId|account_id|OwnerId|owner-id)["']?\s*[:=]\s*["']?)\d{12}\b/gi, `$1${REDACTED_ACCOUNT}`],
]

export class Redactor {
  private readonly exact = new Map<string, string>()

  /** Secrets the run knows: the environment's credentials and secrets, and, once known, the account ID. */
  constructor(env: Record<string, string | undefined> = {}, accountId?: string) {
    this.addEnvironment(env)
    if (accountId) this.addAccount(accountId)
  }

  /** The secret values of an environment: its credentials, anything named like a secret, the opted-in account. */
  addEnvironment(env: Record<string, string | undefined>): void {
    for (const [name, value] of Object.entries(env)) {
      if (SECRET_ENV.includes(name) || (SECRET_NAME.test(name) && !NOT_A_SECRET_NAME.test(name) && (value?.length ?? 0) >= 8)) this.addSecret(value)
      if (ACCOUNT_ENV.includes(name) && value) this.addAccount(value.trim())
    }
  }

  /** Values shorter than 8 characters are left to the patterns: a moto default like "testing" is also a word. */
  addSecret(value: string | undefined): void {
    if (value && value.length >= 8) this.exact.set(value, REDACTED)
  }

  addAccount(accountId: string): void {
    if (/^\d{12}$/.test(accountId)) this.exact.set(accountId, REDACTED_ACCOUNT)
  }

  redact(text: string): string {
    let out = text
    // Longest first, so a secret that contains another is replaced whole.
    for (const [value, replacement] of [...this.exact].sort((a, b) => b[0].length - a[0].length)) out = out.split(value).join(replacement)
    for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement as string)
    return out
  }
}

/** What does not redact: for tests that prove a check fails when redaction is bypassed. */
export const IDENTITY: Pick<Redactor, 'redact'> = { redact: (text) => text }

/**
 * A thrown value, redacted where Cucumber's formatters (and so Allure, JUnit, the HTML report and
 * the terminal) read it: the message, the stack (which repeats the message), an assertion's
 * `actual` and `expected` (from which they print a diff), the cause chain, an AggregateError's
 * errors, and any other string field (an execa error's stdout, stderr and command). Changed in
 * place, so its class — the `exception.type` of Cucumber's messages — stays what it was.
 */
export function redactError(error: unknown, redactor: Pick<Redactor, 'redact'>, seen = new Set<unknown>()): unknown {
  if (typeof error === 'string') return redactor.redact(error)
  if (error === null || typeof error !== 'object') return error
  if (!(error instanceof Error)) return new Error(redactor.redact(inspect(error, { depth: 6 })))
  if (seen.has(error)) return error
  seen.add(error)
  const stack = error.stack // read first: V8 builds it from the message on first access
  const e = error as Error & Record<string, unknown>
  const set = (key: string, value: unknown) => {
    try {
      Object.defineProperty(e, key, { value, writable: true, configurable: true, enumerable: Object.prototype.propertyIsEnumerable.call(e, key) })
    } catch {
      // a frozen or non-configurable field: nothing prints it that the message does not
    }
  }
  set('message', redactor.redact(error.message))
  if (typeof stack === 'string') set('stack', redactor.redact(stack))
  if ('actual' in e || 'expected' in e) {
    // Printed as a diff of the two: compared as text, so nothing inside an object escapes.
    for (const key of ['actual', 'expected']) {
      const v = e[key]
      if (v !== undefined) set(key, redactor.redact(typeof v === 'string' ? v : inspect(v, { depth: 8, sorted: true })))
    }
  }
  for (const key of Object.keys(e)) {
    if (['message', 'stack', 'actual', 'expected', 'cause', 'errors'].includes(key)) continue
    if (typeof e[key] === 'string') set(key, redactor.redact(e[key]))
  }
  if (error.cause !== undefined) set('cause', redactError(error.cause, redactor, seen))
  if (error instanceof AggregateError)
    set(
      'errors',
      error.errors.map((x) => redactError(x, redactor, seen)),
    )
  return error
}
