"""EC2's catalogue calls, answered from memory after the first time.

DescribeInstanceTypes and DescribeInstanceTypeOfferings answer from moto's bundled data, which
no call changes: the same request gets the same answer for the life of the process (a snapshot's
restore keeps the region and day, so it keeps them too). moto ignores MaxResults for instance
types and serialises all ~1,260 of them into XML on every call, about three seconds of CPU; the
Karpenter twin reads the catalogue on every start and again whenever its five-minute (tutorial
time) cache has expired, as upstream does, which at ×20 is every 15 s of real time. The first
answer to each distinct request (the action, its parameters, the region and the caller's access
key) is kept, and later ones are served from it; only successful answers are kept.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

CACHED_ACTIONS = frozenset({"DescribeInstanceTypes", "DescribeInstanceTypeOfferings"})

# SigV4: "Credential=<access key>/<date>/<region>/<service>/aws4_request"
_CREDENTIAL = re.compile(r"Credential=([^/]+)/[^/]+/([^/]+)/([^/]+)/aws4_request")


def _cache_key(environ: dict[str, Any], body: bytes) -> tuple[str, ...] | None:
    if environ.get("REQUEST_METHOD") != "POST":
        return None
    scope = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    if not scope or scope.group(3) != "ec2":
        return None
    params = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    action = dict(params).get("Action")
    if action not in CACHED_ACTIONS:
        return None
    return (scope.group(1), scope.group(2), *sorted(f"{k}={v}" for k, v in params))


def middleware(app: Callable[..., Any]) -> Callable[..., Any]:
    kept: dict[tuple[str, ...], tuple[str, list[tuple[str, str]], bytes]] = {}
    lock = threading.Lock()

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)  # what moto reads next
        key = _cache_key(environ, body)
        if key is None:
            return app(environ, start_response)
        with lock:
            hit = kept.get(key)
        if hit is not None:
            status, headers, content = hit
            start_response(status, headers)
            return [content]
        answered: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], Any]:
            answered["status"], answered["headers"] = status, list(headers)
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        chunks = app(environ, capture)
        try:
            content = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close:
                close()
        if str(answered.get("status", "")).startswith("200"):
            with lock:
                kept[key] = (answered["status"], answered["headers"], content)
        return [content]

    return wrapped
