"""EC2 On-Demand products of the AWS Price List Query API, answered from the sandbox's price table.

What the aws target's price source (support/prices.ts) and Karpenter-style clients ask:
``GetProducts`` for ``AmazonEC2`` with filters, pages of ``MaxResults`` (1-100, default 100)
chained by ``NextToken``; ``DescribeServices`` and ``GetAttributeValues`` for AmazonEC2's
attributes. Shapes follow botocore's pricing 2017-10-15 model and the AWS Price List docs:
"GetProducts" (https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html)
— each ``PriceList`` entry is a JSON *string* holding ``product`` (``productFamily``,
``attributes``, ``sku``), ``serviceCode``, ``terms.OnDemand.<sku>.<offerTermCode>.priceDimensions
.<rateCode>.pricePerUnit.USD`` (a decimal string), ``version`` and ``publicationDate`` — and
"Reading the service price list file" in the AWS Billing user guide (the same product and
term layout, and the attribute names: ``instanceType``, ``location``, ``regionCode``,
``operatingSystem``, ``tenancy``, ``preInstalledSw``, ``capacitystatus``, ``marketoption``, …).

The prices are the sandbox's own (fixtures/prices/ec2-on-demand-prices.json): the same numbers the
sandbox's EC2 (spot_market.py) and Karpenter twin price instances with, so a rehearsal's
"cheapest On-Demand type" check compares like with like. A region without its own table gets
us-east-1's prices, as everywhere else in the sandbox.

Per (region, instance type) the catalogue holds the three Linux products AWS lists, which a
client must tell apart with ``capacitystatus`` (Price List attribute values): ``Used`` (the
On-Demand price), ``UnusedCapacityReservation`` (the same price: an unused reservation is billed
at the On-Demand rate) and ``AllocatedCapacityReservation`` ($0: the reservation is what is
billed). Bare metal types are listed as Karpenter's pricing provider queries them
(aws/karpenter-provider-aws pkg/providers/pricing/pricing.go: tenancy ``Dedicated``,
productFamily ``Compute Instance (bare metal)``), since the table's metal prices came from it.

Approximations, said plainly: only AmazonEC2 exists (another service code → NotFoundException;
AWS has ~200); only Linux, no Windows/RHEL/SUSE or Dedicated non-metal products (their prices
are not in the table); attributes the table cannot vouch for (vcpu, memory, usagetype, …) are
absent; SKUs are the sandbox's own stable 16-character codes; ``TERM_MATCH``/``EQUALS`` compare
exactly (field names case-insensitively, as ``serviceCode``/``ServiceCode`` both work on AWS);
``ANY_OF``/``NONE_OF`` take a comma-separated value list. The Price List Query API is served only
in us-east-1, eu-central-1 and ap-south-1 (botocore endpoints.json, ``api.pricing``; AWS Billing
user guide "Using the AWS Price List Bulk API", Endpoints): a request signed for another region is refused
here, where AWS would have no such host — so a client that forgets to pick a Price List region
fails in the rehearsal too.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from typing import Any

from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.exceptions import JsonRESTError

from ..spot_market import DATA_FILE

SERVICE_CODE = "AmazonEC2"
FORMAT_VERSION = "aws_v1"
SERVED_REGIONS = ("us-east-1", "eu-central-1", "ap-south-1")
FALLBACK_REGION = "us-east-1"
MAX_RESULTS = 100
#: The On-Demand offer term code and rate code suffix AWS uses for every On-Demand price.
ON_DEMAND_TERM = "JRTCKXETXF"
RATE_CODE = "6YS6EN2CT7"
FILTER_TYPES = ("TERM_MATCH", "EQUALS", "CONTAINS", "ANY_OF", "NONE_OF")
#: capacitystatus -> (price factor, how the price dimension's description names it)
CAPACITY_STATUSES = {
    "Used": (1.0, "On Demand"),
    "UnusedCapacityReservation": (1.0, "Unused Reservation"),
    "AllocatedCapacityReservation": (0.0, "Reservation"),
}


class PricingError(JsonRESTError):
    code = 400


class InvalidParameterException(PricingError):
    def __init__(self, message: str):
        super().__init__("InvalidParameterException", message)


class InvalidNextTokenException(PricingError):
    def __init__(self, message: str):
        super().__init__("InvalidNextTokenException", message)


class NotFoundException(PricingError):
    def __init__(self, message: str):
        super().__init__("NotFoundException", message)


class EndpointNotServed(PricingError):
    """Not an AWS error: AWS has no api.pricing host in other regions (the SDK fails to connect)."""

    def __init__(self, region: str):
        super().__init__(
            "UnknownEndpoint",
            f"api.pricing.{region}.amazonaws.com does not exist: the AWS Price List Query API is served only in {', '.join(SERVED_REGIONS)}",
        )


# ---- the catalogue ------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _table(path: str = DATA_FILE) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


@functools.lru_cache(maxsize=1)
def region_locations() -> dict[str, str]:
    """regionCode -> the Price List's ``location`` for every region of the aws partition.

    botocore's endpoints.json names the regions ("Europe (London)"); the Price List still uses
    the older "EU (London)" for European regions, as in its location attribute values."""
    import botocore

    with open(os.path.join(os.path.dirname(botocore.__file__), "data", "endpoints.json"), encoding="utf-8") as f:
        partitions = json.load(f)["partitions"]
    aws = next(p for p in partitions if p["partition"] == "aws")
    return {region: info.get("description", region).replace("Europe (", "EU (") for region, info in sorted(aws["regions"].items())}


def table_for(region: str) -> tuple[dict[str, float], str]:
    """The region's prices and the date they were read (us-east-1's table if it has none)."""
    regions = _table()["regions"]
    entry = regions.get(region) or regions[FALLBACK_REGION]
    return entry["prices"], entry.get("retrievedAt", "")


def _sku(*parts: str) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return "".join(alphabet[b % 32] for b in digest[:16])


def product(region: str, instance_type: str, capacity_status: str, price: float, retrieved_at: str) -> dict[str, Any]:
    """One PriceList entry (as a dict; GetProducts sends it as a JSON string)."""
    metal = instance_type.endswith(".metal") or ".metal-" in instance_type
    tenancy = "Dedicated" if metal else "Shared"
    sku = _sku(region, instance_type, tenancy, capacity_status)
    factor, described = CAPACITY_STATUSES[capacity_status]
    usd = price * factor
    term = f"{sku}.{ON_DEMAND_TERM}"
    stamp = retrieved_at.replace("-", "") + "000000" if retrieved_at else "00000000000000"
    effective = f"{retrieved_at}T00:00:00Z" if retrieved_at else "1970-01-01T00:00:00Z"
    tenancy_word = "Dedicated " if metal else ""
    return {
        "product": {
            "productFamily": "Compute Instance (bare metal)" if metal else "Compute Instance",
            "attributes": {
                "servicecode": SERVICE_CODE,
                "servicename": "Amazon Elastic Compute Cloud",
                "location": region_locations().get(region, region),
                "locationType": "AWS Region",
                "regionCode": region,
                "instanceType": instance_type,
                "operatingSystem": "Linux",
                "tenancy": tenancy,
                "preInstalledSw": "NA",
                "licenseModel": "No License required",
                "capacitystatus": capacity_status,
                "marketoption": "OnDemand",
                "operation": "RunInstances",
            },
            "sku": sku,
        },
        "serviceCode": SERVICE_CODE,
        "terms": {
            "OnDemand": {
                term: {
                    "priceDimensions": {
                        f"{term}.{RATE_CODE}": {
                            "unit": "Hrs",
                            "endRange": "Inf",
                            "description": f"${usd:.4f} per {described} Linux {instance_type} {tenancy_word}Instance Hour",
                            "appliesTo": [],
                            "rateCode": f"{term}.{RATE_CODE}",
                            "beginRange": "0",
                            "pricePerUnit": {"USD": f"{usd:.10f}"},
                        }
                    },
                    "sku": sku,
                    "effectiveDate": effective,
                    "offerTermCode": ON_DEMAND_TERM,
                    "termAttributes": {},
                }
            }
        },
        "version": stamp,
        "publicationDate": effective,
    }


def products(region: str, instance_types: Iterable[str] | None = None) -> Iterator[dict[str, Any]]:
    """The region's products, of the given types only if named (sorted, so pages are stable)."""
    prices, retrieved_at = table_for(region)
    for instance_type in sorted(prices if instance_types is None else set(instance_types) & set(prices)):
        for status in CAPACITY_STATUSES:
            yield product(region, instance_type, status, prices[instance_type], retrieved_at)


# ---- filters ------------------------------------------------------------------------------


def _field(item: dict[str, Any], field: str) -> str | None:
    key = field.lower()
    if key == "servicecode":
        return item["serviceCode"]
    if key in ("productfamily", "sku"):
        return item["product"]["productFamily" if key == "productfamily" else "sku"]
    for name, value in item["product"]["attributes"].items():
        if name.lower() == key:
            return value
    return None


def check_filters(filters: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    out = []
    for i, f in enumerate(filters):
        kind, field, value = f.get("Type"), f.get("Field"), f.get("Value")
        if kind not in FILTER_TYPES:
            raise InvalidParameterException(f"Filters[{i}].Type {kind!r} is not valid: use one of {', '.join(FILTER_TYPES)}")
        if not field or value is None:
            raise InvalidParameterException(f"Filters[{i}] needs a Field and a Value")
        out.append((kind, field, value))
    return out


def matches(item: dict[str, Any], filters: list[tuple[str, str, str]]) -> bool:
    for kind, field, value in filters:
        actual = _field(item, field)
        if kind in ("TERM_MATCH", "EQUALS"):
            ok = actual == value
        elif kind == "CONTAINS":
            ok = actual is not None and value in actual
        else:
            listed = [v.strip() for v in value.split(",")]
            ok = (actual in listed) if kind == "ANY_OF" else (actual not in listed)
        if not ok:
            return False
    return True


def _exact(filters: list[tuple[str, str, str]], field: str) -> str | None:
    return next((v for k, f, v in filters if k in ("TERM_MATCH", "EQUALS") and f.lower() == field.lower()), None)


def candidates(filters: list[tuple[str, str, str]]) -> Iterator[dict[str, Any]]:
    """Products worth testing against the filters: narrowed by an exact region and type first."""
    locations = region_locations()
    region = _exact(filters, "regionCode")
    location = _exact(filters, "location")
    if region is not None:
        regions = [region] if region in locations else []
    elif location is not None:
        regions = [r for r, name in locations.items() if name == location]
    else:
        regions = list(locations)
    instance_type = _exact(filters, "instanceType")
    for r in regions:
        yield from products(r, None if instance_type is None else [instance_type])


# ---- pagination ---------------------------------------------------------------------------


def _page_size(max_results: int | None) -> int:
    if max_results is None:
        return MAX_RESULTS
    if not isinstance(max_results, int) or not 1 <= max_results <= MAX_RESULTS:
        raise InvalidParameterException(f"MaxResults {max_results!r} is not valid: 1 to {MAX_RESULTS}")
    return max_results


def _token(query: str, offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"q": query, "o": offset}).encode()).decode()


def _offset(query: str, token: str | None) -> int:
    if not token:
        return 0
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
        if decoded["q"] == query and isinstance(decoded["o"], int) and decoded["o"] >= 0:
            return decoded["o"]
    except (ValueError, KeyError, TypeError):
        pass
    raise InvalidNextTokenException("The NextToken is not valid for this request: pass the NextToken of the previous page of the same request, or none")


def page(query: str, items: Iterable[Any], next_token: str | None, max_results: int | None) -> tuple[list[Any], str | None]:
    size = _page_size(max_results)
    start = _offset(query, next_token)
    out: list[Any] = []
    more = False
    for i, item in enumerate(items):
        if i < start:
            continue
        if len(out) == size:
            more = True
            break
        out.append(item)
    return out, (_token(query, start + size) if more else None)


# ---- backend ------------------------------------------------------------------------------


class PricingBackend(BaseBackend):
    """One per served region (responses.py refuses the others before reaching a backend)."""

    @staticmethod
    def _service(service_code: str | None) -> None:
        if not service_code:
            raise InvalidParameterException("ServiceCode is required, e.g. AmazonEC2")
        if service_code != SERVICE_CODE:
            raise NotFoundException(f"Service {service_code} was not found: the sandbox's Price List has only {SERVICE_CODE}")

    @staticmethod
    def _format(format_version: str | None) -> None:
        if format_version not in (None, FORMAT_VERSION):
            raise InvalidParameterException(f"FormatVersion {format_version!r} is not valid: {FORMAT_VERSION}")

    def get_products(self, service_code: str | None, filters: list[dict[str, Any]], format_version: str | None, next_token: str | None, max_results: int | None) -> tuple[list[str], str | None]:
        self._service(service_code)
        self._format(format_version)
        checked = check_filters(filters)
        query = json.dumps(["GetProducts", service_code, checked])
        found = (item for item in candidates(checked) if matches(item, checked))
        items, token = page(query, found, next_token, max_results)
        return [json.dumps(item) for item in items], token

    def describe_services(self, service_code: str | None, format_version: str | None, next_token: str | None, max_results: int | None) -> tuple[list[dict[str, Any]], str | None]:
        self._format(format_version)
        if service_code:
            self._service(service_code)
        names = sorted({*next(products(FALLBACK_REGION))["product"]["attributes"], "productFamily"})
        return page(json.dumps(["DescribeServices", service_code]), [{"ServiceCode": SERVICE_CODE, "AttributeNames": names}], next_token, max_results)

    def get_attribute_values(self, service_code: str | None, attribute_name: str | None, next_token: str | None, max_results: int | None) -> tuple[list[str], str | None]:
        self._service(service_code)
        if not attribute_name:
            raise InvalidParameterException("AttributeName is required, e.g. instanceType")
        values = sorted(attribute_values(attribute_name))
        if not values:
            raise NotFoundException(f"Attribute {attribute_name} was not found for {SERVICE_CODE}")
        return page(json.dumps(["GetAttributeValues", service_code, attribute_name]), values, next_token, max_results)


def attribute_values(name: str) -> set[str]:
    key = name.lower()
    locations = region_locations()
    if key == "regioncode":
        return set(locations)
    if key == "location":
        return set(locations.values())
    if key == "instancetype":
        return {t for entry in _table()["regions"].values() for t in entry["prices"]}
    # Every other attribute has the same values in every region: read them off one region.
    return {v for item in products(FALLBACK_REGION) if (v := _field(item, name)) is not None}


pricing_backends = BackendDict(PricingBackend, "pricing")
