// Defaulting and validation of built-in kinds: the part of the apiserver's registry
// strategies (and a few admission plugins) that a user of kubectl can see. Messages follow
// the apiserver's field errors, so a bad manifest is refused as a real cluster refuses it.

import { fieldErrors, type FieldError } from './errors.ts'
import { clone, deepEqual, getPath, isObject, txt, type KubeObject } from './json.ts'
import { fromLabelSelectorSpec, labelKeyErrors, labelValueErrors, type LabelSelectorSpec } from './selectors.ts'
import type { ResourceDef } from './registry.ts'

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"

function validateName(def: ResourceDef, name: string, field = 'metadata.name'): FieldError[] {
  if (!name) return [fieldErrors.required(field, 'name or generateName is required')]
  if (def.key === 'namespaces') {
    if (name.length > 63) return [fieldErrors.invalid(field, name, 'must be no more than 63 characters')]
    return DNS1123_LABEL.test(name) ? [] : [fieldErrors.invalid(field, name, LABEL_MSG)]
  }
  if (def.key === 'services') {
    if (name.length > 63) return [fieldErrors.invalid(field, name, 'must be no more than 63 characters')]
    return DNS1035_LABEL.test(name) ? [] : [fieldErrors.invalid(field, name, DNS1035_MSG)]
  }
  if (name.length > 253) return [fieldErrors.invalid(field, name, 'must be no more than 253 characters')]
  if (def.key === 'events') return name.includes('/') || name === '.' || name === '..' ? [fieldErrors.invalid(field, name, "may not contain '/'")] : []
  return DNS1123_SUBDOMAIN.test(name) ? [] : [fieldErrors.invalid(field, name, SUBDOMAIN_MSG)]
}

export function validateMetadata(def: ResourceDef, obj: KubeObject): FieldError[] {
  const errs: FieldError[] = []
  const meta = obj.metadata
  errs.push(...validateName(def, meta.name ?? ''))
  errs.push(...validateLabels(meta.labels, 'metadata.labels'))
  if (meta.annotations !== undefined) {
    if (!isObject(meta.annotations)) errs.push(fieldErrors.invalid('metadata.annotations', meta.annotations, 'must be a map of strings'))
    else {
      let size = 0
      for (const [k, v] of Object.entries(meta.annotations)) {
        for (const e of labelKeyErrors(k.toLowerCase())) errs.push(fieldErrors.invalid('metadata.annotations', k, e))
        if (typeof v !== 'string') errs.push(fieldErrors.invalid(`metadata.annotations[${k}]`, v, 'must be a string'))
        size += k.length + String(v).length
      }
      if (size > 262144) errs.push(fieldErrors.tooLong('metadata.annotations', 262144))
    }
  }
  for (const [i, f] of (meta.finalizers ?? []).entries()) {
    if (typeof f !== 'string' || labelKeyErrors(f).length)
      errs.push(fieldErrors.invalid(`metadata.finalizers[${i}]`, f, labelKeyErrors(String(f)).join('; ') || 'must be a string'))
  }
  for (const [i, o] of (meta.ownerReferences ?? []).entries()) {
    for (const k of ['apiVersion', 'kind', 'name', 'uid'] as const) if (!o?.[k]) errs.push(fieldErrors.required(`metadata.ownerReferences[${i}].${k}`))
  }
  if ((meta.ownerReferences ?? []).filter((o) => o?.controller).length > 1)
    errs.push(fieldErrors.invalid('metadata.ownerReferences', '', 'Only one reference can have Controller set to true'))
  return errs
}

function validateLabels(labels: unknown, field: string): FieldError[] {
  const errs: FieldError[] = []
  if (labels === undefined || labels === null) return errs
  if (!isObject(labels)) return [fieldErrors.invalid(field, labels, 'must be a map of strings')]
  for (const [k, v] of Object.entries(labels)) {
    for (const e of labelKeyErrors(k)) errs.push(fieldErrors.invalid(field, k, e))
    if (typeof v !== 'string') errs.push(fieldErrors.invalid(field, v, 'label values must be strings'))
    else for (const e of labelValueErrors(v)) errs.push(fieldErrors.invalid(field, v, e))
  }
  return errs
}

// ---------------------------------------------------------------------------------------
// Defaulting (what the apiserver's defaulters and admission add on create)
// ---------------------------------------------------------------------------------------

type Obj = Record<string, unknown>

function imagePullPolicy(image: unknown): string {
  if (typeof image !== 'string') return 'IfNotPresent'
  const afterSlash = image.slice(image.lastIndexOf('/') + 1)
  if (image.includes('@')) return 'IfNotPresent'
  const tag = afterSlash.includes(':') ? afterSlash.slice(afterSlash.indexOf(':') + 1) : 'latest'
  return tag === 'latest' ? 'Always' : 'IfNotPresent'
}

function defaultContainer(c: Obj): void {
  c.terminationMessagePath ??= '/dev/termination-log'
  c.terminationMessagePolicy ??= 'File'
  c.imagePullPolicy ??= imagePullPolicy(c.image)
  c.resources ??= {}
  const res = c.resources as Obj
  // Requests default to limits when only limits are given.
  if (isObject(res.limits)) {
    res.requests = { ...(res.limits as Obj), ...(res.requests ?? {}) }
  }
  for (const p of (c.ports as Obj[] | undefined) ?? []) if (isObject(p)) p.protocol ??= 'TCP'
}

function defaultPodSpec(spec: Obj): void {
  spec.restartPolicy ??= 'Always'
  spec.dnsPolicy ??= 'ClusterFirst'
  spec.schedulerName ??= 'default-scheduler'
  spec.terminationGracePeriodSeconds ??= 30
  spec.securityContext ??= {}
  spec.enableServiceLinks ??= true
  for (const c of [...((spec.containers as Obj[]) ?? []), ...((spec.initContainers as Obj[]) ?? [])]) if (isObject(c)) defaultContainer(c)
}

function qosClass(spec: Obj): string {
  const containers = [...((spec.containers as Obj[]) ?? []), ...((spec.initContainers as Obj[]) ?? [])].filter(isObject)
  let any = false
  let guaranteed = containers.length > 0
  for (const c of containers) {
    const res = (c.resources ?? {}) as Obj
    const req = (res.requests ?? {}) as Obj
    const lim = (res.limits ?? {}) as Obj
    if (Object.keys(req).length || Object.keys(lim).length) any = true
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined || (req[r] !== undefined && txt(req[r]) !== txt(lim[r]))) guaranteed = false
    }
  }
  if (!any) return 'BestEffort'
  return guaranteed ? 'Guaranteed' : 'Burstable'
}

const DEFAULT_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
]

let nextServiceIp = 1

/** Defaults applied when an object is created (and kept on update for fields the user clears). */
export function applyBuiltinDefaults(def: ResourceDef, obj: KubeObject, op: 'create' | 'update'): void {
  const o = obj as Obj
  switch (def.key) {
    case 'pods': {
      const spec = (o.spec ??= {}) as Obj
      defaultPodSpec(spec)
      if (op === 'create') {
        // ServiceAccount and DefaultTolerationSeconds admission plugins.
        spec.serviceAccountName ??= spec.serviceAccount ?? 'default'
        spec.serviceAccount = spec.serviceAccountName
        spec.priority ??= 0
        spec.preemptionPolicy ??= 'PreemptLowerPriority'
        const tolerations = ((spec.tolerations as Obj[] | undefined) ?? []).slice()
        for (const t of DEFAULT_TOLERATIONS) {
          if (!tolerations.some((x) => isObject(x) && x.key === t.key && (x.effect === undefined || x.effect === t.effect))) tolerations.push({ ...t })
        }
        spec.tolerations = tolerations
      }
      break
    }
    case 'deployments.apps': {
      const spec = (o.spec ??= {}) as Obj
      spec.replicas ??= 1
      spec.revisionHistoryLimit ??= 10
      spec.progressDeadlineSeconds ??= 600
      spec.strategy ??= { type: 'RollingUpdate' }
      const strategy = spec.strategy as Obj
      strategy.type ??= 'RollingUpdate'
      if (strategy.type === 'RollingUpdate') {
        strategy.rollingUpdate ??= {}
        const ru = strategy.rollingUpdate as Obj
        ru.maxUnavailable ??= '25%'
        ru.maxSurge ??= '25%'
      }
      defaultTemplate(spec)
      break
    }
    case 'replicasets.apps': {
      const spec = (o.spec ??= {}) as Obj
      spec.replicas ??= 1
      defaultTemplate(spec)
      break
    }
    case 'daemonsets.apps': {
      const spec = (o.spec ??= {}) as Obj
      spec.revisionHistoryLimit ??= 10
      spec.updateStrategy ??= { type: 'RollingUpdate' }
      const us = spec.updateStrategy as Obj
      us.type ??= 'RollingUpdate'
      if (us.type === 'RollingUpdate') {
        us.rollingUpdate ??= {}
        const ru = us.rollingUpdate as Obj
        ru.maxUnavailable ??= 1
        ru.maxSurge ??= 0
      }
      defaultTemplate(spec)
      break
    }
    case 'services': {
      const spec = (o.spec ??= {}) as Obj
      spec.type ??= 'ClusterIP'
      spec.sessionAffinity ??= 'None'
      if (spec.type !== 'ExternalName') {
        if (op === 'create' && spec.clusterIP === undefined) {
          const n = nextServiceIp++
          spec.clusterIP = `10.100.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`
        }
        if (spec.clusterIP !== undefined && spec.clusterIPs === undefined) spec.clusterIPs = [spec.clusterIP]
        spec.ipFamilies ??= ['IPv4']
        spec.ipFamilyPolicy ??= 'SingleStack'
        spec.internalTrafficPolicy ??= 'Cluster'
      }
      for (const p of (spec.ports as Obj[] | undefined) ?? []) {
        if (!isObject(p)) continue
        p.protocol ??= 'TCP'
        p.targetPort ??= p.port
      }
      o.status ??= { loadBalancer: {} }
      break
    }
    case 'namespaces': {
      const spec = (o.spec ??= {}) as Obj
      if (op === 'create') spec.finalizers ??= ['kubernetes']
      const meta = obj.metadata
      meta.labels = { ...(meta.labels ?? {}), 'kubernetes.io/metadata.name': meta.name ?? '' }
      o.status ??= {}
      ;(o.status as Obj).phase ??= 'Active'
      break
    }
    case 'secrets': {
      o.type ??= 'Opaque'
      if (isObject(o.stringData)) {
        const data = (isObject(o.data) ? o.data : {}) as Obj
        for (const [k, v] of Object.entries(o.stringData)) data[k] = Buffer.from(String(v)).toString('base64')
        o.data = data
        delete o.stringData
      }
      break
    }
  }
}

function defaultTemplate(spec: Obj): void {
  const template = spec.template
  if (!isObject(template)) return
  template.metadata ??= {}
  const ts = (template.spec ??= {}) as Obj
  defaultPodSpec(ts)
}

/** What a newly created object's status is reset to (the registry strategies' PrepareForCreate). */
export function initialStatus(def: ResourceDef, obj: KubeObject): unknown {
  const o = obj as Obj
  switch (def.key) {
    case 'pods':
      return { phase: 'Pending', qosClass: qosClass((o.spec ?? {}) as Obj) }
    case 'deployments.apps':
    case 'replicasets.apps':
      return { replicas: 0 }
    case 'daemonsets.apps':
      return { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 }
    default:
      return o.status
  }
}

// ---------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------

function validateContainers(list: unknown, field: string, required: boolean): FieldError[] {
  const errs: FieldError[] = []
  if (list === undefined || list === null || (Array.isArray(list) && list.length === 0)) {
    if (required) errs.push(fieldErrors.required(field))
    return errs
  }
  if (!Array.isArray(list)) return [fieldErrors.invalid(field, list, 'must be a list')]
  const names = new Set<string>()
  list.forEach((c: unknown, i) => {
    const p = `${field}[${i}]`
    if (!isObject(c)) {
      errs.push(fieldErrors.invalid(p, c, 'must be an object'))
      return
    }
    if (!c.name) errs.push(fieldErrors.required(`${p}.name`))
    else if (typeof c.name !== 'string' || !DNS1123_LABEL.test(c.name) || c.name.length > 63) errs.push(fieldErrors.invalid(`${p}.name`, c.name, LABEL_MSG))
    else if (names.has(c.name)) errs.push(fieldErrors.duplicate(`${p}.name`, c.name))
    else names.add(c.name)
    if (!c.image) errs.push(fieldErrors.required(`${p}.image`))
    for (const [j, port] of ((c.ports as unknown[]) ?? []).entries()) {
      if (!isObject(port)) continue
      const cp = port.containerPort
      if (typeof cp !== 'number' || cp < 1 || cp > 65535)
        errs.push(fieldErrors.invalid(`${p}.ports[${j}].containerPort`, cp, 'must be between 1 and 65535, inclusive'))
    }
  })
  return errs
}

function validatePodSpec(spec: unknown, field: string): FieldError[] {
  if (!isObject(spec)) return [fieldErrors.required(field)]
  const errs: FieldError[] = []
  errs.push(...validateContainers(spec.containers, `${field}.containers`, true))
  errs.push(...validateContainers(spec.initContainers, `${field}.initContainers`, false))
  if (spec.restartPolicy !== undefined && !['Always', 'OnFailure', 'Never'].includes(spec.restartPolicy as string))
    errs.push(fieldErrors.notSupported(`${field}.restartPolicy`, spec.restartPolicy, ['Always', 'OnFailure', 'Never']))
  if (spec.nodeSelector !== undefined) errs.push(...validateLabels(spec.nodeSelector, `${field}.nodeSelector`))
  for (const [i, t] of ((spec.topologySpreadConstraints as unknown[]) ?? []).entries()) {
    if (!isObject(t)) continue
    const p = `${field}.topologySpreadConstraints[${i}]`
    if (typeof t.maxSkew !== 'number' || t.maxSkew < 1) errs.push(fieldErrors.invalid(`${p}.maxSkew`, t.maxSkew ?? 0, 'must be greater than zero'))
    if (!t.topologyKey) errs.push(fieldErrors.required(`${p}.topologyKey`, 'can not be empty'))
    if (!['DoNotSchedule', 'ScheduleAnyway'].includes(t.whenUnsatisfiable as string))
      errs.push(fieldErrors.notSupported(`${p}.whenUnsatisfiable`, t.whenUnsatisfiable ?? '', ['DoNotSchedule', 'ScheduleAnyway']))
    if (t.minDomains !== undefined && (typeof t.minDomains !== 'number' || t.minDomains < 1))
      errs.push(fieldErrors.invalid(`${p}.minDomains`, t.minDomains, 'must be greater than 0'))
  }
  return errs
}

/** Go's %#v of a LabelSelector, as the immutability message prints it. */
function goSelector(s: unknown): string {
  const sel = (s ?? {}) as LabelSelectorSpec
  const ml = sel.matchLabels
    ? `map[string]string{${Object.keys(sel.matchLabels)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${JSON.stringify(sel.matchLabels![k])}`)
        .join(', ')}}`
    : 'map[string]string(nil)'
  return `v1.LabelSelector{MatchLabels:${ml}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`
}

function goStringMap(m: unknown): string {
  const o = (m ?? {}) as Record<string, string>
  return `map[string]string{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(o[k])}`)
    .join(', ')}}`
}

function validateWorkload(spec: Obj | undefined, old: KubeObject | undefined, withReplicas: boolean): FieldError[] {
  const errs: FieldError[] = []
  if (!isObject(spec)) return [fieldErrors.required('spec')]
  if (withReplicas && spec.replicas !== undefined && (typeof spec.replicas !== 'number' || spec.replicas < 0))
    errs.push(fieldErrors.invalid('spec.replicas', spec.replicas, 'must be greater than or equal to 0'))
  const selector = spec.selector
  if (!isObject(selector) || (!selector.matchLabels && !selector.matchExpressions)) {
    errs.push(fieldErrors.required('spec.selector'))
  } else {
    try {
      const sel = fromLabelSelectorSpec(selector)
      if (sel.empty) errs.push(fieldErrors.invalid('spec.selector', '', 'empty selector is invalid for deployment'))
      const labels = getPath(spec, ['template', 'metadata', 'labels']) as Record<string, string> | undefined
      if (!sel.empty && !sel.matches(labels))
        errs.push({
          field: 'spec.template.metadata.labels',
          type: 'FieldValueInvalid',
          detail: `Invalid value: ${goStringMap(labels)}: \`selector\` does not match template \`labels\``,
        })
    } catch (e) {
      errs.push(fieldErrors.invalid('spec.selector', '', (e as Error).message))
    }
    if (old) {
      const oldSel = getPath(old, ['spec', 'selector'])
      if (!deepEqual(oldSel, selector))
        errs.push({ field: 'spec.selector', type: 'FieldValueInvalid', detail: `Invalid value: ${goSelector(selector)}: field is immutable` })
    }
  }
  errs.push(...validatePodSpec(getPath(spec, ['template', 'spec']), 'spec.template.spec'))
  errs.push(...validateLabels(getPath(spec, ['template', 'metadata', 'labels']), 'spec.template.metadata.labels'))
  return errs
}

const POD_UPDATE_FORBIDDEN =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)'

function podSpecMutable(oldSpec: Obj, newSpec: Obj): boolean {
  const a = clone(oldSpec)
  const b = clone(newSpec)
  for (const s of [a, b]) {
    for (const c of [...((s.containers as Obj[]) ?? []), ...((s.initContainers as Obj[]) ?? [])]) if (isObject(c)) delete c.image
    delete s.activeDeadlineSeconds
    delete s.terminationGracePeriodSeconds
  }
  const oldTol = (a.tolerations as unknown[]) ?? []
  const newTol = (b.tolerations as unknown[]) ?? []
  if (!oldTol.every((t) => newTol.some((n) => deepEqual(n, t)))) return false
  delete a.tolerations
  delete b.tolerations
  return deepEqual(a, b)
}

/** Kind-specific validation. `old` is the stored object on updates. */
export function validateBuiltin(def: ResourceDef, obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const o = obj as Obj
  switch (def.key) {
    case 'pods': {
      const errs = old ? [] : validatePodSpec(o.spec, 'spec')
      if (old && !podSpecMutable((old as Obj).spec as Obj, o.spec as Obj)) errs.push(fieldErrors.forbidden('spec', POD_UPDATE_FORBIDDEN))
      return errs
    }
    case 'deployments.apps':
    case 'replicasets.apps':
      return validateWorkload(o.spec as Obj, old, true)
    case 'daemonsets.apps':
      return validateWorkload(o.spec as Obj, old, false)
    case 'services': {
      const spec = o.spec as Obj
      const errs: FieldError[] = []
      if (spec?.type !== 'ExternalName' && (!Array.isArray(spec?.ports) || spec.ports.length === 0) && spec?.clusterIP !== 'None')
        errs.push(fieldErrors.required('spec.ports'))
      if (!['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'].includes(spec?.type as string))
        errs.push(fieldErrors.notSupported('spec.type', spec?.type, ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']))
      if (old && getPath(old, ['spec', 'clusterIP']) && spec?.clusterIP !== getPath(old, ['spec', 'clusterIP']))
        errs.push(fieldErrors.invalid('spec.clusterIPs[0]', spec?.clusterIP ?? '', 'may not change once set'))
      return errs
    }
    case 'nodes': {
      const errs: FieldError[] = []
      const oldPid = old ? getPath(old, ['spec', 'providerID']) : undefined
      if (oldPid && getPath(o, ['spec', 'providerID']) !== oldPid)
        errs.push(fieldErrors.forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'))
      return errs
    }
    default:
      return []
  }
}
