// Watch streams over HTTP: one JSON event per line, chunked, kept open until the client goes,
// `timeoutSeconds` passes or the server closes. Table watches (kubectl get -w) send each
// event as a one-row Table (column definitions only in the first).
//
// Writers never wait for a watcher: events are written into the response's buffer; a client
// that lets more than `maxBufferBytes` pile up is cut off, as a real apiserver drops an
// unresponsive watcher (client-go then re-lists).

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { KubeObject } from '../json.ts'
import type { ResourceDef } from '../registry.ts'
import type { Store } from '../store.ts'
import { tableRow, type IncludeObject } from '../tables/table.ts'
import { printerFor } from '../tables/printers.ts'
import { TABLE_CONTENT_TYPE, type Format } from './util.ts'

export interface WatchRequest {
  def: ResourceDef
  namespace?: string
  labelSelector?: string
  fieldSelector?: string
  resourceVersion?: string
  allowBookmarks: boolean
  sendInitialEvents: boolean
  timeoutSeconds?: number
  format: Format
  include: IncludeObject
}

const jsonCache = new WeakMap<object, string>()
function objectJson(obj: KubeObject): string {
  let s = jsonCache.get(obj)
  if (s === undefined) {
    s = JSON.stringify(obj)
    jsonCache.set(obj, s)
  }
  return s
}

export interface OpenStream {
  close(): void
}

export function serveWatch(store: Store, req: IncomingMessage, res: ServerResponse, w: WatchRequest, streams: Set<OpenStream>, maxBufferBytes: number): void {
  let first = true
  let closed = false
  let timer: NodeJS.Timeout | undefined
  const stream: OpenStream = { close: () => finish() }
  const finish = () => {
    if (closed) return
    closed = true
    streams.delete(stream)
    unsubscribe()
    if (timer) clearTimeout(timer)
    if (!res.writableEnded) res.end()
  }
  const line = (type: string, obj: KubeObject): string => {
    if (w.format === 'table') {
      const table: Record<string, unknown> = {
        kind: 'Table',
        apiVersion: 'meta.k8s.io/v1',
        metadata: { resourceVersion: obj.metadata.resourceVersion },
        columnDefinitions: first ? printerFor(w.def).columns : null,
        rows: type === 'BOOKMARK' ? null : [tableRow(w.def, obj, w.include, Date.now())],
      }
      if (type !== 'BOOKMARK') first = false
      return `{"type":"${type}","object":${JSON.stringify(table)}}\n`
    }
    return `{"type":"${type}","object":${type === 'BOOKMARK' ? JSON.stringify(obj) : objectJson(obj)}}\n`
  }
  const write = (type: string, obj: KubeObject) => {
    if (closed) return
    res.write(line(type, obj))
    if (res.writableLength > maxBufferBytes) finish()
  }
  // Subscribe first (errors such as 410 Gone become a plain error response), then stream.
  const buffered: [string, KubeObject][] = []
  let started = false
  const unsubscribe = store.watch(
    w.def.key,
    {
      namespace: w.namespace,
      labelSelector: w.labelSelector,
      fieldSelector: w.fieldSelector,
      resourceVersion: w.resourceVersion,
      allowBookmarks: w.allowBookmarks,
      sendInitialEvents: w.sendInitialEvents,
      raw: true,
      // The CRD went away: the stream ends, as the apiserver ends it.
      onClose: () => finish(),
    },
    (ev) => {
      if (!started) buffered.push([ev.type, ev.object])
      else write(ev.type, ev.object)
    },
  )
  streams.add(stream)
  res.writeHead(200, {
    'Content-Type': w.format === 'table' ? TABLE_CONTENT_TYPE : 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  })
  res.flushHeaders()
  started = true
  for (const [t, o] of buffered) write(t, o)
  buffered.length = 0
  if (w.timeoutSeconds !== undefined && w.timeoutSeconds > 0) timer = setTimeout(finish, w.timeoutSeconds * 1000)
  req.on('close', finish)
  res.on('close', finish)
  res.on('error', finish)
}
