// The scanner behind `spotcheck report --check` and the redaction test: which files (or printed
// text) hold a secret — one of the known values, or anything shaped like a credential that the
// redactor would have replaced.
//
// Allure's single-file report embeds its data (results, attachments) base64-encoded in
// index.html: a plain text search there finds nothing, leak or not. So every long base64 run in
// a file is decoded and searched too.

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

export interface Known {
  secrets: string[]
  accountId?: string
}

export interface Leak {
  file: string
  what: string
}

const FORBIDDEN: [string, RegExp][] = [
  ['an access key ID', /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/],
  ['an EKS token', /k8s-aws-v1\.(?!\[REDACTED\])[A-Za-z0-9_-]{20,}/],
  ['a secret key assignment', /aws_secret_access_key\s*[=:]\s*(?!\[REDACTED\])\S{8,}/i],
  ['a session token', /\b(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz)[A-Za-z0-9/+=]{16,}/],
  ['a private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----\s*[A-Za-z0-9+/]{20,}/],
  ['a kubeconfig client key', /client-key-data["']?\s*:\s*["']?(?!\[REDACTED\])[A-Za-z0-9+/=]{20,}/],
]

/** The text itself and what its embedded base64 runs decode to. */
export function readableTexts(text: string): string[] {
  const decoded: string[] = []
  for (const m of text.matchAll(/[A-Za-z0-9+/]{32,}={0,2}/g)) decoded.push(Buffer.from(m[0], 'base64').toString('utf8'))
  return [text, ...decoded]
}

/** What of `known` (and what credential-shaped text) `text` holds; each kind once. */
export function leaksInText(text: string, known: Known): string[] {
  const found = new Set<string>()
  const account = known.accountId ? new RegExp(`(?<![0-9])${known.accountId}(?![0-9])`) : undefined
  for (const t of readableTexts(text)) {
    known.secrets.forEach((s, i) => {
      if (s && t.includes(s)) found.add(`a credential of the run (known secret #${i + 1})`)
    })
    if (account?.test(t)) found.add(`the account ID ${known.accountId}`)
    for (const [what, re] of FORBIDDEN) if (re.test(t)) found.add(what)
  }
  return [...found]
}

/** Every file under `dirs` that contains a secret: the known ones, or anything shaped like one. */
export function findLeaks(dirs: string[], known: Known): Leak[] {
  const files = dirs.filter(existsSync).flatMap((d) => walk(d))
  return files.flatMap((file) => leaksInText(readFileSync(file, 'latin1'), known).map((what) => ({ file, what })))
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? walk(p) : [p]
  })
}
