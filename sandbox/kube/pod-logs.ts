// Container logs: in-process components (the kubelet twin, Karpenter's twin) append lines;
// the API server serves them as `kubectl logs` expects, following live ones.
//
// Each container keeps its current log and the log of its previous instance (for
// `--previous`), bounded to `maxLines` lines each, as a kubelet's log rotation would.

export interface LogEntry {
  time: Date
  /** One line, without its trailing newline. */
  line: string
}

export interface ReadOptions {
  previous?: boolean
  tailLines?: number
  sinceTime?: Date
}

/** A container's log as `PodLogs.dump` saves it (times as ISO strings). */
export interface ContainerLogDump {
  namespace: string
  pod: string
  container: string
  current: [string, string][]
  previous?: [string, string][]
  ended: boolean
}

type Listener = { onLine: (entry: LogEntry) => void; onEnd: () => void }

interface ContainerLog {
  current: LogEntry[]
  previous?: LogEntry[]
  listeners: Set<Listener>
  ended: boolean
}

export class PodLogs {
  private readonly logs = new Map<string, ContainerLog>()
  private readonly maxLines: number

  constructor(options: { maxLines?: number } = {}) {
    this.maxLines = options.maxLines ?? 10_000
  }

  private key(namespace: string, pod: string, container: string): string {
    return `${namespace}/${pod}/${container}`
  }

  private entry(namespace: string, pod: string, container: string): ContainerLog {
    const k = this.key(namespace, pod, container)
    let log = this.logs.get(k)
    if (!log) this.logs.set(k, (log = { current: [], listeners: new Set(), ended: false }))
    return log
  }

  /** Every container's lines, current and previous (snapshots: sandbox/snapshot/). */
  dump(): ContainerLogDump[] {
    const lines = (entries: LogEntry[]): [string, string][] => entries.map((e) => [e.time.toISOString(), e.line])
    return [...this.logs].map(([k, log]) => {
      const [namespace, pod, container] = k.split('/')
      return { namespace, pod, container, current: lines(log.current), previous: log.previous && lines(log.previous), ended: log.ended }
    })
  }

  /** Puts back what `dump` saved (replacing those containers' logs); new lines append after them. */
  load(dump: ContainerLogDump[]): void {
    const entries = (lines: [string, string][]): LogEntry[] => lines.map(([time, line]) => ({ time: new Date(time), line }))
    for (const c of dump) {
      const log = this.entry(c.namespace, c.pod, c.container)
      this.endListeners(log)
      log.current = entries(c.current)
      log.previous = c.previous && entries(c.previous)
      log.ended = c.ended
    }
  }

  /** Appends a line (text with newlines is split into several lines). */
  append(namespace: string, pod: string, container: string, line: string, time: Date = new Date()): void {
    const log = this.entry(namespace, pod, container)
    log.ended = false
    for (const l of line.replace(/\n$/, '').split('\n')) {
      const e = { time, line: l }
      log.current.push(e)
      for (const listener of [...log.listeners]) listener.onLine(e)
    }
    if (log.current.length > this.maxLines) log.current.splice(0, log.current.length - this.maxLines)
  }

  /** The container restarted: its log becomes the previous one; open follows end. */
  restart(namespace: string, pod: string, container: string): void {
    const log = this.entry(namespace, pod, container)
    log.previous = log.current
    log.current = []
    this.endListeners(log)
  }

  /** The container stopped: open follows end (a restarted container starts a new stream). */
  end(namespace: string, pod: string, container: string): void {
    const log = this.logs.get(this.key(namespace, pod, container))
    if (!log) return
    log.ended = true
    this.endListeners(log)
  }

  /** The pod is gone: end its follows and forget its logs. */
  removePod(namespace: string, pod: string): void {
    const prefix = `${namespace}/${pod}/`
    for (const [k, log] of this.logs) {
      if (!k.startsWith(prefix)) continue
      this.endListeners(log)
      this.logs.delete(k)
    }
  }

  /** Ends every open follow (server shutdown). */
  closeAll(): void {
    for (const log of this.logs.values()) this.endListeners(log)
  }

  private endListeners(log: ContainerLog): void {
    const ls = [...log.listeners]
    log.listeners.clear()
    for (const l of ls) l.onEnd()
  }

  has(namespace: string, pod: string, container: string): boolean {
    return this.logs.has(this.key(namespace, pod, container))
  }

  hasPrevious(namespace: string, pod: string, container: string): boolean {
    return this.logs.get(this.key(namespace, pod, container))?.previous !== undefined
  }

  ended(namespace: string, pod: string, container: string): boolean {
    return this.logs.get(this.key(namespace, pod, container))?.ended === true
  }

  read(namespace: string, pod: string, container: string, options: ReadOptions = {}): LogEntry[] {
    const log = this.logs.get(this.key(namespace, pod, container))
    let lines = (options.previous ? log?.previous : log?.current) ?? []
    if (options.sinceTime) {
      const since = options.sinceTime.getTime()
      lines = lines.filter((e) => e.time.getTime() >= since)
    }
    if (options.tailLines !== undefined && options.tailLines >= 0) lines = options.tailLines === 0 ? [] : lines.slice(-options.tailLines)
    return [...lines]
  }

  /** Calls `onLine` for each new line until the container stops or the pod goes; returns a stop function. */
  follow(namespace: string, pod: string, container: string, onLine: (entry: LogEntry) => void, onEnd: () => void): () => void {
    const log = this.entry(namespace, pod, container)
    const listener: Listener = { onLine, onEnd }
    log.listeners.add(listener)
    return () => log.listeners.delete(listener)
  }
}
