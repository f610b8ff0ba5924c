// The figures each conformance suite records when it finishes: how many cases its upstream file
// has, how many are ported and pass, and which fail or are not ported, with the reasons. Each
// test process appends one JSON line per suite to the file `SPOTCHECK_CONFORMANCE_OUT` names;
// test/conformance/run.ts (npm run conformance) reads them back and prints the totals.

import { appendFileSync } from 'node:fs'

export interface SuiteFigures {
  project: 'kube-scheduler' | 'karpenter'
  /** The twin the suite holds to (a Karpenter release, or the Kubernetes version). */
  twin: string
  /** What the suite is about: a kube-scheduler plugin, or a Karpenter area (scheduling, consolidation, …). */
  area: string
  /** Repository, ref and file (and test function) the cases come from. */
  source: string
  upstream: number
  ported: number
  passing: number
  failing: { name: string; gap?: string; error?: string }[]
  notPorted: { name: string; reason: string }[]
}

export function recordFigures(figures: SuiteFigures): void {
  const out = process.env.SPOTCHECK_CONFORMANCE_OUT
  if (out) appendFileSync(out, `${JSON.stringify(figures)}\n`)
}
