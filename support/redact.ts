// Redaction for everything the run shows: report attachments, progress lines, failure messages.
//
// Nightly runs against a real account publish their report; it must never carry credentials,
// tokens or the account's ID. Two layers: the exact secret values the run knows (its
// credentials, the account ID STS reported), and patterns for what it cannot know in advance
// (EKS bearer tokens made by `aws eks get-token`, access key IDs, secret keys and session tokens
// printed by some tool, account IDs inside ARNs and ECR/EKS host names, PEM private keys).

export const REDACTED = '[REDACTED]'
export const REDACTED_ACCOUNT = '[ACCOUNT]'

/** Environment variables whose values are secrets wherever they appear. */
const SECRET_ENV = ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_ACCESS_KEY_ID', 'AWS_CONTAINER_AUTHORIZATION_TOKEN']

const PATTERNS: [RegExp, string][] = [
  // EKS tokens: "k8s-aws-v1." + base64url of a presigned STS URL.
  [/k8s-aws-v1\.[A-Za-z0-9_-]+/g, `k8s-aws-v1.${REDACTED}`],
  // Bearer tokens in headers or curl-style dumps.
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, `$1${REDACTED}`],
  // Presigned-URL fields.
  [/(X-Amz-(?:Credential|Signature|Security-Token)=)[^&\s"']+/gi, `$1${REDACTED}`],
  // Access key IDs (long-term AKIA, temporary ASIA, and the other documented prefixes).
  [/\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{12,}\b/g, REDACTED],
  // key = value / "key": "value" forms for secret keys and session tokens.
  [/((?:aws_secret_access_key|secret_?access_?key|SecretAccessKey|aws_session_token|session_?token|SessionToken)["']?\s*[:=]\s*["']?)[^\s"',}]+/gi, `$1${REDACTED}`],
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

  /** Secrets the run knows: the environment's credentials and, once known, the account ID. */
  constructor(env: Record<string, string | undefined> = {}, accountId?: string) {
    for (const name of SECRET_ENV) this.addSecret(env[name])
    if (accountId) this.addAccount(accountId)
  }

  addSecret(value: string | undefined): void {
    if (value && value.length >= 6) this.exact.set(value, REDACTED)
  }

  addAccount(accountId: string): void {
    if (/^\d{12}$/.test(accountId)) this.exact.set(accountId, REDACTED_ACCOUNT)
  }

  redact(text: string): string {
    let out = text
    // Longest first, so a secret that contains another is replaced whole.
    for (const [value, replacement] of [...this.exact].sort((a, b) => b[0].length - a[0].length)) out = out.split(value).join(replacement)
    for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement)
    return out
  }
}
