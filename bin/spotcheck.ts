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

  sandbox up|down|status|env   the offline sandbox (spotcheck sandbox --help)
`

const { sandboxCli, UsageError } = await import('../sandbox/cli.ts')
const [command, ...rest] = process.argv.slice(2)
try {
  switch (command) {
    case 'sandbox':
      process.exitCode = await sandboxCli(rest)
      break
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
  process.stderr.write(`spotcheck: ${e instanceof UsageError || (e as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? e.message : (e.stack ?? e.message)}\n`)
  process.exitCode = e instanceof UsageError ? 2 : 1
}
