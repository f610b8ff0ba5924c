// Which tutorial a run follows, on the platform of which day.
//
//   edition  'as-written' (default) — the tutorial exactly as published;
//            'current'              — the smallest edits that make it work on the platform of asOf
//                                     (fixtures/editions/current.yaml).
//   asOf     YYYY-MM-DD, or "today". Default: the tutorial's date (2024-01-29) for as-written,
//            today for current. On the aws target the platform is AWS itself, today: asOf cannot
//            be set there.
//
// resolveEdition checks all of it before anything is created, and is what the target, the
// preflight and `spotcheck drift` share.

import { AsOfError, TUTORIAL_DATE, loadPlatformTable, parseAsOf, platformView, today, type PlatformTable } from '../../platform/index.ts'
import type { PlatformView } from '../../platform/types.ts'
import { checkEdition, type CheckInput } from './check.ts'
import { EditsFileError, loadEditionFile, type Edit, type EditionFile } from './edits.ts'

export const EDITIONS = ['as-written', 'current'] as const
export type EditionName = (typeof EDITIONS)[number]

/** The versions the tutorial itself runs: its main.tf's EKS 1.29, and the Karpenter chart its add-ons module 1.13.0 installs. */
export const TUTORIAL_VERSIONS = { kubernetesVersion: '1.29', karpenterChartVersion: 'v0.32.1' } as const

export interface EditionVersions {
  kubernetesVersion: string
  karpenterChartVersion: string
}

export interface ResolvedEdition {
  edition: EditionName
  asOf: string
  /** Why asOf is what it is (for the report): "the tutorial's date", "today", "asked for". */
  asOfReason: string
  view: PlatformView
  /** The versions this edition runs as of asOf. */
  versions: EditionVersions
  /** The edition's edits (none for as-written). */
  edits: Edit[]
}

export interface EditionParameters {
  target?: string
  edition?: unknown
  asOf?: unknown
}

/** A world parameter that cannot be used; the message names the value and what is accepted. */
export class EditionError extends Error {
  override name = 'EditionError'
}

export function parseEditionName(value: unknown): EditionName {
  if (value === undefined) return 'as-written'
  if (typeof value !== 'string' || !(EDITIONS as readonly string[]).includes(value)) {
    throw new EditionError(
      `unknown edition ${JSON.stringify(value)}: the world parameter "edition" is "as-written" (the tutorial as published, the default) or "current" (with the edits of fixtures/editions/current.yaml)`,
    )
  }
  return value as EditionName
}

/** The day a run's platform is taken from; throws EditionError for a value that cannot be used. */
export function resolveAsOf(params: EditionParameters, edition: EditionName, now = today()): { asOf: string; reason: string } {
  if (params.target === 'aws') {
    if (params.asOf !== undefined) {
      throw new EditionError(
        `asOf ${JSON.stringify(params.asOf)} cannot be set on the aws target: a real account is always today's platform (${now}); remove "asOf" from the world parameters, or run on the sandbox`,
      )
    }
    return { asOf: now, reason: 'today (the aws target is always today)' }
  }
  if (params.asOf === undefined)
    return edition === 'as-written'
      ? { asOf: TUTORIAL_DATE, reason: "the tutorial's date (the as-written default)" }
      : { asOf: now, reason: 'today (the current default)' }
  if (params.asOf === 'today') return { asOf: now, reason: 'today (asked for)' }
  if (typeof params.asOf !== 'string')
    throw new EditionError(`asOf ${JSON.stringify(params.asOf)} is not a date: the world parameter "asOf" is a YYYY-MM-DD day, or "today"`)
  try {
    return { asOf: parseAsOf(params.asOf, { today: now, name: 'the world parameter asOf' }), reason: 'asked for' }
  } catch (error) {
    if (error instanceof AsOfError) throw new EditionError(`${error.message} (or "today")`)
    throw error
  }
}

export interface ResolveOptions {
  today?: string
  table?: PlatformTable
  /** Where the edits files are (tests). */
  editionsDir?: string
  /** Check the edits against the features and the tutorial's files (default true). */
  check?: boolean
  checkInput?: Partial<CheckInput>
}

/**
 * The edition a run follows: its name, day, platform view, versions and edits — all checked.
 * Throws EditionError (bad parameter) or EditionCheckError (an edit no longer fits the tutorial).
 */
export function resolveEdition(params: EditionParameters, options: ResolveOptions = {}): ResolvedEdition {
  const edition = parseEditionName(params.edition)
  const { asOf, reason } = resolveAsOf(params, edition, options.today ?? today())
  const table = options.table ?? loadPlatformTable()
  if (asOf < table.coversFrom)
    throw new EditionError(
      `asOf ${asOf} is before the first day the platform table describes (${table.coversFrom}, ${table.file}); give a later YYYY-MM-DD date`,
    )
  const view = platformView(asOf, table)
  const versions: EditionVersions =
    edition === 'as-written'
      ? { ...TUTORIAL_VERSIONS }
      : { kubernetesVersion: view.current.kubernetesVersion, karpenterChartVersion: view.current.karpenterChartVersion }
  let loaded: EditionFile
  try {
    loaded = loadEditionFile(edition, options.editionsDir)
  } catch (error) {
    if (error instanceof EditsFileError) throw new EditionError(error.message)
    throw error
  }
  const api = loaded.requires.karpenterApiVersion
  if (api) {
    const release = view.karpenter.releases.find((r) => r.chartVersion === versions.karpenterChartVersion)
    if (!release?.apiVersions.includes(api)) {
      throw new EditionError(
        `the ${edition} edition is written for Karpenter's ${api} API (${loaded.file}), but on ${asOf} the current Karpenter is ${versions.karpenterChartVersion}, which serves ${release?.apiVersions.join(', ') ?? 'nothing known'}; give a later asOf, or use the as-written edition`,
      )
    }
  }
  const edits: Edit[] = loaded.edits
  if (options.check !== false) checkEdition(edition, { edits, view, table, ...options.checkInput })
  return { edition, asOf, asOfReason: reason, view, versions, edits }
}

/**
 * The versions a run's edition installs, from its world parameters alone (no check of the edits):
 * for code that needs them before the target starts, e.g. which Karpenter API the run speaks.
 * Throws EditionError for parameters resolveEdition would refuse.
 */
export function editionVersions(params: EditionParameters, options: { today?: string; table?: PlatformTable } = {}): EditionVersions {
  return resolveEdition(params, { ...options, check: false }).versions
}
