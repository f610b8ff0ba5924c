// EKS's control plane, as far as the sandbox needs it: moto reports what happens to EKS
// resources through hooks, and the daemon reacts as EKS would — a new cluster gets its own
// Kubernetes API server (whose endpoint and CA DescribeCluster then returns), node groups boot
// nodes, add-ons install their workloads, and the Helm releases the Terraform fixture records
// under /spotcheck/helm-releases/ are installed into their cluster.

import { platformView } from '../platform/index.ts'
import type { Clock } from './runtime/clock.ts'
import type { HookHandler } from './control-server.ts'
import { SandboxCluster, type ClusterDump, type HelmRelease, type ReleaseContents } from './cluster/sandbox-cluster.ts'
import type { NodeGroupHook } from './cluster/nodegroups.ts'
import { generateCertificates, type Certificates } from './kube/tls.ts'
import { chartFor } from './charts.ts'
import { al2NodeShape } from './karpenter/node-shape.ts'
import type { ClusterEndpoint, SandboxConfig, SandboxPaths } from './state.ts'

export interface ClusterHostOptions {
  config: SandboxConfig
  paths: SandboxPaths
  clock: Clock
  log: (line: string) => void
  /** Called when the set of clusters or their endpoints changes (the daemon republishes state). */
  onChange: () => void
}

const RELEASE_PREFIX = '/spotcheck/helm-releases/'

export class ClusterHost {
  // A release answers at once whether its chart can be had (so a bad chart version fails the
  // PutParameter, and with it the Terraform apply, as helm_release fails); it installs afterwards.
  readonly synchronousHooks: ReadonlySet<string> = new Set(['eks.cluster.created', 'ssm.parameter.put'])
  private readonly options: ClusterHostOptions
  private readonly clusters = new Map<string, SandboxCluster>()
  private awsEndpoint = ''
  private tls?: Promise<Certificates>
  /** Hooks for one cluster run one after another, in the order moto sent them. */
  private readonly queues = new Map<string, Promise<unknown>>()

  constructor(options: ClusterHostOptions) {
    this.options = options
  }

  attachAws(endpoint: string): void {
    this.awsEndpoint = endpoint
  }

  endpoints(): ClusterEndpoint[] {
    return [...this.clusters.values()].map((c) => ({
      name: c.name,
      region: this.options.config.region,
      endpoint: c.endpoint,
      kubernetesVersion: c.kubernetesVersion,
    }))
  }

  cluster(name: string): SandboxCluster | undefined {
    return this.clusters.get(name)
  }

  hooks(): Record<string, HookHandler> {
    return {
      'eks.cluster.created': (body) => this.serial(String(body.name), () => this.clusterCreated(body)),
      'eks.cluster.deleted': (body) => this.serial(String(body.name), () => this.clusterDeleted(String(body.name))),
      'eks.nodegroup.created': (body) => this.withCluster(body, (c) => c.nodeGroupCreated(body as unknown as NodeGroupHook)),
      'eks.nodegroup.updated': (body) => this.withCluster(body, (c) => c.nodeGroupUpdated(body as unknown as NodeGroupHook)),
      'eks.nodegroup.deleted': (body) => this.withCluster(body, (c) => c.nodeGroupDeleted(String(body.nodegroupName))),
      'eks.addon.created': (body) =>
        this.withCluster(body, (c) =>
          c.addonApplied(String(body.addonName), String(body.addonVersion), optional(body.configurationValues), optional(body.serviceAccountRoleArn)),
        ),
      'eks.addon.updated': (body) =>
        this.withCluster(body, (c) =>
          c.addonApplied(String(body.addonName), String(body.addonVersion), optional(body.configurationValues), optional(body.serviceAccountRoleArn)),
        ),
      'eks.addon.deleted': (body) => this.withCluster(body, (c) => c.addonDeleted(String(body.addonName))),
      'ssm.parameter.put': (body) => this.releaseRecorded(String(body.name), String(body.value)),
      'ssm.parameter.deleted': (body) => this.releaseRemoved(String(body.name)),
    }
  }

  async close(): Promise<void> {
    for (const cluster of this.clusters.values()) await cluster.close()
    this.clusters.clear()
  }

  /** Waits for the hooks being handled (a snapshot is taken between them). */
  async settled(): Promise<void> {
    await Promise.all([...this.queues.values()])
  }

  /** Every cluster as a snapshot keeps it. */
  dump(): ClusterDump[] {
    return [...this.clusters.values()].map((c) => c.dump())
  }

  /**
   * Replaces every cluster with a snapshot's (moto's state is the snapshot's already): same TLS
   * material, the saved ports where free. Returns each cluster's endpoint before and after.
   */
  async restore(dumps: ClusterDump[]): Promise<{ name: string; endpoint: string; previousEndpoint: string }[]> {
    await this.settled()
    await this.close()
    this.queues.clear()
    if (dumps[0]) this.tls = Promise.resolve(dumps[0].tls)
    const out: { name: string; endpoint: string; previousEndpoint: string }[] = []
    for (const dump of dumps) {
      const cluster = await SandboxCluster.restore(
        {
          name: dump.name,
          kubernetesVersion: dump.kubernetesVersion,
          aws: {
            endpoint: this.awsEndpoint,
            region: this.options.config.region,
            accessKeyId: this.options.config.accessKeyId,
            secretAccessKey: this.options.config.secretAccessKey,
          },
          tls: dump.tls,
          clock: this.options.clock,
          log: this.options.log,
          nodeShape: al2NodeShape(this.options.config.region),
        },
        dump,
        (release) => this.releaseContents(release),
      )
      this.clusters.set(dump.name, cluster)
      out.push({ name: dump.name, endpoint: cluster.endpoint, previousEndpoint: dump.endpoint })
    }
    this.options.onChange()
    return out
  }

  /** A saved release's chart, resolved as when it was installed. */
  private releaseContents(release: HelmRelease): ReleaseContents {
    const chart = chartFor(release.chart)
    if (!chart) throw new Error(`snapshot: the sandbox cannot install chart "${release.chart}"`)
    const version = chart.resolve(String(release.version), this.options.config.asOf)
    return { crds: version.crds, objects: () => [], install: version.install }
    // (objects: the release's objects are in the restored store already, and saved with the release)
  }

  private async clusterCreated(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const name = String(body.name)
    const existing = this.clusters.get(name)
    if (existing) await existing.close()
    this.tls ??= generateCertificates({ hosts: ['127.0.0.1', 'localhost'] }) // CN=kube-apiserver, as EKS's
    const cluster = await SandboxCluster.start({
      name,
      // moto's CreateCluster always records the version it created (the day's default when none was asked)
      kubernetesVersion: typeof body.version === 'string' ? body.version : defaultKubernetesVersion(this.options.config.asOf),
      aws: {
        endpoint: this.awsEndpoint,
        region: this.options.config.region,
        accessKeyId: this.options.config.accessKeyId,
        secretAccessKey: this.options.config.secretAccessKey,
      },
      tls: await this.tls,
      clock: this.options.clock,
      log: this.options.log,
      nodeShape: al2NodeShape(this.options.config.region),
    })
    this.clusters.set(name, cluster)
    this.options.onChange()
    return { endpoint: cluster.endpoint, certificateAuthorityData: Buffer.from(cluster.caPem).toString('base64') }
  }

  private async clusterDeleted(name: string): Promise<void> {
    const cluster = this.clusters.get(name)
    if (!cluster) return
    this.clusters.delete(name)
    await cluster.close()
    this.options.log(`EKS cluster ${name} deleted: its API server is gone`)
    this.options.onChange()
  }

  private withCluster(body: Record<string, unknown>, act: (c: SandboxCluster) => Promise<void> | void): Promise<void> {
    const name = String(body.cluster)
    return this.serial(name, async () => {
      const cluster = this.clusters.get(name)
      if (!cluster) throw new Error(`no sandbox cluster named ${name}`)
      await act(cluster)
    })
  }

  private serial<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve()
    const next = previous.then(work, work)
    this.queues.set(
      key,
      next.catch(() => undefined),
    )
    return next
  }

  /**
   * `/spotcheck/helm-releases/<cluster>/<namespace>/<release>` = {chart, version, namespace, values}.
   * Resolves the chart version now: one the sandbox cannot install throws ChartUnavailable (status
   * 422), which the control server answers and moto turns into a PutParameter error. The install
   * itself is queued behind the cluster's other hooks and reported in the daemon's log.
   */
  private releaseRecorded(parameter: string, value: string): Promise<void> {
    const where = parseReleaseName(parameter)
    if (!where) return Promise.resolve()
    const release = JSON.parse(value) as HelmRelease
    const chart = chartFor(release.chart)
    if (!chart) {
      this.options.log(`helm release ${parameter}: the sandbox cannot install chart "${release.chart}"; ignored`)
      return Promise.resolve()
    }
    const version = chart.resolve(String(release.version), this.options.config.asOf)
    const key = `${where.namespace}/${where.release}`
    this.withCluster({ cluster: where.cluster }, (c) =>
      c.releaseInstalled(key, release, { crds: version.crds, objects: () => version.objects(c, release), install: version.install }),
    ).catch((error: Error) => this.options.log(`helm release ${parameter}: install failed: ${error.stack ?? error.message}`))
    return Promise.resolve()
  }

  private releaseRemoved(parameter: string): Promise<void> {
    const where = parseReleaseName(parameter)
    if (!where || !this.clusters.has(where.cluster)) return Promise.resolve()
    return this.withCluster({ cluster: where.cluster }, (c) => c.releaseUninstalled(`${where.namespace}/${where.release}`))
  }
}

function parseReleaseName(parameter: string): { cluster: string; namespace: string; release: string } | undefined {
  if (!parameter.startsWith(RELEASE_PREFIX)) return undefined
  const [cluster, namespace, release] = parameter.slice(RELEASE_PREFIX.length).split('/')
  return cluster && namespace && release ? { cluster, namespace, release } : undefined
}

function optional(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** The version EKS created by default on the sandbox's date (1.29 for a sandbox that has no date). */
function defaultKubernetesVersion(asOf: string | undefined): string {
  return (asOf && platformView(asOf).eks.versions.find((v) => v.default)?.version) || '1.29'
}
