import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Terminal, scratchHome, withoutOverlay } from '../../../support/shell.ts'

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), AWS_REGION: 'eu-west-2' }

describe('Terminal', () => {
  // A terminal of its own for each test: none depends on what another left in its session.
  const opened: Terminal[] = []
  const newTerminal = () => {
    const terminal = new Terminal({ cwd: mkdtempSync(join(tmpdir(), 'term-')), env })
    opened.push(terminal)
    return terminal
  }
  after(async () => {
    for (const terminal of opened) await terminal.close()
  })

  it('keeps exported variables, plain variables, aliases and the directory from block to block', async () => {
    const terminal = newTerminal()
    const first = await terminal.run(
      ['export TF_VAR_region=$AWS_REGION', "FIS_EXP_TEMP_ID='EXT 1'", "alias hello='echo hello from alias'", 'mkdir -p sub && cd sub'].join('\n'),
    )
    assert.equal(first.exitCode, 0, first.output)
    const second = await terminal.run('echo "$TF_VAR_region|$FIS_EXP_TEMP_ID|$(basename "$PWD")"\nhello')
    assert.equal(second.output, 'eu-west-2|EXT 1|sub\nhello from alias\n')
    assert.equal(terminal.variable('TF_VAR_region'), 'eu-west-2')
    assert.equal(terminal.variable('FIS_EXP_TEMP_ID'), 'EXT 1')
  })

  it('stops at the first failing command, with its exit code, and keeps what ran before it', async () => {
    const terminal = newTerminal()
    const r = await terminal.run('export BEFORE=yes\nfalse\necho never')
    assert.equal(r.exitCode, 1)
    assert.doesNotMatch(r.output, /never/)
    assert.equal(terminal.variable('BEFORE'), 'yes')
  })

  it('fails a pipeline when any part fails, and `|| true` forgives it', async () => {
    const terminal = newTerminal()
    assert.equal((await terminal.run('false | cat')).exitCode, 1)
    assert.equal((await terminal.run('false || true')).exitCode, 0)
  })

  it('runs commands verbatim, heredocs included', async () => {
    const terminal = newTerminal()
    const r = await terminal.run("cat <<EOF > f.yaml\nname: ${AWS_REGION} 'quoted' \\$HOME\nEOF\ncat f.yaml")
    assert.equal(r.output, "name: eu-west-2 'quoted' $HOME\n")
  })

  it("runs a never-ending command in the background until Ctrl-C, with the session's aliases", async () => {
    const terminal = newTerminal()
    assert.equal((await terminal.run("alias hello='echo hello from alias'")).exitCode, 0)
    const follow = terminal.start('hello; while true; do echo tick; sleep 0.05; done')
    await new Promise((r) => setTimeout(r, 300))
    assert.match(follow.output, /hello from alias\ntick\n/)
    const result = await follow.stop()
    assert.equal(result.stoppedBy, 'interrupt')
    assert.equal(follow.running, false)
  })

  it('keeps a UTF-8 character whole when the pipe splits its bytes, in the foreground and the background', async () => {
    // █ is E2 96 88: the first two bytes, a pause (a chunk of their own), then the last, on stdout
    // while stderr writes between them.
    const split = String.raw`printf '\xe2\x96'; sleep 0.2; printf 'err\n' >&2; sleep 0.2; printf '\x88 done\n'`
    const terminal = newTerminal()
    const r = await terminal.run(split)
    assert.equal(r.exitCode, 0, r.output)
    assert.doesNotMatch(r.output, /\uFFFD/)
    assert.match(r.output, /█ done/)
    const background = terminal.start(`${split}; sleep 30`)
    const deadline = Date.now() + 5_000
    while (!background.output.includes('done') && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50))
    await background.stop()
    assert.doesNotMatch(background.output, /\uFFFD/)
    assert.match(background.output, /█ done/)
  })

  it('gives another terminal the login environment but not the session', async () => {
    const terminal = newTerminal()
    const session = await terminal.run("export TF_VAR_region=$AWS_REGION\nalias hello='echo hello from alias'\nhello")
    assert.equal(session.output, 'hello from alias\n')
    const other = terminal.another()
    const r = await other.run('echo "${TF_VAR_region:-unset} ${AWS_REGION}"; type hello >/dev/null 2>&1 || echo no-alias')
    assert.equal(r.output, 'unset eu-west-2\nno-alias\n')
    await other.close()
  })

  it('interrupts a command that overruns its time limit', async () => {
    const terminal = newTerminal()
    const r = await terminal.run('sleep 30', { timeoutMs: 200 })
    assert.equal(r.stoppedBy, 'timeout')
    assert.notEqual(r.exitCode, 0)
    assert.ok(r.durationMs < 6_000)
  })
})

// The optional Cloud9 section runs one block "in the Cloud9 terminal" with a HOME of its own: the
// sections after it must get the real HOME back (audit A11), and `rm -vf ${HOME}/.aws/credentials`
// must not remove the machine's credentials.
describe('a block with an environment of its own', () => {
  const home = mkdtempSync(join(tmpdir(), 'home-'))
  const terminal = new Terminal({ cwd: mkdtempSync(join(tmpdir(), 'term-')), env: { ...env, HOME: home } })
  after(() => terminal.close())

  it('runs with the overlay, which does not outlive the block, while its other exports do', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'c9-'))
    const r = await terminal.run('echo "$HOME|$C9_ONLY"\nexport HOME=/elsewhere\nexport KEPT=yes\nunset AWS_REGION', { env: { HOME: scratch, C9_ONLY: 'x' } })
    assert.equal(r.output, `${scratch}|x\n`)
    assert.equal(terminal.variable('HOME'), home)
    assert.equal(terminal.variable('C9_ONLY'), undefined)
    assert.equal(terminal.variable('KEPT'), 'yes')
    assert.equal(terminal.variable('AWS_REGION'), undefined, 'a change to a name outside the overlay is kept')
    assert.equal((await terminal.run('echo "$HOME"')).output, `${home}\n`)
  })

  it("Cloud9's scratch HOME: the block's AWS CLI finds ~/.aws, and rm removes a link, not the file", async () => {
    mkdirSync(join(home, '.aws'))
    writeFileSync(join(home, '.aws', 'credentials'), '[default]\n')
    writeFileSync(join(home, '.aws', 'config'), '[default]\nregion = eu-west-2\n')
    const scratch = join(mkdtempSync(join(tmpdir(), 'run-')), 'cloud9-home')
    const overlay = scratchHome(scratch, home)
    assert.deepEqual(overlay, { HOME: scratch })
    const r = await terminal.run('cat "$HOME/.aws/config"\nrm -vf ${HOME}/.aws/credentials', { env: overlay })
    assert.equal(r.exitCode, 0, r.output)
    assert.match(r.output, /region = eu-west-2\nremoved '.*cloud9-home\/\.aws\/credentials'/)
    assert.equal(readFileSync(join(home, '.aws', 'credentials'), 'utf8'), '[default]\n')
    assert.deepEqual(scratchHome(scratch, home), overlay, 'again (a replayed section): no error on the links left')
  })

  it('withoutOverlay: each overlaid name back to what it was, or unset', () => {
    assert.deepEqual(withoutOverlay({ HOME: '/s', A: '1', B: '2' }, { HOME: '/h', A: '0' }, { HOME: '/s', B: 'b' }), { HOME: '/h', A: '1' })
  })
})
