// Called by the wget stand-in (bin/stand-ins/wget) after the real wget fetched one of the tutorial's
// files on a real account:  node support/editions/record-fetch.ts <url> <dest>
// Environment: SPOTCHECK_FETCH_LOG (required), SPOTCHECK_FILE_EDITS (the edition's file edits).
// Exit 1 when an edit of the edition does not fit the fetched file: the tutorial changed, and the
// block stops before Terraform runs anything.

import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { recordUpstreamFetch } from './fetched.ts'

function main(argv: string[], env: NodeJS.ProcessEnv): number {
  const [url, dest] = argv
  const log = env.SPOTCHECK_FETCH_LOG
  if (!url || !dest || !log) {
    process.stderr.write('usage: SPOTCHECK_FETCH_LOG=<file> node record-fetch.ts <url> <dest>\n')
    return 2
  }
  const record = recordUpstreamFetch(url, resolve(dest), { log, fileEdits: env.SPOTCHECK_FILE_EDITS, runId: env.TF_VAR_run_id })
  if (record.matchesCopy === false) {
    process.stderr.write(
      `spotcheck: warning: ${record.upstream} as fetched differs from spotcheck's copy fixtures/tutorial/${record.copy}: the tutorial changed since the commit fixtures/tutorial/SOURCES.yaml names\n`,
    )
  }
  if (record.error) {
    process.stderr.write(`spotcheck: ${record.error}\n`)
    return 1
  }
  if (record.applied?.length) process.stderr.write(`spotcheck: applied the edition's edits ${record.applied.join(', ')} to ${dest} (shown in the report)\n`)
  return 0
}

// Cucumber imports every file under support/: act only when run as a program.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2), process.env)
