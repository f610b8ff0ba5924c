// Snapshots end to end, with the real terraform, aws and kubectl: the tutorial's Steps 2–4 run in
// one sandbox, `spotcheck sandbox snapshot save` keeps it (with the Terraform directory, --dir), the
// sandbox goes down, a FRESH sandbox starts and `snapshot restore` puts it all back in place. Then
// the tutorial continues as if Steps 2–4 had just run there: `terraform plan` finds nothing to
// change (same AWS ids), kubectl shows the same nodes and NodeClaims, and Karpenter was elected
// leader again (the Lease changes hands) with its log going on after the lines saved with it.
// A snapshot of another format is refused with both format numbers.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bash, isolatedHome, parseExports, spotcheck } from './helpers.ts'
import { tutorialCommand, tutorialCommandWith } from '../cluster/tutorial-helpers.ts'
import { TUTORIAL_DATE } from '../../../platform/index.ts'
import { SNAPSHOT_FORMAT } from '../../../sandbox/exports.ts'

const home = isolatedHome()
const upstream = 'https://raw.githubusercontent.com/build-on-aws/run-kubernetes-clusters-for-less-with-amazon-ec2-spot-and-karpenter/main'

interface Lease {
  spec: { holderIdentity: string; acquireTime: string; leaseTransitions: number }
}

describe('sandbox snapshots: save after Step 4, restore into a fresh sandbox, continue', { timeout: 20 * 60_000 }, () => {
  const first = { SPOTCHECK_HOME: home, SPOTCHECK_SANDBOX: 'snap-first' }
  const second = { SPOTCHECK_HOME: home, SPOTCHECK_SANDBOX: 'snap-second' }
  const work = mkdtempSync(join(tmpdir(), 'tutorial-'))
  const restoredWork = mkdtempSync(join(tmpdir(), 'tutorial-restored-'))
  let env: Record<string, string> = {}
  const run = async (script: string, cwd = work) => {
    const r = await bash(script, env, cwd)
    assert.equal(r.exitCode, 0, `${script}\n---\n${r.all}`)
    return r.stdout
  }
  const json = async <T>(script: string, cwd = work) => JSON.parse(await run(script, cwd)) as T
  const names = async (what: string) => (await run(`kubectl get ${what} -o name`)).trim().split('\n').sort()
  const until = async (what: string, check: () => Promise<boolean>, tries = 240) => {
    for (let i = 0; i < tries; i++) {
      if (await check()) return
      await new Promise((r) => setTimeout(r, 500))
    }
    assert.fail(`timed out waiting for ${what}`)
  }
  const lease = () => json<Lease>('kubectl -n karpenter get lease karpenter-leader-election -o json')
  /** Each Karpenter replica's log, by pod name. */
  const replicaLogs = async () => {
    const pods = (await run(`kubectl -n karpenter get pods -l app.kubernetes.io/name=karpenter -o jsonpath='{.items[*].metadata.name}'`)).trim().split(/\s+/)
    const logs: Record<string, string> = {}
    for (const pod of pods) logs[pod] = await run(`kubectl -n karpenter logs ${pod}`)
    return logs
  }

  const saved: { nodes: string[]; nodeclaims: string[]; lease?: Lease; logs: Record<string, string>; instances: string } = {
    nodes: [],
    nodeclaims: [],
    logs: {},
    instances: '',
  }

  before(async () => {
    const up = await spotcheck(['sandbox', 'up', '--as-of', TUTORIAL_DATE], first)
    assert.equal(up.exitCode, 0, up.stderr)
    env = parseExports(up.stdout)
  })
  after(async () => {
    await spotcheck(['sandbox', 'down'], first)
    await spotcheck(['sandbox', 'down'], second)
  })

  it('Steps 2–4 run in the first sandbox', async () => {
    await run(
      [
        `wget ${upstream}/cluster/terraform/main.tf`,
        'export TF_VAR_region=$AWS_REGION',
        'terraform init',
        'terraform apply -target="module.vpc" -auto-approve',
        'terraform apply -target="module.eks" -auto-approve',
        'terraform apply --auto-approve',
        'aws eks --region $AWS_REGION update-kubeconfig --name spot-and-karpenter',
      ].join('\n'),
    )
    await run([tutorialCommand('Step 3', 1), tutorialCommandWith('Step 3', 'kind: NodePool')].join('\n'))
    await run(tutorialCommandWith('Step 4', 'cat <<EOF > workload.yaml'))
    await until('ten stateless pods Running on Ready nodes', async () => {
      const phases = (await run(`kubectl get pods -l app=stateless -o jsonpath='{.items[*].status.phase}'`)).trim().split(/\s+/)
      const ready = (await run(`kubectl get nodeclaims -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{" "}{end}'`)).trim()
      return phases.length === 10 && phases.every((p) => p === 'Running') && ready !== '' && ready.split(/\s+/).every((s) => s === 'True')
    })
    saved.nodes = await names('nodes')
    saved.nodeclaims = await names('nodeclaims')
    assert.ok(saved.nodeclaims.length >= 1)
    saved.lease = await lease()
    saved.logs = await replicaLogs()
    assert.match(saved.logs[saved.lease.spec.holderIdentity], /successfully acquired lease karpenter\/karpenter-leader-election/)
    saved.instances = await run(
      `aws ec2 describe-instances --filters Name=instance-state-name,Values=running --query 'sort(Reservations[].Instances[].InstanceId)' --output text`,
    )
  })

  it('snapshot save keeps it, with the Terraform directory, and snapshot list shows it', async () => {
    const save = await spotcheck(['sandbox', 'snapshot', 'save', 'after-step-4', '--dir', work], first)
    assert.equal(save.exitCode, 0, save.stderr)
    const manifest = JSON.parse(readFileSync(join(home, 'snapshots', 'after-step-4', 'manifest.json'), 'utf8')) as {
      format: number
      sandbox: { asOf: string }
      clusters: { name: string }[]
      files: string[]
    }
    assert.equal(manifest.format, SNAPSHOT_FORMAT)
    assert.equal(manifest.sandbox.asOf, TUTORIAL_DATE)
    assert.deepEqual(
      manifest.clusters.map((c) => c.name),
      ['spot-and-karpenter'],
    )
    assert.deepEqual(manifest.files, ['dir'])
    const list = await spotcheck(['sandbox', 'snapshot', 'list'], first)
    assert.match(list.stdout, new RegExp(`^after-step-4\\tformat ${SNAPSHOT_FORMAT}\\t`, 'm'))
  })

  it('restores in place into a fresh sandbox', async () => {
    assert.equal((await spotcheck(['sandbox', 'down'], first)).exitCode, 0)
    const up = await spotcheck(['sandbox', 'up', '--as-of', TUTORIAL_DATE], second)
    assert.equal(up.exitCode, 0, up.stderr)
    env = parseExports(up.stdout)
    const restore = await spotcheck(['sandbox', 'snapshot', 'restore', 'after-step-4', '--dir', restoredWork], second)
    assert.equal(restore.exitCode, 0, restore.stderr)
    assert.match(restore.stderr, /EKS cluster spot-and-karpenter: https:\/\/127\.0\.0\.1:\d+/)
  })

  it('terraform plan finds nothing to change: the restored AWS has the saved ids', async () => {
    const r = await bash('export TF_VAR_region=$AWS_REGION && terraform plan -detailed-exitcode -no-color', env, restoredWork)
    assert.equal(r.exitCode, 0, r.all)
    assert.match(r.stdout, /No changes/)
    const instances = await run(
      `aws ec2 describe-instances --filters Name=instance-state-name,Values=running --query 'sort(Reservations[].Instances[].InstanceId)' --output text`,
    )
    assert.equal(instances, saved.instances)
  })

  it('kubectl shows the saved nodes and NodeClaims, the pods still running', async () => {
    assert.deepEqual(await names('nodes'), saved.nodes)
    assert.deepEqual(await names('nodeclaims'), saved.nodeclaims)
    const phases = (await run(`kubectl get pods -l app=stateless -o jsonpath='{.items[*].status.phase}'`)).trim().split(/\s+/)
    assert.deepEqual([...new Set(phases)], ['Running'])
  })

  it('Karpenter is elected again: the Lease changes hands and its log goes on after the saved lines', async () => {
    // Both replicas start at once in the restored cluster: the first in order takes the lease, which
    // may be the other replica than the one that led before the snapshot.
    let now = await lease()
    await until('the restored Karpenter to take the lease', async () => {
      now = await lease()
      return now.spec.leaseTransitions > saved.lease!.spec.leaseTransitions
    })
    assert.notEqual(now.spec.acquireTime, saved.lease!.spec.acquireTime)
    const logs = await replicaLogs()
    assert.deepEqual(Object.keys(logs).sort(), Object.keys(saved.logs).sort(), 'the same two replicas')
    for (const [pod, log] of Object.entries(saved.logs)) assert.ok(logs[pod].startsWith(log), `${pod}: the log lines saved are still there, first`)
    const holder = now.spec.holderIdentity
    const added = logs[holder].slice(saved.logs[holder].length)
    assert.match(added, /successfully acquired lease karpenter\/karpenter-leader-election/)
  })

  it('refuses a snapshot of another format, naming both', async () => {
    const copy = join(home, 'snapshots', 'other-format')
    await run(`cp -r ${join(home, 'snapshots', 'after-step-4')} ${copy}`)
    const manifestPath = join(copy, 'manifest.json')
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { format: number }
    manifest.format = SNAPSHOT_FORMAT + 1
    writeFileSync(manifestPath, JSON.stringify(manifest))
    const restore = await spotcheck(['sandbox', 'snapshot', 'restore', 'other-format'], second)
    assert.equal(restore.exitCode, 1)
    assert.match(restore.stderr, new RegExp(`is format ${SNAPSHOT_FORMAT + 1}; this spotcheck reads format ${SNAPSHOT_FORMAT}`))
  })
})

describe('sandbox snapshots: a restored cluster whose port is taken, a sandbox of another day', { timeout: 10 * 60_000 }, () => {
  const first = { SPOTCHECK_HOME: home, SPOTCHECK_SANDBOX: 'snap-port-a' }
  const second = { SPOTCHECK_HOME: home, SPOTCHECK_SANDBOX: 'snap-port-b' }
  const otherDay = { SPOTCHECK_HOME: home, SPOTCHECK_SANDBOX: 'snap-port-c' }
  const work = mkdtempSync(join(tmpdir(), 'snap-port-'))
  let env: Record<string, string> = {}
  const run = async (script: string) => {
    const r = await bash(script, env, work)
    assert.equal(r.exitCode, 0, `${script}\n---\n${r.all}`)
    return r.stdout.trim()
  }
  after(async () => {
    for (const sandbox of [first, second, otherDay]) await spotcheck(['sandbox', 'down'], sandbox)
  })

  it('moves to a free port, and DescribeCluster and the restored kubeconfig follow', async () => {
    const up = await spotcheck(['sandbox', 'up', '--as-of', TUTORIAL_DATE], first)
    assert.equal(up.exitCode, 0, up.stderr)
    env = parseExports(up.stdout)
    const subnet = await run(
      'vpc=$(aws ec2 create-vpc --cidr-block 10.0.0.0/16 --query Vpc.VpcId --output text) && aws ec2 create-subnet --vpc-id "$vpc" --cidr-block 10.0.1.0/24 --query Subnet.SubnetId --output text',
    )
    await run(
      `aws eks create-cluster --name x --role-arn arn:aws:iam::123456789012:role/eks-cluster --resources-vpc-config subnetIds=${subnet} --kubernetes-version 1.29`,
    )
    await run('aws eks update-kubeconfig --name x && kubectl create namespace saved-before')
    const savedEndpoint = await run('aws eks describe-cluster --name x --query cluster.endpoint --output text')
    const save = await spotcheck(['sandbox', 'snapshot', 'save', 'port-taken'], first)
    assert.equal(save.exitCode, 0, save.stderr)
    assert.equal((await spotcheck(['sandbox', 'down'], first)).exitCode, 0)

    // Something else listens on the cluster's saved port now.
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(Number(new URL(savedEndpoint).port), '127.0.0.1', resolve))
    try {
      const up2 = await spotcheck(['sandbox', 'up', '--as-of', TUTORIAL_DATE], second)
      assert.equal(up2.exitCode, 0, up2.stderr)
      env = parseExports(up2.stdout)
      const restore = await spotcheck(['sandbox', 'snapshot', 'restore', 'port-taken'], second)
      assert.equal(restore.exitCode, 0, restore.stderr)
      assert.match(restore.stderr, new RegExp(`EKS cluster x: https://127\\.0\\.0\\.1:\\d+ \\(was ${savedEndpoint.replace(/\./g, '\\.')}\\)`))
      const endpoint = await run('aws eks describe-cluster --name x --query cluster.endpoint --output text')
      assert.notEqual(endpoint, savedEndpoint)
      assert.equal(await run(`kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}'`), endpoint)
      assert.equal(await run('kubectl get namespace saved-before -o name'), 'namespace/saved-before')
    } finally {
      blocker.close()
    }
  })

  it('refuses a sandbox of another day, naming both days', async () => {
    const up = await spotcheck(['sandbox', 'up', '--as-of', '2024-06-01'], otherDay)
    assert.equal(up.exitCode, 0, up.stderr)
    const restore = await spotcheck(['sandbox', 'snapshot', 'restore', 'port-taken'], otherDay)
    assert.equal(restore.exitCode, 1)
    assert.match(restore.stderr, new RegExp(`asOf ${TUTORIAL_DATE}; this sandbox has asOf 2024-06-01`))
  })
})
