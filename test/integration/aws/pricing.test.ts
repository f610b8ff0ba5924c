// The aws target's price source against a sandbox (moto with spotcheck's Price List extension),
// as a rehearsal runs it: the same code that asks AWS's Price List API in a real run gets, for
// every instance type of the tutorial's region, the prices the sandbox's own table holds — so a
// rehearsal's "cheapest On-Demand type" check compares Fleet's pick with the prices it used.

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { onDemandPrices, shippedTablePrices } from '../../../support/prices.ts'
import { onDemandTable } from '../../../platform/on-demand-prices.ts'
import { REGION, startSandbox, type Sandbox } from './helpers.ts'

describe('On-Demand prices on the aws path, rehearsed against the sandbox', () => {
  let sb: Sandbox
  before(async () => {
    sb = await startSandbox()
  })
  after(async () => {
    await sb?.close()
  })

  it(`are the shipped table's prices for every instance type of ${REGION}, named as the Price List API's`, async () => {
    // The run's environment as the aws target's code sees it in a rehearsal: the sandbox's endpoint and keys.
    const target = {
      name: 'aws' as const,
      region: REGION,
      env: { AWS_ENDPOINT_URL: sb.moto.endpoint, AWS_ACCESS_KEY_ID: sb.sdk.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: sb.sdk.credentials.secretAccessKey },
    }
    const viaApi = onDemandPrices(target)
    assert.equal(viaApi.source, `AWS Price List API (GetProducts, ${REGION})`)
    const types = Object.keys(onDemandTable(REGION).prices)
    assert.ok(
      types.some((t) => t.includes('.metal')),
      'the table has bare metal types (the dedicated-tenancy path)',
    )
    const { found, missing } = await viaApi.prices(types)
    assert.deepEqual(missing, [])
    const shipped = await shippedTablePrices(REGION).prices(types)
    assert.deepEqual(
      found.map((p) => [p.instanceType, p.usdPerHour]),
      shipped.found.map((p) => [p.instanceType, p.usdPerHour]),
    )
  })

  it('an instance type the Price List does not have is an error naming it and the region', async () => {
    const target = {
      name: 'aws' as const,
      region: REGION,
      env: { AWS_ENDPOINT_URL: sb.moto.endpoint, AWS_ACCESS_KEY_ID: sb.sdk.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: sb.sdk.credentials.secretAccessKey },
    }
    await assert.rejects(onDemandPrices(target).price('m99.huge'), /no Linux On-Demand price for m99\.huge in eu-west-2/)
  })
})
