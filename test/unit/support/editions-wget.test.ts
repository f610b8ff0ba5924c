// The wget stand-in (bin/stand-ins/wget): on the sandbox it serves spotcheck's stand-ins; on a real
// account it lets the real wget fetch the tutorial's file, then records whether the file is still
// the copy in fixtures/tutorial/ and applies the edition's file edits to it.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { standInsDir } from '../../../lib/paths.ts'
import { projectRoot } from '../../../lib/paths.ts'
import { resolveEdition } from '../../../support/editions/edition.ts'
import { fetchLogPath, readFetchLog, writeFileEditsFor } from '../../../support/editions/fetched.ts'
import { loadTutorialSources, readTutorialFile } from '../../../support/editions/tutorial-files.ts'

const sources = loadTutorialSources()
const MAIN_TF = `${sources.raw}cluster/terraform/main.tf`

/** A directory with a fake "real" wget that writes `content` to the URL's basename (or -O). */
function fakeRealWget(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'real-wget-'))
  writeFileSync(join(dir, 'content'), content)
  writeFileSync(
    join(dir, 'wget'),
    `#!/usr/bin/env bash\nout=""\nfor a in "$@"; do case "$a" in http*) out="$(basename "$a")";; esac; done\ncp "${join(dir, 'content')}" "$out"\necho "real wget: $out" >&2\n`,
  )
  chmodSync(join(dir, 'wget'), 0o755)
  return dir
}

function runWget(env: Record<string, string>, cwd: string, url = MAIN_TF) {
  return spawnSync('bash', [join(standInsDir, 'wget'), url], {
    cwd,
    env: { HOME: cwd, ...env, PATH: `${env.PATH ? `${env.PATH}:` : ''}/usr/bin:/bin` },
    encoding: 'utf8',
  })
}

describe('the wget stand-in', () => {
  it("on the sandbox serves spotcheck's stand-in main.tf and records it", () => {
    const run = mkdtempSync(join(tmpdir(), 'wget-sandbox-'))
    const log = fetchLogPath(run)
    const r = runWget({ SPOTCHECK_TARGET: 'sandbox', SPOTCHECK_FETCH_LOG: log }, run)
    assert.equal(r.status, 0, r.stderr)
    assert.equal(readFileSync(join(run, 'main.tf'), 'utf8'), readFileSync(join(projectRoot, 'fixtures', 'terraform', 'sandbox', 'main.tf'), 'utf8'))
    const [record] = readFetchLog(log).records
    assert.equal(record.served, 'stand-in')
    assert.equal(record.standIn, 'fixtures/terraform/sandbox/main.tf')
    assert.equal(record.upstream, 'cluster/terraform/main.tf')
  })

  it("on aws fetches the real file, finds it identical to the copy, and applies the current edition's file edits", () => {
    const run = mkdtempSync(join(tmpdir(), 'wget-aws-'))
    const edition = resolveEdition({ target: 'aws', edition: 'current' }, { today: '2026-12-06' })
    const real = fakeRealWget(readTutorialFile('main.tf'))
    const r = runWget(
      {
        PATH: `${standInsDir}:${real}`,
        SPOTCHECK_TARGET: 'aws',
        SPOTCHECK_FETCH_LOG: fetchLogPath(run),
        SPOTCHECK_FILE_EDITS: writeFileEditsFor(run, edition),
        SPOTCHECK_NODE: process.execPath,
        TF_VAR_run_id: 'r1',
      },
      run,
    )
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stderr, /real wget: main\.tf/)
    const [record] = readFetchLog(fetchLogPath(run)).records
    assert.equal(record.served, 'upstream')
    assert.equal(record.matchesCopy, true)
    assert.deepEqual(
      record.applied?.sort(),
      edition.edits
        .filter((e) => e.target.kind === 'file')
        .map((e) => e.id)
        .sort(),
    )
    assert.match(readFileSync(join(run, 'main.tf'), 'utf8'), /cluster_version = "1\.35"/)
    assert.equal(readFileSync(record.published!, 'utf8'), readTutorialFile('main.tf'))
  })

  it('on aws warns of a changed file, and stops the block when an edit no longer fits it', () => {
    const run = mkdtempSync(join(tmpdir(), 'wget-aws-drift-'))
    const edition = resolveEdition({ target: 'aws', edition: 'current' }, { today: '2026-12-06' })
    const real = fakeRealWget(readTutorialFile('main.tf').replace('cluster_version = "1.29"', 'cluster_version = "1.31"'))
    const r = runWget(
      {
        PATH: `${standInsDir}:${real}`,
        SPOTCHECK_TARGET: 'aws',
        SPOTCHECK_FETCH_LOG: fetchLogPath(run),
        SPOTCHECK_FILE_EDITS: writeFileEditsFor(run, edition),
        SPOTCHECK_NODE: process.execPath,
      },
      run,
    )
    assert.equal(r.status, 1)
    assert.match(r.stderr, /warning: cluster\/terraform\/main\.tf as fetched differs from spotcheck's copy fixtures\/tutorial\/main\.tf/)
    assert.match(r.stderr, /edit "kubernetes-version" \(.*current\.yaml:\d+, section @cluster\): its published text occurs nowhere in main\.tf/)
    const [record] = readFetchLog(fetchLogPath(run)).records
    assert.equal(record.matchesCopy, false)
    assert.ok(record.error)
  })

  it('on aws, as written, records the fetch and edits nothing', () => {
    const run = mkdtempSync(join(tmpdir(), 'wget-aws-as-written-'))
    const edition = resolveEdition({ target: 'aws' }, { today: '2026-12-06' })
    const real = fakeRealWget(readTutorialFile('spotinterruption.yaml'))
    const r = runWget(
      {
        PATH: `${standInsDir}:${real}`,
        SPOTCHECK_TARGET: 'aws',
        SPOTCHECK_FETCH_LOG: fetchLogPath(run),
        SPOTCHECK_FILE_EDITS: writeFileEditsFor(run, edition),
        SPOTCHECK_NODE: process.execPath,
      },
      run,
      `${sources.raw}fis/spotinterruption.yaml`,
    )
    assert.equal(r.status, 0, r.stderr)
    const [record] = readFetchLog(fetchLogPath(run)).records
    assert.equal(record.matchesCopy, true)
    assert.equal(record.applied, undefined)
    assert.equal(readFileSync(join(run, 'spotinterruption.yaml'), 'utf8'), readTutorialFile('spotinterruption.yaml'))
  })
})
