import { afterEach, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { cacheDir, projectRoot, spotcheckHome } from '../../../lib/paths.ts'

describe('lib/paths.ts', () => {
  const saved = { home: process.env.SPOTCHECK_HOME, cache: process.env.SPOTCHECK_CACHE_DIR }
  afterEach(() => {
    for (const [name, value] of [
      ['SPOTCHECK_HOME', saved.home],
      ['SPOTCHECK_CACHE_DIR', saved.cache],
    ] as const) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  })

  it('the home is $SPOTCHECK_HOME, or .spotcheck/ in the project', () => {
    delete process.env.SPOTCHECK_HOME
    assert.equal(spotcheckHome(), join(projectRoot, '.spotcheck'))
    process.env.SPOTCHECK_HOME = '/tmp/elsewhere'
    assert.equal(spotcheckHome(), '/tmp/elsewhere')
  })

  it('the cache follows the home unless SPOTCHECK_CACHE_DIR moves it', () => {
    delete process.env.SPOTCHECK_CACHE_DIR
    process.env.SPOTCHECK_HOME = '/tmp/a-home'
    assert.equal(cacheDir(), '/tmp/a-home/cache')
    process.env.SPOTCHECK_CACHE_DIR = '/tmp/shared-cache'
    assert.equal(cacheDir(), '/tmp/shared-cache')
  })
})
