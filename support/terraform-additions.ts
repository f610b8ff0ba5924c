// What spotcheck adds beside the tutorial's cluster/terraform/main.tf on the aws target (and in a
// rehearsal of it): files in one directory of the run, which the tutorial's `wget` copies next to
// main.tf when it fetches it (env SPOTCHECK_TERRAFORM_ADDITIONS). The report shows them as
// "added by spotcheck". The tutorial's own file stays as fetched, plus the edition's edits.
//
// The files are committed in fixtures/terraform/aws/ (its README.md says why each exists and where
// every hash of the lock file comes from); this module picks the ones a run needs:
//
//   spotcheck_run.tf                 variable "spotcheck_run_id"                           always
//   spotcheck_run.auto.tfvars        its value, this run's id                              always
//   spotcheck_override.tf            default_tags spotcheck:run on the default aws provider  always
//   spotcheck_eks_override.tf        Terraform owns the EKS log group, 1-day retention      not in a rehearsal
//   spotcheck_versions_override.tf   exact provider versions                                current edition
//   .terraform.lock.hcl              their registry hashes                                  current edition
//
// The as-written edition gets neither pins nor lock: it resolves its providers as a reader's
// `terraform init` would today, and that drift is what it shows. In a rehearsal the sandbox's
// stand-in main.tf (fixtures/terraform/sandbox) takes the place of the public modules: it uses
// the aws provider only, so only that pin is written (pinning the others would make `terraform
// init` look for providers the stand-in does not use), and its eks module has no log group.
// Other helpers may write files into the same directory (the S3 backend override): this module
// writes only its own files and removes nothing.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from '../lib/paths.ts'
import type { EditionName } from './editions/edition.ts'

/** The committed files spotcheck adds beside the tutorial's main.tf on aws. */
export const TERRAFORM_ADDITIONS_FIXTURE = join(projectRoot, 'fixtures', 'terraform', 'aws')

export const RUN_VARIABLE_FILE = 'spotcheck_run.tf'
export const RUN_VALUE_FILE = 'spotcheck_run.auto.tfvars'
export const TAGS_OVERRIDE_FILE = 'spotcheck_override.tf'
export const EKS_OVERRIDE_FILE = 'spotcheck_eks_override.tf'
export const VERSIONS_OVERRIDE_FILE = 'spotcheck_versions_override.tf'
export const LOCK_FILE = '.terraform.lock.hcl'

/** The providers the sandbox's stand-in main.tf uses (fixtures/terraform/sandbox/main.tf). */
const STAND_IN_PROVIDERS = ['aws']

/** The directory whose files the tutorial's wget copies next to main.tf (SPOTCHECK_TERRAFORM_ADDITIONS). */
export function terraformAdditionsDir(runDir: string): string {
  return join(runDir, 'terraform-additions')
}

export interface TerraformAdditionsOptions {
  /** The run's id: the value of the spotcheck:run tag. */
  runId: string
  edition: EditionName
  /** The sandbox's stand-in main.tf replaces the public modules (fixtures/terraform/sandbox). */
  rehearsal: boolean
}

export class TerraformAdditionsError extends Error {
  override name = 'TerraformAdditionsError'
}

export interface ProviderPin {
  /** The local name in required_providers (aws, helm, …). */
  name: string
  /** namespace/type, e.g. hashicorp/aws. */
  source: string
  version: string
}

/** The pins of spotcheck_versions_override.tf, in file order. */
export function providerPins(text = readFixture(VERSIONS_OVERRIDE_FILE)): ProviderPin[] {
  const pins = [...text.matchAll(/^ {4}([a-z0-9_-]+) = \{\n {6}source {2}= "([^"]+)"\n {6}version = "([^"]+)"\n {4}\}$/gm)].map((m) => ({
    name: m[1],
    source: m[2],
    version: m[3],
  }))
  if (pins.length === 0)
    throw new TerraformAdditionsError(
      `${join(TERRAFORM_ADDITIONS_FIXTURE, VERSIONS_OVERRIDE_FILE)}: no provider pins found (each is "name = { source = "ns/type", version = "x.y.z" }", formatted by terraform fmt)`,
    )
  return pins
}

/** spotcheck_versions_override.tf with only the named providers' pins. */
export function versionsOverrideFor(names: readonly string[], text = readFixture(VERSIONS_OVERRIDE_FILE)): string {
  const keep = providerPins(text).filter((p) => names.includes(p.name))
  const missing = names.filter((n) => !keep.some((p) => p.name === n))
  if (missing.length > 0)
    throw new TerraformAdditionsError(`${join(TERRAFORM_ADDITIONS_FIXTURE, VERSIONS_OVERRIDE_FILE)} pins no provider named ${missing.join(', ')}`)
  const header = text.slice(0, text.indexOf('terraform {'))
  const body = keep.map((p) => `    ${p.name} = {\n      source  = "${p.source}"\n      version = "${p.version}"\n    }\n`).join('')
  return `${header}# In a rehearsal: only the providers of the sandbox's stand-in main.tf (${names.join(', ')}).\nterraform {\n  required_providers {\n${body}  }\n}\n`
}

/** The committed lock file with only the entries of the named providers (local names of the pins). */
export function lockFor(names: readonly string[], text = readFixture(LOCK_FILE)): string {
  const addresses = providerPins()
    .filter((p) => names.includes(p.name))
    .map((p) => `registry.terraform.io/${p.source}`)
  const blocks = [...text.matchAll(/^provider "([^"]+)" \{\n[\s\S]*?^\}\n/gm)]
  const keep = blocks.filter((m) => addresses.includes(m[1]))
  if (keep.length !== addresses.length)
    throw new TerraformAdditionsError(
      `${join(TERRAFORM_ADDITIONS_FIXTURE, LOCK_FILE)} lacks an entry for ${addresses.filter((a) => !keep.some((m) => m[1] === a)).join(', ')}`,
    )
  return text.slice(0, blocks[0].index) + keep.map((m) => m[0]).join('\n')
}

/**
 * Writes the files spotcheck adds beside the tutorial's main.tf for this run into `dir`, and
 * returns their names. Throws TerraformAdditionsError for a run id that cannot be a tag value.
 */
export function writeTerraformAdditions(dir: string, options: TerraformAdditionsOptions): string[] {
  // EC2 tag values allow letters, digits, spaces and + - = . _ : / @; a run id needs far fewer,
  // and nothing that HCL would read as an escape or a template ("${").
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(options.runId)) {
    throw new TerraformAdditionsError(
      `run id ${JSON.stringify(options.runId)} cannot be the spotcheck:run tag: use 1-128 letters, digits, ".", "_", ":" or "-", starting with a letter or digit`,
    )
  }
  mkdirSync(dir, { recursive: true })
  const written: string[] = []
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text)
    written.push(name)
  }
  write(RUN_VARIABLE_FILE, readFixture(RUN_VARIABLE_FILE))
  write(RUN_VALUE_FILE, `# Added by spotcheck: the run whose resources these are (see ${RUN_VARIABLE_FILE}).\nspotcheck_run_id = "${options.runId}"\n`)
  write(TAGS_OVERRIDE_FILE, readFixture(TAGS_OVERRIDE_FILE))
  // Only on a real account: the stand-in's eks module has no log group to own (the sandbox's EKS
  // does not create one), so the rehearsal cannot show this part; see the file's comment.
  if (!options.rehearsal) write(EKS_OVERRIDE_FILE, readFixture(EKS_OVERRIDE_FILE))
  if (options.edition === 'current') {
    write(VERSIONS_OVERRIDE_FILE, options.rehearsal ? versionsOverrideFor(STAND_IN_PROVIDERS) : readFixture(VERSIONS_OVERRIDE_FILE))
    // In a rehearsal, the same entries for the stand-in's providers only: `terraform init
    // -lockfile=readonly` refuses a lock file that names providers the configuration does not use.
    write(LOCK_FILE, options.rehearsal ? lockFor(STAND_IN_PROVIDERS) : readFixture(LOCK_FILE))
  }
  return written
}

function readFixture(name: string): string {
  return readFileSync(join(TERRAFORM_ADDITIONS_FIXTURE, name), 'utf8')
}
