// Server-side printers: the columns and cells a real apiserver's Table output carries for
// each kind (what `kubectl get` prints), written after kubectl's/the apiserver's printers.
// Cells are sent as final text; priority-1 columns are the `-o wide` ones.

import type { KubeObject } from '../json.ts'
import { getPath, isObject, txt } from '../json.ts'
import type { ResourceDef } from '../registry.ts'
import { fromLabelSelectorSpec } from '../selectors.ts'
import { age, jsonPath } from './format.ts'

interface Column {
  name: string
  type: string
  format: string
  description: string
  priority: number
}

export interface Printer {
  columns: Column[]
  cells(obj: KubeObject, now: number): unknown[]
}

const NAME_DESC =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names'
const AGE_DESC =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata'

function col(name: string, type = 'string', priority = 0, format = '', description = ''): Column {
  return { name, type, format, description, priority }
}
const NAME = col('Name', 'string', 0, 'name', NAME_DESC)
const AGE = col('Age', 'string', 0, '', AGE_DESC)

type O = Record<string, unknown>
const spec = (o: KubeObject) => ((o as O).spec ?? {}) as O
const status = (o: KubeObject) => ((o as O).status ?? {}) as O
const num = (v: unknown) => (typeof v === 'number' ? v : 0)
const created = (o: KubeObject, now: number) => age(o.metadata.creationTimestamp, now)

function selectorString(sel: unknown): string {
  if (!isObject(sel)) return '<none>'
  try {
    const s = fromLabelSelectorSpec(sel)
    return s.empty ? '<none>' : s.toString()
  } catch {
    return '<error>'
  }
}

function containersAndImages(podSpec: O): [string, string] {
  const cs = ((podSpec.containers as O[]) ?? []).filter(isObject)
  return [cs.map((c) => txt(c.name ?? '')).join(','), cs.map((c) => txt(c.image ?? '')).join(',')]
}

// ---- pods (kubectl's printPod) ----

function hasPodReadyCondition(conditions: O[]): boolean {
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True')
}

function podCells(pod: KubeObject, now: number): unknown[] {
  const sp = spec(pod)
  const st = status(pod)
  const containers = ((sp.containers as O[]) ?? []).filter(isObject)
  const initContainers = ((sp.initContainers as O[]) ?? []).filter(isObject)
  const restartableInit = new Set(initContainers.filter((c) => c.restartPolicy === 'Always').map((c) => c.name))
  let restarts = 0
  let restartableInitRestarts = 0
  let totalContainers = containers.length
  let readyContainers = 0
  let lastRestart = 0
  let lastRestartableInitRestart = 0
  const conditions = ((st.conditions as O[]) ?? []).filter(isObject)
  let reason = txt(st.phase ?? '')
  if (st.reason) reason = txt(st.reason)
  for (const c of conditions) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated'
  }
  const initStatuses = ((st.initContainerStatuses as O[]) ?? []).filter(isObject)
  const containerStatuses = ((st.containerStatuses as O[]) ?? []).filter(isObject)
  const restartTime = (cs: O): number => {
    const t = getPath(cs, ['lastState', 'terminated', 'finishedAt'])
    return typeof t === 'string' ? Date.parse(t) : 0
  }
  totalContainers += restartableInit.size
  for (const cs of initStatuses) {
    restarts += num(cs.restartCount)
    if (restartTime(cs) > lastRestart) lastRestart = restartTime(cs)
    if (restartableInit.has(cs.name)) {
      restartableInitRestarts += num(cs.restartCount)
      if (restartTime(cs) > lastRestartableInitRestart) lastRestartableInitRestart = restartTime(cs)
      if (cs.started === true && cs.ready === true) readyContainers++
    }
  }
  let initializing = false
  initStatuses.forEach((cs, i) => {
    if (initializing) return
    const state = (cs.state ?? {}) as O
    const term = state.terminated as O | undefined
    const wait = state.waiting as O | undefined
    if (term && num(term.exitCode) === 0) return
    if (restartableInit.has(cs.name) && cs.started === true) return
    if (term) {
      if (term.reason) reason = `Init:${txt(term.reason)}`
      else if (num(term.signal) !== 0) reason = `Init:Signal:${num(term.signal)}`
      else reason = `Init:ExitCode:${num(term.exitCode)}`
    } else if (wait && wait.reason && wait.reason !== 'PodInitializing') {
      reason = `Init:${txt(wait.reason)}`
    } else {
      reason = `Init:${i}/${initContainers.length}`
    }
    initializing = true
  })
  const initializedTrue = conditions.some((c) => c.type === 'Initialized' && c.status === 'True')
  if (!initializing || initializedTrue) {
    restarts = restartableInitRestarts
    lastRestart = lastRestartableInitRestart
    let hasRunning = false
    for (let i = containerStatuses.length - 1; i >= 0; i--) {
      const cs = containerStatuses[i]
      restarts += num(cs.restartCount)
      if (restartTime(cs) > lastRestart) lastRestart = restartTime(cs)
      const state = (cs.state ?? {}) as O
      const wait = state.waiting as O | undefined
      const term = state.terminated as O | undefined
      if (wait && wait.reason) reason = txt(wait.reason)
      else if (term && term.reason) reason = txt(term.reason)
      else if (term && !term.reason) reason = num(term.signal) !== 0 ? `Signal:${num(term.signal)}` : `ExitCode:${num(term.exitCode)}`
      else if (cs.ready === true && state.running) {
        hasRunning = true
        readyContainers++
      }
    }
    if (reason === 'Completed' && hasRunning) reason = hasPodReadyCondition(conditions) ? 'Running' : 'NotReady'
  }
  if (pod.metadata.deletionTimestamp && st.reason === 'NodeLost') reason = 'Unknown'
  else if (pod.metadata.deletionTimestamp && st.phase !== 'Succeeded' && st.phase !== 'Failed') reason = 'Terminating'
  const restartsStr = lastRestart > 0 ? `${restarts} (${age(new Date(lastRestart).toISOString(), now)} ago)` : txt(restarts)
  const readinessGates = ((sp.readinessGates as O[]) ?? []).filter(isObject)
  let gates = '<none>'
  if (readinessGates.length) {
    const trueGates = readinessGates.filter((g) => conditions.some((c) => c.type === g.conditionType && c.status === 'True')).length
    gates = `${trueGates}/${readinessGates.length}`
  }
  return [
    pod.metadata.name,
    `${readyContainers}/${totalContainers}`,
    reason,
    restartsStr,
    created(pod, now),
    st.podIP || '<none>',
    sp.nodeName || '<none>',
    st.nominatedNodeName || '<none>',
    gates,
  ]
}

// ---- nodes ----

function nodeCells(node: KubeObject, now: number): unknown[] {
  const st = status(node)
  const conditions = ((st.conditions as O[]) ?? []).filter(isObject)
  const statuses: string[] = []
  const ready = conditions.find((c) => c.type === 'Ready')
  if (ready) statuses.push(ready.status === 'True' ? 'Ready' : 'NotReady')
  else statuses.push('Unknown')
  if (spec(node).unschedulable === true) statuses.push('SchedulingDisabled')
  const roles = new Set<string>()
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length)
      if (role) roles.add(role)
    } else if (k === 'kubernetes.io/role' && v) roles.add(v)
  }
  const addresses = ((st.addresses as O[]) ?? []).filter(isObject)
  const addr = (type: string) => (addresses.find((a) => a.type === type)?.address as string | undefined) || '<none>'
  const info = (st.nodeInfo ?? {}) as O
  return [
    node.metadata.name,
    statuses.join(','),
    roles.size ? [...roles].sort().join(',') : '<none>',
    created(node, now),
    txt(info.kubeletVersion ?? ''),
    addr('InternalIP'),
    addr('ExternalIP'),
    info.osImage || '<unknown>',
    info.kernelVersion || '<unknown>',
    info.containerRuntimeVersion || '<unknown>',
  ]
}

// ---- services ----

function serviceCells(svc: KubeObject, now: number): unknown[] {
  const sp = spec(svc)
  const type = txt(sp.type ?? 'ClusterIP')
  const clusterIP = (sp.clusterIP as string) || '<none>'
  let external = '<none>'
  const externalIPs = ((sp.externalIPs as string[]) ?? []).filter(Boolean)
  if (type === 'ExternalName') external = txt(sp.externalName ?? '<none>')
  else if (type === 'LoadBalancer') {
    const ingress = ((getPath(svc, ['status', 'loadBalancer', 'ingress']) as O[]) ?? []).map((i) => txt(i.ip ?? i.hostname ?? ''))
    const all = [...ingress, ...externalIPs].filter(Boolean)
    external = all.length ? all.join(',') : '<pending>'
  } else if (externalIPs.length) external = externalIPs.join(',')
  const ports = ((sp.ports as O[]) ?? [])
    .filter(isObject)
    .map((p) => (p.nodePort ? `${txt(p.port)}:${txt(p.nodePort)}/${txt(p.protocol ?? 'TCP')}` : `${txt(p.port)}/${txt(p.protocol ?? 'TCP')}`))
  const selector =
    isObject(sp.selector) && Object.keys(sp.selector).length
      ? Object.entries(sp.selector as Record<string, string>)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, v]) => `${k}=${v}`)
          .join(',')
      : '<none>'
  return [svc.metadata.name, type, clusterIP, external, ports.length ? ports.join(',') : '<none>', created(svc, now), selector]
}

// ---- events ----

function eventCells(ev: KubeObject, now: number): unknown[] {
  const o = ev as O
  const first = (o.firstTimestamp as string) || (o.eventTime as string) || ''
  const firstTs = first ? age(first, now) : '<unknown>'
  let lastTs = o.lastTimestamp ? age(o.lastTimestamp, now) : firstTs
  let count = num(o.count)
  const series = o.series as O | undefined
  if (series) {
    lastTs = age(series.lastObservedTime, now)
    count = num(series.count)
  } else if (count === 0) count = 1
  const io = (o.involvedObject ?? {}) as O
  const kind = txt(io.kind ?? '').toLowerCase()
  const target = io.name ? `${kind}/${txt(io.name)}` : kind
  const src = (o.source ?? {}) as O
  const component = (src.component as string) || (o.reportingController as string) || (o.reportingComponent as string) || ''
  const host = (src.host as string) || (o.reportingInstance as string) || ''
  const source = host ? `${component}, ${host}` : component
  return [lastTs, o.type ?? '', o.reason ?? '', target, io.fieldPath ?? '', source, txt(o.message ?? '').trim(), firstTs, count, ev.metadata.name]
}

const builtins: Record<string, Printer> = {
  pods: {
    columns: [
      NAME,
      col('Ready'),
      col('Status'),
      col('Restarts'),
      AGE,
      col('IP', 'string', 1),
      col('Node', 'string', 1),
      col('Nominated Node', 'string', 1),
      col('Readiness Gates', 'string', 1),
    ],
    cells: podCells,
  },
  nodes: {
    columns: [
      NAME,
      col('Status'),
      col('Roles'),
      AGE,
      col('Version'),
      col('Internal-IP', 'string', 1),
      col('External-IP', 'string', 1),
      col('OS-Image', 'string', 1),
      col('Kernel-Version', 'string', 1),
      col('Container-Runtime', 'string', 1),
    ],
    cells: nodeCells,
  },
  'deployments.apps': {
    columns: [
      NAME,
      col('Ready'),
      col('Up-to-date', 'integer'),
      col('Available', 'integer'),
      AGE,
      col('Containers', 'string', 1),
      col('Images', 'string', 1),
      col('Selector', 'string', 1),
    ],
    cells: (d, now) => {
      const sp = spec(d)
      const st = status(d)
      const [containers, images] = containersAndImages((getPath(sp, ['template', 'spec']) ?? {}) as O)
      return [
        d.metadata.name,
        `${num(st.readyReplicas)}/${num(sp.replicas)}`,
        num(st.updatedReplicas),
        num(st.availableReplicas),
        created(d, now),
        containers,
        images,
        selectorString(sp.selector),
      ]
    },
  },
  'replicasets.apps': {
    columns: [
      NAME,
      col('Desired', 'integer'),
      col('Current', 'integer'),
      col('Ready', 'integer'),
      AGE,
      col('Containers', 'string', 1),
      col('Images', 'string', 1),
      col('Selector', 'string', 1),
    ],
    cells: (rs, now) => {
      const sp = spec(rs)
      const st = status(rs)
      const [containers, images] = containersAndImages((getPath(sp, ['template', 'spec']) ?? {}) as O)
      return [rs.metadata.name, num(sp.replicas), num(st.replicas), num(st.readyReplicas), created(rs, now), containers, images, selectorString(sp.selector)]
    },
  },
  'daemonsets.apps': {
    columns: [
      NAME,
      col('Desired', 'integer'),
      col('Current', 'integer'),
      col('Ready', 'integer'),
      col('Up-to-date', 'integer'),
      col('Available', 'integer'),
      col('Node Selector'),
      AGE,
      col('Containers', 'string', 1),
      col('Images', 'string', 1),
      col('Selector', 'string', 1),
    ],
    cells: (ds, now) => {
      const sp = spec(ds)
      const st = status(ds)
      const podSpec = (getPath(sp, ['template', 'spec']) ?? {}) as O
      const [containers, images] = containersAndImages(podSpec)
      const ns =
        isObject(podSpec.nodeSelector) && Object.keys(podSpec.nodeSelector).length
          ? Object.entries(podSpec.nodeSelector as Record<string, string>)
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([k, v]) => `${k}=${v}`)
              .join(',')
          : '<none>'
      return [
        ds.metadata.name,
        num(st.desiredNumberScheduled),
        num(st.currentNumberScheduled),
        num(st.numberReady),
        num(st.updatedNumberScheduled),
        num(st.numberAvailable),
        ns,
        created(ds, now),
        containers,
        images,
        selectorString(sp.selector),
      ]
    },
  },
  services: {
    columns: [NAME, col('Type'), col('Cluster-IP'), col('External-IP'), col('Port(s)'), AGE, col('Selector', 'string', 1)],
    cells: serviceCells,
  },
  namespaces: {
    columns: [NAME, col('Status'), AGE],
    cells: (ns, now) => [ns.metadata.name, txt(status(ns).phase ?? ''), created(ns, now)],
  },
  events: {
    columns: [
      col('Last Seen'),
      col('Type'),
      col('Reason'),
      col('Object'),
      col('Subobject', 'string', 1),
      col('Source', 'string', 1),
      col('Message'),
      col('First Seen', 'string', 1),
      col('Count', 'integer', 1),
      col('Name', 'string', 1),
    ],
    cells: eventCells,
  },
  configmaps: {
    columns: [NAME, col('Data', 'integer'), AGE],
    cells: (cm, now) => [cm.metadata.name, Object.keys((cm as O).data ?? {}).length + Object.keys((cm as O).binaryData ?? {}).length, created(cm, now)],
  },
  secrets: {
    columns: [NAME, col('Type'), col('Data', 'integer'), AGE],
    cells: (s, now) => [s.metadata.name, txt((s as O).type ?? ''), Object.keys((s as O).data ?? {}).length, created(s, now)],
  },
  serviceaccounts: {
    columns: [NAME, col('Secrets', 'integer'), AGE],
    cells: (sa, now) => [sa.metadata.name, (((sa as O).secrets as unknown[]) ?? []).length, created(sa, now)],
  },
  'leases.coordination.k8s.io': {
    columns: [NAME, col('Holder'), AGE],
    cells: (l, now) => [l.metadata.name, txt(spec(l).holderIdentity ?? ''), created(l, now)],
  },
  'customresourcedefinitions.apiextensions.k8s.io': {
    // Served by the default table convertor: NAME and CREATED AT (an RFC 3339 date, not an age).
    columns: [NAME, col('Created At', 'date', 0, '', AGE_DESC)],
    cells: (crd) => [crd.metadata.name, crd.metadata.creationTimestamp],
  },
}

/** Printer for a custom resource: Name + additionalPrinterColumns (or Age when it has none). */
function customPrinter(def: ResourceDef): Printer {
  const extra = def.printerColumns?.length
    ? def.printerColumns
    : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: AGE_DESC }]
  return {
    columns: [NAME, ...extra.map((c) => col(c.name, c.type, c.priority ?? 0, c.format ?? '', c.description ?? ''))],
    cells: (obj, now) => [
      obj.metadata.name,
      ...extra.map((c) => {
        const found = jsonPath(obj, c.jsonPath)
        if (found.length === 0 || found[0] === undefined || found[0] === null) return null
        const v = found[0]
        if (c.type === 'date') return typeof v === 'string' ? age(v, now) : null
        if (c.type === 'integer' || c.type === 'number') return typeof v === 'number' ? v : Number(v)
        if (c.type === 'boolean') return Boolean(v)
        return typeof v === 'object' ? JSON.stringify(v) : txt(v)
      }),
    ],
  }
}

const genericPrinter: Printer = { columns: [NAME, col('Created At', 'date', 0, '', AGE_DESC)], cells: (o) => [o.metadata.name, o.metadata.creationTimestamp] }

// Per definition, not per resource name: nodepools.karpenter.sh is v1beta1 in one cluster and v1 in another.
const customCache = new WeakMap<ResourceDef, Printer>()

export function printerFor(def: ResourceDef): Printer {
  if (def.custom) {
    let p = customCache.get(def)
    if (!p) customCache.set(def, (p = customPrinter(def)))
    return p
  }
  return builtins[def.key] ?? genericPrinter
}
