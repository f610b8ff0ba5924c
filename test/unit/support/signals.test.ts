// SIGINT then SIGTERM (what GitHub Actions sends on cancel, ~7.5 s apart) must not start two
// clean-ups side by side: the second signal exits at once, the first clean-up is the only one.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { signalHandler } from '../../../support/signals.ts'

function fakeRun() {
  let release!: () => void
  const gate = new Promise<void>((r) => (release = r))
  const run = {
    id: 'r1',
    finishes: 0,
    lines: [] as string[],
    progress(line: string) {
      run.lines.push(line)
    },
    async finish() {
      run.finishes++
      await gate
    },
  }
  return { run, release }
}

describe('signals', () => {
  it('SIGINT then SIGTERM: one clean-up; the SIGTERM exits 143 at once, naming cleanup --run', async () => {
    const { run, release } = fakeRun()
    const exits: number[] = []
    const handler = signalHandler(
      () => run,
      (code) => exits.push(code),
    )
    const first = handler.handle('SIGINT')
    await handler.handle('SIGTERM')
    assert.equal(run.finishes, 1)
    assert.deepEqual(exits, [143])
    assert.match(run.lines.at(-1)!, /npx spotcheck cleanup --run r1/)
    release()
    await first
    assert.deepEqual(exits, [143, 130])
    assert.equal(run.finishes, 1)
    assert.equal(handler.interrupted, 'SIGINT')
  })

  it('Ctrl-C twice stops the clean-up too; no run yet: exits at once', async () => {
    const { run } = fakeRun()
    const exits: number[] = []
    const handler = signalHandler(
      () => run,
      (code) => exits.push(code),
    )
    void handler.handle('SIGINT')
    await handler.handle('SIGINT')
    assert.deepEqual(exits, [130])
    assert.equal(run.finishes, 1)
    const none: number[] = []
    await signalHandler(
      () => undefined,
      (code) => none.push(code),
    ).handle('SIGTERM')
    assert.deepEqual(none, [143])
  })
})
