// The 1.x interruption controller (aws/karpenter-provider-aws@v1.9.2
// pkg/controllers/interruption/controller.go): the same long poll of the queue as v0.32
// (controllers/interruption.ts); each message is handled as 1.9 does — `notifyForMessage` events on
// the Node and the NodeClaim, the Spot offering marked unavailable for 3 minutes, the NodeClaim
// deleted (`initiating delete from interruption message`, `TerminatingOnInterruption` on both), the
// message deleted. Cordoning is termination's `karpenter.sh/disrupted:NoSchedule` taint.

import type { Message } from '@aws-sdk/client-sqs'
import { ignoreNotFound } from '../../../kube/errors.ts'
import type { KubeObject } from '../../../kube/json.ts'
import type { NodeClaim } from '../../api.ts'
import { parseInstanceID } from '../../nodeclaim-names.ts'
import { handleInterruptionV1, parseInterruptionMessageV1, TERMINATING_ON_INTERRUPTION } from '../../v1/interruption.ts'
import * as log from '../../v1/logger.ts'
import { NODECLAIMS } from '../cluster-state.ts'
import { Interruption } from '../interruption.ts'

export class InterruptionV1 extends Interruption {
  protected override async handle(url: string, queue: string, message: Message): Promise<void> {
    const scope = log.singletonScope('interruption', this.ctx.rng)
    let parsed
    try {
      parsed = parseInterruptionMessageV1(message.Body ?? '')
    } catch (error) {
      this.ctx.log(log.failedParsing(scope, queue, `parsing sqs message, ${(error as Error).message}`))
      await this.delete(url, message)
      return
    }
    if (parsed.kind !== 'no_op') {
      const nodeClaims = this.ctx.store.list(NODECLAIMS).items as unknown as NodeClaim[]
      for (const instanceId of parsed.instanceIds) {
        const nodeClaim = nodeClaims.find((nc) => nc.status?.providerID && parseInstanceID(nc.status.providerID) === instanceId)
        if (!nodeClaim) continue // not Karpenter's, or already gone
        const node = (this.ctx.store.list('nodes').items as unknown as { metadata: { name?: string }; spec?: { providerID?: string } }[]).find(
          (n) => n.spec?.providerID === nodeClaim.status?.providerID,
        )
        const nodeName = node?.metadata.name
        const handling = handleInterruptionV1(parsed, nodeClaim, nodeName, queue, scope, this.ctx.unavailable, this.ctx.clock.simulated())
        const nodeObject = nodeName ? this.ctx.store.find('nodes', undefined, nodeName) : undefined
        if (handling.notification) {
          for (const target of [nodeObject, nodeClaim as unknown as KubeObject])
            if (target) this.ctx.event(target, handling.notification.type, handling.notification.reason, handling.notification.message)
        }
        this.ctx.logAll(handling.logs)
        if (!handling.deleteNodeClaim) continue
        try {
          this.ctx.store.delete(NODECLAIMS, undefined, nodeClaim.metadata.name!)
        } catch (error) {
          ignoreNotFound(error)
          continue
        }
        this.ctx.log(log.initiatingDelete(handling.scope))
        if (nodeObject)
          this.ctx.event(nodeObject, TERMINATING_ON_INTERRUPTION.node.type, TERMINATING_ON_INTERRUPTION.node.reason, TERMINATING_ON_INTERRUPTION.node.message)
        this.ctx.event(
          nodeClaim as unknown as KubeObject,
          TERMINATING_ON_INTERRUPTION.nodeClaim.type,
          TERMINATING_ON_INTERRUPTION.nodeClaim.reason,
          TERMINATING_ON_INTERRUPTION.nodeClaim.message,
        )
      }
    }
    await this.delete(url, message)
  }
}
