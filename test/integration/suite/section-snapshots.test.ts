// A section on its own starts from an earlier run's section snapshot instead of following the
// sections before it again — through cucumber-js, as a reader runs it:
//   1. `--tags @spot-workload` (Step 4) follows the prerequisites, Steps 2 and 3 first, saving a
//      snapshot after each section, then Step 4 and its own snapshot;
//   2. `--tags @spread-across-zones` (Step 5) restores the snapshot after Step 4 — none of the
//      earlier scenarios runs again — and the report says which snapshot, from which run;
//   3. the same with SPOTCHECK_SNAPSHOTS=0 (`spotcheck tutorial --no-snapshots`) restores nothing;
//   4. after an edit to Step 3's feature text, the snapshots after Steps 3 and 4 are refused (the
//      hash) and the one after Step 2 is restored, Step 3 followed again.

import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execa } from 'execa'
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../../../lib/paths.ts'
import { failureDigest } from './cucumber-output.ts'

const home = mkdtempSync(join(tmpdir(), 'spotcheck-section-snapshots-'))
const CUCUMBER = join(projectRoot, 'node_modules', '@cucumber', 'cucumber', 'bin', 'cucumber.js')

after(async () => {
  await execa(process.execPath, [join(projectRoot, 'bin', 'spotcheck.ts'), 'sandbox', 'down', '--all'], {
    env: { ...process.env, SPOTCHECK_HOME: home },
    reject: false,
  })
  rmSync(home, { recursive: true, force: true })
})

interface Outcome {
  progress: string
  /** scenario name → status, from Cucumber's messages. */
  statuses: Map<string, string>
  /** Text of every Allure step and attachment name of the run. */
  allure: string
}

async function cucumber(cwd: string, args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  const results = join(home, `allure-${Date.now()}`)
  const messages = join(home, `messages-${Date.now()}.ndjson`)
  const r = await execa(process.execPath, [CUCUMBER, ...args, '--format', `message:${messages}`], {
    cwd,
    env: { ...process.env, SPOTCHECK_HOME: home, SPOTCHECK_ALLURE_RESULTS: results, FORCE_COLOR: '0', ...env },
    reject: false,
    all: true,
  })
  const latest = readFileSync(join(home, 'runs', 'latest'), 'utf8').trim()
  const progress = readFileSync(join(home, 'runs', latest, 'progress.log'), 'utf8')
  assert.equal(r.exitCode, 0, `cucumber-js ${args.join(' ')} failed:\n${failureDigest(r.all)}`)
  return { progress, statuses: statusesOf(readFileSync(messages, 'utf8')), allure: existsSync(results) ? allureText(results) : '' }
}

function statusesOf(ndjson: string): Map<string, string> {
  const pickles = new Map<string, string>()
  const cases = new Map<string, string>()
  const started = new Map<string, string>()
  const worst = new Map<string, string>()
  for (const line of ndjson.split('\n').filter(Boolean)) {
    const m = JSON.parse(line) as Record<
      string,
      { id?: string; name?: string; pickleId?: string; testCaseId?: string; testCaseStartedId?: string; testStepResult?: { status: string } }
    >
    if (m.pickle) pickles.set(m.pickle.id!, m.pickle.name!)
    if (m.testCase) cases.set(m.testCase.id!, m.testCase.pickleId!)
    if (m.testCaseStarted) started.set(m.testCaseStarted.id!, m.testCaseStarted.testCaseId!)
    if (m.testStepFinished) {
      const name = pickles.get(cases.get(started.get(m.testStepFinished.testCaseStartedId!)!)!)!
      const status = m.testStepFinished.testStepResult!.status
      if (worst.get(name) !== 'FAILED') worst.set(name, status === 'PASSED' && worst.has(name) ? worst.get(name)! : status)
    }
  }
  return worst
}

function allureText(dir: string): string {
  type Step = { name?: string; steps?: unknown[]; attachments?: { name: string }[] }
  const out: string[] = []
  const walk = (steps: Step[]) => {
    for (const s of steps) {
      out.push(s.name ?? '')
      for (const a of s.attachments ?? []) out.push(a.name)
      walk((s.steps ?? []) as typeof steps)
    }
  }
  for (const f of readdirSync(dir)) {
    const json = () => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Step & { befores?: Step[]; afters?: Step[] }
    if (f.endsWith('-result.json')) walk([json()])
    // What hooks did (the snapshot saved after a section's last scenario) is in the containers' fixtures.
    if (f.endsWith('-container.json')) walk([...(json().befores ?? []), ...(json().afters ?? [])])
  }
  return out.join('\n')
}

const restoredLine = /Restored snapshot (\S+) instead of following (\d+) earlier scenario\(s\) \([\d.]+ s\): saved by run (\S+) at/

describe('section snapshots through cucumber-js', { timeout: 30 * 60_000 }, () => {
  let firstRun = ''

  it('a section run saves a snapshot after every section it completes, those it followed first included', async () => {
    const o = await cucumber(projectRoot, ['--tags', '@spot-workload'])
    firstRun = readFileSync(join(home, 'runs', 'latest'), 'utf8').trim()
    assert.doesNotMatch(o.progress, /Restored snapshot/, 'nothing to restore yet')
    assert.deepEqual(readdirSync(join(home, 'snapshots')).sort(), [
      'tutorial-as-written-2024-01-29-eu-west-2-01-prerequisites',
      'tutorial-as-written-2024-01-29-eu-west-2-03-cluster',
      'tutorial-as-written-2024-01-29-eu-west-2-04-nodepool',
      'tutorial-as-written-2024-01-29-eu-west-2-05-spot-workload',
    ])
    assert.match(o.allure, /is saved as snapshot tutorial-as-written-2024-01-29-eu-west-2-05-spot-workload/)
  })

  it('the next section restores the latest snapshot instead of following the earlier ones, and the report says whose', async () => {
    const o = await cucumber(projectRoot, ['--tags', '@spread-across-zones'])
    const m = restoredLine.exec(o.progress)
    assert.ok(m, `no snapshot restored:\n${o.progress}`)
    assert.equal(m[1], 'tutorial-as-written-2024-01-29-eu-west-2-05-spot-workload')
    assert.equal(m[3], firstRun, 'the origin run')
    assert.doesNotMatch(o.progress, /following \d+ earlier scenario\(s\) first/, 'an earlier scenario was followed again')
    assert.match(o.allure, new RegExp(`Restored snapshot ${m[1]} .*saved by run ${firstRun}`))
    assert.ok(
      [...o.statuses.values()].every((s) => s === 'PASSED'),
      JSON.stringify([...o.statuses]),
    )
  })

  it('SPOTCHECK_SNAPSHOTS=0 follows the earlier sections again', async () => {
    const o = await cucumber(projectRoot, ['--tags', '@nodepool'], { SPOTCHECK_SNAPSHOTS: '0' })
    assert.doesNotMatch(o.progress, /Restored snapshot/)
    assert.match(o.progress, /following \d+ earlier scenario\(s\) first/)
  })

  it('after an edit of an earlier section, snapshots made from the old text are refused and an older valid one is used', async () => {
    const clone = mkdtempSync(join(tmpdir(), 'spotcheck-section-clone-'))
    try {
      // The project's text in another directory, with Step 3's feature edited (a comment suffices).
      for (const entry of readdirSync(projectRoot)) {
        if (['.git', '.spotcheck', 'allure-results', 'allure-report', 'reports'].includes(entry)) continue
        if (entry === 'node_modules') {
          symlinkSync(join(projectRoot, entry), join(clone, entry))
          continue
        }
        cpSync(join(projectRoot, entry), join(clone, entry), { recursive: true, verbatimSymlinks: true })
      }
      writeFileSync(join(clone, 'features', '04-nodepool.feature'), '\n# edited by a test\n', { flag: 'a' })
      const o = await cucumber(clone, ['--tags', '@spot-workload'])
      const m = restoredLine.exec(o.progress)
      assert.ok(m, `no snapshot restored:\n${o.progress}`)
      assert.equal(m[1], 'tutorial-as-written-2024-01-29-eu-west-2-03-cluster')
      assert.match(
        o.allure,
        /Section snapshot not used: tutorial-as-written-2024-01-29-eu-west-2-04-nodepool: the text up to features\/04-nodepool\.feature changed since it was saved/,
      )
      assert.match(o.progress, /following 2 earlier scenario\(s\) first: The account may launch Spot instances; A default NodePool/, 'Step 3 followed again')
    } finally {
      rmSync(clone, { recursive: true, force: true })
    }
  })
})
