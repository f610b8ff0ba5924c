// The days: the tutorial's, today (overridable for tests), and a user's --as-of.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { AsOfError, parseAsOf, today, TUTORIAL_DATE } from '../../../platform/index.ts'

describe('dates', () => {
  it('the tutorial’s date', () => assert.equal(TUTORIAL_DATE, '2024-01-29'))

  it('today is UTC YYYY-MM-DD, and SPOTCHECK_TODAY overrides it', () => {
    assert.equal(today({}), new Date().toISOString().slice(0, 10))
    assert.equal(today({ SPOTCHECK_TODAY: '2026-12-06' }), '2026-12-06')
    assert.throws(() => today({ SPOTCHECK_TODAY: '2026-13-01' }), /SPOTCHECK_TODAY="2026-13-01" is not a calendar date; write YYYY-MM-DD/)
  })

  it('accepts a past day and today', () => {
    assert.equal(parseAsOf('2024-01-29', { today: '2026-12-06' }), '2024-01-29')
    assert.equal(parseAsOf('2026-12-06', { today: '2026-12-06' }), '2026-12-06')
  })

  for (const [value, pattern] of [
    ['2024-1-29', /"2024-1-29" is not a date; write YYYY-MM-DD, e\.g\. 2024-01-29/],
    ['29/01/2024', /"29\/01\/2024" is not a date; write YYYY-MM-DD/],
    ['yesterday', /"yesterday" is not a date/],
    ['', /"" is not a date/],
    ['2026-02-30', /"2026-02-30" is not a day of the calendar; write a real YYYY-MM-DD date/],
    ['2025-02-29', /"2025-02-29" is not a day of the calendar/],
    ['2026-12-07', /2026-12-07 is in the future \(today is 2026-12-06\); give a YYYY-MM-DD date on or before today/],
  ] as const) {
    it(`refuses ${JSON.stringify(value)}, naming it and the accepted form`, () => {
      assert.throws(
        () => parseAsOf(value, { today: '2026-12-06', name: '--as-of' }),
        (e: Error) => e instanceof AsOfError && pattern.test(e.message) && e.message.startsWith('--as-of '),
      )
    })
  }

  it('allows the future when asked', () => {
    assert.equal(parseAsOf('2027-01-01', { today: '2026-12-06', allowFuture: true }), '2027-01-01')
    assert.equal(parseAsOf('2028-02-29', { today: '2026-12-06', allowFuture: true }), '2028-02-29')
  })
})
