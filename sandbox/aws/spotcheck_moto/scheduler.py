"""Deferred work in tutorial time (a Spot notice that fires two minutes later, a pool that
recovers after ten).

Whose clock the jobs run on:

* With a control URL (moto started by the sandbox daemon), on the daemon's tutorial clock
  (sandbox/runtime/clock.ts). ``after()`` registers the job under a unique id with
  ``POST <control>/v1/clock/after {"id", "delayMs"}``; when the job is due, the daemon calls
  ``POST /_spotcheck/scheduler/<id>/fire {"tutorialMs": T}`` (``api.py``), which runs the job
  synchronously inside that request, with ``T`` as the tutorial instant for everything the job
  writes (``config.tutorial_now_ms()``). So moto's deferred work and the daemon's own timers
  fire in one order, at exactly their tutorial instants, however loaded the machine is: a real
  timer thread and the daemon's clock drift apart under CPU load.
* Without one (moto on its own, unit tests), on a daemon ``threading.Timer`` per job that waits
  ``tutorial_seconds / SPOTCHECK_TIME_SCALE`` real seconds, as before.

Either way nothing here blocks a request thread for longer than one local HTTP call, and the
launcher can cancel everything still pending when it shuts down.

A pending job is data a sandbox snapshot keeps (``snapshot.py``): its id, name, due instant and
callable pickle (the callable must be a module-level function, a bound method or a
``functools.partial`` of one: a closure or lambda cannot be pickled, so the job sites use
partials); ``restore()`` registers such jobs again with what remains of their delay.
"""

from __future__ import annotations

import json
import sys
import threading
import traceback
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable

from . import config

TIMEOUT_SECONDS = 5.0


class Job:
    """A pending job; ``after()`` returns it, ``cancel()`` takes it.

    ``due_ms`` is when it is due on the clock that runs it: tutorial epoch ms on the daemon's
    clock, wall epoch ms on a local timer (``config.tutorial_now_ms()``'s instant either way).
    """

    def __init__(self, job_id: str, name: str, run: Callable[[], None], due_ms: float = 0.0):
        self.id = job_id
        self.name = name
        self.run = run
        self.due_ms = due_ms
        self.timer: threading.Timer | None = None  # the local timer, when the job runs on one
        self.control_url: str | None = None  # the daemon that holds the job, when it does

    # A snapshot keeps what the job is, not where it waits: the timer thread and the daemon
    # that held it belong to the process that saved it (restore() registers it anew).
    def __getstate__(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "run": self.run, "due_ms": self.due_ms}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self.timer = None
        self.control_url = None

    def __repr__(self) -> str:
        where = f"daemon {self.control_url}" if self.control_url else "local timer"
        return f"<scheduler.Job {self.id} on {where}>"


_lock = threading.Lock()
_pending: dict[str, Job] = {}


def _run(job: Job) -> bool:
    """Run a job once; False when it was cancelled or already ran."""
    with _lock:
        if _pending.pop(job.id, None) is None:
            return False
    try:
        job.run()
    except Exception:  # a failed job must not kill the server; it is logged for the reader
        print(f"spotcheck-moto: scheduled job {job.name} failed", file=sys.stderr, flush=True)
        traceback.print_exc()
        raise
    return True


def _start_local_timer(job: Job, tutorial_seconds: float) -> None:
    def run() -> None:
        try:
            _run(job)
        except Exception:
            pass  # already logged by _run; a timer thread has no one to answer to

    timer = threading.Timer(max(0.0, config.to_real_seconds(tutorial_seconds)), run)
    timer.name = job.name
    timer.daemon = True
    job.timer = timer
    timer.start()


def _daemon_call(method: str, url: str, body: dict | None = None) -> int:
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


def after(tutorial_seconds: float, job: Callable[[], None], name: str = "spotcheck-job") -> Job:
    """Run ``job`` once ``tutorial_seconds`` of tutorial time have passed."""
    # The id travels in a URL path; names are ours (e.g. fis-EXP…-initiate), the suffix makes it unique.
    handle = Job(f"{name}-{uuid.uuid4().hex[:12]}", name, job)
    handle.due_ms = _due_ms(tutorial_seconds)
    return _register(handle, tutorial_seconds)


def _due_ms(tutorial_seconds: float) -> float:
    """When a job registered now with this delay is due, on the clock that will run it."""
    now = config.tutorial_now_ms()
    if config.control_url() is None:  # a local timer waits real seconds; its clock is wall time
        return now + config.to_real_seconds(tutorial_seconds) * 1000.0
    return now + max(0, round(tutorial_seconds * 1000))


def _register(handle: Job, tutorial_seconds: float) -> Job:
    # Registered before the daemon hears of it: a job due at once may be fired before the
    # registration's answer comes back.
    with _lock:
        _pending[handle.id] = handle
    control = config.control_url()
    if control is None:
        _start_local_timer(handle, tutorial_seconds)
        return handle
    delay_ms = max(0, round(tutorial_seconds * 1000))
    try:
        status = _daemon_call("POST", f"{control}/v1/clock/after", {"id": handle.id, "delayMs": delay_ms})
        problem = None if 200 <= status < 300 else f"HTTP {status}"
    except (OSError, ValueError) as e:  # URLError, refused, timeout, a malformed URL
        problem = str(getattr(e, "reason", None) or e)
    if problem is None:
        handle.control_url = control
        return handle
    # A job the daemon never fires would leave an experiment "running" forever (no warning, no
    # termination); a local timer still does the work, on a clock that may drift from the
    # daemon's under load. The line says so, for whoever reads moto's log after a strange run.
    print(
        f"spotcheck-moto: the sandbox daemon's clock at {control} did not take job {handle.name} ({problem}); "
        "running it on a local timer, whose tutorial time may drift from the daemon's",
        file=sys.stderr,
        flush=True,
    )
    _start_local_timer(handle, tutorial_seconds)
    return handle


def fire(job_id: str, tutorial_ms: float) -> bool:
    """Run a daemon-held job now, at tutorial instant ``tutorial_ms`` (the fire route's work).

    False when no such job is pending (unknown, cancelled, or fired already). Raises what the
    job raised, after logging it.
    """
    with _lock:
        job = _pending.get(job_id)
    if job is None:
        return False
    with config.tutorial_instant(tutorial_ms):
        return _run(job)


def _forget(job: Job) -> bool:
    with _lock:
        return _pending.pop(job.id, None) is not None


def _delete_remote(job: Job) -> bool:
    """Tell the daemon to drop the job; False when it could not be reached (logged)."""
    assert job.control_url is not None
    url = f"{job.control_url}/v1/clock/after/{urllib.parse.quote(job.id, safe='')}"
    try:
        status = _daemon_call("DELETE", url)
    except (OSError, ValueError) as e:
        # Harmless for moto (a fire of a cancelled id answers 404), but the daemon keeps a
        # due timer that holds its clock back until it fires.
        print(f"spotcheck-moto: could not cancel job {job.name} at the sandbox daemon ({getattr(e, 'reason', None) or e})", file=sys.stderr, flush=True)
        return False
    if not (200 <= status < 300 or status == 404):  # 404: it fired meanwhile
        print(f"spotcheck-moto: the sandbox daemon refused to cancel job {job.name} (HTTP {status})", file=sys.stderr, flush=True)
    return True


def cancel(job: Job | None) -> None:
    if job is None:
        return
    _forget(job)
    if job.timer is not None:
        job.timer.cancel()
    elif job.control_url is not None:
        _delete_remote(job)


def cancel_all() -> None:
    with _lock:
        jobs = list(_pending.values())
        _pending.clear()
    unreachable: set[str] = set()
    for job in jobs:
        if job.timer is not None:
            job.timer.cancel()
        elif job.control_url is not None and job.control_url not in unreachable:
            # at shutdown the daemon may be gone already: one failed DELETE is enough to know
            if not _delete_remote(job):
                unreachable.add(job.control_url)


def pending() -> list[Job]:
    """Jobs not yet run nor cancelled (inspection, tests, snapshots)."""
    with _lock:
        return list(_pending.values())


def restore(jobs: list[Job]) -> list[Job]:
    """Register jobs a snapshot kept (``snapshot.load``), each with what remains of its delay.

    The same Job objects (an FIS experiment's ``timers`` hold them, so StopExperiment can still
    cancel them) under the same ids. Remaining = due − now on the clock that runs them now: the
    daemon restores its tutorial clock to the snapshot's instant before moto loads, so a job
    keeps its place in the tutorial's order; one past due is due at once.
    """
    now = config.tutorial_now_ms()
    for job in jobs:
        job.timer = None
        job.control_url = None
        remaining_ms = max(0.0, job.due_ms - now)
        if config.control_url() is None:  # local timers count real time; after() takes tutorial seconds
            seconds = remaining_ms / 1000.0 * config.time_scale()
        else:
            seconds = remaining_ms / 1000.0
        _register(job, seconds)
    return jobs
