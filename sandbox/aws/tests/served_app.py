"""A WSGI app served on a free loopback port by moto's own server (http_server.serve), in a thread."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from spotcheck_moto import http_server


class ServedApp:
    def __init__(self, app: Callable[..., Any]) -> None:
        self.server = http_server.serve("127.0.0.1", 0, app)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
