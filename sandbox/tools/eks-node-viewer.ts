// The sandbox's eks-node-viewer: the same facts as awslabs/eks-node-viewer (nodes, the CPU the
// pods request against what is allocatable, each node's price and the cluster's), drawn as the
// real one draws them — its View()'s lines, in the alternate screen, frame by frame as Bubble Tea
// writes them (node-viewer-view.ts) — so one reader (support/node-viewer-screen.ts) serves both.
// Run by bin/stand-ins/eks-node-viewer.

import * as k8s from '@kubernetes/client-node'
import { EC2Client } from '@aws-sdk/client-ec2'
import { hourlyPrice } from '../aws/prices.ts'
import { NodeViewerPrices } from './node-viewer-prices.ts'
import { parseQuantity } from '../k8s/quantity.ts'
import { AltScreenRenderer, view, type ViewNode } from './node-viewer-view.ts'

/** Real time: a separate process redrawing a terminal, not part of the simulated world. */
const REFRESH_MS = 1_000

function milli(q: string | undefined): number {
  return q ? Number(parseQuantity(q).milliValue()) : 0
}

async function main(): Promise<void> {
  const kc = new k8s.KubeConfig()
  kc.loadFromDefault()
  const core = kc.makeApiClient(k8s.CoreV1Api)
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'eu-west-2'
  const ec2 = new EC2Client({ region, ...(process.env.AWS_ENDPOINT_URL ? { endpoint: process.env.AWS_ENDPOINT_URL } : {}) })
  const prices = new NodeViewerPrices(async (capacity, type, zone) => (await hourlyPrice(ec2, region, capacity, type, zone)).price)
  let stop = false
  process.on('SIGINT', () => (stop = true))
  process.on('SIGTERM', () => (stop = true))
  const renderer = new AltScreenRenderer()
  process.stdout.write(renderer.start())
  while (!stop) {
    const nodes = (await core.listNode()).items
    const pods = (await core.listPodForAllNamespaces()).items.filter((p) => !['Succeeded', 'Failed'].includes(String(p.status?.phase)))
    const drawn: { created: number; node: ViewNode }[] = []
    for (const n of nodes) {
      const name = n.metadata!.name!
      const labels = n.metadata?.labels ?? {}
      const type = labels['node.kubernetes.io/instance-type'] ?? ''
      const zone = labels['topology.kubernetes.io/zone'] ?? ''
      const capacity = labels['karpenter.sh/capacity-type'] ?? (labels['eks.amazonaws.com/capacityType'] === 'SPOT' ? 'spot' : 'on-demand')
      const price = await prices.price(capacity, type, zone)
      const onNode = pods.filter((p) => p.spec?.nodeName === name)
      drawn.push({
        created: Date.parse(String(n.metadata?.creationTimestamp ?? 0)) || 0,
        node: {
          name,
          instanceType: type,
          price,
          capacity: capacity === 'spot' ? 'spot' : 'on-demand',
          ready: (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
          cordoned: Boolean(n.spec?.unschedulable),
          deleting: Boolean(n.metadata?.deletionTimestamp),
          requested: onNode.reduce((s, p) => s + (p.spec?.containers ?? []).reduce((c, x) => c + milli(x.resources?.requests?.cpu), 0), 0),
          allocatable: milli(n.status?.allocatable?.cpu),
          pods: onNode.length,
        },
      })
    }
    // The default --node-sort is "creation": newest first, then by name.
    drawn.sort((a, b) => b.created - a.created || a.node.name.localeCompare(b.node.name))
    const bound = pods.filter((p) => p.spec?.nodeName).length
    const frame = renderer.frame(
      view({
        nodes: drawn.map((d) => d.node),
        pods: {
          total: pods.length,
          pending: pods.filter((p) => p.status?.phase === 'Pending').length,
          running: pods.filter((p) => p.status?.phase === 'Running').length,
          bound,
        },
      }),
    )
    if (frame) process.stdout.write(frame)
    await new Promise((r) => setTimeout(r, REFRESH_MS))
  }
  process.stdout.write(renderer.stop())
  ec2.destroy()
}

main().catch((error: unknown) => {
  process.stderr.write(`eks-node-viewer: ${(error as Error).message}\n`)
  process.exit(1)
})
