#!/usr/bin/env node
// spotcheck's command line. `npx spotcheck …` runs it on the project's own Node 22.

const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `spotcheck needs Node.js 22.18 or newer (this is ${process.version}). Run it through npx or npm, which use the Node 22 the project installs.\n`,
  )
  process.exit(2)
}

const USAGE = `Usage: spotcheck <command>

  drift [--no-report]           the tutorial as written then and now, the current edition now: drift/DRIFT.md and the report (npm start)
  tutorial [--no-snapshots] [cucumber-js args]  run the tutorial once (on the sandbox by default) and write the report;
                                a section run alone starts from the last run's snapshot unless --no-snapshots
  report [--check]              write the last run's report; --check: no secrets in it, and it opens in Chromium
  cleanup [--run RUN-ID]        undo what a killed run left behind, here or from the state bucket (spotcheck cleanup --help)
  reap [--older-than 4h] [--dry-run] [--region R] [--yes]  remove what runs left in the account (spotcheck reap --help)
  sandbox up|down|status|env    the offline sandbox (spotcheck sandbox --help)
  tutorial-commands FILE.md     print the tutorial's commands as fixtures/tutorial-commands.yaml lists them
  platform [--as-of DATE] [--json]  the platform of a day: EKS versions, Karpenter releases, AMIs, Terraform majors
`

// pyenv's shims resolved once for every program this command starts (lib/python-shims.ts).
const { usePythonPastPyenvShims } = await import('../lib/python-shims.ts')
usePythonPastPyenvShims()
const { UsageError, messageOf } = await import('../lib/errors.ts')
const { sandboxCli } = await import('../sandbox/cli.ts')
// Every line the commands below print goes through the redactor of this shell's secrets (its AWS
// credentials, CI tokens, the opted-in account ID) and the patterns of support/redact.ts: a
// nightly workflow's log is as public as its report. (`sandbox env` prints the sandbox's own test
// credentials on purpose, for eval: the sandbox command prints unredacted.)
const { Redactor } = await import('../support/redact.ts')
const redactor = new Redactor(process.env)
const toStderr = (line: string) => process.stderr.write(`${redactor.redact(line)}\n`)
const toStdout = (line: string) => process.stdout.write(`${redactor.redact(line)}\n`)
const [command, ...rest] = process.argv.slice(2)
try {
  switch (command) {
    case 'sandbox':
      process.exitCode = await sandboxCli(rest)
      break
    case 'drift': {
      const { driftCli } = await import('../support/drift.ts')
      process.exitCode = await driftCli(rest, toStderr)
      break
    }
    case 'tutorial': {
      const { tutorialCli } = await import('../support/tutorial-cli.ts')
      process.exitCode = await tutorialCli(rest, toStderr)
      break
    }
    case 'report': {
      const { reportCli } = await import('../support/report-check.ts')
      process.exitCode = await reportCli(rest, toStderr)
      break
    }
    case 'cleanup': {
      const { cleanupCli } = await import('../support/cleanup.ts')
      process.exitCode = await cleanupCli(rest, toStderr)
      break
    }
    case 'reap': {
      const { reapCli } = await import('../support/reap.ts')
      process.exitCode = await reapCli(rest, toStdout)
      break
    }
    case 'tutorial-commands': {
      if (!rest[0]) throw new UsageError('usage: spotcheck tutorial-commands <tutorial.md>')
      const { readFileSync } = await import('node:fs')
      const { commandsYaml, extractCommands } = await import('../support/tutorial-commands.ts')
      let markdown: string
      try {
        markdown = readFileSync(rest[0], 'utf8')
      } catch (error) {
        throw new UsageError(`cannot read ${rest[0]}: ${messageOf(error)}`)
      }
      process.stdout.write(commandsYaml(extractCommands(markdown)))
      break
    }
    case 'platform': {
      const { platformCli } = await import('../platform/cli.ts')
      process.exitCode = await platformCli(rest)
      break
    }
    case undefined:
    case '--help':
    case '-h':
      process.stderr.write(USAGE)
      process.exitCode = command ? 0 : 2
      break
    default:
      throw new UsageError(`unknown command "${command}"\n\n${USAGE}`)
  }
} catch (error) {
  const e = error as Error
  toStderr(
    `spotcheck: ${e instanceof UsageError || (e as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? e.message : (e.stack ?? e.message)}`,
  )
  process.exitCode = e instanceof UsageError ? 2 : 1
}
