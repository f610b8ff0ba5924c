// The preflight's verdict: an edition against the platform of a day (fixtures/platform.yaml), with
// or without the target's own answers. The three runs of `spotcheck drift`, and the edge days.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { platformView } from '../../../platform/index.ts'
import { editsAnswering, judgeEdition, karpenterApiVersions, nodeImageFamilyOf, type EditionUnderTest, type EditRef } from '../../../support/preflight.ts'
import { lockedVersions, requiredProvidersBlock } from '../../../support/preflight-terraform.ts'

const V1BETA1 = ['karpenter.k8s.aws/v1beta1', 'karpenter.sh/v1beta1']
const V1 = ['karpenter.k8s.aws/v1', 'karpenter.sh/v1']

function asWritten(asOf: string): EditionUnderTest {
  return {
    edition: 'as-written',
    asOf,
    kubernetesVersion: '1.29',
    karpenterChartVersion: 'v0.32.1',
    nodeImageFamily: 'AL2',
    karpenterApiVersions: V1BETA1,
    terraformConstraints: {},
    cloud9: true,
  }
}

function current(asOf: string): EditionUnderTest {
  const view = platformView(asOf)
  return {
    edition: 'current',
    asOf,
    kubernetesVersion: view.current.kubernetesVersion,
    karpenterChartVersion: view.current.karpenterChartVersion,
    nodeImageFamily: view.current.nodeImageFamily,
    karpenterApiVersions: V1,
    terraformConstraints: { 'hashicorp/helm': '~> 2.17', 'hashicorp/aws': '~> 5.0', 'aws-ia/eks-blueprints-addons/aws': '1.23.0' },
    cloud9: true,
  }
}

// The facts fixtures/editions/current.yaml cites, as an edition's edits would.
const EDITS: EditRef[] = [
  { id: 'kubernetes-version', platform: ['eks:1.29:endOfExtendedSupport'] },
  { id: 'karpenter-chart-version', platform: ['karpenter:v0.32.1:maxKubernetes', 'karpenter:>=1.1:v1-only'] },
  { id: 'helm-provider-pin', platform: ['terraform:hashicorp/helm:3.0.0'] },
  { id: 'nodepool-api-version', platform: ['karpenter:>=1.1:v1-only'] },
  { id: 'ami-selector', platform: ['nodeImages:AL2:<=1.32', 'karpenter:>=1.1:v1-only'] },
]

const judge = (e: EditionUnderTest, options = {}) => judgeEdition(e, platformView(e.asOf), { edits: EDITS, ...options })
const ids = (v: { causes: { id: string }[] }) => v.causes.map((c) => c.id).sort()

describe('the preflight of the as-written edition today (2026-12-06)', () => {
  const verdict = judge(asWritten('2026-12-06'))

  it('fails with every cause: EKS 1.29, AL2, Karpenter v0.32.1 support, the v1beta1 API, the helm provider, and Cloud9', () => {
    assert.equal(verdict.passes, false)
    assert.deepEqual(ids(verdict), ['cloud9', 'eks-version', 'karpenter-api', 'karpenter-kubernetes-support', 'node-image-family', 'terraform:hashicorp/helm'])
  })

  it('dates each cause and names its source, the section it breaks and the edit that answers it', () => {
    const by = Object.fromEntries(verdict.causes.map((c) => [c.id, c]))
    assert.equal(by['eks-version'].since, '2026-03-23')
    assert.match(by['eks-version'].what, /extended support ended on 2026-03-23.*offered on 2026-12-06: 1\.32, 1\.33, 1\.34, 1\.35/)
    assert.equal(by['eks-version'].edit, 'kubernetes-version')
    assert.equal(by['node-image-family'].since, '2025-11-26')
    assert.match(by['node-image-family'].what, /AL2 AMIs reached end of support on 2025-11-26.*none for Kubernetes later than 1\.32.*only 1\.32 has one/)
    assert.equal(by['node-image-family'].edit, 'ami-selector')
    assert.equal(by['karpenter-kubernetes-support'].since, '2025-11-26', 'the day 1.28, the last version v0.32.1 supports, stopped being offered')
    assert.match(by['karpenter-kubernetes-support'].what, /v0\.32\.1 supports Kubernetes 1\.23–1\.28; EKS offers none of them/)
    assert.equal(by['karpenter-kubernetes-support'].edit, 'karpenter-chart-version')
    assert.equal(by['karpenter-api'].since, '2026-11-26', 'the day 1.31, the last version a v1beta1-serving Karpenter (v1.0.5) supports, stopped being offered')
    assert.match(by['karpenter-api'].what, /from v1\.1\.0 on/)
    assert.deepEqual(by['karpenter-api'].facts, ['karpenter:>=1.1:v1-only', 'karpenter:v0.32.1:apiVersions'])
    assert.equal(by['karpenter-api'].edit, 'karpenter-chart-version, nodepool-api-version, ami-selector')
    assert.equal(by['karpenter-api'].breaks, '@nodepool')
    assert.equal(by['terraform:hashicorp/helm'].since, '2025-06-18')
    assert.equal(by['terraform:hashicorp/helm'].edit, 'helm-provider-pin')
    for (const c of verdict.causes) assert.ok(c.source.length > 10, `${c.id} has a source`)
  })

  it('lists Cloud9 as drift of the optional Step 1 without failing on it', () => {
    const cloud9 = verdict.causes.find((c) => c.id === 'cloud9')!
    assert.equal(cloud9.blocking, false)
    assert.equal(cloud9.breaks, '@cloud9')
    assert.equal(cloud9.since, '2024-07-25')
    assert.equal(cloud9.edit, undefined)
    assert.match(cloud9.remedy ?? '', /skip the optional Step 1/)
    const alone = judgeEdition(current('2026-12-06'), platformView('2026-12-06'))
    assert.deepEqual(ids(alone), ['cloud9'])
    assert.equal(alone.passes, true)
  })

  it('names the sections by their features when told them', () => {
    const named = judge(asWritten('2026-12-06'), { sections: { '@cluster': 'Step 2: Create an EKS cluster' } })
    assert.equal(named.causes.find((c) => c.id === 'eks-version')!.breaks, '@cluster Step 2: Create an EKS cluster')
  })
})

describe('the preflight of the current edition today', () => {
  it('passes: EKS 1.35, Karpenter 1.9.2, AL2023, the v1 API and pinned providers fit 2026-12-06', () => {
    const verdict = judge(current('2026-12-06'))
    assert.equal(verdict.passes, true)
    assert.ok(
      verdict.checks.every((c) => c.ok || /Cloud9/.test(c.question)),
      JSON.stringify(verdict.checks.filter((c) => !c.ok)),
    )
    assert.ok(!verdict.notes.some((n) => n.id === 'terraform:hashicorp/aws'), 'the aws provider pinned to 5.x does not reach 6.0.0')
  })
})

describe('the preflight of the as-written edition on the tutorial’s day (2024-01-29)', () => {
  const verdict = judge(asWritten('2024-01-29'))

  it('passes, with no cause at all (Cloud9 was still open)', () => {
    assert.equal(verdict.passes, true)
    assert.deepEqual(verdict.causes, [])
  })

  it('notes, without failing, that v0.32.1 officially supports only up to 1.28 while the tutorial ran 1.29', () => {
    const note = verdict.notes.find((n) => n.id === 'karpenter-kubernetes-support')
    assert.ok(note)
    assert.match(note.what, /1\.23–1\.28.*runs 1\.29.*a warning, not a failure/)
  })
})

describe('edge days for EKS 1.29', () => {
  it('2025-03-24: 1.29 is in extended support, still offered — a note, not a cause', () => {
    const verdict = judge(asWritten('2025-03-24'))
    assert.ok(!ids(verdict).includes('eks-version'))
    assert.match(verdict.notes.find((n) => n.id === 'eks-extended-support')!.what, /extended support since 2025-03-23.*until 2026-03-23/)
    assert.equal(verdict.passes, true, JSON.stringify(verdict.causes))
  })

  it('2026-03-24: extended support ended the day before — a cause, since 2026-03-23', () => {
    const verdict = judge(asWritten('2026-03-24'))
    const eks = verdict.causes.find((c) => c.id === 'eks-version')
    assert.ok(eks)
    assert.equal(eks.since, '2026-03-23')
    assert.equal(verdict.passes, false)
  })

  it('2026-03-23, the last day of extended support: no new cluster on it either (a fact dated D holds from D on)', () => {
    assert.ok(ids(judge(asWritten('2026-03-23'))).includes('eks-version'))
  })

  it('2025-11-25 and 2025-11-26: the day AL2 and the last version v0.32.1 supports (1.28) go', () => {
    assert.deepEqual(ids(judge(asWritten('2025-11-25'))), ['cloud9', 'terraform:hashicorp/helm'])
    assert.deepEqual(ids(judge(asWritten('2025-11-26'))), ['cloud9', 'karpenter-kubernetes-support', 'node-image-family', 'terraform:hashicorp/helm'])
  })
})

describe("the target's answers", () => {
  it('override the table, with a note that the table needs updating', () => {
    const verdict = judge(asWritten('2024-01-29'), { observed: { eksVersions: [{ version: '1.28', status: 'STANDARD_SUPPORT' }] } })
    assert.deepEqual(ids(verdict), ['eks-version'])
    assert.match(verdict.notes.find((n) => n.id === 'platform-table-eks')!.what, /the target's DescribeClusterVersions says 1\.28: the table needs updating/)
    assert.equal(verdict.checks[0].from, 'the target (DescribeClusterVersions)')
  })

  it('a missing AMI parameter or chart is a cause', () => {
    const verdict = judge(asWritten('2024-01-29'), {
      observed: {
        amiParameters: [{ name: '/aws/service/eks/optimized-ami/1.29/amazon-linux-2/recommended/image_id', exists: false }],
        chart: { reference: 'oci://public.ecr.aws/karpenter/karpenter:v0.32.1', exists: false, how: 'the registry' },
      },
    })
    assert.deepEqual(ids(verdict), ['karpenter-chart', 'node-image-family'])
  })

  it("when the edition's version is not offered, the target's answer for the newest offered version is the one judged", () => {
    const al2 = (v: string) => `/aws/service/eks/optimized-ami/${v}/amazon-linux-2/recommended/image_id`
    const answered = (exists: boolean) =>
      judge(asWritten('2026-12-06'), {
        observed: {
          amiParameters: [
            { name: al2('1.29'), exists: true },
            { name: al2('1.35'), exists },
          ],
        },
      })
    const gone = answered(false)
    const check = gone.checks.find((c) => /AMI for Kubernetes 1\.35/.test(c.question))!
    assert.equal(check.from, 'the target (SSM GetParameter)')
    assert.ok(ids(gone).includes('node-image-family'))
    assert.ok(!gone.notes.some((n) => n.id === 'platform-table-ami'))
    const there = answered(true) // the target disagrees with the table: its answer counts, and the table is flagged
    assert.match(there.notes.find((n) => n.id === 'platform-table-ami')!.what, /amazon-linux-2.* does not exist on 2026-12-06; the target's SSM says it does/)
  })

  it("a registry resolution below the breaking major is no cause, even under the tutorial's unbounded constraint", () => {
    const verdict = judge(asWritten('2026-12-06'), { observed: { terraform: { resolved: { 'hashicorp/helm': '2.17.0' }, how: 'terraform init' } } })
    assert.ok(!ids(verdict).includes('terraform:hashicorp/helm'))
    const resolved = judge(asWritten('2026-12-06'), { observed: { terraform: { resolved: { 'hashicorp/helm': '3.1.0' }, how: 'terraform init' } } })
    assert.match(resolved.causes.find((c) => c.id === 'terraform:hashicorp/helm')!.what, /resolves to 3\.1\.0/)
  })

  it('a failed terraform init is a note; the table stands', () => {
    const verdict = judge(asWritten('2026-12-06'), {
      observed: { terraform: { resolved: {}, how: 'terraform init', error: 'Error: Failed to query available provider packages' } },
    })
    assert.ok(ids(verdict).includes('terraform:hashicorp/helm'))
    assert.match(verdict.notes.find((n) => n.id === 'terraform-init')!.what, /Failed to query/)
  })
})

describe('a Karpenter whose CRDs do not serve the manifests', () => {
  it('is a cause on any day: the 1.9.2 chart with v1beta1 manifests', () => {
    const verdict = judge({ ...current('2026-12-06'), karpenterApiVersions: V1BETA1 })
    const api = verdict.causes.find((c) => c.id === 'karpenter-api')
    assert.ok(api)
    assert.match(api.what, /Karpenter v1\.9\.2 does not serve karpenter\.k8s\.aws\/v1beta1, karpenter\.sh\/v1beta1/)
  })
})

describe('matching causes to edits', () => {
  it('takes the edits citing one of its facts, else those about the same subject', () => {
    assert.deepEqual(editsAnswering(['eks:1.29:endOfExtendedSupport'], EDITS), ['kubernetes-version'])
    assert.deepEqual(editsAnswering(['eks:1.29:released'], EDITS), ['kubernetes-version'])
    assert.deepEqual(editsAnswering(['cloud9:closed'], EDITS), [])
  })
})

describe('reading the texts', () => {
  it('finds the Karpenter apiVersions and the AMI family of the manifests', () => {
    const tutorial =
      'apiVersion: karpenter.sh/v1beta1\nkind: NodePool\n---\napiVersion: karpenter.k8s.aws/v1beta1\nkind: EC2NodeClass\nspec:\n  amiFamily: AL2\n'
    assert.deepEqual(karpenterApiVersions([tutorial, 'apiVersion: apps/v1\n']), V1BETA1)
    assert.equal(nodeImageFamilyOf([tutorial]), 'AL2')
    assert.equal(nodeImageFamilyOf(['spec:\n  amiSelectorTerms:\n    - alias: al2023@latest\n']), 'AL2023')
    assert.equal(nodeImageFamilyOf(['apiVersion: apps/v1\n']), undefined)
  })

  it('writes a required_providers block and reads what a lock file pins', () => {
    assert.match(requiredProvidersBlock({ 'hashicorp/helm': '>= 2.4.1' }), /helm = \{\n\s+source {2}= "hashicorp\/helm"\n\s+version = ">= 2\.4\.1"/)
    const lock =
      'provider "registry.terraform.io/hashicorp/helm" {\n  version     = "3.1.1"\n  constraints = ">= 2.4.1"\n}\n\nprovider "registry.terraform.io/hashicorp/aws" {\n  version = "6.26.0"\n}\n'
    assert.deepEqual(lockedVersions(lock), { 'hashicorp/helm': '3.1.1', 'hashicorp/aws': '6.26.0' })
  })
})
