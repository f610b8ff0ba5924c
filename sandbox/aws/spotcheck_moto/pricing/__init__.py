"""The AWS Price List Query API for the sandbox (moto 5.2.1 has none): EC2 On-Demand prices.

The aws target reads On-Demand prices with ``GetProducts`` (support/prices.ts); a rehearsal
(``-p aws-rehearsal``) runs that same code against the sandbox, so the sandbox answers the
Price List API from the table it already prices EC2 with (``fixtures/prices/ec2-on-demand-prices.json``).

``install()`` registers this package as moto's ``pricing`` service, the way ``cloud9/`` is
registered: the URL patterns of ``api.pricing.<region>.amazonaws.com`` (requests signed for
"pricing" reach it), and the backend ``pricing_backends`` (moto imports ``moto.pricing``, which
is this package). See models.py for what it answers.
"""

from __future__ import annotations

import re
import sys

from .models import pricing_backends

__all__ = ["install", "pricing_backends"]

URL_PATTERN = re.compile(r"https?://(api\.)?pricing\.(.+)\.amazonaws\.com")


def install() -> None:
    from moto import backend_index

    sys.modules.setdefault("moto.pricing", sys.modules[__name__])
    if not any(service == "pricing" for service, _ in backend_index.backend_url_patterns):
        backend_index.backend_url_patterns.append(("pricing", URL_PATTERN))
