"""FIS REST-JSON handlers for the operations moto 5.2.1 lacks (or answers with HTTP 500)."""

from __future__ import annotations

import json
from typing import Any

from moto.fis.models import fis_backends
from moto.fis.responses import FISResponse

from ..rest_json import RestJsonRequest, page


class SpotcheckFISResponse(RestJsonRequest, FISResponse):
    @property
    def fis_backend(self) -> Any:
        return fis_backends[self.current_account][self.region]

    # ---- templates -----------------------------------------------------------------------

    def get_experiment_template(self) -> str:
        template = self.fis_backend.get_experiment_template(self._get_param("id"))
        return json.dumps({"experimentTemplate": template})

    def list_experiment_templates(self) -> str:
        items, token = self.fis_backend.list_experiment_templates(self._query("maxResults"), self._query("nextToken"))
        return json.dumps(page("experimentTemplates", items, token))

    def update_experiment_template(self) -> str:
        changes = {k: v for k, v in self._body().items() if k != "id"}
        template = self.fis_backend.update_experiment_template(self._get_param("id"), changes)
        return json.dumps({"experimentTemplate": template})

    # ---- experiments ---------------------------------------------------------------------

    def start_experiment(self) -> str:
        body = self._body()
        experiment = self.fis_backend.start_experiment(
            template_id=body.get("experimentTemplateId"),
            client_token=body.get("clientToken"),
            experiment_options=body.get("experimentOptions"),
            tags=body.get("tags"),
        )
        return json.dumps({"experiment": experiment})

    def get_experiment(self) -> str:
        return json.dumps({"experiment": self.fis_backend.get_experiment(self._get_param("id"))})

    def list_experiments(self) -> str:
        items, token = self.fis_backend.list_experiments(
            self._query("experimentTemplateId"), self._query("maxResults"), self._query("nextToken")
        )
        return json.dumps(page("experiments", items, token))

    def stop_experiment(self) -> str:
        return json.dumps({"experiment": self.fis_backend.stop_experiment(self._get_param("id"))})

    def list_experiment_resolved_targets(self) -> str:
        items, token = self.fis_backend.list_resolved_targets(
            self._get_param("id"), self._query("targetName"), self._query("maxResults"), self._query("nextToken")
        )
        return json.dumps(page("resolvedTargets", items, token))

    # ---- catalogue -----------------------------------------------------------------------

    def list_actions(self) -> str:
        return json.dumps({"actions": self.fis_backend.list_actions()})

    def get_action(self) -> str:
        return json.dumps({"action": self.fis_backend.get_action(self._get_param("id"))})

    def list_target_resource_types(self) -> str:
        return json.dumps({"targetResourceTypes": self.fis_backend.list_target_resource_types()})

    def get_target_resource_type(self) -> str:
        resource_type = self._get_param("resourceType")
        return json.dumps({"targetResourceType": self.fis_backend.get_target_resource_type(resource_type)})
