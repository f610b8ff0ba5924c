"""EC2's catalogue calls, answered from memory after the first time.

DescribeInstanceTypes and DescribeInstanceTypeOfferings answer from moto's bundled data, which
no call changes: the same request gets the same answer for the life of the process (a snapshot's
restore keeps the region and day, so it keeps them too). moto ignores MaxResults for instance
types and serialises all ~1,260 of them into XML on every call, about three seconds of CPU; the
Karpenter twin reads the catalogue on every start and again whenever its five-minute (tutorial
time) cache has expired, as upstream does, which at ×20 is every 15 s of real time. The first
answer to each distinct request (the action, its parameters and the region: moto's catalogue is
the same for every account) is kept, and later ones are served from it; only successful answers
are kept.

With ``SPOTCHECK_RESPONSE_CACHE_DIR`` set (the daemon sets ``<spotcheck home>/cache/aws-responses``)
the answers are also kept on disk, one file per request and moto version, so the next sandbox's
first read is a file's: a run of one section starts a fresh sandbox and restarts Karpenter at
once. A file is written whole under a temporary name and renamed, so sandboxes starting side by
side never read half of one; one that cannot be read is asked of moto again.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

CACHED_ACTIONS = frozenset({"DescribeInstanceTypes", "DescribeInstanceTypeOfferings"})

# SigV4: "Credential=<access key>/<date>/<region>/<service>/aws4_request"; the key is not part of
# the cache key (moto's catalogue is the same for every account).
_CREDENTIAL = re.compile(r"Credential=[^/]+/[^/]+/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request")


def _cache_key(environ: dict[str, Any], body: bytes) -> tuple[str, ...] | None:
    """The region and the sorted parameters of a POSTed EC2 catalogue call; None for anything else."""
    scope = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    if not scope or scope.group("service") != "ec2":
        return None
    params = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    action = dict(params).get("Action")
    if action not in CACHED_ACTIONS:
        return None
    return (scope.group("region"), *sorted(f"{k}={v}" for k, v in params))


Answer = tuple[str, list[tuple[str, str]], bytes]


class _Disk:
    """The answers kept in a directory, by request and moto version."""

    def __init__(self, directory: str) -> None:
        from moto import __version__

        self.directory = directory
        self.version = __version__

    def _path(self, key: tuple[str, ...]) -> str:
        digest = hashlib.sha256("\n".join((f"moto {self.version}", *key)).encode()).hexdigest()
        return os.path.join(self.directory, f"{digest}.json")

    def read(self, key: tuple[str, ...]) -> Answer | None:
        try:
            with open(self._path(key), encoding="utf-8") as f:
                saved = json.load(f)
            return saved["status"], [tuple(h) for h in saved["headers"]], base64.b64decode(saved["body"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write(self, key: tuple[str, ...], answer: Answer) -> None:
        status, headers, body = answer
        path = self._path(key)
        temporary = f"{path}.{os.getpid()}.{threading.get_ident()}.partial"
        try:
            os.makedirs(self.directory, exist_ok=True)
            with open(temporary, "w", encoding="utf-8") as f:
                json.dump({"status": status, "headers": headers, "body": base64.b64encode(body).decode()}, f)
            os.replace(temporary, path)
        except OSError:
            try:
                os.unlink(temporary)
            except OSError:
                pass


def middleware(app: Callable[..., Any], cache_dir: str | None = None) -> Callable[..., Any]:
    kept: dict[tuple[str, ...], Answer] = {}
    lock = threading.Lock()
    directory = cache_dir if cache_dir is not None else os.environ.get("SPOTCHECK_RESPONSE_CACHE_DIR")
    disk = _Disk(directory) if directory else None

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
        if hit is None and disk is not None:
            hit = disk.read(key)
            if hit is not None:
                with lock:
                    kept[key] = hit
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
            answer: Answer = (answered["status"], answered["headers"], content)
            with lock:
                kept[key] = answer
            if disk is not None:
                disk.write(key, answer)
        return [content]

    return wrapped
