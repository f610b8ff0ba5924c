"""FIS for the sandbox: experiments, the Spot interruption action, CloudFormation support."""

from __future__ import annotations


def install() -> None:
    from moto.cloudformation import parsing
    from moto.fis.models import fis_backends

    from . import cfn  # noqa: F401  (defining the class registers AWS::FIS::ExperimentTemplate)
    from .models import SpotcheckFISBackend

    # Backends are created lazily per account and region from this class; the URL table is
    # found next to it (spotcheck_moto/fis/urls.py).
    fis_backends.backend = SpotcheckFISBackend
    fis_backends.clear()
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
