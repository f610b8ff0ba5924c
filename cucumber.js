// cucumber-js profiles. Each runs one edition of the tutorial on one target, as of one day:
//   npx cucumber-js              the tutorial as written, on the sandbox, as of the tutorial's date
//                                (2024-01-29): edition "as-written", asOf defaults to that date
//   npx cucumber-js -p current   the current edition (fixtures/editions/current.yaml) on the
//                                sandbox, as of today: asOf defaults to today for "current"
//   npx cucumber-js -p today     the tutorial as written, on the sandbox, as of today: it fails
//                                where the tutorial no longer works (by design)
//   npx cucumber-js -p aws       a real account (opt-in: SPOTCHECK_AWS_ACCOUNT=<account ID>), as
//                                written; always today (asOf cannot be set there). Add
//                                --world-parameters '{"edition":"current"}' for the current edition.
//   npx cucumber-js -p aws-rehearsal  the aws target's own code (opt-in, environment, real CLIs,
//                                clean-up) against a sandbox the run starts as the "account"
//                                (moto's 123456789012), offline; never a real account. It runs
//                                the current edition: the as-written one stops at the preflight
//                                today, by design, and the rehearsal is here to prove the aws path.
// Another day on the sandbox: --world-parameters '{"edition":"current","asOf":"2026-08-01"}' (the
// current edition from 2026-07-13, its Karpenter's release; as-written from 2023-10-31).
// One section: `npx cucumber-js --tags @spot-interruption` (earlier sections are followed first).
import { rmSync } from 'node:fs'
import { usePythonPastPyenvShims } from './lib/python-shims.ts'

const TUTORIAL = 'https://community.aws/content/2dhlDEUfwElQ9mhtOP6D8YJbULA/run-kubernetes-clusters-for-less-with-amazon-ec2-spot-and-karpenter'
const RESULTS = process.env.SPOTCHECK_ALLURE_RESULTS ?? 'allure-results'
// Cucumber's own reports; a directory of their own lets runs share a checkout (the test suite's runs).
const REPORTS = process.env.SPOTCHECK_REPORTS_DIR ?? 'reports'

// Every aws, python3 and kubectl (through `aws eks get-token`) the run starts skips pyenv's shims.
usePythonPastPyenvShims()

// Allure results accumulate across runs; a report is about one run.
if (!process.argv.includes('--dry-run') && !process.argv.includes('-d')) rmSync(RESULTS, { recursive: true, force: true })

const common = {
  paths: ['features/**/*.feature'],
  import: ['support/**/*.ts', 'steps/**/*.ts'],
  format: [
    // Sections, scenarios, waits and a summary table instead of Cucumber's dots: on stdout when it
    // is a terminal, else on stderr (support/formatters/progress.ts).
    './support/formatters/progress.ts',
    ['html', `${REPORTS}/cucumber.html`],
    ['message', `${REPORTS}/messages.ndjson`],
    ['junit', `${REPORTS}/junit.xml`],
    ['allure-cucumberjs/reporter', `${REPORTS}/allure.log`],
  ],
  formatOptions: {
    snippetInterface: 'async-await',
    // The Allure runtime's messages would flood the terminal under failures.
    includeAttachments: false,
    resultsDir: RESULTS,
    links: {
      tutorial: { pattern: [/@tutorial=(.*)/], urlTemplate: `${TUTORIAL}#%s`, nameTemplate: 'the tutorial: %s' },
    },
    labels: [{ pattern: [/@(optional)$/], name: 'tag' }],
  },
  // Watches and keep-alive sockets must not keep the process alive after the summary.
  forceExit: true,
  // Scenarios tagged @wip are specified but cannot run yet; they never count in a green run.
  tags: 'not @wip',
}

export default {
  ...common,
  worldParameters: { target: 'sandbox' }, // edition: 'as-written', asOf: the tutorial's date
}

export const current = {
  ...common,
  worldParameters: { target: 'sandbox', edition: 'current' }, // asOf: today
}

export const today = {
  ...common,
  worldParameters: { target: 'sandbox', edition: 'as-written', asOf: 'today' },
}

export const aws = {
  ...common,
  worldParameters: { target: 'aws' }, // edition: 'as-written'; asOf: always today
}

const awsRehearsal = {
  ...common,
  // The state bucket is created in the rehearsal's own account (a real run never creates one), so
  // the remote-state path (S3 backend with its lock file, ledger copy) runs on every rehearsal.
  // Time runs ×10, not the sandbox's ×20: the rehearsal's account also serves the remote state,
  // and the two-minute Spot notice (6 s of real time at ×20) left Karpenter's replacement too
  // little real time on a busy two-core machine.
  worldParameters: { target: 'aws', rehearsal: true, awsAccount: '123456789012', edition: 'current', stateBucket: 'spotcheck-rehearsal-state', timeScale: 10 },
}
// A profile name with a dash: an ES2022 string export name (cucumber-js reads the module's exports).
export { awsRehearsal as 'aws-rehearsal' }
