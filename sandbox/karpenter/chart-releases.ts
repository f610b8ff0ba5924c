// The Karpenter chart versions published at oci://public.ecr.aws/karpenter/karpenter, so the
// sandbox can tell "no such chart version" (what Helm says) from "a real chart the sandbox does
// not twin". Taken from the release tags of aws/karpenter-provider-aws up to v1.14.1 (charts went
// to the OCI registry from v0.17.0 on). Chart versions keep the tag's "v" before 0.35.0 and drop it
// from 0.35.0 on: `v0.32.1`, `0.35.0`, `1.9.2` exist; `0.32.1` and `v1.9.2` do not.

/** Released patch numbers per minor line, as ranges (`0-6,8`: v0.27.7 was never released). */
const RELEASED: Record<string, string> = {
  '0.17': '0',
  '0.18': '0-1',
  '0.19': '0-3',
  '0.20': '0',
  '0.21': '0-1',
  '0.22': '0-1',
  '0.23': '0',
  '0.24': '0',
  '0.25': '0',
  '0.26': '0-1',
  '0.27': '0-6,8',
  '0.28': '0-1',
  '0.29': '0-2',
  '0.30': '0',
  '0.31': '0-5',
  '0.32': '0-10',
  '0.33': '0-12',
  '0.34': '0-3,5-13',
  '0.35': '0-2,4-12',
  '0.36': '0-9',
  '0.37': '0-8',
  '1.0': '0-14',
  '1.1': '0-10',
  '1.2': '0-8',
  '1.3': '0-8',
  '1.4': '0-4',
  '1.5': '0-8',
  '1.6': '0-8',
  '1.7': '0-6',
  '1.8': '0-8',
  '1.9': '0-2',
  '1.10': '0-2',
  '1.11': '0-3',
  '1.12': '0-2',
  '1.13': '0-1',
  '1.14': '0-1',
}

function inRanges(patch: number, ranges: string): boolean {
  return ranges.split(',').some((r) => {
    const [lo, hi = lo] = r.split('-').map(Number)
    return patch >= lo && patch <= hi
  })
}

/** Whether `oci://public.ecr.aws/karpenter/karpenter` has this chart version. */
export function karpenterChartReleased(version: string): boolean {
  const m = /^(v?)(\d+)\.(\d+)\.(\d+)$/.exec(version)
  if (!m) return false
  const [, v, major, minor, patch] = m
  const line = `${major}.${minor}`
  const ranges = RELEASED[line]
  if (!ranges || !inRanges(Number(patch), ranges)) return false
  const keepsV = Number(major) === 0 && Number(minor) < 35
  return keepsV === (v === 'v')
}
