// isAlive: a sandbox whose daemon has exited is down, even before its parent reaps it.

import assert from 'node:assert/strict'
import { execa } from 'execa'
import { platform } from 'node:os'
import { describe, it } from 'node:test'
import { isAlive } from '../../../sandbox/state.ts'

describe('isAlive', () => {
  it('is true for a running process and false for none', () => {
    assert.equal(isAlive(process.pid), true)
    assert.equal(isAlive(undefined), false)
    assert.equal(isAlive(2 ** 22 + 12345), false, 'beyond pid_max')
  })

  it('is false for a process that exited but is not reaped (a zombie)', { skip: platform() !== 'linux' && 'reads /proc' }, async () => {
    // Python forks a child that exits at once and never reaps it (it has no SIGCHLD handler). A
    // shell would not do: dash reaps a finished background job whenever it gets the chance, which
    // on a busy machine can be before its `exec`.
    const parent = execa('python3', ['-c', 'import os, time\npid = os.fork()\nif pid == 0: os._exit(0)\nprint(pid, flush=True)\ntime.sleep(30)'], {
      reject: false,
    })
    try {
      const pid = await new Promise<number>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))))
      const deadline = Date.now() + 5_000
      while (!/\) Z /.test(await execa('cat', [`/proc/${pid}/stat`], { reject: false }).then((r) => r.stdout)) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20))
      assert.doesNotThrow(() => process.kill(pid, 0), 'signal 0 still reaches a zombie')
      assert.equal(isAlive(pid), false)
    } finally {
      parent.kill()
      await parent
    }
  })
})
