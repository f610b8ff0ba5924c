// The scanner of the redaction test and of `spotcheck report --check` sees a planted secret
// wherever it is — in plain text and inside Allure's base64-embedded single-file report — so the
// redaction test (test/integration/suite/redaction.test.ts) fails when the redactor is bypassed.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { findLeaks, leaksInText } from '../../../support/leak-scan.ts'
import { IDENTITY, Redactor, redactError } from '../../../support/redact.ts'
import { redacting } from '../../../support/step-registry.ts'
import { RUN_ACCOUNT, plantedSecrets, plantedText } from '../../integration/suite/redaction/planted.ts'

// Cucumber's own formatting of a step's error: what its messages, HTML, JUnit, progress and Allure carry.
const { formatError } = createRequire(import.meta.url)('@cucumber/cucumber/lib/runtime/format_error') as {
  formatError: (error: unknown, filterStackTraces: boolean) => { message: string; exception: { type: string; message: string } }
}

const secrets = plantedSecrets()
const known = { secrets: Object.values(secrets), accountId: RUN_ACCOUNT }
/** The run's redactor as a run on either target builds it: the shell's credentials and the account. */
const runRedactor = () =>
  new Redactor({ AWS_ACCESS_KEY_ID: secrets.accessKeyId, AWS_SECRET_ACCESS_KEY: secrets.secretAccessKey, AWS_SESSION_TOKEN: secrets.sessionToken }, RUN_ACCOUNT)

describe('the leak scanner, with the redactor bypassed', () => {
  it('sees every planted value in the text a run meets them in', () => {
    const leaks = leaksInText(IDENTITY.redact(plantedText(secrets)), known)
    for (const i of Object.keys(secrets).map((_, i) => i + 1))
      assert.ok(leaks.includes(`a credential of the run (known secret #${i})`), `secret #${i} not seen: ${leaks.join('; ')}`)
    assert.ok(leaks.includes(`the account ID ${RUN_ACCOUNT}`))
  })

  it("sees them inside a file that embeds them base64-encoded, as Allure's single-file report does", () => {
    const dir = mkdtempSync(join(tmpdir(), 'spotcheck-leak-scan-'))
    try {
      const embedded = Buffer.from(JSON.stringify({ attachment: plantedText(secrets) })).toString('base64')
      writeFileSync(join(dir, 'index.html'), `<script>window.allureReportData = [{"name":"data/attachments/1.txt","value":"${embedded}"}]</script>`)
      const leaks = findLeaks([dir], known)
      assert.ok(
        leaks.some((l) => l.what === 'a credential of the run (known secret #1)'),
        JSON.stringify(leaks),
      )
      assert.ok(leaks.some((l) => l.what === 'an EKS token'))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("sees them in Cucumber's formatting of a failed step whose error was not redacted", () => {
    const step = redacting(
      () => assert.equal(plantedText(secrets), 'nothing secret'),
      () => IDENTITY,
    )
    const error = (() => {
      try {
        step()
      } catch (e) {
        return e
      }
    })()
    assert.ok(leaksInText(formatError(error, true).message, known).length > 0)
  })
})

describe('the leak scanner, with the redactor', () => {
  it('sees none of the planted values once the run redacted them', () => {
    assert.deepEqual(leaksInText(runRedactor().redact(plantedText(secrets)), known), [])
  })

  it("sees none in Cucumber's formatting of any failed step: assertion diffs of strings and objects, causes, stacks", async () => {
    const text = plantedText(secrets)
    const r = runRedactor()
    const failing = [
      () => assert.equal(text, 'nothing secret'),
      () => assert.deepEqual({ output: text.split('\n') }, { output: [] }),
      () => assert.ok(text.includes('nothing secret'), `the output does not contain it:\n${text}`),
      () => {
        throw new Error(`could not use ${text.split('\n')[0]}`, { cause: new AggregateError([new Error(text)], text) })
      },
      async () => Promise.reject(Object.assign(new Error('Command failed'), { stdout: text, command: `echo ${secrets.accessKeyId}` })),
    ]
    for (const fn of failing) {
      const step = redacting(fn, () => r)
      let error: unknown
      try {
        await Promise.resolve(step())
      } catch (e) {
        error = e
      }
      assert.ok(error, 'the step failed')
      const formatted = formatError(error, false)
      assert.deepEqual(leaksInText(`${formatted.message}\n${formatted.exception.message}`, known), [], formatted.message)
      // An execa error's output is not in its message, but a formatter might print any field.
      const fields = Object.values(error).filter((v): v is string => typeof v === 'string')
      assert.deepEqual(leaksInText(fields.join('\n'), known), [], fields.join('\n'))
      assert.match(`${formatted.message}\n${fields.join('\n')}`, /\[REDACTED\]/)
    }
  })

  it('keeps the error its class, and a step its arity (Cucumber reads parameters and doc strings from it)', () => {
    const error = redactError(new TypeError(`bad ${secrets.accessKeyId}`), runRedactor())
    assert.ok(error instanceof TypeError)
    assert.equal(formatError(error, false).exception.type, 'TypeError')
    assert.equal(redacting(function (_a: string, _b: string) {}).length, 2)
    assert.equal(redactError(`thrown string ${secrets.secretAccessKey}`, runRedactor()), 'thrown string [REDACTED]')
  })
})

describe('attachments go through support/report.ts (its attach* functions redact)', () => {
  it('no other file under support/, steps/ or bin/ attaches directly', async () => {
    const { readdirSync, readFileSync, statSync } = await import('node:fs')
    const root = join(import.meta.dirname, '..', '..', '..')
    const files = (dir: string): string[] =>
      readdirSync(join(root, dir)).flatMap((name) => {
        const rel = join(dir, name)
        return statSync(join(root, rel)).isDirectory() ? files(rel) : rel.endsWith('.ts') ? [rel] : []
      })
    const direct = ['support', 'steps', 'bin']
      .flatMap(files)
      .filter((f) => f !== join('support', 'report.ts'))
      .flatMap((f) =>
        readFileSync(join(root, f), 'utf8')
          .split('\n')
          .flatMap((line, i) => (/allure\.attachment(Path)?\(|\bthis\.attach\(|\bworld\.attach\(/.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
      )
    assert.deepEqual(direct, [], 'attach through support/report.ts (attachText, attachJson, attachHtml, attachToCucumber…), which redacts')
  })
})
