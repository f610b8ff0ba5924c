"""moto's HTTP server (http_server.py): an answer's headers and body leave in one write.

The socket class's send calls are recorded while a real server (a thread of this process)
answers a real client, so the test sees the writes the kernel was given, not how the client's
reads happened to split them.
"""

from __future__ import annotations

import logging
import socket
import threading
import unittest
import urllib.request
from typing import Any
from unittest import mock

from spotcheck_moto import http_server

from .served_app import ServedApp

BODY = b"<AllocateAddressResponse><allocationId>eipalloc-1</allocationId></AllocateAddressResponse>"


def _answer(body: bytes) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response("200 OK", [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))])
        return [body]

    return app


class SendSpy:
    """Every send/sendall made by a thread other than the test's own, in order."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.test_thread = threading.get_ident()
        self.lock = threading.Lock()
        self.patches = [
            mock.patch.object(socket.socket, name, self._spy(getattr(socket.socket, name))) for name in ("send", "sendall")
        ]

    def _spy(self, original: Any) -> Any:
        spy = self

        def sending(sock: socket.socket, data: Any, *rest: Any) -> Any:
            if threading.get_ident() != spy.test_thread:
                with spy.lock:
                    spy.writes.append(bytes(data))
            return original(sock, data, *rest)

        return sending

    def __enter__(self) -> SendSpy:
        for p in self.patches:
            p.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for p in self.patches:
            p.stop()


class OneWriteTest(unittest.TestCase):
    def setUp(self) -> None:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    def answer(self, body: bytes) -> list[bytes]:
        served = ServedApp(_answer(body))
        self.addCleanup(served.close)
        with SendSpy() as spy:
            request = urllib.request.Request(served.url + "/", data=b"Action=AllocateAddress&Domain=vpc", method="POST")
            with urllib.request.urlopen(request, timeout=10) as response:
                self.assertEqual(response.read(), body)
        return spy.writes

    def test_headers_and_body_leave_in_one_write(self) -> None:
        writes = self.answer(BODY)
        self.assertEqual(len(writes), 1, f"the answer left in {len(writes)} writes: {writes!r}")
        head, _, body = writes[0].partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 200 OK"), head)
        self.assertIn(b"Connection: close", head)
        self.assertEqual(body, BODY)

    def test_an_answer_larger_than_the_buffer_still_arrives_whole(self) -> None:
        body = b"x" * (http_server.WRITE_BUFFER_BYTES * 2 + 17)
        writes = self.answer(body)
        self.assertEqual(b"".join(writes).partition(b"\r\n\r\n")[2], body)


if __name__ == "__main__":
    unittest.main()
