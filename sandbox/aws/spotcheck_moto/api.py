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
    POST /_spotcheck/snapshot/save   {"path": "/abs/aws-state.pickle"}
         write every backend, the Spot market and the pending jobs to ``path`` (snapshot.py):
         200 {"bytes", "services", "pendingJobs": [{"id", "name", "dueTutorialMs"}]}
    POST /_spotcheck/snapshot/load   {"path": "/abs/aws-state.pickle"}
         replace them with the file's, pending jobs registered again with their remaining
         delay: 200 {"services", "pendingJobs"}; 409 for a file of another format or moto
         version (the message names both), 400 for a bad body or a file that is no snapshot
    POST /_spotcheck/snapshot/check  {"path": "/abs/aws-state.pickle"}
         whether ``load`` would take the file (its header, its compressed payload), changing
         nothing: the daemon asks before it closes its clusters and moves its clock, so a
         refused file leaves the sandbox as it was. 200 {"ok": true}; 409 and 400 as for load
    POST /_spotcheck/eks/cluster-endpoint
         {"name", "endpoint", "region"?, "accountId"?, "certificateAuthorityData"?}
         point an EKS cluster at its API server anew (a restored cluster whose saved port was
         taken serves elsewhere; DescribeCluster, hence update-kubeconfig, must say where):
         200 {"name", "endpoint", "previousEndpoint"}, 404 for no such cluster
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs, unquote

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ec2.models import ec2_backends

from . import config, scheduler, snapshot
from .ec2_spot import _used_fn, market

PREFIX = "/spotcheck-api/"
DAEMON_PREFIX = "/_spotcheck/"
_FIRE = re.compile(r"^/_spotcheck/scheduler/([^/]+)/fire$")
SNAPSHOT_SAVE = DAEMON_PREFIX + "snapshot/save"
SNAPSHOT_LOAD = DAEMON_PREFIX + "snapshot/load"
SNAPSHOT_CHECK = DAEMON_PREFIX + "snapshot/check"
_SNAPSHOT_ACTIONS = {SNAPSHOT_SAVE: "save", SNAPSHOT_LOAD: "load", SNAPSHOT_CHECK: "check"}
CLUSTER_ENDPOINT = DAEMON_PREFIX + "eks/cluster-endpoint"


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


def _snapshot(environ: dict[str, Any], start_response: Callable[..., Any], action: str) -> Iterable[bytes]:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length) or b"{}")
        path = body["path"]
        if not isinstance(path, str) or not os.path.isabs(path):
            raise ValueError(f"path must be an absolute file path, got {path!r}")
    except (KeyError, ValueError, TypeError) as e:
        return _json(start_response, "400 Bad Request", {"error": f"bad snapshot {action} request: body must be {{\"path\": \"/abs/file\"}} ({e})"})
    try:
        if action == "check":
            snapshot.read_header(path)
            answer: Any = {"ok": True}
        else:
            answer = snapshot.save(path) if action == "save" else snapshot.load(path)
    except snapshot.SnapshotFormatError as e:
        return _json(start_response, "409 Conflict", {"error": str(e)})
    except snapshot.SnapshotError as e:
        status = "500 Internal Server Error" if action == "save" else "400 Bad Request"
        return _json(start_response, status, {"error": str(e)})
    except OSError as e:
        return _json(start_response, "500 Internal Server Error", {"error": f"snapshot {action} {path}: {e}"})
    return _json(start_response, "200 OK", answer)


def _cluster_endpoint(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    from moto.eks.models import eks_backends

    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length) or b"{}")
        name, endpoint = body["name"], body["endpoint"]
        if not isinstance(name, str) or not isinstance(endpoint, str) or not endpoint.startswith("https://"):
            raise ValueError(f"name must be a string and endpoint an https:// URL, got {name!r}, {endpoint!r}")
        region = body.get("region") or config.default_region()
        account = body.get("accountId") or DEFAULT_ACCOUNT_ID
    except (KeyError, ValueError, TypeError) as e:
        return _json(start_response, "400 Bad Request", {"error": f"bad cluster-endpoint request: body must be {{\"name\", \"endpoint\"}} ({e})"})
    cluster = eks_backends[account][region].clusters.get(name)
    if cluster is None:
        return _json(start_response, "404 Not Found", {"error": f"no EKS cluster {name} in account {account}, region {region}"})
    previous = cluster.endpoint
    cluster.endpoint = endpoint
    if body.get("certificateAuthorityData"):
        cluster.certificate_authority = {"data": body["certificateAuthorityData"]}
    return _json(start_response, "200 OK", {"name": name, "endpoint": endpoint, "previousEndpoint": previous})


def handle_daemon(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "")
    if path in _SNAPSHOT_ACTIONS and environ.get("REQUEST_METHOD") == "POST":
        return _snapshot(environ, start_response, _SNAPSHOT_ACTIONS[path])
    if path == CLUSTER_ENDPOINT and environ.get("REQUEST_METHOD") == "POST":
        return _cluster_endpoint(environ, start_response)
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
