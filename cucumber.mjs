// cucumber-js profiles. `npx cucumber-js` runs the tutorial on the sandbox (the default profile);
// `npx cucumber-js -p aws` on a real account (opt-in: SPOTCHECK_AWS_ACCOUNT=<account ID>).
// One section: `npx cucumber-js --tags @spot-interruption` (earlier sections are followed first).
import { rmSync } from 'node:fs'

const TUTORIAL = 'https://community.aws/content/2dhlDEUfwElQ9mhtOP6D8YJbULA/run-kubernetes-clusters-for-less-with-amazon-ec2-spot-and-karpenter'
const RESULTS = process.env.SPOTCHECK_ALLURE_RESULTS ?? 'allure-results'

// Allure results accumulate across runs; a report is about one run.
if (!process.argv.includes('--dry-run') && !process.argv.includes('-d')) rmSync(RESULTS, { recursive: true, force: true })

const common = {
  paths: ['features/**/*.feature'],
  import: ['support/**/*.ts', 'steps/**/*.ts'],
  format: [
    'progress',
    ['html', 'reports/cucumber.html'],
    ['message', 'reports/messages.ndjson'],
    ['junit', 'reports/junit.xml'],
    ['allure-cucumberjs/reporter', 'reports/allure.log'],
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
  worldParameters: { target: 'sandbox' },
}

export const aws = {
  ...common,
  worldParameters: { target: 'aws' },
}
