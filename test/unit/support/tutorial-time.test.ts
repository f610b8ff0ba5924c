// The run's tutorial clock: the sandbox's (GET /v1/clock, the tutorial-times journal, fetched in
// pages over HTTP from a stand-in control endpoint) and the wall clock on AWS.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SandboxTutorialTime, WallTutorialTime, awsCliTimestamp, logTimeMs, tutorialTimeFor } from '../../../support/tutorial-time.ts'

describe("the sandbox's tutorial clock", () => {
  let server: Server
  let url = ''
  const requests: string[] = []
  // The daemon's journal: rv 1..12000 written at tutorial 1e12 + rv × 10.
  const journal = Array.from({ length: 12_000 }, (_, i) => [i + 1, 1e12 + (i + 1) * 10] as [number, number])
  const tutorialMs = 1e12 + 500_000

  before(async () => {
    server = createServer((req, res) => {
      requests.push(req.url!)
      const u = new URL(req.url!, 'http://x')
      const json = (code: number, body: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' })
        res.end(JSON.stringify(body))
      }
      if (u.pathname === '/v1/clock') return json(200, { tutorialMs, wallMs: Date.now(), scale: 20, epochMs: 1e12 })
      const m = /^\/v1\/clusters\/([^/]+)\/tutorial-times$/.exec(u.pathname)
      if (m && m[1] === 'spot-and-karpenter') {
        const after = Number(u.searchParams.get('afterRv') ?? 0)
        const rest = journal.filter(([rv]) => rv > after)
        return json(200, { entries: rest.slice(0, 5000), ...(rest.length > 5000 ? { more: true } : {}) })
      }
      json(404, { error: 'no such endpoint' })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(() => new Promise<void>((r) => server.close(() => r())))

  it('reads now from GET /v1/clock', async () => {
    const clock = new SandboxTutorialTime({ controlUrl: url, cluster: 'spot-and-karpenter', scale: 20 })
    assert.equal(await clock.now(), tutorialMs)
  })

  it("resolves a watch event's resourceVersion through the journal, fetched in pages and only once", async () => {
    requests.length = 0
    const clock = new SandboxTutorialTime({ controlUrl: url, cluster: 'spot-and-karpenter', scale: 20 })
    await clock.sync()
    assert.deepEqual(
      requests.filter((r) => r.includes('tutorial-times')),
      [
        '/v1/clusters/spot-and-karpenter/tutorial-times?afterRv=0',
        '/v1/clusters/spot-and-karpenter/tutorial-times?afterRv=5000',
        '/v1/clusters/spot-and-karpenter/tutorial-times?afterRv=10000',
      ],
    )
    assert.equal(clock.size, 12_000)
    // However late the run saw it (at), the instant is the write's.
    assert.equal(clock.of({ at: Date.now() + 99_999, rv: '7' }), 1e12 + 70)
    assert.equal(clock.of({ at: 0, rv: '12000' }), 1e12 + 120_000)
    requests.length = 0
    journal.push([12_001, 1e12 + 999_999])
    await clock.sync()
    assert.deepEqual(
      requests.filter((r) => r.includes('tutorial-times')),
      ['/v1/clusters/spot-and-karpenter/tutorial-times?afterRv=12000'],
    )
    assert.equal(clock.of({ at: 0, rv: '12001' }), 1e12 + 999_999)
  })

  it('places an observation without a resourceVersion from its clock readings, at the nominal scale beyond them', async () => {
    let wall = 1_000_000
    let tutorial = 5_000_000
    const clock = new SandboxTutorialTime({
      controlUrl: 'http://unused',
      cluster: 'c',
      scale: 20,
      fetchJson: async (u) => (u.endsWith('/v1/clock') ? { tutorialMs: tutorial, wallMs: wall, scale: 20, epochMs: 0 } : { entries: [] }),
    })
    await clock.now()
    wall += 1_000
    tutorial += 5_000 // a busy second: the clock ran 5×, not 20×
    await clock.now()
    assert.equal(clock.of({ at: 1_000_500 }), 5_002_500)
    assert.equal(clock.of({ at: 1_002_000 }), 5_005_000 + 20_000)
    assert.equal(clock.of({ at: 999_000, rv: '42' }), 5_000_000 - 20_000, 'an rv the journal lacks is placed by its wall time')
  })

  it('says what was wrong with a bad answer, naming the URL', async () => {
    const clock = new SandboxTutorialTime({ controlUrl: url, cluster: 'no-such-cluster', scale: 20 })
    await assert.rejects(clock.sync(), /\/v1\/clusters\/no-such-cluster\/tutorial-times\?afterRv=0: HTTP 404/)
    const odd = new SandboxTutorialTime({ controlUrl: 'http://x', cluster: 'c', scale: 1, fetchJson: async () => ({ entries: [[1, 'soon']] }) })
    await assert.rejects(odd.sync(), /entries\[0\] is \[1,"soon"\], not \[rv, tutorialMs\]/)
  })
})

describe('the wall clock (AWS)', () => {
  it('is tutorial time on AWS: now is Date.now(), an observation is when it was seen', async () => {
    const clock = new WallTutorialTime(() => 1234)
    assert.equal(await clock.now(), 1234)
    assert.equal(clock.of({ at: 999, rv: '5' }), 999)
    assert.equal(clock.scale, 1)
  })

  it("is chosen for a target without a control endpoint; the sandbox's clock for one with it", () => {
    assert.ok(tutorialTimeFor({ timeScale: 1 }, 'c') instanceof WallTutorialTime)
    assert.ok(tutorialTimeFor({ timeScale: 20, controlUrl: 'http://127.0.0.1:1' }, 'c') instanceof SandboxTutorialTime)
  })
})

describe('Karpenter log times', () => {
  it('reads the tutorial instant from a line\'s "time"', () => {
    assert.equal(logTimeMs({ time: '2024-01-29T08:47:28.123Z' }), Date.parse('2024-01-29T08:47:28.123Z'))
    assert.equal(logTimeMs({ time: 1706518048.5 }), 1706518048500)
    assert.equal(logTimeMs({ time: 'yesterday' }), undefined)
    assert.equal(logTimeMs(undefined), undefined)
  })
})

describe('a sandbox without a tutorial clock (its daemon answers 404)', () => {
  it('estimates every instant alike from the wall clock × scale: observations, stamps and now', async () => {
    let wall = 1_000_000
    const clock = new SandboxTutorialTime({
      controlUrl: 'http://x',
      cluster: 'c',
      scale: 20,
      wallNow: () => wall,
      fetchJson: () => Promise.reject(new Error('GET http://x/v1/clock: HTTP 404 {"error":"no such endpoint"}')),
    })
    await clock.sync()
    assert.ok(clock.legacy)
    wall += 1_000
    assert.equal((await clock.now()) - clock.of({ at: 1_000_000, rv: '3' })!, 20_000)
    assert.equal(clock.stamped(1_000_500) - clock.of({ at: 1_000_000 })!, 10_000)
    await assert.rejects(
      new SandboxTutorialTime({ controlUrl: 'http://x', cluster: 'c', scale: 20, fetchJson: () => Promise.reject(new Error('ECONNREFUSED')) }).now(),
      /ECONNREFUSED/,
    )
  })
})

describe('awsCliTimestamp: a time as the aws CLI prints it', () => {
  it('reads ISO 8601 (CLI v2) and epoch seconds (CLI v1, or cli_timestamp_format = none), as a number or a string', () => {
    assert.equal(awsCliTimestamp('2026-12-06T11:15:38.396000+00:00'), Date.parse('2026-12-06T11:15:38.396Z'))
    assert.equal(awsCliTimestamp(1796555738.396), 1796555738396)
    assert.equal(awsCliTimestamp('1796555738.5'), 1796555738500)
    assert.ok(Number.isNaN(awsCliTimestamp(undefined)))
    assert.ok(Number.isNaN(awsCliTimestamp('yesterday')))
  })
})
