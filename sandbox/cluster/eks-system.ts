// What EKS itself puts into a new cluster, and what its add-ons install.
//
// A new EKS cluster comes with three self-managed add-ons in kube-system — the VPC CNI (the
// aws-node DaemonSet), kube-proxy and CoreDNS — and the tutorial adds the EBS CSI driver as a
// managed add-on. Their DaemonSets are what Karpenter counts as per-node overhead, so their
// requests are those of the real manifests for EKS 1.29: aws-node 2 × 25m, kube-proxy 100m,
// ebs-csi-node and ebs-csi-node-windows 3 × 10m/40Mi each — 210m, 240Mi and 4 pods in all, the
// overhead the tutorial's Karpenter logs show (docs/karpenter-lines.md, "DaemonSet overhead").

import type { KubeObject } from '../kube/json.ts'

type Manifest = KubeObject & { kind: string; apiVersion: string }

interface AddonVersions {
  'vpc-cni': string
  'kube-proxy': string
  coredns: string
  'aws-ebs-csi-driver': string
}

/** Default add-on versions of EKS 1.29 at the tutorial's time. */
const DEFAULT_ADDON_VERSIONS: AddonVersions = {
  'vpc-cni': 'v1.16.0-eksbuild.1',
  'kube-proxy': 'v1.29.0-eksbuild.1',
  coredns: 'v1.11.1-eksbuild.4',
  'aws-ebs-csi-driver': 'v1.26.1-eksbuild.1',
}

const ECR = (region: string) => `602401143452.dkr.ecr.${region}.amazonaws.com`
const TOLERATE_ALL = [{ operator: 'Exists' }]
const LINUX_NODES = {
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [
        {
          matchExpressions: [
            { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
            { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] },
            { key: 'eks.amazonaws.com/compute-type', operator: 'NotIn', values: ['fargate'] },
          ],
        },
      ],
    },
  },
}

function container(name: string, image: string, requests?: Record<string, string>, limits?: Record<string, string>) {
  return { name, image, resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) } }
}

function daemonSet(name: string, labels: Record<string, string>, spec: Record<string, unknown>, addon?: string): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'kube-system', labels: { ...labels, ...(addon ? { 'app.kubernetes.io/managed-by': 'EKS' } : {}) } },
    spec: {
      selector: { matchLabels: labels },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } },
      template: { metadata: { labels }, spec: { priorityClassName: 'system-node-critical', tolerations: TOLERATE_ALL, ...spec } },
    },
  }
}

function serviceAccount(name: string, namespace = 'kube-system', annotations?: Record<string, string>): Manifest {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, ...(annotations ? { annotations } : {}) } }
}

function vpcCni(region: string, version: string, configurationValues?: string): Manifest[] {
  const env = [
    { name: 'AWS_VPC_K8S_CNI_LOGLEVEL', value: 'DEBUG' },
    { name: 'ENABLE_PREFIX_DELEGATION', value: 'false' },
    { name: 'WARM_ENI_TARGET', value: '1' },
  ]
  // The tutorial configures prefix delegation through the add-on's configuration values.
  const configured = configurationValues ? ((JSON.parse(configurationValues) as { env?: Record<string, string> }).env ?? {}) : {}
  for (const [name, value] of Object.entries(configured)) {
    const existing = env.find((e) => e.name === name)
    if (existing) existing.value = value
    else env.push({ name, value })
  }
  const labels = { 'k8s-app': 'aws-node' }
  return [
    serviceAccount('aws-node'),
    daemonSet('aws-node', labels, {
      serviceAccountName: 'aws-node',
      hostNetwork: true,
      affinity: LINUX_NODES,
      initContainers: [container('aws-vpc-cni-init', `${ECR(region)}/amazon-k8s-cni-init:${version}`, { cpu: '25m' })],
      containers: [
        { ...container('aws-node', `${ECR(region)}/amazon-k8s-cni:${version}`, { cpu: '25m' }), env, ports: [{ containerPort: 61678, name: 'metrics' }] },
        container('aws-eks-nodeagent', `${ECR(region)}/amazon/aws-network-policy-agent:v1.0.7-eksbuild.1`, { cpu: '25m' }),
      ],
    }),
  ]
}

function kubeProxy(region: string, version: string): Manifest[] {
  const labels = { 'k8s-app': 'kube-proxy' }
  return [
    serviceAccount('kube-proxy'),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kube-proxy', namespace: 'kube-system', labels: { 'eks.amazonaws.com/component': 'kube-proxy', 'k8s-app': 'kube-proxy' } },
      data: { kubeconfig: 'kind: Config\napiVersion: v1\n' },
    },
    daemonSet('kube-proxy', labels, {
      serviceAccountName: 'kube-proxy',
      hostNetwork: true,
      affinity: LINUX_NODES,
      containers: [container('kube-proxy', `${ECR(region)}/eks/kube-proxy:${version}`, { cpu: '100m' })],
    }),
  ]
}

function coreDns(region: string, version: string): Manifest[] {
  const labels = { 'k8s-app': 'kube-dns' }
  return [
    serviceAccount('coredns'),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'coredns', namespace: 'kube-system', labels: { 'eks.amazonaws.com/component': 'coredns', 'k8s-app': 'kube-dns' } },
      data: {
        Corefile:
          '.:53 {\n    errors\n    health\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n      pods insecure\n      fallthrough in-addr.arpa ip6.arpa\n    }\n    prometheus :9153\n    forward . /etc/resolv.conf\n    cache 30\n    loop\n    reload\n    loadbalance\n}\n',
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'coredns',
        namespace: 'kube-system',
        labels: { 'eks.amazonaws.com/component': 'coredns', 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'CoreDNS' },
      },
      spec: {
        replicas: 2,
        selector: { matchLabels: { 'eks.amazonaws.com/component': 'coredns', 'k8s-app': 'kube-dns' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
        template: {
          metadata: { labels: { 'eks.amazonaws.com/component': 'coredns', 'k8s-app': 'kube-dns' } },
          spec: {
            priorityClassName: 'system-cluster-critical',
            serviceAccountName: 'coredns',
            affinity: {
              ...LINUX_NODES,
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  {
                    weight: 100,
                    podAffinityTerm: {
                      labelSelector: { matchExpressions: [{ key: 'k8s-app', operator: 'In', values: ['kube-dns'] }] },
                      topologyKey: 'kubernetes.io/hostname',
                    },
                  },
                ],
              },
            },
            tolerations: [
              { key: 'CriticalAddonsOnly', operator: 'Exists' },
              { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
            ],
            containers: [
              {
                ...container('coredns', `${ECR(region)}/eks/coredns:${version}`, { cpu: '100m', memory: '70Mi' }, { memory: '170Mi' }),
                ports: [
                  { containerPort: 53, name: 'dns', protocol: 'UDP' },
                  { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' },
                  { containerPort: 9153, name: 'metrics', protocol: 'TCP' },
                ],
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'kube-dns',
        namespace: 'kube-system',
        labels: { 'eks.amazonaws.com/component': 'kube-dns', 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
      },
      spec: {
        selector: labels,
        clusterIP: '172.20.0.10',
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        ],
      },
    },
  ]
}

function ebsCsiDriver(region: string, version: string, serviceAccountRoleArn?: string): Manifest[] {
  const image = (name: string, tag: string) => `${ECR(region)}/eks/${name}:${tag}`
  const sidecar = (name: string, img: string, tag: string) => container(name, image(img, tag), { cpu: '10m', memory: '40Mi' }, { memory: '256Mi' })
  const nodeContainers = [
    container('ebs-plugin', image('aws-ebs-csi-driver', version), { cpu: '10m', memory: '40Mi' }, { memory: '256Mi' }),
    sidecar('node-driver-registrar', 'csi-node-driver-registrar', 'v2.9.3-eks-1-29-3'),
    sidecar('liveness-probe', 'livenessprobe', 'v2.11.0-eks-1-29-3'),
  ]
  const nodeLabels = { app: 'ebs-csi-node', 'app.kubernetes.io/component': 'csi-driver', 'app.kubernetes.io/name': 'aws-ebs-csi-driver' }
  const windowsLabels = { app: 'ebs-csi-node-windows', 'app.kubernetes.io/component': 'csi-driver', 'app.kubernetes.io/name': 'aws-ebs-csi-driver' }
  const controllerLabels = { app: 'ebs-csi-controller', 'app.kubernetes.io/component': 'csi-driver', 'app.kubernetes.io/name': 'aws-ebs-csi-driver' }
  return [
    serviceAccount('ebs-csi-controller-sa', 'kube-system', serviceAccountRoleArn ? { 'eks.amazonaws.com/role-arn': serviceAccountRoleArn } : undefined),
    serviceAccount('ebs-csi-node-sa'),
    daemonSet(
      'ebs-csi-node',
      nodeLabels,
      { serviceAccountName: 'ebs-csi-node-sa', nodeSelector: { 'kubernetes.io/os': 'linux' }, affinity: LINUX_NODES, containers: nodeContainers },
      'aws-ebs-csi-driver',
    ),
    // Never runs on the tutorial's Linux nodes, yet Karpenter v0.32 counts it: its requirements
    // do not conflict with a NodePool that leaves kubernetes.io/os open (docs/karpenter-lines.md).
    daemonSet(
      'ebs-csi-node-windows',
      windowsLabels,
      { serviceAccountName: 'ebs-csi-node-sa', nodeSelector: { 'kubernetes.io/os': 'windows' }, containers: structuredClone(nodeContainers) },
      'aws-ebs-csi-driver',
    ),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'ebs-csi-controller', namespace: 'kube-system', labels: { ...controllerLabels, 'app.kubernetes.io/managed-by': 'EKS' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'ebs-csi-controller', 'app.kubernetes.io/name': 'aws-ebs-csi-driver' } },
        template: {
          metadata: { labels: controllerLabels },
          spec: {
            priorityClassName: 'system-cluster-critical',
            serviceAccountName: 'ebs-csi-controller-sa',
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            tolerations: [
              { key: 'CriticalAddonsOnly', operator: 'Exists' },
              { effect: 'NoExecute', operator: 'Exists', tolerationSeconds: 300 },
            ],
            containers: [
              container('ebs-plugin', image('aws-ebs-csi-driver', version), { cpu: '10m', memory: '40Mi' }, { memory: '256Mi' }),
              sidecar('csi-provisioner', 'external-provisioner', 'v3.6.3-eks-1-29-3'),
              sidecar('csi-attacher', 'external-attacher', 'v4.4.3-eks-1-29-3'),
              sidecar('csi-snapshotter', 'external-snapshotter/csi-snapshotter', 'v6.3.3-eks-1-29-3'),
              sidecar('csi-resizer', 'external-resizer', 'v1.9.3-eks-1-29-3'),
              sidecar('liveness-probe', 'livenessprobe', 'v2.11.0-eks-1-29-3'),
            ],
          },
        },
      },
    },
  ]
}

/** The objects a new EKS cluster starts with (before any add-on is managed through the API). */
export function newClusterObjects(region: string, clusterName: string, kubernetesVersion: string): Manifest[] {
  const versions = { ...DEFAULT_ADDON_VERSIONS, 'kube-proxy': `v${kubernetesVersion}.0-eksbuild.1` }
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'aws-auth', namespace: 'kube-system' },
      data: {
        mapRoles: `- groups:\n  - system:bootstrappers\n  - system:nodes\n  rolearn: arn:aws:iam::123456789012:role/${clusterName}-node\n  username: system:node:{{EC2PrivateDNSName}}\n`,
      },
    },
    ...vpcCni(region, versions['vpc-cni']),
    ...kubeProxy(region, versions['kube-proxy']),
    ...coreDns(region, versions.coredns),
  ]
}

/** The manifests of an EKS add-on, by its EKS name. */
export function addonObjects(name: string, region: string, version: string, configurationValues?: string, serviceAccountRoleArn?: string): Manifest[] {
  switch (name) {
    case 'vpc-cni':
      return vpcCni(region, version, configurationValues)
    case 'kube-proxy':
      return kubeProxy(region, version)
    case 'coredns':
      return coreDns(region, version)
    case 'aws-ebs-csi-driver':
      return ebsCsiDriver(region, version, serviceAccountRoleArn)
    default:
      return []
  }
}
