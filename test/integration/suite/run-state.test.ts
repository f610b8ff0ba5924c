// A run on the aws target holds its account and region and keeps its state in the bucket, from
// the moment its opt-in passed: Run.start takes the run lock, checks the state bucket, writes the
// Terraform backend beside where main.tf will be fetched and mirrors the ledger; a second run is
// refused while the first holds the lock; finish releases it. Against moto (the sandbox's AWS),
// with the opt-in naming moto's account: what a rehearsal does, without its sandbox.

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreateBucketCommand, GetObjectCommand } from '@aws-sdk/client-s3'
import { ledgerKey, s3Client } from '../../../support/remote-state.ts'
import { readRunLock, ssmClient } from '../../../support/run-lock.ts'
import { Run, latestRunFile } from '../../../support/run.ts'
import type { LedgerFile } from '../../../support/ledger.ts'
import { ACCOUNT, REGION, startSandbox, type Sandbox } from '../aws/helpers.ts'

const BUCKET = 'spotcheck-run-state'
let sb: Sandbox
const saved = { ...process.env }

before(async () => {
  sb = await startSandbox()
  // The aws target reads the environment's credentials and region, as on a workstation.
  Object.assign(process.env, sb.env, { SPOTCHECK_AWS_ACCOUNT: ACCOUNT, SPOTCHECK_STATE_BUCKET: BUCKET })
  const s3 = s3Client(sb.env)
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }))
  s3.destroy()
})
after(async () => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k]
  Object.assign(process.env, saved)
  await sb?.close()
})

async function remoteLedger(runId: string): Promise<LedgerFile> {
  const s3 = s3Client(sb.env)
  try {
    return JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: ledgerKey(REGION, runId) }))).Body!.transformToString()) as LedgerFile
  } finally {
    s3.destroy()
  }
}

describe('a run on the aws target: run lock and remote state', { timeout: 5 * 60_000 }, () => {
  it('is not "latest" before its opt-in passed and it holds the account; then holds the lock, writes the backend, mirrors the ledger before a block runs; a second run is refused; finish releases', async () => {
    const home = mkdtempSync(join(tmpdir(), 'spotcheck-run-state-'))
    const run = new Run({ target: 'aws', region: REGION }, home)
    assert.ok(!existsSync(latestRunFile(home)), 'latest written before the opt-in (a refused run would be "cleaned up" as having nothing left)')
    await run.start()
    assert.equal(readFileSync(latestRunFile(home), 'utf8').trim(), run.id)
    assert.equal(run.ledger.header.account, ACCOUNT)
    assert.equal(run.ledger.header.stateBucket, BUCKET)
    const override = readFileSync(join(run.dir, 'terraform-additions', 'spotcheck_backend_override.tf'), 'utf8')
    assert.match(override, new RegExp(`key\\s+= "spotcheck/${REGION}/runs/${run.id}/terraform/work\\.tfstate"`))
    assert.match(override, /use_path_style = true/, 'a custom endpoint (moto) is addressed path-style')

    // What World.sh does before a block runs: record, then wait until the bucket has it.
    run.ledger.record({ kind: 'cloudformation-stack', stack: 'fis-spot-and-karpenter' }, 'Step 6')
    const done = await run.syncState([{ kind: 'cloudformation-stack', stack: 'fis-spot-and-karpenter' }])
    assert.deepEqual((await remoteLedger(run.id)).entries.map((e) => e.kind), ['cloudformation-stack'])
    await done()

    const second = new Run({ target: 'aws', region: REGION }, home)
    await assert.rejects(second.start(), (e: Error) => new RegExp(`another spotcheck run holds account ${ACCOUNT}, region ${REGION}.*run ${run.id} on `).test(e.message))
    await second.finish('failed')
    assert.equal(readFileSync(latestRunFile(home), 'utf8').trim(), run.id, 'a run refused by the lock created nothing: it is not latest')

    const ssm = ssmClient(sb.env)
    assert.equal((await readRunLock(ssm, REGION))?.runId, run.id, "the refused run's finish released another run's lock")
    await run.finish('passed')
    assert.equal(await readRunLock(ssm, REGION), undefined, 'finish did not release the lock')
    assert.equal((await remoteLedger(run.id)).entries[0].state, 'gone', "the bucket's ledger did not follow the unwind")
    ssm.destroy()
  })
})
