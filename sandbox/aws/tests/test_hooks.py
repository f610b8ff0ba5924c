"""The hook client against a tiny fake control server."""

from __future__ import annotations

import contextlib
import io
import json
import os
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from spotcheck_moto import hooks


class FakeControl:
    """Records hook posts; answers with a scripted status/body, optionally slowly."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.status = 200
        self.answer: bytes = b'{"ok": true}'
        self.delay = 0.0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                fake.received.append((self.path, body))
                time.sleep(fake.delay)
                self.send_response(fake.status)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(fake.answer)

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # the timeout test's client hangs up before the answer: expected

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class HooksTest(unittest.TestCase):
    def setUp(self) -> None:
        self.fake = FakeControl()
        self.saved = os.environ.get("SPOTCHECK_CONTROL_URL")
        os.environ["SPOTCHECK_CONTROL_URL"] = self.fake.url + "/"

    def tearDown(self) -> None:
        self.fake.close()
        if self.saved is None:
            os.environ.pop("SPOTCHECK_CONTROL_URL", None)
        else:
            os.environ["SPOTCHECK_CONTROL_URL"] = self.saved

    def test_posts_json_to_the_event_path_and_returns_the_answer(self) -> None:
        self.fake.answer = b'{"endpoint": "https://127.0.0.1:6443", "certificateAuthorityData": "Q0E="}'
        answer = hooks.post("eks.cluster.created", {"name": "c1"})
        self.assertEqual(answer["endpoint"], "https://127.0.0.1:6443")
        self.assertEqual(self.fake.received, [("/v1/hooks/eks.cluster.created", {"name": "c1"})])

    def test_empty_answer_is_none(self) -> None:
        self.fake.answer = b""
        self.assertIsNone(hooks.post("eks.addon.created", {}))

    def test_http_error_raises(self) -> None:
        self.fake.status = 503
        self.fake.answer = b'{"error": "daemon busy"}'
        with self.assertRaises(hooks.HookError) as ctx:
            hooks.post("eks.nodegroup.created", {})
        self.assertIn("HTTP 503", str(ctx.exception))
        self.assertIn("daemon busy", str(ctx.exception))

    def test_a_refusal_carries_the_daemons_status_and_message(self) -> None:
        self.fake.status = 422
        self.fake.answer = b'{"error": "could not download chart: public.ecr.aws/karpenter/karpenter:1.2.3: not found"}'
        with self.assertRaises(hooks.HookError) as ctx:
            hooks.post("ssm.parameter.put", {})
        self.assertTrue(ctx.exception.refused)
        self.assertEqual(ctx.exception.status, 422)
        self.assertEqual(ctx.exception.message, "could not download chart: public.ecr.aws/karpenter/karpenter:1.2.3: not found")
        self.fake.status = 503
        self.fake.answer = b'{"error": "daemon busy"}'
        with self.assertRaises(hooks.HookError) as ctx:
            hooks.post("ssm.parameter.put", {})
        self.assertFalse(ctx.exception.refused)

    def test_non_json_answer_raises(self) -> None:
        self.fake.answer = b"<html>"
        with self.assertRaises(hooks.HookError):
            hooks.post("eks.nodegroup.created", {})

    def test_timeout_raises(self) -> None:
        saved = hooks.TIMEOUT_SECONDS
        hooks.TIMEOUT_SECONDS = 0.2
        self.fake.delay = 0.5
        try:
            with self.assertRaises(hooks.HookError):
                hooks.post("eks.nodegroup.created", {})
        finally:
            hooks.TIMEOUT_SECONDS = saved

    def test_unreachable_daemon_raises(self) -> None:
        with self.assertRaises(hooks.HookError):
            hooks.post("x", {}, control_url="http://127.0.0.1:9")

    def test_best_effort_swallows_errors(self) -> None:
        self.fake.status = 500
        with contextlib.redirect_stderr(io.StringIO()) as err:
            hooks.post_best_effort("eks.cluster.deleted", {"name": "c1"})
        self.assertIn("warning", err.getvalue())
        self.assertEqual(len(self.fake.received), 1)

    def test_no_control_url_sends_nothing(self) -> None:
        os.environ.pop("SPOTCHECK_CONTROL_URL")
        self.assertFalse(hooks.enabled())
        self.assertIsNone(hooks.post("eks.cluster.created", {"name": "c1"}))
        self.assertEqual(self.fake.received, [])


if __name__ == "__main__":
    unittest.main()
