// What an instance costs per hour, and where the suite read it — the one place steps get prices.
//
// On-Demand: on the `aws` target (a rehearsal included: its account is a sandbox whose moto
// answers the same API) from the AWS Price List Query API, GetProducts for the run's region;
// on the `sandbox` target from the table the sandbox itself prices EC2 with. Spot: EC2's Spot
// price history on both (DescribeSpotPriceHistory, what Karpenter and eks-node-viewer read).
// Every price carries its source, and the report names it beside the number.
//
// What a rehearsal cannot prove about the real API, and what this module relies on from AWS's
// documentation: the Price List API is served only from us-east-1, eu-central-1 and ap-south-1
// (AWS Billing user guide, "Using the AWS Price List Bulk API", its "Endpoints",
// https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/using-ppslong.html; botocore
// endpoints.json `api.pricing`), so the client picks one of those whatever the run's
// region; each PriceList entry is a JSON string with product.attributes and
// terms.OnDemand.*.priceDimensions.*.pricePerUnit.USD ("GetProducts", AWS Price List Service API
// reference, https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html);
// EC2 products carry a `regionCode` attribute, which is how Karpenter's own pricing provider
// filters them (aws/karpenter-provider-aws, pkg/providers/pricing/pricing.go) — so the
// location-name fallback is not implemented. The role needs `pricing:GetProducts`.

import { GetProductsCommand, PricingClient, type Filter } from '@aws-sdk/client-pricing'
import { ON_DEMAND_PRICE_FILE, onDemandTable } from '../platform/on-demand-prices.ts'
import type { TargetSession } from './target.ts'
import { spotPrice } from '../lib/spot-price.ts'
import type { EC2Client } from '@aws-sdk/client-ec2'

/** What the price source needs of the run's target. */
export type PriceTarget = Pick<TargetSession, 'name' | 'region' | 'env'>

export interface OnDemandPrice {
  instanceType: string
  region: string
  /** USD per instance-hour, Linux, shared tenancy (dedicated for bare metal, as AWS lists it). */
  usdPerHour: number
  /** Where the number came from, as the report shows it. */
  source: string
}

/** No price for this instance type in this region from this source; the message names all three. */
export class PriceNotFoundError extends Error {
  override name = 'PriceNotFoundError'
}

export interface OnDemandPrices {
  /** The source's name, as the report shows it. */
  readonly source: string
  /** The On-Demand price of one type (cached for the run); PriceNotFoundError when there is none. */
  price(instanceType: string): Promise<OnDemandPrice>
  /** Prices of many types; the ones without a price are listed with why, not thrown. */
  prices(instanceTypes: readonly string[]): Promise<{ found: OnDemandPrice[]; missing: { instanceType: string; reason: string }[] }>
}

const sources = new WeakMap<object, OnDemandPrices>()

/** The run's On-Demand price source (one per target session, so its cache lasts the run). */
export function onDemandPrices(target: PriceTarget): OnDemandPrices {
  let source = sources.get(target)
  if (!source) {
    source = target.name === 'aws' ? priceListPrices({ region: target.region, env: target.env }) : shippedTablePrices(target.region)
    sources.set(target, source)
  }
  return source
}

// ── the sandbox: the shipped table ─────────────────────────────────────────────────────────

export function shippedTableSource(region: string): string {
  const table = onDemandTable(region)
  return `spotcheck's shipped table (${ON_DEMAND_PRICE_FILE}, ${table.retrievedAt}${table.derivation ? `; ${region}: ${table.derivation}` : ''})`
}

export function shippedTablePrices(region: string): OnDemandPrices {
  const table = onDemandTable(region)
  const source = shippedTableSource(region)
  return withCache(source, async (instanceType) => {
    const usdPerHour = table.prices[instanceType]
    if (usdPerHour === undefined)
      throw new PriceNotFoundError(`${ON_DEMAND_PRICE_FILE} has no On-Demand price for ${instanceType} in its ${table.tableRegion} table (used for ${region})`)
    return { instanceType, region, usdPerHour, source }
  })
}

// ── aws: the Price List Query API ──────────────────────────────────────────────────────────

/** The Price List endpoint region for a run's region (Karpenter's choice: the nearest of the three). */
export function priceListRegion(region: string): 'us-east-1' | 'eu-central-1' | 'ap-south-1' {
  if (/^(cn|us-gov|us-iso|eu-isoe)-/.test(region)) {
    throw new Error(
      `the AWS Price List Query API serves the aws partition from us-east-1, eu-central-1 and ap-south-1; ${region} is in another partition, which spotcheck does not price`,
    )
  }
  if (region.startsWith('ap-')) return 'ap-south-1'
  if (region.startsWith('eu-')) return 'eu-central-1'
  return 'us-east-1'
}

export function priceListSource(region: string): string {
  return `AWS Price List API (GetProducts, ${region})`
}

/** GetProducts filters for one instance type's Linux On-Demand price (Karpenter's pricing provider's set). */
export function onDemandFilters(region: string, instanceType: string, tenancy: 'Shared' | 'Dedicated'): Filter[] {
  const term = (Field: string, Value: string): Filter => ({ Type: 'TERM_MATCH', Field, Value })
  return [
    term('ServiceCode', 'AmazonEC2'),
    term('regionCode', region),
    term('instanceType', instanceType),
    term('operatingSystem', 'Linux'),
    term('preInstalledSw', 'NA'),
    term('capacitystatus', 'Used'),
    term('marketoption', 'OnDemand'),
    term('tenancy', tenancy),
    // Bare metal types are listed with dedicated tenancy in their own product family.
    ...(tenancy === 'Dedicated' ? [term('productFamily', 'Compute Instance (bare metal)')] : []),
  ]
}

export interface PriceListOptions {
  region: string
  env: Record<string, string | undefined>
  /** For tests: a client to use instead of one built from `env`. */
  client?: Pick<PricingClient, 'send'>
}

export function priceListPrices(options: PriceListOptions): OnDemandPrices {
  const { region } = options
  const endpointRegion = priceListRegion(region)
  const source = priceListSource(region)
  let client = options.client
  const send = (filters: Filter[]) => {
    client ??= pricingClient(options.env, endpointRegion)
    return getProducts(client, filters)
  }
  return withCache(source, async (instanceType) => {
    for (const tenancy of ['Shared', 'Dedicated'] as const) {
      const usdPerHour = onDemandPriceFromPriceList(await send(onDemandFilters(region, instanceType, tenancy)), { instanceType, region })
      if (usdPerHour !== undefined) return { instanceType, region, usdPerHour, source }
    }
    throw new PriceNotFoundError(
      `the AWS Price List API (api.pricing.${endpointRegion}) has no Linux On-Demand price for ${instanceType} in ${region} (GetProducts AmazonEC2, regionCode ${region}, shared or bare-metal dedicated tenancy)`,
    )
  })
}

function pricingClient(env: Record<string, string | undefined>, region: string): PricingClient {
  // As support/aws-clients.ts builds the run's other clients from the run's environment, but in a
  // Price List region: a rehearsal's endpoint override sends it to the sandbox's moto.
  const endpoint = env.AWS_ENDPOINT_URL_PRICING ?? env.AWS_ENDPOINT_URL
  const credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          accessKeyId: env.AWS_ACCESS_KEY_ID,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
          ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
        }
      : undefined
  return new PricingClient({ region, maxAttempts: 5, ...(endpoint ? { endpoint } : {}), ...(credentials ? { credentials } : {}) })
}

async function getProducts(client: Pick<PricingClient, 'send'>, filters: Filter[]): Promise<unknown[]> {
  const items: unknown[] = []
  let NextToken: string | undefined
  do {
    const page = await client.send(
      new GetProductsCommand({ ServiceCode: 'AmazonEC2', Filters: filters, FormatVersion: 'aws_v1', MaxResults: 100, ...(NextToken ? { NextToken } : {}) }),
    )
    items.push(...((page.PriceList as unknown[] | undefined) ?? []))
    NextToken = page.NextToken
  } while (NextToken)
  return items
}

export interface PriceListProduct {
  sku: string
  productFamily?: string
  attributes: Readonly<Record<string, string>>
  /** USD per hour of each On-Demand price dimension billed in hours. */
  hourlyUsd: number[]
}

/** One PriceList entry: a JSON string (the SDK may hand it over already parsed). */
export function parsePriceListItem(item: unknown): PriceListProduct {
  const doc = (typeof item === 'string' || item instanceof String ? JSON.parse(String(item)) : item) as Record<string, unknown> | null
  const product = doc?.product as { sku?: unknown; productFamily?: unknown; attributes?: unknown } | undefined
  if (!product || typeof product.attributes !== 'object' || product.attributes === null)
    throw new Error('a PriceList entry without product.attributes: not a Price List product')
  const hourlyUsd: number[] = []
  const onDemand = ((doc?.terms as Record<string, unknown> | undefined)?.OnDemand ?? {}) as Record<
    string,
    { priceDimensions?: Record<string, { unit?: string; pricePerUnit?: Record<string, string> }> }
  >
  for (const offer of Object.values(onDemand)) {
    for (const dimension of Object.values(offer.priceDimensions ?? {})) {
      const usd = dimension.pricePerUnit?.USD
      if (dimension.unit !== 'Hrs' || usd === undefined) continue
      const value = Number(usd)
      if (!Number.isFinite(value)) throw new Error(`PriceList entry ${JSON.stringify(product.sku)}: pricePerUnit.USD ${JSON.stringify(usd)} is not a number`)
      hourlyUsd.push(value)
    }
  }
  return {
    sku: typeof product.sku === 'string' ? product.sku : '',
    ...(typeof product.productFamily === 'string' ? { productFamily: product.productFamily } : {}),
    attributes: product.attributes as Record<string, string>,
    hourlyUsd,
  }
}

/**
 * The instance type's On-Demand USD/h among GetProducts' entries: products of that type and
 * region, Linux, in use (capacitystatus Used: a capacity reservation's products cost $0 or the
 * same), with a non-zero hourly price. Two different prices left means the filters were not
 * specific enough — an error naming the products rather than a guess.
 */
export function onDemandPriceFromPriceList(items: readonly unknown[], want: { instanceType: string; region: string }): number | undefined {
  const candidates = items.map(parsePriceListItem).filter((p) => {
    const a = p.attributes
    return (
      a.instanceType === want.instanceType &&
      (a.regionCode ?? want.region) === want.region &&
      (a.capacitystatus ?? 'Used') === 'Used' &&
      (a.operatingSystem ?? 'Linux') === 'Linux'
    )
  })
  const priced = candidates.flatMap((p) => p.hourlyUsd.filter((usd) => usd > 0).map((usd) => ({ sku: p.sku, usd })))
  const distinct = [...new Set(priced.map((p) => p.usd))]
  if (distinct.length > 1) {
    throw new Error(
      `the Price List has ${distinct.length} different On-Demand prices for ${want.instanceType} in ${want.region}: ${priced.map((p) => `${p.sku} $${p.usd}`).join(', ')}`,
    )
  }
  return distinct[0]
}

// ── shared ─────────────────────────────────────────────────────────────────────────────────

/** The run's cache: one lookup per instance type, at most four at a time. */
function withCache(source: string, lookup: (instanceType: string) => Promise<OnDemandPrice>): OnDemandPrices {
  const cache = new Map<string, Promise<OnDemandPrice>>()
  const price = (instanceType: string): Promise<OnDemandPrice> => {
    let entry = cache.get(instanceType)
    if (!entry) {
      entry = lookup(instanceType)
      cache.set(instanceType, entry)
    }
    return entry
  }
  return {
    source,
    price,
    async prices(instanceTypes) {
      const found: OnDemandPrice[] = []
      const missing: { instanceType: string; reason: string }[] = []
      const queue = [...new Set(instanceTypes)]
      const worker = async () => {
        for (let t = queue.shift(); t !== undefined; t = queue.shift()) {
          try {
            found.push(await price(t))
          } catch (e) {
            if (!(e instanceof PriceNotFoundError)) throw e
            missing.push({ instanceType: t, reason: e.message })
          }
        }
      }
      await Promise.all(Array.from({ length: Math.min(4, queue.length) }, worker))
      const order = new Map(instanceTypes.map((t, i) => [t, i]))
      found.sort((a, b) => order.get(a.instanceType)! - order.get(b.instanceType)!)
      return { found, missing }
    },
  }
}

export const SPOT_PRICE_SOURCE = 'EC2 Spot price history (DescribeSpotPriceHistory)'

/** What a node of this capacity type costs per hour, with its source (On-Demand: PriceNotFoundError if unknown). */
export async function hourlyPrice(
  target: PriceTarget,
  ec2: EC2Client,
  capacityType: string,
  instanceType: string,
  zone: string,
): Promise<{ price?: number; source: string }> {
  if (capacityType === 'spot') return { price: await spotPrice(ec2, instanceType, zone), source: SPOT_PRICE_SOURCE }
  const p = await onDemandPrices(target).price(instanceType)
  return { price: p.usdPerHour, source: p.source }
}

export function usd(value: number | undefined, digits = 4): string {
  return value === undefined ? 'n/a' : `$${value.toFixed(digits)}`
}
