// The world parameters edition and asOf, checked before anything is created: each refusal names
// the value and what is accepted; the defaults follow the edition and the target.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { TUTORIAL_DATE } from '../../../platform/index.ts'
import { EditionError, editionVersions, resolveEdition } from '../../../support/editions/edition.ts'
import { checkParameters, editionFacts, type TargetParameters } from '../../../support/target.ts'

const TODAY = '2026-12-06'
const check = (params: Partial<TargetParameters> & Record<string, unknown>) => checkParameters({ target: 'sandbox', ...params }, { today: TODAY })
const refused = (params: Partial<TargetParameters> & Record<string, unknown>, message: RegExp) =>
  assert.throws(
    () => check(params),
    (e: Error) => e instanceof EditionError && message.test(e.message),
    `expected ${String(message)}`,
  )

describe('world parameters: edition and asOf', () => {
  it('default to the tutorial as written, as of its date, with its versions and no edits', () => {
    const r = check({})
    assert.equal(r.edition, 'as-written')
    assert.equal(r.asOf, TUTORIAL_DATE)
    assert.deepEqual(r.versions, { kubernetesVersion: '1.29', karpenterChartVersion: 'v0.32.1' })
    assert.deepEqual(r.edits, [])
  })

  it('current defaults to today, with the versions of the day and its edits', () => {
    const r = check({ edition: 'current' })
    assert.equal(r.asOf, TODAY)
    assert.deepEqual(r.versions, { kubernetesVersion: '1.35', karpenterChartVersion: '1.9.2' })
    assert.ok(r.edits.length > 5)
    assert.deepEqual(editionVersions({ target: 'sandbox', edition: 'current' }, { today: TODAY }), r.versions)
  })

  it('takes "today" and a past day', () => {
    assert.equal(check({ asOf: 'today' }).asOf, TODAY)
    assert.equal(check({ edition: 'current', asOf: '2026-08-01' }).asOf, '2026-08-01')
    assert.equal(check({ asOf: '2025-06-01' }).versions.kubernetesVersion, '1.29') // as written, whatever the day
  })

  it('on aws, asOf is always today', () => {
    const r = checkParameters({ target: 'aws' }, { today: TODAY })
    assert.equal(r.asOf, TODAY)
    assert.equal(r.edition, 'as-written')
  })

  it('the report shows the edition, the day and the versions', () => {
    const facts = editionFacts(check({ edition: 'current' }))
    assert.match(facts.edition, /^current \(\d+ edits/)
    assert.equal(facts['as of'], `${TODAY} (today (the current default))`)
    assert.equal(facts['Kubernetes version'], '1.35')
    assert.equal(facts['Karpenter version'], '1.9.2')
  })

  it('refuse an unknown edition', () =>
    refused({ edition: 'latest' as never }, /unknown edition "latest": the world parameter "edition" is "as-written" .* or "current"/))
  it('refuse a malformed asOf', () => refused({ asOf: '06/12/2026' }, /"06\/12\/2026" is not a date; write YYYY-MM-DD/))
  it('refuse an asOf that is not a string', () => refused({ asOf: 20240129 as never }, /asOf 20240129 is not a date: .* YYYY-MM-DD day, or "today"/))
  it('refuse an impossible day', () => refused({ asOf: '2025-02-30' }, /"2025-02-30" is not a day of the calendar/))
  it('refuse a future day', () => refused({ asOf: '2027-01-01' }, /2027-01-01 is in the future \(today is 2026-12-06\)/))
  it('refuse a day before the platform table', () => refused({ asOf: '2020-01-01' }, /asOf 2020-01-01 is before the first day the platform table describes/))
  it('refuse asOf on the aws target', () =>
    assert.throws(
      () => checkParameters({ target: 'aws', asOf: '2024-01-29' }, { today: TODAY }),
      (e: Error) => e instanceof EditionError && /asOf "2024-01-29" cannot be set on the aws target: .* always today's platform \(2026-12-06\)/.test(e.message),
    ))
  it('refuse an unknown target', () => refused({ target: 'gcp' as never }, /unknown target "gcp": .* "sandbox" .* or "aws"/))
  it('refuse the retired version parameters, saying what replaces them', () =>
    refused({ kubernetesVersion: '1.30' }, /"kubernetesVersion" is no longer taken: the edition chooses the versions/))
  it("refuse the current edition on a day whose Karpenter does not serve the edits' v1 API", () =>
    refused(
      { edition: 'current', asOf: TUTORIAL_DATE },
      /the current edition is written for Karpenter's karpenter\.sh\/v1 API .* on 2024-01-29 the current Karpenter is v0\.3\d\.\d, which serves karpenter\.sh\/v1beta1/,
    ))

  it('refuse, on the sandbox, a current edition whose Karpenter chart the sandbox has no twin of, naming the first day it has', () =>
    refused(
      { edition: 'current', asOf: '2025-06-01' },
      /the current edition as of 2025-06-01 installs the Karpenter chart 1\.5\.0 .* the sandbox twins only the charts v0\.32\.x .* and 1\.9\.2 .*: give an asOf from 2026-0\d-\d\d on/,
    ))
  it('in a rehearsal too (its offline account is a sandbox), but never on a real account', () => {
    assert.equal(checkParameters({ target: 'aws', edition: 'current' }, { today: '2026-05-01' }).versions.karpenterChartVersion, '1.9.0')
    assert.throws(
      () => checkParameters({ target: 'aws', rehearsal: true, edition: 'current' }, { today: '2026-05-01' }),
      /as of 2026-05-01 installs the Karpenter chart 1\.9\.0 .* the aws rehearsal's offline account twins only .*: run against a real account/,
    )
  })
  it('take the current edition on the sandbox on every day from the first its chart is twinned', () => {
    assert.equal(check({ edition: 'current', asOf: '2026-07-13' }).versions.karpenterChartVersion, '1.9.2')
  })

  it('stop the run when an edit no longer fits the tutorial, naming the edit, its line and the section', () => {
    const blocks = [{ file: 'features/04-nodepool.feature', line: 30, tags: ['@nodepool'], text: 'apiVersion: karpenter.sh/v2' }]
    assert.throws(
      () => resolveEdition({ target: 'sandbox', edition: 'current' }, { today: TODAY, checkInput: { blocks } }),
      (e: Error) =>
        /the current edition's edits no longer fit the tutorial; nothing was created/.test(e.message) &&
        /edit "nodepool-api-version" \(.*fixtures\/editions\/current\.yaml:\d+, section @nodepool\)/.test(e.message),
    )
  })
})
