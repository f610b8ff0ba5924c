// Karpenter's AWS providers, calling the sandbox's EC2/SSM/IAM through the AWS SDK exactly as
// the real controller calls AWS: availability zones, the instance type catalog
// (DescribeInstanceTypes + DescribeInstanceTypeOfferings) with On-Demand prices from the price
// table and Spot prices from DescribeSpotPriceHistory, subnets and security groups found by the
// EC2NodeClass's selector terms, the EKS-optimized AMIs from their public SSM parameters, the
// instance profile for the node role, launch templates, CreateFleet, tagging, termination.

import {
  CreateFleetCommand,
  CreateLaunchTemplateCommand,
  CreateTagsCommand,
  DescribeAvailabilityZonesCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeInstanceTypesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSpotPriceHistoryCommand,
  DescribeSubnetsCommand,
  TerminateInstancesCommand,
  type CreateFleetCommandInput,
  type CreateFleetCommandOutput,
  type Filter,
  type InstanceTypeInfo,
  type InstanceTypeOffering,
  type SecurityGroup,
  type DescribeInstanceTypeOfferingsCommandOutput,
  type DescribeInstanceTypesCommandOutput,
  type DescribeSpotPriceHistoryCommandOutput,
  type SpotPrice,
  type Subnet,
} from '@aws-sdk/client-ec2'
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  DeleteInstanceProfileCommand,
  GetInstanceProfileCommand,
  IAMClient,
  NoSuchEntityException,
  RemoveRoleFromInstanceProfileCommand,
} from '@aws-sdk/client-iam'
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { EC2NodeClass, KubeletConfiguration, SelectorTerm } from '../api.ts'
import {
  buildInstanceTypes,
  V1_INSTANCE_TYPE_SETTINGS,
  DESCRIBE_INSTANCE_TYPES_FILTERS,
  onDemandPricesFor,
  passesDescribeFilters,
  spotPricesFromHistory,
  zonesByInstanceType,
  type InstanceType,
} from '../instance-types.ts'
import type { AmiIds, LaunchTemplatePlan } from '../launch.ts'
import { pruneUnavailable } from '../unavailable-offerings.ts'
import { countBusy } from '../../runtime/busy-clients.ts'
import { onDemandPriceFile } from '../../../platform/on-demand-prices.ts'
import type { KarpenterContext } from './context.ts'

const data = (file: string) => JSON.parse(readFileSync(fileURLToPath(new URL(file, import.meta.url)), 'utf8')) as unknown
const priceFile = onDemandPriceFile()
const branchInterfaces = (data('../data/branch-interfaces.json') as { branchInterfaces: Record<string, number> }).branchInterfaces

/** Catalog caches live 5 minutes in Karpenter (instance types, offerings); Spot prices refresh on a timer. */
const CATALOG_TTL_MS = 5 * 60_000

export class Cloud {
  private readonly ctx: KarpenterContext
  private readonly ssm: SSMClient
  private readonly iam: IAMClient
  private catalog?: { at: number; infos: InstanceTypeInfo[]; typeZones: Map<string, Set<string>>; zones: string[] }
  private spot?: Record<string, Record<string, number>>
  /** Bumped whenever the Spot prices are refreshed: instance types built before are stale. */
  private spotVersion = 0
  /**
   * The instance types built per (catalog, prices, unavailable offerings, EC2NodeClass, zones,
   * kubelet) — the instance type provider's cache (aws pkg/providers/instancetype): every
   * provisioning round, launch and consolidation simulation asks for them, and building ~1,250
   * types each time would cost a tenth of a second per NodePool.
   */
  private readonly typeCache = new Map<string, InstanceType[]>()
  private readonly launchTemplates = new Map<string, string>()
  private readonly launchTemplatesInFlight = new Map<string, Promise<{ id: string; created: boolean }>>()

  constructor(ctx: KarpenterContext) {
    this.ctx = ctx
    const aws = ctx.cluster.aws
    const config = { region: aws.region, endpoint: aws.endpoint, credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey } }
    this.ssm = countBusy(new SSMClient(config), ctx.clock)
    this.iam = countBusy(new IAMClient(config), ctx.clock)
  }

  get region(): string {
    return this.ctx.cluster.aws.region
  }

  destroy(): void {
    this.ssm.destroy()
    this.iam.destroy()
  }

  /** DescribeAvailabilityZones, DescribeInstanceTypes and offerings, cached for 5 minutes of tutorial time. */
  async refreshCatalog(force = false): Promise<void> {
    const now = this.ctx.clock.simulated()
    if (!force && this.catalog && now - this.catalog.at < CATALOG_TTL_MS) return
    const zones = (
      (await this.ctx.ec2.send(new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'zone-type', Values: ['availability-zone'] }] }))).AvailabilityZones ??
      []
    )
      .map((z) => z.ZoneName!)
      .sort()
    const infos: InstanceTypeInfo[] = []
    let token: string | undefined
    do {
      const page: DescribeInstanceTypesCommandOutput = await this.ctx.ec2.send(
        new DescribeInstanceTypesCommand({ Filters: DESCRIBE_INSTANCE_TYPES_FILTERS, NextToken: token, MaxResults: 100 }),
      )
      infos.push(...(page.InstanceTypes ?? []).filter(passesDescribeFilters))
      token = page.NextToken
    } while (token)
    const offerings: InstanceTypeOffering[] = []
    token = undefined
    do {
      const page: DescribeInstanceTypeOfferingsCommandOutput = await this.ctx.ec2.send(
        new DescribeInstanceTypeOfferingsCommand({ LocationType: 'availability-zone', NextToken: token, MaxResults: 1000 }),
      )
      offerings.push(...(page.InstanceTypeOfferings ?? []))
      token = page.NextToken
    } while (token)
    this.catalog = { at: now, infos, typeZones: zonesByInstanceType(offerings), zones }
    if (!this.spot) await this.refreshSpotPrices()
  }

  /** DescribeSpotPriceHistory: the latest price per type and zone (pricing controller). */
  async refreshSpotPrices(): Promise<{ types: number; offerings: number }> {
    const history: SpotPrice[] = []
    let token: string | undefined
    do {
      const page: DescribeSpotPriceHistoryCommandOutput = await this.ctx.ec2.send(
        new DescribeSpotPriceHistoryCommand({
          ProductDescriptions: ['Linux/UNIX', 'Linux/UNIX (Amazon VPC)'],
          StartTime: new Date(),
          NextToken: token,
          MaxResults: 1000,
        }),
      )
      history.push(...(page.SpotPriceHistory ?? []))
      token = page.NextToken
    } while (token)
    this.spot = spotPricesFromHistory(history)
    this.spotVersion++
    const types = Object.keys(this.spot).length
    return { types, offerings: Object.values(this.spot).reduce((n, z) => n + Object.keys(z).length, 0) }
  }

  get zones(): string[] {
    return this.catalog?.zones ?? []
  }

  get instanceTypeCount(): number {
    return this.catalog?.infos.length ?? 0
  }

  /** The instance types of a NodePool: its EC2NodeClass's subnet zones, its kubelet settings. */
  async instanceTypes(nodeClass: EC2NodeClass, subnets: readonly Subnet[], kubelet: KubeletConfiguration | undefined): Promise<InstanceType[]> {
    await this.refreshCatalog()
    const c = this.catalog!
    const nowMs = this.ctx.clock.simulated()
    // An offering whose ICE mark expired is available again (go-cache's eviction bumps SeqNum).
    if (pruneUnavailable(this.ctx.unavailable, nowMs) > 0) this.ctx.unavailable.seq++
    const subnetZones = [...new Set(subnets.map((s) => s.AvailabilityZone!))]
    const nodeClassOptions = {
      amiFamily: nodeClass.spec.amiFamily,
      blockDeviceMappings: nodeClass.spec.blockDeviceMappings,
      instanceStorePolicy: nodeClass.spec.instanceStorePolicy,
    }
    const key = JSON.stringify([c.at, this.spotVersion, this.ctx.unavailable.seq, nodeClassOptions, subnetZones, kubelet ?? null])
    const cached = this.typeCache.get(key)
    if (cached) return cached
    const types = buildInstanceTypes(c.infos, c.typeZones, {
      region: this.region,
      zones: c.zones,
      subnetZones,
      prices: { onDemand: onDemandPricesFor(priceFile, this.region), spot: this.spot },
      nodeClass: nodeClassOptions,
      kubelet,
      settings: this.ctx.twin.line === 'v1' ? V1_INSTANCE_TYPE_SETTINGS : undefined,
      branchInterfaces,
      unavailable: this.ctx.unavailable,
      nowMs,
    })
    // Entries of older catalogs, prices or ICE marks are never asked for again.
    if (this.typeCache.size >= 64) this.typeCache.clear()
    this.typeCache.set(key, types)
    return types
  }

  async subnets(nodeClass: EC2NodeClass): Promise<Subnet[]> {
    const found = new Map<string, Subnet>()
    for (const term of nodeClass.spec.subnetSelectorTerms ?? []) {
      const out = await this.ctx.ec2.send(new DescribeSubnetsCommand(selectorQuery(term, 'subnet-id')))
      for (const s of out.Subnets ?? []) found.set(s.SubnetId!, s)
    }
    return [...found.values()].sort(
      (a, b) => String(a.AvailabilityZone).localeCompare(String(b.AvailabilityZone)) || String(a.SubnetId).localeCompare(String(b.SubnetId)),
    )
  }

  async securityGroups(nodeClass: EC2NodeClass): Promise<SecurityGroup[]> {
    const found = new Map<string, SecurityGroup>()
    for (const term of nodeClass.spec.securityGroupSelectorTerms ?? []) {
      const query = term.name ? { Filters: [{ Name: 'group-name', Values: [term.name] }] } : selectorQuery(term, 'group-id')
      const out = await this.ctx.ec2.send(new DescribeSecurityGroupsCommand(query))
      for (const g of out.SecurityGroups ?? []) found.set(g.GroupId!, g)
    }
    return [...found.values()].sort((a, b) => String(a.GroupId).localeCompare(String(b.GroupId)))
  }

  /** The AL2 EKS-optimized AMIs, from their public SSM parameters (amiSelectorTerms are not modelled). */
  async amis(kubernetesVersion: string): Promise<AmiIds> {
    const get = async (name: string) => {
      try {
        return (await this.ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value
      } catch {
        return undefined
      }
    }
    const base = `/aws/service/eks/optimized-ami/${kubernetesVersion}`
    return {
      amd64: await get(`${base}/amazon-linux-2/recommended/image_id`),
      arm64: await get(`${base}/amazon-linux-2-arm64/recommended/image_id`),
      gpu: await get(`${base}/amazon-linux-2-gpu/recommended/image_id`),
    } as AmiIds
  }

  /**
   * The 1.x AMI query for an alias (amifamily/ami.go DescribeImageQueries + amis): the SSM
   * parameters that exist, then DescribeImages of their ids. Missing parameters are skipped, as
   * Karpenter skips them; none at all is "failed to discover any AMIs for alias".
   */
  async aliasImages(parameters: readonly { path: string; variants: string[] }[]): Promise<{
    known: Map<string, string[]>
    images: { id: string; name?: string; architecture?: string; creationDate?: string; deprecationTime?: string }[]
  }> {
    const known = new Map<string, string[]>()
    for (const p of parameters) {
      try {
        const id = (await this.ssm.send(new GetParameterCommand({ Name: p.path }))).Parameter?.Value
        if (id) known.set(id, [...(known.get(id) ?? []), ...p.variants])
      } catch {
        // ParameterNotFound: that variant has no AMI for this version.
      }
    }
    if (known.size === 0) return { known, images: [] }
    const out = await this.ctx.ec2.send(
      new DescribeImagesCommand({
        Filters: [
          { Name: 'image-id', Values: [...known.keys()] },
          { Name: 'state', Values: ['available'] },
        ],
        IncludeDeprecated: true,
      }),
    )
    const images = (out.Images ?? []).map((i) => ({
      id: i.ImageId!,
      name: i.Name,
      architecture: i.Architecture,
      creationDate: i.CreationDate,
      deprecationTime: i.DeprecationTime,
    }))
    return { known, images }
  }

  /** The role an instance profile holds, or undefined when the profile does not exist. */
  async instanceProfileRole(name: string): Promise<string | undefined> {
    try {
      return (await this.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }))).InstanceProfile?.Roles?.[0]?.RoleName ?? ''
    } catch (error) {
      if (error instanceof NoSuchEntityException || (error as { name?: string }).name === 'NoSuchEntity') return undefined
      throw error
    }
  }

  /** 1.x instanceprofile.go Create: a profile with the EC2NodeClass's tags, holding its role. */
  async createInstanceProfile(name: string, role: string, tags: Record<string, string>): Promise<void> {
    await this.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: name, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }))
    await this.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: name, RoleName: role }))
  }

  /** Removes the role and deletes the profile (missing ones are fine: it may be gone already). */
  async deleteInstanceProfile(name: string, role: string): Promise<void> {
    await this.iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: name, RoleName: role })).catch(() => undefined)
    await this.iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: name })).catch(() => undefined)
  }

  /** The instance's subnet and security groups (drift checks). */
  async instanceNetwork(instanceId: string): Promise<{ subnetId?: string; securityGroupIds: string[] } | undefined> {
    try {
      const i = (await this.ctx.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations?.[0]?.Instances?.[0]
      return i ? { subnetId: i.SubnetId, securityGroupIds: (i.SecurityGroups ?? []).map((g) => g.GroupId!) } : undefined
    } catch {
      return undefined
    }
  }

  /** v0.32 creates one instance profile per (cluster, region, role): `<cluster>_<hash>`. */
  async instanceProfile(role: string): Promise<string> {
    const hash = BigInt(`0x${createHash('sha256').update(`${this.region}/${role}`).digest('hex').slice(0, 15)}`).toString()
    const name = `${this.ctx.settings.clusterName}_${hash}`
    try {
      await this.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }))
      return name
    } catch (error) {
      if (!(error instanceof NoSuchEntityException) && (error as { name?: string }).name !== 'NoSuchEntity') throw error
    }
    await this.iam.send(
      new CreateInstanceProfileCommand({
        InstanceProfileName: name,
        Tags: [
          { Key: `kubernetes.io/cluster/${this.ctx.settings.clusterName}`, Value: 'owned' },
          { Key: 'karpenter.sh/managed-by', Value: this.ctx.settings.clusterName },
          { Key: 'topology.kubernetes.io/region', Value: this.region },
        ],
      }),
    )
    await this.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: name, RoleName: role }))
    return name
  }

  /** Creates the launch template when missing; returns its id and whether it was created. */
  async ensureLaunchTemplate(
    plan: LaunchTemplatePlan,
    nodeClass: EC2NodeClass,
    securityGroups: readonly string[],
    instanceProfile: string | undefined,
    tags: Record<string, string>,
  ): Promise<{ id: string; created: boolean }> {
    const known = this.launchTemplates.get(plan.name)
    if (known) return { id: known, created: false }
    // Launches run concurrently; the provider holds a lock around EnsureAll, so a template is
    // created once and the other launches that need it wait for it.
    const pending = this.launchTemplatesInFlight.get(plan.name)
    if (pending) return { id: (await pending).id, created: false }
    const work = this.createLaunchTemplate(plan, nodeClass, securityGroups, instanceProfile, tags)
    this.launchTemplatesInFlight.set(plan.name, work)
    try {
      return await work
    } finally {
      this.launchTemplatesInFlight.delete(plan.name)
    }
  }

  private async createLaunchTemplate(
    plan: LaunchTemplatePlan,
    nodeClass: EC2NodeClass,
    securityGroups: readonly string[],
    instanceProfile: string | undefined,
    tags: Record<string, string>,
  ): Promise<{ id: string; created: boolean }> {
    try {
      const out = await this.ctx.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: [plan.name] }))
      const id = out.LaunchTemplates?.[0]?.LaunchTemplateId
      if (id) {
        this.launchTemplates.set(plan.name, id)
        return { id, created: false }
      }
    } catch {
      // not found: create it
    }
    const out = await this.ctx.ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: plan.name,
        LaunchTemplateData: {
          ImageId: plan.imageId,
          UserData: Buffer.from(plan.userData).toString('base64'),
          SecurityGroupIds: [...securityGroups],
          IamInstanceProfile: instanceProfile ? { Name: instanceProfile } : undefined,
          MetadataOptions: plan.metadataOptions,
          BlockDeviceMappings: plan.blockDeviceMappings,
          TagSpecifications: [
            { ResourceType: 'instance', Tags: Object.entries({ ...(nodeClass.spec.tags ?? {}), ...tags }).map(([Key, Value]) => ({ Key, Value })) },
          ],
        },
        TagSpecifications: [{ ResourceType: 'launch-template', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }],
      }),
    )
    const id = out.LaunchTemplate!.LaunchTemplateId!
    this.launchTemplates.set(plan.name, id)
    return { id, created: true }
  }

  createFleet(input: CreateFleetCommandInput): Promise<CreateFleetCommandOutput> {
    return this.ctx.ec2.send(new CreateFleetCommand(input))
  }

  async describeInstance(instanceId: string): Promise<{ privateIp: string; privateDnsName: string; state: string; architecture: string } | undefined> {
    try {
      const out = await this.ctx.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))
      const i = out.Reservations?.[0]?.Instances?.[0]
      if (!i) return undefined
      return { privateIp: i.PrivateIpAddress!, privateDnsName: i.PrivateDnsName!, state: i.State?.Name ?? '', architecture: i.Architecture ?? 'x86_64' }
    } catch {
      return undefined
    }
  }

  async instanceStates(instanceIds: readonly string[]): Promise<Map<string, string>> {
    const states = new Map<string, string>()
    if (instanceIds.length === 0) return states
    const out = await this.ctx.ec2.send(new DescribeInstancesCommand({ InstanceIds: [...instanceIds] }))
    for (const r of out.Reservations ?? []) for (const i of r.Instances ?? []) states.set(i.InstanceId!, i.State?.Name ?? '')
    return states
  }

  async tag(instanceId: string, tags: Record<string, string>): Promise<void> {
    await this.ctx.ec2.send(new CreateTagsCommand({ Resources: [instanceId], Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }))
  }

  async terminate(instanceId: string): Promise<void> {
    try {
      await this.ctx.ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }))
    } catch (error) {
      if (!/InvalidInstanceID/.test((error as Error).name + (error as Error).message)) throw error
    }
  }
}

/** Selector terms as EC2 filters: `tags` (a `*` value means "has the key"), or `id`. */
function selectorQuery(term: SelectorTerm, idFilter: string): { Filters: Filter[] } {
  const filters: Filter[] = []
  if (term.id) filters.push({ Name: idFilter, Values: [term.id] })
  for (const [key, value] of Object.entries(term.tags ?? {})) {
    filters.push(value === '*' ? { Name: 'tag-key', Values: [key] } : { Name: `tag:${key}`, Values: [value] })
  }
  return { Filters: filters }
}
