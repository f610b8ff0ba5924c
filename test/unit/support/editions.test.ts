// Editions: loading the edits file (errors with file, line and field), applying edits to command
// blocks and to fetched files (templating from a platform view), and the run-start check that
// stops a run whose edits no longer fit the tutorial.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { parseAllDocuments } from 'yaml'
import { loadPlatformTable, platformView } from '../../../platform/index.ts'
import type { PlatformView } from '../../../platform/types.ts'
import { EditMismatchError, applyEdits, applyFileEdits, editDiff, unifiedDiff } from '../../../support/editions/apply.ts'
import { EditionCheckError, checkEdition, editionProblems, sectionBlocks, type SectionBlock } from '../../../support/editions/check.ts'
import { EditsFileError, loadEditionFile, parseEditionFile, parseEdits, renderReplace } from '../../../support/editions/edits.ts'
import { PlatformFactError, platformFact } from '../../../support/editions/facts.ts'
import { loadTutorialSources, readTutorialFile } from '../../../support/editions/tutorial-files.ts'

const FILE = '/x/fixtures/editions/test.yaml'
const view = {
  asOf: '2026-12-06',
  current: { kubernetesVersion: '1.35', karpenterChartVersion: '1.9.2', nodeImageFamily: 'AL2023' },
} as unknown as PlatformView

function edit(fields: string): string {
  return `edits:\n  - id: an-edit\n    section: "@nodepool"\n    target: command\n    find: "a: 1"\n    replace: "a: 2"\n    reason: Because.\n    platform: cloud9:closed\n${fields}`
}

/**
 * Two edits, at lines 2 and 9 of FILE: "api" (a @nodepool command edit, v1beta1 → v1) and "version"
 * (a @cluster edit of main.tf's `cluster_version = "<published>"`, cited by `platform`).
 */
function apiAndVersionEdits(publishedClusterVersion: string, platform: string) {
  return parseEdits(
    `edits:
  - id: api
    section: "@nodepool"
    target: command
    find: "apiVersion: karpenter.sh/v1beta1"
    replace: "apiVersion: karpenter.sh/v1"
    reason: R.
    platform: karpenter:>=1.1:v1-only
  - id: version
    section: "@cluster"
    target: { file: main.tf }
    find: cluster_version = "${publishedClusterVersion}"
    replace: cluster_version = "{{current.kubernetesVersion}}"
    reason: R.
    platform: ${platform}
`,
    FILE,
  )
}

describe('the edits file', () => {
  it('reads an edit, with the line of its item, a file target and a list of platform facts', () => {
    const [a, b] = parseEdits(
      `# comment\nedits:\n  - id: one\n    section: "@cluster"\n    target: { file: main.tf }\n    find: |-\n      x = 1\n        y = 2\n    replace: x = {{current.kubernetesVersion}}\n    reason: R.\n    platform: [eks:1.29:endOfExtendedSupport, cloud9:closed]\n  - id: two\n    section: "@nodepool"\n    target: command\n    find: "k: v"\n    replace: ""\n    reason: R.\n    platform: cloud9:closed\n`,
      FILE,
    )
    assert.deepEqual(a.target, { kind: 'file', file: 'main.tf' })
    assert.equal(a.find, 'x = 1\n  y = 2')
    assert.deepEqual(a.platform, ['eks:1.29:endOfExtendedSupport', 'cloud9:closed'])
    assert.deepEqual(a.at, { file: FILE, line: 3 })
    assert.deepEqual(b.target, { kind: 'command' })
    assert.equal(b.replace, '')
    assert.equal(b.at.line, 12)
  })

  const errors: [string, string, RegExp][] = [
    ['invalid YAML', 'edits:\n  - id: [unclosed\n', /test\.yaml:\d+: not valid YAML/],
    ['no edits list', 'requires: {}\nedits: 3\n', /test\.yaml:\d+: "edits" must be a list/],
    ['an unknown top-level key', 'edit: []\n', /test\.yaml:1: unknown key "edit"/],
    ['a missing field', 'edits:\n  - id: x\n    section: "@a"\n', /test\.yaml:2: edit "x", field "target": missing|field "find": missing/],
    ['an unknown field', edit('    because: typo\n'), /test\.yaml:9: edit "an-edit", field "because": unknown field/],
    [
      'a section that is not a tag',
      edit('').replace('"@nodepool"', 'nodepool'),
      /test\.yaml:3: edit "an-edit", field "section": "nodepool" must be a feature tag/,
    ],
    ['a bad target', edit('').replace('target: command', 'target: { url: x }'), /test\.yaml:4: edit "an-edit", field "target": must be "command"/],
    [
      'a template in find',
      edit('').replace('find: "a: 1"', 'find: "{{current.kubernetesVersion}}"'),
      /test\.yaml:5: edit "an-edit", field "find": is the published text/,
    ],
    ['an empty reason', edit('').replace('reason: Because.', 'reason: ""'), /test\.yaml:7: edit "an-edit", field "reason": must not be empty/],
    ['a platform that is not a key', edit('').replace('platform: cloud9:closed', 'platform: 3'), /test\.yaml:8: edit "an-edit", field "platform"/],
    ['a bad id', edit('').replace('id: an-edit', 'id: An Edit'), /test\.yaml:2: edit "An Edit", field "id": "An Edit" must be lowercase/],
  ]
  for (const [what, text, message] of errors) {
    it(`refuses ${what}, naming the file and line`, () => {
      assert.throws(
        () => parseEdits(text, FILE),
        (e: Error) => e instanceof EditsFileError && message.test(e.message),
      )
    })
  }

  it('refuses a duplicate id, naming both lines', () => {
    const text = edit('') + edit('').replace('edits:\n', '')
    assert.throws(() => parseEdits(text, FILE), /test\.yaml:9: edit "an-edit", field "id": "an-edit" is already the id of the edit at line 2/)
  })

  it('reads what the edition requires of the platform', () => {
    assert.deepEqual(parseEditionFile('requires:\n  karpenterApiVersion: karpenter.sh/v1\nedits: []\n', FILE).requires, {
      karpenterApiVersion: 'karpenter.sh/v1',
    })
    assert.throws(() => parseEditionFile('requires:\n  karpenter: 1\nedits: []\n', FILE), /test\.yaml:2: requires\.karpenter is unknown/)
  })

  it('as-written has no edits file and no edits', () => {
    assert.deepEqual(loadEditionFile('as-written').edits, [])
  })
})

describe('templates in replacements', () => {
  it('take versions from the platform view, with a lower filter', () => {
    const [e] = parseEdits(
      edit('').replace('replace: "a: 2"', 'replace: "k8s {{current.kubernetesVersion}}, {{ current.nodeImageFamily | lower }}@latest"'),
      FILE,
    )
    assert.equal(renderReplace(e, view), 'k8s 1.35, al2023@latest')
  })

  it('an unknown path names the edit, its line and what is accepted', () => {
    const [e] = parseEdits(edit('').replace('replace: "a: 2"', 'replace: "{{current.kubernetes}}"'), FILE)
    assert.throws(
      () => renderReplace(e, view),
      /test\.yaml:2: edit "an-edit", field "replace": \{\{current\.kubernetes\}\} is not .* current\.kubernetesVersion/,
    )
  })
})

describe('applying edits', () => {
  const edits = apiAndVersionEdits('1.29', 'eks:1.29:endOfExtendedSupport')

  it("applies a section's command edit to the block that has its text, and leaves other blocks and sections alone", () => {
    const block = 'cat <<EOF | kubectl apply -f -\napiVersion: karpenter.sh/v1beta1\nkind: NodePool\nEOF'
    const r = applyEdits(['@nodepool', '@tutorial=step-3'], block, edits, view)
    assert.equal(r.text, block.replace('v1beta1', 'v1'))
    assert.deepEqual(
      r.applied.map((a) => a.edit.id),
      ['api'],
    )
    assert.equal(applyEdits('@nodepool', 'kubectl get nodes', edits, view).applied.length, 0)
    assert.equal(applyEdits('@spot-workload', block, edits, view).text, block)
  })

  it('refuses text found twice in one block', () => {
    const block = 'apiVersion: karpenter.sh/v1beta1\n---\napiVersion: karpenter.sh/v1beta1'
    assert.throws(
      () => applyEdits('@nodepool', block, edits, view),
      (e: Error) =>
        e instanceof EditMismatchError &&
        /edit "api" \(\/x\/fixtures\/editions\/test\.yaml:2, section @nodepool\): its published text occurs 2 times/.test(e.message),
    )
  })

  it('applies file edits with the view of the day', () => {
    const r = applyFileEdits('main.tf', 'locals {\n  cluster_version = "1.29"\n}\n', edits, view)
    assert.equal(r.text, 'locals {\n  cluster_version = "1.35"\n}\n')
  })

  it('stops on a file edit that no longer matches, naming the edit id, its file and line, and the section', () => {
    assert.throws(
      () => applyFileEdits('main.tf', 'locals {\n  cluster_version = "1.30"\n}\n', edits, view),
      (e: Error) =>
        e instanceof EditMismatchError &&
        e.message.includes('edit "version" (/x/fixtures/editions/test.yaml:9, section @cluster): its published text occurs nowhere in main.tf'),
    )
  })

  it('refuses two edits whose spans overlap', () => {
    const overlapping = parseEdits(
      edit('') + edit('').replace('edits:\n', '').replace('id: an-edit', 'id: other').replace('find: "a: 1"', 'find: "a: 1\\nb"'),
      FILE,
    )
    assert.throws(() => applyEdits('@nodepool', 'a: 1\nb: 2', overlapping, view), /edit "other" .* overlaps edit "an-edit"/)
  })

  it('shows one edit as a unified diff "as published → as run"', () => {
    const published = 'line 1\nline 2\ncluster_version = "1.29"\nline 4\n'
    const r = applyFileEdits('main.tf', published, edits, view)
    const diff = editDiff('main.tf', published, r.applied[0])
    assert.match(
      diff,
      /--- main\.tf \(as published\)\n\+\+\+ main\.tf \(as run\)\n@@ -1,4 \+1,4 @@\n line 1\n line 2\n-cluster_version = "1\.29"\n\+cluster_version = "1\.35"\n line 4\n/,
    )
    assert.equal(unifiedDiff('x', 'a\n', 'a\n').includes('@@'), false)
  })
})

describe('platform facts', () => {
  const table = loadPlatformTable()
  it('name rows of fixtures/platform.yaml and read as sentences', () => {
    assert.match(platformFact('eks:1.29:endOfExtendedSupport', table).text, /EKS Kubernetes 1\.29: end of extended support 2026-03-23/)
    assert.match(platformFact('karpenter:>=1.1:v1-only', table).text, /from v1\.1\.0 .* serves only karpenter\.sh\/v1/)
    assert.match(platformFact('karpenter:v0.32.1:maxKubernetes', table).text, /up to 1\.28/)
    assert.match(platformFact('nodeImages:AL2:<=1.32', table).text, /AL2 AMIs only up to Kubernetes 1\.32/)
    assert.match(platformFact('terraform:hashicorp/helm:3.0.0', table).text, /hashicorp\/helm 3\.0\.0 \(2025-06-18\)/)
    assert.match(platformFact('cloud9:closed', table).text, /closed to new customers since 2024-07-25/)
  })
  for (const key of [
    'eks:1.99:endOfExtendedSupport',
    'eks:1.29:eol',
    'karpenter:>=1.0:v1-only',
    'nodeImages:AL2:<=1.33',
    'terraform:hashicorp/helm:4.0.0',
    'cloud:closed',
    'cloud9',
  ]) {
    it(`refuse ${key}, saying what is accepted`, () => {
      assert.throws(
        () => platformFact(key, table),
        (e: Error) => e instanceof PlatformFactError && e.message.includes(`"${key}"`) && e.message.includes('accepted forms'),
      )
    })
  }
})

describe('the run-start check', () => {
  const table = loadPlatformTable()
  const today = platformView('2026-12-06', table)
  const blocks: SectionBlock[] = [
    { file: 'features/04-nodepool.feature', line: 30, tags: ['@nodepool'], text: 'apiVersion: karpenter.sh/v1' },
    { file: 'features/03-cluster.feature', line: 10, tags: ['@cluster'], text: `wget ${loadTutorialSources().raw}cluster/terraform/main.tf` },
  ]
  const edits = apiAndVersionEdits('1.28', 'eks:1.28:endOfSupport')

  it('names every edit that no longer fits: its id, file and line, section, and where it looked', () => {
    const problems = editionProblems({ edits, view: today, table, blocks, readFile: () => 'cluster_version = "1.29"' })
    assert.ok(
      problems.some((p) =>
        p.startsWith(
          'edit "api" (/x/fixtures/editions/test.yaml:2, section @nodepool): its published text is in none of the section\'s command blocks (features/04-nodepool.feature:30)',
        ),
      ),
      problems.join('\n'),
    )
    assert.ok(
      problems.some((p) => p.includes('edit "version" (/x/fixtures/editions/test.yaml:9, section @cluster): its published text occurs nowhere in main.tf')),
      problems.join('\n'),
    )
    assert.ok(
      problems.some((p) => p.includes('edit "version"') && p.includes('platform fact "eks:1.28:endOfSupport"')),
      problems.join('\n'),
    )
    assert.throws(
      () => checkEdition('test', { edits, view: today, table, blocks, readFile: () => '' }),
      (e: Error) => e instanceof EditionCheckError && /nothing was created/.test(e.message),
    )
  })

  it('refuses a file edit in a section that does not fetch the file', () => {
    const moved = edits.map((e) => ({ ...e, section: '@nodepool' }))
    const problems = editionProblems({ edits: moved, view: today, table, blocks, readFile: () => 'cluster_version = "1.28"' })
    assert.ok(
      problems.some((p) => p.includes('no command block of @nodepool fetches')),
      problems.join('\n'),
    )
  })

  it("passes the current edition against the features and the tutorial's main.tf", () => {
    const current = loadEditionFile('current')
    assert.deepEqual(editionProblems({ edits: current.edits, view: today, table }), [])
  })

  it("turns the tutorial's NodePool and EC2NodeClass into Karpenter v1 manifests", () => {
    const current = loadEditionFile('current').edits
    const block = sectionBlocks().find((b) => b.tags.includes('@nodepool') && b.text.includes('kind: NodePool'))!
    const { text, applied } = applyEdits(block.tags, block.text, current, today)
    assert.equal(applied.length, current.filter((e) => e.section === '@nodepool').length)
    const manifest = text.replace(/^cat <<EOF.*\n/, '').replace(/\nEOF\s*$/, '')
    const [pool, nodeClass] = parseAllDocuments(manifest).map((d) => d.toJS() as Record<string, Record<string, unknown>>)
    assert.equal(pool.apiVersion, 'karpenter.sh/v1')
    const template = (pool.spec.template as { spec: Record<string, unknown> }).spec
    assert.deepEqual(template.nodeClassRef, { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' })
    assert.equal(template.expireAfter, '168h')
    assert.equal(template.kubelet, undefined)
    assert.deepEqual(pool.spec.disruption, { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '0s' })
    assert.equal(nodeClass.apiVersion, 'karpenter.k8s.aws/v1')
    assert.deepEqual(nodeClass.spec.amiSelectorTerms, [{ alias: 'al2023@latest' }])
    assert.equal(nodeClass.spec.amiFamily, undefined)
    assert.deepEqual(nodeClass.spec.kubelet, { systemReserved: { cpu: '100m', memory: '100Mi' } })
  })

  it("edits the tutorial's main.tf to the versions of the day, and nothing else", () => {
    const current = loadEditionFile('current').edits
    const published = readTutorialFile('main.tf')
    const { text } = applyFileEdits('main.tf', published, current, today)
    assert.match(text, /cluster_version = "1\.35"/)
    assert.match(text, /karpenter = \{\n {4}chart_version {7}= "1\.9\.2"\n {4}repository_username/)
    assert.match(text, /source = "aws-ia\/eks-blueprints-addons\/aws"\n {2}version = "1\.23\.0"/)
    assert.match(text, /source {2}= "hashicorp\/helm"\n {6}version = "~> 2\.17"/)
    const added = unifiedDiff('main.tf', published, text)
      .split('\n')
      .filter((l) => /^\+[^+]/.test(l))
    assert.equal(added.length, 5, added.join('\n'))
  })
})
