// A CustomResourceDefinition as the sandbox takes it: the TypeScript description of one served
// version (schema with CEL predicates, printer columns, names), and the
// apiextensions.k8s.io/v1 CustomResourceDefinition object built from it (kubectl reads that one to
// confirm a kind exists; `kubectl get crd` lists it). Charts hand these to the store when their
// release is installed (Store.installCrd), as Helm applies a chart's crds/ directory.

import type { KubeObject } from '../json.ts'
import { toOpenApi, type Schema } from '../schema.ts'

/** A column of `kubectl get` (a CRD's additionalPrinterColumns, or a built-in printer's). */
export interface PrinterColumn {
  name: string
  type: string
  jsonPath: string
  priority?: number
  format?: string
  description?: string
}

export interface CrdSpec {
  group: string
  version: string
  kind: string
  plural: string
  shortNames: string[]
  categories: string[]
  schema: Schema
  printerColumns?: PrinterColumn[]
  /** Annotations and labels of the CRD object as its chart ships it. */
  metadata?: { annotations?: Record<string, string>; labels?: Record<string, string> }
}

/** `<plural>.<group>`: the CRD's name, and the store's resource key. */
export const crdName = (c: Pick<CrdSpec, 'plural' | 'group'>): string => `${c.plural}.${c.group}`

export function crdObject(c: CrdSpec, now: string): KubeObject {
  const names: Record<string, unknown> = { categories: c.categories, kind: c.kind, listKind: `${c.kind}List`, plural: c.plural, singular: c.kind.toLowerCase() }
  if (c.shortNames.length) names.shortNames = c.shortNames
  const version: Record<string, unknown> = {
    name: c.version,
    schema: { openAPIV3Schema: toOpenApi(c.schema) },
    served: true,
    storage: true,
    subresources: { status: {} },
  }
  if (c.printerColumns)
    version.additionalPrinterColumns = c.printerColumns.map((p) => ({
      jsonPath: p.jsonPath,
      name: p.name,
      type: p.type,
      ...(p.priority ? { priority: p.priority } : {}),
    }))
  const metadata: KubeObject['metadata'] = { name: crdName(c), creationTimestamp: now, generation: 1 }
  if (c.metadata?.annotations) metadata.annotations = { ...c.metadata.annotations }
  if (c.metadata?.labels) metadata.labels = { ...c.metadata.labels }
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata,
    spec: { conversion: { strategy: 'None' }, group: c.group, names, scope: 'Cluster', versions: [version] },
    status: {
      acceptedNames: names,
      conditions: [
        { lastTransitionTime: now, message: 'no conflicts found', reason: 'NoConflicts', status: 'True', type: 'NamesAccepted' },
        { lastTransitionTime: now, message: 'the initial names have been accepted', reason: 'InitialNamesAccepted', status: 'True', type: 'Established' },
      ],
      storedVersions: [c.version],
    },
  }
}
