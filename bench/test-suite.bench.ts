// `npm test` on this machine: every check of the project as test/run.ts runs it (jobs side by
// side, the longest first), timed wall-clock from start to exit, with the CPU time the machine
// spent meanwhile (/proc/stat) and node:test's counts, beside the figures of the chain of npm
// scripts that `npm test` was before test/run.ts. That chain is gone from the code, so its figures
// are the ones measured when it was replaced (BEFORE, below), not measured again.

import { execa } from 'execa'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../lib/paths.ts'
import type { BenchResult } from './run.ts'

/**
 * `npm test` at fad01f2 (`npm run lint && npm run test:unit && npm run conformance && npm run
 * test:node24 && npm run test:integration && npm run test:features && npm run test:report`, the
 * integration files two at a time), each script timed on its own on a quiet machine on 2026-12-07
 * (wall, and the machine's CPU seconds from /proc/stat), in the order the chain ran them.
 */
const BEFORE: { script: string; wallS: number; cpuS: number }[] = [
  { script: 'lint', wallS: 78, cpuS: 112 },
  { script: 'test:unit', wallS: 199, cpuS: 260 },
  { script: 'conformance', wallS: 20, cpuS: 29 },
  { script: 'test:node24', wallS: 221, cpuS: 239 },
  { script: 'test:integration', wallS: 1465, cpuS: 2248 },
  { script: 'test:features', wallS: 292, cpuS: 396 },
  { script: 'test:report', wallS: 36, cpuS: 45 },
]
/** node:test's counts in that chain: test:unit, test:node24's unit run and test:integration. */
const BEFORE_COUNTS = { tests: 1072 + 1072 + 147, pass: 1072 + 1072 + 146, skipped: 1 }

/**
 * `npm test` at 4868e4f (two jobs at a time, kill-aws.test.ts one file), measured on 2026-12-07 on
 * the 2-core Intel Xeon of the run at 7db4136 below, its CPU the sum of a cpuacct cgroup per job:
 * the same suite on the same machine before one job more than cores, GOGC=400 and the kill-aws split.
 */
const BEFORE_SAME_MACHINE = { rev: '4868e4f', lanes: 2, wallS: 1125, cpuS: 1515, tests: 2333, pass: 2332, skipped: 1 }

/**
 * Where the CPU of one `npm test` went, by program: measured with Linux process accounting over a
 * whole run at 7db4136 on 2026-12-07 (3 jobs at a time, 27.3 CPU-minutes in all, on 2 cores of an
 * Intel Xeon), as root: `accton FILE; npm test; accton off; sa -f FILE -a -c` for the totals, and
 * `dump-acct FILE` (its pid and ppid columns) to say which program started which. Accounting needs
 * root and covers the whole machine, so the benchmark does not switch it on; these figures are the
 * ones measured then. (The same run on another day's machine, an AMD EPYC shared with other work,
 * took 46.1 CPU-minutes: compare a run's programs with each other, not across machines.)
 */
const CPU_BY_PROGRAM: { program: string; processes: number; cpuMin: number }[] = [
  {
    program: 'node: the test files, cucumber-js, the sandboxes’ daemons (API server, Karpenter twins), lint, the unit tests (Node 22 and 24)',
    processes: 478,
    cpuMin: 10.0,
  },
  { program: 'terraform (232 commands, 3.7 min) and its aws provider plugin (306 starts, 2.3 min)', processes: 538, cpuMin: 6.0 },
  { program: 'python3: moto in each sandbox, the moto extension’s tests, cfn-lint', processes: 137, cpuMin: 5.5 },
  {
    program: 'the aws CLI (v1, ~0.47 s of CPU a call): 343 of the calls (2.6 min) are `aws eks get-token`, the exec credential kubectl runs on every call',
    processes: 577,
    cpuMin: 4.5,
  },
  { program: 'kubectl (the dispatcher and the version it picks)', processes: 701, cpuMin: 0.7 },
  { program: 'Chromium (the report check and its tests)', processes: 98, cpuMin: 0.4 },
]

/**
 * The CPU of the longest jobs in one run at 1a40a49 (2026-12-08, 3 jobs at a time, 1,467 CPU-seconds
 * in all, 856 s of wall), each measured in a cgroup of its own (as root, a cpuacct cgroup per job:
 * the job's own processes and every one they start, sandboxes included).
 */
const CPU_BY_JOB: { job: string; cpuS: number }[] = [
  { job: 'features (the three drift runs, the report and its check)', cpuS: 186 },
  { job: 'integration/suite/section-snapshots.test.ts', cpuS: 106 },
  { job: 'lint', cpuS: 99 },
  { job: 'unit', cpuS: 83 },
  { job: 'integration/sandbox/snapshot.test.ts', cpuS: 82 },
  { job: 'integration/suite/kill-aws-step6.test.ts', cpuS: 81 },
  { job: 'integration/suite/kill-aws-step4.test.ts', cpuS: 75 },
  { job: 'integration/suite/rehearsal.test.ts', cpuS: 72 },
  { job: 'integration/suite/kill.test.ts', cpuS: 57 },
  { job: 'integration/sandbox/tutorial-aws.test.ts', cpuS: 56 },
]

/** The drift runs' CPU before (29ed33f) and after (1a40a49) those two changes, 2026-12-08. */
const AB_DRIFT: { what: string; cpuS: number }[] = [
  { what: 'before (29ed33f), first run', cpuS: 165.6 },
  { what: 'after (1a40a49), first run, the compile cache empty', cpuS: 163.9 },
  { what: 'before, second run', cpuS: 164.4 },
  { what: 'after, second run, the compile cache filled by the first', cpuS: 161.3 },
]

/** The machine's busy CPU seconds so far (user, nice, system, irq, softirq), or undefined off Linux. */
function busySeconds(): number | undefined {
  if (!existsSync('/proc/stat')) return undefined
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
  return (cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6]) / 100
}

const minutes = (s: number) => `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s`

export default async function bench(): Promise<BenchResult> {
  const cpu0 = busySeconds()
  const start = performance.now()
  const r = await execa(process.execPath, ['test/run.ts'], { cwd: projectRoot, reject: false, all: true })
  const wallS = (performance.now() - start) / 1000
  const cpu1 = busySeconds()
  const out = r.all ?? ''
  const log = join(tmpdir(), 'spotcheck-bench-test-suite.log')
  writeFileSync(log, out)
  process.stderr.write(`bench: test/run.ts exited ${r.exitCode}; its whole output: ${log}\n`)
  const summary = out.slice(out.lastIndexOf('━━ summary:'))
  const lanes = /, (\d+) at a time ━━/.exec(summary)?.[1] ?? '?'
  const counts = /node:test: (\d+) tests, (\d+) passed, (\d+) failed, (\d+) skipped, (\d+) todo, (\d+) cancelled/.exec(summary)
  const jobs = [...summary.matchAll(/^(ok {4}|FAILED) +(\d+) s {2}(\S+)/gm)].map((m) => ({ ok: m[1].trim() === 'ok', seconds: Number(m[2]), name: m[3] }))
  if (jobs.length === 0) throw new Error(`test/run.ts printed no summary (exit ${r.exitCode}):\n${out.slice(-3000)}`)
  const cpuS = cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined
  const beforeWall = BEFORE.reduce((n, b) => n + b.wallS, 0)
  const beforeCpu = BEFORE.reduce((n, b) => n + b.cpuS, 0)
  const failed = jobs.filter((j) => !j.ok).map((j) => j.name)

  return {
    id: 'test-suite',
    title: '`npm test`: every check, before and after test/run.ts',
    markdown: [
      '| | wall | CPU (user + system, all processes) | node:test tests (passed, skipped) |',
      '|---|---:|---:|---:|',
      `| before: the chain of npm scripts, one after another (fad01f2, measured on the 2-core AMD EPYC) | ${minutes(beforeWall)} | ${minutes(beforeCpu)} | ${BEFORE_COUNTS.tests} (${BEFORE_COUNTS.pass}, ${BEFORE_COUNTS.skipped}) |`,
      `| before: test/run.ts at ${BEFORE_SAME_MACHINE.rev}, ${BEFORE_SAME_MACHINE.lanes} jobs at a time (measured on the 2-core Intel Xeon, 2026-12-07) | ${minutes(BEFORE_SAME_MACHINE.wallS)} | ${minutes(BEFORE_SAME_MACHINE.cpuS)} | ${BEFORE_SAME_MACHINE.tests} (${BEFORE_SAME_MACHINE.pass}, ${BEFORE_SAME_MACHINE.skipped}) |`,
      `| **\`npm test\` now (test/run.ts, ${lanes} jobs at a time${r.exitCode === 0 ? '' : `; FAILED: ${failed.join(', ') || `exit ${r.exitCode}`}`})** | **${minutes(wallS)}** | ${cpuS === undefined ? '–' : minutes(cpuS)} | ${counts ? `${counts[1]} (${counts[2]}, ${counts[4]})` : '–'} |`,
      '',
      'Before, each script on its own:',
      '',
      '| script | wall | CPU |',
      '|---|---:|---:|',
      ...BEFORE.map((b) => `| \`npm run ${b.script}\` | ${b.wallS} s | ${b.cpuS} s |`),
      '',
      'Now, the longest jobs (each one’s wall time while it shared the cores):',
      '',
      '| job | wall |',
      '|---|---:|',
      ...jobs.slice(0, 15).map((j) => `| ${j.name}${j.ok ? '' : ' (failed)'} | ${j.seconds} s |`),
      `| ${jobs.length - Math.min(15, jobs.length)} others | ${jobs.slice(15).reduce((n, j) => n + j.seconds, 0)} s in all |`,
      '',
      'Where the CPU of one `npm test` went, by program (process accounting over a whole run at 7db4136, 2026-12-07; not measured again by this benchmark):',
      '',
      '| program | processes | CPU |',
      '|---|---:|---:|',
      ...CPU_BY_PROGRAM.map((p) => `| ${p.program} | ${p.processes} | ${p.cpuMin} min |`),
      '',
      'The jobs that took the most CPU in a run at 1a40a49 (2026-12-08; a cpuacct cgroup per job; not measured again by this benchmark):',
      '',
      '| job | CPU |',
      '|---|---:|',
      ...CPU_BY_JOB.map((j) => `| ${j.job} | ${j.cpuS} s |`),
      '',
      'On two cores the run cannot take less than half its CPU time. Most of it is the real programs',
      'the tests exist to run (Terraform with the aws provider, the aws CLI, kubectl, moto), each',
      'started hundreds of times. Every terraform command reads and hashes the whole aws provider',
      'package (675 MB) to check it against the lock file, ~0.45 s of CPU before it does anything.',
      'kubectl through the tutorial’s kubeconfig runs `aws eks get-token` twice a call on this',
      'machine: once in the dispatcher, which asks the server’s /version to pick a version, and once in',
      'the kubectl it picks (a log of every call’s arguments over one run: 378 get-tokens for the',
      'kubectl calls through that kubeconfig; integration/kube/kubectl.test.ts alone made 116 for 55).',
      '',
      'Two changes of 2026-12-08, measured on their own (`spotcheck drift --no-report`, the features',
      'job’s three runs, in a cgroup, alternately before and after, on the quiet machine):',
      '',
      '| | CPU of the three drift runs |',
      '|---|---:|',
      ...AB_DRIFT.map((a) => `| ${a.what} | ${a.cpuS} s |`),
      '',
      'moto’s request routing remembered per host (sandbox/aws/spotcheck_moto/routing.py) took a',
      'quarter of the server’s CPU off a simple call (300 DescribeVpcs: 0.65 s instead of 0.87–0.95),',
      'and the shared compile cache took the unit job from 78.7 to 73.7 s of CPU and a cucumber-js',
      'start from 2.4 to 1.95 s; against the whole of a run, where the real programs dominate, the',
      'two together are 1–2 %.',
    ].join('\n'),
  }
}
