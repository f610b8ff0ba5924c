// The disruption controller (core@v0.32.1 pkg/controllers/disruption). It reads the NodeClaim
// conditions Empty and Expired, which nodeclaim-disruption.ts keeps. Every 10 s of tutorial time,
// expiration → emptiness → empty-node, multi-node and single-node consolidation; the first method
// with a command wins. Consolidation commands wait 15 s and are re-validated against a fresh
// picture; a replace taints the candidates, launches the replacement and waits until it is
// initialized before the candidates' NodeClaims are deleted.

import { ignoreNotFound } from '../../kube/errors.ts'
import type { KubeObject } from '../../kube/json.ts'
import type { Node } from '../../k8s/types.ts'
import type { NodeClaim } from '../api.ts'
import {
  CONSOLIDATION_TTL_MS,
  computeDisruption,
  DISRUPTION_POLLING_PERIOD_MS,
  replacementNodeClaims,
  validateCommand,
  validateEmptyNodeConsolidation,
  type ConsolidationMemo,
  type DisruptionDecision,
} from '../disruption/consolidation.ts'
import type { DisruptionSnapshot } from '../disruption/candidates.ts'
import { DISRUPTION_NO_SCHEDULE_TAINT } from '../labels.ts'
import { daemonSetPods } from '../scheduling/scheduler.ts'
import type { StateNode } from '../state.ts'
import { NODECLAIMS, takeSnapshot } from './cluster-state.ts'
import type { KarpenterContext } from './context.ts'
import type { Provisioner } from './provisioner.ts'

/** Replacements get about 9.5 minutes to initialize (v0.32), the candidates as long to go. */
const WAIT_BUDGET_MS = 9.5 * 60_000
const WAIT_POLL_MS = 1_000
/** The consolidation state also changes at least every 5 minutes. */
const STATE_REFRESH_MS = 5 * 60_000

export class Disruption {
  private readonly ctx: KarpenterContext
  private readonly provisioner: Provisioner
  private readonly abort = new AbortController()
  private loop?: Promise<void>
  private memo: ConsolidationMemo = {}
  private stopWatch?: () => void

  constructor(ctx: KarpenterContext, provisioner: Provisioner) {
    this.ctx = ctx
    this.provisioner = provisioner
  }

  start(): void {
    // Any change to pods, nodes or NodeClaims changes the cluster's consolidation state.
    this.stopWatch = this.ctx.store.watchAll((e) => {
      if (e.resource === 'pods' || e.resource === 'nodes' || e.resource === NODECLAIMS) this.ctx.consolidationState = this.ctx.clock.simulated()
    })
    this.loop = this.run()
  }

  async stop(): Promise<void> {
    this.abort.abort()
    this.stopWatch?.()
    await this.loop?.catch(() => undefined)
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      let acted = false
      try {
        acted = await this.reconcile()
      } catch (error) {
        if (this.abort.signal.aborted) return
        this.ctx.cluster.log(`karpenter disruption: ${(error as Error).stack ?? String(error)}`)
      }
      // After a command the loop starts again at once; otherwise it polls every 10 s.
      if (!acted) await this.ctx.clock.sleep(DISRUPTION_POLLING_PERIOD_MS, this.abort.signal).catch(() => undefined)
    }
  }

  /** One pass; true when a command was executed. */
  async reconcile(): Promise<boolean> {
    this.removeLeftoverTaints()
    const snapshot = await this.snapshot()
    const state = Math.max(this.ctx.consolidationState, Math.floor(this.ctx.clock.simulated() / STATE_REFRESH_MS) * STATE_REFRESH_MS)
    const round = computeDisruption(snapshot, this.memo, state)
    this.memo = round.memo
    for (const e of round.events) {
      const node = this.ctx.store.find('nodes', undefined, e.node)
      if (node) this.ctx.event(node, 'Normal', e.reason, e.message)
    }
    if (!round.decision) return false
    return this.execute(round.decision)
  }

  private async execute(decision: DisruptionDecision): Promise<boolean> {
    this.ctx.logAll(decision.logs)
    if (decision.needsValidation) {
      await this.ctx.clock.sleep(CONSOLIDATION_TTL_MS, this.abort.signal)
      const later = await this.snapshot()
      const check =
        decision.consolidationType === 'empty'
          ? validateEmptyNodeConsolidation(decision.command, later)
          : validateCommand(decision.command, later, decision.consolidationType === 'multi' ? 'multi-node' : 'single-node')
      this.ctx.logAll(check.logs)
      if (!check.valid) return false
    }
    this.ctx.log(decision.log)
    const candidates = decision.command.candidates.map((c) => c.stateNode)
    for (const c of candidates) {
      if (c.node)
        this.ctx.event(
          c.node as unknown as KubeObject,
          'Normal',
          'DisruptionTerminating',
          `Disrupting Node: ${capitalize(decision.method)}/${capitalize(action(decision))}`,
        )
    }
    if (decision.command.replacements.length > 0) {
      this.taint(candidates, true)
      const taken = new Set((this.ctx.store.list(NODECLAIMS).items as unknown as NodeClaim[]).map((nc) => nc.metadata.name!))
      const replacements = replacementNodeClaims(decision.command, { rng: this.ctx.rng }, taken)
      for (const nc of replacements) {
        this.ctx.store.create(NODECLAIMS, nc as unknown as KubeObject, { fieldManager: 'karpenter' })
        for (const c of candidates)
          if (c.node)
            this.ctx.event(
              c.node as unknown as KubeObject,
              'Normal',
              'DisruptionLaunching',
              `Launching NodeClaim: ${capitalize(decision.method)}/${capitalize(action(decision))}`,
            )
      }
      const ok = await this.waitFor(() =>
        replacements.every((nc) => initialized(this.ctx.store.find(NODECLAIMS, undefined, nc.metadata.name!) as unknown as NodeClaim | undefined)),
      )
      if (!ok) {
        // The replacement never became ready: give the candidates back.
        this.taint(candidates, false)
        return false
      }
    }
    for (const c of candidates) {
      if (!c.nodeClaim) continue
      try {
        this.ctx.store.delete(NODECLAIMS, undefined, c.nodeClaim.metadata.name!)
      } catch (error) {
        ignoreNotFound(error)
      }
    }
    await this.waitFor(() => candidates.every((c) => !c.nodeClaim || !this.ctx.store.find(NODECLAIMS, undefined, c.nodeClaim.metadata.name!)))
    return true
  }

  private async waitFor(done: () => boolean): Promise<boolean> {
    const deadline = this.ctx.clock.simulated() + WAIT_BUDGET_MS
    while (!done()) {
      if (this.abort.signal.aborted || this.ctx.clock.simulated() > deadline) return false
      await this.ctx.clock.sleep(WAIT_POLL_MS, this.abort.signal).catch(() => undefined)
    }
    return true
  }

  private taint(candidates: readonly StateNode[], on: boolean): void {
    for (const c of candidates) {
      if (!c.node) continue
      try {
        this.ctx.store.mutate(
          'nodes',
          undefined,
          c.node.metadata.name!,
          (o) => {
            const spec = (o.spec ?? {}) as { taints?: { key: string; effect: string }[] }
            const without = (spec.taints ?? []).filter((t) => !(t.key === DISRUPTION_NO_SCHEDULE_TAINT.key && t.effect === DISRUPTION_NO_SCHEDULE_TAINT.effect))
            spec.taints = on ? [...without, { ...DISRUPTION_NO_SCHEDULE_TAINT }] : without
            o.spec = spec
          },
          { fieldManager: 'karpenter' },
        )
      } catch (error) {
        ignoreNotFound(error)
      }
    }
  }

  /** Crash recovery (v0.32): nodes not being deleted lose a leftover disruption taint. */
  private removeLeftoverTaints(): void {
    for (const node of this.ctx.store.list('nodes').items as unknown as Node[]) {
      if (node.metadata.deletionTimestamp) continue
      if (!(node.spec?.taints ?? []).some((t) => t.key === DISRUPTION_NO_SCHEDULE_TAINT.key)) continue
      const claim = (this.ctx.store.list(NODECLAIMS).items as unknown as NodeClaim[]).find((nc) => nc.status?.providerID === node.spec?.providerID)
      if (claim?.metadata.deletionTimestamp) continue
      this.taint([{ node } as StateNode], false)
    }
  }

  /** What disruption reads, with timestamps moved to tutorial time (durations are tutorial time). */
  private async snapshot(): Promise<DisruptionSnapshot> {
    const s = takeSnapshot(this.ctx)
    const nodePools = s.nodePools.filter((np) => !np.metadata.deletionTimestamp)
    const instanceTypes = await this.provisioner.instanceTypesByPool(s, nodePools)
    const toSim = (t: string | undefined) => (t ? new Date(this.ctx.clock.simulated(t)).toISOString() : t)
    const stateNodes = s.stateNodes.map((sn) => ({
      ...sn,
      node: sn.node && { ...sn.node, metadata: { ...sn.node.metadata, creationTimestamp: toSim(sn.node.metadata.creationTimestamp) } },
      nodeClaim: sn.nodeClaim && {
        ...sn.nodeClaim,
        metadata: { ...sn.nodeClaim.metadata, creationTimestamp: toSim(sn.nodeClaim.metadata.creationTimestamp) },
        status: {
          ...(sn.nodeClaim.status ?? {}),
          conditions: (sn.nodeClaim.status?.conditions ?? []).map((c) => ({ ...c, lastTransitionTime: toSim(c.lastTransitionTime) })),
        },
      },
    }))
    return {
      now: this.ctx.clock.simulated(),
      nodePools,
      instanceTypes,
      stateNodes,
      pendingPods: s.pendingPods,
      daemonSetPods: daemonSetPods(s.daemonSets, s.pods),
      cluster: s.topology,
      pdbs: [],
      rng: this.ctx.rng,
    }
  }
}

function initialized(nc: NodeClaim | undefined): boolean {
  return (nc?.status?.conditions ?? []).some((c) => c.type === 'Initialized' && c.status === 'True')
}

function action(decision: DisruptionDecision): string {
  return decision.command.replacements.length > 0 ? 'replace' : 'delete'
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}
