// A rehearsal of the aws target holds its account and region and keeps its state in the bucket
// from the moment its opt-in passed: Run.start takes the run lock, creates the state bucket in the
// sandbox (never on a real account), writes the Terraform backend where wget will copy it beside
// main.tf, and mirrors the ledger — awaited before a block runs; finish releases the lock and
// writes the last copy before the sandbox (the account) stops.

import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execa } from 'execa'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GetObjectCommand } from '@aws-sdk/client-s3'
import { ledgerKey, s3Client } from '../../../support/remote-state.ts'
import { readRunLock, ssmClient } from '../../../support/run-lock.ts'
import { Run, latestRunFile } from '../../../support/run.ts'
import type { LedgerFile } from '../../../support/ledger.ts'
import { projectRoot } from '../../../lib/paths.ts'

const BUCKET = 'spotcheck-run-state'
const home = mkdtempSync(join(tmpdir(), 'spotcheck-run-state-'))
const saved = process.env.SPOTCHECK_STATE_BUCKET

after(async () => {
  if (saved === undefined) delete process.env.SPOTCHECK_STATE_BUCKET
  else process.env.SPOTCHECK_STATE_BUCKET = saved
  await execa(process.execPath, [join(projectRoot, 'bin', 'spotcheck.ts'), 'sandbox', 'down', '--all'], {
    env: { ...process.env, SPOTCHECK_HOME: home },
    reject: false,
  })
})

async function remoteLedger(env: Record<string, string>, runId: string, region: string): Promise<LedgerFile> {
  const s3 = s3Client(env)
  try {
    return JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: ledgerKey(region, runId) }))).Body!.transformToString()) as LedgerFile
  } finally {
    s3.destroy()
  }
}

describe('a rehearsal: run lock and remote state', { timeout: 5 * 60_000 }, () => {
  it('is "latest" only once it holds the account; writes the backend, mirrors the ledger before a block runs; releases the lock before the account stops', async () => {
    process.env.SPOTCHECK_STATE_BUCKET = BUCKET
    const run = new Run({ target: 'aws', rehearsal: true, awsAccount: '123456789012', edition: 'current' }, home)
    assert.ok(!existsSync(latestRunFile(home)), 'latest written before the opt-in (a refused run would be "cleaned up" as having nothing left)')
    try {
      await run.start()
      const target = run.target!
      assert.equal(readFileSync(latestRunFile(home), 'utf8').trim(), run.id)
      assert.equal(run.ledger.header.account, '123456789012')
      assert.equal(run.ledger.header.rehearsal, true)
      assert.equal(run.ledger.header.stateBucket, BUCKET)
      const override = readFileSync(join(run.dir, 'terraform-additions', 'spotcheck_backend_override.tf'), 'utf8')
      assert.match(override, new RegExp(`key\\s+= "spotcheck/${target.region}/runs/${run.id}/terraform/work\\.tfstate"`))
      assert.match(override, /use_lockfile = true/)
      assert.match(override, /use_path_style = true/, "the sandbox's endpoint is addressed path-style")
      const ssm = ssmClient(target.env)
      assert.equal((await readRunLock(ssm, target.region))?.runId, run.id, 'the run does not hold the lock')

      // What World.sh does before a block runs: record, then wait until the bucket has it.
      const spec = { kind: 'cloudformation-stack' as const, stack: 'fis-spot-and-karpenter' }
      run.ledger.record(spec, 'Step 6')
      const done = await run.syncState([spec])
      assert.deepEqual(
        (await remoteLedger(target.env, run.id, target.region)).entries.map((e) => e.kind),
        ['sandbox', 'cloudformation-stack'],
      )
      await done()

      // When the account (the sandbox) stops, the lock is gone and the bucket has the final ledger.
      const stop = target.stop.bind(target)
      let atStop: { lock?: string; states: string[] } | undefined
      target.stop = async () => {
        atStop = {
          lock: (await readRunLock(ssm, target.region))?.runId,
          states: (await remoteLedger(target.env, run.id, target.region)).entries.map((e) => `${e.kind}:${e.state}`),
        }
        await stop()
      }
      await run.finish('passed')
      ssm.destroy()
      assert.deepEqual(atStop, { lock: undefined, states: ['sandbox:open', 'cloudformation-stack:gone'] })
    } finally {
      await run.finish('failed')
    }
  })
})
