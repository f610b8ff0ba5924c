// `spotcheck drift`: reading a run from Cucumber's messages, whether each of the three runs did what
// it must, drift.json and DRIFT.md from canned runs, and the combined Allure results.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readRunMessages } from '../../../support/drift-messages.ts'
import { checkExpectation, driftHtml, driftMarkdown, driftRuns, driftSummary, type DriftRunResult, type DriftRunSpec } from '../../../support/drift-report.ts'
import { combineAllureResults, relabel } from '../../../support/drift-allure.ts'
import { runConfig, sideBySide } from '../../../support/drift.ts'
import { UsageError } from '../../../lib/errors.ts'
import type { DriftCause, PreflightVerdict } from '../../../support/preflight.ts'

type Outcome = 'passed' | 'failed' | 'skipped'

/** The messages of a run: features with scenarios and their outcomes; the preflight's verdict on the first. */
function messages(features: { uri: string; tag: string; name: string; scenarios: [string, Outcome][] }[], verdict?: PreflightVerdict, finished = true): string {
  const out: object[] = []
  let n = 0
  const id = () => `id${n++}`
  for (const f of features) {
    out.push({ gherkinDocument: { uri: f.uri, feature: { name: f.name, tags: [{ name: f.tag }, { name: `@tutorial=${f.tag.slice(1)}` }] } } })
  }
  const cases: { f: (typeof features)[number]; name: string; outcome: Outcome; pickle: string; testCase: string; step: string; pickleStep: string }[] = []
  for (const f of features) {
    for (const [name, outcome] of f.scenarios) {
      const c = { f, name, outcome, pickle: id(), testCase: id(), step: id(), pickleStep: id() }
      cases.push(c)
      out.push({ pickle: { id: c.pickle, uri: f.uri, name, steps: [{ id: c.pickleStep, text: `the step of ${name}` }] } })
    }
  }
  for (const c of cases) out.push({ testCase: { id: c.testCase, pickleId: c.pickle, testSteps: [{ id: c.step, pickleStepId: c.pickleStep }] } })
  for (const [i, c] of cases.entries()) {
    const started = id()
    out.push({ testCaseStarted: { id: started, testCaseId: c.testCase } })
    if (i === 0 && verdict)
      out.push({ attachment: { testCaseStartedId: started, body: JSON.stringify(verdict), fileName: 'preflight.json', mediaType: 'application/json' } })
    out.push({
      testStepFinished: {
        testCaseStartedId: started,
        testStepId: c.step,
        testStepResult: {
          status: c.outcome.toUpperCase(),
          duration: { seconds: 2, nanos: 0 },
          ...(c.outcome === 'failed' ? { message: `Error: ${c.name} broke\n    at somewhere` } : {}),
        },
      },
    })
    out.push({ testCaseFinished: { testCaseStartedId: started, willBeRetried: false } })
  }
  if (finished) out.push({ testRunFinished: { success: !cases.some((c) => c.outcome === 'failed') } })
  return out.map((e) => JSON.stringify(e)).join('\n') + '\n'
}

const cause = (id: string, blocking = true): DriftCause => ({
  id,
  facts: [`${id}:fact`],
  what: `${id} is gone`,
  since: '2026-03-23',
  breaks: '@cluster Step 2',
  source: `the source of ${id}`,
  blocking,
  ...(blocking ? { edit: `fix-${id}` } : {}),
})
const verdict = (causes: DriftCause[]): PreflightVerdict => ({
  edition: 'as-written',
  asOf: '2026-12-06',
  target: 'sandbox',
  causes,
  notes: [],
  checks: [],
  passes: !causes.some((c) => c.blocking),
})

const PRE = { uri: 'features/01-prerequisites.feature', tag: '@prerequisites', name: 'Prerequisites' }
const C9 = { uri: 'features/02-cloud9.feature', tag: '@cloud9', name: 'Step 1 (optional): Create a Cloud9 environment' }
const CLUSTER = { uri: 'features/03-cluster.feature', tag: '@cluster', name: 'Step 2: Create an EKS cluster' }

function passing(): string {
  return messages(
    [
      {
        ...PRE,
        scenarios: [
          ['Preflight', 'passed'],
          ['Tools', 'passed'],
        ],
      },
      { ...C9, scenarios: [['Cloud9', 'skipped']] },
      { ...CLUSTER, scenarios: [['Terraform apply', 'passed']] },
    ],
    verdict([cause('cloud9', false)]),
  )
}

function failingAtPreflight(): string {
  return messages(
    [
      {
        ...PRE,
        scenarios: [
          ['Preflight', 'failed'],
          ['Tools', 'passed'],
        ],
      },
      { ...C9, scenarios: [['Cloud9', 'skipped']] },
      { ...CLUSTER, scenarios: [['Terraform apply', 'skipped']] },
    ],
    verdict([cause('eks-version'), cause('cloud9', false)]),
  )
}

const [THEN, NOW_AS_WRITTEN, NOW_CURRENT] = driftRuns('2026-12-06', '2024-01-29')

function result(spec: DriftRunSpec, ndjson: string, exitCode: number | undefined): DriftRunResult {
  return { spec, target: 'sandbox', exitCode, interrupted: false, durationMs: 61_000, messages: readRunMessages(ndjson), dir: `/drift/runs/${spec.name}` }
}

describe("a run read from Cucumber's messages", () => {
  it('gives each section its status, the first failure and the preflight verdict', () => {
    const r = readRunMessages(failingAtPreflight())
    assert.deepEqual(
      r.sections.map((s) => [s.tag, s.status]),
      [
        ['@prerequisites', 'failed'],
        ['@cloud9', 'skipped'],
        ['@cluster', 'skipped'],
      ],
    )
    assert.deepEqual(r.firstFailure, {
      section: '@prerequisites Prerequisites',
      scenario: 'Preflight',
      step: 'the step of Preflight',
      message: 'Error: Preflight broke\n    at somewhere',
    })
    assert.equal(r.preflight?.causes.length, 2)
    assert.equal(r.sections[0].scenarios[0].preflight, true)
    assert.equal(r.finished, true)
  })

  it('while the run is still writing: finished sections only, a partial last line ignored', () => {
    const all = passing().split('\n')
    const partial = all.slice(0, all.findIndex((l) => l.includes('testCaseStarted')) + 4).join('\n') + '\n{"testStepFin'
    const r = readRunMessages(partial)
    assert.equal(r.finished, false)
    assert.deepEqual(
      r.sections.map((s) => s.status),
      ['not run', 'not run', 'not run'],
    )
    assert.equal(r.sections[0].scenarios.length, 1)
  })
})

describe('what each drift run must do', () => {
  it('the tutorial as written on its own date, and the current edition today, pass', () => {
    assert.deepEqual(checkExpectation(result(THEN, passing(), 0)), {
      ok: true,
      reason: 'passed as expected: 2 section(s) passed; the preflight listed cloud9 without failing',
    })
    assert.equal(checkExpectation(result(NOW_CURRENT, passing(), 0)).ok, true)
  })

  it('a run that must pass and fails says where', () => {
    const e = checkExpectation(result(THEN, failingAtPreflight(), 1))
    assert.equal(e.ok, false)
    assert.match(e.reason, /expected to pass, but 1 scenario\(s\) failed, first @prerequisites Prerequisites › Preflight: Error: Preflight broke/)
  })

  it('a passing run whose cucumber-js exits non-zero (a failed hook) is not as expected', () => {
    assert.match(checkExpectation(result(THEN, passing(), 1)).reason, /exited with 1/)
  })

  it('the tutorial as written today fails at the preflight, and only there; later sections skipped', () => {
    const e = checkExpectation(result(NOW_AS_WRITTEN, failingAtPreflight(), 1))
    assert.deepEqual(e, { ok: true, reason: 'failed at the preflight as expected, with 1 drift cause(s) (eks-version); later sections skipped' })
  })

  it('…not when it passes, fails elsewhere, or runs later sections', () => {
    assert.match(checkExpectation(result(NOW_AS_WRITTEN, passing(), 0)).reason, /expected to fail at the preflight, but nothing failed/)
    const elsewhere = messages(
      [
        { ...PRE, scenarios: [['Preflight', 'passed']] },
        { ...CLUSTER, scenarios: [['Terraform apply', 'failed']] },
      ],
      verdict([]),
    )
    assert.match(
      checkExpectation(result(NOW_AS_WRITTEN, elsewhere, 1)).reason,
      /fail at the preflight only, but "Terraform apply" failed \(the preflight passed/,
    )
    const ranOn = messages(
      [
        { ...PRE, scenarios: [['Preflight', 'failed']] },
        { ...CLUSTER, scenarios: [['Terraform apply', 'passed']] },
      ],
      verdict([cause('eks-version')]),
    )
    assert.match(checkExpectation(result(NOW_AS_WRITTEN, ranOn, 1)).reason, /later sections still ran: "Terraform apply"/)
  })

  it('a run that did not finish, was interrupted, or has no preflight is never as expected', () => {
    assert.match(
      checkExpectation(result(THEN, messages([{ ...PRE, scenarios: [['Preflight', 'passed']] }], verdict([]), false), undefined)).reason,
      /stopped before the end.*killed/,
    )
    assert.match(checkExpectation({ ...result(THEN, passing(), 130), interrupted: true }).reason, /interrupted/)
    assert.match(checkExpectation(result(THEN, messages([{ ...PRE, scenarios: [['Tools', 'passed']] }]), 0)).reason, /the preflight did not run/)
  })
})

describe('drift.json and DRIFT.md', () => {
  const edits = [
    {
      id: 'fix-eks-version',
      section: '@cluster',
      where: "the tutorial's main.tf",
      reason: 'EKS moved on.',
      facts: [{ key: 'eks:1.29:endOfExtendedSupport', text: 'EKS 1.29: end of extended support 2026-03-23', source: 'EKS user guide' }],
      diff: '--- main.tf (as published)\n+++ main.tf (as run)\n-  cluster_version = "1.29"\n+  cluster_version = "1.35"\n',
    },
  ]
  const drift = driftSummary([result(THEN, passing(), 0), result(NOW_AS_WRITTEN, failingAtPreflight(), 1), result(NOW_CURRENT, passing(), 0)], {
    generated: '2026-12-06T10:00:00.000Z',
    today: '2026-12-06',
    tutorialDate: '2024-01-29',
    edits,
  })

  it('drift.json: each run with its edition, day, outcome, sections, first failure and causes', () => {
    assert.equal(drift.ok, true)
    assert.deepEqual(
      drift.runs.map((r) => [r.edition, r.asOf, r.expected, r.outcome.ok, r.exitCode]),
      [
        ['as-written', '2024-01-29', 'pass', true, 0],
        ['as-written', '2026-12-06', 'fail-at-preflight', true, 1],
        ['current', '2026-12-06', 'pass', true, 0],
      ],
    )
    assert.equal(drift.runs[1].firstFailure?.scenario, 'Preflight')
    assert.deepEqual(
      drift.runs[1].causes.map((c) => c.id),
      ['eks-version', 'cloud9'],
    )
    assert.equal(drift.runs[0].durationSeconds, 61)
    assert.deepEqual(JSON.parse(JSON.stringify(drift)), drift, 'plain JSON')
  })

  it('DRIFT.md: a cause no edit answers shows what a reader does instead', () => {
    const withRemedy = {
      ...drift,
      runs: drift.runs.map((r) => ({ ...r, causes: r.causes.map((c) => (c.id === 'cloud9' ? { ...c, remedy: 'skip the optional Step 1' } : c)) })),
    }
    assert.match(driftMarkdown(withRemedy), /\| cloud9 is gone \| 2026-03-23 \| @cluster Step 2 \| the source of cloud9 \| skip the optional Step 1 \|/)
  })

  it('one run not as expected makes the drift not ok', () => {
    const bad = driftSummary([result(THEN, failingAtPreflight(), 1)], { generated: '', today: '2026-12-06', tutorialDate: '2024-01-29', edits: [] })
    assert.equal(bad.ok, false)
  })

  it('DRIFT.md: sections × runs, the causes with since and source and their edit, the edits as diffs', () => {
    const md = driftMarkdown(drift)
    assert.match(md, /\| Section \| As written, 2024-01-29 \| As written, 2026-12-06 \| Current edition, 2026-12-06 \|/)
    assert.match(md, /\| Prerequisites \| ✅ passed \| ❌ failed: Preflight \| ✅ passed \|/)
    assert.match(md, /\| Step 1 \(optional\): Create a Cloud9 environment \| ⏭️ skipped \| ⏭️ skipped \| ⏭️ skipped \|/)
    assert.match(md, /\| \*\*As expected\?\*\* \| yes: passes \| yes: fails at the preflight \| yes: passes \|/)
    assert.match(md, /## Why the tutorial as written, as of 2026-12-06 does not work/)
    assert.match(md, /\| eks-version is gone \| 2026-03-23 \| @cluster Step 2 \| the source of eks-version \| \[`fix-eks-version`\]\(#fix-eks-version\) \|/)
    assert.match(md, /\| cloud9 is gone \| 2026-03-23 \| @cluster Step 2 \| the source of cloud9 \| no edit \|/)
    assert.match(
      md,
      /### fix-eks-version\n\n@cluster, the tutorial's main.tf\. EKS moved on\.\n\n- Platform fact `eks:1\.29:endOfExtendedSupport`: EKS 1\.29: end of extended support 2026-03-23 \(EKS user guide\)\n\n```diff\n--- main\.tf \(as published\)/,
    )
  })

  it('a cell with a pipe or a newline stays one cell', () => {
    const piped = driftSummary(
      [result(NOW_AS_WRITTEN, messages([{ ...PRE, scenarios: [['Preflight', 'failed']] }], verdict([{ ...cause('x'), what: 'a | b\nc' }])), 1)],
      { generated: '', today: '2026-12-06', tutorialDate: '2024-01-29', edits: [] },
    )
    assert.match(driftMarkdown(piped), /\| a \\\| b c \|/)
  })

  it('the HTML page for the report has the matrix, the causes and the diffs, escaped', () => {
    const html = driftHtml(drift)
    assert.match(html, /<caption>Tutorial drift on 2026-12-06: each section in each run<\/caption>/)
    assert.match(html, /<td>eks-version is gone<\/td>/)
    assert.match(html, /<pre>--- main\.tf \(as published\)\n\+\+\+ main\.tf \(as run\)\n- {2}cluster_version = &quot;1\.29&quot;/)
    assert.equal(html.match(/<style>/g)?.length, 1)
  })
})

describe('the combined Allure results', () => {
  it('give each run its own epic and ids, so one scenario in two runs is two tests', () => {
    const r = {
      uuid: 'u',
      name: 'Preflight',
      fullName: 'spotcheck:features/01#Preflight',
      testCaseId: 'abc',
      historyId: 'abc:d41d',
      titlePath: ['spotcheck'],
      labels: [
        { name: 'epic', value: 'Run Kubernetes Clusters' },
        { name: '_fallbackTestCaseId', value: 'x' },
      ],
    }
    const a = relabel(structuredClone(r), THEN)
    const b = relabel(structuredClone(r), NOW_AS_WRITTEN)
    assert.notEqual(a.testCaseId, b.testCaseId)
    assert.notEqual(a.historyId, b.historyId)
    assert.match(a.historyId!, /:d41d$/)
    assert.deepEqual(
      a.labels!.find((l) => l.name === 'epic'),
      { name: 'epic', value: 'Run Kubernetes Clusters — as written, as of 2024-01-29' },
    )
    assert.ok(!a.labels!.some((l) => l.name === '_fallbackTestCaseId'))
    assert.deepEqual(a.titlePath, ['as written, as of 2024-01-29', 'spotcheck'])
  })

  it('copy the runs’ results and attachments, prefix their environments, and add the drift result', () => {
    const root = mkdtempSync(join(tmpdir(), 'drift-allure-'))
    const run = join(root, 'run1')
    mkdirSync(run)
    writeFileSync(join(run, 'u1-result.json'), JSON.stringify({ uuid: 'u1', name: 'S', labels: [] }))
    writeFileSync(join(run, 'a1-attachment.txt'), 'output')
    writeFileSync(join(run, 'environment.properties'), 'edition=as-written\n')
    const out = join(root, 'allure-results')
    const drift = driftSummary([result(THEN, passing(), 0)], {
      generated: '2026-12-06T10:00:00.000Z',
      today: '2026-12-06',
      tutorialDate: '2024-01-29',
      edits: [],
    })
    combineAllureResults(
      [
        { spec: THEN, resultsDir: run },
        { spec: NOW_CURRENT, resultsDir: join(root, 'missing') },
      ],
      out,
      { value: drift, markdown: '# md', html: '<p>' },
    )
    const files = readdirSync(out)
    assert.ok(files.includes('a1-attachment.txt'))
    assert.equal(readFileSync(join(out, 'environment.properties'), 'utf8'), 'as-written-2024-01-29.edition=as-written\n')
    const results = files
      .filter((f) => f.endsWith('-result.json'))
      .map(
        (f) =>
          JSON.parse(readFileSync(join(out, f), 'utf8')) as {
            name: string
            status: string
            labels: { name: string; value: string }[]
            attachments?: { name: string; source: string }[]
          },
      )
    assert.equal(results.length, 2)
    const d = results.find((x) => x.labels.some((l) => l.name === 'epic' && l.value === 'Tutorial drift'))!
    assert.equal(d.status, 'passed')
    assert.deepEqual(
      d.attachments!.map((a) => a.name),
      ['drift: sections × runs, causes and edits', 'DRIFT.md', 'drift.json'],
    )
    for (const a of d.attachments!) assert.ok(files.includes(a.source))
  })
})

describe("a drift run's cucumber-js configuration", () => {
  it("is the project's default profile with the run's edition, day and output paths", () => {
    const text = runConfig(NOW_CURRENT, '/p/drift/runs/current-2026-12-06')
    assert.match(text, /import base from "file:\/\/\/.*\/cucumber\.js"/)
    assert.match(text, /edition: "current", asOf: "2026-12-06"/)
    assert.match(text, /resultsDir: dir \+ '\/allure-results'/)
  })
})

describe('side by side or one after another', () => {
  it('goes side by side from 2 cores, one after another on one, and takes either flag', () => {
    assert.equal(sideBySide({}, 4).yes, true)
    assert.equal(sideBySide({}, 2).yes, true)
    assert.equal(sideBySide({}, 1).yes, false)
    assert.match(sideBySide({}, 1).why, /1 core: .*--side-by-side to insist/)
    assert.equal(sideBySide({ 'side-by-side': true }, 2).yes, true)
    assert.equal(sideBySide({ sequential: true }, 16).yes, false)
    assert.throws(() => sideBySide({ sequential: true, 'side-by-side': true }, 2), UsageError)
  })
})
