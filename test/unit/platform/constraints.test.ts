// Terraform version constraints, as `terraform init` resolves them.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { admits, compareVersions } from '../../../platform/constraints.ts'

describe('Terraform constraints', () => {
  it('orders versions numerically', () => {
    assert.ok(compareVersions('2.9.0', '2.10.0') < 0)
    assert.equal(compareVersions('5.20', '5.20.0'), 0)
  })

  it('>= is unbounded: the tutorial’s helm >= 2.4.1 admits 3.0.0', () => {
    assert.equal(admits('>= 2.4.1', '3.0.0'), true)
    assert.equal(admits('>= 2.4.1', '2.4.0'), false)
  })

  it('~> X.Y.Z allows patches only; ~> X.Y allows minors', () => {
    assert.equal(admits('~> 3.0.1', '3.0.2'), true)
    assert.equal(admits('~> 3.0.1', '3.1.0'), false)
    assert.equal(admits('~> 1.13', '1.24.0'), true)
    assert.equal(admits('~> 1.13', '2.0.0'), false)
  })

  it('a bare version is exact; clauses combine', () => {
    assert.equal(admits('5.20', '5.20.0'), true)
    assert.equal(admits('5.20', '5.20.1'), false)
    assert.equal(admits('>= 2.9, < 3.0.0', '2.17.0'), true)
    assert.equal(admits('>= 2.9, < 3.0.0', '3.0.0'), false)
  })

  it('names a constraint it cannot read', () => {
    assert.throws(() => admits('latest', '1.0.0'), /"latest" is not a Terraform version constraint/)
  })
})
