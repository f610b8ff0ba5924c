"""The HTTP server moto answers through: werkzeug's, with each answer sent in one write.

werkzeug's request handler writes a response's status line and headers with one ``send`` and
its body with another (the socket is unbuffered: ``socketserver.StreamRequestHandler.wbufsize``
is 0), and moto's server runs many request threads, so on a loaded machine the body can follow
the headers by milliseconds. Terraform's AWS provider (aws-sdk-go-v2 1.36, provider 5.100.0)
sometimes gives up on an answer that arrives that way: captured on loopback, it closed the
connection milliseconds after the headers without reading the body, and sent the same
request again (``amz-sdk-request: attempt=2``). The first attempt had already been carried out,
so a create called twice makes two things: one CI run's ``terraform apply`` of the fixture
allocated two Elastic IPs for its one ``aws_eip``. With a buffered writer the headers wait for
the body and both leave in one ``send`` (werkzeug flushes after every body chunk); answers
larger than the buffer still go out in pieces, and those are reads (the EC2 catalogue), which a
retry repeats harmlessly.

Measured beside four busy loops on two cores: 7 of 12 applies of the fixture had such a retry
with werkzeug's handler, 0 of 6 with this one. Which check in the provider's HTTP stack drops
the answer was not traced; the fix removes the gap it reacts to.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

# Large enough for every answer that creates something (they are a few KiB at most).
WRITE_BUFFER_BYTES = 256 * 1024


class WholeAnswerHandler(WSGIRequestHandler):
    """werkzeug's handler with a buffered ``wfile``: headers and body leave together."""

    wbufsize = WRITE_BUFFER_BYTES
    # socketserver's advice for a buffered wfile: the buffer already makes the segments large,
    # and Nagle's algorithm would hold back the last piece of a larger answer for an ACK.
    disable_nagle_algorithm = True


def serve(host: str, port: int, app: Callable[..., Any]) -> BaseWSGIServer:
    """A threaded server for ``app`` on ``host:port`` (0 picks a free port), not yet serving."""
    return make_server(host, port, app, threaded=True, request_handler=WholeAnswerHandler)
