// The objects the Karpenter 1.9.2 chart renders (aws/karpenter-provider-aws, charts/karpenter at
// the "Stable Release updates Release v1.9.2" commit 235f98ef: templates/deployment.yaml,
// service.yaml, serviceaccount.yaml, values.yaml, _helpers.tpl) with the values the EKS Blueprints
// add-on passes: the service account annotated with the controller's IRSA role, the `karpenter`
// Service (metrics only: 1.x has no webhook), and the Deployment of two replicas. Its CRDs are
// karpenterV1Crds (the chart's crds/ directory), installed by the release before these.
//
// Not rendered, as the sandbox serves no such kinds: the PodDisruptionBudget, the RBAC objects
// (ClusterRoles, Roles, bindings) and the ServiceMonitor.

import type { KubeObject } from '../kube/json.ts'
import { karpenterLabels, type KarpenterValues } from './chart.ts'

const V1_CHART_VERSION = '1.9.2'
/** values.yaml's controller.image at 1.9.2 (repository:tag@digest, as the chart's image helper renders it). */
const V1_CONTROLLER_IMAGE = 'public.ecr.aws/karpenter/controller:1.9.2@sha256:daa1a6ab518560d48db0e3137111ca14ad97a92595548fbdd5e27e1f08c35a0d'

/** values.yaml's settings.featureGates at 1.9.2, in the order the template writes FEATURE_GATES. */
const FEATURE_GATES = 'ReservedCapacity=true,SpotToSpotConsolidation=false,NodeRepair=false,NodeOverlay=false,StaticCapacity=false'

export function karpenterV1ChartObjects(namespace: string, values: KarpenterValues): KubeObject[] {
  const selector = karpenterLabels()
  const labels = {
    'helm.sh/chart': `karpenter-${V1_CHART_VERSION}`,
    ...selector,
    'app.kubernetes.io/version': V1_CHART_VERSION,
    'app.kubernetes.io/managed-by': 'Helm',
  }
  const serviceAccount = values.serviceAccount?.name || 'karpenter'
  const settings = values.settings ?? {}
  // `{{- with … }}` drops an empty setting; CLUSTER_NAME is always written (the chart requires it).
  const optional = (name: string, value: string | undefined) => (value ? [{ name, value }] : [])
  const env = [
    { name: 'KUBERNETES_MIN_VERSION', value: '1.19.0-0' },
    { name: 'KARPENTER_SERVICE', value: 'karpenter' },
    { name: 'LOG_LEVEL', value: values.logLevel ?? 'info' },
    { name: 'LOG_OUTPUT_PATHS', value: 'stdout' },
    { name: 'LOG_ERROR_OUTPUT_PATHS', value: 'stderr' },
    { name: 'METRICS_PORT', value: '8080' },
    { name: 'HEALTH_PROBE_PORT', value: '8081' },
    { name: 'SYSTEM_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'CPU_REQUESTS', valueFrom: { resourceFieldRef: { containerName: 'controller', divisor: '1m', resource: 'requests.cpu' } } },
    { name: 'MEMORY_LIMIT', valueFrom: { resourceFieldRef: { containerName: 'controller', divisor: '0', resource: 'limits.memory' } } },
    { name: 'FEATURE_GATES', value: FEATURE_GATES },
    { name: 'BATCH_MAX_DURATION', value: settings.batchMaxDuration ?? '10s' },
    { name: 'BATCH_IDLE_DURATION', value: settings.batchIdleDuration ?? '1s' },
    { name: 'PREFERENCE_POLICY', value: 'Respect' },
    { name: 'MIN_VALUES_POLICY', value: 'Strict' },
    { name: 'CLUSTER_NAME', value: settings.clusterName ?? '' },
    ...optional('CLUSTER_ENDPOINT', settings.clusterEndpoint),
    { name: 'VM_MEMORY_OVERHEAD_PERCENT', value: '0.075' },
    ...optional('INTERRUPTION_QUEUE', settings.interruptionQueue),
    { name: 'RESERVED_ENIS', value: '0' },
    { name: 'IGNORE_DRA_REQUESTS', value: 'true' },
  ]
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: serviceAccount, namespace, labels, annotations: values.serviceAccount?.annotations },
      automountServiceAccountToken: false,
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'karpenter', namespace, labels },
      spec: { type: 'ClusterIP', ports: [{ name: 'http-metrics', port: 8080, targetPort: 'http-metrics', protocol: 'TCP' }], selector },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'karpenter', namespace, labels },
      spec: {
        replicas: values.replicas ?? 2,
        revisionHistoryLimit: 10,
        strategy: { rollingUpdate: { maxUnavailable: 1 } },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: selector },
          spec: {
            automountServiceAccountToken: true,
            serviceAccountName: serviceAccount,
            securityContext: { fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            priorityClassName: 'system-cluster-critical',
            dnsPolicy: 'ClusterFirst',
            schedulerName: 'default-scheduler',
            containers: [
              {
                name: 'controller',
                securityContext: {
                  privileged: false,
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  runAsUser: 65532,
                  runAsGroup: 65532,
                  capabilities: { drop: ['ALL'] },
                },
                image: V1_CONTROLLER_IMAGE,
                imagePullPolicy: 'IfNotPresent',
                env,
                ports: [
                  { name: 'http-metrics', containerPort: 8080, protocol: 'TCP' },
                  { name: 'http', containerPort: 8081, protocol: 'TCP' },
                ],
                livenessProbe: { initialDelaySeconds: 30, timeoutSeconds: 30, httpGet: { path: '/healthz', port: 'http' } },
                readinessProbe: { initialDelaySeconds: 5, timeoutSeconds: 30, httpGet: { path: '/readyz', port: 'http' } },
              },
            ],
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            // values.yaml's affinity, with the label selector the chart's patchAffinity helper adds.
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [{ matchExpressions: [{ key: 'karpenter.sh/nodepool', operator: 'DoesNotExist' }] }],
                },
              },
              podAntiAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } }],
              },
            },
            topologySpreadConstraints: [
              { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: selector } },
            ],
            tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }],
          },
        },
      },
    },
  ]
}
