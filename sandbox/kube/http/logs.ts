// GET pods/<name>/log: container logs as text/plain, streamed while `follow=true`, with the
// kubelet's options (tailLines, sinceSeconds, sinceTime, timestamps, limitBytes, previous) and
// the apiserver's messages for a missing or wrong container.

import type { IncomingMessage, ServerResponse } from 'node:http'
import { badRequest } from '../errors.ts'
import { getPath, goList, rfc3339Nano, txt, type KubeObject } from '../json.ts'
import type { PodLogs, LogEntry } from '../pod-logs.ts'
import type { OpenStream } from './watch.ts'
import { boolParam, intParam } from './util.ts'

type O = Record<string, unknown>
const names = (list: unknown) => ((list as O[] | undefined) ?? []).map((c) => String(c.name))

export function serveLogs(pod: KubeObject, q: URLSearchParams, logs: PodLogs, req: IncomingMessage, res: ServerResponse, streams: Set<OpenStream>): void {
  const ns = pod.metadata.namespace!
  const name = pod.metadata.name!
  const spec = ((pod as O).spec ?? {}) as O
  const containers = names(spec.containers)
  const inits = names(spec.initContainers)
  const ephemeral = names(spec.ephemeralContainers)
  let container = q.get('container') ?? ''
  if (!container) {
    if (containers.length === 1) container = containers[0]
    else {
      let msg = `a container name must be specified for pod ${name}, choose one of: ${goList(containers)}`
      if (inits.length) msg += ` or one of the init containers: ${goList(inits)}`
      if (ephemeral.length) msg += ` or one of the ephemeral containers: ${goList(ephemeral)}`
      throw badRequest(msg)
    }
  }
  if (![...containers, ...inits, ...ephemeral].includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`)
  const previous = boolParam(q.get('previous')) === true
  const follow = boolParam(q.get('follow')) === true
  const timestamps = boolParam(q.get('timestamps')) === true
  const tailLines = intParam(q, 'tailLines')
  const sinceSeconds = intParam(q, 'sinceSeconds')
  const limitBytes = intParam(q, 'limitBytes')
  const sinceTimeText = q.get('sinceTime')
  if (tailLines !== undefined && tailLines < 0)
    throw badRequest('PodLogOptions "" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0')
  if (sinceSeconds !== undefined && sinceSeconds < 1)
    throw badRequest(`PodLogOptions "" is invalid: sinceSeconds: Invalid value: ${sinceSeconds}: must be greater than 0`)
  if (limitBytes !== undefined && limitBytes < 1)
    throw badRequest(`PodLogOptions "" is invalid: limitBytes: Invalid value: ${limitBytes}: must be greater than 0`)
  if (sinceSeconds !== undefined && sinceTimeText)
    throw badRequest('PodLogOptions "" is invalid: []: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified')
  let sinceTime: Date | undefined
  if (sinceTimeText) {
    const t = Date.parse(sinceTimeText)
    if (Number.isNaN(t))
      throw badRequest(`parsing time ${JSON.stringify(sinceTimeText)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(sinceTimeText)}`)
    sinceTime = new Date(t)
  }
  if (sinceSeconds !== undefined) sinceTime = new Date(Date.now() - sinceSeconds * 1000)

  if (previous && !logs.hasPrevious(ns, name, container))
    throw badRequest(`previous terminated container ${JSON.stringify(container)} in pod ${JSON.stringify(name)} not found`)
  if (!previous && !logs.has(ns, name, container)) {
    // No output yet: what the kubelet says about a container that has not started.
    const statuses = [...((getPath(pod, ['status', 'containerStatuses']) as O[]) ?? []), ...((getPath(pod, ['status', 'initContainerStatuses']) as O[]) ?? [])]
    const st = statuses.find((s) => s.name === container)
    const waiting = getPath(st, ['state', 'waiting']) as O | undefined
    const running = getPath(st, ['state', 'running']) ?? getPath(st, ['state', 'terminated'])
    if (!running)
      throw badRequest(
        `container ${JSON.stringify(container)} in pod ${JSON.stringify(name)} is waiting to start: ${txt(waiting?.reason ?? 'ContainerCreating')}`,
      )
  }

  let written = 0
  let closed = false
  const stopper: { stop?: () => void } = {}
  const stream: OpenStream = { close: () => finish() }
  const finish = () => {
    if (closed) return
    closed = true
    stopper.stop?.()
    streams.delete(stream)
    if (!res.writableEnded) res.end()
  }
  const emit = (e: LogEntry) => {
    if (closed) return
    let text = `${timestamps ? `${rfc3339Nano(e.time)} ` : ''}${e.line}\n`
    if (limitBytes !== undefined) {
      const room = limitBytes - written
      const buf = Buffer.from(text)
      if (buf.length >= room) {
        text = buf.subarray(0, room).toString()
        res.write(text)
        written += room
        finish()
        return
      }
    }
    written += Buffer.byteLength(text)
    res.write(text)
  }
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' })
  for (const e of logs.read(ns, name, container, { previous, tailLines, sinceTime })) emit(e)
  if (!follow || previous || closed || logs.ended(ns, name, container)) {
    finish()
    return
  }
  streams.add(stream)
  stopper.stop = logs.follow(ns, name, container, emit, finish)
  res.flushHeaders()
  req.on('close', finish)
  res.on('close', finish)
}
