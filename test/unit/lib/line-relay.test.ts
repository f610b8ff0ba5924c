// Whole lines out of a child's output, however its pipe cuts the bytes: what `spotcheck drift`
// shows of each run, and what the suite shows of `sandbox up`.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { lineRelay } from '../../../lib/line-relay.ts'

describe('lineRelay', () => {
  it('shows whole lines, however the chunks cut them', () => {
    const shown: string[] = []
    const relay = lineRelay((l) => shown.push(`[run] ${l}`))
    relay.push('▶ Section one\n  • A sce')
    relay.push('nario\r\n✓ Section one: passed in 1.0 s\nhalf')
    assert.deepEqual(shown, ['[run] ▶ Section one', '[run]   • A scenario', '[run] ✓ Section one: passed in 1.0 s'])
    relay.flush()
    assert.equal(shown.at(-1), '[run] half')
  })

  it('keeps a character whole when a chunk ends inside its bytes', () => {
    const shown: string[] = []
    const relay = lineRelay((l) => shown.push(l))
    const bytes = Buffer.from('▶ Section one\n… waiting') // ▶ bytes 0–2, "\n" 15, … 16–18
    relay.push(bytes.subarray(0, 1))
    relay.push(bytes.subarray(1, 17))
    relay.push(bytes.subarray(17))
    relay.flush()
    assert.deepEqual(shown, ['▶ Section one', '… waiting'])
  })
})
