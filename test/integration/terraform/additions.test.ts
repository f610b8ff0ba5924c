// `terraform init` and `terraform validate` of what the aws target runs: the tutorial's main.tf
// with the current edition's edits plus the files spotcheck adds (fixtures/terraform/aws), with
// the committed lock file; and the same additions on the sandbox's stand-in main.tf, as in a
// rehearsal. The first needs registry.terraform.io (the public modules and seven providers): where
// it cannot be reached, the test is skipped and says so. The others need only the local provider
// mirror the sandbox uses (hashicorp/aws), and are skipped, saying so, on a machine without one.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { projectRoot } from '../../../lib/paths.ts'
import { findProviderMirror, terraformCliConfig } from '../../../sandbox/terraform-config.ts'
import { LOCK_FILE, TERRAFORM_ADDITIONS_FIXTURE, writeTerraformAdditions } from '../../../support/terraform-additions.ts'
import { resolveEdition } from '../../../support/editions/edition.ts'
import { applyFileEdits } from '../../../support/editions/apply.ts'
import { readTutorialFile } from '../../../support/editions/tutorial-files.ts'

const REGISTRY = 'https://registry.terraform.io/.well-known/terraform.json'

/** Why the registry cannot be reached, or undefined when it answers (3 s at most). */
async function registryUnreachable(): Promise<string | undefined> {
  try {
    const response = await fetch(REGISTRY, { signal: AbortSignal.timeout(3000) })
    return response.ok ? undefined : `it answered HTTP ${response.status}`
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code
    return cause ?? (error as Error).name
  }
}

/** A directory with a Terraform CLI configuration as `spotcheck sandbox up` writes it. */
function cliConfig(): { env: Record<string, string>; mirror?: { path: string; providers: string[] } } {
  const dir = mkdtempSync(join(tmpdir(), 'tf-cli-'))
  const mirror = findProviderMirror()
  const file = join(dir, 'terraform.rc')
  mkdirSync(join(dir, 'plugin-cache'))
  writeFileSync(file, terraformCliConfig({ pluginCacheDir: join(dir, 'plugin-cache'), mirror }))
  return { env: { TF_CLI_CONFIG_FILE: file, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' }, mirror }
}

async function terraform(dir: string, env: Record<string, string>, args: string[], timeout = 600_000) {
  return execa('terraform', args, { cwd: dir, env: { ...process.env, ...env }, reject: false, timeout, all: true })
}

/** init (verifying every provider against the lock file, which stays as committed) then validate. */
async function initAndValidate(dir: string, env: Record<string, string>): Promise<void> {
  const init = await terraform(dir, env, ['init', '-backend=false', '-input=false', '-no-color', '-lockfile=readonly'])
  assert.equal(init.exitCode, 0, `terraform init failed in ${dir}:\n${init.all}`)
  const validate = await terraform(dir, env, ['validate', '-no-color'])
  assert.equal(validate.exitCode, 0, `terraform validate failed in ${dir}:\n${validate.all}`)
}

const hasAwsMirror = (mirror?: { providers: string[] }) => mirror?.providers.includes('registry.terraform.io/hashicorp/aws') ?? false

describe("Terraform: the tutorial's main.tf with the current edition and spotcheck's additions", () => {
  it('terraform init and validate succeed with the committed lock file (needs registry.terraform.io)', { timeout: 900_000 }, async (t) => {
    const unreachable = await registryUnreachable()
    if (unreachable) {
      t.skip(
        `registry.terraform.io is not reachable from this machine (${unreachable}): terraform init and validate of the tutorial's main.tf with the current edition's edits and fixtures/terraform/aws were NOT run`,
      )
      return
    }
    const dir = mkdtempSync(join(tmpdir(), 'tutorial-current-'))
    const edition = resolveEdition({ edition: 'current', target: 'sandbox' })
    writeFileSync(join(dir, 'main.tf'), applyFileEdits('main.tf', readTutorialFile('main.tf'), edition.edits, edition.view).text)
    const additions = join(dir, 'additions')
    writeTerraformAdditions(additions, { runId: 'spotcheck-test', edition: 'current', rehearsal: false })
    cpSync(additions, dir, { recursive: true })
    await initAndValidate(dir, cliConfig().env)
    // -lockfile=readonly: the providers installed are exactly the locked ones, the file unchanged
    assert.equal(readFileSync(join(dir, LOCK_FILE), 'utf8'), readFileSync(join(TERRAFORM_ADDITIONS_FIXTURE, LOCK_FILE), 'utf8'))
  })
})

describe("Terraform: spotcheck's additions on the sandbox's stand-in main.tf (a rehearsal)", () => {
  const { env, mirror } = cliConfig()
  const skip = hasAwsMirror(mirror) ? false : 'no local mirror of hashicorp/aws (sandbox/terraform-config.ts lists where it is looked for): not run'

  /** The stand-in's directory as wget leaves it in a rehearsal: main.tf, modules/, the additions. */
  function standIn(options: { edition: 'as-written' | 'current' }): string {
    const dir = mkdtempSync(join(tmpdir(), 'stand-in-'))
    cpSync(join(projectRoot, 'fixtures', 'terraform', 'sandbox'), dir, { recursive: true })
    const additions = join(dir, '..', `${dir.split('/').pop()}-additions`)
    writeTerraformAdditions(additions, { runId: 'spotcheck-test', edition: options.edition, rehearsal: true })
    cpSync(additions, dir, { recursive: true })
    return dir
  }

  it('current edition: init against the mirror, with the lock file, and validate succeed (the overrides merge)', { skip, timeout: 300_000 }, async () => {
    await initAndValidate(standIn({ edition: 'current' }), env)
  })

  it('as-written edition: init and validate succeed without a lock file', { skip, timeout: 300_000 }, async () => {
    const dir = standIn({ edition: 'as-written' })
    const init = await terraform(dir, env, ['init', '-backend=false', '-input=false', '-no-color'])
    assert.equal(init.exitCode, 0, init.all)
    const validate = await terraform(dir, env, ['validate', '-no-color'])
    assert.equal(validate.exitCode, 0, validate.all)
  })

  it('init refuses an aws provider whose hash is not the locked one (the lock file is what is checked)', { skip, timeout: 300_000 }, async () => {
    const dir = standIn({ edition: 'current' })
    const lock = readFileSync(join(dir, LOCK_FILE), 'utf8')
    writeFileSync(join(dir, LOCK_FILE), lock.replace(/"h1:edXOJWE4[^"]*"/, '"h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="'))
    const init = await terraform(dir, env, ['init', '-backend=false', '-input=false', '-no-color', '-lockfile=readonly'])
    assert.notEqual(init.exitCode, 0)
    assert.match(init.all ?? '', /checksums previously recorded in the dependency lock file/)
  })

  it("the lock file's aws h1: hash is the mirror's hashicorp/aws 5.100.0 linux_amd64 package", { skip, timeout: 300_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mirror-lock-'))
    writeFileSync(
      join(dir, 'main.tf'),
      'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n      version = "5.100.0"\n    }\n  }\n}\n',
    )
    const r = await terraform(dir, env, ['providers', 'lock', '-no-color', `-fs-mirror=${mirror!.path}`, '-platform=linux_amd64'])
    assert.equal(r.exitCode, 0, r.all)
    const fromMirror = /"(h1:[^"]+)"/.exec(readFileSync(join(dir, LOCK_FILE), 'utf8'))![1]
    const committed = readFileSync(join(TERRAFORM_ADDITIONS_FIXTURE, LOCK_FILE), 'utf8')
    const aws = /provider "registry.terraform.io\/hashicorp\/aws" \{[\s\S]*?\n\}/.exec(committed)![0]
    assert.ok(aws.includes(`"${fromMirror}"`), `the mirror's ${fromMirror} is not in the committed aws entry`)
  })
})
