// The cleanup ledger: what a tutorial block is about to create, written before it runs, kept
// across processes, undone newest first.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Ledger, entriesForBlock, objectsIn } from '../../../support/ledger.ts'

const cwd = '/work/run/work'
const ctx = { cwd, cluster: 'spot-and-karpenter' }

describe('entriesForBlock: what the tutorial commands create', () => {
  it("Step 2's Terraform sequence: one Terraform root, recorded before `apply` runs", () => {
    const specs = entriesForBlock(
      'wget https://…/main.tf\nexport TF_VAR_region=$AWS_REGION\nterraform init\nterraform apply -target="module.vpc" -auto-approve\nterraform apply --auto-approve',
      ctx,
    )
    assert.deepEqual(specs, [
      { kind: 'terraform', dir: cwd },
      { kind: 'terraform', dir: cwd },
    ])
    assert.deepEqual(entriesForBlock('terraform init\nterraform plan\nterraform output -raw cluster_name\nterraform destroy --auto-approve', ctx), [])
    assert.deepEqual(entriesForBlock('terraform -chdir=cluster apply -auto-approve', ctx), [{ kind: 'terraform', dir: join(cwd, 'cluster') }])
  })

  it("Step 3's NodePool from a heredoc piped to kubectl: its objects, and Karpenter's capacity", () => {
    const script =
      'cat <<EOF | kubectl apply -f -\napiVersion: karpenter.sh/v1beta1\nkind: NodePool\nmetadata:\n  name: default \nspec: {}\n---\napiVersion: karpenter.k8s.aws/v1beta1\nkind: EC2NodeClass\nmetadata:\n  name: default\nspec:\n  role: ${KARPENTER_NODE_IAM_ROLE_NAME}\nEOF'
    assert.deepEqual(entriesForBlock(script, ctx), [
      {
        kind: 'kubernetes',
        objects: [
          { apiVersion: 'karpenter.sh/v1beta1', kind: 'NodePool', name: 'default' },
          { apiVersion: 'karpenter.k8s.aws/v1beta1', kind: 'EC2NodeClass', name: 'default' },
        ],
      },
      { kind: 'karpenter', cluster: 'spot-and-karpenter' },
    ])
  })

  it("Step 4's workload written to a file and applied in the same block, or a file written earlier", () => {
    const script = 'cat <<EOF > workload.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: stateless\nEOF\nkubectl apply -f workload.yaml'
    assert.deepEqual(entriesForBlock(script, ctx), [
      { kind: 'kubernetes', objects: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'stateless' }], file: 'workload.yaml' },
    ])
    const readFile = (p: string) =>
      p === 'workload.yaml' ? 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: stateless\n  namespace: shop\n' : undefined
    assert.deepEqual(entriesForBlock('kubectl apply -f workload.yaml', { ...ctx, readFile }), [
      { kind: 'kubernetes', objects: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'stateless', namespace: 'shop' }], file: 'workload.yaml' },
    ])
    assert.deepEqual(entriesForBlock('kubectl apply -f workload.yaml --dry-run=server', ctx), [], 'a dry run creates nothing')
  })

  it("Step 6's stack and experiment; commands that create nothing", () => {
    const specs = entriesForBlock(
      'aws cloudformation deploy --stack-name fis-spot-and-karpenter --template-file spotinterruption.yaml --capabilities "CAPABILITY_NAMED_IAM"',
      ctx,
    )
    assert.deepEqual(specs, [{ kind: 'cloudformation-stack', stack: 'fis-spot-and-karpenter' }])
    const fis = entriesForBlock(
      'FIS_EXP_TEMP_ID=$(aws cloudformation describe-stacks …)\naws fis start-experiment --experiment-template-id $FIS_EXP_TEMP_ID --no-cli-pager',
      ctx,
    )
    assert.equal(fis.length, 1)
    assert.equal(fis[0].kind, 'fis-experiments')
    for (const s of [
      'kubectl get pods -n karpenter',
      'kubectl delete deployment stateless',
      'aws cloudformation delete-stack --stack-name fis-spot-and-karpenter',
      'aws eks --region $AWS_REGION update-kubeconfig --name spot-and-karpenter',
    ]) {
      assert.deepEqual(entriesForBlock(s, ctx), [], s)
    }
  })

  it('reads every object of a multi-document manifest, keeping ${VARS} as text', () => {
    assert.deepEqual(
      objectsIn('kind: ConfigMap\napiVersion: v1\nmetadata: {name: a}\n---\n# empty\n---\nkind: Secret\napiVersion: v1\nmetadata:\n  name: ${NAME}\n'),
      [
        { apiVersion: 'v1', kind: 'ConfigMap', name: 'a' },
        { apiVersion: 'v1', kind: 'Secret', name: '${NAME}' },
      ],
    )
  })
})

describe('Ledger', () => {
  const header = { runId: 'r1', target: { name: 'aws' as const, region: 'eu-west-2' }, workDir: cwd, kubeconfig: '/k' }

  it('is on disk after every record, readable by another process, and undone newest first', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ledger-')), 'ledger.json')
    const ledger = Ledger.create(path, header)
    ledger.record({ kind: 'terraform', dir: cwd }, 'Step 2')
    ledger.record({ kind: 'karpenter', cluster: 'spot-and-karpenter' }, 'Step 3')
    ledger.record({ kind: 'cloudformation-stack', stack: 'fis' }, 'Step 6')
    const again = Ledger.open(path)
    assert.deepEqual(
      again.toUndo.map((e) => e.kind),
      ['cloudformation-stack', 'karpenter', 'terraform'],
    )
    again.mark(3, 'undone')
    assert.deepEqual(
      Ledger.open(path).toUndo.map((e) => e.id),
      [2, 1],
    )
  })

  it('records the same thing once, and merges the objects of one manifest file', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ledger-')), 'ledger.json')
    const ledger = Ledger.create(path, header)
    ledger.record({ kind: 'terraform', dir: cwd }, 'apply 1')
    ledger.record({ kind: 'terraform', dir: cwd }, 'apply 2')
    ledger.record({ kind: 'kubernetes', objects: [], file: 'workload.yaml' }, 'before')
    ledger.record({ kind: 'kubernetes', objects: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'stateless' }], file: 'workload.yaml' }, 'after')
    assert.equal(ledger.entries.length, 2)
    const k = ledger.entries[1]
    assert.ok(k.kind === 'kubernetes' && k.objects.length === 1)
  })

  it('refuses a file that is not a ledger, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'))
    writeFileSync(join(dir, 'bad.json'), '{"hello": 1}')
    writeFileSync(join(dir, 'broken.json'), '{"runId": ')
    assert.throws(() => Ledger.open(join(dir, 'bad.json')), /bad\.json: not a spotcheck ledger \(runId, target or entries missing\)/)
    assert.throws(() => Ledger.open(join(dir, 'broken.json')), /broken\.json: not a spotcheck ledger/)
    assert.throws(() => Ledger.open(join(dir, 'missing.json')), /no cleanup ledger at .*missing\.json/)
  })

  it('leaves a valid file if the process dies between writes (written whole, then renamed)', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ledger-')), 'ledger.json')
    const ledger = Ledger.create(path, header)
    for (let i = 0; i < 50; i++) ledger.record({ kind: 'cloudformation-stack', stack: `s${i}` }, 'loop')
    assert.equal((JSON.parse(readFileSync(path, 'utf8')) as { entries: unknown[] }).entries.length, 50)
  })

  it("records the target's account and rehearsal once started, and tells a listener of every write (the remote copy)", () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ledger-')), 'ledger.json')
    const ledger = Ledger.create(path, header)
    const seen: string[] = []
    ledger.onSave((data) => seen.push(`${data.account ?? '-'}:${data.entries.length}:${data.entries.at(-1)?.state ?? ''}`))
    ledger.setHeader({ account: '123456789012', rehearsal: true })
    const e = ledger.record({ kind: 'cloudformation-stack', stack: 's' }, 'deploy')
    ledger.mark(e.id, 'undone')
    assert.deepEqual(seen, ['123456789012:0:', '123456789012:1:open', '123456789012:1:undone'])
    const reopened = Ledger.open(path).header
    assert.equal(reopened.account, '123456789012')
    assert.equal(reopened.rehearsal, true)
  })
})
