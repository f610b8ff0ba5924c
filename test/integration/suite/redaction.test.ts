// Redaction on every path. A tiny feature makes secrets appear the ways a run
// can meet them — printed by a command in the run's terminal, in a failing assertion's message
// (with its actual/expected diff), in an error's cause, in progress lines, notes and every kind of
// attachment — and runs with the project's own hooks, steps, formatters and Allure, on both
// targets' environments: the sandbox and the aws rehearsal. Then the report is generated as
// `npx spotcheck report` does, the drift outputs are written from the run's messages as
// `spotcheck drift` does, and allure-results/, allure-report/, reports/, drift/ and the console
// output (stdout and stderr) are scanned for every planted value: none may be there.
// That the scanner sees a leak when there is one: test/unit/support/redaction-scan.test.ts.

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execa } from 'execa'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import { projectRoot } from '../../../lib/paths.ts'
import { findLeaks, leaksInText } from '../../../support/leak-scan.ts'
import { readRunMessages } from '../../../support/drift-messages.ts'
import { driftHtml, driftMarkdown, driftSummary } from '../../../support/drift-report.ts'
import type { LedgerFile } from '../../../support/ledger.ts'
import { RUN_ACCOUNT, plantedSecrets, plantedText } from './redaction/planted.ts'

const cucumber = join(projectRoot, 'node_modules', '@cucumber', 'cucumber', 'bin', 'cucumber.js')

const FEATURE = (planted: string) => `Feature: Planted secrets (spotcheck's redaction test)

  Scenario: a command prints them, and an assertion on its output fails
    When I run:
      """
      cat ${planted}
      """
    Then the output is "nothing secret"

  Scenario: a command prints them and fails
    When I run:
      """
      cat ${planted}; exit 3
      """

  Scenario: a command left running prints them
    When I run, and leave it running:
      """
      cat ${planted}; sleep 600
      """
    And I stop it
    Then the output contains "nothing secret"

  Scenario: spotcheck says them, then a comparison with them fails
    When spotcheck says the planted secrets in every way it says things
    Then a deep comparison with the planted secrets fails

  Scenario: an error caused by them
    Then an error caused by the planted secrets is thrown

  Scenario: an exception nobody catches
    Then an exception nobody catches carries the planted secrets
`

/** The project's profile, with every output in `dir` and the feature and its steps added. */
function config(profile: string, dir: string, feature: string): string {
  return `// Written by test/integration/suite/redaction.test.ts
import * as profiles from ${JSON.stringify(pathToFileURL(join(projectRoot, 'cucumber.js')).href)}
const base = profiles[${JSON.stringify(profile)}]
const dir = ${JSON.stringify(dir)}
export default {
  ...base,
  paths: [${JSON.stringify(feature)}],
  import: [...base.import, 'test/integration/suite/redaction/planted.steps.ts'],
  format: base.format.map((f) => (Array.isArray(f) ? [f[0], dir + '/reports/' + f[1].split('/').pop()] : f)),
  formatOptions: { ...base.formatOptions, resultsDir: dir + '/allure-results' },
}
`
}

interface Envelope {
  testStepFinished?: { testStepResult: { status: string; message?: string } }
  attachment?: { body: string }
}

async function runWithPlantedSecrets(profile: 'default' | 'aws-rehearsal') {
  const dir = mkdtempSync(join(tmpdir(), `spotcheck-redaction-${profile}-`))
  const secrets = plantedSecrets()
  // Outside every directory scanned below: only what the run shows of it is looked at.
  const plantedFile = join(dir, 'planted.txt')
  writeFileSync(plantedFile, plantedText(secrets) + '\n')
  const feature = join(dir, 'planted.feature')
  writeFileSync(feature, FEATURE(plantedFile))
  writeFileSync(join(dir, 'cucumber.js'), config(profile, dir, feature))
  mkdirSync(join(dir, 'reports'))

  const env = {
    ...process.env,
    SPOTCHECK_HOME: join(dir, 'home'),
    SPOTCHECK_ALLURE_RESULTS: join(dir, 'allure-results'),
    SPOTCHECK_REPORT_DIR: join(dir, 'allure-report'),
    SPOTCHECK_ALLURE_HISTORY: join(dir, 'history.jsonl'),
    SPOTCHECK_PLANTED: plantedFile,
    // The shell's own credentials, as a user's on the aws target: the run's redactor knows them by value.
    AWS_ACCESS_KEY_ID: secrets.accessKeyId,
    AWS_SECRET_ACCESS_KEY: secrets.secretAccessKey,
    AWS_SESSION_TOKEN: secrets.sessionToken,
    FORCE_COLOR: '0',
  }
  const run = await execa(process.execPath, [cucumber, '--config', relative(projectRoot, join(dir, 'cucumber.js'))], {
    cwd: projectRoot,
    env,
    reject: false,
    all: true,
    timeout: 15 * 60_000,
  })
  const report = await execa(process.execPath, [join(projectRoot, 'bin', 'spotcheck.ts'), 'report'], {
    cwd: projectRoot,
    env,
    reject: false,
    all: true,
    timeout: 5 * 60_000,
  })
  return { dir, secrets, run, report }
}

/** drift/drift.json and drift/DRIFT.md as `spotcheck drift` writes them from a run's messages. */
function writeDrift(dir: string, exitCode: number | undefined): string {
  const messages = readRunMessages(readFileSync(join(dir, 'reports', 'messages.ndjson'), 'utf8'))
  const spec = { name: 'planted', title: 'the planted secrets', edition: 'as-written' as const, asOf: '2024-01-29', expect: 'pass' as const }
  const drift = driftSummary([{ spec, target: 'sandbox', exitCode, interrupted: false, durationMs: 0, messages, dir }], {
    generated: new Date().toISOString(),
    today: '2024-01-29',
    tutorialDate: '2024-01-29',
    edits: [],
  })
  const out = join(dir, 'drift')
  mkdirSync(out)
  writeFileSync(join(out, 'drift.json'), JSON.stringify(drift, null, 2))
  writeFileSync(join(out, 'DRIFT.md'), driftMarkdown(drift))
  writeFileSync(join(out, 'drift.html'), driftHtml(drift))
  return out
}

describe('redaction on every path', { timeout: 30 * 60_000 }, () => {
  for (const profile of ['default', 'aws-rehearsal'] as const) {
    it(`${profile === 'default' ? 'the sandbox' : 'the aws rehearsal'}: no planted secret in the results, the report, reports/, drift/ or the console`, async () => {
      const { dir, secrets, run, report } = await runWithPlantedSecrets(profile)
      assert.equal(report.exitCode, 0, `the report was not generated:\n${report.all.slice(-3000)}\ncucumber-js said:\n${run.all.slice(-3000)}`)

      // The run did meet the secrets, and failed where the feature makes it fail, each time redacted.
      const envelopes = readFileSync(join(dir, 'reports', 'messages.ndjson'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Envelope)
      const failures = envelopes.flatMap((e) =>
        e.testStepFinished?.testStepResult.status === 'FAILED' ? [e.testStepFinished.testStepResult.message ?? ''] : [],
      )
      assert.equal(failures.length, 6, `six scenarios fail, each on its planted secrets (exit ${run.exitCode}):\n${run.all.slice(-4000)}`)
      for (const m of failures) assert.match(m, /\[REDACTED\]/, `a failure message with the secrets redacted:\n${m}`)
      assert.match(run.all, /spotcheck: planted: .*\[REDACTED\]/, 'the progress line, redacted')
      assert.ok(
        envelopes.some((e) => e.attachment?.body.includes('[REDACTED]')),
        'attachments carry the redacted text',
      )
      assert.ok(
        readdirSync(join(dir, 'allure-results')).some((f) => f.endsWith('-attachment.txt')),
        'Allure has the attachments',
      )
      const ledgerFile = join(dir, 'home', 'runs', readFileSync(join(dir, 'home', 'runs', 'latest'), 'utf8').trim(), 'ledger.json')
      const ledger = JSON.parse(readFileSync(ledgerFile, 'utf8')) as LedgerFile
      assert.equal(ledger.account, RUN_ACCOUNT, 'the run ran in the account whose ID was planted')
      assert.equal(ledger.target.name, profile === 'default' ? 'sandbox' : 'aws')

      // None of them anywhere a reader (or CI's log) sees.
      const drift = writeDrift(dir, run.exitCode)
      const known = { secrets: Object.values(secrets), accountId: RUN_ACCOUNT }
      const leaks = findLeaks(['allure-results', 'allure-report', 'reports'].map((d) => join(dir, d)).concat(drift), known)
      const printed = [
        ...leaksInText(run.all, known).map((what) => `cucumber-js's stdout/stderr: ${what}`),
        ...leaksInText(report.all, known).map((what) => `spotcheck report's output: ${what}`),
      ]
      assert.deepEqual([...leaks.map((l) => `${l.file.slice(dir.length + 1)}: ${l.what}`), ...printed], [])
    })
  }
})
