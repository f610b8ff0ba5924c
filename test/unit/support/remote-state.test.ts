// The remote state's pure parts: names and keys, the Terraform backend block spotcheck adds beside
// main.tf, which files count as Terraform configuration, and a restored ledger's paths.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { StateBucketError, backendOverride, configFiles, ledgerKey, rebaseLedger, stateBucketName, terraformStateKey } from '../../../support/remote-state.ts'
import type { LedgerFile } from '../../../support/ledger.ts'

describe('remote state: names and keys', () => {
  it('takes the bucket from the world parameter, else SPOTCHECK_STATE_BUCKET; refuses what S3 would', () => {
    assert.equal(stateBucketName({ stateBucket: 'from-params' }, { SPOTCHECK_STATE_BUCKET: 'from-env' }), 'from-params')
    assert.equal(stateBucketName({}, { SPOTCHECK_STATE_BUCKET: 'from-env' }), 'from-env')
    assert.equal(stateBucketName({}, {}), undefined)
    assert.throws(
      () => stateBucketName({}, { SPOTCHECK_STATE_BUCKET: 'Has_Upper' }),
      (e: Error) => e instanceof StateBucketError && /SPOTCHECK_STATE_BUCKET/.test(e.message),
    )
  })

  it('lays a run out under spotcheck/<region>/runs/<runId>/', () => {
    assert.equal(ledgerKey('eu-west-2', '20260101-ab'), 'spotcheck/eu-west-2/runs/20260101-ab/ledger.json')
    assert.equal(terraformStateKey('eu-west-2', '20260101-ab', 'work'), 'spotcheck/eu-west-2/runs/20260101-ab/terraform/work.tfstate')
  })

  it('writes an S3 backend with native locking; path-style only for a custom endpoint', () => {
    const real = backendOverride({ bucket: 'b', region: 'us-east-1', runId: 'r1', dirName: 'work', pathStyle: false })
    assert.match(real, /backend "s3" \{/)
    assert.match(real, /bucket\s+= "b"/)
    assert.match(real, /key\s+= "spotcheck\/us-east-1\/runs\/r1\/terraform\/work\.tfstate"/)
    assert.match(real, /region\s+= "us-east-1"/)
    assert.match(real, /use_lockfile = true/)
    assert.doesNotMatch(real, /use_path_style|dynamodb|endpoint/)
    assert.match(backendOverride({ bucket: 'b', region: 'eu-west-2', runId: 'r1', dirName: 'work', pathStyle: true }), /use_path_style = true/)
  })

  it('keeps *.tf, *.tfvars and .terraform.lock.hcl, also in local modules; never .terraform/ or state', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spotcheck-config-'))
    try {
      for (const f of [
        'main.tf',
        'spotcheck_backend_override.tf',
        '.terraform.lock.hcl',
        'terraform.tfstate',
        'terraform.tfstate.backup',
        'workload.yaml',
        'modules/eks/main.tf',
        '.terraform/modules/x/main.tf',
        '.terraform/terraform.tfstate',
      ]) {
        mkdirSync(join(dir, f, '..'), { recursive: true })
        writeFileSync(join(dir, f), 'x')
      }
      assert.deepEqual(configFiles(dir), ['.terraform.lock.hcl', 'main.tf', 'modules/eks/main.tf', 'spotcheck_backend_override.tf'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("moves a restored ledger's paths from the dead runner's run directory to this machine's", () => {
    const data: LedgerFile = {
      runId: 'r1',
      target: { name: 'aws', region: 'eu-west-2' },
      workDir: '/runner/.spotcheck/runs/r1/work',
      kubeconfig: '/runner/.spotcheck/runs/r1/kubeconfig',
      pid: 4242,
      account: '111122223333',
      createdAt: '2026-01-01T00:00:00Z',
      entries: [
        { kind: 'terraform', dir: '/runner/.spotcheck/runs/r1/work', id: 1, recordedAt: '', by: 'x', state: 'open' },
        { kind: 'cloudformation-stack', stack: 's', id: 2, recordedAt: '', by: 'x', state: 'open' },
      ],
    }
    const moved = rebaseLedger(data, '/here/runs/r1')
    assert.equal(moved.workDir, '/here/runs/r1/work')
    assert.equal(moved.kubeconfig, '/here/runs/r1/kubeconfig')
    assert.equal(moved.pid, undefined, "the dead runner's pid means nothing here")
    assert.deepEqual(moved.entries[0], { ...data.entries[0], dir: '/here/runs/r1/work' })
    assert.equal(moved.account, '111122223333')
  })
})
