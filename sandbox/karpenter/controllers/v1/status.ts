// The 1.x controllers that keep the EC2NodeClass and NodePool status (karpenter.k8s.aws/v1,
// karpenter.sh/v1):
// - nodeclass (aws/karpenter-provider-aws@v1.9.2 pkg/controllers/nodeclass/{controller.go, ami.go,
//   subnet.go, securitygroup.go, instanceprofile.go, validation.go}; hash/controller.go): AMIs from
//   the alias, subnets (with zone IDs), security groups, an instance profile for `role`, and the
//   conditions AMIsReady, SubnetsReady, SecurityGroupsReady, InstanceProfileReady,
//   ValidationSucceeded → Ready; the `ec2nodeclass-hash` annotations;
// - nodepool.readiness, nodepool.validation, nodepool.registrationhealth, nodepool.counter,
//   nodepool.hash (kubernetes-sigs/karpenter@v1.9.1 pkg/controllers/nodepool/*): NodeClassReady,
//   ValidationSucceeded → Ready, NodeRegistrationHealthy (Unknown until a node registers),
//   `status.resources` (with the zero base and `nodes`), `status.nodes`, the hash annotations.
// Condition changes are announced as events, as operatorpkg's status controller does.

import { createHash } from 'node:crypto'
import { ignoreNotFound } from '../../../kube/errors.ts'
import type { KubeObject } from '../../../kube/json.ts'
import { rfc3339 } from '../../../kube/json.ts'
import { Controller } from '../../../runtime/controller.ts'
import { ANNOTATION_NODEPOOL_HASH, LABEL_NODEPOOL } from '../../labels.ts'
import { nodePoolUsage } from '../../provisioning.ts'
import { aliasOf, aliasParameters, aliasUnsupported, amiStatus, resolveAmis, type Variant } from '../../v1/amis.ts'
import {
  ANNOTATION_NODECLASS_HASH,
  ANNOTATION_NODECLASS_HASH_VERSION,
  ANNOTATION_NODEPOOL_HASH_VERSION,
  LABEL_NODECLASS,
  NODECLASS_HASH_VERSION,
  NODEPOOL_HASH_VERSION,
  TAG_EKS_CLUSTER_NAME,
  type ConditionV1,
  type EC2NodeClassV1,
  type NodePoolV1,
} from '../../v1/api.ts'
import { ConditionSet, NODECLASS_CONDITIONS, NODEPOOL_CONDITIONS, transitions } from '../../v1/conditions.ts'
import * as log from '../../v1/logger.ts'
import { launchTagsV1, nodeClassHashV1, nodePoolHashV1, rehashedNodeClaimAnnotations, TagValidationError } from '../../v1/nodeclaim.ts'
import { internalNodeClass } from '../../v1/adapter.ts'
import { NODECLAIMS, NODECLASSES, NODEPOOLS, takeSnapshot } from '../cluster-state.ts'
import type { Cloud } from '../cloud.ts'
import type { KarpenterContext } from '../context.ts'

const NODECLASS_FINALIZER = 'karpenter.k8s.aws/termination'
/** nodeclass reconcilers requeue after 1 minute (subnets) at the shortest. */
const NODECLASS_RESYNC_MS = 60_000

/** utils.go GetTags as validation.go calls it (a NodeClaim of no NodePool): its error, if any. */
function tagValidationError(nodeClass: EC2NodeClassV1, clusterName: string): string | undefined {
  try {
    launchTagsV1({ metadata: {} }, nodeClass, clusterName)
    return undefined
  } catch (error) {
    if (error instanceof TagValidationError) return error.message
    throw error
  }
}

/** updateNodeClaimHash: the selected NodeClaims of another hash version get this one (and the hash, unless drifted). */
function rehashNodeClaims(
  ctx: KarpenterContext,
  select: (c: KubeObject) => boolean,
  keys: { hash: string; version: string },
  version: string,
  hash: string,
): void {
  for (const c of ctx.store.list(NODECLAIMS).items.filter(select)) {
    if (!rehashedNodeClaimAnnotations(c, keys, version, hash)) continue
    try {
      ctx.store.mutate(
        NODECLAIMS,
        undefined,
        c.metadata.name!,
        (o) => {
          const next = rehashedNodeClaimAnnotations(o, keys, version, hash)
          if (next) o.metadata.annotations = next
        },
        { fieldManager: 'karpenter' },
      )
    } catch (error) {
      ignoreNotFound(error)
    }
  }
}

export class NodeClassesV1 {
  private readonly ctx: KarpenterContext
  private readonly cloud: Cloud
  readonly controller: Controller
  private stopWatch?: () => void
  /** pretty.ChangeMonitor: discovery lines only when what was found changed (per process). */
  private readonly lastSeen = new Map<string, string>()

  constructor(ctx: KarpenterContext, cloud: Cloud) {
    this.ctx = ctx
    this.cloud = cloud
    this.controller = new Controller({
      name: 'nodeclass',
      clock: ctx.clock,
      log: ctx.cluster.log,
      reconcile: (k) => this.reconcile(k),
      maxConcurrentReconciles: 10,
    })
  }

  start(): void {
    this.stopWatch = this.ctx.store.watch(NODECLASSES, {}, (e) => this.controller.enqueue(e.object.metadata.name!))
  }

  stop(): void {
    this.stopWatch?.()
    this.controller.stop()
  }

  private changed(key: string, value: unknown): boolean {
    const text = JSON.stringify(value)
    if (this.lastSeen.get(key) === text) return false
    this.lastSeen.set(key, text)
    return true
  }

  private now = () => rfc3339(this.ctx.clock.now())

  private async reconcile(name: string): Promise<{ requeueAfterMs: number } | void> {
    const stored = this.ctx.store.find(NODECLASSES, undefined, name) as unknown as EC2NodeClassV1 | undefined
    if (!stored) return
    if (stored.metadata.deletionTimestamp) return this.finalize(stored)
    if (!(stored.metadata.finalizers ?? []).includes(NODECLASS_FINALIZER)) {
      this.ctx.store.mutate(NODECLASSES, undefined, name, (o) => void (o.metadata.finalizers = [...(o.metadata.finalizers ?? []), NODECLASS_FINALIZER]), {
        fieldManager: 'karpenter',
      })
      return { requeueAfterMs: 0 }
    }
    // nodeclass.hash: the hash of the spec and resolved AMI family, for drift; NodeClaims of another
    // hash version are brought to this one first (updateNodeClaimHash).
    const hash = nodeClassHashV1(stored)
    if (stored.metadata.annotations?.[ANNOTATION_NODECLASS_HASH_VERSION] !== NODECLASS_HASH_VERSION)
      rehashNodeClaims(
        this.ctx,
        (c) => (c.spec as { nodeClassRef?: { name?: string } }).nodeClassRef?.name === name,
        { hash: ANNOTATION_NODECLASS_HASH, version: ANNOTATION_NODECLASS_HASH_VERSION },
        NODECLASS_HASH_VERSION,
        hash,
      )
    if (
      stored.metadata.annotations?.[ANNOTATION_NODECLASS_HASH] !== hash ||
      stored.metadata.annotations?.[ANNOTATION_NODECLASS_HASH_VERSION] !== NODECLASS_HASH_VERSION
    ) {
      this.ctx.store.mutate(
        NODECLASSES,
        undefined,
        name,
        (o) =>
          void (o.metadata.annotations = {
            ...(o.metadata.annotations ?? {}),
            [ANNOTATION_NODECLASS_HASH]: hash,
            [ANNOTATION_NODECLASS_HASH_VERSION]: NODECLASS_HASH_VERSION,
          }),
        { fieldManager: 'karpenter' },
      )
    }
    const scope = log.nodeClassScope('nodeclass', name, this.ctx.rng)
    const nc: EC2NodeClassV1 = structuredClone(stored)
    const before = structuredClone(nc.status?.conditions ?? [])
    const conditions = new ConditionSet(nc, NODECLASS_CONDITIONS, this.now)
    nc.status ??= {}
    await this.reconcileAmis(nc, conditions, scope)
    await this.reconcileSubnets(nc, conditions, scope)
    await this.reconcileSecurityGroups(nc, conditions, scope)
    await this.reconcileInstanceProfile(nc, conditions)
    // validation.go: dependencies first; the dry-run authorisation checks always pass in the sandbox.
    const deps = ['AMIsReady', 'SubnetsReady', 'SecurityGroupsReady', 'InstanceProfileReady']
    const awaiting = 'Awaiting AMI, Instance Profile, Security Group, and Subnet resolution'
    if (deps.some((d) => conditions.get(d)?.status === 'False')) conditions.setFalse('ValidationSucceeded', 'DependenciesNotReady', awaiting)
    else if (deps.some((d) => conditions.get(d)?.status === 'Unknown')) conditions.setUnknown('ValidationSucceeded', 'DependenciesNotReady', awaiting)
    else {
      // validation.go: GetTags refusing a restricted tag key fails validation (TagValidationFailed).
      const refused = tagValidationError(nc, this.ctx.settings.clusterName)
      if (refused) conditions.setFalse('ValidationSucceeded', 'TagValidationFailed', refused)
      else conditions.setTrue('ValidationSucceeded')
    }
    if (JSON.stringify(stored.status ?? {}) !== JSON.stringify(nc.status)) {
      try {
        this.ctx.store.mutate(NODECLASSES, undefined, name, (o) => void (o.status = nc.status as Record<string, unknown>), {
          subresource: 'status',
          fieldManager: 'karpenter',
        })
      } catch (error) {
        ignoreNotFound(error)
        return
      }
      for (const t of transitions(before, nc.status?.conditions)) this.ctx.event(stored as unknown as KubeObject, 'Normal', t.reason, t.message)
    }
    return { requeueAfterMs: NODECLASS_RESYNC_MS }
  }

  private async reconcileAmis(nc: EC2NodeClassV1, conditions: ConditionSet, scope: log.Scope): Promise<void> {
    const version = this.ctx.cluster.kubernetesVersion
    let alias
    try {
      alias = aliasOf(nc)
    } catch (error) {
      conditions.setFalse('AMIsReady', 'AMINotFound', (error as Error).message)
      return
    }
    let amis: ReturnType<typeof resolveAmis> = []
    if (alias) {
      const unsupported = aliasUnsupported(alias, version)
      if (unsupported) {
        conditions.setFalse('AMIsReady', 'UnsupportedAlias', unsupported)
        return
      }
      const { known, images } = await this.cloud.aliasImages(aliasParameters(alias, version))
      amis = resolveAmis(images, known as Map<string, Variant[]>, this.ctx.clock.simulated())
    }
    if (amis.length === 0) {
      delete nc.status!.amis
      conditions.setFalse('AMIsReady', 'AMINotFound', 'AMISelector did not match any AMIs')
      return
    }
    const ids = [...new Set(amis.map((a) => a.id))]
    if (this.changed(`amis/${nc.metadata.name}`, ids)) this.ctx.log(log.discoveredAmis(scope, ids))
    nc.status!.amis = amiStatus(amis)
    conditions.setTrue('AMIsReady')
  }

  private async reconcileSubnets(nc: EC2NodeClassV1, conditions: ConditionSet, scope: log.Scope): Promise<void> {
    const subnets = await this.cloud.subnets(internalNodeClass(nc))
    if (subnets.length === 0) {
      delete nc.status!.subnets
      conditions.setFalse('SubnetsReady', 'SubnetsNotFound', 'SubnetSelector did not match any Subnets')
      return
    }
    // subnet.go: most available IPs first, then by id.
    const sorted = [...subnets].sort(
      (a, b) => (b.AvailableIpAddressCount ?? 0) - (a.AvailableIpAddressCount ?? 0) || String(a.SubnetId).localeCompare(String(b.SubnetId)),
    )
    const status = sorted.map((s) => ({ id: s.SubnetId!, zone: s.AvailabilityZone!, ...(s.AvailabilityZoneId ? { zoneID: s.AvailabilityZoneId } : {}) }))
    if (this.changed(`subnets/${nc.metadata.name}`, status.map((s) => s.id).sort())) this.ctx.log(log.discoveredSubnets(scope, status))
    nc.status!.subnets = status
    conditions.setTrue('SubnetsReady')
  }

  private async reconcileSecurityGroups(nc: EC2NodeClassV1, conditions: ConditionSet, scope: log.Scope): Promise<void> {
    const groups = await this.cloud.securityGroups(internalNodeClass(nc))
    if (groups.length === 0 && (nc.spec.securityGroupSelectorTerms ?? []).length > 0) {
      delete nc.status!.securityGroups
      conditions.setFalse('SecurityGroupsReady', 'SecurityGroupsNotFound', 'SecurityGroupSelector did not match any SecurityGroups')
      return
    }
    const ids = groups.map((g) => g.GroupId!)
    if (this.changed(`security-groups/${nc.metadata.name}`, ids)) this.ctx.log(log.discoveredSecurityGroups(scope, ids))
    nc.status!.securityGroups = groups.map((g) => ({ id: g.GroupId!, name: g.GroupName! }))
    conditions.setTrue('SecurityGroupsReady')
  }

  /** instanceprofile.go: a profile named `<cluster>_<hash>` holding `role`, made again if the role changes. */
  private async reconcileInstanceProfile(nc: EC2NodeClassV1, conditions: ConditionSet): Promise<void> {
    const role = nc.spec.role
    if (!role) {
      nc.status!.instanceProfile = nc.spec.instanceProfile
      conditions.setTrue('InstanceProfileReady')
      return
    }
    const current = nc.status!.instanceProfile ? await this.cloud.instanceProfileRole(nc.status!.instanceProfile) : undefined
    if (current !== role) {
      const cluster = this.ctx.settings.clusterName
      const region = this.ctx.cluster.aws.region
      // InstanceProfileName: hash of region, name and a fresh uuid (drawn from the seeded RNG).
      const digest = createHash('sha256')
        .update(`${region}${nc.metadata.name}${log.uuid(this.ctx.rng)}`)
        .digest('hex')
        .slice(0, 15)
      const name = `${cluster}_${BigInt(`0x${digest}`).toString()}`
      await this.cloud.createInstanceProfile(name, role, {
        ...(nc.spec.tags ?? {}),
        [`kubernetes.io/cluster/${cluster}`]: 'owned',
        [TAG_EKS_CLUSTER_NAME]: cluster,
        [LABEL_NODECLASS]: nc.metadata.name ?? '',
        'topology.kubernetes.io/region': region,
      })
      nc.status!.instanceProfile = name
    }
    conditions.setTrue('InstanceProfileReady')
  }

  /** controller.go finalize: wait for the NodeClaims using the class, delete its instance profile, drop the finalizer. */
  private async finalize(nc: EC2NodeClassV1): Promise<{ requeueAfterMs: number } | void> {
    const name = nc.metadata.name!
    if (!(nc.metadata.finalizers ?? []).includes(NODECLASS_FINALIZER)) return
    const users = this.ctx.store.list(NODECLAIMS).items.filter((c) => (c.spec as { nodeClassRef?: { name?: string } }).nodeClassRef?.name === name)
    if (users.length > 0) {
      this.ctx.event(
        nc as unknown as KubeObject,
        'Normal',
        'WaitingOnNodeClaimTermination',
        `Waiting on NodeClaim termination for ${users.map((u) => u.metadata.name).join(', ')}`,
      )
      return { requeueAfterMs: 10_000 }
    }
    const profile = nc.status?.instanceProfile
    if (profile && nc.spec.role) await this.cloud.deleteInstanceProfile(profile, nc.spec.role)
    try {
      this.ctx.store.mutate(
        NODECLASSES,
        undefined,
        name,
        (o) => void (o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== NODECLASS_FINALIZER)),
        { fieldManager: 'karpenter' },
      )
    } catch (error) {
      ignoreNotFound(error)
    }
  }
}

/** counter/controller.go BaseResources. */
const BASE_RESOURCES = { cpu: '0', 'ephemeral-storage': '0', memory: '0', nodes: '0', pods: '0' }

export class NodePoolsV1 {
  private readonly ctx: KarpenterContext
  readonly controller: Controller
  private readonly stops: (() => void)[] = []

  constructor(ctx: KarpenterContext) {
    this.ctx = ctx
    this.controller = new Controller({
      name: 'nodepool',
      clock: ctx.clock,
      log: ctx.cluster.log,
      reconcile: (k) => this.reconcile(k),
      maxConcurrentReconciles: 10,
    })
  }

  start(): void {
    const all = () => {
      for (const np of this.ctx.store.listRaw(NODEPOOLS).items) this.controller.enqueue(np.metadata.name!)
    }
    this.stops.push(this.ctx.store.watch(NODEPOOLS, {}, (e) => this.controller.enqueue(e.object.metadata.name!)))
    this.stops.push(this.ctx.store.watch(NODECLASSES, {}, all))
    this.stops.push(this.ctx.store.watch('nodes', {}, all))
    this.stops.push(this.ctx.store.watch(NODECLAIMS, {}, all))
  }

  stop(): void {
    for (const s of this.stops.splice(0)) s()
    this.controller.stop()
  }

  private reconcile(name: string): void {
    const stored = this.ctx.store.find(NODEPOOLS, undefined, name) as unknown as NodePoolV1 | undefined
    if (!stored || stored.metadata.deletionTimestamp) return
    // nodepool.hash (its NodeClaims of another hash version first: updateNodeClaimHash)
    const hash = nodePoolHashV1(stored)
    if (stored.metadata.annotations?.[ANNOTATION_NODEPOOL_HASH_VERSION] !== NODEPOOL_HASH_VERSION)
      rehashNodeClaims(
        this.ctx,
        (c) => c.metadata.labels?.[LABEL_NODEPOOL] === name,
        { hash: ANNOTATION_NODEPOOL_HASH, version: ANNOTATION_NODEPOOL_HASH_VERSION },
        NODEPOOL_HASH_VERSION,
        hash,
      )
    if (
      stored.metadata.annotations?.[ANNOTATION_NODEPOOL_HASH] !== hash ||
      stored.metadata.annotations?.[ANNOTATION_NODEPOOL_HASH_VERSION] !== NODEPOOL_HASH_VERSION
    ) {
      this.ctx.store.mutate(
        NODEPOOLS,
        undefined,
        name,
        (o) =>
          void (o.metadata.annotations = {
            ...(o.metadata.annotations ?? {}),
            [ANNOTATION_NODEPOOL_HASH]: hash,
            [ANNOTATION_NODEPOOL_HASH_VERSION]: NODEPOOL_HASH_VERSION,
          }),
        { fieldManager: 'karpenter' },
      )
    }
    const np: NodePoolV1 = structuredClone(stored)
    const before = structuredClone(np.status?.conditions ?? [])
    const conditions = new ConditionSet(np, NODEPOOL_CONDITIONS, () => rfc3339(this.ctx.clock.now()))
    np.status ??= {}
    // nodepool.validation (RuntimeValidate's checks are the CRD's own; the sandbox's schema enforces them).
    conditions.setTrue('ValidationSucceeded')
    // nodepool.readiness
    const nodeClass = this.ctx.store.find(NODECLASSES, undefined, np.spec.template.spec.nodeClassRef?.name ?? '') as unknown as EC2NodeClassV1 | undefined
    if (!nodeClass) conditions.setFalse('NodeClassReady', 'NodeClassNotFound', 'NodeClass not found on cluster')
    else if (nodeClass.metadata.deletionTimestamp) conditions.setFalse('NodeClassReady', 'NodeClassTerminating', 'NodeClass is Terminating')
    else {
      const ready = (nodeClass.status?.conditions ?? []).find((c) => c.type === 'Ready')
      if (!ready || ready.status === 'Unknown') conditions.setFalse('NodeClassReady', 'NodeClassReadinessUnknown', 'Node Class Readiness Unknown')
      else if (ready.status === 'False') conditions.setFalse('NodeClassReady', ready.reason, ready.message)
      else conditions.setTrue('NodeClassReady')
      // nodepool.registrationhealth: Unknown until a node of this generation registers.
      const health = conditions.get('NodeRegistrationHealthy')
      if (
        !health ||
        np.status.nodeClassObservedGeneration !== (nodeClass.metadata.generation ?? 1) ||
        health.observedGeneration !== (np.metadata.generation ?? 1)
      )
        conditions.setUnknown('NodeRegistrationHealthy')
      np.status.nodeClassObservedGeneration = nodeClass.metadata.generation ?? 1
    }
    // nodepool.counter
    const stateNodes = takeSnapshot(this.ctx).stateNodes
    const nodes = stateNodes.filter((n) => n.nodePool === name).length
    np.status.resources = { ...BASE_RESOURCES, ...nodePoolUsage(name, stateNodes), nodes: String(nodes) }
    np.status.nodes = nodes
    if (JSON.stringify(stored.status ?? {}) === JSON.stringify(np.status)) return
    try {
      this.ctx.store.mutate(NODEPOOLS, undefined, name, (o) => void (o.status = np.status as Record<string, unknown>), {
        subresource: 'status',
        fieldManager: 'karpenter',
      })
    } catch (error) {
      ignoreNotFound(error)
      return
    }
    for (const t of transitions(before, np.status.conditions)) this.ctx.event(stored as unknown as KubeObject, 'Normal', t.reason, t.message)
  }
}

/** registration.go updateNodePoolRegistrationHealth: the first node registered makes the NodePool healthy. */
export function markRegistrationHealthy(ctx: KarpenterContext, nodePool: string): void {
  const stored = ctx.store.find(NODEPOOLS, undefined, nodePool) as unknown as NodePoolV1 | undefined
  if (!stored) return
  const np: NodePoolV1 = structuredClone(stored)
  const before: ConditionV1[] = structuredClone(np.status?.conditions ?? [])
  const conditions = new ConditionSet(np, NODEPOOL_CONDITIONS, () => rfc3339(ctx.clock.now()))
  if (!conditions.setTrue('NodeRegistrationHealthy')) return
  try {
    ctx.store.mutate(
      NODEPOOLS,
      undefined,
      nodePool,
      (o) => void (o.status = { ...((o.status ?? {}) as Record<string, unknown>), conditions: np.status!.conditions }),
      { subresource: 'status', fieldManager: 'karpenter' },
    )
  } catch (error) {
    ignoreNotFound(error)
    return
  }
  for (const t of transitions(before, np.status?.conditions)) ctx.event(stored as unknown as KubeObject, 'Normal', t.reason, t.message)
}
