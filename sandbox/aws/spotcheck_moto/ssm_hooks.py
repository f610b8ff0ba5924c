"""SSM parameters under /spotcheck/ reported to the sandbox daemon.

The sandbox's Terraform fixture may use only the hashicorp/aws provider, so it records the
"helm releases" of the tutorial's cluster as SSM parameters under ``/spotcheck/``; the daemon
mirrors them into the Kubernetes side. A failed ``ssm.parameter.put`` hook fails PutParameter and
undoes the write: with ValidationException (HTTP 400, the daemon's message verbatim) when the
daemon refused the release (e.g. a chart version that does not exist: a client error, so the SDKs
and Terraform do not retry it), with InternalServerError (HTTP 500) otherwise. A failed
``ssm.parameter.deleted`` hook is only logged.
"""

from __future__ import annotations

from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.ssm.models import SimpleSystemManagerBackend

from . import hooks

PREFIX = "/spotcheck/"
class InternalServerError(JsonRESTError):
    code = 500

    def __init__(self, message: str):
        super().__init__("InternalServerError", message)


class ValidationException(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("ValidationException", message)


def install() -> None:
    """Patches moto; called once, by the package's install()."""
    original_put = SimpleSystemManagerBackend.put_parameter
    original_delete = SimpleSystemManagerBackend.delete_parameter
    original_delete_many = SimpleSystemManagerBackend.delete_parameters

    def put_parameter(self: Any, name: str, description: str, value: str, parameter_type: str, allowed_pattern: str, keyid: str, overwrite: bool, tags: list[dict[str, str]], data_type: str, tier: str | None, policies: str | None) -> Any:
        parameter = original_put(self, name, description, value, parameter_type, allowed_pattern, keyid, overwrite, tags, data_type, tier, policies)
        if name.startswith(PREFIX):
            body = {"accountId": self.account_id, "region": self.region_name, "name": name, "value": parameter.value, "type": parameter.parameter_type}
            try:
                hooks.post("ssm.parameter.put", body)
            except hooks.HookError as e:
                key = self._parameters.normalize_name(name)
                versions = self._parameters.get(key, [])
                if versions:
                    versions.pop()
                if not versions:
                    self._parameters.pop(key, None)
                if e.refused:
                    raise ValidationException(e.message or str(e)) from e
                raise InternalServerError(f"The sandbox could not record parameter {name}: {e}") from e
        return parameter

    def delete_parameter(self: Any, name: str) -> None:
        original_delete(self, name)
        if name.startswith(PREFIX):
            hooks.post_best_effort("ssm.parameter.deleted", {"accountId": self.account_id, "region": self.region_name, "name": name})

    def delete_parameters(self: Any, names: list[str]) -> list[str]:
        deleted = original_delete_many(self, names)
        for name in deleted:
            if name.startswith(PREFIX):
                hooks.post_best_effort("ssm.parameter.deleted", {"accountId": self.account_id, "region": self.region_name, "name": name})
        return deleted

    SimpleSystemManagerBackend.put_parameter = put_parameter  # type: ignore[method-assign]
    SimpleSystemManagerBackend.delete_parameter = delete_parameter  # type: ignore[method-assign]
    SimpleSystemManagerBackend.delete_parameters = delete_parameters  # type: ignore[method-assign]
