// What the run saw happen in the cluster, as it happened.
//
// Some claims are about history, not state: "the pods are Pending at first", "the node was
// tainted, then drained, then replaced", "the replacement was Ready before EC2 reclaimed the
// instance". By the time a step asks, the sandbox (20× faster) or AWS may have moved on. So from
// the moment the cluster answers, the run watches pods, nodes and NodeClaims and follows the
// Karpenter pods' logs, and keeps every change with the time it was seen.

import * as k8s from '@kubernetes/client-node'
import { messageOf } from '../lib/errors.ts'
// client-node's TLS dispatcher is an undici 8 Agent: only undici's own fetch takes it.
import { fetch } from 'undici'
import { normaliseLogLine, type KarpenterApi, type KarpenterLogView } from './karpenter-api.ts'
import { instanceIdOf, isKarpenterNode, type KubeSession, type Node, type NodeClaim, type Pod } from './kube.ts'
import { logTimeMs } from './tutorial-time.ts'

export interface Sighting<T> {
  /** Real time it was seen (ms since epoch): when the run learnt of it, not when it happened. */
  at: number
  /**
   * The object's resourceVersion in this sighting: the API server write it shows. The run's
   * tutorial clock (support/tutorial-time.ts) resolves it to the tutorial instant of that write.
   */
  rv?: string
  type: 'ADDED' | 'MODIFIED' | 'DELETED'
  object: T
}

type Kind = 'pods' | 'nodes' | 'nodeclaims'

/** What each kind's history holds. */
interface Recorded {
  pods: Pod
  nodes: Node
  nodeclaims: NodeClaim
}

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
    void this.kube.authenticated.then(() => {
      for (const kind of Object.keys(this.paths) as Kind[]) void this.watch(kind)
    })
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
          items: { metadata?: { name?: string; namespace?: string; resourceVersion?: string } }[]
          metadata?: { resourceVersion?: string }
        }
        const now = Date.now()
        for (const item of list.items) append(history, keyOf(item), { at: now, rv: rvOf(item), type: 'ADDED', object: item as never })
        rv = list.metadata?.resourceVersion
      }
      let last = rv
      // A watch from a resourceVersion the server no longer has ends with an ERROR event (410
      // Gone): list again then, or every re-open would start from the same expired version.
      let expiredVersion = false
      const abort = await new k8s.Watch(this.kube.config).watch(
        this.paths[kind].path,
        { resourceVersion: rv, allowWatchBookmarks: true },
        (type: string, object: { metadata?: { name?: string; namespace?: string; resourceVersion?: string } }) => {
          if (type === 'ERROR') {
            expiredVersion ||= expired(object)
            return
          }
          last = object.metadata?.resourceVersion ?? last
          // Only a watch that delivers proves the cluster is back: client-node hands back the
          // controller even when the request itself failed, so a returned watch proves nothing.
          this.failing.delete(kind)
          if (type === 'BOOKMARK') return
          append(history, keyOf(object), { at: Date.now(), rv: rvOf(object), type: type as Sighting<never>['type'], object: object as never })
        },
        (error: unknown) => {
          if (this.stopped) return
          const gone = expiredVersion || expired(error)
          if (error && !gone) this.report(kind, error instanceof Error ? error.message : JSON.stringify(error))
          setTimeout(() => void this.watch(kind, gone ? undefined : last), error ? 1_000 : 0).unref()
        },
      )
      this.aborts.set(kind, abort)
    } catch (error) {
      if (this.stopped) return
      // The NodeClaim CRD exists only once Karpenter's chart is installed; keep trying quietly.
      if (!(kind === 'nodeclaims' && /404|not found/i.test(messageOf(error)))) this.report(kind, messageOf(error))
      setTimeout(() => void this.watch(kind), 2_000).unref()
    }
  }

  /** The last sighting of every object still present (not deleted). */
  current<T>(history: Map<string, Sighting<T>[]>): T[] {
    return [...history.values()]
      .map((h) => h[h.length - 1])
      .filter((s) => s.type !== 'DELETED')
      .map((s) => s.object)
  }

  // ── queries: what the steps ask of the history, so that none walks the maps itself ──

  /** Every sighting of one object (a pod by namespace/name, a node or NodeClaim by name), oldest first; empty if never seen. */
  historyOf<K extends Kind>(kind: K, key: string): readonly Sighting<Recorded[K]>[] {
    return this.history(kind).get(key) ?? []
  }

  /** The first sighting of the object that satisfies `test` (any sighting when no test is given). */
  firstSighting<K extends Kind>(
    kind: K,
    key: string,
    test: (o: Recorded[K], s: Sighting<Recorded[K]>) => boolean = () => true,
  ): Sighting<Recorded[K]> | undefined {
    return this.historyOf(kind, key).find((s) => test(s.object, s))
  }

  /** The object as the run last saw it, even if gone since (its last state before the deletion). */
  lastKnown<K extends Kind>(kind: K, key: string): Recorded[K] | undefined {
    const history = this.historyOf(kind, key)
    return history.filter((s) => s.type !== 'DELETED').at(-1)?.object ?? history.at(-1)?.object
  }

  /** Whether the run saw the object deleted. */
  seenDeleted(kind: Kind, key: string): boolean {
    return this.historyOf(kind, key).some((s) => s.type === 'DELETED')
  }

  /** The histories of the pods of a workload (its `app` label, as first seen), by namespace/name. */
  podsOfApp(app: string): Map<string, readonly Sighting<Pod>[]> {
    return new Map([...this.pods].filter(([, h]) => h[0]?.object.metadata?.labels?.app === app))
  }

  /** The Karpenter nodes on which the run saw a pod of the workload `app`. */
  nodesThatHosted(app: string): Set<string> {
    const hosts = new Set<string>()
    for (const history of this.podsOfApp(app).values()) for (const s of history) if (s.object.spec?.nodeName) hosts.add(s.object.spec.nodeName)
    return new Set([...hosts].filter((n) => this.isKarpenterNode(n)))
  }

  /** Whether the node, as last seen, is one Karpenter launched. */
  isKarpenterNode(name: string): boolean {
    const node = this.historyOf('nodes', name).at(-1)?.object
    return node !== undefined && isKarpenterNode(node)
  }

  /** The node (as the run last saw it, even if gone) whose EC2 instance is `instanceId`. */
  nodeOfInstance(instanceId: string): Node | undefined {
    for (const [name, history] of this.nodes)
      if (history.some((s) => instanceIdOf(s.object.spec?.providerID) === instanceId)) return this.lastKnown('nodes', name)
    return undefined
  }

  /** The NodeClaim of a node, as the run recorded it (its label on 1.x, its status.nodeName on both). */
  nodeClaimOf(node: string): string | undefined {
    const label = this.historyOf('nodes', node).at(-1)?.object.metadata?.labels?.['karpenter.sh/nodeclaim']
    if (label) return label
    for (const [name, history] of this.nodeClaims) if (history.some((s) => s.object.status?.nodeName === node)) return name
    return undefined
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

function rvOf(o: { metadata?: { resourceVersion?: string } }): string | undefined {
  return o.metadata?.resourceVersion
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
  /** Real time the run received it: when the run learnt of it, not when Karpenter logged it. */
  receivedAt: number
  /**
   * When Karpenter logged it, in tutorial time: its JSON `time` field (the sandbox's twins write
   * the tutorial instant there; on AWS it is Karpenter's own wall time). Undefined without one.
   */
  tutorialAt?: number
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
  return { index, pod, raw, fields, view: fields ? normaliseLogLine(fields) : undefined, receivedAt, tutorialAt: logTimeMs(fields) }
}

/**
 * Where a container's log was read up to: the kubelet's timestamp of the last line (nanoseconds)
 * and the lines seen at exactly that time, so a stream opened again with `sinceTime` (whole
 * seconds: metav1.Time) skips what was already kept, and keeps a line logged twice.
 */
interface LogPosition {
  lastNs: bigint
  atLast: Map<string, number>
}

const TIMESTAMPED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d) (.*)$/

/** A `timestamps=true` log line: the kubelet's RFC 3339 time (nanoseconds, as a bigint) and the line. */
export function splitTimestamp(text: string): { ns?: bigint; line: string } {
  const m = TIMESTAMPED.exec(text)
  const ms = m ? Date.parse(`${m[1]}${m[3]}`) : NaN
  if (!m || Number.isNaN(ms)) return { line: text }
  return { ns: BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0')), line: m[4] }
}

/** `sinceTime` for a log request: the second of `ns`, in RFC 3339 (what metav1.Time carries). */
export function sinceTimeOf(ns: bigint): string {
  return new Date(Number(ns / 1_000_000_000n) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** The pod's watch expired (410 Gone, "too old resource version"): list again, then watch. */
function expired(error: unknown): boolean {
  const e = error as { statusCode?: number; code?: number; message?: string } | null
  return Boolean(e) && (e!.statusCode === 410 || e!.code === 410 || /\b410\b|Gone|too old/i.test(String(e!.message)))
}

const running = (pod: Pod | undefined, container: string) => (pod?.status?.containerStatuses ?? []).some((c) => c.name === container && c.state?.running)

/**
 * Follows the logs of every Karpenter pod (as `kubectl logs -l … -f` does) and parses the JSON
 * lines — across a long run: the API server closes watches and log streams after a while
 * (--min-request-timeout, 30–60 min), and a container's stream ends when it restarts. The pods'
 * watch is opened again from the last resourceVersion (listed afresh after a 410 Gone); a log
 * stream that ends is followed again from the last line's time (`sinceTime`) while the container
 * runs, and a pod seen again (re-ADDED by a new watch) is not followed twice. The lines a stream
 * opened again repeats are kept once, so "3 created nodeclaim lines" counts three.
 */
export class KarpenterLog {
  readonly lines: LogLine[] = []
  /** The Karpenter pods as last seen, by name. */
  private readonly pods = new Map<string, Pod>()
  /** Open log streams, by pod/container. */
  private readonly streams = new Map<string, AbortController>()
  private readonly positions = new Map<string, LogPosition>()
  /** Streams (pod/container; '' for the pods' watch) whose failure has been said, once until they work again. */
  private readonly failing = new Set<string>()
  private stopWatch?: AbortController
  private resourceVersion?: string
  private stopped = false
  private readonly kube: KubeSession
  private readonly namespace: string
  private readonly selector: string
  private readonly onError: (message: string) => void
  /** How long to wait before a stream or a watch is opened again (tests shorten it). */
  private readonly retryMs: number

  constructor(kube: KubeSession, onError: (message: string) => void, namespace = 'karpenter', selector = 'app.kubernetes.io/name=karpenter', retryMs = 1_000) {
    this.kube = kube
    this.onError = onError
    this.namespace = namespace
    this.selector = selector
    this.retryMs = retryMs
  }

  start(): void {
    void this.kube.authenticated.then(() => this.watchPods())
  }

  stop(): void {
    this.stopped = true
    quietly(() => this.stopWatch?.abort())
    for (const a of this.streams.values()) quietly(() => a.abort())
  }

  get length(): number {
    return this.lines.length
  }

  /**
   * The index of the first line logged at or after `tutorialMs`, or `length` while none has
   * reached the run: the lines read before it (a restarted Karpenter's pods' earlier logs, which
   * a stream opened anew delivers first) are all older.
   */
  firstIndexFrom(tutorialMs: number): number {
    const first = this.lines.findIndex((l) => l.tutorialAt !== undefined && l.tutorialAt >= tutorialMs)
    return first >= 0 ? first : this.lines.length
  }

  private async watchPods(): Promise<void> {
    if (this.stopped) return
    try {
      if (this.resourceVersion === undefined) {
        // List first (again after a 410), so the watch starts where the list ends.
        const list = await this.kube.core.listNamespacedPod({ namespace: this.namespace, labelSelector: this.selector })
        const names = new Set(list.items.map((p) => p.metadata?.name))
        for (const name of this.pods.keys()) if (!names.has(name)) this.pods.delete(name)
        for (const pod of list.items) this.seen(pod)
        this.resourceVersion = list.metadata?.resourceVersion ?? ''
      }
      let gone = false
      this.stopWatch = await new k8s.Watch(this.kube.config).watch(
        `/api/v1/namespaces/${this.namespace}/pods`,
        { labelSelector: this.selector, resourceVersion: this.resourceVersion || undefined, allowWatchBookmarks: true },
        (type: string, pod: Pod & { code?: number }) => {
          this.failing.delete('')
          if (type === 'ERROR') {
            gone ||= expired(pod)
            return
          }
          this.resourceVersion = pod.metadata?.resourceVersion ?? this.resourceVersion
          const name = pod.metadata?.name
          if (type === 'BOOKMARK' || !name) return
          if (type === 'DELETED') this.pods.delete(name)
          else this.seen(pod)
        },
        (error: unknown) => {
          if (this.stopped) return
          if (gone || expired(error)) this.resourceVersion = undefined
          setTimeout(() => void this.watchPods(), error ? this.retryMs : Math.min(100, this.retryMs)).unref()
        },
      )
    } catch (error) {
      if (this.stopped) return
      if (expired(error)) this.resourceVersion = undefined
      // Said once until the watch works again (a cluster being destroyed fails many times).
      if (!this.failing.has('')) this.onError(`watch Karpenter pods: ${messageOf(error)} (retrying quietly)`)
      this.failing.add('')
      setTimeout(() => void this.watchPods(), 2 * this.retryMs).unref()
    }
  }

  /** A pod as the list or the watch shows it: follow each running container not followed yet. */
  private seen(pod: Pod): void {
    const name = pod.metadata!.name!
    this.pods.set(name, pod)
    for (const c of pod.status?.containerStatuses ?? []) if (c.state?.running) this.follow(name, c.name)
  }

  /**
   * `kubectl logs -f --timestamps` for one container, from where the last stream stopped. (client-node's
   * Log pipes the response without an error handler, so stopping it crashes the process; this
   * reads the same endpoint itself.)
   */
  private follow(pod: string, container: string): void {
    const key = `${pod}/${container}`
    if (this.stopped || this.streams.has(key)) return
    const abort = new AbortController()
    this.streams.set(key, abort)
    void this.stream(pod, container, key, abort.signal).finally(() => {
      if (this.streams.get(key) === abort) this.streams.delete(key)
      if (this.stopped || abort.signal.aborted) return
      // The stream ended (the server closed it, the connection broke, the container stopped):
      // follow it again while the pod still runs that container.
      setTimeout(() => {
        if (running(this.pods.get(pod), container)) this.follow(pod, container)
      }, this.retryMs).unref()
    })
  }

  private async stream(pod: string, container: string, key: string, signal: AbortSignal): Promise<void> {
    const cluster = this.kube.config.getCurrentCluster()
    if (!cluster) return
    const position = this.positions.get(key)
    const since = position ? `&sinceTime=${encodeURIComponent(sinceTimeOf(position.lastNs))}` : ''
    const url = `${cluster.server}/api/v1/namespaces/${this.namespace}/pods/${pod}/log?container=${encodeURIComponent(container)}&follow=true&timestamps=true${since}`
    // What this stream may repeat of the last stream's lines at its last time.
    const repeatable = new Map(position?.atLast ?? [])
    try {
      const ctx = new k8s.RequestContext(url, k8s.HttpMethod.GET)
      await this.kube.config.applySecurityAuthentication(ctx)
      const response = await fetch(url, { headers: ctx.getHeaders(), signal, dispatcher: ctx.getDispatcher() as never })
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`)
      this.failing.delete(key)
      let partial = ''
      const decoder = new TextDecoder()
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        const parts = (partial + decoder.decode(chunk, { stream: true })).split('\n')
        partial = parts.pop() ?? ''
        for (const text of parts) if (text.trim()) this.receive(pod, key, text, repeatable)
      }
    } catch (error) {
      if (!this.stopped && !signal.aborted && !this.failing.has(key)) {
        this.failing.add(key)
        this.onError(`follow logs of ${pod}: ${messageOf(error)} (following again while it runs)`)
      }
    }
  }

  /** A line of a stream: kept unless a stream opened again repeats it. */
  private receive(pod: string, key: string, text: string, repeatable: Map<string, number>): void {
    const { ns, line } = splitTimestamp(text)
    if (!line.trim()) return
    if (ns === undefined) {
      this.add(pod, line)
      return
    }
    const position = this.positions.get(key)
    if (position && ns < position.lastNs) return // before where the last stream stopped: kept already
    if (position && ns === position.lastNs) {
      const left = repeatable.get(line) ?? 0
      if (left > 0) {
        repeatable.set(line, left - 1)
        return
      }
      position.atLast.set(line, (position.atLast.get(line) ?? 0) + 1)
    } else {
      this.positions.set(key, { lastNs: ns, atLast: new Map([[line, 1]]) })
      repeatable.clear()
    }
    this.add(pod, line)
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
