// What spotcheck adds beside the tutorial's main.tf on aws: which files each run gets, and that the
// committed pins, the lock file and the tutorial's own constraints agree. `terraform` itself runs
// on these files in test/integration/terraform/additions.test.ts.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  EKS_OVERRIDE_FILE,
  LOCK_FILE,
  providerPins,
  RUN_VALUE_FILE,
  RUN_VARIABLE_FILE,
  TAGS_OVERRIDE_FILE,
  TERRAFORM_ADDITIONS_FIXTURE,
  terraformAdditionsDir,
  TerraformAdditionsError,
  VERSIONS_OVERRIDE_FILE,
  writeTerraformAdditions,
} from '../../../support/terraform-additions.ts'
import { admits } from '../../../platform/constraints.ts'
import { resolveEdition } from '../../../support/editions/edition.ts'
import { applyFileEdits } from '../../../support/editions/apply.ts'
import { readTutorialFile } from '../../../support/editions/tutorial-files.ts'

const fixture = (name: string) => readFileSync(join(TERRAFORM_ADDITIONS_FIXTURE, name), 'utf8')
const written = (options: Parameters<typeof writeTerraformAdditions>[1]) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'additions-')), 'terraform-additions')
  const names = writeTerraformAdditions(dir, options)
  return { dir, names, files: readdirSync(dir).sort() }
}

/** The lock file's providers: address → { version, hashes }. */
function lockEntries(text: string): Map<string, { version: string; hashes: string[] }> {
  const out = new Map<string, { version: string; hashes: string[] }>()
  for (const m of text.matchAll(/^provider "([^"]+)" \{\n([\s\S]*?)^\}/gm)) {
    const version = /^\s*version\s*=\s*"([^"]+)"/m.exec(m[2])![1]
    const hashes = [...m[2].matchAll(/"((?:h1|zh):[^"]+)"/g)].map((h) => h[1])
    out.set(m[1], { version, hashes })
  }
  return out
}

/** The required_providers of main.tf's terraform block: name → { source, version constraint }. */
function requiredProviders(mainTf: string): Map<string, { source: string; version: string }> {
  const block = /required_providers \{([\s\S]*?)\n {2}\}/.exec(mainTf)![1]
  const out = new Map<string, { source: string; version: string }>()
  for (const m of block.matchAll(/(\w+) = \{\s*source\s*=\s*"([^"]+)"\s*version\s*=\s*"([^"]+)"\s*\}/g)) out.set(m[1], { source: m[2], version: m[3] })
  return out
}

/** The tutorial's main.tf with the current edition's file edits, as wget leaves it on aws. */
function currentMainTf(): string {
  const edition = resolveEdition({ edition: 'current', target: 'sandbox' })
  return applyFileEdits('main.tf', readTutorialFile('main.tf'), edition.edits, edition.view).text
}

// The providers' constraints in the modules main.tf calls, at the versions it pins, read in
// their versions.tf files: terraform-aws-modules/terraform-aws-eks v19.19.1 (versions.tf,
// modules/_user_data, modules/*-node-group, its kms module v2.1.0), terraform-aws-vpc v5.0.0,
// terraform-aws-iam v5.20.0 (modules/iam-role-for-service-accounts-eks), aws-ia/
// terraform-aws-eks-blueprints-addons v1.23.0 (and its eks-blueprints-addon v1.1.1, sqs v4.0.1).
const MODULE_CONSTRAINTS: Record<string, string[]> = {
  'hashicorp/aws': ['>= 4.57', '>= 4.33', '>= 5.0', '>= 4.0', '>= 4.47', '>= 4.36'],
  'hashicorp/kubernetes': ['>= 2.10', '>= 2.20'],
  'hashicorp/helm': ['>= 2.9, < 3.0', '>= 2.9'],
  'hashicorp/tls': ['>= 3.0'],
  'hashicorp/time': ['>= 0.9'],
  'hashicorp/cloudinit': ['>= 2.0'],
  'hashicorp/random': ['>= 3.6'],
}

describe('Terraform additions: the files each run gets', () => {
  it('live in <run dir>/terraform-additions', () => {
    assert.equal(terraformAdditionsDir('/x/runs/r1'), '/x/runs/r1/terraform-additions')
  })

  it('current edition on aws: run tag, its value, the log group, the pins and the lock file', () => {
    const { names, files, dir } = written({ runId: '20261206051900-ab12', edition: 'current', rehearsal: false })
    assert.deepEqual(files, [LOCK_FILE, EKS_OVERRIDE_FILE, TAGS_OVERRIDE_FILE, RUN_VALUE_FILE, RUN_VARIABLE_FILE, VERSIONS_OVERRIDE_FILE].sort())
    assert.deepEqual([...names].sort(), files)
    assert.equal(readFileSync(join(dir, LOCK_FILE), 'utf8'), fixture(LOCK_FILE))
    assert.equal(readFileSync(join(dir, VERSIONS_OVERRIDE_FILE), 'utf8'), fixture(VERSIONS_OVERRIDE_FILE))
    assert.match(readFileSync(join(dir, RUN_VALUE_FILE), 'utf8'), /^spotcheck_run_id = "20261206051900-ab12"$/m)
  })

  it('as-written edition: no pins and no lock file, so its providers resolve as a reader’s would', () => {
    const { files } = written({ runId: 'r1', edition: 'as-written', rehearsal: false })
    assert.deepEqual(files, [EKS_OVERRIDE_FILE, TAGS_OVERRIDE_FILE, RUN_VALUE_FILE, RUN_VARIABLE_FILE].sort())
  })

  it('as-written rehearsal: the run tag only', () => {
    const { files } = written({ runId: 'r1', edition: 'as-written', rehearsal: true })
    assert.deepEqual(files, [TAGS_OVERRIDE_FILE, RUN_VALUE_FILE, RUN_VARIABLE_FILE].sort())
  })

  it("current rehearsal: no log group override, and only the stand-in's aws provider pinned", () => {
    const { files, dir } = written({ runId: 'r1', edition: 'current', rehearsal: true })
    assert.deepEqual(files, [LOCK_FILE, TAGS_OVERRIDE_FILE, RUN_VALUE_FILE, RUN_VARIABLE_FILE, VERSIONS_OVERRIDE_FILE].sort())
    const pins = providerPins(readFileSync(join(dir, VERSIONS_OVERRIDE_FILE), 'utf8'))
    assert.deepEqual(
      pins,
      providerPins().filter((p) => p.name === 'aws'),
    )
    const lock = lockEntries(readFileSync(join(dir, LOCK_FILE), 'utf8'))
    assert.deepEqual([...lock.keys()], ['registry.terraform.io/hashicorp/aws'])
    assert.deepEqual(lock.get('registry.terraform.io/hashicorp/aws'), lockEntries(fixture(LOCK_FILE)).get('registry.terraform.io/hashicorp/aws'))
  })

  it('leave files other helpers wrote in the directory alone', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'additions-')), 'terraform-additions')
    mkdirSync(dir, { recursive: true })
    const other = join(dir, 'spotcheck_backend_override.tf')
    writeFileSync(other, 'terraform {}\n')
    writeTerraformAdditions(dir, { runId: 'r1', edition: 'current', rehearsal: true })
    assert.equal(readFileSync(other, 'utf8'), 'terraform {}\n')
  })

  it('refuse a run id that cannot be a tag value or would be read as an HCL template', () => {
    for (const runId of ['', 'a"b', 'x${var.y}', 'a b', 'x'.repeat(129)]) {
      assert.throws(
        () => written({ runId, edition: 'current', rehearsal: false }),
        (e: unknown) => e instanceof TerraformAdditionsError && /run id .* cannot be the spotcheck:run tag/.test(e.message),
      )
    }
  })
})

describe('Terraform additions: pins and lock file of the current edition', () => {
  const pins = providerPins()
  const lock = lockEntries(fixture(LOCK_FILE))

  it('the lock file names exactly the providers and versions the override pins', () => {
    assert.deepEqual(
      [...lock].map(([address, e]) => `${address} ${e.version}`).sort(),
      pins.map((p) => `registry.terraform.io/${p.source} ${p.version}`).sort(),
    )
  })

  it('every provider has the zh: hashes of every platform the registry publishes (at least 12), and each hash once', () => {
    for (const [address, e] of lock) {
      assert.ok(e.hashes.filter((h) => h.startsWith('zh:')).length >= 12, `${address}: ${e.hashes.length} hashes`)
      assert.equal(new Set(e.hashes).size, e.hashes.length, `${address}: a hash twice`)
      for (const h of e.hashes) assert.match(h, /^(zh:[0-9a-f]{64}|h1:[A-Za-z0-9+/]{43}=)$/, address)
    }
  })

  it("pins every provider of the tutorial's main.tf (with the current edits), each satisfying its constraint there", () => {
    const required = requiredProviders(currentMainTf())
    assert.deepEqual([...required.keys()].sort(), ['aws', 'docker', 'helm', 'kubectl', 'kubernetes'])
    for (const [name, { source, version }] of required) {
      const pin = pins.find((p) => p.name === name)
      assert.ok(pin, `no pin for provider ${name}`)
      assert.equal(pin.source, source, `source of ${name}`)
      assert.ok(admits(version, pin.version), `${name} ${pin.version} does not satisfy main.tf's "${version}"`)
    }
  })

  it("satisfies the constraints of main.tf's modules at their pinned versions", () => {
    for (const [source, constraints] of Object.entries(MODULE_CONSTRAINTS)) {
      const pin = pins.find((p) => p.source === source)
      assert.ok(pin, `no pin for ${source}, which the modules require`)
      for (const c of constraints) assert.ok(admits(c, pin.version), `${source} ${pin.version} does not satisfy a module's "${c}"`)
    }
    assert.deepEqual(pins.map((p) => p.source).sort(), [...new Set([...Object.keys(MODULE_CONSTRAINTS), 'gavinbunney/kubectl', 'kreuzwerker/docker'])].sort())
  })

  it("keeps the providers on the major lines the tutorial's modules were written for", () => {
    const major = (source: string) => pins.find((p) => p.source === source)!.version.split('.')[0]
    assert.equal(major('hashicorp/aws'), '5') // 6.x: a major newer than eks 19.19.1 (the edition's aws-provider-pin)
    assert.equal(major('hashicorp/helm'), '2') // 3.x rejects the tutorial's provider "helm" { kubernetes { … } }
    assert.equal(major('hashicorp/kubernetes'), '2') // 3.x: a major newer than eks 19.19.1 and add-ons 1.23.0
  })

  it("the tutorial's modules are pinned exactly, the add-ons module by the edition's edit", () => {
    const text = currentMainTf()
    const versionOf = (source: string) => new RegExp(`source\\s*=\\s*"${source.replace(/[/]/g, '\\/')}"\\s*\\n\\s*version\\s*=\\s*"([^"]+)"`).exec(text)?.[1]
    assert.equal(versionOf('terraform-aws-modules/eks/aws'), '19.19.1')
    assert.equal(versionOf('aws-ia/eks-blueprints-addons/aws'), '1.23.0')
    assert.equal(versionOf('terraform-aws-modules/vpc/aws'), '5.0.0')
    // "5.20" is the exact version 5.20.0 (a bare version is an "=" constraint)
    assert.equal(versionOf('terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks'), '5.20')
    assert.ok(admits('5.20', '5.20.0') && !admits('5.20', '5.20.1'))
  })
})
