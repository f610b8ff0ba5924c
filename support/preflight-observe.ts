// The preflight's questions to the target, with the same calls on both targets: the AWS SDK v3
// clients built from the run's environment (AWS itself, or the sandbox's moto answering as AWS did
// on the sandbox's day).
//   - EKS DescribeClusterVersions: the Kubernetes versions offered for a new cluster;
//   - SSM GetParameter: the EKS-optimized AMI parameter of the edition's family and version.
// Two questions have no AWS API, and the targets answer them differently (said in the verdict):
//   - the Karpenter chart: on aws, the OCI registry itself (public.ecr.aws: an anonymous pull
//     token, then HEAD of the chart's manifest); the sandbox has no registry, and plays Helm only
//     for the charts of its day, so it answers from the platform view of its day (SPOTCHECK_AS_OF,
//     the same view moto answers from);
//   - the Terraform providers: on aws, a scratch `terraform init` against the registry; the
//     sandbox has no registry (its providers come from a local mirror), so the platform table's
//     resolutions stand.

import { DescribeClusterVersionsCommand } from '@aws-sdk/client-eks'
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm'
import { join } from 'node:path'
import type { AwsClients } from './aws-clients.ts'
import { requiredProviders } from './preflight-edition.ts'
import { resolveProviders } from './preflight-terraform.ts'
import { spotcheckHome } from '../lib/paths.ts'
import { amiParameterName, offeredByTarget, type EditionUnderTest, type Observed } from './preflight.ts'
import { karpenterRelease, platformView } from '../platform/index.ts'

export interface ObserveContext {
  target: 'sandbox' | 'aws'
  /**
   * An aws rehearsal: its account is a sandbox, offline. The registries (public.ecr.aws, the
   * Terraform registry) cannot be reached, so those two answers are the sandbox's, for its day.
   */
  rehearsal?: boolean
  env: Record<string, string>
  aws: AwsClients
  cloud9: { offered: boolean; reason: string }
  progress?: (line: string) => void
  /** Overridable for tests: the registry client. */
  fetch?: typeof fetch
}

export async function observe(edition: EditionUnderTest, ctx: ObserveContext): Promise<Observed> {
  // Branches on the rehearsal only where real AWS's answer cannot exist offline (the registries).
  const registries = ctx.target === 'aws' && !ctx.rehearsal
  const versions = describeClusterVersions(ctx.aws)
  // The edition's AMI parameter, and the family's for the newest version the target offers: the
  // verdict judges that one when the edition's version is no longer offered.
  const amiParameters = versions.then((offered) => {
    const judged = [edition.kubernetesVersion, offeredByTarget(offered).at(-1)].filter((v): v is string => v !== undefined)
    return Promise.all([...new Set(judged)].map((v) => amiParameterExists(ctx, amiParameterName(v, edition.nodeImageFamily))))
  })
  const [eksVersions, amiParameterAnswers, chart, terraform] = await Promise.all([
    versions,
    amiParameters,
    registries
      ? chartInRegistry(edition.karpenterChartVersion, ctx.fetch ?? fetch)
      : chartOfSandboxDay(edition.karpenterChartVersion, ctx.rehearsal ? { SPOTCHECK_AS_OF: edition.asOf } : ctx.env),
    registries
      ? terraformInit(edition, ctx)
      : Promise.resolve({
          resolved: {},
          how: `no registry on the ${ctx.rehearsal ? "rehearsal's offline account" : 'sandbox'}: the platform table's resolutions`,
        }),
  ])
  return { eksVersions, amiParameters: amiParameterAnswers, chart, terraform, cloud9: ctx.cloud9 }
}

async function describeClusterVersions(aws: AwsClients): Promise<{ version: string; status: string }[]> {
  const out: { version: string; status: string }[] = []
  let nextToken: string | undefined
  do {
    const page = await aws.eks.send(new DescribeClusterVersionsCommand({ nextToken }))
    for (const v of page.clusterVersions ?? [])
      if (v.clusterVersion) out.push({ version: v.clusterVersion, status: String(v.versionStatus ?? v.status ?? 'UNKNOWN') })
    nextToken = page.nextToken
  } while (nextToken)
  return out
}

async function amiParameterExists(ctx: ObserveContext, name: string): Promise<{ name: string; exists: boolean }> {
  // The run's clients have no SSM client: one from the same region, endpoint and credentials.
  const config = ctx.aws.eks.config
  const ssm = new SSMClient({
    region: ctx.aws.region,
    credentials: config.credentials,
    maxAttempts: 5,
    ...(ctx.env.AWS_ENDPOINT_URL ? { endpoint: ctx.env.AWS_ENDPOINT_URL } : {}),
  })
  try {
    await ssm.send(new GetParameterCommand({ Name: name }))
    return { name, exists: true }
  } catch (error) {
    if (error instanceof ParameterNotFound || (error as Error).name === 'ParameterNotFound') return { name, exists: false }
    throw error
  } finally {
    ssm.destroy()
  }
}

export const KARPENTER_REGISTRY = 'https://public.ecr.aws'
export const KARPENTER_REPOSITORY = 'karpenter/karpenter'

/** Whether public.ecr.aws has the chart's tag: an anonymous pull token, then HEAD of its manifest (OCI distribution API). */
export async function chartInRegistry(chartVersion: string, fetchFn: typeof fetch): Promise<{ reference: string; exists: boolean; how: string }> {
  const reference = `oci://public.ecr.aws/${KARPENTER_REPOSITORY}:${chartVersion}`
  const how = 'the registry (public.ecr.aws: HEAD of the chart manifest)'
  const tokenResponse = await fetchFn(`${KARPENTER_REGISTRY}/token/?scope=aws:repository:${KARPENTER_REPOSITORY}:pull`)
  if (!tokenResponse.ok) throw new Error(`public.ecr.aws refused an anonymous pull token: HTTP ${tokenResponse.status}`)
  const { token } = (await tokenResponse.json()) as { token?: string }
  const head = await fetchFn(`${KARPENTER_REGISTRY}/v2/${KARPENTER_REPOSITORY}/manifests/${encodeURIComponent(chartVersion)}`, {
    method: 'HEAD',
    headers: { authorization: `Bearer ${token ?? ''}`, accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json' },
  })
  if (head.status === 404) return { reference, exists: false, how }
  if (!head.ok) throw new Error(`public.ecr.aws answered HTTP ${head.status} for ${reference}`)
  return { reference, exists: true, how }
}

/** The sandbox's answer: the chart exists if the platform view of the sandbox's day lists its release. */
export async function chartOfSandboxDay(chartVersion: string, env: Record<string, string>): Promise<{ reference: string; exists: boolean; how: string }> {
  const day = env.SPOTCHECK_AS_OF
  if (!day)
    throw new Error(
      'the sandbox did not say which day it answers as (no SPOTCHECK_AS_OF in its environment): restart it with `spotcheck sandbox up --as-of YYYY-MM-DD`',
    )
  const view = platformView(day)
  const release = karpenterRelease(view, chartVersion)
  return {
    reference: `${release?.chart ?? 'oci://public.ecr.aws/karpenter/karpenter'}:${chartVersion}`,
    exists: release !== undefined,
    how: `the sandbox's platform view of ${day} (it has no OCI registry)`,
  }
}

async function terraformInit(edition: EditionUnderTest, ctx: ObserveContext): Promise<{ resolved: Record<string, string>; how: string; error?: string }> {
  const providers = requiredProviders(edition.terraformConstraints)
  ctx.progress?.(`preflight: terraform init of the edition's required_providers in a scratch directory (${Object.keys(providers).join(', ')})`)
  const r = await resolveProviders(providers, ctx.env, join(spotcheckHome(), 'terraform-plugin-cache'))
  return { resolved: r.resolved, how: "the registry (a scratch terraform init of the edition's required_providers)", ...(r.error ? { error: r.error } : {}) }
}
