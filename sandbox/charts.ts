// The Helm charts the sandbox can install into its clusters (it plays Helm for the releases the
// Terraform fixture records). A chart version is its CRDs (the chart's crds/ directory), its
// objects, and what runs once they are in. Which Karpenter runs is the chart version's business:
// karpenterTwinFor(version) picks the v0.32.1 twin or the 1.x twin; a version the registry does not
// have fails as Helm fails to download it, and a real version the sandbox does not twin fails too.

import type { KubeObject } from './kube/json.ts'
import type { CrdSpec } from './kube/crds/definitions.ts'
import { karpenterV1beta1Crds } from './karpenter/crds/v1beta1.ts'
import { karpenterV1Crds } from './karpenter/crds/v1.ts'
import type { ChartInstaller, HelmRelease, SandboxCluster } from './cluster/sandbox-cluster.ts'
import { karpenterChartObjects } from './karpenter/chart.ts'
import { karpenterV1ChartObjects } from './karpenter/chart-v1.ts'
import { karpenterChartReleased } from './karpenter/chart-releases.ts'
import { karpenterTwinFor, TWINNED_KARPENTER_CHARTS } from './karpenter/version.ts'
import { startKarpenter } from './karpenter/operator/operator.ts'
import { loadPlatformTable } from '../platform/index.ts'

interface ChartVersion {
  /** The chart's crds/ directory: Helm creates the ones the cluster lacks before anything else. */
  crds: CrdSpec[]
  objects: (cluster: SandboxCluster, release: HelmRelease) => KubeObject[]
  install: ChartInstaller
}

export interface Chart {
  /**
   * The chart at `version` on the sandbox's day `asOf` (a chart version published later cannot be
   * had yet); throws ChartUnavailable (Helm's words) when it cannot be had.
   */
  resolve(version: string, asOf?: string): ChartVersion
}

/** A release that cannot be installed. `status` 422: the caller's input is at fault, not the sandbox. */
export class ChartUnavailable extends Error {
  readonly status = 422
}

const KARPENTER_OCI = 'public.ecr.aws/karpenter/karpenter'

const karpenter: Chart = {
  resolve(version, asOf) {
    // The message of the helm provider's helm_release (which the EKS Blueprints add-on uses) for a
    // version the OCI repository does not have, as in aws/karpenter-provider-aws issues #4791, #8718.
    if (!karpenterChartReleased(version) || publishedAfter(version, asOf))
      throw new ChartUnavailable(`could not download chart: ${KARPENTER_OCI}:${version}: not found`)
    const twin = karpenterTwinFor(version)
    if (!twin)
      throw new ChartUnavailable(
        `could not install chart karpenter ${version}: the spotcheck sandbox twins only the Karpenter charts ${TWINNED_KARPENTER_CHARTS}; set the chart version to one of them, or run against a real AWS account`,
      )
    return {
      crds: twin.line === 'v1' ? karpenterV1Crds : karpenterV1beta1Crds,
      objects: (_cluster, release) =>
        twin.line === 'v1'
          ? karpenterV1ChartObjects(release.namespace, release.values)
          : karpenterChartObjects(release.namespace, release.version, release.values),
      install: (cluster, release) => startKarpenter(cluster, release),
    }
  },
}

/** Whether the platform table dates this chart version after the sandbox's day. */
function publishedAfter(version: string, asOf: string | undefined): boolean {
  if (!asOf) return false
  const release = loadPlatformTable().karpenter.releases.find((r) => r.chartVersion === version)
  return release !== undefined && release.released > asOf
}

const charts: Record<string, Chart> = { karpenter }

export function chartFor(name: string): Chart | undefined {
  return charts[name]
}
