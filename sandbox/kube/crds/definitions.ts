// The CustomResourceDefinition objects the sandbox serves under
// apiextensions.k8s.io/v1 customresourcedefinitions, built from the TypeScript schemas in
// karpenter.ts (kubectl reads them to confirm a kind exists; `kubectl get crd` lists them).

import type { KubeObject } from '../json.ts'
import { toOpenApi } from '../schema.ts'
import { karpenterCrds } from './karpenter.ts'

export function karpenterCrdObjects(now: string): KubeObject[] {
  return karpenterCrds.map((c) => {
    const name = `${c.plural}.${c.group}`
    const names: Record<string, unknown> = { categories: c.categories, kind: c.kind, listKind: `${c.kind}List`, plural: c.plural, singular: c.kind.toLowerCase() }
    if (c.shortNames.length) names.shortNames = c.shortNames
    const version: Record<string, unknown> = {
      name: c.version,
      schema: { openAPIV3Schema: toOpenApi(c.schema) },
      served: true,
      storage: true,
      subresources: { status: {} },
    }
    if (c.printerColumns) version.additionalPrinterColumns = c.printerColumns.map((p) => ({ jsonPath: p.jsonPath, name: p.name, type: p.type, ...(p.priority ? { priority: p.priority } : {}) }))
    return {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: {
        name,
        creationTimestamp: now,
        generation: 1,
        annotations: { 'controller-gen.kubebuilder.io/version': 'v0.13.0' },
        labels: { 'app.kubernetes.io/managed-by': 'Helm' },
      },
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
  })
}
