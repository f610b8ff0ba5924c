// The Karpenter 1.x API surface of a sandbox cluster whose Step 2 installed the 1.9.2 chart, through
// the real kubectl (and the SDK and Terraform for a release that cannot be installed):
// - the tutorial's v1beta1 NodePool and EC2NodeClass are refused as on a real 1.x cluster (no such kind);
// - the same objects in v1 (nodeClassRef group/kind, amiSelectorTerms alias al2023@latest) apply;
// - `kubectl get nodepools` shows the v1 printer columns, discovery serves v1 only;
// - a chart version the registry does not have, or one the sandbox does not twin, fails the
//   release: PutParameter answers ValidationException, and `terraform apply` fails with it.
//
// Run: npm exec -- node --test test/integration/cluster/karpenter-v1-api.test.ts

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm'
import { projectRoot } from '../../../lib/paths.ts'
import { CLUSTER_NAME, eventually, startTutorialCluster, type TutorialCluster } from './tutorial-cluster.ts'
import { v1NodePoolAndClass } from './tutorial-helpers.ts'

/** The Step 3 block of the tutorial that applies its v1beta1 NodePool and EC2NodeClass, verbatim. */
function tutorialNodePoolBlock(): string {
  const feature = readFileSync(join(projectRoot, 'features', '04-nodepool.feature'), 'utf8')
  const blocks = [...feature.matchAll(/^( *)"""bash\n([\s\S]*?)^\1"""/gm)].map(([, indent, body]) => body.replace(new RegExp(`^${indent}`, 'gm'), ''))
  const block = blocks.find((b) => b.includes('apiVersion: karpenter.sh/v1beta1'))
  assert.ok(block, 'features/04-nodepool.feature has the tutorial NodePool block')
  return block
}

const V1_NODEPOOL_AND_CLASS = v1NodePoolAndClass({ consolidateAfter: '0s', tags: { project: 'build-on-aws', intent: 'apps' } })

describe('the Karpenter 1.x API of a sandbox cluster with the 1.9.2 chart', { timeout: 900_000 }, () => {
  let cluster: TutorialCluster

  before(async () => {
    cluster = await startTutorialCluster({
      name: 'karpenter-v1-api',
      karpenterChartVersion: '1.9.2',
      kubernetesVersion: '1.35',
      nodeGroupAmiType: 'AL2023_x86_64_STANDARD',
      noWait: true,
    })
    // The chart's CRDs arrive with its release (the operator's own start is another test's business).
    await eventually('the 1.9.2 chart CRDs', async () => (await cluster.bash('kubectl get crd nodepools.karpenter.sh -o name')).exitCode === 0 || 'not yet')
  })

  after(async () => {
    await cluster?.close()
  })

  it("refuses the tutorial's v1beta1 NodePool and EC2NodeClass as a real 1.x cluster does", async () => {
    const r = await cluster.bash(tutorialNodePoolBlock())
    assert.equal(r.exitCode, 1, String(r.all))
    // One such error reads `error: resource mapping not found…`; kubectl prints two (NodePool and EC2NodeClass) without the prefix.
    assert.match(
      String(r.stderr),
      /^resource mapping not found for name: "default" namespace: "" from "STDIN": no matches for kind "NodePool" in version "karpenter\.sh\/v1beta1"\nensure CRDs are installed first/,
    )
    assert.match(String(r.stderr), /no matches for kind "EC2NodeClass" in version "karpenter\.k8s\.aws\/v1beta1"/)
    const versions = await cluster.run('kubectl api-versions')
    assert.match(versions, /^karpenter\.sh\/v1$/m)
    assert.match(versions, /^karpenter\.k8s\.aws\/v1$/m)
    assert.doesNotMatch(versions, /v1beta1/)
    assert.deepEqual(
      (await cluster.run('kubectl get crd -o name')).split('\n').filter((l) => l.includes('karpenter')),
      [
        'customresourcedefinition.apiextensions.k8s.io/ec2nodeclasses.karpenter.k8s.aws',
        'customresourcedefinition.apiextensions.k8s.io/nodeclaims.karpenter.sh',
        'customresourcedefinition.apiextensions.k8s.io/nodeoverlays.karpenter.sh',
        'customresourcedefinition.apiextensions.k8s.io/nodepools.karpenter.sh',
      ],
    )
  })

  it('applies the v1 NodePool and an EC2NodeClass selecting al2023@latest, and prints the v1 columns', async () => {
    const applied = await cluster.run(V1_NODEPOOL_AND_CLASS)
    assert.equal(applied, 'nodepool.karpenter.sh/default created\nec2nodeclass.karpenter.k8s.aws/default created')
    const np = await cluster.kubectlJson<{ spec: { disruption: Record<string, unknown> } }>('get nodepool default')
    assert.deepEqual(np.spec.disruption, { budgets: [{ nodes: '10%' }], consolidateAfter: '0s', consolidationPolicy: 'WhenEmptyOrUnderutilized' })
    assert.match(await cluster.run('kubectl get nodepools'), /^NAME\s+NODECLASS\s+NODES\s+READY\s+AGE\ndefault\s+default\s/)
    assert.match(await cluster.run('kubectl get nodepools -o wide'), /^NAME\s+NODECLASS\s+NODES\s+READY\s+AGE\s+WEIGHT\s+CPU\s+MEMORY\n/)
    assert.match(await cluster.run('kubectl get ec2nodeclasses -o wide'), /^NAME\s+READY\s+AGE\s+ROLE\ndefault\s+.*karpenter-spot-and-karpenter$/m)
    assert.match(
      await cluster.run('kubectl get nodeclaims -o wide 2>&1'),
      /^(No resources found|NAME\s+TYPE\s+CAPACITY\s+ZONE\s+NODE\s+READY\s+AGE\s+IMAGEID\s+ID\s+NODEPOOL\s+NODECLASS\s+DRIFTED)/,
    )
    // server-side validation with the upstream message
    const bad = await cluster.bash('kubectl patch nodepool default --type merge -p \'{"spec":{"disruption":{"consolidationPolicy":"WhenUnderutilized"}}}\'')
    assert.equal(bad.exitCode, 1)
    assert.match(
      String(bad.stderr),
      /spec\.disruption\.consolidationPolicy: Unsupported value: "WhenUnderutilized": supported values: "WhenEmpty", "WhenEmptyOrUnderutilized"/,
    )
    const explain = await cluster.run('kubectl explain ec2nodeclass.spec.amiSelectorTerms')
    assert.match(explain, /VERSION:\s+v1/)
    assert.match(explain, /alias\s+<string>/)
  })

  it('a chart version that does not exist, or is not twinned, fails the release', async () => {
    const ssm = new SSMClient({ region: cluster.aws.region, endpoint: cluster.aws.endpoint, credentials: cluster.aws.credentials, maxAttempts: 1 })
    const put = (version: string) =>
      ssm.send(
        new PutParameterCommand({
          Name: `/spotcheck/helm-releases/${CLUSTER_NAME}/other/karpenter`,
          Type: 'String',
          Value: JSON.stringify({ chart: 'karpenter', version, namespace: 'other', values: {} }),
        }),
      )
    try {
      await assert.rejects(
        put('1.2.9'),
        (e: Error) => e.name === 'ValidationException' && e.message === 'could not download chart: public.ecr.aws/karpenter/karpenter:1.2.9: not found',
      )
      await assert.rejects(
        put('1.14.1'),
        (e: Error) => e.name === 'ValidationException' && /twins only the Karpenter charts v0\.32\.x .* and 1\.9\.2/.test(e.message),
      )
    } finally {
      ssm.destroy()
    }
    // Through Terraform, as the fixture records the release: the apply fails with the same words.
    const dir = join(cluster.work, 'bad-release')
    mkdirSync(dir, { recursive: true })
    writeFileSync(
      join(dir, 'main.tf'),
      `terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = ">= 5.0" }\n  }\n}\nprovider "aws" {\n  region = "${cluster.aws.region}"\n}\nresource "aws_ssm_parameter" "karpenter_release" {\n  name  = "/spotcheck/helm-releases/${CLUSTER_NAME}/other/karpenter"\n  type  = "String"\n  value = jsonencode({ chart = "karpenter", repository = "oci://public.ecr.aws/karpenter", version = "1.2.9", namespace = "other", values = {} })\n}\n`,
    )
    const tf = await cluster.bash(`cd ${dir} && terraform init -no-color >/dev/null && terraform apply -no-color -auto-approve`, 300_000)
    assert.notEqual(tf.exitCode, 0, String(tf.all))
    assert.match(String(tf.stderr), /ValidationException: could not download chart: public\.ecr\.aws\/karpenter\/karpenter:1\.2\.9: not found/)
    // nothing was recorded, and the cluster's own release is untouched
    const recorded = await cluster.bash(`aws ssm get-parameter --name /spotcheck/helm-releases/${CLUSTER_NAME}/other/karpenter`)
    assert.notEqual(recorded.exitCode, 0)
    assert.match(String(recorded.stderr), /ParameterNotFound/)
    assert.equal((await cluster.bash('kubectl get namespace other')).exitCode, 1)
  })
})
