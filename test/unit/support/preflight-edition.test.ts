// What the preflight reads of an edition — its texts with its edits applied — and the target's
// answers it cannot get from an AWS API (the chart registry); with the real features, tutorial
// files and fixtures/editions/current.yaml, every cause of the tutorial as written today names an
// edit of the current edition, except Cloud9's.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { resolveEdition } from '../../../support/editions/edition.ts'
import { loadEdits } from '../../../support/editions/edits.ts'
import { readTutorialFile } from '../../../support/editions/tutorial-files.ts'
import { editionUnderTest, requiredProviders, sectionNames, terraformConstraints } from '../../../support/preflight-edition.ts'
import { chartInRegistry, chartOfSandboxDay } from '../../../support/preflight-observe.ts'
import { judgeEdition } from '../../../support/preflight.ts'

const TODAY = '2026-12-06'

describe('the edition under test, from its texts', () => {
  it('as written: 1.29, v0.32.1, AL2, v1beta1 manifests, the tutorial’s constraints', () => {
    const e = editionUnderTest(resolveEdition({ target: 'sandbox', edition: 'as-written', asOf: TODAY }, { today: TODAY }))
    assert.equal(e.kubernetesVersion, '1.29')
    assert.equal(e.karpenterChartVersion, 'v0.32.1')
    assert.equal(e.nodeImageFamily, 'AL2')
    assert.deepEqual(e.karpenterApiVersions, ['karpenter.k8s.aws/v1beta1', 'karpenter.sh/v1beta1'])
    assert.equal(e.terraformConstraints['hashicorp/helm'], '>= 2.4.1')
    assert.equal(e.terraformConstraints['terraform-aws-modules/iam/aws'], '5.20')
  })

  it('current: the edits give the v1 API, AL2023 by alias and pinned providers', () => {
    const e = editionUnderTest(resolveEdition({ target: 'sandbox', edition: 'current', asOf: TODAY }, { today: TODAY }))
    assert.equal(e.kubernetesVersion, '1.35')
    assert.equal(e.karpenterChartVersion, '1.9.2')
    assert.equal(e.nodeImageFamily, 'AL2023')
    assert.deepEqual(e.karpenterApiVersions, ['karpenter.k8s.aws/v1', 'karpenter.sh/v1'])
    assert.ok(!e.terraformConstraints['hashicorp/helm'].startsWith('>='), e.terraformConstraints['hashicorp/helm'])
  })

  it('reads providers and registry modules from main.tf, submodule paths dropped; init gets the providers only', () => {
    const c = terraformConstraints(readTutorialFile('main.tf'))
    assert.deepEqual(Object.keys(requiredProviders(c)).sort(), [
      'gavinbunney/kubectl',
      'hashicorp/aws',
      'hashicorp/helm',
      'hashicorp/kubernetes',
      'kreuzwerker/docker',
    ])
    assert.equal(c['aws-ia/eks-blueprints-addons/aws'], '1.13.0')
    assert.equal(c['kreuzwerker/docker'], '~> 3.0.1')
  })

  it('names the sections by their features', () => {
    const names = sectionNames()
    assert.match(names['@cluster'], /^Step 2: /)
    assert.match(names['@cloud9'], /^Step 1 \(optional\)/)
    assert.equal(names['@optional'], undefined)
  })
})

describe("the causes of today's drift and the current edition's edits", () => {
  it('every cause of the tutorial as written names the edit that answers it, except Cloud9 (no edit can reopen it)', () => {
    const resolved = resolveEdition({ target: 'sandbox', edition: 'as-written', asOf: TODAY }, { today: TODAY })
    const verdict = judgeEdition(editionUnderTest(resolved), resolved.view, { edits: loadEdits('current') })
    for (const c of verdict.causes) {
      if (c.id === 'cloud9') assert.equal(c.edit, undefined)
      else assert.ok(c.edit, `${c.id} (${c.facts.join(', ')}) has no edit in fixtures/editions/current.yaml`)
    }
    assert.equal(verdict.causes.find((c) => c.id === 'eks-version')?.edit, 'kubernetes-version')
    assert.equal(verdict.causes.find((c) => c.id === 'terraform:hashicorp/helm')?.edit, 'helm-provider-pin')
  })

  it('the current edition today passes, and so does the tutorial as written on its own day', () => {
    for (const [edition, asOf] of [
      ['current', TODAY],
      ['as-written', '2024-01-29'],
    ]) {
      const resolved = resolveEdition({ target: 'sandbox', edition, asOf }, { today: TODAY })
      const verdict = judgeEdition(editionUnderTest(resolved), resolved.view)
      assert.equal(verdict.passes, true, `${edition} as of ${asOf}: ${verdict.causes.map((c) => c.what).join('; ')}`)
    }
  })
})

describe('whether the Karpenter chart can be pulled', () => {
  it('on aws: an anonymous token from public.ecr.aws, then HEAD of the manifest by tag', async () => {
    const calls: { url: string; init?: RequestInit }[] = []
    const fake = (status: number) =>
      (async (url: string | URL | Request, init?: RequestInit) => {
        const href = typeof url === 'string' ? url : url instanceof URL ? url.href : url.url
        calls.push({ url: href, init })
        return href.includes('/token/') ? Response.json({ token: 't0k' }) : new Response(null, { status })
      }) as typeof fetch
    assert.deepEqual(await chartInRegistry('1.9.2', fake(200)), {
      reference: 'oci://public.ecr.aws/karpenter/karpenter:1.9.2',
      exists: true,
      how: 'the registry (public.ecr.aws: HEAD of the chart manifest)',
    })
    assert.equal(calls[0].url, 'https://public.ecr.aws/token/?scope=aws:repository:karpenter/karpenter:pull')
    assert.equal(calls[1].url, 'https://public.ecr.aws/v2/karpenter/karpenter/manifests/1.9.2')
    assert.equal(calls[1].init?.method, 'HEAD')
    assert.equal((calls[1].init?.headers as Record<string, string>).authorization, 'Bearer t0k')
    assert.equal((await chartInRegistry('0.32.1', fake(404))).exists, false)
    await assert.rejects(chartInRegistry('1.9.2', fake(503)), /HTTP 503/)
  })

  it("on the sandbox: the platform of the sandbox's day", async () => {
    assert.equal((await chartOfSandboxDay('1.9.2', { SPOTCHECK_AS_OF: '2024-01-29' })).exists, false)
    assert.equal((await chartOfSandboxDay('v0.32.1', { SPOTCHECK_AS_OF: '2024-01-29' })).exists, true)
    assert.match((await chartOfSandboxDay('1.9.2', { SPOTCHECK_AS_OF: TODAY })).how, /platform view of 2026-12-06 \(it has no OCI registry\)/)
    await assert.rejects(chartOfSandboxDay('1.9.2', {}), /SPOTCHECK_AS_OF/)
  })
})
