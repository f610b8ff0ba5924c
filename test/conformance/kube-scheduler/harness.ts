// The conformance harness for the kube-scheduler twin: upstream filter-plugin test tables
// (kubernetes/kubernetes pkg/scheduler/framework/plugins/*/…_test.go), written here as data, run
// against the twin's pure filter functions (sandbox/cluster/scheduling/).
//
// Each table is one upstream test function: the file, the commit read, how many cases upstream
// has, the cases ported (each named as upstream names it) and those not ported, with the reason.
// A ported case gives the pod, the nodes, the pods already bound and, per node, what upstream
// expects of Filter: the node fits, or it is rejected (with upstream's reason where upstream
// checks one). A case that fails for a known, unfixed gap carries `gap` and runs as a todo.

import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import type { Node, Pod } from '../../../sandbox/k8s/types.ts'
import { nodeInfoOf, type NodeInfo } from '../../../sandbox/cluster/scheduling/node-info.ts'
import { recordFigures } from '../figures.ts'

/** The Kubernetes version of the sandbox's cluster, whose kube-scheduler the twin follows. */
export const KUBERNETES_VERSION = 'v1.29'

/** What upstream expects of Filter on one node: it fits, or it is rejected (with this reason, when upstream checks one). */
export type Want = 'fit' | { reject: string | undefined }

export const FIT: Want = 'fit'
export const reject = (reason?: string): Want => ({ reject: reason })

export interface FilterCase {
  /** The upstream case's name, verbatim. */
  name: string
  pod: Pod
  nodes: Node[]
  /** Pods already bound (spec.nodeName set); those on a node not in `nodes` are not in the snapshot. */
  pods?: Pod[]
  /** Namespace labels, by namespace name (for namespaceSelector). */
  namespaces?: Record<string, Record<string, string>>
  /** By node name; nodes not listed are not checked. */
  want: Record<string, Want>
  /** A known gap of the twin that makes this case fail: it runs as a todo, reported as failing. */
  gap?: string
}

interface NotPorted {
  name: string
  reason: string
}

export interface UpstreamTable {
  /** Path in kubernetes/kubernetes. */
  file: string
  /** The commit (or tag) of the file read. */
  ref: string
  /** The Go test function. */
  test: string
  /** How many cases the upstream table has (counted in the upstream file). */
  upstreamCases: number
  cases: FilterCase[]
  notPorted: NotPorted[]
}

/** What a plugin gets: the pod, the node to judge, every node (the snapshot), namespace labels. */
type Filter = (pod: Pod, info: NodeInfo, all: readonly NodeInfo[], namespaceLabels: (ns: string) => Record<string, string> | undefined) => string | undefined

function snapshot(c: FilterCase): NodeInfo[] {
  return c.nodes.map((n) =>
    nodeInfoOf(
      n,
      (c.pods ?? []).filter((p) => p.spec.nodeName === n.metadata.name),
    ),
  )
}

/** The verdict per node, as `fit` or the reason. */
function verdicts(c: FilterCase, filter: Filter): Record<string, string> {
  const all = snapshot(c)
  const out: Record<string, string> = {}
  for (const info of all) {
    const name = info.node.metadata.name!
    if (!(name in c.want)) continue
    out[name] = filter(c.pod, info, all, (ns) => c.namespaces?.[ns]) ?? 'fit'
  }
  return out
}

function expected(c: FilterCase, got: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [node, want] of Object.entries(c.want)) {
    if (want === 'fit') out[node] = 'fit'
    else out[node] = want.reject ?? (got[node] !== 'fit' ? got[node] : '(any rejection)')
  }
  return out
}

function passes(c: FilterCase, filter: Filter): boolean {
  const got = verdicts(c, filter)
  return JSON.stringify(got) === JSON.stringify(expected(c, got))
}

/** Registers one node:test case per ported case, and prints the figures per upstream test function. */
export function conformance(plugin: string, filter: Filter, tables: readonly UpstreamTable[]): void {
  describe(`kube-scheduler ${plugin} conformance`, () => {
    for (const table of tables) {
      describe(`${table.file} ${table.test}`, () => {
        it('counts every upstream case: ported + not ported = the upstream total', () => {
          assert.equal(table.cases.length + table.notPorted.length, table.upstreamCases)
          const names = [...table.cases.map((c) => c.name), ...table.notPorted.map((c) => c.name)]
          assert.equal(new Set(names).size, names.length, 'each upstream case once')
        })
        for (const c of table.cases) {
          it(c.name, c.gap ? { todo: c.gap } : {}, () => {
            const got = verdicts(c, filter)
            assert.deepEqual(got, expected(c, got))
          })
        }
      })
    }
    after(() => {
      for (const line of summary(plugin, filter, tables)) console.log(line)
    })
  })
}

/** Per upstream test function: upstream cases / ported / passing, then the unported and failing cases with their reasons. */
function summary(plugin: string, filter: Filter, tables: readonly UpstreamTable[]): string[] {
  const lines = [`# ${plugin}`]
  for (const t of tables) {
    const passing = t.cases.filter((c) => passes(c, filter))
    lines.push(`${t.test} (${t.file}@${t.ref.slice(0, 12)}): upstream ${t.upstreamCases}, ported ${t.cases.length}, passing ${passing.length}`)
    const failing = t.cases.filter((c) => !passing.includes(c))
    for (const c of failing) lines.push(`  failing: ${c.name}${c.gap ? ` — ${c.gap}` : ''}`)
    for (const n of t.notPorted) lines.push(`  not ported: ${n.name} — ${n.reason}`)
    recordFigures({
      project: 'kube-scheduler',
      twin: KUBERNETES_VERSION,
      area: plugin,
      source: `kubernetes/kubernetes@${t.ref.slice(0, 12)} ${t.file} ${t.test}`,
      upstream: t.upstreamCases,
      ported: t.cases.length,
      passing: passing.length,
      failing: failing.map((c) => ({ name: c.name, gap: c.gap })),
      notPorted: t.notPorted,
    })
  }
  return lines
}
