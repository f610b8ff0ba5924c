// The NodeClaim lifecycle of Karpenter 1.9 (kubernetes-sigs/karpenter@v1.9.1
// pkg/controllers/nodeclaim/lifecycle/{controller.go, launch.go, registration.go,
// initialization.go, liveness.go}) with the AWS provider's launch (aws/karpenter-provider-aws@v1.9.2
// pkg/cloudprovider/cloudprovider.go Create, pkg/providers/instance, launchtemplate) and tagging
// (pkg/controllers/nodeclaim/tagging). What differs from v0.32:
// - conditions are operatorpkg's (Launched/Registered/Initialized → Ready, reasons and messages);
// - the EC2NodeClass must be Ready (else the NodeClaim is deleted: NodeClassNotReady);
// - AL2023 nodes bootstrap with nodeadm and register tainted `karpenter.sh/unregistered:NoExecute`,
//   which registration removes; the AMI is the EC2NodeClass's resolved one;
// - the instance is tagged `eks:eks-cluster-name`, `karpenter.k8s.aws/ec2nodeclass` at launch;
// - registration, initialization and deletion log at INFO with object refs; deletion waits until
//   EC2 says the instance is gone (InstanceTerminating), then logs `deleted nodeclaim`.

import type { Subnet } from '@aws-sdk/client-ec2'
import { ignoreNotFound } from '../../../kube/errors.ts'
import { rfc3339, type KubeObject } from '../../../kube/json.ts'
import { mergeTaints, matchTaint } from '../../../k8s/taints.ts'
import type { Node } from '../../../k8s/types.ts'
import { Controller } from '../../../runtime/controller.ts'
import { DEFAULT_BOOT, kubeletVersion } from '../../../cluster/machines.ts'
import type { NodeClaim } from '../../api.ts'
import { FINALIZER_TERMINATION, LABEL_INITIALIZED, LABEL_INSTANCE_TYPE, LABEL_NODEPOOL, LABEL_REGISTERED } from '../../labels.ts'
import { interpretFleetResult, planLaunch, releaseInflightIPs, type AmiIds } from '../../launch.ts'
import { al2023NodeInfo, kubeletNode } from '../../../ec2-nodes/kubelet-node.ts'
import { initializationBlocker } from '../../nodes.ts'
import { parseInstanceID } from '../../nodeclaim-names.ts'
import { markUnavailable } from '../../unavailable-offerings.ts'
import { internalNodeClaim, internalNodeClass } from '../../v1/adapter.ts'
import {
  ANNOTATION_CLUSTER_NAME_TAGGED,
  ANNOTATION_INSTANCE_TAGGED,
  NODEPOOL_V1,
  UNREGISTERED_NO_EXECUTE_TAINT,
  type EC2NodeClassV1,
  type NodeClaimV1,
} from '../../v1/api.ts'
import { ConditionSet, NODECLAIM_CONDITIONS, transitions } from '../../v1/conditions.ts'
import * as log from '../../v1/logger.ts'
import {
  LABEL_DO_NOT_SYNC_TAINTS,
  launchedNodeClaimV1,
  launchTagsV1,
  nodeadmUserData,
  nodeLabelsV1,
  registerTaintsV1,
  registeredTagsV1,
  TagValidationError,
} from '../../v1/nodeclaim.ts'
import { NODECLAIMS, NODECLASSES } from '../cluster-state.ts'
import type { Cloud } from '../cloud.ts'
import type { KarpenterContext } from '../context.ts'
import { markRegistrationHealthy } from './status.ts'

/** Observed on AWS: 2.4–4.2 s from `created nodeclaim` to `launched nodeclaim` (CreateFleet). */
const LAUNCH_LATENCY_MS = 2_500
/** liveness.go registrationTTL. */
const REGISTRATION_TTL_MS = 15 * 60_000
/** controller.go finalize: poll the instance every 5 s until EC2 reports it gone. */
const TERMINATION_POLL_MS = 5_000

export class LifecycleV1 {
  private readonly ctx: KarpenterContext
  private readonly cloud: Cloud
  readonly controller: Controller
  private readonly stops: (() => void)[] = []
  private readonly launching = new Set<string>()

  constructor(ctx: KarpenterContext, cloud: Cloud) {
    this.ctx = ctx
    this.cloud = cloud
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

  private now = () => rfc3339(this.ctx.clock.now())

  private async reconcile(name: string): Promise<{ requeueAfterMs: number } | void> {
    const stored = this.ctx.store.find(NODECLAIMS, undefined, name) as unknown as NodeClaimV1 | undefined
    if (!stored) return
    const scope = log.lifecycleScope(name, this.ctx.rng, stored.status?.providerID, stored.status?.nodeName)
    if (stored.metadata.deletionTimestamp) return this.finalize(stored, scope)
    if (!(stored.metadata.finalizers ?? []).includes(FINALIZER_TERMINATION)) {
      this.ctx.store.mutate(NODECLAIMS, undefined, name, (o) => void (o.metadata.finalizers = [...(o.metadata.finalizers ?? []), FINALIZER_TERMINATION]), {
        fieldManager: 'karpenter',
      })
      return
    }
    const has = (t: string) => (stored.status?.conditions ?? []).some((c) => c.type === t && c.status === 'True')
    if (!has('Launched')) return this.launch(stored, scope)
    if (!has('Registered')) return this.register(stored, scope)
    if (!has('Initialized')) return this.initialize(stored, scope)
  }

  /** Applies condition changes to the stored NodeClaim's status and announces the transitions. */
  private updateStatus(name: string, edit: (nc: NodeClaimV1, conditions: ConditionSet) => void): NodeClaimV1 | undefined {
    let after: NodeClaimV1 | undefined
    let before: NodeClaimV1['status'] | undefined
    try {
      this.ctx.store.mutate(
        NODECLAIMS,
        undefined,
        name,
        (o) => {
          const nc = o as unknown as NodeClaimV1
          before = structuredClone(nc.status ?? {})
          edit(nc, new ConditionSet(nc, NODECLAIM_CONDITIONS, this.now))
          after = nc
        },
        { subresource: 'status', fieldManager: 'karpenter' },
      )
    } catch (error) {
      ignoreNotFound(error)
      return undefined
    }
    if (after)
      for (const t of transitions(before?.conditions, after.status?.conditions)) this.ctx.event(after as unknown as KubeObject, 'Normal', t.reason, t.message)
    return after
  }

  // ---- launch ----

  private async launch(stored: NodeClaimV1, scope: log.Scope): Promise<{ requeueAfterMs: number } | void> {
    const name = stored.metadata.name!
    if (this.launching.has(name)) return
    this.launching.add(name)
    try {
      const nodeClass = this.ctx.store.find(NODECLASSES, undefined, stored.spec.nodeClassRef?.name ?? '') as unknown as EC2NodeClassV1 | undefined
      if (!nodeClass)
        return this.launchFailed(
          stored,
          scope,
          true,
          'resolving nodeclass, ec2nodeclasses.karpenter.k8s.aws "' + stored.spec.nodeClassRef?.name + '" not found',
        )
      const ready = (nodeClass.status?.conditions ?? []).find((c) => c.type === 'Ready')
      if (ready?.status === 'False') return this.launchFailed(stored, scope, true, ready.message)
      if (!ready || ready.status === 'Unknown') {
        this.updateStatus(name, (_nc, c) => c.setUnknown('Launched', 'NodeClassReadinessUnknown', 'NodeClass is in Ready=Unknown'))
        return { requeueAfterMs: 5_000 }
      }
      // cloudprovider.go Create: GetTags refusing a restricted tag is a NodeClassNotReadyError.
      let tags: Record<string, string>
      try {
        tags = launchTagsV1(stored, nodeClass, this.ctx.settings.clusterName)
      } catch (error) {
        if (!(error instanceof TagValidationError)) throw error
        return this.launchFailed(stored, scope, true, `NodeClassRef not ready, ${error.message}`, 'NodeClassNotReady')
      }
      const internalClass = internalNodeClass(nodeClass)
      const nodeClaim = internalNodeClaim(stored, nodeClass)
      const subnets: Subnet[] = await this.cloud.subnets(internalClass)
      const instanceTypes = await this.cloud.instanceTypes(internalClass, subnets, nodeClaim.spec.kubelet)
      const clusterName = this.ctx.settings.clusterName
      const kubeDns = kubeDnsIp(this.ctx)
      const kubelet = nodeClass.spec.kubelet ?? {}
      const decision = planLaunch({
        nodeClaim,
        instanceTypes,
        nodeClass: internalClass,
        subnets,
        inflightIPs: this.ctx.inflightIPs,
        amis: amisFromStatus(nodeClass),
        cluster: {
          name: clusterName,
          endpoint: this.ctx.cluster.endpoint,
          caBundle: Buffer.from(this.ctx.cluster.caPem).toString('base64'),
          kubeDnsIP: kubeDns,
        },
        tags,
        bootstrap: {
          nodeLabels: (capacityType) => nodeLabelsV1(stored, capacityType),
          registerTaints: registerTaintsV1(stored),
          userData: (k, labels, taints) =>
            nodeadmUserData({
              clusterName,
              endpoint: this.ctx.cluster.endpoint,
              caBundle: Buffer.from(this.ctx.cluster.caPem).toString('base64'),
              clusterCIDR: serviceCidr(kubeDns),
              kubelet: { ...kubelet, maxPods: k.maxPods, clusterDNS: kubelet.clusterDNS ?? k.clusterDNS },
              taints,
              labels,
            }),
        },
      })
      if (!decision.ok) return this.launchFailed(stored, scope, decision.insufficientCapacity, decision.error)
      const plan = decision.plan
      const status = nodeClass.status ?? {}
      for (const lt of plan.launchTemplates) {
        const { id, created } = await this.cloud.ensureLaunchTemplate(
          lt,
          internalClass,
          (status.securityGroups ?? []).map((g) => g.id),
          status.instanceProfile,
          plan.tags,
        )
        if (created) this.ctx.log(log.createdLaunchTemplate(scope, lt.name, id))
      }
      await this.ctx.clock.sleep(LAUNCH_LATENCY_MS)
      const output = await this.cloud.createFleet(plan.createFleetInput)
      releaseInflightIPs(plan.createFleetInput, output, plan.instanceTypes, subnets, plan.capacityType, this.ctx.inflightIPs)
      const outcome = interpretFleetResult(output, plan.capacityType)
      for (const u of outcome.unavailable) {
        markUnavailable(this.ctx.unavailable, u.instanceType, u.zone, u.capacityType, this.ctx.clock.simulated())
        this.ctx.log(log.removingOffering(scope, u))
      }
      if (!outcome.ok) return this.launchFailed(stored, scope, outcome.insufficientCapacity, outcome.error)
      const current = this.ctx.store.find(NODECLAIMS, undefined, name) as unknown as NodeClaimV1 | undefined
      if (!current || current.metadata.deletionTimestamp) {
        // Deleted while launching: the instance must not outlive its NodeClaim.
        await this.cloud.terminate(outcome.instance.instanceId)
        return
      }
      const instanceType = instanceTypes.find((t) => t.name === outcome.instance.instanceType)
      const launched = launchedNodeClaimV1(internalNodeClaim(current, nodeClass), outcome.instance, instanceType, nodeClass)
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
      this.updateStatus(name, (nc, c) => {
        nc.status = {
          ...(nc.status ?? {}),
          providerID: launched.status!.providerID,
          imageID: launched.status!.imageID,
          capacity: launched.status!.capacity as Record<string, string>,
          allocatable: launched.status!.allocatable as Record<string, string>,
        }
        c.setTrue('Launched')
      })
      this.ctx.log(
        log.launched(scope, {
          providerID: launched.status!.providerID!,
          instanceType: launched.metadata.labels?.[LABEL_INSTANCE_TYPE] ?? '',
          zone: outcome.instance.zone,
          capacityType: outcome.instance.capacityType,
          allocatable: launched.status!.allocatable as Record<string, string>,
        }),
      )
      const template = plan.launchTemplates.find((lt) => lt.instanceTypes.includes(outcome.instance.instanceType)) ?? plan.launchTemplates[0]
      await this.boot(launched, outcome.instance.instanceId, template?.nodeLabels ?? {}, template?.registerTaints ?? [])
    } finally {
      this.launching.delete(name)
    }
  }

  /**
   * launch.go: an insufficient capacity (or NodeClass not ready) error deletes the NodeClaim after
   * an ERROR line; anything else leaves Launched Unknown "LaunchFailed" and retries.
   */
  /**
   * launch.go launchNodeClaim's error cases: InsufficientCapacity (event) and NodeClassNotReady (no
   * event) log `failed launching nodeclaim` and delete the NodeClaim; anything else leaves Launched Unknown.
   */
  private launchFailed(
    nodeClaim: NodeClaimV1,
    scope: log.Scope,
    deleteIt: boolean,
    error: string,
    kind: 'InsufficientCapacity' | 'NodeClassNotReady' = 'InsufficientCapacity',
  ): { requeueAfterMs: number } | void {
    const name = nodeClaim.metadata.name!
    if (deleteIt) {
      this.ctx.log(log.failedLaunching(scope, error))
      if (kind === 'InsufficientCapacity')
        this.ctx.event(nodeClaim as unknown as KubeObject, 'Warning', 'InsufficientCapacityError', `NodeClaim ${name} event: ${error}`)
      try {
        this.ctx.store.delete(NODECLAIMS, undefined, name)
      } catch (e) {
        ignoreNotFound(e)
      }
      return
    }
    this.ctx.cluster.log(`karpenter: launching nodeclaim ${name}: ${error}`)
    this.updateStatus(name, (_nc, c) => c.setUnknown('Launched', 'LaunchFailed', error))
    return { requeueAfterMs: 10_000 }
  }

  /** The instance boots; its kubelet registers the Node with the NodeConfig's labels and taints. */
  private async boot(nodeClaim: NodeClaim, instanceId: string, nodeLabels: Record<string, string>, registerTaints: NodeClaim['spec']['taints']): Promise<void> {
    const instance = await this.cloud.describeInstance(instanceId)
    if (!instance) return
    const arch = instance.architecture === 'arm64' ? 'arm64' : 'amd64'
    const node = kubeletNode({
      name: instance.privateDnsName,
      instanceId,
      privateIp: instance.privateIp,
      region: this.ctx.cluster.aws.region,
      zone: nodeClaim.metadata.labels?.['topology.kubernetes.io/zone'] ?? '',
      instanceType: nodeClaim.metadata.labels?.[LABEL_INSTANCE_TYPE] ?? '',
      arch,
      providerID: nodeClaim.status!.providerID!,
      nodeLabels,
      registerTaints: registerTaints ?? [],
      capacity: nodeClaim.status?.capacity as Record<string, string>,
      allocatable: nodeClaim.status?.allocatable as Record<string, string>,
      creationTimestamp: rfc3339(this.ctx.clock.now()),
      kubeletVersion: kubeletVersion(this.ctx.cluster.kubernetesVersion),
      // The EKS AL2023 AMI of late 2026 (kernel 6.12, containerd 2 on 1.33 and later).
      ...al2023NodeInfo(arch, this.ctx.cluster.kubernetesVersion),
    })
    this.ctx.cluster.machines.boot({ instanceId, node, ...DEFAULT_BOOT })
  }

  // ---- registration (registration.go, liveness.go, tagging) ----

  private async register(stored: NodeClaimV1, scope: log.Scope): Promise<{ requeueAfterMs: number } | void> {
    const name = stored.metadata.name!
    const node = this.nodeFor(stored)
    if (!node) {
      const launchedAt = Date.parse(
        stored.status?.conditions?.find((c) => c.type === 'Launched')?.lastTransitionTime ?? stored.metadata.creationTimestamp ?? '',
      )
      if (this.ctx.clock.simulated() - this.ctx.clock.simulated(launchedAt) > REGISTRATION_TTL_MS) {
        this.ctx.log(log.terminatingDueToTimeout(scope, REGISTRATION_TTL_MS, 'registration'))
        try {
          this.ctx.store.delete(NODECLAIMS, undefined, name)
        } catch (error) {
          ignoreNotFound(error)
        }
        return
      }
      this.updateStatus(name, (_nc, c) => c.setUnknown('Registered', 'NodeNotFound', 'Node not registered with cluster'))
      return { requeueAfterMs: 30_000 }
    }
    // syncNode: finalizer, owner, taints (unless the kubelet registered them), annotations, labels;
    // the unregistered taint goes.
    this.ctx.store.mutate(
      'nodes',
      undefined,
      node.metadata.name!,
      (o) => {
        const n = o as unknown as Node
        n.metadata.finalizers = [...new Set([...(n.metadata.finalizers ?? []), FINALIZER_TERMINATION])]
        const owners = (n.metadata.ownerReferences ?? []).filter((r) => !(r.kind === 'NodeClaim' && r.name === name))
        owners.push({ apiVersion: NODEPOOL_V1, kind: 'NodeClaim', name, uid: stored.metadata.uid, blockOwnerDeletion: true })
        n.metadata.ownerReferences = owners
        let taints = n.spec?.taints ?? []
        if (n.metadata.labels?.[LABEL_DO_NOT_SYNC_TAINTS] !== 'true')
          taints = mergeTaints(mergeTaints(taints, stored.spec.taints ?? []), stored.spec.startupTaints ?? [])
        n.spec = { ...(n.spec ?? {}), taints: taints.filter((t) => !matchTaint(t, UNREGISTERED_NO_EXECUTE_TAINT)) }
        n.metadata.annotations = { ...(n.metadata.annotations ?? {}), ...(stored.metadata.annotations ?? {}) }
        n.metadata.labels = sortObject({ ...(n.metadata.labels ?? {}), ...(stored.metadata.labels ?? {}), [LABEL_REGISTERED]: 'true' })
      },
      { fieldManager: 'karpenter' },
    )
    const withNode: log.Scope = [...scope.filter(([k]) => k !== 'Node'), ['Node', log.ref(node.metadata.name!)]]
    this.ctx.log(log.registered(withNode))
    this.updateStatus(name, (nc, c) => {
      nc.status = { ...(nc.status ?? {}), nodeName: node.metadata.name }
      c.setTrue('Registered')
    })
    const pool = stored.metadata.labels?.[LABEL_NODEPOOL]
    if (pool) markRegistrationHealthy(this.ctx, pool)
    // nodeclaim.tagging: Name, the NodeClaim and the cluster name on the instance.
    const instanceId = parseInstanceID(stored.status!.providerID!)
    if (instanceId) {
      await this.cloud.tag(instanceId, registeredTagsV1(name, node.metadata.name!, this.ctx.settings.clusterName)).catch(() => undefined)
      try {
        this.ctx.store.mutate(
          NODECLAIMS,
          undefined,
          name,
          (o) =>
            void (o.metadata.annotations = {
              ...(o.metadata.annotations ?? {}),
              [ANNOTATION_INSTANCE_TAGGED]: 'true',
              [ANNOTATION_CLUSTER_NAME_TAGGED]: 'true',
            }),
          { fieldManager: 'karpenter' },
        )
      } catch (error) {
        ignoreNotFound(error)
      }
    }
    this.controller.enqueue(name)
  }

  // ---- initialization (initialization.go) ----

  private initialize(stored: NodeClaimV1, scope: log.Scope): void {
    const name = stored.metadata.name!
    const node = this.nodeFor(stored)
    if (!node) {
      this.updateStatus(name, (_nc, c) => c.setUnknown('Initialized', 'NodeNotFound', 'Node not registered with cluster'))
      return
    }
    const blocker = initializationBlocker(node, stored)
    if (blocker) {
      this.updateStatus(name, (_nc, c) => c.setUnknown('Initialized', blocker.reason, blocker.message))
      return
    }
    this.ctx.store.mutate(
      'nodes',
      undefined,
      node.metadata.name!,
      (o) => void (o.metadata.labels = sortObject({ ...(o.metadata.labels ?? {}), [LABEL_INITIALIZED]: 'true' })),
      { fieldManager: 'karpenter' },
    )
    this.ctx.log(log.initialized(scope, (node.status?.allocatable ?? {}) as Record<string, string>))
    this.updateStatus(name, (_nc, c) => c.setTrue('Initialized'))
  }

  // ---- deletion (controller.go finalize) ----

  private async finalize(stored: NodeClaimV1, scope: log.Scope): Promise<{ requeueAfterMs: number } | void> {
    const name = stored.metadata.name!
    if (!(stored.metadata.finalizers ?? []).includes(FINALIZER_TERMINATION)) return
    const registered = (stored.status?.conditions ?? []).some((c) => c.type === 'Registered' && c.status === 'True')
    const node = registered ? this.nodeFor(stored) : undefined
    if (node) {
      if (!node.metadata.deletionTimestamp) {
        try {
          this.ctx.store.delete('nodes', undefined, node.metadata.name!)
        } catch (error) {
          ignoreNotFound(error)
        }
      }
      return { requeueAfterMs: 1_000 }
    }
    const instanceId = stored.status?.providerID ? parseInstanceID(stored.status.providerID) : undefined
    if (instanceId) {
      await this.cloud.terminate(instanceId)
      this.ctx.cluster.machines.halt(instanceId)
      this.updateStatus(name, (_nc, c) => c.setTrue('InstanceTerminating'))
      const state = (await this.cloud.instanceStates([instanceId]).catch(() => new Map<string, string>())).get(instanceId)
      if (state && state !== 'terminated') return { requeueAfterMs: TERMINATION_POLL_MS }
    }
    try {
      this.ctx.store.mutate(
        NODECLAIMS,
        undefined,
        name,
        (o) => void (o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== FINALIZER_TERMINATION)),
        { fieldManager: 'karpenter' },
      )
    } catch (error) {
      ignoreNotFound(error)
      return
    }
    if (stored.status?.providerID) this.ctx.log(log.deletedNodeClaim(scope))
  }

  private nodeFor(nodeClaim: NodeClaimV1): Node | undefined {
    const providerID = nodeClaim.status?.providerID
    if (!providerID) return undefined
    return (this.ctx.store.list('nodes').items as unknown as Node[]).find((n) => n.spec?.providerID === providerID)
  }
}

/** The EC2NodeClass's resolved AMIs by what they run on (ami.go MapToInstanceTypes, by variant). */
function amisFromStatus(nodeClass: EC2NodeClassV1): AmiIds {
  const find = (arch: string, gpu: boolean) =>
    (nodeClass.status?.amis ?? []).find(
      (a) =>
        a.requirements.some((r) => r.key === 'kubernetes.io/arch' && (r.values ?? []).includes(arch)) &&
        a.requirements.some((r) => r.key === 'karpenter.k8s.aws/instance-gpu-count' && (gpu ? r.operator === 'Exists' : r.operator === 'DoesNotExist')),
    )?.id
  return { amd64: find('amd64', false) ?? '', arm64: find('arm64', false) ?? '', gpu: find('amd64', true) }
}

/** The service CIDR the cluster's DNS IP lives in (EKS picks a /16: 10.100.0.0/16 or 172.20.0.0/16). */
function serviceCidr(kubeDnsIp: string | undefined): string {
  const [a, b] = (kubeDnsIp ?? '172.20.0.10').split('.')
  return `${a}.${b}.0.0/16`
}

function kubeDnsIp(ctx: KarpenterContext): string | undefined {
  const svc = ctx.store.find('services', 'kube-system', 'kube-dns') as { spec?: { clusterIP?: string } } | undefined
  return svc?.spec?.clusterIP
}

function sortObject(o: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const k of Object.keys(o).sort()) out[k] = o[k]
  return out
}
