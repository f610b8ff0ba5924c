// The FIS template of Step 6 (fixtures/cloudformation/spotinterruption.yaml) must be valid for
// real AWS too, not only for moto: cfn-lint checks it against CloudFormation's resource specs.

import { it } from 'node:test'
import assert from 'node:assert/strict'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'

const fixture = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures', 'cloudformation', 'spotinterruption.yaml')

it('passes cfn-lint', async (t) => {
  const r = await execa('cfn-lint', [fixture], { reject: false, timeout: 120_000 })
  if (r.code === 'ENOENT') return t.skip('cfn-lint is not installed')
  assert.equal(r.exitCode, 0, `cfn-lint reported:\n${r.stdout}\n${r.stderr}`)
})
