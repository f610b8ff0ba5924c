// What the run saw happen in the cluster, as it happened.
//
// Some claims are about history, not state: "the pods are Pending at first", "the node was
// tainted, then drained, then replaced", "the replacement was Ready before EC2 reclaimed the
// instance". By the time a step asks, the sandbox (20× faster) or AWS may have moved on. So from
// the moment the cluster answers, the run watches pods, nodes and NodeClaims and follows the
// Karpenter pods' logs, and keeps every change with the time it was seen.

import * as k8s from '@kubernetes/client-node'
// client-node's TLS dispatcher is an undici 8 Agent: only undici's own fetch takes it.
import { fetch } from 'undici'
import { normaliseLogLine, type KarpenterApi, type KarpenterLogView } from './karpenter-api.ts'
import type { KubeSession, Node, NodeClaim, Pod } from './kube.ts'

export interface Sighting<T> {
  /** Real time it was seen (ms since epoch). */
  at: number
  type: 'ADDED' | 'MODIFIED' | 'DELETED'
  object: T
}

type Kind = 'pods' | 'nodes' | 'nodeclaims'

/** Where each kind is listed and watched: NodeClaims where the run's Karpenter serves them. */
export function recorderPaths(karpenter: Pick<KarpenterApi, 'nodeClaim'>): Record<Kind, { path: string; apiVersion: string; kind: string }> {
  return {
    pods: { path: '/api/v1/pods', apiVersion: 'v1', kind: 'Pod' },
    nodes: { path: '/api/v1/nodes', apiVersion: 'v1', kind: 'Node' },
    nodeclaims: { path: karpenter.nodeClaim.path, apiVersion: karpenter.nodeClaim.apiVersion, kind: karpenter.nodeClaim.kind },
  }
}

/** Watches pods, nodes and NodeClaims, re-watching when a watch ends, and keeps their histories. */
export class ClusterRecorder {
  readonly pods = new Map<string, Sighting<Pod>[]>()
  readonly nodes = new Map<string, Sighting<Node>[]>()
  readonly nodeClaims = new Map<string, Sighting<NodeClaim>[]>()
  private readonly aborts = new Map<Kind, AbortController>()
  /** Kinds whose watch is failing and has said so: a cluster being destroyed fails many times, in several ways. */
  private readonly failing = new Set<Kind>()
  private stopped = false
  private readonly kube: KubeSession
  private readonly onError: (message: string) => void
  private readonly paths: ReturnType<typeof recorderPaths>

  constructor(kube: KubeSession, onError: (message: string) => void, karpenter: Pick<KarpenterApi, 'nodeClaim'>) {
    this.kube = kube
    this.onError = onError
    this.paths = recorderPaths(karpenter)
  }

  start(): void {
    for (const kind of Object.keys(this.paths) as Kind[]) void this.watch(kind)
  }

  stop(): void {
    this.stopped = true
    for (const a of this.aborts.values()) quietly(() => a.abort())
  }

  private report(kind: Kind, message: string): void {
    if (this.failing.has(kind)) return
    this.failing.add(kind)
    this.onError(`watch ${kind}: ${message} (retrying quietly)`)
  }

  private history(kind: Kind): Map<string, Sighting<never>[]> {
    return (kind === 'pods' ? this.pods : kind === 'nodes' ? this.nodes : this.nodeClaims) as Map<string, Sighting<never>[]>
  }

  private async watch(kind: Kind, resourceVersion?: string): Promise<void> {
    if (this.stopped) return
    const history = this.history(kind)
    let rv = resourceVersion
    try {
      if (!rv) {
        // List first, so what exists already is in the history, then watch from there.
        const list = (await this.kube.objects.list(this.paths[kind].apiVersion, this.paths[kind].kind)) as {
          items: { metadata?: { name?: string; namespace?: string } }[]
          metadata?: { resourceVersion?: string }
        }
        const now = Date.now()
        for (const item of list.items) append(history, keyOf(item), { at: now, type: 'ADDED', object: item as never })
        rv = list.metadata?.resourceVersion
      }
      let last = rv
      const abort = await new k8s.Watch(this.kube.config).watch(
        this.paths[kind].path,
        { resourceVersion: rv, allowWatchBookmarks: true },
        (type: string, object: { metadata?: { name?: string; namespace?: string; resourceVersion?: string } }) => {
          last = object.metadata?.resourceVersion ?? last
          // Only a watch that delivers proves the cluster is back: client-node hands back the
          // controller even when the request itself failed, so a returned watch proves nothing.
          this.failing.delete(kind)
          if (type === 'BOOKMARK' || type === 'ERROR') return
          append(history, keyOf(object), { at: Date.now(), type: type as Sighting<never>['type'], object: object as never })
        },
        (error: unknown) => {
          if (this.stopped) return
          const gone = error instanceof Error && /410|Gone|too old/i.test(error.message)
          if (error && !gone) this.report(kind, error instanceof Error ? error.message : JSON.stringify(error))
          setTimeout(() => void this.watch(kind, gone ? undefined : last), error ? 1_000 : 0).unref()
        },
      )
      this.aborts.set(kind, abort)
    } catch (error) {
      if (this.stopped) return
      // The NodeClaim CRD exists only once Karpenter's chart is installed; keep trying quietly.
      if (!(kind === 'nodeclaims' && /404|not found/i.test(String((error as Error).message)))) this.report(kind, (error as Error).message)
      setTimeout(() => void this.watch(kind), 2_000).unref()
    }
  }

  /** The last sighting of every object still present (not deleted). */
  current<T>(history: Map<string, Sighting<T>[]>): T[] {
    return [...history.values()].map((h) => h[h.length - 1]).filter((s) => s.type !== 'DELETED').map((s) => s.object)
  }
}

/** Aborting a client-node stream can throw its AbortError at the caller: stopping is not an error. */
function quietly(fn: () => void): void {
  try {
    fn()
  } catch {
    // already stopped
  }
}

function keyOf(o: { metadata?: { name?: string; namespace?: string } }): string {
  return o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : String(o.metadata?.name)
}

function append<T>(history: Map<string, Sighting<T>[]>, key: string, s: Sighting<T>): void {
  const list = history.get(key)
  if (list) list.push(s)
  else history.set(key, [s])
}

// ── Karpenter's log ───────────────────────────────────────────────────────────────────────────

export interface LogLine {
  /** Position in the run's whole log record: "since the scenario started" compares these. */
  index: number
  pod: string
  raw: string
  /** The JSON fields as logged, in their order; undefined for a line that is not JSON. */
  fields?: Record<string, unknown>
  /** The same line in one vocabulary for every Karpenter (support/karpenter-api.ts); undefined when not JSON. */
  view?: KarpenterLogView
  receivedAt: number
}

/** A line of Karpenter's log as the run keeps it: parsed when it is a JSON object, and normalised. */
export function logLineOf(index: number, pod: string, raw: string, receivedAt = Date.now()): LogLine {
  let fields: Record<string, unknown> | undefined
  try {
    const parsed: unknown = JSON.parse(raw)
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) fields = parsed as Record<string, unknown>
  } catch {
    fields = undefined
  }
  return { index, pod, raw, fields, view: fields ? normaliseLogLine(fields) : undefined, receivedAt }
}

/** Follows the logs of every Karpenter pod (as `kubectl logs -l … -f` does) and parses the JSON lines. */
export class KarpenterLog {
  readonly lines: LogLine[] = []
  private readonly following = new Map<string, AbortController>()
  private stopWatch?: AbortController
  private stopped = false
  private readonly kube: KubeSession
  private readonly namespace: string
  private readonly selector: string
  private readonly onError: (message: string) => void

  constructor(kube: KubeSession, onError: (message: string) => void, namespace = 'karpenter', selector = 'app.kubernetes.io/name=karpenter') {
    this.kube = kube
    this.onError = onError
    this.namespace = namespace
    this.selector = selector
  }

  start(): void {
    void this.watchPods()
  }

  stop(): void {
    this.stopped = true
    quietly(() => this.stopWatch?.abort())
    for (const a of this.following.values()) quietly(() => a.abort())
  }

  get length(): number {
    return this.lines.length
  }

  private async watchPods(): Promise<void> {
    if (this.stopped) return
    try {
      this.stopWatch = await new k8s.Watch(this.kube.config).watch(
        `/api/v1/namespaces/${this.namespace}/pods`,
        { labelSelector: this.selector },
        (type: string, pod: Pod) => {
          const name = pod.metadata?.name
          if (!name) return
          if (type === 'DELETED') return
          const running = (pod.status?.containerStatuses ?? []).some((c) => c.state?.running)
          if (running && !this.following.has(name)) void this.follow(pod)
        },
        () => {
          if (!this.stopped) setTimeout(() => void this.watchPods(), 1_000).unref()
        },
      )
    } catch (error) {
      if (!this.stopped) {
        this.onError(`watch Karpenter pods: ${(error as Error).message}`)
        setTimeout(() => void this.watchPods(), 2_000).unref()
      }
    }
  }

  /**
   * `kubectl logs -f` for each container of the pod. (client-node's Log pipes the response without
   * an error handler, so stopping it crashes the process; this reads the same endpoint itself.)
   */
  private async follow(pod: Pod): Promise<void> {
    const name = pod.metadata!.name!
    const abort = new AbortController()
    this.following.set(name, abort)
    for (const container of (pod.spec?.containers ?? []).map((c) => c.name)) void this.stream(name, container, abort.signal)
  }

  private async stream(pod: string, container: string, signal: AbortSignal): Promise<void> {
    const cluster = this.kube.config.getCurrentCluster()
    if (!cluster) return
    const url = `${cluster.server}/api/v1/namespaces/${this.namespace}/pods/${pod}/log?container=${encodeURIComponent(container)}&follow=true`
    try {
      const ctx = new k8s.RequestContext(url, k8s.HttpMethod.GET)
      await this.kube.config.applySecurityAuthentication(ctx)
      const response = await fetch(url, { headers: ctx.getHeaders(), signal, dispatcher: ctx.getDispatcher() as never })
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`)
      let partial = ''
      const decoder = new TextDecoder()
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        const parts = (partial + decoder.decode(chunk, { stream: true })).split('\n')
        partial = parts.pop() ?? ''
        for (const raw of parts) if (raw.trim()) this.add(pod, raw)
      }
    } catch (error) {
      if (!this.stopped && !signal.aborted) this.onError(`follow logs of ${pod}: ${(error as Error).message}`)
    } finally {
      // The stream ended (the pod went away, or the server closed it): follow it again if the pod runs.
      if (this.following.get(pod)?.signal === signal) this.following.delete(pod)
    }
  }

  private add(pod: string, raw: string): void {
    this.lines.push(logLineOf(this.lines.length, pod, raw))
  }

  since(index: number): LogLine[] {
    return this.lines.slice(index)
  }
}

/**
 * A log line's field by dotted path (`requests.cpu`), in the normalised vocabulary: `controller`,
 * `nodeclaim`, `nodepool`, `node` and `messageKind` read the same for every Karpenter.
 */
export function field(line: LogLine, path: string): unknown {
  let value: unknown = line.view?.fields
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<string, unknown>)[part]
  }
  return value
}
