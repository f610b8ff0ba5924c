"""``/spotcheck-api/``: the sandbox's own inspection endpoint beside moto's ``/moto-api/``.

    GET  /spotcheck-api/health
    GET  /spotcheck-api/spot-market?region=R[&account=A][&instanceType=T ...]
         every Spot pool of the region: prices, capacity, units in use, spare, reclaimed
    POST /spotcheck-api/spot-market/capacity
         {"region", "instanceType", "availabilityZone", "capacity": n | null}
         override a pool's capacity (null restores the model's), for tests and scenarios
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ec2.models import ec2_backends

from . import config
from .ec2_spot import _used_fn, market

PREFIX = "/spotcheck-api/"


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


def middleware(app: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(PREFIX):
            return handle(environ, start_response)
        return app(environ, start_response)

    return wrapped
