// The wget stand-in on aws and in a rehearsal: spotcheck's own Terraform files
// ($SPOTCHECK_TERRAFORM_ADDITIONS) go beside the tutorial's main.tf when it is fetched, and stderr
// says so; a rehearsal serves the sandbox's stand-ins instead of fetching GitHub.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { standInsDir } from '../../../lib/paths.ts'
import { projectRoot } from '../../../lib/paths.ts'
import { loadTutorialSources } from '../../../support/editions/tutorial-files.ts'
import { fetchLogPath, readFetchLog } from '../../../support/editions/fetched.ts'

const sources = loadTutorialSources()
const MAIN_TF = `${sources.raw}cluster/terraform/main.tf`
const FIS = `${sources.raw}fis/spotinterruption.yaml`

/** A fake "real" wget that writes a small main.tf; the file `called` records that it ran. */
function fakeRealWget(): string {
  const dir = mkdtempSync(join(tmpdir(), 'real-wget-'))
  writeFileSync(
    join(dir, 'wget'),
    `#!/usr/bin/env bash\nfor a in "$@"; do case "$a" in http*) out="$(basename "$a")";; esac; done\necho 'provider "aws" { alias = "x" }' > "$out"\ntouch "${join(dir, 'called')}"\n`,
  )
  chmodSync(join(dir, 'wget'), 0o755)
  return dir
}

function additions(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'additions-'))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  mkdirSync(join(dir, 'not-a-file'))
  return dir
}

function wget(url: string, env: Record<string, string>, realDir?: string) {
  const cwd = mkdtempSync(join(tmpdir(), 'work-'))
  const PATH = [standInsDir, realDir, '/usr/bin', '/bin'].filter(Boolean).join(':')
  const r = spawnSync('bash', [join(standInsDir, 'wget'), url], { cwd, env: { HOME: cwd, ...env, PATH }, encoding: 'utf8' })
  return { ...r, cwd }
}

describe("the wget stand-in adds spotcheck's Terraform files", () => {
  const files = { 'spotcheck_run_tag_override.tf': '# tags\n', '.terraform.lock.hcl': '# lock\n' }

  it('on aws: beside the fetched main.tf, dotfiles too, and says so', () => {
    const real = fakeRealWget()
    const r = wget(MAIN_TF, { SPOTCHECK_TARGET: 'aws', SPOTCHECK_TERRAFORM_ADDITIONS: additions(files) }, real)
    assert.equal(r.status, 0, r.stderr)
    assert.ok(existsSync(join(real, 'called')), 'the real wget fetched main.tf')
    for (const [name, text] of Object.entries(files)) assert.equal(readFileSync(join(r.cwd, name), 'utf8'), text)
    assert.match(r.stderr, /^spotcheck adds: (\.terraform\.lock\.hcl spotcheck_run_tag_override\.tf|spotcheck_run_tag_override\.tf \.terraform\.lock\.hcl)$/m)
    assert.equal(existsSync(join(r.cwd, 'not-a-file')), false)
  })

  it('on aws: not beside other files the tutorial fetches', () => {
    const r = wget(FIS, { SPOTCHECK_TARGET: 'aws', SPOTCHECK_TERRAFORM_ADDITIONS: additions(files) }, fakeRealWget())
    assert.equal(r.status, 0, r.stderr)
    assert.equal(existsSync(join(r.cwd, '.terraform.lock.hcl')), false)
    assert.doesNotMatch(r.stderr, /spotcheck adds/)
  })

  it('on aws: nothing to say when the directory is unset or empty', () => {
    for (const env of [{} as Record<string, string>, { SPOTCHECK_TERRAFORM_ADDITIONS: '' }, { SPOTCHECK_TERRAFORM_ADDITIONS: additions({}) }]) {
      const r = wget(MAIN_TF, { SPOTCHECK_TARGET: 'aws', ...env }, fakeRealWget())
      assert.equal(r.status, 0, r.stderr)
      assert.doesNotMatch(r.stderr, /spotcheck adds/)
    }
  })

  it('in a rehearsal: the stand-in main.tf and its modules, never GitHub, then the additions', () => {
    const real = fakeRealWget()
    const log = fetchLogPath(mkdtempSync(join(tmpdir(), 'run-')))
    const r = wget(
      MAIN_TF,
      { SPOTCHECK_TARGET: 'aws', SPOTCHECK_REHEARSAL: '1', SPOTCHECK_FETCH_LOG: log, SPOTCHECK_TERRAFORM_ADDITIONS: additions(files) },
      real,
    )
    assert.equal(r.status, 0, r.stderr)
    assert.equal(existsSync(join(real, 'called')), false, 'the real wget was not called')
    assert.equal(readFileSync(join(r.cwd, 'main.tf'), 'utf8'), readFileSync(join(projectRoot, 'fixtures', 'terraform', 'sandbox', 'main.tf'), 'utf8'))
    assert.ok(existsSync(join(r.cwd, 'modules', 'eks')))
    assert.ok(existsSync(join(r.cwd, '.terraform.lock.hcl')))
    assert.match(r.stderr, /spotcheck \(rehearsal, offline\): served from fixtures\/terraform\/sandbox\/main\.tf/)
    assert.match(r.stderr, /spotcheck adds: /)
    assert.equal(readFetchLog(log).records[0].served, 'stand-in')
  })

  it("in a rehearsal: the FIS template is the tutorial's own copy", () => {
    const r = wget(FIS, { SPOTCHECK_TARGET: 'aws', SPOTCHECK_REHEARSAL: '1' }, fakeRealWget())
    assert.equal(r.status, 0, r.stderr)
    assert.equal(
      readFileSync(join(r.cwd, 'spotinterruption.yaml'), 'utf8'),
      readFileSync(join(projectRoot, 'fixtures', 'tutorial', 'spotinterruption.yaml'), 'utf8'),
    )
  })

  it('on the sandbox: never (the sandbox has its own stand-in main.tf)', () => {
    const r = wget(MAIN_TF, { SPOTCHECK_TARGET: 'sandbox', SPOTCHECK_TERRAFORM_ADDITIONS: additions(files) })
    assert.equal(r.status, 0, r.stderr)
    assert.equal(existsSync(join(r.cwd, '.terraform.lock.hcl')), false)
    assert.doesNotMatch(r.stderr, /spotcheck adds/)
  })
})
