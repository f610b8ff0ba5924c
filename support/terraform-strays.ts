// What a killed `terraform apply` made but never wrote down. Terraform records a resource in its
// state only once the resource's create call has returned, and during an apply writes the state
// out at most every 20 s (hashicorp/terraform, internal/backend/local/backend_apply.go,
// stateHook.PersistInterval). A run killed with SIGKILL mid-apply leaves
// resources that exist and carry the run's tag (the provider's default_tags are sent with the
// create call) but are in no state: `terraform destroy` does not know them.
//
// One stray subnet or route table is enough to make the destroy hang: DeleteVpc answers
// DependencyViolation while the VPC has a subnet or a second route table ("Delete your VPC",
// https://docs.aws.amazon.com/vpc/latest/userguide/delete-vpc.html), and the aws provider retries
// DeleteVpc while it answers that (hashicorp/terraform-provider-aws, internal/service/ec2/vpc_.go
// resourceVPCDelete, until vpcDeletedTimeout); against the sandbox, provider v5.100.0 was still
// retrying after six minutes, with nothing to show for it. So before destroying, the undo removes
// the strays that block a VPC or cost money: the run's network things, EKS clusters and node
// groups that no state holds. Others (IAM roles, keys, queues) are left to `spotcheck reap`,
// which finds them by the same tag — they neither block the destroy nor cost while they wait, and
// a run's CloudFormation stack tags its own IAM role with the run too.
//
// Only rehearsed offline (test/integration/aws/undo-scope.test.ts against moto; the kill tests);
// on AWS the removal is the reaper's (support/reap-remove.ts), which follows AWS's documented
// order and waits (a NAT gateway's release, a cluster's deletion).

import { execa } from 'execa'
import { messageOf } from '../lib/errors.ts'
import type { AwsClients } from './aws-clients.ts'
import { extraClients } from './aws-extra-clients.ts'
import { findNetworksAndClusters } from './reap-find.ts'
import { removeAll } from './reap-remove.ts'
import { REMOVAL_ORDER, type Kind, type Leftover } from './reap-select.ts'

/** The kinds a stray may be: what the tutorial's VPC and EKS modules make. */
const STRAY_KINDS: ReadonlySet<Kind> = new Set<Kind>([
  'eks-nodegroup',
  'eks-cluster',
  'nat-gateway',
  'elastic-ip',
  'internet-gateway',
  'subnet',
  'route-table',
  'security-group',
  'network-acl',
  'vpc',
])

/**
 * Every string in a state's resource attributes (`terraform show -json`): ids, ARNs, names, and
 * the ids one resource holds of another (a cluster's security group, a node group's name).
 * A leftover whose id is among them is Terraform's, whichever attribute names it.
 */
export function stateStrings(showJson: string): Set<string> {
  const out = new Set<string>()
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.add(v)
    else if (Array.isArray(v)) for (const x of v) walk(x)
    else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x)
  }
  const doc = JSON.parse(showJson) as { values?: unknown }
  walk(doc.values ?? {})
  return out
}

/** The run's leftovers that no state knows, in the order they can be removed. */
export function strays(found: Leftover[], runId: string, known: Set<string>): Leftover[] {
  const rank = (l: Leftover) => REMOVAL_ORDER.indexOf(l.kind)
  return found.filter((l) => STRAY_KINDS.has(l.kind) && l.runId === runId && !known.has(l.id)).sort((a, b) => rank(a) - rank(b))
}

export interface StrayContext {
  aws: AwsClients
  env: Record<string, string>
  log: (line: string) => void
  /** Real-time limit per resource for waits (an EKS cluster takes ~10 min on AWS). */
  waitMs?: number
}

/**
 * Removes the strays of the run `runId`: its things that none of the states in `dirs` (the
 * working directory being destroyed, and the run's other Terraform directories) holds; what
 * cannot be removed is said (the destroy then says what waits on it). A state that cannot be
 * read removes nothing (everything would look stray).
 */
export async function removeStrays(dirs: string[], runId: string, ctx: StrayContext): Promise<void> {
  const known = new Set<string>()
  for (const dir of dirs) {
    const show = await execa('terraform', ['show', '-json', '-no-color'], {
      env: ctx.env,
      extendEnv: false,
      cwd: dir,
      stdin: 'ignore',
      reject: false,
      timeout: 5 * 60_000,
    })
    if (show.exitCode !== 0) {
      ctx.log(`cleanup: could not read the Terraform state in ${dir} to look for strays (terraform show -json: exit ${show.exitCode}); not removing any`)
      return
    }
    let strings: Set<string>
    try {
      strings = stateStrings(show.stdout)
    } catch (error) {
      ctx.log(`cleanup: could not read the Terraform state in ${dir} to look for strays (terraform show -json: ${messageOf(error)}); not removing any`)
      return
    }
    for (const s of strings) known.add(s)
  }
  const found = strays(await findNetworksAndClusters(ctx.aws), runId, known)
  if (found.length === 0) return
  ctx.log(
    `cleanup: ${found.length} thing(s) of run ${runId} that no Terraform state holds (an apply killed before it recorded them); removing them first, as the destroy would wait on them:`,
  )
  await removeAll(
    found.map((leftover) => ({ leftover, why: 'in no Terraform state' })),
    { aws: ctx.aws, extra: extraClients(ctx.aws), log: (line) => ctx.log(`cleanup:   ${line}`), timeoutMs: ctx.waitMs },
  )
}
