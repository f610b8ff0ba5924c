// pyenv's shims resolved once: the selected version's bin directory goes in front of the shims,
// which stay behind it; a PATH without pyenv's shims is left as it is.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathPastPyenvShims } from '../../../lib/python-shims.ts'

/** A pyenv root whose `pyenv prefix` prints `prefixes` (or fails when undefined). */
function fakePyenv(prefixes: string[] | undefined): string {
  const root = mkdtempSync(join(tmpdir(), 'pyenv-'))
  mkdirSync(join(root, 'libexec'))
  mkdirSync(join(root, 'shims'))
  for (const p of prefixes ?? []) mkdirSync(join(p, 'bin'), { recursive: true })
  const script = prefixes ? `#!/bin/sh\n[ "$1" = prefix ] && echo '${prefixes.join(':')}'\n` : '#!/bin/sh\necho "pyenv: no version" >&2; exit 1\n'
  writeFileSync(join(root, 'libexec', 'pyenv'), script)
  chmodSync(join(root, 'libexec', 'pyenv'), 0o755)
  return root
}

describe('pathPastPyenvShims', () => {
  it("puts the selected versions' bin directories in front of the first shims directory", () => {
    const versions = mkdtempSync(join(tmpdir(), 'versions-'))
    const [a, b] = [join(versions, '3.11.7'), join(versions, '3.12.1')]
    const root = fakePyenv([a, b])
    const virtualenvShims = join(root, 'plugins', 'pyenv-virtualenv', 'shims')
    const path = ['/opt/first', virtualenvShims, join(root, 'shims'), '/usr/bin'].join(':')
    assert.equal(
      pathPastPyenvShims({ PATH: path, PYENV_ROOT: root }),
      ['/opt/first', join(a, 'bin'), join(b, 'bin'), virtualenvShims, join(root, 'shims'), '/usr/bin'].join(':'),
    )
  })

  it('leaves a PATH without pyenv shims, or without a selected version, as it is', () => {
    const root = fakePyenv(undefined)
    assert.equal(pathPastPyenvShims({ PATH: '/usr/local/bin:/usr/bin', PYENV_ROOT: root }), '/usr/local/bin:/usr/bin')
    const shimmed = `${join(root, 'shims')}:/usr/bin`
    assert.equal(pathPastPyenvShims({ PATH: shimmed, PYENV_ROOT: root }), shimmed, 'pyenv prefix failed: pyenv says why when a shim runs')
  })
})
