// The platform of one date, as spotcheck's code reads it. `fixtures/platform.yaml` holds the dated
// facts (each row with its source); `platformView(asOf)` (platform/index.ts) turns them into this
// view of a single day. Three readers share it:
//   - the sandbox, whose AWS answers as AWS did that day (moto reads the view as JSON from the
//     file named by SPOTCHECK_PLATFORM_FILE);
//   - the suite's preflight, which judges an edition against it (tutorial drift);
//   - `spotcheck platform [--as-of] [--json]`, which prints it.
// Dates are ISO calendar days (YYYY-MM-DD), compared as strings; a fact dated D holds from D on.

/** Where a fact comes from: a document title and URL, or a repository, tag and file. */
type Source = string

export type EksSupportStatus = 'STANDARD_SUPPORT' | 'EXTENDED_SUPPORT' | 'UNSUPPORTED'

export interface EksVersionView {
  /** Kubernetes minor version, e.g. "1.29". */
  version: string
  releaseDate: string
  endOfStandardSupport: string
  endOfExtendedSupport: string
  /** On asOf. UNSUPPORTED once extended support has ended. */
  status: EksSupportStatus
  /** A new cluster of this version can be created on asOf (released, extended support not ended). */
  offered: boolean
  /** The version CreateCluster picks when none is given (the newest in standard support). */
  default: boolean
  source: Source
  /** What the source leaves unconfirmed, if anything. */
  note?: string
}

/** EKS-optimized AMI families: which exist for which Kubernetes versions on asOf. */
export type NodeImageFamily = 'AL2' | 'AL2023'

export interface NodeImageView {
  kubernetesVersion: string
  /** Families EKS has published for this version by asOf. */
  families: NodeImageFamily[]
  /**
   * The public SSM parameter paths that exist on asOf for this version (only `…/image_id`
   * leaves; moto derives release_version and image_name beside them), e.g.
   * /aws/service/eks/optimized-ami/1.29/amazon-linux-2/recommended/image_id
   * /aws/service/eks/optimized-ami/1.35/amazon-linux-2023/x86_64/standard/recommended/image_id
   */
  ssmParameters: string[]
}

export interface KarpenterReleaseView {
  /** The release tag of aws/karpenter-provider-aws, e.g. "v0.32.1", "v1.9.2". */
  version: string
  /** The Helm chart version, as `helm install --version` takes it: "v0.32.1", "v0.33.0", "0.35.0", "1.9.2". */
  chartVersion: string
  /** The chart's OCI reference. */
  chart: string
  released: string
  /** Kubernetes minor versions it supports (Karpenter's compatibility matrix), inclusive. */
  minKubernetes: string
  maxKubernetes: string
  /** API versions its CRDs serve, e.g. ["karpenter.sh/v1beta1", "karpenter.k8s.aws/v1beta1"]. */
  apiVersions: string[]
  /** Support of this minor line ends (when known), e.g. the 1.9 LTS line: 2027-02. */
  supportedUntil?: string
  lts?: boolean
  source: Source
  note?: string
}

/** A Terraform provider or module the tutorial's main.tf meets, with the breaking major of asOf. */
export interface TerraformDependencyView {
  /** e.g. "hashicorp/helm" or "aws-ia/eks-blueprints-addons/aws". */
  name: string
  kind: 'provider' | 'module'
  /** The constraint the tutorial's main.tf writes, e.g. ">= 2.4.1". */
  tutorialConstraint: string
  /** The newest version released by asOf that the constraint admits. */
  resolvesTo: string
  /** Whether that resolution breaks the tutorial's file, and why (undefined: it does not). */
  breaks?: { since: string; what: string }
  /**
   * Releases out by asOf that start a new major or otherwise break something, whether or not the
   * tutorial's constraint reaches them (`breaksTutorial`), e.g. eks-blueprints-addons 1.24.0.
   */
  breakingReleases?: { version: string; released: string; what: string; breaksTutorial: boolean }[]
  source: Source
  note?: string
}

/** An AMI family as a whole on asOf: published yet, and its own end of support. */
export interface NodeImageFamilyView {
  family: NodeImageFamily
  publishedFrom: string
  /** False before publishedFrom. */
  published: boolean
  minKubernetes: string
  /** No AMI of the family for later versions (AL2: 1.32). */
  maxKubernetes?: string
  endOfSupport?: string
  /** False once endOfSupport has passed (AMIs and parameters stay, but get no updates). */
  supported: boolean
  source: Source
  note?: string
}

export interface PlatformView {
  asOf: string
  eks: { versions: EksVersionView[] }
  nodeImages: NodeImageView[]
  /** The families themselves (optional: added after the first readers). */
  nodeImageFamilies?: NodeImageFamilyView[]
  karpenter: { releases: KarpenterReleaseView[] }
  cloud9: { openToNewCustomers: boolean; closedToNewCustomersOn: string; source: Source }
  terraform: TerraformDependencyView[]
  /** What the `current` edition runs on asOf. */
  current: {
    kubernetesVersion: string
    karpenterChartVersion: string
    nodeImageFamily: NodeImageFamily
    /** Set when the rule had to fall back, e.g. no Karpenter release supported the version yet. */
    note?: string
  }
}
