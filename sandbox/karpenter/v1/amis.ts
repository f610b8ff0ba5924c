// AMI selection of Karpenter 1.9 on AWS, as pure functions: the EC2NodeClass's `amiSelectorTerms`
// alias (`al2023@latest`, `al2023@v20261201`, `al2@latest`) names the EKS-optimized AMIs through
// AWS's public SSM parameters; DescribeImages then gives each image's architecture, name and
// creation date; the newest image per requirement set wins. Sources:
// aws/karpenter-provider-aws@v1.9.2 pkg/apis/v1/ec2nodeclass.go (Alias, AMIFamily),
// pkg/providers/amifamily/{ami.go (DescribeImageQueries, amis, compareAMI), al2023.go (resolvePath),
// al2.go, types.go (Variant.Requirements, AMIs.Sort)}, pkg/controllers/nodeclass/ami.go (status).

import type { NodeSelectorRequirement } from '../../k8s/types.ts'
import { LABEL_ARCH, LABEL_INSTANCE_ACCELERATOR_COUNT, LABEL_INSTANCE_GPU_COUNT } from '../labels.ts'
import type { EC2NodeClassV1 } from './api.ts'

const AMI_FAMILIES = ['AL2', 'AL2023', 'Bottlerocket', 'Windows2019', 'Windows2022', 'Windows2025'] as const

export interface Alias {
  family: string
  version: string
}

/** `EC2NodeClass.Alias()`: the first term with an alias, as family and version; throws on a malformed alias. */
export function aliasOf(nodeClass: Pick<EC2NodeClassV1, 'spec'>): Alias | undefined {
  const term = (nodeClass.spec.amiSelectorTerms ?? []).find((t) => t.alias)
  if (!term?.alias) return undefined
  const parts = term.alias.split('@')
  if (parts.length !== 2) throw new Error(`failed to parse AMI alias "${term.alias}", invalid format (expected <family>@<version>, e.g. al2023@latest)`)
  const family = AMI_FAMILIES.find((f) => f.toLowerCase() === parts[0])
  if (!family) throw new Error(`"${parts[0]}" is an invalid alias family (accepted: ${AMI_FAMILIES.map((f) => f.toLowerCase()).join(', ')})`)
  return { family, version: parts[1] }
}

/** `EC2NodeClass.AMIFamily()`: spec.amiFamily, else the alias's family, else Custom. */
export function amiFamilyOf(nodeClass: Pick<EC2NodeClassV1, 'spec'>): string {
  return nodeClass.spec.amiFamily ?? aliasOf(nodeClass)?.family ?? 'Custom'
}

export type Variant = 'standard' | 'nvidia' | 'neuron'

/** types.go `Variant.Requirements`. */
function variantRequirements(v: Variant): NodeSelectorRequirement[] {
  switch (v) {
    case 'standard':
      return [
        { key: LABEL_INSTANCE_ACCELERATOR_COUNT, operator: 'DoesNotExist' },
        { key: LABEL_INSTANCE_GPU_COUNT, operator: 'DoesNotExist' },
      ]
    case 'nvidia':
      return [{ key: LABEL_INSTANCE_GPU_COUNT, operator: 'Exists' }]
    case 'neuron':
      return [{ key: LABEL_INSTANCE_ACCELERATOR_COUNT, operator: 'Exists' }]
  }
}

/** One SSM parameter to read and the variants its image serves. */
export interface AliasParameter {
  path: string
  variants: Variant[]
}

/**
 * The SSM parameters an alias reads (al2023.go resolvePath, al2.go DescribeImageQuery). AL2 has
 * none for Kubernetes 1.33+ (`AL2DeprecationError`: the caller sets AMIsReady=False UnsupportedAlias).
 */
export function aliasParameters(alias: Alias, kubernetesVersion: string): AliasParameter[] {
  const latest = alias.version === 'latest'
  if (alias.family === 'AL2023') {
    const out: AliasParameter[] = []
    for (const [arch, variants] of [
      ['x86_64', ['standard', 'nvidia', 'neuron']],
      ['arm64', ['standard', 'nvidia']],
    ] as const) {
      for (const variant of variants) {
        const name = latest ? 'recommended' : `amazon-eks-node-al2023-${arch}-${variant}-${kubernetesVersion}-${alias.version}`
        out.push({ path: `/aws/service/eks/optimized-ami/${kubernetesVersion}/amazon-linux-2023/${arch}/${variant}/${name}/image_id`, variants: [variant] })
      }
    }
    return out
  }
  if (alias.family === 'AL2') {
    const at = (dir: string, prefix: string) =>
      `/aws/service/eks/optimized-ami/${kubernetesVersion}/${dir}/${latest ? 'recommended' : `${prefix}-${kubernetesVersion}-${alias.version}`}/image_id`
    return [
      { path: at('amazon-linux-2', 'amazon-eks-node'), variants: ['standard'] },
      { path: at('amazon-linux-2-arm64', 'amazon-eks-arm64-node'), variants: ['standard'] },
      { path: at('amazon-linux-2-gpu', 'amazon-eks-gpu-node'), variants: ['neuron', 'nvidia'] },
    ]
  }
  throw new Error(`the sandbox resolves only al2023@… and al2@… aliases, not ${alias.family.toLowerCase()}@${alias.version}`)
}

/** ami.go: AL2 aliases are refused from Kubernetes 1.33 on. */
export function aliasUnsupported(alias: Alias, kubernetesVersion: string): string | undefined {
  const minor = Number(kubernetesVersion.split('.')[1])
  if (alias.family === 'AL2' && minor >= 33)
    return 'AL2 aliases are no longer supported on EKS 1.33+ (see https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-standard.html#kubernetes-1-33)'
  return undefined
}

export interface ImageInfo {
  id: string
  name?: string
  architecture?: string
  creationDate?: string
  deprecationTime?: string
}

export interface ResolvedAMI {
  id: string
  name: string
  deprecated: boolean
  creationDate: string
  requirements: NodeSelectorRequirement[]
}

const KUBE_ARCH: Record<string, string> = { x86_64: 'amd64', arm64: 'arm64' }

/** nodeclass/ami.go: requirements sorted by key length, then key. */
function sortRequirements(reqs: NodeSelectorRequirement[]): NodeSelectorRequirement[] {
  return [...reqs].sort((a, b) => a.key.length - b.key.length || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
}

const time = (s: string | undefined, fallback: number) => (s ? Date.parse(s) : fallback)

/**
 * ami.go `amis`: one AMI per requirement set (the newest non-deprecated image wins, then the
 * greater name), sorted newest first then by id (`AMIs.Sort`).
 */
export function resolveAmis(images: readonly ImageInfo[], known: ReadonlyMap<string, readonly Variant[]>, nowMs: number): ResolvedAMI[] {
  const byReqs = new Map<string, ResolvedAMI>()
  for (const image of images) {
    const arch = KUBE_ARCH[image.architecture ?? '']
    if (!arch) continue
    const variants = known.get(image.id)
    const sets: NodeSelectorRequirement[][] = variants
      ? variants.map((v) => [...variantRequirements(v), { key: LABEL_ARCH, operator: 'In', values: [arch] }])
      : [[{ key: LABEL_ARCH, operator: 'In', values: [arch] }]]
    for (const reqs of sets) {
      const requirements = sortRequirements(reqs)
      const key = JSON.stringify(requirements)
      const candidate: ResolvedAMI = {
        id: image.id,
        name: image.name ?? '',
        creationDate: image.creationDate ?? '',
        deprecated: time(image.deprecationTime, Number.POSITIVE_INFINITY) <= nowMs,
        requirements,
      }
      const current = byReqs.get(key)
      if (current && compareAmi(current, candidate) <= 0) continue
      byReqs.set(key, candidate)
    }
  }
  return [...byReqs.values()].sort(
    (a, b) => time(b.creationDate, Number.NEGATIVE_INFINITY) - time(a.creationDate, Number.NEGATIVE_INFINITY) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  )
}

/** ami.go `compareAMI`: negative when `i` is preferred over `j`. */
function compareAmi(i: ResolvedAMI, j: ResolvedAMI): number {
  if (i.deprecated !== j.deprecated) return i.deprecated ? 1 : -1
  const ti = time(i.creationDate, Number.NEGATIVE_INFINITY)
  const tj = time(j.creationDate, Number.NEGATIVE_INFINITY)
  if (ti !== tj) return ti > tj ? -1 : 1
  if (i.name !== j.name) return i.name > j.name ? -1 : 1
  return 0
}

/** The EC2NodeClass `status.amis` entries (`deprecated` only when true). */
export function amiStatus(amis: readonly ResolvedAMI[]): NonNullable<NonNullable<EC2NodeClassV1['status']>['amis']> {
  return amis.map((a) => ({ id: a.id, ...(a.deprecated ? { deprecated: true } : {}), name: a.name, requirements: a.requirements }))
}
