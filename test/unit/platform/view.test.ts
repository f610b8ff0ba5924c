// The platform of a day, from fixtures/platform.yaml: what EKS offered, which AMIs existed,
// which Karpenter releases were out, and what the current edition runs.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  eksVersion,
  karpenterRelease,
  karpenterReleaseLoosely,
  loadPlatformTable,
  platformView,
  PlatformRangeError,
  ssmParameterExists,
  supportsKubernetes,
  TUTORIAL_DATE,
} from '../../../platform/index.ts'

const al2 = (v: string) => `/aws/service/eks/optimized-ami/${v}/amazon-linux-2/recommended/image_id`
const al2023 = (v: string, arch = 'x86_64') => `/aws/service/eks/optimized-ami/${v}/amazon-linux-2023/${arch}/standard/recommended/image_id`
const offered = (asOf: string) =>
  platformView(asOf)
    .eks.versions.filter((v) => v.offered)
    .map((v) => v.version)

describe('platformView on the tutorial’s day, 2024-01-29', () => {
  const view = platformView(TUTORIAL_DATE)

  it('offers 1.29 (released 2024-01-23) in standard support, as the default, and nothing newer', () => {
    const v129 = eksVersion(view, '1.29')
    assert.equal(v129?.status, 'STANDARD_SUPPORT')
    assert.equal(v129?.offered, true)
    assert.equal(v129?.default, true)
    assert.equal(eksVersion(view, '1.30'), undefined)
    assert.deepEqual(
      view.eks.versions.filter((v) => v.default).map((v) => v.version),
      ['1.29'],
    )
  })

  it('has 1.23 in extended support and 1.24 still in standard support (it ends 2024-01-31)', () => {
    assert.equal(eksVersion(view, '1.23')?.status, 'EXTENDED_SUPPORT')
    assert.equal(eksVersion(view, '1.24')?.status, 'STANDARD_SUPPORT')
  })

  it('has AL2 parameters but no AL2023 ones yet (published from 2024-02-29)', () => {
    assert.equal(ssmParameterExists(view, al2('1.29')), true)
    assert.equal(ssmParameterExists(view, al2023('1.29')), false)
    assert.deepEqual(view.nodeImages.find((n) => n.kubernetesVersion === '1.29')?.families, ['AL2'])
  })

  it('knows the tutorial’s Karpenter v0.32.1 (chart "v0.32.1", v1beta1) and that it does not support 1.29', () => {
    const r = karpenterRelease(view, 'v0.32.1')
    assert.ok(r)
    assert.equal(r.chart, 'oci://public.ecr.aws/karpenter/karpenter')
    assert.deepEqual(r.apiVersions, ['karpenter.sh/v1beta1', 'karpenter.k8s.aws/v1beta1'])
    assert.equal(supportsKubernetes(r, '1.28'), true)
    assert.equal(supportsKubernetes(r, '1.29'), false)
    assert.equal(karpenterRelease(view, '0.32.1'), undefined, 'the chart spelling before 0.35.0 has a v')
    assert.equal(karpenterReleaseLoosely(view, '0.32.1')?.chartVersion, 'v0.32.1')
    assert.equal(karpenterRelease(view, 'v0.34.0'), undefined, 'not released until 2024-02-06')
  })

  it('has Cloud9 open, and the tutorial’s unbounded helm provider still on 2.x', () => {
    assert.equal(view.cloud9.openToNewCustomers, true)
    const helm = view.terraform.find((d) => d.name === 'hashicorp/helm')
    assert.match(helm?.resolvesTo ?? '', /^2\./)
    assert.equal(helm?.breaks, undefined)
  })

  it('says no Karpenter release supported the newest version yet, in a note', () => {
    assert.equal(view.current.kubernetesVersion, '1.29')
    assert.match(view.current.note ?? '', /No Karpenter release out on 2024-01-29 supports Kubernetes 1\.29/)
  })
})

describe('platformView later', () => {
  it('2026-03-24: 1.29 is UNSUPPORTED and no longer offered (extended support ended 2026-03-23)', () => {
    const view = platformView('2026-03-24')
    assert.equal(eksVersion(view, '1.29')?.status, 'UNSUPPORTED')
    assert.equal(eksVersion(view, '1.29')?.offered, false)
    assert.equal(eksVersion(platformView('2026-03-22'), '1.29')?.offered, true)
  })

  it('2026-12-06: offers 1.32..1.35; the current edition runs 1.35, chart 1.9.2, AL2023', () => {
    const view = platformView('2026-12-06')
    assert.deepEqual(offered('2026-12-06'), ['1.35', '1.34', '1.33', '1.32'])
    assert.deepEqual(view.current, { kubernetesVersion: '1.35', karpenterChartVersion: '1.9.2', nodeImageFamily: 'AL2023' })
    const r = karpenterRelease(view, '1.9.2')
    assert.equal(r?.lts, true)
    assert.equal(r?.supportedUntil, '2027-02-28')
    assert.deepEqual(r?.apiVersions, ['karpenter.sh/v1', 'karpenter.k8s.aws/v1'])
    assert.equal(view.cloud9.openToNewCustomers, false)
  })

  it('2026-12-06: the AL2023 parameters for 1.35 exist (both architectures); AL2 for 1.33 never does', () => {
    const view = platformView('2026-12-06')
    assert.equal(ssmParameterExists(view, al2023('1.35')), true)
    assert.equal(ssmParameterExists(view, al2023('1.35', 'arm64')), true)
    for (const day of ['2025-05-28', '2025-11-26', '2026-12-06']) assert.equal(ssmParameterExists(platformView(day), al2('1.33')), false, day)
    assert.equal(ssmParameterExists(view, al2('1.32')), true)
  })

  it('no parameter for a version before it is released on EKS', () => {
    assert.equal(ssmParameterExists(platformView('2026-01-27'), al2023('1.35')), false)
    assert.equal(ssmParameterExists(platformView('2026-01-28'), al2023('1.35')), true)
  })

  it('the helm provider 3.0 breaks the tutorial’s main.tf from 2025-06-18 on', () => {
    const before = platformView('2025-06-17').terraform.find((d) => d.name === 'hashicorp/helm')
    const after = platformView('2025-06-18').terraform.find((d) => d.name === 'hashicorp/helm')
    assert.equal(before?.breaks, undefined)
    assert.equal(after?.resolvesTo, '3.0.0')
    assert.equal(after?.breaks?.since, '2025-06-18')
    assert.match(after?.breaks?.what ?? '', /kubernetes/)
  })

  it('chart versions lose their v from 0.35.0; 1.0 serves v1 and v1beta1, 1.1 only v1', () => {
    const view = platformView('2026-12-06')
    assert.equal(karpenterReleaseLoosely(view, 'v0.34.0')?.chartVersion, 'v0.34.0')
    assert.equal(karpenterReleaseLoosely(view, 'v0.35.0')?.chartVersion, '0.35.0')
    assert.ok(karpenterRelease(view, '1.0.0')?.apiVersions.includes('karpenter.sh/v1beta1'))
    assert.deepEqual(karpenterRelease(view, '1.1.0')?.apiVersions, ['karpenter.sh/v1', 'karpenter.k8s.aws/v1'])
  })

  it('once the 1.9 LTS line ends, the current edition moves to the newest supported LTS release', () => {
    assert.equal(platformView('2027-02-28').current.karpenterChartVersion, '1.9.2')
    assert.equal(platformView('2027-03-01').current.karpenterChartVersion, '1.14.1')
  })

  it('refuses a day before the table’s first fact, naming it', () => {
    assert.throws(
      () => platformView('2023-10-30'),
      (e: Error) => e instanceof PlatformRangeError && /from 2023-10-31 on; 2023-10-30 is before it/.test(e.message),
    )
  })

  it('every row of the real table names a source', () => {
    const t = loadPlatformTable()
    const rows = [...t.eks.versions, ...t.nodeImageFamilies, ...t.karpenter.releases, ...t.terraform, t.cloud9, t.currentEdition]
    for (const row of rows) assert.ok(row.source.length > 10, JSON.stringify(row))
  })
})
