// The step definitions stay thin: each a few lines over the expectation layer (support/expect/),
// as cucumber-js's own steps are (median 5 lines). A step that grows past 15 lines has logic that
// belongs in a named function there; this test names it.

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from '../../../lib/paths.ts'

interface StepSize {
  where: string
  lines: number
}

/** The lines of each top-level Given/When/Then(...) call, from its first line to its closing `)`. */
function stepSizes(file: string, source: string): StepSize[] {
  const lines = source.split('\n')
  const out: StepSize[] = []
  for (let i = 0; i < lines.length; i++) {
    if (!/^(Given|When|Then)\(/.test(lines[i])) continue
    let end = i
    while (end < lines.length && !/^\}?\)/.test(lines[end])) end++
    out.push({ where: `${file}:${i + 1}`, lines: end - i + 1 })
  }
  return out
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

const stepsDir = join(projectRoot, 'steps')
const sizes = readdirSync(stepsDir)
  .filter((f) => f.endsWith('.steps.ts'))
  .flatMap((f) => stepSizes(`steps/${f}`, readFileSync(join(stepsDir, f), 'utf8')))

describe('step definitions', () => {
  it('are measured from the call to its closing parenthesis', () => {
    const source = "Given('a', function () {\n  one()\n})\n\nThen(\n  'b',\n  async function () {\n    two()\n  },\n)\n"
    assert.deepEqual(
      stepSizes('x.steps.ts', source).map((s) => s.lines),
      [3, 6],
    )
  })

  it('are a few lines each: median at most 5, none over 15', () => {
    assert.ok(sizes.length > 50, `only ${sizes.length} step definitions found in steps/`)
    const long = sizes.filter((s) => s.lines > 15).map((s) => `${s.where} (${s.lines} lines)`)
    assert.deepEqual(long, [], 'steps over 15 lines: move their logic into support/expect/')
    assert.ok(median(sizes.map((s) => s.lines)) <= 5, `median step size ${median(sizes.map((s) => s.lines))} lines (at most 5)`)
  })
})
