// metav1.LabelSelector matching for the scheduling logic.
//
// The parsing and matching live in the API server's selectors (sandbox/kube/selectors.ts); this
// adapter adds the two conventions of `metav1.LabelSelectorAsSelector` that scheduling relies
// on: a nil selector selects nothing, an empty one everything, and an invalid one (unknown
// operator) selects nothing instead of throwing.

import { fromLabelSelectorSpec, type LabelSelector as Matcher } from '../kube/selectors.ts'
import type { LabelSelector } from './types.ts'

const NOTHING = { matches: () => false }
const cache = new WeakMap<LabelSelector, Pick<Matcher, 'matches'>>()

export function labelSelectorMatcher(selector: LabelSelector | null | undefined): Pick<Matcher, 'matches'> {
  if (!selector) return NOTHING
  let m = cache.get(selector)
  if (!m) {
    try {
      m = fromLabelSelectorSpec(selector)
    } catch {
      m = NOTHING
    }
    cache.set(selector, m)
  }
  return m
}

export function labelSelectorMatches(selector: LabelSelector | null | undefined, labels: Record<string, string> | undefined): boolean {
  return labelSelectorMatcher(selector).matches(labels ?? {})
}
