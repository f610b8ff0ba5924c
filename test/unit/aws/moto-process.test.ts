// startMoto / checkMotoInstalled: what the sandbox relies on before anything talks to moto.

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkMotoInstalled, MOTO_INSTALL_COMMAND, startMoto } from '../../../sandbox/aws/moto-process.ts'

function fakePython(dir: string, script: string): string {
  const file = join(dir, 'python3')
  writeFileSync(file, `#!/bin/sh\n${script}\n`)
  chmodSync(file, 0o755)
  return file
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

describe('checkMotoInstalled', () => {
  it('finds moto 5.2.x on this machine', async () => {
    assert.match(await checkMotoInstalled(), /^5\.2\.\d+/)
  })

  it('names the install command when moto is missing or the wrong version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spotcheck-fake-python-'))
    try {
      const missing = fakePython(dir, 'echo "ModuleNotFoundError: No module named \'moto\'" >&2; exit 1')
      await assert.rejects(checkMotoInstalled(missing), (e: Error) => e.message.includes(MOTO_INSTALL_COMMAND) && e.message.includes('No module named'))
      const old = fakePython(dir, 'printf 4.2.14')
      await assert.rejects(checkMotoInstalled(old), (e: Error) => e.message.includes(MOTO_INSTALL_COMMAND) && e.message.includes('4.2.14'))
      await assert.rejects(checkMotoInstalled(join(dir, 'no-such-python')), (e: Error) => e.message.includes('was not found'))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('startMoto', () => {
  it('starts on a free port, answers /moto-api/ and /spotcheck-api/, and frees the port on stop', async () => {
    const moto = await startMoto({ port: 0, timeScale: 30, region: 'eu-west-2', spotSeed: 7 })
    try {
      assert.match(moto.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/)
      assert.ok(moto.pid > 0)
      assert.equal((await fetch(`${moto.endpoint}/moto-api/`)).status, 200)
      const health = (await (await fetch(`${moto.endpoint}/spotcheck-api/health`)).json()) as { timeScale: number; spotSeed: number; controlUrl: string | null }
      assert.deepEqual(health, { ok: true, timeScale: 30, spotSeed: 7, controlUrl: null })
      assert.equal((await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' })).status, 200)
    } finally {
      await moto.stop()
      await moto.stop() // idempotent
    }
    assert.ok(await portIsFree(moto.port), 'the port is free after stop()')
    assert.throws(() => process.kill(moto.pid, 0), 'the process is gone')
  })

  it('rejects bad options before spawning anything', async () => {
    await assert.rejects(startMoto({ port: 0, timeScale: 0, region: 'eu-west-2' }), /timeScale/)
    await assert.rejects(startMoto({ port: 70000, timeScale: 1, region: 'eu-west-2' }), /port/)
  })

  it('reports a server that cannot start, with its stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spotcheck-fake-python-'))
    try {
      const broken = fakePython(dir, 'echo "boom: cannot bind" >&2; exit 3')
      await assert.rejects(startMoto({ port: 0, timeScale: 1, region: 'eu-west-2', python: broken }), /exited before it was ready[\s\S]*boom: cannot bind/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
