"""Target resolution for FIS experiments, and the value formats FIS validates.

FIS resolves every target when an experiment starts: the resources of the target's type,
narrowed by ``resourceArns`` or ``resourceTags``, then by ``filters`` (paths into the resource
as the service's Describe call returns it, e.g. ``State.Name`` for DescribeInstances), then
sampled by ``selectionMode``. Only EC2 instances are modelled (``aws:ec2:instance`` and
``aws:ec2:spot-instance``, the latter keeping Spot instances only).
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

INSTANCE_TYPES = ("aws:ec2:instance", "aws:ec2:spot-instance")

_SELECTION = re.compile(r"^(ALL|COUNT\((\d+)\)|PERCENT\((\d+)\))$")
_DURATION = re.compile(r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


class TargetError(ValueError):
    """A value FIS would reject with ValidationException."""


@dataclass(frozen=True)
class SelectionMode:
    kind: str  # ALL | COUNT | PERCENT
    n: int = 0

    def pick(self, items: list[Any], rng: random.Random) -> list[Any]:
        """The selected items, in their original order."""
        if self.kind == "ALL":
            return list(items)
        if self.kind == "COUNT":
            k = min(self.n, len(items))
        else:  # PERCENT: rounded up, so a non-empty set never yields nothing
            k = min(len(items), math.ceil(len(items) * self.n / 100))
        chosen = set(rng.sample(range(len(items)), k))
        return [item for i, item in enumerate(items) if i in chosen]


def parse_selection_mode(value: Any) -> SelectionMode:
    text = str(value or "").strip()
    m = _SELECTION.match(text)
    if not m:
        raise TargetError(f"Selection mode {text!r} is not valid. Valid selection modes are ALL, COUNT(n) and PERCENT(n).")
    if m.group(2) is not None:
        n = int(m.group(2))
        if n < 1:
            raise TargetError(f"Selection mode {text!r} is not valid. COUNT(n) requires n >= 1.")
        return SelectionMode("COUNT", n)
    if m.group(3) is not None:
        n = int(m.group(3))
        if not 1 <= n <= 100:
            raise TargetError(f"Selection mode {text!r} is not valid. PERCENT(n) requires 1 <= n <= 100.")
        return SelectionMode("PERCENT", n)
    return SelectionMode("ALL")


def parse_iso_duration(value: Any) -> float:
    """Seconds in an ISO-8601 duration such as PT2M, PT120S or PT1M30S."""
    text = str(value or "").strip().upper()
    m = _DURATION.match(text)
    if not m or text in ("P", "PT") or text.endswith("T"):
        raise TargetError(f"Invalid ISO 8601 duration: {value!r}")
    days, hours, minutes, seconds = (float(g) if g else 0.0 for g in m.groups())
    return days * 86400 + hours * 3600 + minutes * 60 + seconds


# ---- resources -------------------------------------------------------------------------------


def tags_of(instance: Any) -> dict[str, str]:
    return {t["key"]: t["value"] for t in instance.get_tags()}


def instance_view(instance: Any) -> dict[str, Any]:
    """The fields of an instance as DescribeInstances names them, for filter paths."""
    backend = instance.ec2_backend
    view: dict[str, Any] = {
        "InstanceId": instance.id,
        "InstanceType": instance.instance_type,
        "ImageId": instance.image_id,
        "State": {"Name": instance.state, "Code": str(instance.state_code)},
        "Placement": {"AvailabilityZone": instance.availability_zone, "Tenancy": "default"},
        "SubnetId": instance.subnet_id,
        "VpcId": instance.vpc_id,
        "PrivateIpAddress": instance.private_ip,
        "PrivateDnsName": instance.private_dns_name,
        "PublicIpAddress": instance.public_ip,
        "Architecture": instance.architecture,
        "Platform": instance.platform,
        "KeyName": instance.key_name,
        "InstanceLifecycle": instance.lifecycle,
        "SpotInstanceRequestId": getattr(instance, "spot_instance_request_id", None),
        "Tags": [{"Key": k, "Value": v} for k, v in tags_of(instance).items()],
        "SecurityGroups": [{"GroupId": g.id, "GroupName": g.name} for g in instance.security_groups],
        "Monitoring": {"State": instance.monitoring_state},
        "Arn": f"arn:aws:ec2:{backend.region_name}:{backend.account_id}:instance/{instance.id}",
    }
    profile = instance.iam_instance_profile
    if isinstance(profile, dict) and profile.get("Arn"):
        view["IamInstanceProfile"] = {"Arn": profile["Arn"]}
    return view


def _values_at(obj: Any, path: list[str]) -> list[str]:
    if not path:
        if obj is None:
            return []
        if isinstance(obj, list):
            return [str(x) for x in obj if x is not None]
        return [str(obj)]
    if isinstance(obj, list):
        out: list[str] = []
        for item in obj:
            out.extend(_values_at(item, path))
        return out
    if isinstance(obj, dict):
        return _values_at(obj.get(path[0]), path[1:])
    return []


def matches_filters(view: dict[str, Any], filters: Iterable[dict[str, Any]]) -> bool:
    """Every filter must match; a filter matches when any value at its path is one of its values."""
    for f in filters or []:
        path = [p for p in str(f.get("path", "")).split(".") if p]
        wanted = {str(v) for v in f.get("values", [])}
        if not wanted.intersection(_values_at(view, path)):
            return False
    return True


def instance_ids_from_arns(arns: Iterable[str]) -> list[str]:
    ids = []
    for arn in arns or []:
        m = re.match(r"^arn:[^:]+:ec2:[^:]*:[^:]*:instance/(i-[0-9a-zA-Z]+)$", str(arn))
        if m:
            ids.append(m.group(1))
    return ids


def resolve_instances(instances: list[Any], target: dict[str, Any], rng: random.Random) -> list[Any]:
    """The instances a target resolves to (``instances`` in launch order)."""
    resource_type = target.get("resourceType")
    candidates = list(instances)
    if resource_type == "aws:ec2:spot-instance":
        candidates = [i for i in candidates if i.lifecycle == "spot"]
    arns = target.get("resourceArns") or []
    if arns:
        wanted = set(instance_ids_from_arns(arns))
        candidates = [i for i in candidates if i.id in wanted]
    tags = target.get("resourceTags") or {}
    if tags:
        candidates = [i for i in candidates if all(tags_of(i).get(k) == v for k, v in tags.items())]
    filters = target.get("filters") or []
    if filters:
        candidates = [i for i in candidates if matches_filters(instance_view(i), filters)]
    return parse_selection_mode(target.get("selectionMode", "ALL")).pick(candidates, rng)
