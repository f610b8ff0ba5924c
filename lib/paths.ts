// Where the project's files are: one module below the suite and the sandbox alike, so that
// neither reaches into the other for a path.

import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The project's root directory (this file is `<root>/lib/paths.ts`). */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/**
 * Where spotcheck keeps its state: `$SPOTCHECK_HOME`, or `.spotcheck/` in the project (ignored
 * by git). Runs live in `<home>/runs/`, sandboxes in `<home>/sandboxes/`.
 */
export function spotcheckHome(): string {
  return resolve(process.env.SPOTCHECK_HOME ?? join(projectRoot, '.spotcheck'))
}

/**
 * Where spotcheck keeps what any sandbox may reuse, whatever its home (moto's EC2 catalogue
 * answers, sandbox/aws/spotcheck_moto/static_responses.py): `$SPOTCHECK_CACHE_DIR`, or
 * `<home>/cache`. `npm test` points every job's sandboxes at one.
 */
export function cacheDir(): string {
  return resolve(process.env.SPOTCHECK_CACHE_DIR ?? join(spotcheckHome(), 'cache'))
}

/**
 * The suite's stand-ins for tools the tutorial runs (wget, helm, eks-node-viewer), first on PATH
 * on every target: on a real account they run the real tool (wget also records and edits what it
 * fetched); on the sandbox they serve its offline copies.
 */
export const standInsDir = join(projectRoot, 'bin', 'stand-ins')

/**
 * The aws CLI v1 plugin that accepts the tutorial's CLI v2-only options (`--no-cli-pager`), for
 * the sandbox's commands and a real account's alike: the directory to put on PYTHONPATH.
 */
export const awscliCompatDir = join(projectRoot, 'lib', 'awscli_compat')
