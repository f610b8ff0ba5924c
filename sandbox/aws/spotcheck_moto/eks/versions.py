"""EKS Kubernetes versions as EKS answered on the sandbox's date (the platform view, platform.py).

* CreateCluster: a version EKS did not offer that day — not yet released, or past the end of
  extended support — is refused with ``InvalidParameterException`` and the message EKS gives,
  "unsupported Kubernetes version 1.29" (the form quoted in public bug reports since 2024, e.g.
  terraform-aws-modules/terraform-aws-eks#3164; older answers omitted the version). No version:
  the default version of the day ("Kubernetes version ... If you don't specify a value here,
  the default version available in Amazon EKS is used", CreateCluster API reference).
* DescribeClusterVersions (EKS API reference): the versions released by the day, newest first,
  with their dates and support status; versions past extended support (UNSUPPORTED) only with
  ``includeAll``; filters ``clusterVersions``, ``defaultOnly``, ``versionStatus`` and the
  deprecated ``status`` (lower-case values: "standard-support"); ``maxResults`` 1–100 and
  ``nextToken``. The deprecated output field ``status`` carries the same value as
  ``versionStatus`` (the API reference deprecates it because its declared enum does not match
  what the action returns).
* CreateNodegroup: without ``amiType`` EKS picks Amazon Linux 2 before Kubernetes 1.30 and
  AL2023 from 1.30 on ("Starting with Kubernetes version 1.30 or newer, any newly created
  managed node groups will automatically default to using AL2023", What's New, 2024-05-23);
  an AL2 AMI type on 1.33 or later is refused: "AMI Type AL2_x86_64 is only supported for
  kubernetes versions 1.32 or earlier" (the message EKS returns, quoted in
  scylladb/scylla-cluster-tests#12524).

Without a platform view (moto on its own) every version is accepted, as before the sandbox knew
dates, and DescribeClusterVersions answers an empty list.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Any

from moto.eks.exceptions import InvalidParameterException

from .. import platform

STATUSES = ("STANDARD_SUPPORT", "EXTENDED_SUPPORT", "UNSUPPORTED")
#: The deprecated ``status`` parameter's values (ClusterVersionStatus) → VersionStatus.
LEGACY_STATUSES = {"standard-support": "STANDARD_SUPPORT", "extended-support": "EXTENDED_SUPPORT", "unsupported": "UNSUPPORTED"}
MAX_RESULTS = 100
#: The first minor with AL2023 as the managed node group default, and the first without AL2.
AL2023_DEFAULT_FROM = (1, 30)
AL2_LAST = (1, 32)


def _invalid(message: str, cluster: str | None = None, nodegroup: str | None = None) -> InvalidParameterException:
    return InvalidParameterException(clusterName=cluster, nodegroupName=nodegroup, fargateProfileName=None, addonName=None, message=message)


def offered(entry: dict[str, Any]) -> bool:
    """Released by the day and not past extended support (the view's ``offered``, re-checked)."""
    day = platform.as_of() or ""
    return bool(entry.get("offered")) and entry["releaseDate"] <= day


def check_create_version(cluster_name: str, version: str | None) -> str | None:
    """The version CreateCluster creates, or InvalidParameterException. None: no view, no version."""
    if platform.view() is None:
        return version
    if not version:
        return platform.default_eks_version()
    entry = platform.eks_version(version)
    if entry is None or not offered(entry):
        raise _invalid(f"unsupported Kubernetes version {version}", cluster=cluster_name)
    return version


def _epoch(day: str) -> int:
    return calendar.timegm(date.fromisoformat(day).timetuple())


def _months_between(start: str, end: str) -> int:
    a, b = date.fromisoformat(start), date.fromisoformat(end)
    return max(0, (b.year - a.year) * 12 + b.month - a.month)


def platform_version(entry: dict[str, Any]) -> str:
    """A plausible EKS platform version ("eks.N"): the sandbox's own, one per month since release."""
    day = min(platform.as_of() or entry["releaseDate"], entry["endOfExtendedSupport"])
    return f"eks.{1 + _months_between(entry['releaseDate'], day)}"


def _information(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "clusterVersion": entry["version"],
        "clusterType": "eks",
        "defaultPlatformVersion": platform_version(entry),
        "defaultVersion": bool(entry.get("default")),
        "releaseDate": _epoch(entry["releaseDate"]),
        "endOfStandardSupportDate": _epoch(entry["endOfStandardSupport"]),
        "endOfExtendedSupportDate": _epoch(entry["endOfExtendedSupport"]),
        "status": entry["status"],
        "versionStatus": entry["status"],
    }


def _status_filter(status: str | None, version_status: str | None) -> str | None:
    if version_status:
        if version_status not in STATUSES:
            raise _invalid(f"Invalid versionStatus {version_status}: must be one of {', '.join(STATUSES)}")
        return version_status
    if status:
        upper = LEGACY_STATUSES.get(status) or (status if status in STATUSES else None)
        if upper is None:
            raise _invalid(f"Invalid status {status}: must be one of {', '.join(LEGACY_STATUSES)}")
        return upper
    return None


def describe_cluster_versions(
    cluster_type: str | None = None,
    default_only: bool = False,
    include_all: bool = False,
    cluster_versions: list[str] | None = None,
    status: str | None = None,
    version_status: str | None = None,
    max_results: int | None = None,
    next_token: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of DescribeClusterVersions and the token of the next (None: the last page)."""
    if max_results is not None and not 1 <= max_results <= MAX_RESULTS:
        raise _invalid(f"maxResults must be between 1 and {MAX_RESULTS}, got {max_results}")
    wanted_status = _status_filter(status, version_status)
    start = 0
    if next_token:
        if not re.fullmatch(r"\d+", next_token):
            raise _invalid(f"Invalid nextToken {next_token}")
        start = int(next_token)
    released = platform.released_eks_versions() or []
    if cluster_type and cluster_type != "eks":
        released = []
    items = []
    for entry in sorted(released, key=lambda e: platform.minor_key(e["version"]), reverse=True):
        if entry["status"] == "UNSUPPORTED" and not include_all:
            continue
        if cluster_versions and entry["version"] not in cluster_versions:
            continue
        if default_only and not entry.get("default"):
            continue
        if wanted_status and entry["status"] != wanted_status:
            continue
        items.append(_information(entry))
    size = max_results or MAX_RESULTS
    more = str(start + size) if start + size < len(items) else None
    return items[start : start + size], more


# ---- node groups ------------------------------------------------------------------------------

_ARM_INSTANCE = re.compile(r"^(a1|[a-z]+\d+g[a-z]*)\.")


def _is_arm(instance_types: list[str] | None) -> bool:
    return bool(instance_types) and all(_ARM_INSTANCE.match(t) for t in instance_types or [])


def nodegroup_ami_type(cluster_name: str, nodegroup_name: str, version: str, ami_type: str | None, instance_types: list[str] | None, launch_template: dict[str, Any] | None) -> str | None:
    """The AMI type EKS gives the node group, or InvalidParameterException."""
    minor = platform.minor_key(version)
    if ami_type is None:
        if launch_template and launch_template.get("imageId"):
            return "CUSTOM"
        arm = _is_arm(instance_types)
        if minor >= AL2023_DEFAULT_FROM:
            return "AL2023_ARM_64_STANDARD" if arm else "AL2023_x86_64_STANDARD"
        return "AL2_ARM_64" if arm else "AL2_x86_64"
    if ami_type.startswith("AL2_") and minor > AL2_LAST:
        last = ".".join(str(p) for p in AL2_LAST)
        raise _invalid(f"AMI Type {ami_type} is only supported for kubernetes versions {last} or earlier", cluster=cluster_name, nodegroup=nodegroup_name)
    return ami_type
