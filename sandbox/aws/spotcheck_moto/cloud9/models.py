"""Cloud9 environments, open to new customers only until the day AWS closed Cloud9 to them.

What the tutorial's Step 1 needs: CreateEnvironmentEC2 (directly or through the CloudFormation
type), DescribeEnvironments, ListEnvironments, DescribeEnvironmentStatus, UpdateEnvironment
(``--managed-credentials-action DISABLE``) and DeleteEnvironment, with the shapes of botocore's
cloud9 2017-09-23 model. An environment is ready as soon as it is created; no EC2 instance is
launched for it (the sandbox has no IDE to connect to it).

The date (platform.py, ``cloud9.openToNewCustomers``): "AWS Cloud9 is no longer available to
new customers. Existing customers of AWS Cloud9 can continue to use the service as normal"
(CreateEnvironmentEC2 API reference; announced 2024-07-25, AWS DevOps blog "How to migrate from
AWS Cloud9 to AWS IDE Toolkits or AWS CloudShell"). A sandbox account is always a new customer,
so after that day CreateEnvironmentEC2 is refused. AWS does not document the API error of that
refusal; the sandbox answers Cloud9's modelled access error, ``ForbiddenException``, with the
text the Cloud9 console shows such accounts (quoted in awslabs/aws-deployment-framework#754).
The code is an approximation: unconfirmed against a real new account.
"""

from __future__ import annotations

import re
from typing import Any

from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.common_models import BaseModel
from moto.core.exceptions import JsonRESTError
from moto.moto_api._internal import mock_random

from .. import platform

CLOSED_MESSAGE = (
    "This account does not have access to the Cloud9 service. For capabilities similar to AWS Cloud9, "
    "explore AWS Toolkits in your own IDE and AWS CloudShell in the AWS Management Console."
)
#: ImageId aliases and SSM paths CreateEnvironmentEC2 accepts (botocore cloud9 model, imageId).
IMAGE_ALIASES = ("amazonlinux-2-x86_64", "amazonlinux-2023-x86_64", "ubuntu-18.04-x86_64", "ubuntu-22.04-x86_64")
INSTANCE_TYPE = re.compile(r"^[a-z]+[1-9][.][a-z0-9]+$")
MANAGED_CREDENTIALS = {"ENABLE": "ENABLED_BY_OWNER", "DISABLE": "DISABLED_BY_OWNER"}
MAX_RESULTS = 25


class Cloud9Error(JsonRESTError):
    code = 400


class ForbiddenException(Cloud9Error):
    def __init__(self, message: str):
        super().__init__("ForbiddenException", message)


class BadRequestException(Cloud9Error):
    def __init__(self, message: str):
        super().__init__("BadRequestException", message)


class NotFoundException(Cloud9Error):
    def __init__(self, message: str):
        super().__init__("NotFoundException", message)


def open_to_new_customers() -> bool:
    c9 = platform.cloud9()
    return True if c9 is None else bool(c9.get("openToNewCustomers"))


class Environment(BaseModel):
    def __init__(self, account_id: str, region: str, name: str, description: str | None, instance_type: str, image_id: str, subnet_id: str | None, automatic_stop_time_minutes: int | None, owner_arn: str, connection_type: str, tags: list[dict[str, str]]):
        self.id = mock_random.get_random_hex(32)
        self.name = name
        self.description = description
        self.instance_type = instance_type
        self.image_id = image_id
        self.subnet_id = subnet_id
        self.automatic_stop_time_minutes = automatic_stop_time_minutes
        self.owner_arn = owner_arn
        self.connection_type = connection_type
        self.tags = list(tags)
        self.arn = f"arn:aws:cloud9:{region}:{account_id}:environment:{self.id}"
        self.managed_credentials_status = "ENABLED_ON_CREATE"
        self.lifecycle_status = "CREATED"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "type": "ec2",
            "connectionType": self.connection_type,
            "arn": self.arn,
            "ownerArn": self.owner_arn,
            "lifecycle": {"status": self.lifecycle_status},
            "managedCredentialsStatus": self.managed_credentials_status,
        }
        if self.description:
            out["description"] = self.description
        return out


class Cloud9Backend(BaseBackend):
    def __init__(self, region_name: str, account_id: str):
        super().__init__(region_name, account_id)
        self.environments: dict[str, Environment] = {}

    def _caller_arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:root"

    def create_environment_ec2(self, name: str | None, description: str | None, instance_type: str | None, image_id: str | None, subnet_id: str | None = None, automatic_stop_time_minutes: int | None = None, owner_arn: str | None = None, connection_type: str | None = None, tags: list[dict[str, str]] | None = None) -> Environment:
        if not open_to_new_customers():
            raise ForbiddenException(CLOSED_MESSAGE)
        if not name or len(name) > 60:
            raise BadRequestException("name must be 1 to 60 characters long")
        if not instance_type or not INSTANCE_TYPE.match(instance_type):
            raise BadRequestException(f"Invalid instanceType {instance_type!r}: expected an EC2 instance type such as t3.small")
        if not image_id:
            raise BadRequestException("imageId is required: an AMI alias such as amazonlinux-2023-x86_64 or resolve:ssm:/aws/service/cloud9/amis/<alias>")
        alias = image_id.removeprefix("resolve:ssm:/aws/service/cloud9/amis/")
        if alias not in IMAGE_ALIASES and not image_id.startswith("ami-"):
            raise BadRequestException(f"Invalid imageId {image_id!r}: use one of {', '.join(IMAGE_ALIASES)} or its resolve:ssm:/aws/service/cloud9/amis/ path")
        if connection_type not in (None, "CONNECT_SSH", "CONNECT_SSM"):
            raise BadRequestException(f"Invalid connectionType {connection_type!r}: CONNECT_SSH or CONNECT_SSM")
        environment = Environment(self.account_id, self.region_name, name, description, instance_type, image_id, subnet_id, automatic_stop_time_minutes, owner_arn or self._caller_arn(), connection_type or "CONNECT_SSH", tags or [])
        self.environments[environment.id] = environment
        return environment

    def get(self, environment_id: str) -> Environment:
        environment = self.environments.get(environment_id or "")
        if environment is None:
            raise NotFoundException(f"Environment {environment_id} was not found")
        return environment

    def describe_environments(self, environment_ids: list[str]) -> list[Environment]:
        if not environment_ids:
            raise BadRequestException("environmentIds must name 1 to 25 environments")
        return [self.environments[i] for i in environment_ids if i in self.environments]

    def list_environments(self, max_results: int | None, next_token: str | None) -> tuple[list[str], str | None]:
        ids = list(self.environments)
        start = int(next_token) if next_token and next_token.isdigit() else 0
        size = max_results or MAX_RESULTS
        more = str(start + size) if start + size < len(ids) else None
        return ids[start : start + size], more

    def update_environment(self, environment_id: str, name: str | None, description: str | None, managed_credentials_action: str | None) -> None:
        environment = self.get(environment_id)
        if managed_credentials_action is not None and managed_credentials_action not in MANAGED_CREDENTIALS:
            raise BadRequestException(f"Invalid managedCredentialsAction {managed_credentials_action!r}: ENABLE or DISABLE")
        if name:
            environment.name = name
        if description is not None:
            environment.description = description
        if managed_credentials_action:
            environment.managed_credentials_status = MANAGED_CREDENTIALS[managed_credentials_action]

    def describe_environment_status(self, environment_id: str) -> dict[str, str]:
        self.get(environment_id)
        return {"status": "ready", "message": "Environment is ready to use"}

    def delete_environment(self, environment_id: str) -> None:
        self.get(environment_id)
        del self.environments[environment_id]


cloud9_backends = BackendDict(Cloud9Backend, "cloud9")
