// An edition's edits, as data: fixtures/editions/<edition>.yaml lists the smallest changes that
// make the tutorial work on the platform of a date. Each edit names the section it belongs to (the
// feature's tag), what it changes (a command block of that section, or a file the tutorial
// fetches), the exact published text (`find`) and its replacement, one sentence of why, and the
// platform fact that forces it. Replacements may take versions from the platform view of the run's
// date — `{{current.kubernetesVersion}}` — so one file serves any date.

import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml'
import { projectRoot } from '../../lib/paths.ts'
import type { PlatformView } from '../../platform/types.ts'

export const EDITIONS_DIR = join(projectRoot, 'fixtures', 'editions')

export type EditTarget = { kind: 'command' } | { kind: 'file'; file: string }

export interface Edit {
  id: string
  /** The feature tag of the section, e.g. "@nodepool". */
  section: string
  target: EditTarget
  /** The exact published text (may span lines); no templates. */
  find: string
  /** What replaces it; may hold {{path}} templates into the platform view. */
  replace: string
  reason: string
  /** Keys of the platform facts that force it (fixtures/platform.yaml; see facts.ts), the first the main one. */
  platform: string[]
  /** Where the edit is written: the edits file and the line of its `- id:` item. */
  at: { file: string; line: number }
}

export class EditsFileError extends Error {
  override name = 'EditsFileError'
}

const FIELDS = ['id', 'section', 'target', 'find', 'replace', 'reason', 'platform'] as const

/** `{{ path }}` or `{{ path | lower }}`. */
const TEMPLATE = /\{\{\s*([A-Za-z0-9_.]+)\s*(?:\|\s*(\w+)\s*)?\}\}/g
const FILTERS: Record<string, (s: string) => string> = { lower: (s) => s.toLowerCase(), upper: (s) => s.toUpperCase() }

export function editsFile(edition: string, dir = EDITIONS_DIR): string {
  return join(dir, `${edition}.yaml`)
}

/** What an edition's edits are written for, checked against the platform of the run's date. */
export interface EditionRequires {
  /** An API version the day's Karpenter must serve, e.g. "karpenter.sh/v1". */
  karpenterApiVersion?: string
}

export interface EditionFile {
  file: string
  requires: EditionRequires
  edits: Edit[]
}

/** The edits of `edition` (none when it has no file: `as-written` is the tutorial itself). */
export function loadEditionFile(edition: string, dir = EDITIONS_DIR): EditionFile {
  const file = editsFile(edition, dir)
  return existsSync(file) ? parseEditionFile(readFileSync(file, 'utf8'), file) : { file, requires: {}, edits: [] }
}

export function loadEdits(edition: string, dir = EDITIONS_DIR): Edit[] {
  return loadEditionFile(edition, dir).edits
}

export function parseEdits(text: string, file: string): Edit[] {
  return parseEditionFile(text, file).edits
}

/** Parses and checks an edits file's text; every error names the file, the line and the field. */
export function parseEditionFile(text: string, file: string): EditionFile {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false })
  const lineOf = (node: Node | null | undefined) => (node?.range ? lines.linePos(node.range[0]).line : 1)
  if (doc.errors.length > 0) {
    const e = doc.errors[0]
    throw new EditsFileError(`${file}:${lines.linePos(e.pos[0]).line}: not valid YAML: ${e.message.split('\n')[0]}`)
  }
  const root = doc.contents
  if (!isMap(root)) throw new EditsFileError(`${file}:1: expected a mapping with an "edits" list`)
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key)
    if (key !== 'edits' && key !== 'requires')
      throw new EditsFileError(`${file}:${lineOf(pair.key)}: unknown key "${key}"; an edits file has "requires" and "edits"`)
  }
  const requires: EditionRequires = {}
  const requiresNode = root.get('requires', true) as Node | undefined
  if (requiresNode !== undefined) {
    if (!isMap(requiresNode)) throw new EditsFileError(`${file}:${lineOf(requiresNode)}: "requires" must be a mapping (karpenterApiVersion)`)
    for (const pair of requiresNode.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key)
      const value = isScalar(pair.value) ? pair.value.value : undefined
      if (key !== 'karpenterApiVersion')
        throw new EditsFileError(`${file}:${lineOf(pair.key as Node)}: requires.${key} is unknown; accepted: karpenterApiVersion`)
      if (typeof value !== 'string' || !/^karpenter\.(sh|k8s\.aws)\/v\w+$/.test(value))
        throw new EditsFileError(`${file}:${lineOf(pair.key as Node)}: requires.karpenterApiVersion must be an API version such as "karpenter.sh/v1"`)
      requires.karpenterApiVersion = value
    }
  }
  const list = root.get('edits', true) as Node | undefined
  if (!isSeq(list)) throw new EditsFileError(`${file}:${lineOf(root)}: "edits" must be a list of edits`)
  const edits: Edit[] = []
  const ids = new Map<string, number>()
  for (const item of list.items as Node[]) {
    const line = lineOf(item)
    if (!isMap(item)) throw new EditsFileError(`${file}:${line}: each edit must be a mapping with ${FIELDS.join(', ')}`)
    const map = item
    const id = isScalar(map.get('id', true)) ? String((map.get('id', true) as { value: unknown }).value) : '(no id)'
    const fail = (field: string, why: string): never => {
      const node = map.get(field, true) as Node | undefined
      throw new EditsFileError(`${file}:${lineOf(node ?? item)}: edit "${id}", field "${field}": ${why}`)
    }
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key)
      if (!(FIELDS as readonly string[]).includes(key)) fail(key, `unknown field; an edit has ${FIELDS.join(', ')}`)
    }
    const string = (field: string, options: { empty?: boolean } = {}): string => {
      const node = map.get(field, true)
      if (node === undefined) return fail(field, 'missing')
      if (!isScalar(node) || typeof node.value !== 'string') return fail(field, 'must be a string')
      if (!options.empty && node.value.trim() === '') return fail(field, 'must not be empty')
      return node.value
    }
    const editId = string('id')
    if (!/^[a-z0-9][a-z0-9-]*$/.test(editId)) fail('id', `"${editId}" must be lowercase words joined by "-"`)
    if (ids.has(editId)) fail('id', `"${editId}" is already the id of the edit at line ${ids.get(editId)}`)
    ids.set(editId, line)
    const section = string('section')
    if (!/^@[a-z0-9-]+$/.test(section)) fail('section', `"${section}" must be a feature tag, e.g. "@nodepool"`)
    const find = string('find')
    if (new RegExp(TEMPLATE.source).test(find)) fail('find', 'is the published text and cannot hold {{templates}}')
    const replace = string('replace', { empty: true })
    const reason = string('reason')
    const platformNode = map.get('platform', true)
    let platform: string[]
    if (isScalar(platformNode) && typeof platformNode.value === 'string') platform = [platformNode.value]
    else if (isSeq(platformNode) && platformNode.items.every((x) => isScalar(x) && typeof x.value === 'string'))
      platform = platformNode.items.map((x) => String((x as { value: unknown }).value))
    else platform = fail('platform', 'must be a platform fact key (e.g. "eks:1.29:endOfExtendedSupport") or a list of them')
    if (platform.length === 0) fail('platform', 'must name at least one platform fact')
    const targetNode = map.get('target', true)
    let target: EditTarget
    if (isScalar(targetNode) && targetNode.value === 'command') target = { kind: 'command' }
    else if (isMap(targetNode) && typeof targetNode.get('file') === 'string' && targetNode.items.length === 1)
      target = { kind: 'file', file: targetNode.get('file') as string }
    else target = fail('target', 'must be "command" (a command block of the section) or {file: <a file the tutorial fetches, e.g. main.tf>}')
    edits.push({ id: editId, section, target, find, replace, reason, platform, at: { file, line } })
  }
  return { file, requires, edits }
}

/** The value at a dotted path of the view ("current.kubernetesVersion"), or undefined. */
function lookup(view: PlatformView, path: string): unknown {
  let value: unknown = view
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<string, unknown>)[part]
  }
  return value
}

/** The replacement text of `edit` on the platform of `view`; an unknown path or filter throws, naming the edit. */
export function renderReplace(edit: Edit, view: PlatformView): string {
  return edit.replace.replace(TEMPLATE, (_whole, path: string, filter?: string) => {
    const value = lookup(view, path)
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new EditsFileError(
        `${edit.at.file}:${edit.at.line}: edit "${edit.id}", field "replace": {{${path}}} is not a text or number of the platform view (e.g. current.kubernetesVersion, current.karpenterChartVersion, current.nodeImageFamily)`,
      )
    }
    if (filter && !FILTERS[filter])
      throw new EditsFileError(
        `${edit.at.file}:${edit.at.line}: edit "${edit.id}", field "replace": unknown filter "${filter}" (accepted: ${Object.keys(FILTERS).join(', ')})`,
      )
    return filter ? FILTERS[filter](String(value)) : String(value)
  })
}
