// Questions the preflight and the sandbox ask of one day's platform.
import type { EksVersionView, KarpenterReleaseView, PlatformView } from './types.ts'

export { supportsKubernetes } from './view.ts'

/** The EKS version `v` ("1.29") as released by view.asOf, or undefined (not released yet, or unknown). */
export function eksVersion(view: PlatformView, v: string): EksVersionView | undefined {
  return view.eks.versions.find((e) => e.version === v)
}

/**
 * The Karpenter release whose chart version is exactly `chart`, as `helm install --version`
 * takes it ("v0.32.1", "1.9.2"), out by view.asOf; undefined otherwise. A misspelt chart
 * version ("0.32.1", "v1.9.2") is not found, as Helm would not find it.
 */
export function karpenterRelease(view: PlatformView, chart: string): KarpenterReleaseView | undefined {
  return view.karpenter.releases.find((r) => r.chartVersion === chart)
}

/** The release a chart version means, with or without its `v` (to suggest the right spelling). */
export function karpenterReleaseLoosely(view: PlatformView, chart: string): KarpenterReleaseView | undefined {
  const bare = chart.replace(/^v/, '')
  return view.karpenter.releases.find((r) => r.version === `v${bare}`)
}

/** Whether the public SSM parameter `path` existed on view.asOf. */
export function ssmParameterExists(view: PlatformView, path: string): boolean {
  return view.nodeImages.some((n) => n.ssmParameters.includes(path))
}
