// `spotcheck platform [--as-of YYYY-MM-DD] [--json]`: the platform of a day, as the suite sees it.
import { parseArgs } from 'node:util'
import { AsOfError, parseAsOf, today } from './dates.ts'
import { platformView } from './index.ts'
import { PlatformRangeError, supportsKubernetes } from './view.ts'
import type { PlatformView } from './types.ts'

const PLATFORM_USAGE = `Usage: spotcheck platform [--as-of YYYY-MM-DD] [--json | --tf-vars]

  Prints the platform of a day from fixtures/platform.yaml: the EKS versions offered (status and
  dates) and the Karpenter releases supporting each, the AMI families and their SSM parameters,
  Cloud9, what the tutorial's Terraform constraints resolve to and what breaks, and the versions
  the current edition uses that day.

  --as-of YYYY-MM-DD   the day (default: today, UTC; not after today)
  --json               the whole PlatformView (platform/types.ts) as JSON
  --tf-vars            shell exports of the current edition's versions for the sandbox's stand-in
                       main.tf (TF_VAR_kubernetes_version, TF_VAR_karpenter_chart_version):
                       eval "$(npx spotcheck platform --tf-vars)" before terraform init
`

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)))
  return rows
    .map(
      (r) =>
        '  ' +
        r
          .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
          .join('  ')
          .trimEnd(),
    )
    .join('\n')
}

/** The Karpenter releases out that support `v`, briefly: the range, and the LTS ones still supported. */
function supporting(view: PlatformView, v: string): string {
  const rs = view.karpenter.releases.filter((r) => supportsKubernetes(r, v))
  if (rs.length === 0) return 'none yet'
  // The newest release of each LTS line still supported (releases are newest first).
  const lines = new Map<string, string>()
  for (const r of rs) {
    const line = r.version.split('.').slice(0, 2).join('.')
    if (r.lts && (!r.supportedUntil || view.asOf <= r.supportedUntil) && !lines.has(line)) lines.set(line, r.chartVersion)
  }
  const lts = [...lines.values()]
  const range = rs.length === 1 ? rs[0].chartVersion : `${rs.at(-1)?.chartVersion} … ${rs[0].chartVersion} (${rs.length})`
  return lts.length > 0 ? `${range}; LTS: ${lts.join(', ')}` : range
}

/** The view as a reader would want it on a terminal. */
function formatPlatform(view: PlatformView): string {
  const out: string[] = [`Platform as of ${view.asOf}`, '']

  const offered = view.eks.versions.filter((v) => v.offered)
  const retired = view.eks.versions.filter((v) => !v.offered)
  out.push('Amazon EKS: Kubernetes versions a new cluster can have')
  out.push(
    table([
      ['version', 'status', 'released', 'standard until', 'extended until', 'Karpenter releases supporting it'],
      ...offered.map((v) => [
        v.version + (v.default ? ' (default)' : ''),
        v.status,
        v.releaseDate,
        v.endOfStandardSupport,
        v.endOfExtendedSupport,
        supporting(view, v.version),
      ]),
    ]),
  )
  if (retired.length > 0) out.push(`  No longer offered (extended support ended): ${retired.map((v) => `${v.version} (${v.endOfExtendedSupport})`).join(', ')}`)
  out.push('')

  out.push(`Karpenter releases out (chart ${view.karpenter.releases[0]?.chart ?? ''})`)
  out.push(
    table([
      ['release', 'chart version', 'released', 'Kubernetes', 'API versions', 'support'],
      ...view.karpenter.releases.map((r) => [
        r.version,
        r.chartVersion,
        r.released,
        `${r.minKubernetes}–${r.maxKubernetes}`,
        r.apiVersions.join(' '),
        r.lts ? `LTS until ${r.supportedUntil ?? '?'}${r.supportedUntil && view.asOf > r.supportedUntil ? ' (ended)' : ''}` : '',
      ]),
    ]),
    '',
  )

  out.push('Node images (EKS-optimized AMIs)')
  for (const f of view.nodeImageFamilies ?? []) {
    const range = `Kubernetes ${f.minKubernetes}${f.maxKubernetes ? `–${f.maxKubernetes} only` : ' and later'}`
    const state = !f.published
      ? `not published yet (from ${f.publishedFrom})`
      : f.supported
        ? `published since ${f.publishedFrom}`
        : `end of support ${f.endOfSupport ?? ''}`
    out.push(`  ${f.family}: ${range}; ${state}`)
  }
  out.push(
    table([
      ['version', 'AMI families', 'SSM parameters (…/recommended/image_id)'],
      ...view.nodeImages
        .filter((n) => offered.some((v) => v.version === n.kubernetesVersion))
        .map((n) => [
          n.kubernetesVersion,
          n.families.join(' ') || 'none',
          n.ssmParameters.map((p) => p.replace(/^\/aws\/service\/eks\/optimized-ami\/[^/]+\//, '').replace(/\/recommended\/image_id$/, '')).join(' '),
        ]),
    ]),
    '',
  )

  out.push(
    `AWS Cloud9: ${view.cloud9.openToNewCustomers ? 'open to new customers' : `closed to new customers since ${view.cloud9.closedToNewCustomersOn}`}`,
    '',
  )

  out.push("Terraform: the tutorial's main.tf")
  out.push(
    table([
      ['name', 'kind', 'constraint', 'resolves to', 'breaks the tutorial'],
      ...view.terraform.map((d) => [d.name, d.kind, d.tutorialConstraint, d.resolvesTo, d.breaks ? `yes, since ${d.breaks.since}` : 'no']),
    ]),
  )
  for (const d of view.terraform) {
    if (d.breaks) out.push(`  ${d.breaks.what}`)
    for (const r of d.breakingReleases ?? []) if (!r.breaksTutorial) out.push(`  ${d.name} ${r.version} (${r.released}): ${r.what}`)
  }
  out.push('')

  const c = view.current
  const apis = view.karpenter.releases.find((r) => r.chartVersion === c.karpenterChartVersion)?.apiVersions
  out.push(
    `Current edition on ${view.asOf}: Kubernetes ${c.kubernetesVersion}, Karpenter chart ${c.karpenterChartVersion}${apis ? ` (serves ${apis.join(', ')})` : ''}, ${c.nodeImageFamily} nodes`,
  )
  // The current edition's manifests are karpenter.sh/v1 (fixtures/editions/current.yaml, requires):
  // a run refuses a day whose Karpenter does not serve it; say so here too.
  if (apis && !apis.includes('karpenter.sh/v1'))
    out.push(`  The current edition is written for karpenter.sh/v1, which this release does not serve: a run of it refuses ${view.asOf}.`)
  if (c.note) out.push(`  ${c.note}`)
  return out.join('\n') + '\n'
}

/** Runs the command; returns the exit code (2: bad arguments). */
export async function platformCli(args: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process): Promise<number> {
  let values: { 'as-of'?: string; json?: boolean; 'tf-vars'?: boolean; help?: boolean }
  try {
    ;({ values } = parseArgs({
      args,
      options: { 'as-of': { type: 'string' }, json: { type: 'boolean' }, 'tf-vars': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }))
  } catch (error) {
    io.stderr.write(`spotcheck platform: ${(error as Error).message}\n\n${PLATFORM_USAGE}`)
    return 2
  }
  if (values.help) {
    io.stdout.write(PLATFORM_USAGE)
    return 0
  }
  let asOf: string
  try {
    asOf = values['as-of'] === undefined ? today() : parseAsOf(values['as-of'], { name: '--as-of' })
  } catch (error) {
    if (!(error instanceof AsOfError)) throw error
    io.stderr.write(`spotcheck platform: ${error.message}\n`)
    return 2
  }
  let view: PlatformView
  try {
    view = platformView(asOf)
  } catch (error) {
    if (!(error instanceof PlatformRangeError)) throw error
    io.stderr.write(`spotcheck platform: ${error.message}\n`)
    return 2
  }
  if (values.json && values['tf-vars']) {
    io.stderr.write(`spotcheck platform: --json and --tf-vars print different things; give one\n\n${PLATFORM_USAGE}`)
    return 2
  }
  if (values['tf-vars']) {
    const c = view.current
    io.stdout.write(`export TF_VAR_kubernetes_version=${c.kubernetesVersion} TF_VAR_karpenter_chart_version=${c.karpenterChartVersion}\n`)
    return 0
  }
  io.stdout.write(values.json ? JSON.stringify(view, null, 2) + '\n' : formatPlatform(view))
  return 0
}
