// The real kubectl (the machine's dispatcher → kubectl 1.29.14 for an EKS 1.29 server) against
// the sandbox API server: every kubectl command of the tutorial verbatim, then the everyday
// commands users reach for. Authentication goes through `aws eks get-token`, as on EKS.

/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument -- tests poke into manifests as untyped JSON */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CLUSTER, readyNode, sleep, startHarness, type Harness } from './harness.ts'
import { recordEvent } from '../../../sandbox/kube/events.ts'
import type { KubeObject } from '../../../sandbox/kube/json.ts'
import { tutorialCommand } from '../cluster/tutorial-helpers.ts'

/** The tutorial's Step 3 NodePool and EC2NodeClass block, verbatim (its stray spaces included). */
const TUTORIAL_NODEPOOL = tutorialCommand('Step 3', 2)

const WORKLOAD = `cat <<EOF > workload.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: stateless
spec:
  replicas: 10
  selector:
    matchLabels:
      app: stateless
  template:
    metadata:
      labels:
        app: stateless
    spec:
      nodeSelector:
        intent: apps
        karpenter.sh/capacity-type: spot
      containers:
      - image: public.ecr.aws/eks-distro/kubernetes/pause:v1.29.0-eks-1-29-latest
        name: app
        resources:
          requests:
            cpu: 512m
            memory: 512Mi
EOF
kubectl apply -f workload.yaml`

const TSC = `      topologySpreadConstraints:
        - labelSelector:
            matchLabels:
              app: stateless
          maxSkew: 1
          minDomains: 2
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: DoNotSchedule
`

const TUTORIAL_ENV = { CLUSTER_NAME: CLUSTER, KARPENTER_NODE_IAM_ROLE_NAME: 'karpenter-spot-and-karpenter-2024012821093358440000001d' }
const LIST_NODES =
  'kubectl get nodes -L karpenter.sh/capacity-type,beta.kubernetes.io/instance-type,topology.kubernetes.io/zone -l karpenter.sh/capacity-type=spot'

/** Splits kubectl's column output into rows of cells. */
const table = (out: string) =>
  out
    .trim()
    .split('\n')
    .map((l) =>
      l
        .trim()
        .split(/\s{2,}|\s+(?=\S)/)
        .filter(Boolean),
    )
const header = (out: string) => out.split('\n')[0].trim().split(/\s+/)

/** Karpenter's two controller pods, Running, as the tutorial's Terraform leaves them. */
function karpenterPods(h: Harness): string[] {
  h.store.create('namespaces', { metadata: { name: 'karpenter' } })
  const names: string[] = []
  for (const suffix of ['bm85s', 'xr9jf']) {
    const pod = h.store.create('pods', {
      metadata: {
        name: `karpenter-5f97c944df-${suffix}`,
        namespace: 'karpenter',
        labels: { 'app.kubernetes.io/name': 'karpenter', 'app.kubernetes.io/instance': 'karpenter' },
      },
      spec: { containers: [{ name: 'controller', image: 'public.ecr.aws/karpenter/controller:v0.32.1' }] },
    })
    const name = pod.metadata.name!
    h.store.bindPod('karpenter', name, 'ip-10-0-1-10.eu-west-2.compute.internal')
    h.store.mutate(
      'pods',
      'karpenter',
      name,
      (p) => {
        p.status = {
          phase: 'Running',
          podIP: '10.0.1.20',
          conditions: [
            { type: 'Ready', status: 'True' },
            { type: 'Initialized', status: 'True' },
          ],
          containerStatuses: [
            {
              name: 'controller',
              ready: true,
              started: true,
              restartCount: 0,
              image: 'public.ecr.aws/karpenter/controller:v0.32.1',
              state: { running: { startedAt: new Date().toISOString() } },
            },
          ],
        }
      },
      { subresource: 'status', fieldManager: 'kubelet' },
    )
    names.push(name)
  }
  return names
}

function spotNode(h: Harness, name: string, zone: string, type: string, capacity = 'spot'): void {
  h.store.create(
    'nodes',
    readyNode(name, {
      'karpenter.sh/capacity-type': capacity,
      'beta.kubernetes.io/instance-type': type,
      'node.kubernetes.io/instance-type': type,
      'topology.kubernetes.io/zone': zone,
      intent: 'apps',
      'karpenter.sh/nodepool': 'default',
    }) as KubeObject,
    { fieldManager: 'kubelet' },
  )
}

describe('kubectl against the sandbox API server (EKS 1.29)', () => {
  let h: Harness
  let karpenter: string[]
  before(async () => {
    h = await startHarness()
    karpenter = karpenterPods(h)
  })
  after(async () => h.close())

  it('kubectl version reports the EKS server version', async () => {
    const r = await h.kubectl(['version'])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /Client Version: v1\.29\.14/)
    assert.match(r.stdout, /Server Version: v1\.29\.10-eks-[0-9a-f]{7}/)
  })

  it('Step 2: kubectl get pods -n karpenter', async () => {
    const r = await h.bash('kubectl get pods -n karpenter')
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual(header(r.stdout), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'])
    const rows = table(r.stdout).slice(1)
    assert.deepEqual(
      rows.map((c) => c.slice(0, 4)),
      karpenter.map((n) => [n, '1/1', 'Running', '0']),
    )
  })

  it('Step 3: the NodePool and EC2NodeClass apply (created, then unchanged), and a bad NodePool is refused', async () => {
    const first = await h.bash(TUTORIAL_NODEPOOL, TUTORIAL_ENV)
    assert.equal(first.code, 0, first.stderr)
    assert.equal(first.stdout, 'nodepool.karpenter.sh/default created\nec2nodeclass.karpenter.k8s.aws/default created\n')
    const again = await h.bash(TUTORIAL_NODEPOOL, TUTORIAL_ENV)
    assert.equal(again.stdout, 'nodepool.karpenter.sh/default unchanged\nec2nodeclass.karpenter.k8s.aws/default unchanged\n')
    const np = h.store.get('nodepools.karpenter.sh', undefined, 'default')
    assert.deepEqual((np.spec as { disruption: unknown }).disruption, { consolidationPolicy: 'WhenUnderutilized', expireAfter: '168h' })
    const changed = await h.bash(TUTORIAL_NODEPOOL.replace('expireAfter: 168h', 'expireAfter: 720h'), TUTORIAL_ENV)
    assert.equal(changed.stdout, 'nodepool.karpenter.sh/default configured\nec2nodeclass.karpenter.k8s.aws/default unchanged\n')
    const bad = await h.bash(
      TUTORIAL_NODEPOOL.replace('operator: Gt\n          values: ["4"]', 'operator: Foo\n          values: ["4"]').replace(
        'name: default \n',
        'name: broken\n',
      ),
      TUTORIAL_ENV,
    )
    assert.equal(bad.code, 1)
    assert.match(
      bad.stderr,
      /The NodePool "broken" is invalid: spec\.template\.spec\.requirements\[1\]\.operator: Unsupported value: "Foo": supported values: "In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"/,
    )
    const unknown = await h.kubectl(['apply', '-f', '-'], {
      stdin:
        'apiVersion: karpenter.sh/v1beta1\nkind: NodePool\nmetadata: {name: x}\nspec: {bogus: 1, template: {spec: {requirements: [], nodeClassRef: {name: default}}}}\n',
    })
    assert.match(
      unknown.stderr,
      /Error from server \(BadRequest\): error when creating "STDIN": NodePool in version "v1beta1" cannot be handled as a NodePool: strict decoding error: unknown field "spec\.bogus"/,
    )
    const get = await h.kubectl(['get', 'nodepools,ec2nodeclasses', '-o', 'wide'])
    assert.match(get.stdout, /NAME\s+NODECLASS\s+WEIGHT\nnodepool\.karpenter\.sh\/default\s+default\s*\n/)
    assert.match(get.stdout, /NAME\s+AGE\nec2nodeclass\.karpenter\.k8s\.aws\/default\s+\d+s/)
  })

  it('Step 4: the workload, its pending pods, and the Karpenter logs followed with kl', async () => {
    const r = await h.bash(WORKLOAD)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'deployment.apps/stateless created\n')
    // What the ReplicaSet controller (another part of the sandbox) would create.
    for (let i = 0; i < 3; i++)
      h.store.create('pods', {
        metadata: { generateName: 'stateless-5c77994ccb-', namespace: 'default', labels: { app: 'stateless' } },
        spec: { containers: [{ name: 'app', image: 'public.ecr.aws/eks-distro/kubernetes/pause:v1.29.0-eks-1-29-latest' }] },
      })
    const pods = await h.bash('kubectl get pods')
    const rows = table(pods.stdout).slice(1)
    assert.equal(rows.length, 3)
    for (const row of rows) {
      assert.match(row[0], /^stateless-5c77994ccb-[a-z0-9]{5}$/)
      assert.deepEqual(row.slice(1, 4), ['0/1', 'Pending', '0'])
    }
    for (const [i, pod] of karpenter.entries()) h.podLogs.append('karpenter', pod, 'controller', `{"level":"INFO","message":"old line from replica ${i}"}`)
    const kl = h.spawnKubectl(['-n', 'karpenter', 'logs', '-l', 'app.kubernetes.io/name=karpenter', '--all-containers=true', '-f', '--tail=20'])
    await kl.waitFor(/old line from replica 0/)
    await kl.waitFor(/old line from replica 1/)
    h.podLogs.append(
      'karpenter',
      karpenter[0],
      'controller',
      '{"level":"INFO","time":"2024-01-28T21:14:32.625Z","logger":"controller.provisioner","message":"computed new nodeclaim(s) to fit pod(s)","commit":"1072d3b","nodeclaims":1,"pods":10}',
    )
    await kl.waitFor(/computed new nodeclaim/)
    // The follows end when the pods go (a real container stopping ends its stream too).
    for (const pod of karpenter) h.store.delete('pods', 'karpenter', pod, { gracePeriodSeconds: 0 })
    const done = await kl.exit()
    assert.equal(done.code, 0, done.stderr)
    assert.match(done.stdout, /old line from replica 0"\}\n/)
  })

  it('Step 5: delete the deployment, re-apply with a topology spread, list the spot nodes (and watch them)', async () => {
    const del = await h.bash('kubectl delete deployment stateless')
    assert.equal(del.code, 0, del.stderr)
    assert.equal(del.stdout, 'deployment.apps "stateless" deleted\n')
    const yaml = await readFile(join(h.dir, 'workload.yaml'), 'utf8').catch(() => '')
    const withTsc = (yaml || '').replace('      containers:\n', `${TSC}      containers:\n`)
    await writeFile(join(h.dir, 'workload.yaml'), withTsc)
    const apply = await h.bash(`cd ${h.dir} && kubectl apply -f workload.yaml`)
    assert.equal(apply.stdout, 'deployment.apps/stateless created\n', apply.stderr)
    const d = h.store.get('deployments.apps', 'default', 'stateless')
    assert.equal(((d.spec as Record<string, any>).template.spec.topologySpreadConstraints as unknown[]).length, 1) // eslint-disable-line @typescript-eslint/no-explicit-any

    spotNode(h, 'ip-10-0-36-60.eu-west-2.compute.internal', 'eu-west-2a', 'c7g.2xlarge')
    spotNode(h, 'ip-10-0-92-180.eu-west-2.compute.internal', 'eu-west-2b', 'c7g.2xlarge')
    spotNode(h, 'ip-10-0-102-121.eu-west-2.compute.internal', 'eu-west-2c', 'm7g.2xlarge')
    spotNode(h, 'ip-10-0-107-229.eu-west-2.compute.internal', 'eu-west-2c', 'c6g.2xlarge', 'on-demand')
    const nodes = await h.bash(LIST_NODES)
    assert.equal(nodes.code, 0, nodes.stderr)
    assert.deepEqual(header(nodes.stdout), ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'CAPACITY-TYPE', 'INSTANCE-TYPE', 'ZONE'])
    const rows = table(nodes.stdout).slice(1)
    assert.deepEqual(
      rows.map((r) => [r[0], r[1], r[2], r[4], r[5], r[6], r[7]]),
      [
        ['ip-10-0-102-121.eu-west-2.compute.internal', 'Ready', '<none>', 'v1.29.0-eks-5e0fdde', 'spot', 'm7g.2xlarge', 'eu-west-2c'],
        ['ip-10-0-36-60.eu-west-2.compute.internal', 'Ready', '<none>', 'v1.29.0-eks-5e0fdde', 'spot', 'c7g.2xlarge', 'eu-west-2a'],
        ['ip-10-0-92-180.eu-west-2.compute.internal', 'Ready', '<none>', 'v1.29.0-eks-5e0fdde', 'spot', 'c7g.2xlarge', 'eu-west-2b'],
      ],
    )
    const od = await h.bash(LIST_NODES.replace('capacity-type=spot', 'capacity-type=on-demand'))
    assert.match(
      od.stdout,
      /ip-10-0-107-229\.eu-west-2\.compute\.internal\s+Ready\s+<none>\s+\d+s\s+v1\.29\.0-eks-5e0fdde\s+on-demand\s+c6g\.2xlarge\s+eu-west-2c/,
    )

    // Step 6's watch: one row per change under the same header.
    const w = h.spawnKubectl([...LIST_NODES.split(' ').slice(1), '--watch'])
    await w.waitFor(/ip-10-0-92-180\S*\s+Ready\s/)
    h.store.mutate('nodes', undefined, 'ip-10-0-36-60.eu-west-2.compute.internal', (n) => void ((n.spec as Record<string, unknown>).unschedulable = true))
    await w.waitFor(/ip-10-0-36-60\S*\s+Ready,SchedulingDisabled/)
    spotNode(h, 'ip-10-0-11-11.eu-west-2.compute.internal', 'eu-west-2a', 'm7g.2xlarge')
    await w.waitFor(/ip-10-0-11-11\S*\s+Ready\s+<none>\s+\d+s\s+\S+\s+spot\s+m7g\.2xlarge\s+eu-west-2a/)
    h.store.delete('nodes', undefined, 'ip-10-0-11-11.eu-west-2.compute.internal')
    await sleep(300)
    const out = (await w.stop()).stdout
    assert.equal(out.match(/^NAME\s/gm)?.length, 1, `one header only:\n${out}`)
    assert.equal(out.match(/ip-10-0-11-11/g)?.length, 2, 'ADDED and DELETED rows')
  })

  it('Step 7 and 8: the stateful workload, then both deployments deleted', async () => {
    const stateful = WORKLOAD.replace('workload.yaml', 'workload-stateful.yaml')
      .replace('workload.yaml', 'workload-stateful.yaml')
      .replace('name: stateless', 'name: stateful')
      .replace(/app: stateless/g, 'app: stateful')
      .replace('replicas: 10', 'replicas: 7')
      .replace('capacity-type: spot', 'capacity-type: on-demand')
    const r = await h.bash(`cd ${h.dir} && ${stateful}`)
    assert.equal(r.stdout, 'deployment.apps/stateful created\n', r.stderr)
    const del = await h.bash('kubectl delete deployment stateless\nkubectl delete deployment stateful')
    assert.equal(del.stdout, 'deployment.apps "stateless" deleted\ndeployment.apps "stateful" deleted\n', del.stderr)
    const again = await h.kubectl(['delete', 'deployment', 'stateless'])
    assert.equal(again.code, 1)
    assert.equal(again.stderr, 'Error from server (NotFound): deployments.apps "stateless" not found\n')
  })

  it('get in every output form: -o wide/yaml/json/jsonpath/custom-columns/name, -A, --show-labels, -L', async () => {
    await h.kubectl(['apply', '-f', '-'], {
      stdin: `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, labels: {team: a}}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: app, image: nginx:1.25}]}\n`,
    })
    h.store.create('pods', {
      metadata: { name: 'web-1', namespace: 'default', labels: { app: 'web' } },
      spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] },
    })
    const [wide, yaml, json, jp, cc, name, all, labels] = await Promise.all([
      h.kubectl(['get', 'deploy', '-o', 'wide']),
      h.kubectl(['get', 'deploy', 'web', '-o', 'yaml']),
      h.kubectl(['get', 'pods', '-o', 'json']),
      h.kubectl(['get', 'pods', '-o', 'jsonpath={.items[*].metadata.name}']),
      h.kubectl(['get', 'deploy', '-o', 'custom-columns=NAME:.metadata.name,REPLICAS:.spec.replicas']),
      h.kubectl(['get', 'deploy', '-o', 'name']),
      h.kubectl(['get', 'pods', '-A', '-o', 'wide']),
      h.kubectl(['get', 'deploy', '--show-labels', '-L', 'team']),
    ])
    assert.match(
      wide.stdout,
      /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR\nweb\s+0\/2\s+0\s+0\s+\d+s\s+app\s+nginx:1\.25\s+app=web\n$/,
    )
    assert.match(
      yaml.stdout,
      /^apiVersion: apps\/v1\nkind: Deployment\nmetadata:\n {2}annotations:\n {4}kubectl\.kubernetes\.io\/last-applied-configuration: \|/,
    )
    assert.match(yaml.stdout, /strategy:\n {4}rollingUpdate:\n {6}maxSurge: 25%\n {6}maxUnavailable: 25%\n {4}type: RollingUpdate/)
    assert.equal((JSON.parse(json.stdout) as { kind: string }).kind, 'List')
    assert.match(jp.stdout, /web-1/)
    assert.equal(cc.stdout, 'NAME   REPLICAS\nweb    2\n')
    assert.equal(name.stdout, 'deployment.apps/web\n')
    assert.match(all.stdout, /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\n/)
    assert.match(all.stdout, /\ndefault\s+web-1\s+0\/1\s+Pending\s+0\s+\d+s\s+<none>\s+<none>\s+<none>\s+<none>\n/)
    assert.match(labels.stdout, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+TEAM\s+LABELS\nweb\s+0\/2\s+0\s+0\s+\d+s\s+a\s+team=a\n$/)
  })

  it('describe pod and node, with their events', async () => {
    const node = 'ip-10-0-92-180.eu-west-2.compute.internal'
    h.store.bindPod('default', 'web-1', node)
    const pod = h.store.get('pods', 'default', 'web-1')
    recordEvent(h.store, {
      involvedObject: pod,
      type: 'Normal',
      reason: 'Scheduled',
      message: `Successfully assigned default/web-1 to ${node}`,
      source: { component: 'default-scheduler' },
    })
    recordEvent(h.store, {
      involvedObject: { kind: 'Node', name: node, uid: h.store.get('nodes', undefined, node).metadata.uid },
      type: 'Normal',
      reason: 'RegisteredNode',
      message: `Node ${node} event: Registered Node ${node} in Controller`,
      source: { component: 'node-controller' },
    })
    const [dp, dn, ev] = await Promise.all([h.kubectl(['describe', 'pod', 'web-1']), h.kubectl(['describe', 'node', node]), h.kubectl(['get', 'events'])])
    assert.equal(dp.code, 0, dp.stderr)
    assert.match(dp.stdout, /^Name:\s+web-1\nNamespace:\s+default\n/)
    assert.match(dp.stdout, new RegExp(`Node:\\s+${node}`))
    assert.match(
      dp.stdout,
      /Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n\s+----.*\n\s+Normal\s+Scheduled\s+\d+s\s+default-scheduler\s+Successfully assigned default\/web-1/,
    )
    assert.equal(dn.code, 0, dn.stderr)
    assert.match(dn.stdout, /Non-terminated Pods:\s+\(1 in total\)/)
    assert.match(dn.stdout, /Normal\s+RegisteredNode\s+\d+s\s+node-controller\s+Node/)
    assert.match(ev.stdout, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n/)
    assert.match(ev.stdout, /\d+s\s+Normal\s+Scheduled\s+pod\/web-1\s+Successfully assigned/)
  })

  it('scale, label, annotate, patch (strategic, merge, json), rollout restart and status, wait', async () => {
    const script = [
      'kubectl scale deployment web --replicas=3',
      'kubectl label deployment web tier=frontend',
      'kubectl annotate deployment web note=hello',
      `kubectl patch deployment web -p '{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.26"}]}}}}'`,
      `kubectl patch deployment web --type merge -p '{"metadata":{"labels":{"merged":"yes"}}}'`,
      `kubectl patch deployment web --type json -p '[{"op":"replace","path":"/spec/replicas","value":4}]'`,
      'kubectl rollout restart deployment web',
    ].join(' && ')
    const r = await h.bash(script)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, ['scaled', 'labeled', 'annotated', 'patched', 'patched', 'patched', 'restarted'].map((v) => `deployment.apps/web ${v}\n`).join(''))
    const d = h.store.get('deployments.apps', 'default', 'web') as KubeObject & { spec: Record<string, any> } // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(d.spec.replicas, 4)
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.26')
    assert.deepEqual(d.metadata.labels, { team: 'a', tier: 'frontend', merged: 'yes' })
    assert.equal(d.metadata.annotations?.note, 'hello')
    assert.match(d.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'], /^\d{4}-/)

    // rollout status / wait follow the status a deployment controller would write.
    const status = h.spawnKubectl(['rollout', 'status', 'deployment/web', '--timeout=20s'])
    const wait = h.spawnKubectl(['wait', '--for=condition=Available', 'deployment/web', '--timeout=20s'])
    await sleep(1500)
    h.store.mutate(
      'deployments.apps',
      'default',
      'web',
      (o) => {
        o.status = {
          observedGeneration: o.metadata.generation,
          replicas: 4,
          updatedReplicas: 4,
          readyReplicas: 4,
          availableReplicas: 4,
          conditions: [
            { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' },
            { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "web-abc" has successfully progressed.' },
          ],
        }
      },
      { subresource: 'status' },
    )
    assert.match(await status.waitFor(/successfully rolled out/), /deployment "web" successfully rolled out\n/)
    assert.equal((await status.exit()).code, 0)
    await wait.waitFor(/deployment\.apps\/web condition met/)
    assert.equal((await wait.exit()).code, 0)
  })

  it("cordon, uncordon and drain (eviction of the node's pods)", async () => {
    const node = 'ip-10-0-92-180.eu-west-2.compute.internal'
    // A stand-in for the node's kubelet: it finishes graceful deletions.
    const stop = h.store.watch('pods', { resourceVersion: h.store.resourceVersion, fieldSelector: `spec.nodeName=${node}` }, (e) => {
      if (e.type === 'MODIFIED' && e.object.metadata.deletionTimestamp)
        setTimeout(() => h.store.delete('pods', e.object.metadata.namespace, e.object.metadata.name!, { gracePeriodSeconds: 0 }), 100)
    })
    const r = await h.bash(`kubectl cordon ${node} && kubectl uncordon ${node} && kubectl drain ${node} --ignore-daemonsets --force --timeout=20s`)
    stop()
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, new RegExp(`node/${node} cordoned\nnode/${node} uncordoned\nnode/${node} cordoned\n`))
    assert.match(r.stdout, /evicting pod default\/web-1\npod\/web-1 evicted\n/)
    assert.match(r.stdout, new RegExp(`node/${node} drained\n$`))
    assert.ok(h.requests.some((q) => q.method === 'POST' && q.path === '/api/v1/namespaces/default/pods/web-1/eviction' && q.status === 201))
    const nodes = await h.kubectl(['get', 'node', node])
    assert.match(nodes.stdout, /Ready,SchedulingDisabled/)
  })

  it('delete --wait waits for finalizers; wait --for=delete; deletion propagates to dependents', async () => {
    h.store.create('configmaps', { metadata: { name: 'held', namespace: 'default', finalizers: ['example.com/hold'] } })
    const del = h.spawnKubectl(['delete', 'configmap', 'held', '--timeout=20s'])
    const waitDel = h.spawnKubectl(['wait', '--for=delete', 'configmap/held', '--timeout=20s'])
    await del.waitFor(/configmap "held" deleted/)
    await sleep(1000)
    assert.equal(del.child.exitCode, null, 'kubectl delete still waits')
    h.store.mutate('configmaps', 'default', 'held', (o) => void (o.metadata.finalizers = []))
    const res = await Promise.race([new Promise((r) => del.child.on('close', r)), sleep(10_000).then(() => 'timeout')])
    assert.equal(res, 0)
    await waitDel.waitFor(/condition met/)
    await waitDel.stop()

    // ownerReferences: a ReplicaSet owned by the deployment goes with it (garbage collector).
    const dep = h.store.get('deployments.apps', 'default', 'web')
    h.store.create('replicasets.apps', {
      metadata: {
        name: 'web-6d4cf56db6',
        namespace: 'default',
        labels: { app: 'web' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: dep.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
      },
    })
    const fg = await h.kubectl(['delete', 'deployment', 'web', '--cascade=foreground'])
    assert.equal(fg.code, 0, fg.stderr)
    assert.equal(h.store.find('replicasets.apps', 'default', 'web-6d4cf56db6'), undefined)
    assert.equal(h.store.find('deployments.apps', 'default', 'web'), undefined)
  })

  it('server-side apply, --dry-run=server, api-resources, api-versions, explain', async () => {
    const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa}\ndata: {a: "1"}\n'
    const [dry, ssa] = [
      await h.kubectl(['apply', '--dry-run=server', '-f', '-'], { stdin: manifest }),
      await h.kubectl(['apply', '--server-side', '-f', '-'], { stdin: manifest }),
    ]
    assert.equal(dry.stdout, 'configmap/ssa created (server dry run)\n', dry.stderr)
    assert.equal(ssa.stdout, 'configmap/ssa serverside-applied\n', ssa.stderr)
    const cm = h.store.get('configmaps', 'default', 'ssa')
    assert.deepEqual(
      cm.metadata.managedFields?.map((m) => [m.manager, m.operation]),
      [['kubectl', 'Apply']],
    )
    const conflict = await h.bash(
      `kubectl patch configmap ssa --type merge -p '{"data":{"a":"2"}}' >/dev/null && kubectl apply --server-side -f - <<'EOF'\n${manifest}EOF`,
    )
    assert.equal(conflict.code, 1)
    assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl-patch" using v1: \.data\.a/)
    const [res, vers, explain] = await Promise.all([
      h.kubectl(['api-resources']),
      h.kubectl(['api-versions']),
      h.kubectl(['explain', 'nodepool.spec.disruption']),
    ])
    assert.match(res.stdout, /^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND\n/)
    assert.match(res.stdout, /\nnodepools\s+karpenter\.sh\/v1beta1\s+false\s+NodePool\n/)
    assert.match(res.stdout, /\npods\s+po\s+v1\s+true\s+Pod\n/)
    assert.match(res.stdout, /\ndeployments\s+deploy\s+apps\/v1\s+true\s+Deployment\n/)
    assert.equal(
      vers.stdout,
      ['apiextensions.k8s.io/v1', 'apps/v1', 'coordination.k8s.io/v1', 'karpenter.k8s.aws/v1beta1', 'karpenter.sh/v1beta1', 'v1', ''].join('\n'),
    )
    assert.match(explain.stdout, /KIND:\s+NodePool\nVERSION:\s+v1beta1\n\nFIELD: disruption <Object>/)
    assert.match(explain.stdout, /consolidationPolicy\t<string>/)
  })
})
