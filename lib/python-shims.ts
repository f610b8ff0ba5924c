// pyenv's shims, resolved once per process tree instead of on every call.
//
// On a machine whose Python comes from pyenv, `python3` and `aws` on PATH are pyenv shims: bash
// scripts that run `pyenv exec`, which works out the selected version (PYENV_VERSION, a
// .python-version file, the global version file) through a dozen more bash processes, then
// prepends that version's bin directory to PATH and runs the real program. That is ~20 processes
// and a few hundred milliseconds of CPU per call, and a run makes hundreds of calls: every
// kubectl command runs `aws eks get-token` through the tutorial's kubeconfig, the sandbox starts
// moto through `python3`. Doing pyenv's own step once here, putting the selected version's bin
// directories in front of the shims, runs the same programs pyenv would (pyenv/pyenv
// libexec/pyenv-exec: `PATH="${PYENV_BIN_PATH}:${PATH}"`), so children resolve them directly. The
// shims stay on PATH behind them for any command the selected version does not have.

import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { delimiter, join, resolve, sep } from 'node:path'

/** A PATH whose pyenv shim directories are preceded by the selected Python's bin directories. */
export function pathPastPyenvShims(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = env.PATH
  if (!path) return path
  const root = resolve(env.PYENV_ROOT ?? join(env.HOME ?? '', '.pyenv'))
  const entries = path.split(delimiter)
  const plugins = join(root, 'plugins')
  const isShims = (e: string) => e === join(root, 'shims') || (e.startsWith(plugins) && e.endsWith(`${sep}shims`))
  const firstShims = entries.findIndex(isShims)
  if (firstShims < 0) return path
  let prefixes: string
  try {
    prefixes = execFileSync(join(root, 'libexec', 'pyenv'), ['prefix'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim()
  } catch {
    return path // no usable selected version: leave pyenv to say why, as it would have
  }
  const bins = prefixes
    .split(delimiter)
    .filter(Boolean)
    .map((p) => join(p, 'bin'))
    .filter((b) => existsSync(b) && !entries.includes(b))
  if (bins.length === 0) return path
  return [...entries.slice(0, firstShims), ...bins, ...entries.slice(firstShims)].join(delimiter)
}

/** The PATH a spotcheck process already rewrote, so that its children need not ask pyenv again. */
const REWRITTEN = 'SPOTCHECK_PATH_PAST_PYENV_SHIMS'

/** Rewrites this process's PATH (inherited by every child) as `pathPastPyenvShims` says. */
export function usePythonPastPyenvShims(): void {
  if (process.env.PATH !== undefined && process.env[REWRITTEN] === process.env.PATH) return
  const path = pathPastPyenvShims()
  if (path === undefined) return
  process.env.PATH = path
  process.env[REWRITTEN] = path
}
