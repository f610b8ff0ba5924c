// The platform of one day, computed from the dated table: what EKS offered, which AMIs and SSM
// parameters existed, which Karpenter releases were out, what the tutorial's Terraform
// constraints resolved to, and what the current edition runs.
import { admits, compareVersions } from './constraints.ts'
import { compareMinor, type KarpenterReleaseRow, type PlatformTable } from './table.ts'
import type {
  EksSupportStatus,
  EksVersionView,
  KarpenterReleaseView,
  NodeImageFamilyView,
  NodeImageView,
  PlatformView,
  TerraformDependencyView,
} from './types.ts'

/** A date the table cannot describe (before its first fact). */
export class PlatformRangeError extends Error {
  override name = 'PlatformRangeError'
}

function status(asOf: string, v: { endOfStandardSupport: string; endOfExtendedSupport: string }): EksSupportStatus {
  if (asOf < v.endOfStandardSupport) return 'STANDARD_SUPPORT'
  if (asOf < v.endOfExtendedSupport) return 'EXTENDED_SUPPORT'
  return 'UNSUPPORTED'
}

function eksVersions(table: PlatformTable, asOf: string): EksVersionView[] {
  const released = table.eks.versions.filter((v) => v.released <= asOf).sort((a, b) => compareMinor(b.version, a.version))
  const views = released.map((v): EksVersionView => {
    const s = status(asOf, v)
    return {
      version: v.version,
      releaseDate: v.released,
      endOfStandardSupport: v.endOfStandardSupport,
      endOfExtendedSupport: v.endOfExtendedSupport,
      status: s,
      offered: s !== 'UNSUPPORTED',
      default: false,
      source: v.source,
      ...(v.note ? { note: v.note } : {}),
    }
  })
  // CreateCluster's default: the newest version in standard support (views are newest first).
  const byDefault = views.find((v) => v.status === 'STANDARD_SUPPORT')
  if (byDefault) byDefault.default = true
  return views
}

function nodeImages(table: PlatformTable, asOf: string, versions: EksVersionView[]): NodeImageView[] {
  return versions.map((v) => {
    const families = table.nodeImageFamilies.filter(
      (f) =>
        f.publishedFrom <= asOf &&
        compareMinor(v.version, f.minKubernetes) >= 0 &&
        (f.maxKubernetes === undefined || compareMinor(v.version, f.maxKubernetes) <= 0),
    )
    return {
      kubernetesVersion: v.version,
      families: families.map((f) => f.family),
      ssmParameters: families.flatMap((f) => f.ssmParameters.map((t) => t.replaceAll('{v}', v.version))),
    }
  })
}

function nodeImageFamilies(table: PlatformTable, asOf: string): NodeImageFamilyView[] {
  return table.nodeImageFamilies.map((f) => ({
    family: f.family,
    publishedFrom: f.publishedFrom,
    published: f.publishedFrom <= asOf,
    minKubernetes: f.minKubernetes,
    ...(f.maxKubernetes ? { maxKubernetes: f.maxKubernetes } : {}),
    ...(f.endOfSupport ? { endOfSupport: f.endOfSupport } : {}),
    supported: f.publishedFrom <= asOf && (f.endOfSupport === undefined || asOf < f.endOfSupport),
    source: f.source,
    ...(f.note ? { note: f.note } : {}),
  }))
}

function releaseView(chart: string, r: KarpenterReleaseRow): KarpenterReleaseView {
  return {
    version: r.version,
    chartVersion: r.chartVersion,
    chart,
    released: r.released,
    minKubernetes: r.minKubernetes,
    maxKubernetes: r.maxKubernetes,
    apiVersions: r.apiVersions,
    ...(r.supportedUntil ? { supportedUntil: r.supportedUntil } : {}),
    ...(r.lts ? { lts: true } : {}),
    source: r.source,
    ...(r.note ? { note: r.note } : {}),
  }
}

const byVersionDesc = (a: KarpenterReleaseView, b: KarpenterReleaseView) => compareVersions(b.version.slice(1), a.version.slice(1))

function terraform(table: PlatformTable, asOf: string): TerraformDependencyView[] {
  return table.terraform.map((d) => {
    const out = d.releases.filter((r) => r.released <= asOf).sort((a, b) => compareVersions(b.version, a.version))
    const resolved = out.find((r) => admits(d.tutorialConstraint, r.version))
    const breaking = out.filter((r) => r.breaking !== undefined)
    const breaks = resolved && breaking.filter((r) => r.breaksTutorial && compareVersions(resolved.version, r.version) >= 0).at(-1)
    return {
      name: d.name,
      kind: d.kind,
      tutorialConstraint: d.tutorialConstraint,
      resolvesTo: resolved?.version ?? `none known on ${asOf}`,
      ...(breaks ? { breaks: { since: breaks.released, what: `${d.name} ${breaks.version}: ${breaks.breaking}` } } : {}),
      ...(breaking.length > 0
        ? {
            breakingReleases: breaking.map((r) => ({
              version: r.version,
              released: r.released,
              what: r.breaking ?? '',
              breaksTutorial: r.breaksTutorial === true,
            })),
          }
        : {}),
      source: d.source,
      ...(d.note || resolved?.note ? { note: [d.note, resolved?.note && `${resolved.version}: ${resolved.note}`].filter(Boolean).join(' ') } : {}),
    }
  })
}

/** Does the release support Kubernetes minor version `v` (Karpenter's compatibility matrix)? */
export function supportsKubernetes(release: Pick<KarpenterReleaseView, 'minKubernetes' | 'maxKubernetes'>, v: string): boolean {
  return compareMinor(v, release.minKubernetes) >= 0 && compareMinor(v, release.maxKubernetes) <= 0
}

const minorLine = (version: string) => version.replace(/^v/, '').split('.').slice(0, 2).join('.')

/**
 * The current edition's Karpenter on asOf for Kubernetes `k`: among the releases out by asOf that
 * support k, the newest LTS release still supported on asOf — first among the edition's own
 * lines, then among all; else the newest release supporting k; else (nothing supports k yet)
 * the newest release out, with a note.
 */
function currentKarpenter(table: PlatformTable, releases: KarpenterReleaseView[], asOf: string, k: string): { chart: string; note?: string } {
  const supporting = releases.filter((r) => supportsKubernetes(r, k))
  const lts = supporting.filter((r) => r.lts && (r.supportedUntil === undefined || asOf <= r.supportedUntil))
  const preferred = lts.filter((r) => table.currentEdition.karpenterLines.includes(minorLine(r.version)))
  const pick = preferred[0] ?? lts[0] ?? supporting[0]
  if (pick) return { chart: pick.chartVersion }
  const newest = releases[0]
  return {
    chart: newest.chartVersion,
    note: `No Karpenter release out on ${asOf} supports Kubernetes ${k}; the newest release, ${newest.version} (up to ${newest.maxKubernetes}), is used.`,
  }
}

/** The platform of `asOf` (YYYY-MM-DD) according to `table`. */
export function viewOf(table: PlatformTable, asOf: string): PlatformView {
  if (asOf < table.coversFrom) throw new PlatformRangeError(`${table.file} describes the platform from ${table.coversFrom} on; ${asOf} is before it`)
  const versions = eksVersions(table, asOf)
  const releases = table.karpenter.releases
    .filter((r) => r.released <= asOf)
    .map((r) => releaseView(table.karpenter.chart, r))
    .sort(byVersionDesc)
  // newest-offered: versions are newest first.
  const newestOffered = versions.find((v) => v.offered)
  if (!newestOffered || releases.length === 0) throw new PlatformRangeError(`${table.file} has no EKS version offered or no Karpenter release out on ${asOf}`)
  const karpenter = currentKarpenter(table, releases, asOf, newestOffered.version)
  return {
    asOf,
    eks: { versions },
    nodeImages: nodeImages(table, asOf, versions),
    nodeImageFamilies: nodeImageFamilies(table, asOf),
    karpenter: { releases },
    cloud9: {
      openToNewCustomers: asOf < table.cloud9.closedToNewCustomersOn,
      closedToNewCustomersOn: table.cloud9.closedToNewCustomersOn,
      source: table.cloud9.source,
    },
    terraform: terraform(table, asOf),
    current: {
      kubernetesVersion: newestOffered.version,
      karpenterChartVersion: karpenter.chart,
      nodeImageFamily: table.currentEdition.nodeImageFamily,
      ...(karpenter.note ? { note: karpenter.note } : {}),
    },
  }
}
