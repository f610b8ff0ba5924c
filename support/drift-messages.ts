// One run of the tutorial as Cucumber's messages (reports/messages.ndjson) tell it: each section's
// scenarios with their status, the first failure, and the preflight's verdict (attached by
// steps/preflight.steps.ts). Read while the run goes, for progress, and at its end, for the drift.

import type { PreflightVerdict } from './preflight.ts'
import { PREFLIGHT_ATTACHMENT } from './preflight-report.ts'

export type Status = 'passed' | 'failed' | 'skipped' | 'pending' | 'undefined' | 'ambiguous' | 'unknown'

export interface ScenarioResult {
  uri: string
  name: string
  status: Status
  /** The first step that did not pass (failed, or undefined/ambiguous), with Cucumber's message. */
  failedStep?: string
  message?: string
  durationMs: number
  /** It carried the preflight's verdict. */
  preflight: boolean
}

export interface SectionResult {
  uri: string
  /** The feature's first tag (`@cluster`) and name (`Step 2: …`). */
  tag: string
  name: string
  /** failed if a scenario failed; skipped if all were; passed if none failed and one passed; not run otherwise. */
  status: Status | 'not run'
  scenarios: ScenarioResult[]
}

export interface RunMessages {
  sections: SectionResult[]
  /** The first scenario that failed, in run order. */
  firstFailure?: { section: string; scenario: string; step?: string; message?: string }
  preflight?: PreflightVerdict
  /** testRunFinished was seen. */
  finished: boolean
}

// Cucumber's order of severity: a test case takes its worst step's status.
const SEVERITY: Status[] = ['unknown', 'passed', 'skipped', 'pending', 'undefined', 'ambiguous', 'failed']

interface Envelope {
  gherkinDocument?: { uri: string; feature?: { name: string; tags: { name: string }[] } }
  pickle?: { id: string; uri: string; name: string }
  testCase?: { id: string; pickleId: string; testSteps: { id: string; pickleStepId?: string }[] }
  testCaseStarted?: { id: string; testCaseId: string }
  testStepFinished?: {
    testCaseStartedId: string
    testStepId: string
    testStepResult: { status: string; message?: string; duration?: { seconds: number; nanos: number } }
  }
  testCaseFinished?: { testCaseStartedId: string; willBeRetried?: boolean }
  attachment?: { testCaseStartedId?: string; body: string; fileName?: string; mediaType: string }
  testRunFinished?: unknown
}

/** Parses as much of a messages.ndjson as has been written (a last partial line is ignored). */
export function readRunMessages(ndjson: string): RunMessages {
  const features = new Map<string, { name: string; tag: string }>()
  const pickles = new Map<string, { uri: string; name: string }>()
  const pickleSteps = new Map<string, string>() // pickle step id → text
  const cases = new Map<string, { pickleId: string; steps: Map<string, string | undefined> }>()
  const started = new Map<string, { testCaseId: string; steps: { status: Status; message?: string; text?: string; ms: number }[]; preflight: boolean }>()
  const order: string[] = [] // pickle ids in run order, finished ones
  const results = new Map<string, ScenarioResult>()
  let preflight: PreflightVerdict | undefined
  let finished = false
  for (const line of ndjson.split('\n')) {
    if (!line.trim()) continue
    let e: Envelope & { pickle?: { steps?: { id: string; text: string }[] } }
    try {
      e = JSON.parse(line) as typeof e
    } catch {
      continue // the line being written
    }
    if (e.gherkinDocument?.feature) {
      const f = e.gherkinDocument.feature
      features.set(e.gherkinDocument.uri, { name: f.name, tag: f.tags.map((t) => t.name).find((t) => !t.includes('=')) ?? '' })
    } else if (e.pickle) {
      pickles.set(e.pickle.id, { uri: e.pickle.uri, name: e.pickle.name })
      for (const s of e.pickle.steps ?? []) pickleSteps.set(s.id, s.text)
    } else if (e.testCase) {
      cases.set(e.testCase.id, {
        pickleId: e.testCase.pickleId,
        steps: new Map(e.testCase.testSteps.map((s) => [s.id, s.pickleStepId ? pickleSteps.get(s.pickleStepId) : undefined])),
      })
    } else if (e.testCaseStarted) {
      started.set(e.testCaseStarted.id, { testCaseId: e.testCaseStarted.testCaseId, steps: [], preflight: false })
    } else if (e.testStepFinished) {
      const s = started.get(e.testStepFinished.testCaseStartedId)
      const r = e.testStepFinished.testStepResult
      const d = r.duration ?? { seconds: 0, nanos: 0 }
      const text = cases.get(s?.testCaseId ?? '')?.steps.get(e.testStepFinished.testStepId)
      s?.steps.push({ status: r.status.toLowerCase() as Status, message: r.message, text, ms: d.seconds * 1000 + d.nanos / 1e6 })
    } else if (e.attachment?.fileName === PREFLIGHT_ATTACHMENT) {
      try {
        preflight = JSON.parse(e.attachment.body) as PreflightVerdict
      } catch {
        // a truncated body: no verdict
      }
      const s = started.get(e.attachment.testCaseStartedId ?? '')
      if (s) s.preflight = true
    } else if (e.testCaseFinished && !e.testCaseFinished.willBeRetried) {
      const s = started.get(e.testCaseFinished.testCaseStartedId)
      const tc = s && cases.get(s.testCaseId)
      const pickle = tc && pickles.get(tc.pickleId)
      if (!s || !pickle) continue
      const worst = s.steps.reduce<Status>((w, x) => (SEVERITY.indexOf(x.status) > SEVERITY.indexOf(w) ? x.status : w), 'unknown')
      const bad = s.steps.find((x) => x.status === 'failed' || x.status === 'undefined' || x.status === 'ambiguous')
      results.set(tc.pickleId, {
        uri: pickle.uri,
        name: pickle.name,
        status: worst === 'unknown' ? 'passed' : worst,
        ...(bad?.text ? { failedStep: bad.text } : {}),
        ...(bad?.message ? { message: bad.message } : {}),
        durationMs: s.steps.reduce((t, x) => t + x.ms, 0),
        preflight: s.preflight,
      })
      order.push(tc.pickleId)
    } else if (e.testRunFinished) {
      finished = true
    }
  }
  // Sections in the order of the features, each with all its scenarios (those not run: none yet).
  const sections: SectionResult[] = []
  for (const [uri, f] of features) {
    const scenarios = [...results.values()].filter((r) => r.uri === uri)
    const ran = [...pickles.values()].filter((p) => p.uri === uri).length
    let status: SectionResult['status'] = 'not run'
    if (scenarios.some((s) => s.status === 'failed' || s.status === 'undefined' || s.status === 'ambiguous')) status = 'failed'
    else if (scenarios.length > 0 && scenarios.every((s) => s.status === 'skipped') && scenarios.length === ran) status = 'skipped'
    else if (scenarios.some((s) => s.status === 'passed') && scenarios.length === ran) status = 'passed'
    sections.push({ uri, tag: f.tag, name: f.name, status, scenarios })
  }
  sections.sort((a, b) => a.uri.localeCompare(b.uri))
  const first = order.map((id) => results.get(id)!).find((r) => r.status === 'failed' || r.status === 'undefined' || r.status === 'ambiguous')
  const firstSection = first && sections.find((s) => s.uri === first.uri)
  return {
    sections,
    ...(first
      ? {
          firstFailure: {
            section: firstSection ? `${firstSection.tag} ${firstSection.name}` : first.uri,
            scenario: first.name,
            ...(first.failedStep ? { step: first.failedStep } : {}),
            ...(first.message ? { message: first.message.split('\n').slice(0, 12).join('\n') } : {}),
          },
        }
      : {}),
    ...(preflight ? { preflight } : {}),
    finished,
  }
}
