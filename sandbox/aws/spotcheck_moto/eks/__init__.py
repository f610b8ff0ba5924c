"""EKS for the sandbox (see models.py)."""

from __future__ import annotations


def install() -> None:
    from moto.eks.models import eks_backends

    from .models import SpotcheckEKSBackend

    # moto finds the URL table next to the backend class: spotcheck_moto/eks/urls.py
    eks_backends.backend = SpotcheckEKSBackend
    eks_backends.clear()
