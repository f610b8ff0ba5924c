// One Allure report for the drift's three runs: each run's results under an epic of its own
// ("Run Kubernetes Clusters … — as written, as of 2024-01-29"), so the report's tree reads
// runs → sections → scenarios, and a "Tutorial drift" epic whose one result carries the matrix,
// the causes and the edits (HTML, DRIFT.md, drift.json). Allure-results are plain files
// (allure-js-commons writes them; the Allure 3 generator reads them), so combining is copying
// with the labels and ids made distinct per run: the same scenario in two runs must not be taken
// for two attempts of one test.

import { createHash, randomUUID } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Drift, DriftRunSpec } from './drift-report.ts'

export const DRIFT_EPIC = 'Tutorial drift'

interface Label {
  name: string
  value: string
}

interface AllureResult {
  uuid: string
  name?: string
  fullName?: string
  historyId?: string
  testCaseId?: string
  titlePath?: string[]
  labels?: Label[]
  [key: string]: unknown
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex')

export function runLabel(spec: Pick<DriftRunSpec, 'edition' | 'asOf'>): string {
  return `${spec.edition === 'current' ? 'current edition' : 'as written'}, as of ${spec.asOf}`
}

/** One run's result, relabelled: its epic names the run, and its ids are its own. */
export function relabel(result: AllureResult, spec: Pick<DriftRunSpec, 'name' | 'edition' | 'asOf'>): AllureResult {
  const label = runLabel(spec)
  const labels = (result.labels ?? []).filter((l) => l.name !== '_fallbackTestCaseId' && l.name !== 'parentSuite')
  const epic = labels.find((l) => l.name === 'epic')
  if (epic) epic.value = `${epic.value} — ${label}`
  else labels.push({ name: 'epic', value: label })
  labels.push({ name: 'parentSuite', value: label }, { name: 'tag', value: `drift:${spec.name}` })
  const testCaseId = md5(`${result.testCaseId ?? result.fullName ?? result.name ?? result.uuid}:${spec.name}`)
  const params = result.historyId?.split(':')[1] ?? md5('')
  return {
    ...result,
    labels,
    testCaseId,
    historyId: `${testCaseId}:${params}`,
    ...(result.fullName ? { fullName: `${result.fullName} [${spec.name}]` } : {}),
    ...(result.titlePath ? { titlePath: [label, ...result.titlePath] } : {}),
  }
}

/**
 * Writes `out` afresh from the runs' results directories, and the drift's own result. Each run's
 * environment.properties is kept with its keys prefixed by the run.
 */
export function combineAllureResults(
  runs: { spec: DriftRunSpec; resultsDir: string }[],
  out: string,
  drift: { value: Drift; markdown: string; html: string },
): void {
  rmSync(out, { recursive: true, force: true })
  mkdirSync(out, { recursive: true })
  const environment: string[] = []
  for (const { spec, resultsDir } of runs) {
    if (!existsSync(resultsDir)) continue
    for (const name of readdirSync(resultsDir)) {
      const from = join(resultsDir, name)
      if (name.endsWith('-result.json')) {
        writeFileSync(join(out, name), JSON.stringify(relabel(JSON.parse(readFileSync(from, 'utf8')) as AllureResult, spec)))
      } else if (name === 'environment.properties') {
        for (const line of readFileSync(from, 'utf8').split('\n').filter(Boolean)) environment.push(`${spec.name}.${line}`)
      } else {
        copyFileSync(from, join(out, name)) // attachments and containers: their uuids are unique
      }
    }
  }
  if (environment.length) writeFileSync(join(out, 'environment.properties'), environment.join('\n') + '\n')
  writeDriftResult(out, drift)
}

function attach(out: string, name: string, body: string, type: string, ext: string): { name: string; source: string; type: string } {
  const source = `${randomUUID()}-attachment.${ext}`
  writeFileSync(join(out, source), body)
  return { name, source, type }
}

/** The "Tutorial drift" result: passed when every run did what it must. */
function writeDriftResult(out: string, drift: { value: Drift; markdown: string; html: string }): void {
  const d = drift.value
  const now = Date.parse(d.generated) || Date.now()
  const testCaseId = md5('spotcheck:tutorial-drift')
  const steps = d.runs.map((r) => ({
    name: `${r.title}: ${r.outcome.reason}`,
    status: r.outcome.ok ? 'passed' : 'failed',
    stage: 'finished',
    steps: [],
    attachments: [],
    parameters: [
      { name: 'expected', value: r.expected === 'pass' ? 'passes' : 'fails at the preflight, creating nothing' },
      { name: 'drift causes', value: String(r.causes.length) },
      { name: 'took', value: `${r.durationSeconds} s` },
    ],
    start: now,
    stop: now,
  }))
  const result = {
    uuid: randomUUID(),
    name: 'The tutorial as written then and now, and the current edition now',
    fullName: 'spotcheck:drift',
    historyId: `${testCaseId}:${md5('')}`,
    testCaseId,
    status: d.ok ? 'passed' : 'failed',
    statusDetails: d.ok
      ? {}
      : {
          message: d.runs
            .filter((r) => !r.outcome.ok)
            .map((r) => `${r.title}: ${r.outcome.reason}`)
            .join('\n'),
        },
    stage: 'finished',
    description: `What \`npx spotcheck drift\` found on ${d.today}: each section of the tutorial in each run, why the tutorial as written no longer works, and the edits of the current edition that make it work (also in drift/DRIFT.md, ready for a pull request on the tutorial).`,
    steps,
    attachments: [
      attach(out, 'drift: sections × runs, causes and edits', drift.html, 'text/html', 'html'),
      attach(out, 'DRIFT.md', drift.markdown, 'text/markdown', 'md'),
      attach(out, 'drift.json', JSON.stringify(d, null, 2), 'application/json', 'json'),
    ],
    parameters: [],
    labels: [
      { name: 'epic', value: DRIFT_EPIC },
      { name: 'feature', value: `Three runs on ${d.today}` },
      { name: 'story', value: 'Sections × runs, causes and edits' },
      { name: 'parentSuite', value: DRIFT_EPIC },
    ],
    links: [],
    start: now,
    stop: now,
  }
  writeFileSync(join(out, `${result.uuid}-result.json`), JSON.stringify(result))
}
