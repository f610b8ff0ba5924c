"""Price List JSON-protocol handlers (X-Amz-Target: AWSPriceListService.<Action>)."""

from __future__ import annotations

import json
from typing import Any

from moto.core.responses import BaseResponse


class PricingResponse(BaseResponse):
    def __init__(self) -> None:
        super().__init__(service_name="pricing")

    @property
    def backend(self) -> Any:
        from .models import SERVED_REGIONS, EndpointNotServed, pricing_backends

        if self.region not in SERVED_REGIONS:
            raise EndpointNotServed(self.region)
        return pricing_backends[self.current_account][self.region]

    def get_products(self) -> str:
        items, token = self.backend.get_products(
            service_code=self._get_param("ServiceCode"),
            filters=self._get_param("Filters") or [],
            format_version=self._get_param("FormatVersion"),
            next_token=self._get_param("NextToken"),
            max_results=self._get_param("MaxResults"),
        )
        out: dict[str, Any] = {"FormatVersion": "aws_v1", "PriceList": items}
        if token:
            out["NextToken"] = token
        return json.dumps(out)

    def describe_services(self) -> str:
        services, token = self.backend.describe_services(
            service_code=self._get_param("ServiceCode"),
            format_version=self._get_param("FormatVersion"),
            next_token=self._get_param("NextToken"),
            max_results=self._get_param("MaxResults"),
        )
        out: dict[str, Any] = {"FormatVersion": "aws_v1", "Services": services}
        if token:
            out["NextToken"] = token
        return json.dumps(out)

    def get_attribute_values(self) -> str:
        values, token = self.backend.get_attribute_values(
            service_code=self._get_param("ServiceCode"),
            attribute_name=self._get_param("AttributeName"),
            next_token=self._get_param("NextToken"),
            max_results=self._get_param("MaxResults"),
        )
        out: dict[str, Any] = {"AttributeValues": [{"Value": v} for v in values]}
        if token:
            out["NextToken"] = token
        return json.dumps(out)
