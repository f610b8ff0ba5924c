"""Request reading shared by the REST-JSON handlers spotcheck adds to moto (EKS, FIS).

moto's ``_get_param`` covers path parameters; these read the JSON body and the query string the
way AWS does: a missing or non-object body reads as empty, a repeated query key keeps its values.
"""

from __future__ import annotations

import json
from typing import Any


class RestJsonRequest:
    """Mixin for a moto ``BaseResponse`` subclass (it provides ``body`` and ``querystring``)."""

    body: Any
    querystring: dict[str, Any]

    def _body(self) -> dict[str, Any]:
        try:
            body = json.loads(self.body or "{}")
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}

    def _query(self, name: str) -> Any:
        value = self.querystring.get(name)
        return value[0] if isinstance(value, list) and value else None

    def _query_bool(self, name: str) -> bool:
        return str(self._query(name) or "").lower() == "true"

    def _query_list(self, name: str) -> list[str]:
        value = self.querystring.get(name)
        return list(value) if isinstance(value, list) else []


def page(key: str, items: list[Any], next_token: str | None) -> dict[str, Any]:
    """A List* answer: the items under ``key``, and ``nextToken`` only when there is more."""
    out: dict[str, Any] = {key: items}
    if next_token:
        out["nextToken"] = next_token
    return out
