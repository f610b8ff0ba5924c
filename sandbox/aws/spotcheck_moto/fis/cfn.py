"""CloudFormation resource type AWS::FIS::ExperimentTemplate.

Without it, moto accepts a template with this type, silently skips the resource and reports
CREATE_COMPLETE with empty outputs. This model creates a real template in the FIS backend,
answers ``Ref`` and ``Fn::GetAtt <resource>.Id`` with the template id, updates it in place and
deletes it with the stack, as CloudFormation does.
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.fis.models import fis_backends


def _filters(items: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return [{"path": f.get("Path"), "values": [str(v) for v in f.get("Values", [])]} for f in items or []]


def _targets(props: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, t in (props.get("Targets") or {}).items():
        target: dict[str, Any] = {"resourceType": t.get("ResourceType"), "selectionMode": str(t.get("SelectionMode", ""))}
        if t.get("ResourceArns"):
            target["resourceArns"] = list(t["ResourceArns"])
        if t.get("ResourceTags"):
            target["resourceTags"] = {k: str(v) for k, v in t["ResourceTags"].items()}
        if t.get("Filters"):
            target["filters"] = _filters(t["Filters"])
        if t.get("Parameters"):
            target["parameters"] = {k: str(v) for k, v in t["Parameters"].items()}
        out[name] = target
    return out


def _actions(props: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, a in (props.get("Actions") or {}).items():
        action: dict[str, Any] = {"actionId": a.get("ActionId")}
        if a.get("Description") is not None:
            action["description"] = a["Description"]
        if a.get("Parameters"):
            action["parameters"] = {k: str(v) for k, v in a["Parameters"].items()}
        if a.get("Targets"):
            action["targets"] = {k: str(v) for k, v in a["Targets"].items()}
        if a.get("StartAfter"):
            action["startAfter"] = list(a["StartAfter"])
        out[name] = action
    return out


def _stop_conditions(props: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for c in props.get("StopConditions") or []:
        condition = {"source": c.get("Source")}
        if c.get("Value") is not None:
            condition["value"] = c["Value"]
        out.append(condition)
    return out


def _log_configuration(props: dict[str, Any]) -> dict[str, Any] | None:
    log = props.get("LogConfiguration")
    if not log:
        return None
    out: dict[str, Any] = {"logSchemaVersion": int(log.get("LogSchemaVersion", 2))}
    if log.get("CloudWatchLogsConfiguration"):
        out["cloudWatchLogsConfiguration"] = {"logGroupArn": log["CloudWatchLogsConfiguration"].get("LogGroupArn")}
    if log.get("S3Configuration"):
        s3 = log["S3Configuration"]
        out["s3Configuration"] = {k: v for k, v in {"bucketName": s3.get("BucketName"), "prefix": s3.get("Prefix")}.items() if v}
    return out


def _experiment_options(props: dict[str, Any]) -> dict[str, Any] | None:
    options = props.get("ExperimentOptions")
    if not options:
        return None
    out = {}
    if options.get("AccountTargeting"):
        out["accountTargeting"] = options["AccountTargeting"]
    if options.get("EmptyTargetResolutionMode"):
        out["emptyTargetResolutionMode"] = options["EmptyTargetResolutionMode"]
    return out


class FISExperimentTemplate(CloudFormationModel):
    def __init__(self, template_id: str, account_id: str, region_name: str):
        self.id = template_id
        self.account_id = account_id
        self.region_name = region_name

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""  # the template has no name property; its id is generated

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::FIS::ExperimentTemplate"

    @property
    def physical_resource_id(self) -> str:
        return self.id

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Id"

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        if attribute_name == "Id":
            return self.id
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any) -> FISExperimentTemplate:
        props = cloudformation_json.get("Properties", {})
        backend = fis_backends[account_id][region_name]
        template = backend.create_experiment_template(
            client_token=None,
            description=props.get("Description", ""),
            stop_conditions=_stop_conditions(props),
            targets=_targets(props),
            actions=_actions(props),
            role_arn=props.get("RoleArn"),
            tags={k: str(v) for k, v in (props.get("Tags") or {}).items()},
            log_configuration=_log_configuration(props),
            experiment_options=_experiment_options(props),
        )
        return cls(template["id"], account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str) -> FISExperimentTemplate:
        props = cloudformation_json.get("Properties", {})
        backend = fis_backends[account_id][region_name]
        changes: dict[str, Any] = {
            "description": props.get("Description", ""),
            "stopConditions": _stop_conditions(props),
            "targets": _targets(props),
            "actions": _actions(props),
            "roleArn": props.get("RoleArn"),
        }
        if _log_configuration(props):
            changes["logConfiguration"] = _log_configuration(props)
        if _experiment_options(props):
            changes["experimentOptions"] = _experiment_options(props)
        backend.update_experiment_template(original_resource.id, changes)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str) -> None:
        backend = fis_backends[account_id][region_name]
        if resource_name in backend.experiment_templates:
            backend.delete_experiment_template(resource_name)

    def delete(self, account_id: str, region_name: str) -> None:
        self.delete_from_cloudformation_json(self.id, {}, account_id, region_name)

    def is_created(self) -> bool:
        return True
