// The conformance harness for the Karpenter twins: the Ginkgo suites of Karpenter's own
// repositories (kubernetes-sigs/karpenter and aws/karpenter-provider-aws, at the release each twin
// follows), ported case by case and run against the twin's pure logic in sandbox/karpenter/.
//
// One `UpstreamSuite` is one upstream _test.go file at one tag. Every `It(...)` and `Entry(...)` of
// that file is either ported (a case named by its Describe/Context path and its It text, joined
// with " › ") or listed as not ported with the reason. A test checks that ported + not ported is the
// upstream count. A ported case that fails for a known, unfixed gap of the twin carries `gap` and
// runs as a todo: it is reported as failing, and does not fail the run.

import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { recordFigures, type SuiteFigures } from '../figures.ts'

export type Twin = 'v0.32.1' | 'v1.9.2'
export type Area = 'scheduling' | 'consolidation' | 'emptiness' | 'expiration' | 'drift' | 'interruption' | 'instance types'

export interface PortedCase {
  /** Describe › Context › It, as upstream writes them. */
  name: string
  run: () => void | Promise<void>
  /** A known gap of the twin that makes this case fail: it runs as a todo, counted as failing. */
  gap?: string
}

export interface NotPorted {
  name: string
  /** Why: needs a real kubelet or API server behaviour the twin does not model, out of the tutorial's scope, … */
  reason: string
}

export interface UpstreamSuite {
  repo: 'kubernetes-sigs/karpenter' | 'aws/karpenter-provider-aws'
  /** The tag read, e.g. "v0.32.1". */
  tag: string
  /** Path of the _test.go file in `repo`. */
  file: string
  twin: Twin
  area: Area
  /** `It(` and `Entry(` calls in the upstream file at `tag`. */
  upstreamCases: number
  cases: PortedCase[]
  notPorted: NotPorted[]
}

export function conformance(suite: UpstreamSuite): void {
  const source = `${suite.repo}@${suite.tag} ${suite.file}`
  const outcome = new Map<string, string | undefined>()
  describe(`Karpenter ${suite.twin} ${suite.area}: ${source}`, () => {
    it('counts every upstream case: ported + not ported = the upstream total, each name once', () => {
      assert.equal(suite.cases.length + suite.notPorted.length, suite.upstreamCases)
      const names = [...suite.cases.map((c) => c.name), ...suite.notPorted.map((c) => c.name)]
      assert.deepEqual(
        names.filter((n, i) => names.indexOf(n) !== i),
        [],
        'each upstream case once',
      )
    })
    for (const c of suite.cases) {
      it(c.name, c.gap ? { todo: c.gap } : {}, async () => {
        try {
          await c.run()
          outcome.set(c.name, undefined)
        } catch (e) {
          outcome.set(c.name, e instanceof Error ? e.message.split('\n')[0] : String(e))
          throw e
        }
      })
    }
    after(() => report(suite, source, outcome))
  })
}

function report(suite: UpstreamSuite, source: string, outcome: ReadonlyMap<string, string | undefined>): void {
  const failing = suite.cases
    .filter((c) => !outcome.has(c.name) || outcome.get(c.name) !== undefined)
    .map((c) => ({ name: c.name, gap: c.gap, error: outcome.get(c.name) }))
  const figures: SuiteFigures = {
    project: 'karpenter',
    twin: suite.twin,
    area: suite.area,
    source,
    upstream: suite.upstreamCases,
    ported: suite.cases.length,
    passing: suite.cases.length - failing.length,
    failing,
    notPorted: suite.notPorted,
  }
  console.log(`# Karpenter ${suite.twin} ${suite.area} (${source}): upstream ${figures.upstream}, ported ${figures.ported}, passing ${figures.passing}`)
  for (const f of failing) console.log(`  failing: ${f.name}${f.gap ? ` — ${f.gap}` : ''}`)
  for (const n of suite.notPorted) console.log(`  not ported: ${n.name} — ${n.reason}`)
  recordFigures(figures)
}
