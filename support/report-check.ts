// `npx spotcheck report [--check]`: write the Allure report of the last run; with --check, prove
// it is fit to publish — no secret in any result, attachment or report file — and that it opens
// offline in a browser (headless Chromium: the page renders the tutorial's sections; a
// screenshot is saved to reports/report.png to look at); that every chart a passed step draws is
// there, with data, and renders (a screenshot of each: reports/report-<chart>.png); and that no
// attachment carries a terminal's raw escape codes.

import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { findLeaks } from './leak-scan.ts'
import { generateReport, REPORT_DIR, REPORTS_DIR, RESULTS_DIR } from './tutorial-cli.ts'
import { latestRunFile, runsDir } from './run.ts'
import { spotcheckHome } from '../lib/paths.ts'
import { chartMarks, EXPECTED_CHARTS } from './charts.ts'
import { chartScreens, landingScreen } from './report-screens.ts'

export { findLeaks, type Leak } from './leak-scan.ts'

/**
 * What the check looks for by value: the sandbox credentials the run recorded, and — for a run
 * on a real account, which records none — the opted-in account ID and the AWS credentials of
 * this shell (the nightly workflow checks the report with the same account's credentials).
 * Values shorter than 16 characters are left to the patterns: a moto default like "testing"
 * would match ordinary text.
 */
export function knownSecrets(
  recorded: { secrets: string[]; accountId?: string },
  env: NodeJS.ProcessEnv = process.env,
): { secrets: string[]; accountId?: string } {
  const fromEnv = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'].map((k) => env[k] ?? '').filter((v) => v.length >= 16)
  const optIn = env.SPOTCHECK_AWS_ACCOUNT?.trim()
  return {
    secrets: [...new Set([...recorded.secrets, ...fromEnv])],
    accountId: recorded.accountId ?? (optIn && /^\d{12}$/.test(optIn) ? optIn : undefined),
  }
}

/** What is wrong with a report's content (not a secret): the file and what. */
export interface Problem {
  file: string
  what: string
}

interface ResultStep {
  name?: string
  status?: string
  steps?: ResultStep[]
  attachments?: { name: string; source: string; type: string }[]
}

function results(resultsDir: string): { file: string; result: ResultStep }[] {
  if (!existsSync(resultsDir)) return []
  return readdirSync(resultsDir)
    .filter((f) => f.endsWith('-result.json'))
    .map((f) => ({ file: join(resultsDir, f), result: JSON.parse(readFileSync(join(resultsDir, f), 'utf8')) as ResultStep }))
}

function attachmentsUnder(step: ResultStep): NonNullable<ResultStep['attachments']> {
  return [...(step.attachments ?? []), ...(step.steps ?? []).flatMap(attachmentsUnder)]
}

function stepsOf(step: ResultStep): ResultStep[] {
  return (step.steps ?? []).flatMap((s) => [s, ...stepsOf(s)])
}

/**
 * Every passed step that draws a chart (support/charts.ts EXPECTED_CHARTS) carries it: an
 * `image/svg+xml` attachment of that name, present, with data marks (not the "no data" frame).
 */
export function chartProblems(resultsDir: string): Problem[] {
  const problems: Problem[] = []
  for (const { file, result } of results(resultsDir)) {
    for (const step of stepsOf(result)) {
      const expected = EXPECTED_CHARTS.find((e) => step.status === 'passed' && step.name?.includes(e.step))
      if (!expected) continue
      const where = `${result.name ?? file} › ${step.name}`
      const chart = attachmentsUnder(step).find((a) => a.name === expected.chart)
      if (!chart) {
        problems.push({ file, what: `${where}: no chart "${expected.chart}"` })
        continue
      }
      const svgFile = join(resultsDir, chart.source)
      if (chart.type !== 'image/svg+xml') problems.push({ file: svgFile, what: `${where}: the chart "${chart.name}" is ${chart.type}, not image/svg+xml` })
      else if (!existsSync(svgFile)) problems.push({ file: svgFile, what: `${where}: the chart "${chart.name}" has no file` })
      else if (chartMarks(readFileSync(svgFile, 'utf8')) === 0)
        problems.push({ file: svgFile, what: `${where}: the chart "${chart.name}" is empty (no data marks)` })
    }
  }
  return problems
}

/** Attachments that would show a terminal's escape codes as text: a raw ESC, or one JSON-escaped. */
export function rawEscapes(resultsDir: string): Problem[] {
  if (!existsSync(resultsDir)) return []
  const names = new Map<string, string>()
  for (const { result } of results(resultsDir)) for (const a of attachmentsUnder(result)) names.set(a.source, a.name)
  const problems: Problem[] = []
  for (const f of readdirSync(resultsDir).filter((f) => f.includes('-attachment'))) {
    const text = readFileSync(join(resultsDir, f), 'latin1')
    const raw = text.includes('\u001b')
    if (raw || (f.endsWith('.json') && /\\u001[bB]/.test(text)))
      problems.push({
        file: join(resultsDir, f),
        what: `the attachment "${names.get(f) ?? f}" contains ${raw ? 'a raw' : 'a JSON-escaped'} escape character (ESC): terminal codes not stripped`,
      })
  }
  return problems
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
  const recorded =
    secretsFile && existsSync(secretsFile) ? (JSON.parse(readFileSync(secretsFile, 'utf8')) as { secrets: string[]; accountId?: string }) : { secrets: [] }
  const known = knownSecrets(recorded)
  if (known.secrets.length === 0) log('report check: no recorded sandbox credentials for the last run and none in the environment; checking by pattern only')
  const leaks = findLeaks([RESULTS_DIR, REPORT_DIR, REPORTS_DIR], known)
  for (const l of leaks) log(`report check: ${l.file} contains ${l.what}`)
  if (leaks.length > 0) return 1
  log(
    `report check: no credential, token or account ID in allure-results/, allure-report/ or reports/ (${known.secrets.length} known secrets${known.accountId ? ' and the account ID' : ''}, and secret-shaped text)`,
  )

  // 2. It reads as a person would want: every expected chart drawn, no terminal escape codes.
  const problems = [...chartProblems(RESULTS_DIR), ...rawEscapes(RESULTS_DIR)]
  for (const p of problems) log(`report check: ${p.what} (${p.file})`)
  if (problems.length > 0) return 1
  log('report check: every expected chart is drawn, with data, and no attachment carries a terminal escape code')

  // 3. It opens offline in a browser.
  const browser = findBrowser()
  if (!browser) {
    log('report check: no Chromium on PATH (apt-get install chromium); the browser check did not run')
    return process.env.SPOTCHECK_REQUIRE_BROWSER === '1' ? 1 : 0
  }
  mkdirSync(REPORTS_DIR, { recursive: true })
  const png = join(REPORTS_DIR, 'report.png')
  const landing = await landingScreen(browser, join(REPORT_DIR, 'index.html'), png)
  if (landing.problem) {
    log(`report check: ${browser} did not render the report offline: ${landing.problem}`)
    return 1
  }
  const reloaded = landing.loads > 1 ? ` (drawn at load ${landing.loads}: Allure's app stopped at its frame before)` : ''
  log(`report check: ${browser} renders the report offline${reloaded}; screenshot: ${png}`)

  // 4. Its charts render as pictures in the browser, each photographed for a person to look at.
  const screens = await chartScreens(browser, join(REPORT_DIR, 'index.html'), REPORTS_DIR)
  for (const s of screens) log(`report check: ${s.scenario} › ${s.chart}: ${s.problem ?? s.png}`)
  if (screens.some((s) => s.problem)) return 1
  log(`report check: ${screens.length} chart(s) render in ${browser}`)
  return 0
}
