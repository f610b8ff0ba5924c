// A kubeconfig of one cluster, one user and one context, written to a temporary directory, for
// the unit tests that point client-node at a fake API server.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Writes it and returns its path; `user` is the kubeconfig's user entry (a static token by default). */
export function writeKubeconfig(server: string, user: Record<string, unknown> = { token: 't' }): string {
  const file = join(mkdtempSync(join(tmpdir(), 'kubeconfig-')), 'config')
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  )
  return file
}
