"""Settings the sandbox passes to the moto process through the environment.

The TypeScript side (sandbox/aws/moto-process.ts) is the only writer of these variables; they
are read once per access so a unit test can set them with ``os.environ`` and see the effect.
"""

from __future__ import annotations

import os


def control_url() -> str | None:
    """Base URL of the sandbox daemon's control API, or None when moto runs on its own."""
    url = os.environ.get("SPOTCHECK_CONTROL_URL", "").strip()
    return url.rstrip("/") or None


def time_scale() -> float:
    """How many times faster than real time the sandbox runs (tutorial durations / scale)."""
    raw = os.environ.get("SPOTCHECK_TIME_SCALE", "").strip()
    if not raw:
        return 1.0
    value = float(raw)
    if not value > 0:
        raise ValueError(f"SPOTCHECK_TIME_SCALE must be a positive number, got {raw!r}")
    return value


def spot_seed() -> int:
    """Seed of the deterministic Spot market (prices, capacities, FIS random choices)."""
    raw = os.environ.get("SPOTCHECK_SPOT_SEED", "").strip()
    return int(raw) if raw else 1


def default_region() -> str:
    return os.environ.get("SPOTCHECK_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def to_real_seconds(tutorial_seconds: float) -> float:
    """Real seconds that a duration written in tutorial time takes in this sandbox."""
    return tutorial_seconds / time_scale()


def platform_file() -> str | None:
    """JSON file with the PlatformView of the sandbox's date (see platform.py), or None."""
    return os.environ.get("SPOTCHECK_PLATFORM_FILE", "").strip() or None
