"""The EKS-optimized AMIs and the public SSM parameters that name them.

Karpenter (AL2 family) and EKS managed node groups find the EKS-optimized Amazon Linux 2 AMI of
a Kubernetes version through AWS's public parameters, e.g.
``/aws/service/eks/optimized-ami/1.29/amazon-linux-2-arm64/recommended/image_id``, then read its
architecture with DescribeImages. moto has neither, so this module serves both: the parameters
load lazily (like moto's own ``/aws/service`` trees) and each named image exists in EC2, owned by
Amazon, with a stable id per region, version and variant. The ids are the sandbox's own, not AWS's.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any

from moto.ec2.models import ec2_backends
from moto.ec2.models.amis import Ami
from moto.ssm.models import Parameter, ParameterDict

PREFIX = "/aws/service/eks/optimized-ami/"
VERSIONS = [f"1.{minor}" for minor in range(23, 34)]
RELEASE = "v20240129"
VARIANTS = {
    # parameter path segment: (architecture, image name prefix, description)
    "amazon-linux-2": ("x86_64", "amazon-eks-node", "EKS Kubernetes Worker AMI with AmazonLinux2 image"),
    "amazon-linux-2-arm64": ("arm64", "amazon-eks-arm64-node", "EKS Kubernetes Worker AMI with AmazonLinux2 image (arm64)"),
    "amazon-linux-2-gpu": ("x86_64", "amazon-eks-gpu-node", "EKS Kubernetes Worker AMI with AmazonLinux2 image, (k8s: GPU)"),
}
AMAZON_OWNER = "602401143452"


def image_id(region: str, version: str, variant: str) -> str:
    digest = hashlib.sha256(f"{region}/{version}/{variant}".encode()).hexdigest()
    return f"ami-0{digest[:16]}"


def _parameters(region: str) -> list[tuple[str, str]]:
    out = []
    for version in VERSIONS:
        for variant, (_arch, prefix, _desc) in VARIANTS.items():
            base = f"{PREFIX}{version}/{variant}/recommended"
            ami = image_id(region, version, variant)
            out.append((f"{base}/image_id", ami))
            out.append((f"{base}/release_version", f"{version}.0-20240129"))
            out.append((f"{base}/image_name", f"{prefix}-{version}-{RELEASE}"))
    return out


def _register_images(account_id: str, region: str) -> None:
    backend = ec2_backends[account_id][region]
    for version in VERSIONS:
        for variant, (arch, prefix, desc) in VARIANTS.items():
            ami = image_id(region, version, variant)
            if ami in backend.amis:
                continue
            backend.amis[ami] = Ami(
                backend,
                ami_id=ami,
                name=f"{prefix}-{version}-{RELEASE}",
                description=f"{desc}, (k8s: {version}.0, containerd: 1.7.*)",
                owner_id=AMAZON_OWNER,
                owner_alias="amazon",
                public=True,
                virtualization_type="hvm",
                architecture=arch,
                hypervisor="xen",
                root_device_type="ebs",
                root_device_name="/dev/xvda",
                creation_date=datetime(2024, 1, 29, tzinfo=timezone.utc),
                region_name=region,
                boot_mode="legacy-bios" if arch == "x86_64" else "uefi",
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
