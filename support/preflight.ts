// The preflight: before the tutorial creates anything, judge the edition under test — its
// Kubernetes version, Karpenter chart, node image family, the apiVersions of its manifests, the
// Terraform constraints of its main.tf, its Cloud9 section — against the platform of the run's date.
// Each incompatibility is a drift cause: what breaks, since when, in which section, by which source,
// and which edit of the current edition answers it.
//
// This file is the verdict, a pure function: the platform view of the date (fixtures/platform.yaml),
// the edition, and optionally what the target itself answered to the same questions
// (preflight-observe.ts: DescribeClusterVersions, SSM GetParameter, the chart registry, terraform
// init). Where the target answered, its answer is the platform of the run and the view supplies the
// dates and sources; where they disagree, a note says the table needs updating.

import type { KarpenterReleaseView, NodeImageFamily, PlatformView } from '../platform/types.ts'
import { admits, compareVersions } from '../platform/constraints.ts'
import { supportsKubernetes } from '../platform/lookups.ts'
import { compareMinor } from '../platform/table.ts'

export interface DriftCause {
  /** Stable id, e.g. "eks-version", "terraform:hashicorp/helm". */
  id: string
  /**
   * The platform facts it rests on, as fixtures/editions/*.yaml cite them (support/editions/facts.ts),
   * the main one first: "eks:1.29:endOfExtendedSupport", "karpenter:>=1.1:v1-only", …
   */
  facts: string[]
  what: string
  /** The first day it holds (YYYY-MM-DD), when the platform table dates it. */
  since?: string
  /** The section it breaks first: its tag and name. */
  breaks: string
  source: string
  /** The current edition's edit(s) that answer it (ids, comma-separated). */
  edit?: string
  /** What a reader does instead where no edit of the text answers it (e.g. skip an optional step). */
  remedy?: string
  /** false: listed as drift, but the preflight does not fail on it (an optional section). */
  blocking: boolean
}

/** Not an incompatibility, but worth a line in the report. */
export interface PreflightNote {
  id: string
  what: string
  source?: string
}

/** One question the preflight asked, as the report's table shows it. */
export interface PreflightCheck {
  question: string
  answer: string
  /** Where the answer came from: "the target (DescribeClusterVersions)", "the platform table", … */
  from: string
  ok: boolean
}

export interface EditionUnderTest {
  edition: string
  asOf: string
  kubernetesVersion: string
  karpenterChartVersion: string
  /** The AMI family of the EC2NodeClass and the managed node group. */
  nodeImageFamily: NodeImageFamily
  /** apiVersions of the Karpenter objects the edition's manifests apply. */
  karpenterApiVersions: string[]
  /** Provider or module name → the constraint the edition's main.tf writes (missing: the tutorial's). */
  terraformConstraints: Record<string, string>
  /** Whether the edition has the (optional) Cloud9 section. */
  cloud9: boolean
}

export interface Observed {
  /** DescribeClusterVersions: the versions the target offers for a new cluster, with their status. */
  eksVersions?: { version: string; status: string }[]
  /**
   * SSM GetParameter of the edition's AMI parameter, and of the same family's for the newest
   * version the target offers (what the verdict judges when the edition's version is not offered).
   */
  amiParameters?: { name: string; exists: boolean }[]
  /** Whether the edition's Karpenter chart can be pulled, and how that was asked. */
  chart?: { reference: string; exists: boolean; how: string }
  /** What the edition's provider constraints resolve to (a scratch terraform init), or why not known. */
  terraform?: { resolved: Record<string, string>; how: string; error?: string }
  /** Whether the target offers Cloud9 to this run. */
  cloud9?: { offered: boolean; reason: string }
}

export interface EditRef {
  id: string
  /** The platform fact keys the edit cites (fixtures/editions/current.yaml). */
  platform: string[]
}

export interface PreflightVerdict {
  edition: string
  asOf: string
  target: string
  causes: DriftCause[]
  notes: PreflightNote[]
  checks: PreflightCheck[]
  /** True when no blocking cause: the run may go on. */
  passes: boolean
}

/**
 * The section each cause breaks first, by cause id (terraform:* → Step 2, which applies main.tf).
 * The node image breaks Step 2 before Step 3: the tutorial's managed node group needs it too.
 */
export const BREAKS: Record<string, string> = {
  'eks-version': '@cluster',
  'karpenter-chart': '@cluster',
  'karpenter-kubernetes-support': '@cluster',
  'node-image-family': '@cluster',
  terraform: '@cluster',
  'karpenter-api': '@nodepool',
  cloud9: '@cloud9',
}

/**
 * The edits that answer a cause: those citing one of its facts; failing that, those citing a fact
 * about the same subject (the first two parts of the key: "eks:1.29", "terraform:hashicorp/helm").
 */
export function editsAnswering(facts: string[], edits: EditRef[]): string[] {
  const exact = edits.filter((e) => e.platform.some((k) => facts.includes(k)))
  if (exact.length > 0) return exact.map((e) => e.id)
  const subject = (k: string) => k.split(':').slice(0, 2).join(':')
  const subjects = new Set(facts.map(subject))
  return edits.filter((e) => e.platform.some((k) => subjects.has(subject(k)))).map((e) => e.id)
}

export interface JudgeOptions {
  observed?: Observed
  edits?: EditRef[]
  target?: string
  /** Section tag → feature name, e.g. "@cluster" → "Step 2: Create an EKS cluster …". */
  sections?: Record<string, string>
}

/** SSM parameter of the EKS-optimized AMI of a family for a Kubernetes version (x86_64). */
export function amiParameterName(kubernetesVersion: string, family: NodeImageFamily): string {
  return family === 'AL2'
    ? `/aws/service/eks/optimized-ami/${kubernetesVersion}/amazon-linux-2/recommended/image_id`
    : `/aws/service/eks/optimized-ami/${kubernetesVersion}/amazon-linux-2023/x86_64/standard/recommended/image_id`
}

const list = (xs: string[]) => (xs.length === 0 ? 'none' : xs.join(', '))

/** The verdict on an edition against the platform of its date. */
export function judgeEdition(edition: EditionUnderTest, view: PlatformView, options: JudgeOptions = {}): PreflightVerdict {
  const verdict: PreflightVerdict = {
    edition: edition.edition,
    asOf: view.asOf,
    target: options.target ?? 'the platform table',
    causes: [],
    notes: [],
    checks: [],
    passes: true,
  }
  const ctx: Ctx = { edition, view, observed: options.observed ?? {}, verdict, offered: [], isOffered: false, add: () => undefined }
  ctx.add = (c) => {
    const tag = BREAKS[c.id.startsWith('terraform:') ? 'terraform' : c.id]
    const name = options.sections?.[tag]
    const ids = editsAnswering(c.facts, options.edits ?? [])
    verdict.causes.push({ ...c, breaks: name ? `${tag} ${name}` : tag, blocking: c.blocking ?? true, ...(ids.length ? { edit: ids.join(', ') } : {}) })
  }
  checkEks(ctx)
  checkNodeImage(ctx)
  const release = checkKarpenter(ctx)
  checkKarpenterApi(ctx, release)
  checkTerraform(ctx)
  checkCloud9(ctx)
  verdict.passes = !verdict.causes.some((c) => c.blocking)
  return verdict
}

interface Ctx {
  edition: EditionUnderTest
  view: PlatformView
  observed: Observed
  verdict: PreflightVerdict
  /** Kubernetes versions offered for a new cluster on the date, oldest first. */
  offered: string[]
  isOffered: boolean
  add(c: Omit<DriftCause, 'breaks' | 'edit' | 'blocking'> & { blocking?: boolean }): void
}

const EKS_SOURCE =
  'Amazon EKS user guide, "Understand the Kubernetes version lifecycle on EKS" (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html)'

/** The versions DescribeClusterVersions offers for a new cluster (standard or extended support), oldest first. */
export function offeredByTarget(versions: { version: string; status: string }[]): string[] {
  return versions
    .filter((v) => v.status !== 'UNSUPPORTED')
    .map((v) => v.version)
    .sort(compareMinor)
}

/** EKS: is the edition's Kubernetes version offered for a new cluster? */
function checkEks(ctx: Ctx): void {
  const { edition, view, observed, verdict } = ctx
  const k = edition.kubernetesVersion
  const D = view.asOf
  const row = view.eks.versions.find((v) => v.version === k)
  const viewOffered = view.eks.versions
    .filter((v) => v.offered)
    .map((v) => v.version)
    .sort(compareMinor)
  ctx.offered = observed.eksVersions ? offeredByTarget(observed.eksVersions) : viewOffered
  ctx.isOffered = ctx.offered.includes(k)
  if (observed.eksVersions && list(viewOffered) !== list(ctx.offered)) {
    verdict.notes.push({
      id: 'platform-table-eks',
      what: `fixtures/platform.yaml says EKS offers ${list(viewOffered)} on ${D}; the target's DescribeClusterVersions says ${list(ctx.offered)}: the table needs updating`,
    })
  }
  verdict.checks.push({
    question: `Does EKS offer Kubernetes ${k} for a new cluster?`,
    answer: ctx.isOffered ? `yes (${row?.status ?? 'offered'})` : `no; offered: ${list(ctx.offered)}`,
    from: observed.eksVersions ? 'the target (DescribeClusterVersions)' : 'the platform table',
    ok: ctx.isOffered,
  })
  if (!ctx.isOffered) {
    const released = row !== undefined && row.releaseDate <= D
    ctx.add({
      id: 'eks-version',
      facts: [`eks:${k}:${row && !released ? 'released' : 'endOfExtendedSupport'}`],
      what: !row
        ? `EKS does not offer Kubernetes ${k} on ${D} (offered: ${list(ctx.offered)}), and fixtures/platform.yaml has no row for it`
        : released
          ? `EKS no longer creates Kubernetes ${k} clusters: its extended support ended on ${row.endOfExtendedSupport} (offered on ${D}: ${list(ctx.offered)})`
          : `EKS does not offer Kubernetes ${k} before ${row.releaseDate} (offered on ${D}: ${list(ctx.offered)})`,
      ...(row && released ? { since: row.endOfExtendedSupport } : {}),
      source: row?.source ?? EKS_SOURCE,
    })
  } else if (row?.status === 'EXTENDED_SUPPORT') {
    verdict.notes.push({
      id: 'eks-extended-support',
      what: `Kubernetes ${k} is in EKS extended support since ${row.endOfStandardSupport} (a cluster costs more per hour); new clusters until ${row.endOfExtendedSupport}`,
      source: row.source,
    })
  }
}

/**
 * Node images: the edition's AMI family must exist for the version it runs — or, when EKS no
 * longer offers that version, for the version a maintained edition runs on the date (the newest
 * offered) — and must still be supported.
 */
function checkNodeImage(ctx: Ctx): void {
  const { edition, view, observed, verdict } = ctx
  const D = view.asOf
  const family = edition.nodeImageFamily
  const familyView = view.nodeImageFamilies?.find((f) => f.family === family)
  const version = ctx.isOffered ? edition.kubernetesVersion : view.current.kubernetesVersion
  const parameter = amiParameterName(version, family)
  const viewHas = view.nodeImages.some((n) => n.ssmParameters.includes(parameter))
  const asked = observed.amiParameters?.find((p) => p.name === parameter)?.exists
  const exists = asked ?? viewHas
  if (asked !== undefined && asked !== viewHas) {
    verdict.notes.push({
      id: 'platform-table-ami',
      what: `fixtures/platform.yaml says ${parameter} ${viewHas ? 'exists' : 'does not exist'} on ${D}; the target's SSM says it ${asked ? 'does' : 'does not'}: the table needs updating`,
    })
  }
  const withFamily = view.nodeImages
    .filter((n) => ctx.offered.includes(n.kubernetesVersion) && n.families.includes(family))
    .map((n) => n.kubernetesVersion)
    .sort(compareMinor)
  const supported = familyView ? familyView.supported : true
  verdict.checks.push({
    question: `Is there a supported EKS-optimized ${family} AMI for Kubernetes ${version}${ctx.isOffered ? '' : ` (the newest version offered on ${D}, as ${edition.kubernetesVersion} is not)`}?`,
    answer: `${exists ? 'the parameter exists' : 'no such parameter'}: ${parameter}${familyView?.endOfSupport ? `; ${family} support ${supported ? 'ends' : 'ended'} on ${familyView.endOfSupport}` : ''}`,
    from: asked !== undefined ? 'the target (SSM GetParameter)' : 'the platform table',
    ok: exists && supported,
  })
  if (exists && supported) return
  const parts = [
    !supported && familyView?.endOfSupport ? `EKS-optimized ${family} AMIs reached end of support on ${familyView.endOfSupport} (no updates since)` : undefined,
    familyView?.maxKubernetes
      ? `EKS publishes none for Kubernetes later than ${familyView.maxKubernetes}`
      : !exists
        ? `EKS publishes none for Kubernetes ${version}`
        : undefined,
    `of the versions offered on ${D} (${list(ctx.offered)}), ${withFamily.length === 0 ? 'none has one' : `only ${list(withFamily)} ${withFamily.length > 1 ? 'have' : 'has'} one`}`,
  ].filter(Boolean)
  const firstWithout = familyView?.maxKubernetes
    ? view.eks.versions.filter((v) => compareMinor(v.version, familyView.maxKubernetes!) > 0).sort((a, b) => compareMinor(a.version, b.version))[0]
    : undefined
  ctx.add({
    id: 'node-image-family',
    facts: [
      ...(!supported && familyView?.endOfSupport ? [`nodeImages:${family}:endOfSupport`] : []),
      ...(familyView?.maxKubernetes ? [`nodeImages:${family}:<=${familyView.maxKubernetes}`] : []),
    ],
    what: parts.join('; '),
    ...(!supported && familyView?.endOfSupport ? { since: familyView.endOfSupport } : firstWithout ? { since: firstWithout.releaseDate } : {}),
    source: familyView?.source ?? 'fixtures/platform.yaml (nodeImageFamilies)',
  })
}

/** Karpenter: the chart can be pulled, and it supports a Kubernetes version EKS offers. */
function checkKarpenter(ctx: Ctx): KarpenterReleaseView | undefined {
  const { edition, view, observed, verdict } = ctx
  const D = view.asOf
  const k = edition.kubernetesVersion
  const release = view.karpenter.releases.find((r) => r.chartVersion === edition.karpenterChartVersion)
  const pullable = observed.chart?.exists ?? release !== undefined
  verdict.checks.push({
    question: `Can the Karpenter chart ${edition.karpenterChartVersion} be pulled?`,
    answer: `${pullable ? 'yes' : 'no'}: ${observed.chart?.reference ?? `${release?.chart ?? 'oci://public.ecr.aws/karpenter/karpenter'}:${edition.karpenterChartVersion}`}`,
    from: observed.chart?.how ?? 'the platform table',
    ok: pullable,
  })
  if (!pullable) {
    ctx.add({
      id: 'karpenter-chart',
      facts: [`karpenter:${edition.karpenterChartVersion}:released`],
      what: `the Karpenter chart ${edition.karpenterChartVersion} cannot be pulled on ${D}`,
      source: release?.source ?? 'https://gallery.ecr.aws/karpenter/karpenter',
    })
  }
  if (!release) return undefined
  const inRange = ctx.offered.filter((v) => supportsKubernetes(release, v))
  verdict.checks.push({
    question: `Does Karpenter ${release.version} support a Kubernetes version EKS offers?`,
    answer: `it supports ${release.minKubernetes}–${release.maxKubernetes}; offered on ${D}: ${list(ctx.offered)}`,
    from: 'the platform table (Karpenter compatibility matrix)',
    ok: inRange.length > 0,
  })
  if (inRange.length === 0) {
    // The day the last version it supports stopped being offered.
    const ended = view.eks.versions
      .filter((v) => supportsKubernetes(release, v.version) && v.endOfExtendedSupport <= D)
      .map((v) => v.endOfExtendedSupport)
      .sort()
    ctx.add({
      id: 'karpenter-kubernetes-support',
      facts: [...new Set([`karpenter:${release.version}:maxKubernetes`, `karpenter:${release.chartVersion}:maxKubernetes`])],
      what: `Karpenter ${release.version} supports Kubernetes ${release.minKubernetes}–${release.maxKubernetes}; EKS offers none of them on ${D} (offered: ${list(ctx.offered)})`,
      ...(ended.length ? { since: ended[ended.length - 1] } : {}),
      source: release.source,
    })
  } else if (ctx.isOffered && !inRange.includes(k)) {
    // The tutorial as published ran v0.32.1 on 1.29: outside the matrix, and it worked.
    verdict.notes.push({
      id: 'karpenter-kubernetes-support',
      what: `Karpenter ${release.version} officially supports Kubernetes ${release.minKubernetes}–${release.maxKubernetes}, and this edition runs ${k} (as the tutorial did when published): a warning, not a failure`,
      source: release.source,
    })
  }
  return release
}

/** The manifests' apiVersions: served by the edition's Karpenter, and by one that can run on the date. */
function checkKarpenterApi(ctx: Ctx, release: KarpenterReleaseView | undefined): void {
  const { edition, view, verdict } = ctx
  const D = view.asOf
  const needed = [...new Set(edition.karpenterApiVersions)].sort()
  if (needed.length === 0) return
  const serves = (r: KarpenterReleaseView) => needed.every((a) => r.apiVersions.includes(a))
  const viable = view.karpenter.releases.filter((r) => ctx.offered.some((v) => supportsKubernetes(r, v)))
  const editionServes = release === undefined || serves(release)
  const viableServing = viable.filter(serves)
  const ok = editionServes && (viable.length === 0 || viableServing.length > 0)
  const otherApis = list([...new Set(viable.flatMap((r) => r.apiVersions))].filter((a) => !needed.includes(a)).sort())
  verdict.checks.push({
    question: `Is there a Karpenter that serves the manifests' ${needed.join(', ')} and supports a Kubernetes version EKS offers?`,
    answer: !editionServes
      ? `no: Karpenter ${release.version} serves ${list(release.apiVersions)}`
      : viable.length === 0
        ? 'no Karpenter release supports an offered version (see above)'
        : viableServing.length > 0
          ? `yes: ${viableServing.map((r) => r.version).join(', ')}`
          : `no: those that support one (${viable.map((r) => r.version).join(', ')}) serve ${otherApis} only`,
    from: "the platform table (the releases' CRDs)",
    ok,
  })
  if (ok) return
  if (!editionServes) {
    ctx.add({
      id: 'karpenter-api',
      facts: [`karpenter:${release.version}:apiVersions`],
      what: `Karpenter ${release.version} does not serve ${needed.filter((a) => !release.apiVersions.includes(a)).join(', ')} (it serves ${list(release.apiVersions)}): the manifests are rejected`,
      source: release.source,
    })
    return
  }
  // Since: the last day a release serving them supported an offered version.
  const byAge = [...view.karpenter.releases].sort((a, b) => compareVersions(a.version.slice(1), b.version.slice(1)))
  const lastServing = byAge.filter(serves).at(-1)
  const dropped = lastServing ? byAge.find((r) => compareVersions(r.version.slice(1), lastServing.version.slice(1)) > 0 && !serves(r)) : undefined
  const ended = byAge
    .filter(serves)
    .flatMap((r) => view.eks.versions.filter((v) => supportsKubernetes(r, v.version) && v.endOfExtendedSupport <= D).map((v) => v.endOfExtendedSupport))
    .sort()
  ctx.add({
    id: 'karpenter-api',
    facts: [
      ...(dropped ? [`karpenter:>=${dropped.version.replace(/^v/, '').split('.').slice(0, 2).join('.')}:v1-only`] : []),
      ...(release ? [`karpenter:${release.version}:apiVersions`] : []),
    ],
    what:
      `every Karpenter that supports a Kubernetes version offered on ${D} (${viable[viable.length - 1].version} to ${viable[0].version}) serves ${otherApis} only: the manifests' ${needed.join(', ')} are rejected` +
      (dropped && lastServing
        ? ` (Karpenter serves only ${list(dropped.apiVersions)} from ${dropped.version} on; the last release serving them, ${lastServing.version}, supports Kubernetes up to ${lastServing.maxKubernetes})`
        : ''),
    ...(ended.length ? { since: ended[ended.length - 1] } : {}),
    source: (dropped ?? viable[0]).source,
  })
}

/** Terraform: do the edition's constraints admit a release that breaks its main.tf? */
function checkTerraform(ctx: Ctx): void {
  const { edition, view, observed, verdict } = ctx
  const D = view.asOf
  if (observed.terraform?.error)
    verdict.notes.push({
      id: 'terraform-init',
      what: `terraform init of the edition's required_providers failed, so the platform table's resolutions stand:\n${observed.terraform.error}`,
    })
  for (const dep of view.terraform) {
    const constraint = edition.terraformConstraints[dep.name] ?? dep.tutorialConstraint
    const resolved = dep.kind === 'provider' ? observed.terraform?.resolved[dep.name] : undefined
    const reaches = (version: string) => (resolved ? compareVersions(resolved, version) >= 0 : admits(constraint, version))
    const breaking = (dep.breakingReleases ?? []).filter((b) => b.released <= D && reaches(b.version))
    const breaks = breaking.filter((b) => b.breaksTutorial)
    verdict.checks.push({
      question: `Does ${dep.name} ${constraint} resolve to a release the edition's main.tf works with?`,
      answer: resolved
        ? `resolves to ${resolved}`
        : admits(constraint, dep.resolvesTo)
          ? `resolves to ${dep.resolvesTo}`
          : `excludes ${dep.resolvesTo}${dep.breaks ? " (which breaks the tutorial's file)" : ''}`,
      from: resolved
        ? (observed.terraform?.how ?? 'terraform init')
        : `the platform table${observed.terraform && dep.kind === 'provider' ? ` (${observed.terraform.how})` : ''}`,
      ok: breaks.length === 0,
    })
    for (const b of breaks) {
      ctx.add({
        id: `terraform:${dep.name}`,
        facts: [`terraform:${dep.name}:${b.version}`],
        what: `${dep.name} "${constraint}" resolves to ${resolved ?? dep.resolvesTo} on ${D}; from ${b.version} (${b.released}) on: ${b.what}`,
        since: b.released,
        source: dep.source,
      })
    }
    for (const b of breaking.filter((x) => !x.breaksTutorial)) {
      verdict.notes.push({
        id: `terraform:${dep.name}`,
        what: `${dep.name} "${constraint}" reaches ${b.version} (${b.released}): ${b.what}`,
        source: dep.source,
      })
    }
  }
}

/**
 * Cloud9: listed as drift when closed to new customers, but it never fails the preflight — Step 1
 * is optional, and the tutorial runs every later step from any terminal with the prerequisites.
 */
function checkCloud9(ctx: Ctx): void {
  const { edition, view, observed, verdict } = ctx
  if (!edition.cloud9) return
  const open = view.cloud9.openToNewCustomers
  verdict.checks.push({
    question: 'Is AWS Cloud9 open to new customers (Step 1, optional)?',
    answer: `${open ? 'yes' : `no, since ${view.cloud9.closedToNewCustomersOn}`}${observed.cloud9 ? `; this run: ${observed.cloud9.offered ? 'runs Step 1' : observed.cloud9.reason}` : ''}`,
    from: 'the platform table',
    ok: open,
  })
  if (open) return
  ctx.add({
    id: 'cloud9',
    facts: ['cloud9:closed'],
    what: `AWS Cloud9 is closed to new customers since ${view.cloud9.closedToNewCustomersOn}: the optional Step 1 works only in accounts that already use Cloud9 (listed, not failing: every later step runs from any terminal)`,
    since: view.cloud9.closedToNewCustomersOn,
    source: view.cloud9.source,
    // The tutorial's own tip for Step 1: "You can skip this step … if you're planning to run all
    // steps on your own computer." The current edition takes it, so no text needs an edit.
    remedy: "skip the optional Step 1 and run every step from your own terminal (or AWS CloudShell), as the tutorial's tip for Step 1 allows",
    blocking: false,
  })
}

/** The apiVersions of Karpenter's kinds in manifest texts (karpenter.sh/…, karpenter.k8s.aws/…). */
export function karpenterApiVersions(texts: string[]): string[] {
  const found = new Set<string>()
  for (const t of texts) for (const m of t.matchAll(/^\s*apiVersion:\s*(karpenter\.(?:sh|k8s\.aws)\/v[\w]+)\s*$/gm)) found.add(m[1])
  return [...found].sort()
}

/** The AMI family a manifest's EC2NodeClass selects: `amiFamily: AL2`, or an alias `al2023@…`. */
export function nodeImageFamilyOf(texts: string[]): NodeImageFamily | undefined {
  for (const t of texts) {
    const alias = /^\s*-?\s*alias:\s*["']?(al2023|al2)@/im.exec(t)
    if (alias) return alias[1].toLowerCase() === 'al2023' ? 'AL2023' : 'AL2'
    const family = /^\s*amiFamily:\s*["']?(AL2023|AL2)\b/m.exec(t)
    if (family) return family[1] as NodeImageFamily
  }
  return undefined
}
