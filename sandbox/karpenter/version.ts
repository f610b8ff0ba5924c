// Which Karpenter the sandbox twins for a chart version. The Helm release the cluster installs
// (its chart version comes from the Terraform variable karpenter_chart_version) selects the twin:
//   v0.32.x → the v0.32.1 twin (aws/karpenter-provider-aws v0.32.1, commit 1072d3b), v1beta1 API;
//   1.9.2   → the 1.x twin (aws/karpenter-provider-aws v1.9.2, commit 310b3568f736566ae1005b09b9482082f2fc61ed,
//             with kubernetes-sigs/karpenter v1.9.x), karpenter.sh/v1 and karpenter.k8s.aws/v1 only.
// Any other chart version is not installable in the sandbox: the release fails as Helm's does when
// the registry has no such chart version.

export type KarpenterLine = 'v0.32' | 'v1'

export interface KarpenterTwin {
  line: KarpenterLine
  /** The release the twin follows, e.g. "v0.32.1", "v1.9.2". */
  version: string
  /** The short commit its log lines carry (v0.32.1's `"commit":"1072d3b"`). */
  commit: string
  /** apiVersion of each Karpenter kind the twin serves and reads. */
  api: { nodePool: string; nodeClaim: string; ec2NodeClass: string }
}

export const KARPENTER_V0_32: KarpenterTwin = {
  line: 'v0.32',
  version: 'v0.32.1',
  commit: '1072d3b',
  api: { nodePool: 'karpenter.sh/v1beta1', nodeClaim: 'karpenter.sh/v1beta1', ec2NodeClass: 'karpenter.k8s.aws/v1beta1' },
}

const KARPENTER_V1: KarpenterTwin = {
  line: 'v1',
  version: 'v1.9.2',
  commit: '310b356',
  api: { nodePool: 'karpenter.sh/v1', nodeClaim: 'karpenter.sh/v1', ec2NodeClass: 'karpenter.k8s.aws/v1' },
}

/** The chart version of the 1.x release the sandbox twins (charts from 0.35.0 on have no "v"). */
const KARPENTER_V1_CHART_VERSION = '1.9.2'

/** The chart versions the sandbox twins, in words, for messages that send a reader to one of them. */
export const TWINNED_KARPENTER_CHARTS = `v0.32.x (Karpenter v0.32.1, karpenter.sh/v1beta1) and ${KARPENTER_V1_CHART_VERSION} (Karpenter v1.9.2, karpenter.sh/v1)`

/** The twin a chart version selects, or undefined when the sandbox has no such chart. */
export function karpenterTwinFor(chartVersion: string): KarpenterTwin | undefined {
  if (/^v0\.32\.\d+$/.test(chartVersion)) return KARPENTER_V0_32
  if (chartVersion === KARPENTER_V1_CHART_VERSION) return KARPENTER_V1
  return undefined
}
