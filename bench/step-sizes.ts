// Step definition sizes (issue 13's measure): the lines of each Given/When/Then(...) call, from its
// first line to its closing `})` at the start of a line. `node bench/step-sizes.ts [files…]`
// prints each file's count, median and maximum, the steps over 15 lines, and the totals.

import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

export function stepSizes(source: string): { line: number; lines: number; text: string }[] {
  const lines = source.split('\n')
  const out: { line: number; lines: number; text: string }[] = []
  for (let i = 0; i < lines.length; i++) {
    if (!/^(Given|When|Then)\(/.test(lines[i])) continue
    let end = i
    while (end < lines.length && !/^\}?\)/.test(lines[end])) end++
    out.push({ line: i + 1, lines: end - i + 1, text: (lines[i].match(/['"`/](.{0,60})/)?.[1] ?? lines[i + 1]?.trim() ?? '').slice(0, 60) })
  }
  return out
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

if (import.meta.main) {
  const files = process.argv.length > 2 ? process.argv.slice(2) : readdirSync('steps').filter((f) => f.endsWith('.steps.ts')).map((f) => join('steps', f))
  const all: number[] = []
  for (const file of files) {
    const sizes = stepSizes(readFileSync(file, 'utf8'))
    const n = sizes.map((s) => s.lines)
    all.push(...n)
    console.log(`${file}: ${n.length} steps, median ${median(n)}, max ${Math.max(0, ...n)}`)
    for (const s of sizes.filter((s) => s.lines > 15)) console.log(`  ${file}:${s.line} ${s.lines} lines: ${s.text}`)
  }
  console.log(`all: ${all.length} steps, median ${median(all)}, max ${Math.max(0, ...all)}, over 5: ${all.filter((n) => n > 5).length}, over 15: ${all.filter((n) => n > 15).length}`)
}
