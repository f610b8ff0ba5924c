// meta.k8s.io/v1 Table responses (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`).
// Rows carry their object as PartialObjectMetadata (labels, namespace…), which kubectl reads
// for `-L`, `--show-labels` and `-A`; `includeObject=Object` (kubectl's --sort-by) sends it whole.

import type { KubeObject } from '../json.ts'
import type { ResourceDef } from '../registry.ts'
import { printerFor } from './printers.ts'

export type IncludeObject = 'None' | 'Metadata' | 'Object'

function rowObject(obj: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined
  if (include === 'Object') return obj
  const metadata = { ...obj.metadata }
  delete metadata.managedFields
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata }
}

export function tableRow(def: ResourceDef, obj: KubeObject, include: IncludeObject, now: number): Record<string, unknown> {
  const row: Record<string, unknown> = { cells: printerFor(def).cells(obj, now) }
  const o = rowObject(obj, include)
  if (o !== undefined) row.object = o
  return row
}

export interface TableOptions {
  resourceVersion?: string
  continue?: string
  remainingItemCount?: number
  include?: IncludeObject
  /** Watch events after the first carry `columnDefinitions: null`, as real servers send them. */
  withColumns?: boolean
  now?: number
}

export function toTable(def: ResourceDef, objects: KubeObject[], options: TableOptions = {}): Record<string, unknown> {
  const now = options.now ?? Date.now()
  const include = options.include ?? 'Metadata'
  const metadata: Record<string, unknown> = {}
  if (options.resourceVersion !== undefined) metadata.resourceVersion = options.resourceVersion
  if (options.continue) metadata.continue = options.continue
  if (options.remainingItemCount) metadata.remainingItemCount = options.remainingItemCount
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: options.withColumns === false ? null : printerFor(def).columns,
    rows: objects.map((o) => tableRow(def, o, include, now)),
  }
}
