// Runs the Python unit tests of the moto extension (sandbox/aws/tests) so `npm test` covers them.

import { it } from 'node:test'
import assert from 'node:assert/strict'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'

const awsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'sandbox', 'aws')

it('passes the Python unit tests of spotcheck_moto', async () => {
  const r = await execa('python3', ['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.'], { cwd: awsDir, reject: false, timeout: 300_000 })
  assert.equal(r.exitCode, 0, `python3 -m unittest failed:\n${r.stderr}`)
  assert.match(r.stderr, /^OK/m)
  assert.match(r.stderr, /Ran \d+ tests/)
})
