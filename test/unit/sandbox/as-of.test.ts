// The sandbox's date: --as-of validation, and the Kubernetes side of a 1.35 cluster looking like EKS's.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { asOfOption } from '../../../sandbox/cli.ts'
import { UsageError } from '../../../lib/errors.ts'
import { kubeletVersion } from '../../../sandbox/cluster/machines.ts'
import { eksVersion } from '../../../sandbox/kube/server.ts'

describe('sandbox up --as-of', () => {
  it('accepts a past day and defaults to today (SPOTCHECK_TODAY in tests)', () => {
    assert.equal(asOfOption('2024-01-29'), '2024-01-29')
    const before = process.env.SPOTCHECK_TODAY
    process.env.SPOTCHECK_TODAY = '2026-12-06'
    try {
      assert.equal(asOfOption(undefined), '2026-12-06')
      assert.equal(asOfOption('2026-12-06'), '2026-12-06')
    } finally {
      if (before === undefined) delete process.env.SPOTCHECK_TODAY
      else process.env.SPOTCHECK_TODAY = before
    }
  })

  for (const [value, why] of [
    ['2024/01/29', /--as-of "2024\/01\/29" is not a date; write YYYY-MM-DD/],
    ['2024-02-30', /--as-of "2024-02-30" is not a day of the calendar/],
    ['2999-01-01', /--as-of 2999-01-01 is in the future .*YYYY-MM-DD/],
    ['2001-01-01', /--as-of 2001-01-01: .*describes the platform from .*YYYY-MM-DD/],
  ] as const) {
    it(`refuses ${value} as a usage error naming the value and the accepted form`, () => {
      assert.throws(
        () => asOfOption(value),
        (e: Error) => e instanceof UsageError && why.test(e.message),
      )
    })
  }
})

describe('a 1.35 cluster on the Kubernetes side', () => {
  it('reports EKS-style versions from the API server and the kubelets', () => {
    assert.match(eksVersion('1.35', 'spot-and-karpenter').gitVersion, /^v1\.35\.\d+-eks-[0-9a-f]{7}$/)
    for (const minor of ['1.32', '1.33', '1.34', '1.35'])
      assert.match(kubeletVersion(minor), new RegExp(`^v${minor.replace('.', '\\.')}\\.\\d+-eks-[0-9a-f]{7}$`))
    assert.equal(kubeletVersion('1.29'), 'v1.29.0-eks-5e0fdde') // the tutorial's sample output, unchanged
  })
})
