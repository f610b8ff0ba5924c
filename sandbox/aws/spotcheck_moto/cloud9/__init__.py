"""AWS Cloud9 for the sandbox (moto 5.2.1 has none): the environments the tutorial's Step 1 makes.

``install()`` registers this package as moto's ``cloud9`` service: the URL pattern
``cloud9.<region>.amazonaws.com`` (requests signed for "cloud9" reach it), the backend
``cloud9_backends`` (moto imports ``moto.cloud9``, which is this package), and the
CloudFormation type AWS::Cloud9::EnvironmentEC2 (cfn.py). See models.py for what it answers.
"""

from __future__ import annotations

import re
import sys

from .models import cloud9_backends

__all__ = ["cloud9_backends", "install"]

URL_PATTERN = re.compile(r"https?://cloud9\.(.+)\.amazonaws\.com")


def install() -> None:
    from moto import backend_index
    from moto.cloudformation import parsing

    from . import cfn  # noqa: F401  (defining the class registers AWS::Cloud9::EnvironmentEC2)

    sys.modules.setdefault("moto.cloud9", sys.modules[__name__])
    if not any(service == "cloud9" for service, _ in backend_index.backend_url_patterns):
        backend_index.backend_url_patterns.append(("cloud9", URL_PATTERN))
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
