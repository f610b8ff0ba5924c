// The sandbox's eks-node-viewer: the same facts as awslabs/eks-node-viewer (nodes, the CPU the
// pods request against what is allocatable, each node's price and the cluster's), printed as
// text every second instead of drawn in a full-screen terminal UI. Run by sandbox/bin/eks-node-viewer.

import * as k8s from '@kubernetes/client-node'
import { EC2Client } from '@aws-sdk/client-ec2'
import { hourlyPrice } from '../aws/prices.ts'
import { parseQuantity } from '../k8s/quantity.ts'

const REFRESH_MS = 1_000
const BAR = 20

function bar(share: number): string {
  const full = Math.max(0, Math.min(BAR, Math.round(share * BAR)))
  return `${'█'.repeat(full)}${'░'.repeat(BAR - full)}`
}

function milli(q: string | undefined): number {
  return q ? Number(parseQuantity(q).milliValue()) : 0
}

async function main(): Promise<void> {
  const kc = new k8s.KubeConfig()
  kc.loadFromDefault()
  const core = kc.makeApiClient(k8s.CoreV1Api)
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'eu-west-2'
  const ec2 = new EC2Client({ region, ...(process.env.AWS_ENDPOINT_URL ? { endpoint: process.env.AWS_ENDPOINT_URL } : {}) })
  const prices = new Map<string, number | undefined>()
  let stop = false
  process.on('SIGINT', () => (stop = true))
  process.on('SIGTERM', () => (stop = true))
  while (!stop) {
    const nodes = (await core.listNode()).items
    const pods = (await core.listPodForAllNamespaces()).items.filter((p) => p.spec?.nodeName && !['Succeeded', 'Failed'].includes(String(p.status?.phase)))
    const lines: string[] = []
    let requested = 0
    let allocatable = 0
    let hourly = 0
    for (const n of nodes.sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)))) {
      const name = n.metadata!.name!
      const labels = n.metadata?.labels ?? {}
      const type = labels['node.kubernetes.io/instance-type'] ?? ''
      const zone = labels['topology.kubernetes.io/zone'] ?? ''
      const capacity = labels['karpenter.sh/capacity-type'] ?? (labels['eks.amazonaws.com/capacityType'] === 'SPOT' ? 'spot' : 'on-demand')
      const key = `${capacity}/${type}/${zone}`
      if (!prices.has(key)) prices.set(key, (await hourlyPrice(ec2, region, capacity, type, zone).catch(() => ({ price: undefined }))).price)
      const price = prices.get(key)
      const onNode = pods.filter((p) => p.spec?.nodeName === name)
      const cpu = onNode.reduce((s, p) => s + (p.spec?.containers ?? []).reduce((c, x) => c + milli(x.resources?.requests?.cpu), 0), 0)
      const alloc = milli(n.status?.allocatable?.cpu)
      const share = alloc > 0 ? cpu / alloc : 0
      requested += cpu
      allocatable += alloc
      hourly += price ?? 0
      const ready = (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True') ? 'Ready' : 'NotReady'
      const cordoned = n.spec?.unschedulable ? ' Cordoned' : ''
      lines.push(
        `${name.padEnd(44)} cpu ${bar(share)} ${String(Math.round(share * 100)).padStart(3)}% (${onNode.length} pods) ${type}/${price === undefined ? '$?' : `$${price.toFixed(4)}`} ${capacity === 'spot' ? 'Spot' : 'On-Demand'} - ${ready}${cordoned}`,
      )
    }
    const share = allocatable > 0 ? requested / allocatable : 0
    const running = pods.filter((p) => p.status?.phase === 'Running').length
    process.stdout.write(
      [
        `${nodes.length} nodes (${requested}m/${allocatable}m) ${(share * 100).toFixed(1)}% cpu ${bar(share)} $${hourly.toFixed(3)}/hour | $${(hourly * 730).toFixed(3)}/month`,
        `${pods.length} pods (${pods.length - running} pending ${running} running ${pods.length} bound)`,
        '',
        ...lines,
        '',
      ].join('\n') + '\n',
    )
    await new Promise((r) => setTimeout(r, REFRESH_MS))
  }
  ec2.destroy()
}

main().catch((error: unknown) => {
  process.stderr.write(`eks-node-viewer: ${(error as Error).message}\n`)
  process.exit(1)
})
