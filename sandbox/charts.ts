// The Helm charts the sandbox can install into its clusters (it plays Helm for the releases the
// Terraform fixture records). A chart is its objects plus what runs once they are in.

import type { KubeObject } from './kube/json.ts'
import type { ChartInstaller, HelmRelease, SandboxCluster } from './cluster/sandbox-cluster.ts'
import { karpenterChartObjects } from './karpenter/chart.ts'
import { startKarpenter } from './karpenter/operator.ts'

export interface Chart {
  objects: (cluster: SandboxCluster, release: HelmRelease) => KubeObject[]
  install: ChartInstaller
}

const charts: Record<string, Chart> = {
  karpenter: {
    objects: (_cluster, release) => karpenterChartObjects(release.namespace, release.version, release.values),
    install: (cluster, release) => startKarpenter(cluster, release),
  },
}

export function chartFor(name: string): Chart | undefined {
  return charts[name]
}
