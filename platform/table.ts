// fixtures/platform.yaml, read and checked. The table is data other people will edit next year,
// so a mistake in it must be reported where it is: file, line and field, and what is accepted.
import { readFileSync } from 'node:fs'
import { isAbsolute, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type YAMLMap } from 'yaml'
import type { NodeImageFamily } from './types.ts'

export const DEFAULT_PLATFORM_FILE = fileURLToPath(new URL('../fixtures/platform.yaml', import.meta.url))

interface EksVersionRow {
  version: string
  released: string
  endOfStandardSupport: string
  endOfExtendedSupport: string
  source: string
  note?: string
}

interface NodeImageFamilyRow {
  family: NodeImageFamily
  publishedFrom: string
  minKubernetes: string
  maxKubernetes?: string
  endOfSupport?: string
  /** Templates with `{v}` for the Kubernetes minor version. */
  ssmParameters: string[]
  source: string
  note?: string
}

export interface KarpenterReleaseRow {
  version: string
  chartVersion: string
  released: string
  minKubernetes: string
  maxKubernetes: string
  apiVersions: string[]
  lts?: boolean
  supportedUntil?: string
  source: string
  note?: string
}

interface TerraformReleaseRow {
  version: string
  released: string
  /** Set on the first release of a major that breaks something: what. */
  breaking?: string
  /** Whether the tutorial's main.tf, as written, breaks when its constraint resolves to this. */
  breaksTutorial?: boolean
  note?: string
}

interface TerraformDependencyRow {
  name: string
  kind: 'provider' | 'module'
  tutorialConstraint: string
  releases: TerraformReleaseRow[]
  source: string
  note?: string
}

const KUBERNETES_RULES = ['newest-offered'] as const
const KARPENTER_RULES = ['newest-supported-lts-else-newest'] as const

interface CurrentEditionRule {
  kubernetesVersion: (typeof KUBERNETES_RULES)[number]
  karpenterChart: (typeof KARPENTER_RULES)[number]
  /** Karpenter minor lines ("1.9") the edition prefers; empty: no preference. */
  karpenterLines: string[]
  nodeImageFamily: NodeImageFamily
  source: string
}

export interface PlatformTable {
  /** The file it was read from. */
  file: string
  coversFrom: string
  eks: { versions: EksVersionRow[] }
  nodeImageFamilies: NodeImageFamilyRow[]
  karpenter: { chart: string; releases: KarpenterReleaseRow[] }
  terraform: TerraformDependencyRow[]
  cloud9: { closedToNewCustomersOn: string; source: string; note?: string }
  currentEdition: CurrentEditionRule
}

/** A mistake in the platform table; the message starts with `file:line: field:`. */
export class PlatformTableError extends Error {
  override name = 'PlatformTableError'
}

const DATE = /^\d{4}-\d{2}-\d{2}$/
const MINOR = /^\d+\.\d+$/
const FAMILIES: readonly NodeImageFamily[] = ['AL2', 'AL2023']

/** Is `value` a real calendar day written YYYY-MM-DD (2026-02-30 is not)? */
export function isCalendarDate(value: string): boolean {
  if (!DATE.test(value)) return false
  const d = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value
}

/** `eks.versions[2]` + `source` → `eks.versions[2].source`; at the top level, just the key. */
function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`
}

/** Walks the parsed document, reading fields and remembering where each came from. */
class Reader {
  readonly file: string
  private readonly doc: Document
  private readonly lines: LineCounter

  constructor(file: string, doc: Document, lines: LineCounter) {
    this.file = file
    this.doc = doc
    this.lines = lines
  }

  fail(node: Node | null | undefined, field: string, message: string): never {
    const offset = node?.range?.[0]
    const where = offset === undefined ? this.file : `${this.file}:${this.lines.linePos(offset).line}`
    throw new PlatformTableError(`${where}: ${field}: ${message}`)
  }

  resolve(node: unknown): Node | undefined {
    if (isAlias(node)) return node.resolve(this.doc)
    return (node ?? undefined) as Node | undefined
  }

  map(node: unknown, field: string, parent: Node | undefined): YAMLMap<unknown, unknown> {
    const n = this.resolve(node)
    if (n === undefined) this.fail(parent, field, 'missing (a mapping of fields)')
    if (!isMap(n)) this.fail(n, field, 'expected a mapping of fields')
    return n
  }

  seq(parent: YAMLMap<unknown, unknown>, key: string, path: string): Node[] {
    const n = this.resolve(parent.get(key, true))
    if (n === undefined) this.fail(parent, join(path, key), 'missing (a list)')
    if (!isSeq(n)) this.fail(n, join(path, key), 'expected a list')
    return n.items as Node[]
  }

  private scalar(parent: YAMLMap<unknown, unknown>, key: string, path: string, required: boolean): { node?: Node; value?: unknown } {
    const n = this.resolve(parent.get(key, true))
    if (n === undefined) {
      if (required)
        this.fail(
          parent,
          join(path, key),
          key === 'source' ? 'missing: every row names its source (a document title and URL, or a repository, tag and file)' : 'missing',
        )
      return {}
    }
    if (!isScalar(n)) this.fail(n, join(path, key), 'expected a single value, not a list or mapping')
    return { node: n, value: n.value }
  }

  string(parent: YAMLMap<unknown, unknown>, key: string, path: string): string
  string(parent: YAMLMap<unknown, unknown>, key: string, path: string, optional: 'optional'): string | undefined
  string(parent: YAMLMap<unknown, unknown>, key: string, path: string, optional?: 'optional'): string | undefined {
    const { node, value } = this.scalar(parent, key, path, optional === undefined)
    if (node === undefined) return undefined
    if (typeof value !== 'string' || value.trim() === '') this.fail(node, join(path, key), `expected text, got ${JSON.stringify(value)}`)
    return value
  }

  date(parent: YAMLMap<unknown, unknown>, key: string, path: string): string
  date(parent: YAMLMap<unknown, unknown>, key: string, path: string, optional: 'optional'): string | undefined
  date(parent: YAMLMap<unknown, unknown>, key: string, path: string, optional?: 'optional'): string | undefined {
    const { node, value } = this.scalar(parent, key, path, optional === undefined)
    if (node === undefined) return undefined
    if (typeof value !== 'string' || !isCalendarDate(value))
      this.fail(node, join(path, key), `${JSON.stringify(value)} is not a calendar date; write YYYY-MM-DD, e.g. 2024-01-29`)
    return value
  }

  minor(parent: YAMLMap<unknown, unknown>, key: string, path: string): string
  minor(parent: YAMLMap<unknown, unknown>, key: string, path: string, optional: 'optional'): string | undefined
  minor(parent: YAMLMap<unknown, unknown>, key: string, path: string, optional?: 'optional'): string | undefined {
    const { node, value } = this.scalar(parent, key, path, optional === undefined)
    if (node === undefined) return undefined
    // A bare 1.30 is the number 1.3 in YAML: insist on the quoted text.
    if (typeof value !== 'string' || !MINOR.test(value))
      this.fail(node, join(path, key), `${JSON.stringify(value)} is not a Kubernetes minor version; write it quoted, e.g. "1.29"`)
    return value
  }

  boolean(parent: YAMLMap<unknown, unknown>, key: string, path: string): boolean | undefined {
    const { node, value } = this.scalar(parent, key, path, false)
    if (node === undefined) return undefined
    if (typeof value !== 'boolean') this.fail(node, join(path, key), `expected true or false, got ${JSON.stringify(value)}`)
    return value
  }

  oneOf<T extends string>(parent: YAMLMap<unknown, unknown>, key: string, path: string, accepted: readonly T[]): T {
    const { node, value } = this.scalar(parent, key, path, true)
    if (!accepted.includes(value as T)) this.fail(node, join(path, key), `${JSON.stringify(value)} is not one of ${accepted.join(', ')}`)
    return value as T
  }

  strings(parent: YAMLMap<unknown, unknown>, key: string, path: string): string[] {
    return this.seq(parent, key, path).map((item, i) => {
      const n = this.resolve(item)
      if (!isScalar(n) || typeof n.value !== 'string' || n.value === '') this.fail(n ?? parent, `${path}.${key}[${i}]`, 'expected text')
      return n.value
    })
  }

  /** Every key of the mapping must be one the table knows: a misspelt `sourse` is not a source. */
  known(node: YAMLMap<unknown, unknown>, path: string, keys: readonly string[]): void {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key)
      if (!keys.includes(key)) this.fail(pair.key as Node, join(path, key), `unknown field; accepted: ${keys.join(', ')}`)
    }
  }
}

/** Orders Kubernetes minor versions: "1.9" < "1.29". */
export function compareMinor(a: string, b: string): number {
  const [am, an] = a.split('.').map(Number)
  const [bm, bn] = b.split('.').map(Number)
  return am - bm || an - bn
}

function readEksVersion(r: Reader, item: Node, path: string, root: YAMLMap<unknown, unknown>): EksVersionRow {
  const m = r.map(item, path, root)
  r.known(m, path, ['version', 'released', 'endOfStandardSupport', 'endOfExtendedSupport', 'source', 'note'])
  const row: EksVersionRow = {
    version: r.minor(m, 'version', path),
    released: r.date(m, 'released', path),
    endOfStandardSupport: r.date(m, 'endOfStandardSupport', path),
    endOfExtendedSupport: r.date(m, 'endOfExtendedSupport', path),
    source: r.string(m, 'source', path),
    note: r.string(m, 'note', path, 'optional'),
  }
  if (!(row.released < row.endOfStandardSupport && row.endOfStandardSupport < row.endOfExtendedSupport))
    r.fail(
      m,
      path,
      `dates out of order: released ${row.released} < endOfStandardSupport ${row.endOfStandardSupport} < endOfExtendedSupport ${row.endOfExtendedSupport} is required`,
    )
  return row
}

function readNodeImageFamily(r: Reader, item: Node, path: string, root: YAMLMap<unknown, unknown>): NodeImageFamilyRow {
  const m = r.map(item, path, root)
  r.known(m, path, ['family', 'publishedFrom', 'minKubernetes', 'maxKubernetes', 'endOfSupport', 'ssmParameters', 'source', 'note'])
  const row: NodeImageFamilyRow = {
    family: r.oneOf(m, 'family', path, FAMILIES),
    publishedFrom: r.date(m, 'publishedFrom', path),
    minKubernetes: r.minor(m, 'minKubernetes', path),
    maxKubernetes: r.minor(m, 'maxKubernetes', path, 'optional'),
    endOfSupport: r.date(m, 'endOfSupport', path, 'optional'),
    ssmParameters: r.strings(m, 'ssmParameters', path),
    source: r.string(m, 'source', path),
    note: r.string(m, 'note', path, 'optional'),
  }
  row.ssmParameters.forEach((t, i) => {
    if (!t.startsWith('/aws/service/') || !t.includes('{v}'))
      r.fail(
        m.get('ssmParameters', true),
        `${path}.ssmParameters[${i}]`,
        `${JSON.stringify(t)} is not a template like /aws/service/eks/optimized-ami/{v}/…/image_id`,
      )
  })
  return row
}

function readKarpenterRelease(r: Reader, item: Node, path: string, root: YAMLMap<unknown, unknown>): KarpenterReleaseRow {
  const m = r.map(item, path, root)
  r.known(m, path, ['version', 'chartVersion', 'released', 'minKubernetes', 'maxKubernetes', 'apiVersions', 'lts', 'supportedUntil', 'source', 'note'])
  const row: KarpenterReleaseRow = {
    version: r.string(m, 'version', path),
    chartVersion: r.string(m, 'chartVersion', path),
    released: r.date(m, 'released', path),
    minKubernetes: r.minor(m, 'minKubernetes', path),
    maxKubernetes: r.minor(m, 'maxKubernetes', path),
    apiVersions: r.strings(m, 'apiVersions', path),
    lts: r.boolean(m, 'lts', path),
    supportedUntil: r.date(m, 'supportedUntil', path, 'optional'),
    source: r.string(m, 'source', path),
    note: r.string(m, 'note', path, 'optional'),
  }
  if (!/^v\d+\.\d+\.\d+$/.test(row.version))
    r.fail(m.get('version', true), `${path}.version`, `${JSON.stringify(row.version)} is not a release tag like v1.9.2`)
  if (row.chartVersion.replace(/^v/, '') !== row.version.slice(1))
    r.fail(
      m.get('chartVersion', true),
      `${path}.chartVersion`,
      `${JSON.stringify(row.chartVersion)} does not name release ${row.version} (write ${row.version} or ${row.version.slice(1)})`,
    )
  if (compareMinor(row.minKubernetes, row.maxKubernetes) > 0) r.fail(m, path, `minKubernetes ${row.minKubernetes} is after maxKubernetes ${row.maxKubernetes}`)
  return row
}

function readTerraformDependency(r: Reader, item: Node, path: string, root: YAMLMap<unknown, unknown>): TerraformDependencyRow {
  const m = r.map(item, path, root)
  r.known(m, path, ['name', 'kind', 'tutorialConstraint', 'releases', 'source', 'note'])
  const releases = r.seq(m, 'releases', path).map((rel, i) => {
    const p = `${path}.releases[${i}]`
    const rm = r.map(rel, p, m)
    r.known(rm, p, ['version', 'released', 'breaking', 'breaksTutorial', 'note'])
    const version = r.string(rm, 'version', p)
    if (!/^\d+\.\d+\.\d+$/.test(version)) r.fail(rm.get('version', true), `${p}.version`, `${JSON.stringify(version)} is not a version like 2.17.0`)
    return {
      version,
      released: r.date(rm, 'released', p),
      breaking: r.string(rm, 'breaking', p, 'optional'),
      breaksTutorial: r.boolean(rm, 'breaksTutorial', p),
      note: r.string(rm, 'note', p, 'optional'),
    }
  })
  return {
    name: r.string(m, 'name', path),
    kind: r.oneOf(m, 'kind', path, ['provider', 'module'] as const),
    tutorialConstraint: r.string(m, 'tutorialConstraint', path),
    releases,
    source: r.string(m, 'source', path),
    note: r.string(m, 'note', path, 'optional'),
  }
}

/** Parse and check the table's text; `file` names it in errors. */
export function parsePlatformTable(text: string, file: string): PlatformTable {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false })
  if (doc.errors.length > 0) {
    const e = doc.errors[0]
    const line = e.linePos?.[0].line ?? lines.linePos(e.pos[0]).line
    throw new PlatformTableError(`${file}:${line}: not valid YAML: ${e.message.split('\n')[0]}`)
  }
  const r = new Reader(file, doc, lines)
  const root = r.map(doc.contents, '', undefined)
  r.known(root, '', ['coversFrom', 'eks', 'nodeImageFamilies', 'karpenter', 'terraform', 'cloud9', 'currentEdition'])

  const eks = r.map(root.get('eks', true), 'eks', root)
  r.known(eks, 'eks', ['versions'])
  const versions = r.seq(eks, 'versions', 'eks').map((item, i) => readEksVersion(r, item, `eks.versions[${i}]`, eks))

  const families = r.seq(root, 'nodeImageFamilies', '').map((item, i) => readNodeImageFamily(r, item, `nodeImageFamilies[${i}]`, root))

  const karpenter = r.map(root.get('karpenter', true), 'karpenter', root)
  r.known(karpenter, 'karpenter', ['chart', 'releases'])
  const releases = r.seq(karpenter, 'releases', 'karpenter').map((item, i) => readKarpenterRelease(r, item, `karpenter.releases[${i}]`, karpenter))

  const terraform = r.seq(root, 'terraform', '').map((item, i) => readTerraformDependency(r, item, `terraform[${i}]`, root))

  const cloud9 = r.map(root.get('cloud9', true), 'cloud9', root)
  r.known(cloud9, 'cloud9', ['closedToNewCustomersOn', 'source', 'note'])

  const current = r.map(root.get('currentEdition', true), 'currentEdition', root)
  r.known(current, 'currentEdition', ['kubernetesVersion', 'karpenterChart', 'karpenterLines', 'nodeImageFamily', 'source'])
  const karpenterLines = current.has('karpenterLines') ? r.strings(current, 'karpenterLines', 'currentEdition') : []
  karpenterLines.forEach((line, i) => {
    if (!MINOR.test(line))
      r.fail(current.get('karpenterLines', true), `currentEdition.karpenterLines[${i}]`, `${JSON.stringify(line)} is not a minor line like "1.9"`)
  })

  const table: PlatformTable = {
    file,
    coversFrom: r.date(root, 'coversFrom', ''),
    eks: { versions },
    nodeImageFamilies: families,
    karpenter: { chart: r.string(karpenter, 'chart', 'karpenter'), releases },
    terraform,
    cloud9: {
      closedToNewCustomersOn: r.date(cloud9, 'closedToNewCustomersOn', 'cloud9'),
      source: r.string(cloud9, 'source', 'cloud9'),
      note: r.string(cloud9, 'note', 'cloud9', 'optional'),
    },
    currentEdition: {
      kubernetesVersion: r.oneOf(current, 'kubernetesVersion', 'currentEdition', KUBERNETES_RULES),
      karpenterChart: r.oneOf(current, 'karpenterChart', 'currentEdition', KARPENTER_RULES),
      karpenterLines,
      nodeImageFamily: r.oneOf(current, 'nodeImageFamily', 'currentEdition', FAMILIES),
      source: r.string(current, 'source', 'currentEdition'),
    },
  }
  checkUnique(
    r,
    eks,
    'eks.versions',
    versions.map((v) => v.version),
  )
  checkUnique(
    r,
    karpenter,
    'karpenter.releases',
    releases.map((v) => v.version),
  )
  checkUnique(
    r,
    root,
    'nodeImageFamilies',
    families.map((f) => f.family),
  )
  return table
}

function checkUnique(r: Reader, parent: YAMLMap<unknown, unknown>, path: string, keys: string[]): void {
  const seen = new Set<string>()
  const items = (r.resolve(parent.get(path.split('.').at(-1), true)) as { items?: Node[] } | undefined)?.items ?? []
  keys.forEach((k, i) => {
    if (seen.has(k)) r.fail(items[i], `${path}[${i}]`, `${k} is listed twice`)
    seen.add(k)
  })
}

/** Read and check fixtures/platform.yaml (or `path`). */
export function loadPlatformTable(path: string = DEFAULT_PLATFORM_FILE): PlatformTable {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new PlatformTableError(`${path}: cannot read the platform table: ${(error as Error).message}`)
  }
  // Name the file as a user in the project would: fixtures/platform.yaml, not an absolute path.
  const rel = relative(process.cwd(), path)
  return parsePlatformTable(text, rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path)
}
