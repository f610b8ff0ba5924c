// The run's progress lines: to the progress formatter when it listens (support/formatters/channel.ts),
// redacted, and every one of them in the run's progress.log (the formatter folds some into its status line).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Run } from '../../../../support/run.ts'
import { onProgress } from '../../../../support/formatters/channel.ts'

describe("a run's progress lines", () => {
  it('reach the listening formatter, redacted, and all go to progress.log in the run directory', () => {
    const run = new Run({ target: 'sandbox' }, mkdtempSync(join(tmpdir(), 'run-progress-')))
    run.redactor.addAccount('123456789012')
    const heard: string[] = []
    const stop = onProgress((l) => heard.push(l))
    try {
      run.progress('account 123456789012 answers')
      run.progress('… Karpenter launches a node: not yet (5 s of 2 min)')
    } finally {
      stop()
    }
    assert.equal(heard.length, 2)
    assert.doesNotMatch(heard[0], /123456789012/)
    assert.deepEqual(readFileSync(join(run.dir, 'progress.log'), 'utf8').split('\n').filter(Boolean), heard)
  })
})
