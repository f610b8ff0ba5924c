import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { sandboxEnvironment, shellExports, shellQuote } from '../../../sandbox/exports.ts'
import { join } from 'node:path'
import { spotcheckHome, standInsDir } from '../../../lib/paths.ts'
import { SandboxPaths, type SandboxConfig, type SandboxState } from '../../../sandbox/state.ts'

const config: SandboxConfig = {
  name: 'default',
  region: 'eu-west-2',
  timeScale: 20,
  spotSeed: 1,
  accessKeyId: 'AKIAEXAMPLE',
  secretAccessKey: "se'cret$with spaces",
  awsPort: 0,
  controlPort: 0,
  asOf: '2024-01-29',
}
const state: SandboxState = {
  pid: 1,
  startedAt: new Date().toISOString(),
  ready: true,
  awsEndpoint: 'http://127.0.0.1:4566',
  awsPid: 2,
  controlUrl: 'http://127.0.0.1:4567',
  clusters: [],
}

describe('sandbox exports', () => {
  const env = sandboxEnvironment(new SandboxPaths('default'), config, state, '/usr/bin:/bin')

  it('point every AWS client at the sandbox, in both region variables', () => {
    assert.equal(env.AWS_ENDPOINT_URL, 'http://127.0.0.1:4566')
    assert.equal(env.AWS_REGION, 'eu-west-2')
    // The aws CLI v1 reads only AWS_DEFAULT_REGION.
    assert.equal(env.AWS_DEFAULT_REGION, 'eu-west-2')
    assert.equal(env.AWS_ACCESS_KEY_ID, 'AKIAEXAMPLE')
  })

  it("say which day's AWS the sandbox answers as", () => {
    assert.equal(env.SPOTCHECK_AS_OF, '2024-01-29')
    assert.match(shellExports(env), /^export SPOTCHECK_AS_OF=2024-01-29$/m)
  })

  it('give kubectl and Terraform files owned by the sandbox', () => {
    assert.equal(env.KUBECONFIG, join(spotcheckHome(), 'sandboxes', 'default', 'kubeconfig'))
    assert.match(env.TF_CLI_CONFIG_FILE!, /sandboxes\/default\/terraform\.rc$/)
    assert.match(env.KUBECACHEDIR!, /sandboxes\/default\/kube-cache$/)
  })

  it('put the tool stand-ins first on PATH, once', () => {
    const again = sandboxEnvironment(new SandboxPaths('default'), config, state, `${standInsDir}:/usr/bin`)
    assert.equal(again.PATH, `${standInsDir}:/usr/bin`)
    assert.equal(env.PATH, `${standInsDir}:/usr/bin:/bin`)
  })

  it('survive a round trip through bash, keeping the shell own PATH after the stand-ins', () => {
    const forShell = sandboxEnvironment(new SandboxPaths('default'), config, state)
    const script = `${shellExports(forShell)}\nprintf '%s\\n' "$AWS_SECRET_ACCESS_KEY" "\${AWS_SESSION_TOKEN-unset}" "$KUBECONFIG" "$PATH" "[$AWS_PAGER]"`
    const out = execFileSync('bash', ['-c', script], { env: { PATH: '/usr/bin:/bin', AWS_SESSION_TOKEN: 'inherited' } }).toString()
    const [secret, token, kubeconfig, path, pager] = out.trimEnd().split('\n')
    assert.deepEqual([secret, token, kubeconfig, pager], [config.secretAccessKey, 'unset', env.KUBECONFIG, '[]'])
    // The stand-ins come first and the shell's own PATH (whatever bash's startup added to it) stays.
    assert.ok(path.startsWith(`${standInsDir}:`) && path.endsWith(':/usr/bin:/bin'), path)
  })

  it('quote only when needed', () => {
    assert.equal(shellQuote('http://127.0.0.1:4566'), 'http://127.0.0.1:4566')
    assert.equal(shellQuote('a b'), "'a b'")
    assert.equal(shellQuote("it's"), `'it'\\''s'`)
  })
})
