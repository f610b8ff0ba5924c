// What the preflight judges of an edition: its versions (resolveEdition), and what its texts say
// once its edits are applied — the apiVersions and AMI family of the Karpenter manifests in the
// features' command blocks, and the provider and module constraints of the tutorial's main.tf
// (fixtures/tutorial/main.tf with the edition's file edits).

import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { applyEdits, applyFileEdits } from './editions/apply.ts'
import { sectionBlocks, type SectionBlock } from './editions/check.ts'
import type { ResolvedEdition } from './editions/edition.ts'
import { readTutorialFile } from './editions/tutorial-files.ts'
import { karpenterApiVersions, nodeImageFamilyOf, type EditionUnderTest } from './preflight.ts'
import { parseFeature } from './tutorial-commands.ts'
import { projectRoot } from '../lib/paths.ts'

/** The tutorial's EC2NodeClass says `amiFamily: AL2`, and its node group is AL2 (EKS 1.29's default). */
const TUTORIAL_NODE_IMAGE_FAMILY = 'AL2'

export interface EditionTexts {
  blocks?: SectionBlock[]
  /** The tutorial's main.tf as published. */
  mainTf?: string
}

export function editionUnderTest(resolved: ResolvedEdition, texts: EditionTexts = {}): EditionUnderTest {
  const { view, edits } = resolved
  const blocks = (texts.blocks ?? sectionBlocks()).map((b) => applyEdits(b.tags, b.text, edits, view).text)
  const mainTf = applyFileEdits('main.tf', texts.mainTf ?? readTutorialFile('main.tf'), edits, view).text
  return {
    edition: resolved.edition,
    asOf: resolved.asOf,
    kubernetesVersion: resolved.versions.kubernetesVersion,
    karpenterChartVersion: resolved.versions.karpenterChartVersion,
    nodeImageFamily: nodeImageFamilyOf(blocks) ?? TUTORIAL_NODE_IMAGE_FAMILY,
    karpenterApiVersions: karpenterApiVersions(blocks),
    terraformConstraints: terraformConstraints(mainTf),
    // Both editions keep the tutorial's optional Step 1 (features/02-cloud9.feature).
    cloud9: true,
  }
}

/**
 * The version constraints a main.tf writes: each required provider by its source
 * ("hashicorp/helm" → ">= 2.4.1"), and each registry module by its source without the
 * submodule path ("terraform-aws-modules/iam/aws" → "5.20").
 */
export function terraformConstraints(mainTf: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of mainTf.matchAll(/\bsource\s*=\s*"([^"]+)"\s*\n\s*version\s*=\s*"([^"]+)"/g)) {
    const source = m[1].replace(/\/\/.*$/, '')
    if (source.split('/').length >= 2) out[source] = m[2]
  }
  return out
}

/** The required providers of a main.tf (those with a two-part source), for a scratch `terraform init`. */
export function requiredProviders(constraints: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(constraints).filter(([source]) => source.split('/').length === 2))
}

/** Section tag → the feature's name ("@cluster" → "Step 2: Create an EKS cluster …"). */
export function sectionNames(dir = join(projectRoot, 'features')): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.feature'))) {
    const feature = parseFeature(join(dir, name)).feature
    if (!feature) continue
    for (const tag of feature.tags) if (!tag.name.includes('=') && !['@optional', '@always'].includes(tag.name)) out[tag.name] = feature.name
  }
  return out
}
