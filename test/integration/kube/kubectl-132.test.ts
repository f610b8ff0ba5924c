// kubectl 1.32 (the dispatcher's built-in client, chosen for an EKS 1.32 server): aggregated
// discovery v2, apply of the tutorial's NodePool (created, configured by merge patch), get.

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { startHarness, type Harness } from './harness.ts'

const nodePool = (expire: string) => `apiVersion: karpenter.sh/v1beta1
kind: NodePool
metadata:
  name: default
spec:
  template:
    spec:
      requirements:
        - key: karpenter.sh/capacity-type
          operator: In
          values: ["spot", "on-demand"]
      nodeClassRef:
        name: default
  disruption:
    consolidationPolicy: WhenUnderutilized
    expireAfter: ${expire}
`

describe('kubectl 1.32 against an EKS 1.32 sandbox', () => {
  let h: Harness
  before(async () => {
    h = await startHarness({ kubernetesVersion: '1.32' })
  })
  after(async () => h.close())

  it('uses v2 aggregated discovery and applies a NodePool with merge patches', async () => {
    const v = await h.kubectl(['version'])
    assert.match(v.stdout, /Client Version: v1\.32\.4-dispatcher/)
    assert.match(v.stdout, /Server Version: v1\.32\.0-eks-[0-9a-f]{7}/)
    assert.equal((await h.kubectl(['apply', '-f', '-'], { stdin: nodePool('168h') })).stdout, 'nodepool.karpenter.sh/default created\n')
    const changed = await h.kubectl(['apply', '-f', '-'], { stdin: nodePool('720h') })
    assert.equal(changed.stdout, 'nodepool.karpenter.sh/default configured\n', changed.stderr)
    assert.ok(
      h.requests.some(
        (r) => r.method === 'PATCH' && r.path === '/apis/karpenter.sh/v1beta1/nodepools/default' && r.contentType === 'application/merge-patch+json',
      ),
    )
    assert.ok(h.requests.some((r) => r.path === '/apis' && r.status === 200))
    const get = await h.kubectl(['get', 'nodepools'])
    assert.match(get.stdout, /^NAME\s+NODECLASS\ndefault\s+default\n$/)
    const pods = await h.kubectl(['get', 'pods', '-A'])
    assert.equal(pods.stderr, 'No resources found\n')
  })
})
