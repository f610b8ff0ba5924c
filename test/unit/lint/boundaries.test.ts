// The boundary rules of `npm run lint` (.dependency-cruiser.cjs): each one fails on a tiny tree
// that breaks it, and lets through the one import that crosses a boundary on purpose (the sandbox
// target → the sandbox's public entry). Without the rules, or with a rule that can never match,
// this fails: the repository passing `npm run lint` alone would not tell the two apart.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { execa } from 'execa'
import { projectRoot } from '../../../lib/paths.ts'

const FILES: Record<string, string> = {
  'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', allowImportingTsExtensions: true, noEmit: true } }),
  'steps/a.steps.ts': "import { x } from '../sandbox/cluster/x.ts'\nimport { b } from './b.steps.ts'\nexport const a = x + b\n",
  'steps/b.steps.ts': 'export const b = 1\n',
  'support/run.ts': "import type { Env } from '../sandbox/exports.ts'\nexport const run = (e: Env) => e\n",
  'support/sandbox-target.ts': "import { env } from '../sandbox/exports.ts'\nimport { state } from '../sandbox/state.ts'\nexport const t = [env, state]\n",
  'support/c1.ts': "import { c2 } from './c2.ts'\nexport const c1 = () => c2\n",
  'support/c2.ts': "import { c1 } from './c1.ts'\nexport const c2 = () => c1\n",
  'sandbox/exports.ts': 'export type Env = Record<string, string>\nexport const env = 1\n',
  'sandbox/state.ts': "import { c1 } from '../support/c1.ts'\nexport const state = c1\n",
  // A folder cycle made of modules that form no module cycle: cluster/x → karpenter/y → cluster/z.
  'sandbox/cluster/x.ts': "import { y } from '../karpenter/y.ts'\nexport const x = y\n",
  'sandbox/cluster/z.ts': 'export const z = 1\n',
  'sandbox/karpenter/y.ts': "import { z } from '../cluster/z.ts'\nexport const y = z\n",
  'lib/paths.ts': "import { b } from '../steps/b.steps.ts'\nexport const p = b\n",
}

interface Violation {
  rule: { name: string }
  from: string
  to: string
}

async function violations(): Promise<Violation[]> {
  const dir = mkdtempSync(join(tmpdir(), 'spotcheck-boundaries-'))
  try {
    for (const [file, text] of Object.entries(FILES)) {
      mkdirSync(dirname(join(dir, file)), { recursive: true })
      writeFileSync(join(dir, file), text)
    }
    const cli = join(projectRoot, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs')
    const r = await execa(
      process.execPath,
      [cli, 'steps', 'support', 'sandbox', 'lib', '--config', join(projectRoot, '.dependency-cruiser.cjs'), '--output-type', 'json'],
      { cwd: dir, reject: false },
    )
    const out = JSON.parse(r.stdout) as { summary: { violations: Violation[] } }
    return out.summary.violations
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('the boundary rules (.dependency-cruiser.cjs)', () => {
  it('fail each forbidden import, and only those', async () => {
    const found = await violations()
    const edges = found.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort()
    assert.deepEqual(edges, [
      'neutral-modules-below-everything: lib/paths.ts → steps/b.steps.ts',
      'no-folder-cycle-in-sandbox: sandbox/cluster → sandbox/karpenter',
      'no-folder-cycle-in-sandbox: sandbox/karpenter → sandbox/cluster',
      'no-module-cycle-in-the-suite: support/c1.ts → support/c2.ts', // a module cycle is reported once
      'sandbox-not-to-suite: sandbox/state.ts → support/c1.ts',
      'sandbox-target-only-via-exports: support/sandbox-target.ts → sandbox/state.ts',
      'steps-not-to-sandbox: steps/a.steps.ts → sandbox/cluster/x.ts',
      'steps-not-to-steps: steps/a.steps.ts → steps/b.steps.ts',
      'support-to-sandbox-only-via-the-sandbox-target: support/run.ts → sandbox/exports.ts',
    ])
  })
})
