// `spotcheck platform`, run as a user runs it.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'

const root = fileURLToPath(new URL('../../../', import.meta.url))

function spotcheck(args: string[]) {
  return execa('npm', ['exec', '--', 'node', 'bin/spotcheck.ts', 'platform', ...args], {
    cwd: root,
    reject: false,
    env: { ...process.env, SPOTCHECK_TODAY: '2026-12-06' },
  })
}

describe('spotcheck platform', () => {
  it('--json prints the view of the day, with the current edition', async () => {
    const r = await spotcheck(['--as-of', '2026-12-06', '--json'])
    assert.equal(r.exitCode, 0, r.stderr)
    const view = JSON.parse(r.stdout) as { asOf: string; current: Record<string, string>; eks: { versions: { version: string; offered: boolean }[] } }
    assert.equal(view.asOf, '2026-12-06')
    assert.equal(view.current.kubernetesVersion, '1.35')
    assert.equal(view.current.karpenterChartVersion, '1.9.2')
    assert.deepEqual(
      view.eks.versions.filter((v) => v.offered).map((v) => v.version),
      ['1.35', '1.34', '1.33', '1.32'],
    )
  })

  it('without --as-of: today (SPOTCHECK_TODAY), as text', async () => {
    const r = await spotcheck([])
    assert.equal(r.exitCode, 0, r.stderr)
    assert.match(r.stdout, /^Platform as of 2026-12-06/)
    assert.match(r.stdout, /1\.35 \(default\)\s+STANDARD_SUPPORT/)
    assert.match(r.stdout, /AWS Cloud9: closed to new customers since 2024-07-25/)
    assert.match(r.stdout, /hashicorp\/helm\s+provider\s+>= 2\.4\.1\s+3\.0\.0\s+yes, since 2025-06-18/)
    assert.match(r.stdout, /Current edition on 2026-12-06: Kubernetes 1\.35, Karpenter chart 1\.9\.2 \(serves karpenter\.sh\/v1\b.*\), AL2023 nodes/)
    assert.doesNotMatch(r.stdout, /a run of it refuses/)
  })

  it('says when the current edition cannot run on the day (its Karpenter does not serve karpenter.sh/v1)', async () => {
    const r = await spotcheck(['--as-of', '2024-01-29'])
    assert.equal(r.exitCode, 0, r.stderr)
    assert.match(r.stdout, /Karpenter chart v0\.33\.0 \(serves karpenter\.sh\/v1beta1[^)]*\)/)
    assert.match(r.stdout, /The current edition is written for karpenter\.sh\/v1, which this release does not serve: a run of it refuses 2024-01-29\./)
  })

  it("--tf-vars prints the current edition's versions as exports a shell can eval, and nothing else", async () => {
    const r = await spotcheck(['--as-of', '2026-12-06', '--tf-vars'])
    assert.equal(r.exitCode, 0, r.stderr)
    assert.equal(r.stdout, 'export TF_VAR_kubernetes_version=1.35 TF_VAR_karpenter_chart_version=1.9.2') // execa drops the final newline
    const both = await spotcheck(['--json', '--tf-vars'])
    assert.equal(both.exitCode, 2)
    assert.match(both.stderr, /--json and --tf-vars print different things; give one/)
  })

  for (const [value, pattern] of [
    ['2026-02-30', /--as-of "2026-02-30" is not a day of the calendar/],
    ['2026-12-07', /--as-of 2026-12-07 is in the future/],
    ['Dec 6', /--as-of "Dec 6" is not a date; write YYYY-MM-DD/],
  ] as const) {
    it(`--as-of ${value}: exit 2 with the message`, async () => {
      const r = await spotcheck(['--as-of', value])
      assert.equal(r.exitCode, 2)
      assert.match(r.stderr, pattern)
      assert.equal(r.stdout, '')
    })
  }
})
