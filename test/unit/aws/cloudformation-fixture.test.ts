// The FIS template of Step 6, the tutorial's own (fixtures/tutorial/spotinterruption.yaml, which the
// sandbox's wget serves as it is), is valid for real AWS too, not only for moto: cfn-lint checks it
// against CloudFormation's resource specs.
// Where cfn-lint is required (SPOTCHECK_REQUIRE_CFN_LINT=1, as .ci/run sets it) a missing cfn-lint
// fails the test instead of skipping it, so CI cannot pass without having run the check.

import { it } from 'node:test'
import assert from 'node:assert/strict'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'

const fixture = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures', 'tutorial', 'spotinterruption.yaml')
const required = process.env.SPOTCHECK_REQUIRE_CFN_LINT === '1'

it('passes cfn-lint', async (t) => {
  const r = await execa('cfn-lint', [fixture], { reject: false, timeout: 120_000 })
  if (r.code === 'ENOENT') {
    assert.ok(!required, 'cfn-lint is not installed, and SPOTCHECK_REQUIRE_CFN_LINT=1 requires it (.ci/run installs it where apt has it)')
    return t.skip('cfn-lint is not installed')
  }
  assert.equal(r.exitCode, 0, `cfn-lint reported:\n${r.stdout}\n${r.stderr}`)
})
