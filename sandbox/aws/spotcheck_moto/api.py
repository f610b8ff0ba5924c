"""The sandbox's own routes beside moto's ``/moto-api/``.

``/spotcheck-api/``: inspection, for tests and people.

    GET  /spotcheck-api/health
    GET  /spotcheck-api/spot-market?region=R[&account=A][&instanceType=T ...]
         every Spot pool of the region: prices, capacity, units in use, spare, reclaimed
    POST /spotcheck-api/spot-market/capacity
         {"region", "instanceType", "availabilityZone", "capacity": n | null}
         override a pool's capacity (null restores the model's), for tests and scenarios

``/_spotcheck/``: called by the sandbox daemon only.

    POST /_spotcheck/scheduler/<id>/fire   {"tutorialMs": T}
         run the deferred job ``<id>`` (``scheduler.after``) now, at tutorial instant T, and
         answer when it is done: 200, 404 for an id not pending (unknown, cancelled, fired),
         500 when the job failed (its traceback is in moto's log), 400 for a bad body
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs, unquote

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ec2.models import ec2_backends

from . import config, scheduler
from .ec2_spot import _used_fn, market

PREFIX = "/spotcheck-api/"
DAEMON_PREFIX = "/_spotcheck/"
_FIRE = re.compile(r"^/_spotcheck/scheduler/([^/]+)/fire$")


def _json(start_response: Callable[..., Any], status: str, body: Any) -> list[bytes]:
    data = json.dumps(body, indent=1).encode("utf-8")
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def handle(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "")
    method = environ.get("REQUEST_METHOD", "GET")
    query = parse_qs(environ.get("QUERY_STRING", ""))
    if path == PREFIX + "health":
        return _json(start_response, "200 OK", {"ok": True, "timeScale": config.time_scale(), "spotSeed": config.spot_seed(), "controlUrl": config.control_url()})
    if path == PREFIX + "spot-market" and method == "GET":
        region = (query.get("region") or [config.default_region()])[0]
        account = (query.get("account") or [DEFAULT_ACCOUNT_ID])[0]
        types = set(query.get("instanceType") or []) or None
        m = market()
        with m.lock:
            pools = m.snapshot(region, _used_fn(ec2_backends[account][region]), types)
        return _json(start_response, "200 OK", {"region": region, "account": account, "seed": m.seed, "pools": pools})
    if path == PREFIX + "spot-market/capacity" and method == "POST":
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = json.loads(environ["wsgi.input"].read(length) or b"{}")
            market().set_capacity(body.get("region") or config.default_region(), body["instanceType"], body["availabilityZone"], body.get("capacity"))
        except (KeyError, ValueError, TypeError) as e:
            return _json(start_response, "400 Bad Request", {"error": f"bad request: {e}"})
        return _json(start_response, "200 OK", {"ok": True})
    return _json(start_response, "404 Not Found", {"error": f"unknown path {path}"})


def handle_daemon(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "")
    match = _FIRE.match(path)
    if match is None or environ.get("REQUEST_METHOD") != "POST":
        return _json(start_response, "404 Not Found", {"error": f"unknown path {environ.get('REQUEST_METHOD')} {path}"})
    job_id = unquote(match.group(1))
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length) or b"{}")
        tutorial_ms = float(body["tutorialMs"])
    except (KeyError, ValueError, TypeError) as e:
        return _json(start_response, "400 Bad Request", {"error": f"bad fire request for {job_id}: body must be {{\"tutorialMs\": <epoch ms>}} ({e})"})
    try:
        fired = scheduler.fire(job_id, tutorial_ms)
    except Exception as e:  # logged by the scheduler; the daemon gets the gist
        return _json(start_response, "500 Internal Server Error", {"error": f"job {job_id} failed: {type(e).__name__}: {e}"})
    if not fired:
        return _json(start_response, "404 Not Found", {"error": f"no pending job {job_id} (unknown, cancelled or fired already)"})
    return _json(start_response, "200 OK", {"ok": True, "id": job_id, "tutorialMs": tutorial_ms})


def middleware(app: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(PREFIX):
            return handle(environ, start_response)
        if environ.get("PATH_INFO", "").startswith(DAEMON_PREFIX):
            return handle_daemon(environ, start_response)
        return app(environ, start_response)

    return wrapped
