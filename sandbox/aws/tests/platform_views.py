"""Hand-made PlatformViews (platform/types.ts) for the extension's unit tests.

The sandbox gets its view from ``platformView(asOf)`` (platform/index.ts, fixtures/platform.yaml);
these tests must not depend on that table's next edit, so they build a view of their own from
the EKS lifecycle dates (EKS user guide, "Understand the Kubernetes version lifecycle on EKS")
with the same rules: a version is offered from its release to the end of its extended support,
the default is the newest version in standard support, AL2 images exist up to 1.32 and AL2023
images from their launch (2024-02-29 in these tests).
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any

EKS = [
    # version, released, end of standard support, end of extended support
    ("1.28", "2023-09-26", "2024-11-26", "2025-11-26"),
    ("1.29", "2024-01-23", "2025-03-23", "2026-03-23"),
    ("1.30", "2024-05-23", "2025-07-23", "2026-07-23"),
    ("1.31", "2024-09-26", "2025-11-26", "2026-11-26"),
    ("1.32", "2025-01-25", "2026-03-23", "2027-03-23"),
    ("1.33", "2025-05-28", "2026-07-29", "2027-07-29"),
    ("1.34", "2025-10-06", "2026-12-02", "2027-12-02"),
    ("1.35", "2026-01-28", "2027-03-27", "2028-03-27"),
    ("1.36", "2027-02-01", "2028-04-01", "2029-04-01"),  # not released on any date the tests use
]
AL2023_LAUNCH = "2024-02-29"
CLOUD9_CLOSED = "2024-07-25"
SOURCE = "test fixture (sandbox/aws/tests/platform_views.py)"


def _minor(v: str) -> int:
    return int(v.split(".")[1])


def view(as_of: str) -> dict[str, Any]:
    versions = []
    for version, released, standard, extended in EKS:
        status = "STANDARD_SUPPORT" if as_of < standard else "EXTENDED_SUPPORT" if as_of < extended else "UNSUPPORTED"
        versions.append(
            {
                "version": version,
                "releaseDate": released,
                "endOfStandardSupport": standard,
                "endOfExtendedSupport": extended,
                "status": status,
                "offered": released <= as_of < extended,
                "default": False,
                "source": SOURCE,
            }
        )
    standard_now = [v for v in versions if v["offered"] and v["status"] == "STANDARD_SUPPORT"]
    if standard_now:
        max(standard_now, key=lambda v: _minor(v["version"]))["default"] = True
    images = []
    for v in versions:
        if v["releaseDate"] > as_of:
            continue
        families, params = [], []
        base = f"/aws/service/eks/optimized-ami/{v['version']}"
        if _minor(v["version"]) <= 32:
            families.append("AL2")
            params += [f"{base}/amazon-linux-2/recommended/image_id", f"{base}/amazon-linux-2-arm64/recommended/image_id"]
        if as_of >= AL2023_LAUNCH:
            families.append("AL2023")
            params += [f"{base}/amazon-linux-2023/x86_64/standard/recommended/image_id", f"{base}/amazon-linux-2023/arm64/standard/recommended/image_id"]
        images.append({"kubernetesVersion": v["version"], "families": families, "ssmParameters": params})
    return {
        "asOf": as_of,
        "eks": {"versions": versions},
        "nodeImages": images,
        "karpenter": {"releases": []},
        "cloud9": {"openToNewCustomers": as_of < CLOUD9_CLOSED, "closedToNewCustomersOn": CLOUD9_CLOSED, "source": SOURCE},
        "terraform": [],
        "current": {"kubernetesVersion": "1.35", "karpenterChartVersion": "1.9.2", "nodeImageFamily": "AL2023"},
    }


class PlatformFile:
    """Context manager: SPOTCHECK_PLATFORM_FILE names a view of ``as_of`` (None: no file)."""

    def __init__(self, as_of: str | None):
        self.as_of = as_of
        self.path: str | None = None
        self.before: str | None = None

    def __enter__(self) -> "PlatformFile":
        self.before = os.environ.pop("SPOTCHECK_PLATFORM_FILE", None)
        if self.as_of is not None:
            fd, self.path = tempfile.mkstemp(prefix=f"platform-{self.as_of}-", suffix=".json")
            with os.fdopen(fd, "w") as f:
                json.dump(view(self.as_of), f)
            os.environ["SPOTCHECK_PLATFORM_FILE"] = self.path
        return self

    def __exit__(self, *exc: object) -> None:
        os.environ.pop("SPOTCHECK_PLATFORM_FILE", None)
        if self.before is not None:
            os.environ["SPOTCHECK_PLATFORM_FILE"] = self.before
        if self.path:
            os.unlink(self.path)
