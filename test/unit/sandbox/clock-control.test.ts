// The daemon's control API for tutorial time (sandbox/control-server.ts), with a stand-in for
// moto's scheduler: a local HTTP server that records the fire calls.

import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Clock } from '../../../sandbox/runtime/clock.ts'
import { startControlServer, type ControlServer } from '../../../sandbox/control-server.ts'
import { Store } from '../../../sandbox/kube/store.ts'
import { FakeRealTime } from './fake-real-time.ts'

const real = new FakeRealTime()
const clock = new Clock({ scale: 20, capMs: 100, tickMs: 50, real })
const t0 = clock.tutorialNow()
const store = new Store({ tutorialNow: () => clock.tutorialNow() })
const fires: { url: string; body: unknown; busy: boolean }[] = []
let holdFire: Promise<void> = Promise.resolve()
let hookBusy: boolean | undefined
let control: ControlServer
let moto: ReturnType<typeof createServer>
let motoUrl = ''

const call = async (method: string, path: string, body?: unknown) => {
  const r = await fetch(`${control.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await r.text()
  return { status: r.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined }
}

/** Lets real time pass until `done()` holds (the HTTP round trips are real I/O). */
async function until(done: () => boolean, step = 50): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) {
    await real.pass(step)
    await new Promise((r) => setTimeout(r, 5))
  }
}

before(async () => {
  moto = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      fires.push({ url: req.url!, body: JSON.parse(Buffer.concat(chunks).toString()), busy: clock.isBusy })
      void holdFire.then(() => res.writeHead(200).end('{}'))
    })
  })
  await new Promise<void>((resolve) => moto.listen(0, '127.0.0.1', resolve))
  motoUrl = `http://127.0.0.1:${(moto.address() as AddressInfo).port}`
  control = await startControlServer({
    hooks: {
      'test.hook': async () => {
        hookBusy = clock.isBusy
      },
    },
    synchronous: new Set(['test.hook']),
    status: () => ({}),
    log: () => undefined,
    clock,
    awsEndpoint: () => motoUrl,
    tutorialTimes: (name, afterRv, limit) => (name === 'spotcheck' ? store.tutorialTimes(afterRv, limit) : undefined),
  })
})

after(async () => {
  await control.close()
  await new Promise((r) => moto.close(r))
  clock.close()
})

describe('control API: tutorial time', () => {
  it('GET /v1/clock answers tutorial time, wall time, scale and epoch', async () => {
    await real.pass(100)
    const { status, body } = await call('GET', '/v1/clock')
    assert.equal(status, 200)
    assert.deepEqual(Object.keys(body!).sort(), ['epochMs', 'scale', 'tutorialMs', 'wallMs'])
    assert.equal(body!.tutorialMs, t0 + 2_000)
    assert.equal(body!.scale, 20)
    assert.equal(body!.epochMs, t0)
  })

  it('GET /v1/clusters/<name>/tutorial-times pages the journal after a resourceVersion', async () => {
    const rv0 = Number(store.resourceVersion)
    store.create('configmaps', { metadata: { name: 'a', namespace: 'default' } })
    await real.pass(50)
    store.create('configmaps', { metadata: { name: 'b', namespace: 'default' } })
    const { status, body } = await call('GET', `/v1/clusters/spotcheck/tutorial-times?afterRv=${rv0}`)
    assert.equal(status, 200)
    const entries = body!.entries as [number, number][]
    assert.deepEqual(
      entries.map(([rv]) => rv),
      [rv0 + 1, rv0 + 2],
    )
    assert.equal(entries[1][1] - entries[0][1], 1_000)
    assert.equal(body!.more, undefined)
    assert.equal((await call('GET', '/v1/clusters/nope/tutorial-times?afterRv=0')).status, 404)
    assert.equal((await call('GET', '/v1/clusters/spotcheck/tutorial-times?afterRv=x')).status, 400)
  })

  it('POST /v1/clock/after fires moto at exactly the tutorial instant, busy until moto answered', async () => {
    let release!: () => void
    holdFire = new Promise((r) => (release = r))
    const start = clock.tutorialNow()
    const { status } = await call('POST', '/v1/clock/after', { id: 'spot-notice/i-0abc', delayMs: 120_000 })
    assert.equal(status, 204)
    await until(() => fires.length > 0)
    assert.equal(fires[0].url, '/_spotcheck/scheduler/spot-notice%2Fi-0abc/fire')
    const firedAt = (fires[0].body as { tutorialMs: number }).tutorialMs
    assert.ok(firedAt >= start + 120_000 && firedAt < start + 120_000 + 1_000, `fired at +${firedAt - start}`)
    assert.equal(fires[0].busy, true)
    // Busy: tutorial time runs at 1× while moto handles the fire.
    const before = clock.tutorialNow()
    await real.pass(500)
    assert.equal(clock.tutorialNow() - before, 500)
    release()
    await until(() => !clock.isBusy, 1)
    assert.equal(clock.isBusy, false)
  })

  it('DELETE /v1/clock/after/<id> cancels; a bad body is a 400 naming the field', async () => {
    fires.length = 0
    assert.equal((await call('POST', '/v1/clock/after', { id: 'gone', delayMs: 1_000 })).status, 204)
    assert.equal((await call('DELETE', '/v1/clock/after/gone')).status, 204)
    await real.pass(500)
    await new Promise((r) => setTimeout(r, 20))
    assert.deepEqual(fires, [])
    const bad = await call('POST', '/v1/clock/after', { id: 'x', delayMs: -1 })
    assert.equal(bad.status, 400)
    assert.match(String(bad.body!.error), /delayMs/)
  })

  it('counts a hook from moto as busy while it is handled', async () => {
    assert.equal((await call('POST', '/v1/hooks/test.hook', {})).status, 200)
    assert.equal(hookBusy, true)
  })
})
