// spotcheck's progress formatter in a real cucumber-js run of a tiny fixture (no sandbox):
// test/unit/support/formatters/fixture — a section that passes (its step says where it is through
// the run's progress channel), one that fails, one skipped.
import { describe, it } from 'node:test'
/* eslint-disable no-control-regex -- the terminal's escape sequences are what these tests check */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { projectRoot } from '../../../lib/paths.ts'

const fixture = join(projectRoot, 'test', 'unit', 'support', 'formatters', 'fixture')
const cucumber = join(projectRoot, 'node_modules', '@cucumber', 'cucumber', 'bin', 'cucumber.js')
const formatter = join(projectRoot, 'support', 'formatters', 'progress.ts')
const env = { ...process.env, FORCE_COLOR: undefined, NO_COLOR: undefined }

function run(...format: string[]) {
  return execa(process.execPath, [cucumber, '--import', 'steps.mjs', ...format.flatMap((f) => ['--format', f])], { cwd: fixture, env, reject: false })
}

describe('the progress formatter in a cucumber-js run', { timeout: 120_000 }, () => {
  it('stdout not a terminal: everything on stderr — sections, scenarios, results, the run’s notes once, the table', async () => {
    const r = await run(formatter)
    assert.equal(r.exitCode, 1, 'the fixture has a failing scenario')
    assert.equal(r.stdout, '', 'nothing on stdout')
    const err = r.stderr
    assert.match(err, /^spotcheck: the fixture run starts$/m)
    assert.match(
      err,
      /^▶ Section one\n {2}• A scenario that waits\n {4}spotcheck: a note from the run\n {2}• Another scenario\n✓ Section one: passed in \d+\.\d s$/m,
    )
    assert.match(err, /^ {4}✗ Then "a step that fails": expected 3 nodes, saw 2$/m)
    assert.match(err, /^✗ Section two: failed in \d+\.\d s$/m)
    assert.match(err, /^- Section three: skipped in \d+\.\d s$/m)
    assert.match(
      err,
      /^Summary\n {2}section +status +wall time\n {2}Section one +✓ passed .*\n {2}Section two +✗ failed .*\n {6}A scenario that fails — Then "a step that fails": expected 3 nodes, saw 2\n/m,
    )
    assert.equal(err.match(/a note from the run/g)?.length, 1, 'a note is printed once (not also by the run itself)')
    assert.doesNotMatch(err, /fixture is ready/, 'a short wait makes no line of its own')
    assert.doesNotMatch(err, /\x1b/, 'no escape codes off a terminal')
  })

  it('a file of its own: written there, stdout and stderr left alone', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'progress-')), 'progress.log')
    const r = await run('summary', `${formatter}:${file}`)
    const log = readFileSync(file, 'utf8')
    assert.match(log, /^✗ Section two: failed in/m)
    assert.match(log, /^Summary$/m)
    assert.doesNotMatch(r.stderr, /Section two/)
  })

  it('with another formatter on stdout, the run’s notes go to stderr as "spotcheck: …", as before', async () => {
    const r = await run('summary')
    assert.match(r.stderr, /^spotcheck: a note from the run$/m)
    assert.match(r.stderr, /^spotcheck: … the fixture is ready: not yet \(5 s of 2 min\)$/m)
    assert.match(r.stdout, /4 scenarios \(2 passed, 1 skipped, 1 failed\)/)
  })

  it('stdout a terminal: written to stdout, with the status line redrawn in place and colours', {
    skip: spawnSync('script', ['--version']).status !== 0 && 'no script(1) for a terminal',
  }, async () => {
    const command = [process.execPath, cucumber, '--import', 'steps.mjs', '--format', formatter].map((a) => `'${a}'`).join(' ')
    // script(1) gives the run a terminal for stdout and stderr alike.
    const r = await execa('script', ['-qec', command, '/dev/null'], { cwd: fixture, env: { ...env, COLUMNS: '100' }, reject: false })
    const out = r.stdout
    assert.match(out, /\r\x1b\[2K/, 'a status line, cleared in place')
    assert.match(out, /\x1b\[32m✓\x1b\[39m Section one: passed in/)
    assert.match(out, /… \[\d+\.\d s\] the fixture is ready: not yet \(5 s of 2 min\)/, 'the wait on the status line')
    assert.match(out, /Summary/)
  })
})
