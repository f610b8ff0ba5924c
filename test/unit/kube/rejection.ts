// What the kube unit tests share: the ApiError a store call throws, for tests that check how the
// API server refuses a manifest (its message, code and causes).

import assert from 'node:assert/strict'
import { ApiError } from '../../../sandbox/kube/errors.ts'

/** The ApiError `fn` throws; any other error is rethrown, and no error at all fails the test. */
export function rejection(fn: () => unknown): ApiError {
  try {
    fn()
  } catch (e) {
    if (e instanceof ApiError) return e
    throw e
  }
  assert.fail('expected an ApiError')
}
