// The controllers that keep NodePools and EC2NodeClasses' status (v0.32.1):
// - nodeclass (aws pkg/controllers/nodeclass): resolves the subnets and security groups its
//   selector terms find through EC2, the AL2 AMIs, and the instance profile for its role,
//   into `status`; logs what it discovered when it changes; deletes the instance profile it
//   created when the EC2NodeClass is deleted (finalizer karpenter.k8s.aws/termination);
// - nodepool counter (core pkg/controllers/nodepool/counter): `status.resources`, the capacity
//   of the pool's nodes; nodepool hash (core .../nodepool/hash): the template hash annotation.

import { DeleteInstanceProfileCommand, IAMClient, RemoveRoleFromInstanceProfileCommand } from '@aws-sdk/client-iam'
import { ignoreNotFound } from '../../kube/errors.ts'
import { Controller } from '../../runtime/controller.ts'
import type { EC2NodeClass, NodePool } from '../api.ts'
import { ANNOTATION_NODEPOOL_HASH } from '../labels.ts'
import * as log from '../logger.ts'
import { nodePoolHash, nodePoolUsage } from '../provisioning.ts'
import { NODECLAIMS, NODECLASSES, NODEPOOLS, takeSnapshot } from './cluster-state.ts'
import type { Cloud } from './cloud.ts'
import { countBusy } from '../../runtime/busy-clients.ts'
import type { KarpenterContext } from './context.ts'

const NODECLASS_FINALIZER = 'karpenter.k8s.aws/termination'
const NODECLASS_RESYNC_MS = 5 * 60_000

export class NodeClasses {
  private readonly ctx: KarpenterContext
  private readonly cloud: Cloud
  readonly controller: Controller
  private stopWatch?: () => void
  private readonly lastSeen = new Map<string, string>()

  constructor(ctx: KarpenterContext, cloud: Cloud) {
    this.ctx = ctx
    this.cloud = cloud
    this.controller = new Controller({ name: 'nodeclass', clock: ctx.clock, log: ctx.cluster.log, reconcile: (k) => this.reconcile(k) })
  }

  start(): void {
    this.stopWatch = this.ctx.store.watch(NODECLASSES, {}, (e) => this.controller.enqueue(e.object.metadata.name!))
  }

  stop(): void {
    this.stopWatch?.()
    this.controller.stop()
  }

  /**
   * Karpenter's ChangeMonitor (pkg/utils/pretty): true when `value` differs from what was last seen
   * under `key`. It lives in the process's memory, so a new leader logs its discoveries afresh.
   */
  private changed(key: string, value: unknown): boolean {
    const text = JSON.stringify(value)
    if (this.lastSeen.get(key) === text) return false
    this.lastSeen.set(key, text)
    return true
  }

  private async reconcile(name: string): Promise<{ requeueAfterMs: number } | void> {
    const nodeClass = this.ctx.store.find(NODECLASSES, undefined, name) as unknown as EC2NodeClass | undefined
    if (!nodeClass) return
    if (nodeClass.metadata.deletionTimestamp) return this.finalize(nodeClass)
    if (!(nodeClass.metadata.finalizers ?? []).includes(NODECLASS_FINALIZER)) {
      this.ctx.store.mutate(NODECLASSES, undefined, name, (o) => void (o.metadata.finalizers = [...(o.metadata.finalizers ?? []), NODECLASS_FINALIZER]), {
        fieldManager: 'karpenter',
      })
    }
    const subnets = (await this.cloud.subnets(nodeClass)).map((s) => ({ id: s.SubnetId!, zone: s.AvailabilityZone! }))
    const securityGroups = (await this.cloud.securityGroups(nodeClass)).map((g) => ({ id: g.GroupId!, name: g.GroupName! }))
    const amis = await this.cloud.amis(this.ctx.cluster.kubernetesVersion)
    const amiList = [
      amis.amd64 && {
        id: amis.amd64,
        name: `amazon-eks-node-${this.ctx.cluster.kubernetesVersion}`,
        requirements: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }],
      },
      amis.arm64 && {
        id: amis.arm64,
        name: `amazon-eks-arm64-node-${this.ctx.cluster.kubernetesVersion}`,
        requirements: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] }],
      },
    ].filter(Boolean)
    const instanceProfile = nodeClass.spec.instanceProfile ?? (nodeClass.spec.role ? await this.cloud.instanceProfile(nodeClass.spec.role) : undefined)
    const status = { subnets, securityGroups, amis: amiList, instanceProfile }
    if (this.changed(`subnets/${name}`, subnets)) this.ctx.log(log.discoveredSubnets(name, subnets))
    if (this.changed(`securitygroups/${name}`, securityGroups))
      this.ctx.log(
        log.discoveredSecurityGroups(
          name,
          securityGroups.map((g) => g.id),
        ),
      )
    if (this.changed(`amis/${name}`, amiList))
      this.ctx.log(
        log.discoveredAmis(
          name,
          amiList.map((a) => (a as { id: string }).id),
        ),
      )
    if (JSON.stringify(nodeClass.status ?? {}) !== JSON.stringify(status)) {
      this.ctx.store.mutate(NODECLASSES, undefined, name, (o) => void (o.status = status), { subresource: 'status', fieldManager: 'karpenter' })
    }
    return { requeueAfterMs: NODECLASS_RESYNC_MS }
  }

  /** Deletion waits for the NodeClaims using the class, then removes the instance profile Karpenter made. */
  private async finalize(nodeClass: EC2NodeClass): Promise<{ requeueAfterMs: number } | void> {
    const name = nodeClass.metadata.name!
    if (!(nodeClass.metadata.finalizers ?? []).includes(NODECLASS_FINALIZER)) return
    const users = this.ctx.store.list(NODECLAIMS).items.filter((nc) => (nc.spec as { nodeClassRef?: { name?: string } }).nodeClassRef?.name === name)
    if (users.length > 0) return { requeueAfterMs: 5_000 }
    const profile = (nodeClass.status as { instanceProfile?: string } | undefined)?.instanceProfile
    if (profile && !nodeClass.spec.instanceProfile && nodeClass.spec.role) {
      const aws = this.ctx.cluster.aws
      const iam = countBusy(
        new IAMClient({ region: aws.region, endpoint: aws.endpoint, credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey } }),
        this.ctx.clock,
      )
      try {
        await iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: profile, RoleName: nodeClass.spec.role })).catch(() => undefined)
        await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: profile })).catch(() => undefined)
      } finally {
        iam.destroy()
      }
    }
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

export class NodePools {
  private readonly ctx: KarpenterContext
  readonly controller: Controller
  private readonly stops: (() => void)[] = []

  constructor(ctx: KarpenterContext) {
    this.ctx = ctx
    this.controller = new Controller({ name: 'nodepool', clock: ctx.clock, log: ctx.cluster.log, reconcile: (k) => this.reconcile(k) })
  }

  start(): void {
    this.stops.push(this.ctx.store.watch(NODEPOOLS, {}, (e) => this.controller.enqueue(e.object.metadata.name!)))
    const all = () => {
      for (const np of this.ctx.store.listRaw(NODEPOOLS).items) this.controller.enqueue(np.metadata.name!)
    }
    this.stops.push(this.ctx.store.watch('nodes', {}, all))
  }

  stop(): void {
    for (const s of this.stops.splice(0)) s()
    this.controller.stop()
  }

  private reconcile(name: string): void {
    const nodePool = this.ctx.store.find(NODEPOOLS, undefined, name) as unknown as NodePool | undefined
    if (!nodePool || nodePool.metadata.deletionTimestamp) return
    const hash = nodePoolHash(nodePool)
    if (nodePool.metadata.annotations?.[ANNOTATION_NODEPOOL_HASH] !== hash) {
      this.ctx.store.mutate(
        NODEPOOLS,
        undefined,
        name,
        (o) => void (o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [ANNOTATION_NODEPOOL_HASH]: hash }),
        { fieldManager: 'karpenter' },
      )
    }
    const resources = nodePoolUsage(name, takeSnapshot(this.ctx).stateNodes)
    if (JSON.stringify(nodePool.status?.resources ?? {}) === JSON.stringify(resources)) return
    try {
      this.ctx.store.mutate(NODEPOOLS, undefined, name, (o) => void (o.status = { resources }), { subresource: 'status', fieldManager: 'karpenter' })
    } catch (error) {
      ignoreNotFound(error)
    }
  }
}
