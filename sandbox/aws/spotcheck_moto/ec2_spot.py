"""The Spot market wired into moto's EC2: DescribeSpotPriceHistory, CreateFleet, RunInstances.

* DescribeSpotPriceHistory answers the model's prices (``spot_market``) instead of moto's flat
  dummy price, with EC2's filters and pagination.
* CreateFleet picks the override as EC2 would (price-capacity-optimized Spot, lowest-price
  On-Demand), consumes capacity, and answers ``Errors`` (InsufficientInstanceCapacity) when
  every requested Spot pool is full.
* Spot instances get a Spot request id (RunInstances with ``MarketType=spot`` too, as on AWS)
  and count against their pool's capacity while they are not terminated.
"""

from __future__ import annotations

import base64
import datetime as dt
import threading
from collections import Counter
from typing import Any

from moto.core.responses import ActionResult
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models import EC2Backend
from moto.ec2.models.fleets import Fleet
from moto.ec2.models.instance_types import INSTANCE_TYPE_OFFERINGS
from moto.ec2.models.spot_requests import SpotInstanceRequest
from moto.ec2.responses.fleets import Fleets
from moto.ec2.responses.spot_instances import SpotInstances
from moto.ec2.utils import convert_tag_spec, random_fleet_id, random_spot_request_id

from . import config
from .spot_market import Candidate, SpotMarket, load_on_demand_prices

# Instances that hold a unit of their pool's capacity.
_HOLDING_STATES = {"pending", "running", "stopping", "shutting-down"}
LINUX_DESCRIPTIONS = ("Linux/UNIX", "Linux/UNIX (Amazon VPC)")

_market: SpotMarket | None = None
_market_lock = threading.Lock()


def market() -> SpotMarket:
    """The process-wide market (built on first use from the price table and moto's offerings)."""
    global _market
    with _market_lock:
        if _market is None:
            offerings: dict[str, dict[str, set[str]]] = {}
            for region, rows in INSTANCE_TYPE_OFFERINGS["availability-zone"].items():
                zones = offerings.setdefault(region, {})
                for row in rows:
                    zones.setdefault(row["Location"], set()).add(row["InstanceType"])
            _market = SpotMarket(
                seed=config.spot_seed(),
                on_demand=load_on_demand_prices(),
                offerings=offerings,
            )
        return _market


def reset_market() -> None:
    global _market
    with _market_lock:
        _market = None


# ---- capacity accounting ----------------------------------------------------------------------


def spot_usage(backend: Any) -> Counter[tuple[str, str]]:
    """Units of Spot capacity in use per (instance type, zone) in one EC2 backend."""
    usage: Counter[tuple[str, str]] = Counter()
    for instance in backend.all_instances():
        if instance.lifecycle == "spot" and instance.state in _HOLDING_STATES:
            usage[(instance.instance_type, instance.availability_zone)] += 1
    return usage


def _used_fn(backend: Any):
    usage = spot_usage(backend)
    return lambda instance_type, zone: usage[(instance_type, zone)]


def _zone_of(backend: Any, subnet_id: str | None, placement: str | None) -> str:
    """The zone an instance launched with these arguments lands in (as moto's Instance decides)."""
    if subnet_id:
        return backend.get_subnet(subnet_id).availability_zone
    return placement or f"{backend.region_name}a"


def insufficient_capacity(instance_type: str, zone: str, region: str) -> EC2ClientError:
    others = [z for z in market().zones(region) if z != zone and market().offered(region, instance_type, z)]
    suggestion = f" or choosing {', '.join(others)}" if others else ""
    return EC2ClientError(
        "InsufficientInstanceCapacity",
        f"We currently do not have sufficient {instance_type} capacity in the Availability Zone you "
        f"requested ({zone}). Our system will be working on provisioning additional capacity. You can "
        f"currently get {instance_type} capacity by not specifying an Availability Zone in your "
        f"request{suggestion}.",
    )


# ---- Spot requests for Spot instances ---------------------------------------------------------

_original_launch_instance = SpotInstanceRequest.launch_instance


def _launch_instance(self: SpotInstanceRequest) -> Any:
    instance = _original_launch_instance(self)
    instance.spot_instance_request_id = self.id
    instance.spot_request = self
    return instance


class _AdoptedSpotRequest(SpotInstanceRequest):
    """The one-time Spot request EC2 creates behind RunInstances with MarketType=spot."""

    def __init__(self, backend: Any, instance: Any, options: dict[str, Any]):
        self._adopted_instance = instance
        spot = options.get("SpotOptions") or {}
        super().__init__(
            backend,
            random_spot_request_id(),
            spot.get("MaxPrice") or "",
            instance.image_id,
            spot.get("SpotInstanceType") or "one-time",
            None,
            None,
            None,
            None,
            instance.key_name,
            [],
            None,
            instance.instance_type,
            instance.availability_zone,
            None,
            None,
            False,
            instance.subnet_id,
            {},
            None,
            spot.get("InstanceInterruptionBehavior") or "terminate",
        )

    def launch_instance(self) -> Any:
        return self._adopted_instance


# ---- RunInstances: capacity check and Spot request ids -----------------------------------------

_original_run_instances = EC2Backend.run_instances


def _run_instances(self: Any, image_id: str, count: int, user_data: Any, security_group_names: list[str], **kwargs: Any) -> Any:
    spot_request_launch = kwargs.get("lifecycle") == "spot"
    # moto passes InstanceMarketOptions.MarketType ("spot") here; SpotOptions are not passed on
    market_type = kwargs.get("instance_market_options")
    market_options = market_type if isinstance(market_type, dict) else {"MarketType": market_type}
    is_spot = spot_request_launch or (market_options.get("MarketType") == "spot")
    m = market()
    with m.lock:
        if is_spot and kwargs.get("instance_type"):
            zone = _zone_of(self, kwargs.get("subnet_id"), kwargs.get("placement"))
            instance_type = kwargs["instance_type"]
            if m.spot_price(self.region_name, instance_type, zone) is not None:
                used = spot_usage(self)[(instance_type, zone)]
                if m.available(self.region_name, instance_type, zone, used) < count:
                    raise insufficient_capacity(instance_type, zone, self.region_name)
        reservation = _original_run_instances(self, image_id, count, user_data, security_group_names, **kwargs)
    if is_spot and not spot_request_launch:
        for instance in reservation.instances:
            request = _AdoptedSpotRequest(self, instance, market_options)
            self.spot_instance_requests[request.id] = request
            instance.spot_instance_request_id = request.id
            instance.spot_request = request
    return reservation


# ---- CreateFleet --------------------------------------------------------------------------------


class MarketFleet(Fleet):
    """A moto Fleet whose launches go through the Spot market."""

    def __init__(self, ec2_backend: Any, fleet_id: str, on_demand_options: dict[str, Any], spot_options: dict[str, Any], target_capacity_specification: dict[str, Any], launch_template_configs: list[dict[str, Any]], excess_capacity_termination_policy: str, replace_unhealthy_instances: bool, terminate_instances_with_expiration: bool, fleet_type: str, valid_from: Any, valid_until: Any, tag_specifications: list[dict[str, Any]]):
        # Set before Fleet.__init__, which launches the instances.
        self.market_errors: list[dict[str, Any]] = []
        self._volume_tags = convert_tag_spec(tag_specifications or []).get("volume", {}) if fleet_type == "instant" else {}
        super().__init__(ec2_backend, fleet_id, on_demand_options, spot_options, target_capacity_specification, launch_template_configs, excess_capacity_termination_policy, replace_unhealthy_instances, terminate_instances_with_expiration, fleet_type, valid_from, valid_until, tag_specifications)

    # moto keeps each override's merged launch data; the market needs its zone.
    def _zone_of_spec(self, spec: Any) -> str:
        overrides = spec.overrides or {}
        if spec.subnet_id:
            return self.ec2_backend.get_subnet(spec.subnet_id).availability_zone
        return overrides.get("AvailabilityZone") or f"{self.ec2_backend.region_name}a"

    def _candidates(self) -> list[Candidate]:
        return [
            Candidate(
                instance_type=spec.instance_type,
                availability_zone=self._zone_of_spec(spec),
                weight=float(spec.weighted_capacity or 1),
                priority=(spec.overrides or {}).get("Priority"),
            )
            for spec in self.launch_specs
        ]

    def _prepare_specs(self) -> None:
        for spec in self.launch_specs:
            if self._volume_tags:
                tags = spec.tag_specifications
                tags["volume"] = {**self._volume_tags, **tags.get("volume", {})}
            if not spec.subnet_id:
                # An override that names only a zone launches in that zone's default subnet.
                zone = (spec.overrides or {}).get("AvailabilityZone")
                default = self.ec2_backend.get_default_subnets().get(zone) if zone else None
                if default is not None:
                    spec.subnet_id = default.id

    def _error(self, spec: Any, lifecycle: str, code: str, message: str) -> dict[str, Any]:
        entry: dict[str, Any] = {"Lifecycle": lifecycle, "ErrorCode": code, "ErrorMessage": message}
        if spec.launch_template_spec:
            lto: dict[str, Any] = {"LaunchTemplateSpecification": spec.launch_template_spec}
            if spec.overrides:
                lto["Overrides"] = spec.overrides
            entry["LaunchTemplateAndOverrides"] = lto
        return entry

    def create_spot_requests(self, weight_to_add: float) -> list[SpotInstanceRequest]:
        self._prepare_specs()
        m = market()
        region = self.ec2_backend.region_name
        strategy = (self.spot_options or {}).get("AllocationStrategy") or "price-capacity-optimized"
        candidates = self._candidates()
        added = 0.0
        with m.lock:
            while added < weight_to_add:
                pick = m.choose_spot(region, candidates, _used_fn(self.ec2_backend), strategy)
                if pick is None:
                    for spec, c in zip(self.launch_specs, candidates):
                        if m.spot_price(region, c.instance_type, c.availability_zone) is None:
                            self.market_errors.append(self._error(spec, "spot", "Unsupported", "The requested configuration is currently not supported. Please check the documentation for supported configurations."))
                        else:
                            self.market_errors.append(self._error(spec, "spot", "InsufficientInstanceCapacity", "There is no Spot capacity available that matches your request."))
                    break
                spec = self.launch_specs[pick.index]
                requests = self.ec2_backend.request_spot_instances(
                    price=spec.spot_price,
                    image_id=spec.image_id,
                    count=1,
                    spot_instance_type="one-time" if self.fleet_type == "instant" else "persistent",
                    valid_from=None,
                    valid_until=None,
                    launch_group=None,
                    availability_zone_group=None,
                    key_name=spec.key_name,
                    security_groups=spec.group_set,
                    user_data=spec.user_data,
                    instance_type=spec.instance_type,
                    placement=candidates[pick.index].availability_zone,
                    kernel_id=None,
                    ramdisk_id=None,
                    monitoring_enabled=spec.monitoring_enabled,
                    subnet_id=spec.subnet_id,
                    spot_fleet_id=self.id,
                    tags=spec.tag_specifications,
                    launch_spec=spec,
                )
                self.spot_requests.extend(requests)
                weight = float(spec.weighted_capacity or 1)
                added += weight
                self.fulfilled_capacity += weight
                self.fulfilled_spot_capacity += weight
        return self.spot_requests

    def create_on_demand_requests(self, weight_to_add: float) -> None:
        self._prepare_specs()
        m = market()
        region = self.ec2_backend.region_name
        strategy = (self.on_demand_options or {}).get("AllocationStrategy") or "lowest-price"
        candidates = self._candidates()
        pick = m.choose_on_demand(region, candidates, strategy)
        if pick is None:
            return
        spec = self.launch_specs[pick.index]
        weight = float(spec.weighted_capacity or 1)
        count = max(1, int(-(-weight_to_add // weight)))
        reservation = self.ec2_backend.run_instances(
            image_id=spec.image_id,
            count=count,
            instance_type=spec.instance_type,
            is_instance_type_default=False,
            key_name=spec.key_name,
            security_group_names=spec.group_set,
            user_data=spec.user_data,
            placement=None,
            kernel_id=None,
            ramdisk_id=None,
            monitoring_enabled=spec.monitoring,
            subnet_id=spec.subnet_id,
            fleet_id=self.id,
            tags=spec.tag_specifications,
        )
        for instance in reservation.instances:
            self.on_demand_instances.append({"id": reservation.id, "instance": instance, "launch_spec": spec})
        self.fulfilled_capacity += count * weight
        self.fulfilled_on_demand_capacity += count * weight


def _create_fleet(self: Any, on_demand_options: dict[str, Any], spot_options: dict[str, Any], target_capacity_specification: dict[str, Any], launch_template_configs: list[dict[str, Any]], excess_capacity_termination_policy: str, replace_unhealthy_instances: bool, terminate_instances_with_expiration: bool, fleet_type: str, valid_from: Any, valid_until: Any, tag_specifications: list[dict[str, Any]]) -> Fleet:
    fleet_id = random_fleet_id()
    fleet = MarketFleet(self, fleet_id, on_demand_options, spot_options, target_capacity_specification, launch_template_configs, excess_capacity_termination_policy, replace_unhealthy_instances, terminate_instances_with_expiration, fleet_type, valid_from, valid_until, tag_specifications)
    self.fleets[fleet_id] = fleet
    return fleet


_original_create_fleet_response = Fleets.create_fleet


def _create_fleet_response(self: Any) -> ActionResult:
    result = _original_create_fleet_response(self)
    body = result.result
    fleet = self.ec2_backend.get_fleet(body["FleetId"])
    if isinstance(fleet, MarketFleet) and fleet.fleet_type == "instant":
        body["Errors"] = fleet.market_errors
        body.setdefault("Instances", [])
    return result


# ---- DescribeSpotPriceHistory -------------------------------------------------------------------


def _to_epoch(value: Any) -> float | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.timestamp()
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        pass
    parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.timestamp()


def _describe_spot_price_history(self: Any) -> ActionResult:
    region = self.region
    filters = self._filters_from_querystring()
    instance_types = set(self._get_param("InstanceTypes", []) or [])
    instance_types |= set(filters.get("instance-type", []))
    descriptions = list(self._get_param("ProductDescriptions", []) or []) + list(filters.get("product-description", []))
    zones = set(filters.get("availability-zone", []))
    if self._get_param("AvailabilityZone"):
        zones.add(self._get_param("AvailabilityZone"))
    wanted = [d for d in (descriptions or ["Linux/UNIX"]) if d in LINUX_DESCRIPTIONS]
    start = _to_epoch(self._get_param("StartTime"))
    end = _to_epoch(self._get_param("EndTime"))
    rows = market().history(region, start, end, instance_types or None, zones or None)
    entries = [
        {
            "AvailabilityZone": zone,
            "InstanceType": instance_type,
            "ProductDescription": description,
            "SpotPrice": f"{price:.6f}",
            "Timestamp": dt.datetime.fromtimestamp(ts, tz=dt.timezone.utc),
        }
        for instance_type, zone, ts, price in rows
        for description in wanted
    ]
    max_results = int(self._get_param("MaxResults") or 1000)
    token = self._get_param("NextToken")
    offset = int(base64.b64decode(token).decode()) if token else 0
    page = entries[offset : offset + max_results]
    result: dict[str, Any] = {"SpotPriceHistory": page}
    if offset + max_results < len(entries):
        result["NextToken"] = base64.b64encode(str(offset + max_results).encode()).decode()
    else:
        result["NextToken"] = ""
    return ActionResult(result)


def install() -> None:
    SpotInstanceRequest.launch_instance = _launch_instance  # type: ignore[method-assign]
    EC2Backend.run_instances = _run_instances  # type: ignore[method-assign]
    EC2Backend.create_fleet = _create_fleet  # type: ignore[method-assign]
    Fleets.create_fleet = _create_fleet_response  # type: ignore[method-assign]
    SpotInstances.describe_spot_price_history = _describe_spot_price_history  # type: ignore[method-assign]
