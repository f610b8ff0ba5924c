// The aws target's own environment and refusals, and the rehearsal's parameters: what
// `-p aws` and `-p aws-rehearsal` run with, before any account is reached.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, execFileSync } from 'node:child_process'
import { promisify } from 'node:util'
import { createServer } from 'node:http'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EditionError } from '../../../support/editions/edition.ts'
import { OptInError, awsRunEnvironment, checkParameters, rehearsalCleanupEnvironment, startTarget, targetRef } from '../../../support/target.ts'
import { terraformAdditionsDir } from '../../../support/terraform-additions.ts'
import { SandboxPaths } from '../../../sandbox/state.ts'
import { standInsDir } from '../../../lib/paths.ts'
import { awscliCompatDir as AWSCLI_COMPAT_DIR } from '../../../lib/paths.ts'

const TODAY = '2026-12-06'

describe('the rehearsal parameter', () => {
  it('is refused with the sandbox target, saying what to use', () => {
    assert.throws(
      () => checkParameters({ target: 'sandbox', rehearsal: true }, { today: TODAY }),
      (e: Error) => e instanceof EditionError && /"rehearsal" rehearses the aws target .* -p aws-rehearsal/.test(e.message),
    )
  })

  it('is true or false', () => {
    assert.throws(() => checkParameters({ target: 'aws', rehearsal: 'yes' as never }, { today: TODAY }), /"rehearsal" is true or false, got "yes"/)
  })

  it('keeps the aws target as it is: always today (asOf refused), any edition', () => {
    assert.equal(checkParameters({ target: 'aws', rehearsal: true, edition: 'current' }, { today: TODAY }).asOf, TODAY)
    assert.throws(() => checkParameters({ target: 'aws', rehearsal: true, asOf: '2025-01-01' }, { today: TODAY }))
  })

  it("is recorded in the ledger's target: aws, with the sandbox that plays the account", () => {
    assert.deepEqual(targetRef({ target: 'aws', rehearsal: true }, '20261206-ab12', '/h'), {
      name: 'aws',
      region: 'eu-west-2',
      rehearsalSandbox: { sandbox: 'run-20261206-ab12', home: '/h' },
    })
    assert.deepEqual(targetRef({ target: 'aws', rehearsal: true, region: 'us-east-1' }, 'x', '/h').region, 'us-east-1')
  })
})

describe('the aws target refuses a shell that points at a sandbox (audit C3)', () => {
  for (const [variable, value] of [
    ['AWS_ENDPOINT_URL', 'http://127.0.0.1:40123'],
    ['SPOTCHECK_SANDBOX', 'default'],
    ['SPOTCHECK_TARGET', 'sandbox'],
  ]) {
    it(`${variable}: before STS is asked and before anything is written`, async () => {
      const runDir = mkdtempSync(join(tmpdir(), 'refused-'))
      const saved = process.env[variable]
      process.env[variable] = value
      try {
        await assert.rejects(
          startTarget({ target: 'aws', region: 'eu-west-2', awsAccount: '123456789012' }, { runId: 'r', runDir, home: runDir, progress: () => {} }),
          (e: Error) => e instanceof OptInError && e.message.includes(`${variable}=${value}`) && e.message.includes(`unset ${variable}`),
        )
        assert.deepEqual(readdirSync(runDir), [])
      } finally {
        if (saved === undefined) delete process.env[variable]
        else process.env[variable] = saved
      }
    })
  }
})

describe("the aws target's environment", () => {
  const edition = checkParameters({ target: 'aws', edition: 'current' }, { today: TODAY })
  const base = { HOME: '/home/me', PATH: '/usr/bin:/bin', AWS_PROFILE: 'nightly' }

  it('is the real tools, the run kubeconfig, JSON output, the run tag and the additions directory', () => {
    const runDir = mkdtempSync(join(tmpdir(), 'aws-env-'))
    const env = awsRunEnvironment(base, { runId: 'r1', runDir, region: 'us-west-2', edition, awsCliVersion: 'aws-cli/2.22.4 Python/3.12.6' })
    assert.equal(env.AWS_REGION, 'us-west-2')
    assert.equal(env.AWS_DEFAULT_REGION, 'us-west-2')
    assert.equal(env.AWS_DEFAULT_OUTPUT, 'json')
    assert.equal(env.AWS_PROFILE, 'nightly')
    assert.equal(env.KUBECONFIG, join(runDir, 'kubeconfig'))
    assert.equal(env.SPOTCHECK_TARGET, 'aws')
    assert.equal(env.PATH, `${standInsDir}:/usr/bin:/bin`)
    assert.equal(env.TF_VAR_run_id, 'r1')
    assert.equal(env.SPOTCHECK_TERRAFORM_ADDITIONS, terraformAdditionsDir(runDir))
    assert.deepEqual(readdirSync(env.SPOTCHECK_TERRAFORM_ADDITIONS), [])
    // CLI v2: nothing of the user's aws config is replaced.
    assert.equal(env.AWS_CONFIG_FILE, undefined)
    assert.equal(env.PYTHONPATH, undefined)
    // None of the sandbox's stand-in variables.
    for (const k of [
      'AWS_ENDPOINT_URL',
      'SPOTCHECK_SANDBOX',
      'SPOTCHECK_AS_OF',
      'TF_VAR_kubernetes_version',
      'TF_VAR_karpenter_chart_version',
      'TF_CLI_CONFIG_FILE',
    ])
      assert.equal(env[k], undefined, k)
  })

  it("with aws CLI v1 the tutorial's v2 options and a user's `output = table` work (the real aws CLI)", async (t) => {
    let version: string
    try {
      version = execFileSync('aws', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    } catch {
      t.skip('no aws CLI on this machine')
      return
    }
    if (!version.startsWith('aws-cli/1.')) {
      t.skip(`aws CLI ${version.trim()} is v2: nothing to map`)
      return
    }
    // An offline STS, as in a rehearsal: GetCallerIdentity only.
    const server = createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        res.setHeader('content-type', 'text/xml')
        res.end(
          '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/r</Arn><UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
        )
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const home = mkdtempSync(join(tmpdir(), 'user-'))
      const userConfig = join(home, 'config')
      writeFileSync(userConfig, '[default]\noutput = table\n')
      const runDir = mkdtempSync(join(tmpdir(), 'aws-v1-'))
      const { port } = server.address() as { port: number }
      const env = awsRunEnvironment(
        {
          HOME: home,
          PATH: process.env.PATH,
          AWS_CONFIG_FILE: userConfig,
          AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
          AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'secret',
        },
        { runId: 'r1', runDir, region: 'eu-west-2', edition, awsCliVersion: version },
      )
      assert.equal(env.AWS_CONFIG_FILE, join(runDir, 'aws-config'))
      assert.ok(env.PYTHONPATH.split(':').includes(AWSCLI_COMPAT_DIR))
      assert.equal(readFileSync(userConfig, 'utf8'), '[default]\noutput = table\n', "the user's config is unchanged")
      // Asynchronously: the STS above answers from this process.
      const { stdout } = await promisify(execFile)('aws', ['sts', 'get-caller-identity', '--no-cli-pager'], { env, encoding: 'utf8' })
      assert.equal((JSON.parse(stdout) as { Account: string }).Account, '123456789012')
    } finally {
      server.close()
    }
  })
})

describe('cleanup after a killed rehearsal', () => {
  function header(home: string) {
    const runDir = join(home, 'runs', 'r1')
    return {
      runId: 'r1',
      workDir: join(runDir, 'work'),
      kubeconfig: join(runDir, 'kubeconfig'),
      target: { name: 'aws' as const, region: 'eu-west-2', rehearsalSandbox: { sandbox: 'run-r1', home } },
    }
  }

  it("works against the rehearsal's sandbox while it runs, never the shell's own credentials", () => {
    const home = mkdtempSync(join(tmpdir(), 'home-'))
    const paths = new SandboxPaths('run-r1', home)
    mkdirSync(paths.dir, { recursive: true })
    writeFileSync(paths.config, JSON.stringify({ name: 'run-r1', region: 'eu-west-2', accessKeyId: 'AKIASANDBOX', secretAccessKey: 'sandbox-secret' }))
    writeFileSync(paths.state, JSON.stringify({ pid: process.pid, ready: true, awsEndpoint: 'http://127.0.0.1:40123' }))
    const saved = process.env.AWS_PROFILE
    process.env.AWS_PROFILE = 'production'
    try {
      const env = rehearsalCleanupEnvironment(header(home))!
      assert.equal(env.AWS_ENDPOINT_URL, 'http://127.0.0.1:40123')
      assert.equal(env.AWS_ACCESS_KEY_ID, 'AKIASANDBOX')
      assert.equal(env.AWS_PROFILE, undefined)
      assert.equal(env.SPOTCHECK_TARGET, 'aws')
      assert.equal(env.SPOTCHECK_REHEARSAL, '1')
      assert.equal(env.KUBECONFIG, header(home).kubeconfig)
      // The runner's directory is gone (restored from the bucket without it): the sandbox's own provider mirror.
      assert.equal(env.TF_CLI_CONFIG_FILE, paths.terraformrc)
      mkdirSync(join(home, 'runs', 'r1'), { recursive: true })
      writeFileSync(join(home, 'runs', 'r1', 'terraform.rc'), "# the run's\n")
      assert.equal(rehearsalCleanupEnvironment(header(home))!.TF_CLI_CONFIG_FILE, join(home, 'runs', 'r1', 'terraform.rc'))
    } finally {
      if (saved === undefined) delete process.env.AWS_PROFILE
      else process.env.AWS_PROFILE = saved
    }
  })

  it('has nothing to work against once the sandbox is gone (everything went with it)', () => {
    assert.equal(rehearsalCleanupEnvironment(header(mkdtempSync(join(tmpdir(), 'home-')))), undefined)
  })
})
