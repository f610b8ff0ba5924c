// Steps of the redaction test's own feature (test/integration/suite/redaction.test.ts): say the
// planted secrets in every way spotcheck says things, and fail with them. Registered through
// support/step-registry.ts like every project step. The values come from the file the test names
// in SPOTCHECK_PLANTED, never from the feature's text (that is copied verbatim into the reports),
// and appear as a run meets them (an `env` dump, a kubeconfig, `aws eks get-token`…): a bare
// base64 string with no name beside it is recognised only by value.

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { Then } from '../../../../support/step-registry.ts'
import { attachHtml, attachJson, attachText, attachToCucumber, escapeHtml } from '../../../../support/report.ts'
import type { SpotcheckWorld } from '../../../../support/world.ts'

function planted(): { lines: string[]; text: string } {
  const file = process.env.SPOTCHECK_PLANTED
  assert.ok(file, 'SPOTCHECK_PLANTED names no file (run this feature through test/integration/suite/redaction.test.ts)')
  const text = readFileSync(file, 'utf8')
  return { lines: text.trim().split('\n'), text }
}

Then('spotcheck says the planted secrets in every way it says things', async function (this: SpotcheckWorld) {
  const { lines, text } = planted()
  this.run.progress(`planted: ${text}`)
  await this.note(`planted: ${text}`)
  await attachText('planted (text)', text)
  await attachJson('planted (json)', { lines })
  await attachHtml('planted (html)', `<pre>${escapeHtml(text)}</pre>`)
  attachToCucumber(this, text, { mediaType: 'text/plain', fileName: 'planted.txt' })
  await this.within(60_000, 'the planted secrets are seen', async () => ({ ok: true, seen: text.split('\n').join(' ') }))
})

Then('a deep comparison with the planted secrets fails', function () {
  const { lines } = planted()
  assert.deepEqual({ output: lines }, { output: [...lines.slice(1), 'something else'] })
})

Then('an error caused by the planted secrets is thrown', function () {
  const { lines, text } = planted()
  throw new Error(`could not use ${lines[0]} with ${lines[1]}`, { cause: new Error(text) })
})

Then('an exception nobody catches carries the planted secrets', async function () {
  const { text } = planted()
  // Thrown from a timer: Cucumber's uncaught-exception listener fails this step with it.
  setTimeout(() => {
    throw new Error(`uncaught: ${text}`)
  }, 10)
  await new Promise((resolve) => setTimeout(resolve, 5_000))
})
