// The Karpenter log recorder over a long run (audit A10), against a fake API server whose pod
// watch and log streams close after a while, as a real one does after --min-request-timeout: the
// log is followed again from the last line's time (sinceTime), lines repeated by a stream opened
// again are kept once, a stream that ends is followed again though the watch says nothing new,
// and a watch from an expired resourceVersion (410 Gone) lists again.
import { afterEach, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { connect } from '../../../support/kube.ts'
import { KarpenterLog, field, logLineOf, sinceTimeOf, splitTimestamp } from '../../../support/recorders.ts'
import { writeKubeconfig } from './kubeconfig.ts'

interface FakeOptions {
  /** How long a log stream stays open before the server ends it. */
  logStreamMs: number
  /** How long a watch stays open (undefined: until the client goes). */
  watchMs?: number
  /** Answer a watch from this resourceVersion with an ERROR 410 event. */
  expiredVersion?: string
  listVersion?: string
}

const POD = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'karpenter-6f9c', namespace: 'karpenter', resourceVersion: '11', labels: { 'app.kubernetes.io/name': 'karpenter' } },
  spec: { containers: [{ name: 'controller' }] },
  status: { phase: 'Running', containerStatuses: [{ name: 'controller', state: { running: { startedAt: '2026-12-06T05:00:00Z' } } }] },
}

/** A Karpenter pod that logs a line every 40 ms, several in each second (as Karpenter does). */
function fakeApiServer(options: FakeOptions) {
  const log: { ms: number; ns: string; line: string }[] = []
  const requests = { lists: 0, watches: [] as (string | null)[], logs: [] as (string | null)[] }
  const open = new Set<ServerResponse>()
  const write = () => {
    const now = Date.now()
    const ns = `${new Date(now).toISOString().slice(0, 19)}.${String(now % 1000).padStart(3, '0')}${String(log.length % 1000).padStart(3, '0')}123Z`
    log.push({ ms: now, ns, line: JSON.stringify({ level: 'INFO', logger: 'controller.provisioner', message: 'created nodeclaim', n: log.length }) })
  }
  const ticker = setInterval(write, 40)
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const q = url.searchParams
    const end = (ms: number | undefined) => {
      open.add(res)
      res.on('close', () => open.delete(res))
      if (ms !== undefined) setTimeout(() => res.end(), ms)
    }
    if (url.pathname === '/api/v1/namespaces/karpenter/pods' && q.get('watch') !== 'true') {
      requests.lists++
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: options.listVersion ?? '20' }, items: [POD] }))
      return
    }
    if (url.pathname === '/api/v1/namespaces/karpenter/pods') {
      const rv = q.get('resourceVersion')
      requests.watches.push(rv)
      res.writeHead(200, { 'content-type': 'application/json' })
      if (rv && rv === options.expiredVersion) {
        res.end(
          JSON.stringify({
            type: 'ERROR',
            object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `too old resource version: ${rv} (30)`, reason: 'Expired', code: 410 },
          }) + '\n',
        )
        return
      }
      // A watch without a resourceVersion starts with every existing pod, ADDED (the API server's
      // "get state and start at most recent").
      if (!rv) res.write(JSON.stringify({ type: 'ADDED', object: POD }) + '\n')
      res.write(
        JSON.stringify({ type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: String(30 + requests.watches.length) } } }) +
          '\n',
      )
      end(options.watchMs)
      return
    }
    if (url.pathname === '/api/v1/namespaces/karpenter/pods/karpenter-6f9c/log') {
      requests.logs.push(q.get('sinceTime'))
      const timestamps = q.get('timestamps') === 'true'
      const since = q.get('sinceTime') ? Date.parse(q.get('sinceTime')!) : 0
      res.writeHead(200, { 'content-type': 'text/plain' })
      let sent = 0
      const flush = () => {
        for (; sent < log.length; sent++) if (log[sent].ms >= since) res.write(`${timestamps ? `${log[sent].ns} ` : ''}${log[sent].line}\n`)
      }
      flush()
      const follow = setInterval(flush, 10)
      res.on('close', () => clearInterval(follow))
      setTimeout(() => {
        clearInterval(follow)
        res.end()
      }, options.logStreamMs)
      return
    }
    res.writeHead(404).end()
  })
  return {
    server,
    log,
    requests,
    async listen(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      return `http://127.0.0.1:${(server.address() as { port: number }).port}`
    },
    close() {
      clearInterval(ticker)
      for (const r of open) r.destroy()
      server.closeAllConnections()
      server.close()
    },
  }
}

const kubeconfig = (server: string) => writeKubeconfig(server)

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function record(options: FakeOptions, ms: number) {
  const fake = fakeApiServer(options)
  cleanups.push(() => fake.close())
  const url = await fake.listen()
  const errors: string[] = []
  const log = new KarpenterLog(connect({ KUBECONFIG: kubeconfig(url) }), (m) => errors.push(m), 'karpenter', 'app.kubernetes.io/name=karpenter', 50)
  log.start()
  await sleep(ms)
  log.stop()
  const written = fake.log.length
  fake.close()
  return { fake, log, errors, written, numbers: log.lines.map((l) => field(l, 'n') as number) }
}

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

describe("Karpenter's log over a long run", () => {
  it('keeps each line once when the streams and the pod watch close and open again', async () => {
    const { fake, numbers, written } = await record({ logStreamMs: 300, watchMs: 250 }, 2_500)
    assert.ok(fake.requests.logs.length >= 4, `the log was followed again (${fake.requests.logs.length} streams)`)
    assert.ok(
      fake.requests.logs.slice(1).every((s) => s !== null),
      `followed again from the last line's time: ${JSON.stringify(fake.requests.logs)}`,
    )
    assert.equal(
      new Set(numbers).size,
      numbers.length,
      `lines kept twice: ${numbers
        .filter((n, i) => numbers.indexOf(n) !== i)
        .slice(0, 10)
        .join(', ')}`,
    )
    assert.deepEqual(
      numbers,
      [...numbers].sort((a, b) => a - b),
      'in the order logged',
    )
    assert.ok(numbers.length >= written - 5, `${numbers.length} of ${written} lines kept`)
    assert.deepEqual(
      numbers,
      numbers.map((_, i) => i),
      'no line missing',
    )
    assert.ok(
      fake.requests.watches.slice(1).every((rv) => rv !== null),
      `the pod watch re-opened from its last resourceVersion: ${JSON.stringify(fake.requests.watches)}`,
    )
    assert.equal(fake.requests.lists, 1, 'listed once: no 410 here')
  })

  it('follows a stream that ended again, though the pod watch says nothing new', async () => {
    const { numbers, written } = await record({ logStreamMs: 200 }, 1_500)
    assert.ok(numbers.length >= written - 5, `only ${numbers.length} of the ${written} lines logged were kept: the stream was not followed again`)
    assert.equal(new Set(numbers).size, numbers.length)
  })

  it('lists again after a 410 Gone, instead of watching from the expired version over and over', async () => {
    const { fake, numbers } = await record({ logStreamMs: 5_000, watchMs: 100, listVersion: '20', expiredVersion: '20' }, 1_000)
    assert.ok(fake.requests.lists >= 2, `listed ${fake.requests.lists} time(s)`)
    assert.ok(fake.requests.watches.length < 40, `${fake.requests.watches.length} watches in a second`)
    assert.equal(new Set(numbers).size, numbers.length, 'a pod listed again is not followed twice')
  })
})

describe("a scenario's log after a restored snapshot", () => {
  it('starts at the first line logged from the restored instant, found whenever it arrives', () => {
    const log = new KarpenterLog(connect({ KUBECONFIG: kubeconfig('http://127.0.0.1:9') }), () => {})
    const restoredAt = Date.parse('2024-01-29T10:15:00Z')
    const line = (time: string) => logLineOf(log.length, 'karpenter-1', JSON.stringify({ level: 'INFO', time, message: 'm' }))
    assert.equal(log.firstIndexFrom(restoredAt), 0, "nothing read yet: nothing is the scenario's")
    log.lines.push(line('2024-01-29T10:01:00Z'), line('2024-01-29T10:14:59.999Z'))
    assert.equal(log.firstIndexFrom(restoredAt), 2, "the restored pod's earlier lines are not the scenario's")
    log.lines.push(logLineOf(2, 'karpenter-1', 'not JSON'), line('2024-01-29T10:15:00Z'), line('2024-01-29T10:15:04Z'))
    assert.equal(log.firstIndexFrom(restoredAt), 3)
  })
})

describe('log line timestamps', () => {
  it('reads the kubelet prefix to the nanosecond, and asks again from its whole second', () => {
    const a = splitTimestamp('2026-12-06T05:15:22.123456789Z {"a":1}')
    assert.deepEqual(a, { ns: 1796534122123456789n, line: '{"a":1}' })
    // RFC3339Nano drops trailing zeros: .1 is later than .09, not earlier.
    assert.ok(splitTimestamp('2026-12-06T05:15:22.1Z x').ns! > splitTimestamp('2026-12-06T05:15:22.09Z x').ns!)
    assert.deepEqual(splitTimestamp('not a timestamp'), { line: 'not a timestamp' })
    assert.equal(sinceTimeOf(a.ns), '2026-12-06T05:15:22Z')
  })
})
