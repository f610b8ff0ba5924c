// moto's real EC2 catalogue (DescribeInstanceTypes entries and per-zone offerings), read from
// the installed moto package, plus the sandbox's price and branch-ENI tables: the same data the
// sandbox's EC2 serves, so tests exercise the twin's logic on real instance types.

import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { gunzipSync } from 'node:zlib'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { InstanceTypeInfo, InstanceTypeOffering } from '@aws-sdk/client-ec2'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..')
let motoDir: string | undefined

/** The installed moto package (asking Python once, then remembering it in the temp dir). */
function moto(): string {
  if (motoDir) return motoDir
  const memo = join(tmpdir(), 'spotcheck-moto-dir')
  const marker = (dir: string) => join(dir, 'ec2/resources/instance_types.json.gz')
  const remembered = process.env.SPOTCHECK_MOTO_DIR ?? (existsSync(memo) ? readFileSync(memo, 'utf8').trim() : undefined)
  if (remembered && existsSync(marker(remembered))) return (motoDir = remembered)
  motoDir = execFileSync('python3', ['-c', 'import moto,os;print(os.path.dirname(moto.__file__))'], { encoding: 'utf8' }).trim()
  try {
    writeFileSync(memo, motoDir)
  } catch {
    // a read-only temp dir only costs the lookup next time
  }
  return motoDir
}

let types: Record<string, InstanceTypeInfo> | undefined

export function motoInstanceTypes(): Record<string, InstanceTypeInfo> {
  types ??= JSON.parse(gunzipSync(readFileSync(join(moto(), 'ec2/resources/instance_types.json.gz'))).toString('utf8')) as Record<string, InstanceTypeInfo>
  return types
}

export function motoInstanceType(name: string): InstanceTypeInfo {
  const t = motoInstanceTypes()[name]
  if (!t) throw new Error(`moto has no instance type ${name}`)
  return t
}

const offeringsCache = new Map<string, InstanceTypeOffering[]>()

export function motoOfferings(region: string): InstanceTypeOffering[] {
  let o = offeringsCache.get(region)
  if (!o) {
    o = JSON.parse(
      gunzipSync(readFileSync(join(moto(), `ec2/resources/instance_type_offerings/availability-zone/${region}.json.gz`))).toString('utf8'),
    ) as InstanceTypeOffering[]
    offeringsCache.set(region, o)
  }
  return o
}

export function branchInterfaces(): Record<string, number> {
  return (JSON.parse(readFileSync(join(repo, 'sandbox/karpenter/data/branch-interfaces.json'), 'utf8')) as { branchInterfaces: Record<string, number> })
    .branchInterfaces
}

export function onDemandPriceFile(): { regions: Record<string, { prices: Record<string, number> }> } {
  return JSON.parse(readFileSync(join(repo, 'fixtures/prices/ec2-on-demand-prices.json'), 'utf8')) as {
    regions: Record<string, { prices: Record<string, number> }>
  }
}
