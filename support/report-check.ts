// `npx spotcheck report [--check]`: write the Allure report of the last run; with --check, prove
// it is fit to publish — no secret in any result, attachment or report file — and that it opens
// offline in a browser (headless Chromium: the page renders the tutorial's sections; a
// screenshot is saved to reports/report.png to look at).

import { execa } from 'execa'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { findLeaks } from './leak-scan.ts'
import { generateReport, REPORT_DIR } from './tutorial-cli.ts'
import { latestRunFile, runsDir, spotcheckHome } from './run.ts'
import { projectRoot } from '../sandbox/state.ts'

export { findLeaks, type Leak } from './leak-scan.ts'

/**
 * What the check looks for by value: the sandbox credentials the run recorded, and — for a run
 * on a real account, which records none — the opted-in account ID and the AWS credentials of
 * this shell (the nightly workflow checks the report with the same account's credentials).
 * Values shorter than 16 characters are left to the patterns: a moto default like "testing"
 * would match ordinary text.
 */
export function knownSecrets(recorded: { secrets: string[]; accountId?: string }, env: NodeJS.ProcessEnv = process.env): { secrets: string[]; accountId?: string } {
  const fromEnv = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'].map((k) => env[k] ?? '').filter((v) => v.length >= 16)
  const optIn = env.SPOTCHECK_AWS_ACCOUNT?.trim()
  return {
    secrets: [...new Set([...recorded.secrets, ...fromEnv])],
    accountId: recorded.accountId ?? (optIn && /^\d{12}$/.test(optIn) ? optIn : undefined),
  }
}

export function findBrowser(): string | undefined {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, name))) return join(dir, name)
  }
  return undefined
}

export async function reportCli(argv: string[], log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { check: { type: 'boolean' } } })
  if ((await generateReport(log)) !== 0) return 1
  if (!values.check) return 0

  // 1. Nothing secret in what gets published.
  const home = spotcheckHome()
  const id = existsSync(latestRunFile(home)) ? readFileSync(latestRunFile(home), 'utf8').trim() : undefined
  const secretsFile = id ? join(runsDir(home), id, 'sandbox-secrets.json') : undefined
  const recorded = secretsFile && existsSync(secretsFile) ? (JSON.parse(readFileSync(secretsFile, 'utf8')) as { secrets: string[]; accountId?: string }) : { secrets: [] }
  const known = knownSecrets(recorded)
  if (known.secrets.length === 0) log('report check: no recorded sandbox credentials for the last run and none in the environment; checking by pattern only')
  const leaks = findLeaks([resolve(projectRoot, process.env.SPOTCHECK_ALLURE_RESULTS ?? 'allure-results'), REPORT_DIR, join(projectRoot, 'reports')], known)
  for (const l of leaks) log(`report check: ${l.file} contains ${l.what}`)
  if (leaks.length > 0) return 1
  log(`report check: no credential, token or account ID in allure-results/, allure-report/ or reports/ (${known.secrets.length} known secrets${known.accountId ? " and the account ID" : ""}, and secret-shaped text)`)

  // 2. It opens offline in a browser.
  const browser = findBrowser()
  if (!browser) {
    log('report check: no Chromium on PATH (apt-get install chromium); the browser check did not run')
    return process.env.SPOTCHECK_REQUIRE_BROWSER === '1' ? 1 : 0
  }
  const url = `file://${join(REPORT_DIR, 'index.html')}`
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--window-size=1400,1000', '--virtual-time-budget=10000']
  const dom = await execa(browser, [...args, '--dump-dom', url], { reject: false, timeout: 120_000 })
  const expected = ['Run Kubernetes Clusters for Less with Amazon EC2 Spot and Karpenter', 'Passed']
  const missing = expected.filter((t) => !dom.stdout.includes(t))
  if (dom.exitCode !== 0 || missing.length > 0) {
    log(`report check: ${browser} did not render the report offline (exit ${dom.exitCode}; missing: ${missing.join(', ') || '-'})`)
    return 1
  }
  mkdirSync(join(projectRoot, 'reports'), { recursive: true })
  const png = join(projectRoot, 'reports', 'report.png')
  await execa(browser, [...args, `--screenshot=${png}`, url], { reject: false, timeout: 120_000 })
  log(`report check: ${browser} renders the report offline; screenshot: ${png}`)
  return 0
}
