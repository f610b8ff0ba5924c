// `spotcheck drift` shows each run's progress (its cucumber-js's stderr, where the progress
// formatter writes when stdout is not a terminal) line by line, prefixed (lib/line-relay.ts, tested
// in test/unit/lib/line-relay.test.ts), and ends with one table of run × section × status × wall time.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runConfig, runsTable } from '../../../../support/drift.ts'
import type { DriftRunSpec } from '../../../../support/drift-report.ts'

const spec = (name: string): DriftRunSpec => ({ name, title: name, edition: 'current', asOf: '2026-12-06', expect: 'pass' })

describe("spotcheck drift: a run's progress", () => {
  it("leaves each run's own table out: drift prints one for all runs", () => {
    assert.match(runConfig(spec('current-2026-12-06'), '/p/drift/runs/current-2026-12-06'), /spotcheckProgress: \{ summary: false \}/)
  })

  it('ends with one table: run × section × status × wall time, a failed section with its failing step', () => {
    const runs = ['as-written-2024-01-29', 'current-2026-12-06'].map((name) => {
      const dir = mkdtempSync(join(tmpdir(), 'drift-progress-'))
      mkdirSync(join(dir, 'reports'))
      copyFileSync(join(import.meta.dirname, 'fixture', 'run.ndjson'), join(dir, 'reports', 'messages.ndjson'))
      return { spec: spec(name), dir }
    })
    const missing = { spec: spec('not-started'), dir: join(tmpdir(), 'drift-progress-nothing-here') }
    const table = runsTable([...runs, missing])
    assert.equal(table[0], 'Summary')
    assert.match(table[1], /^ {2}run +section +status +wall time$/)
    assert.match(table[2], /^ {2}as-written-2024-01-29 +Section one +✓ passed +\d+\.\d s$/)
    assert.match(table[3], /^ {2}as-written-2024-01-29 +Section two +✗ failed +\d+\.\d s$/)
    assert.equal(table[4], '      A scenario that fails — Then "a step that fails": expected 3 nodes, saw 2')
    assert.match(table[6], /^ {2}current-2026-12-06 +Section one +✓ passed/)
    assert.equal(table.length, 10, table.join('\n'))
  })
})
