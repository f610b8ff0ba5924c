import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findProviderMirror, terraformCliConfig } from '../../../sandbox/terraform-config.ts'

describe('Terraform CLI configuration', () => {
  it('finds a filesystem mirror and the providers it holds', () => {
    const root = mkdtempSync(join(tmpdir(), 'mirror-'))
    const dir = join(root, 'registry.terraform.io', 'hashicorp', 'aws', '5.100.0', 'linux_amd64')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'terraform-provider-aws_v5.100.0_x5'), '')
    const mirror = findProviderMirror([join(root, 'absent'), root])
    assert.deepEqual(mirror, { path: root, providers: ['registry.terraform.io/hashicorp/aws'] })
  })

  it('reports no mirror when none holds a provider', () => {
    assert.equal(findProviderMirror([mkdtempSync(join(tmpdir(), 'empty-'))]), undefined)
  })

  it('installs mirrored providers from the mirror and the rest from the registry', () => {
    const text = terraformCliConfig({
      pluginCacheDir: '/tmp/cache',
      mirror: { path: '/opt/tf-plugins', providers: ['registry.terraform.io/hashicorp/aws'] },
    })
    assert.match(text, /filesystem_mirror \{\n\s+path\s+= "\/opt\/tf-plugins"\n\s+include = \["registry.terraform.io\/hashicorp\/aws"\]/)
    assert.match(text, /direct \{\n\s+exclude = \["registry.terraform.io\/hashicorp\/aws"\]/)
    assert.match(text, /plugin_cache_dir = "\/tmp\/cache"/)
  })

  it('uses the registry alone without a mirror', () => {
    assert.doesNotMatch(terraformCliConfig({ pluginCacheDir: '/tmp/cache' }), /provider_installation/)
  })
})
