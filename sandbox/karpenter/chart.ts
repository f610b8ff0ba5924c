// The objects the Karpenter Helm chart (v0.32.1) installs into the cluster, with the values the
// EKS Blueprints add-on passes: namespace `karpenter`, the service account annotated with the
// controller's IRSA role, and the `karpenter` Deployment of two replicas whose pods are labelled
// `app.kubernetes.io/name=karpenter`, kept off Karpenter's own nodes and apart from each other.
// Its CRDs (karpenterV1beta1Crds) are installed by the release before these; the 1.9.2 chart's
// objects are in chart-v1.ts.

import type { KubeObject } from '../kube/json.ts'

export interface KarpenterValues {
  settings?: { clusterName?: string; clusterEndpoint?: string; interruptionQueue?: string; batchIdleDuration?: string; batchMaxDuration?: string }
  serviceAccount?: { name?: string; annotations?: Record<string, string> }
  replicas?: number
  logLevel?: string
}

const CONTROLLER_IMAGE = 'public.ecr.aws/karpenter/controller:v0.32.1'

export function karpenterLabels(): Record<string, string> {
  return { 'app.kubernetes.io/name': 'karpenter', 'app.kubernetes.io/instance': 'karpenter' }
}

export function karpenterChartObjects(namespace: string, version: string, values: KarpenterValues): KubeObject[] {
  const labels = karpenterLabels()
  const chartLabels = {
    ...labels,
    'helm.sh/chart': `karpenter-${version}`,
    'app.kubernetes.io/version': version.replace(/^v/, ''),
    'app.kubernetes.io/managed-by': 'Helm',
  }
  const serviceAccount = values.serviceAccount?.name ?? 'karpenter'
  const settings = values.settings ?? {}
  const env = [
    { name: 'KUBERNETES_MIN_VERSION', value: '1.19.0-0' },
    { name: 'KARPENTER_SERVICE', value: 'karpenter' },
    { name: 'WEBHOOK_PORT', value: '8443' },
    { name: 'METRICS_PORT', value: '8000' },
    { name: 'HEALTH_PROBE_PORT', value: '8081' },
    { name: 'SYSTEM_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'MEMORY_LIMIT', valueFrom: { resourceFieldRef: { containerName: 'controller', divisor: '0', resource: 'limits.memory' } } },
    { name: 'FEATURE_GATES', value: 'Drift=false' },
    { name: 'BATCH_MAX_DURATION', value: settings.batchMaxDuration ?? '10s' },
    { name: 'BATCH_IDLE_DURATION', value: settings.batchIdleDuration ?? '1s' },
    { name: 'ASSUME_ROLE_DURATION', value: '15m' },
    { name: 'CLUSTER_NAME', value: settings.clusterName ?? '' },
    { name: 'CLUSTER_ENDPOINT', value: settings.clusterEndpoint ?? '' },
    { name: 'VM_MEMORY_OVERHEAD_PERCENT', value: '0.075' },
    { name: 'INTERRUPTION_QUEUE', value: settings.interruptionQueue ?? '' },
    { name: 'RESERVED_ENIS', value: '0' },
  ]
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: serviceAccount, namespace, labels: chartLabels, annotations: values.serviceAccount?.annotations },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'config-logging', namespace, labels: chartLabels },
      data: {
        'loglevel.controller': values.logLevel ?? 'debug',
        'loglevel.webhook': 'error',
        'zap-logger-config': JSON.stringify({
          level: values.logLevel ?? 'debug',
          development: false,
          disableStacktrace: true,
          disableCaller: true,
          sampling: { initial: 100, thereafter: 100 },
          outputPaths: ['stdout'],
          errorOutputPaths: ['stderr'],
          encoding: 'json',
        }),
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'karpenter', namespace, labels: chartLabels },
      spec: {
        type: 'ClusterIP',
        selector: labels,
        ports: [
          { name: 'http-metrics', port: 8000, targetPort: 'http-metrics', protocol: 'TCP' },
          { name: 'https-webhook', port: 8443, targetPort: 'https-webhook', protocol: 'TCP' },
        ],
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'karpenter', namespace, labels: chartLabels },
      spec: {
        replicas: values.replicas ?? 2,
        revisionHistoryLimit: 10,
        strategy: { rollingUpdate: { maxUnavailable: 1 } },
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: serviceAccount,
            priorityClassName: 'system-cluster-critical',
            dnsPolicy: 'Default',
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [
                    {
                      matchExpressions: [
                        { key: 'karpenter.sh/provisioner-name', operator: 'DoesNotExist' },
                        { key: 'karpenter.sh/nodepool', operator: 'DoesNotExist' },
                      ],
                    },
                  ],
                },
              },
              podAntiAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: labels } }],
              },
            },
            topologySpreadConstraints: [
              { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } },
            ],
            tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }],
            containers: [
              {
                name: 'controller',
                image: CONTROLLER_IMAGE,
                imagePullPolicy: 'IfNotPresent',
                env,
                ports: [
                  { name: 'http-metrics', containerPort: 8000, protocol: 'TCP' },
                  { name: 'http', containerPort: 8081, protocol: 'TCP' },
                  { name: 'https-webhook', containerPort: 8443, protocol: 'TCP' },
                ],
              },
            ],
          },
        },
      },
    },
  ]
}
