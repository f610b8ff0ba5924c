"""CloudFormation resource type AWS::Cloud9::EnvironmentEC2 (the tutorial's cloud9-cnf.yaml).

Creates the environment through the Cloud9 backend, so the stack fails as CloudFormation's does
once Cloud9 is closed to new customers (models.py). ``Ref`` answers the environment id (the
tutorial's template passes ``Ref: C9Instance`` as the EnvironmentId), ``Fn::GetAtt`` answers
``Arn`` and ``Name``, as the CloudFormation resource reference documents.
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel

from .models import cloud9_backends


def _tags(items: Any) -> list[dict[str, str]]:
    if isinstance(items, dict):
        return [{"Key": k, "Value": str(v)} for k, v in items.items()]
    return [{"Key": t["Key"], "Value": str(t["Value"])} for t in items or []]


class Cloud9EnvironmentEC2(CloudFormationModel):
    def __init__(self, environment_id: str, arn: str, name: str):
        self.id = environment_id
        self.arn = arn
        self.name = name

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Cloud9::EnvironmentEC2"

    @property
    def physical_resource_id(self) -> str:
        return self.id

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("Arn", "Name")

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        if attribute_name == "Arn":
            return self.arn
        if attribute_name == "Name":
            return self.name
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any) -> Cloud9EnvironmentEC2:
        props = cloudformation_json.get("Properties", {})
        environment = cloud9_backends[account_id][region_name].create_environment_ec2(
            name=props.get("Name") or resource_name,
            description=props.get("Description"),
            instance_type=props.get("InstanceType"),
            image_id=props.get("ImageId"),
            subnet_id=props.get("SubnetId"),
            automatic_stop_time_minutes=props.get("AutomaticStopTimeMinutes"),
            owner_arn=props.get("OwnerArn"),
            connection_type=props.get("ConnectionType"),
            tags=_tags(props.get("Tags")),
        )
        return cls(environment.id, environment.arn, environment.name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str) -> None:
        backend = cloud9_backends[account_id][region_name]
        if resource_name in backend.environments:
            backend.delete_environment(resource_name)

    def delete(self, account_id: str, region_name: str) -> None:
        for backend in cloud9_backends[account_id].values():
            if self.id in backend.environments:
                backend.delete_environment(self.id)

    def is_created(self) -> bool:
        return True
