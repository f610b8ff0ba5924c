// npm run conformance: runs every ported upstream suite (test/conformance/**/*.test.ts) with
// node:test, then prints the figures per project, twin and area — upstream cases, ported (and the
// share of upstream they are), passing (and the share of ported) — and every failing or unported
// case with its reason. Exits non-zero when a test fails (a gap case runs as a todo and does not).
//
//   npm run conformance                  # everything
//   npm run conformance -- --markdown    # the same totals as a Markdown table (for docs/conformance.md)

import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SuiteFigures } from './figures.ts'

const markdown = process.argv.includes('--markdown')
const dir = mkdtempSync(join(tmpdir(), 'spotcheck-conformance-'))
const out = join(dir, 'figures.ndjson')
try {
  const run = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=dot', 'test/conformance/**/*.test.ts'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, SPOTCHECK_CONFORMANCE_OUT: out },
  })
  const figures = readFigures(out)
  console.log(markdown ? table(figures) : report(figures))
  process.exitCode = run.status ?? 1
} finally {
  rmSync(dir, { recursive: true, force: true })
}

function readFigures(file: string): SuiteFigures[] {
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as SuiteFigures)
}

interface Totals {
  upstream: number
  ported: number
  passing: number
}

function sum(fs: readonly SuiteFigures[]): Totals {
  return fs.reduce((t, f) => ({ upstream: t.upstream + f.upstream, ported: t.ported + f.ported, passing: t.passing + f.passing }), {
    upstream: 0,
    ported: 0,
    passing: 0,
  })
}

function pct(n: number, d: number): string {
  return d === 0 ? '—' : `${((100 * n) / d).toFixed(1)}%`
}

function groups(fs: readonly SuiteFigures[], key: (f: SuiteFigures) => string): Map<string, SuiteFigures[]> {
  const m = new Map<string, SuiteFigures[]>()
  for (const f of fs) m.set(key(f), [...(m.get(key(f)) ?? []), f])
  return m
}

function line(label: string, t: Totals): string {
  return `${label}: upstream ${t.upstream}, ported ${t.ported} (${pct(t.ported, t.upstream)} of upstream), passing ${t.passing} (${pct(t.passing, t.ported)} of ported)`
}

function report(fs: readonly SuiteFigures[]): string {
  const lines = ['', '== Conformance to the upstream projects’ own test suites ==']
  for (const [project, pfs] of groups(fs, (f) => f.project)) {
    lines.push('', line(project, sum(pfs)))
    for (const [area, afs] of groups(pfs, (f) => `${f.twin} ${f.area}`)) lines.push(`  ${line(area, sum(afs))}`)
  }
  const failing = fs.flatMap((f) =>
    f.failing.map((c) => `  ${f.project} ${f.twin} ${f.area}: ${c.name}${c.gap ? ` — ${c.gap}` : c.error ? ` — ${c.error}` : ''}`),
  )
  const unported = fs.flatMap((f) => f.notPorted.map((c) => `  ${f.project} ${f.twin} ${f.area}: ${c.name} — ${c.reason}`))
  lines.push('', `Failing (${failing.length}):`, ...failing, '', `Not ported (${unported.length}):`, ...unported)
  return lines.join('\n')
}

function table(fs: readonly SuiteFigures[]): string {
  const rows = ['| project | twin | area / source | upstream | ported | passing |', '| --- | --- | --- | ---: | ---: | ---: |']
  for (const [project, pfs] of groups(fs, (f) => f.project)) {
    for (const f of pfs) rows.push(`| ${project} | ${f.twin} | ${f.area}: \`${f.source}\` | ${f.upstream} | ${f.ported} | ${f.passing} |`)
    const t = sum(pfs)
    rows.push(
      `| **${project}** | | **total** | **${t.upstream}** | **${t.ported} (${pct(t.ported, t.upstream)})** | **${t.passing} (${pct(t.passing, t.ported)})** |`,
    )
  }
  return rows.join('\n')
}
