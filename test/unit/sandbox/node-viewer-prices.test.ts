// The sandbox eks-node-viewer keeps a price once found, and asks again when a lookup failed.
import { it } from 'node:test'
import assert from 'node:assert/strict'
import { NodeViewerPrices } from '../../../sandbox/tools/node-viewer-prices.ts'

it('keeps a price once found, and asks again after a failed or empty lookup', async () => {
  const answers: (number | undefined | Error)[] = [new Error('moto: timeout'), undefined, 0.1234]
  let asked = 0
  const prices = new NodeViewerPrices(async () => {
    const answer = answers[asked++]
    if (answer instanceof Error) throw answer
    return answer
  })
  assert.equal(await prices.price('spot', 'c7g.2xlarge', 'eu-west-2a'), undefined)
  assert.equal(await prices.price('spot', 'c7g.2xlarge', 'eu-west-2a'), undefined)
  assert.equal(await prices.price('spot', 'c7g.2xlarge', 'eu-west-2a'), 0.1234)
  assert.equal(await prices.price('spot', 'c7g.2xlarge', 'eu-west-2a'), 0.1234)
  assert.equal(asked, 3, 'a found price is not asked for again')
})
