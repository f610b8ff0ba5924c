"""A fake sandbox daemon for the extension's tests: the control API moto talks to.

It answers ``GET /v1/clock`` (the tutorial instant it is told), takes moto's jobs on
``POST /v1/clock/after`` and their cancellations on ``DELETE /v1/clock/after/<id>``, records the
hooks moto reports (``POST /v1/hooks/<event>``; a created EKS cluster gets ``FAKE_ENDPOINT``
and ``FAKE_CA``), and fires a job the way the daemon does (``fire``). A tiny http.server on a
free port; ``close()`` stops it.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

T0 = 1_900_000_000_000  # a tutorial instant far from the wall clock, so a mix-up shows
FAKE_ENDPOINT = "https://127.0.0.1:6443"
FAKE_CA = "Q0EgZGF0YQ=="


class FakeDaemon:
    def __init__(self) -> None:
        self.tutorial_ms = float(T0)
        self.after: list[dict[str, Any]] = []
        self.deleted: list[str] = []
        self.hooks: list[str] = []
        self.clock_reads = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int, body: Any = None) -> None:
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path == "/v1/clock":
                    fake.clock_reads += 1
                    self._answer(200, {"tutorialMs": fake.tutorial_ms, "wallMs": time.time() * 1000, "scale": 20, "epochMs": T0})
                else:
                    self._answer(404, {"error": "no such path"})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"] or 0)) or b"{}")
                if self.path == "/v1/clock/after":
                    fake.after.append(body)
                    self._answer(204)
                elif self.path.startswith("/v1/hooks/"):
                    event = self.path[len("/v1/hooks/") :]
                    fake.hooks.append(event)
                    if event == "eks.cluster.created":
                        self._answer(200, {"endpoint": FAKE_ENDPOINT, "certificateAuthorityData": FAKE_CA})
                    else:
                        self._answer(200, {"ok": True})
                else:
                    self._answer(404, {"error": "no such path"})

            def do_DELETE(self) -> None:
                prefix = "/v1/clock/after/"
                if self.path.startswith(prefix):
                    fake.deleted.append(self.path[len(prefix) :])
                    self._answer(204)
                else:
                    self._answer(404, {"error": "no such path"})

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def fire(self, moto_url: str, job_id: str, tutorial_ms: float) -> tuple[int, dict[str, Any]]:
        """What the daemon does when a job is due: POST the fire and wait for the answer."""
        request = urllib.request.Request(
            f"{moto_url}/_spotcheck/scheduler/{job_id}/fire",
            data=json.dumps({"tutorialMs": tutorial_ms}).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as e:
            return e.code, json.load(e)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
