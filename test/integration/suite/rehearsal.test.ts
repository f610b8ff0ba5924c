// The whole rehearsal (`-p aws-rehearsal`, every section): the aws target's own code against a
// sandbox the run starts as its account — opt-in, environment, Pricing API, run lock, remote
// state, clean-up and leak audit. This is how `npm test` (and so CI) runs it. What it must prove: every section passes; the ledger says aws, with the
// sandbox that plays the account (stopped at the end); the report says plainly it was a
// rehearsal; the account ID is never printed; and the tutorial's commands ran with the aws
// target's environment — none of the sandbox's stand-in variables beyond what an offline account
// needs (REHEARSAL_ACCOUNT_VARIABLES), nothing pointing into the sandbox's directory.

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execa } from 'execa'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sandboxEnvironment } from '../../../sandbox/exports.ts'
import { projectRoot, standInsDir } from '../../../lib/paths.ts'
import { inspectSandbox, SandboxPaths, type SandboxConfig, type SandboxState } from '../../../sandbox/state.ts'
import type { LedgerFile } from '../../../support/ledger.ts'
import { REHEARSAL_ACCOUNT_VARIABLES } from '../../../support/target.ts'
import { failureDigest } from './cucumber-output.ts'

const home = mkdtempSync(join(tmpdir(), 'spotcheck-rehearsal-'))
const dumps = join(home, 'env-dumps')
const cucumber = join(projectRoot, 'node_modules', '@cucumber', 'cucumber', 'bin', 'cucumber.js')

/** The environment of every bash, as it starts: BASH_ENV runs first in each `bash -c` (the blocks', and others'). */
function envDumper(): string {
  mkdirSync(dumps, { recursive: true })
  const script = join(home, 'dump-env.sh')
  writeFileSync(script, `env -0 > "${dumps}/$$-$RANDOM.env"\n`)
  return script
}

/** The tutorial's blocks' environments: those the terminal ran (it gives each block a state directory). */
function readDumps(): Record<string, string>[] {
  const envs = readdirSync(dumps).map(
    (f) =>
      Object.fromEntries(
        readFileSync(join(dumps, f), 'utf8')
          .split('\0')
          .filter(Boolean)
          .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      ) as Record<string, string>,
  )
  return envs.filter((env) => '__SPOTCHECK_STATE' in env)
}

/** Every variable the sandbox gives its commands, and the sandbox target's own Terraform variables. */
function sandboxStandInVariables(): string[] {
  const paths = new SandboxPaths('x', home)
  const names = Object.keys(sandboxEnvironment(paths, { region: 'eu-west-2' } as SandboxConfig, { awsEndpoint: 'http://x' } as SandboxState, ''))
  return [...names, 'TF_VAR_kubernetes_version', 'TF_VAR_karpenter_chart_version']
}

describe('the aws rehearsal', { timeout: 20 * 60_000 }, () => {
  it('runs the aws target against its own sandbox, says so, and gives the commands the aws environment', async () => {
    const r = await execa(process.execPath, [cucumber, '-p', 'aws-rehearsal', '--format', 'summary', '--format', `message:${join(home, 'messages.ndjson')}`], {
      cwd: projectRoot,
      env: { ...process.env, SPOTCHECK_HOME: home, SPOTCHECK_ALLURE_RESULTS: join(home, 'allure-results'), FORCE_COLOR: '0', BASH_ENV: envDumper() },
      reject: false,
      all: true,
      timeout: 18 * 60_000,
    })
    assert.equal(r.exitCode, 0, failureDigest(r.all))

    // The ledger: target aws, with the rehearsal's sandbox, recorded first and stopped.
    const id = readFileSync(join(home, 'runs', 'latest'), 'utf8').trim()
    const ledger = JSON.parse(readFileSync(join(home, 'runs', id, 'ledger.json'), 'utf8')) as LedgerFile
    const target = ledger.target
    assert.ok(target.name === 'aws' && target.rehearsalSandbox, `the ledger's target is aws with the rehearsal sandbox: ${JSON.stringify(target)}`)
    const sandbox = target.rehearsalSandbox
    const first = ledger.entries[0]
    assert.ok(
      first.kind === 'sandbox' && first.name === sandbox.sandbox && first.home === sandbox.home,
      `the first entry is the rehearsal sandbox: ${JSON.stringify(first)}`,
    )
    assert.equal(ledger.entries[0].state, 'undone')
    assert.equal(inspectSandbox(sandbox.sandbox, sandbox.home).running, false, 'the rehearsal sandbox is stopped')

    // The report says plainly it was a rehearsal.
    const environment = readFileSync(join(home, 'allure-results', 'environment.properties'), 'utf8')
    assert.match(environment, /^target=aws rehearsal \(the aws target's code paths against an offline sandbox account — not a real account\)$/m)
    assert.match(
      environment,
      /^tutorial_file_cluster\/terraform\/main\.tf=spotcheck's stand-in fixtures\/terraform\/sandbox\/main\.tf \(rehearsal: the account is an offline sandbox\)$/m,
    )
    assert.match(r.all, /spotcheck: REHEARSAL: the aws target's code runs against sandbox/)
    assert.match(r.all, /spotcheck: target aws \(REHEARSAL, offline sandbox account\): account \[ACCOUNT\]/)

    // The account ID is redacted from the first line that names it on (audit C6).
    const said = r.all.split('\n').filter((l) => l.startsWith('spotcheck:'))
    assert.deepEqual(
      said.filter((l) => l.includes('123456789012')),
      [],
    )

    // The commands' environment: the aws target's, plus only what an offline account needs.
    const envs = readDumps()
    assert.ok(envs.length >= 3, `${envs.length} blocks ran`)
    const allowed = new Set<string>([
      ...REHEARSAL_ACCOUNT_VARIABLES,
      'AWS_PAGER',
      'SPOTCHECK_TARGET',
      'PATH',
      'KUBECONFIG',
      'KUBECACHEDIR',
      'AWS_CONFIG_FILE',
      'PYTHONPATH',
    ])
    const runDir = join(home, 'runs', id)
    const sandboxDir = new SandboxPaths(sandbox.sandbox, sandbox.home).dir
    for (const env of envs) {
      const standIns = sandboxStandInVariables().filter((k) => k in env && !allowed.has(k))
      assert.deepEqual(standIns, [], 'sandbox stand-in variables beyond the allowed list')
      assert.equal(env.SPOTCHECK_TARGET, 'aws')
      assert.equal(env.SPOTCHECK_REHEARSAL, '1')
      assert.equal(env.AWS_DEFAULT_OUTPUT, 'json')
      assert.equal(env.KUBECONFIG, join(runDir, 'kubeconfig'))
      assert.equal(env.SPOTCHECK_TERRAFORM_ADDITIONS, join(runDir, 'terraform-additions'))
      assert.equal(env.TF_CLI_CONFIG_FILE, join(runDir, 'terraform.rc'))
      if (env.AWS_CONFIG_FILE) assert.equal(env.AWS_CONFIG_FILE, join(runDir, 'aws-config'))
      // (not necessarily first: a pyenv shim, itself a bash script, puts its own directories before it)
      assert.ok(env.PATH.split(':').includes(standInsDir), "the aws target's stand-ins (wget, helm) are on PATH")
      const intoSandbox = Object.entries(env)
        .filter(([, v]) => v.includes(sandboxDir))
        .map(([k]) => k)
      assert.deepEqual(intoSandbox, [], 'variables pointing into the sandbox directory')
    }
    // The aws paths a rehearsal exists for: the run lock, remote state in the bucket, prices from
    // the Price List API (not the sandbox's table), the leak audit.
    assert.match(r.all, /spotcheck: run lock: this run holds account and region/)
    assert.equal(ledger.stateBucket, 'spotcheck-rehearsal-state')
    assert.match(r.all, /spotcheck: remote state: Terraform state and the cleanup ledger in /)
    assert.ok(existsSync(join(ledger.workDir, 'spotcheck_backend_override.tf')), 'the S3 backend override beside main.tf')
    const attachments = readdirSync(join(home, 'allure-results')).filter((f) => f.endsWith('.txt') || f.endsWith('.html') || f.endsWith('.md'))
    const priced = attachments.some((f) => readFileSync(join(home, 'allure-results', f), 'utf8').includes('AWS Price List API (GetProducts'))
    assert.ok(priced, 'a price attachment names the AWS Price List API as its source')
    assert.match(r.all, /spotcheck: leak audit: nothing tagged spotcheck:run=/)
    // wget served the stand-in main.tf and put spotcheck's additions beside it.
    assert.ok(existsSync(join(ledger.workDir, 'spotcheck_rehearsal.auto.tfvars')))
  })
})
