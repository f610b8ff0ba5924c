// The daemon's AWS calls count as busy on the sandbox's clock, except SQS long polls.

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs'
import { Clock } from '../../../sandbox/runtime/clock.ts'
import { countBusy } from '../../../sandbox/runtime/busy-clients.ts'
import { FakeRealTime } from './fake-real-time.ts'

describe('countBusy', () => {
  it('counts a call as busy until its answer, and a long poll not at all', async () => {
    const clock = new Clock({ scale: 20, real: new FakeRealTime() })
    const busyWhileServed: boolean[] = []
    const server = createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        busyWhileServed.push(clock.isBusy)
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ QueueUrl: 'http://q/1', Messages: [] }))
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const sqs = countBusy(
      new SQSClient({
        region: 'eu-west-2',
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      }),
      clock,
    )
    try {
      await sqs.send(new GetQueueUrlCommand({ QueueName: 'q' }))
      await sqs.send(new ReceiveMessageCommand({ QueueUrl: 'http://q/1', WaitTimeSeconds: 5 }))
      await sqs.send(new ReceiveMessageCommand({ QueueUrl: 'http://q/1' }))
      assert.deepEqual(busyWhileServed, [true, false, true])
      assert.equal(clock.isBusy, false)
    } finally {
      sqs.destroy()
      clock.close()
      await new Promise((r) => server.close(r))
    }
  })
})
