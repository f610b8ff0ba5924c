"""Settings the sandbox passes to the moto process through the environment.

The TypeScript side (sandbox/aws/moto-process.ts) is the only writer of these variables; they
are read once per access so a unit test can set them with ``os.environ`` and see the effect.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator


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


_instant = threading.local()
_clock_unreachable = False
CLOCK_TIMEOUT_SECONDS = 5.0


@contextlib.contextmanager
def tutorial_instant(tutorial_ms: float) -> Iterator[None]:
    """Make ``tutorial_ms`` the current tutorial instant of this thread (a fired job's)."""
    previous = getattr(_instant, "ms", None)
    _instant.ms = float(tutorial_ms)
    try:
        yield
    finally:
        _instant.ms = previous


def tutorial_now_ms() -> float:
    """The current tutorial instant, epoch milliseconds: the time every event moto's extension
    writes in tutorial terms carries (EventBridge "time", FIS start and end times).

    Inside a job the daemon fired, the fire's ``tutorialMs`` (the daemon stands still for us
    meanwhile, so that is exactly when the job ran). Otherwise the daemon's clock, asked anew
    each time (a local call; a cached value would be stale by the next request, since the
    daemon's tutorial time runs faster than real time when idle). Without a control URL, wall
    time: moto on its own has no tutorial clock to follow.
    """
    global _clock_unreachable
    fired = getattr(_instant, "ms", None)
    if fired is not None:
        return fired
    control = control_url()
    if control is None:
        return time.time() * 1000.0
    try:
        with urllib.request.urlopen(f"{control}/v1/clock", timeout=CLOCK_TIMEOUT_SECONDS) as response:
            value = float(json.load(response)["tutorialMs"])
        _clock_unreachable = False
        return value
    except (OSError, ValueError, KeyError, TypeError) as e:
        # An event with a wall-clock time is better than an AWS call that fails for a clock;
        # said once per outage so the log shows which times may be off.
        if not _clock_unreachable:
            _clock_unreachable = True
            print(f"spotcheck-moto: could not read the sandbox daemon's clock at {control}/v1/clock ({getattr(e, 'reason', None) or e}); using wall time until it answers", file=sys.stderr, flush=True)
        return time.time() * 1000.0


def tutorial_now() -> float:
    """``tutorial_now_ms()`` in epoch seconds (what moto's models and botocore timestamps use)."""
    return tutorial_now_ms() / 1000.0


def platform_file() -> str | None:
    """JSON file with the PlatformView of the sandbox's date (see platform.py), or None."""
    return os.environ.get("SPOTCHECK_PLATFORM_FILE", "").strip() or None
