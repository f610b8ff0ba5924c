// One EKS cluster of the sandbox: its Kubernetes API server and everything EKS and the nodes
// run behind it — kube-controller-manager's controllers, kube-scheduler, the kubelets of the
// nodes, the managed node groups, the add-ons, and the Helm releases recorded for it.

import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2'
import type { Clock } from '../runtime/clock.ts'
import { countBusy } from '../runtime/busy-clients.ts'
import type { KubeObject } from '../kube/json.ts'
import { crdName, type CrdSpec } from '../kube/crds/definitions.ts'
import { PodLogs, type ContainerLogDump } from '../kube/pod-logs.ts'
import { startApiServer, type ApiServer } from '../kube/server.ts'
import { Store, type StoreDump } from '../kube/store.ts'
import type { Certificates } from '../kube/tls.ts'
import { DaemonSetController } from './daemonsets.ts'
import { addonObjects, newClusterObjects } from './eks-system.ts'
import { GarbageCollector } from './garbage-collector.ts'
import { Kubelets } from './kubelet.ts'
import { Machines, type MachinesDump } from './machines.ts'
import { applyManifests, deleteManifests } from './manifests.ts'
import { NodeGroups, type NodeGroupDump, type NodeGroupHook, type NodeShape } from './nodegroups.ts'
import { Scheduler } from './scheduler.ts'
import { DeploymentController, ReplicaSetController } from './workloads.ts'

export interface AwsAccess {
  endpoint: string
  region: string
  accessKeyId: string
  secretAccessKey: string
}

export interface SandboxClusterOptions {
  name: string
  kubernetesVersion: string
  aws: AwsAccess
  tls: Certificates
  clock: Clock
  log: (line: string) => void
  /** The capacity and allocatable of a managed node group's node. */
  nodeShape: NodeShape
}

/** A Helm release the cluster runs (the sandbox plays Helm for the charts it knows). */
export interface HelmRelease {
  chart: string
  version: string
  namespace: string
  values: Record<string, unknown>
}

/** A chart the sandbox can install: its objects, and what runs once they are in. */
export interface ChartRuntime {
  stop(): Promise<void>
}
export type ChartInstaller = (cluster: SandboxCluster, release: HelmRelease) => Promise<ChartRuntime>
/** What a release puts into the cluster: the chart's CRDs, its rendered objects, its runtime. */
export interface ReleaseContents {
  crds: CrdSpec[]
  objects: () => KubeObject[]
  install: ChartInstaller
}

/** Everything a cluster is, as a snapshot saves it (plain JSON): sandbox/snapshot/ writes it to clusters/<name>.json. */
export interface ClusterDump {
  name: string
  kubernetesVersion: string
  /** The API server's port (restored when it is free, so kubeconfigs written before stay valid). */
  apiPort: number
  endpoint: string
  /** The CA and server certificate: kubeconfigs and DescribeCluster's CA stay valid. */
  tls: Certificates
  store: StoreDump
  podLogs: ContainerLogDump[]
  nodeGroups: NodeGroupDump[]
  machines: MachinesDump
  addons: [string, KubeObject[]][]
  releases: { key: string; release: HelmRelease; objects: KubeObject[] }[]
}

/** How a restored cluster gets a release's chart again (cluster-host.ts resolves it through charts.ts). */
export type ReleaseResolver = (release: HelmRelease) => ReleaseContents

export class SandboxCluster {
  readonly name: string
  readonly kubernetesVersion: string
  readonly store: Store
  readonly podLogs = new PodLogs()
  readonly clock: Clock
  readonly log: (line: string) => void
  readonly aws: AwsAccess
  readonly ec2: EC2Client
  readonly machines: Machines
  readonly nodeGroups: NodeGroups
  private readonly controllers: { start(): void; stop(): void }[]
  private readonly gc: GarbageCollector
  private api?: ApiServer
  private readonly addons = new Map<string, KubeObject[]>()
  private readonly releases = new Map<string, { release: HelmRelease; objects: KubeObject[]; runtime?: ChartRuntime }>()
  private readonly tls: Certificates

  private constructor(options: SandboxClusterOptions, store?: { dump: StoreDump; crdCatalog: CrdSpec[] }) {
    this.name = options.name
    this.kubernetesVersion = options.kubernetesVersion
    this.clock = options.clock
    this.log = (line) => options.log(`[${options.name}] ${line}`)
    this.aws = options.aws
    this.tls = options.tls
    const tutorialNow = () => this.clock.tutorialNow()
    this.store = store ? Store.load(store.dump, { tutorialNow, crdCatalog: store.crdCatalog }) : new Store({ tutorialNow })
    this.ec2 = countBusy(
      new EC2Client({
        region: options.aws.region,
        endpoint: options.aws.endpoint,
        credentials: { accessKeyId: options.aws.accessKeyId, secretAccessKey: options.aws.secretAccessKey },
      }),
      this.clock,
    )
    this.gc = new GarbageCollector(this.store)
    this.machines = new Machines(this.store, this.clock, this.log)
    this.nodeGroups = new NodeGroups({
      ec2: this.ec2,
      store: this.store,
      machines: this.machines,
      clock: this.clock,
      log: this.log,
      cluster: { name: this.name, region: options.aws.region, kubernetesVersion: this.kubernetesVersion },
      nodeShape: options.nodeShape,
    })
    this.controllers = [
      new ReplicaSetController(this.store, this.clock, this.log),
      new DeploymentController(this.store, this.clock, this.log),
      new DaemonSetController(this.store, this.clock, this.log),
      new Scheduler(this.store, this.clock, this.log),
      new Kubelets(this.store, this.clock, this.log),
    ]
  }

  /** Creates the cluster as EKS does: API server up, self-managed add-ons in kube-system. */
  static async start(options: SandboxClusterOptions): Promise<SandboxCluster> {
    const cluster = new SandboxCluster(options)
    cluster.gc.start()
    for (const c of cluster.controllers) c.start()
    cluster.api = await cluster.serve(options)
    applyManifests(cluster.store, newClusterObjects(options.aws.region, options.name, options.kubernetesVersion), 'eks')
    cluster.log(`API server ${cluster.api.url} (Kubernetes ${options.kubernetesVersion})`)
    return cluster
  }

  /**
   * Rebuilds a cluster from its dump on a running sandbox: the same objects, TLS material and
   * (when free) port; the controllers start over the restored store; node groups, add-ons and
   * releases are taken up as they were, machines EC2 reports running resume booting, and each
   * release's runtime starts anew (the Karpenter twin elects a leader again, its pods' logs go on).
   */
  static async restore(options: SandboxClusterOptions, dump: ClusterDump, resolve: ReleaseResolver): Promise<SandboxCluster> {
    const charts = dump.releases.map((r) => ({ ...r, contents: resolve(r.release) }))
    const cluster = new SandboxCluster(options, { dump: dump.store, crdCatalog: charts.flatMap((c) => c.contents.crds) })
    cluster.podLogs.load(dump.podLogs)
    cluster.gc.start()
    for (const c of cluster.controllers) c.start()
    const serve = (port: number) => cluster.serve(options, port)
    try {
      cluster.api = await serve(dump.apiPort)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error
      cluster.api = await serve(0)
      cluster.log(`port ${dump.apiPort} is taken: API server moved to ${cluster.api.url}`)
    }
    cluster.nodeGroups.restore(dump.nodeGroups)
    for (const [name, objects] of dump.addons) cluster.addons.set(name, objects)
    cluster.machines.resume(dump.machines, await cluster.runningInstances())
    for (const { key, release, objects, contents } of charts) {
      const runtime = await contents.install(cluster, release)
      cluster.releases.set(key, { release, objects, runtime })
      cluster.log(`helm release ${key}: ${release.chart} ${release.version} running again`)
    }
    cluster.log(`API server ${cluster.api.url} (Kubernetes ${options.kubernetesVersion}), restored at resourceVersion ${cluster.store.resourceVersion}`)
    return cluster
  }

  /** The cluster's API server on its store and pod logs (port 0: a free one). */
  private serve(options: SandboxClusterOptions, port?: number): Promise<ApiServer> {
    return startApiServer({
      store: this.store,
      podLogs: this.podLogs,
      clusterName: options.name,
      kubernetesVersion: options.kubernetesVersion,
      credentials: new Map([[options.aws.accessKeyId, options.aws.secretAccessKey]]),
      awsEndpointHost: new URL(options.aws.endpoint).host,
      tls: options.tls,
      port,
    })
  }

  /** The cluster as a snapshot keeps it (take it while the clock is held). */
  dump(): ClusterDump {
    return {
      name: this.name,
      kubernetesVersion: this.kubernetesVersion,
      apiPort: this.api!.port,
      endpoint: this.endpoint,
      tls: this.tls,
      store: this.store.dump(),
      podLogs: this.podLogs.dump(),
      nodeGroups: this.nodeGroups.dump(),
      machines: this.machines.dump(),
      addons: [...this.addons].map(([name, objects]) => [name, structuredClone(objects)]),
      releases: [...this.releases].map(([key, r]) => ({ key, release: structuredClone(r.release), objects: structuredClone(r.objects) })),
    }
  }

  /** Instance ids EC2 (moto) reports pending or running. */
  private async runningInstances(): Promise<Set<string>> {
    const ids = new Set<string>()
    let token: string | undefined
    do {
      const out = await this.ec2.send(
        new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['pending', 'running'] }], NextToken: token }),
      )
      for (const r of out.Reservations ?? []) for (const i of r.Instances ?? []) if (i.InstanceId) ids.add(i.InstanceId)
      token = out.NextToken
    } while (token)
    return ids
  }

  get endpoint(): string {
    return this.api!.url
  }

  get caPem(): string {
    return this.api!.caPem
  }

  async nodeGroupCreated(body: NodeGroupHook): Promise<void> {
    await this.nodeGroups.created(body)
  }

  async nodeGroupUpdated(body: NodeGroupHook): Promise<void> {
    await this.nodeGroups.updated(body)
  }

  async nodeGroupDeleted(name: string): Promise<void> {
    await this.nodeGroups.deleted(name)
  }

  /** An EKS add-on was created or updated: EKS applies its manifests (and adopts what exists). */
  addonApplied(name: string, version: string, configurationValues?: string, serviceAccountRoleArn?: string): void {
    const objects = addonObjects(name, this.aws.region, version, configurationValues, serviceAccountRoleArn)
    if (objects.length === 0) return this.log(`add-on ${name}: nothing to install in the sandbox`)
    applyManifests(this.store, objects, 'eks')
    this.addons.set(name, objects)
    this.log(`add-on ${name} ${version} applied`)
  }

  addonDeleted(name: string): void {
    const objects = this.addons.get(name)
    if (!objects) return
    deleteManifests(this.store, objects)
    this.addons.delete(name)
    this.log(`add-on ${name} removed`)
  }

  /**
   * Installs a release as Helm does: first the chart's CRDs the cluster lacks (crds/ directory:
   * never upgraded, never deleted with the release), then its objects, then what runs.
   */
  async releaseInstalled(key: string, release: HelmRelease, chart: ReleaseContents): Promise<void> {
    await this.releaseUninstalled(key)
    for (const crd of chart.crds) {
      const name = crdName(crd)
      if (this.store.hasCrd(name)) this.log(`helm release ${key}: CRD ${name} exists; left as it is (Helm does not upgrade a chart's crds/)`)
      else this.store.installCrd(crd)
    }
    const manifests = chart.objects()
    applyManifests(this.store, manifests, 'helm')
    const runtime = await chart.install(this, release)
    this.releases.set(key, { release, objects: manifests, runtime })
    this.log(`helm release ${key}: ${release.chart} ${release.version} installed`)
  }

  async releaseUninstalled(key: string): Promise<void> {
    const release = this.releases.get(key)
    if (!release) return
    this.releases.delete(key)
    await release.runtime?.stop()
    deleteManifests(this.store, release.objects)
    this.log(`helm release ${key} uninstalled`)
  }

  async close(): Promise<void> {
    for (const key of [...this.releases.keys()]) {
      await this.releases.get(key)?.runtime?.stop()
      this.releases.delete(key)
    }
    this.machines.stop()
    for (const c of this.controllers) c.stop()
    this.gc.stop()
    await this.api?.close()
    this.ec2.destroy()
  }
}
