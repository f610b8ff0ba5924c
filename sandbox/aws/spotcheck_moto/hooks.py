"""Client for the sandbox daemon's hook endpoint.

moto owns the AWS side of the sandbox, the daemon owns the Kubernetes side. When an AWS call
creates something the Kubernetes side must mirror (an EKS cluster, a node group, an add-on, a
"helm release" recorded in SSM), moto tells the daemon with ``POST
${SPOTCHECK_CONTROL_URL}/v1/hooks/<event>`` and a JSON body.

Hooks are posted from the request thread, outside every lock of this package, because the
daemon may call back into moto while it handles one (only ``eks.cluster.created`` is answered
synchronously; the daemon handles the others asynchronously).

Only the standard library is used so a unit test can point this at a tiny fake server.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from typing import Any

from . import config

TIMEOUT_SECONDS = 5.0


class HookError(Exception):
    """The daemon could not be reached, or answered with an error.

    ``status`` is the daemon's HTTP status when it answered (None otherwise); ``message`` its
    ``{"error": ...}`` text when it gave one. A 4xx status means the request itself was refused
    (e.g. a chart version that does not exist), so the AWS call should fail as a client error.
    """

    def __init__(self, event: str, detail: str, status: int | None = None, message: str | None = None):
        super().__init__(f"sandbox hook {event} failed: {detail}")
        self.event = event
        self.detail = detail
        self.status = status
        self.message = message

    @property
    def refused(self) -> bool:
        return self.status is not None and 400 <= self.status < 500 and bool(self.message)


def enabled() -> bool:
    return config.control_url() is not None


def post(event: str, body: dict[str, Any], control_url: str | None = None) -> Any:
    """POST one hook and return the daemon's JSON answer (None for an empty body).

    Returns None without sending anything when no control URL is configured.
    Raises HookError on a network error, a timeout, a non-2xx status or a non-JSON answer.
    """
    base = control_url if control_url is not None else config.control_url()
    if not base:
        return None
    url = f"{base.rstrip('/')}/v1/hooks/{event}"
    data = json.dumps(body, default=str).encode("utf-8")
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"content-type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            raw = response.read()
    except urllib.error.HTTPError as e:
        text = e.read().decode("utf-8", "replace")[:2000]
        raise HookError(event, f"HTTP {e.code} from {url}: {text[:500]}", e.code, _error_message(text)) from e
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        raise HookError(event, f"{url}: {e}") from e
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError as e:
        raise HookError(event, f"answer from {url} is not JSON: {raw[:200]!r}") from e


def _error_message(text: str) -> str | None:
    """The daemon's ``{"error": "..."}`` message, if the answer is one."""
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    message = parsed.get("error") if isinstance(parsed, dict) else None
    return message if isinstance(message, str) else None


def post_best_effort(event: str, body: dict[str, Any]) -> None:
    """Post a hook whose failure must not fail the AWS call (deletions during teardown)."""
    try:
        post(event, body)
    except HookError as e:
        print(f"spotcheck-moto: warning: {e}", file=sys.stderr)
