"""moto's request routing, worked out once per host instead of on every request.

moto 5.2.1's server (``moto/moto_server/werkzeug_app.py``, ``DomainDispatcherApplication``) picks
the service of every request in ``get_backend_for_host``: it first asks whether the host is the
name of one of moto's service packages, which ``moto.backends.list_of_moto_modules`` answers by
listing moto's package directory and calling ``os.path.isdir`` on each of its ~180 entries; then
it tries the host against every service's URL patterns. For a host such as
``ec2.eu-west-2.amazonaws.com`` that is the whole listing and most of the patterns, on every
request, under the dispatcher's lock. A sandbox run makes thousands of requests (Terraform's
refreshes, the Karpenter twin's polling); 300 DescribeVpcs calls took 0.87–0.95 s of the
server's CPU, 0.64–0.65 s with the answer remembered.

The answer depends only on the host: moto's installed packages and URL patterns do not change
while the server runs. So ``Dispatcher`` remembers it per host, and otherwise routes exactly as
moto does (the test compares the two).
"""

from __future__ import annotations

from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication


class Dispatcher(DomainDispatcherApplication):
    """moto's DomainDispatcherApplication with ``get_backend_for_host`` remembered per host."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._backend_for_host: dict[str | None, Any] = {}

    def get_backend_for_host(self, host: str | None) -> Any:
        # moto calls this with its own lock held (get_application), so the dict needs no other.
        try:
            return self._backend_for_host[host]
        except KeyError:
            backend = self._backend_for_host[host] = super().get_backend_for_host(host)
            return backend
