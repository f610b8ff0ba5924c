// `npm start` (= `npx spotcheck tutorial`): run the whole tutorial with cucumber-js — on the
// sandbox unless told otherwise (`-- -p aws`) — then write the report and say where it is.

import { execa } from 'execa'
import { existsSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { projectRoot } from '../lib/paths.ts'

export const REPORT_DIR = resolve(projectRoot, process.env.SPOTCHECK_REPORT_DIR ?? 'allure-report')
/** The Allure results of the last run (cucumber.js writes them there; SPOTCHECK_ALLURE_RESULTS moves them). */
export const RESULTS_DIR = resolve(projectRoot, process.env.SPOTCHECK_ALLURE_RESULTS ?? 'allure-results')
/** Cucumber's own reports and the report check's screenshots (cucumber.js reads the same variable). */
export const REPORTS_DIR = resolve(projectRoot, process.env.SPOTCHECK_REPORTS_DIR ?? 'reports')

export async function tutorialCli(argv: string[], log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<number> {
  // Ctrl-C reaches cucumber-js too (same process group): it cleans up, then we still write the report.
  const ignore = () => log('spotcheck: stopping — the run cleans up, then the report is written')
  process.on('SIGINT', ignore)
  process.on('SIGTERM', ignore)
  const cucumber = join(projectRoot, 'node_modules', '@cucumber', 'cucumber', 'bin', 'cucumber.js')
  // --no-snapshots: every section before the ones asked for is followed again, none restored
  // (support/section-snapshots.ts); cucumber-js takes no flags of ours, so it goes by environment.
  const noSnapshots = argv.includes('--no-snapshots')
  const args = argv.filter((a) => a !== '--no-snapshots')
  const env = noSnapshots ? { ...process.env, SPOTCHECK_SNAPSHOTS: '0' } : process.env
  const run = await execa(process.execPath, [cucumber, ...args], { cwd: projectRoot, stdio: 'inherit', reject: false, env })
  process.off('SIGINT', ignore)
  process.off('SIGTERM', ignore)
  const code = await generateReport(log)
  return run.exitCode ?? (code || 1)
}

export async function generateReport(log: (line: string) => void): Promise<number> {
  const results = RESULTS_DIR
  if (!existsSync(results)) {
    log(`spotcheck: no results in ${results}: nothing to report`)
    return 1
  }
  const allure = join(projectRoot, 'node_modules', 'allure', 'cli.js')
  const bin = existsSync(allure) ? [allure] : [join(projectRoot, 'node_modules', '.bin', 'allure')]
  const r = await execa(process.execPath, [...bin, 'generate', results, '--config', join(projectRoot, 'allurerc.mjs'), '--output', REPORT_DIR], {
    cwd: projectRoot,
    reject: false,
    all: true,
  })
  if (r.exitCode !== 0) {
    log(`spotcheck: the report could not be generated:\n${r.all}`)
    return 1
  }
  log(`\nThe report: ${relative(process.cwd(), join(REPORT_DIR, 'index.html')) || join(REPORT_DIR, 'index.html')} (one file; open it in a browser, offline)`)
  log(`Cucumber's own: ${relative(process.cwd(), join(projectRoot, 'reports', 'cucumber.html'))}`)
  return 0
}
