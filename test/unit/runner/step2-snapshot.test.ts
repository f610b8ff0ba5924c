// The cluster tests' Step 2, once per test run (test/integration/cluster/step2-snapshot.ts): who
// makes it, who waits, who restores, and what happens when the maker fails or dies. Publishing is
// played here by writing the record a real publish() writes beside the saved snapshot; the real
// save and restore run in the cluster test files themselves.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SharedStep2 } from '../../integration/cluster/step2-snapshot.ts'

const shape = { kubernetesVersion: '1.29', karpenterChartVersion: 'v0.32.1' }
const published = (s: SharedStep2) => {
  mkdirSync(s.dir, { recursive: true })
  writeFileSync(join(s.dir, 'step2.json'), JSON.stringify({ madeBy: 'first', leaseTransitions: 0 }))
}

describe("the cluster tests' Step 2, once per test run", () => {
  it('the first to ask makes it; the next waits while it is made and then restores it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spotcheck-step2-test-'))
    const first = new SharedStep2(shape, dir)
    const second = new SharedStep2(shape, dir)
    assert.equal(await first.take(), 'make')
    let answered: string | undefined
    const waiting = second.take().then((r) => (answered = r))
    await new Promise((r) => setTimeout(r, 1_200))
    assert.equal(answered, undefined, 'waits while the first makes it')
    published(first)
    first.release()
    assert.equal(await waiting, 'restore')
    assert.deepEqual(second.published, { madeBy: 'first', leaseTransitions: 0 })
  })

  it('another shape of Step 2 is made on its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spotcheck-step2-test-'))
    assert.equal(await new SharedStep2(shape, dir).take(), 'make')
    assert.equal(await new SharedStep2({ ...shape, kubernetesVersion: '1.35' }, dir).take(), 'make')
  })

  it('when the maker gives up without publishing, the next one makes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spotcheck-step2-test-'))
    const first = new SharedStep2(shape, dir)
    assert.equal(await first.take(), 'make')
    const waiting = new SharedStep2(shape, dir).take()
    setTimeout(() => first.release(), 600)
    assert.equal(await waiting, 'make')
  })

  it('when the maker died, its lock is taken over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spotcheck-step2-test-'))
    const s = new SharedStep2(shape, dir)
    const dead = spawnSync(process.execPath, ['-e', '0']).pid
    mkdirSync(s.lock)
    writeFileSync(join(s.lock, 'pid'), String(dead))
    assert.equal(await new SharedStep2(shape, dir).take(2_000), 'make')
  })

  it('a live maker that takes too long is an error naming its lock, not a second Step 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spotcheck-step2-test-'))
    const s = new SharedStep2(shape, dir)
    assert.equal(await s.take(), 'make')
    await assert.rejects(new SharedStep2(shape, dir).take(700), (e: Error) => e.message.includes(s.lock))
  })
})
