// kubectl's table output (`kubectl get …`), read as a reader reads it: by its columns.

import assert from 'node:assert/strict'

/** The rows of a kubectl table: header tokens and each row split on runs of 2+ spaces (or 1 between simple words). */
export function parseTable(text: string): { headers: string[]; rows: Record<string, string>[] } {
  const lines = text.split('\n').filter((l) => l.trim() !== '')
  const headerLine = lines.findIndex((l) => /^NAME\s/.test(l))
  assert.ok(headerLine >= 0, `no table (no NAME header) in:\n${text.slice(0, 1500)}`)
  const header = lines[headerLine]
  const starts: number[] = []
  for (const m of header.matchAll(/\S+/g)) starts.push(m.index)
  const headers = [...header.matchAll(/\S+/g)].map((m) => m[0])
  const rows = lines.slice(headerLine + 1).map((line) => {
    const row: Record<string, string> = {}
    headers.forEach((h, i) => (row[h] = line.slice(starts[i], starts[i + 1] ?? line.length).trim()))
    return row
  })
  return { headers, rows }
}
