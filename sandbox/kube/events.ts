// recordEvent: what client-go's event recorder does for a controller, against the store.
//
// Repeats of the same event (same source, involved object, type, reason and message) within
// ten minutes are aggregated into one Event whose `count` and `lastTimestamp` advance, so
// `kubectl describe` shows `(x3 over 2m)` and `kubectl get events` one line, as on a cluster.

import { ignoreNotFound } from './errors.ts'
import { rfc3339, type KubeObject } from './json.ts'
import type { Store } from './store.ts'

interface InvolvedObject {
  kind: string
  name: string
  namespace?: string
  uid?: string
  apiVersion?: string
  resourceVersion?: string
  fieldPath?: string
}

export interface EventInput {
  involvedObject: InvolvedObject | KubeObject
  type: 'Normal' | 'Warning'
  reason: string
  message: string
  source: { component: string; host?: string }
  /** Defaults to now. */
  time?: Date
}

const AGGREGATION_WINDOW_MS = 10 * 60 * 1000
const cache = new WeakMap<Store, Map<string, { namespace: string; name: string; last: number }>>()

function toInvolved(o: InvolvedObject | KubeObject): InvolvedObject {
  if ('metadata' in o && o.metadata && typeof o.metadata === 'object') {
    const k = o
    return {
      kind: String(k.kind ?? ''),
      name: k.metadata.name ?? '',
      namespace: k.metadata.namespace,
      uid: k.metadata.uid,
      apiVersion: k.apiVersion,
      resourceVersion: k.metadata.resourceVersion,
    }
  }
  return o as InvolvedObject
}

/** Records (or aggregates) a core/v1 Event. Returns the stored Event. */
export function recordEvent(store: Store, input: EventInput): KubeObject {
  const io = toInvolved(input.involvedObject)
  const namespace = io.namespace || 'default'
  const time = input.time ?? new Date()
  const key = JSON.stringify([
    input.source.component,
    input.source.host ?? '',
    io.kind,
    io.namespace ?? '',
    io.name,
    io.uid ?? '',
    io.fieldPath ?? '',
    input.type,
    input.reason,
    input.message,
  ])
  let seen = cache.get(store)
  if (!seen) cache.set(store, (seen = new Map<string, { namespace: string; name: string; last: number }>()))
  const prior = seen.get(key)
  if (prior && time.getTime() - prior.last < AGGREGATION_WINDOW_MS) {
    try {
      const updated = store.mutate(
        'events',
        prior.namespace,
        prior.name,
        (ev) => {
          ev.count = ((ev.count as number | undefined) ?? 1) + 1
          ev.lastTimestamp = rfc3339(time)
        },
        { fieldManager: input.source.component },
      )
      prior.last = time.getTime()
      return updated
    } catch (err) {
      ignoreNotFound(err)
    }
  }
  const involvedObject: Record<string, unknown> = { kind: io.kind, name: io.name }
  if (io.namespace) involvedObject.namespace = io.namespace
  if (io.uid) involvedObject.uid = io.uid
  if (io.apiVersion) involvedObject.apiVersion = io.apiVersion
  if (io.resourceVersion) involvedObject.resourceVersion = io.resourceVersion
  if (io.fieldPath) involvedObject.fieldPath = io.fieldPath
  const name = `${io.name}.${(BigInt(time.getTime()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000))).toString(16)}`
  const source: Record<string, string> = { component: input.source.component }
  if (input.source.host) source.host = input.source.host
  const created = store.create(
    'events',
    {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject,
      reason: input.reason,
      message: input.message,
      source,
      firstTimestamp: rfc3339(time),
      lastTimestamp: rfc3339(time),
      count: 1,
      type: input.type,
      eventTime: null,
      reportingComponent: input.source.component,
      reportingInstance: input.source.host ?? '',
    },
    { fieldManager: input.source.component },
  )
  seen.set(key, { namespace, name, last: time.getTime() })
  return created
}
