"""Corrections to moto 5.2.1 where it answers differently from AWS in ways the tutorial shows.

* EC2 instances that moto creates for Spot requests and fleets default to us-east-1 as their
  region, so their private DNS names read ``ip-….ec2.internal`` in every region; AWS (and the
  tutorial's node names) give ``ip-10-0-36-60.eu-west-2.compute.internal``.
* IAM service-linked roles: AWS names the Spot role ``AWSServiceRoleForEC2Spot`` (moto:
  ``AWSServiceRoleForspot``), and a second CreateServiceLinkedRole fails with the InvalidInput
  error the tutorial quotes.
* IAM ListInstanceProfileTags (missing in moto): spotcheck's clean-up finds the instance profile
  Karpenter made for the EC2NodeClass by its tags, as it would on AWS.
"""

from __future__ import annotations

import json
from typing import Any

from moto.ec2.models.instances import Instance
from moto.core.responses import ActionResult
from moto.iam.exceptions import IAMException
from moto.iam.models import IAMBackend
from moto.iam.responses import IamResponse

#: AWS's service-linked role names for the services the tutorial touches.
SERVICE_LINKED_ROLE_NAMES = {
    "spot.amazonaws.com": "AWSServiceRoleForEC2Spot",
    "spotfleet.amazonaws.com": "AWSServiceRoleForEC2SpotFleet",
    "eks.amazonaws.com": "AWSServiceRoleForAmazonEKS",
    "eks-nodegroup.amazonaws.com": "AWSServiceRoleForAmazonEKSNodegroup",
    "autoscaling.amazonaws.com": "AWSServiceRoleForAutoScaling",
    "fis.amazonaws.com": "AWSServiceRoleForFIS",
}


class InvalidInput(IAMException):
    def __init__(self, message: str):
        super().__init__("InvalidInput", message)


def install() -> None:
    original_init = Instance.__init__

    def instance_init(self: Instance, ec2_backend: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("region_name", ec2_backend.region_name)
        original_init(self, ec2_backend, *args, **kwargs)

    Instance.__init__ = instance_init  # type: ignore[method-assign]

    original_create = IAMBackend.create_service_linked_role

    def create_service_linked_role(self: IAMBackend, service_name: str, description: str, suffix: str) -> Any:
        name = SERVICE_LINKED_ROLE_NAMES.get(service_name)
        if name is None:
            return original_create(self, service_name, description, suffix)
        if suffix:
            name = f"{name}_{suffix}"
        if any(role.name == name for role in self.roles.values()):
            raise InvalidInput(f"Service role name {name} has been taken in this account, please try a different suffix.")
        trust = {"Version": "2012-10-17", "Statement": [{"Action": ["sts:AssumeRole"], "Effect": "Allow", "Principal": {"Service": [service_name]}}]}
        return self.create_role(
            name,
            json.dumps(trust),
            f"/aws-service-role/{service_name}/",
            permissions_boundary=None,
            description=description,
            tags=[],
            max_session_duration="3600",
            linked_service=service_name,
        )

    IAMBackend.create_service_linked_role = create_service_linked_role  # type: ignore[method-assign]

    def list_instance_profile_tags(self: IamResponse) -> ActionResult:
        profile = self.backend.get_instance_profile(self._get_param("InstanceProfileName"))
        return ActionResult({"Tags": list(profile.tags or []), "IsTruncated": False})

    IamResponse.list_instance_profile_tags = list_instance_profile_tags  # type: ignore[attr-defined]
