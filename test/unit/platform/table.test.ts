// A mistake in fixtures/platform.yaml is reported where it is: file, line, field, what is accepted.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_PLATFORM_FILE, loadPlatformTable, parsePlatformTable, PlatformTableError, platformView } from '../../../platform/index.ts'

const real = readFileSync(DEFAULT_PLATFORM_FILE, 'utf8')

/** The real table with one edit; fails the test if the edit does not apply. */
function edited(from: string | RegExp, to: string): string {
  const out = real.replace(from, to)
  assert.notEqual(out, real, `edit ${String(from)} did not apply`)
  return out
}

/** The 1-based line of the first occurrence of `needle` in `text`. */
const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length

function rejects(text: string, pattern: RegExp): string {
  let message = ''
  assert.throws(
    () => parsePlatformTable(text, 'fixtures/platform.yaml'),
    (e: Error) => {
      message = e.message
      return e instanceof PlatformTableError
    },
  )
  assert.match(message, pattern)
  return message
}

describe('the platform table', () => {
  it('loads, and names itself relative to the project', () => {
    const t = loadPlatformTable()
    assert.ok(t.eks.versions.some((v) => v.version === '1.35'))
    assert.ok(t.karpenter.releases.some((r) => r.chartVersion === '1.9.2'))
  })

  it('a row without a source: file, the row’s line and the field', () => {
    const text = edited(/( {2}- family: AL2023\n(?:.*\n)*?) {4}source: [^\n]*\n/, '$1')
    const msg = rejects(text, /source: missing: every row names its source/)
    assert.match(msg, new RegExp(`^fixtures/platform\\.yaml:${lineOf(text, '  - family: AL2023') + 0}: nodeImageFamilies\\[1\\]\\.source:`))
  })

  it('an EKS row without a source', () => {
    const text = edited(/( {4}- version: "1\.30"\n(?:.*\n)*?) {6}source: \*eksLifecycle\n/, '$1')
    rejects(text, new RegExp(`^fixtures/platform\\.yaml:${lineOf(text, '- version: "1.30"')}: eks\\.versions\\[7\\]\\.source: missing`))
  })

  it('an impossible date: the value’s line, the field, and the accepted form', () => {
    const text = edited('released: 2024-01-23', 'released: 2024-02-30')
    rejects(
      text,
      new RegExp(
        `^fixtures/platform\\.yaml:${lineOf(text, '2024-02-30')}: eks\\.versions\\[6\\]\\.released: "2024-02-30" is not a calendar date; write YYYY-MM-DD`,
      ),
    )
  })

  it('a date in another form', () => {
    const text = edited('closedToNewCustomersOn: 2024-07-25', 'closedToNewCustomersOn: 25/07/2024')
    rejects(text, new RegExp(`^fixtures/platform\\.yaml:${lineOf(text, '25/07/2024')}: cloud9\\.closedToNewCustomersOn: "25/07/2024" is not a calendar date`))
  })

  it('an unquoted Kubernetes version (YAML reads 1.30 as the number 1.3)', () => {
    const text = edited('version: "1.30"', 'version: 1.30')
    rejects(text, /eks\.versions\[7\]\.version: 1\.3 is not a Kubernetes minor version; write it quoted, e\.g\. "1\.29"/)
  })

  it('a misspelt field is not silently ignored', () => {
    const text = edited('    endOfSupport: 2025-11-26', '    endOfSuport: 2025-11-26')
    rejects(
      text,
      new RegExp(
        `^fixtures/platform\\.yaml:${lineOf(text, 'endOfSuport')}: nodeImageFamilies\\[0\\]\\.endOfSuport: unknown field; accepted: family, publishedFrom`,
      ),
    )
  })

  it('a chart version that does not name its release', () => {
    const text = edited('chartVersion: 1.9.2', 'chartVersion: 1.9.3')
    rejects(text, /karpenter\.releases\[\d+\]\.chartVersion: "1\.9\.3" does not name release v1\.9\.2/)
  })

  it('EKS dates out of order', () => {
    const text = edited('endOfStandardSupport: 2027-03-27', 'endOfStandardSupport: 2029-03-27')
    rejects(text, /eks\.versions\[12\]: dates out of order/)
  })

  it('an unknown current-edition rule lists the accepted ones', () => {
    const text = edited('kubernetesVersion: newest-offered', 'kubernetesVersion: newest')
    rejects(text, /currentEdition\.kubernetesVersion: "newest" is not one of newest-offered/)
  })

  it('broken YAML: the line of the syntax error', () => {
    rejects('eks:\n  versions: [\n', /^fixtures\/platform\.yaml:\d+: not valid YAML/)
  })

  it('a table read from another path is used by platformView(asOf, table)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'platform-'))
    const file = join(dir, 'platform.yaml')
    writeFileSync(file, edited('karpenterLines: ["1.9"]', 'karpenterLines: ["1.14"]'))
    assert.equal(platformView('2026-12-06', loadPlatformTable(file)).current.karpenterChartVersion, '1.14.1')
    assert.throws(() => loadPlatformTable(join(dir, 'missing.yaml')), /missing\.yaml: cannot read the platform table/)
  })
})
