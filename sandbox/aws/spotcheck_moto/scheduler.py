"""Deferred work in tutorial time (a Spot notice that fires two minutes later, a pool that
recovers after ten).

Each job runs on a daemon timer thread, so nothing here blocks a request thread, and the
launcher can cancel everything still pending when it shuts down.
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable

from . import config

_lock = threading.Lock()
_pending: set[threading.Timer] = set()


def after(tutorial_seconds: float, job: Callable[[], None], name: str = "spotcheck-job") -> threading.Timer:
    """Run ``job`` once ``tutorial_seconds`` of tutorial time have passed."""
    delay = max(0.0, config.to_real_seconds(tutorial_seconds))
    timer: threading.Timer

    def run() -> None:
        with _lock:
            _pending.discard(timer)
        try:
            job()
        except Exception:  # a failed job must not kill the server; it is logged for the reader
            print(f"spotcheck-moto: scheduled job {name} failed", file=sys.stderr)
            traceback.print_exc()

    timer = threading.Timer(delay, run)
    timer.name = name
    timer.daemon = True
    with _lock:
        _pending.add(timer)
    timer.start()
    return timer


def cancel(timer: threading.Timer | None) -> None:
    if timer is None:
        return
    timer.cancel()
    with _lock:
        _pending.discard(timer)


def cancel_all() -> None:
    with _lock:
        timers = list(_pending)
        _pending.clear()
    for timer in timers:
        timer.cancel()
