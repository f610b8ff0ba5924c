/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-explicit-any -- tests read rendered manifests as untyped JSON */
// The Karpenter chart as the sandbox plays Helm: a chart version selects its CRDs and objects
// (v0.32.x: v1beta1 and the v0.32.1 objects; 1.9.2: v1 and the 1.9.2 objects), a version the OCI
// registry does not have fails with Helm's words, and a real but untwinned one says what is twinned.

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { chartFor, ChartUnavailable } from '../../../sandbox/charts.ts'
import { karpenterChartReleased } from '../../../sandbox/karpenter/chart-releases.ts'
import type { HelmRelease, SandboxCluster } from '../../../sandbox/cluster/sandbox-cluster.ts'

const karpenter = chartFor('karpenter')!
const release = (version: string): HelmRelease => ({
  chart: 'karpenter',
  version,
  namespace: 'karpenter',
  values: {
    settings: { clusterName: 'spot-and-karpenter', clusterEndpoint: 'https://127.0.0.1:6443', interruptionQueue: 'karpenter-spot-and-karpenter' },
    serviceAccount: { name: 'karpenter', annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/karpenter-x' } },
  },
})
const objects = (version: string) => karpenter.resolve(version).objects(undefined as unknown as SandboxCluster, release(version)) as any[]

function unavailable(version: string, asOf?: string): string {
  try {
    karpenter.resolve(version, asOf)
  } catch (e) {
    assert.ok(e instanceof ChartUnavailable)
    assert.equal(e.status, 422)
    return e.message
  }
  assert.fail(`chart ${version} resolved`)
}

describe('Karpenter chart versions', () => {
  it('knows which chart versions the OCI repository has ("v" up to 0.34, none from 0.35 on)', () => {
    for (const v of ['v0.32.1', 'v0.32.10', 'v0.34.13', '0.35.0', '0.37.8', '1.0.0', '1.9.2', '1.14.1']) assert.equal(karpenterChartReleased(v), true, v)
    for (const v of ['0.32.1', 'v0.35.0', 'v1.9.2', 'v0.27.7', '1.2.9', '1.9.3', '1.15.0', 'latest', '']) assert.equal(karpenterChartReleased(v), false, v)
  })

  it('a version the registry does not have fails as the helm provider fails to download it', () => {
    assert.equal(unavailable('1.2.9'), 'could not download chart: public.ecr.aws/karpenter/karpenter:1.2.9: not found')
    assert.equal(unavailable('v1.9.2'), 'could not download chart: public.ecr.aws/karpenter/karpenter:v1.9.2: not found')
  })

  it("a chart version published after the sandbox's day is not there yet", () => {
    assert.equal(unavailable('1.9.2', '2024-01-29'), 'could not download chart: public.ecr.aws/karpenter/karpenter:1.9.2: not found')
    assert.equal(karpenter.resolve('1.9.2', '2026-12-06').crds.length > 0, true)
    assert.equal(karpenter.resolve('v0.32.1', '2024-01-29').crds.length > 0, true)
  })

  it('a released version the sandbox does not twin says which ones it twins', () => {
    assert.match(
      unavailable('1.14.1'),
      /^could not install chart karpenter 1\.14\.1: the spotcheck sandbox twins only the Karpenter charts v0\.32\.x \(Karpenter v0\.32\.1, karpenter\.sh\/v1beta1\) and 1\.9\.2 \(Karpenter v1\.9\.2, karpenter\.sh\/v1\)/,
    )
    assert.match(unavailable('0.37.8'), /twins only/)
  })

  it('selects the CRDs by chart version', () => {
    const served = (v: string) => karpenter.resolve(v).crds.map((c) => `${c.plural}.${c.group}/${c.version}`)
    assert.deepEqual(served('v0.32.1'), ['nodepools.karpenter.sh/v1beta1', 'nodeclaims.karpenter.sh/v1beta1', 'ec2nodeclasses.karpenter.k8s.aws/v1beta1'])
    assert.deepEqual(served('1.9.2'), [
      'ec2nodeclasses.karpenter.k8s.aws/v1',
      'nodeclaims.karpenter.sh/v1',
      'nodeoverlays.karpenter.sh/v1alpha1',
      'nodepools.karpenter.sh/v1',
    ])
  })
})

describe('Karpenter 1.9.2 chart objects', () => {
  const rendered = objects('1.9.2')
  const deployment = rendered.find((o) => o.kind === 'Deployment')
  const pod = deployment.spec.template.spec

  it('namespace, service account, a metrics-only Service and the Deployment, labelled as the chart labels them', () => {
    assert.deepEqual(
      rendered.map((o) => `${o.kind}/${o.metadata.name}`),
      ['Namespace/karpenter', 'ServiceAccount/karpenter', 'Service/karpenter', 'Deployment/karpenter'],
    )
    assert.deepEqual(deployment.metadata.labels, {
      'helm.sh/chart': 'karpenter-1.9.2',
      'app.kubernetes.io/name': 'karpenter',
      'app.kubernetes.io/instance': 'karpenter',
      'app.kubernetes.io/version': '1.9.2',
      'app.kubernetes.io/managed-by': 'Helm',
    })
    assert.equal(rendered[1].metadata.annotations['eks.amazonaws.com/role-arn'], 'arn:aws:iam::123456789012:role/karpenter-x')
    assert.deepEqual(rendered[2].spec.ports, [{ name: 'http-metrics', port: 8080, targetPort: 'http-metrics', protocol: 'TCP' }])
  })

  it('the controller image of 1.9.2 with its digest, and the env the chart writes from its settings', () => {
    const [controller] = pod.containers
    assert.equal(controller.image, 'public.ecr.aws/karpenter/controller:1.9.2@sha256:daa1a6ab518560d48db0e3137111ca14ad97a92595548fbdd5e27e1f08c35a0d')
    const env = Object.fromEntries(controller.env.map((e: { name: string; value?: string }) => [e.name, e.value ?? 'valueFrom']))
    assert.deepEqual(Object.keys(env), [
      'KUBERNETES_MIN_VERSION',
      'KARPENTER_SERVICE',
      'LOG_LEVEL',
      'LOG_OUTPUT_PATHS',
      'LOG_ERROR_OUTPUT_PATHS',
      'METRICS_PORT',
      'HEALTH_PROBE_PORT',
      'SYSTEM_NAMESPACE',
      'CPU_REQUESTS',
      'MEMORY_LIMIT',
      'FEATURE_GATES',
      'BATCH_MAX_DURATION',
      'BATCH_IDLE_DURATION',
      'PREFERENCE_POLICY',
      'MIN_VALUES_POLICY',
      'CLUSTER_NAME',
      'CLUSTER_ENDPOINT',
      'VM_MEMORY_OVERHEAD_PERCENT',
      'INTERRUPTION_QUEUE',
      'RESERVED_ENIS',
      'IGNORE_DRA_REQUESTS',
    ])
    assert.equal(env.FEATURE_GATES, 'ReservedCapacity=true,SpotToSpotConsolidation=false,NodeRepair=false,NodeOverlay=false,StaticCapacity=false')
    assert.equal(env.CLUSTER_NAME, 'spot-and-karpenter')
    assert.equal(env.INTERRUPTION_QUEUE, 'karpenter-spot-and-karpenter')
    assert.equal(env.LOG_LEVEL, 'info')
  })

  it('keeps the pods off Karpenter nodes, one per host, spread over zones (DoNotSchedule)', () => {
    assert.deepEqual(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms, [
      { matchExpressions: [{ key: 'karpenter.sh/nodepool', operator: 'DoesNotExist' }] },
    ])
    assert.deepEqual(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution, [
      {
        topologyKey: 'kubernetes.io/hostname',
        labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'karpenter', 'app.kubernetes.io/instance': 'karpenter' } },
      },
    ])
    assert.equal(pod.topologySpreadConstraints[0].whenUnsatisfiable, 'DoNotSchedule')
    assert.equal(pod.dnsPolicy, 'ClusterFirst')
  })

  it('leaves the v0.32.1 chart as it was', () => {
    const old = objects('v0.32.1')
    const d = old.find((o) => o.kind === 'Deployment')
    assert.equal(d.spec.template.spec.containers[0].image, 'public.ecr.aws/karpenter/controller:v0.32.1')
    assert.equal(d.metadata.labels['helm.sh/chart'], 'karpenter-v0.32.1')
    assert.ok(old.some((o) => o.kind === 'ConfigMap' && o.metadata.name === 'config-logging'))
  })
})
