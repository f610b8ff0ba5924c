import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { parseQuantity, Quantity, QuantityParseError } from '../../../sandbox/k8s/quantity.ts'

describe('resource.Quantity canonical form (apimachinery)', () => {
  const cases: [string, string, string][] = [
    // input, canonical, format
    ['0', '0', 'DecimalSI'],
    ['1', '1', 'DecimalSI'],
    ['100m', '100m', 'DecimalSI'],
    ['1000m', '1', 'DecimalSI'],
    ['1500m', '1500m', 'DecimalSI'],
    ['1.5', '1500m', 'DecimalSI'],
    ['0.5', '500m', 'DecimalSI'],
    ['.5', '500m', 'DecimalSI'],
    ['5.', '5', 'DecimalSI'],
    ['1200', '1200', 'DecimalSI'],
    ['12000', '12k', 'DecimalSI'],
    ['1k', '1k', 'DecimalSI'],
    ['1M', '1M', 'DecimalSI'],
    ['512M', '512M', 'DecimalSI'],
    ['1G', '1G', 'DecimalSI'],
    ['1T', '1T', 'DecimalSI'],
    ['1P', '1P', 'DecimalSI'],
    ['1E', '1E', 'DecimalSI'],
    ['100n', '100n', 'DecimalSI'],
    ['1u', '1u', 'DecimalSI'],
    ['0.1m', '100u', 'DecimalSI'],
    ['1.0000000001', '1000000001n', 'DecimalSI'], // rounded up to the nano
    ['1Ki', '1Ki', 'BinarySI'],
    ['1024Ki', '1Mi', 'BinarySI'],
    ['512Mi', '512Mi', 'BinarySI'],
    ['1.5Gi', '1536Mi', 'BinarySI'],
    ['20Gi', '20Gi', 'BinarySI'],
    ['1Ti', '1Ti', 'BinarySI'],
    ['1Pi', '1Pi', 'BinarySI'],
    ['1Ei', '1Ei', 'BinarySI'],
    ['0.5Ki', '512', 'BinarySI'], // below 1024: printed as DecimalSI
    ['1e3', '1e3', 'DecimalExponent'],
    ['1E3', '1e3', 'DecimalExponent'],
    ['1e+09', '1e9', 'DecimalExponent'],
    ['2.147483648e+09', '2147483648', 'DecimalExponent'],
    ['1.5e3', '1500', 'DecimalExponent'],
    ['15e2', '1500', 'DecimalExponent'],
    ['-100m', '-100m', 'DecimalSI'],
    ['+2', '2', 'DecimalSI'],
    ['1ki', '1Ki', 'BinarySI'], // a wrong first-letter case is forgiven
    ['1K', '1k', 'DecimalSI'],
  ]
  for (const [input, canonical, format] of cases) {
    it(`${input} → ${canonical} (${format})`, () => {
      const q = parseQuantity(input)
      assert.equal(q.toString(), canonical)
      assert.equal(q.format, format)
      assert.equal(JSON.stringify({ q }), `{"q":"${canonical}"}`)
    })
  }

  it('rejects malformed quantities', () => {
    for (const bad of ['', 'abc', '1Zi', '1m5', '--1', '1.2.3']) assert.throws(() => parseQuantity(bad), QuantityParseError, bad)
  })
})

describe('resource.Quantity arithmetic', () => {
  it('a sum keeps the format of its first non-zero addend', () => {
    const dec = parseQuantity('512M').add(parseQuantity('512Mi'))
    assert.equal(dec.format, 'DecimalSI')
    const bin = Quantity.ZERO.add(parseQuantity('512Mi')).add(parseQuantity('512M'))
    assert.equal(bin.format, 'BinarySI')
    // Karpenter's sample: 10 × 512Mi + 240Mi of DaemonSets
    let mem = Quantity.ZERO
    for (const q of ['40Mi', '40Mi', '40Mi', '40Mi', '40Mi', '40Mi']) mem = mem.add(parseQuantity(q))
    for (let i = 0; i < 10; i++) mem = mem.add(parseQuantity('512Mi'))
    assert.equal(mem.toString(), '5360Mi')
    let cpu = Quantity.ZERO
    for (const q of ['25m', '25m', '100m', '10m', '10m', '10m', '10m', '10m', '10m']) cpu = cpu.add(parseQuantity(q))
    for (let i = 0; i < 10; i++) cpu = cpu.add(parseQuantity('512m'))
    assert.equal(cpu.toString(), '5330m')
  })

  it('a sum of 1000 pods counted as DecimalExponent prints 1e3, as Go does', () => {
    assert.equal(Quantity.of(1000, 'DecimalExponent').toString(), '1e3')
    assert.equal(Quantity.of(14, 'DecimalExponent').toString(), '14')
  })

  it('is exact (no float drift)', () => {
    let q = Quantity.ZERO
    for (let i = 0; i < 10; i++) q = q.add(parseQuantity('0.1'))
    assert.equal(q.toString(), '1')
    assert.equal(parseQuantity('8').sub(parseQuantity('90m')).sub(parseQuantity('100m')).toString(), '7810m')
    assert.equal(parseQuantity('20Gi').sub(parseQuantity('1Gi')).sub(parseQuantity('2147483648')).toString(), '17Gi')
  })

  it('subtracting from zero takes the subtrahend format', () => {
    assert.equal(Quantity.ZERO.sub(parseQuantity('1Gi')).format, 'BinarySI')
    assert.equal(Quantity.ZERO.sub(parseQuantity('1Gi')).toString(), '-1Gi')
  })

  it('compares by value across formats', () => {
    assert.equal(parseQuantity('1Ki').cmp(parseQuantity('1k')), 1)
    assert.equal(parseQuantity('1000m').cmp(parseQuantity('1')), 0)
    assert.equal(parseQuantity('1M').cmp(parseQuantity('1Mi')), -1)
  })

  it('Value and MilliValue round up away from zero', () => {
    assert.equal(parseQuantity('1500m').value(), 2n)
    assert.equal(parseQuantity('-1500m').value(), -2n)
    assert.equal(parseQuantity('1.5').milliValue(), 1500n)
    assert.equal(parseQuantity('1n').milliValue(), 1n)
    assert.equal(parseQuantity('16Gi').valueNumber(), 17179869184)
    assert.equal(parseQuantity('250m').toNumber(), 0.25)
  })
})
