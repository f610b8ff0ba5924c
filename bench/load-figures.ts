// The figures of bench/tutorial-load.bench.ts, from what a run wrote (its timings.json:
// support/timings.ts): tutorial-time durations, and the wall time of everything but Terraform's
// and CloudFormation's own commands. Pure, so its parsing is tested (test/unit/bench/).

import type { TimingsFile } from '../support/timings.ts'

/** The durations the issue compares between a quiet and a loaded machine, as the steps name them. */
const DURATIONS = ['NodeClaim created → node Ready', 'interruption warning → replacement Ready', 'workload deletion → consolidation delete'] as const

export interface LoadFigures {
  /** Wall time of the whole `spotcheck tutorial` (sandbox up, all sections, clean-up, report). */
  totalWallMs: number
  /** Wall time of Terraform's and CloudFormation's own commands. */
  providerWallMs: number
  /** Everything else: what the sandbox and spotcheck themselves take. */
  restWallMs: number
  /** Tutorial ms by duration name; undefined when the run did not measure it. */
  durations: Record<string, number | undefined>
}

/** Reads a run's timings.json (its text), failing with the field that is wrong. */
export function parseTimings(text: string, file = 'timings.json'): TimingsFile {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new Error(`${file}: not JSON (${(error as Error).message})`, { cause: error })
  }
  const d = data as Partial<TimingsFile>
  if (!d || typeof d !== 'object' || !Array.isArray(d.commands)) throw new Error(`${file}: "commands" is not a list`)
  if (!Array.isArray(d.tutorialDurations)) throw new Error(`${file}: "tutorialDurations" is not a list`)
  d.commands.forEach((c, i) => {
    if (typeof c?.wallMs !== 'number' || !['terraform', 'cloudformation', 'other'].includes(c.kind))
      throw new Error(`${file}: commands[${i}] needs a numeric "wallMs" and a "kind" of terraform, cloudformation or other`)
  })
  d.tutorialDurations.forEach((t, i) => {
    if (typeof t?.name !== 'string' || typeof t.ms !== 'number') throw new Error(`${file}: tutorialDurations[${i}] needs a "name" and a numeric "ms"`)
  })
  return d as TimingsFile
}

export function figuresOf(timings: TimingsFile, totalWallMs: number): LoadFigures {
  const providerWallMs = timings.commands.filter((c) => c.kind !== 'other').reduce((sum, c) => sum + c.wallMs, 0)
  const durations: Record<string, number | undefined> = {}
  for (const name of DURATIONS) durations[name] = timings.tutorialDurations.find((d) => d.name === name)?.ms
  return { totalWallMs, providerWallMs, restWallMs: totalWallMs - providerWallMs, durations }
}

const s = (ms: number | undefined) => (ms === undefined ? 'not measured' : `${(ms / 1000).toFixed(1)} s`)

/** How far the loaded figure is from the quiet one, in % of the quiet one. */
export function deviation(quiet: number | undefined, loaded: number | undefined): string {
  if (quiet === undefined || loaded === undefined || quiet === 0) return '–'
  const pct = ((loaded - quiet) / quiet) * 100
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(0)} %${Math.abs(pct) > 10 ? ' (over 10 %)' : ''}`
}

/** The section of docs/benchmarks.md: both runs side by side. */
export function loadMarkdown(quiet: LoadFigures, loaded: LoadFigures, busyLoops: number): string {
  return [
    `The whole tutorial on the sandbox (\`spotcheck tutorial\`), once on a quiet machine and once with ${busyLoops} busy-loop processes pinning the cores.`,
    "Durations are tutorial time, read from the sandbox's clock (support/tutorial-time.ts) by the steps that assert them; wall times are real.",
    '',
    '| | quiet | busy loops | loaded vs quiet |',
    '|---|---:|---:|---:|',
    ...DURATIONS.map(
      (name) =>
        `| ${name} (tutorial time) | ${s(quiet.durations[name])} | ${s(loaded.durations[name])} | ${deviation(quiet.durations[name], loaded.durations[name])} |`,
    ),
    `| **wall time, all but Terraform's and CloudFormation's own commands** | **${s(quiet.restWallMs)}** | **${s(loaded.restWallMs)}** | ${deviation(quiet.restWallMs, loaded.restWallMs)} |`,
    `| wall time of Terraform's and CloudFormation's commands | ${s(quiet.providerWallMs)} | ${s(loaded.providerWallMs)} | ${deviation(quiet.providerWallMs, loaded.providerWallMs)} |`,
    `| wall time, whole run | ${s(quiet.totalWallMs)} | ${s(loaded.totalWallMs)} | ${deviation(quiet.totalWallMs, loaded.totalWallMs)} |`,
    '',
    "The goal: the loaded durations within 10 % of the quiet ones (the sandbox's clock slows down with the machine),",
    "and the wall time of all but the providers' commands at or under 20 s on a quiet machine.",
    '',
    `Deletion → consolidation has a spread of its own, load or not: Karpenter's disruption controller looks for`,
    `candidates every ${CONSOLIDATION_POLL_MS / 1000} s and waits out a ${CONSOLIDATION_TTL_MS / 1000} s validation before it deletes`,
    '(kubernetes-sigs/karpenter v0.32.1, pkg/controllers/disruption/controller.go `pollingPeriod`,',
    'consolidation.go `consolidationTTL`), and where the deletion falls in that 10 s cycle is chance. One sample',
    `of it is therefore judged against that band, ${CONSOLIDATION_BAND_MS.map((ms) => ms / 1000).join('–')} s after the deletion: quiet ${inBand(quiet)}, loaded ${inBand(loaded)}.`,
    '',
    quiet.restWallMs <= 20_000 ? "The 20 s goal for the wall time of all but the providers' commands is met." : NO_RUN_AHEAD,
  ].join('\n')
}

const NO_RUN_AHEAD =
  "The 20 s goal for the wall time of all but the providers' commands is not met: the sandbox's clock never runs ahead of real time \u00d7 its scale when nothing is due (a run-ahead clock would make idle tutorial time free, but the test's own commands, kubectl, the aws CLI and Terraform act on wall time, and none of them tells the clock when it is busy), so the 2-minute notice, the node boots and the waits of the tutorial still cost their tutorial time \u00f7 20, and the aws CLI's and kubectl's own start-ups add to that."

const CONSOLIDATION_POLL_MS = 10_000
const CONSOLIDATION_TTL_MS = 15_000
/** The validation, plus up to one polling period, plus 5 s for the pods' own termination and the API calls. */
const CONSOLIDATION_BAND_MS = [CONSOLIDATION_TTL_MS, CONSOLIDATION_TTL_MS + CONSOLIDATION_POLL_MS + 5_000] as const

function inBand(f: LoadFigures): string {
  const ms = f.durations['workload deletion → consolidation delete']
  if (ms === undefined) return 'not measured'
  return ms >= CONSOLIDATION_BAND_MS[0] && ms <= CONSOLIDATION_BAND_MS[1] ? `${s(ms)}, within it` : `${s(ms)}, OUTSIDE it`
}
