// The platform fact that forces an edit, named by a short key into fixtures/platform.yaml:
//
//   eks:<version>:<released|endOfStandardSupport|endOfExtendedSupport>    eks:1.29:endOfExtendedSupport
//   karpenter:<release>:<minKubernetes|maxKubernetes|apiVersions|released> karpenter:v0.32.1:maxKubernetes
//   karpenter:>=<minor>:v1-only                                              karpenter:>=1.1:v1-only
//   nodeImages:<family>:<=<version>  (the family's last Kubernetes version)  nodeImages:AL2:<=1.32
//   nodeImages:<family>:endOfSupport                                         nodeImages:AL2:endOfSupport
//   terraform:<provider or module>:<release>                                 terraform:hashicorp/helm:3.0.0
//   cloud9:closed                                                            cloud9:closed
//
// A key must name a row the table has (so an edit cannot cite a fact nobody recorded), and it
// reads as a sentence with the row's date and source in the report beside the edit's diff.

import { compareVersions } from '../../platform/constraints.ts'
import type { PlatformTable } from '../../platform/table.ts'

export interface PlatformFact {
  key: string
  /** One sentence: what the fact says, with its date. */
  text: string
  source: string
}

export class PlatformFactError extends Error {
  override name = 'PlatformFactError'
}

const FORMS =
  'eks:<version>:<released|endOfStandardSupport|endOfExtendedSupport>, karpenter:<release>:<minKubernetes|maxKubernetes|apiVersions|released>, ' +
  'karpenter:>=<minor>:v1-only, nodeImages:<family>:<=<version>, nodeImages:<family>:endOfSupport, terraform:<name>:<release>, cloud9:closed'

/** The fact `key` names in `table`; throws PlatformFactError saying which part is unknown. */
export function platformFact(key: string, table: PlatformTable): PlatformFact {
  const fail = (why: string): never => {
    throw new PlatformFactError(`platform fact "${key}": ${why} (in ${table.file}); accepted forms: ${FORMS}`)
  }
  const [area, ...rest] = key.split(':')
  switch (area) {
    case 'eks': {
      const [version, field] = rest
      if (rest.length !== 2) return fail('write eks:<version>:<field>')
      const row = table.eks.versions.find((v) => v.version === version) ?? fail(`no EKS version ${version}`)
      const labels = { released: 'released on EKS', endOfStandardSupport: 'end of standard support', endOfExtendedSupport: 'end of extended support' } as const
      if (!(field in labels)) return fail(`unknown EKS field "${field}"`)
      const f = field as keyof typeof labels
      return {
        key,
        text: `EKS Kubernetes ${version}: ${labels[f]} ${row[f]}${f === 'endOfExtendedSupport' ? ' (no new clusters of it after that day)' : ''}`,
        source: row.source,
      }
    }
    case 'karpenter': {
      const [release, field] = rest
      if (rest.length !== 2) return fail('write karpenter:<release>:<field>')
      if (release.startsWith('>=')) {
        if (field !== 'v1-only') return fail(`with a range, the only fact is v1-only`)
        const from = release.slice(2).replace(/^v/, '')
        const later = table.karpenter.releases.filter((r) => compareVersions(r.version.replace(/^v/, ''), from) >= 0)
        if (later.length === 0) return fail(`no Karpenter release from ${from} on`)
        const beta = later.find((r) => r.apiVersions.some((a) => a.endsWith('/v1beta1')))
        if (beta) return fail(`${beta.version} still serves v1beta1, so "v1-only" does not hold from ${from}`)
        const first = [...later].sort((a, b) => a.released.localeCompare(b.released))[0]
        return {
          key,
          text: `Karpenter from ${first.version} (${first.released}) on serves only karpenter.sh/v1 and karpenter.k8s.aws/v1: v1beta1 NodePools and EC2NodeClasses are rejected`,
          source: first.source,
        }
      }
      const row = table.karpenter.releases.find((r) => r.version === release || r.chartVersion === release) ?? fail(`no Karpenter release ${release}`)
      switch (field) {
        case 'maxKubernetes':
          return { key, text: `Karpenter ${row.version} supports Kubernetes up to ${row.maxKubernetes}`, source: row.source }
        case 'minKubernetes':
          return { key, text: `Karpenter ${row.version} supports Kubernetes from ${row.minKubernetes}`, source: row.source }
        case 'apiVersions':
          return { key, text: `Karpenter ${row.version} serves ${row.apiVersions.join(', ')}`, source: row.source }
        case 'released':
          return { key, text: `Karpenter ${row.version} was released on ${row.released}`, source: row.source }
        default:
          return fail(`unknown Karpenter field "${field}"`)
      }
    }
    case 'nodeImages': {
      const [family, field] = rest
      if (rest.length !== 2) return fail('write nodeImages:<family>:<field>')
      const row = table.nodeImageFamilies.find((f) => f.family === family) ?? fail(`no node image family ${family}`)
      if (field === 'endOfSupport') {
        if (!row.endOfSupport) return fail(`${family} has no end of support in the table`)
        return { key, text: `${family} EKS-optimized AMIs: end of support ${row.endOfSupport}`, source: row.source }
      }
      if (field.startsWith('<=')) {
        if (row.maxKubernetes !== field.slice(2))
          return fail(`the table says ${family} covers Kubernetes up to ${row.maxKubernetes ?? '(no limit)'}, not ${field.slice(2)}`)
        return {
          key,
          text: `EKS publishes ${family} AMIs only up to Kubernetes ${row.maxKubernetes}${row.endOfSupport ? ` (end of support ${row.endOfSupport})` : ''}`,
          source: row.source,
        }
      }
      return fail(`unknown node image field "${field}"`)
    }
    case 'terraform': {
      // Module names have slashes but no colons: the last part is the release.
      if (rest.length !== 2) return fail('write terraform:<name>:<release>')
      const [name, version] = rest
      const dep = table.terraform.find((d) => d.name === name) ?? fail(`no Terraform provider or module ${name}`)
      const release = dep.releases.find((r) => compareVersions(r.version, version) === 0) ?? fail(`${name} has no release ${version} in the table`)
      const what = release.breaking ? `: ${release.breaking}` : ''
      return { key, text: `${name} ${release.version} (${release.released})${what}`, source: dep.source }
    }
    case 'cloud9': {
      if (rest.length !== 1 || rest[0] !== 'closed') return fail('the only Cloud9 fact is cloud9:closed')
      return { key, text: `AWS Cloud9 is closed to new customers since ${table.cloud9.closedToNewCustomersOn}`, source: table.cloud9.source }
    }
    default:
      return fail(`unknown area "${area}"`)
  }
}
