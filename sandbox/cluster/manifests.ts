// Creating or updating objects from manifests in process, as `kubectl apply` does for the
// sandbox's own installs (EKS add-ons, the Karpenter chart).

import { ignoreNotFound } from '../kube/errors.ts'
import type { KubeObject } from '../kube/json.ts'
import type { Store } from '../kube/store.ts'

function resourceOf(store: Store, object: KubeObject): string {
  const def = store.registry.byApiVersionKind(object.apiVersion ?? '', object.kind ?? '')
  if (!def) throw new Error(`no resource serves ${object.apiVersion} ${object.kind}`)
  return def.key
}

/** Creates each object, or merges it into the existing one (labels, annotations, spec, data). */
export function applyManifests(store: Store, objects: KubeObject[], fieldManager: string): void {
  for (const object of objects) {
    const resource = resourceOf(store, object)
    const existing = store.find(resource, object.metadata.namespace, object.metadata.name!)
    if (!existing) {
      store.create(resource, object, { fieldManager })
      continue
    }
    store.patch(
      resource,
      object.metadata.namespace,
      object.metadata.name!,
      'merge',
      { ...object, metadata: { labels: object.metadata.labels, annotations: object.metadata.annotations } },
      { fieldManager },
    )
  }
}

/** Deletes the objects (in reverse order), ignoring the ones already gone. */
export function deleteManifests(store: Store, objects: KubeObject[]): void {
  for (const object of [...objects].reverse()) {
    try {
      store.delete(resourceOf(store, object), object.metadata.namespace, object.metadata.name!, { propagationPolicy: 'Background' })
    } catch (error) {
      ignoreNotFound(error)
    }
  }
}
