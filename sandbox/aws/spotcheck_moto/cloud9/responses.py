"""Cloud9 JSON-protocol handlers (X-Amz-Target: AWSCloud9WorkspaceManagementService.<Action>)."""

from __future__ import annotations

import json
from typing import Any

from moto.core.responses import BaseResponse


class Cloud9Response(BaseResponse):
    def __init__(self) -> None:
        super().__init__(service_name="cloud9")

    @property
    def backend(self) -> Any:
        from .models import cloud9_backends

        return cloud9_backends[self.current_account][self.region]

    def create_environment_ec2(self) -> str:
        environment = self.backend.create_environment_ec2(
            name=self._get_param("name"),
            description=self._get_param("description"),
            instance_type=self._get_param("instanceType"),
            image_id=self._get_param("imageId"),
            subnet_id=self._get_param("subnetId"),
            automatic_stop_time_minutes=self._get_param("automaticStopTimeMinutes"),
            owner_arn=self._get_param("ownerArn"),
            connection_type=self._get_param("connectionType"),
            tags=self._get_param("tags"),
        )
        return json.dumps({"environmentId": environment.id})

    # moto turns the action CreateEnvironmentEC2 into this method name
    create_environment_e_c2 = create_environment_ec2

    def describe_environments(self) -> str:
        environments = self.backend.describe_environments(self._get_param("environmentIds") or [])
        return json.dumps({"environments": [e.to_dict() for e in environments]})

    def list_environments(self) -> str:
        ids, token = self.backend.list_environments(self._get_param("maxResults"), self._get_param("nextToken"))
        out: dict[str, Any] = {"environmentIds": ids}
        if token:
            out["nextToken"] = token
        return json.dumps(out)

    def describe_environment_status(self) -> str:
        return json.dumps(self.backend.describe_environment_status(self._get_param("environmentId")))

    def update_environment(self) -> str:
        self.backend.update_environment(
            self._get_param("environmentId"),
            self._get_param("name"),
            self._get_param("description"),
            self._get_param("managedCredentialsAction"),
        )
        return "{}"

    def delete_environment(self) -> str:
        self.backend.delete_environment(self._get_param("environmentId"))
        return "{}"
