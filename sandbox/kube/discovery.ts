// API discovery, in both forms clients ask for:
//   aggregated (`apidiscovery.k8s.io` v2 and v2beta1 APIGroupDiscoveryList on /api and /apis):
//     kubectl 1.30+ asks for v2, 1.27–1.29 for v2beta1; it recognises the answer only by the
//     exact Content-Type;
//   legacy (APIVersions, APIGroupList, APIGroup, APIResourceList): client-node and
//     client-go's plain discovery client (kubectl drain's eviction check).

import type { Registry, ResourceDef } from './registry.ts'

export type AggregatedVersion = 'v2' | 'v2beta1'

export function aggregatedContentType(v: AggregatedVersion): string {
  return `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`
}

function resourceEntry(r: ResourceDef): Record<string, unknown> {
  const e: Record<string, unknown> = {
    resource: r.plural,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
  }
  if (r.shortNames.length) e.shortNames = r.shortNames
  if (r.categories.length) e.categories = r.categories
  const subs = Object.entries(r.subresources)
  if (subs.length)
    e.subresources = subs.map(([name, s]) => ({ subresource: name, responseKind: { group: s.group, version: s.version, kind: s.kind }, verbs: s.verbs }))
  return e
}

/** GET /api (core) or /apis (groups), aggregated. */
export function aggregatedDiscovery(registry: Registry, which: 'api' | 'apis', v: AggregatedVersion): Record<string, unknown> {
  const byGroup = new Map<string, Map<string, ResourceDef[]>>()
  for (const r of registry.resources) {
    if ((which === 'api') !== (r.group === '')) continue
    let versions = byGroup.get(r.group)
    if (!versions) byGroup.set(r.group, (versions = new Map<string, ResourceDef[]>()))
    let list = versions.get(r.version)
    if (!list) versions.set(r.version, (list = []))
    list.push(r)
  }
  const items = [...byGroup].map(([group, versions]) => ({
    metadata: which === 'api' ? { creationTimestamp: null } : { name: group, creationTimestamp: null },
    versions: [...versions].map(([version, resources]) => ({ version, resources: resources.map(resourceEntry), freshness: 'Current' })),
  }))
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${v}`, metadata: {}, items }
}

export function legacyApiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] }
}

function groupEntry(registry: Registry, group: string): Record<string, unknown> {
  const versions = [...new Set(registry.resources.filter((r) => r.group === group).map((r) => r.version))]
  const vs = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }))
  return { name: group, versions: vs, preferredVersion: vs[0] }
}

export function legacyGroupList(registry: Registry): Record<string, unknown> {
  const groups = [...new Set(registry.resources.filter((r) => r.group).map((r) => r.group))]
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map((g) => groupEntry(registry, g)) }
}

export function legacyGroup(registry: Registry, group: string): Record<string, unknown> | undefined {
  if (!registry.resources.some((r) => r.group === group)) return undefined
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(registry, group) }
}

export function legacyResourceList(registry: Registry, group: string, version: string): Record<string, unknown> | undefined {
  const rs = registry.resources.filter((r) => r.group === group && r.version === version)
  if (!rs.length) return undefined
  const resources: Record<string, unknown>[] = []
  for (const r of rs) {
    const e: Record<string, unknown> = { name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs }
    if (r.shortNames.length) e.shortNames = r.shortNames
    if (r.categories.length) e.categories = r.categories
    resources.push(e)
    for (const [name, s] of Object.entries(r.subresources)) {
      const sub: Record<string, unknown> = { name: `${r.plural}/${name}`, singularName: '', namespaced: r.namespaced, kind: s.kind, verbs: s.verbs }
      if (s.group !== r.group || s.version !== r.version) {
        sub.group = s.group
        sub.version = s.version
      }
      resources.push(sub)
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources }
}
