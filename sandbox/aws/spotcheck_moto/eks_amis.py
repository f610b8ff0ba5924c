"""The EKS-optimized AMIs and the public SSM parameters that name them, as they were on the date.

Karpenter and EKS managed node groups find the EKS-optimized AMI of a Kubernetes version through
AWS's public parameters, e.g.
``/aws/service/eks/optimized-ami/1.29/amazon-linux-2-arm64/recommended/image_id`` (Amazon Linux 2)
or ``/aws/service/eks/optimized-ami/1.35/amazon-linux-2023/x86_64/standard/recommended/image_id``
(AL2023), then read the image with DescribeImages. moto has neither, so this module serves both:
the parameters load lazily (like moto's own ``/aws/service`` trees), each with its
``release_version`` and ``image_name`` siblings, and each named image exists in EC2, owned by
Amazon, with a stable id per region, version and variant. The ids are the sandbox's own, not AWS's.

AL2023 images are also named by release (``…/amazon-linux-2023/x86_64/standard/
amazon-eks-node-al2023-x86_64-standard-1.35-v20261206/image_id``), the path a pinned Karpenter alias
(``al2023@v20261206``) reads; the sandbox publishes one release, the day's.

Which parameters exist is the platform view's (platform.py): a version's published families
(``nodeImages[].families``) bring their standard variants, and ``nodeImages[].ssmParameters``
names the ``…/image_id`` paths; a path in neither answers ``ParameterNotFound`` as SSM does (no
AL2 image for 1.33 and later: "Amazon EKS ends support for AL2 AMIs", EKS user guide). Without a
view the sandbox serves the AL2 parameters of 1.23–1.33, as it did before it knew dates.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from moto.ec2.models import ec2_backends
from moto.ec2.models.amis import Ami
from moto.ssm.models import Parameter, ParameterDict

from . import platform

PREFIX = "/aws/service/eks/optimized-ami/"
#: Without a platform view: the AL2 versions the sandbox has always served.
UNDATED_VERSIONS = [f"1.{minor}" for minor in range(23, 34)]
#: Without a platform view: the AMI release of the tutorial's date.
UNDATED_RELEASE_DAY = "2024-01-29"
AMAZON_OWNER = "602401143452"


@dataclass(frozen=True)
class Variant:
    family: str
    #: The parameter path segment(s) between the version and /recommended.
    path: str
    architecture: str
    #: The AMI name, with {version} and {release} (vYYYYMMDD).
    name: str
    description: str


VARIANTS = [
    Variant("AL2", "amazon-linux-2", "x86_64", "amazon-eks-node-{version}-{release}", "EKS Kubernetes Worker AMI with AmazonLinux2 image"),
    Variant("AL2", "amazon-linux-2-arm64", "arm64", "amazon-eks-arm64-node-{version}-{release}", "EKS Kubernetes Worker AMI with AmazonLinux2 image (arm64)"),
    Variant("AL2", "amazon-linux-2-gpu", "x86_64", "amazon-eks-gpu-node-{version}-{release}", "EKS Kubernetes Worker AMI with AmazonLinux2 image, (k8s: GPU)"),
    Variant("AL2023", "amazon-linux-2023/x86_64/standard", "x86_64", "amazon-eks-node-al2023-x86_64-standard-{version}-{release}", "EKS-optimized Kubernetes node based on Amazon Linux 2023"),
    Variant("AL2023", "amazon-linux-2023/arm64/standard", "arm64", "amazon-eks-node-al2023-arm64-standard-{version}-{release}", "EKS-optimized Kubernetes node based on Amazon Linux 2023 (arm64)"),
]
_BY_PATH = {v.path: v for v in VARIANTS}


def image_id(region: str, version: str, variant: str) -> str:
    """Stable per region, version and variant path (the AL2 ids are those of spotcheck ≤ 0.x)."""
    digest = hashlib.sha256(f"{region}/{version}/{variant}".encode()).hexdigest()
    return f"ami-0{digest[:16]}"


def parse_path(path: str) -> tuple[str, Variant] | None:
    """``/aws/service/eks/optimized-ami/<v>/<variant>/recommended/image_id`` → (v, variant)."""
    if not path.startswith(PREFIX) or not path.endswith("/recommended/image_id"):
        return None
    rest = path[len(PREFIX) : -len("/recommended/image_id")]
    version, _, variant_path = rest.partition("/")
    variant = _BY_PATH.get(variant_path)
    return (version, variant) if variant else None


def available() -> list[tuple[str, Variant]]:
    """(Kubernetes version, variant) of every image whose parameters exist on the date."""
    view = platform.view()
    if view is None:
        return [(version, v) for version in UNDATED_VERSIONS for v in VARIANTS if v.family == "AL2"]
    out: dict[tuple[str, str], tuple[str, Variant]] = {}
    for image in view["nodeImages"]:
        version = image["kubernetesVersion"]
        for v in VARIANTS:
            if v.family in image.get("families", []):
                out[(version, v.path)] = (version, v)
        for path in image.get("ssmParameters", []):
            parsed = parse_path(path)
            if parsed:
                out[(parsed[0], parsed[1].path)] = parsed
    return sorted(out.values(), key=lambda p: (platform.minor_key(p[0]), p[1].path))


def release_day() -> str:
    """The AMI release the parameters point at: the date's own (the tutorial's: v20240129)."""
    return platform.as_of() or UNDATED_RELEASE_DAY


def _compact(day: str) -> str:
    return day.replace("-", "")


def _parameters(region: str) -> list[tuple[str, str]]:
    day = _compact(release_day())
    out = []
    for version, v in available():
        base = f"{PREFIX}{version}/{v.path}/recommended"
        name = v.name.format(version=version, release=f"v{day}")
        out.append((f"{base}/image_id", image_id(region, version, v.path)))
        out.append((f"{base}/release_version", f"{version}.0-{day}"))
        out.append((f"{base}/image_name", name))
        if v.family == "AL2023":
            # AL2023 releases are also published under their own name, which a pinned Karpenter alias
            # reads: `al2023@v20261206` → …/amazon-linux-2023/x86_64/standard/
            # amazon-eks-node-al2023-x86_64-standard-1.35-v20261206/image_id (aws/karpenter-provider-aws
            # v1.9.2 pkg/providers/amifamily/al2023.go resolvePath). The sandbox has one release: the day's.
            out.append((f"{PREFIX}{version}/{v.path}/{name}/image_id", image_id(region, version, v.path)))
    return out


def _register_images(account_id: str, region: str) -> None:
    backend = ec2_backends[account_id][region]
    day = release_day()
    created = datetime.fromisoformat(day).replace(tzinfo=timezone.utc)
    for version, v in available():
        ami = image_id(region, version, v.path)
        if ami in backend.amis:
            continue
        containerd = "1.7.*" if v.family == "AL2" else "2.*" if platform.minor_key(version) >= (1, 33) else "1.7.*"
        backend.amis[ami] = Ami(
            backend,
            ami_id=ami,
            name=v.name.format(version=version, release=f"v{_compact(day)}"),
            description=f"{v.description}, (k8s: {version}.0, containerd: {containerd})",
            owner_id=AMAZON_OWNER,
            owner_alias="amazon",
            public=True,
            virtualization_type="hvm",
            architecture=v.architecture,
            hypervisor="xen",
            root_device_type="ebs",
            root_device_name="/dev/xvda",
            creation_date=created,
            region_name=region,
            boot_mode="legacy-bios" if v.family == "AL2" and v.architecture == "x86_64" else "uefi-preferred" if v.architecture == "x86_64" else "uefi",
        )


def install() -> None:
    original = ParameterDict._check_loading_status

    def check_loading_status(self: ParameterDict, key: str) -> None:
        original(self, key)
        if str(key or "").startswith(PREFIX) and not getattr(self, "spotcheck_eks_amis_loaded", False):
            self.spotcheck_eks_amis_loaded = True  # type: ignore[attr-defined]
            now = datetime.now(timezone.utc)
            for name, value in _parameters(self.region_name):
                super(ParameterDict, self).__getitem__(name).append(
                    Parameter(
                        account_id=self.account_id,
                        name=name,
                        value=value,
                        parameter_type="String",
                        description=None,
                        allowed_pattern=None,
                        keyid=None,
                        last_modified_date=now,
                        version=1,
                        data_type="aws:ec2:image" if name.endswith("/image_id") else "text",
                    )
                )
            _register_images(self.account_id, self.region_name)

    ParameterDict._check_loading_status = check_loading_status  # type: ignore[method-assign]

    # DescribeImages by id must find the images even before anyone read the parameters.
    from moto.ec2.models.amis import AmiBackend

    original_describe = AmiBackend.describe_images

    def describe_images(self: Any, *args: Any, **kwargs: Any) -> Any:
        _register_images(self.account_id, self.region_name)
        return original_describe(self, *args, **kwargs)

    AmiBackend.describe_images = describe_images  # type: ignore[method-assign]
