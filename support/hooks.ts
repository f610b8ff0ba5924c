// The run's lifecycle: start the target before the first feature, stop it after the last — also
// when a step fails or the run is interrupted (Ctrl-C, SIGTERM), undoing what the run created.
// Every hook is wrapped in the run's redactor (step-registry.ts), as every step is: a hook's error
// reaches the same formatters.

import 'allure-cucumberjs' // without it every allure.* call in steps does nothing
import { After, AfterAll, Before, BeforeAll, Status, type ITestCaseHookParameter } from '@cucumber/cucumber'
import { messageOf } from '../lib/errors.ts'
import * as allure from 'allure-js-commons'
import { execa } from 'execa'
import { CHECKPOINT_STEP } from './checkpoint.ts'
import { excludedOn, scenarioKey, theTutorialScenarios } from './tutorial-scenarios.ts'
import { saveAfterSection } from './section-snapshots-run.ts'
import { logExcerpt, writeEnvironment, attachText } from './report.ts'
import { Run, TUTORIAL_TITLE, hasRun, setRun, theRun } from './run.ts'
import { signalHandler } from './signals.ts'
import { currentRedactor, redacting } from './step-registry.ts'
import { redactError } from './redact.ts'
import type { TargetParameters } from './target.ts'
import type { SpotcheckWorld } from './world.ts'

const RESULTS_DIR = process.env.SPOTCHECK_ALLURE_RESULTS ?? 'allure-results'
// SIGINT and SIGTERM: one clean-up, whatever arrives after (support/signals.ts).
const signals = signalHandler(() => (hasRun() ? theRun() : undefined))
/** The CLIs' versions, for the report's environment panel. */
let versions: Promise<Record<string, string>> | undefined
// An exception nobody caught (a timer's, a stream's) fails the running step through Cucumber's own
// 'uncaughtException' listener, past the steps' wrapper: monitors run first, so redact it there.
process.on('uncaughtExceptionMonitor', (error) => void redactError(error, currentRedactor()))

BeforeAll(
  { name: 'spotcheck: start the target', timeout: 10 * 60_000 },
  redacting(async function (this: { parameters: object }) {
    const params = { target: 'sandbox', ...this.parameters } as TargetParameters
    const run = new Run(params)
    // The shell's own secrets (its AWS credentials, CI tokens, the opted-in account) before anything prints.
    run.redactor.addEnvironment(process.env)
    setRun(run)
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void signals.handle(signal))
    await run.start()
    // Asked now, beside the scenarios, for the report's environment panel at the end.
    versions = toolVersions(run.env)
    run.redactor.addEnvironment(run.env)
    await learnResolvedCredentials(run)
    run.recordSandboxCredentials()
  }),
)

/**
 * Credentials from a profile, SSO or a role (the nightly run's OIDC role) are in no environment
 * variable: the SDK's chain resolves them. The redactor learns the values it resolved.
 */
async function learnResolvedCredentials(run: Run): Promise<void> {
  if (run.target?.name !== 'aws') return
  try {
    const credentials = await run.aws.sts.config.credentials()
    for (const v of [credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken]) run.redactor.addSecret(v)
  } catch {
    // STS answered with them a moment ago (the opt-in); if they cannot be read again, the patterns remain
  }
}

Before(
  { name: 'spotcheck: label the scenario in the report' },
  redacting(async function (this: SpotcheckWorld, { pickle, gherkinDocument }: ITestCaseHookParameter) {
    this.scenario = { uri: pickle.uri, name: pickle.name, feature: gherkinDocument.feature?.name ?? '', tags: pickle.tags.map((t) => t.name) }
    await allure.epic(TUTORIAL_TITLE)
    await allure.story(pickle.name)
    if (hasRun()) this.logStart = theRun().karpenterLog?.length ?? 0
  }),
)

After(
  { name: 'spotcheck: stop what the scenario left running' },
  redacting(async function (this: SpotcheckWorld, { pickle, result }: ITestCaseHookParameter) {
    for (const [name, command] of this.background) {
      const r = await command.stop()
      await attachText(`still running at the end: ${name}`, r.output)
    }
    if (!hasRun()) return
    const run = theRun()
    const key = scenarioKey(pickle.uri, pickle.name)
    if (result?.status === Status.PASSED) {
      run.passed.add(key)
      // The sandbox after a whole section, for runs of later sections (support/section-snapshots.ts).
      await saveAfterSection(run, theTutorialScenarios(), key, excludedOn(run))
    } else if (result?.status === Status.FAILED) {
      run.failed.add(key)
      // What a reader debugging the failure wants next to it: Karpenter's recent lines.
      const lines = run.karpenterLog?.since(this.logStart) ?? []
      if (lines.length > 0) await attachText("Karpenter's log during this scenario", logExcerpt(lines.slice(-200)))
    } else if (result?.status === Status.SKIPPED && !pickle.steps.some((s) => s.text === CHECKPOINT_STEP)) {
      run.passed.add(key) // skipped on purpose (e.g. Cloud9 on a target without it): nothing builds on it
    }
  }),
)

AfterAll(
  { name: 'spotcheck: clean up and stop the target', timeout: 60 * 60_000 },
  redacting(async function () {
    if (!hasRun()) return
    const run = theRun()
    const outcome = signals.interrupted ? 'interrupted' : run.failed.size > 0 ? 'failed' : 'passed'
    try {
      writeEnvironment(RESULTS_DIR, { ...(run.target?.facts ?? { target: run.params.target }), run: run.id, ...(await (versions ?? toolVersions(run.env))) })
    } catch (error) {
      run.progress(`could not write the report's environment: ${messageOf(error)}`)
    }
    const report = await run.finish(outcome)
    if (report && report.failed.length > 0) {
      run.progress(`cleanup left ${report.failed.length} thing(s); finish with: npx spotcheck cleanup --run ${run.id}`)
    }
    setRun(undefined)
  }),
)

async function toolVersions(env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const version = async (cmd: string, args: string[], pattern: RegExp) => {
    const r = await execa(cmd, args, { reject: false, all: true, env })
    return pattern.exec(r.all ?? '')?.[1] ?? 'not found'
  }
  const [aws, terraform, kubectl] = await Promise.all([
    version('aws', ['--version'], /aws-cli\/(\S+)/),
    version('terraform', ['version'], /Terraform v(\S+)/),
    version('kubectl', ['version', '--client=true', '-o', 'json'], /"gitVersion":\s*"([^"]+)"/),
  ])
  return { 'AWS CLI': aws, terraform, kubectl, node: process.version }
}
