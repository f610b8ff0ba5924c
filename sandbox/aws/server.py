"""Launch moto's server with spotcheck's extension (sandbox/aws/spotcheck_moto).

    python3 sandbox/aws/server.py --host 127.0.0.1 --port 0

Port 0 picks a free port. Once the socket listens, one line goes to stdout:

    spotcheck-moto ready {"endpoint": "http://127.0.0.1:45123", "port": 45123, "pid": 4242}

SIGTERM or SIGINT stop the server, cancel pending deferred jobs (FIS actions; those the
sandbox daemon's clock holds are cancelled there too, see spotcheck_moto/scheduler.py) and exit
with 0.
Configuration comes from the environment: SPOTCHECK_CONTROL_URL, SPOTCHECK_TIME_SCALE,
SPOTCHECK_SPOT_SEED, SPOTCHECK_REGION (see spotcheck_moto/config.py).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="moto server with spotcheck's extension")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)

    from spotcheck_moto import config

    config.time_scale()  # fail fast on a malformed SPOTCHECK_TIME_SCALE
    config.spot_seed()

    import spotcheck_moto
    from moto.moto_server.werkzeug_app import create_backend_app

    spotcheck_moto.install()
    from spotcheck_moto import api, http_server, routing, scheduler, static_responses

    if not args.verbose:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    app = api.middleware(static_responses.middleware(routing.Dispatcher(create_backend_app)))
    server = http_server.serve(args.host, args.port, app)
    port = server.server_port
    # moto sends some requests to itself (e.g. CloudFormation custom resources)
    os.environ.setdefault("MOTO_PORT", str(port))

    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="moto-server", daemon=True)
    thread.start()
    ready = {"endpoint": f"http://{args.host}:{port}", "port": port, "pid": os.getpid()}
    print("spotcheck-moto ready " + json.dumps(ready), flush=True)

    while not stop.wait(0.1):
        if not thread.is_alive():
            print("spotcheck-moto: server thread ended unexpectedly", file=sys.stderr, flush=True)
            return 1
    scheduler.cancel_all()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    print("spotcheck-moto stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
