// The helm stand-in (bin/stand-ins/helm): on a real account it never pretends a Helm that is not
// there (audit C4); with a real Helm, an older Helm's "not logged in" on `registry logout` is a
// logout done, not a failed Step 2 (audit A12, oras-project/oras issue 73).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { standInsDir } from '../../../lib/paths.ts'

/** A directory with a fake "real" helm: `registry logout` prints `logout.out` and exits `logout.status`. */
function fakeHelm(logout: { out: string; status: number }): string {
  const dir = mkdtempSync(join(tmpdir(), 'real-helm-'))
  writeFileSync(
    join(dir, 'helm'),
    `#!/usr/bin/env bash\nif [[ "$1 $2" == "registry logout" ]]; then echo ${JSON.stringify(logout.out)} >&2; exit ${logout.status}; fi\necho 'version.BuildInfo{Version:"v3.12.3"}'\n`,
  )
  chmodSync(join(dir, 'helm'), 0o755)
  return dir
}

function helm(args: string[], env: Record<string, string>, realDir?: string) {
  // Only the stand-in and the system's basic tools: no Helm unless `realDir` has one.
  const PATH = [standInsDir, realDir, '/usr/bin', '/bin'].filter(Boolean).join(':')
  return spawnSync('bash', [join(standInsDir, 'helm'), ...args], { env: { ...env, PATH }, encoding: 'utf8' })
}

describe('the helm stand-in without Helm', () => {
  it('on aws says Helm is not installed and exits 127, for `helm version` too', () => {
    for (const args of [['version'], ['registry', 'logout', 'public.ecr.aws'], ['install', 'x']]) {
      const r = helm(args, { SPOTCHECK_TARGET: 'aws' })
      assert.equal(r.status, 127, args.join(' '))
      assert.equal(r.stdout, '')
      assert.match(r.stderr, /helm is not installed: the tutorial needs Helm on a real AWS account\. Install it: https:\/\/helm\.sh/)
    }
  })

  it('on the sandbox answers `helm version` as a stand-in, and says so', () => {
    const r = helm(['version'], { SPOTCHECK_TARGET: 'sandbox' })
    assert.equal(r.status, 0)
    assert.match(r.stdout, /Version:"spotcheck-sandbox-stand-in"/)
    assert.match(r.stderr, /Helm is not installed; the sandbox installs the Karpenter chart itself/)
  })

  it('in a rehearsal answers as on the sandbox, saying it is a rehearsal', () => {
    const r = helm(['version'], { SPOTCHECK_TARGET: 'aws', SPOTCHECK_REHEARSAL: '1' })
    assert.equal(r.status, 0)
    assert.match(r.stdout, /spotcheck-sandbox-stand-in/)
    assert.match(r.stderr, /this is a rehearsal: its account is a sandbox/)
  })
})

describe('the helm stand-in with Helm', () => {
  it('runs the real Helm', () => {
    const r = helm(['version'], { SPOTCHECK_TARGET: 'aws' }, fakeHelm({ out: '', status: 0 }))
    assert.equal(r.status, 0)
    assert.match(r.stdout, /v3\.12\.3/)
  })

  it('treats an older Helm\'s "not logged in" on registry logout as a logout done, with a note', () => {
    const r = helm(['registry', 'logout', 'public.ecr.aws'], { SPOTCHECK_TARGET: 'aws' }, fakeHelm({ out: 'Error: not logged in', status: 1 }))
    assert.equal(r.status, 0)
    assert.match(r.stderr, /Error: not logged in\n\(spotcheck: this Helm exits 1 when there are no credentials to remove \(oras-project\/oras issue 73\)/)
  })

  it('passes any other registry logout failure through', () => {
    const r = helm(
      ['registry', 'logout', 'public.ecr.aws'],
      { SPOTCHECK_TARGET: 'aws' },
      fakeHelm({ out: 'Error: permission denied: ~/.config/helm/registry/config.json', status: 1 }),
    )
    assert.equal(r.status, 1)
    assert.match(r.stderr, /permission denied/)
    assert.doesNotMatch(r.stderr, /spotcheck/)
  })
})
