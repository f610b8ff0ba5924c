// The aws target's environment: a shell that points at a sandbox is refused (audit C3), a
// rehearsal's base has every sandbox pointer removed, and aws CLI v1 gets the v2-options plugin
// in a copy of the user's config (audit A5).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  AWSCLI_COMPAT_PLUGIN,
  awsCliMajor,
  awsCliV1Config,
  inSandboxDir,
  sandboxMarkers,
  sandboxMarkersMessage,
  withoutSandbox,
  withCompatPlugin,
} from '../../../support/aws-environment.ts'
import { standInsDir } from '../../../lib/paths.ts'
import { awscliCompatDir as AWSCLI_COMPAT_DIR } from '../../../lib/paths.ts'

/** A sandbox directory as `spotcheck sandbox up` leaves it: <home>/sandboxes/<name>/ with its files. */
function fakeSandboxDir(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'home-')), 'sandboxes', 'default')
  mkdirSync(dir, { recursive: true })
  for (const f of ['config.json', 'aws-config', 'terraform.rc', 'kubeconfig']) writeFileSync(join(dir, f), '{}')
  return dir
}

describe('an environment that points at a sandbox', () => {
  const sandbox = fakeSandboxDir()
  const cases: [string, Record<string, string>][] = [
    ['AWS_ENDPOINT_URL', { AWS_ENDPOINT_URL: 'http://127.0.0.1:40123' }],
    ['AWS_ENDPOINT_URL_STS', { AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:40123' }],
    ['SPOTCHECK_SANDBOX', { SPOTCHECK_SANDBOX: 'default' }],
    ['SPOTCHECK_TARGET', { SPOTCHECK_TARGET: 'sandbox' }],
    ['TF_CLI_CONFIG_FILE', { TF_CLI_CONFIG_FILE: join(sandbox, 'terraform.rc') }],
    ['AWS_CONFIG_FILE', { AWS_CONFIG_FILE: join(sandbox, 'aws-config') }],
    ['KUBECONFIG', { KUBECONFIG: `/home/me/.kube/config:${join(sandbox, 'kubeconfig')}` }],
  ]
  for (const [variable, env] of cases) {
    it(`is found by ${variable}, and the refusal says how to fix it`, () => {
      const markers = sandboxMarkers({ HOME: '/home/me', PATH: '/usr/bin', ...env })
      assert.deepEqual(
        markers.map((m) => m.variable),
        [variable],
      )
      const message = sandboxMarkersMessage(markers)
      assert.match(message, /^Refusing to run on the aws target: this environment points at a spotcheck sandbox/)
      assert.match(message, new RegExp(`unset ${variable} \\(or open a new shell\\)`))
    })
  }

  it('is what `spotcheck sandbox env` prints: every pointer is named in one refusal', () => {
    const env = {
      AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
      SPOTCHECK_SANDBOX: 'default',
      SPOTCHECK_TARGET: 'sandbox',
      AWS_CONFIG_FILE: join(sandbox, 'aws-config'),
      TF_CLI_CONFIG_FILE: join(sandbox, 'terraform.rc'),
      KUBECONFIG: join(sandbox, 'kubeconfig'),
    }
    assert.match(
      sandboxMarkersMessage(sandboxMarkers(env)),
      /unset AWS_ENDPOINT_URL SPOTCHECK_SANDBOX SPOTCHECK_TARGET AWS_CONFIG_FILE TF_CLI_CONFIG_FILE KUBECONFIG/,
    )
  })

  it("is not found in a real account's environment", () => {
    const env = {
      HOME: '/home/me',
      AWS_PROFILE: 'nightly',
      AWS_REGION: 'eu-west-2',
      SPOTCHECK_TARGET: 'aws',
      AWS_CONFIG_FILE: '/home/me/.aws/config',
      KUBECONFIG: '/home/me/.kube/config',
      TF_CLI_CONFIG_FILE: '/home/me/.terraformrc',
      AWS_ENDPOINT_URL: '',
    }
    assert.deepEqual(sandboxMarkers(env), [])
    assert.equal(inSandboxDir('/home/me/sandboxes-notes/x/kubeconfig'), false)
  })

  it("does not count the rehearsal's own sandbox endpoint, and still any other", () => {
    assert.deepEqual(sandboxMarkers({ AWS_ENDPOINT_URL: 'http://127.0.0.1:40123' }, { allowEndpoint: 'http://127.0.0.1:40123' }), [])
    assert.deepEqual(
      sandboxMarkers({ AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' }, { allowEndpoint: 'http://127.0.0.1:40123' }).map((m) => m.variable),
      ['AWS_ENDPOINT_URL'],
    )
  })
})

describe("a rehearsal's base environment", () => {
  it('has every pointer to a sandbox removed, and keeps the rest', () => {
    const sandbox = fakeSandboxDir()
    const env = withoutSandbox({
      HOME: '/home/me',
      LANG: 'C.UTF-8',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
      AWS_ACCESS_KEY_ID: 'AKIASANDBOX',
      AWS_SECRET_ACCESS_KEY: 'sandbox-secret',
      SPOTCHECK_SANDBOX: 'default',
      SPOTCHECK_TARGET: 'sandbox',
      SPOTCHECK_AS_OF: '2024-01-29',
      AWS_CONFIG_FILE: join(sandbox, 'aws-config'),
      TF_CLI_CONFIG_FILE: join(sandbox, 'terraform.rc'),
      KUBECONFIG: join(sandbox, 'kubeconfig'),
      KUBECACHEDIR: join(sandbox, 'kube-cache'),
      PATH: `${standInsDir}:/usr/local/bin:/usr/bin`,
      PYTHONPATH: `${AWSCLI_COMPAT_DIR}:/opt/py`,
    })
    assert.deepEqual(env, { HOME: '/home/me', LANG: 'C.UTF-8', PATH: '/usr/local/bin:/usr/bin', PYTHONPATH: '/opt/py' })
  })
})

describe('the aws CLI on the aws target', () => {
  it('is told apart by its major version', () => {
    assert.equal(awsCliMajor('aws-cli/1.45.11 Python/3.11.7 Linux/6.1 botocore/1.43.11'), 1)
    assert.equal(awsCliMajor('aws-cli/2.22.4 Python/3.12.6 Linux/6.1 exe/x86_64.ubuntu.24'), 2)
    assert.equal(awsCliMajor('bash: aws: command not found'), undefined)
  })

  it("v1: gets a run copy of the user's config with the plugin; the user's file is untouched", () => {
    const home = mkdtempSync(join(tmpdir(), 'user-'))
    mkdirSync(join(home, '.aws'))
    const user = '[default]\nregion = us-east-1\n\n[profile nightly]\nrole_arn = arn:aws:iam::111111111111:role/x\nsource_profile = default\n'
    writeFileSync(join(home, '.aws', 'config'), user)
    const run = mkdtempSync(join(tmpdir(), 'run-'))
    const env = awsCliV1Config(run, { HOME: home })
    assert.equal(env.AWS_CONFIG_FILE, join(run, 'aws-config'))
    assert.equal(env.PYTHONPATH, AWSCLI_COMPAT_DIR)
    const copy = readFileSync(env.AWS_CONFIG_FILE, 'utf8')
    assert.ok(copy.includes(user), "the copy has all of the user's config")
    assert.match(copy, new RegExp(`\\[plugins\\]\\n${AWSCLI_COMPAT_PLUGIN}\\n$`))
    assert.equal(readFileSync(join(home, '.aws', 'config'), 'utf8'), user)
  })

  it("v1: $AWS_CONFIG_FILE is the user's config when set, and an existing [plugins] section gains the plugin", () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'))
    writeFileSync(join(dir, 'config'), '[plugins]\nendpoint = awscli_plugin_endpoint\n\n[default]\noutput = table\n')
    const run = mkdtempSync(join(tmpdir(), 'run-'))
    const copy = readFileSync(awsCliV1Config(run, { AWS_CONFIG_FILE: join(dir, 'config'), PYTHONPATH: '/opt/py' }).AWS_CONFIG_FILE, 'utf8')
    assert.match(copy, new RegExp(`\\[plugins\\]\\n${AWSCLI_COMPAT_PLUGIN}\\nendpoint = awscli_plugin_endpoint\\n`))
    assert.equal(copy.match(/\[plugins\]/g)?.length, 1)
    assert.equal(withCompatPlugin('', '/nowhere').endsWith(`[plugins]\n${AWSCLI_COMPAT_PLUGIN}\n`), true)
  })
})
