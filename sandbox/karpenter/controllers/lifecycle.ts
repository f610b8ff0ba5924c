// The NodeClaim lifecycle (core@v0.32.1 pkg/controllers/nodeclaim/lifecycle): launch (the AWS
// provider's CreateFleet), registration (the kubelet's Node appears: labels, taints, finalizer
// and owner are synced onto it), initialization (the Node is Ready and untainted), and the
// registration TTL. The launched instance boots in the sandbox's EC2 twin and its kubelet
// registers the Node with the labels and taints of Karpenter's launch template.

import { ignoreNotFound } from '../../kube/errors.ts'
import { rfc3339, type KubeObject } from '../../kube/json.ts'
import type { Node } from '../../k8s/types.ts'
import { Controller } from '../../runtime/controller.ts'
import { DEFAULT_BOOT, kubeletVersion } from '../../cluster/machines.ts'
import type { Condition, EC2NodeClass, NodeClaim } from '../api.ts'
import { FINALIZER_TERMINATION, LABEL_INSTANCE_TYPE, LABEL_NODEPOOL } from '../labels.ts'
import { interpretFleetResult, launchedLog, launchedNodeClaim, markFleetUnavailable, planLaunch, releaseInflightIPs } from '../launch.ts'
import * as log from '../logger.ts'
import { kubeletNode } from '../../ec2-nodes/kubelet-node.ts'
import { initializationBlocker, initializeNode, nodeClaimReady, registerNode, setCondition } from '../nodes.ts'
import { nodeClassFor, NODECLAIMS, NODECLASSES } from './cluster-state.ts'
import type { Cloud } from './cloud.ts'
import type { KarpenterContext } from './context.ts'

/** Observed on AWS: 2.4–4.2 s from `created nodeclaim` to `launched nodeclaim` (CreateFleet). */
const LAUNCH_LATENCY_MS = 2_500
const REGISTRATION_TTL_MS = 15 * 60_000

export class Lifecycle {
  private readonly ctx: KarpenterContext
  private readonly cloud: Cloud
  readonly controller: Controller
  private readonly stops: (() => void)[] = []
  private readonly launching = new Set<string>()

  constructor(ctx: KarpenterContext, cloud: Cloud) {
    this.ctx = ctx
    this.cloud = cloud
    // MaxConcurrentReconciles 1000 in Karpenter ("fast reaction to node syncing and launch"):
    // NodeClaims created in one round launch side by side, not one after another.
    this.controller = new Controller({
      name: 'nodeclaim.lifecycle',
      clock: ctx.clock,
      log: ctx.cluster.log,
      reconcile: (k) => this.reconcile(k),
      maxConcurrentReconciles: 1000,
    })
  }

  start(): void {
    this.stops.push(this.ctx.store.watch(NODECLAIMS, {}, (e) => this.controller.enqueue(e.object.metadata.name!)))
    this.stops.push(
      this.ctx.store.watch('nodes', {}, (e) => {
        const providerID = (e.object.spec as { providerID?: string } | undefined)?.providerID
        if (!providerID) return
        for (const nc of this.ctx.store.listRaw(NODECLAIMS).items) {
          if ((nc.status as { providerID?: string } | undefined)?.providerID === providerID) this.controller.enqueue(nc.metadata.name!)
        }
      }),
    )
  }

  stop(): void {
    for (const s of this.stops.splice(0)) s()
    this.controller.stop()
  }

  private async reconcile(name: string): Promise<{ requeueAfterMs: number } | void> {
    const nodeClaim = this.ctx.store.find(NODECLAIMS, undefined, name) as unknown as NodeClaim | undefined
    if (!nodeClaim || nodeClaim.metadata.deletionTimestamp) return
    if (!(nodeClaim.metadata.finalizers ?? []).includes(FINALIZER_TERMINATION)) {
      this.ctx.store.mutate(NODECLAIMS, undefined, name, (o) => void (o.metadata.finalizers = [...(o.metadata.finalizers ?? []), FINALIZER_TERMINATION]), {
        fieldManager: 'karpenter',
      })
      return
    }
    if (!conditionTrue(nodeClaim, 'Launched')) return this.launch(nodeClaim)
    if (!conditionTrue(nodeClaim, 'Registered')) return this.register(nodeClaim)
    if (!conditionTrue(nodeClaim, 'Initialized')) return this.initialize(nodeClaim)
  }

  // ---- launch ----

  private async launch(nodeClaim: NodeClaim): Promise<{ requeueAfterMs: number } | void> {
    const name = nodeClaim.metadata.name!
    if (this.launching.has(name)) return
    this.launching.add(name)
    try {
      const nodeClass = nodeClassFor({ nodeClasses: this.ctx.store.list(NODECLASSES).items as unknown as EC2NodeClass[] }, nodeClaim.spec.nodeClassRef)
      if (!nodeClass) {
        this.ctx.cluster.log(`karpenter: nodeclaim ${name}: EC2NodeClass ${nodeClaim.spec.nodeClassRef?.name} not found`)
        return { requeueAfterMs: 10_000 }
      }
      const subnets = await this.cloud.subnets(nodeClass)
      const instanceTypes = await this.cloud.instanceTypes(nodeClass, subnets, nodeClaim.spec.kubelet)
      const status = (nodeClass.status ?? {}) as { securityGroups?: { id: string }[]; instanceProfile?: string }
      const decision = planLaunch({
        nodeClaim,
        instanceTypes,
        nodeClass,
        subnets,
        inflightIPs: this.ctx.inflightIPs,
        amis: await this.cloud.amis(this.ctx.cluster.kubernetesVersion),
        cluster: {
          name: this.ctx.settings.clusterName,
          endpoint: this.ctx.cluster.endpoint,
          caBundle: Buffer.from(this.ctx.cluster.caPem).toString('base64'),
          kubeDnsIP: kubeDnsIp(this.ctx),
        },
      })
      if (!decision.ok) return this.launchFailed(nodeClaim, decision.insufficientCapacity, decision.error)
      const plan = decision.plan
      this.ctx.logAll(plan.warnings)
      for (const lt of plan.launchTemplates) {
        const { id, created } = await this.cloud.ensureLaunchTemplate(
          lt,
          nodeClass,
          (status.securityGroups ?? []).map((g) => g.id),
          status.instanceProfile,
          plan.tags,
        )
        if (created) this.ctx.log(log.createdLaunchTemplate(name, nodeClaim.metadata.labels?.[LABEL_NODEPOOL] ?? '', lt.name, id))
      }
      await this.ctx.clock.sleep(LAUNCH_LATENCY_MS)
      const output = await this.cloud.createFleet(plan.createFleetInput)
      releaseInflightIPs(plan.createFleetInput, output, plan.instanceTypes, subnets, plan.capacityType, this.ctx.inflightIPs)
      const outcome = interpretFleetResult(output, plan.capacityType)
      this.ctx.logAll(markFleetUnavailable(this.ctx.unavailable, nodeClaim, outcome.unavailable, this.ctx.clock.simulated()))
      if (!outcome.ok) return this.launchFailed(nodeClaim, outcome.insufficientCapacity, outcome.error)

      const current = this.ctx.store.find(NODECLAIMS, undefined, name) as unknown as NodeClaim | undefined
      if (!current || current.metadata.deletionTimestamp) {
        // Deleted while launching: the instance must not outlive its NodeClaim.
        await this.cloud.terminate(outcome.instance.instanceId)
        return
      }
      const instanceType = instanceTypes.find((t) => t.name === outcome.instance.instanceType)
      const launched = launchedNodeClaim(current, outcome.instance, instanceType, { clusterName: this.ctx.settings.clusterName, nodeClass, rng: this.ctx.rng })
      this.ctx.store.mutate(
        NODECLAIMS,
        undefined,
        name,
        (o) => {
          o.metadata.labels = launched.metadata.labels
          o.metadata.annotations = launched.metadata.annotations
        },
        { fieldManager: 'karpenter' },
      )
      this.writeStatus(name, (s) => ({
        ...s,
        providerID: launched.status!.providerID,
        imageID: launched.status!.imageID,
        capacity: launched.status!.capacity,
        allocatable: launched.status!.allocatable,
        conditions: setCondition(s.conditions, condition('Launched', 'True')),
      }))
      this.ctx.log(launchedLog(launched))
      await this.boot(
        launched,
        outcome.instance.instanceId,
        plan.launchTemplates.find((lt) => lt.instanceTypes.includes(outcome.instance.instanceType)) ?? plan.launchTemplates[0],
      )
    } finally {
      this.launching.delete(name)
    }
  }

  private launchFailed(nodeClaim: NodeClaim, insufficientCapacity: boolean, error: string): { requeueAfterMs: number } | void {
    const name = nodeClaim.metadata.name!
    const pool = nodeClaim.metadata.labels?.[LABEL_NODEPOOL] ?? ''
    if (insufficientCapacity) {
      // The NodeClaim goes; its pods stay pending and are batched again, without the ICE'd offerings.
      this.ctx.log(log.insufficientCapacity(name, pool, error))
      this.ctx.event(nodeClaim as unknown as KubeObject, 'Warning', 'InsufficientCapacityError', `NodeClaim ${name} event: ${error}`)
      this.deleteNodeClaim(name)
      return
    }
    this.ctx.cluster.log(`karpenter: launching nodeclaim ${name}: ${error}`)
    this.writeStatus(name, (s) => ({
      ...s,
      conditions: setCondition(s.conditions, { ...condition('Launched', 'False'), reason: 'LaunchFailed', message: error }),
    }))
    return { requeueAfterMs: 10_000 }
  }

  /** The instance boots; its kubelet registers the Node with the launch template's labels and taints. */
  private async boot(
    nodeClaim: NodeClaim,
    instanceId: string,
    template: { nodeLabels: Record<string, string>; registerTaints: NodeClaim['spec']['taints'] } | undefined,
  ): Promise<void> {
    const instance = await this.cloud.describeInstance(instanceId)
    if (!instance) return
    const zone = nodeClaim.metadata.labels?.['topology.kubernetes.io/zone'] ?? ''
    const node = kubeletNode({
      name: instance.privateDnsName,
      instanceId,
      privateIp: instance.privateIp,
      region: this.ctx.cluster.aws.region,
      zone,
      instanceType: nodeClaim.metadata.labels?.[LABEL_INSTANCE_TYPE] ?? '',
      arch: instance.architecture === 'arm64' ? 'arm64' : 'amd64',
      providerID: nodeClaim.status!.providerID!,
      nodeLabels: template?.nodeLabels ?? {},
      registerTaints: template?.registerTaints ?? [],
      capacity: nodeClaim.status?.capacity as Record<string, string>,
      allocatable: nodeClaim.status?.allocatable as Record<string, string>,
      creationTimestamp: rfc3339(this.ctx.clock.now()),
      kubeletVersion: kubeletVersion(this.ctx.cluster.kubernetesVersion),
    })
    this.ctx.cluster.machines.boot({ instanceId, node, ...DEFAULT_BOOT })
  }

  // ---- registration ----

  private async register(nodeClaim: NodeClaim): Promise<{ requeueAfterMs: number } | void> {
    const name = nodeClaim.metadata.name!
    const node = this.nodeFor(nodeClaim)
    if (!node) {
      const launchedAt = Date.parse(
        nodeClaim.status?.conditions?.find((c) => c.type === 'Launched')?.lastTransitionTime ?? nodeClaim.metadata.creationTimestamp ?? '',
      )
      if (this.ctx.clock.simulated() - this.ctx.clock.simulated(launchedAt) > REGISTRATION_TTL_MS) {
        this.ctx.log(log.terminatingDueToRegistrationTTL(name, nodeClaim.metadata.labels?.[LABEL_NODEPOOL] ?? '', REGISTRATION_TTL_MS))
        this.deleteNodeClaim(name)
        return
      }
      this.writeStatus(name, (s) => ({
        ...s,
        conditions: setCondition(s.conditions, { ...condition('Registered', 'False'), reason: 'NodeNotFound', message: 'Node not registered with cluster' }),
      }))
      return { requeueAfterMs: 30_000 }
    }
    const synced = registerNode(node, nodeClaim)
    this.ctx.store.mutate(
      'nodes',
      undefined,
      node.metadata.name!,
      (o) => {
        o.metadata.labels = synced.metadata.labels
        o.metadata.annotations = synced.metadata.annotations
        o.metadata.finalizers = synced.metadata.finalizers
        o.metadata.ownerReferences = synced.metadata.ownerReferences as KubeObject['metadata']['ownerReferences']
        ;(o.spec as Record<string, unknown>).taints = synced.spec?.taints
      },
      { fieldManager: 'karpenter' },
    )
    this.writeStatus(name, (s) => ({ ...s, nodeName: node.metadata.name, conditions: setCondition(s.conditions, condition('Registered', 'True')) }))
    this.ctx.log(log.registeredNodeClaim(name, nodeClaim.metadata.labels?.[LABEL_NODEPOOL] ?? '', nodeClaim.status!.providerID!, node.metadata.name!))
    // The tagging controller names the instance after its node.
    const instanceId = nodeClaim.status!.providerID!.split('/').pop()!
    await this.cloud.tag(instanceId, { Name: node.metadata.name!, 'karpenter.sh/nodeclaim': name }).catch(() => undefined)
    this.controller.enqueue(name)
  }

  // ---- initialization ----

  private initialize(nodeClaim: NodeClaim): void {
    const name = nodeClaim.metadata.name!
    const node = this.nodeFor(nodeClaim)
    if (!node) return
    const blocker = initializationBlocker(node, nodeClaim)
    if (blocker) {
      this.writeStatus(name, (s) => ({
        ...s,
        conditions: setCondition(s.conditions, { ...condition('Initialized', 'False'), reason: blocker.reason, message: blocker.message }),
      }))
      return
    }
    const initialized = initializeNode(node)
    this.ctx.store.mutate('nodes', undefined, node.metadata.name!, (o) => void (o.metadata.labels = initialized.metadata.labels), { fieldManager: 'karpenter' })
    this.writeStatus(name, (s) => {
      const conditions = setCondition(s.conditions, condition('Initialized', 'True'))
      return { ...s, conditions: setCondition(conditions, condition('Ready', nodeClaimReady(conditions) ? 'True' : 'False')) }
    })
    this.ctx.log(log.initializedNodeClaim(name, nodeClaim.metadata.labels?.[LABEL_NODEPOOL] ?? '', nodeClaim.status!.providerID!, node.metadata.name!))
  }

  // ---- helpers ----

  private nodeFor(nodeClaim: NodeClaim): Node | undefined {
    const providerID = nodeClaim.status?.providerID
    if (!providerID) return undefined
    return (this.ctx.store.list('nodes').items as unknown as Node[]).find((n) => n.spec?.providerID === providerID)
  }

  private writeStatus(name: string, edit: (status: NonNullable<NodeClaim['status']>) => NonNullable<NodeClaim['status']>): void {
    try {
      this.ctx.store.mutate(NODECLAIMS, undefined, name, (o) => void (o.status = edit(o.status ?? {})), { subresource: 'status', fieldManager: 'karpenter' })
    } catch (error) {
      ignoreNotFound(error)
    }
  }

  private deleteNodeClaim(name: string): void {
    try {
      this.ctx.store.delete(NODECLAIMS, undefined, name)
    } catch (error) {
      ignoreNotFound(error)
    }
  }
}

function conditionTrue(nodeClaim: NodeClaim, type: string): boolean {
  return (nodeClaim.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True')
}

function condition(type: string, status: 'True' | 'False'): Condition {
  return { type, status, lastTransitionTime: rfc3339(new Date()) }
}

function kubeDnsIp(ctx: KarpenterContext): string | undefined {
  const svc = ctx.store.find('services', 'kube-system', 'kube-dns') as { spec?: { clusterIP?: string } } | undefined
  return svc?.spec?.clusterIP
}
