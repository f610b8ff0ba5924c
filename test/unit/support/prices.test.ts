// support/prices.ts: reading On-Demand prices out of a Price List GetProducts answer, asking the
// API the right question (filters, the Price List region, pages, bare metal), the run's cache,
// and the name every price carries (the Price List API on aws, the shipped table on the sandbox).

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { GetProductsCommand, GetProductsCommandOutput } from '@aws-sdk/client-pricing'
import {
  onDemandPriceFromPriceList,
  onDemandPrices,
  parsePriceListItem,
  PriceNotFoundError,
  priceListPrices,
  priceListRegion,
  shippedTablePrices,
} from '../../../support/prices.ts'

const here = dirname(fileURLToPath(import.meta.url))
const answer = JSON.parse(readFileSync(join(here, 'data', 'price-list-get-products.json'), 'utf8')) as { PriceList: string[] }
const table = JSON.parse(readFileSync(join(here, '..', '..', '..', 'fixtures', 'prices', 'ec2-on-demand-prices.json'), 'utf8')) as {
  regions: Record<string, { prices: Record<string, number>; retrievedAt: string }>
}

describe('a Price List GetProducts answer', () => {
  it('is a list of JSON strings, each a product with its attributes and its On-Demand hourly prices', () => {
    const products = answer.PriceList.map(parsePriceListItem)
    assert.deepEqual(
      products.map((p) => [p.sku, p.attributes.capacitystatus, p.hourlyUsd]),
      [
        ['TESTSKU0ALLOCAT1', 'AllocatedCapacityReservation', [0]],
        // the Reserved term beside the On-Demand one is not an On-Demand price
        ['TESTSKU0ONDEMAN1', 'Used', [0.096]],
        ['TESTSKU0UNUSED01', 'UnusedCapacityReservation', [0.096]],
      ],
    )
    assert.equal(products[1].productFamily, 'Compute Instance')
    assert.equal(products[1].attributes.regionCode, 'us-east-1')
  })

  it("gives the in-use product's price, not a capacity reservation's $0", () => {
    assert.equal(onDemandPriceFromPriceList(answer.PriceList, { instanceType: 'm5.large', region: 'us-east-1' }), 0.096)
    const onlyAllocated = answer.PriceList.filter((s) => s.includes('AllocatedCapacityReservation'))
    assert.equal(onDemandPriceFromPriceList(onlyAllocated, { instanceType: 'm5.large', region: 'us-east-1' }), undefined)
  })

  it('accepts entries the SDK already parsed', () => {
    const parsed = answer.PriceList.map((s) => JSON.parse(s) as unknown)
    assert.equal(onDemandPriceFromPriceList(parsed, { instanceType: 'm5.large', region: 'us-east-1' }), 0.096)
  })

  it('ignores products of another type or region', () => {
    assert.equal(onDemandPriceFromPriceList(answer.PriceList, { instanceType: 'm5.xlarge', region: 'us-east-1' }), undefined)
    assert.equal(onDemandPriceFromPriceList(answer.PriceList, { instanceType: 'm5.large', region: 'eu-west-2' }), undefined)
  })

  it('refuses to guess between two different prices, naming the products', () => {
    const other = answer.PriceList[1].replaceAll('TESTSKU0ONDEMAN1', 'TESTSKU0ONDEMAN2').replace('"USD": "0.0960000000"', '"USD": "0.1010000000"')
    assert.throws(
      () => onDemandPriceFromPriceList([answer.PriceList[1], other], { instanceType: 'm5.large', region: 'us-east-1' }),
      /2 different On-Demand prices for m5\.large in us-east-1: TESTSKU0ONDEMAN1 \$0\.096, TESTSKU0ONDEMAN2 \$0\.101/,
    )
  })

  it('says what is wrong with an entry that is not a product', () => {
    assert.throws(() => parsePriceListItem('{"terms":{}}'), /without product\.attributes/)
    assert.throws(() => parsePriceListItem(answer.PriceList[1].replace('"USD": "0.0960000000"', '"USD": "cheap"')), /TESTSKU0ONDEMAN1.*"cheap" is not a number/)
  })
})

describe('the Price List region', () => {
  it("is the nearest of the three regions that serve the API, whatever the run's region", () => {
    assert.equal(priceListRegion('eu-west-2'), 'eu-central-1')
    assert.equal(priceListRegion('ap-southeast-2'), 'ap-south-1')
    assert.equal(priceListRegion('us-west-2'), 'us-east-1')
    assert.equal(priceListRegion('ca-central-1'), 'us-east-1')
    assert.throws(() => priceListRegion('cn-north-1'), /cn-north-1 is in another partition/)
  })
})

/** A Pricing client whose answer to each GetProducts request is `answerFor(input)`; it records the requests. */
function fakeClient(answerFor: (input: GetProductsCommand['input']) => Partial<GetProductsCommandOutput>) {
  const requests: GetProductsCommand['input'][] = []
  return {
    requests,
    client: {
      send: async (command: GetProductsCommand) => {
        requests.push(command.input)
        return answerFor(command.input)
      },
    } as never,
  }
}

const filterValue = (input: GetProductsCommand['input'], field: string) => input.Filters?.find((f) => f.Field === field)?.Value

describe('On-Demand prices from the Price List API (the aws target)', () => {
  it("asks GetProducts for the type's Linux, shared, in-use On-Demand product in the run's region, once per type", async () => {
    const { client, requests } = fakeClient(() => ({ PriceList: answer.PriceList }))
    const prices = priceListPrices({ region: 'us-east-1', env: {}, client })
    const price = await prices.price('m5.large')
    assert.deepEqual(price, { instanceType: 'm5.large', region: 'us-east-1', usdPerHour: 0.096, source: 'AWS Price List API (GetProducts, us-east-1)' })
    await prices.price('m5.large')
    assert.equal(requests.length, 1, "the second lookup comes from the run's cache")
    const [request] = requests
    assert.equal(request.ServiceCode, 'AmazonEC2')
    assert.ok(request.Filters?.every((f) => f.Type === 'TERM_MATCH'))
    assert.deepEqual(Object.fromEntries(request.Filters!.map((f) => [f.Field, f.Value])), {
      ServiceCode: 'AmazonEC2',
      regionCode: 'us-east-1',
      instanceType: 'm5.large',
      operatingSystem: 'Linux',
      preInstalledSw: 'NA',
      capacitystatus: 'Used',
      marketoption: 'OnDemand',
      tenancy: 'Shared',
    })
  })

  it('follows NextToken to the last page', async () => {
    const pages: Record<string, Partial<GetProductsCommandOutput>> = {
      first: { PriceList: [answer.PriceList[0]], NextToken: 'two' },
      two: { PriceList: [answer.PriceList[1]] },
    }
    const { client, requests } = fakeClient((input) => pages[input.NextToken ?? 'first'])
    assert.equal((await priceListPrices({ region: 'us-east-1', env: {}, client }).price('m5.large')).usdPerHour, 0.096)
    assert.deepEqual(
      requests.map((r) => r.NextToken),
      [undefined, 'two'],
    )
  })

  it('looks for bare metal under dedicated tenancy when the shared product does not exist', async () => {
    const metal = answer.PriceList[1]
      .replaceAll('m5.large', 'm5.metal')
      .replace('"tenancy": "Shared"', '"tenancy": "Dedicated"')
      .replace('"USD": "0.0960000000"', '"USD": "4.6080000000"')
    const { client, requests } = fakeClient((input) => ({ PriceList: filterValue(input, 'tenancy') === 'Dedicated' ? [metal] : [] }))
    assert.equal((await priceListPrices({ region: 'us-east-1', env: {}, client }).price('m5.metal')).usdPerHour, 4.608)
    assert.deepEqual(
      requests.map((r) => [filterValue(r, 'tenancy'), filterValue(r, 'productFamily')]),
      [
        ['Shared', undefined],
        ['Dedicated', 'Compute Instance (bare metal)'],
      ],
    )
  })

  it('an unknown type is an error naming the type, the region and the endpoint asked', async () => {
    const { client } = fakeClient(() => ({ PriceList: [] }))
    await assert.rejects(priceListPrices({ region: 'eu-west-2', env: {}, client }).price('m99.huge'), (e: Error) => {
      assert.ok(e instanceof PriceNotFoundError)
      assert.match(e.message, /api\.pricing\.eu-central-1.*no Linux On-Demand price for m99\.huge in eu-west-2/)
      return true
    })
  })

  it('prices many types, listing the ones without a price instead of failing', async () => {
    const { client } = fakeClient((input) => ({ PriceList: filterValue(input, 'instanceType') === 'm5.large' ? answer.PriceList : [] }))
    const { found, missing } = await priceListPrices({ region: 'us-east-1', env: {}, client }).prices(['m99.huge', 'm5.large', 'm5.large'])
    assert.deepEqual(
      found.map((p) => [p.instanceType, p.usdPerHour]),
      [['m5.large', 0.096]],
    )
    assert.deepEqual(
      missing.map((m) => m.instanceType),
      ['m99.huge'],
    )
    assert.match(missing[0].reason, /m99\.huge in us-east-1/)
  })
})

describe('the price source a run uses and names', () => {
  it("is the Price List API on the aws target (a rehearsal too), named with the run's region", () => {
    assert.equal(onDemandPrices({ name: 'aws', region: 'eu-west-2', env: {} }).source, 'AWS Price List API (GetProducts, eu-west-2)')
  })

  it("is the shipped table on the sandbox, named with its file and date, and how it was made when not the region's own", () => {
    const date = table.regions['us-east-1'].retrievedAt
    assert.equal(
      onDemandPrices({ name: 'sandbox', region: 'us-east-1', env: {} }).source,
      `spotcheck's shipped table (fixtures/prices/ec2-on-demand-prices.json, ${date})`,
    )
    assert.match(
      onDemandPrices({ name: 'sandbox', region: 'eu-west-2', env: {} }).source,
      /^spotcheck's shipped table \(fixtures\/prices\/ec2-on-demand-prices\.json, \d{4}-\d\d-\d\d; eu-west-2: derived: us-east-1 × 1\.16\)$/,
    )
    assert.equal(
      onDemandPrices({ name: 'sandbox', region: 'ap-southeast-2', env: {} }).source,
      `spotcheck's shipped table (fixtures/prices/ec2-on-demand-prices.json, ${date}; ap-southeast-2: no ap-southeast-2 table: us-east-1's prices)`,
    )
  })

  it('is one source per target session, so its cache lasts the run', () => {
    const target = { name: 'sandbox' as const, region: 'eu-west-2', env: {} }
    assert.equal(onDemandPrices(target), onDemandPrices(target))
    assert.notEqual(onDemandPrices(target), onDemandPrices({ ...target }))
  })

  it("gives the table's price on the sandbox, and for an unknown type an error naming the file and the type", async () => {
    const prices = shippedTablePrices('eu-west-2')
    assert.equal((await prices.price('m5.large')).usdPerHour, table.regions['eu-west-2'].prices['m5.large'])
    await assert.rejects(prices.price('m99.huge'), /fixtures\/prices\/ec2-on-demand-prices\.json has no On-Demand price for m99\.huge in its eu-west-2 table/)
  })
})
