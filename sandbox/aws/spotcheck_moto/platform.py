"""The platform of the sandbox's date: which EKS versions, node images and services AWS offered.

``spotcheck sandbox up --as-of YYYY-MM-DD`` writes ``platformView(asOf)`` (platform/index.ts, a
``PlatformView`` of platform/types.ts) as JSON and names the file in ``SPOTCHECK_PLATFORM_FILE``.
Every dated answer of the extension reads it through this module: CreateCluster and
DescribeClusterVersions (eks/models.py), CreateNodegroup's AMI types, the EKS-optimized AMI
parameters (eks_amis.py) and Cloud9 (cloud9/).

Without the variable (moto started on its own, in-process unit tests) there is no date: every
answer is the undated one the extension gave before it knew dates (``view()`` is None).
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from typing import Any

from . import config


class PlatformFileError(ValueError):
    """The platform file is missing, unreadable or not a PlatformView."""


@dataclass(frozen=True)
class _Cached:
    path: str
    mtime: float
    view: dict[str, Any]


_lock = threading.Lock()
_cache: _Cached | None = None


def view() -> dict[str, Any] | None:
    """The PlatformView of the sandbox's date, or None when moto runs without one."""
    global _cache
    path = config.platform_file()
    if not path:
        return None
    try:
        mtime = os.stat(path).st_mtime
    except OSError as e:
        raise PlatformFileError(f"SPOTCHECK_PLATFORM_FILE {path}: {e.strerror}") from e
    with _lock:
        if _cache is not None and _cache.path == path and _cache.mtime == mtime:
            return _cache.view
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError) as e:
            raise PlatformFileError(f"SPOTCHECK_PLATFORM_FILE {path}: not a JSON PlatformView ({e})") from e
        _check(path, data)
        _cache = _Cached(path, mtime, data)
        return data


def _check(path: str, data: Any) -> None:
    if not isinstance(data, dict):
        raise PlatformFileError(f"SPOTCHECK_PLATFORM_FILE {path}: expected a JSON object (a PlatformView)")
    for key in ("asOf", "eks", "nodeImages", "cloud9"):
        if key not in data:
            raise PlatformFileError(f"SPOTCHECK_PLATFORM_FILE {path}: field {key!r} is missing (expected a PlatformView, see platform/types.ts)")
    if not isinstance(data["eks"], dict) or not isinstance(data["eks"].get("versions"), list):
        raise PlatformFileError(f"SPOTCHECK_PLATFORM_FILE {path}: field 'eks.versions' must be a list")


def as_of() -> str | None:
    v = view()
    return v["asOf"] if v else None


def eks_versions() -> list[dict[str, Any]] | None:
    """Every EKS version the view knows, oldest first (None without a view)."""
    v = view()
    if v is None:
        return None
    return sorted(v["eks"]["versions"], key=lambda e: minor_key(e["version"]))


def released_eks_versions() -> list[dict[str, Any]] | None:
    """The versions EKS had released by the date (a version announced later does not exist yet)."""
    versions = eks_versions()
    if versions is None:
        return None
    day = as_of() or ""
    return [e for e in versions if e["releaseDate"] <= day]


def eks_version(version: str) -> dict[str, Any] | None:
    for e in eks_versions() or []:
        if e["version"] == version:
            return e
    return None


def default_eks_version() -> str | None:
    for e in eks_versions() or []:
        if e.get("default"):
            return str(e["version"])
    return None


def ssm_parameters() -> set[str] | None:
    """The public EKS-optimized AMI parameter paths (``…/image_id``) that exist on the date."""
    v = view()
    if v is None:
        return None
    return {p for image in v["nodeImages"] for p in image.get("ssmParameters", [])}


def node_image_families(version: str) -> list[str] | None:
    """The AMI families EKS had published for a Kubernetes version by the date (None: no view)."""
    v = view()
    if v is None:
        return None
    for image in v["nodeImages"]:
        if image["kubernetesVersion"] == version:
            return list(image.get("families", []))
    return []


def cloud9() -> dict[str, Any] | None:
    v = view()
    return v["cloud9"] if v else None


def minor_key(version: str) -> tuple[int, ...]:
    """Sort key of "1.9" < "1.29" < "1.35"."""
    try:
        return tuple(int(p) for p in version.split("."))
    except ValueError:
        return (10**6,)
