// How the checkpoint replay finds the definition of an earlier section's step: the same Cucumber
// expressions and parameter types as the run, and an error rather than a guess when two match.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { StepRegistry, findStep } from '../../../support/step-registry.ts'

const stateless = () => 'stateless'
const within = (ms: number) => ms
const pods = () => 'pods'

function registry(): StepRegistry {
  const r = new StepRegistry()
  r.add('the deployment {string} has {int} pod(s) Running( again)', stateless)
  r.add('within {duration} the stack {string} is gone', within)
  r.add(/^I count (\d+) pods? on node (\S+)$/, pods)
  return r
}

describe('StepRegistry.find', () => {
  it('matches a Cucumber expression and converts its parameters', () => {
    const match = registry().find('the deployment "stateless" has 5 pods Running')
    assert.equal(match?.fn, stateless)
    assert.deepEqual(match?.args, ['stateless', 5])
    assert.deepEqual(registry().find('the deployment "stateless" has 1 pod Running again')?.args, ['stateless', 1])
  })

  it('gives {duration} as tutorial milliseconds, in seconds, minutes or hours', () => {
    const r = registry()
    assert.deepEqual(r.find('within 2 minutes the stack "fis" is gone')?.args, [120_000, 'fis'])
    assert.deepEqual(r.find('within 30 seconds the stack "fis" is gone')?.args, [30_000, 'fis'])
    assert.deepEqual(r.find('within 1 hour the stack "fis" is gone')?.args, [3_600_000, 'fis'])
    assert.equal(r.find('within 2 fortnights the stack "fis" is gone'), undefined)
  })

  it('matches a regular expression, a group typed as Cucumber types it ((\\d+) is an int)', () => {
    const match = registry().find('I count 3 pods on node ip-10-0-1-1')
    assert.equal(match?.fn, pods)
    assert.deepEqual(match?.args, [3, 'ip-10-0-1-1'])
  })

  it('answers undefined when no definition matches', () => {
    assert.equal(registry().find('the deployment "stateless" is gone'), undefined)
    assert.equal(new StepRegistry().find('anything'), undefined)
  })

  it('throws, naming the step and the count, when two definitions match', () => {
    const r = registry()
    r.add(/^I count (\d+) pods on node ip-.*$/, pods)
    assert.throws(() => r.find('I count 3 pods on node ip-10-0-1-1'), { message: 'ambiguous step "I count 3 pods on node ip-10-0-1-1": 2 definitions match' })
  })
})

describe('findStep', () => {
  it('outside a Cucumber run knows no definition', () => {
    assert.equal(findStep('the tutorial has been followed up to this section'), undefined)
  })
})
